// CEL timestamps and durations: RFC 3339 and Go-style duration text, range-checked
// arithmetic, and civil time in UTC, fixed offsets and IANA zones (TZif files).
#include "cel/time.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/civil.h"

namespace sekimori::cel {
namespace {

__extension__ typedef __int128 Int128;  // NOLINT: exact nanosecond arithmetic

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;

core::Error time_error(std::string message) {
  return core::make_error("cel.time", std::move(message));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

using core::civil_from_days;
using core::CivilDate;
using core::days_from_civil;
using core::days_in_month;
using core::floor_div;
using core::is_leap_year;

// Reads exactly `n` digits at s[pos..]; false if they are not all digits.
bool read_fixed(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  *out = v;
  return true;
}

Int128 duration_nanos(Duration d) {
  return static_cast<Int128>(d.seconds) * kNanosPerSecond + d.nanos;
}

Int128 timestamp_nanos(Timestamp t) {
  return static_cast<Int128>(t.seconds) * kNanosPerSecond + t.nanos;
}

// Splits total nanoseconds into a Duration (same-sign parts); caller checks range.
Duration duration_from_nanos(Int128 n) {
  return Duration{static_cast<int64_t>(n / kNanosPerSecond),
                  static_cast<int32_t>(n % kNanosPerSecond)};
}

Timestamp timestamp_from_nanos(Int128 n) {
  Int128 s = n / kNanosPerSecond;
  Int128 r = n % kNanosPerSecond;
  if (r < 0) {
    r += kNanosPerSecond;
    s -= 1;
  }
  return Timestamp{static_cast<int64_t>(s), static_cast<int32_t>(r)};
}

constexpr Int128 kMaxDurationNanos =
    static_cast<Int128>(kMaxDurationSeconds) * kNanosPerSecond + (kNanosPerSecond - 1);

core::Result<Duration> checked_duration(Int128 n) {
  if (n > kMaxDurationNanos || n < -kMaxDurationNanos) {
    return time_error("duration out of range");
  }
  return duration_from_nanos(n);
}

core::Result<Timestamp> checked_timestamp(Int128 n) {
  Timestamp t = timestamp_from_nanos(n);
  if (!in_range(t)) return time_error("timestamp out of range");
  return t;
}

std::string fraction_digits(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  if (nanos % 1000000 == 0) {
    std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
  } else {
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
  }
  return buf;
}

// ---------------------------------------------------------------------------------
// Time zones.

// A POSIX TZ rule date: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d.
struct RuleDate {
  enum Kind { kJulian1, kJulian0, kMonthWeekDay } kind = kJulian0;
  int day = 0;    // n, or d (weekday) for Mm.w.d
  int month = 0;  // m
  int week = 0;   // w
  int64_t time = 7200;  // seconds after local midnight (may be negative or > 24h)
};

struct PosixRule {
  int64_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int64_t dst_offset = 0;
  RuleDate start, end;
};

struct Zone {
  std::vector<int64_t> transitions;   // UTC seconds, ascending
  std::vector<uint8_t> type_index;    // per transition
  std::vector<int64_t> type_offsets;  // seconds east of UTC, per local time type
  std::optional<PosixRule> footer;    // rule for times after the last transition
  int64_t initial_offset = 0;         // before the first transition
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool skip(size_t n) {
    if (data_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool u8(uint8_t* out) {
    if (pos_ >= data_.size()) return false;
    *out = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool be32(int64_t* out) {
    if (data_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool be64(int64_t* out) {
    if (data_.size() - pos_ < 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
    *out = static_cast<int64_t>(v);
    return true;
  }
  [[nodiscard]] std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct TzifCounts {
  int64_t isut, isstd, leap, time, type, chars;
};

bool read_header(Reader& r, char* version, TzifCounts* c) {
  std::string_view magic = r.rest().substr(0, 4);
  if (magic != "TZif") return false;
  r.skip(4);
  uint8_t v = 0;
  if (!r.u8(&v) || !r.skip(15)) return false;
  *version = static_cast<char>(v);
  if (!r.be32(&c->isut) || !r.be32(&c->isstd) || !r.be32(&c->leap) || !r.be32(&c->time) ||
      !r.be32(&c->type) || !r.be32(&c->chars)) {
    return false;
  }
  // Bounds keep a corrupt file from asking for absurd allocations.
  constexpr int64_t kMax = 1 << 20;
  for (int64_t n : {c->isut, c->isstd, c->leap, c->time, c->type, c->chars}) {
    if (n < 0 || n > kMax) return false;
  }
  return c->type >= 1;
}

// Parses "[+-]hh[:mm[:ss]]" (POSIX sign: positive is west of UTC for offsets).
bool parse_posix_hms(std::string_view s, size_t* pos, int64_t* out, bool allow_sign) {
  int sign = 1;
  if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) {
    if (!allow_sign) return false;
    if (s[*pos] == '-') sign = -1;
    ++*pos;
  }
  int64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (*pos >= s.size() || s[*pos] != ':') break;
      ++*pos;
    }
    size_t start = *pos;
    int64_t v = 0;
    while (*pos < s.size() && is_digit(s[*pos]) && *pos - start < 3) {
      v = v * 10 + (s[*pos] - '0');
      ++*pos;
    }
    if (*pos == start) return false;
    parts[i] = v;
  }
  *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool parse_posix_name(std::string_view s, size_t* pos) {
  if (*pos < s.size() && s[*pos] == '<') {
    size_t close = s.find('>', *pos);
    if (close == std::string_view::npos) return false;
    *pos = close + 1;
    return true;
  }
  size_t start = *pos;
  while (*pos < s.size() && ((s[*pos] >= 'A' && s[*pos] <= 'Z') ||
                             (s[*pos] >= 'a' && s[*pos] <= 'z'))) {
    ++*pos;
  }
  return *pos - start >= 3;
}

bool parse_posix_int(std::string_view s, size_t* pos, int* out) {
  size_t start = *pos;
  int v = 0;
  while (*pos < s.size() && is_digit(s[*pos]) && *pos - start < 4) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  *out = v;
  return *pos > start;
}

bool parse_rule_date(std::string_view s, size_t* pos, RuleDate* d) {
  if (*pos >= s.size()) return false;
  if (s[*pos] == 'M') {
    ++*pos;
    d->kind = RuleDate::kMonthWeekDay;
    if (!parse_posix_int(s, pos, &d->month) || *pos >= s.size() || s[*pos] != '.') return false;
    ++*pos;
    if (!parse_posix_int(s, pos, &d->week) || *pos >= s.size() || s[*pos] != '.') return false;
    ++*pos;
    if (!parse_posix_int(s, pos, &d->day)) return false;
    if (d->month < 1 || d->month > 12 || d->week < 1 || d->week > 5 || d->day > 6) return false;
  } else if (s[*pos] == 'J') {
    ++*pos;
    d->kind = RuleDate::kJulian1;
    if (!parse_posix_int(s, pos, &d->day) || d->day < 1 || d->day > 365) return false;
  } else {
    d->kind = RuleDate::kJulian0;
    if (!parse_posix_int(s, pos, &d->day) || d->day > 365) return false;
  }
  d->time = 7200;
  if (*pos < s.size() && s[*pos] == '/') {
    ++*pos;
    if (!parse_posix_hms(s, pos, &d->time, /*allow_sign=*/true)) return false;
  }
  return true;
}

std::optional<PosixRule> parse_posix_tz(std::string_view s) {
  PosixRule rule;
  size_t pos = 0;
  if (!parse_posix_name(s, &pos)) return std::nullopt;
  int64_t west = 0;
  if (!parse_posix_hms(s, &pos, &west, true)) return std::nullopt;
  rule.std_offset = -west;
  if (pos == s.size()) return rule;
  if (!parse_posix_name(s, &pos)) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (pos < s.size() && s[pos] != ',') {
    if (!parse_posix_hms(s, &pos, &west, true)) return std::nullopt;
    rule.dst_offset = -west;
  }
  if (pos >= s.size() || s[pos] != ',') return std::nullopt;
  ++pos;
  if (!parse_rule_date(s, &pos, &rule.start)) return std::nullopt;
  if (pos >= s.size() || s[pos] != ',') return std::nullopt;
  ++pos;
  if (!parse_rule_date(s, &pos, &rule.end)) return std::nullopt;
  if (pos != s.size()) return std::nullopt;
  return rule;
}

// Seconds from the start of `year` (local) to the rule date's transition moment.
int64_t rule_seconds_in_year(const RuleDate& d, int64_t year) {
  int64_t day = 0;  // 0-based day of year
  switch (d.kind) {
    case RuleDate::kJulian1:
      day = d.day - 1;
      if (is_leap_year(year) && d.day >= 60) day += 1;
      break;
    case RuleDate::kJulian0:
      day = d.day;
      break;
    case RuleDate::kMonthWeekDay: {
      const int64_t first = days_from_civil(year, d.month, 1);
      const int64_t first_wday = ((first % 7) + 11) % 7;  // 1970-01-01 was a Thursday (4)
      int64_t mday = 1 + ((d.day - first_wday) % 7 + 7) % 7 + (d.week - 1) * 7;
      const int dim = days_in_month(year, d.month);
      while (mday > dim) mday -= 7;
      day = (first - days_from_civil(year, 1, 1)) + mday - 1;
      break;
    }
  }
  return day * kSecondsPerDay + d.time;
}

int64_t posix_offset(const PosixRule& rule, int64_t utc) {
  if (!rule.has_dst) return rule.std_offset;
  const int64_t year = civil_from_days(floor_div(utc + rule.std_offset, kSecondsPerDay)).year;
  const int64_t year_start = days_from_civil(year, 1, 1) * kSecondsPerDay;
  // Start is given in standard (local) time; end in daylight (local) time.
  const int64_t start_utc = year_start + rule_seconds_in_year(rule.start, year) - rule.std_offset;
  const int64_t end_utc = year_start + rule_seconds_in_year(rule.end, year) - rule.dst_offset;
  bool dst;
  if (start_utc < end_utc) {
    dst = utc >= start_utc && utc < end_utc;
  } else {  // southern hemisphere: DST spans New Year
    dst = !(utc >= end_utc && utc < start_utc);
  }
  return dst ? rule.dst_offset : rule.std_offset;
}

std::optional<Zone> parse_tzif(std::string_view data) {
  Reader r(data);
  char version = 0;
  TzifCounts c{};
  if (!read_header(r, &version, &c)) return std::nullopt;
  bool v2 = version >= '2';
  if (v2) {
    // Skip the 32-bit block and read the 64-bit one that follows.
    const int64_t v1_size =
        c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
    if (!r.skip(static_cast<size_t>(v1_size)) || !read_header(r, &version, &c)) {
      return std::nullopt;
    }
  }
  Zone z;
  z.transitions.resize(static_cast<size_t>(c.time));
  for (auto& t : z.transitions) {
    if (!(v2 ? r.be64(&t) : r.be32(&t))) return std::nullopt;
  }
  z.type_index.resize(static_cast<size_t>(c.time));
  for (auto& i : z.type_index) {
    if (!r.u8(&i) || i >= c.type) return std::nullopt;
  }
  std::vector<bool> is_dst;
  for (int64_t i = 0; i < c.type; ++i) {
    int64_t off = 0;
    uint8_t dst = 0, idx = 0;
    if (!r.be32(&off) || !r.u8(&dst) || !r.u8(&idx)) return std::nullopt;
    z.type_offsets.push_back(off);
    is_dst.push_back(dst != 0);
  }
  const int64_t leap_size = c.leap * (v2 ? 12 : 8);
  if (!r.skip(static_cast<size_t>(c.chars + leap_size + c.isstd + c.isut))) return std::nullopt;
  // The initial type: the first standard-time type (RFC 8536 recommends type 0).
  z.initial_offset = z.type_offsets[0];
  if (v2) {
    std::string_view rest = r.rest();
    if (rest.size() >= 2 && rest[0] == '\n') {
      size_t end = rest.find('\n', 1);
      if (end != std::string_view::npos && end > 1) {
        z.footer = parse_posix_tz(rest.substr(1, end - 1));
      }
    }
  }
  return z;
}

int64_t zone_offset(const Zone& z, int64_t utc) {
  if (z.transitions.empty() || utc < z.transitions.front()) {
    if (z.transitions.empty() && z.footer) return posix_offset(*z.footer, utc);
    return z.initial_offset;
  }
  if (utc >= z.transitions.back() && z.footer) return posix_offset(*z.footer, utc);
  // Last transition <= utc.
  size_t lo = 0, hi = z.transitions.size();
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (z.transitions[mid] <= utc) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return z.type_offsets[z.type_index[lo]];
}

// IANA names are looked up under the system zoneinfo directory; names that could
// escape it are rejected before touching the file system.
bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char ch : name) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || is_digit(ch) ||
              ch == '/' || ch == '_' || ch == '-' || ch == '+';
    if (!ok) return false;
  }
  return true;
}

std::shared_ptr<const Zone> load_zone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Zone>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  std::shared_ptr<const Zone> zone;
  std::ifstream in("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
  if (in) {
    std::string data;
    constexpr size_t kMaxFile = 1 << 20;
    data.resize(kMaxFile);
    in.read(data.data(), static_cast<std::streamsize>(kMaxFile));
    data.resize(static_cast<size_t>(in.gcount()));
    if (auto z = parse_tzif(data)) zone = std::make_shared<const Zone>(std::move(*z));
  }
  // Negative results are cached too, so a bad name costs one file open per process.
  if (cache.size() < 1024) cache.emplace(std::string(name), zone);
  return zone;
}

// Fixed offsets: "[+-]H[H]:MM".
std::optional<int64_t> parse_fixed_offset(std::string_view tz) {
  size_t pos = 0;
  int sign = 1;
  if (pos < tz.size() && (tz[pos] == '+' || tz[pos] == '-')) {
    sign = tz[pos] == '-' ? -1 : 1;
    ++pos;
  }
  size_t colon = tz.find(':', pos);
  if (colon == std::string_view::npos) return std::nullopt;
  size_t hlen = colon - pos;
  if (hlen < 1 || hlen > 2 || tz.size() - colon - 1 != 2) return std::nullopt;
  int h = 0, m = 0;
  if (!read_fixed(tz, pos, hlen, &h) || !read_fixed(tz, colon + 1, 2, &m)) return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return sign * (h * 3600 + m * 60);
}

}  // namespace

bool in_range(Timestamp t) {
  return t.seconds >= kMinTimestampSeconds && t.seconds <= kMaxTimestampSeconds &&
         t.nanos >= 0 && t.nanos < kNanosPerSecond;
}

bool in_range(Duration d) {
  if (d.seconds < -kMaxDurationSeconds || d.seconds > kMaxDurationSeconds) return false;
  if (d.nanos <= -kNanosPerSecond || d.nanos >= kNanosPerSecond) return false;
  return !((d.seconds > 0 && d.nanos < 0) || (d.seconds < 0 && d.nanos > 0));
}

core::Result<Timestamp> parse_timestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto bad = [&] { return time_error("invalid timestamp '" + std::string(s.substr(0, 64)) + "'"); };
  if (s.size() < 20 || !read_fixed(s, 0, 4, &year) || s[4] != '-' ||
      !read_fixed(s, 5, 2, &month) || s[7] != '-' || !read_fixed(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't') || !read_fixed(s, 11, 2, &hour) || s[13] != ':' ||
      !read_fixed(s, 14, 2, &minute) || s[16] != ':' || !read_fixed(s, 17, 2, &second)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return bad();
  }
  size_t pos = 19;
  int32_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) {
      if (pos - start >= 9) return bad();
      nanos = nanos * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return bad();
    for (size_t i = pos - start; i < 9; ++i) nanos *= 10;
  }
  if (pos >= s.size()) return bad();
  int64_t offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (s.size() - pos != 6 || !read_fixed(s, pos + 1, 2, &oh) || s[pos + 3] != ':' ||
        !read_fixed(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  int64_t secs = days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 +
                 minute * 60 + second - offset;
  Timestamp t{secs, nanos};
  if (!in_range(t)) return time_error("timestamp out of range");
  return t;
}

std::string format_timestamp(Timestamp t) {
  const int64_t days = floor_div(t.seconds, kSecondsPerDay);
  const int64_t sod = t.seconds - days * kSecondsPerDay;
  const CivilDate ymd = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(ymd.year),
                ymd.month, ymd.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return std::string(buf) + fraction_digits(t.nanos) + "Z";
}

core::Result<Duration> parse_duration(std::string_view s) {
  auto bad = [&] { return time_error("invalid duration '" + std::string(s.substr(0, 64)) + "'"); };
  size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) {
    negative = s[pos] == '-';
    ++pos;
  }
  if (s.substr(pos) == "0") return Duration{};
  if (pos == s.size()) return bad();
  // Far beyond any valid duration, yet small enough that limit * 1h fits in 127 bits.
  constexpr Int128 kLimit = static_cast<Int128>(1) << 80;
  Int128 total = 0;
  while (pos < s.size()) {
    Int128 whole = 0;
    size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) {
      whole = whole * 10 + (s[pos] - '0');
      if (whole > kLimit) return time_error("duration out of range");
      ++pos;
    }
    bool had_whole = pos > start;
    Int128 frac = 0, scale = 1;
    bool had_frac = false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t fstart = pos;
      while (pos < s.size() && is_digit(s[pos])) {
        if (scale < static_cast<Int128>(1000000000000000000LL)) {  // extra digits dropped
          frac = frac * 10 + (s[pos] - '0');
          scale *= 10;
        }
        ++pos;
      }
      had_frac = pos > fstart;
    }
    if (!had_whole && !had_frac) return bad();
    size_t ustart = pos;
    while (pos < s.size() && !is_digit(s[pos]) && s[pos] != '.') ++pos;
    std::string_view unit = s.substr(ustart, pos - ustart);
    int64_t mult = 0;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1000;
    } else if (unit == "ms") {
      mult = 1000000;
    } else if (unit == "s") {
      mult = kNanosPerSecond;
    } else if (unit == "m") {
      mult = 60 * kNanosPerSecond;
    } else if (unit == "h") {
      mult = 3600 * kNanosPerSecond;
    } else {
      return bad();
    }
    total += whole * mult + frac * mult / scale;
    if (total > kLimit) return time_error("duration out of range");
  }
  return checked_duration(negative ? -total : total);
}

std::string format_duration(Duration d) {
  std::string out;
  if (d.seconds < 0 || d.nanos < 0) out = "-";
  const uint64_t secs =
      d.seconds < 0 ? 0 - static_cast<uint64_t>(d.seconds) : static_cast<uint64_t>(d.seconds);
  out += std::to_string(secs);
  out += fraction_digits(d.nanos < 0 ? -d.nanos : d.nanos);
  out += 's';
  return out;
}

core::Result<Timestamp> add(Timestamp t, Duration d) {
  return checked_timestamp(timestamp_nanos(t) + duration_nanos(d));
}

core::Result<Timestamp> subtract(Timestamp t, Duration d) {
  return checked_timestamp(timestamp_nanos(t) - duration_nanos(d));
}

core::Result<Duration> subtract(Timestamp a, Timestamp b) {
  return checked_duration(timestamp_nanos(a) - timestamp_nanos(b));
}

core::Result<Duration> add(Duration a, Duration b) {
  return checked_duration(duration_nanos(a) + duration_nanos(b));
}

core::Result<Duration> subtract(Duration a, Duration b) {
  return checked_duration(duration_nanos(a) - duration_nanos(b));
}

core::Result<Duration> negate(Duration d) { return checked_duration(-duration_nanos(d)); }

int compare(Timestamp a, Timestamp b) {
  Int128 x = timestamp_nanos(a), y = timestamp_nanos(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

int compare(Duration a, Duration b) {
  Int128 x = duration_nanos(a), y = duration_nanos(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

core::Result<CivilTime> to_civil(Timestamp t, std::string_view time_zone) {
  int64_t offset = 0;
  if (time_zone.empty() || time_zone == "UTC" || time_zone == "Z") {
    offset = 0;
  } else if (time_zone.find(':') != std::string_view::npos) {
    auto off = parse_fixed_offset(time_zone);
    if (!off) return time_error("invalid time zone offset '" + std::string(time_zone) + "'");
    offset = *off;
  } else {
    std::shared_ptr<const Zone> zone;
    if (valid_zone_name(time_zone)) zone = load_zone(time_zone);
    if (!zone) return time_error("unknown time zone '" + std::string(time_zone.substr(0, 128)) + "'");
    offset = zone_offset(*zone, t.seconds);
  }
  const int64_t local = t.seconds + offset;
  const int64_t days = floor_div(local, kSecondsPerDay);
  const int64_t sod = local - days * kSecondsPerDay;
  const CivilDate ymd = civil_from_days(days);
  CivilTime c{};
  c.year = ymd.year;
  c.month = ymd.month;
  c.day = ymd.day;
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod / 60 % 60);
  c.second = static_cast<int>(sod % 60);
  c.nanos = t.nanos;
  c.day_of_week = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  c.day_of_year = static_cast<int>(days - days_from_civil(ymd.year, 1, 1));
  return c;
}

}  // namespace sekimori::cel
