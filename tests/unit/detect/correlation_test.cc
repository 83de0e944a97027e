// Correlation rules: every type, windows, group-by, aliases, generate, chaining.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>

#include "detect/correlator.h"
#include "detect/hunt.h"
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

TEST(Correlation, InputsHashedOrNotGiveTheSameAlerts) {
  // make_correlation_input hashes the group key and value on the worker; inputs built by
  // hand (watch, chained correlations) are hashed by the Correlator: both must agree
  auto built = build_with(
      "title: spraying\ncorrelation:\n  type: value_count\n  rules: [failed]\n  "
      "group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {field: user, gte: 3}\n");
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
      in.base.rule = e.correlations()[0].feeders[0];
      in.base.time_ms = in.time_ms;
      in.base.has_time = true;
      in.base.record = static_cast<uint64_t>(i);
      in.base.event = "{\"n\":" + std::to_string(i) + "}";
      in.base.ends.fill(0);
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
  auto run = [](const std::string& timespan, int n, int64_t step_ms, const std::function<std::string(int)>& value) {
    auto built = build_with(
        "title: spraying\ncorrelation:\n  type: value_count\n  rules: [failed]\n  "
        "group-by: [sourceIPAddress]\n  timespan: " +
        timespan + "\n  condition: {field: user, gte: 5}\n");
    std::vector<Alert> out;
    if (!built.ok()) return out;
    const Engine& e = built.value();
    Correlator corr(e, 20);
    for (int i = 0; i < n; ++i) {
      CorrelationInput in;
      in.time_ms = 1'000'000 + i * step_ms;
      in.add_group_value("1.1.1.1");
      in.set_value(value(i));
      in.base.rule = e.correlations()[0].feeders[0];
      in.base.time_ms = in.time_ms;
      in.base.has_time = true;
      in.base.ends.fill(0);
      corr.add(std::move(in), out);
    }
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
          EXPECT_TRUE(in.base.context.empty() && in.base.event.empty());
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
  EXPECT_EQ(n.event, a.event);
  EXPECT_EQ(n.field(MatchedEvent::kEventSource), a.event_source);
  EXPECT_EQ(m.event_text(), "");
  auto c = testing::compile(testing::rule_doc("  s: {x: 1}\n  condition: s\n"));
  ASSERT_TRUE(c->engine);
  EXPECT_EQ(alert_json(n.to_alert(*c->engine)), alert_json(MatchedEvent::from_alert(a).to_alert(*c->engine)));
}

}  // namespace
}  // namespace sekimori::detect
