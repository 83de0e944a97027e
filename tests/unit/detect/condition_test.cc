#include <gtest/gtest.h>

#include "detect/condition.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::m;

TEST(Condition, ParsesPrecedenceAndOfForms) {
  auto c = parse_condition("a or b and not c");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, CondKind::kOr);
  ASSERT_EQ(c->children.size(), 2u);
  EXPECT_EQ(c->children[1].kind, CondKind::kAnd);
  EXPECT_EQ(c->children[1].children[1].kind, CondKind::kNot);

  auto q = parse_condition("1 of sel_* and all of them and any of f*");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->children[0].kind, CondKind::kOneOf);
  EXPECT_EQ(q->children[0].name, "sel_*");
  EXPECT_EQ(q->children[1].kind, CondKind::kAllOf);
  EXPECT_EQ(q->children[1].name, "them");
  EXPECT_EQ(q->children[2].kind, CondKind::kOneOf);

  EXPECT_TRUE(parse_condition("(a OR b) AND NOT (c)").ok());  // keywords are case-insensitive
}

TEST(Condition, ReportsErrorsWithColumn) {
  auto e = parse_condition("a and (b or");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "sigma.condition.syntax");
  ASSERT_TRUE(e.error().location.has_value());
  EXPECT_EQ(e.error().location->column, 12u);
  EXPECT_EQ(parse_condition("sel | count() > 5").error().code, "sigma.condition.aggregation");
  EXPECT_FALSE(parse_condition("2 of them").ok());
  EXPECT_FALSE(parse_condition("sel_*").ok());
  EXPECT_FALSE(parse_condition("a and").ok());
  EXPECT_FALSE(parse_condition("").ok());
  EXPECT_FALSE(parse_condition("a b").ok());
  EXPECT_FALSE(parse_condition("a $ b").ok());
}

TEST(Condition, LimitsDepthAndLength) {
  std::string deep(100, '(');
  deep += "a";
  deep += std::string(100, ')');
  EXPECT_EQ(parse_condition(deep).error().code, "sigma.limit.condition_depth");
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_EQ(parse_condition(nots + "a").error().code, "sigma.limit.condition_depth");
  ConditionLimits small;
  small.max_length = 10;
  EXPECT_EQ(parse_condition("aaaaa or bbbbb", small).error().code, "sigma.limit.condition_length");
}

TEST(Condition, NameMatches) {
  EXPECT_TRUE(name_matches("filter_*", "filter_main"));
  EXPECT_TRUE(name_matches("*", "x"));
  EXPECT_FALSE(name_matches("filter_*", "selection"));
  EXPECT_TRUE(name_matches("a*b*c", "aXXbYYc"));
}

const char* kEv = R"({"a":"1","b":"2","c":"3"})";

TEST(ConditionEval, BooleanForms) {
  const std::string sels = "  s1: {a: '1'}\n  s2: {b: '2'}\n  s3: {c: 'no'}\n";
  EXPECT_TRUE(m(sels + "  condition: s1 and s2 and not s3\n", kEv));
  EXPECT_FALSE(m(sels + "  condition: s1 and s3\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: s3 or s1\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: not (s3 or not s2) and s1\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: 1 of s*\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: any of them\n", kEv));
  EXPECT_FALSE(m(sels + "  condition: all of them\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: all of s1 and all of s2\n", kEv));
  EXPECT_FALSE(m(sels + "  condition: all of s*\n", kEv));
  EXPECT_TRUE(m(sels + "  condition: all of s* or s1\n", kEv));
  EXPECT_FALSE(m(sels + "  condition: not 1 of them\n", kEv));
  // a list of conditions is an OR (Sigma 1)
  EXPECT_TRUE(m(sels + "  condition:\n    - s3\n    - s2\n", kEv));
}

TEST(ConditionEval, UnknownSelectionAndEmptyPatternAreErrors) {
  using testing::error_code;
  using testing::rule_doc;
  EXPECT_EQ(error_code(rule_doc("  s1: {a: 1}\n  condition: s1 and s9\n")), "sigma.condition.unknown_selection");
  EXPECT_EQ(error_code(rule_doc("  s1: {a: 1}\n  condition: 1 of f*\n")), "sigma.condition.no_selection");
  auto c = testing::compile(rule_doc("  s1: {a: 1}\n  s2: {b: 1}\n  condition: s1\n"));
  EXPECT_TRUE(c->has_code("sigma.unused_selection"));
}

TEST(ConditionEval, ErrorColumnPointsIntoTheRuleFile) {
  auto c = testing::compile(testing::rule_doc("  s1: {a: 1}\n  condition: s1 and (\n"));
  ASSERT_TRUE(c->diags.has_errors());
  const core::Diagnostic& d = c->diags.items()[0];
  EXPECT_EQ(d.location.file, "t.yml");
  EXPECT_EQ(d.location.line, 9u);
  EXPECT_GT(d.location.column, 14u);
}

}  // namespace
}  // namespace sekimori::detect
