// `sekimori detect` — hunts over CloudTrail logs with Sigma rules.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "cli/version.h"
#include "core/diagnostics.h"
#include "detect/alert.h"
#include "detect/builtin.h"
#include "detect/engine.h"
#include "detect/hunt.h"
#include "detect/sigma.h"
#include "detect/source.h"

namespace sekimori::cli {

namespace {

struct DetectArgs {
  std::vector<std::string> rules;
  bool no_builtin = false;
  std::string format = "table";
  std::string output;
  std::vector<std::string> inputs;
  std::vector<std::string> placeholders;
  bool fail_on_alert = false;
  bool skip_invalid = false;
  bool quiet = false;
  unsigned threads = 0;
  std::string reorder_window = "1h";  // add_reorder_window_option()
  std::string store;  // history database (store_support.h)
  std::string now;    // alert time to record (RFC 3339)
};

// Appends `s` left-aligned in a column of `width` bytes and the space after it; with `cut`,
// a longer `s` is cut to the width (at a UTF-8 character boundary), else it widens the column.
void append_cell(std::string& out, std::string_view s, size_t width, bool cut) {
  if (cut && s.size() > width) {
    size_t n = width;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;  // not inside a character
    s = s.substr(0, n);
  }
  out.append(s);
  if (s.size() < width) out.append(width - s.size(), ' ');
  out += ' ';
}

// Writes alerts in the chosen format. Alerts of single-event rules are rendered on hunt()'s
// worker threads (render(), const and thread-safe) and arrive as one buffer per file
// (rendered()); correlation alerts come one by one (alert()). Counts are kept by rule index.
class Writer : public detect::AlertSink {
 public:
  Writer(const detect::Engine& engine, std::ostream& out, std::string format)
      : engine_(engine), out_(out), format_(std::move(format)), json_(engine), per_rule_(engine.rule_count(), 0) {}

  [[nodiscard]] bool render_on_workers() const override { return true; }

  void render(const detect::AlertView& a, std::string& out, std::vector<size_t>* record_at) const override {
    if (format_ == "json") {
      json_.append(a, out, record_at);
      out += '\n';
    } else if (format_ == "ocsf") {
      size_t at = 0;
      std::string ocsf = detect::alert_ocsf(a, SEKIMORI_VERSION, &at);
      if (record_at != nullptr) record_at->push_back(out.size() + at);
      out += ocsf;
      out += '\n';
    } else {  // the table does not show a.record
      // TIME LEVEL RULE ACCOUNT SOURCE EVENT PRINCIPAL: the rule's title and the event are
      // cut to their columns; the other values are never cut (the principal is last)
      std::string what = a.correlation()
                             ? a.full->correlation_type + " x" + std::to_string(a.full->event_count)
                             : std::string(a.event_name.empty() ? "-" : a.event_name);
      auto or_dash = [](std::string_view s) { return s.empty() ? std::string_view("-") : s; };
      append_cell(out, or_dash(a.event_time), 24, false);
      append_cell(out, a.meta->level, 8, false);
      append_cell(out, a.meta->title, 48, true);
      append_cell(out, or_dash(a.account), 14, false);
      append_cell(out, or_dash(a.source_ip), 16, false);
      append_cell(out, what, 28, true);
      out.append(or_dash(a.principal));
      out += '\n';
    }
  }

  void rendered(std::string_view text, const std::vector<uint32_t>& rules) override {
    if (rules.empty()) return;
    if (count_ == 0) header();
    count_ += rules.size();
    for (uint32_t r : rules) ++per_rule_[r];
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }

  void alert(const detect::Alert& a) override {
    if (count_ == 0) header();
    ++count_;
    if (a.rule < per_rule_.size()) ++per_rule_[a.rule];
    buf_.clear();
    render(a, buf_, nullptr);
    out_ << buf_;
  }

  void summary() {
    if (format_ != "table") return;
    if (count_ == 0) {
      out_ << "No alerts.\n";
      return;
    }
    // rules listed by title, level, id (as before counting by index)
    std::map<std::string, uint64_t> by_key;
    for (uint32_t r = 0; r < per_rule_.size(); ++r) {
      if (per_rule_[r] == 0) continue;
      const detect::RuleMeta& m = engine_.rule(r);
      by_key[m.title + "\x1f" + m.level + "\x1f" + m.id] += per_rule_[r];
    }
    out_ << "\n" << count_ << " alert" << (count_ == 1 ? "" : "s") << " from " << by_key.size() << " rule"
         << (by_key.size() == 1 ? "" : "s") << ":\n";
    for (const auto& [k, n] : by_key) {
      size_t a = k.find('\x1f'), b = k.find('\x1f', a + 1);
      std::string count = std::to_string(n);
      std::string line = "  " + std::string(count.size() < 6 ? 6 - count.size() : 0, ' ') + count + "  ";
      append_cell(line, std::string_view(k).substr(a + 1, b - a - 1), 8, false);
      line.append(k, 0, a).append("  (").append(k, b + 1).append(")\n");
      out_ << line;
    }
  }

  [[nodiscard]] uint64_t count() const { return count_; }

 private:
  void header() {
    if (format_ != "table") return;
    char head[512];
    std::snprintf(head, sizeof head, "%-24s %-8s %-48s %-14s %-16s %-28s %s\n", "TIME", "LEVEL", "RULE", "ACCOUNT",
                  "SOURCE IP", "EVENT", "PRINCIPAL");
    out_ << head;
  }

  const detect::Engine& engine_;
  std::ostream& out_;
  std::string format_;
  detect::AlertJsonRenderer json_;
  uint64_t count_ = 0;
  std::vector<uint64_t> per_rule_;  // by rule index
  std::string buf_;
};

int run_detect(const DetectArgs& args) {
  core::Diagnostics diags;
  detect::RuleSet set;
  // the bundled detections are embedded in the binary; $SEKIMORI_DETECTIONS overrides them
  size_t builtin = args.no_builtin ? 0 : detect::add_builtin_detections(set, diags);
  if (args.rules.empty() && builtin == 0) {
    std::cerr << "error: no rules: give --rules PATH (this build has no bundled detections)\n";
    return kExitUsage;
  }
  for (const std::string& p : args.rules) set.add_path(p, diags);
  detect::EngineOptions eo;
  for (const std::string& ph : args.placeholders) {
    size_t eq = ph.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --placeholder expects NAME=VALUE, got '" << ph << "'\n";
      return kExitUsage;
    }
    eo.placeholders[ph.substr(0, eq)].push_back(ph.substr(eq + 1));
  }
  auto engine = detect::Engine::build(set, eo, diags);
  if (!diags.empty()) std::cerr << diags.to_text();
  if (!engine.ok()) {
    std::cerr << "error: " << engine.error().to_string() << '\n';
    return kExitUsage;
  }
  if (diags.has_errors() && !args.skip_invalid) {
    std::cerr << "error: " << diags.count(core::Severity::kError)
              << " problem(s) in the rules; fix them or pass --skip-invalid-rules\n";
    return kExitUsage;
  }
  if (engine->detection_count() == 0) {
    std::cerr << "error: no usable detection rules\n";
    return kExitUsage;
  }
  auto files = detect::expand_inputs(args.inputs);
  if (!files.ok()) {
    std::cerr << "error: " << files.error().message << '\n';
    return kExitUsage;
  }

  std::ofstream file_out;
  std::ostream* out = &std::cout;
  if (!args.output.empty() && args.output != "-") {
    file_out.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file_out) {
      std::cerr << "error: cannot write " << args.output << '\n';
      return kExitUsage;
    }
    out = &file_out;
  }
  Writer writer(*engine, *out, args.format);
  auto alert_time = now_ms(args.now);
  if (!alert_time) return kExitUsage;
  std::vector<std::string> scope;
  for (const std::string& in : args.inputs) {
    std::error_code sec;
    scope.push_back(in == "-" ? in : std::filesystem::absolute(in, sec).lexically_normal().string());
  }
  bool store_failed = false;
  auto recorder = AlertRecorder::open(args.store, "detect", scope, *alert_time, store_failed);
  if (store_failed) return kExitUsage;
  RecordingSink sink(writer, recorder.get(),
                     args.now.empty() ? std::nullopt : std::optional<int64_t>(*alert_time));

  detect::HuntOptions ho;
  ho.threads = args.threads;
  ho.reorder_window_ms = detect::parse_timespan_ms(args.reorder_window).value_or(ho.reorder_window_ms);
  bool tty = isatty(STDERR_FILENO) && !args.quiet;
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  if (tty) {
    ho.progress = [&](uint64_t done, uint64_t total, uint64_t bytes) {
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(200) && done != total) return;
      last = now;
      double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "\r%llu/%llu files, %.1f MB, %.1f MB/s   ", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total), static_cast<double>(bytes) / 1e6,
                   secs > 0 ? static_cast<double>(bytes) / 1e6 / secs : 0.0);
    };
  }
  detect::HuntStats st = detect::hunt(*engine, *files, ho, sink);
  if (recorder && !recorder->finish(*alert_time + static_cast<int64_t>(std::chrono::duration<double, std::milli>(
                                                      std::chrono::steady_clock::now() - start).count()))) {
    return kExitUsage;
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
  writer.summary();
  out->flush();

  for (const detect::InputProblem& p : st.problems) {
    std::cerr << p.file << ":@" << p.offset << ": " << (p.code == "detect.record.malformed" ? "warning" : "error")
              << ": " << p.message << " [" << p.code << "]\n";
  }
  if (st.problems_dropped) std::cerr << "... and " << st.problems_dropped << " more input problems\n";
  // matches that correlation rules could not take as they came: counted, never dropped silently
  if (st.untimed > 0) {
    std::cerr
        << "warning: " << st.untimed
        << " match(es) of rules that feed correlations have no parseable eventTime and were not correlated "
           "[detect.correlation.untimed]\n";
  }
  if (st.late > 0) {
    std::cerr << "warning: " << st.late
              << " match(es) of rules that feed correlations came more than the reorder window ("
              << args.reorder_window
              << ") out of time order and were correlated late (a longer --reorder-window holds them) "
                 "[detect.correlation.late]\n";
  }
  if (st.correlation_restarts > 0) {
    std::cerr << "warning: the input went back in time by more than the reorder window ("
              << args.reorder_window << ") " << st.correlation_restarts
              << " time(s) (logs of several accounts or trails one after another, or the same logs twice): "
                 "correlation windows were closed and correlation started again each time "
                 "[detect.correlation.restart]\n";
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.quiet) {
    // the correlation state, bounded by the timespans (shown when there are correlations)
    std::string correlation_state;
    if (!engine->correlations().empty()) {
      correlation_state = " (" + std::to_string(st.correlation_inputs - st.untimed) +
                          " match(es) fed to them, at most " + std::to_string(st.peak_correlation_state) +
                          " held at once)";
    }
    std::fprintf(
        stderr,
        "%llu file(s), %llu record(s), %llu malformed, %llu alert(s); %zu rule(s) (%zu indexed, %zu gated, "
        "%zu prefiltered), %zu correlation(s)%s; %llu rule evaluation(s), %llu skipped by the prefilter; "
        "%.2f s\n",
        static_cast<unsigned long long>(st.files), static_cast<unsigned long long>(st.records),
        static_cast<unsigned long long>(st.malformed), static_cast<unsigned long long>(st.alerts),
        engine->detection_count(), engine->indexed_count(), engine->prefix_indexed_count(),
        engine->prefiltered_count(), engine->correlations().size(), correlation_state.c_str(),
        static_cast<unsigned long long>(st.match.evaluated),
        static_cast<unsigned long long>(st.match.skipped), secs);
  }
  if (st.files_failed > 0) return kExitUsage;
  if (args.fail_on_alert && st.alerts > 0) return kExitFailed;
  return kExitOk;
}

}  // namespace

CLI::Option* add_reorder_window_option(CLI::App* cmd, std::string& window) {
  auto valid = [](std::string& v) {
    return detect::parse_timespan_ms(v) ? std::string() : "not a duration (such as 30m, 1h, 2d): " + v;
  };
  return cmd
      ->add_option("--reorder-window", window,
                   "How far out of event-time order matches may come for correlation rules (30m, 1h, 2d)")
      ->check(CLI::Validator(valid, "DURATION"))
      ->capture_default_str();
}

void add_detect_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand("detect", "Hunt: run Sigma rules (incl. correlations) over CloudTrail logs");
  cmd->add_option("inputs", args->inputs,
                  "CloudTrail files ({\"Records\":[...]}, JSON arrays, JSON lines, .gz), directories "
                  "(recursive) or '-' for standard input")
      ->required();
  cmd->add_option("-r,--rules", args->rules, "Sigma rule file or directory (repeatable)");
  cmd->add_flag("--no-builtin-rules", args->no_builtin, "Do not load the bundled detections");
  cmd->add_option("-f,--format", args->format, "Output: table (default), json (JSON lines), ocsf (OCSF 1.1.0 "
                                               "Detection Finding lines)")
      ->check(CLI::IsMember({"table", "json", "ocsf"}));
  cmd->add_option("-o,--output", args->output, "Write alerts to FILE instead of standard output");
  cmd->add_option("--placeholder", args->placeholders, "Value for an 'expand' placeholder: NAME=VALUE (repeatable)");
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: one per core)");
  cmd->add_flag("--fail-on-alert", args->fail_on_alert, "Exit with 1 when any alert was raised");
  cmd->add_flag("--skip-invalid-rules", args->skip_invalid, "Run with the rules that compile when others have errors");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress and no summary on standard error");
  add_reorder_window_option(cmd, args->reorder_window);
  add_store_option(cmd, args->store, true);
  cmd->add_option("--now", args->now, "Time the alerts are raised at (RFC 3339), for reproducible records")->group("");
  cmd->footer(
      "Field names in rules are dotted paths into the CloudTrail record (userIdentity.arn); see\n"
      "docs/formats/sigma.md. Malformed records are skipped and reported with their byte offset.\n"
      "JSON lines of any size (plain, gzip or on standard input) are streamed in bounded memory\n"
      "and, when large, split between the threads; so are {\"Records\":[...]} and array documents\n"
      "larger than 8 MiB (one thread each). Other documents are read whole (up to 2 GiB).\n"
      "Correlation rules take matches in event-time order across files (reordered within\n"
      "--reorder-window, 1h by default; a longer one holds more matches in memory); where the\n"
      "input goes back further in time (another account's logs after a first one's),\n"
      "correlation starts again, with a warning.\n"
      "Exit codes: 0 the hunt ran (alerts or not); 1 alerts were raised and --fail-on-alert was\n"
      "given; 2 bad usage, rules with errors (unless --skip-invalid-rules) or an unreadable input.\n"
      "Example: sekimori detect --rules sigma/rules/cloud/aws --format json logs/ > alerts.jsonl");
  cmd->callback([args, &run] { run = [args] { return run_detect(*args); }; });
}

}  // namespace sekimori::cli
