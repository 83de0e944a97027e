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
//   policy::ScanResult r = policy::scan(rules, estate.resources(), opts);   // or a Scanner
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
// Results: passes are most results, so they are kept compact (ScanResult::passes); the
// other results are full Findings. `for_each_result` walks both in report order.
//
// Thread-safety: scan() uses `threads` worker threads internally; output order does not
// depend on the thread count. Ownership: Findings copy what they need from resources,
// but point at their Rule (keep the RuleSet alive).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// A finding's fingerprint (below): 32 hex digits, held inline (no allocation for each of
// a scan's hundreds of thousands of results).
struct Fingerprint {
  std::array<char, 32> hex{};
  [[nodiscard]] std::string_view view() const { return {hex.data(), hex.size()}; }
  operator std::string_view() const { return view(); }  // NOLINT: used as text
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// What most findings do not have, kept out of line (Finding::extra) so that the
// hundreds of thousands of findings of a large scan stay small.
struct FindingExtra {
  std::string file;  // the attribute's file, when it is not the resource's
  // The rendered message template (fail, suppressed, unknown), read through
  // ScanResult::message_of. Not set, with Finding::message_later, when the template names
  // only the resource's identity and the rule: message_of renders it when a report needs
  // it, so that a scan's findings do not hold hundreds of thousands of messages.
  std::string stored_message;
  std::string detail;  // error text, or the unknown attributes
  // Shared and immutable (a pass copied for a report copies a pointer).
  std::shared_ptr<const AppliedSuppression> suppression;
};

// The resource a finding is about is ScanResult::resources[resource_index]
// (ScanResult::resource_of): its identity and location are kept once per resource, not
// once per finding.
struct Finding {
  const Rule* rule = nullptr;
  uint32_t resource_index = 0;  // in ScanResult::resources
  Status status = Status::kPass;
  bool message_later = false;  // see FindingExtra::stored_message
  // Where to fix: the attribute's position in the resource's file (or in file()); line 0
  // means the resource itself (always so for a pass). ScanResult::location_of resolves it.
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;
  std::string attribute;  // dotted path of the attribute pointed at; empty: the resource
  Fingerprint fingerprint;

  Finding() = default;
  Finding(const Finding& o) { *this = o; }
  Finding(Finding&&) noexcept = default;
  Finding& operator=(const Finding& o);
  Finding& operator=(Finding&&) noexcept = default;
  ~Finding() = default;

  [[nodiscard]] const std::string& file() const { return extra_ ? extra_->file : empty_string(); }
  [[nodiscard]] const std::string& stored_message() const {
    return extra_ ? extra_->stored_message : empty_string();
  }
  [[nodiscard]] const std::string& detail() const { return extra_ ? extra_->detail : empty_string(); }
  [[nodiscard]] const AppliedSuppression* suppression() const {
    return extra_ ? extra_->suppression.get() : nullptr;
  }
  // The out-of-line parts, created empty on first use.
  FindingExtra& extra() {
    if (!extra_) extra_ = std::make_unique<FindingExtra>();
    return *extra_;
  }
  void clear_extra() { extra_.reset(); }

 private:
  static const std::string& empty_string() { return kEmpty; }
  inline static const std::string kEmpty;
  std::unique_ptr<FindingExtra> extra_;
};

// A passing result, kept compact because most results pass: indexes into
// RuleSet::rules() and ScanResult::resources.
struct Pass {
  uint32_t rule = 0;
  uint32_t resource = 0;
};

// The identity of a scanned resource, copied so that results outlive the Estate.
struct ScannedResource {
  std::string id;
  std::string type;
  std::string source_type;
  model::SourceFormat format = model::SourceFormat::kCloudFormation;
  core::Location location;
};

struct ScanOptions {
  size_t threads = 1;
  cel::Timestamp now{};              // bound to `now`; also decides exception expiry
  const ExceptionList* exceptions = nullptr;
  // Called from worker threads with the number of resources done so far (monotonic) and
  // `progress_total` (scan() sets it to the resource count when 0; a Scanner fed batch by
  // batch passes 0: not known in advance); may be empty.
  std::function<void(size_t done, size_t total)> progress;
  size_t progress_total = 0;
};

struct Summary {
  size_t resources = 0;   // resources scanned
  size_t evaluated = 0;   // (rule, resource) pairs with a result
  size_t pass = 0, fail = 0, unknown = 0, error = 0, suppressed = 0;
  // Failing findings per severity (index: Severity).
  size_t fail_by_severity[5] = {0, 0, 0, 0, 0};
};

struct ScanResult {
  // Every result that is not a pass (fail, unknown, error, suppressed), in resource
  // order, then rule order. Findings and resources are deques: appending a batch never
  // moves (or copies into fresh memory) what came before, as growing vectors of 100,000s
  // of them did.
  std::deque<Finding> findings;
  std::vector<Pass> passes;                 // the passes, in the same order
  std::deque<ScannedResource> resources;    // every resource scanned, in input order
  core::Diagnostics diagnostics;  // runtime errors, expired exceptions, missing reasons
  Summary summary;

  [[nodiscard]] const ScannedResource& resource_of(const Finding& f) const { return resources[f.resource_index]; }
  // The finding's location, or its resource's when the finding has none.
  // (A view into this result.)
  [[nodiscard]] core::LocationView location_of(const Finding& f) const {
    const core::Location& r = resource_of(f).location;
    if (f.line == 0) return r;
    return {f.file().empty() ? std::string_view(r.file) : std::string_view(f.file()), f.line, f.column,
            f.offset};
  }

  // The finding's message (see FindingExtra::stored_message), or rendered into `scratch`.
  [[nodiscard]] const std::string& message_of(const Finding& f, std::string& scratch) const;
  [[nodiscard]] std::string message_of(const Finding& f) const;
  // A pass as a Finding (no location, message or suppression).
  [[nodiscard]] Finding pass_finding(const RuleSet& rules, const Pass& p) const;
  // The same into an existing Finding (reuses its storage).
  void fill_pass(const RuleSet& rules, const Pass& p, Finding& f) const;
  // Calls fn(const Finding&) for every result, passes included, in resource order then
  // rule order (the order of a report). A pass is handed over in a reused Finding: copy
  // it to keep it.
  template <typename Fn>
  void for_each_result(const RuleSet& rules, Fn&& fn) const {
    const Rule* first = rules.rules().data();
    Finding tmp;
    size_t pi = 0;
    for (const Finding& f : findings) {
      size_t fr = static_cast<size_t>(f.rule - first);
      while (pi < passes.size() && (passes[pi].resource < f.resource_index ||
                                    (passes[pi].resource == f.resource_index && passes[pi].rule < fr))) {
        fill_pass(rules, passes[pi++], tmp);
        fn(static_cast<const Finding&>(tmp));
      }
      fn(f);
    }
    for (; pi < passes.size(); ++pi) {
      fill_pass(rules, passes[pi], tmp);
      fn(static_cast<const Finding&>(tmp));
    }
  }
};

[[nodiscard]] ScanResult scan(const RuleSet& rules, std::span<const model::Resource> resources,
                              const ScanOptions& options);

// The same, batch by batch, for a streamed estate (model::Estate::set_consumer): each
// add() evaluates its resources at once and keeps only the results (which copy what they
// need), so the batch's documents can be dropped; finish() gives what scan() would have
// given for all batches together, in batch order.
//
//   policy::Scanner scanner(rules, opts);
//   estate.set_consumer([&](std::span<const model::Resource> rs, const model::Estate::Batch& b) {
//     scanner.add(rs, b.input, b.threads);   // on the loading threads, several at once
//   });
//   estate.add_path("infra/", load, diags);
//   policy::ScanResult result = std::move(scanner).finish();
//
// Thread-safe: add() may run for several batches at once. Batches are numbered 0, 1,
// 2, ... by the caller (add(resources) takes the next number itself; do not mix the two
// ways): results are kept in batch order whatever order the calls come in, and resource
// indexes continue across batches in that order.
class Scanner {
 public:
  Scanner(const RuleSet& rules, const ScanOptions& options);
  Scanner(Scanner&&) noexcept;
  Scanner& operator=(Scanner&&) noexcept;
  ~Scanner();

  void add(std::span<const model::Resource> resources);
  // Batch number `batch`, evaluated on `threads` threads (0: ScanOptions::threads). A
  // batch may come in parts (0, 1, 2, ..., `last` on the final one), as model::Estate
  // hands a large input over: results go in batch order, then part order.
  void add(std::span<const model::Resource> resources, uint64_t batch, size_t threads, uint32_t part = 0,
           bool last = true);
  [[nodiscard]] ScanResult finish() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Evaluates one rule on one resource, with no suppressions applied. nullopt when the
// rule does not apply (wrong type or `when:` false).
[[nodiscard]] std::optional<Finding> evaluate_rule(const Rule& rule, const model::Resource& resource,
                                                   cel::Timestamp now);

// Whether `rule` judges resources from format `f` (the formats its examples cover; a
// Terraform plan rule also judges Terraform HCL).
[[nodiscard]] bool supports_format(const Rule& rule, model::SourceFormat f);

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
