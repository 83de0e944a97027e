// gen_estate: writes a synthetic AWS estate for the end-to-end scan benchmark
// (scripts/bench, docs/benchmarks.md).
//
//   gen_estate --format cloudformation|terraform-plan --resources N --files K --out DIR [--seed S]
//
// The estate is a deterministic mix of ten resource kinds (S3 buckets, security groups,
// EC2 instances, RDS instances, IAM roles and managed policies, Lambda functions, KMS
// keys, CloudTrail trails, SQS queues), each randomly secure or insecure, spread over K
// files. N counts canonical resources, i.e. what `sekimori scan` reports: in Terraform a
// bucket is written as aws_s3_bucket plus separate versioning, encryption and
// public-access-block resources (joined through `configuration` references) that fold
// into one. CloudFormation files are JSON templates; Terraform files are
// `terraform show -json` plans, each with one child module. Both formats draw the same
// random choices per resource, so with the same seed they describe the same estate.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  bool coin(int percent) { return static_cast<int>(next() % 100) < percent; }
  int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
};

const char* b(bool v) { return v ? "true" : "false"; }

// Appends formatted text to a string (printf's checks apply to the arguments).
__attribute__((format(printf, 2, 3))) void put(std::string& out, const char* fmt, ...) {
  char buf[4096];
  va_list args, again;
  va_start(args, fmt);
  va_copy(again, args);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  if (n >= 0 && static_cast<size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<size_t>(n));
  } else if (n >= 0) {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), fmt, again);
    out.append(big.data(), static_cast<size_t>(n));
  }
  va_end(again);
}

const char* const kPorts[] = {"22", "80", "443", "3306", "3389", "5432", "6379", "8080"};
const char* const kRuntimes[] = {"python3.12", "nodejs20.x", "python3.7", "nodejs14.x", "java21", "go1.x"};
const char* const kEngines[] = {"postgres", "mysql", "mariadb"};

// Every random choice for resource i, drawn once in a fixed order, so that the
// CloudFormation and the Terraform estates generated with the same seed are the same
// estate (and fail the same rules).
struct Spec {
  bool f[6] = {};    // per-kind switches (see draw())
  int n[2] = {};     // per-kind numbers
  int ports[4] = {};
  bool open[4] = {};
};

Spec draw(int kind, Rng& r) {
  Spec s;
  switch (kind) {
    case 0:  // bucket: versioning, KMS, block ACLs, block policy, restrict, logging; team
      s.f[0] = r.coin(60); s.f[1] = r.coin(50); s.f[2] = r.coin(80); s.f[3] = r.coin(70); s.f[4] = r.coin(80);
      s.f[5] = r.coin(50); s.n[0] = r.range(1, 40);
      break;
    case 1:  // security group: 2-4 rules, each a port and open to the world or not
      s.n[0] = r.range(2, 4);
      for (int k = 0; k < s.n[0]; ++k) {
        s.ports[k] = static_cast<int>(r.next() % 8);
        s.open[k] = r.coin(25);
      }
      break;
    case 2:  // instance: monitoring, IMDSv2 required, public IP, root volume encrypted
      s.f[0] = r.coin(50); s.f[1] = r.coin(60); s.f[2] = r.coin(30); s.f[3] = r.coin(70);
      break;
    case 3:  // database: engine; encrypted, public, multi-AZ, deletion protection; retention
      s.n[0] = static_cast<int>(r.next() % 3); s.f[0] = r.coin(70); s.f[1] = r.coin(15); s.f[2] = r.coin(50);
      s.f[3] = r.coin(50); s.n[1] = r.range(0, 14);
      break;
    case 4:  // role: EC2 (else Lambda) trust, Action "*", Resource "*"
      s.f[0] = r.coin(50); s.f[1] = r.coin(10); s.f[2] = r.coin(20);
      break;
    case 5:  // managed policy: Action "*", Resource "*"
      s.f[0] = r.coin(10); s.f[1] = r.coin(30);
      break;
    case 6:  // function: runtime; active tracing
      s.n[0] = static_cast<int>(r.next() % 6); s.f[0] = r.coin(50);
      break;
    case 7:  // key: rotation, policy open to "*"
      s.f[0] = r.coin(60); s.f[1] = r.coin(10);
      break;
    case 8:  // trail: multi-region, log validation, KMS
      s.f[0] = r.coin(50); s.f[1] = r.coin(50); s.f[2] = r.coin(40);
      break;
    default:  // queue: KMS key, SSE-SQS switched off
      s.f[0] = r.coin(40); s.f[1] = r.coin(30);
      break;
  }
  return s;
}

// ---- CloudFormation ---------------------------------------------------------------

void cfn_resource(std::string& o, int kind, long i, const Spec& s) {
  switch (kind) {
    case 0: {  // S3 bucket, everything inline
      bool kms = s.f[1];
      put(o,
          "\"Bucket%ld\":{\"Type\":\"AWS::S3::Bucket\",\"Properties\":{\"BucketName\":\"bench-%ld-bucket\","
          "\"VersioningConfiguration\":{\"Status\":\"%s\"},"
          "\"BucketEncryption\":{\"ServerSideEncryptionConfiguration\":[{\"ServerSideEncryptionByDefault\":"
          "{\"SSEAlgorithm\":\"%s\"%s}}]},"
          "\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":%s,\"BlockPublicPolicy\":%s,"
          "\"IgnorePublicAcls\":true,\"RestrictPublicBuckets\":%s}",
          i, i, s.f[0] ? "Enabled" : "Suspended", kms ? "aws:kms" : "AES256",
          kms ? ",\"KMSMasterKeyID\":\"alias/bench\"" : "", b(s.f[2]), b(s.f[3]), b(s.f[4]));
      if (s.f[5]) put(o, ",\"LoggingConfiguration\":{\"DestinationBucketName\":\"bench-logs\",\"LogFilePrefix\":\"b%ld/\"}", i);
      put(o, ",\"Tags\":[{\"Key\":\"team\",\"Value\":\"t%d\"}]}}", s.n[0]);
      break;
    }
    case 1: {  // security group with 2-4 ingress rules
      put(o,
          "\"Sg%ld\":{\"Type\":\"AWS::EC2::SecurityGroup\",\"Properties\":{\"GroupName\":\"bench-%ld-sg\","
          "\"GroupDescription\":\"bench group %ld\",\"VpcId\":\"vpc-0bench\",\"SecurityGroupIngress\":[",
          i, i, i);
      for (int k = 0; k < s.n[0]; ++k) {
        const char* port = kPorts[s.ports[k]];
        put(o, "%s{\"IpProtocol\":\"tcp\",\"FromPort\":%s,\"ToPort\":%s,\"CidrIp\":\"%s\"}", k ? "," : "", port, port,
            s.open[k] ? "0.0.0.0/0" : "10.0.0.0/8");
      }
      put(o, "],\"SecurityGroupEgress\":[{\"IpProtocol\":\"-1\",\"CidrIp\":\"0.0.0.0/0\"}]}}");
      break;
    }
    case 2:  // EC2 instance
      put(o,
          "\"Instance%ld\":{\"Type\":\"AWS::EC2::Instance\",\"Properties\":{\"ImageId\":\"ami-0bench%04ld\","
          "\"InstanceType\":\"t3.micro\",\"Monitoring\":%s,\"MetadataOptions\":{\"HttpTokens\":\"%s\"},"
          "\"NetworkInterfaces\":[{\"DeviceIndex\":\"0\",\"SubnetId\":\"subnet-0bench\",\"AssociatePublicIpAddress\":%s}],"
          "\"BlockDeviceMappings\":[{\"DeviceName\":\"/dev/xvda\",\"Ebs\":{\"VolumeSize\":20,\"Encrypted\":%s}}],"
          "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"bench-%ld\"}]}}",
          i, i % 10000, b(s.f[0]), s.f[1] ? "required" : "optional", b(s.f[2]), b(s.f[3]), i);
      break;
    case 3:  // RDS instance
      put(o,
          "\"Db%ld\":{\"Type\":\"AWS::RDS::DBInstance\",\"Properties\":{\"DBInstanceIdentifier\":\"bench-%ld-db\","
          "\"Engine\":\"%s\",\"DBInstanceClass\":\"db.t3.medium\",\"AllocatedStorage\":\"20\",\"StorageEncrypted\":%s,"
          "\"PubliclyAccessible\":%s,\"MultiAZ\":%s,\"BackupRetentionPeriod\":%d,\"DeletionProtection\":%s,"
          "\"MasterUsername\":\"bench\",\"ManageMasterUserPassword\":true}}",
          i, i, kEngines[s.n[0]], b(s.f[0]), b(s.f[1]), b(s.f[2]), s.n[1], b(s.f[3]));
      break;
    case 4:  // IAM role with an inline policy
      put(o,
          "\"Role%ld\":{\"Type\":\"AWS::IAM::Role\",\"Properties\":{\"RoleName\":\"bench-%ld-role\","
          "\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Principal\":{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]},"
          "\"Policies\":[{\"PolicyName\":\"inline\",\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":"
          "[{\"Effect\":\"Allow\",\"Action\":\"%s\",\"Resource\":\"%s\"}]}}]}}",
          i, i, s.f[0] ? "ec2.amazonaws.com" : "lambda.amazonaws.com", s.f[1] ? "*" : "s3:GetObject",
          s.f[2] ? "*" : "arn:aws:s3:::bench-data/*");
      break;
    case 5:  // customer-managed policy
      put(o,
          "\"Policy%ld\":{\"Type\":\"AWS::IAM::ManagedPolicy\",\"Properties\":{\"ManagedPolicyName\":\"bench-%ld-policy\","
          "\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"%s\",\"logs:PutLogEvents\"],"
          "\"Resource\":\"%s\"}]}}}",
          i, i, s.f[0] ? "*" : "dynamodb:GetItem", s.f[1] ? "*" : "arn:aws:dynamodb:eu-west-1:123456789012:table/bench");
      break;
    case 6:  // Lambda function
      put(o,
          "\"Function%ld\":{\"Type\":\"AWS::Lambda::Function\",\"Properties\":{\"FunctionName\":\"bench-%ld-fn\","
          "\"Runtime\":\"%s\",\"Handler\":\"index.handler\",\"Role\":\"arn:aws:iam::123456789012:role/bench\","
          "\"Code\":{\"S3Bucket\":\"bench-code\",\"S3Key\":\"fn.zip\"},\"TracingConfig\":{\"Mode\":\"%s\"},"
          "\"Environment\":{\"Variables\":{\"STAGE\":\"prod\",\"TABLE\":\"bench-%ld\"}}}}",
          i, i, kRuntimes[s.n[0]], s.f[0] ? "Active" : "PassThrough", i);
      break;
    case 7:  // KMS key
      put(o,
          "\"Key%ld\":{\"Type\":\"AWS::KMS::Key\",\"Properties\":{\"Description\":\"bench key %ld\",\"EnableKeyRotation\":%s,"
          "\"KeyPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},"
          "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}}}",
          i, i, b(s.f[0]), s.f[1] ? "*" : "arn:aws:iam::123456789012:root");
      break;
    case 8:  // CloudTrail trail
      put(o,
          "\"Trail%ld\":{\"Type\":\"AWS::CloudTrail::Trail\",\"Properties\":{\"TrailName\":\"bench-%ld-trail\","
          "\"S3BucketName\":\"bench-logs\",\"IsLogging\":true,\"IsMultiRegionTrail\":%s,\"EnableLogFileValidation\":%s%s}}",
          i, i, b(s.f[0]), b(s.f[1]), s.f[2] ? ",\"KMSKeyId\":\"alias/bench\"" : "");
      break;
    default:  // SQS queue
      put(o, "\"Queue%ld\":{\"Type\":\"AWS::SQS::Queue\",\"Properties\":{\"QueueName\":\"bench-%ld-q\"%s}}", i, i,
          s.f[0] ? ",\"KmsMasterKeyId\":\"alias/bench\"" : (s.f[1] ? ",\"SqsManagedSseEnabled\":false" : ""));
      break;
  }
}

std::string cfn_file(long first, long count, Rng& r) {
  std::string o;
  o.reserve(static_cast<size_t>(count) * 600);
  put(o, "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Description\":\"sekimori benchmark estate\",\"Resources\":{\n");
  for (long i = first; i < first + count; ++i) {
    if (i != first) o += ",\n";
    int kind = static_cast<int>(i % 10);
    cfn_resource(o, kind, i, draw(kind, r));
  }
  o += "\n}}\n";
  return o;
}

// ---- Terraform plan JSON -----------------------------------------------------------

struct TfRes {
  std::string type, name, values, refs_attr, refs_target;  // refs: configuration reference to fold through
  std::string unknown;                                     // after_unknown keys, JSON object body
};

void tf_resources(std::vector<TfRes>& out, int kind, long i, const Spec& s) {
  std::string n, v;
  put(n, "r%ld", i);
  switch (kind) {
    case 0: {
      put(v, "{\"bucket\":\"bench-%ld-bucket\",\"force_destroy\":false,\"object_lock_enabled\":false,\"tags\":{\"team\":\"t%d\"}}",
          i, s.n[0]);
      out.push_back({"aws_s3_bucket", n, v, "", "", "\"arn\":true,\"id\":true,\"bucket_domain_name\":true"});
      std::string ref = "aws_s3_bucket.";
      ref += n;
      v.clear();
      put(v, "{\"versioning_configuration\":[{\"status\":\"%s\",\"mfa_delete\":null}]}", s.f[0] ? "Enabled" : "Suspended");
      out.push_back({"aws_s3_bucket_versioning", n, v, "bucket", ref, "\"bucket\":true,\"id\":true"});
      v.clear();
      bool kms = s.f[1];
      put(v,
          "{\"rule\":[{\"apply_server_side_encryption_by_default\":[{\"sse_algorithm\":\"%s\",\"kms_master_key_id\":%s}],"
          "\"bucket_key_enabled\":null}]}",
          kms ? "aws:kms" : "AES256", kms ? "\"alias/bench\"" : "null");
      out.push_back({"aws_s3_bucket_server_side_encryption_configuration", n, v, "bucket", ref, "\"bucket\":true,\"id\":true"});
      v.clear();
      put(v,
          "{\"block_public_acls\":%s,\"block_public_policy\":%s,\"ignore_public_acls\":true,\"restrict_public_buckets\":%s}",
          b(s.f[2]), b(s.f[3]), b(s.f[4]));
      out.push_back({"aws_s3_bucket_public_access_block", n, v, "bucket", ref, "\"bucket\":true,\"id\":true"});
      if (s.f[5]) {
        v.clear();
        put(v, "{\"target_bucket\":\"bench-logs\",\"target_prefix\":\"b%ld/\",\"target_grant\":[]}", i);
        out.push_back({"aws_s3_bucket_logging", n, v, "bucket", ref, "\"bucket\":true,\"id\":true"});
      }
      return;
    }
    case 1: {
      put(v, "{\"name\":\"bench-%ld-sg\",\"description\":\"bench group %ld\",\"vpc_id\":\"vpc-0bench\",\"ingress\":[", i, i);
      for (int j = 0; j < s.n[0]; ++j) {
        const char* port = kPorts[s.ports[j]];
        put(v,
            "%s{\"cidr_blocks\":[\"%s\"],\"description\":\"\",\"from_port\":%s,\"ipv6_cidr_blocks\":[],\"prefix_list_ids\":[],"
            "\"protocol\":\"tcp\",\"security_groups\":[],\"self\":false,\"to_port\":%s}",
            j ? "," : "", s.open[j] ? "0.0.0.0/0" : "10.0.0.0/8", port, port);
      }
      v += "],\"egress\":[{\"cidr_blocks\":[\"0.0.0.0/0\"],\"description\":\"\",\"from_port\":0,\"ipv6_cidr_blocks\":[],"
           "\"prefix_list_ids\":[],\"protocol\":\"-1\",\"security_groups\":[],\"self\":false,\"to_port\":0}],"
           "\"revoke_rules_on_delete\":false,\"tags\":null}";
      out.push_back({"aws_security_group", n, v, "", "", "\"arn\":true,\"id\":true,\"owner_id\":true"});
      return;
    }
    case 2:
      put(v,
          "{\"ami\":\"ami-0bench%04ld\",\"instance_type\":\"t3.micro\",\"monitoring\":%s,\"associate_public_ip_address\":%s,"
          "\"subnet_id\":\"subnet-0bench\",\"metadata_options\":[{\"http_endpoint\":\"enabled\",\"http_tokens\":\"%s\","
          "\"http_put_response_hop_limit\":1}],\"root_block_device\":[{\"encrypted\":%s,\"volume_size\":20,\"volume_type\":\"gp3\"}],"
          "\"tags\":{\"Name\":\"bench-%ld\"},\"user_data\":null}",
          i % 10000, b(s.f[0]), b(s.f[2]), s.f[1] ? "required" : "optional", b(s.f[3]), i);
      out.push_back({"aws_instance", n, v, "", "", "\"arn\":true,\"id\":true,\"private_ip\":true,\"public_ip\":true"});
      return;
    case 3:
      put(v,
          "{\"identifier\":\"bench-%ld-db\",\"engine\":\"%s\",\"instance_class\":\"db.t3.medium\",\"allocated_storage\":20,"
          "\"storage_encrypted\":%s,\"publicly_accessible\":%s,\"multi_az\":%s,\"backup_retention_period\":%d,"
          "\"deletion_protection\":%s,\"username\":\"bench\",\"manage_master_user_password\":true,"
          "\"auto_minor_version_upgrade\":true,\"iam_database_authentication_enabled\":false}",
          i, kEngines[s.n[0]], b(s.f[0]), b(s.f[1]), b(s.f[2]), s.n[1], b(s.f[3]));
      out.push_back({"aws_db_instance", n, v, "", "", "\"address\":true,\"arn\":true,\"endpoint\":true,\"id\":true"});
      return;
    case 4:
      put(v,
          "{\"name\":\"bench-%ld-role\",\"path\":\"/\",\"max_session_duration\":3600,\"assume_role_policy\":"
          "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":"
          "{\\\"Service\\\":\\\"%s\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\","
          "\"inline_policy\":[{\"name\":\"inline\",\"policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":"
          "[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"%s\\\",\\\"Resource\\\":\\\"%s\\\"}]}\"}]}",
          i, s.f[0] ? "ec2.amazonaws.com" : "lambda.amazonaws.com", s.f[1] ? "*" : "s3:GetObject",
          s.f[2] ? "*" : "arn:aws:s3:::bench-data/*");
      out.push_back({"aws_iam_role", n, v, "", "", "\"arn\":true,\"id\":true,\"managed_policy_arns\":true,\"unique_id\":true"});
      return;
    case 5:
      put(v,
          "{\"name\":\"bench-%ld-policy\",\"path\":\"/\",\"policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":"
          "[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":[\\\"%s\\\",\\\"logs:PutLogEvents\\\"],\\\"Resource\\\":\\\"%s\\\"}]}\"}",
          i, s.f[0] ? "*" : "dynamodb:GetItem", s.f[1] ? "*" : "arn:aws:dynamodb:eu-west-1:123456789012:table/bench");
      out.push_back({"aws_iam_policy", n, v, "", "", "\"arn\":true,\"id\":true,\"policy_id\":true"});
      return;
    case 6:
      put(v,
          "{\"function_name\":\"bench-%ld-fn\",\"runtime\":\"%s\",\"handler\":\"index.handler\","
          "\"role\":\"arn:aws:iam::123456789012:role/bench\",\"s3_bucket\":\"bench-code\",\"s3_key\":\"fn.zip\","
          "\"tracing_config\":[{\"mode\":\"%s\"}],\"environment\":[{\"variables\":{\"STAGE\":\"prod\",\"TABLE\":\"bench-%ld\"}}]}",
          i, kRuntimes[s.n[0]], s.f[0] ? "Active" : "PassThrough", i);
      out.push_back({"aws_lambda_function", n, v, "", "", "\"arn\":true,\"id\":true,\"invoke_arn\":true,\"version\":true"});
      return;
    case 7:
      put(v,
          "{\"description\":\"bench key %ld\",\"enable_key_rotation\":%s,\"key_usage\":\"ENCRYPT_DECRYPT\",\"is_enabled\":true,"
          "\"policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":"
          "{\\\"AWS\\\":\\\"%s\\\"},\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}",
          i, b(s.f[0]), s.f[1] ? "*" : "arn:aws:iam::123456789012:root");
      out.push_back({"aws_kms_key", n, v, "", "", "\"arn\":true,\"id\":true,\"key_id\":true"});
      return;
    case 8:
      put(v,
          "{\"name\":\"bench-%ld-trail\",\"s3_bucket_name\":\"bench-logs\",\"enable_logging\":true,\"is_multi_region_trail\":%s,"
          "\"enable_log_file_validation\":%s,\"include_global_service_events\":true,\"kms_key_id\":%s}",
          i, b(s.f[0]), b(s.f[1]), s.f[2] ? "\"alias/bench\"" : "null");
      out.push_back({"aws_cloudtrail", n, v, "", "", "\"arn\":true,\"home_region\":true,\"id\":true"});
      return;
    default:
      put(v, "{\"name\":\"bench-%ld-q\",\"kms_master_key_id\":%s,\"sqs_managed_sse_enabled\":%s}", i,
          s.f[0] ? "\"alias/bench\"" : "null", b(!s.f[0] && !s.f[1]));
      out.push_back({"aws_sqs_queue", n, v, "", "", "\"arn\":true,\"id\":true,\"url\":true"});
      return;
  }
}

void tf_planned(std::string& o, const std::vector<TfRes>& rs, const std::string& prefix) {
  for (size_t k = 0; k < rs.size(); ++k) {
    const TfRes& t = rs[k];
    put(o, "%s{\"address\":\"%s%s.%s\",\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"%s\",", k ? ",\n" : "",
        prefix.c_str(), t.type.c_str(), t.name.c_str(), t.type.c_str(), t.name.c_str());
    o += "\"provider_name\":\"registry.terraform.io/hashicorp/aws\",\"schema_version\":0,\"values\":";
    o += t.values;
    o += ",\"sensitive_values\":{}}";
  }
}

void tf_changes(std::string& o, const std::vector<TfRes>& rs, const std::string& prefix, bool first) {
  for (size_t k = 0; k < rs.size(); ++k) {
    const TfRes& t = rs[k];
    put(o, "%s{\"address\":\"%s%s.%s\",", (first && k == 0) ? "" : ",\n", prefix.c_str(), t.type.c_str(), t.name.c_str());
    if (!prefix.empty()) put(o, "\"module_address\":\"%s\",", prefix.substr(0, prefix.size() - 1).c_str());
    put(o,
        "\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"%s\",\"provider_name\":\"registry.terraform.io/hashicorp/aws\","
        "\"change\":{\"actions\":[\"create\"],\"before\":null,\"after\":",
        t.type.c_str(), t.name.c_str());
    o += t.values;
    o += ",\"after_unknown\":{";
    o += t.unknown;
    o += "},\"before_sensitive\":false,\"after_sensitive\":{}}}";
  }
}

void tf_config(std::string& o, const std::vector<TfRes>& rs) {
  for (size_t k = 0; k < rs.size(); ++k) {
    const TfRes& t = rs[k];
    put(o, "%s{\"address\":\"%s.%s\",\"mode\":\"managed\",\"type\":\"%s\",\"name\":\"%s\",\"provider_config_key\":\"aws\",",
        k ? ",\n" : "", t.type.c_str(), t.name.c_str(), t.type.c_str(), t.name.c_str());
    if (!t.refs_attr.empty()) {
      put(o, "\"expressions\":{\"%s\":{\"references\":[\"%s.id\",\"%s\"]}},", t.refs_attr.c_str(), t.refs_target.c_str(),
          t.refs_target.c_str());
    } else {
      o += "\"expressions\":{},";
    }
    o += "\"schema_version\":0}";
  }
}

std::string tf_file(long first, long count, Rng& r) {
  // Nine tenths in the root module, the rest in module.app.
  std::vector<TfRes> root, child;
  long split = first + count - count / 10;
  for (long i = first; i < first + count; ++i) {
    int kind = static_cast<int>(i % 10);
    tf_resources(i < split ? root : child, kind, i, draw(kind, r));
  }
  std::string o;
  o.reserve(static_cast<size_t>(count) * 1800);
  o += "{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",\"planned_values\":{\"root_module\":{\"resources\":[\n";
  tf_planned(o, root, "");
  o += "],\"child_modules\":[{\"address\":\"module.app\",\"resources\":[\n";
  tf_planned(o, child, "module.app.");
  o += "]}]}},\n\"resource_changes\":[\n";
  tf_changes(o, root, "", true);
  tf_changes(o, child, "module.app.", root.empty());
  o += "],\n\"configuration\":{\"provider_config\":{\"aws\":{\"name\":\"aws\",\"full_name\":\"registry.terraform.io/hashicorp/aws\"}},"
       "\"root_module\":{\"resources\":[\n";
  tf_config(o, root);
  o += "],\"module_calls\":{\"app\":{\"source\":\"./modules/app\",\"module\":{\"resources\":[\n";
  tf_config(o, child);
  o += "]}}}}},\"timestamp\":\"2026-11-20T09:14:03Z\",\"applyable\":true,\"complete\":true,\"errored\":false}\n";
  return o;
}

int usage() {
  std::fprintf(stderr,
               "usage: gen_estate --format cloudformation|terraform-plan --resources N --files K --out DIR [--seed S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string format, out_dir;
  long resources = 100000, files = 20;
  uint64_t seed = 0x5eC1307157ULL;
  for (int a = 1; a < argc; ++a) {
    std::string k = argv[a];
    if (a + 1 >= argc) return usage();
    std::string v = argv[++a];
    if (k == "--format") format = v;
    else if (k == "--resources") resources = std::atol(v.c_str());
    else if (k == "--files") files = std::atol(v.c_str());
    else if (k == "--out") out_dir = v;
    else if (k == "--seed") seed = std::strtoull(v.c_str(), nullptr, 0);
    else return usage();
  }
  if ((format != "cloudformation" && format != "terraform-plan") || out_dir.empty() || resources <= 0 || files <= 0 ||
      files > resources)
    return usage();
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  Rng r{seed | 1};
  long per = resources / files, extra = resources % files, next = 0;
  size_t bytes = 0;
  for (long f = 0; f < files; ++f) {
    long count = per + (f < extra ? 1 : 0);
    std::string text = format == "cloudformation" ? cfn_file(next, count, r) : tf_file(next, count, r);
    next += count;
    char name[64];
    std::snprintf(name, sizeof name, format == "cloudformation" ? "/estate-%03ld.json" : "/plan-%03ld.json", f);
    std::string path = out_dir + name;
    FILE* fp = std::fopen(path.c_str(), "wb");
    if (!fp || std::fwrite(text.data(), 1, text.size(), fp) != text.size() || std::fclose(fp) != 0) {
      std::fprintf(stderr, "gen_estate: cannot write %s\n", path.c_str());
      return 1;
    }
    bytes += text.size();
  }
  std::printf("gen_estate: %ld %s resources in %ld files under %s (%zu bytes)\n", resources, format.c_str(), files,
              out_dir.c_str(), bytes);
  return 0;
}
