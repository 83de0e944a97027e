// Test helper for the store's CLI-level tests (tests/store/*.sh).
//
//   store_tool write DB N BATCH   one scan run with N findings, BATCH per transaction;
//                                 prints "run ID", then "batch K" after each commit
//                                 (the crash test SIGKILLs it part-way)
//   store_tool hammer DB N TAG    N small complete runs and N exceptions (concurrency test)
//   store_tool dump DB            every table's rows in a stable order (to compare states)
//   store_tool integrity DB       PRAGMA integrity_check and foreign_key_check
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using sekimori::store::FindingRecord;
using sekimori::store::NewRun;
using sekimori::store::Store;

std::unique_ptr<Store> open_or_die(const std::string& path) {
  auto db = sekimori::store::open_store(path, {});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(db).value();
}

template <typename R>
void check(const R& r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
}

NewRun new_run(const std::string& scope) {
  NewRun r;
  r.kind = "scan";
  r.started_at = 1'767'225'600'000;
  r.tool_version = "store_tool";
  r.rule_pack_version = "test";
  r.rule_pack_hash = "0";
  r.scope = {scope};
  r.host = [] {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return std::string(buf);
  }();
  r.pid = getpid();
  return r;
}

std::vector<FindingRecord> findings(const std::string& tag, size_t from, size_t n) {
  std::vector<FindingRecord> out;
  for (size_t i = from; i < from + n; ++i) {
    FindingRecord f;
    f.rule_id = "SKM-TEST-" + std::to_string(i % 50);
    f.resource_type = "aws_s3_bucket";
    f.resource_id = tag + "-bucket-" + std::to_string(i);
    f.fingerprint = sekimori::store::digest(f.rule_id + '\0' + f.resource_type + '\0' + f.resource_id);
    f.severity = i % 3 == 0 ? "high" : "medium";
    f.threats = {"T01"};
    f.title = "test finding";
    f.file = "estate/" + std::to_string(i / 100) + ".yaml";
    f.line = static_cast<int64_t>(i % 100) + 1;
    f.message = "bucket " + f.resource_id + " is not encrypted";
    out.push_back(std::move(f));
  }
  return out;
}

int write(const std::string& path, size_t n, size_t batch) {
  auto db = open_or_die(path);
  auto run = db->begin_run(new_run("/crash"));
  check(run, "begin_run");
  std::printf("run %lld\n", static_cast<long long>(*run));
  std::fflush(stdout);
  for (size_t done = 0, k = 1; done < n; done += batch, ++k) {
    check(db->add_findings(*run, findings("w", done, std::min(batch, n - done))), "add_findings");
    std::printf("batch %zu\n", k);
    std::fflush(stdout);
  }
  check(db->finish_run(*run, 1'767'225'700'000, true), "finish_run");
  std::printf("done\n");
  return 0;
}

int hammer(const std::string& path, int n, const std::string& tag) {
  auto db = open_or_die(path);
  for (int i = 0; i < n; ++i) {
    auto run = db->begin_run(new_run("/hammer/" + tag));
    check(run, "begin_run");
    check(db->add_findings(*run, findings(tag, static_cast<size_t>(i), 50)), "add_findings");
    check(db->finish_run(*run, 1'767'225'700'000, true), "finish_run");
    sekimori::store::ExceptionRecord e;
    e.rule = "SKM-TEST-*";
    e.resource = tag + "-" + std::to_string(i);
    e.reason = "hammer";
    e.approver = tag;
    e.expires = "2099-12-31";
    e.created_at = 1'767'225'600'000;
    e.created_by = tag;
    check(db->add_exception(e), "add_exception");
  }
  std::printf("ok %d\n", n);
  return 0;
}

int query(sqlite3* db, const std::string& sql, bool print_names) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), sqlite3_errmsg(db));
    return -1;
  }
  int rows = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    ++rows;
    std::string line;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (c) line += '|';
      if (print_names) line += std::string(sqlite3_column_name(s, c)) + "=";
      const unsigned char* t = sqlite3_column_text(s, c);
      line += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    std::printf("%s\n", line.c_str());
  }
  sqlite3_finalize(s);
  return rows;
}

int dump(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return 1;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &s,
                     nullptr);
  std::vector<std::string> tables;
  while (sqlite3_step(s) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  for (const std::string& t : tables) {
    std::printf("== %s\n", t.c_str());
    if (query(db, "SELECT * FROM \"" + t + "\" ORDER BY rowid", true) < 0) return 1;
  }
  sqlite3_close(db);
  return 0;
}

int integrity(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return 1;
  int rows = query(db, "PRAGMA integrity_check", false);
  int fk = query(db, "PRAGMA foreign_key_check", false);
  std::printf("foreign_key_violations %d\n", fk);
  sqlite3_close(db);
  return rows == 1 && fk == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "write") return write(a[1], std::stoul(a[2]), std::stoul(a[3]));
  if (a.size() == 4 && a[0] == "hammer") return hammer(a[1], std::stoi(a[2]), a[3]);
  if (a.size() == 2 && a[0] == "dump") return dump(a[1]);
  if (a.size() == 2 && a[0] == "integrity") return integrity(a[1]);
  std::fprintf(stderr, "usage: store_tool write DB N BATCH | hammer DB N TAG | dump DB | integrity DB\n");
  return 2;
}
