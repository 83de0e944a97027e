// How fast does `detect` run Sigma rules over CloudTrail, compared with only parsing the
// same JSON with simdjson (DOM and On-Demand), on 1 and 2 threads, with alerts discarded
// (null sink) and rendered as `detect --format json` does; and for gzip input,
// compared with only decompressing it with libdeflate? Issue 5 targets: detect >= 40 % of
// parse-only throughput, flat memory, linear speed-up on 2 threads. Each row gives wall-clock
// MB/s and, as the shared development machine's load moves wall time, MB per CPU-second
// ("per core") with its own ratio to parse-only; the JSON rows include one with every file
// parsed as one document (ReaderLimits::by_record_bytes off) for comparison.
//
//   detect_bench gen /tmp/ct 1024            # ~1 GiB of CloudTrail files (+ a .gz copy)
//   detect_bench run --rules RULES_DIR /tmp/ct/plain [--gz /tmp/ct/gz]
//   detect_bench run --rules RULES_DIR --only "no prefilter" --threads 1 /tmp/ct/plain  # one row
//   detect_bench run --rules RULES_DIR --pairs 7 /tmp/ct/plain  # the ratio from adjacent runs
//
// The generator writes S3-delivery-like files ({"Records":[...]}, ~4 MiB each) with a mix
// of event types and sizes like a real account: mostly read-only Describe/List/Get calls by
// roles, S3 data events, STS, console logins, errors (AccessDenied), and rare
// security-relevant changes. Prints a table.
#include <libdeflate.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "detect/alert.h"
#include "detect/engine.h"
#include "detect/hunt.h"
#include "detect/sigma.h"
#include "detect/source.h"

namespace fs = std::filesystem;
using namespace sekimori;

namespace {

struct EventKind {
  const char* source;
  const char* name;
  int weight;
  bool read_only;
};

// Roughly the shape of a busy production account's management + data events.
const EventKind kKinds[] = {
    {"ec2.amazonaws.com", "DescribeInstances", 120, true},
    {"ec2.amazonaws.com", "DescribeSecurityGroups", 40, true},
    {"ec2.amazonaws.com", "DescribeVolumes", 30, true},
    {"s3.amazonaws.com", "GetObject", 200, true},
    {"s3.amazonaws.com", "PutObject", 60, false},
    {"s3.amazonaws.com", "ListBucket", 40, true},
    {"sts.amazonaws.com", "AssumeRole", 80, true},
    {"sts.amazonaws.com", "GetCallerIdentity", 20, true},
    {"kms.amazonaws.com", "Decrypt", 90, true},
    {"kms.amazonaws.com", "GenerateDataKey", 40, true},
    {"logs.amazonaws.com", "PutLogEvents", 60, false},
    {"lambda.amazonaws.com", "Invoke", 40, false},
    {"dynamodb.amazonaws.com", "GetItem", 50, true},
    {"iam.amazonaws.com", "ListRoles", 10, true},
    {"iam.amazonaws.com", "GetRole", 10, true},
    {"signin.amazonaws.com", "ConsoleLogin", 3, false},
    {"ssm.amazonaws.com", "GetParameter", 20, true},
    {"secretsmanager.amazonaws.com", "GetSecretValue", 10, true},
    {"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", 1, false},
    {"iam.amazonaws.com", "CreateAccessKey", 1, false},
    {"cloudtrail.amazonaws.com", "StopLogging", 1, false},
    {"ec2.amazonaws.com", "ModifyInstanceAttribute", 1, false},
    {"iam.amazonaws.com", "AttachUserPolicy", 1, false},
    {"guardduty.amazonaws.com", "UpdateDetector", 1, false},
};

std::string event(std::mt19937_64& rng, int64_t t) {
  int total = 0;
  for (const EventKind& k : kKinds) total += k.weight;
  int pick = static_cast<int>(rng() % static_cast<uint64_t>(total));
  const EventKind* k = &kKinds[0];
  for (const EventKind& c : kKinds) {
    if (pick < c.weight) {
      k = &c;
      break;
    }
    pick -= c.weight;
  }
  char ts[32];
  time_t secs = t;
  struct tm tmv;
  gmtime_r(&secs, &tmv);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  unsigned acct = 100000000 + static_cast<unsigned>(rng() % 5);
  bool role = rng() % 10 < 8;
  bool denied = rng() % 50 == 0;
  std::string ip = std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) + "." +
                   std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
  std::string user = "user" + std::to_string(rng() % 40);
  std::string region = std::vector<std::string>{"us-east-1", "eu-west-1", "ap-northeast-1"}[rng() % 3];
  std::string id = std::to_string(rng());
  std::string ident =
      role ? R"({"type":"AssumedRole","principalId":"AROA)" + id.substr(0, 8) + ":" + user +
                 R"(","arn":"arn:aws:sts::)" + std::to_string(acct) + ":assumed-role/app-role-" +
                 std::to_string(rng() % 12) + "/" + user + R"(","accountId":")" + std::to_string(acct) +
                 R"(","accessKeyId":"ASIA)" + id.substr(0, 12) +
                 R"(","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::)" +
                 std::to_string(acct) + R"(:role/app-role","accountId":")" + std::to_string(acct) +
                 R"(","userName":"app-role"},"webIdFederationData":{},"attributes":{"creationDate":")" + ts +
                 R"(","mfaAuthenticated":"false"}}})"
           : R"({"type":"IAMUser","principalId":"AIDA)" + id.substr(0, 10) + R"(","arn":"arn:aws:iam::)" +
                 std::to_string(acct) + ":user/" + user + R"(","accountId":")" + std::to_string(acct) +
                 R"(","accessKeyId":"AKIA)" + id.substr(0, 12) + R"(","userName":")" + user + R"("})";
  std::string params;
  std::string resp = "null";
  std::string name = k->name;
  if (name == "DescribeInstances") {
    params = R"({"instancesSet":{"items":[)";
    int n = static_cast<int>(rng() % 6 + 1);
    for (int i = 0; i < n; ++i) params += std::string(i ? "," : "") + R"({"instanceId":"i-0)" + std::to_string(rng() % 100000000) + R"("})";
    params += R"(]},"filterSet":{}})";
  } else if (name == "GetObject" || name == "PutObject" || name == "ListBucket") {
    params = R"({"bucketName":"data-)" + std::to_string(rng() % 30) + R"(","Host":"data.s3.amazonaws.com","key":"prefix/)" +
             std::to_string(rng()) + R"(.parquet"})";
  } else if (name == "AssumeRole") {
    params = R"({"roleArn":"arn:aws:iam::)" + std::to_string(acct) + R"(:role/app-role","roleSessionName":")" + user +
             R"(","durationSeconds":3600})";
    resp = R"({"credentials":{"accessKeyId":"ASIAEXAMPLE","sessionToken":")" + std::string(300, 'T') +
           R"(","expiration":"Jan 1, 2030 12:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROA:x","arn":"arn:aws:sts::1:assumed-role/app-role/x"}})";
  } else if (name == "AuthorizeSecurityGroupIngress") {
    params = R"({"groupId":"sg-0123","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}})";
  } else if (name == "ConsoleLogin") {
    resp = rng() % 3 ? R"({"ConsoleLogin":"Success"})" : R"({"ConsoleLogin":"Failure"})";
    params = "null";
  } else if (name == "Decrypt" || name == "GenerateDataKey") {
    params = R"({"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:1:function:f)" +
             std::to_string(rng() % 50) + R"("}})";
  } else {
    params = R"({"name":"res-)" + std::to_string(rng() % 1000) + R"("})";
  }
  std::string e = R"({"eventVersion":"1.09","userIdentity":)" + ident + R"(,"eventTime":")" + ts +
                  R"(","eventSource":")" + k->source + R"(","eventName":")" + name + R"(","awsRegion":")" + region +
                  R"(","sourceIPAddress":")" + ip + R"(","userAgent":"aws-sdk-go/1.44.)" + std::to_string(rng() % 300) +
                  R"x( (go1.20; linux; amd64)",)x";
  if (denied) e += R"("errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation",)";
  e += R"("requestParameters":)" + params + R"(,"responseElements":)" + resp + R"(,"requestID":")" + id +
       R"(","eventID":")" + id + "-" + std::to_string(rng()) + R"(","readOnly":)" + (k->read_only ? "true" : "false") +
       R"(,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":")" + std::to_string(acct) +
       R"(","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":")" +
       k->source + R"("}})";
  return e;
}

int gen(const std::string& dir, uint64_t mib) {
  fs::create_directories(dir + "/plain");
  fs::create_directories(dir + "/gz");
  std::mt19937_64 rng(42);
  uint64_t total = 0, target = mib << 20;
  int64_t t = 1704067200;
  libdeflate_compressor* comp = libdeflate_alloc_compressor(6);
  for (int file = 0; total < target; ++file) {
    std::string body = "{\"Records\":[";
    bool first = true;
    while (body.size() < (4u << 20)) {
      if (!first) body += ',';
      first = false;
      body += event(rng, t);
      t += static_cast<int64_t>(rng() % 2);
    }
    body += "]}\n";
    char name[64];
    std::snprintf(name, sizeof name, "/%06d.json", file);
    std::ofstream(dir + "/plain" + name, std::ios::binary) << body;
    std::string gz(libdeflate_gzip_compress_bound(comp, body.size()), '\0');
    gz.resize(libdeflate_gzip_compress(comp, body.data(), body.size(), gz.data(), gz.size()));
    std::ofstream(dir + "/gz" + name + ".gz", std::ios::binary) << gz;
    total += body.size();
  }
  libdeflate_free_compressor(comp);
  std::printf("wrote %.1f MiB of CloudTrail under %s/plain (and gzip copies under %s/gz)\n",
              static_cast<double>(total) / (1 << 20), dir.c_str(), dir.c_str());
  return 0;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU seconds (user + system) used by the process so far: on a machine shared with other
// work, wall time moves with the load but CPU time much less, so each row also gives MB
// per CPU-second ("per core") and its ratio to parse-only's.
double cpu_now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// Wall and CPU seconds of one run.
struct Took {
  double wall = 0, cpu = 0;
};
template <typename Fn>
Took measure(Fn fn) {
  double w0 = now(), c0 = cpu_now();
  fn();
  return {now() - w0, cpu_now() - c0};
}

std::vector<std::string> list(const std::string& dir) {
  auto r = detect::expand_inputs({dir});
  return r.ok() ? *r : std::vector<std::string>{};
}

std::string slurp(const std::string& p) {
  std::string s(fs::file_size(p), '\0');
  std::ifstream in(p, std::ios::binary);
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

// Runs fn(file) over files on `threads` threads; returns seconds.
template <typename Fn>
double parallel(const std::vector<std::string>& files, unsigned threads, Fn fn) {
  std::atomic<size_t> next{0};
  double t0 = now();
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      for (size_t k; (k = next++) < files.size();) fn(files[k]);
    });
  }
  for (auto& th : pool) th.join();
  return now() - t0;
}

// parse-only: read each file, DOM-parse it, touch every record (what detect must do at
// least); `events` gets the number of records.
Took dom_parse_only(const std::vector<std::string>& files, unsigned threads, uint64_t& events) {
  std::atomic<uint64_t> n_events{0};
  double c0 = cpu_now();
  double wall = parallel(files, threads, [&](const std::string& f) {
    thread_local simdjson::dom::parser p;
    std::string s = slurp(f);
    auto doc = p.parse(s);
    if (doc.error()) return;
    simdjson::dom::array recs = doc["Records"].get_array().value_unsafe();
    uint64_t n = 0;
    for (simdjson::dom::element r : recs) n += r.is_object();
    n_events += n;
  });
  events = n_events.load();
  return {wall, cpu_now() - c0};
}

// Discards alerts: single-event alerts are built on the workers (as for any rendering
// sink) and dropped there, correlation alerts are counted.
struct Null : detect::AlertSink {
  uint64_t n = 0;
  [[nodiscard]] bool render_on_workers() const override { return true; }
  void alert(const detect::Alert&) override { ++n; }
};

// Renders alerts as `sekimori detect --format json` does (detect_command.cc Writer: JSON
// lines rendered on the workers with AlertJsonRenderer, one buffer per file appended in
// order on the calling thread; correlation alerts rendered there) into a buffer that is
// discarded whenever it passes 1 MiB, as an ofstream's would be written out. With
// `on_workers` false every alert is rendered on the calling thread with alert_json(), as
// the command did before rendering moved to the workers.
struct JsonSink : detect::AlertSink {
  JsonSink(const detect::Engine& e, bool on_workers) : json(e), workers(on_workers), per_rule(e.rule_count(), 0) {}
  [[nodiscard]] bool render_on_workers() const override { return workers; }
  void render(const detect::AlertView& a, std::string& out, std::vector<size_t>* record_at) const override {
    json.append(a, out, record_at);
    out += '\n';
  }
  void rendered(std::string_view text, const std::vector<uint32_t>& rules) override {
    count += rules.size();
    for (uint32_t r : rules) per_rule[r] += 1;
    sink(text);
  }
  void alert(const detect::Alert& a) override {
    ++count;
    per_rule[a.rule] += 1;
    if (workers) {
      line.clear();
      render(a, line, nullptr);
      sink(line);
    } else {
      sink(detect::alert_json(a));
      sink("\n");
    }
  }
  void sink(std::string_view text) {
    bytes += text.size();
    buf.append(text);
    if (buf.size() > (1u << 20)) buf.clear();
  }
  detect::AlertJsonRenderer json;
  bool workers;
  uint64_t count = 0, bytes = 0;
  std::vector<uint64_t> per_rule;  // by rule index, as the command counts
  std::string buf, line;
};

long rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// `--only TEXT`: run only the rows whose name contains TEXT (parse-only rows always run:
// the ratios need them); `--threads N`: only that thread count. For profiling one path.
std::string g_only;
unsigned g_threads = 0;
bool wanted(std::string_view row) { return g_only.empty() || row.find(g_only) != std::string_view::npos; }

int run(const std::vector<std::string>& rule_dirs, const std::string& plain, const std::string& gzdir) {
  core::Diagnostics diags;
  detect::RuleSet set;
  for (const std::string& r : rule_dirs) set.add_path(r, diags);
  // the same rules without the Vectorscan prefilter, with it (default), and with it also
  // on the rules the eventName/eventSource index already narrows
  struct Variant {
    const char* name;
    std::optional<detect::Engine> engine;
  };
  std::vector<Variant> variants;
  for (int v = 0; v < 3; ++v) {
    detect::EngineOptions o;
    o.prefilter = v > 0;
    o.prefilter_indexed = v == 2;
    auto e = detect::Engine::build(set, o, diags);
    if (!e.ok() || diags.has_errors()) {
      std::fprintf(stderr, "%s", diags.to_text().c_str());
      return 2;
    }
    variants.push_back({v == 0 ? "detect, no prefilter" : v == 1 ? "detect, prefilter" : "detect, prefilter + indexed",
                        std::move(e).value()});
  }
  const detect::Engine* engine = &*variants[1].engine;
  std::printf("prefilter: %zu rules, %zu fragments (with indexed rules: %zu rules, %zu fragments)\n",
              engine->prefiltered_count(), engine->fragment_count(), variants[2].engine->prefiltered_count(),
              variants[2].engine->fragment_count());
  std::vector<std::string> files = list(plain);
  uint64_t bytes = 0;
  for (const auto& f : files) bytes += fs::file_size(f);
  std::printf("%zu rules (%zu indexed), %zu files, %.1f MiB, simdjson implementation: %s\n",
              engine->detection_count(), engine->indexed_count(), files.size(), static_cast<double>(bytes) / (1 << 20),
              simdjson::get_active_implementation()->name().c_str());
  std::printf("%-36s %7s %8s %11s %8s %11s %8s %9s\n", "run", "threads", "MB/s", "events/s", "vs parse",
              "MB/s/thread", "MB/cpu-s", "vs parse");
  for (unsigned threads : {1u, 2u}) {
    if (g_threads != 0 && threads != g_threads) continue;
    uint64_t events = 0;
    Took dom = dom_parse_only(files, threads, events);
    double t_dom = dom.wall, dom_cpu = dom.cpu;
    auto ev = static_cast<double>(events);
    // On-Demand parse-only (as compiled in this translation unit)
    std::atomic<uint64_t> od_events{0};
    double od_c0 = cpu_now();
    double t_od = parallel(files, threads, [&](const std::string& f) {
      thread_local simdjson::ondemand::parser p;
      simdjson::padded_string s(slurp(f));
      auto doc = p.iterate(s);
      uint64_t n = 0;
      for (auto r : doc["Records"].get_array()) {
        std::string_view name;
        if (!r["eventName"].get(name)) ++n;
      }
      od_events += n;
    });
    double od_cpu = cpu_now() - od_c0;
    auto row = [&](const char* what, Took t, double evs) {
      double mbs = static_cast<double>(bytes) / 1e6 / t.wall;
      double mbc = static_cast<double>(bytes) / 1e6 / t.cpu;
      std::printf("%-36s %7u %8.0f %11.0f %7.0f%% %11.0f %8.0f %8.0f%%\n", what, threads, mbs, evs / t.wall,
                  t_dom / t.wall * 100, mbs / threads, mbc, dom_cpu / t.cpu * 100);
    };
    row("simdjson DOM parse-only", {t_dom, dom_cpu}, ev);
    row("simdjson On-Demand parse-only", {t_od, od_cpu}, static_cast<double>(od_events.load()));
    for (Variant& v : variants) {
      if (!wanted(v.name)) continue;
      Null sink;
      detect::HuntOptions o;
      o.threads = threads;
      detect::HuntStats st;
      Took t = measure([&] { st = detect::hunt(*v.engine, files, o, sink); });
      row(v.name, t, static_cast<double>(st.records));
      double n = static_cast<double>(std::max<uint64_t>(st.match.events, 1));
      std::printf("  (%llu records, %llu alerts; per record %.2f rules evaluated, %.2f skipped; %.1f %% not scannable)\n",
                  static_cast<unsigned long long>(st.records), static_cast<unsigned long long>(st.alerts),
                  static_cast<double>(st.match.evaluated) / n, static_cast<double>(st.match.skipped) / n,
                  100.0 * static_cast<double>(st.match.unscannable) / n);
    }
    // the real output path: alerts rendered as JSON lines (prefilter, the default engine);
    // the last row parses every file as one document (no record-by-record parsing)
    for (int mode = 0; mode < 3; ++mode) {
      const char* name = mode == 0   ? "detect + JSON, rendered on caller"
                         : mode == 1 ? "detect + JSON, rendered on workers"
                                     : "detect + JSON, whole-document parse";
      if (!wanted(name)) continue;
      bool workers = mode > 0;
      JsonSink sink(*engine, workers);
      detect::HuntOptions o;
      o.threads = threads;
      if (mode == 2) o.limits.by_record_bytes = UINT64_MAX;
      detect::HuntStats st;
      Took t = measure([&] { st = detect::hunt(*engine, files, o, sink); });
      row(name, t, static_cast<double>(st.records));
      std::printf("  (%llu alerts, %.1f MB of JSON lines)\n", static_cast<unsigned long long>(sink.count),
                  static_cast<double>(sink.bytes) / 1e6);
    }
  }
  if (!gzdir.empty()) {
    std::vector<std::string> gz = list(gzdir);
    uint64_t gbytes = 0;
    for (const auto& f : gz) gbytes += fs::file_size(f);
    std::printf("\ngzip: %zu files, %.1f MiB compressed (%.1f MiB JSON)\n", gz.size(),
                static_cast<double>(gbytes) / (1 << 20), static_cast<double>(bytes) / (1 << 20));
    std::printf("%-36s %7s %8s %11s %9s %8s %9s\n", "run (MB/s of JSON output)", "threads", "MB/s",
                "events/s", "vs gunzip", "MB/cpu-s", "vs gunzip");
    for (unsigned threads : {1u, 2u}) {
      double gz_c0 = cpu_now();
      double t_gunzip = parallel(gz, threads, [&](const std::string& f) {
        std::string in = slurp(f);
        libdeflate_decompressor* d = libdeflate_alloc_decompressor();
        thread_local std::string out(8u << 20, '\0');
        size_t n = 0;
        libdeflate_gzip_decompress(d, in.data(), in.size(), out.data(), out.size(), &n);
        libdeflate_free_decompressor(d);
      });
      double gz_cpu = cpu_now() - gz_c0;
      Null sink;
      detect::HuntOptions o;
      o.threads = threads;
      detect::HuntStats st;
      Took t = measure([&] { st = detect::hunt(*engine, gz, o, sink); });
      double mb = static_cast<double>(bytes) / 1e6;
      std::printf("%-36s %7u %8.0f %11s %8.0f%% %8.0f %8.0f%%\n", "libdeflate gunzip only", threads,
                  mb / t_gunzip, "-", 100.0, mb / gz_cpu, 100.0);
      std::printf("%-36s %7u %8.0f %11.0f %8.0f%% %8.0f %8.0f%%\n", "sekimori detect on .json.gz", threads,
                  mb / t.wall, static_cast<double>(st.records) / t.wall, t_gunzip / t.wall * 100, mb / t.cpu,
                  gz_cpu / t.cpu * 100);
    }
  }
  std::printf("\npeak RSS: %ld MiB\n", rss_mib());
  return 0;
}

// `--pairs N`: the headline row (`detect` with JSON rendered on the workers, as the
// command runs) and DOM parse-only, alternated N times on each thread count. On a shared
// VM, one run's wall time can move by half between consecutive runs; a ratio taken from two
// adjacent runs moves much less, and the median of N of them still less.
int pairs(const std::vector<std::string>& rule_dirs, const std::string& plain, int n) {
  core::Diagnostics diags;
  detect::RuleSet set;
  for (const std::string& r : rule_dirs) set.add_path(r, diags);
  auto built = detect::Engine::build(set, detect::EngineOptions{}, diags);
  if (!built.ok() || diags.has_errors()) {
    std::fprintf(stderr, "%s", diags.to_text().c_str());
    return 2;
  }
  const detect::Engine& engine = *built;
  std::vector<std::string> files = list(plain);
  uint64_t bytes = 0;
  for (const auto& f : files) bytes += fs::file_size(f);
  double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%zu rules, %zu files, %.1f MiB; %d pairs of (DOM parse-only, detect + JSON on the workers)\n",
              engine.detection_count(), files.size(), static_cast<double>(bytes) / (1 << 20), n);
  std::printf("%7s %14s %14s %14s %16s\n", "threads", "DOM MB/s", "detect MB/s", "detect/DOM",
              "detect MB/cpu-s");
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t h = v.size() / 2;
    return v.size() % 2 != 0 ? v[h] : (v[h - 1] + v[h]) / 2;
  };
  for (unsigned threads : {1u, 2u}) {
    if (g_threads != 0 && threads != g_threads) continue;
    std::vector<double> dom_mbs, det_mbs, ratio, det_cpu;
    for (int i = 0; i < n; ++i) {
      uint64_t events = 0;
      Took dom = dom_parse_only(files, threads, events);
      JsonSink sink(engine, true);
      detect::HuntOptions o;
      o.threads = threads;
      Took det = measure([&] { detect::hunt(engine, files, o, sink); });
      dom_mbs.push_back(mb / dom.wall);
      det_mbs.push_back(mb / det.wall);
      ratio.push_back(dom.wall / det.wall * 100);
      det_cpu.push_back(mb / det.cpu);
    }
    auto [rmin, rmax] = std::minmax_element(ratio.begin(), ratio.end());
    std::printf("%7u %14.0f %14.0f %7.0f%% (%.0f-%.0f) %16.0f\n", threads, median(dom_mbs), median(det_mbs),
                median(ratio), *rmin, *rmax, median(det_cpu));
  }
  std::printf("(medians; detect/DOM is the median of the pairs' own ratios, with their range)\n");
  std::printf("peak RSS: %ld MiB\n", rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "gen") return gen(argv[2], std::stoull(argv[3]));
  if (argc >= 3 && std::string(argv[1]) == "run") {
    std::vector<std::string> rules;
    std::string plain, gz;
    int n_pairs = 0;
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--rules" && i + 1 < argc) rules.push_back(argv[++i]);
      else if (a == "--gz" && i + 1 < argc) gz = argv[++i];
      else if (a == "--only" && i + 1 < argc) g_only = argv[++i];
      else if (a == "--threads" && i + 1 < argc) g_threads = static_cast<unsigned>(std::stoul(argv[++i]));
      else if (a == "--pairs" && i + 1 < argc) n_pairs = std::max(1, std::stoi(argv[++i]));
      else plain = a;
    }
    if (!rules.empty() && !plain.empty()) {
      return n_pairs > 0 ? pairs(rules, plain, n_pairs) : run(rules, plain, gz);
    }
  }
  std::fprintf(stderr,
               "usage: detect_bench gen DIR MIB\n"
               "       detect_bench run --rules DIR [--rules DIR]... [--only ROW-TEXT] [--threads N]\n"
               "                        PLAIN_DIR [--gz GZ_DIR]\n"
               "       detect_bench run --rules DIR [--rules DIR]... --pairs N [--threads N] PLAIN_DIR\n");
  return 2;
}
