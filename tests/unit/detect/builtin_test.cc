// The bundled detections embedded in the binary, and the $SEKIMORI_DETECTIONS override.
#include "detect/builtin.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../embedded_snapshots.h"
#include "detect/engine.h"

namespace sekimori::detect {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Start-up rebuilds the detections' trees from build-time snapshots, not parsing them.
TEST(Builtin, EveryDetectionFileHasASnapshotOfItsYaml) {
  testing::expect_snapshot_for_every_file(builtin_detection_files(), builtin_detection_snapshots());
}

TEST(Builtin, EveryDetectionFileIsEmbeddedVerbatim) {
  fs::path root = fs::path(SKM_SOURCE_DIR);
  size_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(root / "detections")) {
    if (e.path().extension() != ".yml" && e.path().extension() != ".yaml") continue;
    ++on_disk;
    std::string rel = fs::relative(e.path(), root).generic_string();
    bool found = false;
    for (const BuiltinDetectionFile& f : builtin_detection_files()) {
      if (f.path == rel) {
        found = true;
        EXPECT_EQ(f.text, slurp(e.path())) << rel;
      }
    }
    EXPECT_TRUE(found) << rel << " is not embedded";
  }
  EXPECT_GT(on_disk, 0u);
  EXPECT_EQ(builtin_detection_files().size(), on_disk);
  for (const BuiltinDetectionFile& f : builtin_detection_files()) {
    EXPECT_TRUE(f.path.ends_with(".yml") || f.path.ends_with(".yaml")) << f.path;  // no .jsonl examples
  }
}

TEST(Builtin, EmbeddedDetectionsCompileCleanly) {
  unsetenv("SEKIMORI_DETECTIONS");
  RuleSet set;
  core::Diagnostics diags;
  size_t n = add_builtin_detections(set, diags);
  EXPECT_GT(n, 30u);
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  auto engine = Engine::build(set, {}, diags);
  ASSERT_TRUE(engine.ok());
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  EXPECT_FALSE(engine->correlations().empty());
  // locations name the file as in the source tree
  EXPECT_EQ(set.rules().front().location.file.rfind("detections/", 0), 0u)
      << set.rules().front().location.file;
}

// `detect --rules detections` in a checkout: the bundled files are not loaded twice
// (which would double every alert), and one note says so.
TEST(Builtin, TheirDirectoryNextToTheEmbeddedOnesAddsNothing) {
  unsetenv("SEKIMORI_DETECTIONS");
  RuleSet set;
  core::Diagnostics diags;
  const size_t bundled = add_builtin_detections(set, diags);
  ASSERT_EQ(set.rules().size(), bundled);
  set.add_path((fs::path(SKM_SOURCE_DIR) / "detections").string(), diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  EXPECT_EQ(set.rules().size(), bundled);
  size_t notes = 0;
  for (const core::Diagnostic& d : diags.items()) {
    if (d.code != "sigma.same_text") continue;
    ++notes;
    EXPECT_EQ(d.severity, core::Severity::kNote);
    EXPECT_EQ(d.message.rfind(std::to_string(builtin_detection_files().size()) + " rule file(s) under", 0), 0u)
        << d.message;
    EXPECT_NE(d.message.find("the bundled detections/"), std::string::npos) << d.message;
  }
  EXPECT_EQ(notes, 1u) << diags.to_text();
}

TEST(Builtin, ADifferentTextLoadsAndTheSameTextDoesNot) {
  const std::string rule = "title: one\nlogsource: {product: aws}\ndetection:\n  s:\n    eventName: X\n  condition: s\n";
  RuleSet set;
  core::Diagnostics diags;
  set.add_text("a.yml", rule, diags);
  set.add_text("b.yml", rule, diags);
  set.add_text("c.yml", rule + "# a comment makes it another file\n", diags);
  EXPECT_EQ(set.rules().size(), 2u);
  ASSERT_EQ(diags.items().size(), 1u) << diags.to_text();
  EXPECT_EQ(diags.items()[0].code, "sigma.same_text");
  EXPECT_EQ(diags.items()[0].location.file, "b.yml");
}

TEST(Builtin, EnvironmentOverridesTheEmbeddedFiles) {
  fs::path dir = fs::path(::testing::TempDir()) / "skm_detections_override";
  fs::create_directories(dir);
  std::ofstream(dir / "one.yml")
      << "title: only rule\nlogsource: {product: aws}\ndetection:\n  s:\n    eventName: X\n"
         "  condition: s\n";
  setenv("SEKIMORI_DETECTIONS", dir.c_str(), 1);
  EXPECT_EQ(detections_override(), dir.string());
  RuleSet set;
  core::Diagnostics diags;
  EXPECT_EQ(add_builtin_detections(set, diags), 1u);
  ASSERT_EQ(set.rules().size(), 1u);
  EXPECT_EQ(set.rules()[0].title, "only rule");
  unsetenv("SEKIMORI_DETECTIONS");
  EXPECT_EQ(detections_override(), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sekimori::detect
