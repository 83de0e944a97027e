// `sekimori risk add|list|show|update|close` — the risk register.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/json_writer.h"

namespace sekimori::cli {

namespace {

struct RiskArgs {
  std::string store;
  store::RiskRecord rec;
  std::vector<std::string> rule_dirs;
  std::string by;
  std::string now;
  std::string format = "table";
  bool all = false;
  int64_t id = 0;
  std::string reason;
  // Which fields an update sets.
  std::vector<std::pair<std::string, CLI::Option*>> given;
  [[nodiscard]] bool has(const std::string& name) const {
    for (const auto& [n, o] : given) {
      if (n == name) return o->count() > 0;
    }
    return false;
  }
};

void add_field_options(CLI::App* c, RiskArgs& a) {
  a.given.emplace_back("title", c->add_option("--title", a.rec.title, "Short name of the risk"));
  a.given.emplace_back("description",
                       c->add_option("--description", a.rec.description, "What could happen, and how"));
  a.given.emplace_back("threat", c->add_option("--threat", a.rec.threats,
                                               "Top Threat key it relates to, e.g. T01 (repeatable)"));
  a.given.emplace_back("likelihood",
                       c->add_option("--likelihood", a.rec.likelihood, "Likelihood 1 (rare) .. 5"));
  a.given.emplace_back("impact", c->add_option("--impact", a.rec.impact, "Impact 1 (minor) .. 5 (severe)"));
  a.given.emplace_back("owner", c->add_option("--owner", a.rec.owner, "Who owns the risk"));
  a.given.emplace_back("treatment",
                       c->add_option("--treatment", a.rec.treatment, "mitigate, transfer, avoid or accept"));
  a.given.emplace_back("rule",
                       c->add_option("--rule", a.rec.rules, "Posture rule ID that checks it (repeatable)"));
  a.given.emplace_back(
      "finding", c->add_option("--finding", a.rec.findings, "Finding fingerprint it covers (repeatable)"));
  a.given.emplace_back("review-date",
                       c->add_option("--review-date", a.rec.review_date, "Next review, YYYY-MM-DD"));
  c->add_option("--rules", a.rule_dirs, "Also accept rule IDs from rules in DIR (repeatable)");
  c->add_option("--by", a.by, "Who records it (default: $SEKIMORI_USER or $USER)");
  add_now_option(c, a.now);
}

void risk_json(core::JsonWriter& w, const store::RiskRecord& r, const std::string& today) {
  auto list = [&](const char* key, const std::vector<std::string>& v) {
    w.key(key);
    w.begin_array();
    for (const std::string& s : v) w.value(s);
    w.end_array();
  };
  w.begin_object();
  w.key("id"), w.value(r.id);
  w.key("uid"), w.value(r.uid);
  w.key("title"), w.value(r.title);
  w.key("description"), w.value(r.description);
  list("threats", r.threats);
  w.key("likelihood"), w.value(r.likelihood);
  w.key("impact"), w.value(r.impact);
  w.key("score"), w.value(r.score());
  w.key("owner"), w.value(r.owner);
  w.key("treatment"), w.value(r.treatment);
  list("rules", r.rules);
  list("findings", r.findings);
  w.key("review_date"), w.value(r.review_date);
  w.key("review_overdue"), w.value(r.status == "open" && r.review_date < today);
  w.key("status"), w.value(r.status);
  w.key("close_reason"), w.value(r.close_reason);
  w.key("created_at"), w.value(store::format_time(r.created_at));
  w.key("updated_at"), w.value(store::format_time(r.updated_at));
  w.key("closed_at");
  if (r.closed_at)
    w.value(store::format_time(*r.closed_at));
  else
    w.null();
  w.end_object();
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "-" : out;
}

int run_add(RiskArgs args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  if (args.rec.treatment.empty()) args.rec.treatment = "mitigate";
  auto valid = store::validate_risk(args.rec, make_vocabulary(args.rule_dirs));
  if (!valid.ok()) return report_store_error(valid.error());
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  args.rec.created_at = args.rec.updated_at = *now;
  auto added = db->add_risk(args.rec, actor(args.by));
  if (!added.ok()) return report_store_error(added.error());
  std::cout << "risk " << added->id << " added (" << added->uid << "): " << added->title << ", score "
            << added->score() << '\n';
  return kExitOk;
}

int run_list(const RiskArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto list = db->list_risks(args.all);
  if (!list.ok()) return report_store_error(list.error());
  std::stable_sort(list->begin(), list->end(),
                   [](const auto& a, const auto& b) { return a.score() > b.score(); });
  size_t overdue = 0;
  for (const auto& r : *list) overdue += r.status == "open" && r.review_date < today;
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("today"), w.value(today);
    w.key("reviews_overdue"), w.value(static_cast<int64_t>(overdue));
    w.key("risks");
    w.begin_array();
    for (const auto& r : *list) risk_json(w, r, today);
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"ID", "SCORE", "L", "I", "STATUS", "TREATMENT", "OWNER", "REVIEW", "THREATS", "TITLE"}, {}};
  for (const auto& r : *list) {
    bool late = r.status == "open" && r.review_date < today;
    t.rows.push_back({std::to_string(r.id), std::to_string(r.score()), std::to_string(r.likelihood),
                      std::to_string(r.impact), r.status, r.treatment, r.owner,
                      r.review_date + (late ? " (overdue)" : ""), joined(r.threats), r.title});
  }
  std::cout << t.render(args.format);
  if (args.format == "table") std::cout << list->size() << " risk(s); " << overdue << " review(s) overdue\n";
  return kExitOk;
}

int run_show(const RiskArgs& args) {
  if (!check_format(args.format, {"table", "json"})) return kExitUsage;
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto r = db->get_risk(args.id);
  if (!r.ok()) return report_store_error(r.error());
  if (args.format == "json") {
    core::JsonWriter w(2);
    risk_json(w, *r, today);
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  std::cout << "Risk " << r->id << ": " << r->title << " (" << r->uid << ")\n"
            << "  status:      " << r->status << (r->close_reason.empty() ? "" : " — " + r->close_reason)
            << '\n'
            << "  score:       " << r->score() << " (likelihood " << r->likelihood << " x impact "
            << r->impact << ")\n"
            << "  owner:       " << r->owner << '\n'
            << "  treatment:   " << r->treatment << '\n'
            << "  review:      " << r->review_date
            << (r->status == "open" && r->review_date < today ? " (overdue)" : "") << '\n'
            << "  threats:     " << joined(r->threats) << '\n'
            << "  rules:       " << joined(r->rules) << '\n'
            << "  findings:    " << joined(r->findings) << '\n'
            << "  description: " << (r->description.empty() ? "-" : r->description) << '\n';
  auto audit = db->audit("risk", r->id);
  if (audit.ok()) {
    for (const auto& a : *audit) {
      std::cout << "  " << store::format_time(a.at) << "  " << a.action << " by " << a.actor << '\n';
    }
  }
  return kExitOk;
}

int run_update(const RiskArgs& args, bool close) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  if (close && args.reason.empty()) {
    std::cerr << "error: --reason is required (why the risk is closed)\n";
    return kExitUsage;
  }
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto cur = db->get_risk(args.id);
  if (!cur.ok()) return report_store_error(cur.error());
  store::RiskRecord r = *cur;
  if (close) {
    if (r.status == "closed") {
      std::cerr << "error: risk " << r.id << " is already closed [store.conflict]\n";
      return kExitUsage;
    }
    r.status = "closed";
    r.close_reason = args.reason;
    r.closed_at = *now;
  } else {
    bool any = false;
    for (const auto& [name, opt] : args.given) any = any || opt->count() > 0;
    if (!any) {
      std::cerr << "error: nothing to update: give at least one field flag (see --help)\n";
      return kExitUsage;
    }
    const store::RiskRecord& in = args.rec;
    if (args.has("title")) r.title = in.title;
    if (args.has("description")) r.description = in.description;
    if (args.has("threat")) r.threats = in.threats;
    if (args.has("likelihood")) r.likelihood = in.likelihood;
    if (args.has("impact")) r.impact = in.impact;
    if (args.has("owner")) r.owner = in.owner;
    if (args.has("treatment")) r.treatment = in.treatment;
    if (args.has("rule")) r.rules = in.rules;
    if (args.has("finding")) r.findings = in.findings;
    if (args.has("review-date")) r.review_date = in.review_date;
    auto valid = store::validate_risk(r, make_vocabulary(args.rule_dirs));
    if (!valid.ok()) return report_store_error(valid.error());
  }
  r.updated_at = *now;
  auto st = db->update_risk(r, actor(args.by), close ? "close" : "update");
  if (!st.ok()) return report_store_error(st.error());
  std::cout << "risk " << r.id << (close ? " closed" : " updated") << ", score " << r.score() << '\n';
  return kExitOk;
}

}  // namespace

void add_risk_command(CLI::App& app, std::function<int()>& run) {
  CLI::App* cmd = app.add_subcommand("risk", "The risk register: add, list, show, update and close risks");
  cmd->require_subcommand(1);
  cmd->footer(
      "Score = likelihood x impact (1..25). A risk whose review date has passed is reported overdue.");

  auto add_args = std::make_shared<RiskArgs>();
  CLI::App* add = add_store_subcommand(cmd, "add", "Add a risk", add_args, run, run_add);
  add_field_options(add, *add_args);
  add->footer(
      "Required: --title, --likelihood, --impact, --owner, --review-date (treatment defaults to mitigate).\n"
      "Example: sekimori risk add --title 'Leaked access keys' --likelihood 3 --impact 4 --owner security "
      "\\\n"
      "           --threat T02 --rule SKM-AWS-IAM-001 --review-date 2026-06-30");

  auto list_args = std::make_shared<RiskArgs>();
  CLI::App* list = add_store_subcommand(cmd, "list", "List risks by score, flagging overdue reviews",
                                        list_args, run, run_list);
  list->add_flag("--all", list_args->all, "Include closed risks");
  list->add_option("--format", list_args->format, "Output: table (default), json, csv");
  add_now_option(list, list_args->now);

  auto show_args = std::make_shared<RiskArgs>();
  CLI::App* show =
      add_store_subcommand(cmd, "show", "Show one risk and its history", show_args, run, run_show);
  show->add_option("id", show_args->id, "Risk ID")->required();
  show->add_option("--format", show_args->format, "Output: table (default), json");
  add_now_option(show, show_args->now);

  auto upd_args = std::make_shared<RiskArgs>();
  CLI::App* upd =
      add_store_subcommand(cmd, "update", "Change fields of a risk (list flags replace the whole list)",
                           upd_args, run, [](const RiskArgs& a) { return run_update(a, false); });
  upd->add_option("id", upd_args->id, "Risk ID")->required();
  add_field_options(upd, *upd_args);

  auto close_args = std::make_shared<RiskArgs>();
  CLI::App* close = add_store_subcommand(cmd, "close", "Close a risk (kept in the register)", close_args, run,
                                         [](const RiskArgs& a) { return run_update(a, true); });
  close->add_option("id", close_args->id, "Risk ID")->required();
  close->add_option("--reason", close_args->reason, "Why it is closed (required)");
  close->add_option("--by", close_args->by, "Who closes it (default: $SEKIMORI_USER or $USER)");
  add_now_option(close, close_args->now);
}

}  // namespace sekimori::cli
