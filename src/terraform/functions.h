// sekimori::terraform functions — Terraform's built-in function library.
//
// Functions are looked up by name and called with already-evaluated arguments. The
// dispatcher checks the argument count, returns unknown (of the function's result type)
// when an argument is unknown — or, for most functions, contains an unknown anywhere —
// rejects null arguments unless the function accepts them, and marks the result
// sensitive when an argument was. `try` and `can` are special forms of the evaluator, not
// functions here. docs/formats/terraform-functions.md lists every function and where we
// differ from Terraform.
//
//   terraform::FunctionContext ctx;
//   ctx.base_dir = "/repo/infra";  ctx.scan_root = "/repo";
//   std::vector<Value> args{Value::string("a,b"), ...};
//   core::Result<Value> r = terraform::call_function("split", args, ctx);
//   if (!r.ok()) diags.add_error(... r.error().message at the call's location ...);
//
// Filesystem functions (file, fileexists, fileset, filebase64, templatefile, ...) read
// only below `scan_root`: paths are resolved (symlinks and `..` included) and anything
// outside is an error ("terraform.function.outside_root").
//
// Thread-safety: the registry is immutable; call_function may run concurrently with
// distinct (or shared const) contexts. The context's callback must be thread-safe when
// shared.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "terraform/value.h"

namespace sekimori::terraform {

// Bounds for functions that build large values from small inputs.
struct FunctionLimits {
  uint64_t max_string = uint64_t{16} << 20;  // bytes of a string a function builds
  uint64_t max_elements = 1'000'000;         // elements of a collection a function builds
  uint64_t max_file = uint64_t{64} << 20;    // bytes file()/templatefile() read
  uint64_t max_fileset = 100'000;            // paths fileset() returns
  uint32_t max_depth = 256;                  // nesting of decoded JSON/YAML
  uint64_t max_range = 1024;                 // range() length (Terraform's own limit)
};

// Renders a template for templatefile(): `path` (for locations), its `text` and the
// variables object. Set by the evaluator (it parses with hcl::parse_template and
// evaluates with `vars` as the only scope).
using TemplateRenderer =
    std::function<core::Result<Value>(const std::string& path, const std::string& text, const Value& vars)>;

struct FunctionContext {
  // Relative paths in filesystem functions resolve against this directory (the root
  // module's directory, which is Terraform's working directory).
  std::string base_dir = ".";
  // Nothing outside this directory may be read. Empty: base_dir.
  std::string scan_root;
  TemplateRenderer render_template;  // templatefile() is an error when unset
  FunctionLimits limits;
};

// Calls the function `name` ("lower", "cidrsubnet"). Errors: "terraform.function.unknown"
// (no such function), "terraform.function.args" (wrong count or type), and the
// function's own ("terraform.function" with Terraform-like messages). The evaluator adds
// the call's location.
[[nodiscard]] core::Result<Value> call_function(std::string_view name, std::span<const Value> args,
                                                const FunctionContext& ctx);

// True when `name` is a function we implement.
[[nodiscard]] bool has_function(std::string_view name);

// Every implemented function name, sorted.
[[nodiscard]] std::vector<std::string_view> function_names();

}  // namespace sekimori::terraform
