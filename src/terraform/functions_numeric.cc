// Numeric and type-conversion functions.
#include <cmath>
#include <limits>

#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

core::Result<Value> f_abs(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number n, num_arg(a[0], 0));
  if (n.is_int) {
    if (n.i == std::numeric_limits<int64_t>::min()) return Value::number(-static_cast<double>(n.i));
    return Value::number(n.i < 0 ? -n.i : n.i);
  }
  return Value::number(std::fabs(n.d));
}

core::Result<Value> f_ceil(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number n, num_arg(a[0], 0));
  if (n.is_int) return Value::number(n);
  return Value::number(std::ceil(n.d));
}

core::Result<Value> f_floor(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number n, num_arg(a[0], 0));
  if (n.is_int) return Value::number(n);
  return Value::number(std::floor(n.d));
}

core::Result<Value> f_log(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number n, num_arg(a[0], 0));
  SKM_TRY_ASSIGN(Number base, num_arg(a[1], 1));
  return Value::number(std::log(n.as_double()) / std::log(base.as_double()));
}

core::Result<Value> min_max(Args a, bool want_max) {
  if (a.empty()) return fail("must pass at least one number");
  SKM_TRY_ASSIGN(Number best, num_arg(a[0], 0));
  for (size_t i = 1; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(Number n, num_arg(a[i], i));
    const int c = compare_numbers(n, best);
    if (want_max ? c > 0 : c < 0) best = n;
  }
  return Value::number(best);
}
core::Result<Value> f_max(Args a, const FunctionContext&) { return min_max(a, true); }
core::Result<Value> f_min(Args a, const FunctionContext&) { return min_max(a, false); }

core::Result<Value> f_parseint(Args a, const FunctionContext&) {
  if (a[0].kind() != ValueKind::kString) return arg_error(0, "string required");
  const std::string_view s = a[0].as_string();
  SKM_TRY_ASSIGN(int64_t base, int_arg(a[1], 1));
  if (base < 2 || base > 62) return arg_error(1, "base must be a whole number between 2 and 62 inclusive");
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size())
    return fail("cannot parse \"" + std::string(s) + "\" as a base " + std::to_string(base) + " integer");
  int64_t acc = 0;
  double dacc = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    int d = -1;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = base <= 36 ? c - 'A' + 10 : c - 'A' + 36;
    }
    if (d < 0 || d >= base) {
      return fail("cannot parse \"" + std::string(s) + "\" as a base " + std::to_string(base) + " integer");
    }
    if (!overflow && (__builtin_mul_overflow(acc, base, &acc) || __builtin_add_overflow(acc, d, &acc))) {
      overflow = true;
    }
    dacc = dacc * static_cast<double>(base) + d;
  }
  if (overflow) return Value::number(neg ? -dacc : dacc);
  return Value::number(neg ? -acc : acc);
}

core::Result<Value> f_pow(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number x, num_arg(a[0], 0));
  SKM_TRY_ASSIGN(Number y, num_arg(a[1], 1));
  if (x.is_int && y.is_int && y.i >= 0) {
    int64_t r = 1;
    bool overflow = false;
    for (int64_t k = 0; k < y.i && !overflow; ++k) {
      overflow = __builtin_mul_overflow(r, x.i, &r);
      if (r == 0 || r == 1) break;
    }
    if (!overflow) {
      if (r == 1 && x.i == -1) r = (y.i % 2 == 0) ? 1 : -1;
      return Value::number(r);
    }
  }
  return Value::number(std::pow(x.as_double(), y.as_double()));
}

core::Result<Value> f_signum(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(Number n, num_arg(a[0], 0));
  const double d = n.as_double();
  return Value::number(int64_t{d > 0 ? 1 : (d < 0 ? -1 : 0)});
}

// --- conversion ------------------------------------------------------------------------

core::Result<Value> convert_or_fail(const Value& v, const Type& t, const char* what) {
  auto r = convert(v, t);
  if (!r.ok())
    return fail(std::string("cannot convert ") + v.type().friendly_name() + " to " + what + ": " +
                r.error().message);
  return r;
}

core::Result<Value> f_tostring(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::string(), "string");
}
core::Result<Value> f_tonumber(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::number(), "number");
}
core::Result<Value> f_tobool(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::boolean(), "bool");
}
core::Result<Value> f_tolist(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::list(Type::dynamic()), "list");
}
core::Result<Value> f_toset(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::set(Type::dynamic()), "set");
}
core::Result<Value> f_tomap(Args a, const FunctionContext&) {
  return convert_or_fail(a[0], Type::map(Type::dynamic()), "map");
}
core::Result<Value> f_type(Args a, const FunctionContext&) { return Value::string(a[0].type().to_string()); }
core::Result<Value> f_sensitive(Args a, const FunctionContext&) { return a[0].with_sensitive(true); }
core::Result<Value> f_nonsensitive(Args a, const FunctionContext&) { return a[0].with_sensitive(false); }
core::Result<Value> f_issensitive(Args a, const FunctionContext&) {
  return Value::boolean(a[0].has_sensitive());
}

}  // namespace

void add_numeric(Table& t) {
  const Type num = Type::number();
  t.push_back({"abs", 1, 1, f_abs, num});
  t.push_back({"ceil", 1, 1, f_ceil, num});
  t.push_back({"floor", 1, 1, f_floor, num});
  t.push_back({"log", 2, 2, f_log, num});
  t.push_back({"max", 1, -1, f_max, num});
  t.push_back({"min", 1, -1, f_min, num});
  t.push_back({"parseint", 2, 2, f_parseint, num});
  t.push_back({"pow", 2, 2, f_pow, num});
  t.push_back({"signum", 1, 1, f_signum, num});
}

void add_conversion(Table& t) {
  const uint8_t conv = kAllowNull | kPartial;
  t.push_back({"tostring", 1, 1, f_tostring, Type::string(), conv});
  t.push_back({"tonumber", 1, 1, f_tonumber, Type::number(), conv});
  t.push_back({"tobool", 1, 1, f_tobool, Type::boolean(), conv});
  t.push_back({"tolist", 1, 1, f_tolist, Type(), conv});
  t.push_back({"toset", 1, 1, f_toset, Type(), conv});
  t.push_back({"tomap", 1, 1, f_tomap, Type(), conv});
  t.push_back({"type", 1, 1, f_type, Type::string(), kAllowNull | kPartial | kAllowUnknown});
  const uint8_t marks = kAllowNull | kPartial | kAllowUnknown | kOwnMarks;
  t.push_back({"sensitive", 1, 1, f_sensitive, Type(), marks});
  t.push_back({"nonsensitive", 1, 1, f_nonsensitive, Type(), marks});
  t.push_back({"issensitive", 1, 1, f_issensitive, Type::boolean(), marks});
}

}  // namespace sekimori::terraform::fn
