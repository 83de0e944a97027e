// sekimori::detect::Follower — follows inputs as they grow and as new files appear, like
// `tail -F`, for `sekimori watch`.
//
// Each poll() lists the inputs again (directories recursively), then:
//   - JSON-lines files are followed: the complete lines added since the last poll are
//     read (a partial last line waits for its newline); a file that shrank or was replaced
//     (other inode) is read again from the start;
//   - whole-document files (CloudTrail {"Records": [...]}, arrays, anything gzip) are read
//     once, when their size has stayed the same for two polls (so a file still being
//     written is not read half-way). CloudTrail objects are written once and never change.
// Files present at the first poll are read from the start unless start_at_end is set.
//
//   detect::Follower f({"/var/log/cloudtrail"}, {});
//   while (running) { f.poll(sink); sleep(1); }
//
// Thread-safety: none; one Follower per watch loop. Memory: one record reader plus a
// small state per file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/source.h"

namespace sekimori::detect {

class FollowSink : public RecordSink {
 public:
  // Called before the records of `path` in this poll.
  virtual void begin_file(const std::string& path) = 0;
  // A file-level problem (unreadable, corrupt gzip).
  virtual void file_error(const std::string& path, const core::Error& error) = 0;
};

class Follower {
 public:
  Follower(std::vector<std::string> inputs, ReaderLimits limits, bool start_at_end = false);
  ~Follower();

  // One pass over the inputs; returns the number of records read.
  uint64_t poll(FollowSink& sink);

 private:
  struct FileState {
    uint64_t inode = 0;
    uint64_t offset = 0;      // bytes consumed (JSON lines)
    uint64_t records = 0;     // records delivered from them (the next record's index)
    int64_t last_size = -1;   // size at the previous poll (whole documents)
    bool lines = false;       // decided on first read
    bool decided = false;
    bool done = false;        // whole document read
  };
  void read_lines(const std::string& path, FileState& st, uint64_t size, FollowSink& sink, ReadStats& stats);

  std::vector<std::string> inputs_;
  ReaderLimits limits_;
  bool start_at_end_;
  bool first_poll_ = true;
  std::map<std::string, FileState> files_;
  std::unique_ptr<RecordReader> reader_;
};

}  // namespace sekimori::detect
