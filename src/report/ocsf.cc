// OCSF 1.1.0 Compliance Finding (class 2003), one JSON object per line
// (docs/formats/ocsf.md).
#include "core/json_writer.h"
#include "report/internal/common.h"
#include "report/report.h"

namespace sekimori::report {

namespace {

int severity_id(policy::Severity s) {
  switch (s) {
    case policy::Severity::kCritical:
      return 5;
    case policy::Severity::kHigh:
      return 4;
    case policy::Severity::kMedium:
      return 3;
    case policy::Severity::kLow:
      return 2;
    case policy::Severity::kInfo:
      return 1;
  }
  return 0;
}

const char* severity_caption(policy::Severity s) {
  switch (s) {
    case policy::Severity::kCritical:
      return "Critical";
    case policy::Severity::kHigh:
      return "High";
    case policy::Severity::kMedium:
      return "Medium";
    case policy::Severity::kLow:
      return "Low";
    case policy::Severity::kInfo:
      return "Informational";
  }
  return "Unknown";
}

}  // namespace

std::string render_ocsf(const ScanReport& r) {
  std::string out;
  write_ocsf(r, [&out](std::string_view s) { out.append(s); });
  return out;
}

void write_ocsf(const ScanReport& r, const Sink& sink) {
  std::string out;
  std::string scratch;
  if (r.result == nullptr || r.rules == nullptr) return;
  r.result->for_each_result(*r.rules, [&](const policy::Finding& f) {
    const policy::Rule& rule = *f.rule;
    const std::string& message = r.result->message_of(f, scratch);
    core::JsonWriter w;
    w.begin_object();
    w.key("activity_id");
    w.value(1);
    w.key("activity_name");
    w.value("Create");
    w.key("category_uid");
    w.value(2);
    w.key("category_name");
    w.value("Findings");
    w.key("class_uid");
    w.value(2003);
    w.key("class_name");
    w.value("Compliance Finding");
    w.key("type_uid");
    w.value(200301);
    w.key("type_name");
    w.value("Compliance Finding: Create");
    w.key("time");
    w.value(r.time_ms);
    w.key("severity_id");
    w.value(severity_id(rule.severity));
    w.key("severity");
    w.value(severity_caption(rule.severity));
    bool suppressed = f.status == policy::Status::kSuppressed;
    w.key("status_id");
    w.value(suppressed ? 3 : 1);
    w.key("status");
    w.value(suppressed ? "Suppressed" : "New");
    w.key("message");
    w.value(message.empty() ? rule.title : message);

    w.key("metadata");
    w.begin_object();
    w.key("version");
    w.value("1.1.0");
    w.key("product");
    w.begin_object();
    w.key("name");
    w.value("sekimori");
    w.key("vendor_name");
    w.value("sekimori");
    w.key("version");
    w.value(r.tool_version);
    w.end_object();
    w.key("log_name");
    w.value("posture-scan");
    w.end_object();

    w.key("finding_info");
    w.begin_object();
    w.key("uid");
    w.value(f.fingerprint);
    w.key("title");
    w.value(rule.title);
    w.key("desc");
    w.value(rule.description);
    w.key("types");
    w.begin_array();
    w.value("Posture");
    w.end_array();
    w.end_object();

    w.key("compliance");
    w.begin_object();
    w.key("control");
    w.value(rule.id);
    w.key("standards");
    w.begin_array();
    if (!rule.ccm.empty()) w.value("CSA CCM v4");
    if (!rule.cis_aws.empty()) w.value("CIS AWS Foundations Benchmark v7.0.0");
    if (!rule.threats.empty()) w.value("CSA Top Threats to Cloud Computing: Egregious Eleven");
    if (rule.ccm.empty() && rule.cis_aws.empty() && rule.threats.empty()) w.value("sekimori");
    w.end_array();
    w.key("requirements");
    w.begin_array();
    for (const std::string& c : rule.ccm) w.value("CCM " + c);
    for (const std::string& c : rule.cis_aws) w.value("CIS AWS " + c);
    for (const std::string& t : rule.threats) w.value("Top Threats " + t);
    w.end_array();
    policy::Status effective = suppressed && f.suppression() ? f.suppression()->original : f.status;
    int cs = effective == policy::Status::kPass ? 1 : effective == policy::Status::kFail ? 3 : 2;
    w.key("status_id");
    w.value(cs);
    w.key("status");
    w.value(cs == 1 ? "Pass" : cs == 3 ? "Fail" : "Warning");
    if (!f.detail().empty()) {
      w.key("status_detail");
      w.value(f.detail());
    }
    w.end_object();

    w.key("remediation");
    w.begin_object();
    w.key("desc");
    w.value(rule.remediation.empty() ? rule.title : rule.remediation);
    w.end_object();

    w.key("resource");
    w.begin_object();
    w.key("uid");
    const policy::ScannedResource& res = r.result->resource_of(f);
    w.value(res.id);
    w.key("type");
    w.value(res.type);
    w.key("data");
    w.begin_object();
    w.key("source_type");
    w.value(res.source_type);
    w.key("format");
    w.value(model::format_name(res.format));
    const core::LocationView loc = r.result->location_of(f);
    w.key("file");
    w.value(relative_path(loc.file, r.scan_root));
    w.key("line");
    w.value(static_cast<uint64_t>(internal::start_line(*r.result, f)));
    if (!f.attribute.empty()) {
      w.key("attribute");
      w.value(f.attribute);
    }
    w.end_object();
    w.end_object();

    w.key("unmapped");
    w.begin_object();
    w.key("sekimori_status");
    w.value(policy::status_name(f.status));
    w.key("rule_pack_version");
    w.value(r.rule_pack_version);
    if (f.suppression()) {
      w.key("suppression_reason");
      w.value(f.suppression()->reason);
    }
    w.end_object();
    w.end_object();
    out += w.take();
    out += '\n';
    if (out.size() >= kSinkChunk) {
      sink(out);
      out.clear();
    }
  });
  if (!out.empty()) sink(out);
}

}  // namespace sekimori::report
