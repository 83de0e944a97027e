// sekimori::cel time support — CEL's google.protobuf.Timestamp and Duration semantics.
//
// Timestamps are seconds and nanoseconds since the Unix epoch, UTC, valid from
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. Durations are seconds and
// nanoseconds (both with the same sign), valid within ±315,576,000,000 s (10,000 years).
// Arithmetic that leaves the range is an error, never wraps.
//
//   auto t = parse_timestamp("2024-01-02T00:00:00Z");     // Result<Timestamp>
//   auto d = parse_duration("1h30m");                        // Result<Duration>
//   auto later = add(*t, *d);                                // Result<Timestamp>
//   format_timestamp(*later);  // "2024-01-02T01:30:00Z"
//
// Thread-safety: pure functions (time-zone files are read once and cached, guarded).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sekimori::cel {

struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;  // 0..999,999,999
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

struct Duration {
  int64_t seconds = 0;
  int32_t nanos = 0;  // -999,999,999..999,999,999, same sign as seconds
  friend bool operator==(const Duration&, const Duration&) = default;
};

inline constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z
inline constexpr int64_t kMaxDurationSeconds = 315576000000;

[[nodiscard]] bool in_range(Timestamp t);
[[nodiscard]] bool in_range(Duration d);

// RFC 3339 ("2024-01-02T03:04:05.123Z", "...+09:00"); lower-case t/z accepted.
core::Result<Timestamp> parse_timestamp(std::string_view s);
// "2024-01-02T03:04:05Z", with 3, 6 or 9 fractional digits when there are nanos.
std::string format_timestamp(Timestamp t);
// Go-style duration strings as CEL defines: "1h2m3.5s", "-1.5h", "100ms", "1us", "1ns".
core::Result<Duration> parse_duration(std::string_view s);
// "3723.500s" style as protobuf JSON prints durations ("86400s", "1.5s").
std::string format_duration(Duration d);

core::Result<Timestamp> add(Timestamp t, Duration d);
core::Result<Timestamp> subtract(Timestamp t, Duration d);
core::Result<Duration> subtract(Timestamp a, Timestamp b);
core::Result<Duration> add(Duration a, Duration b);
core::Result<Duration> subtract(Duration a, Duration b);
core::Result<Duration> negate(Duration d);
// -1, 0, 1.
int compare(Timestamp a, Timestamp b);
int compare(Duration a, Duration b);

// Broken-down calendar fields of `t` in a time zone: "UTC" (default), a fixed offset
// ("+05:30", "-08:00"), or an IANA name read from the system zoneinfo ("Asia/Tokyo").
struct CivilTime {
  int64_t year;
  int month;         // 1..12
  int day;           // 1..31
  int hour, minute, second;
  int32_t nanos;
  int day_of_week;   // 0 = Sunday
  int day_of_year;   // 0-based
};
core::Result<CivilTime> to_civil(Timestamp t, std::string_view time_zone = {});

}  // namespace sekimori::cel
