// Correlation rules: every type, windows, group-by, aliases, generate, chaining.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <functional>
#include <set>

#include "detect/correlator.h"
#include "detect/hunt.h"
#include "detect/internal/hash_index.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

struct Collect : AlertSink {
  std::shared_ptr<Engine> engine;  // alerts point into it
  std::vector<Alert> alerts;
  void alert(const Alert& a) override { alerts.push_back(a); }
  std::vector<std::string> titles() const {
    std::vector<std::string> t;
    for (const Alert& a : alerts) t.push_back(a.meta->title);
    return t;
  }
  size_t count(const std::string& title) const {
    size_t n = 0;
    for (const Alert& a : alerts) n += a.meta->title == title;
    return n;
  }
};

std::string base_rules() {
  return "title: failed login\nname: failed\nid: aaaaaaaa-0000-4000-8000-000000000001\nlogsource: {product: aws}\n"
         "detection:\n  s: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}\n  condition: s\n---\n"
         "title: good login\nname: success\nid: aaaaaaaa-0000-4000-8000-000000000002\nlogsource: {product: aws}\n"
         "detection:\n  s: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}\n  condition: s\n---\n"
         "title: access denied\nname: denied\nlogsource: {product: aws}\n"
         "detection:\n  s: {errorCode: AccessDenied}\n  condition: s\n---\n"
         "title: download\nname: download\nlogsource: {product: aws}\n"
         "detection:\n  s: {eventName: GetObject}\n  condition: s\n";
}

std::string login(const std::string& time, const std::string& ip, bool ok, const std::string& user = "alice") {
  return R"({"eventTime":")" + time + R"(","eventName":"ConsoleLogin","sourceIPAddress":")" + ip +
         R"(","userIdentity":{"userName":")" + user + R"("},"responseElements":{"ConsoleLogin":")" +
         (ok ? "Success" : "Failure") + R"("}})";
}

std::string t(int minute, int second = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-01-01T10:%02d:%02dZ", minute, second);
  return buf;
}

// The base rules and one correlation, built; diagnostics go to the test log on failure.
core::Result<Engine> build_with(const std::string& corr_yaml) {
  core::Diagnostics diags;
  RuleSet set;
  set.add_text("rules.yml", base_rules() + "---\n" + corr_yaml, diags);
  auto built = Engine::build(set, {}, diags);
  EXPECT_TRUE(built.ok()) << diags.to_text();
  return built;
}

// How many alerts, and all of them as JSON lines: what two runs compare.
std::pair<size_t, std::string> count_and_text(const std::vector<Alert>& out) {
  std::string text;
  for (const Alert& a : out) text += alert_json(a) + "\n";
  return {out.size(), text};
}

Collect run(const std::string& corr_yaml, const std::vector<std::string>& events, std::string* diag_out = nullptr) {
  core::Diagnostics diags;
  RuleSet set;
  set.add_text("rules.yml", base_rules() + "---\n" + corr_yaml, diags);
  auto engine = Engine::build(set, {}, diags);
  if (diag_out) *diag_out = diags.to_text();
  EXPECT_FALSE(diags.has_errors()) << diags.to_text();
  std::string path = ::testing::TempDir() + "/corr_events.jsonl";
  {
    std::ofstream f(path);
    for (const std::string& e : events) f << e << "\n";
  }
  Collect c;
  c.engine = std::make_shared<Engine>(std::move(engine).value());
  hunt(*c.engine, {path}, {}, c);
  return c;
}

TEST(Correlation, EventCountWithGroupByAndWindow) {
  std::string corr = "title: brute force\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 5m\n  condition: {gte: 3}\nlevel: high\n";
  // 3 failures from one IP within 5 minutes fire; the other IP has only 2
  auto c = run(corr, {login(t(0), "1.1.1.1", false), login(t(1), "2.2.2.2", false), login(t(2), "1.1.1.1", false),
                      login(t(3), "2.2.2.2", false), login(t(4), "1.1.1.1", false)});
  ASSERT_EQ(c.count("brute force"), 1u);
  const Alert& a = c.alerts.back();
  EXPECT_TRUE(a.correlation);
  EXPECT_EQ(a.event_count, 3u);
  ASSERT_EQ(a.group.size(), 1u);
  EXPECT_EQ(a.group[0].second, "1.1.1.1");
  EXPECT_EQ(a.contributing.size(), 3u);
  EXPECT_EQ(a.meta->level, "high");
  // failed logins are not alerted on their own (generate defaults to false)
  EXPECT_EQ(c.count("failed login"), 0u);
  EXPECT_NE(alert_json(a).find("\"event_count\":3"), std::string::npos);
  // each contributing event is located by offset and record index (its line, here)
  EXPECT_EQ(a.contributing[1].record, 2u);
  EXPECT_NE(alert_json(a).find("\"record\":2,\"event\":{"), std::string::npos) << alert_json(a);
  std::string ocsf = alert_ocsf(a, "t");
  std::string unmapped =
      "\"unmapped\":{\"correlation_type\":\"event_count\",\"event_count\":3,\"aggregate\":3,";
  EXPECT_NE(ocsf.find(unmapped), std::string::npos) << ocsf;
}

TEST(Correlation, EventCountOutsideWindowDoesNotFire) {
  std::string corr = "title: brute force\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 2m\n  condition: {gte: 3}\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false), login(t(2), "1.1.1.1", false), login(t(4), "1.1.1.1", false)});
  EXPECT_EQ(c.count("brute force"), 0u);
  // sliding window: minutes 3, 4, 5 are within 2m of the last one
  auto d = run(corr, {login(t(0), "1.1.1.1", false), login(t(3), "1.1.1.1", false), login(t(4), "1.1.1.1", false),
                      login(t(5), "1.1.1.1", false)});
  EXPECT_EQ(d.count("brute force"), 1u);
}

TEST(Correlation, EventOrderComesFromEventTimeNotInputOrder) {
  std::string corr = "title: brute force\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 2m\n  condition: {gte: 3}\n";
  auto c = run(corr, {login(t(5), "1.1.1.1", false), login(t(0), "1.1.1.1", false), login(t(4), "1.1.1.1", false),
                      login(t(1), "1.1.1.1", false)});
  EXPECT_EQ(c.count("brute force"), 0u);  // 0,1 and 4,5 are two pairs, never three within 2m
}

TEST(Correlation, UpperBoundsAreEvaluatedWhenTheWindowCloses) {
  std::string corr = "title: few\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
                     "  timespan: 10m\n  condition: {gte: 2, lt: 4}\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false), login(t(1), "1.1.1.1", false), login(t(2), "2.2.2.2", false),
                      login(t(3), "2.2.2.2", false), login(t(4), "2.2.2.2", false), login(t(5), "2.2.2.2", false)});
  ASSERT_EQ(c.count("few"), 1u);  // 1.1.1.1 has 2; 2.2.2.2 has 4
  EXPECT_EQ(c.alerts[0].group[0].second, "1.1.1.1");
}

TEST(Correlation, ValueCount) {
  std::string corr = "title: spraying\ncorrelation:\n  type: value_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 10m\n  condition: {field: userIdentity.userName, gte: 3}\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false, "a"), login(t(1), "1.1.1.1", false, "a"),
                      login(t(2), "1.1.1.1", false, "b"), login(t(3), "1.1.1.1", false, "c")});
  ASSERT_EQ(c.count("spraying"), 1u);
  EXPECT_EQ(c.alerts[0].aggregate, 3);
  auto d = run(corr, {login(t(0), "1.1.1.1", false, "a"), login(t(1), "1.1.1.1", false, "a"),
                      login(t(2), "1.1.1.1", false, "b")});
  EXPECT_EQ(d.count("spraying"), 0u);
}

TEST(Correlation, TemporalOrderedFailuresThenSuccess) {
  std::string corr = "title: many failures then success\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, "
                     "success]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false), login(t(1), "1.1.1.1", true)});
  EXPECT_EQ(c.count("many failures then success"), 1u);
  auto wrong_order = run(corr, {login(t(0), "1.1.1.1", true), login(t(1), "1.1.1.1", false)});
  EXPECT_EQ(wrong_order.count("many failures then success"), 0u);
  auto other_ip = run(corr, {login(t(0), "1.1.1.1", false), login(t(1), "2.2.2.2", true)});
  EXPECT_EQ(other_ip.count("many failures then success"), 0u);
  auto too_late = run(corr, {login(t(0), "1.1.1.1", false), login(t(20), "1.1.1.1", true)});
  EXPECT_EQ(too_late.count("many failures then success"), 0u);
}

TEST(Correlation, TemporalAnyOrderAndBooleanCondition) {
  std::string corr = "title: both\ncorrelation:\n  type: temporal\n  rules: [failed, success]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 10m\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", true), login(t(1), "1.1.1.1", false)});
  EXPECT_EQ(c.count("both"), 1u);
  std::string expr = "title: either\ncorrelation:\n  type: temporal\n  rules: [failed, success, denied]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 10m\n  condition: failed and (success or denied)\n";
  auto d = run(expr, {login(t(0), "1.1.1.1", false), R"({"eventTime":")" + t(1) +
                                                          R"(","errorCode":"AccessDenied","sourceIPAddress":"1.1.1.1"})"});
  EXPECT_EQ(d.count("either"), 1u);
}

TEST(Correlation, AliasesJoinDifferentFields) {
  std::string corr = "title: same person\ncorrelation:\n  type: temporal\n  rules: [failed, download]\n  group-by: "
                     "[who]\n  timespan: 10m\n  aliases:\n    who:\n      failed: userIdentity.userName\n      "
                     "download: requestParameters.owner\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false, "carol"),
                      R"({"eventTime":")" + t(1) + R"(","eventName":"GetObject","requestParameters":{"owner":"carol"}})"});
  ASSERT_EQ(c.count("same person"), 1u);
  EXPECT_EQ(c.alerts[0].group[0].first, "who");
  EXPECT_EQ(c.alerts[0].group[0].second, "carol");
}

std::string download(int minute, const std::string& user, int bytes) {
  return R"({"eventTime":")" + t(minute) + R"(","eventName":"GetObject","userIdentity":{"userName":")" + user +
         R"("},"additionalEventData":{"bytesTransferredOut":)" + std::to_string(bytes) + "}}";
}

TEST(Correlation, ValueSumAndAvg) {
  std::string sum = "title: exfil\ncorrelation:\n  type: value_sum\n  rules: [download]\n  group-by: "
                    "[userIdentity.userName]\n  timespan: 1h\n  condition: {field: "
                    "additionalEventData.bytesTransferredOut, gt: 1000}\n";
  auto c = run(sum, {download(0, "a", 600), download(1, "b", 600), download(2, "a", 600)});
  ASSERT_EQ(c.count("exfil"), 1u);
  EXPECT_EQ(c.alerts[0].aggregate, 1200);
  std::string avg = "title: big avg\ncorrelation:\n  type: value_avg\n  rules: [download]\n  group-by: "
                    "[userIdentity.userName]\n  timespan: 1h\n  condition: {field: "
                    "additionalEventData.bytesTransferredOut, gte: 500}\n";
  auto d = run(avg, {download(0, "a", 600), download(1, "a", 500), download(2, "b", 100), download(3, "b", 200)});
  ASSERT_EQ(d.count("big avg"), 1u);
  EXPECT_EQ(d.alerts[0].aggregate, 550);
  EXPECT_EQ(d.alerts[0].group[0].second, "a");
}

TEST(Correlation, ValuePercentileFlagsRareValues) {
  std::string p = "title: rare user\ncorrelation:\n  type: value_percentile\n  rules: [download]\n  group-by: []\n"
                  "  timespan: 1h\n  condition: {field: userIdentity.userName, lte: 10}\n";
  std::vector<std::string> evs;
  for (int i = 0; i < 19; ++i) evs.push_back(download(i, "common", 1));
  evs.push_back(download(30, "rare", 1));
  auto c = run(p, evs);
  ASSERT_EQ(c.count("rare user"), 1u);
  EXPECT_EQ(c.alerts[0].aggregate, 5);
}

TEST(Correlation, GenerateKeepsBaseAlertsAndChainsWork) {
  std::string corr = "title: brute force\nname: brute\ncorrelation:\n  type: event_count\n  rules: [failed]\n  "
                     "group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: {gte: 2}\n  generate: true\n---\n"
                     "title: brute then success\ncorrelation:\n  type: temporal_ordered\n  rules: [brute, success]\n  "
                     "group-by: [sourceIPAddress]\n  timespan: 10m\n";
  auto c = run(corr, {login(t(0), "1.1.1.1", false), login(t(1), "1.1.1.1", false), login(t(2), "1.1.1.1", true)});
  EXPECT_EQ(c.count("failed login"), 2u);  // generate: true
  EXPECT_EQ(c.count("brute then success"), 1u);
  EXPECT_EQ(c.count("brute force"), 0u);  // used by the chain without generate
}

TEST(Correlation, LongSlidingWindowSurvivesStateSweeps) {
  // more inputs than the sweep interval (4096): the open window must not be dropped
  std::string corr = "title: slow brute force\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress]\n  timespan: 2h\n  condition: {gte: 5000}\n";
  std::vector<std::string> evs;
  for (int i = 0; i < 5000; ++i) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "2024-01-01T%02d:%02d:%02dZ", 10 + i / 3600, (i / 60) % 60, i % 60);
    evs.push_back(login(ts, "1.1.1.1", false));
  }
  auto c = run(corr, evs);
  ASSERT_EQ(c.count("slow brute force"), 1u);
  EXPECT_EQ(c.alerts[0].event_count, 5000u);
  EXPECT_EQ(c.alerts[0].contributing.size(), 20u);  // bounded
}

// A sliding window keeps the events of at most max_contributing (20) matches at a time.
// Once older matches expire, an alert lists the window's first matches whose events were
// kept, never an entry without its event; and expiry is counted before the cap.
TEST(Correlation, SlidingWindowListsOnlyMatchesWithTheirEvents) {
  std::string corr = "title: many failures\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
                     "  group-by: [sourceIPAddress]\n  timespan: 30s\n  condition: {gte: 22}\n";
  // u0..u20 (u20 arrives with 20 matches held: its event is not kept), then at 0:35 u0..u4
  // expire and late1..late6 come; late5 and late6 again arrive with 20 held
  std::vector<std::string> evs;
  for (int i = 0; i <= 20; ++i) evs.push_back(login(t(0, i), "1.1.1.1", false, "u" + std::to_string(i)));
  for (int i = 1; i <= 6; ++i) evs.push_back(login(t(0, 35), "1.1.1.1", false, "late" + std::to_string(i)));
  auto c = run(corr, evs);
  ASSERT_EQ(c.count("many failures"), 1u);
  const Alert& a = c.alerts.back();
  EXPECT_EQ(a.event_count, 22u);  // u5..u20 and late1..late6
  ASSERT_EQ(a.contributing.size(), 19u);  // u5..u19 and late1..late4
  for (const Alert& e : a.contributing) EXPECT_FALSE(e.event.empty());
  EXPECT_NE(a.contributing.front().event.find("\"u5\""), std::string::npos);
  EXPECT_NE(a.contributing.back().event.find("\"late4\""), std::string::npos);
}

TEST(Correlation, Validation) {
  using testing::error_code;
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: nope\n  rules: [x]\n  timespan: 5m\n"), "sigma.correlation.type");
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5q\n  condition: {gte: 1}\n"),
            "sigma.correlation.timespan");
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5m\n"),
            "sigma.correlation.condition");
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: value_count\n  rules: [x]\n  timespan: 5m\n  condition: {gte: 1}\n"),
            "sigma.correlation.field");
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5m\n  condition: {gte: 1}\n"),
            "sigma.correlation.unknown_rule");
  EXPECT_EQ(error_code("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5m\n  condition: {near: 1}\n"),
            "sigma.correlation.condition");
}

TEST(Correlation, GroupValuesWithSeparatorCharactersStayApart) {
  // the group key joins values with '\x1f' (escaped with '\x1e'); values holding those
  // characters must neither merge groups nor come back altered in the alert
  std::string corr = "title: brute force\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: "
                     "[sourceIPAddress, userIdentity.userName]\n  timespan: 5m\n  condition: {gte: 3}\n";
  std::vector<std::string> evs;
  for (int i = 0; i < 3; ++i) {
    evs.push_back(login(t(i), "a\\u001f", false, "b"));
    evs.push_back(login(t(i, 30), "a", false, "\\u001fb"));
    evs.push_back(login(t(i, 40), "a\\u001e", false, "\\u001eb"));
  }
  auto c = run(corr, evs);
  ASSERT_EQ(c.count("brute force"), 3u);
  std::vector<std::vector<std::string>> groups;
  for (const Alert& a : c.alerts) {
    ASSERT_EQ(a.group.size(), 2u);
    EXPECT_EQ(a.event_count, 3u);
    groups.push_back({a.group[0].second, a.group[1].second});
  }
  std::sort(groups.begin(), groups.end());
  EXPECT_EQ(groups, (std::vector<std::vector<std::string>>{
                        {"a", "\x1f"
                              "b"},
                        {"a\x1e", "\x1e"
                                  "b"},
                        {"a\x1f", "b"}}));
}

// A value_count correlation of failed logins per source IP, over distinct `user` values.
std::string spraying(const std::string& timespan, int gte) {
  return "title: spraying\ncorrelation:\n  type: value_count\n  rules: [failed]\n  "
         "group-by: [sourceIPAddress]\n  timespan: " +
         timespan + "\n  condition: {field: user, gte: " + std::to_string(gte) + "}\n";
}

// An input of `e`'s first correlation from 1.1.1.1, made by hand as watch makes them.
CorrelationInput input_at(const Engine& e, int64_t time_ms, const std::string& value) {
  CorrelationInput in;
  in.time_ms = time_ms;
  in.add_group_value("1.1.1.1");
  in.set_value(value);
  in.base.rule = e.correlations()[0].feeders[0];
  in.base.time_ms = time_ms;
  in.base.has_time = true;
  return in;
}

TEST(Correlation, InputsHashedOrNotGiveTheSameAlerts) {
  // make_correlation_input hashes the group key and value on the worker; inputs built by
  // hand (watch, chained correlations) are hashed by the Correlator: both must agree
  auto built = build_with(spraying("10m", 3));
  ASSERT_TRUE(built.ok());
  const Engine& e = built.value();
  ASSERT_EQ(e.correlations().size(), 1u);
  auto run_inputs = [&](bool hashed) {
    Correlator corr(e, 2);
    std::vector<Alert> out;
    for (int i = 0; i < 12; ++i) {
      CorrelationInput in;
      in.correlation = 0;
      in.time_ms = 1'000'000 + i * 1000;
      in.add_group_value(i % 2 ? "1.1.1.1" : "2.2.2.2\x1f");
      in.set_value("user" + std::to_string((i / 2) % 4));
      Alert a;
      a.event = "{\"n\":" + std::to_string(i) + "}";
      in.base = MatchedEvent::from_alert(a);
      in.base.rule = e.correlations()[0].feeders[0];
      in.base.time_ms = in.time_ms;
      in.base.has_time = true;
      in.base.record = static_cast<uint64_t>(i);
      if (hashed) in.compute_hashes();
      corr.add(std::move(in), out);
    }
    corr.finish(out);
    return count_and_text(out);
  };
  auto a = run_inputs(true);
  auto b = run_inputs(false);
  EXPECT_EQ(a.first, 4u);  // each group reaches 3 distinct users twice (cleared after each)
  EXPECT_EQ(a, b);
  // the contributing events are the first of the window, with their own event text
  EXPECT_NE(a.second.find("{\"n\":0}"), std::string::npos);
  EXPECT_NE(a.second.find("{\"n\":1}"), std::string::npos);
  EXPECT_EQ(a.second.find("{\"n\":4}"), std::string::npos);  // third of its window: beyond max_contributing (2)
}

TEST(Correlation, ValueCountAcrossTheSmallWindowBound) {
  // windows of up to 16 matches count distinct values over their entries; larger ones keep
  // a count per value as matches come and go: both must give the same aggregate
  auto run = [](const std::string& timespan, int n, int64_t step_ms,
                const std::function<std::string(int)>& value) {
    auto built = build_with(spraying(timespan, 5));
    std::vector<Alert> out;
    if (!built.ok()) return out;
    const Engine& e = built.value();
    Correlator corr(e, 20);
    for (int i = 0; i < n; ++i) corr.add(input_at(e, 1'000'000 + i * step_ms, value(i)), out);
    corr.finish(out);
    return out;
  };
  // 30 matches of one value slide through a 10 s window of about 21 (counted per value,
  // entries leaving decrement it), then four new values make five
  auto slid = run("10s", 34, 500, [](int i) { return i < 30 ? std::string("x") : "y" + std::to_string(i); });
  ASSERT_EQ(slid.size(), 1u);
  EXPECT_EQ(slid[0].aggregate, 5);
  EXPECT_EQ(slid[0].event_count, 21u);
  // a small window: repeated values count once, empty values not at all
  auto small = run("10m", 12, 1000, [](int i) { return i % 3 == 0 ? std::string() : "v" + std::to_string(i % 5); });
  ASSERT_EQ(small.size(), 1u);  // "" v1 v2 "" v4 v0 "" v2 v3: v3 is the fifth
  EXPECT_EQ(small[0].aggregate, 5);
  EXPECT_EQ(small[0].event_count, 9u);
}

TEST(Correlation, ValueCountAgreesWithARecountOfTheWindow) {
  // random values (some empty, many repeated) at random steps through a sliding 10 s window
  // that holds a few matches (distinct values kept up to date as they come and go) or
  // dozens (counted per value): each alert's aggregate and size are what a plain recount of
  // the window gives
  auto built = build_with(spraying("10s", 5));
  ASSERT_TRUE(built.ok());
  const Engine& e = built.value();
  uint32_t x = 7;
  auto rnd = [&](uint32_t n) {
    x = x * 1103515245u + 12345u;
    return (x >> 16) % n;
  };
  for (int round = 0; round < 24; ++round) {
    Correlator corr(e, 20);
    std::vector<Alert> out;
    std::deque<std::pair<int64_t, std::string>> window;
    std::vector<std::pair<double, size_t>> want, got;
    int64_t now = 1'000'000;
    for (int i = 0; i < 400; ++i) {
      now += rnd(round % 2 ? 400 : 2500);
      std::string v = rnd(5) == 0 ? "" : "v" + std::to_string(rnd(5 + round % 4));
      while (!window.empty() && window.front().first < now - 10'000) window.pop_front();
      window.emplace_back(now, v);
      std::set<std::string> distinct;
      for (const auto& [when, value] : window) {
        if (!value.empty()) distinct.insert(value);
      }
      if (distinct.size() >= 5) {
        want.emplace_back(static_cast<double>(distinct.size()), window.size());
        window.clear();
      }
      corr.add(input_at(e, now, v), out);
    }
    corr.finish(out);
    for (const Alert& a : out) got.emplace_back(a.aggregate, a.event_count);
    EXPECT_FALSE(want.empty()) << round;
    EXPECT_EQ(got, want) << "round " << round;
  }
}

TEST(Correlation, SharedAndOwnedEventsGiveTheSameAlerts) {
  // hunt() appends each match's context and event to a chunk shared by the file's matches;
  // the Correlator must give the same alerts as with owned strings, drop the event text
  // beyond max_contributing, and copy out what a window longer than kShareSpanMs keeps
  for (const char* span : {"10m", "3h"}) {
    auto built = build_with(
        "title: burst\ncorrelation:\n  type: event_count\n  rules: [failed]\n  "
        "group-by: [sourceIPAddress]\n  timespan: " +
        std::string(span) + "\n  condition: {gte: 3}\n");
    ASSERT_TRUE(built.ok());
    const Engine& e = built.value();
    auto file = std::make_shared<const std::string>("f.json");
    auto chunk = std::make_shared<std::string>();
    auto run_inputs = [&](bool shared) {
      Correlator corr(e, 2);
      std::vector<Alert> out;
      for (int i = 0; i < 13; ++i) {  // the 13th stays in its window
        Alert a;
        a.rule = e.correlations()[0].feeders[0];
        a.time_ms = 1'000'000 + i * 1000;
        a.has_time = true;
        a.event_time = format_time_ms(a.time_ms);
        a.account = "1234";
        a.principal = "arn:aws:iam::1234:user/u" + std::to_string(i);
        a.source_ip = i % 2 ? "1.1.1.1" : "2.2.2.2";
        a.event_name = "ConsoleLogin";
        a.record = static_cast<uint64_t>(i);
        a.event = "{\"n\":" + std::to_string(i) + "}";
        CorrelationInput in;
        in.correlation = 0;
        in.time_ms = a.time_ms;
        in.add_group_value(a.source_ip);
        in.base = shared ? MatchedEvent::from_alert(a, file, chunk) : MatchedEvent::from_alert(a, file);
        if (shared) {
          EXPECT_EQ(in.base.field(MatchedEvent::kPrincipal), a.principal);
          EXPECT_EQ(in.base.event_text(), a.event);
          EXPECT_TRUE(in.base.chunk);
          EXPECT_EQ(in.base.shared.get(), chunk.get());
        }
        in.compute_hashes();
        corr.add(std::move(in), out);
      }
      // a 3h window copied its matches out: nothing it holds keeps the chunk alive
      if (shared) {
        EXPECT_EQ(chunk.use_count() == 1, std::string(span) == "3h") << span;
      }
      corr.finish(out);
      return count_and_text(out);
    };
    auto owned = run_inputs(false);
    auto shared = run_inputs(true);
    EXPECT_EQ(owned.first, 4u) << span;  // each group cleared after 3 matches
    EXPECT_EQ(owned, shared) << span;
    EXPECT_EQ(shared.second.find("{\"n\":4}"), std::string::npos);  // beyond max_contributing (2)
    EXPECT_EQ(chunk.use_count(), 1);
  }
}

// Alerts without the input position (file, offset, record), which differs between hunt()
// over files and the same events handed to a Correlator by hand.
std::string without_position(std::vector<Alert> out) {
  std::string text;
  for (Alert& a : out) {
    a.file.clear();
    a.offset = a.record = 0;
    for (Alert& c : a.contributing) {
      c.file.clear();
      c.offset = c.record = 0;
    }
    text += alert_json(a) + "\n";
  }
  return text;
}

TEST(Correlation, ReorderBufferMergesFilesInTimeOrder) {
  // hunt() merges each file's inputs (sorted by time on the worker) instead of keeping one
  // heap over all inputs: the order given to the Correlator, and which inputs are late, must
  // be what a heap over all inputs keyed by (time, arrival) gives. Files overlap in time,
  // are out of order inside, and share times across files (ties go by file order).
  auto built = build_with(
      "title: pair\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
      "  timespan: 3m\n  condition: {gte: 3}\n---\n"
      "title: order\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n  "
      "group-by: [sourceIPAddress]\n  timespan: 4m\n");
  ASSERT_TRUE(built.ok());
  const Engine& e = built.value();
  struct Ev {
    int64_t time_ms;
    std::string json;
  };
  std::vector<std::vector<Ev>> files(6);
  uint32_t rng = 12345;
  auto next = [&rng](uint32_t n) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
  };
  int k = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    for (int i = 0; i < 40; ++i, ++k) {
      int sec = static_cast<int>(f) * 120 + static_cast<int>(next(300)) - 60;  // ~2 min per file, overlapping
      if (i % 7 == 0) sec = static_cast<int>(f) * 100;                         // ties across files
      sec = std::max(sec, 0);
      char ts[32];
      std::snprintf(ts, sizeof ts, "2024-01-01T10:%02d:%02dZ", sec / 60, sec % 60);
      bool ok = next(5) == 0;
      std::string ev = R"({"eventTime":")" + std::string(ts) +
                       R"(","eventName":"ConsoleLogin","sourceIPAddress":"10.0.0.)" + std::to_string(next(3)) +
                       R"(","userIdentity":{"userName":"u"},"responseElements":{"ConsoleLogin":")" +
                       (ok ? "Success" : "Failure") + R"("},"n":)" + std::to_string(k) + "}";
      int64_t ms = 0;
      ASSERT_TRUE(parse_time_ms(ts, ms));
      files[f].push_back({ms, ev});
    }
  }
  std::vector<std::string> paths;
  for (size_t f = 0; f < files.size(); ++f) {
    paths.push_back(::testing::TempDir() + "/reorder_" + std::to_string(f) + ".jsonl");
    std::ofstream out(paths.back());
    for (const Ev& ev : files[f]) out << ev.json << "\n";
  }
  for (int64_t window : {int64_t{3'600'000}, int64_t{90'000}, int64_t{0}}) {
    // the reference: one heap over every input, released as hunt() releases
    Correlator corr(e, 20);
    std::vector<Alert> expected;
    simdjson::dom::parser parser;
    struct Pending {
      int64_t time_ms;
      uint64_t seq;
      CorrelationInput in;
    };
    auto later = [](const Pending& a, const Pending& b) {
      return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.seq > b.seq;
    };
    std::vector<Pending> heap;
    uint64_t seq = 0, late = 0;
    int64_t newest = INT64_MIN, released = INT64_MIN;
    auto release = [&](int64_t upto) {
      while (!heap.empty() && heap.front().time_ms <= upto) {
        std::pop_heap(heap.begin(), heap.end(), later);
        Pending p = std::move(heap.back());
        heap.pop_back();
        if (p.time_ms < released) ++late;
        released = std::max(released, p.time_ms);
        corr.add(std::move(p.in), expected);
      }
    };
    uint64_t restarts = 0;
    for (size_t f = 0; f < files.size(); ++f) {
      std::vector<CorrelationInput> inputs;
      int64_t file_newest = INT64_MIN;
      for (const Ev& ev : files[f]) {
        auto doc = parser.parse(ev.json);
        ASSERT_EQ(doc.error(), simdjson::SUCCESS);
        std::vector<uint32_t> rules;
        e.match(doc.value_unsafe(), rules);
        for (uint32_t r : rules) {
          for (const CorrelationFeed& feed : e.feeds(r)) {
            Alert a = make_alert(e, r, doc.value_unsafe(), paths[f], 0, 0);
            inputs.push_back(make_correlation_input(feed, doc.value_unsafe(), MatchedEvent::from_alert(a)));
            file_newest = std::max(file_newest, inputs.back().time_ms);
          }
        }
      }
      // a file wholly older than what has been released, by more than the window: start again
      if (released != INT64_MIN && file_newest < released - window) {
        release(INT64_MAX);
        corr.restart(expected);
        ++restarts;
        newest = released = INT64_MIN;
      }
      for (CorrelationInput& in : inputs) {
        newest = std::max(newest, in.time_ms);
        heap.push_back({in.time_ms, seq++, std::move(in)});
        std::push_heap(heap.begin(), heap.end(), later);
      }
      release(newest - window);
    }
    release(INT64_MAX);
    corr.finish(expected);
    ASSERT_GT(expected.size(), 5u);
    for (unsigned threads : {1u, 2u}) {
      if (window != 90'000 && threads == 1) continue;  // (each hunt() takes a while in a sanitizer build)
      Collect c;
      HuntOptions o;
      o.threads = threads;
      o.reorder_window_ms = window;
      HuntStats st = hunt(e, paths, o, c);
      EXPECT_EQ(st.late, late) << window;
      EXPECT_EQ(st.correlation_restarts, restarts) << window;
      EXPECT_EQ(without_position(c.alerts), without_position(expected)) << window << " " << threads;
      if (window == 3'600'000) {
        EXPECT_EQ(st.late, 0u);
      }
    }
    if (window == 0) {
      EXPECT_GT(late, 0u);
    }
  }
}

TEST(Correlation, HuntStartsAgainWhenTheInputGoesBackInTime) {
  // a second account's logs after a first one's: file B lies a day before file A. Read
  // after A, B must be correlated as if it were read alone: its matches must not join A's
  // windows (1.1.1.1 fails twice in A and once in B: no alert for three failures), and the
  // window A leaves open must not take all of B's matches (it would never close, since
  // time no longer advances: 9.9.9.9's windows hold at most six denials a minute apart)
  auto built = build_with(
      "title: many failures\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
      "  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: {gte: 3}\n---\n"
      "title: denials per window\ncorrelation:\n  type: event_count\n  rules: [denied]\n"
      "  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: {lte: 1000}\n");
  ASSERT_TRUE(built.ok());
  const Engine& e = built.value();
  auto at = [](int day, int minutes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "2024-01-%02dT%02d:%02d:00Z", day, minutes / 60, minutes % 60);
    return std::string(buf);
  };
  const std::string a = ::testing::TempDir() + "/back_a.jsonl", b = ::testing::TempDir() + "/back_b.jsonl";
  auto denied = [](const std::string& time) {
    return R"({"eventTime":")" + time + R"(","eventName":"GetObject","errorCode":"AccessDenied",)" +
           R"("sourceIPAddress":"9.9.9.9"})";
  };
  {
    // (the last match lies more than the reorder window after the others: they are
    // correlated before B comes, and their windows are open, not only held for reordering)
    std::ofstream out(a);
    out << login(at(2, 600), "1.1.1.1", false) << "\n" << login(at(2, 601), "1.1.1.1", false) << "\n";
    out << denied(at(2, 600)) << "\n";
    out << login(at(2, 720), "5.5.5.5", false) << "\n";
  }
  {
    std::ofstream out(b);
    out << login(at(1, 600), "1.1.1.1", false) << "\n";
    for (int i = 0; i < 3; ++i) out << login(at(1, 700 + i), "2.2.2.2", false) << "\n";
    for (int m = 0; m < 300; ++m) out << denied(at(1, m)) << "\n";
  }
  auto lines = [](const std::vector<Alert>& alerts) {
    std::vector<std::string> l;
    for (const Alert& x : alerts) l.push_back(alert_json(x));
    std::sort(l.begin(), l.end());
    return l;
  };
  for (unsigned threads : {1u, 2u}) {
    HuntOptions o;
    o.threads = threads;
    Collect both, alone_a, alone_b;
    HuntStats st = hunt(e, {a, b}, o, both);
    HuntStats st_a = hunt(e, {a}, o, alone_a);
    HuntStats st_b = hunt(e, {b}, o, alone_b);
    EXPECT_EQ(st.correlation_restarts, 1u) << threads;
    EXPECT_EQ(st_a.correlation_restarts + st_b.correlation_restarts, 0u);
    EXPECT_EQ(st.late, 0u);
    std::vector<Alert> apart = alone_a.alerts;
    apart.insert(apart.end(), alone_b.alerts.begin(), alone_b.alerts.end());
    EXPECT_TRUE(lines(both.alerts) == lines(apart))
        << threads << ": " << both.alerts.size() << " alerts against " << apart.size() << " when read apart";
    ASSERT_EQ(both.count("many failures"), 1u);
    for (const Alert& x : both.alerts) {
      if (x.meta->title == "many failures") {
        EXPECT_EQ(x.source_ip, "2.2.2.2");
      } else if (x.meta->title == "denials per window") {
        EXPECT_LE(x.event_count, 6u) << x.event_time;
      }
    }
    EXPECT_LE(st.peak_correlation_state, std::max(st_a.peak_correlation_state, st_b.peak_correlation_state));
    EXPECT_LE(st.peak_correlation_state, 10u);
  }
}

TEST(Correlation, KeysInTheChunkGiveTheSameAlerts) {
  // hunt() appends each input's group keys and value to the match's chunk, right before the
  // next match's bytes: values are views there (not NUL-terminated), so numbers must still
  // parse whole (value_sum), and a window longer than kShareSpanMs copies the keys out too
  for (const char* span : {"10m", "3h"}) {
    auto built = build_with(
        "title: sum\ncorrelation:\n  type: value_sum\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
        "  timespan: " + std::string(span) + "\n  condition: {field: n, gte: 30}\n");
    ASSERT_TRUE(built.ok());
    const Engine& e = built.value();
    auto file = std::make_shared<const std::string>("f.json");
    auto run_inputs = [&](bool in_chunk) {
      auto chunk = std::make_shared<std::string>();
      Correlator corr(e, 3);
      std::vector<Alert> out;
      MatchScratch scratch(e);
      simdjson::dom::parser parser;
      std::vector<uint32_t> hits;
      for (int i = 0; i < 16; ++i) {
        std::string json = R"({"eventTime":"2024-01-01T10:)" + std::to_string(10 + i) +
                           R"(:00Z","eventName":"ConsoleLogin","sourceIPAddress":"10.0.0.)" + std::to_string(i % 2) +
                           R"(","responseElements":{"ConsoleLogin":"Failure"},"n":)" +
                           (i % 3 ? std::to_string(i) : std::to_string(i) + ".5") + "}";
        auto doc = parser.parse(json);
        EXPECT_EQ(doc.error(), simdjson::SUCCESS);
        simdjson::dom::element rec = doc.value_unsafe();
        e.match(rec, json, scratch, hits);
        EXPECT_EQ(hits.size(), 1u);
        AlertView a;
        AlertViewText room;
        fill_alert_view(a, room, e, hits[0], rec, RecordText{json, true, true}, scratch, *file, 0,
                        static_cast<uint64_t>(i));
        const CorrelationFeed& feed = e.feeds(hits[0])[0];
        CorrelationInput in =
            in_chunk ? make_correlation_input(feed, rec, scratch, MatchedEvent::from_alert(a, file, chunk), chunk.get())
                     : make_correlation_input(feed, rec, scratch, MatchedEvent::from_alert(a, file));
        EXPECT_EQ(in.keys_shared, in_chunk);
        corr.add(std::move(in), out);
      }
      corr.finish(out);
      EXPECT_EQ(chunk.use_count(), 1);
      return count_and_text(out);
    };
    auto owned = run_inputs(false);
    auto shared = run_inputs(true);
    EXPECT_GT(owned.first, 0u) << span;
    EXPECT_EQ(owned, shared) << span;
    EXPECT_NE(owned.second.find("\"aggregate\":"), std::string::npos);
  }
}

TEST(Correlation, GroupHashIndexAgreesWithAMap) {
  // the Correlator finds groups through internal::HashIndex (open addressing, backward-shift
  // deletion); random inserts and erases with many equal and colliding hashes must leave
  // every present entry findable and no erased one
  struct Obj {
    int key;
  };
  std::vector<std::unique_ptr<Obj>> objs;
  for (int i = 0; i < 600; ++i) objs.push_back(std::make_unique<Obj>(Obj{i}));
  // few distinct hashes, several sharing their low bits (the same home slot) or equal;
  // half of them just below a power of two, so that runs wrap around the table's end
  auto hash_of = [](int key) {
    size_t hi = static_cast<size_t>(key % 7) * 4096, lo = static_cast<size_t>(key % 97);
    return key % 2 ? hi + lo : hi - lo - 1;
  };
  internal::HashIndex<Obj> index;
  std::vector<bool> present(objs.size(), false);
  uint32_t rng = 7;
  auto next = [&rng](uint32_t n) {
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) % n;
  };
  for (int step = 0; step < 20000; ++step) {
    int k = static_cast<int>(next(static_cast<uint32_t>(objs.size())));
    if (present[static_cast<size_t>(k)]) {
      index.erase(hash_of(k), objs[static_cast<size_t>(k)].get());
    } else {
      index.insert(hash_of(k), objs[static_cast<size_t>(k)].get());
    }
    present[static_cast<size_t>(k)] = !present[static_cast<size_t>(k)];
    if (step % 500 != 0 && step != 19999) continue;
    size_t n = 0;
    for (size_t i = 0; i < objs.size(); ++i) {
      int key = static_cast<int>(i);
      Obj* got = index.find(hash_of(key), [&](const Obj& o) { return o.key == key; });
      ASSERT_EQ(got, present[i] ? objs[i].get() : nullptr) << "step " << step << " key " << key;
      n += present[i] ? 1 : 0;
      if (present[i]) {
        const Obj* c = index.candidate(hash_of(key));
        ASSERT_NE(c, nullptr);
        EXPECT_EQ(hash_of(c->key), hash_of(key));
      }
    }
    ASSERT_EQ(index.size(), n);
  }
  internal::HashIndex<Obj> empty;
  EXPECT_EQ(empty.find(1, [](const Obj&) { return true; }), nullptr);
  EXPECT_EQ(empty.home(1), nullptr);
  EXPECT_EQ(empty.candidate(1), nullptr);
  empty.erase(1, objs[0].get());  // nothing there: no effect
  EXPECT_EQ(empty.size(), 0u);
}

TEST(Correlation, ManyGroupsComeAndGoAcrossSweeps) {
  // thousands of groups, most holding a match or two, created, expired, swept (every 4096
  // inputs) and reused: each group that gets three matches within its window fires once
  auto built = build_with(
      "title: triple\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
      "  timespan: 1m\n  condition: {gte: 3}\n");
  ASSERT_TRUE(built.ok());
  const Engine& e = built.value();
  Correlator corr(e, 2);
  std::vector<Alert> out;
  const int kGroups = 3000;
  size_t expected = 0;
  int64_t t = 1'000'000;
  for (int round = 0; round < 4; ++round) {
    for (int g = 0; g < kGroups; ++g) {
      // groups whose number is a multiple of 3 (plus the round) get three matches in a
      // row, the others one; a round later their window has passed
      int n = (g + round) % 3 == 0 ? 3 : 1;
      expected += n == 3 ? 1 : 0;
      for (int k = 0; k < n; ++k) {
        CorrelationInput in;
        in.time_ms = t;
        t += 5;
        in.add_group_value("10." + std::to_string(g / 256) + "." + std::to_string(g % 256) + ".1");
        in.base.rule = e.correlations()[0].feeders[0];
        in.base.time_ms = in.time_ms;
        in.base.has_time = true;
        in.compute_hashes();
        corr.add(std::move(in), out);
      }
    }
    t += 120'000;
  }
  corr.finish(out);
  EXPECT_EQ(out.size(), expected);
  EXPECT_EQ(corr.held(), 0u);
  for (const Alert& a : out) {
    EXPECT_EQ(a.event_count, 3u);
  }
}

TEST(Correlation, MatchedEventInASharedChunk) {
  Alert a;
  a.event_time = "2024-01-01T00:00:00Z";
  a.region = "eu-west-1";
  a.event_source = "s3.amazonaws.com";
  a.event = R"({"x":1})";
  auto chunk = std::make_shared<std::string>("earlier bytes");
  MatchedEvent m = MatchedEvent::from_alert(a, nullptr, chunk);
  MatchedEvent n = MatchedEvent::from_alert(a, nullptr, chunk);
  EXPECT_EQ(m.shared_at, 13u);
  EXPECT_EQ(n.field(MatchedEvent::kEventTime), a.event_time);
  EXPECT_EQ(n.field(MatchedEvent::kRegion), a.region);
  EXPECT_EQ(n.field(MatchedEvent::kAccount), "");
  EXPECT_EQ(n.field(MatchedEvent::kEventSource), a.event_source);
  EXPECT_EQ(n.event_text(), a.event);
  m.drop_event();
  EXPECT_EQ(m.event_text(), "");
  EXPECT_EQ(m.field(MatchedEvent::kRegion), a.region);
  n.own();
  m.own();
  EXPECT_EQ(chunk.use_count(), 1);
  EXPECT_FALSE(n.chunk);
  EXPECT_NE(n.shared.get(), chunk.get());
  EXPECT_EQ(n.event_text(), a.event);
  EXPECT_EQ(n.field(MatchedEvent::kEventSource), a.event_source);
  EXPECT_EQ(m.event_text(), "");
  // an own buffer: dropping the event keeps the context in a buffer of its own
  MatchedEvent o = MatchedEvent::from_alert(a);
  EXPECT_FALSE(o.chunk);
  o.drop_event();
  EXPECT_EQ(o.event_text(), "");
  EXPECT_EQ(o.field(MatchedEvent::kRegion), a.region);
  EXPECT_EQ(o.field(MatchedEvent::kEventSource), a.event_source);
  EXPECT_EQ(MatchedEvent().field(MatchedEvent::kRegion), "");
  auto c = testing::compile(testing::rule_doc("  s: {x: 1}\n  condition: s\n"));
  ASSERT_TRUE(c->engine);
  EXPECT_EQ(alert_json(n.to_alert(*c->engine)), alert_json(MatchedEvent::from_alert(a).to_alert(*c->engine)));
}

}  // namespace
}  // namespace sekimori::detect
