// The options and the loading shared by the governance commands (`responsibility`,
// `threats`, `report --framework`): scan the estate with the posture rules the way `scan`
// does, load the bundled detections' metadata and the services file, then write the
// rendered report. Only src/cli uses it.
//
//   auto args = std::make_shared<ReportArgs>();
//   add_report_options(*cmd, *args);
//   ReportRun run;
//   if (int rc = prepare_report(*args, run); rc >= 0) return rc;  // bad usage or input
//   return emit_report(*args, run, governance::to_json(governance::build_threats(run.evidence)));
//
// Not thread-safe; one run per command invocation.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "detect/sigma.h"
#include "governance/governance.h"
#include "model/estate.h"
#include "policy/rule.h"
#include "policy/scan.h"

namespace sekimori::cli {

struct ReportArgs {
  std::vector<std::string> paths;
  std::string format;
  std::string output;
  std::string services;
  std::vector<std::string> roles;
  std::vector<std::string> rule_dirs;
  bool no_builtin_rules = false;
  std::vector<std::string> include, exclude;
  std::vector<std::string> detection_paths;
  bool no_builtin_detections = false;
  std::vector<std::string> skip_paths;
  std::string root;
  std::string now;
  size_t threads = 0;
};

struct ReportRun {
  policy::RuleSet rules;
  model::Estate estate;
  policy::ScanResult result;
  detect::RuleSet detections;
  governance::ServicesFile services;
  governance::Evidence evidence;
  governance::OutputFormat format = governance::OutputFormat::kJson;
  core::Diagnostics diagnostics;
  bool input_failed = false;
};

// Adds PATH... and the shared options to `cmd`.
void add_report_options(CLI::App& cmd, ReportArgs& args);
// Loads and scans. Returns -1 when the report can be built, else the exit code to return.
int prepare_report(const ReportArgs& args, ReportRun& run);
// Prints the diagnostics, writes `text` to standard output or -o FILE, and returns the
// exit code (2 when an input could not be read or parsed, else 0).
int emit_report(const ReportArgs& args, const ReportRun& run, const std::string& text);
// The report as text in the chosen format: JSON from `json`, the others from `doc`.
template <typename Report>
std::string render_report(const ReportRun& run, const Report& report) {
  if (run.format == governance::OutputFormat::kJson) return governance::to_json(report);
  return governance::render(governance::to_doc(report), run.format);
}

}  // namespace sekimori::cli
