// `sekimori scan PATH...` — posture scanning: load the estate, evaluate the rules, report.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cel/time.h"
#include "cli/commands.h"
#include "cli/store_support.h"
#include "cli/version.h"
#include "core/diagnostics.h"
#include "model/estate.h"
#include "policy/exceptions.h"
#include "policy/rule.h"
#include "policy/scan.h"
#include "report/report.h"

namespace sekimori::cli {

namespace {

struct ScanArgs {
  std::vector<std::string> paths;
  std::string format;
  std::string output;
  std::string fail_on = "high";
  std::string mode = "gate";
  std::vector<std::string> rule_dirs;
  bool no_builtin = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  size_t threads = 0;
  std::vector<std::string> skip_paths;
  std::vector<std::string> cfn_params;
  std::vector<std::string> tf_vars;
  std::vector<std::string> tf_var_files;
  std::vector<bool> tf_order;  // per --var (false) / --var-file (true), in command-line order
  std::string exceptions;
  std::string root;
  std::string now;
  bool no_progress = false;
  std::string store;  // history database (store_support.h)
};

cel::Timestamp wall_clock() {
  auto wall = std::chrono::system_clock::now().time_since_epoch();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count();
  return {ns / 1'000'000'000, static_cast<int32_t>(ns % 1'000'000'000)};
}

int run_scan(const ScanArgs& args) {
  namespace fs = std::filesystem;
  // Usage checks first: nothing is loaded when the command line is wrong.
  std::optional<policy::Severity> threshold;
  if (args.fail_on != "none") {
    threshold = policy::severity_by_name(args.fail_on);
    if (!threshold) {
      std::cerr << "error: --fail-on must be critical, high, medium, low, info or none\n";
      return kExitUsage;
    }
  }
  const bool tty_out = args.output.empty() && isatty(STDOUT_FILENO);
  std::string format_name = args.format.empty() ? (tty_out ? "table" : "json") : args.format;
  std::optional<report::Format> format = report::format_by_name(format_name);
  if (!format) {
    std::cerr << "error: unknown --format '" << format_name << "' (table, json, sarif, junit, ocsf, csv, markdown)\n";
    return kExitUsage;
  }
  model::LoadOptions load;
  load.skip_globs = args.skip_paths;
  for (const std::string& kv : args.cfn_params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --cfn-param expects KEY=VALUE, got '" << kv << "'\n";
      return kExitUsage;
    }
    load.cfn_parameters[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // --var and --var-file apply in command-line order (a later one wins, as in Terraform).
  size_t next_var = 0, next_file = 0;
  auto take = [&](bool file) {
    if (file) {
      load.tf_vars.push_back({true, "", args.tf_var_files[next_file++]});
      return true;
    }
    const std::string& kv = args.tf_vars[next_var++];
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --var expects NAME=VALUE, got '" << kv << "'\n";
      return false;
    }
    load.tf_vars.push_back({false, kv.substr(0, eq), kv.substr(eq + 1)});
    return true;
  };
  for (bool file : args.tf_order) {
    if (file ? next_file >= args.tf_var_files.size() : next_var >= args.tf_vars.size()) continue;
    if (!take(file)) return kExitUsage;
  }
  while (next_var < args.tf_vars.size()) {
    if (!take(false)) return kExitUsage;
  }
  while (next_file < args.tf_var_files.size()) take(true);
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("TF_VAR_", 0) != 0) continue;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq <= 7) continue;
    load.tf_env_vars[std::string(kv.substr(7, eq - 7))] = std::string(kv.substr(eq + 1));
  }
  cel::Timestamp now = wall_clock();
  if (!args.now.empty()) {
    auto t = cel::parse_timestamp(args.now);
    if (!t.ok()) {
      std::cerr << "error: --now: " << t.error().message << '\n';
      return kExitUsage;
    }
    now = *t;
  }
  std::error_code ec;
  std::string root = args.root.empty() ? fs::current_path(ec).string() : fs::absolute(args.root, ec).string();

  bool input_failed = false;
  // Rules.
  core::Diagnostics rule_diags;
  policy::RuleSet rules;
  if (!args.no_builtin) rules.add_builtin(rule_diags, /*examples=*/false);
  for (const std::string& dir : args.rule_dirs) rules.add_directory(dir, rule_diags);
  if (rule_diags.has_errors()) input_failed = true;
  rules.select(args.include, args.exclude);
  if (rules.rules().empty()) {
    std::cerr << rule_diags.to_text();
    std::cerr << "error: no rules selected\n";
    return kExitUsage;
  }

  // Exceptions.
  core::Diagnostics load_diags;
  std::optional<policy::ExceptionList> exceptions;
  std::string exceptions_path = args.exceptions;
  if (exceptions_path.empty()) {
    fs::path candidate = fs::path(root) / ".sekimori" / "exceptions.yaml";
    if (fs::exists(candidate, ec)) exceptions_path = candidate.string();
  }
  if (!exceptions_path.empty()) {
    auto ex = policy::load_exceptions_file(exceptions_path, load_diags);
    if (!ex.ok()) {
      load_diags.add_error(ex.error());
      input_failed = true;
    } else {
      exceptions = std::move(ex).value();
    }
    if (load_diags.has_errors()) input_failed = true;
  }

  // History store: its exceptions apply like the file's (store_support.h).
  bool store_failed = false;
  auto recorder = ScanRecorder::open(args.store, store_failed);
  if (store_failed) return kExitUsage;
  if (recorder) recorder->merge_exceptions(exceptions);

  // Load and evaluate, streamed: each input is evaluated as soon as it is loaded and then
  // dropped; only the results (and the inputs' identities) are kept.
  const size_t threads = args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  policy::ScanOptions opts;
  opts.threads = threads;
  opts.now = now;
  opts.exceptions = exceptions ? &*exceptions : nullptr;
  const bool tty_err = isatty(STDERR_FILENO) && !args.no_progress;
  std::mutex progress_mu;
  bool progress_shown = false;
  if (tty_err) {
    opts.progress = [&progress_mu, &progress_shown](size_t done, size_t) {
      if (done % 5000 != 0) return;
      std::lock_guard<std::mutex> lock(progress_mu);
      std::fprintf(stderr, "\rscanning: %zu resources", done);
      progress_shown = true;
    };
  }
  policy::Scanner scanner(rules, opts);
  model::Estate estate;
  estate.set_consumer([&scanner](std::span<const model::Resource> rs, const model::Estate::Batch& b) {
    scanner.add(rs, b.input, b.threads, b.part, b.last);
  });
  load.threads = threads;
  for (const std::string& p : args.paths) estate.add_path(p, load, load_diags);
  if (load_diags.has_errors()) input_failed = true;
  for (const model::Input& in : estate.inputs()) input_failed = input_failed || in.failed;
  policy::ScanResult result = std::move(scanner).finish();
  if (progress_shown) std::fputs("\r\x1b[K", stderr);

  // Report.
  core::Diagnostics all_diags;
  all_diags.merge(std::move(rule_diags));
  all_diags.merge(std::move(load_diags));
  report::ScanReport rep;
  rep.tool_version = SEKIMORI_VERSION;
  rep.rule_pack_version = std::string(policy::builtin_rule_pack_version());
  if (args.no_builtin) rep.rule_pack_version = "none";
  rep.scan_root = root;
  rep.time = cel::format_timestamp(cel::Timestamp{now.seconds, 0});
  rep.time_ms = now.seconds * 1000 + now.nanos / 1'000'000;
  rep.mode = args.mode;
  rep.fail_on = args.fail_on;
  rep.targets = args.paths;
  rep.inputs = &estate.inputs();
  rep.rules = &rules;
  rep.result = &result;
  rep.diagnostics = &all_diags;
  report::RenderOptions ropts;
  ropts.color = tty_out && *format == report::Format::kTable && std::getenv("NO_COLOR") == nullptr;
  std::string diag_text = all_diags.to_text() + result.diagnostics.to_text();
  if (!diag_text.empty()) std::cerr << diag_text;
  // The report streams to its destination: a large scan's report is never whole in memory.
  if (args.output.empty() || args.output == "-") {
    report::render_to(*format, rep, ropts, [](std::string_view s) { std::cout.write(s.data(), static_cast<std::streamsize>(s.size())); });
    std::cout.flush();
  } else {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    if (out) report::render_to(*format, rep, ropts, [&out](std::string_view s) { out.write(s.data(), static_cast<std::streamsize>(s.size())); });
    if (!out || !out.flush()) {
      std::cerr << "error: cannot write '" << args.output << "'\n";
      return kExitUsage;
    }
  }

  if (recorder) {
    std::vector<std::string> scope;
    for (const std::string& p : args.paths) scope.push_back(p == "-" ? p : fs::absolute(p, ec).lexically_normal().string());
    if (!args.include.empty() || !args.exclude.empty() || !args.rule_dirs.empty() || args.no_builtin) {
      std::string sel = "rules:";
      for (const std::string& r : args.rule_dirs) sel += " dir=" + r;
      for (const std::string& r : args.include) sel += " include=" + r;
      for (const std::string& r : args.exclude) sel += " exclude=" + r;
      if (args.no_builtin) sel += " no-builtin";
      scope.push_back(sel);
    }
    if (!recorder->record(rules, estate.inputs(), result, std::move(scope), now.seconds * 1000 + now.nanos / 1'000'000,
                          !input_failed)) {
      return kExitUsage;
    }
  }
  if (input_failed) return kExitUsage;
  if (args.mode == "guardrail" || !threshold) return kExitOk;
  for (const policy::Finding& f : result.findings) {
    if (f.status == policy::Status::kFail && f.rule->severity <= *threshold) return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_scan_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Scan infrastructure code and configuration snapshots against the posture rules");
  cmd->add_option("paths", args->paths,
                  "Files or directories (recursive) to scan: CloudFormation, Terraform plan JSON, AWS Config, "
                  "Kubernetes; '-' reads standard input")
      ->required();
  cmd->add_option("--format", args->format,
                  "Output: table, json, sarif, junit, ocsf, csv, markdown (default: table on a terminal, "
                  "json otherwise)");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of standard output");
  cmd->add_option("--fail-on", args->fail_on,
                  "Lowest severity that fails the gate: critical, high, medium, low, info, none (default high)");
  cmd->add_option("--mode", args->mode, "gate (exit 1 on failing findings) or guardrail (report only)")
      ->check(CLI::IsMember({"gate", "guardrail"}));
  cmd->add_option("--rules", args->rule_dirs, "Also load rules from DIR (repeatable)");
  cmd->add_flag("--no-builtin-rules", args->no_builtin, "Do not load the bundled rule pack");
  cmd->add_option("--include", args->include, "Run only rules with this ID (globs allowed) or tag (repeatable)");
  cmd->add_option("--exclude", args->exclude, "Skip rules with this ID (globs allowed) or tag (repeatable)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: one per core)");
  cmd->add_option("--skip-path", args->skip_paths, "Skip files matching GLOB (repeatable)");
  cmd->add_option("--cfn-param", args->cfn_params, "CloudFormation parameter value KEY=VALUE (repeatable)");
  CLI::Option* var_opt =
      cmd->add_option("--var", args->tf_vars, "Terraform root-module variable NAME=VALUE (repeatable)");
  CLI::Option* var_file_opt = cmd->add_option(
      "--var-file", args->tf_var_files,
      "Terraform variables file (.tfvars or .tfvars.json; repeatable; --var and --var-file apply in the order given)");
  cmd->add_option("--exceptions", args->exceptions,
                  "Exceptions file (default: .sekimori/exceptions.yaml under the scan root, if present)");
  cmd->add_option("--root", args->root,
                  "Scan root: report paths are relative to it (default: the current directory)");
  cmd->add_option("--now", args->now, "Scan time (RFC 3339) for reproducible reports")->group("");
  cmd->add_flag("--no-progress", args->no_progress, "Never show progress on the terminal");
  add_store_option(cmd, args->store, true);
  cmd->footer(
      "Exit codes: 0 nothing failing at or above --fail-on (or --mode guardrail); 1 failing findings\n"
      "at or above the threshold in gate mode; 2 bad usage, a rule file with errors, or an input that\n"
      "could not be parsed (reported with file:line:column; everything else is still scanned).\n"
      "Example: sekimori scan infra/ --format sarif -o sekimori.sarif --fail-on high");
  cmd->callback([args, &run, cmd, var_opt, var_file_opt] {
    args->tf_order.clear();
    for (const CLI::Option* o : cmd->parse_order()) {
      if (o == var_opt) args->tf_order.push_back(false);
      if (o == var_file_opt) args->tf_order.push_back(true);
    }
    run = [args] { return run_scan(*args); };
  });
}

}  // namespace sekimori::cli
