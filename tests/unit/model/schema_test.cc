#include <gtest/gtest.h>

#include "model/estate.h"
#include "model/internal/schema.h"

namespace sekimori::model {
namespace {

TEST(Schema, BundledDataCompilesWithoutProblems) {
  const internal::Schema& s = internal::schema();
  EXPECT_TRUE(s.problems().empty()) << s.problems().to_text();
  EXPECT_NE(s.type("aws_s3_bucket"), nullptr);
}

// The bundled files are rebuilt from build-time snapshots (formats/snapshot.h), not parsed.
TEST(Schema, BundledFilesComeFromSnapshots) {
  const internal::Schema& s = internal::schema();
  EXPECT_GE(s.files(), 6u);
  EXPECT_EQ(s.files_from_snapshots(), s.files());
  EXPECT_EQ(internal::schema_snapshots().size(), s.files());
}

TEST(Schema, TypeGroupsExpand) {
  EXPECT_TRUE(is_known_type("aws_s3_bucket"));
  EXPECT_FALSE(is_known_type("aws_no_such_thing"));
  EXPECT_EQ(expand_type("aws_s3_bucket"), std::vector<std::string>{"aws_s3_bucket"});
}

TEST(Schema, ExpressionParser) {
  internal::Expr e;
  std::string err;
  ASSERT_TRUE(internal::parse_expr("a.b[0].c || d[].e | eq Enabled | not", e, err)) << err;
  ASSERT_EQ(e.alts.size(), 2u);
  EXPECT_EQ(e.alts[0].path.size(), 4u);
  EXPECT_EQ(e.fns.size(), 2u);
  internal::Expr bad;
  EXPECT_FALSE(internal::parse_expr("a | nosuchfn", bad, err));
  internal::Expr bad2;
  EXPECT_FALSE(internal::parse_expr("a[x]", bad2, err));
}

TEST(Schema, FormatNamesRoundTrip) {
  for (SourceFormat f : {SourceFormat::kCloudFormation, SourceFormat::kTerraformPlan, SourceFormat::kAwsConfig,
                         SourceFormat::kKubernetes, SourceFormat::kTerraformHcl}) {
    EXPECT_EQ(format_by_name(format_name(f)), f);
  }
  EXPECT_EQ(format_by_name("nope"), std::nullopt);
}

}  // namespace
}  // namespace sekimori::model
