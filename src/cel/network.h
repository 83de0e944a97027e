// sekimori::cel network helpers — IP and CIDR parsing, formatting and set operations,
// shared by the CEL network extension and (later) by rules that reason about networks.
//
//   auto c = parse_cidr("10.0.0.0/8");            // Result<CidrBlock>
//   bool in = contains(*c, *parse_ip("10.1.2.3")); // true
//   is_public(*parse_cidr("0.0.0.0/0"));           // true: reaches public addresses
//
// Parsing follows the CEL network extension (as Kubernetes defines it): dotted-quad
// IPv4 without leading zeros, RFC 4291 IPv6 text (with embedded IPv4 allowed), no zone
// identifiers; IPv4-mapped IPv6 addresses are rejected by `ip()`.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "cel/value.h"
#include "core/result.h"

namespace sekimori::cel {

core::Result<IpAddress> parse_ip(std::string_view s);
core::Result<CidrBlock> parse_cidr(std::string_view s);
std::string format_ip(const IpAddress& ip);     // RFC 5952 canonical for IPv6
std::string format_cidr(const CidrBlock& cidr);  // "10.0.0.0/8" (address as written)

// The block with host bits cleared.
CidrBlock masked(const CidrBlock& c);
bool contains(const CidrBlock& c, const IpAddress& ip);
bool contains(const CidrBlock& outer, const CidrBlock& inner);
bool overlaps(const CidrBlock& a, const CidrBlock& b);
// True when the block contains at least one globally routable (public) address: not
// entirely inside private (RFC 1918, fc00::/7), loopback, link-local, shared (100.64/10),
// documentation, multicast, reserved or unspecified ranges.
bool is_public(const CidrBlock& c);
bool is_public(const IpAddress& ip);

}  // namespace sekimori::cel
