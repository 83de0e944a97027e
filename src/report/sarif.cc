// SARIF 2.1.0 (docs/formats/sarif.md): failing and suppressed results, one rule
// descriptor per rule in the set, GitHub code scanning's required properties.
#include <map>

#include "core/json_writer.h"
#include "report/internal/common.h"
#include "report/report.h"

namespace sekimori::report {

namespace {

using core::JsonWriter;

const char* level(policy::Severity s) {
  switch (s) {
    case policy::Severity::kCritical:
    case policy::Severity::kHigh:
      return "error";
    case policy::Severity::kMedium:
      return "warning";
    default:
      return "note";
  }
}

// Percent-encodes what may not appear in a relative URI reference (keeps '/').
std::string uri_encode(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string root_uri(std::string_view root) {
  std::string u = "file://" + uri_encode(root);
  if (u.back() != '/') u += '/';
  return u;
}

// "public access block incomplete" -> "PublicAccessBlockIncomplete" (SARIF rule name).
std::string pascal(std::string_view title) {
  std::string out;
  bool up = true;
  for (char c : title) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    up = false;
  }
  return out.substr(0, 255);
}

std::string truncate(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return std::string(s.substr(0, n)) + "...";
}

std::string help_markdown(const policy::Rule& rule) {
  std::string md = "**" + rule.title + "**\n\n" + rule.description + "\n\n**Remediation**\n\n" + rule.remediation;
  for (const auto& [fmt, snippet] : rule.fix) {
    std::string lang = fmt == "terraform" ? "hcl" : "yaml";
    md += "\n\n" + fmt + ":\n\n```" + lang + "\n" + snippet + (snippet.ends_with('\n') ? "" : "\n") + "```";
  }
  std::string refs;
  if (!rule.threats.empty()) {
    refs += "\n- CSA Top Threats:";
    for (const std::string& t : rule.threats) refs += " " + t;
  }
  if (!rule.ccm.empty()) {
    refs += "\n- CSA CCM v4:";
    for (const std::string& c : rule.ccm) refs += " " + c;
  }
  if (!rule.cis_aws.empty()) {
    refs += "\n- CIS AWS Foundations v7.0.0:";
    for (const std::string& c : rule.cis_aws) refs += " " + c;
  }
  if (!refs.empty()) md += "\n\n**Mappings**\n" + refs;
  return md;
}

}  // namespace

std::string render_sarif(const ScanReport& r) {
  std::string out;
  write_sarif(r, [&out](std::string_view s) { out.append(s); });
  return out;
}

void write_sarif(const ScanReport& r, const Sink& sink) {
  JsonWriter w(2);
  w.set_sink(sink);
  w.begin_object();
  w.key("$schema");
  w.value("https://json.schemastore.org/sarif-2.1.0.json");
  w.key("version");
  w.value("2.1.0");
  w.key("runs");
  w.begin_array();
  w.begin_object();

  w.key("tool");
  w.begin_object();
  w.key("driver");
  w.begin_object();
  w.key("name");
  w.value("sekimori");
  w.key("version");
  w.value(r.tool_version);
  w.key("semanticVersion");
  w.value(r.tool_version);
  w.key("rules");
  w.begin_array();
  std::map<const policy::Rule*, size_t> index;
  if (r.rules) {
    for (const policy::Rule& rule : r.rules->rules()) {
      index[&rule] = index.size();
      w.begin_object();
      w.key("id");
      w.value(rule.id);
      w.key("name");
      w.value(pascal(rule.title));
      w.key("shortDescription");
      w.begin_object();
      w.key("text");
      w.value(truncate(rule.title, 1024));
      w.end_object();
      w.key("fullDescription");
      w.begin_object();
      w.key("text");
      w.value(truncate(rule.description.empty() ? rule.title : rule.description, 1024));
      w.end_object();
      w.key("help");
      w.begin_object();
      w.key("text");
      w.value(rule.remediation.empty() ? rule.title : rule.remediation);
      w.key("markdown");
      w.value(help_markdown(rule));
      w.end_object();
      w.key("defaultConfiguration");
      w.begin_object();
      w.key("level");
      w.value(level(rule.severity));
      w.end_object();
      w.key("properties");
      w.begin_object();
      w.key("tags");
      w.begin_array();
      w.value("security");
      for (const std::string& t : rule.threats) w.value("csa-top-threats/" + t);
      for (const std::string& t : rule.ccm) w.value("ccm/" + t);
      for (const std::string& t : rule.cis_aws) w.value("cis-aws/" + t);
      w.end_array();
      w.key("precision");
      w.value("high");
      w.key("problem.severity");
      w.value(rule.severity <= policy::Severity::kHigh ? "error"
              : rule.severity == policy::Severity::kMedium ? "warning"
                                                           : "recommendation");
      w.key("security-severity");
      w.value(security_severity(rule.severity));
      w.end_object();
      w.end_object();
    }
  }
  w.end_array();
  w.end_object();  // driver
  w.end_object();  // tool

  if (!r.scan_root.empty()) {
    w.key("originalUriBaseIds");
    w.begin_object();
    w.key("ROOT");
    w.begin_object();
    w.key("uri");
    w.value(root_uri(r.scan_root));
    w.end_object();
    w.end_object();
  }

  w.key("results");
  w.begin_array();
  if (r.result) {
    std::string scratch;
    for (const policy::Finding& f : r.result->findings) {
      if (f.status != policy::Status::kFail && f.status != policy::Status::kSuppressed) continue;
      w.begin_object();
      w.key("ruleId");
      w.value(f.rule->id);
      w.key("ruleIndex");
      w.value(static_cast<uint64_t>(index.count(f.rule) ? index[f.rule] : 0));
      w.key("level");
      w.value(level(f.rule->severity));
      w.key("message");
      w.begin_object();
      w.key("text");
      const std::string& message = r.result->message_of(f, scratch);
      w.value(message.empty() ? f.rule->title : message);
      w.end_object();
      w.key("locations");
      w.begin_array();
      w.begin_object();
      const core::LocationView loc = r.result->location_of(f);
      w.key("physicalLocation");
      w.begin_object();
      w.key("artifactLocation");
      w.begin_object();
      w.key("uri");
      w.value(
          uri_encode(relative_path(loc.file.empty() ? std::string_view("unknown") : loc.file, r.scan_root)));
      if (!r.scan_root.empty()) {
        w.key("uriBaseId");
        w.value("ROOT");
      }
      w.end_object();
      w.key("region");
      w.begin_object();
      w.key("startLine");
      w.value(static_cast<uint64_t>(internal::start_line(*r.result, f)));
      if (f.line > 0 && f.column > 0) {
        w.key("startColumn");
        w.value(static_cast<uint64_t>(f.column));
      }
      w.end_object();
      w.end_object();  // physicalLocation
      w.key("logicalLocations");
      w.begin_array();
      w.begin_object();
      w.key("fullyQualifiedName");
      w.value(r.result->resource_of(f).id);
      w.key("kind");
      w.value("resource");
      w.end_object();
      w.end_array();
      w.end_object();
      w.end_array();  // locations
      w.key("partialFingerprints");
      w.begin_object();
      w.key("primaryLocationLineHash");
      w.value(std::string(f.fingerprint.view().substr(0, 16)) + ":1");
      w.key("sekimori/v1");
      w.value(f.fingerprint);
      w.end_object();
      if (const policy::AppliedSuppression* s = f.suppression()) {
        w.key("suppressions");
        w.begin_array();
        w.begin_object();
        w.key("kind");
        w.value(s->inline_comment ? "inSource" : "external");
        w.key("status");
        w.value("accepted");
        w.key("justification");
        w.value(s->reason);
        if (!s->approver.empty() || !s->expires.empty()) {
          w.key("properties");
          w.begin_object();
          w.key("approver");
          w.value(s->approver);
          w.key("expires");
          w.value(s->expires);
          w.end_object();
        }
        w.end_object();
        w.end_array();
      }
      w.key("properties");
      w.begin_object();
      w.key("resourceType");
      w.value(r.result->resource_of(f).type);
      w.key("attribute");
      w.value(f.attribute);
      w.end_object();
      w.end_object();
    }
  }
  w.end_array();  // results

  w.key("invocations");
  w.begin_array();
  w.begin_object();
  bool ok = true;
  auto notifications = [&](const core::Diagnostics* d) {
    if (d == nullptr) return;
    for (const core::Diagnostic& x : d->items()) {
      if (x.severity == core::Severity::kError) ok = false;
      w.begin_object();
      w.key("level");
      w.value(x.severity == core::Severity::kError ? "error" : x.severity == core::Severity::kWarning ? "warning" : "note");
      w.key("message");
      w.begin_object();
      w.key("text");
      w.value(x.message + " [" + x.code + "]");
      w.end_object();
      if (!x.location.file.empty()) {
        w.key("locations");
        w.begin_array();
        w.begin_object();
        w.key("physicalLocation");
        w.begin_object();
        w.key("artifactLocation");
        w.begin_object();
        w.key("uri");
        w.value(uri_encode(relative_path(x.location.file, r.scan_root)));
        if (!r.scan_root.empty()) {
          w.key("uriBaseId");
          w.value("ROOT");
        }
        w.end_object();
        w.key("region");
        w.begin_object();
        w.key("startLine");
        w.value(static_cast<uint64_t>(x.location.line > 0 ? x.location.line : 1));
        w.end_object();
        w.end_object();
        w.end_object();
        w.end_array();
      }
      w.end_object();
    }
  };
  w.key("toolExecutionNotifications");
  w.begin_array();
  notifications(r.diagnostics);
  if (r.result) notifications(&r.result->diagnostics);
  w.end_array();
  w.key("executionSuccessful");
  w.value(ok);
  w.end_object();
  w.end_array();  // invocations

  w.key("properties");
  w.begin_object();
  w.key("rulePackVersion");
  w.value(r.rule_pack_version);
  if (r.result) {
    w.key("unknown");
    w.value(static_cast<uint64_t>(r.result->summary.unknown));
    w.key("pass");
    w.value(static_cast<uint64_t>(r.result->summary.pass));
  }
  w.end_object();

  w.end_object();  // run
  w.end_array();
  w.end_object();
  w.flush();
  sink("\n");
}

}  // namespace sekimori::report
