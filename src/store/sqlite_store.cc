// The SQLite backend of store::Store (see store.h and docs/formats/database.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "store/governance.h"
#include "store/internal/schema.h"
#include "store/internal/sqlite.h"
#include "store/store.h"

namespace sekimori::store {

namespace {

using internal::Db;
using internal::Stmt;
using internal::Transaction;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

core::Error not_found(std::string message) { return core::make_error("store.not_found", std::move(message)); }
core::Error conflict(std::string message) { return core::make_error("store.conflict", std::move(message)); }

constexpr const char* kRunColumns =
    "r.id, r.kind, r.status, r.started_at, r.finished_at, r.tool_version, r.rule_pack_version, "
    "r.rule_pack_hash, "
    "s.roots, r.host, r.pid, (SELECT COUNT(*) FROM run_inputs i WHERE i.run_id = r.id), r.findings, "
    "r.new_findings, r.reopened, r.resolved, r.suppressed, r.alerts FROM runs r JOIN scopes s ON s.id = "
    "r.scope_id";

RunRecord read_run(const Stmt& s) {
  RunRecord r;
  r.id = s.int64(0);
  r.kind = s.text(1);
  r.status = s.text(2);
  r.started_at = s.int64(3);
  r.finished_at = s.opt_int64(4);
  r.tool_version = s.text(5);
  r.rule_pack_version = s.text(6);
  r.rule_pack_hash = s.text(7);
  r.scope = split(s.text(8), '\n');
  r.host = s.text(9);
  r.pid = s.int64(10);
  r.inputs = s.int64(11);
  r.findings = s.int64(12);
  r.new_findings = s.int64(13);
  r.reopened = s.int64(14);
  r.resolved = s.int64(15);
  r.suppressed = s.int64(16);
  r.alerts = s.int64(17);
  return r;
}

constexpr const char* kFindingColumns =
    "f.id, f.fingerprint, s.roots, f.rule_id, f.resource_type, f.resource_id, f.severity, f.title, "
    "f.threats, "
    "f.state, f.exception_id, f.first_seen, f.last_seen, f.resolved_at, f.first_run_id, f.last_run_id "
    "FROM findings f JOIN scopes s ON s.id = f.scope_id";

FindingState read_finding(const Stmt& s) {
  FindingState f;
  f.id = s.int64(0);
  f.fingerprint = s.text(1);
  f.scope = split(s.text(2), '\n');
  f.rule_id = s.text(3);
  f.resource_type = s.text(4);
  f.resource_id = s.text(5);
  f.severity = s.text(6);
  f.title = s.text(7);
  f.threats = split(s.text(8), ',');
  f.state = s.text(9);
  f.exception_id = s.opt_int64(10);
  f.first_seen = s.int64(11);
  f.last_seen = s.int64(12);
  f.resolved_at = s.opt_int64(13);
  f.first_run = s.int64(14);
  f.last_run = s.int64(15);
  return f;
}

constexpr const char* kAlertColumns =
    "id, run_id, alert_key, rule_id, rule_title, level, event_time, alert_time, account, region, principal, "
    "source_ip, event_name, event_source, file, record_offset, correlation, body, status, status_by, "
    "status_at, "
    "acknowledged_at, closed_at FROM alerts";

AlertState read_alert(const Stmt& s) {
  AlertState a;
  a.id = s.int64(0);
  a.run_id = s.int64(1);
  a.alert.key = s.text(2);
  a.alert.rule_id = s.text(3);
  a.alert.rule_title = s.text(4);
  a.alert.level = s.text(5);
  a.alert.event_time = s.opt_int64(6);
  a.alert.alert_time = s.int64(7);
  a.alert.account = s.text(8);
  a.alert.region = s.text(9);
  a.alert.principal = s.text(10);
  a.alert.source_ip = s.text(11);
  a.alert.event_name = s.text(12);
  a.alert.event_source = s.text(13);
  a.alert.file = s.text(14);
  a.alert.offset = s.int64(15);
  a.alert.correlation = s.int64(16) != 0;
  a.alert.body = s.text(17);
  a.status = s.text(18);
  a.status_by = s.text(19);
  a.status_at = s.opt_int64(20);
  a.acknowledged_at = s.opt_int64(21);
  a.closed_at = s.opt_int64(22);
  return a;
}

constexpr const char* kExceptionColumns =
    "id, uid, rule, resource, reason, approver, expires, created_at, created_by, revoked_at, "
    "COALESCE(revoked_by, ''), COALESCE(revoke_reason, '') FROM exceptions";

ExceptionRecord read_exception(const Stmt& s) {
  ExceptionRecord e;
  e.id = s.int64(0);
  e.uid = s.text(1);
  e.rule = s.text(2);
  e.resource = s.text(3);
  e.reason = s.text(4);
  e.approver = s.text(5);
  e.expires = s.text(6);
  e.created_at = s.int64(7);
  e.created_by = s.text(8);
  e.revoked_at = s.opt_int64(9);
  e.revoked_by = s.text(10);
  e.revoke_reason = s.text(11);
  return e;
}

// The columns from rule to revoked_at, in table order, from ?first on.
void bind_exception(Stmt& s, int first, const ExceptionRecord& e) {
  s.bind_from(first, e.rule, e.resource, e.reason, e.approver, e.expires, e.created_at, e.created_by,
              e.revoked_at);
}

constexpr const char* kRiskColumns =
    "id, uid, title, description, likelihood, impact, owner, treatment, review_date, status, close_reason, "
    "created_at, updated_at, closed_at FROM risks";

RiskRecord read_risk(const Stmt& s) {
  RiskRecord r;
  r.id = s.int64(0);
  r.uid = s.text(1);
  r.title = s.text(2);
  r.description = s.text(3);
  r.likelihood = static_cast<int>(s.int64(4));
  r.impact = static_cast<int>(s.int64(5));
  r.owner = s.text(6);
  r.treatment = s.text(7);
  r.review_date = s.text(8);
  r.status = s.text(9);
  r.close_reason = s.text(10);
  r.created_at = s.int64(11);
  r.updated_at = s.int64(12);
  r.closed_at = s.opt_int64(13);
  return r;
}

// The columns from title to closed_at, in table order, from ?first on.
void bind_risk(Stmt& s, int first, const RiskRecord& r) {
  s.bind_from(first, r.title, r.description, r.likelihood, r.impact, r.score(), r.owner, r.treatment,
              r.review_date, r.status, r.close_reason, r.created_at, r.updated_at, r.closed_at);
}

constexpr const char* kVendorColumns =
    "id, uid, name, service, service_model, data_shared, data_classification, contract_notes, sla_notes, "
    "dd_status, dd_date, offboarding_deletion, offboarding_support, created_at, updated_at FROM vendors";

VendorRecord read_vendor(const Stmt& s) {
  VendorRecord v;
  v.id = s.int64(0);
  v.uid = s.text(1);
  v.name = s.text(2);
  v.service = s.text(3);
  v.service_model = s.text(4);
  v.data_shared = s.text(5);
  v.data_classification = s.text(6);
  v.contract_notes = s.text(7);
  v.sla_notes = s.text(8);
  v.dd_status = s.text(9);
  v.dd_date = s.text(10);
  v.offboarding_deletion = s.text(11);
  v.offboarding_support = s.text(12);
  v.created_at = s.int64(13);
  v.updated_at = s.int64(14);
  return v;
}

// The columns from uid to updated_at, in table order, as ?1 to ?14.
void bind_vendor(Stmt& s, const VendorRecord& v) {
  s.bind_from(1, v.uid, v.name, v.service, v.service_model, v.data_shared, v.data_classification,
              v.contract_notes, v.sla_notes, v.dd_status, v.dd_date, v.offboarding_deletion,
              v.offboarding_support, v.created_at, v.updated_at);
}

class SqliteStore final : public Store {
 public:
  core::Status open(const std::string& path, const OpenOptions& options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (options.create && path != ":memory:") {
      fs::path parent = fs::path(path).parent_path();
      if (!parent.empty() && !fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec)
          return core::make_error("store.open", "cannot create '" + parent.string() + "': " + ec.message());
      }
    } else if (!options.create && !fs::exists(path, ec)) {
      return core::make_error("store.open", "no database at '" + path + "'");
    }
    SKM_TRY(db_.open(path, options.create, options.busy_timeout_ms));
    return migrate();
  }

  // ---- Runs.

  core::Result<int64_t> begin_run(const NewRun& run) override {
    if (run.kind != "scan" && run.kind != "detect" && run.kind != "watch") {
      return core::make_error("store.invalid", "run kind must be scan, detect or watch");
    }
    std::vector<std::string> roots = run.scope;
    std::sort(roots.begin(), roots.end());
    roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
    std::string key = run.kind == "scan" ? "scan\n" + join(roots, '\n') : "alerts";
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(Stmt * ins, db_.prepare("INSERT INTO scopes (scope_key, roots) VALUES (?1, ?2) "
                                           "ON CONFLICT (scope_key) DO NOTHING"));
    ins->bind(1, key);
    ins->bind(2, join(roots, '\n'));
    SKM_TRY(ins->exec());
    SKM_TRY_ASSIGN(Stmt * sel, db_.prepare("SELECT id FROM scopes WHERE scope_key = ?1"));
    sel->bind(1, key);
    SKM_TRY_ASSIGN(bool found, sel->step());
    if (!found) return core::make_error("store.sql", "scope vanished");
    int64_t scope_id = sel->int64(0);
    sel->reset();
    SKM_TRY_ASSIGN(Stmt * r,
                   db_.prepare("INSERT INTO runs (kind, status, scope_id, started_at, tool_version, "
                               "rule_pack_version, rule_pack_hash, host, pid) "
                               "VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    r->bind_from(1, run.kind, scope_id, run.started_at, run.tool_version, run.rule_pack_version,
                 run.rule_pack_hash, run.host, run.pid);
    SKM_TRY(r->exec());
    int64_t id = db_.last_insert_id();
    SKM_TRY_ASSIGN(Stmt * in, db_.prepare("INSERT INTO run_inputs (run_id, path, sha256, format) "
                                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (run_id, path) DO NOTHING"));
    for (const RunInput& i : run.inputs) {
      in->bind_from(1, id, i.path, i.sha256, i.format);
      SKM_TRY(in->exec());
    }
    SKM_TRY(tx.commit());
    return id;
  }

  core::Status add_findings(int64_t run_id, std::span<const FindingRecord> findings) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY(require_running(run_id, "scan"));
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("INSERT INTO finding_occurrences (run_id, fingerprint, rule_id, resource_type, "
                    "resource_id, severity, threats, title, file, line, message, status, exception_id, "
                    "suppression) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                    "ON CONFLICT (run_id, fingerprint) DO NOTHING"));
    for (const FindingRecord& f : findings) {
      if (f.fingerprint.empty() || f.rule_id.empty()) {
        return core::make_error("store.invalid", "a finding needs a fingerprint and a rule id");
      }
      s->bind_from(1, run_id, f.fingerprint, f.rule_id, f.resource_type, f.resource_id, f.severity,
                   join(f.threats, ','), f.title, f.file, f.line, f.message,
                   f.suppressed ? "suppressed" : "fail", f.exception_id, f.suppression);
      SKM_TRY(s->exec());
    }
    return tx.commit();
  }

  core::Result<int64_t> add_alerts(int64_t run_id, std::span<const AlertRecord> alerts) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY(require_running(run_id, ""));
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("INSERT INTO alerts (run_id, alert_key, rule_id, rule_title, level, event_time, "
                    "alert_time, account, region, principal, source_ip, event_name, event_source, file, "
                    "record_offset, correlation, body, status, status_by) VALUES (?1, ?2, ?3, ?4, ?5, "
                    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 'new', '') "
                    "ON CONFLICT (alert_key) DO NOTHING"));
    int64_t added = 0;
    for (const AlertRecord& a : alerts) {
      if (a.key.empty()) return core::make_error("store.invalid", "an alert needs a key");
      s->bind_from(1, run_id, a.key, a.rule_id, a.rule_title, a.level, a.event_time, a.alert_time, a.account,
                   a.region, a.principal, a.source_ip, a.event_name, a.event_source, a.file, a.offset,
                   a.correlation ? 1 : 0, a.body);
      SKM_TRY(s->exec());
      added += db_.changes();
    }
    SKM_TRY_ASSIGN(Stmt * u, db_.prepare("UPDATE runs SET alerts = alerts + ?1 WHERE id = ?2"));
    u->bind(1, added);
    u->bind(2, run_id);
    SKM_TRY(u->exec());
    SKM_TRY(tx.commit());
    return added;
  }

  core::Result<RunRecord> finish_run(int64_t run_id, int64_t finished_at, bool complete) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(Stmt * q,
                   db_.prepare("SELECT kind, status, scope_id, started_at FROM runs WHERE id = ?1"));
    q->bind(1, run_id);
    SKM_TRY_ASSIGN(bool found, q->step());
    if (!found) return not_found("no run with id " + std::to_string(run_id));
    std::string kind = q->text(0), status = q->text(1);
    int64_t scope_id = q->int64(2), t = q->int64(3);
    q->reset();
    if (status != "running")
      return conflict("run " + std::to_string(run_id) + " is " + status + ", not running");
    RunRecord counts;
    if (kind == "scan") SKM_TRY(apply_lifecycle(run_id, scope_id, t, complete, counts));
    SKM_TRY_ASSIGN(
        Stmt * u,
        db_.prepare("UPDATE runs SET status = ?1, finished_at = ?2, findings = ?3, new_findings = ?4, "
                    "reopened = ?5, resolved = ?6, suppressed = ?7 WHERE id = ?8"));
    u->bind_from(1, complete ? "complete" : "partial", finished_at, counts.findings, counts.new_findings,
                 counts.reopened, counts.resolved, counts.suppressed, run_id);
    SKM_TRY(u->exec());
    SKM_TRY(tx.commit());
    return get_run(run_id);
  }

  core::Result<std::vector<int64_t>> mark_dead_runs(const std::string& host,
                                                    const std::function<bool(int64_t)>& alive, int64_t now,
                                                    int64_t max_age_ms) override {
    std::vector<int64_t> dead;
    SKM_TRY_ASSIGN(Stmt * q,
                   db_.prepare("SELECT id, host, pid, started_at FROM runs WHERE status = 'running'"));
    SKM_TRY(q->each_row([&](const Stmt& row) {
      bool same_host = row.text(1) == host;
      if (same_host ? !alive(row.int64(2)) : now - row.int64(3) > max_age_ms) dead.push_back(row.int64(0));
    }));
    if (dead.empty()) return dead;
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(Stmt * u,
                   db_.prepare("UPDATE runs SET status = 'incomplete' WHERE id = ?1 AND status = 'running'"));
    for (int64_t id : dead) {
      u->bind(1, id);
      SKM_TRY(u->exec());
    }
    SKM_TRY(tx.commit());
    return dead;
  }

  core::Result<std::vector<RunRecord>> list_runs(std::optional<int64_t> since) override {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kRunColumns +
                                         " WHERE r.started_at >= ?1 ORDER BY r.started_at, r.id"));
    q->bind(1, since.value_or(INT64_MIN));
    std::vector<RunRecord> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_run(row)); }));
    return out;
  }

  core::Result<std::vector<FindingState>> list_findings(const FindingQuery& query) override {
    SKM_TRY_ASSIGN(Stmt * q,
                   db_.prepare(std::string("SELECT ") + kFindingColumns +
                               " WHERE (?1 = '' OR f.state = ?1) AND f.last_seen >= ?2 ORDER BY f.id"));
    q->bind(1, query.state);
    q->bind(2, query.since.value_or(INT64_MIN));
    std::vector<FindingState> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_finding(row)); }));
    return out;
  }

  // ---- Alerts.

  core::Result<std::vector<AlertState>> list_alerts(const AlertQuery& query) override {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kAlertColumns +
                                         " WHERE (?1 = '' OR status = ?1) AND alert_time >= ?2 ORDER BY id"));
    q->bind(1, query.status);
    q->bind(2, query.since.value_or(INT64_MIN));
    std::vector<AlertState> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_alert(row)); }));
    return out;
  }

  core::Status set_alert_status(int64_t id, const std::string& status, const std::string& by, int64_t at,
                                const std::string& note) override {
    if (status != "acknowledged" && status != "closed") {
      return core::make_error("store.invalid", "alert status must be acknowledged or closed");
    }
    if (by.empty()) return core::make_error("store.invalid", "who changed the alert is required (--by NAME)");
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare("SELECT status, alert_time FROM alerts WHERE id = ?1"));
    q->bind(1, id);
    SKM_TRY_ASSIGN(bool found, q->step());
    if (!found) return not_found("no alert with id " + std::to_string(id));
    std::string current = q->text(0);
    int64_t alert_time = q->int64(1);
    q->reset();
    if (current == "closed") return conflict("alert " + std::to_string(id) + " is already closed");
    if (current == status) return conflict("alert " + std::to_string(id) + " is already " + status);
    if (at < alert_time) {
      return core::make_error("store.invalid", "alert " + std::to_string(id) + " was raised at " +
                                                   format_time(alert_time) + "; it cannot be " + status +
                                                   " before");
    }
    SKM_TRY_ASSIGN(
        Stmt * u,
        db_.prepare("UPDATE alerts SET status = ?1, status_by = ?2, status_at = ?3, "
                    "acknowledged_at = CASE WHEN ?1 = 'acknowledged' THEN ?3 ELSE acknowledged_at END, "
                    "closed_at = CASE WHEN ?1 = 'closed' THEN ?3 ELSE closed_at END WHERE id = ?4"));
    u->bind_from(1, status, by, at, id);
    SKM_TRY(u->exec());
    SKM_TRY(audit_entry("alert", id, status, by, at, note));
    return tx.commit();
  }

  core::Result<MetricsData> metrics_data(std::optional<int64_t> since) override {
    MetricsData m;
    int64_t from = since.value_or(INT64_MIN);
    SKM_TRY_ASSIGN(Stmt * a,
                   db_.prepare("SELECT event_time, alert_time, acknowledged_at, closed_at FROM alerts "
                               "WHERE alert_time >= ?1 ORDER BY id"));
    a->bind(1, from);
    SKM_TRY(a->each_row([&](const Stmt& row) {
      int64_t alert_time = row.int64(1);
      if (auto ev = row.opt_int64(0)) m.detect_ms.push_back(alert_time - *ev);
      auto ack = row.opt_int64(2), closed = row.opt_int64(3);
      if (ack || closed)
        m.respond_ms.push_back(std::min(ack.value_or(INT64_MAX), closed.value_or(INT64_MAX)) - alert_time);
    }));
    SKM_TRY_ASSIGN(Stmt * e,
                   db_.prepare("SELECT finding_id, to_state, at FROM finding_events ORDER BY finding_id, "
                               "at, id"));
    int64_t current = -1;
    // When the current finding was opened (is_open); a plain pair, as GCC's -O3 misreads an
    // optional here as maybe uninitialised.
    bool is_open = false;
    int64_t opened = 0;
    SKM_TRY(e->each_row([&](const Stmt& row) {
      if (row.int64(0) != current) {
        current = row.int64(0);
        is_open = false;
      }
      std::string to = row.text(1);
      int64_t at = row.int64(2);
      if (to == "new" || to == "reopened" || ((to == "open") && !is_open)) {
        is_open = true;
        opened = at;
      } else if (to == "resolved") {
        if (is_open && at >= from) m.remediate_ms.push_back(at - opened);
        is_open = false;
      } else if (to == "suppressed") {
        is_open = false;  // accepted, not remediated
      }
    }));
    SKM_TRY_ASSIGN(Stmt * r,
                   db_.prepare("SELECT id, started_at FROM runs WHERE kind = 'scan' AND status IN "
                               "('complete', 'partial') AND started_at >= ?1 ORDER BY started_at, id"));
    r->bind(1, from);
    SKM_TRY(r->each_row([&](const Stmt& row) { m.runs.push_back({row.int64(0), row.int64(1), {}, {}}); }));
    SKM_TRY_ASSIGN(Stmt * o,
                   db_.prepare("SELECT severity, threats FROM finding_occurrences WHERE run_id = ?1 AND "
                               "status = 'fail'"));
    static constexpr std::string_view kSeverities[] = {"critical", "high", "medium", "low", "info"};
    for (RunCounts& rc : m.runs) {
      o->bind(1, rc.run_id);
      std::map<std::string, int64_t> sev, thr;
      SKM_TRY(o->each_row([&](const Stmt& row) {
        ++sev[row.text(0)];
        for (const std::string& t : split(row.text(1), ',')) ++thr[t];
      }));
      for (std::string_view s : kSeverities) {
        auto it = sev.find(std::string(s));
        rc.by_severity.emplace_back(std::string(s), it == sev.end() ? 0 : it->second);
        if (it != sev.end()) sev.erase(it);
      }
      for (auto& [k, v] : sev) rc.by_severity.emplace_back(k, v);
      rc.by_threat.assign(thr.begin(), thr.end());
    }
    return m;
  }

  // ---- Exceptions.

  core::Result<ExceptionRecord> add_exception(ExceptionRecord record) override {
    if (record.uid.empty()) record.uid = new_uid("exc-");
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY(insert_exception(record));
    SKM_TRY(audit_entry("exception", record.id, "add", record.created_by, record.created_at,
                        "rule=" + record.rule + " resource=" + record.resource + " approver=" +
                            record.approver + " expires=" + record.expires + " reason=" + record.reason));
    SKM_TRY(tx.commit());
    return record;
  }

  core::Result<std::vector<ExceptionRecord>> list_exceptions(bool include_revoked) override {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kExceptionColumns +
                                         " WHERE ?1 = 1 OR revoked_at IS NULL ORDER BY id"));
    q->bind(1, include_revoked ? 1 : 0);
    std::vector<ExceptionRecord> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_exception(row)); }));
    return out;
  }

  core::Status revoke_exception(int64_t id, const std::string& by, int64_t at,
                                const std::string& reason) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare("SELECT revoked_at FROM exceptions WHERE id = ?1"));
    q->bind(1, id);
    SKM_TRY_ASSIGN(bool found, q->step());
    if (!found) return not_found("no exception with id " + std::to_string(id));
    bool revoked = !q->is_null(0);
    q->reset();
    if (revoked) return conflict("exception " + std::to_string(id) + " is already revoked");
    SKM_TRY_ASSIGN(Stmt * u,
                   db_.prepare("UPDATE exceptions SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3 "
                               "WHERE id = ?4"));
    u->bind_from(1, at, by, reason, id);
    SKM_TRY(u->exec());
    SKM_TRY(audit_entry("exception", id, "revoke", by, at, reason));
    return tx.commit();
  }

  // ---- Risks.

  core::Result<RiskRecord> add_risk(RiskRecord record, const std::string& by) override {
    if (record.uid.empty()) record.uid = new_uid("risk-");
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY(insert_risk(record));
    SKM_TRY(audit_entry("risk", record.id, "add", by, record.created_at, record.title));
    SKM_TRY(tx.commit());
    return get_risk(record.id);
  }

  core::Result<RiskRecord> get_risk(int64_t id) override {
    SKM_TRY_ASSIGN(auto list, load_risks("id = ?1", id));
    if (list.empty()) return not_found("no risk with id " + std::to_string(id));
    return std::move(list.front());
  }

  core::Result<std::vector<RiskRecord>> list_risks(bool include_closed) override {
    return load_risks(include_closed ? "?1 = ?1" : "status = 'open' AND ?1 = ?1", 0);
  }

  core::Status update_risk(const RiskRecord& record, const std::string& by,
                           const std::string& action) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY(write_risk(record));
    SKM_TRY(audit_entry("risk", record.id, action, by, record.updated_at, record.title));
    return tx.commit();
  }

  // ---- Vendors.

  core::Result<VendorRecord> add_vendor(VendorRecord record, const std::string& by) override {
    if (record.uid.empty()) record.uid = new_uid("vnd-");
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(auto existing, load_vendors("name = ?1", record.name));
    if (!existing.empty()) {
      return conflict("a vendor named '" + record.name + "' already exists (id " +
                      std::to_string(existing[0].id) + "); use 'sekimori vendor update'");
    }
    SKM_TRY(insert_vendor(record));
    SKM_TRY(audit_entry("vendor", record.id, "add", by, record.created_at, record.name));
    SKM_TRY(tx.commit());
    return get_vendor(std::to_string(record.id));
  }

  core::Result<VendorRecord> get_vendor(const std::string& id_or_name) override {
    bool numeric =
        !id_or_name.empty() && id_or_name.size() < 18 &&
        std::all_of(id_or_name.begin(), id_or_name.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::vector<VendorRecord> list;
    if (numeric) {
      SKM_TRY_ASSIGN(list, load_vendors("id = ?1", static_cast<int64_t>(std::stoll(id_or_name))));
    }
    if (list.empty()) {
      SKM_TRY_ASSIGN(list, load_vendors("name = ?1", id_or_name));
    }
    if (list.empty()) return not_found("no vendor with id or name '" + id_or_name + "'");
    return std::move(list.front());
  }

  core::Result<std::vector<VendorRecord>> list_vendors() override {
    return load_vendors("?1 = ?1", int64_t{0});
  }

  core::Status update_vendor(const VendorRecord& record, const std::string& by) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(auto clash, load_vendors("name = ?1", record.name));
    if (!clash.empty() && clash[0].id != record.id) {
      return conflict("a vendor named '" + record.name + "' already exists (id " +
                      std::to_string(clash[0].id) + ")");
    }
    SKM_TRY(write_vendor(record, /*assessments=*/false));
    SKM_TRY(audit_entry("vendor", record.id, "update", by, record.updated_at, record.name));
    return tx.commit();
  }

  core::Status add_assessment(int64_t vendor_id, const Assessment& review) override {
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    SKM_TRY_ASSIGN(auto list, load_vendors("id = ?1", vendor_id));
    if (list.empty()) return not_found("no vendor with id " + std::to_string(vendor_id));
    SKM_TRY(insert_assessment(vendor_id, review));
    // The vendor's due-diligence status follows its latest review.
    if (review.date >= list[0].dd_date) {
      SKM_TRY_ASSIGN(Stmt * u, db_.prepare("UPDATE vendors SET dd_status = ?1, dd_date = ?2, updated_at = ?3 "
                                           "WHERE id = ?4"));
      u->bind_from(1, review.status, review.date, review.recorded_at, vendor_id);
      SKM_TRY(u->exec());
    }
    SKM_TRY(
        audit_entry("vendor", vendor_id, "assess", review.assessor, review.recorded_at,
                    review.date + " " + review.status + (review.notes.empty() ? "" : ": " + review.notes)));
    return tx.commit();
  }

  // ---- Import.

  core::Result<ImportSummary> import_governance(const std::vector<ExceptionRecord>& exceptions,
                                                const std::vector<RiskRecord>& risks,
                                                const std::vector<VendorRecord>& vendors,
                                                const std::string& by, int64_t at) override {
    ImportSummary sum;
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    for (ExceptionRecord e : exceptions) {
      SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kExceptionColumns + " WHERE uid = ?1"));
      q->bind(1, e.uid);
      SKM_TRY_ASSIGN(bool found, q->step());
      std::optional<ExceptionRecord> old;
      if (found) old = read_exception(*q);
      q->reset();
      if (e.created_at == 0) e.created_at = old ? old->created_at : at;
      if (e.created_by.empty() && old) e.created_by = old->created_by;
      if (e.created_by.empty()) e.created_by = by;
      if (!old) {
        SKM_TRY(insert_exception(e));
        SKM_TRY(audit_entry("exception", e.id, "import", by, at, "added from import"));
        ++sum.added;
        continue;
      }
      e.id = old->id;
      if (same({e}, {}, {}, {*old}, {}, {})) {
        ++sum.unchanged;
        continue;
      }
      SKM_TRY_ASSIGN(
          Stmt * u,
          db_.prepare("UPDATE exceptions SET rule = ?1, resource = ?2, reason = ?3, approver = ?4, "
                      "expires = ?5, created_at = ?6, created_by = ?7, revoked_at = ?8, revoked_by = ?9, "
                      "revoke_reason = ?10 WHERE id = ?11"));
      bind_exception(*u, 1, e);
      u->bind_from(9, e.revoked_by, e.revoke_reason, e.id);
      SKM_TRY(u->exec());
      SKM_TRY(audit_entry("exception", e.id, "import", by, at, "updated from import"));
      ++sum.updated;
    }
    for (RiskRecord r : risks) {
      SKM_TRY_ASSIGN(auto olds, load_risks("uid = ?1", r.uid));
      std::optional<RiskRecord> old;
      if (!olds.empty()) old = olds.front();
      if (r.created_at == 0) r.created_at = old ? old->created_at : at;
      if (r.updated_at == 0) r.updated_at = old ? old->updated_at : at;
      if (!old) {
        SKM_TRY(insert_risk(r));
        SKM_TRY(audit_entry("risk", r.id, "import", by, at, "added from import"));
        ++sum.added;
        continue;
      }
      r.id = old->id;
      if (same({}, {r}, {}, {}, {*old}, {})) {
        ++sum.unchanged;
        continue;
      }
      SKM_TRY(write_risk(r));
      SKM_TRY(audit_entry("risk", r.id, "import", by, at, "updated from import"));
      ++sum.updated;
    }
    for (VendorRecord v : vendors) {
      SKM_TRY_ASSIGN(auto olds, load_vendors("uid = ?1", v.uid));
      if (olds.empty()) {
        SKM_TRY_ASSIGN(olds, load_vendors("name = ?1", v.name));
      }
      std::optional<VendorRecord> old;
      if (!olds.empty()) old = olds.front();
      if (v.created_at == 0) v.created_at = old ? old->created_at : at;
      if (v.updated_at == 0) v.updated_at = old ? old->updated_at : at;
      for (Assessment& a : v.assessments) {
        if (a.recorded_at == 0) a.recorded_at = at;
      }
      if (!old) {
        SKM_TRY(insert_vendor(v));
        SKM_TRY(audit_entry("vendor", v.id, "import", by, at, "added from import"));
        ++sum.added;
        continue;
      }
      v.id = old->id;
      if (old->uid != v.uid) {
        SKM_TRY_ASSIGN(auto by_uid, load_vendors("uid = ?1", v.uid));
        if (!by_uid.empty()) return conflict("vendor '" + v.name + "' matches two existing vendors");
      }
      if (same({}, {}, {v}, {}, {}, {*old})) {
        ++sum.unchanged;
        continue;
      }
      SKM_TRY(write_vendor(v, /*assessments=*/true));
      SKM_TRY(audit_entry("vendor", v.id, "import", by, at, "updated from import"));
      ++sum.updated;
    }
    SKM_TRY(tx.commit());
    return sum;
  }

  core::Result<std::vector<AuditEntry>> audit(const std::string& entity, int64_t entity_id) override {
    SKM_TRY_ASSIGN(Stmt * q,
                   db_.prepare("SELECT id, entity, entity_id, action, actor, at, detail FROM audit_log "
                               "WHERE (?1 = '' OR entity = ?1) AND (?2 = 0 OR entity_id = ?2) ORDER BY id"));
    q->bind(1, entity);
    q->bind(2, entity_id);
    std::vector<AuditEntry> out;
    SKM_TRY(q->each_row([&](const Stmt& row) {
      out.push_back(
          {row.int64(0), row.text(1), row.int64(2), row.text(3), row.text(4), row.int64(5), row.text(6)});
    }));
    return out;
  }

  core::Result<int> schema_version() override {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    SKM_TRY_ASSIGN(bool row, q->step());
    int v = row ? static_cast<int>(q->int64(0)) : 0;
    q->reset();
    return v;
  }

 private:
  core::Status migrate() {
    SKM_TRY(
        db_.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                 "applied_at INTEGER NOT NULL, description TEXT NOT NULL)"));
    SKM_TRY_ASSIGN(int current, schema_version());
    if (current > kSchemaVersion) return newer(current);
    if (current == kSchemaVersion) return {};
    Transaction tx(db_);
    SKM_TRY(tx.begin());
    // Another process may have migrated while we waited for the lock.
    SKM_TRY_ASSIGN(current, schema_version());
    if (current > kSchemaVersion) return newer(current);
    for (const internal::Migration& m : internal::migrations()) {
      if (m.version <= current) continue;
      SKM_TRY(db_.exec(std::string(m.sql)));
      SKM_TRY_ASSIGN(Stmt * s, db_.prepare("INSERT INTO schema_version (version, applied_at, description) "
                                           "VALUES (?1, ?2, ?3)"));
      s->bind_from(1, m.version, wall_ms(), m.description);
      SKM_TRY(s->exec());
    }
    return tx.commit();
  }

  static core::Error newer(int version) {
    return core::make_error("store.schema", "the database has schema version " + std::to_string(version) +
                                                ", newer than this sekimori supports (" +
                                                std::to_string(kSchemaVersion) +
                                                "); upgrade sekimori to use it");
  }

  core::Result<RunRecord> get_run(int64_t id) {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kRunColumns + " WHERE r.id = ?1"));
    q->bind(1, id);
    SKM_TRY_ASSIGN(bool row, q->step());
    if (!row) return not_found("no run with id " + std::to_string(id));
    RunRecord r = read_run(*q);
    q->reset();
    return r;
  }

  core::Status require_running(int64_t run_id, const char* kind) {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare("SELECT kind, status FROM runs WHERE id = ?1"));
    q->bind(1, run_id);
    SKM_TRY_ASSIGN(bool found, q->step());
    if (!found) return not_found("no run with id " + std::to_string(run_id));
    std::string k = q->text(0), status = q->text(1);
    q->reset();
    if (status != "running")
      return conflict("run " + std::to_string(run_id) + " is " + status + ", not running");
    if (*kind && k != kind) return conflict("run " + std::to_string(run_id) + " is a " + k + " run");
    return {};
  }

  // The finding lifecycle (docs/formats/database.md, "Finding lifecycle").
  core::Status apply_lifecycle(int64_t run_id, int64_t scope_id, int64_t t, bool complete,
                               RunRecord& counts) {
    struct Existing {
      int64_t id;
      std::string state;
    };
    std::unordered_map<std::string, Existing> existing;
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare("SELECT id, fingerprint, state FROM findings WHERE scope_id = ?1"));
    q->bind(1, scope_id);
    SKM_TRY(q->each_row([&](const Stmt& row) {
      existing.emplace(row.text(1), Existing{row.int64(0), row.text(2)});
    }));
    SKM_TRY_ASSIGN(
        Stmt * occ,
        db_.prepare("SELECT fingerprint, rule_id, resource_type, resource_id, severity, threats, title, "
                    "status, exception_id FROM finding_occurrences WHERE run_id = ?1"));
    SKM_TRY_ASSIGN(
        Stmt * ins,
        db_.prepare("INSERT INTO findings (scope_id, fingerprint, rule_id, resource_type, resource_id, "
                    "severity, threats, title, state, exception_id, first_seen, last_seen, "
                    "first_run_id, last_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                    "?11, ?12, ?12)"));
    SKM_TRY_ASSIGN(
        Stmt * upd,
        db_.prepare("UPDATE findings SET rule_id = ?1, resource_type = ?2, resource_id = ?3, "
                    "severity = ?4, threats = ?5, title = ?6, state = ?7, exception_id = ?8, "
                    "last_seen = ?9, last_run_id = ?10, resolved_at = CASE WHEN ?7 = 'reopened' THEN "
                    "NULL ELSE resolved_at END WHERE id = ?11"));
    std::unordered_set<std::string> seen;
    struct Event {
      int64_t finding;
      std::string from, to;
    };
    std::vector<Event> events;
    occ->bind(1, run_id);
    // Collect first: the statement must finish before the writes below reuse the table.
    struct Occ {
      std::string fp, rule, type, id, severity, threats, title;
      bool suppressed;
      std::optional<int64_t> exception;
    };
    std::vector<Occ> occs;
    SKM_TRY(occ->each_row([&](const Stmt& row) {
      occs.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5),
                      row.text(6), row.text(7) == "suppressed", row.opt_int64(8)});
    }));
    for (const Occ& o : occs) {
      seen.insert(o.fp);
      ++counts.findings;
      if (o.suppressed) ++counts.suppressed;
      auto it = existing.find(o.fp);
      if (it == existing.end()) {
        std::string state = o.suppressed ? "suppressed" : "new";
        ins->bind_from(1, scope_id, o.fp, o.rule, o.type, o.id, o.severity, o.threats, o.title, state,
                       o.exception, t, run_id);
        SKM_TRY(ins->exec());
        events.push_back({db_.last_insert_id(), "", state});
        if (!o.suppressed) ++counts.new_findings;
        continue;
      }
      const std::string& from = it->second.state;
      std::string to;
      if (o.suppressed)
        to = "suppressed";
      else if (from == "resolved")
        to = "reopened";
      else
        to = "open";
      if (to == "reopened") ++counts.reopened;
      upd->bind_from(1, o.rule, o.type, o.id, o.severity, o.threats, o.title, to, o.exception, t, run_id,
                     it->second.id);
      SKM_TRY(upd->exec());
      if (to != from) events.push_back({it->second.id, from, to});
    }
    if (complete) {
      SKM_TRY_ASSIGN(Stmt * res,
                     db_.prepare("UPDATE findings SET state = 'resolved', resolved_at = ?1 WHERE id = ?2"));
      for (const auto& [fp, ex] : existing) {
        if (seen.count(fp) || ex.state == "resolved") continue;
        res->bind(1, t);
        res->bind(2, ex.id);
        SKM_TRY(res->exec());
        events.push_back({ex.id, ex.state, "resolved"});
        ++counts.resolved;
      }
    }
    std::sort(events.begin(), events.end(),
              [](const Event& a, const Event& b) { return a.finding < b.finding; });
    SKM_TRY_ASSIGN(Stmt * ev,
                   db_.prepare("INSERT INTO finding_events (finding_id, run_id, from_state, to_state, at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const Event& e : events) {
      ev->bind(1, e.finding);
      ev->bind(2, run_id);
      if (e.from.empty())
        ev->bind_null(3);
      else
        ev->bind(3, e.from);
      ev->bind(4, e.to);
      ev->bind(5, t);
      SKM_TRY(ev->exec());
    }
    return {};
  }

  core::Status audit_entry(const char* entity, int64_t id, const std::string& action,
                           const std::string& actor, int64_t at, const std::string& detail) {
    SKM_TRY_ASSIGN(Stmt * s,
                   db_.prepare("INSERT INTO audit_log (entity, entity_id, action, actor, at, detail) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    s->bind_from(1, entity, id, action, actor, at, detail);
    return s->exec();
  }

  core::Status insert_exception(ExceptionRecord& e) {
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("INSERT INTO exceptions (uid, rule, resource, reason, approver, expires, created_at, "
                    "created_by, revoked_at, revoked_by, revoke_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                    "?7, ?8, ?9, ?10, ?11)"));
    s->bind(1, e.uid);
    bind_exception(*s, 2, e);
    if (e.revoked_at) {
      s->bind(10, e.revoked_by);
      s->bind(11, e.revoke_reason);
    } else {
      s->bind_null(10);
      s->bind_null(11);
    }
    SKM_TRY(s->exec());
    e.id = db_.last_insert_id();
    return {};
  }

  template <typename T>
  core::Result<std::vector<RiskRecord>> load_risks(const std::string& where, T arg) {
    SKM_TRY_ASSIGN(Stmt * q,
                   db_.prepare(std::string("SELECT ") + kRiskColumns + " WHERE " + where + " ORDER BY id"));
    q->bind(1, arg);
    std::vector<RiskRecord> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_risk(row)); }));
    SKM_TRY_ASSIGN(Stmt * l,
                   db_.prepare("SELECT kind, value FROM risk_links WHERE risk_id = ?1 ORDER BY position"));
    for (RiskRecord& r : out) {
      l->bind(1, r.id);
      SKM_TRY(l->each_row([&](const Stmt& row) {
        std::string kind = row.text(0);
        (kind == "threat" ? r.threats : kind == "rule" ? r.rules : r.findings).push_back(row.text(1));
      }));
    }
    return out;
  }

  core::Status insert_risk(RiskRecord& r) {
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("INSERT INTO risks (uid, title, description, likelihood, impact, score, owner, "
                    "treatment, review_date, status, close_reason, created_at, updated_at, closed_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    s->bind(1, r.uid);
    bind_risk(*s, 2, r);
    SKM_TRY(s->exec());
    r.id = db_.last_insert_id();
    return write_links(r);
  }

  core::Status write_risk(const RiskRecord& r) {
    SKM_TRY_ASSIGN(Stmt * s,
                   db_.prepare("UPDATE risks SET title = ?1, description = ?2, likelihood = ?3, impact = ?4, "
                               "score = ?5, owner = ?6, treatment = ?7, review_date = ?8, status = ?9, "
                               "close_reason = ?10, created_at = ?11, updated_at = ?12, closed_at = ?13 "
                               "WHERE id = ?14"));
    bind_risk(*s, 1, r);
    s->bind(14, r.id);
    SKM_TRY(s->exec());
    if (db_.changes() == 0) return not_found("no risk with id " + std::to_string(r.id));
    SKM_TRY_ASSIGN(Stmt * d, db_.prepare("DELETE FROM risk_links WHERE risk_id = ?1"));
    d->bind(1, r.id);
    SKM_TRY(d->exec());
    return write_links(r);
  }

  core::Status write_links(const RiskRecord& r) {
    SKM_TRY_ASSIGN(Stmt * s,
                   db_.prepare("INSERT INTO risk_links (risk_id, kind, value, position) VALUES (?1, ?2, "
                               "?3, ?4) ON CONFLICT (risk_id, kind, value) DO NOTHING"));
    int64_t pos = 0;
    auto put = [&](const char* kind, const std::vector<std::string>& values) -> core::Status {
      for (const std::string& v : values) {
        s->bind_from(1, r.id, kind, v, pos++);
        SKM_TRY(s->exec());
      }
      return {};
    };
    SKM_TRY(put("threat", r.threats));
    SKM_TRY(put("rule", r.rules));
    return put("finding", r.findings);
  }

  template <typename T>
  core::Result<std::vector<VendorRecord>> load_vendors(const std::string& where, T arg) {
    SKM_TRY_ASSIGN(Stmt * q, db_.prepare(std::string("SELECT ") + kVendorColumns + " WHERE " + where +
                                         " ORDER BY name"));
    q->bind(1, arg);
    std::vector<VendorRecord> out;
    SKM_TRY(q->each_row([&](const Stmt& row) { out.push_back(read_vendor(row)); }));
    SKM_TRY_ASSIGN(Stmt * a, db_.prepare("SELECT name, expires FROM vendor_attestations WHERE vendor_id = ?1 "
                                         "ORDER BY name"));
    SKM_TRY_ASSIGN(Stmt * r, db_.prepare("SELECT review_date, status, assessor, notes, recorded_at FROM "
                                         "vendor_assessments WHERE vendor_id = ?1 ORDER BY review_date, id"));
    for (VendorRecord& v : out) {
      a->bind(1, v.id);
      SKM_TRY(a->each_row([&](const Stmt& row) { v.attestations.push_back({row.text(0), row.text(1)}); }));
      r->bind(1, v.id);
      SKM_TRY(r->each_row([&](const Stmt& row) {
        v.assessments.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.int64(4)});
      }));
    }
    return out;
  }

  core::Status insert_vendor(VendorRecord& v) {
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("INSERT INTO vendors (uid, name, service, service_model, data_shared, "
                    "data_classification, contract_notes, sla_notes, dd_status, dd_date, "
                    "offboarding_deletion, offboarding_support, created_at, updated_at) VALUES (?1, ?2, "
                    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    bind_vendor(*s, v);
    SKM_TRY(s->exec());
    v.id = db_.last_insert_id();
    SKM_TRY(write_attestations(v));
    for (const Assessment& a : v.assessments) SKM_TRY(insert_assessment(v.id, a));
    return {};
  }

  core::Status write_vendor(const VendorRecord& v, bool assessments) {
    SKM_TRY_ASSIGN(
        Stmt * s,
        db_.prepare("UPDATE vendors SET uid = ?1, name = ?2, service = ?3, service_model = ?4, "
                    "data_shared = ?5, data_classification = ?6, contract_notes = ?7, sla_notes = ?8, "
                    "dd_status = ?9, dd_date = ?10, offboarding_deletion = ?11, "
                    "offboarding_support = ?12, created_at = ?13, updated_at = ?14 WHERE id = ?15"));
    bind_vendor(*s, v);
    s->bind(15, v.id);
    SKM_TRY(s->exec());
    if (db_.changes() == 0) return not_found("no vendor with id " + std::to_string(v.id));
    SKM_TRY_ASSIGN(Stmt * d, db_.prepare("DELETE FROM vendor_attestations WHERE vendor_id = ?1"));
    d->bind(1, v.id);
    SKM_TRY(d->exec());
    SKM_TRY(write_attestations(v));
    if (assessments) {
      SKM_TRY_ASSIGN(Stmt * da, db_.prepare("DELETE FROM vendor_assessments WHERE vendor_id = ?1"));
      da->bind(1, v.id);
      SKM_TRY(da->exec());
      for (const Assessment& a : v.assessments) SKM_TRY(insert_assessment(v.id, a));
    }
    return {};
  }

  core::Status write_attestations(const VendorRecord& v) {
    SKM_TRY_ASSIGN(Stmt * s,
                   db_.prepare("INSERT INTO vendor_attestations (vendor_id, name, expires) VALUES (?1, ?2, "
                               "?3) ON CONFLICT (vendor_id, name) DO UPDATE SET expires = excluded.expires"));
    for (const Attestation& a : v.attestations) {
      s->bind_from(1, v.id, a.name, a.expires);
      SKM_TRY(s->exec());
    }
    return {};
  }

  core::Status insert_assessment(int64_t vendor_id, const Assessment& a) {
    SKM_TRY_ASSIGN(Stmt * s,
                   db_.prepare("INSERT INTO vendor_assessments (vendor_id, review_date, status, assessor, "
                               "notes, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    s->bind_from(1, vendor_id, a.date, a.status, a.assessor, a.notes, a.recorded_at);
    return s->exec();
  }

  // Whether two sets of records are equal in everything the export shows.
  static bool same(std::vector<ExceptionRecord> e1, std::vector<RiskRecord> r1, std::vector<VendorRecord> v1,
                   std::vector<ExceptionRecord> e2, std::vector<RiskRecord> r2,
                   std::vector<VendorRecord> v2) {
    return export_governance({std::move(e1), std::move(r1), std::move(v1)}) ==
           export_governance({std::move(e2), std::move(r2), std::move(v2)});
  }

  Db db_;
};

}  // namespace

core::Result<std::unique_ptr<Store>> open_store(const std::string& path, const OpenOptions& options) {
  auto s = std::make_unique<SqliteStore>();
  SKM_TRY(s->open(path, options));
  return std::unique_ptr<Store>(std::move(s));
}

std::string digest(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace sekimori::store
