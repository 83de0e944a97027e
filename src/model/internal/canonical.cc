// The mapping engine: evaluates schema mappings against source trees, folds children,
// applies defaults and type coercions, and emits canonical trees with the Builder.
#include "model/internal/canonical.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/base64.h"

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;
using formats::Pos;

// Where a canonical node is attributed: a position and the file it is in (null: the
// document being built), taken together from the source node a value comes from, so that
// an attribute folded from a resource declared in another file points into that file.
struct At {
  Pos pos;
  const std::string* file = nullptr;
};
At at_node(const Node& n) { return {n.pos(), n.file_path()}; }

std::string snake_case(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool upper = c >= 'A' && c <= 'Z';
    if (upper) {
      bool prev_lower = i > 0 && ((s[i - 1] >= 'a' && s[i - 1] <= 'z') || (s[i - 1] >= '0' && s[i - 1] <= '9'));
      bool prev_upper = i > 0 && s[i - 1] >= 'A' && s[i - 1] <= 'Z';
      bool next_lower = i + 1 < s.size() && s[i + 1] >= 'a' && s[i + 1] <= 'z';
      if (!out.empty() && out.back() != '_' && (prev_lower || (prev_upper && next_lower))) out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

struct ValParts;

// A value produced while mapping: a source node (borrowed), a computed scalar, a
// computed list/map, or unknown. `node` and `reloc` say where it came from (for
// locations). Most values are borrowed nodes: a computed string, list or map keeps its
// parts on the heap, so that a Val stays small (schemas have many attributes, and each
// object of a resource holds one Val per attribute while it is emitted).
struct Val {
  enum class K : uint8_t { kAbsent, kNode, kUnknown, kBool, kInt, kStr, kList, kMap };
  K k = K::kAbsent;
  bool snake = false;      // copy map keys as snake_case
  bool shapeless = false;  // kUnknown made by a function: not its node's unknown string
  bool b = false;
  int64_t i = 0;
  const Node* node = nullptr;       // kNode: the value; otherwise where it came from (may be null)
  const Node* reloc = nullptr;      // node is in a decoded document: copies take reloc's position
  std::unique_ptr<ValParts> parts;  // kStr, kList, kMap; null while empty

  Val() = default;
  Val(const Val& o);
  Val(Val&&) noexcept = default;
  Val& operator=(const Val& o);
  Val& operator=(Val&&) noexcept = default;
  ~Val();

  [[nodiscard]] bool present() const { return k != K::kAbsent; }
  [[nodiscard]] const std::string& str() const;                // kStr
  [[nodiscard]] const std::vector<std::string>& keys() const;  // kMap
  [[nodiscard]] const std::vector<Val>& items() const;         // kList, kMap
  std::string& mutable_str();
  std::vector<std::string>& mutable_keys();
  std::vector<Val>& mutable_items();

  static Val of(const Node* n, const Node* reloc, bool snake) {
    Val v;
    if (n == nullptr) return v;
    v.k = n->kind() == NodeKind::kUnknown ? K::kUnknown : K::kNode;
    v.node = n;
    v.reloc = reloc;
    v.snake = snake;
    return v;
  }
  static Val unknown(const Node* at, const Node* reloc) {
    Val v;
    v.k = K::kUnknown;
    v.node = at;
    v.reloc = reloc;
    return v;
  }
};

struct ValParts {
  std::string s;
  std::vector<std::string> keys;
  std::vector<Val> items;
};

Val::Val(const Val& o)
    : k(o.k),
      snake(o.snake),
      shapeless(o.shapeless),
      b(o.b),
      i(o.i),
      node(o.node),
      reloc(o.reloc),
      parts(o.parts != nullptr ? std::make_unique<ValParts>(*o.parts) : nullptr) {}
Val& Val::operator=(const Val& o) {
  if (this != &o) *this = Val(o);
  return *this;
}
Val::~Val() = default;

const std::string& Val::str() const {
  static const std::string kNone;
  return parts != nullptr ? parts->s : kNone;
}
const std::vector<std::string>& Val::keys() const {
  static const std::vector<std::string> kNone;
  return parts != nullptr ? parts->keys : kNone;
}
const std::vector<Val>& Val::items() const {
  static const std::vector<Val> kNone;
  return parts != nullptr ? parts->items : kNone;
}
std::string& Val::mutable_str() {
  if (parts == nullptr) parts = std::make_unique<ValParts>();
  return parts->s;
}
std::vector<std::string>& Val::mutable_keys() {
  if (parts == nullptr) parts = std::make_unique<ValParts>();
  return parts->keys;
}
std::vector<Val>& Val::mutable_items() {
  if (parts == nullptr) parts = std::make_unique<ValParts>();
  return parts->items;
}

struct Record;

struct Field {
  Val val;
  std::unique_ptr<Record> sub;  // dotted targets into an object attribute
  std::vector<Record> items;    // list-of-object items (each / append)
  bool each_set = false;        // `each` mapped the list: the base list is replaced
};

struct Record {
  std::vector<Field> fields;
  explicit Record(size_t n) : fields(n) {}
};

// `a` followed by `b`, as one list value; a value that is not a list (or is unknown)
// is one item.
Val concat_lists(const Val& a, const Val& b) {
  Val merged;
  merged.k = Val::K::kList;
  merged.node = a.node;
  merged.reloc = a.reloc;
  for (const Val* x : {&a, &b}) {
    if (x->k == Val::K::kList) {
      for (const Val& i : x->items()) merged.mutable_items().push_back(i);
    } else if (x->k == Val::K::kNode && x->node->kind() == NodeKind::kList) {
      for (const Node& n : x->node->items()) {
        merged.mutable_items().push_back(Val::of(&n, x->reloc, x->snake));
      }
    } else {
      merged.mutable_items().push_back(*x);
    }
  }
  return merged;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool looks_json(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  return i < s.size() && (s[i] == '{' || s[i] == '[' || s[i] == '"');
}

bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The scalar text of a node or computed value (for comparisons); false when not scalar.
bool scalar_text(const Val& v, std::string& out) {
  switch (v.k) {
    case Val::K::kStr: out = v.str(); return true;
    case Val::K::kBool: out = v.b ? "true" : "false"; return true;
    case Val::K::kInt: out = std::to_string(v.i); return true;
    case Val::K::kNode:
      switch (v.node->kind()) {
        case NodeKind::kString: out = std::string(v.node->as_string()); return true;
        case NodeKind::kBool: out = v.node->as_bool() ? "true" : "false"; return true;
        case NodeKind::kInt: out = std::to_string(v.node->as_int()); return true;
        case NodeKind::kUint: out = std::to_string(v.node->as_uint()); return true;
        case NodeKind::kDouble: out = std::to_string(v.node->as_double()); return true;
        default: return false;
      }
    default: return false;
  }
}

std::string kebab(std::string_view s) {
  std::string snake = snake_case(s);
  std::replace(snake.begin(), snake.end(), '_', '-');
  return snake;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string normalize_protocol(std::string p) {
  for (char& c : p) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (p == "all" || p == "-1") return "-1";
  if (p == "6") return "tcp";
  if (p == "17") return "udp";
  if (p == "1") return "icmp";
  if (p == "58") return "icmpv6";
  return p;
}

// Keys whose children are user data (labels, config data) and keep their spelling.
bool preserve_children(std::string_view key, const Node& value) {
  static constexpr std::string_view kKeep[] = {"labels", "annotations", "data", "stringData",
                                               "binaryData", "matchLabels", "nodeSelector"};
  if (std::find(std::begin(kKeep), std::end(kKeep), key) != std::end(kKeep)) return true;
  return key == "selector" && value.kind() == NodeKind::kMap && value.find("matchLabels") == nullptr &&
         value.find("matchExpressions") == nullptr;
}

}  // namespace

struct CanonicalBuilder::Impl {
  const formats::Document& source;
  SourceFormat format;
  core::Diagnostics& diags;
  std::unique_ptr<formats::Builder> b;
  std::vector<formats::Document> scratch;  // decoded JSON strings of the current resource
  std::unordered_map<const Node*, const Node*> decoded;
  const std::string* source_path;         // &source.path()
  const std::string* file_now = nullptr;  // the file the builder attributes new nodes to

  Impl(const formats::Document& s, SourceFormat f, core::Diagnostics& d)
      : source(s), format(f), diags(d), source_path(&s.path()) {}

  [[nodiscard]] static At pos_of(const Val& v, At fallback) {
    if (v.reloc != nullptr) return at_node(*v.reloc);
    if (v.node != nullptr) return at_node(*v.node);
    return fallback;
  }

  // at's position, the builder attributing the nodes added next to at's file.
  Pos place(At at) {
    const std::string* f = at.file != nullptr ? at.file : source_path;
    if (f != file_now) [[unlikely]] {
      b->set_file(f);
      file_now = f;
    }
    return at.pos;
  }

  // ---- decoding JSON held in strings -------------------------------------------------

  // Stand for holes (any / word characters) while the JSON of an unknown string is parsed
  // (private-use characters: should the text hold one itself, reading it as a hole only
  // widens what the value may be).
  static constexpr std::string_view kHoleMark = "\xEE\x80\x80";
  static constexpr std::string_view kWordHoleMark = "\xEE\x80\x81";
  static bool has_hole_mark(std::string_view s) {
    return s.find(kHoleMark) != std::string_view::npos || s.find(kWordHoleMark) != std::string_view::npos;
  }

  // An unknown string holding JSON whose holes lie inside its strings (jsonencode or
  // aws_iam_policy_document around an unknown account ID): the JSON decoded, with each
  // string that has a hole an unknown string of its own. Null when the shape is not such
  // JSON (a hole outside a string, say).
  const Node* decode_shaped(const Node& n) {
    std::string_view shape = n.unknown_shape();
    if (shape.empty()) return nullptr;
    auto it = decoded.find(&n);
    if (it != decoded.end()) return it->second;
    const Node* result = nullptr;
    std::string text;
    for (char c : shape) {
      if (c == Node::kShapeHole) {
        text.append(kHoleMark);
      } else if (c == Node::kShapeWordHole) {
        text.append(kWordHoleMark);
      } else {
        text.push_back(c);
      }
    }
    if (looks_json(text) && text.size() <= kMaxDecodeBytes) {
      formats::Limits limits;
      limits.max_bytes = kMaxDecodeBytes;
      core::Diagnostics ignored;
      auto doc = formats::load_json(source.path(), std::move(text), limits, ignored);
      if (doc.ok()) {
        formats::Builder holes(source.path(), formats::Format::kJson, "", limits);
        if (with_holes(doc->root(), holes).ok()) {
          scratch.push_back(std::move(holes).finish());
          result = &scratch.back().root();
        }
      }
    }
    decoded.emplace(&n, result);
    return result;
  }

  // Copies a decoded tree, turning strings with hole marks into unknown strings; a key
  // with one is an error (the key itself is not known).
  static core::Status with_holes(const Node& n, formats::Builder& out) {
    switch (n.kind()) {
      case NodeKind::kString: {
        std::string_view s = n.as_string();
        if (!has_hole_mark(s)) return out.add_string(n.pos(), s);
        std::string shape;
        for (size_t i = 0; i < s.size();) {
          std::string_view at = s.substr(i, kHoleMark.size());
          if (at == kHoleMark || at == kWordHoleMark) {
            Node::append_shape_hole(shape, at == kHoleMark ? Node::kShapeHole : Node::kShapeWordHole);
            i += kHoleMark.size();
          } else {
            shape.push_back(s[i++]);
          }
        }
        return out.add_unknown(n.pos(), shape);
      }
      case NodeKind::kList:
        SKM_TRY(out.begin_list(n.pos()));
        for (const Node& c : n.items()) SKM_TRY(with_holes(c, out));
        return out.end_list();
      case NodeKind::kMap:
        SKM_TRY(out.begin_map(n.pos()));
        for (const formats::Member& m : n.members()) {
          if (m.key.kind() == NodeKind::kString && has_hole_mark(m.key.as_string())) {
            return core::make_error("model.shape", "a key is not known");
          }
          SKM_TRY(with_holes(m.key, out));
          SKM_TRY(with_holes(m.value, out));
        }
        return out.end_map();
      default:
        return out.add_shared(n.pos(), n, 1);
    }
  }

  // Decodes a string node holding JSON (repeatedly, for double-encoded values). Returns
  // the decoded node, or nullptr when it is not JSON.
  const Node* decode(const Node& s, bool url) {
    if (s.kind() != NodeKind::kString) return nullptr;
    if (!url) {
      auto it = decoded.find(&s);
      if (it != decoded.end()) return it->second;
    }
    const Node* cur = &s;
    const Node* result = nullptr;
    for (int depth = 0; cur->kind() == NodeKind::kString; ++depth) {
      std::string text = url && depth == 0 ? url_decode(cur->as_string()) : std::string(cur->as_string());
      if (!looks_json(text)) break;
      if (depth >= kMaxDecodeDepth || text.size() > kMaxDecodeBytes) {
        diags.add(core::Severity::kWarning, "model.limit.decode",
                  depth >= kMaxDecodeDepth
                      ? "JSON encoded in a string more than " + std::to_string(kMaxDecodeDepth) +
                            " times; kept as a string"
                      : "JSON string larger than the decode limit; kept as a string",
                  source.location(s));
        break;
      }
      formats::Limits limits;
      limits.max_bytes = kMaxDecodeBytes;
      core::Diagnostics ignored;
      auto doc = formats::load_json(source.path(), std::move(text), limits, ignored);
      if (!doc.ok()) break;
      scratch.push_back(std::move(doc).value());
      cur = &scratch.back().root();
      result = cur;
    }
    if (!url) decoded.emplace(&s, result);
    return result;
  }

  // ---- evaluating expressions --------------------------------------------------------

  // cur = Val::of(n, cur.reloc, cur.snake) for a node value, in place: a path step costs
  // no Val construction.
  static void step_to(Val& cur, const Node* n) {
    cur.k = n->kind() == NodeKind::kUnknown ? Val::K::kUnknown : Val::K::kNode;
    cur.node = n;
    cur.b = false;
    cur.i = 0;
    cur.parts.reset();
  }

  Val walk(const std::vector<Step>& path, size_t from, Val cur) {
    for (size_t i = from; i < path.size(); ++i) {
      const Step& st = path[i];
      if (cur.k == Val::K::kUnknown || cur.k == Val::K::kAbsent) return cur;
      if (cur.k == Val::K::kList && st.kind == Step::Kind::kIndex) {
        if (st.index >= cur.items().size()) return {};
        Val next = cur.items()[st.index];
        cur = std::move(next);
        continue;
      }
      if (cur.k != Val::K::kNode) return {};
      const Node* n = cur.node;
      if (n->kind() == NodeKind::kString && st.kind != Step::Kind::kProject) {
        const Node* d = decode(*n, false);
        if (d == nullptr) return {};
        if (cur.reloc == nullptr) cur.reloc = n;
        n = d;
        if (n->kind() == NodeKind::kUnknown) return Val::unknown(n, cur.reloc);
      }
      switch (st.kind) {
        case Step::Kind::kKey: {
          if (n->kind() == NodeKind::kList) {  // a block list: step into its first item
            if (n->size() == 0) return {};
            n = &n->items()[0];
          }
          const Node* c = n->find_hinted(st.key, st.hint);
          if (c == nullptr) return {};
          step_to(cur, c);
          break;
        }
        case Step::Kind::kIndex: {
          if (n->kind() != NodeKind::kList || st.index >= n->size()) return {};
          step_to(cur, &n->items()[st.index]);
          break;
        }
        case Step::Kind::kProject: {
          if (n->kind() == NodeKind::kString) {
            const Node* d = decode(*n, false);
            if (d == nullptr) return {};
            if (cur.reloc == nullptr) cur.reloc = n;
            n = d;
          }
          if (n->kind() != NodeKind::kList) return n->kind() == NodeKind::kUnknown ? Val::unknown(n, cur.reloc) : Val{};
          Val list;
          list.k = Val::K::kList;
          list.node = n;
          list.reloc = cur.reloc;
          for (const Node& item : n->items()) {
            Val r = walk(path, i + 1, Val::of(&item, cur.reloc, cur.snake));
            if (r.k == Val::K::kList && i + 1 < path.size()) {
              for (Val& x : r.mutable_items()) list.mutable_items().push_back(std::move(x));
            } else if (r.present()) {
              list.mutable_items().push_back(std::move(r));
            }
          }
          return list;
        }
      }
    }
    return cur;
  }

  static Val literal(const std::string& text) {
    Val v;
    if (text == "true" || text == "false") {
      v.k = Val::K::kBool;
      v.b = text == "true";
    } else if (int64_t i = 0; parse_int(text, i)) {
      v.k = Val::K::kInt;
      v.i = i;
    } else {
      v.k = Val::K::kStr;
      v.mutable_str() = text;
    }
    return v;
  }

  Val apply(const Fn& fn, Val v) {
    const std::string& f = fn.name;
    if (f == "default") {
      if (v.present()) return v;
      return literal(fn.args.empty() ? std::string() : fn.args[0]);
    }
    if (f == "present") {
      if (v.k == Val::K::kNode && v.node->is_null()) v.k = Val::K::kAbsent;
      Val r;
      r.k = Val::K::kBool;
      r.b = v.present();
      r.node = v.node;
      r.reloc = v.reloc;
      return r;
    }
    if (v.k == Val::K::kUnknown) {
      // snake only renames map keys; any other function makes something else of an
      // unknown string (a bool, a list, other text), so its shape no longer applies
      if (f != "snake") v.shapeless = true;
      return v;
    }
    if (f == "nonempty") {
      Val r;
      r.k = Val::K::kBool;
      r.node = v.node;
      r.reloc = v.reloc;
      if (v.k == Val::K::kNode) {
        r.b = v.node->size() > 0 || (v.node->is_scalar() && !v.node->is_null() && v.node->kind() != NodeKind::kString);
      } else if (v.k == Val::K::kStr) {
        r.b = !v.str().empty();
      } else {
        r.b = v.k != Val::K::kAbsent && (v.k != Val::K::kList || !v.items().empty());
      }
      return r;
    }
    if (!v.present()) return v;
    if (f == "snake") {
      v.snake = true;
      return v;
    }
    if (f == "eq" || f == "ne") {
      std::string text;
      if (!scalar_text(v, text)) return {};
      bool match = false;
      for (const std::string& a : fn.args) match = match || ieq(text, a);
      Val r;
      r.k = Val::K::kBool;
      r.b = f == "eq" ? match : !match;
      r.node = v.node;
      r.reloc = v.reloc;
      return r;
    }
    if (f == "not") {
      std::string text;
      if (!scalar_text(v, text)) return {};
      Val r;
      r.k = Val::K::kBool;
      if (ieq(text, "true")) {
        r.b = false;
      } else if (ieq(text, "false")) {
        r.b = true;
      } else {
        return {};
      }
      r.node = v.node;
      r.reloc = v.reloc;
      return r;
    }
    if (f == "json" || f == "urljson") {
      if (v.k != Val::K::kNode || v.node->kind() != NodeKind::kString) return v;
      const Node* d = decode(*v.node, f == "urljson");
      if (d == nullptr) return v;
      return Val::of(d, v.reloc ? v.reloc : v.node, v.snake);
    }
    if (f == "base64") {
      if (v.k != Val::K::kNode || v.node->kind() != NodeKind::kString) return v;
      std::optional<std::string> d = core::base64_decode(v.node->as_string());
      if (!d) return v;
      Val r;
      r.k = Val::K::kStr;
      r.mutable_str() = std::move(*d);
      r.node = v.node;
      r.reloc = v.reloc;
      return r;
    }
    if (f == "lower" || f == "kebab" || f == "protocol") {
      std::string text;
      if (!scalar_text(v, text)) return v;
      Val r;
      r.k = Val::K::kStr;
      if (f == "kebab") {
        r.mutable_str() = kebab(text);
      } else if (f == "protocol") {
        r.mutable_str() = normalize_protocol(std::move(text));
      } else {
        for (char& c : text) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        r.mutable_str() = std::move(text);
      }
      r.node = v.node;
      r.reloc = v.reloc;
      return r;
    }
    if (f == "first") {
      if (v.k == Val::K::kList) return v.items().empty() ? Val{} : v.items()[0];
      if (v.k == Val::K::kNode && v.node->kind() == NodeKind::kList) {
        return v.node->size() == 0 ? Val{} : Val::of(&v.node->items()[0], v.reloc, v.snake);
      }
      return v;
    }
    if (f == "list") {
      if (v.k == Val::K::kList || (v.k == Val::K::kNode && v.node->kind() == NodeKind::kList)) return v;
      Val r;
      r.k = Val::K::kList;
      r.node = v.node;
      r.reloc = v.reloc;
      r.mutable_items().push_back(std::move(v));
      return r;
    }
    if (f == "kv") {
      // [{Key: k, Value: v}, ...] -> {k: v}
      std::string_view kname = fn.args.size() > 0 ? std::string_view(fn.args[0]) : "Key";
      std::string_view vname = fn.args.size() > 1 ? std::string_view(fn.args[1]) : "Value";
      if (v.k != Val::K::kNode || v.node->kind() != NodeKind::kList) return v;
      if (fn.args.size() > 2) {  // `kv Key Value NAME`: the value of the entry named NAME
        for (const Node& item : v.node->items()) {
          const Node* k = item.find(kname);
          const Node* x = item.find(vname);
          std::string key;
          if (k != nullptr && x != nullptr && scalar_text(Val::of(k, nullptr, false), key) && key == fn.args[2]) {
            return Val::of(x, v.reloc, false);
          }
        }
        return {};
      }
      Val r;
      r.k = Val::K::kMap;
      r.node = v.node;
      r.reloc = v.reloc;
      for (const Node& item : v.node->items()) {
        const Node* k = item.find(kname);
        const Node* x = item.find(vname);
        std::string key;
        if (k == nullptr || x == nullptr || !scalar_text(Val::of(k, nullptr, false), key)) continue;
        r.mutable_keys().push_back(std::move(key));
        r.mutable_items().push_back(Val::of(x, v.reloc, false));
      }
      return r;
    }
    return v;
  }

  Val eval(const Expr& e, const Node& root, const Node* reloc) {
    Val v;
    for (const Expr::Alt& a : e.alts) {
      if (a.literal) {
        v = literal(a.literal_text);
      } else {
        v = walk(a.path, 0, Val::of(&root, reloc, false));
      }
      if (v.k == Val::K::kNode && v.node->is_null()) v = Val{};
      if (v.present()) break;
    }
    for (const Fn& fn : e.fns) v = apply(fn, std::move(v));
    return v;
  }

  void apply_map(const MapSpec& spec, const Node& src, const Node* reloc, Record& rec, const Attr& base) {
    for (const Target& t : spec.targets) {
      Val v = eval(t.expr, src, reloc);
      if (!v.present()) continue;
      Record* r = &rec;
      const Attr* a = &base;
      for (size_t i = 0; i + 1 < t.attr_path.size(); ++i) {
        Field& f = r->fields[static_cast<size_t>(t.attr_path[i])];
        a = &a->attrs[static_cast<size_t>(t.attr_path[i])];
        if (!f.sub) f.sub = std::make_unique<Record>(a->attrs.size());
        r = f.sub.get();
      }
      Field& f = r->fields[static_cast<size_t>(t.attr_path.back())];
      if (t.each) {
        f.each_set = true;
        f.items.clear();
        f.val = Val{};
        if (v.k == Val::K::kUnknown) {
          f.val = v;
          continue;
        }
        auto add_item = [&](const Node& n, const Node* item_reloc) {
          Record item(t.attr->item->attrs.size());
          const Node* node = &n;
          if (node->kind() == NodeKind::kString) {
            if (const Node* d = decode(*node, false)) {
              node = d;
              if (item_reloc == nullptr) item_reloc = &n;
            }
          }
          if (node->kind() == NodeKind::kUnknown) return;
          apply_map(*t.each, *node, item_reloc, item, *t.attr->item);
          f.items.push_back(std::move(item));
        };
        if (v.k == Val::K::kNode && v.node->kind() == NodeKind::kList) {
          for (const Node& n : v.node->items()) add_item(n, v.reloc);
        } else if (v.k == Val::K::kNode && v.node->kind() == NodeKind::kMap) {
          add_item(*v.node, v.reloc);
        } else if (v.k == Val::K::kList) {
          for (const Val& x : v.items()) {
            if (x.k == Val::K::kNode) add_item(*x.node, x.reloc);
          }
        }
      } else if (t.attr->type == AttrType::kList && f.val.present() && f.val.k != Val::K::kUnknown &&
                 v.k != Val::K::kUnknown) {
        // Several folded children (policy attachments) add to one list attribute.
        f.val = concat_lists(f.val, v);
      } else {
        f.val = std::move(v);
      }
    }
  }

  // ---- emission ----------------------------------------------------------------------

  core::Status key(std::string_view name, At at) { return b->add_string(place(at), name); }

  // Copies a node as it is (shared when nothing changes, relocated or snake-cased otherwise).
  core::Status copy_raw(const Node& n, const Node* reloc, bool snake) {
    if (reloc == nullptr && !snake) return b->add_shared(n.pos(), n, 1);
    At pos = at_node(reloc != nullptr ? *reloc : n);
    if (b->depth() + 2 >= b->limits().max_depth && (n.kind() == NodeKind::kList || n.kind() == NodeKind::kMap)) {
      return b->add_unknown(place(pos));
    }
    switch (n.kind()) {
      case NodeKind::kNull:
        return b->add_null(place(pos));
      case NodeKind::kBool:
        return b->add_bool(place(pos), n.as_bool());
      case NodeKind::kInt:
        return b->add_int(place(pos), n.as_int());
      case NodeKind::kUint:
        return b->add_uint(place(pos), n.as_uint());
      case NodeKind::kDouble:
        return b->add_double(place(pos), n.as_double());
      case NodeKind::kString:
        return b->add_string(place(pos), n.as_string(), n.quoted());
      case NodeKind::kUnknown:
        return b->add_unknown(place(pos), n.unknown_shape());
      case NodeKind::kList:
        SKM_TRY(b->begin_list(place(pos)));
        for (const Node& c : n.items()) SKM_TRY(copy_raw(c, reloc, snake));
        return b->end_list();
      case NodeKind::kMap:
        SKM_TRY(b->begin_map(place(pos)));
        for (const formats::Member& m : n.members()) {
          At kp = reloc != nullptr ? pos : at_node(m.key);
          bool keep = false;
          if (m.key.kind() == NodeKind::kString) {
            keep = snake && preserve_children(m.key.as_string(), m.value);
            SKM_TRY(b->add_string(
                place(kp), snake ? std::string_view(snake_case(m.key.as_string())) : m.key.as_string()));
          } else {
            SKM_TRY(copy_raw(m.key, reloc, false));
          }
          SKM_TRY(copy_raw(m.value, reloc, snake && !keep));
        }
        return b->end_map();
    }
    return {};
  }

  // Normalises a value for its declared type before deciding whether it is present:
  // null is absent; an object given as a (block) list is its first item.
  Val norm(const Attr& a, Val v) {
    if (v.k == Val::K::kNode && v.node->is_null()) return {};
    if (a.type == AttrType::kObject) {
      if (v.k == Val::K::kNode && v.node->kind() == NodeKind::kList) {
        if (v.node->size() == 0) return {};
        return norm(a, Val::of(&v.node->items()[0], v.reloc, v.snake));
      }
      if (v.k == Val::K::kNode && v.node->kind() == NodeKind::kString) {
        if (const Node* d = decode(*v.node, false); d != nullptr && d->kind() == NodeKind::kMap) {
          return Val::of(d, v.reloc ? v.reloc : v.node, v.snake);
        }
      }
    }
    return v;
  }

  core::Status emit_scalar_as(const Attr* a, At pos, const std::string& text, bool quoted_string) {
    AttrType t = a ? a->type : AttrType::kAny;
    if (t == AttrType::kBool) {
      if (ieq(text, "true")) return b->add_bool(place(pos), true);
      if (ieq(text, "false")) return b->add_bool(place(pos), false);
    }
    if (t == AttrType::kInt || t == AttrType::kNumber) {
      if (int64_t i = 0; parse_int(text, i)) return b->add_int(place(pos), i);
    }
    return b->add_string(place(pos), text, quoted_string);
  }

  // The shape an unknown source node keeps as attribute `a`: an attribute that is not a
  // string (or untyped) converts the value, so what is known of the string is dropped.
  static std::string_view shape_for(const Attr* a, const Node& n) {
    AttrType t = a ? a->type : AttrType::kAny;
    return t == AttrType::kAny || t == AttrType::kString ? n.unknown_shape() : std::string_view();
  }

  core::Status emit_val(const Attr* a, const Val& v, At fallback) {
    At pos = pos_of(v, fallback);
    switch (v.k) {
      case Val::K::kAbsent:
        return b->add_null(place(pos));
      case Val::K::kUnknown:
        if (a && a->type == AttrType::kJson && !v.shapeless && v.node != nullptr) {
          if (const Node* d = decode_shaped(*v.node))
            return copy_raw(*d, v.reloc ? v.reloc : v.node, v.snake);
        }
        return b->add_unknown(place(pos),
                              v.shapeless || v.node == nullptr ? std::string_view() : shape_for(a, *v.node));
      case Val::K::kBool:
        if (a && a->type == AttrType::kString) return b->add_string(place(pos), v.b ? "true" : "false");
        return b->add_bool(place(pos), v.b);
      case Val::K::kInt:
        if (a && a->type == AttrType::kString) return b->add_string(place(pos), std::to_string(v.i));
        return b->add_int(place(pos), v.i);
      case Val::K::kStr: {
        if (a && a->type == AttrType::kJson && (v.node != nullptr || v.reloc != nullptr) &&
            looks_json(v.str())) {
          formats::Limits limits;
          limits.max_bytes = kMaxDecodeBytes;
          core::Diagnostics ignored;
          auto doc = formats::load_json(source.path(), v.str(), limits, ignored);
          if (doc.ok()) {
            scratch.push_back(std::move(doc).value());
            return copy_raw(scratch.back().root(), v.reloc ? v.reloc : v.node, false);
          }
        }
        return emit_scalar_as(a, pos, v.str(), true);
      }
      case Val::K::kList: {
        SKM_TRY(b->begin_list(place(pos)));
        const Attr* item = a && a->item ? a->item.get() : nullptr;
        for (const Val& x : v.items()) {
          if (item != nullptr) {
            Val n = norm(*item, x);
            if (n.k == Val::K::kNode && n.node->kind() == NodeKind::kMap) {
              SKM_TRY(emit_object(*item, nullptr, &n, pos_of(n, pos), nullptr, false, false));
              continue;
            }
            SKM_TRY(emit_val(nullptr, n, pos));
          } else {
            SKM_TRY(emit_val(nullptr, x, pos));
          }
        }
        return b->end_list();
      }
      case Val::K::kMap: {
        SKM_TRY(b->begin_map(place(pos)));
        for (size_t i = 0; i < v.keys().size(); ++i) {
          SKM_TRY(key(v.keys()[i], pos_of(v.items()[i], pos)));
          SKM_TRY(emit_val(nullptr, v.items()[i], pos));
        }
        return b->end_map();
      }
      case Val::K::kNode: return emit_node(a, v);
    }
    return {};
  }

  core::Status emit_node(const Attr* a, const Val& v) {
    const Node& n = *v.node;
    At pos = pos_of(v, at_node(n));
    if (n.kind() == NodeKind::kUnknown) {
      if (a && a->type == AttrType::kJson) {
        if (const Node* d = decode_shaped(n)) return copy_raw(*d, v.reloc ? v.reloc : &n, v.snake);
      }
      return b->add_unknown(place(pos), shape_for(a, n));
    }
    AttrType t = a ? a->type : AttrType::kAny;
    switch (t) {
      case AttrType::kAny: return copy_raw(n, v.reloc, v.snake);
      case AttrType::kMap: return copy_raw(n, v.reloc, false);  // user data: keys as written
      case AttrType::kString:
        switch (n.kind()) {
          case NodeKind::kString: return copy_raw(n, v.reloc, false);
          case NodeKind::kBool:
            return b->add_string(place(pos), n.as_bool() ? "true" : "false");
          case NodeKind::kInt:
            return b->add_string(place(pos), std::to_string(n.as_int()));
          case NodeKind::kUint:
            return b->add_string(place(pos), std::to_string(n.as_uint()));
          default: return copy_raw(n, v.reloc, v.snake);
        }
      case AttrType::kBool:
      case AttrType::kInt:
      case AttrType::kNumber:
        if (n.kind() == NodeKind::kString) return emit_scalar_as(a, pos, std::string(n.as_string()), n.quoted());
        if (t != AttrType::kBool && n.kind() == NodeKind::kDouble) {
          double d = n.as_double();
          if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9e18 && d < 9e18) {
            return b->add_int(place(pos), static_cast<int64_t>(d));
          }
        }
        return copy_raw(n, v.reloc, false);
      case AttrType::kJson:
        if (n.kind() == NodeKind::kString) {
          if (const Node* d = decode(n, false)) return copy_raw(*d, v.reloc ? v.reloc : &n, v.snake);
        }
        return copy_raw(n, v.reloc, v.snake);
      case AttrType::kList: {
        const Attr* item = a->item.get();
        auto one = [&](const Node& c) -> core::Status {
          Val x = Val::of(&c, v.reloc, v.snake);
          if (item != nullptr) {
            x = norm(*item, x);
            if (x.k == Val::K::kNode && x.node->kind() == NodeKind::kMap) {
              return emit_object(*item, nullptr, &x, pos_of(x, pos), nullptr, false, false);
            }
          }
          if (!x.present()) return b->add_null(place(pos_of(Val::of(&c, v.reloc, false), pos)));
          return emit_node(nullptr, x);
        };
        if (n.kind() == NodeKind::kList) {
          SKM_TRY(b->begin_list(place(pos)));
          for (const Node& c : n.items()) SKM_TRY(one(c));
          return b->end_list();
        }
        SKM_TRY(b->begin_list(place(pos)));
        SKM_TRY(one(n));
        return b->end_list();
      }
      case AttrType::kObject: {
        Val x = norm(*a, v);
        if (x.k == Val::K::kNode && x.node->kind() == NodeKind::kMap) {
          return emit_object(*a, nullptr, &x, pos_of(x, pos), nullptr, false, false);
        }
        if (!x.present()) return b->add_null(place(pos));
        return copy_raw(*x.node, x.reloc, x.snake);
      }
    }
    return {};
  }

  core::Status emit_default(const Node& def, At pos) {
    switch (def.kind()) {
      case NodeKind::kBool:
        SKM_TRY(b->add_bool(place(pos), def.as_bool()));
        break;
      case NodeKind::kInt:
        SKM_TRY(b->add_int(place(pos), def.as_int()));
        break;
      case NodeKind::kString:
        SKM_TRY(b->add_string(place(pos), def.as_string()));
        break;
      case NodeKind::kDouble:
        SKM_TRY(b->add_double(place(pos), def.as_double()));
        break;
      case NodeKind::kList:
        SKM_TRY(b->begin_list(place(pos)));
        for (const Node& c : def.items()) SKM_TRY(emit_default(c, pos));
        SKM_TRY(b->end_list());
        break;
      default:
        SKM_TRY(b->add_null(place(pos)));
        break;
    }
    b->set_tag("!default");
    return {};
  }

  // An object: declared attributes (from the record, then from `base`, then defaults),
  // then, with `passthrough`, the base's undeclared members as they are.
  // `entry` is set for the resource's top level (per-source default exceptions).
  core::Status emit_object(const Attr& spec, const Record* rec, const Val* base, At pos,
                           const SourceEntry* entry, bool defaults_off, bool passthrough, bool close = true) {
    const Node* bn = base != nullptr && base->k == Val::K::kNode && base->node->kind() == NodeKind::kMap
                         ? base->node
                         : nullptr;
    const Node* reloc = base != nullptr ? base->reloc : nullptr;
    bool snake = base != nullptr && base->snake;
    size_t n = spec.attrs.size();
    std::vector<Val> eff(n);
    for (size_t i = 0; i < n; ++i) {
      const Attr& a = spec.attrs[i];
      if (rec != nullptr && rec->fields[i].val.present()) {
        eff[i] = norm(a, rec->fields[i].val);
      } else if (bn != nullptr) {
        const Node* c = nullptr;
        if (snake) {
          for (const formats::Member& m : bn->members()) {
            if (m.key.kind() == NodeKind::kString && snake_case(m.key.as_string()) == a.name) {
              c = &m.value;
              break;
            }
          }
        } else {
          c = bn->find(a.name);
        }
        if (c != nullptr) eff[i] = norm(a, Val::of(c, reloc, snake));
      }
    }
    if (spec.normalize == "sg_rule") normalize_sg_rule(spec, eff);

    SKM_TRY(b->begin_map(place(pos)));
    for (size_t i = 0; i < n; ++i) {
      const Attr& a = spec.attrs[i];
      const Field* f = rec != nullptr ? &rec->fields[i] : nullptr;
      bool defaults = !defaults_off && (entry == nullptr || entry->defaults_apply(a.name));
      const Val& v = eff[i];
      At vp = pos_of(v, pos);
      if (a.type == AttrType::kObject && v.k != Val::K::kUnknown) {
        bool has_sub = f != nullptr && f->sub != nullptr;
        bool has_base = v.k == Val::K::kNode && v.node->kind() == NodeKind::kMap;
        if (has_sub || has_base || (defaults && a.has_defaults)) {
          // Folded sub-attributes carry their own positions; the object sits at its
          // first contribution.
          At op = has_base ? vp : pos;
          if (!has_base && has_sub) {
            for (const Field& sf : f->sub->fields) {
              if (sf.val.present()) {
                op = pos_of(sf.val, pos);
                break;
              }
            }
          }
          SKM_TRY(key(a.name, op));
          SKM_TRY(emit_object(a, has_sub ? f->sub.get() : nullptr, has_base ? &v : nullptr, op, nullptr,
                              !defaults, false));
          continue;
        }
        if (v.present()) {
          SKM_TRY(key(a.name, vp));
          SKM_TRY(emit_val(&a, v, pos));
        }
        continue;
      }
      if (a.type == AttrType::kList && f != nullptr && (!f->items.empty() || f->each_set)) {
        SKM_TRY(key(a.name, vp));
        if (v.k == Val::K::kUnknown && f->items.empty()) {
          SKM_TRY(b->add_unknown(place(vp)));
          continue;
        }
        SKM_TRY(b->begin_list(place(vp)));
        if (!f->each_set && v.k == Val::K::kNode && v.node->kind() == NodeKind::kList) {
          for (const Node& c : v.node->items()) {
            Val x = Val::of(&c, v.reloc, v.snake);
            if (a.item) {
              x = norm(*a.item, x);
              if (x.k == Val::K::kNode && x.node->kind() == NodeKind::kMap) {
                SKM_TRY(emit_object(*a.item, nullptr, &x, pos_of(x, vp), nullptr, !defaults, false));
                continue;
              }
            }
            SKM_TRY(emit_node(nullptr, x));
          }
        } else if (!f->each_set && v.present() && v.k != Val::K::kUnknown) {
          SKM_TRY(emit_val(a.item.get(), v, vp));
        }
        for (const Record& item : f->items) {
          At ip = vp;
          for (const Field& sf : item.fields) {
            if (sf.val.present()) {
              ip = pos_of(sf.val, vp);
              break;
            }
          }
          SKM_TRY(emit_object(*a.item, &item, nullptr, ip, nullptr, !defaults, false));
        }
        SKM_TRY(b->end_list());
        continue;
      }
      if (v.present()) {
        SKM_TRY(key(a.name, vp));
        SKM_TRY(emit_val(&a, v, pos));
      } else if (defaults && a.def != nullptr) {
        SKM_TRY(key(a.name, pos));
        SKM_TRY(emit_default(*a.def, pos));
      }
    }
    if ((passthrough || spec.open) && bn != nullptr) {
      for (const formats::Member& m : bn->members()) {
        if (m.key.kind() != NodeKind::kString) continue;
        std::string_view k = m.key.as_string();
        std::string snaked;
        if (snake) {
          snaked = snake_case(k);
          k = snaked;
        }
        if (spec.index_of(k) >= 0) continue;
        if (k == "raw" || k == "source") continue;
        SKM_TRY(b->add_string(place(at_node(reloc != nullptr ? *reloc : m.key)), k));
        SKM_TRY(copy_raw(m.value, reloc, snake && !preserve_children(m.key.as_string(), m.value)));
      }
    }
    if (close) return b->end_map();
    return {};
  }

  // Security-group rules: protocol as a name or "-1", and all ports (0-65535) for "-1".
  void normalize_sg_rule(const Attr& spec, std::vector<Val>& eff) {
    int p = spec.index_of("protocol");
    int from = spec.index_of("from_port");
    int to = spec.index_of("to_port");
    if (p < 0 || from < 0 || to < 0) return;
    Val& proto = eff[static_cast<size_t>(p)];
    std::string text;
    if (!scalar_text(proto, text)) return;
    Val np;
    np.k = Val::K::kStr;
    np.mutable_str() = normalize_protocol(std::move(text));
    np.node = proto.node;
    np.reloc = proto.reloc;
    if (np.str() == "-1") {
      Val lo;
      lo.k = Val::K::kInt;
      lo.i = 0;
      lo.node = proto.node;
      lo.reloc = proto.reloc;
      Val hi = lo;
      hi.i = 65535;
      eff[static_cast<size_t>(from)] = lo;
      eff[static_cast<size_t>(to)] = hi;
    }
    proto = std::move(np);
  }
};

CanonicalBuilder::CanonicalBuilder(const formats::Document& source, SourceFormat format,
                                   core::Diagnostics& diags)
    : impl_(std::make_unique<Impl>(source, format, diags)) {}
CanonicalBuilder::~CanonicalBuilder() = default;

core::Status CanonicalBuilder::build(std::vector<Unit>& units, std::vector<Resource>& out,
                                     std::unique_ptr<formats::Document>& model) {
  return build(units, 0, units.size(), out, model);
}

core::Status CanonicalBuilder::build(std::vector<Unit>& units, size_t begin, size_t end,
                                     std::vector<Resource>& out, std::unique_ptr<formats::Document>& model) {
  Impl& m = *impl_;
  formats::Limits limits;
  limits.max_nodes = UINT64_MAX / 2;
  limits.max_string = uint64_t{1} << 31;
  m.b = std::make_unique<formats::Builder>(m.source.path(), m.source.format(), std::string(), limits);
  m.b->set_file(&m.source.path());
  m.file_now = m.source_path;
  size_t first = out.size();
  for (size_t ui = begin; ui < end && ui < units.size(); ++ui) {
    Unit& u = units[ui];
    if (u.folded) continue;
    m.scratch.clear();
    m.decoded.clear();
    const Attr* root_attr = u.entry != nullptr ? &u.entry->type->root : nullptr;
    Record rec(root_attr != nullptr ? root_attr->attrs.size() : 0);
    Val base;
    bool passthrough = u.entry != nullptr ? u.entry->passthrough : u.passthrough;
    if (u.entry == nullptr && u.passthrough && u.root != nullptr) base = Val::of(u.root, nullptr, false);
    if (u.entry != nullptr) {
      if (u.root != nullptr) m.apply_map(u.entry->map, *u.root, nullptr, rec, *root_attr);
      if (u.entry->passthrough && u.root != nullptr) base = Val::of(u.root, nullptr, false);
      std::vector<bool> own(rec.fields.size());
      for (size_t i = 0; i < own.size(); ++i) own[i] = rec.fields[i].val.present();
      for (const auto& [ci, fe] : u.children) {
        const Unit& c = units[ci];
        if (c.root == nullptr) continue;
        if (!fe->append.empty() || !fe->append_by.empty()) {
          std::vector<int> path = fe->append;
          if (!fe->append_by.empty()) {
            const Node* by = c.root->find(fe->append_by);
            if (by == nullptr) continue;
            std::string_view list_name;
            if (by->kind() == NodeKind::kString) {
              list_name = by->as_string();
            } else if (by->kind() == NodeKind::kBool) {  // an `egress` flag
              list_name = by->as_bool() ? "egress" : "ingress";
            } else {
              continue;
            }
            int idx = root_attr->index_of(list_name);
            if (idx < 0 || !root_attr->attrs[static_cast<size_t>(idx)].item) continue;
            path = {idx};
          }
          Record* r = &rec;
          const Attr* a = root_attr;
          for (size_t i = 0; i + 1 < path.size(); ++i) {
            a = &a->attrs[static_cast<size_t>(path[i])];
            Field& f = r->fields[static_cast<size_t>(path[i])];
            if (!f.sub) f.sub = std::make_unique<Record>(a->attrs.size());
            r = f.sub.get();
          }
          a = &a->attrs[static_cast<size_t>(path.back())];
          Record item(a->item->attrs.size());
          m.apply_map(fe->map, *c.root, nullptr, item, *a->item);
          r->fields[static_cast<size_t>(path.back())].items.push_back(std::move(item));
        } else {
          m.apply_map(fe->map, *c.root, nullptr, rec, *root_attr);
        }
      }
      // A list attribute that folded children filled adds to the list the resource
      // declares itself (a role's own managed_policy_arns and its policy attachments);
      // an unknown own list stays in as an unknown item.
      if (base.present() && !u.children.empty()) {
        for (size_t i = 0; i < own.size(); ++i) {
          Field& f = rec.fields[i];
          if (own[i] || root_attr->attrs[i].type != AttrType::kList || !f.val.present() ||
              f.val.k == Val::K::kUnknown) {
            continue;
          }
          const Node* declared = base.node->find(root_attr->attrs[i].name);
          if (declared == nullptr || declared->kind() == NodeKind::kNull) continue;
          f.val = concat_lists(Val::of(declared, nullptr, false), f.val);
        }
      }
    }
    static const Attr kEmpty;
    const Attr& spec = root_attr != nullptr ? *root_attr : kEmpty;
    const At at{u.pos, nullptr};
    SKM_TRY(
        m.emit_object(spec, &rec, base.present() ? &base : nullptr, at, u.entry, false, passthrough, false));
    SKM_TRY(m.b->add_string(m.place(at), "source"));
    SKM_TRY(m.b->add_string(m.place(at), format_name(m.format)));
    if (u.raw != nullptr) {
      SKM_TRY(m.b->add_string(m.place(at), "raw"));
      SKM_TRY(m.b->add_shared(u.raw->pos(), *u.raw, 1));
    }
    SKM_TRY(m.b->end_map());
    Resource r;
    r.type = u.entry != nullptr ? u.entry->type->name : u.fallback_type;
    r.id = std::move(u.id);
    r.source_type = std::move(u.source_type);
    r.format = m.format;
    r.location = m.source.location(u.pos);
    r.suppressions = std::move(u.suppressions);
    out.push_back(std::move(r));
  }
  m.scratch.clear();
  m.decoded.clear();
  model = std::make_unique<formats::Document>(std::move(*m.b).finish());
  auto roots = model->roots();
  for (size_t i = first; i < out.size(); ++i) out[i].attributes = &roots[i - first];
  return {};
}

}  // namespace sekimori::model::internal
