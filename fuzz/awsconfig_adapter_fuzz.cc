// Fuzz target: Estate::add_text on arbitrary bytes read as AWS Config items (JSON held in strings), with small limits.
// Every resource's canonical tree is walked; nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/estate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  model::LoadOptions options;
  options.limits.max_bytes = 1 << 20;
  options.limits.max_depth = 64;
  options.limits.max_string = 1 << 16;
  options.limits.max_nodes = 50000;
  options.limits.max_documents = 64;
  core::Diagnostics diags;
  model::Estate estate;
  estate.add_text("fuzz", std::string(reinterpret_cast<const char*>(data), size),
                  model::SourceFormat::kAwsConfig, options, diags);
  uint64_t visited = 0;
  for (const model::Resource& r : estate.resources()) {
    if (r.attributes == nullptr || r.attributes->kind() != formats::NodeKind::kMap) __builtin_trap();
    std::vector<const formats::Node*> stack{r.attributes};
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
