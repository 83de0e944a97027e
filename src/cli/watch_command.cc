// `sekimori watch` — follows CloudTrail files as they grow and appear, and acts on alerts.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "core/diagnostics.h"
#include "detect/alert.h"
#include "detect/correlator.h"
#include "detect/engine.h"
#include "detect/follow.h"
#include "detect/sigma.h"

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
  bool from_end = false;
  bool skip_invalid = false;
};

struct Action {
  enum Kind { kStdout, kJsonl, kExec } kind;
  std::string arg;
};

class Actor {
 public:
  explicit Actor(std::vector<Action> actions) : actions_(std::move(actions)) {}

  void fire(const detect::Alert& a) {
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
      }
    }
  }

 private:
  std::vector<Action> actions_;
};

class WatchSink : public detect::FollowSink {
 public:
  WatchSink(const detect::Engine& e, Actor& actor) : engine_(e), actor_(actor) {}

  void begin_file(const std::string& path) override { file_ = path; }
  void file_error(const std::string& path, const core::Error& error) override {
    std::cerr << path << ": error: " << error.message << " [" << error.code << "]\n";
  }
  void record(simdjson::dom::element rec, uint64_t offset, uint64_t index) override {
    engine_.match(rec, hits_);
    for (uint32_t rule : hits_) {
      if (engine_.rule(rule).standalone) actor_.fire(detect::make_alert(engine_, rule, rec, file_, offset, index));
      for (const detect::CorrelationFeed& f : engine_.feeds(rule)) {
        detect::Alert base = detect::make_alert(engine_, rule, rec, file_, offset, index);
        if (!base.has_time) continue;
        pending.push_back(detect::make_correlation_input(f, rec, std::move(base)));
      }
    }
  }
  void malformed(uint64_t offset, std::string_view message) override {
    std::cerr << file_ << ":@" << offset << ": warning: " << message << " [detect.record.malformed]\n";
  }

  std::vector<detect::CorrelationInput> pending;

 private:
  const detect::Engine& engine_;
  Actor& actor_;
  std::string file_;
  std::vector<uint32_t> hits_;
};

int run_watch(const WatchArgs& args) {
  std::vector<Action> actions;
  for (const std::string& a : args.actions) {
    if (a == "stdout") actions.push_back({Action::kStdout, {}});
    else if (a.rfind("jsonl:", 0) == 0 && a.size() > 6) actions.push_back({Action::kJsonl, a.substr(6)});
    else if (a.rfind("exec:", 0) == 0 && a.size() > 5) actions.push_back({Action::kExec, a.substr(5)});
    else if (a.rfind("webhook:", 0) == 0) {
      std::cerr << "error: the webhook action is not available yet (use exec:'curl ...' meanwhile)\n";
      return kExitUsage;
    } else {
      std::cerr << "error: unknown action '" << a << "' (stdout, jsonl:FILE, exec:COMMAND)\n";
      return kExitUsage;
    }
  }
  if (actions.empty()) actions.push_back({Action::kStdout, {}});

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
  WatchSink sink(*engine, actor);
  detect::Follower follower(args.inputs, {}, args.from_end);
  detect::Correlator correlator(*engine);
  std::vector<detect::Alert> out;
  auto drain = [&] {
    // correlation inputs of one poll are put in event-time order before they are fed
    std::stable_sort(sink.pending.begin(), sink.pending.end(),
                     [](const auto& a, const auto& b) { return a.time_ms < b.time_ms; });
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
  return kExitOk;
}

}  // namespace

void add_watch_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* cmd = app.add_subcommand("watch", "Follow CloudTrail files as they grow and appear; act on alerts");
  cmd->add_option("-r,--rules", args->rules, "Sigma rule file or directory (repeatable)")->required();
  cmd->add_option("-i,--input", args->inputs, "File or directory to follow (repeatable)")->required();
  cmd->add_option("-a,--action", args->actions,
                  "stdout (default), jsonl:FILE (append), exec:COMMAND (the alert JSON on its stdin); repeatable");
  cmd->add_option("--interval", args->interval, "Seconds between polls (default 1)");
  cmd->add_flag("--once", args->once, "Read what is there now, then exit");
  cmd->add_flag("--from-end", args->from_end, "Ignore what the files hold at start; only follow new data");
  cmd->add_flag("--skip-invalid-rules", args->skip_invalid, "Run with the rules that compile when others have errors");
  cmd->footer(
      "JSON-lines files are followed as they grow (like tail -F); CloudTrail objects ({\"Records\"},\n"
      ".json.gz) are read once when they appear. Correlation state is kept across polls.\n"
      "Exit codes: 0 stopped (SIGINT/SIGTERM or --once); 2 bad usage or rules with errors.\n"
      "Example: sekimori watch -r detections -i /var/log/cloudtrail -a jsonl:alerts.jsonl");
  cmd->callback([args, &run] { run = [args] { return run_watch(*args); }; });
}

}  // namespace sekimori::cli
