// sekimori::detect::hunt — runs an Engine over files on several threads.
//
// Files are read and matched in parallel (one RecordReader per thread; a large JSON-lines
// file in parts, HuntOptions::part_bytes); alerts of single-event rules are delivered to
// the sink in input order (file by file, record by record) from the calling thread, or
// rendered on the workers and handed over as one text buffer per file (or part) when the
// sink supports it (AlertSink::render_on_workers). Files whose names carry CloudTrail's
// delivery time (`..._CloudTrail_<region>_20240131T1205Z_...`) are processed in that time
// order, so that several regions' folders interleave correctly. Matches that feed
// correlation rules go through a reorder buffer: they are released to one Correlator in
// event-time order once they are older than the newest match by more than
// `reorder_window_ms`; matches that arrive later than that are still correlated but
// counted as `late`. A file (part, segment) whose matches all lie further back than that
// before what has been correlated is another stream (another account's logs after a
// first one's, the same logs twice): what is held is correlated, the Correlator starts
// again (HuntStats::correlation_restarts), then the file is correlated. A bounded number
// of files (or parts) is in flight at once, so memory does not grow with the number or
// total size of the inputs, only with the reorder window and the correlation timespans.
//
//   struct Print : detect::AlertSink { void alert(const detect::Alert& a) override {...} } sink;
//   detect::HuntStats st = detect::hunt(engine, files, {}, sink);
//
// Thread-safety: hunt() may be called from any one thread; the sink (except render()) and
// the progress callback are only called from that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "detect/engine.h"
#include "detect/source.h"

namespace sekimori::detect {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void alert(const Alert& a) = 0;

  // Optional rendering on the worker threads. When render_on_workers() is true, hunt()
  // does not call alert() for alerts of single-event rules: the worker that matched the
  // record calls render(), which appends the alert's text to that file's buffer (it must
  // be safe to call on several threads at once and must not change the sink), and the
  // calling thread hands each file's buffer to rendered(), in input order and at the
  // point where alert() would have been called, with the rule index of each alert in it.
  // Correlation alerts always go through alert(). The view given to render() is only
  // valid during the call. When `record_at` is not null, render() appends to it the
  // position in `out` of each place where it wrote a.record's decimal digits: a file read
  // in parts (HuntOptions::part_bytes) is rendered that way, each part counting its
  // records from 0, and hunt() adds the records of the parts before to those numbers when
  // it hands the part's text to rendered().
  [[nodiscard]] virtual bool render_on_workers() const { return false; }
  virtual void render(const AlertView& a, std::string& out, std::vector<size_t>* record_at) const {
    (void)a;
    (void)out;
    (void)record_at;
  }
  virtual void rendered(std::string_view text, const std::vector<uint32_t>& rules) {
    (void)text;
    (void)rules;
  }
};

struct InputProblem {
  std::string file;
  uint64_t offset = 0;
  std::string code;  // detect.input.* or detect.record.malformed
  std::string message;
};

struct HuntStats {
  uint64_t files = 0, files_failed = 0;
  uint64_t bytes_read = 0, bytes_decoded = 0;
  uint64_t records = 0, malformed = 0, alerts = 0;
  uint64_t correlation_inputs = 0, untimed = 0;  // untimed: matches without eventTime (not correlated)
  uint64_t late = 0;  // correlation matches older than the reorder window allowed
  // times the input went back in time by more than the reorder window, a whole file (part
  // or segment) at once, and the Correlator started again (Correlator::restart)
  uint64_t correlation_restarts = 0;
  size_t peak_correlation_state = 0;
  MatchStats match;  // prefilter and rule-evaluation counters over all threads
  std::vector<InputProblem> problems;  // the first max_problems
  uint64_t problems_dropped = 0;
};

struct HuntOptions {
  unsigned threads = 0;  // 0: one per core
  ReaderLimits limits;
  size_t max_contributing = 20;  // events kept per correlation alert
  size_t max_problems = 1000;
  int64_t reorder_window_ms = 3'600'000;  // how far out of time order matches may arrive (--reorder-window)
  // A plain JSON-lines file of at least twice this many bytes is read in parts of this size
  // (cut at line starts), matched by several workers at once. Its alerts, record indices
  // and problems are the same as when it is read whole; its parts' correlation inputs enter
  // the reorder buffer as separate files' would (in time order within a part; across
  // parts, out of order by at most reorder_window_ms). 0: files are never split. Gzip
  // files, standard input and whole documents are not split.
  uint64_t part_bytes = uint64_t{8} << 20;
  // A worker hands a file's (or part's) results over in segments once they hold this many
  // bytes of rendered alerts (or 1/1024 as many alerts, 1/256 as many correlation inputs),
  // so that memory stays bounded in a file of any size, standard input included. A
  // segment's correlation inputs enter the reorder buffer as a part's do.
  uint64_t segment_bytes = uint64_t{16} << 20;
  // Called from the calling thread after each file: files done, files total, bytes read.
  std::function<void(uint64_t, uint64_t, uint64_t)> progress;
};

// The order hunt() reads `files` in: files whose names carry a CloudTrail delivery time
// ("..._20240131T1205Z_...") are put in time order among the places such files hold; the
// others stay where they are (in the order given, which is name order for directories).
void sort_by_delivery_time(std::vector<std::string>& files);

HuntStats hunt(const Engine& engine, const std::vector<std::string>& files, const HuntOptions& options,
               AlertSink& sink);

}  // namespace sekimori::detect
