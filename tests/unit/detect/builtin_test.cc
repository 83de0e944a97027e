// The bundled detections embedded in the binary, and the $SEKIMORI_DETECTIONS override.
#include "detect/builtin.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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
