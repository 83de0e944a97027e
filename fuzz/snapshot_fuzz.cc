// Fuzz target: load_snapshot on arbitrary bytes. Snapshots are made by the build, not
// given by users, but damaged bytes must still be an error, never a read out of bounds or
// a runaway loop; and whatever loads must write back to bytes that rebuild the same tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  formats::Limits limits;
  limits.max_depth = 64;
  limits.max_string = 4096;
  limits.max_nodes = 20000;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto doc = formats::load_snapshot("fuzz.snapshot", "", bytes, limits);
  if (!doc.ok()) return 0;
  auto again = formats::load_snapshot("fuzz.snapshot", "", formats::snapshot(*doc), limits);
  if (!again.ok() || again->roots().size() != doc->roots().size()) __builtin_trap();
  for (size_t r = 0; r < doc->roots().size(); ++r) {
    if (!formats::identical(doc->roots()[r], again->roots()[r])) __builtin_trap();
  }
  return 0;
}
