// The JSON syntax (.tf.json, .tfvars.json) mapped onto the same tree as the native
// syntax. See docs/formats/hcl.md, "JSON syntax", for the rules.
#include <memory>
#include <string>
#include <vector>

#include <cmath>

#include "core/json_writer.h"
#include "formats/document.h"
#include "hcl/ast.h"
#include "hcl/internal/file_impl.h"
#include "hcl/internal/parser.h"

namespace sekimori::hcl {

namespace {

using formats::Node;
using formats::NodeKind;

// Number of labels of Terraform's top-level block types.
int top_level_labels(std::string_view type) {
  if (type == "resource" || type == "data") return 2;
  if (type == "module" || type == "variable" || type == "output" || type == "provider" || type == "check")
    return 1;
  return 0;
}

// Labels of nested block types that have them.
int nested_labels(std::string_view type) {
  if (type == "dynamic" || type == "provisioner" || type == "backend") return 1;
  return 0;
}

class JsonConverter {
 public:
  JsonConverter(File::Impl& impl, const Limits& limits, core::Diagnostics& diags, bool tfvars)
      : impl_(impl), limits_(limits), diags_(diags), tfvars_(tfvars) {}

  const Body* file_body(const Node& root) {
    if (root.kind() != NodeKind::kMap) {
      error(root, "the root of a JSON configuration file must be an object");
      return &impl_.empty_body;
    }
    std::vector<BodyItem> items;
    for (const formats::Member& m : root.members()) {
      std::string_view key = m.key.as_string();
      if (key == "//") continue;  // a comment
      if (tfvars_) {
        items.push_back(BodyItem{attribute(m, /*literal=*/true, 0), nullptr});
        continue;
      }
      add_blocks(items, key, m.key, m.value, top_level_labels(key), {}, key == "locals" ? kLocals : kGeneric,
                 key == "terraform");
    }
    return finish(items, root);
  }

 private:
  enum BodyKind { kGeneric, kLocals };

  Pos pos(const Node& n) const {
    formats::Pos p = n.pos();
    return Pos{p.line, p.column, static_cast<uint32_t>(p.offset)};
  }
  Range range(const Node& n) const { return Range{&impl_.path, pos(n), pos(n)}; }

  void error(const Node& n, const std::string& message) {
    impl_.has_errors = true;
    Pos p = pos(n);
    diags_.add(core::Severity::kError, "hcl.syntax", message, core::Location{impl_.path, p.line, p.column, p.byte},
               core::make_snippet(impl_.text, p.line, p.column));
  }

  void count() {
    if (++nodes_ > limits_.max_nodes)
      throw internal::LimitError{core::make_error(
          "hcl.limit.nodes", "more than " + std::to_string(limits_.max_nodes) + " syntax nodes",
          core::Location{impl_.path, 0, 0, 0})};
  }

  template <typename T>
  T* node(const Node& n) {
    count();
    T* e = impl_.make<T>();
    e->kind = T::kKind;
    e->range = range(n);
    return e;
  }

  const Body* finish(std::vector<BodyItem>& items, const Node& at) {
    std::vector<const Attribute*> attrs;
    std::vector<const Block*> blocks;
    for (const BodyItem& it : items) {
      if (it.attribute) attrs.push_back(it.attribute);
      if (it.block) blocks.push_back(it.block);
    }
    Body* b = impl_.make<Body>();
    b->items = impl_.copy(items);
    b->attributes = impl_.copy(attrs);
    b->blocks = impl_.copy(blocks);
    b->range = range(at);
    return b;
  }

  // `value` holds the blocks of type `type` with `labels_left` labels still to read:
  // objects keyed by label, down to a body object or an array of body objects.
  void add_blocks(std::vector<BodyItem>& out, std::string_view type, const Node& type_node, const Node& value,
                  int labels_left, std::vector<Label> labels, BodyKind kind, bool terraform) {
    if (value.kind() == NodeKind::kList) {
      for (const Node& item : value.items())
        add_blocks(out, type, type_node, item, labels_left, labels, kind, terraform);
      return;
    }
    if (value.kind() != NodeKind::kMap) {
      error(value, "a '" + std::string(type) + "' block must be given as a JSON object");
      return;
    }
    if (labels_left > 0) {
      for (const formats::Member& m : value.members()) {
        std::vector<Label> more = labels;
        more.push_back(Label{impl_.save(m.key.as_string()), range(m.key), true});
        add_blocks(out, type, type_node, m.value, labels_left - 1, std::move(more), kind, terraform);
      }
      return;
    }
    count();
    Block* b = impl_.make<Block>();
    b->type = impl_.save(type);
    b->type_range = range(type_node);
    b->labels = impl_.copy(labels);
    b->body = body(value, kind, terraform, type);
    b->open_brace = range(value);
    b->close_brace = range(value);
    b->range = Range{&impl_.path, pos(type_node), pos(value)};
    out.push_back(BodyItem{nullptr, b});
  }

  const Body* body(const Node& obj, BodyKind kind, bool terraform, std::string_view block_type) {
    depth_guard guard(*this, obj);
    std::vector<BodyItem> items;
    for (const formats::Member& m : obj.members()) {
      std::string_view key = m.key.as_string();
      if (key == "//") continue;
      if (terraform && (key == "backend" || key == "required_providers" || key == "cloud")) {
        add_blocks(items, key, m.key, m.value, key == "backend" ? 1 : 0, {}, kGeneric, false);
        continue;
      }
      Attribute* a = attribute(m, false, 0);
      if (block_type == "variable" && key == "type" && m.value.kind() == NodeKind::kString) {
        a->expr = expression_of(m.value);  // a type constraint, written as an expression
      } else if (kind == kGeneric) {
        // Objects and arrays of objects may be nested blocks: build both readings.
        bool objects = m.value.kind() == NodeKind::kMap;
        if (m.value.kind() == NodeKind::kList && m.value.size() > 0) {
          objects = true;
          for (const Node& item : m.value.items()) objects = objects && item.kind() == NodeKind::kMap;
        }
        if (objects) {
          std::vector<BodyItem> nested;
          add_blocks(nested, key, m.key, m.value, nested_labels(key), {}, kGeneric, false);
          std::vector<const Block*> blocks;
          for (const BodyItem& it : nested) blocks.push_back(it.block);
          a->json_blocks = impl_.copy(blocks);
        }
      }
      items.push_back(BodyItem{a, nullptr});
    }
    return finish(items, obj);
  }

  Attribute* attribute(const formats::Member& m, bool literal, int) {
    count();
    Attribute* a = impl_.make<Attribute>();
    a->name = impl_.save(m.key.as_string());
    a->name_range = range(m.key);
    a->expr = expr(m.value, literal);
    a->range = Range{&impl_.path, pos(m.key), pos(m.value)};
    return a;
  }

  struct depth_guard {
    depth_guard(JsonConverter& c, const Node& n) : c_(c) {
      if (++c_.depth_ > c_.limits_.max_depth) {
        Pos p = c_.pos(n);
        throw internal::LimitError{core::make_error(
            "hcl.limit.depth", "nesting deeper than " + std::to_string(c_.limits_.max_depth) + " levels",
            core::Location{c_.impl_.path, p.line, p.column, p.byte})};
      }
    }
    ~depth_guard() { --c_.depth_; }
    JsonConverter& c_;
  };

  const Expr* expr(const Node& n, bool literal) {
    depth_guard guard(*this, n);
    switch (n.kind()) {
      case NodeKind::kNull:
      case NodeKind::kUnknown: return node<LiteralExpr>(n);
      case NodeKind::kBool: {
        auto* l = node<LiteralExpr>(n);
        l->literal = LiteralKind::kBool;
        l->bool_value = n.as_bool();
        return l;
      }
      case NodeKind::kInt:
      case NodeKind::kUint:
      case NodeKind::kDouble: {
        auto* l = node<LiteralExpr>(n);
        l->literal = LiteralKind::kNumber;
        std::string text;
        if (n.kind() == NodeKind::kInt) {
          l->integer = n.as_int();
          l->number = static_cast<double>(l->integer);
          l->is_integer = true;
          text = std::to_string(l->integer);
        } else if (n.kind() == NodeKind::kUint) {
          l->number = static_cast<double>(n.as_uint());
          text = std::to_string(n.as_uint());
        } else {
          l->number = n.as_double();
          text = core_format(l->number);
          if (l->number == static_cast<double>(static_cast<int64_t>(l->number)) && std::abs(l->number) < 9.2e18) {
            l->integer = static_cast<int64_t>(l->number);
            l->is_integer = true;
          }
        }
        l->text = impl_.save(text);
        return l;
      }
      case NodeKind::kString: {
        if (literal) {
          auto* l = node<LiteralExpr>(n);
          l->literal = LiteralKind::kString;
          l->text = impl_.save(n.as_string());
          return l;
        }
        return template_of(n);
      }
      case NodeKind::kList: {
        auto* t = node<TupleExpr>(n);
        std::vector<const Expr*> items;
        for (const Node& item : n.items()) items.push_back(expr(item, literal));
        t->items = impl_.copy(items);
        return t;
      }
      case NodeKind::kMap: {
        auto* o = node<ObjectExpr>(n);
        std::vector<ObjectItem> items;
        for (const formats::Member& m : n.members()) {
          ObjectItem it;
          auto* k = node<LiteralExpr>(m.key);
          k->literal = LiteralKind::kString;
          k->text = impl_.save(m.key.as_string());
          it.key = k;
          it.value = expr(m.value, literal);
          it.colon = true;
          items.push_back(it);
        }
        o->items = impl_.copy(items);
        return o;
      }
    }
    return node<LiteralExpr>(n);
  }

  static std::string core_format(double d);

  const Expr* expression_of(const Node& n) {
    std::string_view content = impl_.save(n.as_string());
    Pos base = pos(n);
    base.column += 1;
    base.byte += 1;
    internal::Parser p(impl_, content, base, limits_, diags_, nullptr, &nodes_);
    try {
      return p.parse_standalone_expression();
    } catch (const internal::SyntaxError&) {
      impl_.has_errors = true;
      return template_of(n);
    }
  }

  // A JSON string is a template: its content is parsed as template text. Positions
  // inside it are counted from just after the opening quote as if no escapes were
  // written (exact for strings without escapes).
  const Expr* template_of(const Node& n) {
    std::string_view content = impl_.save(n.as_string());
    if (content.find("${") == std::string_view::npos && content.find("%{") == std::string_view::npos) {
      // No template sequence (and so no $${ escape either): one literal part.
      count();
      TemplatePart part;
      part.kind = TemplatePartKind::kLiteral;
      part.range = range(n);
      part.text = content;
      auto* e = node<TemplateExpr>(n);
      e->parts = impl_.copy(&part, 1);
      return e;
    }
    Pos base = pos(n);
    base.column += 1;
    base.byte += 1;
    internal::Parser p(impl_, content, base, limits_, diags_, nullptr, &nodes_);
    try {
      return p.parse_standalone_template();
    } catch (const internal::SyntaxError&) {
      impl_.has_errors = true;
      auto* l = node<LiteralExpr>(n);
      l->literal = LiteralKind::kString;
      l->text = content;
      return l;
    }
  }

  File::Impl& impl_;
  const Limits& limits_;
  core::Diagnostics& diags_;
  bool tfvars_;
  uint64_t nodes_ = 0;
  uint32_t depth_ = 0;
};

std::string JsonConverter::core_format(double d) { return core::format_double(d); }

}  // namespace

core::Result<File> parse_json(std::string path, std::string text, const Limits& limits, core::Diagnostics& diags,
                              bool tfvars) {
  auto impl = std::make_unique<File::Impl>();
  impl->path = path;
  impl->syntax = Syntax::kJson;
  uint64_t cap = std::min<uint64_t>(limits.max_bytes, 0xFFFFFFFEu);
  if (text.size() > cap) {
    return core::make_error("hcl.limit.bytes",
                            "input of " + std::to_string(text.size()) + " bytes is larger than the limit of " +
                                std::to_string(cap),
                            core::Location{impl->path, 0, 0, 0});
  }
  impl->text = text;
  formats::Limits fl;
  fl.max_bytes = cap;
  fl.max_depth = std::min<uint32_t>(limits.max_depth, 256);
  fl.max_nodes = limits.max_nodes;
  fl.max_string = limits.max_template;
  SKM_TRY_ASSIGN(formats::Document doc, formats::load_json(std::move(path), std::move(text), fl, diags));
  JsonConverter conv(*impl, limits, diags, tfvars);
  try {
    impl->body = conv.file_body(doc.root());
  } catch (internal::LimitError& e) {
    return std::move(e.error);
  }
  return FileAccess::make(std::move(impl));
}

}  // namespace sekimori::hcl
