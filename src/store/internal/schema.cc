#include "store/internal/schema.h"

namespace sekimori::store::internal {

namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE scopes (
  id INTEGER PRIMARY KEY,
  scope_key TEXT NOT NULL UNIQUE,
  roots TEXT NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('scan', 'detect', 'watch')),
  status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'partial', 'incomplete')),
  scope_id INTEGER NOT NULL REFERENCES scopes(id),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  tool_version TEXT NOT NULL,
  rule_pack_version TEXT NOT NULL,
  rule_pack_hash TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  findings INTEGER NOT NULL DEFAULT 0,
  new_findings INTEGER NOT NULL DEFAULT 0,
  reopened INTEGER NOT NULL DEFAULT 0,
  resolved INTEGER NOT NULL DEFAULT 0,
  suppressed INTEGER NOT NULL DEFAULT 0,
  alerts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE run_inputs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  PRIMARY KEY (run_id, path)
);
CREATE TABLE exceptions (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL,
  resource TEXT NOT NULL,
  reason TEXT NOT NULL,
  approver TEXT NOT NULL,
  expires TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at INTEGER,
  revoked_by TEXT,
  revoke_reason TEXT
);
CREATE TABLE finding_occurrences (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  fingerprint TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  threats TEXT NOT NULL,
  title TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('fail', 'suppressed')),
  exception_id INTEGER REFERENCES exceptions(id),
  suppression TEXT NOT NULL,
  PRIMARY KEY (run_id, fingerprint)
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  scope_id INTEGER NOT NULL REFERENCES scopes(id),
  fingerprint TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  threats TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('new', 'open', 'resolved', 'reopened', 'suppressed')),
  exception_id INTEGER REFERENCES exceptions(id),
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  resolved_at INTEGER,
  first_run_id INTEGER NOT NULL REFERENCES runs(id),
  last_run_id INTEGER NOT NULL REFERENCES runs(id),
  UNIQUE (scope_id, fingerprint)
);
CREATE INDEX findings_state ON findings (state);
CREATE TABLE finding_events (
  id INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  from_state TEXT,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, at);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  alert_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  rule_title TEXT NOT NULL,
  level TEXT NOT NULL,
  event_time INTEGER,
  alert_time INTEGER NOT NULL,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  principal TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  file TEXT NOT NULL,
  record_offset INTEGER NOT NULL,
  correlation INTEGER NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'closed')),
  status_by TEXT NOT NULL,
  status_at INTEGER,
  acknowledged_at INTEGER,
  closed_at INTEGER
);
CREATE INDEX alerts_time ON alerts (alert_time);
CREATE TABLE risks (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
  impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
  score INTEGER NOT NULL,
  owner TEXT NOT NULL,
  treatment TEXT NOT NULL CHECK (treatment IN ('mitigate', 'transfer', 'avoid', 'accept')),
  review_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  close_reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE TABLE risk_links (
  risk_id INTEGER NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('threat', 'rule', 'finding')),
  value TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (risk_id, kind, value)
);
CREATE TABLE vendors (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL,
  service_model TEXT NOT NULL,
  data_shared TEXT NOT NULL,
  data_classification TEXT NOT NULL,
  contract_notes TEXT NOT NULL,
  sla_notes TEXT NOT NULL,
  dd_status TEXT NOT NULL,
  dd_date TEXT NOT NULL,
  offboarding_deletion TEXT NOT NULL,
  offboarding_support TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE vendor_attestations (
  vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  expires TEXT NOT NULL,
  PRIMARY KEY (vendor_id, name)
);
CREATE TABLE vendor_assessments (
  id INTEGER PRIMARY KEY,
  vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
  review_date TEXT NOT NULL,
  status TEXT NOT NULL,
  assessor TEXT NOT NULL,
  notes TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL CHECK (entity IN ('exception', 'risk', 'vendor', 'alert')),
  entity_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
)SQL";

constexpr Migration kMigrations[] = {
    {1, "runs, findings, alerts, exceptions, risks, vendors, audit log", kV1},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace sekimori::store::internal
