#include "terraform/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace sekimori::terraform {

// ---------------------------------------------------------------------------------------
// Type

struct Type::Rep {
  Type element;
  std::vector<Type> elements;
  std::vector<ObjectAttr> attrs;
};

namespace {

const Type& dynamic_type() {
  static const Type kDynamic;
  return kDynamic;
}

}  // namespace

Type Type::boolean() {
  Type t;
  t.kind_ = TypeKind::kBool;
  return t;
}
Type Type::number() {
  Type t;
  t.kind_ = TypeKind::kNumber;
  return t;
}
Type Type::string() {
  Type t;
  t.kind_ = TypeKind::kString;
  return t;
}

Type Type::list(Type element) {
  Type t;
  t.kind_ = TypeKind::kList;
  auto rep = std::make_shared<Rep>();
  rep->element = std::move(element);
  t.rep_ = std::move(rep);
  return t;
}
Type Type::set(Type element) {
  Type t = list(std::move(element));
  t.kind_ = TypeKind::kSet;
  return t;
}
Type Type::map(Type element) {
  Type t = list(std::move(element));
  t.kind_ = TypeKind::kMap;
  return t;
}
Type Type::tuple(std::vector<Type> elements) {
  Type t;
  t.kind_ = TypeKind::kTuple;
  auto rep = std::make_shared<Rep>();
  rep->elements = std::move(elements);
  t.rep_ = std::move(rep);
  return t;
}
Type Type::object(std::vector<ObjectAttr> attrs) {
  Type t;
  t.kind_ = TypeKind::kObject;
  std::stable_sort(attrs.begin(), attrs.end(),
                   [](const ObjectAttr& a, const ObjectAttr& b) { return a.name < b.name; });
  // Duplicates: keep the last of each name.
  std::vector<ObjectAttr> unique;
  unique.reserve(attrs.size());
  for (auto& a : attrs) {
    if (!unique.empty() && unique.back().name == a.name) {
      unique.back() = std::move(a);
    } else {
      unique.push_back(std::move(a));
    }
  }
  auto rep = std::make_shared<Rep>();
  rep->attrs = std::move(unique);
  t.rep_ = std::move(rep);
  return t;
}

const Type& Type::element() const {
  if (is_collection() && rep_) return rep_->element;
  return dynamic_type();
}
std::span<const Type> Type::elements() const {
  if (kind_ == TypeKind::kTuple && rep_) return rep_->elements;
  return {};
}
std::span<const ObjectAttr> Type::attrs() const {
  if (kind_ == TypeKind::kObject && rep_) return rep_->attrs;
  return {};
}
const ObjectAttr* Type::find_attr(std::string_view name) const {
  auto a = attrs();
  auto it = std::lower_bound(a.begin(), a.end(), name,
                             [](const ObjectAttr& x, std::string_view n) { return x.name < n; });
  if (it == a.end() || it->name != name) return nullptr;
  return &*it;
}

bool Type::has_dynamic() const {
  switch (kind_) {
    case TypeKind::kDynamic:
      return true;
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      return element().has_dynamic();
    case TypeKind::kTuple:
      for (const auto& e : elements()) {
        if (e.has_dynamic()) return true;
      }
      return false;
    case TypeKind::kObject:
      for (const auto& a : attrs()) {
        if (a.type.has_dynamic()) return true;
      }
      return false;
    default:
      return false;
  }
}

std::string Type::to_string() const {
  switch (kind_) {
    case TypeKind::kDynamic:
      return "any";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kNumber:
      return "number";
    case TypeKind::kString:
      return "string";
    case TypeKind::kList:
      return "list(" + element().to_string() + ")";
    case TypeKind::kSet:
      return "set(" + element().to_string() + ")";
    case TypeKind::kMap:
      return "map(" + element().to_string() + ")";
    case TypeKind::kTuple: {
      std::string s = "tuple([";
      bool first = true;
      for (const auto& e : elements()) {
        if (!first) s += ", ";
        first = false;
        s += e.to_string();
      }
      return s + "])";
    }
    case TypeKind::kObject: {
      std::string s = "object({";
      bool first = true;
      for (const auto& a : attrs()) {
        if (!first) s += ", ";
        first = false;
        s += a.name;
        s += "=";
        if (a.optional) {
          s += "optional(" + a.type.to_string();
          if (a.default_value) s += ", " + to_display(*a.default_value);
          s += ")";
        } else {
          s += a.type.to_string();
        }
      }
      return s + "})";
    }
  }
  return "any";
}

std::string Type::friendly_name() const {
  switch (kind_) {
    case TypeKind::kDynamic:
      return "dynamic";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kNumber:
      return "number";
    case TypeKind::kString:
      return "string";
    case TypeKind::kList:
      return "list of " + element().friendly_name();
    case TypeKind::kSet:
      return "set of " + element().friendly_name();
    case TypeKind::kMap:
      return "map of " + element().friendly_name();
    case TypeKind::kTuple:
      return "tuple";
    case TypeKind::kObject:
      return "object";
  }
  return "dynamic";
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.rep_ == b.rep_) return true;
  switch (a.kind_) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      return a.element() == b.element();
    case TypeKind::kTuple: {
      auto x = a.elements();
      auto y = b.elements();
      return std::equal(x.begin(), x.end(), y.begin(), y.end());
    }
    case TypeKind::kObject: {
      auto x = a.attrs();
      auto y = b.attrs();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i].name != y[i].name || x[i].optional != y[i].optional || x[i].type != y[i].type) {
          return false;
        }
        const bool dx = x[i].default_value != nullptr;
        const bool dy = y[i].default_value != nullptr;
        if (dx != dy || (dx && *x[i].default_value != *y[i].default_value)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------
// Number

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kUnknown:
      return "unknown";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kString:
      return "string";
    case ValueKind::kList:
      return "list";
    case ValueKind::kTuple:
      return "tuple";
    case ValueKind::kSet:
      return "set";
    case ValueKind::kMap:
      return "map";
    case ValueKind::kObject:
      return "object";
  }
  return "?";
}

namespace {
constexpr double kTwo63 = 9223372036854775808.0;
}

Number Number::of(double v) {
  if (std::isfinite(v) && std::floor(v) == v && v >= -kTwo63 && v < kTwo63) {
    return Number{true, static_cast<int64_t>(v), 0};
  }
  return Number{false, 0, v};
}

bool Number::is_integral() const { return is_int || (std::isfinite(d) && std::floor(d) == d); }

std::string Number::to_string() const {
  if (is_int) return std::to_string(i);
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, then written out in positional notation (Go's
  // big.Float.Text('f', -1), which Terraform uses).
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  const size_t e_pos = sci.find('e');
  std::string_view mant = sci.substr(0, e_pos);
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  // value = 0.digits * 10^(exp+1)
  const int point = exp + 1;  // digits before the decimal point
  std::string out;
  if (neg) out += '-';
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits.substr(static_cast<size_t>(point));
  }
  return out;
}

std::optional<Number> Number::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string_view s = text;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Grammar: digits [. digits] [e|E [+|-] digits], or . digits ...
  size_t i = 0;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  bool is_int = true;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    is_int = false;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    is_int = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  if (is_int) {
    uint64_t u = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), u);
    if (r.ec == std::errc()) {
      if (!neg && u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Number::of(static_cast<int64_t>(u));
      }
      if (neg && u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
        return Number::of(static_cast<int64_t>(0 - u));
      }
    }
  }
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow to infinity or underflow to zero, like a float64 conversion would.
    bool tiny = false;
    const size_t e = s.find_first_of("eE");
    if (e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-') tiny = true;
    d = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (r.ec != std::errc()) {
    return std::nullopt;
  }
  return Number::of(neg ? -d : d);
}

bool operator==(const Number& a, const Number& b) {
  if (a.is_int && b.is_int) return a.i == b.i;
  return a.as_double() == b.as_double();
}

int compare_numbers(Number a, Number b) {
  if (a.is_int && b.is_int) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  const double x = a.as_double();
  const double y = b.as_double();
  return x < y ? -1 : (x > y ? 1 : 0);
}

core::Result<Number> arith(char op, Number a, Number b) {
  if (a.is_int && b.is_int) {
    int64_t r = 0;
    switch (op) {
      case '+':
        if (!__builtin_add_overflow(a.i, b.i, &r)) return Number::of(r);
        break;
      case '-':
        if (!__builtin_sub_overflow(a.i, b.i, &r)) return Number::of(r);
        break;
      case '*':
        if (!__builtin_mul_overflow(a.i, b.i, &r)) return Number::of(r);
        break;
      case '/':
        if (b.i == 0) return core::make_error("terraform.arith.zero", "division by zero");
        if (b.i != -1 && a.i % b.i == 0) return Number::of(a.i / b.i);
        break;
      case '%':
        if (b.i == 0) return core::make_error("terraform.arith.zero", "modulo by zero");
        if (b.i == -1) return Number::of(int64_t{0});
        return Number::of(a.i % b.i);
      default:
        return core::make_error("terraform.arith", std::string("unknown operator ") + op);
    }
  }
  const double x = a.as_double();
  const double y = b.as_double();
  switch (op) {
    case '+':
      return Number::of(x + y);
    case '-':
      return Number::of(x - y);
    case '*':
      return Number::of(x * y);
    case '/':
      if (y == 0) return core::make_error("terraform.arith.zero", "division by zero");
      return Number::of(x / y);
    case '%':
      if (y == 0) return core::make_error("terraform.arith.zero", "modulo by zero");
      return Number::of(std::fmod(x, y));
    default:
      return core::make_error("terraform.arith", std::string("unknown operator ") + op);
  }
}

// ---------------------------------------------------------------------------------------
// Value

struct Value::Rep {
  std::string str;
  std::vector<Value> items;
  std::vector<Member> members;
  Type type;  // null/unknown: its type; list/set/map: the element type when given
};

Value Value::null(Type type) {
  Value v;
  if (!type.is_dynamic()) {
    auto rep = std::make_shared<Rep>();
    rep->type = std::move(type);
    v.rep_ = std::move(rep);
  }
  return v;
}

Value Value::unknown(Type type) {
  Value v = null(std::move(type));
  v.kind_ = ValueKind::kUnknown;
  return v;
}

Value Value::unknown_string(std::string shape) {
  Value v = unknown(Type::string());
  if (!shape.empty()) {
    auto rep = std::make_shared<Rep>();
    rep->type = Type::string();
    rep->str = std::move(shape);
    v.rep_ = std::move(rep);
  }
  return v;
}

std::string_view Value::unknown_shape() const {
  return kind_ == ValueKind::kUnknown && rep_ ? std::string_view(rep_->str) : std::string_view();
}

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.b_ = b;
  return v;
}

Value Value::number(int64_t n) { return number(Number::of(n)); }
Value Value::number(double n) { return number(Number::of(n)); }
Value Value::number(Number n) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.num_ = n;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.kind_ = ValueKind::kString;
  auto rep = std::make_shared<Rep>();
  rep->str = std::move(s);
  v.rep_ = std::move(rep);
  return v;
}

Value Value::list(std::vector<Value> items, Type element) {
  Value v;
  v.kind_ = ValueKind::kList;
  auto rep = std::make_shared<Rep>();
  rep->items = std::move(items);
  rep->type = std::move(element);
  v.rep_ = std::move(rep);
  return v;
}

Value Value::tuple(std::vector<Value> items) {
  Value v = list(std::move(items));
  v.kind_ = ValueKind::kTuple;
  return v;
}

Value Value::set(std::vector<Value> items, Type element) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Value& a, const Value& b) { return compare(a, b) < 0; });
  std::vector<Value> unique;
  unique.reserve(items.size());
  for (auto& it : items) {
    if (!unique.empty() && !it.is_unknown() && compare(unique.back(), it) == 0 && unique.back() == it) {
      unique.back() = unique.back().with_sensitive(unique.back().sensitive() || it.sensitive());
      continue;
    }
    unique.push_back(std::move(it));
  }
  Value v = list(std::move(unique), std::move(element));
  v.kind_ = ValueKind::kSet;
  return v;
}

namespace {
std::vector<Member> sorted_members(std::vector<Member> members) {
  std::stable_sort(members.begin(), members.end(),
                   [](const Member& a, const Member& b) { return a.key < b.key; });
  std::vector<Member> unique;
  unique.reserve(members.size());
  for (auto& m : members) {
    if (!unique.empty() && unique.back().key == m.key) {
      unique.back() = std::move(m);
    } else {
      unique.push_back(std::move(m));
    }
  }
  return unique;
}
}  // namespace

Value Value::map(std::vector<Member> members, Type element) {
  Value v;
  v.kind_ = ValueKind::kMap;
  auto rep = std::make_shared<Rep>();
  rep->members = sorted_members(std::move(members));
  rep->type = std::move(element);
  v.rep_ = std::move(rep);
  return v;
}

Value Value::object(std::vector<Member> members) {
  Value v = map(std::move(members));
  v.kind_ = ValueKind::kObject;
  return v;
}

std::string_view Value::as_string() const {
  if (kind_ == ValueKind::kString && rep_) return rep_->str;
  return {};
}

std::span<const Value> Value::items() const {
  if (is_sequence() && rep_) return rep_->items;
  return {};
}

std::span<const Member> Value::members() const {
  if (is_mapping() && rep_) return rep_->members;
  return {};
}

size_t Value::size() const {
  if (kind_ == ValueKind::kString) return as_string().size();
  if (is_sequence()) return items().size();
  if (is_mapping()) return members().size();
  return 0;
}

const Value* Value::find(std::string_view key) const {
  auto m = members();
  auto it = std::lower_bound(m.begin(), m.end(), key,
                             [](const Member& x, std::string_view k) { return x.key < k; });
  if (it == m.end() || it->key != key) return nullptr;
  return &it->value;
}

bool Value::is_wholly_known() const {
  if (kind_ == ValueKind::kUnknown) return false;
  for (const auto& i : items()) {
    if (!i.is_wholly_known()) return false;
  }
  for (const auto& m : members()) {
    if (!m.value.is_wholly_known()) return false;
  }
  return true;
}

bool Value::has_sensitive() const {
  if (sensitive_) return true;
  for (const auto& i : items()) {
    if (i.has_sensitive()) return true;
  }
  for (const auto& m : members()) {
    if (m.value.has_sensitive()) return true;
  }
  return false;
}

Type Value::type() const {
  switch (kind_) {
    case ValueKind::kNull:
    case ValueKind::kUnknown:
      return rep_ ? rep_->type : Type();
    case ValueKind::kBool:
      return Type::boolean();
    case ValueKind::kNumber:
      return Type::number();
    case ValueKind::kString:
      return Type::string();
    case ValueKind::kList:
    case ValueKind::kSet:
    case ValueKind::kMap: {
      Type elem = rep_ ? rep_->type : Type();
      if (elem.is_dynamic()) {
        for (const auto& i : items()) {
          Type t = i.type();
          if (!t.is_dynamic()) {
            elem = std::move(t);
            break;
          }
        }
        for (const auto& m : members()) {
          Type t = m.value.type();
          if (!t.is_dynamic()) {
            elem = std::move(t);
            break;
          }
        }
      }
      if (kind_ == ValueKind::kList) return Type::list(std::move(elem));
      if (kind_ == ValueKind::kSet) return Type::set(std::move(elem));
      return Type::map(std::move(elem));
    }
    case ValueKind::kTuple: {
      std::vector<Type> types;
      types.reserve(items().size());
      for (const auto& i : items()) types.push_back(i.type());
      return Type::tuple(std::move(types));
    }
    case ValueKind::kObject: {
      std::vector<ObjectAttr> attrs;
      attrs.reserve(members().size());
      for (const auto& m : members()) attrs.push_back(ObjectAttr{m.key, m.value.type(), false, nullptr});
      return Type::object(std::move(attrs));
    }
  }
  return Type();
}

Value Value::with_sensitive(bool s) const {
  Value v = *this;
  v.sensitive_ = s;
  return v;
}

Value Value::with_pos(const SourcePos* pos) const {
  Value v = *this;
  v.pos_ = pos;
  return v;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNull:
    case ValueKind::kUnknown:
      return a.type() == b.type();
    case ValueKind::kBool:
      return a.b_ == b.b_;
    case ValueKind::kNumber:
      return a.num_ == b.num_;
    case ValueKind::kString:
      return a.as_string() == b.as_string();
    case ValueKind::kList:
    case ValueKind::kSet:
    case ValueKind::kTuple: {
      if (a.rep_ == b.rep_) return true;
      auto x = a.items();
      auto y = b.items();
      if (!std::equal(x.begin(), x.end(), y.begin(), y.end())) return false;
      if (x.empty() && a.kind_ != ValueKind::kTuple) return a.type() == b.type();
      return true;
    }
    case ValueKind::kMap:
    case ValueKind::kObject: {
      if (a.rep_ == b.rep_) return true;
      auto x = a.members();
      auto y = b.members();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i].key != y[i].key || x[i].value != y[i].value) return false;
      }
      if (x.empty() && a.kind_ == ValueKind::kMap) return a.type() == b.type();
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Operations

Value equals(const Value& a, const Value& b) {
  if (a.is_unknown() || b.is_unknown()) return Value::unknown(Type::boolean());
  if (a.is_null() || b.is_null()) return Value::boolean(a.is_null() && b.is_null());
  if (a.kind() == ValueKind::kNumber && b.kind() == ValueKind::kNumber) {
    return Value::boolean(a.as_number() == b.as_number());
  }
  if (a.kind() != b.kind()) return Value::boolean(false);
  switch (a.kind()) {
    case ValueKind::kBool:
      return Value::boolean(a.as_bool() == b.as_bool());
    case ValueKind::kString:
      return Value::boolean(a.as_string() == b.as_string());
    case ValueKind::kList:
    case ValueKind::kTuple:
    case ValueKind::kSet: {
      auto x = a.items();
      auto y = b.items();
      if (x.size() != y.size()) return Value::boolean(false);
      if (a.kind() != ValueKind::kTuple && !x.empty() && a.type() != b.type()) {
        return Value::boolean(false);
      }
      bool unknown = false;
      for (size_t i = 0; i < x.size(); ++i) {
        Value e = equals(x[i], y[i]);
        if (e.is_unknown()) {
          unknown = true;
        } else if (!e.as_bool()) {
          return Value::boolean(false);
        }
      }
      return unknown ? Value::unknown(Type::boolean()) : Value::boolean(true);
    }
    case ValueKind::kMap:
    case ValueKind::kObject: {
      auto x = a.members();
      auto y = b.members();
      if (x.size() != y.size()) return Value::boolean(false);
      bool unknown = false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i].key != y[i].key) return Value::boolean(false);
        Value e = equals(x[i].value, y[i].value);
        if (e.is_unknown()) {
          unknown = true;
        } else if (!e.as_bool()) {
          return Value::boolean(false);
        }
      }
      return unknown ? Value::unknown(Type::boolean()) : Value::boolean(true);
    }
    default:
      return Value::boolean(false);
  }
}

int compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  switch (a.kind()) {
    case ValueKind::kNull:
    case ValueKind::kUnknown:
      return 0;
    case ValueKind::kBool:
      return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case ValueKind::kNumber:
      return compare_numbers(a.as_number(), b.as_number());
    case ValueKind::kString: {
      const int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueKind::kList:
    case ValueKind::kTuple:
    case ValueKind::kSet: {
      auto x = a.items();
      auto y = b.items();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        const int c = compare(x[i], y[i]);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case ValueKind::kMap:
    case ValueKind::kObject: {
      auto x = a.members();
      auto y = b.members();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        const int k = x[i].key.compare(y[i].key);
        if (k != 0) return k < 0 ? -1 : 1;
        const int c = compare(x[i].value, y[i].value);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
  }
  return 0;
}

namespace {
core::Error convert_error(const Value& v, const char* want) {
  return core::make_error("terraform.convert",
                          std::string(want) + " required, but have " + v.type().friendly_name());
}
Value keep_marks(const Value& from, Value to) {
  return to.with_sensitive(from.sensitive()).with_pos(from.pos());
}
}  // namespace

core::Result<Value> to_string_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return keep_marks(v, Value::null(Type::string()));
    case ValueKind::kUnknown:
      return keep_marks(v, Value::unknown(Type::string()));
    case ValueKind::kString:
      return v;
    case ValueKind::kNumber:
      return keep_marks(v, Value::string(v.as_number().to_string()));
    case ValueKind::kBool:
      return keep_marks(v, Value::string(v.as_bool() ? "true" : "false"));
    default:
      return convert_error(v, "string");
  }
}

core::Result<Value> to_number_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return keep_marks(v, Value::null(Type::number()));
    case ValueKind::kUnknown:
      return keep_marks(v, Value::unknown(Type::number()));
    case ValueKind::kNumber:
      return v;
    case ValueKind::kString: {
      auto n = Number::parse(v.as_string());
      if (!n) {
        return core::make_error("terraform.convert",
                                "cannot convert \"" + std::string(v.as_string()) +
                                    "\" to number: a decimal representation of a number is required");
      }
      return keep_marks(v, Value::number(*n));
    }
    default:
      return convert_error(v, "number");
  }
}

core::Result<Value> to_bool_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return keep_marks(v, Value::null(Type::boolean()));
    case ValueKind::kUnknown:
      return keep_marks(v, Value::unknown(Type::boolean()));
    case ValueKind::kBool:
      return v;
    case ValueKind::kString: {
      const auto s = v.as_string();
      if (s == "true" || s == "1") return keep_marks(v, Value::boolean(true));
      if (s == "false" || s == "0") return keep_marks(v, Value::boolean(false));
      return core::make_error("terraform.convert", "cannot convert \"" + std::string(s) +
                                                       "\" to bool: only \"true\" or \"false\" is allowed");
    }
    default:
      return convert_error(v, "bool");
  }
}

namespace {

void quote_into(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

void display_into(std::string& out, const Value& v, bool nested) {
  switch (v.kind()) {
    case ValueKind::kNull:
      out += "null";
      return;
    case ValueKind::kUnknown:
      out += "(known after apply)";
      return;
    case ValueKind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case ValueKind::kNumber:
      out += v.as_number().to_string();
      return;
    case ValueKind::kString:
      if (nested) {
        quote_into(out, v.as_string());
      } else {
        out += v.as_string();
      }
      return;
    case ValueKind::kList:
    case ValueKind::kTuple:
    case ValueKind::kSet: {
      out += '[';
      bool first = true;
      for (const auto& i : v.items()) {
        if (!first) out += ", ";
        first = false;
        display_into(out, i, true);
      }
      out += ']';
      return;
    }
    case ValueKind::kMap:
    case ValueKind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& m : v.members()) {
        if (!first) out += ", ";
        first = false;
        quote_into(out, m.key);
        out += " = ";
        display_into(out, m.value, true);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string to_display(const Value& v) {
  std::string out;
  display_into(out, v, false);
  return out;
}

// ---------------------------------------------------------------------------------------
// JSON

namespace {

void json_string(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '<':
      case '>':
      case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9).
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

// Writes the JSON text of `v`. With `shapes`, an unknown string (Value::unknown_string) is
// written as a JSON string whose known pieces are escaped and whose holes stay holes (the
// escaped text of whatever goes there: word characters need no escaping either).
core::Status json_into(std::string& out, const Value& v, uint32_t depth, bool shapes = false) {
  if (depth > 1000) return core::make_error("terraform.json.depth", "value nested too deeply to encode");
  switch (v.kind()) {
    case ValueKind::kNull:
      out += "null";
      return {};
    case ValueKind::kUnknown: {
      std::string_view shape = shapes ? v.unknown_shape() : std::string_view();
      if (shape.empty()) {
        return core::make_error("terraform.json.unknown", "value is not known yet (known after apply)");
      }
      out += '"';
      for (size_t from = 0;;) {
        size_t hole = static_cast<size_t>(std::find_if(shape.begin() + static_cast<std::ptrdiff_t>(from),
                                                       shape.end(), formats::Node::is_shape_hole) -
                                          shape.begin());
        std::string piece;
        json_string(piece, shape.substr(from, hole - from));
        out.append(piece, 1, piece.size() - 2);  // without its quotes
        if (hole == shape.size()) break;
        out += shape[hole];
        from = hole + 1;
      }
      out += '"';
      return {};
    }
    case ValueKind::kBool:
      out += v.as_bool() ? "true" : "false";
      return {};
    case ValueKind::kNumber: {
      const Number n = v.as_number();
      if (!n.is_int && !std::isfinite(n.d)) {
        return core::make_error("terraform.json.number", "cannot encode an infinite number as JSON");
      }
      out += n.to_string();
      return {};
    }
    case ValueKind::kString:
      json_string(out, v.as_string());
      return {};
    case ValueKind::kList:
    case ValueKind::kTuple:
    case ValueKind::kSet: {
      out += '[';
      bool first = true;
      for (const auto& i : v.items()) {
        if (!first) out += ',';
        first = false;
        SKM_TRY(json_into(out, i, depth + 1, shapes));
      }
      out += ']';
      return {};
    }
    case ValueKind::kMap:
    case ValueKind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& m : v.members()) {
        if (!first) out += ',';
        first = false;
        json_string(out, m.key);
        out += ':';
        SKM_TRY(json_into(out, m.value, depth + 1, shapes));
      }
      out += '}';
      return {};
    }
  }
  return {};
}

}  // namespace

core::Result<std::string> to_json(const Value& v) {
  std::string out;
  SKM_TRY(json_into(out, v, 0));
  return out;
}

Value to_json_unknown(const Value& v) {
  std::string out;
  if (!json_into(out, v, 0, true).ok()) return Value::unknown(Type::string());
  return Value::unknown_string(std::move(out));
}

core::Result<Value> from_json(std::string_view text, uint32_t max_depth) {
  formats::Limits limits;
  limits.max_depth = std::min<uint32_t>(max_depth, 256);
  core::Diagnostics diags;
  // A scalar at the top level is read inside a one-element array: the document loader
  // takes a top-level integer beyond 64 bits for a wrong value, inside an array it is right.
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool scalar = first != std::string_view::npos && text[first] != '{' && text[first] != '[';
  std::string input = scalar ? "[" + std::string(text) + "]" : std::string(text);
  auto doc = formats::load_json("<jsondecode>", std::move(input), limits, diags);
  if (!doc.ok()) {
    core::Error e = std::move(doc).error();
    std::string msg = e.message;
    if (e.location && e.location->has_position()) {
      const uint32_t column = scalar && e.location->line == 1 && e.location->column > 1
                                  ? e.location->column - 1
                                  : e.location->column;
      msg = "at " + std::to_string(e.location->line) + ":" + std::to_string(column) + ": " + msg;
    }
    return core::make_error(e.code.rfind("doc.limit", 0) == 0 ? e.code : "terraform.json.syntax", msg);
  }
  if (doc->roots().empty()) return core::make_error("terraform.json.syntax", "empty JSON text");
  if (scalar) {
    if (doc->root().size() != 1)
      return core::make_error("terraform.json.syntax", "unexpected content after the JSON value");
    return from_node(doc->root().items()[0]);
  }
  return from_node(doc->root());
}

Value from_node(const formats::Node& node) {
  switch (node.kind()) {
    case formats::NodeKind::kNull:
      return Value::null();
    case formats::NodeKind::kBool:
      return Value::boolean(node.as_bool());
    case formats::NodeKind::kInt:
      return Value::number(node.as_int());
    case formats::NodeKind::kUint:
      return Value::number(static_cast<double>(node.as_uint()));
    case formats::NodeKind::kDouble:
      return Value::number(node.as_double());
    case formats::NodeKind::kString:
      return Value::string(std::string(node.as_string()));
    case formats::NodeKind::kUnknown:
      return Value::unknown();
    case formats::NodeKind::kList: {
      std::vector<Value> items;
      items.reserve(node.size());
      for (const auto& i : node.items()) items.push_back(from_node(i));
      return Value::tuple(std::move(items));
    }
    case formats::NodeKind::kMap: {
      std::vector<Member> members;
      members.reserve(node.size());
      for (const auto& m : node.members()) {
        std::string key;
        switch (m.key.kind()) {
          case formats::NodeKind::kString:
            key = std::string(m.key.as_string());
            break;
          default:
            key = to_display(from_node(m.key));
            break;
        }
        members.push_back(Member{std::move(key), from_node(m.value)});
      }
      return Value::object(std::move(members));
    }
  }
  return Value::null();
}

namespace {

core::Status node_into(const Value& v, formats::Builder& b, const SourcePos& inherited,
                       const std::string*& current_file, uint32_t depth) {
  if (depth > 1000) return core::make_error("doc.limit.depth", "value nested too deeply");
  SourcePos here = inherited;
  if (v.pos() != nullptr) {
    here.pos = v.pos()->pos;
    if (v.pos()->file != nullptr) here.file = v.pos()->file;
  }
  if (here.file != current_file) {
    b.set_file(here.file);
    current_file = here.file;
  }
  const formats::Pos p = here.pos;
  switch (v.kind()) {
    case ValueKind::kNull:
      return b.add_null(p);
    case ValueKind::kUnknown:
      return b.add_unknown(p, v.unknown_shape());
    case ValueKind::kBool:
      return b.add_bool(p, v.as_bool());
    case ValueKind::kNumber: {
      const Number n = v.as_number();
      return n.is_int ? b.add_int(p, n.i) : b.add_double(p, n.d);
    }
    case ValueKind::kString:
      return b.add_string(p, v.as_string(), true);
    case ValueKind::kList:
    case ValueKind::kTuple:
    case ValueKind::kSet:
      SKM_TRY(b.begin_list(p));
      for (const auto& i : v.items()) SKM_TRY(node_into(i, b, here, current_file, depth + 1));
      return b.end_list();
    case ValueKind::kMap:
    case ValueKind::kObject:
      SKM_TRY(b.begin_map(p));
      for (const auto& m : v.members()) {
        if (here.file != current_file) {
          b.set_file(here.file);
          current_file = here.file;
        }
        SKM_TRY(b.add_string(p, m.key, true));
        SKM_TRY(node_into(m.value, b, here, current_file, depth + 1));
      }
      return b.end_map();
  }
  return {};
}

}  // namespace

core::Status to_node(const Value& v, formats::Builder& builder, const SourcePos* fallback) {
  SourcePos base;
  if (fallback != nullptr) base = *fallback;
  const std::string* current = base.file;
  builder.set_file(current);
  core::Status st = node_into(v, builder, base, current, 0);
  builder.set_file(base.file);
  return st;
}

}  // namespace sekimori::terraform
