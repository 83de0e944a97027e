// CSV (docs/formats/csv.md), Markdown (docs/formats/markdown.md) and the terminal table.
#include <map>

#include "report/internal/common.h"
#include "report/report.h"

namespace sekimori::report {

namespace {

// RFC 4180 field; cells that a spreadsheet would run as a formula get a leading "'".
std::string csv_field(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  bool quote = v.find_first_of(",\"\n\r") != std::string::npos;
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

std::string where(const ScanReport& r, const policy::Finding& f) {
  const core::LocationView l = r.result->location_of(f);
  return relative_path(l.file, r.scan_root) + ":" + std::to_string(internal::start_line(*r.result, f));
}

const char* kSeverityColor[] = {"\x1b[1;35m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m", "\x1b[2m"};
constexpr const char* kReset = "\x1b[0m";

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

std::string render_csv(const ScanReport& r) {
  std::string out;
  write_csv(r, [&out](std::string_view s) { out.append(s); });
  return out;
}

void write_csv(const ScanReport& r, const Sink& sink) {
  std::string out = "rule_id,severity,status,resource_type,resource_id,file,line,column,attribute,message,fingerprint\n";
  std::string scratch;
  if (r.result == nullptr || r.rules == nullptr) {
    sink(out);
    return;
  }
  r.result->for_each_result(*r.rules, [&](const policy::Finding& f) {
    const core::LocationView l = r.result->location_of(f);
    const policy::ScannedResource& res = r.result->resource_of(f);
    out += csv_field(f.rule->id) + ',' + policy::severity_name(f.rule->severity) + ',' + policy::status_name(f.status) +
           ',' + csv_field(res.type) + ',' + csv_field(res.id) + ',' +
           csv_field(relative_path(l.file, r.scan_root)) + ',' + std::to_string(internal::start_line(*r.result, f)) + ',' +
           std::to_string(l.column) + ',' + csv_field(f.attribute) + ',' +
           csv_field(r.result->message_of(f, scratch)) + ',' +
           std::string(f.fingerprint.view()) + "\r\n";
    if (out.size() >= kSinkChunk) {
      sink(out);
      out.clear();
    }
  });
  if (!out.empty()) sink(out);
}

std::string render_markdown(const ScanReport& r, const RenderOptions& options) {
  const policy::Summary s = r.result ? r.result->summary : policy::Summary{};
  std::string out = "### sekimori posture scan\n\n";
  if (s.fail == 0) {
    out += "**No failing checks.** ";
  } else {
    out += "**" + std::to_string(s.fail) + " failing check" + (s.fail == 1 ? "" : "s") + "** (";
    bool first = true;
    for (int i = 0; i < 5; ++i) {
      if (s.fail_by_severity[i] == 0) continue;
      if (!first) out += ", ";
      first = false;
      out += std::to_string(s.fail_by_severity[i]) + " " + policy::severity_name(static_cast<policy::Severity>(i));
    }
    out += "). ";
  }
  out += std::to_string(s.pass) + " passed, " + std::to_string(s.unknown) + " unknown, " +
         std::to_string(s.suppressed) + " suppressed, " + std::to_string(s.error) + " errors across " +
         std::to_string(s.resources) + " resources (rule pack " + r.rule_pack_version + ", mode " + r.mode +
         ", fail on " + r.fail_on + ").\n";

  std::vector<policy::Finding> passes;
  std::vector<const policy::Finding*> all = internal::sorted_findings(r, false, passes);
  auto table = [&](policy::Status status, bool with_reason) {
    std::string t = with_reason ? "| Severity | Rule | Resource | Location | Reason |\n|---|---|---|---|---|\n"
                                : "| Severity | Rule | Resource | Location | Message |\n|---|---|---|---|---|\n";
    size_t rows = 0, total = 0;
    for (const policy::Finding* f : all) {
      if (f->status != status) continue;
      ++total;
      if (rows >= options.max_rows) continue;
      ++rows;
      std::string last = with_reason
                             ? (f->suppression() ? f->suppression()->reason : "")
                             : (status == policy::Status::kUnknown ? f->detail() : r.result->message_of(*f));
      t += "| " + std::string(policy::severity_name(f->rule->severity)) + " | `" + f->rule->id + "` " +
           md_cell(f->rule->title) + " | `" + md_cell(r.result->resource_of(*f).id) + "` | `" + md_cell(where(r, *f)) +
           "` | " + md_cell(last) + " |\n";
    }
    if (total > rows) t += "\n… and " + std::to_string(total - rows) + " more.\n";
    return std::make_pair(t, total);
  };
  auto [fails, nfail] = table(policy::Status::kFail, false);
  if (nfail > 0) out += "\n" + fails;
  auto [sup, nsup] = table(policy::Status::kSuppressed, true);
  if (nsup > 0) out += "\n<details><summary>Suppressed (" + std::to_string(nsup) + ")</summary>\n\n" + sup + "\n</details>\n";
  auto [unk, nunk] = table(policy::Status::kUnknown, false);
  if (nunk > 0) {
    out += "\n<details><summary>Unknown until deployment (" + std::to_string(nunk) + ")</summary>\n\n" + unk +
           "\n</details>\n";
  }
  // Counts per threat.
  std::map<std::string, size_t> threats;
  for (const policy::Finding* f : all) {
    if (f->status != policy::Status::kFail) continue;
    for (const std::string& t : f->rule->threats) ++threats[t];
  }
  if (!threats.empty()) {
    out += "\n| CSA Top Threat | Failing |\n|---|---|\n";
    for (const auto& [t, n] : threats) out += "| " + t + " " + internal::threat_title(t) + " | " + std::to_string(n) + " |\n";
  }
  return out;
}

std::string render_table(const ScanReport& r, const RenderOptions& options) {
  const policy::Summary s = r.result ? r.result->summary : policy::Summary{};
  auto paint = [&](const char* color, const std::string& text) {
    return options.color && *color ? std::string(color) + text + kReset : text;
  };
  std::string out;
  std::vector<policy::Finding> passes;
  std::vector<const policy::Finding*> all = internal::sorted_findings(r, options.show_passes, passes);
  int current = -1;
  for (const policy::Finding* f : all) {
    if (f->status != policy::Status::kFail && !(options.show_passes && f->status == policy::Status::kPass)) continue;
    int sev = static_cast<int>(f->rule->severity);
    if (sev != current) {
      current = sev;
      size_t n = s.fail_by_severity[sev];
      out += "\n" + paint(kSeverityColor[sev], upper(policy::severity_name(f->rule->severity))) + " (" +
             std::to_string(n) + " failing)\n";
    }
    std::string mark = f->status == policy::Status::kPass ? "PASS" : "FAIL";
    out += "  " + mark + "  " + f->rule->id + "  " + r.result->resource_of(*f).id + "  " + where(r, *f) + "\n";
    std::string message = r.result->message_of(*f);
    out += "        " + (message.empty() ? f->rule->title : message) + "\n";
  }
  size_t others = 0;
  for (const policy::Finding* f : all) {
    if (f->status == policy::Status::kUnknown || f->status == policy::Status::kSuppressed ||
        f->status == policy::Status::kError) {
      ++others;
    }
  }
  if (others > 0) {
    out += "\nNOT FAILING\n";
    for (const policy::Finding* f : all) {
      if (f->status != policy::Status::kUnknown && f->status != policy::Status::kSuppressed &&
          f->status != policy::Status::kError) {
        continue;
      }
      std::string why = f->status == policy::Status::kSuppressed
                            ? (f->suppression() ? f->suppression()->reason : std::string())
                            : f->detail();
      out += "  " + upper(policy::status_name(f->status)) + "  " + f->rule->id + "  " + r.result->resource_of(*f).id + "  " +
             where(r, *f) + "\n        " + why + "\n";
    }
  }
  std::map<std::string, size_t> threats;
  for (const policy::Finding* f : all) {
    if (f->status != policy::Status::kFail) continue;
    for (const std::string& t : f->rule->threats) ++threats[t];
  }
  if (!threats.empty()) {
    out += "\nFailing checks per CSA Top Threat\n";
    for (const auto& [t, n] : threats) {
      std::string num = std::to_string(n);
      out += "  " + std::string(num.size() < 4 ? 4 - num.size() : 0, ' ') + num + "  " + t + "  " +
             internal::threat_title(t) + "\n";
    }
  }
  out += "\n" + std::to_string(s.resources) + " resources, " + std::to_string(s.evaluated) + " checks: " +
         paint(s.fail > 0 ? kSeverityColor[1] : "", std::to_string(s.fail) + " failing") + ", " +
         std::to_string(s.pass) + " passing, " + std::to_string(s.unknown) + " unknown, " +
         std::to_string(s.suppressed) + " suppressed, " + std::to_string(s.error) + " errors\n";
  return out;
}

}  // namespace sekimori::report
