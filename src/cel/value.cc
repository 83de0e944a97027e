#include "cel/value.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "cel/network.h"
#include "core/base64.h"
#include "core/json_writer.h"
#include "formats/document.h"

namespace sekimori::cel {

namespace {

struct ListObj {
  std::vector<Value> items;
};

struct MapObj {
  std::vector<std::pair<Value, Value>> entries;
};

// Value::path_key_value: the keys are fixed; the path is a slice of a buffer shared with
// other leaves (a value read from it shares the buffer's ownership).
struct PathKeyValueObj {
  std::shared_ptr<const std::string> paths;
  uint32_t offset = 0;
  uint32_t size = 0;
  Value key;
  Value value;
};
constexpr uint8_t kRepPathKeyValue = 1;
constexpr std::string_view kPathKeyValueKeys[3] = {"path", "key", "value"};

struct OptionalObj {
  bool has = false;
  Value value;
};

struct UnknownObj {
  std::vector<std::string> attributes;
};

const std::string& empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

const std::vector<std::string>& empty_attributes() {
  static const std::vector<std::string> kEmpty;
  return kEmpty;
}

// Ordering of an int64 or uint64 against a double. CEL (and its conformance suite)
// compares within the double's range by converting the integer to double, so
// 9223372036854775807 and 9223372036854775808.0 compare equal; doubles beyond the
// integer type's range order strictly.
Ordering compare_int_double(int64_t i, double d) {
  if (std::isnan(d)) return Ordering::kUnordered;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d < -kTwo63) return Ordering::kGreater;
  if (d > kTwo63) return Ordering::kLess;
  auto x = static_cast<double>(i);
  return x < d ? Ordering::kLess : x > d ? Ordering::kGreater : Ordering::kEqual;
}

Ordering compare_uint_double(uint64_t u, double d) {
  if (std::isnan(d)) return Ordering::kUnordered;
  constexpr double kTwo64 = 18446744073709551616.0;
  if (d < 0) return Ordering::kGreater;
  if (d > kTwo64) return Ordering::kLess;
  auto x = static_cast<double>(u);
  return x < d ? Ordering::kLess : x > d ? Ordering::kGreater : Ordering::kEqual;
}

Ordering flip(Ordering o) {
  if (o == Ordering::kLess) return Ordering::kGreater;
  if (o == Ordering::kGreater) return Ordering::kLess;
  return o;
}

template <typename T>
Ordering three_way(const T& a, const T& b) {
  if (a < b) return Ordering::kLess;
  if (b < a) return Ordering::kGreater;
  return Ordering::kEqual;
}

Ordering compare_numbers(const Value& a, const Value& b) {
  switch (a.kind()) {
    case Kind::kInt:
      if (b.kind() == Kind::kInt) return three_way(a.as_int(), b.as_int());
      if (b.kind() == Kind::kUint) {
        if (a.as_int() < 0) return Ordering::kLess;
        return three_way(static_cast<uint64_t>(a.as_int()), b.as_uint());
      }
      return compare_int_double(a.as_int(), b.as_double());
    case Kind::kUint:
      if (b.kind() == Kind::kUint) return three_way(a.as_uint(), b.as_uint());
      if (b.kind() == Kind::kInt) return flip(compare_numbers(b, a));
      return compare_uint_double(a.as_uint(), b.as_double());
    case Kind::kDouble:
      if (b.kind() == Kind::kDouble) {
        double x = a.as_double();
        double y = b.as_double();
        if (std::isnan(x) || std::isnan(y)) return Ordering::kUnordered;
        return three_way(x, y);
      }
      return flip(compare_numbers(b, a));
    default:
      return Ordering::kNoOverload;
  }
}

bool is_number(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

}  // namespace

// Access to the private representation for the helpers in this file.
struct ValueAccess {
  static Value make(Kind k) {
    Value v;
    v.kind_ = k;
    return v;
  }
  static Value make_str(Kind k, std::string s) {
    auto owned = std::make_shared<const std::string>(std::move(s));
    Value v;
    v.kind_ = k;
    v.str_ = {owned->data(), owned->size()};
    v.heap_ = std::move(owned);
    return v;
  }
  static Value make_str_ref(Kind k, std::string_view s) {
    Value v;
    v.kind_ = k;
    v.str_ = {s.data(), s.size()};
    return v;
  }
  template <typename T>
  static Value make_heap(Kind k, T obj) {
    Value v;
    v.kind_ = k;
    v.heap_ = std::make_shared<const T>(std::move(obj));
    return v;
  }
  template <typename T>
  static const T& heap(const Value& v) {
    return *static_cast<const T*>(v.heap_.get());
  }
  static void set_rep(Value& v, uint8_t r) { v.rep_ = r; }
  // A string that points into `owner` and keeps it alive.
  static Value str_in(std::shared_ptr<const void> owner, std::string_view s) {
    Value v;
    v.kind_ = Kind::kString;
    v.str_ = {s.data(), s.size()};
    v.heap_ = std::move(owner);
    return v;
  }
  static const formats::Node* origin(const Value& v) { return v.origin_; }
  static bool owns(const Value& v) { return v.heap_ != nullptr; }
  static void set_origin(Value& v, const formats::Node* n) { v.origin_ = n; }
};

using A = ValueAccess;

Value Value::boolean(bool b) {
  Value v = A::make(Kind::kBool);
  v.b_ = b;
  return v;
}

Value Value::integer(int64_t i) {
  Value v = A::make(Kind::kInt);
  v.i_ = i;
  return v;
}

Value Value::uinteger(uint64_t u) {
  Value v = A::make(Kind::kUint);
  v.u_ = u;
  return v;
}

Value Value::dbl(double d) {
  Value v = A::make(Kind::kDouble);
  v.d_ = d;
  return v;
}

Value Value::string(std::string s) { return A::make_str(Kind::kString, std::move(s)); }
Value Value::string_ref(std::string_view s) { return A::make_str_ref(Kind::kString, s); }
Value Value::string_from(std::string s, const formats::Node* origin) {
  Value v = A::make_str(Kind::kString, std::move(s));
  A::set_origin(v, origin);
  return v;
}
Value Value::bytes(std::string b) { return A::make_str(Kind::kBytes, std::move(b)); }
Value Value::bytes_ref(std::string_view b) { return A::make_str_ref(Kind::kBytes, b); }

Value Value::list(std::vector<Value> items) {
  return A::make_heap(Kind::kList, ListObj{std::move(items)});
}

Value Value::map(std::vector<std::pair<Value, Value>> entries) {
  return A::make_heap(Kind::kMap, MapObj{std::move(entries)});
}

Value Value::path_key_value(std::shared_ptr<const std::string> paths, uint32_t offset, uint32_t size, Value key,
                            Value value) {
  Value v = A::make_heap(Kind::kMap, PathKeyValueObj{std::move(paths), offset, size, std::move(key), std::move(value)});
  A::set_rep(v, kRepPathKeyValue);
  return v;
}

Value Value::make_map(std::vector<std::pair<Value, Value>> entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const Value& k = entries[i].first;
    if (k.is_exceptional()) return k;
    if (!is_key_kind(k.kind())) return Value::error("unsupported key type");
    for (size_t j = 0; j < i; ++j) {
      if (equal(entries[j].first, k)) return Value::error("Failed with repeated key");
    }
  }
  return map(std::move(entries));
}

Value Value::from_node(const formats::Node& node, std::string_view path) {
  using formats::NodeKind;
  Value v;
  switch (node.kind()) {
    case NodeKind::kNull:
      break;
    case NodeKind::kBool:
      v = boolean(node.as_bool());
      break;
    case NodeKind::kInt:
      v = integer(node.as_int());
      break;
    case NodeKind::kUint:
      v = uinteger(node.as_uint());
      break;
    case NodeKind::kDouble:
      v = dbl(node.as_double());
      break;
    case NodeKind::kString:
      v = string_ref(node.as_string());
      break;
    case NodeKind::kList:
      v = A::make(Kind::kList);
      break;
    case NodeKind::kMap:
      v = A::make(Kind::kMap);
      break;
    case NodeKind::kUnknown:
      v = unknown_string({std::string(path)}, node);  // a plain unknown when it has no shape
      break;
  }
  A::set_origin(v, &node);
  return v;
}

Value Value::type(std::string_view name) { return A::make_str_ref(Kind::kType, name); }

Value Value::timestamp(Timestamp t) {
  Value v = A::make(Kind::kTimestamp);
  v.time_ = {t.seconds, t.nanos};
  return v;
}

Value Value::duration(Duration d) {
  Value v = A::make(Kind::kDuration);
  v.time_ = {d.seconds, d.nanos};
  return v;
}

Value Value::optional_of(Value v) { return A::make_heap(Kind::kOptional, OptionalObj{true, std::move(v)}); }

Value Value::optional_none() {
  static const Value kNone = A::make_heap(Kind::kOptional, OptionalObj{false, Value()});
  return kNone;
}

Value Value::ip(IpAddress ip) { return A::make_heap(Kind::kIp, ip); }
Value Value::cidr(CidrBlock cidr) { return A::make_heap(Kind::kCidr, cidr); }

Value Value::error(std::string message) { return A::make_heap(Kind::kError, std::move(message)); }

Value Value::no_overload(std::string_view function) {
  return error("no matching overload for '" + std::string(function) + "'");
}

Value Value::unknown(std::vector<std::string> attributes) {
  std::sort(attributes.begin(), attributes.end());
  attributes.erase(std::unique(attributes.begin(), attributes.end()), attributes.end());
  return A::make_heap(Kind::kUnknown, UnknownObj{std::move(attributes)});
}

Value Value::unknown_string(std::vector<std::string> attributes, const formats::Node& node) {
  Value v = unknown(std::move(attributes));
  if (!node.unknown_shape().empty()) {
    A::set_rep(v, kRepShaped);
    A::set_origin(v, &node);
  }
  return v;
}

std::string_view Value::unknown_shape() const {
  return is_shaped_unknown() ? origin_->unknown_shape() : std::string_view();
}

Value Value::without_shape() const {
  if (!is_shaped_unknown()) return *this;
  Value v = *this;
  v.rep_ = 0;
  return v;
}

namespace {

using formats::Node;

// Whether hole `h` may hold character `c`.
bool hole_takes(char h, char c) { return h == Node::kShapeHole || Node::is_word_char(c); }

}  // namespace

bool shape_may_equal(std::string_view shape, std::string_view text) {
  // can[j]: shape[..i] can give text[..j], row by row over the shape (a hole takes any
  // run of the characters it may hold). Past a bound on the work, say "may".
  if (static_cast<double>(shape.size() + 1) * static_cast<double>(text.size() + 1) > 4e6) return true;
  std::vector<char> can(text.size() + 1, 0);
  can[0] = 1;
  for (char s : shape) {
    if (Node::is_shape_hole(s)) {
      for (size_t j = 1; j <= text.size(); ++j) can[j] = can[j] || (can[j - 1] && hole_takes(s, text[j - 1]));
    } else {
      for (size_t j = text.size(); j > 0; --j) can[j] = can[j - 1] && text[j - 1] == s;
      can[0] = 0;
    }
  }
  return can[text.size()] != 0;
}

std::optional<bool> shape_starts_with(std::string_view shape, std::string_view prefix) {
  size_t first = std::find_if(shape.begin(), shape.end(), Node::is_shape_hole) - shape.begin();
  if (first == shape.size()) return shape.starts_with(prefix);
  std::string_view lead = shape.substr(0, first);
  if (prefix.size() <= lead.size()) return lead.starts_with(prefix);
  if (!prefix.starts_with(lead)) return false;
  return std::nullopt;
}

std::optional<bool> shape_ends_with(std::string_view shape, std::string_view suffix) {
  auto last = std::find_if(shape.rbegin(), shape.rend(), Node::is_shape_hole);
  if (last == shape.rend()) return shape.ends_with(suffix);
  std::string_view tail = shape.substr(static_cast<size_t>(shape.rend() - last));
  if (suffix.size() <= tail.size()) return tail.ends_with(suffix);
  if (!suffix.ends_with(tail)) return false;
  return std::nullopt;
}

std::optional<bool> shape_contains(std::string_view shape, std::string_view text) {
  if (text.empty()) return true;
  bool any_hole = false, holes = false;
  size_t from = 0;
  while (from <= shape.size()) {  // each piece of known text on its own
    size_t end =
        std::find_if(shape.begin() + static_cast<std::ptrdiff_t>(from), shape.end(), Node::is_shape_hole) -
        shape.begin();
    if (end < shape.size()) {
      holes = true;
      any_hole = any_hole || shape[end] == Node::kShapeHole;
    }
    if (shape.substr(from, end - from).find(text) != std::string_view::npos) return true;
    from = end + 1;
  }
  if (!holes) return false;
  // Only word holes: a character of `text` that no hole may hold must come from the known
  // text; when that has none, no value contains `text`.
  if (!any_hole) {
    for (char c : text) {
      if (!Node::is_word_char(c) && shape.find(c) == std::string_view::npos) return false;
    }
  }
  return std::nullopt;
}

Value Value::merge_unknowns(const Value& a, const Value& b) {
  assert(a.is_unknown() && b.is_unknown());
  std::vector<std::string> all = a.unknown_attributes();
  const auto& more = b.unknown_attributes();
  all.insert(all.end(), more.begin(), more.end());
  return unknown(std::move(all));
}

const IpAddress& Value::as_ip() const { return A::heap<IpAddress>(*this); }
const CidrBlock& Value::as_cidr() const { return A::heap<CidrBlock>(*this); }

const std::string& Value::error_message() const {
  return kind_ == Kind::kError ? A::heap<std::string>(*this) : empty_string();
}

const std::vector<std::string>& Value::unknown_attributes() const {
  return kind_ == Kind::kUnknown ? A::heap<UnknownObj>(*this).attributes : empty_attributes();
}

bool Value::optional_has_value() const { return A::heap<OptionalObj>(*this).has; }
const Value& Value::optional_value() const { return A::heap<OptionalObj>(*this).value; }

size_t Value::list_size() const {
  if (heap_) return A::heap<ListObj>(*this).items.size();
  return origin_ ? origin_->size() : 0;
}

Value Value::list_at(size_t i) const {
  if (heap_) return A::heap<ListObj>(*this).items[i];
  return from_node(origin_->items()[i]);
}

size_t Value::map_size() const {
  if (rep_ == kRepPathKeyValue) return 3;
  if (heap_) return A::heap<MapObj>(*this).entries.size();
  return origin_ ? origin_->size() : 0;
}

Value Value::map_key_at(size_t i) const {
  if (rep_ == kRepPathKeyValue) return string_ref(kPathKeyValueKeys[i]);
  if (heap_) return A::heap<MapObj>(*this).entries[i].first;
  return from_node(origin_->members()[i].key);
}

Value Value::map_value_at(size_t i) const {
  if (rep_ == kRepPathKeyValue) {
    const auto& o = A::heap<PathKeyValueObj>(*this);
    if (i == 0) return A::str_in(o.paths, std::string_view(*o.paths).substr(o.offset, o.size));
    return i == 1 ? o.key : o.value;
  }
  if (heap_) return A::heap<MapObj>(*this).entries[i].second;
  return from_node(origin_->members()[i].value);
}

std::optional<Value> Value::map_find(std::string_view key) const {
  if (rep_ == kRepPathKeyValue) {
    for (size_t i = 0; i < 3; ++i) {
      if (key == kPathKeyValueKeys[i]) return map_value_at(i);
    }
    return std::nullopt;
  }
  if (heap_) {
    for (const auto& [k, v] : A::heap<MapObj>(*this).entries) {
      if (k.kind() == Kind::kString && k.as_string() == key) return v;
    }
    return std::nullopt;
  }
  if (!origin_) return std::nullopt;
  if (const formats::Node* n = origin_->find(key)) return from_node(*n);
  return std::nullopt;
}

std::optional<Value> Value::map_find(const Value& key) const {
  if (key.kind() == Kind::kString) return map_find(key.as_string());
  size_t n = map_size();
  for (size_t i = 0; i < n; ++i) {
    Value k = map_key_at(i);
    if (k.kind() != Kind::kString && equal(k, key)) return map_value_at(i);
  }
  return std::nullopt;
}

bool is_key_kind(Kind k) {
  return k == Kind::kBool || k == Kind::kInt || k == Kind::kUint || k == Kind::kString;
}

Value type_of(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return Value::type(type_names::kNull);
    case Kind::kBool:
      return Value::type(type_names::kBool);
    case Kind::kInt:
      return Value::type(type_names::kInt);
    case Kind::kUint:
      return Value::type(type_names::kUint);
    case Kind::kDouble:
      return Value::type(type_names::kDouble);
    case Kind::kString:
      return Value::type(type_names::kString);
    case Kind::kBytes:
      return Value::type(type_names::kBytes);
    case Kind::kList:
      return Value::type(type_names::kList);
    case Kind::kMap:
      return Value::type(type_names::kMap);
    case Kind::kType:
      return Value::type(type_names::kType);
    case Kind::kTimestamp:
      return Value::type(type_names::kTimestamp);
    case Kind::kDuration:
      return Value::type(type_names::kDuration);
    case Kind::kOptional:
      return Value::type(type_names::kOptional);
    case Kind::kIp:
      return Value::type(type_names::kIp);
    case Kind::kCidr:
      return Value::type(type_names::kCidr);
    case Kind::kError:
    case Kind::kUnknown:
      return v;
  }
  return v;
}

std::optional<Value> type_by_name(std::string_view name) {
  static constexpr std::string_view kAll[] = {
      type_names::kNull,      type_names::kBool,     type_names::kInt,    type_names::kUint,
      type_names::kDouble,    type_names::kString,   type_names::kBytes,  type_names::kList,
      type_names::kMap,       type_names::kType,     type_names::kTimestamp,
      type_names::kDuration,  type_names::kOptional, type_names::kIp,     type_names::kCidr,
  };
  for (std::string_view t : kAll) {
    if (t == name) return Value::type(t);
  }
  return std::nullopt;
}

bool equal(const Value& a, const Value& b) {
  if (is_number(a.kind()) && is_number(b.kind())) return compare_numbers(a, b) == Ordering::kEqual;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType:
      return a.as_string() == b.as_string();
    case Kind::kTimestamp:
      return a.as_timestamp() == b.as_timestamp();
    case Kind::kDuration:
      return a.as_duration() == b.as_duration();
    case Kind::kIp:
      return a.as_ip() == b.as_ip();
    case Kind::kCidr:
      return a.as_cidr() == b.as_cidr();
    case Kind::kOptional:
      if (a.optional_has_value() != b.optional_has_value()) return false;
      return !a.optional_has_value() || equal(a.optional_value(), b.optional_value());
    case Kind::kList: {
      size_t n = a.list_size();
      if (n != b.list_size()) return false;
      for (size_t i = 0; i < n; ++i) {
        if (!equal(a.list_at(i), b.list_at(i))) return false;
      }
      return true;
    }
    case Kind::kMap: {
      size_t n = a.map_size();
      if (n != b.map_size()) return false;
      for (size_t i = 0; i < n; ++i) {
        std::optional<Value> other = b.map_find(a.map_key_at(i));
        if (!other || !equal(a.map_value_at(i), *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

Ordering compare(const Value& a, const Value& b) {
  if (is_number(a.kind()) && is_number(b.kind())) return compare_numbers(a, b);
  if (a.kind() != b.kind()) return Ordering::kNoOverload;
  switch (a.kind()) {
    case Kind::kBool:
      return three_way(a.as_bool(), b.as_bool());
    case Kind::kString:
    case Kind::kBytes: {
      int c = a.as_string().compare(b.as_string());
      return c < 0 ? Ordering::kLess : c > 0 ? Ordering::kGreater : Ordering::kEqual;
    }
    case Kind::kTimestamp: {
      int c = cel::compare(a.as_timestamp(), b.as_timestamp());
      return c < 0 ? Ordering::kLess : c > 0 ? Ordering::kGreater : Ordering::kEqual;
    }
    case Kind::kDuration: {
      int c = cel::compare(a.as_duration(), b.as_duration());
      return c < 0 ? Ordering::kLess : c > 0 ? Ordering::kGreater : Ordering::kEqual;
    }
    default:
      return Ordering::kNoOverload;
  }
}

namespace {

void append_quoted(std::string& out, std::string_view s) { core::append_json_string(out, s); }

void append_bytes_literal(std::string& out, std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "b\"";
  for (char ch : b) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  out += '"';
}

std::string double_text(double d) {
  std::string s = core::format_double(d);
  if (std::isfinite(d) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

void debug(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Kind::kUint:
      out += std::to_string(v.as_uint()) + "u";
      return;
    case Kind::kDouble:
      out += double_text(v.as_double());
      return;
    case Kind::kString:
      append_quoted(out, v.as_string());
      return;
    case Kind::kBytes:
      append_bytes_literal(out, v.as_bytes());
      return;
    case Kind::kType:
      out += v.type_name();
      return;
    case Kind::kTimestamp:
      out += "timestamp(\"" + format_timestamp(v.as_timestamp()) + "\")";
      return;
    case Kind::kDuration:
      out += "duration(\"" + format_duration(v.as_duration()) + "\")";
      return;
    case Kind::kIp:
      out += "ip(\"" + format_ip(v.as_ip()) + "\")";
      return;
    case Kind::kCidr:
      out += "cidr(\"" + format_cidr(v.as_cidr()) + "\")";
      return;
    case Kind::kOptional:
      if (!v.optional_has_value()) {
        out += "optional.none()";
      } else {
        out += "optional.of(";
        debug(out, v.optional_value());
        out += ')';
      }
      return;
    case Kind::kList: {
      out += '[';
      for (size_t i = 0; i < v.list_size(); ++i) {
        if (i) out += ", ";
        debug(out, v.list_at(i));
      }
      out += ']';
      return;
    }
    case Kind::kMap: {
      out += '{';
      for (size_t i = 0; i < v.map_size(); ++i) {
        if (i) out += ", ";
        debug(out, v.map_key_at(i));
        out += ": ";
        debug(out, v.map_value_at(i));
      }
      out += '}';
      return;
    }
    case Kind::kError:
      out += "error(";
      append_quoted(out, v.error_message());
      out += ')';
      return;
    case Kind::kUnknown: {
      out += "unknown(";
      const auto& attrs = v.unknown_attributes();
      for (size_t i = 0; i < attrs.size(); ++i) {
        if (i) out += ", ";
        out += attrs[i];
      }
      out += ')';
      return;
    }
  }
}

std::string key_text(const Value& k) {
  switch (k.kind()) {
    case Kind::kString:
      return std::string(k.as_string());
    case Kind::kBool:
      return k.as_bool() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(k.as_int());
    case Kind::kUint:
      return std::to_string(k.as_uint());
    default:
      return k.debug_string();
  }
}

void write_json(core::JsonWriter& w, const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      w.null();
      return;
    case Kind::kBool:
      w.value(v.as_bool());
      return;
    case Kind::kInt:
      w.value(v.as_int());
      return;
    case Kind::kUint:
      w.value(v.as_uint());
      return;
    case Kind::kDouble:
      w.value(v.as_double());
      return;
    case Kind::kString:
      w.value(v.as_string());
      return;
    case Kind::kBytes:
      w.value(core::base64_encode(v.as_bytes()));
      return;
    case Kind::kType:
      w.value(v.type_name());
      return;
    case Kind::kTimestamp:
      w.value(format_timestamp(v.as_timestamp()));
      return;
    case Kind::kDuration:
      w.value(format_duration(v.as_duration()));
      return;
    case Kind::kIp:
      w.value(format_ip(v.as_ip()));
      return;
    case Kind::kCidr:
      w.value(format_cidr(v.as_cidr()));
      return;
    case Kind::kOptional:
      if (v.optional_has_value()) {
        write_json(w, v.optional_value());
      } else {
        w.null();
      }
      return;
    case Kind::kList:
      w.begin_array();
      for (size_t i = 0; i < v.list_size(); ++i) write_json(w, v.list_at(i));
      w.end_array();
      return;
    case Kind::kMap:
      w.begin_object();
      for (size_t i = 0; i < v.map_size(); ++i) {
        w.key(key_text(v.map_key_at(i)));
        write_json(w, v.map_value_at(i));
      }
      w.end_object();
      return;
    case Kind::kError:
      w.begin_object();
      w.key("error");
      w.value(v.error_message());
      w.end_object();
      return;
    case Kind::kUnknown:
      w.begin_object();
      w.key("unknown");
      w.begin_array();
      for (const std::string& a : v.unknown_attributes()) w.value(a);
      w.end_array();
      w.end_object();
      return;
  }
}

}  // namespace

std::string Value::debug_string() const {
  std::string out;
  debug(out, *this);
  return out;
}

std::string to_json(const Value& v, int indent) {
  core::JsonWriter w(indent);
  write_json(w, v);
  return w.take();
}

}  // namespace sekimori::cel
