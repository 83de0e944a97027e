// Terraform values, numbers, equality, conversions, type constraints, JSON and the
// formats::Node bridge.
#include "terraform/value.h"

#include <gtest/gtest.h>

#include <limits>

#include "hcl/ast.h"
#include "terraform/types.h"

namespace sekimori::terraform {
namespace {

Value J(std::string_view json) {
  auto v = from_json(json);
  EXPECT_TRUE(v.ok()) << json;
  return v.ok() ? *v : Value();
}

std::string JS(const Value& v) {
  auto j = to_json(v);
  return j.ok() ? *j : "<" + j.error().message + ">";
}

TEST(TfNumberTest, FormatsLikeTerraform) {
  EXPECT_EQ(Number::of(int64_t{1}).to_string(), "1");
  EXPECT_EQ(Number::of(-2.5).to_string(), "-2.5");
  EXPECT_EQ(Number::of(1.5).to_string(), "1.5");
  EXPECT_EQ(Number::of(1e20).to_string(), "100000000000000000000");
  EXPECT_EQ(Number::of(0.1).to_string(), "0.1");
  EXPECT_EQ(Number::of(1e-7).to_string(), "0.0000001");
  EXPECT_EQ(Number::of(123456.789).to_string(), "123456.789");
  EXPECT_EQ(Number::of(3.0).to_string(), "3");
  EXPECT_TRUE(Number::of(3.0).is_int);
  EXPECT_EQ(Number::of(int64_t{-9223372036854775807} - 1).to_string(), "-9223372036854775808");
}

TEST(TfNumberTest, Parses) {
  EXPECT_EQ(Number::parse("12")->i, 12);
  EXPECT_EQ(Number::parse("-1.5")->d, -1.5);
  EXPECT_EQ(Number::parse("1e3")->i, 1000);
  EXPECT_EQ(Number::parse("+7")->i, 7);
  EXPECT_EQ(Number::parse("99999999999999999999")->to_string(), "100000000000000000000");
  for (const char* bad : {"", "-", "1.2.3", "abc", "1e", " 1", "0x10", "1_000"}) {
    EXPECT_FALSE(Number::parse(bad).has_value()) << bad;
  }
}

TEST(TfNumberTest, Arithmetic) {
  EXPECT_EQ(arith('+', Number::of(int64_t{1}), Number::of(int64_t{2}))->i, 3);
  EXPECT_EQ(arith('/', Number::of(int64_t{7}), Number::of(int64_t{2}))->to_string(), "3.5");
  EXPECT_EQ(arith('/', Number::of(int64_t{8}), Number::of(int64_t{2}))->i, 4);
  EXPECT_EQ(arith('%', Number::of(int64_t{-7}), Number::of(int64_t{3}))->i, -1);
  EXPECT_FALSE(arith('/', Number::of(int64_t{1}), Number::of(int64_t{0})).ok());
  EXPECT_FALSE(arith('%', Number::of(int64_t{1}), Number::of(int64_t{0})).ok());
  auto big = arith('*', Number::of(int64_t{1} << 62), Number::of(int64_t{4}));
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(big->is_int);
  EXPECT_EQ(big->as_double(), 18446744073709551616.0);
}

TEST(TfValueTest, MapsAndObjectsKeepKeysSorted) {
  Value o = Value::object(
      {{"b", Value::number(int64_t{2})}, {"a", Value::number(int64_t{1})}, {"b", Value::number(int64_t{3})}});
  ASSERT_EQ(o.members().size(), 2u);
  EXPECT_EQ(o.members()[0].key, "a");
  EXPECT_EQ(o.find("b")->as_number().i, 3);  // last duplicate wins
  EXPECT_EQ(o.find("c"), nullptr);
  EXPECT_EQ(JS(o), "{\"a\":1,\"b\":3}");
}

TEST(TfValueTest, SetsAreSortedAndUnique) {
  Value s = Value::set({Value::string("c"), Value::string("a"), Value::string("c")});
  EXPECT_EQ(JS(s), "[\"a\",\"c\"]");
  EXPECT_EQ(s.type(), Type::set(Type::string()));
}

TEST(TfValueTest, CopiesShareStorage) {
  Value big = Value::tuple(std::vector<Value>(1000, Value::string("x")));
  Value copy = big;
  EXPECT_EQ(copy.items().data(), big.items().data());
}

TEST(TfValueTest, Types) {
  EXPECT_EQ(J("{\"a\": [1, \"x\"]}").type().to_string(), "object({a=tuple([number, string])})");
  EXPECT_EQ(Value::list({}, Type::string()).type(), Type::list(Type::string()));
  EXPECT_EQ(Value::unknown(Type::number()).type(), Type::number());
  EXPECT_TRUE(Value::null().type().is_dynamic());
  EXPECT_EQ(Type::map(Type::list(Type::number())).friendly_name(), "map of list of number");
}

TEST(TfValueTest, TerraformEquality) {
  EXPECT_TRUE(equals(Value::number(int64_t{1}), Value::number(1.0)).as_bool());
  EXPECT_FALSE(equals(Value::number(int64_t{1}), Value::string("1")).as_bool());
  EXPECT_TRUE(equals(Value::null(), Value::null(Type::string())).as_bool());
  EXPECT_FALSE(equals(Value::null(), Value::string("")).as_bool());
  EXPECT_TRUE(equals(Value::unknown(), Value::number(int64_t{1})).is_unknown());
  EXPECT_TRUE(equals(J("{\"a\": [1]}"), J("{\"a\": [1]}")).as_bool());
  EXPECT_FALSE(equals(J("[1, 2]"), J("[1]")).as_bool());
  // A known difference decides even when another element is unknown.
  EXPECT_FALSE(equals(Value::tuple({Value::unknown(), Value::number(int64_t{1})}),
                      Value::tuple({Value::number(int64_t{1}), Value::number(int64_t{2})}))
                   .as_bool());
  EXPECT_TRUE(
      equals(Value::tuple({Value::unknown()}), Value::tuple({Value::number(int64_t{1})})).is_unknown());
  // Lists and tuples are different types.
  EXPECT_FALSE(equals(Value::list({Value::number(int64_t{1})}), J("[1]")).as_bool());
}

TEST(TfValueTest, PositionAndMarksAreNotPartOfEquality) {
  static const std::string kFile = "main.tf";
  SourcePos pos{&kFile, {3, 7, 40}};
  Value a = Value::string("x").with_pos(&pos).with_sensitive(true);
  EXPECT_EQ(a, Value::string("x"));
  EXPECT_EQ(a.pos()->pos.line, 3u);
  EXPECT_TRUE(a.sensitive());
  EXPECT_TRUE(Value::tuple({a}).has_sensitive());
}

TEST(TfValueTest, PrimitiveConversions) {
  EXPECT_TRUE(to_bool_value(Value::string("true"))->as_bool());
  EXPECT_FALSE(to_bool_value(Value::string("false"))->as_bool());
  EXPECT_FALSE(to_bool_value(Value::string("yes")).ok());
  EXPECT_EQ(to_number_value(Value::string("1"))->as_number().i, 1);
  EXPECT_FALSE(to_number_value(Value::string("one")).ok());
  EXPECT_EQ(to_string_value(Value::number(1.5))->as_string(), "1.5");
  EXPECT_EQ(to_string_value(Value::boolean(true))->as_string(), "true");
  EXPECT_TRUE(to_string_value(Value::unknown())->is_unknown());
  EXPECT_EQ(to_string_value(Value::unknown())->type(), Type::string());
  EXPECT_FALSE(to_string_value(J("[1]")).ok());
  EXPECT_EQ(to_display(J("{\"a\": [1, \"x\"]}")), "{\"a\" = [1, \"x\"]}");
  EXPECT_EQ(to_display(Value::string("plain")), "plain");
}

TEST(TfValueTest, Json) {
  EXPECT_EQ(JS(J("{\"b\": [true, null, 1.5, \"s\"], \"a\": {}}")), "{\"a\":{},\"b\":[true,null,1.5,\"s\"]}");
  EXPECT_EQ(JS(Value::string("<tag> & \xE2\x80\xA8 \n \x01")),
            "\"\\u003ctag\\u003e \\u0026 \\u2028 \\n \\u0001\"");
  EXPECT_FALSE(to_json(Value::tuple({Value::unknown()})).ok());
  EXPECT_EQ(to_json(Value::tuple({Value::unknown()})).error().code, "terraform.json.unknown");
  EXPECT_FALSE(from_json("{").ok());
  EXPECT_EQ(from_json("{").error().code, "terraform.json.syntax");
  EXPECT_FALSE(from_json("[[[[1]]]]", 3).ok());
  EXPECT_EQ(JS(J("100000000000000000000")), "100000000000000000000");
  EXPECT_EQ(JS(J(" -7 ")), "-7");
  EXPECT_EQ(JS(J("\"s\"")), "\"s\"");
  EXPECT_FALSE(from_json("1, 2").ok());
  EXPECT_FALSE(from_json("1 2").ok());
  EXPECT_FALSE(from_json("").ok());
  EXPECT_FALSE(from_json("   ").ok());
  EXPECT_EQ(JS(Value::number(std::numeric_limits<double>::infinity())),
            "<cannot encode an infinite number as JSON>");
}

TEST(TfValueTest, ToNodeKeepsPositions) {
  static const std::string kFile = "main.tf";
  SourcePos outer{&kFile, {2, 3, 10}};
  SourcePos inner{&kFile, {4, 9, 30}};
  Value v = Value::object({{"name", Value::string("b").with_pos(&inner)},
                           {"id", Value::unknown()},
                           {"tags", Value::set({Value::number(int64_t{1}), Value::number(2.5)})}})
                .with_pos(&outer);
  formats::Builder b("canonical.json", formats::Format::kJson, "");
  ASSERT_TRUE(to_node(v, b).ok());
  formats::Document doc = std::move(b).finish();
  const formats::Node& root = doc.root();
  ASSERT_EQ(root.kind(), formats::NodeKind::kMap);
  EXPECT_EQ(root.pos().line, 2u);
  EXPECT_EQ(root.file(), "main.tf");
  const formats::Node* name = root.find("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->as_string(), "b");
  EXPECT_EQ(name->pos().line, 4u);
  EXPECT_EQ(doc.location(*name).to_string(), "main.tf:4:9");
  EXPECT_EQ(root.find("id")->kind(), formats::NodeKind::kUnknown);
  EXPECT_EQ(root.find("id")->pos().line, 2u);  // inherits the enclosing position
  const formats::Node* tags = root.find("tags");
  ASSERT_EQ(tags->kind(), formats::NodeKind::kList);
  EXPECT_EQ(tags->items()[0].as_int(), 1);
  EXPECT_EQ(tags->items()[1].as_double(), 2.5);
}

TEST(TfValueTest, FromNode) {
  core::Diagnostics diags;
  auto doc = formats::load_yaml("x.yaml", "a: 1\nb: [x, true, ~]\n2: two\n", {}, diags);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(JS(from_node(doc->root())), "{\"2\":\"two\",\"a\":1,\"b\":[\"x\",true,null]}");
}

// --- type constraints ------------------------------------------------------------------

core::Result<Type> parse_type(const std::string& text) {
  core::Diagnostics diags;
  auto f = hcl::parse_expression("type.tf", text, hcl::Limits{}, diags);
  if (!f.ok()) return f.error();
  if (f->expr() == nullptr || diags.has_errors()) return core::make_error("test", "syntax error in " + text);
  // The File owns the AST; parse_type_expr copies what it needs (defaults are Values).
  return parse_type_expr(*f->expr());
}

TEST(TfTypeTest, ParsesConstraints) {
  for (const char* t : {"string", "number", "bool", "any", "list(string)", "set(number)", "map(list(bool))",
                        "tuple([string, number])", "object({a=string, b=optional(number)})"}) {
    auto parsed = parse_type(t);
    ASSERT_TRUE(parsed.ok()) << t << ": " << parsed.error().message;
  }
  EXPECT_EQ(parse_type("map(list(bool))")->to_string(), "map(list(bool))");
  EXPECT_EQ(parse_type("object({b=optional(number), a=string})")->to_string(),
            "object({a=string, b=optional(number)})");
  EXPECT_EQ(parse_type("any")->kind(), TypeKind::kDynamic);
  EXPECT_EQ(parse_type("\"string\"")->kind(), TypeKind::kString);  // legacy spelling
  EXPECT_EQ(parse_type("\"list\"")->to_string(), "list(any)");
}

TEST(TfTypeTest, RejectsBadConstraints) {
  for (const char* t :
       {"list", "strin", "list(string, number)", "optional(string)", "object({a=optional(string, var.x)})",
        "tuple(string)", "object([string])", "object({a=string, a=number})", "\"thing\"", "1"}) {
    auto parsed = parse_type(t);
    ASSERT_FALSE(parsed.ok()) << t;
    if (parsed.error().code != "test") {
      EXPECT_TRUE(parsed.error().code == "terraform.type" || parsed.error().code == "terraform.const") << t;
      EXPECT_TRUE(parsed.error().location.has_value()) << t;
    }
  }
}

TEST(TfTypeTest, OptionalDefaults) {
  auto t = parse_type(
      "object({name=string, port=optional(number, 80), tags=optional(map(string), {}), "
      "nested=optional(object({on=optional(bool, true)}), {})})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto v = convert(J("{\"name\": \"web\", \"extra\": 1}"), *t);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(JS(*v), "{\"name\":\"web\",\"nested\":{\"on\":true},\"port\":80,\"tags\":{}}");
  // null for an optional attribute takes the default as well.
  auto n = convert(J("{\"name\": \"web\", \"port\": null}"), *t);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->find("port")->as_number().i, 80);
  auto missing = convert(J("{\"port\": 1}"), *t);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("attribute \"name\" is required"), std::string::npos);
  auto bad_default = parse_type("object({a=optional(number, \"x\")})");
  EXPECT_FALSE(bad_default.ok());
}

TEST(TfTypeTest, OptionalDefaultsInsideCollections) {
  auto t = parse_type("map(object({cidr=string, public=optional(bool, false), extra=optional(any)}))");
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto v = convert(J("{\"a\": {\"cidr\": \"10.0.0.0/24\"}, \"b\": {\"cidr\": \"10.0.1.0/24\", \"public\": \"true\"}}"), *t);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(JS(*v),
            "{\"a\":{\"cidr\":\"10.0.0.0/24\",\"extra\":null,\"public\":false},"
            "\"b\":{\"cidr\":\"10.0.1.0/24\",\"extra\":null,\"public\":true}}");
  auto l = parse_type("list(object({name=string, port=optional(number, 443)}))");
  ASSERT_TRUE(l.ok());
  auto lv = convert(J("[{\"name\": \"x\"}, {\"name\": \"y\", \"port\": 80}]"), *l);
  ASSERT_TRUE(lv.ok()) << lv.error().message;
  EXPECT_EQ(JS(*lv), "[{\"name\":\"x\",\"port\":443},{\"name\":\"y\",\"port\":80}]");
  auto bad = convert(J("[{\"name\": \"x\"}, {\"port\": 80}]"), *l);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("element 1"), std::string::npos) << bad.error().message;
}

TEST(TfTypeTest, Conversions) {
  auto list_str = Type::list(Type::string());
  EXPECT_EQ(JS(*convert(J("[1, true, \"x\"]"), list_str)), "[\"1\",\"true\",\"x\"]");
  auto err = convert(J("[1, {}]"), list_str);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().message.find("element 1"), std::string::npos);
  EXPECT_EQ(convert(J("[\"b\", \"a\", \"b\"]"), Type::set(Type::string()))->items().size(), 2u);
  EXPECT_FALSE(convert(J("[1]"), Type::map(Type::string())).ok());
  EXPECT_FALSE(convert(J("{\"a\": 1}"), Type::list(Type::number())).ok());
  EXPECT_FALSE(convert(J("[1, 2]"), Type::tuple({Type::number()})).ok());
  // list(any) unifies the elements.
  auto any_list = convert(J("[1, \"a\"]"), Type::list(Type::dynamic()));
  ASSERT_TRUE(any_list.ok());
  EXPECT_EQ(any_list->type(), Type::list(Type::string()));
  auto maps = convert(J("[{\"a\": 1}, {\"b\": \"x\"}]"), Type::list(Type::dynamic()));
  ASSERT_TRUE(maps.ok());
  EXPECT_EQ(maps->type(), Type::list(Type::map(Type::string())));
  EXPECT_FALSE(convert(J("[1, [2]]"), Type::list(Type::dynamic())).ok());
  // unknown and null take the target type.
  EXPECT_EQ(convert(Value::unknown(), Type::number())->type(), Type::number());
  EXPECT_TRUE(convert(Value::null(), list_str)->is_null());
  EXPECT_EQ(convert(Value::tuple({Value::unknown()}), list_str)->items()[0].type(), Type::string());
  // any keeps the value unchanged.
  EXPECT_EQ(JS(*convert(J("[1, \"a\"]"), Type::dynamic())), "[1,\"a\"]");
}

TEST(TfTypeTest, Unify) {
  EXPECT_EQ(unify({Type::number(), Type::string()}), Type::string());
  EXPECT_EQ(unify({Type::number(), Type()}), Type::number());
  EXPECT_FALSE(unify({Type::number(), Type::list(Type::number())}).has_value());
}

TEST(TfTypeTest, EvalConst) {
  core::Diagnostics diags;
  auto f =
      hcl::parse_expression("c.tf", "{a = [1, -2.5, \"x\", true, null], \"b\" = {}}", hcl::Limits{}, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_NE(f->expr(), nullptr);
  auto v = eval_const(*f->expr());
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(JS(*v), "{\"a\":[1,-2.5,\"x\",true,null],\"b\":{}}");
  auto g = hcl::parse_expression("c.tf", "var.x", hcl::Limits{}, diags);
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(eval_const(*g->expr()).ok());
}

}  // namespace
}  // namespace sekimori::terraform
