// String functions, format/formatlist and the regular expression functions (RE2, the
// same syntax as Go's regexp that Terraform uses).
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

// Byte offsets of each code point start, plus the end.
std::vector<size_t> char_offsets(std::string_view s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

core::Status check_size(const FunctionContext& ctx, size_t n) {
  if (n > ctx.limits.max_string) {
    return core::make_error("terraform.function.limit", "result string exceeds the limit of " +
                                                            std::to_string(ctx.limits.max_string) + " bytes");
  }
  return {};
}

// --- simple string functions -------------------------------------------------------------

core::Result<Value> f_chomp(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return Value::string(std::move(s));
}

core::Result<Value> f_startswith(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string p, str_arg(a[1], 1));
  return Value::boolean(s.starts_with(p));
}

core::Result<Value> f_endswith(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string p, str_arg(a[1], 1));
  return Value::boolean(s.ends_with(p));
}

core::Result<Value> f_strcontains(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string p, str_arg(a[1], 1));
  return Value::boolean(s.find(p) != std::string::npos);
}

core::Result<Value> f_indent(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(int64_t n, int_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string s, str_arg(a[1], 1));
  if (n < 0) return arg_error(0, "must not be negative");
  SKM_TRY(check_size(ctx, static_cast<size_t>(n)));
  const std::string pad(static_cast<size_t>(n), ' ');
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') {
      out += pad;
      SKM_TRY(check_size(ctx, out.size()));
    }
  }
  return Value::string(std::move(out));
}

core::Result<Value> f_join(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string sep, str_arg(a[0], 0));
  if (a.size() < 2) return fail("at least one list is required");
  std::string out;
  bool first = true;
  for (size_t i = 1; i < a.size(); ++i) {
    SKM_TRY_ASSIGN(auto items, seq_arg(a[i], i));
    for (const auto& item : items) {
      if (item.is_null()) return arg_error(i, "element is null; cannot concatenate null values");
      SKM_TRY_ASSIGN(std::string s, str_arg(item, i));
      if (!first) out += sep;
      first = false;
      out += s;
      SKM_TRY(check_size(ctx, out.size()));
    }
  }
  return Value::string(std::move(out));
}

core::Result<Value> f_lower(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return Value::string(std::move(s));
}

core::Result<Value> f_upper(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Value::string(std::move(s));
}

bool is_word_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

core::Result<Value> f_title(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  bool prev_sep = true;
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (prev_sep && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((u & 0xC0) != 0x80) prev_sep = !is_word_char(u);
  }
  return Value::string(std::move(s));
}

core::Result<Value> f_split(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string sep, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string s, str_arg(a[1], 1));
  std::vector<std::string> parts;
  if (sep.empty()) {
    auto off = char_offsets(s);
    for (size_t i = 0; i + 1 < off.size(); ++i) parts.push_back(s.substr(off[i], off[i + 1] - off[i]));
  } else {
    size_t start = 0;
    while (true) {
      const size_t hit = s.find(sep, start);
      if (hit == std::string::npos) break;
      parts.push_back(s.substr(start, hit - start));
      start = hit + sep.size();
      if (parts.size() > ctx.limits.max_elements) return fail("split result has too many elements");
    }
    parts.push_back(s.substr(start));
  }
  return string_list(std::move(parts));
}

core::Result<Value> f_strrev(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  auto off = grapheme_offsets(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = off.size() - 1; i > 0; --i) out += s.substr(off[i - 1], off[i] - off[i - 1]);
  return Value::string(std::move(out));
}

core::Result<Value> f_substr(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(int64_t offset, int_arg(a[1], 1));
  SKM_TRY_ASSIGN(int64_t length, int_arg(a[2], 2));
  auto off = grapheme_offsets(s);
  const auto total = static_cast<int64_t>(off.size() - 1);
  if (offset < 0) {
    offset += total;
    if (offset < 0) return arg_error(1, "offset is before the start of the string");
  }
  if (offset >= total) return Value::string("");
  // A negative length (documented: -1) takes the rest of the string.
  const int64_t end = length < 0 ? total : offset + std::min(length, total - offset);
  return Value::string(s.substr(off[static_cast<size_t>(offset)],
                                off[static_cast<size_t>(end)] - off[static_cast<size_t>(offset)]));
}

bool in_cutset(std::string_view cutset_text, std::string_view ch) {
  auto off = char_offsets(cutset_text);
  for (size_t i = 0; i + 1 < off.size(); ++i) {
    if (cutset_text.substr(off[i], off[i + 1] - off[i]) == ch) return true;
  }
  return false;
}

core::Result<Value> f_trim(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string cut, str_arg(a[1], 1));
  auto off = char_offsets(s);
  size_t b = 0;
  size_t e = off.size() - 1;
  while (b < e && in_cutset(cut, std::string_view(s).substr(off[b], off[b + 1] - off[b]))) ++b;
  while (e > b && in_cutset(cut, std::string_view(s).substr(off[e - 1], off[e] - off[e - 1]))) --e;
  return Value::string(s.substr(off[b], off[e] - off[b]));
}

core::Result<Value> f_trimprefix(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string p, str_arg(a[1], 1));
  if (s.starts_with(p)) s.erase(0, p.size());
  return Value::string(std::move(s));
}

core::Result<Value> f_trimsuffix(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string p, str_arg(a[1], 1));
  if (s.ends_with(p)) s.erase(s.size() - p.size());
  return Value::string(std::move(s));
}

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

core::Result<Value> f_trimspace(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return Value::string(s.substr(b, e - b));
}

// --- format --------------------------------------------------------------------------------

struct Verb {
  bool minus = false, plus = false, space = false, zero = false, sharp = false;
  int width = -1;
  int precision = -1;
  char verb = 0;
};

std::string pad(std::string body, const Verb& v, bool numeric) {
  if (v.width < 0) return body;
  const size_t chars = count_chars(body);
  if (chars >= static_cast<size_t>(v.width)) return body;
  const size_t n = static_cast<size_t>(v.width) - chars;
  if (v.minus) return body + std::string(n, ' ');
  if (v.zero && numeric) {
    size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    return body.substr(0, sign) + std::string(n, '0') + body.substr(sign);
  }
  return std::string(n, ' ') + body;
}

std::string int_to_base(int64_t v, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  const bool neg = v < 0;
  uint64_t u = neg ? (0 - static_cast<uint64_t>(v)) : static_cast<uint64_t>(v);
  std::string out;
  do {
    out.insert(out.begin(), digits[u % static_cast<uint64_t>(base)]);
    u /= static_cast<uint64_t>(base);
  } while (u != 0);
  if (neg) out.insert(out.begin(), '-');
  return out;
}

core::Result<std::string> format_one(const Verb& v, const Value& arg, size_t index) {
  std::string body;
  switch (v.verb) {
    case 'v': {
      if (v.sharp || arg.is_mapping() || arg.is_sequence()) {
        SKM_TRY_ASSIGN(body, to_json(arg));
        return pad(body, v, false);
      }
      if (arg.is_null()) return pad("null", v, false);
      SKM_TRY_ASSIGN(body, str_arg(arg, index));
      return pad(body, v, false);
    }
    case 's': {
      if (arg.is_null()) return arg_error(index, "null value cannot be formatted");
      SKM_TRY_ASSIGN(body, str_arg(arg, index));
      if (v.precision >= 0) {
        auto off = char_offsets(body);
        if (static_cast<size_t>(v.precision) + 1 < off.size())
          body.resize(off[static_cast<size_t>(v.precision)]);
      }
      return pad(body, v, false);
    }
    case 'q': {
      if (arg.is_null()) return arg_error(index, "null value cannot be formatted");
      SKM_TRY_ASSIGN(std::string s, str_arg(arg, index));
      SKM_TRY_ASSIGN(body, to_json(Value::string(s)));
      return pad(body, v, false);
    }
    case 't': {
      if (arg.is_null()) return arg_error(index, "null value cannot be formatted");
      SKM_TRY_ASSIGN(bool b, bool_arg(arg, index));
      return pad(b ? "true" : "false", v, false);
    }
    default:
      break;
  }
  if (arg.is_null()) return arg_error(index, "null value cannot be formatted");
  SKM_TRY_ASSIGN(Number n, num_arg(arg, index));
  switch (v.verb) {
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      if (!n.is_int && v.verb == 'd' && n.is_integral()) {
        // A whole number beyond int64 (held as a double): its digits, no exponent.
        body = n.to_string();
        if (n.d >= 0 && v.plus) body.insert(body.begin(), '+');
        return pad(body, v, true);
      }
      if (!n.is_int) {
        if (v.verb == 'x' || v.verb == 'X') {
          return arg_error(index, "the %x verb requires a whole number in the int64 range");
        }
        return arg_error(index, "a whole number is required for %" + std::string(1, v.verb));
      }
      const int base = v.verb == 'd' ? 10 : v.verb == 'b' ? 2 : v.verb == 'o' ? 8 : 16;
      body = int_to_base(n.i, base, v.verb == 'X');
      if (v.sharp && base != 10 && n.i != 0) {
        const std::string prefix = base == 2 ? "0b" : base == 8 ? "0" : (v.verb == 'X' ? "0X" : "0x");
        if (body[0] == '-') {
          body.insert(1, prefix);
        } else {
          body.insert(0, prefix);
        }
      }
      if (n.i >= 0 && v.plus) body.insert(body.begin(), '+');
      if (n.i >= 0 && !v.plus && v.space) body.insert(body.begin(), ' ');
      return pad(body, v, true);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      const double d = n.as_double();
      char buf[512];
      if ((v.verb == 'g' || v.verb == 'G') && v.precision < 0) {
        // Go's %g: the shortest representation that reads back exactly.
        auto r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::general);
        body.assign(buf, r.ptr);
        if (v.verb == 'G') {
          for (char& c : body) {
            if (c == 'e') c = 'E';
          }
        }
      } else {
        std::string spec = "%";
        spec += '.';
        spec += std::to_string(v.precision < 0 ? 6 : std::min(v.precision, 100));
        spec += v.verb == 'F' ? 'f' : v.verb;
        std::snprintf(buf, sizeof(buf), spec.c_str(), d);
        body = buf;
      }
      if (d >= 0 && v.plus) body.insert(body.begin(), '+');
      if (d >= 0 && !v.plus && v.space) body.insert(body.begin(), ' ');
      return pad(body, v, true);
    }
    default:
      return fail(std::string("unsupported format verb %") + v.verb);
  }
}

core::Result<std::string> format_impl(std::string_view fmt, Args args, size_t arg_base,
                                      const FunctionContext& ctx) {
  std::string out;
  size_t next = 0;
  size_t max_used = 0;
  for (size_t i = 0; i < fmt.size();) {
    if (fmt[i] != '%') {
      out += fmt[i++];
      continue;
    }
    ++i;
    if (i < fmt.size() && fmt[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    Verb v;
    for (; i < fmt.size(); ++i) {
      const char c = fmt[i];
      if (c == '-') {
        v.minus = true;
      } else if (c == '+') {
        v.plus = true;
      } else if (c == ' ') {
        v.space = true;
      } else if (c == '0') {
        v.zero = true;
      } else if (c == '#') {
        v.sharp = true;
      } else {
        break;
      }
    }
    if (i < fmt.size() && fmt[i] == '[') {
      size_t close = fmt.find(']', i);
      if (close == std::string_view::npos) return fail("unterminated argument index in format string");
      int idx = 0;
      auto r = std::from_chars(fmt.data() + i + 1, fmt.data() + close, idx);
      if (r.ec != std::errc() || r.ptr != fmt.data() + close || idx < 1) {
        return fail("invalid argument index in format string");
      }
      next = static_cast<size_t>(idx - 1);
      i = close + 1;
    }
    auto read_int = [&](int& target) {
      int val = 0;
      bool any = false;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
        val = std::min(val * 10 + (fmt[i] - '0'), 100000);
        ++i;
        any = true;
      }
      if (any) target = val;
    };
    read_int(v.width);
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      v.precision = 0;
      read_int(v.precision);
    }
    if (i >= fmt.size()) return fail("format string ends with an incomplete verb");
    // The verb is one code point; only ASCII verbs are supported.
    v.verb = fmt[i++];
    if (std::string_view("vstqdboxXeEfFgG").find(v.verb) == std::string_view::npos) {
      return fail(std::string("unsupported format verb %") + v.verb);
    }
    if (next >= args.size()) {
      return fail("not enough arguments for format string (verb %" + std::string(1, v.verb) + ")");
    }
    SKM_TRY_ASSIGN(std::string piece, format_one(v, args[next], arg_base + next));
    out += piece;
    ++next;
    max_used = std::max(max_used, next);
    SKM_TRY(check_size(ctx, out.size()));
  }
  if (max_used < args.size()) {
    return fail("too many arguments; only " + std::to_string(max_used) + " used by format string");
  }
  return out;
}

core::Result<Value> f_format(Args a, const FunctionContext& ctx) {
  if (a[0].kind() != ValueKind::kString) return arg_error(0, "format string required");
  SKM_TRY_ASSIGN(std::string s, format_impl(a[0].as_string(), a.subspan(1), 1, ctx));
  return Value::string(std::move(s));
}

core::Result<Value> f_formatlist(Args a, const FunctionContext& ctx) {
  if (a[0].kind() != ValueKind::kString) return arg_error(0, "format string required");
  int64_t len = -1;
  for (size_t i = 1; i < a.size(); ++i) {
    if (a[i].is_sequence()) {
      const auto n = static_cast<int64_t>(a[i].items().size());
      if (len >= 0 && n != len) {
        return arg_error(i, "argument has length " + std::to_string(n) + ", which is inconsistent with " +
                                "earlier lists of length " + std::to_string(len));
      }
      len = n;
    }
  }
  if (len < 0) len = 1;
  std::vector<std::string> out;
  std::vector<Value> row(a.size() - 1);
  for (int64_t k = 0; k < len; ++k) {
    for (size_t i = 1; i < a.size(); ++i) {
      row[i - 1] = a[i].is_sequence() ? a[i].items()[static_cast<size_t>(k)] : a[i];
      if (row[i - 1].is_unknown()) return Value::unknown(Type::list(Type::string()));
    }
    SKM_TRY_ASSIGN(std::string s, format_impl(a[0].as_string(), row, 1, ctx));
    out.push_back(std::move(s));
  }
  return string_list(std::move(out));
}

// --- regular expressions -------------------------------------------------------------------

// A small per-thread cache of compiled patterns: rules and modules call the same regex
// over and over.
std::shared_ptr<const re2::RE2> compile(const std::string& pattern, std::string* error) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const re2::RE2>> cache;
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second;
  auto re = std::make_shared<const re2::RE2>(pattern, re2::RE2::Quiet);
  if (!re->ok()) {
    *error = re->error();
    return nullptr;
  }
  if (cache.size() >= 256) cache.clear();
  cache.emplace(pattern, re);
  return re;
}

Value match_value(const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  const int n = re.NumberOfCapturingGroups();
  auto piece = [&](int g) -> Value {
    const auto& p = groups[static_cast<size_t>(g)];
    if (p.data() == nullptr) return Value::null(Type::string());
    return Value::string(std::string(p.data(), p.size()));
  };
  if (n == 0) return piece(0);
  const auto& names = re.NamedCapturingGroups();
  if (!names.empty()) {
    std::vector<Member> members;
    for (const auto& [name, idx] : names) members.push_back(Member{name, piece(idx)});
    return Value::object(std::move(members));
  }
  std::vector<Value> items;
  for (int g = 1; g <= n; ++g) items.push_back(piece(g));
  return Value::list(std::move(items), Type::string());
}

core::Result<Value> regex_impl(Args a, bool all, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string pattern, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string s, str_arg(a[1], 1));
  std::string error;
  auto re = compile(pattern, &error);
  if (!re) return arg_error(0, "invalid regular expression: " + error);
  const int n = re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
  const re2::StringPiece text(s.data(), s.size());
  if (!all) {
    if (!re->Match(text, 0, s.size(), re2::RE2::UNANCHORED, groups.data(), n + 1)) {
      return fail("pattern did not match any part of the given string");
    }
    return match_value(*re, groups);
  }
  std::vector<Value> out;
  size_t pos = 0;
  ptrdiff_t last_end = -1;
  while (pos <= s.size()) {
    if (!re->Match(text, pos, s.size(), re2::RE2::UNANCHORED, groups.data(), n + 1)) break;
    const auto start = static_cast<size_t>(groups[0].data() - s.data());
    const size_t end = start + groups[0].size();
    if (!(groups[0].empty() && static_cast<ptrdiff_t>(start) == last_end)) {
      out.push_back(match_value(*re, groups));
      if (out.size() > ctx.limits.max_elements) return fail("regexall result has too many elements");
    }
    last_end = static_cast<ptrdiff_t>(end);
    pos = end > pos ? end : pos + 1;
  }
  Type elem = n == 0 ? Type::string() : Type();
  if (n == 0) return Value::list(std::move(out), elem);
  return list_or_tuple(std::move(out));
}

core::Result<Value> f_regex(Args a, const FunctionContext& ctx) { return regex_impl(a, false, ctx); }
core::Result<Value> f_regexall(Args a, const FunctionContext& ctx) { return regex_impl(a, true, ctx); }

// Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$.
void expand(std::string& out, std::string_view repl, const re2::RE2& re,
            const std::vector<re2::StringPiece>& g) {
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 >= repl.size()) {
      out += repl[i];
      continue;
    }
    if (repl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (repl[j] == '{') {
      const size_t close = repl.find('}', j);
      if (close == std::string_view::npos) {
        out += repl[i];
        continue;
      }
      name = std::string(repl.substr(j + 1, close - j - 1));
      j = close + 1;
    } else {
      while (j < repl.size() && (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_')) ++j;
      name = std::string(repl.substr(i + 1, j - i - 1));
    }
    if (name.empty()) {
      out += repl[i];
      continue;
    }
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (name.size() < 6) idx = std::stoi(name);
    } else {
      auto it = re.NamedCapturingGroups().find(name);
      if (it != re.NamedCapturingGroups().end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < g.size() && g[static_cast<size_t>(idx)].data() != nullptr) {
      out.append(g[static_cast<size_t>(idx)].data(), g[static_cast<size_t>(idx)].size());
    }
    i = j - 1;
  }
}

core::Result<Value> f_replace(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string sub, str_arg(a[1], 1));
  SKM_TRY_ASSIGN(std::string repl, str_arg(a[2], 2));
  if (sub.size() >= 2 && sub.front() == '/' && sub.back() == '/') {
    std::string error;
    auto re = compile(sub.substr(1, sub.size() - 2), &error);
    if (!re) return arg_error(1, "invalid regular expression: " + error);
    const int n = re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> g(static_cast<size_t>(n) + 1);
    const re2::StringPiece text(s.data(), s.size());
    std::string out;
    size_t search = 0;
    size_t last_end = 0;
    while (search <= s.size()) {
      if (!re->Match(text, search, s.size(), re2::RE2::UNANCHORED, g.data(), n + 1)) break;
      const auto start = static_cast<size_t>(g[0].data() - s.data());
      const size_t end = start + g[0].size();
      out.append(s, last_end, start - last_end);
      if (end > last_end || start == 0) expand(out, repl, *re, g);
      SKM_TRY(check_size(ctx, out.size()));
      last_end = end;
      size_t width = 1;
      if (search < s.size()) {
        const auto c = static_cast<unsigned char>(s[search]);
        width = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
      }
      if (search + width > end) {
        search += width;
      } else if (search + 1 > end) {
        ++search;
      } else {
        search = end;
      }
    }
    out.append(s, std::min(last_end, s.size()), std::string::npos);
    return Value::string(std::move(out));
  }
  if (sub.empty()) {
    // strings.Replace with an empty old string inserts at every code point boundary.
    auto off = char_offsets(s);
    std::string out = repl;
    for (size_t i = 0; i + 1 < off.size(); ++i) {
      out.append(s, off[i], off[i + 1] - off[i]);
      out += repl;
      SKM_TRY(check_size(ctx, out.size()));
    }
    return Value::string(std::move(out));
  }
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t hit = s.find(sub, start);
    if (hit == std::string::npos) break;
    out.append(s, start, hit - start);
    out += repl;
    SKM_TRY(check_size(ctx, out.size()));
    start = hit + sub.size();
  }
  out.append(s, start, std::string::npos);
  return Value::string(std::move(out));
}

}  // namespace

void add_string(Table& t) {
  const Type str = Type::string();
  const Type b = Type::boolean();
  t.push_back({"chomp", 1, 1, f_chomp, str});
  t.push_back({"endswith", 2, 2, f_endswith, b});
  t.push_back({"format", 1, -1, f_format, str, kAllowNull});
  t.push_back({"formatlist", 1, -1, f_formatlist, Type::list(str), kAllowNull | kPartial});
  t.push_back({"indent", 2, 2, f_indent, str});
  t.push_back({"join", 1, -1, f_join, str});
  t.push_back({"lower", 1, 1, f_lower, str});
  t.push_back({"regex", 2, 2, f_regex, Type()});
  t.push_back({"regexall", 2, 2, f_regexall, Type()});
  t.push_back({"replace", 3, 3, f_replace, str});
  t.push_back({"split", 2, 2, f_split, Type::list(str)});
  t.push_back({"startswith", 2, 2, f_startswith, b});
  t.push_back({"strcontains", 2, 2, f_strcontains, b});
  t.push_back({"strrev", 1, 1, f_strrev, str});
  t.push_back({"substr", 3, 3, f_substr, str});
  t.push_back({"title", 1, 1, f_title, str});
  t.push_back({"trim", 2, 2, f_trim, str});
  t.push_back({"trimprefix", 2, 2, f_trimprefix, str});
  t.push_back({"trimsuffix", 2, 2, f_trimsuffix, str});
  t.push_back({"trimspace", 1, 1, f_trimspace, str});
  t.push_back({"upper", 1, 1, f_upper, str});
}

}  // namespace sekimori::terraform::fn
