// IP/CIDR parsing, formatting, containment and public-address classification.
#include "cel/network.h"

#include <gtest/gtest.h>

namespace sekimori::cel {
namespace {

IpAddress ip(std::string_view s) {
  auto r = parse_ip(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : IpAddress{};
}

CidrBlock cidr(std::string_view s) {
  auto r = parse_cidr(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : CidrBlock{};
}

TEST(ParseIp, AcceptsIpv4AndIpv6) {
  EXPECT_FALSE(ip("192.168.0.1").v6);
  EXPECT_EQ(ip("192.168.0.1").bytes[3], 1);
  EXPECT_TRUE(ip("::").v6);
  EXPECT_TRUE(ip("::1").v6);
  EXPECT_EQ(ip("2001:db8::68"), ip("2001:DB8:0:0:0:0:0:68"));
  EXPECT_EQ(ip("1::"), ip("1:0:0:0:0:0:0:0"));
  EXPECT_EQ(ip("::1.2.3.4").bytes[12], 1);
  EXPECT_EQ(ip("64:ff9b::192.0.2.33").bytes[15], 33);
}

TEST(ParseIp, RejectsMalformed) {
  for (std::string_view s :
       {"", "192.168.0.1.0", "192.168.0", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1.2.3.-4",
        "2001:db8:::68", "fe80::1%en0", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "12345::",
        ":1", "1:", "::ffff:192.168.0.1", "1.2.3.4::", "g::1", " 1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4"}) {
    EXPECT_FALSE(parse_ip(s).ok()) << s;
  }
}

TEST(ParseIp, HexMappedAddressIsItsIpv4) {
  EXPECT_EQ(ip("::ffff:c0a8:1"), ip("192.168.0.1"));
  EXPECT_NE(ip("::"), ip("::ffff"));
}

TEST(ParseCidr, Basics) {
  CidrBlock c = cidr("10.1.2.3/8");
  EXPECT_EQ(c.prefix, 8);
  EXPECT_EQ(format_cidr(c), "10.1.2.3/8");
  EXPECT_EQ(format_cidr(masked(c)), "10.0.0.0/8");
  EXPECT_EQ(cidr("::/0").prefix, 0);
  EXPECT_EQ(cidr("2001:db8::/128").prefix, 128);
  for (std::string_view s : {"192.168.0.0/", "192.168.0.0", "192.168.0.0/33", "::/129",
                             "10.0.0.0/08", "10.0.0.0/-1", "fe80::1%en0/24",
                             "::ffff:192.168.0.1/24", "::ffff:c0a8:1/120", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(parse_cidr(s).ok()) << s;
  }
}

TEST(FormatIp, Rfc5952) {
  EXPECT_EQ(format_ip(ip("2001:DB8:0:0:0:0:0:68")), "2001:db8::68");
  EXPECT_EQ(format_ip(ip("2001:db8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");
  EXPECT_EQ(format_ip(ip("2001:0:0:1:0:0:0:1")), "2001:0:0:1::1");
  EXPECT_EQ(format_ip(ip("2001:db8:0:1:1:1:1:1")), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(format_ip(ip("::")), "::");
  EXPECT_EQ(format_ip(ip("::1")), "::1");
  EXPECT_EQ(format_ip(ip("fe80::")), "fe80::");
  EXPECT_EQ(format_ip(ip("0.0.0.0")), "0.0.0.0");
}

TEST(Contains, IpsAndBlocks) {
  EXPECT_TRUE(contains(cidr("192.168.0.0/24"), ip("192.168.0.1")));
  EXPECT_FALSE(contains(cidr("192.168.0.0/24"), ip("192.168.1.1")));
  EXPECT_FALSE(contains(cidr("::/0"), ip("1.2.3.4")));
  EXPECT_TRUE(contains(cidr("0.0.0.0/0"), ip("1.2.3.4")));
  EXPECT_TRUE(contains(cidr("192.168.0.0/24"), cidr("192.168.0.0/25")));
  EXPECT_TRUE(contains(cidr("10.0.0.0/8"), cidr("10.0.0.0/8")));
  EXPECT_FALSE(contains(cidr("192.168.0.0/24"), cidr("192.168.0.0/23")));
  EXPECT_TRUE(contains(cidr("10.1.2.3/8"), ip("10.200.0.0")));
}

TEST(Overlaps, Blocks) {
  EXPECT_TRUE(overlaps(cidr("10.0.0.0/8"), cidr("10.1.0.0/16")));
  EXPECT_TRUE(overlaps(cidr("10.1.0.0/16"), cidr("10.0.0.0/8")));
  EXPECT_FALSE(overlaps(cidr("10.0.0.0/8"), cidr("11.0.0.0/8")));
  EXPECT_FALSE(overlaps(cidr("0.0.0.0/0"), cidr("::/0")));
}

TEST(IsPublic, Ipv4Addresses) {
  EXPECT_TRUE(is_public(ip("8.8.8.8")));
  EXPECT_TRUE(is_public(ip("52.95.110.1")));
  for (std::string_view s : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
                             "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                             "255.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9",
                             "198.18.0.1", "192.0.0.8"}) {
    EXPECT_FALSE(is_public(ip(s))) << s;
  }
  EXPECT_TRUE(is_public(ip("172.32.0.1")));
  EXPECT_TRUE(is_public(ip("100.128.0.1")));
}

TEST(IsPublic, Ipv6Addresses) {
  EXPECT_TRUE(is_public(ip("2600:1f18::1")));
  for (std::string_view s : {"::1", "::", "fe80::1", "fd00::1", "fc00::1", "ff02::1",
                             "2001:db8::1", "64:ff9b::808:808"}) {
    EXPECT_FALSE(is_public(ip(s))) << s;
  }
}

TEST(IsPublic, Blocks) {
  for (std::string_view s : {"0.0.0.0/0", "::/0", "8.0.0.0/4", "0.0.0.0/1", "8.8.8.0/24",
                             "2000::/3", "10.0.0.0/7", "192.168.0.0/15"}) {
    EXPECT_TRUE(is_public(cidr(s))) << s;
  }
  for (std::string_view s : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                             "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "192.0.2.0/24",
                             "224.0.0.0/3", "fc00::/7", "fe80::/10", "::1/128", "::/128",
                             "ff00::/8", "2001:db8::/32", "10.1.2.3/16", "172.16.0.0/13"}) {
    EXPECT_FALSE(is_public(cidr(s))) << s;
  }
}

}  // namespace
}  // namespace sekimori::cel
