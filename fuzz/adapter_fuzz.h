// Shared body of the adapter fuzz targets: Estate::add_text on arbitrary bytes read as
// one format, with small limits; every resource's canonical tree is walked. Nothing may
// crash, hang or leak.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/estate.h"

inline int fuzz_adapter(const uint8_t* data, size_t size, sekimori::model::SourceFormat format) {
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
                  format, options, diags);
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
