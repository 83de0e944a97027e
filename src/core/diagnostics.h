// sekimori::core::Diagnostics — problems about user content, collected, never thrown.
//
// Loaders, rule compilers and scanners append located problems here and go on with the
// rest of the work; src/cli renders them (text or JSON) and decides the exit code.
//
//   core::Diagnostics diags;
//   diags.add(Severity::kWarning, "yaml.duplicate_key", "duplicate key 'a'; last wins",
//             loc, core::make_snippet(text, loc.line, loc.column));
//   if (diags.has_errors()) ...
//   std::cerr << diags.to_text();
//
// Thread-safety: not thread-safe; use one Diagnostics per thread and merge().
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/location.h"
#include "core/result.h"

namespace sekimori::core {

enum class Severity { kError, kWarning, kNote };

[[nodiscard]] const char* severity_name(Severity s);  // "error", "warning", "note"

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // stable, dotted: "json.syntax", "yaml.duplicate_key"
  std::string message;
  Location location;
  std::string snippet;  // source line plus caret line; may be empty
};

class Diagnostics {
 public:
  void add(Diagnostic d);
  void add(Severity severity, std::string code, std::string message, Location location = {},
           std::string snippet = {});
  // Records an Error as an error diagnostic (snippet from `text` when it has a position).
  void add_error(const Error& error, std::string_view text = {});
  void merge(Diagnostics&& other);

  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  [[nodiscard]] size_t count(Severity s) const;
  [[nodiscard]] bool has_errors() const { return count(Severity::kError) > 0; }
  [[nodiscard]] bool empty() const { return items_.empty(); }

  // One block per diagnostic: "file:line:col: error: message [code]" then the snippet.
  [[nodiscard]] std::string to_text() const;
  // A JSON array of {"severity","code","message","file","line","column","offset","snippet"}.
  [[nodiscard]] std::string to_json() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace sekimori::core
