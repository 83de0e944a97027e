// The CEL network extension (as Kubernetes and cel-go define it): ip(), cidr(), isIP,
// isCIDR, ip.isCanonical, IP inspection methods and CIDR containment. Parsing and the
// address arithmetic live in network.cc; string(ip) and string(cidr) are conversions in
// functions_standard.cc.
#include "cel/functions.h"
#include "cel/network.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

Value ip_impl(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("ip");
  auto ip = parse_ip(a[0].as_string());
  if (!ip.ok()) return Value::error(ip.error().message);
  return Value::ip(*ip);
}

Value cidr_impl(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("cidr");
  auto c = parse_cidr(a[0].as_string());
  if (!c.ok()) return Value::error(c.error().message);
  return Value::cidr(*c);
}

Value is_ip(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("isIP");
  return Value::boolean(parse_ip(a[0].as_string()).ok());
}

Value is_cidr(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("isCIDR");
  return Value::boolean(parse_cidr(a[0].as_string()).ok());
}

Value is_canonical(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kString) return Value::no_overload("ip.isCanonical");
  auto ip = parse_ip(a[0].as_string());
  if (!ip.ok()) return Value::error(ip.error().message);
  return Value::boolean(format_ip(*ip) == a[0].as_string());
}

bool in_v4(const IpAddress& ip, uint8_t b0, uint8_t b1, int prefix) {
  IpAddress net;
  net.bytes[0] = b0;
  net.bytes[1] = b1;
  return !ip.v6 && contains(CidrBlock{net, prefix}, ip);
}

bool in_v6(const IpAddress& ip, uint8_t b0, uint8_t b1, int prefix) {
  IpAddress net;
  net.v6 = true;
  net.bytes[0] = b0;
  net.bytes[1] = b1;
  return ip.v6 && contains(CidrBlock{net, prefix}, ip);
}

bool is_unspecified(const IpAddress& ip) {
  for (int k = 0; k < (ip.v6 ? 16 : 4); ++k) {
    if (ip.bytes[k] != 0) return false;
  }
  return true;
}

bool is_loopback(const IpAddress& ip) {
  if (!ip.v6) return ip.bytes[0] == 127;
  for (int k = 0; k < 15; ++k) {
    if (ip.bytes[k] != 0) return false;
  }
  return ip.bytes[15] == 1;
}

bool is_multicast(const IpAddress& ip) { return in_v4(ip, 224, 0, 4) || in_v6(ip, 0xff, 0, 8); }

bool is_link_local_unicast(const IpAddress& ip) {
  return in_v4(ip, 169, 254, 16) || in_v6(ip, 0xfe, 0x80, 10);
}

bool is_link_local_multicast(const IpAddress& ip) {
  if (!ip.v6) return ip.bytes[0] == 224 && ip.bytes[1] == 0 && ip.bytes[2] == 0;
  return in_v6(ip, 0xff, 0x02, 16);
}

// Go's netip.Addr.IsGlobalUnicast: private and ULA addresses count as global unicast.
bool is_global_unicast(const IpAddress& ip) {
  if (!ip.v6 && ip.bytes[0] == 255 && ip.bytes[1] == 255 && ip.bytes[2] == 255 &&
      ip.bytes[3] == 255) {
    return false;
  }
  return !is_unspecified(ip) && !is_loopback(ip) && !is_multicast(ip) &&
         !is_link_local_unicast(ip);
}

template <int kWhich>
Value ip_predicate(Args a, const CallContext&) {
  static constexpr const char* kNames[] = {"isUnspecified", "isLoopback", "isGlobalUnicast",
                                           "isLinkLocalMulticast", "isLinkLocalUnicast"};
  if (a[0].kind() != Kind::kIp) return Value::no_overload(kNames[kWhich]);
  const IpAddress& ip = a[0].as_ip();
  switch (kWhich) {
    case 0: return Value::boolean(is_unspecified(ip));
    case 1: return Value::boolean(is_loopback(ip));
    case 2: return Value::boolean(is_global_unicast(ip));
    case 3: return Value::boolean(is_link_local_multicast(ip));
    default: return Value::boolean(is_link_local_unicast(ip));
  }
}

Value family(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kIp) return Value::no_overload("family");
  return Value::integer(a[0].as_ip().v6 ? 6 : 4);
}

Value contains_ip(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("containsIP");
  if (a[1].kind() == Kind::kIp) return Value::boolean(contains(a[0].as_cidr(), a[1].as_ip()));
  if (a[1].kind() != Kind::kString) return Value::no_overload("containsIP");
  auto ip = parse_ip(a[1].as_string());
  if (!ip.ok()) return Value::error(ip.error().message);
  return Value::boolean(contains(a[0].as_cidr(), *ip));
}

Value contains_cidr(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("containsCIDR");
  if (a[1].kind() == Kind::kCidr) return Value::boolean(contains(a[0].as_cidr(), a[1].as_cidr()));
  if (a[1].kind() != Kind::kString) return Value::no_overload("containsCIDR");
  auto c = parse_cidr(a[1].as_string());
  if (!c.ok()) return Value::error(c.error().message);
  return Value::boolean(contains(a[0].as_cidr(), *c));
}

Value cidr_ip(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("ip");
  return Value::ip(a[0].as_cidr().ip);
}

Value cidr_masked(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("masked");
  return Value::cidr(masked(a[0].as_cidr()));
}

Value prefix_length(Args a, const CallContext&) {
  if (a[0].kind() != Kind::kCidr) return Value::no_overload("prefixLength");
  return Value::integer(a[0].as_cidr().prefix);
}

}  // namespace

void register_network_extensions(FunctionRegistry& reg) {
  reg.add({"ip", CallStyle::kGlobal, 1, &ip_impl});
  reg.add({"cidr", CallStyle::kGlobal, 1, &cidr_impl});
  reg.add({"isIP", CallStyle::kGlobal, 1, &is_ip});
  reg.add({"isCIDR", CallStyle::kGlobal, 1, &is_cidr});
  reg.add({"ip.isCanonical", CallStyle::kGlobal, 1, &is_canonical});
  reg.add({"family", CallStyle::kReceiver, 1, &family});
  reg.add({"isUnspecified", CallStyle::kReceiver, 1, &ip_predicate<0>});
  reg.add({"isLoopback", CallStyle::kReceiver, 1, &ip_predicate<1>});
  reg.add({"isGlobalUnicast", CallStyle::kReceiver, 1, &ip_predicate<2>});
  reg.add({"isLinkLocalMulticast", CallStyle::kReceiver, 1, &ip_predicate<3>});
  reg.add({"isLinkLocalUnicast", CallStyle::kReceiver, 1, &ip_predicate<4>});
  reg.add({"containsIP", CallStyle::kReceiver, 2, &contains_ip});
  reg.add({"containsCIDR", CallStyle::kReceiver, 2, &contains_cidr});
  reg.add({"ip", CallStyle::kReceiver, 1, &cidr_ip});
  reg.add({"masked", CallStyle::kReceiver, 1, &cidr_masked});
  reg.add({"prefixLength", CallStyle::kReceiver, 1, &prefix_length});
}

}  // namespace sekimori::cel
