// sekimori::detect alerts — what a rule match produces, and its JSON and OCSF forms.
//
// An Alert names its rule (id, title, level, tags through RuleMeta), the event time and
// the CloudTrail context (account, region, principal, source IP, event name/source), the
// matched event itself, and for correlation rules the group and the contributing events.
// An AlertView shows the same single-event alert through views: hunt() fills one per
// matched record from the record's own parsed strings and text, renders it and copies out
// only what outlives the record.
//
//   detect::Alert a = detect::make_alert(engine, rule_index, record, "f.json", 0, 3);
//   std::string line = detect::alert_json(a);           // one JSON object, no newline
//   std::string ocsf = detect::alert_ocsf(a, "0.1.0");  // OCSF 1.1.0 Detection Finding
//   detect::AlertView v;        // per thread, reused, with its AlertViewText
//   detect::AlertViewText room;
//   detect::fill_alert_view(v, room, engine, rule_index, record, text, scratch, "f.json", 0, 3);
//   detect::Alert kept = detect::to_alert(v);  // owned copy, valid after the record
//
// Thread-safety: plain values; the RuleMeta pointer refers into the Engine, which must
// outlive the alert. Rendering functions are pure.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detect/engine.h"
#include "detect/source.h"

namespace sekimori::detect {

struct AlertView;

struct Alert {
  uint32_t rule = 0;
  const RuleMeta* meta = nullptr;
  int64_t time_ms = 0;
  bool has_time = false;
  std::string event_time, account, region, principal, source_ip, event_name, event_source;
  std::string file;
  uint64_t offset = 0;  // byte offset of the record's document (see RecordSink)
  uint64_t record = 0;  // index of the record in its file
  std::string event;    // the matched event, minified JSON

  // Correlation alerts.
  bool correlation = false;
  std::string correlation_type;
  std::vector<std::pair<std::string, std::string>> group;  // group-by field -> value
  uint64_t event_count = 0;      // events in the window that fired
  double aggregate = 0;          // the value the condition was applied to
  std::vector<Alert> contributing;  // the first events (bounded), each with its own rule

  // A view of this alert (its correlation members through AlertView::full); like
  // std::string's to std::string_view, valid while the alert is unchanged.
  operator AlertView() const;  // NOLINT(google-explicit-constructor)
};

// A single-event alert whose strings are views: into the matched record's parsed strings
// and text (fill_alert_view, valid until the record's parser moves on), or into an Alert
// (its conversion, which also sets `full` so that a correlation alert's group and
// contributing events stay reachable).
struct AlertView {
  uint32_t rule = 0;
  const RuleMeta* meta = nullptr;
  int64_t time_ms = 0;
  bool has_time = false;
  std::string_view event_time, account, region, principal, source_ip, event_name, event_source;
  std::string_view file;
  uint64_t offset = 0;  // byte offset of the record's document (see RecordSink)
  uint64_t record = 0;  // index of the record in its file
  std::string_view event;
  const Alert* full = nullptr;  // the Alert viewed, when made from one

  [[nodiscard]] bool correlation() const { return full != nullptr && full->correlation; }
};

// Room for what an AlertView shows that the record does not hold as text: numbers written
// out and an event that had to be minified. One per thread, reused (no allocation once
// `event` has grown).
struct AlertViewText {
  std::array<char[64], 7> numbers{};  // one per context member of AlertView
  std::string event;
};

// The owned alert of a view (a correlation alert's members come from `full`).
Alert to_alert(const AlertView& v);
// The same, into `a`, whose strings keep their capacity.
void assign_alert(Alert& a, const AlertView& v);

Alert make_alert(const Engine& engine, uint32_t rule, simdjson::dom::element record, std::string_view file,
                 uint64_t offset, uint64_t index);
// The same, taking the event text from the record's own bytes when that gives the same
// result (RecordText::plain_numbers and no `\u` / `\/` escape): whitespace is stripped
// from the bytes instead of re-serialising the DOM, which is several times faster.
Alert make_alert(const Engine& engine, uint32_t rule, simdjson::dom::element record, RecordText text,
                 std::string_view file, uint64_t offset, uint64_t index);
// Fills `a` in place as make_alert does; its strings keep their capacity, so reusing one
// Alert per thread builds alerts without allocating once the strings have grown.
void fill_alert(Alert& a, const Engine& engine, uint32_t rule, simdjson::dom::element record, RecordText text,
                std::string_view file, uint64_t offset, uint64_t index);
// The same alert as a view, without copying the context or the event, reading the
// context from the field table of `fields`, which must have just matched `record`
// (Engine::match with a MatchScratch): no field is searched for again. Strings view the
// record's parsed strings (valid until `record`'s parser parses again), `text` when the
// event can be taken from it, `file`, and `room` for the rest; to_alert() owns them.
void fill_alert_view(AlertView& v, AlertViewText& room, const Engine& engine, uint32_t rule,
                     simdjson::dom::element record, RecordText text, MatchScratch& fields,
                     std::string_view file, uint64_t offset, uint64_t index);

// The minified event text of a record (as Alert::event).
std::string event_text(simdjson::dom::element record, RecordText text);

std::string alert_json(const AlertView& a);
// `record_at`, when given, is set to the position in the result of the decimal digits of
// a.record (in finding_info.uid, the only place it is written).
std::string alert_ocsf(const AlertView& a, std::string_view product_version, size_t* record_at = nullptr);
// Renders alerts exactly as alert_json() does (same bytes), appending to a caller's
// buffer, with each rule's constant part (`{"rule":{...}`) serialised once up front.
//   detect::AlertJsonRenderer r(engine);
//   r.append(alert, buf); buf += '\n';
// Thread-safety: immutable after construction; append() may run on many threads. The
// Engine must outlive it. Alerts of another engine are rendered with alert_json().
class AlertJsonRenderer {
 public:
  explicit AlertJsonRenderer(const Engine& engine);
  // `record_at`, when given, gets the position in `out` of a.record's decimal digits
  // (written once, in "input"; single-event alerts only: a correlation alert's
  // contributing events hold more).
  void append(const AlertView& a, std::string& out, std::vector<size_t>* record_at = nullptr) const;

 private:
  const Engine* engine_;
  std::vector<std::string> rule_prefix_;  // by rule index
};

// "2024-07-31T13:06:24.000Z"
std::string format_time_ms(int64_t ms);

}  // namespace sekimori::detect
