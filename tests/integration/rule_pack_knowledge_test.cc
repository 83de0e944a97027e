// The bundled rule pack against the knowledge base: every threat key, CCM v4 ID, CIS AWS
// v7 ID and Security Guidance domain a rule names must exist, and every resource type a
// rule applies to must have a service-model classification (the responsibility report
// depends on it). A failure names the rule and the unknown identifier.
//
// The other direction too: every rule and detection a countermeasure or a responsibility
// layer names must exist in the bundled packs, every threat must end with at least 3
// automated rules or detections, and the bundled detections' `csa.*`, `ccm.*` and
// `cis-aws.*` tags must name known identifiers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "detect/sigma.h"
#include "knowledge/knowledge.h"
#include "policy/rule.h"

namespace sekimori {
namespace {

class RulePack : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Diagnostics diags;
    rules_.add_builtin(diags);
    ASSERT_FALSE(diags.has_errors()) << diags.to_text();
    ASSERT_FALSE(rules_.rules().empty());
  }
  policy::RuleSet rules_;
  const knowledge::KnowledgeBase& kb_ = knowledge::KnowledgeBase::builtin();
};

TEST_F(RulePack, EveryMappingNamesAKnownIdentifier) {
  for (const policy::Rule& r : rules_.rules()) {
    EXPECT_FALSE(r.threats.empty()) << r.id << " maps to no threat";
    for (const std::string& t : r.threats) EXPECT_TRUE(kb_.is_valid_threat(t)) << r.id << ": threat " << t;
    for (const std::string& c : r.ccm) EXPECT_TRUE(kb_.is_valid_ccm(c)) << r.id << ": CCM " << c;
    for (const std::string& c : r.cis_aws) EXPECT_TRUE(kb_.is_valid_cis(c)) << r.id << ": CIS " << c;
    for (int g : r.guidance) EXPECT_TRUE(kb_.is_valid_guidance(g)) << r.id << ": guidance " << g;
    for (int s : r.stages) EXPECT_TRUE(knowledge::KnowledgeBase::is_valid_stage(s)) << r.id << ": stage " << s;
  }
}

TEST_F(RulePack, EveryRuleTypeHasAServiceModel) {
  std::vector<std::string> types;
  for (const policy::Rule& r : rules_.rules()) types.insert(types.end(), r.types.begin(), r.types.end());
  std::vector<std::string> missing = kb_.unclassified(types);
  EXPECT_TRUE(missing.empty()) << "types with no service model: " << ::testing::PrintToString(missing);
}

class Detections : public RulePack {
 protected:
  void SetUp() override {
    RulePack::SetUp();
    core::Diagnostics diags;
    detections_.add_path(SKM_DETECTIONS_DIR, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.to_text();
    ASSERT_FALSE(detections_.rules().empty());
    for (const detect::Rule& d : detections_.rules()) {
      if (!d.name.empty()) known_.insert(d.name);
      if (!d.id.empty()) known_.insert(d.id);
    }
  }
  detect::RuleSet detections_;
  std::set<std::string> known_;
};

TEST_F(Detections, EveryCountermeasureNamesKnownRulesAndDetections) {
  for (const knowledge::Threat& t : kb_.threats()) {
    for (const knowledge::Countermeasure& c : t.countermeasures) {
      for (const std::string& r : c.rules)
        EXPECT_NE(rules_.find(r), nullptr) << t.key << " stage " << c.stage << " " << c.item << ": unknown rule " << r;
      for (const std::string& d : c.detections)
        EXPECT_TRUE(known_.count(d)) << t.key << " stage " << c.stage << " " << c.item << ": unknown detection " << d;
    }
  }
}

TEST_F(Detections, EveryLayerNamesKnownDetections) {
  for (const knowledge::Layer& l : kb_.layers())
    for (const std::string& d : l.detections) EXPECT_TRUE(known_.count(d)) << l.id << ": unknown detection " << d;
}

TEST_F(Detections, EveryThreatHasAtLeastThreeAutomatedChecks) {
  for (const knowledge::Threat& t : kb_.threats()) {
    std::set<std::string> checks;
    for (const knowledge::Countermeasure& c : t.countermeasures) {
      for (const std::string& r : c.rules)
        if (rules_.find(r) != nullptr) checks.insert(r);
      for (const std::string& d : c.detections)
        if (known_.count(d)) checks.insert(d);
    }
    EXPECT_GE(checks.size(), 3u) << t.key << " has too few automated rules or detections";
  }
}

TEST_F(Detections, TagsNameKnownIdentifiers) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::set<std::string> threats, ccm;
  for (const knowledge::Threat& t : kb_.threats()) threats.insert(lower(t.key));
  for (const knowledge::Threat2024& t : kb_.threats_2024()) threats.insert(lower(t.key));
  for (const knowledge::CcmControl& c : kb_.ccm_controls()) ccm.insert(lower(c.id));
  for (const detect::Rule& d : detections_.rules()) {
    for (const std::string& raw : d.tags) {
      std::string tag = lower(raw);
      EXPECT_TRUE(tag.rfind("csa.", 0) != 0 || threats.count(tag.substr(4))) << d.name << ": threat tag " << raw;
      EXPECT_TRUE(tag.rfind("ccm.", 0) != 0 || ccm.count(tag.substr(4))) << d.name << ": CCM tag " << raw;
      EXPECT_TRUE(tag.rfind("cis-aws.", 0) != 0 || kb_.is_valid_cis(tag.substr(8))) << d.name << ": CIS tag " << raw;
    }
  }
}

// Every rule's CCM controls fall in at least one responsibility layer, so the
// responsibility report can place every rule.
TEST_F(RulePack, EveryRuleControlHasALayer) {
  for (const policy::Rule& r : rules_.rules()) {
    bool placed = std::any_of(r.ccm.begin(), r.ccm.end(), [&](const std::string& c) { return !kb_.layers_for_ccm(c).empty(); });
    EXPECT_TRUE(placed || r.ccm.empty()) << r.id << " has no CCM control that a layer names";
  }
}

}  // namespace
}  // namespace sekimori
