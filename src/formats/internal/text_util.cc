#include "formats/internal/text_util.h"

#include <algorithm>
#include <cstring>

namespace sekimori::formats::internal {

LineIndex::LineIndex(std::string_view text) : size_(text.size()) {
  starts_.reserve(text.size() / 32 + 1);
  starts_.push_back(0);
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
    starts_.push_back(static_cast<uint64_t>(p - begin));
  }
}

Pos LineIndex::pos_elsewhere(uint64_t offset) const {
  if (offset > size_) offset = size_;
  size_t line = hint_;
  // Not the line of the last lookup (pos() answers that): one of the next few lines, or a
  // binary search.
  if (starts_[line] <= offset) {
    size_t steps = 0;
    while (line + 1 < starts_.size() && starts_[line + 1] <= offset && steps < 8) {
      ++line;
      ++steps;
    }
    if (line + 1 < starts_.size() && starts_[line + 1] <= offset) {
      line = static_cast<size_t>(std::upper_bound(starts_.begin() + static_cast<ptrdiff_t>(line),
                                                  starts_.end(), offset) -
                                 starts_.begin()) -
             1;
    }
  } else {
    line = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) -
                               starts_.begin()) -
           1;
  }
  hint_ = line;
  Pos p;
  p.line = static_cast<uint32_t>(std::min<size_t>(line + 1, UINT32_MAX));
  p.column = static_cast<uint32_t>(std::min<uint64_t>(offset - starts_[line] + 1, UINT32_MAX));
  p.offset = offset;
  return p;
}

size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

bool strip_bom(std::string& text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.erase(0, 3);
    return true;
  }
  return false;
}

}  // namespace sekimori::formats::internal
