// The bundled knowledge data: loads cleanly, is complete, and the lookups work on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "../embedded_snapshots.h"
#include "knowledge/knowledge.h"

namespace sekimori::knowledge {
namespace {

const KnowledgeBase& kb() { return KnowledgeBase::builtin(); }

// Start-up rebuilds the bundled files' trees from build-time snapshots, not parsing them.
TEST(Builtin, EveryFileHasASnapshotOfItsYaml) {
  testing::expect_snapshot_for_every_file(builtin_files(), builtin_snapshots());
}

TEST(Builtin, LoadsWithZeroDiagnostics) {
  EXPECT_TRUE(KnowledgeBase::builtin_diagnostics().empty()) << KnowledgeBase::builtin_diagnostics().to_text();
  EXPECT_EQ(builtin_files().size(), 7u);
}

TEST(Builtin, BuiltinIsOneInstance) { EXPECT_EQ(&KnowledgeBase::builtin(), &KnowledgeBase::builtin()); }

TEST(Threats, ElevenThreatsKeyedT01ToT11) {
  ASSERT_EQ(kb().threats().size(), 11u);
  for (int i = 1; i <= 11; ++i) {
    std::string key = (i < 10 ? "T0" : "T") + std::to_string(i);
    const Threat* t = kb().threat(key);
    ASSERT_NE(t, nullptr) << key;
    EXPECT_EQ(t->rank, i);
    EXPECT_FALSE(t->name.empty());
    EXPECT_FALSE(t->summary.empty());
    EXPECT_FALSE(t->impact.empty()) << key;
  }
  EXPECT_EQ(kb().threat("T02")->name, "Misconfiguration and Inadequate Change Control");
  EXPECT_EQ(kb().threat("T12"), nullptr);
}

TEST(Threats, EveryThreatHasCountermeasuresInSeveralStages) {
  for (const Threat& t : kb().threats()) {
    std::set<int> stages;
    for (const Countermeasure& c : t.countermeasures) {
      EXPECT_TRUE(KnowledgeBase::is_valid_stage(c.stage)) << t.key;
      EXPECT_NE(kb().item(c.item), nullptr) << t.key << " " << c.item;
      stages.insert(c.stage);
    }
    EXPECT_GE(stages.size(), 3u) << t.key << " covers too few stages";
    EXPECT_TRUE(std::is_sorted(t.countermeasures.begin(), t.countermeasures.end(),
                               [](const Countermeasure& a, const Countermeasure& b) { return a.stage < b.stage; }));
  }
}

TEST(Threats, CountsMatchTheSourcePaper) {
  size_t total = 0, automated = 0;
  for (const Threat& t : kb().threats()) {
    total += t.countermeasures.size();
    for (const Countermeasure& c : t.countermeasures) automated += c.mode == Mode::kAutomated;
  }
  EXPECT_EQ(total, 146u);  // rows of the paper's eleven tables
  EXPECT_EQ(automated, 81u);
  EXPECT_EQ(kb().items().size(), 75u);  // distinct normalised items
  EXPECT_EQ(kb().threat("T03")->countermeasures.size(), 19u);
  EXPECT_EQ(kb().threat("T09")->countermeasures.size(), 8u);
}

TEST(Threats, AutomatedHaveChecksAndOrganisationalDoNot) {
  for (const Threat& t : kb().threats()) {
    for (const Countermeasure& c : t.countermeasures) {
      if (c.mode == Mode::kAutomated) {
        EXPECT_NE(c.checks, 0) << t.key << " " << c.item;
      } else {
        EXPECT_EQ(c.checks, 0) << t.key << " " << c.item;
        EXPECT_TRUE(c.rules.empty() && c.detections.empty());
      }
    }
  }
}

TEST(Threats, PaperNumberingIsMappedToCanonicalStages) {
  // T07 numbers its stages 1-8; its periodic pen test (paper stage 7) is canonical stage 6.
  auto cell = kb().countermeasures("T07", 6);
  auto pen = std::find_if(cell.begin(), cell.end(), [](const Countermeasure& c) { return c.item == "penetration-test"; });
  ASSERT_NE(pen, cell.end());
  EXPECT_EQ(pen->paper_stage, 7);
  EXPECT_EQ(pen->mode, Mode::kOrganisational);
  // Six-stage threats keep the paper's number.
  for (const Countermeasure& c : kb().threat("T01")->countermeasures) EXPECT_EQ(c.paper_stage, c.stage);
}

TEST(Threats, StageTableCells) {
  auto cell = kb().countermeasures("T02", 6);
  ASSERT_EQ(cell.size(), 2u);
  EXPECT_EQ(cell[0].item, "continuous-resource-inspection");
  EXPECT_EQ(cell[0].checks, kCheckCfg | kCheckLog);
  EXPECT_EQ(kb().countermeasures("T04", 5).size(), 0u);  // T04 has no operate-stage row
  EXPECT_TRUE(kb().countermeasures("T99", 1).empty());
  EXPECT_TRUE(kb().countermeasures("T01", 7).empty());
  EXPECT_EQ(kb().stages().size(), 6u);
  EXPECT_TRUE(KnowledgeBase::is_valid_stage(1));
  EXPECT_TRUE(KnowledgeBase::is_valid_stage(6));
  EXPECT_FALSE(KnowledgeBase::is_valid_stage(0));
  EXPECT_FALSE(KnowledgeBase::is_valid_stage(7));
}

TEST(Threats2024, ElevenRankedThreats) {
  ASSERT_EQ(kb().threats_2024().size(), 11u);
  std::set<int> ranks;
  for (const Threat2024& t : kb().threats_2024()) ranks.insert(t.rank);
  EXPECT_EQ(ranks.size(), 11u);
  EXPECT_EQ(*ranks.begin(), 1);
  EXPECT_EQ(*ranks.rbegin(), 11);
  EXPECT_EQ(kb().threat_2024("TT-MISCONFIG")->rank, 1);
  EXPECT_EQ(kb().threat_2024("TT-MISCONFIG")->rank_2022, 3);
  EXPECT_FALSE(kb().threat_2024("TT-UNAUTH-SHARE")->rank_2022.has_value());
}

TEST(Crosswalk, TargetsExistBothWays) {
  ASSERT_FALSE(kb().crosswalk().empty());
  for (const CrosswalkLink& l : kb().crosswalk()) {
    EXPECT_TRUE(kb().is_valid_threat(l.from)) << l.from;
    EXPECT_NE(kb().threat_2024(l.to), nullptr) << l.to;
  }
  auto t02 = kb().successors("T02");
  ASSERT_EQ(t02.size(), 1u);
  EXPECT_EQ(t02[0]->to, "TT-MISCONFIG");
  EXPECT_EQ(t02[0]->relation, Relation::kDirect);
  auto iam = kb().predecessors("TT-IAM");
  ASSERT_EQ(iam.size(), 2u);  // T04 directly, T05 folded into it
  EXPECT_TRUE(kb().successors("T06").empty());  // insider threat has no 2024 successor
}

TEST(Ccm, SeventeenDomainsAnd197Controls) {
  ASSERT_EQ(kb().ccm_domains().size(), 17u);
  const std::set<std::string> expected = {"A&A", "AIS", "BCR", "CCC", "CEK", "DCS", "DSP", "GRC", "HRS",
                                          "IAM", "IPY", "IVS", "LOG", "SEF", "STA", "TVM", "UEM"};
  std::set<std::string> codes;
  size_t total = 0;
  for (const CcmDomain& d : kb().ccm_domains()) {
    codes.insert(d.code);
    total += d.controls.size();
  }
  EXPECT_EQ(codes, expected);
  EXPECT_EQ(total, 197u);
  EXPECT_EQ(kb().ccm_controls().size(), 197u);
}

TEST(Ccm, IdFormatAndPerDomainCounts) {
  for (const CcmControl& c : kb().ccm_controls()) {
    // DOMAIN-NN, with the domain's own code.
    ASSERT_EQ(c.id.size(), c.domain.size() + 3) << c.id;
    EXPECT_EQ(c.id.substr(0, c.domain.size() + 1), c.domain + "-") << c.id;
    EXPECT_TRUE(isdigit(c.id[c.domain.size() + 1]) && isdigit(c.id[c.domain.size() + 2])) << c.id;
    EXPECT_FALSE(c.title.empty());
  }
  auto count = [](std::string_view code) {
    for (const CcmDomain& d : kb().ccm_domains())
      if (d.code == code) return d.controls.size();
    return size_t{0};
  };
  EXPECT_EQ(count("CEK"), 21u);
  EXPECT_EQ(count("IAM"), 16u);
  EXPECT_EQ(count("IPY"), 4u);
}

TEST(Ccm, LookupsAndOwnership) {
  const CcmControl* c = kb().ccm_control("IAM-16");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->domain, "IAM");
  EXPECT_TRUE(kb().is_valid_ccm("A&A-06"));
  EXPECT_FALSE(kb().is_valid_ccm("IAM-17"));
  EXPECT_FALSE(kb().is_valid_ccm("iam-16"));
  EXPECT_EQ(kb().ccm_control("IVS-04")->ownership.iaas, Owner::kShared);
  EXPECT_EQ(kb().ccm_control("IVS-04")->ownership.paas, Owner::kProvider);
  EXPECT_EQ(kb().ccm_control("IVS-04")->ownership.saas, Owner::kProvider);
  EXPECT_FALSE(kb().ccm_control("HRS-01")->ownership.iaas.has_value());  // not known
  size_t known = 0, lite = 0;
  for (const CcmControl& x : kb().ccm_controls()) {
    known += x.ownership.iaas.has_value();
    lite += x.lite;
  }
  EXPECT_EQ(known, 65u);
  EXPECT_EQ(lite, 91u);
}

TEST(Cis, SeventyRecommendationsWithTheRightSplit) {
  ASSERT_EQ(kb().cis_aws_recommendations().size(), 70u);
  size_t automated = 0;
  for (const CisRecommendation& r : kb().cis_aws_recommendations()) {
    // Two or three dot-separated numbers, sections 2 to 6.
    size_t dots = static_cast<size_t>(std::count(r.id.begin(), r.id.end(), '.'));
    EXPECT_TRUE(dots == 1 || dots == 2) << r.id;
    EXPECT_TRUE(r.id[0] >= '2' && r.id[0] <= '6' && r.id[1] == '.') << r.id;
    EXPECT_TRUE(std::all_of(r.id.begin(), r.id.end(), [](char ch) { return isdigit(ch) || ch == '.'; })) << r.id;
    EXPECT_EQ(r.id.back() == '.', false) << r.id;
    EXPECT_TRUE(r.level == 1 || r.level == 2);
    automated += r.automated;
  }
  EXPECT_EQ(automated, 34u);
  EXPECT_TRUE(kb().is_valid_cis("1.4") == false);  // section 1 does not exist in v7.0.0
  EXPECT_TRUE(kb().is_valid_cis("2.10"));
  EXPECT_TRUE(kb().is_valid_cis("3.1.4"));
  EXPECT_FALSE(kb().is_valid_cis("2.1"));  // a section, not a recommendation
  EXPECT_EQ(kb().cis_aws("3.1.4")->section, "3.1");
  EXPECT_EQ(kb().cis_aws("2.4")->section, "2");
  EXPECT_TRUE(kb().cis_aws("6.7")->automated);
  EXPECT_FALSE(kb().cis_aws("5.1")->automated);
}

TEST(Guidance, TwelveDomains) {
  ASSERT_EQ(kb().guidance_domains().size(), 12u);
  for (int i = 1; i <= 12; ++i) EXPECT_TRUE(kb().is_valid_guidance(i)) << i;
  EXPECT_FALSE(kb().is_valid_guidance(0));
  EXPECT_FALSE(kb().is_valid_guidance(13));
  EXPECT_EQ(kb().guidance(5)->name, "Identity and Access Management");
}

TEST(Responsibility, EightModelsAndEveryLayerOwnedInEach) {
  const std::vector<std::string> models = {"on-prem", "iaas", "paas", "saas", "k8s-aas", "caas", "faas", "ncaas"};
  ASSERT_EQ(kb().models().size(), models.size());
  for (size_t i = 0; i < models.size(); ++i) EXPECT_EQ(kb().models()[i].id, models[i]);
  ASSERT_GE(kb().layers().size(), 7u);
  for (const Layer& l : kb().layers()) {
    ASSERT_EQ(l.owners.size(), models.size()) << l.id;
    for (const std::string& m : models) EXPECT_TRUE(kb().owner(l.id, m).has_value()) << l.id << " " << m;
  }
}

TEST(Responsibility, OwnersFollowTheModel) {
  for (const ServiceModel& m : kb().models()) EXPECT_EQ(kb().owner("data", m.id), Owner::kCustomer) << m.id;
  for (const ServiceModel& m : kb().models()) {
    if (m.id != "on-prem") {
      EXPECT_EQ(kb().owner("physical", m.id), Owner::kProvider) << m.id;
    }
  }
  EXPECT_EQ(kb().owner("physical", "on-prem"), Owner::kCustomer);
  EXPECT_EQ(kb().owner("network", "iaas"), Owner::kShared);
  EXPECT_EQ(kb().owner("application", "saas"), Owner::kProvider);
  EXPECT_EQ(kb().owner("identity", "paas"), Owner::kShared);
  EXPECT_EQ(kb().owner("orchestration", "k8s-aas"), Owner::kProvider);
  EXPECT_EQ(kb().owner("nope", "iaas"), std::nullopt);
  EXPECT_EQ(kb().owner("data", "nope"), std::nullopt);
  EXPECT_FALSE(kb().model("iaas")->synthesis);
  EXPECT_TRUE(kb().model("faas")->synthesis);
}

TEST(Responsibility, CcmControlsMapToLayers) {
  auto ids = [](const std::vector<const Layer*>& layers) {
    std::vector<std::string> out;
    for (const Layer* l : layers) out.push_back(l->id);
    return out;
  };
  EXPECT_EQ(ids(kb().layers_for_ccm("IAM-16")), std::vector<std::string>{"identity"});
  EXPECT_EQ(ids(kb().layers_for_ccm("IVS-03")), std::vector<std::string>{"network"});  // exact ID beats the domain
  EXPECT_EQ(ids(kb().layers_for_ccm("IVS-01")), std::vector<std::string>{"host"});     // the domain
  EXPECT_EQ(ids(kb().layers_for_ccm("TVM-03")), std::vector<std::string>{"runtime"});
  EXPECT_TRUE(kb().layers_for_ccm("GRC-01").empty());
  ASSERT_NE(kb().layer("monitoring"), nullptr);
  EXPECT_TRUE(kb().layer("monitoring")->synthesis);
}

TEST(Checklist, AreasAndItems) {
  EXPECT_GE(kb().checklist_areas().size(), 15u);
  EXPECT_GE(kb().checklist().size(), 60u);
  std::set<std::string> areas;
  for (const ChecklistArea& a : kb().checklist_areas()) areas.insert(a.id);
  size_t attested = 0;
  for (const ChecklistItem& i : kb().checklist()) {
    EXPECT_TRUE(areas.count(i.area)) << i.id;
    attested += i.checks == 0;
  }
  EXPECT_GT(attested, 0u);
  EXPECT_TRUE(areas.count("vendors"));
  EXPECT_TRUE(areas.count("risk"));
}

}  // namespace
}  // namespace sekimori::knowledge
