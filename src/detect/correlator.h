// sekimori::detect::Correlator — evaluates correlation rules over rule matches given in
// event-time order.
//
// Each match of a rule that a correlation uses becomes a CorrelationInput (group key
// values and aggregated field already extracted from the event). Per correlation and
// group, the Correlator keeps the matches inside the timespan; state older than the
// timespan is dropped, so memory is bounded by timespan × match rate. An input carries a
// MatchedEvent (context in one buffer plus the event), not a whole Alert; the event text
// of matches beyond the first max_contributing of a window is dropped on arrival.
//
// Windows: conditions that can only become true as matches accumulate (gt/gte bounds,
// and temporal rules) are evaluated on every arrival over the sliding window
// [t - timespan, t] and the group is cleared after it fires; conditions with an upper
// bound or equality (lt, lte, eq) and value_avg are evaluated when a window (opened by the
// group's first match, one timespan long) closes, or at finish(). value_percentile fires
// when the share (in %) of window matches carrying the arriving match's value satisfies
// the condition. docs/formats/sigma.md discusses these choices.
//
//   detect::Correlator corr(engine);
//   for (auto& in : inputs_sorted_by_time) corr.add(std::move(in), alerts);
//   corr.finish(alerts);
//
// Thread-safety: none; one Correlator per run.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "detect/engine.h"

namespace sekimori::detect {

// What correlation keeps of one match: its rule, time and input position, the alert
// context (event time, account, region, principal, source IP, event name and source) and
// the minified event, in one buffer. That is what a correlation alert shows of its last
// event and of its contributing events; nothing else of the Alert is built. The file name
// is shared by the matches of one file.
//
// The context and event lie in `shared`: the context at [shared_at, shared_at +
// ends[kFields - 1]), the event right after it, `shared_event` bytes long. With `chunk`
// set, `shared` is a chunk shared by several matches of one file (hunt() appends each
// match's context, event and group keys to such a chunk instead of allocating per match);
// otherwise it is this match's own buffer (null when empty). Read them with field() and
// event_text(); own() copies a chunk's bytes out (the Correlator does so for matches it
// keeps longer than kShareSpanMs). The struct stays small (it is moved per input twice).
struct MatchedEvent {
  enum Field : uint8_t {
    kEventTime,
    kAccount,
    kRegion,
    kPrincipal,
    kSourceIp,
    kEventName,
    kEventSource,
    kFields
  };
  uint32_t rule = 0;
  uint32_t shared_event = 0;  // bytes of the event (0 once not needed, or for correlation alerts)
  int64_t time_ms = 0;
  uint64_t offset = 0, record = 0;
  std::shared_ptr<const std::string> file;
  std::shared_ptr<const std::string> shared;  // see above
  size_t shared_at = 0;
  std::array<uint32_t, kFields> ends{};  // end of each field in the context
  bool has_time = false;
  bool chunk = false;  // `shared` is a chunk of several matches
  bool event_dropped = false;  // drop_event() forgot an event this match had

  [[nodiscard]] std::string_view field(Field f) const {
    if (!shared) return {};
    uint32_t b = f == 0 ? 0 : ends[f - 1];
    return std::string_view(*shared).substr(shared_at + b, ends[f] - b);
  }
  [[nodiscard]] std::string_view event_text() const {
    return shared ? std::string_view(*shared).substr(shared_at + ends[kFields - 1], shared_event)
                  : std::string_view();
  }
  // Forgets the event text (the context stays; an own buffer is made anew without it).
  void drop_event();
  // Copies a chunk's context and event into a buffer of this match alone, releasing the
  // chunk (CorrelationInput::own() when the group keys are in the chunk too).
  void own();
  // `file`: shared name of a.file (made from a.file when null).
  static MatchedEvent from_alert(const AlertView& a, std::shared_ptr<const std::string> file = nullptr);
  // The same, appending the context and event to `*shared` (a chunk for several matches; it
  // must not be read on another thread until the last append) instead of allocating. The
  // chunk's next 2 KiB, where the next match will go, are then prefetched for writing.
  static MatchedEvent from_alert(const AlertView& a, std::shared_ptr<const std::string> file,
                                 const std::shared_ptr<std::string>& shared);
  // The alert with these contents (not a correlation alert).
  [[nodiscard]] Alert to_alert(const Engine& engine) const;
};

struct CorrelationInput {
  uint32_t correlation = 0;
  uint32_t position = 0;
  int64_t time_ms = 0;
  // The group-by values, each followed by '\x1f' (the group key; '\x1e' and '\x1f' inside a
  // value are escaped with '\x1e'), then the aggregated value: one buffer per input, or,
  // when `keys_shared` is set, `keys_size` bytes at `keys_at` in the match's chunk
  // (base.shared; make_correlation_input appends them there after the context and event,
  // so an input built by a worker allocates nothing of its own). Read them with
  // all_keys(), group_key() and value() (views; a chunk's are not NUL-terminated).
  std::string keys;
  size_t keys_at = 0;
  uint32_t keys_size = 0;
  uint32_t value_at = 0;  // where the value starts in the keys
  bool keys_shared = false;
  // Hashes of group_key() and value() (std::hash<std::string_view>), computed by
  // compute_hashes() on the thread that builds the input, so the Correlator's thread only
  // looks them up; when `hashed` is false the Correlator computes them itself.
  bool hashed = false;
  size_t key_hash = 0, value_hash = 0;
  MatchedEvent base;

  // Build with add_group_value() for each group-by field, then set_value() (optional);
  // both write to `keys` (owned keys).
  void add_group_value(std::string_view v);
  void set_value(std::string_view v);
  [[nodiscard]] std::string_view all_keys() const {
    return keys_shared ? std::string_view(*base.shared).substr(keys_at, keys_size) : std::string_view(keys);
  }
  [[nodiscard]] std::string_view group_key() const { return all_keys().substr(0, value_at); }
  [[nodiscard]] std::string_view value() const { return all_keys().substr(value_at); }
  [[nodiscard]] std::vector<std::string> group_values() const;
  // Sets key_hash and value_hash from the current keys (call after the last change).
  void compute_hashes();
  // Copies shared keys, context and event out of the chunk (MatchedEvent::own(), which
  // alone would leave shared keys without their buffer).
  void own();
};

// Builds the input for `feed` from an event (group and value fields looked up).
CorrelationInput make_correlation_input(const CorrelationFeed& feed, simdjson::dom::element record,
                                        MatchedEvent base);
// The same, reading the fields from the field table of `fields`, which must have just
// matched `record` (Engine::match with a MatchScratch). With `chunk` (which must be
// base.shared), the keys are appended to it instead of allocated (keys_shared).
CorrelationInput make_correlation_input(const CorrelationFeed& feed, simdjson::dom::element record,
                                        MatchScratch& fields, MatchedEvent base, std::string* chunk = nullptr);

class Correlator {
 public:
  // Matches whose bytes are in a shared chunk (MatchedEvent::shared) keep that chunk alive
  // while they are in a window; in windows longer than this they are copied out when they
  // arrive, so a long timespan does not pin chunks that other matches have left.
  static constexpr int64_t kShareSpanMs = 3'600'000;

  explicit Correlator(const Engine& engine, size_t max_contributing = 20);
  ~Correlator();
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  // Takes the input's buffers (`in` is left moved-from).
  void add(CorrelationInput&& in, std::vector<Alert>& out);
  // A hint that `in` will be added soon, with no effect on results: stage 0 fetches its
  // group's slot in the group index into the cache, stage 1 (a few inputs later) the
  // group, stage 2 (later still) the group's key and oldest match. hunt() calls it for
  // the inputs 12, 6 and 3 places ahead, so the lookups find them in the cache.
  void prefetch(const CorrelationInput& in, int stage) const;
  // Closes every open window (end of input).
  void finish(std::vector<Alert>& out);
  // Closes every open window, as finish() does, and forgets the time: the next input
  // starts afresh, whatever its time. For input that goes back in time (the logs of a
  // second account or trail after a first one's, the same logs twice): no window then
  // holds matches of both, and the windows open when the stream went back do not take
  // every older match that follows (they would never close: time no longer advances).
  void restart(std::vector<Alert>& out);
  // Matches currently held in windows.
  [[nodiscard]] size_t held() const;
  [[nodiscard]] size_t peak_held() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sekimori::detect
