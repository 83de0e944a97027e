#include "core/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace sekimori::core {

namespace {

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

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // Runs of printable ASCII other than '"' and '\\' (most of any report) go in one append.
    size_t run = i;
    while (run < s.size()) {
      auto b = static_cast<unsigned char>(s[run]);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
      ++run;
    }
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

void JsonWriter::newline() {
  if (indent_ <= 0) return;
  out_ += '\n';
  out_.append(stack_.size() * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  assert(!stack_.back().object && "object members need a key");
  if (!stack_.back().first) out_ += ',';
  stack_.back().first = false;
  newline();
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
  if (!empty) newline();
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
  if (!empty) newline();
  out_ += ']';
  maybe_flush();
}

void JsonWriter::key(std::string_view k) {
  assert(!stack_.empty() && stack_.back().object);
  if (!stack_.back().first) out_ += ',';
  stack_.back().first = false;
  newline();
  append_json_string(out_, k);
  out_ += indent_ > 0 ? ": " : ":";
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
}

std::string JsonWriter::reindent(std::string_view json) const {
  if (indent_ <= 0 || stack_.empty()) return std::string(json);
  // Strings never hold a raw newline (it is escaped), so every newline is layout.
  size_t extra = stack_.size() * static_cast<size_t>(indent_);
  std::string out;
  out.reserve(json.size() + extra * 8);
  for (char c : json) {
    out += c;
    if (c == '\n') out.append(extra, ' ');
  }
  return out;
}

}  // namespace sekimori::core
