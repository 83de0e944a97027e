// JUnit XML (docs/formats/junit.md): a test suite per rule, a test case per
// (rule, resource).
#include <map>

#include "report/internal/common.h"
#include "report/report.h"

namespace sekimori::report {

namespace {

// Escapes for XML text and attributes; drops characters XML 1.0 does not allow.
std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (c < 0x20) break;
        out += ch;
    }
  }
  return out;
}

}  // namespace

std::string render_junit(const ScanReport& r) {
  struct Counts {
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  };
  std::map<std::string, std::vector<const policy::Finding*>> by_rule;
  std::map<std::string, Counts> counts;
  Counts total;
  std::vector<policy::Finding> all;  // every result in report order (passes materialised)
  if (r.result && r.rules) {
    all.reserve(r.result->findings.size() + r.result->passes.size());
    r.result->for_each_result(*r.rules, [&](const policy::Finding& f) { all.push_back(f); });
    for (const policy::Finding& f : all) {
      by_rule[f.rule->id].push_back(&f);
      Counts& c = counts[f.rule->id];
      ++c.tests;
      ++total.tests;
      if (f.status == policy::Status::kFail) {
        ++c.failures;
        ++total.failures;
      } else if (f.status == policy::Status::kError) {
        ++c.errors;
        ++total.errors;
      } else if (f.status != policy::Status::kPass) {
        ++c.skipped;
        ++total.skipped;
      }
    }
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"sekimori\" tests=\"" + std::to_string(total.tests) + "\" failures=\"" +
         std::to_string(total.failures) + "\" errors=\"" + std::to_string(total.errors) + "\" skipped=\"" +
         std::to_string(total.skipped) + "\" time=\"0\">\n";
  for (const auto& [id, findings] : by_rule) {
    const policy::Rule& rule = *findings.front()->rule;
    const Counts& c = counts[id];
    out += "  <testsuite name=\"" + xml(id) + "\" tests=\"" + std::to_string(c.tests) + "\" failures=\"" +
           std::to_string(c.failures) + "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" +
           std::to_string(c.skipped) + "\" time=\"0\">\n";
    out += "    <properties>\n";
    out += "      <property name=\"title\" value=\"" + xml(rule.title) + "\"/>\n";
    out += "      <property name=\"severity\" value=\"" + std::string(policy::severity_name(rule.severity)) + "\"/>\n";
    out += "    </properties>\n";
    for (const policy::Finding* f : findings) {
      const core::LocationView loc = r.result->location_of(*f);
      out += "    <testcase classname=\"" + xml(id) + "\" name=\"" + xml(r.result->resource_of(*f).id) + "\" file=\"" +
             xml(relative_path(loc.file, r.scan_root)) + "\" line=\"" + std::to_string(internal::start_line(*r.result, *f)) +
             "\" time=\"0\"";
      std::string where = relative_path(loc.file, r.scan_root) + ":" + std::to_string(internal::start_line(*r.result, *f));
      switch (f->status) {
        case policy::Status::kPass:
          out += "/>\n";
          break;
        case policy::Status::kFail: {
          const std::string message = r.result->message_of(*f);
          out += ">\n      <failure message=\"" + xml(message) + "\" type=\"" +
                 policy::severity_name(f->rule->severity) + "\">" +
                 xml(where + ": " + message + "\nRemediation: " + f->rule->remediation) +
                 "</failure>\n    </testcase>\n";
          break;
        }
        case policy::Status::kError:
          out += ">\n      <error message=\"" + xml(f->detail()) +
                 "\" type=\"rule.runtime_error\"/>\n    </testcase>\n";
          break;
        case policy::Status::kUnknown:
          out += ">\n      <skipped message=\"" + xml("unknown: " + f->detail()) + "\"/>\n    </testcase>\n";
          break;
        case policy::Status::kSuppressed:
          out += ">\n      <skipped message=\"" +
                 xml("suppressed: " + (f->suppression() ? f->suppression()->reason : std::string())) +
                 "\"/>\n    </testcase>\n";
          break;
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace sekimori::report
