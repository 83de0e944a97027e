// Fuzz target: the CloudTrail record reader (Records files, arrays, JSON lines, gzip) on
// arbitrary bytes with small limits, parsing whole documents both as one document and
// record by record (ReaderLimits::by_record_bytes); every record handed out must be an
// object, and its text (when given) must lie inside the input and, when said to be
// minified (with_flags), be unchanged by minifying; the event text an alert shows must be
// the record's re-serialisation. Inputs that read_file() streams as
// JSON lines are also read in parts (RecordReader::read_part, parts of 1 to 97 bytes), which
// must give the same records, indices and problems; gzip inputs are also read from a file
// in small chunks, which streams gzip JSON lines (zlib) instead of decompressing them whole.
// Every input is also cut by a LineSplitter (as hunt() cuts standard input and large gzip
// files, parts of 1 to 97 bytes): the same records, indices and problems as read_file(),
// and an error exactly when read_file() gives one, at the same offset.
// Inputs of up to 8 KiB are also read from a file in chunks of 64 bytes, which streams
// documents of records window by window: when reading the input whole finds no problem,
// the same records, offsets and indices.
#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "detect/source.h"

namespace {

struct Sink : sekimori::detect::RecordSink {
  uint64_t size = 0;
  std::string scratch;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t) override {
    if (r.type() != simdjson::dom::element_type::OBJECT) __builtin_trap();
    if (offset > size) __builtin_trap();
  }
  void record_with_text(simdjson::dom::element r, sekimori::detect::RecordText t, uint64_t offset,
                        uint64_t index) override {
    record(r, offset, index);
    t = sekimori::detect::with_flags(t);
    if (t.json.size() > size) __builtin_trap();
    if (t.minified && !t.json.empty()) {
      scratch.resize(t.json.size());
      size_t len = 0;
      if (simdjson::minify(t.json.data(), t.json.size(), scratch.data(), len) != simdjson::SUCCESS)
        __builtin_trap();
      if (std::string_view(scratch.data(), len) != t.json) __builtin_trap();
    }
    // the event an alert shows is simdjson's re-serialisation of the record, whether it
    // was taken from the record's bytes (flags from the reader or with_flags) or not
    if (sekimori::detect::event_text(r, t) != simdjson::minify(r)) __builtin_trap();
  }
  void malformed(uint64_t, std::string_view) override {}
};

// What a reader hands out, in order; `before` is added to the indices (parts count from 0).
struct Collect : sekimori::detect::RecordSink {
  uint64_t before = 0;
  std::vector<std::string> seen;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t index) override {
    seen.push_back(std::to_string(offset) + " " + std::to_string(before + index) + " " + simdjson::minify(r));
  }
  void malformed(uint64_t offset, std::string_view message) override {
    seen.push_back(std::to_string(offset) + " ! " + std::string(message));
  }
};

// read_file() against a LineSplitter's parts of `path`.
void compare_split(const std::string& path, const sekimori::detect::ReaderLimits& limits,
                   uint64_t part_bytes) {
  sekimori::detect::RecordReader reader(limits);
  Collect whole, parts;
  sekimori::detect::ReadStats st;
  sekimori::core::Status whole_status = reader.read_file(path, whole, st);
  sekimori::detect::LineSplitter splitter(path, limits, part_bytes);
  sekimori::core::Status split_status;
  while (auto part = splitter.next()) {
    sekimori::detect::ReadStats ps;
    if (!split_status.ok()) __builtin_trap();  // nothing after an error
    split_status = reader.read_split(*part, parts, ps);
    parts.before += ps.records;
    splitter.recycle(std::move(part));
  }
  if (whole_status.ok() != split_status.ok() || parts.seen != whole.seen) __builtin_trap();
  // an error is reported where reading stopped, the same place either way
  auto stopped = [](const sekimori::core::Status& s) {
    return s.ok() || !s.error().location ? UINT64_MAX : s.error().location->offset;
  };
  if (stopped(whole_status) != stopped(split_status)) __builtin_trap();
}

void compare_parts(const uint8_t* data, size_t size) {
  if (size == 0) return;
  int fd = memfd_create("lines", 0);
  if (fd < 0) return;
  if (write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  sekimori::detect::ReaderLimits limits;
  limits.chunk_bytes = 64;  // stream in small chunks; lines are never over the limit
  limits.max_line_bytes = uint64_t{1} << 40;
  limits.max_document_bytes = 1 << 20;  // keeps each input's whole-file decompression small
  bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (size <= 8192) {
    // read in chunks of 64 bytes (a document of records is then streamed window by window,
    // and so is gzip), the input gives what reading it whole gives when that finds no problem
    sekimori::detect::ReaderLimits whole_limits;
    whole_limits.max_document_bytes = 1 << 20;
    sekimori::detect::RecordReader whole_reader(whole_limits), streamer(limits);
    Collect whole, streamed;
    sekimori::detect::ReadStats ws, ss;
    if (whole_reader.read_bytes(std::string_view(reinterpret_cast<const char*>(data), size), whole, ws)
            .ok() &&
        ws.malformed == 0) {
      if (!streamer.read_file(path, streamed, ss).ok() || streamed.seen != whole.seen) __builtin_trap();
    }
  }
  if (gz) {
    sekimori::detect::ReaderLimits gz_limits = limits;
    gz_limits.max_line_bytes = 4096;  // a long line is re-scanned per chunk: keep tiny chunks cheap
    sekimori::detect::RecordReader reader(gz_limits);
    Sink sink;
    sink.size = uint64_t{1} << 40;  // streamed: offsets are not bounded by the input's size
    sekimori::detect::ReadStats st;
    (void)reader.read_file(path, sink, st);
    compare_split(path, gz_limits, 1 + data[size - 1] % 97);
  } else {
    compare_split(path, limits, 1 + data[size - 1] % 97);
  }
  if (!gz && sekimori::detect::RecordReader::is_json_lines_file(path, limits)) {
    sekimori::detect::RecordReader reader(limits);
    Collect whole, parts;
    sekimori::detect::ReadStats st;
    if (!reader.read_file(path, whole, st).ok()) __builtin_trap();
    uint64_t part = 1 + data[0] % 97;
    for (uint64_t begin = 0; begin < size; begin += part) {
      sekimori::detect::ReadStats ps;
      if (!reader.read_part(path, begin, begin + part, parts, ps).ok()) __builtin_trap();
      parts.before += ps.records;
    }
    if (parts.seen != whole.seen) __builtin_trap();
  }
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (uint64_t by_record : {UINT64_MAX, uint64_t{0}}) {
    sekimori::detect::ReaderLimits limits;
    limits.max_document_bytes = 1 << 20;
    limits.max_line_bytes = 1 << 16;
    limits.by_record_bytes = by_record;
    sekimori::detect::RecordReader reader(limits);
    Sink sink;
    sink.size = limits.max_document_bytes;
    sekimori::detect::ReadStats stats;
    (void)reader.read_bytes(std::string_view(reinterpret_cast<const char*>(data), size), sink, stats);
  }
  compare_parts(data, size);
  return 0;
}
