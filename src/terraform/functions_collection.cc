// Collection functions.
#include <algorithm>
#include <map>

#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

core::Status check_count(const FunctionContext& ctx, size_t n) {
  if (n > ctx.limits.max_elements) {
    return core::make_error(
        "terraform.function.limit",
        "result exceeds the limit of " + std::to_string(ctx.limits.max_elements) + " elements");
  }
  return {};
}

bool any_unknown(std::span<const Value> items) {
  return std::any_of(items.begin(), items.end(), [](const Value& v) { return v.is_unknown(); });
}

core::Result<Value> all_any(Args a, bool all) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  for (const auto& i : items) {
    if (i.is_null()) return arg_error(0, "elements must not be null");
    SKM_TRY_ASSIGN(bool b, bool_arg(i, 0));
    if (all && !b) return Value::boolean(false);
    if (!all && b) return Value::boolean(true);
  }
  return Value::boolean(all);
}
core::Result<Value> f_alltrue(Args a, const FunctionContext&) { return all_any(a, true); }
core::Result<Value> f_anytrue(Args a, const FunctionContext&) { return all_any(a, false); }

core::Result<Value> f_chunklist(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  SKM_TRY_ASSIGN(int64_t size, int_arg(a[1], 1));
  if (size < 0) return arg_error(1, "the size argument must be positive");
  const Type elem = a[0].kind() == ValueKind::kList ? a[0].type().element() : Type();
  std::vector<Value> chunks;
  if (size == 0) {
    chunks.push_back(list_or_tuple(std::vector<Value>(items.begin(), items.end())));
    return list_or_tuple(std::move(chunks));
  }
  for (size_t i = 0; i < items.size(); i += static_cast<size_t>(size)) {
    const size_t end = std::min(items.size(), i + static_cast<size_t>(size));
    chunks.push_back(list_or_tuple(std::vector<Value>(items.begin() + static_cast<ptrdiff_t>(i),
                                                      items.begin() + static_cast<ptrdiff_t>(end))));
    SKM_TRY(check_count(ctx, chunks.size()));
  }
  if (chunks.empty()) return Value::list({}, Type::list(elem));
  return list_or_tuple(std::move(chunks));
}

core::Result<Value> f_coalesce(Args a, const FunctionContext&) {
  std::vector<Type> types;
  for (const auto& v : a) types.push_back(v.type());
  auto u = unify(types);
  if (!u) return fail("all arguments must have the same type");
  for (const auto& v : a) {
    if (v.is_unknown()) return Value::unknown(*u);
    if (v.is_null()) continue;
    if (v.kind() == ValueKind::kString && v.as_string().empty()) continue;
    auto c = convert(v, *u);
    if (!c.ok()) return fail("all arguments must have the same type");
    if (c->kind() == ValueKind::kString && c->as_string().empty()) continue;
    return c;
  }
  return fail("no non-null, non-empty-string arguments");
}

core::Result<Value> f_coalescelist(Args a, const FunctionContext&) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_unknown()) return Value::unknown();
    SKM_TRY_ASSIGN(auto items, seq_arg(a[i], i));
    if (!items.empty()) return a[i];
  }
  return fail("no non-null arguments");
}

core::Result<Value> f_compact(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  std::vector<std::string> out;
  for (const auto& i : items) {
    if (i.is_null()) continue;
    SKM_TRY_ASSIGN(std::string s, str_arg(i, 0));
    if (!s.empty()) out.push_back(std::move(s));
  }
  return string_list(std::move(out));
}

core::Result<Value> f_concat(Args a, const FunctionContext& ctx) {
  std::vector<Value> out;
  bool all_lists = true;
  for (size_t i = 0; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(auto items, seq_arg(a[i], i));
    if (a[i].kind() == ValueKind::kTuple) all_lists = false;
    out.insert(out.end(), items.begin(), items.end());
    SKM_TRY(check_count(ctx, out.size()));
  }
  if (all_lists) return list_or_tuple(std::move(out));
  return Value::tuple(std::move(out));
}

core::Result<Value> f_contains(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  bool unknown = false;
  for (const auto& i : items) {
    Value e = equals(i, a[1]);
    if (e.is_unknown()) {
      unknown = true;
    } else if (e.as_bool()) {
      return Value::boolean(true);
    }
  }
  if (unknown) return Value::unknown(Type::boolean());
  return Value::boolean(false);
}

core::Result<Value> f_distinct(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  std::vector<Value> out;
  for (const auto& i : items) {
    bool seen = false;
    for (const auto& o : out) {
      if (equals(o, i).as_bool()) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(i);
  }
  return list_or_tuple(std::move(out));
}

core::Result<Value> f_element(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  SKM_TRY_ASSIGN(int64_t idx, int_arg(a[1], 1));
  if (items.empty()) return fail("cannot use element function with an empty list");
  if (idx < 0) return arg_error(1, "cannot use element function with a negative index");
  return items[static_cast<size_t>(idx) % items.size()];
}

core::Status flatten_into(std::vector<Value>& out, std::span<const Value> items, bool& unknown,
                          const FunctionContext& ctx, uint32_t depth) {
  if (depth > 256) return fail("flatten: lists are nested too deeply");
  for (const auto& i : items) {
    if (i.is_unknown()) {
      unknown = true;
      continue;
    }
    if (i.is_sequence()) {
      SKM_TRY(flatten_into(out, i.items(), unknown, ctx, depth + 1));
    } else {
      out.push_back(i);
      SKM_TRY(check_count(ctx, out.size()));
    }
  }
  return {};
}

core::Result<Value> f_flatten(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  std::vector<Value> out;
  bool unknown = false;
  SKM_TRY(flatten_into(out, items, unknown, ctx, 0));
  if (unknown) return Value::unknown();
  return list_or_tuple(std::move(out));
}

core::Result<Value> f_index(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  if (a[0].kind() == ValueKind::kSet) return arg_error(0, "argument must be a list or tuple");
  for (size_t i = 0; i < items.size(); ++i) {
    Value e = equals(items[i], a[1]);
    if (e.is_unknown()) return Value::unknown(Type::number());
    if (e.as_bool()) return Value::number(static_cast<int64_t>(i));
  }
  return fail("item not found");
}

core::Result<Value> f_keys(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto members, map_arg(a[0], 0));
  std::vector<std::string> out;
  for (const auto& m : members) out.push_back(m.key);
  return string_list(std::move(out));
}

core::Result<Value> f_length(Args a, const FunctionContext&) {
  const Value& v = a[0];
  if (v.kind() == ValueKind::kString)
    return Value::number(static_cast<int64_t>(grapheme_offsets(v.as_string()).size() - 1));
  if (v.is_sequence() || v.is_mapping()) return Value::number(static_cast<int64_t>(v.size()));
  return arg_error(0, "argument must be a string, a collection type, or a structural type");
}

core::Result<Value> f_lookup(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto members, map_arg(a[0], 0));
  (void)members;
  SKM_TRY_ASSIGN(std::string key, str_arg(a[1], 1));
  if (const Value* v = a[0].find(key)) return *v;
  if (a.size() == 3) {
    if (a[0].kind() == ValueKind::kMap) {
      auto c = convert(a[2], a[0].type().element());
      if (c.ok()) return c;
    }
    return a[2];
  }
  return fail("lookup failed to find key \"" + key + "\"");
}

core::Result<Value> f_matchkeys(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto values, seq_arg(a[0], 0));
  SKM_TRY_ASSIGN(auto keys, seq_arg(a[1], 1));
  SKM_TRY_ASSIGN(auto search, seq_arg(a[2], 2));
  if (values.size() != keys.size()) return fail("length of keys and values should be equal");
  std::vector<Value> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    for (const auto& s : search) {
      if (equals(keys[i], s).as_bool()) {
        out.push_back(values[i]);
        break;
      }
    }
  }
  if (out.empty() && a[0].kind() == ValueKind::kList) return Value::list({}, a[0].type().element());
  return list_or_tuple(std::move(out));
}

core::Result<Value> f_merge(Args a, const FunctionContext&) {
  std::vector<Member> out;
  bool all_maps = true;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null()) continue;
    if (a[i].is_unknown()) return Value::unknown();
    SKM_TRY_ASSIGN(auto members, map_arg(a[i], i));
    if (a[i].kind() != ValueKind::kMap) all_maps = false;
    out.insert(out.end(), members.begin(), members.end());
  }
  if (all_maps) {
    std::vector<Type> types;
    for (const auto& m : out) types.push_back(m.value.type());
    if (auto u = unify(types)) {
      auto c = convert(Value::object(out), Type::map(*u));
      if (c.ok()) return c;
    }
  }
  return Value::object(std::move(out));  // later members win (stable sort, last kept)
}

core::Result<Value> f_one(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  if (items.empty()) return Value::null(a[0].kind() == ValueKind::kTuple ? Type() : a[0].type().element());
  if (items.size() == 1) return items[0];
  return fail("must be a list, set, or tuple value with either zero or one elements");
}

core::Result<Value> f_range(Args a, const FunctionContext& ctx) {
  Number start = Number::of(int64_t{0});
  Number limit;
  Number step = Number::of(int64_t{1});
  if (a.size() == 1) {
    SKM_TRY_ASSIGN(limit, num_arg(a[0], 0));
  } else {
    SKM_TRY_ASSIGN(start, num_arg(a[0], 0));
    SKM_TRY_ASSIGN(limit, num_arg(a[1], 1));
    if (a.size() == 3) {
      SKM_TRY_ASSIGN(step, num_arg(a[2], 2));
    } else if (compare_numbers(start, limit) > 0) {
      step = Number::of(int64_t{-1});
    }
  }
  const double s = step.as_double();
  if (s == 0) return fail("step must not be zero");
  if ((s > 0 && compare_numbers(start, limit) > 0) || (s < 0 && compare_numbers(start, limit) < 0)) {
    return fail("step must be " + std::string(s > 0 ? "negative" : "positive") + " when start is " +
                (s > 0 ? "greater" : "less") + " than limit");
  }
  std::vector<Value> out;
  Number cur = start;
  while (s > 0 ? compare_numbers(cur, limit) < 0 : compare_numbers(cur, limit) > 0) {
    if (out.size() >= ctx.limits.max_range) {
      return fail("more than " + std::to_string(ctx.limits.max_range) + " values were generated; either " +
                  "decrease the difference between start and end or use a smaller step");
    }
    out.push_back(Value::number(cur));
    SKM_TRY_ASSIGN(cur, arith('+', cur, step));
  }
  return Value::list(std::move(out), Type::number());
}

core::Result<Value> f_reverse(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  if (a[0].kind() == ValueKind::kSet) return arg_error(0, "a list or tuple is required (sets have no order)");
  std::vector<Value> out(items.rbegin(), items.rend());
  if (a[0].kind() == ValueKind::kTuple) return Value::tuple(std::move(out));
  return Value::list(std::move(out), a[0].type().element());
}

// The arguments of a set function, each converted to a set of one unified type.
core::Result<std::vector<Value>> set_args(Args a) {
  std::vector<Type> types;
  for (size_t i = 0; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(auto items, seq_arg(a[i], i));
    for (const auto& it : items) types.push_back(it.type());
  }
  auto u = unify(types);
  if (!u) return fail("given sets must all have compatible element types");
  std::vector<Value> out;
  for (const auto& v : a) {
    SKM_TRY_ASSIGN(Value s, convert(v, Type::set(*u)));
    out.push_back(std::move(s));
  }
  return out;
}

bool set_has(const Value& set, const Value& v) {
  for (const auto& i : set.items()) {
    if (i == v) return true;
  }
  return false;
}

core::Result<Value> f_setintersection(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto sets, set_args(a));
  std::vector<Value> out;
  for (const auto& v : sets[0].items()) {
    if (std::all_of(sets.begin() + 1, sets.end(), [&](const Value& s) { return set_has(s, v); }))
      out.push_back(v);
  }
  return Value::set(std::move(out), sets[0].type().element());
}

core::Result<Value> f_setsubtract(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto sets, set_args(a));
  std::vector<Value> out;
  for (const auto& v : sets[0].items()) {
    if (!set_has(sets[1], v)) out.push_back(v);
  }
  return Value::set(std::move(out), sets[0].type().element());
}

core::Result<Value> f_setunion(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(auto sets, set_args(a));
  std::vector<Value> out;
  for (const auto& s : sets) {
    out.insert(out.end(), s.items().begin(), s.items().end());
    SKM_TRY(check_count(ctx, out.size()));
  }
  return Value::set(std::move(out), sets[0].type().element());
}

core::Result<Value> f_setproduct(Args a, const FunctionContext& ctx) {
  uint64_t total = 1;
  for (size_t i = 0; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(auto items, seq_arg(a[i], i));
    total *= items.size();
    if (total > ctx.limits.max_elements) return check_count(ctx, static_cast<size_t>(total)).error();
  }
  std::vector<Value> out;
  std::vector<size_t> idx(a.size(), 0);
  if (total > 0) {
    while (true) {
      std::vector<Value> row;
      for (size_t i = 0; i < a.size(); ++i) row.push_back(a[i].items()[idx[i]]);
      out.push_back(list_or_tuple(std::move(row)));
      size_t k = a.size();
      while (k > 0) {
        --k;
        if (++idx[k] < a[k].items().size()) break;
        idx[k] = 0;
        if (k == 0) {
          k = a.size() + 1;
          break;
        }
      }
      if (k > a.size()) break;
    }
  }
  const bool all_sets =
      std::all_of(a.begin(), a.end(), [](const Value& v) { return v.kind() == ValueKind::kSet; });
  if (all_sets) return Value::set(std::move(out));
  return list_or_tuple(std::move(out));
}

core::Result<Value> f_slice(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  if (a[0].kind() == ValueKind::kSet) return arg_error(0, "a list or tuple is required (sets have no order)");
  SKM_TRY_ASSIGN(int64_t start, int_arg(a[1], 1));
  SKM_TRY_ASSIGN(int64_t end, int_arg(a[2], 2));
  if (start < 0) return arg_error(1, "the start index must not be less than zero");
  if (end > static_cast<int64_t>(items.size())) {
    return arg_error(2, "the end index must not be greater than the length of the list");
  }
  if (start > end) return arg_error(1, "the start index must not be greater than the end index");
  std::vector<Value> out(items.begin() + start, items.begin() + end);
  if (a[0].kind() == ValueKind::kTuple) return Value::tuple(std::move(out));
  return Value::list(std::move(out), a[0].type().element());
}

core::Result<Value> f_sort(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  std::vector<std::string> out;
  for (const auto& i : items) {
    if (i.is_null()) return arg_error(0, "given list element is null; a null value cannot be sorted");
    SKM_TRY_ASSIGN(std::string s, str_arg(i, 0));
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  return string_list(std::move(out));
}

core::Result<Value> f_sum(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto items, seq_arg(a[0], 0));
  if (items.empty()) return fail("cannot sum an empty list");
  Number total = Number::of(int64_t{0});
  for (const auto& i : items) {
    if (i.is_null())
      return arg_error(0, "argument must be list, set, or tuple of number values without nulls");
    SKM_TRY_ASSIGN(Number n, num_arg(i, 0));
    SKM_TRY_ASSIGN(total, arith('+', total, n));
  }
  return Value::number(total);
}

core::Result<Value> f_transpose(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto members, map_arg(a[0], 0));
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& m : members) {
    SKM_TRY_ASSIGN(auto items, seq_arg(m.value, 0));
    for (const auto& i : items) {
      SKM_TRY_ASSIGN(std::string s, str_arg(i, 0));
      out[s].push_back(m.key);
    }
  }
  std::vector<Member> result;
  for (auto& [k, v] : out) result.push_back(Member{k, string_list(std::move(v))});
  return Value::map(std::move(result), Type::list(Type::string()));
}

core::Result<Value> f_values(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto members, map_arg(a[0], 0));
  std::vector<Value> out;
  for (const auto& m : members) out.push_back(m.value);
  if (a[0].kind() == ValueKind::kMap) return Value::list(std::move(out), a[0].type().element());
  return Value::tuple(std::move(out));
}

core::Result<Value> f_zipmap(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(auto keys, seq_arg(a[0], 0));
  SKM_TRY_ASSIGN(auto values, seq_arg(a[1], 1));
  if (keys.size() != values.size()) {
    return fail("number of keys (" + std::to_string(keys.size()) + ") does not match number of values (" +
                std::to_string(values.size()) + ")");
  }
  if (any_unknown(keys)) return Value::unknown();
  std::vector<Member> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    SKM_TRY_ASSIGN(std::string k, str_arg(keys[i], 0));
    out.push_back(Member{std::move(k), values[i]});
  }
  if (a[1].kind() == ValueKind::kTuple) return Value::object(std::move(out));
  return Value::map(std::move(out), a[1].type().element());
}

}  // namespace

void add_collection(Table& t) {
  const Type b = Type::boolean();
  t.push_back({"alltrue", 1, 1, f_alltrue, b});
  t.push_back({"anytrue", 1, 1, f_anytrue, b});
  t.push_back({"chunklist", 2, 2, f_chunklist, Type(), kPartial});
  t.push_back({"coalesce", 1, -1, f_coalesce, Type(), kAllowNull | kPartial | kAllowUnknown});
  t.push_back({"coalescelist", 1, -1, f_coalescelist, Type(), kPartial | kAllowUnknown});
  t.push_back({"compact", 1, 1, f_compact, Type::list(Type::string())});
  t.push_back({"concat", 1, -1, f_concat, Type(), kPartial});
  t.push_back({"contains", 2, 2, f_contains, b, kPartial});
  t.push_back({"distinct", 1, 1, f_distinct, Type()});
  t.push_back({"element", 2, 2, f_element, Type(), kPartial});
  t.push_back({"flatten", 1, 1, f_flatten, Type(), kPartial});
  t.push_back({"index", 2, 2, f_index, Type::number(), kPartial});
  t.push_back({"keys", 1, 1, f_keys, Type::list(Type::string()), kPartial});
  t.push_back({"length", 1, 1, f_length, Type::number(), kPartial});
  t.push_back({"lookup", 2, 3, f_lookup, Type(), kPartial | kAllowNull});
  t.push_back({"matchkeys", 3, 3, f_matchkeys, Type()});
  t.push_back({"merge", 0, -1, f_merge, Type(), kPartial | kAllowNull | kAllowUnknown});
  t.push_back({"one", 1, 1, f_one, Type(), kPartial});
  t.push_back({"range", 1, 3, f_range, Type::list(Type::number())});
  t.push_back({"reverse", 1, 1, f_reverse, Type(), kPartial});
  t.push_back({"setintersection", 1, -1, f_setintersection, Type()});
  t.push_back({"setproduct", 1, -1, f_setproduct, Type()});
  t.push_back({"setsubtract", 2, 2, f_setsubtract, Type()});
  t.push_back({"setunion", 1, -1, f_setunion, Type()});
  t.push_back({"slice", 3, 3, f_slice, Type(), kPartial});
  t.push_back({"sort", 1, 1, f_sort, Type::list(Type::string())});
  t.push_back({"sum", 1, 1, f_sum, Type::number()});
  t.push_back({"transpose", 1, 1, f_transpose, Type::map(Type::list(Type::string()))});
  t.push_back({"values", 1, 1, f_values, Type(), kPartial});
  t.push_back({"zipmap", 2, 2, f_zipmap, Type(), kPartial});
}

}  // namespace sekimori::terraform::fn
