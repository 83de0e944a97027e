// The CEL math extension (cel-go ext/math.go): math.greatest/least, rounding,
// abs/sign, floating-point classification, bit operations and sqrt.
#include <cmath>

#include "cel/functions.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

bool is_number(const Value& v) {
  return v.kind() == Kind::kInt || v.kind() == Kind::kUint || v.kind() == Kind::kDouble;
}

template <bool kGreatest>
Value extreme(Args a, const CallContext&) {
  const char* name = kGreatest ? "math.greatest" : "math.least";
  std::vector<Value> items;
  if (a.size() == 1 && a[0].kind() == Kind::kList) {
    for (size_t i = 0; i < a[0].list_size(); ++i) items.push_back(a[0].list_at(i));
    if (items.empty()) return Value::error(std::string(name) + "(list) argument must not be empty");
  } else {
    items.assign(a.begin(), a.end());
  }
  if (items.empty()) return Value::no_overload(name);
  for (const Value& v : items) {
    if (!is_number(v)) return Value::no_overload(name);
  }
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    Ordering o = compare(items[i], items[best]);
    if ((kGreatest && o == Ordering::kGreater) || (!kGreatest && o == Ordering::kLess)) best = i;
  }
  return items[best];
}

template <double (*F)(double)>
Value rounding(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kDouble) return Value::no_overload("math rounding function");
  return Value::dbl(F(a[0].as_double()));
}

double do_ceil(double d) { return std::ceil(d); }
double do_floor(double d) { return std::floor(d); }
double do_round(double d) { return std::round(d); }  // half away from zero
double do_trunc(double d) { return std::trunc(d); }

Value abs_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kInt:
      if (v.as_int() == INT64_MIN) return Value::error("return error for overflow");
      return Value::integer(v.as_int() < 0 ? -v.as_int() : v.as_int());
    case Kind::kUint:
      return v;
    case Kind::kDouble:
      return Value::dbl(std::fabs(v.as_double()));
    default:
      return Value::no_overload("math.abs");
  }
}

Value sign_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kInt:
      return Value::integer(v.as_int() > 0 ? 1 : (v.as_int() < 0 ? -1 : 0));
    case Kind::kUint:
      return Value::uinteger(v.as_uint() > 0 ? 1 : 0);
    case Kind::kDouble: {
      double d = v.as_double();
      if (d > 0) return Value::dbl(1.0);
      if (d < 0) return Value::dbl(-1.0);
      return Value::dbl(d);  // 0.0, -0.0 or NaN
    }
    default:
      return Value::no_overload("math.sign");
  }
}

template <int kWhich>  // 0 isNaN, 1 isInf, 2 isFinite
Value classify(Args a, const CallContext&) {
  static constexpr const char* kNames[] = {"math.isNaN", "math.isInf", "math.isFinite"};
  if (a[0].kind() != Kind::kDouble) return Value::no_overload(kNames[kWhich]);
  double d = a[0].as_double();
  switch (kWhich) {
    case 0: return Value::boolean(std::isnan(d));
    case 1: return Value::boolean(std::isinf(d));
    default: return Value::boolean(std::isfinite(d));
  }
}

template <int kOp>  // 0 and, 1 or, 2 xor
Value bit_binary(Args a, const CallContext&) {
  static constexpr const char* kNames[] = {"math.bitAnd", "math.bitOr", "math.bitXor"};
  auto apply = [](uint64_t x, uint64_t y) {
    return kOp == 0 ? (x & y) : kOp == 1 ? (x | y) : (x ^ y);
  };
  if (a[0].kind() == Kind::kInt && a[1].kind() == Kind::kInt) {
    return Value::integer(static_cast<int64_t>(
        apply(static_cast<uint64_t>(a[0].as_int()), static_cast<uint64_t>(a[1].as_int()))));
  }
  if (a[0].kind() == Kind::kUint && a[1].kind() == Kind::kUint) {
    return Value::uinteger(apply(a[0].as_uint(), a[1].as_uint()));
  }
  return Value::no_overload(kNames[kOp]);
}

Value bit_not(Args a, const CallContext&) {
  if (a[0].kind() == Kind::kInt) return Value::integer(~a[0].as_int());
  if (a[0].kind() == Kind::kUint) return Value::uinteger(~a[0].as_uint());
  return Value::no_overload("math.bitNot");
}

// Shifts are logical for both int and uint; counts of 64 or more give 0.
template <bool kLeft>
Value bit_shift(Args a, const CallContext&) {
  const char* name = kLeft ? "math.bitShiftLeft" : "math.bitShiftRight";
  if (a[1].kind() != Kind::kInt) return Value::no_overload(name);
  int64_t n = a[1].as_int();
  if (n < 0) return Value::error(std::string(name) + ": negative offset " + std::to_string(n));
  uint64_t x;
  if (a[0].kind() == Kind::kInt) {
    x = static_cast<uint64_t>(a[0].as_int());
  } else if (a[0].kind() == Kind::kUint) {
    x = a[0].as_uint();
  } else {
    return Value::no_overload(name);
  }
  uint64_t r = n >= 64 ? 0 : (kLeft ? x << n : x >> n);
  if (a[0].kind() == Kind::kInt) return Value::integer(static_cast<int64_t>(r));
  return Value::uinteger(r);
}

Value sqrt_impl(Args a, const CallContext&) {
  switch (a[0].kind()) {
    case Kind::kDouble: return Value::dbl(std::sqrt(a[0].as_double()));
    case Kind::kInt: return Value::dbl(std::sqrt(static_cast<double>(a[0].as_int())));
    case Kind::kUint: return Value::dbl(std::sqrt(static_cast<double>(a[0].as_uint())));
    default: return Value::no_overload("math.sqrt");
  }
}

}  // namespace

void register_math_extensions(FunctionRegistry& reg) {
  reg.add({"math.greatest", CallStyle::kGlobal, -1, &extreme<true>});
  reg.add({"math.least", CallStyle::kGlobal, -1, &extreme<false>});
  reg.add({"math.ceil", CallStyle::kGlobal, 1, &rounding<do_ceil>});
  reg.add({"math.floor", CallStyle::kGlobal, 1, &rounding<do_floor>});
  reg.add({"math.round", CallStyle::kGlobal, 1, &rounding<do_round>});
  reg.add({"math.trunc", CallStyle::kGlobal, 1, &rounding<do_trunc>});
  reg.add({"math.abs", CallStyle::kGlobal, 1, &abs_impl});
  reg.add({"math.sign", CallStyle::kGlobal, 1, &sign_impl});
  reg.add({"math.isNaN", CallStyle::kGlobal, 1, &classify<0>});
  reg.add({"math.isInf", CallStyle::kGlobal, 1, &classify<1>});
  reg.add({"math.isFinite", CallStyle::kGlobal, 1, &classify<2>});
  reg.add({"math.bitAnd", CallStyle::kGlobal, 2, &bit_binary<0>});
  reg.add({"math.bitOr", CallStyle::kGlobal, 2, &bit_binary<1>});
  reg.add({"math.bitXor", CallStyle::kGlobal, 2, &bit_binary<2>});
  reg.add({"math.bitNot", CallStyle::kGlobal, 1, &bit_not});
  reg.add({"math.bitShiftLeft", CallStyle::kGlobal, 2, &bit_shift<true>});
  reg.add({"math.bitShiftRight", CallStyle::kGlobal, 2, &bit_shift<false>});
  reg.add({"math.sqrt", CallStyle::kGlobal, 1, &sqrt_impl});
}

}  // namespace sekimori::cel
