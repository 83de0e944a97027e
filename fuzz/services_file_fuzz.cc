// Fuzz target: the governance services file (parse_services) on arbitrary bytes. Every
// input must give a result or an error with diagnostics; nothing may crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "governance/governance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  std::string text(reinterpret_cast<const char*>(data), size);
  core::Diagnostics diags;
  governance::ServicesLimits limits;
  limits.max_entries = 64;
  auto f = governance::parse_services("fuzz.yaml", std::move(text), knowledge::KnowledgeBase::builtin(),
                                      diags, limits);
  if (f.ok()) {
    volatile size_t n =
        f->services.size() + f->types.size() + f->overrides.size() + f->raci.size() + f->roles.size();
    (void)n;
  }
  (void)diags.to_text();
  return 0;
}
