// Timestamps and durations: RFC 3339, Go duration text, range checks, civil time.
#include "cel/time.h"

#include <gtest/gtest.h>

namespace sekimori::cel {
namespace {

Timestamp ts(std::string_view s) {
  auto t = parse_timestamp(s);
  EXPECT_TRUE(t.ok()) << s;
  return t.ok() ? *t : Timestamp{};
}

Duration dur(std::string_view s) {
  auto d = parse_duration(s);
  EXPECT_TRUE(d.ok()) << s;
  return d.ok() ? *d : Duration{};
}

TEST(Timestamp, ParsesUtc) {
  EXPECT_EQ(ts("1970-01-01T00:00:00Z"), (Timestamp{0, 0}));
  EXPECT_EQ(ts("2004-09-16T23:59:59Z"), (Timestamp{1095379199, 0}));
}

TEST(Timestamp, ParsesFractionAndOffset) {
  EXPECT_EQ(ts("2024-01-02T03:04:05.123Z"), (Timestamp{1704164645, 123000000}));
  EXPECT_EQ(ts("2024-01-02T12:04:05+09:00"), (Timestamp{1704164645, 0}));
  EXPECT_EQ(ts("2024-01-01T18:04:05-09:00"), (Timestamp{1704164645, 0}));
  EXPECT_EQ(ts("2024-01-02t03:04:05.000000001z"), (Timestamp{1704164645, 1}));
}

TEST(Timestamp, RangeEnds) {
  EXPECT_EQ(ts("0001-01-01T00:00:00Z").seconds, kMinTimestampSeconds);
  EXPECT_EQ(ts("9999-12-31T23:59:59.999999999Z"), (Timestamp{kMaxTimestampSeconds, 999999999}));
  EXPECT_FALSE(parse_timestamp("0001-01-01T00:00:00+01:00").ok());
  EXPECT_FALSE(parse_timestamp("9999-12-31T23:59:59-01:00").ok());
}

TEST(Timestamp, RejectsMalformed) {
  for (std::string_view s : {"", "2024-01-02", "2024-01-02T03:04:05", "2024-13-01T00:00:00Z",
                             "2023-02-29T00:00:00Z", "2024-01-02T24:00:00Z",
                             "2024-01-02T03:04:60Z", "2024-01-02T03:04:05.Z",
                             "2024-01-02T03:04:05.1234567891Z", "2024-01-02 03:04:05Z",
                             "2024-01-02T03:04:05+0900", "2024-01-02T03:04:05Zjunk",
                             "+2024-01-02T03:04:05Z"}) {
    EXPECT_FALSE(parse_timestamp(s).ok()) << s;
  }
  EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z").ok());
}

TEST(Timestamp, Formats) {
  EXPECT_EQ(format_timestamp({0, 0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp({1704164645, 123000000}), "2024-01-02T03:04:05.123Z");
  EXPECT_EQ(format_timestamp({1704164645, 123456000}), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(format_timestamp({1704164645, 1}), "2024-01-02T03:04:05.000000001Z");
  EXPECT_EQ(format_timestamp({-1, 0}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_timestamp({kMinTimestampSeconds, 0}), "0001-01-01T00:00:00Z");
}

TEST(Duration, ParsesGoSyntax) {
  EXPECT_EQ(dur("1h30m"), (Duration{5400, 0}));
  EXPECT_EQ(dur("1h2m3.5s"), (Duration{3723, 500000000}));
  EXPECT_EQ(dur("-1.5h"), (Duration{-5400, 0}));
  EXPECT_EQ(dur("100ms"), (Duration{0, 100000000}));
  EXPECT_EQ(dur("1us"), (Duration{0, 1000}));
  EXPECT_EQ(dur("1\xC2\xB5s"), (Duration{0, 1000}));
  EXPECT_EQ(dur("1ns"), (Duration{0, 1}));
  EXPECT_EQ(dur("0"), (Duration{0, 0}));
  EXPECT_EQ(dur("-0.5s"), (Duration{0, -500000000}));
  EXPECT_EQ(dur("+3s"), (Duration{3, 0}));
  EXPECT_EQ(dur(".5s"), (Duration{0, 500000000}));
}

TEST(Duration, RejectsMalformed) {
  for (std::string_view s : {"", "-", "1", "1d", "s", "1.s5", "1h 2m", "--1s", "1.2.3s", "h1"}) {
    EXPECT_FALSE(parse_duration(s).ok()) << s;
  }
}

TEST(Duration, Range) {
  EXPECT_TRUE(parse_duration("315576000000s").ok());
  EXPECT_FALSE(parse_duration("315576000001s").ok());
  EXPECT_FALSE(parse_duration("99999999999999999999999999999h").ok());
  EXPECT_TRUE(in_range(Duration{-kMaxDurationSeconds, 0}));
  EXPECT_FALSE(in_range(Duration{1, -1}));
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration({6347, 0}), "6347s");
  EXPECT_EQ(format_duration({1, 500000000}), "1.500s");
  EXPECT_EQ(format_duration({0, -1000}), "-0.000001s");
  EXPECT_EQ(format_duration({-3, -5}), "-3.000000005s");
}

TEST(Arithmetic, AddsAndSubtracts) {
  auto t = add(ts("2024-01-02T00:00:00Z"), dur("1h30m"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_timestamp(*t), "2024-01-02T01:30:00Z");
  auto back = subtract(*t, dur("90m"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, ts("2024-01-02T00:00:00Z"));
  auto diff = subtract(ts("2024-01-02T00:00:01.5Z"), ts("2024-01-02T00:00:00Z"));
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(*diff, (Duration{1, 500000000}));
  auto neg = subtract(ts("2024-01-02T00:00:00Z"), ts("2024-01-02T00:00:01.5Z"));
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(*neg, (Duration{-1, -500000000}));
  auto sum = add(Duration{0, 600000000}, Duration{0, 600000000});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, (Duration{1, 200000000}));
  auto n = negate(Duration{1, 5});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, (Duration{-1, -5}));
}

TEST(Arithmetic, OverflowIsAnError) {
  EXPECT_FALSE(add(Timestamp{kMaxTimestampSeconds, 0}, Duration{1, 0}).ok());
  EXPECT_FALSE(subtract(Timestamp{kMinTimestampSeconds, 0}, Duration{0, 1}).ok());
  EXPECT_FALSE(add(Duration{kMaxDurationSeconds, 0}, Duration{1, 0}).ok());
  EXPECT_FALSE(subtract(Duration{-kMaxDurationSeconds, 0}, Duration{1, 0}).ok());
  // The widest timestamp difference still fits the duration range.
  EXPECT_TRUE(subtract(Timestamp{kMaxTimestampSeconds, 0}, Timestamp{kMinTimestampSeconds, 0}).ok());
}

TEST(Arithmetic, Compares) {
  EXPECT_EQ(compare(Timestamp{1, 0}, Timestamp{1, 1}), -1);
  EXPECT_EQ(compare(Timestamp{2, 0}, Timestamp{1, 999999999}), 1);
  EXPECT_EQ(compare(Duration{-1, -1}, Duration{-1, 0}), -1);
  EXPECT_EQ(compare(Duration{3, 0}, Duration{3, 0}), 0);
}

TEST(Civil, Utc) {
  auto c = to_civil(ts("2024-03-05T06:07:08.009Z"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->year, 2024);
  EXPECT_EQ(c->month, 3);
  EXPECT_EQ(c->day, 5);
  EXPECT_EQ(c->hour, 6);
  EXPECT_EQ(c->minute, 7);
  EXPECT_EQ(c->second, 8);
  EXPECT_EQ(c->nanos, 9000000);
  EXPECT_EQ(c->day_of_week, 2);  // Tuesday
  EXPECT_EQ(c->day_of_year, 31 + 29 + 4);
}

TEST(Civil, BeforeEpoch) {
  auto c = to_civil(Timestamp{-1, 0});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->year, 1969);
  EXPECT_EQ(c->day_of_week, 3);  // Wednesday
  EXPECT_EQ(c->day_of_year, 364);
}

TEST(Civil, FixedOffsets) {
  auto c = to_civil(ts("2024-01-01T00:30:00Z"), "-01:00");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->year, 2023);
  EXPECT_EQ(c->hour, 23);
  EXPECT_EQ(c->day_of_year, 364);
  auto d = to_civil(ts("2024-01-01T00:00:00Z"), "+05:30");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hour, 5);
  EXPECT_EQ(d->minute, 30);
  EXPECT_FALSE(to_civil(ts("2024-01-01T00:00:00Z"), "+25:00").ok());
  EXPECT_FALSE(to_civil(ts("2024-01-01T00:00:00Z"), "+1:2").ok());
}

TEST(Civil, IanaZones) {
  auto tokyo = to_civil(ts("2024-01-01T00:00:00Z"), "Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok()) << tokyo.error().message;
  EXPECT_EQ(tokyo->hour, 9);
  // New York: EST in January, EDT in July.
  auto winter = to_civil(ts("2024-01-15T12:00:00Z"), "America/New_York");
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(winter->hour, 7);
  auto summer = to_civil(ts("2024-07-15T12:00:00Z"), "America/New_York");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(summer->hour, 8);
}

TEST(Civil, IanaZonesBeyondTransitionTable) {
  // Far-future dates use the zone's POSIX rule.
  auto summer = to_civil(ts("2300-07-15T12:00:00Z"), "America/Los_Angeles");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(summer->hour, 5);
  auto winter = to_civil(ts("2300-01-15T12:00:00Z"), "America/Los_Angeles");
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(winter->hour, 4);
  // Southern hemisphere: DST spans New Year.
  auto sydney = to_civil(ts("2300-01-15T00:00:00Z"), "Australia/Sydney");
  ASSERT_TRUE(sydney.ok());
  EXPECT_EQ(sydney->hour, 11);
}

TEST(Civil, UnknownZones) {
  for (std::string_view z : {"Mars/Olympus", "../etc/passwd", "/etc/passwd", "America/../../x", "a b"}) {
    EXPECT_FALSE(to_civil(Timestamp{}, z).ok()) << z;
  }
}

}  // namespace
}  // namespace sekimori::cel
