// The services file: consumed services, owner teams, type reclassification, owner
// overrides and RACI assignments (docs/governance-reports.md, "services.yaml").
#include <algorithm>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>

#include "formats/document.h"
#include "governance/governance.h"

namespace sekimori::governance {

namespace {

using formats::Node;
using formats::NodeKind;

bool is_role(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_type_pattern(std::string_view s, bool& glob) {
  glob = !s.empty() && s.back() == '*';
  if (glob) s.remove_suffix(1);
  if (s.empty() || s.front() == '_') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

class Parser {
 public:
  Parser(const formats::Document& doc, const knowledge::KnowledgeBase& kb, core::Diagnostics& diags,
         const ServicesLimits& limits)
      : doc_(doc), kb_(kb), diags_(diags), limits_(limits) {}

  ServicesFile parse() {
    ServicesFile out;
    out.path = doc_.path();
    if (doc_.roots().empty() || doc_.root().is_null()) {
      for (std::string_view r : kDefaultRoles) out.roles.emplace_back(r);
      return out;  // an empty file is the defaults
    }
    const Node& root = doc_.root();
    if (!check_keys(root, "the services file",
                    {"format", "roles", "services", "types", "overrides", "raci"})) {
      for (std::string_view r : kDefaultRoles) out.roles.emplace_back(r);
      return out;
    }
    if (const Node* f = root.find("format"); f == nullptr) {
      error("services.missing_key", "the services file needs 'format: 1'", root);
    } else if (f->kind() != NodeKind::kInt || f->as_int() != 1) {
      error("services.bad_format", "this build reads services files of format 1", *f);
    }

    if (const Node* roles = root.find("roles");
        roles != nullptr && expect(*roles, NodeKind::kList, "'roles'")) {
      std::set<std::string, std::less<>> seen;
      for (const Node& r : bounded(*roles, "roles")) {
        if (!expect(r, NodeKind::kString, "a role")) continue;
        std::string_view name = r.as_string();
        if (!is_role(name)) {
          error("services.bad_id", "role '" + text(name) + "' must be lower-case words joined by '-'", r);
          continue;
        }
        if (!seen.insert(std::string(name)).second) {
          error("services.duplicate_id", "role '" + text(name) + "' is listed twice", r);
          continue;
        }
        out.roles.emplace_back(name);
      }
    }
    if (out.roles.empty())
      for (std::string_view r : kDefaultRoles) out.roles.emplace_back(r);

    if (const Node* list = root.find("services");
        list != nullptr && expect(*list, NodeKind::kList, "'services'")) {
      std::set<std::string, std::less<>> seen;
      for (const Node& s : bounded(*list, "services")) {
        if (!check_keys(s, "a service", {"name", "model", "provider", "team", "notes"})) continue;
        auto name = string(s, "name", "a service", true);
        auto model = string(s, "model", "a service", true);
        if (!name || !model || !known_model(*model, *s.find("model"))) continue;
        if (!seen.insert(*name).second) {
          error("services.duplicate_id", "service '" + *name + "' is declared twice", *s.find("name"));
          continue;
        }
        DeclaredService d;
        d.name = *name;
        d.model = *model;
        d.provider = string(s, "provider", "a service", false).value_or("");
        d.team = string(s, "team", "a service", false).value_or("");
        d.notes = string(s, "notes", "a service", false).value_or("");
        d.location = doc_.location(s);
        out.services.push_back(std::move(d));
      }
    }

    if (const Node* list = root.find("types"); list != nullptr && expect(*list, NodeKind::kList, "'types'")) {
      std::set<std::string, std::less<>> seen;
      for (const Node& t : bounded(*list, "types")) {
        if (!check_keys(t, "a type entry", {"type", "model", "team"})) continue;
        auto type = string(t, "type", "a type entry", true);
        if (!type) continue;
        TypeOverride o;
        if (!is_type_pattern(*type, o.glob)) {
          error("services.bad_id", "'" + *type + "' is not a canonical type name or a 'prefix*' glob",
                *t.find("type"));
          continue;
        }
        o.pattern = o.glob ? type->substr(0, type->size() - 1) : *type;
        auto model = string(t, "model", "a type entry", false);
        if (model && !known_model(*model, *t.find("model"))) continue;
        o.model = model.value_or("");
        o.team = string(t, "team", "a type entry", false).value_or("");
        if (o.model.empty() && o.team.empty()) {
          error("services.missing_key", "a type entry needs 'model' or 'team'", t);
          continue;
        }
        if (!seen.insert(*type).second) {
          error("services.duplicate_id", "type '" + *type + "' is listed twice", *t.find("type"));
          continue;
        }
        o.location = doc_.location(t);
        out.types.push_back(std::move(o));
      }
    }

    if (const Node* list = root.find("overrides");
        list != nullptr && expect(*list, NodeKind::kList, "'overrides'")) {
      std::set<std::pair<std::string, std::string>> seen;
      for (const Node& o : bounded(*list, "overrides")) {
        if (!check_keys(o, "an override", {"model", "layer", "owner", "reason"})) continue;
        auto model = string(o, "model", "an override", true);
        auto layer = string(o, "layer", "an override", true);
        auto owner = string(o, "owner", "an override", true);
        auto reason = string(o, "reason", "an override", true);
        if (!model || !layer || !owner || !reason) continue;
        if (!known_model(*model, *o.find("model"))) continue;
        if (kb_.layer(*layer) == nullptr) {
          error("services.unknown_ref", "'" + *layer + "' is not a responsibility layer", *o.find("layer"));
          continue;
        }
        auto parsed = knowledge::parse_owner(*owner);
        if (!parsed) {
          error("services.bad_owner", "owner is customer, provider or shared, not '" + *owner + "'",
                *o.find("owner"));
          continue;
        }
        if (!seen.insert({*model, *layer}).second) {
          error("services.duplicate_id",
                "layer '" + *layer + "' of model '" + *model + "' is overridden twice", o);
          continue;
        }
        out.overrides.push_back(OwnerOverride{*model, *layer, *parsed, *reason, doc_.location(o)});
      }
    }

    if (const Node* list = root.find("raci"); list != nullptr && expect(*list, NodeKind::kList, "'raci'")) {
      for (const Node& a : bounded(*list, "raci")) {
        if (!check_keys(a, "a RACI entry",
                        {"layers", "models", "responsible", "accountable", "consulted", "informed"}))
          continue;
        RaciAssignment r;
        bool ok = true;
        for (const auto& [name, node] : strings(a, "layers")) {
          if (kb_.layer(name) == nullptr) {
            error("services.unknown_ref", "'" + name + "' is not a responsibility layer", *node);
            ok = false;
          }
          r.layers.push_back(name);
        }
        for (const auto& [name, node] : strings(a, "models")) {
          ok = known_model(name, *node) && ok;
          r.models.push_back(name);
        }
        auto role = [&](std::string_view key, bool single) {
          std::vector<std::string> names;
          const Node* n = a.find(key);
          if (n == nullptr) return names;
          if (single) {
            auto v = string(a, key, "a RACI entry", false);
            if (!v) {
              ok = false;
              return names;
            }
            names.push_back(*v);
            if (!has_role(out.roles, *v, *n)) ok = false;
            return names;
          }
          for (const auto& [name, node] : strings(a, key)) {
            if (!has_role(out.roles, name, *node)) ok = false;
            names.push_back(name);
          }
          return names;
        };
        auto responsible = role("responsible", true);
        auto accountable = role("accountable", true);
        r.consulted = role("consulted", false);
        r.informed = role("informed", false);
        if (!responsible.empty()) r.responsible = responsible.front();
        if (!accountable.empty()) r.accountable = accountable.front();
        if (r.responsible.empty() && r.accountable.empty() && r.consulted.empty() && r.informed.empty()) {
          error("services.missing_key", "a RACI entry names no role", a);
          ok = false;
        }
        if (!ok) continue;
        r.location = doc_.location(a);
        out.raci.push_back(std::move(r));
      }
    }
    // The default RACI letters name the default roles; say so when custom roles have no
    // assignment to take their place.
    if (const Node* roles = root.find("roles"); roles != nullptr && out.raci.empty()) {
      std::vector<std::string> missing;
      for (std::string_view r : kDefaultRoles)
        if (std::find(out.roles.begin(), out.roles.end(), r) == out.roles.end()) missing.emplace_back(r);
      if (!missing.empty()) {
        std::string list;
        for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
        core::Location loc = doc_.location(*roles);
        diags_.add(
            core::Severity::kWarning, "services.raci_defaults",
            "no 'raci' entries: the default assignments use the roles business-owner, csirt, systems-team, "
            "procurement and provider, so " +
                list + " will have no letters",
            loc, core::make_snippet(doc_.text(), loc.line, loc.column));
      }
    }
    return out;
  }

 private:
  static std::string text(std::string_view s) { return std::string(s.substr(0, 80)); }

  void error(std::string code, std::string message, const Node& at) {
    core::Location loc = doc_.location(at);
    std::string snippet = core::make_snippet(doc_.text(), loc.line, loc.column);
    diags_.add(core::Severity::kError, std::move(code), std::move(message), std::move(loc),
               std::move(snippet));
  }

  bool expect(const Node& n, NodeKind kind, std::string_view what) {
    if (n.kind() == kind) return true;
    error("services.bad_type",
          std::string(what) + " must be a " + formats::kind_name(kind) + ", not a " +
              formats::kind_name(n.kind()),
          n);
    return false;
  }

  bool check_keys(const Node& map, std::string_view what, std::initializer_list<std::string_view> allowed) {
    if (!expect(map, NodeKind::kMap, what)) return false;
    for (const formats::Member& m : map.members()) {
      std::string_view key = m.key.kind() == NodeKind::kString ? m.key.as_string() : std::string_view();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end() || key.empty()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error("services.unknown_key",
              "unknown key '" + text(key) + "' in " + std::string(what) + " (expected one of: " + list + ")",
              m.key);
      }
    }
    return true;
  }

  // The items of a list, at most max_entries of them (the rest is reported once).
  std::span<const Node> bounded(const Node& list, std::string_view what) {
    std::span<const Node> items = list.items();
    if (items.size() > limits_.max_entries) {
      error("services.limit",
            "'" + std::string(what) + "' has " + std::to_string(items.size()) + " entries; at most " +
                std::to_string(limits_.max_entries) + " are read",
            items[limits_.max_entries]);
      items = items.first(limits_.max_entries);
    }
    return items;
  }

  std::optional<std::string> string(const Node& map, std::string_view key, std::string_view what,
                                    bool required) {
    const Node* n = map.find(key);
    if (n == nullptr) {
      if (required)
        error("services.missing_key", std::string(what) + " needs '" + std::string(key) + "'", map);
      return std::nullopt;
    }
    if (!expect(*n, NodeKind::kString, std::string(what) + " '" + std::string(key) + "'"))
      return std::nullopt;
    if (n->as_string().empty()) {
      error("services.bad_value", std::string(what) + " '" + std::string(key) + "' must not be empty", *n);
      return std::nullopt;
    }
    if (n->as_string().size() > limits_.max_string) {
      error("services.limit",
            std::string(what) + " '" + std::string(key) + "' is longer than " +
                std::to_string(limits_.max_string) + " bytes",
            *n);
      return std::nullopt;
    }
    return std::string(n->as_string());
  }

  // A list of strings (a single string counts as a list of one).
  std::vector<std::pair<std::string, const Node*>> strings(const Node& map, std::string_view key) {
    std::vector<std::pair<std::string, const Node*>> out;
    const Node* n = map.find(key);
    if (n == nullptr) return out;
    if (n->kind() == NodeKind::kString) {
      out.emplace_back(std::string(n->as_string()), n);
      return out;
    }
    if (!expect(*n, NodeKind::kList, "'" + std::string(key) + "'")) return out;
    for (const Node& item : bounded(*n, key)) {
      if (expect(item, NodeKind::kString, "an entry of '" + std::string(key) + "'"))
        out.emplace_back(std::string(item.as_string()), &item);
    }
    return out;
  }

  bool known_model(const std::string& id, const Node& at) {
    if (kb_.model(id) != nullptr) return true;
    std::string list;
    for (const knowledge::ServiceModel& m : kb_.models()) list += (list.empty() ? "" : ", ") + m.id;
    error("services.unknown_ref", "'" + text(id) + "' is not a service model (" + list + ")", at);
    return false;
  }

  bool has_role(const std::vector<std::string>& roles, const std::string& name, const Node& at) {
    if (std::find(roles.begin(), roles.end(), name) != roles.end()) return true;
    error("services.unknown_ref", "'" + text(name) + "' is not one of the roles", at);
    return false;
  }

  const formats::Document& doc_;
  const knowledge::KnowledgeBase& kb_;
  core::Diagnostics& diags_;
  const ServicesLimits& limits_;
};

}  // namespace

ServicesFile default_services() {
  ServicesFile f;
  for (std::string_view r : kDefaultRoles) f.roles.emplace_back(r);
  return f;
}

core::Result<ServicesFile> parse_services(const std::string& path, std::string text,
                                          const knowledge::KnowledgeBase& kb, core::Diagnostics& diags,
                                          const ServicesLimits& limits) {
  formats::Limits doc_limits;
  doc_limits.max_bytes = limits.max_bytes;
  doc_limits.max_depth = 16;
  doc_limits.max_string = limits.max_string * 16;
  doc_limits.max_nodes = 1'000'000;
  doc_limits.max_documents = 1;
  auto doc = formats::load_yaml(path, std::move(text), doc_limits, diags);
  if (!doc.ok()) return doc.error();
  return Parser(*doc, kb, diags, limits).parse();
}

}  // namespace sekimori::governance
