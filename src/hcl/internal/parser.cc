#include "hcl/internal/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>
#include <unordered_set>

#include "core/utf8.h"

namespace sekimori::hcl::internal {

namespace {

// Unicode White_Space as Go's unicode.IsSpace sees it (what hcl trims with `~` and
// counts for `<<-`): ASCII space, \t \n \v \f \r, U+0085, U+00A0 and the Z separators.
size_t space_len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && i + 1 < s.size()) {
    unsigned char d = static_cast<unsigned char>(s[i + 1]);
    return d == 0x85 || d == 0xA0 ? 2 : 0;
  }
  if (c == 0xE1 && s.substr(i, 3) == "\xE1\x9A\x80") return 3;  // U+1680
  if (c == 0xE2 && i + 2 < s.size()) {
    unsigned char d = static_cast<unsigned char>(s[i + 1]);
    unsigned char e = static_cast<unsigned char>(s[i + 2]);
    if (d == 0x80 && ((e >= 0x80 && e <= 0x8A) || e == 0xA8 || e == 0xA9 || e == 0xAF)) return 3;
    if (d == 0x81 && e == 0x9F) return 3;  // U+205F
  }
  if (c == 0xE3 && s.substr(i, 3) == "\xE3\x80\x80") return 3;  // U+3000
  return 0;
}

void trim_left(std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = space_len(s, i);
    if (n == 0) break;
    i += n;
  }
  s.erase(0, i);
}

void trim_right(std::string& s) {
  // Walk forward remembering where the trailing run of spaces starts.
  size_t i = 0;
  size_t cut = 0;
  while (i < s.size()) {
    size_t n = space_len(s, i);
    if (n == 0) {
      // One character: a byte plus the continuation bytes its lead byte announces (a
      // stray or truncated sequence counts byte by byte).
      unsigned char c = static_cast<unsigned char>(s[i]);
      size_t want = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      n = 1;
      while (n < want && i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
      i += n;
      cut = i;
    } else {
      i += n;
    }
  }
  s.resize(cut);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool decode_quoted(std::string_view raw, std::string& out, std::string& message, size_t& bad) {
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') {
      if (i + 1 >= raw.size()) {
        message = "backslash must be followed by an escape sequence selector character";
        bad = i;
        return false;
      }
      char sel = raw[i + 1];
      switch (sel) {
        case 'n': out += '\n'; ++i; continue;
        case 'r': out += '\r'; ++i; continue;
        case 't': out += '\t'; ++i; continue;
        case '"': out += '"'; ++i; continue;
        case '\\': out += '\\'; ++i; continue;
        case 'u':
        case 'U': {
          size_t digits = sel == 'u' ? 4 : 8;
          uint32_t cp = 0;
          size_t k = 0;
          for (; k < digits && i + 2 + k < raw.size(); ++k) {
            int h = hex_value(raw[i + 2 + k]);
            if (h < 0) break;
            cp = (cp << 4) | static_cast<uint32_t>(h);
          }
          if (k != digits) {
            message = sel == 'u' ? "the \\u escape sequence must be followed by four hexadecimal digits"
                                 : "the \\U escape sequence must be followed by eight hexadecimal digits";
            bad = i;
            return false;
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            message = "cannot encode this character in UTF-8";
            bad = i;
            return false;
          }
          core::append_utf8(out, cp);
          i += 1 + digits;
          continue;
        }
        default:
          message = std::string("the symbol '") + sel + "' is not a valid escape sequence selector";
          bad = i;
          return false;
      }
    }
    if ((c == '$' || c == '%') && i + 2 < raw.size() && raw[i + 1] == c && raw[i + 2] == '{') {
      out += c;
      out += '{';
      i += 2;
      continue;
    }
    out += c;
  }
  return true;
}

// ---------------------------------------------------------------------------------------

struct Parser::TTok {
  enum Kind : uint8_t { kLit, kInterp, kIf, kElse, kEndIf, kFor, kEndFor } kind = kLit;
  std::string text;  // kLit
  Pos start;
  Pos end;
  const Expr* expr = nullptr;
  std::string_view key_var;
  std::string_view value_var;
  bool strip_left = false;
  bool strip_right = false;
};

Parser::Parser(File::Impl& impl, std::string_view text, Pos base, const Limits& limits, core::Diagnostics& diags,
               std::vector<Comment>* comments, uint64_t* node_count)
    : impl_(impl), lx_(text, &impl.path, comments, base), limits_(limits), diags_(diags), nodes_(node_count),
      base_(base) {}

void Parser::depth_exceeded() {
  Pos at = have_peek_ ? peek_.start : lx_.pos();
  --depth_;
  throw LimitError{core::make_error("hcl.limit.depth",
                                    "nesting deeper than " + std::to_string(limits_.max_depth) + " levels",
                                    core::Location{impl_.path, at.line, at.column, at.byte})};
}

void Parser::count_node() {
  if (++*nodes_ > limits_.max_nodes) {
    Pos at = lx_.pos();
    throw LimitError{core::make_error("hcl.limit.nodes",
                                      "more than " + std::to_string(limits_.max_nodes) + " syntax nodes",
                                      core::Location{impl_.path, at.line, at.column, at.byte})};
  }
}

void Parser::error(Pos at, Pos /*end*/, const std::string& message) {
  impl_.has_errors = true;
  if (stopped_) return;
  if (++errors_ > kMaxErrors) {
    // Enough to act on; stop here so a garbage input costs linear time.
    stopped_ = true;
    diags_.add(core::Severity::kError, "hcl.syntax",
               "too many syntax errors; the rest of the file was not parsed",
               core::Location{impl_.path, at.line, at.column, at.byte});
    return;
  }
  core::Location loc{impl_.path, at.line, at.column, at.byte};
  diags_.add(core::Severity::kError, "hcl.syntax", message, loc,
             core::make_snippet(impl_.text, at.line, at.column));
}

void Parser::fail(Pos at, Pos end, const std::string& message) {
  error(at, end, message);
  throw SyntaxError{};
}

const Token& Parser::peek() {
  while (true) {
    if (!have_peek_) {
      if (stopped_) {
        peek_ = Token{};  // end of file from here on
        peek_.start = peek_.end = lx_.pos();
      } else {
        lx_.scan(peek_);
      }
      have_peek_ = true;
    }
    if (peek_.type == Tok::kNewline && !nl_) {
      have_peek_ = false;
      continue;
    }
    return peek_;
  }
}

Token Parser::next() {
  peek();
  have_peek_ = false;
  return peek_;
}

Token Parser::expect(Tok t, const char* what) {
  const Token& p = peek();
  if (p.type != t) fail(p, std::string("expected ") + what + ", found " + tok_name(p.type));
  return next();
}

// ---------------------------------------------------------------------------------------
// Bodies

const Body* Parser::parse_file_body() { return parse_body(false, lx_.pos()); }

// Builds the Body; a name set twice is an error (hcl: "Attribute redefined") and only
// the first definition is kept.
const Body* Parser::finish_body(std::vector<BodyItem>& items, Range range) {
  std::vector<const Attribute*> attrs;
  attrs.reserve(items.size());
  for (const BodyItem& it : items)
    if (it.attribute) attrs.push_back(it.attribute);
  bool maybe_duplicates = false;
  if (attrs.size() <= 16) {  // small bodies: compare pairs instead of sorting
    for (size_t i = 0; i < attrs.size() && !maybe_duplicates; ++i)
      for (size_t j = i + 1; j < attrs.size(); ++j)
        if (attrs[i]->name == attrs[j]->name) {
          maybe_duplicates = true;
          break;
        }
  } else {
    maybe_duplicates = true;
  }
  if (maybe_duplicates) {
    std::vector<const Attribute*> sorted = attrs;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
    std::unordered_set<const Attribute*> dropped;
    size_t first = 0;  // start of the current run of equal names
    for (size_t k = 1; k < sorted.size(); ++k) {
      if (sorted[k]->name != sorted[k - 1]->name) {
        first = k;
        continue;
      }
      const Attribute* a = sorted[k];
      error(a->name_range.start, a->name_range.end,
            "argument '" + std::string(a->name) + "' was already set at line " +
                std::to_string(sorted[first]->name_range.start.line));
      dropped.insert(a);
    }
    if (!dropped.empty()) {
      auto gone = [&](const Attribute* a) { return dropped.count(a) > 0; };
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const BodyItem& it) { return it.attribute && gone(it.attribute); }),
                  items.end());
      attrs.erase(std::remove_if(attrs.begin(), attrs.end(), gone), attrs.end());
    }
  }
  std::vector<const Block*> blocks;
  blocks.reserve(items.size() - attrs.size());
  for (const BodyItem& it : items)
    if (it.block) blocks.push_back(it.block);
  Body* body = impl_.make<Body>();
  body->items = impl_.copy(items);
  body->attributes = impl_.copy(attrs);
  body->blocks = impl_.copy(blocks);
  body->range = range;
  return body;
}

const Body* Parser::parse_body(bool braced, Pos open) {
  DepthScope depth(*this);
  std::vector<BodyItem> items;
  Pos start = have_peek_ ? peek_.start : lx_.pos();
  Pos end = start;
  while (true) {
    const Token& t = peek();
    if (t.type == Tok::kNewline) {
      next();
      continue;
    }
    if (t.type == Tok::kRBrace) {
      if (braced) {
        end = t.start;
        break;
      }
      error(t.start, t.end, "unexpected '}': there is no block to close");
      next();
      continue;
    }
    if (t.type == Tok::kEof) {
      if (braced) fail(open, open, "unclosed block: no '}' before the end of the file");
      end = t.start;
      break;
    }
    try {
      parse_body_item(items, false);
    } catch (const SyntaxError&) {
      recover_body_item();
    }
  }
  return finish_body(items, lx_.range(start, end));
}

Label Parser::parse_label() {
  Token t = next();
  Label l;
  if (t.type == Tok::kIdent) {
    l.value = t.text;
    l.range = lx_.range(t.start, t.end);
    l.quoted = false;
    return l;
  }
  // A quoted label: a template that must be a plain literal.
  const TemplateExpr* tmpl = parse_template_expr(t.start, TemplateEnd::kQuote, {}, false);
  if (!tmpl->is_literal()) {
    fail(tmpl->range.start, tmpl->range.end, "template sequences are not allowed in a block label; write $${ or %%{ for a literal");
  }
  l.value = tmpl->literal_value();
  l.range = tmpl->range;
  l.quoted = true;
  return l;
}

void Parser::parse_body_item(std::vector<BodyItem>& items, bool one_line) {
  const Token& first = peek();
  if (first.type != Tok::kIdent) {
    fail(first, std::string("expected an argument or block definition, found ") + tok_name(first.type));
  }
  Token name = next();
  const Token& after = peek();
  if (after.type == Tok::kAssign) {
    next();
    count_node();
    const Expr* value = parse_expr();
    if (!one_line) {
      const Token& end = peek();
      if (end.type != Tok::kNewline && end.type != Tok::kEof) {
        fail(end, std::string("missing newline after argument; found ") + tok_name(end.type));
      }
      if (end.type == Tok::kNewline) next();
    }
    Attribute* a = impl_.make<Attribute>();
    a->name = name.text;
    a->name_range = lx_.range(name.start, name.end);
    a->expr = value;
    a->range = lx_.range(name.start, value->range.end);
    items.push_back(BodyItem{a, nullptr});
    return;
  }
  if (one_line) fail(after, "a single-line block may contain only one argument definition");
  if (after.type != Tok::kOQuote && after.type != Tok::kIdent && after.type != Tok::kLBrace) {
    if (after.type == Tok::kNewline || after.type == Tok::kEof)
      fail(after, "an argument or block definition requires '=' or a block body");
    fail(after, std::string("expected '=' or a block body, found ") + tok_name(after.type));
  }
  count_node();
  std::vector<Label> labels;
  while (peek().type == Tok::kOQuote || peek().type == Tok::kIdent) labels.push_back(parse_label());
  Token open = expect(Tok::kLBrace, "'{' to open the block body");
  Block* b = impl_.make<Block>();
  b->type = name.text;
  b->type_range = lx_.range(name.start, name.end);
  b->labels = impl_.copy(labels);
  b->open_brace = lx_.range(open.start, open.end);
  const Token& t = peek();
  if (t.type == Tok::kNewline) {
    b->body = parse_body(true, open.start);
  } else {
    // Single-line block: "{}" or "{ name = expr }".
    Body* body = impl_.make<Body>();
    Pos bstart = t.start;
    if (t.type != Tok::kRBrace) {
      std::vector<BodyItem> one;
      parse_body_item(one, true);
      std::vector<const Attribute*> attrs{one[0].attribute};
      body->items = impl_.copy(one);
      body->attributes = impl_.copy(attrs);
      if (peek().type != Tok::kRBrace)
        fail(peek(), std::string("expected '}' to close the single-line block, found ") + tok_name(peek().type));
    }
    body->range = lx_.range(bstart, peek().start);
    b->body = body;
  }
  Token close = expect(Tok::kRBrace, "'}' to close the block");
  b->close_brace = lx_.range(close.start, close.end);
  b->range = lx_.range(name.start, close.end);
  items.push_back(BodyItem{nullptr, b});
  const Token& end = peek();
  if (end.type == Tok::kNewline) {
    next();
  } else if (end.type != Tok::kEof && !(end.type == Tok::kRBrace && one_line)) {
    fail(end, std::string("missing newline after block definition; found ") + tok_name(end.type));
  }
}

// Skips to the end of the current body item: the next newline outside brackets, or the
// '}' that closes the enclosing block (left in place), or the end of the file.
void Parser::recover_body_item() {
  int nest = 0;
  while (true) {
    const Token& t = peek();
    switch (t.type) {
      case Tok::kEof: return;
      case Tok::kNewline:
        next();
        if (nest <= 0) return;
        break;
      case Tok::kLBrace:
      case Tok::kLBrack:
      case Tok::kLParen:
        ++nest;
        next();
        break;
      case Tok::kRBrace:
        if (nest <= 0) return;
        --nest;
        next();
        break;
      case Tok::kRBrack:
      case Tok::kRParen:
        if (nest > 0) --nest;
        next();
        break;
      case Tok::kOQuote: {
        next();
        // Skip the rest of the quoted string (it cannot span lines).
        while (!lx_.at_end() && lx_.cur() != '\n') {
          char c = lx_.cur();
          if (c == '\\') {
            lx_.advance(lx_.at(lx_.offset() + 1) == '\n' ? 1 : 2);
            continue;
          }
          lx_.advance(1);
          if (c == '"') break;
        }
        break;
      }
      case Tok::kHeredoc: {
        Token h = next();
        uint32_t end_off = 0;
        while (!lx_.at_end()) {
          if (at_heredoc_end(h.marker, end_off)) {
            lx_.advance(end_off - lx_.offset());
            break;
          }
          while (!lx_.at_end() && lx_.cur() != '\n') lx_.advance(1);
          lx_.advance(1);
        }
        break;
      }
      default: next(); break;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Expressions

const Expr* Parser::parse_expr() {
  DepthScope depth(*this);
  const Expr* cond = parse_binary(0);
  if (peek().type != Tok::kQuestion) return cond;
  next();
  const Expr* t = parse_expr();
  expect(Tok::kColon, "':' in the conditional expression");
  const Expr* f = parse_expr();
  auto* c = node<ConditionalExpr>(cond->range.start, f->range.end);
  c->condition = cond;
  c->true_result = t;
  c->false_result = f;
  return c;
}

namespace {
// Binary operator precedence levels, lowest first (spec: "Operations").
int op_level(Tok t, BinaryOp& op) {
  switch (t) {
    case Tok::kOr: op = BinaryOp::kOr; return 0;
    case Tok::kAnd: op = BinaryOp::kAnd; return 1;
    case Tok::kEq: op = BinaryOp::kEq; return 2;
    case Tok::kNe: op = BinaryOp::kNe; return 2;
    case Tok::kLt: op = BinaryOp::kLt; return 3;
    case Tok::kLe: op = BinaryOp::kLe; return 3;
    case Tok::kGt: op = BinaryOp::kGt; return 3;
    case Tok::kGe: op = BinaryOp::kGe; return 3;
    case Tok::kPlus: op = BinaryOp::kAdd; return 4;
    case Tok::kMinus: op = BinaryOp::kSub; return 4;
    case Tok::kStar: op = BinaryOp::kMul; return 5;
    case Tok::kSlash: op = BinaryOp::kDiv; return 5;
    case Tok::kPercent: op = BinaryOp::kMod; return 5;
    default: return -1;
  }
}
}  // namespace

// Precedence climbing: operators of `min_level` or higher bind here, left to right.
const Expr* Parser::parse_binary(int min_level) {
  const Expr* lhs = parse_term_with_traversals();
  while (true) {
    BinaryOp op{};
    int level = op_level(peek().type, op);
    if (level < min_level) return lhs;
    Token opt = next();
    DepthScope depth(*this);
    const Expr* rhs = parse_binary(level + 1);
    auto* b = node<BinaryExpr>(lhs->range.start, rhs->range.end);
    b->op = op;
    b->lhs = lhs;
    b->rhs = rhs;
    b->op_range = lx_.range(opt.start, opt.end);
    lhs = b;
  }
}

const Expr* Parser::parse_term_with_traversals() {
  const Expr* term = parse_term();
  return parse_traversals(term, false);
}

const LiteralExpr* Parser::make_number(const Token& t) {
  auto* lit = node<LiteralExpr>(t.start, t.end);
  lit->literal = LiteralKind::kNumber;
  lit->text = t.text;
  const char* b = t.text.data();
  const char* e = b + t.text.size();
  double d = 0;
  auto r = std::from_chars(b, e, d);
  if (r.ec == std::errc::result_out_of_range) d = std::numeric_limits<double>::infinity();
  lit->number = d;
  int64_t i = 0;
  auto ri = std::from_chars(b, e, i);
  if (ri.ec == std::errc() && ri.ptr == e) {
    lit->integer = i;
    lit->is_integer = true;
  } else if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
    lit->integer = static_cast<int64_t>(d);
    lit->is_integer = true;
  }
  return lit;
}

const LiteralExpr* Parser::make_string_literal(std::string_view value, Range r) {
  auto* lit = node<LiteralExpr>(r.start, r.end);
  lit->range = r;
  lit->literal = LiteralKind::kString;
  lit->text = impl_.save(value);
  return lit;
}

const Expr* Parser::parse_term() {
  DepthScope depth(*this);
  const Token& p = peek();
  switch (p.type) {
    case Tok::kNumber: return make_number(next());
    case Tok::kIdent: {
      Token t = next();
      if (t.text == "true" || t.text == "false") {
        auto* lit = node<LiteralExpr>(t.start, t.end);
        lit->literal = LiteralKind::kBool;
        lit->bool_value = t.text == "true";
        return lit;
      }
      if (t.text == "null") return node<LiteralExpr>(t.start, t.end);
      if (peek().type == Tok::kLParen || peek().type == Tok::kDoubleColon) return parse_call(t);
      auto* s = node<ScopeTraversalExpr>(t.start, t.end);
      s->root = t.text;
      s->root_range = s->range;
      return s;
    }
    case Tok::kOQuote: {
      Token t = next();
      return parse_template_expr(t.start, TemplateEnd::kQuote, {}, false);
    }
    case Tok::kHeredoc: {
      Token t = next();
      return parse_template_expr(t.start, TemplateEnd::kHeredoc, t.marker, t.flush);
    }
    case Tok::kLParen: {
      Token open = next();
      NewlineScope nl(*this, false);
      const Expr* inner = parse_expr();
      const Token& close = peek();
      if (close.type != Tok::kRParen)
        fail(close, std::string("expected ')' to close the parentheses, found ") + tok_name(close.type));
      Token c = next();
      auto* e = node<ParensExpr>(open.start, c.end);
      e->inner = inner;
      return e;
    }
    case Tok::kLBrack: return parse_tuple(next());
    case Tok::kLBrace: return parse_object(next());
    case Tok::kMinus:
    case Tok::kBang: {
      Token op = next();
      const Expr* operand = parse_term_with_traversals();
      auto* u = node<UnaryExpr>(op.start, operand->range.end);
      u->op = op.type == Tok::kMinus ? UnaryOp::kNegate : UnaryOp::kNot;
      u->operand = operand;
      return u;
    }
    case Tok::kNewline:
    case Tok::kEof: fail(p, "expected an expression, found " + std::string(tok_name(p.type)));
    default: fail(p, "expected an expression, found " + std::string(tok_name(p.type)));
  }
}

const Expr* Parser::parse_call(const Token& first) {
  // Namespaced names: provider::aws::arn_parse.
  Pos name_end = first.end;
  std::string_view name = first.text;
  if (peek().type == Tok::kDoubleColon) {
    while (peek().type == Tok::kDoubleColon) {
      next();
      Token part = expect(Tok::kIdent, "a name after '::'");
      name_end = part.end;
    }
    name = lx_.text().substr(first.start.byte - base_.byte, name_end.byte - first.start.byte);
    if (peek().type != Tok::kLParen) fail(peek(), "a namespaced name must be a function call");
  }
  Token open = next();
  NewlineScope nl(*this, false);
  std::vector<const Expr*> args;
  bool expand = false;
  while (true) {
    if (peek().type == Tok::kRParen) break;
    args.push_back(parse_expr());
    const Token& t = peek();
    if (t.type == Tok::kEllipsis) {
      next();
      expand = true;
      if (peek().type != Tok::kRParen)
        fail(peek(), "'...' may only follow the last argument of a function call");
      break;
    }
    if (t.type == Tok::kComma) {
      next();
      continue;
    }
    if (t.type == Tok::kRParen) break;
    fail(t, std::string("expected ',' or ')' in the function call, found ") + tok_name(t.type));
  }
  Token close = next();
  auto* c = node<CallExpr>(first.start, close.end);
  c->name = name;
  c->name_range = lx_.range(first.start, name_end);
  c->args = impl_.copy(args);
  c->expand_final = expand;
  c->open_paren = lx_.range(open.start, open.end);
  c->close_paren = lx_.range(close.start, close.end);
  return c;
}

const Expr* Parser::parse_tuple(const Token& open) {
  NewlineScope nl(*this, false);
  if (peek().type == Tok::kIdent && peek().text == "for") return parse_for(open, false);
  std::vector<const Expr*> items;
  while (true) {
    if (peek().type == Tok::kRBrack) break;
    items.push_back(parse_expr());
    const Token& t = peek();
    if (t.type == Tok::kComma) {
      next();
      continue;
    }
    if (t.type == Tok::kRBrack) break;
    if (t.type == Tok::kEof) fail(open, "unterminated tuple: no ']' before the end of the file");
    fail(t, std::string("expected ',' or ']' in the tuple, found ") + tok_name(t.type));
  }
  Token close = next();
  auto* e = node<TupleExpr>(open.start, close.end);
  e->items = impl_.copy(items);
  return e;
}

const Expr* Parser::parse_object(const Token& open) {
  {
    NewlineScope nl(*this, false);
    if (peek().type == Tok::kIdent && peek().text == "for") return parse_for(open, true);
  }
  NewlineScope nl(*this, true);
  std::vector<ObjectItem> items;
  while (true) {
    const Token& t = peek();
    if (t.type == Tok::kNewline) {
      next();
      continue;
    }
    if (t.type == Tok::kRBrace) break;
    if (t.type == Tok::kEof) fail(open, "unterminated object: no '}' before the end of the file");
    ObjectItem item;
    item.key = parse_expr();
    if (const auto* s = item.key->if_kind<ScopeTraversalExpr>(); s && s->steps.empty()) item.bare_key = true;
    const Token& sep = peek();
    if (sep.type != Tok::kAssign && sep.type != Tok::kColon) {
      if (sep.type == Tok::kEof) fail(open, "unterminated object: no '}' before the end of the file");
      fail(sep, std::string("expected '=' or ':' after the object key, found ") + tok_name(sep.type));
    }
    item.colon = sep.type == Tok::kColon;
    next();
    item.value = parse_expr();
    items.push_back(item);
    const Token& after = peek();
    if (after.type == Tok::kRBrace) break;
    if (after.type == Tok::kComma || after.type == Tok::kNewline) {
      next();
      continue;
    }
    if (after.type == Tok::kEof) fail(open, "unterminated object: no '}' before the end of the file");
    fail(after, std::string("expected a newline or ',' after the object item, found ") + tok_name(after.type));
  }
  Token close = next();
  auto* e = node<ObjectExpr>(open.start, close.end);
  e->items = impl_.copy(items);
  return e;
}

const Expr* Parser::parse_for(const Token& open, bool object) {
  NewlineScope nl(*this, false);
  next();  // "for"
  Token v = expect(Tok::kIdent, "a variable name after 'for'");
  std::string_view key_var;
  std::string_view value_var = v.text;
  if (peek().type == Tok::kComma) {
    next();
    key_var = value_var;
    value_var = expect(Tok::kIdent, "a value variable name after ','").text;
  }
  if (!(peek().type == Tok::kIdent && peek().text == "in"))
    fail(peek(), "a for expression requires 'in' after its variable names");
  next();
  const Expr* coll = parse_expr();
  expect(Tok::kColon, "':' after the collection of the for expression");
  const Expr* key = nullptr;
  const Expr* value = parse_expr();
  if (peek().type == Tok::kFatArrow) {
    Token arrow = next();
    key = value;
    if (!object) fail(arrow, "a key expression ('=>') is not valid when building a tuple");
    value = parse_expr();
  }
  bool group = false;
  if (peek().type == Tok::kEllipsis) {
    Token e = next();
    if (!object) fail(e, "the grouping ellipsis (...) cannot be used when building a tuple");
    group = true;
  }
  const Expr* cond = nullptr;
  if (peek().type == Tok::kIdent && peek().text == "if") {
    next();
    cond = parse_expr();
  }
  Tok close_type = object ? Tok::kRBrace : Tok::kRBrack;
  const Token& c = peek();
  if (c.type != close_type)
    fail(c, std::string("extra characters after the end of the for expression: ") + tok_name(c.type));
  if (object && !key) fail(value->range.start, value->range.end, "a key expression ('=>') is required when building an object");
  Token close = next();
  auto* f = node<ForExpr>(open.start, close.end);
  f->object = object;
  f->key_var = key_var;
  f->value_var = value_var;
  f->collection = coll;
  f->key = key;
  f->value = value;
  f->condition = cond;
  f->grouping = group;
  return f;
}

namespace {
Range join(const Range& a, const Range& b) { return Range{a.file, a.start, b.end}; }
}  // namespace

const Expr* Parser::parse_traversals(const Expr* from, bool attr_only) {
  const Expr* cur = from;
  std::vector<TraversalStep> steps;
  auto flush = [&]() {
    if (steps.empty()) return;
    if (const auto* s = cur->if_kind<ScopeTraversalExpr>()) {
      auto* t = node<ScopeTraversalExpr>(s->range.start, steps.back().range.end);
      t->root = s->root;
      t->root_range = s->root_range;
      if (s->steps.empty()) {
        t->steps = impl_.copy(steps);
      } else {
        std::vector<TraversalStep> all(s->steps.begin(), s->steps.end());
        all.insert(all.end(), steps.begin(), steps.end());
        t->steps = impl_.copy(all);
      }
      cur = t;
    } else if (const auto* r = cur->if_kind<RelativeTraversalExpr>()) {
      auto* t = node<RelativeTraversalExpr>(r->range.start, steps.back().range.end);
      t->source = r->source;
      std::vector<TraversalStep> all(r->steps.begin(), r->steps.end());
      all.insert(all.end(), steps.begin(), steps.end());
      t->steps = impl_.copy(all);
      cur = t;
    } else {
      auto* t = node<RelativeTraversalExpr>(cur->range.start, steps.back().range.end);
      t->source = cur;
      t->steps = impl_.copy(steps);
      cur = t;
    }
    steps.clear();
  };
  auto legacy_index = [&](const Token& dot, const Token& num) {
    // `.0`. A number token like "0.1" (from `a.0.1`) is two chained legacy indexes,
    // which hcl rejects.
    if (num.text.find_first_not_of("0123456789") != std::string_view::npos)
      fail(num, "invalid legacy index syntax: chaining two indexes (.0.1) is not permitted; write [0][1]");
    TraversalStep s;
    s.kind = StepKind::kIndex;
    s.key = make_number(num);
    s.legacy_index = true;
    s.range = lx_.range(dot.start, num.end);
    steps.push_back(s);
  };
  while (true) {
    const Token& t = peek();
    if (t.type == Tok::kDot) {
      Token dot = next();
      const Token& n = peek();
      if (n.type == Tok::kIdent) {
        Token name = next();
        TraversalStep s;
        s.kind = StepKind::kAttr;
        s.name = name.text;
        s.range = lx_.range(dot.start, name.end);
        steps.push_back(s);
        continue;
      }
      if (n.type == Tok::kNumber) {
        Token num = next();
        legacy_index(dot, num);
        continue;
      }
      if (n.type == Tok::kStar && !attr_only) {
        Token star = next();
        flush();
        // Legacy attribute-only splat: only `.name` (and `.0`) steps apply to each item.
        auto* sp = node<SplatExpr>(cur->range.start, star.end);
        auto* item = node<SplatItemExpr>(dot.start, star.end);
        item->splat = sp;
        sp->source = cur;
        sp->legacy = true;
        sp->marker = lx_.range(dot.start, star.end);
        const Expr* each = item;
        std::vector<TraversalStep> each_steps;
        Pos last = star.end;
        while (peek().type == Tok::kDot) {
          Token d = next();
          const Token& k = peek();
          if (k.type == Tok::kNumber) {
            Token num = next();
            std::swap(steps, each_steps);
            legacy_index(d, num);
            std::swap(steps, each_steps);
            last = num.end;
            continue;
          }
          if (k.type != Tok::kIdent) fail(k, std::string("expected an attribute name after '.', found ") + tok_name(k.type));
          Token name = next();
          TraversalStep s;
          s.kind = StepKind::kAttr;
          s.name = name.text;
          s.range = lx_.range(d.start, name.end);
          each_steps.push_back(s);
          last = name.end;
        }
        if (!each_steps.empty()) {
          auto* rel = node<RelativeTraversalExpr>(each_steps.front().range.start, last);
          rel->source = item;
          rel->steps = impl_.copy(each_steps);
          each = rel;
        }
        sp->each = each;
        sp->range = join(cur->range, lx_.range(last, last));
        cur = sp;
        continue;
      }
      fail(n, std::string("expected an attribute name after '.', found ") + tok_name(n.type));
    }
    if (t.type == Tok::kLBrack && !attr_only) {
      Token open = next();
      NewlineScope nl(*this, false);
      if (peek().type == Tok::kStar) {
        next();
        Token close = expect(Tok::kRBrack, "']' after '[*'");
        flush();
        auto* sp = node<SplatExpr>(cur->range.start, close.end);
        auto* item = node<SplatItemExpr>(open.start, close.end);
        item->splat = sp;
        sp->source = cur;
        sp->marker = lx_.range(open.start, close.end);
        // A full splat takes every following traversal step for each element.
        const Expr* each;
        {
          NewlineScope outer(*this, nl.saved_);
          each = parse_traversals(item, false);
        }
        sp->each = each;
        sp->range = join(cur->range, each->range);
        cur = sp;
        continue;
      }
      const Expr* key = parse_expr();
      const Token& c = peek();
      if (c.type != Tok::kRBrack) fail(c, std::string("expected ']' to close the index, found ") + tok_name(c.type));
      Token close = next();
      const LiteralExpr* lit = key->if_kind<LiteralExpr>();
      if (!lit) {
        if (const auto* tmpl = key->if_kind<TemplateExpr>(); tmpl && tmpl->is_literal() && !tmpl->heredoc) {
          lit = make_string_literal(tmpl->literal_value(), tmpl->range);
        }
      }
      if (lit) {
        TraversalStep s;
        s.kind = StepKind::kIndex;
        s.key = lit;
        s.range = lx_.range(open.start, close.end);
        steps.push_back(s);
        continue;
      }
      flush();
      auto* ix = node<IndexExpr>(cur->range.start, close.end);
      ix->collection = cur;
      ix->key = key;
      ix->brackets = lx_.range(open.start, close.end);
      cur = ix;
      continue;
    }
    break;
  }
  flush();
  return cur;
}

// ---------------------------------------------------------------------------------------
// Templates

bool Parser::at_heredoc_end(std::string_view marker, uint32_t& end_off) const {
  uint32_t i = lx_.offset();
  while (lx_.at(i) == ' ' || lx_.at(i) == '\t') ++i;
  std::string_view text = lx_.text();
  if (text.substr(i, marker.size()) != marker) return false;
  uint32_t j = i + static_cast<uint32_t>(marker.size());
  char c = lx_.at(j);
  if (j >= text.size() || c == '\n' || (c == '\r' && lx_.at(j + 1) == '\n')) {
    end_off = j;
    return true;
  }
  return false;
}

// Reads `${ expr }` or `%{ directive }`; the lexer is at '$' or '%'.
void Parser::parse_template_sequence(std::vector<TTok>& out, bool& ltrim_next) {
  Pos start = lx_.pos();
  bool interp = lx_.cur() == '$';
  lx_.advance(2);
  TTok tok;
  tok.start = start;
  if (lx_.cur() == '~') {
    tok.strip_left = true;
    lx_.advance(1);
    if (!out.empty() && out.back().kind == TTok::kLit && out.back().end == start) trim_right(out.back().text);
  }
  NewlineScope nl(*this, false);
  if (interp) {
    tok.kind = TTok::kInterp;
    tok.expr = parse_expr();
  } else {
    const Token& kw = peek();
    if (kw.type != Tok::kIdent) fail(kw, "expected a template directive keyword (if, for, else, endif, endfor)");
    Token k = next();
    if (k.text == "if") {
      tok.kind = TTok::kIf;
      tok.expr = parse_expr();
    } else if (k.text == "else") {
      tok.kind = TTok::kElse;
    } else if (k.text == "endif") {
      tok.kind = TTok::kEndIf;
    } else if (k.text == "endfor") {
      tok.kind = TTok::kEndFor;
    } else if (k.text == "for") {
      tok.kind = TTok::kFor;
      Token v = expect(Tok::kIdent, "a variable name after 'for'");
      tok.value_var = v.text;
      if (peek().type == Tok::kComma) {
        next();
        tok.key_var = tok.value_var;
        tok.value_var = expect(Tok::kIdent, "a value variable name after ','").text;
      }
      if (!(peek().type == Tok::kIdent && peek().text == "in"))
        fail(peek(), "a for directive requires 'in' after its variable names");
      next();
      tok.expr = parse_expr();
    } else {
      fail(k, "'" + std::string(k.text) + "' is not a valid template directive keyword");
    }
  }
  const Token& c = peek();
  if (c.type != Tok::kRBrace && c.type != Tok::kTildeRBrace) {
    if (c.type == Tok::kEof) fail(start, start, "unclosed template sequence: no '}' before the end of the file");
    fail(c, std::string("expected '}' to end the template sequence, found ") + tok_name(c.type) +
                " (write $${ for a literal ${)");
  }
  Token close = next();
  tok.strip_right = close.type == Tok::kTildeRBrace;
  ltrim_next = tok.strip_right;
  tok.end = close.end;
  out.push_back(std::move(tok));
}

void Parser::scan_template_parts(TemplateEnd end, std::string_view marker, std::vector<TTok>& out, Pos& end_pos) {
  bool ltrim = false;
  std::string lit;
  Pos lit_start = lx_.pos();
  bool line_start = true;
  std::string message;
  auto flush_lit = [&](bool keep_empty) {
    Pos here = lx_.pos();
    if (lit.empty() && !keep_empty && here == lit_start) return;
    TTok t;
    t.kind = TTok::kLit;
    t.text = std::move(lit);
    lit.clear();
    if (ltrim) trim_left(t.text);
    ltrim = false;
    t.start = lit_start;
    t.end = here;
    out.push_back(std::move(t));
    lit_start = here;
  };
  const bool quoted = end == TemplateEnd::kQuote;
  while (true) {
    if (end == TemplateEnd::kHeredoc && line_start) {
      uint32_t mend = 0;
      if (at_heredoc_end(marker, mend)) {
        flush_lit(false);
        lx_.advance(mend - lx_.offset());
        end_pos = lx_.pos();
        return;
      }
      line_start = false;
    }
    if (lx_.at_end()) {
      if (end == TemplateEnd::kEof) {
        flush_lit(false);
        end_pos = lx_.pos();
        return;
      }
      Pos p = lx_.pos();
      fail(p, p, end == TemplateEnd::kQuote ? "unterminated string: no closing '\"' before the end of the file"
                                            : "unterminated heredoc: no closing '" + std::string(marker) + "' line");
    }
    char c = lx_.cur();
    char c1 = lx_.at(lx_.offset() + 1);
    if (quoted && c == '"') {
      flush_lit(false);
      lx_.advance(1);
      end_pos = lx_.pos();
      return;
    }
    if (quoted && (c == '\n' || (c == '\r' && c1 == '\n'))) {
      Pos p = lx_.pos();
      fail(p, p, "unterminated string: a quoted string cannot contain a line break (use \\n or a heredoc)");
    }
    if ((c == '$' || c == '%') && c1 == c && lx_.at(lx_.offset() + 2) == '{') {
      lit += c;
      lit += '{';
      lx_.advance(3);
      continue;
    }
    if ((c == '$' || c == '%') && c1 == '{') {
      flush_lit(false);
      parse_template_sequence(out, ltrim);
      lit_start = lx_.pos();
      continue;
    }
    if (quoted && c == '\\') {
      // One escape sequence.
      uint32_t o = lx_.offset();
      uint32_t len = 2;
      if (c1 == 'u') len = 6;
      if (c1 == 'U') len = 10;
      std::string_view raw = lx_.text().substr(o, len);
      size_t bad = 0;
      Pos p = lx_.pos();
      if (!decode_quoted(raw, lit, message, bad)) fail(p, p, "invalid escape sequence: " + message);
      lx_.advance(len);
      continue;
    }
    if (c == '\n' && !quoted) {
      lit += '\n';
      lx_.advance(1);
      line_start = true;
      // Heredoc and template literals end at each line break (as hcl's scanner does),
      // which bounds what a strip marker can trim.
      flush_lit(true);
      continue;
    }
    // A run of plain characters.
    uint32_t o = lx_.offset();
    std::string_view text = lx_.text();
    uint32_t e = o + 1;
    while (e < text.size()) {
      char d = text[e];
      if (d == '\n' || d == '$' || d == '%' || (quoted && (d == '"' || d == '\\'))) break;
      ++e;
    }
    lit.append(text.substr(o, e - o));
    lx_.advance(e - o);
  }
}

std::span<const TemplatePart> Parser::build_template(std::vector<TTok>& toks, size_t& i, int stop, Pos& stop_at) {
  // stop: 0 = end of template, 1 = else/endif, 2 = endfor.
  std::vector<TemplatePart> parts;
  while (i < toks.size()) {
    TTok& t = toks[i];
    if (t.kind == TTok::kElse || t.kind == TTok::kEndIf) {
      if (stop != 1) fail(t.start, t.end, t.kind == TTok::kElse ? "unexpected %{else} directive" : "unexpected %{endif} directive");
      break;
    }
    if (t.kind == TTok::kEndFor) {
      if (stop != 2) fail(t.start, t.end, "unexpected %{endfor} directive");
      break;
    }
    ++i;
    count_node();
    TemplatePart p;
    p.range = lx_.range(t.start, t.end);
    p.strip_left = t.strip_left;
    p.strip_right = t.strip_right;
    switch (t.kind) {
      case TTok::kLit:
        p.kind = TemplatePartKind::kLiteral;
        p.text = impl_.save(t.text);
        break;
      case TTok::kInterp:
        p.kind = TemplatePartKind::kInterpolation;
        p.expr = t.expr;
        break;
      case TTok::kIf: {
        DepthScope depth(*this);
        p.kind = TemplatePartKind::kIf;
        p.expr = t.expr;
        Pos at{};
        p.then_parts = build_template(toks, i, 1, at);
        if (i >= toks.size()) fail(t.start, t.end, "this %{if} directive has no matching %{endif}");
        if (toks[i].kind == TTok::kElse) {
          p.has_else = true;
          ++i;
          p.else_parts = build_template(toks, i, 1, at);
          if (i >= toks.size()) fail(t.start, t.end, "this %{if} directive has no matching %{endif}");
          if (toks[i].kind == TTok::kElse) fail(toks[i].start, toks[i].end, "unexpected second %{else} directive");
        }
        p.range = lx_.range(t.start, toks[i].end);
        ++i;  // endif
        break;
      }
      case TTok::kFor: {
        DepthScope depth(*this);
        p.kind = TemplatePartKind::kFor;
        p.expr = t.expr;
        p.key_var = t.key_var;
        p.value_var = t.value_var;
        Pos at{};
        p.then_parts = build_template(toks, i, 2, at);
        if (i >= toks.size()) fail(t.start, t.end, "this %{for} directive has no matching %{endfor}");
        p.range = lx_.range(t.start, toks[i].end);
        ++i;  // endfor
        break;
      }
      default: break;
    }
    parts.push_back(p);
  }
  if (stop != 0 && i >= toks.size()) return impl_.copy(parts);
  stop_at = i < toks.size() ? toks[i].start : Pos{};
  return impl_.copy(parts);
}

const TemplateExpr* Parser::parse_template_expr(Pos start, TemplateEnd end, std::string_view marker, bool flush) {
  DepthScope depth(*this);
  // The lexer is just past the opening quote or heredoc introducer; no token is pending.
  if (end == TemplateEnd::kQuote) {
    // Fast path: most strings have no escapes, sequences or line breaks, and their one
    // literal part can point into the source text.
    std::string_view text = lx_.text();
    size_t stop = text.find_first_of("\"\\$%\n\r", lx_.offset());
    if (stop != std::string_view::npos && text[stop] == '"') {
      uint32_t len = static_cast<uint32_t>(stop - lx_.offset());
      if (len + 2 > limits_.max_template) {
        throw LimitError{core::make_error("hcl.limit.template",
                                          "template longer than " + std::to_string(limits_.max_template) + " bytes",
                                          core::Location{impl_.path, start.line, start.column, start.byte})};
      }
      Pos lit_start = lx_.pos();
      std::string_view value = text.substr(lx_.offset(), len);
      lx_.advance(len);
      Pos lit_end = lx_.pos();
      lx_.advance(1);
      count_node();
      TemplatePart part;
      part.kind = TemplatePartKind::kLiteral;
      part.range = lx_.range(lit_start, lit_end);
      part.text = value;
      auto* e = node<TemplateExpr>(start, lx_.pos());
      e->parts = impl_.copy(&part, 1);
      return e;
    }
  }
  std::vector<TTok> toks;
  Pos end_pos{};
  scan_template_parts(end, marker, toks, end_pos);
  if (end_pos.byte - start.byte > limits_.max_template) {
    throw LimitError{core::make_error("hcl.limit.template",
                                      "template longer than " + std::to_string(limits_.max_template) + " bytes",
                                      core::Location{impl_.path, start.line, start.column, start.byte})};
  }
  if (flush) {
    // <<- : remove the smallest leading whitespace (in characters) from every line;
    // lines that are entirely whitespace do not count (hcl flushHeredocTemplateParts).
    size_t min_spaces = std::numeric_limits<size_t>::max();
    bool newline = true;
    std::vector<std::pair<size_t, size_t>> adjust;  // token index, space chars
    for (size_t k = 0; k < toks.size(); ++k) {
      TTok& t = toks[k];
      if (newline) {
        newline = false;
        size_t spaces = 0;
        if (t.kind == TTok::kLit) {
          size_t b = 0;
          size_t chars = 0;
          while (b < t.text.size()) {
            size_t n = space_len(t.text, b);
            if (n == 0) break;
            b += n;
            ++chars;
          }
          bool blank = b == t.text.size() && !t.text.empty() && t.text.back() == '\n';
          if (blank) {
            spaces = std::numeric_limits<size_t>::max();
          } else {
            spaces = chars;
            adjust.emplace_back(k, chars);
          }
        }
        min_spaces = std::min(min_spaces, spaces);
      }
      if (t.kind == TTok::kLit && !t.text.empty() && t.text.back() == '\n') newline = true;
    }
    if (min_spaces == std::numeric_limits<size_t>::max()) min_spaces = 0;
    for (auto [k, chars] : adjust) {
      (void)chars;
      std::string& s = toks[k].text;
      size_t b = 0;
      for (size_t n = 0; n < min_spaces && b < s.size(); ++n) b += std::max<size_t>(1, space_len(s, b));
      s.erase(0, std::min(b, s.size()));
      toks[k].start.column += static_cast<uint32_t>(min_spaces);
      toks[k].start.byte += static_cast<uint32_t>(b);
    }
  }
  // Meld consecutive literals.
  std::vector<TTok> melded;
  melded.reserve(toks.size());
  for (TTok& t : toks) {
    if (t.kind == TTok::kLit && !melded.empty() && melded.back().kind == TTok::kLit) {
      melded.back().text += t.text;
      melded.back().end = t.end;
      continue;
    }
    melded.push_back(std::move(t));
  }
  if (melded.empty()) {
    TTok t;
    t.kind = TTok::kLit;
    Pos at = end == TemplateEnd::kQuote ? Pos{start.line, start.column + 1, start.byte + 1} : end_pos;
    t.start = at;
    t.end = at;
    melded.push_back(std::move(t));
  }
  size_t i = 0;
  Pos at{};
  auto parts = build_template(melded, i, 0, at);
  auto* e = node<TemplateExpr>(start, end_pos);
  e->parts = parts;
  if (end == TemplateEnd::kHeredoc) {
    e->heredoc = true;
    e->heredoc_flush = flush;
    e->heredoc_marker = marker;
  }
  return e;
}

// ---------------------------------------------------------------------------------------
// Entry points

const Expr* Parser::parse_standalone_expression() {
  NewlineScope nl(*this, false);
  const Expr* e = parse_expr();
  const Token& t = peek();
  if (t.type != Tok::kEof) fail(t, std::string("extra characters after the expression: ") + tok_name(t.type));
  return e;
}

const Expr* Parser::parse_standalone_template() {
  return parse_template_expr(lx_.pos(), TemplateEnd::kEof, {}, false);
}

}  // namespace sekimori::hcl::internal
