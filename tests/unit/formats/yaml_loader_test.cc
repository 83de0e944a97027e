#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "formats/document.h"
#include "test_util.h"

namespace sekimori::formats {
namespace {

using testing::lc;
using testing::yaml;
using testing::yaml_error;

TEST(YamlLoader, LocatesNestedMapsAndLists) {
  auto doc = yaml(
      "a:\n"
      "  b:\n"
      "    - 1\n"
      "    - x: y\n"
      "      z: [p, {q: r}]\n"
      "c: d\n");
  EXPECT_EQ(doc.format(), Format::kYaml);
  EXPECT_EQ(lc(&doc.root()), "1:1");
  EXPECT_EQ(lc(&doc.root().members()[0].key), "1:1");
  EXPECT_EQ(lc(doc.root().find("a")), "2:3");
  const Node* b = doc.root().find_path({"a", "b"});
  EXPECT_EQ(lc(b), "3:5");
  EXPECT_EQ(lc(&b->items()[0]), "3:7");
  EXPECT_EQ(lc(&b->items()[1]), "4:7");
  EXPECT_EQ(lc(b->items()[1].find("x")), "4:10");
  const Node* z = b->items()[1].find("z");
  EXPECT_EQ(lc(z), "5:10");
  EXPECT_EQ(lc(&z->items()[1]), "5:14");
  EXPECT_EQ(lc(z->items()[1].find("q")), "5:18");
  EXPECT_EQ(lc(doc.root().find("c")), "6:4");
  EXPECT_EQ(doc.root().find("c")->pos().offset, 51u);
}

TEST(YamlLoader, LocatesMultiLineScalars) {
  auto doc = yaml(
      "a: |\n"
      "  line1\n"
      "  line2\n"
      "b: >-\n"
      "  folded\n"
      "  text\n"
      "c: \"multi\n"
      "  line\"\n"
      "d: plain\n"
      "  continued\n"
      "e: 1\n");
  EXPECT_EQ(lc(doc.root().find("a")), "1:4");
  EXPECT_EQ(doc.root().find("a")->as_string(), "line1\nline2\n");
  EXPECT_EQ(lc(doc.root().find("b")), "4:4");
  EXPECT_EQ(doc.root().find("b")->as_string(), "folded text");
  EXPECT_EQ(lc(doc.root().find("c")), "7:4");
  EXPECT_EQ(doc.root().find("c")->as_string(), "multi line");
  EXPECT_EQ(doc.root().find("d")->as_string(), "plain continued");
  EXPECT_EQ(lc(doc.root().find("e")), "11:4");
}

TEST(YamlLoader, LocatesAfterCrlf) {
  auto doc = yaml("a: 1\r\nb:\r\n  - x\r\n  - y\r\n");
  EXPECT_EQ(lc(doc.root().find("a")), "1:4");
  EXPECT_EQ(lc(doc.root().find("b")), "3:3");
  EXPECT_EQ(lc(&doc.root().find("b")->items()[1]), "4:5");
  EXPECT_EQ(doc.root().find("b")->items()[1].as_string(), "y");
}

TEST(YamlLoader, SkipsBom) {
  auto doc = yaml("\xEF\xBB\xBFkey: value\nk2: v2\n");
  EXPECT_EQ(doc.text().substr(0, 3), "key");
  EXPECT_EQ(lc(&doc.root().members()[0].key), "1:1");
  EXPECT_EQ(lc(doc.root().find("key")), "1:6");
  EXPECT_EQ(lc(doc.root().find("k2")), "2:5");
}

TEST(YamlLoader, ColumnsCountBytesAfterMultibyteChars) {
  auto doc = yaml("é日本: ü\nx: [ñ, y]\n");
  EXPECT_EQ(lc(doc.root().find("é日本")), "1:11");
  EXPECT_EQ(lc(&doc.root().find("x")->items()[1]), "2:9");
}

TEST(YamlLoader, EmptyValuesAreNullOnTheirKeysLine) {
  auto doc = yaml("a:\nb: 1\nlist:\n  -\n  - 2\n");
  EXPECT_TRUE(doc.root().find("a")->is_null());
  EXPECT_EQ(doc.root().find("a")->pos().line, 1u);
  const Node& first = doc.root().find("list")->items()[0];
  EXPECT_TRUE(first.is_null());
  EXPECT_EQ(first.pos().line, 4u);
}

TEST(YamlLoader, CoreSchemaResolutionOfPlainScalars) {
  auto doc = yaml(
      "- null\n- Null\n- NULL\n- ~\n-\n"               // 0-4 null
      "- true\n- True\n- TRUE\n- false\n- FALSE\n"   // 5-9 bool
      "- 42\n- -7\n- +3\n- 0o17\n- 0x1F\n- 012\n"    // 10-15 int
      "- 1.5\n- 1e3\n- -.5\n- .inf\n- -.Inf\n- .nan\n- 2.\n"  // 16-22 float
      "- yes\n- no\n- on\n- tRue\n- 0b101\n- 1_000\n- 12abc\n- .\n- '-'\n");  // 23-31 string
  auto it = doc.root().items();
  ASSERT_EQ(it.size(), 32u);
  for (int i = 0; i <= 4; ++i) EXPECT_TRUE(it[i].is_null()) << i;
  EXPECT_TRUE(it[5].as_bool());
  EXPECT_TRUE(it[6].as_bool());
  EXPECT_TRUE(it[7].as_bool());
  EXPECT_FALSE(it[8].as_bool());
  EXPECT_FALSE(it[9].as_bool());
  EXPECT_EQ(it[10].as_int(), 42);
  EXPECT_EQ(it[11].as_int(), -7);
  EXPECT_EQ(it[12].as_int(), 3);
  EXPECT_EQ(it[13].as_int(), 15);
  EXPECT_EQ(it[14].as_int(), 31);
  EXPECT_EQ(it[15].as_int(), 12);
  EXPECT_EQ(it[16].as_double(), 1.5);
  EXPECT_EQ(it[17].as_double(), 1000.0);
  EXPECT_EQ(it[18].as_double(), -0.5);
  EXPECT_TRUE(std::isinf(it[19].as_double()) && it[19].as_double() > 0);
  EXPECT_TRUE(std::isinf(it[20].as_double()) && it[20].as_double() < 0);
  EXPECT_TRUE(std::isnan(it[21].as_double()));
  EXPECT_EQ(it[22].as_double(), 2.0);
  for (int i = 23; i <= 31; ++i) EXPECT_EQ(it[i].kind(), NodeKind::kString) << i;
  EXPECT_EQ(it[23].as_string(), "yes");  // YAML 1.2: not a bool
  EXPECT_FALSE(it[23].quoted());
}

TEST(YamlLoader, BigIntegers) {
  auto doc = yaml("[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551616, 0xFFFFFFFFFFFFFFFF]");
  auto it = doc.root().items();
  EXPECT_EQ(it[0].as_int(), INT64_MAX);
  EXPECT_EQ(it[1].as_int(), INT64_MIN);
  EXPECT_EQ(it[2].as_uint(), 9223372036854775808ull);
  EXPECT_EQ(it[3].kind(), NodeKind::kDouble);
  EXPECT_EQ(it[4].as_uint(), UINT64_MAX);
}

TEST(YamlLoader, QuotedAndBlockScalarsAreStrings) {
  auto doc = yaml("a: \"true\"\nb: '123'\nc: |\n  null\nd: \"\"\ne: true\n");
  EXPECT_EQ(doc.root().find("a")->kind(), NodeKind::kString);
  EXPECT_EQ(doc.root().find("a")->as_string(), "true");
  EXPECT_TRUE(doc.root().find("a")->quoted());
  EXPECT_EQ(doc.root().find("b")->as_string(), "123");
  EXPECT_TRUE(doc.root().find("b")->quoted());
  EXPECT_EQ(doc.root().find("c")->as_string(), "null\n");
  EXPECT_TRUE(doc.root().find("c")->quoted());
  EXPECT_EQ(doc.root().find("d")->as_string(), "");
  EXPECT_EQ(doc.root().find("e")->kind(), NodeKind::kBool);
}

TEST(YamlLoader, BlockScalarChomping) {
  auto doc = yaml("keep: |+\n  a\n\nstrip: |-\n  a\n\nclip: |\n  a\n\nfold: >\n  a\n  b\n\n  c\nfold_keep: >+\n  x\n\nend: 1\n");
  EXPECT_EQ(doc.root().find("keep")->as_string(), "a\n\n");
  EXPECT_EQ(doc.root().find("strip")->as_string(), "a");
  EXPECT_EQ(doc.root().find("clip")->as_string(), "a\n");
  EXPECT_EQ(doc.root().find("fold")->as_string(), "a b\nc\n");
}

TEST(YamlLoader, StandardTagsAreAppliedNotKept) {
  core::Diagnostics diags;
  auto doc = yaml(
      "a: !!str 12\nb: !!int \"42\"\nc: !!float 3\nd: !!bool \"true\"\ne: !!null ''\n"
      "f: !!binary aGVsbG8=\ng: !!map {x: 1}\nh: !!seq [1]\ni: !!int 0x10\n",
      &diags);
  const Node& r = doc.root();
  EXPECT_EQ(r.find("a")->as_string(), "12");
  EXPECT_EQ(r.find("a")->tag(), "");
  EXPECT_EQ(r.find("b")->as_int(), 42);
  EXPECT_EQ(r.find("c")->kind(), NodeKind::kDouble);
  EXPECT_EQ(r.find("c")->as_double(), 3.0);
  EXPECT_TRUE(r.find("d")->as_bool());
  EXPECT_TRUE(r.find("e")->is_null());
  EXPECT_EQ(r.find("f")->as_string(), "hello");
  EXPECT_EQ(r.find("g")->kind(), NodeKind::kMap);
  EXPECT_EQ(r.find("g")->tag(), "");
  EXPECT_EQ(r.find("h")->kind(), NodeKind::kList);
  EXPECT_EQ(r.find("h")->tag(), "");
  EXPECT_EQ(r.find("i")->as_int(), 16);
  EXPECT_TRUE(diags.empty());
}

TEST(YamlLoader, MismatchedStandardTagWarnsAndKeepsString) {
  core::Diagnostics diags;
  auto doc = yaml("a: 1\nb: !!int abc\n", &diags);
  EXPECT_EQ(doc.root().find("b")->as_string(), "abc");
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].code, "yaml.tag");
  EXPECT_EQ(diags.items()[0].location.to_string(), "t.yaml:2:4");
}

// Every CloudFormation short form, on the kind of value it takes.
TEST(YamlLoader, CloudFormationShortFormTags) {
  auto doc = yaml(
      "Ref: !Ref MyBucket\n"
      "Sub: !Sub 'arn:aws:s3:::${Bucket}/*'\n"
      "SubList: !Sub ['${A}-x', {A: !Ref B}]\n"
      "GetAtt: !GetAtt Role.Arn\n"
      "GetAttList: !GetAtt [Role, Arn]\n"
      "If: !If [IsProd, 1, !Ref AWS::NoValue]\n"
      "Join: !Join [',', [a, b]]\n"
      "Select: !Select [0, !GetAZs '']\n"
      "Equals: !Equals [!Ref Env, prod]\n"
      "And: !And [!Condition A, !Not [!Condition B]]\n"
      "Or: !Or [!Condition A, !Condition B]\n"
      "FindInMap: !FindInMap [Map, !Ref AWS::Region, Ami]\n"
      "Base64: !Base64 |\n"
      "  #!/bin/bash\n"
      "Split: !Split [',', !ImportValue Exported]\n"
      "Cidr: !Cidr [!GetAtt Vpc.CidrBlock, 6, 8]\n"
      "GetAZs: !GetAZs\n"
      "Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://x}}\n");
  const Node& r = doc.root();
  auto check = [&](const char* key, const char* tag, NodeKind kind) {
    const Node* n = r.find(key);
    ASSERT_NE(n, nullptr) << key;
    EXPECT_EQ(n->tag(), tag) << key;
    EXPECT_EQ(n->kind(), kind) << key;
  };
  check("Ref", "!Ref", NodeKind::kString);
  EXPECT_EQ(r.find("Ref")->as_string(), "MyBucket");
  EXPECT_EQ(lc(r.find("Ref")), "1:6");
  check("Sub", "!Sub", NodeKind::kString);
  EXPECT_EQ(r.find("Sub")->as_string(), "arn:aws:s3:::${Bucket}/*");
  check("SubList", "!Sub", NodeKind::kList);
  EXPECT_EQ(r.find("SubList")->items()[1].find("A")->tag(), "!Ref");
  check("GetAtt", "!GetAtt", NodeKind::kString);
  EXPECT_EQ(r.find("GetAtt")->as_string(), "Role.Arn");
  check("GetAttList", "!GetAtt", NodeKind::kList);
  check("If", "!If", NodeKind::kList);
  EXPECT_EQ(r.find("If")->items()[0].as_string(), "IsProd");
  EXPECT_EQ(r.find("If")->items()[2].tag(), "!Ref");
  EXPECT_EQ(r.find("If")->items()[2].as_string(), "AWS::NoValue");
  check("Join", "!Join", NodeKind::kList);
  EXPECT_EQ(r.find("Join")->items()[1].size(), 2u);
  check("Select", "!Select", NodeKind::kList);
  EXPECT_EQ(r.find("Select")->items()[1].tag(), "!GetAZs");
  EXPECT_EQ(r.find("Select")->items()[1].as_string(), "");
  check("Equals", "!Equals", NodeKind::kList);
  check("And", "!And", NodeKind::kList);
  EXPECT_EQ(r.find("And")->items()[1].tag(), "!Not");
  EXPECT_EQ(r.find("And")->items()[1].items()[0].tag(), "!Condition");
  check("Or", "!Or", NodeKind::kList);
  check("FindInMap", "!FindInMap", NodeKind::kList);
  check("Base64", "!Base64", NodeKind::kString);
  EXPECT_EQ(r.find("Base64")->as_string(), "#!/bin/bash\n");
  check("Split", "!Split", NodeKind::kList);
  EXPECT_EQ(r.find("Split")->items()[1].tag(), "!ImportValue");
  check("Cidr", "!Cidr", NodeKind::kList);
  // Tagged plain scalars are not resolved: `6` under a tag would stay a string, but here
  // the items are untagged and resolve normally.
  EXPECT_EQ(r.find("Cidr")->items()[1].as_int(), 6);
  check("GetAZs", "!GetAZs", NodeKind::kString);
  EXPECT_EQ(r.find("GetAZs")->as_string(), "");
  check("Transform", "!Transform", NodeKind::kMap);
  EXPECT_EQ(r.find_path({"Transform", "Parameters", "Location"})->as_string(), "s3://x");
}

TEST(YamlLoader, CustomTaggedScalarIsNotResolved) {
  auto doc = yaml("a: !Custom 12\nb: !Custom true\n");
  EXPECT_EQ(doc.root().find("a")->kind(), NodeKind::kString);
  EXPECT_EQ(doc.root().find("a")->as_string(), "12");
  EXPECT_EQ(doc.root().find("b")->tag(), "!Custom");
}

TEST(YamlLoader, MultiDocumentStream) {
  auto doc = yaml(
      "apiVersion: v1\nkind: Pod\n"
      "---\n"
      "apiVersion: apps/v1\nkind: Deployment\n"
      "---\n"
      "# empty document\n"
      "---\n"
      "- 1\n");
  ASSERT_EQ(doc.roots().size(), 4u);
  EXPECT_EQ(doc.roots()[0].find("kind")->as_string(), "Pod");
  EXPECT_EQ(doc.roots()[1].find("kind")->as_string(), "Deployment");
  EXPECT_EQ(lc(doc.roots()[1].find("kind")), "5:7");
  EXPECT_TRUE(doc.roots()[2].is_null());
  EXPECT_EQ(doc.roots()[3].kind(), NodeKind::kList);
  EXPECT_EQ(&doc.root(), &doc.roots()[0]);
}

TEST(YamlLoader, EmptyStreamHasNoRoots) {
  auto doc = yaml("# just a comment\n");
  EXPECT_TRUE(doc.roots().empty());
  EXPECT_TRUE(doc.root().is_null());
  EXPECT_TRUE(yaml("").roots().empty());
}

TEST(YamlLoader, DocumentLimit) {
  Limits limits;
  limits.max_documents = 2;
  EXPECT_EQ(yaml("a\n---\nb\n", nullptr, limits).roots().size(), 2u);
  auto e = yaml_error("a\n---\nb\n---\nc\n", limits);
  EXPECT_EQ(e.code, "doc.limit.documents");
  EXPECT_EQ(lc(e), "4:1");  // the third document starts at its `---`
}

TEST(YamlLoader, AnchorsAndAliases) {
  auto doc = yaml(
      "base: &base\n"
      "  cpu: 1\n"
      "  tags: [a, b]\n"
      "name: &n web\n"
      "copy: *base\n"
      "names: [*n, *n]\n");
  const Node* copy = doc.root().find("copy");
  ASSERT_EQ(copy->kind(), NodeKind::kMap);
  EXPECT_EQ(copy->find("cpu")->as_int(), 1);
  EXPECT_EQ(copy->find_path({"tags"})->items()[1].as_string(), "b");
  EXPECT_EQ(lc(copy), "5:7");               // the alias
  EXPECT_EQ(lc(copy->find("cpu")), "2:8");  // its content, where it was written
  EXPECT_EQ(doc.root().find("names")->items()[1].as_string(), "web");
  // base map (1) + 2 keys + cpu + tags list + 2 items = 7; the alias stands for 7 more.
  EXPECT_GE(doc.node_count(), 7u * 2);
}

TEST(YamlLoader, AliasBombHitsNodeLimit) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  Limits limits;
  limits.max_nodes = 1'000'000;
  auto e = yaml_error(bomb, limits);
  EXPECT_EQ(e.code, "doc.limit.nodes");
  EXPECT_GT(e.location->line, 1u);
}

TEST(YamlLoader, AliasToItselfIsAnError) {
  auto e = yaml_error("a: &a [1, *a]\n");
  EXPECT_EQ(e.code, "yaml.syntax");
  EXPECT_EQ(lc(e), "1:11");
}

TEST(YamlLoader, UnknownAliasIsAnError) {
  auto e = yaml_error("a: 1\nb: *nope\n");
  EXPECT_EQ(e.code, "yaml.syntax");
  EXPECT_EQ(e.location->line, 2u);
}

TEST(YamlLoader, DuplicateKeysWarnLastWins) {
  core::Diagnostics diags;
  auto doc = yaml("a: 1\nb: 2\na: 3\n", &diags);
  EXPECT_EQ(doc.root().size(), 2u);
  EXPECT_EQ(doc.root().find("a")->as_int(), 3);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].code, "doc.duplicate_key");
  EXPECT_EQ(diags.items()[0].location.to_string(), "t.yaml:3:1");
  EXPECT_NE(diags.items()[0].message.find("t.yaml:1:1"), std::string::npos);
}

TEST(YamlLoader, ComplexKeysAreKept) {
  auto doc = yaml("? [a, b]\n: c\n1: one\n");
  ASSERT_EQ(doc.root().size(), 2u);
  EXPECT_EQ(doc.root().members()[0].key.kind(), NodeKind::kList);
  EXPECT_EQ(doc.root().members()[1].key.as_int(), 1);
  EXPECT_EQ(doc.root().find("1"), nullptr);  // an int key is not the string "1"
}

TEST(YamlLoader, SyntaxErrorIsLocated) {
  auto e = yaml_error("a: [1, 2\nb: 3\n");
  EXPECT_EQ(e.code, "yaml.syntax");
  EXPECT_EQ(e.location->file, "t.yaml");
  EXPECT_EQ(e.location->line, 2u);
  auto e2 = yaml_error("a: b: c\n");
  EXPECT_EQ(e2.code, "yaml.syntax");
  EXPECT_EQ(lc(e2), "1:5");
}

TEST(YamlLoader, InvalidUtf8) {
  auto e = yaml_error("a: ok\nb: \xFF\n");
  EXPECT_EQ(e.code, "doc.utf8");
  EXPECT_EQ(lc(e), "2:4");
}

TEST(YamlLoader, NulByteIsRejected) {
  auto e = yaml_error(std::string("a: 1\nb: \0\n", 10));
  EXPECT_EQ(e.code, "yaml.syntax");
  EXPECT_EQ(lc(e), "2:4");
}

TEST(YamlLoader, DepthLimit) {
  Limits limits;
  limits.max_depth = 3;
  EXPECT_EQ(yaml("a:\n  b:\n    c: 1\n", nullptr, limits).root().find_path({"a", "b", "c"})->as_int(), 1);
  auto e = yaml_error("a:\n  b:\n    c:\n      d: 1\n", limits);
  EXPECT_EQ(e.code, "doc.limit.depth");
  EXPECT_EQ(lc(e), "4:7");
}

TEST(YamlLoader, DeepFlowNestingDoesNotCrash) {
  auto e = yaml_error(std::string(100000, '['));
  EXPECT_EQ(e.code, "doc.limit.depth");
  // Our depth limit (or yaml-cpp's own guard at about 500 levels, whichever is lower)
  // stops it; the error is placed at the deepest node reached.
  // (yaml-cpp's marks inside an unclosed flow collection are approximate.)
  EXPECT_EQ(e.location->line, 1u);
  EXPECT_LE(e.location->column, 513u);
  Limits shallow;
  shallow.max_depth = 10;
  EXPECT_EQ(yaml_error(std::string(100000, '['), shallow).code, "doc.limit.depth");
  EXPECT_EQ(lc(yaml_error("a: [[[[[[[[[[[1]]]]]]]]]]]", shallow)), "1:13");
  Limits limits;
  limits.max_depth = 1u << 30;  // the hard cap still applies
  EXPECT_EQ(yaml_error(std::string(100000, '[') + std::string(100000, ']'), limits).code,
            "doc.limit.depth");
  EXPECT_EQ(yaml_error(std::string(50000, '{'), limits).code, "doc.limit.depth");
}

TEST(YamlLoader, DeepBlockNestingDoesNotCrash) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += std::string(static_cast<size_t>(i), ' ') + "- \n";
  std::string nested;
  for (int i = 0; i < 3000; ++i) nested += "- ";
  auto e = yaml_error(nested + "x\n");
  EXPECT_EQ(e.code, "doc.limit.depth");
}

TEST(YamlLoader, StringLimit) {
  Limits limits;
  limits.max_string = 4;
  EXPECT_EQ(yaml("a: abcd\n", nullptr, limits).root().find("a")->size(), 4u);
  auto e = yaml_error("a: abcd\nb: |\n  abcde\n", limits);
  EXPECT_EQ(e.code, "doc.limit.string");
  EXPECT_EQ(lc(e), "2:4");
}

TEST(YamlLoader, NodeLimit) {
  Limits limits;
  limits.max_nodes = 5;
  EXPECT_EQ(yaml("a: [1, 2]\n", nullptr, limits).node_count(), 5u);
  auto e = yaml_error("a: [1, 2, 3]\n", limits);
  EXPECT_EQ(e.code, "doc.limit.nodes");
  EXPECT_EQ(lc(e), "1:11");
}

TEST(YamlLoader, ByteLimit) {
  Limits limits;
  limits.max_bytes = 8;
  EXPECT_TRUE(yaml("a: 12345", nullptr, limits).root().find("a") != nullptr);
  auto e = yaml_error("a: 1\nb: 22\n", limits);
  EXPECT_EQ(e.code, "doc.limit.size");
  EXPECT_EQ(lc(e), "2:4");
}

TEST(YamlLoader, JsonIsYaml) {
  auto doc = yaml("{\"a\": [1, \"x\", true, null]}");
  EXPECT_EQ(doc.root().find("a")->items()[1].as_string(), "x");
  EXPECT_EQ(lc(&doc.root().find("a")->items()[2]), "1:16");
}

}  // namespace
}  // namespace sekimori::formats
