// `# sekimori:ignore` comments in YAML inputs attach to the resource they annotate.
#include <gtest/gtest.h>

#include "model/estate.h"
#include "test_util.h"

namespace sekimori::model {
namespace {

using testing::find_resource;
using testing::load;

constexpr const char* kTemplate = R"(Resources:
  # sekimori:ignore SKM-AWS-S3-001 reason="archive, versioning not wanted" until=2030-01-01
  # sekimori:ignore SKM-AWS-S3-004 reason="second comment for the same bucket"
  Archive:
    Type: AWS::S3::Bucket
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs   # sekimori:ignore * reason="inside the block"
  Plain:  # sekimori:ignore SKM-AWS-S3-002 reason="on the logical ID line"
    Type: AWS::S3::Bucket
  Untouched:
    Type: AWS::S3::Bucket
)";

TEST(CommentSuppression, AboveOnAndInsideTheBlock) {
  auto l = load("t.yaml", kTemplate, SourceFormat::kCloudFormation);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  const Resource* archive = find_resource(l.estate, "Archive");
  ASSERT_NE(archive, nullptr);
  ASSERT_EQ(archive->suppressions.size(), 2u);
  EXPECT_EQ(archive->suppressions[0].rule_id, "SKM-AWS-S3-001");
  EXPECT_EQ(archive->suppressions[0].reason, "archive, versioning not wanted");
  EXPECT_EQ(archive->suppressions[0].until, "2030-01-01");
  EXPECT_EQ(archive->suppressions[0].location.line, 2u);
  EXPECT_EQ(archive->suppressions[1].rule_id, "SKM-AWS-S3-004");

  const Resource* logs = find_resource(l.estate, "Logs");
  ASSERT_EQ(logs->suppressions.size(), 1u);
  EXPECT_EQ(logs->suppressions[0].rule_id, "*");
  EXPECT_EQ(logs->suppressions[0].location.line, 9u);

  const Resource* plain = find_resource(l.estate, "Plain");
  ASSERT_EQ(plain->suppressions.size(), 1u);
  EXPECT_EQ(plain->suppressions[0].rule_id, "SKM-AWS-S3-002");

  EXPECT_TRUE(find_resource(l.estate, "Untouched")->suppressions.empty());
}

TEST(CommentSuppression, KubernetesDocumentAfterSeparator) {
  auto l = load("k.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec: {containers: [{name: c, image: nginx}]}
# sekimori:ignore SKM-K8S-010 reason="debug pod"
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec: {containers: [{name: c, image: nginx}]}
)",
                SourceFormat::kKubernetes);
  ASSERT_FALSE(l.diags.has_errors()) << l.diags.to_text();
  ASSERT_EQ(l.estate.resources().size(), 2u);
  EXPECT_TRUE(l.estate.resources()[0].suppressions.empty());
  ASSERT_EQ(l.estate.resources()[1].suppressions.size(), 1u);
  EXPECT_EQ(l.estate.resources()[1].suppressions[0].reason, "debug pod");
}

TEST(CommentSuppression, NotAMarkerIsIgnored) {
  auto l = load("t.yaml", "Resources:\n  # sekimori says hi\n  B:\n    Type: AWS::S3::Bucket\n",
                SourceFormat::kCloudFormation);
  EXPECT_TRUE(find_resource(l.estate, "B")->suppressions.empty());
}

}  // namespace
}  // namespace sekimori::model
