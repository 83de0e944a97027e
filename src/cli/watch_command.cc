// `sekimori watch` — follows CloudTrail files as they grow and appear, and acts on alerts.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/diagnostics.h"
#include "detect/alert.h"
#include "detect/correlator.h"
#include "detect/engine.h"
#include "detect/follow.h"
#include "detect/hunt.h"
#include "detect/sigma.h"
#include "detect/webhook.h"

namespace sekimori::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop = true; }

struct WatchArgs {
  std::vector<std::string> rules;
  std::vector<std::string> inputs;
  std::vector<std::string> actions;
  double interval = 1.0;
  bool once = false;
  // how far back in time a poll's matches may all lie before correlation starts again
  // (add_reorder_window_option(), as detect's reorder window)
  std::string reorder_window = "1h";
  bool from_end = false;
  bool skip_invalid = false;
  std::string store;  // history database (store_support.h)
  std::string spool;  // webhook spool directory
  std::vector<std::string> webhook_headers;      // "Name: value"
  std::vector<std::string> webhook_header_envs;  // "Name=ENVVAR"
  int webhook_retries = 5;                       // attempts per round
  int64_t webhook_backoff_ms = 500;              // first retry delay (doubled, capped)
  int64_t webhook_timeout_ms = 10000;            // connect, read and write, each
};

// The extra webhook headers of --webhook-header and --webhook-header-env; false (after
// printing why) when one is malformed or names an unset variable.
bool webhook_headers(const WatchArgs& args, std::vector<std::pair<std::string, std::string>>& out) {
  for (const std::string& h : args.webhook_headers) {
    auto parsed = detect::parse_webhook_header(h);
    if (!parsed.ok()) {
      std::cerr << "error: --webhook-header: " << parsed.error().message << " [" << parsed.error().code << "]\n";
      return false;
    }
    out.push_back(std::move(parsed).value());
  }
  for (const std::string& h : args.webhook_header_envs) {
    size_t eq = h.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == h.size()) {
      std::cerr << "error: --webhook-header-env expects NAME=ENVVAR, got '" << h << "'\n";
      return false;
    }
    std::string name = h.substr(0, eq), var = h.substr(eq + 1);
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) {
      std::cerr << "error: --webhook-header-env " << name << ": environment variable " << var << " is not set\n";
      return false;
    }
    core::Status ok = detect::check_webhook_header(name, value);
    if (!ok.ok()) {
      std::cerr << "error: --webhook-header-env: " << ok.error().message << " [" << ok.error().code << "]\n";
      return false;
    }
    out.emplace_back(name, value);
  }
  return true;
}

struct Action {
  enum Kind { kStdout, kJsonl, kExec, kWebhook } kind;
  std::string arg;
  detect::WebhookSender* webhook = nullptr;  // kWebhook
};

class Actor {
 public:
  explicit Actor(std::vector<Action> actions) : actions_(std::move(actions)) {}
  // Alerts are also recorded in the history store (watch --store).
  void set_recorder(AlertRecorder* recorder) { recorder_ = recorder; }

  void fire(const detect::Alert& a) {
    if (recorder_) {
      recorder_->add(a, std::nullopt);
      recorder_->flush();
    }
    std::string line = detect::alert_json(a);
    for (const Action& act : actions_) {
      switch (act.kind) {
        case Action::kStdout:
          std::cout << line << '\n' << std::flush;
          break;
        case Action::kJsonl: {
          std::ofstream out(act.arg, std::ios::app | std::ios::binary);
          out << line << '\n';
          if (!out) std::cerr << "warning: cannot append to " << act.arg << '\n';
          break;
        }
        case Action::kExec: {
          // the alert is the command's standard input (event-driven response)
          FILE* p = ::popen(act.arg.c_str(), "w");
          if (!p) {
            std::cerr << "warning: cannot run '" << act.arg << "'\n";
            break;
          }
          std::fwrite(line.data(), 1, line.size(), p);
          std::fputc('\n', p);
          int rc = ::pclose(p);
          if (rc != 0) std::cerr << "warning: '" << act.arg << "' exited with status " << rc << '\n';
          break;
        }
        case Action::kWebhook:
          // spooled now, posted by the sender's worker thread (detect/webhook.h)
          act.webhook->submit(line);
          break;
      }
    }
  }

 private:
  std::vector<Action> actions_;
  AlertRecorder* recorder_ = nullptr;
};

class WatchSink : public detect::FollowSink {
 public:
  WatchSink(const detect::Engine& e, Actor& actor) : engine_(e), actor_(actor), scratch_(e) {}

  void begin_file(const std::string& path) override { file_ = path; }
  void file_error(const std::string& path, const core::Error& error) override {
    // "file:@offset:" as `detect` reports input problems, when the reader knows where it stopped
    std::cerr << path;
    if (error.location) std::cerr << ":@" << error.location->offset;
    std::cerr << ": error: " << error.message << " [" << error.code << "]\n";
  }
  void record(simdjson::dom::element rec, uint64_t offset, uint64_t index) override {
    record_with_text(rec, {}, offset, index);
  }
  void record_with_text(simdjson::dom::element rec, detect::RecordText text, uint64_t offset,
                        uint64_t index) override {
    engine_.match(rec, text.json, scratch_, hits_);
    for (uint32_t rule : hits_) {
      if (engine_.rule(rule).standalone) actor_.fire(detect::make_alert(engine_, rule, rec, text, file_, offset, index));
      const auto& feeds = engine_.feeds(rule);
      if (feeds.empty()) continue;
      detect::fill_alert_view(alert_, room_, engine_, rule, rec, text, scratch_, file_, offset, index);
      if (!alert_.has_time) {
        ++untimed;  // reported by the poll's drain
        continue;
      }
      if (!shared_file_ || *shared_file_ != file_) shared_file_ = std::make_shared<const std::string>(file_);
      detect::MatchedEvent base = detect::MatchedEvent::from_alert(alert_, shared_file_);
      for (const detect::CorrelationFeed& f : feeds) {
        pending.push_back(detect::make_correlation_input(f, rec, scratch_, base));
      }
    }
  }
  void malformed(uint64_t offset, std::string_view message) override {
    std::cerr << file_ << ":@" << offset << ": warning: " << message << " [detect.record.malformed]\n";
  }

  std::vector<detect::CorrelationInput> pending;
  uint64_t untimed = 0;  // matches of rules that feed correlations, without eventTime

 private:
  const detect::Engine& engine_;
  Actor& actor_;
  detect::MatchScratch scratch_;
  std::string file_;
  std::shared_ptr<const std::string> shared_file_;  // file_, shared by its correlation inputs
  detect::AlertView alert_;                         // of the record's correlation inputs
  detect::AlertViewText room_;
  std::vector<uint32_t> hits_;
};

// Beside the default history database (.sekimori/), or $SEKIMORI_SPOOL.
std::string default_spool_dir() {
  if (const char* env = std::getenv("SEKIMORI_SPOOL"); env != nullptr && *env != '\0') return env;
  return (std::filesystem::path(kDefaultStorePath).parent_path() / "spool").string();
}

int run_watch(const WatchArgs& args) {
  std::vector<Action> actions;
  for (const std::string& a : args.actions) {
    if (a == "stdout") actions.push_back({Action::kStdout, {}});
    else if (a.rfind("jsonl:", 0) == 0 && a.size() > 6) actions.push_back({Action::kJsonl, a.substr(6)});
    else if (a.rfind("exec:", 0) == 0 && a.size() > 5) actions.push_back({Action::kExec, a.substr(5)});
    else if (a.rfind("webhook:", 0) == 0 && a.size() > 8) actions.push_back({Action::kWebhook, a.substr(8)});
    else {
      std::cerr << "error: unknown action '" << a << "' (stdout, jsonl:FILE, exec:COMMAND, webhook:URL)\n";
      return kExitUsage;
    }
  }
  if (actions.empty()) actions.push_back({Action::kStdout, {}});
  std::vector<std::unique_ptr<detect::WebhookSender>> senders;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!webhook_headers(args, headers)) return kExitUsage;
  if (args.webhook_retries < 1 || args.webhook_backoff_ms < 0 || args.webhook_timeout_ms < 1) {
    std::cerr << "error: --webhook-retries and --webhook-timeout-ms must be at least 1, --webhook-backoff-ms "
                 "at least 0\n";
    return kExitUsage;
  }
  size_t webhooks = std::count_if(actions.begin(), actions.end(), [](const Action& x) { return x.kind == Action::kWebhook; });
  for (Action& act : actions) {
    if (act.kind != Action::kWebhook) continue;
    detect::WebhookOptions opt;
    opt.url = act.arg;
    opt.headers = headers;
    opt.attempts_per_round = args.webhook_retries;
    opt.initial_backoff = std::chrono::milliseconds(args.webhook_backoff_ms);
    opt.max_backoff = std::max(opt.max_backoff, opt.initial_backoff);
    opt.timeout = std::chrono::milliseconds(args.webhook_timeout_ms);
    // one spool per endpoint when there are several
    opt.spool_dir = args.spool.empty() ? default_spool_dir() : args.spool;
    if (webhooks > 1) opt.spool_dir += "/" + std::to_string(senders.size() + 1);
    // one write per line: the worker thread warns while the main thread may print too
    opt.warn = [](const std::string& m) { std::cerr << ("warning: " + m + " [watch.webhook]\n"); };
    auto sender = detect::WebhookSender::open(std::move(opt));
    if (!sender.ok()) {
      std::cerr << "error: " << sender.error().to_string() << '\n';
      return kExitUsage;
    }
    act.webhook = sender->get();
    senders.push_back(std::move(*sender));
  }

  core::Diagnostics diags;
  detect::RuleSet set;
  for (const std::string& p : args.rules) set.add_path(p, diags);
  auto engine = detect::Engine::build(set, {}, diags);
  if (!diags.empty()) std::cerr << diags.to_text();
  if (!engine.ok() || (diags.has_errors() && !args.skip_invalid) || engine->detection_count() == 0) {
    std::cerr << "error: no usable rules (fix the problems above or pass --skip-invalid-rules)\n";
    return kExitUsage;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  Actor actor(actions);
  std::vector<std::string> scope;
  for (const std::string& in : args.inputs) {
    std::error_code sec;
    scope.push_back(std::filesystem::absolute(in, sec).lexically_normal().string());
  }
  bool store_failed = false;
  auto started = now_ms("");
  auto recorder = AlertRecorder::open(args.store, "watch", scope, *started, store_failed);
  if (store_failed) return kExitUsage;
  actor.set_recorder(recorder.get());
  WatchSink sink(*engine, actor);
  detect::Follower follower(args.inputs, {}, args.from_end);
  detect::Correlator correlator(*engine);
  std::vector<detect::Alert> out;
  int64_t correlated = INT64_MIN;  // the latest event time correlated since the last restart
  const int64_t restart_after =
      detect::parse_timespan_ms(args.reorder_window).value_or(detect::HuntOptions{}.reorder_window_ms);
  auto drain = [&] {
    if (sink.untimed > 0) {
      std::cerr << "warning: " << sink.untimed
                << " match(es) of rules that feed correlations have no parseable eventTime and were not "
                   "correlated [detect.correlation.untimed]\n";
      sink.untimed = 0;
    }
    // correlation inputs of one poll are put in event-time order before they are fed
    std::stable_sort(sink.pending.begin(), sink.pending.end(),
                     [](const auto& a, const auto& b) { return a.time_ms < b.time_ms; });
    if (sink.pending.empty()) return;
    // a poll whose matches all lie more than the reorder window before what has been
    // correlated (old logs copied in, another account's): start the correlation again, as
    // hunt() does
    if (correlated != INT64_MIN && sink.pending.back().time_ms < correlated - restart_after) {
      correlator.restart(out);
      for (const detect::Alert& a : out) actor.fire(a);
      out.clear();
      correlated = INT64_MIN;
      std::cerr << "warning: the matches read went back in time by more than the reorder window ("
                << args.reorder_window
                << "); correlation windows were closed and correlation started again "
                   "[detect.correlation.restart]\n";
    }
    correlated = std::max(correlated, sink.pending.back().time_ms);
    for (detect::CorrelationInput& in : sink.pending) {
      correlator.add(std::move(in), out);
      for (const detect::Alert& a : out) actor.fire(a);
      out.clear();
    }
    sink.pending.clear();
  };
  while (!g_stop) {
    follower.poll(sink);
    drain();
    if (args.once) {
      // a file seen for the first time is read once its size is stable: poll again
      follower.poll(sink);
      drain();
      break;
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(args.interval);
    while (!g_stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  correlator.finish(out);
  for (const detect::Alert& a : out) actor.fire(a);
  for (const auto& sender : senders) {
    // --once: give the endpoint the time of one delivery round before exiting; what is
    // not delivered stays in the spool for the next run. Otherwise (stopped by a signal)
    // a short grace period only.
    auto grace = args.once ? std::chrono::minutes(2) : std::chrono::milliseconds(2000);
    if (!sender->wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(grace))) {
      std::cerr << ("warning: " + std::to_string(sender->stats().pending) + " alert(s) not delivered yet; kept in " +
                    sender->spool_dir() + " for the next run [watch.webhook]\n");
    }
  }
  if (recorder && !recorder->finish(*now_ms(""))) return kExitUsage;
  return kExitOk;
}

}  // namespace

void add_watch_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* cmd = app.add_subcommand("watch", "Follow CloudTrail files as they grow and appear; act on alerts");
  cmd->add_option("-r,--rules", args->rules, "Sigma rule file or directory (repeatable)")->required();
  cmd->add_option("-i,--input", args->inputs, "File or directory to follow (repeatable)")->required();
  cmd->add_option("-a,--action", args->actions,
                  "stdout (default), jsonl:FILE (append), exec:COMMAND (the alert JSON on its stdin), "
                  "webhook:URL (POST, retried, spooled while the endpoint is down); repeatable");
  cmd->add_option("--spool", args->spool,
                  "Directory where webhook alerts wait until delivered (default .sekimori/spool, or $SEKIMORI_SPOOL)");
  cmd->add_option("--webhook-header", args->webhook_headers,
                  "Extra request header for webhook actions, 'Name: value' (repeatable; e.g. authentication)");
  cmd->add_option("--webhook-header-env", args->webhook_header_envs,
                  "Extra webhook header whose value is read from an environment variable: Name=ENVVAR "
                  "(repeatable; keeps secrets off the command line)");
  cmd->add_option("--webhook-retries", args->webhook_retries,
                  "Attempts per delivery round before the alert waits in the spool (default 5)");
  cmd->add_option("--webhook-backoff-ms", args->webhook_backoff_ms,
                  "Delay before the first retry, doubled after each (capped at 8 s or this value; default 500)");
  cmd->add_option("--webhook-timeout-ms", args->webhook_timeout_ms,
                  "Connect, read and write timeout of each webhook request (default 10000)");
  cmd->add_option("--interval", args->interval, "Seconds between polls (default 1)");
  cmd->add_flag("--once", args->once, "Read what is there now, then exit");
  cmd->add_flag("--from-end", args->from_end, "Ignore what the files hold at start; only follow new data");
  cmd->add_flag("--skip-invalid-rules", args->skip_invalid, "Run with the rules that compile when others have errors");
  add_reorder_window_option(cmd, args->reorder_window);
  add_store_option(cmd, args->store, true);
  cmd->footer(
      "JSON-lines files are followed as they grow (like tail -F); CloudTrail objects ({\"Records\"},\n"
      ".json.gz) are read once when they appear. Correlation state is kept across polls; a poll\n"
      "whose matches all lie more than --reorder-window before it starts correlation again.\n"
      "webhook:URL alerts are written to the spool first and removed once the endpoint answers\n"
      "2xx; undelivered ones are sent, in order, by the next run (at-least-once; docs/watch.md).\n"
      "Exit codes: 0 stopped (SIGINT/SIGTERM or --once); 2 bad usage or rules with errors.\n"
      "Example: sekimori watch -r detections -i /var/log/cloudtrail -a jsonl:alerts.jsonl");
  cmd->callback([args, &run] { run = [args] { return run_watch(*args); }; });
}

}  // namespace sekimori::cli
