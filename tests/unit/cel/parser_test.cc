// Tests for cel::parse: literals and escapes, precedence, macros, optional syntax,
// reserved words, error locations and limits. ASTs are compared in a compact
// s-expression form (see sexpr below).
#include "cel/parser.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <string>

namespace sekimori::cel {
namespace {

std::string quote(std::string_view s, bool bytes) {
  std::string out = bytes ? "b\"" : "\"";
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F || (bytes && u >= 0x80)) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string constant(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return "null";
    case Kind::kBool: return v.as_bool() ? "true" : "false";
    case Kind::kInt: return std::to_string(v.as_int());
    case Kind::kUint: return std::to_string(v.as_uint()) + "u";
    case Kind::kDouble: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());
      std::string s(buf, r.ptr);
      if (s.find_first_of(".en") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: return quote(v.as_string(), false);
    case Kind::kBytes: return quote(v.as_bytes(), true);
    default: return "<?>";
  }
}

// Compact form: f(a, b), t.f(a), a.b, has(a.b), [a, ?b], {k: v, ?k: v}, T{f: v},
// comp(var[, var2], range, accu, init, cond, step, result).
std::string sexpr(const Expr& e) {
  auto join = [](const std::vector<ExprPtr>& args) {
    std::string s;
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + sexpr(*args[i]);
    return s;
  };
  switch (e.kind) {
    case ExprKind::kConst: return constant(e.constant);
    case ExprKind::kIdent: return e.name;
    case ExprKind::kSelect: {
      std::string s = sexpr(*e.target) + "." + e.name;
      return e.test_only ? "has(" + s + ")" : s;
    }
    case ExprKind::kCall:
      return (e.target ? sexpr(*e.target) + "." : "") + e.name + "(" + join(e.args) + ")";
    case ExprKind::kList: {
      std::string s = "[";
      std::set<uint32_t> opt(e.optional_indices.begin(), e.optional_indices.end());
      for (size_t i = 0; i < e.args.size(); ++i) {
        s += (i ? ", " : "") + std::string(opt.count(static_cast<uint32_t>(i)) ? "?" : "") +
             sexpr(*e.args[i]);
      }
      return s + "]";
    }
    case ExprKind::kMap:
    case ExprKind::kStruct: {
      std::string s = e.kind == ExprKind::kStruct ? e.name + "{" : "{";
      for (size_t i = 0; i < e.entries.size(); ++i) {
        const MapEntry& m = e.entries[i];
        s += (i ? ", " : "") + std::string(m.optional ? "?" : "") +
             (m.key ? sexpr(*m.key) : m.field) + ": " + sexpr(*m.value);
      }
      return s + "}";
    }
    case ExprKind::kComprehension: {
      const Comprehension& c = *e.comprehension;
      return "comp(" + c.iter_var + (c.iter_var2.empty() ? "" : ", " + c.iter_var2) + ", " +
             sexpr(*c.iter_range) + ", " + c.accu_var + ", " + sexpr(*c.accu_init) + ", " +
             sexpr(*c.loop_condition) + ", " + sexpr(*c.loop_step) + ", " + sexpr(*c.result) +
             ")";
    }
  }
  return "<?>";
}

// The s-expression of the parsed text, or "error: <code> <line>:<col>: <message>".
std::string p(std::string_view text, const ParseOptions& options = {}) {
  auto r = parse(text, options);
  if (!r.ok()) {
    const auto& err = r.error();
    std::string loc = err.location ? std::to_string(err.location->line) + ":" +
                                         std::to_string(err.location->column)
                                   : "?";
    return "error: " + err.code + " " + loc + ": " + err.message;
  }
  return sexpr(r->root());
}

// "line:col" of the error for text (empty if it parses).
std::string err_at(std::string_view text) {
  auto r = parse(text);
  if (r.ok() || !r.error().location) return "";
  return std::to_string(r.error().location->line) + ":" + std::to_string(r.error().location->column);
}

bool fails(std::string_view text) { return !parse(text).ok(); }

const Value& const_of(const Ast& ast) { return ast.root().constant; }

Value value_of(std::string_view text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return Value::null();
  EXPECT_EQ(r->root().kind, ExprKind::kConst) << text;
  return const_of(*r);
}

std::string str(std::string_view text) {
  Value v = value_of(text);
  EXPECT_EQ(v.kind(), Kind::kString) << text;
  return std::string(v.as_string());
}

std::string bytes(std::string_view text) {
  Value v = value_of(text);
  EXPECT_EQ(v.kind(), Kind::kBytes) << text;
  return std::string(v.as_bytes());
}

// ---------------------------------------------------------------------------------------
// Literals.

TEST(CelParserLiteral, Ints) {
  EXPECT_EQ(p("0"), "0");
  EXPECT_EQ(p("42"), "42");
  EXPECT_EQ(p("007"), "7");
  EXPECT_EQ(p("0x55555555"), "1431655765");
  EXPECT_EQ(p("0xFf"), "255");
  EXPECT_EQ(p("9223372036854775807"), "9223372036854775807");
}

TEST(CelParserLiteral, IntMinFoldsThroughUnaryMinus) {
  EXPECT_EQ(value_of("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(value_of("-0x8000000000000000").as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(p("-1"), "-1");
  EXPECT_EQ(p("- 1"), "-1");
}

TEST(CelParserLiteral, IntOutOfRange) {
  EXPECT_EQ(p("9223372036854775808"), "error: cel.parse 1:1: integer literal out of range");
  EXPECT_TRUE(fails("-9223372036854775809"));
  EXPECT_TRUE(fails("99999999999999999999999"));
  EXPECT_TRUE(fails("0x10000000000000000"));
  EXPECT_EQ(err_at("1 + 9223372036854775808"), "1:5");
}

TEST(CelParserLiteral, MinusOnLiteralWithPostfixIsACall) {
  EXPECT_EQ(p("-1.foo()"), "-_(1.foo())");
  EXPECT_EQ(p("-[1][0]"), "-_(_[_]([1], 0))");
  EXPECT_EQ(p("--5"), "-_(-5)");
  EXPECT_EQ(p("-(5)"), "-_(5)");
  EXPECT_TRUE(fails("-(9223372036854775808)"));
  EXPECT_EQ(p("-x"), "-_(x)");
}

TEST(CelParserLiteral, Uints) {
  EXPECT_EQ(p("0u"), "0u");
  EXPECT_EQ(p("123456789U"), "123456789u");
  EXPECT_EQ(p("0x55555555u"), "1431655765u");
  EXPECT_EQ(p("18446744073709551615u"), "18446744073709551615u");
  EXPECT_EQ(p("0xFFFFFFFFFFFFFFFFu"), "18446744073709551615u");
  EXPECT_TRUE(fails("18446744073709551616u"));
  EXPECT_EQ(p("-1u"), "-_(1u)");
}

TEST(CelParserLiteral, Doubles) {
  EXPECT_EQ(p("1.5"), "1.5");
  EXPECT_EQ(p(".5"), "0.5");
  EXPECT_EQ(p("1e3"), "1000.0");
  EXPECT_EQ(p("1.5e-3"), "0.0015");
  EXPECT_EQ(p("1e+3"), "1000.0");
  EXPECT_EQ(p("0e+0"), "0.0");
  EXPECT_EQ(p("2E2"), "200.0");
  EXPECT_EQ(p("-2.3e+1"), "-23.0");
  EXPECT_EQ(p("1e-400"), "0.0");
  EXPECT_TRUE(fails("1e400"));
}

TEST(CelParserLiteral, NumberFollowedByDotIsNotADouble) {
  EXPECT_TRUE(fails("1."));
  EXPECT_EQ(p("1.e3"), "1.e3");  // selection of field e3 on 1: parses, fails at runtime
  EXPECT_TRUE(fails("1.5u"));
  EXPECT_TRUE(fails("0x"));
  EXPECT_TRUE(fails("1e"));
}

TEST(CelParserLiteral, BoolsAndNull) {
  EXPECT_EQ(p("true"), "true");
  EXPECT_EQ(p("false"), "false");
  EXPECT_EQ(p("null"), "null");
}

TEST(CelParserLiteral, StringQuotes) {
  EXPECT_EQ(str("'hello'"), "hello");
  EXPECT_EQ(str("\"hello\""), "hello");
  EXPECT_EQ(str("'''hello'''"), "hello");
  EXPECT_EQ(str("\"\"\"hello\"\"\""), "hello");
  EXPECT_EQ(str("''"), "");
  EXPECT_EQ(str("'\"\"'"), "\"\"");
  EXPECT_EQ(str("'''x''x'''"), "x''x");
  EXPECT_EQ(str("''''''"), "");
  EXPECT_EQ(str("r''''''"), "");
}

TEST(CelParserLiteral, TripleQuotedSpansLines) {
  EXPECT_EQ(str("'''a\nb\r\nc'''"), "a\nb\r\nc");
  EXPECT_EQ(str("\"\"\" ? \" ' ` \"\"\""), " ? \" ' ` ");
}

TEST(CelParserLiteral, SingleQuotedRejectsLineBreaks) {
  EXPECT_EQ(err_at("'a\nb'"), "1:3");
  EXPECT_TRUE(fails("\"a\rb\""));
}

TEST(CelParserLiteral, PunctuationEscapes) {
  EXPECT_EQ(str(R"(' \\ \? \" \' \` ')"), " \\ ? \" ' ` ");
  EXPECT_EQ(str(R"(""" \\ \? \" \' \` """)"), " \\ ? \" ' ` ");
}

TEST(CelParserLiteral, ControlEscapes) {
  EXPECT_EQ(str(R"("\a\b\f\n\r\t\v")"), "\a\b\f\n\r\t\v");
}

TEST(CelParserLiteral, HexEscapesInStringsAreCodePoints) {
  EXPECT_EQ(str(R"('\x4a\x4B\X4c\X4D')"), "JKLM");
  EXPECT_EQ(str(R"('\xFF')"), "\xC3\xBF");
  EXPECT_EQ(str(R"('\x00')"), std::string(1, '\0'));
}

TEST(CelParserLiteral, OctalEscapesInStringsAreCodePoints) {
  EXPECT_EQ(str(R"('\000\012\177')"), std::string("\0\n\x7f", 3));
  EXPECT_EQ(str(R"("\303\277")"), "\xC3\x83\xC2\xBF");
  EXPECT_EQ(str(R"("\377")"), "\xC3\xBF");
}

TEST(CelParserLiteral, UnicodeEscapes) {
  EXPECT_EQ(str(R"("\u270c")"), "\xE2\x9C\x8C");
  EXPECT_EQ(str(R"("\U0001f431")"), "\xF0\x9F\x90\xB1");
  EXPECT_EQ(str(R"('\u01aB\U000001aB')"), "\xC6\xAB\xC6\xAB");
  EXPECT_EQ(str(R"('\U00088888')"), "\xF2\x88\xA2\x88");
}

TEST(CelParserLiteral, SurrogateAndOutOfRangeEscapesAreErrors) {
  EXPECT_TRUE(fails(R"("\uD800")"));
  EXPECT_TRUE(fails(R"("\udfff")"));
  EXPECT_TRUE(fails(R"("\U0000D800")"));
  EXPECT_TRUE(fails(R"("\U00110000")"));
  EXPECT_EQ(err_at(R"("ab\uD83D\uDC31")"), "1:4");
}

TEST(CelParserLiteral, InvalidEscapes) {
  EXPECT_EQ(p(R"("\q")"), "error: cel.parse 1:2: invalid escape sequence '\\q'");
  EXPECT_TRUE(fails(R"("\x4")"));
  EXPECT_TRUE(fails(R"("\xZZ")"));
  EXPECT_TRUE(fails(R"("\u12")"));
  EXPECT_TRUE(fails(R"("\U1234567")"));
  EXPECT_TRUE(fails(R"("\400")"));
  EXPECT_TRUE(fails(R"("\08")"));
  EXPECT_TRUE(fails(R"("\7")"));
  EXPECT_TRUE(fails("\"\\"));
}

TEST(CelParserLiteral, RawStringsKeepBackslashes) {
  EXPECT_EQ(str(R"(r'\n\x00\u0000')"), R"(\n\x00\u0000)");
  EXPECT_EQ(str(R"(R"\\")"), R"(\\)");
  EXPECT_EQ(str(R"(r'''a\''')"), R"(a\)");
  EXPECT_TRUE(fails(R"(r'''a\'''')"));
  EXPECT_EQ(str(R"(r"\q")"), R"(\q)");
  EXPECT_EQ(str(R"(r"")"), "");
}

TEST(CelParserLiteral, Bytes) {
  EXPECT_EQ(bytes("b'hello'"), "hello");
  EXPECT_EQ(bytes("B\"hello\""), "hello");
  EXPECT_EQ(bytes("b'''hello'''"), "hello");
  EXPECT_EQ(bytes("b\"\""), "");
  EXPECT_EQ(bytes("b'\xC3\xBF'"), "\xC3\xBF");
}

TEST(CelParserLiteral, BytesEscapesAreOctets) {
  EXPECT_EQ(bytes(R"(b'\000\xff')"), std::string("\0\xff", 2));
  EXPECT_EQ(bytes(R"(b"\303\277")"), "\xC3\xBF");
  EXPECT_EQ(bytes(R"(b"\377\XFF\x0A")"), "\xff\xff\n");
  EXPECT_EQ(bytes(R"(b' \\ \? \" \' \` ')"), " \\ ? \" ' ` ");
}

TEST(CelParserLiteral, BytesRejectUnicodeEscapes) {
  EXPECT_TRUE(fails(R"(b"\u0041")"));
  EXPECT_TRUE(fails(R"(b"\U00000041")"));
}

TEST(CelParserLiteral, RawBytesPrefixes) {
  for (const char* prefix : {"rb", "rB", "Rb", "RB", "br", "bR", "Br", "BR"}) {
    EXPECT_EQ(bytes(std::string(prefix) + R"('\x00')"), R"(\x00)") << prefix;
  }
}

TEST(CelParserLiteral, NotAStringPrefix) {
  // Only r, b and their pairs prefix literals; other identifiers before a quote are errors.
  EXPECT_TRUE(fails("rr'x'"));
  EXPECT_TRUE(fails("bb'x'"));
  EXPECT_TRUE(fails("x'a'"));
  EXPECT_EQ(p("r + b"), "_+_(r, b)");
}

TEST(CelParserLiteral, UnterminatedLiterals) {
  EXPECT_EQ(err_at("  'abc"), "1:3");
  EXPECT_EQ(err_at("b\"abc"), "1:1");
  EXPECT_EQ(err_at("'''abc''"), "1:1");
  EXPECT_TRUE(fails("r'abc"));
}

TEST(CelParserLiteral, StringsMustBeValidUtf8) {
  EXPECT_EQ(str("'\xCF\x80\xC3\xA9'"), "\xCF\x80\xC3\xA9");
  EXPECT_EQ(err_at("'ab\xFF'"), "1:4");
  EXPECT_TRUE(fails("'\xC0\xAF'"));          // overlong
  EXPECT_TRUE(fails("'\xED\xA0\x80'"));      // encoded surrogate
  EXPECT_TRUE(fails("'\xF4\x90\x80\x80'"));  // above U+10FFFF
  EXPECT_TRUE(fails("'\xE2\x9C'"));          // truncated
}

TEST(CelParserLiteral, UnescapedControlCharactersAllowedInStrings) {
  EXPECT_EQ(str("' \a \b \f \t \v '"), " \a \b \f \t \v ");
  EXPECT_EQ(str(std::string("'\0'", 3)), std::string(1, '\0'));
}

// ---------------------------------------------------------------------------------------
// Lexical structure.

TEST(CelParserLexical, Whitespace) {
  EXPECT_EQ(p(" \t\r\n\f1\f+\r2 "), "_+_(1, 2)");
}

TEST(CelParserLexical, Comments) {
  EXPECT_EQ(p("1 // one\n + // two\r 2 // end"), "_+_(1, 2)");
  EXPECT_EQ(p("// only a comment\n x"), "x");
  EXPECT_TRUE(fails("// nothing"));
  EXPECT_EQ(p("4 / 2"), "_/_(4, 2)");
}

TEST(CelParserLexical, UnexpectedCharacters) {
  EXPECT_EQ(p("1 # 2"), "error: cel.parse 1:3: unexpected character '#'");
  EXPECT_TRUE(fails("a = b"));
  EXPECT_TRUE(fails("a & b"));
  EXPECT_TRUE(fails("a | b"));
  EXPECT_TRUE(fails("a; b"));
  EXPECT_TRUE(fails("@in(a, b)"));
  EXPECT_TRUE(fails("\xCF\x80"));
  EXPECT_TRUE(fails(std::string("a\0", 2)));
}

TEST(CelParserLexical, Identifiers) {
  EXPECT_EQ(p("_a1_B"), "_a1_B");
  EXPECT_EQ(p("input.items"), "input.items");
  EXPECT_EQ(p("truex"), "truex");
  EXPECT_EQ(p("in_x"), "in_x");
  EXPECT_EQ(p("nullable"), "nullable");
}

// ---------------------------------------------------------------------------------------
// Operators, precedence and associativity.

TEST(CelParserOperators, ArithmeticPrecedence) {
  EXPECT_EQ(p("1 + 2 * 3"), "_+_(1, _*_(2, 3))");
  EXPECT_EQ(p("1 * 2 + 3"), "_+_(_*_(1, 2), 3)");
  EXPECT_EQ(p("(1 + 2) * 3"), "_*_(_+_(1, 2), 3)");
  EXPECT_EQ(p("a % b / c * d"), "_*_(_/_(_%_(a, b), c), d)");
}

TEST(CelParserOperators, LeftAssociative) {
  EXPECT_EQ(p("1 - 2 - 3"), "_-_(_-_(1, 2), 3)");
  EXPECT_EQ(p("a || b || c"), "_||_(_||_(a, b), c)");
  EXPECT_EQ(p("a && b && c"), "_&&_(_&&_(a, b), c)");
  EXPECT_EQ(p("8 / 4 / 2"), "_/_(_/_(8, 4), 2)");
}

TEST(CelParserOperators, RelationsChainLeftAssociative) {
  EXPECT_EQ(p("a < b < c"), "_<_(_<_(a, b), c)");
  EXPECT_EQ(p("a == b != c"), "_!=_(_==_(a, b), c)");
}

TEST(CelParserOperators, AllRelations) {
  EXPECT_EQ(p("a < b"), "_<_(a, b)");
  EXPECT_EQ(p("a <= b"), "_<=_(a, b)");
  EXPECT_EQ(p("a > b"), "_>_(a, b)");
  EXPECT_EQ(p("a >= b"), "_>=_(a, b)");
  EXPECT_EQ(p("a == b"), "_==_(a, b)");
  EXPECT_EQ(p("a != b"), "_!=_(a, b)");
  EXPECT_EQ(p("a in b"), "@in(a, b)");
}

TEST(CelParserOperators, LogicalPrecedence) {
  EXPECT_EQ(p("a || b && c"), "_||_(a, _&&_(b, c))");
  EXPECT_EQ(p("a && b == c"), "_&&_(a, _==_(b, c))");
  EXPECT_EQ(p("a == b + c"), "_==_(a, _+_(b, c))");
  EXPECT_EQ(p("x in [1] && y"), "_&&_(@in(x, [1]), y)");
}

TEST(CelParserOperators, Conditional) {
  EXPECT_EQ(p("a ? b : c"), "_?_:_(a, b, c)");
  EXPECT_EQ(p("a || b ? c && d : e"), "_?_:_(_||_(a, b), _&&_(c, d), e)");
}

TEST(CelParserOperators, ConditionalIsRightAssociative) {
  EXPECT_EQ(p("a ? b : c ? d : e"), "_?_:_(a, b, _?_:_(c, d, e))");
}

TEST(CelParserOperators, ConditionalMiddleIsNotAConditional) {
  // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
  EXPECT_TRUE(fails("a ? b ? c : d : e"));
  EXPECT_EQ(p("a ? (b ? c : d) : e"), "_?_:_(a, _?_:_(b, c, d), e)");
  EXPECT_TRUE(fails("a ? b"));
}

TEST(CelParserOperators, Unary) {
  EXPECT_EQ(p("!a"), "!_(a)");
  EXPECT_EQ(p("!!a"), "!_(!_(a))");
  EXPECT_EQ(p("-a"), "-_(a)");
  EXPECT_EQ(p("--a"), "-_(-_(a))");
  EXPECT_EQ(p("!a && b"), "_&&_(!_(a), b)");
  EXPECT_EQ(p("-a * b"), "_*_(-_(a), b)");
  EXPECT_EQ(p("!a.b"), "!_(a.b)");
  EXPECT_EQ(p("a - -b"), "_-_(a, -_(b))");
}

TEST(CelParserOperators, UnaryOperatorsDoNotMix) {
  // Unary = "!" {"!"} Member | "-" {"-"} Member
  EXPECT_TRUE(fails("!-a"));
  EXPECT_TRUE(fails("-!a"));
  EXPECT_EQ(p("!(-a)"), "!_(-_(a))");
}

TEST(CelParserOperators, MissingOperands) {
  EXPECT_TRUE(fails(""));
  EXPECT_TRUE(fails("   "));
  EXPECT_TRUE(fails("1 +"));
  EXPECT_TRUE(fails("* 2"));
  EXPECT_TRUE(fails("1 2"));
  EXPECT_TRUE(fails("()"));
  EXPECT_TRUE(fails("(1"));
  EXPECT_TRUE(fails("1)"));
}

// ---------------------------------------------------------------------------------------
// Member access, calls, indexing.

TEST(CelParserMember, SelectAndIndex) {
  EXPECT_EQ(p("a.b.c"), "a.b.c");
  EXPECT_EQ(p("a[0]"), "_[_](a, 0)");
  EXPECT_EQ(p("a['k'].b[1]"), "_[_](_[_](a, \"k\").b, 1)");
  EXPECT_EQ(p("(a + b).c"), "_+_(a, b).c");
  EXPECT_EQ(p("[1, 2][0]"), "_[_]([1, 2], 0)");
}

TEST(CelParserMember, Calls) {
  EXPECT_EQ(p("f()"), "f()");
  EXPECT_EQ(p("f(1, 2)"), "f(1, 2)");
  EXPECT_EQ(p("a.f(1)"), "a.f(1)");
  EXPECT_EQ(p("a.b.f().g(x, y)"), "a.b.f().g(x, y)");
  EXPECT_EQ(p("size(input.items) > 0"), "_>_(size(input.items), 0)");
  EXPECT_EQ(p("'a'.startsWith('b')"), "\"a\".startsWith(\"b\")");
}

TEST(CelParserMember, CallArgumentsHaveNoTrailingComma) {
  EXPECT_TRUE(fails("f(1,)"));
  EXPECT_TRUE(fails("f(,)"));
  EXPECT_TRUE(fails("a.f(1 2)"));
}

TEST(CelParserMember, MemberCallHasTarget) {
  auto r = parse("a.f(1)");
  ASSERT_TRUE(r.ok());
  const Expr& root = r->root();
  EXPECT_EQ(root.kind, ExprKind::kCall);
  ASSERT_NE(root.target, nullptr);
  EXPECT_EQ(root.target->name, "a");
  EXPECT_EQ(root.name, "f");
  ASSERT_EQ(root.args.size(), 1u);
}

TEST(CelParserMember, LeadingDot) {
  EXPECT_EQ(p(".a"), ".a");
  EXPECT_EQ(p(".a.b"), ".a.b");
  EXPECT_EQ(p(".f(1)"), ".f(1)");
  auto r = parse(".x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().kind, ExprKind::kIdent);
  EXPECT_EQ(r->root().name, ".x");
  EXPECT_TRUE(fails(".1a"));
  EXPECT_TRUE(fails(". (a)"));
}

TEST(CelParserMember, QuotedFieldNames) {
  EXPECT_EQ(p("a.`b-c`"), "a.b-c");
  EXPECT_EQ(p("a.`b.c/d e_1`"), "a.b.c/d e_1");
  EXPECT_EQ(p("has(a.`b-c`)"), "has(a.b-c)");
  EXPECT_EQ(p("a.?`b-c`"), "_?._(a, \"b-c\")");
  EXPECT_TRUE(fails("a.``"));
  EXPECT_TRUE(fails("a.`b"));
  EXPECT_TRUE(fails("a.`b+c`"));
  EXPECT_TRUE(fails("`a`"));
  EXPECT_TRUE(fails("a.`f`()"));
}

TEST(CelParserMember, SelectNeedsAName) {
  EXPECT_TRUE(fails("a."));
  EXPECT_TRUE(fails("a.1"));
  EXPECT_TRUE(fails("a.true"));
  EXPECT_TRUE(fails("a.in"));
  EXPECT_TRUE(fails("a[1"));
  EXPECT_TRUE(fails("a[]"));
}

// ---------------------------------------------------------------------------------------
// Aggregate literals.

TEST(CelParserAggregate, Lists) {
  EXPECT_EQ(p("[]"), "[]");
  EXPECT_EQ(p("[1]"), "[1]");
  EXPECT_EQ(p("[1, 'a', [2]]"), "[1, \"a\", [2]]");
  EXPECT_EQ(p("[1, 2,]"), "[1, 2]");
  EXPECT_EQ(p("[,]"), "[]");  // [ListElems] [","] allows it, as cel-go does
  EXPECT_TRUE(fails("[1,,2]"));
  EXPECT_TRUE(fails("[1 2]"));
  EXPECT_TRUE(fails("[1"));
}

TEST(CelParserAggregate, Maps) {
  EXPECT_EQ(p("{}"), "{}");
  EXPECT_EQ(p("{'a': 1, 2: b}"), "{\"a\": 1, 2: b}");
  EXPECT_EQ(p("{'a': 1,}"), "{\"a\": 1}");
  EXPECT_EQ(p("{a.b: {}}"), "{a.b: {}}");
  EXPECT_TRUE(fails("{'a'}"));
  EXPECT_TRUE(fails("{'a': }"));
  EXPECT_TRUE(fails("{'a': 1 'b': 2}"));
  EXPECT_TRUE(fails("{,,}"));
}

TEST(CelParserAggregate, MessageLiterals) {
  EXPECT_EQ(p("TestAllTypes{}"), "TestAllTypes{}");
  EXPECT_EQ(p("a.b.Msg{f: 1, g: x,}"), "a.b.Msg{f: 1, g: x}");
  EXPECT_EQ(p(".a.Msg{f: 1}"), ".a.Msg{f: 1}");
  EXPECT_EQ(p("Msg{f: 1}.f"), "Msg{f: 1}.f");
  EXPECT_EQ(p("Msg{`a-b`: 1}"), "Msg{a-b: 1}");
  auto r = parse("pkg.Msg{field: v}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().kind, ExprKind::kStruct);
  EXPECT_EQ(r->root().name, "pkg.Msg");
  ASSERT_EQ(r->root().entries.size(), 1u);
  EXPECT_EQ(r->root().entries[0].field, "field");
  EXPECT_EQ(r->root().entries[0].key, nullptr);
}

TEST(CelParserAggregate, MessageLiteralNeedsATypeName) {
  EXPECT_TRUE(fails("f(){}"));
  EXPECT_TRUE(fails("a[0]{}"));
  EXPECT_TRUE(fails("(a){}"));
  EXPECT_TRUE(fails("a.`b`{}"));
  EXPECT_TRUE(fails("1{}"));
  EXPECT_TRUE(fails("Msg{1: 2}"));
  EXPECT_TRUE(fails("Msg{f 2}"));
}

TEST(CelParserAggregate, NestedLiterals) {
  EXPECT_EQ(p("size({0: {0: 'foo'}})"), "size({0: {0: \"foo\"}})");
  EXPECT_EQ(p("[[[0]]][0][0]"), "_[_](_[_]([[[0]]], 0), 0)");
}

// ---------------------------------------------------------------------------------------
// Optional syntax.

TEST(CelParserOptional, OptionalSelect) {
  EXPECT_EQ(p("a.?b"), "_?._(a, \"b\")");
  EXPECT_EQ(p("a.?b.c"), "_?._(a, \"b\").c");
  EXPECT_EQ(p("{}.?key.orValue(k.?subkey)"),
            "_?._({}, \"key\").orValue(_?._(k, \"subkey\"))");
  EXPECT_TRUE(fails("a.?"));
  EXPECT_TRUE(fails("a.?b()"));
}

TEST(CelParserOptional, OptionalSelectArgumentIsAStringConstant) {
  auto r = parse("a.?b");
  ASSERT_TRUE(r.ok());
  const Expr& root = r->root();
  EXPECT_EQ(root.kind, ExprKind::kCall);
  EXPECT_EQ(root.target, nullptr);
  ASSERT_EQ(root.args.size(), 2u);
  EXPECT_EQ(root.args[1]->kind, ExprKind::kConst);
  EXPECT_EQ(root.args[1]->constant.as_string(), "b");
}

TEST(CelParserOptional, OptionalIndex) {
  EXPECT_EQ(p("a[?b]"), "_[?_](a, b)");
  EXPECT_EQ(p("a[?'x'][0]"), "_[_](_[?_](a, \"x\"), 0)");
  EXPECT_TRUE(fails("a[?]"));
}

TEST(CelParserOptional, OptionalListElements) {
  EXPECT_EQ(p("[?x, y]"), "[?x, y]");
  EXPECT_EQ(p("[a, ?b, ?c]"), "[a, ?b, ?c]");
  auto r = parse("[a, ?b, ?c]");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().optional_indices, (std::vector<uint32_t>{1, 2}));
}

TEST(CelParserOptional, OptionalMapAndMessageEntries) {
  EXPECT_EQ(p("{?'k': v, 'j': w}"), "{?\"k\": v, \"j\": w}");
  EXPECT_EQ(p("Msg{?f: v}"), "Msg{?f: v}");
  EXPECT_TRUE(fails("{? : v}"));
}

// ---------------------------------------------------------------------------------------
// Reserved words.

TEST(CelParserReserved, CannotNameVariablesOrFunctions) {
  for (const char* w : {"as", "break", "const", "continue", "else", "for", "function", "if",
                        "import", "let", "loop", "package", "namespace", "return", "var",
                        "void", "while"}) {
    std::string word = w;
    EXPECT_TRUE(fails(word)) << word;
    EXPECT_TRUE(fails(word + "(1)")) << word;
    EXPECT_TRUE(fails("." + word)) << word;
    EXPECT_TRUE(fails("[1].all(" + word + ", true)")) << word;
  }
  EXPECT_EQ(p("if"), "error: cel.parse 1:1: reserved identifier 'if' cannot be used as a name");
}

TEST(CelParserReserved, AllowedAfterDotAndAsFieldNames) {
  for (const char* w : {"as", "break", "const", "continue", "else", "for", "function", "if",
                        "import", "let", "loop", "package", "namespace", "return", "var",
                        "void", "while"}) {
    std::string word = w;
    EXPECT_EQ(p("{'" + word + "': 1}." + word), "{\"" + word + "\": 1}." + word);
    EXPECT_EQ(p("a." + word + "() || true"), "_||_(a." + word + "(), true)");
    EXPECT_EQ(p("TestAllTypes{ " + word + ": true }"), "TestAllTypes{" + word + ": true}");
  }
}

TEST(CelParserReserved, LiteralKeywords) {
  EXPECT_TRUE(fails("true()"));
  EXPECT_TRUE(fails("in"));
  EXPECT_TRUE(fails("a.null"));
  EXPECT_TRUE(fails("Msg{in: 1}"));
}

// ---------------------------------------------------------------------------------------
// Macros.

TEST(CelParserMacro, Has) {
  EXPECT_EQ(p("has(a.b)"), "has(a.b)");
  EXPECT_EQ(p("has(a.b.c)"), "has(a.b.c)");
  EXPECT_EQ(p("has({}.?x.y)"), "has(_?._({}, \"x\").y)");
  auto r = parse("has(a.b)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().kind, ExprKind::kSelect);
  EXPECT_TRUE(r->root().test_only);
}

TEST(CelParserMacro, HasNeedsAFieldSelection) {
  EXPECT_EQ(p("has(a)"),
            "error: cel.parse 1:5: invalid argument to has() macro: expected a field selection "
            "such as has(a.b)");
  EXPECT_TRUE(fails("has(a[0])"));
  EXPECT_TRUE(fails("has(a.?b)"));
  EXPECT_TRUE(fails("has(has(a.b))"));
  EXPECT_TRUE(fails("has(f())"));
}

TEST(CelParserMacro, HasWithOtherArgumentCountsIsACall) {
  EXPECT_EQ(p("has()"), "has()");
  EXPECT_EQ(p("has(a, b)"), "has(a, b)");
  EXPECT_EQ(p("x.has(a.b)"), "x.has(a.b)");
}

TEST(CelParserMacro, All) {
  EXPECT_EQ(p("e.all(x, p)"),
            "comp(x, e, @result, true, @not_strictly_false(@result), _&&_(@result, p), @result)");
}

TEST(CelParserMacro, Exists) {
  EXPECT_EQ(p("e.exists(x, p)"),
            "comp(x, e, @result, false, @not_strictly_false(!_(@result)), _||_(@result, p), "
            "@result)");
}

TEST(CelParserMacro, ExistsOne) {
  const std::string expected =
      "comp(x, e, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))";
  EXPECT_EQ(p("e.exists_one(x, p)"), expected);
  EXPECT_EQ(p("e.existsOne(x, p)"), expected);
}

TEST(CelParserMacro, Map) {
  EXPECT_EQ(p("e.map(x, t)"), "comp(x, e, @result, [], true, _+_(@result, [t]), @result)");
}

TEST(CelParserMacro, MapWithFilter) {
  EXPECT_EQ(p("e.map(x, p, t)"),
            "comp(x, e, @result, [], true, _?_:_(p, _+_(@result, [t]), @result), @result)");
}

TEST(CelParserMacro, Filter) {
  EXPECT_EQ(p("e.filter(x, p)"),
            "comp(x, e, @result, [], true, _?_:_(p, _+_(@result, [x]), @result), @result)");
}

TEST(CelParserMacro, Bind) {
  EXPECT_EQ(p("cel.bind(v, 1 + 2, v * v)"),
            "comp(#unused, [], v, _+_(1, 2), false, v, _*_(v, v))");
  EXPECT_EQ(p("cel.bind(v, 1)"), "cel.bind(v, 1)");
  EXPECT_EQ(p("x.bind(v, 1, 2)"), "x.bind(v, 1, 2)");
  EXPECT_EQ(p("bind(v, 1, 2)"), "bind(v, 1, 2)");
  EXPECT_TRUE(fails("cel.bind(a.b, 1, 2)"));
}

TEST(CelParserMacro, TwoVariableForms) {
  EXPECT_EQ(p("m.all(k, v, p)"),
            "comp(k, v, m, @result, true, @not_strictly_false(@result), _&&_(@result, p), "
            "@result)");
  EXPECT_EQ(p("m.exists(k, v, p)"),
            "comp(k, v, m, @result, false, @not_strictly_false(!_(@result)), _||_(@result, p), "
            "@result)");
  EXPECT_EQ(p("m.existsOne(k, v, p)"),
            "comp(k, v, m, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), "
            "_==_(@result, 1))");
  EXPECT_TRUE(fails("m.all(k, k, p)"));
  EXPECT_TRUE(fails("m.all(k, v.w, p)"));
}

TEST(CelParserMacro, IterationVariableMustBeASimpleName) {
  EXPECT_EQ(err_at("e.all(x.y, p)"), "1:8");  // the '.' of x.y
  EXPECT_TRUE(fails("e.exists(1, p)"));
  EXPECT_TRUE(fails("e.map(f(), t)"));
  EXPECT_TRUE(fails("e.filter(.x, p)"));
}

TEST(CelParserMacro, OtherArgumentCountsAreOrdinaryCalls) {
  EXPECT_EQ(p("e.all(x)"), "e.all(x)");
  EXPECT_EQ(p("e.exists(a, b, c, d)"), "e.exists(a, b, c, d)");
  EXPECT_EQ(p("e.filter(x, y, z)"), "e.filter(x, y, z)");
  EXPECT_EQ(p("all(x, p)"), "all(x, p)");
  EXPECT_EQ(p("map(x, t)"), "map(x, t)");
}

TEST(CelParserMacro, Nested) {
  EXPECT_EQ(p("['signer'].all(s, ['a'].all(a, true))"),
            "comp(s, [\"signer\"], @result, true, @not_strictly_false(@result), "
            "_&&_(@result, comp(a, [\"a\"], @result, true, @not_strictly_false(@result), "
            "_&&_(@result, true), @result)), @result)");
}

TEST(CelParserMacro, ChainedOnMacroResult) {
  EXPECT_EQ(p("[1].map(x, x).size()"),
            "comp(x, [1], @result, [], true, _+_(@result, [x]), @result).size()");
}

TEST(CelParserMacro, OptMap) {
  EXPECT_EQ(p("o.optMap(y, y + 1)"),
            "_?_:_(o.hasValue(), optional.of(comp(#unused, [], y, o.value(), false, y, "
            "_+_(y, 1))), optional.none())");
}

TEST(CelParserMacro, OptFlatMap) {
  EXPECT_EQ(p("a.?k.optFlatMap(k, k.?s)"),
            "_?_:_(_?._(a, \"k\").hasValue(), comp(#unused, [], k, _?._(a, \"k\").value(), "
            "false, k, _?._(k, \"s\")), optional.none())");
}

TEST(CelParserMacro, OptMapCopiesTheTargetWithFreshIds) {
  auto r = parse("a.b.optMap(y, y)");
  ASSERT_TRUE(r.ok());
  std::vector<const Expr*> nodes;
  std::function<void(const Expr&)> walk = [&](const Expr& e) {
    nodes.push_back(&e);
    if (e.target) walk(*e.target);
    for (const auto& a : e.args) walk(*a);
    if (e.comprehension) {
      walk(*e.comprehension->iter_range);
      walk(*e.comprehension->accu_init);
      walk(*e.comprehension->loop_condition);
      walk(*e.comprehension->loop_step);
      walk(*e.comprehension->result);
    }
  };
  walk(r->root());
  std::set<int64_t> ids;
  for (const Expr* e : nodes) EXPECT_TRUE(ids.insert(e->id).second);
}

TEST(CelParserMacro, OptMapNeedsASimpleName) {
  EXPECT_TRUE(fails("o.optMap(a.b, 1)"));
  EXPECT_EQ(p("o.optMap(y)"), "o.optMap(y)");
}

TEST(CelParserMacro, ExpansionTakesTheCallOffset) {
  auto r = parse("xs.all(x, x)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().kind, ExprKind::kComprehension);
  EXPECT_EQ(r->root().offset, 2u);
  EXPECT_EQ(r->root().comprehension->iter_range->offset, 0u);
}

TEST(CelParserMacro, MacroInsideArguments) {
  EXPECT_EQ(p("f(has(a.b), x.map(y, y))"),
            "f(has(a.b), comp(y, x, @result, [], true, _+_(@result, [y]), @result))");
}

TEST(CelParserLiteral, HexNeedsLowercaseX) {
  EXPECT_TRUE(fails("0X1F"));
  EXPECT_TRUE(fails("0xG"));
}

TEST(CelParserLiteral, NumberThenIdentifierIsAnError) {
  EXPECT_TRUE(fails("123abc"));
  EXPECT_TRUE(fails("1uu"));
}

TEST(CelParserLiteral, NegativeDoubleAndHex) {
  EXPECT_EQ(p("-0x55555555"), "-1431655765");
  EXPECT_EQ(p("-.5"), "-0.5");
  EXPECT_EQ(p("-1.5 * 2"), "_*_(-1.5, 2)");
}

TEST(CelParserLiteral, EscapedQuotesInQuotedStrings) {
  EXPECT_EQ(str(R"('\'')"), "'");
  EXPECT_EQ(str(R"("\"")"), "\"");
  EXPECT_EQ(str(R"('''a\'''')"), "a'");
}

TEST(CelParserLiteral, StringEscapesInsideBytesPrefixedRawAreKept) {
  EXPECT_EQ(bytes(R"(br'\\ \? \"')"), R"(\\ \? \")");
}

TEST(CelParserLiteral, EscapedNewlineInBytes) {
  EXPECT_EQ(bytes(R"(b' \r\n ')"), " \r\n ");
}

TEST(CelParserLexical, DotQuestionIsOnlyOptionalSelect) {
  EXPECT_EQ(p("a?.5:1"), "_?_:_(a, 0.5, 1)");
  EXPECT_EQ(p("x ? .a : b"), "_?_:_(x, .a, b)");
  EXPECT_EQ(p("a?b:c"), "_?_:_(a, b, c)");
}

TEST(CelParserLexical, OperatorsWithoutSpaces) {
  EXPECT_EQ(p("a<=b&&c>=d||!e"), "_||_(_&&_(_<=_(a, b), _>=_(c, d)), !_(e))");
  EXPECT_EQ(p("1-1"), "_-_(1, 1)");
  EXPECT_EQ(p("a-1"), "_-_(a, 1)");
}

TEST(CelParserLexical, SlashIsDivisionNotComment) {
  EXPECT_EQ(p("a / b"), "_/_(a, b)");
  EXPECT_EQ(p("a /b//c"), "_/_(a, b)");
}

TEST(CelParserLexical, CommentAtEndWithoutNewline) {
  EXPECT_EQ(p("a // trailing"), "a");
}

TEST(CelParserOperators, InHasRelationPrecedence) {
  EXPECT_EQ(p("a + 1 in b"), "@in(_+_(a, 1), b)");
  EXPECT_EQ(p("!a in b"), "@in(!_(a), b)");
}

TEST(CelParserOperators, UnaryBindsTighterThanMultiplication) {
  EXPECT_EQ(p("-a.b * -c[0]"), "_*_(-_(a.b), -_(_[_](c, 0)))");
}

TEST(CelParserOperators, ConditionalInsideArgumentsAndLists) {
  EXPECT_EQ(p("f(a ? b : c, [x ? y : z])"), "f(_?_:_(a, b, c), [_?_:_(x, y, z)])");
}

TEST(CelParserMember, IndexWithExpression) {
  EXPECT_EQ(p("a[i + 1]"), "_[_](a, _+_(i, 1))");
  EXPECT_EQ(p("a[b[c]]"), "_[_](a, _[_](b, c))");
}

TEST(CelParserMember, ParenthesisedTargets) {
  EXPECT_EQ(p("(a).b"), "a.b");
  EXPECT_EQ(p("(a.b).c()"), "a.b.c()");
  EXPECT_EQ(p("'abc'.size()"), "\"abc\".size()");
}

TEST(CelParserMember, NamespacedFunctionIsAMemberCall) {
  // optional.of(x) parses as call `of` on identifier `optional`; resolving the qualified
  // name is the evaluator's job.
  EXPECT_EQ(p("optional.of(1)"), "optional.of(1)");
  auto r = parse("optional.of(1)");
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->root().target, nullptr);
  EXPECT_EQ(r->root().target->kind, ExprKind::kIdent);
}

TEST(CelParserAggregate, MapEntryOffsets) {
  auto r = parse("{?'a': 1, 'b': 2}");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->root().entries.size(), 2u);
  EXPECT_TRUE(r->root().entries[0].optional);
  EXPECT_EQ(r->root().entries[0].offset, 1u);
  EXPECT_FALSE(r->root().entries[1].optional);
  EXPECT_EQ(r->root().entries[1].offset, 10u);
}

TEST(CelParserAggregate, MessageLiteralWithReservedPackageSegment) {
  EXPECT_EQ(p("a.if.Msg{}"), "a.if.Msg{}");
  EXPECT_TRUE(fails("if.Msg{}"));
}

TEST(CelParserErrors, ReservedWordLocation) {
  EXPECT_EQ(err_at("a + \n  while"), "2:3");
}

TEST(CelParserErrors, UnterminatedQuotedNameLocation) {
  EXPECT_EQ(err_at("a.`bc"), "1:3");
}

TEST(CelParserErrors, InvalidUtf8Location) {
  auto r = parse("a + '\xFF'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.parse");
  EXPECT_EQ(r.error().location->column, 6u);
}

TEST(CelParserErrors, MacroErrorsAreParseErrors) {
  auto r = parse("x.all(1, true)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.parse");
  EXPECT_EQ(r.error().location->column, 7u);
}

TEST(CelParserLimits, DepthErrorIsLocated) {
  ParseOptions opts;
  opts.max_depth = 3;
  auto r = parse("f(g(h(i(1))))", opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.limit");
  ASSERT_TRUE(r.error().location.has_value());
  EXPECT_EQ(r.error().location->line, 1u);
}

TEST(CelParserLimits, OptMapChainsAreBoundedByMaxNodes) {
  // Each optMap copies its target: the tree doubles with each link.
  std::string chain = "o";
  for (int i = 0; i < 40; ++i) chain += ".optMap(x, x)";
  auto r = parse(chain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.limit");
}

// ---------------------------------------------------------------------------------------
// Ids and offsets.

void collect(const Expr& e, std::vector<const Expr*>& out) {
  out.push_back(&e);
  if (e.target) collect(*e.target, out);
  for (const auto& a : e.args) collect(*a, out);
  for (const auto& m : e.entries) {
    if (m.key) collect(*m.key, out);
    collect(*m.value, out);
  }
  if (e.comprehension) {
    const Comprehension& c = *e.comprehension;
    for (const ExprPtr* x :
         {&c.iter_range, &c.accu_init, &c.loop_condition, &c.loop_step, &c.result}) {
      collect(**x, out);
    }
  }
}

TEST(CelParserIds, UniqueAndPositive) {
  for (const char* text : {"a.b.c + f(1, [2, 3], {4: 5})[0]", "x.exists(y, y > 2) && has(m.f)",
                           "cel.bind(v, [1], v.map(i, i * 2))", "Msg{?f: a.?b}"}) {
    auto r = parse(text);
    ASSERT_TRUE(r.ok()) << text;
    std::vector<const Expr*> nodes;
    collect(r->root(), nodes);
    std::set<int64_t> ids;
    for (const Expr* e : nodes) {
      EXPECT_GT(e->id, 0);
      EXPECT_TRUE(ids.insert(e->id).second) << "duplicate id " << e->id << " in " << text;
    }
  }
}

TEST(CelParserIds, IncreaseInSourceOrderForOperands) {
  auto r = parse("a + b");
  ASSERT_TRUE(r.ok());
  const Expr& root = r->root();
  EXPECT_LT(root.args[0]->id, root.id);
  EXPECT_LT(root.id, root.args[1]->id);
}

TEST(CelParserOffsets, FirstTokenOrOperator) {
  auto r = parse("foo + bar.baz(1)[2]");
  ASSERT_TRUE(r.ok());
  const Expr& plus = r->root();
  EXPECT_EQ(plus.offset, 4u);             // '+'
  EXPECT_EQ(plus.args[0]->offset, 0u);    // foo
  const Expr& index = *plus.args[1];
  EXPECT_EQ(index.offset, 16u);           // '['
  EXPECT_EQ(index.args[0]->offset, 9u);   // '.' of .baz(
  EXPECT_EQ(index.args[0]->target->offset, 6u);
  EXPECT_EQ(index.args[1]->offset, 17u);  // 2
}

TEST(CelParserOffsets, NegativeLiteralStartsAtMinus) {
  auto r = parse("x + -5");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root().args[1]->offset, 4u);
}

TEST(CelParserAst, KeepsSource) {
  auto r = parse("1 + 2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source(), "1 + 2");
}

// ---------------------------------------------------------------------------------------
// Error locations.

TEST(CelParserErrors, EndOfInput) {
  auto r = parse("1 +");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.parse");
  ASSERT_TRUE(r.error().location.has_value());
  EXPECT_EQ(r.error().location->line, 1u);
  EXPECT_EQ(r.error().location->column, 4u);
  EXPECT_TRUE(r.error().location->file.empty());
  EXPECT_EQ(r.error().message, "unexpected end of expression, expected an operand");
}

TEST(CelParserErrors, Locations) {
  EXPECT_EQ(err_at("a + )"), "1:5");
  EXPECT_EQ(err_at("(a + b"), "1:7");
  EXPECT_EQ(err_at("a b"), "1:3");
  EXPECT_EQ(err_at("a.b.\n  1"), "2:3");
  EXPECT_EQ(err_at("x &&\n\n  y ||\n  ]"), "4:3");
  EXPECT_EQ(err_at("f(1,\n  2,)"), "2:5");
  EXPECT_EQ(err_at("[1, 2"), "1:6");
  EXPECT_EQ(err_at("{'a' 1}"), "1:6");
  EXPECT_EQ(err_at("a ? b"), "1:6");
  EXPECT_EQ(err_at("'\xCF\x80' + #"), "1:8");  // columns count bytes
  EXPECT_EQ(err_at("// comment\r\nwhile"), "2:1");
  EXPECT_EQ(err_at("a.all(x, y) + \"\\z\""), "1:16");
  EXPECT_EQ(err_at("1 = 2"), "1:3");
}

TEST(CelParserErrors, Messages) {
  EXPECT_EQ(p("a )"),
            "error: cel.parse 1:3: unexpected ')', expected an operator or the end of the "
            "expression");
  EXPECT_EQ(p("[1 2]"), "error: cel.parse 1:4: unexpected number 2, expected ',' or ']'");
  EXPECT_EQ(p("a.1"), "error: cel.parse 1:2: unexpected number .1, expected an operator or the "
                      "end of the expression");
}

// ---------------------------------------------------------------------------------------
// Limits.

TEST(CelParserLimits, ExpressionBytes) {
  ParseOptions opts;
  opts.max_expression_bytes = 10;
  EXPECT_TRUE(parse("1234567890", opts).ok());
  auto r = parse("12345678901", opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.limit");
  EXPECT_FALSE(parse(std::string(200'000, ' ') + "1").ok());
}

TEST(CelParserLimits, DeepParentheses) {
  std::string deep = std::string(100'000, '(') + "1" + std::string(100'000, ')');
  auto r = parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.limit");
  std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_TRUE(parse(ok).ok());
  EXPECT_EQ(parse(std::string(100'000, '(')).error().code, "cel.limit");
}

TEST(CelParserLimits, DeepUnary) {
  EXPECT_EQ(parse(std::string(90'000, '!') + "true").error().code, "cel.limit");
  EXPECT_EQ(parse(std::string(90'000, '-') + "1").error().code, "cel.limit");
  EXPECT_EQ(p(std::string(32, '!') + "true").substr(0, 4), "!_(!");
}

TEST(CelParserLimits, LongSelectionChain) {
  std::string chain = "a";
  for (int i = 0; i < 50'000; ++i) chain += ".b";
  EXPECT_EQ(parse(chain).error().code, "cel.limit");
  std::string indexes = "a";
  for (int i = 0; i < 30'000; ++i) indexes += "[0]";
  EXPECT_EQ(parse(indexes).error().code, "cel.limit");
  std::string calls = "a";
  for (int i = 0; i < 30'000; ++i) calls += ".f()";
  EXPECT_EQ(parse(calls).error().code, "cel.limit");
}

TEST(CelParserLimits, LongOperatorChain) {
  std::string sum = "1";
  for (int i = 0; i < 40'000; ++i) sum += "+1";
  EXPECT_EQ(parse(sum).error().code, "cel.limit");
  std::string ors = "a";
  for (int i = 0; i < 100; ++i) ors += " || a";
  EXPECT_TRUE(parse(ors).ok());
}

TEST(CelParserLimits, DeepListsMapsAndConditionals) {
  EXPECT_EQ(parse(std::string(100'000, '[')).error().code, "cel.limit");
  EXPECT_EQ(parse(std::string(50'000, '[') + std::string(50'000, ']')).error().code, "cel.limit");
  std::string maps;
  for (int i = 0; i < 20'000; ++i) maps += "{1:";
  EXPECT_EQ(parse(maps).error().code, "cel.limit");
  std::string conds;
  for (int i = 0; i < 20'000; ++i) conds += "a ? b : ";
  EXPECT_EQ(parse(conds + "c").error().code, "cel.limit");
}

TEST(CelParserLimits, MaxDepthOption) {
  ParseOptions opts;
  opts.max_depth = 5;
  EXPECT_TRUE(parse("((((1))))", opts).ok());
  EXPECT_EQ(parse("((((((1))))))", opts).error().code, "cel.limit");
  EXPECT_EQ(parse("a.b.c.d.e.f", opts).error().code, "cel.limit");
  EXPECT_TRUE(parse("a.b.c.d", opts).ok());
}

TEST(CelParserLimits, SpecMinimumsFitTheDefaults) {
  // langdef: at least 32 levels of nesting and 32 repetitions of each rule.
  std::string and32 = "a";
  std::string sel32 = "a";
  std::string idx32 = "a";
  std::string neg32 = std::string(32, '-') + "x";
  std::string nest32 = std::string(32, '[') + std::string(32, ']');
  std::string args32 = "f(0";
  for (int i = 0; i < 32; ++i) {
    and32 += " && a";
    sel32 += ".b";
    idx32 += "[0]";
    args32 += ", " + std::to_string(i);
  }
  for (const std::string& s : {and32, sel32, idx32, neg32, nest32, args32 + ")"}) {
    EXPECT_TRUE(parse(s).ok()) << s;
  }
}

TEST(CelParserLimits, MaxNodes) {
  ParseOptions opts;
  opts.max_nodes = 10;
  EXPECT_TRUE(parse("[1, 2, 3, 4, 5, 6, 7, 8, 9]", opts).ok());
  auto r = parse("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cel.limit");
  EXPECT_EQ(parse("[1].all(x, x > 0)", opts).error().code, "cel.limit");  // expansion counts
}

TEST(CelParserLimits, WideButShallowIsFine) {
  std::string list = "[";
  for (int i = 0; i < 10'000; ++i) list += "1,";
  list += "1]";
  EXPECT_TRUE(parse(list).ok());
}

// ---------------------------------------------------------------------------------------
// Conformance-shaped inputs.

TEST(CelParserConformance, WhitespaceAndComments) {
  EXPECT_TRUE(parse("[ . cel. expr .conformance. proto3. TestAllTypes { single_int64 : int ( 17 "
                    ") } . single_int64 ] [ 0 ] == ( 18 - 1 ) && ! false ? 1 : 2")
                  .ok());
  EXPECT_EQ(p("[// @\n.// @\ncel.// @\nTestAllTypes// @\n{// @\nf// @\n:// @\n1// @\n}// @\n]"),
            "[.cel.TestAllTypes{f: 1}]");
}

TEST(CelParserConformance, OptionalChaining) {
  EXPECT_EQ(p("{?'nested_map': optional.ofNonZeroValue({?'map': {}.?c}), 'singleton': true}"),
            "{?\"nested_map\": optional.ofNonZeroValue({?\"map\": _?._({}, \"c\")}), "
            "\"singleton\": true}");
  EXPECT_EQ(p("[?{}.?c, ?optional.of(42), ?optional.none()]"),
            "[?_?._({}, \"c\"), ?optional.of(42), ?optional.none()]");
  EXPECT_EQ(p("optional.none().or(optional.of(y + 1))"),
            "optional.none().or(optional.of(_+_(y, 1)))");
}

TEST(CelParserConformance, CorpusParses) {
  // Every expression of the parse-related conformance files must parse; those expected to
  // fail do so at evaluation, not parsing.
  const std::string dir = std::string(SKM_SHARED_DIR) + "/corpora/cel-spec/";
  int parsed = 0;
  for (const char* file : {"parse.jsonl", "basic.jsonl", "macros.jsonl", "optionals.jsonl",
                           "string.jsonl"}) {
    FILE* f = std::fopen((dir + file).c_str(), "rb");
    if (f == nullptr) GTEST_SKIP() << "no conformance corpus at " << dir;
    std::string line;
    int c;
    auto handle = [&] {
      // The "expr" field is the first JSON string after "expr": — decode it minimally.
      size_t k = line.find("\"expr\": \"");
      if (k == std::string::npos) return;
      std::string expr;
      for (size_t i = k + 9; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] != '\\') {
          expr += line[i];
          continue;
        }
        char e = line[++i];
        switch (e) {
          case 'n': expr += '\n'; break;
          case 't': expr += '\t'; break;
          case 'r': expr += '\r'; break;
          case 'f': expr += '\f'; break;
          case 'b': expr += '\b'; break;
          case 'u': {
            uint32_t cp = static_cast<uint32_t>(std::stoul(line.substr(i + 1, 4), nullptr, 16));
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && line.compare(i + 1, 2, "\\u") == 0) {
              uint32_t lo = static_cast<uint32_t>(std::stoul(line.substr(i + 3, 4), nullptr, 16));
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              i += 6;
            }
            if (cp < 0x80) {
              expr += static_cast<char>(cp);
            } else if (cp < 0x800) {
              expr += static_cast<char>(0xC0 | (cp >> 6));
              expr += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
              expr += static_cast<char>(0xE0 | (cp >> 12));
              expr += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              expr += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              expr += static_cast<char>(0xF0 | (cp >> 18));
              expr += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
              expr += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              expr += static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
          }
          default: expr += e;
        }
      }
      auto r = parse(expr);
      EXPECT_TRUE(r.ok()) << file << ": " << expr << "\n  " << (r.ok() ? "" : r.error().message);
      ++parsed;
    };
    while ((c = std::fgetc(f)) != EOF) {
      if (c == '\n') {
        handle();
        line.clear();
      } else {
        line += static_cast<char>(c);
      }
    }
    handle();
    std::fclose(f);
  }
  EXPECT_GT(parsed, 300);
}

}  // namespace
}  // namespace sekimori::cel
