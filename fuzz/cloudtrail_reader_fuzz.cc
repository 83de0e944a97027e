// Fuzz target: the CloudTrail record reader (Records files, arrays, JSON lines, gzip) on
// arbitrary bytes with small limits, parsing whole documents both as one document and
// record by record (ReaderLimits::by_record_bytes); every record handed out must be an
// object, and its text (when given) must lie inside the input and, when said to be
// minified (with_flags), be unchanged by minifying.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
  }
  void malformed(uint64_t, std::string_view) override {}
};

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
  return 0;
}
