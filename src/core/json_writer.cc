#include "core/json_writer.h"

#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sekimori::core {

namespace {

// Index of the first byte at or after `i` that cannot be copied as it is (a control
// character, DEL, a non-ASCII byte, '"' or '\\'), or s.size(). Sixteen bytes at a time
// where SSE2 is there (every x86-64 CPU), else eight as one word; the last block of a
// string overlaps the one before instead of going byte by byte (whose bytes were good).
size_t plain_run_end(std::string_view s, size_t i) {
  const char* d = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  // bit k: byte at + k cannot be copied
  auto bad16 = [d](size_t at) {
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i del = _mm_set1_epi8(0x7F);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at));
    // Signed: bytes >= 0x80 are negative, so "< 0x20" also catches them.
    __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)),
                               _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    return static_cast<unsigned>(_mm_movemask_epi8(bad));
  };
  if (n - i >= 16) {
    for (; i + 16 <= n; i += 16) {
      if (unsigned mask = bad16(i); mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    }
    if (i < n) {
      unsigned mask = bad16(n - 16) >> (16 - (n - i));
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    }
    return n;
  }
#endif
  // Eight bytes as one word. Each test marks its lowest matching byte exactly (a borrow can
  // only mark bytes above it), so the lowest mark of any is the first bad byte.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto zero_bytes = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  auto bad8 = [&](size_t at) {
    uint64_t x;
    std::memcpy(&x, d + at, sizeof x);
    return (x & kHigh) | ((x - kOnes * 0x20) & ~x & kHigh) | zero_bytes(x ^ (kOnes * 0x7F)) |
           zero_bytes(x ^ (kOnes * '"')) | zero_bytes(x ^ (kOnes * '\\'));
  };
  static_assert(std::endian::native == std::endian::little);
  if (n - i >= 8) {
    for (; i + 8 <= n; i += 8) {
      if (uint64_t mask = bad8(i); mask != 0) return i + static_cast<size_t>(__builtin_ctzll(mask)) / 8;
    }
    if (i < n) {
      uint64_t mask = bad8(n - 8) >> (8 * (8 - (n - i)));
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctzll(mask)) / 8;
    }
    return n;
  }
  for (; i < n; ++i) {
    auto b = static_cast<unsigned char>(d[i]);
    if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
  }
  return i;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && cont(i + 1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
    if (c == 0xED && byte(i + 1) >= 0xA0) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
    if (c == 0xF4 && byte(i + 1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

bool json_plain(std::string_view s) { return plain_run_end(s, 0) == s.size(); }

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = plain_run_end(s, 0);
  // Most strings (keys, identifiers, types) need no escape: room for all of it at once,
  // then plain copies.
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  out.append(s.data(), i);
  if (i == s.size()) {
    out += '"';
    return;
  }
  while (i < s.size()) {
    // Runs of printable ASCII other than '"' and '\\' (most of any report) go in one append.
    size_t run = plain_run_end(s, i);
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = utf8_sequence_length(s, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for an invalid byte
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

namespace {

// ",\n" and the spaces of the deepest indentation written in one append: a separator and
// the layout before a member or element cost one copy.
constexpr size_t kMaxPad = 128;
constexpr auto kSeparator = [] {
  std::array<char, 2 + kMaxPad> a{};
  a[0] = ',';
  a[1] = '\n';
  for (size_t i = 2; i < a.size(); ++i) a[i] = ' ';
  return a;
}();

}  // namespace

void JsonWriter::separate(bool comma) {
  if (indent_ <= 0) {
    if (comma) out_ += ',';
    return;
  }
  size_t pad = stack_.size() * static_cast<size_t>(indent_);
  if (pad <= kMaxPad) {
    out_.append(kSeparator.data() + (comma ? 0 : 1), (comma ? 2 : 1) + pad);
    return;
  }
  out_ += comma ? ",\n" : "\n";
  out_.append(pad, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  assert(!stack_.back().object && "object members need a key");
  bool comma = !stack_.back().first;
  stack_.back().first = false;
  separate(comma);
}

void JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back({true, true});
}

void JsonWriter::end_object() {
  assert(!stack_.empty() && stack_.back().object);
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) separate(false);
  out_ += '}';
  maybe_flush();
}

void JsonWriter::flush() {
  if (!sink_ || out_.empty()) return;
  sink_(out_);
  out_.clear();
}

void JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  stack_.push_back({false, true});
}

void JsonWriter::end_array() {
  assert(!stack_.empty() && !stack_.back().object);
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) separate(false);
  out_ += ']';
  maybe_flush();
}

void JsonWriter::key(std::string_view k) {
  assert(!stack_.empty() && stack_.back().object);
  bool comma = !stack_.back().first;
  stack_.back().first = false;
  separate(comma);
  append_json_string(out_, k);
  if (indent_ > 0) out_.append(": ", 2);
  else out_ += ':';
  after_key_ = true;
}

void JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
}

void JsonWriter::value(int64_t i) {
  before_value();
  out_ += std::to_string(i);
}

void JsonWriter::value(uint64_t u) {
  before_value();
  out_ += std::to_string(u);
}

void JsonWriter::value(double d) {
  before_value();
  if (std::isfinite(d)) {
    out_ += format_double(d);
  } else {
    append_json_string(out_, format_double(d));
  }
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  maybe_flush();  // a complete value, like a closing bracket
}

std::string JsonWriter::reindent(std::string_view json, size_t deeper) const {
  size_t levels = stack_.size() + deeper;
  if (indent_ <= 0 || levels == 0) return std::string(json);
  // Strings never hold a raw newline (it is escaped), so every newline is layout.
  size_t extra = levels * static_cast<size_t>(indent_);
  std::string out;
  out.reserve(json.size() + extra * 8);
  size_t i = 0;
  for (size_t nl = json.find('\n'); nl != std::string_view::npos; nl = json.find('\n', i)) {
    out.append(json.data() + i, nl + 1 - i);
    out.append(extra, ' ');
    i = nl + 1;
  }
  out.append(json.data() + i, json.size() - i);
  return out;
}

}  // namespace sekimori::core
