#include "store/governance.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <set>
#include <tuple>

#include "core/civil.h"
#include "core/json_writer.h"
#include "formats/document.h"

namespace sekimori::store {

namespace {

bool digits(std::string_view s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int num(std::string_view s, size_t from, size_t n) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

core::Error invalid(std::string message) { return core::make_error("store.invalid", std::move(message)); }

bool member_of(std::string_view v, std::span<const std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

std::string join(std::span<const std::string_view> set) {
  std::string out;
  for (std::string_view s : set) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

// ---- Dates.

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4) || !digits(s, 5, 2) ||
      !digits(s, 8, 2)) {
    return false;
  }
  int y = num(s, 0, 4), m = num(s, 5, 2), d = num(s, 8, 2);
  return m >= 1 && m <= 12 && d >= 1 && d <= core::days_in_month(y, m);
}

std::optional<int64_t> date_days(std::string_view s) {
  if (!is_valid_date(s)) return std::nullopt;
  return core::days_from_civil(num(s, 0, 4), num(s, 5, 2), num(s, 8, 2));
}

std::string date_of(int64_t ms) {
  core::CivilDate c = core::civil_from_days(core::floor_div(ms, 86'400'000));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string add_days(std::string_view date, int64_t days) {
  auto d = date_days(date);
  if (!d) return std::string(date);
  return date_of((*d + days) * 86'400'000);
}

std::string format_time(int64_t ms) {
  int64_t day = core::floor_div(ms, 86'400'000);
  int64_t rem = ms - day * 86'400'000;
  core::CivilDate c = core::civil_from_days(day);
  long long y = c.year;
  int m = c.month, d = c.day;
  int hh = static_cast<int>(rem / 3'600'000), mm = static_cast<int>(rem / 60'000 % 60),
      ss = static_cast<int>(rem / 1000 % 60), frac = static_cast<int>(rem % 1000);
  char buf[48];
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, hh, mm, ss, frac);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
  }
  return buf;
}

std::optional<int64_t> parse_time(std::string_view s) {
  if (s.size() == 10) {
    auto d = date_days(s);
    if (!d) return std::nullopt;
    return *d * 86'400'000;
  }
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || !digits(s, 11, 2) ||
      !digits(s, 14, 2) || !digits(s, 17, 2) || s.back() != 'Z') {
    return std::nullopt;
  }
  auto d = date_days(s.substr(0, 10));
  int hh = num(s, 11, 2), mm = num(s, 14, 2), ss = num(s, 17, 2);
  if (!d || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  int frac = 0;
  if (s.size() != 20) {
    if (s.size() != 24 || s[19] != '.' || !digits(s, 20, 3)) return std::nullopt;
    frac = num(s, 20, 3);
  }
  return *d * 86'400'000 + hh * 3'600'000LL + mm * 60'000LL + ss * 1000LL + frac;
}

// ---- Validation.

core::Status validate_exception(const ExceptionRecord& e, std::string_view today, bool allow_past) {
  if (blank(e.rule))
    return invalid("exception: --rule is required (a rule ID, a glob such as SKM-AWS-S3-*, or *)");
  if (blank(e.resource))
    return invalid("exception: --resource is required (a glob on the resource identity)");
  if (blank(e.reason)) return invalid("exception: --reason is required (why the risk is accepted)");
  if (blank(e.approver)) return invalid("exception: --approver is required (who accepted the risk)");
  if (e.expires.empty())
    return invalid("exception: --expires is required (YYYY-MM-DD, the last day it applies)");
  if (!is_valid_date(e.expires)) {
    return invalid("exception: --expires '" + e.expires + "' is not a valid date (YYYY-MM-DD)");
  }
  if (!allow_past && e.expires < today) {
    return invalid("exception: --expires " + e.expires + " is in the past (today is " + std::string(today) +
                   ")");
  }
  return {};
}

core::Status validate_risk(const RiskRecord& r, const Vocabulary& vocab) {
  if (blank(r.title)) return invalid("risk: --title is required");
  if (r.likelihood == 0) return invalid("risk: --likelihood is required (1..5)");
  if (r.impact == 0) return invalid("risk: --impact is required (1..5)");
  if (r.likelihood < 1 || r.likelihood > 5) {
    return invalid("risk: --likelihood must be 1..5, got " + std::to_string(r.likelihood));
  }
  if (r.impact < 1 || r.impact > 5)
    return invalid("risk: --impact must be 1..5, got " + std::to_string(r.impact));
  if (blank(r.owner)) return invalid("risk: --owner is required");
  if (!member_of(r.treatment, kTreatments)) {
    return invalid("risk: --treatment must be one of " + join(kTreatments) + ", got '" + r.treatment + "'");
  }
  if (!is_valid_date(r.review_date)) {
    return invalid(r.review_date.empty()
                       ? std::string("risk: --review-date is required (YYYY-MM-DD)")
                       : "risk: --review-date '" + r.review_date + "' is not a valid date (YYYY-MM-DD)");
  }
  for (const std::string& t : r.threats) {
    if (vocab.is_threat && !vocab.is_threat(t)) {
      return invalid("risk: unknown threat '" + t +
                     "' (the Top Threats keys are T01..T11; see 'sekimori threats')");
    }
  }
  for (const std::string& id : r.rules) {
    if (vocab.is_rule && !vocab.is_rule(id))
      return invalid("risk: unknown rule '" + id + "' (see 'sekimori rules list')");
  }
  for (const std::string& f : r.findings) {
    if (f.empty() || f.size() > 64 || !std::all_of(f.begin(), f.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c));
        })) {
      return invalid("risk: '" + f +
                     "' is not a finding fingerprint (hex digits; see 'sekimori history --findings')");
    }
  }
  if (r.status != "open" && r.status != "closed") return invalid("risk: status must be open or closed");
  return {};
}

core::Status validate_vendor(VendorRecord& v, const Vocabulary& vocab) {
  if (blank(v.name)) return invalid("vendor: --name is required");
  if (blank(v.service)) return invalid("vendor: --service is required (what the vendor provides)");
  if (v.service_model.empty()) return invalid("vendor: --model is required (SaaS, PaaS, IaaS, ...)");
  if (vocab.service_model) {
    auto canonical = vocab.service_model(v.service_model);
    if (!canonical) {
      return invalid("vendor: unknown service model '" + v.service_model +
                     "' (SaaS, PaaS, IaaS, K8s-aaS, CaaS, FaaS, NCaaS, On-premises)");
    }
    v.service_model = *canonical;
  }
  if (!v.data_classification.empty() && !member_of(v.data_classification, kClassifications)) {
    return invalid("vendor: --classification must be one of " + join(kClassifications) + ", got '" +
                   v.data_classification + "'");
  }
  if (!member_of(v.dd_status, kDueDiligenceStatuses)) {
    return invalid("vendor: due-diligence status must be one of " + join(kDueDiligenceStatuses) + ", got '" +
                   v.dd_status + "'");
  }
  if (!v.dd_date.empty() && !is_valid_date(v.dd_date)) {
    return invalid("vendor: due-diligence date '" + v.dd_date + "' is not a valid date (YYYY-MM-DD)");
  }
  std::set<std::string> seen;
  for (const Attestation& a : v.attestations) {
    if (blank(a.name)) return invalid("vendor: an attestation has no name");
    if (!is_valid_date(a.expires)) {
      return invalid("vendor: attestation '" + a.name + "' expiry '" + a.expires +
                     "' is not a valid date (YYYY-MM-DD)");
    }
    if (!seen.insert(a.name).second) return invalid("vendor: attestation '" + a.name + "' is given twice");
  }
  for (const Assessment& a : v.assessments) {
    if (!is_valid_date(a.date))
      return invalid("vendor: assessment date '" + a.date + "' is not a valid date");
    if (!member_of(a.status, kDueDiligenceStatuses)) {
      return invalid("vendor: assessment status must be one of " + join(kDueDiligenceStatuses));
    }
  }
  return {};
}

core::Result<Attestation> parse_attestation(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalid(
        "vendor: --attestation expects NAME:YYYY-MM-DD (e.g. \"SOC 2 Type II:2027-03-31\"), got '" +
        std::string(text) + "'");
  }
  Attestation a{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (!is_valid_date(a.expires)) {
    return invalid("vendor: --attestation '" + std::string(text) + "': expiry '" + a.expires +
                   "' is not a valid date (YYYY-MM-DD)");
  }
  return a;
}

std::string new_uid(std::string_view prefix) {
  static thread_local std::mt19937_64 gen{std::random_device{}() ^
                                          (static_cast<uint64_t>(std::random_device{}()) << 32)};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return std::string(prefix) + buf;
}

// ---- Export.

namespace {

void opt_time(core::JsonWriter& w, std::string_view key, std::optional<int64_t> t) {
  w.key(key);
  if (t)
    w.value(format_time(*t));
  else
    w.null();
}

void string_list(core::JsonWriter& w, std::string_view key, const std::vector<std::string>& items) {
  w.key(key);
  w.begin_array();
  for (const std::string& s : items) w.value(s);
  w.end_array();
}

}  // namespace

std::string export_governance(GovernanceData data) {
  std::sort(data.exceptions.begin(), data.exceptions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.rule, a.resource, a.uid) < std::tie(b.rule, b.resource, b.uid);
  });
  std::sort(data.risks.begin(), data.risks.end(),
            [](const auto& a, const auto& b) { return std::tie(a.title, a.uid) < std::tie(b.title, b.uid); });
  std::sort(data.vendors.begin(), data.vendors.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  core::JsonWriter w(2);
  w.begin_object();
  w.key("format");
  w.value(1);
  w.key("exceptions");
  w.begin_array();
  for (const ExceptionRecord& e : data.exceptions) {
    w.begin_object();
    w.key("uid"), w.value(e.uid);
    w.key("rule"), w.value(e.rule);
    w.key("resource"), w.value(e.resource);
    w.key("reason"), w.value(e.reason);
    w.key("approver"), w.value(e.approver);
    w.key("expires"), w.value(e.expires);
    w.key("created_at"), w.value(format_time(e.created_at));
    w.key("created_by"), w.value(e.created_by);
    opt_time(w, "revoked_at", e.revoked_at);
    w.key("revoked_by"), w.value(e.revoked_by);
    w.key("revoke_reason"), w.value(e.revoke_reason);
    w.end_object();
  }
  w.end_array();
  w.key("risks");
  w.begin_array();
  for (const RiskRecord& r : data.risks) {
    w.begin_object();
    w.key("uid"), w.value(r.uid);
    w.key("title"), w.value(r.title);
    w.key("description"), w.value(r.description);
    string_list(w, "threats", r.threats);
    w.key("likelihood"), w.value(r.likelihood);
    w.key("impact"), w.value(r.impact);
    w.key("score"), w.value(r.score());
    w.key("owner"), w.value(r.owner);
    w.key("treatment"), w.value(r.treatment);
    string_list(w, "rules", r.rules);
    string_list(w, "findings", r.findings);
    w.key("review_date"), w.value(r.review_date);
    w.key("status"), w.value(r.status);
    w.key("close_reason"), w.value(r.close_reason);
    w.key("created_at"), w.value(format_time(r.created_at));
    w.key("updated_at"), w.value(format_time(r.updated_at));
    opt_time(w, "closed_at", r.closed_at);
    w.end_object();
  }
  w.end_array();
  w.key("vendors");
  w.begin_array();
  for (const VendorRecord& v : data.vendors) {
    w.begin_object();
    w.key("uid"), w.value(v.uid);
    w.key("name"), w.value(v.name);
    w.key("service"), w.value(v.service);
    w.key("service_model"), w.value(v.service_model);
    w.key("data_shared"), w.value(v.data_shared);
    w.key("data_classification"), w.value(v.data_classification);
    w.key("attestations");
    w.begin_array();
    for (const Attestation& a : v.attestations) {
      w.begin_object();
      w.key("name"), w.value(a.name);
      w.key("expires"), w.value(a.expires);
      w.end_object();
    }
    w.end_array();
    w.key("contract_notes"), w.value(v.contract_notes);
    w.key("sla_notes"), w.value(v.sla_notes);
    w.key("due_diligence_status"), w.value(v.dd_status);
    w.key("due_diligence_date"), w.value(v.dd_date);
    w.key("offboarding_data_deletion"), w.value(v.offboarding_deletion);
    w.key("offboarding_support"), w.value(v.offboarding_support);
    w.key("assessments");
    w.begin_array();
    for (const Assessment& a : v.assessments) {
      w.begin_object();
      w.key("date"), w.value(a.date);
      w.key("status"), w.value(a.status);
      w.key("assessor"), w.value(a.assessor);
      w.key("notes"), w.value(a.notes);
      w.key("recorded_at"), w.value(format_time(a.recorded_at));
      w.end_object();
    }
    w.end_array();
    w.key("created_at"), w.value(format_time(v.created_at));
    w.key("updated_at"), w.value(format_time(v.updated_at));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

// ---- Import.

namespace {

// Reads the fields of one record, reporting located problems.
class Reader {
 public:
  Reader(const formats::Document& doc, core::Diagnostics& diags, const ImportLimits& limits)
      : doc_(doc), diags_(diags), limits_(limits) {}

  void error(const formats::Node& at, std::string code, std::string message) {
    ++errors_;
    core::Location loc = doc_.location(at);
    diags_.add(core::Severity::kError, std::move(code), std::move(message), loc,
               core::make_snippet(doc_.text(), loc.line, loc.column));
  }
  [[nodiscard]] size_t errors() const { return errors_; }

  // Checks that a record holds only `known` keys.
  bool record(const formats::Node& n, std::string_view what, std::initializer_list<std::string_view> known) {
    if (n.kind() != formats::NodeKind::kMap) {
      error(n, "governance.type", std::string(what) + ": expected an object");
      return false;
    }
    for (const formats::Member& m : n.members()) {
      std::string_view k =
          m.key.kind() == formats::NodeKind::kString ? m.key.as_string() : std::string_view();
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        error(m.key, "governance.unknown_key", std::string(what) + ": unknown key '" + std::string(k) + "'");
      }
    }
    return true;
  }

  void str(const formats::Node& rec, std::string_view key, std::string& out, bool required) {
    const formats::Node* n = rec.find(key);
    if (!n || n->is_null()) {
      if (required) error(rec, "governance.missing", "missing '" + std::string(key) + "'");
      return;
    }
    if (n->kind() != formats::NodeKind::kString) {
      error(*n, "governance.type", "'" + std::string(key) + "' must be a string");
      return;
    }
    out = std::string(n->as_string());
  }

  void integer(const formats::Node& rec, std::string_view key, int& out, bool required) {
    const formats::Node* n = rec.find(key);
    if (!n) {
      if (required) error(rec, "governance.missing", "missing '" + std::string(key) + "'");
      return;
    }
    if (n->kind() != formats::NodeKind::kInt || n->as_int() < -1000000 || n->as_int() > 1000000) {
      error(*n, "governance.type", "'" + std::string(key) + "' must be an integer");
      return;
    }
    out = static_cast<int>(n->as_int());
  }

  void time(const formats::Node& rec, std::string_view key, int64_t& out) {
    std::optional<int64_t> t;
    opt_time(rec, key, t);
    if (t) out = *t;
  }
  void opt_time(const formats::Node& rec, std::string_view key, std::optional<int64_t>& out) {
    const formats::Node* n = rec.find(key);
    if (!n || n->is_null()) return;
    if (n->kind() != formats::NodeKind::kString || !parse_time(n->as_string())) {
      error(*n, "governance.time", "'" + std::string(key) + "' must be a time like 2026-01-31T12:00:00Z");
      return;
    }
    out = parse_time(n->as_string());
  }

  void strings(const formats::Node& rec, std::string_view key, std::vector<std::string>& out) {
    const formats::Node* n = rec.find(key);
    if (!n || n->is_null()) return;
    if (!list(*n, key)) return;
    for (const formats::Node& item : n->items()) {
      if (item.kind() != formats::NodeKind::kString) {
        error(item, "governance.type", "'" + std::string(key) + "' must hold strings");
        continue;
      }
      out.emplace_back(item.as_string());
    }
  }

  bool list(const formats::Node& n, std::string_view key) {
    if (n.kind() != formats::NodeKind::kList) {
      error(n, "governance.type", "'" + std::string(key) + "' must be a list");
      return false;
    }
    if (n.size() > limits_.max_list) {
      error(n, "governance.limit.list",
            "'" + std::string(key) + "' has more than " + std::to_string(limits_.max_list) + " items");
      return false;
    }
    return true;
  }

  // A validation error from validate_*, placed on the record.
  void check(const formats::Node& rec, const core::Status& st) {
    if (!st.ok()) error(rec, "governance.invalid", st.error().message);
  }

 private:
  const formats::Document& doc_;
  core::Diagnostics& diags_;
  const ImportLimits& limits_;
  size_t errors_ = 0;
};

}  // namespace

core::Result<GovernanceData> parse_governance(std::string path, std::string text, const Vocabulary& vocab,
                                              const ImportLimits& limits, core::Diagnostics& diags) {
  if (text.size() > limits.max_bytes) {
    return core::make_error("governance.limit.size",
                            path + ": larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  formats::Limits fl;
  fl.max_bytes = limits.max_bytes;
  fl.max_depth = limits.max_depth;
  fl.max_string = limits.max_string;
  fl.max_nodes = limits.max_records * 64 + 1024;
  auto doc = formats::load_json(path, std::move(text), fl, diags);
  if (!doc.ok()) return std::move(doc).error();
  Reader rd(*doc, diags, limits);
  const formats::Node& root = doc->root();
  GovernanceData out;
  if (!rd.record(root, "governance file", {"format", "exceptions", "risks", "vendors"})) {
    return core::make_error("governance.invalid", path + ": not a governance export");
  }
  const formats::Node* format = root.find("format");
  if (!format || format->kind() != formats::NodeKind::kInt || format->as_int() != 1) {
    rd.error(format ? *format : root, "governance.format", "'format' must be 1");
  }
  // Record lists are bounded by max_records (all sections together), not by max_list.
  uint64_t records = 0;
  auto section_of = [&](std::string_view key) -> const formats::Node* {
    const formats::Node* n = root.find(key);
    if (!n) return nullptr;
    if (n->kind() != formats::NodeKind::kList) {
      rd.error(*n, "governance.type", "'" + std::string(key) + "' must be a list");
      return nullptr;
    }
    records += n->size();
    if (records > limits.max_records) {
      rd.error(*n, "governance.limit.records",
               "more than " + std::to_string(limits.max_records) + " records");
      return nullptr;
    }
    return n;
  };
  std::set<std::string> uids, vendor_names;
  auto unique_uid = [&](const formats::Node& rec, const std::string& uid) {
    if (!uid.empty() && !uids.insert(uid).second)
      rd.error(rec, "governance.duplicate", "uid '" + uid + "' appears twice");
  };
  const std::string today = "0000-01-01";  // historical expiries are allowed on import
  if (const formats::Node* list = section_of("exceptions")) {
    for (const formats::Node& rec : list->items()) {
      if (!rd.record(rec, "exception",
                     {"uid", "rule", "resource", "reason", "approver", "expires", "created_at", "created_by",
                      "revoked_at", "revoked_by", "revoke_reason"})) {
        continue;
      }
      ExceptionRecord e;
      rd.str(rec, "uid", e.uid, true);
      rd.str(rec, "rule", e.rule, true);
      rd.str(rec, "resource", e.resource, true);
      rd.str(rec, "reason", e.reason, true);
      rd.str(rec, "approver", e.approver, true);
      rd.str(rec, "expires", e.expires, true);
      rd.time(rec, "created_at", e.created_at);
      rd.str(rec, "created_by", e.created_by, false);
      rd.opt_time(rec, "revoked_at", e.revoked_at);
      rd.str(rec, "revoked_by", e.revoked_by, false);
      rd.str(rec, "revoke_reason", e.revoke_reason, false);
      unique_uid(rec, e.uid);
      rd.check(rec, validate_exception(e, today, true));
      out.exceptions.push_back(std::move(e));
    }
  }
  if (const formats::Node* list = section_of("risks")) {
    for (const formats::Node& rec : list->items()) {
      if (!rd.record(rec, "risk",
                     {"uid", "title", "description", "threats", "likelihood", "impact", "score", "owner",
                      "treatment", "rules", "findings", "review_date", "status", "close_reason", "created_at",
                      "updated_at", "closed_at"})) {
        continue;
      }
      RiskRecord r;
      rd.str(rec, "uid", r.uid, true);
      rd.str(rec, "title", r.title, true);
      rd.str(rec, "description", r.description, false);
      rd.strings(rec, "threats", r.threats);
      rd.integer(rec, "likelihood", r.likelihood, true);
      rd.integer(rec, "impact", r.impact, true);
      int score = -1;
      rd.integer(rec, "score", score, false);
      rd.str(rec, "owner", r.owner, true);
      rd.str(rec, "treatment", r.treatment, true);
      rd.strings(rec, "rules", r.rules);
      rd.strings(rec, "findings", r.findings);
      rd.str(rec, "review_date", r.review_date, true);
      rd.str(rec, "status", r.status, false);
      rd.str(rec, "close_reason", r.close_reason, false);
      rd.time(rec, "created_at", r.created_at);
      rd.time(rec, "updated_at", r.updated_at);
      rd.opt_time(rec, "closed_at", r.closed_at);
      unique_uid(rec, r.uid);
      if (score != -1 && score != r.score()) {
        rd.error(*rec.find("score"), "governance.invalid", "risk: 'score' must be likelihood x impact");
      }
      rd.check(rec, validate_risk(r, vocab));
      out.risks.push_back(std::move(r));
    }
  }
  if (const formats::Node* list = section_of("vendors")) {
    for (const formats::Node& rec : list->items()) {
      if (!rd.record(rec, "vendor",
                     {"uid", "name", "service", "service_model", "data_shared", "data_classification",
                      "attestations", "contract_notes", "sla_notes", "due_diligence_status",
                      "due_diligence_date", "offboarding_data_deletion", "offboarding_support", "assessments",
                      "created_at", "updated_at"})) {
        continue;
      }
      VendorRecord v;
      rd.str(rec, "uid", v.uid, true);
      rd.str(rec, "name", v.name, true);
      rd.str(rec, "service", v.service, true);
      rd.str(rec, "service_model", v.service_model, true);
      rd.str(rec, "data_shared", v.data_shared, false);
      rd.str(rec, "data_classification", v.data_classification, false);
      rd.str(rec, "contract_notes", v.contract_notes, false);
      rd.str(rec, "sla_notes", v.sla_notes, false);
      rd.str(rec, "due_diligence_status", v.dd_status, false);
      rd.str(rec, "due_diligence_date", v.dd_date, false);
      rd.str(rec, "offboarding_data_deletion", v.offboarding_deletion, false);
      rd.str(rec, "offboarding_support", v.offboarding_support, false);
      rd.time(rec, "created_at", v.created_at);
      rd.time(rec, "updated_at", v.updated_at);
      if (const formats::Node* atts = rec.find("attestations"); atts && rd.list(*atts, "attestations")) {
        for (const formats::Node& a : atts->items()) {
          if (!rd.record(a, "attestation", {"name", "expires"})) continue;
          Attestation at;
          rd.str(a, "name", at.name, true);
          rd.str(a, "expires", at.expires, true);
          v.attestations.push_back(std::move(at));
        }
      }
      if (const formats::Node* as = rec.find("assessments"); as && rd.list(*as, "assessments")) {
        for (const formats::Node& a : as->items()) {
          if (!rd.record(a, "assessment", {"date", "status", "assessor", "notes", "recorded_at"})) continue;
          Assessment at;
          rd.str(a, "date", at.date, true);
          rd.str(a, "status", at.status, true);
          rd.str(a, "assessor", at.assessor, false);
          rd.str(a, "notes", at.notes, false);
          rd.time(a, "recorded_at", at.recorded_at);
          v.assessments.push_back(std::move(at));
        }
      }
      unique_uid(rec, v.uid);
      if (!v.name.empty() && !vendor_names.insert(v.name).second) {
        rd.error(rec, "governance.duplicate", "vendor '" + v.name + "' appears twice");
      }
      rd.check(rec, validate_vendor(v, vocab));
      out.vendors.push_back(std::move(v));
    }
  }
  size_t errors = rd.errors();
  if (errors > 0) {
    return core::make_error("governance.invalid",
                            path + ": " + std::to_string(errors) + " problem(s); nothing was imported");
  }
  return out;
}

}  // namespace sekimori::store
