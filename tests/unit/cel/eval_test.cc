// Evaluator cases derived from google/cel-spec langdef.md: every operator, macro,
// error and absorption rule, overflow, unknowns, and evaluation over loaded documents.
// Each row is one test: an expression and the expected result, written as the value's
// debug_string(), "error" (any error), "error:TEXT" (an error whose message contains
// TEXT) or "compile:CODE" (compilation fails with CODE).
#include <gtest/gtest.h>

#include "cel/program.h"
#include "formats/document.h"

namespace sekimori::cel {
namespace {

struct Case {
  const char* expr;
  const char* want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.expr; }

const char* kInput = R"({
  "name": "acme-logs",
  "port": 22,
  "ratio": 0.5,
  "big": 18446744073709551615,
  "tags": {"env": "prod", "owner": "sec"},
  "ports": [22, 80, 443],
  "rules": [{"from": 22, "cidr": "0.0.0.0/0"}, {"from": 443, "cidr": "10.0.0.0/8"}],
  "empty": [],
  "nothing": null,
  "versioning": {"enabled": false},
  "nested": {"a": {"b": {"c": "deep"}}}
})";

class EvalTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    core::Diagnostics diags;
    auto d = formats::load_json("input.json", kInput, {}, diags);
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    doc_ = new formats::Document(std::move(d).value());
  }
  static void TearDownTestSuite() {
    delete doc_;
    doc_ = nullptr;
  }
  static formats::Document* doc_;
};
formats::Document* EvalTest::doc_ = nullptr;

TEST_P(EvalTest, Evaluates) {
  const Case& c = GetParam();
  CompileOptions options;
  options.variables = {"input", "x", "now"};
  auto program = Program::compile(c.expr, options);
  std::string want = c.want;
  if (want.rfind("compile:", 0) == 0) {
    ASSERT_FALSE(program.ok()) << c.expr;
    EXPECT_EQ(program.error().code, want.substr(8)) << program.error().to_string();
    return;
  }
  ASSERT_TRUE(program.ok()) << c.expr << ": " << program.error().to_string();
  Activation act;
  act.bind("input", Value::from_node(doc_->root()));
  act.bind("x", Value::integer(7));
  Timestamp now{1735689600, 0};  // 2025-01-01T00:00:00Z
  act.set_now(now);
  act.bind("now", Value::timestamp(now));
  act.add_unknown("input.unknowable");
  act.add_unknown("input.rules.*.hidden");
  Value got = program->evaluate(act);
  if (want == "error") {
    EXPECT_TRUE(got.is_error()) << c.expr << " gave " << got.debug_string();
  } else if (want.rfind("error:", 0) == 0) {
    ASSERT_TRUE(got.is_error()) << c.expr << " gave " << got.debug_string();
    EXPECT_NE(got.error_message().find(want.substr(6)), std::string::npos)
        << c.expr << ": " << got.error_message();
  } else {
    EXPECT_EQ(got.debug_string(), want) << c.expr;
  }
}

const Case kLiterals[] = {
    {"0", "0"},
    {"-1", "-1"},
    {"42u", "42u"},
    {"1.5", "1.5"},
    {"1e3", "1000.0"},
    {"'a'", "\"a\""},
    {"\"a\\nb\"", "\"a\\nb\""},
    {"b'ab'", "b\"ab\""},
    {"true", "true"},
    {"null", "null"},
    {"[]", "[]"},
    {"{}", "{}"},
    {"[1, 'a', true]", "[1, \"a\", true]"},
    {"{'a': 1, 2: 'b'}", "{\"a\": 1, 2: \"b\"}"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"18446744073709551615u", "18446744073709551615u"},
    {"0x10", "16"},
};
INSTANTIATE_TEST_SUITE_P(Literals, EvalTest, ::testing::ValuesIn(kLiterals));

const Case kArithmetic[] = {
    {"1 + 2", "3"},
    {"2 - 5", "-3"},
    {"3 * 4", "12"},
    {"7 / 2", "3"},
    {"-7 / 2", "-3"},
    {"7 % 3", "1"},
    {"-7 % 3", "-1"},
    {"1u + 2u", "3u"},
    {"5u - 3u", "2u"},
    {"7u / 2u", "3u"},
    {"7u % 4u", "3u"},
    {"1.5 + 1.0", "2.5"},
    {"1.0 / 0.0", "Infinity"},
    {"-1.0 / 0.0", "-Infinity"},
    {"2.0 * 3.5", "7.0"},
    {"9223372036854775807 + 1", "error:overflow"},
    {"-9223372036854775808 - 1", "error:overflow"},
    {"9223372036854775807 * 2", "error:overflow"},
    {"-9223372036854775808 / -1", "error:overflow"},
    {"-9223372036854775808 % -1", "error:overflow"},
    {"-(-9223372036854775808)", "error:overflow"},
    {"0u - 1u", "error:overflow"},
    {"18446744073709551615u + 1u", "error:overflow"},
    {"18446744073709551615u * 2u", "error:overflow"},
    {"1 / 0", "error:divide by zero"},
    {"1 % 0", "error:modulus by zero"},
    {"1u / 0u", "error:divide by zero"},
    {"1u % 0u", "error:modulus by zero"},
    {"1 + 1u", "error:no matching overload"},
    {"1 + 1.0", "error:no matching overload"},
    {"1.5 % 1.0", "error:no matching overload"},
    {"'a' + 'b'", "\"ab\""},
    {"b'a' + b'b'", "b\"ab\""},
    {"[1] + [2, 3]", "[1, 2, 3]"},
    {"[] + []", "[]"},
    {"'a' + 1", "error:no matching overload"},
    {"-x", "-7"},
    {"--x", "7"},
    {"-'a'", "error:no matching overload"},
    {"-1.5", "-1.5"},
    {"x * x - 1", "48"},
    {"(1 + 2) * 3", "9"},
    {"1 + 2 * 3", "7"},
    {"10 - 2 - 3", "5"},
    {"100 / 10 / 5", "2"},
};
INSTANTIATE_TEST_SUITE_P(Arithmetic, EvalTest, ::testing::ValuesIn(kArithmetic));

const Case kComparison[] = {
    {"1 == 1", "true"},
    {"1 == 1u", "true"},
    {"1 == 1.0", "true"},
    {"1u == 1.0", "true"},
    {"1 == 2", "false"},
    {"1 != 2", "true"},
    {"'a' == 'a'", "true"},
    {"'a' == 1", "false"},
    {"null == null", "true"},
    {"null == 0", "false"},
    {"[1, 2] == [1, 2]", "true"},
    {"[1, 2] == [1.0, 2u]", "true"},
    {"[1, 2] == [2, 1]", "false"},
    {"{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", "true"},
    {"{'a': 1} == {'a': 2}", "false"},
    {"{1: 'x'} == {1u: 'x'}", "true"},
    {"0.0 / 0.0 == 0.0 / 0.0", "false"},
    {"0.0 / 0.0 != 0.0 / 0.0", "true"},
    {"1 < 2", "true"},
    {"2 <= 2", "true"},
    {"3 > 2", "true"},
    {"2 >= 3", "false"},
    {"1 < 1.5", "true"},
    {"2u > 1", "true"},
    {"-1 < 0u", "true"},
    {"9223372036854775807 < 9223372036854775808.0", "false"},  // compared as doubles, as cel-spec does
    {"9223372036854775807 < 1e19", "true"},
    {"-9223372036854775808 > -1e19", "true"},
    {"18446744073709551615u > 1.0", "true"},
    {"'a' < 'b'", "true"},
    {"'abc' < 'abd'", "true"},
    {"'' < 'a'", "true"},
    {"b'a' < b'b'", "true"},
    {"false < true", "true"},
    {"0.0 / 0.0 < 1.0", "false"},
    {"1.0 > 0.0 / 0.0", "false"},
    {"[1] < [2]", "error:no matching overload"},
    {"'a' < 1", "error:no matching overload"},
    {"null < null", "error:no matching overload"},
    {"type(1) == int", "true"},
    {"type(1u) == uint", "true"},
    {"type('a') == string", "true"},
    {"type(null) == null_type", "true"},
    {"type([]) == list", "true"},
    {"type({}) == map", "true"},
    {"type(int) == type", "true"},
    {"type(1) == type(2)", "true"},
    {"type(1) == double", "false"},
};
INSTANTIATE_TEST_SUITE_P(Comparison, EvalTest, ::testing::ValuesIn(kComparison));

const Case kLogic[] = {
    {"true && true", "true"},
    {"true && false", "false"},
    {"false || true", "true"},
    {"false || false", "false"},
    {"!true", "false"},
    {"!!true", "true"},
    {"!1", "error:no matching overload"},
    // Errors are absorbed when the other side decides, in either order (commutative).
    {"false && 1 / 0 == 1", "false"},
    {"1 / 0 == 1 && false", "false"},
    {"true || 1 / 0 == 1", "true"},
    {"1 / 0 == 1 || true", "true"},
    {"true && 1 / 0 == 1", "error:divide by zero"},
    {"1 / 0 == 1 && true", "error:divide by zero"},
    {"false || 1 / 0 == 1", "error:divide by zero"},
    {"1 / 0 == 1 || 1 % 0 == 1", "error:divide by zero"},
    {"false && 'a'", "false"},
    {"'a' && false", "false"},
    {"true && 'a'", "error:no matching overload"},
    {"'a' || true", "true"},
    {"true ? 1 : 2", "1"},
    {"false ? 1 : 2", "2"},
    {"true ? 1 : 1 / 0", "1"},
    {"false ? 1 / 0 : 2", "2"},
    {"1 ? 2 : 3", "error:no matching overload"},
    {"1 / 0 == 1 ? 2 : 3", "error:divide by zero"},
    {"false ? 1 : false ? 2 : 3", "3"},  // right-associative
    {"true ? (false ? 1 : 2) : 3", "2"},
    {"x > 5 && x < 10", "true"},
    {"x > 5 && x < 6 || x == 7", "true"},
};
INSTANTIATE_TEST_SUITE_P(Logic, EvalTest, ::testing::ValuesIn(kLogic));

const Case kMembership[] = {
    {"1 in [1, 2]", "true"},
    {"3 in [1, 2]", "false"},
    {"1u in [1, 2]", "true"},
    {"'a' in ['a']", "true"},
    {"'a' in {'a': 1}", "true"},
    {"'b' in {'a': 1}", "false"},
    {"1 in {1u: 'x'}", "true"},
    {"2.0 in {2: 'x'}", "true"},
    {"[1] in [[1], [2]]", "true"},
    {"1 in 1", "error:no matching overload"},
    {"[1, 2, 3][1]", "2"},
    {"[1, 2, 3][1u]", "2"},
    {"[1, 2, 3][3]", "error:index out of range"},
    {"[1, 2, 3][-1]", "error:index out of range"},
    {"[1, 2, 3]['a']", "error:no matching overload"},
    {"{'a': 1}['a']", "1"},
    {"{'a': 1}['b']", "error:no such key"},
    {"{'a': 1}.a", "1"},
    {"{'a': 1}.b", "error:no such key"},
    {"{1: 'one'}[1u]", "\"one\""},
    {"{1: 'one'}[1.0]", "\"one\""},
    {"{true: 1}[true]", "1"},
    {"{[1]: 2}", "error:unsupported key type"},
    {"{1.5: 2}", "error:unsupported key type"},
    {"{'a': 1, 'a': 2}", "error:repeated key"},
    {"{1: 1, 1u: 2}", "error:repeated key"},
    // Constant map literals are built once, at compile time; evaluated many times they
    // give the same map, and one that cannot be built still fails every time.
    {"[1, 2].map(i, {'x': 10, 'y': 20}['x'] + i)", "[11, 12]"},
    {"[1, 2].map(i, {'a': 1, 'a': 2})", "error:repeated key"},
    {"[1, 2].map(i, {'k': i}['k'])", "[1, 2]"},
    {"'abc'.a", "error:does not support field selection"},
    {"has({'a': 1}.a)", "true"},
    {"has({'a': 1}.b)", "false"},
    {"has({'a': {'b': 1}}.a.b)", "true"},
    {"has(input.tags.env)", "true"},
    {"has(input.tags.missing)", "false"},
    {"has(input.missing.deeper)", "error:no such key"},
    {"has(input.port.x)", "error"},
};
INSTANTIATE_TEST_SUITE_P(Membership, EvalTest, ::testing::ValuesIn(kMembership));

const Case kMacros[] = {
    {"[1, 2, 3].all(i, i > 0)", "true"},
    {"[1, 2, 3].all(i, i > 1)", "false"},
    {"[].all(i, i > 0)", "true"},
    {"[1, 2, 3].exists(i, i > 2)", "true"},
    {"[1, 2, 3].exists(i, i > 3)", "false"},
    {"[].exists(i, true)", "false"},
    {"[1, 2, 3].exists_one(i, i > 2)", "true"},
    {"[1, 2, 3].exists_one(i, i > 1)", "false"},
    {"[1, 2, 3].map(i, i * 2)", "[2, 4, 6]"},
    {"[1, 2, 3].map(i, i > 1, i * 10)", "[20, 30]"},
    {"[1, 2, 3].filter(i, i % 2 == 1)", "[1, 3]"},
    {"{'a': 1, 'b': 2}.all(k, k.size() == 1)", "true"},
    {"{'a': 1, 'b': 2}.exists(k, k == 'b')", "true"},
    {"{'a': 1, 'b': 2}.map(k, k)", "[\"a\", \"b\"]"},
    {"{'a': 1, 'b': 2}.filter(k, k == 'a')", "[\"a\"]"},
    // Errors inside all/exists are absorbed when another element decides.
    {"[0, 1].exists(i, 1 / i == 1)", "true"},
    {"[1, 0].exists(i, 1 / i == 1)", "true"},
    {"[0, 2].exists(i, 1 / i == 1)", "error:divide by zero"},
    {"[0, 1].all(i, 1 / i == 5)", "false"},
    {"[1, 0].all(i, 1 / i == 1)", "error:divide by zero"},
    {"[1, 2].map(i, 1 / (i - 1))", "error:divide by zero"},
    {"x.all(i, true)", "error:no matching overload"},
    {"[1].exists(i, i)", "error:no matching overload"},
    {"[1].all(i, 'a')", "error:no matching overload"},
    {"[1, 2].exists(i, @result)", "compile:cel.parse"},
    {"[[1, 2], [3]].map(l, l.map(i, i + 1))", "[[2, 3], [4]]"},
    {"[1, 2].exists(i, [3, 4].exists(j, i + j == 6))", "true"},
    {"[1, 2].all(i, [1, 2].exists(j, j == i))", "true"},
    {"[1, 2, 3].all(x, x > 0)", "true"},  // the iteration variable shadows 'x'
    {"[1].map(x, x)[0] + x", "8"},         // and the shadow ends with the macro
    {"cel.bind(y, 10, y * y)", "100"},
    {"cel.bind(y, [1, 2], y.map(i, i + y.size()))", "[3, 4]"},
    {"[1, 2, 3].all(i, v, v > i)", "true"},
    {"[5, 6].exists(i, v, i == 1 && v == 6)", "true"},
    {"{'a': 1}.all(k, v, k == 'a' && v == 1)", "true"},
    {"input.ports.exists(p, p == 22)", "true"},
    {"input.ports.all(p, p < 1024)", "true"},
    {"input.rules.exists(r, r.cidr == '0.0.0.0/0' && r.from == 22)", "true"},
    {"input.rules.filter(r, r.from > 100).map(r, r.cidr)", "[\"10.0.0.0/8\"]"},
    {"input.empty.all(e, false)", "true"},
    {"input.tags.exists(k, input.tags[k] == 'sec')", "true"},
};
INSTANTIATE_TEST_SUITE_P(Macros, EvalTest, ::testing::ValuesIn(kMacros));

const Case kDocuments[] = {
    {"input.name", "\"acme-logs\""},
    {"input.port == 22", "true"},
    {"input.port == 22.0", "true"},
    {"input.port > 21u", "true"},
    {"input.ratio < 1", "true"},
    {"input.big", "18446744073709551615u"},
    {"input.tags.env", "\"prod\""},
    {"input.tags['owner']", "\"sec\""},
    {"input.nested.a.b.c", "\"deep\""},
    {"input.nested.a.b.c == 'deep'", "true"},
    {"input.versioning.enabled == true", "false"},
    {"!input.versioning.enabled", "true"},
    {"input.nothing == null", "true"},
    {"input.ports[1]", "80"},
    {"input.rules[0].from", "22"},
    {"size(input.ports)", "3"},
    {"input.missing", "error:no such key: 'missing'"},
    {"input.missing == 1 || true", "true"},
    {"input.name.startsWith('acme')", "true"},
    {"input.name.matches('^acme-[a-z]+$')", "true"},
    {"'env' in input.tags", "true"},
    {"443 in input.ports", "true"},
    {"input.tags == {'env': 'prod', 'owner': 'sec'}", "true"},
    {"input.ports == [22, 80, 443]", "true"},
    {"input.ports + [8080]", "[22, 80, 443, 8080]"},
    {"type(input.tags) == map", "true"},
    {"input.nested.a.?b.c.orValue('none')", "\"deep\""},
    {"input.nested.a.?z.c.orValue('none')", "\"none\""},
    {"input.tags[?'nope'].hasValue()", "false"},
    {"now", "timestamp(\"2025-01-01T00:00:00Z\")"},
    {"now > timestamp('2024-06-01T00:00:00Z')", "true"},
};
INSTANTIATE_TEST_SUITE_P(Documents, EvalTest, ::testing::ValuesIn(kDocuments));

const Case kUnknowns[] = {
    {"input.unknowable", "unknown(input.unknowable)"},
    {"input.unknowable.deeper == 1", "unknown(input.unknowable)"},
    {"input.unknowable == 1", "unknown(input.unknowable)"},
    {"input.unknowable == 1 && false", "false"},
    {"false && input.unknowable == 1", "false"},
    {"input.unknowable == 1 || true", "true"},
    {"input.unknowable == 1 && true", "unknown(input.unknowable)"},
    {"input.unknowable == 1 && 1 / 0 == 1", "unknown(input.unknowable)"},
    {"1 / 0 == 1 || input.unknowable == 1", "unknown(input.unknowable)"},
    {"input['unknowable'] + 1", "unknown(input.unknowable)"},
    {"size(input.unknowable)", "unknown(input.unknowable)"},
    {"input.unknowable ? 1 : 2", "unknown(input.unknowable)"},
    {"[input.unknowable].size()", "unknown(input.unknowable)"},
    {"input.rules[0].hidden", "unknown(input.rules.0.hidden)"},
    {"input.rules[0].from", "22"},
    {"!input.unknowable", "unknown(input.unknowable)"},
    {"input.unknowable.exists(i, i > 1)", "unknown(input.unknowable)"},
    {"[0, 1].exists(i, 1 / i == 5 || input.unknowable == i)", "unknown(input.unknowable)"},
    {"[1, 2].exists(i, i == 2 || input.unknowable == i)", "true"},
    {"[1, 2].all(i, i == 3 && input.unknowable == i)", "false"},
    {"[1, 2].all(i, input.unknowable == i)", "unknown(input.unknowable)"},
};
INSTANTIATE_TEST_SUITE_P(Unknowns, EvalTest, ::testing::ValuesIn(kUnknowns));

const Case kCompileErrors[] = {
    {"1 +", "compile:cel.parse"},
    {"nosuchfunction(1)", "compile:cel.unknown_function"},
    {"'a'.nosuchmethod()", "compile:cel.unknown_function"},
    {"'a'.matches('(')", "compile:cel.regex"},
    {"Msg{a: 1}", "compile:cel.unsupported"},
    {"undeclared_variable", "error:undeclared reference to 'undeclared_variable'"},
    {"undeclared_variable || true", "true"},
};
INSTANTIATE_TEST_SUITE_P(CompileErrors, EvalTest, ::testing::ValuesIn(kCompileErrors));

const Case kTime[] = {
    {"timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == duration('24h')", "true"},
    {"timestamp('2024-01-01T00:00:00Z') + duration('1h')", "timestamp(\"2024-01-01T01:00:00Z\")"},
    {"duration('1h') + timestamp('2024-01-01T00:00:00Z')", "timestamp(\"2024-01-01T01:00:00Z\")"},
    {"timestamp('2024-01-01T00:00:00Z') - duration('1s')", "timestamp(\"2023-12-31T23:59:59Z\")"},
    {"duration('1h') + duration('30m')", "duration(\"5400s\")"},
    {"duration('1h') - duration('30m')", "duration(\"1800s\")"},
    {"-duration('1h')", "duration(\"-3600s\")"},
    {"duration('1h') < duration('2h')", "true"},
    {"timestamp('2024-01-01T00:00:00Z') < timestamp('2024-01-02T00:00:00Z')", "true"},
    {"timestamp('9999-12-31T23:59:59Z') + duration('1s')", "error"},
    {"timestamp('2024-01-01T00:00:00Z') + 1", "error:no matching overload"},
    {"now - duration('24h') < now", "true"},
};
INSTANTIATE_TEST_SUITE_P(Time, EvalTest, ::testing::ValuesIn(kTime));

// --- behaviour beyond single expressions ---

TEST(ProgramTest, CostBudgetStopsHugeComprehensions) {
  auto program = Program::compile("[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, "
                                  "[1,2,3,4,5,6,7,8,9,10].map(c, a * b * c)))");
  ASSERT_TRUE(program.ok());
  Activation act;
  EvalOptions small;
  small.cost_budget = 100;
  Value v = program->evaluate(act, small);
  ASSERT_TRUE(v.is_error());
  EXPECT_NE(v.error_message().find("cost budget"), std::string::npos);
  EXPECT_FALSE(program->evaluate(act).is_error());  // the default budget suffices
}

TEST(ProgramTest, ProgramIsReusableAcrossActivations) {
  CompileOptions options;
  options.variables = {"x"};
  auto program = Program::compile("x * 2", options);
  ASSERT_TRUE(program.ok());
  for (int i = 0; i < 5; ++i) {
    Activation act;
    act.bind("x", Value::integer(i));
    EXPECT_EQ(program->evaluate(act).as_int(), i * 2);
  }
}

// Constant regular expressions remember their results on short texts per thread; the
// results must be those of the match itself whatever was matched before: the same text
// under several expressions and programs, many texts (so that table slots are reused),
// texts at and over the remembered size, and programs destroyed and compiled again.
TEST(ProgramTest, ConstantRegexResultsDoNotDependOnWhatWasMatchedBefore) {
  CompileOptions options;
  options.variables = {"x"};
  auto digits = Program::compile("x.matches('^[0-9]+$')", options);
  auto has_a = Program::compile("x.matches('(?i)a')", options);
  ASSERT_TRUE(digits.ok());
  ASSERT_TRUE(has_a.ok());
  auto eval = [](const Program& p, const std::string& text) {
    Activation act;
    act.bind("x", Value::string(text));
    return p.evaluate(act).as_bool();
  };
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5000; ++i) {
      std::string n = std::to_string(i * 7919);
      EXPECT_TRUE(eval(*digits, n));
      EXPECT_FALSE(eval(*has_a, n));
      std::string w = "b" + n + (i % 2 == 0 ? "A" : "c");
      EXPECT_FALSE(eval(*digits, w));
      EXPECT_EQ(eval(*has_a, w), i % 2 == 0) << w;
    }
  }
  for (size_t len : {45, 46, 47, 100}) {
    std::string all_digits(len, '7');
    std::string last_differs = all_digits;
    last_differs.back() = 'a';
    EXPECT_TRUE(eval(*digits, all_digits));
    EXPECT_FALSE(eval(*digits, last_differs)) << len;
    EXPECT_TRUE(eval(*digits, all_digits));
    EXPECT_TRUE(eval(*has_a, last_differs));
  }
  auto empty = Program::compile("x.matches('^$')", options);
  ASSERT_TRUE(empty.ok());
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(eval(*empty, ""));
    EXPECT_FALSE(eval(*digits, ""));
    EXPECT_FALSE(eval(*empty, "x"));
  }
  // A new program whose step may sit where an old one was must not inherit its results.
  for (int i = 0; i < 20; ++i) {
    auto p = Program::compile(i % 2 == 0 ? "x.matches('^[0-9]+$')" : "x.matches('^[a-z]+$')", options);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(eval(*p, "12345"), i % 2 == 0);
    EXPECT_EQ(eval(*p, "abcde"), i % 2 == 1);
  }
}

TEST(ProgramTest, QualifiedVariableUsesLongestDeclaredPrefix) {
  CompileOptions options;
  options.variables = {"a.b", "a.b.c"};
  auto program = Program::compile("a.b.c", options);
  ASSERT_TRUE(program.ok());
  Activation act;
  act.bind("a.b", Value::make_map({{Value::string("c"), Value::string("short")}}));
  act.bind("a.b.c", Value::string("long"));
  EXPECT_EQ(program->evaluate(act).debug_string(), "\"long\"");
}

TEST(ProgramTest, UnknownDocumentNodeIsUnknown) {
  formats::Builder b("plan.json", formats::Format::kJson, "");
  ASSERT_TRUE(b.begin_map({1, 1, 0}).ok());
  ASSERT_TRUE(b.add_string({1, 2, 1}, "id").ok());
  ASSERT_TRUE(b.add_unknown({1, 8, 7}).ok());
  ASSERT_TRUE(b.end_map().ok());
  formats::Document doc = std::move(b).finish();
  CompileOptions options;
  options.variables = {"resource"};
  auto program = Program::compile("resource.id == 'x'", options);
  ASSERT_TRUE(program.ok());
  Activation act;
  act.bind("resource", Value::from_node(doc.root()));
  Value v = program->evaluate(act);
  ASSERT_TRUE(v.is_unknown()) << v.debug_string();
  EXPECT_EQ(v.unknown_attributes(), std::vector<std::string>{"resource.id"});
}

TEST(ProgramTest, ValuesFromDocumentsKnowTheirNode) {
  core::Diagnostics diags;
  auto doc = formats::load_json("x.json", "{\n  \"a\": {\"b\": true}\n}", {}, diags);
  ASSERT_TRUE(doc.ok());
  CompileOptions options;
  options.variables = {"input"};
  auto program = Program::compile("input.a.b", options);
  ASSERT_TRUE(program.ok());
  Activation act;
  act.bind("input", Value::from_node(doc->root()));
  Value v = program->evaluate(act);
  ASSERT_NE(v.node(), nullptr);
  core::Location loc = doc->location(*v.node());
  EXPECT_EQ(loc.line, 2u);
  EXPECT_EQ(loc.column, 14u);
}

TEST(ProgramTest, ParseErrorPointsAtColumn) {
  auto program = Program::compile("1 +");
  ASSERT_FALSE(program.ok());
  ASSERT_TRUE(program.error().location.has_value());
  EXPECT_EQ(program.error().location->line, 1u);
  EXPECT_EQ(program.error().location->column, 4u);
}

}  // namespace
}  // namespace sekimori::cel

namespace sekimori::cel {
namespace {

// The element that decided an exists/all is reported, the innermost one wins, and what
// was decided inside an element that did not decide the outer quantifier is forgotten.
TEST(ProgramTest, WitnessIsTheDecidingElement) {
  core::Diagnostics d;
  auto doc = formats::load_yaml("t.yaml",
                                "rules:\n"
                                "  - {port: 22, cidrs: [10.0.0.0/8]}\n"
                                "  - {port: 80, cidrs: [10.0.0.0/8, 0.0.0.0/0]}\n"
                                "  - {port: 22, cidrs: [0.0.0.0/0]}\n",
                                formats::Limits{}, d);
  ASSERT_TRUE(doc.ok());
  const formats::Node& rules = *doc->root().find("rules");
  CompileOptions options;
  options.variables = {"r"};
  Activation act;
  act.bind("r", Value::from_node(doc->root()));
  auto witness_of = [&](const std::string& expr, const std::string& want_result) -> const formats::Node* {
    auto program = Program::compile(expr, options);
    EXPECT_TRUE(program.ok()) << expr;
    if (!program.ok()) return nullptr;
    EXPECT_TRUE(program->has_quantifiers());
    Value w;
    Value result = program->evaluate_with_witness(act, &w);
    EXPECT_EQ(result.debug_string(), want_result) << expr;
    EXPECT_EQ(program->evaluate(act).debug_string(), want_result) << expr;
    return w.node();
  };
  // exists: the first rule whose predicate holds.
  EXPECT_EQ(witness_of("r.rules.exists(x, x.port == 22 && x.cidrs.exists(c, c == '0.0.0.0/0'))", "true"),
            &rules.items()[2].find("cidrs")->items()[0]);
  // Rule 1 has 0.0.0.0/0 but port 80: its inner decision is not the witness.
  EXPECT_EQ(witness_of("r.rules.exists(x, x.cidrs.exists(c, c == '0.0.0.0/0') && x.port == 22)", "true"),
            &rules.items()[2].find("cidrs")->items()[0]);
  // all: the first element that breaks it.
  EXPECT_EQ(witness_of("r.rules.all(x, x.port == 22)", "false"), &rules.items()[1]);
  // Nothing decided: no witness.
  EXPECT_EQ(witness_of("r.rules.all(x, x.port > 0)", "true"), nullptr);
  EXPECT_EQ(witness_of("r.rules.exists(x, x.port == 443)", "false"), nullptr);
  EXPECT_FALSE(Program::compile("r.rules.size() > 1", options)->has_quantifiers());
}

}  // namespace
}  // namespace sekimori::cel
