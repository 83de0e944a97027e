// Canonical mappings added for posture coverage: the aws_all group, AWS Config network
// ACL entries split by direction, ELBv2 attributes from Config's key/value list,
// DynamoDB deletion protection from Config.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.h"

namespace sekimori::model {
namespace {

using namespace testing;

TEST(Groups, EveryAwsTypeIsInAwsAll) {
  std::vector<std::string> all = expand_type("aws_all");
  ASSERT_FALSE(all.empty());
  for (const std::string& t : known_types()) {
    if (t.rfind("aws_", 0) != 0 || t == "aws_all") continue;
    EXPECT_NE(std::find(all.begin(), all.end(), t), all.end()) << t << " is not in the group aws_all";
  }
  for (const std::string& t : all) EXPECT_EQ(t.rfind("aws_", 0), 0u) << t;
  EXPECT_TRUE(is_known_type("aws_all"));
}

TEST(AwsConfigNetworkAcl, EntriesSplitIntoIngressAndEgress) {
  // Config delivers EC2 DescribeNetworkAcls entries as one list with an egress flag;
  // here `configuration` is a JSON string, as in batch-get-resource-config output.
  auto l = load("nacl.json", R"({"configurationItems": [{
    "resourceType": "AWS::EC2::NetworkAcl", "resourceId": "acl-0a1b2c3d",
    "ARN": "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-0a1b2c3d",
    "configuration": "{\"networkAclId\":\"acl-0a1b2c3d\",\"vpcId\":\"vpc-1\",\"entries\":[{\"ruleNumber\":100,\"protocol\":\"-1\",\"ruleAction\":\"allow\",\"egress\":true,\"cidrBlock\":\"0.0.0.0/0\"},{\"ruleNumber\":100,\"protocol\":\"6\",\"ruleAction\":\"allow\",\"egress\":false,\"cidrBlock\":\"10.0.0.0/16\",\"portRange\":{\"from\":443,\"to\":443}},{\"ruleNumber\":32767,\"protocol\":\"-1\",\"ruleAction\":\"deny\",\"egress\":false,\"cidrBlock\":\"0.0.0.0/0\"}]}"
  }]})",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-0a1b2c3d");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, "aws_network_acl");
  EXPECT_EQ(str(at(*r, {"vpc_id"})), "vpc-1");
  const formats::Node* in = at(*r, {"ingress"});
  const formats::Node* out = at(*r, {"egress"});
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(in->size(), 2u);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(str(in->items()[0].find("protocol")), "tcp");
  EXPECT_EQ(in->items()[0].find("from_port")->as_int(), 443);
  EXPECT_EQ(str(in->items()[1].find("action")), "deny");
  EXPECT_EQ(str(out->items()[0].find("cidr_block")), "0.0.0.0/0");
  EXPECT_EQ(str(out->items()[0].find("protocol")), "-1");
  // Entries decoded from the string point at the item's configuration line.
  EXPECT_EQ(out->items()[0].pos().line, 4u);
  // raw is still the item as delivered.
  const formats::Node* raw = at(*r, {"raw"});
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->find("sekimoriEntries"), nullptr);
}

TEST(AwsConfigNetworkAcl, ObjectConfigurationAndNoEntries) {
  auto l = load("nacl.json", R"({"configurationItems": [
    {"resourceType": "AWS::EC2::NetworkAcl", "resourceId": "acl-1",
     "configuration": {"vpcId": "vpc-1", "entries": [
       {"ruleNumber": 200, "protocol": "6", "ruleAction": "allow", "egress": true, "cidrBlock": "0.0.0.0/0",
        "portRange": {"from": 22, "to": 22}}]}},
    {"resourceType": "AWS::EC2::NetworkAcl", "resourceId": "acl-2", "configuration": {"vpcId": "vpc-2"}}]})",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "acl-1");
  ASSERT_NE(r, nullptr);
  const formats::Node* in = at(*r, {"ingress"});
  EXPECT_TRUE(in == nullptr || in->size() == 0u);
  const formats::Node* out = at(*r, {"egress"});
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->items()[0].find("to_port")->as_int(), 22);
  EXPECT_EQ(out->items()[0].pos().line, 4u);  // shared, not copied: the entry's own line
  const Resource* r2 = find_resource(l.estate, "acl-2");
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(str(at(*r2, {"vpc_id"})), "vpc-2");
}

TEST(AwsConfigLoadBalancer, AttributesFromTheKeyValueList) {
  // supplementaryConfiguration values are JSON strings in snapshots.
  auto l = load("alb.json", R"({"configurationItems": [{
    "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "resourceId": "web",
    "ARN": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188",
    "configuration": {"loadBalancerName": "web", "type": "application", "scheme": "internet-facing"},
    "supplementaryConfiguration": {"LoadBalancerAttributes": "[{\"key\":\"access_logs.s3.enabled\",\"value\":\"true\"},{\"key\":\"access_logs.s3.bucket\",\"value\":\"acme-lb-logs\"},{\"key\":\"deletion_protection.enabled\",\"value\":\"false\"},{\"key\":\"routing.http.drop_invalid_header_fields.enabled\",\"value\":\"true\"},{\"key\":\"idle_timeout.timeout_seconds\",\"value\":\"60\"},{\"key\":\"access_logs\",\"value\":\"conflicting prefix\"},{\"key\":\"..\",\"value\":\"x\"}]"}
  }, {
    "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "resourceId": "nlb",
    "configuration": {"loadBalancerName": "nlb", "type": "network", "scheme": "internal"},
    "supplementaryConfiguration": {"LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "true"}]}
  }, {
    "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "resourceId": "bare",
    "configuration": {"loadBalancerName": "bare", "type": "application"}
  }]})",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(
      l.estate, "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, "aws_lb");
  EXPECT_TRUE(is_true(at(*r, {"access_logs", "enabled"})));
  EXPECT_EQ(str(at(*r, {"access_logs", "bucket"})), "acme-lb-logs");
  EXPECT_TRUE(is_false(at(*r, {"enable_deletion_protection"})));
  EXPECT_TRUE(is_true(at(*r, {"drop_invalid_header_fields"})));
  EXPECT_TRUE(is_false(at(*r, {"internal"})));
  // Values decoded from the string point at it (line 5 of the input).
  EXPECT_EQ(at(*r, {"access_logs", "enabled"})->pos().line, 5u);

  const Resource* nlb = find_resource(l.estate, "nlb");
  ASSERT_NE(nlb, nullptr);
  EXPECT_TRUE(is_true(at(*nlb, {"enable_deletion_protection"})));
  EXPECT_TRUE(is_true(at(*nlb, {"internal"})));
  EXPECT_TRUE(is_false(at(*nlb, {"access_logs", "enabled"})));  // the declared default

  const Resource* bare = find_resource(l.estate, "bare");
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(is_false(at(*bare, {"drop_invalid_header_fields"})));  // default
  EXPECT_EQ(at(*bare, {"raw"})->find("sekimoriAttributes"), nullptr);
}

TEST(AwsConfigLoadBalancer, DottedKeysAreBoundedAndConflictsSkipped) {
  // More than 16 dotted segments, empty segments and a key that is both a leaf and a
  // prefix of another are left out; the well-formed keys still map.
  auto l = load("alb.json", R"({"configurationItems": [{
    "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "resourceId": "web",
    "configuration": {"loadBalancerName": "web", "type": "application"},
    "supplementaryConfiguration": {"LoadBalancerAttributes": [
      {"key": "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q", "value": "too deep"},
      {"key": "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", "value": "sixteen"},
      {"key": "x..y", "value": "empty segment"},
      {"key": "deletion_protection.enabled", "value": "true"},
      {"key": "deletion_protection", "value": "a prefix of an earlier key"},
      {"key": "deletion_protection.enabled.extra", "value": "below a leaf"}]}
  }]})",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "web");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(is_true(at(*r, {"enable_deletion_protection"})));
  // The rewritten item is what the mapping reads: check the nesting it produced.
  const formats::Node* raw = at(*r, {"raw"});
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->find("sekimoriAttributes"), nullptr);  // raw stays the item as delivered
}

TEST(AwsConfigLoadBalancer, AttributesPastTheCapAreIgnored) {
  // 1,024 attributes are read; the 1,025th (deletion protection) is not.
  std::string list = "[";
  for (int i = 0; i < 1024; ++i) list += "{\"key\": \"filler.a" + std::to_string(i) + "\", \"value\": \"x\"},";
  list += "{\"key\": \"deletion_protection.enabled\", \"value\": \"true\"}]";
  auto l = load("alb.json",
                "{\"configurationItems\": [{\"resourceType\": \"AWS::ElasticLoadBalancingV2::LoadBalancer\", "
                "\"resourceId\": \"web\", \"configuration\": {\"type\": \"application\"}, "
                "\"supplementaryConfiguration\": {\"LoadBalancerAttributes\": " +
                    list + "}}]}",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "web");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(is_false(at(*r, {"enable_deletion_protection"})));  // the default: the entry was not read
}

TEST(AwsConfigS3, GrantsNormalisedFromTheDoubleEncodedAcl) {
  // Config: group grantees are strings ("AllUsers"), users are {"id": ...}.
  auto l = load("acl.json", R"json({
 "configurationItems": [
  {
   "resourceType": "AWS::S3::Bucket",
   "resourceId": "acme-public",
   "ARN": "arn:aws:s3:::acme-public",
   "configuration": "{\"name\":\"acme-public\"}",
   "supplementaryConfiguration": {
    "AccessControlList": "\"{\\\"grantSet\\\":null,\\\"grantList\\\":[{\\\"grantee\\\":{\\\"id\\\":\\\"8a6925ce4adf5f21c32aa379004fef1f7c3c5a3c3e6d7b1f6f0e4b1d3a6f2b1c\\\",\\\"displayName\\\":null},\\\"permission\\\":\\\"FullControl\\\"},{\\\"grantee\\\":\\\"AllUsers\\\",\\\"permission\\\":\\\"Read\\\"},{\\\"grantee\\\":\\\"LogDelivery\\\",\\\"permission\\\":\\\"Write\\\"}],\\\"owner\\\":{\\\"displayName\\\":null,\\\"id\\\":\\\"8a6925ce4adf5f21c32aa379004fef1f7c3c5a3c3e6d7b1f6f0e4b1d3a6f2b1c\\\"},\\\"isRequesterCharged\\\":false}\""
   }
  }
 ]
})json",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "arn:aws:s3:::acme-public");
  ASSERT_NE(r, nullptr);
  const formats::Node* g = at(*r, {"grants"});
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->size(), 3u);
  EXPECT_EQ(str(g->items()[0].find("type")), "CanonicalUser");
  EXPECT_EQ(str(g->items()[0].find("id")),
            "8a6925ce4adf5f21c32aa379004fef1f7c3c5a3c3e6d7b1f6f0e4b1d3a6f2b1c");
  EXPECT_EQ(str(g->items()[0].find("permission")), "FullControl");
  EXPECT_EQ(str(g->items()[1].find("type")), "Group");
  EXPECT_EQ(str(g->items()[1].find("uri")), "http://acs.amazonaws.com/groups/global/AllUsers");
  EXPECT_EQ(str(g->items()[1].find("permission")), "Read");
  EXPECT_EQ(str(g->items()[2].find("uri")), "http://acs.amazonaws.com/groups/s3/LogDelivery");
  // The grants point at the AccessControlList string.
  EXPECT_EQ(g->items()[1].find("uri")->pos().line, 9u);
}

TEST(AwsConfigDynamoDb, DeletionProtectionAndPitr) {
  auto l = load("ddb.json", R"({"configurationItems": [{
    "resourceType": "AWS::DynamoDB::Table", "resourceId": "orders",
    "ARN": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
    "configuration": "{\"tableName\":\"orders\",\"deletionProtectionEnabled\":true}",
    "supplementaryConfiguration": {"ContinuousBackupsDescription": "{\"continuousBackupsStatus\":\"ENABLED\",\"pointInTimeRecoveryDescription\":{\"pointInTimeRecoveryStatus\":\"ENABLED\"}}"}
  }]})",
                std::nullopt);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* r = find_resource(l.estate, "arn:aws:dynamodb:eu-west-1:111122223333:table/orders");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(is_true(at(*r, {"deletion_protection_enabled"})));
  EXPECT_TRUE(is_true(at(*r, {"point_in_time_recovery", "enabled"})));
}

}  // namespace
}  // namespace sekimori::model
