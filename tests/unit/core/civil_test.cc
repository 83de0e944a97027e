#include "core/civil.h"

#include <gtest/gtest.h>

#include <ctime>

namespace sekimori::core {
namespace {

// The C library's calendar (a 64-bit time_t) is the independent reference.
CivilDate libc_date(int64_t days) {
  time_t t = static_cast<time_t>(days) * 86400;
  struct tm tm {};
  EXPECT_NE(gmtime_r(&t, &tm), nullptr) << days;
  return {tm.tm_year + int64_t{1900}, tm.tm_mon + 1, tm.tm_mday};
}

TEST(CivilTest, AgreesWithTheCLibraryFromYear1To9999) {
  const int64_t first = days_from_civil(1, 1, 1);
  const int64_t last = days_from_civil(9999, 12, 31);
  ASSERT_EQ(libc_date(first), (CivilDate{1, 1, 1}));
  ASSERT_EQ(libc_date(last), (CivilDate{9999, 12, 31}));
  int64_t checked = 0;
  for (int64_t d = first; d <= last; d += 7) {  // every weekday and every day of month in turn
    CivilDate c = civil_from_days(d);
    ASSERT_EQ(c, libc_date(d)) << d;
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d) << c.year << "-" << c.month << "-" << c.day;
    ++checked;
  }
  EXPECT_GT(checked, 500000);
}

TEST(CivilTest, EveryDayRoundTripsAcrossCenturyAndEraBoundaries) {
  // 1600 and 2000 are leap years (400-year eras start after them), 1700..1900 are not.
  for (int64_t y : {-401, -400, -1, 0, 1, 1600, 1700, 1900, 1969, 1970, 2000, 2100, 2400}) {
    int64_t d = days_from_civil(y, 1, 1);
    int days = 0;
    for (int m = 1; m <= 12; ++m) {
      for (int day = 1; day <= days_in_month(y, m); ++day, ++d, ++days) {
        ASSERT_EQ(days_from_civil(y, m, day), d) << y << "-" << m << "-" << day;
        ASSERT_EQ(civil_from_days(d), (CivilDate{y, m, day})) << d;
      }
    }
    EXPECT_EQ(days, is_leap_year(y) ? 366 : 365) << y;
    EXPECT_EQ(d, days_from_civil(y + 1, 1, 1)) << y;
  }
}

TEST(CivilTest, KnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2024, 2, 29), 19782);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(civil_from_days(11016), (CivilDate{2000, 2, 29}));
  EXPECT_EQ(civil_from_days(-719162), (CivilDate{1, 1, 1}));
  EXPECT_FALSE(is_leap_year(1900));
  EXPECT_TRUE(is_leap_year(2000));
  EXPECT_TRUE(is_leap_year(-4));
  EXPECT_EQ(days_in_month(2023, 2), 28);
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2024, 12), 31);
}

TEST(CivilTest, FloorDivRoundsTowardsNegativeInfinity) {
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(floor_div(-7, 2), -4);
  EXPECT_EQ(floor_div(7, -2), -4);
  EXPECT_EQ(floor_div(-7, -2), 3);
  EXPECT_EQ(floor_div(-86400, 86400), -1);
  EXPECT_EQ(floor_div(-1, 86400), -1);
  EXPECT_EQ(floor_div(0, 86400), 0);
}

}  // namespace
}  // namespace sekimori::core
