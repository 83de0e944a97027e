// Hash and crypto functions: MD5, SHA-1 and SHA-2 through core/digest.h (OpenSSL).
// uuid() and bcrypt() are random, so unknown.
#include <string>

#include "core/base64.h"
#include "core/digest.h"
#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

std::string md5(std::string_view msg) { return core::digest(core::DigestAlgorithm::kMd5, msg); }
std::string sha1(std::string_view msg) { return core::digest(core::DigestAlgorithm::kSha1, msg); }
std::string sha256(std::string_view msg) { return core::digest(core::DigestAlgorithm::kSha256, msg); }
std::string sha512(std::string_view msg) { return core::digest(core::DigestAlgorithm::kSha512, msg); }
using core::hex;

using HashFn = std::string (*)(std::string_view);

template <HashFn H, bool kBase64>
core::Result<Value> f_hash(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  const std::string digest = H(s);
  return Value::string(kBase64 ? core::base64_encode(digest) : hex(digest));
}

template <HashFn H, bool kBase64>
core::Result<Value> f_filehash(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string path, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string data, read_file_bytes(path, ctx));
  const std::string digest = H(data);
  return Value::string(kBase64 ? core::base64_encode(digest) : hex(digest));
}

core::Result<Value> f_unknown_string(Args, const FunctionContext&) { return Value::unknown(Type::string()); }

bool parse_uuid(std::string_view s, std::string& bytes) {
  bytes.clear();
  std::string compact;
  for (char c : s) {
    if (c != '-') compact += c;
  }
  if (compact.size() != 32 || s.size() != 36) return false;
  for (size_t i = 0; i < 32; i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nib(compact[i]);
    const int lo = nib(compact[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

// uuidv5(namespace, name): RFC 4122 name-based UUID with SHA-1; deterministic.
core::Result<Value> f_uuidv5(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string ns, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string name, str_arg(a[1], 1));
  std::string ns_bytes;
  if (ns == "dns") {
    ns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  } else if (ns == "url") {
    ns = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
  } else if (ns == "oid") {
    ns = "6ba7b812-9dad-11d1-80b4-00c04fd430c8";
  } else if (ns == "x500") {
    ns = "6ba7b814-9dad-11d1-80b4-00c04fd430c8";
  }
  if (!parse_uuid(ns, ns_bytes)) return arg_error(0, "must be \"dns\", \"url\", \"oid\", \"x500\" or a UUID");
  std::string digest = sha1(ns_bytes + name).substr(0, 16);
  digest[6] = static_cast<char>((static_cast<unsigned char>(digest[6]) & 0x0F) | 0x50);
  digest[8] = static_cast<char>((static_cast<unsigned char>(digest[8]) & 0x3F) | 0x80);
  const std::string h = hex(digest);
  return Value::string(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
                       "-" + h.substr(20));
}

}  // namespace

void add_crypto(Table& t) {
  const Type str = Type::string();
  t.push_back({"md5", 1, 1, f_hash<md5, false>, str});
  t.push_back({"sha1", 1, 1, f_hash<sha1, false>, str});
  t.push_back({"sha256", 1, 1, f_hash<sha256, false>, str});
  t.push_back({"sha512", 1, 1, f_hash<sha512, false>, str});
  t.push_back({"base64sha256", 1, 1, f_hash<sha256, true>, str});
  t.push_back({"base64sha512", 1, 1, f_hash<sha512, true>, str});
  t.push_back({"filemd5", 1, 1, f_filehash<md5, false>, str});
  t.push_back({"filesha1", 1, 1, f_filehash<sha1, false>, str});
  t.push_back({"filesha256", 1, 1, f_filehash<sha256, false>, str});
  t.push_back({"filesha512", 1, 1, f_filehash<sha512, false>, str});
  t.push_back({"filebase64sha256", 1, 1, f_filehash<sha256, true>, str});
  t.push_back({"filebase64sha512", 1, 1, f_filehash<sha512, true>, str});
  t.push_back({"uuid", 0, 0, f_unknown_string, str});
  t.push_back({"bcrypt", 1, 2, f_unknown_string, str});
  t.push_back({"uuidv5", 2, 2, f_uuidv5, str});
}

}  // namespace sekimori::terraform::fn
