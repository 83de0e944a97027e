// Unknown strings with a shape (formats::Node::unknown_shape, cel::Value::unknown_string):
// what ==, !=, in, type(), startsWith, endsWith and contains decide from the known text,
// what stays unknown, and that a value computed from an unknown string never keeps its
// shape. The document below stands for a CloudFormation policy whose principal is
// `!Sub "arn:aws:iam::${AWS::AccountId}:root"`.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "cel/program.h"
#include "cel/value.h"
#include "formats/document.h"

namespace sekimori::cel {
namespace {

// Known pieces with a hole between each two.
std::string shape(std::initializer_list<std::string_view> pieces) {
  std::string s;
  size_t i = 0;
  for (std::string_view p : pieces) {
    if (i++ > 0) s.push_back(formats::Node::kShapeHole);
    s.append(p);
  }
  return s;
}

TEST(ShapeTest, MayEqualFillsHolesWithAnyRun) {
  std::string arn = shape({"arn:aws:iam::", ":root"});
  EXPECT_TRUE(shape_may_equal(arn, "arn:aws:iam::123456789012:root"));
  EXPECT_TRUE(shape_may_equal(arn, "arn:aws:iam:::root"));  // a hole may be empty
  EXPECT_FALSE(shape_may_equal(arn, "*"));
  EXPECT_FALSE(shape_may_equal(arn, "arn:aws:iam::1:root/x"));
  EXPECT_FALSE(shape_may_equal(arn, "arn:aws:iam::1:roo"));
  EXPECT_TRUE(shape_may_equal(shape({"", ""}), "*"));
  EXPECT_TRUE(shape_may_equal(shape({"a", "b", "c"}), "a-b-b-c"));  // the first b in a hole
  EXPECT_FALSE(shape_may_equal(shape({"a", "b", "c"}), "a-c-b"));
  EXPECT_TRUE(shape_may_equal("known", "known"));  // no hole: the text itself
  EXPECT_FALSE(shape_may_equal("known", "know"));
}

TEST(ShapeTest, WordHolesHoldOnlyWordCharacters) {
  const std::string acct(1, formats::Node::kShapeWordHole);  // an account ID, a region...
  const std::string arn = "arn:aws:iam::" + acct + ":root";
  EXPECT_TRUE(shape_may_equal(acct, "123456789012"));
  EXPECT_TRUE(shape_may_equal(acct, "eu-west-1"));
  EXPECT_TRUE(shape_may_equal(acct, ""));
  EXPECT_FALSE(shape_may_equal(acct, "*"));
  EXPECT_FALSE(shape_may_equal(acct, "a b"));
  EXPECT_TRUE(shape_may_equal(arn, "arn:aws:iam::123456789012:root"));
  EXPECT_FALSE(shape_may_equal(arn, "arn:aws:iam::*:root"));
  EXPECT_TRUE(shape_may_equal(shape({"a", ""}) + acct, "a*"));  // the any-hole takes it
  EXPECT_EQ(shape_contains(acct, "*"), false);
  EXPECT_EQ(shape_contains(arn, "*"), false);
  EXPECT_EQ(shape_contains(arn, "12"), std::nullopt);
  EXPECT_EQ(shape_contains("a*" + acct, "*"), true);
  EXPECT_EQ(shape_starts_with(acct + "-logs", "x"), std::nullopt);
  EXPECT_EQ(shape_ends_with(acct + "-logs", "-logs"), true);
}

TEST(ShapeTest, PrefixSuffixAndSubstring) {
  std::string arn = shape({"arn:aws:iam::", ":root"});
  EXPECT_EQ(shape_starts_with(arn, "arn:"), true);
  EXPECT_EQ(shape_starts_with(arn, "arn:aws-cn:"), false);
  EXPECT_EQ(shape_starts_with(arn, "arn:aws:iam::1"), std::nullopt);
  EXPECT_EQ(shape_starts_with(arn, "arn:aws:s3::1"), false);
  EXPECT_EQ(shape_ends_with(arn, ":root"), true);
  EXPECT_EQ(shape_ends_with(arn, "/admin"), false);
  EXPECT_EQ(shape_ends_with(arn, "1:root"), std::nullopt);
  EXPECT_EQ(shape_contains(arn, "iam"), true);
  EXPECT_EQ(shape_contains(arn, ""), true);
  EXPECT_EQ(shape_contains(arn, "*"), std::nullopt);  // the hole could hold it
  EXPECT_EQ(shape_contains(arn, "::1"), std::nullopt);
  EXPECT_EQ(shape_contains("known", "*"), false);
}

struct Case {
  const char* expr;
  const char* want;  // debug_string() of the result
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

class UnknownStringTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    formats::Builder b("policy.json", formats::Format::kJson, "");
    formats::Pos p{1, 1, 0};
    auto ok = [](const core::Status& s) { ASSERT_TRUE(s.ok()) << s.error().to_string(); };
    ok(b.begin_map(p));
    ok(b.add_string(p, "arn"));
    ok(b.add_unknown(p, shape({"arn:aws:iam::", ":root"})));
    ok(b.add_string(p, "any"));
    ok(b.add_unknown(p, shape({"", ""})));  // a string, nothing more known
    ok(b.add_string(p, "acct"));
    ok(b.add_unknown(p, std::string(1, formats::Node::kShapeWordHole)));  // !Ref AWS::AccountId
    ok(b.add_string(p, "plain"));
    ok(b.add_unknown(p));
    ok(b.add_string(p, "list"));
    ok(b.begin_list(p));
    ok(b.add_string(p, "a"));
    ok(b.add_unknown(p, shape({"arn:aws:iam::", ":root"})));
    ok(b.end_list());
    ok(b.add_string(p, "plist"));
    ok(b.begin_list(p));
    ok(b.add_string(p, "a"));
    ok(b.add_unknown(p));
    ok(b.end_list());
    ok(b.end_map());
    doc_ = new formats::Document(std::move(b).finish());
  }
  static void TearDownTestSuite() {
    delete doc_;
    doc_ = nullptr;
  }
  static formats::Document* doc_;
};
formats::Document* UnknownStringTest::doc_ = nullptr;

TEST_P(UnknownStringTest, Evaluates) {
  const Case& c = GetParam();
  CompileOptions options;
  options.variables = {"r"};
  auto program = Program::compile(c.expr, options);
  ASSERT_TRUE(program.ok()) << c.expr << ": " << program.error().to_string();
  Activation act;
  act.bind("r", Value::from_node(doc_->root()));
  Value got = program->evaluate(act);
  EXPECT_EQ(got.debug_string(), c.want) << c.expr;
  EXPECT_FALSE(got.is_shaped_unknown()) << c.expr;  // only a read of the node itself has a shape
}

const Case kCases[] = {
    // equality settled by the known text
    {"r.arn == '*'", "false"},
    {"'*' == r.arn", "false"},
    {"r.arn != '*'", "true"},
    {"!(r.arn == '*')", "true"},
    {"r.arn == 'arn:aws:iam::123456789012:root'", "unknown(r.arn)"},
    {"r.arn == 1", "false"},  // a string is never an int
    {"r.arn == r.arn", "unknown(r.arn)"},
    {"r.any == '*'", "unknown(r.any)"},
    {"r.plain == '*'", "unknown(r.plain)"},
    {"r.acct == '*'", "false"},
    {"r.acct == '123456789012'", "unknown(r.acct)"},
    {"r.acct.contains('*')", "false"},
    {"[r.acct].exists(p, p == '*')", "false"},
    // membership
    {"r.arn in ['*', 'x']", "false"},
    {"r.arn in ['*', 'arn:aws:iam::1:root']", "unknown(r.arn)"},
    {"r.arn in {'*': 1}", "false"},
    {"r.arn in {'arn:aws:iam::1:root': 1}", "unknown(r.arn)"},
    {"'*' in r.list", "false"},
    {"'a' in r.list", "true"},
    {"'arn:aws:iam::1:root' in r.list", "unknown()"},  // list items are not named
    {"'a' in r.plist", "true"},
    {"'*' in r.plist", "unknown()"},  // an unknown item could be '*'
    // lists and maps that hold unknowns compare as unknown unless an element settles it
    {"[r.arn] == ['*']", "false"},
    {"[r.arn] != ['*']", "true"},
    {"[r.arn] == ['arn:aws:iam::1:root']", "unknown(r.arn)"},
    {"r.plist == ['b', 'x']", "false"},
    {"r.plist == ['a', 'x']", "unknown()"},
    {"r.plist == ['a']", "false"},
    {"[['*']].exists(l, l == [r.arn])", "false"},
    // type and string tests
    {"type(r.arn) == string", "true"},
    {"type(r.any) == string", "true"},
    {"type(r.plain) == string", "unknown(r.plain)"},
    {"r.arn.startsWith('arn:aws:')", "true"},
    {"r.arn.startsWith('arn:aws-cn:')", "false"},
    {"r.arn.startsWith('arn:aws:iam::1')", "unknown(r.arn)"},
    {"r.arn.endsWith(':root')", "true"},
    {"r.arn.endsWith('/admin')", "false"},
    {"r.arn.contains('iam')", "true"},
    {"r.arn.contains('*')", "unknown(r.arn)"},
    {"'*'.contains(r.arn)", "unknown(r.arn)"},
    {"r.arn.size()", "unknown(r.arn)"},
    {"r.arn.matches('^arn:')", "unknown(r.arn)"},
    // a list literal keeps an unknown string as an element; other unknowns make it unknown
    {"[r.arn].exists(p, p == '*')", "false"},
    {"[r.arn].size()", "1"},
    {"[r.plain].size()", "unknown(r.plain)"},
    {"r.list.exists(p, p == '*')", "false"},
    {"r.plist.exists(p, p == '*')", "unknown()"},
    {"r.?arn.orValue('') == '*'", "false"},
    {"(true ? r.arn : 'x') == '*'", "false"},
    {"[r.arn][0] == '*'", "false"},
    // computed from an unknown string: another string, shape not kept
    {"(r.arn + 'x') == '*'", "unknown(r.arn)"},
    {"r.arn.lowerAscii() == '*'", "unknown(r.arn)"},
    {"{'k': r.arn}.k == '*'", "unknown(r.arn)"},
    {"r.arn.x == '*'", "unknown(r.arn)"},
    {"(r.arn ? 'a' : 'b') == 'a'", "unknown(r.arn)"},
    {"[r.arn].map(p, p + '*').exists(p, p == '*')", "unknown(r.arn)"},
    {"r.arn[0] == '*'", "unknown(r.arn)"},
    {"!r.arn", "unknown(r.arn)"},
    {"-r.arn", "unknown(r.arn)"},
    {"has(r.arn.x)", "unknown(r.arn)"},
    {"r.arn && true", "unknown(r.arn)"},
    {"{r.arn: 1}", "unknown(r.arn)"},
    {"[1].exists(i, r.arn)", "unknown(r.arn)"},
};
INSTANTIATE_TEST_SUITE_P(Shapes, UnknownStringTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace sekimori::cel
