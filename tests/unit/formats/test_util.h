// Helpers shared by the formats tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "formats/document.h"

namespace sekimori::formats::testing {

inline Document must(core::Result<Document> r) {
  if (!r.ok()) {
    ADD_FAILURE() << "load failed: " << r.error().code << ": " << r.error().message;
    Builder b("empty", Format::kJson, "");
    return std::move(b).finish();
  }
  return std::move(r).value();
}

inline Document json(std::string text, core::Diagnostics* diags = nullptr, Limits limits = {}) {
  core::Diagnostics local;
  return must(load_json("t.json", std::move(text), limits, diags ? *diags : local));
}

inline Document yaml(std::string text, core::Diagnostics* diags = nullptr, Limits limits = {}) {
  core::Diagnostics local;
  return must(load_yaml("t.yaml", std::move(text), limits, diags ? *diags : local));
}

inline core::Error json_error(std::string text, Limits limits = {}) {
  core::Diagnostics diags;
  auto r = load_json("t.json", std::move(text), limits, diags);
  if (r.ok()) {
    ADD_FAILURE() << "expected a JSON error";
    return core::make_error("none", "");
  }
  return r.error();
}

inline core::Error yaml_error(std::string text, Limits limits = {}) {
  core::Diagnostics diags;
  auto r = load_yaml("t.yaml", std::move(text), limits, diags);
  if (r.ok()) {
    ADD_FAILURE() << "expected a YAML error";
    return core::make_error("none", "");
  }
  return r.error();
}

// "line:column" of a node, for compact assertions.
inline std::string lc(const Node* n) {
  if (n == nullptr) return "null-pointer";
  return std::to_string(n->pos().line) + ":" + std::to_string(n->pos().column);
}

inline std::string lc(const core::Error& e) {
  if (!e.location) return "no-location";
  return std::to_string(e.location->line) + ":" + std::to_string(e.location->column);
}

}  // namespace sekimori::formats::testing
