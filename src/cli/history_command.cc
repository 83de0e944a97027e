// `sekimori history` (runs and the finding lifecycle) and `sekimori metrics` (time to
// detect, respond and remediate; open findings per run) over the history database.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/json_writer.h"
#include "store/metrics.h"

namespace sekimori::cli {

namespace {

struct HistoryArgs {
  std::string store;
  std::string since;
  std::string format = "table";
  bool findings = false;
  std::string state;
};

std::string join_list(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

int run_history(const HistoryArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  std::optional<int64_t> since;
  if (!parse_since(args.since, since)) return kExitUsage;
  static const char* kStates[] = {"new", "open", "resolved", "reopened", "suppressed"};
  if (!args.state.empty() &&
      std::find(std::begin(kStates), std::end(kStates), args.state) == std::end(kStates)) {
    std::cerr << "error: --state must be new, open, resolved, reopened or suppressed\n";
    return kExitUsage;
  }
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  if (args.findings || !args.state.empty()) {
    auto list = db->list_findings({args.state, since});
    if (!list.ok()) return report_store_error(list.error());
    if (args.format == "json") {
      core::JsonWriter w(2);
      w.begin_object();
      w.key("findings");
      w.begin_array();
      for (const store::FindingState& f : *list) {
        w.begin_object();
        w.key("id"), w.value(f.id);
        w.key("fingerprint"), w.value(f.fingerprint);
        w.key("state"), w.value(f.state);
        w.key("rule_id"), w.value(f.rule_id);
        w.key("severity"), w.value(f.severity);
        w.key("resource_type"), w.value(f.resource_type);
        w.key("resource_id"), w.value(f.resource_id);
        w.key("title"), w.value(f.title);
        w.key("threats");
        w.begin_array();
        for (const std::string& t : f.threats) w.value(t);
        w.end_array();
        w.key("scope");
        w.begin_array();
        for (const std::string& s : f.scope) w.value(s);
        w.end_array();
        w.key("exception_id");
        if (f.exception_id)
          w.value(*f.exception_id);
        else
          w.null();
        w.key("first_seen"), w.value(store::format_time(f.first_seen));
        w.key("last_seen"), w.value(store::format_time(f.last_seen));
        w.key("resolved_at");
        if (f.resolved_at)
          w.value(store::format_time(*f.resolved_at));
        else
          w.null();
        w.key("first_run"), w.value(f.first_run);
        w.key("last_run"), w.value(f.last_run);
        w.end_object();
      }
      w.end_array();
      w.end_object();
      std::cout << w.take() << '\n';
      return kExitOk;
    }
    TextTable t{
        {"ID", "STATE", "SEVERITY", "RULE", "RESOURCE", "FIRST SEEN", "LAST SEEN", "RESOLVED", "FINGERPRINT"},
        {}};
    for (const store::FindingState& f : *list) {
      t.rows.push_back({std::to_string(f.id), f.state, f.severity, f.rule_id,
                        f.resource_type + "." + f.resource_id, store::format_time(f.first_seen),
                        store::format_time(f.last_seen), time_or_dash(f.resolved_at), f.fingerprint});
    }
    std::cout << t.render(args.format);
    return kExitOk;
  }
  auto runs = db->list_runs(since);
  if (!runs.ok()) return report_store_error(runs.error());
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("runs");
    w.begin_array();
    for (const store::RunRecord& r : *runs) {
      w.begin_object();
      w.key("id"), w.value(r.id);
      w.key("kind"), w.value(r.kind);
      w.key("status"), w.value(r.status);
      w.key("started_at"), w.value(store::format_time(r.started_at));
      w.key("finished_at");
      if (r.finished_at)
        w.value(store::format_time(*r.finished_at));
      else
        w.null();
      w.key("tool_version"), w.value(r.tool_version);
      w.key("rule_pack_version"), w.value(r.rule_pack_version);
      w.key("rule_pack_hash"), w.value(r.rule_pack_hash);
      w.key("scope");
      w.begin_array();
      for (const std::string& s : r.scope) w.value(s);
      w.end_array();
      w.key("inputs"), w.value(r.inputs);
      w.key("findings"), w.value(r.findings);
      w.key("new"), w.value(r.new_findings);
      w.key("reopened"), w.value(r.reopened);
      w.key("resolved"), w.value(r.resolved);
      w.key("suppressed"), w.value(r.suppressed);
      w.key("alerts"), w.value(r.alerts);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"RUN", "KIND", "STATUS", "STARTED", "FINDINGS", "NEW", "REOPENED", "RESOLVED", "SUPPRESSED",
               "ALERTS", "SCOPE"},
              {}};
  for (const store::RunRecord& r : *runs) {
    t.rows.push_back({std::to_string(r.id), r.kind, r.status, store::format_time(r.started_at),
                      std::to_string(r.findings), std::to_string(r.new_findings), std::to_string(r.reopened),
                      std::to_string(r.resolved), std::to_string(r.suppressed), std::to_string(r.alerts),
                      join_list(r.scope, " ")});
  }
  std::cout << t.render(args.format);
  return kExitOk;
}

struct MetricsArgs {
  std::string store;
  std::string since;
  std::string format = "table";
};

// Whole milliseconds as integers, fractions as decimals (never "6e+05").
void ms_value(core::JsonWriter& w, double ms) {
  double whole = std::floor(ms);
  if (whole == ms && std::fabs(ms) < 9e15) {
    w.value(static_cast<int64_t>(ms));
  } else {
    w.value(std::round(ms * 1000) / 1000);
  }
}

void stats_json(core::JsonWriter& w, const char* key, const store::Stats& s) {
  w.key(key);
  w.begin_object();
  w.key("count"), w.value(s.count);
  w.key("mean_ms"), ms_value(w, s.mean_ms);
  w.key("median_ms"), ms_value(w, s.median_ms);
  w.key("p90_ms"), w.value(s.p90_ms);
  w.key("min_ms"), w.value(s.min_ms);
  w.key("max_ms"), w.value(s.max_ms);
  w.end_object();
}

int run_metrics(const MetricsArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  std::optional<int64_t> since;
  if (!parse_since(args.since, since)) return kExitUsage;
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto data = db->metrics_data(since);
  if (!data.ok()) return report_store_error(data.error());
  store::Stats ttd = store::summarize(data->detect_ms);
  store::Stats ttr = store::summarize(data->respond_ms);
  store::Stats ttm = store::summarize(data->remediate_ms);
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("since");
    if (since)
      w.value(store::format_time(*since));
    else
      w.null();
    stats_json(w, "time_to_detect", ttd);
    stats_json(w, "time_to_respond", ttr);
    stats_json(w, "time_to_remediate", ttm);
    w.key("open_findings");
    w.begin_array();
    for (const store::RunCounts& r : data->runs) {
      w.begin_object();
      w.key("run"), w.value(r.run_id);
      w.key("time"), w.value(store::format_time(r.started_at));
      w.key("by_severity");
      w.begin_object();
      for (const auto& [k, v] : r.by_severity) w.key(k), w.value(v);
      w.end_object();
      w.key("by_threat");
      w.begin_object();
      for (const auto& [k, v] : r.by_threat) w.key(k), w.value(v);
      w.end_object();
      w.end_object();
    }
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  auto num = [](double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return std::string(buf);
  };
  TextTable m{{"METRIC", "COUNT", "MEAN", "MEDIAN", "P90"}, {}};
  auto row = [&](const char* name, const store::Stats& s) {
    if (args.format == "csv") {
      m.rows.push_back(
          {name, std::to_string(s.count), num(s.mean_ms), num(s.median_ms), std::to_string(s.p90_ms)});
    } else if (s.count == 0) {
      m.rows.push_back({name, "0", "-", "-", "-"});
    } else {
      m.rows.push_back({name, std::to_string(s.count), human_duration(s.mean_ms), human_duration(s.median_ms),
                        human_duration(static_cast<double>(s.p90_ms))});
    }
  };
  if (args.format == "csv") m.header = {"metric", "count", "mean_ms", "median_ms", "p90_ms"};
  row("time to detect", ttd);
  row("time to respond", ttr);
  row("time to remediate", ttm);
  std::cout << m.render(args.format) << '\n';
  TextTable o{{"RUN", "TIME", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "BY THREAT"}, {}};
  if (args.format == "csv")
    o.header = {"run", "time", "critical", "high", "medium", "low", "info", "by_threat"};
  for (const store::RunCounts& r : data->runs) {
    std::vector<std::string> cells{std::to_string(r.run_id), store::format_time(r.started_at)};
    for (size_t i = 0; i < 5 && i < r.by_severity.size(); ++i)
      cells.push_back(std::to_string(r.by_severity[i].second));
    std::string threats;
    for (const auto& [k, v] : r.by_threat)
      threats += (threats.empty() ? "" : " ") + k + ":" + std::to_string(v);
    cells.push_back(threats.empty() ? "-" : threats);
    o.rows.push_back(std::move(cells));
  }
  if (args.format == "table") std::cout << "Open findings per scan run:\n";
  std::cout << o.render(args.format);
  return kExitOk;
}

}  // namespace

void add_history_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<HistoryArgs>();
  CLI::App* cmd = add_store_subcommand(&app, "history",
                                       "Recorded scan, detect and watch runs, or the findings' lifecycle",
                                       args, run, run_history);
  cmd->add_option("--since", args->since,
                  "Only runs started (findings seen) on or after DATE or RFC 3339 time");
  cmd->add_option("--format", args->format, "Output: table (default), json, csv");
  cmd->add_flag("--findings", args->findings, "List findings with their state instead of runs");
  cmd->add_option("--state", args->state,
                  "Only findings in STATE: new, open, resolved, reopened, suppressed");
  cmd->footer(
      "A finding is new the first time a scan of a scope reports it, open while later scans\n"
      "report it, resolved when a complete scan of the same scope no longer does, reopened when\n"
      "it comes back, suppressed while an exception covers it (docs/formats/database.md).\n"
      "Example: sekimori history --findings --state open --format json");

  auto margs = std::make_shared<MetricsArgs>();
  CLI::App* m = add_store_subcommand(&app, "metrics",
                                     "Time to detect, respond and remediate; open findings per scan run",
                                     margs, run, run_metrics);
  m->add_option("--since", margs->since, "Only alerts raised, resolutions and runs on or after DATE or time");
  m->add_option("--format", margs->format, "Output: table (default), json, csv");
  m->footer(
      "time to detect: event time -> alert raised; time to respond: alert raised -> first\n"
      "acknowledged or closed; time to remediate: finding first seen (or reopened) -> resolved.\n"
      "Mean, median and p90 (nearest rank) with counts. Example: sekimori metrics --since 2026-01-01");
}

}  // namespace sekimori::cli
