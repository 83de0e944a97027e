// Rule files: documents, validation, located diagnostics, limits, filters.
#include <gtest/gtest.h>

#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::compile;
using testing::error_code;
using testing::rule_doc;

TEST(Loader, ReadsMetadata) {
  RuleSet set;
  core::Diagnostics diags;
  set.add_text("r.yml", rule_doc("  sel:\n    eventName: X\n  condition: sel\n",
                                 "tags:\n  - attack.t1078.004\n  - attack.persistence\nstatus: test\n"),
               diags);
  ASSERT_EQ(set.rules().size(), 1u);
  const Rule& r = set.rules()[0];
  EXPECT_EQ(r.title, "test rule");
  EXPECT_EQ(r.level, "high");
  EXPECT_EQ(r.status, "test");
  EXPECT_EQ(r.product, "aws");
  EXPECT_EQ(r.tags.size(), 2u);
  EXPECT_EQ(r.selections.size(), 1u);
  EXPECT_EQ(r.conditions[0].text, "sel");
  EXPECT_EQ(r.location.line, 1u);
  EXPECT_TRUE(diags.empty()) << diags.to_text();
}

TEST(Loader, MultipleDocumentsAndOneBadDocument) {
  std::string yaml = rule_doc("  sel:\n    a: 1\n  condition: sel\n") + "---\ntitle: broken\n---\n" +
                     rule_doc("  sel:\n    b: 1\n  condition: sel\n");
  auto c = compile(yaml);
  EXPECT_TRUE(c->has_code("sigma.missing_detection"));
  EXPECT_EQ(c->engine->detection_count(), 2u);
}

TEST(Loader, ValidationCodes) {
  EXPECT_EQ(error_code("logsource: {product: aws}\ndetection:\n  s: {a: 1}\n  condition: s\n"), "sigma.missing_title");
  EXPECT_EQ(error_code("title: t\nlogsource: {product: aws}\ndetection:\n  s: {a: 1}\n"), "sigma.missing_condition");
  EXPECT_EQ(error_code("title: t\ndetection:\n  s: {a: 1}\n  condition: s\n"), "sigma.missing_logsource");
  EXPECT_EQ(error_code(rule_doc("  s: {a: 1}\n  condition: s\n", "level: severe\n")), "sigma.level");
  EXPECT_EQ(error_code(rule_doc("  s: {a: []}\n  condition: s\n")), "sigma.empty_values");
  EXPECT_EQ(error_code(rule_doc("  s: {a: {b: 1}}\n  condition: s\n")), "sigma.value_type");
  EXPECT_EQ(error_code(rule_doc("  s:\n    - a\n    - {b: 1}\n  condition: s\n")), "sigma.mixed_selection");
  EXPECT_EQ(error_code(rule_doc("  s: {a: 1}\n  s: {b: 1}\n  condition: s\n")), "");  // YAML: last wins (warning)
  EXPECT_EQ(error_code("- a\n- b\n"), "sigma.type");
  EXPECT_EQ(error_code("title: t\naction: repeat\n"), "sigma.action");
  EXPECT_EQ(error_code("title: [\n"), "yaml.syntax");
}

TEST(Loader, DiagnosticsAreLocated) {
  auto c = compile(rule_doc("  sel:\n    eventName|nope: X\n  condition: sel\n"));
  ASSERT_FALSE(c->diags.items().empty());
  const core::Diagnostic& d = c->diags.items()[0];
  EXPECT_EQ(d.code, "sigma.unknown_modifier");
  EXPECT_EQ(d.location.file, "t.yml");
  EXPECT_EQ(d.location.line, 9u);
  EXPECT_EQ(d.location.column, 5u);
  EXPECT_NE(c->diags.to_json().find("sigma.unknown_modifier"), std::string::npos);
}

TEST(Loader, GlobalActionProvidesDefaults) {
  std::string yaml =
      "action: global\ntitle: shared\nlogsource: {product: aws}\nlevel: low\ndetection:\n  base: {eventSource: "
      "x.amazonaws.com}\n  condition: base and sel\n---\nid: 22222222-2222-4222-8222-222222222222\ndetection:\n  "
      "sel: {eventName: A}\n---\ndetection:\n  sel: {eventName: B}\n";
  auto c = compile(yaml);
  ASSERT_FALSE(c->diags.has_errors()) << c->diags.to_text();
  ASSERT_EQ(c->engine->detection_count(), 2u);
  EXPECT_EQ(c->engine->rule(0).title, "shared");
  EXPECT_EQ(c->engine->rule(0).level, "low");
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventSource":"x.amazonaws.com","eventName":"B"})"),
            (std::vector<uint32_t>{1}));
}

TEST(Loader, Limits) {
  RuleLimits small;
  small.max_file_bytes = 64;
  RuleSet set(small);
  core::Diagnostics diags;
  set.add_text("big.yml", std::string(100, '#'), diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].code, "sigma.limit.file_size");

  RuleLimits few;
  few.max_values = 3;
  RuleSet set2(few);
  core::Diagnostics d2;
  set2.add_text("v.yml", rule_doc("  s: {a: [1, 2, 3, 4, 5]}\n  condition: s\n"), d2);
  EXPECT_EQ(d2.items()[0].code, "sigma.limit.values");

  RuleLimits shallow;
  shallow.max_yaml_depth = 4;
  RuleSet set3(shallow);
  core::Diagnostics d3;
  set3.add_text("d.yml", "a: {b: {c: {d: {e: {f: 1}}}}}\n", d3);
  EXPECT_EQ(d3.items()[0].code, "doc.limit.depth");

  RuleLimits docs;
  docs.max_documents = 2;
  RuleSet set4(docs);
  core::Diagnostics d4;
  set4.add_text("n.yml", "a: 1\n---\na: 2\n---\na: 3\n", d4);
  ASSERT_FALSE(d4.items().empty());
  EXPECT_EQ(d4.items()[0].code, "doc.limit.documents");
}

TEST(Filters, MetaFilterExcludesMatchesOfTheNamedRules) {
  std::string yaml = rule_doc("  sel:\n    eventName: CreateUser\n  condition: sel\n", "name: create_user\n") +
                     "---\ntitle: ignore admins\nlogsource: {product: aws}\nfilter:\n  rules:\n    - create_user\n"
                     "  selection:\n    userIdentity.userName|startswith: adm_\n  condition: selection\n";
  auto c = compile(yaml);
  ASSERT_FALSE(c->diags.has_errors()) << c->diags.to_text();
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"CreateUser","userIdentity":{"userName":"bob"}})").size(), 1u);
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"CreateUser","userIdentity":{"userName":"adm_x"}})").empty());
}

TEST(Filters, ByIdAndUnknownTargetsWarn) {
  std::string yaml = rule_doc("  sel:\n    eventName: X\n  condition: sel\n") +
                     "---\ntitle: f\nlogsource: {product: aws}\nfilter:\n  rules: [11111111-1111-4111-8111-111111111111, "
                     "missing]\n  s: {a: 1}\n  condition: s\n";
  auto c = compile(yaml);
  EXPECT_TRUE(c->has_code("sigma.filter.unknown_rule"));
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"X","a":1})").empty());
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"X","a":2})").size(), 1u);
}

}  // namespace
}  // namespace sekimori::detect
