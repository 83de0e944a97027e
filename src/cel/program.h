// sekimori::cel::Program — a CEL expression compiled once, evaluated many times.
//
// Compiling resolves names (variables declared up front are resolved statically,
// qualified names like `a.b.c` by longest declared prefix, namespaced functions like
// `math.greatest`), looks every function up in the registry, precompiles constant
// regular expressions, and builds an evaluation tree. Evaluation never re-parses and
// does not allocate for field selections over documents and comparisons.
//
//   auto program = Program::compile("input.a.exists(x, x > 2)", {.variables = {"input"}});
//   Activation act;
//   act.bind("input", Value::from_node(doc.root()));
//   Value result = program->evaluate(act);      // a bool, an error or an unknown
//
// Semantics follow google/cel-spec langdef.md: errors and unknowns are values; `&&`
// and `||` are commutative and absorb them when the other side decides; unknowns win
// over errors. Attributes marked unknown in the Activation (`--unknown input.a`)
// evaluate to unknown, and so does a document node of kind unknown.
//
// Thread-safety: a Program is immutable after compile; evaluate() may run concurrently
// from many threads, each with its own Activation. Ownership: the result may borrow from
// the Program and from the values bound in the Activation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cel/ast.h"
#include "cel/functions.h"
#include "cel/parser.h"
#include "cel/value.h"
#include "core/result.h"

namespace sekimori::cel {

struct CompileOptions {
  // Variables the caller will bind (e.g. "input", "resource", "now"); dotted names are
  // allowed ("a.b"). Identifiers that are not declared are looked up at run time.
  std::vector<std::string> variables;
  // Functions available to the expression; nullptr means FunctionRegistry::standard().
  const FunctionRegistry* functions = nullptr;
  // A call to a function that does not exist is a compile error ("cel.unknown_function").
  // When false it compiles to a call that evaluates to an error (as CEL does unchecked).
  bool strict_functions = true;
  ParseOptions parse;
};

struct EvalOptions {
  // Units of work (comprehension iterations, elements built, bytes produced by string
  // functions) an evaluation may spend before it stops with an error.
  uint64_t cost_budget = 10'000'000;
};

// Variable bindings for one evaluation.
class Activation {
 public:
  void bind(std::string name, Value value);
  [[nodiscard]] const Value* find(std::string_view name) const;
  // Marks an attribute path as unknown: "input.a.b" (this attribute and everything
  // below it); a segment "*" matches any key or index, e.g. "input.items.*.port".
  void add_unknown(std::string_view path);
  [[nodiscard]] bool has_unknowns() const { return !unknowns_.empty(); }
  // True when `path` (segments) is at or below an unknown pattern.
  [[nodiscard]] bool is_unknown(const std::vector<std::string_view>& path) const;
  // The value of the `now` function/variable for time-dependent rules.
  void set_now(Timestamp now) { now_ = now; }
  [[nodiscard]] Timestamp now() const { return now_; }

 private:
  std::vector<std::pair<std::string, Value>> vars_;
  std::vector<std::vector<std::string>> unknowns_;
  Timestamp now_{};
};

class Program {
 public:
  static core::Result<Program> compile(const Ast& ast, const CompileOptions& options = {});
  static core::Result<Program> compile(std::string_view expression,
                                       const CompileOptions& options = {});

  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  ~Program();

  [[nodiscard]] Value evaluate(const Activation& activation, const EvalOptions& options = {}) const;
  // The same, also giving the element that decided the outcome: the element for which an
  // `exists` macro found its predicate true, or an `all` found it false (the innermost such
  // element on the path that decided; null when no quantifier decided). A rule engine
  // points its finding at it. Slower than evaluate(): use it to explain a result.
  [[nodiscard]] Value evaluate_with_witness(const Activation& activation, Value* witness,
                                            const EvalOptions& options = {}) const;
  [[nodiscard]] const std::string& source() const;
  // Whether the program has an `exists` or `all` that can decide a witness.
  [[nodiscard]] bool has_quantifiers() const;

  struct Impl;

 private:
  explicit Program(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sekimori::cel
