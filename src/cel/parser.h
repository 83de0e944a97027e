// sekimori::cel::parse — CEL source text to an Ast.
//
// Grammar (google/cel-spec langdef.md, plus the optional-syntax extension):
//
//   Expr           = ConditionalOr ["?" ConditionalOr ":" Expr] ;
//   ConditionalOr  = [ConditionalOr "||"] ConditionalAnd ;
//   ConditionalAnd = [ConditionalAnd "&&"] Relation ;
//   Relation       = [Relation Relop] Addition ;
//   Relop          = "<" | "<=" | ">=" | ">" | "==" | "!=" | "in" ;
//   Addition       = [Addition ("+" | "-")] Multiplication ;
//   Multiplication = [Multiplication ("*" | "/" | "%")] Unary ;
//   Unary          = Member | "!" {"!"} Member | "-" {"-"} Member ;
//   Member         = Primary
//                  | Member "." SELECTOR ["(" [ExprList] ")"]
//                  | Member ".?" SELECTOR
//                  | Member "[" ["?"] Expr "]" ;
//   Primary        = ["."] IDENT ["(" [ExprList] ")"]
//                  | ["."] IDENT {"." IDENT} "{" [FieldInits] [","] "}"
//                  | "(" Expr ")"
//                  | "[" [ListElems] [","] "]"
//                  | "{" [MapInits] [","] "}"
//                  | LITERAL ;
//   ExprList       = Expr {"," Expr} ;
//   ListElems      = ["?"] Expr {"," ["?"] Expr} ;
//   FieldInits     = ["?"] SELECTOR ":" Expr {"," ["?"] SELECTOR ":" Expr} ;
//   MapInits       = ["?"] Expr ":" Expr {"," ["?"] Expr ":" Expr} ;
//   SELECTOR       = IDENT | "`" quoted field name "`" ;
//
// Literals: int (decimal, 0x hex), uint (suffix u/U), double, strings and bytes with
// single, double and triple quotes, raw (r/R) prefix and every escape langdef lists,
// true, false, null. Reserved words may not be identifiers. Comments: `//` to end of line.
// Macros expanded here: has(e.f), e.all(x, p), e.exists(x, p), e.exists_one(x, p),
// e.map(x, f), e.map(x, p, f), e.filter(x, p), cel.bind(v, init, e), the
// two-variable forms all(i, v, p), exists(i, v, p), existsOne(i, v, p), and the
// optional macros opt.optMap(x, e), opt.optFlatMap(x, e).
//
//   auto ast = parse("size(input.items) > 0");
//   if (!ast.ok()) print(ast.error().location->column);   // 1-based column in the text
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

#include "cel/ast.h"
#include "core/result.h"

namespace sekimori::cel {

struct ParseOptions {
  size_t max_expression_bytes = 100'000;
  // Nesting of parentheses, calls, selections and literals together.
  int max_depth = 250;
  // Nodes in the tree, counting those created by macro expansion.
  int max_nodes = 100'000;
};

// Errors have code "cel.parse" (or "cel.limit") and a location whose line and column
// are positions within `expression` (file left empty).
core::Result<Ast> parse(std::string_view expression, const ParseOptions& options = {});

}  // namespace sekimori::cel
