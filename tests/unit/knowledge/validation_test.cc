// The validator: one test per diagnostic code, each checking the reported line:column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/location.h"
#include "knowledge/knowledge.h"
#include "test_util.h"

namespace sekimori::knowledge {
namespace {

using testing::builtin_text;
using testing::load_with;
using testing::replace;
using testing::where;

// "bad.yaml:L:C" of the `nth` occurrence of `needle` in `text`, plus `skip` bytes.
std::string at(std::string_view text, std::string_view needle, size_t skip = 0, int nth = 0) {
  size_t pos = text.find(needle);
  while (nth-- > 0 && pos != std::string_view::npos) pos = text.find(needle, pos + 1);
  if (pos == std::string_view::npos) return "needle not found: " + std::string(needle);
  return core::locate("bad.yaml", text, pos + skip).to_string();
}

using Where = std::vector<std::string>;

constexpr std::string_view kGuidance =
    "kind: guidance-v5\n"
    "format: 1\n"
    "version: \"5\"\n"
    "domains:\n"
    "  - number: 1\n"
    "    name: A\n"
    "    summary: B\n";

constexpr std::string_view kModels =
    "kind: service-models\n"
    "format: 1\n"
    "models:\n"
    "  - {id: iaas, name: IaaS, basis: csa, summary: x}\n"
    "  - {id: saas, name: SaaS, basis: csa, summary: y}\n"
    "layers:\n"
    "  - id: data\n"
    "    name: Data\n"
    "    basis: csa\n"
    "    owners: {iaas: customer, saas: customer}\n"
    "  - id: network\n"
    "    name: Network\n"
    "    basis: csa\n"
    "    owners: {iaas: shared, saas: provider}\n"
    "resource_types:\n"
    "  - {type: \"aws_s3_*\", model: iaas, category: storage}\n";

TEST(Validation, MinimalReplacementsAreClean) {
  core::Diagnostics d1, d2;
  auto kb = load_with("guidance-v5", kGuidance, d1);
  EXPECT_TRUE(d1.empty()) << d1.to_text();
  EXPECT_EQ(kb.guidance_domains().size(), 1u);
  auto kb2 = load_with("service-models", kModels, d2);
  EXPECT_TRUE(d2.empty()) << d2.to_text();
  EXPECT_EQ(kb2.owner("network", "saas"), Owner::kProvider);
}

TEST(Validation, UnknownKey) {
  std::string text = std::string(kGuidance) + "    colour: red\n";
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", text, diags);
  EXPECT_EQ(where(diags, "knowledge.unknown_key"), Where{"bad.yaml:8:5"});
  EXPECT_EQ(diags.items().size(), 1u) << diags.to_text();
  EXPECT_FALSE(diags.items()[0].snippet.empty());
}

TEST(Validation, MissingKey) {
  std::string text = replace(std::string(kGuidance), "    summary: B\n", "");
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", text, diags);
  EXPECT_EQ(where(diags, "knowledge.missing_key"), Where{"bad.yaml:5:5"});
  EXPECT_TRUE(kb.guidance_domains().empty());
}

TEST(Validation, BadTypeCatchesAnUnquotedCisId) {
  // Unquoted, 2.10 is the number 2.1: the loader insists on strings.
  std::string text = replace(builtin_text("cis-aws-v7"), "{id: \"2.10\",", "{id: 2.10,");
  core::Diagnostics diags;
  auto kb = load_with("cis-aws-v7", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_type"), Where{at(text, "2.10, title", 0)});
  EXPECT_FALSE(kb.is_valid_cis("2.10"));
  EXPECT_EQ(kb.cis_aws_recommendations().size(), 69u);  // the rest still loads
}

TEST(Validation, DuplicateId) {
  std::string text = replace(builtin_text("ccm-v4"), "{id: IAM-16,", "{id: IAM-15,");
  core::Diagnostics diags;
  auto kb = load_with("ccm-v4", text, diags);
  EXPECT_EQ(where(diags, "knowledge.duplicate_id"), Where{at(text, "{id: IAM-15,", 5, 1)});
  EXPECT_EQ(kb.ccm_controls().size(), 196u);
}

TEST(Validation, DuplicateCountermeasureCellInAThreat) {
  std::string from = "      - {stage: 1, item: data-inventory, mode: organisational}\n";
  std::string text = replace(builtin_text("threats-2019"), from, from + from);
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.duplicate_id"), Where{at(text, "item: data-inventory", 6, 1)});
  EXPECT_EQ(kb.threat("T01")->countermeasures.size(), 16u);
}

TEST(Validation, BadId) {
  std::string text = replace(builtin_text("threats-2019"), "key: T11", "key: T-11");
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_id"), Where{at(text, "T-11")});
  EXPECT_EQ(kb.threats().size(), 10u);
  // The crosswalk that names T11 now points nowhere.
  EXPECT_EQ(where(diags, "knowledge.unknown_ref").size(), 1u);
}

TEST(Validation, BadCcmIdForItsDomain) {
  std::string text = replace(builtin_text("ccm-v4"), "{id: IAM-16,", "{id: IAX-16,");
  core::Diagnostics diags;
  auto kb = load_with("ccm-v4", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_id"), Where{at(text, "IAX-16")});
}

TEST(Validation, BadOwner) {
  std::string text = replace(std::string(kModels), "saas: provider}", "saas: vendor}");
  core::Diagnostics diags;
  auto kb = load_with("service-models", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_owner"), Where{at(text, "vendor")});
  EXPECT_EQ(kb.layers().size(), 1u);  // the other layer still loads
  EXPECT_EQ(kb.owner("network", "iaas"), std::nullopt);
}

TEST(Validation, BadOwnerInCcmOwnership) {
  std::string text = replace(builtin_text("ccm-v4"), "ownership: {iaas: shared, paas: shared, saas: provider}",
                             "ownership: {iaas: shared, paas: shared, saas: CSP-Owned}");
  core::Diagnostics diags;
  auto kb = load_with("ccm-v4", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_owner"), Where{at(text, "CSP-Owned")});
}

TEST(Validation, BadValue) {
  std::string text = replace(builtin_text("threats-2019"), "{stage: 6, item: data-risk-assessment",
                             "{stage: 7, item: data-risk-assessment");
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_value"), Where{at(text, "{stage: 7", 8)});
  EXPECT_EQ(kb.threat("T01")->countermeasures.size(), 15u);
}

TEST(Validation, BadCheckValue) {
  std::string text = replace(builtin_text("threats-2019"), "item: encryption, mode: automated, check: CFG",
                             "item: encryption, mode: automated, check: [CFG, DAST]");
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_value"), Where{at(text, "DAST]")});
}

TEST(Validation, UnknownRef) {
  std::string text = replace(builtin_text("threats-2024"), "{from: T02, to: TT-MISCONFIG", "{from: T02, to: TT-NOPE");
  core::Diagnostics diags;
  auto kb = load_with("threats-2024", text, diags);
  EXPECT_EQ(where(diags, "knowledge.unknown_ref"), Where{at(text, "TT-NOPE")});
  EXPECT_TRUE(kb.successors("T02").empty());
}

TEST(Validation, UnknownRefToACountermeasureItem) {
  std::string text = replace(builtin_text("threats-2019"), "{stage: 1, item: data-inventory,",
                             "{stage: 1, item: data-inventroy,");
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.unknown_ref"), Where{at(text, "data-inventroy")});
}

TEST(Validation, UnknownRefToAServiceModel) {
  std::string text = replace(std::string(kModels), "model: iaas, category", "model: dbaas, category");
  core::Diagnostics diags;
  auto kb = load_with("service-models", text, diags);
  EXPECT_EQ(where(diags, "knowledge.unknown_ref"), Where{at(text, "dbaas")});
  EXPECT_EQ(kb.service_model_of("aws_s3_bucket"), nullptr);
}

TEST(Validation, UnknownRefToACcmDomainInALayer) {
  std::string text = replace(std::string(kModels), "    owners: {iaas: shared, saas: provider}\n",
                             "    owners: {iaas: shared, saas: provider}\n    ccm: [IVS-03, XYZ]\n"
                             "    detections: [security_group_open_to_world]\n");
  core::Diagnostics diags;
  auto kb = load_with("service-models", text, diags);
  EXPECT_EQ(where(diags, "knowledge.unknown_ref"), Where{at(text, "XYZ")});
  ASSERT_NE(kb.layer("network"), nullptr);
  EXPECT_EQ(kb.layer("network")->ccm, std::vector<std::string>{"IVS-03"});
  EXPECT_EQ(kb.layer("network")->detections, std::vector<std::string>{"security_group_open_to_world"});
}

TEST(Validation, MissingOwner) {
  std::string text = replace(std::string(kModels), "{iaas: shared, saas: provider}", "{iaas: shared}");
  core::Diagnostics diags;
  auto kb = load_with("service-models", text, diags);
  EXPECT_EQ(where(diags, "knowledge.missing_owner"), Where{"bad.yaml:14:13"});
}

TEST(Validation, ModeMismatch) {
  std::string row = "{stage: 2, item: interface-standards, mode: organisational}";
  std::string text = replace(builtin_text("threats-2019"), row,
                             "{stage: 2, item: interface-standards, mode: organisational, check: CFG}");
  text = replace(text, "{stage: 2, item: data-labelling, mode: automated, check: CFG, rules: [], detections: []}",
                 "{stage: 2, item: data-labelling, mode: automated, rules: [], detections: []}");
  core::Diagnostics diags;
  auto kb = load_with("threats-2019", text, diags);
  EXPECT_EQ(where(diags, "knowledge.mode_mismatch"),
            (Where{at(text, "{stage: 2, item: interface-standards"), at(text, "{stage: 2, item: data-labelling")}));
}

TEST(Validation, BadGlob) {
  std::string text = replace(std::string(kModels), "\"aws_s3_*\"", "\"aws_*_bucket\"");
  core::Diagnostics diags;
  auto kb = load_with("service-models", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_glob"), Where{at(text, "\"aws_*_bucket\"")});
}

TEST(Validation, BadKind) {
  std::string text = replace(std::string(kGuidance), "guidance-v5", "guidance-v9");
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_kind"), Where{"bad.yaml:1:7"});
  EXPECT_EQ(where(diags, "knowledge.missing_file"), Where{""});
}

TEST(Validation, MissingFile) {
  std::vector<SourceFile> files;
  for (const SourceFile& f : builtin_files())
    if (f.path != "knowledge/ccm-v4.yaml") files.push_back(f);
  core::Diagnostics diags;
  auto kb = KnowledgeBase::load(files, diags);
  ASSERT_EQ(diags.items().size(), 1u) << diags.to_text();
  EXPECT_EQ(diags.items()[0].code, "knowledge.missing_file");
  EXPECT_NE(diags.items()[0].message.find("ccm-v4"), std::string::npos);
  EXPECT_FALSE(kb.is_valid_ccm("IAM-16"));
  EXPECT_TRUE(kb.is_valid_threat("T01"));  // the rest still loads
}

TEST(Validation, BadFormat) {
  std::string text = replace(std::string(kGuidance), "format: 1", "format: 2");
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", text, diags);
  EXPECT_EQ(where(diags, "knowledge.bad_format"), Where{"bad.yaml:2:9"});
}

TEST(Validation, DuplicateKind) {
  std::vector<SourceFile> files(builtin_files().begin(), builtin_files().end());
  files.push_back(SourceFile{"bad.yaml", kGuidance});
  core::Diagnostics diags;
  auto kb = KnowledgeBase::load(files, diags);
  EXPECT_EQ(where(diags, "knowledge.duplicate_kind"), Where{"bad.yaml:1:7"});
  EXPECT_EQ(kb.guidance_domains().size(), 12u);  // the first file wins
}

TEST(Validation, YamlSyntaxErrorIsLocated) {
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", "kind: guidance-v5\nformat: [1\n", diags);
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags.items()[0].code, "yaml.syntax");
  EXPECT_EQ(diags.items()[0].location.file, "bad.yaml");
  EXPECT_TRUE(diags.items()[0].location.has_position());
}

TEST(Validation, OversizedFileHitsTheSizeLimit) {
  std::string text = "kind: guidance-v5\nformat: 1\n# " + std::string(9u << 20, 'x') + "\n";
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", text, diags);
  EXPECT_EQ(where(diags, "doc.limit.size").size(), 1u) << diags.to_text().substr(0, 500);
}

TEST(Validation, NotAMapIsABadType) {
  core::Diagnostics diags;
  auto kb = load_with("guidance-v5", "- just\n- a list\n", diags);
  EXPECT_EQ(where(diags, "knowledge.bad_type"), Where{"bad.yaml:1:1"});
}

}  // namespace
}  // namespace sekimori::knowledge
