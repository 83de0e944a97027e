// CloudFormation adapter: static resolution of intrinsic functions (long form and YAML
// short-form tags) into a resolved tree per resource, then folding of sub-resources
// (bucket policies, security-group rules, IAM policies) into their parents by Ref/GetAtt.
#include <algorithm>
#include <unordered_map>

#include "model/internal/adapters.h"

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;
using formats::Pos;

namespace {

// A resolved value: a template node (resolved again when emitted, as it may hold
// intrinsics deeper down), a computed string/bool/list, unknown, or AWS::NoValue.
struct RV {
  enum class K : uint8_t { kNode, kStr, kBool, kList, kUnknown, kNoValue };
  K k = K::kUnknown;
  const Node* node = nullptr;  // kNode; otherwise where it came from
  std::string s;
  bool b = false;
  std::vector<RV> items;

  static RV of(const Node* n) { return RV{K::kNode, n, {}, false, {}}; }
  static RV str(std::string s, const Node* at) { return RV{K::kStr, at, std::move(s), false, {}}; }
  static RV unknown(const Node* at) { return RV{K::kUnknown, at, {}, false, {}}; }
  // An unknown string; `shape` as formats::Node::unknown_shape() (kept in `s`).
  static RV unknown_string(std::string shape, const Node* at) {
    return RV{K::kUnknown, at, std::move(shape), false, {}};
  }
};

// The text of a computed or literal scalar; false for anything else.
bool text_of(const RV& v, std::string& out) {
  if (v.k == RV::K::kStr) {
    out = v.s;
    return true;
  }
  if (v.k == RV::K::kBool) {
    out = v.b ? "true" : "false";
    return true;
  }
  if (v.k != RV::K::kNode) return false;
  const Node& n = *v.node;
  switch (n.kind()) {
    case NodeKind::kString:
      out = std::string(n.as_string());
      return true;
    case NodeKind::kBool:
      out = n.as_bool() ? "true" : "false";
      return true;
    case NodeKind::kInt:
      out = std::to_string(n.as_int());
      return true;
    case NodeKind::kUint:
      out = std::to_string(n.as_uint());
      return true;
    case NodeKind::kDouble: {
      std::string s = std::to_string(n.as_double());
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      out = s;
      return true;
    }
    default:
      return false;
  }
}

// Builds a string of which some parts may be unknown (Fn::Sub, Fn::Join): known text is
// appended as it is and an unknown part as its shape, or as a hole when it has none, so
// that `arn:aws:iam::${AWS::AccountId}:root` stays known to be an ARN of this form.
class ShapedText {
 public:
  // Appends `v`'s text or shape; false when `v` is not a scalar (a list, a map).
  bool append(const RV& v) {
    if (v.k == RV::K::kUnknown) {
      unknown_ = true;
      if (v.s.empty()) {
        hole();
      } else {
        for (char c : v.s) Node::is_shape_hole(c) ? hole(c) : out_.push_back(c);
      }
      return true;
    }
    std::string t;
    if (!text_of(v, t)) return false;
    literal(t);
    return true;
  }
  void literal(std::string_view t) {
    for (char c : t) shapeless_ = shapeless_ || Node::is_shape_hole(c);  // in the text itself
    out_.append(t);
  }
  void hole(char kind = Node::kShapeHole) {
    unknown_ = true;
    Node::append_shape_hole(out_, kind);
  }
  [[nodiscard]] size_t size() const { return out_.size(); }
  RV finish(const Node* at) {
    if (!unknown_) return RV::str(std::move(out_), at);
    if (shapeless_) return RV::unknown(at);
    return RV::unknown_string(std::move(out_), at);
  }

 private:
  std::string out_;
  bool unknown_ = false;
  bool shapeless_ = false;
};

enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

constexpr std::string_view kPseudo[] = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::Partition",
                                        "AWS::Region",    "AWS::StackId",          "AWS::StackName",
                                        "AWS::URLSuffix"};

class Resolver {
 public:
  Resolver(const formats::Document& doc, const LoadOptions& opts, core::Diagnostics& diags)
      : doc_(doc), opts_(opts), diags_(diags) {
    const Node& root = doc.root();
    params_ = root.find("Parameters");
    mappings_ = root.find("Mappings");
    conditions_ = root.find("Conditions");
    resources_ = root.find("Resources");
  }

  void warn(const char* code, std::string msg, const Node* at, core::Severity sev = core::Severity::kWarning) {
    core::Location loc = at != nullptr ? doc_.location(*at) : doc_.location(Pos{});
    std::string snippet = core::make_snippet(doc_.text(), loc.line, loc.column);
    diags_.add(sev, code, std::move(msg), std::move(loc), std::move(snippet));
  }

  // Recognises an intrinsic: the function name and its argument node. Short-form tags
  // make the node itself the argument (its own tag is then ignored).
  static bool intrinsic(const Node& n, std::string& name, const Node*& arg, bool condition_ctx) {
    std::string_view tag = n.tag();
    if (!tag.empty() && tag.front() == '!') {
      std::string_view t = tag.substr(1);
      if (t == "Ref" || t == "Condition") {
        name = std::string(t);
      } else {
        name = "Fn::" + std::string(t);
      }
      arg = &n;
      return true;
    }
    if (n.kind() == NodeKind::kMap && n.size() == 1) {
      const formats::Member& m = n.members()[0];
      if (m.key.kind() != NodeKind::kString) return false;
      std::string_view k = m.key.as_string();
      if (k == "Ref" || k.substr(0, 4) == "Fn::" || (condition_ctx && k == "Condition")) {
        name = std::string(k);
        arg = &m.value;
        return true;
      }
    }
    return false;
  }

  bool budget(const Node& at) {
    if (++steps_ <= kMaxEvalSteps) return true;
    if (!budget_reported_) {
      budget_reported_ = true;
      warn("cfn.limit.work", "template needs more than " + std::to_string(kMaxEvalSteps) +
                                 " evaluation steps; the rest is unknown", &at);
    }
    return false;
  }

  RV eval(const Node& n, int depth) {
    std::string name;
    const Node* arg = nullptr;
    if (!intrinsic(n, name, arg, false)) return RV::of(&n);
    if (!budget(n)) return RV::unknown(&n);
    if (depth >= kMaxIntrinsicDepth) {
      warn("cfn.limit.depth", "intrinsic functions nested deeper than " + std::to_string(kMaxIntrinsicDepth),
           &n);
      return RV::unknown(&n);
    }
    return call(name, *arg, n, depth + 1);
  }

  // Items of a list argument: a literal list (items evaluated) or a list-valued intrinsic.
  bool list_arg(const Node& a, int depth, std::vector<RV>& out, bool& unknown, bool evaluate_self) {
    RV v = evaluate_self ? eval(a, depth) : RV::of(&a);
    if (v.k == RV::K::kUnknown) {
      unknown = true;
      return true;
    }
    if (v.k == RV::K::kList) {
      out = std::move(v.items);
      return true;
    }
    if (v.k == RV::K::kNode && v.node->kind() == NodeKind::kList) {
      for (const Node& c : v.node->items()) out.push_back(eval(c, depth));
      return true;
    }
    return false;
  }

  // Evaluates to a scalar string; `unknown` when it cannot be known.
  bool scalar(const Node& n, int depth, std::string& out, bool& unknown) {
    RV v = eval(n, depth);
    if (v.k == RV::K::kUnknown) {
      unknown = true;
      return true;
    }
    return text_of(v, out);
  }

  RV ref(std::string_view name, const Node& at) {
    if (name == "AWS::NoValue") return RV{RV::K::kNoValue, &at, {}, false, {}};
    auto over = opts_.cfn_parameters.find(std::string(name));
    if (std::find(std::begin(kPseudo), std::end(kPseudo), name) != std::end(kPseudo)) {
      if (over != opts_.cfn_parameters.end()) return RV::str(over->second, &at);
      // an account ID, region, partition, URL suffix, stack name or ARN: word characters
      if (name == "AWS::NotificationARNs") return RV::unknown(&at);  // a list
      return RV::unknown_string(std::string(1, Node::kShapeWordHole), &at);
    }
    const Node* p = params_ != nullptr ? params_->find(name) : nullptr;
    if (p != nullptr) {
      std::string value;
      bool have = false;
      if (over != opts_.cfn_parameters.end()) {
        value = over->second;
        have = true;
      } else if (const Node* d = p->find("Default")) {
        have = text_of(RV::of(d), value);
        if (!have && d->kind() == NodeKind::kList) {  // a list default written as a list
          RV list;
          list.k = RV::K::kList;
          list.node = &at;
          for (const Node& c : d->items()) list.items.push_back(RV::of(&c));
          return list;
        }
      }
      if (!have) return RV::unknown(&at);
      const Node* type = p->find("Type");
      std::string_view t = type != nullptr && type->kind() == NodeKind::kString ? type->as_string() : "";
      if (t == "CommaDelimitedList" || t.substr(0, 5) == "List<") {
        RV list;
        list.k = RV::K::kList;
        list.node = &at;
        size_t start = 0;
        while (true) {
          size_t comma = value.find(',', start);
          std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          while (!item.empty() && item.front() == ' ') item.erase(item.begin());
          while (!item.empty() && item.back() == ' ') item.pop_back();
          list.items.push_back(RV::str(std::move(item), &at));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        return list;
      }
      return RV::str(std::move(value), &at);
    }
    if (resources_ != nullptr && resources_->find(name) != nullptr) return RV::unknown(&at);
    warn("cfn.unresolved_ref", "Ref to '" + std::string(name) + "', which is not a parameter or resource", &at);
    return RV::unknown(&at);
  }

  // A resource attribute known only once deployed (Fn::GetAtt, `${Res.Attr}`): unknown;
  // an `...Arn` attribute of an AWS resource type is an ARN, "arn:" and the rest unknown
  // (a custom resource or a nested stack returns whatever it likes).
  RV runtime_attribute(std::string_view target, std::string_view attribute, const Node& at) {
    const Node* r = resources_ != nullptr ? resources_->find(target) : nullptr;
    const Node* type = r != nullptr ? r->find("Type") : nullptr;
    bool aws = type != nullptr && type->kind() == NodeKind::kString &&
               type->as_string().starts_with("AWS::") &&
               !type->as_string().starts_with("AWS::CloudFormation::");
    if (aws && attribute.ends_with("Arn"))
      return RV::unknown_string(std::string("arn:") + Node::kShapeHole, &at);
    return RV::unknown(&at);
  }

  RV sub(const Node& a, const Node& at, int depth) {
    const Node* tmpl = &a;
    const Node* vars = nullptr;
    if (a.kind() == NodeKind::kList) {
      if (a.size() < 1) return RV::unknown(&at);
      tmpl = &a.items()[0];
      if (a.size() > 1) vars = &a.items()[1];
    }
    if (tmpl->kind() != NodeKind::kString) {
      warn("cfn.bad_intrinsic", "Fn::Sub needs a string", &at);
      return RV::unknown(&at);
    }
    std::string_view s = tmpl->as_string();
    ShapedText out;
    size_t i = 0;
    while (i < s.size()) {
      size_t open = s.find("${", i);
      if (open == std::string_view::npos) {
        out.literal(s.substr(i));
        break;
      }
      out.literal(s.substr(i, open - i));
      size_t close = s.find('}', open + 2);
      if (close == std::string_view::npos) {
        out.literal(s.substr(open));
        break;
      }
      std::string_view var = s.substr(open + 2, close - open - 2);
      if (!var.empty() && var.front() == '!') {
        out.literal("${");
        out.literal(var.substr(1));
        out.literal("}");
      } else {
        const Node* given = vars != nullptr ? vars->find(var) : nullptr;
        if (given != nullptr) {
          if (!out.append(eval(*given, depth))) out.hole();
        } else if (size_t dot = var.find('.'); dot != std::string_view::npos) {
          // ${Resource.Attribute}: a runtime value
          out.append(runtime_attribute(var.substr(0, dot), var.substr(dot + 1), at));
        } else {
          if (!out.append(ref(var, at))) out.hole();
        }
      }
      if (out.size() > kMaxSubBytes) {
        warn("cfn.limit.sub", "Fn::Sub result longer than " + std::to_string(kMaxSubBytes) + " bytes", &at);
        return RV::unknown(&at);
      }
      i = close + 1;
    }
    return out.finish(&at);
  }

  RV call(const std::string& name, const Node& a, const Node& at, int depth) {
    auto items = [&](size_t want) -> bool { return a.kind() == NodeKind::kList && a.size() >= want; };
    if (name == "Ref") {
      if (a.kind() != NodeKind::kString) {
        warn("cfn.bad_intrinsic", "Ref needs a name", &at);
        return RV::unknown(&at);
      }
      return ref(a.as_string(), at);
    }
    if (name == "Fn::GetAtt") {
      std::string target, attribute;
      if (a.kind() == NodeKind::kString) {
        std::string_view s = a.as_string();
        size_t dot = s.find('.');
        target = std::string(s.substr(0, dot));
        if (dot != std::string_view::npos) attribute = std::string(s.substr(dot + 1));
      } else if (items(1) && a.items()[0].kind() == NodeKind::kString) {
        target = std::string(a.items()[0].as_string());
        if (items(2) && a.items()[1].kind() == NodeKind::kString)
          attribute = std::string(a.items()[1].as_string());
      }
      if (resources_ == nullptr || resources_->find(target) == nullptr) {
        warn("cfn.unresolved_ref", "Fn::GetAtt of '" + target + "', which is not a resource", &at);
      }
      return runtime_attribute(target, attribute, at);
    }
    if (name == "Fn::Sub") return sub(a, at, depth);
    if (name == "Fn::Base64") return eval_plain(a, depth);
    if (name == "Fn::Join") {
      if (!items(2)) return bad(name, at);
      std::string delim;
      bool unknown = false;
      if (!scalar(a.items()[0], depth, delim, unknown)) return bad(name, at);
      std::vector<RV> parts;
      if (!list_arg(a.items()[1], depth, parts, unknown, true)) return bad(name, at);
      if (unknown) return RV::unknown(&at);  // the delimiter or the list itself
      ShapedText out;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out.literal(delim);
        if (!out.append(parts[i])) return RV::unknown(&at);
        if (out.size() > kMaxSubBytes) {
          warn("cfn.limit.sub", "Fn::Join result longer than " + std::to_string(kMaxSubBytes) + " bytes", &at);
          return RV::unknown(&at);
        }
      }
      return out.finish(&at);
    }
    if (name == "Fn::Select") {
      if (!items(2)) return bad(name, at);
      std::string idx;
      bool unknown = false;
      if (!scalar(a.items()[0], depth, idx, unknown)) return bad(name, at);
      std::vector<RV> list;
      if (!list_arg(a.items()[1], depth, list, unknown, true)) return bad(name, at);
      if (unknown) return RV::unknown(&at);
      size_t k = 0;
      for (char c : idx) {
        if (c < '0' || c > '9' || k > 1'000'000) return bad(name, at);
        k = k * 10 + static_cast<size_t>(c - '0');
      }
      if (idx.empty() || k >= list.size()) return bad(name, at);
      RV r = std::move(list[k]);
      if (r.k == RV::K::kNode) return eval(*r.node, depth);
      return r;
    }
    if (name == "Fn::Split") {
      if (!items(2)) return bad(name, at);
      std::string delim, text;
      bool unknown = false;
      if (!scalar(a.items()[0], depth, delim, unknown) || !scalar(a.items()[1], depth, text, unknown)) {
        return bad(name, at);
      }
      if (unknown) return RV::unknown(&at);
      RV list;
      list.k = RV::K::kList;
      list.node = &at;
      if (delim.empty()) {
        list.items.push_back(RV::str(text, &at));
        return list;
      }
      size_t start = 0;
      while (true) {
        size_t p = text.find(delim, start);
        list.items.push_back(RV::str(text.substr(start, p == std::string::npos ? std::string::npos : p - start), &at));
        if (p == std::string::npos) break;
        start = p + delim.size();
      }
      return list;
    }
    if (name == "Fn::FindInMap") {
      if (!items(3)) return bad(name, at);
      std::string k[3];
      bool unknown = false;
      for (int i = 0; i < 3; ++i) {
        if (!scalar(a.items()[static_cast<size_t>(i)], depth, k[i], unknown)) return bad(name, at);
      }
      if (unknown) return RV::unknown(&at);
      const Node* v = mappings_ != nullptr ? mappings_->find_path({k[0], k[1], k[2]}) : nullptr;
      if (v == nullptr) {
        if (a.size() >= 4) return eval_default_value(a.items()[3], depth, at);
        warn("cfn.unresolved_ref", "Fn::FindInMap: no entry " + k[0] + "/" + k[1] + "/" + k[2], &at);
        return RV::unknown(&at);
      }
      return RV::of(v);
    }
    if (name == "Fn::If") {
      if (!items(3)) return bad(name, at);
      const Node& c = a.items()[0];
      Tri t = Tri::kUnknown;
      if (c.kind() == NodeKind::kString) {
        t = condition(c.as_string(), c, depth);
      } else {
        return bad(name, at);
      }
      if (t == Tri::kUnknown) return RV::unknown(&at);
      return eval(a.items()[t == Tri::kTrue ? 1 : 2], depth);
    }
    if (name == "Fn::Equals" || name == "Fn::And" || name == "Fn::Or" || name == "Fn::Not" ||
        name == "Condition") {
      Tri t = cond_call(name, a, at, depth);
      if (t == Tri::kUnknown) return RV::unknown(&at);
      return RV{RV::K::kBool, &at, {}, t == Tri::kTrue, {}};
    }
    // Fn::ImportValue, Fn::GetAZs, Fn::Cidr, Fn::Transform and the rest: deploy-time values.
    return RV::unknown(&at);
  }

  RV eval_default_value(const Node& d, int depth, const Node& at) {
    if (const Node* dv = d.find("DefaultValue")) return eval(*dv, depth);
    return RV::unknown(&at);
  }

  RV eval_plain(const Node& a, int depth) {
    // The argument node carries the short-form tag; evaluate it as if untagged.
    if (!a.tag().empty()) {
      if (a.kind() == NodeKind::kString) return RV::str(std::string(a.as_string()), &a);
      return RV::of(&a);
    }
    return eval(a, depth);
  }

  RV bad(const std::string& name, const Node& at) {
    warn("cfn.bad_intrinsic", name + ": malformed arguments", &at);
    return RV::unknown(&at);
  }

  // ---- conditions ----------------------------------------------------------------------

  Tri condition(std::string_view name, const Node& at, int depth) {
    auto it = cond_state_.find(std::string(name));
    if (it != cond_state_.end()) {
      if (it->second == 3) {
        warn("cfn.condition_cycle", "condition '" + std::string(name) + "' refers to itself", &at);
        return Tri::kUnknown;
      }
      return static_cast<Tri>(it->second);
    }
    const Node* c = conditions_ != nullptr ? conditions_->find(name) : nullptr;
    if (c == nullptr) {
      warn("cfn.unresolved_ref", "condition '" + std::string(name) + "' is not defined", &at);
      return Tri::kUnknown;
    }
    cond_state_[std::string(name)] = 3;
    Tri t = cond_value(*c, depth + 1);
    cond_state_[std::string(name)] = static_cast<uint8_t>(t);
    return t;
  }

  Tri cond_value(const Node& n, int depth) {
    if (depth >= kMaxIntrinsicDepth) {
      warn("cfn.limit.depth", "conditions nested deeper than " + std::to_string(kMaxIntrinsicDepth), &n);
      return Tri::kUnknown;
    }
    if (!budget(n)) return Tri::kUnknown;
    std::string name;
    const Node* arg = nullptr;
    if (intrinsic(n, name, arg, true)) return cond_call(name, *arg, n, depth + 1);
    std::string text;
    if (text_of(RV::of(&n), text)) {
      if (text == "true") return Tri::kTrue;
      if (text == "false") return Tri::kFalse;
    }
    return Tri::kUnknown;
  }

  Tri cond_call(const std::string& name, const Node& a, const Node& at, int depth) {
    if (name == "Condition") {
      if (a.kind() != NodeKind::kString) return Tri::kUnknown;
      return condition(a.as_string(), at, depth);
    }
    if (name == "Fn::Equals") {
      if (a.kind() != NodeKind::kList || a.size() != 2) {
        bad(name, at);
        return Tri::kUnknown;
      }
      std::string x, y;
      bool unknown = false;
      bool okx = scalar(a.items()[0], depth, x, unknown);
      bool oky = scalar(a.items()[1], depth, y, unknown);
      if (unknown) return Tri::kUnknown;
      if (!okx || !oky) return Tri::kFalse;
      return x == y ? Tri::kTrue : Tri::kFalse;
    }
    if (name == "Fn::Not") {
      if (a.kind() != NodeKind::kList || a.size() != 1) return Tri::kUnknown;
      Tri t = cond_value(a.items()[0], depth);
      if (t == Tri::kUnknown) return t;
      return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
    }
    if (name == "Fn::And" || name == "Fn::Or") {
      if (a.kind() != NodeKind::kList) return Tri::kUnknown;
      bool is_and = name == "Fn::And";
      bool any_unknown = false;
      for (const Node& c : a.items()) {
        Tri t = cond_value(c, depth);
        if (t == Tri::kUnknown) {
          any_unknown = true;
        } else if ((t == Tri::kTrue) != is_and) {
          return is_and ? Tri::kFalse : Tri::kTrue;
        }
      }
      if (any_unknown) return Tri::kUnknown;
      return is_and ? Tri::kTrue : Tri::kFalse;
    }
    RV v = call(name, a, at, depth);
    if (v.k == RV::K::kBool) return v.b ? Tri::kTrue : Tri::kFalse;
    return Tri::kUnknown;
  }

  // ---- emission of resolved trees ------------------------------------------------------

  core::Status emit(formats::Builder& b, const RV& v, int depth) {
    Pos pos = v.node != nullptr ? v.node->pos() : Pos{};
    switch (v.k) {
      case RV::K::kUnknown:
        return b.add_unknown(pos, v.s);
      case RV::K::kNoValue: return b.add_unknown(pos);
      case RV::K::kStr: return b.add_string(pos, v.s, true);
      case RV::K::kBool: return b.add_bool(pos, v.b);
      case RV::K::kList:
        SKM_TRY(b.begin_list(pos));
        for (const RV& i : v.items) {
          if (i.k == RV::K::kNoValue) continue;
          SKM_TRY(emit(b, i, depth));
        }
        return b.end_list();
      case RV::K::kNode: return emit_node(b, *v.node, depth);
    }
    return {};
  }

  // Whether any node of the subtree is an intrinsic function (what eval() would change).
  static bool contains_intrinsic(const Node& n) {
    std::string_view tag = n.tag();
    if (!tag.empty() && tag.front() == '!') return true;
    if (n.kind() == NodeKind::kList) {
      for (const Node& c : n.items()) {
        if (contains_intrinsic(c)) return true;
      }
    } else if (n.kind() == NodeKind::kMap) {
      if (n.size() == 1) {
        const Node& k = n.members()[0].key;
        if (k.kind() == NodeKind::kString && (k.as_string() == "Ref" || k.as_string().substr(0, 4) == "Fn::")) {
          return true;
        }
      }
      for (const formats::Member& m : n.members()) {
        if (contains_intrinsic(m.value)) return true;
      }
    }
    return false;
  }

  core::Status emit_node(formats::Builder& b, const Node& n, int depth) {
    Pos pos = n.pos();
    if (b.depth() + 2 >= b.limits().max_depth) return b.add_unknown(pos);
    // Most of a template is literal: share it with the source instead of copying it.
    if (n.kind() != NodeKind::kUnknown && !contains_intrinsic(n)) return b.add_shared(pos, n, 1);
    switch (n.kind()) {
      case NodeKind::kNull: return b.add_null(pos);
      case NodeKind::kBool: return b.add_bool(pos, n.as_bool());
      case NodeKind::kInt: return b.add_int(pos, n.as_int());
      case NodeKind::kUint: return b.add_uint(pos, n.as_uint());
      case NodeKind::kDouble: return b.add_double(pos, n.as_double());
      case NodeKind::kString: return b.add_string(pos, n.as_string(), n.quoted());
      case NodeKind::kUnknown:
        return b.add_unknown(pos, n.unknown_shape());
      case NodeKind::kList:
        SKM_TRY(b.begin_list(pos));
        for (const Node& c : n.items()) {
          RV v = eval(c, depth);
          if (v.k == RV::K::kNoValue) continue;
          SKM_TRY(emit(b, v, depth));
        }
        return b.end_list();
      case NodeKind::kMap:
        SKM_TRY(b.begin_map(pos));
        for (const formats::Member& m : n.members()) {
          RV v = eval(m.value, depth);
          if (v.k == RV::K::kNoValue) continue;
          SKM_TRY(emit_node(b, m.key, depth));
          SKM_TRY(emit(b, v, depth));
        }
        return b.end_map();
    }
    return {};
  }

  // Whether a resource's Condition holds (unknown counts as "may exist").
  bool resource_exists(const Node& resource) {
    const Node* c = resource.find("Condition");
    if (c == nullptr || c->kind() != NodeKind::kString) return true;
    return condition(c->as_string(), *c, 0) != Tri::kFalse;
  }

 private:
  const formats::Document& doc_;
  const LoadOptions& opts_;
  core::Diagnostics& diags_;
  const Node* params_ = nullptr;
  const Node* mappings_ = nullptr;
  const Node* conditions_ = nullptr;
  const Node* resources_ = nullptr;
  std::unordered_map<std::string, uint8_t> cond_state_;  // Tri, or 3 while evaluating
  uint64_t steps_ = 0;
  bool budget_reported_ = false;
};

// Logical IDs a property points at through Ref / Fn::GetAtt (also inside lists).
void ref_targets(const Node& n, std::vector<std::string>& out, int depth = 0) {
  if (depth > 4) return;
  std::string_view tag = n.tag();
  if (tag == "!Ref" && n.kind() == NodeKind::kString) {
    out.emplace_back(n.as_string());
    return;
  }
  if (tag == "!GetAtt") {
    if (n.kind() == NodeKind::kString) out.emplace_back(n.as_string().substr(0, n.as_string().find('.')));
    if (n.kind() == NodeKind::kList && n.size() > 0 && n.items()[0].kind() == NodeKind::kString) {
      out.emplace_back(n.items()[0].as_string());
    }
    return;
  }
  if (n.kind() == NodeKind::kList) {
    for (const Node& c : n.items()) ref_targets(c, out, depth + 1);
    return;
  }
  if (n.kind() != NodeKind::kMap || n.size() != 1) return;
  const formats::Member& m = n.members()[0];
  if (m.key.kind() != NodeKind::kString) return;
  if (m.key.as_string() == "Ref" && m.value.kind() == NodeKind::kString) {
    out.emplace_back(m.value.as_string());
  } else if (m.key.as_string() == "Fn::GetAtt") {
    if (m.value.kind() == NodeKind::kString) {
      out.emplace_back(m.value.as_string().substr(0, m.value.as_string().find('.')));
    } else if (m.value.kind() == NodeKind::kList && m.value.size() > 0 &&
               m.value.items()[0].kind() == NodeKind::kString) {
      out.emplace_back(m.value.items()[0].as_string());
    }
  }
}

void cfn_suppressions(const formats::Document& doc, const Node& resource, std::vector<InlineSuppression>& out) {
  const Node* ig = resource.find_path({"Metadata", "sekimori", "ignore"});
  if (ig == nullptr) return;
  auto one = [&](const Node& n) {
    core::Location loc = doc.location(n);
    if (n.kind() == NodeKind::kString) {
      parse_suppressions(n.as_string(), loc, out);
    } else if (n.kind() == NodeKind::kMap) {
      InlineSuppression s;
      s.location = loc;
      if (const Node* r = n.find("rule"); r && r->kind() == NodeKind::kString) s.rule_id = std::string(r->as_string());
      if (const Node* r = n.find("reason"); r && r->kind() == NodeKind::kString) s.reason = std::string(r->as_string());
      if (const Node* r = n.find("until"); r && r->kind() == NodeKind::kString) s.until = std::string(r->as_string());
      if (!s.rule_id.empty()) out.push_back(std::move(s));
    }
  };
  if (ig->kind() == NodeKind::kList) {
    for (const Node& n : ig->items()) one(n);
  } else {
    one(*ig);
  }
}

}  // namespace

void cfn_adapt(const formats::Document& doc, const LoadOptions& options, core::Diagnostics& diags,
               AdapterOutput& out) {
  const Node& root = doc.root();
  const Node* resources = root.find("Resources");
  if (resources == nullptr || resources->kind() != NodeKind::kMap) {
    diags.add(core::Severity::kError, "cfn.schema", "template has no Resources map", doc.location(root));
    return;
  }
  Resolver r(doc, options, diags);
  formats::Limits limits;
  limits.max_nodes = UINT64_MAX / 2;
  limits.max_string = uint64_t{1} << 31;
  formats::Builder b(doc.path(), doc.format(), std::string(), limits);
  b.set_file(&doc.path());
  std::vector<size_t> root_of;  // unit -> aux root index (SIZE_MAX: none)
  size_t roots = 0;
  std::unordered_map<std::string, size_t> by_id;
  for (const formats::Member& m : resources->members()) {
    if (m.key.kind() != NodeKind::kString) continue;
    std::string id(m.key.as_string());
    const Node& res = m.value;
    const Node* type = res.find("Type");
    if (res.kind() != NodeKind::kMap || type == nullptr || type->kind() != NodeKind::kString) {
      diags.add(core::Severity::kError, "cfn.schema", "resource '" + id + "' has no Type", doc.location(m.key),
                core::make_snippet(doc.text(), m.key.pos().line, m.key.pos().column));
      continue;
    }
    if (!r.resource_exists(res)) continue;
    Unit u;
    u.id = id;
    u.source_type = std::string(type->as_string());
    u.fallback_type = u.source_type;
    u.pos = m.key.pos();
    u.raw = &res;
    u.entry = primary_entry(SourceFormat::kCloudFormation, u.source_type);
    cfn_suppressions(doc, res, u.suppressions);
    if (u.source_type == "AWS::CloudFormation::Stack") {
      diags.add(core::Severity::kNote, "cfn.nested_stack",
                "nested stack '" + id + "' is not followed; scan its template separately", doc.location(m.key));
    }
    const Node* props = res.find("Properties");
    if (props != nullptr) {
      core::Status st = r.emit(b, r.eval(*props, 0), 0);
      if (!st.ok()) {
        diags.add_error(st.error(), doc.text());
        return;  // the builder is mid-tree; give up on this template
      }
      root_of.push_back(roots++);
    } else {
      root_of.push_back(SIZE_MAX);
    }
    by_id.emplace(u.id, out.units.size());
    out.units.push_back(std::move(u));
  }
  auto aux = std::make_unique<formats::Document>(std::move(b).finish());
  for (size_t i = 0; i < out.units.size(); ++i) {
    out.units[i].root = root_of[i] == SIZE_MAX ? nullptr : &aux->roots()[root_of[i]];
  }
  out.aux.push_back(std::move(aux));
  fold_units(out.units, SourceFormat::kCloudFormation, [&](size_t ci, const SourceEntry& e) {
    std::vector<size_t> parents;
    const Node* props = out.units[ci].raw->find("Properties");
    if (props == nullptr) return parents;
    for (const std::string& prop : e.fold) {
      const Node* p = props->find(prop);
      if (p == nullptr) continue;
      std::vector<std::string> ids;
      ref_targets(*p, ids);
      for (const std::string& id : ids) {
        auto it = by_id.find(id);
        if (it != by_id.end()) parents.push_back(it->second);
      }
    }
    return parents;
  });
}

}  // namespace sekimori::model::internal
