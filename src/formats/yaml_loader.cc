// load_yaml: yaml-cpp's event API into the document model, every node located.
//
// Locations come from yaml-cpp's Mark.pos (a byte offset), turned into 1-based line and
// byte column by our LineIndex so that JSON and YAML agree (CRLF is one line break). A
// node's mark is where its first token starts, properties included: `!Ref x` is located
// at the `!`, a quoted scalar at its quote, a block scalar at its `|` or `>`.
//
// Scalars: plain ones (yaml-cpp tag "?") are resolved with the YAML 1.2 core schema;
// quoted and block ones (tag "!") are strings with quoted() set. Standard tags (`!!str`,
// `!!int`, `!!float`, `!!bool`, `!!null`, `!!binary`, `!!seq`, `!!map`, ...) are applied
// and dropped; a value that does not fit its standard tag stays a string and gets a
// `yaml.tag` warning. Any other tag (`!Ref`, `!GetAtt`, `!If`) is kept on the node and
// its scalar stays an unresolved string.
//
// Aliases: the anchored node is shared, not copied (O(1) per alias); the copy is located
// at the alias, its children at the anchor. Each alias counts the anchored subtree's
// nodes against max_nodes, so expansion bombs fail with doc.limit.nodes. Merge keys
// (`<<`) are not expanded (YAML 1.2 has none); they stay ordinary "<<" keys.
//
// Safety: input must be valid UTF-8 without NUL bytes (checked first; this also keeps
// yaml-cpp from switching to UTF-16/32 decoding). Limits are enforced inside the event
// handler, which aborts the parse by throwing; nesting is capped at
// internal::kHardMaxDepth, well below yaml-cpp's own recursion guard, so no input can
// exhaust the stack. A UTF-8 BOM is skipped silently. Every exception stops here.
#include <cctype>
#include <cmath>
#include <charconv>
#include <cstring>
#include <istream>
#include <limits>
#include <optional>
#include <streambuf>
#include <string>
#include <unordered_map>
#include <utility>

#include <simdjson.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "formats/document.h"
#include "formats/internal/text_util.h"

namespace sekimori::formats {

namespace {

constexpr std::string_view kStdTagPrefix = "tag:yaml.org,2002:";

// Thrown by the handler to stop yaml-cpp; caught in load_yaml.
struct Abort {
  core::Error error;
};

// A read-only streambuf over the text, so yaml-cpp reads it without a copy.
class MemoryBuf : public std::streambuf {
 public:
  MemoryBuf(const char* data, size_t size) {
    char* p = const_cast<char*>(data);  // never written: this is a get area only
    setg(p, p, p + size);
  }
};

// ---- YAML 1.2 core schema --------------------------------------------------------------

bool is_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 8    ? (c >= '0' && c <= '7')
              : base == 10 ? (c >= '0' && c <= '9')
                           : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

struct Number {
  NodeKind kind = NodeKind::kNull;  // kInt, kUint or kDouble; kNull when not a number
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
};

Number from_unsigned(uint64_t v, bool negative) {
  Number n;
  if (!negative) {
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      n.kind = NodeKind::kInt;
      n.i = static_cast<int64_t>(v);
    } else {
      n.kind = NodeKind::kUint;
      n.u = v;
    }
  } else if (v <= uint64_t{1} << 63) {
    n.kind = NodeKind::kInt;
    n.i = static_cast<int64_t>(0 - v);
  }
  return n;
}

Number parse_double_text(std::string_view s) {
  Number n;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (end != s.data() + s.size()) return n;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is infinity; underflow is zero (from_chars leaves d unchanged).
    bool big = false;
    for (char c : s) {
      if (c == 'e' || c == 'E') break;
      if (c >= '1' && c <= '9') big = true;
    }
    size_t epos = s.find_first_of("eE");
    bool neg_exp = epos != std::string_view::npos && epos + 1 < s.size() && s[epos + 1] == '-';
    d = (big && !neg_exp) ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (ec != std::errc()) {
    return n;
  }
  n.kind = NodeKind::kDouble;
  n.d = negative ? -d : d;
  return n;
}

// int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
Number parse_int(std::string_view s) {
  Number none;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    int base = s[1] == 'o' ? 8 : 16;
    std::string_view digits = s.substr(2);
    if (!is_digits(digits, base)) return none;
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return none;
    return from_unsigned(v, false);
  }
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (!is_digits(digits, 10)) return none;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 10);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    Number n = from_unsigned(v, negative);
    if (n.kind != NodeKind::kNull) return n;
  }
  return parse_double_text(s);  // too big for 64 bits: a double, like JSON
}

// float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.inf | \.nan
Number parse_float(std::string_view s) {
  Number none;
  Number n;
  n.kind = NodeKind::kDouble;
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    n.d = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return n;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    n.d = std::numeric_limits<double>::quiet_NaN();
    return n;
  }
  size_t i = 0;
  size_t int_digits = 0;
  size_t frac_digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return none;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return none;
  }
  if (i != body.size()) return none;
  return parse_double_text(s);
}

std::optional<std::string> decode_base64(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : s) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else {
      return std::nullopt;
    }
    if (pad > 0) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
    }
  }
  if (pad > 2) return std::nullopt;
  return out;
}

// ---- the event handler -------------------------------------------------------------------

class Handler : public YAML::EventHandler {
 public:
  Handler(Builder& b, const internal::LineIndex& lines, core::Diagnostics& diags)
      : b_(b), lines_(lines), diags_(diags) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    anchors_.clear();
    if (++documents_ > b_.limits().max_documents) {
      throw Abort{core::make_error(
          "doc.limit.documents",
          "more than " + std::to_string(b_.limits().max_documents) + " documents in the stream",
          b_.location(pos(mark)))};
    }
  }

  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    uint64_t start = b_.node_count();
    check(b_.add_null(empty_node_pos(mark)));
    remember(anchor, start);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw Abort{core::make_error("yaml.syntax", "alias to a node that is not complete yet",
                                   b_.location(pos(mark)))};
    }
    check(b_.add_shared(pos(mark), it->second.node, it->second.weight));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    uint64_t start = b_.node_count();
    Pos p = pos(mark);
    if (tag == "?") {
      add_plain(p, value);
    } else if (tag == "!") {
      check(b_.add_string(p, value, /*quoted=*/true));
    } else if (std::string_view(tag).starts_with(kStdTagPrefix)) {
      add_std_tagged(p, std::string_view(tag).substr(kStdTagPrefix.size()), value);
    } else {
      check(b_.add_string(p, value));
      b_.set_tag(tag);
    }
    remember(anchor, start);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(Open{anchor, b_.node_count()});
    check(b_.begin_list(pos(mark)));
    container_tag(mark, tag, "seq");
  }

  void OnSequenceEnd() override {
    check(b_.end_list());
    Open o = open_.back();
    open_.pop_back();
    remember(o.anchor, o.start);
  }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(Open{anchor, b_.node_count()});
    check(b_.begin_map(pos(mark)));
    container_tag(mark, tag, "map");
  }

  void OnMapEnd() override {
    check(b_.end_map(&diags_));
    Open o = open_.back();
    open_.pop_back();
    remember(o.anchor, o.start);
  }

  // yaml-cpp marks an empty node (`key:` with nothing after it) at the next token, often
  // on a later line. Such a node is placed just after the last non-blank character
  // before that token instead (the `:` or `-` that introduced it), keeping its line.
  Pos empty_node_pos(const YAML::Mark& mark) const {
    std::string_view t = b_.text();
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) > t.size()) return pos(mark);
    pos(mark);
    auto at = static_cast<size_t>(mark.pos);
    std::string_view rest = t.substr(at);
    for (std::string_view word : {"~", "null", "Null", "NULL", "&", "!"}) {
      if (rest.starts_with(word)) return pos(mark);
    }
    size_t i = at;
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n' || t[i - 1] == '\r')) --i;
    return last_pos_ = lines_.pos(i);
  }

  // Where the most recent event was: yaml-cpp's own recursion guard reports the scanner's
  // position (often the end of the input), the deepest node is more useful.
  [[nodiscard]] Pos last_pos() const { return last_pos_; }

  Pos pos(const YAML::Mark& mark) const {
    if (mark.pos >= 0) return last_pos_ = lines_.pos(static_cast<uint64_t>(mark.pos));
    Pos p;
    if (mark.line >= 0 && mark.column >= 0) {
      p.line = static_cast<uint32_t>(mark.line) + 1;
      p.column = static_cast<uint32_t>(mark.column) + 1;
    }
    return p;
  }

 private:
  struct Open {
    YAML::anchor_t anchor;
    uint64_t start;
  };
  struct Anchored {
    Node node;
    uint64_t weight;
  };

  static void check(core::Status s) {
    if (!s.ok()) throw Abort{std::move(s).error()};
  }

  void remember(YAML::anchor_t anchor, uint64_t start) {
    if (anchor == YAML::NullAnchor) return;
    anchors_[anchor] = Anchored{b_.last_node(), b_.node_count() - start};
  }

  void add_number(Pos p, const Number& n) {
    switch (n.kind) {
      case NodeKind::kInt: check(b_.add_int(p, n.i)); break;
      case NodeKind::kUint: check(b_.add_uint(p, n.u)); break;
      default: check(b_.add_double(p, n.d)); break;
    }
  }

  void add_plain(Pos p, std::string_view s) {
    if (is_null_word(s)) return check(b_.add_null(p));
    if (auto v = parse_bool(s)) return check(b_.add_bool(p, *v));
    if (!s.empty()) {
      char c = s[0];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
        Number n = parse_int(s);
        if (n.kind == NodeKind::kNull) n = parse_float(s);
        if (n.kind != NodeKind::kNull) return add_number(p, n);
      }
    }
    check(b_.add_string(p, s));
  }

  void tag_mismatch(Pos p, std::string_view tag, std::string_view value) {
    core::Location where = b_.location(p);
    std::string snippet = core::make_snippet(b_.text(), where.line, where.column);
    std::string shown(value.substr(0, 40));
    diags_.add(core::Severity::kWarning, "yaml.tag",
               "'" + shown + "' is not a valid !!" + std::string(tag) + "; kept as a string",
               std::move(where), std::move(snippet));
    check(b_.add_string(p, value, /*quoted=*/true));
  }

  void add_std_tagged(Pos p, std::string_view tag, const std::string& value) {
    if (tag == "str") return check(b_.add_string(p, value, /*quoted=*/true));
    if (tag == "null") {
      if (is_null_word(value)) return check(b_.add_null(p));
      return tag_mismatch(p, tag, value);
    }
    if (tag == "bool") {
      if (auto v = parse_bool(value)) return check(b_.add_bool(p, *v));
      return tag_mismatch(p, tag, value);
    }
    if (tag == "int") {
      Number n = parse_int(value);
      if (n.kind != NodeKind::kNull) return add_number(p, n);
      return tag_mismatch(p, tag, value);
    }
    if (tag == "float") {
      Number n = parse_float(value);
      if (n.kind == NodeKind::kNull) n = parse_int(value);
      if (n.kind == NodeKind::kInt) n.d = static_cast<double>(n.i);
      if (n.kind == NodeKind::kUint) n.d = static_cast<double>(n.u);
      if (n.kind != NodeKind::kNull) {
        n.kind = NodeKind::kDouble;
        return add_number(p, n);
      }
      return tag_mismatch(p, tag, value);
    }
    if (tag == "binary") {
      if (auto bytes = decode_base64(value)) return check(b_.add_string(p, *bytes, /*quoted=*/true));
      return tag_mismatch(p, tag, value);
    }
    // !!timestamp, !!seq on a scalar, ...: the text as a string.
    check(b_.add_string(p, value, /*quoted=*/true));
  }

  void container_tag(const YAML::Mark& /*mark*/, const std::string& tag, std::string_view /*kind*/) {
    if (tag.empty() || tag == "?" || tag == "!") return;
    if (std::string_view(tag).starts_with(kStdTagPrefix)) return;  // !!seq, !!map, !!omap...
    b_.set_tag(tag);
  }

  Builder& b_;
  const internal::LineIndex& lines_;
  core::Diagnostics& diags_;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  uint32_t documents_ = 0;
  mutable Pos last_pos_;
};

}  // namespace

core::Result<Document> load_yaml(std::string path, std::string text, const Limits& limits,
                                 core::Diagnostics& diags) {
  internal::strip_bom(text);
  // yaml-cpp's marks are ints, so the input must stay below 2 GiB whatever the limit.
  uint64_t max_bytes = std::min<uint64_t>(limits.max_bytes, std::numeric_limits<int>::max() - 1);
  if (text.size() > max_bytes) {
    return core::make_error("doc.limit.size",
                            "input of " + std::to_string(text.size()) + " bytes is larger than " +
                                std::to_string(max_bytes),
                            core::locate(path, text, max_bytes));
  }
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    size_t bad = internal::find_invalid_utf8(text);
    if (bad == std::string::npos) bad = 0;
    return core::make_error("doc.utf8", "invalid UTF-8", core::locate(path, text, bad));
  }
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    auto at = static_cast<uint64_t>(static_cast<const char*>(nul) - text.data());
    return core::make_error("yaml.syntax", "NUL byte in YAML text", core::locate(path, text, at));
  }

  Limits eff = limits;
  eff.max_depth = internal::effective_max_depth(limits);
  Builder b(std::move(path), Format::kYaml, std::move(text), eff);
  std::string_view t = b.text();
  internal::LineIndex lines(t);
  Handler handler(b, lines, diags);
  try {
    MemoryBuf buf(t.data(), t.size());
    std::istream in(&buf);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (Abort& a) {
    return std::move(a.error);
  } catch (const YAML::DeepRecursion&) {
    // yaml-cpp 0.7 stops at about 500 levels of its own recursion.
    return core::make_error("doc.limit.depth", "nesting too deep for the YAML parser (about 500 levels)",
                            b.location(handler.last_pos()));
  } catch (const YAML::Exception& e) {
    return core::make_error("yaml.syntax", e.msg, b.location(handler.pos(e.mark)));
  } catch (const std::bad_alloc&) {
    return core::make_error("doc.limit.size", "out of memory while loading YAML", b.location(Pos{}));
  } catch (const std::exception& e) {
    return core::make_error("yaml.syntax", e.what(), b.location(Pos{}));
  }
  if (b.depth() != 0) {
    return core::make_error("yaml.syntax", "unterminated collection", b.location(lines.pos(t.size())));
  }
  return std::move(b).finish();
}

}  // namespace sekimori::formats
