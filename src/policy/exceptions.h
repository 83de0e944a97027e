// sekimori::policy exceptions — the `.sekimori/exceptions.yaml` file: accepted risks
// that suppress findings, each with a reason, an approver and an expiry date.
//
//   format: 1
//   exceptions:
//     - rule: SKM-AWS-S3-004            # a rule ID, a glob ("SKM-AWS-S3-*") or "*"
//       resource: "aws_s3_bucket.logs*" # glob on the resource identity
//       reason: "Log bucket; access logs of access logs are not useful"
//       approver: security@example.com
//       expires: 2026-12-31             # the last day it applies (UTC)
//
//   core::Diagnostics diags;
//   auto list = policy::load_exceptions(".sekimori/exceptions.yaml", text, diags);
//   const policy::Exception* e = list->match("SKM-AWS-S3-004", "aws_s3_bucket.logs");
//
// Globs: `*` matches any run of characters (including '/' and '.'), `?` one character;
// everything else matches itself. A missing reason or approver is a warning; a bad key,
// type or date is a located error and the entry is left out.
//
// Thread-safety: immutable after loading; match() may run concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/location.h"
#include "core/result.h"

namespace sekimori::policy {

struct Exception {
  std::string rule;
  std::string resource;
  std::string reason;
  std::string approver;
  std::string expires;  // YYYY-MM-DD; empty: no expiry
  core::Location location;
};

class ExceptionList {
 public:
  ExceptionList() = default;
  explicit ExceptionList(std::vector<Exception> items) : items_(std::move(items)) {}
  [[nodiscard]] const std::vector<Exception>& items() const { return items_; }
  // The first exception (in file order) matching the rule and resource, expired or not.
  [[nodiscard]] const Exception* match(std::string_view rule_id, std::string_view resource_id) const;

 private:
  std::vector<Exception> items_;
};

// Parses an exceptions file. An Error only when the file as a whole is unusable (not
// YAML, not a map, wrong format version); per-entry problems go to `diags`.
core::Result<ExceptionList> load_exceptions(const std::string& path, std::string text,
                                            core::Diagnostics& diags);
core::Result<ExceptionList> load_exceptions_file(const std::string& path, core::Diagnostics& diags);

// Glob match as described above.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

// True for a valid calendar date written YYYY-MM-DD.
[[nodiscard]] bool is_valid_date(std::string_view s);

}  // namespace sekimori::policy
