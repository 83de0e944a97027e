// load_json: simdjson On-Demand into the document model, every node located.
//
// Locations: On-Demand values expose raw_json_token(), a view into the input buffer, so
// a node's byte offset is `token.data() - input`; keys use the raw key pointer (just
// after the opening quote). A LineIndex turns offsets into 1-based line and byte column
// (CRLF is one line break). Errors carry the location of the token simdjson stopped at;
// errors simdjson reports before walking (stage 1) are located by small scans here:
// the first invalid UTF-8 byte (doc.utf8), the opening quote of an unclosed string.
//
// A UTF-8 BOM is skipped silently (RFC 8259 lets parsers ignore it) and offsets count
// from after it, as Document::text() does. The input string is reused as simdjson's
// padded buffer (no copy). Nesting is capped at internal::kHardMaxDepth whatever
// Limits::max_depth says, since the walk recurses once per level.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <simdjson.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "formats/document.h"
#include "formats/internal/text_util.h"

namespace sekimori::formats {

namespace {

namespace od = simdjson::ondemand;

// A strict, slow, non-recursive JSON checker used only after simdjson has reported a
// syntax error, to find where the error is (simdjson often knows only "somewhere").
struct SyntaxProblem {
  size_t offset;
  const char* message;
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? starting at i; returns the end or npos.
size_t scan_number(std::string_view t, size_t i) {
  auto digit = [&](size_t k) { return k < t.size() && t[k] >= '0' && t[k] <= '9'; };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digit(i)) return std::string_view::npos;
  if (t[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digit(i)) return std::string_view::npos;
    while (digit(i)) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return std::string_view::npos;
    while (digit(i)) ++i;
  }
  return i;
}

std::optional<SyntaxProblem> find_syntax_problem(std::string_view t) {
  // Stack of open containers: '[' or '{'. `want` is what may come next.
  enum Want { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kCommaOrClose, kEnd };
  std::vector<char> stack;
  Want want = kValue;
  size_t i = 0;
  auto after_value = [&] { want = stack.empty() ? kEnd : kCommaOrClose; };
  while (true) {
    while (i < t.size() && is_ws(t[i])) ++i;
    if (i == t.size()) {
      if (want == kEnd) return std::nullopt;
      return SyntaxProblem{i, stack.empty() ? "expected a value" : "unexpected end of input: unclosed [ or {"};
    }
    char c = t[i];
    switch (want) {
      case kEnd: return SyntaxProblem{i, "unexpected content after the JSON value"};
      case kColon:
        if (c != ':') return SyntaxProblem{i, "expected ':' after an object key"};
        ++i;
        want = kValue;
        continue;
      case kCommaOrClose:
        if (c == ',') {
          ++i;
          want = stack.back() == '[' ? kValue : kKey;
          continue;
        }
        if ((c == ']' && stack.back() == '[') || (c == '}' && stack.back() == '{')) {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        return SyntaxProblem{i, stack.back() == '[' ? "expected ',' or ']'" : "expected ',' or '}'"};
      case kKey:
      case kKeyOrClose:
        if (c == '}' && want == kKeyOrClose) {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        if (c != '"') return SyntaxProblem{i, "expected a string key"};
        break;
      case kValueOrClose:
        if (c == ']') {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        break;
      case kValue: break;
    }
    // A value (or a key, which is a string).
    bool is_key = want == kKey || want == kKeyOrClose;
    if (c == '"') {
      size_t start = i++;
      while (true) {
        if (i >= t.size()) return SyntaxProblem{start, "unclosed string"};
        auto u = static_cast<unsigned char>(t[i]);
        if (u == '"') break;
        if (u < 0x20) return SyntaxProblem{i, "control character in a string"};
        if (u == '\\') {
          ++i;
          if (i >= t.size()) return SyntaxProblem{start, "unclosed string"};
          char e = t[i];
          if (e == 'u') {
            for (size_t k = 1; k <= 4; ++k) {
              if (i + k >= t.size() || std::isxdigit(static_cast<unsigned char>(t[i + k])) == 0) {
                return SyntaxProblem{i - 1, "invalid \\u escape"};
              }
            }
            i += 4;
          } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
            return SyntaxProblem{i - 1, "invalid escape"};
          }
        }
        ++i;
      }
      ++i;
      if (is_key) {
        want = kColon;
      } else {
        after_value();
      }
      continue;
    }
    if (c == '[' || c == '{') {
      stack.push_back(c);
      ++i;
      want = c == '[' ? kValueOrClose : kKeyOrClose;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = scan_number(t, i);
      if (end == std::string_view::npos) return SyntaxProblem{i, "invalid number"};
      if (end < t.size() && !is_ws(t[end]) && std::string_view(",]}").find(t[end]) == std::string_view::npos) {
        return SyntaxProblem{i, "invalid number"};
      }
      i = end;
      after_value();
      continue;
    }
    bool matched = false;
    for (std::string_view lit : {"true", "false", "null"}) {
      if (t.substr(i, lit.size()) == lit) {
        size_t end = i + lit.size();
        if (end == t.size() || is_ws(t[end]) || std::string_view(",]}").find(t[end]) != std::string_view::npos) {
          i = end;
          matched = true;
        }
        break;
      }
    }
    if (!matched) return SyntaxProblem{i, "expected a JSON value"};
    after_value();
  }
}

class JsonWalker {
 public:
  JsonWalker(Builder& b, const internal::LineIndex& lines, std::string_view text, core::Diagnostics& diags,
             const std::vector<std::vector<std::string>>& prune)
      : b_(b),
        lines_(lines),
        base_(text.data()),
        size_(text.size()),
        diags_(diags),
        prune_(prune.empty() ? nullptr : &prune) {
    if (prune_ != nullptr) build_trie(prune);
  }

  core::Status walk_document(od::document& doc, uint64_t first_offset) {
    doc_ = &doc;
    last_offset_ = first_offset;
    SKM_TRY(walk(doc, first_offset));
    // current_location() fails with OUT_OF_BOUNDS exactly when everything was consumed.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS && rest >= base_) {
      return syntax(simdjson::TRAILING_CONTENT, static_cast<uint64_t>(rest - base_),
                    "unexpected content after the JSON value");
    }
    return {};
  }

  // Converts a simdjson error to ours, located at `offset`. For syntax errors the strict
  // checker usually knows better where the problem is and what it is.
  core::Error error(simdjson::error_code e, uint64_t offset, std::string_view what = {}) const {
    std::string msg = what.empty() ? std::string(simdjson::error_message(e)) : std::string(what);
    const char* code = "json.syntax";
    if (e == simdjson::UTF8_ERROR) code = "doc.utf8";
    if (e == simdjson::DEPTH_ERROR) code = "doc.limit.depth";
    if (e == simdjson::CAPACITY) code = "doc.limit.size";
    if (std::string_view(code) == "json.syntax") {
      if (auto p = find_syntax_problem(std::string_view(base_, size_))) {
        offset = p->offset;
        msg = p->message;
      }
    }
    return core::make_error(code, std::move(msg), b_.location(lines_.pos(offset)));
  }

 private:
  core::Error syntax(simdjson::error_code e, uint64_t offset, std::string_view what = {}) const {
    return error(e, offset, what);
  }

  uint64_t current_offset() const {
    const char* p = nullptr;
    if (doc_ != nullptr && doc_->current_location().get(p) == simdjson::SUCCESS && p >= base_) {
      return static_cast<uint64_t>(p - base_);
    }
    return last_offset_;
  }

  // Where an error raised while reading the node at `offset` is reported: simdjson's
  // current position when it is past the node (e.g. a missing comma), else the node.
  core::Error fail(simdjson::error_code e, uint64_t offset) const {
    uint64_t at = current_offset();
    return syntax(e, at > offset ? at : offset);
  }

  // The first '"' or '\\' in [p, end), or end. Sixteen bytes at a time where SSE2 is there:
  // the input is padded (SIMDJSON_PADDING zero bytes), so a load that starts before `end`
  // may read past it.
  static const char* quote_or_backslash(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (; p < end; p += 16) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      auto mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash))));
      if (mask != 0) return std::min(p + __builtin_ctz(mask), end);
    }
    return end;
#else
    while (p < end && *p != '"' && *p != '\\') ++p;
    return p;
#endif
  }

  // The content of the string whose opening quote is at `quote` when it has no escapes:
  // a view into the input text, which the Builder keeps without copying.
  std::optional<std::string_view> plain_string(uint64_t quote) const {
    const char* start = base_ + quote + 1;
    const char* end = base_ + size_;
    if (start > end) return std::nullopt;
    const char* stop = quote_or_backslash(start, end);
    if (stop == end || *stop != '"') return std::nullopt;
    return std::string_view(start, static_cast<size_t>(stop - start));
  }

  static std::string_view number_text(std::string_view tok) {
    size_t n = 0;
    while (n < tok.size()) {
      char c = tok[n];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        ++n;
      } else {
        break;
      }
    }
    return tok.substr(0, n);
  }

  // V is od::value or od::document (the root), which share this interface.
  template <typename V>
  core::Status walk(V& v, uint64_t offset) {
    last_offset_ = offset;
    Pos pos = lines_.pos(offset);
    od::json_type type;
    if (auto e = v.type().get(type)) return fail(e, offset);
    switch (type) {
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return fail(e, offset);
        SKM_TRY(b_.begin_list(pos));
        for (auto item : arr) {
          od::value child;
          if (auto e = std::move(item).get(child)) return fail(e, offset);
          SKM_TRY(walk(child, token_offset(child)));
        }
        return b_.end_list();
      }
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return fail(e, offset);
        SKM_TRY(b_.begin_map(pos));
        for (auto entry : obj) {
          od::field field;
          if (auto e = std::move(entry).get(field)) return fail(e, offset);
          uint64_t key_offset = static_cast<uint64_t>(
              reinterpret_cast<const char*>(field.key().raw()) - base_ - 1);
          last_offset_ = key_offset;
          std::string_view key;
          if (auto plain = plain_string(key_offset)) {
            key = *plain;
          } else if (auto e = field.unescaped_key().get(key)) {
            return syntax(e, key_offset);
          }
          if (prune_ != nullptr && pruned(key)) continue;  // simdjson skips the unread value
          SKM_TRY(b_.add_string(lines_.pos(key_offset), key));
          od::value child = field.value();
          if (prune_ == nullptr) {
            SKM_TRY(walk(child, token_offset(child)));
          } else {
            enter(key);
            core::Status st = walk(child, token_offset(child));
            leave();
            SKM_TRY(std::move(st));
          }
        }
        return b_.end_map(&diags_);
      }
      case od::json_type::number: return walk_number(v, offset, pos);
      case od::json_type::string: {
        // (Not for a root string: the document must consume it to reach its end.)
        if constexpr (std::is_same_v<V, od::value>) {
          if (auto plain = plain_string(offset)) return b_.add_string(pos, *plain);
        }
        std::string_view s;
        if (auto e = v.get_string().get(s)) return syntax(e, offset);
        return b_.add_string(pos, s);
      }
      case od::json_type::boolean: {
        bool x = false;
        if (auto e = v.get_bool().get(x)) return syntax(e, offset);
        return b_.add_bool(pos, x);
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return syntax(e, offset);
        if (!is_null) return syntax(simdjson::N_ATOM_ERROR, offset);
        return b_.add_null(pos);
      }
    }
    return syntax(simdjson::TAPE_ERROR, offset);
  }

  template <typename V>
  core::Status walk_number(V& v, uint64_t offset, Pos pos) {
    if constexpr (std::is_same_v<V, od::document>) {
      // simdjson copies a root scalar into a small buffer and misreads integers wider
      // than 64 bits there; a root number is read from its token instead.
      std::string_view tok;
      if (auto e = raw_token(v).get(tok)) return syntax(e, offset);
      tok = number_text(tok);
      if (tok.empty() || scan_number(tok, 0) != tok.size()) return syntax(simdjson::NUMBER_ERROR, offset);
      // The document must still consume its value (whatever simdjson makes of it).
      double ignored_d = 0;
      uint64_t ignored_u = 0;
      int64_t ignored_i = 0;
      if (v.get_double().get(ignored_d) != simdjson::SUCCESS && v.get_uint64().get(ignored_u) != simdjson::SUCCESS &&
          v.get_int64().get(ignored_i) != simdjson::SUCCESS) {
        return syntax(simdjson::NUMBER_ERROR, offset);
      }
      if (tok.find_first_of(".eE") == std::string_view::npos) {
        int64_t i = 0;
        auto [ie, iec] = std::from_chars(tok.data(), tok.data() + tok.size(), i);
        if (iec == std::errc() && ie == tok.data() + tok.size()) return b_.add_int(pos, i);
        uint64_t u = 0;
        auto [ue, uec] = std::from_chars(tok.data(), tok.data() + tok.size(), u);
        if (uec == std::errc() && ue == tok.data() + tok.size()) return b_.add_uint(pos, u);
      }
      return add_double_token(tok, offset, pos);
    }
    od::number_type nt;
    if (auto e = v.get_number_type().get(nt)) return syntax(e, offset);
    if (nt == od::number_type::signed_integer) {
      int64_t i = 0;
      if (v.get_int64().get(i) == simdjson::SUCCESS) return b_.add_int(pos, i);
    } else if (nt == od::number_type::unsigned_integer) {
      uint64_t u = 0;
      if (v.get_uint64().get(u) == simdjson::SUCCESS) return b_.add_uint(pos, u);
    } else {
      double d = 0;
      auto e = v.get_double().get(d);
      if (e == simdjson::SUCCESS) return b_.add_double(pos, d);
    }
    // Integers beyond 64 bits (and anything simdjson declined): parse the token as a
    // double, which JSON numbers always are in the end.
    std::string_view tok;
    if (auto e = raw_token(v).get(tok)) return syntax(e, offset);
    tok = number_text(tok);
    if (tok.empty() || scan_number(tok, 0) != tok.size()) return syntax(simdjson::NUMBER_ERROR, offset);
    return add_double_token(tok, offset, pos);
  }

  core::Status add_double_token(std::string_view tok, uint64_t offset, Pos pos) {
    double d = 0;
    auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), d);
    if (ec != std::errc() || end != tok.data() + tok.size()) {
      return syntax(simdjson::NUMBER_ERROR, offset, "invalid or out-of-range number");
    }
    return b_.add_double(pos, d);
  }

  // Limits::json_prune, as a trie of the keys above the pruned ones. path_ holds the trie
  // nodes from the root down to the current map while the walk follows some pattern;
  // below that, untracked_ counts the levels. A pattern ending in {"**", KEY} marks its
  // last tracked node: once the walk is there, KEY is pruned at every depth below it
  // (deep_) until the walk leaves that node.
  struct TrieNode {
    std::vector<std::pair<std::string_view, uint32_t>> children;  // key -> node
    std::vector<std::string_view> pruned;                         // keys dropped here
    const std::string* deep = nullptr;                            // dropped at any depth below
  };
  static bool is_deep(const std::vector<std::string>& p) { return p.size() >= 2 && p[p.size() - 2] == "**"; }
  void build_trie(const std::vector<std::vector<std::string>>& patterns) {
    trie_.emplace_back();
    for (const std::vector<std::string>& p : patterns) {
      if (p.empty()) continue;
      const bool deep = is_deep(p);
      const size_t tracked = p.size() - (deep ? 2 : 1);
      uint32_t node = 0;
      for (size_t i = 0; i < tracked; ++i) {
        uint32_t next = UINT32_MAX;
        for (const auto& [k, c] : trie_[node].children) {
          if (k == p[i]) next = c;
        }
        if (next == UINT32_MAX) {
          next = static_cast<uint32_t>(trie_.size());
          trie_[node].children.emplace_back(p[i], next);
          trie_.emplace_back();  // (after the line above: emplace_back may move trie_)
        }
        node = next;
      }
      if (deep) {
        if (trie_[node].deep == nullptr) trie_[node].deep = &p.back();
      } else {
        trie_[node].pruned.emplace_back(p.back());
      }
    }
    path_.push_back(0);
    deep_ = trie_[0].deep;
    deep_depth_ = 1;
  }
  bool pruned(std::string_view key) const {
    if (deep_ != nullptr && key == *deep_) return true;
    if (untracked_ > 0) return false;
    for (std::string_view k : trie_[path_.back()].pruned) {
      if (k == key) return true;
    }
    return false;
  }
  void enter(std::string_view key) {
    if (untracked_ == 0) {
      for (const auto& [k, c] : trie_[path_.back()].children) {
        if (k != key) continue;
        path_.push_back(c);
        if (deep_ == nullptr && trie_[c].deep != nullptr) {
          deep_ = trie_[c].deep;
          deep_depth_ = path_.size();
        }
        return;
      }
    }
    ++untracked_;
  }
  void leave() {
    if (untracked_ > 0) {
      --untracked_;
    } else {
      if (deep_ != nullptr && path_.size() == deep_depth_) deep_ = nullptr;
      path_.pop_back();
    }
  }

  static simdjson::simdjson_result<std::string_view> raw_token(od::value& v) { return v.raw_json_token(); }
  static simdjson::simdjson_result<std::string_view> raw_token(od::document& d) {
    return d.raw_json_token();
  }

  uint64_t token_offset(od::value& v) const {
    return static_cast<uint64_t>(v.raw_json_token().data() - base_);
  }

  Builder& b_;
  const internal::LineIndex& lines_;
  const char* base_;
  size_t size_;
  core::Diagnostics& diags_;
  od::document* doc_ = nullptr;
  uint64_t last_offset_ = 0;
  const std::vector<std::vector<std::string>>* prune_ = nullptr;
  std::vector<TrieNode> trie_;  // node 0: the root
  std::vector<uint32_t> path_;
  size_t untracked_ = 0;
  const std::string* deep_ = nullptr;  // the key pruned at any depth, while inside its prefix
  size_t deep_depth_ = 0;              // path_.size() at which deep_ was set
};

}  // namespace

namespace {
constexpr size_t kKeepParserCapacity = size_t{16} << 20;  // bytes of input
}  // namespace

core::Result<Document> load_json_or_keep(std::string path, std::string& text, const Limits& limits,
                                         core::Diagnostics& diags) {
  const bool bom = internal::strip_bom(text);
  if (text.size() > limits.max_bytes) {
    auto err = core::make_error("doc.limit.size",
                                "input of " + std::to_string(text.size()) + " bytes is larger than " +
                                    std::to_string(limits.max_bytes),
                                core::locate(path, text, limits.max_bytes));
    if (bom) text.insert(0, "\xEF\xBB\xBF");
    return err;
  }
  // Pad in place (zeroed) so simdjson can read past the end without a copy; the buffer
  // moves into the Builder intact (std::string's move keeps its heap buffer).
  // (Callers that read files reserve the padding up front, so this does not reallocate.)
  const size_t size = text.size();
  if (text.capacity() < size + simdjson::SIMDJSON_PADDING) text.reserve(size + simdjson::SIMDJSON_PADDING);
  text.resize(size + simdjson::SIMDJSON_PADDING, '\0');
  text.resize(size);

  Limits eff = limits;
  eff.max_depth = internal::effective_max_depth(limits);
  Builder b(std::move(path), Format::kJson, std::move(text), eff);
  // Every error return gives the text back as it came.
  auto fail = [&](core::Error e) -> core::Result<Document> {
    text = std::move(b).take_text();
    if (bom) text.insert(0, "\xEF\xBB\xBF");
    return e;
  };
  std::string_view t = b.text();
  internal::LineIndex lines(t);

  size_t first = t.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return fail(core::make_error("json.syntax", "empty JSON document", b.location(lines.pos(t.size()))));
  }

  // One parser per thread, reused: its buffers are a few times the largest text it has
  // read (a new parser for every file allocated, faulted in and freed them each time;
  // JSON held in strings is loaded by the thousand).
  thread_local od::parser parser;
  // Grown geometrically: iterate() alone would reallocate (and fault in afresh) its
  // buffers for every file larger than all before it.
  if (size > parser.capacity() && size <= kKeepParserCapacity &&
      parser.allocate(std::min(std::max(size, 2 * parser.capacity()), kKeepParserCapacity)) != simdjson::SUCCESS) {
    parser = od::parser{};  // iterate() then reports the allocation failure itself
  }
  JsonWalker walker(b, lines, t, diags, limits.json_prune);
  od::document doc;
  auto e = parser.iterate(simdjson::padded_string_view(t.data(), size, size + simdjson::SIMDJSON_PADDING))
               .get(doc);
  if (e != simdjson::SUCCESS) {
    uint64_t at = first;
    if (e == simdjson::UTF8_ERROR) {
      size_t bad = internal::find_invalid_utf8(t);
      if (bad != std::string_view::npos) at = bad;
      return fail(walker.error(e, at, "invalid UTF-8"));
    }
    return fail(walker.error(e, at));
  }
  core::Status walked = walker.walk_document(doc, first);
  // A parser grown for a very large input gives its buffers back rather than hold them
  // for the rest of the run.
  if (parser.capacity() > kKeepParserCapacity) parser = od::parser{};
  if (!walked.ok()) return fail(std::move(walked).error());
  return std::move(b).finish();
}

core::Result<Document> load_json(std::string path, std::string text, const Limits& limits,
                                 core::Diagnostics& diags) {
  return load_json_or_keep(std::move(path), text, limits, diags);
}

}  // namespace sekimori::formats
