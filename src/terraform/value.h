// sekimori::terraform::Value and Type — Terraform's values (cty semantics).
//
// A Value is null, unknown, bool, number, string, list, tuple, set, map or object. Numbers
// are int64 when integral and exact, double otherwise, and print like Terraform does
// (`1`, `1.5`, `100000000000000000000`, never an exponent). Maps and objects keep their
// keys sorted (Terraform does not keep insertion order); sets keep their elements sorted
// and unique. Null and unknown carry a type (dynamic when nothing is known about it).
//
//   Value v = Value::object({{"name", Value::string("b")}, {"n", Value::number(int64_t{2})}});
//   const Value* n = v.find("n");                    // 2
//   Value eq = equals(*n, Value::string("2"));        // false (type-aware)
//   Value u = equals(Value::unknown(), *n);           // unknown
//   std::string s = to_display(Value::number(1.5));   // "1.5"
//   Type t = v.type();                                 // object({n=number, name=string})
//
// A Value may remember where it came from (`pos()`): a SourcePos owned by the evaluator
// (which keeps it alive as long as the values it evaluated). Position takes no part in
// equality. Values also carry Terraform's "sensitive" mark.
//
// Ownership: Values share immutable storage (reference counted), so copies are cheap and
// O(1). Thread-safety: Values and Types are immutable; copies may be used from many
// threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "formats/document.h"

namespace sekimori::terraform {

class Value;

// ---------------------------------------------------------------------------------------
// Types. `dynamic` is Terraform's `any`: as a type constraint it accepts any value; as a
// value's type it means "not known yet" (an untyped null or unknown).

enum class TypeKind : uint8_t { kDynamic, kBool, kNumber, kString, kList, kSet, kMap, kTuple, kObject };

struct ObjectAttr;

class Type {
 public:
  Type() = default;  // dynamic
  static Type dynamic() { return Type(); }
  static Type boolean();
  static Type number();
  static Type string();
  static Type list(Type element);
  static Type set(Type element);
  static Type map(Type element);
  static Type tuple(std::vector<Type> elements);
  // Attributes are sorted by name (a duplicate name keeps the last one).
  static Type object(std::vector<ObjectAttr> attrs);

  [[nodiscard]] TypeKind kind() const { return kind_; }
  [[nodiscard]] bool is_dynamic() const { return kind_ == TypeKind::kDynamic; }
  [[nodiscard]] bool is_primitive() const {
    return kind_ == TypeKind::kBool || kind_ == TypeKind::kNumber || kind_ == TypeKind::kString;
  }
  [[nodiscard]] bool is_collection() const {  // list, set or map: one element type
    return kind_ == TypeKind::kList || kind_ == TypeKind::kSet || kind_ == TypeKind::kMap;
  }
  // Element type of a list, set or map (dynamic otherwise).
  [[nodiscard]] const Type& element() const;
  // Tuple element types (empty otherwise).
  [[nodiscard]] std::span<const Type> elements() const;
  // Object attributes sorted by name (empty otherwise).
  [[nodiscard]] std::span<const ObjectAttr> attrs() const;
  [[nodiscard]] const ObjectAttr* find_attr(std::string_view name) const;
  // True when the type mentions `dynamic` anywhere (so it is a constraint, not a type).
  [[nodiscard]] bool has_dynamic() const;

  // Terraform's spelling: "string", "list(number)", "object({a=string,b=optional(bool)})",
  // "tuple([string,number])", "any".
  [[nodiscard]] std::string to_string() const;
  // Terraform's friendly name for messages: "string", "list of number", "object", ...
  [[nodiscard]] std::string friendly_name() const;

  friend bool operator==(const Type& a, const Type& b);
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }

 private:
  struct Rep;
  TypeKind kind_ = TypeKind::kDynamic;
  std::shared_ptr<const Rep> rep_;
};

// An object type's attribute; `optional` (with an optional default) only in type
// constraints written as `optional(T[, default])`.
struct ObjectAttr {
  std::string name;
  Type type;
  bool optional = false;
  std::shared_ptr<const Value> default_value;  // nullptr: no default (null when absent)
};

// ---------------------------------------------------------------------------------------
// Values.

enum class ValueKind : uint8_t {
  kNull,
  kUnknown,
  kBool,
  kNumber,
  kString,
  kList,
  kTuple,
  kSet,
  kMap,
  kObject,
};

[[nodiscard]] const char* kind_name(ValueKind k);  // "null", "unknown", "bool", ...

// A number: int64 when integral and representable exactly, double otherwise.
struct Number {
  bool is_int = true;
  int64_t i = 0;
  double d = 0;

  static Number of(int64_t v) { return Number{true, v, 0}; }
  // Stores an integral double that fits in int64 as an int64.
  static Number of(double v);
  [[nodiscard]] double as_double() const { return is_int ? static_cast<double>(i) : d; }
  [[nodiscard]] bool is_integral() const;
  // Terraform's text: "1", "-2.5", "100000000000000000000", "0.0000001".
  [[nodiscard]] std::string to_string() const;
  // Parses Terraform number syntax ("12", "-1.5", "1e3", "0.1"); nullopt otherwise.
  static std::optional<Number> parse(std::string_view text);
  friend bool operator==(const Number& a, const Number& b);
};

// Arithmetic with Terraform's results: int64 while exact (overflow moves to double),
// `/` always exact division (`7 / 2` is 3.5), `%` the truncated remainder (sign of the
// dividend). Division or remainder by zero is an error "terraform.arith.zero".
[[nodiscard]] core::Result<Number> arith(char op, Number a, Number b);  // op: + - * / %
[[nodiscard]] int compare_numbers(Number a, Number b);                  // -1, 0, 1

// Where a value came from (the expression that produced it). Owned by the evaluator.
struct SourcePos {
  const std::string* file = nullptr;  // must outlive every value pointing here
  formats::Pos pos;
};

struct Member;

class Value {
 public:
  Value() = default;  // null of dynamic type

  static Value null(Type type = Type());
  static Value unknown(Type type = Type());
  // An unknown string some of whose text is known (a template interpolating an unknown
  // value): `shape` as formats::Node::unknown_shape, the text with a NUL for each unknown
  // run. It becomes an unknown node with that shape, so rules can still tell
  // "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" from "*".
  static Value unknown_string(std::string shape);
  static Value boolean(bool v);
  static Value number(int64_t v);
  static Value number(double v);
  static Value number(Number v);
  static Value string(std::string v);
  // A list's elements must all have one type (the evaluator converts them first, see
  // types.h `unify`); `element` types an empty list.
  static Value list(std::vector<Value> items, Type element = Type());
  static Value tuple(std::vector<Value> items);
  // Sorts and removes duplicates (unknown elements are all kept).
  static Value set(std::vector<Value> items, Type element = Type());
  // Sorted by key; a duplicate key keeps the last value.
  static Value map(std::vector<Member> members, Type element = Type());
  static Value object(std::vector<Member> members);

  [[nodiscard]] ValueKind kind() const { return kind_; }
  [[nodiscard]] bool is_null() const { return kind_ == ValueKind::kNull; }
  [[nodiscard]] bool is_unknown() const { return kind_ == ValueKind::kUnknown; }
  // unknown_string's shape; empty for any other value.
  [[nodiscard]] std::string_view unknown_shape() const;
  // Not unknown here and nowhere inside.
  [[nodiscard]] bool is_wholly_known() const;
  [[nodiscard]] bool is_sequence() const {  // list, tuple or set
    return kind_ == ValueKind::kList || kind_ == ValueKind::kTuple || kind_ == ValueKind::kSet;
  }
  [[nodiscard]] bool is_mapping() const {  // map or object
    return kind_ == ValueKind::kMap || kind_ == ValueKind::kObject;
  }

  // Accessors; calling one for another kind returns a neutral value (false, 0, "", {}).
  [[nodiscard]] bool as_bool() const { return kind_ == ValueKind::kBool && b_; }
  [[nodiscard]] Number as_number() const { return kind_ == ValueKind::kNumber ? num_ : Number{}; }
  [[nodiscard]] std::string_view as_string() const;
  [[nodiscard]] std::span<const Value> items() const;     // list, tuple, set
  [[nodiscard]] std::span<const Member> members() const;  // map, object (sorted by key)
  // Items or members (0 for other kinds); string length in bytes for strings.
  [[nodiscard]] size_t size() const;
  // Map or object member by key (binary search); nullptr when absent.
  [[nodiscard]] const Value* find(std::string_view key) const;

  // The value's type: for null and unknown the type it was given; for collections the
  // element type (the first element's type, or the given one when empty).
  [[nodiscard]] Type type() const;

  // Terraform's `sensitive` mark (kept through functions that derive from the value).
  [[nodiscard]] bool sensitive() const { return sensitive_; }
  [[nodiscard]] Value with_sensitive(bool s) const;
  // True when this value or anything inside it is sensitive.
  [[nodiscard]] bool has_sensitive() const;

  [[nodiscard]] const SourcePos* pos() const { return pos_; }
  [[nodiscard]] Value with_pos(const SourcePos* pos) const;

  // Structural identity (types and values, unknown == unknown of the same type; marks
  // and positions ignored). For Terraform's `==` operator use equals().
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  struct Rep;
  ValueKind kind_ = ValueKind::kNull;
  bool b_ = false;
  bool sensitive_ = false;
  Number num_;
  const SourcePos* pos_ = nullptr;
  std::shared_ptr<const Rep> rep_;  // string, items, members, type of null/unknown
};

struct Member {
  std::string key;
  Value value;
};

// Terraform's `==`: a bool, or unknown when either side is (wholly or partly) unknown in
// a way that matters. Values of different types are not equal (`1 == "1"` is false),
// except that numbers compare numerically and null == null.
[[nodiscard]] Value equals(const Value& a, const Value& b);

// A total order for sorting sets and `sort()`: by kind, then value (numbers numerically,
// strings bytewise, containers element-wise).
[[nodiscard]] int compare(const Value& a, const Value& b);

// Terraform's automatic conversions of primitives ("true" -> true, "1" -> 1, 1 -> "1",
// true -> "true"). Null stays null, unknown stays unknown. Errors ("terraform.convert")
// say what could not be converted.
[[nodiscard]] core::Result<Value> to_string_value(const Value& v);
[[nodiscard]] core::Result<Value> to_number_value(const Value& v);
[[nodiscard]] core::Result<Value> to_bool_value(const Value& v);

// Text of a primitive for templates and messages: strings as is, numbers as Terraform
// prints them, bools as true/false; "null" and "(unknown)" otherwise; containers in
// Terraform's console syntax (`["a", 1]`, `{a = 1}`).
[[nodiscard]] std::string to_display(const Value& v);

// JSON text of a value (jsonencode): objects and maps with sorted keys, no insignificant
// whitespace, `<`, `>`, `&` and U+2028/U+2029 escaped as Terraform does. Unknown anywhere
// is an error ("terraform.json.unknown").
[[nodiscard]] core::Result<std::string> to_json(const Value& v);
// jsonencode of a value that is not wholly known: when every unknown in it is an unknown
// string (unknown_string), the JSON text as an unknown string whose holes lie inside
// those strings; otherwise a plain unknown string.
[[nodiscard]] Value to_json_unknown(const Value& v);
// Parses JSON text (jsondecode): objects become objects, arrays tuples, numbers numbers.
// Errors are "terraform.json.syntax"; depth is limited to `max_depth`.
[[nodiscard]] core::Result<Value> from_json(std::string_view text, uint32_t max_depth = 256);
// Converts a document node (JSON or YAML loader output) into a Value: maps become
// objects, lists tuples; YAML scalars keep the loader's typing.
[[nodiscard]] Value from_node(const formats::Node& node);

// Appends `v` to a Builder as a formats::Node tree: maps and objects become maps, sets,
// lists and tuples lists, unknown becomes Builder::add_unknown. Each node takes the
// position of the value it comes from (its own pos(), else the nearest enclosing one,
// else `fallback`). Positions that name a file are applied with Builder::set_file; the
// Builder's file is `fallback->file` (nullptr: its own path) again when the call returns.
core::Status to_node(const Value& v, formats::Builder& builder, const SourcePos* fallback = nullptr);

}  // namespace sekimori::terraform
