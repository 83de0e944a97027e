// The string extension: code-point indexing, replace/split limits, trim, join, quote,
// reverse and format.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

Value Fmt(std::string f, std::vector<Value> args) { return method("format", {S(std::move(f)), L(std::move(args))}); }
bool ListOfStrings(const Value& v, std::vector<std::string> want) {
  if (v.kind() != Kind::kList || v.list_size() != want.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (v.list_at(i).kind() != Kind::kString || v.list_at(i).as_string() != want[i]) return false;
  }
  return true;
}
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(CharAt, All) {
  EXPECT_TRUE(IsStr(method("charAt", {S("tacocat"), I(3)}), "o"));
  EXPECT_TRUE(IsStr(method("charAt", {S("tacocat"), I(7)}), ""));
  EXPECT_TRUE(IsStr(method("charAt", {S("©αT"), I(1)}), "α"));
  EXPECT_TRUE(IsErr(method("charAt", {S("tacocat"), I(30)})));
  EXPECT_TRUE(IsErr(method("charAt", {S("tacocat"), I(-1)})));
  EXPECT_TRUE(IsErr(method("charAt", {I(42), I(2)})));
  EXPECT_TRUE(IsErr(method("charAt", {S("hello"), B(true)})));
}

TEST(IndexOf, All) {
  EXPECT_TRUE(IsInt(method("indexOf", {S("tacocat"), S("")}), 0));
  EXPECT_TRUE(IsInt(method("indexOf", {S("tacocat"), S("ac")}), 1));
  EXPECT_TRUE(IsInt(method("indexOf", {S("tacocat"), S("none")}), -1));
  EXPECT_TRUE(IsInt(method("indexOf", {S("tacocat"), S(""), I(3)}), 3));
  EXPECT_TRUE(IsInt(method("indexOf", {S("tacocat"), S("a"), I(3)}), 5));
  EXPECT_TRUE(IsInt(method("indexOf", {S("ta©o©αT"), S("©")}), 2));
  EXPECT_TRUE(IsInt(method("indexOf", {S("ta©o©αT"), S("©αT"), I(3)}), 4));
  EXPECT_TRUE(IsInt(method("indexOf", {S("ta©o©αT"), S("©α"), I(5)}), -1));
  EXPECT_TRUE(IsInt(method("indexOf", {S("hello wello"), S("ello"), I(6)}), 7));
  EXPECT_TRUE(IsInt(method("indexOf", {S(""), S("a")}), -1));
  EXPECT_TRUE(IsErr(method("indexOf", {S("tacocat"), S("a"), I(30)})));
  EXPECT_TRUE(IsErr(method("indexOf", {S("tacocat"), S("a"), I(-1)})));
  EXPECT_TRUE(IsErr(method("indexOf", {S("42"), I(4), I(0)})));
  EXPECT_TRUE(IsErr(method("indexOf", {S("42"), S("4"), S("0")})));
}

TEST(LastIndexOf, All) {
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S(""), S("@@")}), -1));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("tacocat"), S("")}), 7));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("tacocat"), S("at")}), 5));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("tacocat"), S(""), I(3)}), 3));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("tacocat"), S("a"), I(3)}), 1));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("ta©o©αT"), S("©")}), 4));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("ta©o©αT"), S("©"), I(3)}), 2));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("ta©o©αT"), S("©α"), I(4)}), 4));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("hello wello"), S("ello"), I(6)}), 1));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("hello wello"), S("hello wello")}), 0));
  EXPECT_TRUE(IsInt(method("lastIndexOf", {S("bananananana"), S("nana"), I(7)}), 6));
  EXPECT_TRUE(IsErr(method("lastIndexOf", {S("tacocat"), S("a"), I(-1)})));
  EXPECT_TRUE(IsErr(method("lastIndexOf", {S("tacocat"), S("a"), I(30)})));
}

TEST(AsciiCasing, All) {
  EXPECT_TRUE(IsStr(method("lowerAscii", {S("TacoCÆt Xii")}), "tacocÆt xii"));
  EXPECT_TRUE(IsStr(method("upperAscii", {S("tacoCαt")}), "TACOCαT"));
  EXPECT_TRUE(IsErr(method("upperAscii", {I(1)})));
}

TEST(Replace, All) {
  EXPECT_TRUE(IsStr(method("replace", {S("12 days 12 hours"), S("{0}"), S("2")}), "12 days 12 hours"));
  EXPECT_TRUE(IsStr(method("replace", {S("{0} days {0} hours"), S("{0}"), S("2")}), "2 days 2 hours"));
  EXPECT_TRUE(IsStr(method("replace", {S("{0} days {0} hours"), S("{0}"), S("2"), I(1)}), "2 days {0} hours"));
  EXPECT_TRUE(IsStr(method("replace", {S("aaa"), S("a"), S("b"), I(0)}), "aaa"));
  EXPECT_TRUE(IsStr(method("replace", {S("aaa"), S("a"), S("b"), I(-1)}), "bbb"));
  EXPECT_TRUE(IsStr(method("replace", {S("1 ©αT taco"), S("αT"), S("o©α")}), "1 ©o©α taco"));
  EXPECT_TRUE(IsStr(method("replace", {S("ab"), S(""), S("-")}), "-a-b-"));
  EXPECT_TRUE(IsStr(method("replace", {S("ab"), S(""), S("-"), I(2)}), "-a-b"));
  EXPECT_TRUE(IsErr(method("replace", {S("42"), S("2"), I(1)})));
  EXPECT_TRUE(IsErr(method("replace", {S("42"), S("2"), S("1"), S("1")})));
}

TEST(Split, All) {
  EXPECT_TRUE(ListOfStrings(method("split", {S("hello world"), S(" ")}), {"hello", "world"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("hello world events!"), S(" "), I(0)}), {}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("hello world events!"), S(" "), I(1)}), {"hello world events!"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("hello world events!"), S(" "), I(2)}), {"hello", "world events!"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("o©o©o©o"), S("©"), I(-1)}), {"o", "o", "o", "o"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("a©b"), S("")}), {"a", "©", "b"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("abc"), S(""), I(2)}), {"a", "bc"}));
  EXPECT_TRUE(ListOfStrings(method("split", {S(""), S(",")}), {""}));
  EXPECT_TRUE(ListOfStrings(method("split", {S("a,"), S(",")}), {"a", ""}));
  EXPECT_TRUE(IsErr(method("split", {S("42"), I(2)})));
  EXPECT_TRUE(IsErr(method("split", {S("42"), S("2"), S("1")})));
}

TEST(Substring, All) {
  EXPECT_TRUE(IsStr(method("substring", {S("tacocat"), I(4)}), "cat"));
  EXPECT_TRUE(IsStr(method("substring", {S("tacocat"), I(7)}), ""));
  EXPECT_TRUE(IsStr(method("substring", {S("tacocat"), I(0), I(4)}), "taco"));
  EXPECT_TRUE(IsStr(method("substring", {S("tacocat"), I(4), I(4)}), ""));
  EXPECT_TRUE(IsStr(method("substring", {S("ta©o©αT"), I(2), I(6)}), "©o©α"));
  EXPECT_TRUE(IsErr(method("substring", {S("tacocat"), I(40)})));
  EXPECT_TRUE(IsErr(method("substring", {S("tacocat"), I(-1)})));
  EXPECT_TRUE(IsErr(method("substring", {S("tacocat"), I(1), I(50)})));
  EXPECT_TRUE(IsErr(method("substring", {S("tacocat"), I(4), I(3)})));
  EXPECT_TRUE(IsErr(method("substring", {S("tacocat"), B(true), I(3)})));
}

TEST(Trim, UnicodeWhiteSpace) {
  EXPECT_TRUE(IsStr(method("trim", {S(" \f\n\r\t\vtext  ")}), "text"));
  EXPECT_TRUE(IsStr(method("trim", {S("\u0085\u00a0\u1680text")}), "text"));
  EXPECT_TRUE(IsStr(method("trim", {S("text\u2000\u2001\u2002\u2003\u2004\u2006\u2007\u2008\u2009")}), "text"));
  EXPECT_TRUE(IsStr(method("trim", {S("\u200atext\u2028\u2029\u202F\u205F\u3000")}), "text"));
  std::string kept = "\u180etext\u200b\u200c\u200d\u2060\ufeff";
  EXPECT_TRUE(IsStr(method("trim", {S(kept)}), kept));
  EXPECT_TRUE(IsStr(method("trim", {S("   ")}), ""));
}

TEST(Join, All) {
  EXPECT_TRUE(IsStr(method("join", {L({S("x"), S("y")})}), "xy"));
  EXPECT_TRUE(IsStr(method("join", {L({S("x"), S("y")}), S("-")}), "x-y"));
  EXPECT_TRUE(IsStr(method("join", {L({})}), ""));
  EXPECT_TRUE(IsStr(method("join", {L({}), S("-")}), ""));
  EXPECT_TRUE(IsErr(method("join", {L({S("x"), I(1)})})));
}

TEST(Quote, Escapes) {
  EXPECT_TRUE(IsStr(call("strings.quote", {S("first\nsecond")}), "\"first\\nsecond\""));
  EXPECT_TRUE(IsStr(call("strings.quote", {S("bell\a\b\f\r\t\v")}), "\"bell\\a\\b\\f\\r\\t\\v\""));
  EXPECT_TRUE(IsStr(call("strings.quote", {S("a \\ \" b")}), "\"a \\\\ \\\" b\""));
  EXPECT_TRUE(IsStr(call("strings.quote", {S("printable unicode😀")}), "\"printable unicode😀\""));
  EXPECT_TRUE(IsStr(call("strings.quote", {S("")}), "\"\""));
  EXPECT_TRUE(IsStr(call("strings.quote", {S("bad\xff")}), "\"bad\xEF\xBF\xBD\""));
}

TEST(Reverse, CodePoints) {
  EXPECT_TRUE(IsStr(method("reverse", {S("")}), ""));
  EXPECT_TRUE(IsStr(method("reverse", {S("☺")}), "☺"));
  EXPECT_TRUE(IsStr(method("reverse", {S("Ta©oCαt")}), "tαCo©aT"));
}

TEST(Format, StringsAndPercent) {
  EXPECT_TRUE(IsStr(Fmt("no substitution", {}), "no substitution"));
  EXPECT_TRUE(IsStr(Fmt("str is %s and some more", {S("filler")}), "str is filler and some more"));
  EXPECT_TRUE(IsStr(Fmt("%% and also %%", {}), "% and also %"));
  EXPECT_TRUE(IsStr(Fmt("%%%s%%", {S("text")}), "%text%"));
  EXPECT_TRUE(IsStr(Fmt("%d %s", {I(1), S("A")}), "1 A"));
}

TEST(Format, Numbers) {
  EXPECT_TRUE(IsStr(Fmt("%.3f", {D(1.2345)}), "1.234"));
  EXPECT_TRUE(IsStr(Fmt("%b", {I(5)}), "101"));
  EXPECT_TRUE(IsStr(Fmt("%b", {U(64)}), "1000000"));
  EXPECT_TRUE(IsStr(Fmt("%b", {B(true)}), "1"));
  EXPECT_TRUE(IsStr(Fmt("%o", {I(11)}), "13"));
  EXPECT_TRUE(IsStr(Fmt("%o", {U(65535)}), "177777"));
  EXPECT_TRUE(IsStr(Fmt("%x", {I(30)}), "1e"));
  EXPECT_TRUE(IsStr(Fmt("%X", {I(30)}), "1E"));
  EXPECT_TRUE(IsStr(Fmt("%x", {I(-30)}), "-1e"));
  EXPECT_TRUE(IsStr(Fmt("%X", {U(6000)}), "1770"));
  EXPECT_TRUE(IsStr(Fmt("%x", {S("Hello world!")}), "48656c6c6f20776f726c6421"));
  EXPECT_TRUE(IsStr(Fmt("%X", {Value::bytes("byte string")}), "6279746520737472696E67"));
  EXPECT_TRUE(IsStr(Fmt("%.6e", {D(1052.032911275)}), "1.052033e+03"));
  EXPECT_TRUE(IsStr(Fmt("%f", {I(2)}), "2.000000"));
  EXPECT_TRUE(IsStr(Fmt("%e", {U(3)}), "3.000000e+00"));
  EXPECT_TRUE(IsStr(Fmt("%d", {U(64)}), "64"));
}

TEST(Format, Rounding) {
  EXPECT_TRUE(IsStr(Fmt("%.0f", {D(123.0)}), "123"));
  EXPECT_TRUE(IsStr(Fmt("%.0f", {D(3.5001)}), "4"));
  EXPECT_TRUE(IsStr(Fmt("%.0f", {D(1.5)}), "2"));
  EXPECT_TRUE(IsStr(Fmt("%.0f", {D(2.5)}), "2"));
  EXPECT_TRUE(IsStr(Fmt("%.3f", {D(-123.4999)}), "-123.500"));
  EXPECT_TRUE(IsStr(Fmt("%.5f", {D(-1.2)}), "-1.20000"));
}

TEST(Format, NonFinite) {
  EXPECT_TRUE(IsStr(Fmt("%e", {D(std::nan(""))}), "NaN"));
  EXPECT_TRUE(IsStr(Fmt("%f", {D(kInf)}), "Infinity"));
  EXPECT_TRUE(IsStr(Fmt("%d", {D(-kInf)}), "-Infinity"));
  EXPECT_TRUE(IsStr(Fmt("%s", {L({D(std::nan("")), D(kInf), D(-kInf)})}), "[NaN, Infinity, -Infinity]"));
}

TEST(Format, CompositeValues) {
  EXPECT_TRUE(IsStr(Fmt("%s", {Value::null()}), "null"));
  EXPECT_TRUE(IsStr(Fmt("%s", {I(999999999999)}), "999999999999"));
  EXPECT_TRUE(IsStr(Fmt("%s", {Value::bytes("xyz")}), "xyz"));
  EXPECT_TRUE(IsStr(Fmt("%s", {call("type", {S("")})}), "string"));
  EXPECT_TRUE(IsStr(Fmt("%s, %s", {B(true), B(false)}), "true, false"));
  Value ts = call("timestamp", {S("2023-02-03T23:31:20Z")});
  EXPECT_TRUE(IsStr(Fmt("%s", {L({S("abc"), D(3.14), Value::null(), L({I(9), I(8)}), ts})}),
                    "[abc, 3.14, null, [9, 8], 2023-02-03T23:31:20Z]"));
  Value m = Value::map({{S("strKey"), S("x")}, {I(6), call("duration", {S("422s")})}, {B(true), I(42)}});
  EXPECT_TRUE(IsStr(Fmt("%s", {m}), "{6: 422s, strKey: x, true: 42}"));
}

TEST(Format, Errors) {
  EXPECT_TRUE(IsErr(Fmt("%a", {I(1)})));
  EXPECT_TRUE(IsErr(Fmt("%d %d %d", {I(0), I(1)})));
  EXPECT_TRUE(IsErr(Fmt("string is %b", {S("abc")})));
  EXPECT_TRUE(IsErr(Fmt("%d", {call("duration", {S("30m2s")})})));
  EXPECT_TRUE(IsErr(Fmt("octal: %o", {S("a string")})));
  EXPECT_TRUE(IsErr(Fmt("double is %x", {D(0.5)})));
  EXPECT_TRUE(IsErr(Fmt("double is %E", {D(0.5)})));
  EXPECT_TRUE(IsErr(Fmt("%d", {D(1.5)})));
  EXPECT_TRUE(IsErr(Fmt("trailing %", {})));
  for (const char* f : {"%d", "%e", "%f", "%x", "%X", "%b", "%o"}) {
    EXPECT_TRUE(IsErr(Fmt(f, {Value::null()}))) << f;
  }
}

TEST(Cost, LargeOutputsAreCharged) {
  fntest::TestContext small(10);
  EXPECT_TRUE(IsErr(method("replace", {S("aaaaaaaaaaaaaaaaaaaa"), S("a"), S("bbbb")}, small)));
  fntest::TestContext small2(10);
  EXPECT_TRUE(IsErr(method("join", {L({S("aaaaaa"), S("bbbbbb")})}, small2)));
  fntest::TestContext small3(10);
  EXPECT_TRUE(IsErr(method("split", {S("a,b,c,d,e,f,g,h,i,j,k"), S(",")}, small3)));
  fntest::TestContext big;
  EXPECT_TRUE(IsStr(method("replace", {S("ab"), S("a"), S("c")}, big), "cb"));
}

}  // namespace
}  // namespace sekimori::cel
