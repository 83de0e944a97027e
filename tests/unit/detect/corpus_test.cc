// Corpus tests over ../shared/corpora: every SigmaHQ AWS rule loads, and the Stratus Red
// Team detonation logs give the reviewed golden table (tests/data/detect/stratus_golden.txt,
// explained in docs/detection-golden.md). Skipped when the shared corpora are absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "detect/hunt.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

namespace fs = std::filesystem;

const std::string kSigmaDir = std::string(SKM_SHARED_DIR) + "/corpora/sigma/rules/cloud/aws";
const std::string kStratusDir = std::string(SKM_SHARED_DIR) + "/corpora/stratus/docs/detonation-logs";
const std::string kGolden = std::string(SKM_SOURCE_DIR) + "/tests/data/detect/stratus_golden.txt";

TEST(Corpus, EverySigmaHqAwsRuleLoadsWithoutProblems) {
  if (!fs::is_directory(kSigmaDir)) GTEST_SKIP() << "shared corpus not found: " << kSigmaDir;
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(kSigmaDir)) {
    if (e.path().extension() != ".yml") continue;
    ++files;
    core::Diagnostics diags;
    RuleSet set;
    set.add_path(e.path().string(), diags);
    auto engine = Engine::build(set, {}, diags);
    ASSERT_TRUE(engine.ok());
    // report per rule anything unsupported or suspicious: the goal is none at all
    EXPECT_TRUE(diags.empty()) << e.path().filename() << ":\n" << diags.to_text();
    EXPECT_EQ(engine->detection_count() + engine->correlations().size(), set.rules().size()) << e.path();
  }
  EXPECT_GE(files, 50u);
}

TEST(Corpus, StratusDetonationsGolden) {
  if (!fs::is_directory(kSigmaDir) || !fs::is_directory(kStratusDir)) {
    GTEST_SKIP() << "shared corpora not found under " << SKM_SHARED_DIR;
  }
  core::Diagnostics diags;
  RuleSet set;
  set.add_path(kSigmaDir, diags);
  auto engine = Engine::build(set, {}, diags);
  ASSERT_TRUE(engine.ok());
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kStratusDir)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());

  struct Sink : AlertSink {
    std::map<std::string, std::map<std::string, int>> fired;  // file -> rule title -> count
    void alert(const Alert& a) override { ++fired[fs::path(a.file).filename().string()][a.meta->title]; }
  } sink;
  HuntStats st = hunt(*engine, files, {}, sink);
  EXPECT_EQ(st.files_failed, 0u);
  EXPECT_EQ(st.malformed, 0u);

  std::ostringstream actual;
  for (const std::string& f : files) {
    std::string name = fs::path(f).filename().string();
    actual << name << ":";
    auto it = sink.fired.find(name);
    if (it == sink.fired.end()) {
      actual << " -\n";
      continue;
    }
    bool first = true;
    for (const auto& [title, n] : it->second) {
      actual << (first ? " " : "; ") << title << " x" << n;
      first = false;
    }
    actual << "\n";
  }
  if (const char* update = std::getenv("SKM_UPDATE_GOLDEN"); update && *update) {
    std::ofstream(kGolden) << actual.str();
  }
  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << "missing " << kGolden << "; run with SKM_UPDATE_GOLDEN=1 and review it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual.str(), expected.str());
}

}  // namespace
}  // namespace sekimori::detect
