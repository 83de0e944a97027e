// sekimori::detect::Correlator — evaluates correlation rules over rule matches given in
// event-time order.
//
// Each match of a rule that a correlation uses becomes a CorrelationInput (group key
// values and aggregated field already extracted from the event). Per correlation and
// group, the Correlator keeps the matches inside the timespan; state older than the
// timespan is dropped, so memory is bounded by timespan × match rate.
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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/engine.h"

namespace sekimori::detect {

struct CorrelationInput {
  uint32_t correlation = 0;
  uint32_t position = 0;
  int64_t time_ms = 0;
  uint64_t seq = 0;  // tie-break keeping input order
  std::vector<std::string> group_values;
  std::string value;
  Alert base;
};

// Builds the input for `feed` from an event (group and value fields looked up).
CorrelationInput make_correlation_input(const CorrelationFeed& feed, simdjson::dom::element record, Alert base);

class Correlator {
 public:
  explicit Correlator(const Engine& engine, size_t max_contributing = 20);
  ~Correlator();
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  void add(CorrelationInput in, std::vector<Alert>& out);
  // Closes every open window (end of input).
  void finish(std::vector<Alert>& out);
  // Matches currently held in windows.
  [[nodiscard]] size_t held() const;
  [[nodiscard]] size_t peak_held() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sekimori::detect
