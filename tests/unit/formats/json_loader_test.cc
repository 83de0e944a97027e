#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "formats/document.h"
#include "test_util.h"

namespace sekimori::formats {
namespace {

using testing::json;
using testing::json_error;
using testing::lc;

TEST(JsonLoader, LocatesNestedMapsAndLists) {
  auto doc = json(
      "{\n"
      "  \"a\": {\n"
      "    \"b\": [1, 22, {\"c\": null}],\n"
      "    \"d\": \"x\"\n"
      "  },\n"
      "  \"e\": true\n"
      "}\n");
  EXPECT_EQ(doc.format(), Format::kJson);
  EXPECT_EQ(lc(&doc.root()), "1:1");
  EXPECT_EQ(lc(doc.root().find("a")), "2:8");
  const Node* b = doc.root().find_path({"a", "b"});
  EXPECT_EQ(lc(b), "3:10");
  EXPECT_EQ(lc(&b->items()[0]), "3:11");
  EXPECT_EQ(lc(&b->items()[1]), "3:14");
  EXPECT_EQ(lc(&b->items()[2]), "3:18");
  EXPECT_EQ(lc(b->items()[2].find("c")), "3:24");
  EXPECT_EQ(lc(doc.root().find_path({"a", "d"})), "4:10");
  EXPECT_EQ(lc(doc.root().find("e")), "6:8");
  // Keys are located at their opening quote.
  EXPECT_EQ(lc(&doc.root().members()[0].key), "2:3");
  EXPECT_EQ(lc(&doc.root().members()[1].key), "6:3");
  EXPECT_EQ(doc.root().find("e")->pos().offset, 67u);
  EXPECT_EQ(doc.text().substr(67, 4), "true");
}

TEST(JsonLoader, PrunedMembersAreLeftOut) {
  Limits l;
  l.json_prune = {{"changes", "change", "after"}, {"state"}};
  core::Diagnostics d;
  auto r = load_json("p.json",
                     "{\"state\": {\"big\": [1, 2, {\"x\": \"y\"}]},\n"
                     " \"changes\": [{\"change\": {\"after\": {\"a\": 1}, \"after_unknown\": {\"b\": true}}},\n"
                     "               {\"change\": {\"before\": null, \"after\": [\"s\"]}}],\n"
                     " \"after\": 3, \"other\": {\"change\": {\"after\": 4}}}",
                     l, d);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Node& root = r->root();
  EXPECT_EQ(root.find("state"), nullptr);
  const Node* changes = root.find("changes");
  ASSERT_NE(changes, nullptr);
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ(changes->items()[0].find_path({"change", "after"}), nullptr);
  EXPECT_NE(changes->items()[0].find_path({"change", "after_unknown", "b"}), nullptr);
  EXPECT_EQ(changes->items()[1].find_path({"change", "after"}), nullptr);
  EXPECT_NE(changes->items()[1].find_path({"change", "before"}), nullptr);
  // Only the exact paths: the same key elsewhere stays.
  EXPECT_NE(root.find("after"), nullptr);
  EXPECT_NE(root.find_path({"other", "change", "after"}), nullptr);
  EXPECT_EQ(lc(root.find("other")), "4:23");  // locations after a pruned member are exact
}

TEST(JsonLoader, DeepPrunedKeyGoesAtEveryDepthBelowItsPrefix) {
  Limits l;
  l.json_prune = {{"config", "**", "cv"}};
  core::Diagnostics d;
  auto r = load_json("p.json",
                     "{\"config\": {\"cv\": 1, \"a\": [{\"cv\": {\"x\": 2}, \"refs\": [\"r\"]}],\n"
                     "            \"m\": {\"n\": {\"cv\": [3], \"keep\": 4}}},\n"
                     " \"cv\": 5, \"other\": {\"cv\": 6}, \"after\": {\"config\": {\"cv\": 7}}}",
                     l, d);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Node& root = r->root();
  const Node* config = root.find("config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->find("cv"), nullptr);
  EXPECT_EQ(config->find("a")->items()[0].find("cv"), nullptr);
  EXPECT_NE(config->find("a")->items()[0].find("refs"), nullptr);
  EXPECT_EQ(config->find_path({"m", "n", "cv"}), nullptr);
  EXPECT_NE(config->find_path({"m", "n", "keep"}), nullptr);
  // Outside the prefix, and after leaving it, the key stays.
  EXPECT_NE(root.find("cv"), nullptr);
  EXPECT_NE(root.find_path({"other", "cv"}), nullptr);
  EXPECT_NE(root.find_path({"after", "config", "cv"}), nullptr);
  EXPECT_EQ(lc(root.find("other")), "3:20");

  Limits anywhere;
  anywhere.json_prune = {{"**", "cv"}};
  auto r2 = load_json("p.json", "{\"cv\": 1, \"a\": {\"cv\": 2, \"b\": 3}}", anywhere, d);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->root().find("cv"), nullptr);
  EXPECT_EQ(r2->root().find_path({"a", "cv"}), nullptr);
  EXPECT_NE(r2->root().find_path({"a", "b"}), nullptr);
}

TEST(JsonLoader, LocatesAfterCrlfLines) {
  auto doc = json("{\r\n  \"a\": 1,\r\n\r\n  \"b\": [\r\n    2]\r\n}");
  EXPECT_EQ(lc(doc.root().find("a")), "2:8");
  EXPECT_EQ(lc(doc.root().find("b")), "4:8");
  EXPECT_EQ(lc(&doc.root().find("b")->items()[0]), "5:5");
}

TEST(JsonLoader, SkipsBomAndLocatesFromAfterIt) {
  auto doc = json("\xEF\xBB\xBF{\"a\": 1}");
  EXPECT_EQ(doc.text(), "{\"a\": 1}");
  EXPECT_EQ(lc(&doc.root()), "1:1");
  EXPECT_EQ(lc(doc.root().find("a")), "1:7");
}

TEST(JsonLoader, ColumnsCountBytesAfterMultibyteChars) {
  auto doc = json("{\"é日本\": \"ü\", \"x\": 1}");
  // "é" is 2 bytes, "日本" 6 bytes: the value string starts at byte 15.
  EXPECT_EQ(lc(doc.root().find("é日本")), "1:14");
  EXPECT_EQ(lc(doc.root().find("x")), "1:25");
}

TEST(JsonLoader, MultiLineStringDoesNotShiftLaterLines) {
  // JSON strings cannot contain raw newlines, but escaped ones must not count.
  auto doc = json("[\"a\\nb\\nc\",\n 5]");
  EXPECT_EQ(doc.root().items()[0].as_string(), "a\nb\nc");
  EXPECT_EQ(lc(&doc.root().items()[1]), "2:2");
}

TEST(JsonLoader, RootScalars) {
  EXPECT_EQ(json("  42 ").root().as_int(), 42);
  EXPECT_EQ(lc(&json("\n  42").root()), "2:3");
  EXPECT_EQ(json("\"s\"").root().as_string(), "s");
  EXPECT_TRUE(json("true").root().as_bool());
  EXPECT_TRUE(json("null").root().is_null());
  EXPECT_EQ(json("1.5").root().as_double(), 1.5);
}

TEST(JsonLoader, RootNumbersBeyond64Bits) {
  // Read as a root scalar exactly as inside an array.
  EXPECT_EQ(json("18446744073709551615").root().as_uint(), UINT64_MAX);
  EXPECT_EQ(json("-9223372036854775808").root().as_int(), INT64_MIN);
  auto big = json("100000000000000000000");
  EXPECT_EQ(big.root().kind(), NodeKind::kDouble);
  EXPECT_DOUBLE_EQ(big.root().as_double(), 1e20);
  auto neg = json("-9223372036854775809");
  EXPECT_EQ(neg.root().kind(), NodeKind::kDouble);
  EXPECT_DOUBLE_EQ(neg.root().as_double(), -9223372036854775809.0);
  EXPECT_EQ(json("1e3").root().as_double(), 1000.0);
}

TEST(JsonLoader, NumberKinds) {
  auto doc = json(
      "[0, -1, 9223372036854775807, -9223372036854775808, 9223372036854775808,"
      " 18446744073709551615, 18446744073709551616, -9223372036854775809, 1.5, 1e3, -0.0,"
      " 123456789012345678901234567890]");
  auto it = doc.root().items();
  EXPECT_EQ(it[0].kind(), NodeKind::kInt);
  EXPECT_EQ(it[1].as_int(), -1);
  EXPECT_EQ(it[2].as_int(), INT64_MAX);
  EXPECT_EQ(it[3].as_int(), INT64_MIN);
  EXPECT_EQ(it[4].kind(), NodeKind::kUint);
  EXPECT_EQ(it[4].as_uint(), 9223372036854775808ull);
  EXPECT_EQ(it[5].as_uint(), UINT64_MAX);
  EXPECT_EQ(it[6].kind(), NodeKind::kDouble);
  EXPECT_DOUBLE_EQ(it[6].as_double(), 18446744073709551616.0);
  EXPECT_EQ(it[7].kind(), NodeKind::kDouble);
  EXPECT_DOUBLE_EQ(it[7].as_double(), -9223372036854775809.0);
  EXPECT_EQ(it[8].as_double(), 1.5);
  EXPECT_EQ(it[9].kind(), NodeKind::kDouble);
  EXPECT_EQ(it[9].as_double(), 1000.0);
  EXPECT_TRUE(std::signbit(it[10].as_double()));
  EXPECT_DOUBLE_EQ(it[11].as_double(), 1.2345678901234568e29);
}

TEST(JsonLoader, Escapes) {
  auto doc = json(R"(["caf\u00e9", "\ud83d\ude00", "a\"b\\c\/d\b\f\n\r\t", "\u0000x"])");
  auto it = doc.root().items();
  EXPECT_EQ(it[0].as_string(), "café");
  EXPECT_EQ(it[1].as_string(), "\xF0\x9F\x98\x80");  // U+1F600
  EXPECT_EQ(it[2].as_string(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(it[3].as_string(), std::string("\0x", 2));
  EXPECT_FALSE(it[0].quoted());
}

TEST(JsonLoader, EscapedKeys) {
  auto doc = json(R"({"\u0041b": 1})");
  EXPECT_EQ(doc.root().find("Ab")->as_int(), 1);
}

TEST(JsonLoader, LoneSurrogateIsAnError) {
  auto e = json_error(R"(["ok", "\ud800"])");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_EQ(lc(e), "1:8");
}

TEST(JsonLoader, DuplicateKeysWarnWithBothLocations) {
  core::Diagnostics diags;
  auto doc = json("{\"a\": 1,\n \"a\": 2}", &diags);
  EXPECT_EQ(doc.root().size(), 1u);
  EXPECT_EQ(doc.root().find("a")->as_int(), 2);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].code, "doc.duplicate_key");
  EXPECT_EQ(diags.items()[0].location.to_string(), "t.json:2:2");
  EXPECT_NE(diags.items()[0].message.find("t.json:1:2"), std::string::npos);
  EXPECT_FALSE(diags.items()[0].snippet.empty());
}

TEST(JsonLoader, SyntaxErrorMissingComma) {
  auto e = json_error("{\n  \"a\": 1\n  \"b\": 2\n}");
  EXPECT_EQ(e.code, "json.syntax");
  ASSERT_TRUE(e.location.has_value());
  EXPECT_EQ(e.location->file, "t.json");
  EXPECT_EQ(e.location->line, 3u);
}

TEST(JsonLoader, SyntaxErrorBadLiteral) {
  auto e = json_error("[1,\n tru]");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_EQ(lc(e), "2:2");
}

TEST(JsonLoader, SyntaxErrorTrailingContent) {
  auto e = json_error("{\"a\": 1}\n x");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_EQ(e.location->line, 2u);
}

TEST(JsonLoader, SyntaxErrorUnclosedString) {
  auto e = json_error("[\n \"abc]");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_EQ(lc(e), "2:2");
}

TEST(JsonLoader, SyntaxErrorUnclosedArray) {
  auto e = json_error("[1,\n 2");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_TRUE(e.location.has_value());
}

TEST(JsonLoader, SyntaxErrorBadNumber) {
  auto e = json_error("[1,\n 01]");
  EXPECT_EQ(e.code, "json.syntax");
  EXPECT_EQ(e.location->line, 2u);
}

TEST(JsonLoader, EmptyInputIsAnError) {
  EXPECT_EQ(json_error("").code, "json.syntax");
  EXPECT_EQ(json_error(" \n ").code, "json.syntax");
}

TEST(JsonLoader, InvalidUtf8IsLocated) {
  auto e = json_error("{\n  \"a\": \"x\xC3\x28\"\n}");
  EXPECT_EQ(e.code, "doc.utf8");
  EXPECT_EQ(lc(e), "2:10");
}

TEST(JsonLoader, InvalidUtf8Overlong) {
  auto e = json_error("[\"\xC0\xAF\"]");
  EXPECT_EQ(e.code, "doc.utf8");
  EXPECT_EQ(lc(e), "1:3");
}

TEST(JsonLoader, DepthLimit) {
  Limits limits;
  limits.max_depth = 3;
  auto ok_doc = json("[[[1]]]", nullptr, limits);
  EXPECT_EQ(ok_doc.root().items()[0].items()[0].items()[0].as_int(), 1);
  auto e = json_error("[[\n  [{\"a\": 1}]]]", limits);
  EXPECT_EQ(e.code, "doc.limit.depth");
  EXPECT_EQ(lc(e), "2:4");
}

TEST(JsonLoader, HardDepthCapProtectsTheStack) {
  std::string deep(200000, '[');
  auto e = json_error(deep + std::string(200000, ']'));
  EXPECT_EQ(e.code, "doc.limit.depth");
  EXPECT_EQ(lc(e), "1:257");  // default max_depth 256
  Limits limits;
  limits.max_depth = 1u << 30;
  auto e2 = json_error(deep + std::string(200000, ']'), limits);
  EXPECT_EQ(e2.code, "doc.limit.depth");
}

TEST(JsonLoader, StringLimit) {
  Limits limits;
  limits.max_string = 5;
  auto ok_doc = json("[\"12345\"]", nullptr, limits);
  EXPECT_EQ(ok_doc.root().items()[0].size(), 5u);
  auto e = json_error("[\"12345\",\n \"123456\"]", limits);
  EXPECT_EQ(e.code, "doc.limit.string");
  EXPECT_EQ(lc(e), "2:2");
}

TEST(JsonLoader, StringLimitAppliesToKeys) {
  Limits limits;
  limits.max_string = 2;
  auto e = json_error("{\"abc\": 1}", limits);
  EXPECT_EQ(e.code, "doc.limit.string");
  EXPECT_EQ(lc(e), "1:2");
}

TEST(JsonLoader, NodeLimit) {
  Limits limits;
  limits.max_nodes = 4;
  EXPECT_EQ(json("[1, 2, 3]", nullptr, limits).node_count(), 4u);
  auto e = json_error("[1, 2, 3,\n 4]", limits);
  EXPECT_EQ(e.code, "doc.limit.nodes");
  EXPECT_EQ(lc(e), "2:2");
}

TEST(JsonLoader, ByteLimit) {
  Limits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(json("[1,2,3,4]", nullptr, limits).root().size(), 4u);
  auto e = json_error("[1,2,3,\n4,5,6]", limits);
  EXPECT_EQ(e.code, "doc.limit.size");
  EXPECT_EQ(e.location->file, "t.json");
  EXPECT_EQ(lc(e), "2:3");  // the byte at offset max_bytes
}

TEST(JsonLoader, KeysKeepDocumentOrderInLargeObjects) {
  std::string text = "{";
  for (int i = 20; i > 0; --i) text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + (i > 1 ? "," : "}");
  auto doc = json(text);
  ASSERT_EQ(doc.root().size(), 20u);
  EXPECT_EQ(doc.root().members()[0].key.as_string(), "k20");
  for (int i = 1; i <= 20; ++i) EXPECT_EQ(doc.root().find("k" + std::to_string(i))->as_int(), i);
}

TEST(JsonLoader, LargeInputLocatesLastNode) {
  std::string text = "[\n";
  for (int i = 0; i < 100000; ++i) text += "  {\"id\": " + std::to_string(i) + "},\n";
  text += "  \"end\"\n]\n";
  auto doc = json(text);
  ASSERT_EQ(doc.root().size(), 100001u);
  EXPECT_EQ(lc(&doc.root().items()[100000]), "100002:3");
  EXPECT_EQ(lc(doc.root().items()[99999].find("id")), "100001:10");
}

}  // namespace
}  // namespace sekimori::formats

namespace sekimori::formats {
namespace {

TEST(JsonLoader, SyntaxErrorsAreLocatedPrecisely) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : {Case{"[1, 2] x", "1:8"}, Case{"{\"a\" 1}", "1:6"}, Case{"{\"a\": 1,}", "1:9"},
                        Case{"[1,]", "1:4"}, Case{"{1: 2}", "1:2"}, Case{"[-]", "1:2"},
                        Case{"[1.]", "1:2"}, Case{"[\"\\x\"]", "1:3"}, Case{"[nul]", "1:2"},
                        Case{"\n\n  [1 2]", "3:6"}, Case{"[\"a\\u12\"]", "1:4"}}) {
    auto e = testing::json_error(c.text);
    EXPECT_EQ(e.code, "json.syntax") << c.text;
    EXPECT_EQ(testing::lc(e), c.where) << c.text << " " << e.message;
  }
}

TEST(JsonLoader, LeadingZerosAreRejected) {
  for (const char* text : {"[01]", "[-01]", "[00]", "[1.e5]", "[.5]", "[+1]"}) {
    auto e = testing::json_error(text);
    EXPECT_EQ(e.code, "json.syntax") << text;
    EXPECT_EQ(testing::lc(e), "1:2") << text;
  }
}

}  // namespace
}  // namespace sekimori::formats

namespace sekimori::formats {
namespace {

// Strings without escapes are views into the document text; these cover both paths.
TEST(JsonLoader, RootStringWithoutEscapesIsConsumed) {
  auto doc = testing::json("\"plain\"");
  EXPECT_EQ(doc.root().as_string(), "plain");
  EXPECT_EQ(testing::json("\"es\\tc\"").root().as_string(), "es\tc");
}

TEST(JsonLoader, PlainAndEscapedStringsSurviveMove) {
  auto doc = testing::json(R"({"plain": "abc", "esc\"aped": "x\ny", "list": ["", "q"]})");
  const Node* plain = doc.root().find("plain");
  std::string_view view = plain->as_string();
  Document moved = std::move(doc);
  EXPECT_EQ(view, "abc");
  EXPECT_EQ(moved.root().find("esc\"aped")->as_string(), "x\ny");
  EXPECT_EQ(moved.root().find("list")->items()[0].as_string(), "");
  EXPECT_EQ(moved.root().find("list")->items()[1].as_string(), "q");
}

// Strings are found plain (no escape) or not sixteen bytes at a time: an escape or the
// closing quote anywhere in a block, in the first or a later block, and at the very end
// of the input.
TEST(JsonLoader, PlainStringScanFindsEscapesAndQuotesInEveryBlock) {
  for (size_t n : {0u, 1u, 14u, 15u, 16u, 17u, 31u, 32u, 33u, 70u}) {
    std::string plain(n, 'p');
    std::string escaped = plain + "\\\\" + plain;  // JSON `\\` in the middle
    std::string text = "{\"" + plain + "k\": \"" + plain + "\", \"e" + escaped + "\": [\"" + escaped + "\"]}";
    auto doc = testing::json(text);
    const Node* v = doc.root().find(plain + "k");
    ASSERT_NE(v, nullptr) << n;
    EXPECT_EQ(v->as_string(), plain);
    std::string unescaped = plain + "\\" + plain;
    const Node* e = doc.root().find("e" + unescaped);
    ASSERT_NE(e, nullptr) << n;
    EXPECT_EQ(e->items()[0].as_string(), unescaped);
    // A root string that ends the input.
    auto root = testing::json("\"" + plain + "\"");
    EXPECT_EQ(root.root().as_string(), plain);
  }
}

// Freed documents' big arena blocks are reused by the next documents (a process-wide
// pool): a document loaded into reused blocks, and one still alive, keep their own values.
TEST(LoadJson, DocumentsLoadedIntoReusedBlocksKeepTheirValues) {
  auto big = [](const std::string& tag) {
    std::string text = "[";
    for (int i = 0; i < 20000; ++i) {
      if (i > 0) text += ",";
      text += "{\"name\":\"" + tag + std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}";
    }
    return text + "]";
  };
  auto check = [](const Document& d, const std::string& tag) {
    ASSERT_EQ(d.root().size(), 20000u);
    for (size_t i = 0; i < 20000; i += 997) {
      const Node& item = d.root().items()[i];
      EXPECT_EQ(item.find("name")->as_string(), tag + std::to_string(i));
      EXPECT_EQ(item.find("n")->as_int(), static_cast<int64_t>(i));
    }
  };
  core::Diagnostics diags;
  for (int round = 0; round < 3; ++round) {
    auto a = load_json("a.json", big("a"), Limits{}, diags);
    auto b = load_json("b.json", big("b"), Limits{}, diags);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    a = load_json("c.json", big("c"), Limits{}, diags);  // frees a (its blocks serve the next round)
    ASSERT_TRUE(a.ok());
    check(*a, "c");
    check(*b, "b");
  }
  EXPECT_FALSE(diags.has_errors());
}

}  // namespace
}  // namespace sekimori::formats
