// Private: the tokenizer of the HCL native syntax (hclsyntax spec, "Lexical Elements").
//
// Tokens are scanned on demand from the current position, so the parser can switch to
// scanning template text character by character (quoted strings, heredocs) and back to
// tokens inside `${ }` and `%{ }` without a separate scanner mode. Comments are recorded
// as they are passed; a `#` or `//` comment ends before its line break, which is then a
// newline token of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hcl/ast.h"

namespace sekimori::hcl::internal {

enum class Tok : uint8_t {
  kEof,
  kNewline,
  kIdent,
  kNumber,
  kOQuote,   // "
  kHeredoc,  // <<EOT or <<-EOT, through the line break after the marker
  kLBrace,
  kRBrace,
  kTildeRBrace,  // ~}
  kLBrack,
  kRBrack,
  kLParen,
  kRParen,
  kComma,
  kDot,
  kEllipsis,
  kColon,
  kDoubleColon,
  kQuestion,
  kAssign,    // =
  kFatArrow,  // =>
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kBang,
  kInvalid,
};

[[nodiscard]] const char* tok_name(Tok t);

struct Token {
  Tok type = Tok::kEof;
  Pos start;
  Pos end;
  std::string_view text;
  // kHeredoc only.
  std::string_view marker;
  bool flush = false;
};

class Lexer {
 public:
  // `base` is the position of text[0] in the file (text may be a part of it).
  Lexer(std::string_view text, const std::string* file, std::vector<Comment>* comments, Pos base = {1, 1, 0})
      : text_(text), file_(file), comments_(comments), base_(base) {}

  // Scans the next token (newlines included) from the current position.
  Token scan();
  void scan(Token& out) { out = scan(); }

  // Character-level access for template scanning.
  [[nodiscard]] uint32_t offset() const { return off_; }
  [[nodiscard]] bool at_end() const { return off_ >= text_.size(); }
  [[nodiscard]] char at(uint32_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  [[nodiscard]] char cur() const { return at(off_); }
  [[nodiscard]] Pos pos() const {
    return Pos{base_.line + line_ - 1, (line_ == 1 ? base_.column - 1 : 0) + off_ - line_start_ + 1,
               base_.byte + off_};
  }
  // Advances n bytes, keeping line and column right across line breaks.
  void advance(uint32_t n);
  [[nodiscard]] std::string_view text() const { return text_; }
  [[nodiscard]] const std::string* file() const { return file_; }
  [[nodiscard]] Range range(Pos a, Pos b) const { return Range{file_, a, b}; }

 private:
  void skip_space_and_comments();
  Token make(Tok t, Pos start, uint32_t len);

  std::string_view text_;
  const std::string* file_;
  std::vector<Comment>* comments_;
  Pos base_;
  uint32_t off_ = 0;
  uint32_t line_ = 1;
  uint32_t line_start_ = 0;
};

[[nodiscard]] inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes of one identifier character at text[i] (0 when there is none): ASCII letters and
// `_`, plus (not at the start) digits and `-`; beyond ASCII, a well-formed UTF-8
// sequence for a code point that is not punctuation, a symbol, a space, an emoji or a
// special (an approximation of Unicode's ID_Start/ID_Continue, which hcl uses).
[[nodiscard]] uint32_t ident_char_len(std::string_view text, size_t i, bool start);

}  // namespace sekimori::hcl::internal
