// sekimori::core::JsonWriter — a small streaming JSON writer for our outputs.
//
// Writes compact or indented JSON with correct string escaping (invalid UTF-8 is
// replaced by U+FFFD so the output is always valid JSON). Callers are responsible for
// well-formed nesting (asserted in debug builds).
//
//   core::JsonWriter w(/*indent=*/2);
//   w.begin_object(); w.key("a"); w.value(int64_t{1}); w.end_object();
//   std::string s = w.take();  // {"a": 1}
//
// Large outputs can stream: with a sink set, the text written so far is handed to the
// sink (and dropped) whenever a closing bracket or a raw() value leaves more than
// `threshold` bytes buffered, and by flush(); take() then returns only what was not
// handed over yet.
//
// Thread-safety: none; one writer per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sekimori::core {

// Appends `s` to `out` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view s);
// Whether `s` goes into a JSON string as it is, between quotes: printable ASCII without '"'
// or '\\' (a caller that knows this can copy it without append_json_string).
bool json_plain(std::string_view s);
// Formats a double the shortest way that round-trips ("1.5", "1e+100"); NaN and
// infinities, which JSON lacks, become the strings "NaN", "Infinity", "-Infinity".
std::string format_double(double d);

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(int64_t i);
  void value(uint64_t u);
  void value(int i) { value(static_cast<int64_t>(i)); }
  void value(double d);
  void value(bool b);
  void null();
  // Inserts already-serialised JSON as one value.
  void raw(std::string_view json);
  // `json`, written by a writer with the same indent starting at the top level, indented
  // for insertion with raw() at the current nesting depth: render a value that repeats
  // once, reindent it, and raw() it each time. `deeper`: for insertion that many levels
  // below the current one (inside a value not begun yet).
  [[nodiscard]] std::string reindent(std::string_view json, size_t deeper = 0) const;

  using Sink = std::function<void(std::string_view)>;
  void set_sink(Sink sink, size_t threshold = size_t{1} << 20) {
    sink_ = std::move(sink);
    threshold_ = threshold;
  }
  // Hands everything buffered to the sink (no-op without one).
  void flush();

  [[nodiscard]] const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  // A comma (when `comma`), then the newline and indentation of the current depth.
  void separate(bool comma);

  void maybe_flush() {
    if (sink_ && out_.size() >= threshold_) flush();
  }
  std::string out_;
  int indent_;
  Sink sink_;
  size_t threshold_ = 0;
  struct Level {
    bool object;
    bool first;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace sekimori::core
