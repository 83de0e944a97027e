// The CEL standard library (google/cel-spec langdef.md, "Standard definitions"): size,
// string predicates, matches, type conversions and timestamp/duration accessors.
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "cel/functions.h"
#include "cel/network.h"
#include "core/utf8.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Code points in valid UTF-8 (strings are valid UTF-8 by construction).
int64_t code_points(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += is_cont(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

// Go's strconv.FormatFloat(d, 'g', -1, 64), which cel-go uses for string(double).
std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = !sci.empty() && sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
  std::string out = neg ? "-" : "";
  const int nd = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 6) {  // Go uses precision 6 for this choice
    out += digits[0];
    if (nd > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + eb;
  }
  const int dp = exp + 1;
  if (dp <= 0) {
    out += "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
  } else if (dp >= nd) {
    out += digits + std::string(static_cast<size_t>(dp - nd), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(dp)) + "." + digits.substr(static_cast<size_t>(dp));
  }
  return out;
}

Value size_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kString:
      return Value::integer(code_points(v.as_string()));
    case Kind::kBytes:
      return Value::integer(static_cast<int64_t>(v.as_bytes().size()));
    case Kind::kList:
      return Value::integer(static_cast<int64_t>(v.list_size()));
    case Kind::kMap:
      return Value::integer(static_cast<int64_t>(v.map_size()));
    default:
      return Value::no_overload("size");
  }
}

bool two_strings(Args a) { return a[0].kind() == Kind::kString && a[1].kind() == Kind::kString; }

// contains/startsWith/endsWith on an unknown string (CallStep passes one as the receiver
// when the other arguments are known): what its shape settles, else the unknown.
bool on_shape(Args a) { return a[0].is_shaped_unknown() && a[1].kind() == Kind::kString; }
Value settled(std::optional<bool> r, const Value& unknown) {
  return r ? Value::boolean(*r) : unknown.without_shape();
}

Value contains_impl(Args a, const CallContext&) {
  if (on_shape(a)) return settled(shape_contains(a[0].unknown_shape(), a[1].as_string()), a[0]);
  if (!two_strings(a)) return Value::no_overload("contains");
  return Value::boolean(a[0].as_string().find(a[1].as_string()) != std::string_view::npos);
}

Value starts_with_impl(Args a, const CallContext&) {
  if (on_shape(a)) return settled(shape_starts_with(a[0].unknown_shape(), a[1].as_string()), a[0]);
  if (!two_strings(a)) return Value::no_overload("startsWith");
  return Value::boolean(a[0].as_string().starts_with(a[1].as_string()));
}

Value ends_with_impl(Args a, const CallContext&) {
  if (on_shape(a)) return settled(shape_ends_with(a[0].unknown_shape(), a[1].as_string()), a[0]);
  if (!two_strings(a)) return Value::no_overload("endsWith");
  return Value::boolean(a[0].as_string().ends_with(a[1].as_string()));
}

Value matches_impl(Args a, const CallContext& ctx) {
  if (!two_strings(a)) return Value::no_overload("matches");
  std::string error;
  const re2::RE2* re = ctx.regex(a[1].as_string(), &error);
  if (re == nullptr) return Value::error("invalid regular expression: " + error);
  std::string_view s = a[0].as_string();
  if (!ctx.charge(s.size())) return Value::error("evaluation cost budget exceeded");
  return Value::boolean(re2::RE2::PartialMatch(s, *re));
}

// --- conversions ---

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no spaces.
bool parse_int(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  constexpr uint64_t kMaxPos = static_cast<uint64_t>(INT64_MAX);
  if (neg) {
    if (v > kMaxPos + 1) return false;
    *out = v == kMaxPos + 1 ? INT64_MIN : -static_cast<int64_t>(v);
  } else {
    if (v > kMaxPos) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool parse_uint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Go's strconv.ParseFloat(s, 64) for decimal text plus inf/infinity/nan.
bool parse_double(std::string_view s, double* out) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(body, "nan") && body.size() == s.size()) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || !((body[0] >= '0' && body[0] <= '9') || body[0] == '.')) return false;
  double v = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return false;
  *out = neg ? -v : v;
  return true;
}

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

Value int_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kInt:
      return v;
    case Kind::kUint:
      if (v.as_uint() > static_cast<uint64_t>(INT64_MAX)) return Value::error("int overflow");
      return Value::integer(static_cast<int64_t>(v.as_uint()));
    case Kind::kDouble: {
      double d = v.as_double();
      // cel-go's bounds: both ends of the int64 range are rejected as imprecise.
      if (std::isnan(d) || d <= -kTwoTo63 || d >= kTwoTo63) return Value::error("int overflow");
      return Value::integer(static_cast<int64_t>(d));
    }
    case Kind::kString: {
      int64_t out = 0;
      if (!parse_int(v.as_string(), &out)) return Value::error("cannot convert string to int");
      return Value::integer(out);
    }
    case Kind::kTimestamp:
      return Value::integer(v.as_timestamp().seconds);
    default:
      return Value::no_overload("int");
  }
}

Value uint_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kUint:
      return v;
    case Kind::kInt:
      if (v.as_int() < 0) return Value::error("uint overflow");
      return Value::uinteger(static_cast<uint64_t>(v.as_int()));
    case Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d) || d < 0 || d >= kTwoTo64) return Value::error("uint overflow");
      return Value::uinteger(static_cast<uint64_t>(d));
    }
    case Kind::kString: {
      uint64_t out = 0;
      if (!parse_uint(v.as_string(), &out)) return Value::error("cannot convert string to uint");
      return Value::uinteger(out);
    }
    default:
      return Value::no_overload("uint");
  }
}

Value double_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kDouble:
      return v;
    case Kind::kInt:
      return Value::dbl(static_cast<double>(v.as_int()));
    case Kind::kUint:
      return Value::dbl(static_cast<double>(v.as_uint()));
    case Kind::kString: {
      double out = 0;
      if (!parse_double(v.as_string(), &out)) return Value::error("cannot convert string to double");
      return Value::dbl(out);
    }
    default:
      return Value::no_overload("double");
  }
}

Value string_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kString:
      return v;
    case Kind::kBool:
      return Value::string(v.as_bool() ? "true" : "false");
    case Kind::kInt:
      return Value::string(std::to_string(v.as_int()));
    case Kind::kUint:
      return Value::string(std::to_string(v.as_uint()));
    case Kind::kDouble:
      return Value::string(format_double(v.as_double()));
    case Kind::kBytes:
      if (!core::valid_utf8(v.as_bytes())) return Value::error("invalid UTF-8 in bytes to string conversion");
      return Value::string(std::string(v.as_bytes()));
    case Kind::kTimestamp:
      return Value::string(format_timestamp(v.as_timestamp()));
    case Kind::kDuration:
      return Value::string(format_duration(v.as_duration()));
    case Kind::kIp:
      return Value::string(format_ip(v.as_ip()));
    case Kind::kCidr:
      return Value::string(format_cidr(v.as_cidr()));
    default:
      return Value::no_overload("string");
  }
}

Value bytes_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  if (v.kind() == Kind::kBytes) return v;
  if (v.kind() == Kind::kString) return Value::bytes(std::string(v.as_string()));
  return Value::no_overload("bytes");
}

Value bool_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  if (v.kind() == Kind::kBool) return v;
  if (v.kind() != Kind::kString) return Value::no_overload("bool");
  std::string_view s = v.as_string();
  // Go's strconv.ParseBool spellings, exactly.
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return Value::boolean(true);
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return Value::boolean(false);
  }
  return Value::error("cannot convert string to bool");
}

Value dyn_impl(Args a, const CallContext&) { return a[0]; }

Value type_impl(Args a, const CallContext&) {
  if (a[0].is_shaped_unknown()) return Value::type(type_names::kString);  // an unknown string
  return type_of(a[0]);
}

Value timestamp_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kTimestamp:
      return v;
    case Kind::kString: {
      auto t = parse_timestamp(v.as_string());
      if (!t.ok()) return Value::error(t.error().message);
      return Value::timestamp(*t);
    }
    case Kind::kInt: {
      Timestamp t{v.as_int(), 0};
      if (!in_range(t)) return Value::error("timestamp out of range");
      return Value::timestamp(t);
    }
    default:
      return Value::no_overload("timestamp");
  }
}

Value duration_impl(Args a, const CallContext&) {
  const Value& v = a[0];
  if (v.kind() == Kind::kDuration) return v;
  if (v.kind() != Kind::kString) return Value::no_overload("duration");
  auto d = parse_duration(v.as_string());
  if (!d.ok()) return Value::error(d.error().message);
  return Value::duration(*d);
}

// --- timestamp and duration accessors ---

enum class Field {
  kFullYear,
  kMonth,
  kDayOfMonth,
  kDate,
  kDayOfWeek,
  kDayOfYear,
  kHours,
  kMinutes,
  kSeconds,
  kMilliseconds,
};

constexpr const char* field_name(Field f) {
  switch (f) {
    case Field::kFullYear: return "getFullYear";
    case Field::kMonth: return "getMonth";
    case Field::kDayOfMonth: return "getDayOfMonth";
    case Field::kDate: return "getDate";
    case Field::kDayOfWeek: return "getDayOfWeek";
    case Field::kDayOfYear: return "getDayOfYear";
    case Field::kHours: return "getHours";
    case Field::kMinutes: return "getMinutes";
    case Field::kSeconds: return "getSeconds";
    case Field::kMilliseconds: return "getMilliseconds";
  }
  return "";
}

template <Field F>
Value accessor(Args a, const CallContext&) {
  const Value& v = a[0];
  if (v.kind() == Kind::kDuration && a.size() == 1) {
    // Durations report totals, truncated toward zero.
    Duration d = v.as_duration();
    switch (F) {
      case Field::kHours: return Value::integer(d.seconds / 3600);
      case Field::kMinutes: return Value::integer(d.seconds / 60);
      case Field::kSeconds: return Value::integer(d.seconds);
      case Field::kMilliseconds: return Value::integer(d.seconds * 1000 + d.nanos / 1000000);
      default: return Value::no_overload(field_name(F));
    }
  }
  if (v.kind() != Kind::kTimestamp) return Value::no_overload(field_name(F));
  std::string_view tz;
  if (a.size() == 2) {
    if (a[1].kind() != Kind::kString) return Value::no_overload(field_name(F));
    tz = a[1].as_string();
  }
  auto c = to_civil(v.as_timestamp(), tz);
  if (!c.ok()) return Value::error(c.error().message);
  switch (F) {
    case Field::kFullYear: return Value::integer(c->year);
    case Field::kMonth: return Value::integer(c->month - 1);
    case Field::kDayOfMonth: return Value::integer(c->day - 1);
    case Field::kDate: return Value::integer(c->day);
    case Field::kDayOfWeek: return Value::integer(c->day_of_week);
    case Field::kDayOfYear: return Value::integer(c->day_of_year);
    case Field::kHours: return Value::integer(c->hour);
    case Field::kMinutes: return Value::integer(c->minute);
    case Field::kSeconds: return Value::integer(c->second);
    case Field::kMilliseconds: return Value::integer(c->nanos / 1000000);
  }
  return Value::no_overload(field_name(F));
}

template <Field F>
void add_accessor(FunctionRegistry& reg) {
  reg.add({field_name(F), CallStyle::kReceiver, 1, &accessor<F>});
  reg.add({field_name(F), CallStyle::kReceiver, 2, &accessor<F>});
}

}  // namespace

void register_standard_functions(FunctionRegistry& reg) {
  reg.add({"size", CallStyle::kGlobal, 1, &size_impl});
  reg.add({"size", CallStyle::kReceiver, 1, &size_impl});
  reg.add({"contains", CallStyle::kReceiver, 2, &contains_impl});
  reg.add({"startsWith", CallStyle::kReceiver, 2, &starts_with_impl});
  reg.add({"endsWith", CallStyle::kReceiver, 2, &ends_with_impl});
  reg.add({"matches", CallStyle::kGlobal, 2, &matches_impl});
  reg.add({"matches", CallStyle::kReceiver, 2, &matches_impl});

  reg.add({"int", CallStyle::kGlobal, 1, &int_impl});
  reg.add({"uint", CallStyle::kGlobal, 1, &uint_impl});
  reg.add({"double", CallStyle::kGlobal, 1, &double_impl});
  reg.add({"string", CallStyle::kGlobal, 1, &string_impl});
  reg.add({"bytes", CallStyle::kGlobal, 1, &bytes_impl});
  reg.add({"bool", CallStyle::kGlobal, 1, &bool_impl});
  reg.add({"dyn", CallStyle::kGlobal, 1, &dyn_impl});
  reg.add({"type", CallStyle::kGlobal, 1, &type_impl});
  reg.add({"timestamp", CallStyle::kGlobal, 1, &timestamp_impl});
  reg.add({"duration", CallStyle::kGlobal, 1, &duration_impl});

  add_accessor<Field::kFullYear>(reg);
  add_accessor<Field::kMonth>(reg);
  add_accessor<Field::kDayOfMonth>(reg);
  add_accessor<Field::kDate>(reg);
  add_accessor<Field::kDayOfWeek>(reg);
  add_accessor<Field::kDayOfYear>(reg);
  add_accessor<Field::kHours>(reg);
  add_accessor<Field::kMinutes>(reg);
  add_accessor<Field::kSeconds>(reg);
  add_accessor<Field::kMilliseconds>(reg);
}

}  // namespace sekimori::cel
