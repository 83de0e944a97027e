// The bundled rule pack against the knowledge base: every threat key, CCM v4 ID, CIS AWS
// v7 ID and Security Guidance domain a rule names must exist, and every resource type a
// rule applies to must have a service-model classification (the responsibility report
// depends on it). A failure names the rule and the unknown identifier.
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

}  // namespace
}  // namespace sekimori
