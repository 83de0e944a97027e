// IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets. Addresses are
// held as 128-bit integers (IPv4 in the low 32 bits).
#include <cstdio>

#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;
__extension__ typedef unsigned __int128 U128;

struct Prefix {
  bool v6 = false;
  U128 addr = 0;  // as written (host bits kept)
  int len = 0;
  [[nodiscard]] int bits() const { return v6 ? 128 : 32; }
};

U128 mask_of(int len, int bits) {
  if (len == 0) return 0;
  const U128 all = bits == 128 ? ~U128{0} : ((U128{1} << 32) - 1);
  return (all << (bits - len)) & all;
}

bool parse_v4(std::string_view s, U128& out) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    unsigned n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      n = n * 10 + static_cast<unsigned>(s[i++] - '0');
    if (i == start || n > 255) return false;
    v = (v << 8) | n;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  if (i != s.size()) return false;
  out = v;
  return true;
}

bool parse_v6(std::string_view s, U128& out) {
  uint16_t groups[8] = {};
  int n = 0;
  int gap = -1;
  size_t i = 0;
  if (s.starts_with("::")) {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      out = 0;
      return true;
    }
  }
  while (i < s.size()) {
    if (n >= 8) return false;
    // Embedded IPv4 in the last 32 bits.
    const size_t next_colon = s.find(':', i);
    const std::string_view piece =
        s.substr(i, next_colon == std::string_view::npos ? std::string_view::npos : next_colon - i);
    if (piece.find('.') != std::string_view::npos) {
      if (next_colon != std::string_view::npos || n > 6) return false;
      U128 v4 = 0;
      if (!parse_v4(piece, v4)) return false;
      groups[n++] = static_cast<uint16_t>((v4 >> 16) & 0xFFFF);
      groups[n++] = static_cast<uint16_t>(v4 & 0xFFFF);
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return false;
    unsigned g = 0;
    for (char c : piece) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return false;
      g = g * 16 + static_cast<unsigned>(d);
    }
    groups[n++] = static_cast<uint16_t>(g);
    i += piece.size();
    if (i == s.size()) break;
    ++i;  // ':'
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++i;
    } else if (i == s.size()) {
      return false;  // trailing single colon
    }
  }
  if (gap < 0 && n != 8) return false;
  if (gap >= 0 && n > 7) return false;
  uint16_t full[8] = {};
  if (gap >= 0) {
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    const int tail = n - gap;
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  } else {
    for (int k = 0; k < 8; ++k) full[k] = groups[k];
  }
  out = 0;
  for (uint16_t g : full) out = (out << 16) | g;
  return true;
}

core::Result<Prefix> parse_prefix(std::string_view s, size_t index) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos)
    return arg_error(index, "invalid CIDR address \"" + std::string(s) + "\"");
  Prefix p;
  const std::string_view ip = s.substr(0, slash);
  const std::string_view len = s.substr(slash + 1);
  if (parse_v4(ip, p.addr)) {
    p.v6 = false;
  } else if (parse_v6(ip, p.addr)) {
    p.v6 = true;
  } else {
    return arg_error(index, "invalid CIDR address \"" + std::string(s) + "\"");
  }
  if (len.empty() || len.size() > 3)
    return arg_error(index, "invalid CIDR address \"" + std::string(s) + "\"");
  int n = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return arg_error(index, "invalid CIDR address \"" + std::string(s) + "\"");
    n = n * 10 + (c - '0');
  }
  if (n > p.bits()) return arg_error(index, "invalid CIDR address \"" + std::string(s) + "\"");
  p.len = n;
  return p;
}

std::string format_ip(U128 a, bool v6) {
  char buf[64];
  if (!v6) {
    const auto v = static_cast<uint32_t>(a);
    std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    return buf;
  }
  uint16_t g[8];
  for (int k = 7; k >= 0; --k) {
    g[k] = static_cast<uint16_t>(a & 0xFFFF);
    a >>= 16;
  }
  // Longest run of zero groups (at least two) becomes "::" (RFC 5952).
  int best = -1, best_len = 1;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int j = k;
    while (j < 8 && g[j] == 0) ++j;
    if (j - k > best_len) {
      best = k;
      best_len = j - k;
    }
    k = j;
  }
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof(buf), "%x", g[k]);
    out += buf;
  }
  return out;
}

std::string format_prefix(U128 a, int len, bool v6) { return format_ip(a, v6) + "/" + std::to_string(len); }

core::Result<Value> f_cidrhost(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(Prefix p, parse_prefix(s, 0));
  SKM_TRY_ASSIGN(Number hn, num_arg(a[1], 1));
  if (!hn.is_int) return arg_error(1, "a whole number is required");
  const int host_bits = p.bits() - p.len;
  const U128 base = p.addr & mask_of(p.len, p.bits());
  const U128 size = host_bits >= 128 ? ~U128{0} : (U128{1} << host_bits);
  U128 offset = 0;
  if (hn.i >= 0) {
    offset = static_cast<U128>(hn.i);
    if (host_bits < 127 && offset >= size) {
      return fail("prefix of " + std::to_string(p.len) + " does not accommodate a host numbered " +
                  std::to_string(hn.i));
    }
  } else {
    const auto neg = static_cast<U128>(-(hn.i + 1)) + 1;
    if (host_bits < 127 && neg > size) {
      return fail("prefix of " + std::to_string(p.len) + " does not accommodate a host numbered " +
                  std::to_string(hn.i));
    }
    offset = size - neg;
  }
  return Value::string(format_ip(base + offset, p.v6));
}

core::Result<Value> f_cidrnetmask(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(Prefix p, parse_prefix(s, 0));
  if (p.v6) return fail("IPv6 addresses cannot have a netmask: " + s);
  return Value::string(format_ip(mask_of(p.len, 32), false));
}

core::Result<Value> f_cidrsubnet(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(Prefix p, parse_prefix(s, 0));
  SKM_TRY_ASSIGN(int64_t newbits, int_arg(a[1], 1));
  SKM_TRY_ASSIGN(Number netnum_n, num_arg(a[2], 2));
  if (!netnum_n.is_int) return arg_error(2, "a whole number is required");
  const int64_t netnum = netnum_n.i;
  if (newbits < 0) return arg_error(1, "must not be negative");
  const int64_t new_len = p.len + newbits;
  if (new_len > p.bits()) {
    return fail("insufficient address space to extend prefix of " + std::to_string(p.len) + " by " +
                std::to_string(newbits));
  }
  if (netnum < 0) return arg_error(2, "must not be negative");
  if (newbits < 64 && static_cast<uint64_t>(netnum) >= (uint64_t{1} << newbits)) {
    return fail("prefix extension of " + std::to_string(newbits) +
                " does not accommodate a subnet numbered " + std::to_string(netnum));
  }
  const U128 base = p.addr & mask_of(p.len, p.bits());
  const U128 sub = base | (static_cast<U128>(netnum) << (p.bits() - new_len));
  return Value::string(format_prefix(sub, static_cast<int>(new_len), p.v6));
}

core::Result<Value> f_cidrsubnets(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(Prefix p, parse_prefix(s, 0));
  const int bits = p.bits();
  const U128 all = mask_of(bits, bits);
  const U128 base = p.addr & mask_of(p.len, bits);
  const U128 net_last = base | (~mask_of(p.len, bits) & all);
  if (a.size() == 1) return Value::list({}, Type::string());
  // Start just before the network (as go-cidr's PreviousSubnet), then take successive
  // next subnets of each requested length.
  bool have_current = false;
  U128 cur_last = 0;
  std::vector<std::string> out;
  for (size_t i = 1; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(int64_t nb, int_arg(a[i], i));
    if (nb < 1) return arg_error(i, "must be at least 1");
    const int64_t len = p.len + nb;
    if (len > bits) {
      return arg_error(i, "would extend prefix to " + std::to_string(len) +
                              " bits, which is too long for an " + (p.v6 ? "IPv6" : "IPv4") + " address");
    }
    const U128 m = mask_of(static_cast<int>(len), bits);
    U128 next = 0;
    if (!have_current) {
      next = base & m;
    } else {
      const U128 cur_base = cur_last & m;
      const U128 after = (cur_base | (~m & all)) + 1;
      if ((after & all) == 0) {
        return fail("not enough remaining address space for a subnet with a prefix of " +
                    std::to_string(len) + " bits after " + out.back());
      }
      next = after & m;
    }
    if (next < base || next > net_last) {
      return fail("not enough remaining address space for a subnet with a prefix of " + std::to_string(len) +
                  " bits after " + out.back());
    }
    out.push_back(format_prefix(next, static_cast<int>(len), p.v6));
    cur_last = next | (~m & all);
    have_current = true;
  }
  return string_list(std::move(out));
}

}  // namespace

void add_network(Table& t) {
  const Type str = Type::string();
  t.push_back({"cidrhost", 2, 2, f_cidrhost, str});
  t.push_back({"cidrnetmask", 1, 1, f_cidrnetmask, str});
  t.push_back({"cidrsubnet", 3, 3, f_cidrsubnet, str});
  t.push_back({"cidrsubnets", 1, -1, f_cidrsubnets, Type::list(str)});
}

}  // namespace sekimori::terraform::fn
