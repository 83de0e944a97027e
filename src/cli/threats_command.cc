// `sekimori threats PATH...` — the Egregious Eleven stage by stage: countermeasures, the
// rules and detections behind them, current findings, coverage, the weakest threats.
#include <memory>

#include "cli/commands.h"
#include "cli/report_input.h"

namespace sekimori::cli {

void add_threats_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "threats", "CSA Top Threats navigator: coverage and findings per threat and DevSecOps stage");
  add_report_options(*cmd, *args);
  cmd->footer(
      "Exit codes: 0 report written; 2 bad usage or an input with errors.\n"
      "Example: sekimori threats infra/ --format markdown -o threats.md");
  cmd->callback([args, &run] {
    run = [args] {
      ReportRun r;
      if (int rc = prepare_report(*args, r); rc >= 0) return rc;
      return emit_report(*args, r, render_report(r, governance::build_threats(r.evidence)));
    };
  });
}

}  // namespace sekimori::cli
