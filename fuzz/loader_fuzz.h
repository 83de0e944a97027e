// Shared body of the loader fuzz targets: a loader on arbitrary bytes with small limits;
// on success every node of every root is visited and located (the walk is bounded
// because aliases count their subtree against max_nodes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/document.h"

using LoadFn = sekimori::core::Result<sekimori::formats::Document> (*)(
    std::string, std::string, const sekimori::formats::Limits&, sekimori::core::Diagnostics&);

inline int fuzz_loader(const uint8_t* data, size_t size, LoadFn load, const char* name) {
  using namespace sekimori;
  formats::Limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 64;
  limits.max_string = 4096;
  limits.max_nodes = 20000;
  limits.max_documents = 64;
  core::Diagnostics diags;
  auto doc = load(name, std::string(reinterpret_cast<const char*>(data), size), limits, diags);
  if (!doc.ok()) return 0;
  uint64_t visited = 0;
  std::vector<const formats::Node*> stack;
  for (const formats::Node& r : doc->roots()) stack.push_back(&r);
  while (!stack.empty()) {
    const formats::Node* n = stack.back();
    stack.pop_back();
    ++visited;
    core::Location loc = doc->location(*n);
    if (loc.line == 0 || loc.column == 0 || loc.offset > doc->text().size()) __builtin_trap();
    if (n->kind() == formats::NodeKind::kList) {
      for (const formats::Node& c : n->items()) stack.push_back(&c);
    } else if (n->kind() == formats::NodeKind::kMap) {
      for (const formats::Member& m : n->members()) {
        stack.push_back(&m.key);
        stack.push_back(&m.value);
        if (m.key.kind() == formats::NodeKind::kString && n->find(m.key.as_string()) != &m.value) {
          __builtin_trap();
        }
      }
    }
  }
  if (visited > limits.max_nodes) __builtin_trap();
  return 0;
}
