// Private: what a Rule compiles into. Built by rule_loader.cc, read by scan.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cel/program.h"
#include "core/result.h"
#include "formats/document.h"
#include "policy/rule.h"

namespace sekimori::policy {

// An attribute path read by an expression: keys below `resource`; "*" is "an element
// of this list or map" (a comprehension variable).
using AttributePath = std::vector<std::string>;

// One conjunct of the assert (`a && b && c` has three), with the paths it reads.
struct Conjunct {
  std::unique_ptr<cel::Program> program;  // null when the assert is a single conjunct
  std::vector<AttributePath> paths;
};

// Message template: literal text and placeholders (see docs/formats/rules.md).
struct TemplatePart {
  enum class Kind : uint8_t { kText, kResourceMeta, kAttribute, kRule };
  Kind kind = Kind::kText;
  std::string text;              // kText: the text; kResourceMeta / kRule: the field name
  AttributePath path;            // kAttribute
};

// The fingerprint's two FNV-1a states after the rule ID (scan.cc): the part of every
// fingerprint of the rule that does not depend on the resource, hashed once.
struct FingerprintSeed {
  uint64_t a = 0;
  uint64_t b = 0;
};
FingerprintSeed fingerprint_seed(std::string_view rule_id);

struct CompiledRule {
  FingerprintSeed fingerprint_seed;
  std::unique_ptr<cel::Program> when;  // null when the rule has no `when:`
  std::unique_ptr<cel::Program> assertion;
  std::vector<Conjunct> conjuncts;
  std::vector<TemplatePart> message;
  bool message_reads_attributes = false;  // else a finding's message is rendered when reported
};

// Parses a message template; the error's location column is a 1-based byte column in
// `text` (line 1).
core::Result<std::vector<TemplatePart>> parse_template(std::string_view text);
// Renders a template for a resource.
std::string render_template(const std::vector<TemplatePart>& parts, const Rule& rule,
                            const model::Resource& resource);
// Whether a template reads the resource's attributes (not only its identity and the rule).
bool template_reads_attributes(const std::vector<TemplatePart>& parts);
// Renders a template that does not read attributes, from the resource's identity, into
// `out` (cleared first).
void render_identity_template(const std::vector<TemplatePart>& parts, const Rule& rule, std::string_view id,
                              std::string_view type, std::string_view source_type, model::SourceFormat format,
                              std::string& out);

// The attribute paths below the variable `resource` that an expression reads.
std::vector<AttributePath> attribute_paths(const cel::Expr& root);
// Identifiers that are neither declared variables, comprehension variables nor type
// names: (offset, name). Used to reject typos such as `resouce.x` at load time.
std::vector<std::pair<uint32_t, std::string>> undeclared_identifiers(
    const cel::Expr& root, const std::vector<std::string>& declared);
// A deep copy of an expression tree.
cel::ExprPtr clone_expr(const cel::Expr& e);

// The node a finding points at (see scan.h): the deepest existing node along `paths`.
struct PointedNode {
  const formats::Node* node = nullptr;  // nullptr: the resource itself
  std::string path;                     // dotted
};
PointedNode locate_attribute(const formats::Node& attributes, const std::vector<AttributePath>& paths);
// Where `target` (a node reached from `attributes`, such as a quantifier's deciding
// element) sits: the node and its dotted path; node null when it is not below them.
PointedNode locate_node(const formats::Node& attributes, const formats::Node* target);

}  // namespace sekimori::policy
