// Fuzz target: load_json on arbitrary bytes (see loader_fuzz.h).
#include "loader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_loader(data, size, &sekimori::formats::load_json, "fuzz.json");
}
