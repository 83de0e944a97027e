// sekimori::detect::WebhookSender — delivers alerts to an HTTP(S) endpoint for
// `sekimori watch --action webhook:URL`, in order, with retries, through a disk spool.
//
// Delivery is write-ahead: submit() writes the alert to the spool directory as one file
// (`<sequence>.json`, written to a temporary name, fsync'd and renamed, so a crash never
// leaves half an alert) and hands its sequence number to a worker thread. The worker
// POSTs the oldest spooled alert (Content-Type: application/json, an Idempotency-Key
// header `<spool id>-<sequence>`), and removes its file once the endpoint answers 2xx.
// Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff
// (initial_backoff, doubled, capped at max_backoff; attempts_per_round tries); after a
// failed round the alert stays spooled and the worker tries again after round_pause, so
// alerts fired while the endpoint is down wait on disk and leave in order when it
// answers again. Other answers (3xx, 4xx) are permanent: the alert is moved to
// `rejected/` in the spool, reported through `warn`, and the next one goes.
// A new sender on the same spool (a restarted `watch`) delivers what the last one left.
//
// Semantics: at-least-once. An alert is removed only after a 2xx, so none is lost; one
// whose 2xx arrived but whose file could not yet be removed (a crash in between) is sent
// again after a restart, with the same Idempotency-Key for receivers that deduplicate.
//
//   detect::WebhookOptions opt;
//   opt.url = "http://127.0.0.1:8080/alerts";
//   opt.spool_dir = ".sekimori/spool";
//   auto sender = detect::WebhookSender::open(opt);   // core::Result
//   if (sender.ok()) (*sender)->submit(alert_json);     // returns after the spool write
//
// Memory: the in-memory queue holds sequence numbers only (8 bytes an alert); bodies
// stay on disk until sent, so an endpoint down for days costs disk, not memory.
//
// Thread-safety: submit(), wait_idle() and stats() may be called from any thread. `warn`
// is called from the worker thread (and from submit() when the spool cannot be written). One sender per spool directory at a time (an
// exclusive lock on `<spool>/.lock`; a second open fails). Library code: nothing printed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"

namespace sekimori::detect {

struct WebhookUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string path;    // starts with '/', query included
};

// Parses http://host[:port][/path][?query] and https://...; userinfo is refused.
[[nodiscard]] core::Result<WebhookUrl> parse_webhook_url(const std::string& url);

// Parses "Name: value" (as given to `watch --webhook-header`) and checks it as
// WebhookOptions::headers requires; the value is trimmed of surrounding blanks.
[[nodiscard]] core::Result<std::pair<std::string, std::string>> parse_webhook_header(const std::string& text);
// Checks one header name and value (`webhook.header` errors).
[[nodiscard]] core::Status check_webhook_header(const std::string& name, const std::string& value);

struct WebhookOptions {
  std::string url;
  std::string spool_dir;
  int attempts_per_round = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::milliseconds round_pause{30000};
  std::chrono::milliseconds timeout{10000};  // connect, read and write, each
  // Extra request headers (authentication): names are HTTP tokens, values have no CR,
  // LF or NUL (checked by open(), `webhook.header`); they cannot replace Content-Type,
  // Content-Length, Host or Idempotency-Key.
  std::vector<std::pair<std::string, std::string>> headers;
  std::function<void(const std::string&)> warn;  // problems worth telling the user
};

struct WebhookStats {
  uint64_t delivered = 0;
  uint64_t attempts_failed = 0;  // requests that did not get a 2xx
  uint64_t rounds_failed = 0;
  uint64_t rejected = 0;         // moved to rejected/
  uint64_t spool_errors = 0;     // alerts that could not be written to the spool
  uint64_t pending = 0;          // spooled, not yet delivered
};

class WebhookSender {
 public:
  // Validates the URL, creates the spool (and `rejected/`), takes its lock, finds the
  // alerts a previous sender left, and starts the worker.
  [[nodiscard]] static core::Result<std::unique_ptr<WebhookSender>> open(WebhookOptions options);
  ~WebhookSender();  // stops the worker; what is undelivered stays in the spool
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Spools `json` and queues it for delivery; false (and spool_errors counted) when the
  // spool cannot be written.
  bool submit(const std::string& json);

  // Waits until nothing is pending (true), or a delivery round failed after the call
  // began, or `max` passed (false). Used by `watch --once` before it exits.
  bool wait_idle(std::chrono::milliseconds max);

  [[nodiscard]] WebhookStats stats() const;
  [[nodiscard]] const std::string& spool_dir() const { return spool_dir_; }

 private:
  WebhookSender(WebhookOptions options, WebhookUrl url);
  void run();
  // One POST: 0 delivered, 1 retry, 2 permanent rejection; `why` describes a failure.
  int post(const std::string& body, uint64_t seq, std::string& why);
  bool sleep_for(std::chrono::milliseconds d);  // false when stopping
  [[nodiscard]] std::string file_for(uint64_t seq) const;
  void warn(const std::string& message);

  WebhookOptions options_;
  WebhookUrl url_;
  std::string spool_dir_;
  std::string spool_id_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable wake_;   // worker: new alert or stop
  std::condition_variable idle_;   // wait_idle: progress
  std::deque<uint64_t> queue_;     // spooled sequences, oldest first
  uint64_t next_seq_ = 1;
  bool stop_ = false;
  WebhookStats stats_;
  std::thread worker_;
};

}  // namespace sekimori::detect
