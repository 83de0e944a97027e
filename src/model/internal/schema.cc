// Compiles the canonical schema data (YAML) into Attr trees and SourceEntry mappings.
#include "model/internal/schema.h"

#include <algorithm>

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;

int Attr::index_of(std::string_view n) const {
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (attrs[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

bool SourceEntry::defaults_apply(std::string_view top_attr) const {
  if (no_defaults_all) return false;
  return std::find(no_defaults.begin(), no_defaults.end(), top_attr) == no_defaults.end();
}

namespace {

const std::vector<const SourceEntry*> kNoEntries;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_path(std::string_view text, std::vector<Step>& out, std::string& error) {
  text = trim(text);
  if (text == "$") return true;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && text[j] != '.' && text[j] != '[') ++j;
    if (j > i) out.push_back(Step{Step::Kind::kKey, std::string(text.substr(i, j - i)), 0, {}});
    while (j < text.size() && text[j] == '[') {
      size_t close = text.find(']', j);
      if (close == std::string_view::npos) {
        error = "unclosed '[' in path";
        return false;
      }
      std::string_view inner = text.substr(j + 1, close - j - 1);
      if (inner.empty()) {
        out.push_back(Step{Step::Kind::kProject, {}, 0, {}});
      } else {
        size_t idx = 0;
        for (char c : inner) {
          if (c < '0' || c > '9') {
            error = "bad index in path";
            return false;
          }
          idx = idx * 10 + static_cast<size_t>(c - '0');
        }
        out.push_back(Step{Step::Kind::kIndex, {}, idx, {}});
      }
      j = close + 1;
    }
    if (j < text.size() && text[j] == '.') ++j;
    if (j == i) {
      error = "empty path step";
      return false;
    }
    i = j;
  }
  if (out.empty()) {
    error = "empty path";
    return false;
  }
  return true;
}

}  // namespace

bool parse_expr(std::string_view text, Expr& out, std::string& error) {
  // Split on single '|' (pipeline); "||" separates alternatives inside the first part.
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '|') continue;
    if (i + 1 < text.size() && text[i + 1] == '|') {
      ++i;
      continue;
    }
    parts.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  parts.push_back(text.substr(start));
  std::string_view head = parts[0];
  size_t pos = 0;
  while (true) {
    size_t bar = head.find("||", pos);
    std::string_view alt = trim(head.substr(pos, bar == std::string_view::npos ? std::string_view::npos : bar - pos));
    Expr::Alt a;
    if (!alt.empty() && alt.front() == '=') {
      a.literal = true;
      a.literal_text = std::string(alt.substr(1));
    } else if (!parse_path(alt, a.path, error)) {
      return false;
    }
    out.alts.push_back(std::move(a));
    if (bar == std::string_view::npos) break;
    pos = bar + 2;
  }
  for (size_t p = 1; p < parts.size(); ++p) {
    std::string_view f = trim(parts[p]);
    if (f.empty()) {
      error = "empty function in pipeline";
      return false;
    }
    Fn fn;
    size_t k = 0;
    while (k <= f.size()) {
      size_t sp = f.find(' ', k);
      std::string_view word = f.substr(k, sp == std::string_view::npos ? std::string_view::npos : sp - k);
      if (!word.empty()) {
        if (fn.name.empty()) {
          fn.name = std::string(word);
        } else {
          fn.args.emplace_back(word);
        }
      }
      if (sp == std::string_view::npos) break;
      k = sp + 1;
    }
    static constexpr std::string_view kKnown[] = {"eq",   "ne",     "not",   "json",  "urljson",
                                                  "base64", "lower", "kebab", "snake", "kv",
                                                  "first", "list",   "nonempty", "present", "protocol",
                                                  "default"};
    if (std::find(std::begin(kKnown), std::end(kKnown), fn.name) == std::end(kKnown)) {
      error = "unknown function '" + fn.name + "'";
      return false;
    }
    out.fns.push_back(std::move(fn));
  }
  return true;
}

class SchemaCompiler {
 public:
  explicit SchemaCompiler(Schema& s) : s_(s) {}

  void problem(const formats::Document& doc, const Node& at, std::string msg) {
    s_.problems_.add(core::Severity::kError, "model.schema", std::move(msg), doc.location(at));
  }

  static AttrType type_by_name(std::string_view n, bool& ok) {
    ok = true;
    if (n == "any") return AttrType::kAny;
    if (n == "string") return AttrType::kString;
    if (n == "bool") return AttrType::kBool;
    if (n == "int") return AttrType::kInt;
    if (n == "number") return AttrType::kNumber;
    if (n == "list") return AttrType::kList;
    if (n == "map") return AttrType::kMap;
    if (n == "object") return AttrType::kObject;
    if (n == "json") return AttrType::kJson;
    ok = false;
    return AttrType::kAny;
  }

  void compile_attrs(const formats::Document& doc, const Node& map, Attr& parent) {
    if (map.kind() != NodeKind::kMap) {
      problem(doc, map, "attributes must be a map");
      return;
    }
    for (const formats::Member& m : map.members()) {
      Attr a;
      a.name = std::string(m.key.kind() == NodeKind::kString ? m.key.as_string() : "");
      compile_attr(doc, m.value, a);
      parent.has_defaults = parent.has_defaults || a.has_defaults;
      parent.attrs.push_back(std::move(a));
    }
  }

  void compile_attr(const formats::Document& doc, const Node& spec, Attr& a) {
    bool ok = true;
    if (spec.kind() == NodeKind::kString) {
      a.type = type_by_name(spec.as_string(), ok);
      if (!ok) problem(doc, spec, "unknown attribute type '" + std::string(spec.as_string()) + "'");
      return;
    }
    if (spec.kind() != NodeKind::kMap) {
      problem(doc, spec, "attribute spec must be a type name or a map");
      return;
    }
    const Node* type = spec.find("type");
    const Node* attrs = spec.find("attributes");
    const Node* items = spec.find("items");
    if (type != nullptr && type->kind() == NodeKind::kString) {
      a.type = type_by_name(type->as_string(), ok);
      if (!ok) problem(doc, *type, "unknown attribute type");
    } else if (attrs != nullptr) {
      a.type = AttrType::kObject;
    } else if (items != nullptr) {
      a.type = AttrType::kList;
    }
    if (attrs != nullptr) compile_attrs(doc, *attrs, a);
    if (items != nullptr) {
      a.item = std::make_unique<Attr>();
      a.item->name = a.name;
      a.item->type = AttrType::kObject;
      compile_attrs(doc, *items, *a.item);
      a.has_defaults = a.has_defaults || a.item->has_defaults;
    }
    if (const Node* n = spec.find("normalize"); n != nullptr && n->kind() == NodeKind::kString) {
      (a.item ? a.item->normalize : a.normalize) = std::string(n->as_string());
    }
    if (const Node* o = spec.find("open"); o != nullptr && o->kind() == NodeKind::kBool) {
      (a.item ? a.item->open : a.open) = o->as_bool();
    }
    if (const Node* d = spec.find("default"); d != nullptr) {
      a.def = d;
      a.has_defaults = true;
    }
  }

  // Resolves a dotted target ("versioning.enabled") under `base`.
  bool resolve_target(const formats::Document& doc, const Node& at, const Attr& base,
                      std::string_view dotted, Target& t) {
    const Attr* cur = &base;
    size_t i = 0;
    while (i <= dotted.size()) {
      size_t dot = dotted.find('.', i);
      std::string_view seg = dotted.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
      int idx = cur->index_of(seg);
      if (idx < 0) {
        problem(doc, at, "target '" + std::string(dotted) + "' is not a declared attribute");
        return false;
      }
      t.attr_path.push_back(idx);
      cur = &cur->attrs[static_cast<size_t>(idx)];
      if (dot == std::string_view::npos) break;
      if (cur->type != AttrType::kObject) {
        problem(doc, at, "target '" + std::string(dotted) + "' steps into a non-object");
        return false;
      }
      i = dot + 1;
    }
    t.attr = cur;
    return true;
  }

  void compile_map(const formats::Document& doc, const Node& map, const Attr& base, MapSpec& out) {
    if (map.kind() != NodeKind::kMap) {
      problem(doc, map, "map must be a map of target: expression");
      return;
    }
    for (const formats::Member& m : map.members()) {
      if (m.key.kind() != NodeKind::kString) continue;
      Target t;
      if (!resolve_target(doc, m.key, base, m.key.as_string(), t)) continue;
      std::string error;
      if (m.value.kind() == NodeKind::kString) {
        if (!parse_expr(m.value.as_string(), t.expr, error)) {
          problem(doc, m.value, "bad expression: " + error);
          continue;
        }
      } else if (m.value.kind() == NodeKind::kMap && m.value.find("each") != nullptr) {
        const Node* each = m.value.find("each");
        const Node* sub = m.value.find("map");
        if (each->kind() != NodeKind::kString || sub == nullptr || !t.attr->item) {
          problem(doc, m.value, "each: needs a path, a map, and a list target with items");
          continue;
        }
        if (!parse_expr(each->as_string(), t.expr, error)) {
          problem(doc, *each, "bad expression: " + error);
          continue;
        }
        t.each = std::make_unique<MapSpec>();
        compile_map(doc, *sub, *t.attr->item, *t.each);
      } else {
        problem(doc, m.value, "mapping value must be an expression or {each, map}");
        continue;
      }
      out.targets.push_back(std::move(t));
    }
  }

  static std::vector<std::string> strings(const Node* n) {
    std::vector<std::string> out;
    if (n == nullptr) return out;
    if (n->kind() == NodeKind::kString) out.emplace_back(n->as_string());
    if (n->kind() == NodeKind::kList) {
      for (const Node& i : n->items()) {
        if (i.kind() == NodeKind::kString) out.emplace_back(i.as_string());
      }
    }
    return out;
  }

  void compile_type(const formats::Document& doc, std::string_view name, const Node& spec) {
    auto t = std::make_unique<TypeSchema>();
    t->name = std::string(name);
    t->root.name = t->name;
    t->root.type = AttrType::kObject;
    if (const Node* d = spec.find("doc"); d != nullptr && d->kind() == NodeKind::kString) {
      t->doc = std::string(d->as_string());
    }
    t->groups = strings(spec.find("groups"));
    if (const Node* a = spec.find("attributes")) compile_attrs(doc, *a, t->root);
    const Node* sources = spec.find("sources");
    TypeSchema* tp = t.get();
    s_.types_.push_back(std::move(t));
    for (const std::string& g : tp->groups) s_.groups_[g].push_back(tp->name);
    if (sources == nullptr || sources->kind() != NodeKind::kMap) return;
    for (const formats::Member& fm : sources->members()) {
      std::optional<SourceFormat> f =
          fm.key.kind() == NodeKind::kString ? format_by_name(fm.key.as_string()) : std::nullopt;
      if (!f || fm.value.kind() != NodeKind::kMap) {
        problem(doc, fm.key, "unknown source format or bad entry");
        continue;
      }
      for (const formats::Member& em : fm.value.members()) {
        if (em.key.kind() != NodeKind::kString) continue;
        auto e = std::make_unique<SourceEntry>();
        e->source_type = std::string(em.key.as_string());
        e->type = tp;
        const Node& ev = em.value;
        if (ev.kind() == NodeKind::kMap) {
          if (const Node* p = ev.find("passthrough")) e->passthrough = p->kind() == NodeKind::kBool && p->as_bool();
          e->fold = strings(ev.find("fold"));
          // Appending entries map into the list's item; `append_by` lists share one shape.
          const Attr* map_base = &tp->root;
          if (const Node* ap = ev.find("append"); ap != nullptr && ap->kind() == NodeKind::kString) {
            Target tmp;
            if (resolve_target(doc, *ap, tp->root, ap->as_string(), tmp)) {
              if (!tmp.attr->item) {
                problem(doc, *ap, "append target must be a list with items");
              } else {
                e->append = tmp.attr_path;
                map_base = tmp.attr->item.get();
              }
            }
          }
          if (const Node* ab = ev.find("append_by"); ab != nullptr && ab->kind() == NodeKind::kString) {
            e->append_by = std::string(ab->as_string());
            for (const Attr& a : tp->root.attrs) {
              if (a.item) {
                map_base = a.item.get();
                break;
              }
            }
          }
          if (const Node* m = ev.find("map")) compile_map(doc, *m, *map_base, e->map);
          if (const Node* nd = ev.find("no_defaults")) {
            if (nd->kind() == NodeKind::kBool) {
              e->no_defaults_all = nd->as_bool();
            } else {
              e->no_defaults = strings(nd);
            }
          }
        } else if (!ev.is_null()) {
          problem(doc, ev, "source entry must be a map or empty");
          continue;
        }
        s_.entries_[static_cast<size_t>(*f)][e->source_type].push_back(e.get());
        s_.entry_store_.push_back(std::move(e));
      }
    }
  }

  void compile_file(const std::string& name, const std::string& text) {
    core::Diagnostics diags;
    std::string_view snap = formats::find_snapshot(schema_snapshots(), name, text);
    auto doc = formats::load_yaml_or_snapshot(name, text, snap, formats::Limits{}, diags);
    if (!doc.ok()) {
      s_.problems_.add_error(doc.error());
      return;
    }
    if (!snap.empty()) ++s_.from_snapshots_;
    s_.docs_.push_back(std::move(doc).value());
    const formats::Document& d = s_.docs_.back();
    const Node& root = d.root();
    if (root.kind() != NodeKind::kMap) return;
    for (const formats::Member& m : root.members()) {
      if (m.key.kind() != NodeKind::kString || m.value.kind() != NodeKind::kMap) {
        problem(d, m.key, "a type must be a map");
        continue;
      }
      compile_type(d, m.key.as_string(), m.value);
    }
  }

 private:
  Schema& s_;
};

std::unique_ptr<Schema> Schema::compile(const std::vector<std::pair<std::string, std::string>>& files) {
  auto s = std::make_unique<Schema>();
  s->docs_.reserve(files.size());  // default nodes point into these documents
  SchemaCompiler c(*s);
  for (const auto& [name, text] : files) c.compile_file(name, text);
  return s;
}

const TypeSchema* Schema::type(std::string_view name) const {
  for (const auto& t : types_) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

const std::vector<const SourceEntry*>& Schema::entries(SourceFormat f, std::string_view source_type) const {
  const auto& m = entries_[static_cast<size_t>(f)];
  auto it = m.find(std::string(source_type));
  return it == m.end() ? kNoEntries : it->second;
}

}  // namespace sekimori::model::internal
