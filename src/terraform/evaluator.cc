// The Terraform evaluator: lazy, memoised evaluation of variables, locals, resources,
// module calls and outputs per module instance, with cycle detection on the stack of
// what is being evaluated (so results never depend on declaration or file order).
#include "terraform/evaluator.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "terraform/functions.h"
#include "terraform/internal/data_sources.h"
#include "terraform/types.h"
#include "terraform/value.h"

namespace sekimori::terraform {

namespace {

using hcl::Expr;
using hcl::ExprKind;

// An error that was already reported as a diagnostic (a cycle, an exceeded limit): the
// callers turn it into an unknown value without reporting it again.
constexpr std::string_view kReported = "tf.reported";

core::Error err_at(std::string code, std::string message, const hcl::Range& where) {
  return core::Error{std::move(code), std::move(message), where.location()};
}

// Variables bound while evaluating: `for` variables, count, each, dynamic iterators,
// templatefile variables.
struct Frame {
  const Frame* parent = nullptr;
  std::string_view name;
  Value value;
  // A templatefile scope: names not bound here are errors, not module references.
  bool closed = false;
};

const Value* lookup(const Frame* f, std::string_view name, bool& closed) {
  for (; f != nullptr; f = f->parent) {
    if (f->name == name) return &f->value;
    if (f->closed) closed = true;
  }
  return nullptr;
}

std::string quote_key(std::string_view k) {
  std::string out = "[\"";
  for (char c : k) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += "\"]";
  return out;
}

enum class State : uint8_t { kNew, kVisiting, kDone };

struct Instance;

struct ResourceInstanceOut {
  std::string suffix;  // "", "[0]", "[\"k\"]"
  Value body;          // with positions
};

struct ResourceState {
  State state = State::kNew;
  Value value;  // what references see
  std::vector<ResourceInstanceOut> instances;
  std::map<std::string, std::vector<std::string>> references;
};

struct CallState {
  State state = State::kNew;
  bool expanded = false;  // count or for_each
  bool by_key = false;    // for_each
  std::vector<std::pair<std::string, std::unique_ptr<Instance>>> instances;  // (key, inst)
  bool unknown = false;   // source not scanned, recursion, unknown count: outputs unknown
  Value value;
  bool value_done = false;
};

struct Instance {
  const Module* mod = nullptr;
  std::string path;  // "module.a[\"k\"].module.b", "" for the root
  Instance* parent = nullptr;
  const hcl::Block* call = nullptr;
  Frame call_frame;  // count/each of the call instance (name empty when none)
  uint32_t depth = 0;
  std::map<std::string, Value, std::less<>> vars;
  std::map<std::string, State, std::less<>> var_state;
  std::map<std::string, Value, std::less<>> locals;
  std::map<std::string, State, std::less<>> local_state;
  std::vector<ResourceState> resources;
  std::map<std::string, CallState, std::less<>> calls;
  std::map<std::string, Value, std::less<>> outputs;
  std::map<std::string, State, std::less<>> output_state;
};

struct Ctx {
  Instance* inst = nullptr;
  const Frame* frame = nullptr;
  uint32_t depth = 0;
  bool strict = false;  // inside try()/can(): a missing attribute is an error
  // Splat placeholders being evaluated: innermost last.
  std::vector<std::pair<const hcl::SplatExpr*, Value>>* splat = nullptr;
};

// A variable value given from outside the configuration.
struct Override {
  bool raw = false;  // TF_VAR_ / --var: text to interpret by the variable's type
  std::string text;
  Value value;
  core::Location where;
};

class Evaluator {
 public:
  Evaluator(ModuleCache& cache, const EvalOptions& options, core::Diagnostics& diags)
      : cache_(cache), opts_(options), diags_(diags) {}

  core::Result<EvalResult> run(const std::string& dir);

 private:
  ModuleCache& cache_;
  const EvalOptions& opts_;
  core::Diagnostics& diags_;
  std::string root_dir_;
  std::string scan_root_;
  uint64_t steps_ = 0;
  int template_depth_ = 0;
  bool template_own_hole_ = false;  // the template being evaluated has a shape's hole character in its text
  Module empty_module_;
  bool steps_reported_ = false;
  std::deque<SourcePos> positions_;
  std::vector<std::string> stack_;  // what is being evaluated, for cycle messages
  std::map<std::string, Override> overrides_;
  std::unordered_map<const hcl::Block*, std::optional<Type>> var_types_;
  std::deque<hcl::File> extra_files_;  // tfvars, --var expressions, templates
  std::map<std::string, std::string> modules_json_;  // "a.b" -> dir
  bool modules_json_loaded_ = false;
  std::vector<std::string> module_dirs_;
  std::set<std::string> reported_;  // dedup of per-declaration diagnostics
  FunctionContext fctx_;

  // ---- helpers -----------------------------------------------------------------------

  const SourcePos* pos_of(const hcl::Range& r) {
    positions_.push_back(SourcePos{r.file, formats::Pos{r.start.line, r.start.column, r.start.byte}});
    return &positions_.back();
  }

  void warn(const core::Error& e) {
    if (e.code == kReported) return;
    std::string key = e.code + (e.location ? e.location->to_string() : std::string()) + e.message;
    if (!reported_.insert(key).second) return;
    diags_.add(core::Severity::kWarning, e.code, e.message, e.location.value_or(core::Location{}));
  }

  core::Error report_error(std::string code, std::string message, const core::Location& where) {
    std::string key = code + where.to_string() + message;
    if (reported_.insert(key).second) diags_.add(core::Severity::kError, std::move(code), std::move(message), where);
    return core::Error{std::string(kReported), "", std::nullopt};
  }

  bool step(const hcl::Range& where, core::Error& err) {
    if (++steps_ <= opts_.limits.max_steps) return true;
    if (!steps_reported_) {
      steps_reported_ = true;
      report_error("tf.limit.steps",
                   "evaluation stopped after " + std::to_string(opts_.limits.max_steps) + " steps", where.location());
    }
    err = core::Error{std::string(kReported), "", std::nullopt};
    return false;
  }

  // Cycle detection on the evaluation stack.
  core::Error cycle(const std::string& name, const hcl::Range& where) {
    std::string chain;
    auto it = std::find(stack_.begin(), stack_.end(), name);
    for (; it != stack_.end(); ++it) chain += *it + " -> ";
    chain += name;
    return report_error("tf.cycle", "dependency cycle: " + chain, where.location());
  }

  struct StackGuard {
    std::vector<std::string>& s;
    StackGuard(std::vector<std::string>& st, std::string name) : s(st) { s.push_back(std::move(name)); }
    ~StackGuard() { s.pop_back(); }
    StackGuard(const StackGuard&) = delete;
    StackGuard& operator=(const StackGuard&) = delete;
  };

  // path.module: relative to the root module's directory (Terraform's working directory).
  std::string relative_to_root(const std::string& dir) const {
    if (dir == root_dir_) return ".";
    std::string rel = std::filesystem::path(dir).lexically_relative(root_dir_).generic_string();
    return rel.empty() ? dir : rel;
  }

  // ---- expressions -------------------------------------------------------------------

  core::Result<Value> eval(const Expr& e, Ctx& ctx);
  core::Result<Value> eval_traversal(const hcl::ScopeTraversalExpr& e, Ctx& ctx);
  core::Result<Value> apply_steps(Value v, std::span<const hcl::TraversalStep> steps, Ctx& ctx);
  core::Result<Value> index_value(const Value& coll, const Value& key, const hcl::Range& where, Ctx& ctx);
  core::Result<Value> get_attr(const Value& v, std::string_view name, const hcl::Range& where, Ctx& ctx);
  core::Result<Value> eval_template(const hcl::TemplateExpr& t, Ctx& ctx);
  core::Result<bool> template_parts(std::span<const hcl::TemplatePart> parts, Ctx& ctx, std::string& out);
  core::Result<Value> eval_binary(const hcl::BinaryExpr& e, Ctx& ctx);
  core::Result<Value> eval_for(const hcl::ForExpr& e, Ctx& ctx);
  core::Result<Value> eval_splat(const hcl::SplatExpr& e, Ctx& ctx);
  core::Result<Value> eval_call(const hcl::CallExpr& e, Ctx& ctx);

  // ---- declarations ------------------------------------------------------------------

  core::Result<Value> var_value(Instance& inst, std::string_view name, const hcl::Range& where);
  core::Result<Value> local_value(Instance& inst, std::string_view name, const hcl::Range& where);
  core::Result<Value> resource_value(Instance& inst, const std::string& key, const hcl::Range& where);
  core::Result<Value> call_value(Instance& inst, std::string_view name, const hcl::Range& where);
  core::Result<Value> output_value(Instance& inst, std::string_view name, const hcl::Range& where);
  core::Status ensure_resource(Instance& inst, size_t index);
  core::Status ensure_call(Instance& inst, std::string_view name, const hcl::Range& where);
  const std::optional<Type>& var_type(const hcl::Block& b);
  core::Result<Value> convert_var(const hcl::Block& b, Value v, const std::string& name);
  core::Result<Value> eval_body(const hcl::Body& body, Ctx& ctx, bool top, std::map<std::string, std::vector<std::string>>* refs);
  core::Result<Value> eval_attr_expr(const hcl::Attribute& a, Ctx& ctx);
  void load_overrides(const Module& root);
  void load_var_file(const std::string& path, bool must_exist, core::Location origin);
  std::optional<std::string> module_dir(const Instance& inst, const hcl::Block& call, std::string_view name,
                                        std::string_view source);
  void collect(Instance& inst, formats::Builder& b, std::vector<std::pair<std::string, size_t>>& order,
               std::vector<ResourceInstance>& all);
  void instantiate_all(Instance& inst);

 public:
  // templatefile(): evaluates a template file with only `vars` in scope.
  core::Result<Value> render_template(const std::string& path, const std::string& text, const Value& vars);
  [[nodiscard]] const std::string& scan_root() const { return scan_root_; }
};

// ---- expression evaluation -------------------------------------------------------------

core::Result<Value> Evaluator::eval(const Expr& e, Ctx& ctx) {
  core::Error err;
  if (!step(e.range, err)) return err;
  if (ctx.depth > opts_.limits.max_expr_depth) {
    return report_error("tf.limit.depth", "expression nesting is too deep", e.range.location());
  }
  struct DepthGuard {
    Ctx& c;
    explicit DepthGuard(Ctx& cc) : c(cc) { ++c.depth; }
    ~DepthGuard() { --c.depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  } guard(ctx);
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const auto& l = e.as<hcl::LiteralExpr>();
      switch (l.literal) {
        case hcl::LiteralKind::kNull: return Value::null();
        case hcl::LiteralKind::kBool: return Value::boolean(l.bool_value);
        case hcl::LiteralKind::kNumber:
          return l.is_integer ? Value::number(l.integer) : Value::number(l.number);
        case hcl::LiteralKind::kString: return Value::string(std::string(l.text));
      }
      return Value::null();
    }
    case ExprKind::kTemplate: return eval_template(e.as<hcl::TemplateExpr>(), ctx);
    case ExprKind::kTuple: {
      std::vector<Value> items;
      for (const Expr* it : e.as<hcl::TupleExpr>().items) {
        SKM_TRY_ASSIGN(Value v, eval(*it, ctx));
        items.push_back(std::move(v));
      }
      return Value::tuple(std::move(items));
    }
    case ExprKind::kObject: {
      std::vector<Member> members;
      bool unknown_key = false;
      for (const hcl::ObjectItem& item : e.as<hcl::ObjectExpr>().items) {
        std::string key;
        if (item.bare_key) {
          const auto* st = item.key->if_kind<hcl::ScopeTraversalExpr>();
          key = st != nullptr ? std::string(st->root) : std::string();
        } else {
          SKM_TRY_ASSIGN(Value k, eval(*item.key, ctx));
          if (k.is_unknown()) {
            unknown_key = true;
            continue;
          }
          auto ks = to_string_value(k);
          if (!ks.ok() || ks->is_null()) {
            return err_at("tf.eval.key", "object key must be a string", item.key->range);
          }
          key = std::string(ks->as_string());
        }
        SKM_TRY_ASSIGN(Value v, eval(*item.value, ctx));
        members.push_back(Member{std::move(key), std::move(v)});
      }
      if (unknown_key) return Value::unknown();
      return Value::object(std::move(members));
    }
    case ExprKind::kScopeTraversal: return eval_traversal(e.as<hcl::ScopeTraversalExpr>(), ctx);
    case ExprKind::kRelativeTraversal: {
      const auto& r = e.as<hcl::RelativeTraversalExpr>();
      SKM_TRY_ASSIGN(Value v, eval(*r.source, ctx));
      return apply_steps(std::move(v), r.steps, ctx);
    }
    case ExprKind::kIndex: {
      const auto& ix = e.as<hcl::IndexExpr>();
      SKM_TRY_ASSIGN(Value coll, eval(*ix.collection, ctx));
      SKM_TRY_ASSIGN(Value key, eval(*ix.key, ctx));
      return index_value(coll, key, ix.brackets, ctx);
    }
    case ExprKind::kSplat: return eval_splat(e.as<hcl::SplatExpr>(), ctx);
    case ExprKind::kSplatItem: {
      const auto& si = e.as<hcl::SplatItemExpr>();
      if (ctx.splat != nullptr) {
        for (auto it = ctx.splat->rbegin(); it != ctx.splat->rend(); ++it) {
          if (it->first == si.splat) return it->second;
        }
      }
      return Value::unknown();
    }
    case ExprKind::kCall: return eval_call(e.as<hcl::CallExpr>(), ctx);
    case ExprKind::kConditional: {
      const auto& c = e.as<hcl::ConditionalExpr>();
      SKM_TRY_ASSIGN(Value cond, eval(*c.condition, ctx));
      if (cond.is_unknown()) {
        // Both sides are still checked for errors; equal known results need no condition.
        SKM_TRY_ASSIGN(Value a, eval(*c.true_result, ctx));
        SKM_TRY_ASSIGN(Value b, eval(*c.false_result, ctx));
        if (a.is_wholly_known() && a == b) return a;
        return Value::unknown();
      }
      if (cond.is_null()) return err_at("tf.eval.condition", "the condition is null", c.condition->range);
      auto cb = to_bool_value(cond);
      if (!cb.ok()) return err_at("tf.eval.condition", "the condition must be a bool", c.condition->range);
      return eval(cb->as_bool() ? *c.true_result : *c.false_result, ctx);
    }
    case ExprKind::kBinary: return eval_binary(e.as<hcl::BinaryExpr>(), ctx);
    case ExprKind::kUnary: {
      const auto& u = e.as<hcl::UnaryExpr>();
      SKM_TRY_ASSIGN(Value v, eval(*u.operand, ctx));
      if (v.is_unknown()) return Value::unknown(u.op == hcl::UnaryOp::kNot ? Type::boolean() : Type::number());
      if (u.op == hcl::UnaryOp::kNot) {
        auto b = to_bool_value(v);
        if (!b.ok() || b->is_null()) return err_at("tf.eval.operand", "! needs a bool", u.operand->range);
        return Value::boolean(!b->as_bool());
      }
      auto n = to_number_value(v);
      if (!n.ok() || n->is_null()) return err_at("tf.eval.operand", "- needs a number", u.operand->range);
      auto r = arith('-', Number::of(int64_t{0}), n->as_number());
      if (!r.ok()) return err_at("tf.eval.arith", r.error().message, e.range);
      return Value::number(*r);
    }
    case ExprKind::kParens: return eval(*e.as<hcl::ParensExpr>().inner, ctx);
    case ExprKind::kFor: return eval_for(e.as<hcl::ForExpr>(), ctx);
  }
  return Value::unknown();
}

core::Result<Value> Evaluator::get_attr(const Value& v, std::string_view name, const hcl::Range& where, Ctx& ctx) {
  if (v.is_unknown()) return Value::unknown();
  if (v.is_null()) {
    return err_at("tf.eval.null", "cannot read attribute \"" + std::string(name) + "\" of a null value", where);
  }
  if (v.is_mapping()) {
    if (const Value* m = v.find(name)) return *m;
    // Outside try()/can(), a missing attribute is one only the provider knows (a
    // computed attribute such as `id` or `arn`): unknown.
    if (!ctx.strict) return Value::unknown();
    return err_at("tf.eval.attribute", "no attribute \"" + std::string(name) + "\"", where);
  }
  if (v.is_sequence() && !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return index_value(v, Value::string(std::string(name)), where, ctx);  // legacy `.0`
  }
  return err_at("tf.eval.attribute",
                    "cannot read attribute \"" + std::string(name) + "\" of a " + kind_name(v.kind()), where);
}

core::Result<Value> Evaluator::index_value(const Value& coll, const Value& key, const hcl::Range& where, Ctx& ctx) {
  if (coll.is_unknown() || key.is_unknown()) return Value::unknown();
  if (coll.is_null()) return err_at("tf.eval.null", "cannot index a null value", where);
  if (key.is_null()) return err_at("tf.eval.index", "the index is null", where);
  if (coll.is_mapping()) {
    auto ks = to_string_value(key);
    if (!ks.ok()) return err_at("tf.eval.index", "a map index must be a string", where);
    if (const Value* m = coll.find(ks->as_string())) return *m;
    if (!ctx.strict && coll.kind() == ValueKind::kObject && coll.size() == 0) return Value::unknown();
    return err_at("tf.eval.index", "no element with key \"" + std::string(ks->as_string()) + "\"", where);
  }
  if (coll.kind() == ValueKind::kList || coll.kind() == ValueKind::kTuple) {
    auto kn = to_number_value(key);
    if (!kn.ok() || !kn->as_number().is_integral()) return err_at("tf.eval.index", "a list index must be a whole number", where);
    double d = kn->as_number().as_double();
    if (d < 0 || d >= static_cast<double>(coll.size())) {
      return err_at("tf.eval.index", "index " + kn->as_number().to_string() + " is out of range (" +
                                             std::to_string(coll.size()) + " elements)",
                        where);
    }
    return coll.items()[static_cast<size_t>(d)];
  }
  if (coll.kind() == ValueKind::kSet) return err_at("tf.eval.index", "a set cannot be indexed", where);
  return err_at("tf.eval.index", std::string("cannot index a ") + kind_name(coll.kind()), where);
}

core::Result<Value> Evaluator::apply_steps(Value v, std::span<const hcl::TraversalStep> steps, Ctx& ctx) {
  for (const hcl::TraversalStep& s : steps) {
    if (s.kind == hcl::StepKind::kAttr) {
      SKM_TRY_ASSIGN(v, get_attr(v, s.name, s.range, ctx));
    } else {
      Value key;
      if (s.key != nullptr && s.key->literal == hcl::LiteralKind::kNumber) {
        key = s.key->is_integer ? Value::number(s.key->integer) : Value::number(s.key->number);
      } else if (s.key != nullptr) {
        key = Value::string(std::string(s.key->text));
      }
      SKM_TRY_ASSIGN(v, index_value(v, key, s.range, ctx));
    }
  }
  return v;
}

core::Result<Value> Evaluator::eval_traversal(const hcl::ScopeTraversalExpr& e, Ctx& ctx) {
  std::string_view root = e.root;
  std::span<const hcl::TraversalStep> steps = e.steps;
  bool closed = false;
  if (const Value* fv = lookup(ctx.frame, root, closed)) return apply_steps(*fv, steps, ctx);
  if (closed) {
    return err_at("tf.eval.reference", "\"" + std::string(root) + "\" is not among the template's variables",
                      e.root_range);
  }
  auto first_attr = [&](size_t i) -> std::string_view {
    return i < steps.size() && steps[i].kind == hcl::StepKind::kAttr ? steps[i].name : std::string_view();
  };
  Instance& inst = *ctx.inst;
  if (root == "var" || root == "local") {
    std::string_view name = first_attr(0);
    if (name.empty()) return err_at("tf.eval.reference", std::string(root) + " needs a name", e.range);
    SKM_TRY_ASSIGN(Value v, root == "var" ? var_value(inst, name, e.range) : local_value(inst, name, e.range));
    return apply_steps(std::move(v), steps.subspan(1), ctx);
  }
  if (root == "path") {
    std::string_view what = first_attr(0);
    Value v;
    if (what == "module") {
      v = Value::string(relative_to_root(inst.mod->dir));
    } else if (what == "root") {
      v = Value::string(".");
    } else if (what == "cwd") {
      v = Value::string(".");
    } else {
      return err_at("tf.eval.reference", "path has module, root and cwd", e.range);
    }
    return apply_steps(std::move(v), steps.subspan(1), ctx);
  }
  if (root == "terraform") {
    if (first_attr(0) == "workspace") return apply_steps(Value::string(opts_.workspace), steps.subspan(1), ctx);
    return Value::unknown();
  }
  if (root == "self" || root == "count" || root == "each") {
    if (root == "self") return Value::unknown();
    return err_at("tf.eval.reference", std::string(root) + " is only valid in a block with " +
                                               (root == "count" ? "count" : "for_each"),
                      e.range);
  }
  if (root == "module") {
    std::string_view name = first_attr(0);
    if (name.empty()) return err_at("tf.eval.reference", "module needs a name", e.range);
    auto it = inst.mod->module_calls.find(name);
    if (it == inst.mod->module_calls.end()) {
      return err_at("tf.eval.reference", "no module call \"" + std::string(name) + "\"", e.range);
    }
    std::string_view out = first_attr(1);
    const hcl::Attribute* count = it->second->body->find_attribute("count");
    const hcl::Attribute* fe = it->second->body->find_attribute("for_each");
    if (!out.empty() && count == nullptr && fe == nullptr) {
      SKM_TRY(ensure_call(inst, name, e.range));
      CallState& cs = inst.calls.find(name)->second;
      if (cs.unknown || cs.instances.empty()) return Value::unknown();
      SKM_TRY_ASSIGN(Value v, output_value(*cs.instances[0].second, out, e.range));
      return apply_steps(std::move(v), steps.subspan(2), ctx);
    }
    SKM_TRY_ASSIGN(Value v, call_value(inst, name, e.range));
    return apply_steps(std::move(v), steps.subspan(1), ctx);
  }
  std::string key;
  size_t used = 1;
  if (root == "data") {
    std::string_view t = first_attr(0), n = first_attr(1);
    if (t.empty() || n.empty()) return err_at("tf.eval.reference", "data needs a type and a name", e.range);
    key = "data." + std::string(t) + "." + std::string(n);
    used = 2;
  } else {
    std::string_view n = first_attr(0);
    if (n.empty()) {
      return err_at("tf.eval.reference", "unknown name \"" + std::string(root) + "\"", e.root_range);
    }
    key = std::string(root) + "." + std::string(n);
  }
  SKM_TRY_ASSIGN(Value v, resource_value(inst, key, e.range));
  return apply_steps(std::move(v), steps.subspan(used), ctx);
}

namespace {

// Appends an unknown part of a template: its shape, or a hole (adjacent holes are one).
void append_shape(std::string& out, std::string_view shape) {
  using formats::Node;
  if (shape.empty()) return Node::append_shape_hole(out, Node::kShapeHole);
  for (char c : shape) Node::is_shape_hole(c) ? Node::append_shape_hole(out, c) : out.push_back(c);
}

bool has_shape_hole(std::string_view s) {
  return std::any_of(s.begin(), s.end(), formats::Node::is_shape_hole);
}

}  // namespace

core::Result<bool> Evaluator::template_parts(std::span<const hcl::TemplatePart> parts, Ctx& ctx, std::string& out) {
  bool known = true;
  for (const hcl::TemplatePart& p : parts) {
    if (out.size() > opts_.limits.max_string) {
      return report_error("tf.limit.string", "a template built a string longer than the limit", p.range.location());
    }
    switch (p.kind) {
      case hcl::TemplatePartKind::kLiteral:
        template_own_hole_ = template_own_hole_ || has_shape_hole(p.text);
        out += p.text;
        break;
      case hcl::TemplatePartKind::kInterpolation: {
        SKM_TRY_ASSIGN(Value v, eval(*p.expr, ctx));
        if (v.is_unknown()) {
          known = false;
          append_shape(out, v.unknown_shape());
          break;
        }
        if (v.is_null()) return err_at("tf.eval.template", "an interpolated value is null", p.expr->range);
        auto s = to_string_value(v);
        if (!s.ok() || s->is_null()) {
          return err_at("tf.eval.template", std::string("cannot interpolate a ") + kind_name(v.kind()), p.expr->range);
        }
        template_own_hole_ = template_own_hole_ || has_shape_hole(s->as_string());
        out += s->as_string();
        break;
      }
      case hcl::TemplatePartKind::kIf: {
        SKM_TRY_ASSIGN(Value c, eval(*p.expr, ctx));
        if (c.is_unknown()) {
          known = false;
          append_shape(out, {});
          break;
        }
        auto cb = to_bool_value(c);
        if (!cb.ok() || cb->is_null()) return err_at("tf.eval.template", "%{if} needs a bool", p.expr->range);
        SKM_TRY_ASSIGN(bool k, template_parts(cb->as_bool() ? p.then_parts : p.else_parts, ctx, out));
        known = known && k;
        break;
      }
      case hcl::TemplatePartKind::kFor: {
        SKM_TRY_ASSIGN(Value coll, eval(*p.expr, ctx));
        if (coll.is_unknown()) {
          known = false;
          append_shape(out, {});
          break;
        }
        if (coll.is_null()) return err_at("tf.eval.template", "%{for} over a null value", p.expr->range);
        auto body = [&](Value k, Value v) -> core::Result<bool> {
          Frame fk{ctx.frame, p.key_var, std::move(k)};
          Frame fv{p.key_var.empty() ? ctx.frame : &fk, p.value_var, std::move(v)};
          const Frame* saved = ctx.frame;
          ctx.frame = &fv;
          auto r = template_parts(p.then_parts, ctx, out);
          ctx.frame = saved;
          return r;
        };
        if (coll.is_sequence()) {
          int64_t i = 0;
          for (const Value& v : coll.items()) {
            SKM_TRY_ASSIGN(bool k, body(Value::number(i++), v));
            known = known && k;
          }
        } else if (coll.is_mapping()) {
          for (const Member& m : coll.members()) {
            SKM_TRY_ASSIGN(bool k, body(Value::string(m.key), m.value));
            known = known && k;
          }
        } else {
          return err_at("tf.eval.template", "%{for} needs a collection", p.expr->range);
        }
        break;
      }
    }
  }
  return known;
}

core::Result<Value> Evaluator::eval_template(const hcl::TemplateExpr& t, Ctx& ctx) {
  if (t.is_literal()) return Value::string(std::string(t.literal_value()));
  if (t.is_wrap()) return eval(*t.parts[0].expr, ctx);
  std::string out;
  bool outer = std::exchange(template_own_hole_, false);
  auto parts = template_parts(t.parts, ctx, out);
  bool own_hole = std::exchange(template_own_hole_, outer);
  SKM_TRY_ASSIGN(bool known, std::move(parts));
  if (!known) {
    // `out` holds the known text with a hole where each unknown part went; a hole
    // character of the text itself (`\u0000`, `\u0001`) would read as one, so such a
    // template keeps no shape
    return own_hole ? Value::unknown(Type::string()) : Value::unknown_string(std::move(out));
  }
  return Value::string(std::move(out));
}

core::Result<Value> Evaluator::eval_binary(const hcl::BinaryExpr& e, Ctx& ctx) {
  using hcl::BinaryOp;
  SKM_TRY_ASSIGN(Value a, eval(*e.lhs, ctx));
  if (e.op == BinaryOp::kAnd || e.op == BinaryOp::kOr) {
    bool is_and = e.op == BinaryOp::kAnd;
    auto as_bool = [&](const Value& v, const Expr& at) -> core::Result<Value> {
      if (v.is_unknown()) return v;
      auto b = to_bool_value(v);
      if (!b.ok() || b->is_null()) return err_at("tf.eval.operand", "a logical operator needs bools", at.range);
      return *b;
    };
    SKM_TRY_ASSIGN(Value ab, as_bool(a, *e.lhs));
    // A known deciding left side settles it (false && x, true || x).
    if (!ab.is_unknown() && ab.as_bool() != is_and) return Value::boolean(!is_and);
    SKM_TRY_ASSIGN(Value b, eval(*e.rhs, ctx));
    SKM_TRY_ASSIGN(Value bb, as_bool(b, *e.rhs));
    if (!bb.is_unknown() && bb.as_bool() != is_and) return Value::boolean(!is_and);
    if (ab.is_unknown() || bb.is_unknown()) return Value::unknown(Type::boolean());
    return Value::boolean(is_and);
  }
  SKM_TRY_ASSIGN(Value b, eval(*e.rhs, ctx));
  if (e.op == BinaryOp::kEq || e.op == BinaryOp::kNe) {
    Value r = equals(a, b);
    if (r.is_unknown()) return r;
    return Value::boolean(e.op == BinaryOp::kEq ? r.as_bool() : !r.as_bool());
  }
  bool compare = e.op == BinaryOp::kLt || e.op == BinaryOp::kLe || e.op == BinaryOp::kGt || e.op == BinaryOp::kGe;
  if (a.is_unknown() || b.is_unknown()) return Value::unknown(compare ? Type::boolean() : Type::number());
  auto na = to_number_value(a);
  auto nb = to_number_value(b);
  if (!na.ok() || na->is_null()) return err_at("tf.eval.operand", "an arithmetic operator needs numbers", e.lhs->range);
  if (!nb.ok() || nb->is_null()) return err_at("tf.eval.operand", "an arithmetic operator needs numbers", e.rhs->range);
  Number x = na->as_number(), y = nb->as_number();
  if (compare) {
    int c = compare_numbers(x, y);
    switch (e.op) {
      case BinaryOp::kLt: return Value::boolean(c < 0);
      case BinaryOp::kLe: return Value::boolean(c <= 0);
      case BinaryOp::kGt: return Value::boolean(c > 0);
      default: return Value::boolean(c >= 0);
    }
  }
  char op = '+';
  switch (e.op) {
    case BinaryOp::kSub: op = '-'; break;
    case BinaryOp::kMul: op = '*'; break;
    case BinaryOp::kDiv: op = '/'; break;
    case BinaryOp::kMod: op = '%'; break;
    default: break;
  }
  auto r = arith(op, x, y);
  if (!r.ok()) return err_at("tf.eval.arith", r.error().message, e.op_range);
  return Value::number(*r);
}

core::Result<Value> Evaluator::eval_for(const hcl::ForExpr& e, Ctx& ctx) {
  SKM_TRY_ASSIGN(Value coll, eval(*e.collection, ctx));
  if (coll.is_unknown()) return Value::unknown();
  if (coll.is_null()) return err_at("tf.eval.for", "a for expression over a null value", e.collection->range);
  std::vector<std::pair<Value, Value>> elems;
  if (coll.is_sequence()) {
    int64_t i = 0;
    for (const Value& v : coll.items()) {
      elems.emplace_back(coll.kind() == ValueKind::kSet ? v : Value::number(i), v);
      ++i;
    }
  } else if (coll.is_mapping()) {
    for (const Member& m : coll.members()) elems.emplace_back(Value::string(m.key), m.value);
  } else {
    return err_at("tf.eval.for", std::string("a for expression needs a collection, not a ") + kind_name(coll.kind()),
                      e.collection->range);
  }
  std::vector<Value> items;
  std::vector<std::string> keys;
  std::map<std::string, std::vector<Value>> groups;
  std::vector<Member> members;
  bool unknown = false;
  const Frame* saved = ctx.frame;
  for (auto& [k, v] : elems) {
    Frame fk{saved, e.key_var, k};
    Frame fv{e.key_var.empty() ? saved : &fk, e.value_var, v};
    ctx.frame = &fv;
    auto body = [&]() -> core::Status {
      if (e.condition != nullptr) {
        SKM_TRY_ASSIGN(Value c, eval(*e.condition, ctx));
        if (c.is_unknown()) {
          unknown = true;
          return {};
        }
        auto cb = to_bool_value(c);
        if (!cb.ok() || cb->is_null()) return err_at("tf.eval.for", "the if clause must be a bool", e.condition->range);
        if (!cb->as_bool()) return {};
      }
      SKM_TRY_ASSIGN(Value val, eval(*e.value, ctx));
      if (!e.object) {
        items.push_back(std::move(val));
        return {};
      }
      SKM_TRY_ASSIGN(Value key, eval(*e.key, ctx));
      if (key.is_unknown()) {
        unknown = true;
        return {};
      }
      auto ks = to_string_value(key);
      if (!ks.ok() || ks->is_null()) return err_at("tf.eval.for", "an object key must be a string", e.key->range);
      std::string kstr(ks->as_string());
      if (e.grouping) {
        groups[kstr].push_back(std::move(val));
      } else {
        if (std::find(keys.begin(), keys.end(), kstr) != keys.end()) {
          return err_at("tf.eval.for", "duplicate key \"" + kstr + "\" (use ... to group)", e.key->range);
        }
        keys.push_back(kstr);
        members.push_back(Member{std::move(kstr), std::move(val)});
      }
      return {};
    };
    core::Status st = body();
    ctx.frame = saved;
    if (!st.ok()) return st.error();
  }
  if (unknown) return Value::unknown();
  if (!e.object) return Value::tuple(std::move(items));
  if (e.grouping) {
    for (auto& [k, vs] : groups) members.push_back(Member{k, Value::tuple(std::move(vs))});
  }
  return Value::object(std::move(members));
}

core::Result<Value> Evaluator::eval_splat(const hcl::SplatExpr& e, Ctx& ctx) {
  SKM_TRY_ASSIGN(Value src, eval(*e.source, ctx));
  if (src.is_unknown()) return Value::unknown();
  std::vector<std::pair<const hcl::SplatExpr*, Value>> local;
  auto* stack = ctx.splat != nullptr ? ctx.splat : &local;
  auto* saved = ctx.splat;
  ctx.splat = stack;
  auto apply = [&](const Value& item) -> core::Result<Value> {
    stack->emplace_back(&e, item);
    auto r = eval(*e.each, ctx);
    stack->pop_back();
    return r;
  };
  core::Result<Value> result = Value::null();
  if (src.is_null()) {
    result = Value::tuple({});
  } else if (src.is_sequence()) {
    std::vector<Value> out;
    for (const Value& v : src.items()) {
      auto r = apply(v);
      if (!r.ok()) {
        ctx.splat = saved;
        return r;
      }
      out.push_back(std::move(r).value());
    }
    result = Value::tuple(std::move(out));
  } else {
    // A single value is treated as a one-element list.
    auto r = apply(src);
    if (!r.ok()) {
      ctx.splat = saved;
      return r;
    }
    result = Value::tuple({std::move(r).value()});
  }
  ctx.splat = saved;
  return result;
}

core::Result<Value> Evaluator::eval_call(const hcl::CallExpr& e, Ctx& ctx) {
  if (e.name == "try" || e.name == "can") {
    bool is_can = e.name == "can";
    if (e.args.empty() || (is_can && e.args.size() != 1)) {
      return err_at("tf.eval.call", std::string(e.name) + " needs " + (is_can ? "one argument" : "arguments"), e.range);
    }
    bool saved = ctx.strict;
    ctx.strict = true;
    for (const Expr* a : e.args) {
      auto r = eval(*a, ctx);
      if (r.ok()) {
        ctx.strict = saved;
        if (is_can) return r->is_wholly_known() ? Value::boolean(true) : Value::unknown(Type::boolean());
        return r;
      }
      if (r.error().code == kReported) {
        ctx.strict = saved;
        return r;
      }
    }
    ctx.strict = saved;
    if (is_can) return Value::boolean(false);
    return err_at("tf.eval.try", "no argument of try() could be evaluated", e.range);
  }
  std::vector<Value> args;
  for (size_t i = 0; i < e.args.size(); ++i) {
    SKM_TRY_ASSIGN(Value v, eval(*e.args[i], ctx));
    if (e.expand_final && i + 1 == e.args.size()) {
      if (v.is_unknown()) return Value::unknown();
      if (!v.is_sequence()) return err_at("tf.eval.call", "... needs a list", e.args[i]->range);
      for (const Value& x : v.items()) args.push_back(x);
    } else {
      args.push_back(std::move(v));
    }
  }
  auto r = call_function(e.name, args, fctx_);
  if (!r.ok()) {
    core::Error err = std::move(r).error();
    if (!err.location) err.location = e.range.location();
    if (err.code.rfind("tf.", 0) != 0 && err.code.rfind("terraform.", 0) != 0) err.code = "tf.eval.call";
    return err;
  }
  return r;
}

core::Result<Value> Evaluator::render_template(const std::string& path, const std::string& text, const Value& vars) {
  if (++template_depth_ > 8) {
    --template_depth_;
    return core::Error{"tf.eval.template", "templatefile() nests too deeply", std::nullopt};
  }
  struct Leave {
    int& d;
    ~Leave() { --d; }
  } leave{template_depth_};
  core::Diagnostics pd;
  auto parsed = hcl::parse_template(path, text, cache_.limits(), pd);
  if (!parsed.ok()) return parsed.error();
  if (pd.has_errors()) {
    const core::Diagnostic& d = pd.items().front();
    return core::Error{"tf.eval.template", d.message, d.location};
  }
  extra_files_.push_back(std::move(parsed).value());
  const hcl::File& f = extra_files_.back();
  if (f.expr() == nullptr) return Value::string("");
  std::deque<Frame> frames;
  const Frame* top = nullptr;
  if (vars.is_mapping()) {
    for (const Member& m : vars.members()) {
      frames.push_back(Frame{top, m.key, m.value, false});
      top = &frames.back();
    }
  }
  Frame closed{top, std::string_view(), Value(), true};
  Instance* inst = nullptr;
  // The template runs with no module scope: only its variables and functions.
  Instance scratch;
  scratch.mod = &empty_module_;
  inst = &scratch;
  Ctx ctx;
  ctx.inst = inst;
  ctx.frame = &closed;
  return eval(*f.expr(), ctx);
}

// ---- declarations ------------------------------------------------------------------------

const std::optional<Type>& Evaluator::var_type(const hcl::Block& b) {
  auto it = var_types_.find(&b);
  if (it != var_types_.end()) return it->second;
  std::optional<Type> t;
  if (const hcl::Attribute* a = b.body->find_attribute("type")) {
    auto pt = parse_type_expr(*a->expr);
    if (pt.ok()) {
      t = *pt;
    } else {
      warn(core::Error{"tf.var.type", pt.error().message, pt.error().location.value_or(a->range.location())});
    }
  }
  return var_types_.emplace(&b, std::move(t)).first->second;
}

core::Result<Value> Evaluator::convert_var(const hcl::Block& b, Value v, const std::string& name) {
  const std::optional<Type>& t = var_type(b);
  if (!t) return v;
  auto c = convert(v, *t);
  if (!c.ok()) {
    return core::Error{"tf.var.convert", "variable \"" + name + "\": " + c.error().message, b.range.location()};
  }
  return c;
}

void Evaluator::load_var_file(const std::string& path, bool must_exist, core::Location origin) {
  std::string text;
  if (!cache_.tree().read(path, text)) {
    if (must_exist) {
      report_error("tf.var.file", "cannot read variables file \"" + path + "\"", origin);
    }
    return;
  }
  core::Diagnostics pd;
  bool json = path.size() > 5 && path.substr(path.size() - 5) == ".json";
  auto parsed = json ? hcl::parse_json(path, std::move(text), cache_.limits(), pd, true)
                     : hcl::parse_native(path, std::move(text), cache_.limits(), pd);
  diags_.merge(std::move(pd));
  if (!parsed.ok()) {
    diags_.add_error(parsed.error());
    return;
  }
  extra_files_.push_back(std::move(parsed).value());
  const hcl::File& f = extra_files_.back();
  Instance scratch;
  scratch.mod = &empty_module_;
  for (const hcl::Attribute* a : f.body().attributes) {
    Ctx ctx;
    ctx.inst = &scratch;
    Frame closed{nullptr, std::string_view(), Value(), true};
    ctx.frame = &closed;
    auto v = eval(*a->expr, ctx);
    if (!v.ok()) {
      warn(v.error());
      continue;
    }
    Override o;
    o.value = std::move(v).value();
    o.where = a->range.location();
    overrides_[std::string(a->name)] = std::move(o);
  }
}

void Evaluator::load_overrides(const Module& root) {
  // Terraform's precedence, lowest first: environment, terraform.tfvars,
  // terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, then the command line.
  for (const auto& [name, text] : opts_.env_vars) {
    Override o;
    o.raw = true;
    o.text = text;
    o.where = core::Location{"TF_VAR_" + name};
    overrides_[name] = std::move(o);
  }
  std::string dir = root.dir == "." ? std::string() : root.dir + "/";
  load_var_file(dir + "terraform.tfvars", false, {});
  load_var_file(dir + "terraform.tfvars.json", false, {});
  std::vector<std::string> autos;
  for (const std::string& n : cache_.tree().list(root.dir)) {
    auto ends = [&](std::string_view s) { return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
    if (ends(".auto.tfvars") || ends(".auto.tfvars.json")) autos.push_back(n);
  }
  std::sort(autos.begin(), autos.end());
  for (const std::string& n : autos) load_var_file(dir + n, false, {});
  for (const EvalOptions::CliVariable& v : opts_.cli_vars) {
    if (v.file) {
      load_var_file(v.value, true, core::Location{v.value});
      continue;
    }
    Override o;
    o.raw = true;
    o.text = v.value;
    o.where = core::Location{"--var " + v.name};
    overrides_[v.name] = std::move(o);
  }
  for (const auto& [name, o] : overrides_) {
    if (root.variables.find(name) == root.variables.end() && !o.raw) {
      diags_.add(core::Severity::kWarning, "tf.var.undeclared", "a value is given for undeclared variable \"" + name + "\"",
                 o.where);
    }
  }
}

core::Result<Value> Evaluator::var_value(Instance& inst, std::string_view name, const hcl::Range& where) {
  auto vit = inst.mod->variables.find(name);
  if (vit == inst.mod->variables.end()) {
    return err_at("tf.eval.reference", "no variable \"" + std::string(name) + "\" is declared", where);
  }
  if (auto it = inst.vars.find(name); it != inst.vars.end()) return it->second;
  std::string key = (inst.path.empty() ? "" : inst.path + ".") + "var." + std::string(name);
  State& st = inst.var_state[std::string(name)];
  if (st == State::kVisiting) return cycle(key, where);
  st = State::kVisiting;
  StackGuard guard(stack_, key);
  const hcl::Block& b = *vit->second;
  std::string sname(name);
  auto compute = [&]() -> core::Result<Value> {
    Instance scratch;
    scratch.mod = &empty_module_;
    auto default_value = [&]() -> core::Result<Value> {
      const hcl::Attribute* d = b.body->find_attribute("default");
      if (d == nullptr) return Value::unknown();  // Terraform would ask for it
      Ctx c;
      c.inst = &scratch;
      Frame closed{nullptr, std::string_view(), Value(), true};
      c.frame = &closed;
      return eval(*d->expr, c);
    };
    Value v;
    if (inst.parent == nullptr) {
      auto o = overrides_.find(sname);
      if (o == overrides_.end()) {
        SKM_TRY_ASSIGN(v, default_value());
      } else if (!o->second.raw) {
        v = o->second.value;
      } else {
        const std::optional<Type>& t = var_type(b);
        if (t && !t->is_primitive() && !t->is_dynamic()) {
          core::Diagnostics pd;
          auto parsed = hcl::parse_expression(o->second.where.file, o->second.text, cache_.limits(), pd);
          if (!parsed.ok() || pd.has_errors() || parsed->expr() == nullptr) {
            return core::Error{"tf.var.syntax", "variable \"" + sname + "\": the value is not a valid expression",
                               o->second.where};
          }
          extra_files_.push_back(std::move(parsed).value());
          Ctx c;
          c.inst = &scratch;
          Frame closed{nullptr, std::string_view(), Value(), true};
          c.frame = &closed;
          SKM_TRY_ASSIGN(v, eval(*extra_files_.back().expr(), c));
        } else {
          v = Value::string(o->second.text);
        }
      }
    } else {
      const hcl::Attribute* a = inst.call->body->find_attribute(name);
      if (a == nullptr) {
        SKM_TRY_ASSIGN(v, default_value());
      } else {
        Ctx c;
        c.inst = inst.parent;
        c.frame = inst.call_frame.name.empty() ? nullptr : &inst.call_frame;
        SKM_TRY_ASSIGN(v, eval(*a->expr, c));
      }
    }
    if (v.is_null()) {
      const hcl::Attribute* nullable = b.body->find_attribute("nullable");
      if (nullable != nullptr) {
        auto* lit = nullable->expr->if_kind<hcl::LiteralExpr>();
        if (lit != nullptr && lit->literal == hcl::LiteralKind::kBool && !lit->bool_value) {
          SKM_TRY_ASSIGN(v, default_value());
        }
      }
    }
    return convert_var(b, std::move(v), sname);
  };
  auto r = compute();
  Value v;
  if (r.ok()) {
    v = std::move(r).value();
  } else {
    warn(r.error());
    v = Value::unknown();
  }
  st = State::kDone;
  inst.vars[sname] = v;
  return v;
}

core::Result<Value> Evaluator::local_value(Instance& inst, std::string_view name, const hcl::Range& where) {
  auto lit = inst.mod->locals.find(name);
  if (lit == inst.mod->locals.end()) {
    return err_at("tf.eval.reference", "no local value \"" + std::string(name) + "\" is declared", where);
  }
  if (auto it = inst.locals.find(name); it != inst.locals.end()) return it->second;
  std::string key = (inst.path.empty() ? "" : inst.path + ".") + "local." + std::string(name);
  State& st = inst.local_state[std::string(name)];
  if (st == State::kVisiting) return cycle(key, lit->second->range);
  st = State::kVisiting;
  StackGuard guard(stack_, key);
  Ctx c;
  c.inst = &inst;
  auto r = eval(*lit->second->expr, c);
  Value v;
  if (r.ok()) {
    v = std::move(r).value();
  } else {
    warn(r.error());
    v = Value::unknown();
  }
  inst.local_state[std::string(name)] = State::kDone;
  inst.locals[std::string(name)] = v;
  return v;
}

core::Result<Value> Evaluator::eval_attr_expr(const hcl::Attribute& a, Ctx& ctx) {
  auto r = eval(*a.expr, ctx);
  if (r.ok()) return r;
  warn(r.error());
  return Value::unknown();
}

// References of an expression, in plan JSON's style.
void collect_refs(const Expr* e, std::vector<std::string>& out, int depth = 0) {
  if (e == nullptr || depth > 200) return;
  switch (e->kind) {
    case ExprKind::kScopeTraversal: {
      const auto& t = e->as<hcl::ScopeTraversalExpr>();
      std::string_view r = t.root;
      if (r == "count" || r == "each" || r == "path" || r == "terraform" || r == "self") return;
      std::string text(r);
      std::vector<std::string> prefixes;
      size_t need = r == "data" ? 2 : (r == "var" || r == "local" || r == "module") ? 1 : 1;
      for (size_t i = 0; i < t.steps.size(); ++i) {
        const auto& s = t.steps[i];
        if (s.kind == hcl::StepKind::kAttr) {
          text += ".";
          text += s.name;
        } else if (s.key != nullptr && s.key->literal == hcl::LiteralKind::kNumber) {
          text += "[" + std::to_string(s.key->integer) + "]";
        } else if (s.key != nullptr) {
          text += quote_key(s.key->text);
        }
        if (i + 1 >= need) prefixes.push_back(text);
      }
      if (prefixes.empty()) return;
      // The full traversal, then shorter ones down to the object itself.
      for (size_t i = prefixes.size(); i-- > 0;) {
        if (i + 2 < prefixes.size() && i > 0) continue;  // keep: full, resource[+index], resource
        if (std::find(out.begin(), out.end(), prefixes[i]) == out.end()) out.push_back(prefixes[i]);
      }
      return;
    }
    case ExprKind::kTemplate:
      for (const auto& p : e->as<hcl::TemplateExpr>().parts) {
        std::vector<const hcl::TemplatePart*> todo{&p};
        while (!todo.empty()) {
          const hcl::TemplatePart* q = todo.back();
          todo.pop_back();
          collect_refs(q->expr, out, depth + 1);
          for (const auto& x : q->then_parts) todo.push_back(&x);
          for (const auto& x : q->else_parts) todo.push_back(&x);
        }
      }
      return;
    case ExprKind::kTuple:
      for (const Expr* x : e->as<hcl::TupleExpr>().items) collect_refs(x, out, depth + 1);
      return;
    case ExprKind::kObject:
      for (const auto& it : e->as<hcl::ObjectExpr>().items) {
        if (!it.bare_key) collect_refs(it.key, out, depth + 1);
        collect_refs(it.value, out, depth + 1);
      }
      return;
    case ExprKind::kRelativeTraversal: collect_refs(e->as<hcl::RelativeTraversalExpr>().source, out, depth + 1); return;
    case ExprKind::kIndex:
      collect_refs(e->as<hcl::IndexExpr>().collection, out, depth + 1);
      collect_refs(e->as<hcl::IndexExpr>().key, out, depth + 1);
      return;
    case ExprKind::kSplat:
      collect_refs(e->as<hcl::SplatExpr>().source, out, depth + 1);
      collect_refs(e->as<hcl::SplatExpr>().each, out, depth + 1);
      return;
    case ExprKind::kCall:
      for (const Expr* x : e->as<hcl::CallExpr>().args) collect_refs(x, out, depth + 1);
      return;
    case ExprKind::kConditional: {
      const auto& c = e->as<hcl::ConditionalExpr>();
      collect_refs(c.condition, out, depth + 1);
      collect_refs(c.true_result, out, depth + 1);
      collect_refs(c.false_result, out, depth + 1);
      return;
    }
    case ExprKind::kBinary:
      collect_refs(e->as<hcl::BinaryExpr>().lhs, out, depth + 1);
      collect_refs(e->as<hcl::BinaryExpr>().rhs, out, depth + 1);
      return;
    case ExprKind::kUnary: collect_refs(e->as<hcl::UnaryExpr>().operand, out, depth + 1); return;
    case ExprKind::kParens: collect_refs(e->as<hcl::ParensExpr>().inner, out, depth + 1); return;
    case ExprKind::kFor: {
      const auto& f = e->as<hcl::ForExpr>();
      collect_refs(f.collection, out, depth + 1);
      collect_refs(f.key, out, depth + 1);
      collect_refs(f.value, out, depth + 1);
      collect_refs(f.condition, out, depth + 1);
      return;
    }
    case ExprKind::kLiteral:
    case ExprKind::kSplatItem: return;
  }
}

bool is_meta_attr(std::string_view n) {
  return n == "count" || n == "for_each" || n == "provider" || n == "depends_on";
}
bool is_meta_block(std::string_view n) { return n == "lifecycle" || n == "provisioner" || n == "connection"; }

core::Result<Value> Evaluator::eval_body(const hcl::Body& body, Ctx& ctx, bool top,
                                         std::map<std::string, std::vector<std::string>>* refs) {
  std::vector<Member> members;
  std::vector<std::string> order;  // block types in first-seen order
  std::map<std::string, std::vector<Value>> blocks;
  std::set<std::string> unknown_blocks;
  for (const hcl::BodyItem& item : body.items) {
    if (item.attribute != nullptr) {
      const hcl::Attribute& a = *item.attribute;
      // (JSON syntax writes meta blocks such as lifecycle as attributes.)
      if (top && (is_meta_attr(a.name) || is_meta_block(a.name))) continue;
      Value v = eval_attr_expr(a, ctx).value();
      if (v.is_null()) continue;  // unset, as in plan JSON after the null fix
      if (refs != nullptr) {
        std::vector<std::string> r;
        collect_refs(a.expr, r);
        if (!r.empty()) (*refs)[std::string(a.name)] = std::move(r);
      }
      members.push_back(Member{std::string(a.name), v.with_pos(pos_of(a.range))});
      continue;
    }
    const hcl::Block& b = *item.block;
    if (top && is_meta_block(b.type)) continue;
    if (b.type == "dynamic" && !b.labels.empty()) {
      std::string type(b.labels[0].value);
      if (blocks.find(type) == blocks.end()) order.push_back(type);
      std::vector<Value>& list = blocks[type];
      const hcl::Attribute* fe = b.body->find_attribute("for_each");
      const hcl::Block* content = nullptr;
      for (const hcl::Block* c : b.body->blocks) {
        if (c->type == "content") content = c;
      }
      if (fe == nullptr || content == nullptr) {
        warn(err_at("tf.dynamic", "a dynamic block needs for_each and a content block", b.range));
        continue;
      }
      std::string iter(type);
      if (const hcl::Attribute* ia = b.body->find_attribute("iterator")) {
        if (const auto* st = ia->expr->if_kind<hcl::ScopeTraversalExpr>(); st != nullptr && st->steps.empty()) {
          iter = std::string(st->root);
        }
      }
      Value coll = eval_attr_expr(*fe, ctx).value();
      if (coll.is_unknown()) {
        unknown_blocks.insert(type);
        continue;
      }
      std::vector<std::pair<Value, Value>> elems;
      if (coll.is_sequence()) {
        int64_t i = 0;
        for (const Value& v : coll.items()) elems.emplace_back(coll.kind() == ValueKind::kSet ? v : Value::number(i++), v);
      } else if (coll.is_mapping()) {
        for (const Member& m : coll.members()) elems.emplace_back(Value::string(m.key), m.value);
      } else if (!coll.is_null()) {
        warn(err_at("tf.dynamic", "for_each of a dynamic block needs a collection", fe->range));
        continue;
      }
      if (elems.size() > opts_.limits.max_instances) {
        report_error("tf.limit.instances", "a dynamic block expands to more than " +
                                               std::to_string(opts_.limits.max_instances) + " blocks",
                     fe->range.location());
        continue;
      }
      // The iterator name must outlive the frame: it points into `iter`.
      for (auto& [k, v] : elems) {
        Frame f{ctx.frame, iter, Value::object({Member{"key", k}, Member{"value", v}})};
        const Frame* saved = ctx.frame;
        ctx.frame = &f;
        auto r = eval_body(*content->body, ctx, false, nullptr);
        ctx.frame = saved;
        if (!r.ok()) return r;
        list.push_back(std::move(r).value().with_pos(pos_of(b.range)));
      }
      continue;
    }
    std::string type(b.type);
    if (blocks.find(type) == blocks.end()) order.push_back(type);
    SKM_TRY_ASSIGN(Value v, eval_body(*b.body, ctx, false, nullptr));
    blocks[type].push_back(v.with_pos(pos_of(b.type_range)));
  }
  for (const std::string& t : order) {
    if (unknown_blocks.count(t) != 0) {
      members.push_back(Member{t, Value::unknown()});
    } else {
      members.push_back(Member{t, Value::tuple(std::move(blocks[t]))});
    }
  }
  return Value::object(std::move(members));
}

struct Expansion {
  bool unknown = false;
  bool by_key = false;
  bool counted = false;
  std::vector<std::pair<std::string, Frame>> instances;  // (suffix, frame)
};

core::Status Evaluator::ensure_resource(Instance& inst, size_t index) {
  ResourceState& rs = inst.resources[index];
  const ResourceConfig& rc = inst.mod->resources[index];
  std::string key = (inst.path.empty() ? "" : inst.path + ".") + rc.key();
  if (rs.state == State::kDone) return {};
  if (rs.state == State::kVisiting) return cycle(key, rc.block->range);
  rs.state = State::kVisiting;
  StackGuard guard(stack_, key);
  Ctx ctx;
  ctx.inst = &inst;
  const hcl::Attribute* count = rc.block->body->find_attribute("count");
  const hcl::Attribute* fe = rc.block->body->find_attribute("for_each");
  std::vector<std::pair<std::string, std::vector<Member>>> frames;  // suffix, (count|each) members
  bool unknown = false, by_key = false, counted = false;
  std::vector<Value> keys;
  if (count != nullptr) {
    counted = true;
    Value c = eval_attr_expr(*count, ctx).value();
    auto n = to_number_value(c);
    if (c.is_unknown()) {
      unknown = true;
    } else if (!n.ok() || n->is_null() || !n->as_number().is_integral() || n->as_number().as_double() < 0) {
      warn(err_at("tf.count", "count must be a whole number that is not negative", count->range));
      unknown = true;
    } else if (n->as_number().as_double() > opts_.limits.max_instances) {
      report_error("tf.limit.instances",
                   "count is larger than the limit of " + std::to_string(opts_.limits.max_instances), count->range.location());
      unknown = true;
    } else {
      for (int64_t i = 0; i < static_cast<int64_t>(n->as_number().as_double()); ++i) {
        frames.emplace_back("[" + std::to_string(i) + "]",
                            std::vector<Member>{Member{"index", Value::number(i)}});
      }
    }
  } else if (fe != nullptr) {
    by_key = true;
    Value c = eval_attr_expr(*fe, ctx).value();
    // a map's keys are known even when its values are not (Terraform expands by the keys)
    if (c.is_unknown() || (c.is_sequence() && !c.is_wholly_known())) {
      unknown = true;
    } else if (c.is_mapping()) {
      for (const Member& m : c.members()) frames.emplace_back(quote_key(m.key), std::vector<Member>{Member{"key", Value::string(m.key)}, Member{"value", m.value}});
    } else if (c.is_sequence()) {
      std::set<std::string> seen;
      for (const Value& v : c.items()) {
        auto s = to_string_value(v);
        if (!s.ok() || s->is_null()) {
          warn(err_at("tf.for_each", "for_each over a set needs strings", fe->range));
          continue;
        }
        std::string k(s->as_string());
        if (!seen.insert(k).second) continue;
        frames.emplace_back(quote_key(k), std::vector<Member>{Member{"key", Value::string(k)}, Member{"value", Value::string(k)}});
      }
      std::sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    } else {
      warn(err_at("tf.for_each", "for_each needs a map or a set of strings", fe->range));
      unknown = true;
    }
    if (frames.size() > opts_.limits.max_instances) {
      report_error("tf.limit.instances",
                   "for_each has more than " + std::to_string(opts_.limits.max_instances) + " instances", fe->range.location());
      frames.clear();
      unknown = true;
    }
  }
  if (unknown) {
    diags_.add(core::Severity::kNote, "tf.expand.unknown",
               key + ": count or for_each is not known before apply; evaluated as one instance",
               (count != nullptr ? count : fe)->range.location());
    frames.clear();
    frames.emplace_back("", std::vector<Member>{});
  } else if (!counted && !by_key) {
    frames.emplace_back("", std::vector<Member>{});
  }
  std::vector<Value> values;
  std::vector<Member> keyed;
  for (auto& [suffix, fm] : frames) {
    Frame f;
    Frame* fp = nullptr;
    if (unknown) {
      f = Frame{nullptr, counted ? "count" : "each",
                counted ? Value::object({Member{"index", Value::unknown(Type::number())}})
                        : Value::object({Member{"key", Value::unknown(Type::string())}, Member{"value", Value::unknown()}})};
      fp = &f;
    } else if (counted || by_key) {
      f = Frame{nullptr, counted ? "count" : "each", Value::object(fm)};
      fp = &f;
    }
    Ctx c;
    c.inst = &inst;
    c.frame = fp;
    auto* refs = rs.instances.empty() ? &rs.references : nullptr;
    auto body = eval_body(*rc.block->body, c, true, refs);
    Value bv = body.ok() ? std::move(body).value() : (warn(body.error()), Value::unknown());
    if (!rc.managed) bv = with_computed_attributes(rc.type, std::move(bv));
    if (rc.managed) rs.instances.push_back(ResourceInstanceOut{suffix, bv});
    bv = with_reference_attributes(rc.type, std::move(bv));
    values.push_back(bv);
    if (by_key && !unknown) keyed.push_back(Member{std::string(fm[0].value.as_string()), bv});
  }
  if (unknown) {
    rs.value = Value::unknown();
  } else if (counted) {
    rs.value = Value::tuple(std::move(values));
  } else if (by_key) {
    rs.value = Value::object(std::move(keyed));
  } else {
    rs.value = values.empty() ? Value::unknown() : values[0];
  }
  rs.state = State::kDone;
  return {};
}

core::Result<Value> Evaluator::resource_value(Instance& inst, const std::string& key, const hcl::Range& where) {
  auto it = inst.mod->resource_index.find(key);
  if (it == inst.mod->resource_index.end()) {
    return err_at("tf.eval.reference", "reference to undeclared " + key, where);
  }
  SKM_TRY(ensure_resource(inst, it->second));
  return inst.resources[it->second].value;
}

std::optional<std::string> Evaluator::module_dir(const Instance& inst, const hcl::Block& call, std::string_view name,
                                                 std::string_view source) {
  if (source.rfind("./", 0) == 0 || source.rfind("../", 0) == 0 || source == "." || source == "..") {
    return join_path(inst.mod->dir, source);
  }
  if (!modules_json_loaded_) {
    modules_json_loaded_ = true;
    std::string path = join_path(root_dir_, ".terraform/modules/modules.json");
    std::string text;
    if (cache_.tree().read(path, text)) {
      auto v = from_json(text, 64);
      if (v.ok()) {
        if (const Value* ms = v->find("Modules"); ms != nullptr && ms->is_sequence()) {
          for (const Value& m : ms->items()) {
            const Value* k = m.find("Key");
            const Value* d = m.find("Dir");
            if (k != nullptr && d != nullptr && k->kind() == ValueKind::kString && d->kind() == ValueKind::kString) {
              modules_json_[std::string(k->as_string())] = join_path(root_dir_, d->as_string());
            }
          }
        }
      } else {
        diags_.add(core::Severity::kWarning, "tf.module.manifest", "cannot read " + path + ": " + v.error().message,
                   core::Location{path});
      }
    }
  }
  // The manifest key: the call names from the root, without instance keys ("a.b").
  std::string key;
  for (const Instance* p = &inst; p != nullptr && p->call != nullptr; p = p->parent) {
    std::string n(p->call->labels.empty() ? std::string_view() : p->call->labels[0].value);
    key = key.empty() ? n : n + "." + key;
  }
  key = key.empty() ? std::string(name) : key + "." + std::string(name);
  auto it = modules_json_.find(key);
  if (it != modules_json_.end() && cache_.tree().is_dir(it->second)) return it->second;
  diags_.add(core::Severity::kNote, "tf.module.not_scanned",
             "module \"" + std::string(name) + "\" (" + std::string(source) +
                 ") is not a local path and is not downloaded under .terraform/modules; not scanned",
             call.range.location());
  return std::nullopt;
}

core::Status Evaluator::ensure_call(Instance& inst, std::string_view name, const hcl::Range& where) {
  auto cit = inst.mod->module_calls.find(name);
  if (cit == inst.mod->module_calls.end()) {
    return err_at("tf.eval.reference", "no module call \"" + std::string(name) + "\"", where);
  }
  CallState& cs = inst.calls[std::string(name)];
  if (cs.state == State::kDone) return {};
  std::string key = (inst.path.empty() ? "" : inst.path + ".") + "module." + std::string(name);
  if (cs.state == State::kVisiting) return cycle(key, cit->second->range);
  cs.state = State::kVisiting;
  StackGuard guard(stack_, key);
  const hcl::Block& call = *cit->second;
  auto finish = [&](bool unknown) -> core::Status {
    cs.unknown = unknown;
    cs.state = State::kDone;
    return {};
  };
  const hcl::Attribute* src = call.body->find_attribute("source");
  const hcl::TemplateExpr* st = src != nullptr ? src->expr->if_kind<hcl::TemplateExpr>() : nullptr;
  if (st == nullptr || !st->is_literal()) {
    warn(err_at("tf.module.source", "module source must be a literal string", src != nullptr ? src->range : call.range));
    return finish(true);
  }
  std::optional<std::string> dir = module_dir(inst, call, name, st->literal_value());
  if (!dir) return finish(true);
  for (const Instance* p = &inst; p != nullptr; p = p->parent) {
    if (p->mod->dir == *dir) {
      report_error("tf.module.recursion", "module \"" + std::string(name) + "\" calls " + *dir + ", which is already being evaluated (" + key + ")",
                   call.range.location());
      return finish(true);
    }
  }
  if (inst.depth + 1 > opts_.limits.max_module_depth) {
    report_error("tf.limit.module_depth", "modules nest deeper than " + std::to_string(opts_.limits.max_module_depth),
                 call.range.location());
    return finish(true);
  }
  const Module* child = cache_.load(*dir, diags_);
  if (std::find(module_dirs_.begin(), module_dirs_.end(), child->dir) == module_dirs_.end()) module_dirs_.push_back(child->dir);
  Ctx ctx;
  ctx.inst = &inst;
  const hcl::Attribute* count = call.body->find_attribute("count");
  const hcl::Attribute* fe = call.body->find_attribute("for_each");
  std::vector<std::tuple<std::string, std::string, Frame>> insts;  // (key, suffix, frame)
  if (count != nullptr) {
    cs.expanded = true;
    Value c = eval_attr_expr(*count, ctx).value();
    auto n = to_number_value(c);
    if (c.is_unknown() || !n.ok() || n->is_null() || !n->as_number().is_integral() || n->as_number().as_double() < 0 ||
        n->as_number().as_double() > opts_.limits.max_instances) {
      if (!c.is_unknown()) warn(err_at("tf.count", "count must be a whole number within the limits", count->range));
      return finish(true);
    }
    for (int64_t i = 0; i < static_cast<int64_t>(n->as_number().as_double()); ++i) {
      insts.emplace_back(std::to_string(i), "[" + std::to_string(i) + "]",
                         Frame{nullptr, "count", Value::object({Member{"index", Value::number(i)}})});
    }
  } else if (fe != nullptr) {
    cs.expanded = true;
    cs.by_key = true;
    Value c = eval_attr_expr(*fe, ctx).value();
    if (c.is_unknown() || (c.is_sequence() && !c.is_wholly_known())) return finish(true);
    if (c.is_mapping()) {
      for (const Member& m : c.members()) {
        insts.emplace_back(m.key, quote_key(m.key),
                           Frame{nullptr, "each", Value::object({Member{"key", Value::string(m.key)}, Member{"value", m.value}})});
      }
    } else if (c.is_sequence()) {
      std::set<std::string> seen;
      for (const Value& v : c.items()) {
        auto s = to_string_value(v);
        if (!s.ok() || s->is_null()) continue;
        std::string k(s->as_string());
        if (!seen.insert(k).second) continue;
        insts.emplace_back(k, quote_key(k), Frame{nullptr, "each", Value::object({Member{"key", Value::string(k)}, Member{"value", Value::string(k)}})});
      }
      std::sort(insts.begin(), insts.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    } else {
      warn(err_at("tf.for_each", "for_each needs a map or a set of strings", fe->range));
      return finish(true);
    }
    if (insts.size() > opts_.limits.max_instances) {
      report_error("tf.limit.instances", "module for_each has too many instances", fe->range.location());
      return finish(true);
    }
  } else {
    insts.emplace_back("", "", Frame{});
  }
  for (auto& [k, suffix, frame] : insts) {
    auto ci = std::make_unique<Instance>();
    ci->mod = child;
    ci->path = (inst.path.empty() ? "" : inst.path + ".") + "module." + std::string(name) + suffix;
    ci->parent = &inst;
    ci->call = &call;
    ci->call_frame = frame;
    ci->depth = inst.depth + 1;
    ci->resources.resize(child->resources.size());
    cs.instances.emplace_back(k, std::move(ci));
  }
  return finish(false);
}

core::Result<Value> Evaluator::output_value(Instance& inst, std::string_view name, const hcl::Range& where) {
  auto oit = inst.mod->outputs.find(name);
  if (oit == inst.mod->outputs.end()) {
    return err_at("tf.eval.reference", "module " + inst.path + " has no output \"" + std::string(name) + "\"", where);
  }
  if (auto it = inst.outputs.find(name); it != inst.outputs.end()) return it->second;
  std::string key = inst.path + ".output." + std::string(name);
  State& st = inst.output_state[std::string(name)];
  if (st == State::kVisiting) return cycle(key, oit->second->range);
  st = State::kVisiting;
  StackGuard guard(stack_, key);
  Value v = Value::unknown();
  if (const hcl::Attribute* a = oit->second->body->find_attribute("value")) {
    Ctx c;
    c.inst = &inst;
    v = eval_attr_expr(*a, c).value();
  }
  inst.output_state[std::string(name)] = State::kDone;
  inst.outputs[std::string(name)] = v;
  return v;
}

core::Result<Value> Evaluator::call_value(Instance& inst, std::string_view name, const hcl::Range& where) {
  SKM_TRY(ensure_call(inst, name, where));
  CallState& cs = inst.calls.find(name)->second;
  if (cs.value_done) return cs.value;
  if (cs.unknown) return Value::unknown();
  std::vector<Value> per;
  std::vector<Member> keyed;
  for (auto& [k, ci] : cs.instances) {
    std::vector<Member> outs;
    for (const auto& [oname, ob] : ci->mod->outputs) {
      SKM_TRY_ASSIGN(Value v, output_value(*ci, oname, where));
      outs.push_back(Member{oname, std::move(v)});
    }
    Value obj = Value::object(std::move(outs));
    if (cs.by_key) {
      keyed.push_back(Member{k, obj});
    } else {
      per.push_back(obj);
    }
  }
  Value v;
  if (cs.by_key) {
    v = Value::object(std::move(keyed));
  } else if (cs.expanded) {
    v = Value::tuple(std::move(per));
  } else {
    v = per.empty() ? Value::unknown() : per[0];
  }
  cs.value = v;
  cs.value_done = true;
  return v;
}

void Evaluator::instantiate_all(Instance& inst) {
  for (size_t i = 0; i < inst.mod->resources.size(); ++i) {
    core::Status st = ensure_resource(inst, i);
    if (!st.ok()) warn(st.error());
  }
  for (const auto& [name, block] : inst.mod->module_calls) {
    core::Status st = ensure_call(inst, name, block->range);
    if (!st.ok()) {
      warn(st.error());
      continue;
    }
    CallState& cs = inst.calls.find(name)->second;
    for (auto& [k, ci] : cs.instances) instantiate_all(*ci);
  }
}

std::vector<IgnoreComment> ignores_for(const ResourceConfig& rc) {
  std::vector<IgnoreComment> out;
  const hcl::Block& b = *rc.block;
  uint32_t first = b.range.start.line, last = b.range.end.line;
  // Comment lines directly above the block belong to it.
  auto comments = rc.file->comments();
  std::set<uint32_t> lines;
  for (const hcl::Comment& c : comments) lines.insert(c.range.start.line);
  uint32_t top = first;
  while (top > 1 && lines.count(top - 1) != 0) --top;
  for (const hcl::Comment& c : comments) {
    uint32_t l = c.range.start.line;
    if (l < top || l > last) continue;
    std::string_view t = c.text;
    size_t p = t.find("sekimori:ignore");
    if (p == std::string_view::npos) continue;
    std::string_view rest = t.substr(p + std::string_view("sekimori:ignore").size());
    if (c.kind == hcl::CommentKind::kBlock && rest.size() >= 2 && rest.substr(rest.size() - 2) == "*/") {
      rest.remove_suffix(2);
    }
    out.push_back(IgnoreComment{std::string(rest), c.range.location()});
  }
  return out;
}

void Evaluator::collect(Instance& inst, formats::Builder& b,
                        std::vector<std::pair<std::string, size_t>>& order, std::vector<ResourceInstance>& all) {
  for (size_t i = 0; i < inst.mod->resources.size(); ++i) {
    const ResourceConfig& rc = inst.mod->resources[i];
    if (!rc.managed) continue;
    ResourceState& rs = inst.resources[i];
    std::vector<IgnoreComment> ign = ignores_for(rc);
    for (ResourceInstanceOut& ro : rs.instances) {
      ResourceInstance ri;
      ri.module_path = inst.path;
      ri.address = (inst.path.empty() ? "" : inst.path + ".") + rc.type + "." + rc.name + ro.suffix;
      ri.type = rc.type;
      ri.name = rc.name;
      ri.location = rc.block->range.location();
      ri.references = rs.references;
      ri.ignores = ign;
      const SourcePos* fallback = pos_of(rc.block->range);
      Value body = ro.body.is_mapping() ? ro.body : Value::object({});
      core::Status st = to_node(body, b, fallback);
      if (!st.ok()) {
        warn(core::Error{st.error().code, ri.address + ": " + st.error().message, ri.location});
        continue;
      }
      order.emplace_back(ri.address, all.size());
      all.push_back(std::move(ri));
    }
  }
  for (auto& [name, cs] : inst.calls) {
    for (auto& [k, ci] : cs.instances) collect(*ci, b, order, all);
  }
}

core::Result<EvalResult> Evaluator::run(const std::string& dir) {
  const Module* root = cache_.load(dir, diags_);
  root_dir_ = root->dir;
  scan_root_ = opts_.scan_root.empty() ? root_dir_ : normalize_path(opts_.scan_root);
  fctx_.base_dir = root_dir_;
  fctx_.scan_root = scan_root_;
  fctx_.render_template = [this](const std::string& path, const std::string& text, const Value& vars) {
    return render_template(path, text, vars);
  };
  module_dirs_.push_back(root->dir);
  load_overrides(*root);
  Instance top;
  top.mod = root;
  top.resources.resize(root->resources.size());
  instantiate_all(top);

  EvalResult out;
  formats::Limits limits;
  limits.max_nodes = UINT64_MAX / 2;
  limits.max_string = uint64_t{1} << 31;
  formats::Builder b(root->dir, formats::Format::kJson, std::string(), limits);
  std::vector<std::pair<std::string, size_t>> order;
  std::vector<ResourceInstance> all;
  collect(top, b, order, all);
  out.document = std::make_unique<formats::Document>(std::move(b).finish());
  auto roots = out.document->roots();
  for (size_t i = 0; i < all.size() && i < roots.size(); ++i) all[i].body = &roots[i];
  std::sort(order.begin(), order.end());
  out.resources.reserve(all.size());
  for (const auto& [addr, i] : order) out.resources.push_back(std::move(all[i]));
  out.module_dirs = module_dirs_;
  return out;
}

}  // namespace

core::Result<EvalResult> evaluate(const std::string& dir, ModuleCache& cache, const EvalOptions& options,
                                  core::Diagnostics& diags) {
  Evaluator ev(cache, options, diags);
  return ev.run(dir);
}

std::vector<std::string> local_module_sources(const Module& module) {
  std::vector<std::string> out;
  for (const auto& [name, call] : module.module_calls) {
    const hcl::Attribute* src = call->body->find_attribute("source");
    const hcl::TemplateExpr* st = src != nullptr ? src->expr->if_kind<hcl::TemplateExpr>() : nullptr;
    if (st == nullptr || !st->is_literal()) continue;
    std::string_view s = st->literal_value();
    if (s.rfind("./", 0) == 0 || s.rfind("../", 0) == 0) out.push_back(join_path(module.dir, s));
  }
  return out;
}

}  // namespace sekimori::terraform
