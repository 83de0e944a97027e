#include "policy/exceptions.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/civil.h"
#include "formats/document.h"

namespace sekimori::policy {

namespace {

constexpr std::string_view kEntryKeys[] = {"rule", "resource", "reason", "approver", "expires"};
constexpr uint64_t kMaxExceptionsBytes = 4 * 1024 * 1024;
constexpr size_t kMaxExceptions = 10'000;

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(5, 2)));
  int d = std::stoi(std::string(s.substr(8, 2)));
  return m >= 1 && m <= 12 && d >= 1 && d <= core::days_in_month(y, m);
}

const Exception* ExceptionList::match(std::string_view rule_id, std::string_view resource_id) const {
  for (const Exception& e : items_) {
    if (glob_match(e.rule, rule_id) && glob_match(e.resource, resource_id)) return &e;
  }
  return nullptr;
}

core::Result<ExceptionList> load_exceptions(const std::string& path, std::string text, core::Diagnostics& diags) {
  using formats::Node;
  using formats::NodeKind;
  if (text.size() > kMaxExceptionsBytes) {
    return core::make_error("exception.limit", "exceptions file is larger than 4 MiB", core::Location{path, 0, 0, 0});
  }
  formats::Limits fl;
  fl.max_depth = 16;
  fl.max_documents = 1;
  auto doc = formats::load_yaml(path, std::move(text), fl, diags);
  if (!doc.ok()) return doc.error();
  const Node& root = doc->root();
  auto located = [&](const Node& n) { return doc->location(n); };
  auto snip = [&](const core::Location& l) {
    return l.has_position() ? core::make_snippet(doc->text(), l.line, l.column) : std::string();
  };
  if (root.kind() != NodeKind::kMap) {
    return core::make_error("exception.schema", "an exceptions file is a map with 'format' and 'exceptions'",
                            located(root));
  }
  const Node* fmt = root.find("format");
  if (fmt == nullptr || fmt->kind() != NodeKind::kInt || fmt->as_int() != 1) {
    return core::make_error("exception.format_version", "exceptions file must declare 'format: 1'",
                            fmt ? located(*fmt) : located(root));
  }
  for (const formats::Member& m : root.members()) {
    std::string_view k = m.key.kind() == NodeKind::kString ? m.key.as_string() : std::string_view();
    if (k != "format" && k != "exceptions") {
      auto l = located(m.key);
      diags.add(core::Severity::kError, "exception.unknown_key", "unknown key '" + std::string(k) + "'", l, snip(l));
    }
  }
  std::vector<Exception> items;
  const Node* list = root.find("exceptions");
  if (list == nullptr) return ExceptionList{};
  if (list->kind() != NodeKind::kList) {
    return core::make_error("exception.schema", "'exceptions' must be a list", located(*list));
  }
  if (list->size() > kMaxExceptions) {
    return core::make_error("exception.limit", "more than 10000 exceptions", located(*list));
  }
  for (const Node& e : list->items()) {
    auto err = [&](const Node& at, std::string code, std::string msg) {
      auto l = located(at);
      diags.add(core::Severity::kError, std::move(code), std::move(msg), l, snip(l));
    };
    if (e.kind() != NodeKind::kMap) {
      err(e, "exception.schema", "an exception is a map (rule, resource, reason, approver, expires)");
      continue;
    }
    bool ok = true;
    Exception x;
    x.location = located(e);
    for (const formats::Member& m : e.members()) {
      std::string_view k = m.key.kind() == NodeKind::kString ? m.key.as_string() : std::string_view();
      if (std::find(std::begin(kEntryKeys), std::end(kEntryKeys), k) == std::end(kEntryKeys)) {
        err(m.key, "exception.unknown_key", "unknown exception key '" + std::string(k) + "'");
        ok = false;
        continue;
      }
      // Dates written unquoted load as strings too (YAML timestamps are not typed here).
      if (m.value.kind() != NodeKind::kString) {
        err(m.value, "exception.type", "'" + std::string(k) + "' must be a string");
        ok = false;
        continue;
      }
      std::string v(m.value.as_string());
      if (k == "rule") x.rule = v;
      else if (k == "resource") x.resource = v;
      else if (k == "reason") x.reason = v;
      else if (k == "approver") x.approver = v;
      else x.expires = v;
    }
    if (x.rule.empty()) {
      err(e, "exception.missing_key", "exception has no 'rule' (a rule ID, a glob or \"*\")");
      ok = false;
    }
    if (x.resource.empty()) {
      err(e, "exception.missing_key", "exception has no 'resource' (a glob on the resource identity)");
      ok = false;
    }
    if (!x.expires.empty() && !is_valid_date(x.expires)) {
      err(*e.find("expires"), "exception.date", "'expires' must be a date written YYYY-MM-DD");
      ok = false;
    }
    if (!ok) continue;
    if (x.reason.empty()) {
      diags.add(core::Severity::kWarning, "suppression.no_reason", "exception for " + x.rule + " has no reason",
                x.location, snip(x.location));
    }
    if (x.approver.empty()) {
      diags.add(core::Severity::kWarning, "exception.no_approver", "exception for " + x.rule + " has no approver",
                x.location, snip(x.location));
    }
    items.push_back(std::move(x));
  }
  return ExceptionList(std::move(items));
}

core::Result<ExceptionList> load_exceptions_file(const std::string& path, core::Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::make_error("exception.io", "cannot read exceptions file '" + path + "'", core::Location{path, 0, 0, 0});
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_exceptions(path, ss.str(), diags);
}

}  // namespace sekimori::policy
