// Terraform built-in functions: cases checked against the examples of Terraform's
// function documentation, plus errors, unknowns, limits and the scan-root guard.
#include "terraform/functions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base64.h"

namespace sekimori::terraform {
namespace {

// Arguments and results are written as JSON text (objects become objects, arrays tuples).
Value J(std::string_view json) {
  auto v = from_json(json);
  EXPECT_TRUE(v.ok()) << json;
  return v.ok() ? *v : Value();
}

struct Case {
  const char* fn;
  std::vector<const char*> args;  // JSON
  const char* want;               // JSON of the result; nullptr: an error is expected
  const char* error = "";         // substring of the error message
};

std::string run(const Case& c, const FunctionContext& ctx, bool* ok) {
  std::vector<Value> args;
  for (const char* a : c.args) args.push_back(J(a));
  auto r = call_function(c.fn, args, ctx);
  *ok = r.ok();
  if (!r.ok()) return r.error().message;
  auto j = to_json(*r);
  return j.ok() ? *j : "<" + j.error().message + ">";
}

void check(const std::vector<Case>& cases, const FunctionContext& ctx = {}) {
  for (const auto& c : cases) {
    bool ok = false;
    const std::string got = run(c, ctx, &ok);
    std::string args;
    for (const char* a : c.args) args += std::string(a) + ", ";
    if (c.want != nullptr) {
      EXPECT_TRUE(ok) << c.fn << "(" << args << "): " << got;
      if (ok) {
        EXPECT_EQ(got, c.want) << c.fn << "(" << args << ")";
      }
    } else {
      EXPECT_FALSE(ok) << c.fn << "(" << args << ") = " << got;
      if (!ok) {
        EXPECT_NE(got.find(c.error), std::string::npos) << c.fn << ": " << got;
      }
    }
  }
}

TEST(TfFunctionsTest, Numeric) {
  check({
      {"abs", {"23"}, "23"},
      {"abs", {"0"}, "0"},
      {"abs", {"-12.4"}, "12.4"},
      {"abs", {"\"-3\""}, "3"},
      {"abs", {"\"x\""}, nullptr, "number"},
      {"ceil", {"5"}, "5"},
      {"ceil", {"5.1"}, "6"},
      {"floor", {"5"}, "5"},
      {"floor", {"4.9"}, "4"},
      {"log", {"16", "2"}, "4"},
      {"log", {"1", "10"}, "0"},
      {"max", {"12", "54", "3"}, "54"},
      {"min", {"12", "54", "3"}, "3"},
      {"max", {}, nullptr, "expects at least 1"},
      {"parseint", {"\"100\"", "10"}, "100"},
      {"parseint", {"\"FF\"", "16"}, "255"},
      {"parseint", {"\"-10\"", "16"}, "-16"},
      {"parseint", {"\"1011111011101111\"", "2"}, "48879"},
      {"parseint", {"\"aA\"", "62"}, "656"},
      {"parseint", {"\"12\"", "2"}, nullptr, "cannot parse"},
      {"parseint", {"\"1\"", "63"}, nullptr, "base"},
      {"pow", {"3", "2"}, "9"},
      {"pow", {"4", "0"}, "1"},
      {"pow", {"2", "-1"}, "0.5"},
      {"signum", {"-13"}, "-1"},
      {"signum", {"0"}, "0"},
      {"signum", {"344"}, "1"},
  });
}

TEST(TfFunctionsTest, Strings) {
  check({
      {"chomp", {"\"hello\\n\""}, "\"hello\""},
      {"chomp", {"\"hello\\r\\n\""}, "\"hello\""},
      {"chomp", {"\"hello\\n\\n\""}, "\"hello\""},
      {"endswith", {"\"hello world\"", "\"world\""}, "true"},
      {"endswith", {"\"hello world\"", "\"hello\""}, "false"},
      {"startswith", {"\"hello world\"", "\"hello\""}, "true"},
      {"startswith", {"\"hello world\"", "\"world\""}, "false"},
      {"strcontains", {"\"hello world\"", "\"wor\""}, "true"},
      {"strcontains", {"\"hello world\"", "\"wod\""}, "false"},
      {"indent", {"2", "\"[\\n  foo,\\n  bar,\\n]\\n\""}, "\"[\\n    foo,\\n    bar,\\n  ]\\n  \""},
      {"join", {"\"-\"", "[\"foo\", \"bar\", \"baz\"]"}, "\"foo-bar-baz\""},
      {"join", {"\", \"", "[\"foo\"]"}, "\"foo\""},
      {"join", {"\",\"", "[\"a\"]", "[\"b\", 1]"}, "\"a,b,1\""},
      {"join", {"\",\"", "[\"a\", null]"}, nullptr, "null"},
      {"lower", {"\"HELLO\""}, "\"hello\""},
      {"upper", {"\"hello\""}, "\"HELLO\""},
      {"title", {"\"hello world\""}, "\"Hello World\""},
      {"title", {"\"foo-bar_baz\""}, "\"Foo-Bar_baz\""},
      {"split", {"\",\"", "\"foo\""}, "[\"foo\"]"},
      {"split", {"\",\"", "\"foo,bar,baz\""}, "[\"foo\",\"bar\",\"baz\"]"},
      {"split", {"\",\"", "\"\""}, "[\"\"]"},
      {"strrev", {"\"hello\""}, "\"olleh\""},
      {"strrev",
       {"\"a\xC3\xA9z\""},
       "\"z\xC3\xA9"
       "a\""},
      {"strrev", {"\"xe\xCC\x81\""}, "\"e\xCC\x81x\""},
      {"substr",
       {"\"\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\"", "1", "1"},
       "\"\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\""},
      {"substr", {"\"hello world\"", "1", "4"}, "\"ello\""},
      {"substr", {"\"\xF0\x9F\xA4\x94\xF0\x9F\xA4\xB7\"", "0", "1"}, "\"\xF0\x9F\xA4\x94\""},
      {"substr", {"\"hello world\"", "-5", "-1"}, "\"world\""},
      {"substr", {"\"hello world\"", "6", "10"}, "\"world\""},
      {"substr", {"\"hello\"", "10", "1"}, "\"\""},
      {"trim", {"\"?!hello?!\"", "\"!?\""}, "\"hello\""},
      {"trim", {"\"foobar\"", "\"far\""}, "\"oob\""},
      {"trim", {"\"   hello! world.!  \"", "\"! \""}, "\"hello! world.\""},
      {"trimprefix", {"\"helloworld\"", "\"hello\""}, "\"world\""},
      {"trimprefix", {"\"helloworld\"", "\"cat\""}, "\"helloworld\""},
      {"trimsuffix", {"\"helloworld\"", "\"world\""}, "\"hello\""},
      {"trimspace", {"\"  hello\\n\\n\""}, "\"hello\""},
      {"replace", {"\"1 + 2 + 3\"", "\"+\"", "\"-\""}, "\"1 - 2 - 3\""},
      {"replace", {"\"hello world\"", "\"/w.*d/\"", "\"everybody\""}, "\"hello everybody\""},
      {"replace", {"\"abc-123\"", "\"/([a-z]+)-(\\\\d+)/\"", "\"${2}_$1\""}, "\"123_abc\""},
      // As in Go, "$2_" names the group "2_", which does not exist.
      {"replace", {"\"abc-123\"", "\"/([a-z]+)-(\\\\d+)/\"", "\"$2_${1}\""}, "\"abc\""},
      {"replace", {"\"abc\"", "\"/x*/\"", "\"-\""}, "\"-a-b-c-\""},
      {"replace", {"\"a\"", "\"/(/\"", "\"-\""}, nullptr, "invalid regular expression"},
  });
}

TEST(TfFunctionsTest, Format) {
  check({
      {"format", {"\"Hello, %s!\"", "\"Ander\""}, "\"Hello, Ander!\""},
      {"format", {"\"There are %d lights\"", "4"}, "\"There are 4 lights\""},
      {"format", {"\"%d\"", "\"12\""}, "\"12\""},
      {"format", {"\"%d\"", "1.5"}, nullptr, "whole number"},
      {"format", {"\"%d\"", "100000000000000000000"}, "\"100000000000000000000\""},
      {"format", {"\"%.2f\"", "3.14159"}, "\"3.14\""},
      {"format", {"\"%f\"", "1"}, "\"1.000000\""},
      {"format", {"\"%03d|%-4s|%4s\"", "7", "\"ab\"", "\"cd\""}, "\"007|ab  |  cd\""},
      {"format", {"\"%x %X %o %b\"", "255", "255", "8", "5"}, "\"ff FF 10 101\""},
      {"format", {"\"%t\"", "true"}, "\"true\""},
      {"format", {"\"%q\"", "\"a\\\"b\""}, "\"\\\"a\\\\\\\"b\\\"\""},
      {"format", {"\"%v %v\"", "[1, \"a\"]", "null"}, "\"[1,\\\"a\\\"] null\""},
      {"format", {"\"%#v\"", "\"hello\""}, "\"\\\"hello\\\"\""},
      {"format", {"\"%g %e\"", "0.1", "1234.5678"}, "\"0.1 1.234568e+03\""},
      {"format", {"\"%.3s\"", "\"abcdef\""}, "\"abc\""},
      {"format", {"\"%[2]s %[1]s\"", "\"a\"", "\"b\""}, "\"b a\""},
      {"format", {"\"100%%\""}, "\"100%\""},
      {"format", {"\"%s\""}, nullptr, "not enough arguments"},
      {"format", {"\"%s\"", "\"a\"", "\"b\""}, nullptr, "too many arguments"},
      {"format", {"\"%y\"", "1"}, nullptr, "unsupported format verb"},
      {"formatlist",
       {"\"Hello, %s!\"", "[\"Valentina\", \"Ander\", \"Olivia\", \"Sam\"]"},
       "[\"Hello, Valentina!\",\"Hello, Ander!\",\"Hello, Olivia!\",\"Hello, Sam!\"]"},
      {"formatlist",
       {"\"%s, %s!\"", "\"Salutations\"", "[\"Valentina\", \"Ander\"]"},
       "[\"Salutations, Valentina!\",\"Salutations, Ander!\"]"},
      {"formatlist", {"\"%s%s\"", "[\"a\"]", "[\"b\", \"c\"]"}, nullptr, "inconsistent"},
  });
}

TEST(TfFunctionsTest, Regex) {
  check({
      {"regex", {"\"[a-z]+\"", "\"53453453.345345aaabbbccc23454\""}, "\"aaabbbccc\""},
      {"regex",
       {"\"(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)\"", "\"2019-02-01\""},
       "[\"2019\",\"02\",\"01\"]"},
      {"regex",
       {"\"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?\"", "\"https://terraform.io/docs/\""},
       "{\"authority\":\"terraform.io\",\"scheme\":\"https\"}"},
      {"regex", {"\"[a-z]+\"", "\"53453453.34534523454\""}, nullptr, "did not match"},
      {"regex", {"\"(a)|(b)\"", "\"b\""}, "[null,\"b\"]"},
      {"regexall", {"\"[a-z]+\"", "\"1234abcd5678efgh9\""}, "[\"abcd\",\"efgh\"]"},
      {"regexall", {"\"[a-z]+\"", "\"123456789\""}, "[]"},
      {"regexall", {"\"(\\\\d)(\\\\w)\"", "\"1a2b\""}, "[[\"1\",\"a\"],[\"2\",\"b\"]]"},
  });
}

TEST(TfFunctionsTest, Collections) {
  check({
      {"alltrue", {"[\"true\", true]"}, "true"},
      {"alltrue", {"[true, false]"}, "false"},
      {"alltrue", {"[]"}, "true"},
      {"anytrue", {"[\"true\"]"}, "true"},
      {"anytrue", {"[]"}, "false"},
      {"anytrue", {"[false, \"x\"]"}, nullptr, "bool"},
      {"chunklist", {"[\"a\", \"b\", \"c\", \"d\", \"e\"]", "2"}, "[[\"a\",\"b\"],[\"c\",\"d\"],[\"e\"]]"},
      {"chunklist",
       {"[\"a\", \"b\", \"c\", \"d\", \"e\"]", "1"},
       "[[\"a\"],[\"b\"],[\"c\"],[\"d\"],[\"e\"]]"},
      {"chunklist", {"[\"a\"]", "-1"}, nullptr, "positive"},
      {"coalesce", {"\"a\"", "\"b\""}, "\"a\""},
      {"coalesce", {"\"\"", "\"b\""}, "\"b\""},
      {"coalesce", {"1", "2"}, "1"},
      {"coalesce", {"null", "\"x\""}, "\"x\""},
      {"coalesce", {"null", "\"\""}, nullptr, "no non-null"},
      {"coalescelist", {"[\"a\", \"b\"]", "[\"c\", \"d\"]"}, "[\"a\",\"b\"]"},
      {"coalescelist", {"[]", "[\"c\", \"d\"]"}, "[\"c\",\"d\"]"},
      {"compact", {"[\"a\", \"\", \"b\", null, \"c\"]"}, "[\"a\",\"b\",\"c\"]"},
      {"concat", {"[\"a\", \"\"]", "[\"b\", \"c\"]"}, "[\"a\",\"\",\"b\",\"c\"]"},
      {"concat", {"[1]", "[\"x\", {\"a\": 1}]"}, "[1,\"x\",{\"a\":1}]"},
      {"contains", {"[\"a\", \"b\", \"c\"]", "\"a\""}, "true"},
      {"contains", {"[\"a\", \"b\", \"c\"]", "\"d\""}, "false"},
      {"contains", {"[1, 2]", "\"1\""}, "false"},
      {"distinct", {"[\"a\", \"b\", \"a\", \"c\", \"d\", \"b\"]"}, "[\"a\",\"b\",\"c\",\"d\"]"},
      {"element", {"[\"a\", \"b\", \"c\"]", "1"}, "\"b\""},
      {"element", {"[\"a\", \"b\", \"c\"]", "3"}, "\"a\""},
      {"element", {"[]", "0"}, nullptr, "empty"},
      {"element", {"[\"a\"]", "-1"}, nullptr, "negative"},
      {"flatten", {"[[\"a\", \"b\"], [], [\"c\"]]"}, "[\"a\",\"b\",\"c\"]"},
      {"flatten", {"[[[\"a\", \"b\"], []], [\"c\"]]"}, "[\"a\",\"b\",\"c\"]"},
      {"index", {"[\"a\", \"b\", \"c\"]", "\"b\""}, "1"},
      {"index", {"[\"a\"]", "\"z\""}, nullptr, "not found"},
      {"keys", {"{\"a\": 1, \"c\": 2, \"d\": 3}"}, "[\"a\",\"c\",\"d\"]"},
      {"keys", {"[1]"}, nullptr, "map or object"},
      {"length", {"[]"}, "0"},
      {"length", {"[\"a\", \"b\"]"}, "2"},
      {"length", {"{\"a\": \"b\"}"}, "1"},
      {"length", {"\"hello\""}, "5"},
      {"length", {"\"\xC3\xA9t\xC3\xA9\""}, "3"},
      {"length", {"1"}, nullptr, "collection"},
      // Grapheme clusters: an emoji with a variation selector, a flag (two regional
      // indicators), a letter with a combining accent, a ZWJ family.
      {"length", {"\"\xF0\x9F\x91\xBE\xF0\x9F\x95\xB9\xEF\xB8\x8F\""}, "2"},
      {"length", {"\"\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\""}, "2"},
      {"length", {"\"e\xCC\x81\""}, "1"},
      {"length", {"\"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\""}, "1"},
      {"lookup", {"{\"a\": \"ay\", \"b\": \"bee\"}", "\"a\"", "\"what?\""}, "\"ay\""},
      {"lookup", {"{\"a\": \"ay\", \"b\": \"bee\"}", "\"c\"", "\"what?\""}, "\"what?\""},
      {"lookup", {"{\"a\": \"ay\"}", "\"c\""}, nullptr, "failed to find"},
      {"matchkeys",
       {"[\"i-123\", \"i-abc\", \"i-def\"]", "[\"us-west\", \"us-east\", \"us-east\"]", "[\"us-east\"]"},
       "[\"i-abc\",\"i-def\"]"},
      {"matchkeys", {"[\"a\"]", "[]", "[]"}, nullptr, "equal"},
      {"merge",
       {"{\"a\": \"b\", \"c\": \"d\"}", "{\"e\": \"f\", \"c\": \"z\"}"},
       "{\"a\":\"b\",\"c\":\"z\",\"e\":\"f\"}"},
      {"merge", {"{\"a\": \"b\"}", "null", "{\"e\": [1]}"}, "{\"a\":\"b\",\"e\":[1]}"},
      {"merge", {"{\"a\": 1}", "[1]"}, nullptr, "map or object"},
      {"one", {"[]"}, "null"},
      {"one", {"[\"hello\"]"}, "\"hello\""},
      {"one", {"[\"hello\", \"goodbye\"]"}, nullptr, "zero or one"},
      {"range", {"3"}, "[0,1,2]"},
      {"range", {"1", "4"}, "[1,2,3]"},
      {"range", {"1", "8", "2"}, "[1,3,5,7]"},
      {"range", {"1", "4", "0.5"}, "[1,1.5,2,2.5,3,3.5]"},
      {"range", {"4", "1"}, "[4,3,2]"},
      {"range", {"10", "5", "-2"}, "[10,8,6]"},
      {"range", {"0"}, "[]"},
      {"range", {"1", "4", "-1"}, nullptr, "step"},
      {"range", {"0", "2000"}, nullptr, "1024"},
      {"reverse", {"[1, 2, 3]"}, "[3,2,1]"},
      {"setintersection", {"[\"a\", \"b\"]", "[\"b\", \"c\"]", "[\"b\", \"d\"]"}, "[\"b\"]"},
      {"setproduct",
       {"[\"development\", \"staging\", \"production\"]", "[\"app1\", \"app2\"]"},
       "[[\"development\",\"app1\"],[\"development\",\"app2\"],[\"staging\",\"app1\"],[\"staging\",\"app2\"],"
       "[\"production\",\"app1\"],[\"production\",\"app2\"]]"},
      {"setproduct", {"[\"a\"]", "[]"}, "[]"},
      {"setsubtract", {"[\"a\", \"b\", \"c\"]", "[\"a\", \"c\"]"}, "[\"b\"]"},
      {"setunion", {"[\"a\", \"b\"]", "[\"b\", \"c\"]", "[\"d\"]"}, "[\"a\",\"b\",\"c\",\"d\"]"},
      {"slice", {"[\"a\", \"b\", \"c\", \"d\"]", "1", "3"}, "[\"b\",\"c\"]"},
      {"slice", {"[\"a\"]", "0", "2"}, nullptr, "end index"},
      {"sort", {"[\"e\", \"d\", \"a\", \"x\"]"}, "[\"a\",\"d\",\"e\",\"x\"]"},
      {"sort", {"[10, 9, 1]"}, "[\"1\",\"10\",\"9\"]"},
      {"sum", {"[10, 13, 6, 4.5]"}, "33.5"},
      {"sum", {"[]"}, nullptr, "empty"},
      {"transpose",
       {"{\"a\": [\"1\", \"2\"], \"b\": [\"2\", \"3\"]}"},
       "{\"1\":[\"a\"],\"2\":[\"a\",\"b\"],\"3\":[\"b\"]}"},
      {"values", {"{\"a\": 3, \"c\": 2, \"d\": 1}"}, "[3,2,1]"},
      {"zipmap", {"[\"a\", \"b\"]", "[1, 2]"}, "{\"a\":1,\"b\":2}"},
      {"zipmap", {"[\"a\"]", "[1, 2]"}, nullptr, "does not match"},
  });
}

TEST(TfFunctionsTest, Encoding) {
  check({
      {"base64decode", {"\"SGVsbG8gV29ybGQ=\""}, "\"Hello World\""},
      {"base64decode", {"\"SGVsbG8gV29ybGQ\""}, nullptr, "base64"},
      {"base64decode", {"\"/w==\""}, nullptr, "UTF-8"},
      {"base64encode", {"\"Hello World\""}, "\"SGVsbG8gV29ybGQ=\""},
      {"csvdecode",
       {"\"a,b,c\\n1,2,3\\n4,5,6\""},
       "[{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"},{\"a\":\"4\",\"b\":\"5\",\"c\":\"6\"}]"},
      {"csvdecode",
       {"\"a,b\\n\\\"x,\\\"\\\"y\\\"\\\"\\\",2\\r\\n\""},
       "[{\"a\":\"x,\\\"y\\\"\",\"b\":\"2\"}]"},
      {"csvdecode", {"\"a,b\\n1\""}, nullptr, "wrong number of fields"},
      {"csvdecode", {"\"a,b\\n1,x\\\"y\""}, nullptr, "bare"},
      {"jsondecode", {"\"{\\\"hello\\\": \\\"world\\\"}\""}, "{\"hello\":\"world\"}"},
      {"jsondecode", {"\"true\""}, "true"},
      {"jsondecode", {"\"[1, 2.5, null]\""}, "[1,2.5,null]"},
      {"jsondecode", {"\"{\""}, nullptr, "invalid JSON"},
      {"jsonencode", {"{\"hello\": \"world\"}"}, "\"{\\\"hello\\\":\\\"world\\\"}\""},
      {"jsonencode", {"\"<a&b>\""}, "\"\\\"\\\\u003ca\\\\u0026b\\\\u003e\\\"\""},
      {"jsonencode", {"null"}, "\"null\""},
      {"textencodebase64", {"\"Hello World\"", "\"UTF-16LE\""}, "\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\""},
      {"textdecodebase64", {"\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\"", "\"UTF-16LE\""}, "\"Hello World\""},
      {"textencodebase64", {"\"x\"", "\"EBCDIC-Klingon\""}, nullptr, "not a supported"},
      {"urlencode", {"\"Hello World!\""}, "\"Hello+World%21\""},
      {"urlencode", {"\"\xE2\x98\x83\""}, "\"%E2%98%83\""},
      {"urlencode",
       {"\"foo:bar@localhost?foo=bar&bar=baz\""},
       "\"foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz\""},
      {"yamldecode", {"\"hello: world\""}, "{\"hello\":\"world\"}"},
      {"yamldecode", {"\"true\""}, "true"},
      {"yamldecode", {"\"{a: &foo [1, 2, 3], b: *foo}\""}, "{\"a\":[1,2,3],\"b\":[1,2,3]}"},
      {"yamldecode", {"\"a: [\""}, nullptr, "invalid YAML"},
      {"yamlencode", {"{\"a\": \"b\", \"c\": \"d\"}"}, "\"\\\"a\\\": \\\"b\\\"\\n\\\"c\\\": \\\"d\\\"\\n\""},
      {"yamlencode",
       {"{\"foo\": [1, 2, 3], \"bar\": \"baz\"}"},
       "\"\\\"bar\\\": \\\"baz\\\"\\n\\\"foo\\\":\\n- 1\\n- 2\\n- 3\\n\""},
      {"yamlencode",
       {"{\"foo\": [1, {\"a\": \"b\", \"c\": \"d\"}, 3], \"bar\": \"baz\"}"},
       "\"\\\"bar\\\": \\\"baz\\\"\\n\\\"foo\\\":\\n- 1\\n- \\\"a\\\": \\\"b\\\"\\n  \\\"c\\\": "
       "\\\"d\\\"\\n- 3\\n\""},
  });
}

TEST(TfFunctionsTest, YamlAndJsonRoundTrip) {
  const char* const kValues[] = {
      ("{\"a\": {\"b\": [1, [2, [\"x\", {}]], {\"c\": null, \"d\": [[]]}]}, \"e\": \"multi\\nline: \\\"q\\\" "
       "#\"}"),
      "[[1, 2], [{\"k\": true}], \"- dash\", \"\"]",
      "\"just a string\"",
      "{}",
  };
  for (const char* json : kValues) {
    std::vector<Value> args{J(json)};
    auto yaml = call_function("yamlencode", args, {});
    ASSERT_TRUE(yaml.ok()) << json;
    std::vector<Value> back_args{*yaml};
    auto back = call_function("yamldecode", back_args, {});
    ASSERT_TRUE(back.ok()) << yaml->as_string() << ": " << back.error().message;
    EXPECT_EQ(*to_json(*back), *to_json(args[0])) << yaml->as_string();
    auto text = call_function("jsonencode", args, {});
    ASSERT_TRUE(text.ok());
    std::vector<Value> text_args{*text};
    auto decoded = call_function("jsondecode", text_args, {});
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, args[0]) << json;
  }
}

TEST(TfFunctionsTest, Base64GzipIsGzip) {
  std::vector<Value> args{Value::string("hello hello hello")};
  auto r = call_function("base64gzip", args, {});
  ASSERT_TRUE(r.ok());
  auto bytes = core::base64_decode(r->as_string());
  ASSERT_TRUE(bytes.has_value());
  ASSERT_GT(bytes->size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[1]), 0x8b);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[9]), 0xff);
}

TEST(TfFunctionsTest, HashesAndUuid) {
  check({
      {"md5", {"\"hello world\""}, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""},
      {"md5", {"\"\""}, "\"d41d8cd98f00b204e9800998ecf8427e\""},
      {"sha1", {"\"hello world\""}, "\"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\""},
      {"sha256", {"\"hello world\""}, "\"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9\""},
      {"sha512",
       {"\"hello world\""},
       "\"309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd83"
       "0e81f605dcf7dc5542e93ae9cd76f\""},
      {"base64sha256", {"\"hello world\""}, "\"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\""},
      {"base64sha512",
       {"\"hello world\""},
       "\"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==\""},
      {"uuidv5", {"\"dns\"", "\"www.terraform.io\""}, "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\""},
      {"uuidv5", {"\"url\"", "\"https://www.terraform.io/\""}, "\"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5\""},
      {"uuidv5", {"\"nope\"", "\"x\""}, nullptr, "UUID"},
  });
  // A 1000-byte input crosses several blocks.
  std::vector<Value> args{Value::string(std::string(1000, 'a'))};
  auto r = call_function("sha256", args, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_string(), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  for (const char* fn : {"uuid", "bcrypt", "timestamp"}) {
    std::vector<Value> a;
    if (std::string_view(fn) == "bcrypt") a.push_back(Value::string("pw"));
    auto u = call_function(fn, a, {});
    ASSERT_TRUE(u.ok()) << fn;
    EXPECT_TRUE(u->is_unknown()) << fn;
  }
}

TEST(TfFunctionsTest, DateTime) {
  check({
      {"formatdate", {"\"DD MMM YYYY hh:mm ZZZ\"", "\"2018-01-02T23:12:01Z\""}, "\"02 Jan 2018 23:12 UTC\""},
      {"formatdate",
       {"\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\"", "\"2018-01-02T23:12:01Z\""},
       "\"Tuesday, 02-Jan-18 23:12:01 UTC\""},
      {"formatdate",
       {"\"EEE, DD MMM YYYY hh:mm:ss ZZZ\"", "\"2018-01-02T23:12:01-08:00\""},
       "\"Tue, 02 Jan 2018 23:12:01 -0800\""},
      {"formatdate", {"\"MMM DD, YYYY\"", "\"2018-01-02T23:12:01Z\""}, "\"Jan 02, 2018\""},
      {"formatdate", {"\"HH:mmaa\"", "\"2018-01-02T23:12:01Z\""}, "\"11:12pm\""},
      {"formatdate",
       {"\"h 'o''clock' Z ZZZZZ\"", "\"2018-01-02T05:12:01+05:30\""},
       "\"5 o'clock +05:30 +05:30\""},
      {"formatdate", {"\"YYYY\"", "\"2018-01-02\""}, nullptr, "RFC 3339"},
      {"formatdate", {"\"QQ\"", "\"2018-01-02T23:12:01Z\""}, nullptr, "invalid date format verb"},
      {"timeadd", {"\"2017-11-22T00:00:00Z\"", "\"10m\""}, "\"2017-11-22T00:10:00Z\""},
      {"timeadd", {"\"2017-11-22T00:00:00Z\"", "\"-1h30m\""}, "\"2017-11-21T22:30:00Z\""},
      {"timeadd", {"\"2017-11-22T00:00:00+01:00\"", "\"24h\""}, "\"2017-11-23T00:00:00+01:00\""},
      {"timeadd", {"\"2017-11-22T00:00:00Z\"", "\"10 minutes\""}, nullptr, "duration"},
      {"timecmp", {"\"2017-11-22T00:00:00Z\"", "\"2017-11-22T00:00:00Z\""}, "0"},
      {"timecmp", {"\"2017-11-22T00:00:00Z\"", "\"2017-11-22T01:00:00Z\""}, "-1"},
      {"timecmp", {"\"2017-11-22T01:00:00Z\"", "\"2017-11-22T00:00:00Z\""}, "1"},
      {"timecmp", {"\"2017-11-22T01:00:00Z\"", "\"2017-11-22T00:00:00-01:00\""}, "0"},
      {"timecmp", {"\"2017-02-30T01:00:00Z\"", "\"2017-11-22T00:00:00Z\""}, nullptr, "RFC 3339"},
  });
}

TEST(TfFunctionsTest, Network) {
  check({
      {"cidrhost", {"\"10.12.112.0/20\"", "16"}, "\"10.12.112.16\""},
      {"cidrhost", {"\"10.12.112.0/20\"", "268"}, "\"10.12.113.12\""},
      {"cidrhost", {"\"10.12.112.0/20\"", "-1"}, "\"10.12.127.255\""},
      {"cidrhost", {"\"fd00:fd12:3456:7890:00a2::/72\"", "34"}, "\"fd00:fd12:3456:7890::22\""},
      {"cidrhost", {"\"10.0.0.0/30\"", "4"}, nullptr, "does not accommodate"},
      {"cidrnetmask", {"\"172.16.0.0/12\""}, "\"255.240.0.0\""},
      {"cidrnetmask", {"\"fd00::/8\""}, nullptr, "IPv6"},
      {"cidrsubnet", {"\"172.16.0.0/12\"", "4", "2"}, "\"172.18.0.0/16\""},
      {"cidrsubnet", {"\"10.1.2.0/24\"", "4", "15"}, "\"10.1.2.240/28\""},
      {"cidrsubnet", {"\"fd00:fd12:3456:7890::/56\"", "16", "162"}, "\"fd00:fd12:3456:7800:a200::/72\""},
      {"cidrsubnet", {"\"10.0.0.0/8\"", "4", "16"}, nullptr, "does not accommodate"},
      {"cidrsubnet", {"\"10.0.0.0/30\"", "4", "1"}, nullptr, "insufficient address space"},
      {"cidrsubnet", {"\"10.0.0/8\"", "4", "1"}, nullptr, "invalid CIDR"},
      {"cidrsubnets",
       {"\"10.1.0.0/16\"", "4", "4", "8", "4"},
       "[\"10.1.0.0/20\",\"10.1.16.0/20\",\"10.1.32.0/24\",\"10.1.48.0/20\"]"},
      {"cidrsubnets",
       {"\"fd00:fd12:3456:7890::/56\"", "16", "16", "16", "32"},
       "[\"fd00:fd12:3456:7800::/72\",\"fd00:fd12:3456:7800:100::/72\",\"fd00:fd12:3456:7800:200::/72\","
       "\"fd00:fd12:3456:7800:300::/88\"]"},
      {"cidrsubnets", {"\"10.0.0.0/30\"", "1", "1", "1"}, nullptr, "not enough remaining address space"},
  });
}

TEST(TfFunctionsTest, Conversions) {
  check({
      {"tobool", {"true"}, "true"},
      {"tobool", {"\"true\""}, "true"},
      {"tobool", {"null"}, "null"},
      {"tobool", {"\"no\""}, nullptr, "cannot convert"},
      {"tobool", {"1"}, nullptr, "cannot convert"},
      {"tonumber", {"1"}, "1"},
      {"tonumber", {"\"1\""}, "1"},
      {"tonumber", {"\"1.5e2\""}, "150"},
      {"tonumber", {"\"no\""}, nullptr, "cannot convert"},
      {"tostring", {"\"hello\""}, "\"hello\""},
      {"tostring", {"1"}, "\"1\""},
      {"tostring", {"true"}, "\"true\""},
      {"tostring", {"[]"}, nullptr, "cannot convert"},
      {"tolist", {"[\"a\", \"b\", \"c\"]"}, "[\"a\",\"b\",\"c\"]"},
      {"tolist", {"[\"a\", \"b\", 3]"}, "[\"a\",\"b\",\"3\"]"},
      {"tolist", {"[\"a\", {}]"}, nullptr, "cannot convert"},
      {"toset", {"[\"c\", \"b\", \"b\"]"}, "[\"b\",\"c\"]"},
      {"toset", {"[\"a\", \"b\", 3]"}, "[\"3\",\"a\",\"b\"]"},
      {"tomap", {"{\"a\": 1, \"b\": 2}"}, "{\"a\":1,\"b\":2}"},
      {"tomap", {"{\"a\": \"foo\", \"b\": true}"}, "{\"a\":\"foo\",\"b\":\"true\"}"},
      {"tomap", {"[1]"}, nullptr, "cannot convert"},
      {"nonexistent", {}, nullptr, "no function named"},
  });
}

TEST(TfFunctionsTest, UnknownsPropagate) {
  const FunctionContext ctx;
  auto call = [&](const char* fn, std::vector<Value> args) {
    auto r = call_function(fn, args, ctx);
    EXPECT_TRUE(r.ok()) << fn << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Value();
  };
  const Value u = Value::unknown();
  EXPECT_TRUE(call("upper", {u}).is_unknown());
  EXPECT_EQ(call("upper", {u}).type(), Type::string());
  EXPECT_TRUE(call("join", {Value::string(","), Value::tuple({Value::string("a"), u})}).is_unknown());
  EXPECT_TRUE(call("cidrsubnet", {u, Value::number(int64_t{4}), Value::number(int64_t{1})}).is_unknown());
  // length of a known list with unknown elements is known.
  Value n = call("length", {Value::tuple({u, u, Value::string("x")})});
  ASSERT_EQ(n.kind(), ValueKind::kNumber);
  EXPECT_EQ(n.as_number().i, 3);
  EXPECT_TRUE(call("length", {u}).is_unknown());
  // merge keeps known members next to unknown ones.
  Value m = call("merge", {Value::object({{"a", Value::string("x")}}), Value::object({{"b", u}})});
  ASSERT_EQ(m.kind(), ValueKind::kObject);
  EXPECT_EQ(m.find("a")->as_string(), "x");
  EXPECT_TRUE(m.find("b")->is_unknown());
  // coalesce stops at an unknown that comes first; a known first value wins.
  EXPECT_TRUE(call("coalesce", {u, Value::string("b")}).is_unknown());
  EXPECT_EQ(call("coalesce", {Value::string("a"), u}).as_string(), "a");
  // contains: a match is known even when other elements are unknown.
  EXPECT_TRUE(call("contains", {Value::tuple({u, Value::string("a")}), Value::string("a")}).as_bool());
  EXPECT_TRUE(call("contains", {Value::tuple({u}), Value::string("a")}).is_unknown());
  // lookup of a known key in a partly unknown map.
  EXPECT_EQ(
      call("lookup", {Value::object({{"k", Value::string("v")}, {"z", u}}), Value::string("k")}).as_string(),
      "v");
  EXPECT_TRUE(call("pathexpand", {Value::string("~/.ssh/id_rsa")}).is_unknown());
  EXPECT_EQ(call("pathexpand", {Value::string("/etc/hosts")}).as_string(), "/etc/hosts");
}

TEST(TfFunctionsTest, NullArgumentsAreErrors) {
  std::vector<Value> args{Value::null()};
  auto r = call_function("upper", args, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "terraform.function.args");
  auto wrong = call_function("upper", {}, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("expects 1"), std::string::npos);
}

TEST(TfFunctionsTest, SensitiveMarksPropagate) {
  std::vector<Value> args{Value::string("secret").with_sensitive(true)};
  auto r = call_function("upper", args, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->sensitive());
  auto s = call_function("nonsensitive", args, {});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->sensitive());
  auto is = call_function("issensitive", args, {});
  ASSERT_TRUE(is.ok());
  EXPECT_TRUE(is->as_bool());
  std::vector<Value> plain{Value::string("x")};
  auto marked = call_function("sensitive", plain, {});
  ASSERT_TRUE(marked.ok());
  EXPECT_TRUE(marked->sensitive());
}

TEST(TfFunctionsTest, PathFunctions) {
  check({
      {"basename", {"\"foo/bar/baz.txt\""}, "\"baz.txt\""},
      {"basename", {"\"foo/bar/\""}, "\"bar\""},
      {"basename", {"\"\""}, "\".\""},
      {"dirname", {"\"foo/bar/baz.txt\""}, "\"foo/bar\""},
      {"dirname", {"\"baz.txt\""}, "\".\""},
      {"dirname", {"\"/baz.txt\""}, "\"/\""},
      {"abspath", {"\"/a/b/../c\""}, "\"/a/c\""},
  });
}

class TfFileFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("skm_tf_fn_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "scan" / "mod" / "files" / "sub");
    write("scan/mod/hello.txt", "Hello World");
    write("scan/mod/files/a.json", "{}");
    write("scan/mod/files/b.txt", "b");
    write("scan/mod/files/sub/c.json", "[]");
    write("scan/mod/tpl.tftpl", "Hi ${name}");
    write("scan/mod/bin.dat", std::string("\xff\xfe\x00", 3));
    write("secret.txt", "outside");
    std::error_code ec;
    std::filesystem::create_symlink(root_ / "secret.txt", root_ / "scan" / "mod" / "link.txt", ec);
    ctx_.base_dir = (root_ / "scan" / "mod").string();
    ctx_.scan_root = (root_ / "scan").string();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(root_ / rel, std::ios::binary) << content;
  }
  std::filesystem::path root_;
  FunctionContext ctx_;
};

TEST_F(TfFileFunctionsTest, ReadsInsideTheScanRoot) {
  check(
      {
          {"file", {"\"hello.txt\""}, "\"Hello World\""},
          {"file", {"\"files/../hello.txt\""}, "\"Hello World\""},
          {"file", {"\"missing.txt\""}, nullptr, "no file exists"},
          {"file", {"\"bin.dat\""}, nullptr, "not valid UTF-8"},
          {"file", {"\"files\""}, nullptr, "directory"},
          {"filebase64", {"\"hello.txt\""}, "\"SGVsbG8gV29ybGQ=\""},
          {"filemd5", {"\"hello.txt\""}, "\"b10a8db164e0754105b7a99be72e3fe5\""},
          {"fileexists", {"\"hello.txt\""}, "true"},
          {"fileexists", {"\"nope.txt\""}, "false"},
          {"fileset", {"\"files\"", "\"*.json\""}, "[\"a.json\"]"},
          {"fileset", {"\"files\"", "\"**/*.json\""}, "[\"a.json\",\"sub/c.json\"]"},
          {"fileset", {"\"files\"", "\"{a,b}.*\""}, "[\"a.json\",\"b.txt\"]"},
          {"fileset", {"\"files\"", "\"?.[tx]*\""}, "[\"b.txt\"]"},
          {"fileset", {"\"nonexistent\"", "\"*\""}, "[]"},
      },
      ctx_);
}

TEST_F(TfFileFunctionsTest, NeverReadsOutsideTheScanRoot) {
  for (const char* path : {"../../secret.txt", "link.txt", "/etc/passwd"}) {
    for (const char* fn : {"file", "fileexists", "filebase64", "filesha256"}) {
      std::vector<Value> args{Value::string(path)};
      auto r = call_function(fn, args, ctx_);
      ASSERT_FALSE(r.ok()) << fn << "(" << path << ")";
      EXPECT_EQ(r.error().code, "terraform.function.outside_root") << fn << "(" << path << ")";
    }
  }
  std::vector<Value> args{Value::string(".."), Value::string("**")};
  auto fs = call_function("fileset", args, ctx_);
  ASSERT_TRUE(fs.ok());  // the scan root itself is inside
  for (const auto& v : fs->items()) EXPECT_EQ(v.as_string().find("secret"), std::string_view::npos);
  std::vector<Value> out{Value::string("../.."), Value::string("*")};
  EXPECT_FALSE(call_function("fileset", out, ctx_).ok());
}

TEST_F(TfFileFunctionsTest, FileLimit) {
  ctx_.limits.max_file = 4;
  std::vector<Value> args{Value::string("hello.txt")};
  auto r = call_function("file", args, ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "terraform.function.limit");
}

TEST_F(TfFileFunctionsTest, TemplatefileUsesTheRenderer) {
  std::vector<Value> args{Value::string("tpl.tftpl"), Value::object({{"name", Value::string("Ann")}})};
  EXPECT_FALSE(call_function("templatefile", args, ctx_).ok());  // no renderer set
  ctx_.render_template = [](const std::string& path, const std::string& text,
                            const Value& vars) -> core::Result<Value> {
    EXPECT_NE(path.find("tpl.tftpl"), std::string::npos);
    std::string out = text;
    out.replace(out.find("${name}"), 7, std::string(vars.find("name")->as_string()));
    return Value::string(out);
  };
  auto r = call_function("templatefile", args, ctx_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->as_string(), "Hi Ann");
  std::vector<Value> bad{Value::string("tpl.tftpl"), Value::object({{"1x", Value::string("Ann")}})};
  EXPECT_FALSE(call_function("templatefile", bad, ctx_).ok());
}

TEST(TfFunctionsTest, Limits) {
  FunctionContext ctx;
  ctx.limits.max_string = 100;
  ctx.limits.max_elements = 10;
  std::vector<Value> indent{Value::number(int64_t{1000}), Value::string("a\nb")};
  EXPECT_FALSE(call_function("indent", indent, ctx).ok());
  std::vector<Value> rep{Value::string(std::string(60, 'a')), Value::string("a"), Value::string("bb")};
  EXPECT_FALSE(call_function("replace", rep, ctx).ok());
  std::vector<Value> items;
  for (int i = 0; i < 4; ++i) items.push_back(Value::number(int64_t{i}));
  std::vector<Value> product{Value::tuple(items), Value::tuple(items)};
  auto r = call_function("setproduct", product, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "terraform.function.limit");
  std::vector<Value> fmt{Value::string("%200s"), Value::string("x")};
  EXPECT_FALSE(call_function("format", fmt, ctx).ok());
}

TEST(TfFunctionsTest, RegistryListsEveryFunction) {
  const auto names = function_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* n : {"abs",
                        "ceil",
                        "floor",
                        "log",
                        "max",
                        "min",
                        "parseint",
                        "pow",
                        "signum",
                        "chomp",
                        "endswith",
                        "format",
                        "formatlist",
                        "indent",
                        "join",
                        "lower",
                        "regex",
                        "regexall",
                        "replace",
                        "split",
                        "startswith",
                        "strcontains",
                        "strrev",
                        "substr",
                        "title",
                        "trim",
                        "trimprefix",
                        "trimsuffix",
                        "trimspace",
                        "upper",
                        "alltrue",
                        "anytrue",
                        "chunklist",
                        "coalesce",
                        "coalescelist",
                        "compact",
                        "concat",
                        "contains",
                        "distinct",
                        "element",
                        "flatten",
                        "index",
                        "keys",
                        "length",
                        "lookup",
                        "matchkeys",
                        "merge",
                        "one",
                        "range",
                        "reverse",
                        "setintersection",
                        "setproduct",
                        "setsubtract",
                        "setunion",
                        "slice",
                        "sort",
                        "sum",
                        "transpose",
                        "values",
                        "zipmap",
                        "base64decode",
                        "base64encode",
                        "base64gzip",
                        "csvdecode",
                        "jsondecode",
                        "jsonencode",
                        "textdecodebase64",
                        "textencodebase64",
                        "urlencode",
                        "yamldecode",
                        "yamlencode",
                        "abspath",
                        "dirname",
                        "pathexpand",
                        "basename",
                        "file",
                        "fileexists",
                        "fileset",
                        "filebase64",
                        "templatefile",
                        "formatdate",
                        "timeadd",
                        "timecmp",
                        "timestamp",
                        "base64sha256",
                        "base64sha512",
                        "md5",
                        "sha1",
                        "sha256",
                        "sha512",
                        "uuid",
                        "bcrypt",
                        "cidrhost",
                        "cidrnetmask",
                        "cidrsubnet",
                        "cidrsubnets",
                        "tobool",
                        "tolist",
                        "tomap",
                        "tonumber",
                        "toset",
                        "tostring",
                        "type",
                        "sensitive",
                        "nonsensitive",
                        "issensitive"}) {
    EXPECT_TRUE(has_function(n)) << n;
  }
}

}  // namespace
}  // namespace sekimori::terraform
