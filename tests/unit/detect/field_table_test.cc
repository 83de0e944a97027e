// The field table (engine.h "Field table"): fields resolved once per record through a
// MatchScratch give the same values as looking the path up (lookup()) or walking it, on
// records with arrays on the way, keys with dots in them, duplicate keys and scalars where
// an object was expected; alert context and correlation inputs read from it are unchanged.
#include <gtest/gtest.h>

#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::compile;
using testing::m;
using testing::rule_doc;

const std::vector<std::string> kRecords = {
    R"({"a":{"b":{"c":1}}})",
    R"({"a":{"b.c":2}})",
    R"({"a.b":{"c":3}})",
    R"({"a.b.c":4})",
    R"({"a":5,"a.b":{"c":6}})",
    R"({"a":[{"b":{"c":7}}]})",
    R"({"a":{"b":null}})",
    R"({"a":{"b":{"c":8}},"a":{"b":{"c":9}}})",
    R"({"a":{"x.y":1,"b":{"c":10}}})",
    R"({"a":{"b":[{"c":11},{"c":12}]}})",
    R"({"x":{"y":"v"},"x.y":"w"})",
    R"({"x.y":"only dotted"})",
    R"({})",
    R"({"a":{}})",
    R"({"userIdentity":{"arn":"arn:x","type":"IAMUser","accountId":"1"},"eventTime":"2024-01-01T00:00:00Z"})",
    R"({"userIdentity":[{"arn":"in an array"}],"userIdentity.arn":"dotted","recipientAccountId":7})",
    R"({"userIdentity.type":"dotted type","eventName":["A"],"eventSource":{"x":1}})",
};

std::string text_of(simdjson::simdjson_result<simdjson::dom::element> e) {
  if (e.error() != simdjson::SUCCESS) return "<absent>";
  return simdjson::minify(e.value_unsafe());
}

TEST(FieldTable, SlotsGiveTheSameValuesAsLookup) {
  auto c = compile(
      rule_doc("  sel:\n    a.b.c: 1\n    a.b: x\n    x.y: v\n    a.x.y: 1\n    q: 1\n  condition: sel\n"));
  ASSERT_TRUE(c->engine) << c->diags.to_text();
  const Engine& e = *c->engine;
  std::vector<std::string> paths = {"a.b.c", "a.b", "x.y", "a.x.y", "q"};
  for (uint32_t f = 0; f < kContextFields; ++f)
    paths.emplace_back(context_field_path(static_cast<ContextField>(f)));
  EXPECT_EQ(e.field_count(), paths.size());
  EXPECT_FALSE(e.field_slot("not.used").has_value());
  MatchScratch scratch(e);
  simdjson::dom::parser p;
  std::vector<uint32_t> hits;
  for (const std::string& json : kRecords) {
    auto doc = p.parse(json);
    ASSERT_EQ(doc.error(), simdjson::SUCCESS) << json;
    simdjson::dom::element rec = doc.value_unsafe();
    e.match(rec, json, scratch, hits);
    for (const std::string& path : paths) {
      auto slot = e.field_slot(path);
      ASSERT_TRUE(slot.has_value()) << path;
      EXPECT_EQ(text_of(scratch.field(rec, *slot)), text_of(lookup(rec, path))) << path << " in " << json;
    }
  }
}

// The table tells keys of every length apart from keys of that length differing in any one
// byte (its hash and comparison read keys a word at a time).
TEST(FieldTable, KeysOfEveryLengthAreToldApart) {
  const std::string letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string items;
  std::vector<std::string> names;
  for (size_t len = 1; len <= 26; ++len) {
    names.push_back(letters.substr(len % 10, len));
    items += "    " + names.back() + ": 1\n";
  }
  auto c = compile(rule_doc("  sel:\n" + items + "  condition: sel\n"));
  ASSERT_TRUE(c->engine) << c->diags.to_text();
  const Engine& e = *c->engine;
  MatchScratch scratch(e);
  simdjson::dom::parser p;
  std::vector<uint32_t> hits;
  for (const std::string& name : names) {
    auto slot = e.field_slot(name);
    ASSERT_TRUE(slot.has_value()) << name;
    for (size_t pos = 0; pos < name.size(); ++pos) {
      std::string other = name;
      other[pos] = other[pos] == 'Z' ? 'Y' : 'Z';
      for (const std::string& json : {"{\"" + other + "\":1}", "{\"" + other + "\":1,\"" + name + "\":2}"}) {
        auto doc = p.parse(json);
        ASSERT_EQ(doc.error(), simdjson::SUCCESS) << json;
        simdjson::dom::element rec = doc.value_unsafe();
        e.match(rec, json, scratch, hits);
        EXPECT_EQ(text_of(scratch.field(rec, *slot)), text_of(lookup(rec, name))) << name << " in " << json;
      }
    }
  }
}

// Matching through the table (MatchScratch) and by walking (no scratch) is compared by
// testing::hits() on every event; these records put each fallback to the walk to work.
TEST(FieldTable, MatchingAgreesWithTheWalk) {
  auto sel = [](const std::string& item) { return "  sel:\n    " + item + "\n  condition: sel\n"; };
  EXPECT_TRUE(m(sel("a.b.c: 1"), kRecords[0]));
  EXPECT_TRUE(m(sel("a.b.c: 2"), kRecords[1]));  // "b.c" as one key
  EXPECT_TRUE(m(sel("a.b.c: 3"), kRecords[2]));  // "a.b" as one key
  EXPECT_TRUE(m(sel("a.b.c: 4"), kRecords[3]));
  EXPECT_FALSE(m(sel("a.b.c: 6"), kRecords[4]));  // "a" is found first and is a number
  EXPECT_TRUE(m(sel("a.b.c: 7"), kRecords[5]));   // arrays on the way are searched
  EXPECT_TRUE(m(sel("a.b: null"), kRecords[6]));
  EXPECT_TRUE(m(sel("a.b.c: 8"), kRecords[7]));  // the first of duplicate keys
  EXPECT_FALSE(m(sel("a.b.c: 9"), kRecords[7]));
  EXPECT_TRUE(m(sel("a.b.c: 10"), kRecords[8]));
  EXPECT_TRUE(m(sel("a.b.c: 12"), kRecords[9]));
  EXPECT_TRUE(m(sel("x.y: v"), kRecords[10]));
  EXPECT_FALSE(m(sel("x.y: w"), kRecords[10]));
  EXPECT_TRUE(m(sel("x.y: 'only dotted'"), kRecords[11]));
  EXPECT_TRUE(m(sel("a.b|exists: false"), kRecords[12]));
  EXPECT_TRUE(m(sel("a.b|exists: false"), kRecords[13]));
  EXPECT_TRUE(m(sel("a.b|exists: true"), kRecords[6]));
  EXPECT_TRUE(m(sel("userIdentity.arn: 'in an array'"), kRecords[15]));
  EXPECT_TRUE(m(sel("userIdentity.type: 'dotted type'"), kRecords[16]));
  // the eventName index only knows string values: a rule it holds is not tried on others
  EXPECT_FALSE(m(sel("eventName: A"), kRecords[16]));
  EXPECT_TRUE(m(sel("a|fieldref: a"), kRecords[4]));
  EXPECT_TRUE(m(sel("x.y|fieldref: x.y"), kRecords[10]));
}

TEST(FieldTable, AlertContextAndCorrelationInputsAreUnchanged) {
  auto c = compile(
      rule_doc("  sel:\n    q|exists: false\n  condition: sel\n", "name: base\n") +
      "---\ntitle: per arn\nid: 22222222-2222-4222-8222-222222222222\ncorrelation:\n  type: value_count\n"
      "  rules: [base]\n  group-by: [userIdentity.arn, a.b.c, x.y]\n  timespan: 5m\n"
      "  condition: {field: userIdentity.type, gte: 2}\n"
      "---\ntitle: many fields\nid: 33333333-3333-4333-8333-333333333333\ncorrelation:\n"
      "  type: value_sum\n  rules: [base]\n  group-by: [a, a.b, a.b.c, x, x.y, q, eventTime, "
      "userIdentity, userIdentity.arn, recipientAccountId]\n  timespan: 5m\n"
      "  condition: {field: a.b.c, gte: 2}\n");
  ASSERT_TRUE(c->engine) << c->diags.to_text();
  const Engine& e = *c->engine;
  ASSERT_EQ(e.feeds(0).size(), 2u);
  MatchScratch scratch(e);
  simdjson::dom::parser p;
  std::vector<uint32_t> hits;
  for (const std::string& json : kRecords) {
    auto doc = p.parse(json);
    ASSERT_EQ(doc.error(), simdjson::SUCCESS);
    simdjson::dom::element rec = doc.value_unsafe();
    e.match(rec, json, scratch, hits);
    ASSERT_EQ(hits, std::vector<uint32_t>{0}) << json;
    AlertView with_table;
    AlertViewText room;
    fill_alert_view(with_table, room, e, 0, rec, RecordText{}, scratch, "f.json", 1, 2);
    Alert plain;
    fill_alert(plain, e, 0, rec, RecordText{}, "f.json", 1, 2);
    EXPECT_EQ(alert_json(with_table), alert_json(plain)) << json;
    MatchedEvent base = MatchedEvent::from_alert(plain);
    auto chunk = std::make_shared<std::string>("earlier bytes");
    for (const CorrelationFeed& feed : e.feeds(0)) {  // the second has more fields than fit the fast path
      CorrelationInput a = make_correlation_input(feed, rec, scratch, base);
      CorrelationInput b = make_correlation_input(feed, rec, base);
      EXPECT_EQ(a.keys, b.keys) << json;
      EXPECT_EQ(a.value_at, b.value_at) << json;
      // the keys appended to the match's chunk (as hunt() builds inputs) read the same
      CorrelationInput s = make_correlation_input(feed, rec, scratch, MatchedEvent::from_alert(plain, nullptr, chunk),
                                                  chunk.get());
      EXPECT_TRUE(s.keys_shared && s.keys.empty()) << json;
      EXPECT_EQ(s.all_keys(), b.keys) << json;
      EXPECT_EQ(s.group_key(), b.group_key()) << json;
      EXPECT_EQ(s.value(), b.value()) << json;
      EXPECT_EQ(s.key_hash, b.key_hash) << json;
      EXPECT_EQ(s.value_hash, b.value_hash) << json;
      s.own();
      EXPECT_FALSE(s.keys_shared || s.base.chunk) << json;
      EXPECT_EQ(s.keys, b.keys) << json;
      EXPECT_EQ(s.base.event_text(), plain.event) << json;
    }
    EXPECT_EQ(chunk.use_count(), 1);
  }
}

TEST(FieldTable, GroupValuesWithSeparatorsAreEscapedAsBefore) {
  CorrelationInput in;
  in.add_group_value("plain");
  in.add_group_value(
      std::string("a\x1f"
                  "b\x1e",
                  4));
  in.add_group_value("");
  EXPECT_EQ(in.group_values(), (std::vector<std::string>{"plain",
                                                         std::string("a\x1f"
                                                                     "b\x1e",
                                                                     4),
                                                         ""}));
  EXPECT_EQ(in.group_key(), std::string("plain\x1f"
                                        "a\x1e\x1f"
                                        "b\x1e\x1e\x1f\x1f"));
}

}  // namespace
}  // namespace sekimori::detect
