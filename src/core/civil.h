// sekimori::core civil dates — the proleptic Gregorian calendar as day counts since
// 1970-01-01, for every module that reads or writes dates without a time zone library
// (CEL timestamps, Terraform's time functions, Sigma's time modifiers, alert and report
// times, governance expiry dates).
//
//   int64_t d = core::days_from_civil(2024, 2, 29);     // 19782
//   core::CivilDate c = core::civil_from_days(d);       // {2024, 2, 29}
//   int64_t day = core::floor_div(-1, 86400);           // -1: the day before the epoch
//
// The conversions are Howard Hinnant's era-based algorithms (400-year eras of 146,097
// days), exact for any year whose day count fits in an int64_t without overflow of
// era * 146097 (far beyond the years 1..9999 every caller accepts). Months are 1..12 and
// days 1..31; the functions do not check that a date exists (days_in_month() does).
// Thread-safety: pure constexpr functions.
#pragma once

#include <cstdint>

namespace sekimori::core {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend constexpr bool operator==(const CivilDate&, const CivilDate&) = default;
};

// a / b rounded towards negative infinity (b != 0): the day of a time before the epoch.
constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) --q;
  return q;
}

constexpr bool is_leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days in month `m` (1..12) of year `y`.
constexpr int days_in_month(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d (negative before it).
constexpr int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;  // years start in March
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;                                   // 719468: 0000-03-01 to the epoch
}

// The date `days` days after 1970-01-01.
constexpr CivilDate civil_from_days(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], from March
  const auto m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, static_cast<int>(doy - (153 * mp + 2) / 5 + 1)};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(-1) == CivilDate{1969, 12, 31});
static_assert(civil_from_days(days_from_civil(2000, 2, 29)) == CivilDate{2000, 2, 29});

}  // namespace sekimori::core
