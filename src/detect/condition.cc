#include "detect/condition.h"

#include <cctype>

namespace sekimori::detect {

namespace {

enum class Tok : uint8_t { kIdent, kLParen, kRParen, kEnd };

struct Token {
  Tok type;
  std::string_view text;
  uint32_t column;
};

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '*' || c == '-' ||
         c == '.' || c == '?';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

core::Error error_at(std::string message, uint32_t column, const char* code = "sigma.condition.syntax") {
  return core::make_error(code, std::move(message), core::Location{"", 1, column, column > 0 ? column - 1 : 0});
}

class Parser {
 public:
  Parser(std::string_view text, const ConditionLimits& limits) : text_(text), limits_(limits) {}

  core::Result<CondNode> parse() {
    SKM_TRY(tokenize());
    SKM_TRY_ASSIGN(CondNode root, parse_or(0));
    if (peek().type != Tok::kEnd) {
      return error_at("unexpected '" + std::string(peek().text) + "'", peek().column);
    }
    return root;
  }

 private:
  core::Status tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      auto col = static_cast<uint32_t>(i + 1);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '(') {
        toks_.push_back({Tok::kLParen, text_.substr(i, 1), col});
        ++i;
      } else if (c == ')') {
        toks_.push_back({Tok::kRParen, text_.substr(i, 1), col});
        ++i;
      } else if (c == '|') {
        return error_at("pipe aggregations ('| count() ...') are obsolete; write a correlation rule instead", col,
                        "sigma.condition.aggregation");
      } else if (ident_char(c)) {
        size_t j = i;
        while (j < text_.size() && ident_char(text_[j])) ++j;
        toks_.push_back({Tok::kIdent, text_.substr(i, j - i), col});
        i = j;
      } else {
        return error_at(std::string("unexpected character '") + c + "'", col);
      }
    }
    toks_.push_back({Tok::kEnd, {}, static_cast<uint32_t>(text_.size() + 1)});
    return {};
  }

  const Token& peek() const { return toks_[pos_]; }
  bool at_keyword(std::string_view kw) const { return peek().type == Tok::kIdent && iequals(peek().text, kw); }

  core::Result<CondNode> parse_or(uint32_t depth) {
    SKM_TRY_ASSIGN(CondNode left, parse_and(depth));
    if (!at_keyword("or")) return left;
    CondNode node{CondKind::kOr, {}, left.column, {}};
    node.children.push_back(std::move(left));
    while (at_keyword("or")) {
      ++pos_;
      SKM_TRY_ASSIGN(CondNode right, parse_and(depth));
      node.children.push_back(std::move(right));
    }
    return node;
  }

  core::Result<CondNode> parse_and(uint32_t depth) {
    SKM_TRY_ASSIGN(CondNode left, parse_unary(depth));
    if (!at_keyword("and")) return left;
    CondNode node{CondKind::kAnd, {}, left.column, {}};
    node.children.push_back(std::move(left));
    while (at_keyword("and")) {
      ++pos_;
      SKM_TRY_ASSIGN(CondNode right, parse_unary(depth));
      node.children.push_back(std::move(right));
    }
    return node;
  }

  core::Result<CondNode> parse_unary(uint32_t depth) {
    if (depth >= limits_.max_depth) {
      return error_at("condition nested deeper than " + std::to_string(limits_.max_depth), peek().column,
                      "sigma.limit.condition_depth");
    }
    if (at_keyword("not")) {
      uint32_t col = peek().column;
      ++pos_;
      SKM_TRY_ASSIGN(CondNode inner, parse_unary(depth + 1));
      CondNode node{CondKind::kNot, {}, col, {}};
      node.children.push_back(std::move(inner));
      return node;
    }
    return parse_primary(depth);
  }

  core::Result<CondNode> parse_primary(uint32_t depth) {
    const Token& t = peek();
    if (t.type == Tok::kLParen) {
      ++pos_;
      SKM_TRY_ASSIGN(CondNode inner, parse_or(depth + 1));
      if (peek().type != Tok::kRParen) return error_at("expected ')'", peek().column);
      ++pos_;
      return inner;
    }
    if (t.type != Tok::kIdent) {
      if (t.type == Tok::kEnd) return error_at("unexpected end of condition", t.column);
      return error_at("unexpected '" + std::string(t.text) + "'", t.column);
    }
    if (iequals(t.text, "and") || iequals(t.text, "or") || iequals(t.text, "of")) {
      return error_at("unexpected keyword '" + std::string(t.text) + "'", t.column);
    }
    bool quant = t.text == "1" || iequals(t.text, "any") || iequals(t.text, "all");
    if (quant && pos_ + 1 < toks_.size() && toks_[pos_ + 1].type == Tok::kIdent && iequals(toks_[pos_ + 1].text, "of")) {
      CondKind kind = iequals(t.text, "all") ? CondKind::kAllOf : CondKind::kOneOf;
      uint32_t col = t.column;
      pos_ += 2;
      const Token& target = peek();
      if (target.type != Tok::kIdent || iequals(target.text, "and") || iequals(target.text, "or") ||
          iequals(target.text, "not")) {
        return error_at("expected a name pattern or 'them' after 'of'", target.column);
      }
      ++pos_;
      return CondNode{kind, iequals(target.text, "them") ? std::string("them") : std::string(target.text), col, {}};
    }
    if (std::isdigit(static_cast<unsigned char>(t.text[0])) && pos_ + 1 < toks_.size() &&
        iequals(toks_[pos_ + 1].text, "of")) {
      return error_at("only '1 of', 'any of' and 'all of' are defined; '" + std::string(t.text) + " of' is not",
                      t.column);
    }
    if (t.text.find('*') != std::string_view::npos || t.text.find('?') != std::string_view::npos) {
      return error_at("wildcards are only allowed after '1 of' / 'all of'", t.column);
    }
    ++pos_;
    return CondNode{CondKind::kRef, std::string(t.text), t.column, {}};
  }

  std::string_view text_;
  const ConditionLimits& limits_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
};

}  // namespace

core::Result<CondNode> parse_condition(std::string_view text, const ConditionLimits& limits) {
  if (text.size() > limits.max_length) {
    return error_at("condition longer than " + std::to_string(limits.max_length) + " bytes", 1,
                    "sigma.limit.condition_length");
  }
  Parser p(text, limits);
  return p.parse();
}

bool name_matches(std::string_view pattern, std::string_view name) {
  // Iterative glob with one backtrack point: linear in practice, O(n*m) worst case on
  // names that are at most a few hundred bytes.
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && (pattern[p] == name[n] || pattern[p] == '?')) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sekimori::detect
