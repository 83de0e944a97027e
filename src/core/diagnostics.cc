#include "core/diagnostics.h"

#include <algorithm>

#include "core/json_writer.h"

namespace sekimori::core {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

void Diagnostics::add(Diagnostic d) { items_.push_back(std::move(d)); }

void Diagnostics::add(Severity severity, std::string code, std::string message, Location location,
                      std::string snippet) {
  items_.push_back(Diagnostic{severity, std::move(code), std::move(message), std::move(location),
                              std::move(snippet)});
}

void Diagnostics::add_error(const Error& error, std::string_view text) {
  Location loc = error.location.value_or(Location{});
  std::string snippet = loc.has_position() && !text.empty() ? make_snippet(text, loc.line, loc.column)
                                                            : std::string();
  add(Severity::kError, error.code, error.message, std::move(loc), std::move(snippet));
}

void Diagnostics::merge(Diagnostics&& other) {
  items_.insert(items_.end(), std::make_move_iterator(other.items_.begin()),
                std::make_move_iterator(other.items_.end()));
  other.items_.clear();
}

size_t Diagnostics::count(Severity s) const {
  return static_cast<size_t>(
      std::count_if(items_.begin(), items_.end(), [s](const Diagnostic& d) { return d.severity == s; }));
}

std::string Diagnostics::to_text() const {
  std::string out;
  for (const Diagnostic& d : items_) {
    std::string where = d.location.to_string();
    if (!where.empty()) out += where + ": ";
    out += severity_name(d.severity);
    out += ": " + d.message;
    if (!d.code.empty()) out += " [" + d.code + "]";
    out += '\n';
    if (!d.snippet.empty()) {
      // Indent the snippet so it reads as part of the diagnostic above it.
      size_t start = 0;
      while (start <= d.snippet.size()) {
        size_t nl = d.snippet.find('\n', start);
        if (nl == std::string::npos) nl = d.snippet.size();
        out += "    " + d.snippet.substr(start, nl - start) + '\n';
        start = nl + 1;
      }
    }
  }
  return out;
}

std::string Diagnostics::to_json() const {
  JsonWriter w;
  w.begin_array();
  for (const Diagnostic& d : items_) {
    w.begin_object();
    w.key("severity");
    w.value(severity_name(d.severity));
    w.key("code");
    w.value(d.code);
    w.key("message");
    w.value(d.message);
    w.key("file");
    w.value(d.location.file);
    w.key("line");
    w.value(static_cast<int64_t>(d.location.line));
    w.key("column");
    w.value(static_cast<int64_t>(d.location.column));
    w.key("offset");
    w.value(d.location.offset);
    w.key("snippet");
    w.value(d.snippet);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace sekimori::core
