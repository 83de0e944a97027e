#include "detect/follow.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sekimori::detect {

namespace {

// Adds `base` to every offset and `first_index` to every record index reported by the
// wrapped sink: a poll's data is read on its own, and starts where the last one stopped.
class Shift : public RecordSink {
 public:
  Shift(RecordSink& inner, uint64_t base, uint64_t first_index)
      : inner_(inner), base_(base), first_index_(first_index) {}
  void record(simdjson::dom::element r, uint64_t offset, uint64_t index) override {
    inner_.record(r, base_ + offset, first_index_ + index);
  }
  void record_with_text(simdjson::dom::element r, RecordText text, uint64_t offset, uint64_t index) override {
    inner_.record_with_text(r, text, base_ + offset, first_index_ + index);
  }
  void malformed(uint64_t offset, std::string_view message) override { inner_.malformed(base_ + offset, message); }

 private:
  RecordSink& inner_;
  uint64_t base_;
  uint64_t first_index_;
};

bool read_range(const std::string& path, uint64_t from, uint64_t len, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.resize(len);
  uint64_t got = 0;
  while (got < len) {
    ssize_t n = ::pread(fd, out.data() + got, len - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<uint64_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return true;
}

}  // namespace

Follower::Follower(std::vector<std::string> inputs, ReaderLimits limits, bool start_at_end)
    : inputs_(std::move(inputs)), limits_(limits), start_at_end_(start_at_end),
      reader_(std::make_unique<RecordReader>(limits)) {}
Follower::~Follower() = default;

void Follower::read_lines(const std::string& path, FileState& st, uint64_t size, FollowSink& sink, ReadStats& stats) {
  // read at most one chunk per file per poll beyond the line limit, complete lines only
  uint64_t want = std::min<uint64_t>(size - st.offset, limits_.chunk_bytes + limits_.max_line_bytes);
  std::string data;
  if (!read_range(path, st.offset, want, data)) {
    sink.file_error(path, core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(errno)));
    return;
  }
  size_t end = data.rfind('\n');
  if (end == std::string::npos) {
    if (data.size() > limits_.max_line_bytes) {
      sink.begin_file(path);  // the problem is this file's
      sink.malformed(st.offset, "line longer than the limit; skipped");
      st.offset += data.size();
    }
    return;
  }
  data.resize(end + 1);
  sink.begin_file(path);
  Shift shifted(sink, st.offset, st.records);
  const uint64_t before = stats.records;
  core::Status s = reader_->read_bytes(data, shifted, stats);
  if (!s.ok()) sink.file_error(path, s.error());
  st.offset += data.size();
  st.records += stats.records - before;
}

uint64_t Follower::poll(FollowSink& sink) {
  uint64_t records = 0;
  auto files = expand_inputs(inputs_);
  if (!files.ok()) {
    // an input that does not exist yet is not an error while watching
    std::vector<std::string> existing;
    for (const std::string& in : inputs_) {
      struct stat sb {};
      if (::stat(in.c_str(), &sb) == 0) existing.push_back(in);
    }
    files = expand_inputs(existing);
    if (!files.ok()) return 0;
  }
  for (const std::string& path : *files) {
    struct stat sb {};
    if (::stat(path.c_str(), &sb) != 0) continue;
    auto size = static_cast<uint64_t>(sb.st_size);
    auto [it, inserted] = files_.try_emplace(path);
    FileState& st = it->second;
    if (!inserted && (st.inode != sb.st_ino || size < st.offset)) st = FileState{};  // replaced or truncated
    st.inode = sb.st_ino;
    if (inserted && first_poll_ && start_at_end_) {
      st.offset = size;
      st.decided = true;
      st.lines = true;
      st.done = true;
      continue;
    }
    if (!st.decided && size > 0) {
      std::string head;
      read_range(path, 0, std::min<uint64_t>(size, 1 << 16), head);
      bool gz = head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
                static_cast<unsigned char>(head[1]) == 0x8b;
      size_t nl = head.find('\n');
      size_t first = head.find_first_not_of(" \t\r\n");
      // JSON lines: an object on the first line that is not a {"Records": ...} document
      // and ends at the line break (a pretty-printed document's first line is just "{")
      size_t last = nl == std::string::npos || nl == 0 ? std::string::npos : head.find_last_not_of(" \t\r", nl - 1);
      st.lines = !gz && first != std::string::npos && head[first] == '{' && nl != std::string::npos &&
                 last != std::string::npos && last > first && head[last] == '}' &&
                 head.substr(first, 12).find("\"Records\"") == std::string::npos;
      st.decided = !gz ? (nl != std::string::npos || size >= (1 << 16)) : true;
    }
    ReadStats stats;
    if (st.decided && st.lines) {
      if (size > st.offset) read_lines(path, st, size, sink, stats);
    } else if (!st.done && size > 0 && static_cast<int64_t>(size) == st.last_size) {
      sink.begin_file(path);
      core::Status s = reader_->read_file(path, sink, stats);
      if (!s.ok()) sink.file_error(path, s.error());
      st.done = true;
      st.offset = size;
    }
    st.last_size = static_cast<int64_t>(size);
    records += stats.records;
  }
  first_poll_ = false;
  return records;
}

}  // namespace sekimori::detect
