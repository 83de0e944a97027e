// Terraform plan JSON adapter (`terraform show -json`): planned_values (root and child
// modules), after_unknown overlays (values known only after apply become unknown), and
// folding of split resources through `configuration` references or equal values.
#include <functional>
#include <unordered_map>

#include "model/internal/adapters.h"

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;
using formats::Pos;

namespace {

// "module.m[0].aws_s3_bucket.b[\"k\"]" -> "module.m.aws_s3_bucket.b"
std::string strip_indexes(std::string_view a) {
  std::string out;
  out.reserve(a.size());
  size_t i = 0;
  while (i < a.size()) {
    size_t open = a.find('[', i);
    if (open == std::string_view::npos) {
      out.append(a.substr(i));
      break;
    }
    out.append(a.substr(i, open - i));
    // Skip the bracket group; a key's quotes may hold brackets and escaped quotes.
    bool quoted = false;
    for (i = open + 1; i < a.size(); ++i) {
      char c = a[i];
      if (quoted) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ']') {
        ++i;
        break;
      }
    }
  }
  return out;
}

// The trailing index of an address ("[\"k\"]" or "[0]"), or "".
std::string_view index_of(std::string_view a) {
  if (a.empty() || a.back() != ']') return {};
  // Find the matching '[' of the last bracket group (keys may contain brackets in quotes).
  bool quoted = false;
  for (size_t i = a.size() - 1; i-- > 0;) {
    char c = a[i];
    if (c == '"' && (i == 0 || a[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && c == '[') return a.substr(i);
  }
  return {};
}

// The module path of an address, with instance keys ("module.m[0]."), or "".
std::string module_prefix(std::string_view address, std::string_view type) {
  std::string needle = std::string(type) + ".";
  size_t p = address.rfind(needle);
  while (p != std::string_view::npos && p > 0 && address[p - 1] != '.') p = address.rfind(needle, p - 1);
  if (p == std::string_view::npos) return {};
  return std::string(address.substr(0, p));
}

bool has_unknown(const Node& au) {
  if (au.kind() == NodeKind::kBool) return au.as_bool();
  if (au.kind() == NodeKind::kList) {
    for (const Node& c : au.items()) {
      if (has_unknown(c)) return true;
    }
  }
  if (au.kind() == NodeKind::kMap) {
    for (const formats::Member& m : au.members()) {
      if (has_unknown(m.value)) return true;
    }
  }
  return false;
}

// Copies `v` with the after_unknown overlay `au` applied (true -> unknown).
// True when a map anywhere inside `n` has a null-valued member.
bool has_null_member(const Node& n) {
  if (n.kind() == NodeKind::kList) {
    for (const Node& c : n.items()) {
      if (has_null_member(c)) return true;
    }
  }
  if (n.kind() == NodeKind::kMap) {
    for (const formats::Member& m : n.members()) {
      if (m.value.is_null() || has_null_member(m.value)) return true;
    }
  }
  return false;
}

// Copies `v` with the after_unknown overlay `au` applied (true -> unknown) and without
// null-valued map members: plan JSON writes `null` for every attribute the configuration
// does not set, which means "not set" (as in HCL), not a value a rule may see.
core::Status overlay(formats::Builder& b, const Node* v, const Node* au, Pos at) {
  if (au != nullptr && au->kind() == NodeKind::kBool && au->as_bool()) return b.add_unknown(v ? v->pos() : at);
  if (v == nullptr) return b.add_null(at);
  bool unknowns = au != nullptr && has_unknown(*au);
  if ((!unknowns && !has_null_member(*v)) || b.depth() + 2 >= b.limits().max_depth) {
    return b.add_shared(v->pos(), *v, 1);
  }
  if (v->kind() == NodeKind::kMap && (au == nullptr || au->kind() == NodeKind::kMap)) {
    SKM_TRY(b.begin_map(v->pos()));
    for (const formats::Member& m : v->members()) {
      const Node* sub = m.key.kind() == NodeKind::kString && au != nullptr ? au->find(m.key.as_string()) : nullptr;
      if (m.value.is_null() && (sub == nullptr || !has_unknown(*sub))) continue;
      SKM_TRY(b.add_shared(m.key.pos(), m.key, 1));
      SKM_TRY(overlay(b, &m.value, sub, m.value.pos()));
    }
    if (au == nullptr) return b.end_map();
    for (const formats::Member& m : au->members()) {  // unknown attributes absent from values
      if (m.key.kind() != NodeKind::kString || v->find(m.key.as_string()) != nullptr) continue;
      if (!has_unknown(m.value)) continue;
      SKM_TRY(b.add_string(v->pos(), m.key.as_string()));
      if (m.value.kind() == NodeKind::kBool) {
        SKM_TRY(b.add_unknown(v->pos()));
      } else {
        SKM_TRY(overlay(b, nullptr, &m.value, v->pos()));
      }
    }
    return b.end_map();
  }
  if (v->kind() == NodeKind::kList && (au == nullptr || au->kind() == NodeKind::kList)) {
    SKM_TRY(b.begin_list(v->pos()));
    for (size_t i = 0; i < v->size(); ++i) {
      const Node* sub = au != nullptr && i < au->size() ? &au->items()[i] : nullptr;
      SKM_TRY(overlay(b, &v->items()[i], sub, v->pos()));
    }
    return b.end_list();
  }
  return b.add_shared(v->pos(), *v, 1);
}

struct PlanResource {
  const Node* node;    // the planned_values resource object
  const Node* values;  // its values
  std::string address;
  std::string type;
};

void collect_module(const Node& module, std::vector<PlanResource>& out, int depth, core::Diagnostics& diags,
                    const formats::Document& doc) {
  if (depth > 64) return;
  // a plan's resources have their members in the same order: each lookup tries the member
  // where the key was last found first
  static formats::FindHint mode_at, address_at, type_at, values_at;
  if (const Node* rs = module.find("resources"); rs != nullptr && rs->kind() == NodeKind::kList) {
    for (const Node& r : rs->items()) {
      const Node* mode = r.find_hinted("mode", mode_at);
      if (mode != nullptr && mode->kind() == NodeKind::kString && mode->as_string() != "managed") continue;
      const Node* address = r.find_hinted("address", address_at);
      const Node* type = r.find_hinted("type", type_at);
      if (address == nullptr || type == nullptr || address->kind() != NodeKind::kString ||
          type->kind() != NodeKind::kString) {
        diags.add(core::Severity::kWarning, "tfplan.schema", "resource without address or type; skipped",
                  doc.location(r));
        continue;
      }
      const Node* values = r.find_hinted("values", values_at);
      out.push_back(PlanResource{&r, values, std::string(address->as_string()), std::string(type->as_string())});
    }
  }
  if (const Node* cm = module.find("child_modules"); cm != nullptr && cm->kind() == NodeKind::kList) {
    for (const Node& c : cm->items()) collect_module(c, out, depth + 1, diags, doc);
  }
}

void collect_config(const Node& module, const std::string& prefix,
                    std::unordered_map<std::string, const Node*>& out, int depth) {
  if (depth > 64) return;
  static formats::FindHint address_at, expressions_at;  // as in collect_module()
  if (const Node* rs = module.find("resources"); rs != nullptr && rs->kind() == NodeKind::kList) {
    for (const Node& r : rs->items()) {
      const Node* address = r.find_hinted("address", address_at);
      const Node* expr = r.find_hinted("expressions", expressions_at);
      if (address != nullptr && address->kind() == NodeKind::kString && expr != nullptr) {
        out.emplace(prefix + std::string(address->as_string()), expr);
      }
    }
  }
  if (const Node* calls = module.find("module_calls"); calls != nullptr && calls->kind() == NodeKind::kMap) {
    for (const formats::Member& m : calls->members()) {
      const Node* sub = m.value.find("module");
      if (sub == nullptr || m.key.kind() != NodeKind::kString) continue;
      collect_config(*sub, prefix + "module." + std::string(m.key.as_string()) + ".", out, depth + 1);
    }
  }
}

}  // namespace

void terraform_fold(std::vector<Unit>& units, SourceFormat schema_format,
                    const std::function<std::vector<std::string>(size_t, std::string_view)>& references) {
  // Lookups by address (views of the units' ids, which stay put while folding); the two
  // fallbacks are built only when a child first needs them.
  std::unordered_map<std::string_view, size_t> by_address;
  by_address.reserve(units.size());
  for (size_t i = 0; i < units.size(); ++i) by_address.emplace(units[i].id, i);
  std::unordered_map<std::string, std::vector<size_t>> by_config;  // address without instance keys
  bool have_by_config = false;
  auto config_units = [&](const std::string& address) -> const std::vector<size_t>* {
    if (!have_by_config) {
      have_by_config = true;
      for (size_t i = 0; i < units.size(); ++i) by_config[strip_indexes(units[i].id)].push_back(i);
    }
    auto c = by_config.find(address);
    return c != by_config.end() ? &c->second : nullptr;
  };
  // Known identifying values of mapped resources, for children that name their parent by value.
  std::unordered_map<std::string_view, std::vector<size_t>> by_value;
  bool have_by_value = false;
  auto value_units = [&](std::string_view value) -> const std::vector<size_t>* {
    if (!have_by_value) {
      have_by_value = true;
      for (size_t p = 0; p < units.size(); ++p) {
        const Unit& pu = units[p];
        if (pu.entry == nullptr || pu.root == nullptr || pu.root->kind() != NodeKind::kMap) continue;
        for (std::string_view k : {"id", "bucket", "name", "arn", "function_name"}) {
          const Node* pv = pu.root->find(k);
          if (pv != nullptr && pv->kind() == NodeKind::kString && pv->size() > 0) {
            auto& v = by_value[pv->as_string()];
            if (v.empty() || v.back() != p) v.push_back(p);
          }
        }
      }
    }
    auto bv = by_value.find(value);
    return bv != by_value.end() ? &bv->second : nullptr;
  };
  fold_units(units, schema_format, [&](size_t ci, const SourceEntry& e) {
    std::vector<size_t> parents;
    const Unit& child = units[ci];
    std::string prefix = module_prefix(child.id, child.source_type);
    std::string_view child_index = index_of(child.id);
    for (const std::string& prop : e.fold) {
      // 1. configuration references ("aws_s3_bucket.logs.id", "aws_s3_bucket.logs").
      for (std::string ref : references(ci, prop)) {
        if (ref.rfind("var.", 0) == 0 || ref.rfind("local.", 0) == 0 || ref.rfind("data.", 0) == 0) continue;
        for (int pass = 0; pass < 2 && parents.empty(); ++pass) {
          std::string cand = prefix + ref;
          if (auto a = by_address.find(cand); a != by_address.end()) {
            parents.push_back(a->second);
            break;
          }
          if (const std::vector<size_t>* c = config_units(strip_indexes(cand))) {
            for (size_t p : *c) {
              if (index_of(units[p].id) == child_index) parents.push_back(p);
            }
            if (parents.empty() && c->size() == 1) parents.push_back((*c)[0]);
          }
          size_t dot = ref.rfind('.');
          if (dot == std::string::npos) break;
          ref.resize(dot);  // drop the attribute: "aws_s3_bucket.logs.id" -> "aws_s3_bucket.logs"
        }
        if (!parents.empty()) return parents;
      }
      // 2. equal values: the child's property names the parent's id, bucket, name or ARN.
      const Node* v = child.root != nullptr ? child.root->find(prop) : nullptr;
      if (v == nullptr || v->kind() != NodeKind::kString || v->size() == 0) continue;
      if (const std::vector<size_t>* bv = value_units(v->as_string())) {
        for (size_t p : *bv) {
          if (p != ci && units[p].entry->type == e.type) parents.push_back(p);
        }
      }
      if (!parents.empty()) return parents;
    }
    return parents;
  });
}

void tfplan_adapt(const formats::Document& doc, const LoadOptions& /*options*/, core::Diagnostics& diags,
                  AdapterOutput& out) {
  const Node& root = doc.root();
  std::vector<PlanResource> plan;
  std::unordered_map<std::string_view, const Node*> unknowns;  // address (in the plan) -> after_unknown
  if (const Node* rc = root.find("resource_changes"); rc != nullptr && rc->kind() == NodeKind::kList) {
    static formats::FindHint address_at, change_at, after_unknown_at;  // as in collect_module()
    for (const Node& c : rc->items()) {
      if (c.find("deposed") != nullptr) continue;  // a deposed object's delete, not the planned one
      const Node* a = c.find_hinted("address", address_at);
      const Node* change = c.find_hinted("change", change_at);
      const Node* au = change != nullptr ? change->find_hinted("after_unknown", after_unknown_at) : nullptr;
      if (a != nullptr && a->kind() == NodeKind::kString && au != nullptr) unknowns.emplace(a->as_string(), au);
    }
  }
  if (const Node* rm = root.find_path({"planned_values", "root_module"})) {
    collect_module(*rm, plan, 0, diags, doc);
  } else if (const Node* rc = root.find("resource_changes"); rc != nullptr && rc->kind() == NodeKind::kList) {
    for (const Node& c : rc->items()) {
      const Node* a = c.find("address");
      const Node* t = c.find("type");
      const Node* mode = c.find("mode");
      const Node* after = c.find_path({"change", "after"});
      if (a == nullptr || t == nullptr || a->kind() != NodeKind::kString || t->kind() != NodeKind::kString) continue;
      if (mode != nullptr && mode->kind() == NodeKind::kString && mode->as_string() != "managed") continue;
      if (after == nullptr || after->is_null()) continue;  // deleted
      plan.push_back(PlanResource{&c, after, std::string(a->as_string()), std::string(t->as_string())});
    }
  } else {
    diags.add(core::Severity::kError, "tfplan.schema", "plan has neither planned_values nor resource_changes",
              doc.location(root));
    return;
  }
  std::unordered_map<std::string, const Node*> config;
  if (const Node* cr = root.find_path({"configuration", "root_module"})) collect_config(*cr, "", config, 0);

  formats::Limits limits;
  limits.max_nodes = UINT64_MAX / 2;
  formats::Builder b(doc.path(), doc.format(), std::string(), limits);
  b.set_file(&doc.path());
  std::vector<size_t> overlaid(plan.size(), SIZE_MAX);
  size_t roots = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    PlanResource& pr = plan[i];
    auto it = unknowns.find(pr.address);
    const Node* au = it != unknowns.end() ? it->second : nullptr;
    if (pr.values != nullptr && ((au != nullptr && has_unknown(*au)) || has_null_member(*pr.values))) {
      core::Status st = overlay(b, pr.values, au, pr.node->pos());
      if (!st.ok()) {
        diags.add_error(st.error(), doc.text());
        return;
      }
      overlaid[i] = roots++;
    }
    Unit u;
    u.id = std::move(pr.address);  // (plan[i] keeps only its nodes from here on)
    u.source_type = pr.type;
    u.fallback_type = std::move(pr.type);
    u.pos = pr.node->pos();
    u.raw = pr.values;
    u.entry = primary_entry(SourceFormat::kTerraformPlan, u.source_type);
    u.passthrough = true;
    out.units.push_back(std::move(u));
  }
  auto aux = std::make_unique<formats::Document>(std::move(b).finish());
  for (size_t i = 0; i < plan.size(); ++i) {
    out.units[i].root = overlaid[i] != SIZE_MAX ? &aux->roots()[overlaid[i]] : plan[i].values;
  }
  out.aux.push_back(std::move(aux));

  terraform_fold(out.units, SourceFormat::kTerraformPlan, [&](size_t ci, std::string_view prop) {
    std::vector<std::string> refs;
    auto it = config.find(strip_indexes(out.units[ci].id));
    const Node* r = it != config.end() ? it->second->find_path({prop, "references"}) : nullptr;
    if (r != nullptr && r->kind() == NodeKind::kList) {
      for (const Node& x : r->items()) {
        if (x.kind() == NodeKind::kString) refs.emplace_back(x.as_string());
      }
    }
    return refs;
  });
  for (Unit& u : out.units) {
    if (u.entry == nullptr && !u.folded && !schema().entries(SourceFormat::kTerraformPlan, u.source_type).empty()) {
      diags.add(core::Severity::kNote, "tfplan.fold_orphan",
                u.id + ": the resource it configures is not in this plan; kept on its own", doc.location(u.pos));
    }
  }
}

}  // namespace sekimori::model::internal
