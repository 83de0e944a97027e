// Byte-level text helpers for Sigma matching: ASCII case folding without allocation, and
// the hash and equality that let string-keyed maps be searched with a string_view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace sekimori::detect::internal {

// For std::unordered_map<std::string, T, SvHash, SvEq>: find() takes a string_view.
struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct SvEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

inline bool has_non_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Eight bytes at a time, as one little-endian word: `x` with its ASCII capitals
// lower-cased (bytes of 0x80 and above are left as they are).
inline uint64_t lower8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  uint64_t seven = x & ~kHigh;                         // each byte below 0x80: no carry out of it
  uint64_t from_a = seven + kOnes * (0x80 - 'A');      // high bit: byte >= 'A'
  uint64_t past_z = seven + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
  uint64_t upper = from_a & ~past_z & ~x & kHigh;      // 'A'..'Z' (and ASCII)
  return x | (upper >> 2);                             // 0x80 >> 2 = 0x20
}
inline uint64_t load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, sizeof x);
  return x;
}
inline uint32_t load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

// Copies src[0, n) to dst with ASCII capitals lower-cased; false when a byte is not ASCII.
// A word at a time; the last word overlaps the one before rather than going byte by byte.
inline bool lower_ascii(const char* src, size_t n, char* dst) {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  if (n < 8) {
    unsigned char high = 0;
    for (size_t i = 0; i < n; ++i) {
      high |= static_cast<unsigned char>(src[i]);
      dst[i] = lower(src[i]);
    }
    return (high & 0x80) == 0;
  }
  uint64_t high = 0;
  for (size_t i = 0;; i += 8) {
    if (i + 8 > n) i = n - 8;
    uint64_t x = load8(src + i);
    high |= x;
    uint64_t l = lower8(x);
    std::memcpy(dst + i, &l, sizeof l);
    if (i + 8 == n) break;
  }
  return (high & kHigh) == 0;
}

// `needle` is already lower-case when `cased` is false.
inline bool eq_at(std::string_view hay, size_t pos, std::string_view needle, bool cased) {
  if (pos + needle.size() > hay.size()) return false;
  if (cased) return hay.compare(pos, needle.size(), needle) == 0;
  const char* h = hay.data() + pos;
  const size_t n = needle.size();
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (lower(h[i]) != needle[i]) return false;
    }
    return true;
  }
  for (size_t i = 0;; i += 8) {
    if (i + 8 > n) i = n - 8;
    if (lower8(load8(h + i)) != load8(needle.data() + i)) return false;
    if (i + 8 == n) return true;
  }
}

inline bool equals(std::string_view hay, std::string_view needle, bool cased) {
  return hay.size() == needle.size() && eq_at(hay, 0, needle, cased);
}
inline bool starts_with(std::string_view hay, std::string_view needle, bool cased) {
  return eq_at(hay, 0, needle, cased);
}
inline bool ends_with(std::string_view hay, std::string_view needle, bool cased) {
  return hay.size() >= needle.size() && eq_at(hay, hay.size() - needle.size(), needle, cased);
}
inline size_t find(std::string_view hay, std::string_view needle, bool cased, size_t from = 0) {
  if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
  if (cased) return hay.find(needle, from);
  char first = needle[0];
  char upper = (first >= 'a' && first <= 'z') ? static_cast<char>(first - 32) : first;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    char c = hay[i];
    if ((c == first || c == upper) && eq_at(hay, i, needle, false)) return i;
  }
  return std::string_view::npos;
}

// Compares a value against a field's text case-insensitively (both sides folded).
inline bool equals_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Length of the UTF-8 sequence starting with byte `c` (1 for invalid bytes).
inline size_t utf8_len(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

}  // namespace sekimori::detect::internal
