#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "formats/document.h"
#include "test_util.h"

namespace sekimori::formats {
namespace {

using testing::lc;

const std::string kData = std::string(SKM_SOURCE_DIR) + "/tests/data/formats/";

Document load(std::string text, core::Diagnostics* diags = nullptr) {
  core::Diagnostics local;
  return testing::must(load_document("in", std::move(text), Limits{}, diags ? *diags : local));
}

TEST(LoadDocument, ObjectIsJson) {
  auto doc = load("  {\"a\": 1}");
  EXPECT_EQ(doc.format(), Format::kJson);
  EXPECT_EQ(doc.root().find("a")->as_int(), 1);
}

TEST(LoadDocument, ArrayIsJson) { EXPECT_EQ(load("\n[1, 2]").format(), Format::kJson); }

TEST(LoadDocument, BomThenObjectIsJson) { EXPECT_EQ(load("\xEF\xBB\xBF{}").format(), Format::kJson); }

TEST(LoadDocument, MappingIsYaml) {
  auto doc = load("a: 1\n");
  EXPECT_EQ(doc.format(), Format::kYaml);
  EXPECT_EQ(doc.root().find("a")->as_int(), 1);
}

TEST(LoadDocument, FlowYamlFallsBackToYaml) {
  auto doc = load("{a: 1, b: [x, y]}");
  EXPECT_EQ(doc.format(), Format::kYaml);
  EXPECT_EQ(doc.root().find("b")->items()[1].as_string(), "y");
}

TEST(LoadDocument, FlowYamlAfterABomFallsBackWithItsLocations) {
  // The JSON attempt strips the BOM and must give the text back as it came.
  auto doc = load("\xEF\xBB\xBF{a: 1,\n b: x}");
  EXPECT_EQ(doc.format(), Format::kYaml);
  ASSERT_NE(doc.root().find("b"), nullptr);
  EXPECT_EQ(doc.root().find("b")->pos().line, 2u);
  EXPECT_EQ(doc.text(), "{a: 1,\n b: x}");
}

TEST(LoadJsonOrKeep, GivesTheTextBackOnEveryError) {
  const std::string cases[] = {
      "{\"a\": [1, 2}",                  // syntax, found while walking
      "{\"a\": \"unterminated",          // syntax, found by the structural index
      "   ",                             // empty
      "\xEF\xBB\xBF{\"a\": \"\xFF\"}",     // invalid UTF-8, after a BOM
      "[1, 2, 3]",                       // a limit (max_nodes below)
  };
  Limits limits;
  limits.max_nodes = 2;
  for (const std::string& c : cases) {
    std::string text = c;
    core::Diagnostics diags;
    auto r = load_json_or_keep("in.json", text, limits, diags);
    EXPECT_FALSE(r.ok()) << c;
    EXPECT_EQ(text, c);
  }
  std::string big(2000, ' ');  // over max_bytes
  big += "{}";
  limits.max_bytes = 100;
  std::string text = big;
  core::Diagnostics diags;
  EXPECT_FALSE(load_json_or_keep("in.json", text, limits, diags).ok());
  EXPECT_EQ(text, big);
}

TEST(LoadJsonOrKeep, TakesTheTextOnSuccess) {
  std::string text = "{\"a\": 1}";
  core::Diagnostics diags;
  auto r = load_json_or_keep("in.json", text, Limits{}, diags);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text(), "{\"a\": 1}");
  EXPECT_EQ(r->root().find("a")->as_int(), 1);
}

TEST(LoadDocument, JsonWithTrailingYamlDocumentsFallsBack) {
  auto doc = load("{\"a\": 1}\n---\n{\"a\": 2}\n");
  EXPECT_EQ(doc.format(), Format::kYaml);
  EXPECT_EQ(doc.roots().size(), 2u);
}

TEST(LoadDocument, BrokenJsonReportsTheJsonError) {
  core::Diagnostics diags;
  auto r = load_document("in.json", "{\"a\": [1, 2}", Limits{}, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "json.syntax");
  EXPECT_EQ(lc(r.error()), "1:12");
}

TEST(LoadDocument, JsonLimitErrorsDoNotFallBack) {
  Limits limits;
  limits.max_nodes = 2;
  core::Diagnostics diags;
  auto r = load_document("in.json", "[1, 2, 3]", limits, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "doc.limit.nodes");
}

TEST(LoadDocument, WarningsOfTheChosenLoaderOnly) {
  core::Diagnostics diags;
  auto doc = load("{\"a\": 1, \"a\": 2}", &diags);
  EXPECT_EQ(doc.format(), Format::kJson);
  EXPECT_EQ(diags.items().size(), 1u);
}

TEST(LoadFile, LoadsYamlWithCrlfAndTags) {
  core::Diagnostics diags;
  auto r = load_file(kData + "template.yaml", Limits{}, diags);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Node* name = r->root().find_path({"Resources", "Bucket", "Properties", "BucketName"});
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->tag(), "!Sub");
  EXPECT_EQ(name->as_string(), "${AWS::StackName}-logs");
  EXPECT_EQ(r->location(*name).to_string(), kData + "template.yaml:6:19");
  EXPECT_EQ(r->path(), kData + "template.yaml");
}

TEST(LoadFile, LoadsJson) {
  core::Diagnostics diags;
  auto r = load_file(kData + "template.json", Limits{}, diags);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->format(), Format::kJson);
  EXPECT_EQ(lc(r->root().find_path({"Resources", "Bucket", "Type"})), "3:24");
}

TEST(LoadFile, MissingFileIsIoRead) {
  core::Diagnostics diags;
  std::string path = kData + "does-not-exist.yaml";
  auto r = load_file(path, Limits{}, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "io.read");
  ASSERT_TRUE(r.error().location.has_value());
  EXPECT_EQ(r.error().location->file, path);
  EXPECT_NE(r.error().message.find("does-not-exist.yaml"), std::string::npos);
}

TEST(LoadFile, DirectoryIsAnError) {
  core::Diagnostics diags;
  auto r = load_file(kData, Limits{}, diags);
  EXPECT_FALSE(r.ok());
}

TEST(LoadFile, FileLargerThanLimit) {
  Limits limits;
  limits.max_bytes = 10;
  core::Diagnostics diags;
  auto r = load_file(kData + "template.json", limits, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "doc.limit.size");
}

TEST(LoadFile, EmptyFileIsAnEmptyYamlStream) {
  std::string path = ::testing::TempDir() + "sekimori_formats_empty.yaml";
  { std::ofstream(path).flush(); }
  core::Diagnostics diags;
  auto r = load_file(path, Limits{}, diags);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->roots().empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sekimori::formats
