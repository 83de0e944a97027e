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
#include "detect/internal/hash_index.h"
#include "detect/internal/text.h"

namespace sekimori::detect {

using simdjson::dom::element;

namespace {

// The match's identity (rule, time, position, file), without its context or event.
MatchedEvent header_of(const AlertView& a, std::shared_ptr<const std::string> file) {
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

namespace {

// The alert's context fields, in MatchedEvent::Field order.
std::array<std::string_view, MatchedEvent::kFields> context_parts(const AlertView& a) {
  return {a.event_time, a.account, a.region, a.principal, a.source_ip, a.event_name, a.event_source};
}

// Appends the alert's context fields and then its event to `buf` (setting m's layout).
void append_context_and_event(MatchedEvent& m, const AlertView& a, std::string& buf) {
  m.shared_at = buf.size();
  const auto parts = context_parts(a);
  uint32_t n = 0;
  for (int f = 0; f < MatchedEvent::kFields; ++f) {
    std::string_view part = parts[f];
    buf.append(part.data(), part.size());
    n += static_cast<uint32_t>(part.size());
    m.ends[f] = n;
  }
  buf.append(a.event.data(), a.event.size());
  m.shared_event = static_cast<uint32_t>(a.event.size());
}

}  // namespace

MatchedEvent MatchedEvent::from_alert(const AlertView& a, std::shared_ptr<const std::string> file) {
  MatchedEvent m = header_of(a, std::move(file));
  size_t n = a.event.size();
  for (std::string_view p : context_parts(a)) n += p.size();
  if (n == 0) return m;
  auto buf = std::make_shared<std::string>();
  buf->reserve(n);
  append_context_and_event(m, a, *buf);
  m.shared = std::move(buf);
  return m;
}

MatchedEvent MatchedEvent::from_alert(const AlertView& a, std::shared_ptr<const std::string> file,
                                      const std::shared_ptr<std::string>& shared) {
  MatchedEvent m = header_of(a, std::move(file));
  append_context_and_event(m, a, *shared);
  m.shared = shared;
  m.chunk = true;
  // the next match's bytes go right after these, into memory that has not been written
  // for a while (a chunk comes back to the pool when its last match leaves its window):
  // asking for those lines now lets them arrive while the next records are parsed,
  // instead of stalling the copy that writes them
  const char* next = shared->data() + shared->size();
  size_t room = std::min<size_t>(shared->capacity() - shared->size(), 2048);
  for (size_t i = 0; i < room; i += 64) __builtin_prefetch(next + i, 1);
  return m;
}

void MatchedEvent::own() {
  if (!chunk) return;
  std::string_view all = std::string_view(*shared).substr(shared_at, ends[kFields - 1] + size_t{shared_event});
  shared = all.empty() ? nullptr : std::make_shared<const std::string>(all);
  shared_at = 0;
  chunk = false;
}

void MatchedEvent::drop_event() {
  if (shared_event == 0) return;
  event_dropped = true;
  if (chunk) {  // the chunk's bytes stay until the chunk goes
    shared_event = 0;
    return;
  }
  std::string_view ctx = std::string_view(*shared).substr(shared_at, ends[kFields - 1]);
  shared_event = 0;
  shared_at = 0;
  shared = ctx.empty() ? nullptr : std::make_shared<const std::string>(ctx);
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

namespace {

// Appends one group-by value and its separator (CorrelationInput::keys).
void append_group_value(std::string& out, std::string_view v) {
  if (v.empty() || (std::memchr(v.data(), '\x1e', v.size()) == nullptr &&
                    std::memchr(v.data(), '\x1f', v.size()) == nullptr)) {
    out.append(v.data(), v.size());  // nothing to escape (the usual case)
    out += '\x1f';
    return;
  }
  for (char ch : v) {
    if (ch == '\x1e' || ch == '\x1f') out += '\x1e';
    out += ch;
  }
  out += '\x1f';
}

}  // namespace

void CorrelationInput::add_group_value(std::string_view v) {
  append_group_value(keys, v);
  value_at = static_cast<uint32_t>(keys.size());
}

void CorrelationInput::set_value(std::string_view v) {
  keys.resize(value_at);
  keys += v;
}

void CorrelationInput::own() {
  if (keys_shared) {
    keys.assign(all_keys());
    keys_shared = false;
    keys_at = 0;
    keys_size = 0;
  }
  base.own();
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
                                        MatchedEvent base, std::string* chunk) {
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
  // into the chunk after the match's context and event, or into the input's own buffer
  bool shared = chunk != nullptr && base.chunk && base.shared.get() == chunk;
  std::string& out = shared ? *chunk : in.keys;
  size_t at = out.size();
  if (!shared) out.reserve(total);
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
    if (value) {
      out.append(v.data(), v.size());
    } else {
      append_group_value(out, v);
      in.value_at = static_cast<uint32_t>(out.size() - at);
    }
  }
  if (shared) {
    in.keys_shared = true;
    in.keys_at = at;
    in.keys_size = static_cast<uint32_t>(out.size() - at);
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
  // (a constructor, not aggregate initialisation in emplace_back: clang 14, which builds
  // the fuzz targets, has no parenthesised aggregate initialisation)
  Entry(int64_t time_ms, uint32_t pos, uint32_t value_pos, uint32_t value_bytes, size_t hash,
        std::string&& owned_keys, size_t shared_at, uint32_t shared_size, MatchedEvent&& event)
      : time(time_ms),
        position(pos),
        value_at(value_pos),
        value_size(value_bytes),
        value_hash(hash),
        keys(std::move(owned_keys)),
        keys_at(shared_at),
        keys_size(shared_size),
        base(std::move(event)) {}

  int64_t time;
  uint32_t position;
  uint32_t value_at;    // the value is keys[value_at..] (the input's keys, moved or shared)
  uint32_t value_size;  // its length: whether it is empty, or may equal another, without reading it
  size_t value_hash;    // std::hash of value()
  std::string keys;   // owned keys; empty when they are in base.shared
  size_t keys_at;     // where the shared keys are (keys_size == 0: owned)
  uint32_t keys_size;
  MatchedEvent base;
  [[nodiscard]] std::string_view value() const {
    std::string_view k = keys_size != 0 ? std::string_view(*base.shared).substr(keys_at, keys_size) : keys;
    return k.substr(value_at);
  }
  // Whether the values are equal; the bytes (in a chunk elsewhere) are only read when the
  // hashes and lengths agree.
  [[nodiscard]] bool same_value(const Entry& o) const {
    return value_hash == o.value_hash && value_size == o.value_size && value() == o.value();
  }
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

// A group's key with its hash (the same std::hash value), so that inserting a group,
// which is what about half of all inputs do, does not hash the key again.
struct GroupKey {
  std::string s;
  size_t h = 0;
};
struct GroupHash {
  using is_transparent = void;
  size_t operator()(const GroupKey& k) const { return k.h; }  // not noexcept: see PreHash
  size_t operator()(const Prehashed& p) const { return p.h; }
};
struct GroupEq {
  using is_transparent = void;
  bool operator()(const GroupKey& a, const GroupKey& b) const { return a.s == b.s; }
  bool operator()(const Prehashed& a, const GroupKey& b) const { return a.s == b.s; }
  bool operator()(const GroupKey& a, const Prehashed& b) const { return a.s == b.s; }
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
  // value_count in a small window: the distinct non-empty values, kept up to date as
  // entries come and go (each arrival or expiry compares one value with the others,
  // instead of every evaluation comparing every pair)
  bool valued = false;
  uint32_t small_distinct = 0;
  static constexpr size_t kSmallWindow = 16;

  // Moves the input's keys and event into a new entry at the back (no temporary Entry).
  void push(CorrelationInput& in, bool count) {
    auto value_size = static_cast<uint32_t>(in.value().size());
    entries.emplace_back(in.time_ms, in.position, in.value_at, value_size, in.value_hash, std::move(in.keys),
                         in.keys_at, in.keys_shared ? in.keys_size : 0, std::move(in.base));
    if (!count) return;
    valued = true;
    if (counting) {
      add(entries.back());
    } else if (entries.size() > kSmallWindow) {
      counting = true;
      for (const Entry& x : entries) add(x);
    } else if (const Entry& e = entries.back(); e.value_size != 0) {
      bool seen = false;
      for (size_t j = 0; j + 1 < entries.size() && !seen; ++j) seen = entries[j].same_value(e);
      small_distinct += seen ? 0 : 1;
    }
  }
  void pop_front() {
    const Entry& e = entries.front();
    if (counting && e.value_size != 0) {
      auto it = counts.find(Prehashed{e.value(), e.value_hash});
      if (it != counts.end() && --it->second == 0) counts.erase(it);
    } else if (valued && !counting && e.value_size != 0) {
      bool again = false;
      for (size_t j = 1; j < entries.size() && !again; ++j) again = entries[j].same_value(e);
      small_distinct -= again ? 0 : 1;
    }
    entries.pop_front();
  }
  // Distinct non-empty values in the window (value_count).
  [[nodiscard]] size_t distinct() const { return counting ? counts.size() : small_distinct; }
  void clear() {
    entries.clear();
    counts.clear();
    counting = false;
    valued = false;
    small_distinct = 0;
  }

 private:
  void add(const Entry& e) {
    if (e.value_size == 0) return;
    auto it = counts.find(Prehashed{e.value(), e.value_hash});
    if (it == counts.end()) counts.emplace(std::string(e.value()), 1);
    else ++it->second;
  }
};

// The whole of `s` as a number (std::strtod's syntax). `s` may be a view into a chunk, so
// it is copied to be NUL-terminated.
bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  char small[64];
  std::string large;
  const char* text = small;
  if (s.size() < sizeof small) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
  } else {
    large.assign(s);
    text = large.c_str();
  }
  char* end = nullptr;
  out = std::strtod(text, &end);
  return end == text + s.size();
}

}  // namespace

struct Correlator::Impl {
  const Engine& engine;
  size_t max_contrib;
  struct State {
    bool sliding = true;
    std::optional<CondNode> expr;  // temporal boolean condition
    using Groups = std::unordered_map<GroupKey, Group, GroupHash, GroupEq>;
    Groups groups;
    // The same groups by their key's hash: a lookup reads one slot of a flat table instead
    // of the map's bucket and the node before the group, and the slot can be prefetched
    // (Correlator::prefetch). The map owns the groups and gives the order in which a sweep
    // closes windows.
    internal::HashIndex<Groups::value_type> index;
    // Groups come and go with every window (most hold a match or two): expired ones are
    // kept, emptied, and reused for new keys, so a new group allocates nothing (its key
    // string, deque and counts table keep their memory). A sweep keeps up to as many as
    // there were groups before it (at least kSpareGroups): as many as the next interval
    // between sweeps will likely create, and no more than the state already held.
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
        for (const Entry& e : g.entries) same += e.same_value(*arriving);
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
    // the window's first matches whose event was kept (a sliding window keeps the events
    // of at most max_contrib matches at a time: once older ones expire, later matches
    // whose events were not kept would otherwise be listed with none)
    for (const Entry& e : g.entries) {
      if (a.contributing.size() >= max_contrib) break;
      if (e.base.event_dropped) continue;
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
    const size_t keep = all ? kSpareGroups : std::max(kSpareGroups, s.groups.size());
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
        if (auto agg = evaluate(c, g, nullptr)) fire(c, it->first.s, g, *agg, out, false);
      }
      held -= g.entries.size();
      auto next = std::next(it);
      s.index.erase(it->first.h, &*it);
      auto node = s.groups.extract(it);
      it = next;
      if (s.spare.size() < keep) {
        node.mapped().clear();
        s.spare.push_back(std::move(node));
      }
    }
  }

  void add_one(CorrelationInput& in, std::vector<Alert>& out) {
    uint32_t c = in.correlation;
    State& s = states[c];
    const CorrelationPlan& p = engine.correlations()[c];
    int64_t span = p.spec.timespan_ms;
    now = std::max(now, in.time_ms);
    if (!in.hashed) in.compute_hashes();
    std::string_view key = in.group_key();
    State::Groups::value_type* found =
        s.index.find(in.key_hash, [&](const State::Groups::value_type& g) { return g.first.s == key; });
    if (found == nullptr) {
      State::Groups::iterator it;
      if (!s.spare.empty()) {
        auto node = std::move(s.spare.back());
        s.spare.pop_back();
        node.key().s.assign(key.data(), key.size());
        node.key().h = in.key_hash;
        it = s.groups.insert(std::move(node)).position;
      } else {
        it = s.groups.try_emplace(GroupKey{std::string(key), in.key_hash}).first;
      }
      it->second.window_start = in.time_ms;
      found = &*it;
      s.index.insert(in.key_hash, found);
    }
    Group& g = found->second;
    if (!s.sliding && !g.entries.empty() && in.time_ms - g.window_start > span) {
      if (auto agg = evaluate(c, g, nullptr)) fire(c, found->first.s, g, *agg, out, false);
      held -= g.entries.size();
      g.clear();
    }
    if (s.sliding) {  // first, so that expired matches do not count against the cap below
      while (!g.entries.empty() && g.entries.front().time < in.time_ms - span) {
        g.pop_front();
        --held;
      }
    }
    if (g.entries.empty()) g.window_start = in.time_ms;
    // only the first events of a window are shown in an alert: keep no JSON for the rest
    if (g.entries.size() >= max_contrib) in.base.drop_event();
    // a long window would keep the file's whole shared buffer alive for this match
    if (in.base.chunk && span > kShareSpanMs) in.own();
    g.push(in, p.spec.type == CorrelationType::kValueCount);
    ++held;
    peak = std::max(peak, held);
    if (s.sliding) {
      if (auto agg = evaluate(c, g, &g.entries.back())) {
        fire(c, found->first.s, g, *agg, out, p.spec.type != CorrelationType::kValuePercentile);
      }
    }
    if (++since_sweep >= 4096) {
      since_sweep = 0;
      for (uint32_t k = 0; k < states.size(); ++k) close_expired(k, out, false);
    }
  }
};

void Correlator::prefetch(const CorrelationInput& in, int stage) const {
  if (!in.hashed || in.correlation >= impl_->states.size()) return;
  const auto& index = impl_->states[in.correlation].index;
  if (stage == 0) {
    if (const void* slot = index.home(in.key_hash)) __builtin_prefetch(slot);
    __builtin_prefetch(in.all_keys().data());  // compared with the group's key
    return;
  }
  const auto* node = index.candidate(in.key_hash);
  if (node == nullptr) return;
  if (stage == 1) {
    __builtin_prefetch(node);
    __builtin_prefetch(reinterpret_cast<const char*>(node) + 64);
    __builtin_prefetch(reinterpret_cast<const char*>(node) + 128);
    return;
  }
  __builtin_prefetch(node->first.s.data());
  if (!node->second.entries.empty()) __builtin_prefetch(&node->second.entries.front());
}

Correlator::Correlator(const Engine& engine, size_t max_contributing)
    : impl_(std::make_unique<Impl>(engine, max_contributing)) {}
Correlator::~Correlator() = default;

void Correlator::add(CorrelationInput&& in, std::vector<Alert>& out) {
  impl_->add_one(in, out);
  // chained inputs fire at the same time as their source; process them now (bounded:
  // correlation references form no cycles)
  for (int guard = 0; !impl_->pending.empty() && guard < 64; ++guard) {
    std::vector<CorrelationInput> next = std::move(impl_->pending);
    impl_->pending.clear();
    for (CorrelationInput& c : next) impl_->add_one(c, out);
  }
}

void Correlator::finish(std::vector<Alert>& out) {
  for (int round = 0; round < 64; ++round) {
    for (uint32_t c = 0; c < impl_->states.size(); ++c) impl_->close_expired(c, out, true);
    if (impl_->pending.empty()) break;
    std::vector<CorrelationInput> next = std::move(impl_->pending);
    impl_->pending.clear();
    for (CorrelationInput& c : next) impl_->add_one(c, out);
  }
}

void Correlator::restart(std::vector<Alert>& out) {
  finish(out);
  impl_->now = 0;
  impl_->since_sweep = 0;
}

size_t Correlator::held() const { return impl_->held; }
size_t Correlator::peak_held() const { return impl_->peak; }

}  // namespace sekimori::detect
