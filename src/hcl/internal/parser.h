// Private: the recursive-descent parser of the HCL native syntax, shared by the public
// entry points (parse_native, parse_expression, parse_template) and by the JSON syntax
// (which parses its strings as templates).
#pragma once

#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "hcl/ast.h"
#include "hcl/internal/file_impl.h"
#include "hcl/internal/lexer.h"

namespace sekimori::hcl::internal {

// Thrown to unwind a failed item after its diagnostic was recorded; caught at the body
// item (error recovery) or at the entry point.
struct SyntaxError {};
// Thrown when a Limit is exceeded; caught at the entry point and returned as an Error.
struct LimitError {
  core::Error error;
};

class Parser {
 public:
  // Parses `text` (a view into impl's storage or a JSON string's content) whose first
  // byte is at `base` in the file, recording problems in diags.
  Parser(File::Impl& impl, std::string_view text, Pos base, const Limits& limits, core::Diagnostics& diags,
         std::vector<Comment>* comments, uint64_t* node_count);

  const Body* parse_file_body();
  const Expr* parse_standalone_expression();
  const Expr* parse_standalone_template();

 private:
  // Tokens with one token of lookahead; newlines are dropped while the innermost context
  // ignores them (inside (), [], ${}, for expressions).
  const Token& peek();
  Token next();
  [[nodiscard]] bool newlines() const { return nl_; }
  struct NewlineScope {
    NewlineScope(Parser& p, bool include) : p_(p), saved_(p.nl_) { p_.nl_ = include; }
    ~NewlineScope() { p_.nl_ = saved_; }
    Parser& p_;
    bool saved_;
  };
  struct DepthScope {
    explicit DepthScope(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.limits_.max_depth) p_.depth_exceeded();
    }
    ~DepthScope() { --p_.depth_; }
    Parser& p_;
  };
  [[noreturn]] void depth_exceeded();

  [[noreturn]] void fail(Pos at, Pos end, const std::string& message);
  [[noreturn]] void fail(const Token& t, const std::string& message) { fail(t.start, t.end, message); }
  void error(Pos at, Pos end, const std::string& message);
  Token expect(Tok t, const char* what);
  void count_node();
  template <typename T>
  T* node(Pos start, Pos end) {
    count_node();
    T* n = impl_.make<T>();
    n->kind = T::kKind;
    n->range = lx_.range(start, end);
    return n;
  }

  // Bodies.
  const Body* parse_body(bool braced, Pos open);
  const Body* finish_body(std::vector<BodyItem>& items, Range range);
  void parse_body_item(std::vector<BodyItem>& items, bool one_line);
  void recover_body_item();
  Label parse_label();

  // Expressions.
  const Expr* parse_expr();
  const Expr* parse_binary(int level);
  const Expr* parse_term_with_traversals();
  const Expr* parse_term();
  const Expr* parse_traversals(const Expr* from, bool attr_only);
  const Expr* parse_call(const Token& name);
  const Expr* parse_tuple(const Token& open);
  const Expr* parse_object(const Token& open);
  const Expr* parse_for(const Token& open, bool object);
  const LiteralExpr* make_number(const Token& t);
  const LiteralExpr* make_string_literal(std::string_view value, Range r);

  // Templates.
  struct TTok;
  enum class TemplateEnd : uint8_t { kQuote, kHeredoc, kEof };
  const TemplateExpr* parse_template_expr(Pos start, TemplateEnd end, std::string_view marker, bool flush);
  void scan_template_parts(TemplateEnd end, std::string_view marker, std::vector<TTok>& out, Pos& end_pos);
  void parse_template_sequence(std::vector<TTok>& out, bool& ltrim_next);
  std::span<const TemplatePart> build_template(std::vector<TTok>& toks, size_t& i, int stop, Pos& stop_at);
  bool at_heredoc_end(std::string_view marker, uint32_t& end_off) const;

  File::Impl& impl_;
  Lexer lx_;
  const Limits& limits_;
  core::Diagnostics& diags_;
  uint64_t* nodes_;
  bool have_peek_ = false;
  Token peek_;
  bool nl_ = true;  // newlines are tokens in the innermost context
  static constexpr int kMaxErrors = 100;
  int errors_ = 0;
  bool stopped_ = false;  // too many errors: peek() returns end of file
  uint32_t depth_ = 0;
  Pos base_;
};

// Decodes the content of a quoted string literal run (escapes, $${ and %%{).
// Returns false with a message and the byte offset of the bad escape on failure.
bool decode_quoted(std::string_view raw, std::string& out, std::string& message, size_t& bad);

}  // namespace sekimori::hcl::internal
