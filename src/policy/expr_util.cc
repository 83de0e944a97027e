// Static analysis of rule expressions: the attribute paths an assert reads (to point a
// finding at the attribute that is wrong), undeclared identifiers (typos), and deep
// copies (to compile each conjunct of an assert on its own).
#include <algorithm>
#include <map>

#include "policy/internal/compiled_rule.h"

namespace sekimori::policy {

namespace {

// Scope of comprehension variables: name -> the path it iterates over ("*" appended),
// or nullptr-like empty optional when it is not bound to a resource path.
using Scope = std::vector<std::pair<std::string, std::optional<AttributePath>>>;

const std::optional<AttributePath>* lookup(const Scope& scope, std::string_view name) {
  for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

// If `e` is a chain rooted at `resource` (or at a comprehension variable bound to a
// resource path) of field selections and constant-string indexes, its path.
std::optional<AttributePath> chain(const cel::Expr& e, const Scope& scope) {
  switch (e.kind) {
    case cel::ExprKind::kIdent: {
      if (const auto* bound = lookup(scope, e.name)) return *bound;
      if (e.name == "resource") return AttributePath{};
      return std::nullopt;
    }
    case cel::ExprKind::kSelect: {
      if (!e.target) return std::nullopt;
      auto base = chain(*e.target, scope);
      if (!base) return std::nullopt;
      base->push_back(e.name);
      return base;
    }
    case cel::ExprKind::kCall: {
      if ((e.name == "_[_]" || e.name == "_[?_]" || e.name == "_?._") && e.args.size() == 2 &&
          e.args[1]->kind == cel::ExprKind::kConst && e.args[1]->constant.kind() == cel::Kind::kString) {
        auto base = chain(*e.args[0], scope);
        if (!base) return std::nullopt;
        base->emplace_back(e.args[1]->constant.as_string());
        return base;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

void collect(const cel::Expr& e, Scope& scope, std::vector<AttributePath>& out) {
  if (auto p = chain(e, scope)) {
    if (!p->empty() && std::find(out.begin(), out.end(), *p) == out.end()) out.push_back(*p);
    return;
  }
  if (e.target) collect(*e.target, scope, out);
  for (const auto& a : e.args) collect(*a, scope, out);
  for (const auto& m : e.entries) {
    if (m.key) collect(*m.key, scope, out);
    if (m.value) collect(*m.value, scope, out);
  }
  if (e.comprehension) {
    const cel::Comprehension& c = *e.comprehension;
    std::optional<AttributePath> range;
    if (c.iter_range) {
      range = chain(*c.iter_range, scope);
      collect(*c.iter_range, scope, out);
    }
    if (c.accu_init) collect(*c.accu_init, scope, out);
    std::optional<AttributePath> elem;
    if (range) {
      elem = *range;
      elem->push_back("*");
    }
    size_t mark = scope.size();
    if (!c.iter_var2.empty()) {
      // Two-variable forms: the first is the index or key, the second the element.
      scope.emplace_back(c.iter_var, std::nullopt);
      scope.emplace_back(c.iter_var2, elem);
    } else {
      scope.emplace_back(c.iter_var, elem);
    }
    scope.emplace_back(c.accu_var, std::nullopt);
    if (c.loop_condition) collect(*c.loop_condition, scope, out);
    if (c.loop_step) collect(*c.loop_step, scope, out);
    if (c.result) collect(*c.result, scope, out);
    scope.resize(mark);
  }
}

// The dotted name of a chain of selections on an identifier ("a.b.c"), or empty.
std::string qualified_name(const cel::Expr& e) {
  if (e.kind == cel::ExprKind::kIdent) return e.name;
  if (e.kind == cel::ExprKind::kSelect && e.target && !e.test_only) {
    std::string base = qualified_name(*e.target);
    if (!base.empty()) return base + "." + e.name;
  }
  return {};
}

void find_undeclared(const cel::Expr& e, std::vector<std::string>& scope,
                     const std::vector<std::string>& declared,
                     std::vector<std::pair<uint32_t, std::string>>& out) {
  if (e.kind == cel::ExprKind::kIdent) {
    const std::string& n = e.name;
    bool known = std::find(scope.begin(), scope.end(), n) != scope.end() ||
                 std::find(declared.begin(), declared.end(), n) != declared.end() ||
                 cel::type_by_name(n).has_value();
    if (!known) out.emplace_back(e.offset, n);
    return;
  }
  if (e.kind == cel::ExprKind::kSelect) {
    // A qualified type name such as google.protobuf.Timestamp is fine as a whole.
    std::string q = qualified_name(e);
    if (!q.empty() && cel::type_by_name(q)) return;
  }
  if (e.kind == cel::ExprKind::kCall && e.target && e.target->kind == cel::ExprKind::kIdent &&
      std::find(scope.begin(), scope.end(), e.target->name) == scope.end() &&
      std::find(declared.begin(), declared.end(), e.target->name) == declared.end()) {
    // `math.greatest(...)`: a namespace, not a variable; the compiler checks the function.
  } else if (e.target) {
    find_undeclared(*e.target, scope, declared, out);
  }
  for (const auto& a : e.args) find_undeclared(*a, scope, declared, out);
  for (const auto& m : e.entries) {
    if (m.key) find_undeclared(*m.key, scope, declared, out);
    if (m.value) find_undeclared(*m.value, scope, declared, out);
  }
  if (e.comprehension) {
    const cel::Comprehension& c = *e.comprehension;
    if (c.iter_range) find_undeclared(*c.iter_range, scope, declared, out);
    if (c.accu_init) find_undeclared(*c.accu_init, scope, declared, out);
    size_t mark = scope.size();
    scope.push_back(c.iter_var);
    if (!c.iter_var2.empty()) scope.push_back(c.iter_var2);
    scope.push_back(c.accu_var);
    if (c.loop_condition) find_undeclared(*c.loop_condition, scope, declared, out);
    if (c.loop_step) find_undeclared(*c.loop_step, scope, declared, out);
    if (c.result) find_undeclared(*c.result, scope, declared, out);
    scope.resize(mark);
  }
}

// Walks `path` from `node`; returns the deepest node reached and the keys taken.
// "*" descends only into a list or map with exactly one element.
std::pair<const formats::Node*, size_t> walk(const formats::Node& root, const AttributePath& path,
                                             std::string& dotted) {
  const formats::Node* cur = &root;
  size_t depth = 0;
  std::string taken;
  for (const std::string& key : path) {
    const formats::Node* next = nullptr;
    std::string step = key;
    if (key == "*") {
      if (cur->kind() == formats::NodeKind::kList && cur->size() == 1) {
        next = &cur->items()[0];
        step.assign(1, '0');
      } else if (cur->kind() == formats::NodeKind::kMap && cur->size() == 1) {
        const formats::Member& m = cur->members()[0];
        next = &m.value;
        if (m.key.kind() == formats::NodeKind::kString) step.assign(m.key.as_string());
        else step.assign(1, '0');
      }
    } else if (cur->kind() == formats::NodeKind::kMap) {
      next = cur->find(key);
    }
    if (next == nullptr) break;
    cur = next;
    ++depth;
    if (!taken.empty()) taken += '.';
    taken += step;
  }
  dotted = std::move(taken);
  return {cur, depth};
}

}  // namespace

std::vector<AttributePath> attribute_paths(const cel::Expr& root) {
  std::vector<AttributePath> out;
  Scope scope;
  collect(root, scope, out);
  return out;
}

std::vector<std::pair<uint32_t, std::string>> undeclared_identifiers(
    const cel::Expr& root, const std::vector<std::string>& declared) {
  std::vector<std::pair<uint32_t, std::string>> out;
  std::vector<std::string> scope;
  find_undeclared(root, scope, declared, out);
  return out;
}

cel::ExprPtr clone_expr(const cel::Expr& e) {
  auto c = std::make_unique<cel::Expr>();
  c->id = e.id;
  c->offset = e.offset;
  c->kind = e.kind;
  c->constant = e.constant;
  c->name = e.name;
  if (e.target) c->target = clone_expr(*e.target);
  c->test_only = e.test_only;
  for (const auto& a : e.args) c->args.push_back(clone_expr(*a));
  c->optional_indices = e.optional_indices;
  for (const auto& m : e.entries) {
    cel::MapEntry me;
    if (m.key) me.key = clone_expr(*m.key);
    me.field = m.field;
    if (m.value) me.value = clone_expr(*m.value);
    me.optional = m.optional;
    me.offset = m.offset;
    c->entries.push_back(std::move(me));
  }
  if (e.comprehension) {
    const cel::Comprehension& s = *e.comprehension;
    auto d = std::make_unique<cel::Comprehension>();
    d->iter_var = s.iter_var;
    d->iter_var2 = s.iter_var2;
    d->accu_var = s.accu_var;
    if (s.iter_range) d->iter_range = clone_expr(*s.iter_range);
    if (s.accu_init) d->accu_init = clone_expr(*s.accu_init);
    if (s.loop_condition) d->loop_condition = clone_expr(*s.loop_condition);
    if (s.loop_step) d->loop_step = clone_expr(*s.loop_step);
    if (s.result) d->result = clone_expr(*s.result);
    c->comprehension = std::move(d);
  }
  return c;
}

PointedNode locate_attribute(const formats::Node& attributes, const std::vector<AttributePath>& paths) {
  PointedNode best;
  size_t best_depth = 0;
  for (const AttributePath& p : paths) {
    std::string dotted;
    auto [node, depth] = walk(attributes, p, dotted);
    if (depth > best_depth) {
      best_depth = depth;
      best.node = node;
      best.path = std::move(dotted);
    }
  }
  return best;
}

namespace {

bool find_path(const formats::Node& n, const formats::Node* target, std::string& path, size_t depth) {
  if (&n == target) return true;
  if (depth > 64) return false;
  size_t mark = path.size();
  auto step = [&](std::string_view name, const formats::Node& child) {
    if (mark > 0) path += '.';
    path += name;
    if (find_path(child, target, path, depth + 1)) return true;
    path.resize(mark);
    return false;
  };
  if (n.kind() == formats::NodeKind::kMap) {
    for (const formats::Member& m : n.members()) {
      std::string name = m.key.kind() == formats::NodeKind::kString ? std::string(m.key.as_string()) : "?";
      if (step(name, m.value)) return true;
    }
  } else if (n.kind() == formats::NodeKind::kList) {
    for (size_t i = 0; i < n.size(); ++i) {
      if (step(std::to_string(i), n.items()[i])) return true;
    }
  }
  return false;
}

}  // namespace

PointedNode locate_node(const formats::Node& attributes, const formats::Node* target) {
  PointedNode p;
  std::string path;
  if (target != nullptr && target != &attributes && find_path(attributes, target, path, 0)) {
    p.node = target;
    p.path = std::move(path);
  }
  return p;
}

}  // namespace sekimori::policy
