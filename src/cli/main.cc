// sekimori — compliance as code, cloud detection and governance in one native tool.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "sekimori " SEKIMORI_VERSION
      " — posture scanning, cloud detection and governance, mapped to the CSA frameworks"};
  app.name("sekimori");
  app.set_version_flag("--version", "sekimori " SEKIMORI_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'sekimori COMMAND --help' for a command's options.");

  std::function<int()> run;
  sekimori::cli::add_eval_command(app, run);
  sekimori::cli::add_detect_command(app, run);
  sekimori::cli::add_watch_command(app, run);
  sekimori::cli::add_scan_command(app, run);
  sekimori::cli::add_rules_command(app, run);
  sekimori::cli::add_history_command(app, run);
  sekimori::cli::add_alert_command(app, run);
  sekimori::cli::add_exception_command(app, run);
  sekimori::cli::add_risk_command(app, run);
  sekimori::cli::add_vendor_command(app, run);
  sekimori::cli::add_governance_command(app, run);
  sekimori::cli::add_responsibility_command(app, run);
  sekimori::cli::add_threats_command(app, run);
  sekimori::cli::add_framework_report_command(app, run);

  // Repeatable options take one value per occurrence, so `scan --var env=prod infra/`
  // keeps infra/ a path (CLI11 lets a vector option swallow the words that follow it).
  std::function<void(CLI::App*)> one_value_each = [&one_value_each](CLI::App* a) {
    for (CLI::Option* o : a->get_options()) {
      if (o->nonpositional() && o->get_items_expected_max() > 1) o->allow_extra_args(false);
    }
    for (CLI::App* sub : a->get_subcommands([](CLI::App*) { return true; })) one_value_each(sub);
  };
  one_value_each(&app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return sekimori::cli::kExitUsage;
  }
  return run ? run() : sekimori::cli::kExitUsage;
}
