// The Terraform HCL adapter: evaluated resources in the canonical model, folding of split
// resources through references (also across files and for_each keys), locations at the
// .tf attribute, inline suppressions, root-module selection, inputs, and the plan
// adapter's handling of nulls (so plan and HCL agree).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace sekimori::model {
namespace {

using namespace testing;
namespace fs = std::filesystem;

// A scratch directory tree on disk, removed afterwards.
class TempTree {
 public:
  TempTree() {
    dir_ = fs::temp_directory_path() / ("skm-tfhcl-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  void write(const std::string& rel, const std::string& text) const {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  [[nodiscard]] std::string path(const std::string& rel = "") const {
    return rel.empty() ? dir_.string() : (dir_ / rel).string();
  }

 private:
  fs::path dir_;
  static inline int counter_ = 0;
};

constexpr const char* kBucket = R"(resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
)";
constexpr const char* kBucketParts = R"(resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
)";

TEST(TfHcl, BucketFoldsAcrossFilesWithSubResourceLocations) {
  TempTree t;
  t.write("infra/bucket.tf", kBucket);
  t.write("infra/parts.tf", kBucketParts);
  Estate e;
  core::Diagnostics d;
  e.add_path(t.path(), {}, d);
  EXPECT_FALSE(d.has_errors()) << d.to_text();
  ASSERT_EQ(e.resources().size(), 1u) << codes(d);
  const Resource& r = e.resources()[0];
  EXPECT_EQ(r.id, "aws_s3_bucket.logs");
  EXPECT_EQ(r.type, "aws_s3_bucket");
  EXPECT_EQ(r.format, SourceFormat::kTerraformHcl);
  EXPECT_EQ(str(at(r, {"source"})), "terraform");
  EXPECT_EQ(r.location.file, t.path("infra/bucket.tf"));
  EXPECT_EQ(r.location.line, 1u);
  // A value the fold computes (Suspended -> enabled: false) keeps the file it came from.
  const formats::Node* enabled = at(r, {"versioning", "enabled"});
  ASSERT_TRUE(is_false(enabled));
  EXPECT_EQ(enabled->file(), t.path("infra/parts.tf"));
  EXPECT_EQ(enabled->pos().line, 4u);
  const formats::Node* bpp = at(r, {"public_access_block", "block_public_policy"});
  ASSERT_TRUE(is_false(bpp));
  EXPECT_EQ(bpp->file(), t.path("infra/parts.tf"));
  EXPECT_EQ(bpp->pos().line, 11u);
  EXPECT_EQ(bpp->pos().column, 3u);
  const formats::Node* bucket = at(r, {"bucket"});
  EXPECT_EQ(bucket->pos().line, 2u);
  EXPECT_EQ(bucket->file(), t.path("infra/bucket.tf"));
  // Two inputs, both Terraform; the resource counts for the file that declares it.
  ASSERT_EQ(e.inputs().size(), 2u);
  for (const Input& in : e.inputs()) {
    EXPECT_EQ(in.format, SourceFormat::kTerraformHcl);
    EXPECT_FALSE(in.failed);
    EXPECT_EQ(in.resources, in.path == t.path("infra/bucket.tf") ? 1u : 0u);
    EXPECT_EQ(in.sha256.size(), 64u);
  }
}

TEST(TfHcl, ForEachChildrenFoldIntoTheParentWithTheSameKey) {
  auto l = load("main.tf", R"(
resource "aws_s3_bucket" "b" {
  for_each = toset(["a", "b"])
  bucket   = "acme-${each.key}"
}
resource "aws_s3_bucket_versioning" "v" {
  for_each = aws_s3_bucket.b
  bucket   = aws_s3_bucket.b[each.key].id
  versioning_configuration {
    status = each.key == "a" ? "Enabled" : "Suspended"
  }
}
)",
                std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  ASSERT_EQ(l.estate.resources().size(), 2u) << codes(l.diags);
  const Resource* a = find_resource(l.estate, "aws_s3_bucket.b[\"a\"]");
  const Resource* b = find_resource(l.estate, "aws_s3_bucket.b[\"b\"]");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(is_true(at(*a, {"versioning", "enabled"})));
  EXPECT_TRUE(is_false(at(*b, {"versioning", "enabled"})));
}

TEST(TfHcl, InlineSuppressionsOnBlockAndAttribute) {
  auto l = load("main.tf", R"(
# sekimori:ignore SKM-AWS-S3-001 reason="access logs bucket" until=2030-01-01
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data" # sekimori:ignore SKM-AWS-S3-004 reason="tracked in JIRA-1"
}

resource "aws_s3_bucket" "plain" {
  bucket = "acme-plain"
}
)",
                SourceFormat::kTerraformHcl);
  const Resource* logs = find_resource(l.estate, "aws_s3_bucket.logs");
  const Resource* data = find_resource(l.estate, "aws_s3_bucket.data");
  const Resource* plain = find_resource(l.estate, "aws_s3_bucket.plain");
  ASSERT_NE(logs, nullptr);
  ASSERT_NE(data, nullptr);
  ASSERT_NE(plain, nullptr);
  ASSERT_EQ(logs->suppressions.size(), 1u);
  EXPECT_EQ(logs->suppressions[0].rule_id, "SKM-AWS-S3-001");
  EXPECT_EQ(logs->suppressions[0].reason, "access logs bucket");
  EXPECT_EQ(logs->suppressions[0].until, "2030-01-01");
  EXPECT_EQ(logs->suppressions[0].location.line, 2u);
  ASSERT_EQ(data->suppressions.size(), 1u);
  EXPECT_EQ(data->suppressions[0].rule_id, "SKM-AWS-S3-004");
  EXPECT_EQ(data->suppressions[0].reason, "tracked in JIRA-1");
  EXPECT_TRUE(plain->suppressions.empty());
}

TEST(TfHcl, CalledLocalModulesAreNotRootModules) {
  TempTree t;
  t.write("envs/prod/main.tf", R"(
module "db" {
  source = "../../modules/db"
  name   = "prod"
}
)");
  t.write("modules/db/main.tf", R"(
variable "name" {}
resource "aws_db_instance" "this" {
  identifier        = "${var.name}-db"
  storage_encrypted = false
}
)");
  t.write("standalone/main.tf", "resource \"aws_sqs_queue\" \"q\" { name = \"q\" }\n");
  Estate e;
  core::Diagnostics d;
  e.add_path(t.path(), {}, d);
  EXPECT_FALSE(d.has_errors()) << d.to_text();
  std::vector<std::string> ids;
  for (const Resource& r : e.resources()) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  // modules/db is evaluated only through the call (with its inputs), not on its own.
  EXPECT_EQ(ids, (std::vector<std::string>{"aws_sqs_queue.q", "module.db.aws_db_instance.this"}));
  const Resource* db = find_resource(e, "module.db.aws_db_instance.this");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(str(at(*db, {"identifier"})), "prod-db");
  EXPECT_EQ(db->location.file, t.path("modules/db/main.tf"));
  EXPECT_EQ(e.inputs().size(), 3u);
}

TEST(TfHcl, VarsFromLoadOptions) {
  LoadOptions o;
  o.tf_vars = {{false, "env", "prod"}};
  o.tf_env_vars = {{"env", "from-env"}, {"team", "shop"}};
  auto l = load("main.tf", R"(
variable "env" { default = "dev" }
variable "team" {}
resource "aws_sqs_queue" "q" { name = "${var.team}-${var.env}" }
)",
                SourceFormat::kTerraformHcl, o);
  const Resource* q = find_resource(l.estate, "aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(str(at(*q, {"name"})), "shop-prod");
}

// A template around an unknown value is an unknown string with its known text, and so is
// jsonencode (or aws_iam_policy_document) around one; a JSON attribute decodes such JSON,
// each string with an unknown part an unknown string of its own.
TEST(TfHcl, UnknownStringsKeepTheirKnownTextThroughJson) {
  auto l = load("main.tf", R"(
data "aws_caller_identity" "me" {}
locals { flag = data.aws_caller_identity.me.id != "" }
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"]
    }
  }
}
resource "aws_kms_key" "a" {
  description = "key of ${data.aws_caller_identity.me.account_id}%{if local.flag}!%{endif}"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
resource "aws_kms_key" "b" {
  policy = data.aws_iam_policy_document.p.json
}
resource "aws_kms_key" "c" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = data.aws_caller_identity.me.user_id }] })
}
resource "aws_iam_role" "r" { name = "r" }
resource "aws_kms_key" "d" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = aws_iam_role.r.arn } }] })
}
)",
                SourceFormat::kTerraformHcl);
  using std::string_literals::operator""s;
  const Resource* a = find_resource(l.estate, "aws_kms_key.a");
  ASSERT_NE(a, nullptr) << l.diags.to_text();
  EXPECT_EQ(std::string(at(*a, {"description"})->unknown_shape()), "key of \0"s);
  for (const char* id : {"aws_kms_key.a", "aws_kms_key.b"}) {
    const Resource* r = find_resource(l.estate, id);
    ASSERT_NE(r, nullptr) << id;
    const formats::Node* policy = at(*r, {"policy"});
    ASSERT_NE(policy, nullptr) << id;
    ASSERT_EQ(policy->kind(), formats::NodeKind::kMap) << id << ": the policy is decoded";
    const formats::Node* aws = policy->find("Statement")->items()[0].find_path({"Principal", "AWS"});
    ASSERT_NE(aws, nullptr) << id;
    EXPECT_EQ(std::string(aws->unknown_shape()), "arn:aws:iam::\0:root"s) << id;
    EXPECT_EQ(str(policy->find("Statement")->items()[0].find("Resource")), "*") << id;
  }
  // an unknown that is not a string (could be anything) leaves the whole policy unknown
  const Resource* c = find_resource(l.estate, "aws_kms_key.c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(is_unknown(at(*c, {"policy"})));
  EXPECT_EQ(at(*c, {"policy"})->unknown_shape(), "");
  // an AWS resource's arn is "arn:" and the rest unknown
  const Resource* d = find_resource(l.estate, "aws_kms_key.d");
  ASSERT_NE(d, nullptr);
  const formats::Node* role =
      at(*d, {"policy"})->find("Statement")->items()[0].find_path({"Principal", "AWS"});
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(std::string(role->unknown_shape()), "arn:\0"s);
  EXPECT_EQ(at(*find_resource(l.estate, "aws_iam_role.r"), {"arn"}), nullptr)
      << "not an attribute of its own";
}

TEST(TfHcl, SyntaxErrorsFailTheInputAndAreLocated) {
  auto l = load("main.tf", "resource \"aws_sqs_queue\" \"q\" {\n  name = \n}\n", SourceFormat::kTerraformHcl);
  EXPECT_TRUE(l.diags.has_errors());
  ASSERT_EQ(l.estate.inputs().size(), 1u);
  EXPECT_TRUE(l.estate.inputs()[0].failed);
  EXPECT_EQ(l.diags.items()[0].location.file, "main.tf");
  EXPECT_GT(l.diags.items()[0].location.line, 0u);
}

TEST(TfPlan, NullAttributesAreDroppedSoPlanAndHclAgree) {
  auto l = load("plan.json", R"({
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k",
     "values": {"description": "k", "enable_key_rotation": null, "policy": null,
                "tags": {"a": null, "b": "x"}}}
  ]}}
})",
                std::nullopt);
  EXPECT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* k = find_resource(l.estate, "aws_kms_key.k");
  ASSERT_NE(k, nullptr);
  // `raw` keeps the plan as written; the canonical attributes have no nulls.
  EXPECT_EQ(at(*k, {"policy"}), nullptr);
  EXPECT_EQ(at(*k, {"tags", "a"}), nullptr);
  EXPECT_EQ(str(at(*k, {"tags", "b"})), "x");
  EXPECT_NE(at(*k, {"raw", "policy"}), nullptr);
  auto h = load("main.tf", "resource \"aws_kms_key\" \"k\" {\n  description = \"k\"\n  tags = { b = \"x\" }\n}\n",
                SourceFormat::kTerraformHcl);
  const Resource* hk = find_resource(h.estate, "aws_kms_key.k");
  ASSERT_NE(hk, nullptr);
  // The canonical attributes rules see are the same (apart from source and raw).
  for (std::string_view key : {"enable_key_rotation", "policy", "description"}) {
    const formats::Node* a = at(*k, {key});
    const formats::Node* b = at(*hk, {key});
    EXPECT_EQ(a == nullptr, b == nullptr) << key;
    if (a != nullptr && b != nullptr) {
      EXPECT_EQ(a->kind(), b->kind()) << key;
    }
  }
}

}  // namespace
}  // namespace sekimori::model
