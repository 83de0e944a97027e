// Helpers for the knowledge tests: load the built-in files with one of them replaced.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "knowledge/knowledge.h"

namespace sekimori::knowledge::testing {

// Loads every built-in file, except that the one named `replaced` ("service-models")
// is swapped for `text`, read as "bad.yaml".
inline KnowledgeBase load_with(std::string_view replaced, std::string_view text, core::Diagnostics& diags) {
  std::vector<SourceFile> files;
  std::string target = "knowledge/" + std::string(replaced) + ".yaml";
  bool found = false;
  for (const SourceFile& f : builtin_files()) {
    if (f.path == target) {
      files.push_back(SourceFile{"bad.yaml", text});
      found = true;
    } else {
      files.push_back(f);
    }
  }
  if (!found) files.push_back(SourceFile{"bad.yaml", text});
  return KnowledgeBase::load(files, diags);
}

// The built-in text of one file ("service-models").
inline std::string builtin_text(std::string_view name) {
  std::string target = "knowledge/" + std::string(name) + ".yaml";
  for (const SourceFile& f : builtin_files())
    if (f.path == target) return std::string(f.text);
  return {};
}

// The diagnostics with `code`, as "file:line:col" strings.
inline std::vector<std::string> where(const core::Diagnostics& diags, std::string_view code) {
  std::vector<std::string> out;
  for (const core::Diagnostic& d : diags.items())
    if (d.code == code) out.push_back(d.location.to_string());
  return out;
}

// Replaces the first occurrence of `from` in `text` (which must contain it).
inline std::string replace(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace sekimori::knowledge::testing
