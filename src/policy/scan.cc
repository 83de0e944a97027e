#include "policy/scan.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cel/program.h"
#include "core/civil.h"
#include "policy/internal/compiled_rule.h"

namespace sekimori::policy {

const char* status_name(Status s) {
  switch (s) {
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kUnknown:
      return "unknown";
    case Status::kError:
      return "error";
    case Status::kSuppressed:
      return "suppressed";
  }
  return "error";
}

namespace {

// Two FNV-1a 64-bit hashes with different offset bases: 128 bits, stable everywhere. Both
// are advanced in one loop (two independent multiply chains run side by side); each
// string ends with 0xff.
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

void fnv_mix(FingerprintSeed& h, std::string_view s) {
  uint64_t a = h.a;
  uint64_t b = h.b;
  for (unsigned char c : s) {
    a = (a ^ c) * kFnvPrime;
    b = (b ^ c) * kFnvPrime;
  }
  h.a = (a ^ 0xff) * kFnvPrime;
  h.b = (b ^ 0xff) * kFnvPrime;
}

// The fingerprint's 32 hex digits into `out` (which has room for them), from the rule's
// seed.
void write_fingerprint(char* out, FingerprintSeed h, std::string_view resource_type,
                       std::string_view resource_id) {
  fnv_mix(h, resource_type);
  fnv_mix(h, resource_id);
  // Most significant byte first, two digits per byte from a table ("00" .. "ff"): this
  // runs for every result a report writes, passes included.
  static constexpr std::array<char, 512> kHexPairs = [] {
    std::array<char, 512> t{};
    constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < 256; ++i) {
      t[2 * i] = kHex[i >> 4];
      t[2 * i + 1] = kHex[i & 0xf];
    }
    return t;
  }();
  for (int k = 0; k < 8; ++k) {
    std::memcpy(out + 2 * k, &kHexPairs[2 * ((h.a >> (56 - 8 * k)) & 0xff)], 2);
    std::memcpy(out + 16 + 2 * k, &kHexPairs[2 * ((h.b >> (56 - 8 * k)) & 0xff)], 2);
  }
}

const FingerprintSeed& seed_of(const Rule& rule, FingerprintSeed& scratch) {
  if (rule.compiled != nullptr) return rule.compiled->fingerprint_seed;
  scratch = fingerprint_seed(rule.id);
  return scratch;
}

}  // namespace

FingerprintSeed fingerprint_seed(std::string_view rule_id) {
  FingerprintSeed h{0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
  fnv_mix(h, rule_id);
  return h;
}

std::string fingerprint(std::string_view rule_id, std::string_view resource_type, std::string_view resource_id) {
  std::string out(32, '0');
  write_fingerprint(out.data(), fingerprint_seed(rule_id), resource_type, resource_id);
  return out;
}

std::string civil_date(cel::Timestamp t) {
  core::CivilDate c = core::civil_from_days(core::floor_div(t.seconds, 86400));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(c.year), c.month, c.day);
  return buf;
}

namespace {

// Points `f` at node `n` of `resource`; a node without a position leaves it where it was.
void point_at(Finding& f, const formats::Node& n, const model::Resource& resource) {
  if (n.pos().line == 0) return;
  f.line = n.pos().line;
  f.column = n.pos().column;
  f.offset = n.pos().offset;
  if (!n.file().empty() && n.file() != resource.location.file) f.extra().file = std::string(n.file());
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

// A rule judges only the formats it declares (its examples prove those); Terraform HCL
// fills the same canonical view as plan JSON, so a plan rule also judges HCL.
bool supports_format(const Rule& rule, model::SourceFormat f) {
  if (rule.formats.empty()) return true;
  auto has = [&](model::SourceFormat x) {
    return std::find(rule.formats.begin(), rule.formats.end(), x) != rule.formats.end();
  };
  return has(f) || (f == model::SourceFormat::kTerraformHcl && has(model::SourceFormat::kTerraformPlan));
}

namespace {

// Judges `rule` on `resource` with `act` (bound to the resource and `now`): nullopt when
// the rule does not apply; `detail` says why for unknown and error.
std::optional<Status> judge(const Rule& rule, const model::Resource& resource, const cel::Activation& act,
                            std::string& detail) {
  const CompiledRule* c = rule.compiled.get();
  if (c == nullptr || c->assertion == nullptr || resource.attributes == nullptr) return std::nullopt;
  auto classify = [&](const cel::Value& v, const char* what) -> std::optional<Status> {
    if (v.is_unknown()) {
      // Attributes reached through a comprehension variable have no path to name.
      std::vector<std::string> named;
      for (const std::string& a : v.unknown_attributes()) {
        if (!a.empty()) named.push_back(a);
      }
      detail = named.empty() ? "depends on values unknown before deployment"
                             : "depends on values unknown before deployment: " + join(named);
      return Status::kUnknown;
    }
    if (v.is_error()) {
      detail = std::string(what) + ": " + v.error_message();
      return Status::kError;
    }
    if (v.kind() != cel::Kind::kBool) {
      detail = std::string(what) + " evaluated to " + v.debug_string() + ", not a bool";
      return Status::kError;
    }
    return std::nullopt;
  };

  Status status = Status::kPass;
  bool decided = false;
  if (c->when) {
    cel::Value w = c->when->evaluate(act);
    if (auto st = classify(w, "when")) {
      status = *st;
      decided = true;
    } else if (!w.as_bool()) {
      return std::nullopt;
    }
  }
  if (!decided) {
    cel::Value a = c->assertion->evaluate(act);
    if (auto st = classify(a, "assert")) {
      status = *st;
    } else {
      status = a.as_bool() ? Status::kPass : Status::kFail;
    }
  }
  return status;
}

// The document node of a quantifier's deciding element: the element itself, or for a
// leaf of strings() (a map of path, key and value) the string it found.
const formats::Node* witness_node(const cel::Value& w) {
  if (const formats::Node* n = w.node()) return n;
  if (w.kind() == cel::Kind::kMap) {
    if (std::optional<cel::Value> v = w.map_find("value")) return v->node();
  }
  return nullptr;
}

// Fills `f` for a judged result: identity, and for a fail or unknown where to fix it and
// the rendered message.
void describe(const Rule& rule, const model::Resource& resource, const cel::Activation& act, Status status,
              std::string detail, Finding& f) {
  const CompiledRule* c = rule.compiled.get();
  f.rule = &rule;
  f.status = status;
  FingerprintSeed scratch;
  write_fingerprint(f.fingerprint.hex.data(), seed_of(rule, scratch), resource.type, resource.id);
  if (!detail.empty()) f.extra().detail = std::move(detail);
  if (status == Status::kPass) return;
  f.line = resource.location.line;  // the resource, until an attribute is found below
  f.column = resource.location.column;
  f.offset = resource.location.offset;
  if (status == Status::kError) return;

  // Point at the attribute. The first conjunct that is not true decides: the element that
  // decided one of its quantifiers (`!resource.ingress.exists(r, ...)` points at the
  // offending rule), else the deepest existing node along the paths it reads.
  const std::vector<AttributePath>* paths = nullptr;
  cel::Value witness;
  if (c->conjuncts.size() == 1) {
    paths = &c->conjuncts[0].paths;
    if (c->assertion->has_quantifiers()) (void)c->assertion->evaluate_with_witness(act, &witness);
  } else {
    for (const Conjunct& cj : c->conjuncts) {
      if (cj.program == nullptr) continue;
      cel::Value w;
      cel::Value v = cj.program->has_quantifiers() ? cj.program->evaluate_with_witness(act, &w)
                                                   : cj.program->evaluate(act);
      bool is_true = v.kind() == cel::Kind::kBool && v.as_bool();
      if (!is_true) {
        paths = &cj.paths;
        witness = std::move(w);
        break;
      }
    }
  }
  PointedNode p = locate_node(*resource.attributes, witness_node(witness));
  if (p.node == nullptr && paths != nullptr) p = locate_attribute(*resource.attributes, *paths);
  if (p.node != nullptr) {
    point_at(f, *p.node, resource);
    f.attribute = p.path;
  }
  if (c->message_reads_attributes) {
    f.extra().stored_message = render_template(c->message, rule, resource);
  } else {
    f.message_later = true;
  }
}

cel::Activation activation_for(const model::Resource& resource, cel::Timestamp now) {
  cel::Activation act;
  act.bind("resource", cel::Value::from_node(*resource.attributes, "resource"));
  act.bind("now", cel::Value::timestamp(now));
  act.set_now(now);
  return act;
}

}  // namespace

std::optional<Finding> evaluate_rule(const Rule& rule, const model::Resource& resource, cel::Timestamp now) {
  if (resource.attributes == nullptr) return std::nullopt;
  cel::Activation act = activation_for(resource, now);
  std::string detail;
  std::optional<Status> status = judge(rule, resource, act, detail);
  if (!status) return std::nullopt;
  Finding f;
  describe(rule, resource, act, *status, std::move(detail), f);
  return f;
}

namespace {

struct SuppressionState {
  std::string today;
  const ExceptionList* exceptions = nullptr;
};

// Applies inline suppressions and exceptions to a fail/unknown finding. Problems
// (expired, no reason) go to `diags`.
void apply_suppressions(Finding& f, const model::Resource& r, const SuppressionState& st,
                        core::Diagnostics& diags) {
  if (f.status != Status::kFail && f.status != Status::kUnknown) return;
  for (const model::InlineSuppression& s : r.suppressions) {
    if (s.rule_id != "*" && s.rule_id != f.rule->id) continue;
    if (!s.until.empty() && s.until < st.today) {
      diags.add(core::Severity::kWarning, "suppression.expired",
                "inline suppression of " + f.rule->id + " on " + r.id + " expired on " + s.until +
                    "; the finding is reported",
                s.location);
      continue;
    }
    AppliedSuppression a;
    a.inline_comment = true;
    a.rule = s.rule_id;
    a.reason = s.reason;
    a.expires = s.until;
    a.location = s.location;
    a.original = f.status;
    f.extra().suppression = std::make_shared<const AppliedSuppression>(std::move(a));
    f.status = Status::kSuppressed;
    return;
  }
  if (st.exceptions == nullptr) return;
  for (const Exception& e : st.exceptions->items()) {
    if (!glob_match(e.rule, f.rule->id) || !glob_match(e.resource, r.id)) continue;
    if (!e.expires.empty() && e.expires < st.today) continue;  // reported once by scan()
    AppliedSuppression a;
    a.inline_comment = false;
    a.rule = e.rule;
    a.reason = e.reason;
    a.approver = e.approver;
    a.expires = e.expires;
    a.location = e.location;
    a.original = f.status;
    f.extra().suppression = std::make_shared<const AppliedSuppression>(std::move(a));
    f.status = Status::kSuppressed;
    return;
  }
}

}  // namespace

// One batch's results, with resource indexes counted from the batch's first resource.
struct BatchOut {
  std::deque<Finding> findings;
  std::vector<Pass> passes;
  std::deque<ScannedResource> resources;
  core::Diagnostics diags;
};

struct Scanner::State {
  const RuleSet& rules;
  ScanOptions options;
  SuppressionState st;
  std::atomic<size_t> done{0};  // resources evaluated, for progress

  std::mutex mu;  // guards what follows
  ScanResult result;
  std::set<std::string> seen_expired;  // inline suppressions expire once per comment
  uint64_t next_commit = 0;            // the batch number the result continues with
  uint32_t next_part = 0;              // ... and its part
  uint64_t next_auto = 0;              // add(resources) numbers its batches from here
  struct Waiting {
    BatchOut out;
    bool last = true;
  };
  std::map<std::pair<uint64_t, uint32_t>, Waiting> waiting;  // evaluated before an earlier (batch, part)

  State(const RuleSet& r, const ScanOptions& o) : rules(r), options(o) {}

  // Appends a batch to the result (its turn has come): indexes continue the result's.
  void commit(BatchOut&& b) {
    const size_t base = result.resources.size();
    const size_t passes = result.passes.size() + b.passes.size();  // geometric: not one reallocation per batch
    if (passes > result.passes.capacity()) result.passes.reserve(std::max(passes, result.passes.capacity() * 2));
    for (Finding& f : b.findings) {
      f.resource_index += static_cast<uint32_t>(base);
      result.findings.push_back(std::move(f));
    }
    for (Pass p : b.passes) {
      p.resource += static_cast<uint32_t>(base);
      result.passes.push_back(p);
    }
    std::move(b.resources.begin(), b.resources.end(), std::back_inserter(result.resources));
    for (const core::Diagnostic& d : b.diags.items()) {
      if (d.code == "suppression.expired" && !seen_expired.insert(d.location.to_string() + d.message).second) continue;
      result.diagnostics.add(d);
    }
  }
};

Scanner::Scanner(const RuleSet& rules, const ScanOptions& options) : state_(std::make_unique<State>(rules, options)) {
  State& s = *state_;
  s.st.today = civil_date(options.now);
  s.st.exceptions = options.exceptions;
  if (options.exceptions != nullptr) {
    for (const Exception& e : options.exceptions->items()) {
      if (!e.expires.empty() && e.expires < s.st.today) {
        s.result.diagnostics.add(core::Severity::kWarning, "exception.expired",
                                 "exception for " + e.rule + " on '" + e.resource + "' expired on " + e.expires +
                                     "; it no longer suppresses anything",
                                 e.location);
      }
    }
  }
}

Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;
Scanner::~Scanner() = default;

void Scanner::add(std::span<const model::Resource> resources) {
  uint64_t batch = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    batch = state_->next_auto++;
  }
  add(resources, batch, 0);
}

void Scanner::add(std::span<const model::Resource> resources, uint64_t batch, size_t threads_for_batch,
                  uint32_t part, bool last) {
  State& s = *state_;
  const RuleSet& rules = s.rules;
  const ScanOptions& options = s.options;
  const SuppressionState& st = s.st;
  BatchOut out_all;
  // Inline suppressions without a reason: one warning each.
  for (const model::Resource& r : resources) {
    for (const model::InlineSuppression& sup : r.suppressions) {
      if (sup.reason.empty()) {
        out_all.diags.add(core::Severity::kWarning, "suppression.no_reason",
                          "suppression of " + sup.rule_id + " on " + r.id + " gives no reason", sup.location);
      }
    }
  }

  // Resources are evaluated in chunks of consecutive resources; each chunk's results go
  // to their own vectors and the chunks are joined in order, so the output does not
  // depend on the thread count, and a chunk's memory is returned as soon as it is moved.
  const size_t n = resources.size();
  size_t threads = std::clamp<size_t>(threads_for_batch > 0 ? threads_for_batch : options.threads, 1, 256);
  threads = std::min(threads, std::max<size_t>(n, 1));
  const size_t chunk = threads <= 1 ? std::max<size_t>(n, 1) : 64;
  const size_t chunks = (n + chunk - 1) / chunk;
  std::vector<BatchOut> per_chunk(threads <= 1 ? 0 : chunks);
  const Rule* first_rule = rules.rules().data();
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::string detail;
    while (true) {
      size_t k = next.fetch_add(1);
      if (k >= chunks) break;
      BatchOut& out = threads <= 1 ? out_all : per_chunk[k];
      size_t end_i = std::min(n, (k + 1) * chunk);
      for (size_t i = k * chunk; i < end_i; ++i) {
        const model::Resource& r = resources[i];
        if (r.attributes != nullptr) {
          cel::Activation act = activation_for(r, options.now);
          for (uint32_t ri : rules.rules_for_type(r.type)) {
            const Rule& rule = first_rule[ri];
            if (!supports_format(rule, r.format)) continue;
            detail.clear();
            std::optional<Status> status = judge(rule, r, act, detail);
            if (!status) continue;
            if (*status == Status::kPass) {
              out.passes.push_back(Pass{ri, static_cast<uint32_t>(i)});
              continue;
            }
            Finding f;
            describe(rule, r, act, *status, std::move(detail), f);
            f.resource_index = static_cast<uint32_t>(i);
            if (f.status == Status::kError) {
              out.diags.add(core::Severity::kWarning, "rule.runtime_error",
                            rule.id + " on " + r.id + ": " + f.detail(), r.location);
            }
            apply_suppressions(f, r, st, out.diags);
            out.findings.push_back(std::move(f));
          }
        }
        size_t d = s.done.fetch_add(1) + 1;
        if (options.progress) options.progress(d, options.progress_total);
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
    size_t np = 0;
    for (const BatchOut& c : per_chunk) np += c.passes.size();
    out_all.passes.reserve(np);
    for (BatchOut& c : per_chunk) {
      std::move(c.findings.begin(), c.findings.end(), std::back_inserter(out_all.findings));
      out_all.passes.insert(out_all.passes.end(), c.passes.begin(), c.passes.end());
      out_all.diags.merge(std::move(c.diags));
      std::deque<Finding>().swap(c.findings);
      std::vector<Pass>().swap(c.passes);
    }
  }
  for (const model::Resource& r : resources) {
    out_all.resources.push_back(ScannedResource{r.id, r.type, r.source_type, r.format, r.location});
  }

  // In (batch, part) order: this one now if its turn has come (then any that were
  // waiting for it), else it waits.
  std::lock_guard<std::mutex> lock(s.mu);
  auto advance = [&s](bool was_last) {
    if (was_last) {
      ++s.next_commit;
      s.next_part = 0;
    } else {
      ++s.next_part;
    }
  };
  if (batch != s.next_commit || part != s.next_part) {
    s.waiting.emplace(std::make_pair(batch, part), State::Waiting{std::move(out_all), last});
    return;
  }
  s.commit(std::move(out_all));
  advance(last);
  for (auto it = s.waiting.begin();
       it != s.waiting.end() && it->first == std::make_pair(s.next_commit, s.next_part);
       it = s.waiting.erase(it)) {
    s.commit(std::move(it->second.out));
    advance(it->second.last);
  }
}

ScanResult Scanner::finish() && {
  // Batches after a number that never came (a caller that skipped one), in order.
  for (auto& [key, w] : state_->waiting) state_->commit(std::move(w.out));
  state_->waiting.clear();
  ScanResult result = std::move(state_->result);
  Summary& s = result.summary;
  s.resources = result.resources.size();
  s.evaluated = result.findings.size() + result.passes.size();
  s.pass = result.passes.size();
  for (const Finding& f : result.findings) {
    switch (f.status) {
      case Status::kPass:
        ++s.pass;
        break;
      case Status::kFail:
        ++s.fail;
        ++s.fail_by_severity[static_cast<size_t>(f.rule->severity)];
        break;
      case Status::kUnknown:
        ++s.unknown;
        break;
      case Status::kError:
        ++s.error;
        break;
      case Status::kSuppressed:
        ++s.suppressed;
        break;
    }
  }
  return result;
}

ScanResult scan(const RuleSet& rules, std::span<const model::Resource> resources, const ScanOptions& options) {
  ScanOptions o = options;
  if (o.progress && o.progress_total == 0) o.progress_total = resources.size();
  Scanner scanner(rules, o);
  scanner.add(resources);
  return std::move(scanner).finish();
}

const std::string& ScanResult::message_of(const Finding& f, std::string& scratch) const {
  if (!f.message_later || f.rule == nullptr || f.rule->compiled == nullptr) return f.stored_message();
  const ScannedResource& r = resource_of(f);
  render_identity_template(f.rule->compiled->message, *f.rule, r.id, r.type, r.source_type, r.format,
                           scratch);
  return scratch;
}

std::string ScanResult::message_of(const Finding& f) const {
  std::string scratch;
  return message_of(f, scratch);
}

Finding& Finding::operator=(const Finding& o) {
  if (this == &o) return *this;
  rule = o.rule;
  resource_index = o.resource_index;
  status = o.status;
  message_later = o.message_later;
  line = o.line;
  column = o.column;
  offset = o.offset;
  attribute = o.attribute;
  fingerprint = o.fingerprint;
  extra_ = o.extra_ ? std::make_unique<FindingExtra>(*o.extra_) : nullptr;
  return *this;
}

Finding ScanResult::pass_finding(const RuleSet& rules, const Pass& p) const {
  Finding f;
  fill_pass(rules, p, f);
  return f;
}

void ScanResult::fill_pass(const RuleSet& rules, const Pass& p, Finding& f) const {
  const Rule& rule = rules.rules()[p.rule];
  const ScannedResource& r = resources[p.resource];
  f.rule = &rule;
  f.status = Status::kPass;
  f.resource_index = p.resource;
  f.line = 0;
  f.column = 0;
  f.offset = 0;
  f.attribute.clear();
  f.message_later = false;
  f.clear_extra();
  FingerprintSeed scratch;
  write_fingerprint(f.fingerprint.hex.data(), seed_of(rule, scratch), r.type, r.id);
}

std::vector<ExampleResult> run_examples(const Rule& rule, cel::Timestamp now) {
  std::vector<ExampleResult> out;
  for (const RuleExample& ex : rule.examples) {
    ExampleResult r;
    r.rule = &rule;
    r.example = &ex;
    model::Estate estate;
    core::Diagnostics diags;
    std::string name = rule.id + " " + ex.name;
    estate.add_text(name, ex.input, ex.format, model::LoadOptions{}, diags);
    if (diags.has_errors()) {
      r.problem = "the snippet does not load: " + diags.to_text();
      out.push_back(std::move(r));
      continue;
    }
    // Fail beats unknown beats pass across the applicable resources.
    std::optional<Status> verdict;
    std::string detail;
    auto rank = [](Status s) {
      switch (s) {
        case Status::kError:
          return 4;
        case Status::kFail:
          return 3;
        case Status::kUnknown:
          return 2;
        default:
          return 1;
      }
    };
    for (const model::Resource& res : estate.resources()) {
      if (std::find(rule.types.begin(), rule.types.end(), res.type) == rule.types.end()) continue;
      if (!ex.resource.empty() && res.id != ex.resource) continue;
      std::optional<Finding> f = evaluate_rule(rule, res, now);
      if (!f) continue;
      if (!verdict || rank(f->status) > rank(*verdict)) {
        verdict = f->status;
        detail = f->detail();
      }
    }
    r.got = verdict;
    Status want = ex.expect == Expect::kPass ? Status::kPass : ex.expect == Expect::kFail ? Status::kFail : Status::kUnknown;
    if (!verdict) {
      r.problem = ex.resource.empty()
                      ? "the snippet has no resource the rule applies to"
                      : "no resource '" + ex.resource + "' the rule applies to in the snippet";
    } else if (*verdict != want) {
      r.problem = std::string("expected ") + expect_name(ex.expect) + ", got " + status_name(*verdict);
      if (!detail.empty()) r.problem += " (" + detail + ")";
    } else {
      r.ok = true;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sekimori::policy
