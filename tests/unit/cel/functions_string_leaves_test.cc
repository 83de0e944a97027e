// strings(): the string leaves of a value with their paths and nearest keys, JSON held in
// strings decoded, unknowns skipped, limits and the cost budget enforced; credentials():
// the leaves that look like a hard-coded credential, checked against the same tests
// written in CEL over strings().
#include <gtest/gtest.h>

#include <array>
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

TEST(StringLeaves, PathsFromAListAndPastTenItems) {
  std::vector<Value> items(12, Value::map({{Value::string("a"), Value::string("v")}}));
  items[11] = Value::map({{Value::string(""), Value::map({{Value::string("b"), Value::string("w")}})}});
  std::vector<Leaf> l = leaves(method("strings", {Value::list(items)}));
  ASSERT_EQ(l.size(), 12u);
  EXPECT_EQ(l[0].path, "[0].a");
  EXPECT_EQ(l[10].path, "[10].a");
  EXPECT_EQ(l[11].path, "[11]..b");  // an empty key still takes its dot after an index
  Value root = Value::map({{Value::string(""), Value::map({{Value::string("c"), Value::string("x")}})}});
  std::vector<Leaf> r = leaves(method("strings", {root}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "c");  // an empty first key adds nothing
}

// The cost of a leaf includes its path's length: a budget that fits the values but not
// their paths fails.
TEST(StringLeaves, PathLengthsAreCharged) {
  std::string deep(200, 'k');
  Value v = Value::map({{Value::string(deep), Value::map({{Value::string(deep), Value::string("x")}})}});
  TestContext tight(300);
  EXPECT_TRUE(IsErr(method("credentials", {v}, tight)));
  TestContext roomy(1000);
  EXPECT_EQ(method("credentials", {v}, roomy).list_size(), 0u);
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

// --- credentials() ---

std::vector<std::string> kinds_of(const Value& list) {
  std::vector<std::string> out;
  for (size_t i = 0; list.kind() == Kind::kList && i < list.list_size(); ++i) {
    std::optional<Value> k = list.list_at(i).map_find("kind");
    out.push_back(k && k->kind() == Kind::kString ? std::string(k->as_string()) : "<missing>");
  }
  return out;
}

Value one(std::string_view key, std::string_view value) {
  return Value::map({{Value::string(std::string(key)), Value::string(std::string(value))}});
}

using Kinds = std::vector<std::string>;

TEST(Credentials, EachKindAndWhatIsNotOne) {
  auto kinds = [](std::string_view key, std::string_view value) {
    return kinds_of(method("credentials", {one(key, value)}));
  };
  EXPECT_EQ(kinds("Key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"), Kinds{"private_key"});
  EXPECT_EQ(kinds("Key", "-----BEGIN PRIVATE KEY-----"), Kinds{"private_key"});
  EXPECT_EQ(kinds("Key", "a PRIVATE KEY without a header"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "Sup3rS3cret!"), Kinds{"password"});
  EXPECT_EQ(kinds("api_key", "9f8e7d6c5b4a"), Kinds{"password"});
  EXPECT_EQ(kinds("MasterUserPassword", "short1!"), Kinds{});                      // under 8 bytes
  EXPECT_EQ(kinds("password_arn", "Sup3rS3cret!"), Kinds{});                       // a reference's name
  EXPECT_EQ(kinds("secret_kms_key_id", "Sup3rS3cret!"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "{{resolve:secretsmanager:db}}"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "arn:aws:secretsmanager:x"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "${var.password}"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "two words here"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "PASSWORD_FROM_ENV"), Kinds{});             // a placeholder word
  EXPECT_EQ(kinds("MasterUserPassword", "****************"), Kinds{});
  EXPECT_EQ(kinds("MasterUserPassword", "12345678901"), Kinds{});
  EXPECT_EQ(kinds("Description", "Sup3rS3cret!"), Kinds{});                         // not a secret's name
  EXPECT_EQ(kinds("Script", "#!/bin/sh\nexport DB_PASSWORD=hunter22\n"), Kinds{"embedded_password"});
  EXPECT_EQ(kinds("Script", "export DB_PASSWORD=hunter22"), Kinds{});              // one line
  EXPECT_EQ(kinds("Id", "AKIAIOSFODNN7EXAMPLE"), Kinds{"access_key_id"});
  EXPECT_EQ(kinds("Id", "XAKIAIOSFODNN7EXAMPLE"), Kinds{});
  EXPECT_EQ(kinds("Note", "secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), Kinds{"secret_access_key"});
  EXPECT_EQ(kinds("Secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), (Kinds{"password", "secret_access_key"}));
  EXPECT_EQ(kinds("Other", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), Kinds{});   // no "secret" anywhere
  EXPECT_EQ(kinds("Secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab"), Kinds{"password"});  // 42, not 40
}

TEST(Credentials, LeavesCarryPathKeyValueAndNode) {
  formats::Document doc = yaml(
      "Properties:\n"
      "  Name: orders\n"
      "  Users:\n"
      "    - {Name: app, Password: Sup3rS3cret!}\n");
  Value r = method("credentials", {Value::from_node(doc.root())});
  ASSERT_EQ(r.kind(), Kind::kList) << r.debug_string();
  std::vector<Leaf> l = leaves(r);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].path, "Properties.Users[0].Password");
  EXPECT_EQ(l[0].key, "Password");
  EXPECT_EQ(l[0].value, "Sup3rS3cret!");
  std::optional<Value> v = r.list_at(0).map_find("value");
  ASSERT_TRUE(v && v->node() != nullptr);
  EXPECT_EQ(v->node()->pos().line, 4u);
  // The same walk as strings(): its limits and errors too.
  EXPECT_TRUE(IsErr(method("credentials", {Value::integer(1)})));
  std::vector<Value> many(20001, Value::string("x"));
  EXPECT_TRUE(IsErr(method("credentials", {Value::list(many)})));
}

// credentials() replaced this CEL over strings() in SKM-AWS-CRED-001: both must say the
// same about every value.
TEST(Credentials, AgreesWithTheTestsWrittenInCel) {
  const char* kCel = R"(cel.bind(leaves, input.strings(),
    leaves.exists(s, cel.bind(v, s.value,
      (v.contains('PRIVATE KEY') &&
        v.matches(r'-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----')) ||
      (v.size() >= 8 &&
        s.key.matches(r'(?i)(passw(or)?d|passphrase|secret|token|api_?key|private_?key|credential)') &&
        !s.key.matches(r'(?i)(arn|name|id|ids|param|parameter|path|url|uri|file|ttl|length|header|type|version|region|expiry|expiration|enabled|endpoint|policy|rotation|duration|kms_?key|kms_?key_?id|key_?id|reference|ref|source|count|size|age|timeout|format|mode|required|rules)$') &&
        !v.contains('${') && !v.matches(r'\s') &&
        !v.matches(r'^([a-z]+|[A-Z][a-z]+|[A-Z][A-Z_]*)$') &&
        !v.matches(r'^(arn:|[{][{]resolve:|/|https?://|[*]+$|<[^>]*>$|(?i)(true|false)$|[0-9]+$)')) ||
      (v.contains('\n') &&
        v.matches(r'(?i)(^|[^a-z0-9])(password|passwd|pwd|secret_access_key|secret_key|api_key)[\x22\x27]?\s*[=:]\s*[\x22\x27]?[^\s\x22\x27$<{%]{4,}')))) ||
    (leaves.exists(s, s.value.matches(r'(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)')) &&
     leaves.exists(s, (s.key.matches(r'(?i)secret') || s.value.matches(r'(?i)secret')) &&
       s.value.matches(r'(^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+=]|$)')))))";
  const char* kNative = R"(cel.bind(found, input.credentials(),
    found.exists(s, s.kind in ['private_key', 'password', 'embedded_password']) ||
    (found.exists(s, s.kind == 'access_key_id') && found.exists(s, s.kind == 'secret_access_key'))))";
  auto by_cel = Program::compile(kCel, {.variables = {"input"}});
  auto native = Program::compile(kNative, {.variables = {"input"}});
  ASSERT_TRUE(by_cel.ok()) << by_cel.error().message;
  ASSERT_TRUE(native.ok()) << native.error().message;
  const std::vector<std::string> keys = {"Password", "db_passwd", "Secret", "SecretString", "token", "ApiKey",
                                         "password_arn", "KmsKeyId", "Name", "Value", "", "credential_source"};
  const std::vector<std::string> values = {
      "Sup3rS3cret!", "hunter2", "hunter22hunter22", "{{resolve:ssm:/x}}", "arn:aws:iam::1:role/x", "/path/x",
      "https://x.example", "<password>", "****", "TRUE", "12345678", "lowercase", "Capital", "ALL_CAPS_X",
      "has space1", "${aws:username}x", "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----",
      "line\npassword: 'abcd1234'", "line\npwd=$VAR", "line\nsecret_key = \"x1y2z3w4\"",
      "AKIAIOSFODNN7EXAMPLE", "key ASIAIOSFODNN7EXAMPLE!", "AKIAIOSFODNN7EXAMPL",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab",
      "{\"Statement\": [{\"Password\": \"Sup3rS3cret!\"}]}", "\u00e9t\u00e9-secret-\u00fc12345"};
  size_t found = 0;
  for (const std::string& k : keys) {
    for (const std::string& v : values) {
      Activation act;
      act.bind("input", one(k, v));
      Value a = by_cel->evaluate(act);
      Value b = native->evaluate(act);
      ASSERT_EQ(a.kind(), Kind::kBool) << k << "=" << v << ": " << a.debug_string();
      EXPECT_TRUE(IsBool(b, a.as_bool())) << k << "=" << v;
      found += a.as_bool() ? 1 : 0;
    }
  }
  // Pairs in different attributes of one value, and both kinds absent.
  for (const auto& [k1, v1, k2, v2] : std::vector<std::array<std::string, 4>>{
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Other", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"Name", "orders", "Owner", "payments"},
           // "secret" in the value or the key: other cases, cut short, at the end, and with
           // U+017F (long s, which RE2's case folding matches to 's').
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "SeCrEt=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "secre=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY secret"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY secre"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "\u017fecret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Note", "\u00e9 sssecret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "\u017fecret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}) {
    Activation act;
    act.bind("input", Value::map({{Value::string(k1), Value::string(v1)}, {Value::string(k2), Value::string(v2)}}));
    Value a = by_cel->evaluate(act);
    ASSERT_EQ(a.kind(), Kind::kBool) << a.debug_string();
    EXPECT_TRUE(IsBool(native->evaluate(act), a.as_bool())) << k1 << " " << k2;
  }
  // The table exercises both outcomes.
  EXPECT_GT(found, 20u);
  EXPECT_LT(found, keys.size() * values.size());
}

}  // namespace
}  // namespace sekimori::cel
