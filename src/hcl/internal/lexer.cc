#include "hcl/internal/lexer.h"

#include "core/utf8.h"

namespace sekimori::hcl::internal {

uint32_t ident_char_len(std::string_view text, size_t i, bool start) {
  if (i >= text.size()) return 0;
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return 1;
    if (!start && ((c >= '0' && c <= '9') || c == '-')) return 1;
    return 0;
  }
  uint32_t cp = 0;
  auto len = static_cast<uint32_t>(core::decode_utf8(text, i, cp));
  if (len == 0) return 0;
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA ? len : 0;
  if (cp == 0xD7 || cp == 0xF7) return 0;
  if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
      (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
      (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0x1680)
    return 0;
  return len;
}

const char* tok_name(Tok t) {
  switch (t) {
    case Tok::kEof: return "end of file";
    case Tok::kNewline: return "newline";
    case Tok::kIdent: return "identifier";
    case Tok::kNumber: return "number";
    case Tok::kOQuote: return "'\"'";
    case Tok::kHeredoc: return "heredoc";
    case Tok::kLBrace: return "'{'";
    case Tok::kRBrace: return "'}'";
    case Tok::kTildeRBrace: return "'~}'";
    case Tok::kLBrack: return "'['";
    case Tok::kRBrack: return "']'";
    case Tok::kLParen: return "'('";
    case Tok::kRParen: return "')'";
    case Tok::kComma: return "','";
    case Tok::kDot: return "'.'";
    case Tok::kEllipsis: return "'...'";
    case Tok::kColon: return "':'";
    case Tok::kDoubleColon: return "'::'";
    case Tok::kQuestion: return "'?'";
    case Tok::kAssign: return "'='";
    case Tok::kFatArrow: return "'=>'";
    case Tok::kPlus: return "'+'";
    case Tok::kMinus: return "'-'";
    case Tok::kStar: return "'*'";
    case Tok::kSlash: return "'/'";
    case Tok::kPercent: return "'%'";
    case Tok::kEq: return "'=='";
    case Tok::kNe: return "'!='";
    case Tok::kLt: return "'<'";
    case Tok::kLe: return "'<='";
    case Tok::kGt: return "'>'";
    case Tok::kGe: return "'>='";
    case Tok::kAnd: return "'&&'";
    case Tok::kOr: return "'||'";
    case Tok::kBang: return "'!'";
    case Tok::kInvalid: return "invalid character";
  }
  return "?";
}

void Lexer::advance(uint32_t n) {
  uint32_t end = off_ + n;
  if (end > text_.size()) end = static_cast<uint32_t>(text_.size());
  for (; off_ < end; ++off_) {
    if (text_[off_] == '\n') {
      ++line_;
      line_start_ = off_ + 1;
    }
  }
}

Token Lexer::make(Tok t, Pos start, uint32_t len) {
  uint32_t s = off_;
  if (t == Tok::kNewline || t == Tok::kHeredoc) {
    advance(len);
  } else {
    off_ += len;  // no line break inside any other token
  }
  Token tok;
  tok.type = t;
  tok.start = start;
  tok.end = pos();
  tok.text = text_.substr(s, off_ - s);
  return tok;
}

void Lexer::skip_space_and_comments() {
  const uint32_t n = static_cast<uint32_t>(text_.size());
  while (off_ < n) {
    char c = text_[off_];
    if (c == ' ' || c == '\t') {
      ++off_;
    } else if (c == '\r' && at(off_ + 1) != '\n') {
      ++off_;  // a lone CR is whitespace
    } else if (c == '#' || (c == '/' && at(off_ + 1) == '/')) {
      Pos start = pos();
      uint32_t s = off_;
      uint32_t e = off_;
      while (e < n && text_[e] != '\n') ++e;
      uint32_t stop = e;
      if (stop > off_ && text_[stop - 1] == '\r') --stop;
      off_ = stop;
      if (comments_)
        comments_->push_back(Comment{c == '#' ? CommentKind::kHash : CommentKind::kSlashes,
                                     text_.substr(s, stop - s), range(start, pos())});
    } else if (c == '/' && at(off_ + 1) == '*') {
      Pos start = pos();
      uint32_t s = off_;
      size_t close = text_.find("*/", off_ + 2);
      uint32_t e = close == std::string_view::npos ? n : static_cast<uint32_t>(close + 2);
      advance(e - off_);
      if (comments_)
        comments_->push_back(
            Comment{CommentKind::kBlock, text_.substr(s, off_ - s), range(start, pos())});
    } else {
      break;
    }
  }
}

Token Lexer::scan() {
  skip_space_and_comments();
  Pos start = pos();
  const uint32_t n = static_cast<uint32_t>(text_.size());
  if (off_ >= n) return make(Tok::kEof, start, 0);
  const char c = text_[off_];
  const char c1 = at(off_ + 1);
  switch (c) {
    case '\n': return make(Tok::kNewline, start, 1);
    case '\r': return make(Tok::kNewline, start, 2);  // CRLF (lone CR was skipped)
    case '"': return make(Tok::kOQuote, start, 1);
    case '{': return make(Tok::kLBrace, start, 1);
    case '}': return make(Tok::kRBrace, start, 1);
    case '~': return c1 == '}' ? make(Tok::kTildeRBrace, start, 2) : make(Tok::kInvalid, start, 1);
    case '[': return make(Tok::kLBrack, start, 1);
    case ']': return make(Tok::kRBrack, start, 1);
    case '(': return make(Tok::kLParen, start, 1);
    case ')': return make(Tok::kRParen, start, 1);
    case ',': return make(Tok::kComma, start, 1);
    case '.':
      if (c1 == '.' && at(off_ + 2) == '.') return make(Tok::kEllipsis, start, 3);
      return make(Tok::kDot, start, 1);
    case ':': return c1 == ':' ? make(Tok::kDoubleColon, start, 2) : make(Tok::kColon, start, 1);
    case '?': return make(Tok::kQuestion, start, 1);
    case '=':
      if (c1 == '=') return make(Tok::kEq, start, 2);
      if (c1 == '>') return make(Tok::kFatArrow, start, 2);
      return make(Tok::kAssign, start, 1);
    case '+': return make(Tok::kPlus, start, 1);
    case '-': return make(Tok::kMinus, start, 1);
    case '*': return make(Tok::kStar, start, 1);
    case '/': return make(Tok::kSlash, start, 1);
    case '%': return make(Tok::kPercent, start, 1);
    case '!': return c1 == '=' ? make(Tok::kNe, start, 2) : make(Tok::kBang, start, 1);
    case '>': return c1 == '=' ? make(Tok::kGe, start, 2) : make(Tok::kGt, start, 1);
    case '&': return c1 == '&' ? make(Tok::kAnd, start, 2) : make(Tok::kInvalid, start, 1);
    case '|': return c1 == '|' ? make(Tok::kOr, start, 2) : make(Tok::kInvalid, start, 1);
    case '<': {
      if (c1 == '=') return make(Tok::kLe, start, 2);
      if (c1 == '<') {
        // Heredoc introducer: "<<" ["-"] identifier line-break.
        uint32_t i = off_ + 2;
        bool flush = false;
        if (at(i) == '-') {
          flush = true;
          ++i;
        }
        uint32_t id = i;
        if (uint32_t first = ident_char_len(text_, i, true)) {
          i += first;
          while (uint32_t k = ident_char_len(text_, i, false)) i += k;
          uint32_t id_end = i;
          if (at(i) == '\r' && at(i + 1) == '\n') ++i;
          if (at(i) == '\n') {
            Token t = make(Tok::kHeredoc, start, i + 1 - off_);
            t.marker = text_.substr(id, id_end - id);
            t.flush = flush;
            return t;
          }
        }
      }
      return make(Tok::kLt, start, 1);
    }
    default: break;
  }
  if (is_digit(c)) {
    uint32_t i = off_;
    while (i < n && is_digit(text_[i])) ++i;
    if (at(i) == '.' && is_digit(at(i + 1))) {
      ++i;
      while (i < n && is_digit(text_[i])) ++i;
    }
    if (at(i) == 'e' || at(i) == 'E') {
      uint32_t j = i + 1;
      if (at(j) == '+' || at(j) == '-') ++j;
      if (is_digit(at(j))) {
        while (j < n && is_digit(text_[j])) ++j;
        i = j;
      }
    }
    return make(Tok::kNumber, start, i - off_);
  }
  if (uint32_t first = ident_char_len(text_, off_, true)) {
    uint32_t i = off_ + first;
    while (uint32_t k = ident_char_len(text_, i, false)) i += k;
    return make(Tok::kIdent, start, i - off_);
  }
  // One UTF-8 sequence (or byte) of something that is not valid here.
  uint32_t len = 1;
  while (off_ + len < n && (static_cast<unsigned char>(text_[off_ + len]) & 0xC0) == 0x80) ++len;
  return make(Tok::kInvalid, start, len);
}

}  // namespace sekimori::hcl::internal
