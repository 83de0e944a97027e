// `sekimori governance export|import` — exceptions, risks and vendors as one JSON file,
// for backups and for review in pull requests.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/diagnostics.h"

namespace sekimori::cli {

namespace {

struct GovernanceArgs {
  std::string store;
  std::string output;
  std::string input;
  std::string by;
  std::string now;
  bool check = false;
};

int run_export(const GovernanceArgs& args) {
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  store::GovernanceData data;
  auto ex = db->list_exceptions(true);
  if (!ex.ok()) return report_store_error(ex.error());
  auto risks = db->list_risks(true);
  if (!risks.ok()) return report_store_error(risks.error());
  auto vendors = db->list_vendors();
  if (!vendors.ok()) return report_store_error(vendors.error());
  data.exceptions = std::move(ex).value();
  data.risks = std::move(risks).value();
  data.vendors = std::move(vendors).value();
  std::string text = store::export_governance(std::move(data));
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) {
    std::cerr << "error: cannot write '" << args.output << "'\n";
    return kExitUsage;
  }
  return kExitOk;
}

int run_import(const GovernanceArgs& args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string text;
  if (args.input == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(args.input, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot read '" << args.input << "'\n";
      return kExitUsage;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  core::Diagnostics diags;
  std::string name = args.input == "-" ? "<stdin>" : args.input;
  auto data = store::parse_governance(name, std::move(text), make_vocabulary({}), {}, diags);
  if (!diags.empty()) std::cerr << diags.to_text();
  if (!data.ok()) {
    if (diags.empty())
      std::cerr << "error: " << data.error().to_string() << '\n';
    else
      std::cerr << "error: " << data.error().message << '\n';
    return kExitUsage;
  }
  if (args.check) {
    std::cout << name << ": valid (" << data->exceptions.size() << " exception(s), " << data->risks.size()
              << " risk(s), " << data->vendors.size() << " vendor(s))\n";
    return kExitOk;
  }
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto sum = db->import_governance(data->exceptions, data->risks, data->vendors, actor(args.by), *now);
  if (!sum.ok()) return report_store_error(sum.error());
  std::cout << "imported " << name << ": " << sum->added << " added, " << sum->updated << " updated, "
            << sum->unchanged << " unchanged\n";
  return kExitOk;
}

}  // namespace

void add_governance_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<GovernanceArgs>();
  CLI::App* cmd = app.add_subcommand("governance", "Export or import exceptions, risks and vendors as JSON");
  cmd->require_subcommand(1);

  CLI::App* ex = add_store_subcommand(
      cmd, "export", "Write every exception, risk and vendor as JSON (stable order)", args, run, run_export);
  ex->add_option("-o,--output", args->output, "Write to FILE instead of standard output");
  ex->footer("Example: sekimori governance export -o governance.json   # commit it, review changes in PRs");

  CLI::App* im = add_store_subcommand(
      cmd, "import", "Import a governance export (validated first; idempotent)", args, run, run_import);
  im->add_option("file", args->input, "The JSON file ('-' for standard input)")->required();
  im->add_option("--by", args->by, "Who imports (kept in the audit trail)");
  im->add_flag("--check", args->check, "Only validate the file; change nothing");
  add_now_option(im, args->now);
  im->footer(
      "Records are matched by uid (vendors also by name): new ones are added, changed ones updated,\n"
      "the rest left alone. Any problem in the file (located file:line:column) means nothing is\n"
      "imported. Exit codes: 0 imported; 2 invalid file or bad usage.");
}

}  // namespace sekimori::cli
