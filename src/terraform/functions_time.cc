// Date and time functions on RFC 3339 timestamps. timestamp() and plantimestamp() are
// only known when Terraform runs, so they are unknown here.
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/civil.h"
#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

struct Time {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int64_t nanos = 0;
  int offset = 0;   // minutes east of UTC, as written
  bool utc = true;  // written with Z
};

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

core::Result<Time> parse_rfc3339(std::string_view s, size_t index) {
  auto bad = [&]() {
    return arg_error(index, "\"" + std::string(s) +
                                "\" is not a valid RFC 3339 timestamp (like \"2006-01-02T15:04:05Z\")");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > core::days_in_month(y, mo) || h > 23 || mi > 59 || se > 59) {
    return bad();
  }
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 9) nanos = nanos * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return bad();
    for (size_t k = n; k < 9; ++k) nanos *= 10;
  }
  Time t;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om) ||
        oh > 23 || om > 59) {
      return bad();
    }
    t.offset = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    t.utc = false;
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  t.seconds = core::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - int64_t{t.offset} * 60;
  t.nanos = nanos;
  return t;
}

struct Civil {
  int64_t year;
  int month, day;
  int hour, minute, second;
  int weekday;  // 0 = Sunday
};

Civil to_civil(const Time& t) {
  const int64_t local = t.seconds + int64_t{t.offset} * 60;
  const int64_t days = core::floor_div(local, 86400);
  const int64_t rem = local - days * 86400;
  const core::CivilDate date = core::civil_from_days(days);
  Civil c{};
  c.year = date.year;
  c.month = date.month;
  c.day = date.day;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>((rem % 3600) / 60);
  c.second = static_cast<int>(rem % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return c;
}

std::string two(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld", static_cast<long long>(v));
  return buf;
}

std::string offset_text(const Time& t, bool colon) {
  const int o = t.offset < 0 ? -t.offset : t.offset;
  return std::string(t.offset < 0 ? "-" : "+") + two(o / 60) + (colon ? ":" : "") + two(o % 60);
}

// Go's time.RFC3339 layout (no fractional seconds).
std::string format_rfc3339(const Time& t) {
  const Civil c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  return std::string(buf) + (t.offset == 0 ? "Z" : offset_text(t, true));
}

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDaysOfWeek[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};

core::Result<Value> f_formatdate(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string spec, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string ts, str_arg(a[1], 1));
  SKM_TRY_ASSIGN(Time t, parse_rfc3339(ts, 1));
  const Civil c = to_civil(t);
  std::string out;
  for (size_t i = 0; i < spec.size();) {
    const char ch = spec[i];
    if (ch == '\'') {
      // Quoted literal; '' inside (or alone) is a literal quote.
      if (i + 1 < spec.size() && spec[i + 1] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      size_t j = i + 1;
      while (true) {
        if (j >= spec.size()) return fail("unterminated literal in date format; add a closing quote");
        if (spec[j] == '\'') {
          if (j + 1 < spec.size() && spec[j + 1] == '\'') {
            out += '\'';
            j += 2;
            continue;
          }
          break;
        }
        out += spec[j++];
      }
      i = j + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(ch))) {
      out += ch;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < spec.size() && spec[j] == ch) ++j;
    const std::string seq = spec.substr(i, j - i);
    i = j;
    if (seq == "YYYY") {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(c.year));
      out += buf;
    } else if (seq == "YY") {
      out += two(((c.year % 100) + 100) % 100);
    } else if (seq == "MMMM") {
      out += kMonths[c.month - 1];
    } else if (seq == "MMM") {
      out += std::string(kMonths[c.month - 1]).substr(0, 3);
    } else if (seq == "MM") {
      out += two(c.month);
    } else if (seq == "M") {
      out += std::to_string(c.month);
    } else if (seq == "DD") {
      out += two(c.day);
    } else if (seq == "D") {
      out += std::to_string(c.day);
    } else if (seq == "EEEE") {
      out += kDaysOfWeek[c.weekday];
    } else if (seq == "EEE") {
      out += std::string(kDaysOfWeek[c.weekday]).substr(0, 3);
    } else if (seq == "hh") {
      out += two(c.hour);
    } else if (seq == "h") {
      out += std::to_string(c.hour);
    } else if (seq == "HH" || seq == "H") {
      int h12 = c.hour % 12;
      if (h12 == 0) h12 = 12;
      out += seq == "HH" ? two(h12) : std::to_string(h12);
    } else if (seq == "AA") {
      out += c.hour < 12 ? "AM" : "PM";
    } else if (seq == "aa") {
      out += c.hour < 12 ? "am" : "pm";
    } else if (seq == "mm") {
      out += two(c.minute);
    } else if (seq == "m") {
      out += std::to_string(c.minute);
    } else if (seq == "ss") {
      out += two(c.second);
    } else if (seq == "s") {
      out += std::to_string(c.second);
    } else if (seq == "ZZZZZ") {
      out += offset_text(t, true);
    } else if (seq == "ZZZZ") {
      out += offset_text(t, false);
    } else if (seq == "ZZZ") {
      out += t.offset == 0 ? "UTC" : offset_text(t, false);
    } else if (seq == "Z") {
      out += t.offset == 0 ? "Z" : offset_text(t, true);
    } else {
      return fail("invalid date format verb \"" + seq + "\": unsupported format sequence");
    }
  }
  return Value::string(std::move(out));
}

// Go's time.ParseDuration: a sequence of decimal numbers with units ns us µs ms s m h.
core::Result<int64_t> parse_duration(std::string_view s, size_t index) {
  auto bad = [&]() { return arg_error(index, "invalid duration \"" + std::string(s) + "\""); };
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  if (s.substr(i) == "0") return int64_t{0};
  if (i >= s.size()) return bad();
  long double total = 0;
  while (i < s.size()) {
    const size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (start == i) return bad();
    long double num = 0;
    const std::string numtext(s.substr(start, i - start));
    if (numtext == ".") return bad();
    num = std::strtold(numtext.c_str(), nullptr);
    const size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    const std::string_view unit = s.substr(ustart, i - ustart);
    long double mult = 0;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else {
      return bad();
    }
    total += num * mult;
    if (total > 9.2e18L) return arg_error(index, "duration \"" + std::string(s) + "\" is out of range");
  }
  const auto n = static_cast<int64_t>(total);
  return neg ? -n : n;
}

core::Result<Value> f_timeadd(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string ts, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string dur, str_arg(a[1], 1));
  SKM_TRY_ASSIGN(Time t, parse_rfc3339(ts, 0));
  SKM_TRY_ASSIGN(int64_t ns, parse_duration(dur, 1));
  int64_t total_ns = t.nanos + ns % 1'000'000'000;
  t.seconds += ns / 1'000'000'000 + total_ns / 1'000'000'000;
  total_ns %= 1'000'000'000;
  if (total_ns < 0) {
    total_ns += 1'000'000'000;
    --t.seconds;
  }
  t.nanos = total_ns;
  return Value::string(format_rfc3339(t));
}

core::Result<Value> f_timecmp(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string x, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string y, str_arg(a[1], 1));
  SKM_TRY_ASSIGN(Time tx, parse_rfc3339(x, 0));
  SKM_TRY_ASSIGN(Time ty, parse_rfc3339(y, 1));
  int r = 0;
  if (tx.seconds != ty.seconds) {
    r = tx.seconds < ty.seconds ? -1 : 1;
  } else if (tx.nanos != ty.nanos) {
    r = tx.nanos < ty.nanos ? -1 : 1;
  }
  return Value::number(int64_t{r});
}

core::Result<Value> f_timestamp(Args, const FunctionContext&) { return Value::unknown(Type::string()); }

}  // namespace

void add_time(Table& t) {
  const Type str = Type::string();
  t.push_back({"formatdate", 2, 2, f_formatdate, str});
  t.push_back({"timeadd", 2, 2, f_timeadd, str});
  t.push_back({"timecmp", 2, 2, f_timecmp, Type::number()});
  t.push_back({"timestamp", 0, 0, f_timestamp, str});
  t.push_back({"plantimestamp", 0, 0, f_timestamp, str});
}

}  // namespace sekimori::terraform::fn
