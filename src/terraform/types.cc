#include "terraform/types.h"

#include <algorithm>

namespace sekimori::terraform {

namespace {

core::Error type_error(const hcl::Expr& e, std::string msg) {
  return core::make_error("terraform.type", std::move(msg), e.range.location());
}

// A bare keyword (`string`, `list`) is a scope traversal without steps.
std::string_view keyword(const hcl::Expr& e) {
  if (const auto* t = e.if_kind<hcl::ScopeTraversalExpr>(); t != nullptr && t->steps.empty()) {
    return t->root;
  }
  return {};
}

std::optional<std::string_view> literal_string(const hcl::Expr& e) {
  if (const auto* t = e.if_kind<hcl::TemplateExpr>(); t != nullptr && t->is_literal()) {
    return t->literal_value();
  }
  if (const auto* l = e.if_kind<hcl::LiteralExpr>();
      l != nullptr && l->literal == hcl::LiteralKind::kString) {
    return l->text;
  }
  return std::nullopt;
}

core::Result<Type> parse_type(const hcl::Expr& e, const ConstEval& eval, uint32_t depth);

core::Result<ObjectAttr> parse_attr(std::string name, const hcl::Expr& e, const ConstEval& eval,
                                    uint32_t depth) {
  const auto* call = e.if_kind<hcl::CallExpr>();
  if (call == nullptr || call->name != "optional") {
    SKM_TRY_ASSIGN(Type t, parse_type(e, eval, depth + 1));
    return ObjectAttr{std::move(name), std::move(t), false, nullptr};
  }
  if (call->args.empty() || call->args.size() > 2) {
    return type_error(e, "optional() takes a type and an optional default value");
  }
  SKM_TRY_ASSIGN(Type t, parse_type(*call->args[0], eval, depth + 1));
  ObjectAttr attr{std::move(name), t, true, nullptr};
  if (call->args.size() == 2) {
    const hcl::Expr& d = *call->args[1];
    core::Result<Value> dv = eval ? eval(d) : eval_const(d);
    if (!dv.ok()) return std::move(dv).error();
    auto converted = convert(*dv, t);
    if (!converted.ok()) {
      return type_error(d, "invalid default value for optional attribute \"" + attr.name +
                               "\": " + converted.error().message);
    }
    attr.default_value = std::make_shared<const Value>(std::move(converted).value());
  }
  return attr;
}

core::Result<Type> parse_type(const hcl::Expr& e, const ConstEval& eval, uint32_t depth) {
  if (depth > 64) return type_error(e, "type constraint is nested too deeply");
  if (const auto* p = e.if_kind<hcl::ParensExpr>()) return parse_type(*p->inner, eval, depth + 1);
  if (auto s = literal_string(e)) {
    // Terraform 0.11 spelling, still common in old modules.
    if (*s == "string") return Type::string();
    if (*s == "list") return Type::list(Type::dynamic());
    if (*s == "map") return Type::map(Type::dynamic());
    return type_error(e, "a type constraint is a keyword such as string, not a quoted string");
  }
  const std::string_view kw = keyword(e);
  if (!kw.empty()) {
    if (kw == "string") return Type::string();
    if (kw == "number") return Type::number();
    if (kw == "bool") return Type::boolean();
    if (kw == "any") return Type::dynamic();
    if (kw == "list" || kw == "set" || kw == "map") {
      return type_error(e, "the " + std::string(kw) +
                               " type constructor requires one argument specifying the element type");
    }
    if (kw == "tuple" || kw == "object") {
      return type_error(e, "the " + std::string(kw) + " type constructor requires one argument");
    }
    return type_error(e, "the keyword \"" + std::string(kw) + "\" is not a valid type specification");
  }
  const auto* call = e.if_kind<hcl::CallExpr>();
  if (call == nullptr) return type_error(e, "a type specification is required (string, list(number), ...)");
  const std::string_view name = call->name;
  if (name == "optional") {
    return type_error(e, "keyword \"optional\" is valid only as a modifier for object type attributes");
  }
  if (call->args.size() != 1) {
    return type_error(e, "the " + std::string(name) + " type constructor requires exactly one argument");
  }
  const hcl::Expr& arg = *call->args[0];
  if (name == "list" || name == "set" || name == "map") {
    SKM_TRY_ASSIGN(Type elem, parse_type(arg, eval, depth + 1));
    if (name == "list") return Type::list(std::move(elem));
    if (name == "set") return Type::set(std::move(elem));
    return Type::map(std::move(elem));
  }
  if (name == "tuple") {
    const auto* tup = arg.if_kind<hcl::TupleExpr>();
    if (tup == nullptr) return type_error(arg, "the tuple type constructor requires a list of element types");
    std::vector<Type> elems;
    for (const hcl::Expr* item : tup->items) {
      SKM_TRY_ASSIGN(Type t, parse_type(*item, eval, depth + 1));
      elems.push_back(std::move(t));
    }
    return Type::tuple(std::move(elems));
  }
  if (name == "object") {
    const auto* obj = arg.if_kind<hcl::ObjectExpr>();
    if (obj == nullptr) {
      return type_error(arg, "the object type constructor requires an object of attribute types");
    }
    std::vector<ObjectAttr> attrs;
    for (const auto& item : obj->items) {
      std::string attr_name;
      if (item.bare_key) {
        attr_name = std::string(keyword(*item.key));
      } else if (auto s = literal_string(*item.key)) {
        attr_name = std::string(*s);
      } else {
        return type_error(*item.key, "object type attribute names must be identifiers or quoted strings");
      }
      for (const auto& a : attrs) {
        if (a.name == attr_name) return type_error(*item.key, "duplicate attribute \"" + attr_name + "\"");
      }
      SKM_TRY_ASSIGN(ObjectAttr a, parse_attr(std::move(attr_name), *item.value, eval, depth));
      attrs.push_back(std::move(a));
    }
    return Type::object(std::move(attrs));
  }
  return type_error(e, "\"" + std::string(name) + "\" is not a valid type constructor");
}

core::Result<Value> eval_const_impl(const hcl::Expr& e, uint32_t depth) {
  if (depth > 64)
    return core::make_error("terraform.const", "value is nested too deeply", e.range.location());
  switch (e.kind) {
    case hcl::ExprKind::kLiteral: {
      const auto& l = e.as<hcl::LiteralExpr>();
      switch (l.literal) {
        case hcl::LiteralKind::kNull:
          return Value::null();
        case hcl::LiteralKind::kBool:
          return Value::boolean(l.bool_value);
        case hcl::LiteralKind::kNumber: {
          if (l.is_integer) return Value::number(l.integer);
          if (auto n = Number::parse(l.text)) return Value::number(*n);
          return Value::number(l.number);
        }
        case hcl::LiteralKind::kString:
          return Value::string(std::string(l.text));
      }
      break;
    }
    case hcl::ExprKind::kTemplate: {
      const auto& t = e.as<hcl::TemplateExpr>();
      if (t.is_literal()) return Value::string(std::string(t.literal_value()));
      break;
    }
    case hcl::ExprKind::kParens:
      return eval_const_impl(*e.as<hcl::ParensExpr>().inner, depth + 1);
    case hcl::ExprKind::kUnary: {
      const auto& u = e.as<hcl::UnaryExpr>();
      SKM_TRY_ASSIGN(Value v, eval_const_impl(*u.operand, depth + 1));
      if (u.op == hcl::UnaryOp::kNot && v.kind() == ValueKind::kBool) return Value::boolean(!v.as_bool());
      if (u.op == hcl::UnaryOp::kNegate && v.kind() == ValueKind::kNumber) {
        SKM_TRY_ASSIGN(Number n, arith('-', Number::of(int64_t{0}), v.as_number()));
        return Value::number(n);
      }
      break;
    }
    case hcl::ExprKind::kTuple: {
      std::vector<Value> items;
      for (const hcl::Expr* i : e.as<hcl::TupleExpr>().items) {
        SKM_TRY_ASSIGN(Value v, eval_const_impl(*i, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::tuple(std::move(items));
    }
    case hcl::ExprKind::kObject: {
      std::vector<Member> members;
      for (const auto& item : e.as<hcl::ObjectExpr>().items) {
        std::string key;
        if (item.bare_key) {
          key = std::string(keyword(*item.key));
        } else {
          SKM_TRY_ASSIGN(Value k, eval_const_impl(*item.key, depth + 1));
          auto ks = to_string_value(k);
          if (!ks.ok() || ks->is_null()) {
            return core::make_error("terraform.const", "object key must be a string",
                                    item.key->range.location());
          }
          key = std::string(ks->as_string());
        }
        SKM_TRY_ASSIGN(Value v, eval_const_impl(*item.value, depth + 1));
        members.push_back(Member{std::move(key), std::move(v)});
      }
      return Value::object(std::move(members));
    }
    case hcl::ExprKind::kScopeTraversal: {
      const auto& t = e.as<hcl::ScopeTraversalExpr>();
      if (t.steps.empty() && t.root == "null") return Value::null();
      if (t.steps.empty() && t.root == "true") return Value::boolean(true);
      if (t.steps.empty() && t.root == "false") return Value::boolean(false);
      break;
    }
    default:
      break;
  }
  return core::make_error("terraform.const",
                          "only a constant value is allowed here (no references or functions)",
                          e.range.location());
}

// --- conversion ----------------------------------------------------------------------

core::Error convert_error(const std::string& path, const std::string& msg) {
  return core::make_error("terraform.convert", path.empty() ? msg : path + ": " + msg);
}

std::string sub_path(const std::string& path, const std::string& step) {
  return path.empty() ? step : path + ": " + step;
}

core::Result<Value> conv(const Value& v, const Type& t, const std::string& path, uint32_t depth);

core::Result<Value> conv_elements(std::span<const Value> items, const Type& elem, const std::string& path,
                                  uint32_t depth, std::vector<Value>& out, Type& out_elem) {
  Type target = elem;
  if (target.has_dynamic()) {
    std::vector<Type> types;
    types.reserve(items.size());
    for (const auto& i : items) types.push_back(i.type());
    auto u = unify(types);
    if (!u) return convert_error(path, "all elements must have the same type");
    // A partly dynamic constraint (list(object({a=any}))) converts to the constraint
    // first; the unified type then refines what is left dynamic.
    if (!target.is_dynamic()) {
      std::vector<Value> tmp;
      for (size_t n = 0; n < items.size(); ++n) {
        SKM_TRY_ASSIGN(Value c,
                       conv(items[n], target, sub_path(path, "element " + std::to_string(n)), depth + 1));
        tmp.push_back(std::move(c));
      }
      types.clear();
      for (const auto& i : tmp) types.push_back(i.type());
      u = unify(types);
      if (!u) return convert_error(path, "all elements must have the same type");
      out = std::move(tmp);
      out_elem = *u;
      for (auto& o : out) {
        SKM_TRY_ASSIGN(o, conv(o, *u, path, depth + 1));
      }
      return Value();
    }
    target = *u;
  }
  out.clear();
  out.reserve(items.size());
  for (size_t n = 0; n < items.size(); ++n) {
    SKM_TRY_ASSIGN(Value c,
                   conv(items[n], target, sub_path(path, "element " + std::to_string(n)), depth + 1));
    out.push_back(std::move(c));
  }
  out_elem = target;
  return Value();
}

core::Result<Value> conv(const Value& v, const Type& t, const std::string& path, uint32_t depth) {
  if (depth > 256) return convert_error(path, "value is nested too deeply");
  if (t.is_dynamic()) return v;
  if (v.is_unknown()) return Value::unknown(t.has_dynamic() ? Type() : t).with_sensitive(v.sensitive());
  if (v.is_null())
    return Value::null(t.has_dynamic() ? Type() : t).with_sensitive(v.sensitive()).with_pos(v.pos());
  switch (t.kind()) {
    case TypeKind::kDynamic:
      return v;
    case TypeKind::kString: {
      auto r = to_string_value(v);
      if (!r.ok()) return convert_error(path, r.error().message);
      return r;
    }
    case TypeKind::kNumber: {
      auto r = to_number_value(v);
      if (!r.ok()) return convert_error(path, r.error().message);
      return r;
    }
    case TypeKind::kBool: {
      auto r = to_bool_value(v);
      if (!r.ok()) return convert_error(path, r.error().message);
      return r;
    }
    case TypeKind::kList:
    case TypeKind::kSet: {
      if (!v.is_sequence()) {
        return convert_error(path, t.friendly_name() + " required, but have " + v.type().friendly_name());
      }
      std::vector<Value> items;
      Type elem;
      SKM_TRY(conv_elements(v.items(), t.element(), path, depth, items, elem));
      Value out = t.kind() == TypeKind::kList ? Value::list(std::move(items), elem)
                                              : Value::set(std::move(items), elem);
      return out.with_sensitive(v.sensitive()).with_pos(v.pos());
    }
    case TypeKind::kMap: {
      if (!v.is_mapping()) {
        return convert_error(path, t.friendly_name() + " required, but have " + v.type().friendly_name());
      }
      std::vector<Value> values;
      values.reserve(v.members().size());
      for (const auto& m : v.members()) values.push_back(m.value);
      std::vector<Value> converted;
      Type elem;
      SKM_TRY(conv_elements(values, t.element(), path, depth, converted, elem));
      std::vector<Member> members;
      members.reserve(converted.size());
      size_t n = 0;
      for (const auto& m : v.members()) members.push_back(Member{m.key, std::move(converted[n++])});
      return Value::map(std::move(members), elem).with_sensitive(v.sensitive()).with_pos(v.pos());
    }
    case TypeKind::kTuple: {
      auto elems = t.elements();
      if (v.kind() != ValueKind::kTuple && v.kind() != ValueKind::kList) {
        return convert_error(path, "tuple required, but have " + v.type().friendly_name());
      }
      if (v.items().size() != elems.size()) {
        return convert_error(path, "tuple required with " + std::to_string(elems.size()) +
                                       " elements, but have " + std::to_string(v.items().size()));
      }
      std::vector<Value> items;
      for (size_t n = 0; n < elems.size(); ++n) {
        SKM_TRY_ASSIGN(
            Value c, conv(v.items()[n], elems[n], sub_path(path, "element " + std::to_string(n)), depth + 1));
        items.push_back(std::move(c));
      }
      return Value::tuple(std::move(items)).with_sensitive(v.sensitive()).with_pos(v.pos());
    }
    case TypeKind::kObject: {
      if (!v.is_mapping()) {
        return convert_error(path, "object required, but have " + v.type().friendly_name());
      }
      std::vector<Member> members;
      for (const auto& a : t.attrs()) {
        const Value* given = v.find(a.name);
        const std::string apath = sub_path(path, "attribute \"" + a.name + "\"");
        if (given == nullptr || (given->is_null() && a.optional)) {
          if (!a.optional) return convert_error(path, "attribute \"" + a.name + "\" is required");
          if (a.default_value) {
            members.push_back(Member{a.name, *a.default_value});
          } else {
            members.push_back(Member{a.name, Value::null(a.type.has_dynamic() ? Type() : a.type)});
          }
          continue;
        }
        SKM_TRY_ASSIGN(Value c, conv(*given, a.type, apath, depth + 1));
        members.push_back(Member{a.name, std::move(c)});
      }
      return Value::object(std::move(members)).with_sensitive(v.sensitive()).with_pos(v.pos());
    }
  }
  return v;
}

bool all_of_kind(const std::vector<Type>& ts, std::initializer_list<TypeKind> kinds) {
  return std::all_of(ts.begin(), ts.end(), [&](const Type& t) {
    return std::find(kinds.begin(), kinds.end(), t.kind()) != kinds.end();
  });
}

}  // namespace

core::Result<Type> parse_type_expr(const hcl::Expr& expr, const ConstEval& eval) {
  return parse_type(expr, eval, 0);
}

core::Result<Value> eval_const(const hcl::Expr& expr) { return eval_const_impl(expr, 0); }

core::Result<Value> convert(const Value& v, const Type& type) { return conv(v, type, "", 0); }

std::optional<Type> unify(const std::vector<Type>& all) {
  std::vector<Type> ts;
  for (const auto& t : all) {
    if (!t.is_dynamic()) ts.push_back(t);
  }
  if (ts.empty()) return Type::dynamic();
  if (std::all_of(ts.begin(), ts.end(), [&](const Type& t) { return t == ts[0]; })) return ts[0];
  if (all_of_kind(ts, {TypeKind::kString, TypeKind::kNumber, TypeKind::kBool})) return Type::string();
  if (all_of_kind(ts, {TypeKind::kObject, TypeKind::kMap})) {
    const bool objects = all_of_kind(ts, {TypeKind::kObject});
    if (objects) {
      auto first = ts[0].attrs();
      const bool same_names = std::all_of(ts.begin(), ts.end(), [&](const Type& t) {
        auto a = t.attrs();
        if (a.size() != first.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
          if (a[i].name != first[i].name) return false;
        }
        return true;
      });
      if (same_names) {
        std::vector<ObjectAttr> attrs;
        bool ok = true;
        for (size_t i = 0; i < first.size() && ok; ++i) {
          std::vector<Type> at;
          for (const auto& t : ts) at.push_back(t.attrs()[i].type);
          auto u = unify(at);
          if (!u) {
            ok = false;
          } else {
            attrs.push_back(ObjectAttr{first[i].name, *u, false, nullptr});
          }
        }
        if (ok) return Type::object(std::move(attrs));
      }
    }
    std::vector<Type> values;
    for (const auto& t : ts) {
      if (t.kind() == TypeKind::kMap) {
        values.push_back(t.element());
      } else {
        for (const auto& a : t.attrs()) values.push_back(a.type);
      }
    }
    auto u = unify(values);
    if (!u) return std::nullopt;
    return Type::map(*u);
  }
  if (all_of_kind(ts, {TypeKind::kTuple, TypeKind::kList, TypeKind::kSet})) {
    if (all_of_kind(ts, {TypeKind::kTuple})) {
      const size_t n = ts[0].elements().size();
      if (std::all_of(ts.begin(), ts.end(), [&](const Type& t) { return t.elements().size() == n; })) {
        std::vector<Type> elems;
        bool ok = true;
        for (size_t i = 0; i < n && ok; ++i) {
          std::vector<Type> et;
          for (const auto& t : ts) et.push_back(t.elements()[i]);
          auto u = unify(et);
          if (!u) {
            ok = false;
          } else {
            elems.push_back(*u);
          }
        }
        if (ok) return Type::tuple(std::move(elems));
      }
    }
    std::vector<Type> elems;
    for (const auto& t : ts) {
      if (t.kind() == TypeKind::kTuple) {
        for (const auto& e : t.elements()) elems.push_back(e);
      } else {
        elems.push_back(t.element());
      }
    }
    auto u = unify(elems);
    if (!u) return std::nullopt;
    if (all_of_kind(ts, {TypeKind::kSet})) return Type::set(*u);
    return Type::list(*u);
  }
  return std::nullopt;
}

core::Result<Value> to_list(const Value& v) { return convert(v, Type::list(Type::dynamic())); }
core::Result<Value> to_set(const Value& v) { return convert(v, Type::set(Type::dynamic())); }
core::Result<Value> to_map(const Value& v) { return convert(v, Type::map(Type::dynamic())); }

}  // namespace sekimori::terraform
