// Snapshots (formats/snapshot.h): a tree written to bytes rebuilds node for node, a root
// member can be left out, and damaged bytes are an error, never a crash.
#include "formats/snapshot.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace sekimori::formats {
namespace {

using testing::yaml;

constexpr std::string_view kText =
    "# a comment\n"
    "name: demo\n"
    "quoted: \"true\"\n"
    "plain: true\n"
    "count: -42\n"
    "big: 18446744073709551615\n"
    "ratio: 2.5e-3\n"
    "nothing: ~\n"
    "tagged: !Ref Bucket\n"
    "sub: !Sub\n  - '${A}-x'\n  - {A: b}\n"
    "block: |\n  line one\n  line two\n"
    "anchor: &a {k: [1, 2, {deep: [x]}]}\n"
    "alias: *a\n"
    "empty_list: []\n"
    "empty_map: {}\n"
    "7: seven\n"
    "examples:\n  - text: |\n      a: 1\n"
    "---\n"
    "second: document\n";

Document rebuilt(const Document& doc, std::string_view skip = {}) {
  std::string bytes = snapshot(doc);
  auto r = load_snapshot("t.yaml", std::string(doc.text()), bytes, Limits{}, skip);
  return testing::must(std::move(r));
}

TEST(Snapshot, RebuildsTheSameTree) {
  Document doc = yaml(std::string(kText));
  Document again = rebuilt(doc);
  ASSERT_EQ(again.roots().size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(identical(doc.roots()[i], again.roots()[i])) << "root " << i;
  EXPECT_EQ(again.path(), "t.yaml");
  EXPECT_EQ(again.format(), Format::kYaml);
  EXPECT_EQ(again.text(), doc.text());
  // spot checks, so that a bug shared by identical() and the writer cannot hide
  const Node& root = again.root();
  EXPECT_EQ(root.find("tagged")->tag(), "!Ref");
  EXPECT_EQ(root.find("sub")->tag(), "!Sub");
  EXPECT_TRUE(root.find("quoted")->quoted());
  EXPECT_EQ(root.find("quoted")->kind(), NodeKind::kString);
  EXPECT_EQ(root.find("plain")->kind(), NodeKind::kBool);
  EXPECT_EQ(root.find("count")->as_int(), -42);
  EXPECT_EQ(root.find("big")->as_uint(), UINT64_MAX);
  EXPECT_DOUBLE_EQ(root.find("ratio")->as_double(), 2.5e-3);
  EXPECT_TRUE(root.find("nothing")->is_null());
  EXPECT_EQ(root.find("block")->as_string(), "line one\nline two\n");
  EXPECT_EQ(testing::lc(root.find("count")), "5:8");
  EXPECT_EQ(root.find("alias")->find("k")->items()[2].find("deep")->items()[0].as_string(), "x");
  EXPECT_EQ(root.find("alias")->pos().line, 17u);  // where the alias is, not the anchor
  EXPECT_EQ(again.location(*root.find("name")).to_string(), "t.yaml:2:7");
  EXPECT_EQ(root.members().back().key.as_string(), "examples");
  EXPECT_EQ(root.members()[root.size() - 2].key.kind(), NodeKind::kInt);
}

TEST(Snapshot, IdenticalNoticesEveryDifference) {
  Document doc = yaml(std::string(kText));
  for (std::string_view changed : {"name: Demo\n", "plain: false\n", "count: -43\n", "count: \"-42\"\n",
                                   "tagged: !GetAtt Bucket\n", "nothing: null \n"}) {
    std::string text(kText);
    std::string_view key = changed.substr(0, changed.find(':') + 1);
    size_t at = text.find(std::string("\n") + std::string(key)) + 1;
    size_t end = text.find('\n', at) + 1;
    text.replace(at, end - at, changed);
    Document other = yaml(text);
    EXPECT_FALSE(identical(doc.root(), other.root())) << changed;
  }
  // the same values one column to the right
  EXPECT_FALSE(identical(yaml("a: 1\n").root(), yaml("a:  1\n").root()));
  EXPECT_TRUE(identical(yaml("a: 1\n").root(), yaml("a: 1\n").root()));
}

TEST(Snapshot, LeavesOutARootMember) {
  Document doc = yaml(std::string(kText));
  Document cut = rebuilt(doc, "examples");
  EXPECT_EQ(cut.root().find("examples"), nullptr);
  EXPECT_EQ(cut.root().size(), doc.root().size() - 1);
  ASSERT_NE(cut.root().find("empty_map"), nullptr);
  // only at the root: nested members of that name stay
  Document nested = yaml("a:\n  examples: 1\nexamples: 2\n");
  Document again = rebuilt(nested, "examples");
  EXPECT_EQ(again.root().size(), 1u);
  EXPECT_NE(again.root().find("a")->find("examples"), nullptr);
}

TEST(Snapshot, UnknownNodesAndEmptyStreams) {
  const std::string shape("arn:\0:root", 10);
  Builder b("t.json", Format::kJson, "");
  ASSERT_TRUE(b.begin_list({1, 1, 0}).ok());
  ASSERT_TRUE(b.add_unknown({1, 2, 1}).ok());
  ASSERT_TRUE(b.add_unknown({1, 3, 2}, shape).ok());
  ASSERT_TRUE(b.end_list().ok());
  Document doc = std::move(b).finish();
  Document again = rebuilt(doc);
  EXPECT_EQ(again.root().items()[0].kind(), NodeKind::kUnknown);
  EXPECT_EQ(again.root().items()[0].unknown_shape(), "");
  EXPECT_EQ(again.root().items()[1].kind(), NodeKind::kUnknown);
  EXPECT_EQ(again.root().items()[1].unknown_shape(), shape);
  EXPECT_TRUE(identical(doc.root(), again.root()));
  EXPECT_FALSE(identical(doc.root().items()[0], doc.root().items()[1]));
  EXPECT_TRUE(rebuilt(yaml("# nothing\n")).roots().empty());
}

TEST(Snapshot, LimitsStillApply) {
  Document doc = yaml("a: [[[1]]]\n");
  Limits shallow;
  shallow.max_depth = 2;
  auto r = load_snapshot("t.yaml", "", snapshot(doc), shallow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "doc.limit.depth");
}

TEST(Snapshot, DamagedBytesAreAnError) {
  std::string bytes = snapshot(yaml(std::string(kText)));
  // every truncation, and trailing bytes
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = load_snapshot("t.yaml", "", std::string_view(bytes).substr(0, n), Limits{});
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, "doc.snapshot");
  }
  EXPECT_FALSE(load_snapshot("t.yaml", "", bytes + "x", Limits{}).ok());
  // every single-byte change either loads or is an error; none reads out of bounds (ASan)
  size_t errors = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    errors += load_snapshot("t.yaml", "", bad, Limits{}).ok() ? 0 : 1;
  }
  EXPECT_GT(errors, bytes.size() / 4);
  // a count far beyond the bytes left
  std::string huge("SKMS\x01\x01\x07\x01\x01\x00\xff\xff\xff\xff\x0f", 15);
  EXPECT_FALSE(load_snapshot("t.yaml", "", huge, Limits{}).ok());
}

TEST(Snapshot, FoundOnlyForTheTextItWasMadeFrom) {
  std::string text = "a: 1\n";
  std::string bytes = snapshot(yaml(text));
  EmbeddedSnapshot list[] = {{"rules/a.yaml", text.size(), snapshot_text_hash(text), bytes}};
  EXPECT_EQ(find_snapshot(list, "rules/a.yaml", text), bytes);
  EXPECT_TRUE(find_snapshot(list, "rules/b.yaml", text).empty());
  EXPECT_TRUE(find_snapshot(list, "rules/a.yaml", "a: 2\n").empty());
  EXPECT_TRUE(find_snapshot(list, "rules/a.yaml", "a: 1\n\n").empty());
  EXPECT_NE(snapshot_text_hash("a"), snapshot_text_hash("b"));
}

}  // namespace
}  // namespace sekimori::formats
