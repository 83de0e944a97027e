// The standard library: size, string predicates, matches, conversions, time accessors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

Value Ts(std::string s) { return call("timestamp", {S(std::move(s))}); }
Value Dur(std::string s) { return call("duration", {S(std::move(s))}); }

TEST(Registry, FindsByStyleAndArity) {
  const auto& reg = FunctionRegistry::standard();
  EXPECT_NE(reg.find("size", CallStyle::kGlobal, 1), nullptr);
  EXPECT_NE(reg.find("size", CallStyle::kReceiver, 1), nullptr);
  EXPECT_EQ(reg.find("size", CallStyle::kGlobal, 2), nullptr);
  EXPECT_EQ(reg.find("startsWith", CallStyle::kGlobal, 2), nullptr);
  EXPECT_NE(reg.find("math.greatest", CallStyle::kGlobal, 5), nullptr);
  EXPECT_TRUE(reg.has("ip.isCanonical"));
  EXPECT_FALSE(reg.has("nope"));
}

TEST(Registry, ExactArityBeatsVariadic) {
  FunctionRegistry reg;
  auto one = [](std::span<const Value>, const CallContext&) { return Value::integer(1); };
  auto many = [](std::span<const Value>, const CallContext&) { return Value::integer(2); };
  reg.add({"f", CallStyle::kGlobal, -1, many});
  reg.add({"f", CallStyle::kGlobal, 1, one});
  fntest::TestContext ctx;
  EXPECT_TRUE(IsInt(reg.find("f", CallStyle::kGlobal, 1)->impl({}, ctx), 1));
  EXPECT_TRUE(IsInt(reg.find("f", CallStyle::kGlobal, 3)->impl({}, ctx), 2));
  EXPECT_EQ(reg.find("f", CallStyle::kReceiver, 1), nullptr);
}

TEST(Size, StringsCountCodePoints) {
  EXPECT_TRUE(IsInt(call("size", {S("")}), 0));
  EXPECT_TRUE(IsInt(call("size", {S("four")}), 4));
  EXPECT_TRUE(IsInt(call("size", {S("\xC3\xBF")}), 1));
  EXPECT_TRUE(IsInt(call("size", {S("πέντε")}), 5));
  EXPECT_TRUE(IsInt(method("size", {S("\U0001F431")}), 1));
}

TEST(Size, BytesListsMaps) {
  EXPECT_TRUE(IsInt(call("size", {Value::bytes("abc")}), 3));
  EXPECT_TRUE(IsInt(call("size", {Value::bytes("\xC3\xBF")}), 2));
  EXPECT_TRUE(IsInt(call("size", {L({I(1), I(2), I(3)})}), 3));
  EXPECT_TRUE(IsInt(call("size", {Value::map({{S("a"), I(1)}})}), 1));
  EXPECT_TRUE(IsErr(call("size", {I(1)})));
}

TEST(StringPredicates, Contains) {
  EXPECT_TRUE(IsBool(method("contains", {S("hello"), S("he")}), true));
  EXPECT_TRUE(IsBool(method("contains", {S("hello"), S("")}), true));
  EXPECT_TRUE(IsBool(method("contains", {S("hello"), S("ol")}), false));
  EXPECT_TRUE(IsBool(method("contains", {S(""), S("x")}), false));
  EXPECT_TRUE(IsErr(method("contains", {S("a"), I(1)})));
}

TEST(StringPredicates, StartsAndEndsWith) {
  EXPECT_TRUE(IsBool(method("startsWith", {S("foobar"), S("foo")}), true));
  EXPECT_TRUE(IsBool(method("startsWith", {S("foobar"), S("bar")}), false));
  EXPECT_TRUE(IsBool(method("startsWith", {S(""), S("")}), true));
  EXPECT_TRUE(IsBool(method("endsWith", {S("forté"), S("té")}), true));
  EXPECT_TRUE(IsBool(method("endsWith", {S(""), S("foo")}), false));
  EXPECT_TRUE(IsErr(method("endsWith", {Value::bytes("a"), S("a")})));
}

TEST(Matches, Re2Semantics) {
  EXPECT_TRUE(IsBool(method("matches", {S("hubba"), S("ubb")}), true));
  EXPECT_TRUE(IsBool(method("matches", {S(""), S("foo|bar")}), false));
  EXPECT_TRUE(IsBool(method("matches", {S("cows"), S("")}), true));
  EXPECT_TRUE(IsBool(method("matches", {S("mañana"), S("a+ñ+a+")}), true));
  EXPECT_TRUE(IsBool(method("matches", {S("\U0001F431\U0001F600\U0001F600"), S("(a|\U0001F600){2}")}), true));
  EXPECT_TRUE(IsBool(call("matches", {S("abc"), S("^a.c$")}), true));
  EXPECT_TRUE(IsBool(call("matches", {S("abcd"), S("^a.c$")}), false));
}

TEST(Matches, InvalidPatternIsAnError) {
  EXPECT_TRUE(IsErr(method("matches", {S("x"), S("(")})));
  EXPECT_TRUE(IsErr(method("matches", {S("x"), S("a**")})));
}

TEST(IntConversion, FromUint) {
  EXPECT_TRUE(IsInt(call("int", {U(42)}), 42));
  EXPECT_TRUE(IsInt(call("int", {U(9223372036854775807ULL)}), INT64_MAX));
  EXPECT_TRUE(IsErr(call("int", {U(9223372036854775808ULL)})));
  EXPECT_TRUE(IsErr(call("int", {U(UINT64_MAX)})));
}

TEST(IntConversion, FromDoubleTruncates) {
  EXPECT_TRUE(IsInt(call("int", {D(-123.456)}), -123));
  EXPECT_TRUE(IsInt(call("int", {D(1.9)}), 1));
  EXPECT_TRUE(IsInt(call("int", {D(-7.9)}), -7));
  EXPECT_TRUE(IsInt(call("int", {D(36028797018963968.0)}), 36028797018963968LL));
}

TEST(IntConversion, FromDoubleRangeChecked) {
  EXPECT_TRUE(IsErr(call("int", {D(9223372036854775807.0)})));
  EXPECT_TRUE(IsErr(call("int", {D(-9223372036854775808.0)})));
  EXPECT_TRUE(IsErr(call("int", {D(1e99)})));
  EXPECT_TRUE(IsErr(call("int", {D(std::nan(""))})));
  EXPECT_TRUE(IsErr(call("int", {D(-std::numeric_limits<double>::infinity())})));
}

TEST(IntConversion, FromString) {
  EXPECT_TRUE(IsInt(call("int", {S("987")}), 987));
  EXPECT_TRUE(IsInt(call("int", {S("-9223372036854775808")}), INT64_MIN));
  EXPECT_TRUE(IsInt(call("int", {S("+5")}), 5));
  for (const char* s : {"", "-", "9223372036854775808", "1.0", " 1", "1 ", "0x10", "1e3", "abc"}) {
    EXPECT_TRUE(IsErr(call("int", {S(s)}))) << s;
  }
}

TEST(IntConversion, FromTimestampAndIdentity) {
  EXPECT_TRUE(IsInt(call("int", {Ts("2004-09-16T23:59:59Z")}), 1095379199));
  EXPECT_TRUE(IsInt(call("int", {I(1)}), 1));
  EXPECT_TRUE(IsErr(call("int", {B(true)})));
}

TEST(UintConversion, All) {
  EXPECT_TRUE(IsUint(call("uint", {I(1729)}), 1729));
  EXPECT_TRUE(IsUint(call("uint", {I(INT64_MAX)}), 9223372036854775807ULL));
  EXPECT_TRUE(IsErr(call("uint", {I(-1)})));
  EXPECT_TRUE(IsUint(call("uint", {D(3.14159265)}), 3));
  EXPECT_TRUE(IsUint(call("uint", {D(25.5)}), 25));
  EXPECT_TRUE(IsErr(call("uint", {D(6.022e23)})));
  EXPECT_TRUE(IsErr(call("uint", {D(18446744073709551616.0)})));
  EXPECT_TRUE(IsErr(call("uint", {D(-0.5)})));
  EXPECT_TRUE(IsUint(call("uint", {S("300")}), 300));
  EXPECT_TRUE(IsUint(call("uint", {S("18446744073709551615")}), UINT64_MAX));
  EXPECT_TRUE(IsErr(call("uint", {S("18446744073709551616")})));
  EXPECT_TRUE(IsErr(call("uint", {S("-1")})));
  EXPECT_TRUE(IsUint(call("uint", {U(1)}), 1));
}

TEST(DoubleConversion, Numbers) {
  EXPECT_TRUE(IsDouble(call("double", {I(-9007199254740992)}), -9007199254740992.0));
  EXPECT_TRUE(IsDouble(call("double", {I(INT64_MAX)}), 9.223372036854775807e18));
  EXPECT_TRUE(IsDouble(call("double", {U(UINT64_MAX)}), 1.8446744073709552e19));
  EXPECT_TRUE(IsDouble(call("double", {D(5.5)}), 5.5));
}

TEST(DoubleConversion, Strings) {
  EXPECT_TRUE(IsDouble(call("double", {S("0")}), 0.0));
  EXPECT_TRUE(IsDouble(call("double", {S("123.456")}), 123.456));
  EXPECT_TRUE(IsDouble(call("double", {S("-987.654")}), -987.654));
  EXPECT_TRUE(IsDouble(call("double", {S("6.02214e23")}), 6.02214e23));
  EXPECT_TRUE(IsDouble(call("double", {S("1.38e-23")}), 1.38e-23));
  EXPECT_TRUE(IsDouble(call("double", {S("-84.32e7")}), -843200000.0));
  EXPECT_TRUE(IsDouble(call("double", {S("Infinity")}), std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(IsDouble(call("double", {S("-Infinity")}), -std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(IsDouble(call("double", {S("NaN")}), std::nan("")));
  Value neg_zero = call("double", {S("-0.0")});
  ASSERT_TRUE(IsDouble(neg_zero, 0.0));
  EXPECT_TRUE(std::signbit(neg_zero.as_double()));
  for (const char* s : {"", "abc", "1e400", " 1", "1.0x", "--1"}) {
    EXPECT_TRUE(IsErr(call("double", {S(s)}))) << s;
  }
}

TEST(StringConversion, Numbers) {
  EXPECT_TRUE(IsStr(call("string", {I(123)}), "123"));
  EXPECT_TRUE(IsStr(call("string", {I(-456)}), "-456"));
  EXPECT_TRUE(IsStr(call("string", {U(9876)}), "9876"));
  EXPECT_TRUE(IsStr(call("string", {D(123.456)}), "123.456"));
  EXPECT_TRUE(IsStr(call("string", {D(-4.5e-3)}), "-0.0045"));
  EXPECT_TRUE(IsStr(call("string", {D(1e6)}), "1e+06"));
  EXPECT_TRUE(IsStr(call("string", {D(123456.0)}), "123456"));
  EXPECT_TRUE(IsStr(call("string", {D(1e-5)}), "1e-05"));
  EXPECT_TRUE(IsStr(call("string", {D(0.0)}), "0"));
  EXPECT_TRUE(IsStr(call("string", {B(true)}), "true"));
}

TEST(StringConversion, BytesMustBeUtf8) {
  EXPECT_TRUE(IsStr(call("string", {Value::bytes("abc")}), "abc"));
  EXPECT_TRUE(IsStr(call("string", {Value::bytes("\xC3\xBF")}), "\xC3\xBF"));
  EXPECT_TRUE(IsErr(call("string", {Value::bytes(std::string("\x00\xff", 2))})));
  EXPECT_TRUE(IsErr(call("string", {Value::bytes("\xC0\x80")})));       // overlong
  EXPECT_TRUE(IsErr(call("string", {Value::bytes("\xED\xA0\x80")})));   // surrogate
  EXPECT_TRUE(IsErr(call("string", {Value::bytes("\xE2\x82")})));       // truncated
}

TEST(StringConversion, TimeValues) {
  EXPECT_TRUE(IsStr(call("string", {Ts("2023-02-03T23:31:20+00:00")}), "2023-02-03T23:31:20Z"));
  EXPECT_TRUE(IsStr(call("string", {Dur("1h45m47s")}), "6347s"));
  EXPECT_TRUE(IsErr(call("string", {Value::null()})));
}

TEST(BytesConversion, All) {
  Value b = call("bytes", {S("\xC3\xBF")});
  ASSERT_EQ(b.kind(), Kind::kBytes);
  EXPECT_EQ(b.as_bytes(), "\xC3\xBF");
  EXPECT_EQ(call("bytes", {Value::bytes("abc")}).as_bytes(), "abc");
  EXPECT_TRUE(IsErr(call("bytes", {I(1)})));
}

TEST(BoolConversion, GoSpellings) {
  for (const char* s : {"1", "t", "T", "true", "TRUE", "True"}) EXPECT_TRUE(IsBool(call("bool", {S(s)}), true)) << s;
  for (const char* s : {"0", "f", "F", "false", "FALSE", "False"}) EXPECT_TRUE(IsBool(call("bool", {S(s)}), false)) << s;
  for (const char* s : {"TrUe", "FaLsE", "yes", "", " true"}) EXPECT_TRUE(IsErr(call("bool", {S(s)}))) << s;
  EXPECT_TRUE(IsBool(call("bool", {B(true)}), true));
  EXPECT_TRUE(IsErr(call("bool", {I(1)})));
}

TEST(TypeAndDyn, All) {
  EXPECT_EQ(call("type", {I(1)}).type_name(), "int");
  EXPECT_EQ(call("type", {U(1)}).type_name(), "uint");
  EXPECT_EQ(call("type", {S("")}).type_name(), "string");
  EXPECT_EQ(call("type", {Value::null()}).type_name(), "null_type");
  EXPECT_EQ(call("type", {L({})}).type_name(), "list");
  EXPECT_EQ(call("type", {call("type", {I(1)})}).type_name(), "type");
  EXPECT_TRUE(IsInt(call("dyn", {I(7)}), 7));
}

TEST(TimestampConversion, All) {
  EXPECT_EQ(call("timestamp", {I(1000000000)}).as_timestamp(), (Timestamp{1000000000, 0}));
  EXPECT_TRUE(IsErr(call("timestamp", {I(253402300800)})));
  EXPECT_TRUE(IsErr(call("timestamp", {I(-62135596801)})));
  EXPECT_TRUE(IsErr(Ts("not a time")));
  Value t = Ts("2009-02-13T23:31:30Z");
  EXPECT_EQ(call("timestamp", {t}).as_timestamp().seconds, 1234567890);
  EXPECT_TRUE(IsErr(call("timestamp", {D(1.0)})));
}

TEST(DurationConversion, All) {
  EXPECT_EQ(Dur("100s").as_duration(), (Duration{100, 0}));
  EXPECT_EQ(call("duration", {Dur("1m")}).as_duration(), (Duration{60, 0}));
  EXPECT_TRUE(IsErr(Dur("1 hour")));
  EXPECT_TRUE(IsErr(call("duration", {I(1)})));
}

TEST(TimestampAccessors, Utc) {
  Value t = Ts("2009-02-13T23:31:30.123456789Z");  // a Friday
  EXPECT_TRUE(IsInt(method("getFullYear", {t}), 2009));
  EXPECT_TRUE(IsInt(method("getMonth", {t}), 1));
  EXPECT_TRUE(IsInt(method("getDayOfMonth", {t}), 12));
  EXPECT_TRUE(IsInt(method("getDate", {t}), 13));
  EXPECT_TRUE(IsInt(method("getDayOfWeek", {t}), 5));
  EXPECT_TRUE(IsInt(method("getDayOfYear", {t}), 43));
  EXPECT_TRUE(IsInt(method("getHours", {t}), 23));
  EXPECT_TRUE(IsInt(method("getMinutes", {t}), 31));
  EXPECT_TRUE(IsInt(method("getSeconds", {t}), 30));
  EXPECT_TRUE(IsInt(method("getMilliseconds", {t}), 123));
}

TEST(TimestampAccessors, WithTimeZones) {
  Value t = Ts("2009-02-13T23:31:30Z");
  EXPECT_TRUE(IsInt(method("getHours", {t, S("UTC")}), 23));
  EXPECT_TRUE(IsInt(method("getHours", {t, S("+01:00")}), 0));
  EXPECT_TRUE(IsInt(method("getDate", {t, S("+01:00")}), 14));
  EXPECT_TRUE(IsInt(method("getDayOfWeek", {t, S("+01:00")}), 6));
  EXPECT_TRUE(IsInt(method("getHours", {t, S("-08:00")}), 15));
  EXPECT_TRUE(IsInt(method("getFullYear", {Ts("2010-01-01T03:00:00Z"), S("America/Los_Angeles")}), 2009));
  EXPECT_TRUE(IsInt(method("getMinutes", {t, S("Asia/Kolkata")}), 1));
  EXPECT_TRUE(IsErr(method("getHours", {t, S("Nowhere/Special")})));
  EXPECT_TRUE(IsErr(method("getHours", {t, I(1)})));
}

TEST(DurationAccessors, Totals) {
  Value d = Dur("10h20m30.5s");
  EXPECT_TRUE(IsInt(method("getHours", {d}), 10));
  EXPECT_TRUE(IsInt(method("getMinutes", {d}), 620));
  EXPECT_TRUE(IsInt(method("getSeconds", {d}), 37230));
  EXPECT_TRUE(IsInt(method("getMilliseconds", {d}), 37230500));
  EXPECT_TRUE(IsInt(method("getHours", {Dur("-90m")}), -1));
  EXPECT_TRUE(IsErr(method("getFullYear", {d})));
  EXPECT_TRUE(IsErr(method("getHours", {d, S("UTC")})));
}

}  // namespace
}  // namespace sekimori::cel
