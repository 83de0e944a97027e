// The four source adapters. Each reads one loaded source Document and produces Units for
// the CanonicalBuilder (see canonical.h): the schema entry that maps each source
// resource, the tree mapping paths start from (resolved where the format needs it), and
// the parent each sub-resource folds into. Problems go to `diags` with stable codes
// (cfn.*, tfplan.*, awsconfig.*, k8s.*); nothing here throws, asserts on input or prints.
//
//   AdapterOutput out;
//   cfn_adapt(doc, options, diags, out);   // out.units, out.aux (resolved trees)
//
// Thread-safety: stateless functions. Ownership: `out.aux` owns the documents that
// units' roots point into; keep it as long as the units and the model they feed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "formats/document.h"
#include "model/estate.h"
#include "model/internal/canonical.h"
#include "terraform/config.h"

namespace sekimori::model::internal {

// CloudFormation intrinsic functions nest at most this deep.
inline constexpr int kMaxIntrinsicDepth = 64;
// A string built by Fn::Sub or Fn::Join is at most this long.
inline constexpr size_t kMaxSubBytes = size_t{1} << 20;
// Intrinsic evaluation steps for one template (aliases can make templates "wide").
inline constexpr uint64_t kMaxEvalSteps = 20'000'000;

struct AdapterOutput {
  std::vector<Unit> units;
  std::vector<std::unique_ptr<formats::Document>> aux;
};

void cfn_adapt(const formats::Document& doc, const LoadOptions& options, core::Diagnostics& diags,
               AdapterOutput& out);
void tfplan_adapt(const formats::Document& doc, const LoadOptions& options, core::Diagnostics& diags,
                  AdapterOutput& out);
void awsconfig_adapt(const formats::Document& doc, const LoadOptions& options, core::Diagnostics& diags,
                     AdapterOutput& out);
void k8s_adapt(const formats::Document& doc, const LoadOptions& options, core::Diagnostics& diags,
               AdapterOutput& out);

// Terraform HCL: evaluates each root module directory (see docs/formats/terraform.md) and
// appends its resources, one model Document per .tf file, and one Input per file read.
struct TfHclOutput {
  std::vector<Resource> resources;
  std::vector<Input> inputs;
  std::vector<std::unique_ptr<formats::Document>> docs;
};
void tfhcl_load(const std::vector<std::string>& dirs, terraform::ModuleCache& cache, const LoadOptions& options,
                core::Diagnostics& diags, TfHclOutput& out);
// The root modules among directories holding .tf files: those that no other of them
// calls as a local module (directories only reachable through a cycle of calls count too).
std::vector<std::string> tfhcl_roots(const std::vector<std::string>& dirs, terraform::ModuleCache& cache,
                                     core::Diagnostics& diags);

// Terraform (plan JSON and HCL): folds split resources (aws_s3_bucket_versioning, ...)
// into their parent through `references(unit, property)` (configuration references such
// as "aws_s3_bucket.logs.id"; Unit::id is the resource address), matching count/for_each
// instance keys, else through equal identifying values. `schema_format` picks the fold
// entries (terraform-plan for both).
void terraform_fold(std::vector<Unit>& units, SourceFormat schema_format,
                    const std::function<std::vector<std::string>(size_t, std::string_view)>& references);

// Detects the format of a loaded document by its content; nullopt when it is none of ours.
std::optional<SourceFormat> detect_format(const formats::Document& doc);

// "RULE reason=\"...\" until=YYYY-MM-DD" (several separated by ';' or newlines).
void parse_suppressions(std::string_view text, const core::Location& where,
                        std::vector<InlineSuppression>& out);

// The first primary (non-fold) entry for a source type, or nullptr.
const SourceEntry* primary_entry(SourceFormat f, std::string_view source_type);

// Marks children folded into parents. `parents_of(child_index, entry)` returns candidate
// parent unit indices for a child through one fold entry; a parent counts only when its
// primary entry maps to the fold entry's canonical type. Children with no parent stay
// resources of their own (typed by their source type).
template <typename ParentsOf>
void fold_units(std::vector<Unit>& units, SourceFormat f, ParentsOf parents_of) {
  for (size_t i = 0; i < units.size(); ++i) {
    Unit& u = units[i];
    const auto& entries = schema().entries(f, u.source_type);
    bool attached = false;
    for (const SourceEntry* e : entries) {
      if (!e->is_fold()) continue;
      for (size_t p : parents_of(i, *e)) {
        if (p >= units.size() || p == i || units[p].entry == nullptr || units[p].entry->type != e->type) continue;
        units[p].children.emplace_back(i, e);
        attached = true;
      }
    }
    // A resource with a type of its own (AWS::IAM::ManagedPolicy) also folds into the
    // principals it names, but stays a resource.
    if (u.entry == nullptr) u.folded = attached;
  }
}

}  // namespace sekimori::model::internal
