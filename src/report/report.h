// sekimori::report — renders one scan's result in the formats CI systems and people use:
// table (terminal), JSON, SARIF 2.1.0, JUnit XML, OCSF 1.1.0 Compliance Finding (JSON
// lines), CSV and Markdown. Each format is specified in docs/formats/<format>.md.
//
//   report::ScanReport r;
//   r.tool_version = "0.1.0"; r.rules = &rules; r.result = &result; r.inputs = &estate.inputs();
//   r.scan_root = "/repo";
//   std::string sarif = report::render(report::Format::kSarif, r);
//
// Renderers are pure functions of the ScanReport: the same report gives the same bytes
// (timestamps come from `ScanReport::time`), so golden tests can compare outputs.
// Paths are shown relative to `scan_root` when the file lies under it.
//
// Thread-safety: pure functions. Ownership: ScanReport borrows everything it points to.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/estate.h"
#include "policy/rule.h"
#include "policy/scan.h"

namespace sekimori::report {

enum class Format : uint8_t { kTable, kJson, kSarif, kJunit, kOcsf, kCsv, kMarkdown };
[[nodiscard]] std::optional<Format> format_by_name(std::string_view name);
[[nodiscard]] const char* format_name(Format f);

struct ScanReport {
  std::string tool_version;
  std::string rule_pack_version;
  std::string scan_root;   // absolute directory; paths in the report are relative to it
  std::string time;        // RFC 3339 UTC time of the scan
  int64_t time_ms = 0;     // the same, in milliseconds since the epoch (OCSF)
  std::string mode = "gate";     // gate | guardrail
  std::string fail_on = "high";  // the threshold
  std::vector<std::string> targets;             // the PATH arguments
  const std::vector<model::Input>* inputs = nullptr;
  const policy::RuleSet* rules = nullptr;
  const policy::ScanResult* result = nullptr;
  const core::Diagnostics* diagnostics = nullptr;  // loading and rule problems
};

struct RenderOptions {
  bool color = false;       // table only: ANSI colours (only on a terminal)
  bool show_passes = false; // table and markdown: list passing checks too
  size_t max_rows = 50;     // markdown: findings listed before "... and N more"
};

[[nodiscard]] std::string render(Format format, const ScanReport& report, const RenderOptions& options = {});

// Streams the report to `sink` in pieces (about kSinkChunk bytes each) instead of
// building it in memory: JSON, SARIF, OCSF and CSV stream; the other formats are
// rendered whole and handed over once. The bytes are those render() returns.
using Sink = std::function<void(std::string_view)>;
inline constexpr size_t kSinkChunk = size_t{1} << 20;
void render_to(Format format, const ScanReport& report, const RenderOptions& options, const Sink& sink);
void write_json(const ScanReport& report, const Sink& sink);
void write_sarif(const ScanReport& report, const Sink& sink);
void write_ocsf(const ScanReport& report, const Sink& sink);
void write_csv(const ScanReport& report, const Sink& sink);

// Individual renderers.
[[nodiscard]] std::string render_json(const ScanReport& report);
[[nodiscard]] std::string render_sarif(const ScanReport& report);
[[nodiscard]] std::string render_junit(const ScanReport& report);
[[nodiscard]] std::string render_ocsf(const ScanReport& report);
[[nodiscard]] std::string render_csv(const ScanReport& report);
[[nodiscard]] std::string render_markdown(const ScanReport& report, const RenderOptions& options);
[[nodiscard]] std::string render_table(const ScanReport& report, const RenderOptions& options);

// `path` relative to `root` when it lies under it (generic '/' separators), else as given.
[[nodiscard]] std::string relative_path(std::string_view path, std::string_view root);
// SARIF `security-severity` score for a rule severity ("9.5", "8.0", "5.5", "3.0", "1.0").
[[nodiscard]] const char* security_severity(policy::Severity s);

}  // namespace sekimori::report
