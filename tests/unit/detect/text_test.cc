// The case-folding helpers of detect/internal/text.h: the word-at-a-time forms agree with
// folding byte by byte, for every byte value at every place and every length around a word.
#include "detect/internal/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sekimori::detect::internal {
namespace {

TEST(Text, LowerAsciiAgreesWithOneByteAtATime) {
  const std::string base = "Arn:AWS:sts::1:Assumed-Role/Z@[`{";  // letters and their neighbours
  for (size_t len = 0; len <= base.size(); ++len) {
    for (size_t pos = 0; pos < std::max<size_t>(len, 1); ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string in = base.substr(0, len);
        if (pos < len) in[pos] = static_cast<char>(b);
        std::string want = in;
        bool ascii = true;
        for (char& c : want) {
          ascii = ascii && static_cast<unsigned char>(c) < 0x80;
          c = lower(c);
        }
        std::string out(len, '\0');
        ASSERT_EQ(lower_ascii(in.data(), len, out.data()), ascii) << "length " << len << ", byte " << b;
        ASSERT_EQ(out, want) << "length " << len << ", position " << pos << ", byte " << b;
        if (len == 0) break;
      }
    }
  }
}

TEST(Text, FoldedEqualityAtEveryLengthAndPlace) {
  const std::string lower_text = "assumed-role/aws:ec2-instance/i-0123456789abcdef";
  for (size_t len = 1; len <= 40; ++len) {
    std::string needle = lower_text.substr(0, len);
    std::string upper = needle;
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    std::string hay = "xx" + upper + "yy";
    ASSERT_TRUE(eq_at(hay, 2, needle, false)) << len;
    ASSERT_FALSE(eq_at(hay, 2, needle, true) && upper != needle) << len;
    ASSERT_FALSE(eq_at(hay, 3, needle, false) && needle != std::string(len, needle[0])) << len;
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b : {0x40, 0x5B, 0x60, 0x7B, 0x80, 0xC1, 0xE1}) {  // next to the letters; not ASCII
        std::string changed = hay;
        changed[2 + pos] = static_cast<char>(b);
        bool same = lower(static_cast<char>(b)) == needle[pos];
        ASSERT_EQ(eq_at(changed, 2, needle, false), same) << "length " << len << ", position " << pos;
      }
    }
  }
  EXPECT_FALSE(eq_at("short", 2, "ort!", false));  // past the end
}

}  // namespace
}  // namespace sekimori::detect::internal
