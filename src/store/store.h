// sekimori::store — the history and governance database: runs, findings and their
// lifecycle, alerts and who handled them, exceptions with an audit trail, the risk
// register and the vendor registry.
//
// `Store` is an interface; open_store() returns the SQLite implementation (the only one
// today). Callers see plain structs and core::Result only — no database types — so a
// PostgreSQL backend can be added behind open_store() without touching them (see
// docs/formats/database.md, "Adding a backend"). The store knows nothing of policy or
// detect: src/cli converts findings and alerts into the records below.
//
//   SKM_TRY_ASSIGN(auto db, store::open_store(".sekimori/sekimori.db", {}));
//   SKM_TRY_ASSIGN(int64_t run, db->begin_run(info));
//   SKM_TRY(db->add_findings(run, findings));          // batches; may be called often
//   SKM_TRY_ASSIGN(store::RunRecord done, db->finish_run(run, now_ms, /*complete=*/true));
//   // done.new_findings, done.resolved, ... ; db->list_findings({}) shows the lifecycle
//
// Times are milliseconds since the Unix epoch (UTC); calendar dates (expiry, review,
// due diligence) are "YYYY-MM-DD" strings. Every write is one transaction: a call either
// changes everything it was asked to or nothing. Errors carry stable codes:
// "store.open", "store.schema", "store.sql", "store.busy", "store.not_found",
// "store.invalid", "store.conflict".
//
// Thread-safety: one Store per thread (the SQLite connection is not shared). Several
// processes may use the same database file at once (WAL mode, busy timeout).
// Ownership: the Store owns its connection; records are plain values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sekimori::store {

// ---- Runs, findings and alerts.

struct RunInput {
  std::string path;
  std::string sha256;
  std::string format;  // "cloudformation", ... or "" when not recognised
};

struct NewRun {
  std::string kind;  // "scan", "detect" or "watch"
  int64_t started_at = 0;
  std::string tool_version;
  std::string rule_pack_version;
  std::string rule_pack_hash;
  std::vector<std::string> scope;  // the roots given on the command line (absolute)
  std::vector<RunInput> inputs;
  std::string host;  // who is writing, for detecting dead runs
  int64_t pid = 0;
};

struct RunRecord {
  int64_t id = 0;
  std::string kind;
  std::string status;  // running, complete, partial, incomplete
  int64_t started_at = 0;
  std::optional<int64_t> finished_at;
  std::string tool_version, rule_pack_version, rule_pack_hash;
  std::vector<std::string> scope;
  std::string host;
  int64_t pid = 0;
  int64_t inputs = 0;
  // Counts, filled in by finish_run.
  int64_t findings = 0;      // failing or suppressed occurrences in this run
  int64_t new_findings = 0;  // seen for the first time in this scope
  int64_t reopened = 0;
  int64_t resolved = 0;  // no longer reported
  int64_t suppressed = 0;
  int64_t alerts = 0;
};

// One failing (or suppressed) result of a scan.
struct FindingRecord {
  std::string fingerprint;  // stable identity: see docs/formats/database.md
  std::string rule_id;
  std::string resource_type;
  std::string resource_id;
  std::string severity;              // critical, high, medium, low, info
  std::vector<std::string> threats;  // T01..T11
  std::string title;
  std::string file;
  int64_t line = 0;
  std::string message;
  bool suppressed = false;
  std::optional<int64_t> exception_id;  // the stored exception that suppressed it
  std::string suppression;              // how it was suppressed, for people
};

// A finding's lifecycle in one scope.
struct FindingState {
  int64_t id = 0;
  std::string fingerprint;
  std::vector<std::string> scope;
  std::string rule_id, resource_type, resource_id, severity, title;
  std::vector<std::string> threats;
  std::string state;  // new, open, resolved, reopened, suppressed
  std::optional<int64_t> exception_id;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::optional<int64_t> resolved_at;
  int64_t first_run = 0;
  int64_t last_run = 0;
};

struct FindingQuery {
  std::string state;             // empty: any
  std::optional<int64_t> since;  // last_seen at or after
};

struct AlertRecord {
  std::string key;  // identity for de-duplication (the same event and rule -> same key)
  std::string rule_id, rule_title, level;
  std::optional<int64_t> event_time;  // when the event happened
  int64_t alert_time = 0;             // when sekimori raised the alert
  std::string account, region, principal, source_ip, event_name, event_source;
  std::string file;
  int64_t offset = 0;
  bool correlation = false;
  std::string body;  // the alert as JSON
};

struct AlertState {
  int64_t id = 0;
  int64_t run_id = 0;
  AlertRecord alert;
  std::string status;  // new, acknowledged, closed
  std::string status_by;
  std::optional<int64_t> status_at;
  std::optional<int64_t> acknowledged_at, closed_at;
};

struct AlertQuery {
  std::string status;            // empty: any
  std::optional<int64_t> since;  // alert_time at or after
};

// ---- Governance records.

struct ExceptionRecord {
  int64_t id = 0;        // assigned by the store
  std::string uid;       // stable across export/import; assigned when empty
  std::string rule;      // rule ID or glob
  std::string resource;  // glob on the resource identity (as policy::ExceptionList matches it)
  std::string reason;
  std::string approver;
  std::string expires;  // YYYY-MM-DD (last day it applies)
  int64_t created_at = 0;
  std::string created_by;
  std::optional<int64_t> revoked_at;
  std::string revoked_by;
  std::string revoke_reason;
};

struct RiskRecord {
  int64_t id = 0;
  std::string uid;
  std::string title;
  std::string description;
  std::vector<std::string> threats;  // knowledge-base threat keys
  int likelihood = 0;                // 1..5
  int impact = 0;                    // 1..5
  [[nodiscard]] int score() const { return likelihood * impact; }
  std::string owner;
  std::string treatment;              // mitigate, transfer, avoid, accept
  std::vector<std::string> rules;     // posture rule IDs
  std::vector<std::string> findings;  // finding fingerprints
  std::string review_date;            // YYYY-MM-DD
  std::string status = "open";        // open, closed
  std::string close_reason;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> closed_at;
};

struct Attestation {
  std::string name;     // "SOC 2 Type II", "ISO/IEC 27001", "CSA STAR Level 2"
  std::string expires;  // YYYY-MM-DD
};

struct Assessment {
  std::string date;    // YYYY-MM-DD of the review
  std::string status;  // due-diligence status the review concluded
  std::string assessor;
  std::string notes;
  int64_t recorded_at = 0;
};

struct VendorRecord {
  int64_t id = 0;
  std::string uid;
  std::string name;
  std::string service;
  std::string service_model;  // a knowledge-base service model name (SaaS, PaaS, ...)
  std::string data_shared;
  std::string data_classification;  // public, internal, confidential, restricted
  std::vector<Attestation> attestations;
  std::string contract_notes;
  std::string sla_notes;
  std::string dd_status = "pending";    // pending, in-progress, approved, conditional, rejected
  std::string dd_date;                  // YYYY-MM-DD of the last due-diligence review
  std::string offboarding_deletion;     // data deletion terms
  std::string offboarding_support;      // support after termination
  std::vector<Assessment> assessments;  // oldest first (read only; add_assessment appends)
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct AuditEntry {
  int64_t id = 0;
  std::string entity;  // exception, risk, vendor, alert
  int64_t entity_id = 0;
  std::string action;  // add, update, revoke, close, assess, import, acknowledged, closed
  std::string actor;
  int64_t at = 0;
  std::string detail;
};

struct ImportSummary {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// Raw data for the metrics (see metrics.h for the statistics).
struct RunCounts {
  int64_t run_id = 0;
  int64_t started_at = 0;
  std::vector<std::pair<std::string, int64_t>> by_severity;  // severity -> failing occurrences
  std::vector<std::pair<std::string, int64_t>> by_threat;    // threat key -> failing occurrences
};

struct MetricsData {
  std::vector<int64_t> detect_ms;     // alert_time - event_time, per alert
  std::vector<int64_t> respond_ms;    // first acknowledge/close - alert_time, per alert
  std::vector<int64_t> remediate_ms;  // resolved - (first seen or reopened), per resolution
  std::vector<RunCounts> runs;        // complete/partial scan runs, oldest first
};

// ---- The interface.

class Store {
 public:
  virtual ~Store() = default;

  // Runs. begin_run commits a `running` run at once; findings and alerts may then be
  // added in many calls; finish_run applies the finding lifecycle in one transaction.
  // `complete`: every input was read, so findings of the scope that were not reported
  // are resolved (a partial run only opens and refreshes findings).
  virtual core::Result<int64_t> begin_run(const NewRun& run) = 0;
  virtual core::Status add_findings(int64_t run_id, std::span<const FindingRecord> findings) = 0;
  // Returns how many were new (an alert already stored under its key is skipped).
  virtual core::Result<int64_t> add_alerts(int64_t run_id, std::span<const AlertRecord> alerts) = 0;
  virtual core::Result<RunRecord> finish_run(int64_t run_id, int64_t finished_at, bool complete) = 0;
  // Marks `running` runs as `incomplete` when their process is gone: on this host, when
  // `alive(pid)` is false; on another host, when older than `max_age_ms`. Returns their ids.
  virtual core::Result<std::vector<int64_t>> mark_dead_runs(const std::string& host,
                                                            const std::function<bool(int64_t)>& alive,
                                                            int64_t now, int64_t max_age_ms) = 0;
  virtual core::Result<std::vector<RunRecord>> list_runs(std::optional<int64_t> since) = 0;
  virtual core::Result<std::vector<FindingState>> list_findings(const FindingQuery& query) = 0;

  virtual core::Result<std::vector<AlertState>> list_alerts(const AlertQuery& query) = 0;
  // status: "acknowledged" or "closed"; an unknown id is store.not_found, a closed alert
  // or a repeated acknowledgement store.conflict.
  virtual core::Status set_alert_status(int64_t id, const std::string& status, const std::string& by,
                                        int64_t at, const std::string& note) = 0;
  virtual core::Result<MetricsData> metrics_data(std::optional<int64_t> since) = 0;

  // Exceptions (validated by the caller with validate_exception, see governance.h).
  virtual core::Result<ExceptionRecord> add_exception(ExceptionRecord record) = 0;
  virtual core::Result<std::vector<ExceptionRecord>> list_exceptions(bool include_revoked) = 0;
  virtual core::Status revoke_exception(int64_t id, const std::string& by, int64_t at,
                                        const std::string& reason) = 0;

  // Risks.
  virtual core::Result<RiskRecord> add_risk(RiskRecord record, const std::string& by) = 0;
  virtual core::Result<RiskRecord> get_risk(int64_t id) = 0;
  virtual core::Result<std::vector<RiskRecord>> list_risks(bool include_closed) = 0;
  // Replaces every field and link of an existing risk.
  virtual core::Status update_risk(const RiskRecord& record, const std::string& by,
                                   const std::string& action) = 0;

  // Vendors (get by id or by name).
  virtual core::Result<VendorRecord> add_vendor(VendorRecord record, const std::string& by) = 0;
  virtual core::Result<VendorRecord> get_vendor(const std::string& id_or_name) = 0;
  virtual core::Result<std::vector<VendorRecord>> list_vendors() = 0;
  virtual core::Status update_vendor(const VendorRecord& record, const std::string& by) = 0;
  // Records a due-diligence review and sets the vendor's status and date from it.
  virtual core::Status add_assessment(int64_t vendor_id, const Assessment& review) = 0;

  // Governance import: upserts by uid (vendors also match by name) in one transaction;
  // importing the same data twice changes nothing the second time.
  virtual core::Result<ImportSummary> import_governance(const std::vector<ExceptionRecord>& exceptions,
                                                        const std::vector<RiskRecord>& risks,
                                                        const std::vector<VendorRecord>& vendors,
                                                        const std::string& by, int64_t at) = 0;

  virtual core::Result<std::vector<AuditEntry>> audit(const std::string& entity, int64_t entity_id) = 0;

  // The schema version the database is at.
  virtual core::Result<int> schema_version() = 0;
};

struct OpenOptions {
  int busy_timeout_ms = 30'000;  // how long a writer waits for another
  bool create = true;            // create the file (and its directory) when missing
};

// The schema version this build writes.
inline constexpr int kSchemaVersion = 1;

// Opens (creating and migrating as needed) the database at `path`. A database with a
// newer schema than kSchemaVersion is refused (store.schema) and left untouched.
core::Result<std::unique_ptr<Store>> open_store(const std::string& path, const OpenOptions& options);

// A stable short digest (16 hex digits, FNV-1a 64) of `text`, e.g. of a rule pack.
[[nodiscard]] std::string digest(std::string_view text);

}  // namespace sekimori::store
