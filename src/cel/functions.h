// sekimori::cel::FunctionRegistry — the functions a CEL program may call.
//
// Operators (+, ==, <, in, [], &&, ...) are built into the evaluator; everything that
// is called by name lives here: the standard library (size, contains, matches,
// conversions, timestamp accessors), the string, math and network extensions, and
// sekimori's own extensions for cloud rules. A function is found by name, call style
// and argument count at compile time, and receives already-evaluated arguments: the
// evaluator propagates errors and unknowns before calling, so an implementation only
// sees ordinary values. It checks their kinds itself and returns
// `Value::no_overload(name)` when they do not fit.
//
//   FunctionRegistry reg = FunctionRegistry::standard();   // everything we ship
//   const Function* f = reg.find("startsWith", CallStyle::kReceiver, 2);
//   Value r = f->impl(args, ctx);
//
// Thread-safety: a registry is immutable after construction; implementations must be
// thread-safe (they are called concurrently from many evaluations).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cel/time.h"
#include "cel/value.h"

namespace re2 {
class RE2;
}

namespace sekimori::cel {

// What a function may use besides its arguments.
class CallContext {
 public:
  virtual ~CallContext() = default;
  // The caller-supplied current time (the `now` variable), for deterministic tests.
  [[nodiscard]] virtual Timestamp now() const = 0;
  // A compiled RE2 for `pattern`, cached per program; nullptr with *error set when the
  // pattern is invalid. The returned object lives as long as the program.
  virtual const re2::RE2* regex(std::string_view pattern, std::string* error) const = 0;
  // Charges `units` of evaluation cost (e.g. bytes scanned, list elements built); false
  // when the budget is exhausted, and the function should return an error.
  virtual bool charge(uint64_t units) const = 0;
};

using FunctionImpl = Value (*)(std::span<const Value> args, const CallContext& ctx);

enum class CallStyle : uint8_t {
  kGlobal,    // f(a, b)
  kReceiver,  // a.f(b): args[0] is the receiver
};

struct Function {
  std::string name;   // "size", "startsWith", "math.greatest", "optional.of"
  CallStyle style;
  int arity;          // number of args including the receiver; -1 for variadic
  FunctionImpl impl;
};

class FunctionRegistry {
 public:
  // Every function sekimori ships: standard library, strings, math, network, optional,
  // and sekimori's extensions (see docs/formats/cel.md).
  static const FunctionRegistry& standard();

  void add(Function f);
  // Exact arity first, then a variadic entry of the same name and style.
  [[nodiscard]] const Function* find(std::string_view name, CallStyle style, int arity) const;
  // True when any overload of `name` exists (for qualified-name resolution).
  [[nodiscard]] bool has(std::string_view name) const;

 private:
  std::unordered_map<std::string, std::vector<Function>> by_name_;
};

// Registration, one per library (implemented in functions_*.cc).
void register_standard_functions(FunctionRegistry& reg);   // size, contains, conversions, time
void register_string_extensions(FunctionRegistry& reg);    // lowerAscii, split, join, ...
void register_math_extensions(FunctionRegistry& reg);      // math.greatest, math.abs, ...
void register_network_extensions(FunctionRegistry& reg);   // ip, cidr, containsIP, ...
void register_optional_functions(FunctionRegistry& reg);   // optional.of, orValue, ...
void register_sekimori_extensions(FunctionRegistry& reg);  // isPublic, overlaps, glob, ...

}  // namespace sekimori::cel
