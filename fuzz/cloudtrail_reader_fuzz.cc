// Fuzz target: the CloudTrail record reader (Records files, arrays, JSON lines, gzip) on
// arbitrary bytes with small limits; every record handed out must be an object.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/source.h"

namespace {

struct Sink : sekimori::detect::RecordSink {
  uint64_t size = 0;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t) override {
    if (r.type() != simdjson::dom::element_type::OBJECT) __builtin_trap();
    if (offset > size) __builtin_trap();
  }
  void malformed(uint64_t, std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sekimori::detect::ReaderLimits limits;
  limits.max_document_bytes = 1 << 20;
  limits.max_line_bytes = 1 << 16;
  sekimori::detect::RecordReader reader(limits);
  Sink sink;
  sink.size = limits.max_document_bytes;
  sekimori::detect::ReadStats stats;
  (void)reader.read_bytes(std::string_view(reinterpret_cast<const char*>(data), size), sink, stats);
  return 0;
}
