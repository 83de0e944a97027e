// The three governance reports built from a small estate scanned with the bundled rules:
// statuses, counts, ownership, RACI, inheritance, coverage, and the outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "governance/governance.h"

namespace sekimori::governance {
namespace {

// One public, unencrypted bucket and one locked-down bucket; a Lambda function.
constexpr const char* kEstate = R"(Resources:
  Open:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
        BlockPublicPolicy: false
        IgnorePublicAcls: false
        RestrictPublicBuckets: false
  Closed:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "def handler(e, c): return 1"}
)";

class Reports : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Diagnostics diags;
    rules_.add_builtin(diags);
    ASSERT_FALSE(diags.has_errors()) << diags.to_text();
    estate_.add_text("estate.yaml", kEstate, model::SourceFormat::kCloudFormation, {}, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.to_text();
    ASSERT_EQ(estate_.resources().size(), 3u);
    detections_.add_path(std::string(SKM_SOURCE_DIR) + "/detections", diags);
    policy::ScanOptions opts;
    opts.now = cel::Timestamp{1767225600, 0};
    result_ = policy::scan(rules_, estate_.resources(), opts);
    services_ = default_services();
    ev_.kb = &knowledge::KnowledgeBase::builtin();
    ev_.rules = &rules_;
    ev_.scan = &result_;
    ev_.resources = estate_.resources();
    ev_.detections = &detections_;
    ev_.services = &services_;
    ev_.time = "2026-01-01T00:00:00Z";
    ev_.tool_version = "test";
    ev_.rule_pack_version = "test";
    ev_.targets = {"estate.yaml"};
  }

  policy::RuleSet rules_;
  model::Estate estate_;
  detect::RuleSet detections_;
  policy::ScanResult result_;
  ServicesFile services_;
  Evidence ev_;
};

const ResponsibilityItem* find_item(const ResponsibilityReport& r, std::string_view layer,
                                    std::string_view model) {
  for (const ResponsibilityItem& i : r.items)
    if (i.layer == layer && i.model == model) return &i;
  return nullptr;
}

TEST(Status, FollowsTheChecks) {
  RuleCheck failing{"R1", "", "high", 1, 2, 0, 0, 0};
  RuleCheck passing{"R2", "", "high", 3, 0, 0, 0, 0};
  RuleCheck idle{"R3", "", "high", 0, 0, 0, 0, 0};
  RuleCheck unknown{"R4", "", "high", 0, 0, 1, 0, 0};
  DetectionCheck loaded{"d", "id", "t", "high", true};
  EXPECT_EQ(check_status(std::vector<RuleCheck>{passing, failing}, {}), "fail");
  EXPECT_EQ(check_status(std::vector<RuleCheck>{passing, idle}, {}), "pass");
  EXPECT_EQ(check_status(std::vector<RuleCheck>{unknown}, {}), "unknown");
  EXPECT_EQ(check_status(std::vector<RuleCheck>{idle}, std::vector<DetectionCheck>{loaded}), "no-resources");
  EXPECT_EQ(check_status({}, std::vector<DetectionCheck>{loaded}), "watching");
  EXPECT_EQ(check_status({}, std::vector<DetectionCheck>{DetectionCheck{"x", "", "", "", false}}),
            "not-covered");
  EXPECT_EQ(check_status({}, {}), "not-covered");
}

TEST_F(Reports, ResponsibilityFindsModelsAndChecks) {
  ResponsibilityReport r = build_responsibility(ev_);
  std::vector<std::string> used;
  for (size_t i = 0; i < r.models.size(); ++i)
    if (r.in_use[i]) used.push_back(r.models[i]);
  EXPECT_EQ(used, (std::vector<std::string>{"paas", "faas"}));
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(r.services[0].name, "aws_s3_bucket");
  EXPECT_EQ(r.services[0].resources, 2u);
  EXPECT_EQ(r.services[1].model, "faas");

  // Data is the customer's; the S3 rules check it on PaaS and the open bucket fails.
  const ResponsibilityItem* data = find_item(r, "data", "paas");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->owner, knowledge::Owner::kCustomer);
  EXPECT_EQ(data->status, "fail");
  auto s3 = std::find_if(data->rules.begin(), data->rules.end(),
                         [](const RuleCheck& c) { return c.id == "SKM-AWS-S3-001"; });
  ASSERT_NE(s3, data->rules.end());
  EXPECT_EQ(s3->pass, 1u);
  EXPECT_EQ(s3->fail, 1u);
  EXPECT_FALSE(data->detections.empty());
  // Network on PaaS is the provider's: no customer item.
  EXPECT_EQ(find_item(r, "network", "paas"), nullptr);
  // Endpoint protection has no rule: to attest by hand.
  const ResponsibilityItem* endpoint = find_item(r, "endpoint", "faas");
  ASSERT_NE(endpoint, nullptr);
  EXPECT_EQ(endpoint->status, "not-covered");
  EXPECT_EQ(r.covered + r.not_covered, r.items.size());
  EXPECT_GT(r.failing, 0u);

  // RACI defaults: accountability with the business owner; provider-owned rows R=provider.
  ASSERT_EQ(r.roles.size(), std::size(kDefaultRoles));
  for (const RaciRow& row : r.raci) {
    EXPECT_EQ(row.cells[0], "A") << row.layer << " " << row.model;
    if (row.owner == knowledge::Owner::kProvider) {
      EXPECT_EQ(row.cells[4], "R");
    }
  }

  // The SaaS-provider checklist comes along, some points attested, some with evidence.
  EXPECT_EQ(r.checklist.size(), ev_.kb->checklist().size());
  EXPECT_TRUE(std::any_of(r.checklist.begin(), r.checklist.end(),
                          [](const ChecklistRow& c) { return c.checks.empty(); }));
  EXPECT_TRUE(std::any_of(r.checklist.begin(), r.checklist.end(),
                          [](const ChecklistRow& c) { return !c.checks.empty(); }));

  // Inheritance: PaaS column only; some controls inherited, some unknown.
  EXPECT_EQ(r.ccm_columns, std::vector<std::string>{"paas"});
  EXPECT_EQ(r.inheritance.size(), ev_.kb->ccm_controls().size());
  EXPECT_TRUE(std::any_of(r.inheritance.begin(), r.inheritance.end(),
                          [](const InheritanceRow& i) { return i.scope == "unknown"; }));
  EXPECT_TRUE(std::any_of(r.inheritance.begin(), r.inheritance.end(),
                          [](const InheritanceRow& i) { return i.scope != "unknown"; }));
}

TEST_F(Reports, ServicesFileReclassifiesOverridesAndAssigns) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", R"(format: 1
roles: [owner, ops, vendor]
services:
  - {name: Okta, model: saas, team: it}
types:
  - {type: aws_lambda_function, model: caas}
overrides:
  - {model: saas, layer: endpoint, owner: provider, reason: "kiosk devices run by the vendor"}
raci:
  - {responsible: ops, accountable: owner, informed: [vendor]}
  - {layers: [physical], responsible: vendor, accountable: owner}
)",
                          *ev_.kb, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(diags.empty()) << diags.to_text();
  services_ = std::move(f).value();
  ResponsibilityReport r = build_responsibility(ev_);
  std::vector<std::string> used;
  for (size_t i = 0; i < r.models.size(); ++i)
    if (r.in_use[i]) used.push_back(r.models[i]);
  EXPECT_EQ(used, (std::vector<std::string>{"paas", "saas", "caas"}));
  EXPECT_EQ(find_item(r, "endpoint", "saas"), nullptr);  // overridden to the provider
  auto saas = std::find(r.models.begin(), r.models.end(), "saas") - r.models.begin();
  const LayerRow& endpoint =
      *std::find_if(r.layers.begin(), r.layers.end(), [](const LayerRow& l) { return l.id == "endpoint"; });
  EXPECT_TRUE(endpoint.cells[static_cast<size_t>(saas)].overridden);
  // Declared SaaS services get no CloudTrail detections.
  const ResponsibilityItem* id_saas = find_item(r, "identity", "saas");
  ASSERT_NE(id_saas, nullptr);
  EXPECT_TRUE(id_saas->detections.empty());
  for (const RaciRow& row : r.raci) {
    ASSERT_EQ(row.cells.size(), 3u);
    if (row.layer == "physical") {
      EXPECT_EQ(row.cells, (std::vector<std::string>{"A", "", "R"}));
    } else {
      EXPECT_EQ(row.cells, (std::vector<std::string>{"A", "R", "I"}));
    }
  }
  EXPECT_EQ(r.ccm_columns, (std::vector<std::string>{"paas", "saas"}));
}

TEST_F(Reports, ThreatsCoverageAndWeakest) {
  ThreatsReport t = build_threats(ev_);
  ASSERT_EQ(t.threats.size(), 11u);
  ASSERT_EQ(t.weakest.size(), 3u);
  for (const ThreatRow& row : t.threats) {
    EXPECT_GE(row.distinct_rules + row.distinct_detections, 3u) << row.key;
    EXPECT_LE(row.covered, row.automated);
    size_t cells = 0;
    for (const StageCell& c : row.stages) cells += c.automated + c.organisational;
    EXPECT_EQ(cells, row.countermeasures.size());
  }
  // The weakest has the lowest coverage.
  const ThreatRow* weakest = nullptr;
  for (const ThreatRow& row : t.threats)
    if (row.key == t.weakest[0]) weakest = &row;
  ASSERT_NE(weakest, nullptr);
  for (const ThreatRow& row : t.threats) EXPECT_LE(weakest->coverage, row.coverage);
  // T01 encryption at stage 2 fails on the unencrypted... S3 buckets use default SSE-S3,
  // which SKM-AWS-S3-003 (KMS) fails.
  const ThreatRow& t01 = t.threats[0];
  auto enc = std::find_if(t01.countermeasures.begin(), t01.countermeasures.end(),
                          [](const CountermeasureRow& c) { return c.item == "encryption"; });
  ASSERT_NE(enc, t01.countermeasures.end());
  EXPECT_EQ(enc->status, "fail");
  auto org =
      std::find_if(t01.countermeasures.begin(), t01.countermeasures.end(),
                   [](const CountermeasureRow& c) { return c.mode == knowledge::Mode::kOrganisational; });
  ASSERT_NE(org, t01.countermeasures.end());
  EXPECT_EQ(org->status, "manual");
}

TEST_F(Reports, FrameworkStatuses) {
  FrameworkReport cis = build_framework(ev_, Framework::kCisAwsV7);
  EXPECT_EQ(cis.controls.size(), 70u);
  auto find = [](const FrameworkReport& r, std::string_view id) {
    return *std::find_if(r.controls.begin(), r.controls.end(),
                         [&](const ControlRow& c) { return c.id == id; });
  };
  EXPECT_EQ(find(cis, "3.1.4").status, "fail");          // the open bucket
  EXPECT_EQ(find(cis, "2.2").status, "manual");          // contact details: CIS manual, no rule
  EXPECT_EQ(find(cis, "6.1.1").status, "no-resources");  // EBS default encryption: no such resource
  size_t sum = 0;
  for (const GroupRow& g : cis.groups) sum += g.total;
  EXPECT_EQ(sum, 70u);
  EXPECT_EQ(cis.total.total, 70u);
  EXPECT_EQ(cis.total.covered + cis.total.not_covered + cis.total.manual, 70u);

  FrameworkReport ccm = build_framework(ev_, Framework::kCcmV4);
  EXPECT_EQ(ccm.controls.size(), 197u);
  EXPECT_EQ(ccm.groups.size(), 17u);
  EXPECT_EQ(find(ccm, "DSP-17").status, "fail");
  EXPECT_EQ(find(ccm, "HRS-01").status, "not-covered");
  EXPECT_EQ(find(ccm, "DSP-17").ownership.rfind("paas=", 0), 0u);

  FrameworkReport t24 = build_framework(ev_, Framework::kTopThreats2024);
  for (const ControlRow& c : t24.controls)
    if (c.note == "no 2019 predecessor") {
      EXPECT_EQ(c.status, "not-covered") << c.id;
    }
  EXPECT_EQ(framework_by_name("cis-aws-v7"), Framework::kCisAwsV7);
  EXPECT_EQ(framework_by_name("nist"), std::nullopt);
}

TEST_F(Reports, OutputsAreEscapedAndComplete) {
  // A hostile service name travels into every format.
  core::Diagnostics diags;
  auto f = parse_services(
      "s.yaml", "format: 1\nservices:\n  - {name: \"<script>alert(1)</script>|a,\\\"b\", model: saas}\n",
      *ev_.kb, diags);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(diags.empty()) << diags.to_text();
  services_ = std::move(f).value();
  ResponsibilityReport r = build_responsibility(ev_);
  std::string html = render(to_doc(r), OutputFormat::kHtml);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("id=\"ownership-matrix\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no network references
  std::string md = render(to_doc(r), OutputFormat::kMarkdown);
  EXPECT_NE(md.find("| \\<script\\>alert(1)\\</script\\>\\|a,\"b |"), std::string::npos);
  std::string json = to_json(r);
  EXPECT_NE(json.find("\"<script>alert(1)</script>|a,\\\"b\""), std::string::npos);
  std::string csv = render(to_doc(r), OutputFormat::kCsv);  // the RACI matrix
  EXPECT_EQ(csv.rfind("layer,model,owner,business-owner,csirt,systems-team,procurement,provider\r\n", 0), 0u);

  std::string threats_html = render(to_doc(build_threats(ev_)), OutputFormat::kHtml);
  EXPECT_NE(threats_html.find("id=\"heatmap\""), std::string::npos);
  std::string fw_html = render(to_doc(build_framework(ev_, Framework::kCcmV4)), OutputFormat::kHtml);
  EXPECT_NE(fw_html.find("id=\"coverage-bars\""), std::string::npos);
  csv = render(to_doc(build_framework(ev_, Framework::kCcmV4)), OutputFormat::kCsv);
  EXPECT_EQ(csv.rfind("id,title,status,rules,detections,pass,fail,ownership\r\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 198);
}

TEST_F(Reports, TaggedDetectionsJoinFrameworkRows) {
  core::Diagnostics diags;
  detections_.add_text("tagged.yml", R"(title: Test Detection
id: 00000000-0000-4000-8000-000000000001
name: test_tagged
tags:
    - ccm.grc-01
    - cis-aws.2.2
    - csa.tt-3p
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: PutAccountContact
    condition: selection
level: low
)",
                       diags);
  ASSERT_FALSE(diags.has_errors()) << diags.to_text();
  auto row = [](const FrameworkReport& r, std::string_view id) {
    return *std::find_if(r.controls.begin(), r.controls.end(),
                         [&](const ControlRow& c) { return c.id == id; });
  };
  ControlRow grc = row(build_framework(ev_, Framework::kCcmV4), "GRC-01");
  EXPECT_EQ(grc.status, "watching");
  ASSERT_EQ(grc.detections.size(), 1u);
  EXPECT_EQ(grc.detections[0].ref, "test_tagged");
  EXPECT_EQ(row(build_framework(ev_, Framework::kCisAwsV7), "2.2").status, "watching");
  EXPECT_EQ(row(build_framework(ev_, Framework::kTopThreats2024), "TT-3P").status, "watching");
}

TEST(Render, HtmlEscape) { EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;"); }

TEST(Render, HeatMapCellsAndEmptyCells) {
  std::string svg = svg_heat_map({"T01"}, {"1 Plan", "2 Build"}, {{HeatCell{1.0, "2/2"}, HeatCell{}}});
  EXPECT_EQ(svg.rfind("<svg id=\"heatmap\"", 0), 0u);
  EXPECT_NE(svg.find("2/2"), std::string::npos);
  EXPECT_NE(svg.find("#eceff3"), std::string::npos);  // the empty cell is grey
}

}  // namespace
}  // namespace sekimori::governance
