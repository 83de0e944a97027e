// Question: how long does `sekimori scan` take on a Terraform repository of N .tf files
// spread over M local modules (with variables, locals, for_each and split S3 resources),
// and does the time grow linearly with N? This program writes such a repository;
// scripts/bench times the scans (1k, 5k and 10k files by default).
//
//   gen_tf --files 1000 --modules 50 --out DIR
//
// Layout: DIR/main.tf (variables, locals, one call per module) and
// DIR/modules/mNN/{variables.tf, locals.tf, resNNNN.tf...}. Every resource file holds an
// S3 bucket with for_each over two keys, its versioning and public access block (folded
// into the bucket), and a security group with a dynamic ingress block. Deterministic.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

void usage() {
  std::fprintf(stderr, "usage: gen_tf --files N [--modules M] --out DIR\n");
  std::exit(2);
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) {
    std::fprintf(stderr, "gen_tf: cannot write %s\n", p.string().c_str());
    std::exit(1);
  }
}

std::string resource_file(int module, int file) {
  std::string id = "r" + std::to_string(file);
  std::string s;
  s += "resource \"aws_s3_bucket\" \"" + id + "\" {\n";
  s += "  for_each = local.replicas\n";
  s += "  bucket   = \"${local.prefix}-" + id + "-${each.key}\"\n";
  s += "  tags     = merge(local.tags, { replica = each.value.region })\n";
  s += "}\n\n";
  s += "resource \"aws_s3_bucket_versioning\" \"" + id + "\" {\n";
  s += "  for_each = local.replicas\n";
  s += "  bucket   = aws_s3_bucket." + id + "[each.key].id\n";
  s += "  versioning_configuration {\n";
  s += "    status = var.versioning ? \"Enabled\" : \"Suspended\"\n";
  s += "  }\n";
  s += "}\n\n";
  s += "resource \"aws_s3_bucket_public_access_block\" \"" + id + "\" {\n";
  s += "  for_each                = local.replicas\n";
  s += "  bucket                  = aws_s3_bucket." + id + "[each.key].id\n";
  s += "  block_public_acls       = true\n";
  s += "  block_public_policy     = " + std::string(file % 3 == 0 ? "false" : "true") + "\n";
  s += "  ignore_public_acls      = true\n";
  s += "  restrict_public_buckets = true\n";
  s += "}\n\n";
  s += "resource \"aws_security_group\" \"" + id + "\" {\n";
  s += "  name        = \"${local.prefix}-" + id + "\"\n";
  s += "  description = \"module " + std::to_string(module) + " file " + std::to_string(file) + "\"\n";
  s += "  dynamic \"ingress\" {\n";
  s += "    for_each = var.ingress_ports\n";
  s += "    content {\n";
  s += "      from_port   = ingress.value\n";
  s += "      to_port     = ingress.value\n";
  s += "      protocol    = \"tcp\"\n";
  s += "      cidr_blocks = [ingress.value == 22 ? var.admin_cidr : \"10.0.0.0/8\"]\n";
  s += "    }\n";
  s += "  }\n";
  s += "  tags = local.tags\n";
  s += "}\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int files = 0, modules = 50;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--files" && i + 1 < argc) {
      files = std::atoi(argv[++i]);
    } else if (a == "--modules" && i + 1 < argc) {
      modules = std::atoi(argv[++i]);
    } else if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else {
      usage();
    }
  }
  if (files < 1 || modules < 1 || out.empty()) usage();
  namespace fs = std::filesystem;
  fs::path root(out);
  fs::create_directories(root / "modules");
  // Root: one file. Each module: variables.tf, locals.tf and resource files.
  int per_module = (files - 1) / modules;
  int extra = (files - 1) % modules;
  std::string main = R"(variable "env" {
  type    = string
  default = "bench"
}

variable "admin_cidr" {
  type    = string
  default = "0.0.0.0/0"
}

locals {
  team = "platform"
}
)";
  int written = 1;
  int resources = 0;
  for (int m = 0; m < modules; ++m) {
    int n = per_module + (m < extra ? 1 : 0);
    if (n < 1) continue;
    char name[16];
    std::snprintf(name, sizeof name, "m%02d", m);
    fs::path dir = root / "modules" / name;
    fs::create_directories(dir);
    main += "\nmodule \"" + std::string(name) + "\" {\n  source     = \"./modules/" + name +
            "\"\n  name       = \"${var.env}-" + name + "\"\n  team       = local.team\n  admin_cidr = var.admin_cidr\n" +
            "  versioning = " + (m % 2 == 0 ? "true" : "false") + "\n}\n";
    write(dir / "variables.tf", R"(variable "name" {
  type = string
}

variable "team" {
  type = string
}

variable "admin_cidr" {
  type = string
}

variable "versioning" {
  type    = bool
  default = true
}

variable "ingress_ports" {
  type    = list(number)
  default = [22, 443]
}

variable "settings" {
  type = object({
    regions = optional(list(string), ["eu-west-1", "us-east-1"])
  })
  default = {}
}
)");
    ++written;
    if (n >= 2) {
      write(dir / "locals.tf", R"(locals {
  prefix   = "acme-${var.name}"
  tags     = { team = var.team, module = var.name }
  replicas = { for i, r in var.settings.regions : "r${i}" => { region = r } }
}
)");
      ++written;
    }
    for (int f = 0; f < n - 2; ++f) {
      char fname[32];
      std::snprintf(fname, sizeof fname, "res%04d.tf", f);
      write(dir / fname, resource_file(m, f));
      ++written;
      resources += 3;  // two buckets and a security group after folding
    }
  }
  write(root / "main.tf", main);
  std::printf("%d files, %d modules, %d resources after folding\n", written, modules, resources);
  return 0;
}
