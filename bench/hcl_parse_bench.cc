// How fast does the HCL native-syntax parser go on typical Terraform files?
// Target (issue 4): 10,000 typical .tf files parsed in well under 1 s in total, i.e.
// roughly >100 MB/s on one core. The file is generated: resources with tags, nested
// blocks, heredoc policies, templates, for_each/dynamic blocks, variables, locals and
// outputs, like a module of a real repository (about 8 KB). Run with `make bench`.
//
// Reported: bytes/s (MB/s) for one file, and the time for 10,000 such files.
#include <benchmark/benchmark.h>

#include <string>

#include "hcl/ast.h"
#include "hcl/hcl2json.h"

namespace {

using namespace sekimori;

std::string typical_tf(int n) {
  std::string s = "# Generated module file " + std::to_string(n) + "\n";
  s += R"(variable "environment" {
  type        = string
  description = "Deployment environment"
  default     = "prod"
}

variable "subnets" {
  type = map(object({
    cidr = string
    az   = string
  }))
  default = {}
}

locals {
  prefix = "${var.environment}-app"
  common_tags = {
    Environment = var.environment
    Owner       = "platform"
    ManagedBy   = "terraform"
  }
  ports = [for p in [80, 443, 8080] : p if p != 8080]
}

)";
  for (int i = 0; i < 6; ++i) {
    std::string id = std::to_string(i);
    s += "resource \"aws_s3_bucket\" \"data_" + id + R"(" {
  bucket        = "${local.prefix}-data-)" + id + R"("
  force_destroy = true
  tags = merge(local.common_tags, {
    Name = "${local.prefix}-data-)" + id + R"("
  })
}

resource "aws_security_group" "web_)" + id + R"(" {
  name        = "${local.prefix}-web-)" + id + R"("
  description = "Web tier"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_role_policy" "access_)" + id + R"(" {
  name   = "access-)" + id + R"("
  role   = aws_iam_role.app.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "${aws_s3_bucket.data_)" + id + R"(.arn}/*"
    }
  ]
}
POLICY
}

resource "aws_subnet" "s_)" + id + R"(" {
  for_each          = var.subnets
  vpc_id            = var.vpc_id
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = { Name = "${local.prefix}-${each.key}" }
}

)";
  }
  s += R"(output "bucket_arns" {
  value = [for b in aws_s3_bucket.data_0[*] : b.arn]
}
)";
  return s;
}

void BM_ParseTypicalFile(benchmark::State& state) {
  std::string text = typical_tf(1);
  for (auto _ : state) {
    core::Diagnostics diags;
    auto f = hcl::parse_native("main.tf", text, hcl::Limits{}, diags);
    if (!f.ok() || f->has_errors()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
  state.counters["file_bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_ParseTypicalFile);

void BM_Parse10kFiles(benchmark::State& state) {
  std::string text = typical_tf(1);
  for (auto _ : state) {
    for (int i = 0; i < 10000; ++i) {
      core::Diagnostics diags;
      auto f = hcl::parse_native("main.tf", text, hcl::Limits{}, diags);
      benchmark::DoNotOptimize(f);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 10000 * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Parse10kFiles)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_ToHcl2json(benchmark::State& state) {
  std::string text = typical_tf(1);
  core::Diagnostics diags;
  auto f = hcl::parse_native("main.tf", text, hcl::Limits{}, diags);
  for (auto _ : state) benchmark::DoNotOptimize(hcl::to_hcl2json(*f));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ToHcl2json);

}  // namespace

BENCHMARK_MAIN();
