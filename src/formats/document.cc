// The document model: Node accessors, the arena-backed Document and the Builder.
//
// Memory: every container's children, every string and every tag live in an Arena of
// heap blocks owned by the Document, so Node pointers survive moving the Document.
// Builder keeps one shared `pending` stack of finished children for all open
// containers; closing a container copies its slice into the arena in one go.
#include "formats/document.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>

#include "formats/internal/text_util.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sekimori::formats {

namespace {

// Big blocks of documents that are gone, kept for the next ones (exact sizes; at most
// kPoolBytes in all, process-wide). A scan loads one file after another: without this,
// every file's tree went to fresh memory, and in a VM a fresh page costs a fault and the
// kernel zeroing it (a tenth of a CloudFormation scan). Blocks under kMinBytes (small
// documents, such as JSON held in strings) are left to malloc, which reuses them well;
// that also keeps the pool to a few hundred entries.
class BlockPool {
 public:
  static constexpr size_t kMinBytes = size_t{256} << 10;

  static BlockPool& instance() {
    static BlockPool* pool = new BlockPool;  // never destroyed: documents may outlive statics
    return *pool;
  }

  std::byte* take(size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].second != size) continue;
      std::byte* p = free_[i].first;
      free_[i] = free_.back();
      free_.pop_back();
      bytes_ -= size;
      return p;
    }
    return nullptr;
  }

  // False when the pool is full: the caller frees the block.
  bool give(std::byte* p, size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes_ + size > kPoolBytes) return false;
    free_.emplace_back(p, size);
    bytes_ += size;
    return true;
  }

 private:
  static constexpr size_t kPoolBytes = size_t{64} << 20;
  std::mutex mu_;
  std::vector<std::pair<std::byte*, size_t>> free_;
  size_t bytes_ = 0;
};

// A bump allocator over heap blocks that never move. Big blocks are 2 MiB aligned and,
// on Linux, marked for transparent huge pages: loading a large file is dominated by
// first-touch page faults on fresh arena memory, and huge pages cut those 512-fold.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (const auto& [p, size] : blocks_) {
      if (size < BlockPool::kMinBytes || !BlockPool::instance().give(p, size)) std::free(p);
    }
  }

  void* allocate(size_t bytes, size_t align) {
    size_t adjust = padding(align);
    if (bytes + adjust > left_) {
      size_t block = std::max(next_block_, bytes + align);
      cur_ = new_block(block);
      left_ = block;
      next_block_ = std::min<size_t>(next_block_ * 2, kMaxBlock);
      adjust = padding(align);
    }
    std::byte* p = cur_ + adjust;
    cur_ = p + bytes;
    left_ -= bytes + adjust;
    return p;
  }

  template <typename T>
  T* copy(const T* src, size_t n) {
    if (n == 0) return nullptr;
    T* dst = static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    std::uninitialized_copy_n(src, n, dst);
    return dst;
  }

  const char* copy_string(std::string_view s) { return s.empty() ? nullptr : copy(s.data(), s.size()); }

  // The size of the first block, for a document expected to be small (before any
  // allocation). A JSON policy held in a string has a few hundred bytes: a 64 KiB first
  // block for each of those (80,000 of them in a 100,000-resource plan) went past the
  // allocator's thread caches every time.
  void first_block(size_t bytes) {
    if (blocks_.empty()) next_block_ = std::clamp(bytes, kMinBlock, kFirstBlock);
  }

 private:
  static constexpr size_t kMinBlock = size_t{1} << 10;
  static constexpr size_t kFirstBlock = size_t{64} << 10;
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kMaxBlock = size_t{4} << 20;

  std::byte* new_block(size_t& size) {
    if (size >= kHugePage) size = (size + kHugePage - 1) / kHugePage * kHugePage;
    void* p = size >= BlockPool::kMinBytes ? BlockPool::instance().take(size) : nullptr;
    if (p != nullptr) {
      blocks_.emplace_back(static_cast<std::byte*>(p), size);
      return blocks_.back().first;
    }
    if (size >= kHugePage) {
      p = std::aligned_alloc(kHugePage, size);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (p != nullptr) madvise(p, size, MADV_HUGEPAGE);
#endif
    } else {
      p = std::malloc(size);
    }
    if (p == nullptr) throw std::bad_alloc();
    blocks_.emplace_back(static_cast<std::byte*>(p), size);
    return blocks_.back().first;
  }

  size_t padding(size_t align) const {
    auto addr = reinterpret_cast<uintptr_t>(cur_);
    return static_cast<size_t>((align - (addr & (align - 1))) & (align - 1));
  }

  std::vector<std::pair<std::byte*, size_t>> blocks_;  // owned
  std::byte* cur_ = nullptr;
  size_t left_ = 0;
  size_t next_block_ = kFirstBlock;
};

const Node kNullNode;

static_assert(sizeof(Node) <= 48, "documents are mostly nodes: keep a node small");

// Index order: keys that are not strings first (they never match a lookup), then
// string keys in byte order.
bool key_less(const Node& a, const Node& b) {
  bool as = a.kind() == NodeKind::kString;
  bool bs = b.kind() == NodeKind::kString;
  if (as != bs) return !as;
  if (!as) return false;
  return a.as_string() < b.as_string();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Node

const char* kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return "bool";
    case NodeKind::kInt: return "int";
    case NodeKind::kUint: return "uint";
    case NodeKind::kDouble: return "double";
    case NodeKind::kString: return "string";
    case NodeKind::kList: return "list";
    case NodeKind::kMap: return "map";
    case NodeKind::kUnknown: return "unknown";
  }
  return "unknown";
}

const Node* Node::find(std::string_view key) const {
  if (kind_ != NodeKind::kMap) return nullptr;
  const uint32_t* index = extra_ != nullptr ? extra_->index : nullptr;
  if (index == nullptr) {
    // Size and first byte before memcmp: most keys of a small map differ there.
    const size_t n = key.size();
    const char first = n > 0 ? key[0] : '\0';
    for (uint32_t i = 0; i < count_; ++i) {
      const Node& k = members_[i].key;
      if (k.kind_ != NodeKind::kString || k.count_ != n) continue;
      if (n == 0 || (k.str_[0] == first && std::memcmp(k.str_, key.data(), n) == 0)) return &members_[i].value;
    }
    return nullptr;
  }
  // Binary search over the sorted index (non-string keys sort first).
  uint32_t lo = 0;
  uint32_t hi = count_;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const Node& k = members_[index[mid]].key;
    if (k.kind_ != NodeKind::kString || k.as_string() < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < count_) {
    const Member& m = members_[index[lo]];
    if (m.key.kind_ == NodeKind::kString && m.key.as_string() == key) return &m.value;
  }
  return nullptr;
}

const Node* Node::find_path(std::initializer_list<std::string_view> keys) const {
  const Node* n = this;
  for (std::string_view k : keys) {
    n = n->find(k);
    if (n == nullptr) return nullptr;
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Document

struct Document::Impl {
  std::string path;
  Format format = Format::kJson;
  std::string text;
  Arena arena;
  std::vector<Node> roots;
  uint64_t nodes = 0;
};

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

const std::string& Document::path() const { return impl_->path; }
Format Document::format() const { return impl_->format; }
std::string_view Document::text() const { return impl_->text; }
std::span<const Node> Document::roots() const { return impl_->roots; }
const Node& Document::root() const { return impl_->roots.empty() ? kNullNode : impl_->roots.front(); }
size_t Document::node_count() const { return static_cast<size_t>(impl_->nodes); }

core::Location Document::location(const Node& node) const {
  Pos pos = node.pos();
  std::string file = node.file().empty() ? impl_->path : std::string(node.file());
  return core::Location{std::move(file), pos.line, pos.column, pos.offset};
}

core::Location Document::location(Pos pos) const {
  return core::Location{impl_->path, pos.line, pos.column, pos.offset};
}

// ---------------------------------------------------------------------------------------
// Builder

namespace {

struct Frame {
  NodeKind kind;
  Pos pos;
  size_t start;  // first child in pending
  const char* tag;
  uint32_t tag_size;
  const std::string* file;
};

enum class Last : uint8_t { kNone, kFrame, kPending, kRoot };

// The finished children of all open containers. push() is inline and small: with
// std::vector::push_back, an out-of-line call for every node of every document. The slots
// are raw memory (Node is trivially copyable): a scan builds tens of thousands of small
// documents, and constructing unused slots was a cost of its own.
class NodeStack {
 public:
  NodeStack() = default;
  NodeStack(const NodeStack&) = delete;
  NodeStack& operator=(const NodeStack&) = delete;
  ~NodeStack() { ::operator delete(slots_); }

  [[gnu::always_inline]] void push(const Node& n) {
    if (size_ == capacity_) [[unlikely]] {
      grow();
    }
    ::new (static_cast<void*>(slots_ + size_)) Node(n);
    ++size_;
  }
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] const Node* data() const { return slots_; }
  Node& back() { return slots_[size_ - 1]; }
  void truncate(size_t n) { size_ = n; }

 private:
  static_assert(std::is_trivially_copyable_v<Node> && std::is_trivially_destructible_v<Node>);
  [[gnu::noinline]] void grow() {
    size_t capacity = std::max<size_t>(16, 2 * capacity_);
    auto* slots = static_cast<Node*>(::operator new(capacity * sizeof(Node)));
    if (size_ > 0) std::memcpy(static_cast<void*>(slots), slots_, size_ * sizeof(Node));
    ::operator delete(slots_);
    slots_ = slots;
    capacity_ = capacity;
  }

  Node* slots_ = nullptr;  // [0, size_) are live
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace

struct Builder::State {
  std::unique_ptr<Document::Impl> doc = std::make_unique<Document::Impl>();
  Limits limits;
  NodeStack pending;
  std::vector<Frame> frames;
  std::vector<uint32_t> scratch_index;
  std::vector<uint8_t> scratch_removed;
  Last last = Last::kNone;
  const std::string* file = nullptr;  // attributed to new nodes; the doc's own path by default
};

Builder::Builder(std::string path, Format format, std::string text, Limits limits)
    : s_(std::make_unique<State>()) {
  s_->doc->path = std::move(path);
  s_->file = &s_->doc->path;
  s_->doc->format = format;
  s_->doc->text = std::move(text);
  s_->limits = limits;
  // Nodes take a few times the text they come from (a document built from no text, such
  // as the canonical model, keeps the default).
  if (!s_->doc->text.empty()) s_->doc->arena.first_block(s_->doc->text.size() * 4);
}

Builder::~Builder() = default;

size_t Builder::depth() const { return s_->frames.size(); }
const Limits& Builder::limits() const { return s_->limits; }
const std::string& Builder::path() const { return s_->doc->path; }
std::string_view Builder::text() const { return s_->doc->text; }
uint64_t Builder::node_count() const { return s_->doc->nodes; }

core::Location Builder::location(Pos pos) const {
  return core::Location{s_->doc->path, pos.line, pos.column, pos.offset};
}

namespace {

// The error paths stay out of line, so the builder's per-node functions stay small.
[[gnu::cold, gnu::noinline]] core::Error too_many_nodes(uint64_t max, core::Location where) {
  return core::make_error("doc.limit.nodes", "more than " + std::to_string(max) + " nodes in the document",
                          std::move(where));
}

[[gnu::cold, gnu::noinline]] core::Error string_too_long(uint64_t size, uint64_t max, core::Location where) {
  return core::make_error(
      "doc.limit.string",
      "string of " + std::to_string(size) + " bytes is longer than " + std::to_string(max), std::move(where));
}

// `where` makes the error's location only when there is an error: building a Location
// copies the file name, which for every node was a sixth of a JSON load.
template <typename Where>
core::Status count_nodes(uint64_t& nodes, uint64_t weight, const Limits& limits, Where&& where) {
  if (weight > limits.max_nodes || nodes > limits.max_nodes - weight) [[unlikely]] {
    return too_many_nodes(limits.max_nodes, where());
  }
  nodes += weight;
  return {};
}

}  // namespace

// Appends a finished node to the innermost open container (or the roots).
#define SKM_BUILDER_PUSH(node)        \
  do {                                \
    if (s_->frames.empty()) {         \
      s_->doc->roots.push_back(node); \
      s_->last = Last::kRoot;         \
    } else {                          \
      s_->pending.push(node);         \
      s_->last = Last::kPending;      \
    }                                 \
  } while (0)

core::Status Builder::add_null(Pos pos) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kNull;
  n.pos_ = pos;
  n.file_ = s_->file;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_bool(Pos pos, bool v) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kBool;
  n.pos_ = pos;
  n.file_ = s_->file;
  n.b_ = v;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_int(Pos pos, int64_t v) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kInt;
  n.pos_ = pos;
  n.file_ = s_->file;
  n.i_ = v;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_uint(Pos pos, uint64_t v) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kUint;
  n.pos_ = pos;
  n.file_ = s_->file;
  n.u_ = v;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_double(Pos pos, double v) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kDouble;
  n.pos_ = pos;
  n.file_ = s_->file;
  n.d_ = v;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_string(Pos pos, std::string_view v, bool quoted) {
  uint64_t max = std::min<uint64_t>(s_->limits.max_string, UINT32_MAX);
  if (v.size() > max) [[unlikely]] {
    return string_too_long(v.size(), max, location(pos));
  }
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kString;
  n.pos_ = pos;
  n.file_ = s_->file;
  n.quoted_ = quoted;
  n.count_ = static_cast<uint32_t>(v.size());
  // A view into the document's own text (the loaders pass those for strings without
  // escapes) needs no copy: the text lives as long as the Document, at a fixed address.
  const std::string& text = s_->doc->text;
  if (!v.empty() && std::less_equal<const char*>()(text.data(), v.data()) &&
      std::less_equal<const char*>()(v.data() + v.size(), text.data() + text.size())) {
    n.str_ = v.data();
  } else {
    n.str_ = s_->doc->arena.copy_string(v);
  }
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::add_unknown(Pos pos, std::string_view shape) {
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  Node n;
  n.kind_ = NodeKind::kUnknown;
  n.pos_ = pos;
  n.file_ = s_->file;
  if (!shape.empty() && shape.size() <= std::min<uint64_t>(s_->limits.max_string, UINT32_MAX)) {
    n.count_ = static_cast<uint32_t>(shape.size());
    n.str_ = s_->doc->arena.copy_string(shape);
  }
  SKM_BUILDER_PUSH(n);
  return {};
}

void Builder::set_file(const std::string* path) { s_->file = path ? path : &s_->doc->path; }

const Node& Builder::last_node() const {
  switch (s_->last) {
    case Last::kPending: return s_->pending.back();
    case Last::kRoot: return s_->doc->roots.back();
    default: return kNullNode;
  }
}

core::Status Builder::add_shared(Pos pos, const Node& node, uint64_t weight) {
  SKM_TRY(count_nodes(s_->doc->nodes, weight, s_->limits, [&] { return location(pos); }));
  Node n = node;
  n.pos_ = pos;
  SKM_BUILDER_PUSH(n);
  return {};
}

core::Status Builder::begin_list(Pos pos) {
  if (s_->frames.size() >= s_->limits.max_depth) {
    return core::make_error("doc.limit.depth",
                            "nesting deeper than " + std::to_string(s_->limits.max_depth) + " levels",
                            location(pos));
  }
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  s_->frames.push_back(Frame{NodeKind::kList, pos, s_->pending.size(), nullptr, 0, s_->file});
  s_->last = Last::kFrame;
  return {};
}

core::Status Builder::begin_map(Pos pos) {
  if (s_->frames.size() >= s_->limits.max_depth) {
    return core::make_error("doc.limit.depth",
                            "nesting deeper than " + std::to_string(s_->limits.max_depth) + " levels",
                            location(pos));
  }
  SKM_TRY(count_nodes(s_->doc->nodes, 1, s_->limits, [&] { return location(pos); }));
  s_->frames.push_back(Frame{NodeKind::kMap, pos, s_->pending.size(), nullptr, 0, s_->file});
  s_->last = Last::kFrame;
  return {};
}

core::Status Builder::end_list() {
  assert(!s_->frames.empty() && s_->frames.back().kind == NodeKind::kList);
  Frame f = s_->frames.back();
  s_->frames.pop_back();
  size_t n = s_->pending.size() - f.start;
  if (n > UINT32_MAX) {
    return core::make_error("doc.limit.nodes", "list with more than 2^32 items", location(f.pos));
  }
  Node list;
  list.kind_ = NodeKind::kList;
  list.pos_ = f.pos;
  list.file_ = f.file;
  list.extra_ = extra(f.tag, f.tag_size, nullptr);
  list.count_ = static_cast<uint32_t>(n);
  list.items_ = s_->doc->arena.copy(s_->pending.data() + f.start, n);
  s_->pending.truncate(f.start);
  SKM_BUILDER_PUSH(list);
  return {};
}

core::Status Builder::end_map(core::Diagnostics* diags) {
  assert(!s_->frames.empty() && s_->frames.back().kind == NodeKind::kMap);
  Frame f = s_->frames.back();
  s_->frames.pop_back();
  size_t children = s_->pending.size() - f.start;
  assert(children % 2 == 0);
  size_t m = children / 2;
  if (m > UINT32_MAX) {
    return core::make_error("doc.limit.nodes", "map with more than 2^32 members", location(f.pos));
  }
  // Children alternate key, value in pending; key(i) is member i's key.
  const Node* kids = s_->pending.data() + f.start;
  auto key = [&](size_t i) -> const Node& { return kids[2 * i]; };
  auto is_str = [&](size_t i) { return key(i).kind_ == NodeKind::kString; };

  // Duplicate string keys: (earlier, later) pairs in order of the later key; the earlier
  // member is dropped.
  std::vector<std::pair<uint32_t, uint32_t>> dups;
  if (m <= Node::kIndexThreshold) {
    // Each key's signature (size, first and last byte) goes into a 256-bit filter; only a
    // key whose bit is already set is compared with the earlier keys, signatures first, so
    // a map without duplicates costs one pass (comparing every pair made end_map a
    // twentieth of a plan scan's instructions). The keys' text, elsewhere in memory, is
    // read only where signatures agree.
    std::array<uint64_t, Node::kIndexThreshold> sig;  // sig[j] is set before it is read
    std::array<uint64_t, 4> seen{};
    for (size_t j = 0; j < m; ++j) {
      if (!is_str(j)) {
        sig[j] = UINT64_MAX;
        continue;
      }
      std::string_view k = key(j).as_string();
      sig[j] =
          (uint64_t{k.size()} << 16) | (k.empty() ? 0
                                                  : (uint64_t{static_cast<unsigned char>(k.front())} << 8) |
                                                        static_cast<unsigned char>(k.back()));
      uint64_t h = (sig[j] * 0x9E3779B97F4A7C15ULL) >> 56;
      uint64_t bit = uint64_t{1} << (h & 63);
      if ((seen[h >> 6] & bit) != 0) {
        for (size_t i = j; i-- > 0;) {  // the nearest earlier equal key
          if (sig[i] == sig[j] && key(i).as_string() == k) {
            dups.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
            break;
          }
        }
      }
      seen[h >> 6] |= bit;
    }
  } else {
    std::vector<uint32_t>& idx = s_->scratch_index;
    idx.clear();
    for (size_t i = 0; i < m; ++i) {
      if (is_str(i)) idx.push_back(static_cast<uint32_t>(i));
    }
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
      return key(a).as_string() < key(b).as_string();
    });
    for (size_t k = 1; k < idx.size(); ++k) {
      if (key(idx[k - 1]).as_string() == key(idx[k]).as_string()) dups.emplace_back(idx[k - 1], idx[k]);
    }
    std::sort(dups.begin(), dups.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
  }
  std::vector<uint8_t>& removed = s_->scratch_removed;
  removed.assign(dups.empty() ? 0 : m, 0);
  for (const auto& [earlier, later] : dups) {
    removed[earlier] = 1;
    if (diags != nullptr) {
      const Node& k = key(later);
      core::Location first = location(key(earlier).pos_);
      core::Location here = location(k.pos_);
      std::string snippet = core::make_snippet(s_->doc->text, here.line, here.column);
      diags->add(core::Severity::kWarning, "doc.duplicate_key",
                 "duplicate key '" + std::string(k.as_string()) + "' (first at " +
                     first.to_string() + "); the last one wins",
                 std::move(here), std::move(snippet));
    }
  }

  // Members go straight from pending into the arena.
  size_t kept = m - dups.size();
  Member* stored = nullptr;
  if (kept > 0) {
    stored = static_cast<Member*>(s_->doc->arena.allocate(sizeof(Member) * kept, alignof(Member)));
    size_t out = 0;
    for (size_t i = 0; i < m; ++i) {
      if (!removed.empty() && removed[i]) continue;
      ::new (static_cast<void*>(stored + out)) Member{kids[2 * i], kids[2 * i + 1]};
      ++out;
    }
  }
  s_->pending.truncate(f.start);
  m = kept;

  Node map;
  map.kind_ = NodeKind::kMap;
  map.pos_ = f.pos;
  map.file_ = f.file;
  map.count_ = static_cast<uint32_t>(m);
  map.members_ = stored;
  const uint32_t* index = nullptr;
  if (m > Node::kIndexThreshold) {
    std::vector<uint32_t>& idx = s_->scratch_index;
    idx.resize(m);
    for (size_t i = 0; i < m; ++i) idx[i] = static_cast<uint32_t>(i);
    std::sort(idx.begin(), idx.end(),
              [&](uint32_t a, uint32_t b) { return key_less(stored[a].key, stored[b].key); });
    index = s_->doc->arena.copy(idx.data(), m);
  }
  map.extra_ = extra(f.tag, f.tag_size, index);
  SKM_BUILDER_PUSH(map);
  return {};
}

#undef SKM_BUILDER_PUSH

const Node::Extra* Builder::extra(const char* tag, uint32_t tag_size, const uint32_t* index) {
  if (tag == nullptr && index == nullptr) return nullptr;
  Node::Extra e;
  e.tag = tag;
  e.tag_size = tag_size;
  e.index = index;
  return s_->doc->arena.copy(&e, 1);
}

void Builder::set_tag(std::string_view tag) {
  if (tag.size() > UINT32_MAX) return;
  const char* stored = s_->doc->arena.copy_string(tag);
  auto size = static_cast<uint32_t>(tag.size());
  if (tag.empty()) stored = nullptr;
  switch (s_->last) {
    case Last::kFrame:
      s_->frames.back().tag = stored;
      s_->frames.back().tag_size = size;
      break;
    case Last::kPending: {
      Node& n = s_->pending.back();
      n.extra_ = extra(stored, size, n.extra_ != nullptr ? n.extra_->index : nullptr);
      break;
    }
    case Last::kRoot: {
      Node& n = s_->doc->roots.back();
      n.extra_ = extra(stored, size, n.extra_ != nullptr ? n.extra_->index : nullptr);
      break;
    }
    case Last::kNone: break;
  }
}

Document Builder::finish() && {
  assert(s_->frames.empty());
  return Document(std::move(s_->doc));
}

std::string Builder::take_text() && { return std::move(s_->doc->text); }

}  // namespace sekimori::formats
