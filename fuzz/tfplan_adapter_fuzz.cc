// Fuzz target: Estate::add_text on arbitrary bytes read as Terraform plan JSON (modules, after_unknown, references), with small limits.
#include "adapter_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_adapter(data, size, sekimori::model::SourceFormat::kTerraformPlan);
}
