// sekimori::detect::Engine — Sigma rules compiled once, evaluated on many events.
//
// Compilation checks every modifier and value (located `sigma.*` diagnostics; a rule
// with an error is left out, the others are kept), compiles patterns and regular
// expressions (RE2), applies meta filters to the rules they name, resolves the rules
// that correlation rules refer to, and indexes rules by the constant values their
// conditions require for `eventName` / `eventSource`, so an event is only tested against
// the few rules that can match it. Field names are dotted paths into the event
// (`userIdentity.arn`); docs/formats/sigma.md describes matching in full.
//
//   detect::RuleSet set; set.add_path("rules/", diags);
//   auto engine = detect::Engine::build(set, {}, diags);
//   std::vector<uint32_t> hits;
//   engine->match(record, hits);   // record: a simdjson::dom::element (an object)
//   for (uint32_t r : hits) engine->rule(r).title;
//   detect::MatchScratch scratch(*engine);       // per thread: with the record's text,
//   engine->match(record, text, scratch, hits);  // prefiltered rules are skipped
//   scratch.field(record, detect::kFieldEventTime);  // resolved once per record (below)
//
// An unindexed rule whose condition requires some field to equal or start with one of a
// few values is gated on it: only evaluated on events where that field's value does (or
// is not a plain string). Gated rules keep their place in the candidate order.
//
// Rules whose condition needs one of a few literal fragments (from contains / startswith /
// endswith / equals values and wildcard literals) are also put in a Vectorscan database;
// given the record's raw JSON text, match() scans it once and skips those rules when
// none of their fragments occurs.
//
// Field table: every field path that a loaded rule, a correlation feed (group-by and
// value fields) or the alert context reads gets a slot at build time. With a
// MatchScratch, match() resolves those slots for the record once, lazily, one object
// level at a time (each object on the way is walked once, its keys looked up in a small
// table of the names in use): conditions, the eventName/eventSource index, alert context
// and correlation group values then read slots instead of searching the record again.
// Slots give the same result as walking the path (arrays on the way, keys with dots in
// them fall back to the full walk).
//
// Thread-safety: a built Engine is immutable; match() may run on many threads at once,
// each with its own MatchScratch.
// Ownership: the Engine copies what it needs from the RuleSet.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/result.h"
#include "detect/sigma.h"

namespace sekimori::detect {

struct EngineOptions {
  // Values for `expand` placeholders: "%admins%" -> {"alice", "bob"}. A placeholder with
  // no values is an error (`sigma.unresolved_placeholder`).
  std::map<std::string, std::vector<std::string>> placeholders;
  uint32_t max_variants = 4096;  // patterns one value may expand to (windash, expand)
  // Vectorscan prefilter (docs/formats/sigma.md "Prefilter"): rules whose condition
  // requires one of a set of literal fragments are only evaluated on records whose text
  // contains one. `prefilter_indexed` also prefilters rules reached through the
  // eventName/eventSource index (off: measured slower, the index already narrows them).
  bool prefilter = true;
  bool prefilter_indexed = false;
};

// Counters of one MatchScratch (summed by hunt()).
struct MatchStats {
  uint64_t events = 0;       // events given to match()
  uint64_t scanned = 0;      // events whose text was scanned by the prefilter
  uint64_t unscannable = 0;  // events without text, or whose text has \u or \/ escapes
  uint64_t evaluated = 0;    // rule conditions evaluated
  uint64_t skipped = 0;      // prefiltered rules not evaluated (none of their fragments occurred)
  void add(const MatchStats& o) {
    events += o.events, scanned += o.scanned, unscannable += o.unscannable;
    evaluated += o.evaluated, skipped += o.skipped;
  }
};

inline constexpr uint32_t kNoFieldSlot = UINT32_MAX;

// What an alert needs to know about the rule that raised it.
struct RuleMeta {
  RuleKind kind = RuleKind::kDetection;
  std::string id, name, title, description, level, status, author;
  std::vector<std::string> tags, references, falsepositives;
  core::Location location;
  bool standalone = true;  // raises its own alerts (false for rules only a correlation uses)
};

// How a detection rule feeds a correlation: which correlation, at which position of its
// `rules` list, and which fields give the group key and the aggregated value.
struct CorrelationFeed {
  uint32_t correlation = 0;  // index into Engine::correlations()
  uint32_t position = 0;     // index into that correlation's `rules`
  std::vector<std::string> group_fields;  // aliases resolved for this rule
  std::string value_field;                // empty unless the type aggregates a field
  // Field slots (MatchScratch::field) of group_fields and value_field; kNoFieldSlot for
  // an empty value_field or a path too deep for the field table (looked up directly).
  std::vector<uint32_t> group_slots;
  uint32_t value_slot = kNoFieldSlot;
};

struct CorrelationPlan {
  uint32_t rule = 0;  // index of the correlation rule itself (for its RuleMeta)
  Correlation spec;
  std::vector<std::string> rule_names;   // the `rules` entries, as written
  std::vector<uint32_t> feeders;          // engine rule indices, parallel to rule_names
  std::vector<CorrelationFeed> downstream;  // correlations this correlation feeds
};

class Engine;

// Field slots of the alert context, always present in an Engine's field table (the first
// slots, in this order); rules' and correlations' fields follow.
enum ContextField : uint32_t {
  kFieldEventTime,           // eventTime
  kFieldRecipientAccountId,  // recipientAccountId
  kFieldUserAccountId,       // userIdentity.accountId
  kFieldAwsRegion,           // awsRegion
  kFieldUserArn,             // userIdentity.arn
  kFieldUserPrincipalId,     // userIdentity.principalId
  kFieldUserInvokedBy,       // userIdentity.invokedBy
  kFieldUserType,            // userIdentity.type
  kFieldSourceIp,            // sourceIPAddress
  kFieldEventName,           // eventName
  kFieldEventSource,         // eventSource
  kContextFields
};
// The dotted path of a context field ("userIdentity.arn").
std::string_view context_field_path(ContextField f);

// Per-thread matching state: Vectorscan scratch space, the fragment hits of the current
// event, the field table of the current event, and counters. Create one per thread from a
// built Engine, which must outlive it.
class MatchScratch {
 public:
  explicit MatchScratch(const Engine& engine);
  MatchScratch(MatchScratch&&) noexcept;
  MatchScratch& operator=(MatchScratch&&) noexcept;
  ~MatchScratch();
  [[nodiscard]] const MatchStats& stats() const;
  // The value of field slot `slot` (Engine::field_slot(), ContextField) in `record`, which
  // must be the record last given to Engine::match() with this scratch: the same result as
  // lookup(record, path). Resolved on first use and kept for the record.
  simdjson::simdjson_result<simdjson::dom::element> field(simdjson::dom::element record, uint32_t slot);

  struct Impl;  // opaque (defined in engine.cc)

 private:
  friend class Engine;
  std::unique_ptr<Impl> impl_;
};

class Engine {
 public:
  static core::Result<Engine> build(const RuleSet& rules, const EngineOptions& options, core::Diagnostics& diags);

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // Appends to `out` (after clearing it) the indices of the detection rules that match.
  // Correlation rules never appear here; see feeds(). No allocation once `out` has grown.
  void match(simdjson::dom::element event, std::vector<uint32_t>& out) const;
  // The same result, using the record's own JSON text (RecordText::json; may be empty)
  // to skip prefiltered rules none of whose fragments occur in it.
  void match(simdjson::dom::element event, std::string_view text, MatchScratch& scratch,
             std::vector<uint32_t>& out) const;

  [[nodiscard]] size_t rule_count() const;
  [[nodiscard]] const RuleMeta& rule(uint32_t index) const;
  // The correlations a detection rule feeds (empty for most rules).
  [[nodiscard]] const std::vector<CorrelationFeed>& feeds(uint32_t rule) const;
  [[nodiscard]] const std::vector<CorrelationPlan>& correlations() const;
  // Detection rules that compiled (excluding correlations and filters) and how many of
  // them are reached through the eventName/eventSource index rather than tried on every event.
  [[nodiscard]] size_t detection_count() const;
  [[nodiscard]] size_t indexed_count() const;
  // Of the others, those only evaluated on events whose eventName starts with one of the
  // prefixes their condition requires (`eventName|startswith`); not prefiltered.
  [[nodiscard]] size_t prefix_indexed_count() const;
  // Detection rules evaluated only when one of their literal fragments occurs in the
  // event's text, and the number of distinct fragments in the Vectorscan database.
  [[nodiscard]] size_t prefiltered_count() const;
  [[nodiscard]] size_t fragment_count() const;
  // The slot of a dotted field path in the field table (see above), if it has one.
  [[nodiscard]] std::optional<uint32_t> field_slot(std::string_view dotted) const;
  [[nodiscard]] size_t field_count() const;

 private:
  struct Impl;
  friend class MatchScratch;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Field helpers shared with the sources and alerts. Resolves a dotted path; arrays on
// the way are not descended (returns an error element when absent).
simdjson::simdjson_result<simdjson::dom::element> lookup(simdjson::dom::element root, std::string_view dotted);
// Text of a scalar (strings as is, numbers formatted, booleans "true"/"false"); empty
// for absent, null, arrays and objects.
std::string scalar_text(simdjson::simdjson_result<simdjson::dom::element> e);
// The same, assigned to `out` (which keeps its capacity: no allocation once it has grown).
void assign_scalar_text(simdjson::simdjson_result<simdjson::dom::element> e, std::string& out);
// The same as a view: of the DOM's string, or of `buf` for numbers (valid while both are);
// false for absent, null, arrays and objects.
bool scalar_text_view(simdjson::simdjson_result<simdjson::dom::element> e, std::string_view& out,
                      char (&buf)[64]);
// Parses an RFC 3339 / ISO 8601 timestamp ("2024-07-31T13:06:24Z", fractions and
// offsets accepted) into milliseconds since the epoch; false when it does not parse or names
// a day the month does not have (2023-02-29).
bool parse_time_ms(std::string_view s, int64_t& out);

}  // namespace sekimori::detect
