// Message digests (MD5, SHA-1, SHA-256, SHA-512) through OpenSSL's libcrypto, which uses
// the CPU's SHA extensions where there are some: input hashes of every scanned file and
// Terraform's hash functions. Not for secrets: nothing here is constant-time by contract.
//
//   std::string raw = core::digest(core::DigestAlgorithm::kSha256, bytes);  // 32 bytes
//   std::string h = core::sha256_hex("abc");   // "ba7816bf8f01cfea..."
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sekimori::core {

enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha512 };

// The raw digest bytes (16, 20, 32 or 64).
[[nodiscard]] std::string digest(DigestAlgorithm algorithm, std::string_view bytes);
// Lowercase hex of any bytes.
[[nodiscard]] std::string hex(std::string_view bytes);
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace sekimori::core
