// Terraform plan, AWS Config and Kubernetes adapters; detection; malformed input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace sekimori::model {
namespace {

using namespace testing;

TEST(TfPlan, ChildModulesIndexedAddressesReferencesAndUnknowns) {
  auto l = load("plan.json", R"({
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
      {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
       "values": {"name": "app", "assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"}}]}",
                  "inline_policy": [{"name": "i", "policy": "{\"Statement\":[]}"}]}},
      {"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment", "name": "a",
       "values": {"role": "app", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
      {"address": "data.aws_caller_identity.me", "mode": "data", "type": "aws_caller_identity", "name": "me", "values": {}}],
    "child_modules": [{"address": "module.m", "resources": [
      {"address": "module.m.aws_s3_bucket.b[\"k\"]", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "index": "k",
       "values": {"bucket": "b-k"}},
      {"address": "module.m.aws_s3_bucket_versioning.v[\"k\"]", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v", "index": "k",
       "values": {"versioning_configuration": [{"status": "Enabled"}]}},
      {"address": "module.m.aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg",
       "values": {"name": "sg", "ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]}},
      {"address": "module.m.aws_vpc_security_group_ingress_rule.ssh", "mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "ssh",
       "values": {"from_port": 22, "to_port": 22, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"}}]}]}},
  "resource_changes": [
    {"address": "module.m.aws_s3_bucket_versioning.v[\"k\"]", "change": {"after_unknown": {"bucket": true}}},
    {"address": "module.m.aws_security_group.sg", "change": {"after_unknown": {"id": true, "description": true}}}],
  "configuration": {"root_module": {"module_calls": {"m": {"module": {"resources": [
      {"address": "aws_s3_bucket_versioning.v", "expressions": {"bucket": {"references": ["aws_s3_bucket.b[each.key].id", "aws_s3_bucket.b"]}}},
      {"address": "aws_vpc_security_group_ingress_rule.ssh", "expressions": {"security_group_id": {"references": ["aws_security_group.sg.id", "aws_security_group.sg"]}}}]}}}}}
})", std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* b = find_resource(l.estate, "module.m.aws_s3_bucket.b[\"k\"]");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(is_true(at(*b, {"versioning", "enabled"})));
  const Resource* r = find_resource(l.estate, "aws_iam_role.r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(str(at(*r, {"assume_role_policy"})->find("Statement")->items()[0].find("Effect")), "Allow");
  EXPECT_EQ(str(&at(*r, {"managed_policy_arns"})->items()[0]), "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(at(*r, {"inline_policies"})->size(), 1u);
  EXPECT_EQ(find_resource(l.estate, "data.aws_caller_identity.me"), nullptr);
  const Resource* sg = find_resource(l.estate, "module.m.aws_security_group.sg");
  ASSERT_NE(sg, nullptr);
  EXPECT_TRUE(is_unknown(at(*sg, {"description"})));
  const formats::Node* in = at(*sg, {"ingress"});
  ASSERT_EQ(in->size(), 2u);
  EXPECT_EQ(in->items()[0].find("to_port")->as_int(), 65535);
  EXPECT_EQ(in->items()[1].find("from_port")->as_int(), 22);
  EXPECT_EQ(str(&in->items()[1].find("cidr_blocks")->items()[0]), "0.0.0.0/0");
  EXPECT_EQ(l.estate.resources().size(), 3u);
}

TEST(TfPlan, OrphanSubResourceStaysOnItsOwn) {
  auto l = load("plan.json", R"({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
      {"address": "aws_s3_bucket_versioning.v", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v",
       "values": {"bucket": "elsewhere"}}]}}})", std::nullopt);
  ASSERT_EQ(l.estate.resources().size(), 1u);
  EXPECT_EQ(l.estate.resources()[0].type, "aws_s3_bucket_versioning");
  EXPECT_NE(codes(l.diags).find("tfplan.fold_orphan"), std::string::npos);
}

// A plan as Terraform writes it: the loader leaves out what the adapter does not read
// (changes' before/after, constant values of the configuration), which must not change
// what the adapter finds.
TEST(TfPlan, FullPlanWithDeposedObjectAndConstantValues) {
  auto l = load("plan.json", R"({"format_version": "1.2", "terraform_version": "1.9.5",
  "variables": {"env": {"value": "prod"}},
  "planned_values": {"root_module": {"resources": [
      {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg",
       "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1, "sensitive_values": {},
       "values": {"name": "sg", "description": null, "ingress": []}},
      {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
       "values": {"bucket": "logs"}},
      {"address": "aws_s3_bucket_versioning.v", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v",
       "values": {"bucket": null, "versioning_configuration": [{"status": "Enabled"}]}}]}},
  "resource_changes": [
    {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg",
     "deposed": "00000001", "change": {"actions": ["delete"], "before": {"name": "sg"}, "after": null,
     "after_unknown": {}}},
    {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg",
     "provider_name": "registry.terraform.io/hashicorp/aws", "action_reason": "replace_because_cannot_update",
     "change": {"actions": ["create"], "before": null, "after": {"name": "sg"},
     "after_unknown": {"description": true, "id": true}, "before_sensitive": false, "after_sensitive": {}}},
    {"address": "aws_s3_bucket_versioning.v", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v",
     "change": {"actions": ["create"], "after_unknown": {"bucket": true}}}],
  "prior_state": {"values": {"root_module": {"resources": []}}},
  "configuration": {"provider_config": {"aws": {"expressions": {"region": {"constant_value": "eu-west-1"}}}},
    "root_module": {"resources": [
      {"address": "aws_s3_bucket.b", "expressions": {"bucket": {"constant_value": "logs"}}},
      {"address": "aws_s3_bucket_versioning.v", "expressions": {
        "bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]},
        "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]}}]}}
})", std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* sg = find_resource(l.estate, "aws_security_group.sg");
  ASSERT_NE(sg, nullptr);
  EXPECT_TRUE(is_unknown(at(*sg, {"description"})));  // the deposed object's change is not this one's
  const Resource* b = find_resource(l.estate, "aws_s3_bucket.b");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(is_true(at(*b, {"versioning", "enabled"})));  // folded through configuration references
  EXPECT_EQ(l.estate.resources().size(), 2u);
}

// "planned_values" without a root module: the adapter reads resource_changes, all of it.
TEST(TfPlan, WithoutPlannedRootModuleChangesAreRead) {
  auto l = load("plan.json", R"({"format_version": "1.2", "planned_values": {},
  "resource_changes": [
    {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
     "change": {"actions": ["create"], "before": null, "after": {"bucket": "logs"}, "after_unknown": {"arn": true}}}]})",
                std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* b = find_resource(l.estate, "aws_s3_bucket.b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(str(at(*b, {"bucket"})), "logs");
  EXPECT_TRUE(is_unknown(at(*b, {"arn"})));
}

TEST(AwsConfig, IamRoleUrlEncodedPoliciesAndDeletedItems) {
  auto l = load("snap.json", R"({"configurationItems": [
    {"resourceType": "AWS::IAM::Role", "resourceId": "AROA1", "ARN": "arn:aws:iam::1:role/app", "configurationItemStatus": "OK",
     "configuration": {"roleName": "app",
       "assumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D",
       "rolePolicyList": [{"policyName": "p", "policyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}],
       "attachedManagedPolicies": [{"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}},
    {"resourceType": "AWS::S3::Bucket", "resourceId": "gone", "configurationItemStatus": "ResourceDeleted"},
    {"resourceType": "AWS::Foo::Bar", "resourceId": "r-1", "configuration": {}}]})", std::nullopt);
  ASSERT_EQ(l.estate.resources().size(), 2u) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "arn:aws:iam::1:role/app");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, "aws_iam_role");
  EXPECT_EQ(str(at(*r, {"assume_role_policy"})->find("Statement")->items()[0].find("Effect")), "Allow");
  EXPECT_EQ(str(at(*r, {"inline_policies"})->items()[0].find("name")), "p");
  EXPECT_EQ(at(*r, {"managed_policy_arns"})->size(), 1u);
  const Resource* other = find_resource(l.estate, "r-1");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->type, "AWS::Foo::Bar");
}

TEST(AwsConfigLimits, DecodeDepth) {
  // A value JSON-encoded six times: decoding stops at the limit with a warning.
  std::string v = "{\"status\":\"Enabled\"}";
  for (int i = 0; i < 6; ++i) {
    std::string esc;
    for (char c : v) {
      if (c == '"' || c == '\\') esc.push_back('\\');
      esc.push_back(c);
    }
    v = "\"" + esc + "\"";
  }
  auto l = load("snap.json", "{\"configurationItems\": [{\"resourceType\": \"AWS::S3::Bucket\", \"resourceId\": \"b\", "
                             "\"supplementaryConfiguration\": {\"BucketVersioningConfiguration\": " + v + "}}]}",
                std::nullopt);
  ASSERT_EQ(l.estate.resources().size(), 1u);
  EXPECT_NE(codes(l.diags).find("model.limit.decode"), std::string::npos) << codes(l.diags);
  EXPECT_TRUE(is_false(at(l.estate.resources()[0], {"versioning", "enabled"})));
}

const char* kWorkloads = R"(
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {hostNetwork: true, containers: [{name: c, image: "nginx:latest", securityContext: {privileged: true}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: web, labels: {appName: x}}
spec: {template: {spec: {containers: [{name: c, image: nginx, env: [{name: K, value: v}]}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {template: {spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec: {template: {spec: {hostPID: true, containers: [{name: c, image: nginx}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {template: {spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {template: {spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {template: {spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {automountServiceAccountToken: false, containers: [{name: c, image: busybox}]}}}}}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {type: LoadBalancer, selector: {appName: x}}}
  - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: admin, annotations: {"sekimori.dev/ignore": "SKM-K8S-001 reason=\"break glass\" until=2030-01-01"}}, rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]}
)";

TEST(Kubernetes, EveryWorkloadKindExposesTheSamePodSpec) {
  auto l = load("k.yaml", kWorkloads, std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  struct W {
    const char* id;
    const char* type;
  };
  for (W w : {W{"Pod/default/p", "kubernetes_pod"}, W{"Deployment/web/d", "kubernetes_deployment"},
              W{"StatefulSet/default/s", "kubernetes_stateful_set"}, W{"DaemonSet/default/ds", "kubernetes_daemon_set"},
              W{"ReplicaSet/default/rs", "kubernetes_replica_set"},
              W{"ReplicationController/default/rc", "kubernetes_replication_controller"},
              W{"Job/default/j", "kubernetes_job"}, W{"CronJob/default/cj", "kubernetes_cron_job"}}) {
    const Resource* r = find_resource(l.estate, w.id);
    ASSERT_NE(r, nullptr) << w.id;
    EXPECT_EQ(r->type, w.type);
    const formats::Node* c = at(*r, {"pod_spec", "containers"});
    ASSERT_NE(c, nullptr) << w.id;
    ASSERT_EQ(c->kind(), formats::NodeKind::kList);
    EXPECT_NE(c->items()[0].find("image"), nullptr) << w.id;
    EXPECT_NE(c->items()[0].find_path({"security_context", "privileged"}), nullptr) << w.id;
    EXPECT_NE(at(*r, {"pod_spec", "host_network"}), nullptr) << w.id;
    auto group = expand_type("kubernetes_workload");
    EXPECT_NE(std::find(group.begin(), group.end(), w.type), group.end()) << w.type;
  }
  const Resource* p = find_resource(l.estate, "Pod/default/p");
  EXPECT_TRUE(is_true(at(*p, {"pod_spec", "host_network"})));
  EXPECT_TRUE(is_true(at(*p, {"pod_spec", "containers"})->items()[0].find_path({"security_context", "privileged"})));
  const Resource* d = find_resource(l.estate, "Deployment/web/d");
  EXPECT_TRUE(is_false(at(*d, {"pod_spec", "host_network"})));
  EXPECT_TRUE(is_true(at(*d, {"pod_spec", "automount_service_account_token"})));
  EXPECT_EQ(str(at(*d, {"metadata", "labels", "appName"})), "x") << "label keys keep their spelling";
  EXPECT_EQ(at(*d, {"pod_spec", "containers"})->items()[0].find("env")->size(), 1u);
  EXPECT_TRUE(is_true(at(*find_resource(l.estate, "DaemonSet/default/ds"), {"pod_spec", "host_pid"})));
  EXPECT_TRUE(is_false(at(*find_resource(l.estate, "CronJob/default/cj"), {"pod_spec", "automount_service_account_token"})));
  const Resource* svc = find_resource(l.estate, "Service/default/svc");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(str(at(*svc, {"spec", "selector", "appName"})), "x");
  const Resource* cr = find_resource(l.estate, "ClusterRole/default/admin");
  ASSERT_NE(cr, nullptr);
  ASSERT_EQ(cr->suppressions.size(), 1u);
  EXPECT_EQ(cr->suppressions[0].rule_id, "SKM-K8S-001");
  EXPECT_EQ(cr->suppressions[0].reason, "break glass");
  EXPECT_EQ(cr->suppressions[0].until, "2030-01-01");
  EXPECT_EQ(l.estate.resources().size(), 10u);
}

TEST(Estate, MalformedFileIsLocatedAndTheRestLoads) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("skm_model_" + std::to_string(::getpid()));
  fs::create_directories(dir / ".git");
  fs::create_directories(dir / "sub");
  fs::create_directories(dir / "node_modules");
  std::ofstream(dir / "good.yaml") << "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  std::ofstream(dir / "sub" / "bad.json") << "{\n  \"Resources\": {\n    \"B\": {\"Type\": \"AWS::S3::Bucket\"\n  }\n";
  std::ofstream(dir / ".git" / "x.yaml") << "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  std::ofstream(dir / "node_modules" / "x.yaml") << "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  std::ofstream(dir / "skipme.yaml") << "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  std::ofstream(dir / "package.json") << "{\"name\": \"x\"}\n";
  std::ofstream(dir / "README.md") << "hello\n";
  Estate e;
  core::Diagnostics d;
  LoadOptions o;
  o.skip_globs = {"skip*.yaml"};
  e.add_path(dir.string(), o, d);
  EXPECT_EQ(e.resources().size(), 1u);
  ASSERT_EQ(e.inputs().size(), 3u);  // bad.json, good.yaml, package.json (sorted)
  size_t failed = 0;
  for (const Input& in : e.inputs()) {
    EXPECT_EQ(in.sha256.size(), 64u);
    failed += in.failed;
  }
  EXPECT_EQ(failed, 1u);
  ASSERT_TRUE(d.has_errors());
  const core::Diagnostic& err = d.items()[0];
  EXPECT_NE(err.location.file.find("bad.json"), std::string::npos);
  EXPECT_GT(err.location.line, 0u);
  fs::remove_all(dir);
}

TEST(Estate, Sha256OfInput) {
  Estate e;
  core::Diagnostics d;
  e.add_text("x", "abc", std::nullopt, {}, d);
  ASSERT_EQ(e.inputs().size(), 1u);
  EXPECT_EQ(e.inputs()[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(e.inputs()[0].format, std::nullopt);
  EXPECT_NE(codes(d).find("model.unknown_format"), std::string::npos);
}

TEST(Estate, MissingPathIsAnError) {
  Estate e;
  core::Diagnostics d;
  e.add_path("/nonexistent/skm", {}, d);
  EXPECT_TRUE(d.has_errors());
}

}  // namespace
}  // namespace sekimori::model
