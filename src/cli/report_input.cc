// Shared loading for the governance commands: estate + posture scan, detection metadata,
// services file, output.
#include "cli/report_input.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cel/time.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "detect/builtin.h"
#include "knowledge/knowledge.h"

namespace sekimori::cli {

namespace {

cel::Timestamp wall_clock() {
  auto wall = std::chrono::system_clock::now().time_since_epoch();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count();
  return {ns / 1'000'000'000, static_cast<int32_t>(ns % 1'000'000'000)};
}

}  // namespace

void add_report_options(CLI::App& cmd, ReportArgs& a) {
  cmd.add_option("paths", a.paths,
                 "Files or directories to scan: CloudFormation, Terraform plan JSON, AWS Config, Kubernetes")
      ->required();
  cmd.add_option("--format", a.format,
                 "Output: table, markdown, json, csv, html (default: table on a terminal, json otherwise)");
  cmd.add_option("-o,--output", a.output, "Write the report to FILE instead of standard output");
  cmd.add_option(
      "--services", a.services,
      "Services file: consumed SaaS/no-code services, teams, reclassified types, owner overrides, RACI "
      "(docs/governance-reports.md)");
  cmd.add_option("--roles", a.roles,
                 "RACI roles (columns), replacing the services file's (repeatable or comma-separated)")
      ->delimiter(',');
  cmd.add_option("--rules", a.rule_dirs, "Also load posture rules from DIR (repeatable)");
  cmd.add_flag("--no-builtin-rules", a.no_builtin_rules, "Do not load the bundled rule pack");
  cmd.add_option("--include", a.include, "Use only rules with this ID (globs allowed) or tag (repeatable)");
  cmd.add_option("--exclude", a.exclude, "Skip rules with this ID (globs allowed) or tag (repeatable)");
  cmd.add_option("--detections", a.detection_paths, "Also load Sigma detections from PATH (repeatable)");
  cmd.add_flag("--no-builtin-detections", a.no_builtin_detections, "Do not load the bundled detections");
  cmd.add_option("--skip-path", a.skip_paths, "Skip files matching GLOB (repeatable)");
  cmd.add_option("--root", a.root, "Scan root (default: the current directory)");
  cmd.add_option("--threads", a.threads, "Worker threads for the scan (default: one per core)");
  cmd.add_option("--now", a.now, "Report time (RFC 3339) for reproducible reports")->group("");
}

int prepare_report(const ReportArgs& args, ReportRun& run) {
  namespace fs = std::filesystem;
  const bool tty_out = args.output.empty() && isatty(STDOUT_FILENO);
  std::string format_name = args.format.empty() ? (tty_out ? "table" : "json") : args.format;
  auto format = governance::output_format_by_name(format_name);
  if (!format) {
    std::cerr << "error: unknown --format '" << format_name << "' (table, markdown, json, csv, html)\n";
    return kExitUsage;
  }
  run.format = *format;
  cel::Timestamp now = wall_clock();
  if (!args.now.empty()) {
    auto t = cel::parse_timestamp(args.now);
    if (!t.ok()) {
      std::cerr << "error: --now: " << t.error().message << '\n';
      return kExitUsage;
    }
    now = *t;
  }
  const knowledge::KnowledgeBase& kb = knowledge::KnowledgeBase::builtin();

  // Rules.
  if (!args.no_builtin_rules) run.rules.add_builtin(run.diagnostics, /*examples=*/false);
  for (const std::string& dir : args.rule_dirs) run.rules.add_directory(dir, run.diagnostics);
  if (run.diagnostics.has_errors()) run.input_failed = true;
  run.rules.select(args.include, args.exclude);

  // Detections (metadata only: IDs, titles, tags).
  // the bundled detections are embedded in the binary ($SEKIMORI_DETECTIONS overrides them)
  std::vector<std::string> det_paths;
  core::Diagnostics det_diags;
  if (!args.no_builtin_detections) detect::add_builtin_detections(run.detections, det_diags);
  det_paths.insert(det_paths.end(), args.detection_paths.begin(), args.detection_paths.end());
  for (const std::string& p : det_paths) run.detections.add_path(p, det_diags);
  if (det_diags.has_errors() && !args.detection_paths.empty()) run.input_failed = true;
  run.diagnostics.merge(std::move(det_diags));

  // Services file.
  run.services = governance::default_services();
  if (!args.services.empty()) {
    std::ifstream in(args.services, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot read services file '" << args.services << "'\n";
      return kExitUsage;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    auto parsed = governance::parse_services(args.services, buf.str(), kb, run.diagnostics);
    if (!parsed.ok()) {
      run.diagnostics.add_error(parsed.error());
      run.input_failed = true;
    } else {
      run.services = std::move(parsed).value();
    }
    if (run.diagnostics.has_errors()) run.input_failed = true;
  }
  if (!args.roles.empty()) run.services.roles = args.roles;

  // Estate and scan.
  model::LoadOptions load;
  load.skip_globs = args.skip_paths;
  for (const std::string& p : args.paths) run.estate.add_path(p, load, run.diagnostics);
  if (run.diagnostics.has_errors()) run.input_failed = true;
  for (const model::Input& in : run.estate.inputs()) run.input_failed = run.input_failed || in.failed;
  policy::ScanOptions opts;
  opts.threads = args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  opts.now = now;
  run.result = policy::scan(run.rules, run.estate.resources(), opts);

  governance::Evidence& ev = run.evidence;
  ev.kb = &kb;
  ev.rules = &run.rules;
  ev.scan = &run.result;
  ev.resources = run.estate.resources();
  ev.detections = &run.detections;
  ev.services = &run.services;
  ev.time = cel::format_timestamp(cel::Timestamp{now.seconds, 0});
  ev.tool_version = SEKIMORI_VERSION;
  ev.rule_pack_version = args.no_builtin_rules ? "none" : std::string(policy::builtin_rule_pack_version());
  ev.targets = args.paths;
  return -1;
}

int emit_report(const ReportArgs& args, const ReportRun& run, const std::string& text) {
  std::string diag_text = run.diagnostics.to_text() + run.result.diagnostics.to_text();
  if (!diag_text.empty()) std::cerr << diag_text;
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    std::cout.flush();
  } else {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      std::cerr << "error: cannot write '" << args.output << "'\n";
      return kExitUsage;
    }
  }
  return run.input_failed ? kExitUsage : kExitOk;
}

}  // namespace sekimori::cli
