// sekimori::cel::Expr — the parsed form of a CEL expression.
//
// Follows the shape of CEL's canonical AST (cel.expr.Expr): constants, identifiers,
// field selection (with the `has()` test-only flag and the optional `?.` flag), calls
// (operators are calls named as in the spec: "_+_", "_&&_", "_?_:_", "_[_]", "!_",
// "-_", "@in", "_[?_]", "_?._"), list and map literals (with optional entries), message
// literals `T{f: v}` (parsed, rejected by the compiler: no protobuf here), and
// comprehensions, into which the parser expands the macros has/all/exists/exists_one/
// map/filter/cel.bind.
//
//   auto ast = parse("input.a.exists(x, x > 2)");
//   const Expr& root = ast->root();   // kComprehension
//
// Ownership: an Ast owns its whole tree. Thread-safety: immutable after parsing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cel/value.h"

namespace sekimori::cel {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind : uint8_t {
  kConst,
  kIdent,
  kSelect,
  kCall,
  kList,
  kMap,
  kStruct,
  kComprehension,
};

struct MapEntry {
  ExprPtr key;        // kMap: the key expression
  std::string field;  // kStruct: the field name
  ExprPtr value;
  bool optional = false;  // `?key: value`
  uint32_t offset = 0;
};

struct Comprehension {
  std::string iter_var;
  std::string iter_var2;  // two-variable comprehensions; empty otherwise
  std::string accu_var;
  ExprPtr iter_range;
  ExprPtr accu_init;
  ExprPtr loop_condition;
  ExprPtr loop_step;
  ExprPtr result;
};

struct Expr {
  int64_t id = 0;       // unique within the Ast, > 0
  uint32_t offset = 0;  // byte offset in the expression text where this node starts
  ExprKind kind = ExprKind::kConst;

  Value constant;  // kConst (strings and bytes are owned by the Value)

  // kIdent: the name; kSelect: the field; kCall: the function; kStruct: the type name.
  std::string name;

  // kSelect: the operand; kCall: the receiver (null for global calls).
  ExprPtr target;
  bool test_only = false;  // kSelect from has()

  // kCall: arguments; kList: elements.
  std::vector<ExprPtr> args;
  std::vector<uint32_t> optional_indices;  // kList: indices of `?elem` elements

  std::vector<MapEntry> entries;  // kMap, kStruct

  std::unique_ptr<Comprehension> comprehension;  // kComprehension
};

class Ast {
 public:
  Ast(std::string source, ExprPtr root) : source_(std::move(source)), root_(std::move(root)) {}
  [[nodiscard]] const std::string& source() const { return source_; }
  [[nodiscard]] const Expr& root() const { return *root_; }

 private:
  std::string source_;
  ExprPtr root_;
};

}  // namespace sekimori::cel
