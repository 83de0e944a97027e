// Private to the function library (src/terraform/functions*.cc): the function table and
// argument helpers shared by the function groups.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "terraform/functions.h"
#include "terraform/types.h"
#include "terraform/value.h"

namespace sekimori::terraform::fn {

using Impl = core::Result<Value> (*)(std::span<const Value> args, const FunctionContext& ctx);

enum Flags : uint8_t {
  kAllowNull = 1,     // null arguments reach the implementation
  kPartial = 2,       // arguments that contain unknowns (but are not unknown) reach it
  kAllowUnknown = 4,  // unknown arguments reach it (it decides)
  kOwnMarks = 8,      // it handles the sensitive mark itself
};

struct FunctionSpec {
  std::string_view name;
  int min_args;
  int max_args;  // -1: variadic
  Impl impl;
  Type result;  // type of the unknown returned for unknown arguments
  uint8_t flags = 0;
};

using Table = std::vector<FunctionSpec>;

void add_numeric(Table& t);
void add_string(Table& t);
void add_collection(Table& t);
void add_encoding(Table& t);
void add_filesystem(Table& t);
void add_time(Table& t);
void add_crypto(Table& t);
void add_network(Table& t);
void add_conversion(Table& t);

// "terraform.function" with a message.
core::Error fail(std::string message);
// "terraform.function.args": argument `index` (0-based) has the wrong type/value.
core::Error arg_error(size_t index, std::string message);

core::Result<std::string> str_arg(const Value& v, size_t index);
core::Result<Number> num_arg(const Value& v, size_t index);
core::Result<int64_t> int_arg(const Value& v, size_t index);  // integral numbers only
core::Result<bool> bool_arg(const Value& v, size_t index);
// A list, tuple or set (their items); anything else is an error.
core::Result<std::span<const Value>> seq_arg(const Value& v, size_t index);
// A map or object (its members); anything else is an error.
core::Result<std::span<const Member>> map_arg(const Value& v, size_t index);

// Resolves a filesystem function's path (relative to ctx.base_dir) to a canonical path
// inside the scan root; "terraform.function.outside_root" otherwise.
core::Result<std::string> resolve_path(const std::string& path, const FunctionContext& ctx);
// Reads a file (resolve_path, then at most ctx.limits.max_file bytes).
core::Result<std::string> read_file_bytes(const std::string& path, const FunctionContext& ctx);

// A list of strings.
Value string_list(std::vector<std::string> items);
// A list when the items unify to one type, else a tuple.
Value list_or_tuple(std::vector<Value> items);
// The number of Unicode code points in UTF-8 text (invalid bytes count one each).
size_t count_chars(std::string_view s);
// Byte offsets where the user-perceived characters (grapheme clusters) of UTF-8 text
// start, plus the end: combining marks, variation selectors, emoji modifiers and tags,
// zero-width-joiner sequences, regional-indicator pairs and CR LF stay together. A
// simplification of Unicode's segmentation rules (no Hangul or Indic conjuncts).
std::vector<size_t> grapheme_offsets(std::string_view s);
// True when `s` is valid UTF-8.
bool valid_utf8(std::string_view s);

}  // namespace sekimori::terraform::fn
