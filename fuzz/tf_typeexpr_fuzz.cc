// Fuzzes Terraform type constraints: the input is parsed as an HCL expression, read as a
// type constraint (with optional() defaults), and a few values are converted to it; the
// same expression is also evaluated as a constant. Any input must give a value or an
// error, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hcl/ast.h"
#include "terraform/types.h"

namespace tf = sekimori::terraform;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sekimori::core::Diagnostics diags;
  auto file = sekimori::hcl::parse_expression("type.tf", std::move(text), sekimori::hcl::Limits{}, diags);
  if (!file.ok() || file->expr() == nullptr) return 0;
  auto c = tf::eval_const(*file->expr());
  auto type = tf::parse_type_expr(*file->expr());
  if (!type.ok()) return 0;
  static_cast<void>(type->to_string());
  const tf::Value samples[] = {
      tf::Value::null(),
      tf::Value::unknown(),
      tf::Value::string("1"),
      tf::Value::tuple({tf::Value::number(int64_t{1}), tf::Value::string("a")}),
      tf::Value::object({{"a", tf::Value::string("x")}, {"b", tf::Value::tuple({})}}),
      c.ok() ? *c : tf::Value(),
  };
  for (const auto& v : samples) {
    auto r = tf::convert(v, *type);
    if (r.ok()) static_cast<void>(r->type());
  }
  return 0;
}
