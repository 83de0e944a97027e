// Alert rendering off the delivering thread: AlertJsonRenderer gives alert_json()'s bytes,
// fill_alert() reuses an Alert, fill_alert_view() copies nothing, hunt() with a rendering
// sink delivers the same text in the same order as alert() by alert, MatchedEvent keeps
// what correlation alerts show, correlation group keys are unambiguous, and a RecordReader
// reused across files of different sizes and forms reads each correctly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "detect/hunt.h"
#include "detect/source.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

const char* kRules =
    "title: role session\nname: role\nid: bbbbbbbb-0000-4000-8000-000000000001\nstatus: test\n"
    "tags: [attack.t1078.004, attack.privilege_escalation]\nlogsource: {product: aws}\nlevel: low\n"
    "detection:\n  s: {userIdentity.type: AssumedRole}\n  condition: s\n---\n"
    "title: denied \"quoted\" \\ rule\nname: denied\nid: bbbbbbbb-0000-4000-8000-000000000002\n"
    "logsource: {product: aws}\nlevel: medium\n"
    "detection:\n  s: {errorCode: AccessDenied}\n  condition: s\n---\n"
    "title: any get\nname: get\nid: bbbbbbbb-0000-4000-8000-000000000003\nlogsource: {product: aws}\n"
    "detection:\n  s: {eventName|startswith: Get}\n  condition: s\n---\n"
    "title: many gets\nid: bbbbbbbb-0000-4000-8000-000000000004\nlevel: high\ncorrelation:\n  type: "
    "event_count\n"
    "  rules: [get]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 3}\n";

using testing::engine_of;

std::string event(int i, const std::string& name, bool role, bool denied, const std::string& ip) {
  std::string ident = role ? R"({"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/u)" +
                                 std::to_string(i) + R"(","accountId":"111122223333"})"
                           : R"({"type":"IAMUser","principalId":"AIDA)" + std::to_string(i) + R"("})";
  char ts[32];
  std::snprintf(ts, sizeof ts, "2024-01-01T10:%02d:%02dZ", (i / 60) % 60, i % 60);
  return R"({"eventTime":")" + std::string(ts) + R"(","eventName":")" + name +
         R"(","eventSource":"s3.amazonaws.com","awsRegion":"eu-west-1","sourceIPAddress":")" + ip +
         R"(","userIdentity":)" + ident + (denied ? R"(,"errorCode":"AccessDenied")" : "") +
         R"(,"requestParameters":{"n":)" + std::to_string(i) + R"(,"s":"a \"q\" \\ b"}})";
}

std::vector<Alert> alerts_of(const Engine& e, const std::string& json, const std::string& file) {
  simdjson::dom::parser p;
  simdjson::dom::element rec = p.parse(json).value();
  std::vector<uint32_t> hits;
  e.match(rec, hits);
  std::vector<Alert> out;
  RecordText text{json, true};
  for (uint32_t r : hits) out.push_back(make_alert(e, r, rec, text, file, 7, 3));
  return out;
}

TEST(Render, RendererGivesAlertJsonBytes) {
  auto e = engine_of(kRules);
  AlertJsonRenderer r(*e);
  std::vector<std::string> events = {
      event(1, "GetObject", true, true, "1.2.3.4"),
      event(2, "GetObject", false, true, "5.6.7.8"),
      // sparse: most context fields absent (rendered as null), odd characters
      R"({"eventName":"GetX","userIdentity":{"type":"AssumedRole"},"errorCode":"AccessDenied","v":"\u00e9\t\/"})",
      R"({"eventName":"Get\"quoted\"","sourceIPAddress":"ec2.amazonaws.com","errorCode":"AccessDenied"})",
  };
  size_t n = 0;
  for (const std::string& ev : events) {
    for (const std::string& file : {std::string("logs/a.json"), std::string("odd \"name\"\\\x01.json")}) {
      for (const Alert& a : alerts_of(*e, ev, file)) {
        std::string out = "prefix";
        r.append(a, out);
        EXPECT_EQ(out, "prefix" + alert_json(a));
        ++n;
      }
    }
  }
  EXPECT_GE(n, 12u);
  // a correlation alert (and an alert of another engine) falls back to alert_json()
  Alert c = alerts_of(*e, events[0], "f.json").front();
  c.correlation = true;
  c.correlation_type = "event_count";
  c.contributing.push_back(alerts_of(*e, events[1], "g.json").front());
  std::string out;
  r.append(c, out);
  EXPECT_EQ(out, alert_json(c));
  auto other = engine_of(kRules);
  Alert foreign = alerts_of(*other, events[0], "f.json").front();
  out.clear();
  r.append(foreign, out);
  EXPECT_EQ(out, alert_json(foreign));
}

// The principal: the ARN, else the principal ID, else the service that acted, else the
// identity's type.
TEST(Render, PrincipalFallsBackToTheInvokingService) {
  auto e = engine_of(kRules);
  auto principal = [&](const std::string& identity) {
    std::vector<Alert> a = alerts_of(*e, R"({"eventName":"GetX","userIdentity":)" + identity + "}", "f");
    return a.empty() ? std::string("no alert") : a[0].principal;
  };
  EXPECT_EQ(principal(R"({"type":"AWSService","invokedBy":"ec2.amazonaws.com"})"), "ec2.amazonaws.com");
  EXPECT_EQ(principal(R"({"type":"AWSService"})"), "AWSService");
  EXPECT_EQ(principal(R"({"type":"IAMUser","principalId":"AIDA1","invokedBy":"x"})"), "AIDA1");
  EXPECT_EQ(principal(R"({"type":"IAMUser","arn":"arn:aws:iam::1:user/u","principalId":"AIDA1"})"),
            "arn:aws:iam::1:user/u");
}

TEST(Render, FillAlertReusesWithoutStaleFields) {
  auto e = engine_of(kRules);
  simdjson::dom::parser p1, p2;
  std::string rich = event(5, "GetObject", true, true, "9.9.9.9");
  std::string sparse = R"({"eventName":"GetY","errorCode":"AccessDenied"})";
  simdjson::dom::element r1 = p1.parse(rich).value();
  simdjson::dom::element r2 = p2.parse(sparse).value();
  Alert reused;
  fill_alert(reused, *e, 0, r1, RecordText{rich, true}, "a-long-file-name-for-the-first.json", 1, 2);
  reused.correlation = true;  // as if it had been used for something else
  reused.group.emplace_back("k", "v");
  fill_alert(reused, *e, 1, r2, RecordText{sparse, true}, "b.json", 3, 4);
  Alert fresh = make_alert(*e, 1, r2, RecordText{sparse, true}, "b.json", 3, 4);
  EXPECT_EQ(alert_json(reused), alert_json(fresh));
  EXPECT_EQ(alert_ocsf(reused, "t"), alert_ocsf(fresh, "t"));
  EXPECT_FALSE(reused.has_time);
  EXPECT_TRUE(reused.principal.empty());
  EXPECT_TRUE(reused.group.empty());
  EXPECT_FALSE(reused.correlation);
}

// fill_alert_view() shows the record's own strings and text; what the record does not hold
// as text (a number, an event to minify) goes to the caller's room. Every form renders as
// the owned alert does.
TEST(Render, AlertViewShowsTheRecordWithoutCopying) {
  auto e = engine_of(kRules);
  MatchScratch scratch(*e);
  AlertJsonRenderer r(*e);
  AlertView v;
  AlertViewText room;
  std::vector<uint32_t> hits;
  simdjson::dom::parser p1, p2;
  std::string minified = event(5, "GetObject", true, true, "9.9.9.9");
  simdjson::dom::element r1 = p1.parse(minified).value();
  e->match(r1, minified, scratch, hits);
  ASSERT_FALSE(hits.empty());
  fill_alert_view(v, room, *e, hits[0], r1, RecordText{minified, true, true}, scratch, "f.json", 7, 3);
  EXPECT_EQ(v.event.data(), minified.data());  // the record's text itself
  EXPECT_EQ(v.event, minified);
  EXPECT_EQ(v.source_ip, "9.9.9.9");
  EXPECT_TRUE(v.has_time);
  Alert owned = make_alert(*e, hits[0], r1, RecordText{minified, true}, "f.json", 7, 3);
  std::string line;
  r.append(v, line);
  EXPECT_EQ(line, alert_json(owned));
  EXPECT_EQ(alert_json(v), alert_json(owned));
  EXPECT_EQ(alert_ocsf(v, "t"), alert_ocsf(owned, "t"));
  EXPECT_EQ(alert_json(to_alert(v)), alert_json(owned));

  // spaces to strip and a number for the account: both written in `room`
  std::string spaced =
      "{ \"eventName\": \"GetZ\",\n  \"recipientAccountId\": 123456789012,"
      " \"eventTime\": \"2024-01-01T00:00:00Z\" }";
  simdjson::dom::element r2 = p2.parse(spaced).value();
  e->match(r2, spaced, scratch, hits);
  ASSERT_FALSE(hits.empty());
  fill_alert_view(v, room, *e, hits[0], r2, RecordText{spaced, true}, scratch, "g.json", 1, 2);
  EXPECT_EQ(v.event,
            R"({"eventName":"GetZ","recipientAccountId":123456789012,"eventTime":"2024-01-01T00:00:00Z"})");
  EXPECT_EQ(v.event.data(), room.event.data());
  EXPECT_EQ(v.account, "123456789012");
  EXPECT_EQ(v.account.data(), room.numbers[1]);
  EXPECT_TRUE(v.principal.empty());
  Alert spaced_owned = make_alert(*e, hits[0], r2, RecordText{spaced, true}, "g.json", 1, 2);
  line.clear();
  r.append(v, line);
  EXPECT_EQ(line, alert_json(spaced_owned));
  EXPECT_EQ(alert_ocsf(v, "t"), alert_ocsf(spaced_owned, "t"));
  MatchedEvent m = MatchedEvent::from_alert(v, nullptr);
  EXPECT_EQ(alert_json(m.to_alert(*e)), alert_json(spaced_owned));
}

TEST(Render, MatchedEventKeepsAlertContents) {
  auto e = engine_of(kRules);
  Alert a = alerts_of(*e, event(7, "GetObject", true, false, "1.1.1.1"), "x.json").front();
  MatchedEvent m = MatchedEvent::from_alert(a);
  EXPECT_EQ(m.field(MatchedEvent::kEventTime), a.event_time);
  EXPECT_EQ(m.field(MatchedEvent::kPrincipal), a.principal);
  EXPECT_EQ(m.field(MatchedEvent::kEventSource), a.event_source);
  Alert back = m.to_alert(*e);
  EXPECT_EQ(alert_json(back), alert_json(a));
  EXPECT_EQ(alert_ocsf(back, "t"), alert_ocsf(a, "t"));
  // empty fields in the middle
  Alert sparse = a;
  sparse.account.clear();
  sparse.source_ip.clear();
  EXPECT_EQ(alert_json(MatchedEvent::from_alert(sparse).to_alert(*e)), alert_json(sparse));
}

TEST(Render, CorrelationInputKeysAreUnambiguous) {
  CorrelationInput a, b, c;
  a.add_group_value("x\x1f");
  a.add_group_value("y");
  a.set_value("DescribeInstances");
  b.add_group_value("x");
  b.add_group_value("\x1fy");
  c.set_value("v");  // no group-by: the value alone
  EXPECT_NE(a.group_key(), b.group_key());
  EXPECT_EQ(a.group_values(), (std::vector<std::string>{"x\x1f", "y"}));
  EXPECT_EQ(b.group_values(), (std::vector<std::string>{"x", "\x1fy"}));
  EXPECT_EQ(a.value(), "DescribeInstances");
  EXPECT_EQ(c.group_key(), "");
  EXPECT_TRUE(c.group_values().empty());
  EXPECT_EQ(c.value(), "v");
  CorrelationInput d;
  d.add_group_value(
      "a\x1e\x1e"
      "b");
  d.add_group_value("");
  EXPECT_EQ(d.group_values(), (std::vector<std::string>{"a\x1e\x1e"
                                                        "b",
                                                        ""}));
  EXPECT_EQ(d.value(), "");
}

// Renders every alert in alert() (the path without worker rendering), or on the workers.
struct TextSink : AlertSink {
  TextSink(const Engine& e, bool workers) : json(e), on_workers(workers) {}
  [[nodiscard]] bool render_on_workers() const override { return on_workers; }
  void render(const AlertView& a, std::string& out, std::vector<size_t>* record_at) const override {
    json.append(a, out, record_at);
    out += '\n';
  }
  void rendered(std::string_view t, const std::vector<uint32_t>& rules) override {
    text += t;
    for (uint32_t r : rules) ++per_rule[r];
    batches += 1;
  }
  void alert(const Alert& a) override {
    text += alert_json(a);
    text += '\n';
    ++per_rule[a.rule];
  }
  AlertJsonRenderer json;
  bool on_workers;
  std::string text;
  std::map<uint32_t, uint64_t> per_rule;
  size_t batches = 0;
};

TEST(Render, WorkerRenderingDeliversSameTextInOrder) {
  auto e = engine_of(kRules);
  std::string dir = ::testing::TempDir() + "/render_hunt";
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  int i = 0;
  for (int f = 0; f < 7; ++f) {
    std::string path = dir + "/f" + std::to_string(f) + (f % 2 ? ".jsonl" : ".json");
    std::ofstream out(path);
    if (f % 2 == 0) out << R"({"Records":[)";
    for (int k = 0; k < 40; ++k, ++i) {
      if (f % 2 == 0 && k) out << ',';
      const char* names[] = {"GetObject", "PutObject", "ListBucket", "GetBucketAcl"};
      out << event(i, names[i % 4], i % 3 != 0, i % 5 == 0, "10.0.0." + std::to_string(i % 4));
      if (f % 2) out << '\n';
    }
    if (f % 2 == 0) out << "]}\n";
    files.push_back(path);
  }
  for (unsigned threads : {1u, 2u, 3u}) {
    HuntOptions o;
    o.threads = threads;
    TextSink plain(*e, false), workers(*e, true);
    HuntStats a = hunt(*e, files, o, plain);
    HuntStats b = hunt(*e, files, o, workers);
    EXPECT_EQ(a.alerts, b.alerts);
    EXPECT_GT(a.alerts, 100u);
    EXPECT_EQ(plain.text, workers.text) << threads << " threads";
    EXPECT_EQ(plain.per_rule, workers.per_rule);
    EXPECT_EQ(plain.batches, 0u);
    EXPECT_EQ(workers.batches, files.size());
    // correlation alerts are there (through alert())
    EXPECT_NE(workers.text.find("\"many gets\""), std::string::npos);
  }
}

struct Records : RecordSink {
  std::vector<std::string> texts;
  void record(simdjson::dom::element rec, uint64_t, uint64_t) override {
    texts.push_back(simdjson::minify(rec));
  }
  void malformed(uint64_t, std::string_view) override { texts.emplace_back("malformed"); }
};

TEST(Render, ReaderReusedAcrossFilesOfDifferentShapes) {
  std::string dir = ::testing::TempDir() + "/render_reader";
  std::filesystem::create_directories(dir);
  std::string big = dir + "/big.json", small = dir + "/small.json", lines = dir + "/lines.jsonl";
  {
    std::ofstream out(big);
    out << R"({"Records":[)";
    for (int k = 0; k < 3000; ++k) out << (k ? "," : "") << event(k, "GetObject", true, false, "1.1.1.1");
    out << "]}";
  }
  std::ofstream(small) << R"({"Records":[{"a":1},{"b":"x"}]})";
  std::ofstream(lines) << "{\"l\":1}\n{\"l\":2}\nnot json\n{\"l\":3}\n";
  auto fresh = [](const std::string& path) {
    RecordReader r;
    Records s;
    ReadStats st;
    EXPECT_TRUE(r.read_file(path, s, st).ok());
    return s.texts;
  };
  RecordReader reused;
  for (const std::string& path : {big, small, lines, big, small, small, lines, big}) {
    Records s;
    ReadStats st;
    ASSERT_TRUE(reused.read_file(path, s, st).ok());
    EXPECT_EQ(s.texts, fresh(path)) << path;
    EXPECT_EQ(st.bytes_decoded, std::filesystem::file_size(path));
  }
}

}  // namespace
}  // namespace sekimori::detect
