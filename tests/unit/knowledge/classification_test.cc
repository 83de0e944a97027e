// Service-model classification of canonical resource types.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "knowledge/knowledge.h"

namespace sekimori::knowledge {
namespace {

const KnowledgeBase& kb() { return KnowledgeBase::builtin(); }

std::vector<std::string> read_types(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

std::string model_of(std::string_view type) {
  const ServiceModel* m = kb().service_model_of(type);
  return m == nullptr ? "" : m->id;
}

// The policy developer's rule-pack test does the same with every type its rules name.
TEST(Classification, EveryCanonicalTypeInTheFixtureIsClassified) {
  auto types = read_types(SKM_SOURCE_DIR "/tests/unit/knowledge/data/canonical_types.txt");
  ASSERT_GT(types.size(), 100u);
  EXPECT_EQ(kb().unclassified(types), std::vector<std::string>{});
}

TEST(Classification, UnclassifiedReportsEachMissingTypeOnceInOrder) {
  std::vector<std::string> types = {"aws_s3_bucket", "azurerm_storage_account", "aws_made_up", "kubernetes_pod",
                                    "azurerm_storage_account"};
  EXPECT_EQ(kb().unclassified(types), (std::vector<std::string>{"azurerm_storage_account", "aws_made_up"}));
  std::vector<std::string_view> views = {"aws_instance", "x"};
  EXPECT_EQ(kb().unclassified(std::span<const std::string_view>(views)), std::vector<std::string>{"x"});
}

TEST(Classification, ModelsOfWellKnownTypes) {
  EXPECT_EQ(model_of("aws_instance"), "iaas");
  EXPECT_EQ(model_of("aws_security_group"), "iaas");
  EXPECT_EQ(model_of("aws_s3_bucket"), "paas");
  EXPECT_EQ(model_of("aws_db_instance"), "paas");
  EXPECT_EQ(model_of("aws_lambda_function"), "faas");
  EXPECT_EQ(model_of("aws_eks_cluster"), "k8s-aas");
  EXPECT_EQ(model_of("aws_ecs_service"), "caas");
  EXPECT_EQ(model_of("kubernetes_deployment"), "k8s-aas");
  EXPECT_EQ(model_of("aws_iam_role"), "paas");
  EXPECT_EQ(model_of("not_a_type"), "");
}

TEST(Classification, ExactBeatsGlobAndLongerGlobBeatsShorter) {
  // aws_eks_* is K8s-aaS but the Fargate profile is CaaS.
  EXPECT_EQ(model_of("aws_eks_addon"), "k8s-aas");
  EXPECT_EQ(model_of("aws_eks_fargate_profile"), "caas");
  // aws_cloudwatch_* (monitoring) vs the longer aws_cloudwatch_event_* (integration).
  EXPECT_EQ(kb().classify("aws_cloudwatch_metric_alarm")->category, "monitoring");
  EXPECT_EQ(kb().classify("aws_cloudwatch_event_rule")->category, "integration");
  EXPECT_EQ(kb().classify("aws_cloudwatch_log_stream")->category, "logging");
  // A glob needs the whole prefix: aws_network_* does not match aws_networkfirewall_firewall.
  EXPECT_EQ(kb().classify("aws_networkfirewall_firewall")->category, "security");
  EXPECT_EQ(kb().classify("aws_network_interface")->category, "network");
  EXPECT_TRUE(kb().classify("aws_iam_policy_attachment")->control_plane);
  EXPECT_FALSE(kb().classify("aws_s3_bucket")->control_plane);
}

}  // namespace
}  // namespace sekimori::knowledge
