#include "detect/hunt.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>

#include "detect/correlator.h"

namespace sekimori::detect {

namespace {

struct FileResult {
  bool done = false;
  std::vector<Alert> alerts;
  std::vector<CorrelationInput> inputs;
  ReadStats stats;
  MatchStats match;
  std::vector<InputProblem> problems;
  uint64_t problems_dropped = 0;
  std::optional<core::Error> error;
};

class MatchSink : public RecordSink {
 public:
  MatchSink(const Engine& e, MatchScratch& scratch, const std::string& file, FileResult& r, size_t max_problems)
      : engine_(e), scratch_(scratch), file_(file), r_(r), max_problems_(max_problems) {}

  void record(simdjson::dom::element rec, uint64_t offset, uint64_t index) override {
    record_with_text(rec, {}, offset, index);
  }

  void record_with_text(simdjson::dom::element rec, RecordText text, uint64_t offset, uint64_t index) override {
    engine_.match(rec, text.json, scratch_, hits_);
    for (uint32_t rule : hits_) {
      const RuleMeta& m = engine_.rule(rule);
      const auto& feeds = engine_.feeds(rule);
      if (feeds.empty()) {
        if (m.standalone) r_.alerts.push_back(make_alert(engine_, rule, rec, text, file_, offset, index));
        continue;
      }
      Alert alert = make_alert(engine_, rule, rec, text, file_, offset, index);
      for (size_t i = 0; i < feeds.size(); ++i) {
        bool last = i + 1 == feeds.size() && !m.standalone;
        r_.inputs.push_back(make_correlation_input(feeds[i], rec, last ? std::move(alert) : alert));
      }
      if (m.standalone) r_.alerts.push_back(std::move(alert));
    }
  }

  void malformed(uint64_t offset, std::string_view message) override {
    if (r_.problems.size() < max_problems_) {
      r_.problems.push_back({file_, offset, "detect.record.malformed", std::string(message)});
    } else {
      ++r_.problems_dropped;
    }
  }

 private:
  const Engine& engine_;
  MatchScratch& scratch_;
  const std::string& file_;
  FileResult& r_;
  size_t max_problems_;
  std::vector<uint32_t> hits_;
};

// The delivery time in a CloudTrail object name ("..._20240131T1205Z_..."), or "".
std::string delivery_time(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  for (size_t i = 0; i + 15 <= name.size(); ++i) {
    if (name[i] != '_' || i + 15 >= name.size()) continue;
    std::string_view t = name.substr(i + 1, 14);
    bool ok = t[8] == 'T' && t[13] == 'Z';
    for (size_t k = 0; ok && k < 13; ++k) ok = k == 8 || (t[k] >= '0' && t[k] <= '9');
    if (ok) return std::string(t);
  }
  return {};
}

// The reorder buffer holds pointers: an input carries a whole Alert, too heavy to move
// around on every heap operation.
using Pending = std::unique_ptr<CorrelationInput>;
struct Later {
  bool operator()(const Pending& a, const Pending& b) const {
    return a->time_ms != b->time_ms ? a->time_ms > b->time_ms : a->seq > b->seq;
  }
};

}  // namespace

HuntStats hunt(const Engine& engine, const std::vector<std::string>& input_files, const HuntOptions& options,
               AlertSink& sink) {
  HuntStats st;
  std::vector<std::string> files = input_files;
  std::stable_sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    std::string ta = delivery_time(a), tb = delivery_time(b);
    return !ta.empty() && !tb.empty() && ta < tb;
  });
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(files.size(), 1)));
  const size_t window = static_cast<size_t>(threads) * 4;

  std::vector<FileResult> results(files.size());
  std::mutex mu;
  std::condition_variable cv_done, cv_room;
  size_t next = 0, delivered = 0;

  auto worker = [&] {
    RecordReader reader(options.limits);
    MatchScratch scratch(engine);
    while (true) {
      size_t i;
      {
        std::unique_lock lock(mu);
        cv_room.wait(lock, [&] { return next >= files.size() || next < delivered + window; });
        if (next >= files.size()) return;
        i = next++;
      }
      FileResult r;
      MatchStats before = scratch.stats();
      MatchSink ms(engine, scratch, files[i], r, options.max_problems);
      core::Status s = reader.read_file(files[i], ms, r.stats);
      if (!s.ok()) r.error = s.error();
      const MatchStats& after = scratch.stats();
      r.match = {after.events - before.events, after.scanned - before.scanned,
                 after.unscannable - before.unscannable, after.evaluated - before.evaluated,
                 after.skipped - before.skipped};
      {
        std::lock_guard lock(mu);
        r.done = true;
        results[i] = std::move(r);
      }
      cv_done.notify_all();
    }
  };

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);

  std::priority_queue<Pending, std::vector<Pending>, Later> pending;
  std::optional<Correlator> corr;
  if (!engine.correlations().empty()) corr.emplace(engine, options.max_contributing);
  std::vector<Alert> corr_out;
  int64_t newest = INT64_MIN, released = INT64_MIN;
  uint64_t seq = 0;
  auto release = [&](int64_t upto) {
    while (!pending.empty() && pending.top()->time_ms <= upto) {
      Pending in = std::move(const_cast<Pending&>(pending.top()));
      pending.pop();
      if (in->time_ms < released) ++st.late;
      released = std::max(released, in->time_ms);
      corr->add(std::move(*in), corr_out);
      for (const Alert& a : corr_out) sink.alert(a);
      st.alerts += corr_out.size();
      corr_out.clear();
    }
  };
  for (size_t i = 0; i < files.size(); ++i) {
    FileResult r;
    {
      std::unique_lock lock(mu);
      cv_done.wait(lock, [&] { return results[i].done; });
      r = std::move(results[i]);
      results[i] = FileResult{};
      delivered = i + 1;
    }
    cv_room.notify_all();
    ++st.files;
    st.bytes_read += r.stats.bytes_read;
    st.bytes_decoded += r.stats.bytes_decoded;
    st.records += r.stats.records;
    st.malformed += r.stats.malformed;
    st.match.add(r.match);
    if (r.error) {
      ++st.files_failed;
      if (st.problems.size() < options.max_problems) {
        st.problems.push_back({files[i], 0, r.error->code, r.error->message});
      } else {
        ++st.problems_dropped;
      }
    }
    for (InputProblem& p : r.problems) {
      if (st.problems.size() < options.max_problems) st.problems.push_back(std::move(p));
      else ++st.problems_dropped;
    }
    st.problems_dropped += r.problems_dropped;
    for (const Alert& a : r.alerts) sink.alert(a);
    st.alerts += r.alerts.size();
    for (CorrelationInput& in : r.inputs) {
      ++st.correlation_inputs;
      if (!in.base.has_time) {
        ++st.untimed;
        continue;
      }
      in.seq = seq++;
      newest = std::max(newest, in.time_ms);
      pending.push(std::make_unique<CorrelationInput>(std::move(in)));
    }
    if (corr && newest != INT64_MIN) release(newest - options.reorder_window_ms);
    if (options.progress) options.progress(i + 1, files.size(), st.bytes_read);
  }
  for (std::thread& t : pool) t.join();

  if (corr) {
    release(INT64_MAX);
    corr->finish(corr_out);
    for (const Alert& a : corr_out) sink.alert(a);
    st.alerts += corr_out.size();
    st.peak_correlation_state = corr->peak_held();
  }
  return st;
}

}  // namespace sekimori::detect
