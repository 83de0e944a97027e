// Fuzz target: arbitrary bytes as a single-file Terraform module (main.tf), parsed and
// evaluated with small limits (steps, instances, module depth, expression depth); every
// resource body is walked. Nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "terraform/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  terraform::MemoryTree tree;
  tree.add("fuzz/main.tf", std::string(reinterpret_cast<const char*>(data), size));
  hcl::Limits hl;
  hl.max_bytes = 1 << 20;
  hl.max_depth = 64;
  hl.max_nodes = 100'000;
  terraform::ModuleCache cache(tree, hl);
  terraform::EvalOptions opts;
  opts.limits.max_steps = 200'000;
  opts.limits.max_instances = 100;
  opts.limits.max_module_depth = 4;
  opts.limits.max_expr_depth = 64;
  opts.limits.max_string = 1 << 16;
  core::Diagnostics diags;
  auto r = terraform::evaluate("fuzz", cache, opts, diags);
  if (!r.ok()) return 0;
  uint64_t visited = 0;
  for (const terraform::ResourceInstance& ri : r->resources) {
    if (ri.body == nullptr || ri.body->kind() != formats::NodeKind::kMap) __builtin_trap();
    std::vector<const formats::Node*> stack{ri.body};
    while (!stack.empty() && visited < 10'000'000) {
      const formats::Node* n = stack.back();
      stack.pop_back();
      ++visited;
      if (n->kind() == formats::NodeKind::kList) {
        for (const formats::Node& c : n->items()) stack.push_back(&c);
      } else if (n->kind() == formats::NodeKind::kMap) {
        for (const formats::Member& m : n->members()) stack.push_back(&m.value);
      }
    }
  }
  return 0;
}
