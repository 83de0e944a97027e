#include "detect/alert.h"

#include <arpa/inet.h>

#include <array>
#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/civil.h"
#include "core/json_writer.h"

namespace sekimori::detect {

using simdjson::dom::element;

namespace {

// Whether the record's own bytes, whitespace stripped, equal simdjson's re-serialisation.
bool text_reusable(RecordText text) {
  std::string_view j = text.json;
  bool reusable = !j.empty() && text.plain_numbers;
  for (size_t p = j.find('\\'); reusable && p != std::string_view::npos; p = j.find('\\', p + 2)) {
    // simdjson writes "\/" as "/" and "\uXXXX" as the character (or its own escape)
    if (p + 1 < j.size() && (j[p + 1] == 'u' || j[p + 1] == '/')) reusable = false;
  }
  return reusable;
}

// The minified event: a view of text.json when it is minified already, else written to
// `room`.
std::string_view event_view(element record, RecordText text, std::string& room) {
  text = with_flags(text);
  if (text_reusable(text)) {
    std::string_view j = text.json;
    if (text.minified) return j;  // nothing to strip
    room.resize(j.size());
    size_t len = 0;
    if (simdjson::minify(j.data(), j.size(), room.data(), len) == simdjson::SUCCESS) {
      room.resize(len);
      return room;
    }
  }
  room = simdjson::minify(record);
  return room;
}

}  // namespace

std::string event_text(element record, RecordText text) {
  std::string room;
  std::string_view v = event_view(record, text, room);
  return v.data() == room.data() ? room : std::string(v);
}

Alert make_alert(const Engine& engine, uint32_t rule, element record, std::string_view file, uint64_t offset,
                 uint64_t index) {
  return make_alert(engine, rule, record, RecordText{}, file, offset, index);
}

Alert make_alert(const Engine& engine, uint32_t rule, element record, RecordText text, std::string_view file,
                 uint64_t offset, uint64_t index) {
  Alert a;
  fill_alert(a, engine, rule, record, text, file, offset, index);
  return a;
}

Alert::operator AlertView() const {
  AlertView v;
  v.rule = rule;
  v.meta = meta;
  v.time_ms = time_ms;
  v.has_time = has_time;
  v.event_time = event_time;
  v.account = account;
  v.region = region;
  v.principal = principal;
  v.source_ip = source_ip;
  v.event_name = event_name;
  v.event_source = event_source;
  v.file = file;
  v.offset = offset;
  v.record = record;
  v.event = event;
  v.full = this;
  return v;
}

void assign_alert(Alert& a, const AlertView& v) {
  if (v.full != nullptr) {
    if (v.full != &a) a = *v.full;
    return;
  }
  a.rule = v.rule;
  a.meta = v.meta;
  a.time_ms = v.time_ms;
  a.has_time = v.has_time;
  a.event_time.assign(v.event_time.data(), v.event_time.size());
  a.account.assign(v.account.data(), v.account.size());
  a.region.assign(v.region.data(), v.region.size());
  a.principal.assign(v.principal.data(), v.principal.size());
  a.source_ip.assign(v.source_ip.data(), v.source_ip.size());
  a.event_name.assign(v.event_name.data(), v.event_name.size());
  a.event_source.assign(v.event_source.data(), v.event_source.size());
  a.file.assign(v.file.data(), v.file.size());
  a.offset = v.offset;
  a.record = v.record;
  a.event.assign(v.event.data(), v.event.size());
  a.correlation = false;
  a.correlation_type.clear();
  a.group.clear();
  a.event_count = 0;
  a.aggregate = 0;
  a.contributing.clear();
}

Alert to_alert(const AlertView& v) {
  Alert a;
  assign_alert(a, v);
  return a;
}

namespace {

// `get(ContextField)` gives the field's element (lookup() semantics).
template <typename Get>
void fill_view(AlertView& v, AlertViewText& room, element record, RecordText text, std::string_view file,
               uint64_t offset, uint64_t index, const Get& get) {
  // the member's text: a view of the record's string, or of its number written in `room`
  auto put = [&](std::string_view& out, size_t slot, ContextField f) {
    if (!scalar_text_view(get(f), out, room.numbers[slot])) out = {};
  };
  put(v.event_time, 0, kFieldEventTime);
  v.time_ms = 0;
  v.has_time = parse_time_ms(v.event_time, v.time_ms);
  put(v.account, 1, kFieldRecipientAccountId);
  if (v.account.empty()) put(v.account, 1, kFieldUserAccountId);
  put(v.region, 2, kFieldAwsRegion);
  put(v.principal, 3, kFieldUserArn);
  if (v.principal.empty()) put(v.principal, 3, kFieldUserPrincipalId);
  // an AWS service acting on its own: the service ("ec2.amazonaws.com"), not just "AWSService"
  if (v.principal.empty()) put(v.principal, 3, kFieldUserInvokedBy);
  if (v.principal.empty()) put(v.principal, 3, kFieldUserType);
  put(v.source_ip, 4, kFieldSourceIp);
  put(v.event_name, 5, kFieldEventName);
  put(v.event_source, 6, kFieldEventSource);
  v.file = file;
  v.offset = offset;
  v.record = index;
  v.event = event_view(record, text, room.event);
  v.full = nullptr;
}

}  // namespace

void fill_alert_view(AlertView& v, AlertViewText& room, const Engine& engine, uint32_t rule, element record,
                     RecordText text, MatchScratch& fields, std::string_view file, uint64_t offset,
                     uint64_t index) {
  v.rule = rule;
  v.meta = &engine.rule(rule);
  fill_view(v, room, record, text, file, offset, index,
            [&](ContextField f) { return fields.field(record, f); });
}

void fill_alert(Alert& a, const Engine& engine, uint32_t rule, element record, RecordText text,
                std::string_view file, uint64_t offset, uint64_t index) {
  AlertView v;
  AlertViewText room;
  v.rule = rule;
  v.meta = &engine.rule(rule);
  fill_view(v, room, record, text, file, offset, index,
            [&](ContextField f) { return lookup(record, context_field_path(f)); });
  assign_alert(a, v);
}

std::string format_time_ms(int64_t ms) {
  int64_t secs = core::floor_div(ms, 1000);
  auto milli = static_cast<int>(ms - secs * 1000);
  int64_t days = core::floor_div(secs, 86400);
  int64_t rem = secs - days * 86400;
  core::CivilDate c = core::civil_from_days(days);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%03dZ",
                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(rem / 3600),
                static_cast<long long>((rem / 60) % 60), static_cast<long long>(rem % 60), milli);
  return buf;
}

namespace {

void write_rule(core::JsonWriter& w, const RuleMeta& m) {
  w.key("rule");
  w.begin_object();
  w.key("id");
  w.value(m.id);
  w.key("title");
  w.value(m.title);
  w.key("level");
  w.value(m.level);
  if (!m.status.empty()) {
    w.key("status");
    w.value(m.status);
  }
  w.key("tags");
  w.begin_array();
  for (const std::string& t : m.tags) w.value(t);
  w.end_array();
  w.key("attack");
  w.begin_array();
  for (const std::string& t : m.tags) {
    // attack.t1078.004 -> T1078.004
    if (t.size() > 8 && t.rfind("attack.t", 0) == 0 && t[8] >= '0' && t[8] <= '9') {
      std::string id = t.substr(7);
      id[0] = 'T';
      w.value(id);
    }
  }
  w.end_array();
  if (!m.location.file.empty()) {
    w.key("file");
    w.value(m.location.to_string());
  }
  w.end_object();
}

// The alert's context members, in output order (write_context and AlertJsonRenderer);
// an empty value is null.
constexpr std::pair<std::string_view, std::string_view AlertView::*> kContextMembers[] = {
    {"event_time", &AlertView::event_time},
    {"account", &AlertView::account},
    {"region", &AlertView::region},
    {"principal", &AlertView::principal},
    {"source_ip", &AlertView::source_ip},
    {"event_name", &AlertView::event_name},
    {"event_source", &AlertView::event_source}};

void write_context(core::JsonWriter& w, const AlertView& a) {
  for (const auto& [name, member] : kContextMembers) {
    w.key(name);
    if ((a.*member).empty()) w.null();
    else w.value(a.*member);
  }
}

void write_alert(core::JsonWriter& w, const AlertView& a, bool with_rule) {
  w.begin_object();
  if (with_rule) write_rule(w, *a.meta);
  write_context(w, a);
  w.key("input");
  w.begin_object();
  w.key("file");
  w.value(a.file);
  w.key("offset");
  w.value(a.offset);
  w.key("record");
  w.value(a.record);
  w.end_object();
  if (a.correlation()) {
    const Alert& full = *a.full;
    w.key("correlation");
    w.begin_object();
    w.key("type");
    w.value(full.correlation_type);
    w.key("group");
    w.begin_object();
    for (const auto& [k, v] : full.group) {
      w.key(k);
      w.value(v);
    }
    w.end_object();
    w.key("event_count");
    w.value(full.event_count);
    w.key("aggregate");
    w.value(full.aggregate);
    w.key("events");
    w.begin_array();
    for (const Alert& c : full.contributing) {
      w.begin_object();
      w.key("rule_id");
      w.value(c.meta ? c.meta->id : "");
      w.key("rule_title");
      w.value(c.meta ? c.meta->title : "");
      w.key("file");
      w.value(c.file);
      w.key("offset");
      w.value(c.offset);
      w.key("record");
      w.value(c.record);
      w.key("event");
      if (c.event.empty()) w.null();
      else w.raw(c.event);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  } else {
    w.key("event");
    if (a.event.empty()) w.null();
    else w.raw(a.event);
  }
  w.end_object();
}

int severity_id(std::string_view level) {
  if (level == "informational") return 1;
  if (level == "low") return 2;
  if (level == "medium") return 3;
  if (level == "high") return 4;
  if (level == "critical") return 5;
  return 0;
}

}  // namespace

std::string alert_json(const AlertView& a) {
  core::JsonWriter w;
  write_alert(w, a, true);
  return w.take();
}

AlertJsonRenderer::AlertJsonRenderer(const Engine& engine) : engine_(&engine) {
  rule_prefix_.reserve(engine.rule_count());
  for (uint32_t r = 0; r < engine.rule_count(); ++r) {
    core::JsonWriter w;
    w.begin_object();
    write_rule(w, engine.rule(r));
    rule_prefix_.push_back(w.take());  // `{"rule":{...}`, the object left open
  }
}

void AlertJsonRenderer::append(const AlertView& a, std::string& out, std::vector<size_t>* record_at) const {
  if (a.correlation() || a.rule >= rule_prefix_.size() || a.meta != &engine_->rule(a.rule)) {
    size_t at = out.size();
    out += alert_json(a);
    // keys and strings before "input" are escaped, so its `,"record":` is the first one after it
    if (record_at != nullptr && !a.correlation()) {
      record_at->push_back(out.find(",\"record\":", out.find("\"input\":{", at)) + 10);
    }
    return;
  }
  // the same members, in the same order, as write_alert(w, a, true). Nearly always no string
  // needs escaping: then the alert's size is known, `out` grows once and the pieces are
  // copied in (a fifth of the instructions of appending them one by one).
  const std::string& prefix = rule_prefix_[a.rule];
  static const std::array<std::string, std::size(kContextMembers)> keys = [] {
    std::array<std::string, std::size(kContextMembers)> k;
    for (size_t i = 0; i < k.size(); ++i) k[i] = ",\"" + std::string(kContextMembers[i].first) + "\":";
    return k;
  }();
  constexpr std::string_view kFile = ",\"input\":{\"file\":\"",
                             kOffset = "\",\"offset\":", kRecord = ",\"record\":", kEvent = "},\"event\":";
  bool plain = core::json_plain(a.file);
  size_t size = prefix.size() + kFile.size() + a.file.size() + kOffset.size() + kRecord.size() +
                kEvent.size() + (a.event.empty() ? 4 : a.event.size()) + 1;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string_view v = a.*kContextMembers[i].second;
    plain = plain && core::json_plain(v);
    size += keys[i].size() + (v.empty() ? 4 : v.size() + 2);
  }
  std::array<char, 24> offset{}, record{};
  size_t offset_len = static_cast<size_t>(
      std::to_chars(offset.data(), offset.data() + offset.size(), a.offset).ptr - offset.data());
  size_t record_len = static_cast<size_t>(
      std::to_chars(record.data(), record.data() + record.size(), a.record).ptr - record.data());
  size += offset_len + record_len;
  if (plain) {
    size_t at = out.size();
    out.resize(at + size);
    char* p = out.data() + at;
    auto put = [&p](std::string_view piece) {
      std::memcpy(p, piece.data(), piece.size());
      p += piece.size();
    };
    put(prefix);
    for (size_t i = 0; i < keys.size(); ++i) {
      put(keys[i]);
      std::string_view v = a.*kContextMembers[i].second;
      if (v.empty()) {
        put("null");
      } else {
        *p++ = '"';
        put(v);
        *p++ = '"';
      }
    }
    put(kFile);
    put(a.file);
    put(kOffset);
    put(std::string_view(offset.data(), offset_len));
    put(kRecord);
    if (record_at != nullptr) record_at->push_back(static_cast<size_t>(p - out.data()));
    put(std::string_view(record.data(), record_len));
    put(kEvent);
    put(a.event.empty() ? std::string_view("null") : a.event);
    *p++ = '}';
    assert(p == out.data() + out.size());
    return;
  }
  out += prefix;
  for (size_t i = 0; i < keys.size(); ++i) {
    out += keys[i];
    std::string_view v = a.*kContextMembers[i].second;
    if (v.empty()) {
      out += "null";
    } else {
      core::append_json_string(out, v);
    }
  }
  out += ",\"input\":{\"file\":";
  core::append_json_string(out, a.file);
  out += kOffset.substr(1);
  out.append(offset.data(), offset_len);
  out += kRecord;
  if (record_at != nullptr) record_at->push_back(out.size());
  out.append(record.data(), record_len);
  out += kEvent;
  if (a.event.empty()) out += "null";
  else out += a.event;
  out += '}';
}

namespace {

// Four decimal numbers up to 255 joined by dots; unlike inet_pton, leading zeros are
// accepted ("08.1.250.216", as anonymised logs write them).
bool dotted_quad(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    unsigned value = 0;
    while (i < s.size() && i - start < 3 && s[i] >= '0' && s[i] <= '9') value = value * 10 + (s[i++] - '0');
    if (i == start || value > 255) return false;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::string alert_ocsf(const AlertView& a, std::string_view product_version, size_t* record_at) {
  const RuleMeta& m = *a.meta;
  core::JsonWriter w;
  w.begin_object();
  // classification: Findings (2) / Detection Finding (2004) / Create (1)
  w.key("category_uid");
  w.value(2);
  w.key("category_name");
  w.value("Findings");
  w.key("class_uid");
  w.value(2004);
  w.key("class_name");
  w.value("Detection Finding");
  w.key("activity_id");
  w.value(1);
  w.key("activity_name");
  w.value("Create");
  w.key("type_uid");
  w.value(200401);
  w.key("type_name");
  w.value("Detection Finding: Create");
  w.key("time");
  w.value(a.has_time ? a.time_ms : int64_t{0});
  w.key("severity_id");
  w.value(severity_id(m.level));
  w.key("severity");
  w.value(m.level == "informational" ? "Informational" : m.level == "low" ? "Low" : m.level == "medium" ? "Medium"
                                                     : m.level == "high" ? "High" : m.level == "critical" ? "Critical" : "Unknown");
  w.key("status_id");
  w.value(1);
  w.key("status");
  w.value("New");
  w.key("message");
  w.value(m.title);
  w.key("metadata");
  w.begin_object();
  w.key("version");
  w.value("1.1.0");
  w.key("product");
  w.begin_object();
  w.key("name");
  w.value("sekimori");
  w.key("vendor_name");
  w.value("sekimori");
  w.key("version");
  w.value(product_version);
  w.end_object();
  w.key("log_name");
  w.value("CloudTrail");
  w.key("log_provider");
  w.value("AWS");
  if (!a.event_time.empty()) {
    w.key("original_time");
    w.value(a.event_time);
  }
  if (!a.account.empty()) {
    w.key("tenant_uid");
    w.value(a.account);
  }
  w.end_object();
  w.key("finding_info");
  w.begin_object();
  w.key("uid");
  std::string record = std::to_string(a.record);
  w.value(m.id + ":" + std::string(a.file) + ":" + std::to_string(a.offset) + ":" + record);
  if (record_at != nullptr) *record_at = w.str().size() - 1 - record.size();  // before the closing quote
  w.key("title");
  w.value(m.title);
  if (!m.description.empty()) {
    w.key("desc");
    w.value(m.description);
  }
  w.key("types");
  w.begin_array();
  w.value(a.correlation() ? "Sigma correlation" : "Sigma");
  w.end_array();
  w.key("analytic");
  w.begin_object();
  w.key("uid");
  w.value(m.id);
  w.key("name");
  w.value(m.title);
  w.key("type_id");
  w.value(1);
  w.key("type");
  w.value("Rule");
  w.end_object();
  std::vector<std::string> techniques;
  for (const std::string& t : m.tags) {
    if (t.size() > 8 && t.rfind("attack.t", 0) == 0 && t[8] >= '0' && t[8] <= '9') {
      std::string id = t.substr(7);
      id[0] = 'T';
      techniques.push_back(id);
    }
  }
  if (!techniques.empty()) {
    w.key("attacks");
    w.begin_array();
    for (const std::string& id : techniques) {
      w.begin_object();
      w.key("technique");
      w.begin_object();
      w.key("uid");
      w.value(id);
      w.end_object();
      w.key("version");
      w.value("v15");
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.key("cloud");
  w.begin_object();
  w.key("provider");
  w.value("AWS");
  if (!a.region.empty()) {
    w.key("region");
    w.value(a.region);
  }
  if (!a.account.empty()) {
    w.key("account");
    w.begin_object();
    w.key("uid");
    w.value(a.account);
    w.end_object();
  }
  w.end_object();
  auto evidence = [&](const AlertView& e) {
    w.begin_object();
    w.key("api");
    w.begin_object();
    w.key("operation");
    w.value(e.event_name);
    w.key("service");
    w.begin_object();
    w.key("name");
    w.value(e.event_source);
    w.end_object();
    w.end_object();
    if (!e.principal.empty()) {
      w.key("actor");
      w.begin_object();
      w.key("user");
      w.begin_object();
      w.key("uid");
      w.value(e.principal);
      w.end_object();
      w.end_object();
    }
    if (!e.source_ip.empty()) {
      w.key("src_endpoint");
      w.begin_object();
      // sourceIPAddress may be a service name ("ec2.amazonaws.com", or "cafe.be": hex
      // digits and dots alone do not make an address)
      bool ip = dotted_quad(e.source_ip);
      if (!ip && e.source_ip.size() < INET6_ADDRSTRLEN) {  // inet_pton wants a NUL-terminated string
        char text[INET6_ADDRSTRLEN] = {};
        std::memcpy(text, e.source_ip.data(), e.source_ip.size());
        unsigned char addr[sizeof(in6_addr)];
        ip = inet_pton(AF_INET6, text, addr) == 1;
      }
      w.key(ip ? "ip" : "domain");
      w.value(e.source_ip);
      w.end_object();
    }
    if (!e.event.empty()) {
      w.key("data");
      w.raw(e.event);
    }
    w.end_object();
  };
  w.key("evidences");
  w.begin_array();
  if (a.correlation()) {
    for (const Alert& c : a.full->contributing) evidence(c);
  } else {
    evidence(a);
  }
  w.end_array();
  if (a.correlation()) {
    const Alert& full = *a.full;
    w.key("unmapped");
    w.begin_object();
    w.key("correlation_type");
    w.value(full.correlation_type);
    w.key("event_count");
    w.value(full.event_count);
    w.key("aggregate");
    w.value(full.aggregate);
    w.key("group");
    w.begin_object();
    for (const auto& [k, v] : full.group) {
      w.key(k);
      w.value(v);
    }
    w.end_object();
    w.end_object();
  }
  w.end_object();
  return w.take();
}

}  // namespace sekimori::detect
