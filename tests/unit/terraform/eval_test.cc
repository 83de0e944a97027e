// The Terraform evaluator: addresses of count/for_each/module instances, variables and
// their precedence, locals (and their cycles), modules (recursion, manifests, remote
// sources), dynamic blocks, unknowns, locations, limits and file-order independence.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "terraform/evaluator.h"

namespace sekimori::terraform {
namespace {

using formats::Node;
using formats::NodeKind;

struct Run {
  std::unique_ptr<MemoryTree> tree = std::make_unique<MemoryTree>();
  std::unique_ptr<ModuleCache> cache;
  core::Diagnostics diags;
  EvalResult result;

  [[nodiscard]] std::vector<std::string> addresses() const {
    std::vector<std::string> out;
    for (const auto& r : result.resources) out.push_back(r.address);
    return out;
  }
  [[nodiscard]] const ResourceInstance* find(std::string_view address) const {
    for (const auto& r : result.resources) {
      if (r.address == address) return &r;
    }
    return nullptr;
  }
  [[nodiscard]] bool has_code(std::string_view code) const {
    for (const auto& d : diags.items()) {
      if (d.code == code) return true;
    }
    return false;
  }
  [[nodiscard]] std::string message(std::string_view code) const {
    for (const auto& d : diags.items()) {
      if (d.code == code) return d.message;
    }
    return {};
  }
};

std::unique_ptr<Run> run(const std::map<std::string, std::string>& files, EvalOptions opts = {},
                         const std::string& dir = "root", hcl::Limits limits = {}) {
  auto r = std::make_unique<Run>();
  for (const auto& [p, t] : files) r->tree->add(p, t);
  r->cache = std::make_unique<ModuleCache>(*r->tree, limits);
  auto res = evaluate(dir, *r->cache, opts, r->diags);
  EXPECT_TRUE(res.ok());
  if (res.ok()) r->result = std::move(res).value();
  return r;
}

// A compact text form of a node tree, for comparisons.
std::string dump(const Node& n) {
  switch (n.kind()) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return n.as_bool() ? "true" : "false";
    case NodeKind::kInt: return std::to_string(n.as_int());
    case NodeKind::kUint: return std::to_string(n.as_uint());
    case NodeKind::kDouble: return std::to_string(n.as_double());
    case NodeKind::kString: return "\"" + std::string(n.as_string()) + "\"";
    case NodeKind::kUnknown: return "?";
    case NodeKind::kList: {
      std::string s = "[";
      for (const Node& c : n.items()) s += dump(c) + ",";
      return s + "]";
    }
    case NodeKind::kMap: {
      std::string s = "{";
      for (const auto& m : n.members()) s += std::string(m.key.as_string()) + "=" + dump(m.value) + ",";
      return s + "}";
    }
  }
  return "";
}

std::string str_at(const ResourceInstance* r, std::string_view key) {
  if (r == nullptr || r->body == nullptr) return "<no resource>";
  const Node* n = r->body->find(key);
  if (n == nullptr) return "<absent>";
  if (n->kind() == NodeKind::kUnknown) return "<unknown>";
  return n->kind() == NodeKind::kString ? std::string(n->as_string()) : dump(*n);
}

TEST(EvalTest, CountAddressesAndIndex) {
  auto r = run({{"root/main.tf", R"(
resource "aws_s3_bucket" "b" {
  count  = 3
  bucket = "logs-${count.index}"
}
)"}});
  EXPECT_EQ(r->addresses(), (std::vector<std::string>{"aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]", "aws_s3_bucket.b[2]"}));
  EXPECT_EQ(str_at(r->find("aws_s3_bucket.b[2]"), "bucket"), "logs-2");
}

TEST(EvalTest, ForEachAddressesMapAndSet) {
  auto r = run({{"root/main.tf", R"(
resource "aws_s3_bucket" "m" {
  for_each = { logs = "l", data = "d" }
  bucket   = "${each.key}-${each.value}"
}
resource "aws_sqs_queue" "s" {
  for_each = toset(["b", "a", "b"])
  name     = each.value
}
)"}});
  EXPECT_EQ(r->addresses(), (std::vector<std::string>{"aws_s3_bucket.m[\"data\"]", "aws_s3_bucket.m[\"logs\"]",
                                                      "aws_sqs_queue.s[\"a\"]", "aws_sqs_queue.s[\"b\"]"}));
  EXPECT_EQ(str_at(r->find("aws_s3_bucket.m[\"logs\"]"), "bucket"), "logs-l");
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.s[\"a\"]"), "name"), "a");
}

TEST(EvalTest, ModuleInstanceAddresses) {
  auto r = run({{"root/main.tf", R"(
module "single" {
  source = "./mod"
  name   = "one"
}
module "counted" {
  source = "./mod"
  count  = 2
  name   = "c${count.index}"
}
module "keyed" {
  source   = "./mod"
  for_each = toset(["x"])
  name     = each.key
}
output "names" { value = module.single.bucket_name }
)"},
                {"root/mod/main.tf", R"(
variable "name" { type = string }
resource "aws_s3_bucket" "b" { bucket = var.name }
module "inner" {
  source = "../inner"
  prefix = var.name
}
output "bucket_name" { value = aws_s3_bucket.b.bucket }
)"},
                {"root/inner/main.tf", R"(
variable "prefix" {}
resource "aws_sqs_queue" "q" { name = "${var.prefix}-q" }
)"}});
  EXPECT_EQ(r->addresses(), (std::vector<std::string>{
                                "module.counted[0].aws_s3_bucket.b",
                                "module.counted[0].module.inner.aws_sqs_queue.q",
                                "module.counted[1].aws_s3_bucket.b",
                                "module.counted[1].module.inner.aws_sqs_queue.q",
                                "module.keyed[\"x\"].aws_s3_bucket.b",
                                "module.keyed[\"x\"].module.inner.aws_sqs_queue.q",
                                "module.single.aws_s3_bucket.b",
                                "module.single.module.inner.aws_sqs_queue.q",
                            }));
  EXPECT_EQ(str_at(r->find("module.counted[1].module.inner.aws_sqs_queue.q"), "name"), "c1-q");
  EXPECT_EQ(str_at(r->find("module.keyed[\"x\"].aws_s3_bucket.b"), "bucket"), "x");
  EXPECT_EQ(r->find("module.single.aws_s3_bucket.b")->module_path, "module.single");
}

TEST(EvalTest, ModuleOutputsFlowBack) {
  auto r = run({{"root/main.tf", R"(
module "m" {
  source = "./m"
  n      = 2
}
resource "aws_sqs_queue" "q" {
  name = "${module.m.doubled}-${module.m.computed == null ? "null" : "set"}"
}
)"},
                {"root/m/main.tf", R"(
variable "n" { type = number }
resource "aws_s3_bucket" "b" {}
output "doubled" { value = var.n * 2 }
output "computed" { value = aws_s3_bucket.b.arn }
)"}});
  // module.m.computed is unknown (an ARN), so the whole name is.
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "<unknown>");
  auto r2 = run({{"root/main.tf", R"(
module "m" {
  source = "./m"
  n      = 2
}
resource "aws_sqs_queue" "q" { name = "q-${module.m.doubled}" }
)"},
                 {"root/m/main.tf", "variable \"n\" {}\noutput \"doubled\" { value = var.n * 2 }\n"}});
  EXPECT_EQ(str_at(r2->find("aws_sqs_queue.q"), "name"), "q-4");
}

TEST(EvalTest, VariablePrecedence) {
  std::map<std::string, std::string> files = {
      {"root/main.tf", R"(
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "g" { default = "default" }
resource "aws_sqs_queue" "q" {
  tags = { a = var.a, b = var.b, c = var.c, d = var.d, e = var.e, f = var.f, g = var.g }
}
)"},
      {"root/terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\nf = \"tfvars\"\ng = \"tfvars\"\n"},
      {"root/terraform.tfvars.json", R"({"c": "tfvars.json", "d": "tfvars.json", "e": "tfvars.json", "f": "tfvars.json", "g": "tfvars.json"})"},
      {"root/b.auto.tfvars", "d = \"b.auto\"\ne = \"b.auto\"\n"},
      {"root/a.auto.tfvars", "d = \"a.auto\"\ne = \"a.auto\"\nf = \"a.auto\"\ng = \"a.auto\"\n"},
      {"extra.tfvars", "f = \"var-file\"\ng = \"var-file\"\n"},
  };
  EvalOptions opts;
  opts.env_vars = {{"a", "env"}, {"b", "env"}};
  opts.cli_vars = {{true, "", "extra.tfvars"}, {false, "g", "cli"}};
  auto r = run(files, opts);
  const ResourceInstance* q = r->find("aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(dump(*q->body->find("tags")),
            "{a=\"env\",b=\"tfvars\",c=\"tfvars.json\",d=\"b.auto\",e=\"b.auto\",f=\"var-file\",g=\"cli\",}");
  // -var and -var-file apply in command-line order: a file after a --var wins.
  opts.cli_vars = {{false, "g", "cli"}, {true, "", "extra.tfvars"}, {false, "f", "cli"}};
  auto later = run(files, opts);
  const ResourceInstance* q2 = later->find("aws_sqs_queue.q");
  ASSERT_NE(q2, nullptr);
  EXPECT_EQ(dump(*q2->body->find("tags")),
            "{a=\"env\",b=\"tfvars\",c=\"tfvars.json\",d=\"b.auto\",e=\"b.auto\",f=\"cli\",g=\"var-file\",}");
}

TEST(EvalTest, VariableTypesAndOptionalDefaults) {
  EvalOptions opts;
  opts.cli_vars = {{false, "ports", "[22, 443]"}, {false, "count_s", "3"}};
  auto r = run({{"root/main.tf", R"(
variable "ports" { type = list(number) }
variable "count_s" { type = number }
variable "cfg" {
  type = object({
    name    = string
    encrypt = optional(bool, true)
  })
  default = { name = "n" }
}
variable "legacy" {
  type    = "string"
  default = "old"
}
variable "unset" { type = string }
resource "aws_sqs_queue" "q" {
  tags = {
    first   = var.ports[0] + var.count_s
    encrypt = var.cfg.encrypt
    legacy  = var.legacy
  }
  name = var.unset
}
)"}},
               opts);
  const ResourceInstance* q = r->find("aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(dump(*q->body->find("tags")), "{encrypt=true,first=25,legacy=\"old\",}");
  EXPECT_EQ(str_at(q, "name"), "<unknown>");  // no default, no value: Terraform would ask
}

TEST(EvalTest, LocalsInAnyOrderAndCycleReported) {
  auto r = run({{"root/main.tf", R"(
locals {
  c = "${local.b}-c"
  a = "a"
  b = "${local.a}-b"
}
resource "aws_sqs_queue" "q" { name = local.c }
)"}});
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "a-b-c");
  EXPECT_FALSE(r->diags.has_errors()) << r->diags.to_text();

  auto c = run({{"root/main.tf", R"(
locals {
  a = local.b
  b = "${local.a}x"
}
resource "aws_sqs_queue" "q" { name = local.a }
)"}});
  EXPECT_TRUE(c->has_code("tf.cycle")) << c->diags.to_text();
  EXPECT_NE(c->message("tf.cycle").find("local.a -> local.b -> local.a"), std::string::npos) << c->message("tf.cycle");
  EXPECT_EQ(str_at(c->find("aws_sqs_queue.q"), "name"), "<unknown>");
  for (const auto& d : c->diags.items()) {
    if (d.code == "tf.cycle") {
      EXPECT_EQ(d.location.file, "root/main.tf");
    }
  }
}

TEST(EvalTest, ModuleRecursionIsAnErrorNotAHang) {
  auto r = run({{"root/main.tf", R"(
module "self" { source = "./" }
resource "aws_sqs_queue" "q" { name = "q" }
)"}});
  EXPECT_TRUE(r->has_code("tf.module.recursion")) << r->diags.to_text();
  EXPECT_EQ(r->addresses(), std::vector<std::string>{"aws_sqs_queue.q"});
  auto mutual = run({{"root/main.tf", "module \"a\" { source = \"./a\" }\n"},
                     {"root/a/main.tf", "module \"b\" { source = \"../b\" }\n"},
                     {"root/b/main.tf", "module \"a\" { source = \"../a\" }\nresource \"aws_sqs_queue\" \"q\" {}\n"}});
  EXPECT_TRUE(mutual->has_code("tf.module.recursion"));
  EXPECT_EQ(mutual->addresses(), std::vector<std::string>{"module.a.module.b.aws_sqs_queue.q"});
}

TEST(EvalTest, RemoteModulesNotScannedUnlessDownloaded) {
  auto r = run({{"root/main.tf", R"(
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
module "gone" { source = "git::https://example.com/x.git" }
resource "aws_sqs_queue" "q" { name = module.gone.name }
)"},
                {"root/.terraform/modules/modules.json",
                 R"({"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"registry.terraform.io/terraform-aws-modules/vpc/aws","Version":"5.0.0","Dir":".terraform/modules/vpc"}]})"},
                {"root/.terraform/modules/vpc/main.tf", "resource \"aws_vpc\" \"this\" { cidr_block = \"10.0.0.0/16\" }\n"}});
  EXPECT_EQ(r->addresses(), (std::vector<std::string>{"aws_sqs_queue.q", "module.vpc.aws_vpc.this"}));
  EXPECT_TRUE(r->has_code("tf.module.not_scanned"));
  EXPECT_NE(r->message("tf.module.not_scanned").find("gone"), std::string::npos);
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "<unknown>");
  EXPECT_FALSE(r->diags.has_errors()) << r->diags.to_text();
}

TEST(EvalTest, DynamicBlocks) {
  auto r = run({{"root/main.tf", R"(
locals { ports = [22, 443] }
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.ports
    iterator = p
    content {
      from_port   = p.value
      to_port     = p.value
      description = "rule ${p.key}"
    }
  }
  egress {
    from_port = 0
  }
}
)"}});
  const ResourceInstance* sg = r->find("aws_security_group.sg");
  ASSERT_NE(sg, nullptr);
  EXPECT_EQ(dump(*sg->body->find("ingress")),
            "[{description=\"rule 0\",from_port=22,to_port=22,},{description=\"rule 1\",from_port=443,to_port=443,},]");
  EXPECT_EQ(dump(*sg->body->find("egress")), "[{from_port=0,},]");
}

TEST(EvalTest, UnknownsFromComputedAttributesAndDataSources) {
  auto r = run({{"root/main.tf", R"(
data "aws_caller_identity" "me" {}
resource "aws_s3_bucket" "b" { bucket = "known" }
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  expected_bucket_owner = data.aws_caller_identity.me.account_id
  versioning_configuration { status = "Enabled" }
}
resource "aws_sqs_queue" "q" {
  name = aws_s3_bucket.b.bucket
  tags = { arn = "x-${aws_s3_bucket.b.arn}", maybe = try(aws_s3_bucket.b.nope.x, "fallback") }
}
)"}});
  const ResourceInstance* v = r->find("aws_s3_bucket_versioning.v");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(str_at(v, "bucket"), "<unknown>");
  EXPECT_EQ(str_at(v, "expected_bucket_owner"), "<unknown>");
  EXPECT_EQ(v->references.at("bucket"), (std::vector<std::string>{"aws_s3_bucket.b.id", "aws_s3_bucket.b"}));
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "known");
  EXPECT_EQ(dump(*r->find("aws_sqs_queue.q")->body->find("tags")), "{arn=?,maybe=\"fallback\",}");
  // Data sources are not resources of the result.
  EXPECT_EQ(r->addresses().size(), 3u);
}

// aws_iam_policy_document is computed from its arguments as the provider does: its
// `json` is known when they are, and unknown as soon as one of them is not.
TEST(EvalTest, IamPolicyDocumentIsComputed) {
  auto r = run({{"root/main.tf", R"(
data "aws_caller_identity" "me" {}
data "aws_iam_policy_document" "open" {
  statement {
    actions   = ["es:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "full" {
  policy_id = "p1"
  source_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Keep", Effect = "Allow", Action = "s3:GetObject", Resource = "*" },
                 { Sid = "Replace", Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })]
  statement {
    sid     = "Replace"
    effect  = "Deny"
    actions = ["s3:DeleteObject", "s3:PutObject"]
    not_resources = ["arn:aws:s3:::keep/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    not_actions = ["iam:*"]
    resources   = ["*"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
  override_policy_documents = [jsonencode({
    Statement = [{ Sid = "Keep", Effect = "Deny", Action = "s3:GetObject", Resource = "*" }]
  })]
}
data "aws_iam_policy_document" "unknowable" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"]
    }
  }
}
resource "aws_sqs_queue" "q" {
  name = "q"
  tags = {
    open       = data.aws_iam_policy_document.open.json
    full       = data.aws_iam_policy_document.full.minified_json
    unknowable = data.aws_iam_policy_document.unknowable.json
  }
}
)"}});
  const ResourceInstance* q = r->find("aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  const Node* tags = q->body->find("tags");
  ASSERT_NE(tags, nullptr);
  auto str = [](const Node* n) {
    return n != nullptr && n->kind() == NodeKind::kString ? std::string(n->as_string()) : "?";
  };
  EXPECT_EQ(str(tags->find("open")),
            R"({"Statement":[{"Action":"es:*","Effect":"Allow","Principal":{"AWS":"*"},"Resource":"*"}],)"
            R"("Version":"2012-10-17"})");
  EXPECT_EQ(
      str(tags->find("full")),
      R"({"Id":"p1","Statement":[)"
      R"({"Action":"s3:GetObject","Effect":"Deny","Resource":"*","Sid":"Keep"},)"
      R"({"Action":["s3:DeleteObject","s3:PutObject"],"Condition":{"Bool":{"aws:SecureTransport":"false"}},)"
      R"("Effect":"Deny","NotResource":"arn:aws:s3:::keep/*","Principal":"*","Sid":"Replace"},)"
      R"({"Effect":"Allow","NotAction":"iam:*","Principal":{"AWS":"arn:aws:iam::111122223333:root",)"
      R"("Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Resource":"*"}],"Version":"2012-10-17"})");
  // an unknown account ID: the JSON is an unknown string that keeps the rest of the text
  EXPECT_EQ(tags->find("unknowable")->kind(), NodeKind::kUnknown);
  using std::string_literals::operator""s;
  EXPECT_EQ(std::string(tags->find("unknowable")->unknown_shape()),
            R"({"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)"s + '\0' +
                R"(:root"},"Resource":"*"}],"Version":"2012-10-17"})");
}

// Templates around unknown values are unknown strings that keep their known text; so is
// jsonencode around them, with the holes inside JSON strings (escaped text around them).
TEST(EvalTest, UnknownStringsKeepTheirKnownText) {
  auto r = run({{"root/main.tf", R"(
data "aws_caller_identity" "me" {}
variable "flag" { type = bool }
resource "aws_sqs_queue" "q" {
  name = "q"
  tags = {
    arn    = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"
    nested = "<${"x-${data.aws_caller_identity.me.account_id}"}>"
    cond   = "a%{if var.flag}b%{endif}c"
    twice  = "${data.aws_caller_identity.me.account_id}${data.aws_caller_identity.me.user_id}"
    nul    = "\u0000${data.aws_caller_identity.me.account_id}"
    json   = jsonencode({ p = "a\"<${data.aws_caller_identity.me.account_id}", n = 1 })
    opaque = jsonencode({ p = data.aws_caller_identity.me.account_id })
    upper  = upper("arn:${data.aws_caller_identity.me.account_id}")
  }
}
)"}});
  const ResourceInstance* q = r->find("aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  const Node* tags = q->body->find("tags");
  ASSERT_NE(tags, nullptr);
  auto shape = [&](const char* k) { return std::string(tags->find(k)->unknown_shape()); };
  using std::string_literals::operator""s;
  EXPECT_EQ(shape("arn"), "arn:aws:iam::\0:root"s);
  EXPECT_EQ(shape("nested"), "<x-\0>"s);
  EXPECT_EQ(shape("cond"), "a\0c"s);
  EXPECT_EQ(shape("twice"), "\0"s) << "adjacent holes are one";
  EXPECT_EQ(shape("nul"), "") << "a NUL of the text itself: no shape";
  EXPECT_EQ(shape("json"), R"({"n":1,"p":"a\"\u003c)"s + '\0' + R"("})");
  EXPECT_EQ(shape("opaque"), "") << "an unknown of no known type inside";
  EXPECT_EQ(shape("upper"), "") << "a function of an unknown string is another string";
  for (const char* k : {"nul", "opaque", "upper"}) EXPECT_EQ(tags->find(k)->kind(), NodeKind::kUnknown) << k;
}

// for_each over a map expands by its keys, whatever its values are; an AWS resource's arn
// is "arn:" and the rest unknown when the configuration does not set it.
TEST(EvalTest, ForEachMapWithUnknownValuesAndArns) {
  auto r = run({{"root/main.tf", R"(
resource "aws_iam_role" "r" { name = "r" }
resource "aws_sqs_queue" "q" {
  for_each = { a = aws_iam_role.r.id, b = "known" }
  name     = "q-${each.key}"
  tags     = { role = aws_iam_role.r.arn, value = each.value }
}
)"}});
  EXPECT_FALSE(r->has_code("tf.expand.unknown"));
  const ResourceInstance* a = r->find("aws_sqs_queue.q[\"a\"]");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(str_at(a, "name"), "q-a");
  using std::string_literals::operator""s;
  EXPECT_EQ(std::string(a->body->find("tags")->find("role")->unknown_shape()), "arn:\0"s);
  EXPECT_EQ(a->body->find("tags")->find("value")->kind(), NodeKind::kUnknown);
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q[\"b\"]"), "name"), "q-b");
}

TEST(EvalTest, ExpressionForms) {
  auto r = run({{"root/main.tf", R"(
locals {
  users = [{ name = "a", admin = true }, { name = "b", admin = false }]
  by    = { for u in local.users : u.name => u.admin }
  grp   = { for u in local.users : (u.admin ? "admin" : "user") => u.name... }
  names = local.users[*].name
  legacy = local.users.*.name
  text  = <<EOT
%{ for n in local.names ~}
[${n}]
%{ endfor ~}
EOT
}
resource "aws_sqs_queue" "q" {
  tags = {
    admins = join(",", [for u in local.users : u.name if u.admin])
    by_a   = local.by["a"]
    grp    = join(",", local.grp["user"])
    names  = join("+", local.names)
    legacy = length(local.legacy)
    text   = local.text
    math   = 7 / 2 + 10 % 4
    cmp    = 3 >= 2 && !false
  }
}
)"}});
  const ResourceInstance* q = r->find("aws_sqs_queue.q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(dump(*q->body->find("tags")),
            "{admins=\"a\",by_a=true,cmp=true,grp=\"b\",legacy=2,math=5.500000,names=\"a+b\",text=\"[a]\n[b]\n\",}")
      << r->diags.to_text();
}

TEST(EvalTest, NodesLocatedAtTheirAttribute) {
  auto r = run({{"root/main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  versioning {\n    enabled = true\n  }\n}\n"}});
  const ResourceInstance* b = r->find("aws_s3_bucket.b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->location.line, 1u);
  EXPECT_EQ(b->location.file, "root/main.tf");
  const Node* bucket = b->body->find("bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->pos().line, 2u);
  EXPECT_EQ(bucket->pos().column, 3u);
  EXPECT_EQ(bucket->file(), "root/main.tf");
  const Node* enabled = b->body->find("versioning")->items()[0].find("enabled");
  EXPECT_EQ(enabled->pos().line, 4u);
  EXPECT_EQ(enabled->pos().column, 5u);
}

TEST(EvalTest, NullAttributesAreUnset) {
  auto r = run({{"root/main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = null\n  acl = \"private\"\n}\n"}});
  EXPECT_EQ(str_at(r->find("aws_s3_bucket.b"), "bucket"), "<absent>");
  EXPECT_EQ(str_at(r->find("aws_s3_bucket.b"), "acl"), "private");
}

TEST(EvalTest, ResultsDoNotDependOnFileOrder) {
  std::string a = R"(
locals { prefix = "p-${var.env}" }
resource "aws_s3_bucket" "b" {
  for_each = toset(["x", "y"])
  bucket   = "${local.prefix}-${each.key}"
}
)";
  std::string b = R"(
variable "env" { default = "dev" }
resource "aws_s3_bucket_versioning" "v" {
  for_each = aws_s3_bucket.b
  bucket   = each.value.bucket
}
module "m" {
  source = "./m"
  names  = [for k, v in aws_s3_bucket.b : v.bucket]
}
)";
  std::string m = "variable \"names\" {}\nresource \"aws_sqs_queue\" \"q\" {\n  count = length(var.names)\n  name = var.names[count.index]\n}\n";
  auto one = run({{"root/a.tf", a}, {"root/b.tf", b}, {"root/m/main.tf", m}});
  auto two = run({{"root/b.tf", a}, {"root/a.tf", b}, {"root/m/main.tf", m}});
  ASSERT_EQ(one->addresses(), two->addresses());
  EXPECT_EQ(one->addresses().size(), 6u);
  for (size_t i = 0; i < one->result.resources.size(); ++i) {
    EXPECT_EQ(dump(*one->result.resources[i].body), dump(*two->result.resources[i].body));
  }
  EXPECT_EQ(str_at(one->find("module.m.aws_sqs_queue.q[1]"), "name"), "p-dev-y");
  EXPECT_EQ(str_at(one->find("aws_s3_bucket_versioning.v[\"x\"]"), "bucket"), "p-dev-x");
}

TEST(EvalTest, IgnoreCommentsAreCollected) {
  auto r = run({{"root/main.tf", R"(
# sekimori:ignore SKM-AWS-S3-001 reason="logs" until=2030-01-01
resource "aws_s3_bucket" "b" {
  bucket = "x" # sekimori:ignore SKM-AWS-S3-002 reason="inline"
}

resource "aws_s3_bucket" "c" {
  bucket = "y"
}
)"}});
  const ResourceInstance* b = r->find("aws_s3_bucket.b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->ignores.size(), 2u);
  EXPECT_NE(b->ignores[0].text.find("SKM-AWS-S3-001"), std::string::npos);
  EXPECT_EQ(b->ignores[0].location.line, 2u);
  EXPECT_NE(b->ignores[1].text.find("SKM-AWS-S3-002"), std::string::npos);
  EXPECT_TRUE(r->find("aws_s3_bucket.c")->ignores.empty());
}

TEST(EvalTest, JsonSyntaxModules) {
  auto r = run({{"root/main.tf.json", R"({
  "variable": {"env": {"default": "dev"}},
  "locals": {"name": "acme-${var.env}"},
  "resource": {"aws_s3_bucket": {"b": {
    "count": 2,
    "bucket": "${local.name}-${count.index}",
    "versioning": [{"enabled": true}],
    "lifecycle": {"prevent_destroy": true}
  }}}
})"},
                {"root/other.tf", "resource \"aws_sqs_queue\" \"q\" { name = aws_s3_bucket.b[1].bucket }\n"}});
  EXPECT_EQ(r->addresses(), (std::vector<std::string>{"aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]", "aws_sqs_queue.q"}));
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "acme-dev-1");
  EXPECT_EQ(dump(*r->find("aws_s3_bucket.b[0]")->body), "{bucket=\"acme-dev-0\",versioning=[{enabled=true,},],}");
}

TEST(EvalLimitsTest, InstanceCountLimit) {
  EvalOptions opts;
  opts.limits.max_instances = 5;
  auto r = run({{"root/main.tf", "resource \"aws_sqs_queue\" \"q\" { count = 6 }\n"}}, opts);
  EXPECT_TRUE(r->has_code("tf.limit.instances"));
  EXPECT_EQ(r->addresses(), std::vector<std::string>{"aws_sqs_queue.q"});
  auto ok = run({{"root/main.tf", "resource \"aws_sqs_queue\" \"q\" { count = 5 }\n"}}, opts);
  EXPECT_EQ(ok->addresses().size(), 5u);
}

TEST(EvalLimitsTest, StepLimit) {
  EvalOptions opts;
  opts.limits.max_steps = 1000;
  auto r = run({{"root/main.tf", "resource \"aws_sqs_queue\" \"q\" {\n  count = 100\n  name = join(\",\", [for i in range(100) : \"${i}\"])\n}\n"}},
               opts);
  EXPECT_TRUE(r->has_code("tf.limit.steps"));
}

TEST(EvalLimitsTest, ModuleDepthLimit) {
  EvalOptions opts;
  opts.limits.max_module_depth = 2;
  auto r = run({{"root/main.tf", "module \"a\" { source = \"./a\" }\n"},
                {"root/a/main.tf", "module \"b\" { source = \"./b\" }\n"},
                {"root/a/b/main.tf", "module \"c\" { source = \"./c\" }\n"},
                {"root/a/b/c/main.tf", "resource \"aws_sqs_queue\" \"q\" {}\n"}},
               opts);
  EXPECT_TRUE(r->has_code("tf.limit.module_depth"));
  EXPECT_TRUE(r->addresses().empty());
}

TEST(EvalLimitsTest, ExpressionDepthLimit) {
  EvalOptions opts;
  opts.limits.max_expr_depth = 10;
  std::string deep = "1";
  for (int i = 0; i < 20; ++i) deep = "(" + deep + ")";
  auto r = run({{"root/main.tf", "resource \"aws_sqs_queue\" \"q\" { delay_seconds = " + deep + " }\n"}}, opts);
  EXPECT_TRUE(r->has_code("tf.limit.depth"));
}

TEST(EvalTest, UnknownCountIsOneInstanceWithANote) {
  auto r = run({{"root/main.tf", R"(
resource "aws_s3_bucket" "b" {}
resource "aws_sqs_queue" "q" {
  count = aws_s3_bucket.b.id == "" ? 0 : 1
  name  = "q"
}
)"}});
  EXPECT_TRUE(r->has_code("tf.expand.unknown"));
  EXPECT_EQ(str_at(r->find("aws_sqs_queue.q"), "name"), "q");
}

}  // namespace
}  // namespace sekimori::terraform
