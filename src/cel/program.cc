// The CEL evaluator: an AST compiled into a tree of steps, each a small object with a
// virtual eval(). Names are resolved at compile time where they can be (comprehension
// variables become frame slots, declared variables become direct lookups), so the
// run-time work is value manipulation only.
#include "cel/program.h"

#include <re2/re2.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "cel/parser.h"
#include "formats/document.h"

namespace sekimori::cel {

namespace {

constexpr std::string_view kCostExceeded = "evaluation cost budget exceeded";

// ---------------------------------------------------------------------------------
// Run-time state of one evaluation.

class RegexCache {
 public:
  // Compiled at compile time; read-only afterwards.
  void precompile(const std::string& pattern) {
    if (fixed_.count(pattern)) return;
    auto re = std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet);
    fixed_.emplace(pattern, std::move(re));
  }
  const re2::RE2* get(std::string_view pattern, std::string* error) const {
    auto it = fixed_.find(std::string(pattern));
    const re2::RE2* re = nullptr;
    if (it != fixed_.end()) {
      re = it->second.get();
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = dynamic_[std::string(pattern)];
      if (!slot) slot = std::make_unique<re2::RE2>(std::string(pattern), re2::RE2::Quiet);
      re = slot.get();
    }
    if (!re->ok()) {
      if (error) *error = re->error();
      return nullptr;
    }
    return re;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<re2::RE2>> fixed_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, std::unique_ptr<re2::RE2>> dynamic_;
};

struct Frame;

class FrameContext final : public CallContext {
 public:
  FrameContext(Frame& f) : frame_(f) {}  // NOLINT
  Timestamp now() const override;
  const re2::RE2* regex(std::string_view pattern, std::string* error) const override;
  bool charge(uint64_t units) const override;

 private:
  Frame& frame_;
};

struct Frame {
  const Activation* activation;
  const RegexCache* regexes;
  Value* slots;
  mutable uint64_t cost = 0;
  uint64_t budget;
  FrameContext ctx{*this};
  // evaluate_with_witness(): the deciding element of the last quantifier that decided,
  // and a counter of how often it was set (to tell whether an inner quantifier set it).
  bool track_witness = false;
  Value witness;
  uint64_t witness_serial = 0;

  bool charge(uint64_t units) {
    cost += units;
    return cost <= budget;
  }
};

Timestamp FrameContext::now() const { return frame_.activation->now(); }
const re2::RE2* FrameContext::regex(std::string_view pattern, std::string* error) const {
  return frame_.regexes->get(pattern, error);
}
bool FrameContext::charge(uint64_t units) const { return frame_.charge(units); }

// Combines exceptional operands the way strict functions do: any unknown wins (all of
// them merged), otherwise the first error. The result is the operation's, not an
// operand: an unknown string's shape does not carry over (Value::without_shape), here
// nor anywhere else a step passes an exceptional operand on as its result.
Value propagate(const Value& a, const Value& b) {
  if (a.is_unknown() && b.is_unknown()) return Value::merge_unknowns(a, b);
  if (a.is_unknown()) return a.without_shape();
  if (b.is_unknown()) return b.without_shape();
  return a.is_error() ? a : b;
}

// ---------------------------------------------------------------------------------
// Steps.

class Step {
 public:
  virtual ~Step() = default;
  virtual Value eval(Frame& f) const = 0;
  // A value the step holds in place (a comprehension variable), readable without a
  // copy; nullptr when the step must be evaluated.
  virtual const Value* peek(Frame&) const { return nullptr; }
};
using StepPtr = std::unique_ptr<Step>;

class ConstStep final : public Step {
 public:
  explicit ConstStep(Value v) : v_(std::move(v)), light_(v_) {
    // Strings and bytes are handed out as views of the owned constant, so evaluating a
    // literal costs no reference-count traffic (the Program outlives its results' use).
    if (v_.kind() == Kind::kString) light_ = Value::string_ref(v_.as_string());
    if (v_.kind() == Kind::kBytes) light_ = Value::bytes_ref(v_.as_bytes());
  }
  Value eval(Frame&) const override { return light_; }
  // The constant itself (owning its storage): what outlives this step must copy this.
  const Value& owned() const { return v_; }

 private:
  Value v_;
  Value light_;
};

class ErrorStep final : public Step {
 public:
  explicit ErrorStep(std::string message) : v_(Value::error(std::move(message))) {}
  Value eval(Frame&) const override { return v_; }

 private:
  Value v_;
};

class SlotStep final : public Step {
 public:
  explicit SlotStep(size_t slot) : slot_(slot) {}
  Value eval(Frame& f) const override { return f.slots[slot_]; }
  const Value* peek(Frame& f) const override { return &f.slots[slot_]; }

 private:
  size_t slot_;
};

// Splits "a.b.c" into segments (views into `path`).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) dot = path.size();
    out.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

// An attribute path known at compile time, for unknown-pattern matching.
struct AttrPath {
  std::string text;                        // "input.a.b"
  std::vector<std::string_view> segments;  // views into text (stable: text never changes)
  void set(std::string t) {
    text = std::move(t);
    segments = split_path(text);
  }
  bool empty() const { return text.empty(); }
};

Value check_unknown(const Frame& f, const AttrPath& path, Value v) {
  if (!path.empty()) {
    if (v.is_unknown() && v.unknown_attributes().size() == 1 && v.unknown_attributes()[0].empty()) {
      return v.is_shaped_unknown() ? Value::unknown_string({path.text}, *v.node())
                                   : Value::unknown({path.text});
    }
    if (f.activation->has_unknowns() && f.activation->is_unknown(path.segments)) {
      return Value::unknown({path.text});
    }
  }
  return v;
}

class VarStep final : public Step {
 public:
  VarStep(std::string name, std::string path) : name_(std::move(name)) { path_.set(std::move(path)); }
  Value eval(Frame& f) const override {
    const Value* v = f.activation->find(name_);
    if (!v) return Value::error("undeclared reference to '" + name_ + "'");
    return check_unknown(f, path_, *v);
  }

 private:
  std::string name_;
  AttrPath path_;
};

// An identifier that is neither declared nor a comprehension variable: bound at run
// time, or a type name, or an error.
class DynamicVarStep final : public Step {
 public:
  DynamicVarStep(std::string name, std::optional<Value> type_value)
      : name_(std::move(name)), type_(std::move(type_value)) {
    path_.set(name_);
  }
  Value eval(Frame& f) const override {
    if (const Value* v = f.activation->find(name_)) return check_unknown(f, path_, *v);
    if (type_) return *type_;
    return Value::error("undeclared reference to '" + name_ + "'");
  }

 private:
  std::string name_;
  std::optional<Value> type_;
  AttrPath path_;
};

Value select_field(const Value& v, std::string_view field) {
  switch (v.kind()) {
    case Kind::kMap: {
      std::optional<Value> found = v.map_find(field);
      if (!found) return Value::error("no such key: '" + std::string(field) + "'");
      return std::move(*found);
    }
    case Kind::kOptional: {
      if (!v.optional_has_value()) return v;
      const Value& inner = v.optional_value();
      if (inner.kind() != Kind::kMap) return Value::error("type does not support field selection");
      std::optional<Value> found = inner.map_find(field);
      return found ? Value::optional_of(std::move(*found)) : Value::optional_none();
    }
    default:
      if (v.is_exceptional()) return v.without_shape();
      return Value::error("type '" + std::string(type_of(v).type_name()) +
                          "' does not support field selection");
  }
}

class SelectStep final : public Step {
 public:
  SelectStep(StepPtr operand, std::string field, std::string path)
      : operand_(std::move(operand)), field_(std::move(field)) {
    path_.set(std::move(path));
  }
  Value eval(Frame& f) const override {
    Value v = operand_->eval(f);
    if (v.is_exceptional()) return v.without_shape();
    return check_unknown(f, path_, select_field(v, field_));
  }

 private:
  StepPtr operand_;
  std::string field_;
  AttrPath path_;
};

// A chain of field selections (`r.a.b.c`) evaluated in one step. While the value is a
// document map the walk follows Node pointers directly and builds a single Value at the
// end; anything else (owned maps, optionals, unknown patterns) takes the general path.
class PathStep final : public Step {
 public:
  PathStep(StepPtr root, std::vector<std::string> fields, std::vector<std::string> paths)
      : root_(std::move(root)), fields_(std::move(fields)), hints_(new formats::FindHint[fields_.size()]) {
    paths_.resize(paths.size());
    for (size_t i = 0; i < paths.size(); ++i) paths_[i].set(std::move(paths[i]));
  }
  Value eval(Frame& f) const override {
    if (const Value* root = root_->peek(f); root && !f.activation->has_unknowns()) {
      // A comprehension variable that is a document map: walk without copying it.
      const formats::Node* n = root->kind() == Kind::kMap ? root->node() : nullptr;
      if (n != nullptr && n->kind() == formats::NodeKind::kMap && fields_.size() == 1) {
        const formats::Node* next = n->find_hinted(fields_[0], hints_[0]);
        if (next == nullptr) return Value::error("no such key: '" + fields_[0] + "'");
        return Value::from_node(*next);
      }
    }
    Value v = root_->eval(f);
    size_t i = 0;
    if (!f.activation->has_unknowns()) {
      const formats::Node* n = v.kind() == Kind::kMap ? v.node() : nullptr;
      if (n != nullptr && n->kind() == formats::NodeKind::kMap) {
        for (; i < fields_.size(); ++i) {
          const formats::Node* next = n->find_hinted(fields_[i], hints_[i]);
          if (next == nullptr) return Value::error("no such key: '" + fields_[i] + "'");
          n = next;
          if (n->kind() != formats::NodeKind::kMap) {
            ++i;
            break;
          }
        }
        v = Value::from_node(*n);
        if (v.is_unknown()) {  // fields after it are of the unknown: not its shape
          Value u = check_unknown(f, paths_[i - 1], std::move(v));
          return i < fields_.size() ? u.without_shape() : u;
        }
      }
    }
    for (; i < fields_.size(); ++i) {
      if (v.is_exceptional()) return v.without_shape();
      v = check_unknown(f, paths_[i], select_field(v, fields_[i]));
    }
    return v;
  }

 private:
  StepPtr root_;
  std::vector<std::string> fields_;
  std::vector<AttrPath> paths_;
  // Per field, where it was last found: resources of a type have their attributes in the
  // same order, so the first member tried is nearly always the one.
  std::unique_ptr<formats::FindHint[]> hints_;
};

class HasStep final : public Step {
 public:
  HasStep(StepPtr operand, std::string field) : operand_(std::move(operand)), field_(std::move(field)) {}
  Value eval(Frame& f) const override {
    Value v = operand_->eval(f);
    if (v.is_exceptional()) return v.without_shape();
    if (v.kind() == Kind::kMap) {
      if (v.is_node_view()) return Value::boolean(v.node()->find_hinted(field_, hint_) != nullptr);
      return Value::boolean(v.map_find(field_).has_value());
    }
    if (v.kind() == Kind::kOptional) {
      if (!v.optional_has_value()) return Value::boolean(false);
      const Value& inner = v.optional_value();
      if (inner.kind() == Kind::kMap) return Value::boolean(inner.map_find(field_).has_value());
    }
    return Value::error("invalid type for field selection in has()");
  }

 private:
  StepPtr operand_;
  std::string field_;
  mutable formats::FindHint hint_;  // see PathStep::hints_
};

// Converts a list index to a position, or an error value.
std::optional<int64_t> list_index(const Value& idx, Value* error) {
  switch (idx.kind()) {
    case Kind::kInt:
      return idx.as_int();
    case Kind::kUint:
      if (idx.as_uint() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *error = Value::error("invalid_argument: index out of range");
        return std::nullopt;
      }
      return static_cast<int64_t>(idx.as_uint());
    case Kind::kDouble: {
      double d = idx.as_double();
      if (std::trunc(d) != d || !(d >= -9.2e18 && d <= 9.2e18)) {
        *error = Value::error("invalid_argument: unsupported index value");
        return std::nullopt;
      }
      return static_cast<int64_t>(d);
    }
    default:
      *error = Value::no_overload("_[_]");
      return std::nullopt;
  }
}

Value index_value(const Value& c, const Value& idx) {
  if (c.is_exceptional() || idx.is_exceptional()) return propagate(c, idx);
  switch (c.kind()) {
    case Kind::kList: {
      Value err;
      std::optional<int64_t> i = list_index(idx, &err);
      if (!i) return err;
      if (*i < 0 || static_cast<uint64_t>(*i) >= c.list_size()) {
        return Value::error("invalid_argument: index out of range: " + std::to_string(*i));
      }
      return c.list_at(static_cast<size_t>(*i));
    }
    case Kind::kMap: {
      if (!is_key_kind(idx.kind()) && idx.kind() != Kind::kDouble) {
        return Value::error("unsupported key type");
      }
      std::optional<Value> found = c.map_find(idx);
      if (!found) return Value::error("no such key: " + idx.debug_string());
      return std::move(*found);
    }
    default:
      return Value::no_overload("_[_]");
  }
}

// Optional index/select: `c[?k]`, `c.?f`; also chains through optionals.
Value optional_index(const Value& c0, const Value& idx) {
  if (c0.is_exceptional() || idx.is_exceptional()) return propagate(c0, idx);
  const Value* c = &c0;
  if (c0.kind() == Kind::kOptional) {
    if (!c0.optional_has_value()) return c0;
    c = &c0.optional_value();
  }
  switch (c->kind()) {
    case Kind::kList: {
      Value err;
      std::optional<int64_t> i = list_index(idx, &err);
      if (!i) return err;
      if (*i < 0 || static_cast<uint64_t>(*i) >= c->list_size()) return Value::optional_none();
      return Value::optional_of(c->list_at(static_cast<size_t>(*i)));
    }
    case Kind::kMap: {
      std::optional<Value> found = c->map_find(idx);
      return found ? Value::optional_of(std::move(*found)) : Value::optional_none();
    }
    default:
      return Value::no_overload("_[?_]");
  }
}

class IndexStep final : public Step {
 public:
  IndexStep(StepPtr c, StepPtr i, bool optional, std::string path)
      : c_(std::move(c)), i_(std::move(i)), optional_(optional) {
    path_.set(std::move(path));
  }
  Value eval(Frame& f) const override {
    Value c = c_->eval(f);
    Value i = i_->eval(f);
    if (optional_) return optional_index(c, i);
    if (c.kind() == Kind::kOptional && !i.is_exceptional()) {
      // Indexing into an optional chains: optional.of(m)[k] is optional.
      return optional_index(c, i);
    }
    return check_unknown(f, path_, index_value(c, i));
  }

 private:
  StepPtr c_;
  StepPtr i_;
  bool optional_;
  AttrPath path_;
};

class OptSelectStep final : public Step {
 public:
  OptSelectStep(StepPtr operand, std::string field)
      : operand_(std::move(operand)), field_(Value::string(std::move(field))) {}
  Value eval(Frame& f) const override { return optional_index(operand_->eval(f), field_); }

 private:
  StepPtr operand_;
  Value field_;
};

// --- logic ---

// `a && b` (kDecides = false) and `a || b` (kDecides = true): commutative and absorbing.
// A side equal to kDecides decides, whichever side it is and whatever the other is;
// otherwise both must be bools, else unknowns (merged) win over errors (the left first).
template <bool kDecides>
class LogicStep final : public Step {
 public:
  LogicStep(StepPtr a, StepPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    if (a.kind() == Kind::kBool && a.as_bool() == kDecides) return a;
    Value b = b_->eval(f);
    if (b.kind() == Kind::kBool && b.as_bool() == kDecides) return b;
    if (a.kind() == Kind::kBool && b.kind() == Kind::kBool) return b;
    if (a.is_unknown() || b.is_unknown()) {
      if (a.is_unknown() && b.is_unknown()) return Value::merge_unknowns(a, b);
      return (a.is_unknown() ? a : b).without_shape();
    }
    if (a.is_error()) return a;
    if (b.is_error()) return b;
    return Value::no_overload(kDecides ? "_||_" : "_&&_");
  }

 private:
  StepPtr a_, b_;
};
using AndStep = LogicStep<false>;
using OrStep = LogicStep<true>;

class NotStep final : public Step {
 public:
  explicit NotStep(StepPtr a) : a_(std::move(a)) {}
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    if (a.kind() == Kind::kBool) return Value::boolean(!a.as_bool());
    if (a.is_exceptional()) return a.without_shape();
    return Value::no_overload("!_");
  }

 private:
  StepPtr a_;
};

class NotStrictlyFalseStep final : public Step {
 public:
  explicit NotStrictlyFalseStep(StepPtr a) : a_(std::move(a)) {}
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    if (a.kind() == Kind::kBool) return a;
    return Value::boolean(true);
  }

 private:
  StepPtr a_;
};

class TernaryStep final : public Step {
 public:
  TernaryStep(StepPtr c, StepPtr t, StepPtr e) : c_(std::move(c)), t_(std::move(t)), e_(std::move(e)) {}
  Value eval(Frame& f) const override {
    Value c = c_->eval(f);
    if (c.kind() == Kind::kBool) return c.as_bool() ? t_->eval(f) : e_->eval(f);
    if (c.is_exceptional()) return c.without_shape();
    return Value::no_overload("_?_:_");
  }

 private:
  StepPtr c_, t_, e_;
};

// --- arithmetic and comparison ---

enum class BinOp { kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod, kIn };

const char* op_name(BinOp op) {
  switch (op) {
    case BinOp::kEq:
      return "_==_";
    case BinOp::kNe:
      return "_!=_";
    case BinOp::kLt:
      return "_<_";
    case BinOp::kLe:
      return "_<=_";
    case BinOp::kGt:
      return "_>_";
    case BinOp::kGe:
      return "_>=_";
    case BinOp::kAdd:
      return "_+_";
    case BinOp::kSub:
      return "_-_";
    case BinOp::kMul:
      return "_*_";
    case BinOp::kDiv:
      return "_/_";
    case BinOp::kMod:
      return "_%_";
    case BinOp::kIn:
      return "@in";
  }
  return "?";
}

Value overflow() { return Value::error("return error for overflow"); }

template <typename R>
Value from_time_result(core::Result<R> r, Value (*make)(R)) {
  if (!r.ok()) return Value::error(r.error().message);
  return make(*r);
}

Value arith_int(BinOp op, int64_t a, int64_t b) {
  int64_t r = 0;
  switch (op) {
    case BinOp::kAdd:
      if (__builtin_add_overflow(a, b, &r)) return overflow();
      return Value::integer(r);
    case BinOp::kSub:
      if (__builtin_sub_overflow(a, b, &r)) return overflow();
      return Value::integer(r);
    case BinOp::kMul:
      if (__builtin_mul_overflow(a, b, &r)) return overflow();
      return Value::integer(r);
    case BinOp::kDiv:
      if (b == 0) return Value::error("divide by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow();
      return Value::integer(a / b);
    case BinOp::kMod:
      if (b == 0) return Value::error("modulus by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow();
      return Value::integer(a % b);
    default:
      return Value::no_overload(op_name(op));
  }
}

Value arith_uint(BinOp op, uint64_t a, uint64_t b) {
  uint64_t r = 0;
  switch (op) {
    case BinOp::kAdd:
      if (__builtin_add_overflow(a, b, &r)) return overflow();
      return Value::uinteger(r);
    case BinOp::kSub:
      if (__builtin_sub_overflow(a, b, &r)) return overflow();
      return Value::uinteger(r);
    case BinOp::kMul:
      if (__builtin_mul_overflow(a, b, &r)) return overflow();
      return Value::uinteger(r);
    case BinOp::kDiv:
      if (b == 0) return Value::error("divide by zero");
      return Value::uinteger(a / b);
    case BinOp::kMod:
      if (b == 0) return Value::error("modulus by zero");
      return Value::uinteger(a % b);
    default:
      return Value::no_overload(op_name(op));
  }
}

Value arith_double(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::kAdd:
      return Value::dbl(a + b);
    case BinOp::kSub:
      return Value::dbl(a - b);
    case BinOp::kMul:
      return Value::dbl(a * b);
    case BinOp::kDiv:
      return Value::dbl(a / b);
    default:
      return Value::no_overload(op_name(op));
  }
}

Value concat(Frame& f, const Value& a, const Value& b) {
  switch (a.kind()) {
    case Kind::kString: {
      if (!f.charge(a.as_string().size() + b.as_string().size())) return Value::error(std::string(kCostExceeded));
      std::string s;
      s.reserve(a.as_string().size() + b.as_string().size());
      s.append(a.as_string()).append(b.as_string());
      return Value::string(std::move(s));
    }
    case Kind::kBytes: {
      if (!f.charge(a.as_bytes().size() + b.as_bytes().size())) return Value::error(std::string(kCostExceeded));
      std::string s(a.as_bytes());
      s.append(b.as_bytes());
      return Value::bytes(std::move(s));
    }
    case Kind::kList: {
      size_t n = a.list_size() + b.list_size();
      if (!f.charge(n)) return Value::error(std::string(kCostExceeded));
      if (a.list_size() == 0) return b;
      if (b.list_size() == 0) return a;
      std::vector<Value> items;
      items.reserve(n);
      for (size_t i = 0; i < a.list_size(); ++i) items.push_back(a.list_at(i));
      for (size_t i = 0; i < b.list_size(); ++i) items.push_back(b.list_at(i));
      return Value::list(std::move(items));
    }
    default:
      return Value::no_overload("_+_");
  }
}

Value time_arith(BinOp op, const Value& a, const Value& b) {
  Kind ka = a.kind();
  Kind kb = b.kind();
  if (op == BinOp::kAdd) {
    if (ka == Kind::kTimestamp && kb == Kind::kDuration) {
      return from_time_result(add(a.as_timestamp(), b.as_duration()), &Value::timestamp);
    }
    if (ka == Kind::kDuration && kb == Kind::kTimestamp) {
      return from_time_result(add(b.as_timestamp(), a.as_duration()), &Value::timestamp);
    }
    if (ka == Kind::kDuration && kb == Kind::kDuration) {
      return from_time_result(add(a.as_duration(), b.as_duration()), &Value::duration);
    }
  } else if (op == BinOp::kSub) {
    if (ka == Kind::kTimestamp && kb == Kind::kTimestamp) {
      return from_time_result(subtract(a.as_timestamp(), b.as_timestamp()), &Value::duration);
    }
    if (ka == Kind::kTimestamp && kb == Kind::kDuration) {
      return from_time_result(subtract(a.as_timestamp(), b.as_duration()), &Value::timestamp);
    }
    if (ka == Kind::kDuration && kb == Kind::kDuration) {
      return from_time_result(subtract(a.as_duration(), b.as_duration()), &Value::duration);
    }
  }
  return Value::no_overload(op_name(op));
}

// Adds the unknown `v` (if it is one) to the unknowns an answer depends on.
void depend_on(Value& unknowns, const Value& v) {
  if (!v.is_unknown()) return;
  unknowns = unknowns.is_unknown() ? Value::merge_unknowns(unknowns, v) : v.without_shape();
}

// CEL equality where a side, or an element of a list or map, may be unknown; nullopt when
// the answer depends on it, with the unknowns it depends on added to `unknowns`. An
// unknown string (Value::unknown_string) differs from every value that is not a string
// and from every string its shape cannot give.
std::optional<bool> equal_or_unknown(const Value& a, const Value& b, Value& unknowns) {
  if (!a.is_unknown() && !b.is_unknown()) {
    if (a.kind() != b.kind() || (a.kind() != Kind::kList && a.kind() != Kind::kMap)) return equal(a, b);
    bool is_list = a.kind() == Kind::kList;
    size_t n = is_list ? a.list_size() : a.map_size();
    if (n != (is_list ? b.list_size() : b.map_size())) return false;
    Value pending;
    for (size_t i = 0; i < n; ++i) {
      std::optional<bool> eq;
      if (is_list) {
        eq = equal_or_unknown(a.list_at(i), b.list_at(i), pending);
      } else if (std::optional<Value> other = b.map_find(a.map_key_at(i))) {
        eq = equal_or_unknown(a.map_value_at(i), *other, pending);
      } else {
        return false;
      }
      if (eq && !*eq) return false;  // one element that differs settles it
    }
    if (!pending.is_unknown()) return true;
    depend_on(unknowns, pending);
    return std::nullopt;
  }
  const Value& u = a.is_unknown() ? a : b;
  const Value& other = a.is_unknown() ? b : a;
  if (u.is_shaped_unknown() && !other.is_exceptional() &&
      (other.kind() != Kind::kString || !shape_may_equal(u.unknown_shape(), other.as_string()))) {
    return false;
  }
  depend_on(unknowns, a);
  depend_on(unknowns, b);
  return std::nullopt;
}

// `elem in c`. An unknown item of a list (a document's list may hold one, a list literal
// an unknown string) that could be `elem` makes the answer unknown unless another item
// is `elem`; so does an unknown string `elem` that could be one of the items or keys.
Value contains_value(const Value& elem, const Value& c) {
  Value unknowns;
  switch (c.kind()) {
    case Kind::kList:
      for (size_t i = 0; i < c.list_size(); ++i) {
        Value item = c.list_at(i);
        if (!item.is_unknown() && !elem.is_unknown() && item.kind() != Kind::kList &&
            item.kind() != Kind::kMap) {
          if (equal(item, elem)) return Value::boolean(true);  // the usual case, without the recursion
          continue;
        }
        std::optional<bool> eq = equal_or_unknown(item, elem, unknowns);
        if (eq && *eq) return Value::boolean(true);
      }
      return unknowns.is_unknown() ? unknowns : Value::boolean(false);
    case Kind::kMap:
      if (elem.is_shaped_unknown()) {
        for (size_t i = 0; i < c.map_size(); ++i)
          static_cast<void>(equal_or_unknown(c.map_key_at(i), elem, unknowns));
        return unknowns.is_unknown() ? unknowns : Value::boolean(false);
      }
      if (!is_key_kind(elem.kind()) && elem.kind() != Kind::kDouble) return Value::boolean(false);
      return Value::boolean(c.map_find(elem).has_value());
    default:
      return Value::no_overload("@in");
  }
}

Value binary(Frame& f, BinOp op, const Value& a, const Value& b) {
  if (a.is_exceptional() || b.is_exceptional()) {
    // an unknown string against a known value: its shape may settle ==, != and in
    bool shaped =
        (a.is_shaped_unknown() && !b.is_exceptional()) || (b.is_shaped_unknown() && !a.is_exceptional());
    Value unknowns;
    if (shaped && (op == BinOp::kEq || op == BinOp::kNe)) {
      if (std::optional<bool> eq = equal_or_unknown(a, b, unknowns))
        return Value::boolean(*eq == (op == BinOp::kEq));
    } else if (shaped && op == BinOp::kIn && a.is_shaped_unknown()) {
      return contains_value(a, b);
    }
    return propagate(a, b);
  }
  switch (op) {
    case BinOp::kEq:
    case BinOp::kNe: {
      if (a.kind() != Kind::kList && a.kind() != Kind::kMap)
        return Value::boolean(equal(a, b) == (op == BinOp::kEq));
      // lists and maps may hold unknowns (a document's list, a list literal's unknown string)
      Value unknowns;
      std::optional<bool> eq = equal_or_unknown(a, b, unknowns);
      if (!eq) return unknowns;
      return Value::boolean(*eq == (op == BinOp::kEq));
    }
    case BinOp::kLt:
    case BinOp::kLe:
    case BinOp::kGt:
    case BinOp::kGe: {
      Ordering o = compare(a, b);
      if (o == Ordering::kNoOverload) return Value::no_overload(op_name(op));
      if (o == Ordering::kUnordered) return Value::boolean(false);
      switch (op) {
        case BinOp::kLt:
          return Value::boolean(o == Ordering::kLess);
        case BinOp::kLe:
          return Value::boolean(o != Ordering::kGreater);
        case BinOp::kGt:
          return Value::boolean(o == Ordering::kGreater);
        default:
          return Value::boolean(o != Ordering::kLess);
      }
    }
    case BinOp::kIn:
      return contains_value(a, b);
    default:
      break;
  }
  // Arithmetic: operands of the same numeric kind only (CEL has no implicit conversion).
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case Kind::kInt:
        return arith_int(op, a.as_int(), b.as_int());
      case Kind::kUint:
        return arith_uint(op, a.as_uint(), b.as_uint());
      case Kind::kDouble:
        return arith_double(op, a.as_double(), b.as_double());
      case Kind::kString:
      case Kind::kBytes:
      case Kind::kList:
        if (op == BinOp::kAdd) return concat(f, a, b);
        break;
      default:
        break;
    }
  }
  return time_arith(op, a, b);
}

class BinaryStep final : public Step {
 public:
  BinaryStep(BinOp op, StepPtr a, StepPtr b) : op_(op), a_(std::move(a)), b_(std::move(b)) {}
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    Value b = b_->eval(f);
    return binary(f, op_, a, b);
  }

 private:
  BinOp op_;
  StepPtr a_, b_;
};

// `expr OP constant`: the common rule shape (`resource.x == 'y'`, `p.from_port <= 22`).
// The constant is held by reference, and string equality is decided on views.
class ConstOperandStep final : public Step {
 public:
  ConstOperandStep(BinOp op, StepPtr a, Value constant, bool constant_left)
      : op_(op), a_(std::move(a)), c_(std::move(constant)), left_(constant_left) {}
  // c_ owns its storage; comparing against it by reference costs no refcount traffic.
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    if (a.kind() == c_.kind()) {
      if (a.kind() == Kind::kString && (op_ == BinOp::kEq || op_ == BinOp::kNe)) {
        return Value::boolean((a.as_string() == c_.as_string()) == (op_ == BinOp::kEq));
      }
      if (a.kind() == Kind::kInt && op_ <= BinOp::kGe) {
        int64_t x = left_ ? c_.as_int() : a.as_int();
        int64_t y = left_ ? a.as_int() : c_.as_int();
        switch (op_) {
          case BinOp::kEq:
            return Value::boolean(x == y);
          case BinOp::kNe:
            return Value::boolean(x != y);
          case BinOp::kLt:
            return Value::boolean(x < y);
          case BinOp::kLe:
            return Value::boolean(x <= y);
          case BinOp::kGt:
            return Value::boolean(x > y);
          default:
            return Value::boolean(x >= y);
        }
      }
    }
    return left_ ? binary(f, op_, c_, a) : binary(f, op_, a, c_);
  }

 private:
  BinOp op_;
  StepPtr a_;
  Value c_;
  bool left_;
};

class NegateStep final : public Step {
 public:
  explicit NegateStep(StepPtr a) : a_(std::move(a)) {}
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    switch (a.kind()) {
      case Kind::kInt:
        if (a.as_int() == std::numeric_limits<int64_t>::min()) return overflow();
        return Value::integer(-a.as_int());
      case Kind::kDouble:
        return Value::dbl(-a.as_double());
      case Kind::kDuration:
        return from_time_result(negate(a.as_duration()), &Value::duration);
      default:
        if (a.is_exceptional()) return a.without_shape();
        return Value::no_overload("-_");
    }
  }

 private:
  StepPtr a_;
};

// --- calls ---

class CallStep final : public Step {
 public:
  CallStep(const Function* fn, std::vector<StepPtr> args)
      : fn_(fn),
        args_(std::move(args)),
        on_shapes_(fn->name == "type" || fn->name == "contains" || fn->name == "startsWith" ||
                   fn->name == "endsWith") {}
  Value eval(Frame& f) const override {
    // Small argument lists live on the stack: no allocation per call.
    constexpr size_t kInline = 4;
    std::array<Value, kInline> inline_args;
    std::vector<Value> heap_args;
    Value* argv = inline_args.data();
    if (args_.size() > kInline) {
      heap_args.resize(args_.size());
      argv = heap_args.data();
    }
    Value exceptional;
    size_t n_exceptional = 0;
    for (size_t i = 0; i < args_.size(); ++i) {
      argv[i] = args_[i]->eval(f);
      if (argv[i].is_exceptional()) {
        exceptional = n_exceptional > 0 ? propagate(exceptional, argv[i]) : argv[i];
        ++n_exceptional;
      }
    }
    // type(), contains(), startsWith() and endsWith() decide on an unknown string's shape
    // when it is the receiver and the rest is known
    bool on_shape = on_shapes_ && n_exceptional == 1 && argv[0].is_shaped_unknown();
    if (n_exceptional > 0 && !on_shape) return exceptional.without_shape();
    return fn_->impl(std::span<const Value>(argv, args_.size()), f.ctx);
  }

 private:
  const Function* fn_;
  std::vector<StepPtr> args_;
  bool on_shapes_;  // fn_ is one of those that decide on an unknown string's shape
};

// Results of constant regular expressions on short texts, per thread. Rules match
// attribute names and paths far more often than values, and those repeat from resource
// to resource (the credentials rule matches every string attribute's name): a lookup here
// is a hash and a memcmp, an RE2 match is several times that. Direct-mapped; a slot holds
// the matcher's id (unique for the process's lifetime, never reused), the text and the
// result, so a stale or colliding slot is only a miss.
class RegexMemo {
 public:
  static constexpr size_t kMaxText = 46;

  // The remembered result of matcher `id` on `s`, if any (s.size() <= kMaxText).
  [[nodiscard]] std::optional<bool> find(uint64_t id, std::string_view s) const {
    const Slot& e = slots_[slot(id, s)];
    if (e.id != id || e.size != s.size() || (!s.empty() && std::memcmp(e.text, s.data(), s.size()) != 0)) {
      return std::nullopt;
    }
    return e.result;
  }
  void put(uint64_t id, std::string_view s, bool result) {
    Slot& e = slots_[slot(id, s)];
    e.id = id;
    e.size = static_cast<uint8_t>(s.size());
    e.result = result;
    if (!s.empty()) std::memcpy(e.text, s.data(), s.size());  // an empty view's data() may be null
  }
  static RegexMemo& local() {
    thread_local RegexMemo memo;
    return memo;
  }

 private:
  static constexpr size_t kSlots = 1024;  // 56 KiB per thread
  struct Slot {
    uint64_t id = 0;  // 0: empty (ids start at 1)
    uint8_t size = 0;
    bool result = false;
    char text[kMaxText];
  };
  static size_t slot(uint64_t id, std::string_view s) {
    uint64_t h = 14695981039346656037ULL ^ id;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return static_cast<size_t>((h ^ (h >> 29)) & (kSlots - 1));
  }
  std::array<Slot, kSlots> slots_{};
};

// `s.matches('constant')`: the regular expression compiled with the program; the same
// result as the `matches` function without looking the pattern up on every call. Short
// texts go through the per-thread RegexMemo.
class ConstRegexStep final : public Step {
 public:
  ConstRegexStep(StepPtr text, const re2::RE2* re) : text_(std::move(text)), re_(re), id_(next_id()) {}
  Value eval(Frame& f) const override {
    Value v = text_->eval(f);
    if (v.kind() != Kind::kString)
      return v.is_exceptional() ? v.without_shape() : Value::no_overload("matches");
    std::string_view s = v.as_string();
    if (!f.charge(s.size())) return Value::error(std::string(kCostExceeded));
    if (s.size() > RegexMemo::kMaxText) return Value::boolean(re2::RE2::PartialMatch(s, *re_));
    RegexMemo& memo = RegexMemo::local();
    if (std::optional<bool> known = memo.find(id_, s)) return Value::boolean(*known);
    bool r = re2::RE2::PartialMatch(s, *re_);
    memo.put(id_, s, r);
    return Value::boolean(r);
  }

 private:
  static uint64_t next_id() {
    static std::atomic<uint64_t> last{0};
    return ++last;
  }
  StepPtr text_;
  const re2::RE2* re_;
  uint64_t id_;
};

class ListStep final : public Step {
 public:
  ListStep(std::vector<StepPtr> elems, std::vector<bool> optional)
      : elems_(std::move(elems)), optional_(std::move(optional)) {}
  Value eval(Frame& f) const override {
    if (!f.charge(elems_.size())) return Value::error(std::string(kCostExceeded));
    std::vector<Value> items;
    items.reserve(elems_.size());
    for (size_t i = 0; i < elems_.size(); ++i) {
      Value v = elems_[i]->eval(f);
      // an unknown string is kept as an element (`[s.Principal.AWS].exists(p, p == '*')`
      // decides on its shape); any other unknown or error makes the list one
      if (v.is_exceptional() && (optional_[i] || !v.is_shaped_unknown())) return v.without_shape();
      if (optional_[i]) {
        if (v.kind() != Kind::kOptional) return Value::no_overload("optional list element");
        if (!v.optional_has_value()) continue;
        items.push_back(v.optional_value());
      } else {
        items.push_back(std::move(v));
      }
    }
    return Value::list(std::move(items));
  }

 private:
  std::vector<StepPtr> elems_;
  std::vector<bool> optional_;
};

class MapStep final : public Step {
 public:
  struct Entry {
    StepPtr key;
    StepPtr value;
    bool optional;
  };
  explicit MapStep(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  Value eval(Frame& f) const override {
    if (!f.charge(entries_.size())) return Value::error(std::string(kCostExceeded));
    std::vector<std::pair<Value, Value>> out;
    out.reserve(entries_.size());
    for (const Entry& e : entries_) {
      Value k = e.key->eval(f);
      if (k.is_exceptional()) return k.without_shape();
      Value v = e.value->eval(f);
      if (v.is_exceptional()) return v.without_shape();
      if (e.optional) {
        if (v.kind() != Kind::kOptional) return Value::no_overload("optional map entry");
        if (!v.optional_has_value()) continue;
        out.emplace_back(std::move(k), v.optional_value());
      } else {
        out.emplace_back(std::move(k), std::move(v));
      }
    }
    return Value::make_map(std::move(out));
  }

 private:
  std::vector<Entry> entries_;
};

class ComprehensionStep final : public Step {
 public:
  ComprehensionStep(size_t iter_slot, std::optional<size_t> iter2_slot, size_t accu_slot,
                    StepPtr range, StepPtr init, StepPtr cond, StepPtr step, StepPtr result)
      : iter_slot_(iter_slot),
        iter2_slot_(iter2_slot),
        accu_slot_(accu_slot),
        range_(std::move(range)),
        init_(std::move(init)),
        cond_(std::move(cond)),
        step_(std::move(step)),
        result_(std::move(result)) {}

  Value eval(Frame& f) const override {
    Value range = range_->eval(f);
    if (range.is_exceptional()) return range.without_shape();
    bool is_map = range.kind() == Kind::kMap;
    if (!is_map && range.kind() != Kind::kList) return Value::no_overload("comprehension range");
    size_t n = is_map ? range.map_size() : range.list_size();
    f.slots[accu_slot_] = init_->eval(f);
    for (size_t i = 0; i < n; ++i) {
      if (!f.charge(1)) return Value::error(std::string(kCostExceeded));
      if (is_map) {
        f.slots[iter_slot_] = range.map_key_at(i);
        if (iter2_slot_) f.slots[*iter2_slot_] = range.map_value_at(i);
      } else if (iter2_slot_) {
        f.slots[iter_slot_] = Value::integer(static_cast<int64_t>(i));
        f.slots[*iter2_slot_] = range.list_at(i);
      } else {
        f.slots[iter_slot_] = range.list_at(i);
      }
      Value c = cond_->eval(f);
      if (c.kind() == Kind::kBool && !c.as_bool()) break;
      f.slots[accu_slot_] = step_->eval(f);
    }
    Value r = result_->eval(f);
    return r;
  }

 private:
  size_t iter_slot_;
  std::optional<size_t> iter2_slot_;
  size_t accu_slot_;
  StepPtr range_, init_, cond_, step_, result_;
};

// A comprehension over no elements (what `cel.bind(v, init, e)` expands to): `e` with
// `v` bound to `init`, without building the empty range.
class BindStep final : public Step {
 public:
  BindStep(size_t slot, StepPtr init, StepPtr result)
      : slot_(slot), init_(std::move(init)), result_(std::move(result)) {}
  Value eval(Frame& f) const override {
    f.slots[slot_] = init_->eval(f);
    return result_->eval(f);
  }

 private:
  size_t slot_;
  StepPtr init_, result_;
};

// `range.exists(x, p)` and `range.all(x, p)`: the comprehension the macros expand to,
// run as a tight loop. Same semantics as the expansion (`@result || p` / `@result && p`
// stepped until decided): a deciding element wins over errors and unknowns anywhere
// else; otherwise unknowns (merged) win over errors (the first); a non-bool predicate
// is an error.
class QuantifierStep final : public Step {
 public:
  QuantifierStep(bool exists, size_t iter_slot, StepPtr range, StepPtr predicate)
      : exists_(exists), iter_slot_(iter_slot), range_(std::move(range)), pred_(std::move(predicate)) {}

  Value eval(Frame& f) const override {
    Value range = range_->eval(f);
    if (range.is_exceptional()) return range.without_shape();
    bool is_map = range.kind() == Kind::kMap;
    if (!is_map && range.kind() != Kind::kList) return Value::no_overload("comprehension range");
    size_t n = is_map ? range.map_size() : range.list_size();
    Value pending;  // the undecided outcome so far: an error or unknown, or null
    Value saved_witness;
    uint64_t saved_serial = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!f.charge(1)) return Value::error(std::string(kCostExceeded));
      f.slots[iter_slot_] = is_map ? range.map_key_at(i) : range.list_at(i);
      if (f.track_witness) {
        saved_witness = f.witness;
        saved_serial = f.witness_serial;
      }
      Value p = pred_->eval(f);
      if (p.kind() == Kind::kBool && p.as_bool() == exists_) {
        // This element decides; an inner quantifier that decided within it is more precise.
        if (f.track_witness && f.witness_serial == saved_serial) {
          f.witness = f.slots[iter_slot_];
          ++f.witness_serial;
        }
        return p;
      }
      if (f.track_witness) {  // what was decided inside a non-deciding element does not count
        f.witness = std::move(saved_witness);
        f.witness_serial = saved_serial;
      }
      if (p.kind() == Kind::kBool) continue;
      if (!p.is_exceptional()) p = Value::no_overload(exists_ ? "_||_" : "_&&_");
      if (pending.kind() == Kind::kNull) {
        pending = std::move(p);
      } else if (p.is_unknown()) {
        pending = pending.is_unknown() ? Value::merge_unknowns(pending, p) : std::move(p);
      }
    }
    if (pending.kind() != Kind::kNull) return pending.without_shape();
    return Value::boolean(!exists_);
  }

 private:
  bool exists_;
  size_t iter_slot_;
  StepPtr range_, pred_;
};

// ---------------------------------------------------------------------------------
// Compiler.

struct Scope {
  std::string name;
  size_t slot;
};

class Compiler {
 public:
  Compiler(const Ast& ast, const CompileOptions& options, RegexCache& regexes)
      : ast_(ast),
        options_(options),
        functions_(options.functions ? *options.functions : FunctionRegistry::standard()),
        regexes_(regexes) {}

  core::Result<StepPtr> compile(const Expr& e) {
    StepPtr s = build(e);
    if (error_) return std::move(*error_);
    return s;
  }

  size_t slot_count() const { return max_slots_; }
  bool has_quantifiers() const { return has_quantifiers_; }

 private:
  void fail(const Expr& e, std::string code, std::string message) {
    if (error_) return;
    core::Location loc = core::locate("", ast_.source(), e.offset);
    error_ = core::make_error(std::move(code), std::move(message), loc);
  }

  std::optional<size_t> lookup_slot(std::string_view name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->name == name) return it->slot;
    }
    return std::nullopt;
  }

  bool declared(std::string_view name) const {
    for (const std::string& v : options_.variables) {
      if (v == name) return true;
    }
    return false;
  }

  // "a.b.c" when `e` is a chain of plain selections rooted at an identifier.
  static std::optional<std::string> qualified_name(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return e.name;
    if (e.kind == ExprKind::kSelect && !e.test_only && e.target) {
      auto base = qualified_name(*e.target);
      if (base) return *base + "." + e.name;
    }
    return std::nullopt;
  }

  // The attribute path of an expression for unknown tracking, or "" when dynamic.
  std::string path_of(const Expr& e) const {
    if (e.kind == ExprKind::kIdent) {
      return lookup_slot(e.name) ? std::string() : e.name;
    }
    if (e.kind == ExprKind::kSelect && e.target) {
      std::string base = path_of(*e.target);
      return base.empty() ? base : base + "." + e.name;
    }
    if (e.kind == ExprKind::kCall && e.name == "_[_]" && e.args.size() == 2 &&
        e.args[1]->kind == ExprKind::kConst) {
      std::string base = path_of(*e.args[0]);
      const Value& k = e.args[1]->constant;
      if (base.empty()) return base;
      if (k.kind() == Kind::kString) return base + "." + std::string(k.as_string());
      if (k.kind() == Kind::kInt) return base + "." + std::to_string(k.as_int());
    }
    return {};
  }

  // Resolves an identifier or a chain of selections against declared variables (the
  // longest declared dotted prefix wins), comprehension variables and type names.
  StepPtr resolve_name(const Expr& e, const std::string& qualified) {
    // Comprehension variables shadow everything; they are always the root identifier.
    std::string_view root = std::string_view(qualified).substr(0, qualified.find('.'));
    if (std::optional<size_t> slot = lookup_slot(root)) {
      StepPtr s = std::make_unique<SlotStep>(*slot);
      return apply_selects(std::move(s), qualified, root.size(), "");
    }
    if (!qualified.empty() && qualified[0] == '.') {
      // A leading dot names the root scope: same resolution without the dot.
      return resolve_name(e, qualified.substr(1));
    }
    // Longest declared prefix.
    size_t end = qualified.size();
    while (true) {
      std::string prefix = qualified.substr(0, end);
      if (declared(prefix)) {
        StepPtr s = std::make_unique<VarStep>(prefix, prefix);
        return apply_selects(std::move(s), qualified, end, prefix);
      }
      size_t dot = qualified.rfind('.', end - 1);
      if (dot == std::string::npos || dot == 0) break;
      end = dot;
    }
    if (std::optional<Value> t = type_by_name(qualified)) return std::make_unique<ConstStep>(*t);
    // Undeclared: bound at run time (the root identifier), or a type name prefix.
    StepPtr s = std::make_unique<DynamicVarStep>(std::string(root), type_by_name(root));
    return apply_selects(std::move(s), qualified, root.size(), std::string(root));
  }

  StepPtr apply_selects(StepPtr s, const std::string& qualified, size_t from, std::string path) {
    std::vector<std::string> fields;
    std::vector<std::string> paths;
    size_t pos = from;
    while (pos < qualified.size()) {
      size_t start = pos + 1;  // skip '.'
      size_t dot = qualified.find('.', start);
      if (dot == std::string::npos) dot = qualified.size();
      std::string field = qualified.substr(start, dot - start);
      if (!path.empty()) path += "." + field;
      fields.push_back(std::move(field));
      paths.push_back(path);
      pos = dot;
    }
    if (fields.empty()) return s;
    return std::make_unique<PathStep>(std::move(s), std::move(fields), std::move(paths));
  }

  StepPtr build(const Expr& e) {
    if (error_) return std::make_unique<ErrorStep>("compile error");
    switch (e.kind) {
      case ExprKind::kConst:
        return std::make_unique<ConstStep>(e.constant);
      case ExprKind::kIdent:
        return resolve_name(e, e.name);
      case ExprKind::kSelect: {
        if (e.test_only) return std::make_unique<HasStep>(build(*e.target), e.name);
        // Field names may contain dots only through backquotes; such a chain is not a
        // qualified name.
        if (e.name.find('.') == std::string::npos) {
          if (auto q = qualified_name(e)) return resolve_name(e, *q);
        }
        return std::make_unique<SelectStep>(build(*e.target), e.name, path_of(e));
      }
      case ExprKind::kCall:
        return build_call(e);
      case ExprKind::kList: {
        std::vector<StepPtr> elems;
        std::vector<bool> optional(e.args.size(), false);
        for (uint32_t i : e.optional_indices) {
          if (i < optional.size()) optional[i] = true;
        }
        for (const ExprPtr& a : e.args) elems.push_back(build(*a));
        bool all_const = true;
        for (size_t i = 0; i < elems.size(); ++i) {
          if (optional[i] || !dynamic_cast<ConstStep*>(elems[i].get())) all_const = false;
        }
        if (all_const) {
          // Constant list literals are built once.
          std::vector<Value> items;
          for (auto& s : elems) items.push_back(static_cast<ConstStep*>(s.get())->owned());
          return std::make_unique<ConstStep>(Value::list(std::move(items)));
        }
        return std::make_unique<ListStep>(std::move(elems), std::move(optional));
      }
      case ExprKind::kMap: {
        std::vector<MapStep::Entry> entries;
        for (const MapEntry& me : e.entries) {
          entries.push_back({build(*me.key), build(*me.value), me.optional});
        }
        // Constant map literals (a rule's lookup table) are built once, like lists; one
        // that fails to build (a repeated key) keeps failing at evaluation, as before.
        bool all_const = true;
        for (const MapStep::Entry& me : entries) {
          bool constant = dynamic_cast<ConstStep*>(me.key.get()) && dynamic_cast<ConstStep*>(me.value.get());
          if (me.optional || !constant) all_const = false;
        }
        if (all_const) {
          std::vector<std::pair<Value, Value>> items;
          for (const MapStep::Entry& me : entries) {
            items.emplace_back(static_cast<ConstStep*>(me.key.get())->owned(),
                               static_cast<ConstStep*>(me.value.get())->owned());
          }
          Value m = Value::make_map(std::move(items));
          if (!m.is_exceptional()) return std::make_unique<ConstStep>(std::move(m));
        }
        return std::make_unique<MapStep>(std::move(entries));
      }
      case ExprKind::kStruct:
        fail(e, "cel.unsupported",
             "message construction '" + e.name + "{...}' is not supported (no protobuf types)");
        return std::make_unique<ErrorStep>("unsupported");
      case ExprKind::kComprehension:
        return build_comprehension(e);
    }
    return std::make_unique<ErrorStep>("unreachable");
  }

  // The predicate of an `all`/`exists` expansion, or nullptr for other comprehensions.
  static const Expr* quantifier_predicate(const Comprehension& c, bool* exists) {
    if (!c.iter_var2.empty() || !c.accu_init || c.accu_init->kind != ExprKind::kConst ||
        c.accu_init->constant.kind() != Kind::kBool || !c.result ||
        c.result->kind != ExprKind::kIdent || c.result->name != c.accu_var || !c.loop_step ||
        c.loop_step->kind != ExprKind::kCall || c.loop_step->target || c.loop_step->args.size() != 2) {
      return nullptr;
    }
    const Expr& step = *c.loop_step;
    bool init = c.accu_init->constant.as_bool();
    bool is_exists = !init && step.name == "_||_";
    bool is_all = init && step.name == "_&&_";
    if (!is_exists && !is_all) return nullptr;
    const Expr& lhs = *step.args[0];
    if (lhs.kind != ExprKind::kIdent || lhs.name != c.accu_var) return nullptr;
    // The predicate must not read the accumulator itself.
    if (mentions(*step.args[1], c.accu_var)) return nullptr;
    *exists = is_exists;
    return step.args[1].get();
  }

  static bool mentions(const Expr& e, const std::string& name) {
    if (e.kind == ExprKind::kIdent) return e.name == name;
    if (e.target && mentions(*e.target, name)) return true;
    for (const ExprPtr& a : e.args) {
      if (mentions(*a, name)) return true;
    }
    for (const MapEntry& me : e.entries) {
      if ((me.key && mentions(*me.key, name)) || (me.value && mentions(*me.value, name))) return true;
    }
    if (e.comprehension) {
      const Comprehension& c = *e.comprehension;
      for (const ExprPtr* p : {&c.iter_range, &c.accu_init, &c.loop_condition, &c.loop_step, &c.result}) {
        if (*p && mentions(**p, name)) return true;
      }
    }
    return false;
  }

  StepPtr build_comprehension(const Expr& e) {
    const Comprehension& c = *e.comprehension;
    bool exists = false;
    if (const Expr* pred = quantifier_predicate(c, &exists)) {
      StepPtr range = build(*c.iter_range);
      size_t iter_slot = next_slot_++;
      scopes_.push_back({c.iter_var, iter_slot});
      max_slots_ = std::max(max_slots_, next_slot_);
      StepPtr p = build(*pred);
      scopes_.pop_back();
      --next_slot_;
      has_quantifiers_ = true;
      return std::make_unique<QuantifierStep>(exists, iter_slot, std::move(range), std::move(p));
    }
    if (c.iter_range->kind == ExprKind::kList && c.iter_range->args.empty() && c.iter_var2.empty()) {
      // cel.bind(v, init, e): no iterations, so the accumulator is the bound value.
      StepPtr init = build(*c.accu_init);
      size_t accu_slot = next_slot_++;
      scopes_.push_back({c.accu_var, accu_slot});
      max_slots_ = std::max(max_slots_, next_slot_);
      StepPtr result = build(*c.result);
      scopes_.pop_back();
      --next_slot_;
      return std::make_unique<BindStep>(accu_slot, std::move(init), std::move(result));
    }
    StepPtr range = build(*c.iter_range);
    // The accumulator initialiser sees the enclosing scope only.
    StepPtr init = build(*c.accu_init);
    size_t accu_slot = next_slot_++;
    scopes_.push_back({c.accu_var, accu_slot});
    size_t iter_slot = next_slot_++;
    scopes_.push_back({c.iter_var, iter_slot});
    std::optional<size_t> iter2_slot;
    if (!c.iter_var2.empty()) {
      iter2_slot = next_slot_++;
      scopes_.push_back({c.iter_var2, *iter2_slot});
    }
    max_slots_ = std::max(max_slots_, next_slot_);
    StepPtr cond = build(*c.loop_condition);
    StepPtr step = build(*c.loop_step);
    // The result sees the accumulator but not the iteration variables.
    scopes_.pop_back();
    if (iter2_slot) scopes_.pop_back();
    StepPtr result = build(*c.result);
    scopes_.pop_back();
    next_slot_ -= iter2_slot ? 3 : 2;
    return std::make_unique<ComprehensionStep>(iter_slot, iter2_slot, accu_slot, std::move(range),
                                               std::move(init), std::move(cond), std::move(step),
                                               std::move(result));
  }

  StepPtr build_call(const Expr& e) {
    const std::string& fn = e.name;
    const auto& args = e.args;
    auto arg = [&](size_t i) { return build(*args[i]); };
    if (!e.target) {
      if (fn == "_&&_" && args.size() == 2) return std::make_unique<AndStep>(arg(0), arg(1));
      if (fn == "_||_" && args.size() == 2) return std::make_unique<OrStep>(arg(0), arg(1));
      if (fn == "!_" && args.size() == 1) return std::make_unique<NotStep>(arg(0));
      if (fn == "-_" && args.size() == 1) return std::make_unique<NegateStep>(arg(0));
      if (fn == "@not_strictly_false" && args.size() == 1) {
        return std::make_unique<NotStrictlyFalseStep>(arg(0));
      }
      if (fn == "_?_:_" && args.size() == 3) {
        return std::make_unique<TernaryStep>(arg(0), arg(1), arg(2));
      }
      if (fn == "_[_]" && args.size() == 2) {
        return std::make_unique<IndexStep>(arg(0), arg(1), false, path_of(e));
      }
      if (fn == "_[?_]" && args.size() == 2) {
        return std::make_unique<IndexStep>(arg(0), arg(1), true, "");
      }
      if (fn == "_?._" && args.size() == 2 && args[1]->kind == ExprKind::kConst &&
          args[1]->constant.kind() == Kind::kString) {
        return std::make_unique<OptSelectStep>(arg(0), std::string(args[1]->constant.as_string()));
      }
      static const std::pair<std::string_view, BinOp> kOps[] = {
          {"_==_", BinOp::kEq}, {"_!=_", BinOp::kNe}, {"_<_", BinOp::kLt},  {"_<=_", BinOp::kLe},
          {"_>_", BinOp::kGt},  {"_>=_", BinOp::kGe}, {"_+_", BinOp::kAdd}, {"_-_", BinOp::kSub},
          {"_*_", BinOp::kMul}, {"_/_", BinOp::kDiv}, {"_%_", BinOp::kMod}, {"@in", BinOp::kIn},
      };
      if (args.size() == 2) {
        for (const auto& [name, op] : kOps) {
          if (fn != name) continue;
          StepPtr a = arg(0);
          StepPtr b = arg(1);
          if (auto* cb = dynamic_cast<ConstStep*>(b.get()); cb && op != BinOp::kIn) {
            return std::make_unique<ConstOperandStep>(op, std::move(a), cb->owned(), false);
          }
          if (auto* ca = dynamic_cast<ConstStep*>(a.get()); ca && op != BinOp::kIn) {
            return std::make_unique<ConstOperandStep>(op, std::move(b), ca->owned(), true);
          }
          return std::make_unique<BinaryStep>(op, std::move(a), std::move(b));
        }
      }
    }

    // Namespaced global functions written as a receiver call: math.greatest(1, 2).
    if (e.target) {
      std::optional<std::string> ns = qualified_name(*e.target);
      if (ns && !lookup_slot(ns->substr(0, ns->find('.'))) && !declared(*ns)) {
        std::string full = *ns + "." + fn;
        if (const Function* f = functions_.find(full, CallStyle::kGlobal, static_cast<int>(args.size()))) {
          std::vector<StepPtr> steps;
          for (size_t i = 0; i < args.size(); ++i) steps.push_back(arg(i));
          return std::make_unique<CallStep>(f, std::move(steps));
        }
      }
    }

    CallStyle style = e.target ? CallStyle::kReceiver : CallStyle::kGlobal;
    int arity = static_cast<int>(args.size()) + (e.target ? 1 : 0);
    const Function* f = functions_.find(fn, style, arity);
    std::vector<StepPtr> steps;
    if (e.target) steps.push_back(build(*e.target));
    for (size_t i = 0; i < args.size(); ++i) steps.push_back(arg(i));
    if (!f) {
      std::string message = "found no matching overload for '" + fn + "' with " +
                            std::to_string(arity) + (arity == 1 ? " argument" : " arguments");
      if (options_.strict_functions) {
        fail(e, functions_.has(fn) ? "cel.no_overload" : "cel.unknown_function",
             functions_.has(fn) ? message : "undeclared function '" + fn + "'");
      }
      return std::make_unique<ErrorStep>(message);
    }
    // Constant regular expressions are compiled once, here, and matched directly.
    if (fn == "matches" && arity == 2) {
      const Expr& pattern = e.target ? *args[0] : *args[1];
      if (pattern.kind == ExprKind::kConst && pattern.constant.kind() == Kind::kString) {
        std::string p(pattern.constant.as_string());
        regexes_.precompile(p);
        std::string err;
        const re2::RE2* re = regexes_.get(p, &err);
        if (!re) {
          fail(pattern, "cel.regex", "invalid regular expression: " + err);
        } else {
          return std::make_unique<ConstRegexStep>(std::move(steps[0]), re);
        }
      }
    }
    return std::make_unique<CallStep>(f, std::move(steps));
  }

  const Ast& ast_;
  const CompileOptions& options_;
  const FunctionRegistry& functions_;
  RegexCache& regexes_;
  std::vector<Scope> scopes_;
  size_t next_slot_ = 0;
  size_t max_slots_ = 0;
  bool has_quantifiers_ = false;
  std::optional<core::Error> error_;
};

}  // namespace

// ---------------------------------------------------------------------------------
// Activation.

void Activation::bind(std::string name, Value value) {
  for (auto& [n, v] : vars_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  vars_.emplace_back(std::move(name), std::move(value));
}

const Value* Activation::find(std::string_view name) const {
  for (const auto& [n, v] : vars_) {
    if (n == name) return &v;
  }
  return nullptr;
}

void Activation::add_unknown(std::string_view path) {
  std::vector<std::string> segs;
  for (std::string_view s : split_path(path)) segs.emplace_back(s);
  unknowns_.push_back(std::move(segs));
}

bool Activation::is_unknown(const std::vector<std::string_view>& path) const {
  for (const auto& pattern : unknowns_) {
    if (pattern.size() > path.size()) continue;
    bool match = true;
    for (size_t i = 0; i < pattern.size() && match; ++i) {
      match = pattern[i] == "*" || pattern[i] == path[i];
    }
    if (match) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------
// Program.

struct Program::Impl {
  std::string source;
  StepPtr root;
  size_t slots = 0;
  bool quantifiers = false;
  RegexCache regexes;
};

Program::Program(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

core::Result<Program> Program::compile(const Ast& ast, const CompileOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->source = ast.source();
  Compiler c(ast, options, impl->regexes);
  SKM_TRY_ASSIGN(impl->root, c.compile(ast.root()));
  impl->slots = c.slot_count();
  impl->quantifiers = c.has_quantifiers();
  return Program(std::move(impl));
}

core::Result<Program> Program::compile(std::string_view expression, const CompileOptions& options) {
  SKM_TRY_ASSIGN(Ast ast, parse(expression, options.parse));
  return compile(ast, options);
}

Value Program::evaluate(const Activation& activation, const EvalOptions& options) const {
  // Comprehension slots: on the stack for the common small case.
  constexpr size_t kInlineSlots = 12;
  std::array<Value, kInlineSlots> inline_slots;
  std::vector<Value> heap_slots;
  Value* slots = inline_slots.data();
  if (impl_->slots > kInlineSlots) {
    heap_slots.resize(impl_->slots);
    slots = heap_slots.data();
  }
  Frame frame{&activation, &impl_->regexes, slots, 0, options.cost_budget};
  return impl_->root->eval(frame);
}

Value Program::evaluate_with_witness(const Activation& activation, Value* witness, const EvalOptions& options) const {
  std::vector<Value> slots(std::max<size_t>(impl_->slots, 1));
  Frame frame{&activation, &impl_->regexes, slots.data(), 0, options.cost_budget};
  frame.track_witness = true;
  Value result = impl_->root->eval(frame);
  if (witness != nullptr) *witness = frame.witness_serial > 0 ? std::move(frame.witness) : Value();
  return result;
}

const std::string& Program::source() const { return impl_->source; }
bool Program::has_quantifiers() const { return impl_->quantifiers; }

}  // namespace sekimori::cel
