// Compiles Sigma rules into matchers and evaluates them on simdjson DOM events.
#include "detect/engine.h"

#include <arpa/inet.h>
#include <hs/hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/base64.h"
#include "core/civil.h"
#include "detect/condition.h"
#include "detect/internal/text.h"

namespace sekimori::detect {

using simdjson::dom::element;
using simdjson::dom::element_type;
namespace txt = internal;

// ---------------------------------------------------------------------------------------
// Field paths and scalars
// ---------------------------------------------------------------------------------------

namespace {

// A dotted field name split into segments; segments are views into `full` so a key that
// itself contains dots can be looked up as a joined run of segments without allocating.
struct FieldPath {
  std::string full;
  std::vector<std::pair<uint32_t, uint32_t>> segs;  // offset, length into full
  int32_t slot = -1;                                // field table slot (Engine::build), -1: always walked

  explicit FieldPath(std::string f = {}) : full(std::move(f)) {
    size_t start = 0;
    while (true) {
      size_t dot = full.find('.', start);
      size_t end = dot == std::string::npos ? full.size() : dot;
      segs.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  FieldPath(const FieldPath& o) : FieldPath(o.full) { slot = o.slot; }
  FieldPath& operator=(const FieldPath& o) {
    if (this != &o) {
      *this = FieldPath(o.full);
      slot = o.slot;
    }
    return *this;
  }
  FieldPath(FieldPath&&) = default;
  FieldPath& operator=(FieldPath&&) = default;

  std::string_view run(size_t from, size_t to) const {  // segments [from, to]
    size_t b = segs[from].first;
    size_t e = segs[to].first + segs[to].second;
    return std::string_view(full).substr(b, e - b);
  }
};

constexpr int kMaxWalkDepth = 64;

// Calls visit(element) for every value the path reaches. Arrays met on the way are
// descended (any element may lead on); a missing key is also tried joined with the
// following segments ("a.b" as one key). Returns true as soon as visit returns true.
template <typename Visit>
bool walk(element e, const FieldPath& p, size_t seg, const Visit& visit, int depth = 0) {
  if (depth > kMaxWalkDepth) return false;
  if (seg == p.segs.size()) return visit(e);
  element_type t = e.type();
  if (t == element_type::ARRAY) {
    simdjson::dom::array range_1 = e.get_array().value_unsafe();
    for (element child : range_1) {
      if (walk(child, p, seg, visit, depth + 1)) return true;
    }
    return false;
  }
  if (t != element_type::OBJECT) return false;
  simdjson::dom::object obj = e.get_object().value_unsafe();
  // A missing key may be a key with dots in it: "a.b.c" as the key "a.b" holding "c".
  for (size_t last = seg; last < p.segs.size(); ++last) {
    auto child = obj.at_key(p.run(seg, last));
    if (child.error() == simdjson::SUCCESS) return walk(child.value_unsafe(), p, last + 1, visit, depth + 1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Field table (engine.h "Field table")
// ---------------------------------------------------------------------------------------

constexpr size_t kMaxFieldDepth = 32;  // longer paths are always walked

// A cheap hash of a key for the per-object child tables (keys are short names; the full
// key is compared on a hit). It reads the key's first and last eight bytes (four, or each
// byte, when shorter) as words: CloudTrail's keys share their first and last letters and
// lengths ("eventName", "eventTime", "eventType"), which a hash of a few bytes would
// send to the same slot.
[[gnu::always_inline]] inline uint32_t key_hash(std::string_view k) {
  const char* d = k.data();
  const size_t n = k.size();
  uint64_t first = 0, last = 0;
  if (n >= 8) {
    first = txt::load8(d);
    last = txt::load8(d + n - 8);
  } else if (n >= 4) {
    first = txt::load4(d);
    last = txt::load4(d + n - 4);
  } else if (n > 0) {
    first = static_cast<unsigned char>(d[0]) |
            static_cast<unsigned>(static_cast<unsigned char>(d[n / 2])) << 8 |
            static_cast<unsigned>(static_cast<unsigned char>(d[n - 1])) << 16;
  }
  uint64_t h = (first ^ (last * 0x9E3779B97F4A7C15ULL) ^ n) * 0xC2B2AE3D27D4EB4FULL;
  return static_cast<uint32_t>(h >> 32);
}

// a == b, for the short keys of the field tables: words compared in place of a call to
// memcmp (the first and last eight bytes cover keys up to 16 bytes).
[[gnu::always_inline]] inline bool key_equal(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    if (txt::load8(a.data()) != txt::load8(b.data()) ||
        txt::load8(a.data() + n - 8) != txt::load8(b.data() + n - 8))
      return false;
    return n <= 16 || std::memcmp(a.data() + 8, b.data() + 8, n - 16) == 0;
  }
  if (n >= 4) {
    return txt::load4(a.data()) == txt::load4(b.data()) &&
           txt::load4(a.data() + n - 4) == txt::load4(b.data() + n - 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A table of slots found by key: open addressing over a power-of-two number of slots (at
// least twice the keys), probed linearly from key_hash(). The field table's per-node
// children and the eventName/eventSource index. A Slot has `hash`, `key` (a view that
// outlives the table) and `used()`.
template <typename Slot>
class KeyTable {
 public:
  // Room for `count` keys; forgets what was put before.
  void reserve(size_t count) {
    size_t size = 8;
    while (size < count * 2) size *= 2;
    slots_.assign(size, Slot{});
  }
  // Adds `s` (after reserve(), at most the reserved count).
  void put(Slot s) {
    s.hash = key_hash(s.key);
    size_t mask = slots_.size() - 1;
    size_t at = s.hash & mask;
    while (slots_[at].used()) at = (at + 1) & mask;
    slots_[at] = s;
  }
  // The slot of `key`, or nullptr.
  [[nodiscard]] const Slot* find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    size_t mask = slots_.size() - 1;
    uint32_t h = key_hash(key);
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      const Slot& e = slots_[at];
      if (!e.used()) return nullptr;
      if (e.hash == h && key_equal(e.key, key)) return &e;
    }
  }

 private:
  std::vector<Slot> slots_;
};

// The tree of the key names that the loaded rules, correlation feeds and the alert
// context use: one node per distinct path prefix (node 0 is the record itself), each
// with a hash table of its children's names. A slot is a registered path's node.
//
// A path's walk also tries keys that contain dots ("a.b" as one key holding "c" for the
// path a.b.c) when a segment is missing. Each node's table therefore also holds the
// joined runs of segments that the paths through it may name ("a.b", "a.b.c"); an object
// with such a key makes the paths below it fall back to the full walk.
class FieldTable {
 public:
  struct Node {
    std::string key;
    int32_t parent = -1;
    std::vector<int32_t> children;
    std::vector<std::string> joined;  // runs of 2+ segments that paths through it name
  };
  static constexpr int32_t kEmpty = -1, kJoined = -2;

  FieldTable() : nodes_(1) {}
  FieldTable(const FieldTable&) = delete;  // tables point into nodes_
  FieldTable& operator=(const FieldTable&) = delete;

  // The slot of a dotted path (registered on first use); -1 when it is too deep.
  int32_t add(std::string_view dotted) {
    auto it = by_path_.find(dotted);
    if (it != by_path_.end()) return static_cast<int32_t>(it->second);
    std::vector<std::pair<size_t, size_t>> segs;  // offset, length
    for (size_t start = 0;;) {
      size_t dot = dotted.find('.', start);
      size_t end = dot == std::string_view::npos ? dotted.size() : dot;
      segs.emplace_back(start, end - start);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (segs.size() > kMaxFieldDepth) return -1;
    int32_t node = 0;
    for (size_t d = 0; d < segs.size(); ++d) {
      Node& at = nodes_[static_cast<size_t>(node)];
      for (size_t e = d + 1; e < segs.size(); ++e) {
        std::string run(dotted.substr(segs[d].first, segs[e].first + segs[e].second - segs[d].first));
        if (std::find(at.joined.begin(), at.joined.end(), run) == at.joined.end())
          at.joined.push_back(std::move(run));
      }
      std::string_view key = dotted.substr(segs[d].first, segs[d].second);
      int32_t next = -1;
      for (int32_t c : at.children) {
        if (nodes_[static_cast<size_t>(c)].key == key) next = c;
      }
      if (next < 0) {
        next = static_cast<int32_t>(nodes_.size());
        nodes_[static_cast<size_t>(node)].children.push_back(next);
        nodes_.push_back(Node{std::string(key), node, {}, {}});
      }
      node = next;
    }
    auto slot = static_cast<uint32_t>(slot_node_.size());
    slot_node_.push_back(static_cast<uint32_t>(node));
    slot_path_.emplace_back(dotted);
    by_path_.emplace(std::string(dotted), slot);
    return static_cast<int32_t>(slot);
  }

  // Builds the lookup tables (after the last add()).
  void finish() {
    tables_.assign(nodes_.size(), {});
    for (size_t n = 0; n < nodes_.size(); ++n) {
      const Node& node = nodes_[n];
      size_t count = node.children.size() + node.joined.size();
      if (count == 0) continue;
      KeyTable<Entry>& t = tables_[n];
      t.reserve(count);
      for (int32_t c : node.children) t.put(Entry{0, c, nodes_[static_cast<size_t>(c)].key});
      for (const std::string& j : node.joined) t.put(Entry{0, kJoined, j});
    }
  }

  // The child of `node` named `key`, kJoined for a joined run of segments, or kEmpty.
  [[nodiscard]] int32_t child(uint32_t node, std::string_view key) const {
    const Entry* e = tables_[node].find(key);
    return e != nullptr ? e->target : kEmpty;
  }

  [[nodiscard]] std::optional<uint32_t> find(std::string_view dotted) const {
    auto it = by_path_.find(dotted);
    if (it == by_path_.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] const Node& node(uint32_t n) const { return nodes_[n]; }
  [[nodiscard]] size_t node_count() const { return nodes_.size(); }
  [[nodiscard]] uint32_t slot_node(uint32_t slot) const { return slot_node_[slot]; }
  [[nodiscard]] const std::string& slot_path(uint32_t slot) const { return slot_path_[slot]; }
  [[nodiscard]] size_t slot_count() const { return slot_node_.size(); }

 private:
  struct Entry {
    uint32_t hash = 0;
    int32_t target = kEmpty;
    std::string_view key;  // into nodes_ (not changed after finish())
    [[nodiscard]] bool used() const { return target != kEmpty; }
  };
  std::vector<Node> nodes_;
  std::vector<KeyTable<Entry>> tables_;  // by node
  std::vector<uint32_t> slot_node_;
  std::vector<std::string> slot_path_;
  std::unordered_map<std::string, uint32_t, internal::SvHash, internal::SvEq> by_path_;
};

// One record's view of the field table: for each node, whether it was found in this record
// (and its value), and whether its children have been looked for. A generation counter
// marks what belongs to the current record, so nothing is cleared between records.
class FieldState {
 public:
  enum class Res : uint8_t { kValue, kAbsent, kWalk };

  void init(const FieldTable& table) {
    table_ = &table;
    nodes_.assign(table.node_count(), NodeState{});
    gen_ = 0;
  }
  [[nodiscard]] bool ready() const { return table_ != nullptr; }

  void begin(element record) {
    if (++gen_ == 0) {  // wrapped: forget old stamps
      for (NodeState& n : nodes_) n = NodeState{};
      gen_ = 1;
    }
    nodes_[0].seen = gen_;
    nodes_[0].value = record;
  }

  // kValue: the path leads (through objects only) to `out`; kAbsent: it leads nowhere;
  // kWalk: an array or a key with dots in it is on the way, so only the full walk can tell.
  Res resolve_slot(uint32_t slot, element& out) { return resolve(table_->slot_node(slot), out); }
  [[nodiscard]] const std::string& path(uint32_t slot) const { return table_->slot_path(slot); }

 private:
  struct NodeState {
    uint32_t seen = 0;    // generation in which the node was found (value valid)
    uint32_t filled = 0;  // generation in which its children were looked for
    bool dotted = false;  // (when filled) its object has a key that is a joined run of segments
    element value;
  };

  Res resolve(uint32_t n, element& out) {
    NodeState& ns = nodes_[n];
    if (ns.seen == gen_) {
      out = ns.value;
      return Res::kValue;
    }
    auto p = static_cast<uint32_t>(table_->node(n).parent);
    element pv;
    Res pr = resolve(p, pv);
    if (pr != Res::kValue) return pr;
    NodeState& ps = nodes_[p];
    if (ps.filled != gen_) {
      element_type t = pv.type();
      if (t == element_type::ARRAY) return Res::kWalk;
      if (t != element_type::OBJECT) return Res::kAbsent;
      fill(p, pv.get_object().value_unsafe());
      if (ns.seen == gen_) {
        out = ns.value;
        return Res::kValue;
      }
    }
    return ps.dotted ? Res::kWalk : Res::kAbsent;
  }

  // Looks up every key of node p's object once; the first of duplicate keys wins (as
  // at_key()).
  void fill(uint32_t p, simdjson::dom::object obj) {
    NodeState& ps = nodes_[p];
    ps.filled = gen_;
    ps.dotted = false;
    for (auto field : obj) {
      int32_t c = table_->child(p, field.key);
      if (c < 0) {
        if (c == FieldTable::kJoined) ps.dotted = true;
        continue;
      }
      NodeState& cs = nodes_[static_cast<size_t>(c)];
      if (cs.seen == gen_) continue;
      cs.seen = gen_;
      cs.value = field.value;
    }
  }

  const FieldTable* table_ = nullptr;
  std::vector<NodeState> nodes_;
  uint32_t gen_ = 0;
};

// The record being matched, with its field table state when the caller has one.
struct Rec {
  element root;
  FieldState* fs = nullptr;
};

// walk() from the record, through the field table when the path has a slot.
template <typename Visit>
bool walk_field(const Rec& rec, const FieldPath& p, const Visit& visit) {
  if (rec.fs != nullptr && p.slot >= 0) {
    element v;
    switch (rec.fs->resolve_slot(static_cast<uint32_t>(p.slot), v)) {
      case FieldState::Res::kValue:
        return visit(v);
      case FieldState::Res::kAbsent:
        return false;
      case FieldState::Res::kWalk:
        break;
    }
  }
  return walk(rec.root, p, 0, visit);
}

// Whether the path reaches anything (null included).
bool path_exists(const Rec& root, const FieldPath& p) {
  return walk_field(root, p, [](element) { return true; });
}

// Text of a scalar into a caller buffer (numbers) or a view of the string. Returns
// false for null, arrays and objects.
bool scalar_view(element e, std::string_view& out, char (&buf)[64]) {
  switch (e.type()) {
    case element_type::STRING:
      out = e.get_string().value_unsafe();
      return true;
    case element_type::INT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_int64().value_unsafe());
      out = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case element_type::UINT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_uint64().value_unsafe());
      out = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case element_type::DOUBLE: {
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_double().value_unsafe());
      out = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case element_type::BOOL:
      out = e.get_bool().value_unsafe() ? "true" : "false";
      return true;
    default:
      return false;
  }
}

bool number_of(element e, double& out) {
  switch (e.type()) {
    case element_type::INT64: out = static_cast<double>(e.get_int64().value_unsafe()); return true;
    case element_type::UINT64: out = static_cast<double>(e.get_uint64().value_unsafe()); return true;
    case element_type::DOUBLE: out = e.get_double().value_unsafe(); return true;
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      if (s.empty()) return false;
      auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------

struct Piece {
  enum Kind : uint8_t { kLit, kStar, kOne } kind;
  std::string text;  // kLit
};
using Pieces = std::vector<Piece>;

void push_lit(Pieces& ps, std::string_view s) {
  if (s.empty()) return;
  if (!ps.empty() && ps.back().kind == Piece::kLit) ps.back().text.append(s);
  else ps.push_back({Piece::kLit, std::string(s)});
}
void push_star(Pieces& ps) {
  if (ps.empty() || ps.back().kind != Piece::kStar) ps.push_back({Piece::kStar, {}});
}

// Sigma string escaping: `\*`, `\?` and `\\` are the literal characters; a backslash
// before anything else is itself literal. Unescaped `*` and `?` are wildcards.
Pieces parse_wildcards(std::string_view s) {
  Pieces ps;
  std::string lit;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      lit.push_back(s[++i]);
    } else if (c == '*' || c == '?') {
      push_lit(ps, lit);
      lit.clear();
      if (c == '*') push_star(ps);
      else ps.push_back({Piece::kOne, {}});
    } else {
      lit.push_back(c);
    }
  }
  push_lit(ps, lit);
  return ps;
}

Pieces literal_pieces(std::string_view s) {
  Pieces ps;
  push_lit(ps, s);
  return ps;
}

bool has_wildcards(const Pieces& ps) {
  for (const Piece& p : ps) {
    if (p.kind != Piece::kLit) return true;
  }
  return false;
}

std::string plain_text(const Pieces& ps) {
  std::string s;
  for (const Piece& p : ps) s += p.text;
  return s;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::strchr("\\^$.|?*+()[]{}", c) && c != '\0') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

enum class PatKind : uint8_t { kAny, kExact, kPrefix, kSuffix, kContains, kGlob, kRegex };

struct Pattern {
  PatKind kind = PatKind::kExact;
  bool cased = false;
  std::string lit;           // folded when !cased
  std::vector<Pieces> segs;  // kGlob: segments between stars (literals and kOne)
  bool lead_star = false, trail_star = false;
  std::shared_ptr<RE2> re;   // kRegex (non-ASCII case folding)

  static Pattern compile(Pieces ps, bool cased) {
    Pattern p;
    p.cased = cased;
    for (Piece& piece : ps) {
      if (piece.kind == Piece::kLit && !cased) piece.text = txt::lowered(piece.text);
    }
    bool non_ascii = false;
    for (const Piece& piece : ps) non_ascii |= piece.kind == Piece::kLit && txt::has_non_ascii(piece.text);
    if (!cased && non_ascii) {
      std::string rx = "(?is)^";
      for (const Piece& piece : ps) {
        rx += piece.kind == Piece::kLit ? regex_escape(piece.text) : piece.kind == Piece::kStar ? ".*" : ".";
      }
      rx += "$";
      RE2::Options o;
      o.set_log_errors(false);
      p.re = std::make_shared<RE2>(rx, o);
      p.kind = PatKind::kRegex;
      return p;
    }
    bool one = false;
    for (const Piece& piece : ps) one |= piece.kind == Piece::kOne;
    size_t n = ps.size();
    auto lit_at = [&](size_t i) { return i < n && ps[i].kind == Piece::kLit; };
    if (n == 0) {
      p.kind = PatKind::kExact;
    } else if (n == 1 && ps[0].kind == Piece::kStar) {
      p.kind = PatKind::kAny;
    } else if (!one && n == 1) {
      p.kind = PatKind::kExact;
      p.lit = ps[0].text;
    } else if (!one && n == 2 && lit_at(0)) {
      p.kind = PatKind::kPrefix;
      p.lit = ps[0].text;
    } else if (!one && n == 2 && lit_at(1)) {
      p.kind = PatKind::kSuffix;
      p.lit = ps[1].text;
    } else if (!one && n == 3 && lit_at(1) && ps[0].kind == Piece::kStar) {
      p.kind = PatKind::kContains;
      p.lit = ps[1].text;
    } else {
      p.kind = PatKind::kGlob;
      p.lead_star = ps.front().kind == Piece::kStar;
      p.trail_star = ps.back().kind == Piece::kStar;
      Pieces cur;
      for (Piece& piece : ps) {
        if (piece.kind == Piece::kStar) {
          if (!cur.empty()) p.segs.push_back(std::move(cur));
          cur.clear();
        } else {
          cur.push_back(std::move(piece));
        }
      }
      if (!cur.empty()) p.segs.push_back(std::move(cur));
    }
    return p;
  }

  // Matches segment `s` at byte `pos`; returns the end or npos.
  size_t seg_at(std::string_view v, size_t pos, const Pieces& s) const {
    for (const Piece& piece : s) {
      if (piece.kind == Piece::kLit) {
        if (!txt::eq_at(v, pos, piece.text, cased)) return std::string_view::npos;
        pos += piece.text.size();
      } else {
        if (pos >= v.size()) return std::string_view::npos;
        pos += txt::utf8_len(static_cast<unsigned char>(v[pos]));
        if (pos > v.size()) return std::string_view::npos;
      }
    }
    return pos;
  }

  bool glob(std::string_view v) const {
    // Segments have a fixed number of characters, so taking each middle segment at its
    // leftmost position is optimal (classic wildcard matching without backtracking).
    size_t pos = 0;
    size_t first = 0, last = segs.size();
    if (!lead_star) {
      pos = seg_at(v, 0, segs[0]);
      if (pos == std::string_view::npos) return false;
      first = 1;
      if (segs.size() == 1 && !trail_star) return pos == v.size();
    }
    if (!trail_star && last > first) --last;  // the final segment is anchored at the end
    for (size_t i = first; i < last; ++i) {
      size_t found = std::string_view::npos;
      for (size_t at = pos; at <= v.size(); ++at) {
        size_t end = seg_at(v, at, segs[i]);
        if (end != std::string_view::npos) {
          found = end;
          break;
        }
      }
      if (found == std::string_view::npos) return false;
      pos = found;
    }
    if (!trail_star && last < segs.size()) {
      // try every start at or after pos where the last segment ends exactly at v.size()
      for (size_t at = pos; at <= v.size(); ++at) {
        if (seg_at(v, at, segs[last]) == v.size()) return true;
      }
      return false;
    }
    return true;
  }

  bool match(std::string_view v) const {
    switch (kind) {
      case PatKind::kAny: return true;
      case PatKind::kExact: return txt::equals(v, lit, cased);
      case PatKind::kPrefix: return txt::starts_with(v, lit, cased);
      case PatKind::kSuffix: return txt::ends_with(v, lit, cased);
      case PatKind::kContains: return txt::find(v, lit, cased) != std::string_view::npos;
      case PatKind::kGlob: return glob(v);
      case PatKind::kRegex: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
    }
    return false;
  }
};

// ---------------------------------------------------------------------------------------
// Value tests and items
// ---------------------------------------------------------------------------------------

enum class Cmp : uint8_t { kNone, kGt, kGte, kLt, kLte };
enum class TimePart : uint8_t { kNone, kMinute, kHour, kDay, kWeek, kMonth, kYear };

struct Test {
  enum Kind : uint8_t { kPattern, kRegex, kCidr, kCompare, kNull, kExists, kFieldRef, kNumberEq } kind = kPattern;
  Pattern pat;
  bool numeric = false;  // kPattern of a numeric rule value: numbers compare as numbers too
  double number = 0;
  Cmp cmp = Cmp::kNone;
  std::shared_ptr<RE2> re;
  std::vector<std::string> re_needs;  // kRegex: lower-case ASCII literals every match contains
  int family = 0;
  unsigned char addr[16] = {};
  int prefix = 0;
  bool exists = true;
  FieldPath ref;
  PatKind ref_kind = PatKind::kExact;
  bool cased = false;
};

struct Item {
  FieldPath path;
  bool keyword = false;
  bool all = false;
  bool neq = false;
  TimePart time = TimePart::kNone;
  std::vector<Test> tests;
};

// The literals that every match of `re` contains, lower-cased (RE2's own prefilter atoms,
// FilteredRE2, of at least three bytes): an atom is kept when the prefilter cannot pass
// without it. Atoms with non-ASCII bytes are left out, so that lower-casing the value byte
// by byte is the lower-casing RE2 means.
constexpr size_t kMaxRegexAtoms = 32;

std::vector<std::string> regex_needs(const std::string& pattern, const RE2::Options& o) {
  re2::FilteredRE2 f(3);
  int id = 0;
  if (f.Add(pattern, o, &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  f.Compile(&atoms);
  // Each atom costs a pass over the prefilter; a pattern with many atoms is an alternation
  // (an IOC list), which needs none of them anyway.
  if (atoms.size() > kMaxRegexAtoms) return {};
  std::vector<std::string> needs;
  std::vector<int> others, potential;
  for (size_t i = 0; i < atoms.size(); ++i) {
    bool ascii = std::all_of(atoms[i].begin(), atoms[i].end(), [](char c) { return (c & 0x80) == 0; });
    if (!ascii) continue;
    others.clear();
    for (size_t k = 0; k < atoms.size(); ++k) {
      if (k != i) others.push_back(static_cast<int>(k));
    }
    potential.clear();
    f.AllPotentials(others, &potential);
    if (potential.empty()) needs.push_back(atoms[i]);
  }
  return needs;
}

// Whether `s` may match a regex that needs the literals `needs` (as regex_needs() gives them).
// Only an ASCII value is ruled out: RE2's case folding maps some non-ASCII letters to ASCII
// ones (the Kelvin sign to k), and such a letter is longer than the one it folds to, so a
// literal longer than the value is never found. The value is lower-cased once, a word at a
// time (on the stack when short: most values are identifiers and ARNs), and each literal
// looked for with memmem, whose time stays linear whatever the value and literals.
bool regex_may_match(const std::vector<std::string>& needs, std::string_view s) {
  if (needs.empty()) return true;
  for (const std::string& lit : needs) {
    if (lit.size() > s.size()) return false;
  }
  constexpr size_t kSmall = 256;
  std::array<char, kSmall> small;
  std::string large;
  char* low = small.data();
  if (s.size() > kSmall) {
    large.resize(s.size());
    low = large.data();
  }
  if (!txt::lower_ascii(s.data(), s.size(), low)) return true;
  return std::all_of(needs.begin(), needs.end(), [&](const std::string& lit) {
    return ::memmem(low, s.size(), lit.data(), lit.size()) != nullptr;
  });
}

bool cidr_match(const Test& t, std::string_view v) {
  char buf[64];
  if (v.size() >= sizeof buf) return false;
  std::memcpy(buf, v.data(), v.size());
  buf[v.size()] = '\0';
  unsigned char addr[16];
  int family = std::memchr(buf, ':', v.size()) ? AF_INET6 : AF_INET;
  if (family != t.family || inet_pton(family, buf, addr) != 1) return false;
  int bits = t.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
    if ((addr[i] & mask) != (t.addr[i] & mask)) return false;
  }
  return true;
}

bool compare(Cmp c, double a, double b) {
  switch (c) {
    case Cmp::kGt: return a > b;
    case Cmp::kGte: return a >= b;
    case Cmp::kLt: return a < b;
    case Cmp::kLte: return a <= b;
    case Cmp::kNone: return a == b;
  }
  return false;
}

// ISO week number (1..53) of the day `days` after 1970-01-01, in year `y`.
int iso_week(int64_t y, int64_t days);

bool time_part(element e, TimePart part, double& out) {
  if (e.type() != element_type::STRING) return false;
  std::string_view s = e.get_string().value_unsafe();
  int64_t ms;
  if (!parse_time_ms(s, ms)) return false;
  int64_t secs = core::floor_div(ms, 1000);
  int64_t days = core::floor_div(secs, 86400);
  int64_t rem = secs - days * 86400;
  core::CivilDate c = core::civil_from_days(days);
  switch (part) {
    case TimePart::kMinute: out = static_cast<double>((rem / 60) % 60); return true;
    case TimePart::kHour: out = static_cast<double>(rem / 3600); return true;
    case TimePart::kDay:
      out = c.day;
      return true;
    case TimePart::kWeek:
      out = iso_week(c.year, days);
      return true;
    case TimePart::kMonth:
      out = c.month;
      return true;
    case TimePart::kYear:
      out = static_cast<double>(c.year);
      return true;
    case TimePart::kNone: return false;
  }
  return false;
}

int iso_week(int64_t y, int64_t days) {
  int wd = static_cast<int>(((days % 7) + 7 + 3) % 7);  // Monday = 0 (1970-01-01 was a Thursday)
  int64_t thursday = days - wd + 3;
  int64_t ty = y;
  if (thursday < core::days_from_civil(y, 1, 1)) {
    ty = y - 1;
  } else if (thursday >= core::days_from_civil(y + 1, 1, 1)) {
    ty = y + 1;
  }
  return static_cast<int>((thursday - core::days_from_civil(ty, 1, 1)) / 7 + 1);
}

// One test against one value that is not an array (arrays are expanded by the caller).
bool test_scalar(const Test& t, element v, const Rec& root, TimePart time) {
  char buf[64];
  std::string_view s;
  switch (t.kind) {
    case Test::kPattern: {
      if (time != TimePart::kNone) {
        double n;
        return time_part(v, time, n) && n == t.number;
      }
      if (t.numeric) {
        double n;
        element_type et = v.type();
        if ((et == element_type::INT64 || et == element_type::UINT64 || et == element_type::DOUBLE) && number_of(v, n)) {
          return n == t.number;
        }
      }
      return scalar_view(v, s, buf) && t.pat.match(s);
    }
    case Test::kNumberEq: {
      double n;
      return number_of(v, n) && n == t.number;
    }
    case Test::kRegex:
      return scalar_view(v, s, buf) && regex_may_match(t.re_needs, s) &&
             RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *t.re);
    case Test::kCidr:
      return v.type() == element_type::STRING && cidr_match(t, v.get_string().value_unsafe());
    case Test::kCompare: {
      double n;
      if (time != TimePart::kNone) return time_part(v, time, n) && compare(t.cmp, n, t.number);
      return number_of(v, n) && compare(t.cmp, n, t.number);
    }
    case Test::kFieldRef: {
      if (!scalar_view(v, s, buf)) return false;
      return walk_field(root, t.ref, [&](element other) {
        char obuf[64];
        std::string_view o;
        if (!scalar_view(other, o, obuf)) return false;
        // the referenced value is used literally (no wildcards), case-folded unless cased
        switch (t.ref_kind) {
          case PatKind::kPrefix:
            return t.cased ? s.starts_with(o)
                           : (s.size() >= o.size() && txt::equals_fold(s.substr(0, o.size()), o));
          case PatKind::kSuffix:
            return t.cased ? s.ends_with(o)
                           : (s.size() >= o.size() && txt::equals_fold(s.substr(s.size() - o.size()), o));
          case PatKind::kContains: {
            if (t.cased) return s.find(o) != std::string_view::npos;
            for (size_t i = 0; i + o.size() <= s.size(); ++i) {
              if (txt::equals_fold(s.substr(i, o.size()), o)) return true;
            }
            return false;
          }
          default:
            return t.cased ? s == o : txt::equals_fold(s, o);
        }
      });
    }
    case Test::kNull:
    case Test::kExists:
      return false;  // handled at item level
  }
  return false;
}

bool test_value(const Test& t, element v, const Rec& root, TimePart time, int depth = 0) {
  if (v.type() == element_type::ARRAY) {
    if (depth > kMaxWalkDepth) return false;
    simdjson::dom::array range_2 = v.get_array().value_unsafe();
    for (element c : range_2) {
      if (test_value(t, c, root, time, depth + 1)) return true;
    }
    return false;
  }
  if (v.type() == element_type::OBJECT || v.type() == element_type::NULL_VALUE) return false;
  return test_scalar(t, v, root, time);
}

// Any scalar anywhere in the event (keyword search).
bool any_leaf(element v, const Test& t, const Rec& root, int depth = 0) {
  if (depth > kMaxWalkDepth) return false;
  switch (v.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj = v.get_object().value_unsafe();
      for (auto field : obj) {
        if (any_leaf(field.value, t, root, depth + 1)) return true;
      }
      return false;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr = v.get_array().value_unsafe();
      for (element c : arr) {
        if (any_leaf(c, t, root, depth + 1)) return true;
      }
      return false;
    }
    case element_type::NULL_VALUE: return false;
    default: return test_scalar(t, v, root, TimePart::kNone);
  }
}

bool test_on_event(const Item& item, const Test& t, const Rec& root) {
  if (item.keyword) return any_leaf(root.root, t, root);
  if (t.kind == Test::kNull) {
    // null: the field is absent or JSON null (an empty array counts as absent too)
    bool present = walk_field(root, item.path, [](element v) {
      if (v.type() == element_type::NULL_VALUE) return false;
      if (v.type() == element_type::ARRAY) return v.get_array().value_unsafe().size() > 0;
      return true;
    });
    return !present;
  }
  if (t.kind == Test::kExists) return path_exists(root, item.path) == t.exists;
  return walk_field(root, item.path, [&](element v) { return test_value(t, v, root, item.time); });
}

bool match_item(const Item& item, const Rec& root) {
  if (item.neq) {
    // neq: present, not null, and equal to none of the values
    bool present =
        walk_field(root, item.path, [](element v) { return v.type() != element_type::NULL_VALUE; });
    if (!present) return false;
    for (const Test& t : item.tests) {
      if (test_on_event(item, t, root)) return false;
    }
    return true;
  }
  if (item.all) {
    for (const Test& t : item.tests) {
      if (!test_on_event(item, t, root)) return false;
    }
    return true;
  }
  for (const Test& t : item.tests) {
    if (test_on_event(item, t, root)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Compiled detections
// ---------------------------------------------------------------------------------------

struct CSelection {
  std::string name;
  std::vector<std::vector<Item>> alternatives;
};

struct CNode {
  CondKind kind = CondKind::kRef;
  uint32_t sel = 0;
  std::vector<CNode> kids;
};

struct CDetection {
  std::vector<CSelection> sels;
  CNode cond;
};

bool eval_sel(const CSelection& s, const Rec& ev) {
  for (const std::vector<Item>& alt : s.alternatives) {
    bool ok = true;
    for (const Item& item : alt) {
      if (!match_item(item, ev)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

bool eval(const CNode& n, const CDetection& d, const Rec& ev) {
  switch (n.kind) {
    case CondKind::kRef: return eval_sel(d.sels[n.sel], ev);
    case CondKind::kAnd:
    case CondKind::kAllOf:
      for (const CNode& k : n.kids) {
        if (!eval(k, d, ev)) return false;
      }
      return true;
    case CondKind::kOr:
    case CondKind::kOneOf:
      for (const CNode& k : n.kids) {
        if (eval(k, d, ev)) return true;
      }
      return false;
    case CondKind::kNot: return !eval(n.kids[0], d, ev);
  }
  return false;
}

struct CRule {
  CDetection det;
  std::vector<uint32_t> filters;  // indices into Impl::filters
};

// ---------------------------------------------------------------------------------------
// Compiler
// ---------------------------------------------------------------------------------------

struct Mods {
  bool contains = false, startswith = false, endswith = false, all = false, cased = false;
  bool re = false, re_i = false, re_m = false, re_s = false, cidr = false, exists = false;
  bool expand = false, fieldref = false, neq = false;
  Cmp cmp = Cmp::kNone;
  TimePart time = TimePart::kNone;
  std::vector<std::string> transforms;  // windash, utf16le, utf16be, utf16, base64, base64offset, in order
};

class Compiler {
 public:
  Compiler(const EngineOptions& o, core::Diagnostics& d) : opts_(o), diags_(d) {}

  void err(const core::Location& loc, std::string code, std::string msg) {
    diags_.add(core::Severity::kError, std::move(code), std::move(msg), loc);
    failed_ = true;
  }
  void warn(const core::Location& loc, std::string code, std::string msg) {
    diags_.add(core::Severity::kWarning, std::move(code), std::move(msg), loc);
  }
  bool failed() const { return failed_; }
  void reset() { failed_ = false; }

  std::optional<Mods> parse_mods(const DetectionItem& item) {
    Mods m;
    int kinds = 0;
    for (const std::string& raw : item.modifiers) {
      const std::string& x = raw;
      if (x == "contains") m.contains = true, ++kinds;
      else if (x == "startswith") m.startswith = true, ++kinds;
      else if (x == "endswith") m.endswith = true, ++kinds;
      else if (x == "all") m.all = true;
      else if (x == "cased") m.cased = true;
      else if (x == "re") m.re = true;
      else if (x == "i") m.re_i = true;
      else if (x == "m") m.re_m = true;
      else if (x == "s") m.re_s = true;
      else if (x == "cidr") m.cidr = true;
      else if (x == "exists") m.exists = true;
      else if (x == "expand") m.expand = true;
      else if (x == "fieldref") m.fieldref = true;
      else if (x == "neq") m.neq = true;
      else if (x == "gt") m.cmp = Cmp::kGt;
      else if (x == "gte") m.cmp = Cmp::kGte;
      else if (x == "lt") m.cmp = Cmp::kLt;
      else if (x == "lte") m.cmp = Cmp::kLte;
      else if (x == "minute") m.time = TimePart::kMinute;
      else if (x == "hour") m.time = TimePart::kHour;
      else if (x == "day") m.time = TimePart::kDay;
      else if (x == "week") m.time = TimePart::kWeek;
      else if (x == "month") m.time = TimePart::kMonth;
      else if (x == "year") m.time = TimePart::kYear;
      else if (x == "windash" || x == "base64" || x == "base64offset" || x == "utf16le" || x == "utf16be" ||
               x == "utf16" || x == "wide") {
        m.transforms.push_back(x == "wide" ? "utf16le" : x);
      } else {
        err(item.location, "sigma.unknown_modifier", "unknown modifier '" + x + "'");
        return std::nullopt;
      }
    }
    auto bad = [&](std::string msg) {
      err(item.location, "sigma.modifier_combination", std::move(msg));
      return std::nullopt;
    };
    bool encoding = false, b64 = false;
    int b64count = 0;
    for (const std::string& t : m.transforms) {
      if (t == "base64" || t == "base64offset") b64 = true, ++b64count;
      if (t.rfind("utf16", 0) == 0) encoding = true;
    }
    if (kinds > 1) return bad("contains, startswith and endswith exclude each other");
    if ((m.re_i || m.re_m || m.re_s) && !m.re) return bad("i, m and s are sub-modifiers of re");
    if (m.re && (kinds || m.cidr || m.fieldref || m.cmp != Cmp::kNone || !m.transforms.empty() || m.expand || m.cased)) {
      return bad("re cannot be combined with other value modifiers (use i, m, s)");
    }
    if (m.exists && (item.modifiers.size() != 1)) return bad("exists stands alone");
    if (m.cidr && (kinds || m.fieldref || m.cmp != Cmp::kNone || !m.transforms.empty() || m.cased)) {
      return bad("cidr cannot be combined with string modifiers");
    }
    if (m.cmp != Cmp::kNone && (kinds || m.fieldref || !m.transforms.empty() || m.cased || m.neq)) {
      return bad("gt, gte, lt and lte only combine with all and the time modifiers");
    }
    if (b64count > 1) return bad("base64 and base64offset exclude each other");
    if (b64 && m.fieldref) return bad("fieldref cannot be combined with encodings");
    if (encoding && !b64) {
      warn(item.location, "sigma.encoding_without_base64",
           "utf16/wide without base64 matches the raw UTF-16 bytes, which JSON events rarely contain");
    }
    if (m.time != TimePart::kNone && (kinds || m.fieldref || !m.transforms.empty() || m.re || m.cidr)) {
      return bad("time modifiers only combine with gt, gte, lt, lte and all");
    }
    if (m.all && item.values.size() < 2) {
      warn(item.location, "sigma.all_single_value", "'all' on a single value has no effect");
    }
    if (item.keyword && (m.fieldref || m.exists || m.neq)) return bad("keywords cannot use exists, fieldref or neq");
    return m;
  }

  static std::string to_utf16(std::string_view utf8, bool big_endian, bool bom) {
    std::string out;
    auto put = [&](uint16_t u) {
      if (big_endian) {
        out.push_back(static_cast<char>(u >> 8));
        out.push_back(static_cast<char>(u & 0xFF));
      } else {
        out.push_back(static_cast<char>(u & 0xFF));
        out.push_back(static_cast<char>(u >> 8));
      }
    };
    if (bom) put(0xFEFF);
    for (size_t i = 0; i < utf8.size();) {
      auto c = static_cast<unsigned char>(utf8[i]);
      uint32_t cp = c;
      size_t len = txt::utf8_len(c);
      if (len > 1 && i + len <= utf8.size()) {
        cp = c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
      } else {
        len = 1;
      }
      i += len;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        put(static_cast<uint16_t>(0xD800 + (cp >> 10)));
        put(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
      } else {
        put(static_cast<uint16_t>(cp));
      }
    }
    return out;
  }

  // The three base64 renderings of `v` at byte offsets 0, 1 and 2 of a larger string,
  // trimmed to the characters that depend only on `v`.
  static std::vector<std::string> base64_offsets(std::string_view v) {
    std::vector<std::string> out;
    for (size_t shift = 0; shift < 3; ++shift) {
      std::string padded(shift, ' ');
      padded.append(v);
      std::string enc = core::base64_encode(padded);
      while (!enc.empty() && enc.back() == '=') enc.pop_back();
      size_t total = padded.size();
      static constexpr size_t kLead[3] = {0, 2, 3};
      // a trailing partial group's last character also depends on the bytes that follow
      size_t drop = total % 3 == 0 ? 0 : 1;
      size_t start = kLead[shift];
      if (enc.size() < start + drop) continue;
      std::string part = enc.substr(start, enc.size() - start - drop);
      if (!part.empty()) out.push_back(std::move(part));
    }
    return out;
  }

  static bool is_dash(std::string_view s, size_t i, size_t& len) {
    static constexpr std::string_view kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    for (std::string_view d : kDashes) {
      if (s.substr(i, d.size()) == d) {
        len = d.size();
        return true;
      }
    }
    return false;
  }

  bool windash(std::vector<Pieces>& variants, const core::Location& loc) {
    static constexpr std::string_view kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    std::vector<Pieces> out;
    for (const Pieces& ps : variants) {
      std::vector<Pieces> acc(1);
      for (const Piece& p : ps) {
        if (p.kind != Piece::kLit) {
          for (Pieces& a : acc) a.push_back(p);
          continue;
        }
        // split the literal into runs and dashes
        std::vector<std::string> parts{""};
        std::vector<bool> dash{false};
        for (size_t i = 0; i < p.text.size();) {
          size_t len = 0;
          if (is_dash(p.text, i, len)) {
            parts.push_back(p.text.substr(i, len));
            dash.push_back(true);
            parts.emplace_back();
            dash.push_back(false);
            i += len;
          } else {
            parts.back().push_back(p.text[i++]);
          }
        }
        for (size_t k = 0; k < parts.size(); ++k) {
          if (!dash[k]) {
            for (Pieces& a : acc) push_lit(a, parts[k]);
            continue;
          }
          std::vector<Pieces> next;
          for (const Pieces& a : acc) {
            for (std::string_view d : kDashes) {
              Pieces b = a;
              push_lit(b, d);
              next.push_back(std::move(b));
            }
          }
          acc = std::move(next);
          if (acc.size() + out.size() > opts_.max_variants) {
            err(loc, "sigma.limit.variants", "windash expands to more than " + std::to_string(opts_.max_variants) + " patterns");
            return false;
          }
        }
      }
      for (Pieces& a : acc) out.push_back(std::move(a));
    }
    variants = std::move(out);
    return true;
  }

  std::vector<std::string> expand_placeholders(const std::string& s, const core::Location& loc) {
    std::vector<std::string> acc{""};
    size_t i = 0;
    while (i < s.size()) {
      size_t open = s.find('%', i);
      size_t close = open == std::string::npos ? std::string::npos : s.find('%', open + 1);
      if (close == std::string::npos) {
        for (std::string& a : acc) a += s.substr(i);
        break;
      }
      for (std::string& a : acc) a += s.substr(i, open - i);
      std::string name = s.substr(open + 1, close - open - 1);
      auto it = opts_.placeholders.find(name);
      if (it == opts_.placeholders.end() || it->second.empty()) {
        err(loc, "sigma.unresolved_placeholder", "placeholder %" + name + "% has no values (pass --placeholder " + name + "=VALUE)");
        return {};
      }
      std::vector<std::string> next;
      for (const std::string& a : acc) {
        for (const std::string& v : it->second) next.push_back(a + v);
      }
      if (next.size() > opts_.max_variants) {
        err(loc, "sigma.limit.variants", "placeholders expand to too many values");
        return {};
      }
      acc = std::move(next);
      i = close + 1;
    }
    return acc;
  }

  bool add_string_tests(const Mods& m, const SigmaValue& v, std::vector<Test>& out) {
    std::vector<std::string> texts{v.text};
    if (m.expand) {
      texts = expand_placeholders(v.text, v.location);
      if (texts.empty()) return false;
    }
    bool encoded = false;
    for (const std::string& text : texts) {
      std::vector<Pieces> variants{parse_wildcards(text)};
      for (const std::string& t : m.transforms) {
        if (t == "windash") {
          if (!windash(variants, v.location)) return false;
          continue;
        }
        std::vector<Pieces> next;
        for (const Pieces& ps : variants) {
          if (has_wildcards(ps)) {
            err(v.location, "sigma.encoding_wildcard", "wildcards cannot be encoded with " + t + "; escape them (\\*, \\?)");
            return false;
          }
          std::string plain = plain_text(ps);
          if (t == "utf16le") next.push_back(literal_pieces(to_utf16(plain, false, false)));
          else if (t == "utf16be") next.push_back(literal_pieces(to_utf16(plain, true, false)));
          else if (t == "utf16") next.push_back(literal_pieces(to_utf16(plain, false, true)));
          else if (t == "base64") next.push_back(literal_pieces(core::base64_encode(plain))), encoded = true;
          else {
            for (std::string& part : base64_offsets(plain)) next.push_back(literal_pieces(part));
            encoded = true;
          }
        }
        variants = std::move(next);
      }
      for (Pieces& ps : variants) {
        if (m.contains || m.startswith) push_star(ps);
        if (m.contains || m.endswith) {
          if (ps.empty() || ps.front().kind != Piece::kStar) ps.insert(ps.begin(), Piece{Piece::kStar, {}});
        }
        Test t;
        t.kind = Test::kPattern;
        // base64 output is case-sensitive by nature
        t.pat = Pattern::compile(std::move(ps), m.cased || encoded);
        if (t.pat.kind == PatKind::kRegex && !t.pat.re->ok()) {
          err(v.location, "sigma.pattern", "cannot compile pattern: " + t.pat.re->error());
          return false;
        }
        out.push_back(std::move(t));
        if (out.size() > opts_.max_variants) {
          err(v.location, "sigma.limit.variants", "value expands to too many patterns");
          return false;
        }
      }
    }
    return true;
  }

  std::optional<Item> compile_item(const DetectionItem& di) {
    auto mods = parse_mods(di);
    if (!mods) return std::nullopt;
    const Mods& m = *mods;
    Item item;
    item.path = FieldPath(di.field);
    item.keyword = di.keyword;
    item.all = m.all;
    item.neq = m.neq;
    item.time = m.time;
    if (!di.keyword) {
      for (auto [off, len] : item.path.segs) {
        if (len == 0) {
          err(di.location, "sigma.field_name", "field name '" + di.field + "' has an empty segment");
          return std::nullopt;
        }
      }
    }
    for (const SigmaValue& v : di.values) {
      Test t;
      if (m.exists) {
        if (v.type != SigmaValue::Type::kBool) {
          err(v.location, "sigma.value_type", "exists needs true or false");
          return std::nullopt;
        }
        t.kind = Test::kExists;
        t.exists = v.boolean;
        item.tests.push_back(std::move(t));
        continue;
      }
      if (v.type == SigmaValue::Type::kNull) {
        if (!di.modifiers.empty() && !(di.modifiers.size() == 1 && m.neq)) {
          err(v.location, "sigma.value_type", "null cannot be combined with modifiers");
          return std::nullopt;
        }
        if (di.keyword) {
          err(v.location, "sigma.value_type", "a keyword cannot be null");
          return std::nullopt;
        }
        t.kind = Test::kNull;
        item.tests.push_back(std::move(t));
        continue;
      }
      bool numeric = v.type == SigmaValue::Type::kInt || v.type == SigmaValue::Type::kDouble;
      if (m.cmp != Cmp::kNone || m.time != TimePart::kNone) {
        double n = v.number;
        if (!numeric) {
          auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
          if (r.ec != std::errc() || r.ptr != v.text.data() + v.text.size()) {
            err(v.location, "sigma.value_type", "'" + v.text + "' is not a number");
            return std::nullopt;
          }
        }
        t.kind = m.cmp == Cmp::kNone ? Test::kPattern : Test::kCompare;
        t.cmp = m.cmp;
        t.number = n;
        item.tests.push_back(std::move(t));
        continue;
      }
      if (m.re) {
        if (v.type != SigmaValue::Type::kString) {
          err(v.location, "sigma.value_type", "re needs a string");
          return std::nullopt;
        }
        std::string flags;
        if (m.re_i) flags += 'i';
        if (m.re_m) flags += 'm';
        if (m.re_s) flags += 's';
        RE2::Options o;
        o.set_log_errors(false);
        o.set_max_mem(8 << 20);
        t.kind = Test::kRegex;
        std::string pattern = flags.empty() ? v.text : "(?" + flags + ")" + v.text;
        t.re = std::make_shared<RE2>(pattern, o);
        if (!t.re->ok()) {
          err(v.location, "sigma.invalid_regex",
              "regular expression does not compile with RE2 (" + t.re->error() +
                  "); RE2 has no backreferences or lookaround");
          return std::nullopt;
        }
        t.re_needs = regex_needs(pattern, o);
        item.tests.push_back(std::move(t));
        continue;
      }
      if (m.cidr) {
        std::string s = v.text;
        size_t slash = s.find('/');
        std::string addr = s.substr(0, slash);
        t.kind = Test::kCidr;
        t.family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
        int max = t.family == AF_INET6 ? 128 : 32;
        t.prefix = max;
        if (slash != std::string::npos) {
          auto r = std::from_chars(s.data() + slash + 1, s.data() + s.size(), t.prefix);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size() || t.prefix < 0 || t.prefix > max) {
            err(v.location, "sigma.cidr", "bad prefix length in '" + s + "'");
            return std::nullopt;
          }
        }
        if (inet_pton(t.family, addr.c_str(), t.addr) != 1) {
          err(v.location, "sigma.cidr", "'" + s + "' is not an IPv4 or IPv6 network");
          return std::nullopt;
        }
        item.tests.push_back(std::move(t));
        continue;
      }
      if (m.fieldref) {
        if (v.type != SigmaValue::Type::kString || v.text.empty()) {
          err(v.location, "sigma.value_type", "fieldref needs a field name");
          return std::nullopt;
        }
        t.kind = Test::kFieldRef;
        t.ref = FieldPath(v.text);
        t.cased = m.cased;
        t.ref_kind = m.contains ? PatKind::kContains : m.startswith ? PatKind::kPrefix : m.endswith ? PatKind::kSuffix : PatKind::kExact;
        item.tests.push_back(std::move(t));
        continue;
      }
      if (v.type != SigmaValue::Type::kString && !m.transforms.empty()) {
        err(v.location, "sigma.value_type", "encoding modifiers need a string");
        return std::nullopt;
      }
      size_t before = item.tests.size();
      if (!add_string_tests(m, v, item.tests)) return std::nullopt;
      if (numeric && m.transforms.empty() && !m.contains && !m.startswith && !m.endswith) {
        for (size_t k = before; k < item.tests.size(); ++k) {
          item.tests[k].numeric = true;
          item.tests[k].number = v.number;
        }
      }
    }
    if (item.all && item.tests.size() > 1 && item.neq) {
      // all + neq: not equal to every value == not equal to any: same as neq alone
      item.all = false;
    }
    return item;
  }

  std::optional<CDetection> compile_detection(const Rule& r) {
    CDetection d;
    std::unordered_map<std::string, uint32_t> names;
    for (const Selection& s : r.selections) {
      CSelection cs;
      cs.name = s.name;
      for (const auto& alt : s.alternatives) {
        std::vector<Item> items;
        for (const DetectionItem& di : alt) {
          auto item = compile_item(di);
          if (!item) return std::nullopt;
          items.push_back(std::move(*item));
        }
        cs.alternatives.push_back(std::move(items));
      }
      if (names.count(s.name)) {
        err(s.location, "sigma.duplicate_selection", "selection '" + s.name + "' is defined twice");
        return std::nullopt;
      }
      names[s.name] = static_cast<uint32_t>(d.sels.size());
      d.sels.push_back(std::move(cs));
    }
    std::vector<bool> used(d.sels.size(), false);
    CNode top{CondKind::kOr, 0, {}};
    for (const ConditionText& ct : r.conditions) {
      auto parsed = parse_condition(ct.text);
      if (!parsed.ok()) {
        core::Location loc = ct.location;
        if (parsed.error().location && loc.line > 0) loc.column += parsed.error().location->column - 1;
        err(loc, parsed.error().code, parsed.error().message);
        return std::nullopt;
      }
      auto node = resolve(*parsed, names, d, used, ct.location);
      if (!node) return std::nullopt;
      top.kids.push_back(std::move(*node));
    }
    d.cond = top.kids.size() == 1 ? std::move(top.kids[0]) : std::move(top);
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) warn(r.location, "sigma.unused_selection", "selection '" + d.sels[i].name + "' is not used by the condition");
    }
    return d;
  }

  std::optional<CNode> resolve(const CondNode& n, const std::unordered_map<std::string, uint32_t>& names,
                               const CDetection& d, std::vector<bool>& used, const core::Location& loc) {
    core::Location at = loc;
    if (at.line > 0) at.column += n.column - 1;
    switch (n.kind) {
      case CondKind::kRef: {
        auto it = names.find(n.name);
        if (it == names.end()) {
          err(at, "sigma.condition.unknown_selection", "condition refers to undefined selection '" + n.name + "'");
          return std::nullopt;
        }
        used[it->second] = true;
        return CNode{CondKind::kRef, it->second, {}};
      }
      case CondKind::kOneOf:
      case CondKind::kAllOf: {
        CNode out{n.kind, 0, {}};
        for (uint32_t i = 0; i < d.sels.size(); ++i) {
          if (n.name == "them" || name_matches(n.name, d.sels[i].name)) {
            used[i] = true;
            out.kids.push_back(CNode{CondKind::kRef, i, {}});
          }
        }
        if (out.kids.empty()) {
          err(at, "sigma.condition.no_selection", "'" + n.name + "' matches no selection");
          return std::nullopt;
        }
        return out;
      }
      default: {
        CNode out{n.kind, 0, {}};
        for (const CondNode& c : n.children) {
          auto k = resolve(c, names, d, used, loc);
          if (!k) return std::nullopt;
          out.kids.push_back(std::move(*k));
        }
        return out;
      }
    }
  }

 private:
  const EngineOptions& opts_;
  core::Diagnostics& diags_;
  bool failed_ = false;
};

// The set of folded values `field` must equal for the detection to match; nullopt when
// the condition does not pin the field.
using KeySet = std::set<std::string>;

// With kPrefixes, `startswith` values count too (an exact value is its own prefix) and
// every value is folded; empty prefixes pin nothing.
template <bool kPrefixes>
std::optional<KeySet> alt_values(const std::vector<Item>& alt, std::string_view field) {
  for (const Item& item : alt) {
    if (item.keyword || item.neq || item.all || item.time != TimePart::kNone || item.path.full != field) continue;
    KeySet keys;
    bool ok = !item.tests.empty();
    for (const Test& t : item.tests) {
      bool kind_ok = t.pat.kind == PatKind::kExact || (kPrefixes && t.pat.kind == PatKind::kPrefix);
      if (t.kind != Test::kPattern || !kind_ok || t.numeric || (kPrefixes && t.pat.lit.empty())) {
        ok = false;
        break;
      }
      keys.insert(kPrefixes || t.pat.cased ? txt::lowered(t.pat.lit) : t.pat.lit);
    }
    if (ok) return keys;
  }
  return std::nullopt;
}

// The values `field` is pinned to by the condition, from what `alt` gives for a selection
// alternative (an AND of items): the union over ORs, the smallest set over ANDs; nullopt
// when some branch does not pin it (or under a `not`).
using AltValues = std::optional<KeySet> (*)(const std::vector<Item>&, std::string_view);

std::optional<KeySet> pinned(const CNode& n, const CDetection& d, std::string_view field, AltValues alt) {
  switch (n.kind) {
    case CondKind::kRef: {
      KeySet all;
      for (const auto& a : d.sels[n.sel].alternatives) {
        auto k = alt(a, field);
        if (!k) return std::nullopt;
        all.insert(k->begin(), k->end());
      }
      return all;
    }
    case CondKind::kAnd:
    case CondKind::kAllOf: {
      std::optional<KeySet> best;
      for (const CNode& k : n.kids) {
        auto ks = pinned(k, d, field, alt);
        if (ks && (!best || ks->size() < best->size())) best = std::move(ks);
      }
      return best;
    }
    case CondKind::kOr:
    case CondKind::kOneOf: {
      KeySet all;
      for (const CNode& k : n.kids) {
        auto ks = pinned(k, d, field, alt);
        if (!ks) return std::nullopt;
        all.insert(ks->begin(), ks->end());
      }
      return all;
    }
    case CondKind::kNot: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<KeySet> node_keys(const CNode& n, const CDetection& d, std::string_view field) {
  return pinned(n, d, field, &alt_values<false>);
}

// The prefixes (folded) one of which `field` must start with for the detection to match,
// as node_keys but also taking `startswith` values; nullopt when the condition does not
// pin them.
std::optional<KeySet> node_prefixes(const CNode& n, const CDetection& d, std::string_view field) {
  return pinned(n, d, field, &alt_values<true>);
}

// The gate of an unindexed rule: the field (eventName first, then the rule's other fields
// in order) whose node_prefixes are fewest, none shorter than kMinGatePrefix.
constexpr size_t kMinGatePrefix = 2;
constexpr size_t kMaxGatePrefixes = 64;

struct GateSpec {
  std::string path;
  std::vector<std::string> prefixes;
};

std::optional<GateSpec> gate_spec(const CDetection& d) {
  std::vector<std::string> paths{"eventName"};
  for (const CSelection& sel : d.sels) {
    for (const auto& alt : sel.alternatives) {
      for (const Item& item : alt) {
        if (!item.keyword && std::find(paths.begin(), paths.end(), item.path.full) == paths.end()) {
          paths.push_back(item.path.full);
        }
      }
    }
  }
  std::optional<GateSpec> best;
  for (const std::string& path : paths) {
    auto keys = node_prefixes(d.cond, d, path);
    if (!keys || keys->empty() || keys->size() > kMaxGatePrefixes) continue;
    bool ok = true;
    for (const std::string& k : *keys) ok = ok && k.size() >= kMinGatePrefix;
    if (!ok) continue;
    if (!best || keys->size() < best->prefixes.size()) {
      best = GateSpec{path, std::vector<std::string>(keys->begin(), keys->end())};
    }
    if (path == "eventName") break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Prefilter fragments
// ---------------------------------------------------------------------------------------

// A literal that occurs in the record's JSON text whenever the condition can hold. The
// text is folded (lower-case ASCII) unless cased. Fragment sets are disjunctions: at
// least one of them occurs. docs/formats/sigma.md "Prefilter" gives the rules.
struct Frag {
  std::string text;
  bool cased = false;
};
using Frags = std::vector<Frag>;

constexpr size_t kMinFragment = 3;
constexpr size_t kMaxFragmentsPerRule = 1024;

// A fragment found in a matched value also occurs in the record text when: the value was
// a JSON string written without escapes in the fragment's range (records with `\u` or
// `\/` are not prefiltered, and `"`, `\` and control characters, which JSON always
// escapes, are not used), or a boolean (written as is). Numbers are compared as their
// shortest spelling, which may differ from the text, so a fragment must contain a
// character no number spelling has.
bool usable_fragment(std::string_view s) {
  if (s.size() < kMinFragment) return false;
  bool non_numeric = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20) return false;
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) non_numeric = true;
  }
  return non_numeric;
}

// A better disjunction is one whose shortest fragment is longer (fewer chance hits),
// then one with fewer fragments.
bool better(const Frags& a, const Frags& b) {
  auto shortest = [](const Frags& f) {
    size_t m = SIZE_MAX;
    for (const Frag& x : f) m = std::min(m, x.text.size());
    return std::min<size_t>(m, 12);
  };
  size_t sa = shortest(a), sb = shortest(b);
  return sa != sb ? sa > sb : a.size() < b.size();
}

std::optional<Frags> pattern_frags(const Pattern& p) {
  std::string_view best;
  switch (p.kind) {
    case PatKind::kExact:
    case PatKind::kPrefix:
    case PatKind::kSuffix:
    case PatKind::kContains:
      best = p.lit;
      break;
    case PatKind::kGlob:
      // every literal run of every segment must occur; take the longest usable one
      for (const Pieces& seg : p.segs) {
        for (const Piece& piece : seg) {
          if (piece.kind == Piece::kLit && piece.text.size() > best.size() && usable_fragment(piece.text)) best = piece.text;
        }
      }
      break;
    case PatKind::kAny:
    case PatKind::kRegex:  // Unicode case folding (K/k/U+212A, s/U+017F...): no byte literal is required
      return std::nullopt;
  }
  if (!usable_fragment(best)) return std::nullopt;
  return Frags{Frag{std::string(best), p.cased}};
}

std::optional<Frags> test_frags(const Test& t) {
  if (t.kind != Test::kPattern || t.numeric) return std::nullopt;
  return pattern_frags(t.pat);
}

std::optional<Frags> union_of(std::optional<Frags> a, const std::optional<Frags>& b) {
  if (!a || !b) return std::nullopt;
  a->insert(a->end(), b->begin(), b->end());
  if (a->size() > kMaxFragmentsPerRule) return std::nullopt;
  return a;
}

void keep_best(std::optional<Frags>& best, std::optional<Frags> cand) {
  if (cand && (!best || better(*cand, *best))) best = std::move(cand);
}

std::optional<Frags> item_frags(const Item& item) {
  if (item.neq || item.time != TimePart::kNone || item.tests.empty()) return std::nullopt;
  if (item.all) {  // every value must match: any one value's fragments are required
    std::optional<Frags> best;
    for (const Test& t : item.tests) keep_best(best, test_frags(t));
    return best;
  }
  std::optional<Frags> all = Frags{};
  for (const Test& t : item.tests) {
    all = union_of(std::move(all), test_frags(t));
    if (!all) return std::nullopt;
  }
  return all;
}

std::optional<Frags> node_frags(const CNode& n, const CDetection& d) {
  switch (n.kind) {
    case CondKind::kRef: {
      std::optional<Frags> all = Frags{};
      for (const auto& alt : d.sels[n.sel].alternatives) {
        std::optional<Frags> best;  // an alternative is an AND of its items
        for (const Item& item : alt) keep_best(best, item_frags(item));
        all = union_of(std::move(all), best);
        if (!all) return std::nullopt;
      }
      return all;
    }
    case CondKind::kAnd:
    case CondKind::kAllOf: {
      std::optional<Frags> best;
      for (const CNode& k : n.kids) keep_best(best, node_frags(k, d));
      return best;
    }
    case CondKind::kOr:
    case CondKind::kOneOf: {
      std::optional<Frags> all = Frags{};
      for (const CNode& k : n.kids) {
        all = union_of(std::move(all), node_frags(k, d));
        if (!all) return std::nullopt;
      }
      return all;
    }
    case CondKind::kNot: return std::nullopt;
  }
  return std::nullopt;
}

struct HsDbFree {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchFree {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

// Pattern ids 0 and 1 are the escapes that make a record unscannable.
constexpr unsigned kEscU = 0, kEscSlash = 1, kFirstFragment = 2;

// Rules by the folded value of one constant field (eventName, eventSource). Looked up for
// every event, so lookups go through a KeyTable (no division, no hashing of every byte);
// the map owns the keys and lists and is what the engine's set-up iterates.
class Index {
 public:
  Index() = default;
  Index(const Index&) = delete;  // the table points into the map
  Index& operator=(const Index&) = delete;

  // Set-up: the list of `key` (created empty). Call finish() after the last one.
  std::vector<uint32_t>& operator[](const std::string& key) { return lists_[key]; }

  void finish() {
    table_.reserve(lists_.size());
    for (const auto& [key, rules] : lists_) table_.put(Slot{0, key, &rules});
  }

  // The rules listed under `key`, or nullptr.
  [[nodiscard]] const std::vector<uint32_t>* find(std::string_view key) const {
    const Slot* s = table_.find(key);
    return s != nullptr ? s->rules : nullptr;
  }

  [[nodiscard]] bool empty() const { return lists_.empty(); }
  [[nodiscard]] auto begin() const { return lists_.begin(); }
  [[nodiscard]] auto end() const { return lists_.end(); }

 private:
  struct Slot {
    uint32_t hash = 0;
    std::string_view key;                      // into lists_ (node-based: keys do not move)
    const std::vector<uint32_t>* rules = nullptr;
    [[nodiscard]] bool used() const { return rules != nullptr; }
  };
  std::unordered_map<std::string, std::vector<uint32_t>> lists_;
  KeyTable<Slot> table_;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------

namespace {

bool lower_key(std::string_view s, char (&buf)[256], std::string_view& out) {
  if (s.size() > sizeof buf) return false;
  txt::lower_ascii(s.data(), s.size(), buf);
  out = std::string_view(buf, s.size());
  return true;
}

}  // namespace

struct Engine::Impl {
  std::vector<RuleMeta> meta;
  std::vector<std::optional<CRule>> rules;  // parallel to meta; nullopt for correlations
  std::vector<CDetection> filters;
  std::vector<std::vector<CorrelationFeed>> feeds;  // parallel to meta
  std::vector<CorrelationPlan> correlations;
  Index by_name, by_source;
  std::vector<uint32_t> unindexed;
  // A field whose folded string value must start with one of `prefixes` (exact values
  // count as their own prefix) for a rule to match.
  struct Gate {
    std::string path;
    uint32_t slot = kNoFieldSlot;  // set by build_fields()
    std::vector<std::string> prefixes;
  };
  // Parallel to unindexed: the index into gates of a rule that is only a candidate when
  // its gate passes, or -1. Gated rules keep their place among the unindexed ones, so
  // candidates come in the same order, and they are not prefiltered.
  std::vector<int32_t> prefix_gate;
  std::vector<Gate> gates;
  size_t detections = 0, indexed = 0, prefix_indexed = 0;
  // prefilter: slot of each rule (-1: always evaluated), rules' slots per fragment id
  std::vector<int32_t> pf_slot;
  std::vector<std::vector<uint32_t>> frag_slots;  // by pattern id - kFirstFragment
  uint32_t slots = 0;
  std::unique_ptr<hs_database_t, HsDbFree> db;
  FieldTable fields;

  // Gives every field path in use a slot: the alert context first (ContextField order),
  // then rules, filters and correlation feeds.
  void build_fields();

  bool build_prefilter(const EngineOptions& options, core::Diagnostics& diags);

  // Calls fn(rule) for the rules an event can match: those indexed under its eventName
  // and eventSource, then the unindexed ones.
  template <typename Fn>
  void each_candidate(const Rec& rec, Fn&& fn) const {
    char buf[256];
    std::string_view key;
    simdjson::dom::object obj = rec.root.get_object().value_unsafe();
    // the folded string value of a top-level field in `buf`/`key`; false when absent, not a
    // string or too long
    auto folded = [&](const char* field, uint32_t slot) {
      element v;
      if (rec.fs != nullptr) {
        // the slot of a top-level key is at_key()'s result (first of duplicates)
        if (rec.fs->resolve_slot(slot, v) != FieldState::Res::kValue) return false;
      } else {
        auto r = obj.at_key(field);
        if (r.error() != simdjson::SUCCESS) return false;
        v = r.value_unsafe();
      }
      if (v.type() != element_type::STRING) return false;
      return lower_key(v.get_string().value_unsafe(), buf, key);
    };
    auto try_index = [&](const Index& idx) {
      if (const std::vector<uint32_t>* rs = idx.find(key)) {
        for (uint32_t r : *rs) fn(r);
      }
    };
    if (!by_name.empty() && folded("eventName", kFieldEventName)) try_index(by_name);
    if (!by_source.empty() && folded("eventSource", kFieldEventSource)) try_index(by_source);
    // A gate fails only on a string value that starts with none of its (folded) prefixes,
    // ASCII case ignored as in matching, or on an absent field; any other value (a number,
    // an array, a key with dots on the way) evaluates the rule as an unindexed one. Without
    // the field table every gate passes.
    auto gate_passes = [&](const Gate& g) {
      if (rec.fs == nullptr || g.slot == kNoFieldSlot) return true;
      element v;
      switch (rec.fs->resolve_slot(g.slot, v)) {
        case FieldState::Res::kAbsent: return false;
        case FieldState::Res::kWalk: return true;
        case FieldState::Res::kValue: break;
      }
      if (v.type() != element_type::STRING) return true;
      std::string_view k = v.get_string().value_unsafe();
      for (const std::string& p : g.prefixes) {
        if (k.size() >= p.size() && txt::equals_fold(k.substr(0, p.size()), p)) return true;
      }
      return false;
    };
    for (size_t i = 0; i < unindexed.size(); ++i) {
      int32_t gate = prefix_gate[i];
      if (gate >= 0 && !gate_passes(gates[static_cast<size_t>(gate)])) continue;
      fn(unindexed[i]);
    }
  }

  bool matches(uint32_t r, const Rec& ev) const {
    const CRule& cr = *rules[r];
    if (!eval(cr.det.cond, cr.det, ev)) return false;
    for (uint32_t f : cr.filters) {
      if (eval(filters[f].cond, filters[f], ev)) return false;
    }
    return true;
  }
};

struct MatchScratch::Impl {
  std::unique_ptr<hs_scratch_t, HsScratchFree> hs;
  std::vector<uint32_t> stamp;  // per prefilter slot: the generation in which a fragment hit
  uint32_t gen = 0;
  bool escaped = false;
  const Engine::Impl* engine = nullptr;
  MatchStats stats;
  FieldState fields;  // of the record last given to match()
};

MatchScratch::MatchScratch(const Engine& engine) : impl_(std::make_unique<Impl>()) {
  const Engine::Impl& e = *engine.impl_;
  impl_->engine = &e;
  impl_->stamp.assign(e.slots, 0);
  impl_->fields.init(e.fields);
  if (e.db) {
    hs_scratch_t* sc = nullptr;
    if (hs_alloc_scratch(e.db.get(), &sc) == HS_SUCCESS) impl_->hs.reset(sc);
  }
}
MatchScratch::MatchScratch(MatchScratch&&) noexcept = default;
MatchScratch& MatchScratch::operator=(MatchScratch&&) noexcept = default;
MatchScratch::~MatchScratch() = default;
const MatchStats& MatchScratch::stats() const { return impl_->stats; }

simdjson::simdjson_result<element> MatchScratch::field(element record, uint32_t slot) {
  if (slot >= impl_->engine->fields.slot_count()) return simdjson::NO_SUCH_FIELD;
  element v;
  switch (impl_->fields.resolve_slot(slot, v)) {
    case FieldState::Res::kValue:
      return v;
    case FieldState::Res::kAbsent:
      return simdjson::NO_SUCH_FIELD;
    case FieldState::Res::kWalk:
      break;
  }
  return lookup(record, impl_->fields.path(slot));
}

void Engine::Impl::build_fields() {
  for (uint32_t f = 0; f < kContextFields; ++f) fields.add(context_field_path(static_cast<ContextField>(f)));
  auto detection = [&](CDetection& d) {
    for (CSelection& sel : d.sels) {
      for (std::vector<Item>& alt : sel.alternatives) {
        for (Item& item : alt) {
          if (!item.keyword) item.path.slot = fields.add(item.path.full);
          for (Test& t : item.tests) {
            if (t.kind == Test::kFieldRef) t.ref.slot = fields.add(t.ref.full);
          }
        }
      }
    }
  };
  for (std::optional<CRule>& r : rules) {
    if (r) detection(r->det);
  }
  for (CDetection& f : filters) detection(f);
  // a path too deep for the table gets kNoFieldSlot (looked up directly)
  auto slot_of = [&](const std::string& path) {
    int32_t slot = fields.add(path);
    return slot < 0 ? kNoFieldSlot : static_cast<uint32_t>(slot);
  };
  auto feed_slots = [&](CorrelationFeed& feed) {
    feed.group_slots.clear();
    for (const std::string& g : feed.group_fields) feed.group_slots.push_back(slot_of(g));
    feed.value_slot = feed.value_field.empty() ? kNoFieldSlot : slot_of(feed.value_field);
  };
  for (std::vector<CorrelationFeed>& fs : feeds) {
    for (CorrelationFeed& f : fs) feed_slots(f);
  }
  for (CorrelationPlan& p : correlations) {
    for (CorrelationFeed& f : p.downstream) feed_slots(f);
  }
  for (Gate& g : gates) g.slot = slot_of(g.path);
  fields.finish();
}

bool Engine::Impl::build_prefilter(const EngineOptions& options, core::Diagnostics& diags) {
  pf_slot.assign(meta.size(), -1);
  if (!options.prefilter) return true;
  std::vector<bool> indexed_rule(meta.size(), false);
  for (const Index* idx : {&by_name, &by_source}) {
    for (const auto& [k, rs] : *idx) {
      for (uint32_t r : rs) indexed_rule[r] = true;
    }
  }
  for (size_t i = 0; i < unindexed.size(); ++i) {
    if (prefix_gate[i] >= 0) indexed_rule[unindexed[i]] = true;
  }
  std::map<std::pair<std::string, bool>, uint32_t> ids;  // fragment -> index into frag_slots
  for (uint32_t i = 0; i < meta.size(); ++i) {
    if (meta[i].kind != RuleKind::kDetection || !rules[i]) continue;
    if (indexed_rule[i] && !options.prefilter_indexed) continue;
    const CDetection& d = rules[i]->det;
    auto frags = node_frags(d.cond, d);
    if (!frags) continue;
    auto slot = static_cast<int32_t>(slots++);
    pf_slot[i] = slot;
    for (const Frag& f : *frags) {
      auto [it, fresh] = ids.emplace(std::make_pair(f.text, f.cased), static_cast<uint32_t>(frag_slots.size()));
      if (fresh) frag_slots.emplace_back();
      std::vector<uint32_t>& v = frag_slots[it->second];
      if (v.empty() || v.back() != static_cast<uint32_t>(slot)) v.push_back(static_cast<uint32_t>(slot));
    }
  }
  if (slots == 0) return true;
  std::vector<std::string> texts(2 + frag_slots.size());
  std::vector<unsigned> flags(texts.size()), pids(texts.size());
  texts[kEscU] = "\\u";
  texts[kEscSlash] = "\\/";
  for (const auto& [key, id] : ids) {
    texts[kFirstFragment + id] = key.first;
    flags[kFirstFragment + id] = key.second ? 0 : HS_FLAG_CASELESS;
  }
  std::vector<const char*> ptrs(texts.size());
  std::vector<size_t> lens(texts.size());
  for (size_t k = 0; k < texts.size(); ++k) {
    ptrs[k] = texts[k].data();
    lens[k] = texts[k].size();
    flags[k] |= HS_FLAG_SINGLEMATCH;
    pids[k] = static_cast<unsigned>(k);
  }
  hs_database_t* out = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(ptrs.data(), flags.data(), pids.data(), lens.data(), static_cast<unsigned>(texts.size()),
                           HS_MODE_BLOCK, nullptr, &out, &error) != HS_SUCCESS) {
    std::string why = error && error->message ? error->message : "unknown error";
    hs_free_compile_error(error);
    diags.add(core::Severity::kWarning, "sigma.prefilter", "Vectorscan prefilter not built (" + why + "); every rule is evaluated", core::Location{});
    pf_slot.assign(meta.size(), -1);
    frag_slots.clear();
    slots = 0;
    return false;
  }
  db.reset(out);
  return true;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

size_t Engine::rule_count() const { return impl_->meta.size(); }
const RuleMeta& Engine::rule(uint32_t index) const { return impl_->meta[index]; }
const std::vector<CorrelationFeed>& Engine::feeds(uint32_t rule) const { return impl_->feeds[rule]; }
const std::vector<CorrelationPlan>& Engine::correlations() const { return impl_->correlations; }
size_t Engine::detection_count() const { return impl_->detections; }
size_t Engine::indexed_count() const { return impl_->indexed; }
size_t Engine::prefix_indexed_count() const { return impl_->prefix_indexed; }
size_t Engine::prefiltered_count() const { return impl_->slots; }
size_t Engine::fragment_count() const { return impl_->frag_slots.size(); }
std::optional<uint32_t> Engine::field_slot(std::string_view dotted) const {
  return impl_->fields.find(dotted);
}
size_t Engine::field_count() const { return impl_->fields.slot_count(); }

void Engine::match(element event, std::vector<uint32_t>& out) const {
  out.clear();
  const Impl& im = *impl_;
  if (event.type() != element_type::OBJECT) return;
  Rec rec{event, nullptr};
  im.each_candidate(rec, [&](uint32_t r) {
    if (im.matches(r, rec)) out.push_back(r);
  });
}

namespace {

int on_fragment(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto& sc = *static_cast<MatchScratch::Impl*>(ctx);
  if (id < kFirstFragment) {
    sc.escaped = true;
    return 1;  // stop: the record is evaluated against every rule
  }
  for (uint32_t slot : sc.engine->frag_slots[id - kFirstFragment]) sc.stamp[slot] = sc.gen;
  return 0;
}

}  // namespace

void Engine::match(element event, std::string_view text, MatchScratch& scratch, std::vector<uint32_t>& out) const {
  out.clear();
  const Impl& im = *impl_;
  MatchScratch::Impl& sc = *scratch.impl_;
  ++sc.stats.events;
  sc.fields.begin(event);
  if (event.type() != element_type::OBJECT) return;
  Rec rec{event, &sc.fields};
  // with no usable scan every prefiltered rule counts as hit (stamp == gen)
  bool scanned = false;
  if (++sc.gen == 0) {  // wrapped: clear old stamps
    std::fill(sc.stamp.begin(), sc.stamp.end(), 0);
    sc.gen = 1;
  }
  if (im.db && sc.hs && !text.empty() && text.size() <= UINT32_MAX) {
    sc.escaped = false;
    hs_error_t r = hs_scan(im.db.get(), text.data(), static_cast<unsigned>(text.size()), 0, sc.hs.get(), on_fragment, &sc);
    scanned = (r == HS_SUCCESS || r == HS_SCAN_TERMINATED) && !sc.escaped;
  }
  if (scanned) ++sc.stats.scanned;
  else if (im.db) ++sc.stats.unscannable;
  auto consider = [&](uint32_t r) {
    int32_t slot = im.pf_slot[r];
    if (scanned && slot >= 0 && sc.stamp[static_cast<size_t>(slot)] != sc.gen) {
      ++sc.stats.skipped;
      return;
    }
    ++sc.stats.evaluated;
    if (im.matches(r, rec)) out.push_back(r);
  };
  im.each_candidate(rec, consider);
}

core::Result<Engine> Engine::build(const RuleSet& set, const EngineOptions& options, core::Diagnostics& diags) {
  auto impl = std::make_unique<Impl>();
  Compiler comp(options, diags);
  const std::vector<Rule>& rules = set.rules();

  // 1. filters
  std::vector<std::pair<const Rule*, uint32_t>> filters;
  for (const Rule& r : rules) {
    if (r.kind != RuleKind::kFilter) continue;
    comp.reset();
    auto d = comp.compile_detection(r);
    if (!d) continue;
    filters.emplace_back(&r, static_cast<uint32_t>(impl->filters.size()));
    impl->filters.push_back(std::move(*d));
  }

  // 2. detection rules and correlation rules (in file order)
  std::unordered_map<std::string, uint32_t> by_id, by_name;
  std::vector<const Rule*> sources;
  for (const Rule& r : rules) {
    if (r.kind == RuleKind::kFilter) continue;
    RuleMeta m;
    m.kind = r.kind;
    m.id = r.id;
    m.name = r.name;
    m.title = r.title;
    m.description = r.description;
    m.level = r.level.empty() ? "medium" : r.level;
    m.status = r.status;
    m.author = r.author;
    m.tags = r.tags;
    m.references = r.references;
    m.falsepositives = r.falsepositives;
    m.location = r.location;
    std::optional<CRule> cr;
    if (r.kind == RuleKind::kDetection) {
      comp.reset();
      auto d = comp.compile_detection(r);
      if (!d) continue;
      cr = CRule{std::move(*d), {}};
      for (const auto& [f, idx] : filters) {
        for (const std::string& target : f->filter_rules) {
          if ((!r.id.empty() && target == r.id) || (!r.name.empty() && target == r.name)) {
            cr->filters.push_back(idx);
            break;
          }
        }
      }
    }
    auto index = static_cast<uint32_t>(impl->meta.size());
    if (!r.id.empty()) {
      if (by_id.count(r.id)) {
        diags.add(core::Severity::kWarning, "sigma.duplicate_id", "rule id " + r.id + " is used by more than one rule", r.location);
      } else {
        by_id[r.id] = index;
      }
    }
    if (!r.name.empty()) by_name.emplace(r.name, index);
    impl->meta.push_back(std::move(m));
    impl->rules.push_back(std::move(cr));
    impl->feeds.emplace_back();
    sources.push_back(&r);
  }
  for (const auto& [f, idx] : filters) {
    for (const std::string& target : f->filter_rules) {
      if (!by_id.count(target) && !by_name.count(target)) {
        diags.add(core::Severity::kWarning, "sigma.filter.unknown_rule",
                  "filter '" + f->title + "' names rule '" + target + "', which is not loaded", f->location);
      }
    }
  }

  // 3. correlations
  std::vector<int> plan_of(impl->meta.size(), -1);
  for (uint32_t i = 0; i < sources.size(); ++i) {
    const Rule& r = *sources[i];
    if (r.kind != RuleKind::kCorrelation) continue;
    CorrelationPlan plan;
    plan.rule = i;
    plan.spec = r.correlation;
    bool ok = true;
    for (const std::string& ref : r.correlation.rules) {
      auto it = by_id.find(ref);
      if (it == by_id.end()) it = by_name.find(ref);
      if (it == by_name.end()) {
        diags.add(core::Severity::kError, "sigma.correlation.unknown_rule",
                  "correlation refers to rule '" + ref + "', which is not loaded", r.location);
        ok = false;
        break;
      }
      if (it->second == i) {
        diags.add(core::Severity::kError, "sigma.correlation.cycle", "correlation refers to itself", r.location);
        ok = false;
        break;
      }
      plan.rule_names.push_back(ref);
      plan.feeders.push_back(it->second);
    }
    if (!ok) {
      impl->rules[i].reset();
      continue;
    }
    plan_of[i] = static_cast<int>(impl->correlations.size());
    impl->correlations.push_back(std::move(plan));
  }
  // wire feeds (a correlation feeding another correlation is wired through `downstream`)
  for (uint32_t c = 0; c < impl->correlations.size(); ++c) {
    CorrelationPlan& plan = impl->correlations[c];
    const Correlation& spec = plan.spec;
    for (uint32_t pos = 0; pos < plan.feeders.size(); ++pos) {
      uint32_t src = plan.feeders[pos];
      CorrelationFeed feed;
      feed.correlation = c;
      feed.position = pos;
      const std::string& src_name = impl->meta[src].name;
      for (const std::string& g : spec.group_by) {
        std::string field = g;
        auto al = spec.aliases.find(g);
        if (al != spec.aliases.end()) {
          auto f = al->second.find(src_name);
          if (f == al->second.end()) f = al->second.find(impl->meta[src].id);
          if (f == al->second.end()) f = al->second.find(plan.rule_names[pos]);
          if (f != al->second.end()) field = f->second;
        }
        feed.group_fields.push_back(field);
      }
      feed.value_field = spec.condition.field;
      if (impl->meta[src].kind == RuleKind::kCorrelation) {
        if (plan_of[src] < 0) continue;
        impl->correlations[static_cast<size_t>(plan_of[src])].downstream.push_back(std::move(feed));
      } else if (impl->rules[src]) {
        impl->feeds[src].push_back(std::move(feed));
        if (!spec.generate) impl->meta[src].standalone = false;
      }
    }
  }
  // a rule used by a correlation with generate: true stays standalone
  for (const CorrelationPlan& plan : impl->correlations) {
    if (!plan.spec.generate) continue;
    for (uint32_t src : plan.feeders) impl->meta[src].standalone = true;
  }
  // correlations feeding other correlations do not alert on their own unless generate
  for (const CorrelationPlan& plan : impl->correlations) {
    for (uint32_t src : plan.feeders) {
      if (impl->meta[src].kind == RuleKind::kCorrelation && !plan.spec.generate) impl->meta[src].standalone = false;
    }
  }

  // 4. index
  for (uint32_t i = 0; i < impl->meta.size(); ++i) {
    if (impl->meta[i].kind != RuleKind::kDetection || !impl->rules[i]) continue;
    ++impl->detections;
    const CDetection& d = impl->rules[i]->det;
    if (auto keys = node_keys(d.cond, d, "eventName")) {
      for (const std::string& k : *keys) impl->by_name[k].push_back(i);
      ++impl->indexed;
    } else if (auto skeys = node_keys(d.cond, d, "eventSource")) {
      for (const std::string& k : *skeys) impl->by_source[k].push_back(i);
      ++impl->indexed;
    } else if (auto spec = gate_spec(d)) {
      // a field the rule needs to equal or start with one of a few values: a candidate
      // only for events where it does (eventName|startswith, errorCode, awsRegion, ...)
      impl->unindexed.push_back(i);
      impl->prefix_gate.push_back(static_cast<int32_t>(impl->gates.size()));
      impl->gates.push_back(Impl::Gate{std::move(spec->path), kNoFieldSlot, std::move(spec->prefixes)});
      ++impl->prefix_indexed;
    } else {
      impl->unindexed.push_back(i);
      impl->prefix_gate.push_back(-1);
    }
  }
  impl->by_name.finish();
  impl->by_source.finish();
  // drop metadata of rules that failed to compile? They keep their slot (no matcher) so
  // indices stay stable; match() never reports them.
  impl->build_prefilter(options, diags);
  impl->build_fields();
  return Engine(std::move(impl));
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

std::string_view context_field_path(ContextField f) {
  static constexpr std::string_view kPaths[kContextFields] = {
      "eventTime",         "recipientAccountId", "userIdentity.accountId",
      "awsRegion",         "userIdentity.arn",   "userIdentity.principalId",
      "userIdentity.invokedBy", "userIdentity.type", "sourceIPAddress",
      "eventName",         "eventSource"};
  return f < kContextFields ? kPaths[f] : std::string_view{};
}

simdjson::simdjson_result<element> lookup(element root, std::string_view dotted) {
  element cur = root;
  size_t start = 0;
  while (true) {
    if (cur.type() != element_type::OBJECT) return simdjson::NO_SUCH_FIELD;
    size_t dot = dotted.find('.', start);
    std::string_view key = dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto next = cur.get_object().value_unsafe().at_key(key);
    if (next.error() != simdjson::SUCCESS) {
      // a key with dots in it
      auto whole = cur.get_object().value_unsafe().at_key(dotted.substr(start));
      return whole;
    }
    cur = next.value_unsafe();
    if (dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

std::string scalar_text(simdjson::simdjson_result<element> e) {
  if (e.error() != simdjson::SUCCESS) return {};
  char buf[64];
  std::string_view s;
  if (!scalar_view(e.value_unsafe(), s, buf)) return {};
  return std::string(s);
}

bool scalar_text_view(simdjson::simdjson_result<element> e, std::string_view& out, char (&buf)[64]) {
  return e.error() == simdjson::SUCCESS && scalar_view(e.value_unsafe(), out, buf);
}

void assign_scalar_text(simdjson::simdjson_result<element> e, std::string& out) {
  char buf[64];
  std::string_view s;
  if (e.error() != simdjson::SUCCESS || !scalar_view(e.value_unsafe(), s, buf)) {
    out.clear();
    return;
  }
  out.assign(s.data(), s.size());
}

bool parse_time_ms(std::string_view s, int64_t& out) {
  auto num = [&](size_t pos, size_t len, int& v) {
    if (pos + len > s.size()) return false;
    v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > core::days_in_month(y, mo)) return false;
  size_t pos = 10;
  int64_t ms = 0;
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!num(pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, mi)) return false;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!num(pos + 1, 2, sec)) return false;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) ms = ms * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return false;
      for (int k = digits; k < 3; ++k) ms *= 10;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om = 0;
        if (!num(pos + 1, 2, oh)) return false;
        size_t p2 = pos + 3;
        if (p2 < s.size() && s[p2] == ':') ++p2;
        if (p2 < s.size() && !num(p2, 2, om)) return false;
        offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
        pos = p2 + (p2 < s.size() ? 2 : 0);
      }
    }
    if (pos != s.size()) return false;
    if (h > 23 || mi > 59 || sec > 60) return false;
  } else if (pos != s.size()) {
    return false;
  }
  int64_t days = core::days_from_civil(y, mo, d);
  out = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + ms;
  return true;
}

}  // namespace sekimori::detect
