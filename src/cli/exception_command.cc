// `sekimori exception add|list|revoke|audit` — exceptions (accepted risks that suppress
// findings) stored with who approved them, until when, and an audit trail.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/json_writer.h"

namespace sekimori::cli {

namespace {

struct ExceptionArgs {
  std::string store;
  store::ExceptionRecord rec;
  std::string by;
  std::string now;
  std::string format = "table";
  bool all = false;
  int expiring_days = 30;
  int64_t id = 0;
  std::string reason;
};

// active, expiring-soon, expired or revoked, on `today`.
std::string exception_state(const store::ExceptionRecord& e, const std::string& today, int expiring_days) {
  if (e.revoked_at) return "revoked";
  if (e.expires < today) return "expired";
  if (e.expires <= store::add_days(today, expiring_days)) return "expiring-soon";
  return "active";
}

int run_add(ExceptionArgs args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto valid = store::validate_exception(args.rec, today, false);
  if (!valid.ok()) return report_store_error(valid.error());
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  args.rec.created_at = *now;
  args.rec.created_by = actor(args.by);
  auto added = db->add_exception(args.rec);
  if (!added.ok()) return report_store_error(added.error());
  std::cout << "exception " << added->id << " added (" << added->uid << "): " << added->rule << " on "
            << added->resource << " until " << added->expires << ", approved by " << added->approver << '\n';
  return kExitOk;
}

int run_list(const ExceptionArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  if (args.expiring_days < 0) {
    std::cerr << "error: --expiring-days must not be negative\n";
    return kExitUsage;
  }
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto list = db->list_exceptions(args.all);
  if (!list.ok()) return report_store_error(list.error());
  size_t expired = 0, expiring = 0;
  for (const auto& e : *list) {
    std::string s = exception_state(e, today, args.expiring_days);
    expired += s == "expired";
    expiring += s == "expiring-soon";
  }
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("today"), w.value(today);
    w.key("expired"), w.value(static_cast<int64_t>(expired));
    w.key("expiring_soon"), w.value(static_cast<int64_t>(expiring));
    w.key("exceptions");
    w.begin_array();
    for (const auto& e : *list) {
      w.begin_object();
      w.key("id"), w.value(e.id);
      w.key("uid"), w.value(e.uid);
      w.key("state"), w.value(exception_state(e, today, args.expiring_days));
      w.key("rule"), w.value(e.rule);
      w.key("resource"), w.value(e.resource);
      w.key("reason"), w.value(e.reason);
      w.key("approver"), w.value(e.approver);
      w.key("expires"), w.value(e.expires);
      w.key("created_at"), w.value(store::format_time(e.created_at));
      w.key("created_by"), w.value(e.created_by);
      w.key("revoked_at");
      if (e.revoked_at)
        w.value(store::format_time(*e.revoked_at));
      else
        w.null();
      w.key("revoked_by"), w.value(e.revoked_by);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"ID", "STATE", "EXPIRES", "RULE", "RESOURCE", "APPROVER", "REASON"}, {}};
  for (const auto& e : *list) {
    t.rows.push_back({std::to_string(e.id), exception_state(e, today, args.expiring_days), e.expires, e.rule,
                      e.resource, e.approver, e.reason});
  }
  std::cout << t.render(args.format);
  if (args.format == "table") {
    std::cout << list->size() << " exception(s); " << expired << " expired, " << expiring
              << " expiring within " << args.expiring_days << " days\n";
  }
  return kExitOk;
}

int run_revoke(const ExceptionArgs& args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  if (args.reason.empty()) {
    std::cerr << "error: --reason is required (why the exception is revoked)\n";
    return kExitUsage;
  }
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto st = db->revoke_exception(args.id, actor(args.by), *now, args.reason);
  if (!st.ok()) return report_store_error(st.error());
  std::cout << "exception " << args.id << " revoked\n";
  return kExitOk;
}

int run_audit(const ExceptionArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto list = db->audit("exception", args.id);
  if (!list.ok()) return report_store_error(list.error());
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_array();
    for (const auto& a : *list) {
      w.begin_object();
      w.key("exception"), w.value(a.entity_id);
      w.key("action"), w.value(a.action);
      w.key("actor"), w.value(a.actor);
      w.key("at"), w.value(store::format_time(a.at));
      w.key("detail"), w.value(a.detail);
      w.end_object();
    }
    w.end_array();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"EXCEPTION", "ACTION", "BY", "AT", "DETAIL"}, {}};
  for (const auto& a : *list) {
    t.rows.push_back({std::to_string(a.entity_id), a.action, a.actor, store::format_time(a.at), a.detail});
  }
  std::cout << t.render(args.format);
  return kExitOk;
}

}  // namespace

void add_exception_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ExceptionArgs>();
  CLI::App* cmd = app.add_subcommand("exception", "Stored exceptions: accepted risks that suppress findings");
  cmd->require_subcommand(1);
  cmd->footer(
      "'sekimori scan --store' honours stored exceptions exactly like .sekimori/exceptions.yaml.\n"
      "Every add and revoke is kept in an audit trail ('sekimori exception audit').");

  CLI::App* add = add_store_subcommand(cmd, "add", "Add an exception", args, run, run_add);
  add->add_option("--rule", args->rec.rule, "Rule ID, glob (SKM-AWS-S3-*) or * (required)");
  add->add_option(
      "--resource", args->rec.resource,
      "Glob on the resource identity (logical ID, name or ARN as the report shows it), e.g. 'Logs*' "
      "(required)");
  add->add_option("--reason", args->rec.reason, "Why the risk is accepted (required)");
  add->add_option("--approver", args->rec.approver, "Who accepted the risk (required)");
  add->add_option("--expires", args->rec.expires,
                  "Last day it applies, YYYY-MM-DD (required, not in the past)");
  add->add_option("--by", args->by, "Who records it (default: $SEKIMORI_USER or $USER)");
  add->add_option("--now", args->now, "The current time (RFC 3339), for reproducible records")->group("");
  add->footer(
      "Example: sekimori exception add --rule SKM-AWS-S3-004 --resource 'Logs*' \\\n"
      "           --reason 'access logs of access logs' --approver security@example.com --expires "
      "2026-12-31");

  CLI::App* list = add_store_subcommand(cmd, "list", "List exceptions, flagging expired and expiring ones",
                                        args, run, run_list);
  list->add_flag("--all", args->all, "Include revoked exceptions");
  list->add_option("--expiring-days", args->expiring_days,
                   "Flag exceptions expiring within N days (default 30)");
  list->add_option("--format", args->format, "Output: table (default), json, csv");
  add_now_option(list, args->now);

  CLI::App* revoke = add_store_subcommand(cmd, "revoke", "Revoke an exception (kept, with who and why)", args,
                                          run, run_revoke);
  revoke->add_option("id", args->id, "Exception ID (see 'sekimori exception list')")->required();
  revoke->add_option("--reason", args->reason, "Why it is revoked (required)");
  revoke->add_option("--by", args->by, "Who revokes it (default: $SEKIMORI_USER or $USER)");
  add_now_option(revoke, args->now);

  CLI::App* audit = add_store_subcommand(cmd, "audit", "Show the audit trail of exceptions (all, or one ID)",
                                         args, run, run_audit);
  audit->add_option("id", args->id, "Exception ID (default: all)");
  audit->add_option("--format", args->format, "Output: table (default), json, csv");
}

}  // namespace sekimori::cli
