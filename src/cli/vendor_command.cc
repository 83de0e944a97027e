// `sekimori vendor add|list|show|update|assess` — the vendor (third-party) registry.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/store_support.h"
#include "core/json_writer.h"

namespace sekimori::cli {

namespace {

constexpr int kDueDiligenceDays = 365;  // a review older than 12 months is overdue
constexpr int kAttestationWarnDays = 30;

struct VendorArgs {
  std::string store;
  std::string key;  // ID or name
  store::VendorRecord rec;
  std::vector<std::string> attestations;
  std::string by;
  std::string now;
  std::string format = "table";
  store::Assessment review;
  std::vector<std::pair<std::string, CLI::Option*>> given;
  [[nodiscard]] bool has(const std::string& name) const {
    for (const auto& [n, o] : given) {
      if (n == name) return o->count() > 0;
    }
    return false;
  }
};

void add_field_options(CLI::App* c, VendorArgs& a) {
  a.given.emplace_back("name", c->add_option("--name", a.rec.name, "Vendor name (unique)"));
  a.given.emplace_back(
      "service", c->add_option("--service", a.rec.service, "What it provides, e.g. 'identity provider'"));
  a.given.emplace_back("model", c->add_option("--model", a.rec.service_model,
                                              "Service model: SaaS, PaaS, IaaS, K8s-aaS, CaaS, FaaS, NCaaS"));
  a.given.emplace_back("data", c->add_option("--data", a.rec.data_shared, "Data shared with the vendor"));
  a.given.emplace_back("classification", c->add_option("--classification", a.rec.data_classification,
                                                       "Classification of that data: public, internal, "
                                                       "confidential, restricted"));
  a.given.emplace_back("attestation", c->add_option("--attestation", a.attestations,
                                                    "Attestation and its expiry, NAME:YYYY-MM-DD, e.g. "
                                                    "\"SOC 2 Type II:2027-03-31\" (repeatable)"));
  a.given.emplace_back("contract", c->add_option("--contract", a.rec.contract_notes, "Contract notes"));
  a.given.emplace_back("sla", c->add_option("--sla", a.rec.sla_notes, "SLA notes"));
  a.given.emplace_back("dd-status",
                       c->add_option("--dd-status", a.rec.dd_status,
                                     "Due-diligence status: pending, in-progress, approved, conditional, "
                                     "rejected"));
  a.given.emplace_back("dd-date",
                       c->add_option("--dd-date", a.rec.dd_date, "Date of the last due diligence"));
  a.given.emplace_back("data-deletion", c->add_option("--data-deletion", a.rec.offboarding_deletion,
                                                      "Off-boarding: how and when data is deleted"));
  a.given.emplace_back("exit-support", c->add_option("--exit-support", a.rec.offboarding_support,
                                                     "Off-boarding: support after termination"));
  c->add_option("--by", a.by, "Who records it (default: $SEKIMORI_USER or $USER)");
  add_now_option(c, a.now);
}

struct Flags {
  std::vector<std::string> expired, expiring;
  bool dd_overdue = false;
};

Flags flags_of(const store::VendorRecord& v, const std::string& today) {
  Flags f;
  for (const auto& a : v.attestations) {
    if (a.expires < today)
      f.expired.push_back(a.name);
    else if (a.expires <= store::add_days(today, kAttestationWarnDays))
      f.expiring.push_back(a.name);
  }
  f.dd_overdue = v.dd_date.empty() || v.dd_date < store::add_days(today, -kDueDiligenceDays);
  return f;
}

void vendor_json(core::JsonWriter& w, const store::VendorRecord& v, const std::string& today) {
  Flags f = flags_of(v, today);
  w.begin_object();
  w.key("id"), w.value(v.id);
  w.key("uid"), w.value(v.uid);
  w.key("name"), w.value(v.name);
  w.key("service"), w.value(v.service);
  w.key("service_model"), w.value(v.service_model);
  w.key("data_shared"), w.value(v.data_shared);
  w.key("data_classification"), w.value(v.data_classification);
  w.key("attestations");
  w.begin_array();
  for (const auto& a : v.attestations) {
    w.begin_object();
    w.key("name"), w.value(a.name);
    w.key("expires"), w.value(a.expires);
    w.key("expired"), w.value(a.expires < today);
    w.end_object();
  }
  w.end_array();
  w.key("contract_notes"), w.value(v.contract_notes);
  w.key("sla_notes"), w.value(v.sla_notes);
  w.key("due_diligence_status"), w.value(v.dd_status);
  w.key("due_diligence_date"), w.value(v.dd_date);
  w.key("due_diligence_overdue"), w.value(f.dd_overdue);
  w.key("offboarding_data_deletion"), w.value(v.offboarding_deletion);
  w.key("offboarding_support"), w.value(v.offboarding_support);
  w.key("assessments");
  w.begin_array();
  for (const auto& a : v.assessments) {
    w.begin_object();
    w.key("date"), w.value(a.date);
    w.key("status"), w.value(a.status);
    w.key("assessor"), w.value(a.assessor);
    w.key("notes"), w.value(a.notes);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

bool apply_attestations(VendorArgs& args) {
  args.rec.attestations.clear();
  for (const std::string& a : args.attestations) {
    auto at = store::parse_attestation(a);
    if (!at.ok()) {
      report_store_error(at.error());
      return false;
    }
    args.rec.attestations.push_back(*at);
  }
  return true;
}

int run_add(VendorArgs args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  if (!apply_attestations(args)) return kExitUsage;
  auto valid = store::validate_vendor(args.rec, make_vocabulary({}));
  if (!valid.ok()) return report_store_error(valid.error());
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  args.rec.created_at = args.rec.updated_at = *now;
  auto added = db->add_vendor(args.rec, actor(args.by));
  if (!added.ok()) return report_store_error(added.error());
  std::cout << "vendor " << added->id << " added (" << added->uid << "): " << added->name << " — "
            << added->service << " (" << added->service_model << ")\n";
  return kExitOk;
}

int run_list(const VendorArgs& args) {
  if (!check_format(args.format, {"table", "json", "csv"})) return kExitUsage;
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto list = db->list_vendors();
  if (!list.ok()) return report_store_error(list.error());
  size_t expired = 0, overdue = 0;
  for (const auto& v : *list) {
    Flags f = flags_of(v, today);
    expired += f.expired.size();
    overdue += f.dd_overdue;
  }
  if (args.format == "json") {
    core::JsonWriter w(2);
    w.begin_object();
    w.key("today"), w.value(today);
    w.key("expired_attestations"), w.value(static_cast<int64_t>(expired));
    w.key("due_diligence_overdue"), w.value(static_cast<int64_t>(overdue));
    w.key("vendors");
    w.begin_array();
    for (const auto& v : *list) vendor_json(w, v, today);
    w.end_array();
    w.end_object();
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  TextTable t{{"ID", "NAME", "SERVICE", "MODEL", "DATA", "DUE DILIGENCE", "ATTESTATIONS", "ATTENTION"}, {}};
  for (const auto& v : *list) {
    Flags f = flags_of(v, today);
    std::string atts, attention;
    for (const auto& a : v.attestations) atts += (atts.empty() ? "" : "; ") + a.name + " " + a.expires;
    for (const auto& n : f.expired) attention += (attention.empty() ? "" : "; ") + n + " expired";
    for (const auto& n : f.expiring) attention += (attention.empty() ? "" : "; ") + n + " expiring";
    if (f.dd_overdue) attention += (attention.empty() ? "" : "; ") + std::string("due diligence overdue");
    t.rows.push_back({std::to_string(v.id), v.name, v.service, v.service_model,
                      v.data_classification.empty() ? "-" : v.data_classification,
                      v.dd_status + (v.dd_date.empty() ? "" : " " + v.dd_date), atts.empty() ? "-" : atts,
                      attention.empty() ? "-" : attention});
  }
  std::cout << t.render(args.format);
  if (args.format == "table") {
    std::cout << list->size() << " vendor(s); " << expired << " expired attestation(s), " << overdue
              << " with due diligence overdue (older than 12 months or never done)\n";
  }
  return kExitOk;
}

int run_show(const VendorArgs& args) {
  if (!check_format(args.format, {"table", "json"})) return kExitUsage;
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  std::string today = store::date_of(*now);
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto v = db->get_vendor(args.key);
  if (!v.ok()) return report_store_error(v.error());
  if (args.format == "json") {
    core::JsonWriter w(2);
    vendor_json(w, *v, today);
    std::cout << w.take() << '\n';
    return kExitOk;
  }
  Flags f = flags_of(*v, today);
  auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::cout << "Vendor " << v->id << ": " << v->name << " (" << v->uid << ")\n"
            << "  service:        " << v->service << " (" << v->service_model << ")\n"
            << "  data shared:    " << dash(v->data_shared) << " [" << dash(v->data_classification) << "]\n"
            << "  due diligence:  " << v->dd_status << " " << dash(v->dd_date)
            << (f.dd_overdue ? " (overdue)" : "") << '\n'
            << "  contract:       " << dash(v->contract_notes) << '\n'
            << "  SLA:            " << dash(v->sla_notes) << '\n'
            << "  data deletion:  " << dash(v->offboarding_deletion) << '\n'
            << "  exit support:   " << dash(v->offboarding_support) << '\n';
  for (const auto& a : v->attestations) {
    std::cout << "  attestation:    " << a.name << " until " << a.expires
              << (a.expires < today ? " (EXPIRED)" : "") << '\n';
  }
  for (const auto& a : v->assessments) {
    std::cout << "  assessed:       " << a.date << " " << a.status << " by " << dash(a.assessor)
              << (a.notes.empty() ? "" : ": " + a.notes) << '\n';
  }
  return kExitOk;
}

int run_update(VendorArgs args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  bool any = false;
  for (const auto& [name, opt] : args.given) any = any || opt->count() > 0;
  if (!any) {
    std::cerr << "error: nothing to update: give at least one field flag (see --help)\n";
    return kExitUsage;
  }
  if (!apply_attestations(args)) return kExitUsage;
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto cur = db->get_vendor(args.key);
  if (!cur.ok()) return report_store_error(cur.error());
  store::VendorRecord v = *cur;
  const store::VendorRecord& in = args.rec;
  if (args.has("name")) v.name = in.name;
  if (args.has("service")) v.service = in.service;
  if (args.has("model")) v.service_model = in.service_model;
  if (args.has("data")) v.data_shared = in.data_shared;
  if (args.has("classification")) v.data_classification = in.data_classification;
  if (args.has("attestation")) v.attestations = in.attestations;
  if (args.has("contract")) v.contract_notes = in.contract_notes;
  if (args.has("sla")) v.sla_notes = in.sla_notes;
  if (args.has("dd-status")) v.dd_status = in.dd_status;
  if (args.has("dd-date")) v.dd_date = in.dd_date;
  if (args.has("data-deletion")) v.offboarding_deletion = in.offboarding_deletion;
  if (args.has("exit-support")) v.offboarding_support = in.offboarding_support;
  auto valid = store::validate_vendor(v, make_vocabulary({}));
  if (!valid.ok()) return report_store_error(valid.error());
  v.updated_at = *now;
  auto st = db->update_vendor(v, actor(args.by));
  if (!st.ok()) return report_store_error(st.error());
  std::cout << "vendor " << v.id << " updated\n";
  return kExitOk;
}

int run_assess(VendorArgs args) {
  auto now = now_ms(args.now);
  if (!now) return kExitUsage;
  if (args.review.date.empty()) args.review.date = store::date_of(*now);
  args.review.assessor = actor(args.review.assessor.empty() ? args.by : args.review.assessor);
  args.review.recorded_at = *now;
  if (!store::is_valid_date(args.review.date)) {
    std::cerr << "error: --date '" << args.review.date
              << "' is not a valid date (YYYY-MM-DD) [store.invalid]\n";
    return kExitUsage;
  }
  if (args.review.date > store::date_of(*now)) {
    std::cerr << "error: --date " << args.review.date << " is in the future [store.invalid]\n";
    return kExitUsage;
  }
  bool known = false;
  for (std::string_view s : store::kDueDiligenceStatuses) known = known || s == args.review.status;
  if (!known) {
    std::cerr << "error: --status must be pending, in-progress, approved, conditional or rejected"
              << (args.review.status.empty() ? " (required)" : ", got '" + args.review.status + "'")
              << " [store.invalid]\n";
    return kExitUsage;
  }
  auto db = open_cli_store(governance_store_path(args.store));
  if (!db) return kExitUsage;
  auto v = db->get_vendor(args.key);
  if (!v.ok()) return report_store_error(v.error());
  auto st = db->add_assessment(v->id, args.review);
  if (!st.ok()) return report_store_error(st.error());
  std::cout << "vendor " << v->id << " (" << v->name << ") assessed " << args.review.date << ": "
            << args.review.status << '\n';
  return kExitOk;
}

}  // namespace

void add_vendor_command(CLI::App& app, std::function<int()>& run) {
  CLI::App* cmd = app.add_subcommand("vendor", "The vendor registry (third-party risk)");
  cmd->require_subcommand(1);
  cmd->footer(
      "Expired attestations and due diligence older than 12 months (or never done) are reported\n"
      "by 'vendor list' and 'vendor show'.");

  auto add_args = std::make_shared<VendorArgs>();
  CLI::App* add = add_store_subcommand(cmd, "add", "Add a vendor", add_args, run, run_add);
  add_field_options(add, *add_args);
  add->footer(
      "Required: --name, --service, --model.\n"
      "Example: sekimori vendor add --name Okta --service 'identity provider' --model SaaS \\\n"
      "           --data 'employee identities' --classification confidential \\\n"
      "           --attestation 'SOC 2 Type II:2027-03-31' --attestation 'ISO/IEC 27001:2026-11-30'");

  auto list_args = std::make_shared<VendorArgs>();
  CLI::App* list =
      add_store_subcommand(cmd, "list", "List vendors with what needs attention", list_args, run, run_list);
  list->add_option("--format", list_args->format, "Output: table (default), json, csv");
  add_now_option(list, list_args->now);

  auto show_args = std::make_shared<VendorArgs>();
  CLI::App* show = add_store_subcommand(cmd, "show", "Show one vendor", show_args, run, run_show);
  show->add_option("vendor", show_args->key, "Vendor ID or name")->required();
  show->add_option("--format", show_args->format, "Output: table (default), json");
  add_now_option(show, show_args->now);

  auto upd_args = std::make_shared<VendorArgs>();
  CLI::App* upd =
      add_store_subcommand(cmd, "update", "Change fields of a vendor (--attestation replaces the list)",
                           upd_args, run, run_update);
  upd->add_option("vendor", upd_args->key, "Vendor ID or name")->required();
  add_field_options(upd, *upd_args);

  auto as_args = std::make_shared<VendorArgs>();
  CLI::App* as = add_store_subcommand(cmd, "assess", "Record a due-diligence review of a vendor", as_args,
                                      run, run_assess);
  as->add_option("vendor", as_args->key, "Vendor ID or name")->required();
  as->add_option("--status", as_args->review.status,
                 "Outcome: pending, in-progress, approved, conditional, rejected (required)");
  as->add_option("--date", as_args->review.date, "Date of the review (default today)");
  as->add_option("--assessor", as_args->review.assessor,
                 "Who reviewed (default: --by, $SEKIMORI_USER or $USER)");
  as->add_option("--notes", as_args->review.notes, "Findings of the review");
  as->add_option("--by", as_args->by, "Who records it");
  add_now_option(as, as_args->now);
  as->footer("Example: sekimori vendor assess Okta --status approved --notes 'SOC 2 report reviewed'");
}

}  // namespace sekimori::cli
