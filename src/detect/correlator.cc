#include "detect/correlator.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "detect/condition.h"
#include "detect/internal/text.h"

namespace sekimori::detect {

using simdjson::dom::element;

namespace {

// The match's identity (rule, time, position, file), without its context or event.
MatchedEvent header_of(const Alert& a, std::shared_ptr<const std::string> file) {
  MatchedEvent m;
  m.rule = a.rule;
  m.time_ms = a.time_ms;
  m.has_time = a.has_time;
  m.offset = a.offset;
  m.record = a.record;
  m.file = file ? std::move(file) : std::make_shared<const std::string>(a.file);
  return m;
}

}  // namespace

MatchedEvent MatchedEvent::from_alert(const Alert& a, std::shared_ptr<const std::string> file) {
  MatchedEvent m = header_of(a, std::move(file));
  const std::string* parts[kFields] = {&a.event_time, &a.account,    &a.region,      &a.principal,
                                       &a.source_ip,  &a.event_name, &a.event_source};
  size_t n = 0;
  for (const std::string* p : parts) n += p->size();
  m.context.reserve(n);
  for (int f = 0; f < kFields; ++f) {
    m.context += *parts[f];
    m.ends[f] = static_cast<uint32_t>(m.context.size());
  }
  m.event = a.event;
  return m;
}

MatchedEvent MatchedEvent::from_alert(const Alert& a, std::shared_ptr<const std::string> file,
                                      const std::shared_ptr<std::string>& shared) {
  MatchedEvent m = header_of(a, std::move(file));
  std::string& buf = *shared;
  m.shared_at = buf.size();
  const std::string* parts[kFields] = {&a.event_time, &a.account,    &a.region,      &a.principal,
                                       &a.source_ip,  &a.event_name, &a.event_source};
  uint32_t n = 0;
  for (int f = 0; f < kFields; ++f) {
    buf += *parts[f];
    n += static_cast<uint32_t>(parts[f]->size());
    m.ends[f] = n;
  }
  buf += a.event;
  m.shared_event = static_cast<uint32_t>(a.event.size());
  m.shared = shared;
  return m;
}

void MatchedEvent::own() {
  if (!shared) return;
  std::string_view all = std::string_view(*shared).substr(shared_at, ends[kFields - 1] + size_t{shared_event});
  context.assign(all.substr(0, ends[kFields - 1]));
  event.assign(all.substr(ends[kFields - 1]));
  shared.reset();
  shared_at = 0;
  shared_event = 0;
}

Alert MatchedEvent::to_alert(const Engine& engine) const {
  Alert a;
  a.rule = rule;
  a.meta = &engine.rule(rule);
  a.time_ms = time_ms;
  a.has_time = has_time;
  a.event_time = field(kEventTime);
  a.account = field(kAccount);
  a.region = field(kRegion);
  a.principal = field(kPrincipal);
  a.source_ip = field(kSourceIp);
  a.event_name = field(kEventName);
  a.event_source = field(kEventSource);
  if (file) a.file = *file;
  a.offset = offset;
  a.record = record;
  a.event = event_text();
  return a;
}

void CorrelationInput::add_group_value(std::string_view v) {
  if (v.empty() || (std::memchr(v.data(), '\x1e', v.size()) == nullptr &&
                    std::memchr(v.data(), '\x1f', v.size()) == nullptr)) {
    keys.append(v.data(), v.size());  // nothing to escape (the usual case)
    keys += '\x1f';
    value_at = static_cast<uint32_t>(keys.size());
    return;
  }
  for (char ch : v) {
    if (ch == '\x1e' || ch == '\x1f') keys += '\x1e';
    keys += ch;
  }
  keys += '\x1f';
  value_at = static_cast<uint32_t>(keys.size());
}

void CorrelationInput::set_value(std::string_view v) {
  keys.resize(value_at);
  keys += v;
}

void CorrelationInput::compute_hashes() {
  key_hash = std::hash<std::string_view>{}(group_key());
  value_hash = std::hash<std::string_view>{}(value());
  hashed = true;
}

namespace {

// The group-by values of a group key (CorrelationInput::keys up to value_at), unescaped.
std::vector<std::string> split_group_key(std::string_view k) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < k.size(); ++i) {
    if (k[i] == '\x1e' && i + 1 < k.size()) {
      cur += k[++i];
    } else if (k[i] == '\x1f') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += k[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> CorrelationInput::group_values() const { return split_group_key(group_key()); }

CorrelationInput make_correlation_input(const CorrelationFeed& feed, element record, MatchScratch& fields,
                                        MatchedEvent base) {
  CorrelationInput in;
  in.correlation = feed.correlation;
  in.position = feed.position;
  in.time_ms = base.time_ms;
  auto get = [&](uint32_t slot, const std::string& path) {
    return slot == kNoFieldSlot ? lookup(record, path) : fields.field(record, slot);
  };
  // the values are views (of the DOM, or of a number buffer each) until the key buffer is
  // made, so it is allocated once at its final size
  constexpr size_t kMax = 8;
  size_t n = feed.group_fields.size() + (feed.value_field.empty() ? 0 : 1);
  std::array<std::string_view, kMax> views{};
  char bufs[kMax][64];
  size_t total = 0;
  for (size_t i = 0; i < n && i < kMax; ++i) {
    bool value = i == feed.group_fields.size();
    uint32_t slot = value                         ? feed.value_slot
                    : i < feed.group_slots.size() ? feed.group_slots[i]
                                                  : kNoFieldSlot;
    auto e = get(slot, value ? feed.value_field : feed.group_fields[i]);
    if (!scalar_text_view(e, views[i], bufs[i])) views[i] = {};
    total += views[i].size() + 2;
  }
  in.keys.reserve(total);
  char buf[64];
  for (size_t i = 0; i < n; ++i) {
    bool value = i == feed.group_fields.size();
    std::string_view v = i < kMax ? views[i] : std::string_view{};
    if (i >= kMax) {  // more fields than views: looked up as they are added
      uint32_t slot = value                         ? feed.value_slot
                      : i < feed.group_slots.size() ? feed.group_slots[i]
                                                    : kNoFieldSlot;
      if (!scalar_text_view(get(slot, value ? feed.value_field : feed.group_fields[i]), v, buf)) v = {};
    }
    if (value)
      in.set_value(v);
    else
      in.add_group_value(v);
  }
  in.base = std::move(base);
  in.compute_hashes();
  return in;
}

CorrelationInput make_correlation_input(const CorrelationFeed& feed, element record, MatchedEvent base) {
  CorrelationInput in;
  in.correlation = feed.correlation;
  in.position = feed.position;
  in.time_ms = base.time_ms;
  std::string v;
  for (const std::string& f : feed.group_fields) {
    assign_scalar_text(lookup(record, f), v);
    in.add_group_value(v);
  }
  if (!feed.value_field.empty()) {
    assign_scalar_text(lookup(record, feed.value_field), v);
    in.set_value(v);
  }
  in.base = std::move(base);
  in.compute_hashes();
  return in;
}

namespace {

struct Entry {
  int64_t time;
  uint32_t position;
  uint32_t value_at;  // the value is keys[value_at..] (the input's buffer, moved)
  size_t value_hash;  // std::hash of value()
  std::string keys;
  MatchedEvent base;
  [[nodiscard]] std::string_view value() const { return std::string_view(keys).substr(value_at); }
};

// A string with its std::hash<std::string_view>, computed where the input was built (a
// worker thread), so that looking it up in a map keyed by strings hashes nothing.
struct Prehashed {
  std::string_view s;
  size_t h;
};
// Not noexcept on purpose: the maps then keep each node's hash (no rehashing of keys).
struct PreHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  size_t operator()(const Prehashed& p) const { return p.h; }
};
struct PreEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const Prehashed& a, std::string_view b) const { return a.s == b; }
  bool operator()(std::string_view a, const Prehashed& b) const { return a == b.s; }
};

struct Group {
  std::deque<Entry> entries;
  int64_t window_start = 0;
  // value_count: occurrences of each non-empty value in `entries`, kept up to date as
  // entries come and go once the window has held more than kSmallWindow of them (then
  // evaluating the window does not rebuild a set per arrival); a smaller window, which is
  // most groups, counts its distinct values over the entries instead and allocates nothing.
  std::unordered_map<std::string, uint32_t, PreHash, PreEq> counts;
  bool counting = false;
  static constexpr size_t kSmallWindow = 16;

  void push(Entry e, bool count) {
    entries.push_back(std::move(e));
    if (!count) return;
    if (counting) {
      add(entries.back());
    } else if (entries.size() > kSmallWindow) {
      counting = true;
      for (const Entry& x : entries) add(x);
    }
  }
  void pop_front() {
    if (counting && !entries.front().value().empty()) {
      auto it = counts.find(Prehashed{entries.front().value(), entries.front().value_hash});
      if (it != counts.end() && --it->second == 0) counts.erase(it);
    }
    entries.pop_front();
  }
  // Distinct non-empty values in the window (value_count).
  [[nodiscard]] size_t distinct() const {
    if (counting) return counts.size();
    size_t n = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      if (e.value().empty()) continue;
      bool seen = false;
      for (size_t j = 0; j < i && !seen; ++j) {
        seen = entries[j].value_hash == e.value_hash && entries[j].value() == e.value();
      }
      n += seen ? 0 : 1;
    }
    return n;
  }
  void clear() {
    entries.clear();
    counts.clear();
    counting = false;
  }

 private:
  void add(const Entry& e) {
    if (e.value().empty()) return;
    auto it = counts.find(Prehashed{e.value(), e.value_hash});
    if (it == counts.end()) counts.emplace(std::string(e.value()), 1);
    else ++it->second;
  }
};

// `s` ends where its std::string ends (Entry::value), so s.data() is NUL-terminated.
bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.data(), &end);
  return end == s.data() + s.size();
}

}  // namespace

struct Correlator::Impl {
  const Engine& engine;
  size_t max_contrib;
  struct State {
    bool sliding = true;
    std::optional<CondNode> expr;  // temporal boolean condition
    using Groups = std::unordered_map<std::string, Group, PreHash, PreEq>;
    Groups groups;
    // Groups come and go with every window (most hold a match or two): expired ones are
    // kept, emptied, and reused for new keys, so a new group allocates nothing (its key
    // string, deque and counts table keep their memory).
    std::vector<Groups::node_type> spare;
  };
  static constexpr size_t kSpareGroups = 1024;
  std::vector<State> states;
  size_t held = 0, peak = 0;
  uint64_t since_sweep = 0;
  int64_t now = 0;
  simdjson::dom::parser parser;

  Impl(const Engine& e, size_t m) : engine(e), max_contrib(m) {
    for (const CorrelationPlan& p : engine.correlations()) {
      State s;
      const CountCondition& c = p.spec.condition;
      switch (p.spec.type) {
        case CorrelationType::kValueAvg: s.sliding = false; break;
        case CorrelationType::kValuePercentile: s.sliding = true; break;
        default: s.sliding = !(c.lt || c.lte || c.eq);
      }
      if (!c.expression.empty()) {
        auto parsed = parse_condition(c.expression);
        if (parsed.ok()) s.expr = std::move(parsed).value();
      }
      states.push_back(std::move(s));
    }
  }

  bool eval_expr(const CondNode& n, const CorrelationPlan& p, const std::vector<bool>& present) const {
    auto has = [&](const std::string& name) {
      for (size_t i = 0; i < p.rule_names.size(); ++i) {
        const RuleMeta& m = engine.rule(p.feeders[i]);
        if ((p.rule_names[i] == name || m.name == name || m.id == name) && present[i]) return true;
      }
      return false;
    };
    switch (n.kind) {
      case CondKind::kRef: return has(n.name);
      case CondKind::kAnd:
        for (const CondNode& k : n.children) {
          if (!eval_expr(k, p, present)) return false;
        }
        return true;
      case CondKind::kOr:
        for (const CondNode& k : n.children) {
          if (eval_expr(k, p, present)) return true;
        }
        return false;
      case CondKind::kNot: return !eval_expr(n.children[0], p, present);
      case CondKind::kOneOf:
      case CondKind::kAllOf: {
        bool all = n.kind == CondKind::kAllOf, any = false;
        for (size_t i = 0; i < p.rule_names.size(); ++i) {
          if (n.name != "them" && !name_matches(n.name, p.rule_names[i])) continue;
          if (present[i]) any = true;
          else if (all) return false;
        }
        return all || any;
      }
    }
    return false;
  }

  // Evaluates a group's window; returns the aggregate when the condition holds.
  std::optional<double> evaluate(uint32_t c, const Group& g, const Entry* arriving) const {
    const CorrelationPlan& p = engine.correlations()[c];
    const CountCondition& cond = p.spec.condition;
    if (g.entries.empty()) return std::nullopt;
    switch (p.spec.type) {
      case CorrelationType::kEventCount: {
        double n = static_cast<double>(g.entries.size());
        return cond.holds(n) ? std::optional<double>(n) : std::nullopt;
      }
      case CorrelationType::kValueCount: {
        double n = static_cast<double>(g.distinct());
        return cond.holds(n) ? std::optional<double>(n) : std::nullopt;
      }
      case CorrelationType::kValueSum:
      case CorrelationType::kValueAvg: {
        double sum = 0;
        size_t n = 0;
        for (const Entry& e : g.entries) {
          double v;
          if (parse_number(e.value(), v)) sum += v, ++n;
        }
        if (n == 0) return std::nullopt;
        double agg = p.spec.type == CorrelationType::kValueSum ? sum : sum / static_cast<double>(n);
        return cond.holds(agg) ? std::optional<double>(agg) : std::nullopt;
      }
      case CorrelationType::kValuePercentile: {
        if (!arriving || arriving->value().empty()) return std::nullopt;
        size_t same = 0;
        for (const Entry& e : g.entries) same += e.value() == arriving->value();
        double share = 100.0 * static_cast<double>(same) / static_cast<double>(g.entries.size());
        return cond.holds(share) ? std::optional<double>(share) : std::nullopt;
      }
      case CorrelationType::kTemporal: {
        std::vector<bool> present(p.feeders.size(), false);
        for (const Entry& e : g.entries) present[e.position] = true;
        double distinct = static_cast<double>(std::count(present.begin(), present.end(), true));
        const State& s = states[c];
        bool ok = s.expr ? eval_expr(*s.expr, p, present)
                  : cond.has_bounds() ? cond.holds(distinct)
                                      : distinct == static_cast<double>(p.feeders.size());
        return ok ? std::optional<double>(distinct) : std::nullopt;
      }
      case CorrelationType::kTemporalOrdered: {
        // longest prefix of `rules` seen in order (greedy earliest is optimal)
        uint32_t need = 0;
        for (const Entry& e : g.entries) {
          if (need < p.feeders.size() && e.position == need) ++need;
        }
        double n = need;
        bool ok = cond.has_bounds() ? cond.holds(n) : need == p.feeders.size();
        if (states[c].expr) {
          std::vector<bool> present(p.feeders.size(), false);
          for (uint32_t i = 0; i < need; ++i) present[i] = true;
          ok = eval_expr(*states[c].expr, p, present);
        }
        return ok ? std::optional<double>(n) : std::nullopt;
      }
    }
    return std::nullopt;
  }

  // `key`: the group's key, whose values are only split out here (groups come and go far
  // more often than they fire).
  void fire(uint32_t c, std::string_view key, Group& g, double aggregate, std::vector<Alert>& out, bool clear) {
    const CorrelationPlan& p = engine.correlations()[c];
    Alert a;
    a.rule = p.rule;
    a.meta = &engine.rule(p.rule);
    a.correlation = true;
    a.correlation_type = correlation_type_name(p.spec.type);
    const Entry& last = g.entries.back();
    a.time_ms = last.time;
    a.has_time = true;
    a.event_time = format_time_ms(last.time);
    a.account = last.base.field(MatchedEvent::kAccount);
    a.region = last.base.field(MatchedEvent::kRegion);
    a.principal = last.base.field(MatchedEvent::kPrincipal);
    a.source_ip = last.base.field(MatchedEvent::kSourceIp);
    a.event_name = last.base.field(MatchedEvent::kEventName);
    a.event_source = last.base.field(MatchedEvent::kEventSource);
    if (last.base.file) a.file = *last.base.file;
    a.offset = last.base.offset;
    a.record = last.base.record;
    std::vector<std::string> values = split_group_key(key);
    for (size_t i = 0; i < p.spec.group_by.size() && i < values.size(); ++i) {
      a.group.emplace_back(p.spec.group_by[i], std::move(values[i]));
    }
    a.event_count = g.entries.size();
    a.aggregate = aggregate;
    a.contributing.reserve(std::min(max_contrib, g.entries.size()));
    for (const Entry& e : g.entries) {
      if (a.contributing.size() >= max_contrib) break;
      a.contributing.push_back(e.base.to_alert(engine));
    }
    // chained correlations
    for (const CorrelationFeed& feed : p.downstream) {
      CorrelationInput in;
      in.correlation = feed.correlation;
      in.position = feed.position;
      in.time_ms = last.time;
      std::optional<element> ev;
      if (std::string_view text = last.base.event_text(); !text.empty()) {
        auto doc = parser.parse(text.data(), text.size());
        if (doc.error() == simdjson::SUCCESS) ev = doc.value_unsafe();
      }
      for (const std::string& f : feed.group_fields) {
        std::string v;
        for (const auto& [k, val] : a.group) {
          if (k == f) v = val;
        }
        if (v.empty() && ev) v = scalar_text(lookup(*ev, f));
        in.add_group_value(v);
      }
      if (!feed.value_field.empty() && ev) in.set_value(scalar_text(lookup(*ev, feed.value_field)));
      in.base = MatchedEvent::from_alert(a, last.base.file);
      pending.push_back(std::move(in));
    }
    held -= clear ? g.entries.size() : 0;
    if (clear) g.clear();
    if (engine.rule(p.rule).standalone) out.push_back(std::move(a));
  }

  std::vector<CorrelationInput> pending;

  void close_expired(uint32_t c, std::vector<Alert>& out, bool all) {
    State& s = states[c];
    int64_t span = engine.correlations()[c].spec.timespan_ms;
    for (auto it = s.groups.begin(); it != s.groups.end();) {
      Group& g = it->second;
      if (s.sliding && !all) {
        // a sliding window only holds matches younger than the timespan
        while (!g.entries.empty() && g.entries.front().time < now - span) {
          g.pop_front();
          --held;
        }
      }
      bool expired = all || (s.sliding ? g.entries.empty() : now - g.window_start > span);
      if (!expired) {
        ++it;
        continue;
      }
      if (!s.sliding && !g.entries.empty()) {
        if (auto agg = evaluate(c, g, nullptr)) fire(c, it->first, g, *agg, out, false);
      }
      held -= g.entries.size();
      auto next = std::next(it);
      auto node = s.groups.extract(it);
      it = next;
      if (s.spare.size() < kSpareGroups) {
        node.mapped().clear();
        s.spare.push_back(std::move(node));
      }
    }
  }

  void add_one(CorrelationInput in, std::vector<Alert>& out) {
    uint32_t c = in.correlation;
    State& s = states[c];
    const CorrelationPlan& p = engine.correlations()[c];
    int64_t span = p.spec.timespan_ms;
    now = std::max(now, in.time_ms);
    if (!in.hashed) in.compute_hashes();
    std::string_view key = in.group_key();
    auto it = s.groups.find(Prehashed{key, in.key_hash});
    if (it == s.groups.end()) {
      if (!s.spare.empty()) {
        auto node = std::move(s.spare.back());
        s.spare.pop_back();
        node.key().assign(key.data(), key.size());
        it = s.groups.insert(std::move(node)).position;
      } else {
        it = s.groups.try_emplace(std::string(key)).first;
      }
      it->second.window_start = in.time_ms;
    }
    Group& g = it->second;
    if (!s.sliding && !g.entries.empty() && in.time_ms - g.window_start > span) {
      if (auto agg = evaluate(c, g, nullptr)) fire(c, it->first, g, *agg, out, false);
      held -= g.entries.size();
      g.clear();
    }
    if (g.entries.empty()) g.window_start = in.time_ms;
    // only the first events of a window are shown in an alert: keep no JSON for the rest
    if (g.entries.size() >= max_contrib) in.base.drop_event();
    // a long window would keep the file's whole shared buffer alive for this match
    if (in.base.shared && span > kShareSpanMs) in.base.own();
    g.push(Entry{in.time_ms, in.position, in.value_at, in.value_hash, std::move(in.keys), std::move(in.base)},
           p.spec.type == CorrelationType::kValueCount);
    ++held;
    peak = std::max(peak, held);
    if (s.sliding) {
      while (!g.entries.empty() && g.entries.front().time < in.time_ms - span) {
        g.pop_front();
        --held;
      }
      if (auto agg = evaluate(c, g, &g.entries.back())) {
        fire(c, it->first, g, *agg, out, p.spec.type != CorrelationType::kValuePercentile);
      }
    }
    if (++since_sweep >= 4096) {
      since_sweep = 0;
      for (uint32_t k = 0; k < states.size(); ++k) close_expired(k, out, false);
    }
  }
};

Correlator::Correlator(const Engine& engine, size_t max_contributing)
    : impl_(std::make_unique<Impl>(engine, max_contributing)) {}
Correlator::~Correlator() = default;

void Correlator::add(CorrelationInput in, std::vector<Alert>& out) {
  impl_->add_one(std::move(in), out);
  // chained inputs fire at the same time as their source; process them now (bounded:
  // correlation references form no cycles)
  for (int guard = 0; !impl_->pending.empty() && guard < 64; ++guard) {
    std::vector<CorrelationInput> next = std::move(impl_->pending);
    impl_->pending.clear();
    for (CorrelationInput& c : next) impl_->add_one(std::move(c), out);
  }
}

void Correlator::finish(std::vector<Alert>& out) {
  for (int round = 0; round < 64; ++round) {
    for (uint32_t c = 0; c < impl_->states.size(); ++c) impl_->close_expired(c, out, true);
    if (impl_->pending.empty()) break;
    std::vector<CorrelationInput> next = std::move(impl_->pending);
    impl_->pending.clear();
    for (CorrelationInput& c : next) impl_->add_one(std::move(c), out);
  }
}

size_t Correlator::held() const { return impl_->held; }
size_t Correlator::peak_held() const { return impl_->peak; }

}  // namespace sekimori::detect
