// Helpers shared by the detect tests: compile Sigma text, match JSON events.
#pragma once

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/correlator.h"
#include "detect/engine.h"
#include "detect/sigma.h"

namespace sekimori::detect::testing {

// `s` gzip-compressed (one member).
inline std::string gzip(const std::string& s) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  std::string out(libdeflate_gzip_compress_bound(c, s.size()), '\0');
  size_t n = libdeflate_gzip_compress(c, s.data(), s.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  out.resize(n);
  return out;
}

// A detection rule document around `detection` (YAML lines, indented by 2).
inline std::string rule_doc(const std::string& detection, const std::string& extra = "") {
  return "title: test rule\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n  product: aws\n  service: "
         "cloudtrail\nlevel: high\n" + extra + "detection:\n" + detection;
}

struct Compiled {
  core::Diagnostics diags;
  std::optional<Engine> engine;

  bool has_code(const std::string& code) const {
    for (const auto& d : diags.items()) {
      if (d.code == code) return true;
    }
    return false;
  }
};

// An engine of the rule documents in `yaml` (as "rules.yml"), which must load without errors.
inline std::shared_ptr<Engine> engine_of(const std::string& yaml) {
  core::Diagnostics diags;
  RuleSet set;
  set.add_text("rules.yml", yaml, diags);
  auto e = Engine::build(set, {}, diags);
  EXPECT_TRUE(e.ok());
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  return std::make_shared<Engine>(std::move(e).value());
}

inline std::unique_ptr<Compiled> compile(const std::string& yaml, EngineOptions opts = {}) {
  auto c = std::make_unique<Compiled>();
  RuleSet set;
  set.add_text("t.yml", yaml, c->diags);
  auto e = Engine::build(set, opts, c->diags);
  if (e.ok()) c->engine.emplace(std::move(e).value());
  return c;
}

// Indices of matching rules for one JSON event. Also matches through the Vectorscan
// prefilter with `json` as the record's text and fails the test when the two disagree
// (a prefilter false negative), so every matching test checks the prefilter too.
inline std::vector<uint32_t> hits(const Engine& e, const std::string& json) {
  simdjson::dom::parser p;
  auto doc = p.parse(json);
  EXPECT_EQ(doc.error(), simdjson::SUCCESS) << json;
  std::vector<uint32_t> out, filtered;
  if (doc.error() == simdjson::SUCCESS) {
    e.match(doc.value_unsafe(), out);
    MatchScratch scratch(e);
    e.match(doc.value_unsafe(), json, scratch, filtered);
    EXPECT_EQ(out, filtered) << "prefilter disagrees on " << json;
  }
  return out;
}

// True when the single rule built from `detection` matches `json`; fails the test when
// the rule does not compile cleanly.
inline bool m(const std::string& detection, const std::string& json, EngineOptions opts = {}) {
  auto c = compile(rule_doc(detection), opts);
  EXPECT_FALSE(c->diags.has_errors()) << c->diags.to_text();
  if (!c->engine || c->engine->detection_count() != 1) {
    ADD_FAILURE() << "rule did not compile: " << c->diags.to_text();
    return false;
  }
  bool matched = !hits(*c->engine, json).empty();
  // the same rule prefiltered even when it is reached through the eventName index
  opts.prefilter_indexed = true;
  auto all = compile(rule_doc(detection), opts);
  if (all->engine) {
    EXPECT_EQ(!hits(*all->engine, json).empty(), matched) << detection;
  }
  return matched;
}

// The first error code produced by `detection` (empty when none).
inline std::string error_code(const std::string& yaml) {
  auto c = compile(yaml);
  for (const auto& d : c->diags.items()) {
    if (d.severity == core::Severity::kError) return d.code;
  }
  return {};
}

}  // namespace sekimori::detect::testing
