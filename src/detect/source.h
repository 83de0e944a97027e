// sekimori::detect sources — CloudTrail records from files, gzip, JSON lines, stdin.
//
// Accepted inputs (detected from content, not from the file name):
//   - CloudTrail as delivered to S3: {"Records": [ {...}, ... ]}
//   - a JSON array of records, or a single record object
//   - JSON lines: one record (or one {"Records": [...]} object) per line
//   - any of these gzip-compressed (whole-file decompression with libdeflate)
// JSON lines are streamed in chunks, so memory is bounded by the chunk size and the
// longest line; the other forms are parsed as one document per file (bounded by
// ReaderLimits::max_document_bytes). A record that does not parse or is not an object is
// reported to the sink with its byte offset and skipped; reading goes on.
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
  uint64_t max_line_bytes = 64 << 20;                // one JSON line
  uint64_t chunk_bytes = 8 << 20;                    // read size for JSON lines
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
// The reader leaves these two flags to be found on demand: most records raise no alert and
// never need them, so it hands the record's tokens instead (the positions in the input of
// its structural characters and scalar starts, from simdjson's stage 1; valid, like
// `json`, during the sink's call), and with_flags() sets the flags from them.
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Expands inputs: directories recursively (sorted; names starting with '.' skipped).
core::Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& inputs);

}  // namespace sekimori::detect
