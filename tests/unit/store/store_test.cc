#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/governance.h"
#include "store/metrics.h"

namespace sekimori::store {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

class TempDb {
 public:
  TempDb() {
    dir_ = fs::temp_directory_path() /
           ("skm-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(n_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDb() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  [[nodiscard]] std::string path() const { return (dir_ / "db" / "sekimori.db").string(); }

 private:
  static inline int n_ = 0;
  fs::path dir_;
};

std::unique_ptr<Store> open_ok(const std::string& path) {
  auto db = open_store(path, {});
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().to_string());
  return std::move(db).value();
}

NewRun scan_run(int64_t t) {
  NewRun r;
  r.kind = "scan";
  r.started_at = t;
  r.tool_version = "test";
  r.rule_pack_version = "1";
  r.rule_pack_hash = digest("rules");
  r.scope = {"/repo/infra"};
  r.inputs = {{"/repo/infra/a.json", "abc", "cloudformation"}};
  r.host = "testhost";
  r.pid = 1;
  return r;
}

FindingRecord finding(const std::string& rule, const std::string& id, bool suppressed = false) {
  FindingRecord f;
  f.rule_id = rule;
  f.resource_type = "aws_s3_bucket";
  f.resource_id = id;
  f.fingerprint = digest(rule + "\0aws_s3_bucket\0" + id);
  f.severity = "high";
  f.threats = {"T01", "T02"};
  f.title = "title of " + rule;
  f.suppressed = suppressed;
  return f;
}

RunRecord scan(Store& db, int64_t t, const std::vector<FindingRecord>& findings, bool complete = true) {
  auto id = db.begin_run(scan_run(t));
  EXPECT_TRUE(id.ok());
  EXPECT_TRUE(db.add_findings(*id, findings).ok());
  auto done = db.finish_run(*id, t + 1000, complete);
  EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().to_string());
  return *done;
}

std::map<std::string, std::string> states(Store& db) {
  std::map<std::string, std::string> out;
  auto list = db.list_findings({});
  for (const FindingState& f : *list) out[f.rule_id + "/" + f.resource_id] = f.state;
  return out;
}

TEST(StoreSchema, CreatesAtCurrentVersion) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  EXPECT_EQ(*db->schema_version(), kSchemaVersion);
  // Reopening migrates nothing and keeps the version.
  db.reset();
  db = open_ok(tmp.path());
  EXPECT_EQ(*db->schema_version(), kSchemaVersion);
}

TEST(StoreSchema, RefusesNewerSchema) {
  TempDb tmp;
  open_ok(tmp.path()).reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(tmp.path().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "INSERT INTO schema_version VALUES (99, 0, 'future')", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  auto db = open_store(tmp.path(), {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "store.schema");
  EXPECT_NE(db.error().message.find("99"), std::string::npos);
}

TEST(StoreSchema, OpenWithoutCreateNeedsAFile) {
  TempDb tmp;
  OpenOptions o;
  o.create = false;
  auto db = open_store(tmp.path(), o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "store.open");
}

TEST(StoreLifecycle, NewOpenResolvedReopened) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  RunRecord r1 = scan(*db, kT0, {finding("R1", "a"), finding("R2", "b")});
  EXPECT_EQ(r1.status, "complete");
  EXPECT_EQ(r1.new_findings, 2);
  EXPECT_EQ(states(*db), (std::map<std::string, std::string>{{"R1/a", "new"}, {"R2/b", "new"}}));

  RunRecord r2 = scan(*db, kT0 + kDay, {finding("R1", "a")});
  EXPECT_EQ(r2.resolved, 1);
  EXPECT_EQ(r2.new_findings, 0);
  EXPECT_EQ(states(*db), (std::map<std::string, std::string>{{"R1/a", "open"}, {"R2/b", "resolved"}}));

  RunRecord r3 = scan(*db, kT0 + 3 * kDay, {finding("R1", "a"), finding("R2", "b"), finding("R3", "c")});
  EXPECT_EQ(r3.reopened, 1);
  EXPECT_EQ(r3.new_findings, 1);
  EXPECT_EQ(states(*db),
            (std::map<std::string, std::string>{{"R1/a", "open"}, {"R2/b", "reopened"}, {"R3/c", "new"}}));

  auto all = db->list_findings({});
  for (const FindingState& f : *all) {
    if (f.rule_id == "R2") {
      EXPECT_EQ(f.first_seen, kT0);
      EXPECT_EQ(f.last_seen, kT0 + 3 * kDay);
      EXPECT_FALSE(f.resolved_at.has_value());  // cleared on reopening
    }
  }
  auto m = db->metrics_data(std::nullopt);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->remediate_ms.size(), 1u);
  EXPECT_EQ(m->remediate_ms[0], kDay);  // R2: seen day 0, gone day 1
  ASSERT_EQ(m->runs.size(), 3u);
  EXPECT_EQ(m->runs[2].by_severity[1], (std::pair<std::string, int64_t>{"high", 3}));
  EXPECT_EQ(m->runs[2].by_threat[0], (std::pair<std::string, int64_t>{"T01", 3}));
}

TEST(StoreLifecycle, PartialRunDoesNotResolve) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  scan(*db, kT0, {finding("R1", "a"), finding("R2", "b")});
  RunRecord partial = scan(*db, kT0 + kDay, {finding("R1", "a")}, /*complete=*/false);
  EXPECT_EQ(partial.status, "partial");
  EXPECT_EQ(partial.resolved, 0);
  EXPECT_EQ(states(*db)["R2/b"], "new");
}

TEST(StoreLifecycle, ScopesAreSeparate) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  scan(*db, kT0, {finding("R1", "a")});
  NewRun other = scan_run(kT0 + kDay);
  other.scope = {"/repo/other"};
  auto id = db->begin_run(other);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(db->finish_run(*id, kT0 + kDay, true).ok());
  EXPECT_EQ(states(*db)["R1/a"], "new");  // a scan of another scope resolves nothing here
}

TEST(StoreLifecycle, SuppressedWithException) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  ExceptionRecord e;
  e.rule = "R1";
  e.resource = "*";
  e.reason = "accepted";
  e.approver = "ciso";
  e.expires = "2026-12-31";
  e.created_at = kT0;
  e.created_by = "me";
  auto added = db->add_exception(e);
  ASSERT_TRUE(added.ok());
  FindingRecord f = finding("R1", "a", true);
  f.exception_id = added->id;
  RunRecord r = scan(*db, kT0, {f});
  EXPECT_EQ(r.suppressed, 1);
  auto list = db->list_findings({"suppressed", std::nullopt});
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].exception_id, added->id);
  // The exception is lifted: the finding is open again.
  scan(*db, kT0 + kDay, {finding("R1", "a")});
  EXPECT_EQ(states(*db)["R1/a"], "open");
}

TEST(StoreRuns, FinishTwiceConflicts) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  auto id = db->begin_run(scan_run(kT0));
  ASSERT_TRUE(db->finish_run(*id, kT0, true).ok());
  auto again = db->finish_run(*id, kT0, true);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "store.conflict");
  EXPECT_EQ(db->add_findings(*id, std::vector<FindingRecord>{finding("R", "x")}).error().code,
            "store.conflict");
  EXPECT_EQ(db->finish_run(999, kT0, true).error().code, "store.not_found");
}

TEST(StoreRuns, DeadRunsAreMarkedIncomplete) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  NewRun a = scan_run(kT0);
  a.pid = 111;
  NewRun b = scan_run(kT0);
  b.pid = 222;
  NewRun c = scan_run(kT0);
  c.host = "elsewhere";
  ASSERT_TRUE(db->begin_run(a).ok());
  ASSERT_TRUE(db->begin_run(b).ok());
  ASSERT_TRUE(db->begin_run(c).ok());
  auto alive = [](int64_t pid) { return pid == 222; };
  auto dead = db->mark_dead_runs("testhost", alive, kT0 + kDay, 7 * kDay);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(*dead, std::vector<int64_t>{1});
  dead = db->mark_dead_runs("testhost", alive, kT0 + 8 * kDay, 7 * kDay);
  EXPECT_EQ(*dead, std::vector<int64_t>{3});  // the other host's run, once too old
  auto runs = db->list_runs(std::nullopt);
  EXPECT_EQ((*runs)[0].status, "incomplete");
  EXPECT_EQ((*runs)[1].status, "running");
  EXPECT_EQ((*runs)[2].status, "incomplete");
}

AlertRecord alert(const std::string& key, std::optional<int64_t> event, int64_t raised) {
  AlertRecord a;
  a.key = key;
  a.rule_id = "rule-" + key;
  a.rule_title = "Title";
  a.level = "high";
  a.event_time = event;
  a.alert_time = raised;
  a.body = "{}";
  return a;
}

TEST(StoreAlerts, DeduplicatesAndTracksStatus) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  NewRun r = scan_run(kT0);
  r.kind = "detect";
  auto run = db->begin_run(r);
  std::vector<AlertRecord> alerts{alert("k1", kT0 - 60'000, kT0), alert("k2", kT0 - 120'000, kT0 + 1000),
                                  alert("k3", std::nullopt, kT0 + 2000)};
  EXPECT_EQ(*db->add_alerts(*run, alerts), 3);
  EXPECT_EQ(*db->add_alerts(*run, alerts), 0);  // the same alerts again
  ASSERT_TRUE(db->finish_run(*run, kT0 + 5000, true).ok());
  EXPECT_EQ((*db->list_runs(std::nullopt))[0].alerts, 3);

  ASSERT_TRUE(db->set_alert_status(1, "acknowledged", "alice", kT0 + 300'000, "").ok());
  ASSERT_TRUE(db->set_alert_status(1, "closed", "bob", kT0 + 900'000, "done").ok());
  ASSERT_TRUE(db->set_alert_status(2, "closed", "bob", kT0 + 1000 + 60'000, "").ok());
  EXPECT_EQ(db->set_alert_status(1, "closed", "bob", kT0 + 1'000'000, "").error().code, "store.conflict");
  EXPECT_EQ(db->set_alert_status(3, "closed", "bob", kT0 - 1, "").error().code, "store.invalid");
  EXPECT_EQ(db->set_alert_status(42, "closed", "bob", kT0, "").error().code, "store.not_found");
  EXPECT_EQ(db->set_alert_status(3, "closed", "", kT0 + 5000, "").error().code, "store.invalid");

  auto list = db->list_alerts({"closed", std::nullopt});
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].status_by, "bob");
  EXPECT_EQ((*list)[0].acknowledged_at, kT0 + 300'000);

  auto m = db->metrics_data(std::nullopt);
  EXPECT_EQ(m->detect_ms, (std::vector<int64_t>{60'000, 121'000}));
  EXPECT_EQ(m->respond_ms, (std::vector<int64_t>{300'000, 60'000}));  // first ack or close
  auto audit = db->audit("alert", 1);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "closed");
  EXPECT_EQ((*audit)[1].detail, "done");
}

TEST(StoreGovernance, ExceptionsRevokeAndAudit) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  ExceptionRecord e;
  e.rule = "SKM-*";
  e.resource = "aws_s3_bucket.logs";
  e.reason = "r";
  e.approver = "a";
  e.expires = "2026-02-01";
  e.created_at = kT0;
  e.created_by = "me";
  auto added = db->add_exception(e);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->uid.rfind("exc-", 0), 0u);
  ASSERT_TRUE(db->revoke_exception(added->id, "you", kT0 + kDay, "fixed").ok());
  EXPECT_EQ(db->revoke_exception(added->id, "you", kT0 + kDay, "again").error().code, "store.conflict");
  EXPECT_EQ(db->revoke_exception(77, "you", kT0, "x").error().code, "store.not_found");
  EXPECT_TRUE(db->list_exceptions(false)->empty());
  ASSERT_EQ(db->list_exceptions(true)->size(), 1u);
  auto audit = db->audit("exception", added->id);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "add");
  EXPECT_EQ((*audit)[1].action, "revoke");
  EXPECT_EQ((*audit)[1].actor, "you");
}

TEST(StoreGovernance, RisksAndVendors) {
  TempDb tmp;
  auto db = open_ok(tmp.path());
  RiskRecord r;
  r.title = "Leaked keys";
  r.likelihood = 3;
  r.impact = 4;
  r.owner = "security";
  r.treatment = "mitigate";
  r.review_date = "2026-06-30";
  r.threats = {"T02", "T01"};
  r.rules = {"SKM-AWS-IAM-001"};
  auto added = db->add_risk(r, "me");
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->score(), 12);
  EXPECT_EQ(added->threats, (std::vector<std::string>{"T02", "T01"}));
  RiskRecord upd = *added;
  upd.impact = 5;
  upd.threats = {"T03"};
  ASSERT_TRUE(db->update_risk(upd, "me", "update").ok());
  auto got = db->get_risk(added->id);
  EXPECT_EQ(got->score(), 15);
  EXPECT_EQ(got->threats, std::vector<std::string>{"T03"});
  EXPECT_EQ(got->rules, std::vector<std::string>{"SKM-AWS-IAM-001"});
  EXPECT_EQ(db->get_risk(99).error().code, "store.not_found");

  VendorRecord v;
  v.name = "Okta";
  v.service = "identity";
  v.service_model = "SaaS";
  v.attestations = {{"SOC 2 Type II", "2027-03-31"}};
  auto va = db->add_vendor(v, "me");
  ASSERT_TRUE(va.ok());
  EXPECT_EQ(db->add_vendor(v, "me").error().code, "store.conflict");
  ASSERT_TRUE(db->add_assessment(va->id, {"2026-01-10", "approved", "alice", "ok", kT0}).ok());
  auto got_v = db->get_vendor("Okta");
  ASSERT_TRUE(got_v.ok());
  EXPECT_EQ(got_v->dd_status, "approved");
  EXPECT_EQ(got_v->dd_date, "2026-01-10");
  ASSERT_EQ(got_v->assessments.size(), 1u);
  EXPECT_EQ(db->get_vendor(std::to_string(va->id))->name, "Okta");
  EXPECT_EQ(db->get_vendor("Nope").error().code, "store.not_found");
}

Vocabulary test_vocab() {
  Vocabulary v;
  v.is_threat = [](std::string_view k) { return k.size() == 3 && k[0] == 'T'; };
  v.is_rule = [](std::string_view id) { return id.rfind("SKM-", 0) == 0; };
  v.service_model = [](std::string_view m) -> std::optional<std::string> {
    if (m == "saas" || m == "SaaS") return std::string("SaaS");
    return std::nullopt;
  };
  return v;
}

TEST(StoreGovernance, ExportImportRoundTripIsIdempotent) {
  TempDb a, b;
  auto src = open_ok(a.path());
  ExceptionRecord e;
  e.rule = "SKM-1";
  e.resource = "*";
  e.reason = "r";
  e.approver = "a";
  e.expires = "2026-12-31";
  e.created_at = kT0;
  e.created_by = "me";
  ASSERT_TRUE(src->add_exception(e).ok());
  RiskRecord r;
  r.title = "T";
  r.likelihood = 2;
  r.impact = 2;
  r.owner = "o";
  r.treatment = "accept";
  r.review_date = "2026-03-01";
  r.created_at = r.updated_at = kT0;
  ASSERT_TRUE(src->add_risk(r, "me").ok());
  VendorRecord v;
  v.name = "V";
  v.service = "s";
  v.service_model = "SaaS";
  v.created_at = v.updated_at = kT0;
  auto va = src->add_vendor(v, "me");
  ASSERT_TRUE(src->add_assessment(va->id, {"2026-01-02", "approved", "x", "", kT0}).ok());

  GovernanceData data{*src->list_exceptions(true), *src->list_risks(true), *src->list_vendors()};
  std::string json = export_governance(data);
  core::Diagnostics diags;
  auto parsed = parse_governance("gov.json", json, test_vocab(), {}, diags);
  ASSERT_TRUE(parsed.ok()) << diags.to_text();

  auto dst = open_ok(b.path());
  auto s1 = dst->import_governance(parsed->exceptions, parsed->risks, parsed->vendors, "me", kT0 + kDay);
  ASSERT_TRUE(s1.ok()) << s1.error().to_string();
  EXPECT_EQ(s1->added, 3);
  auto s2 = dst->import_governance(parsed->exceptions, parsed->risks, parsed->vendors, "me", kT0 + 2 * kDay);
  EXPECT_EQ(s2->added, 0);
  EXPECT_EQ(s2->updated, 0);
  EXPECT_EQ(s2->unchanged, 3);
  GovernanceData back{*dst->list_exceptions(true), *dst->list_risks(true), *dst->list_vendors()};
  EXPECT_EQ(export_governance(back), json);

  // A change to one record updates only it.
  parsed->risks[0].impact = 5;
  auto s3 = dst->import_governance(parsed->exceptions, parsed->risks, parsed->vendors, "me", kT0 + 3 * kDay);
  EXPECT_EQ(s3->updated, 1);
  EXPECT_EQ(s3->unchanged, 2);
}

TEST(StoreGovernance, ImportErrorsAreLocatedAndAllReported) {
  std::string text = R"({"format": 1,
 "risks": [{"uid": "risk-1", "title": "x", "likelihood": 9, "impact": 2, "owner": "o",
            "treatment": "mitigate", "review_date": "2026-01-01"}],
 "vendors": [{"uid": "vnd-1", "name": "V", "service": "s", "service_model": "mainframe", "colour": "red"}]
})";
  core::Diagnostics diags;
  auto parsed = parse_governance("gov.json", text, test_vocab(), {}, diags);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "governance.invalid");
  std::string out = diags.to_text();
  EXPECT_NE(out.find("gov.json:2:12: error: risk: --likelihood must be 1..5, got 9"), std::string::npos)
      << out;
  EXPECT_NE(out.find("unknown key 'colour'"), std::string::npos) << out;
  EXPECT_NE(out.find("unknown service model 'mainframe'"), std::string::npos) << out;
}

TEST(StoreGovernance, ImportRejectsDuplicatesAndBadDates) {
  std::string text = R"({"format": 1, "exceptions": [
 {"uid": "e1", "rule": "r", "resource": "*", "reason": "x", "approver": "a", "expires": "2026-02-30"},
 {"uid": "e1", "rule": "r", "resource": "*", "reason": "x", "approver": "a", "expires": "2026-02-01"}]})";
  core::Diagnostics diags;
  ASSERT_FALSE(parse_governance("g.json", text, {}, {}, diags).ok());
  std::string out = diags.to_text();
  EXPECT_NE(out.find("'2026-02-30' is not a valid date"), std::string::npos) << out;
  EXPECT_NE(out.find("uid 'e1' appears twice"), std::string::npos) << out;
}

TEST(StoreGovernanceLimits, Size) {
  ImportLimits l;
  l.max_bytes = 10;
  core::Diagnostics diags;
  auto r = parse_governance("g.json", R"({"format": 1, "risks": []})", {}, l, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "governance.limit.size");
}

TEST(StoreGovernanceLimits, Depth) {
  ImportLimits l;
  l.max_depth = 3;
  core::Diagnostics diags;
  auto r = parse_governance("g.json", R"({"format": 1, "risks": [[[[1]]]]})", {}, l, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "doc.limit.depth");
}

TEST(StoreGovernanceLimits, String) {
  ImportLimits l;
  l.max_string = 8;
  core::Diagnostics diags;
  auto r =
      parse_governance("g.json", R"({"format": 1, "risks": [{"title": "a very long title"}]})", {}, l, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "doc.limit.string");
}

TEST(StoreGovernanceLimits, RecordsAndLists) {
  ImportLimits l;
  l.max_records = 1;
  l.max_list = 1;
  core::Diagnostics diags;
  auto r = parse_governance("g.json", R"({"format": 1, "risks": [{}, {}]})", {}, l, diags);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(diags.to_text().find("governance.limit.records"), std::string::npos) << diags.to_text();
  core::Diagnostics d2;
  l.max_records = 10;
  auto r2 = parse_governance("g.json", R"({"format": 1, "risks": [{"uid": "x", "title": "t", "likelihood": 1,
    "impact": 1, "owner": "o", "treatment": "accept", "review_date": "2026-01-01", "threats": ["T01", "T02"]}]})",
                             {}, l, d2);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(d2.to_text().find("governance.limit.list"), std::string::npos) << d2.to_text();
}

TEST(StoreDates, CalendarAndTimes) {
  EXPECT_TRUE(is_valid_date("2024-02-29"));
  EXPECT_FALSE(is_valid_date("2023-02-29"));
  EXPECT_FALSE(is_valid_date("2026-13-01"));
  EXPECT_FALSE(is_valid_date("2026-1-01"));
  EXPECT_EQ(date_of(kT0), "2026-01-01");
  EXPECT_EQ(date_of(kT0 - 1), "2025-12-31");
  EXPECT_EQ(add_days("2026-01-01", -365), "2025-01-01");
  EXPECT_EQ(add_days("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(format_time(kT0 + 3'723'456), "2026-01-01T01:02:03.456Z");
  EXPECT_EQ(format_time(kT0), "2026-01-01T00:00:00Z");
  EXPECT_EQ(parse_time("2026-01-01T01:02:03.456Z"), kT0 + 3'723'456);
  EXPECT_EQ(parse_time("2026-01-01"), kT0);
  EXPECT_FALSE(parse_time("2026-01-01T25:00:00Z").has_value());
  EXPECT_EQ(date_days("1970-01-01"), 0);
}

TEST(StoreValidation, Messages) {
  ExceptionRecord e;
  e.rule = "r";
  e.resource = "*";
  e.reason = "x";
  e.approver = "a";
  e.expires = "2025-12-31";
  auto st = validate_exception(e, "2026-01-01", false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("in the past"), std::string::npos);
  EXPECT_TRUE(validate_exception(e, "2026-01-01", true).ok());
  e.approver = "";
  EXPECT_NE(validate_exception(e, "2026-01-01", true).error().message.find("--approver is required"),
            std::string::npos);

  RiskRecord r;
  r.title = "t";
  r.likelihood = 3;
  r.impact = 6;
  r.owner = "o";
  r.treatment = "mitigate";
  r.review_date = "2026-01-01";
  EXPECT_NE(validate_risk(r, test_vocab()).error().message.find("--impact must be 1..5, got 6"),
            std::string::npos);
  r.impact = 2;
  r.threats = {"X99"};
  EXPECT_NE(validate_risk(r, test_vocab()).error().message.find("unknown threat 'X99'"), std::string::npos);
  r.threats = {"T01"};
  r.rules = {"NOPE"};
  EXPECT_NE(validate_risk(r, test_vocab()).error().message.find("unknown rule 'NOPE'"), std::string::npos);

  VendorRecord v;
  v.name = "n";
  v.service = "s";
  v.service_model = "saas";
  ASSERT_TRUE(validate_vendor(v, test_vocab()).ok());
  EXPECT_EQ(v.service_model, "SaaS");
  auto att = parse_attestation("SOC 2 Type II:2027-03-31");
  ASSERT_TRUE(att.ok());
  EXPECT_EQ(att->name, "SOC 2 Type II");
  EXPECT_EQ(att->expires, "2027-03-31");
  EXPECT_FALSE(parse_attestation("SOC 2").ok());
  EXPECT_FALSE(parse_attestation("SOC 2:2027-02-30").ok());
}

TEST(StoreMetrics, Summarize) {
  Stats s = summarize({5000, 1000, 3000, 2000, 4000, 6000, 7000, 8000, 9000, 10000});
  EXPECT_EQ(s.count, 10);
  EXPECT_DOUBLE_EQ(s.mean_ms, 5500);
  EXPECT_DOUBLE_EQ(s.median_ms, 5500);
  EXPECT_EQ(s.p90_ms, 9000);
  EXPECT_EQ(s.min_ms, 1000);
  EXPECT_EQ(s.max_ms, 10000);
  Stats one = summarize({42});
  EXPECT_EQ(one.p90_ms, 42);
  EXPECT_DOUBLE_EQ(one.median_ms, 42);
  EXPECT_EQ(summarize({}).count, 0);
}

}  // namespace
}  // namespace sekimori::store
