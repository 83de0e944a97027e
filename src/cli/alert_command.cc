// `sekimori alert list|ack|close` — stored alerts and who handled them.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/json_writer.h"

namespace sekimori::cli {

namespace {

struct AlertArgs {
  std::string store;
  std::string status;
  std::string since;
  std::string format = "table";
  int64_t id = 0;
  std::string by;
  std::string note;
  std::string now;
};

int run_list(const AlertArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  if (!args.status.empty() && args.status != "new" && args.status != "acknowledged" &&
      args.status != "closed") {
    std::cerr << "error: --status must be new, acknowledged or closed\n";
    return kExitUsage;
  }
  std::optional<int64_t> since;
  if (!parse_since(args.since, since)) return kExitUsage;
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto list = db->list_alerts({args.status, since});
  if (!list.ok()) return report_store_error(list.error());
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("alerts");
    w.begin_array();
    for (const store::AlertState& a : *list) {
      w.begin_object();
      w.key("id"), w.value(a.id);
      w.key("run"), w.value(a.run_id);
      w.key("status"), w.value(a.status);
      w.key("status_by"), w.value(a.status_by);
      w.key("status_at");
      if (a.status_at)
        w.value(store::format_time(*a.status_at));
      else
        w.null();
      w.key("rule_id"), w.value(a.alert.rule_id);
      w.key("rule_title"), w.value(a.alert.rule_title);
      w.key("level"), w.value(a.alert.level);
      w.key("event_time");
      if (a.alert.event_time)
        w.value(store::format_time(*a.alert.event_time));
      else
        w.null();
      w.key("alert_time"), w.value(store::format_time(a.alert.alert_time));
      w.key("acknowledged_at");
      if (a.acknowledged_at)
        w.value(store::format_time(*a.acknowledged_at));
      else
        w.null();
      w.key("closed_at");
      if (a.closed_at)
        w.value(store::format_time(*a.closed_at));
      else
        w.null();
      w.key("account"), w.value(a.alert.account);
      w.key("principal"), w.value(a.alert.principal);
      w.key("source_ip"), w.value(a.alert.source_ip);
      w.key("event_name"), w.value(a.alert.event_name);
      w.key("alert");
      w.raw(a.alert.body);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"ID", "STATUS", "BY", "LEVEL", "RULE", "EVENT TIME", "RAISED", "PRINCIPAL"}, {}};
  for (const store::AlertState& a : *list) {
    t.rows.push_back({std::to_string(a.id), a.status, a.status_by.empty() ? "-" : a.status_by, a.alert.level,
                      a.alert.rule_title, time_or_dash(a.alert.event_time),
                      store::format_time(a.alert.alert_time),
                      a.alert.principal.empty() ? "-" : a.alert.principal});
  }
  std::cout << t.render(args.format);
  return kExitOk;
}

int run_set(const AlertArgs& args, const std::string& status) {
  if (args.by.empty()) {
    std::cerr << "error: --by NAME is required (who " << (status == "closed" ? "closes" : "acknowledges")
              << " the alert)\n";
    return kExitUsage;
  }
  auto at = now_ms(args.now);
  if (!at) return kExitUsage;
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto st = db->set_alert_status(args.id, status, args.by, *at, args.note);
  if (!st.ok()) return report_store_error(st.error());
  std::cout << "alert " << args.id << " " << status << " by " << args.by << '\n';
  return kExitOk;
}

}  // namespace

void add_alert_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<AlertArgs>();
  CLI::App* cmd = app.add_subcommand("alert", "Stored alerts: list them, acknowledge or close them");
  cmd->require_subcommand(1);
  cmd->footer("Alerts are stored by 'sekimori detect --store' and 'sekimori watch --store'.");

  CLI::App* list = add_store_subcommand(cmd, "list", "List stored alerts", args, run, run_list);
  list->add_option("--status", args->status, "Only alerts with this status: new, acknowledged, closed");
  list->add_option("--since", args->since, "Only alerts raised on or after DATE or RFC 3339 time");
  list->add_option("--format", args->format, "Output: table (default), json, csv");

  for (const char* verb : {"ack", "close"}) {
    std::string status = std::string(verb) == "ack" ? "acknowledged" : "closed";
    CLI::App* c =
        cmd->add_subcommand(verb, std::string(verb) == "ack" ? "Acknowledge an alert (someone is on it)"
                                                             : "Close an alert (handled)");
    add_store_option(c, args->store, false);
    c->add_option("id", args->id, "Alert ID (see 'sekimori alert list')")->required();
    c->add_option("--by", args->by, "Who does it (required)");
    c->add_option("--note", args->note, "A note kept in the audit trail");
    c->add_option("--now", args->now, "The time it happened (RFC 3339; default now)");
    c->footer("Example: sekimori alert " + std::string(verb) + " 12 --by alice");
    c->callback([args, status, &run] { run = [args, status] { return run_set(*args, status); }; });
  }
}

}  // namespace sekimori::cli
