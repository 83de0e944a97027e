#include "terraform/functions.h"

#include <algorithm>

#include "core/utf8.h"
#include "terraform/functions_internal.h"

namespace sekimori::terraform {

namespace fn {

core::Error fail(std::string message) { return core::make_error("terraform.function", std::move(message)); }

core::Error arg_error(size_t index, std::string message) {
  return core::make_error("terraform.function.args",
                          "invalid value for argument " + std::to_string(index + 1) + ": " + message);
}

core::Result<std::string> str_arg(const Value& v, size_t index) {
  auto s = to_string_value(v);
  if (!s.ok() || s->is_null())
    return arg_error(index, "string required, but have " + v.type().friendly_name());
  return std::string(s->as_string());
}

core::Result<Number> num_arg(const Value& v, size_t index) {
  auto n = to_number_value(v);
  if (!n.ok()) return arg_error(index, n.error().message);
  if (n->is_null()) return arg_error(index, "number required");
  return n->as_number();
}

core::Result<int64_t> int_arg(const Value& v, size_t index) {
  SKM_TRY_ASSIGN(Number n, num_arg(v, index));
  if (!n.is_int) {
    if (n.is_integral()) return arg_error(index, "number is too large");
    return arg_error(index, "a whole number is required, but have " + n.to_string());
  }
  return n.i;
}

core::Result<bool> bool_arg(const Value& v, size_t index) {
  auto b = to_bool_value(v);
  if (!b.ok()) return arg_error(index, b.error().message);
  if (b->is_null()) return arg_error(index, "bool required");
  return b->as_bool();
}

core::Result<std::span<const Value>> seq_arg(const Value& v, size_t index) {
  if (!v.is_sequence())
    return arg_error(index, "list, tuple or set required, but have " + v.type().friendly_name());
  return v.items();
}

core::Result<std::span<const Member>> map_arg(const Value& v, size_t index) {
  if (!v.is_mapping())
    return arg_error(index, "map or object required, but have " + v.type().friendly_name());
  return v.members();
}

Value string_list(std::vector<std::string> items) {
  std::vector<Value> vs;
  vs.reserve(items.size());
  for (auto& s : items) vs.push_back(Value::string(std::move(s)));
  return Value::list(std::move(vs), Type::string());
}

Value list_or_tuple(std::vector<Value> items) {
  std::vector<Type> types;
  types.reserve(items.size());
  for (const auto& i : items) types.push_back(i.type());
  auto u = unify(types);
  if (u) {
    auto converted = convert(Value::tuple(items), Type::list(*u));
    if (converted.ok()) return std::move(converted).value();
  }
  return Value::tuple(std::move(items));
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

namespace {

uint32_t decode_at(std::string_view s, size_t i, size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) n = 1;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  *len = n;
  return cp;
}

bool extends_cluster(uint32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
         (cp >= 0xE0100 && cp <= 0xE01EF) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
         (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x200D;
}

bool regional_indicator(uint32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

}  // namespace

std::vector<size_t> grapheme_offsets(std::string_view s) {
  std::vector<size_t> out;
  uint32_t prev = 0;
  bool have_prev = false;
  bool ri_open = false;  // an unpaired regional indicator starts the current cluster
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    const uint32_t cp = decode_at(s, i, &len);
    bool join = false;
    if (have_prev) {
      join = extends_cluster(cp) || prev == 0x200D || (prev == '\r' && cp == '\n') ||
             (ri_open && regional_indicator(cp));
    }
    if (!join) {
      out.push_back(i);
      ri_open = regional_indicator(cp);
    } else if (regional_indicator(cp)) {
      ri_open = false;
    }
    prev = cp;
    have_prev = true;
    i += len;
  }
  out.push_back(s.size());
  return out;
}

bool valid_utf8(std::string_view s) { return core::valid_utf8(s); }

}  // namespace fn

namespace {

struct Registry {
  fn::Table table;
  Registry() {
    fn::add_numeric(table);
    fn::add_string(table);
    fn::add_collection(table);
    fn::add_encoding(table);
    fn::add_filesystem(table);
    fn::add_time(table);
    fn::add_crypto(table);
    fn::add_network(table);
    fn::add_conversion(table);
    std::sort(table.begin(), table.end(),
              [](const fn::FunctionSpec& a, const fn::FunctionSpec& b) { return a.name < b.name; });
  }
  [[nodiscard]] const fn::FunctionSpec* find(std::string_view name) const {
    auto it = std::lower_bound(table.begin(), table.end(), name,
                               [](const fn::FunctionSpec& s, std::string_view n) { return s.name < n; });
    if (it == table.end() || it->name != name) return nullptr;
    return &*it;
  }
};

const Registry& registry() {
  static const Registry kRegistry;
  return kRegistry;
}

}  // namespace

core::Result<Value> call_function(std::string_view name, std::span<const Value> args,
                                  const FunctionContext& ctx) {
  const fn::FunctionSpec* spec = registry().find(name);
  if (spec == nullptr) {
    return core::make_error("terraform.function.unknown",
                            "there is no function named \"" + std::string(name) + "\"");
  }
  const auto n = static_cast<int>(args.size());
  if (n < spec->min_args || (spec->max_args >= 0 && n > spec->max_args)) {
    std::string want;
    if (spec->min_args == spec->max_args) {
      want = std::to_string(spec->min_args);
    } else if (spec->max_args < 0) {
      want = "at least " + std::to_string(spec->min_args);
    } else {
      want = std::to_string(spec->min_args) + " to " + std::to_string(spec->max_args);
    }
    return core::make_error("terraform.function.args", "function \"" + std::string(name) + "\" expects " +
                                                           want + " argument(s), but got " +
                                                           std::to_string(n));
  }
  bool sensitive = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const Value& a = args[i];
    if (!(spec->flags & fn::kOwnMarks) && a.has_sensitive()) sensitive = true;
    if (a.is_unknown() && !(spec->flags & fn::kAllowUnknown)) {
      return Value::unknown(spec->result).with_sensitive(sensitive);
    }
    if (a.is_null() && !(spec->flags & fn::kAllowNull)) {
      return fn::arg_error(i, "argument must not be null");
    }
  }
  if (!(spec->flags & (fn::kPartial | fn::kAllowUnknown))) {
    for (const auto& a : args) {
      if (!a.is_wholly_known()) return Value::unknown(spec->result).with_sensitive(sensitive);
    }
  }
  auto r = spec->impl(args, ctx);
  if (r.ok() && sensitive) return r->with_sensitive(true);
  return r;
}

bool has_function(std::string_view name) { return registry().find(name) != nullptr; }

std::vector<std::string_view> function_names() {
  std::vector<std::string_view> out;
  for (const auto& s : registry().table) out.push_back(s.name);
  return out;
}

}  // namespace sekimori::terraform
