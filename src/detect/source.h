// sekimori::detect sources — CloudTrail records from files, gzip, JSON lines, stdin.
//
// Accepted inputs (detected from content, not from the file name):
//   - CloudTrail as delivered to S3: {"Records": [ {...}, ... ]}
//   - a JSON array of records, or a single record object
//   - JSON lines: one record (or one {"Records": [...]} object) per line
//   - any of these gzip-compressed: decompressed whole with libdeflate, except gzip files
//     larger than one chunk (8 MiB compressed) of JSON lines or of a document of records,
//     which zlib decompresses as they are read (streamed as the plain forms below are)
// JSON lines are streamed in chunks, so memory is bounded by the chunk size and the
// longest line; so are {"Records": [...]} and array documents larger than one chunk
// (window by window, bounded by the chunk size and the longest record). Other documents
// are parsed whole (bounded by ReaderLimits::max_document_bytes). A record that does not
// parse or is not an object is reported to the sink with its byte offset and skipped;
// reading goes on.
//
//   detect::RecordReader reader;
//   struct Sink : detect::RecordSink { ... } sink;
//   core::Status st = reader.read_file("2024/01/01/x.json.gz", sink);
//
// Thread-safety: one RecordReader per thread (it owns a simdjson parser and buffers).
// Ownership: elements passed to the sink are valid only during the callback.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sekimori::detect {

struct ReaderLimits {
  uint64_t max_document_bytes = uint64_t{2} << 30;  // a whole-document file after gunzip
  uint64_t max_line_bytes = 64 << 20;               // one JSON line, or one record of a streamed document
  uint64_t chunk_bytes = 8 << 20;                   // read size for JSON lines and streamed documents
  // Whole documents of at least this many bytes are parsed record by record (the
  // structural index of the whole document, then each record on its own; the same records
  // are delivered). Smaller ones, and shapes other than {"Records":[...]} and [...] of
  // objects, are parsed as one document.
  uint64_t by_record_bytes = 256 << 10;
};

// A record's own bytes in the input, found from the parser's structural index (no second
// parse). `json` is empty when the reader could not tell them (the record is then still
// delivered). `plain_numbers`: every number in the record is an integer of at most 18
// digits (and not -0), so the record's whitespace-stripped bytes equal simdjson's
// re-serialisation of it unless a string uses a `\u` or `\/` escape. `minified`: there is
// no whitespace outside strings (the bytes are already what minifying them would give).
// The reader sets these two flags itself when the pass that cuts the records found no
// number in the record. Otherwise it leaves them to be found on demand (most records
// raise no alert and never need them): it hands the record's tokens instead (the
// positions in the input of its structural characters and scalar starts, from simdjson's
// stage 1; valid, like `json`, during the sink's call), and with_flags() sets the flags
// from them.
struct RecordText {
  std::string_view json;
  bool plain_numbers = false;
  bool minified = false;
  const uint32_t* tokens = nullptr;  // null once the flags are set
  uint32_t token_count = 0;
};
// `text` with plain_numbers and minified set (from its tokens, if they were left).
RecordText with_flags(RecordText text);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A record (a JSON object). `offset` is the byte offset of its document in the
  // decompressed input (its line for JSON lines, the file's document otherwise);
  // `index` counts records in the file from 0.
  virtual void record(simdjson::dom::element record, uint64_t offset, uint64_t index) = 0;
  // What the reader calls: the record with its text (valid during the call). The default
  // forwards to record(); sinks that scan or copy the raw bytes override it.
  virtual void record_with_text(simdjson::dom::element rec, RecordText text, uint64_t offset, uint64_t index) {
    (void)text;
    record(rec, offset, index);
  }
  virtual void malformed(uint64_t offset, std::string_view message) = 0;
};

struct ReadStats {
  uint64_t bytes_read = 0;     // bytes of the file as stored
  uint64_t bytes_decoded = 0;  // bytes of JSON after decompression
  uint64_t records = 0;
  uint64_t malformed = 0;
  bool gzip = false;
};

// An input that can only be read front to back, standard input or a gzip file larger than
// one read chunk, cut into parts of whole lines so that several readers can parse it at
// once (hunt(); plain files are cut with RecordReader::read_part() instead). The input's
// form is told as read_file() tells it: JSON lines, plain or gzip, come in parts of about
// `part_bytes` each; anything else (a whole document) comes as one part holding the input
// as stored. A line longer than ReaderLimits::max_line_bytes ends a part and is skipped
// (reported as malformed by the part's reader), so a part holds at most `part_bytes` plus
// one line. Not thread-safe, except recycle(): one caller cuts the parts, in order.
//
//   detect::LineSplitter split("-", limits, 8 << 20);
//   while (auto part = split.next()) {
//     reader.read_split(*part, sink, stats);
//     split.recycle(std::move(part));
//   }
class LineSplitter {
 public:
  struct Part;  // opaque: read by RecordReader::read_split()
  struct PartDeleter {
    void operator()(Part* part) const;
  };
  using PartPtr = std::unique_ptr<Part, PartDeleter>;

  LineSplitter(std::string path, ReaderLimits limits, uint64_t part_bytes);
  ~LineSplitter();
  LineSplitter(const LineSplitter&) = delete;
  LineSplitter& operator=(const LineSplitter&) = delete;

  // The next part, or null after the last one. A read error ends the input: the part that
  // met it carries it (RecordReader::read_split() returns it after the part's records).
  PartPtr next();
  // Gives a part back once read, so that its buffer holds the next part (its pages stay
  // mapped). May be called from any thread.
  void recycle(PartPtr part);
  // Where a part starts in the decompressed input, and whether it is the input's last.
  static uint64_t base(const Part& part);
  static bool last(const Part& part);
  // Whether hunt() reads `path` through a splitter: standard input ("-"), or a gzip file
  // larger than one read chunk.
  static bool wants(const std::string& path, const ReaderLimits& limits);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RecordReader {
 public:
  explicit RecordReader(ReaderLimits limits = {});
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Reads a file ("-" is standard input). File-level failures (unreadable, corrupt gzip,
  // too large) return an error (`detect.input.*`); record-level problems go to the sink.
  core::Status read_file(const std::string& path, RecordSink& sink, ReadStats& stats);
  // Reads the part of a JSON-lines file made of the lines that start in [begin, end)
  // (byte offsets; a line starts at 0 or after a newline), as read_file() reads them in the
  // whole file, except that `index` counts from 0 in the part. Parts cut at any offsets
  // cover each line once, so a large file can be read by several readers at once (hunt()).
  core::Status read_part(const std::string& path, uint64_t begin, uint64_t end, RecordSink& sink,
                         ReadStats& stats);
  // Whether read_file() would read `path` as JSON lines streamed chunk by chunk (a plain
  // file, larger than one chunk, whose first line is a complete JSON object): such a file
  // can be read in parts. False when it cannot be opened (read_file() reports that).
  static bool is_json_lines_file(const std::string& path, const ReaderLimits& limits);
  // Reads bytes already in memory (gzip or not), as read_file would.
  core::Status read_bytes(std::string_view data, RecordSink& sink, ReadStats& stats);
  // Reads a part cut by a LineSplitter (above) as read_file() reads those lines in the
  // whole input, except that `index` counts from 0 in the part (as for read_part()).
  core::Status read_split(LineSplitter::Part& part, RecordSink& sink, ReadStats& stats);

 private:
  friend class LineSplitter;
  static bool looks_like_lines(std::string_view head);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Expands inputs: directories recursively (sorted; names starting with '.' skipped).
core::Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& inputs);

}  // namespace sekimori::detect
