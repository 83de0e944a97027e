// sekimori::governance — the governance reports built from one posture scan, the knowledge
// base and the bundled detections' metadata:
//   * responsibility: the services in use by service model, who owns each responsibility
//     layer, which customer-owned responsibilities a rule or detection checks (with the
//     scan's pass/fail counts) and which must be attested by hand, a RACI matrix and the
//     CCM controls inherited from the provider;
//   * threats: the Egregious Eleven stage by stage, with countermeasures, the rules and
//     detections behind them, current findings, a coverage figure and the weakest threats;
//   * framework: CCM v4, CIS AWS v7 or a Top Threats list, control by control (pass, fail,
//     not covered, manual), with coverage per domain or section.
// How status and coverage are computed is specified in docs/governance-reports.md.
//
//   governance::Evidence ev;
//   ev.kb = &knowledge::KnowledgeBase::builtin(); ev.rules = &rules; ev.scan = &result;
//   ev.resources = estate.resources(); ev.detections = &sigma_rules; ev.services = &services;
//   governance::ThreatsReport t = governance::build_threats(ev);
//   std::string md = governance::render(governance::to_doc(t), governance::OutputFormat::kMarkdown);
//   std::string js = governance::to_json(t);
//
// Builders and renderers are pure functions of their inputs: the same evidence gives the
// same bytes (the time comes from Evidence::time), so golden tests can compare outputs.
// Ownership: Evidence borrows everything it points to; the reports own their data.
// Thread-safety: pure functions; a ServicesFile is immutable once parsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/location.h"
#include "detect/sigma.h"
#include "knowledge/knowledge.h"
#include "model/estate.h"
#include "policy/rule.h"
#include "policy/scan.h"

namespace sekimori::governance {

// ---------------------------------------------------------------------------------------
// The services file (docs/governance-reports.md, "services.yaml"): consumed SaaS and
// no-code services, owner teams, reclassified resource types, owner overrides and RACI.

struct DeclaredService {
  std::string name;
  std::string model;     // a knowledge service model id
  std::string provider;  // may be empty
  std::string team;      // owner team; may be empty
  std::string notes;
  core::Location location;
};

struct TypeOverride {
  std::string pattern;  // exact canonical type or `prefix*`
  bool glob = false;
  std::string model;  // empty: keep the knowledge base's model
  std::string team;
  core::Location location;
};

struct OwnerOverride {
  std::string model;  // service model id
  std::string layer;  // layer id
  knowledge::Owner owner = knowledge::Owner::kShared;
  std::string reason;
  core::Location location;
};

// One RACI assignment: the role letters for the layers (all when empty) and models (all
// when empty) it names; later entries win.
struct RaciAssignment {
  std::vector<std::string> layers;
  std::vector<std::string> models;
  std::string responsible, accountable;
  std::vector<std::string> consulted, informed;
  core::Location location;
};

struct ServicesLimits {
  uint64_t max_bytes = 1 << 20;
  size_t max_entries = 1000;  // per list
  size_t max_string = 1024;
};

inline constexpr std::string_view kDefaultRoles[] = {"business-owner", "csirt", "systems-team", "procurement",
                                                     "provider"};

struct ServicesFile {
  std::string path;
  std::vector<std::string> roles;  // RACI columns; the defaults when the file names none
  std::vector<DeclaredService> services;
  std::vector<TypeOverride> types;
  std::vector<OwnerOverride> overrides;
  std::vector<RaciAssignment> raci;
};

// Parses and validates a services file. Problems are located diagnostics with `services.*`
// codes (docs/governance-reports.md); entries with errors are dropped, the rest is kept.
// Fails (an Error) only when the text is not YAML or breaks a size limit.
[[nodiscard]] core::Result<ServicesFile> parse_services(const std::string& path, std::string text,
                                                        const knowledge::KnowledgeBase& kb,
                                                        core::Diagnostics& diags,
                                                        const ServicesLimits& limits = {});
// The defaults: no services, default roles.
[[nodiscard]] ServicesFile default_services();

// ---------------------------------------------------------------------------------------
// Evidence: what every report is built from.

struct Evidence {
  const knowledge::KnowledgeBase* kb = nullptr;
  const policy::RuleSet* rules = nullptr;
  const policy::ScanResult* scan = nullptr;
  std::span<const model::Resource> resources;
  const detect::RuleSet* detections = nullptr;  // may be null: no detections loaded
  const ServicesFile* services = nullptr;       // may be null: defaults
  std::string time;                             // RFC 3339, shown in the report
  std::string tool_version;
  std::string rule_pack_version;
  std::vector<std::string> targets;
};

// The scan's results of one rule, counted over resources.
struct RuleCheck {
  std::string id;
  std::string title;
  std::string severity;
  size_t pass = 0, fail = 0, unknown = 0, error = 0, suppressed = 0;
  [[nodiscard]] size_t evaluated() const { return pass + fail + unknown + error + suppressed; }
};

// A detection named by the knowledge base or a tag.
struct DetectionCheck {
  std::string ref;    // as named (detection name or id)
  std::string id;     // the Sigma id; empty when not loaded
  std::string title;  // empty when not loaded
  std::string level;
  bool loaded = false;
};

// Statuses used by every report (strings in the outputs):
//   "fail"          a rule behind it failed on a resource (suppressed results do not count)
//   "pass"          rules evaluated and none failed
//   "no-resources"  rules exist but no resource in the estate was evaluated by them
//   "watching"      only detections check it (they run on logs, not on the estate)
//   "not-covered"   no rule or detection checks it
//   "manual"        a person must assess it (organisational item, CIS manual recommendation)
[[nodiscard]] std::string check_status(std::span<const RuleCheck> rules,
                                       std::span<const DetectionCheck> detections);

// ---------------------------------------------------------------------------------------
// Reports.

struct ReportMeta {
  std::string time, tool_version, rule_pack_version;
  std::vector<std::string> targets;
  size_t resources = 0;
  size_t rules = 0;
  size_t detections = 0;
};

struct ServiceInUse {
  std::string name;  // a canonical type, or the declared service's name
  std::string model;
  std::string source;  // "estate" or "declared"
  std::string category;
  std::string provider, team;
  size_t resources = 0;  // estate only
};

struct OwnershipCell {
  knowledge::Owner owner = knowledge::Owner::kShared;
  bool overridden = false;
  std::string note;
};

struct LayerRow {
  std::string id, name;
  bool synthesis = false;
  std::vector<OwnershipCell> cells;  // indexed like ResponsibilityReport::models
};

struct ResponsibilityItem {
  std::string layer, layer_name, model;
  knowledge::Owner owner = knowledge::Owner::kCustomer;
  std::vector<RuleCheck> rules;            // rules of this layer on resources of this model
  std::vector<DetectionCheck> detections;  // detections of this layer (estate models only)
  std::string status;                      // see check_status; "not-covered" means attest by hand
};

struct RaciRow {
  std::string layer, layer_name, model;
  knowledge::Owner owner = knowledge::Owner::kCustomer;
  std::vector<std::string> cells;  // indexed like roles: "R", "A", "C", "I", "R/A", ""
};

struct InheritanceRow {
  std::string id, title, domain;
  std::vector<std::string> owners;  // per CCM column in use ("iaas", "paas", "saas"): owner or "unknown"
  std::string scope;                // "inherited", "customer", "shared", "unknown"
};

// One point of the SaaS-provider checklist (knowledge: saas-provider-checklist.yaml).
struct ChecklistRow {
  std::string area, id, title;
  std::vector<std::string> checks;  // what a tool can contribute; empty: attested by a person
};

struct ResponsibilityReport {
  ReportMeta meta;
  std::vector<std::string> models;     // every knowledge model, in order
  std::vector<bool> in_use;            // indexed like models
  std::vector<ServiceInUse> services;  // grouped by model (models order), then name
  std::vector<LayerRow> layers;
  std::vector<ResponsibilityItem> items;  // customer or shared (layer, model in use) pairs
  std::vector<std::string> roles;
  std::vector<RaciRow> raci;
  std::vector<std::string> ccm_columns;  // the CCM ownership columns the models in use need
  std::vector<InheritanceRow> inheritance;
  std::vector<std::string> unclassified_types;  // estate types with no service model
  std::vector<ChecklistRow> checklist;          // the SaaS provider's own duties to attest
  size_t covered = 0, not_covered = 0, failing = 0;
};

struct CountermeasureRow {
  int stage = 0, paper_stage = 0;
  std::string item, title;
  knowledge::Mode mode = knowledge::Mode::kOrganisational;
  std::vector<std::string> checks;  // "CFG", "LOG", "SCAN"
  std::vector<RuleCheck> rules;
  std::vector<DetectionCheck> detections;
  std::vector<std::string> missing_rules;  // named by the knowledge base but not loaded
  std::string status;
};

struct StageCell {
  size_t automated = 0, covered = 0, organisational = 0, failing_rules = 0;
};

struct ThreatRow {
  std::string key, name, summary;
  int rank = 0;
  std::vector<std::string> impact;
  std::vector<CountermeasureRow> countermeasures;  // by stage
  StageCell stages[6];
  size_t automated = 0, covered = 0, organisational = 0;
  size_t distinct_rules = 0, distinct_detections = 0;
  size_t fail = 0, pass = 0;  // findings of its rules
  double coverage = 0;        // covered / automated, 0..1
  std::vector<std::string> successors_2024;
};

struct ThreatsReport {
  ReportMeta meta;
  std::vector<std::pair<int, std::string>> stages;  // number, name
  std::vector<ThreatRow> threats;
  std::vector<std::string> weakest;  // threat keys, weakest first
  double coverage = 0;
};

enum class Framework : uint8_t { kCcmV4, kCisAwsV7, kTopThreats2019, kTopThreats2024 };
[[nodiscard]] std::optional<Framework> framework_by_name(std::string_view name);
[[nodiscard]] const char* framework_name(Framework f);   // "ccm-v4", ...
[[nodiscard]] const char* framework_title(Framework f);  // "CSA Cloud Controls Matrix v4.0", ...

struct ControlRow {
  std::string id, title, group;
  std::string status;
  std::vector<RuleCheck> rules;
  std::vector<DetectionCheck> detections;
  size_t fail = 0, pass = 0;
  std::string ownership;  // CCM: "iaas=shared paas=provider"; empty elsewhere
  std::string note;       // CIS: "level 1, automated"; 2024: the 2019 keys it draws on
};

struct GroupRow {
  std::string id, name;
  size_t total = 0, covered = 0, pass = 0, fail = 0, no_resources = 0, watching = 0, not_covered = 0,
         manual = 0;
  double coverage = 0;  // covered / total
};

struct FrameworkReport {
  ReportMeta meta;
  Framework framework = Framework::kCcmV4;
  std::vector<GroupRow> groups;
  std::vector<ControlRow> controls;
  GroupRow total;
};

[[nodiscard]] ResponsibilityReport build_responsibility(const Evidence& ev);
[[nodiscard]] ThreatsReport build_threats(const Evidence& ev);
[[nodiscard]] FrameworkReport build_framework(const Evidence& ev, Framework framework);

// ---------------------------------------------------------------------------------------
// Output. JSON is specific to each report; the others render a generic document of
// sections, tables and (HTML only) inline SVG charts.

enum class OutputFormat : uint8_t { kTable, kMarkdown, kJson, kCsv, kHtml };
[[nodiscard]] std::optional<OutputFormat> output_format_by_name(std::string_view name);

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

struct Section {
  std::string title;
  std::vector<std::string> paragraphs;
  std::optional<Table> table;
  std::string svg;       // inline SVG (HTML only); empty when none
  bool primary = false;  // the table a CSV export holds
};

struct Doc {
  std::string title;
  std::vector<std::string> meta;  // "Scanned: ...", one line each
  std::vector<Section> sections;
};

[[nodiscard]] Doc to_doc(const ResponsibilityReport& r);
[[nodiscard]] Doc to_doc(const ThreatsReport& r);
[[nodiscard]] Doc to_doc(const FrameworkReport& r);
[[nodiscard]] std::string to_json(const ResponsibilityReport& r);
[[nodiscard]] std::string to_json(const ThreatsReport& r);
[[nodiscard]] std::string to_json(const FrameworkReport& r);
// Table, Markdown, CSV (the primary table) or HTML of a document; JSON is not a Doc format.
[[nodiscard]] std::string render(const Doc& doc, OutputFormat format);

// Inline SVG charts (exposed for tests).
struct HeatCell {
  double value = -1;  // 0..1; negative: nothing to cover
  std::string label;
};
[[nodiscard]] std::string svg_heat_map(const std::vector<std::string>& rows,
                                       const std::vector<std::string>& columns,
                                       const std::vector<std::vector<HeatCell>>& cells);
[[nodiscard]] std::string svg_ownership_matrix(const ResponsibilityReport& r);
[[nodiscard]] std::string svg_coverage_bars(const std::vector<std::pair<std::string, double>>& bars);

// HTML/XML text escaping (& < > " ').
[[nodiscard]] std::string html_escape(std::string_view s);

}  // namespace sekimori::governance
