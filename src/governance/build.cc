// Builds the responsibility, threats and framework reports from one scan's evidence.
// The rules for status and coverage are in docs/governance-reports.md.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "governance/governance.h"

namespace sekimori::governance {

namespace {

using knowledge::KnowledgeBase;
using knowledge::Owner;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// What the reports share: rule results by rule and by (rule, service model), the
// effective service model of each type (user reclassification first), detections by
// name and id.
class Context {
 public:
  explicit Context(const Evidence& ev) : ev_(ev), kb_(*ev.kb) {
    if (ev.services != nullptr)
      services_ = *ev.services;
    else
      services_ = default_services();
    if (ev.rules != nullptr)
      for (const policy::Rule& r : ev.rules->rules()) rules_[r.id] = &r;
    if (ev.scan != nullptr) {
      for (const policy::Finding& f : ev.scan->findings) {
        if (f.rule == nullptr) continue;
        count(totals_[f.rule->id], f.status);
        count(by_model_[{f.rule->id, model_of(ev.scan->resource_of(f).type)}], f.status);
      }
      if (ev.rules != nullptr) {  // passes are kept compact, beside the findings
        for (const policy::Pass& p : ev.scan->passes) {
          const std::string& id = ev.rules->rules()[p.rule].id;
          count(totals_[id], policy::Status::kPass);
          count(by_model_[{id, model_of(ev.scan->resources[p.resource].type)}], policy::Status::kPass);
        }
      }
    }
    if (ev.detections != nullptr) {
      for (const detect::Rule& d : ev.detections->rules()) {
        if (d.kind == detect::RuleKind::kFilter) continue;
        if (!d.name.empty()) detections_.emplace(d.name, &d);
        if (!d.id.empty()) detections_.emplace(d.id, &d);
      }
    }
    for (const model::Resource& r : ev.resources) ++types_[r.type];
  }

  [[nodiscard]] const KnowledgeBase& kb() const { return kb_; }
  [[nodiscard]] const ServicesFile& services() const { return services_; }
  [[nodiscard]] const std::map<std::string, size_t>& estate_types() const { return types_; }

  // The user's entry for a type: exact first, else the longest matching glob.
  [[nodiscard]] const TypeOverride* type_override(std::string_view type) const {
    const TypeOverride* best = nullptr;
    for (const TypeOverride& o : services_.types) {
      if (!o.glob) {
        if (o.pattern == type) return &o;
        continue;
      }
      if (type.substr(0, o.pattern.size()) == o.pattern &&
          (best == nullptr || o.pattern.size() > best->pattern.size()))
        best = &o;
    }
    return best;
  }

  // The service model id of a canonical type; empty when unclassified.
  [[nodiscard]] std::string model_of(std::string_view type) const {
    if (const TypeOverride* o = type_override(type); o != nullptr && !o->model.empty()) return o->model;
    const knowledge::TypeClass* c = kb_.classify(type);
    return c == nullptr ? std::string() : c->model;
  }

  [[nodiscard]] std::optional<Owner> owner(const knowledge::Layer& layer, size_t model_index,
                                           const std::string** reason = nullptr) const {
    const std::string& model = kb_.models()[model_index].id;
    for (const OwnerOverride& o : services_.overrides) {
      if (o.layer == layer.id && o.model == model) {
        if (reason != nullptr) *reason = &o.reason;
        return o.owner;
      }
    }
    if (model_index >= layer.owners.size()) return std::nullopt;
    return layer.owners[model_index];
  }

  // The check of a loaded rule (counts over every resource), or nullopt if not loaded.
  [[nodiscard]] std::optional<RuleCheck> rule_check(const std::string& id) const {
    auto it = rules_.find(id);
    if (it == rules_.end()) return std::nullopt;
    RuleCheck c = blank(*it->second);
    if (auto t = totals_.find(id); t != totals_.end()) add(c, t->second);
    return c;
  }

  // The same, counting only resources of one service model.
  [[nodiscard]] RuleCheck rule_check(const policy::Rule& r, const std::string& model) const {
    RuleCheck c = blank(r);
    if (auto t = by_model_.find({r.id, model}); t != by_model_.end()) add(c, t->second);
    return c;
  }

  [[nodiscard]] DetectionCheck detection_check(const std::string& ref) const {
    DetectionCheck d;
    d.ref = ref;
    if (auto it = detections_.find(ref); it != detections_.end()) {
      d.loaded = true;
      d.id = it->second->id;
      d.title = it->second->title;
      d.level = it->second->level;
    }
    return d;
  }

  // Detections whose tags name `tag` (lower case, "ccm.iam-16"), sorted by name.
  [[nodiscard]] std::vector<DetectionCheck> tagged(const std::string& tag) const {
    std::vector<DetectionCheck> out;
    if (ev_.detections == nullptr) return out;
    for (const detect::Rule& d : ev_.detections->rules()) {
      if (d.kind == detect::RuleKind::kFilter) continue;
      for (const std::string& t : d.tags) {
        if (lower(t) == tag) {
          out.push_back(detection_check(d.name.empty() ? d.id : d.name));
          break;
        }
      }
    }
    std::sort(out.begin(), out.end(),
              [](const DetectionCheck& a, const DetectionCheck& b) { return a.ref < b.ref; });
    return out;
  }

  [[nodiscard]] const std::map<std::string, const policy::Rule*>& rules() const { return rules_; }

  [[nodiscard]] ReportMeta meta() const {
    ReportMeta m;
    m.time = ev_.time;
    m.tool_version = ev_.tool_version;
    m.rule_pack_version = ev_.rule_pack_version;
    m.targets = ev_.targets;
    m.resources = ev_.resources.size();
    m.rules = rules_.size();
    if (ev_.detections != nullptr)
      for (const detect::Rule& d : ev_.detections->rules())
        m.detections += d.kind != detect::RuleKind::kFilter;
    return m;
  }

 private:
  struct Counts {
    size_t pass = 0, fail = 0, unknown = 0, error = 0, suppressed = 0;
  };
  static void count(Counts& c, policy::Status s) {
    switch (s) {
      case policy::Status::kPass:
        ++c.pass;
        break;
      case policy::Status::kFail:
        ++c.fail;
        break;
      case policy::Status::kUnknown:
        ++c.unknown;
        break;
      case policy::Status::kError:
        ++c.error;
        break;
      case policy::Status::kSuppressed:
        ++c.suppressed;
        break;
    }
  }
  static RuleCheck blank(const policy::Rule& r) {
    RuleCheck c;
    c.id = r.id;
    c.title = r.title;
    c.severity = policy::severity_name(r.severity);
    return c;
  }
  static void add(RuleCheck& c, const Counts& n) {
    c.pass += n.pass;
    c.fail += n.fail;
    c.unknown += n.unknown;
    c.error += n.error;
    c.suppressed += n.suppressed;
  }

  const Evidence& ev_;
  const KnowledgeBase& kb_;
  ServicesFile services_;
  std::map<std::string, const policy::Rule*> rules_;
  std::map<std::string, Counts> totals_;
  std::map<std::pair<std::string, std::string>, Counts> by_model_;
  std::map<std::string, const detect::Rule*, std::less<>> detections_;
  std::map<std::string, size_t> types_;
};

// CCM v4 gives ownership for IaaS, PaaS and SaaS; the other models borrow the nearest.
std::string ccm_column(std::string_view model) {
  if (model == "iaas") return "iaas";
  if (model == "paas" || model == "k8s-aas" || model == "caas" || model == "faas") return "paas";
  if (model == "saas" || model == "ncaas") return "saas";
  return {};  // on-prem: nothing to inherit
}

std::optional<Owner> ccm_owner(const knowledge::CcmControl& c, std::string_view column) {
  if (column == "iaas") return c.ownership.iaas;
  if (column == "paas") return c.ownership.paas;
  return c.ownership.saas;
}

void sort_checks(std::vector<RuleCheck>& rules, std::vector<DetectionCheck>& detections) {
  std::sort(rules.begin(), rules.end(), [](const RuleCheck& a, const RuleCheck& b) { return a.id < b.id; });
  rules.erase(std::unique(rules.begin(), rules.end(),
                          [](const RuleCheck& a, const RuleCheck& b) { return a.id == b.id; }),
              rules.end());
  std::sort(detections.begin(), detections.end(),
            [](const DetectionCheck& a, const DetectionCheck& b) { return a.ref < b.ref; });
  detections.erase(
      std::unique(detections.begin(), detections.end(),
                  [](const DetectionCheck& a, const DetectionCheck& b) { return a.ref == b.ref; }),
      detections.end());
}

}  // namespace

std::string check_status(std::span<const RuleCheck> rules, std::span<const DetectionCheck> detections) {
  size_t pass = 0, fail = 0, evaluated = 0;
  for (const RuleCheck& r : rules) {
    pass += r.pass;
    fail += r.fail;
    evaluated += r.evaluated();
  }
  if (fail > 0) return "fail";
  if (pass > 0) return "pass";
  if (evaluated > 0) return "unknown";
  if (!rules.empty()) return "no-resources";
  if (std::any_of(detections.begin(), detections.end(), [](const DetectionCheck& d) { return d.loaded; }))
    return "watching";
  return "not-covered";
}

// ---------------------------------------------------------------------------------------

ResponsibilityReport build_responsibility(const Evidence& ev) {
  Context cx(ev);
  const KnowledgeBase& kb = cx.kb();
  ResponsibilityReport r;
  r.meta = cx.meta();
  r.roles = cx.services().roles;
  for (const knowledge::ServiceModel& m : kb.models()) r.models.push_back(m.id);
  r.in_use.assign(r.models.size(), false);
  auto model_index = [&](const std::string& id) -> size_t {
    return static_cast<size_t>(std::find(r.models.begin(), r.models.end(), id) - r.models.begin());
  };

  // Services in use: estate types and declared services.
  std::set<std::string> aws_models;  // models with resources CloudTrail can see
  for (const auto& [type, count] : cx.estate_types()) {
    std::string model = cx.model_of(type);
    if (model.empty()) {
      r.unclassified_types.push_back(type);
      continue;
    }
    ServiceInUse s;
    s.name = type;
    s.model = model;
    s.source = "estate";
    const knowledge::TypeClass* tc = kb.classify(type);
    s.category = tc != nullptr ? tc->category : "";
    if (const TypeOverride* o = cx.type_override(type)) s.team = o->team;
    s.provider = type.rfind("aws_", 0) == 0 ? "AWS" : "";
    s.resources = count;
    r.in_use[model_index(model)] = true;
    if (type.rfind("aws_", 0) == 0) aws_models.insert(model);
    r.services.push_back(std::move(s));
  }
  for (const DeclaredService& d : cx.services().services) {
    ServiceInUse s;
    s.name = d.name;
    s.model = d.model;
    s.source = "declared";
    s.provider = d.provider;
    s.team = d.team;
    r.in_use[model_index(d.model)] = true;
    r.services.push_back(std::move(s));
  }
  std::stable_sort(r.services.begin(), r.services.end(), [&](const ServiceInUse& a, const ServiceInUse& b) {
    return model_index(a.model) < model_index(b.model);
  });

  // The ownership matrix, every model.
  for (const knowledge::Layer& l : kb.layers()) {
    LayerRow row{l.id, l.name, l.synthesis, {}};
    for (size_t i = 0; i < r.models.size(); ++i) {
      const std::string* reason = nullptr;
      OwnershipCell cell;
      cell.owner = cx.owner(l, i, &reason).value_or(Owner::kShared);
      cell.overridden = reason != nullptr;
      if (reason != nullptr)
        cell.note = "override: " + *reason;
      else if (auto n = l.notes.find(r.models[i]); n != l.notes.end())
        cell.note = n->second;
      row.cells.push_back(std::move(cell));
    }
    r.layers.push_back(std::move(row));
  }

  // The customer's responsibilities for the models in use and what checks them.
  std::map<std::string, std::vector<const policy::Rule*>> rules_by_layer;
  for (const auto& [id, rule] : cx.rules()) {
    std::set<const knowledge::Layer*> layers;
    for (const std::string& c : rule->ccm)
      for (const knowledge::Layer* l : kb.layers_for_ccm(c)) layers.insert(l);
    for (const knowledge::Layer* l : layers) rules_by_layer[l->id].push_back(rule);
  }
  for (size_t li = 0; li < kb.layers().size(); ++li) {
    const knowledge::Layer& l = kb.layers()[li];
    for (size_t mi = 0; mi < r.models.size(); ++mi) {
      if (!r.in_use[mi]) continue;
      Owner owner = r.layers[li].cells[mi].owner;
      if (owner == Owner::kProvider) continue;
      ResponsibilityItem item;
      item.layer = l.id;
      item.layer_name = l.name;
      item.model = r.models[mi];
      item.owner = owner;
      for (const policy::Rule* rule : rules_by_layer[l.id]) {
        bool applies = std::any_of(rule->types.begin(), rule->types.end(),
                                   [&](const std::string& t) { return cx.model_of(t) == item.model; });
        if (applies) item.rules.push_back(cx.rule_check(*rule, item.model));
      }
      if (aws_models.count(item.model))
        for (const std::string& d : l.detections) {
          DetectionCheck dc = cx.detection_check(d);
          if (dc.loaded) item.detections.push_back(std::move(dc));
        }
      sort_checks(item.rules, item.detections);
      item.status = check_status(item.rules, item.detections);
      if (item.status == "not-covered")
        ++r.not_covered;
      else
        ++r.covered;
      if (item.status == "fail") ++r.failing;
      r.items.push_back(std::move(item));
    }
  }

  // RACI: defaults from the owner, then the file's assignments (later entries win).
  auto has_role = [&](std::string_view role) {
    return std::find(r.roles.begin(), r.roles.end(), role) != r.roles.end();
  };
  for (size_t li = 0; li < kb.layers().size(); ++li) {
    for (size_t mi = 0; mi < r.models.size(); ++mi) {
      if (!r.in_use[mi]) continue;
      RaciRow row;
      row.layer = kb.layers()[li].id;
      row.layer_name = kb.layers()[li].name;
      row.model = r.models[mi];
      row.owner = r.layers[li].cells[mi].owner;
      std::map<std::string, std::set<char>> letters;
      switch (row.owner) {
        case Owner::kCustomer:
          letters["systems-team"].insert('R');
          letters["csirt"].insert('C');
          letters["procurement"].insert('I');
          break;
        case Owner::kProvider:
          letters["provider"].insert('R');
          letters["procurement"].insert('C');
          letters["csirt"].insert('I');
          letters["systems-team"].insert('I');
          break;
        case Owner::kShared:
          letters["systems-team"].insert('R');
          letters["provider"].insert('R');
          letters["csirt"].insert('C');
          letters["procurement"].insert('I');
          break;
      }
      letters["business-owner"].insert('A');  // accountability never moves
      for (const RaciAssignment& a : cx.services().raci) {
        bool layer_ok =
            a.layers.empty() || std::find(a.layers.begin(), a.layers.end(), row.layer) != a.layers.end();
        bool model_ok =
            a.models.empty() || std::find(a.models.begin(), a.models.end(), row.model) != a.models.end();
        if (!layer_ok || !model_ok) continue;
        letters.clear();
        if (!a.responsible.empty()) letters[a.responsible].insert('R');
        if (!a.accountable.empty()) letters[a.accountable].insert('A');
        for (const std::string& c : a.consulted) letters[c].insert('C');
        for (const std::string& i : a.informed) letters[i].insert('I');
      }
      for (const std::string& role : r.roles) {
        std::string cell;
        auto it = letters.find(role);
        if (it != letters.end() && has_role(role)) {
          for (char c : std::string("RACI"))
            if (it->second.count(c)) cell += (cell.empty() ? "" : "/") + std::string(1, c);
        }
        row.cells.push_back(cell);
      }
      r.raci.push_back(std::move(row));
    }
  }

  // The SaaS provider's own checklist (our main user is one): to attest, with the kind of
  // evidence a tool can add.
  for (const knowledge::ChecklistItem& i : kb.checklist()) {
    ChecklistRow row;
    for (const knowledge::ChecklistArea& a : kb.checklist_areas())
      if (a.id == i.area) row.area = a.title;
    row.id = i.id;
    row.title = i.title;
    if (i.checks & knowledge::kCheckCfg) row.checks.emplace_back("CFG");
    if (i.checks & knowledge::kCheckLog) row.checks.emplace_back("LOG");
    if (i.checks & knowledge::kCheckScan) row.checks.emplace_back("SCAN");
    r.checklist.push_back(std::move(row));
  }

  // Compliance inheritance over the CCM columns the models in use need.
  std::set<std::string> columns;
  for (size_t mi = 0; mi < r.models.size(); ++mi)
    if (r.in_use[mi]) {
      std::string c = ccm_column(r.models[mi]);
      if (!c.empty()) columns.insert(c);
    }
  for (const char* c : {"iaas", "paas", "saas"})
    if (columns.count(c)) r.ccm_columns.emplace_back(c);
  if (!r.ccm_columns.empty()) {
    for (const knowledge::CcmControl& c : kb.ccm_controls()) {
      InheritanceRow row{c.id, c.title, c.domain, {}, {}};
      std::set<Owner> owners;
      bool unknown = false;
      for (const std::string& col : r.ccm_columns) {
        auto o = ccm_owner(c, col);
        row.owners.emplace_back(o ? knowledge::owner_name(*o) : "unknown");
        if (o)
          owners.insert(*o);
        else
          unknown = true;
      }
      if (unknown)
        row.scope = "unknown";
      else if (owners.size() == 1 && *owners.begin() == Owner::kProvider)
        row.scope = "inherited";
      else if (owners.size() == 1 && *owners.begin() == Owner::kCustomer)
        row.scope = "customer";
      else
        row.scope = "shared";
      r.inheritance.push_back(std::move(row));
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------

ThreatsReport build_threats(const Evidence& ev) {
  Context cx(ev);
  const KnowledgeBase& kb = cx.kb();
  ThreatsReport r;
  r.meta = cx.meta();
  for (const knowledge::Stage& s : kb.stages()) r.stages.emplace_back(s.number, s.name);
  size_t all_automated = 0, all_covered = 0;
  for (const knowledge::Threat& t : kb.threats()) {
    ThreatRow row;
    row.key = t.key;
    row.name = t.name;
    row.summary = t.summary;
    row.rank = t.rank;
    row.impact = t.impact;
    for (const knowledge::CrosswalkLink* l : kb.successors(t.key)) row.successors_2024.push_back(l->to);
    std::set<std::string> rules_seen, detections_seen;
    for (const knowledge::Countermeasure& c : t.countermeasures) {
      CountermeasureRow cm;
      cm.stage = c.stage;
      cm.paper_stage = c.paper_stage;
      cm.item = c.item;
      const knowledge::CountermeasureItem* item = kb.item(c.item);
      cm.title = item != nullptr ? item->title : c.item;
      cm.mode = c.mode;
      if (c.checks & knowledge::kCheckCfg) cm.checks.emplace_back("CFG");
      if (c.checks & knowledge::kCheckLog) cm.checks.emplace_back("LOG");
      if (c.checks & knowledge::kCheckScan) cm.checks.emplace_back("SCAN");
      for (const std::string& id : c.rules) {
        if (auto rc = cx.rule_check(id))
          cm.rules.push_back(std::move(*rc));
        else
          cm.missing_rules.push_back(id);
      }
      for (const std::string& d : c.detections) {
        DetectionCheck dc = cx.detection_check(d);
        if (dc.loaded) cm.detections.push_back(std::move(dc));
      }
      sort_checks(cm.rules, cm.detections);
      StageCell& cell = row.stages[std::clamp(c.stage, 1, 6) - 1];
      if (c.mode == knowledge::Mode::kOrganisational) {
        cm.status = "manual";
        ++row.organisational;
        ++cell.organisational;
      } else {
        cm.status = check_status(cm.rules, cm.detections);
        ++row.automated;
        ++cell.automated;
        if (cm.status != "not-covered") {
          ++row.covered;
          ++cell.covered;
        }
        for (const RuleCheck& rc : cm.rules) {
          cell.failing_rules += rc.fail > 0;
          if (rules_seen.insert(rc.id).second) {
            row.fail += rc.fail;
            row.pass += rc.pass;
          }
        }
        for (const DetectionCheck& dc : cm.detections) detections_seen.insert(dc.ref);
      }
      row.countermeasures.push_back(std::move(cm));
    }
    row.distinct_rules = rules_seen.size();
    row.distinct_detections = detections_seen.size();
    row.coverage =
        row.automated == 0 ? 0.0 : static_cast<double>(row.covered) / static_cast<double>(row.automated);
    all_automated += row.automated;
    all_covered += row.covered;
    r.threats.push_back(std::move(row));
  }
  r.coverage =
      all_automated == 0 ? 0.0 : static_cast<double>(all_covered) / static_cast<double>(all_automated);
  // Weakest: lowest coverage, then fewest distinct checks, then most failing findings.
  std::vector<const ThreatRow*> order;
  for (const ThreatRow& t : r.threats) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](const ThreatRow* a, const ThreatRow* b) {
    if (a->coverage != b->coverage) return a->coverage < b->coverage;
    size_t ca = a->distinct_rules + a->distinct_detections, cb = b->distinct_rules + b->distinct_detections;
    if (ca != cb) return ca < cb;
    return a->fail > b->fail;
  });
  for (size_t i = 0; i < order.size() && i < 3; ++i) r.weakest.push_back(order[i]->key);
  return r;
}

// ---------------------------------------------------------------------------------------

std::optional<Framework> framework_by_name(std::string_view name) {
  if (name == "ccm-v4") return Framework::kCcmV4;
  if (name == "cis-aws-v7") return Framework::kCisAwsV7;
  if (name == "top-threats-2019") return Framework::kTopThreats2019;
  if (name == "top-threats-2024") return Framework::kTopThreats2024;
  return std::nullopt;
}

const char* framework_name(Framework f) {
  switch (f) {
    case Framework::kCcmV4:
      return "ccm-v4";
    case Framework::kCisAwsV7:
      return "cis-aws-v7";
    case Framework::kTopThreats2019:
      return "top-threats-2019";
    case Framework::kTopThreats2024:
      return "top-threats-2024";
  }
  return "?";
}

const char* framework_title(Framework f) {
  switch (f) {
    case Framework::kCcmV4:
      return "CSA Cloud Controls Matrix v4.0";
    case Framework::kCisAwsV7:
      return "CIS AWS Foundations Benchmark v7.0.0";
    case Framework::kTopThreats2019:
      return "CSA Top Threats to Cloud Computing: Egregious Eleven (2019)";
    case Framework::kTopThreats2024:
      return "CSA Top Threats to Cloud Computing (2024)";
  }
  return "?";
}

FrameworkReport build_framework(const Evidence& ev, Framework framework) {
  Context cx(ev);
  const KnowledgeBase& kb = cx.kb();
  FrameworkReport r;
  r.meta = cx.meta();
  r.framework = framework;

  // Rules per control ID, from the rules' own mappings.
  std::map<std::string, std::vector<std::string>> rules_for;
  for (const auto& [id, rule] : cx.rules()) {
    const std::vector<std::string>& ids = framework == Framework::kCcmV4      ? rule->ccm
                                          : framework == Framework::kCisAwsV7 ? rule->cis_aws
                                                                              : rule->threats;
    for (const std::string& c : ids) rules_for[c].push_back(id);
  }
  // The 2019 countermeasures add their rules and detections to their threat.
  std::map<std::string, std::vector<std::string>> detections_for;
  for (const knowledge::Threat& t : kb.threats()) {
    for (const knowledge::Countermeasure& c : t.countermeasures) {
      rules_for[t.key].insert(rules_for[t.key].end(), c.rules.begin(), c.rules.end());
      detections_for[t.key].insert(detections_for[t.key].end(), c.detections.begin(), c.detections.end());
    }
  }
  if (framework == Framework::kTopThreats2019 || framework == Framework::kTopThreats2024) {
    for (const knowledge::Threat& t : kb.threats())
      for (const DetectionCheck& d : cx.tagged("csa." + lower(t.key))) detections_for[t.key].push_back(d.ref);
  }

  // Models in use, for CCM ownership.
  std::vector<std::string> columns;
  {
    std::set<std::string> cols;
    for (const auto& [type, n] : cx.estate_types()) {
      std::string c = ccm_column(cx.model_of(type));
      if (!c.empty()) cols.insert(c);
    }
    for (const DeclaredService& d : cx.services().services) {
      std::string c = ccm_column(d.model);
      if (!c.empty()) cols.insert(c);
    }
    for (const char* c : {"iaas", "paas", "saas"})
      if (cols.empty() || cols.count(c)) columns.emplace_back(c);
  }

  auto fill = [&](ControlRow& row, const std::vector<std::string>& rule_ids,
                  const std::vector<std::string>& dets, const std::string& tag) {
    for (const std::string& id : rule_ids)
      if (auto rc = cx.rule_check(id)) row.rules.push_back(std::move(*rc));
    for (const std::string& d : dets) {
      DetectionCheck dc = cx.detection_check(d);
      if (dc.loaded) row.detections.push_back(std::move(dc));
    }
    if (!tag.empty())
      for (DetectionCheck& d : cx.tagged(tag)) row.detections.push_back(std::move(d));
    sort_checks(row.rules, row.detections);
    for (const RuleCheck& rc : row.rules) {
      row.fail += rc.fail;
      row.pass += rc.pass;
    }
    row.status = check_status(row.rules, row.detections);
  };

  std::map<std::string, size_t> group_index;
  auto group = [&](const std::string& id, const std::string& name) -> GroupRow& {
    auto it = group_index.find(id);
    if (it != group_index.end()) return r.groups[it->second];
    group_index.emplace(id, r.groups.size());
    r.groups.push_back(GroupRow{id, name, 0, 0, 0, 0, 0, 0, 0, 0, 0.0});
    return r.groups.back();
  };

  switch (framework) {
    case Framework::kCcmV4:
      for (const knowledge::CcmDomain& d : kb.ccm_domains()) {
        group(d.code, d.name);
        for (const std::string& id : d.controls) {
          const knowledge::CcmControl* c = kb.ccm_control(id);
          if (c == nullptr) continue;
          ControlRow row;
          row.id = c->id;
          row.title = c->title;
          row.group = d.code;
          fill(row, rules_for[c->id], {}, "ccm." + lower(c->id));
          for (const std::string& col : columns) {
            auto o = ccm_owner(*c, col);
            row.ownership +=
                (row.ownership.empty() ? "" : " ") + col + "=" + (o ? knowledge::owner_name(*o) : "?");
          }
          r.controls.push_back(std::move(row));
        }
      }
      break;
    case Framework::kCisAwsV7:
      for (const knowledge::CisSection& s : kb.cis_aws_sections())
        if (s.id.find('.') == std::string::npos) group(s.id, s.title);
      for (const knowledge::CisRecommendation& c : kb.cis_aws_recommendations()) {
        ControlRow row;
        row.id = c.id;
        row.title = c.title;
        row.group = c.id.substr(0, c.id.find('.'));
        fill(row, rules_for[c.id], {}, "cis-aws." + c.id);
        if (!c.automated && row.status == "not-covered") row.status = "manual";
        row.note = "level " + std::to_string(c.level) + ", " + (c.automated ? "automated" : "manual");
        if (group_index.find(row.group) == group_index.end()) group(row.group, "Section " + row.group);
        r.controls.push_back(std::move(row));
      }
      break;
    case Framework::kTopThreats2019:
      group("all", "Egregious Eleven");
      for (const knowledge::Threat& t : kb.threats()) {
        ControlRow row;
        row.id = t.key;
        row.title = t.name;
        row.group = "all";
        fill(row, rules_for[t.key], detections_for[t.key], "");
        r.controls.push_back(std::move(row));
      }
      break;
    case Framework::kTopThreats2024:
      group("all", "Top Threats 2024");
      for (const knowledge::Threat2024& t : kb.threats_2024()) {
        ControlRow row;
        row.id = t.key;
        row.title = t.name;
        row.group = "all";
        std::vector<std::string> rule_ids, dets;
        for (const knowledge::CrosswalkLink* l : kb.predecessors(t.key)) {
          rule_ids.insert(rule_ids.end(), rules_for[l->from].begin(), rules_for[l->from].end());
          dets.insert(dets.end(), detections_for[l->from].begin(), detections_for[l->from].end());
          row.note += (row.note.empty() ? "from " : ", ") + l->from + " (" +
                      knowledge::relation_name(l->relation) + ")";
        }
        if (row.note.empty()) row.note = "no 2019 predecessor";
        fill(row, rule_ids, dets, "csa." + lower(t.key));
        r.controls.push_back(std::move(row));
      }
      break;
  }

  r.total = GroupRow{"total", "All", 0, 0, 0, 0, 0, 0, 0, 0, 0.0};
  for (const ControlRow& c : r.controls) {
    for (GroupRow* g : {&r.groups[group_index[c.group]], &r.total}) {
      ++g->total;
      if (c.status == "fail")
        ++g->fail;
      else if (c.status == "pass" || c.status == "unknown")
        ++g->pass;
      else if (c.status == "no-resources")
        ++g->no_resources;
      else if (c.status == "watching")
        ++g->watching;
      else if (c.status == "manual")
        ++g->manual;
      else
        ++g->not_covered;
      if (c.status != "not-covered" && c.status != "manual") ++g->covered;
    }
  }
  for (GroupRow* g : {&r.total})
    g->coverage = g->total ? static_cast<double>(g->covered) / static_cast<double>(g->total) : 0;
  for (GroupRow& g : r.groups)
    g.coverage = g.total ? static_cast<double>(g.covered) / static_cast<double>(g.total) : 0;
  // Drop groups with no controls (a CIS section without recommendations).
  r.groups.erase(
      std::remove_if(r.groups.begin(), r.groups.end(), [](const GroupRow& g) { return g.total == 0; }),
      r.groups.end());
  return r;
}

}  // namespace sekimori::governance
