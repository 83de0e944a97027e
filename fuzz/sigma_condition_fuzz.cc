// Fuzz target: parse_condition on arbitrary bytes; on success the tree is walked and its
// depth checked against the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/condition.h"

namespace {

int depth(const sekimori::detect::CondNode& n) {
  int d = 0;
  for (const auto& c : n.children) d = std::max(d, depth(c));
  return d + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sekimori::detect::ConditionLimits limits;
  auto r = sekimori::detect::parse_condition(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (r.ok() && depth(*r) > static_cast<int>(limits.max_depth) + 2) __builtin_trap();
  return 0;
}
