// The services file: a valid file round-trips, every problem is a located diagnostic with
// its code, and the limits hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "governance/governance.h"

namespace sekimori::governance {
namespace {

const knowledge::KnowledgeBase& kb() { return knowledge::KnowledgeBase::builtin(); }

std::vector<std::string> where(const core::Diagnostics& diags, std::string_view code) {
  std::vector<std::string> out;
  for (const core::Diagnostic& d : diags.items())
    if (d.code == code) out.push_back(d.location.to_string());
  return out;
}

constexpr const char* kGood = R"(format: 1
roles: [owner, soc, platform, vendor]
services:
  - {name: Okta, model: saas, provider: Okta, team: it}
  - {name: Zapier flows, model: ncaas, team: ops, notes: "order sync"}
types:
  - {type: "aws_ecs_*", model: iaas, team: platform}
  - {type: aws_s3_bucket, team: data}
overrides:
  - {model: saas, layer: endpoint, owner: customer, reason: "managed laptops only"}
raci:
  - {layers: [identity], responsible: platform, accountable: owner, consulted: [soc], informed: vendor}
)";

TEST(Services, ParsesAValidFile) {
  core::Diagnostics diags;
  auto f = parse_services("services.yaml", kGood, kb(), diags);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_TRUE(diags.empty()) << diags.to_text();
  EXPECT_EQ(f->roles, (std::vector<std::string>{"owner", "soc", "platform", "vendor"}));
  ASSERT_EQ(f->services.size(), 2u);
  EXPECT_EQ(f->services[0].name, "Okta");
  EXPECT_EQ(f->services[1].model, "ncaas");
  EXPECT_EQ(f->services[1].location.line, 5u);
  ASSERT_EQ(f->types.size(), 2u);
  EXPECT_TRUE(f->types[0].glob);
  EXPECT_EQ(f->types[0].pattern, "aws_ecs_");
  EXPECT_EQ(f->types[1].team, "data");
  ASSERT_EQ(f->overrides.size(), 1u);
  EXPECT_EQ(f->overrides[0].owner, knowledge::Owner::kCustomer);
  ASSERT_EQ(f->raci.size(), 1u);
  EXPECT_EQ(f->raci[0].informed, std::vector<std::string>{"vendor"});
}

TEST(Services, EmptyFileIsTheDefaults) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", "", kb(), diags);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->roles.size(), std::size(kDefaultRoles));
  EXPECT_TRUE(f->services.empty());
}

TEST(Services, ProblemsAreLocatedWithStableCodes) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", R"(format: 2
colour: blue
roles: [Owner, csirt, csirt]
services:
  - {name: A, model: mainframe}
  - {model: saas}
  - {name: B, model: saas}
  - {name: B, model: saas}
types:
  - {type: "aws_*_x", model: iaas}
  - {type: aws_lambda_function}
overrides:
  - {model: iaas, layer: roof, owner: customer, reason: r}
  - {model: iaas, layer: data, owner: nobody, reason: r}
raci:
  - {responsible: cfo}
  - {layers: [data]}
)",
                          kb(), diags);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(where(diags, "services.bad_format"), std::vector<std::string>{"s.yaml:1:9"});
  EXPECT_EQ(where(diags, "services.unknown_key"), std::vector<std::string>{"s.yaml:2:1"});
  EXPECT_EQ(where(diags, "services.bad_id"), (std::vector<std::string>{"s.yaml:3:9", "s.yaml:10:12"}));
  EXPECT_EQ(where(diags, "services.duplicate_id"), (std::vector<std::string>{"s.yaml:3:23", "s.yaml:8:12"}));
  EXPECT_EQ(where(diags, "services.unknown_ref"),
            (std::vector<std::string>{"s.yaml:5:22", "s.yaml:13:26", "s.yaml:16:19"}));
  EXPECT_EQ(where(diags, "services.missing_key"),
            (std::vector<std::string>{"s.yaml:6:5", "s.yaml:11:5", "s.yaml:17:5"}));
  EXPECT_EQ(where(diags, "services.bad_owner"), std::vector<std::string>{"s.yaml:14:39"});
  // What is valid is kept.
  ASSERT_EQ(f->services.size(), 1u);
  EXPECT_EQ(f->services[0].name, "B");
  EXPECT_EQ(f->roles, std::vector<std::string>{"csirt"});
}

TEST(Services, CustomRolesWithoutAssignmentsWarn) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", "format: 1\nroles: [ceo, csirt]\n", kb(), diags);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(diags.has_errors());
  EXPECT_EQ(where(diags, "services.raci_defaults"), std::vector<std::string>{"s.yaml:2:8"});
}

TEST(Services, SyntaxErrorIsAnError) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", "services: [\n", kb(), diags);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "yaml.syntax");
}

TEST(Services, LimitOnFileSize) {
  core::Diagnostics diags;
  ServicesLimits limits;
  limits.max_bytes = 64;
  auto f = parse_services("s.yaml", "format: 1\n# " + std::string(100, 'x') + "\n", kb(), diags, limits);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "doc.limit.size");
}

TEST(Services, LimitOnEntries) {
  core::Diagnostics diags;
  ServicesLimits limits;
  limits.max_entries = 2;
  auto f = parse_services("s.yaml",
                          "format: 1\nservices:\n  - {name: a, model: saas}\n  - {name: b, model: saas}\n"
                          "  - {name: c, model: saas}\n",
                          kb(), diags, limits);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(where(diags, "services.limit"), std::vector<std::string>{"s.yaml:5:5"});
  EXPECT_EQ(f->services.size(), 2u);
}

TEST(Services, LimitOnStringLength) {
  core::Diagnostics diags;
  ServicesLimits limits;
  limits.max_string = 8;
  auto f = parse_services("s.yaml", "format: 1\nservices:\n  - {name: a-very-long-name, model: saas}\n", kb(),
                          diags, limits);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(where(diags, "services.limit"), std::vector<std::string>{"s.yaml:3:12"});
  EXPECT_TRUE(f->services.empty());
}

TEST(Services, NotAMapIsReported) {
  core::Diagnostics diags;
  auto f = parse_services("s.yaml", "- a\n- b\n", kb(), diags);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(where(diags, "services.bad_type"), std::vector<std::string>{"s.yaml:1:1"});
  EXPECT_EQ(f->roles.size(), std::size(kDefaultRoles));
}

}  // namespace
}  // namespace sekimori::governance
