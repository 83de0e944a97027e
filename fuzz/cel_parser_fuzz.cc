// Fuzzes cel::parse with default options: any input must give an Ast or an Error, never a
// crash, a hang, unbounded recursion or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cel/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = sekimori::cel::parse(text);
  static_cast<void>(result);
  return 0;
}
