// Evaluation: statuses, locations, suppressions, determinism across thread counts, and
// every bundled rule's examples (the rule-examples test).
#include "policy/scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <thread>

#include "model/estate.h"
#include "policy/exceptions.h"
#include "policy/rule.h"

namespace sekimori::policy {
namespace {

const cel::Timestamp kNow{1767225600, 0};  // 2026-01-01T00:00:00Z

std::string rule_text(const std::string& id, const std::string& assertion, const std::string& extra = "") {
  return "format: 1\nid: " + id +
         "\ntitle: T\ndescription: D\nseverity: medium\nresource_types: [aws_s3_bucket]\n"
         "assert: " + assertion + "\nmessage: \"{{resource.id}} fails\"\nthreats: [T02]\nremediation: R\n" + extra +
         "formats: [cloudformation]\nexamples:\n"
         "  - {format: cloudformation, expect: pass, input: 'Resources: {B: {Type: AWS::S3::Bucket}}'}\n"
         "  - {format: cloudformation, expect: fail, input: 'Resources: {B: {Type: AWS::S3::Bucket}}'}\n";
}

constexpr const char* kTemplate = R"(Resources:
  Good:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
  Bad:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Suspended
  Plain:
    Type: AWS::S3::Bucket
)";

struct Fixture : ::testing::Test {
  void load(const std::string& assertion, const std::string& text = kTemplate) {
    core::Diagnostics diags;
    ASSERT_TRUE(rules.add_text("r.yaml", rule_text("SKM-AWS-S3-900", assertion), diags)) << diags.to_text();
    estate.add_text("t.yaml", text, model::SourceFormat::kCloudFormation, {}, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.to_text();
  }
  // Every result, passes included, in report order.
  std::vector<Finding> all(const ScanResult& r) {
    std::vector<Finding> out;
    r.for_each_result(rules, [&](const Finding& f) { out.push_back(f); });
    return out;
  }
  const Finding* by_resource(const ScanResult& r, const std::string& id) {
    if (kept_for != &r) {
      kept = all(r);
      kept_for = &r;
    }
    for (const Finding& f : kept) {
      if (r.resource_of(f).id == id) return &f;
    }
    return nullptr;
  }
  std::vector<Finding> kept;
  const ScanResult* kept_for = nullptr;
  RuleSet rules;
  model::Estate estate;
};

// A message that reads an attribute is rendered during the scan (the resource's tree is
// gone by report time); one that names only the resource and the rule is rendered when
// asked, in every report format alike.
TEST_F(Fixture, MessagesReadingAttributesAreRenderedAtScanTime) {
  std::string text = rule_text("SKM-AWS-S3-901", "resource.versioning.enabled == true");
  text.replace(text.find("{{resource.id}} fails"), std::string("{{resource.id}} fails").size(),
               "{{resource.id}} has versioning {{resource.versioning.enabled}} ({{rule.severity}})");
  core::Diagnostics diags;
  ASSERT_TRUE(rules.add_text("r.yaml", text, diags)) << diags.to_text();
  estate.add_text("t.yaml", kTemplate, model::SourceFormat::kCloudFormation, {}, diags);
  ScanOptions opts;
  opts.now = kNow;
  ScanResult r = scan(rules, estate.resources(), opts);
  const Finding* bad = by_resource(r, "Bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->message_later);
  EXPECT_EQ(bad->stored_message(), "Bad has versioning false (medium)");
  EXPECT_EQ(r.message_of(*bad), "Bad has versioning false (medium)");
  std::string scratch = "left over";
  EXPECT_EQ(&r.message_of(*bad, scratch), &bad->stored_message());
}

TEST_F(Fixture, PassAndFailWithAttributeLocation) {
  load("resource.versioning.enabled == true");
  ScanOptions opts;
  opts.now = kNow;
  ScanResult r = scan(rules, estate.resources(), opts);
  const Finding* good = by_resource(r, "Good");
  const Finding* bad = by_resource(r, "Bad");
  ASSERT_NE(good, nullptr);
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(good->status, Status::kPass);
  EXPECT_EQ(bad->status, Status::kFail);
  // The template names only the resource: rendered when asked, not stored.
  EXPECT_TRUE(bad->message_later);
  EXPECT_EQ(bad->stored_message(), "");
  EXPECT_EQ(r.message_of(*bad), "Bad fails");
  EXPECT_EQ(bad->attribute, "versioning.enabled");
  EXPECT_TRUE(bad->file().empty());  // the resource's file
  EXPECT_EQ(bad->line, 11u);         // Status: Suspended
  EXPECT_EQ(r.location_of(*bad).file, "t.yaml");
  EXPECT_EQ(bad->fingerprint.view(), fingerprint("SKM-AWS-S3-900", "aws_s3_bucket", "Bad"));
  EXPECT_EQ(bad->fingerprint.view().size(), 32u);
  EXPECT_EQ(bad->fingerprint.view().find_first_not_of("0123456789abcdef"), std::string_view::npos);
  EXPECT_EQ(r.summary.pass + r.summary.fail, r.findings.size() + r.passes.size());
  EXPECT_EQ(r.summary.pass, r.passes.size());
  EXPECT_EQ(good->line, 0u);  // a pass has no "where to fix"
  EXPECT_EQ(r.resource_of(*good).location.file, "t.yaml");
  EXPECT_EQ(r.location_of(*good).file, "t.yaml");
  EXPECT_EQ(r.location_of(*bad).line, 11u);
}

// Where to fix resolves against the resource: its own location when the finding has
// none, its file with the finding's position, or the file the attribute came from.
TEST(FindingLocation, ResolvesAgainstTheResource) {
  ScanResult r;
  r.resources.push_back(ScannedResource{"b", "aws_s3_bucket", "aws_s3_bucket",
                                        model::SourceFormat::kTerraformHcl,
                                        core::Location{"main.tf", 3, 1, 40}});
  Finding f;
  core::LocationView at = r.location_of(f);
  EXPECT_EQ(at.file, "main.tf");
  EXPECT_EQ(at.line, 3u);
  EXPECT_EQ(at.column, 1u);
  f.line = 7;
  f.column = 5;
  f.offset = 90;
  at = r.location_of(f);
  EXPECT_EQ(at.file, "main.tf");
  EXPECT_EQ(at.line, 7u);
  EXPECT_EQ(at.column, 5u);
  EXPECT_EQ(at.offset, 90u);
  f.extra().file = "versioning.tf";
  EXPECT_EQ(r.location_of(f).file, "versioning.tf");
  EXPECT_EQ(r.location_of(f).line, 7u);
}

// An attribute that a split resource in another file sets (here versioning, from
// aws_s3_bucket_versioning) is reported in that file, at its position there.
TEST(FindingLocation, FoldedAttributeIsReportedInItsOwnFile) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("skm-scan-files-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "main.tf") << "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";
  std::ofstream(dir / "versioning.tf") << "resource \"aws_s3_bucket_versioning\" \"logs\" {\n"
                                          "  bucket = aws_s3_bucket.logs.id\n"
                                          "  versioning_configuration {\n"
                                          "    status = \"Suspended\"\n"
                                          "  }\n"
                                          "}\n";
  std::string text = rule_text("SKM-AWS-S3-900", "resource.versioning.enabled == true");
  text.replace(text.find("formats: [cloudformation]"), 25, "formats: [cloudformation, terraform]");
  for (const char* expect : {"pass", "fail"}) {
    text += std::string("  - {format: terraform, expect: ") + expect +
            ", input: 'resource \"aws_s3_bucket\" \"b\" {}'}\n";
  }
  RuleSet rules;
  model::Estate estate;
  core::Diagnostics diags;
  ASSERT_TRUE(rules.add_text("r.yaml", text, diags)) << diags.to_text();
  estate.add_path(dir.string(), {}, diags);
  ASSERT_FALSE(diags.has_errors()) << diags.to_text();
  ScanResult r = scan(rules, estate.resources(), ScanOptions{});
  fs::remove_all(dir);
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_EQ(f.attribute, "versioning.enabled");
  EXPECT_EQ(r.resource_of(f).location.file, (dir / "main.tf").string());
  core::LocationView at = r.location_of(f);
  EXPECT_EQ(at.file, (dir / "versioning.tf").string());
  EXPECT_EQ(at.line, 4u);
}

// The out-of-line parts are copied with the finding, not shared with it.
TEST(FindingLocation, CopiesOwnTheirExtraParts) {
  Finding a;
  EXPECT_EQ(a.detail(), "");
  EXPECT_EQ(a.suppression(), nullptr);
  a.extra().detail = "unknown: tags";
  Finding b = a;
  b.extra().detail = "changed";
  EXPECT_EQ(a.detail(), "unknown: tags");
  EXPECT_EQ(b.detail(), "changed");
  Finding c;
  c = b;
  EXPECT_EQ(c.detail(), "changed");
  c.clear_extra();
  EXPECT_EQ(c.detail(), "");
  EXPECT_EQ(b.detail(), "changed");
}

TEST_F(Fixture, FirstFalseConjunctDecidesTheLocation) {
  load("resource.bucket_key_missing_is_fine == 1 || (has(resource.versioning) && resource.versioning.enabled == true)");
  ScanOptions opts;
  ScanResult r = scan(rules, estate.resources(), opts);
  // Error in the first disjunct is absorbed by the second, which decides.
  const Finding* bad = by_resource(r, "Bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->status, Status::kPass);
}

// A failing exists() points at the element it found, even when the paths it reads are
// not known statically (strings()).
TEST_F(Fixture, FindingPointsAtTheElementThatDecided) {
  load("\"!resource.raw.strings().exists(s, s.key == 'Status' && s.value == 'Suspended')\"");
  ScanResult r = scan(rules, estate.resources(), ScanOptions{});
  const Finding* bad = by_resource(r, "Bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->status, Status::kFail);
  EXPECT_EQ(bad->attribute, "raw.Properties.VersioningConfiguration.Status");
  EXPECT_EQ(bad->line, 11u);
  EXPECT_EQ(bad->column, 17u);
  const Finding* good = by_resource(r, "Good");
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(good->status, Status::kPass);
}

TEST_F(Fixture, RuleJudgesOnlyItsDeclaredFormats) {
  // The rule declares only cloudformation: the same bucket from a plan gets no result.
  load("resource.versioning.enabled == true");
  core::Diagnostics diags;
  estate.add_text("plan.json", R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[
    {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"b"}}]}}})",
                  model::SourceFormat::kTerraformPlan, {}, diags);
  ASSERT_FALSE(diags.has_errors()) << diags.to_text();
  ScanOptions opts;
  ScanResult r = scan(rules, estate.resources(), opts);
  EXPECT_EQ(by_resource(r, "aws_s3_bucket.b"), nullptr);
  EXPECT_NE(by_resource(r, "Bad"), nullptr);
}

TEST_F(Fixture, RuntimeErrorIsNotAFailure) {
  load("resource.no_such_attribute.x == 1");
  ScanOptions opts;
  ScanResult r = scan(rules, estate.resources(), opts);
  ASSERT_FALSE(r.findings.empty());
  for (const Finding& f : r.findings) EXPECT_EQ(f.status, Status::kError);
  EXPECT_EQ(r.summary.fail, 0u);
  bool found = false;
  for (const core::Diagnostic& d : r.diagnostics.items()) found = found || d.code == "rule.runtime_error";
  EXPECT_TRUE(found);
}

TEST_F(Fixture, NonBoolAssertIsAnError) {
  load("\"'yes'\"");
  ScanResult r = scan(rules, estate.resources(), ScanOptions{});
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].status, Status::kError);
}

TEST_F(Fixture, ExceptionSuppressesAndExpiredOneIsReported) {
  load("resource.versioning.enabled == true");
  core::Diagnostics diags;
  auto ex = load_exceptions("exceptions.yaml", R"(format: 1
exceptions:
  - rule: SKM-AWS-S3-9*
    resource: "Ba?"
    reason: archive bucket
    approver: sec@example.com
    expires: 2026-06-30
  - rule: "*"
    resource: Plain
    reason: old
    approver: sec@example.com
    expires: 2025-12-31
)",
                            diags);
  ASSERT_TRUE(ex.ok()) << diags.to_text();
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  ScanOptions opts;
  opts.now = kNow;
  opts.exceptions = &*ex;
  ScanResult r = scan(rules, estate.resources(), opts);
  const Finding* bad = by_resource(r, "Bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->status, Status::kSuppressed);
  ASSERT_NE(bad->suppression(), nullptr);
  EXPECT_EQ(bad->suppression()->reason, "archive bucket");
  EXPECT_EQ(bad->suppression()->original, Status::kFail);
  EXPECT_EQ(by_resource(r, "Plain")->status, Status::kFail);  // expired: no longer suppresses
  bool expired = false;
  for (const core::Diagnostic& d : r.diagnostics.items()) expired = expired || d.code == "exception.expired";
  EXPECT_TRUE(expired);
}

TEST_F(Fixture, OutputOrderDoesNotDependOnThreads) {
  std::string many = "Resources:\n";
  for (int i = 0; i < 200; ++i) {
    many += "  B" + std::to_string(i) + ":\n    Type: AWS::S3::Bucket\n";
    if (i % 3 == 0) many += "    Properties: {VersioningConfiguration: {Status: Enabled}}\n";
  }
  load("resource.versioning.enabled == true", many);
  ScanOptions one;
  one.threads = 1;
  ScanOptions four;
  four.threads = 4;
  ScanResult a = scan(rules, estate.resources(), one);
  ScanResult b = scan(rules, estate.resources(), four);
  std::vector<Finding> fa = all(a);
  std::vector<Finding> fb = all(b);
  ASSERT_EQ(fa.size(), b.summary.evaluated);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(a.resource_of(fa[i]).id, b.resource_of(fb[i]).id);
    EXPECT_EQ(fa[i].status, fb[i].status);
    EXPECT_EQ(fa[i].fingerprint.view(), fb[i].fingerprint.view());
    // Report order: resource order, passes and failures interleaved.
    if (i > 0) {
      EXPECT_LE(fa[i - 1].resource_index, fa[i].resource_index);
    }
  }
  EXPECT_EQ(a.resources.size(), estate.resources().size());
}

TEST_F(Fixture, ScannerInBatchesGivesWhatOneScanGives) {
  std::string many = "Resources:\n";
  for (int i = 0; i < 50; ++i) {
    many += "  B" + std::to_string(i) + ":\n    Type: AWS::S3::Bucket\n";
    if (i % 4 == 0) many += "    Properties: {VersioningConfiguration: {Status: Enabled}}\n";
  }
  load("resource.versioning.enabled == true", many);
  ScanOptions opts;
  opts.threads = 2;
  ScanResult whole = scan(rules, estate.resources(), opts);
  Scanner scanner(rules, opts);
  std::span<const model::Resource> rs(estate.resources());
  scanner.add(rs.subspan(0, 7));
  scanner.add(rs.subspan(7, 0));
  scanner.add(rs.subspan(7, 30));
  scanner.add(rs.subspan(37));
  ScanResult batched = std::move(scanner).finish();
  std::vector<Finding> fa = all(whole);
  std::vector<Finding> fb = all(batched);
  ASSERT_EQ(fa.size(), 50u);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(whole.resource_of(fa[i]).id, batched.resource_of(fb[i]).id);
    EXPECT_EQ(fa[i].resource_index, fb[i].resource_index);
    EXPECT_EQ(fa[i].status, fb[i].status);
    EXPECT_EQ(whole.message_of(fa[i]), batched.message_of(fb[i]));
  }
  EXPECT_EQ(batched.resources.size(), 50u);
  EXPECT_EQ(batched.summary.fail, whole.summary.fail);
  EXPECT_EQ(batched.summary.pass, 13u);
  // The same results and resources as the whole scan, in the same order.
  auto expect_as_whole = [&](const ScanResult& r) {
    std::vector<Finding> fr = all(r);
    ASSERT_EQ(fa.size(), fr.size());
    for (size_t i = 0; i < fa.size(); ++i) {
      EXPECT_EQ(whole.resource_of(fa[i]).id, r.resource_of(fr[i]).id);
      EXPECT_EQ(fa[i].resource_index, fr[i].resource_index);
      EXPECT_EQ(fa[i].status, fr[i].status);
    }
    ASSERT_EQ(r.resources.size(), 50u);
    for (size_t i = 0; i < 50; ++i) EXPECT_EQ(r.resources[i].id, whole.resources[i].id);
  };

  // Numbered batches evaluated out of order, two at a time (as the loading threads of a
  // directory do): the result is in batch order all the same.
  Scanner numbered(rules, opts);
  std::thread t1([&] {
    numbered.add(rs.subspan(37), 3, 1);
    numbered.add(rs.subspan(0, 7), 0, 1);
  });
  std::thread t2([&] {
    numbered.add(rs.subspan(7, 30), 2, 2);
    numbered.add(rs.subspan(7, 0), 1, 1);
  });
  t1.join();
  t2.join();
  expect_as_whole(std::move(numbered).finish());

  // Batches in parts (a large input, as model::Estate hands it over), also out of order:
  // batch order, then part order. Batch 0: [0, 3) [3, 7); batch 1: nothing; batch 2:
  // [7, 27) [27, 40) [40, 50).
  Scanner parted(rules, opts);
  std::thread t3([&] {
    parted.add(rs.subspan(40), 2, 1, 2, true);
    parted.add(rs.subspan(3, 4), 0, 1, 1, true);
    parted.add(rs.subspan(7, 0), 1, 1, 0, true);
  });
  std::thread t4([&] {
    parted.add(rs.subspan(7, 20), 2, 1, 0, false);
    parted.add(rs.subspan(0, 3), 0, 1, 0, false);
    parted.add(rs.subspan(27, 13), 2, 2, 1, false);
  });
  t3.join();
  t4.join();
  expect_as_whole(std::move(parted).finish());
}

TEST(Exceptions, EntryProblems) {
  core::Diagnostics diags;
  auto ex = load_exceptions("e.yaml", R"(format: 1
exceptions:
  - rule: SKM-AWS-S3-001
    resource: "*"
  - rule: SKM-AWS-S3-001
    resource: x
    expires: 2026-02-30
  - rule: SKM-AWS-S3-001
    resource: x
    colour: red
)",
                            diags);
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->items().size(), 1u);
  std::vector<std::string> codes;
  for (const core::Diagnostic& d : diags.items()) codes.push_back(d.code);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "suppression.no_reason"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "exception.date"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "exception.unknown_key"), codes.end());
}

TEST(Exceptions, WrongVersionIsAnError) {
  core::Diagnostics diags;
  EXPECT_FALSE(load_exceptions("e.yaml", "format: 3\nexceptions: []\n", diags).ok());
}

TEST(Glob, Matching) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("aws_s3_bucket.*", "aws_s3_bucket.logs"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_TRUE(glob_match("*/prod/*", "Deployment/prod/web"));
  EXPECT_FALSE(glob_match("SKM-AWS-S3-*", "SKM-AWS-EC2-001"));
  EXPECT_TRUE(glob_match("**a", "bbba"));
}

TEST(Dates, Validity) {
  EXPECT_TRUE(is_valid_date("2024-02-29"));
  EXPECT_FALSE(is_valid_date("2023-02-29"));
  EXPECT_FALSE(is_valid_date("2023-13-01"));
  EXPECT_FALSE(is_valid_date("2023-1-01"));
  EXPECT_EQ(civil_date(kNow), "2026-01-01");
  EXPECT_EQ(civil_date(cel::Timestamp{0, 0}), "1970-01-01");
}

// The rule-examples test: every bundled rule has a passing and a failing example for
// each format it supports (the loader enforces it) and every example gives its verdict.
TEST(BundledRules, EveryExampleGivesItsVerdict) {
  RuleSet set;
  core::Diagnostics diags;
  set.add_builtin(diags);
  ASSERT_FALSE(diags.has_errors()) << diags.to_text();
  ASSERT_FALSE(set.rules().empty());
  for (const Rule& r : set.rules()) {
    bool pass = false, fail = false;
    for (const RuleExample& e : r.examples) {
      pass = pass || e.expect == Expect::kPass;
      fail = fail || e.expect == Expect::kFail;
    }
    EXPECT_TRUE(pass && fail) << r.id << " needs a passing and a failing example";
    for (const ExampleResult& er : run_examples(r, kNow)) {
      EXPECT_TRUE(er.ok) << r.id << " " << model::format_name(er.example->format) << " '" << er.example->name
                         << "' (" << er.example->location.to_string() << "): " << er.problem;
    }
  }
}

}  // namespace
}  // namespace sekimori::policy
