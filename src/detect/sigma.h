// sekimori::detect Sigma model — Sigma rules, correlation rules and meta filters as
// loaded from YAML, with the location of every part, before compilation.
//
// A file may hold several YAML documents (`---`); each is a detection rule, a correlation
// rule (`correlation:`), a meta filter (`filter:`), or an `action: global` / `reset`
// document of a Sigma 1 rule collection (its keys are defaults for the documents after
// it). Structural problems become located diagnostics (`sigma.*` codes) and the document
// is skipped; the other documents still load.
//
//   detect::RuleSet rules;
//   core::Diagnostics diags;
//   rules.add_path("rules/", diags);          // a file or a directory (*.yml, *.yaml)
//   for (const detect::Rule& r : rules.rules()) std::cout << r.title;
//
// Thread-safety: a RuleSet is built by one thread; once built it may be read by many.
// Ownership: rules own their strings; nothing refers to the YAML documents afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/digest.h"
#include "core/location.h"

namespace sekimori::detect {

enum class RuleKind : uint8_t { kDetection, kCorrelation, kFilter };

struct SigmaValue {
  enum class Type : uint8_t { kString, kInt, kDouble, kBool, kNull };
  Type type = Type::kString;
  std::string text;  // the value as written (numbers keep their spelling)
  double number = 0;
  bool boolean = false;
  core::Location location;
};

// One `field|mod|mod: value(s)` entry; keyword entries have keyword = true and no field.
struct DetectionItem {
  std::string field;
  bool keyword = false;
  std::vector<std::string> modifiers;
  std::vector<SigmaValue> values;
  core::Location location;
};

// A named selection: OR over alternatives, each an AND of items (a YAML map is one
// alternative; a list of maps is several; a list of plain values is keywords).
struct Selection {
  std::string name;
  std::vector<std::vector<DetectionItem>> alternatives;
  core::Location location;
};

struct ConditionText {
  std::string text;
  core::Location location;
};

enum class CorrelationType : uint8_t {
  kEventCount, kValueCount, kTemporal, kTemporalOrdered, kValueSum, kValueAvg, kValuePercentile
};
[[nodiscard]] const char* correlation_type_name(CorrelationType t);

// A correlation condition: a conjunction of bounds, or (temporal types) a boolean
// expression over the names of the correlated rules.
struct CountCondition {
  std::optional<double> gt, gte, lt, lte, eq;
  std::string field;       // value_count, value_sum, value_avg, value_percentile
  std::string expression;  // temporal / temporal_ordered: "a and (b or c)"
  [[nodiscard]] bool has_bounds() const { return gt || gte || lt || lte || eq; }
  [[nodiscard]] bool holds(double v) const {
    return (!gt || v > *gt) && (!gte || v >= *gte) && (!lt || v < *lt) && (!lte || v <= *lte) && (!eq || v == *eq);
  }
};

struct Correlation {
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rules;  // ids or names
  std::vector<std::string> group_by;
  int64_t timespan_ms = 0;
  CountCondition condition;
  std::map<std::string, std::map<std::string, std::string>> aliases;  // alias -> rule name -> field
  bool generate = false;
};

struct Rule {
  RuleKind kind = RuleKind::kDetection;
  std::string id, name, title, description, status, level, author, date, modified;
  std::vector<std::string> tags, references, falsepositives;
  std::string product, service, category;  // logsource
  std::vector<Selection> selections;
  std::vector<ConditionText> conditions;  // OR-ed (a list of conditions is Sigma 1 style)
  Correlation correlation;
  std::vector<std::string> filter_rules;  // meta filter: ids or names it applies to
  core::Location location;                // where the document starts
};

struct RuleLimits {
  uint64_t max_file_bytes = 4 << 20;   // one rule file
  uint32_t max_documents = 1000;       // documents in one file
  uint32_t max_yaml_depth = 32;
  uint32_t max_values = 100'000;       // values in one rule
};

class RuleSet {
 public:
  explicit RuleSet(RuleLimits limits = {}) : limits_(limits) {}

  // Loads a rule file, or every *.yml / *.yaml under a directory (sorted, recursive).
  // Files with the same text as one already loaded (a directory that holds the bundled
  // detections) are left out, with one note (`sigma.same_text`) for the directory.
  void add_path(const std::string& path, core::Diagnostics& diags);
  // Loads YAML text as if read from `path`; a text loaded before is noted, not loaded
  // again. `origin` names the text in such notes (default: `path`). `snapshot`: the
  // text's tree made at build time (formats/snapshot.h), rebuilt instead of parsing.
  void add_text(const std::string& path, std::string text, core::Diagnostics& diags,
                std::string_view origin = {}, std::string_view snapshot = {});

  [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
  [[nodiscard]] const RuleLimits& limits() const { return limits_; }

 private:
  // add_text() for a text not loaded before.
  void load_text(const std::string& path, std::string text, core::Diagnostics& diags,
                 std::string_view snapshot);
  // Reads a rule file up to the size limit; false (reported) when it cannot be read.
  bool read_file(const std::string& path, std::string& text, core::Diagnostics& diags) const;

  RuleLimits limits_;
  std::vector<Rule> rules_;
  core::SeenTexts texts_;  // of the files loaded so far
};

// A correlation timespan ("30s", "5m", "1h", "2d", "1w"; "1M" = 30 days, "1y" = 365 days) in
// milliseconds, or nullopt when it is not one. Also the syntax of the commands' durations.
std::optional<int64_t> parse_timespan_ms(std::string_view s);

}  // namespace sekimori::detect
