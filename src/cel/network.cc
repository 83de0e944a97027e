// IP and CIDR parsing, formatting and set operations for the CEL network extension.
//
// Parsing is strict, as the CEL network extension defines it: dotted-quad IPv4 without
// leading zeros, RFC 4291 IPv6 text, no zones. An IPv4-mapped IPv6 address written with
// an embedded dotted quad ("::ffff:1.2.3.4") is rejected; written in hex
// ("::ffff:102:304") it is read as the IPv4 address it maps (the conformance suite
// expects `ip('::ffff:c0a8:1') == ip('192.168.0.1')`). CIDRs never accept mapped
// addresses.
//
// Public address space (is_public): IPv4 is everything outside the special-purpose
// ranges listed in kNonPublicV4; IPv6 is global unicast 2000::/3 minus documentation
// and benchmarking ranges. NAT64 (64:ff9b::/96), IPv4-mapped and other prefixes outside
// 2000::/3 are therefore not public: rules that care about the IPv4 address behind a
// NAT64 address should check that address directly.
#include "cel/network.h"

#include <cstdio>

namespace sekimori::cel {
namespace {

core::Error net_error(std::string message) {
  return core::make_error("cel.network", std::move(message));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_v4(std::string_view s, uint8_t out[4]) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
    size_t start = pos;
    int v = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (pos - start >= 3) return false;
      v = v * 10 + (s[pos] - '0');
      ++pos;
    }
    size_t len = pos - start;
    if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
    out[i] = static_cast<uint8_t>(v);
  }
  return pos == s.size();
}

// RFC 4291 text form; `*embedded_v4` tells whether a dotted quad was used.
bool parse_v6(std::string_view s, std::array<uint8_t, 16>* out, bool* embedded_v4) {
  *embedded_v4 = false;
  std::array<uint8_t, 16> b{};
  int ellipsis = -1;  // byte index where "::" was seen
  size_t i = 0;       // bytes filled
  size_t pos = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    pos = 2;
    if (pos == s.size()) {
      *out = b;
      return true;
    }
  }
  while (pos < s.size()) {
    if (i >= 16) return false;
    size_t start = pos;
    uint32_t v = 0;
    while (pos < s.size() && hex_value(s[pos]) >= 0) {
      if (pos - start >= 4) return false;
      v = (v << 4) | static_cast<uint32_t>(hex_value(s[pos]));
      ++pos;
    }
    if (pos == start) return false;
    if (pos < s.size() && s[pos] == '.') {
      // Embedded IPv4 must be the last 32 bits.
      if (i > 12) return false;
      uint8_t v4[4];
      if (!parse_v4(s.substr(start), v4)) return false;
      for (int k = 0; k < 4; ++k) b[i++] = v4[k];
      *embedded_v4 = true;
      pos = s.size();
      break;
    }
    b[i++] = static_cast<uint8_t>(v >> 8);
    b[i++] = static_cast<uint8_t>(v);
    if (pos == s.size()) break;
    if (s[pos] != ':') return false;
    ++pos;
    if (pos < s.size() && s[pos] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = static_cast<int>(i);
      ++pos;
      if (pos == s.size()) break;
    } else if (pos == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (ellipsis >= 0) {
    if (i == 16) return false;  // "::" must stand for at least one zero group
    size_t n = i - static_cast<size_t>(ellipsis);
    for (size_t k = 0; k < n; ++k) b[15 - k] = b[i - 1 - k];
    for (size_t k = static_cast<size_t>(ellipsis); k < 16 - n; ++k) b[k] = 0;
  } else if (i != 16) {
    return false;
  }
  *out = b;
  return true;
}

bool is_v4_mapped(const std::array<uint8_t, 16>& b) {
  for (int k = 0; k < 10; ++k) {
    if (b[k] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

enum class MappedPolicy { kUnmapHex, kReject };

core::Result<IpAddress> parse_ip_impl(std::string_view s, MappedPolicy policy) {
  IpAddress ip;
  std::string shown(s.substr(0, 64));
  if (s.find(':') == std::string_view::npos) {
    uint8_t v4[4];
    if (!parse_v4(s, v4)) return net_error("IP address '" + shown + "' parse error");
    for (int k = 0; k < 4; ++k) ip.bytes[k] = v4[k];
    return ip;
  }
  if (s.find('%') != std::string_view::npos) {
    return net_error("IP address '" + shown + "' with zone value is not allowed");
  }
  bool embedded = false;
  if (!parse_v6(s, &ip.bytes, &embedded)) return net_error("IP address '" + shown + "' parse error");
  ip.v6 = true;
  if (is_v4_mapped(ip.bytes)) {
    if (embedded || policy == MappedPolicy::kReject) {
      return net_error("IPv4-mapped IPv6 address '" + shown + "' is not allowed");
    }
    IpAddress v4;
    for (int k = 0; k < 4; ++k) v4.bytes[k] = ip.bytes[12 + k];
    return v4;
  }
  return ip;
}

int bit_length(const IpAddress& ip) { return ip.v6 ? 128 : 32; }

// True when the first `bits` bits of a and b agree.
bool same_prefix(const IpAddress& a, const IpAddress& b, int bits) {
  int full = bits / 8;
  for (int k = 0; k < full; ++k) {
    if (a.bytes[k] != b.bytes[k]) return false;
  }
  int rem = bits % 8;
  if (rem == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rem));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

// IPv4 special-purpose ranges (RFC 6890 and successors) that are not globally routable.
constexpr const char* kNonPublicV4[] = {
    "0.0.0.0/8",       // "this network"
    "10.0.0.0/8",      // RFC 1918
    "100.64.0.0/10",   // shared address space (CGNAT)
    "127.0.0.0/8",     // loopback
    "169.254.0.0/16",  // link-local
    "172.16.0.0/12",   // RFC 1918
    "192.0.0.0/24",    // IETF protocol assignments
    "192.0.2.0/24",    // TEST-NET-1
    "192.168.0.0/16",  // RFC 1918
    "198.18.0.0/15",   // benchmarking
    "198.51.100.0/24", // TEST-NET-2
    "203.0.113.0/24",  // TEST-NET-3
    "224.0.0.0/4",     // multicast
    "240.0.0.0/4",     // reserved, including 255.255.255.255
};

// IPv6: public space is 2000::/3 minus these.
constexpr const char* kNonPublicV6[] = {
    "2001:db8::/32",  // documentation
    "3fff::/20",      // documentation (RFC 9637)
    "2001:2::/48",    // benchmarking
};

const std::vector<CidrBlock>& blocks(bool v6) {
  auto build = [](auto& texts) {
    std::vector<CidrBlock> out;
    for (const char* t : texts) {
      auto c = parse_cidr(t);
      if (c.ok()) out.push_back(masked(*c));
    }
    return out;
  };
  static const std::vector<CidrBlock> v4 = build(kNonPublicV4);
  static const std::vector<CidrBlock> v6_blocks = build(kNonPublicV6);
  return v6 ? v6_blocks : v4;
}

// Does `c` (masked) contain an address inside `allowed` and outside every excluded block?
bool has_public(const CidrBlock& c, const CidrBlock& allowed,
                const std::vector<CidrBlock>& excluded) {
  if (!overlaps(c, allowed)) return false;
  bool partial = !contains(allowed, c);
  for (const CidrBlock& e : excluded) {
    if (contains(e, c)) return false;
    if (overlaps(e, c)) partial = true;
  }
  if (!partial) return true;
  // Split and look at both halves; the recursion only follows range boundaries.
  CidrBlock lo = c, hi = c;
  lo.prefix = hi.prefix = c.prefix + 1;
  int bit = c.prefix;
  hi.ip.bytes[bit / 8] = static_cast<uint8_t>(hi.ip.bytes[bit / 8] | (0x80 >> (bit % 8)));
  return has_public(lo, allowed, excluded) || has_public(hi, allowed, excluded);
}

}  // namespace

core::Result<IpAddress> parse_ip(std::string_view s) {
  return parse_ip_impl(s, MappedPolicy::kUnmapHex);
}

core::Result<CidrBlock> parse_cidr(std::string_view s) {
  std::string shown(s.substr(0, 64));
  size_t slash = s.rfind('/');
  if (slash == std::string_view::npos) return net_error("CIDR '" + shown + "' has no prefix length");
  std::string_view bits = s.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || (bits.size() > 1 && bits[0] == '0')) {
    return net_error("CIDR '" + shown + "' has a bad prefix length");
  }
  int prefix = 0;
  for (char c : bits) {
    if (!is_digit(c)) return net_error("CIDR '" + shown + "' has a bad prefix length");
    prefix = prefix * 10 + (c - '0');
  }
  auto ip = parse_ip_impl(s.substr(0, slash), MappedPolicy::kReject);
  if (!ip.ok()) return net_error("CIDR '" + shown + "': " + ip.error().message);
  if (prefix > bit_length(*ip)) return net_error("CIDR '" + shown + "' prefix length out of range");
  return CidrBlock{*ip, prefix};
}

std::string format_ip(const IpAddress& ip) {
  char buf[64];
  if (!ip.v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip.bytes[0], ip.bytes[1], ip.bytes[2],
                  ip.bytes[3]);
    return buf;
  }
  if (is_v4_mapped(ip.bytes)) {
    std::snprintf(buf, sizeof buf, "::ffff:%u.%u.%u.%u", ip.bytes[12], ip.bytes[13],
                  ip.bytes[14], ip.bytes[15]);
    return buf;
  }
  uint16_t groups[8];
  for (int k = 0; k < 8; ++k) groups[k] = static_cast<uint16_t>(ip.bytes[2 * k] << 8 | ip.bytes[2 * k + 1]);
  // RFC 5952: compress the longest run (the first on ties) of two or more zero groups.
  int best = -1, best_len = 0;
  for (int k = 0; k < 8;) {
    if (groups[k] != 0) {
      ++k;
      continue;
    }
    int start = k;
    while (k < 8 && groups[k] == 0) ++k;
    if (k - start > best_len) {
      best = start;
      best_len = k - start;
    }
  }
  if (best_len < 2) best = -1;
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", groups[k]);
    out += buf;
  }
  return out;
}

std::string format_cidr(const CidrBlock& cidr) {
  return format_ip(cidr.ip) + "/" + std::to_string(cidr.prefix);
}

CidrBlock masked(const CidrBlock& c) {
  CidrBlock out = c;
  for (int i = 0; i < bit_length(c.ip); ++i) {
    if (i >= c.prefix) out.ip.bytes[i / 8] = static_cast<uint8_t>(out.ip.bytes[i / 8] & ~(0x80 >> (i % 8)));
  }
  return out;
}

bool contains(const CidrBlock& c, const IpAddress& ip) {
  return c.ip.v6 == ip.v6 && same_prefix(c.ip, ip, c.prefix);
}

bool contains(const CidrBlock& outer, const CidrBlock& inner) {
  return outer.ip.v6 == inner.ip.v6 && outer.prefix <= inner.prefix &&
         same_prefix(outer.ip, inner.ip, outer.prefix);
}

bool overlaps(const CidrBlock& a, const CidrBlock& b) {
  return a.ip.v6 == b.ip.v6 && same_prefix(a.ip, b.ip, a.prefix < b.prefix ? a.prefix : b.prefix);
}

bool is_public(const CidrBlock& c) {
  static const CidrBlock kAllV4{IpAddress{}, 0};
  static const CidrBlock kGlobalV6 = [] {
    CidrBlock b;
    b.ip.v6 = true;
    b.ip.bytes[0] = 0x20;
    b.prefix = 3;
    return b;
  }();
  CidrBlock m = masked(c);
  return has_public(m, c.ip.v6 ? kGlobalV6 : kAllV4, blocks(c.ip.v6));
}

bool is_public(const IpAddress& ip) {
  if (ip.v6 && is_v4_mapped(ip.bytes)) return false;
  return is_public(CidrBlock{ip, bit_length(ip)});
}

}  // namespace sekimori::cel
