// sekimori::formats — the document model: one value tree in which every node knows
// where it came from.
//
// JSON (simdjson) and YAML (yaml-cpp) load into the same tree of Nodes: null, bool, int,
// uint (integers above INT64_MAX), double, string, list, map (insertion order kept), and
// `unknown` (never produced by a loader; adapters use it for values that cannot be known
// statically; an unknown string whose parts are known, such as CloudFormation's
// `!Sub "arn:aws:iam::${AWS::AccountId}:root"`, keeps them as its shape). YAML tags that
// are not YAML's own (`!Ref`, `!GetAtt`, `!If`) are kept on the node so the
// CloudFormation adapter can resolve them later.
//
//   core::Diagnostics diags;
//   auto doc = formats::load_file("template.yaml", formats::Limits{}, diags);
//   if (!doc.ok()) { diags.add_error(doc.error()); ... }
//   const formats::Node* type = doc->root().find("Resources");
//   core::Location where = doc->location(*type);   // template.yaml:3:1
//
// Ownership: a Document owns all of its nodes and strings (an arena); Node pointers and
// string_views stay valid while the Document lives, and moving a Document keeps them
// valid. Thread-safety: a loaded Document is immutable and may be read from many
// threads at once.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/location.h"
#include "core/result.h"

namespace sekimori::formats {

enum class NodeKind : uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kList, kMap, kUnknown };

[[nodiscard]] const char* kind_name(NodeKind k);  // "null", "bool", ... "unknown"

struct Member;

// Where find_hinted() last found a key (a member index), shared by the threads that use it:
// a relaxed atomic, as any value is only a guess that find_hinted() checks.
struct FindHint {
  std::atomic<uint32_t> member{0};
  FindHint() = default;
  FindHint(const FindHint& o) : member(o.member.load(std::memory_order_relaxed)) {}
  FindHint& operator=(const FindHint& o) {
    member.store(o.member.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  ~FindHint() = default;
};

// Position of a node in its document's text: 1-based line and column, 0-based offset.
struct Pos {
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;
};

// One node of the tree. Nodes are created by a Builder and owned by their Document.
class Node {
 public:
  [[nodiscard]] NodeKind kind() const { return kind_; }
  [[nodiscard]] bool is_null() const { return kind_ == NodeKind::kNull; }
  [[nodiscard]] bool is_scalar() const { return kind_ < NodeKind::kList; }
  [[nodiscard]] Pos pos() const { return pos_; }
  // A YAML tag that is not one of YAML's own ("!Ref", "!GetAtt", "!If", "!custom");
  // empty when none. `!!str` and friends are applied while loading, not kept.
  [[nodiscard]] std::string_view tag() const {
    return extra_ != nullptr && extra_->tag != nullptr ? std::string_view(extra_->tag, extra_->tag_size)
                                                       : std::string_view();
  }
  // YAML: the scalar was written quoted or as a block scalar (so "true" is a string).
  [[nodiscard]] bool quoted() const { return quoted_; }
  // The file the node was read from: its document's path, or for nodes an adapter copied
  // from another document (Builder::set_file), that document's path. Empty if unknown.
  [[nodiscard]] std::string_view file() const { return file_ ? std::string_view(*file_) : std::string_view(); }
  // The same as the string it points to (null if unknown), for Builder::set_file.
  [[nodiscard]] const std::string* file_path() const { return file_; }

  // Accessors; calling one for another kind is a programmer error (asserted).
  [[nodiscard]] bool as_bool() const;
  [[nodiscard]] int64_t as_int() const;
  [[nodiscard]] uint64_t as_uint() const;
  [[nodiscard]] double as_double() const;
  [[nodiscard]] std::string_view as_string() const;
  // An unknown node that is known to be a string, some of whose text is known: that text
  // with a hole where an unknown run of characters (possibly empty) goes, e.g.
  // "arn:aws:iam::\0:root". A hole is kShapeHole (any characters) or kShapeWordHole
  // (only is_word_char ones: what an account ID, region or stack name is made of).
  // Empty for any other node (a plain unknown: its type is not known either).
  [[nodiscard]] std::string_view unknown_shape() const {
    return kind_ == NodeKind::kUnknown ? std::string_view(str_, count_) : std::string_view();
  }
  static constexpr char kShapeHole = '\0';
  static constexpr char kShapeWordHole = '\x01';
  [[nodiscard]] static bool is_shape_hole(char c) { return c == kShapeHole || c == kShapeWordHole; }
  // A letter, digit or one of `-_.:/`.
  [[nodiscard]] static bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':' || c == '/';
  }
  // Appends a hole to a shape being built; a hole right after another is one hole (of
  // any characters if either is).
  static void append_shape_hole(std::string& shape, char hole) {
    if (!shape.empty() && is_shape_hole(shape.back())) {
      if (hole == kShapeHole) shape.back() = kShapeHole;
      return;
    }
    shape.push_back(hole);
  }
  [[nodiscard]] std::span<const Node> items() const;     // list
  [[nodiscard]] std::span<const Member> members() const;  // map, in document order
  // Number of items (list), members (map) or bytes (string); 0 otherwise.
  [[nodiscard]] size_t size() const;

  // Map lookup by string key (keys that are not strings never match). Duplicate keys
  // were resolved while loading (last wins), so at most one member matches. O(log n)
  // for large maps, linear for small ones. Returns nullptr when absent or not a map.
  [[nodiscard]] const Node* find(std::string_view key) const;
  // Follows a path of map keys; nullptr when any step is absent.
  [[nodiscard]] const Node* find_path(std::initializer_list<std::string_view> keys) const;
  // find() for a caller that looks the same key up in many maps laid out alike (a rule's
  // attribute in every resource of a type): the member where `hint` says the key was
  // last found is tried first, and `hint` is updated. Keys are unique (see find()), so
  // the answer is find()'s. A hint may be shared between threads.
  [[nodiscard]] const Node* find_hinted(std::string_view key, FindHint& hint) const;

 private:
  friend class Builder;
  // What few nodes have (a YAML tag, a big map's key index), kept out of line so that a
  // node is 48 bytes: documents are mostly nodes.
  struct Extra {
    const char* tag = nullptr;
    uint32_t tag_size = 0;
    const uint32_t* index = nullptr;
  };
  NodeKind kind_ = NodeKind::kNull;
  bool quoted_ = false;
  uint32_t count_ = 0;  // list items, map members or string bytes
  Pos pos_;
  const std::string* file_ = nullptr;
  const Extra* extra_ = nullptr;
  union {
    bool b_;
    int64_t i_;
    uint64_t u_;
    double d_;
    const char* str_;
    const Node* items_;
    const Member* members_;
  };
  // Maps with more than kIndexThreshold members: member indices sorted by key.

 public:
  // Up to this many members a lookup is a linear scan that compares sizes and first bytes
  // before any memcmp, cheaper than a binary search's string comparisons (a resource's
  // attributes are usually 10-30 keys; with 8 here a plan scan took 10 % longer).
  static constexpr uint32_t kIndexThreshold = 32;
  Node() : i_(0) {}
};

struct Member {
  Node key;  // a string for JSON; any scalar for YAML
  Node value;
};
static_assert(sizeof(Member) == 2 * sizeof(Node), "find_hinted() steps from a value to its key");

// The accessors are inline: every layer reads trees through them, millions of times a scan.
inline bool Node::as_bool() const {
  assert(kind_ == NodeKind::kBool);
  return b_;
}
inline int64_t Node::as_int() const {
  assert(kind_ == NodeKind::kInt);
  return i_;
}
inline uint64_t Node::as_uint() const {
  assert(kind_ == NodeKind::kUint);
  return u_;
}
inline double Node::as_double() const {
  assert(kind_ == NodeKind::kDouble);
  return d_;
}
inline std::string_view Node::as_string() const {
  assert(kind_ == NodeKind::kString);
  return {str_, count_};
}
inline std::span<const Node> Node::items() const {
  assert(kind_ == NodeKind::kList);
  return {items_, count_};
}
inline std::span<const Member> Node::members() const {
  assert(kind_ == NodeKind::kMap);
  return {members_, count_};
}
inline size_t Node::size() const {
  return kind_ == NodeKind::kList || kind_ == NodeKind::kMap || kind_ == NodeKind::kString ? count_ : 0;
}
inline const Node* Node::find_hinted(std::string_view key, FindHint& hint) const {
  if (kind_ != NodeKind::kMap) return nullptr;
  uint32_t h = hint.member.load(std::memory_order_relaxed);
  if (h < count_) {
    const Node& k = members_[h].key;
    if (k.kind_ == NodeKind::kString && k.count_ == key.size() &&
        (key.empty() || std::char_traits<char>::compare(k.str_, key.data(), key.size()) == 0)) {
      return &members_[h].value;
    }
  }
  const Node* found = find(key);
  if (found != nullptr) {
    // the member holding `found` (a Member is a key node then a value node)
    auto at = static_cast<uint32_t>(reinterpret_cast<const Member*>(found - 1) - members_);
    hint.member.store(at, std::memory_order_relaxed);
  }
  return found;
}

enum class Format : uint8_t { kJson, kYaml };

// Limits for untrusted input. Exceeding one is a located error ("doc.limit.depth", ...).
struct Limits {
  uint64_t max_bytes = uint64_t{1} << 30;   // 1 GiB of input text
  uint32_t max_depth = 256;                 // nesting of lists and maps (hard cap 256)
  uint64_t max_string = uint64_t{64} << 20;  // one string's bytes
  uint64_t max_nodes = 100'000'000;          // nodes in one document (all roots)
  uint32_t max_documents = 100'000;          // documents in one YAML stream
  // JSON only, not a limit but a saving: map members left out of the tree, each a path
  // of keys from the root with list levels not counted ({"resource_changes", "change",
  // "after"} drops `after` in every item of the root's `resource_changes` list). A path
  // whose second-to-last element is "**" drops its last key at any depth below the keys
  // before it ({"configuration", "**", "constant_value"}); one such key is pruned at a
  // time: the first whose prefix the walk has entered (a second "**" pattern with the
  // same or a deeper prefix is not applied inside it). Pruned values are skipped by the
  // parser's structural index, not checked in detail.
  std::vector<std::vector<std::string>> json_prune;
};

class Document {
 public:
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  [[nodiscard]] const std::string& path() const;
  [[nodiscard]] Format format() const;
  // The input text (after BOM removal), for snippets.
  [[nodiscard]] std::string_view text() const;
  // Every document of the stream: one for JSON, one per `---` document for YAML. A YAML
  // stream with no document has none.
  [[nodiscard]] std::span<const Node> roots() const;
  // The first root; a null node when there is none.
  [[nodiscard]] const Node& root() const;
  [[nodiscard]] size_t node_count() const;

  // Where a node came from: its own file (see Node::file) with its position.
  [[nodiscard]] core::Location location(const Node& node) const;
  [[nodiscard]] core::Location location(Pos pos) const;

 private:
  friend class Builder;
  struct Impl;
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds a Document bottom-up; used by the loaders and by adapters that synthesise
// trees (the canonical resource model). Containers are built with begin_*/end_*; a map's
// children alternate key, value.
//
//   Builder b("x.json", Format::kJson, text);
//   b.begin_map({1, 1, 0});
//   b.add_string({1, 2, 1}, "a"); b.add_int({1, 7, 6}, 1);
//   SKM_TRY(b.end_map());
//   SKM_TRY(b.end_root());
//   Document doc = std::move(b).finish();
class Builder {
 public:
  Builder(std::string path, Format format, std::string text, Limits limits = {});
  ~Builder();
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  // Scalars and containers are appended to the innermost open container (or become the
  // next root when none is open). Each returns an error when a limit is exceeded.
  core::Status add_null(Pos pos);
  core::Status add_bool(Pos pos, bool v);
  core::Status add_int(Pos pos, int64_t v);
  core::Status add_uint(Pos pos, uint64_t v);
  core::Status add_double(Pos pos, double v);
  core::Status add_string(Pos pos, std::string_view v, bool quoted = false);
  // `shape`: see Node::unknown_shape() (copied; empty for a plain unknown).
  core::Status add_unknown(Pos pos, std::string_view shape = {});
  core::Status begin_list(Pos pos);
  core::Status end_list();
  core::Status begin_map(Pos pos);
  // Closes the map. Duplicate string keys: the last one wins, and a warning
  // "doc.duplicate_key" (with both locations) is added to `diags` when given.
  core::Status end_map(core::Diagnostics* diags = nullptr);
  // Sets the tag of the node added last (or of the container just begun).
  void set_tag(std::string_view tag);
  // Nodes added from now on are attributed to `path` (which must outlive the Document),
  // e.g. when an adapter copies attributes from another source file; nullptr restores
  // this document's own path.
  void set_file(const std::string* path);

  // YAML aliases. last_node() is the node added or closed last (a null node when there
  // is none); add_shared() appends a copy of such a node whose children are shared with
  // the original (the tree is immutable once built, so this is safe and makes an alias
  // O(1) however big its anchor). `weight` is how many nodes the copy stands for; it is
  // counted against max_nodes, so "billion laughs" inputs still hit doc.limit.nodes.
  [[nodiscard]] const Node& last_node() const;
  core::Status add_shared(Pos pos, const Node& node, uint64_t weight);
  // Nodes added so far (keys included; a shared copy counts its weight).
  [[nodiscard]] uint64_t node_count() const;

  [[nodiscard]] size_t depth() const;
  [[nodiscard]] const Limits& limits() const;
  [[nodiscard]] const std::string& path() const;
  [[nodiscard]] std::string_view text() const;
  [[nodiscard]] core::Location location(Pos pos) const;

  // All containers must be closed.
  Document finish() &&;
  // Gives back the text the Builder was made with, for a loader that failed and leaves the
  // text to another (load_document retries YAML); the Builder is unusable afterwards.
  std::string take_text() &&;

 private:
  // The out-of-line part of a node, or nullptr when it has neither tag nor index.
  const Node::Extra* extra(const char* tag, uint32_t tag_size, const uint32_t* index);
  struct State;
  std::unique_ptr<State> s_;
};

// Loaders. On a syntax error or an exceeded limit they return an Error with a stable
// code ("json.syntax", "yaml.syntax", "doc.limit.depth", "doc.limit.size",
// "doc.limit.string", "doc.limit.nodes", "doc.utf8") and its location; warnings (duplicate
// keys, a BOM) go to `diags`. Input is UTF-8; a UTF-8 BOM is skipped; CRLF is accepted.
core::Result<Document> load_json(std::string path, std::string text, const Limits& limits,
                                 core::Diagnostics& diags);
// The same, taking `text` only when it succeeds: on an error, `text` is left as it was
// given (load_document hands it to the YAML loader without having copied it).
core::Result<Document> load_json_or_keep(std::string path, std::string& text, const Limits& limits,
                                         core::Diagnostics& diags);
core::Result<Document> load_yaml(std::string path, std::string text, const Limits& limits,
                                 core::Diagnostics& diags);
// Chooses JSON when the first non-space character is '{' or '[' and the text parses as
// JSON, YAML otherwise (JSON is a subset of YAML, but the JSON path is much faster).
core::Result<Document> load_document(std::string path, std::string text, const Limits& limits,
                                     core::Diagnostics& diags);
// Reads a file (or standard input for "-") and calls load_document.
core::Result<Document> load_file(const std::string& path, const Limits& limits,
                                 core::Diagnostics& diags);

}  // namespace sekimori::formats
