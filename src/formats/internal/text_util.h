// Private helpers shared by the formats loaders: byte offsets to line/column, UTF-8
// checks, BOM handling and the hard nesting cap that protects recursive parsers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/document.h"

namespace sekimori::formats::internal {

// Nesting deeper than this is rejected whatever Limits::max_depth says: simdjson
// On-Demand walking and yaml-cpp both recurse once per level, and a bounded stack is
// part of the "no input can crash us" promise.
inline constexpr uint32_t kHardMaxDepth = 256;

[[nodiscard]] inline uint32_t effective_max_depth(const Limits& limits) {
  return limits.max_depth < kHardMaxDepth ? limits.max_depth : kHardMaxDepth;
}

// Maps byte offsets to 1-based line and column. A line ends after '\n', so CRLF is one
// line break (the CR is the last byte of its line) and a lone CR is not one. Lookups
// that move forward through the text (the loaders' usual order) are O(1) amortised.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  [[nodiscard]] Pos pos(uint64_t offset) const {
    // inline: the line of the last lookup (most lookups, a value near the one before)
    size_t line = hint_;
    if (offset >= starts_[line] &&
        (line + 1 == starts_.size() ? offset <= size_ : offset < starts_[line + 1])) {
      return Pos{static_cast<uint32_t>(std::min<size_t>(line + 1, UINT32_MAX)),
                 static_cast<uint32_t>(std::min<uint64_t>(offset - starts_[line] + 1, UINT32_MAX)), offset};
    }
    return pos_elsewhere(offset);
  }

 private:
  [[nodiscard]] Pos pos_elsewhere(uint64_t offset) const;

  std::vector<uint64_t> starts_;  // offset of the first byte of each line
  uint64_t size_ = 0;
  mutable size_t hint_ = 0;
};

// The offset of the first byte that is not part of valid UTF-8, or npos when the whole
// text is valid (overlongs, surrogates and code points above U+10FFFF are invalid).
[[nodiscard]] size_t find_invalid_utf8(std::string_view text);

// Removes a leading UTF-8 byte order mark; returns whether there was one.
bool strip_bom(std::string& text);

}  // namespace sekimori::formats::internal
