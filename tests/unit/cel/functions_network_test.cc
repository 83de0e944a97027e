// The network extension as CEL functions.
#include <gtest/gtest.h>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

Value Ip(std::string s) { return call("ip", {S(std::move(s))}); }
Value Cidr(std::string s) { return call("cidr", {S(std::move(s))}); }

TEST(IpFunction, ParsesAndFormats) {
  EXPECT_TRUE(IsStr(call("string", {Ip("192.168.0.1")}), "192.168.0.1"));
  EXPECT_TRUE(IsStr(call("string", {Ip("2001:db8::68")}), "2001:db8::68"));
  EXPECT_TRUE(IsErr(Ip("192.168.0.1.0")));
  EXPECT_TRUE(IsErr(Ip("2001:db8:::68")));
  EXPECT_TRUE(IsErr(Ip("fe80::1%en0")));
  EXPECT_TRUE(IsErr(Ip("::ffff:192.168.0.1")));
  EXPECT_TRUE(IsErr(call("ip", {I(1)})));
  EXPECT_EQ(call("type", {Ip("1.2.3.4")}).type_name(), "net.IP");
  EXPECT_EQ(Ip("::ffff:c0a8:1").as_ip(), Ip("192.168.0.1").as_ip());
  EXPECT_EQ(Ip("2001:db8::1").as_ip(), Ip("2001:DB8::1").as_ip());
}

TEST(IsIp, All) {
  EXPECT_TRUE(IsBool(call("isIP", {S("192.168.0.1")}), true));
  EXPECT_TRUE(IsBool(call("isIP", {S("192.168.0.1.0")}), false));
  EXPECT_TRUE(IsBool(call("isIP", {S("::1")}), true));
  EXPECT_TRUE(IsErr(call("isIP", {Cidr("192.168.0.0/24")})));
  EXPECT_TRUE(IsBool(call("isCIDR", {S("10.0.0.0/8")}), true));
  EXPECT_TRUE(IsBool(call("isCIDR", {S("10.0.0.0")}), false));
}

TEST(IsCanonical, All) {
  EXPECT_TRUE(IsBool(call("ip.isCanonical", {S("127.0.0.1")}), true));
  EXPECT_TRUE(IsBool(call("ip.isCanonical", {S("2001:db8::1")}), true));
  EXPECT_TRUE(IsBool(call("ip.isCanonical", {S("2001:DB8::68")}), false));
  EXPECT_TRUE(IsBool(call("ip.isCanonical", {S("2001:db8:0:0:0:0:0:1")}), false));
  EXPECT_TRUE(IsErr(call("ip.isCanonical", {S("127.0.0.1.0")})));
}

TEST(IpMethods, Ipv4) {
  EXPECT_TRUE(IsInt(method("family", {Ip("192.168.0.1")}), 4));
  EXPECT_TRUE(IsBool(method("isUnspecified", {Ip("0.0.0.0")}), true));
  EXPECT_TRUE(IsBool(method("isUnspecified", {Ip("127.0.0.1")}), false));
  EXPECT_TRUE(IsBool(method("isLoopback", {Ip("127.0.0.1")}), true));
  EXPECT_TRUE(IsBool(method("isLoopback", {Ip("1.2.3.4")}), false));
  EXPECT_TRUE(IsBool(method("isGlobalUnicast", {Ip("192.168.0.1")}), true));
  EXPECT_TRUE(IsBool(method("isGlobalUnicast", {Ip("255.255.255.255")}), false));
  EXPECT_TRUE(IsBool(method("isLinkLocalMulticast", {Ip("224.0.0.1")}), true));
  EXPECT_TRUE(IsBool(method("isLinkLocalMulticast", {Ip("224.0.1.1")}), false));
  EXPECT_TRUE(IsBool(method("isLinkLocalUnicast", {Ip("169.254.169.254")}), true));
  EXPECT_TRUE(IsBool(method("isLinkLocalUnicast", {Ip("192.168.0.1")}), false));
}

TEST(IpMethods, Ipv6) {
  EXPECT_TRUE(IsInt(method("family", {Ip("2001:db8::68")}), 6));
  EXPECT_TRUE(IsBool(method("isUnspecified", {Ip("::")}), true));
  EXPECT_TRUE(IsBool(method("isLoopback", {Ip("::1")}), true));
  EXPECT_TRUE(IsBool(method("isGlobalUnicast", {Ip("2001:db8::abcd")}), true));
  EXPECT_TRUE(IsBool(method("isGlobalUnicast", {Ip("ff00::1")}), false));
  EXPECT_TRUE(IsBool(method("isLinkLocalMulticast", {Ip("ff02::1")}), true));
  EXPECT_TRUE(IsBool(method("isLinkLocalMulticast", {Ip("fd00::1")}), false));
  EXPECT_TRUE(IsBool(method("isLinkLocalUnicast", {Ip("fe80::1")}), true));
  EXPECT_TRUE(IsBool(method("isLinkLocalUnicast", {Ip("fd80::1")}), false));
  EXPECT_TRUE(IsErr(method("family", {S("::1")})));
}

TEST(CidrFunction, ParsesAndFormats) {
  EXPECT_TRUE(IsErr(Cidr("192.168.0.0/")));
  EXPECT_TRUE(IsErr(Cidr("fe80::1%en0/24")));
  EXPECT_TRUE(IsErr(Cidr("::ffff:192.168.0.1/24")));
  EXPECT_TRUE(IsStr(call("string", {Cidr("2001:db8::/32")}), "2001:db8::/32"));
  EXPECT_TRUE(IsStr(call("string", {Cidr("192.168.0.0/24")}), "192.168.0.0/24"));
  EXPECT_EQ(call("type", {Cidr("10.0.0.0/8")}).type_name(), "net.CIDR");
}

TEST(CidrMethods, Containment) {
  Value c = Cidr("192.168.0.0/24");
  EXPECT_TRUE(IsBool(method("containsIP", {c, Ip("192.168.0.1")}), true));
  EXPECT_TRUE(IsBool(method("containsIP", {c, Ip("192.168.1.1")}), false));
  EXPECT_TRUE(IsBool(method("containsIP", {c, S("192.168.0.1")}), true));
  EXPECT_TRUE(IsErr(method("containsIP", {c, S("not an ip")})));
  EXPECT_TRUE(IsBool(method("containsCIDR", {c, Cidr("192.168.0.0/25")}), true));
  EXPECT_TRUE(IsBool(method("containsCIDR", {c, Cidr("192.168.0.1/32")}), true));
  EXPECT_TRUE(IsBool(method("containsCIDR", {c, Cidr("192.168.0.0/23")}), false));
  EXPECT_TRUE(IsBool(method("containsCIDR", {c, S("192.168.0.0/25")}), true));
  EXPECT_TRUE(IsErr(method("containsCIDR", {c, S("192.168.0.0")})));
  EXPECT_TRUE(IsBool(method("containsIP", {Cidr("2001:db8::/32"), Ip("192.168.1.1")}), false));
  EXPECT_TRUE(IsBool(method("containsCIDR", {Cidr("2001:db8::/32"), Cidr("2001:db8::/33")}), true));
  EXPECT_TRUE(IsErr(method("containsIP", {c, I(1)})));
}

TEST(CidrMethods, Accessors) {
  EXPECT_EQ(method("ip", {Cidr("192.168.0.0/24")}).as_ip(), Ip("192.168.0.0").as_ip());
  EXPECT_EQ(method("ip", {Cidr("2001:db8::/32")}).as_ip(), Ip("2001:db8::").as_ip());
  EXPECT_EQ(method("masked", {Cidr("192.168.0.1/24")}).as_cidr(), Cidr("192.168.0.0/24").as_cidr());
  EXPECT_TRUE(IsInt(method("prefixLength", {Cidr("192.168.0.0/24")}), 24));
  EXPECT_TRUE(IsInt(method("prefixLength", {Cidr("2001:db8::/32")}), 32));
  EXPECT_TRUE(IsErr(method("masked", {Ip("1.2.3.4")})));
}

}  // namespace
}  // namespace sekimori::cel
