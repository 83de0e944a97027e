// The design note's bucket written several ways must give the same canonical view.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace sekimori::model {
namespace {

using namespace testing;

std::string data(const std::string& name) { return std::string(SKM_SOURCE_DIR) + "/tests/data/model/" + name; }

struct Case {
  const char* file;
  SourceFormat format;
  const char* id;
};

class BucketParity : public ::testing::TestWithParam<Case> {};

TEST_P(BucketParity, SameVersioningPublicAccessBlockAndNoLogging) {
  Estate e;
  core::Diagnostics d;
  e.add_path(data(GetParam().file), {}, d);
  EXPECT_FALSE(d.has_errors()) << d.to_text();
  ASSERT_EQ(e.inputs().size(), 1u);
  EXPECT_EQ(e.inputs()[0].format, GetParam().format);
  const Resource* r = find_resource(e, GetParam().id);
  ASSERT_NE(r, nullptr) << "resources: " << e.resources().size();
  EXPECT_EQ(r->type, "aws_s3_bucket");
  EXPECT_EQ(r->format, GetParam().format);
  EXPECT_TRUE(is_false(at(*r, {"versioning", "enabled"})));
  EXPECT_TRUE(is_true(at(*r, {"public_access_block", "block_public_acls"})));
  EXPECT_TRUE(is_false(at(*r, {"public_access_block", "block_public_policy"})));
  EXPECT_TRUE(is_true(at(*r, {"public_access_block", "ignore_public_acls"})));
  EXPECT_TRUE(is_true(at(*r, {"public_access_block", "restrict_public_buckets"})));
  EXPECT_EQ(at(*r, {"logging"}), nullptr);
  EXPECT_EQ(str(at(*r, {"bucket"})), "acme-logs");
  EXPECT_EQ(str(at(*r, {"source"})), format_name(GetParam().format));
  EXPECT_NE(at(*r, {"raw"}), nullptr);
  // Only the bucket: the sub-resources are folded into it.
  size_t buckets = 0;
  for (const Resource& x : e.resources()) buckets += x.type == "aws_s3_bucket";
  EXPECT_EQ(buckets, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    FourWays, BucketParity,
    ::testing::Values(Case{"bucket_cfn.yaml", SourceFormat::kCloudFormation, "Logs"},
                      Case{"bucket_cfn.json", SourceFormat::kCloudFormation, "Logs"},
                      Case{"bucket_tfplan.json", SourceFormat::kTerraformPlan, "aws_s3_bucket.logs"},
                      Case{"bucket_config_snapshot.json", SourceFormat::kAwsConfig, "arn:aws:s3:::acme-logs"},
                      Case{"bucket_config_batch.json", SourceFormat::kAwsConfig, "arn:aws:s3:::acme-logs"},
                      Case{"bucket_config_select.json", SourceFormat::kAwsConfig, "arn:aws:s3:::acme-logs"}));

TEST(Folding, TerraformFoldedAttributesKeepTheSubResourceLocation) {
  Estate e;
  core::Diagnostics d;
  e.add_path(data("bucket_tfplan.json"), {}, d);
  const Resource* r = find_resource(e, "aws_s3_bucket.logs");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(e.resources().size(), 1u);
  const formats::Node* bpp = at(*r, {"public_access_block", "block_public_policy"});
  ASSERT_NE(bpp, nullptr);
  // The public access block resource is on line 12 of the plan; the bucket on line 7.
  EXPECT_EQ(bpp->pos().line, 12u);
  EXPECT_EQ(r->location.line, 7u);
  EXPECT_EQ(bpp->file(), data("bucket_tfplan.json"));
  // The bucket's id is known only after apply.
  EXPECT_TRUE(is_unknown(at(*r, {"id"})));
}

TEST(Folding, CloudFormationBucketPolicyFoldsWithItsLocation) {
  Estate e;
  core::Diagnostics d;
  e.add_path(data("bucket_cfn.yaml"), {}, d);
  ASSERT_EQ(e.resources().size(), 1u) << "the policy is folded into the bucket";
  const Resource& r = e.resources()[0];
  const formats::Node* stmt = at(r, {"policy", "Statement"});
  ASSERT_NE(stmt, nullptr);
  ASSERT_EQ(stmt->kind(), formats::NodeKind::kList);
  const formats::Node& s0 = stmt->items()[0];
  EXPECT_EQ(str(s0.find("Effect")), "Deny");
  EXPECT_EQ(s0.find("Effect")->pos().line, 20u);
  // ${AWS::Partition} was not given: the resource ARN is unknown.
  EXPECT_TRUE(is_unknown(s0.find("Resource")));
  EXPECT_EQ(r.location.line, 3u);
}

TEST(Folding, ConfigDoubleEncodedAclIsDecoded) {
  Estate e;
  core::Diagnostics d;
  e.add_path(data("bucket_config_snapshot.json"), {}, d);
  ASSERT_EQ(e.resources().size(), 1u);
  const formats::Node* grants = at(e.resources()[0], {"grants"});
  ASSERT_NE(grants, nullptr);
  ASSERT_EQ(grants->kind(), formats::NodeKind::kList);
  EXPECT_EQ(str(grants->items()[0].find("permission")), "FullControl");
  // Located at the item in the snapshot (no finer position exists inside the string).
  EXPECT_GT(grants->pos().line, 1u);
}

TEST(Folding, DefaultsFillAbsentAttributesAndAreTagged) {
  auto l = load("t.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", SourceFormat::kCloudFormation);
  ASSERT_EQ(l.estate.resources().size(), 1u);
  const Resource& r = l.estate.resources()[0];
  const formats::Node* enc = at(r, {"server_side_encryption", "sse_algorithm"});
  EXPECT_EQ(str(enc), "AES256");
  EXPECT_EQ(enc->tag(), "!default");
  EXPECT_TRUE(is_true(at(r, {"public_access_block", "block_public_policy"})));
  EXPECT_TRUE(is_false(at(r, {"versioning", "enabled"})));
  EXPECT_EQ(enc->pos().line, 2u) << "a default points at the resource";
  EXPECT_EQ(at(r, {"logging"}), nullptr);
}

}  // namespace
}  // namespace sekimori::model

namespace sekimori::model {
namespace {

// aws_iam_role.r's managed_policy_arns, as strings ("<missing>" when absent).
std::vector<std::string> role_policy_arns(const Loaded& l) {
  const Resource* r = find_resource(l.estate, "aws_iam_role.r");
  const formats::Node* arns = r != nullptr ? at(*r, {"managed_policy_arns"}) : nullptr;
  if (arns == nullptr || arns->kind() != formats::NodeKind::kList) return {"<missing>"};
  std::vector<std::string> out;
  for (const formats::Node& n : arns->items()) {
    out.emplace_back(n.kind() == formats::NodeKind::kString ? std::string(n.as_string()) : "<not a string>");
  }
  return out;
}

// Several attachments of managed policies to one role all end up in its list (the last
// one used to replace the others, so an AdministratorAccess attached first was missed).
TEST(Folding, EveryPolicyAttachmentAddsToTheList) {
  Loaded l = load("plan.json", R"({
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
     "values": {"name": "r", "assume_role_policy": "{}"}},
    {"address": "aws_iam_role_policy_attachment.admin", "mode": "managed", "type": "aws_iam_role_policy_attachment",
     "name": "admin", "values": {"role": "r", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
    {"address": "aws_iam_role_policy_attachment.ro", "mode": "managed", "type": "aws_iam_role_policy_attachment",
     "name": "ro", "values": {"role": "r", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_iam_role_policy_attachment.admin", "expressions": {"role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]}}},
    {"address": "aws_iam_role_policy_attachment.ro", "expressions": {"role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]}}}]}}
})", std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  EXPECT_EQ(role_policy_arns(l), (std::vector<std::string>{"arn:aws:iam::aws:policy/AdministratorAccess",
                                                           "arn:aws:iam::aws:policy/ReadOnlyAccess"}));
  EXPECT_EQ(l.estate.resources().size(), 1u);
}

}  // namespace
}  // namespace sekimori::model

namespace sekimori::model {
namespace {

// A role's own managed_policy_arns and its attachments make one list (the attachments
// used to replace the role's own list, hiding an AdministratorAccess declared there).
TEST(Folding, AttachmentsAddToTheRolesOwnPolicyList) {
  auto plan = [](const std::string& own) {
    return R"({
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
     "values": {"name": "r", "assume_role_policy": "{}"}},
    {"address": "aws_iam_role_policy_attachment.ro", "mode": "managed", "type": "aws_iam_role_policy_attachment",
     "name": "ro", "values": {"role": "r", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}]}},
  "resource_changes": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
     "change": {"actions": ["create"], "after": {}, "after_unknown": {)" + own + R"(}}}],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_iam_role_policy_attachment.ro", "expressions": {"role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]}}}]}}
})";
  };
  // Known: both policies, the role's own first.
  std::string known = plan("");
  size_t at_values = known.find(R"("assume_role_policy": "{}")");
  known.insert(at_values, R"("managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"], )");
  Loaded l = load("plan.json", known, std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  EXPECT_EQ(role_policy_arns(l), (std::vector<std::string>{"arn:aws:iam::aws:policy/AdministratorAccess",
                                                           "arn:aws:iam::aws:policy/ReadOnlyAccess"}));

  // Unknown before apply: it stays in the list as an unknown item next to the attachment.
  Loaded u = load("plan.json", plan(R"("managed_policy_arns": true)"), std::nullopt);
  EXPECT_FALSE(u.diags.has_errors()) << u.diags.to_text();
  const Resource* r = find_resource(u.estate, "aws_iam_role.r");
  ASSERT_NE(r, nullptr);
  const formats::Node* arns = at(*r, {"managed_policy_arns"});
  ASSERT_NE(arns, nullptr);
  ASSERT_EQ(arns->kind(), formats::NodeKind::kList);
  ASSERT_EQ(arns->items().size(), 2u);
  EXPECT_EQ(arns->items()[0].kind(), formats::NodeKind::kUnknown);
  EXPECT_EQ(arns->items()[1].as_string(), "arn:aws:iam::aws:policy/ReadOnlyAccess");
}

}  // namespace
}  // namespace sekimori::model
