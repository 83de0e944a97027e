// sekimori::hcl — the parsed form of HCL2 files (native syntax and JSON syntax).
//
// The tree follows HashiCorp's hclsyntax specification (hashicorp/hcl hclsyntax/spec.md):
// a File has a Body of Attributes and Blocks in source order; attribute values are
// Expressions of the kinds listed in ExprKind. Every node carries its exact source Range
// (1-based line and column, columns in UTF-8 bytes as hcl counts them, 0-based byte
// offsets), so File::source(range) gives back the text a node was parsed from.
//
//   core::Diagnostics diags;
//   auto file = hcl::parse_native("main.tf", text, hcl::Limits{}, diags);
//   if (!file.ok()) { diags.add_error(file.error()); return; }   // a limit was hit
//   for (const hcl::Block* b : file->body().blocks)
//     if (b->type == "resource") use(b->labels[0].value, b->labels[1].value, *b->body);
//   const hcl::Attribute* a = file->body().find_attribute("region");
//   if (a && a->expr->kind == hcl::ExprKind::kTemplate) ...
//
// Syntax errors are collected in `diags` ("hcl.syntax", located file:line:column) and
// parsing goes on: the attribute or block that failed is left out, the rest of the file
// is kept (File::has_errors() tells; after 100 errors the rest of the file is skipped).
// Only exceeding a Limit fails the whole parse. Syntax and limits: docs/formats/hcl.md.
//
// Ownership: a File owns every node, string and comment of its tree (one arena); node
// pointers, spans and string_views stay valid while the File lives, also after the File
// is moved. Nodes are trivially destructible plain structs. Thread-safety: a parsed File
// is immutable and may be read from many threads at once; parsing is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "core/location.h"
#include "core/result.h"

namespace sekimori::hcl {

// A point in the source: 1-based line and column (bytes), 0-based byte offset.
struct Pos {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t byte = 0;
  friend bool operator==(const Pos&, const Pos&) = default;
};

// A half-open span of source text [start, end). `file` points at the owning File's path.
struct Range {
  const std::string* file = nullptr;
  Pos start;
  Pos end;
  [[nodiscard]] core::Location location() const {  // the start, as a core::Location
    return core::Location{file ? *file : std::string(), start.line, start.column, start.byte};
  }
  friend bool operator==(const Range& a, const Range& b) { return a.start == b.start && a.end == b.end; }
};

// ---------------------------------------------------------------------------------------
// Expressions

enum class ExprKind : uint8_t {
  kLiteral,            // LiteralExpr: null, bool, number, string
  kTemplate,           // TemplateExpr: quoted string or heredoc
  kTuple,              // TupleExpr: [a, b]
  kObject,             // ObjectExpr: {k = v, k2: v2}
  kScopeTraversal,     // ScopeTraversalExpr: var.a.b[0]["k"]
  kRelativeTraversal,  // RelativeTraversalExpr: (expr).a[0] — attribute/literal-index steps
  kIndex,              // IndexExpr: expr[key] with a non-literal key
  kSplat,              // SplatExpr: expr[*].a / expr.*.a
  kSplatItem,          // SplatItemExpr: the element placeholder inside SplatExpr::each
  kCall,               // CallExpr: f(a, b...)
  kConditional,        // ConditionalExpr: c ? a : b
  kBinary,             // BinaryExpr
  kUnary,              // UnaryExpr: !a, -a
  kParens,             // ParensExpr: (a)
  kFor,                // ForExpr: [for ...] / {for ...}
};

[[nodiscard]] const char* expr_kind_name(ExprKind k);  // "literal", "template", ...

struct Expr {
  ExprKind kind;
  Range range;

  // Downcast: `e.as<CallExpr>()`; the kind must match (programmer error otherwise).
  template <typename T>
  [[nodiscard]] const T& as() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  [[nodiscard]] const T* if_kind() const {
    return kind == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
};

enum class LiteralKind : uint8_t { kNull, kBool, kNumber, kString };

struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralKind literal = LiteralKind::kNull;
  bool bool_value = false;
  // kNumber: the number as written ("1e3", "0.50"); kString: the decoded string (only
  // produced for JSON-syntax keys/values that are not templates and for literal index
  // keys such as a["k"]).
  std::string_view text;
  double number = 0;        // kNumber
  int64_t integer = 0;      // kNumber, when is_integer
  bool is_integer = false;  // kNumber: integral and within int64
};

enum class TemplatePartKind : uint8_t {
  kLiteral,        // text: decoded, with strip markers of neighbours applied
  kInterpolation,  // ${ expr }
  kIf,             // %{ if cond } then %{ else } else %{ endif }
  kFor,            // %{ for key, value in collection } body %{ endfor }
};

struct TemplatePart {
  TemplatePartKind kind = TemplatePartKind::kLiteral;
  Range range;  // the whole part, e.g. "${ x }" or "%{if c}...%{endif}"
  // Strip markers written on this part: "${~" / "%{~" (strip_left) and "~}" (strip_right).
  // They were already applied to the neighbouring literal parts.
  bool strip_left = false;
  bool strip_right = false;
  std::string_view text;        // kLiteral
  const Expr* expr = nullptr;   // kInterpolation: the value; kIf: the condition;
                                // kFor: the collection
  std::span<const TemplatePart> then_parts;  // kIf: the "then" template; kFor: the body
  std::span<const TemplatePart> else_parts;  // kIf: after %{else} (empty if none)
  bool has_else = false;                     // kIf
  std::string_view key_var;    // kFor: empty when only one variable is named
  std::string_view value_var;  // kFor
};

struct TemplateExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kTemplate;
  std::span<const TemplatePart> parts;
  bool heredoc = false;
  bool heredoc_flush = false;  // <<- : common leading indentation was removed
  std::string_view heredoc_marker;  // "EOT"
  // True when the template is exactly one interpolation and nothing else ("${x}"):
  // hcl then yields x's value unchanged (of any type) instead of a string.
  [[nodiscard]] bool is_wrap() const {
    return parts.size() == 1 && parts[0].kind == TemplatePartKind::kInterpolation;
  }
  // True when there are no interpolations or directives; literal_value() is the string.
  [[nodiscard]] bool is_literal() const {
    return parts.empty() || (parts.size() == 1 && parts[0].kind == TemplatePartKind::kLiteral);
  }
  [[nodiscard]] std::string_view literal_value() const {
    return parts.empty() ? std::string_view() : parts[0].text;
  }
};

struct TupleExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kTuple;
  std::span<const Expr* const> items;
};

struct ObjectItem {
  // A bare identifier key (`name = 1`) is parsed as a ScopeTraversalExpr with no steps
  // and bare_key = true: it means the string "name", not the variable. Any other key
  // (quoted string, parenthesised expression, ...) is an expression to evaluate.
  const Expr* key = nullptr;
  const Expr* value = nullptr;
  bool bare_key = false;
  bool colon = false;  // written `k: v` instead of `k = v`
};

struct ObjectExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kObject;
  std::span<const ObjectItem> items;
};

enum class StepKind : uint8_t { kAttr, kIndex };

struct TraversalStep {
  StepKind kind = StepKind::kAttr;
  Range range;
  std::string_view name;          // kAttr
  const LiteralExpr* key = nullptr;  // kIndex: a number or string literal
  bool legacy_index = false;      // kIndex written as `.0` (legacy attribute-index)
};

struct ScopeTraversalExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kScopeTraversal;
  std::string_view root;  // "var", "local", "aws_s3_bucket", ...
  Range root_range;
  std::span<const TraversalStep> steps;
};

struct RelativeTraversalExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kRelativeTraversal;
  const Expr* source = nullptr;
  std::span<const TraversalStep> steps;
};

struct IndexExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIndex;
  const Expr* collection = nullptr;
  const Expr* key = nullptr;
  Range brackets;  // "[ key ]"
};

struct SplatExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSplat;
  const Expr* source = nullptr;
  // What is applied to each element: a chain of RelativeTraversal/Index exprs rooted at
  // a SplatItemExpr (the element), or the SplatItemExpr itself when nothing follows.
  const Expr* each = nullptr;
  bool legacy = false;  // `.*` rather than `[*]`
  Range marker;         // "[*]" or ".*"
};

struct SplatItemExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSplatItem;
  const SplatExpr* splat = nullptr;  // the SplatExpr this item belongs to
};

struct CallExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCall;
  std::string_view name;  // "lookup", or namespaced "provider::aws::arn_parse"
  Range name_range;
  std::span<const Expr* const> args;
  bool expand_final = false;  // the last argument was followed by `...`
  Range open_paren;
  Range close_paren;
};

struct ConditionalExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kConditional;
  const Expr* condition = nullptr;
  const Expr* true_result = nullptr;
  const Expr* false_result = nullptr;
};

// Precedence (spec), highest first: unary ! -; * / %; + -; > >= < <=; == !=; &&; ||.
enum class BinaryOp : uint8_t { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod };
[[nodiscard]] const char* binary_op_text(BinaryOp op);  // "||", "&&", "==", ...

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryOp op = BinaryOp::kAdd;
  const Expr* lhs = nullptr;
  const Expr* rhs = nullptr;
  Range op_range;
};

enum class UnaryOp : uint8_t { kNot, kNegate };

struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryOp op = UnaryOp::kNot;
  const Expr* operand = nullptr;
};

struct ParensExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kParens;
  const Expr* inner = nullptr;
};

struct ForExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFor;
  bool object = false;          // {for ...} (else [for ...])
  std::string_view key_var;     // empty when only one variable is named
  std::string_view value_var;
  const Expr* collection = nullptr;
  const Expr* key = nullptr;    // object only: the key expression (before =>)
  const Expr* value = nullptr;
  const Expr* condition = nullptr;  // `if cond`, or null
  bool grouping = false;        // object only: `...` after the value
};

// ---------------------------------------------------------------------------------------
// Bodies

struct Body;
struct Block;

struct Attribute {
  std::string_view name;
  Range name_range;
  const Expr* expr = nullptr;
  Range range;  // name through the end of the expression
  // JSON syntax only: when the value is an object, or an array of objects, it may also be
  // read as nested block(s) of type `name` (JSON cannot tell the two apart); those
  // blocks are already built here. Empty for native syntax.
  std::span<const Block* const> json_blocks;
};

struct Label {
  std::string_view value;  // decoded (quotes and escapes removed)
  Range range;             // including quotes
  bool quoted = true;      // false for a bare identifier label
};

struct Block {
  std::string_view type;
  Range type_range;
  std::span<const Label> labels;
  const Body* body = nullptr;
  Range open_brace;
  Range close_brace;
  Range range;  // type through closing brace
};

// One item of a body in source order: exactly one of the two is set.
struct BodyItem {
  const Attribute* attribute = nullptr;
  const Block* block = nullptr;
};

struct Body {
  std::span<const BodyItem> items;            // all, in source order
  std::span<const Attribute* const> attributes;  // in source order
  std::span<const Block* const> blocks;          // in source order
  Range range;  // between the braces (the whole file for the top-level body)

  [[nodiscard]] const Attribute* find_attribute(std::string_view name) const;
};

enum class CommentKind : uint8_t { kHash, kSlashes, kBlock };  // "# x", "// x", "/* x */"

struct Comment {
  CommentKind kind = CommentKind::kHash;
  std::string_view text;  // as written, markers included, without the line break
  Range range;
};

// ---------------------------------------------------------------------------------------
// Files and parsing

// Limits for untrusted input. Exceeding one fails the parse with a located error whose
// code is "hcl.limit.bytes", "hcl.limit.depth", "hcl.limit.nodes" or "hcl.limit.template".
struct Limits {
  uint64_t max_bytes = uint64_t{64} << 20;   // input text
  uint32_t max_depth = 200;                  // nesting of blocks, brackets and templates
  uint64_t max_nodes = 10'000'000;           // expressions + template parts + body items
  uint64_t max_template = uint64_t{16} << 20;  // bytes of one template or heredoc
};

enum class Syntax : uint8_t { kNative, kJson };

class File {
 public:
  File(File&&) noexcept;
  File& operator=(File&&) noexcept;
  ~File();

  [[nodiscard]] const std::string& path() const;
  [[nodiscard]] std::string_view text() const;  // the whole input
  [[nodiscard]] Syntax syntax() const;
  [[nodiscard]] const Body& body() const;
  // Every comment of the file in source order (native syntax only).
  [[nodiscard]] std::span<const Comment> comments() const;
  // parse_expression / parse_template: the root expression; nullptr for whole files
  // and when the expression or template had a syntax error.
  [[nodiscard]] const Expr* expr() const;
  // Syntax errors were reported while parsing (some items may be missing).
  [[nodiscard]] bool has_errors() const;

  // The source text of a range (empty when out of bounds).
  [[nodiscard]] std::string_view source(const Range& r) const;
  [[nodiscard]] core::Location location(const Range& r) const { return r.location(); }

  struct Impl;  // parser internals

 private:
  friend struct FileAccess;
  explicit File(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A native-syntax file (.tf, .tfvars, .hcl). Syntax errors go to `diags` ("hcl.syntax")
// and the bad attribute/block is left out; a Limit exceeded returns an Error.
[[nodiscard]] core::Result<File> parse_native(std::string path, std::string text,
                                              const Limits& limits, core::Diagnostics& diags);

// A JSON-syntax file (.tf.json, .tfvars.json), mapped to the same tree (see
// docs/formats/hcl.md): top-level keys become blocks with Terraform's number of labels
// (resource/data 2; module/variable/output/provider 1; locals/terraform 0; others 0),
// JSON strings become templates parsed from their content, numbers/bools/null literals,
// arrays tuples, objects objects. `tfvars` = true reads the top level as attributes.
[[nodiscard]] core::Result<File> parse_json(std::string path, std::string text,
                                            const Limits& limits, core::Diagnostics& diags,
                                            bool tfvars = false);

// Picks parse_json for paths ending in ".json", parse_native otherwise.
[[nodiscard]] core::Result<File> parse_file(std::string path, std::string text,
                                            const Limits& limits, core::Diagnostics& diags);

// A standalone expression ("var.a + 1"); File::expr() is its root. Trailing text after
// the expression is a syntax error.
[[nodiscard]] core::Result<File> parse_expression(std::string path, std::string text,
                                                  const Limits& limits, core::Diagnostics& diags);

// A standalone template, as read by Terraform's templatefile(): the whole text is
// template content (no surrounding quotes); File::expr() is a TemplateExpr.
[[nodiscard]] core::Result<File> parse_template(std::string path, std::string text,
                                                const Limits& limits, core::Diagnostics& diags);

}  // namespace sekimori::hcl
