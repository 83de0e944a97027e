// Snapshot bytes (version 1). Integers are LEB128 varints; a document is
//
//   "SKMS" 0x01  varint(roots)  node...
//   node:  u8 head  varint(line)  varint(column)  varint(offset)  [tag]  payload
//          head = NodeKind | 0x10 when quoted | 0x20 when tagged | 0x40 when an unknown
//          has a shape (Node::unknown_shape); tag = varint(size) bytes
//   payload by kind: null: none; unknown: none, or varint(size) bytes of its shape;
//          bool: u8; int: zigzag varint; uint: varint;
//          double: its 8 bytes (host order: the build makes snapshots for the binary it
//          builds); string: varint(size) bytes; list: varint(count) node...;
//          map: varint(count) (key node, value node)...
//
// Reading checks every length against what is left, so bad bytes give "doc.snapshot",
// never a read past the end; nesting is bounded by the Builder's depth limit (and by
// kHardMaxDepth while skipping).
#include "formats/snapshot.h"

#include <cstring>
#include <utility>

#include "formats/internal/text_util.h"

namespace sekimori::formats {

namespace {

constexpr std::string_view kMagic("SKMS\x01", 5);
constexpr uint8_t kQuoted = 0x10;
constexpr uint8_t kTagged = 0x20;
constexpr uint8_t kShaped = 0x40;
constexpr uint8_t kKindMask = 0x0f;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_node(std::string& out, const Node& n) {
  std::string_view tag = n.tag();
  uint8_t head = static_cast<uint8_t>(n.kind());
  if (n.quoted()) head |= kQuoted;
  if (!tag.empty()) head |= kTagged;
  if (!n.unknown_shape().empty()) head |= kShaped;
  out.push_back(static_cast<char>(head));
  put_varint(out, n.pos().line);
  put_varint(out, n.pos().column);
  put_varint(out, n.pos().offset);
  if (!tag.empty()) put_bytes(out, tag);
  switch (n.kind()) {
    case NodeKind::kNull:
      break;
    case NodeKind::kUnknown:
      if ((head & kShaped) != 0) put_bytes(out, n.unknown_shape());
      break;
    case NodeKind::kBool: out.push_back(n.as_bool() ? 1 : 0); break;
    case NodeKind::kInt: {
      auto v = static_cast<uint64_t>(n.as_int());
      put_varint(out, (v << 1) ^ (n.as_int() < 0 ? ~uint64_t{0} : 0));
      break;
    }
    case NodeKind::kUint: put_varint(out, n.as_uint()); break;
    case NodeKind::kDouble: {
      double d = n.as_double();
      char b[sizeof d];
      std::memcpy(b, &d, sizeof d);
      out.append(b, sizeof b);
      break;
    }
    case NodeKind::kString: put_bytes(out, n.as_string()); break;
    case NodeKind::kList:
      put_varint(out, n.size());
      for (const Node& item : n.items()) put_node(out, item);
      break;
    case NodeKind::kMap:
      put_varint(out, n.size());
      for (const Member& m : n.members()) {
        put_node(out, m.key);
        put_node(out, m.value);
      }
      break;
  }
}

// A node's header and, for a scalar, its value: what is read before it is built.
struct Head {
  NodeKind kind = NodeKind::kNull;
  bool quoted = false;
  Pos pos;
  std::string_view tag;
  uint64_t u = 0;  // bool, int (zigzag), uint, or the count of a list or map
  double d = 0;
  std::string_view s;
};

class Reader {
 public:
  Reader(std::string_view in, Builder& b, std::string_view path) : in_(in), b_(b), path_(path) {}

  core::Status document(std::string_view skip_root_key) {
    if (in_.substr(0, kMagic.size()) != kMagic) return bad();
    at_ = kMagic.size();
    uint64_t roots = 0;
    if (!varint(roots) || roots > left()) return bad();
    for (uint64_t r = 0; r < roots; ++r) SKM_TRY(node(skip_root_key));
    if (at_ != in_.size()) return bad();
    return {};
  }

 private:
  size_t left() const { return in_.size() - at_; }

  core::Status bad() const {
    return core::make_error("doc.snapshot", "embedded snapshot is damaged at byte " + std::to_string(at_),
                            core::Location{std::string(path_), 0, 0, 0});
  }

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= in_.size()) return false;
      auto c = static_cast<uint8_t>(in_[at_++]);
      v |= uint64_t{c & 0x7fu} << shift;
      if (c < 0x80) return true;
    }
    return false;
  }

  bool bytes(std::string_view& s) {
    uint64_t n = 0;
    if (!varint(n) || n > left()) return false;
    s = in_.substr(at_, n);
    at_ += n;
    return true;
  }

  bool head(Head& h) {
    if (at_ >= in_.size()) return false;
    auto c = static_cast<uint8_t>(in_[at_++]);
    bool bad_kind = (c & kKindMask) > static_cast<uint8_t>(NodeKind::kUnknown);
    if (bad_kind || (c & ~(kKindMask | kQuoted | kTagged | kShaped)) != 0) return false;
    bool shaped = (c & kShaped) != 0;
    if (shaped && (c & kKindMask) != static_cast<uint8_t>(NodeKind::kUnknown)) return false;
    h.kind = static_cast<NodeKind>(c & kKindMask);
    h.quoted = (c & kQuoted) != 0;
    uint64_t line = 0, column = 0;
    if (!varint(line) || !varint(column) || !varint(h.pos.offset)) return false;
    if (line > UINT32_MAX || column > UINT32_MAX) return false;
    h.pos.line = static_cast<uint32_t>(line);
    h.pos.column = static_cast<uint32_t>(column);
    h.tag = {};
    if ((c & kTagged) != 0 && (!bytes(h.tag) || h.tag.empty())) return false;
    h.s = {};
    switch (h.kind) {
      case NodeKind::kNull:
        return true;
      case NodeKind::kUnknown:
        return !shaped || (bytes(h.s) && !h.s.empty());
      case NodeKind::kBool:
        if (at_ >= in_.size() || static_cast<uint8_t>(in_[at_]) > 1) return false;
        h.u = static_cast<uint8_t>(in_[at_++]);
        return true;
      case NodeKind::kDouble:
        if (left() < sizeof h.d) return false;
        std::memcpy(&h.d, in_.data() + at_, sizeof h.d);
        at_ += sizeof h.d;
        return true;
      case NodeKind::kString: return bytes(h.s);
      case NodeKind::kInt:
      case NodeKind::kUint: return varint(h.u);
      case NodeKind::kList:
      case NodeKind::kMap:
        // every node takes at least 4 bytes: a count beyond what is left is damage
        return varint(h.u) && h.u <= left() / 4;
    }
    return false;
  }

  core::Status scalar(const Head& h) {
    switch (h.kind) {
      case NodeKind::kNull: return b_.add_null(h.pos);
      case NodeKind::kUnknown:
        return b_.add_unknown(h.pos, h.s);
      case NodeKind::kBool: return b_.add_bool(h.pos, h.u != 0);
      case NodeKind::kInt: return b_.add_int(h.pos, static_cast<int64_t>((h.u >> 1) ^ (~(h.u & 1) + 1)));
      case NodeKind::kUint: return b_.add_uint(h.pos, h.u);
      case NodeKind::kDouble: return b_.add_double(h.pos, h.d);
      default: return b_.add_string(h.pos, h.s, h.quoted);
    }
  }

  // Reads one node and adds it; at the root level (skip_root_key not empty) a map's member
  // with that key is read past instead.
  core::Status node(std::string_view skip_root_key = {}) {
    Head h;
    if (!head(h)) return bad();
    if (h.kind != NodeKind::kList && h.kind != NodeKind::kMap) {
      SKM_TRY(scalar(h));
      if (!h.tag.empty()) b_.set_tag(h.tag);
      return {};
    }
    if (h.kind == NodeKind::kList) {
      SKM_TRY(b_.begin_list(h.pos));
      if (!h.tag.empty()) b_.set_tag(h.tag);
      for (uint64_t i = 0; i < h.u; ++i) SKM_TRY(node());
      return b_.end_list();
    }
    SKM_TRY(b_.begin_map(h.pos));
    if (!h.tag.empty()) b_.set_tag(h.tag);
    for (uint64_t i = 0; i < h.u; ++i) {
      Head key;
      if (!head(key) || key.kind == NodeKind::kList || key.kind == NodeKind::kMap) return bad();
      if (!skip_root_key.empty() && key.kind == NodeKind::kString && key.s == skip_root_key) {
        if (!skip(0)) return bad();
        continue;
      }
      SKM_TRY(scalar(key));
      if (!key.tag.empty()) b_.set_tag(key.tag);
      SKM_TRY(node());
    }
    return b_.end_map();
  }

  bool skip(uint32_t depth) {
    Head h;
    if (depth > internal::kHardMaxDepth || !head(h)) return false;
    if (h.kind != NodeKind::kList && h.kind != NodeKind::kMap) return true;
    uint64_t children = h.kind == NodeKind::kMap ? 2 * h.u : h.u;
    for (uint64_t i = 0; i < children; ++i) {
      if (!skip(depth + 1)) return false;
    }
    return true;
  }

  std::string_view in_;
  size_t at_ = 0;
  Builder& b_;
  std::string_view path_;
};

}  // namespace

uint64_t snapshot_text_hash(std::string_view text) {
  // FNV-1a's constants over 8-byte words (then the tail's bytes): start-up hashes the
  // whole rule pack, and byte-wise FNV-1a was 7 % of a small scan's instructions.
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, sizeof w);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < text.size(); ++i) h = (h ^ static_cast<uint8_t>(text[i])) * 0x100000001b3ull;
  return h;
}

std::string_view find_snapshot(std::span<const EmbeddedSnapshot> snapshots, std::string_view path,
                               std::string_view text) {
  for (const EmbeddedSnapshot& s : snapshots) {
    if (s.path != path) continue;
    if (s.text_size == text.size() && s.text_hash == snapshot_text_hash(text)) return s.bytes;
    return {};
  }
  return {};
}

bool identical(const Node& a, const Node& b) {
  if (a.kind() != b.kind() || a.quoted() != b.quoted() || a.tag() != b.tag() || a.size() != b.size()) {
    return false;
  }
  Pos pa = a.pos(), pb = b.pos();
  if (pa.line != pb.line || pa.column != pb.column || pa.offset != pb.offset) return false;
  switch (a.kind()) {
    case NodeKind::kNull:
      return true;
    case NodeKind::kUnknown:
      return a.unknown_shape() == b.unknown_shape();
    case NodeKind::kBool: return a.as_bool() == b.as_bool();
    case NodeKind::kInt: return a.as_int() == b.as_int();
    case NodeKind::kUint: return a.as_uint() == b.as_uint();
    case NodeKind::kDouble: {
      double x = a.as_double(), y = b.as_double();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case NodeKind::kString: return a.as_string() == b.as_string();
    case NodeKind::kList:
      for (size_t i = 0; i < a.size(); ++i) {
        if (!identical(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case NodeKind::kMap:
      for (size_t i = 0; i < a.size(); ++i) {
        const Member &ma = a.members()[i], &mb = b.members()[i];
        if (!identical(ma.key, mb.key) || !identical(ma.value, mb.value)) return false;
      }
      return true;
  }
  return false;
}

std::string snapshot(const Document& doc) {
  std::string out(kMagic);
  put_varint(out, doc.roots().size());
  for (const Node& root : doc.roots()) put_node(out, root);
  return out;
}

core::Result<Document> load_snapshot(std::string path, std::string text, std::string_view bytes,
                                     const Limits& limits, std::string_view skip_root_key) {
  std::string where = path;
  Builder b(std::move(path), Format::kYaml, std::move(text), limits);
  SKM_TRY(Reader(bytes, b, where).document(skip_root_key));
  return std::move(b).finish();
}

core::Result<Document> load_yaml_or_snapshot(std::string path, std::string text, std::string_view snapshot,
                                             const Limits& limits, core::Diagnostics& diags,
                                             std::string_view skip_root_key) {
  if (snapshot.empty()) return load_yaml(std::move(path), std::move(text), limits, diags);
  return load_snapshot(std::move(path), std::move(text), snapshot, limits, skip_root_key);
}

}  // namespace sekimori::formats
