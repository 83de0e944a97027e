// sekimori::store metrics — summary statistics of durations (time to detect, respond,
// remediate), computed in C++ so that every backend gives the same numbers.
//
//   store::Stats s = store::summarize({1000, 3000, 2000});  // count 3, median 2000
//
// Percentiles use the nearest-rank method on the sorted values: p = value at rank
// ceil(p/100 * n) (1-based); the median of an even count is the mean of the two middle
// values. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace sekimori::store {

struct Stats {
  int64_t count = 0;
  double mean_ms = 0;
  double median_ms = 0;
  int64_t p90_ms = 0;
  int64_t min_ms = 0;
  int64_t max_ms = 0;
};

[[nodiscard]] Stats summarize(std::vector<int64_t> values);

}  // namespace sekimori::store
