// Fuzz target: Sigma rule loading and compilation on arbitrary bytes, then one match
// against a fixed CloudTrail record (exercises every compiled pattern).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/sigma.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sekimori;
  detect::RuleLimits limits;
  limits.max_file_bytes = 1 << 16;
  limits.max_documents = 16;
  limits.max_values = 256;
  detect::RuleSet set(limits);
  core::Diagnostics diags;
  set.add_text("fuzz.yml", std::string(reinterpret_cast<const char*>(data), size), diags);
  detect::EngineOptions opts;
  opts.max_variants = 256;
  opts.placeholders["p"] = {"a", "b"};
  auto engine = detect::Engine::build(set, opts, diags);
  if (!engine.ok()) return 0;
  static const char kEvent[] =
      R"({"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","eventTime":"2024-07-31T13:06:24Z",)"
      R"("userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"sourceIPAddress":"10.1.2.3",)"
      R"("requestParameters":{"items":[{"a":1},{"a":"x*y"}],"n":null},"responseElements":null})";
  simdjson::dom::parser parser;
  auto doc = parser.parse(kEvent, sizeof kEvent - 1);
  if (doc.error()) __builtin_trap();
  std::vector<uint32_t> hits;
  engine->match(doc.value_unsafe(), hits);
  for (uint32_t h : hits) {
    if (h >= engine->rule_count()) __builtin_trap();
  }
  return 0;
}
