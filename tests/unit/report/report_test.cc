// Renderers: structure checks per format (golden files cover the exact bytes), OCSF
// class 2003 required attributes, SARIF essentials for GitHub code scanning.
#include <gtest/gtest.h>

#include <string>

#include "formats/document.h"
#include "model/estate.h"
#include "policy/rule.h"
#include "policy/scan.h"
#include "report/report.h"

namespace sekimori::report {
namespace {

constexpr const char* kTemplate = R"(Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Suspended
  Data:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
)";

constexpr const char* kRule = R"(format: 1
id: SKM-AWS-S3-950
title: Versioning "off" <test> & co
description: Test, with a comma.
severity: high
resource_types: [aws_s3_bucket]
assert: resource.versioning.enabled == true
message: "=bucket {{resource.id}}, versioning off"
threats: [T01]
ccm: [BCR-08]
cis_aws: ["3.1.4"]
remediation: Turn it on.
formats: [cloudformation]
examples:
  - {format: cloudformation, expect: pass, input: 'Resources: {B: {Type: AWS::S3::Bucket}}'}
  - {format: cloudformation, expect: fail, input: 'Resources: {B: {Type: AWS::S3::Bucket}}'}
)";

struct ReportTest : ::testing::Test {
  void SetUp() override {
    core::Diagnostics d;
    ASSERT_TRUE(rules.add_text("r.yaml", kRule, d)) << d.to_text();
    estate.add_text("/scan/infra/t.yaml", kTemplate, model::SourceFormat::kCloudFormation, {}, d);
    ASSERT_FALSE(d.has_errors()) << d.to_text();
    policy::ScanOptions opts;
    opts.now = {1767225600, 0};
    result = policy::scan(rules, estate.resources(), opts);
    rep.tool_version = "0.1.0";
    rep.rule_pack_version = "1.0.0";
    rep.scan_root = "/scan";
    rep.time = "2026-01-01T00:00:00Z";
    rep.time_ms = 1767225600000;
    rep.inputs = &estate.inputs();
    rep.rules = &rules;
    rep.result = &result;
    rep.diagnostics = &diags;
  }
  policy::RuleSet rules;
  model::Estate estate;
  policy::ScanResult result;
  core::Diagnostics diags;
  ScanReport rep;
};

formats::Document parse_json(const std::string& text) {
  core::Diagnostics d;
  auto doc = formats::load_json("out.json", text, formats::Limits{}, d);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().to_string()) << "\n" << text;
  return std::move(doc).value();
}

TEST_F(ReportTest, JsonHasStableTopLevelShape) {
  formats::Document doc = parse_json(render_json(rep));
  const formats::Node& root = doc.root();
  for (const char* k : {"schema", "tool", "rule_pack", "scan", "inputs", "summary", "rules", "findings", "diagnostics"}) {
    EXPECT_NE(root.find(k), nullptr) << k;
  }
  EXPECT_EQ(root.find_path({"summary", "fail"})->as_int(), 1);
  EXPECT_EQ(root.find_path({"summary", "pass"})->as_int(), 1);
  const formats::Node* findings = root.find("findings");
  ASSERT_EQ(findings->size(), 2u);
  EXPECT_EQ(findings->items()[0].find_path({"location", "file"})->as_string(), "infra/t.yaml");
}

TEST_F(ReportTest, SarifEssentials) {
  formats::Document doc = parse_json(render_sarif(rep));
  const formats::Node& root = doc.root();
  EXPECT_EQ(root.find("version")->as_string(), "2.1.0");
  const formats::Node& run = root.find("runs")->items()[0];
  const formats::Node& rule = run.find_path({"tool", "driver", "rules"})->items()[0];
  EXPECT_EQ(rule.find("id")->as_string(), "SKM-AWS-S3-950");
  EXPECT_EQ(rule.find_path({"properties", "security-severity"})->as_string(), "8.0");
  EXPECT_NE(rule.find_path({"help", "text"}), nullptr);
  EXPECT_NE(rule.find_path({"help", "markdown"}), nullptr);
  const formats::Node* results = run.find("results");
  ASSERT_EQ(results->size(), 1u);  // only the failing one
  const formats::Node& r = results->items()[0];
  const formats::Node& loc = r.find("locations")->items()[0];
  EXPECT_EQ(loc.find_path({"physicalLocation", "artifactLocation", "uri"})->as_string(), "infra/t.yaml");
  EXPECT_EQ(loc.find_path({"physicalLocation", "region", "startLine"})->as_int(), 6);
  EXPECT_EQ(loc.find("logicalLocations")->items()[0].find("fullyQualifiedName")->as_string(), "Logs");
  EXPECT_NE(r.find_path({"partialFingerprints", "primaryLocationLineHash"}), nullptr);
}

TEST_F(ReportTest, SarifCarriesSuppressions) {
  result.findings[0].status = policy::Status::kSuppressed;
  policy::AppliedSuppression s;
  s.reason = "accepted";
  result.findings[0].extra().suppression = std::make_shared<policy::AppliedSuppression>(s);
  formats::Document doc = parse_json(render_sarif(rep));
  const formats::Node& run = doc.root().find("runs")->items()[0];
  const formats::Node* results = run.find("results");
  ASSERT_EQ(results->size(), 1u);
  const formats::Node* sup = results->items()[0].find("suppressions");
  ASSERT_NE(sup, nullptr);
  EXPECT_EQ(sup->items()[0].find("justification")->as_string(), "accepted");
}

TEST_F(ReportTest, OcsfLinesCarryClass2003RequiredAttributes) {
  std::string text = render_ocsf(rep);
  size_t start = 0, lines = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    ++lines;
    formats::Document doc = parse_json(line);
    const formats::Node& o = doc.root();
    // Base event, Finding and Compliance Finding required attributes in OCSF 1.1.0.
    for (const char* k : {"activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id",
                          "metadata", "finding_info", "compliance"}) {
      EXPECT_NE(o.find(k), nullptr) << k;
    }
    EXPECT_EQ(o.find("class_uid")->as_int(), 2003);
    EXPECT_EQ(o.find("category_uid")->as_int(), 2);
    EXPECT_EQ(o.find("type_uid")->as_int(), 200301);
    EXPECT_NE(o.find_path({"metadata", "version"}), nullptr);
    EXPECT_NE(o.find_path({"metadata", "product", "vendor_name"}), nullptr);
    EXPECT_NE(o.find_path({"finding_info", "uid"}), nullptr);
    EXPECT_NE(o.find_path({"finding_info", "title"}), nullptr);
    const formats::Node* standards = o.find_path({"compliance", "standards"});
    ASSERT_NE(standards, nullptr);
    EXPECT_GT(standards->size(), 0u);
    EXPECT_NE(o.find_path({"remediation", "desc"}), nullptr);
  }
  EXPECT_EQ(lines, 2u);
}

TEST_F(ReportTest, OcsfRequiredAttributesMatchTheSchemaCorpus) {
  // Cross-check the list above with ../shared/corpora/ocsf-1.1.0 when it is present.
  std::string dir = std::string(SKM_SHARED_DIR) + "/corpora/ocsf-1.1.0/events/findings/compliance_finding.json";
  core::Diagnostics d;
  auto doc = formats::load_file(dir, formats::Limits{}, d);
  if (!doc.ok()) GTEST_SKIP() << "OCSF corpus not present: " << dir;
  const formats::Node* attrs = doc->root().find("attributes");
  ASSERT_NE(attrs, nullptr);
  std::string line = render_ocsf(rep);
  line = line.substr(0, line.find('\n'));
  formats::Document out = parse_json(line);
  for (const formats::Member& m : attrs->members()) {
    const formats::Node* req = m.value.find("requirement");
    if (req != nullptr && req->as_string() == "required") {
      EXPECT_NE(out.root().find(m.key.as_string()), nullptr) << m.key.as_string();
    }
  }
}

TEST_F(ReportTest, CsvQuotesAndNeutralisesFormulas) {
  std::string csv = render_csv(rep);
  EXPECT_EQ(csv.rfind("rule_id,severity,status,", 0), 0u);
  EXPECT_NE(csv.find("\"'=bucket Logs, versioning off\""), std::string::npos) << csv;
}

TEST_F(ReportTest, JunitEscapesXml) {
  std::string xml = render_junit(rep);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("Versioning &quot;off&quot; &lt;test&gt; &amp; co"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<test>"), std::string::npos);
}

TEST_F(ReportTest, MarkdownAndTableSummaries) {
  std::string md = render_markdown(rep, {});
  EXPECT_NE(md.find("**1 failing check** (1 high)"), std::string::npos) << md;
  EXPECT_NE(md.find("T01 Data breach"), std::string::npos);
  std::string table = render_table(rep, {});
  EXPECT_NE(table.find("HIGH (1 failing)"), std::string::npos) << table;
  EXPECT_EQ(table.find("\x1b["), std::string::npos);  // no colour unless asked
  RenderOptions color;
  color.color = true;
  EXPECT_NE(render_table(rep, color).find("\x1b["), std::string::npos);
}

TEST(RelativePath, UnderAndOutsideRoot) {
  EXPECT_EQ(relative_path("/a/b/c.yaml", "/a"), "b/c.yaml");
  EXPECT_EQ(relative_path("/x/c.yaml", "/a"), "/x/c.yaml");
  EXPECT_EQ(relative_path("-", "/a"), "-");
}

}  // namespace
}  // namespace sekimori::report
