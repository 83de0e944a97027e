// The bundled detections (detections/**.yml): every rule file loads with no diagnostic at
// all, and ships match and no-match events (<stem>.match.jsonl, <stem>.nomatch.jsonl)
// that it must, and must not, alert on. A rule file without events fails the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "detect/hunt.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

namespace fs = std::filesystem;

struct Count : AlertSink {
  size_t alerts = 0, correlation_alerts = 0;
  std::set<std::string> titles;
  void alert(const Alert& a) override {
    ++alerts;
    correlation_alerts += a.correlation;
    titles.insert(a.meta->title);
  }
};

size_t lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string l; std::getline(in, l);) n += !l.empty();
  return n;
}

TEST(Detections, EveryBundledRuleHasPassingMatchAndNoMatchEvents) {
  std::string dir = std::string(SKM_SOURCE_DIR) + "/detections";
  ASSERT_TRUE(fs::is_directory(dir));
  std::vector<fs::path> rules;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".yml") rules.push_back(e.path());
  }
  std::sort(rules.begin(), rules.end());
  EXPECT_GE(rules.size(), 30u);
  std::set<std::string> ids;
  for (const fs::path& rule : rules) {
    SCOPED_TRACE(rule.filename().string());
    core::Diagnostics diags;
    RuleSet set;
    set.add_path(rule.string(), diags);
    auto engine = Engine::build(set, {}, diags);
    ASSERT_TRUE(engine.ok());
    EXPECT_TRUE(diags.empty()) << diags.to_text();
    for (const Rule& r : set.rules()) {
      EXPECT_FALSE(r.id.empty());
      EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id;
    }
    bool correlation = !engine->correlations().empty();
    std::string stem = (rule.parent_path() / rule.stem()).string();
    std::string match = stem + ".match.jsonl", nomatch = stem + ".nomatch.jsonl";
    ASSERT_TRUE(fs::exists(match) && fs::exists(nomatch)) << "every rule needs match and no-match events";
    ASSERT_GT(lines(match), 0u);
    ASSERT_GT(lines(nomatch), 0u);
    Count hit, miss;
    HuntStats st = hunt(*engine, {match}, {}, hit);
    EXPECT_EQ(st.malformed, 0u);
    if (correlation) {
      EXPECT_GE(hit.correlation_alerts, 1u);
    } else {
      EXPECT_EQ(hit.alerts, lines(match)) << "each match event must alert";
    }
    hunt(*engine, {nomatch}, {}, miss);
    EXPECT_EQ(miss.alerts, 0u) << (miss.titles.empty() ? "" : *miss.titles.begin());
  }
}

}  // namespace
}  // namespace sekimori::detect
