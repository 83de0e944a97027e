// CEL optional values (cel-go's optional library): optional.of, optional.none,
// optional.ofNonZeroValue and the hasValue/value/orValue/or methods. optMap and
// optFlatMap are macros and belong to the evaluator. `or` and `orValue` receive their
// argument already evaluated (cel-go evaluates it lazily; the result is the same).
#include "cel/functions.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

bool is_zero(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return !v.as_bool();
    case Kind::kInt: return v.as_int() == 0;
    case Kind::kUint: return v.as_uint() == 0;
    case Kind::kDouble: return v.as_double() == 0.0;
    case Kind::kString: return v.as_string().empty();
    case Kind::kBytes: return v.as_bytes().empty();
    case Kind::kList: return v.list_size() == 0;
    case Kind::kMap: return v.map_size() == 0;
    case Kind::kTimestamp: return v.as_timestamp() == Timestamp{};
    case Kind::kDuration: return v.as_duration() == Duration{};
    default: return false;
  }
}

Value of(Args a, const CallContext&) { return Value::optional_of(a[0]); }

Value none(Args, const CallContext&) { return Value::optional_none(); }

Value of_non_zero(Args a, const CallContext&) {
  return is_zero(a[0]) ? Value::optional_none() : Value::optional_of(a[0]);
}

Value has_value(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kOptional) return Value::no_overload("hasValue");
  return Value::boolean(a[0].optional_has_value());
}

Value value(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kOptional) return Value::no_overload("value");
  if (!a[0].optional_has_value()) return Value::error("optional.none() dereference");
  return a[0].optional_value();
}

Value or_value(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kOptional) return Value::no_overload("orValue");
  return a[0].optional_has_value() ? a[0].optional_value() : a[1];
}

Value or_optional(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kOptional || a[1].kind() != Kind::kOptional) {
    return Value::no_overload("or");
  }
  return a[0].optional_has_value() ? a[0] : a[1];
}

}  // namespace

void register_optional_functions(FunctionRegistry& reg) {
  reg.add({"optional.of", CallStyle::kGlobal, 1, &of});
  reg.add({"optional.none", CallStyle::kGlobal, 0, &none});
  reg.add({"optional.ofNonZeroValue", CallStyle::kGlobal, 1, &of_non_zero});
  reg.add({"hasValue", CallStyle::kReceiver, 1, &has_value});
  reg.add({"value", CallStyle::kReceiver, 1, &value});
  reg.add({"orValue", CallStyle::kReceiver, 2, &or_value});
  reg.add({"or", CallStyle::kReceiver, 2, &or_optional});
}

}  // namespace sekimori::cel
