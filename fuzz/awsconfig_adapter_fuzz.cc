// Fuzz target: Estate::add_text on arbitrary bytes read as AWS Config items (JSON held in strings), with small limits.
#include "adapter_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_adapter(data, size, sekimori::model::SourceFormat::kAwsConfig);
}
