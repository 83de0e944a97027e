// Optional values: constructors and methods.
#include <gtest/gtest.h>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

TEST(Optional, OfAndNone) {
  EXPECT_TRUE(IsBool(method("hasValue", {call("optional.of", {Value::null()})}), true));
  EXPECT_TRUE(IsBool(method("hasValue", {call("optional.none", {})}), false));
  EXPECT_TRUE(IsInt(method("value", {call("optional.of", {I(42)})}), 42));
  EXPECT_TRUE(IsErr(method("value", {call("optional.none", {})})));
}

TEST(Optional, OfNonZeroValue) {
  for (const Value& zero : {Value::null(), I(0), U(0), D(0.0), S(""), Value::bytes(""), B(false),
                            L({}), Value::map({}), call("duration", {S("0s")}),
                            call("timestamp", {I(0)})}) {
    EXPECT_TRUE(IsBool(method("hasValue", {call("optional.ofNonZeroValue", {zero})}), false))
        << zero.debug_string();
  }
  for (const Value& v : {I(42), U(1), D(-0.5), S("x"), B(true), L({I(0)})}) {
    EXPECT_TRUE(IsBool(method("hasValue", {call("optional.ofNonZeroValue", {v})}), true))
        << v.debug_string();
  }
}

TEST(Optional, OrValueAndOr) {
  Value none = call("optional.none", {});
  Value some = call("optional.of", {I(42)});
  EXPECT_TRUE(IsInt(method("orValue", {none, I(7)}), 7));
  EXPECT_TRUE(IsInt(method("orValue", {some, I(7)}), 42));
  EXPECT_TRUE(IsInt(method("orValue", {method("or", {none, none}), I(42)}), 42));
  EXPECT_TRUE(IsInt(method("value", {method("or", {some, call("optional.of", {I(20)})})}), 42));
  EXPECT_TRUE(IsInt(method("value", {method("or", {none, call("optional.of", {I(20)})})}), 20));
  EXPECT_TRUE(IsErr(method("or", {none, I(1)})));
  EXPECT_TRUE(IsErr(method("orValue", {I(1), I(2)})));
  EXPECT_TRUE(IsErr(method("hasValue", {I(1)})));
}

TEST(Optional, Type) {
  EXPECT_EQ(call("type", {call("optional.none", {})}).type_name(), "optional_type");
}

}  // namespace
}  // namespace sekimori::cel
