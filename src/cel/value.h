// sekimori::cel::Value — a CEL runtime value.
//
// Values are small (48 bytes) and cheap to copy. Scalars are held inline; strings, lists
// and maps either *borrow* (a string_view into a Program's literals or a document node
// of formats::Document) or *own* shared immutable storage. Borrowing is what lets a rule
// like `resource.versioning.enabled == true` run over a loaded document with no
// allocation: `Value::from_node` wraps a node without copying it.
//
//   Value v = Value::from_node(doc.root());          // borrows the document
//   std::optional<Value> a = v.map_find("a");         // also borrows
//   Value sum = Value::integer(1);
//   bool same = equal(Value::integer(1), Value::dbl(1.0));  // true (numeric equality)
//
// Errors and unknowns are values too (CEL evaluates to them instead of throwing):
// `Value::error("no such key: 'x'")`, `Value::unknown({"input.a"})`.
//
// Ownership: a Value that borrows is valid only while what it borrows from (the Program
// that produced it, the Document, the Activation's bound values) lives.
// Thread-safety: Values are immutable; copies may be used from many threads (shared
// storage is reference-counted atomically).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cel/time.h"

namespace sekimori::formats {
class Node;
}

namespace sekimori::cel {

enum class Kind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kList,
  kMap,
  kType,
  kTimestamp,
  kDuration,
  kOptional,
  kIp,
  kCidr,
  kError,
  kUnknown,
};

// An IP address (network extension). IPv4 uses bytes[0..3].
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A CIDR block as written: the address keeps its host bits (`cidr('10.1.2.3/8').ip()` is
// 10.1.2.3); `masked()` in network.h clears them.
struct CidrBlock {
  IpAddress ip;
  int prefix = 0;
  friend bool operator==(const CidrBlock&, const CidrBlock&) = default;
};

class Value;

class Value {
 public:
  Value() : i_(0) {}

  // --- construction ---
  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value uinteger(uint64_t u);
  static Value dbl(double d);
  static Value string(std::string s);                // owns
  static Value string_ref(std::string_view s);       // borrows
  // An owned string that remembers the document node it was read from (node()), so it
  // can be located: e.g. a value decoded from JSON held in that node.
  static Value string_from(std::string s, const formats::Node* origin);
  static Value bytes(std::string b);                 // owns
  static Value bytes_ref(std::string_view b);        // borrows
  static Value list(std::vector<Value> items);
  // Keys must be unique (by CEL equality) and of a key kind (bool, int, uint, string);
  // use make_map for untrusted entries.
  static Value map(std::vector<std::pair<Value, Value>> entries);
  // Builds a map, or an error value: "Failed with repeated key" / "unsupported key type".
  static Value make_map(std::vector<std::pair<Value, Value>> entries);
  // The map {"path": path, "key": key, "value": value} in one allocation (strings() makes
  // one per string it finds); it behaves as any other map. The path is
  // paths->substr(offset, size): one buffer holds the paths of all of a strings() call's
  // leaves, and must not change once a path has been read.
  static Value path_key_value(std::shared_ptr<const std::string> paths, uint32_t offset, uint32_t size, Value key,
                              Value value);
  // Wraps a document node without copying (null, bool, int, uint, double, string, list,
  // map; `unknown` nodes become unknown values naming `path`).
  static Value from_node(const formats::Node& node, std::string_view path = {});
  // A type value; `name` must have static storage duration (use type_name constants).
  static Value type(std::string_view name);
  static Value timestamp(Timestamp t);
  static Value duration(Duration d);
  static Value optional_of(Value v);
  static Value optional_none();
  static Value ip(IpAddress ip);
  static Value cidr(CidrBlock cidr);
  static Value error(std::string message);
  // "no matching overload for 'fn'" — the error for a call with unsupported argument kinds.
  static Value no_overload(std::string_view function);
  // An unknown value naming the attributes (dotted paths) it depends on.
  static Value unknown(std::vector<std::string> attributes);
  // Merges the attribute sets of two unknowns.
  static Value merge_unknowns(const Value& a, const Value& b);
  // An unknown string read from `node`, an unknown node with a shape (see
  // formats::Node::unknown_shape): `"arn:aws:iam::" + ? + ":root"`. Comparisons with known
  // values, `in`, `type()`, `startsWith`, `endsWith` and `contains` decide on it where the
  // known text settles the answer; anything else treats it as any other unknown.
  static Value unknown_string(std::vector<std::string> attributes, const formats::Node& node);

  // --- inspection ---
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] bool is_error() const { return kind_ == Kind::kError; }
  [[nodiscard]] bool is_unknown() const { return kind_ == Kind::kUnknown; }
  // Error or unknown: the values that strict functions propagate.
  [[nodiscard]] bool is_exceptional() const { return kind_ >= Kind::kError; }

  [[nodiscard]] bool as_bool() const { return b_; }
  [[nodiscard]] int64_t as_int() const { return i_; }
  [[nodiscard]] uint64_t as_uint() const { return u_; }
  [[nodiscard]] double as_double() const { return d_; }
  [[nodiscard]] std::string_view as_string() const { return {str_.p, str_.n}; }  // string
  [[nodiscard]] std::string_view as_bytes() const { return {str_.p, str_.n}; }   // bytes
  [[nodiscard]] std::string_view type_name() const { return {str_.p, str_.n}; }  // type
  [[nodiscard]] Timestamp as_timestamp() const { return {time_.seconds, time_.nanos}; }
  [[nodiscard]] Duration as_duration() const { return {time_.seconds, time_.nanos}; }
  [[nodiscard]] const IpAddress& as_ip() const;
  [[nodiscard]] const CidrBlock& as_cidr() const;
  [[nodiscard]] const std::string& error_message() const;
  // Sorted, unique attribute paths of an unknown.
  [[nodiscard]] const std::vector<std::string>& unknown_attributes() const;
  // An unknown string with a shape (unknown_string); its shape, or empty for any other value.
  [[nodiscard]] bool is_shaped_unknown() const { return kind_ == Kind::kUnknown && rep_ == kRepShaped; }
  [[nodiscard]] std::string_view unknown_shape() const;
  // The value as an operation's result passes it on: an unknown string made from it is
  // another string, so it is a plain unknown (same attributes); anything else unchanged.
  [[nodiscard]] Value without_shape() const;

  // Optional.
  [[nodiscard]] bool optional_has_value() const;
  [[nodiscard]] const Value& optional_value() const;  // requires optional_has_value()

  // List.
  [[nodiscard]] size_t list_size() const;
  [[nodiscard]] Value list_at(size_t i) const;

  // Map: entries in insertion (document) order.
  [[nodiscard]] size_t map_size() const;
  [[nodiscard]] Value map_key_at(size_t i) const;
  [[nodiscard]] Value map_value_at(size_t i) const;
  // Lookup with CEL key equality (1 == 1u == 1.0 for numeric keys); nullopt if absent.
  [[nodiscard]] std::optional<Value> map_find(const Value& key) const;
  [[nodiscard]] std::optional<Value> map_find(std::string_view key) const;

  // The document node this value was read from (any kind, via from_node), if any: lets
  // callers report the location of the attribute a rule looked at.
  [[nodiscard]] const formats::Node* node() const { return origin_; }
  // A list or map whose elements are read from node() as they are asked for.
  [[nodiscard]] bool is_node_view() const { return origin_ != nullptr && !heap_; }

  // Debug/CLI rendering in CEL literal syntax: 1, 1u, 1.5, "s", b"\x00", [1, 2],
  // {"a": 1}, timestamp("..."), duration("...s"), optional.of(1), error(...), unknown(...).
  [[nodiscard]] std::string debug_string() const;

 private:
  friend struct ValueAccess;
  struct TimeRep {
    int64_t seconds;
    int32_t nanos;
  };
  struct StrRep {
    const char* p;
    size_t n;
  };
  static constexpr uint8_t kRepShaped = 2;  // an unknown: unknown_string() (origin_ has the shape)
  Kind kind_ = Kind::kNull;
  uint8_t rep_ = 0;  // which object heap_ holds, where a kind has several (a map: entries or path_key_value)
  union {
    bool b_;
    int64_t i_;
    uint64_t u_;
    double d_;
    TimeRep time_;
    StrRep str_;  // string, bytes, type name
  };
  // Set for values read from a document; a list or map with an origin and no heap_
  // reads its elements from the node.
  const formats::Node* origin_ = nullptr;
  std::shared_ptr<const void> heap_;  // owned string, list, map, optional, ip, error...
};

// Renders a value as JSON for output: bytes as base64, timestamps and durations as their
// protobuf JSON strings, IPs and CIDRs as strings, types as their names, an optional as
// its value or null, map keys as strings; an error as {"error": message} and an unknown
// as {"unknown": [attributes]}.
[[nodiscard]] std::string to_json(const Value& v, int indent = 0);

// What the shape of an unknown string (formats::Node::unknown_shape: known text with
// holes, each any run of characters) settles about its value. shape_may_equal is false
// when no filling of the holes gives `text`; the others say true or false when every
// filling agrees, nullopt when it depends on the holes.
[[nodiscard]] bool shape_may_equal(std::string_view shape, std::string_view text);
[[nodiscard]] std::optional<bool> shape_starts_with(std::string_view shape, std::string_view prefix);
[[nodiscard]] std::optional<bool> shape_ends_with(std::string_view shape, std::string_view suffix);
[[nodiscard]] std::optional<bool> shape_contains(std::string_view shape, std::string_view text);

// Type names, as type(x) reports them.
namespace type_names {
inline constexpr std::string_view kNull = "null_type";
inline constexpr std::string_view kBool = "bool";
inline constexpr std::string_view kInt = "int";
inline constexpr std::string_view kUint = "uint";
inline constexpr std::string_view kDouble = "double";
inline constexpr std::string_view kString = "string";
inline constexpr std::string_view kBytes = "bytes";
inline constexpr std::string_view kList = "list";
inline constexpr std::string_view kMap = "map";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kTimestamp = "google.protobuf.Timestamp";
inline constexpr std::string_view kDuration = "google.protobuf.Duration";
inline constexpr std::string_view kOptional = "optional_type";
inline constexpr std::string_view kIp = "net.IP";
inline constexpr std::string_view kCidr = "net.CIDR";
}  // namespace type_names

// The type value of a value's runtime type (errors and unknowns have none: returns
// the value itself).
[[nodiscard]] Value type_of(const Value& v);
// Looks up a type by identifier ("int", "net.IP", "google.protobuf.Timestamp", ...).
[[nodiscard]] std::optional<Value> type_by_name(std::string_view name);

// CEL equality (heterogeneous: values of different kinds are unequal, except numbers,
// which compare by numeric value; NaN is unequal to everything). Neither argument may be
// an error or unknown (the evaluator propagates those first).
[[nodiscard]] bool equal(const Value& a, const Value& b);

enum class Ordering { kLess, kEqual, kGreater, kUnordered, kNoOverload };
// CEL ordering for <, <=, >, >=: numbers across int/uint/double, strings (by bytes),
// bytes, bools, timestamps, durations. kUnordered for NaN; kNoOverload for other kinds.
[[nodiscard]] Ordering compare(const Value& a, const Value& b);

// True for the kinds allowed as map keys: bool, int, uint, string.
[[nodiscard]] bool is_key_kind(Kind k);

}  // namespace sekimori::cel
