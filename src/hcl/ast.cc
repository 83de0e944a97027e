#include "hcl/ast.h"

#include "hcl/internal/file_impl.h"

namespace sekimori::hcl {

const char* expr_kind_name(ExprKind k) {
  switch (k) {
    case ExprKind::kLiteral: return "literal";
    case ExprKind::kTemplate: return "template";
    case ExprKind::kTuple: return "tuple";
    case ExprKind::kObject: return "object";
    case ExprKind::kScopeTraversal: return "scope_traversal";
    case ExprKind::kRelativeTraversal: return "relative_traversal";
    case ExprKind::kIndex: return "index";
    case ExprKind::kSplat: return "splat";
    case ExprKind::kSplatItem: return "splat_item";
    case ExprKind::kCall: return "call";
    case ExprKind::kConditional: return "conditional";
    case ExprKind::kBinary: return "binary";
    case ExprKind::kUnary: return "unary";
    case ExprKind::kParens: return "parens";
    case ExprKind::kFor: return "for";
  }
  return "?";
}

const char* binary_op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "||";
    case BinaryOp::kAnd: return "&&";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
  }
  return "?";
}

const Attribute* Body::find_attribute(std::string_view name) const {
  for (const Attribute* a : attributes)
    if (a->name == name) return a;
  return nullptr;
}

File::File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
File::File(File&&) noexcept = default;
File& File::operator=(File&&) noexcept = default;
File::~File() = default;

const std::string& File::path() const { return impl_->path; }
std::string_view File::text() const { return impl_->text; }
Syntax File::syntax() const { return impl_->syntax; }
const Body& File::body() const { return *impl_->body; }
std::span<const Comment> File::comments() const { return impl_->comments; }
const Expr* File::expr() const { return impl_->expr; }
bool File::has_errors() const { return impl_->has_errors; }

std::string_view File::source(const Range& r) const {
  std::string_view t = impl_->text;
  if (r.start.byte > r.end.byte || r.end.byte > t.size()) return {};
  return t.substr(r.start.byte, r.end.byte - r.start.byte);
}

}  // namespace sekimori::hcl
