#include "core/digest.h"

#include <openssl/evp.h>

namespace sekimori::core {

std::string digest(DigestAlgorithm algorithm, std::string_view bytes) {
  const EVP_MD* md = nullptr;
  switch (algorithm) {
    case DigestAlgorithm::kMd5: md = EVP_md5(); break;
    case DigestAlgorithm::kSha1: md = EVP_sha1(); break;
    case DigestAlgorithm::kSha256: md = EVP_sha256(); break;
    case DigestAlgorithm::kSha512: md = EVP_sha512(); break;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure or a disabled algorithm (FIPS mode for
  // MD5); then the result is empty rather than wrong.
  if (EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) { return hex(digest(DigestAlgorithm::kSha256, bytes)); }

const std::string* SeenTexts::first_path(std::string_view text, std::string_view path) {
  auto [it, added] = first_.try_emplace(digest(DigestAlgorithm::kSha256, text), path);
  return added ? nullptr : &it->second;
}

}  // namespace sekimori::core
