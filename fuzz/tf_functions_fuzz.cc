// Fuzzes the Terraform functions that parse text (jsondecode, yamldecode, csvdecode,
// format, regex/regexall/replace, cidr*, formatdate/timeadd, base64 and text decoding,
// parseint) with small limits. The first byte picks the function; the rest is split at
// the first newline into up to two string arguments. Any input must give a value or an
// error, never a crash, a hang or a sanitizer report. JSON results must round-trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "terraform/functions.h"

namespace tf = sekimori::terraform;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kFunctions[] = {
      "jsondecode",   "yamldecode",       "csvdecode",   "format",      "regex",      "regexall", "replace",
      "cidrsubnet",   "cidrhost",         "cidrnetmask", "cidrsubnets", "formatdate", "timeadd",  "timecmp",
      "base64decode", "textdecodebase64", "parseint",    "formatlist",  "split",      "substr",   "title",
      "trim",
  };
  const size_t n = sizeof(kFunctions) / sizeof(kFunctions[0]);
  const char* fn = kFunctions[data[0] % n];
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string a = rest;
  std::string b;
  if (const size_t nl = rest.find('\n'); nl != std::string::npos) {
    a = rest.substr(0, nl);
    b = rest.substr(nl + 1);
  }
  tf::FunctionContext ctx;
  ctx.limits.max_string = 1 << 16;
  ctx.limits.max_elements = 10'000;
  ctx.limits.max_depth = 64;
  std::vector<tf::Value> args{tf::Value::string(a)};
  const std::string name(fn);
  if (name == "cidrsubnet") {
    args = {tf::Value::string(a), tf::Value::number(int64_t{static_cast<int64_t>(b.size() % 40)}),
            tf::Value::number(int64_t{static_cast<int64_t>(b.size())})};
  } else if (name == "cidrhost") {
    args = {tf::Value::string(a), tf::Value::number(int64_t{static_cast<int64_t>(b.size()) - 3})};
  } else if (name == "cidrsubnets") {
    args = {tf::Value::string(a)};
    for (char c : b) args.push_back(tf::Value::number(int64_t{static_cast<unsigned char>(c) % 40}));
  } else if (name == "parseint") {
    args = {tf::Value::string(a), tf::Value::number(int64_t{static_cast<int64_t>(b.size() % 64)})};
  } else if (name == "substr") {
    args = {tf::Value::string(a), tf::Value::number(int64_t{static_cast<int64_t>(b.size() % 7) - 3}),
            tf::Value::number(int64_t{static_cast<int64_t>(b.size() % 5) - 1})};
  } else if (name == "replace") {
    const size_t nl = b.find('\n');
    args = {tf::Value::string(a), tf::Value::string(b.substr(0, nl)),
            tf::Value::string(nl == std::string::npos ? "" : b.substr(nl + 1))};
  } else if (name == "format" || name == "formatlist") {
    args.push_back(tf::Value::string(b));
    args.push_back(tf::Value::number(int64_t{static_cast<int64_t>(size)}));
    args.push_back(tf::Value::tuple({tf::Value::boolean(true), tf::Value::number(1.5)}));
  } else if (name != "jsondecode" && name != "yamldecode" && name != "csvdecode" && name != "base64decode" &&
             name != "cidrnetmask" && name != "title") {
    args.push_back(tf::Value::string(b));
  }
  auto r = tf::call_function(fn, args, ctx);
  if (r.ok()) {
    auto json = tf::to_json(*r);
    if (json.ok() && (name == "jsondecode" || name == "yamldecode")) {
      auto back = tf::from_json(*json);
      if (back.ok()) {
        auto again = tf::to_json(*back);
        if (!again.ok() || *again != *json) __builtin_trap();
      }
    }
    std::vector<tf::Value> enc{*r};
    auto y = tf::call_function("yamlencode", enc, ctx);
    static_cast<void>(y);
  }
  return 0;
}
