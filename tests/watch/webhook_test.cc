// WebhookSender and `sekimori watch --action webhook:URL` against a real cpp-httplib
// server on 127.0.0.1 (no mocks): retries, the spool while the endpoint is down, order,
// exactly-once after acknowledgement, restart, rejection, and the CLI end to end.
#include "detect/webhook.h"

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sekimori::detect {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// An HTTP endpoint in a thread: answers `status` (503 while "down"), records what it
// accepted with 2xx, in arrival order.
class Endpoint {
 public:
  Endpoint() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      content_types_.push_back(req.get_header_value("Content-Type"));
      keys_.push_back(req.get_header_value("Idempotency-Key"));
      extra_.push_back(req.get_header_value("Authorization") + "|" + req.get_header_value("X-Api-Key") + "|" +
                       req.get_header_value("User-Agent"));
      int s = status_;
      if (req.body.find("\"poison\"") != std::string::npos) s = 400;
      res.status = s;
      if (s >= 200 && s < 300) bodies_.push_back(req.body);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens (connections made before the accept loop starts wait in
    // its backlog), but Server::stop() does nothing until the loop has started: an
    // Endpoint destroyed before that (a test that sends nothing) would wait forever in
    // join(). So wait for the loop.
    // (Bounded: a loop that ended at once, on a failed bind, never shows as running.)
    for (int i = 0; i < 10000 && port_ > 0 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  ~Endpoint() {
    server_.stop();
    thread_.join();
  }
  void set_status(int s) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = s;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> keys() {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_types_;
  }
  // "Authorization|X-Api-Key|User-Agent" of every request
  std::vector<std::string> extra_headers() {
    std::lock_guard<std::mutex> lock(mu_);
    return extra_;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int status_ = 200;
  int requests_ = 0;
  std::vector<std::string> bodies_, keys_, content_types_, extra_;
};

// The directories the tests made, removed when the test program exits (the senders that
// write into them are gone by then).
struct MadeDirs {
  std::vector<fs::path> paths;
  ~MadeDirs() {
    std::error_code ec;
    for (const fs::path& p : paths) fs::remove_all(p, ec);
  }
};

std::string temp_dir(const std::string& name) {
  static MadeDirs made;
  fs::path p = fs::temp_directory_path() / ("skm-webhook-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  made.paths.push_back(p);
  return p.string();
}

WebhookOptions fast(const std::string& url, const std::string& spool) {
  WebhookOptions o;
  o.url = url;
  o.spool_dir = spool;
  o.attempts_per_round = 3;
  o.initial_backoff = milliseconds(10);
  o.max_backoff = milliseconds(40);
  o.round_pause = milliseconds(50);
  o.timeout = milliseconds(2000);
  return o;
}

size_t spooled_files(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") ++n;
  }
  return n;
}

std::string alert(int i) { return "{\"alert\":" + std::to_string(i) + "}"; }

// Polls `cond` until true or 20 s passed (the condition, not the time, is asserted).
template <typename F>
bool eventually(F cond) {
  for (int i = 0; i < 2000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return cond();
}

TEST(WebhookUrlTest, ParsesHostPortPath) {
  auto u = parse_webhook_url("http://127.0.0.1:8080/a/b?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/a/b?x=1");
  auto d = parse_webhook_url("https://hooks.example.com");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 443);
  EXPECT_EQ(d->path, "/");
  auto v6 = parse_webhook_url("http://[::1]:9000/h");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
}

TEST(WebhookUrlTest, RefusesBadUrls) {
  for (const char* bad : {"ftp://x/", "127.0.0.1:80", "http://", "http://:80/", "http://h:0/", "http://h:99999/",
                          "http://h:12a/", "http://user:pw@h/", "http://[::1/"}) {
    auto u = parse_webhook_url(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.error().code, "webhook.url") << bad;
    }
  }
}

TEST(WebhookTest, DeliversInOrderWithContentTypeAndKeys) {
  Endpoint ep;
  std::string spool = temp_dir("order");
  auto s = WebhookSender::open(fast(ep.url(), spool));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*s)->submit(alert(i)));
  ASSERT_TRUE((*s)->wait_idle(milliseconds(20000)));
  std::vector<std::string> got = ep.bodies();
  ASSERT_EQ(got.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], alert(i));
  for (const std::string& ct : ep.content_types()) EXPECT_EQ(ct, "application/json");
  std::vector<std::string> keys = ep.keys();
  EXPECT_NE(keys.front(), keys.back());
  EXPECT_EQ(spooled_files(spool), 0u);
  EXPECT_EQ((*s)->stats().delivered, 20u);
  EXPECT_EQ((*s)->stats().pending, 0u);
}

TEST(WebhookTest, SpoolsWhileDownThenDeliversAllInOrderExactlyOnce) {
  Endpoint ep;
  ep.set_status(503);
  std::string spool = temp_dir("down");
  auto s = WebhookSender::open(fast(ep.url(), spool));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->submit(alert(i)));
  // a whole round of retries fails: the alerts are on disk, none accepted
  ASSERT_TRUE(eventually([&] { return (*s)->stats().rounds_failed >= 2; }));
  EXPECT_GE(ep.requests(), 6);
  EXPECT_EQ(spooled_files(spool), 5u);
  EXPECT_TRUE(ep.bodies().empty());
  for (int i = 5; i < 8; ++i) ASSERT_TRUE((*s)->submit(alert(i)));  // fired while down
  EXPECT_EQ(spooled_files(spool), 8u);
  ep.set_status(200);
  ASSERT_TRUE(eventually([&] { return (*s)->stats().pending == 0; }));
  std::vector<std::string> got = ep.bodies();
  ASSERT_EQ(got.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], alert(i));
  EXPECT_EQ(spooled_files(spool), 0u);
  EXPECT_EQ((*s)->stats().delivered, 8u);
}

TEST(WebhookTest, RestartedSenderDeliversWhatThePreviousOneSpooled) {
  Endpoint ep;
  ep.set_status(503);
  std::string spool = temp_dir("restart");
  std::string first_key;
  {
    auto s = WebhookSender::open(fast(ep.url(), spool));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*s)->submit(alert(i)));
    EXPECT_FALSE((*s)->wait_idle(milliseconds(5000)));  // a round failed
  }  // watch stopped: nothing delivered, everything kept
  EXPECT_EQ(spooled_files(spool), 4u);
  EXPECT_TRUE(ep.bodies().empty());
  // a write that never finished (a crash mid-alert) is not an alert
  std::ofstream(spool + "/.tmp-00000000000000000099.json") << "{\"half";
  ep.set_status(200);
  auto s2 = WebhookSender::open(fast(ep.url(), spool));
  ASSERT_TRUE(s2.ok()) << s2.error().to_string();
  EXPECT_EQ((*s2)->stats().pending, 4u);
  ASSERT_TRUE((*s2)->submit(alert(4)));  // numbered after the old ones
  ASSERT_TRUE((*s2)->wait_idle(milliseconds(20000)));
  std::vector<std::string> got = ep.bodies();
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], alert(i));
  EXPECT_FALSE(fs::exists(spool + "/.tmp-00000000000000000099.json"));
  // the same spool keeps its id, so receivers can deduplicate a resend after a crash
  std::vector<std::string> keys = ep.keys();
  std::string prefix = keys.front().substr(0, keys.front().rfind('-'));
  for (const std::string& k : keys) EXPECT_EQ(k.rfind(prefix, 0), 0u) << k;
}

TEST(WebhookTest, PermanentRejectionIsKeptAsideAndTheRestFlows) {
  Endpoint ep;
  std::string spool = temp_dir("reject");
  std::vector<std::string> warnings;
  std::mutex wmu;
  WebhookOptions o = fast(ep.url(), spool);
  o.warn = [&](const std::string& m) {
    std::lock_guard<std::mutex> lock(wmu);
    warnings.push_back(m);
  };
  auto s = WebhookSender::open(o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->submit(alert(1)));
  ASSERT_TRUE((*s)->submit("{\"poison\":1}"));
  ASSERT_TRUE((*s)->submit(alert(2)));
  ASSERT_TRUE((*s)->wait_idle(milliseconds(20000)));
  EXPECT_EQ(ep.bodies(), (std::vector<std::string>{alert(1), alert(2)}));
  EXPECT_EQ((*s)->stats().rejected, 1u);
  EXPECT_EQ(spooled_files(spool + "/rejected"), 1u);
  std::lock_guard<std::mutex> lock(wmu);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HTTP 400"), std::string::npos);
}

TEST(WebhookTest, OneSenderPerSpool) {
  Endpoint ep;
  std::string spool = temp_dir("lock");
  auto a = WebhookSender::open(fast(ep.url(), spool));
  ASSERT_TRUE(a.ok());
  auto b = WebhookSender::open(fast(ep.url(), spool));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "webhook.spool.locked");
}

TEST(WebhookTest, UnwritableSpoolIsAnError) {
  std::string dir = temp_dir("file");
  std::ofstream(dir + "/not-a-dir") << "x";
  auto s = WebhookSender::open(fast("http://127.0.0.1:1/h", dir + "/not-a-dir/spool"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "webhook.spool");
}

TEST(WebhookHeaderTest, ParsesAndChecksHeaders) {
  auto h = parse_webhook_header("Authorization:  Bearer abc.def ");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->first, "Authorization");
  EXPECT_EQ(h->second, "Bearer abc.def");
  EXPECT_TRUE(parse_webhook_header("X-Empty:").ok());
  for (const char* bad : {"NoColon", ": v", "Bad Name: v", "X-A\r\nInjected: v", "Content-Type: text/plain",
                          "host: x", "Idempotency-Key: 1"}) {
    auto r = parse_webhook_header(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "webhook.header") << bad;
  }
  EXPECT_FALSE(check_webhook_header("X-A", "a\nb").ok());
  WebhookOptions o = fast("http://127.0.0.1:1/h", temp_dir("badheader"));
  o.headers = {{"X-A", "line\nbreak"}};
  auto s = WebhookSender::open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "webhook.header");
}

TEST(WebhookTest, SendsExtraHeaders) {
  Endpoint ep;
  WebhookOptions o = fast(ep.url(), temp_dir("headers"));
  o.headers = {{"Authorization", "Bearer s3cret"}, {"X-Api-Key", "k1"}, {"User-Agent", "custom/1"}};
  auto s = WebhookSender::open(o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  (*s)->submit(alert(1));
  ASSERT_TRUE((*s)->wait_idle(milliseconds(20000)));
  EXPECT_EQ(ep.extra_headers(), (std::vector<std::string>{"Bearer s3cret|k1|custom/1"}));
}

// `sekimori watch --once --action webhook:URL` over CloudTrail events from the bundled
// detections posts the alerts `sekimori detect` finds, each exactly as the jsonl action
// writes it; run again with the endpoint down first, the next run delivers the spool.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> v;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

TEST(WatchWebhookCliTest, PostsTheAlertsOfACloudTrailFile) {
  std::string dir = temp_dir("cli");
  std::string input = dir + "/trail.jsonl";
  {
    std::ofstream out(input);
    for (const char* name : {"cloudtrail_stopped", "console_login_without_mfa", "access_key_for_other_user"}) {
      std::ifstream in(std::string(SKM_SOURCE_DIR) + "/detections/aws/" + name + ".match.jsonl");
      out << in.rdbuf();
    }
  }
  std::string exe = SKM_SEKIMORI_EXE;
  std::string rules = std::string(SKM_SOURCE_DIR) + "/detections/aws";
  std::string expected = run(exe + " detect --no-builtin-rules -r " + rules + " --format json " + input + " 2>/dev/null");
  size_t expected_alerts = 0;
  for (size_t p = 0; (p = expected.find("\"rule\":{\"id\":", p)) != std::string::npos; ++p) ++expected_alerts;
  ASSERT_GE(expected_alerts, 3u);

  Endpoint ep;
  std::string watch = exe + " watch --once -r " + rules + " -i " + input + " --spool " + dir + "/spool -a jsonl:" +
                      dir + "/alerts.jsonl -a webhook:" + ep.url() + " 2>&1";
  run(watch);
  std::vector<std::string> written = lines(dir + "/alerts.jsonl");
  EXPECT_EQ(written.size(), expected_alerts);
  EXPECT_EQ(ep.bodies(), written);  // same JSON, same order, each once
  EXPECT_EQ(spooled_files(dir + "/spool"), 0u);
  for (const char* title : {"CloudTrail", "MFA", "Access Key"}) {
    bool seen = false;
    for (const std::string& b : ep.bodies()) seen = seen || b.find(title) != std::string::npos;
    EXPECT_TRUE(seen) << title;
  }

  // endpoint down: the alerts wait in the spool; the next run (endpoint up) sends them
  // before its own, which it then also sends
  ep.set_status(503);
  std::string down = run("SEKIMORI_SPOOL=" + dir + "/spool2 " + exe + " watch --once -r " + rules + " -i " + input +
                         " -a webhook:" + ep.url() + " 2>&1");
  EXPECT_NE(down.find("kept in"), std::string::npos) << down;
  EXPECT_EQ(spooled_files(dir + "/spool2"), expected_alerts);
  size_t before = ep.bodies().size();
  ep.set_status(200);
  run("SEKIMORI_SPOOL=" + dir + "/spool2 " + exe + " watch --once -r " + rules + " -i " + input + " -a webhook:" +
      ep.url() + " 2>&1");
  std::vector<std::string> got = ep.bodies();
  ASSERT_EQ(got.size(), before + 2 * expected_alerts);
  for (size_t i = 0; i < expected_alerts; ++i) {
    EXPECT_EQ(got[before + i], written[i]);                    // the spooled run's alerts first
    EXPECT_EQ(got[before + expected_alerts + i], written[i]);  // then this run's
  }
  EXPECT_EQ(spooled_files(dir + "/spool2"), 0u);
}

TEST(WatchWebhookCliTest, HeaderRetryAndTimeoutSwitches) {
  std::string dir = temp_dir("cli-switches");
  std::string input = dir + "/trail.jsonl";
  {
    std::ofstream out(input);
    std::ifstream in(std::string(SKM_SOURCE_DIR) + "/detections/aws/cloudtrail_stopped.match.jsonl");
    out << in.rdbuf();
  }
  std::string exe = SKM_SEKIMORI_EXE;
  std::string rules = std::string(SKM_SOURCE_DIR) + "/detections/aws/cloudtrail_stopped.yml";
  Endpoint ep;
  std::string base = exe + " watch --once -r " + rules + " -i " + input + " -a webhook:" + ep.url();
  std::string out = run("SKM_TEST_API_KEY=k-from-env " + base + " --spool " + dir + "/spool" +
                        " --webhook-header 'Authorization: Bearer t0ken' --webhook-header-env X-Api-Key=SKM_TEST_API_KEY"
                        " --webhook-retries 2 --webhook-backoff-ms 5 --webhook-timeout-ms 3000 2>&1");
  ASSERT_FALSE(ep.extra_headers().empty()) << out;
  for (const std::string& h : ep.extra_headers()) EXPECT_EQ(h, "Bearer t0ken|k-from-env|sekimori-watch");

  // retries: with the endpoint down, one round of 2 attempts per alert, then the spool
  ep.set_status(503);
  int before = ep.requests();
  std::string down = run(base + " --spool " + dir + "/spool2 --webhook-retries 2 --webhook-backoff-ms 1 2>&1");
  EXPECT_NE(down.find("kept in"), std::string::npos) << down;
  EXPECT_GE(ep.requests() - before, 2);
  EXPECT_EQ((ep.requests() - before) % 2, 0);

  // bad switches are usage errors before anything runs
  EXPECT_NE(run(base + " --spool " + dir + "/s3 --webhook-header 'NoColon' 2>&1").find("not 'Name: value'"),
            std::string::npos);
  EXPECT_NE(run("env -u SKM_UNSET_VAR " + base + " --spool " + dir + "/s3 --webhook-header-env X-K=SKM_UNSET_VAR 2>&1")
                .find("is not set"),
            std::string::npos);
  EXPECT_NE(run(base + " --spool " + dir + "/s3 --webhook-retries 0 2>&1").find("at least 1"), std::string::npos);
}

}  // namespace
}  // namespace sekimori::detect
