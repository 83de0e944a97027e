// The CEL parser: a hand-written lexer and recursive-descent parser for the grammar in
// parser.h, with macro expansion as cel-spec and cel-go define it.
//
// Choices worth knowing:
// - Errors are thrown as ParseFailure inside this file and turned into a Result at
//   parse()'s edge; nothing escapes.
// - Expr ids are assigned in creation order, starting at 1. An operator's call node is
//   created when its operator token is read, so ids mostly follow the source.
// - Offsets: literals, identifiers, lists, maps, global calls and message literals point at
//   their first token; operators, selections (`.`), indexing (`[`) and member calls (`.`)
//   point at the operator token, as cel-go does. Macro expansions take the offset of the
//   call they replace.
// - Depth is bounded twice: the recursion of the parser (parentheses, arguments,
//   literals), and the height of the tree built (so that `a.b.c...`, `!!!!...x` and long
//   operator chains, parsed iteratively, cannot build a tree that would later exhaust the
//   stack of whatever walks or frees it).
// - A leading `-` is folded into an int or double literal it directly precedes, so that
//   `-9223372036854775808` is INT64_MIN (as the literal grammar `-? DIGIT+` says).
// - Besides the macros parser.h lists, optMap/optFlatMap (cel-go's optional library) are
//   expanded: the conformance tests use them and they cannot be ordinary functions.
// - Reserved words other than true/false/null/in lex as identifiers and are rejected only
//   where an identifier would name a variable or a global function; after a `.` and as
//   message field names they are ordinary names (as cel-go and the conformance tests do).
#include "cel/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <deque>
#include <limits>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "core/location.h"
#include "core/utf8.h"

namespace sekimori::cel {
namespace {

constexpr std::string_view kAccumulator = "@result";

// Thrown inside this file only; parse() turns it into a core::Error.
struct ParseFailure {
  const char* code;
  std::string message;
  size_t offset;
};

[[noreturn]] void fail(size_t offset, std::string message) {
  throw ParseFailure{"cel.parse", std::move(message), offset};
}

[[noreturn]] void fail_limit(size_t offset, std::string message) {
  throw ParseFailure{"cel.limit", std::move(message), offset};
}

// ---------------------------------------------------------------------------------------
// Characters and UTF-8.

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// ---------------------------------------------------------------------------------------
// Lexer.

enum class Tok : uint8_t {
  kEof,
  kIdent,        // also reserved words other than the four below (see `reserved`)
  kQuotedIdent,  // `a-b`
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kDot,
  kDotQuestion,  // `.?`
  kQuestion,
  kColon,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
};

struct Token {
  Tok kind = Tok::kEof;
  bool reserved = false;  // kIdent spelled as a reserved word
  bool overflow = false;  // kInt/kUint: more than 64 bits
  uint32_t offset = 0;
  uint32_t end = 0;
  uint64_t magnitude = 0;  // kInt/kUint
  double dbl = 0;          // kDouble
  std::string text;        // kIdent/kQuotedIdent: the name; kString/kBytes: the value
};

bool is_reserved_word(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "as",  "break",  "const", "continue", "else",    "for",       "function",
      "if",  "import", "let",   "loop",     "package", "namespace", "return",
      "var", "void",   "while"};
  for (std::string_view r : kWords) {
    if (w == r) return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    skip_space_and_comments();
    Token t;
    t.offset = static_cast<uint32_t>(pos_);
    if (pos_ >= text_.size()) {
      t.end = t.offset;
      return t;
    }
    const size_t start = pos_;
    const char c = text_[pos_];
    if (is_ident_start(c)) {
      while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
      std::string_view word = text_.substr(start, pos_ - start);
      if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
        bool raw = false;
        bool bytes = false;
        if (string_prefix(word, raw, bytes)) return lex_string(start, raw, bytes);
      }
      if (word == "true") {
        t.kind = Tok::kTrue;
      } else if (word == "false") {
        t.kind = Tok::kFalse;
      } else if (word == "null") {
        t.kind = Tok::kNull;
      } else if (word == "in") {
        t.kind = Tok::kIn;
      } else {
        t.kind = Tok::kIdent;
        t.reserved = is_reserved_word(word);
        t.text = std::string(word);
      }
      return finish(t);
    }
    if (is_digit(c) || (c == '.' && is_digit(peek_char(1)))) {
      return lex_number();
    }
    if (c == '"' || c == '\'') return lex_string(start, false, false);
    if (c == '`') return lex_quoted_ident();

    ++pos_;
    const char n = pos_ < text_.size() ? text_[pos_] : '\0';
    switch (c) {
      case '(': t.kind = Tok::kLParen; break;
      case ')': t.kind = Tok::kRParen; break;
      case '[': t.kind = Tok::kLBracket; break;
      case ']': t.kind = Tok::kRBracket; break;
      case '{': t.kind = Tok::kLBrace; break;
      case '}': t.kind = Tok::kRBrace; break;
      case ',': t.kind = Tok::kComma; break;
      case ':': t.kind = Tok::kColon; break;
      case '?': t.kind = Tok::kQuestion; break;
      case '+': t.kind = Tok::kPlus; break;
      case '-': t.kind = Tok::kMinus; break;
      case '*': t.kind = Tok::kStar; break;
      case '/': t.kind = Tok::kSlash; break;
      case '%': t.kind = Tok::kPercent; break;
      case '.':
        t.kind = Tok::kDot;
        if (n == '?') t.kind = Tok::kDotQuestion, ++pos_;
        break;
      case '!':
        t.kind = Tok::kNot;
        if (n == '=') t.kind = Tok::kNe, ++pos_;
        break;
      case '<':
        t.kind = Tok::kLt;
        if (n == '=') t.kind = Tok::kLe, ++pos_;
        break;
      case '>':
        t.kind = Tok::kGt;
        if (n == '=') t.kind = Tok::kGe, ++pos_;
        break;
      case '=':
        if (n != '=') fail(start, "unexpected '=', did you mean '=='?");
        t.kind = Tok::kEq, ++pos_;
        break;
      case '&':
        if (n != '&') fail(start, "unexpected '&', did you mean '&&'?");
        t.kind = Tok::kAnd, ++pos_;
        break;
      case '|':
        if (n != '|') fail(start, "unexpected '|', did you mean '||'?");
        t.kind = Tok::kOr, ++pos_;
        break;
      default:
        fail(start, describe_char(c));
    }
    return finish(t);
  }

 private:
  char peek_char(size_t k) const {
    return pos_ + k < text_.size() ? text_[pos_ + k] : '\0';
  }

  Token finish(Token& t) const {
    t.end = static_cast<uint32_t>(pos_);
    return std::move(t);
  }

  static std::string describe_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7F) return std::string("unexpected character '") + c + "'";
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string s = "unexpected character 0x";
    s += kHex[u >> 4];
    s += kHex[u & 0xF];
    return s;
  }

  // `r`, `b`, `rb`, `br` in either case.
  static bool string_prefix(std::string_view w, bool& raw, bool& bytes) {
    if (w.empty() || w.size() > 2) return false;
    for (char c : w) {
      if (c == 'r' || c == 'R') {
        if (raw) return false;
        raw = true;
      } else if (c == 'b' || c == 'B') {
        if (bytes) return false;
        bytes = true;
      } else {
        return false;
      }
    }
    return true;
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '/' && peek_char(1) == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      } else {
        break;
      }
    }
  }

  Token lex_number() {
    Token t;
    const size_t start = pos_;
    t.offset = static_cast<uint32_t>(start);
    if (text_[pos_] == '0' && peek_char(1) == 'x' && is_hex(peek_char(2))) {
      pos_ += 2;
      while (pos_ < text_.size() && is_hex(text_[pos_])) {
        accumulate(t, 16, hex_value(text_[pos_]));
        ++pos_;
      }
      return finish_integer(t);
    }
    bool is_double = false;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      accumulate(t, 10, text_[pos_] - '0');
      ++pos_;
    }
    if (peek_char(0) == '.' && is_digit(peek_char(1))) {
      is_double = true;
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    bool negative_exponent = false;
    if (peek_char(0) == 'e' || peek_char(0) == 'E') {
      size_t p = 1;
      if (peek_char(1) == '+' || peek_char(1) == '-') {
        negative_exponent = peek_char(1) == '-';
        p = 2;
      }
      if (is_digit(peek_char(p))) {
        is_double = true;
        pos_ += p;
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      }
    }
    if (!is_double) return finish_integer(t);
    t.kind = Tok::kDouble;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    auto [ptr, ec] = std::from_chars(first, last, t.dbl);
    if (ec == std::errc::result_out_of_range) {
      // Too small to represent rounds to zero; too large is an error, as in cel-go.
      if (!negative_exponent) fail(start, "double literal out of range");
      t.dbl = 0;
    } else if (ec != std::errc() || ptr != last) {
      fail(start, "invalid double literal");
    }
    return finish(t);
  }

  static void accumulate(Token& t, uint64_t base, int digit) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const auto d = static_cast<uint64_t>(digit);
    if (t.magnitude > (kMax - d) / base) {
      t.overflow = true;
    } else {
      t.magnitude = t.magnitude * base + d;
    }
  }

  Token finish_integer(Token& t) {
    t.kind = Tok::kInt;
    if (peek_char(0) == 'u' || peek_char(0) == 'U') {
      t.kind = Tok::kUint;
      ++pos_;
    }
    return finish(t);
  }

  Token lex_quoted_ident() {
    Token t;
    const size_t start = pos_;
    t.offset = static_cast<uint32_t>(start);
    t.kind = Tok::kQuotedIdent;
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) fail(start, "unterminated quoted field name");
      const char c = text_[pos_];
      if (c == '`') break;
      if (!(is_ident_char(c) || c == '.' || c == '-' || c == '/' || c == ' ')) {
        fail(pos_, "invalid character in quoted field name (allowed: letters, digits, "
                   "'_', '.', '-', '/' and space)");
      }
      t.text += c;
      ++pos_;
    }
    if (t.text.empty()) fail(start, "empty quoted field name");
    ++pos_;
    return finish(t);
  }

  // pos_ is at the opening quote; `start` is where the literal (with prefix) begins.
  Token lex_string(size_t start, bool raw, bool bytes) {
    Token t;
    t.offset = static_cast<uint32_t>(start);
    t.kind = bytes ? Tok::kBytes : Tok::kString;
    const char q = text_[pos_];
    const bool triple = peek_char(1) == q && peek_char(2) == q;
    pos_ += triple ? 3 : 1;
    while (true) {
      if (pos_ >= text_.size()) {
        fail(start, bytes ? "unterminated bytes literal" : "unterminated string literal");
      }
      const char c = text_[pos_];
      if (c == q) {
        if (!triple) {
          ++pos_;
          break;
        }
        if (peek_char(1) == q && peek_char(2) == q) {
          pos_ += 3;
          break;
        }
      } else if (!triple && (c == '\n' || c == '\r')) {
        fail(pos_, "line break in a quoted literal (use \\n or a triple-quoted literal)");
      } else if (c == '\\' && !raw) {
        unescape(t.text, bytes);
        continue;
      }
      t.text += c;
      ++pos_;
    }
    return finish(t);
  }

  // pos_ is at a backslash in a non-raw literal.
  void unescape(std::string& out, bool bytes) {
    const size_t at = pos_;
    ++pos_;
    if (pos_ >= text_.size()) fail(at, "unterminated escape sequence");
    const char c = text_[pos_++];
    switch (c) {
      case '\\': case '?': case '"': case '\'': case '`': out += c; return;
      case 'a': out += '\a'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case 'n': out += '\n'; return;
      case 'r': out += '\r'; return;
      case 't': out += '\t'; return;
      case 'v': out += '\v'; return;
      case 'x': case 'X': {
        const uint32_t v = read_digits(at, 2, 16);
        if (bytes) {
          out += static_cast<char>(v);
        } else {
          core::append_utf8(out, v);
        }
        return;
      }
      case 'u': case 'U': {
        if (bytes) fail(at, "\\u and \\U escapes are not allowed in bytes literals");
        const uint32_t v = read_digits(at, c == 'u' ? 4 : 8, 16);
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
          fail(at, "escape sequence is not a valid Unicode code point");
        }
        core::append_utf8(out, v);
        return;
      }
      case '0': case '1': case '2': case '3': {
        --pos_;
        const uint32_t v = read_digits(at, 3, 8);
        if (bytes) {
          out += static_cast<char>(v);
        } else {
          core::append_utf8(out, v);
        }
        return;
      }
      default:
        fail(at, std::string("invalid escape sequence '\\") +
                     (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F ? std::string(1, c)
                                                                            : std::string()) +
                     "'");
    }
  }

  uint32_t read_digits(size_t at, int count, uint32_t base) {
    uint32_t v = 0;
    for (int i = 0; i < count; ++i) {
      const char d = peek_char(0);
      const bool ok = base == 16 ? is_hex(d) : (d >= '0' && d <= '7');
      if (!ok) {
        fail(at, base == 16 ? "escape sequence needs " + std::to_string(count) + " hex digits"
                            : std::string("octal escape needs three digits 000 to 377"));
      }
      v = v * base + static_cast<uint32_t>(hex_value(d));
      ++pos_;
    }
    return v;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Parser.

const char* binary_function(int level, Tok t) {
  switch (level) {
    case 0: return t == Tok::kOr ? "_||_" : nullptr;
    case 1: return t == Tok::kAnd ? "_&&_" : nullptr;
    case 2:
      switch (t) {
        case Tok::kEq: return "_==_";
        case Tok::kNe: return "_!=_";
        case Tok::kLt: return "_<_";
        case Tok::kLe: return "_<=_";
        case Tok::kGt: return "_>_";
        case Tok::kGe: return "_>=_";
        case Tok::kIn: return "@in";
        default: return nullptr;
      }
    case 3:
      if (t == Tok::kPlus) return "_+_";
      if (t == Tok::kMinus) return "_-_";
      return nullptr;
    case 4:
      if (t == Tok::kStar) return "_*_";
      if (t == Tok::kSlash) return "_/_";
      if (t == Tok::kPercent) return "_%_";
      return nullptr;
    default: return nullptr;
  }
}
constexpr int kUnaryLevel = 5;

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options)
      : text_(text), options_(options), lexer_(text) {}

  ExprPtr parse_root() {
    ExprPtr e = parse_expr();
    if (peek().kind != Tok::kEof) {
      fail(peek().offset, "unexpected " + describe(peek()) + ", expected an operator or the end "
                          "of the expression");
    }
    return e;
  }

 private:
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.options_.max_depth) {
        fail_limit(p_.peek().offset, "expression nests deeper than the limit of " +
                                         std::to_string(p_.options_.max_depth));
      }
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& p_;
  };

  // --- tokens ---

  const Token& peek(size_t k = 0) {
    while (tokens_.size() <= k) tokens_.push_back(lexer_.next());
    return tokens_[k];
  }

  Token take() {
    peek();
    Token t = std::move(tokens_.front());
    tokens_.pop_front();
    return t;
  }

  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    tokens_.pop_front();
    return true;
  }

  void expect(Tok kind, std::string_view what) {
    if (peek().kind != kind) {
      fail(peek().offset, "unexpected " + describe(peek()) + ", expected " + std::string(what));
    }
    tokens_.pop_front();
  }

  std::string describe(const Token& t) const {
    std::string_view src = text_.substr(t.offset, t.end - t.offset);
    switch (t.kind) {
      case Tok::kEof: return "end of expression";
      case Tok::kIdent: return "identifier '" + t.text + "'";
      case Tok::kQuotedIdent: return "quoted name `" + t.text + "`";
      case Tok::kInt:
      case Tok::kUint:
      case Tok::kDouble: return "number " + std::string(src);
      case Tok::kString: return "string literal";
      case Tok::kBytes: return "bytes literal";
      default: return "'" + std::string(src) + "'";
    }
  }

  // --- nodes ---

  ExprPtr node(ExprKind kind, uint32_t offset) {
    if (next_id_ > options_.max_nodes) {
      fail_limit(offset, "expression has more than " + std::to_string(options_.max_nodes) +
                             " nodes");
    }
    auto e = std::make_unique<Expr>();
    e->id = next_id_++;
    e->offset = offset;
    e->kind = kind;
    heights_.push_back(1);
    return e;
  }

  int height(const ExprPtr& e) const {
    return e ? heights_[static_cast<size_t>(e->id - 1)] : 0;
  }

  // Records the height of `e` from its (complete) children and enforces max_depth on it.
  void seal(const Expr& e) {
    int h = height(e.target);
    for (const ExprPtr& a : e.args) h = std::max(h, height(a));
    for (const MapEntry& m : e.entries) h = std::max({h, height(m.key), height(m.value)});
    if (e.comprehension) {
      const Comprehension& c = *e.comprehension;
      h = std::max({h, height(c.iter_range), height(c.accu_init), height(c.loop_condition),
                    height(c.loop_step), height(c.result)});
    }
    if (h + 1 > options_.max_depth) {
      fail_limit(e.offset, "expression nests deeper than the limit of " +
                               std::to_string(options_.max_depth));
    }
    heights_[static_cast<size_t>(e.id - 1)] = h + 1;
  }

  ExprPtr ident(std::string name, uint32_t offset) {
    ExprPtr e = node(ExprKind::kIdent, offset);
    e->name = std::move(name);
    return e;
  }

  ExprPtr constant(Value v, uint32_t offset) {
    ExprPtr e = node(ExprKind::kConst, offset);
    e->constant = std::move(v);
    return e;
  }

  ExprPtr call(std::string name, uint32_t offset, std::vector<ExprPtr> args) {
    ExprPtr e = node(ExprKind::kCall, offset);
    e->name = std::move(name);
    e->args = std::move(args);
    seal(*e);
    return e;
  }

  template <typename... Args>
  static std::vector<ExprPtr> list_of(Args&&... args) {
    std::vector<ExprPtr> v;
    (v.push_back(std::forward<Args>(args)), ...);
    return v;
  }

  // --- grammar ---

  ExprPtr parse_expr() {
    DepthGuard guard(*this);
    ExprPtr cond = parse_binary(0);
    if (peek().kind != Tok::kQuestion) return cond;
    ExprPtr e = node(ExprKind::kCall, take().offset);
    e->name = "_?_:_";
    ExprPtr then = parse_binary(0);
    expect(Tok::kColon, "':' of the conditional operator");
    ExprPtr otherwise = parse_expr();
    e->args = list_of(std::move(cond), std::move(then), std::move(otherwise));
    seal(*e);
    return e;
  }

  ExprPtr parse_binary(int level) {
    if (level == kUnaryLevel) return parse_unary();
    ExprPtr lhs = parse_binary(level + 1);
    while (const char* fn = binary_function(level, peek().kind)) {
      ExprPtr e = node(ExprKind::kCall, take().offset);
      e->name = fn;
      ExprPtr rhs = parse_binary(level + 1);
      e->args = list_of(std::move(lhs), std::move(rhs));
      seal(*e);
      lhs = std::move(e);
    }
    return lhs;
  }

  ExprPtr parse_unary() {
    const Tok op = peek().kind;
    if (op != Tok::kNot && op != Tok::kMinus) return parse_member();
    std::vector<uint32_t> ops;
    while (peek().kind == op) {
      if (static_cast<int>(ops.size()) >= options_.max_depth) {
        fail_limit(peek().offset, "expression nests deeper than the limit of " +
                                      std::to_string(options_.max_depth));
      }
      ops.push_back(take().offset);
    }
    ExprPtr operand;
    const Tok lit = peek().kind;
    const Tok after = peek(1).kind;
    const bool bare_literal = after != Tok::kDot && after != Tok::kDotQuestion &&
                              after != Tok::kLBracket && after != Tok::kLParen &&
                              after != Tok::kLBrace;
    if (op == Tok::kMinus && bare_literal && (lit == Tok::kInt || lit == Tok::kDouble)) {
      const Token t = take();
      const uint32_t offset = ops.back();
      ops.pop_back();
      if (lit == Tok::kDouble) {
        operand = constant(Value::dbl(-t.dbl), offset);
      } else {
        constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
        if (t.overflow || t.magnitude > kMinMagnitude) {
          fail(t.offset, "integer literal out of range");
        }
        const int64_t v = t.magnitude == kMinMagnitude ? std::numeric_limits<int64_t>::min()
                                                       : -static_cast<int64_t>(t.magnitude);
        operand = constant(Value::integer(v), offset);
      }
    } else {
      operand = parse_member();
    }
    const char* fn = op == Tok::kNot ? "!_" : "-_";
    for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
      operand = call(fn, *it, list_of(std::move(operand)));
    }
    return operand;
  }

  // A field name after `.` or `.?`: an identifier (reserved words allowed) or `quoted`.
  Token take_selector(std::string_view after) {
    const Tok k = peek().kind;
    if (k != Tok::kIdent && k != Tok::kQuotedIdent) {
      fail(peek().offset,
           "unexpected " + describe(peek()) + ", expected a field name after " + std::string(after));
    }
    return take();
  }

  ExprPtr parse_member() {
    const uint32_t start = peek().offset;
    bool qualified = false;  // the expression so far is a (dotted) name: a message type?
    ExprPtr e = parse_primary(qualified);
    while (true) {
      const Tok k = peek().kind;
      if (k == Tok::kDot) {
        const uint32_t dot = take().offset;
        Token name = take_selector("'.'");
        if (name.kind == Tok::kIdent && peek().kind == Tok::kLParen) {
          take();
          std::vector<ExprPtr> args = parse_args();
          e = member_call(std::move(e), std::move(name.text), dot, std::move(args));
          qualified = false;
          continue;
        }
        ExprPtr sel = node(ExprKind::kSelect, dot);
        sel->name = std::move(name.text);
        sel->target = std::move(e);
        seal(*sel);
        e = std::move(sel);
        qualified = qualified && name.kind == Tok::kIdent;
      } else if (k == Tok::kDotQuestion) {
        const uint32_t dot = take().offset;
        Token name = take_selector("'.?'");
        ExprPtr e2 = node(ExprKind::kCall, dot);
        e2->name = "_?._";
        e2->args = list_of(std::move(e), constant(Value::string(std::move(name.text)), name.offset));
        seal(*e2);
        e = std::move(e2);
        qualified = false;
      } else if (k == Tok::kLBracket) {
        ExprPtr e2 = node(ExprKind::kCall, take().offset);
        e2->name = accept(Tok::kQuestion) ? "_[?_]" : "_[_]";
        ExprPtr index = parse_expr();
        expect(Tok::kRBracket, "']'");
        e2->args = list_of(std::move(e), std::move(index));
        seal(*e2);
        e = std::move(e2);
        qualified = false;
      } else if (k == Tok::kLBrace) {
        if (!qualified) {
          fail(peek().offset, "unexpected '{': a message literal needs a type name before it");
        }
        e = parse_struct(qualified_name(*e), start);
        qualified = false;
      } else {
        return e;
      }
    }
  }

  // The dotted name of an identifier/selection chain (checked by the caller).
  static std::string qualified_name(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return e.name;
    return qualified_name(*e.target) + "." + e.name;
  }

  ExprPtr parse_primary(bool& qualified) {
    const Token& t = peek();
    const uint32_t offset = t.offset;
    switch (t.kind) {
      case Tok::kDot: {
        take();
        if (peek().kind != Tok::kIdent) {
          fail(peek().offset, "unexpected " + describe(peek()) + ", expected an identifier after "
                              "a leading '.'");
        }
        if (peek().reserved) fail(peek().offset, "reserved identifier '" + peek().text + "'");
        std::string name = "." + take().text;
        return ident_or_call(std::move(name), offset, qualified);
      }
      case Tok::kIdent: {
        if (t.reserved) {
          fail(offset, "reserved identifier '" + t.text + "' cannot be used as a name");
        }
        std::string name = take().text;
        return ident_or_call(std::move(name), offset, qualified);
      }
      case Tok::kLParen: {
        take();
        ExprPtr e = parse_expr();
        expect(Tok::kRParen, "')'");
        return e;
      }
      case Tok::kLBracket: return parse_list();
      case Tok::kLBrace: return parse_map();
      case Tok::kInt: {
        Token lit = take();
        if (lit.overflow || lit.magnitude > uint64_t{std::numeric_limits<int64_t>::max()}) {
          fail(offset, "integer literal out of range");
        }
        return constant(Value::integer(static_cast<int64_t>(lit.magnitude)), offset);
      }
      case Tok::kUint: {
        Token lit = take();
        if (lit.overflow) fail(offset, "unsigned integer literal out of range");
        return constant(Value::uinteger(lit.magnitude), offset);
      }
      case Tok::kDouble: return constant(Value::dbl(take().dbl), offset);
      case Tok::kString: return constant(Value::string(take().text), offset);
      case Tok::kBytes: return constant(Value::bytes(take().text), offset);
      case Tok::kTrue: take(); return constant(Value::boolean(true), offset);
      case Tok::kFalse: take(); return constant(Value::boolean(false), offset);
      case Tok::kNull: take(); return constant(Value::null(), offset);
      default:
        fail(offset, "unexpected " + describe(t) + ", expected an operand");
    }
  }

  ExprPtr ident_or_call(std::string name, uint32_t offset, bool& qualified) {
    if (peek().kind != Tok::kLParen) {
      qualified = true;
      return ident(std::move(name), offset);
    }
    take();
    std::vector<ExprPtr> args = parse_args();
    if (name == "has" && args.size() == 1) {
      ExprPtr& arg = args[0];
      if (arg->kind != ExprKind::kSelect || arg->test_only) {
        fail(arg->offset, "invalid argument to has() macro: expected a field selection such as "
                          "has(a.b)");
      }
      arg->test_only = true;
      return std::move(arg);
    }
    return call(std::move(name), offset, std::move(args));
  }

  // After '(': arguments up to and including ')'.
  std::vector<ExprPtr> parse_args() {
    std::vector<ExprPtr> args;
    if (accept(Tok::kRParen)) return args;
    while (true) {
      args.push_back(parse_expr());
      if (accept(Tok::kComma)) continue;
      expect(Tok::kRParen, "',' or ')'");
      return args;
    }
  }

  // `[` [ListElems] [","] `]`
  ExprPtr parse_list() {
    ExprPtr e = node(ExprKind::kList, take().offset);
    if (peek().kind == Tok::kComma && peek(1).kind == Tok::kRBracket) take();
    while (peek().kind != Tok::kRBracket) {
      if (accept(Tok::kQuestion)) e->optional_indices.push_back(static_cast<uint32_t>(e->args.size()));
      e->args.push_back(parse_expr());
      if (!accept(Tok::kComma)) break;
    }
    expect(Tok::kRBracket, "',' or ']'");
    seal(*e);
    return e;
  }

  // `{` [MapInits] [","] `}`
  ExprPtr parse_map() {
    ExprPtr e = node(ExprKind::kMap, take().offset);
    if (peek().kind == Tok::kComma && peek(1).kind == Tok::kRBrace) take();
    while (peek().kind != Tok::kRBrace) {
      MapEntry entry;
      entry.offset = peek().offset;
      entry.optional = accept(Tok::kQuestion);
      entry.key = parse_expr();
      expect(Tok::kColon, "':' after a map key");
      entry.value = parse_expr();
      e->entries.push_back(std::move(entry));
      if (!accept(Tok::kComma)) break;
    }
    expect(Tok::kRBrace, "',' or '}'");
    seal(*e);
    return e;
  }

  // At `{` after a type name.
  ExprPtr parse_struct(std::string type_name, uint32_t offset) {
    take();
    ExprPtr e = node(ExprKind::kStruct, offset);
    e->name = std::move(type_name);
    if (peek().kind == Tok::kComma && peek(1).kind == Tok::kRBrace) take();
    while (peek().kind != Tok::kRBrace) {
      MapEntry entry;
      entry.offset = peek().offset;
      entry.optional = accept(Tok::kQuestion);
      entry.field = take_selector("'{' or ','").text;
      expect(Tok::kColon, "':' after a field name");
      entry.value = parse_expr();
      e->entries.push_back(std::move(entry));
      if (!accept(Tok::kComma)) break;
    }
    expect(Tok::kRBrace, "',' or '}'");
    seal(*e);
    return e;
  }

  // --- macros ---

  ExprPtr member_call(ExprPtr target, std::string name, uint32_t offset,
                      std::vector<ExprPtr> args) {
    const size_t n = args.size();
    if ((name == "all" || name == "exists" || name == "exists_one" || name == "existsOne") &&
        (n == 2 || n == 3)) {
      return expand_quantifier(std::move(target), name, offset, std::move(args));
    }
    if (name == "map" && (n == 2 || n == 3)) {
      return expand_map(std::move(target), offset, std::move(args));
    }
    if (name == "filter" && n == 2) return expand_filter(std::move(target), offset, std::move(args));
    if (name == "bind" && n == 3 && target->kind == ExprKind::kIdent && target->name == "cel") {
      return expand_bind(offset, std::move(args));
    }
    if ((name == "optMap" || name == "optFlatMap") && n == 2) {
      return expand_opt_map(std::move(target), name, offset, std::move(args));
    }
    return member_call_of(std::move(target), std::move(name), offset, std::move(args));
  }

  static std::string variable_name(const ExprPtr& arg, std::string_view macro) {
    if (arg->kind != ExprKind::kIdent || arg->name.empty() || arg->name[0] == '.') {
      fail(arg->offset, "the variable of " + std::string(macro) + "() must be a simple name");
    }
    return arg->name;
  }

  ExprPtr accu(uint32_t offset) { return ident(std::string(kAccumulator), offset); }

  ExprPtr comprehension(uint32_t offset, std::unique_ptr<Comprehension> c) {
    ExprPtr e = node(ExprKind::kComprehension, offset);
    e->comprehension = std::move(c);
    seal(*e);
    return e;
  }

  // all / exists / exists_one (existsOne), with one or two variables.
  ExprPtr expand_quantifier(ExprPtr target, const std::string& name, uint32_t offset,
                            std::vector<ExprPtr> args) {
    auto c = std::make_unique<Comprehension>();
    c->iter_var = variable_name(args[0], name);
    if (args.size() == 3) {
      c->iter_var2 = variable_name(args[1], name);
      if (c->iter_var2 == c->iter_var) {
        fail(args[1]->offset, "duplicate variable name '" + c->iter_var + "' in " + name + "()");
      }
    }
    ExprPtr pred = std::move(args.back());
    c->iter_range = std::move(target);
    c->accu_var = std::string(kAccumulator);
    if (name == "all") {
      c->accu_init = constant(Value::boolean(true), offset);
      c->loop_condition = call("@not_strictly_false", offset, list_of(accu(offset)));
      c->loop_step = call("_&&_", offset, list_of(accu(offset), std::move(pred)));
      c->result = accu(offset);
    } else if (name == "exists") {
      c->accu_init = constant(Value::boolean(false), offset);
      c->loop_condition = call("@not_strictly_false", offset,
                               list_of(call("!_", offset, list_of(accu(offset)))));
      c->loop_step = call("_||_", offset, list_of(accu(offset), std::move(pred)));
      c->result = accu(offset);
    } else {  // exists_one
      c->accu_init = constant(Value::integer(0), offset);
      c->loop_condition = constant(Value::boolean(true), offset);
      ExprPtr inc = call("_+_", offset, list_of(accu(offset), constant(Value::integer(1), offset)));
      c->loop_step = call("_?_:_", offset, list_of(std::move(pred), std::move(inc), accu(offset)));
      c->result = call("_==_", offset, list_of(accu(offset), constant(Value::integer(1), offset)));
    }
    return comprehension(offset, std::move(c));
  }

  // @result + [elem]
  ExprPtr append_to_accu(ExprPtr elem, uint32_t offset) {
    ExprPtr list = node(ExprKind::kList, offset);
    list->args.push_back(std::move(elem));
    seal(*list);
    return call("_+_", offset, list_of(accu(offset), std::move(list)));
  }

  ExprPtr list_accumulation(ExprPtr target, std::string var, uint32_t offset, ExprPtr step) {
    auto c = std::make_unique<Comprehension>();
    c->iter_var = std::move(var);
    c->iter_range = std::move(target);
    c->accu_var = std::string(kAccumulator);
    c->accu_init = node(ExprKind::kList, offset);
    c->loop_condition = constant(Value::boolean(true), offset);
    c->loop_step = std::move(step);
    c->result = accu(offset);
    return comprehension(offset, std::move(c));
  }

  // map(x, t): @result + [t]; map(x, p, t): p ? @result + [t] : @result.
  ExprPtr expand_map(ExprPtr target, uint32_t offset, std::vector<ExprPtr> args) {
    std::string var = variable_name(args[0], "map");
    ExprPtr step = append_to_accu(std::move(args.back()), offset);
    if (args.size() == 3) {
      step = call("_?_:_", offset, list_of(std::move(args[1]), std::move(step), accu(offset)));
    }
    return list_accumulation(std::move(target), std::move(var), offset, std::move(step));
  }

  // filter(x, p): p ? @result + [x] : @result.
  ExprPtr expand_filter(ExprPtr target, uint32_t offset, std::vector<ExprPtr> args) {
    std::string var = variable_name(args[0], "filter");
    ExprPtr step = call("_?_:_", offset,
                        list_of(std::move(args[1]), append_to_accu(ident(var, offset), offset),
                                accu(offset)));
    return list_accumulation(std::move(target), std::move(var), offset, std::move(step));
  }

  // cel.bind(v, init, e): a comprehension over no elements whose accumulator is v.
  ExprPtr expand_bind(uint32_t offset, std::vector<ExprPtr> args) {
    auto c = std::make_unique<Comprehension>();
    c->iter_var = "#unused";
    c->accu_var = variable_name(args[0], "cel.bind");
    c->iter_range = node(ExprKind::kList, offset);
    c->accu_init = std::move(args[1]);
    c->loop_condition = constant(Value::boolean(false), offset);
    c->loop_step = ident(c->accu_var, offset);
    c->result = std::move(args[2]);
    return comprehension(offset, std::move(c));
  }

  // optMap(x, t):     target.hasValue() ? optional.of(<bind x = target.value() in t>)
  //                                      : optional.none()
  // optFlatMap(x, t): target.hasValue() ? <bind x = target.value() in t> : optional.none()
  // (cel-go's optional library; `optional.of` is a member call on the identifier
  // `optional`, the same shape the parser gives the written form.)
  ExprPtr expand_opt_map(ExprPtr target, const std::string& name, uint32_t offset,
                         std::vector<ExprPtr> args) {
    auto c = std::make_unique<Comprehension>();
    c->iter_var = "#unused";
    c->accu_var = variable_name(args[0], name);
    c->iter_range = node(ExprKind::kList, offset);
    c->accu_init = member_call_of(clone(*target), "value", offset, {});
    c->loop_condition = constant(Value::boolean(false), offset);
    c->loop_step = ident(c->accu_var, offset);
    c->result = std::move(args[1]);
    ExprPtr value = comprehension(offset, std::move(c));
    if (name == "optMap") {
      value = member_call_of(ident("optional", offset), "of", offset, list_of(std::move(value)));
    }
    ExprPtr has_value = member_call_of(std::move(target), "hasValue", offset, {});
    ExprPtr none = member_call_of(ident("optional", offset), "none", offset, {});
    return call("_?_:_", offset, list_of(std::move(has_value), std::move(value), std::move(none)));
  }

  ExprPtr member_call_of(ExprPtr target, std::string name, uint32_t offset,
                         std::vector<ExprPtr> args) {
    ExprPtr e = node(ExprKind::kCall, offset);
    e->name = std::move(name);
    e->target = std::move(target);
    e->args = std::move(args);
    seal(*e);
    return e;
  }

  // A deep copy with fresh ids (recursion is bounded: the tree's height is <= max_depth).
  ExprPtr clone(const Expr& from) {
    ExprPtr e = node(from.kind, from.offset);
    e->constant = from.constant;
    e->name = from.name;
    e->test_only = from.test_only;
    e->optional_indices = from.optional_indices;
    if (from.target) e->target = clone(*from.target);
    for (const ExprPtr& a : from.args) e->args.push_back(clone(*a));
    for (const MapEntry& m : from.entries) {
      MapEntry copy;
      copy.key = m.key ? clone(*m.key) : nullptr;
      copy.field = m.field;
      copy.value = clone(*m.value);
      copy.optional = m.optional;
      copy.offset = m.offset;
      e->entries.push_back(std::move(copy));
    }
    if (from.comprehension) {
      const Comprehension& fc = *from.comprehension;
      auto c = std::make_unique<Comprehension>();
      c->iter_var = fc.iter_var;
      c->iter_var2 = fc.iter_var2;
      c->accu_var = fc.accu_var;
      c->iter_range = clone(*fc.iter_range);
      c->accu_init = clone(*fc.accu_init);
      c->loop_condition = clone(*fc.loop_condition);
      c->loop_step = clone(*fc.loop_step);
      c->result = clone(*fc.result);
      e->comprehension = std::move(c);
    }
    seal(*e);
    return e;
  }

  std::string_view text_;
  const ParseOptions& options_;
  Lexer lexer_;
  std::deque<Token> tokens_;
  int64_t next_id_ = 1;
  int depth_ = 0;
  std::vector<int> heights_;  // by id - 1
};

}  // namespace

core::Result<Ast> parse(std::string_view expression, const ParseOptions& options) {
  if (expression.size() > options.max_expression_bytes ||
      expression.size() > std::numeric_limits<uint32_t>::max()) {
    return core::make_error("cel.limit",
                            "expression is " + std::to_string(expression.size()) +
                                " bytes, more than the limit of " +
                                std::to_string(options.max_expression_bytes),
                            core::locate("", expression, options.max_expression_bytes));
  }
  if (size_t bad = core::find_invalid_utf8(expression); bad != std::string_view::npos) {
    return core::make_error("cel.parse", "expression is not valid UTF-8",
                            core::locate("", expression, bad));
  }
  try {
    Parser parser(expression, options);
    ExprPtr root = parser.parse_root();
    return Ast(std::string(expression), std::move(root));
  } catch (const ParseFailure& f) {
    return core::make_error(f.code, f.message, core::locate("", expression, f.offset));
  } catch (const std::bad_alloc&) {
    return core::make_error("cel.limit", "out of memory while parsing the expression");
  }
}

}  // namespace sekimori::cel
