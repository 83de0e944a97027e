// The CEL string extension (cel-go ext/strings.go): charAt, indexOf, lastIndexOf,
// lowerAscii, upperAscii, replace, split, substring, trim, join, reverse, format and
// strings.quote. Indices count Unicode code points, never bytes.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cel/functions.h"
#include "core/utf8.h"

namespace sekimori::cel {
namespace {

using Args = std::span<const Value>;

Value cost_error() { return Value::error("evaluation cost budget exceeded"); }

// Byte offsets of each code point's first byte, followed by s.size().
std::vector<size_t> cp_offsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

int64_t cp_count(const std::vector<size_t>& offs) { return static_cast<int64_t>(offs.size()) - 1; }

// Code point index of byte position `byte` (a code point boundary).
int64_t cp_index(const std::vector<size_t>& offs, size_t byte) {
  return std::lower_bound(offs.begin(), offs.end(), byte) - offs.begin();
}

// Decodes one code point at s[*i]; invalid sequences yield U+FFFD and advance one byte.
char32_t decode(std::string_view s, size_t* i) {
  uint32_t cp = 0;
  size_t len = core::decode_utf8(s, *i, cp);
  if (len == 0) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

// Unicode White_Space, as Go's unicode.IsSpace (and so strings.TrimSpace) defines it.
bool is_space(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_str(const Value& v) { return v.kind() == Kind::kString; }
bool is_int(const Value& v) { return v.kind() == Kind::kInt; }

Value out_string(std::string s, const CallContext& ctx) {
  if (!ctx.charge(s.size())) return cost_error();
  return Value::string(std::move(s));
}

Value char_at(Args a, const CallContext&) {
  if (!is_str(a[0]) || !is_int(a[1])) return Value::no_overload("charAt");
  std::string_view s = a[0].as_string();
  auto offs = cp_offsets(s);
  int64_t i = a[1].as_int();
  if (i < 0 || i > cp_count(offs)) return Value::error("index out of range: " + std::to_string(i));
  if (i == cp_count(offs)) return Value::string("");
  size_t b = offs[static_cast<size_t>(i)], e = offs[static_cast<size_t>(i) + 1];
  return Value::string(std::string(s.substr(b, e - b)));
}

Value index_of(Args a, const CallContext& ctx) {
  if (!is_str(a[0]) || !is_str(a[1]) || (a.size() == 3 && !is_int(a[2]))) {
    return Value::no_overload("indexOf");
  }
  std::string_view s = a[0].as_string(), sub = a[1].as_string();
  if (!ctx.charge(s.size())) return cost_error();
  auto offs = cp_offsets(s);
  int64_t off = a.size() == 3 ? a[2].as_int() : 0;
  if (off < 0 || off > cp_count(offs)) return Value::error("index out of range: " + std::to_string(off));
  size_t pos = s.find(sub, offs[static_cast<size_t>(off)]);
  if (pos == std::string_view::npos) return Value::integer(-1);
  return Value::integer(cp_index(offs, pos));
}

Value last_index_of(Args a, const CallContext& ctx) {
  if (!is_str(a[0]) || !is_str(a[1]) || (a.size() == 3 && !is_int(a[2]))) {
    return Value::no_overload("lastIndexOf");
  }
  std::string_view s = a[0].as_string(), sub = a[1].as_string();
  if (!ctx.charge(s.size())) return cost_error();
  auto offs = cp_offsets(s);
  int64_t off = cp_count(offs);
  if (a.size() == 3) {
    off = a[2].as_int();
    if (off < 0 || off > cp_count(offs)) return Value::error("index out of range: " + std::to_string(off));
  }
  // The match must start at or before code point `off`.
  size_t pos = s.rfind(sub, offs[static_cast<size_t>(off)]);
  if (pos == std::string_view::npos) return Value::integer(-1);
  return Value::integer(cp_index(offs, pos));
}

template <bool kUpper>
Value change_case(Args a, const CallContext& ctx) {
  if (!is_str(a[0])) return Value::no_overload(kUpper ? "upperAscii" : "lowerAscii");
  std::string s(a[0].as_string());
  for (char& c : s) {
    if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out_string(std::move(s), ctx);
}

Value replace(Args a, const CallContext& ctx) {
  if (!is_str(a[0]) || !is_str(a[1]) || !is_str(a[2]) || (a.size() == 4 && !is_int(a[3]))) {
    return Value::no_overload("replace");
  }
  std::string_view s = a[0].as_string(), from = a[1].as_string(), to = a[2].as_string();
  int64_t n = a.size() == 4 ? a[3].as_int() : -1;  // negative: replace all
  std::string out;
  int64_t done = 0;
  if (from.empty()) {
    // Go semantics: insert `to` before every code point and at the end.
    size_t i = 0;
    while (true) {
      if (n < 0 || done < n) {
        out += to;
        ++done;
      }
      if (i >= s.size()) break;
      size_t start = i;
      decode(s, &i);
      out += s.substr(start, i - start);
      if (out.size() > (1u << 30) || !ctx.charge(to.size() + 1)) return cost_error();
    }
    return out_string(std::move(out), ctx);
  }
  size_t pos = 0;
  while (n < 0 || done < n) {
    size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out += s.substr(pos, hit - pos);
    out += to;
    pos = hit + from.size();
    ++done;
    if (!ctx.charge(to.size() + 1)) return cost_error();
  }
  out += s.substr(pos);
  return out_string(std::move(out), ctx);
}

Value split(Args a, const CallContext& ctx) {
  if (!is_str(a[0]) || !is_str(a[1]) || (a.size() == 3 && !is_int(a[2]))) {
    return Value::no_overload("split");
  }
  std::string_view s = a[0].as_string(), sep = a[1].as_string();
  int64_t n = a.size() == 3 ? a[2].as_int() : -1;
  std::vector<Value> parts;
  if (n == 0) return Value::list({});
  if (!ctx.charge(s.size() + 1)) return cost_error();
  size_t pos = 0;
  if (sep.empty()) {
    while (pos < s.size()) {
      if (n > 0 && static_cast<int64_t>(parts.size()) == n - 1) {
        parts.push_back(Value::string(std::string(s.substr(pos))));
        pos = s.size();
        break;
      }
      size_t start = pos;
      decode(s, &pos);
      parts.push_back(Value::string(std::string(s.substr(start, pos - start))));
      if (!ctx.charge(1)) return cost_error();
    }
    return Value::list(std::move(parts));
  }
  while (n < 0 || static_cast<int64_t>(parts.size()) < n - 1) {
    size_t hit = s.find(sep, pos);
    if (hit == std::string_view::npos) break;
    parts.push_back(Value::string(std::string(s.substr(pos, hit - pos))));
    pos = hit + sep.size();
    if (!ctx.charge(1)) return cost_error();
  }
  parts.push_back(Value::string(std::string(s.substr(pos))));
  return Value::list(std::move(parts));
}

Value substring(Args a, const CallContext&) {
  if (!is_str(a[0]) || !is_int(a[1]) || (a.size() == 3 && !is_int(a[2]))) {
    return Value::no_overload("substring");
  }
  std::string_view s = a[0].as_string();
  auto offs = cp_offsets(s);
  int64_t n = cp_count(offs);
  int64_t start = a[1].as_int();
  int64_t end = a.size() == 3 ? a[2].as_int() : n;
  if (start > end) {
    return Value::error("invalid substring range. start: " + std::to_string(start) +
                        ", end: " + std::to_string(end));
  }
  if (start < 0 || start > n) return Value::error("index out of range: " + std::to_string(start));
  if (end < 0 || end > n) return Value::error("index out of range: " + std::to_string(end));
  size_t b = offs[static_cast<size_t>(start)], e = offs[static_cast<size_t>(end)];
  return Value::string(std::string(s.substr(b, e - b)));
}

Value trim(Args a, const CallContext&) {
  if (!is_str(a[0])) return Value::no_overload("trim");
  std::string_view s = a[0].as_string();
  size_t begin = 0;
  while (begin < s.size()) {
    size_t next = begin;
    if (!is_space(decode(s, &next))) break;
    begin = next;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t probe = start;
    if (!is_space(decode(s, &probe)) || probe != end) break;
    end = start;
  }
  return Value::string(std::string(s.substr(begin, end - begin)));
}

Value join(Args a, const CallContext& ctx) {
  if (a[0].kind() != Kind::kList || (a.size() == 2 && !is_str(a[1]))) {
    return Value::no_overload("join");
  }
  std::string_view sep = a.size() == 2 ? a[1].as_string() : std::string_view();
  std::string out;
  for (size_t i = 0; i < a[0].list_size(); ++i) {
    Value item = a[0].list_at(i);
    if (!is_str(item)) return Value::error("join: list element is not a string");
    if (i > 0) out += sep;
    out += item.as_string();
    if (!ctx.charge(item.as_string().size() + sep.size() + 1)) return cost_error();
  }
  return Value::string(std::move(out));
}

Value reverse(Args a, const CallContext& ctx) {
  if (!is_str(a[0])) return Value::no_overload("reverse");
  std::string_view s = a[0].as_string();
  auto offs = cp_offsets(s);
  std::string out;
  out.reserve(s.size());
  for (size_t k = offs.size() - 1; k > 0; --k) out += s.substr(offs[k - 1], offs[k] - offs[k - 1]);
  return out_string(std::move(out), ctx);
}

Value quote(Args a, const CallContext& ctx) {
  if (!is_str(a[0])) return Value::no_overload("strings.quote");
  std::string_view s = a[0].as_string();
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    char32_t c = decode(s, &i);
    switch (c) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: core::append_utf8(out, c);
    }
  }
  out += '"';
  return out_string(std::move(out), ctx);
}

// --- format ---

std::string non_finite(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

// The `string()` conversion of a scalar, shared with the standard library.
std::optional<std::string> scalar_string(const Value& v) {
  const Function* f = FunctionRegistry::standard().find("string", CallStyle::kGlobal, 1);
  if (f == nullptr) return std::nullopt;
  struct NullContext : CallContext {
    [[nodiscard]] Timestamp now() const override { return {}; }
    const re2::RE2* regex(std::string_view, std::string*) const override { return nullptr; }
    bool charge(uint64_t) const override { return true; }
  } ctx;
  const Value arg[1] = {v};
  Value r = f->impl(std::span<const Value>(arg, 1), ctx);
  if (r.kind() != Kind::kString) return std::nullopt;
  return std::string(r.as_string());
}

// %s: a readable rendering without quotes; lists and maps recursively, map entries
// sorted by their rendered keys so output is deterministic.
bool format_s(const Value& v, std::string* out, int depth) {
  if (depth > 32) return false;
  switch (v.kind()) {
    case Kind::kNull:
      *out += "null";
      return true;
    case Kind::kString:
      *out += v.as_string();
      return true;
    case Kind::kBytes:
      *out += v.as_bytes();
      return true;
    case Kind::kType:
      *out += v.type_name();
      return true;
    case Kind::kDouble:
      if (!std::isfinite(v.as_double())) {
        *out += non_finite(v.as_double());
        return true;
      }
      [[fallthrough]];
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUint:
    case Kind::kTimestamp:
    case Kind::kDuration:
    case Kind::kIp:
    case Kind::kCidr: {
      auto s = scalar_string(v);
      if (!s) return false;
      *out += *s;
      return true;
    }
    case Kind::kList: {
      *out += '[';
      for (size_t i = 0; i < v.list_size(); ++i) {
        if (i > 0) *out += ", ";
        if (!format_s(v.list_at(i), out, depth + 1)) return false;
      }
      *out += ']';
      return true;
    }
    case Kind::kMap: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (size_t i = 0; i < v.map_size(); ++i) {
        std::string k, val;
        if (!format_s(v.map_key_at(i), &k, depth + 1) ||
            !format_s(v.map_value_at(i), &val, depth + 1)) {
          return false;
        }
        entries.emplace_back(std::move(k), std::move(val));
      }
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      *out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) *out += ", ";
        *out += entries[i].first + ": " + entries[i].second;
      }
      *out += '}';
      return true;
    }
    default:
      return false;
  }
}

std::string to_base(uint64_t u, int base, bool upper) {
  if (u == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  while (u > 0) {
    s += digits[u % static_cast<uint64_t>(base)];
    u /= static_cast<uint64_t>(base);
  }
  std::reverse(s.begin(), s.end());
  return s;
}

// Integers in a base, Go style: a leading '-' and the magnitude for negatives.
bool format_integer(const Value& v, int base, bool upper, std::string* out) {
  if (v.kind() == Kind::kUint) {
    *out += to_base(v.as_uint(), base, upper);
    return true;
  }
  if (v.kind() == Kind::kInt) {
    int64_t i = v.as_int();
    if (i < 0) *out += '-';
    uint64_t mag = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    *out += to_base(mag, base, upper);
    return true;
  }
  return false;
}

bool format_float(const Value& v, char verb, int precision, std::string* out) {
  double d;
  switch (v.kind()) {
    case Kind::kDouble: d = v.as_double(); break;
    case Kind::kInt: d = static_cast<double>(v.as_int()); break;
    case Kind::kUint: d = static_cast<double>(v.as_uint()); break;
    default: return false;
  }
  if (!std::isfinite(d)) {
    *out += non_finite(d);
    return true;
  }
  char fmt[8] = {'%', '.', '*', verb, 0};
  int n = std::snprintf(nullptr, 0, fmt, precision, d);
  if (n < 0) return false;
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), fmt, precision, d);
  buf.resize(static_cast<size_t>(n));
  *out += buf;
  return true;
}

std::string hex_bytes(std::string_view b, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  for (char c : b) {
    unsigned char u = static_cast<unsigned char>(c);
    s += digits[u >> 4];
    s += digits[u & 0xF];
  }
  return s;
}

std::string type_label(const Value& v) {
  Value t = type_of(v);
  return t.kind() == Kind::kType ? std::string(t.type_name()) : "unknown";
}

Value format(Args a, const CallContext& ctx) {
  if (!is_str(a[0]) || a[1].kind() != Kind::kList) return Value::no_overload("format");
  std::string_view f = a[0].as_string();
  const Value& list = a[1];
  std::string out;
  size_t next_arg = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    if (++i >= f.size()) return Value::error("format: unterminated '%' clause");
    if (f[i] == '%') {
      out += '%';
      continue;
    }
    int precision = -1;
    if (f[i] == '.') {
      precision = 0;
      ++i;
      size_t start = i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        if (i - start >= 3) return Value::error("format: precision too large");
        precision = precision * 10 + (f[i] - '0');
        ++i;
      }
      if (i >= f.size()) return Value::error("format: unterminated '%' clause");
    }
    char verb = f[i];
    if (std::string_view("sdfexXob").find(verb) == std::string_view::npos) {
      return Value::error(std::string("format: unrecognized formatting clause '%") + verb + "'");
    }
    if (next_arg >= list.list_size()) {
      return Value::error("format: index " + std::to_string(next_arg) + " out of range");
    }
    Value arg = list.list_at(next_arg++);
    bool ok = false;
    switch (verb) {
      case 's':
        ok = format_s(arg, &out, 0);
        break;
      case 'd':
        if (arg.kind() == Kind::kDouble && !std::isfinite(arg.as_double())) {
          out += non_finite(arg.as_double());
          ok = true;
        } else {
          ok = format_integer(arg, 10, false, &out);
        }
        break;
      case 'f':
      case 'e':
        ok = format_float(arg, verb, precision < 0 ? 6 : precision, &out);
        break;
      case 'x':
      case 'X':
        if (arg.kind() == Kind::kString || arg.kind() == Kind::kBytes) {
          out += hex_bytes(arg.as_string(), verb == 'X');
          ok = true;
        } else {
          ok = format_integer(arg, 16, verb == 'X', &out);
        }
        break;
      case 'o':
        ok = format_integer(arg, 8, false, &out);
        break;
      case 'b':
        if (arg.kind() == Kind::kBool) {
          out += arg.as_bool() ? '1' : '0';
          ok = true;
        } else {
          ok = format_integer(arg, 2, false, &out);
        }
        break;
      default:
        break;
    }
    if (!ok) {
      return Value::error(std::string("format: clause '%") + verb +
                          "' does not support an argument of type " + type_label(arg));
    }
    if (out.size() > (1u << 26)) return cost_error();
  }
  return out_string(std::move(out), ctx);
}

}  // namespace

void register_string_extensions(FunctionRegistry& reg) {
  reg.add({"charAt", CallStyle::kReceiver, 2, &char_at});
  reg.add({"indexOf", CallStyle::kReceiver, 2, &index_of});
  reg.add({"indexOf", CallStyle::kReceiver, 3, &index_of});
  reg.add({"lastIndexOf", CallStyle::kReceiver, 2, &last_index_of});
  reg.add({"lastIndexOf", CallStyle::kReceiver, 3, &last_index_of});
  reg.add({"lowerAscii", CallStyle::kReceiver, 1, &change_case<false>});
  reg.add({"upperAscii", CallStyle::kReceiver, 1, &change_case<true>});
  reg.add({"replace", CallStyle::kReceiver, 3, &replace});
  reg.add({"replace", CallStyle::kReceiver, 4, &replace});
  reg.add({"split", CallStyle::kReceiver, 2, &split});
  reg.add({"split", CallStyle::kReceiver, 3, &split});
  reg.add({"substring", CallStyle::kReceiver, 2, &substring});
  reg.add({"substring", CallStyle::kReceiver, 3, &substring});
  reg.add({"trim", CallStyle::kReceiver, 1, &trim});
  reg.add({"join", CallStyle::kReceiver, 1, &join});
  reg.add({"join", CallStyle::kReceiver, 2, &join});
  reg.add({"reverse", CallStyle::kReceiver, 1, &reverse});
  reg.add({"format", CallStyle::kReceiver, 2, &format});
  reg.add({"strings.quote", CallStyle::kGlobal, 1, &quote});
}

}  // namespace sekimori::cel
