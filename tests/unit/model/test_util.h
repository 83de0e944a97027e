// Helpers shared by the model tests: load text into an Estate and look at the result.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "model/estate.h"

namespace sekimori::model::testing {

inline const Resource* find_resource(const Estate& e, std::string_view id) {
  for (const Resource& r : e.resources()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// Follows a dotted path of map keys from a resource's attributes.
inline const formats::Node* at(const Resource& r, std::initializer_list<std::string_view> path) {
  return r.attributes->find_path(path);
}

inline std::string codes(const core::Diagnostics& d) {
  std::string out;
  for (const auto& x : d.items()) out += x.code + " ";
  return out;
}

struct Loaded {
  Estate estate;
  core::Diagnostics diags;
};

inline Loaded load(std::string name, std::string text, std::optional<SourceFormat> f,
                   LoadOptions options = {}) {
  Loaded l;
  l.estate.add_text(std::move(name), std::move(text), f, options, l.diags);
  return l;
}

inline bool is_true(const formats::Node* n) {
  return n != nullptr && n->kind() == formats::NodeKind::kBool && n->as_bool();
}
inline bool is_false(const formats::Node* n) {
  return n != nullptr && n->kind() == formats::NodeKind::kBool && !n->as_bool();
}
inline bool is_unknown(const formats::Node* n) {
  return n != nullptr && n->kind() == formats::NodeKind::kUnknown;
}
inline std::string str(const formats::Node* n) {
  return n != nullptr && n->kind() == formats::NodeKind::kString ? std::string(n->as_string()) : "<none>";
}

}  // namespace sekimori::model::testing
