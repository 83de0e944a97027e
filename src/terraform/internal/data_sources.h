// Data sources whose result is a function of their arguments alone, computed as the AWS
// provider computes them, so that references to them are known in a static scan:
//
//   aws_iam_policy_document  json, minified_json
//
// Every other data source's unset attributes stay unknown (docs/formats/terraform.md).
#pragma once

#include <string_view>

#include "terraform/value.h"

namespace sekimori::terraform {

// `body` is the data block's evaluated body (attributes, blocks as tuples of objects);
// returns it with the computed attributes added (an unknown string with the known text
// when an identifier, action, resource or condition value is an unknown string), or
// unchanged for other types and when anything else the result depends on is unknown.
[[nodiscard]] Value with_computed_attributes(std::string_view type, Value body);

// What references to a resource or data source of an AWS type see beyond its body: an
// `arn` the configuration does not set is an ARN only the provider knows, an unknown
// string "arn:" + ? (so `principals { identifiers = [aws_iam_role.r.arn] }` is not "*").
[[nodiscard]] Value with_reference_attributes(std::string_view type, Value body);

}  // namespace sekimori::terraform
