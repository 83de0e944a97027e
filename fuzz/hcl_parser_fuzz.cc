// Fuzzes the HCL parsers with default limits: native syntax, a standalone template and
// the JSON syntax (chosen by the first byte), then renders native files as hcl2json
// would. Any input must give a File or an Error, never a crash, a hang, unbounded
// recursion or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hcl/ast.h"
#include "hcl/hcl2json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sekimori::core::Diagnostics diags;
  sekimori::hcl::Limits limits;
  if (!text.empty() && text[0] == '{') {
    auto j = sekimori::hcl::parse_json("f.tf.json", text, limits, diags);
    static_cast<void>(j);
  }
  auto t = sekimori::hcl::parse_template("f.tpl", text, limits, diags);
  static_cast<void>(t);
  auto f = sekimori::hcl::parse_native("f.tf", std::move(text), limits, diags);
  if (f.ok()) {
    std::string json = sekimori::hcl::to_hcl2json(*f);
    static_cast<void>(json);
  }
  return 0;
}
