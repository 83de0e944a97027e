// sekimori::store governance — validation of exceptions, risks and vendors, calendar
// dates, and the JSON export/import format of the governance records.
//
//   store::Vocabulary vocab;                 // what threat keys, rule IDs and service
//   vocab.is_threat = [&](auto k) {...};     // models are valid (the CLI fills it from
//                                            // the knowledge base and the rule pack)
//   SKM_TRY(store::validate_risk(risk, vocab));
//   std::string json = store::export_governance(data);        // stable order, for PRs
//   core::Diagnostics diags;
//   auto parsed = store::parse_governance("gov.json", json, vocab, {}, diags);
//   // an Error when anything is wrong; every problem is in diags with file:line:column
//
// The export format (docs/formats/database.md, "Governance export"):
//   {"format": 1, "exceptions": [...], "risks": [...], "vendors": [...]}
// Records are sorted (exceptions by rule, resource, uid; risks by title, uid; vendors by
// name) so that an export diffs cleanly in review.
//
// Thread-safety: pure functions. The parser is bounded by ImportLimits.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/result.h"
#include "store/store.h"

namespace sekimori::store {

// What the store cannot know by itself: the valid threat keys, rule IDs and service
// models. An empty function accepts anything.
struct Vocabulary {
  std::function<bool(std::string_view)> is_threat;
  std::function<bool(std::string_view)> is_rule;
  // The canonical name of a service model given its name or id in any case ("saas" ->
  // "SaaS"); nullopt when unknown.
  std::function<std::optional<std::string>(std::string_view)> service_model;
};

inline constexpr std::string_view kTreatments[] = {"mitigate", "transfer", "avoid", "accept"};
inline constexpr std::string_view kClassifications[] = {"public", "internal", "confidential", "restricted"};
inline constexpr std::string_view kDueDiligenceStatuses[] = {"pending", "in-progress", "approved",
                                                             "conditional", "rejected"};

// ---- Dates and times (UTC).

// True for a valid calendar date written YYYY-MM-DD.
[[nodiscard]] bool is_valid_date(std::string_view s);
// Days since 1970-01-01 of a valid date; nullopt otherwise.
[[nodiscard]] std::optional<int64_t> date_days(std::string_view s);
// "YYYY-MM-DD" of a time in ms.
[[nodiscard]] std::string date_of(int64_t ms);
// The date `days` after a date (negative: before).
[[nodiscard]] std::string add_days(std::string_view date, int64_t days);
// "2026-01-01T10:00:00Z" (with ".123" when there are milliseconds).
[[nodiscard]] std::string format_time(int64_t ms);
// Parses what format_time writes, or a plain date (midnight UTC); nullopt otherwise.
[[nodiscard]] std::optional<int64_t> parse_time(std::string_view s);

// ---- Validation: an Error "store.invalid" naming the field, nothing changed.

// `today`: the current date; an expiry before it is refused unless `allow_past`.
core::Status validate_exception(const ExceptionRecord& e, std::string_view today, bool allow_past);
core::Status validate_risk(const RiskRecord& r, const Vocabulary& vocab);
// Also canonicalises the service model's spelling.
core::Status validate_vendor(VendorRecord& v, const Vocabulary& vocab);
// "SOC 2 Type II:2027-03-31" -> {name, expires}.
core::Result<Attestation> parse_attestation(std::string_view text);

// ---- Export / import.

struct GovernanceData {
  std::vector<ExceptionRecord> exceptions;
  std::vector<RiskRecord> risks;
  std::vector<VendorRecord> vendors;
};

struct ImportLimits {
  uint64_t max_bytes = 16u << 20;   // the whole file
  uint32_t max_depth = 8;           // nesting
  uint64_t max_string = 64u << 10;  // one string
  uint64_t max_records = 100'000;   // exceptions + risks + vendors
  uint64_t max_list = 1'000;        // one list inside a record (threats, attestations, ...)
};

// Sorted as described above, indented by 2, newline-terminated.
[[nodiscard]] std::string export_governance(GovernanceData data);

// Parses and validates everything. Every problem goes to `diags` (located); the result is
// an Error ("governance.invalid", or the loader's code) when there was any.
core::Result<GovernanceData> parse_governance(std::string path, std::string text, const Vocabulary& vocab,
                                              const ImportLimits& limits, core::Diagnostics& diags);

// A new random record uid: PREFIX-16 hex digits ("exc-", "risk-", "vnd-").
[[nodiscard]] std::string new_uid(std::string_view prefix);

}  // namespace sekimori::store
