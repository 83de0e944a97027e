// sekimori::core::Location — where something is in the user's content.
//
// Lines and columns are 1-based; a column counts bytes (UTF-8 code units), as compilers
// do; offset is the 0-based byte offset. A line of 0 means "no position known" (the file
// alone is meaningful).
//
//   core::Location loc{"main.tf", 12, 5, 230};
//   loc.to_string();  // "main.tf:12:5"
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sekimori::core {

struct Location {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;

  [[nodiscard]] bool has_position() const { return line > 0; }
  // "file:line:column", "file" when there is no position, "line:column" with no file.
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Location&, const Location&) = default;
};

// A Location whose file is borrowed (from a Location or another string that outlives it).
struct LocationView {
  std::string_view file;
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;

  LocationView() = default;
  LocationView(std::string_view f, uint32_t l, uint32_t c, uint64_t o)
      : file(f), line(l), column(c), offset(o) {}
  LocationView(const Location& l)  // NOLINT: a Location is viewed where a view is expected
      : file(l.file), line(l.line), column(l.column), offset(l.offset) {}
};

// Computes 1-based line and column of a byte offset in text (CRLF counts as one line
// break; a lone CR is not a line break). Linear in offset; use LineIndex for many calls.
Location locate(std::string_view file, std::string_view text, uint64_t offset);

// The source line containing `line` (without its line break) and a caret line under
// `column`, e.g. "  x = 1 +\n          ^". Empty when the line is out of range.
std::string make_snippet(std::string_view text, uint32_t line, uint32_t column);

}  // namespace sekimori::core
