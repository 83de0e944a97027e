// Fuzz target: the governance import parser (store::parse_governance) on arbitrary bytes,
// with small limits. Property: whatever parses exports to JSON that parses again to the
// same export (export is a fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <string>

#include "store/governance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  store::ImportLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 8;
  limits.max_string = 4096;
  limits.max_records = 200;
  limits.max_list = 32;
  store::Vocabulary vocab;
  vocab.is_threat = [](std::string_view k) { return k.size() == 3 && k[0] == 'T'; };
  vocab.is_rule = [](std::string_view id) { return id.rfind("SKM-", 0) == 0; };
  vocab.service_model = [](std::string_view m) -> std::optional<std::string> {
    if (m == "SaaS" || m == "saas") return std::string("SaaS");
    if (m == "PaaS" || m == "paas") return std::string("PaaS");
    return std::nullopt;
  };
  core::Diagnostics diags;
  auto parsed = store::parse_governance("fuzz.json", std::string(reinterpret_cast<const char*>(data), size),
                                        vocab, limits, diags);
  if (!parsed.ok()) {
    if (diags.empty() && parsed.error().code.empty()) __builtin_trap();  // an error must say what is wrong
    return 0;
  }
  std::string once = store::export_governance(std::move(parsed).value());
  core::Diagnostics again_diags;
  store::ImportLimits roomy = limits;
  roomy.max_bytes = 1 << 24;
  roomy.max_string = 1 << 16;
  auto again = store::parse_governance("again.json", once, vocab, roomy, again_diags);
  if (!again.ok()) __builtin_trap();
  if (store::export_governance(std::move(again).value()) != once) __builtin_trap();
  return 0;
}
