// Shared pieces of the commands that use the history and governance store: where the
// database is, opening it (and marking runs whose process died), recording scans and
// alerts, the vocabulary that validates governance records, and table/CSV/JSON output.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/alert.h"
#include "detect/hunt.h"
#include "model/estate.h"
#include "policy/exceptions.h"
#include "policy/rule.h"
#include "policy/scan.h"
#include "store/governance.h"
#include "store/store.h"

namespace sekimori::cli {

inline constexpr const char* kDefaultStorePath = ".sekimori/sekimori.db";

// The store for recording commands (scan, detect, watch): --store, else $SEKIMORI_STORE,
// else none (nothing is recorded).
std::optional<std::string> recording_store_path(const std::string& flag);
// The store for the governance commands: --store, else $SEKIMORI_STORE, else the default.
std::string governance_store_path(const std::string& flag);

// Opens the store and marks runs whose process is gone as incomplete (noted on stderr).
// On failure prints the error and returns nullptr.
std::unique_ptr<store::Store> open_cli_store(const std::string& path);

// Prints "error: ..." for a store error and returns the exit code (2).
int report_store_error(const core::Error& e);

// The current time in ms, or `flag` (RFC 3339) when given; nullopt (and an error printed)
// when the flag is malformed.
std::optional<int64_t> now_ms(const std::string& flag, const char* option = "--now");
// A --since value: a date (YYYY-MM-DD) or an RFC 3339 time; nullopt and an error printed
// when malformed. An empty flag gives `fallback`.
bool parse_since(const std::string& flag, std::optional<int64_t>& out);
// Who is acting: --by, else $SEKIMORI_USER, else $USER, else "unknown".
std::string actor(const std::string& by);

// Adds --store to a command.
void add_store_option(CLI::App* cmd, std::string& path, bool recording);
// Adds the hidden --now option (the current time, RFC 3339, for reproducible records).
void add_now_option(CLI::App* cmd, std::string& now);

// Adds subcommand `name` of `parent` that works on the governance store: --store bound to
// args->store, and a callback that makes `run` call action(*args) when it is chosen.
//   CLI::App* list = add_store_subcommand(cmd, "list", "List risks", args, run, run_list);
template <typename Args, typename Action>
CLI::App* add_store_subcommand(CLI::App* parent, const std::string& name, const std::string& description,
                               const std::shared_ptr<Args>& args, std::function<int()>& run, Action action) {
  CLI::App* sub = parent->add_subcommand(name, description);
  add_store_option(sub, args->store, false);
  sub->callback([args, action, &run] { run = [args, action] { return action(*args); }; });
  return sub;
}

// Records one scan run (see scan_command.cc).
class ScanRecorder {
 public:
  // nullptr when no store is configured; `failed` set when one is and cannot be opened.
  static std::unique_ptr<ScanRecorder> open(const std::string& flag, bool& failed);

  // Adds the store's active exceptions to `list` (after the file's own).
  void merge_exceptions(std::optional<policy::ExceptionList>& list);
  // Records the run; false (and an error printed) when it could not be stored.
  bool record(const policy::RuleSet& rules, const std::vector<model::Input>& inputs,
              const policy::ScanResult& result, std::vector<std::string> scope, int64_t started_at,
              bool complete);

 private:
  std::unique_ptr<store::Store> db_;
};

// Records the alerts of a detect or watch run as they are raised.
class AlertRecorder {
 public:
  static std::unique_ptr<AlertRecorder> open(const std::string& flag, const std::string& kind,
                                             std::vector<std::string> scope, int64_t started_at,
                                             bool& failed);
  // `alert_time`: when the alert was raised (ms); nullopt: now. Buffered; flush() writes.
  void add(const detect::Alert& a, std::optional<int64_t> alert_time);
  bool flush();
  bool finish(int64_t finished_at);
  [[nodiscard]] int64_t stored() const { return stored_; }

 private:
  std::unique_ptr<store::Store> db_;
  int64_t run_ = 0;
  std::vector<store::AlertRecord> pending_;
  int64_t stored_ = 0;
};

// Passes alerts on to `inner` and records them (for `detect --store`); alerts are written
// in batches, flush() at the end.
class RecordingSink : public detect::AlertSink {
 public:
  RecordingSink(detect::AlertSink& inner, AlertRecorder* recorder, std::optional<int64_t> alert_time)
      : inner_(inner), recorder_(recorder), alert_time_(alert_time) {}
  void alert(const detect::Alert& a) override;
  // Rendering on hunt()'s workers is passed through only when nothing is recorded: the
  // recorder needs every Alert.
  [[nodiscard]] bool render_on_workers() const override {
    return recorder_ == nullptr && inner_.render_on_workers();
  }
  void render(const detect::AlertView& a, std::string& out, std::vector<size_t>* record_at) const override {
    inner_.render(a, out, record_at);
  }
  void rendered(std::string_view text, const std::vector<uint32_t>& rules) override {
    inner_.rendered(text, rules);
  }

 private:
  detect::AlertSink& inner_;
  AlertRecorder* recorder_;
  std::optional<int64_t> alert_time_;
  size_t since_flush_ = 0;
};

// Valid threat keys, rule IDs (the bundled pack plus `rule_dirs`) and service models.
store::Vocabulary make_vocabulary(const std::vector<std::string>& rule_dirs);

// A simple table: rendered padded (table), as CSV, or by the caller as JSON.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  [[nodiscard]] std::string render(const std::string& format) const;  // "table" or "csv"
};

// Checks a --format value against `allowed`; prints the error and returns false.
bool check_format(const std::string& format, std::initializer_list<const char*> allowed);

// "2026-01-31T10:00:00Z" or "-".
std::string time_or_dash(std::optional<int64_t> ms);
// "3d 4h", "12m 5s", "850ms".
std::string human_duration(double ms);

}  // namespace sekimori::cli
