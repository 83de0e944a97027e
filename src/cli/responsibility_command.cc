// `sekimori responsibility PATH...` — who owns what for the services in use, what checks
// the customer's share, what must be attested by hand, RACI and compliance inheritance.
#include <memory>

#include "cli/commands.h"
#include "cli/report_input.h"

namespace sekimori::cli {

void add_responsibility_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "responsibility",
      "Shared responsibility for the services in use: owners per layer, checks, RACI, inheritance");
  add_report_options(*cmd, *args);
  cmd->footer(
      "Exit codes: 0 report written; 2 bad usage or an input (estate, rules, services file) with errors.\n"
      "Example: sekimori responsibility infra/ --services services.yaml --format html -o "
      "responsibility.html");
  cmd->callback([args, &run] {
    run = [args] {
      ReportRun r;
      if (int rc = prepare_report(*args, r); rc >= 0) return rc;
      return emit_report(*args, r, render_report(r, governance::build_responsibility(r.evidence)));
    };
  });
}

}  // namespace sekimori::cli
