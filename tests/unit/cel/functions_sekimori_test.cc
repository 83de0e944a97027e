// sekimori's extensions: isPublic, isPublicCIDR, overlaps, glob, globAny.
#include <gtest/gtest.h>

#include "cel/functions.h"
#include "test_context.h"

namespace sekimori::cel {
namespace {

using namespace fntest;  // NOLINT

Value Ip(std::string s) { return call("ip", {S(std::move(s))}); }
Value Cidr(std::string s) { return call("cidr", {S(std::move(s))}); }
Value Glob(std::string s, std::string p) { return method("glob", {S(std::move(s)), S(std::move(p))}); }

TEST(IsPublic, IpsAndCidrs) {
  EXPECT_TRUE(IsBool(method("isPublic", {Ip("8.8.8.8")}), true));
  EXPECT_TRUE(IsBool(method("isPublic", {Ip("10.0.0.1")}), false));
  EXPECT_TRUE(IsBool(method("isPublic", {Cidr("0.0.0.0/0")}), true));
  EXPECT_TRUE(IsBool(method("isPublic", {Cidr("::/0")}), true));
  EXPECT_TRUE(IsBool(method("isPublic", {Cidr("10.0.0.0/8")}), false));
  EXPECT_TRUE(IsBool(method("isPublic", {Cidr("8.0.0.0/4")}), true));
  EXPECT_TRUE(IsErr(method("isPublic", {S("0.0.0.0/0")})));
}

TEST(IsPublicCidr, Strings) {
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("0.0.0.0/0")}), true));
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("::/0")}), true));
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("203.0.113.7")}), false));
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("52.1.2.3")}), true));
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("172.16.0.0/12")}), false));
  EXPECT_TRUE(IsBool(call("isPublicCIDR", {S("sg-12345")}), false));
  EXPECT_TRUE(IsErr(call("isPublicCIDR", {I(1)})));
}

TEST(Overlaps, CidrsAndStrings) {
  EXPECT_TRUE(IsBool(method("overlaps", {Cidr("10.0.0.0/8"), Cidr("10.1.0.0/16")}), true));
  EXPECT_TRUE(IsBool(method("overlaps", {Cidr("10.0.0.0/16"), S("10.0.255.0/24")}), true));
  EXPECT_TRUE(IsBool(method("overlaps", {Cidr("10.0.0.0/16"), S("10.1.0.0/16")}), false));
  EXPECT_TRUE(IsBool(method("overlaps", {Cidr("0.0.0.0/0"), Cidr("::/0")}), false));
  EXPECT_TRUE(IsErr(method("overlaps", {Cidr("10.0.0.0/16"), S("nope")})));
  EXPECT_TRUE(IsErr(method("overlaps", {Ip("10.0.0.1"), S("10.0.0.0/8")})));
}

TEST(Glob, Wildcards) {
  EXPECT_TRUE(IsBool(Glob("arn:aws:s3:::logs/2024/app.log", "arn:aws:s3:::logs/*"), true));
  EXPECT_TRUE(IsBool(Glob("abc", "a?c"), true));
  EXPECT_TRUE(IsBool(Glob("abc", "a?"), false));
  EXPECT_TRUE(IsBool(Glob("", "*"), true));
  EXPECT_TRUE(IsBool(Glob("", ""), true));
  EXPECT_TRUE(IsBool(Glob("x", ""), false));
  EXPECT_TRUE(IsBool(Glob("abc", "*c"), true));
  EXPECT_TRUE(IsBool(Glob("abcabd", "*ab?"), true));
  EXPECT_TRUE(IsBool(Glob("mississippi", "m*iss*ppi"), true));
  EXPECT_TRUE(IsBool(Glob("mississippi", "m*iss*ppx"), false));
  EXPECT_TRUE(IsBool(Glob("ü-x", "?-x"), true));
  EXPECT_TRUE(IsBool(Glob("a*b", "a\\*b"), true));
  EXPECT_TRUE(IsBool(Glob("axb", "a\\*b"), false));
}

// ASCII text against an ASCII pattern of literals, `*` and `?` is matched byte by byte;
// everything else through code points. A non-ASCII character on both sides (or a class
// that is the same literal) takes the other path and must not change the answer.
TEST(Glob, BytePathAgreesWithCodePoints) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"iam:*", "iam:*"}, {"iam:passrole", "iam:*"}, {"iam:*", "iam:pass*"}, {"s3:getobject", "s3:get*"},
      {"s3:getobject", "s3:?etobject"}, {"s3:getobject", "s3:put*"}, {"abcabd", "*ab?"}, {"", "*"},
      {"", "?"}, {"a", ""}, {"mississippi", "m*iss*ppi"}, {"mississippi", "m*iss*pp?x"}, {"aaa", "a*a*a*a"}};
  for (const auto& [text, pattern] : cases) {
    Value fast = Glob(text, pattern);
    ASSERT_EQ(fast.kind(), Kind::kBool) << text << " " << pattern;
    EXPECT_TRUE(IsBool(Glob(text + "\u00e9", pattern + "\u00e9"), fast.as_bool())) << text << " " << pattern;
    EXPECT_TRUE(IsBool(Glob(text + "z", pattern + "[z]"), fast.as_bool())) << text << " " << pattern;
  }
}

TEST(Glob, Classes) {
  EXPECT_TRUE(IsBool(Glob("b", "[abc]"), true));
  EXPECT_TRUE(IsBool(Glob("d", "[abc]"), false));
  EXPECT_TRUE(IsBool(Glob("m", "[a-z]"), true));
  EXPECT_TRUE(IsBool(Glob("M", "[!a-z]"), true));
  EXPECT_TRUE(IsBool(Glob("m", "[^a-z]"), false));
  EXPECT_TRUE(IsBool(Glob("]", "[]]"), true));
  EXPECT_TRUE(IsBool(Glob("-", "[a-]"), true));
  EXPECT_TRUE(IsBool(Glob("us-east-1", "us-[a-z]*-[0-9]"), true));
}

TEST(Glob, InvalidPatterns) {
  EXPECT_TRUE(IsErr(Glob("a", "[abc")));
  EXPECT_TRUE(IsErr(Glob("a", "[z-a]")));
  EXPECT_TRUE(IsErr(Glob("a", "a\\")));
  EXPECT_TRUE(IsErr(method("glob", {S("a"), I(1)})));
}

TEST(Glob, PathologicalPatternIsFast) {
  std::string s(5000, 'a');
  std::string p;
  for (int i = 0; i < 50; ++i) p += "*a";
  p += "b";
  EXPECT_TRUE(IsBool(Glob(s, p), false));
}

TEST(GlobAny, Lists) {
  Value pats = L({S("prod-*"), S("*-live")});
  EXPECT_TRUE(IsBool(method("globAny", {S("prod-db"), pats}), true));
  EXPECT_TRUE(IsBool(method("globAny", {S("api-live"), pats}), true));
  EXPECT_TRUE(IsBool(method("globAny", {S("dev-db"), pats}), false));
  EXPECT_TRUE(IsBool(method("globAny", {S("x"), L({})}), false));
  EXPECT_TRUE(IsErr(method("globAny", {S("x"), L({I(1)})})));
  EXPECT_TRUE(IsErr(method("globAny", {S("x"), S("x")})));
}

}  // namespace
}  // namespace sekimori::cel
