#include "store/metrics.h"

#include <algorithm>
#include <numeric>

namespace sekimori::store {

Stats summarize(std::vector<int64_t> values) {
  Stats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  s.count = static_cast<int64_t>(n);
  long double sum = std::accumulate(values.begin(), values.end(), static_cast<long double>(0));
  s.mean_ms = static_cast<double>(sum / static_cast<long double>(n));
  s.median_ms = n % 2 == 1
                    ? static_cast<double>(values[n / 2])
                    : (static_cast<double>(values[n / 2 - 1]) + static_cast<double>(values[n / 2])) / 2.0;
  size_t rank = (90 * n + 99) / 100;  // ceil(0.9 n), 1-based
  s.p90_ms = values[std::max<size_t>(rank, 1) - 1];
  s.min_ms = values.front();
  s.max_ms = values.back();
  return s;
}

}  // namespace sekimori::store
