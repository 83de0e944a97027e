// strings(): the string leaves of a value with their paths and nearest keys, JSON held in
// strings decoded, unknowns skipped, limits and the cost budget enforced.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cel/functions.h"
#include "cel/program.h"
#include "core/diagnostics.h"
#include "formats/document.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

struct Leaf {
  std::string path, key, value;
};

std::vector<Leaf> leaves(const Value& list) {
  std::vector<Leaf> out;
  if (list.kind() != Kind::kList) return out;
  for (size_t i = 0; i < list.list_size(); ++i) {
    Value e = list.list_at(i);
    auto get = [&](std::string_view k) {
      std::optional<Value> v = e.map_find(k);
      return v && v->kind() == Kind::kString ? std::string(v->as_string()) : std::string("<missing>");
    };
    out.push_back(Leaf{get("path"), get("key"), get("value")});
  }
  return out;
}

formats::Document yaml(std::string text) {
  core::Diagnostics d;
  auto doc = formats::load_yaml("t.yaml", std::move(text), formats::Limits{}, d);
  EXPECT_TRUE(doc.ok());
  return std::move(doc).value();
}

TEST(StringLeaves, PathsKeysAndValuesInDocumentOrder) {
  formats::Document doc = yaml(
      "Properties:\n"
      "  Name: orders\n"
      "  Port: 5432\n"
      "  Enabled: true\n"
      "  Tags:\n"
      "    - {Key: team, Value: payments}\n"
      "  Nested: {Password: hunter2hunter2}\n");
  Value r = method("strings", {Value::from_node(doc.root())});
  ASSERT_EQ(r.kind(), Kind::kList) << r.debug_string();
  std::vector<Leaf> l = leaves(r);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].path, "Properties.Name");
  EXPECT_EQ(l[0].key, "Name");
  EXPECT_EQ(l[0].value, "orders");
  EXPECT_EQ(l[1].path, "Properties.Tags[0].Key");
  EXPECT_EQ(l[1].value, "team");
  EXPECT_EQ(l[2].path, "Properties.Tags[0].Value");
  EXPECT_EQ(l[3].path, "Properties.Nested.Password");
  EXPECT_EQ(l[3].key, "Password");
  EXPECT_EQ(l[3].value, "hunter2hunter2");
}

TEST(StringLeaves, ValuesKeepTheirDocumentNode) {
  formats::Document doc = yaml("a:\n  b: secret-value\n");
  Value r = method("strings", {Value::from_node(doc.root())});
  ASSERT_EQ(r.list_size(), 1u);
  std::optional<Value> v = r.list_at(0).map_find("value");
  ASSERT_TRUE(v.has_value());
  ASSERT_NE(v->node(), nullptr);
  EXPECT_EQ(v->node()->pos().line, 2u);
}

TEST(StringLeaves, ListItemsInheritTheKeyOfTheirList) {
  Value list = Value::list({Value::string("x"), Value::list({Value::string("y")})});
  Value m = Value::map({{Value::string("Secrets"), list}});
  std::vector<Leaf> l = leaves(method("strings", {m}));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].path, "Secrets[0]");
  EXPECT_EQ(l[0].key, "Secrets");
  EXPECT_EQ(l[1].path, "Secrets[1][0]");
  EXPECT_EQ(l[1].key, "Secrets");
}

TEST(StringLeaves, JsonHeldInAStringIsWalked) {
  // AWS Config: supplementaryConfiguration values are JSON strings, sometimes twice.
  formats::Document doc = yaml(
      "supplementaryConfiguration:\n"
      "  Settings: '{\"db\": {\"password\": \"p4ssw0rd-123\"}, \"n\": [1, \"two\"]}'\n"
      "  Twice: '\"{\\\"token\\\": \\\"abc\\\"}\"'\n"
      "  NotJson: '{not json}'\n");
  std::vector<Leaf> l = leaves(method("strings", {Value::from_node(doc.root())}));
  ASSERT_EQ(l.size(), 4u) << (l.empty() ? "" : l[0].path);
  EXPECT_EQ(l[0].path, "supplementaryConfiguration.Settings.db.password");
  EXPECT_EQ(l[0].key, "password");
  EXPECT_EQ(l[0].value, "p4ssw0rd-123");
  EXPECT_EQ(l[1].path, "supplementaryConfiguration.Settings.n[1]");
  EXPECT_EQ(l[1].key, "n");
  // Double-encoded (a JSON string holding JSON) is decoded twice.
  EXPECT_EQ(l[2].path, "supplementaryConfiguration.Twice.token");
  EXPECT_EQ(l[2].value, "abc");
  // Text that only looks like JSON stays as written.
  EXPECT_EQ(l[3].path, "supplementaryConfiguration.NotJson");
  EXPECT_EQ(l[3].value, "{not json}");
}

// A leaf decoded from JSON held in a string is located at that string (findings point
// there: docs/formats/rules.md).
TEST(StringLeaves, DecodedValuesKeepTheNodeOfTheirString) {
  formats::Document doc = yaml("a: x\nconfiguration: '{\"db\": {\"password\": \"p4ssw0rd-123\"}}'\n");
  Value r = method("strings", {Value::from_node(doc.root())});
  ASSERT_EQ(r.list_size(), 2u);
  std::optional<Value> v = r.list_at(1).map_find("value");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->as_string(), "p4ssw0rd-123");
  ASSERT_NE(v->node(), nullptr);
  EXPECT_EQ(v->node(), doc.root().find("configuration"));
  EXPECT_EQ(v->node()->pos().line, 2u);
}

TEST(StringLeaves, QuotedStringsThatHoldNoJsonStayAsWritten) {
  Value m = Value::map({{Value::string("a"), Value::string("\"quoted\"")}});
  std::vector<Leaf> l = leaves(method("strings", {m}));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].value, "\"quoted\"");
}

TEST(StringLeaves, DecodingStopsAfterFourLevels) {
  // Five encodings: the innermost JSON is left as a string.
  std::string v = "{\"k\": \"v\"}";
  for (int i = 0; i < 5; ++i) {
    std::string q = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    v = q + "\"";
  }
  Value m = Value::map({{Value::string("a"), Value::string(v)}});
  std::vector<Leaf> l = leaves(method("strings", {m}));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].path, "a");
  EXPECT_NE(l[0].value.find("\\"), std::string::npos);
}

TEST(StringLeaves, NonContainersAndScalars) {
  EXPECT_EQ(leaves(method("strings", {Value::string("plain")})).size(), 1u);
  EXPECT_EQ(leaves(method("strings", {Value::string("plain")}))[0].path, "");
  EXPECT_TRUE(IsErr(method("strings", {Value::integer(1)})));
  EXPECT_TRUE(IsErr(method("strings", {Value::null()})));
  EXPECT_EQ(method("strings", {Value::map({})}).list_size(), 0u);
}

TEST(StringLeaves, UnknownValuesAreNotLiterals) {
  formats::Builder b("t.json", formats::Format::kJson, std::string(), formats::Limits{});
  ASSERT_TRUE(b.begin_map({}).ok());
  ASSERT_TRUE(b.add_string({}, "password").ok());
  ASSERT_TRUE(b.add_unknown({}).ok());
  ASSERT_TRUE(b.add_string({}, "user").ok());
  ASSERT_TRUE(b.add_string({}, "admin").ok());
  ASSERT_TRUE(b.end_map().ok());
  formats::Document doc = std::move(b).finish();
  std::vector<Leaf> l = leaves(method("strings", {Value::from_node(doc.root())}));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].key, "user");
}

TEST(StringLeaves, LimitsAreErrorsNotTruncation) {
  // More than 20,000 string leaves.
  std::vector<Value> many(20001, Value::string("x"));
  EXPECT_TRUE(IsErr(method("strings", {Value::list(many)})));
  many.resize(20000);
  EXPECT_EQ(method("strings", {Value::list(many)}).list_size(), 20000u);
  // Deeper than 64 levels.
  Value deep = Value::string("x");
  for (int i = 0; i < 70; ++i) deep = Value::list({deep});
  EXPECT_TRUE(IsErr(method("strings", {deep})));
  Value ok = Value::string("x");
  for (int i = 0; i < 60; ++i) ok = Value::list({ok});
  EXPECT_EQ(method("strings", {ok}).list_size(), 1u);
}

TEST(StringLeaves, ChargesTheCostBudget) {
  std::vector<Value> many(100, Value::string(std::string(100, 'a')));
  TestContext small(1000);
  EXPECT_TRUE(IsErr(method("strings", {Value::list(many)}, small)));
  TestContext large(1000000);
  EXPECT_EQ(method("strings", {Value::list(many)}, large).list_size(), 100u);
}

TEST(StringLeaves, UsableFromARule) {
  formats::Document doc = yaml(
      "Properties:\n"
      "  MasterUsername: admin\n"
      "  MasterUserPassword: Sup3rS3cret!\n");
  auto prog = Program::compile(
      "input.strings().exists(s, s.key.lowerAscii().contains('password') && "
      "!s.value.startsWith('{{resolve:'))",
      {.variables = {"input"}});
  ASSERT_TRUE(prog.ok()) << prog.error().message;
  Activation act;
  act.bind("input", Value::from_node(doc.root(), "input"));
  EXPECT_TRUE(IsBool(prog->evaluate(act), true));
}

}  // namespace
}  // namespace sekimori::cel
