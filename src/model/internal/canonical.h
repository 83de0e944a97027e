// Builds canonical resource trees from adapter output: each adapter turns its source into
// Units (one per source resource, with the schema entry that maps it and, for
// sub-resources, the parent they fold into); CanonicalBuilder applies the schema's
// mappings, folds children into parents, fills provider defaults, and emits one root per
// resource into a single model Document for the input.
//
//   std::vector<Unit> units = ...;            // from an adapter
//   CanonicalBuilder cb(source_doc, SourceFormat::kCloudFormation, diags);
//   cb.build(units);                          // one model Document, Resources pointing into it
//
// Thread-safety: one builder per input, single-threaded. Ownership: the caller keeps the
// source (and any auxiliary) documents alive as long as the model Document.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/diagnostics.h"
#include "formats/document.h"
#include "model/estate.h"
#include "model/internal/schema.h"

namespace sekimori::model::internal {

// Config strings are decoded at most this many times in a row (double-encoded ACLs need 2).
inline constexpr int kMaxDecodeDepth = 4;
// A JSON string larger than this is not decoded (kept as a string, with a warning).
inline constexpr size_t kMaxDecodeBytes = size_t{8} << 20;

struct Unit {
  const SourceEntry* entry = nullptr;  // primary mapping; nullptr: an unmapped source type
  const formats::Node* root = nullptr;  // what mapping paths start from
  const formats::Node* raw = nullptr;   // the resource as written (resource.raw)
  formats::Pos pos;                     // the resource's block
  std::string id;
  std::string source_type;
  std::string fallback_type;  // canonical type for unmapped units
  // Children folded into this unit: (unit index, the fold entry used).
  std::vector<std::pair<size_t, const SourceEntry*>> children;
  bool folded = false;  // emitted as part of its parent, not on its own
  bool passthrough = false;  // unmapped: keep the root's attributes as they are (Terraform)
  std::vector<InlineSuppression> suppressions;
};

class CanonicalBuilder {
 public:
  CanonicalBuilder(const formats::Document& source, SourceFormat format, core::Diagnostics& diags);
  ~CanonicalBuilder();

  // Emits every unit that is not folded. Resources are appended to `out`; their
  // `attributes` point into `model` (set on success).
  core::Status build(std::vector<Unit>& units, std::vector<Resource>& out,
                     std::unique_ptr<formats::Document>& model);
  // The same for units[begin, end) only (folded children are found anywhere in `units`):
  // a model document for that part. Each unit is emitted once over all calls.
  core::Status build(std::vector<Unit>& units, size_t begin, size_t end, std::vector<Resource>& out,
                     std::unique_ptr<formats::Document>& model);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// camelCase / PascalCase to snake_case ("hostPID" -> "host_pid", "MultiAZ" -> "multi_az").
std::string snake_case(std::string_view s);

}  // namespace sekimori::model::internal
