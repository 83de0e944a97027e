// sekimori::core base64 — RFC 4648 base64 (standard alphabet, padded).
//
//   std::string b = base64_encode("hi");        // "aGk="
//   std::optional<std::string> s = base64_decode("aGk=");  // "hi"
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sekimori::core {

std::string base64_encode(std::string_view bytes);
// Accepts padded or unpadded input; nullopt on any character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sekimori::core
