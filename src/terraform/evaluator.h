// sekimori::terraform evaluation — a root module and the modules it calls, evaluated the
// way `terraform plan` would before it asks any provider: variables, locals, count and
// for_each expansion, module calls, dynamic blocks, functions; whatever only the cloud
// knows (computed attributes, data sources) is unknown. The result is every managed
// resource instance with its address and its evaluated body as a formats::Node tree in
// the shape of `terraform show -json` values, every node located at the .tf attribute
// that produced it.
//
//   terraform::DiskTree tree;
//   terraform::ModuleCache cache(tree, hcl::Limits{});
//   terraform::EvalOptions opts;
//   opts.cli_vars.push_back({false, "env", "prod"});              // --var env=prod
//   core::Diagnostics diags;
//   auto r = terraform::evaluate("infra", cache, opts, diags);
//   for (const terraform::ResourceInstance& i : r->resources)
//     use(i.address, i.type, *i.body);                            // module.m.aws_s3_bucket.b["k"]
//
// Problems are diagnostics with codes `tf.*` (docs/formats/terraform.md) located in the
// .tf files; evaluation goes on after them (the value in question becomes unknown). A
// cycle among locals, resources or module outputs, a module calling itself and an
// exceeded limit are errors; other evaluation problems are warnings.
//
// Ownership: the result's nodes and locations point into the ModuleCache's files; keep
// the cache alive as long as the result. Thread-safety: one evaluation per cache at a
// time; results are immutable.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "core/result.h"
#include "formats/document.h"
#include "terraform/config.h"

namespace sekimori::terraform {

struct EvalLimits {
  uint64_t max_steps = 50'000'000;   // expression evaluations for one root module
  uint32_t max_instances = 10'000;   // count / for_each instances of one block
  uint32_t max_module_depth = 32;    // nested module calls
  uint32_t max_expr_depth = 256;     // nesting while evaluating one expression
  uint64_t max_string = uint64_t{16} << 20;  // bytes of a string a template builds
};

struct EvalOptions {
  // --var NAME=VALUE and --var-file FILE, in command-line order: as in Terraform, a later
  // one overrides an earlier one whichever kind each is.
  struct CliVariable {
    bool file = false;  // --var-file: `value` is the file's path, `name` is empty
    std::string name;
    std::string value;
  };
  std::vector<CliVariable> cli_vars;
  // TF_VAR_* values by variable name (the caller passes the environment in).
  std::map<std::string, std::string> env_vars;
  // file(), templatefile() and friends never read outside this directory ("": the root
  // module's directory).
  std::string scan_root;
  std::string workspace = "default";
  EvalLimits limits;
};

// `# sekimori:ignore ...` found on or just before a resource block or one of its lines.
struct IgnoreComment {
  std::string text;  // after "sekimori:ignore"
  core::Location location;
};

struct ResourceInstance {
  std::string address;      // module.m["k"].aws_s3_bucket.b[0]
  std::string module_path;  // module.m["k"] ("" in the root module)
  std::string type;
  std::string name;
  core::Location location;  // the resource block
  const formats::Node* body = nullptr;  // a map, in EvalResult::document
  // Per top-level attribute, the objects its expression refers to, as plan JSON's
  // configuration.expressions.NAME.references ("aws_s3_bucket.b.id", "aws_s3_bucket.b").
  std::map<std::string, std::vector<std::string>> references;
  std::vector<IgnoreComment> ignores;
};

struct EvalResult {
  std::vector<ResourceInstance> resources;  // managed resources, sorted by address
  std::unique_ptr<formats::Document> document;
  std::vector<std::string> module_dirs;  // every module directory evaluated (root first)
};

// Evaluates the root module in `dir` and, recursively, the modules it calls. Returns an
// error only when the result cannot be built at all (a document limit).
[[nodiscard]] core::Result<EvalResult> evaluate(const std::string& dir, ModuleCache& cache,
                                                const EvalOptions& options, core::Diagnostics& diags);

// The local module directories that a module's calls name with a literal "./" or "../"
// source (normalised), for deciding which directories are root modules.
[[nodiscard]] std::vector<std::string> local_module_sources(const Module& module);

}  // namespace sekimori::terraform
