#include "hcl/hcl2json.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/json_writer.h"

namespace sekimori::hcl {

namespace {

// A small JSON value with "last key wins" objects, as Go maps behave.
struct JVal {
  enum Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool b = false;
  std::string s;  // kNumber: JSON number text; kString: the string
  std::vector<JVal> arr;
  std::vector<std::string> keys;  // kObject, with values[i] for keys[i]
  std::vector<JVal> values;

  JVal* find(const std::string& k) {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == k) return &values[i];
    return nullptr;
  }
  JVal& set(const std::string& k, JVal v) {
    if (JVal* e = find(k)) {
      *e = std::move(v);
      return *e;
    }
    keys.push_back(k);
    values.push_back(std::move(v));
    return values.back();
  }
};

JVal str(std::string s) {
  JVal v;
  v.kind = JVal::kString;
  v.s = std::move(s);
  return v;
}

std::string number_text(const LiteralExpr& lit) {
  bool digits_only = !lit.text.empty();
  for (char c : lit.text) digits_only = digits_only && c >= '0' && c <= '9';
  if (lit.is_integer && digits_only) return std::to_string(lit.integer);
  if (lit.is_integer && lit.integer == lit.number) return std::to_string(lit.integer);
  return core::format_double(lit.number);
}

// hcl2json (the @cdktf fork) writes literal template text escaped again, so that "${"
// and "%{" in it stay literal when the JSON is read back as Terraform JSON.
std::string escape_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '$' || c == '%') && i + 1 < text.size() && text[i + 1] == '{') out += c;
    out += c;
  }
  return out;
}

class Converter {
 public:
  explicit Converter(const File& f) : f_(f) {}

  JVal body(const Body& b) {
    JVal out;
    out.kind = JVal::kObject;
    for (const Block* blk : b.blocks) block(*blk, out);
    for (const Attribute* a : b.attributes) out.set(std::string(a->name), expr(*a->expr));
    return out;
  }

 private:
  void block(const Block& blk, JVal& top) {
    JVal* out = &top;
    std::string key(blk.type);
    for (const Label& l : blk.labels) {
      JVal* e = out->find(key);
      if (!e) {
        JVal o;
        o.kind = JVal::kObject;
        e = &out->set(key, std::move(o));
      }
      out = e;
      key = std::string(l.value);
    }
    JVal value = body(*blk.body);
    JVal* cur = out->find(key);
    if (cur && cur->kind == JVal::kArray) {
      cur->arr.push_back(std::move(value));
    } else {
      JVal a;
      a.kind = JVal::kArray;
      a.arr.push_back(std::move(value));
      out->set(key, std::move(a));
    }
  }

  // hcl2json's rangeSource: the source text, plus a following ')' if there is one.
  std::string source(const Expr& e) {
    std::string_view t = f_.text();
    uint32_t end = e.range.end.byte;
    if (end < t.size() && t[end] == ')') ++end;
    if (e.range.start.byte > end || end > t.size()) return {};
    return std::string(t.substr(e.range.start.byte, end - e.range.start.byte));
  }
  std::string wrap(const Expr& e) { return "${" + source(e) + "}"; }

  JVal literal(const LiteralExpr& lit) {
    JVal v;
    switch (lit.literal) {
      case LiteralKind::kNull: break;
      case LiteralKind::kBool:
        v.kind = JVal::kBool;
        v.b = lit.bool_value;
        break;
      case LiteralKind::kNumber:
        v.kind = JVal::kNumber;
        v.s = number_text(lit);
        break;
      case LiteralKind::kString: return str(std::string(lit.text));
    }
    return v;
  }

  JVal expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral: return literal(e.as<LiteralExpr>());
      case ExprKind::kUnary: {
        const auto& u = e.as<UnaryExpr>();
        const LiteralExpr* lit = u.operand->if_kind<LiteralExpr>();
        if (lit && u.op == UnaryOp::kNegate && lit->literal == LiteralKind::kNumber) {
          JVal v;
          v.kind = JVal::kNumber;
          std::string n = number_text(*lit);
          v.s = n == "0" ? n : "-" + n;
          return v;
        }
        if (lit && u.op == UnaryOp::kNot && lit->literal == LiteralKind::kBool) {
          JVal v;
          v.kind = JVal::kBool;
          v.b = !lit->bool_value;
          return v;
        }
        return str(wrap(e));
      }
      case ExprKind::kTemplate: {
        const auto& t = e.as<TemplateExpr>();
        if (t.is_wrap()) return expr(*t.parts[0].expr);
        return str(parts(t.parts));
      }
      case ExprKind::kTuple: {
        JVal v;
        v.kind = JVal::kArray;
        for (const Expr* item : e.as<TupleExpr>().items) v.arr.push_back(expr(*item));
        return v;
      }
      case ExprKind::kObject: {
        JVal v;
        v.kind = JVal::kObject;
        for (const ObjectItem& item : e.as<ObjectExpr>().items) v.set(key(*item.key), expr(*item.value));
        return v;
      }
      default: break;
    }
    return str(wrap(e));
  }

  std::string key(const Expr& k) {
    if (k.kind == ExprKind::kScopeTraversal) return source(k);
    return string_part(k);
  }

  std::string parts(std::span<const TemplatePart> ps) {
    std::string out;
    for (const TemplatePart& p : ps) {
      switch (p.kind) {
        case TemplatePartKind::kLiteral: out += escape_literal(p.text); break;
        case TemplatePartKind::kInterpolation: out += string_part(*p.expr); break;
        case TemplatePartKind::kIf: {
          out += "%{if " + source(*p.expr) + "}";
          out += parts(p.then_parts);
          std::string f = parts(p.else_parts);
          if (!f.empty()) out += "%{else}" + f;
          out += "%{endif}";
          break;
        }
        case TemplatePartKind::kFor: {
          out += "%{for ";
          if (!p.key_var.empty()) out += std::string(p.key_var) + ", ";
          out += std::string(p.value_var) + " in " + source(*p.expr) + "}";
          out += parts(p.then_parts);
          out += "%{endfor}";
          break;
        }
      }
    }
    return out;
  }

  std::string string_part(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral: {
        const auto& lit = e.as<LiteralExpr>();
        switch (lit.literal) {
          case LiteralKind::kNull: return "null";  // as hcl2json writes it
          case LiteralKind::kBool: return lit.bool_value ? "true" : "false";
          case LiteralKind::kNumber: return number_text(lit);
          case LiteralKind::kString: return std::string(lit.text);
        }
        return {};
      }
      case ExprKind::kTemplate: {
        const auto& t = e.as<TemplateExpr>();
        if (t.is_wrap()) return string_part(*t.parts[0].expr);
        return parts(t.parts);
      }
      case ExprKind::kConditional: {
        const auto& c = e.as<ConditionalExpr>();
        std::string out = "%{if " + source(*c.condition) + "}";
        out += string_part(*c.true_result);
        std::string f = string_part(*c.false_result);
        if (!f.empty()) out += "%{else}" + f;
        out += "%{endif}";
        return out;
      }
      default: return wrap(e);
    }
  }

  const File& f_;
};

void write(core::JsonWriter& w, const JVal& v) {
  switch (v.kind) {
    case JVal::kNull: w.null(); break;
    case JVal::kBool: w.value(v.b); break;
    case JVal::kNumber: w.raw(v.s); break;
    case JVal::kString: w.value(std::string_view(v.s)); break;
    case JVal::kArray:
      w.begin_array();
      for (const JVal& x : v.arr) write(w, x);
      w.end_array();
      break;
    case JVal::kObject:
      w.begin_object();
      for (size_t i = 0; i < v.keys.size(); ++i) {
        w.key(v.keys[i]);
        write(w, v.values[i]);
      }
      w.end_object();
      break;
  }
}

}  // namespace

std::string to_hcl2json(const File& file, int indent) {
  Converter c(file);
  JVal root = c.body(file.body());
  core::JsonWriter w(indent);
  write(w, root);
  return w.take();
}

}  // namespace sekimori::hcl
