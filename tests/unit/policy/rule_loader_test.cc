// Rule-file schema checks: every problem is a located diagnostic with a stable code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../embedded_snapshots.h"
#include "policy/rule.h"

namespace sekimori::policy {
namespace {

// A valid rule; tests replace one line to break it.
std::string good_rule() {
  return R"(format: 1
id: SKM-AWS-S3-900
title: Test rule
description: A rule for tests.
severity: high
resource_types: [aws_s3_bucket]
assert: resource.versioning.enabled == true
message: "bucket {{resource.id}} has versioning {{resource.versioning.enabled}}"
threats: [T01]
ccm: [BCR-08]
cis_aws: ["3.1.4"]
guidance: [9]
stages: [2, 6]
remediation: Turn it on.
formats: [cloudformation]
examples:
  - format: cloudformation
    expect: pass
    input: |
      Resources:
        B:
          Type: AWS::S3::Bucket
          Properties:
            VersioningConfiguration: {Status: Enabled}
  - format: cloudformation
    expect: fail
    input: |
      Resources:
        B:
          Type: AWS::S3::Bucket
)";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t p = text.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) text.replace(p, from.size(), to);
  return text;
}

const core::Diagnostic* find_code(const core::Diagnostics& d, std::string_view code) {
  for (const core::Diagnostic& x : d.items()) {
    if (x.code == code) return &x;
  }
  return nullptr;
}

TEST(RuleLoader, ValidRuleLoads) {
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml", good_rule(), diags);
  ASSERT_TRUE(rule.ok()) << diags.to_text();
  EXPECT_EQ(rule->id, "SKM-AWS-S3-900");
  EXPECT_EQ(rule->severity, Severity::kHigh);
  EXPECT_EQ(rule->types, std::vector<std::string>{"aws_s3_bucket"});
  EXPECT_EQ(rule->examples.size(), 2u);
  EXPECT_EQ(rule->stages, (std::vector<int>{2, 6}));
  EXPECT_TRUE(diags.empty()) << diags.to_text();
}

struct BadCase {
  const char* from;
  const char* to;
  const char* code;
  uint32_t line;
};

class RuleLoaderBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(RuleLoaderBad, ReportsLocatedCode) {
  const BadCase& c = GetParam();
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml", replace(good_rule(), c.from, c.to), diags);
  EXPECT_FALSE(rule.ok());
  const core::Diagnostic* d = find_code(diags, c.code);
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->location.file, "r.yaml");
  EXPECT_EQ(d->location.line, c.line) << diags.to_text();
}

INSTANTIATE_TEST_SUITE_P(
    Schema, RuleLoaderBad,
    ::testing::Values(
        BadCase{"severity: high", "severity: urgent", "rule.severity", 5},
        BadCase{"id: SKM-AWS-S3-900", "id: skm-aws-s3-1", "rule.id", 2},
        BadCase{"threats: [T01]", "threats: [T12]", "rule.threat", 9},
        BadCase{"stages: [2, 6]", "stages: [2, 7]", "rule.stage", 13},
        BadCase{"guidance: [9]", "guidance: [13]", "rule.guidance", 12},
        BadCase{"ccm: [BCR-08]", "ccm: [BCR8]", "rule.ccm", 10},
        BadCase{"cis_aws: [\"3.1.4\"]", "cis_aws: [\"three\"]", "rule.cis", 11},
        BadCase{"format: 1\n", "format: 2\n", "rule.format_version", 1},
        BadCase{"remediation: Turn it on.", "remediation: Turn it on.\ncolour: red", "rule.unknown_key", 15},
        BadCase{"resource_types: [aws_s3_bucket]", "resource_types: [aws_s3_bukket]", "rule.resource_type", 6},
        BadCase{"title: Test rule", "title: [Test]", "rule.type", 3},
        BadCase{"message: \"bucket {{resource.id}}", "message: \"bucket {{nope.id}}", "rule.message", 8},
        BadCase{"formats: [cloudformation]", "formats: [cloudformation, aws-config]", "rule.examples_missing", 17},
        BadCase{"    expect: fail", "    expect: pass", "rule.examples_missing", 17},
        BadCase{"    expect: pass", "    expect: maybe", "rule.example", 18}));

TEST(RuleLoader, MissingKeysAreListed) {
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml", "format: 1\nid: SKM-AWS-S3-901\n", diags);
  EXPECT_FALSE(rule.ok());
  size_t missing = 0;
  for (const core::Diagnostic& d : diags.items()) missing += d.code == "rule.missing_key";
  EXPECT_GE(missing, 8u);
}

TEST(RuleLoader, CelSyntaxErrorPointsIntoTheFile) {
  // Plain scalar: column of the error inside the expression plus the value's column.
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml",
                         replace(good_rule(), "assert: resource.versioning.enabled == true",
                                 "assert: resource.versioning.enabled == = true"),
                         diags);
  EXPECT_FALSE(rule.ok());
  const core::Diagnostic* d = find_code(diags, "rule.cel");
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->location.line, 7u);
  EXPECT_GE(d->location.column, 37u);  // at or after "== ="
  EXPECT_LE(d->location.column, 40u);
}

TEST(RuleLoader, CelErrorInBlockScalarMapsLineAndIndent) {
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml",
                         replace(good_rule(), "assert: resource.versioning.enabled == true",
                                 "assert: |\n  resource.versioning.enabled == true &&\n  resource.x.exists(y, y >)"),
                         diags);
  EXPECT_FALSE(rule.ok());
  const core::Diagnostic* d = find_code(diags, "rule.cel");
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->location.line, 9u) << diags.to_text();
  EXPECT_GT(d->location.column, 20u);
}

TEST(RuleLoader, UnknownVariableIsACompileError) {
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml",
                         replace(good_rule(), "assert: resource.versioning.enabled == true",
                                 "assert: resouce.versioning.enabled == true"),
                         diags);
  EXPECT_FALSE(rule.ok());
  const core::Diagnostic* d = find_code(diags, "rule.cel");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("resouce"), std::string::npos);
  EXPECT_EQ(d->location.line, 7u);
  EXPECT_EQ(d->location.column, 9u);
}

TEST(RuleLoader, UnknownFunctionIsACompileError) {
  core::Diagnostics diags;
  auto rule = parse_rule("r.yaml",
                         replace(good_rule(), "assert: resource.versioning.enabled == true",
                                 "assert: frobnicate(resource)"),
                         diags);
  EXPECT_FALSE(rule.ok());
  EXPECT_NE(find_code(diags, "rule.cel"), nullptr) << diags.to_text();
}

TEST(RuleLoader, FileSizeLimit) {
  core::Diagnostics diags;
  RuleLimits limits;
  limits.max_file_bytes = 100;
  auto rule = parse_rule("r.yaml", good_rule(), diags, limits);
  EXPECT_FALSE(rule.ok());
  EXPECT_NE(find_code(diags, "rule.limit"), nullptr);
}

TEST(RuleLoader, ExpressionLengthLimit) {
  core::Diagnostics diags;
  RuleLimits limits;
  limits.max_expression_bytes = 10;
  auto rule = parse_rule("r.yaml", good_rule(), diags, limits);
  EXPECT_FALSE(rule.ok());
  EXPECT_NE(find_code(diags, "rule.limit"), nullptr) << diags.to_text();
}

TEST(RuleSet, DuplicateIdsAreRejected) {
  RuleSet set;
  core::Diagnostics diags;
  EXPECT_TRUE(set.add_text("a.yaml", good_rule(), diags));
  EXPECT_FALSE(set.add_text("b.yaml", replace(good_rule(), "title: Test rule", "title: Another rule"), diags));
  const core::Diagnostic* d = find_code(diags, "rule.duplicate_id");
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->location.file, "b.yaml");
  EXPECT_NE(d->message.find("already defined at a.yaml:2:5"), std::string::npos) << d->message;
  EXPECT_EQ(set.rules().size(), 1u);
}

// The same file given twice is one rule and a note, not a duplicate-ID error.
TEST(RuleSet, TheSameTextIsLoadedOnce) {
  RuleSet set;
  core::Diagnostics diags;
  EXPECT_TRUE(set.add_text("a.yaml", good_rule(), diags));
  EXPECT_FALSE(set.add_text("copy/a.yaml", good_rule(), diags));
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  const core::Diagnostic* d = find_code(diags, "rule.same_text");
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->severity, core::Severity::kNote);
  EXPECT_EQ(d->location.file, "copy/a.yaml");
  EXPECT_NE(d->message.find("a.yaml"), std::string::npos) << d->message;
  EXPECT_EQ(set.rules().size(), 1u);
}

// `--rules rules` in a checkout: the bundled pack's own files load once, with one note.
TEST(BundledRules, TheirDirectoryNextToThePackAddsNothing) {
  RuleSet set;
  core::Diagnostics diags;
  set.add_builtin(diags, /*examples=*/false);
  const size_t bundled = set.rules().size();
  set.add_directory(std::string(SKM_SOURCE_DIR) + "/rules", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  EXPECT_EQ(set.rules().size(), bundled);
  const core::Diagnostic* d = find_code(diags, "rule.same_text");
  ASSERT_NE(d, nullptr) << diags.to_text();
  EXPECT_EQ(d->message.rfind(std::to_string(bundled) + " rule file(s) under", 0), 0u) << d->message;
  EXPECT_NE(d->message.find("the bundled rules/"), std::string::npos) << d->message;
}

// An edited copy of a bundled rule keeps its ID: the error names the bundled rule and the
// way out; the unedited copies beside it are skipped.
TEST(BundledRules, AnEditedCopyIsAnErrorThatNamesThePack) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "skm_edited_rules";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto& files = builtin_rule_files();
  ASSERT_GE(files.size(), 2u);
  std::ofstream(dir / "same.yaml", std::ios::binary) << files[0].text;
  std::string edited(files[1].text);
  edited += "\n# edited\n";
  std::ofstream(dir / "edited.yaml", std::ios::binary) << edited;
  RuleSet set;
  core::Diagnostics diags;
  set.add_builtin(diags, /*examples=*/false);
  const size_t bundled = set.rules().size();
  set.add_directory(dir.string(), diags);
  EXPECT_EQ(set.rules().size(), bundled);
  const core::Diagnostic* err = find_code(diags, "rule.duplicate_id");
  ASSERT_NE(err, nullptr) << diags.to_text();
  EXPECT_EQ(err->location.file, (dir / "edited.yaml").string());
  EXPECT_NE(err->message.find("is a bundled rule"), std::string::npos) << err->message;
  EXPECT_NE(err->message.find("--no-builtin-rules"), std::string::npos) << err->message;
  const core::Diagnostic* note = find_code(diags, "rule.same_text");
  ASSERT_NE(note, nullptr) << diags.to_text();
  EXPECT_EQ(note->message.rfind("1 rule file(s)", 0), 0u) << note->message;
  EXPECT_EQ(diags.count(core::Severity::kError), 1u) << diags.to_text();
  fs::remove_all(dir);
}

TEST(RuleSet, SelectByIdGlobAndTag) {
  RuleSet set;
  core::Diagnostics diags;
  ASSERT_TRUE(set.add_text("a.yaml", replace(good_rule(), "formats:", "tags: [s3]\nformats:"), diags)) << diags.to_text();
  ASSERT_TRUE(set.add_text("b.yaml", replace(good_rule(), "SKM-AWS-S3-900", "SKM-AWS-EC2-900"), diags));
  RuleSet copy = set;
  copy.select({"skm-aws-s3-*"}, {});
  ASSERT_EQ(copy.rules().size(), 1u);
  EXPECT_EQ(copy.rules()[0].id, "SKM-AWS-S3-900");
  copy = set;
  copy.select({}, {"s3"});
  ASSERT_EQ(copy.rules().size(), 1u);
  EXPECT_EQ(copy.rules()[0].id, "SKM-AWS-EC2-900");
  EXPECT_EQ(copy.rules_for_type("aws_s3_bucket").size(), 1u);
}

TEST(BundledRules, ValidateWithoutErrors) {
  RuleSet set;
  core::Diagnostics diags;
  set.add_builtin(diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  EXPECT_EQ(set.rules().size(), builtin_rule_files().size());
  EXPECT_FALSE(builtin_rule_pack_version().empty());
}

// Start-up rebuilds the pack's trees from build-time snapshots (formats/snapshot.h): every
// file has one, and it is the tree the YAML parser gives.
TEST(BundledRules, EveryFileHasASnapshotOfItsYaml) {
  testing::expect_snapshot_for_every_file(builtin_rule_files(), builtin_rule_snapshots());
}

// A scan loads the pack without its examples: the same rules, nothing else missing.
TEST(BundledRules, WithoutExamplesTheSameRules) {
  RuleSet full;
  RuleSet lean;
  core::Diagnostics d1;
  core::Diagnostics d2;
  full.add_builtin(d1);
  lean.add_builtin(d2, /*examples=*/false);
  EXPECT_FALSE(d2.has_errors()) << d2.to_text();
  ASSERT_EQ(full.rules().size(), lean.rules().size());
  size_t examples = 0;
  for (size_t i = 0; i < full.rules().size(); ++i) {
    const Rule& a = full.rules()[i];
    const Rule& b = lean.rules()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.severity, b.severity);
    EXPECT_EQ(a.resource_types, b.resource_types);
    EXPECT_EQ(a.formats, b.formats);
    EXPECT_EQ(a.remediation, b.remediation);
    EXPECT_EQ(a.fix, b.fix);
    EXPECT_EQ(a.when, b.when);
    EXPECT_EQ(a.assertion, b.assertion);
    EXPECT_EQ(a.message, b.message);
    EXPECT_EQ(a.threats, b.threats);
    EXPECT_EQ(a.ccm, b.ccm);
    EXPECT_EQ(a.cis_aws, b.cis_aws);
    EXPECT_EQ(a.location, b.location);
    EXPECT_FALSE(a.examples.empty()) << a.id;
    EXPECT_TRUE(b.examples.empty()) << b.id;
    examples += a.examples.size();
  }
  EXPECT_GT(examples, 2 * full.rules().size());
}

}  // namespace
}  // namespace sekimori::policy
