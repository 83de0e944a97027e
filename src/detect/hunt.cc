#include "detect/hunt.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>

#include "detect/correlator.h"

namespace sekimori::detect {

namespace {

// What a worker hands over for one work item: the whole of it, or one segment of a large
// one (MatchSink publishes a segment once it holds SegmentLimits of results, so that memory does
// not grow with the size of a file, of standard input in particular). `done`: the item's
// last segment, which alone carries the match statistics and the file-level error (the
// reader's statistics are split between the segments, counted as they were read).
struct FileResult {
  bool done = false;
  std::vector<Alert> alerts;
  std::string text;                 // rendered alerts (AlertSink::render_on_workers)
  std::vector<uint32_t> text_rules;  // the rule of each alert in `text`
  std::vector<size_t> record_at;     // a part's: where `text` holds record indices (AlertSink::render)
  std::vector<CorrelationInput> inputs;  // timed ones only, once the file is read
  std::vector<uint32_t> order;           // their time order (prepare_run)
  uint64_t correlation_inputs = 0, untimed = 0;
  int64_t newest = INT64_MIN;  // the latest time of `inputs`
  ReadStats stats;
  MatchStats match;
  std::vector<InputProblem> problems;
  uint64_t problems_dropped = 0;
  std::optional<core::Error> error;
};

// Chunks of MatchedEvent::shared: each worker appends its matches' context and event to a
// chunk of kChunkBytes (no allocation per match; one chunk is never shared between files,
// so the delivering thread never reads a chunk that a worker still appends to). A chunk
// lives until the last of its matches leaves the reorder buffer or its correlation window,
// then goes back to this pool for reuse: jemalloc gives freed pages back to the kernel on
// its decay schedule, and faulting fresh pages in again (zeroed, 2 MiB at a time with huge
// pages) is what the inputs' own allocations cost most. Small chunks free memory soon
// after their matches are gone (a whole file's buffer would live as long as its last).
class SharedPool : public std::enable_shared_from_this<SharedPool> {
 public:
  static constexpr size_t kChunkBytes = size_t{256} << 10;
  static constexpr size_t kKeep = 256;  // free chunks kept (64 MiB at most)

  // A chunk with room for at least `need` bytes.
  std::shared_ptr<std::string> get(size_t need) {
    std::unique_ptr<std::string> b;
    if (need <= kChunkBytes) {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        b = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!b) {
      b = std::make_unique<std::string>();
      b->reserve(std::max(need, kChunkBytes));
    }
    return std::shared_ptr<std::string>(b.release(), [pool = shared_from_this()](std::string* c) { pool->put(c); });
  }

 private:
  void put(std::string* c) {
    std::unique_ptr<std::string> b(c);
    if (b->capacity() > 2 * kChunkBytes) return;  // made for one large event
    b->clear();
    std::lock_guard lock(mu_);
    if (free_.size() < kKeep) free_.push_back(std::move(b));
  }

  std::mutex mu_;
  std::vector<std::unique_ptr<std::string>> free_;
};

// Results that make a work item hand over a segment (FileResult) before its end: bytes of
// rendered alerts (HuntOptions::segment_bytes), alerts (sinks that do not render on the
// workers: about 1 KiB each) or correlation inputs (about 256 bytes each, with their text).
struct SegmentLimits {
  size_t text, alerts, inputs;
  explicit SegmentLimits(uint64_t bytes)
      : text(static_cast<size_t>(bytes)),
        alerts(static_cast<size_t>(std::max<uint64_t>(bytes >> 10, 1))),
        inputs(static_cast<size_t>(std::max<uint64_t>(bytes >> 8, 1))) {}
};

class MatchSink : public RecordSink {
 public:
  // `publish` hands a full segment over and leaves `r` ready for the next one.
  MatchSink(const Engine& e, MatchScratch& scratch, AlertViewText& room, const AlertSink* render,
            const std::string& file, bool part, FileResult& r, size_t max_problems, SharedPool& pool,
            const SegmentLimits& segment, const std::function<void(FileResult&)>& publish)
      : engine_(e),
        scratch_(scratch),
        room_(room),
        render_(render),
        file_(file),
        part_(part),
        r_(r),
        max_problems_(max_problems),
        pool_(pool),
        segment_(segment),
        publish_(publish) {}

  void record(simdjson::dom::element rec, uint64_t offset, uint64_t index) override {
    record_with_text(rec, {}, offset, index);
  }

  void record_with_text(simdjson::dom::element rec, RecordText text, uint64_t offset, uint64_t index) override {
    engine_.match(rec, text.json, scratch_, hits_);
    bool filled = false;  // alert_ shows this record's context and event
    for (size_t h = 0; h < hits_.size(); ++h) {
      uint32_t rule = hits_[h];
      const RuleMeta& m = engine_.rule(rule);
      const auto& feeds = engine_.feeds(rule);
      if (!m.standalone && feeds.empty()) continue;
      // a view of the record's own strings and text (nothing copied until rendered or
      // kept), filled once per record: only the rule changes between the record's matches
      if (filled) {
        alert_.rule = rule;
        alert_.meta = &m;
      } else {
        fill_alert_view(alert_, room_, engine_, rule, rec, text, scratch_, file_, offset, index);
        filled = true;
      }
      if (m.standalone) {
        if (render_) {
          render_->render(alert_, r_.text, part_ ? &r_.record_at : nullptr);
          r_.text_rules.push_back(rule);
        } else {
          r_.alerts.push_back(to_alert(alert_));
        }
      }
      if (feeds.empty()) continue;
      if (!shared_file_) shared_file_ = std::make_shared<const std::string>(file_);
      // the context, event and group keys go into a chunk shared by the file's matches (no
      // allocation per match; the Correlator copies out what it keeps past kShareSpanMs).
      // The keys' room is a guess: a chunk that is too small grows, which is only slower.
      size_t need = alert_.event_time.size() + alert_.account.size() + alert_.region.size() +
                    alert_.principal.size() + alert_.source_ip.size() + alert_.event_name.size() +
                    alert_.event_source.size() + alert_.event.size() + feeds.size() * kKeysRoom;
      if (!shared_ || shared_->capacity() - shared_->size() < need) shared_ = pool_.get(need);
      MatchedEvent base = MatchedEvent::from_alert(alert_, shared_file_, shared_);
      for (size_t i = 0; i < feeds.size(); ++i) {
        bool last = i + 1 == feeds.size();
        r_.inputs.push_back(
            make_correlation_input(feeds[i], rec, scratch_, last ? std::move(base) : base, shared_.get()));
      }
    }
    if (r_.text.size() >= segment_.text || r_.alerts.size() >= segment_.alerts ||
        r_.inputs.size() >= segment_.inputs) {
      // the delivering thread reads this segment's chunks while the next one is written:
      // the next segment's matches go to chunks of their own
      shared_.reset();
      publish_(r_);
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
  AlertViewText& room_;
  AlertView alert_;
  const AlertSink* render_;
  const std::string& file_;
  bool part_;  // a part of a file (RecordReader::read_part): record indices count from the part's start
  std::shared_ptr<const std::string> shared_file_;
  FileResult& r_;
  size_t max_problems_;
  SharedPool& pool_;
  const SegmentLimits& segment_;
  const std::function<void(FileResult&)>& publish_;
  std::shared_ptr<std::string> shared_;  // the chunk this file's matches are appended to
  std::vector<uint32_t> hits_;
  static constexpr size_t kKeysRoom = 256;  // room left in a chunk for each input's keys
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

// The reorder buffer: each file's timed inputs, in time order (a stable sort on the
// worker; files are nearly always in order already, which is checked first), form one
// run, and runs are merged by a small heap over their heads, keyed by (time, file): the
// same order as a heap over all inputs keyed by (time, arrival), since a file's inputs
// all arrive after the previous file's. Inputs stay in the file's vector until they are
// correlated (no move into a pool, one heap entry per file instead of per input).
struct Run {
  std::vector<CorrelationInput> inputs;
  std::vector<uint32_t> order;  // positions in time order; empty when `inputs` already is
  size_t pos = 0;
  [[nodiscard]] CorrelationInput& head() { return inputs[order.empty() ? pos : order[pos]]; }
  // The input `ahead` places after the head, or null past the end.
  [[nodiscard]] const CorrelationInput* after(size_t ahead) const {
    size_t k = pos + ahead;
    if (k >= inputs.size()) return nullptr;
    return &inputs[order.empty() ? k : order[k]];
  }
  [[nodiscard]] bool done() const { return pos >= inputs.size(); }
};
struct RunHead {
  int64_t time_ms;
  uint64_t seq;  // the run's place in input order (a file, a part or a segment)
  uint32_t run;
};
struct LaterRun {
  bool operator()(const RunHead& a, const RunHead& b) const {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.seq > b.seq;
  }
};

// Drops the inputs without eventTime (counted in `untimed`: they are not correlated) and
// notes the time order of the rest in `order` unless they are in order already.
void prepare_run(std::vector<CorrelationInput>& inputs, std::vector<uint32_t>& order, uint64_t& untimed,
                 int64_t& newest) {
  size_t kept = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].base.has_time) {
      ++untimed;
      continue;
    }
    newest = std::max(newest, inputs[i].time_ms);
    if (kept != i) inputs[kept] = std::move(inputs[i]);
    ++kept;
  }
  inputs.resize(kept);
  order.clear();
  bool sorted = true;
  for (size_t i = 1; i < kept && sorted; ++i) sorted = inputs[i - 1].time_ms <= inputs[i].time_ms;
  if (sorted) return;
  order.resize(kept);
  for (size_t i = 0; i < kept; ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return inputs[a].time_ms < inputs[b].time_ms; });
}

// What the workers read: a whole file, a part of a JSON-lines file (HuntOptions::part_bytes),
// or a part cut from a stream (LineSplitter).
struct Work {
  size_t file = 0;
  uint64_t begin = 0, end = 0;  // a part's bytes (RecordReader::read_part); a stream part's first
  bool part = false;
  bool last = true;  // the file's last work
  std::shared_ptr<LineSplitter> splitter;  // a stream part's: its splitter (which takes the buffer back)
  LineSplitter::PartPtr split;             // and its lines, until a worker takes them
};

// Cuts the inputs into work, in input order, as the workers ask for it: a file whole, a
// large JSON-lines file in parts of `part_bytes` (read_part), or standard input and large
// gzip files in parts cut by a LineSplitter, which reads them front to back, one part at a
// time. One thread at a time plans.
class Planner {
 public:
  Planner(const std::vector<std::string>& files, uint64_t part_bytes, const ReaderLimits& limits)
      : files_(files), part_bytes_(part_bytes), limits_(limits) {}

  [[nodiscard]] bool done() const { return !splitter_ && next_ >= files_.size(); }

  // Appends the next work (none once done()).
  void plan(std::vector<Work>& out) {
    if (!splitter_) {
      if (next_ >= files_.size()) return;
      size_t f = next_++;
      if (part_bytes_ > 0 && LineSplitter::wants(files_[f], limits_)) {
        splitter_ = std::make_shared<LineSplitter>(files_[f], limits_, part_bytes_);
        file_ = f;
      } else {
        plan_file(f, out);
        return;
      }
    }
    Work w;
    w.file = file_;
    w.part = true;
    w.split = splitter_->next();
    if (!w.split) {  // (not reached: the last part resets splitter_)
      splitter_.reset();
      return;
    }
    w.begin = LineSplitter::base(*w.split);
    w.last = LineSplitter::last(*w.split);
    w.splitter = splitter_;
    if (w.last) splitter_.reset();
    out.push_back(std::move(w));
  }

 private:
  void plan_file(size_t f, std::vector<Work>& out) const {
    std::error_code ec;
    uintmax_t size = part_bytes_ > 0 && files_[f] != "-" ? std::filesystem::file_size(files_[f], ec) : 0;
    if (part_bytes_ == 0 || ec || size / 2 < part_bytes_ ||
        !RecordReader::is_json_lines_file(files_[f], limits_)) {
      Work w;
      w.file = f;
      out.push_back(std::move(w));
      return;
    }
    uint64_t parts = (size + part_bytes_ - 1) / part_bytes_;
    for (uint64_t k = 0; k < parts; ++k) {
      Work w;
      w.file = f;
      w.part = true;
      w.last = k + 1 == parts;
      w.begin = k * part_bytes_;
      w.end = w.last ? UINT64_MAX
                     : (k + 1) * part_bytes_;  // the last part reads to the end, should the file have grown
      out.push_back(std::move(w));
    }
  }

  const std::vector<std::string>& files_;
  uint64_t part_bytes_;
  const ReaderLimits& limits_;
  size_t next_ = 0;
  std::shared_ptr<LineSplitter> splitter_;  // the stream being cut
  size_t file_ = 0;                         // its file
};

// Adds `before` (the records of a file's earlier parts) to a part's record indices: those
// of its alerts, of its correlation inputs, and those written in its rendered text. The
// numbers only grow, so the text is widened once and its pieces moved back from the end,
// in its own buffer (a second buffer would fault in fresh pages for every part).
void shift_records(FileResult& r, uint64_t before) {
  if (before == 0) return;
  for (Alert& a : r.alerts) a.record += before;
  for (CorrelationInput& in : r.inputs) in.base.record += before;
  if (r.record_at.empty()) return;
  std::string& t = r.text;
  auto number_at = [&](size_t at, size_t& digits) {
    uint64_t v = 0;
    digits = 0;
    while (at + digits < t.size() && t[at + digits] >= '0' && t[at + digits] <= '9') {
      v = v * 10 + static_cast<uint64_t>(t[at + digits++] - '0');
    }
    return v;
  };
  auto width = [](uint64_t v) {
    size_t w = 1;
    while (v >= 10) {
      v /= 10;
      ++w;
    }
    return w;
  };
  size_t growth = 0;
  for (size_t at : r.record_at) {
    size_t digits = 0;
    uint64_t v = number_at(at, digits);
    growth += width(v + before) - digits;
  }
  size_t src_end = t.size();
  t.resize(src_end + growth);
  size_t dst_end = t.size();
  for (size_t k = r.record_at.size(); k-- > 0;) {
    size_t at = r.record_at[k], digits = 0;
    uint64_t v = number_at(at, digits) + before;
    size_t tail = src_end - at - digits;  // the text after this number, up to the next one
    std::memmove(t.data() + dst_end - tail, t.data() + at + digits, tail);
    dst_end -= tail;
    std::array<char, 20> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    size_t n = static_cast<size_t>(end - buf.data());
    std::memcpy(t.data() + dst_end - n, buf.data(), n);
    dst_end -= n;
    src_end = at;
  }
}

}  // namespace

void sort_by_delivery_time(std::vector<std::string>& files) {
  // Sorting all files with "no time" equal to every time would not be a strict weak order
  // (a file without one would tie with two files that do not tie with each other).
  std::vector<size_t> slots;
  std::vector<std::pair<std::string, std::string>> timed;  // (delivery time, path)
  for (size_t i = 0; i < files.size(); ++i) {
    std::string t = delivery_time(files[i]);
    if (t.empty()) continue;
    slots.push_back(i);
    timed.emplace_back(std::move(t), std::move(files[i]));
  }
  std::stable_sort(timed.begin(), timed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t k = 0; k < slots.size(); ++k) files[slots[k]] = std::move(timed[k].second);
}

HuntStats hunt(const Engine& engine, const std::vector<std::string>& input_files, const HuntOptions& options,
               AlertSink& sink) {
  HuntStats st;
  std::vector<std::string> files = input_files;
  sort_by_delivery_time(files);
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // No more workers than inputs, unless one of them may be cut into parts.
  bool splittable = false;
  for (const std::string& f : files) {
    std::error_code ec;
    splittable = splittable || f == "-" || std::filesystem::file_size(f, ec) > options.limits.chunk_bytes;
  }
  if (!splittable || options.part_bytes == 0) {
    threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(files.size(), 1)));
  }
  const size_t window = static_cast<size_t>(threads) * 4;

  // (under `mu`) the work planned so far, in input order, and per item the segments handed
  // over and not yet delivered (FileResult); deques, so that planning more keeps the
  // references to earlier items valid
  Planner planner(files, options.part_bytes, options.limits);
  std::deque<Work> work;
  std::deque<std::deque<FileResult>> results;
  bool planning = false, planned_all = planner.done();
  constexpr size_t kQueued = 2;  // segments of one item waiting at most: a worker then waits
  std::mutex mu;
  std::condition_variable cv_done, cv_room;
  size_t next = 0, delivered = 0;
  // buffers handed back by the delivering thread for reuse (their pages stay mapped)
  std::vector<std::string> spare_text;
  std::vector<std::vector<CorrelationInput>> spare_inputs;
  const AlertSink* render = sink.render_on_workers() ? &sink : nullptr;
  // chunks of the matches' context and event (MatchedEvent::shared)
  auto shared_pool = std::make_shared<SharedPool>();

  // (under `mu`) buffers handed back for a new result
  auto take_spares = [&](FileResult& r) {
    if (!spare_text.empty()) {
      r.text = std::move(spare_text.back());
      spare_text.pop_back();
    }
    if (!spare_inputs.empty()) {
      r.inputs = std::move(spare_inputs.back());
      spare_inputs.pop_back();
    }
  };
  // Rendered alerts are about as long as the records they describe: make room once instead
  // of doubling the buffer (each doubling faults in fresh pages); a segment's at most.
  const SegmentLimits segment(options.segment_bytes);
  auto make_room = [&](FileResult& r, uintmax_t input_bytes) {
    if (render == nullptr) return;
    uintmax_t room = std::min<uintmax_t>(input_bytes + input_bytes / 2, segment.text + segment.text / 16);
    r.text.reserve(static_cast<size_t>(room));
  };

  auto worker = [&] {
    RecordReader reader(options.limits);
    MatchScratch scratch(engine);
    AlertViewText room;  // the matched records' alerts' text that is not in the record
    size_t i = 0;
    // puts a result of item i in its queue, waiting while kQueued wait for the delivering thread
    auto hand_over = [&](FileResult& r, FileResult* fresh) {
      {
        std::unique_lock lock(mu);
        cv_room.wait(lock, [&] { return results[i].size() < kQueued; });
        results[i].push_back(std::move(r));
        if (fresh != nullptr) take_spares(*fresh);
      }
      cv_done.notify_all();
    };
    // hands a segment of item i over and leaves `seg` empty for the next one
    std::function<void(FileResult&)> publish = [&](FileResult& seg) {
      seg.correlation_inputs = seg.inputs.size();
      prepare_run(seg.inputs, seg.order, seg.untimed, seg.newest);
      FileResult fresh;
      hand_over(seg, &fresh);
      make_room(fresh, segment.text);
      seg = std::move(fresh);
    };
    std::vector<Work> planned;
    while (true) {
      FileResult r;
      size_t file = 0;
      uint64_t begin = 0, end = 0;
      bool part = false;
      std::shared_ptr<LineSplitter> splitter;
      LineSplitter::PartPtr split;
      {
        std::unique_lock lock(mu);
        while (next >= work.size() || next >= delivered + window) {
          if (next >= work.size() && planned_all) return;
          if (next < work.size() || planning || next >= delivered + window) {
            cv_room.wait(lock);
            continue;
          }
          // the next work is not planned yet: plan it (reading a stream's next part) unlocked
          planning = true;
          lock.unlock();
          planner.plan(planned);
          lock.lock();
          for (Work& p : planned) {
            work.push_back(std::move(p));
            results.emplace_back();
          }
          planned.clear();
          planning = false;
          planned_all = planner.done();
          cv_room.notify_all();
          cv_done.notify_all();
        }
        i = next++;
        Work& w = work[i];
        file = w.file;
        begin = w.begin;
        end = w.end;
        part = w.part;
        splitter = std::move(w.splitter);
        split = std::move(w.split);
        take_spares(r);
      }
      const std::string& path = files[file];
      std::error_code ec;
      uintmax_t size = split  ? options.part_bytes
                       : part ? std::min<uintmax_t>(end - begin, options.part_bytes)
                              : std::filesystem::file_size(path, ec);
      if (!ec) make_room(r, size);
      MatchStats before = scratch.stats();
      MatchSink ms(engine, scratch, room, render, path, part, r, options.max_problems, *shared_pool, segment,
                   publish);
      core::Status s = split  ? reader.read_split(*split, ms, r.stats)
                       : part ? reader.read_part(path, begin, end, ms, r.stats)
                              : reader.read_file(path, ms, r.stats);
      if (split) splitter->recycle(std::move(split));
      if (!s.ok()) r.error = s.error();
      r.correlation_inputs = r.inputs.size();
      prepare_run(r.inputs, r.order, r.untimed, r.newest);
      const MatchStats& after = scratch.stats();
      r.match = {after.events - before.events, after.scanned - before.scanned,
                 after.unscannable - before.unscannable, after.evaluated - before.evaluated,
                 after.skipped - before.skipped};
      r.done = true;
      hand_over(r, nullptr);
    }
  };

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);

  std::priority_queue<RunHead, std::vector<RunHead>, LaterRun> heads;
  std::optional<Correlator> corr;
  if (!engine.correlations().empty()) corr.emplace(engine, options.max_contributing);
  std::vector<Alert> corr_out;
  auto deliver_correlations = [&] {
    for (const Alert& a : corr_out) sink.alert(a);
    st.alerts += corr_out.size();
    corr_out.clear();
  };
  int64_t newest = INT64_MIN, released = INT64_MIN;
  std::vector<Run> runs;
  std::vector<uint32_t> free_runs;
  auto release = [&](int64_t upto) {
    while (!heads.empty() && heads.top().time_ms <= upto) {
      RunHead h = heads.top();
      heads.pop();
      Run& run = runs[h.run];
      // take the run's inputs while they stay ahead of every other run's head
      while (true) {
        // the groups of the next inputs are fetched into the cache in three steps while
        // the inputs before them are correlated (Correlator::prefetch)
        if (const CorrelationInput* n = run.after(20)) {  // the input itself (written by a worker long ago)
          __builtin_prefetch(n);
          __builtin_prefetch(reinterpret_cast<const char*>(n) + 64);
          __builtin_prefetch(reinterpret_cast<const char*>(n) + 128);
        }
        if (const CorrelationInput* n = run.after(12)) corr->prefetch(*n, 0);
        if (const CorrelationInput* n = run.after(6)) corr->prefetch(*n, 1);
        if (const CorrelationInput* n = run.after(3)) corr->prefetch(*n, 2);
        CorrelationInput& in = run.head();
        if (in.time_ms < released) ++st.late;
        released = std::max(released, in.time_ms);
        corr->add(std::move(in), corr_out);
        deliver_correlations();
        if (++run.pos >= run.inputs.size()) break;
        int64_t t = run.head().time_ms;
        bool first =
            heads.empty() || t < heads.top().time_ms || (t == heads.top().time_ms && h.seq < heads.top().seq);
        if (t > upto || !first) {
          heads.push({t, h.seq, h.run});
          break;
        }
      }
      if (run.done()) {
        run.inputs.clear();
        {
          std::lock_guard lock(mu);
          if (spare_inputs.size() < window) spare_inputs.push_back(std::move(run.inputs));
        }
        run.inputs = {};
        run.order.clear();
        free_runs.push_back(h.run);
      }
    }
  };
  uint64_t records_before = 0;  // in the parts of the current file delivered so far
  bool file_failed = false;
  uint64_t seq = 0;  // results delivered (the reorder buffer's tie-breaker)
  for (size_t i = 0;; ++i) {
    const Work* item = nullptr;
    {
      std::unique_lock lock(mu);
      cv_done.wait(lock, [&] { return i < work.size() || planned_all; });
      if (i >= work.size()) break;
      item = &work[i];
    }
    const Work& w = *item;  // (its file, begin and last are not written again)
    if (w.begin == 0) {
      records_before = 0;
      file_failed = false;
    }
    uint64_t item_records = 0;
    for (bool done = false; !done; ++seq) {  // the item's segments, then its last result
      FileResult r;
      {
        std::unique_lock lock(mu);
        cv_done.wait(lock, [&] { return !results[i].empty(); });
        r = std::move(results[i].front());
        results[i].pop_front();
      }
      cv_room.notify_all();  // its worker may wait for room in the queue
      done = r.done;
      shift_records(r, records_before);
      item_records += r.stats.records;
      if (done && w.last) ++st.files;
      st.bytes_read += r.stats.bytes_read;
      st.bytes_decoded += r.stats.bytes_decoded;
      st.records += r.stats.records;
      st.malformed += r.stats.malformed;
      st.match.add(r.match);
      for (InputProblem& p : r.problems) {
        if (st.problems.size() < options.max_problems)
          st.problems.push_back(std::move(p));
        else
          ++st.problems_dropped;
      }
      st.problems_dropped += r.problems_dropped;
      // the records' problems, then the error that ended the reading (if any) after them
      if (r.error) {
        if (!file_failed) ++st.files_failed;
        file_failed = true;
        if (st.problems.size() < options.max_problems) {
          // where reading stopped, when the reader knows it (a stream cut short), else where the
          // work starts
          uint64_t at = r.error->location ? std::max(w.begin, r.error->location->offset) : w.begin;
          st.problems.push_back({files[w.file], at, r.error->code, r.error->message});
        } else {
          ++st.problems_dropped;
        }
      }
      for (const Alert& a : r.alerts) sink.alert(a);
      st.alerts += r.alerts.size();
      if (!r.text_rules.empty()) sink.rendered(r.text, r.text_rules);
      st.alerts += r.text_rules.size();
      st.correlation_inputs += r.correlation_inputs;
      st.untimed += r.untimed;
      if (corr && !r.inputs.empty()) {
        // All of these matches lie further back than the reorder window before what has been
        // correlated: the input went back in time (another account's or trail's logs after a
        // first one's, the same logs twice). Correlate what is held, then start again, so no
        // window mixes the two and the open ones do not take every older match from here on.
        if (released != INT64_MIN && r.newest < released - options.reorder_window_ms) {
          release(INT64_MAX);
          corr->restart(corr_out);
          deliver_correlations();
          ++st.correlation_restarts;
          newest = released = INT64_MIN;
        }
        newest = std::max(newest, r.newest);
        uint32_t k;
        if (!free_runs.empty()) {
          k = free_runs.back();
          free_runs.pop_back();
        } else {
          k = static_cast<uint32_t>(runs.size());
          runs.emplace_back();
        }
        Run& run = runs[k];
        run.inputs = std::move(r.inputs);
        run.order = std::move(r.order);
        run.pos = 0;
        heads.push({run.head().time_ms, seq, k});
      }
      // The buffers go back before the item's place in the window is given up: a worker
      // woken for the next file then reuses them instead of faulting in fresh ones (which
      // it did while this thread was still correlating).
      r.text.clear();
      r.inputs.clear();
      r.record_at.clear();
      {
        std::lock_guard lock(mu);
        if (spare_text.size() < window && r.text.capacity() > 0) spare_text.push_back(std::move(r.text));
        // (the inputs' vector is a run of the reorder buffer now; it comes back when the run
        // has been correlated)
        if (spare_inputs.size() < window && r.inputs.capacity() > 0)
          spare_inputs.push_back(std::move(r.inputs));
        if (done) delivered = i + 1;
      }
      if (done) cv_room.notify_all();
      // (a part's or a segment's inputs are released as a file's are: memory stays bounded
      // in a large file)
      if (corr && newest != INT64_MIN) release(newest - options.reorder_window_ms);
      if (options.progress) options.progress(st.files, files.size(), st.bytes_read);
    }
    records_before += item_records;
  }
  for (std::thread& t : pool) t.join();

  if (corr) {
    release(INT64_MAX);
    corr->finish(corr_out);
    deliver_correlations();
    st.peak_correlation_state = corr->peak_held();
  }
  return st;
}

}  // namespace sekimori::detect
