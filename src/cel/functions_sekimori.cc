// sekimori's CEL extensions for cloud rules: public-address checks on IPs and CIDRs,
// CIDR overlap, shell-style glob matching (no regex, no exponential backtracking), and
// `strings()`, which lists the string leaves of a value with their paths (for rules that
// look at every attribute), and `credentials()`, those of them that look like a
// hard-coded credential.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>

#include <re2/re2.h>

#include "cel/functions.h"
#include "cel/network.h"
#include "core/diagnostics.h"
#include "formats/document.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

Value is_public_impl(Args a, const CallContext&) {
  if (a[0].kind() == Kind::kIp) return Value::boolean(is_public(a[0].as_ip()));
  if (a[0].kind() == Kind::kCidr) return Value::boolean(is_public(a[0].as_cidr()));
  return Value::no_overload("isPublic");
}

Value is_public_cidr(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("isPublicCIDR");
  if (auto c = parse_cidr(a[0].as_string()); c.ok()) return Value::boolean(is_public(*c));
  if (auto ip = parse_ip(a[0].as_string()); ip.ok()) return Value::boolean(is_public(*ip));
  return Value::boolean(false);
}

Value overlaps_impl(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("overlaps");
  if (a[1].kind() == Kind::kCidr) return Value::boolean(overlaps(a[0].as_cidr(), a[1].as_cidr()));
  if (a[1].kind() != Kind::kString) return Value::no_overload("overlaps");
  auto c = parse_cidr(a[1].as_string());
  if (!c.ok()) return Value::error(c.error().message);
  return Value::boolean(overlaps(a[0].as_cidr(), *c));
}

// --- glob ---

std::u32string to_code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + static_cast<size_t>(len) > s.size()) len = 1;
    char32_t cp = len == 1 ? c : (c & (0x7F >> len));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out += cp;
    i += static_cast<size_t>(len);
  }
  return out;
}

struct GlobToken {
  enum Kind { kLiteral, kAny, kStar, kClass } kind = kLiteral;
  char32_t ch = 0;
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;

  [[nodiscard]] bool matches(char32_t c) const {
    switch (kind) {
      case kLiteral: return c == ch;
      case kAny: return true;
      case kClass: {
        bool in = false;
        for (const auto& [lo, hi] : ranges) in = in || (c >= lo && c <= hi);
        return in != negated;
      }
      case kStar: return false;
    }
    return false;
  }
};

// `*` any run, `?` one character, `[abc]`, `[a-z]`, `[!a-z]` / `[^a-z]`, `\x` literal x.
bool compile_glob(std::string_view pattern, std::vector<GlobToken>* out) {
  std::u32string p = to_code_points(pattern);
  size_t i = 0;
  while (i < p.size()) {
    GlobToken t;
    char32_t c = p[i++];
    if (c == '*') {
      t.kind = GlobToken::kStar;
      if (!out->empty() && out->back().kind == GlobToken::kStar) continue;  // "**" == "*"
    } else if (c == '?') {
      t.kind = GlobToken::kAny;
    } else if (c == '\\') {
      if (i >= p.size()) return false;
      t.ch = p[i++];
    } else if (c == '[') {
      t.kind = GlobToken::kClass;
      if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
        t.negated = true;
        ++i;
      }
      bool first = true;
      while (true) {
        if (i >= p.size()) return false;  // unterminated class
        char32_t lo = p[i++];
        if (lo == ']' && !first) break;
        first = false;
        if (lo == '\\') {
          if (i >= p.size()) return false;
          lo = p[i++];
        }
        char32_t hi = lo;
        if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
          hi = p[i + 1];
          i += 2;
          if (hi == '\\') {
            if (i >= p.size()) return false;
            hi = p[i++];
          }
          if (hi < lo) return false;
        }
        t.ranges.emplace_back(lo, hi);
      }
    } else {
      t.ch = c;
    }
    out->push_back(std::move(t));
  }
  return true;
}

// Whole-string match of `s` against a pattern of `n` items, item i a star when star(i),
// else matching a character c when matches(i, c); backtracking only to the most recent
// star keeps it O(n*m).
template <typename Text, typename IsStar, typename Matches>
bool glob_walk(const Text& s, size_t n, const IsStar& star, const Matches& matches) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < n && star(pi)) {
      star_p = pi++;
      star_s = si;
      continue;
    }
    if (pi < n && matches(pi, s[si])) {
      ++pi;
      ++si;
      continue;
    }
    if (star_p == std::string::npos) return false;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < n && star(pi)) ++pi;
  return pi == n;
}

bool glob_match(const std::vector<GlobToken>& p, const std::u32string& s) {
  return glob_walk(
      s, p.size(), [&](size_t i) { return p[i].kind == GlobToken::kStar; },
      [&](size_t i, char32_t c) { return p[i].matches(c); });
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// glob_match() for the common case, an ASCII pattern of literals, `*` and `?` against
// ASCII text (IAM actions, resource names): bytes are code points, nothing to compile.
bool glob_match_ascii(std::string_view p, std::string_view s) {
  return glob_walk(
      s, p.size(), [&](size_t i) { return p[i] == '*'; }, [&](size_t i, char c) { return p[i] == '?' || p[i] == c; });
}

Value glob_one(std::string_view s, const Value& pattern, const CallContext& ctx, bool* matched) {
  if (pattern.kind() != Kind::kString) return Value::no_overload("glob");
  std::string_view p = pattern.as_string();
  if (p.find_first_of("[\\") == std::string_view::npos && is_ascii(p) && is_ascii(s)) {
    if (!ctx.charge(s.size() + p.size())) return Value::error("evaluation cost budget exceeded");
    *matched = glob_match_ascii(p, s);
    return Value::boolean(*matched);
  }
  std::vector<GlobToken> tokens;
  if (!compile_glob(pattern.as_string(), &tokens)) {
    return Value::error("invalid glob pattern '" + std::string(pattern.as_string().substr(0, 64)) + "'");
  }
  if (!ctx.charge(s.size() + pattern.as_string().size())) {
    return Value::error("evaluation cost budget exceeded");
  }
  *matched = glob_match(tokens, to_code_points(s));
  return Value::boolean(*matched);
}

Value glob(Args a, const CallContext& ctx) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("glob");
  bool matched = false;
  return glob_one(a[0].as_string(), a[1], ctx, &matched);
}

Value glob_any(Args a, const CallContext& ctx) {
  if (a[0].kind() != Kind::kString || a[1].kind() != Kind::kList) {
    return Value::no_overload("globAny");
  }
  for (size_t i = 0; i < a[1].list_size(); ++i) {
    bool matched = false;
    Value r = glob_one(a[0].as_string(), a[1].list_at(i), ctx, &matched);
    if (r.kind() != Kind::kBool) return r.is_error() ? r : Value::no_overload("globAny");
    if (matched) return Value::boolean(true);
  }
  return Value::boolean(false);
}

// --- strings ---

// Limits of one strings() call: what a rule can make it walk is bounded even for a huge
// resource. Past them the call fails (an evaluation error), never truncates silently.
constexpr size_t kMaxStringLeaves = 20000;
constexpr size_t kMaxStringDepth = 64;
constexpr size_t kMaxDecodedJson = size_t{1} << 20;  // a JSON-encoded string decoded at most this big
constexpr int kMaxJsonDecodes = 4;                    // JSON inside JSON inside ... a string

bool looks_like_json_container(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  size_t j = s.size();
  while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\n' || s[j - 1] == '\r' || s[j - 1] == '\t')) --j;
  if (j - i < 2) return false;
  return (s[i] == '{' && s[j - 1] == '}') || (s[i] == '[' && s[j - 1] == ']') || (s[i] == '"' && s[j - 1] == '"');
}

// The path of the leaf being walked ("a.b[2].c"), kept as segments and spelled out only
// when a sink asks: strings() spells every leaf's, credentials() only those of the few
// leaves that look like a credential. A key segment borrows its text, which outlives it
// (a document's key, or a key value held by the walk's frame below it).
class LeafPath {
 public:
  struct Mark {
    size_t segments;
    size_t size;
  };
  [[nodiscard]] Mark mark() const { return {segments_.size(), size_}; }
  void restore(Mark m) {
    segments_.resize(m.segments);
    size_ = m.size;
  }
  void push_key(std::string_view key) {
    size_ += (size_ > 0 ? 1 : 0) + key.size();  // "." before it unless the path is empty so far
    segments_.push_back({key, kKey});
  }
  void push_index(size_t i) {
    size_t digits = 1;
    for (size_t v = i; v >= 10; v /= 10) ++digits;
    size_ += 2 + digits;
    segments_.push_back({{}, i});
  }
  // Its length once spelled out.
  [[nodiscard]] size_t size() const { return size_; }
  void append_to(std::string& out) const {
    size_t start = out.size();
    for (const Segment& s : segments_) {
      if (s.index == kKey) {
        if (out.size() > start) out += '.';
        out += s.key;
      } else {
        out += '[';
        out += std::to_string(s.index);
        out += ']';
      }
    }
  }
  [[nodiscard]] std::string str() const {
    std::string out;
    out.reserve(size_);
    append_to(out);
    return out;
  }

 private:
  static constexpr size_t kKey = SIZE_MAX;
  struct Segment {
    std::string_view key;
    size_t index;  // kKey for a key
  };
  std::vector<Segment> segments_;
  size_t size_ = 0;
};

// The nearest map key of the leaf being walked, made a Value only when a sink asks for
// it: a document's key node (copied out when the walk copies, for a decoded document that
// ends with the walk), or a Value the walk already has.
class LeafKey {
 public:
  explicit LeafKey(const Value& v) : value_(&v) {}
  LeafKey(const formats::Node& key, bool copy) : node_(&key), copy_(copy) {}
  [[nodiscard]] std::string_view text() const { return value_ ? value_->as_string() : node_->as_string(); }
  [[nodiscard]] Value value() const {
    if (value_) return *value_;
    return copy_ ? Value::string(std::string(node_->as_string())) : Value::from_node(*node_);
  }

 private:
  const Value* value_ = nullptr;
  const formats::Node* node_ = nullptr;
  bool copy_ = false;
};

// Walks a value's string leaves in document order and hands each to `Sink`, a callable
// `bool(const Value& value, const LeafPath& path, const LeafKey& key)` (false stops the
// walk with an error the sink set through fail()). A leaf decoded from JSON held in a
// string is handed over as a copy that keeps the holding string's node for its location.
class StringWalker {
 public:
  explicit StringWalker(const CallContext& ctx) : ctx_(ctx) {}

  // Walks `v`; false with error() set when a limit or the cost budget stops it.
  // `key` is the nearest map key (a string value, borrowed from the document when it can be).
  // `origin`: the document string a decoded (copied) value came from, for its location.
  template <typename Sink>
  bool walk(const Value& v, LeafPath& path, const LeafKey& key, size_t depth, int decodes, bool copy,
            const formats::Node* origin, Sink& sink) {
    if (depth > kMaxStringDepth) return fail("strings(): value nested deeper than " + std::to_string(kMaxStringDepth));
    if (!ctx_.charge(1)) return fail("evaluation cost budget exceeded");
    if (v.is_node_view() && (v.kind() == Kind::kList || v.kind() == Kind::kMap)) {
      return walk_node(*v.node(), path, key, depth, decodes, copy, origin, sink);
    }
    switch (v.kind()) {
      case Kind::kString: return leaf(v, path, key, depth, decodes, copy, origin, sink);
      case Kind::kList: {
        size_t n = v.list_size();
        for (size_t i = 0; i < n; ++i) {
          LeafPath::Mark mark = path.mark();
          path.push_index(i);
          bool ok = walk(v.list_at(i), path, key, depth + 1, decodes, copy, origin, sink);
          path.restore(mark);
          if (!ok) return false;
        }
        return true;
      }
      case Kind::kMap: {
        size_t n = v.map_size();
        for (size_t i = 0; i < n; ++i) {
          Value k = v.map_key_at(i);
          Value name;
          switch (k.kind()) {
            case Kind::kString: name = copy ? Value::string(std::string(k.as_string())) : k; break;
            case Kind::kInt: name = Value::string(std::to_string(k.as_int())); break;
            case Kind::kUint: name = Value::string(std::to_string(k.as_uint())); break;
            case Kind::kBool: name = Value::string_ref(k.as_bool() ? "true" : "false"); break;
            default: continue;
          }
          LeafPath::Mark mark = path.mark();
          path.push_key(name.as_string());
          bool ok = walk(v.map_value_at(i), path, LeafKey(name), depth + 1, decodes, copy, origin, sink);
          path.restore(mark);
          if (!ok) return false;
        }
        return true;
      }
      case Kind::kOptional:
        if (v.optional_has_value()) return walk(v.optional_value(), path, key, depth + 1, decodes, copy, origin, sink);
        return true;
      default:
        return true;  // numbers, bools, null, unknowns (not literals), errors: no strings
    }
  }

  // walk() over a document's list or map, without a Value for every node: the same
  // leaves, paths and keys as walking its Value (Value::from_node) element by element.
  template <typename Sink>
  bool walk_node(const formats::Node& n, LeafPath& path, const LeafKey& key, size_t depth, int decodes,
                 bool copy, const formats::Node* origin, Sink& sink) {
    if (n.kind() == formats::NodeKind::kList) {
      size_t i = 0;
      for (const formats::Node& item : n.items()) {
        LeafPath::Mark mark = path.mark();
        path.push_index(i++);
        bool ok = child(item, path, key, depth + 1, decodes, copy, origin, sink);
        path.restore(mark);
        if (!ok) return false;
      }
      return true;
    }
    for (const formats::Member& m : n.members()) {
      LeafPath::Mark mark = path.mark();
      bool ok = false;
      if (m.key.kind() == formats::NodeKind::kString) {  // nearly always: no Value unless a sink asks
        path.push_key(m.key.as_string());
        ok = child(m.value, path, LeafKey(m.key, copy), depth + 1, decodes, copy, origin, sink);
      } else {
        Value name;
        switch (m.key.kind()) {
          case formats::NodeKind::kInt:
            name = Value::string(std::to_string(m.key.as_int()));
            break;
          case formats::NodeKind::kUint:
            name = Value::string(std::to_string(m.key.as_uint()));
            break;
          case formats::NodeKind::kBool:
            name = Value::string_ref(m.key.as_bool() ? "true" : "false");
            break;
          default:
            continue;
        }
        path.push_key(name.as_string());
        ok = child(m.value, path, LeafKey(name), depth + 1, decodes, copy, origin, sink);
      }
      path.restore(mark);
      if (!ok) return false;
    }
    return true;
  }

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  template <typename Sink>
  bool leaf(const Value& v, LeafPath& path, const LeafKey& key, size_t depth, int decodes, bool copy,
            const formats::Node* origin, Sink& sink) {
    std::string_view text = v.as_string();
    if (!ctx_.charge(text.size() + path.size())) return fail("evaluation cost budget exceeded");
    // A JSON document held in a string (AWS Config configuration and
    // supplementaryConfiguration, policy documents): walk its contents instead.
    if (decodes < kMaxJsonDecodes && text.size() <= kMaxDecodedJson && looks_like_json_container(text)) {
      core::Diagnostics ignored;
      formats::Limits limits;
      limits.max_bytes = kMaxDecodedJson;
      limits.max_depth = kMaxStringDepth;
      auto doc = formats::load_json("<string>", std::string(text), limits, ignored);
      // A quoted string is decoded only when it holds JSON again (AWS Config's
      // double-encoded AccessControlList); otherwise the value stays as written.
      if (doc.ok() && (doc->root().kind() != formats::NodeKind::kString ||
                       looks_like_json_container(doc->root().as_string()))) {
        return walk(Value::from_node(doc->root()), path, key, depth + 1, decodes + 1, true,
                    origin != nullptr ? origin : v.node(), sink);
      }
    }
    if (++leaves_ > kMaxStringLeaves) {
      return fail("strings(): more than " + std::to_string(kMaxStringLeaves) + " string values");
    }
    return sink(copy ? Value::string_from(std::string(text), origin) : v, path, key);
  }

  // One element of a node walked by walk_node(): what walk() would do with its Value.
  template <typename Sink>
  bool child(const formats::Node& n, LeafPath& path, const LeafKey& key, size_t depth, int decodes, bool copy,
             const formats::Node* origin, Sink& sink) {
    if (depth > kMaxStringDepth) return fail("strings(): value nested deeper than " + std::to_string(kMaxStringDepth));
    if (!ctx_.charge(1)) return fail("evaluation cost budget exceeded");
    switch (n.kind()) {
      case formats::NodeKind::kString: return leaf(Value::from_node(n), path, key, depth, decodes, copy, origin, sink);
      case formats::NodeKind::kList:
      case formats::NodeKind::kMap: return walk_node(n, path, key, depth, decodes, copy, origin, sink);
      default: return true;  // numbers, bools, null, unknowns: no strings
    }
  }

  const CallContext& ctx_;
  size_t leaves_ = 0;
  std::string error_;
};

// Walks a strings()/credentials() receiver: a map, list or string.
template <typename Sink>
Value walk_strings(Args a, const CallContext& ctx, std::string_view name, Sink& sink) {
  Kind k = a[0].kind();
  if (k != Kind::kMap && k != Kind::kList && k != Kind::kString) return Value::no_overload(std::string(name));
  StringWalker w(ctx);
  LeafPath path;
  const Value top = Value::string_ref("");
  if (!w.walk(a[0], path, LeafKey(top), 0, 0, false, nullptr, sink)) {
    return Value::error(w.error().empty() ? std::string(name) + "(): stopped" : w.error());
  }
  return Value();
}

Value strings_impl(Args a, const CallContext& ctx) {
  std::vector<Value> out;
  auto paths = std::make_shared<std::string>();  // every leaf's path, one after another
  std::string error;
  auto sink = [&](Value value, const LeafPath& path, const LeafKey& key) {
    if (paths->size() + path.size() > UINT32_MAX) {
      error = "strings(): the paths of the values found are too long";
      return false;
    }
    auto offset = static_cast<uint32_t>(paths->size());
    path.append_to(*paths);
    out.push_back(Value::path_key_value(paths, offset, static_cast<uint32_t>(path.size()), key.value(),
                                        std::move(value)));
    return true;
  };
  Value r = walk_strings(a, ctx, "strings", sink);
  if (!error.empty()) return Value::error(std::move(error));
  if (r.is_exceptional()) return r;
  return Value::list(std::move(out));
}

// --- credentials ---
//
// The string leaves that look like a hard-coded credential, each tagged with what it looks
// like (docs/formats/cel-functions.md). The tests are fixed here rather than written in CEL
// because they run on every string of every resource: natively they cost a few memory
// scans per leaf, and the regular expressions run only where a cheap necessary condition
// (a substring, a length, the attribute's name) holds.

// The patterns, compiled once (a function-local static: never destroyed while a scan may
// still run on another thread at exit).
struct CredentialPatterns {
  static constexpr auto kQuiet = re2::RE2::Quiet;
  re2::RE2 private_key_header{R"(-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----)", kQuiet};
  re2::RE2 secret_name{R"((?i)(passw(or)?d|passphrase|secret|token|api_?key|private_?key|credential))", kQuiet};
  // Names that mention a secret but hold something else: a reference to it, its metadata.
  re2::RE2 not_secret_name{
      R"((?i)(arn|name|id|ids|param|parameter|path|url|uri|file|ttl|length|header|type|version|region|expiry|expiration|enabled|endpoint|policy|rotation|duration|kms_?key|kms_?key_?id|key_?id|reference|ref|source|count|size|age|timeout|format|mode|required|rules)$)",
      kQuiet};
  re2::RE2 plain_word{R"(^([a-z]+|[A-Z][a-z]+|[A-Z][A-Z_]*)$)", kQuiet};
  // Values that are not literals: ARNs, dynamic references, paths, URLs, masks,
  // placeholders, booleans, numbers.
  re2::RE2 reference_value{R"(^(arn:|[{][{]resolve:|/|https?://|[*]+$|<[^>]*>$|(?i)(true|false)$|[0-9]+$))", kQuiet};
  re2::RE2 embedded_assignment{
      R"((?i)(^|[^a-z0-9])(password|passwd|pwd|secret_access_key|secret_key|api_key)[\x22\x27]?\s*[=:]\s*[\x22\x27]?[^\s\x22\x27$<{%]{4,})",
      kQuiet};
  re2::RE2 access_key_id{R"((^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$))", kQuiet};
  re2::RE2 secret_word{R"((?i)secret)", kQuiet};
  re2::RE2 forty_base64{R"((^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+=]|$))", kQuiet};
};

const CredentialPatterns& credential_patterns() {
  static const CredentialPatterns& p = *new CredentialPatterns();
  return p;
}

// Whether `v` contains "secret" in any case, as RE2's (?i)secret decides: an ASCII scan,
// and RE2 only for text with non-ASCII bytes, where Unicode case folding may match
// (U+017F LATIN SMALL LETTER LONG S folds to 's').
bool mentions_secret(std::string_view v) {
  constexpr std::string_view kWord = "secret";
  bool ascii = true;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) ascii = false;
    if ((c | 0x20) != 's' || v.size() - i < kWord.size()) continue;
    size_t j = 1;
    while (j < kWord.size() && (static_cast<unsigned char>(v[i + j]) | 0x20) == kWord[j]) ++j;
    if (j == kWord.size()) return true;
  }
  return !ascii && re2::RE2::PartialMatch(v, credential_patterns().secret_word);
}

// What an attribute name says, remembered per thread for short names: resources repeat the
// same few dozen names.
struct NameClass {
  bool secret = false;      // names a password, secret, token, key or credential
  bool metadata = false;    // ... but ends like a reference or metadata (`password_arn`)
  bool says_secret = false; // contains "secret" in any case
};

NameClass classify_name(std::string_view name) {
  struct Slot {
    uint8_t size = 0xFF;  // 0xFF: empty
    NameClass c;
    char text[46];
  };
  constexpr size_t kSlots = 256;
  thread_local std::array<Slot, kSlots> memo;
  Slot* slot = nullptr;
  if (name.size() <= sizeof(Slot::text)) {
    slot = &memo[std::hash<std::string_view>{}(name) % kSlots];
    if (slot->size == name.size() && (name.empty() || std::memcmp(slot->text, name.data(), name.size()) == 0)) {
      return slot->c;
    }
  }
  NameClass c;
  const CredentialPatterns& pat = credential_patterns();
  c.secret = re2::RE2::PartialMatch(name, pat.secret_name);
  c.metadata = c.secret && re2::RE2::PartialMatch(name, pat.not_secret_name);
  c.says_secret = mentions_secret(name);
  if (slot != nullptr) {
    slot->size = static_cast<uint8_t>(name.size());
    if (!name.empty()) std::memcpy(slot->text, name.data(), name.size());
    slot->c = c;
  }
  return c;
}

bool has_space(std::string_view v) {
  for (char ch : v) {  // RE2's \s: tab, newline, form feed, carriage return, space
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r') return true;
  }
  return false;
}

// The credential kinds `value` (under attribute `name`) looks like, in a fixed order.
std::vector<std::string_view> credential_kinds(std::string_view v, std::string_view name) {
  std::vector<std::string_view> kinds;
  // Every kind below needs 8 characters or more: a private key header, a password of 8,
  // an assignment like "pwd=" with a value of 4 after a line break, a 20-character key ID,
  // a 40-character secret key. Most leaves are shorter ("Enabled", "true", "AES256").
  if (v.size() < 8) return kinds;
  const CredentialPatterns& pat = credential_patterns();
  if (v.find("PRIVATE KEY") != std::string_view::npos && re2::RE2::PartialMatch(v, pat.private_key_header)) {
    kinds.emplace_back("private_key");
  }
  NameClass n = classify_name(name);
  if (v.size() >= 8 && n.secret && !n.metadata && v.find("${") == std::string_view::npos && !has_space(v) &&
      !re2::RE2::PartialMatch(v, pat.plain_word) && !re2::RE2::PartialMatch(v, pat.reference_value)) {
    kinds.emplace_back("password");
  }
  if (v.find('\n') != std::string_view::npos && re2::RE2::PartialMatch(v, pat.embedded_assignment)) {
    kinds.emplace_back("embedded_password");
  }
  if ((v.find("AKIA") != std::string_view::npos || v.find("ASIA") != std::string_view::npos) &&
      re2::RE2::PartialMatch(v, pat.access_key_id)) {
    kinds.emplace_back("access_key_id");
  }
  if (v.size() >= 40 && (n.says_secret || mentions_secret(v)) &&
      re2::RE2::PartialMatch(v, pat.forty_base64)) {
    kinds.emplace_back("secret_access_key");
  }
  return kinds;
}

Value credentials_impl(Args a, const CallContext& ctx) {
  std::vector<Value> out;
  auto sink = [&](const Value& value, const LeafPath& path, const LeafKey& key) {
    std::vector<std::string_view> kinds = credential_kinds(value.as_string(), key.text());
    if (kinds.empty()) return true;
    std::string spelled = path.str();  // only for a leaf that looks like a credential
    for (std::string_view kind : kinds) {
      out.push_back(Value::map({{Value::string_ref("path"), Value::string(spelled)},
                                {Value::string_ref("key"), key.value()},
                                {Value::string_ref("value"), value},
                                {Value::string_ref("kind"), Value::string_ref(kind)}}));
    }
    return true;
  };
  Value r = walk_strings(a, ctx, "credentials", sink);
  if (r.is_exceptional()) return r;
  return Value::list(std::move(out));
}

}  // namespace

void register_sekimori_extensions(FunctionRegistry& reg) {
  reg.add({"isPublic", CallStyle::kReceiver, 1, &is_public_impl});
  reg.add({"isPublicCIDR", CallStyle::kGlobal, 1, &is_public_cidr});
  reg.add({"overlaps", CallStyle::kReceiver, 2, &overlaps_impl});
  reg.add({"glob", CallStyle::kReceiver, 2, &glob});
  reg.add({"globAny", CallStyle::kReceiver, 2, &glob_any});
  reg.add({"strings", CallStyle::kReceiver, 1, &strings_impl});
  reg.add({"credentials", CallStyle::kReceiver, 1, &credentials_impl});
}

}  // namespace sekimori::cel
