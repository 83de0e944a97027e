// sekimori::terraform type constraints — parsing `type = ...` expressions and converting
// values to a type with Terraform's rules (input variables, tolist/tomap/toset, ...).
//
//   auto t = terraform::parse_type_expr(*attr->expr);        // object({a=optional(string,"x")})
//   if (!t.ok()) diags.add_error(t.error());                   // located at the bad part
//   auto v = terraform::convert(Value::object({}), *t);         // {a = "x"}
//
// Conversions follow Terraform (cty `convert`): primitives convert to each other where
// the text allows ("1" -> 1, true -> "true"); tuples convert to lists and sets, objects to
// maps, when every element converts to the element type; an object type constraint
// drops attributes it does not declare, fills `optional()` attributes that are absent or
// null with their default (or null), and requires the others. `any` (dynamic) keeps the
// value, except that inside a collection (`list(any)`) the elements are unified to one
// type. Unknown converts to unknown of the target type; null to null of it.
//
// Thread-safety: pure functions. Errors use the code "terraform.type" (bad constraint)
// or "terraform.convert" (value does not conform), with a path in the message
// ("attribute \"tags\": element 0: string required, but have object").
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "hcl/ast.h"
#include "terraform/value.h"

namespace sekimori::terraform {

// Evaluates the default of `optional(T, default)`. When not given, only constant
// expressions are accepted (literals, quoted strings without interpolation, tuples,
// objects, negation), as Terraform requires.
using ConstEval = std::function<core::Result<Value>(const hcl::Expr&)>;

// Parses a type constraint expression: string, number, bool, any, list(T), set(T),
// map(T), tuple([T, ...]), object({name = T, name = optional(T[, default])}). The legacy
// quoted forms "string", "list" and "map" are accepted as string, list(any), map(any).
// `optional` is only allowed directly as an object attribute's type.
[[nodiscard]] core::Result<Type> parse_type_expr(const hcl::Expr& expr, const ConstEval& eval = {});

// Evaluates a constant expression (see ConstEval) without any scope.
[[nodiscard]] core::Result<Value> eval_const(const hcl::Expr& expr);

// Converts `v` to `type` (see the header comment).
[[nodiscard]] core::Result<Value> convert(const Value& v, const Type& type);

// The single type that all `types` convert to, as Terraform unifies the elements of
// `[a, b]` when a list is needed: equal types stay; mixed primitives become string;
// objects with the same attribute names unify attribute-wise; other objects and maps
// unify to map(T); tuples of one length element-wise, otherwise list(T). nullopt when
// there is none. Dynamic types (untyped null/unknown) are ignored.
[[nodiscard]] std::optional<Type> unify(const std::vector<Type>& types);

// Converts a sequence of values to a list (or set), unifying their types first.
[[nodiscard]] core::Result<Value> to_list(const Value& v);
[[nodiscard]] core::Result<Value> to_set(const Value& v);
// Converts an object or map to a map, unifying its values' types.
[[nodiscard]] core::Result<Value> to_map(const Value& v);

}  // namespace sekimori::terraform
