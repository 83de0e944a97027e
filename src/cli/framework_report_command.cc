// `sekimori report --framework NAME PATH...` — control-by-control status against CCM v4,
// CIS AWS Foundations v7.0.0 or a CSA Top Threats list, with coverage per domain/section.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/report_input.h"

namespace sekimori::cli {

namespace {

struct FrameworkArgs {
  ReportArgs common;
  std::string framework;
};

}  // namespace

void add_framework_report_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<FrameworkArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Framework report: per-control status and coverage for CCM v4, CIS AWS v7 or the Top Threats");
  cmd->add_option("--framework", args->framework, "ccm-v4, cis-aws-v7, top-threats-2019 or top-threats-2024")
      ->required();
  add_report_options(*cmd, args->common);
  cmd->footer(
      "Statuses: pass, fail, unknown, no-resources (rules exist, nothing to evaluate), watching (detections\n"
      "only), not-covered, manual. Exit codes: 0 report written; 2 bad usage or an input with errors.\n"
      "Example: sekimori report --framework cis-aws-v7 infra/ --format html -o cis.html");
  cmd->callback([args, &run] {
    run = [args] {
      auto framework = governance::framework_by_name(args->framework);
      if (!framework) {
        std::cerr << "error: unknown --framework '" << args->framework
                  << "' (ccm-v4, cis-aws-v7, top-threats-2019, top-threats-2024)\n";
        return kExitUsage;
      }
      ReportRun r;
      if (int rc = prepare_report(args->common, r); rc >= 0) return rc;
      return emit_report(args->common, r,
                         render_report(r, governance::build_framework(r.evidence, *framework)));
    };
  });
}

}  // namespace sekimori::cli
