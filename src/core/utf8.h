// sekimori::core UTF-8 — encoding and strict decoding of code points, shared by the
// HCL, CEL and Terraform code that reads and builds strings.
//
//   std::string s;
//   core::append_utf8(s, 0x1F600);                     // "\xF0\x9F\x98\x80"
//   uint32_t cp = 0;
//   size_t n = core::decode_utf8(s, 0, cp);            // n == 4, cp == 0x1F600
//   bool ok = core::find_invalid_utf8(s) == std::string_view::npos;
//
// "Strict" means well-formed UTF-8 as Unicode defines it: no overlong forms, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sekimori::core {

// Appends the UTF-8 form of `cp` (at most U+10FFFF; callers check surrogates if they must).
void append_utf8(std::string& out, uint32_t cp);

// Decodes the code point starting at s[i] strictly. Returns its length in bytes (1 to 4)
// and sets `cp`, or 0 (cp unspecified) when s[i] does not start a well-formed sequence.
// `i` must be less than s.size().
size_t decode_utf8(std::string_view s, size_t i, uint32_t& cp);

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
size_t find_invalid_utf8(std::string_view s);

inline bool valid_utf8(std::string_view s) { return find_invalid_utf8(s) == std::string_view::npos; }

}  // namespace sekimori::core
