// Message digests (MD5, SHA-1, SHA-256, SHA-512) through OpenSSL's libcrypto, which uses
// the CPU's SHA extensions where there are some: input hashes of every scanned file and
// Terraform's hash functions. Not for secrets: nothing here is constant-time by contract.
//
//   std::string raw = core::digest(core::DigestAlgorithm::kSha256, bytes);  // 32 bytes
//   std::string h = core::sha256_hex("abc");   // "ba7816bf8f01cfea..."
//
//   core::SeenTexts seen;                      // the same file given twice
//   if (const std::string* first = seen.first_path(text, path)) skip(*first);
//
// Thread-safety: the functions are pure; a SeenTexts is used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace sekimori::core {

enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha512 };

// The raw digest bytes (16, 20, 32 or 64).
[[nodiscard]] std::string digest(DigestAlgorithm algorithm, std::string_view bytes);
// Lowercase hex of any bytes.
[[nodiscard]] std::string hex(std::string_view bytes);
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

// Texts seen so far, by their SHA-256, with the path each was first seen at: the rule
// sets use it to load a rule file once when it is given twice (a --rules directory that
// holds the bundled rules).
class SeenTexts {
 public:
  // The path `text` was first seen at, or nullptr when it is new (it is then remembered
  // with `path`).
  [[nodiscard]] const std::string* first_path(std::string_view text, std::string_view path);
  [[nodiscard]] bool empty() const { return first_.empty(); }

 private:
  std::map<std::string, std::string, std::less<>> first_;  // digest -> path
};

}  // namespace sekimori::core
