#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/document.h"
#include "test_util.h"

namespace sekimori::formats {
namespace {

using testing::lc;

Pos at(uint32_t line, uint32_t column, uint64_t offset = 0) { return Pos{line, column, offset}; }

TEST(KindName, AllKinds) {
  EXPECT_STREQ(kind_name(NodeKind::kNull), "null");
  EXPECT_STREQ(kind_name(NodeKind::kBool), "bool");
  EXPECT_STREQ(kind_name(NodeKind::kInt), "int");
  EXPECT_STREQ(kind_name(NodeKind::kUint), "uint");
  EXPECT_STREQ(kind_name(NodeKind::kDouble), "double");
  EXPECT_STREQ(kind_name(NodeKind::kString), "string");
  EXPECT_STREQ(kind_name(NodeKind::kList), "list");
  EXPECT_STREQ(kind_name(NodeKind::kMap), "map");
  EXPECT_STREQ(kind_name(NodeKind::kUnknown), "unknown");
}

// find_hinted() answers as find() whatever the hint says, and learns where the key is.
TEST(Node, FindHintedAgreesWithFindAndLearns) {
  Builder b("x.json", Format::kJson, "");
  auto map = [&](std::vector<std::string> keys) {
    ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_TRUE(b.add_string(at(1, 1), keys[i]).ok());
      ASSERT_TRUE(b.add_int(at(1, 1), static_cast<int64_t>(i)).ok());
    }
    ASSERT_TRUE(b.end_map().ok());
  };
  map({"a", "b", "c"});
  map({"b", "c", "a"});
  map({"x"});
  ASSERT_TRUE(b.add_int(at(1, 1), 7).ok());
  Document doc = std::move(b).finish();
  const Node& m0 = doc.roots()[0];
  const Node& m1 = doc.roots()[1];
  FindHint hint;
  EXPECT_EQ(hint.member.load(), 0u);
  EXPECT_EQ(m0.find_hinted("c", hint), m0.find("c"));  // a miss at 0, then found at 2
  EXPECT_EQ(hint.member.load(), 2u);
  EXPECT_EQ(m0.find_hinted("c", hint)->as_int(), 2);   // the hint's member
  EXPECT_EQ(m1.find_hinted("c", hint), m1.find("c"));  // member 2 is "a" here: searched
  EXPECT_EQ(m1.find_hinted("c", hint)->as_int(), 1);
  EXPECT_EQ(hint.member.load(), 1u);
  EXPECT_EQ(m1.find_hinted("z", hint), nullptr);  // absent: the hint is kept
  EXPECT_EQ(hint.member.load(), 1u);
  EXPECT_EQ(doc.roots()[2].find_hinted("c", hint), nullptr);  // hint past the end
  EXPECT_EQ(doc.roots()[3].find_hinted("c", hint), nullptr);  // not a map
  FindHint copy = hint;
  EXPECT_EQ(copy.member.load(), 1u);
}

TEST(Builder, BuildsScalarsListsAndMaps) {
  Builder b("x.json", Format::kJson, "{}");
  ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
  ASSERT_TRUE(b.add_string(at(1, 2), "a").ok());
  ASSERT_TRUE(b.begin_list(at(1, 6)).ok());
  EXPECT_EQ(b.depth(), 2u);
  ASSERT_TRUE(b.add_null(at(1, 7)).ok());
  ASSERT_TRUE(b.add_bool(at(1, 8), true).ok());
  ASSERT_TRUE(b.add_int(at(1, 9), -5).ok());
  ASSERT_TRUE(b.add_uint(at(1, 10), 18446744073709551615ull).ok());
  ASSERT_TRUE(b.add_double(at(1, 11), 2.5).ok());
  ASSERT_TRUE(b.add_unknown(at(1, 12)).ok());
  ASSERT_TRUE(b.end_list().ok());
  ASSERT_TRUE(b.end_map().ok());
  EXPECT_EQ(b.depth(), 0u);
  Document doc = std::move(b).finish();
  EXPECT_EQ(doc.path(), "x.json");
  EXPECT_EQ(doc.format(), Format::kJson);
  EXPECT_EQ(doc.text(), "{}");
  ASSERT_EQ(doc.roots().size(), 1u);
  EXPECT_EQ(doc.node_count(), 9u);
  const Node* a = doc.root().find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->kind(), NodeKind::kList);
  ASSERT_EQ(a->size(), 6u);
  auto items = a->items();
  EXPECT_TRUE(items[0].is_null());
  EXPECT_TRUE(items[1].as_bool());
  EXPECT_EQ(items[2].as_int(), -5);
  EXPECT_EQ(items[3].as_uint(), 18446744073709551615ull);
  EXPECT_EQ(items[4].as_double(), 2.5);
  EXPECT_EQ(items[5].kind(), NodeKind::kUnknown);
  EXPECT_TRUE(items[4].is_scalar());
  EXPECT_FALSE(a->is_scalar());
  EXPECT_EQ(lc(&items[3]), "1:10");
  EXPECT_EQ(doc.location(items[3]).to_string(), "x.json:1:10");
}

TEST(Builder, UnknownStringKeepsItsShape) {
  const std::string shape("arn:aws:iam::\0:root", 19);
  Builder b("x.json", Format::kJson, "");
  ASSERT_TRUE(b.add_unknown(at(1, 1), shape).ok());
  ASSERT_TRUE(b.add_unknown(at(2, 1)).ok());
  ASSERT_TRUE(b.add_string(at(3, 1), "s").ok());
  Document doc = std::move(b).finish();
  ASSERT_EQ(doc.roots().size(), 3u);
  EXPECT_EQ(doc.roots()[0].kind(), NodeKind::kUnknown);
  EXPECT_EQ(doc.roots()[0].unknown_shape(), shape);
  EXPECT_EQ(doc.roots()[0].size(), 0u);  // the shape is not the value's size
  EXPECT_EQ(doc.roots()[1].unknown_shape(), "");
  EXPECT_EQ(doc.roots()[2].unknown_shape(), "");  // a string is no unknown
}

TEST(Builder, SizeOfEachKind) {
  Builder b("x", Format::kYaml, "");
  ASSERT_TRUE(b.add_string(at(1, 1), "héllo").ok());
  ASSERT_TRUE(b.add_int(at(2, 1), 7).ok());
  Document doc = std::move(b).finish();
  ASSERT_EQ(doc.roots().size(), 2u);
  EXPECT_EQ(doc.roots()[0].size(), 6u);  // bytes
  EXPECT_EQ(doc.roots()[1].size(), 0u);
}

TEST(Builder, SetTagOnScalarAndContainer) {
  Builder b("x", Format::kYaml, "");
  ASSERT_TRUE(b.begin_list(at(1, 1)).ok());
  b.set_tag("!If");
  ASSERT_TRUE(b.add_string(at(1, 5), "x").ok());
  b.set_tag("!Ref");
  ASSERT_TRUE(b.end_list().ok());
  Document doc = std::move(b).finish();
  EXPECT_EQ(doc.root().tag(), "!If");
  EXPECT_EQ(doc.root().items()[0].tag(), "!Ref");
}

TEST(Builder, EmptyContainersAndEmptyString) {
  Builder b("x", Format::kJson, "");
  ASSERT_TRUE(b.begin_list(at(1, 1)).ok());
  ASSERT_TRUE(b.begin_map(at(1, 2)).ok());
  ASSERT_TRUE(b.end_map().ok());
  ASSERT_TRUE(b.begin_list(at(1, 4)).ok());
  ASSERT_TRUE(b.end_list().ok());
  ASSERT_TRUE(b.add_string(at(1, 6), "").ok());
  ASSERT_TRUE(b.end_list().ok());
  Document doc = std::move(b).finish();
  auto items = doc.root().items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].members().size(), 0u);
  EXPECT_EQ(items[0].find("a"), nullptr);
  EXPECT_EQ(items[1].items().size(), 0u);
  EXPECT_EQ(items[2].as_string(), "");
}

TEST(Builder, DepthLimitIsLocated) {
  Limits limits;
  limits.max_depth = 2;
  Builder b("x.json", Format::kJson, "", limits);
  ASSERT_TRUE(b.begin_list(at(1, 1, 0)).ok());
  ASSERT_TRUE(b.begin_list(at(1, 2, 1)).ok());
  auto s = b.begin_map(at(1, 3, 2));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "doc.limit.depth");
  EXPECT_EQ(s.error().location->to_string(), "x.json:1:3");
}

TEST(Builder, NodeLimitCountsEveryNode) {
  Limits limits;
  limits.max_nodes = 3;
  Builder b("x", Format::kJson, "", limits);
  ASSERT_TRUE(b.begin_list(at(1, 1)).ok());
  ASSERT_TRUE(b.add_int(at(1, 2), 1).ok());
  ASSERT_TRUE(b.add_int(at(1, 4), 2).ok());
  auto s = b.add_int(at(1, 6), 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "doc.limit.nodes");
  EXPECT_EQ(s.error().location->column, 6u);
}

TEST(Builder, StringLimit) {
  Limits limits;
  limits.max_string = 3;
  Builder b("x", Format::kJson, "", limits);
  EXPECT_TRUE(b.add_string(at(1, 1), "abc").ok());
  auto s = b.add_string(at(2, 1), "abcd");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "doc.limit.string");
  EXPECT_EQ(s.error().location->line, 2u);
}

TEST(Builder, DuplicateKeyLastWinsWithWarning) {
  core::Diagnostics diags;
  Builder b("x.yaml", Format::kYaml, "a: 1\nb: 2\na: 3\n");
  ASSERT_TRUE(b.begin_map(at(1, 1, 0)).ok());
  ASSERT_TRUE(b.add_string(at(1, 1, 0), "a").ok());
  ASSERT_TRUE(b.add_int(at(1, 4, 3), 1).ok());
  ASSERT_TRUE(b.add_string(at(2, 1, 5), "b").ok());
  ASSERT_TRUE(b.add_int(at(2, 4, 8), 2).ok());
  ASSERT_TRUE(b.add_string(at(3, 1, 10), "a").ok());
  ASSERT_TRUE(b.add_int(at(3, 4, 13), 3).ok());
  ASSERT_TRUE(b.end_map(&diags).ok());
  Document doc = std::move(b).finish();
  auto members = doc.root().members();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].key.as_string(), "b");
  EXPECT_EQ(members[1].key.as_string(), "a");
  EXPECT_EQ(doc.root().find("a")->as_int(), 3);
  ASSERT_EQ(diags.items().size(), 1u);
  const core::Diagnostic& d = diags.items()[0];
  EXPECT_EQ(d.severity, core::Severity::kWarning);
  EXPECT_EQ(d.code, "doc.duplicate_key");
  EXPECT_EQ(d.location.to_string(), "x.yaml:3:1");
  EXPECT_NE(d.message.find("'a'"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("x.yaml:1:1"), std::string::npos) << d.message;
}

TEST(Builder, DuplicateKeyWithoutDiagsStillResolves) {
  Builder b("x", Format::kJson, "");
  ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.add_string(at(1, 2), "k").ok());
    ASSERT_TRUE(b.add_int(at(1, 3), i).ok());
  }
  ASSERT_TRUE(b.end_map().ok());
  Document doc = std::move(b).finish();
  ASSERT_EQ(doc.root().size(), 1u);
  EXPECT_EQ(doc.root().find("k")->as_int(), 2);
}

// Opens a map and adds `filler` members f0, f1, ... (value -1) ahead of those a test adds:
// with kIndexThreshold of them, the map is large enough for a sorted index.
void open_map_with_filler(Builder& b, int filler) {
  ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
  for (int i = 0; i < filler; ++i) {
    ASSERT_TRUE(b.add_string(at(1, 1), "f" + std::to_string(i)).ok());
    ASSERT_TRUE(b.add_int(at(1, 5), -1).ok());
  }
}

// Small maps find duplicates through a filter of key signatures, large ones (more than
// kIndexThreshold members) through the sorted index: both keep the last value, in document
// order.
TEST(Builder, DuplicateKeysInSmallAndLargeMaps) {
  for (int filler : {0, static_cast<int>(Node::kIndexThreshold)}) {
    core::Diagnostics diags;
    Builder b("x", Format::kJson, "");
    open_map_with_filler(b, filler);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(b.add_string(at(static_cast<uint32_t>(i + 1), 1), "k" + std::to_string(i % 12)).ok());
      ASSERT_TRUE(b.add_int(at(static_cast<uint32_t>(i + 1), 5), i).ok());
    }
    ASSERT_TRUE(b.end_map(&diags).ok());
    Document doc = std::move(b).finish();
    const auto f = static_cast<size_t>(filler);
    EXPECT_EQ(doc.root().size(), 12u + f);
    ASSERT_EQ(diags.items().size(), 8u);
    EXPECT_EQ(doc.root().find("k0")->as_int(), 12);
    EXPECT_EQ(doc.root().find("k11")->as_int(), 11);
    EXPECT_EQ(doc.root().find("k7")->as_int(), 19);
    if (filler > 0) {
      EXPECT_EQ(doc.root().find("f0")->as_int(), -1);
    }
    // Survivors keep document order: k8..k11 (first occurrences), then k0..k7 (second).
    EXPECT_EQ(doc.root().members()[f].key.as_string(), "k8");
    EXPECT_EQ(doc.root().members()[f + 4].key.as_string(), "k0");
    // Warnings come in document order of the winning key.
    EXPECT_EQ(diags.items()[0].location.line, 13u);
  }
}

// Each warning pairs a key with its nearest earlier occurrence, in document order of the
// later one, whichever way the map looks for duplicates.
TEST(Builder, DuplicateWarningsFollowTheLaterKey) {
  for (int filler : {0, static_cast<int>(Node::kIndexThreshold)}) {
    core::Diagnostics diags;
    Builder b("x", Format::kJson, "");
    open_map_with_filler(b, filler);
    const char* keys[] = {"a", "b", "b", "a", "a"};
    for (uint32_t i = 0; i < 5; ++i) {
      ASSERT_TRUE(b.add_string(at(i + 10, 1), keys[i]).ok());
      ASSERT_TRUE(b.add_int(at(i + 10, 5), i).ok());
    }
    ASSERT_TRUE(b.end_map(&diags).ok());
    Document doc = std::move(b).finish();
    EXPECT_EQ(doc.root().size(), 2u + static_cast<size_t>(filler));
    EXPECT_EQ(doc.root().find("a")->as_int(), 4);
    EXPECT_EQ(doc.root().find("b")->as_int(), 2);
    ASSERT_EQ(diags.items().size(), 3u);
    EXPECT_EQ(diags.items()[0].location.line, 12u);
    EXPECT_NE(diags.items()[0].message.find("(first at x:11:1)"), std::string::npos)
        << diags.items()[0].message;
    EXPECT_EQ(diags.items()[1].location.line, 13u);
    EXPECT_NE(diags.items()[1].message.find("(first at x:10:1)"), std::string::npos)
        << diags.items()[1].message;
    EXPECT_EQ(diags.items()[2].location.line, 14u);
    EXPECT_NE(diags.items()[2].message.find("(first at x:13:1)"), std::string::npos)
        << diags.items()[2].message;
  }
}

TEST(Builder, NonStringKeysNeverMatchFind) {
  Builder b("x", Format::kYaml, "");
  ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(b.add_int(at(1, 1), i).ok());
    ASSERT_TRUE(b.add_bool(at(1, 1), true).ok());
  }
  ASSERT_TRUE(b.add_string(at(1, 1), "1").ok());
  ASSERT_TRUE(b.add_string(at(1, 1), "one").ok());
  ASSERT_TRUE(b.end_map().ok());
  Document doc = std::move(b).finish();
  EXPECT_EQ(doc.root().size(), 13u);
  ASSERT_NE(doc.root().find("1"), nullptr);
  EXPECT_EQ(doc.root().find("1")->as_string(), "one");
  EXPECT_EQ(doc.root().find("0"), nullptr);
}

void build_map(Builder& b, int n) {
  ASSERT_TRUE(b.begin_map(at(1, 1)).ok());
  for (int i = n - 1; i >= 0; --i) {  // reverse order: the index must sort
    ASSERT_TRUE(b.add_string(at(1, 1), "key" + std::to_string(i)).ok());
    ASSERT_TRUE(b.add_int(at(static_cast<uint32_t>(i + 1), 1), i).ok());
  }
  ASSERT_TRUE(b.end_map().ok());
}

TEST(Find, SmallMapLinear) {
  Builder b("x", Format::kJson, "");
  build_map(b, static_cast<int>(Node::kIndexThreshold));
  Document doc = std::move(b).finish();
  for (int i = 0; i < static_cast<int>(Node::kIndexThreshold); ++i) {
    const Node* v = doc.root().find("key" + std::to_string(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(v->as_int(), i);
  }
  EXPECT_EQ(doc.root().find("key"), nullptr);
  EXPECT_EQ(doc.root().find(""), nullptr);
}

TEST(Find, LargeMapBinarySearch) {
  for (int n : {9, 10, static_cast<int>(Node::kIndexThreshold) + 1, 64, 1000}) {
    Builder b("x", Format::kJson, "");
    build_map(b, n);
    Document doc = std::move(b).finish();
    ASSERT_EQ(doc.root().size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const Node* v = doc.root().find("key" + std::to_string(i));
      ASSERT_NE(v, nullptr) << n << " " << i;
      EXPECT_EQ(v->as_int(), i);
    }
    EXPECT_EQ(doc.root().find("key"), nullptr);
    EXPECT_EQ(doc.root().find("zzz"), nullptr);
    EXPECT_EQ(doc.root().find("a"), nullptr);
    EXPECT_EQ(doc.root().find("key" + std::to_string(n)), nullptr);
    // Document order is kept.
    EXPECT_EQ(doc.root().members()[0].key.as_string(), "key" + std::to_string(n - 1));
  }
}

TEST(Find, NotAMapReturnsNull) {
  Builder b("x", Format::kJson, "");
  ASSERT_TRUE(b.add_string(at(1, 1), "a").ok());
  Document doc = std::move(b).finish();
  EXPECT_EQ(doc.root().find("a"), nullptr);
  EXPECT_EQ(doc.root().find_path({"a", "b"}), nullptr);
}

TEST(FindPath, NestedSmallAndLarge) {
  auto doc = testing::json(
      R"({"a": {"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"b": {"c": [1, {"d": true}]}}})");
  const Node* c = doc.root().find_path({"a", "b", "c"});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind(), NodeKind::kList);
  EXPECT_EQ(doc.root().find_path({"a", "k8"})->as_int(), 8);
  EXPECT_EQ(doc.root().find_path({"a", "missing", "c"}), nullptr);
  EXPECT_EQ(doc.root().find_path({"a", "b", "c", "d"}), nullptr);  // a list has no keys
  EXPECT_EQ(doc.root().find_path({}), &doc.root());
}

TEST(Document, MoveKeepsNodePointersValid) {
  auto doc = testing::json(R"({"a": {"b": "hello", "c": [1, 2, 3]}})");
  const Node* b = doc.root().find_path({"a", "b"});
  const Node* root = &doc.root();
  std::string_view s = b->as_string();
  Document moved = std::move(doc);
  EXPECT_EQ(&moved.root(), root);
  EXPECT_EQ(moved.root().find_path({"a", "b"}), b);
  EXPECT_EQ(b->as_string(), "hello");
  EXPECT_EQ(s, "hello");
  std::vector<Document> docs;
  docs.push_back(std::move(moved));
  for (int i = 0; i < 20; ++i) docs.push_back(testing::json("[1]"));  // reallocations
  EXPECT_EQ(b->as_string(), "hello");
  EXPECT_EQ(docs[0].location(*b).to_string(), "t.json:1:13");
  Document assigned = testing::json("{}");
  assigned = std::move(docs[0]);
  EXPECT_EQ(assigned.root().find_path({"a", "c"})->items()[2].as_int(), 3);
}

TEST(Document, NoRootsGivesNullRoot) {
  Builder b("x", Format::kYaml, "");
  Document doc = std::move(b).finish();
  EXPECT_TRUE(doc.roots().empty());
  EXPECT_TRUE(doc.root().is_null());
  EXPECT_EQ(doc.node_count(), 0u);
}

TEST(Document, LocationOfPos) {
  Builder b("dir/f.yaml", Format::kYaml, "x");
  Document doc = std::move(b).finish();
  core::Location loc = doc.location(Pos{3, 7, 42});
  EXPECT_EQ(loc.file, "dir/f.yaml");
  EXPECT_EQ(loc.line, 3u);
  EXPECT_EQ(loc.column, 7u);
  EXPECT_EQ(loc.offset, 42u);
}

TEST(Builder, SharedNodeCountsItsWeight) {
  Limits limits;
  limits.max_nodes = 10;
  Builder b("x", Format::kYaml, "", limits);
  ASSERT_TRUE(b.begin_list(at(1, 1)).ok());
  ASSERT_TRUE(b.begin_list(at(1, 2)).ok());
  ASSERT_TRUE(b.add_int(at(1, 3), 1).ok());
  ASSERT_TRUE(b.add_int(at(1, 5), 2).ok());
  ASSERT_TRUE(b.end_list().ok());
  Node copy = b.last_node();
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(b.node_count(), 4u);
  ASSERT_TRUE(b.add_shared(at(2, 1), copy, 3).ok());
  EXPECT_EQ(b.node_count(), 7u);
  ASSERT_TRUE(b.add_shared(at(3, 1), copy, 3).ok());
  auto s = b.add_shared(at(4, 1), copy, 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "doc.limit.nodes");
  EXPECT_EQ(lc(s.error()), "4:1");
}

}  // namespace
}  // namespace sekimori::formats
