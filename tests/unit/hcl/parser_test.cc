#include <gtest/gtest.h>

#include <string>

#include "hcl/ast.h"
#include "hcl/hcl2json.h"

namespace sekimori::hcl {
namespace {

File parse_ok(const std::string& text) {
  core::Diagnostics diags;
  auto f = parse_native("t.tf", text, Limits{}, diags);
  EXPECT_TRUE(f.ok());
  EXPECT_FALSE(f->has_errors()) << diags.to_text();
  return std::move(f).value();
}

File expr_file(const std::string& text) {
  core::Diagnostics diags;
  auto f = parse_expression("e", text, Limits{}, diags);
  EXPECT_TRUE(f.ok());
  EXPECT_FALSE(f->has_errors()) << diags.to_text();
  return std::move(f).value();
}

// A compact rendering of an expression tree for precedence and shape checks.
std::string show(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const auto& l = e.as<LiteralExpr>();
      switch (l.literal) {
        case LiteralKind::kNull: return "null";
        case LiteralKind::kBool: return l.bool_value ? "true" : "false";
        case LiteralKind::kNumber: return std::string(l.text);
        case LiteralKind::kString: return "'" + std::string(l.text) + "'";
      }
      return "?";
    }
    case ExprKind::kBinary: {
      const auto& b = e.as<BinaryExpr>();
      return "(" + show(*b.lhs) + " " + binary_op_text(b.op) + " " + show(*b.rhs) + ")";
    }
    case ExprKind::kUnary: {
      const auto& u = e.as<UnaryExpr>();
      return std::string(u.op == UnaryOp::kNot ? "!" : "-") + show(*u.operand);
    }
    case ExprKind::kConditional: {
      const auto& c = e.as<ConditionalExpr>();
      return "(" + show(*c.condition) + " ? " + show(*c.true_result) + " : " + show(*c.false_result) + ")";
    }
    case ExprKind::kParens: return "[" + show(*e.as<ParensExpr>().inner) + "]";
    case ExprKind::kScopeTraversal: {
      const auto& s = e.as<ScopeTraversalExpr>();
      std::string out(s.root);
      for (const auto& st : s.steps)
        out += st.kind == StepKind::kAttr ? "." + std::string(st.name) : "[" + show(*st.key) + "]";
      return out;
    }
    case ExprKind::kRelativeTraversal: {
      const auto& r = e.as<RelativeTraversalExpr>();
      std::string out = "rel(" + show(*r.source) + ")";
      for (const auto& st : r.steps)
        out += st.kind == StepKind::kAttr ? "." + std::string(st.name) : "[" + show(*st.key) + "]";
      return out;
    }
    case ExprKind::kIndex: {
      const auto& i = e.as<IndexExpr>();
      return "index(" + show(*i.collection) + ", " + show(*i.key) + ")";
    }
    case ExprKind::kSplat: {
      const auto& s = e.as<SplatExpr>();
      return std::string(s.legacy ? "lsplat(" : "splat(") + show(*s.source) + ", " + show(*s.each) + ")";
    }
    case ExprKind::kSplatItem: return "ITEM";
    case ExprKind::kCall: {
      const auto& c = e.as<CallExpr>();
      std::string out = std::string(c.name) + "(";
      for (size_t i = 0; i < c.args.size(); ++i) out += (i ? ", " : "") + show(*c.args[i]);
      return out + (c.expand_final ? "...)" : ")");
    }
    case ExprKind::kTuple: {
      std::string out = "[";
      for (const Expr* x : e.as<TupleExpr>().items) out += show(*x) + ",";
      return out + "]";
    }
    case ExprKind::kObject: {
      std::string out = "{";
      for (const auto& it : e.as<ObjectExpr>().items)
        out += (it.bare_key ? "bare:" : "") + show(*it.key) + "=" + show(*it.value) + ",";
      return out + "}";
    }
    case ExprKind::kFor: {
      const auto& f = e.as<ForExpr>();
      std::string out = f.object ? "{for " : "[for ";
      if (!f.key_var.empty()) out += std::string(f.key_var) + ",";
      out += std::string(f.value_var) + " in " + show(*f.collection) + ": ";
      if (f.key) out += show(*f.key) + " => ";
      out += show(*f.value);
      if (f.grouping) out += "...";
      if (f.condition) out += " if " + show(*f.condition);
      return out + (f.object ? "}" : "]");
    }
    case ExprKind::kTemplate: {
      std::string out = "T<";
      for (const auto& p : e.as<TemplateExpr>().parts) {
        if (p.kind == TemplatePartKind::kLiteral) out += "'" + std::string(p.text) + "'";
        if (p.kind == TemplatePartKind::kInterpolation) out += "${" + show(*p.expr) + "}";
        if (p.kind == TemplatePartKind::kIf) out += "%if";
        if (p.kind == TemplatePartKind::kFor) out += "%for";
      }
      return out + ">";
    }
  }
  return "?";
}

std::string show_expr(const std::string& text) {
  File f = expr_file(text);
  return f.expr() ? show(*f.expr()) : "<error>";
}

const Expr& attr(const File& f, const char* name) {
  const Attribute* a = f.body().find_attribute(name);
  EXPECT_NE(a, nullptr) << name;
  return *a->expr;
}

// --- bodies ----------------------------------------------------------------------------

TEST(HclBody, BlocksAttributesAndExactRanges) {
  File f = parse_ok("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n");
  ASSERT_EQ(f.body().blocks.size(), 1u);
  const Block& b = *f.body().blocks[0];
  EXPECT_EQ(b.type, "resource");
  ASSERT_EQ(b.labels.size(), 2u);
  EXPECT_EQ(b.labels[0].value, "aws_s3_bucket");
  EXPECT_EQ(b.labels[1].value, "b");
  EXPECT_EQ(b.labels[1].range.start.column, 26u);
  EXPECT_EQ(f.source(b.labels[1].range), "\"b\"");
  EXPECT_EQ(b.open_brace.start.column, 30u);
  EXPECT_EQ(b.close_brace.start.line, 4u);
  EXPECT_EQ(b.range.end.line, 4u);
  ASSERT_EQ(b.body->attributes.size(), 2u);
  const Attribute& acl = *b.body->attributes[1];
  EXPECT_EQ(acl.name, "acl");
  EXPECT_EQ(acl.name_range.start.line, 3u);
  EXPECT_EQ(acl.name_range.start.column, 3u);
  EXPECT_EQ(acl.expr->range.start.column, 12u);
  EXPECT_EQ(acl.expr->range.end.column, 19u);
  EXPECT_EQ(f.source(acl.expr->range), "var.acl");
  EXPECT_EQ(f.source(acl.range), "acl    = var.acl");
  EXPECT_EQ(acl.expr->range.location().to_string(), "t.tf:3:12");
}

TEST(HclBody, SourceOrderSingleLineBlocksAndBareLabels) {
  File f = parse_ok("a = 1\nb {}\nc = 2\nd x \"y\" { e = 3 }\n");
  ASSERT_EQ(f.body().items.size(), 4u);
  EXPECT_NE(f.body().items[0].attribute, nullptr);
  EXPECT_NE(f.body().items[1].block, nullptr);
  EXPECT_NE(f.body().items[2].attribute, nullptr);
  const Block& d = *f.body().items[3].block;
  ASSERT_EQ(d.labels.size(), 2u);
  EXPECT_FALSE(d.labels[0].quoted);
  EXPECT_EQ(d.labels[0].value, "x");
  EXPECT_EQ(d.body->attributes.size(), 1u);
  EXPECT_EQ(d.body->attributes[0]->name, "e");
}

TEST(HclBody, AllCommentFormsAreKeptWithRanges) {
  File f = parse_ok("# one\na = 1 // two\n/* three\n four */ b = 2\n");
  ASSERT_EQ(f.comments().size(), 3u);
  EXPECT_EQ(f.comments()[0].kind, CommentKind::kHash);
  EXPECT_EQ(f.comments()[0].text, "# one");
  EXPECT_EQ(f.comments()[1].kind, CommentKind::kSlashes);
  EXPECT_EQ(f.comments()[1].range.start.line, 2u);
  EXPECT_EQ(f.comments()[1].range.start.column, 7u);
  EXPECT_EQ(f.comments()[2].kind, CommentKind::kBlock);
  EXPECT_EQ(f.comments()[2].range.end.line, 4u);
  EXPECT_EQ(f.body().attributes.size(), 2u);
}

TEST(HclBody, IdentifiersWithDashesAndUnicode) {
  File f = parse_ok("my-attr = some-var.x\n名前 = 1\n");
  EXPECT_EQ(show(attr(f, "my-attr")), "some-var.x");
  EXPECT_NE(f.body().find_attribute("名前"), nullptr);
}

TEST(HclBody, CrlfLineEndings) {
  File f = parse_ok("a = 1\r\nb = \"x\"\r\n");
  EXPECT_EQ(f.body().attributes.size(), 2u);
  EXPECT_EQ(f.body().attributes[1]->name_range.start.line, 2u);
}

// --- expressions -----------------------------------------------------------------------

TEST(HclExpr, Literals) {
  File f = parse_ok("a = 1\nb = 1.5\nc = 1e3\nd = true\ne = null\nf = \"s\"\n");
  const auto& a = attr(f, "a").as<LiteralExpr>();
  EXPECT_TRUE(a.is_integer);
  EXPECT_EQ(a.integer, 1);
  const auto& b = attr(f, "b").as<LiteralExpr>();
  EXPECT_FALSE(b.is_integer);
  EXPECT_DOUBLE_EQ(b.number, 1.5);
  EXPECT_EQ(b.text, "1.5");
  EXPECT_DOUBLE_EQ(attr(f, "c").as<LiteralExpr>().number, 1000);
  EXPECT_TRUE(attr(f, "d").as<LiteralExpr>().bool_value);
  EXPECT_EQ(attr(f, "e").as<LiteralExpr>().literal, LiteralKind::kNull);
  const auto& s = attr(f, "f").as<TemplateExpr>();
  EXPECT_TRUE(s.is_literal());
  EXPECT_EQ(s.literal_value(), "s");
}

TEST(HclExpr, PrecedenceTable) {
  EXPECT_EQ(show_expr("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(show_expr("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(show_expr("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(show_expr("a || b && c"), "(a || (b && c))");
  EXPECT_EQ(show_expr("a == b && c != d"), "((a == b) && (c != d))");
  EXPECT_EQ(show_expr("a < b == c >= d"), "((a < b) == (c >= d))");
  EXPECT_EQ(show_expr("1 + 2 < 3 * 4"), "((1 + 2) < (3 * 4))");
  EXPECT_EQ(show_expr("a % b / c"), "((a % b) / c)");
  EXPECT_EQ(show_expr("!a && b"), "(!a && b)");
  EXPECT_EQ(show_expr("-a.b + 1"), "(-a.b + 1)");
  EXPECT_EQ(show_expr("-46 + 5"), "(-46 + 5)");
  EXPECT_EQ(show_expr("(1 + 2) * 3"), "([(1 + 2)] * 3)");
  EXPECT_EQ(show_expr("a ? b : c ? d : e"), "(a ? b : (c ? d : e))");
  EXPECT_EQ(show_expr("a || b ? 1 + 2 : 3"), "((a || b) ? (1 + 2) : 3)");
}

TEST(HclExpr, TraversalsIndexesAndRanges) {
  EXPECT_EQ(show_expr("var.a.b[0][\"k\"]"), "var.a.b[0]['k']");
  EXPECT_EQ(show_expr("var.m[local.k].x"), "rel(index(var.m, local.k)).x");
  EXPECT_EQ(show_expr("f(1).a[2]"), "rel(f(1)).a[2]");
  EXPECT_EQ(show_expr("aws_instance.web.0.id"), "aws_instance.web[0].id");
  File f = expr_file("var.list[0].name");
  const auto& s = f.expr()->as<ScopeTraversalExpr>();
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.root_range.end.column, 4u);
  EXPECT_EQ(f.source(s.steps[0].range), ".list");
  EXPECT_EQ(f.source(s.steps[1].range), "[0]");
  EXPECT_EQ(f.source(s.steps[2].range), ".name");
  File legacy = expr_file("a.0");
  EXPECT_TRUE(legacy.expr()->as<ScopeTraversalExpr>().steps[0].legacy_index);
}

TEST(HclExpr, Splats) {
  EXPECT_EQ(show_expr("a[*].id"), "splat(a, rel(ITEM).id)");
  EXPECT_EQ(show_expr("a[*]"), "splat(a, ITEM)");
  EXPECT_EQ(show_expr("a[*].b[0].c"), "splat(a, rel(ITEM).b[0].c)");
  EXPECT_EQ(show_expr("a.*.id"), "lsplat(a, rel(ITEM).id)");
  EXPECT_EQ(show_expr("a.*.id[0]"), "rel(lsplat(a, rel(ITEM).id))[0]");
  File f = expr_file("aws_instance.web[*].id");
  const auto& s = f.expr()->as<SplatExpr>();
  EXPECT_FALSE(s.legacy);
  EXPECT_EQ(f.source(s.marker), "[*]");
  EXPECT_EQ(f.source(s.range), "aws_instance.web[*].id");
  const auto* item = s.each->as<RelativeTraversalExpr>().source->if_kind<SplatItemExpr>();
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->splat, &s);
}

TEST(HclExpr, FunctionCalls) {
  EXPECT_EQ(show_expr("max(1, 2, 3)"), "max(1, 2, 3)");
  EXPECT_EQ(show_expr("max(var.nums...)"), "max(var.nums...)");
  EXPECT_EQ(show_expr("f(\n  1,\n  2,\n)"), "f(1, 2)");
  EXPECT_EQ(show_expr("provider::aws::arn_parse(x)"), "provider::aws::arn_parse(x)");
  File f = expr_file("lookup(m, \"k\")");
  const auto& c = f.expr()->as<CallExpr>();
  EXPECT_EQ(f.source(c.name_range), "lookup");
  EXPECT_EQ(c.open_paren.start.column, 7u);
  EXPECT_EQ(c.close_paren.start.column, 14u);
}

TEST(HclExpr, TuplesAndObjects) {
  EXPECT_EQ(show_expr("[1, \"a\", [2],]"), "[1,T<'a'>,[2,],]");
  EXPECT_EQ(show_expr("{a = 1, \"b\" = 2, (c) = 3, d: 4}"), "{bare:a=1,T<'b'>=2,[c]=3,bare:d=4,}");
  File f = parse_ok("x = {\n  a = 1\n  b = 2\n}\n");
  EXPECT_EQ(show(attr(f, "x")), "{bare:a=1,bare:b=2,}");
}

TEST(HclExpr, ForExpressions) {
  EXPECT_EQ(show_expr("[for s in var.l : upper(s)]"), "[for s in var.l: upper(s)]");
  EXPECT_EQ(show_expr("[for i, s in l : s if i > 0]"), "[for i,s in l: s if (i > 0)]");
  EXPECT_EQ(show_expr("{for k, v in m : k => v}"), "{for k,v in m: k => v}");
  EXPECT_EQ(show_expr("{for u in us : u.role => u.name... if u.ok}"), "{for u in us: u.role => u.name... if u.ok}");
  File f = parse_ok("m = {\n  for k, v in var.m :\n  k => v\n}\n");
  EXPECT_TRUE(attr(f, "m").as<ForExpr>().object);
}

TEST(HclExpr, NewlinesEndAttributesButNotInsideBrackets) {
  File f = parse_ok("a = (\n  1 +\n  2\n)\nb = [\n  1,\n  2\n]\n");
  EXPECT_EQ(show(attr(f, "a")), "[(1 + 2)]");
  EXPECT_EQ(show(attr(f, "b")), "[1,2,]");
  core::Diagnostics diags;
  auto bad = parse_native("t.tf", "a = 1 +\n2\n", Limits{}, diags);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->has_errors());
}

// --- templates -------------------------------------------------------------------------

TEST(HclTemplate, EscapesAndInterpolation) {
  File f = parse_ok(R"(a = "t\tn\nq\"b\\ \u00e9 \U0001F600 $${x} %%{y}"
b = "hi ${var.name}!"
c = "${var.x}"
)");
  EXPECT_EQ(attr(f, "a").as<TemplateExpr>().literal_value(), "t\tn\nq\"b\\ \xC3\xA9 \xF0\x9F\x98\x80 ${x} %{y}");
  EXPECT_EQ(show(attr(f, "b")), "T<'hi '${var.name}'!'>");
  EXPECT_TRUE(attr(f, "c").as<TemplateExpr>().is_wrap());
  EXPECT_FALSE(attr(f, "b").as<TemplateExpr>().is_wrap());
}

TEST(HclTemplate, Directives) {
  File f = parse_ok("a = \"%{if c}yes%{else}no%{endif}\"\nb = \"%{for k, v in m}${k}=${v};%{endfor}\"\n");
  const auto& a = attr(f, "a").as<TemplateExpr>();
  ASSERT_EQ(a.parts.size(), 1u);
  const TemplatePart& p = a.parts[0];
  EXPECT_EQ(p.kind, TemplatePartKind::kIf);
  EXPECT_TRUE(p.has_else);
  EXPECT_EQ(p.then_parts[0].text, "yes");
  EXPECT_EQ(p.else_parts[0].text, "no");
  const TemplatePart& q = attr(f, "b").as<TemplateExpr>().parts[0];
  EXPECT_EQ(q.kind, TemplatePartKind::kFor);
  EXPECT_EQ(q.key_var, "k");
  EXPECT_EQ(q.value_var, "v");
  EXPECT_EQ(q.then_parts.size(), 4u);
}

TEST(HclTemplate, StripMarkers) {
  File f = parse_ok("a = \"x   ${~ v ~}   y\"\nb = \"a %{~ if true ~}   yes   %{~ endif ~} b\"\n");
  EXPECT_EQ(show(attr(f, "a")), "T<'x'${v}'y'>");
  const auto& b = attr(f, "b").as<TemplateExpr>();
  ASSERT_EQ(b.parts.size(), 3u);
  EXPECT_EQ(b.parts[0].text, "a");
  EXPECT_EQ(b.parts[1].then_parts[0].text, "yes");
  EXPECT_EQ(b.parts[2].text, "b");
  EXPECT_TRUE(b.parts[1].strip_left);
}

TEST(HclTemplate, Heredocs) {
  File f = parse_ok("a = <<EOT\nline\n  two ${x}\nEOT\nb = <<-EOT\n    one\n      two\n    EOT\nc = <<EOT\nEOT\n");
  const auto& a = attr(f, "a").as<TemplateExpr>();
  EXPECT_TRUE(a.heredoc);
  EXPECT_EQ(a.heredoc_marker, "EOT");
  EXPECT_EQ(show(a), "T<'line\n  two '${x}'\n'>");
  const auto& b = attr(f, "b").as<TemplateExpr>();
  EXPECT_TRUE(b.heredoc_flush);
  EXPECT_EQ(b.literal_value(), "one\n  two\n");
  EXPECT_EQ(attr(f, "c").as<TemplateExpr>().literal_value(), "");
}

TEST(HclTemplate, FlushHeredocIgnoresBlankLinesAndInterpolatedIndent) {
  File f = parse_ok("a = <<-EOT\n\n      x\n\n    y\n  EOT\nb = <<-EOT\n  ${v}\n    z\n  EOT\n");
  EXPECT_EQ(attr(f, "a").as<TemplateExpr>().literal_value(), "\n  x\n\ny\n");
  // Indentation is counted on literal text only: "  ${v}" counts 2.
  EXPECT_EQ(show(attr(f, "b")), "T<''${v}'\n  z\n'>");
  // A line that starts with an interpolation counts as no indentation at all.
  File g = parse_ok("a = <<-EOT\n${v}\n    z\n  EOT\n");
  EXPECT_EQ(show(attr(g, "a")), "T<${v}'\n    z\n'>");
}

TEST(HclTemplate, HeredocKeepsBackslashes) {
  File f = parse_ok("a = <<EOT\nback\\slash \\n $${lit}\nEOT\n");
  EXPECT_EQ(attr(f, "a").as<TemplateExpr>().literal_value(), "back\\slash \\n ${lit}\n");
}

TEST(HclTemplate, StandaloneTemplateForTemplatefile) {
  core::Diagnostics diags;
  auto f = parse_template("t.tpl", "Hello ${name}\n%{ for x in xs ~}\n- ${x}\n%{ endfor ~}\n", Limits{}, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_FALSE(f->has_errors()) << diags.to_text();
  const auto& t = f->expr()->as<TemplateExpr>();
  // "Hello ", name, "\n", the for directive, and the "" left after `~}` trimmed "\n".
  ASSERT_EQ(t.parts.size(), 5u);
  EXPECT_EQ(t.parts[3].kind, TemplatePartKind::kFor);
  EXPECT_EQ(t.parts[3].then_parts[0].text, "- ");
  EXPECT_EQ(t.parts[4].text, "");
}

// --- errors and recovery ---------------------------------------------------------------

TEST(HclErrors, LocatedAndRecovered) {
  core::Diagnostics diags;
  auto f = parse_native("bad.tf", "a = 1\nb = = 2\nc = 3\nblock {\n  d = \n  e = 4\n}\n", Limits{}, diags);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->has_errors());
  ASSERT_EQ(diags.items().size(), 2u) << diags.to_text();
  EXPECT_EQ(diags.items()[0].code, "hcl.syntax");
  EXPECT_EQ(diags.items()[0].location.to_string(), "bad.tf:2:5");
  EXPECT_EQ(diags.items()[1].location.to_string(), "bad.tf:5:7");
  // The bad items are left out, the rest is kept.
  EXPECT_NE(f->body().find_attribute("a"), nullptr);
  EXPECT_EQ(f->body().find_attribute("b"), nullptr);
  EXPECT_NE(f->body().find_attribute("c"), nullptr);
  ASSERT_EQ(f->body().blocks.size(), 1u);
  EXPECT_NE(f->body().blocks[0]->body->find_attribute("e"), nullptr);
}

TEST(HclErrors, ExactPositions) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : {Case{"a = \"x\\q\"\n", "t.tf:1:7"}, Case{"a = \"unterminated\n", "t.tf:1:18"},
                        Case{"a = [1, 2\n", "t.tf:1:5"}, Case{"a = \"${x\"\n", "t.tf:1:9"},
                        Case{"a = \"%{if x}y\"\n", "t.tf:1:6"}, Case{"a = \"%{endif}\"\n", "t.tf:1:6"},
                        Case{"block {\n", "t.tf:1:7"}, Case{"a = 1 2\n", "t.tf:1:7"},
                        Case{"a = 1\na = 2\n", "t.tf:2:1"}, Case{"a = <<EOT\nno end\n", "t.tf:3:1"},
                        Case{"a = [for x in y : x... ]\n", "t.tf:1:20"}, Case{"a = x.0.1\n", "t.tf:1:7"},
                        Case{"}\n", "t.tf:1:1"}, Case{"\"label\" {}\n", "t.tf:1:1"}}) {
    core::Diagnostics diags;
    auto f = parse_native("t.tf", c.text, Limits{}, diags);
    ASSERT_TRUE(f.ok()) << c.text;
    EXPECT_TRUE(f->has_errors()) << c.text;
    ASSERT_FALSE(diags.items().empty()) << c.text;
    EXPECT_EQ(diags.items()[0].location.to_string(), c.where) << c.text << diags.to_text();
    EXPECT_EQ(diags.items()[0].code, "hcl.syntax");
  }
}

TEST(HclErrors, StandaloneExpressionTrailingText) {
  core::Diagnostics diags;
  auto f = parse_expression("e", "a b", Limits{}, diags);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->has_errors());
  EXPECT_EQ(diags.items()[0].location.column, 3u);
}

// --- limits ----------------------------------------------------------------------------

TEST(HclLimits, Bytes) {
  core::Diagnostics diags;
  Limits l;
  l.max_bytes = 10;
  auto f = parse_native("t.tf", "a = \"0123456789\"\n", l, diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "hcl.limit.bytes");
}

TEST(HclLimits, Depth) {
  core::Diagnostics diags;
  Limits l;
  l.max_depth = 20;
  std::string deep = "a = " + std::string(30, '[') + std::string(30, ']') + "\n";
  auto f = parse_native("t.tf", deep, l, diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "hcl.limit.depth");
  EXPECT_EQ(f.error().location->line, 1u);
  // Deeply nested blocks and templates hit the same limit.
  std::string blocks;
  for (int i = 0; i < 30; ++i) blocks += "b {\n";
  for (int i = 0; i < 30; ++i) blocks += "}\n";
  auto g = parse_native("t.tf", blocks, l, diags);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "hcl.limit.depth");
  std::string tmpl = "a = ";
  for (int i = 0; i < 30; ++i) tmpl += "\"${";
  tmpl += "1";
  for (int i = 0; i < 30; ++i) tmpl += "}\"";
  auto h = parse_native("t.tf", tmpl + "\n", l, diags);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "hcl.limit.depth");
  // The default limit handles a very deep input without exhausting the stack.
  std::string huge = "a = " + std::string(100000, '(') + "\n";
  auto k = parse_native("t.tf", huge, Limits{}, diags);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, "hcl.limit.depth");
}

TEST(HclLimits, Nodes) {
  core::Diagnostics diags;
  Limits l;
  l.max_nodes = 50;
  std::string text = "a = [";
  for (int i = 0; i < 100; ++i) text += "1,";
  auto f = parse_native("t.tf", text + "]\n", l, diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "hcl.limit.nodes");
}

TEST(HclLimits, TemplateLength) {
  core::Diagnostics diags;
  Limits l;
  l.max_template = 16;
  auto f = parse_native("t.tf", "a = <<EOT\n" + std::string(100, 'x') + "\nEOT\n", l, diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "hcl.limit.template");
  EXPECT_TRUE(parse_native("t.tf", "a = \"short\"\n", l, diags).ok());
}

// --- JSON syntax -----------------------------------------------------------------------

TEST(HclJson, TerraformBlocksLabelsAndTemplates) {
  core::Diagnostics diags;
  auto f = parse_json("main.tf.json", R"({
  "resource": {"aws_s3_bucket": {"b": {"bucket": "${var.name}-logs", "count": 2,
    "versioning": {"enabled": true}, "tags": {"a": "x"}}}},
  "variable": {"name": {"type": "string", "default": "n"}},
  "locals": {"l": {"k": "v"}},
  "terraform": {"backend": {"s3": {"bucket": "st"}}, "required_providers": {"aws": {"source": "hashicorp/aws"}}},
  "//": "a comment"
})",
                      Limits{}, diags);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  ASSERT_FALSE(f->has_errors()) << diags.to_text();
  EXPECT_EQ(f->syntax(), Syntax::kJson);
  ASSERT_EQ(f->body().blocks.size(), 4u);
  const Block& r = *f->body().blocks[0];
  EXPECT_EQ(r.type, "resource");
  ASSERT_EQ(r.labels.size(), 2u);
  EXPECT_EQ(r.labels[1].value, "b");
  const Attribute* bucket = r.body->find_attribute("bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(show(*bucket->expr), "T<${var.name}'-logs'>");
  EXPECT_EQ(bucket->expr->range.start.line, 2u);
  const Attribute* versioning = r.body->find_attribute("versioning");
  ASSERT_EQ(versioning->json_blocks.size(), 1u);
  EXPECT_EQ(versioning->json_blocks[0]->type, "versioning");
  EXPECT_NE(versioning->json_blocks[0]->body->find_attribute("enabled"), nullptr);
  const Block& v = *f->body().blocks[1];
  ASSERT_EQ(v.labels.size(), 1u);
  EXPECT_EQ(show(*v.body->find_attribute("type")->expr), "string");  // an expression, not a template
  const Block& l = *f->body().blocks[2];
  EXPECT_TRUE(l.labels.empty());
  EXPECT_TRUE(l.body->find_attribute("l")->json_blocks.empty());
  const Block& t = *f->body().blocks[3];
  ASSERT_EQ(t.body->blocks.size(), 2u);
  EXPECT_EQ(t.body->blocks[0]->type, "backend");
  EXPECT_EQ(t.body->blocks[0]->labels[0].value, "s3");
  EXPECT_EQ(t.body->blocks[1]->type, "required_providers");
}

TEST(HclJson, ArraysOfBlocksAndTfvars) {
  core::Diagnostics diags;
  auto f = parse_json("m.tf.json", R"({"resource": [{"a": {"x": {}}}, {"a": {"y": {"ingress": [{"p": 1}, {"p": 2}]}}}]})",
                      Limits{}, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->body().blocks.size(), 2u);
  EXPECT_EQ(f->body().blocks[1]->body->find_attribute("ingress")->json_blocks.size(), 2u);
  auto v = parse_json("x.tfvars.json", R"({"name": "${not_a_template}", "n": 1.5})", Limits{}, diags, true);
  ASSERT_TRUE(v.ok());
  const Attribute* name = v->body().find_attribute("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(show(*name->expr), "'${not_a_template}'");
  EXPECT_DOUBLE_EQ(v->body().find_attribute("n")->expr->as<LiteralExpr>().number, 1.5);
}

TEST(HclJson, Errors) {
  core::Diagnostics diags;
  auto f = parse_json("m.tf.json", "{\"a\": ", Limits{}, diags);
  EXPECT_FALSE(f.ok());
  auto g = parse_json("m.tf.json", "[1]", Limits{}, diags);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->has_errors());
  core::Diagnostics d2;
  auto h = parse_json("m.tf.json", R"({"locals": {"x": "${"}})", Limits{}, d2);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->has_errors());
  EXPECT_EQ(d2.items()[0].location.line, 1u);
  auto k = parse_file("m.tf.json", R"({"locals": {"x": 1}})", Limits{}, d2);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->syntax(), Syntax::kJson);
}

// --- hcl2json rendering ----------------------------------------------------------------

TEST(HclToJson, RendersLikeHcl2json) {
  File f = parse_ok(
      "resource \"a\" \"b\" {\n  n = 1\n  s = \"x${var.y}\"\n  w = \"${var.z}\"\n  l = [true, null]\n"
      "  e = var.e\n  t = \"$${lit}\"\n  inner { k = -1 }\n}\nlocals { x = 1 }\nlocals { y = 2 }\n");
  EXPECT_EQ(to_hcl2json(f),
            R"({"resource":{"a":{"b":[{"inner":[{"k":-1}],"n":1,"s":"x${var.y}","w":"${var.z}","l":[true,null],)"
            R"("e":"${var.e}","t":"$${lit}"}]}},"locals":[{"x":1},{"y":2}]})");
}

}  // namespace
}  // namespace sekimori::hcl

namespace sekimori::hcl {
namespace {

// Every expression form: the root's range is exactly its source text.
TEST(HclRanges, EveryExpressionFormCoversItsSource) {
  for (const char* text :
       {"1", "1.5e3", "true", "null", "\"s\"", "\"a${b}c\"", "\"%{if a}b%{endif}\"", "[1, 2]", "[]", "{a = 1}",
        "{}", "var.a", "var.a.b[0][\"k\"]", "f(1).a", "f(1)[x]", "m[k]", "a[*].b", "a[*]", "a.*.b", "f(a, b...)",
        "provider::p::f(1)", "a ? b : c", "a + b * c", "!a", "-a", "(a)", "[for x in xs : x]",
        "{for k, v in m : k => v... if v}", "a.0", "x[\"${y}\"]"}) {
    File f = expr_file(text);
    ASSERT_NE(f.expr(), nullptr) << text;
    EXPECT_EQ(f.source(f.expr()->range), text) << expr_kind_name(f.expr()->kind);
    EXPECT_EQ(f.expr()->range.start.column, 1u) << text;
  }
}

TEST(HclRanges, SubExpressionsAndParts) {
  File f = expr_file("cond ? f(x, \"a${y}\") : [for v in vs : v.id]");
  const auto& c = f.expr()->as<ConditionalExpr>();
  EXPECT_EQ(f.source(c.condition->range), "cond");
  const auto& call = c.true_result->as<CallExpr>();
  EXPECT_EQ(f.source(call.range), "f(x, \"a${y}\")");
  const auto& t = call.args[1]->as<TemplateExpr>();
  ASSERT_EQ(t.parts.size(), 2u);
  EXPECT_EQ(f.source(t.parts[0].range), "a");
  EXPECT_EQ(f.source(t.parts[1].range), "${y}");
  EXPECT_EQ(f.source(t.parts[1].expr->range), "y");
  const auto& fe = c.false_result->as<ForExpr>();
  EXPECT_EQ(f.source(fe.collection->range), "vs");
  EXPECT_EQ(f.source(fe.value->range), "v.id");
  File g = expr_file("a * (b + c) - d");
  const auto& sub = g.expr()->as<BinaryExpr>();
  EXPECT_EQ(g.source(sub.op_range), "-");
  EXPECT_EQ(g.source(sub.lhs->range), "a * (b + c)");
  EXPECT_EQ(g.source(sub.lhs->as<BinaryExpr>().rhs->range), "(b + c)");
}

TEST(HclRanges, HeredocAndBlockRanges) {
  File f = parse_ok("x = <<EOT\nhello ${name}\nEOT\n\nb \"l\" {\n}\n");
  const auto& t = attr(f, "x").as<TemplateExpr>();
  EXPECT_EQ(f.source(t.range), "<<EOT\nhello ${name}\nEOT");
  EXPECT_EQ(t.parts[1].range.start.line, 2u);
  EXPECT_EQ(t.parts[1].range.start.column, 7u);
  const Block& b = *f.body().blocks[0];
  EXPECT_EQ(f.source(b.range), "b \"l\" {\n}");
  EXPECT_EQ(b.body->range.start.line, 5u);
}

TEST(HclJson, Limits) {
  core::Diagnostics diags;
  Limits l;
  l.max_depth = 10;
  std::string deep = "{\"locals\": {\"x\": " + std::string(20, '[') + std::string(20, ']') + "}}";
  auto f = parse_json("d.tf.json", deep, l, diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code.rfind("hcl.limit.depth", 0) == 0 || f.error().code == "doc.limit.depth", true)
      << f.error().code;
  Limits n;
  n.max_nodes = 5;
  auto g = parse_json("n.tf.json", R"({"locals": {"a": [1, 2, 3, 4, 5, 6, 7]}})", n, diags);
  ASSERT_FALSE(g.ok());
  Limits b;
  b.max_bytes = 4;
  auto h = parse_json("b.tf.json", R"({"locals": {}})", b, diags);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "hcl.limit.bytes");
}

TEST(HclFile, MovedFileKeepsPointersValid) {
  core::Diagnostics diags;
  auto f = parse_native("m.tf", "a = \"x${y}\"\n", Limits{}, diags);
  ASSERT_TRUE(f.ok());
  const Expr* e = f->body().attributes[0]->expr;
  File moved = std::move(f).value();
  EXPECT_EQ(moved.body().attributes[0]->expr, e);
  EXPECT_EQ(*e->range.file, "m.tf");
  EXPECT_EQ(moved.source(e->range), "\"x${y}\"");
}

}  // namespace
}  // namespace sekimori::hcl

namespace sekimori::hcl {
namespace {

TEST(HclErrors, ManyErrorsStopAfterAHundred) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "= = \"x\n";
  core::Diagnostics diags;
  auto f = parse_native("many.tf", text, Limits{}, diags);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->has_errors());
  EXPECT_EQ(diags.items().size(), 101u);
  EXPECT_NE(diags.items().back().message.find("too many syntax errors"), std::string::npos);
}

TEST(HclErrors, ManyDuplicateAttributesKeepTheFirst) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "a = " + std::to_string(i) + "\n";
  core::Diagnostics diags;
  auto f = parse_native("dup.tf", text, Limits{}, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->body().attributes.size(), 1u);
  EXPECT_EQ(f->body().attributes[0]->expr->as<LiteralExpr>().integer, 0);
}

}  // namespace
}  // namespace sekimori::hcl

namespace sekimori::hcl {
namespace {

// Found by the fuzzer, compared with hcl2json: identifiers take letters, not any byte.
TEST(HclUnicode, IdentifiersRejectInvalidUtf8AndSymbols) {
  for (const char* text : {"a = x\xffy\n", "a = a\xe2\x80\x94" "b\n", "a = \xf0\x9f\x98\x80\n", "a\xc2\xa0 = 1\n"}) {
    core::Diagnostics diags;
    auto f = parse_native("u.tf", text, Limits{}, diags);
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->has_errors()) << text;
  }
  File f = parse_ok("\xc3\xa9t\xc3\xa9 = \xe4\xb8\xad\na\xc2\xb5 = 1\n");
  EXPECT_EQ(f.body().attributes[0]->name, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(show(attr(f, "a\xc2\xb5")), "1");
}

// Found by the fuzzer: `~` trimming after an invalid byte removed one space too few.
TEST(HclUnicode, StripMarkerAfterInvalidByte) {
  File f = parse_ok("a = \"\x97  ${~ x}\"\n");
  EXPECT_EQ(attr(f, "a").as<TemplateExpr>().parts[0].text, "\x97");
}

}  // namespace
}  // namespace sekimori::hcl
