// Shared helpers and the JSON report (docs/formats/json-output.md).
#include "report/report.h"

#include <charconv>
#include <cstring>
#include <filesystem>

#include "core/json_writer.h"
#include "report/internal/common.h"

namespace sekimori::report {

std::optional<Format> format_by_name(std::string_view name) {
  for (Format f : {Format::kTable, Format::kJson, Format::kSarif, Format::kJunit, Format::kOcsf, Format::kCsv,
                   Format::kMarkdown}) {
    if (name == format_name(f)) return f;
  }
  return std::nullopt;
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kTable:
      return "table";
    case Format::kJson:
      return "json";
    case Format::kSarif:
      return "sarif";
    case Format::kJunit:
      return "junit";
    case Format::kOcsf:
      return "ocsf";
    case Format::kCsv:
      return "csv";
    case Format::kMarkdown:
      return "markdown";
  }
  return "json";
}

const char* security_severity(policy::Severity s) {
  switch (s) {
    case policy::Severity::kCritical:
      return "9.5";
    case policy::Severity::kHigh:
      return "8.0";
    case policy::Severity::kMedium:
      return "5.5";
    case policy::Severity::kLow:
      return "3.0";
    case policy::Severity::kInfo:
      return "1.0";
  }
  return "1.0";
}

namespace {
std::string relative_path_uncached(std::string_view path, std::string_view root);
}  // namespace

namespace {
// relative_path(), as a reference to a per-thread cache that the next call may change.
// Consecutive results mostly share a file: the last answer is remembered (resolving a
// relative path asks the kernel for the working directory every time), and a report
// writing it for every result does not copy it each time.
const std::string& relative_path_ref(std::string_view path, std::string_view root) {
  thread_local std::string last_path, last_root, last_result;
  if (path == last_path && root == last_root) return last_result;
  if (path.empty() || root.empty() || path == "-") {
    last_result.assign(path);
  } else {
    last_result = relative_path_uncached(path, root);
  }
  last_path.assign(path);
  last_root.assign(root);
  return last_result;
}
}  // namespace

std::string relative_path(std::string_view path, std::string_view root) {
  return relative_path_ref(path, root);
}

namespace {
std::string relative_path_uncached(std::string_view path, std::string_view root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (p.is_relative()) {
    fs::path abs = fs::absolute(p, ec);
    if (ec) return fs::path(path).generic_string();
    p = abs;
  }
  fs::path rel = p.lexically_normal().lexically_relative(fs::path(root).lexically_normal());
  std::string r = rel.generic_string();
  if (r.empty() || r.rfind("..", 0) == 0) return fs::path(path).generic_string();
  return r;
}
}  // namespace

std::string render(Format format, const ScanReport& report, const RenderOptions& options) {
  switch (format) {
    case Format::kTable:
      return render_table(report, options);
    case Format::kJson:
      return render_json(report);
    case Format::kSarif:
      return render_sarif(report);
    case Format::kJunit:
      return render_junit(report);
    case Format::kOcsf:
      return render_ocsf(report);
    case Format::kCsv:
      return render_csv(report);
    case Format::kMarkdown:
      return render_markdown(report, options);
  }
  return {};
}

namespace internal {

const char* threat_title(std::string_view key) {
  static constexpr std::pair<std::string_view, const char*> kTitles[] = {
      {"T01", "Data breach"},
      {"T02", "Misconfiguration and inadequate change control"},
      {"T03", "Lack of cloud security architecture and strategy"},
      {"T04", "Insufficient identity, credential, access and key management"},
      {"T05", "Account hijacking"},
      {"T06", "Insider threat"},
      {"T07", "Insecure interfaces and APIs"},
      {"T08", "Weak control plane"},
      {"T09", "Metastructure and applistructure failures"},
      {"T10", "Limited cloud usage visibility"},
      {"T11", "Abuse and nefarious use of cloud services"},
  };
  for (const auto& [k, t] : kTitles) {
    if (k == key) return t;
  }
  return "";
}

std::vector<const policy::Finding*> sorted_findings(const ScanReport& r, bool include_pass,
                                                    std::vector<policy::Finding>& passes) {
  std::vector<const policy::Finding*> out;
  if (r.result == nullptr) return out;
  if (include_pass && r.rules != nullptr) {
    passes.clear();
    passes.reserve(r.result->passes.size());
    for (const policy::Pass& p : r.result->passes) passes.push_back(r.result->pass_finding(*r.rules, p));
    for (const policy::Finding& f : passes) out.push_back(&f);
  }
  for (const policy::Finding& f : r.result->findings) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(), [&r](const policy::Finding* a, const policy::Finding* b) {
    if (a->rule->severity != b->rule->severity) return a->rule->severity < b->rule->severity;
    if (a->rule->id != b->rule->id) return a->rule->id < b->rule->id;
    const std::string& ia = r.result->resource_of(*a).id;
    const std::string& ib = r.result->resource_of(*b).id;
    if (ia != ib) return ia < ib;
    return a->resource_index < b->resource_index;
  });
  return out;
}

uint32_t start_line(const policy::ScanResult& result, const policy::Finding& f) {
  if (f.line > 0) return f.line;
  if (uint32_t line = result.resource_of(f).location.line; line > 0) return line;
  return 1;
}

}  // namespace internal

namespace {

using core::JsonWriter;

void string_array(JsonWriter& w, const std::vector<std::string>& v) {
  w.begin_array();
  for (const std::string& s : v) w.value(s);
  w.end_array();
}

void int_array(JsonWriter& w, const std::vector<int>& v) {
  w.begin_array();
  for (int i : v) w.value(i);
  w.end_array();
}

void location(JsonWriter& w, core::LocationView l, const std::string& root) {
  w.begin_object();
  w.key("file");
  w.value(relative_path_ref(l.file, root));
  w.key("line");
  w.value(static_cast<int64_t>(l.line));
  w.key("column");
  w.value(static_cast<int64_t>(l.column));
  w.end_object();
}

// Indentation and member names written without a writer, as a writer with indent 2 writes
// them; each piece is appended with its length known (this runs for every resource and
// every failing finding).
void append_spaces(std::string& out, size_t n) {
  static constexpr std::string_view kSpaces = "                                ";
  if (n <= kSpaces.size()) out.append(kSpaces.data(), n);
  else out.append(n, ' ');
}

// `"name": ` of an object member whose object's open containers are `levels` deep (its
// members one level deeper), after the ",\n" that ends the member before unless `first`.
void append_member(std::string& out, size_t levels, std::string_view name, bool first = false) {
  const size_t spaces = (levels + 1) * 2;
  char buf[128];  // the whole piece, appended at once (a finding has a dozen members)
  if (spaces + name.size() + 6 > sizeof buf) {
    out.append(first ? "\n" : ",\n", first ? 1 : 2);
    append_spaces(out, spaces);
    out += '"';
    out += name;
    out.append("\": ", 3);
    return;
  }
  size_t n = 0;
  if (!first) buf[n++] = ',';
  buf[n++] = '\n';
  std::memset(buf + n, ' ', spaces);
  n += spaces;
  buf[n++] = '"';
  std::memcpy(buf + n, name.data(), name.size());
  n += name.size();
  buf[n++] = '"';
  buf[n++] = ':';
  buf[n++] = ' ';
  out.append(buf, n);
}

// The end of an object whose open containers are `levels` deep.
void append_object_end(std::string& out, size_t levels) {
  out += '\n';
  append_spaces(out, levels * 2);
  out += '}';
}

// A fingerprint as a JSON string: hex digits, which need no escaping.
void append_fingerprint(std::string& out, const policy::Fingerprint& f) {
  out += '"';
  out += f.view();
  out += '"';
}

// The text location(w, l, root) writes into a writer with indent 2 whose open containers
// are `levels` deep, without the writer.
void append_location(std::string& out, core::LocationView l, const std::string& root, size_t levels) {
  // The text between the values, made once per depth (this runs for every resource and
  // every failing finding that points at an attribute).
  struct Pieces {
    std::string open, line, column, close;
  };
  thread_local std::vector<Pieces> by_levels;
  if (levels >= by_levels.size()) by_levels.resize(levels + 1);
  Pieces& p = by_levels[levels];
  if (p.open.empty()) {
    p.open = "{";
    append_member(p.open, levels, "file", true);
    append_member(p.line, levels, "line");
    append_member(p.column, levels, "column");
    append_object_end(p.close, levels);
  }
  auto number = [&out](uint32_t n) {
    char buf[16];
    auto res = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, res.ptr);
  };
  out += p.open;
  core::append_json_string(out, relative_path_ref(l.file, root));
  out += p.line;
  number(l.line);
  out += p.column;
  number(l.column);
  out += p.close;
}

}  // namespace

std::string render_json(const ScanReport& r) {
  std::string out;
  write_json(r, [&out](std::string_view s) { out.append(s); });
  return out;
}

void write_json(const ScanReport& r, const Sink& sink) {
  JsonWriter w(2);
  w.set_sink(sink);
  w.begin_object();
  w.key("schema");
  w.value("https://sekimori.dev/schemas/scan-report/v1");
  w.key("tool");
  w.begin_object();
  w.key("name");
  w.value("sekimori");
  w.key("version");
  w.value(r.tool_version);
  w.end_object();
  w.key("rule_pack");
  w.begin_object();
  w.key("version");
  w.value(r.rule_pack_version);
  w.key("rules");
  w.value(static_cast<uint64_t>(r.rules ? r.rules->rules().size() : 0));
  w.end_object();
  w.key("scan");
  w.begin_object();
  w.key("time");
  w.value(r.time);
  w.key("mode");
  w.value(r.mode);
  w.key("fail_on");
  w.value(r.fail_on);
  w.key("targets");
  w.begin_array();
  for (const std::string& t : r.targets) w.value(relative_path(t, r.scan_root));
  w.end_array();
  w.end_object();

  w.key("inputs");
  w.begin_array();
  if (r.inputs) {
    for (const model::Input& in : *r.inputs) {
      w.begin_object();
      w.key("path");
      w.value(relative_path(in.path, r.scan_root));
      w.key("sha256");
      w.value(in.sha256);
      w.key("format");
      if (in.format) w.value(model::format_name(*in.format));
      else w.null();
      w.key("resources");
      w.value(static_cast<uint64_t>(in.resources));
      w.key("failed");
      w.value(in.failed);
      w.end_object();
    }
  }
  w.end_array();

  const policy::Summary s = r.result ? r.result->summary : policy::Summary{};
  w.key("summary");
  w.begin_object();
  w.key("resources");
  w.value(static_cast<uint64_t>(s.resources));
  w.key("evaluated");
  w.value(static_cast<uint64_t>(s.evaluated));
  w.key("pass");
  w.value(static_cast<uint64_t>(s.pass));
  w.key("fail");
  w.value(static_cast<uint64_t>(s.fail));
  w.key("unknown");
  w.value(static_cast<uint64_t>(s.unknown));
  w.key("error");
  w.value(static_cast<uint64_t>(s.error));
  w.key("suppressed");
  w.value(static_cast<uint64_t>(s.suppressed));
  w.key("fail_by_severity");
  w.begin_object();
  for (int i = 0; i < 5; ++i) {
    w.key(policy::severity_name(static_cast<policy::Severity>(i)));
    w.value(static_cast<uint64_t>(s.fail_by_severity[i]));
  }
  w.end_object();
  w.end_object();

  w.key("rules");
  w.begin_array();
  if (r.rules) {
    for (const policy::Rule& rule : r.rules->rules()) {
      w.begin_object();
      w.key("id");
      w.value(rule.id);
      w.key("title");
      w.value(rule.title);
      w.key("severity");
      w.value(policy::severity_name(rule.severity));
      w.key("threats");
      string_array(w, rule.threats);
      w.key("ccm");
      string_array(w, rule.ccm);
      w.key("cis_aws");
      string_array(w, rule.cis_aws);
      w.key("guidance");
      int_array(w, rule.guidance);
      w.key("stages");
      int_array(w, rule.stages);
      w.key("frameworks");
      string_array(w, rule.frameworks);
      w.key("builtin");
      w.value(rule.builtin);
      w.end_object();
    }
  }
  w.end_array();

  w.key("findings");
  w.begin_array();
  if (r.result && r.rules) {
    // A resource's findings are consecutive and share its "resource" object, and most
    // share its location: render those once per resource (one level deeper than here:
    // inside a finding).
    // A finding's members are three levels deep (report object, findings array, finding).
    constexpr size_t kFindingMembers = 3;
    bool have_cached = false;
    size_t cached_index = 0;
    std::string resource_json, resource_location_json;
    // Passes are most results and differ only in their rule, resource and fingerprint:
    // each rule's pass is rendered once by a writer, with markers where the resource,
    // its location and the fingerprint go, and split there; a pass is then a few appends.
    const std::vector<policy::Rule>& all_rules = r.rules->rules();
    std::vector<std::string> pass_head(all_rules.size());
    std::string pass_mid, pass_tail, pass_end, pass_text, finding_text, message_scratch;
    auto pass_template = [&](const policy::Rule& rule) {
      JsonWriter t(2);
      t.begin_object();
      t.key("rule_id");
      t.value(rule.id);
      t.key("severity");
      t.value(policy::severity_name(rule.severity));
      t.key("status");
      t.value(policy::status_name(policy::Status::kPass));
      t.key("resource");
      t.raw("\x01");
      t.key("location");
      t.raw("\x02");
      t.key("attribute");
      t.value("");
      t.key("message");
      t.value("");
      t.key("fingerprint");
      t.raw("\x03");
      t.end_object();
      std::string text = w.reindent(t.take());
      size_t a = text.find('\x01');
      size_t b = text.find('\x02');
      size_t c = text.find('\x03');
      pass_mid = text.substr(a + 1, b - a - 1);
      pass_tail = text.substr(b + 1, c - b - 1);
      pass_end = text.substr(c + 1);
      return text.substr(0, a);
    };
    r.result->for_each_result(*r.rules, [&](const policy::Finding& f) {
      if (!have_cached || f.resource_index != cached_index) {
        have_cached = true;
        cached_index = f.resource_index;
        const policy::ScannedResource& res = r.result->resource_of(f);
        // What the writer would write for the finding's "resource" and "location"
        // (members of a finding), written directly: once per resource.
        resource_location_json.clear();
        append_location(resource_location_json, res.location, r.scan_root, kFindingMembers);
        resource_json.assign(1, '{');
        append_member(resource_json, kFindingMembers, "id", true);
        core::append_json_string(resource_json, res.id);
        append_member(resource_json, kFindingMembers, "type");
        core::append_json_string(resource_json, res.type);
        append_member(resource_json, kFindingMembers, "source_type");
        core::append_json_string(resource_json, res.source_type);
        append_member(resource_json, kFindingMembers, "format");
        core::append_json_string(resource_json, model::format_name(res.format));
        append_member(resource_json, kFindingMembers, "location");
        append_location(resource_json, res.location, r.scan_root, kFindingMembers + 1);
        append_object_end(resource_json, kFindingMembers);
      }
      if (f.status == policy::Status::kPass && f.line == 0 && f.file().empty() && f.attribute.empty() &&
          f.stored_message().empty() && !f.message_later && f.detail().empty() && !f.suppression()) {
        std::string& head = pass_head[static_cast<size_t>(f.rule - all_rules.data())];
        if (head.empty()) head = pass_template(*f.rule);
        pass_text.assign(head);
        pass_text += resource_json;
        pass_text += pass_mid;
        pass_text += resource_location_json;
        pass_text += pass_tail;
        append_fingerprint(pass_text, f.fingerprint);
        pass_text += pass_end;
        w.raw(pass_text);
        return;
      }
      if (!f.suppression()) {
        // The other results without a suppression (fail, unknown, error) are written
        // directly too, byte for byte what the writer path below gives.
        const size_t levels = kFindingMembers - 1;  // the finding object's open containers
        finding_text.assign(1, '{');
        append_member(finding_text, levels, "rule_id", true);
        core::append_json_string(finding_text, f.rule->id);
        append_member(finding_text, levels, "severity");
        core::append_json_string(finding_text, policy::severity_name(f.rule->severity));
        append_member(finding_text, levels, "status");
        core::append_json_string(finding_text, policy::status_name(f.status));
        append_member(finding_text, levels, "resource");
        finding_text += resource_json;
        append_member(finding_text, levels, "location");
        if (f.line == 0)
          finding_text += resource_location_json;
        else
          append_location(finding_text, r.result->location_of(f), r.scan_root, kFindingMembers);
        append_member(finding_text, levels, "attribute");
        core::append_json_string(finding_text, f.attribute);
        append_member(finding_text, levels, "message");
        core::append_json_string(finding_text, r.result->message_of(f, message_scratch));
        if (!f.detail().empty()) {
          append_member(finding_text, levels, "detail");
          core::append_json_string(finding_text, f.detail());
        }
        append_member(finding_text, levels, "fingerprint");
        append_fingerprint(finding_text, f.fingerprint);
        append_object_end(finding_text, levels);
        w.raw(finding_text);
        return;
      }
      w.begin_object();
      w.key("rule_id");
      w.value(f.rule->id);
      w.key("severity");
      w.value(policy::severity_name(f.rule->severity));
      w.key("status");
      w.value(policy::status_name(f.status));
      w.key("resource");
      w.raw(resource_json);
      w.key("location");
      if (f.line == 0)
        w.raw(resource_location_json);
      else
        location(w, r.result->location_of(f), r.scan_root);
      w.key("attribute");
      w.value(f.attribute);
      w.key("message");
      w.value(r.result->message_of(f, message_scratch));
      if (!f.detail().empty()) {
        w.key("detail");
        w.value(f.detail());
      }
      w.key("fingerprint");
      w.value(f.fingerprint);
      if (f.suppression()) {
        const policy::AppliedSuppression& a = *f.suppression();
        w.key("suppression");
        w.begin_object();
        w.key("kind");
        w.value(a.inline_comment ? "inline" : "exception");
        w.key("rule");
        w.value(a.rule);
        w.key("reason");
        w.value(a.reason);
        w.key("approver");
        w.value(a.approver);
        w.key("expires");
        w.value(a.expires);
        w.key("status_before");
        w.value(policy::status_name(a.original));
        w.key("location");
        location(w, a.location, r.scan_root);
        w.end_object();
      }
      w.end_object();
    });
  }
  w.end_array();

  w.key("diagnostics");
  w.begin_array();
  auto diag_list = [&](const core::Diagnostics* d) {
    if (d == nullptr) return;
    for (const core::Diagnostic& x : d->items()) {
      w.begin_object();
      w.key("severity");
      w.value(core::severity_name(x.severity));
      w.key("code");
      w.value(x.code);
      w.key("message");
      w.value(x.message);
      w.key("location");
      location(w, x.location, r.scan_root);
      w.end_object();
    }
  };
  diag_list(r.diagnostics);
  if (r.result) diag_list(&r.result->diagnostics);
  w.end_array();
  w.end_object();
  w.flush();
  sink("\n");
}

void render_to(Format format, const ScanReport& report, const RenderOptions& options, const Sink& sink) {
  switch (format) {
    case Format::kJson:
      write_json(report, sink);
      return;
    case Format::kSarif:
      write_sarif(report, sink);
      return;
    case Format::kOcsf:
      write_ocsf(report, sink);
      return;
    case Format::kCsv:
      write_csv(report, sink);
      return;
    default:
      sink(render(format, report, options));
  }
}

}  // namespace sekimori::report
