// sekimori::hcl::to_hcl2json — a parsed native-syntax file as the JSON that the
// `hcl2json` tool (tmccombs/hcl2json, as bundled in the npm package @cdktf/hcl2json)
// prints for it.
//
// Used by the differential test against HashiCorp's parser (tests/hcl/) and handy to
// look at what a file parsed to. The rules are hcl2json's, quirks included (see
// docs/formats/hcl.md): blocks nest by type and labels and always end in an array of
// bodies; attributes whose value is a literal, a tuple or an object become JSON values;
// a template becomes its literal text with each interpolation written back as
// "${source}" and directives as "%{if ...}"/"%{for ...}"; any other expression becomes
// "${source}".
//
//   auto file = hcl::parse_native("main.tf", text, {}, diags);
//   std::string json = hcl::to_hcl2json(*file);   // {"resource":{"aws_s3_bucket":{"b":[{...}]}}}
//
// Thread-safety: pure function of an immutable File.
#pragma once

#include <string>

#include "hcl/ast.h"

namespace sekimori::hcl {

[[nodiscard]] std::string to_hcl2json(const File& file, int indent = 0);

}  // namespace sekimori::hcl
