// sekimori::detect condition — the Sigma detection condition language.
//
// Grammar (keywords are case-insensitive; identifiers are selection names, and in
// `of` expressions name patterns with `*` wildcards):
//
//   expr     := and_expr ( "or" and_expr )*
//   and_expr := unary ( "and" unary )*
//   unary    := "not" unary | primary
//   primary  := "(" expr ")" | quant "of" ( PATTERN | "them" ) | IDENT
//   quant    := "1" | "any" | "all"
//
// The pipe aggregations of Sigma 1 (`selection | count() > 5`) are obsolete (replaced by
// correlation rules) and are rejected with `sigma.condition.aggregation`.
//
//   auto c = detect::parse_condition("sel and not 1 of filter_*");
//   if (c.ok()) c->kind;  // CondKind::kAnd
//
// Errors carry the 1-based column of the offending token in Error::location.
// Thread-safety: pure function. Ownership: the returned tree owns its children.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sekimori::detect {

enum class CondKind : uint8_t { kRef, kAnd, kOr, kNot, kOneOf, kAllOf };

struct CondNode {
  CondKind kind = CondKind::kRef;
  std::string name;  // kRef: the identifier; kOneOf/kAllOf: the pattern or "them"
  uint32_t column = 0;  // 1-based column of the node's first token
  std::vector<CondNode> children;
};

struct ConditionLimits {
  size_t max_length = 16 * 1024;  // bytes of condition text
  uint32_t max_depth = 64;        // nesting of parentheses and `not`
};

core::Result<CondNode> parse_condition(std::string_view text, const ConditionLimits& limits = {});

// True when `name` matches `pattern`, where `*` matches any run of characters.
bool name_matches(std::string_view pattern, std::string_view name);

}  // namespace sekimori::detect
