// How long does the history store take to record a scan run with 10,000 findings
// (begin_run, add_findings in batches of 2,000 as `scan --store` does, finish_run with the
// finding lifecycle), on a fresh database (all findings new) and on a database that
// already holds them (all open)? And what do 10,000 alerts cost?
//
//   store_bench                     # Google Benchmark table; the database is in $TMPDIR
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace sekimori;

std::vector<store::FindingRecord> make_findings(size_t n) {
  std::vector<store::FindingRecord> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    store::FindingRecord f;
    f.rule_id = "SKM-AWS-S3-" + std::to_string(i % 40);
    f.resource_type = "aws_s3_bucket";
    f.resource_id = "bucket-" + std::to_string(i / 40);
    f.fingerprint = store::digest(f.rule_id + '\0' + f.resource_type + '\0' + f.resource_id) +
                    store::digest(f.resource_id + f.rule_id);
    f.severity = i % 4 == 0 ? "high" : "medium";
    f.threats = {"T01", "T04"};
    f.title = "S3 bucket without default encryption";
    f.file = "infra/storage-" + std::to_string(i / 500) + ".tf";
    f.line = static_cast<int64_t>(i % 500) * 4 + 1;
    f.message = "Bucket " + f.resource_id + " has no default encryption configured";
    out.push_back(std::move(f));
  }
  return out;
}

store::NewRun new_run(int64_t t) {
  store::NewRun r;
  r.kind = "scan";
  r.started_at = t;
  r.tool_version = "bench";
  r.rule_pack_version = "bench";
  r.rule_pack_hash = "0";
  r.scope = {"/bench"};
  r.host = "bench";
  r.pid = getpid();
  return r;
}

void record(store::Store& db, const std::vector<store::FindingRecord>& findings, int64_t t) {
  auto run = db.begin_run(new_run(t));
  constexpr size_t kBatch = 2000;
  for (size_t i = 0; i < findings.size(); i += kBatch) {
    size_t n = std::min(kBatch, findings.size() - i);
    (void)db.add_findings(*run, std::span<const store::FindingRecord>(findings.data() + i, n));
  }
  (void)db.finish_run(*run, t + 1, true);
}

std::string db_path(const char* name) {
  return (fs::temp_directory_path() / ("skm-store-bench-" + std::to_string(getpid()) + "-" + name + ".db"))
      .string();
}

void remove_db(const std::string& p) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p + suffix, ec);
}

void BM_RecordRunFresh(benchmark::State& state) {
  auto findings = make_findings(static_cast<size_t>(state.range(0)));
  std::string p = db_path("fresh");
  int64_t t = 1'767'225'600'000;
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(p);
    auto db = store::open_store(p, {});
    state.ResumeTiming();
    record(**db, findings, t);
    state.PauseTiming();
    db->reset();
    state.ResumeTiming();
  }
  remove_db(p);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RecordRunFresh)->Arg(10'000)->Unit(benchmark::kMillisecond);

void BM_RecordRunAgain(benchmark::State& state) {
  auto findings = make_findings(static_cast<size_t>(state.range(0)));
  std::string p = db_path("again");
  remove_db(p);
  auto db = store::open_store(p, {});
  int64_t t = 1'767'225'600'000;
  record(**db, findings, t);
  for (auto _ : state) {
    t += 1000;
    record(**db, findings, t);
  }
  db->reset();
  remove_db(p);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RecordRunAgain)->Arg(10'000)->Unit(benchmark::kMillisecond);

void BM_RecordAlerts(benchmark::State& state) {
  std::string p = db_path("alerts");
  remove_db(p);
  auto db = store::open_store(p, {});
  int64_t t = 1'767'225'600'000;
  int64_t serial = 0;
  for (auto _ : state) {
    store::NewRun r = new_run(t);
    r.kind = "detect";
    auto run = (*db)->begin_run(r);
    std::vector<store::AlertRecord> alerts(static_cast<size_t>(state.range(0)));
    for (auto& a : alerts) {
      a.key = store::digest(std::to_string(++serial)) + "a";
      a.rule_id = "rule";
      a.rule_title = "AWS AdministratorAccess Policy Attached";
      a.level = "high";
      a.event_time = t - 60'000;
      a.alert_time = t;
      a.body = R"({"rule":{"id":"x"},"event":{"eventName":"AttachUserPolicy"}})";
    }
    (void)(*db)->add_alerts(*run, alerts);
    (void)(*db)->finish_run(*run, t + 1, true);
  }
  db->reset();
  remove_db(p);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RecordAlerts)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
