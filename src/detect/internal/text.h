// Byte-level text helpers for Sigma matching: ASCII case folding without allocation, and
// the hash and equality that let string-keyed maps be searched with a string_view.
#pragma once

#include <cstddef>
#include <cstdint>
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

// `needle` is already lower-case when `cased` is false.
inline bool eq_at(std::string_view hay, size_t pos, std::string_view needle, bool cased) {
  if (pos + needle.size() > hay.size()) return false;
  if (cased) return hay.compare(pos, needle.size(), needle) == 0;
  for (size_t i = 0; i < needle.size(); ++i) {
    if (lower(hay[pos + i]) != needle[i]) return false;
  }
  return true;
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
