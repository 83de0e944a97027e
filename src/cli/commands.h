// sekimori CLI commands. src/cli is the only place that prints and that turns errors
// into exit codes (see exit_codes below); every command is a function registered on the
// CLI11 app by main.cc.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace sekimori::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and its answer is "no" / an error value
inline constexpr int kExitUsage = 2;   // bad usage or input that could not be read or parsed

// Adds the `eval` subcommand; `run` is set to the function main() calls when it is chosen.
void add_eval_command(CLI::App& app, std::function<int()>& run);
// Adds `detect` (Sigma hunts over CloudTrail); see detect_command.cc.
void add_detect_command(CLI::App& app, std::function<int()>& run);
// Adds `watch` (follow CloudTrail files, act on alerts); see watch_command.cc.
void add_watch_command(CLI::App& app, std::function<int()>& run);
// Adds `--reorder-window DURATION` to `detect` or `watch` (how far out of event-time order
// correlation inputs may come before they count as late or correlation starts again), kept
// in `window` as given ("1h" unless set); detect::parse_timespan_ms() reads it.
CLI::Option* add_reorder_window_option(CLI::App* cmd, std::string& window);
// Adds `scan` (posture scanning of infrastructure code and configuration); see scan_command.cc.
void add_scan_command(CLI::App& app, std::function<int()>& run);
// Adds `rules` (list, show, test and validate posture rules); see rules_command.cc.
void add_rules_command(CLI::App& app, std::function<int()>& run);
// Adds `responsibility`, `threats` and `report --framework` (governance reports); see
// responsibility_command.cc, threats_command.cc and framework_report_command.cc.
void add_responsibility_command(CLI::App& app, std::function<int()>& run);
void add_threats_command(CLI::App& app, std::function<int()>& run);
void add_framework_report_command(CLI::App& app, std::function<int()>& run);

// History and governance store (store_support.h): `history` and `metrics`
// (history_command.cc), `alert`, `exception`, `risk`, `vendor`, `governance` (one file each).
void add_history_command(CLI::App& app, std::function<int()>& run);
void add_alert_command(CLI::App& app, std::function<int()>& run);
void add_exception_command(CLI::App& app, std::function<int()>& run);
void add_risk_command(CLI::App& app, std::function<int()>& run);
void add_vendor_command(CLI::App& app, std::function<int()>& run);
void add_governance_command(CLI::App& app, std::function<int()>& run);

}  // namespace sekimori::cli
