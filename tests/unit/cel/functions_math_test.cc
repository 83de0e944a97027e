// The math extension: greatest/least over mixed numbers, rounding, abs/sign,
// classification and bit operations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Greatest, Ints) {
  EXPECT_TRUE(IsInt(call("math.greatest", {I(-5)}), -5));
  EXPECT_TRUE(IsInt(call("math.greatest", {I(3), I(-3)}), 3));
  EXPECT_TRUE(IsInt(call("math.greatest", {I(INT64_MIN), I(1)}), 1));
  EXPECT_TRUE(IsInt(call("math.greatest", {I(1), I(INT64_MAX)}), INT64_MAX));
  EXPECT_TRUE(IsInt(call("math.greatest", {I(1), I(3), I(10)}), 10));
  EXPECT_TRUE(IsInt(call("math.greatest", {D(5.4), I(10), U(3), D(-5.0), I(INT64_MAX)}), INT64_MAX));
}

TEST(Greatest, DoublesAndUints) {
  EXPECT_TRUE(IsDouble(call("math.greatest", {D(1.797693e308), I(1)}), 1.797693e308));
  EXPECT_TRUE(IsDouble(call("math.greatest", {D(-1.797693e308), D(1.5)}), 1.5));
  EXPECT_TRUE(IsUint(call("math.greatest", {U(5), I(-7)}), 5));
  EXPECT_TRUE(IsUint(call("math.greatest", {I(-3), U(3)}), 3));
  EXPECT_TRUE(IsUint(call("math.greatest", {U(UINT64_MAX), U(1)}), UINT64_MAX));
  EXPECT_TRUE(IsUint(call("math.greatest", {D(5.4), I(10), U(3), D(-5.0), U(UINT64_MAX)}), UINT64_MAX));
}

TEST(Greatest, ListArgument) {
  EXPECT_TRUE(IsInt(call("math.greatest", {L({D(5.4), I(10), U(3), D(-5.0), D(3.5)})}), 10));
  EXPECT_TRUE(IsDouble(call("math.greatest", {L({D(5.4), D(10.5), U(3)})}), 10.5));
  EXPECT_TRUE(IsErr(call("math.greatest", {L({})})));
  EXPECT_TRUE(IsErr(call("math.greatest", {L({I(1), S("x")})})));
  EXPECT_TRUE(IsErr(call("math.greatest", {S("x")})));
  EXPECT_TRUE(IsErr(call("math.greatest", {})));
}

TEST(Least, All) {
  EXPECT_TRUE(IsInt(call("math.least", {I(5), I(-7)}), -7));
  EXPECT_TRUE(IsInt(call("math.least", {I(INT64_MIN), I(1)}), INT64_MIN));
  EXPECT_TRUE(IsDouble(call("math.least", {D(5.4), I(10), U(3), D(-5.0), I(INT64_MAX)}), -5.0));
  EXPECT_TRUE(IsDouble(call("math.least", {D(1.5), D(-1.797693e308)}), -1.797693e308));
  EXPECT_TRUE(IsUint(call("math.least", {U(5), U(2)}), 2));
  EXPECT_TRUE(IsUint(call("math.least", {L({D(5.4), U(10), U(3), U(1), D(3.5)})}), 1));
  EXPECT_TRUE(IsInt(call("math.least", {I(1), I(1)}), 1));
}

TEST(Rounding, DoublesOnly) {
  EXPECT_TRUE(IsDouble(call("math.ceil", {D(-1.2)}), -1.0));
  EXPECT_TRUE(IsDouble(call("math.ceil", {D(1.2)}), 2.0));
  EXPECT_TRUE(IsDouble(call("math.floor", {D(-1.2)}), -2.0));
  EXPECT_TRUE(IsDouble(call("math.floor", {D(1.2)}), 1.0));
  EXPECT_TRUE(IsDouble(call("math.round", {D(-1.5)}), -2.0));
  EXPECT_TRUE(IsDouble(call("math.round", {D(-1.4)}), -1.0));
  EXPECT_TRUE(IsDouble(call("math.round", {D(1.5)}), 2.0));
  EXPECT_TRUE(IsDouble(call("math.round", {D(std::nan(""))}), std::nan("")));
  EXPECT_TRUE(IsDouble(call("math.trunc", {D(-1.2)}), -1.0));
  EXPECT_TRUE(IsDouble(call("math.trunc", {D(1.2)}), 1.0));
  for (const char* f : {"math.ceil", "math.floor", "math.round", "math.trunc"}) {
    EXPECT_TRUE(IsErr(call(f, {I(1)}))) << f;
  }
}

TEST(Abs, All) {
  EXPECT_TRUE(IsUint(call("math.abs", {U(1)}), 1));
  EXPECT_TRUE(IsInt(call("math.abs", {I(-11)}), 11));
  EXPECT_TRUE(IsInt(call("math.abs", {I(1)}), 1));
  EXPECT_TRUE(IsDouble(call("math.abs", {D(-11.5)}), 11.5));
  EXPECT_TRUE(IsErr(call("math.abs", {I(INT64_MIN)})));
  EXPECT_TRUE(IsErr(call("math.abs", {S("1")})));
}

TEST(Sign, All) {
  EXPECT_TRUE(IsUint(call("math.sign", {U(100)}), 1));
  EXPECT_TRUE(IsUint(call("math.sign", {U(0)}), 0));
  EXPECT_TRUE(IsInt(call("math.sign", {I(-11)}), -1));
  EXPECT_TRUE(IsInt(call("math.sign", {I(0)}), 0));
  EXPECT_TRUE(IsDouble(call("math.sign", {D(100.5)}), 1.0));
  EXPECT_TRUE(IsDouble(call("math.sign", {D(-32.0)}), -1.0));
  EXPECT_TRUE(IsDouble(call("math.sign", {D(0.0)}), 0.0));
  EXPECT_TRUE(IsErr(call("math.sign", {B(true)})));
}

TEST(Classify, All) {
  EXPECT_TRUE(IsBool(call("math.isNaN", {D(std::nan(""))}), true));
  EXPECT_TRUE(IsBool(call("math.isNaN", {D(kInf)}), false));
  EXPECT_TRUE(IsBool(call("math.isInf", {D(-kInf)}), true));
  EXPECT_TRUE(IsBool(call("math.isInf", {D(std::nan(""))}), false));
  EXPECT_TRUE(IsBool(call("math.isFinite", {D(1.0 / 1.5)}), true));
  EXPECT_TRUE(IsBool(call("math.isFinite", {D(std::nan(""))}), false));
  EXPECT_TRUE(IsErr(call("math.isNaN", {B(true)})));
  EXPECT_TRUE(IsErr(call("math.isInf", {I(1)})));
}

TEST(Bits, AndOrXorNot) {
  EXPECT_TRUE(IsInt(call("math.bitAnd", {I(1), I(2)}), 0));
  EXPECT_TRUE(IsInt(call("math.bitAnd", {I(1), I(-1)}), 1));
  EXPECT_TRUE(IsUint(call("math.bitAnd", {U(1), U(3)}), 1));
  EXPECT_TRUE(IsInt(call("math.bitOr", {I(4), I(-2)}), -2));
  EXPECT_TRUE(IsUint(call("math.bitOr", {U(1), U(4)}), 5));
  EXPECT_TRUE(IsInt(call("math.bitXor", {I(4), I(-2)}), -6));
  EXPECT_TRUE(IsUint(call("math.bitXor", {U(1), U(3)}), 2));
  EXPECT_TRUE(IsInt(call("math.bitNot", {I(1)}), -2));
  EXPECT_TRUE(IsUint(call("math.bitNot", {U(0)}), UINT64_MAX));
  EXPECT_TRUE(IsErr(call("math.bitAnd", {U(2), S("")})));
  EXPECT_TRUE(IsErr(call("math.bitOr", {D(1.2), I(1)})));
  EXPECT_TRUE(IsErr(call("math.bitAnd", {I(1), U(1)})));
  EXPECT_TRUE(IsErr(call("math.bitNot", {S("")})));
}

TEST(Bits, Shifts) {
  EXPECT_TRUE(IsInt(call("math.bitShiftLeft", {I(1), I(2)}), 4));
  EXPECT_TRUE(IsInt(call("math.bitShiftLeft", {I(1), I(200)}), 0));
  EXPECT_TRUE(IsInt(call("math.bitShiftLeft", {I(-1), I(200)}), 0));
  EXPECT_TRUE(IsUint(call("math.bitShiftLeft", {U(1), I(2)}), 4));
  EXPECT_TRUE(IsErr(call("math.bitShiftLeft", {U(1), I(-1)})));
  EXPECT_TRUE(IsInt(call("math.bitShiftRight", {I(1024), I(2)}), 256));
  EXPECT_TRUE(IsInt(call("math.bitShiftRight", {I(1024), I(64)}), 0));
  EXPECT_TRUE(IsInt(call("math.bitShiftRight", {I(-1024), I(3)}), 2305843009213693824));
  EXPECT_TRUE(IsUint(call("math.bitShiftRight", {U(1024), I(200)}), 0));
  EXPECT_TRUE(IsErr(call("math.bitShiftRight", {U(1), I(-1)})));
  EXPECT_TRUE(IsErr(call("math.bitShiftRight", {Value::bytes("123"), I(1)})));
  EXPECT_TRUE(IsErr(call("math.bitShiftLeft", {I(1), U(1)})));
}

TEST(Sqrt, All) {
  EXPECT_TRUE(IsDouble(call("math.sqrt", {I(49)}), 7.0));
  EXPECT_TRUE(IsDouble(call("math.sqrt", {U(4)}), 2.0));
  EXPECT_TRUE(IsDouble(call("math.sqrt", {D(2.25)}), 1.5));
  EXPECT_TRUE(IsDouble(call("math.sqrt", {I(-1)}), std::nan("")));
  EXPECT_TRUE(IsErr(call("math.sqrt", {S("4")})));
}

}  // namespace
}  // namespace sekimori::cel
