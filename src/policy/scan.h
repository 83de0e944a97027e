// sekimori::policy scanning — evaluates a RuleSet over the resources of an Estate.
//
// For each resource, the rules indexed under its canonical type run with `resource`
// bound to the canonical attributes and `now` to the scan time. `when:` false means the
// rule does not apply (no finding). Otherwise the `assert:` decides:
//   true -> pass; false -> fail; CEL unknown -> unknown (never a failure);
//   CEL error or a non-bool -> error (a located warning diagnostic, never a failure);
// and a fail or unknown that an inline suppression or an exception covers -> suppressed.
//
//   policy::ScanOptions opts;
//   opts.threads = 4;
//   opts.exceptions = &exceptions;
//   policy::ScanResult r = policy::scan(rules, estate.resources(), opts);
//   for (const policy::Finding& f : r.findings) ...   // resource order, then rule ID
//
// Where a finding points (see docs/formats/rules.md, "Locations"): the deepest node that
// exists along the attribute paths the failing part of the assert reads (for an assert
// `a && b && c`, the first conjunct that is not true); a path through a list element
// (`resource.rules.exists(r, r.port == 22)`) descends into the list only when it has
// exactly one element, so a finding never points at the wrong element; with no node
// found, the resource itself.
//
// Fingerprint: hex of a 128-bit FNV-1a hash of "rule id \0 resource type \0 identity" —
// stable across edits that move lines.
//
// Thread-safety: scan() uses `threads` worker threads internally; output order does not
// depend on the thread count. Ownership: Findings copy what they need from resources,
// but point at their Rule (keep the RuleSet alive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cel/time.h"
#include "core/diagnostics.h"
#include "model/estate.h"
#include "policy/exceptions.h"
#include "policy/rule.h"

namespace sekimori::policy {

enum class Status : uint8_t { kPass, kFail, kUnknown, kError, kSuppressed };
[[nodiscard]] const char* status_name(Status s);  // "pass", "fail", "unknown", "error", "suppressed"

struct AppliedSuppression {
  bool inline_comment = false;  // true: written on the resource; false: exceptions file
  std::string rule;             // as written ("*" for all rules)
  std::string reason;
  std::string approver;         // exceptions file only
  std::string expires;          // YYYY-MM-DD or empty
  core::Location location;
  Status original = Status::kFail;  // what the result was before suppression
};

struct Finding {
  const Rule* rule = nullptr;
  Status status = Status::kPass;
  std::string resource_id;
  std::string resource_type;
  std::string source_type;
  model::SourceFormat format = model::SourceFormat::kCloudFormation;
  core::Location resource_location;
  core::Location location;  // where to fix: the attribute, or the resource
  std::string attribute;    // dotted path of the attribute pointed at; empty: the resource
  std::string message;      // rendered message template (fail, suppressed, unknown)
  std::string detail;       // error text, or the unknown attributes
  std::string fingerprint;
  std::optional<AppliedSuppression> suppression;
};

struct ScanOptions {
  size_t threads = 1;
  cel::Timestamp now{};              // bound to `now`; also decides exception expiry
  const ExceptionList* exceptions = nullptr;
  // Called from worker threads with the number of resources done so far (monotonic);
  // may be empty.
  std::function<void(size_t done, size_t total)> progress;
};

struct Summary {
  size_t resources = 0;   // resources scanned
  size_t evaluated = 0;   // (rule, resource) pairs with a result
  size_t pass = 0, fail = 0, unknown = 0, error = 0, suppressed = 0;
  // Failing findings per severity (index: Severity).
  size_t fail_by_severity[5] = {0, 0, 0, 0, 0};
};

struct ScanResult {
  std::vector<Finding> findings;  // every result, pass included
  core::Diagnostics diagnostics;  // runtime errors, expired exceptions, missing reasons
  Summary summary;
};

[[nodiscard]] ScanResult scan(const RuleSet& rules, std::span<const model::Resource> resources,
                              const ScanOptions& options);

// Evaluates one rule on one resource, with no suppressions applied. nullopt when the
// rule does not apply (wrong type or `when:` false).
[[nodiscard]] std::optional<Finding> evaluate_rule(const Rule& rule, const model::Resource& resource,
                                                   cel::Timestamp now);

// The fingerprint described above.
[[nodiscard]] std::string fingerprint(std::string_view rule_id, std::string_view resource_type,
                                      std::string_view resource_id);

// "YYYY-MM-DD" of a timestamp (UTC).
[[nodiscard]] std::string civil_date(cel::Timestamp t);

// Result of running one rule example.
struct ExampleResult {
  const Rule* rule = nullptr;
  const RuleExample* example = nullptr;
  bool ok = false;
  std::optional<Status> got;  // nullopt: the snippet had no resource the rule applies to
  std::string problem;        // why it failed, for people
};

// Runs every example of `rule` (each snippet loaded with model::Estate::add_text).
[[nodiscard]] std::vector<ExampleResult> run_examples(const Rule& rule, cel::Timestamp now);

}  // namespace sekimori::policy
