// Shared pieces of the store commands (see store_support.h).
#include "cli/store_support.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cel/time.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "knowledge/knowledge.h"

namespace sekimori::cli {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

bool pid_alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr int64_t kForeignRunMaxAgeMs = 7LL * 24 * 3600 * 1000;

}  // namespace

std::optional<std::string> recording_store_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("SEKIMORI_STORE"); env && *env) return std::string(env);
  return std::nullopt;
}

std::string governance_store_path(const std::string& flag) {
  return recording_store_path(flag).value_or(kDefaultStorePath);
}

std::unique_ptr<store::Store> open_cli_store(const std::string& path) {
  auto db = store::open_store(path, {});
  if (!db.ok()) {
    report_store_error(db.error());
    return nullptr;
  }
  auto dead = (*db)->mark_dead_runs(host_name(), pid_alive, wall_ms(), kForeignRunMaxAgeMs);
  if (!dead.ok()) {
    report_store_error(dead.error());
    return nullptr;
  }
  for (int64_t id : *dead) {
    std::cerr << "note: run " << id << " did not finish (its process is gone); marked incomplete\n";
  }
  return std::move(db).value();
}

int report_store_error(const core::Error& e) {
  std::cerr << "error: " << e.message << " [" << e.code << "]\n";
  return kExitUsage;
}

std::optional<int64_t> now_ms(const std::string& flag, const char* option) {
  if (flag.empty()) return wall_ms();
  auto t = cel::parse_timestamp(flag);
  if (!t.ok()) {
    std::cerr << "error: " << option << " '" << flag << "': " << t.error().message
              << " (expected RFC 3339, e.g. "
              << "2026-01-31T12:00:00Z)\n";
    return std::nullopt;
  }
  return t->seconds * 1000 + t->nanos / 1'000'000;
}

bool parse_since(const std::string& flag, std::optional<int64_t>& out) {
  if (flag.empty()) return true;
  if (auto d = store::date_days(flag)) {
    out = *d * 86'400'000;
    return true;
  }
  auto t = cel::parse_timestamp(flag);
  if (!t.ok()) {
    std::cerr << "error: --since '" << flag << "' is neither a date (YYYY-MM-DD) nor an RFC 3339 time\n";
    return false;
  }
  out = t->seconds * 1000 + t->nanos / 1'000'000;
  return true;
}

std::string actor(const std::string& by) {
  if (!by.empty()) return by;
  if (const char* u = std::getenv("SEKIMORI_USER"); u && *u) return u;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "unknown";
}

void add_store_option(CLI::App* cmd, std::string& path, bool recording) {
  cmd->add_option("--store", path,
                  recording ? "Record this run in the history database at PATH (or set SEKIMORI_STORE)"
                            : "History and governance database (default: $SEKIMORI_STORE, else "
                              ".sekimori/sekimori.db)");
}

void add_now_option(CLI::App* cmd, std::string& now) {
  cmd->add_option("--now", now, "The current time (RFC 3339)")->group("");
}

// ---- Scans.

namespace {

// The recording store named by --store or $SEKIMORI_STORE, opened; nullptr when none is
// configured, or (with `failed` set) when it cannot be opened.
std::unique_ptr<store::Store> open_recording_store(const std::string& flag, bool& failed) {
  failed = false;
  auto path = recording_store_path(flag);
  if (!path) return nullptr;
  auto db = open_cli_store(*path);
  failed = db == nullptr;
  return db;
}

}  // namespace

std::unique_ptr<ScanRecorder> ScanRecorder::open(const std::string& flag, bool& failed) {
  auto db = open_recording_store(flag, failed);
  if (!db) return nullptr;
  auto rec = std::make_unique<ScanRecorder>();
  rec->db_ = std::move(db);
  return rec;
}

void ScanRecorder::merge_exceptions(std::optional<policy::ExceptionList>& list) {
  auto stored = db_->list_exceptions(false);
  if (!stored.ok()) {
    report_store_error(stored.error());
    return;
  }
  std::vector<policy::Exception> items;
  if (list) items = list->items();
  for (const store::ExceptionRecord& e : *stored) {
    policy::Exception pe;
    pe.rule = e.rule;
    pe.resource = e.resource;
    pe.reason = e.reason;
    pe.approver = e.approver;
    pe.expires = e.expires;
    // The location names the stored exception, so that findings can point back at it.
    pe.location.file = "store:exception/" + std::to_string(e.id);
    items.push_back(std::move(pe));
  }
  if (!stored->empty() || list) list = policy::ExceptionList(std::move(items));
}

bool ScanRecorder::record(const policy::RuleSet& rules, const std::vector<model::Input>& inputs,
                          const policy::ScanResult& result, std::vector<std::string> scope,
                          int64_t started_at, bool complete) {
  auto start = std::chrono::steady_clock::now();
  store::NewRun run;
  run.kind = "scan";
  run.started_at = started_at;
  run.tool_version = SEKIMORI_VERSION;
  run.rule_pack_version = std::string(policy::builtin_rule_pack_version());
  std::string pack;
  for (const policy::Rule& r : rules.rules()) {
    pack +=
        r.id + '\x1f' + policy::severity_name(r.severity) + '\x1f' + r.when + '\x1f' + r.assertion + '\x1e';
  }
  run.rule_pack_hash = store::digest(pack);
  run.scope = std::move(scope);
  for (const model::Input& in : inputs) {
    run.inputs.push_back({in.path, in.sha256, in.format ? model::format_name(*in.format) : ""});
  }
  run.host = host_name();
  run.pid = ::getpid();
  auto id = db_->begin_run(run);
  if (!id.ok()) {
    report_store_error(id.error());
    return false;
  }
  std::vector<store::FindingRecord> batch;
  constexpr size_t kBatch = 2000;
  auto flush = [&]() {
    auto st = db_->add_findings(*id, batch);
    batch.clear();
    if (!st.ok()) report_store_error(st.error());
    return st.ok();
  };
  for (const policy::Finding& f : result.findings) {
    if (f.status != policy::Status::kFail && f.status != policy::Status::kSuppressed) continue;
    store::FindingRecord r;
    r.fingerprint = f.fingerprint.view();
    r.rule_id = f.rule->id;
    r.resource_type = result.resource_of(f).type;
    r.resource_id = result.resource_of(f).id;
    r.severity = policy::severity_name(f.rule->severity);
    r.threats = f.rule->threats;
    r.title = f.rule->title;
    const core::LocationView where = result.location_of(f);
    r.file = std::string(where.file);
    r.line = where.line;
    r.message = result.message_of(f);
    r.suppressed = f.status == policy::Status::kSuppressed;
    if (f.suppression()) {
      const policy::AppliedSuppression& s = *f.suppression();
      r.suppression =
          s.inline_comment ? "inline: " + s.reason : "exception: " + s.reason + " (" + s.approver + ")";
      const std::string prefix = "store:exception/";
      if (!s.inline_comment && s.location.file.rfind(prefix, 0) == 0) {
        r.exception_id = std::strtoll(s.location.file.c_str() + prefix.size(), nullptr, 10);
      }
    }
    batch.push_back(std::move(r));
    if (batch.size() >= kBatch && !flush()) return false;
  }
  if (!batch.empty() && !flush()) return false;
  int64_t elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  auto done = db_->finish_run(*id, started_at + elapsed, complete);
  if (!done.ok()) {
    report_store_error(done.error());
    return false;
  }
  std::cerr << "recorded run " << done->id << (complete ? "" : " (partial: some inputs failed)") << ": "
            << done->findings << " finding(s), " << done->new_findings << " new, " << done->reopened
            << " reopened, " << done->resolved << " resolved, " << done->suppressed << " suppressed\n";
  return true;
}

// ---- Alerts.

std::unique_ptr<AlertRecorder> AlertRecorder::open(const std::string& flag, const std::string& kind,
                                                   std::vector<std::string> scope, int64_t started_at,
                                                   bool& failed) {
  auto db = open_recording_store(flag, failed);
  if (!db) return nullptr;
  store::NewRun run;
  run.kind = kind;
  run.started_at = started_at;
  run.tool_version = SEKIMORI_VERSION;
  run.rule_pack_version = "sigma";
  run.rule_pack_hash = "";
  run.scope = std::move(scope);
  run.host = host_name();
  run.pid = ::getpid();
  auto id = db->begin_run(run);
  if (!id.ok()) {
    report_store_error(id.error());
    failed = true;
    return nullptr;
  }
  auto rec = std::make_unique<AlertRecorder>();
  rec->db_ = std::move(db);
  rec->run_ = *id;
  return rec;
}

void AlertRecorder::add(const detect::Alert& a, std::optional<int64_t> alert_time) {
  store::AlertRecord r;
  std::string identity = a.meta->id + '\x1f' + a.event + '\x1f' + a.correlation_type + '\x1f' +
                         std::to_string(a.time_ms) + '\x1f' + std::to_string(a.event_count);
  for (const auto& [k, v] : a.group) identity += '\x1f' + k + '=' + v;
  r.key = store::digest(identity) + store::digest("sekimori\x1f" + identity);
  r.rule_id = a.meta->id;
  r.rule_title = a.meta->title;
  r.level = a.meta->level;
  if (a.has_time) r.event_time = a.time_ms;
  r.alert_time = alert_time.value_or(wall_ms());
  r.account = a.account;
  r.region = a.region;
  r.principal = a.principal;
  r.source_ip = a.source_ip;
  r.event_name = a.event_name;
  r.event_source = a.event_source;
  r.file = a.file;
  r.offset = static_cast<int64_t>(a.offset);
  r.correlation = a.correlation;
  r.body = detect::alert_json(a);
  pending_.push_back(std::move(r));
}

bool AlertRecorder::flush() {
  if (pending_.empty()) return true;
  auto n = db_->add_alerts(run_, pending_);
  pending_.clear();
  if (!n.ok()) {
    report_store_error(n.error());
    return false;
  }
  stored_ += *n;
  return true;
}

bool AlertRecorder::finish(int64_t finished_at) {
  bool ok = flush();
  auto done = db_->finish_run(run_, finished_at, ok);
  if (!done.ok()) {
    report_store_error(done.error());
    return false;
  }
  std::cerr << "recorded run " << run_ << ": " << stored_ << " new alert(s)\n";
  return ok;
}

void RecordingSink::alert(const detect::Alert& a) {
  inner_.alert(a);
  if (!recorder_) return;
  recorder_->add(a, alert_time_);
  if (++since_flush_ >= 1000) {
    since_flush_ = 0;
    recorder_->flush();
  }
}

// ---- Vocabulary.

store::Vocabulary make_vocabulary(const std::vector<std::string>& rule_dirs) {
  store::Vocabulary v;
  const knowledge::KnowledgeBase& kb = knowledge::KnowledgeBase::builtin();
  v.is_threat = [&kb](std::string_view k) { return kb.is_valid_threat(k) || kb.threat_2024(k) != nullptr; };
  auto rules = std::make_shared<policy::RuleSet>();
  core::Diagnostics diags;
  rules->add_builtin(diags, /*examples=*/false);
  for (const std::string& d : rule_dirs) rules->add_directory(d, diags);
  v.is_rule = [rules](std::string_view id) { return rules->find(id) != nullptr; };
  v.service_model = [&kb](std::string_view m) -> std::optional<std::string> {
    std::string want = lower(m);
    for (const knowledge::ServiceModel& sm : kb.models()) {
      if (lower(sm.id) == want || lower(sm.name) == want) return sm.name;
    }
    return std::nullopt;
  };
  return v;
}

// ---- Output.

std::string TextTable::render(const std::string& format) const {
  std::string out;
  if (format == "csv") {
    auto cell = [](const std::string& s) {
      if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    auto line = [&](const std::vector<std::string>& row) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + cell(row[i]);
      out += '\n';
    };
    line(header);
    for (const auto& r : rows) line(r);
    return out;
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], std::min<size_t>(r[i].size(), 60));
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string c = row[i].size() > 60 && i + 1 < row.size() ? row[i].substr(0, 57) + "..." : row[i];
      if (i + 1 < row.size()) c.resize(std::max(c.size(), width[i]), ' ');
      l += c;
      if (i + 1 < row.size()) l += "  ";
    }
    out += l + '\n';
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

bool check_format(const std::string& format, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (format == a) return true;
    list += list.empty() ? a : std::string(", ") + a;
  }
  std::cerr << "error: unknown --format '" << format << "' (" << list << ")\n";
  return false;
}

std::string time_or_dash(std::optional<int64_t> ms) { return ms ? store::format_time(*ms) : "-"; }

std::string human_duration(double ms) {
  char buf[64];
  double s = ms / 1000.0;
  if (ms < 0) {
    std::snprintf(buf, sizeof buf, "-%s", human_duration(-ms).c_str());
  } else if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.0fms", ms);
  } else if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm %ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%dh %dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dd %dh", static_cast<int>(s / 86400), static_cast<int>(s / 3600) % 24);
  }
  return buf;
}

}  // namespace sekimori::cli
