// CloudFormation adapter: intrinsic functions, conditions, parameters, limits.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.h"

namespace sekimori::model {
namespace {

using namespace testing;

Loaded cfn(const std::string& text, LoadOptions o = {}) {
  return load("t.yaml", text, SourceFormat::kCloudFormation, std::move(o));
}

const std::string kTemplate = R"(
Parameters:
  Env: {Type: String, Default: prod}
  Name: {Type: String}
  Cidrs: {Type: CommaDelimitedList, Default: "10.0.0.0/8, 0.0.0.0/0"}
Mappings:
  Sizes: {prod: {Versioning: Enabled}, dev: {Versioning: Suspended}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: {"Fn::Not": [{Condition: IsProd}]}
  Both: !And [!Condition IsProd, !Or [!Condition IsDev, !Equals [a, a]]]
  Unknowable: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Env}-logs-${!Literal}"
      AccessControl: !If [IsProd, Private, PublicRead]
      VersioningConfiguration:
        Status: !FindInMap [Sizes, !Ref Env, Versioning]
      LoggingConfiguration:
        DestinationBucketName: !Join ["-", [!Ref Env, !Select [1, !Split [",", "a,b,c"]]]]
        LogFilePrefix: !Ref Name
      Tags:
        - {Key: env, Value: !Ref Env}
        - {Key: region, Value: !Ref "AWS::Region"}
        - {Key: gone, Value: !If [IsDev, x, !Ref "AWS::NoValue"]}
  Dev:
    Type: AWS::S3::Bucket
    Condition: IsDev
  Maybe:
    Type: AWS::S3::Bucket
    Condition: Unknowable
    Properties:
      BucketName: {"Fn::Sub": ["${A}-${B}", {A: x, B: {"Fn::ImportValue": shared}}]}
      VersioningConfiguration: {Status: {"Fn::If": [Unknowable, Enabled, Suspended]}}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: "22", ToPort: 22, CidrIp: !Select [1, !Ref Cidrs]}
        - {IpProtocol: "-1", CidrIpv6: "::/0"}
  SgRule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Sg.GroupId
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIp: 0.0.0.0/0
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://example.com/t.yaml}
)";

TEST(Cfn, IntrinsicsResolveStatically) {
  auto l = cfn(kTemplate);
  const Resource* b = find_resource(l.estate, "B");
  ASSERT_NE(b, nullptr) << l.diags.to_text();
  EXPECT_EQ(str(at(*b, {"bucket"})), "prod-logs-${Literal}");              // Fn::Sub, ${!x}
  EXPECT_EQ(str(at(*b, {"acl"})), "private");                               // Fn::If + kebab
  EXPECT_TRUE(is_true(at(*b, {"versioning", "enabled"})));                  // Fn::FindInMap
  EXPECT_EQ(str(at(*b, {"logging", "target_bucket"})), "prod-b");           // Join/Select/Split
  EXPECT_TRUE(is_unknown(at(*b, {"logging", "target_prefix"})));            // no default
  EXPECT_EQ(str(at(*b, {"tags", "env"})), "prod");
  EXPECT_TRUE(is_unknown(at(*b, {"tags", "region"})));                      // pseudo parameter
  EXPECT_EQ(at(*b, {"tags", "gone"}), nullptr);                             // AWS::NoValue
}

TEST(Cfn, ParametersAndPseudoParametersCanBeGiven) {
  LoadOptions o;
  o.cfn_parameters = {{"Env", "dev"}, {"Name", "p/"}, {"AWS::Region", "eu-west-1"}};
  auto l = cfn(kTemplate, o);
  const Resource* b = find_resource(l.estate, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(str(at(*b, {"acl"})), "public-read");
  EXPECT_TRUE(is_false(at(*b, {"versioning", "enabled"})));
  EXPECT_EQ(str(at(*b, {"logging", "target_prefix"})), "p/");
  EXPECT_EQ(str(at(*b, {"tags", "region"})), "eu-west-1");
  EXPECT_NE(find_resource(l.estate, "Dev"), nullptr) << "condition IsDev now holds";
  const Resource* m = find_resource(l.estate, "Maybe");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(is_true(at(*m, {"versioning", "enabled"})));
}

TEST(Cfn, ConditionsDecideResourcesAndUnknownStaysUnknown) {
  auto l = cfn(kTemplate);
  EXPECT_EQ(find_resource(l.estate, "Dev"), nullptr) << "condition IsDev is false";
  const Resource* m = find_resource(l.estate, "Maybe");
  ASSERT_NE(m, nullptr) << "an unknown condition may hold";
  EXPECT_TRUE(is_unknown(at(*m, {"bucket"})));                 // Fn::ImportValue inside Fn::Sub
  EXPECT_TRUE(is_unknown(at(*m, {"versioning", "enabled"})));  // Fn::If on an unknown condition
}

// Fn::Sub and Fn::Join with unknown parts: an unknown string that keeps its known text
// (formats::Node::unknown_shape, a NUL where the unknown goes), so rules can tell that
// `arn:aws:iam::${AWS::AccountId}:root` is not "*".
TEST(Cfn, UnknownStringsKeepTheirKnownParts) {
  const std::string text = R"(
Parameters:
  Port: {Type: String}
  Suffix: {Type: String}
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal:
              AWS:
                - !Sub "arn:aws:iam::${AWS::AccountId}:root"
                - !Join ["", ["arn:aws:iam::", !Ref "AWS::AccountId", ":role/", !GetAtt R.Name]]
                - !Sub "${AWS::Region}${AWS::AccountId}"
                - !Sub ["${A}-${B}", {A: x, B: !ImportValue shared}]
                - !Sub "arn:aws:iam::${Suffix}:root\0"
                - !Sub "arn:aws:iam::123456789012:root"
                - !GetAtt Fn.Arn
                - !Sub "${Fn.Arn}/x"
                - !GetAtt Custom.ThingArn
  Fn:
    Type: AWS::Lambda::Function
  Custom:
    Type: Custom::Thing
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-logs"
      VersioningConfiguration:
        Status: !Sub "Enabl${Suffix}"
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !Sub "${Port}", ToPort: 22, CidrIp: 0.0.0.0/0}
  Q:
    Type: AWS::SQS::Queue
  QPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Q]
      PolicyDocument: !Sub '{"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"}, "Resource": "${Q.Arn}"}]}'
)";
  auto l = cfn(text);
  const Resource* k = find_resource(l.estate, "K");
  ASSERT_NE(k, nullptr) << l.diags.to_text();
  const formats::Node* policy = at(*k, {"policy"});
  ASSERT_NE(policy, nullptr);
  const formats::Node* aws = policy->find("Statement")->items()[0].find_path({"Principal", "AWS"});
  ASSERT_NE(aws, nullptr);
  ASSERT_EQ(aws->size(), 9u);
  auto shape = [&](size_t i) { return std::string(aws->items()[i].unknown_shape()); };
  using std::string_literals::operator""s;
  // a pseudo parameter is made of word characters (\x01); anything else may hold any (\0)
  EXPECT_EQ(shape(0), "arn:aws:iam::\x01:root"s);
  EXPECT_EQ(shape(1), "arn:aws:iam::\x01:role/\0"s);
  EXPECT_EQ(shape(2), "\x01"s) << "holes next to each other are one";
  EXPECT_EQ(shape(3), "x-\0"s);
  EXPECT_TRUE(is_unknown(&aws->items()[4]));
  EXPECT_EQ(shape(4), "") << "a NUL in the text itself: no shape";
  EXPECT_EQ(str(&aws->items()[5]), "arn:aws:iam::123456789012:root");
  EXPECT_EQ(shape(6), "arn:\0"s) << "an ...Arn attribute of an AWS resource is an ARN";
  EXPECT_EQ(shape(7), "arn:\0/x"s);
  EXPECT_EQ(shape(8), "") << "a custom resource's attributes can be anything";
  EXPECT_TRUE(is_unknown(&aws->items()[8]));
  const Resource* b = find_resource(l.estate, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(std::string(at(*b, {"bucket"})->unknown_shape()), "\x01-logs"s);
  // made from an unknown string, not the string itself: no shape
  const formats::Node* enabled = at(*b, {"versioning", "enabled"});
  ASSERT_NE(enabled, nullptr);
  EXPECT_TRUE(is_unknown(enabled));
  EXPECT_EQ(enabled->unknown_shape(), "");
  const Resource* sg = find_resource(l.estate, "Sg");
  ASSERT_NE(sg, nullptr);
  const formats::Node* port = at(*sg, {"ingress"})->items()[0].find("from_port");
  ASSERT_NE(port, nullptr);
  EXPECT_TRUE(is_unknown(port));
  EXPECT_EQ(port->unknown_shape(), "") << "an int attribute";
  // JSON text built by Fn::Sub: decoded, the holes inside its strings
  const Resource* q = find_resource(l.estate, "Q");
  ASSERT_NE(q, nullptr);
  const formats::Node* qp = at(*q, {"policy"});
  ASSERT_NE(qp, nullptr);
  ASSERT_EQ(qp->kind(), formats::NodeKind::kMap);
  const formats::Node& st = qp->find("Statement")->items()[0];
  EXPECT_EQ(std::string(st.find_path({"Principal", "AWS"})->unknown_shape()), "arn:aws:iam::\x01:root"s);
  EXPECT_EQ(std::string(st.find("Resource")->unknown_shape()), "arn:\0"s);
}

TEST(Cfn, SecurityGroupRulesAreNormalisedAndFolded) {
  auto l = cfn(kTemplate);
  const Resource* sg = find_resource(l.estate, "Sg");
  ASSERT_NE(sg, nullptr);
  EXPECT_EQ(find_resource(l.estate, "SgRule"), nullptr) << "folded into Sg";
  const formats::Node* in = at(*sg, {"ingress"});
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->size(), 3u);
  const formats::Node& r0 = in->items()[0];
  EXPECT_EQ(r0.find("from_port")->kind(), formats::NodeKind::kInt);
  EXPECT_EQ(r0.find("from_port")->as_int(), 22);
  EXPECT_EQ(str(&r0.find("cidr_blocks")->items()[0]), "0.0.0.0/0");  // Select over a list parameter
  const formats::Node& r1 = in->items()[1];
  EXPECT_EQ(str(r1.find("protocol")), "-1");
  EXPECT_EQ(r1.find("to_port")->as_int(), 65535);
  EXPECT_EQ(str(&r1.find("ipv6_cidr_blocks")->items()[0]), "::/0");
  const formats::Node& r2 = in->items()[2];
  EXPECT_EQ(r2.find("from_port")->as_int(), 443);
  size_t off = kTemplate.find("FromPort: 443");
  uint32_t line = 1 + static_cast<uint32_t>(std::count(kTemplate.begin(), kTemplate.begin() + static_cast<long>(off), '\n'));
  EXPECT_EQ(r2.find("from_port")->pos().line, line) << "the folded rule points at its own resource";
}

TEST(Cfn, NestedStackIsANote) {
  auto l = cfn(kTemplate);
  bool noted = false;
  for (const auto& d : l.diags.items()) noted = noted || (d.code == "cfn.nested_stack" && d.severity == core::Severity::kNote);
  EXPECT_TRUE(noted) << codes(l.diags);
  const Resource* c = find_resource(l.estate, "Child");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->type, "AWS::CloudFormation::Stack");
}

TEST(Cfn, LongFormIntrinsicsInJson) {
  auto l = load("t.json", R"({"Parameters": {"P": {"Type": "String", "Default": "Enabled"}},
    "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
      "VersioningConfiguration": {"Status": {"Ref": "P"}},
      "BucketName": {"Fn::Join": ["", ["a", {"Fn::GetAtt": ["X", "Arn"]}]]}}}}})",
                std::nullopt);
  ASSERT_EQ(l.estate.resources().size(), 1u);
  const Resource& b = l.estate.resources()[0];
  EXPECT_TRUE(is_true(at(b, {"versioning", "enabled"})));
  EXPECT_TRUE(is_unknown(at(b, {"bucket"})));
  EXPECT_NE(codes(l.diags).find("cfn.unresolved_ref"), std::string::npos);
}

TEST(Cfn, UnresolvedRefIsLocatedWarning) {
  auto l = cfn("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nope\n");
  ASSERT_EQ(l.diags.items().size(), 1u);
  const auto& d = l.diags.items()[0];
  EXPECT_EQ(d.code, "cfn.unresolved_ref");
  EXPECT_EQ(d.location.line, 5u);
  EXPECT_TRUE(is_unknown(at(l.estate.resources()[0], {"bucket"})));
}

TEST(CfnLimits, IntrinsicNestingDepth) {
  std::string v = "x";
  for (int i = 0; i < 70; ++i) v = "{\"Fn::Join\": [\"\", [" + v + "]]}";
  v.replace(v.find("[x]"), 3, "[\"x\"]");
  auto l = load("t.json", "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": " + v + "}}}}",
                SourceFormat::kCloudFormation);
  EXPECT_NE(codes(l.diags).find("cfn.limit.depth"), std::string::npos) << codes(l.diags);
  ASSERT_EQ(l.estate.resources().size(), 1u);
  EXPECT_TRUE(is_unknown(at(l.estate.resources()[0], {"bucket"})));
}

TEST(CfnLimits, SubExpansionSize) {
  // A parameter of 64 KiB substituted 32 times exceeds the 1 MiB limit.
  std::string big(64 * 1024, 'a');
  std::string sub;
  for (int i = 0; i < 32; ++i) sub += "${P}";
  auto l = cfn("Parameters:\n  P: {Type: String, Default: " + big + "}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
               "    Properties:\n      BucketName: !Sub \"" + sub + "\"\n");
  EXPECT_NE(codes(l.diags).find("cfn.limit.sub"), std::string::npos) << codes(l.diags);
  EXPECT_TRUE(is_unknown(at(l.estate.resources()[0], {"bucket"})));
}

TEST(CfnLimits, ConditionCycleIsReportedNotLooped) {
  auto l = cfn("Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  X:\n"
               "    Type: AWS::S3::Bucket\n    Condition: A\n");
  EXPECT_NE(codes(l.diags).find("cfn.condition_cycle"), std::string::npos) << codes(l.diags);
  EXPECT_EQ(l.estate.resources().size(), 1u);
}

TEST(Cfn, IamPoliciesFoldIntoRolesUsersAndGroups) {
  auto l = cfn(R"(
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}]}
      Policies: [{PolicyName: inline, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  U:
    Type: AWS::IAM::User
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: shared
      PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
      Roles: [!Ref R]
      Users: [!Ref U]
)");
  const Resource* r = find_resource(l.estate, "R");
  const Resource* u = find_resource(l.estate, "U");
  ASSERT_TRUE(r && u);
  EXPECT_EQ(find_resource(l.estate, "P"), nullptr);
  const formats::Node* ip = at(*r, {"inline_policies"});
  ASSERT_NE(ip, nullptr);
  ASSERT_EQ(ip->size(), 2u);
  EXPECT_EQ(str(ip->items()[1].find("name")), "shared");
  const formats::Node* trust = at(*r, {"assume_role_policy", "Statement"});
  ASSERT_NE(trust, nullptr) << l.diags.to_text();
  EXPECT_EQ(str(trust->items()[0].find("Effect")), "Allow");
  ASSERT_NE(at(*u, {"inline_policies"}), nullptr);
  EXPECT_EQ(at(*u, {"inline_policies"})->size(), 1u);
}

}  // namespace
}  // namespace sekimori::model
