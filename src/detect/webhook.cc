#include "detect/webhook.h"

#include <fcntl.h>
#include <httplib.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace sekimori::detect {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSeqDigits = 20;  // zero-padded, so names sort as numbers

core::Error spool_error(const std::string& what, const std::string& path) {
  return core::make_error("webhook.spool", what + " " + path + ": " + std::strerror(errno));
}

// Writes `data` to `path` atomically: a temporary file in the same directory, fsync'd,
// then renamed over the final name.
bool write_atomic(const std::string& dir, const std::string& name, const std::string& data) {
  std::string tmp = dir + "/.tmp-" + name;
  std::string final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

// "00000000000000000042.json" -> 42; 0 for anything else.
uint64_t seq_of(const std::string& name) {
  if (name.size() != kSeqDigits + 5 || name.compare(kSeqDigits, 5, ".json") != 0) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < kSeqDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

}  // namespace

core::Result<WebhookUrl> parse_webhook_url(const std::string& url) {
  WebhookUrl u;
  size_t rest;
  if (url.rfind("http://", 0) == 0) {
    u.scheme = "http";
    u.port = 80;
    rest = 7;
  } else if (url.rfind("https://", 0) == 0) {
    u.scheme = "https";
    u.port = 443;
    rest = 8;
  } else {
    return core::make_error("webhook.url", "the webhook URL must start with http:// or https:// ('" + url + "')");
  }
  size_t slash = url.find_first_of("/?#", rest);
  std::string authority = url.substr(rest, slash == std::string::npos ? std::string::npos : slash - rest);
  u.path = slash == std::string::npos ? "/" : url.substr(slash);
  if (size_t hash = u.path.find('#'); hash != std::string::npos) u.path.resize(hash);
  if (u.path.empty() || u.path[0] != '/') u.path.insert(0, "/");
  if (authority.find('@') != std::string::npos) {
    return core::make_error("webhook.url", "credentials in the webhook URL are not supported ('" + url + "')");
  }
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) return core::make_error("webhook.url", "unterminated IPv6 address in '" + url + "'");
    u.host = authority.substr(1, close - 1);
    authority.erase(0, close + 1);
    if (!authority.empty() && authority[0] != ':') return core::make_error("webhook.url", "bad host in '" + url + "'");
  } else {
    size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    authority = colon == std::string::npos ? "" : authority.substr(colon);
  }
  if (u.host.empty()) return core::make_error("webhook.url", "the webhook URL has no host ('" + url + "')");
  if (!authority.empty()) {  // ":port"
    std::string p = authority.substr(1);
    if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return core::make_error("webhook.url", "bad port in '" + url + "'");
    }
    u.port = std::stoi(p);
    if (u.port < 1 || u.port > 65535) return core::make_error("webhook.url", "bad port in '" + url + "'");
  }
  return u;
}

WebhookSender::WebhookSender(WebhookOptions options, WebhookUrl url)
    : options_(std::move(options)), url_(std::move(url)), spool_dir_(options_.spool_dir) {}

core::Status check_webhook_header(const std::string& name, const std::string& value) {
  static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  if (name.empty()) return core::make_error("webhook.header", "empty header name");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              kTokenPunct.find(c) != std::string_view::npos;
    if (!ok) return core::make_error("webhook.header", "header name '" + name + "' is not an HTTP token");
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return core::make_error("webhook.header", "the value of header " + name + " contains CR, LF or NUL");
    }
  }
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "content-type" || lower == "content-length" || lower == "host" || lower == "idempotency-key" ||
      lower == "transfer-encoding") {
    return core::make_error("webhook.header", "header " + name + " is set by sekimori and cannot be replaced");
  }
  return {};
}

core::Result<std::pair<std::string, std::string>> parse_webhook_header(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) {
    return core::make_error("webhook.header", "header '" + text + "' is not 'Name: value'");
  }
  std::string name = text.substr(0, colon);
  std::string value = text.substr(colon + 1);
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.erase(value.begin());
  while (!value.empty() && blank(value.back())) value.pop_back();
  SKM_TRY(check_webhook_header(name, value));
  return std::make_pair(std::move(name), std::move(value));
}

core::Result<std::unique_ptr<WebhookSender>> WebhookSender::open(WebhookOptions options) {
  SKM_TRY_ASSIGN(WebhookUrl url, parse_webhook_url(options.url));
  for (const auto& [name, value] : options.headers) SKM_TRY(check_webhook_header(name, value));
  if (options.spool_dir.empty()) return core::make_error("webhook.spool", "no spool directory");
  if (options.attempts_per_round < 1) options.attempts_per_round = 1;
  std::unique_ptr<WebhookSender> s(new WebhookSender(std::move(options), std::move(url)));
  std::error_code ec;
  fs::create_directories(s->spool_dir_ + "/rejected", ec);
  if (ec) {
    return core::make_error("webhook.spool", "cannot create the spool " + s->spool_dir_ + ": " + ec.message());
  }
  std::string lock = s->spool_dir_ + "/.lock";
  s->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd_ < 0) return spool_error("cannot open", lock);
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return core::make_error("webhook.spool.locked",
                            "the spool " + s->spool_dir_ + " is in use by another sekimori process");
  }
  std::string id_path = s->spool_dir_ + "/.id";
  if (!read_file(id_path, s->spool_id_) || s->spool_id_.empty()) {
    s->spool_id_ = random_id();
    if (!write_atomic(s->spool_dir_, ".id", s->spool_id_)) return spool_error("cannot write", id_path);
  }
  while (!s->spool_id_.empty() && (s->spool_id_.back() == '\n' || s->spool_id_.back() == '\r')) s->spool_id_.pop_back();

  // What a previous sender left: complete alerts are delivered first, in order;
  // temporary files are alerts whose write never finished, so they were never queued.
  std::vector<uint64_t> found;
  for (fs::directory_iterator it(s->spool_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& e = *it;
    std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) {
      fs::remove(e.path(), ec);
    } else if (uint64_t seq = seq_of(name); seq != 0 && e.is_regular_file(ec)) {
      found.push_back(seq);
    }
  }
  if (ec) return core::make_error("webhook.spool", "cannot list the spool " + s->spool_dir_ + ": " + ec.message());
  std::sort(found.begin(), found.end());
  s->queue_.assign(found.begin(), found.end());
  s->next_seq_ = found.empty() ? 1 : found.back() + 1;
  s->stats_.pending = found.size();
  s->worker_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string WebhookSender::file_for(uint64_t seq) const {
  std::string digits = std::to_string(seq);
  return std::string(kSeqDigits - std::min(kSeqDigits, digits.size()), '0') + digits + ".json";
}

bool WebhookSender::submit(const std::string& json) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t seq = next_seq_++;
  // The write happens under the lock so that sequence order is spool order; an alert
  // is a few KB and alerts are rare next to records, so this does not hold up the reader.
  if (!write_atomic(spool_dir_, file_for(seq), json)) {
    ++stats_.spool_errors;
    lock.unlock();
    warn("cannot write an alert to the spool " + spool_dir_ + ": " + std::strerror(errno) + " (alert dropped)");
    return false;
  }
  queue_.push_back(seq);
  ++stats_.pending;
  lock.unlock();
  wake_.notify_all();
  return true;
}

bool WebhookSender::wait_idle(std::chrono::milliseconds max) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t rounds = stats_.rounds_failed;
  return idle_.wait_for(lock, max, [&] { return queue_.empty() || stats_.rounds_failed != rounds; }) &&
         queue_.empty();
}

WebhookStats WebhookSender::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void WebhookSender::warn(const std::string& message) {
  if (options_.warn) options_.warn(message);
}

bool WebhookSender::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !wake_.wait_for(lock, d, [&] { return stop_; });
}

int WebhookSender::post(const std::string& body, uint64_t seq, std::string& why) {
  std::string base = url_.scheme + "://" + (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                     ":" + std::to_string(url_.port);
  httplib::Client client(base);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  httplib::Headers headers{{"Idempotency-Key", spool_id_ + "-" + std::to_string(seq)}};
  bool agent = false;
  for (const auto& [name, value] : options_.headers) {
    headers.emplace(name, value);
    agent = agent || (name.size() == 10 && ::strncasecmp(name.c_str(), "user-agent", 10) == 0);
  }
  if (!agent) headers.emplace("User-Agent", "sekimori-watch");
  httplib::Result res = client.Post(url_.path, headers, body, "application/json");
  if (!res) {
    why = httplib::to_string(res.error());
    return 1;
  }
  int status = res->status;
  if (status >= 200 && status < 300) return 0;
  why = "HTTP " + std::to_string(status);
  if (status == 408 || status == 429 || status >= 500) return 1;
  return 2;
}

void WebhookSender::run() {
  for (;;) {
    uint64_t seq = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      seq = queue_.front();
    }
    std::string name = file_for(seq);
    std::string path = spool_dir_ + "/" + name;
    std::string body;
    if (!read_file(path, body)) {
      // removed by hand while queued: nothing to send
      warn("spooled alert " + path + " disappeared; skipped");
      std::lock_guard<std::mutex> lock(mu_);
      queue_.pop_front();
      --stats_.pending;
      idle_.notify_all();
      continue;
    }
    std::chrono::milliseconds backoff = options_.initial_backoff;
    int outcome = 1;
    std::string why;
    for (int attempt = 0; attempt < options_.attempts_per_round; ++attempt) {
      if (attempt > 0) {
        if (!sleep_for(backoff)) return;
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
      outcome = post(body, seq, why);
      if (outcome != 1) break;
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.attempts_failed;
      if (stop_) return;
    }
    if (outcome == 1) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.rounds_failed;
        idle_.notify_all();
      }
      warn("webhook " + options_.url + " unavailable (" + why + "); " + std::to_string(stats().pending) +
           " alert(s) spooled in " + spool_dir_ + ", retrying");
      if (!sleep_for(options_.round_pause)) return;
      continue;
    }
    std::error_code ec;
    if (outcome == 0) {
      fs::remove(path, ec);
    } else {
      fs::rename(path, spool_dir_ + "/rejected/" + name, ec);
      warn("webhook " + options_.url + " refused alert " + name + " (" + why + "); kept in " + spool_dir_ +
           "/rejected");
    }
    if (ec) {
      // it stays on disk and would be sent again after a restart (at-least-once)
      warn("cannot remove " + path + ": " + ec.message());
    }
    std::lock_guard<std::mutex> lock(mu_);
    queue_.pop_front();
    --stats_.pending;
    if (outcome == 0) ++stats_.delivered;
    else ++stats_.rejected;
    idle_.notify_all();
  }
}

}  // namespace sekimori::detect
