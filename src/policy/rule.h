// sekimori::policy rules — posture rules as data: one YAML file per rule, validated
// against the rule schema (docs/formats/rules.md, format version 1), compiled once into
// CEL programs and indexed by canonical resource type.
//
//   policy::RuleSet rules;
//   core::Diagnostics diags;
//   rules.add_builtin(diags);                       // the pack compiled into the binary
//   rules.add_directory("my-rules/", diags);        // bad rules are reported, not added
//   for (uint32_t i : rules.rules_for_type("aws_s3_bucket")) use(rules.rules()[i]);
//
// Every problem in a rule file is a located diagnostic with a stable code (`rule.*`);
// a rule with any error is left out and the others load. Rules are kept sorted by ID.
//
// Ownership: a RuleSet owns its rules; `const Rule*` stay valid until the set is changed.
// Thread-safety: loading is single-threaded; a loaded RuleSet is immutable and its
// compiled programs may be evaluated from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/digest.h"
#include "formats/snapshot.h"
#include "core/location.h"
#include "model/estate.h"

namespace sekimori::policy {

// The rule-format version this build reads (`format: 1` in every rule file).
inline constexpr int kRuleFormatVersion = 1;

enum class Severity : uint8_t { kCritical, kHigh, kMedium, kLow, kInfo };
[[nodiscard]] const char* severity_name(Severity s);  // "critical" ... "info"
[[nodiscard]] std::optional<Severity> severity_by_name(std::string_view name);

// What a rule example must produce.
enum class Expect : uint8_t { kPass, kFail, kUnknown };
[[nodiscard]] const char* expect_name(Expect e);

struct RuleExample {
  std::string name;              // optional label; "example N" when absent
  model::SourceFormat format = model::SourceFormat::kCloudFormation;
  Expect expect = Expect::kPass;
  std::string input;             // a complete small document of `format`
  std::string resource;          // optional: the identity of the resource to judge
  core::Location location;       // the example's entry in the rule file
  core::Location input_location; // the `input:` value
};

// Compiled programs and templates; defined in internal/compiled_rule.h.
struct CompiledRule;

struct Rule {
  std::string id;           // SKM-AWS-S3-001
  std::string title;
  std::string description;
  Severity severity = Severity::kMedium;
  std::vector<std::string> resource_types;  // as written (types or groups)
  std::vector<std::string> types;           // expanded concrete canonical types
  std::vector<model::SourceFormat> formats; // formats the rule supports (examples prove it)
  std::vector<std::string> tags;
  std::string when;         // CEL; empty when the rule applies to every resource of its types
  std::string assertion;    // CEL `assert:`
  std::string message;      // message template
  std::vector<std::string> threats;   // T01..T11
  std::vector<std::string> ccm;       // CCM v4 control IDs
  std::vector<std::string> cis_aws;   // CIS AWS Foundations v7.0.0 IDs
  std::vector<int> guidance;          // Security Guidance v5 domains 1..12
  std::vector<int> stages;            // DevSecOps stages 1..6
  std::vector<std::string> frameworks;
  std::string remediation;
  std::map<std::string, std::string> fix;  // "terraform" | "cloudformation" | "kubernetes" -> snippet
  std::vector<RuleExample> examples;
  std::string file;          // the rule file (for built-in rules: "builtin:rules/...")
  core::Location location;   // the `id:` entry
  bool builtin = false;
  std::shared_ptr<const CompiledRule> compiled;
};

// Bounds on rule files (exceeding one is a located `rule.limit` error).
struct RuleLimits {
  uint64_t max_file_bytes = 256 * 1024;
  size_t max_rules = 10'000;
  size_t max_expression_bytes = 8 * 1024;
  size_t max_message_bytes = 2 * 1024;
  size_t max_text_bytes = 16 * 1024;  // description, remediation, one fix snippet
  size_t max_examples = 64;
  size_t max_example_bytes = 64 * 1024;
  size_t max_list_items = 64;         // tags, mappings, resource types
};

class RuleSet {
 public:
  explicit RuleSet(RuleLimits limits = {});

  // Parses, validates and compiles one rule file's text. Returns true when the rule was
  // added; problems (errors and warnings) go to `diags` with their location. A text the
  // set has already loaded (the same bytes, a bundled rule's file included) is not loaded
  // again: a note (`rule.same_text`) says so.
  bool add_text(const std::string& path, std::string text, core::Diagnostics& diags,
                bool builtin = false);
  // Every *.yaml / *.yml file under `dir` (recursively, in sorted order). Files with the
  // same text as one already loaded (a directory that holds the bundled pack) are left
  // out, with one note for the directory.
  void add_directory(const std::string& dir, core::Diagnostics& diags);
  // The bundled pack compiled into the binary. Without `examples` the files' `examples:`
  // sections (most of their text; `rules test` runs them, a scan does not) are not parsed.
  void add_builtin(core::Diagnostics& diags, bool examples = true);

  // Keeps the rules that match an --include (ID or tag; all when `include` is empty) and
  // no --exclude. IDs and tags compare case-insensitively; "SKM-AWS-S3-*" globs work.
  void select(const std::vector<std::string>& include, const std::vector<std::string>& exclude);

  [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
  [[nodiscard]] const Rule* find(std::string_view id) const;
  // Indices into rules() of the rules that apply to a concrete canonical type.
  [[nodiscard]] std::span<const uint32_t> rules_for_type(std::string_view type) const;
  [[nodiscard]] const RuleLimits& limits() const { return limits_; }

 private:
  void reindex();
  // Reports the limit on the number of rules when it is reached.
  bool has_room(const std::string& path, core::Diagnostics& diags) const;
  // Adds a parsed rule unless the limit is reached or its ID is taken; the caller
  // reindexes.
  bool append(Rule rule, core::Diagnostics& diags, bool builtin);
  // add_text() for a text not loaded before.
  bool add_new_text(const std::string& path, std::string text, core::Diagnostics& diags, bool builtin);
  // The path `text` was loaded from before, or nullptr (it is remembered).
  const std::string* loaded_before(std::string_view text, const std::string& path);

  RuleLimits limits_;
  // The texts of the files loaded so far. The bundled pack's are added when the first
  // other file comes (a scan without --rules never hashes them).
  core::SeenTexts texts_;
  bool builtin_texts_pending_ = false;
  std::vector<Rule> rules_;
  std::map<std::string, std::vector<uint32_t>, std::less<>> by_type_;
};

// Validates and compiles one rule file without a set (used by `rules validate`).
core::Result<Rule> parse_rule(const std::string& path, std::string text, core::Diagnostics& diags,
                              const RuleLimits& limits = {});

// The bundled rule files, compiled into the binary at build time (generated from rules/).
struct BuiltinRuleFile {
  std::string_view path;  // "rules/aws/s3/public_access_block.yaml"
  std::string_view text;
};
[[nodiscard]] std::span<const BuiltinRuleFile> builtin_rule_files();
// Snapshots of those files' YAML trees, made at build time (formats/snapshot.h).
[[nodiscard]] std::span<const formats::EmbeddedSnapshot> builtin_rule_snapshots();
// The version of the bundled rule pack (rules/VERSION).
[[nodiscard]] std::string_view builtin_rule_pack_version();

}  // namespace sekimori::policy
