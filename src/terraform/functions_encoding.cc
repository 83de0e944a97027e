// Encoding functions: base64, gzip, CSV, JSON, YAML, URL and text encodings.
#include <libdeflate.h>

#include <algorithm>
#include <cctype>

#include "core/base64.h"
#include "core/utf8.h"
#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace {

using Args = std::span<const Value>;

bool is_std_base64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '=') {
      if (i + 2 < s.size()) return false;  // padding only in the last two places
      ++pad;
      continue;
    }
    if (pad > 0) return false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return true;
}

core::Result<std::string> decode_b64(const Value& v, size_t index) {
  SKM_TRY_ASSIGN(std::string s, str_arg(v, index));
  auto d = core::base64_decode(s);
  if (!d || !is_std_base64(s)) return fail("failed to decode base64 data \"" + s.substr(0, 40) + "\"");
  return std::move(*d);
}

core::Result<Value> f_base64encode(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  return Value::string(core::base64_encode(s));
}

core::Result<Value> f_base64decode(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string d, decode_b64(a[0], 0));
  if (!valid_utf8(d)) return fail("the result of decoding the provided string is not valid UTF-8");
  return Value::string(std::move(d));
}

core::Result<Value> f_base64gzip(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  if (c == nullptr) return fail("cannot allocate a compressor");
  std::string out(libdeflate_gzip_compress_bound(c, s.size()), '\0');
  const size_t n = libdeflate_gzip_compress(c, s.data(), s.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  if (n == 0) return fail("compression failed");
  out.resize(n);
  // Header as Go's gzip writer (which Terraform uses) writes it: no extra flags, OS unknown.
  if (out.size() > 9) {
    out[8] = 0;
    out[9] = static_cast<char>(0xFF);
  }
  return Value::string(core::base64_encode(out));
}

// --- CSV (RFC 4180, as Go's encoding/csv reads it) ----------------------------------------

core::Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view s,
                                                              const FunctionContext& ctx) {
  std::vector<std::vector<std::string>> rows;
  size_t i = 0;
  size_t line = 1;
  while (i < s.size()) {
    // Go skips empty lines.
    if (s[i] == '\n') {
      ++i;
      ++line;
      continue;
    }
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      i += 2;
      ++line;
      continue;
    }
    std::vector<std::string> row;
    while (true) {
      std::string field;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (true) {
          if (i >= s.size())
            return fail("CSV parse error on line " + std::to_string(line) +
                        ": extraneous or missing \" in quoted-field");
          if (s[i] == '"') {
            if (i + 1 < s.size() && s[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (s[i] == '\n') ++line;
          field += s[i++];
        }
        if (i < s.size() && s[i] != ',' && s[i] != '\n' &&
            !(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) {
          return fail("CSV parse error on line " + std::to_string(line) +
                      ": extraneous or missing \" in quoted-field");
        }
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != '\n' &&
               !(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) {
          if (s[i] == '"')
            return fail("CSV parse error on line " + std::to_string(line) + ": bare \" in non-quoted-field");
          field += s[i++];
        }
      }
      row.push_back(std::move(field));
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < s.size() && s[i] == '\r') ++i;
    if (i < s.size() && s[i] == '\n') {
      ++i;
      ++line;
    }
    if (!rows.empty() && row.size() != rows[0].size()) {
      return fail("CSV parse error on line " + std::to_string(line - 1) + ": wrong number of fields");
    }
    rows.push_back(std::move(row));
    if (rows.size() > ctx.limits.max_elements) return fail("CSV has too many rows");
  }
  return rows;
}

core::Result<Value> f_csvdecode(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(auto rows, parse_csv(s, ctx));
  if (rows.empty()) return fail("missing header line");
  std::vector<Value> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::vector<Member> members;
    for (size_t c = 0; c < rows[0].size(); ++c)
      members.push_back(Member{rows[0][c], Value::string(rows[r][c])});
    out.push_back(Value::object(std::move(members)));
  }
  std::vector<ObjectAttr> attrs;
  for (const auto& h : rows[0]) attrs.push_back(ObjectAttr{h, Type::string(), false, nullptr});
  return Value::list(std::move(out), Type::object(std::move(attrs)));
}

// --- JSON and YAML -------------------------------------------------------------------------

core::Result<Value> f_jsonencode(Args a, const FunctionContext&) {
  if (!a[0].is_wholly_known()) return to_json_unknown(a[0]);  // known text kept around unknown strings
  SKM_TRY_ASSIGN(std::string s, to_json(a[0]));
  return Value::string(std::move(s));
}

core::Result<Value> f_jsondecode(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  auto v = from_json(s, ctx.limits.max_depth);
  if (!v.ok()) return fail("invalid JSON: " + v.error().message);
  return v;
}

core::Result<Value> f_yamldecode(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  formats::Limits limits;
  limits.max_depth = std::min<uint32_t>(ctx.limits.max_depth, 256);
  limits.max_nodes = std::max<uint64_t>(ctx.limits.max_elements, 1);
  limits.max_string = ctx.limits.max_string;
  core::Diagnostics diags;
  auto doc = formats::load_yaml("<yamldecode>", std::move(s), limits, diags);
  if (!doc.ok()) return fail("invalid YAML: " + doc.error().message);
  if (doc->roots().size() > 1) return fail("invalid YAML: only one document is allowed");
  if (doc->roots().empty()) return Value::null();
  return from_node(doc->root());
}

void yaml_quoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

core::Status yaml_into(std::string& out, const Value& v, size_t indent, bool inline_start, uint32_t depth);

void yaml_scalar(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      out += "null";
      break;
    case ValueKind::kBool:
      out += v.as_bool() ? "true" : "false";
      break;
    case ValueKind::kNumber:
      out += v.as_number().to_string();
      break;
    case ValueKind::kString:
      yaml_quoted(out, v.as_string());
      break;
    default:
      break;
  }
}

bool yaml_is_block(const Value& v) { return (v.is_sequence() || v.is_mapping()) && v.size() > 0; }

// Writes `v` whose first line continues the current line (after "- " or at the start).
core::Status yaml_into(std::string& out, const Value& v, size_t indent, bool inline_start, uint32_t depth) {
  if (depth > 256) return fail("yamlencode: value is nested too deeply");
  const std::string pad(indent, ' ');
  if (v.is_unknown()) return fail("yamlencode: value is not known yet");
  if (v.is_sequence()) {
    if (v.items().empty()) {
      out += "[]\n";
      return {};
    }
    bool first = true;
    for (const auto& i : v.items()) {
      if (!(first && inline_start)) out += pad;
      first = false;
      out += "- ";
      SKM_TRY(yaml_into(out, i, indent + 2, true, depth + 1));
    }
    return {};
  }
  if (v.is_mapping()) {
    if (v.members().empty()) {
      out += "{}\n";
      return {};
    }
    bool first = true;
    for (const auto& m : v.members()) {
      if (!(first && inline_start)) out += pad;
      first = false;
      yaml_quoted(out, m.key);
      out += ':';
      if (yaml_is_block(m.value)) {
        out += '\n';
        // Sequences under a key are not indented further (go-yaml's style).
        const size_t child = m.value.is_sequence() ? indent : indent + 2;
        SKM_TRY(yaml_into(out, m.value, child, false, depth + 1));
      } else {
        out += ' ';
        SKM_TRY(yaml_into(out, m.value, indent + 2, true, depth + 1));
      }
    }
    return {};
  }
  yaml_scalar(out, v);
  out += '\n';
  return {};
}

core::Result<Value> f_yamlencode(Args a, const FunctionContext&) {
  std::string out;
  SKM_TRY(yaml_into(out, a[0], 0, true, 0));
  return Value::string(std::move(out));
}

// --- URL and text encodings ----------------------------------------------------------------

core::Result<Value> f_urlencode(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return Value::string(std::move(out));
}

std::string upper_name(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '_' || c == '-'; }), s.end());
  return s;
}

std::vector<uint32_t> decode_utf8(std::string_view s) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    cps.push_back(cp);
    i += len;
  }
  return cps;
}

core::Result<Value> f_textencodebase64(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string s, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string enc_name, str_arg(a[1], 1));
  const std::string enc = upper_name(enc_name);
  std::string out;
  if (enc == "UTF8") {
    out = s;
  } else if (enc == "UTF16LE" || enc == "UTF16BE" || enc == "UTF16") {
    const bool le = enc == "UTF16LE";
    if (enc == "UTF16") out += "\xFE\xFF";
    auto put = [&](uint32_t u) {
      const char hi = static_cast<char>((u >> 8) & 0xFF);
      const char lo = static_cast<char>(u & 0xFF);
      out += le ? lo : hi;
      out += le ? hi : lo;
    };
    for (uint32_t cp : decode_utf8(s)) {
      if (cp >= 0x10000) {
        cp -= 0x10000;
        put(0xD800 + (cp >> 10));
        put(0xDC00 + (cp & 0x3FF));
      } else {
        put(cp);
      }
    }
  } else if (enc == "UTF32LE" || enc == "UTF32BE") {
    const bool le = enc == "UTF32LE";
    for (uint32_t cp : decode_utf8(s)) {
      for (int k = 0; k < 4; ++k) {
        const int shift = le ? 8 * k : 8 * (3 - k);
        out += static_cast<char>((cp >> shift) & 0xFF);
      }
    }
  } else if (enc == "ISO88591" || enc == "LATIN1" || enc == "USASCII" || enc == "ASCII") {
    const uint32_t max = (enc == "USASCII" || enc == "ASCII") ? 0x7F : 0xFF;
    for (uint32_t cp : decode_utf8(s)) {
      if (cp > max)
        return fail("the given string contains characters that cannot be represented in " + enc_name);
      out += static_cast<char>(cp);
    }
  } else {
    return arg_error(1, "\"" + enc_name + "\" is not a supported character encoding");
  }
  return Value::string(core::base64_encode(out));
}

core::Result<Value> f_textdecodebase64(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string bytes, decode_b64(a[0], 0));
  SKM_TRY_ASSIGN(std::string enc_name, str_arg(a[1], 1));
  const std::string enc = upper_name(enc_name);
  std::string out;
  if (enc == "UTF8") {
    if (!valid_utf8(bytes)) return fail("the given value is not valid UTF-8");
    out = bytes;
  } else if (enc == "UTF16LE" || enc == "UTF16BE" || enc == "UTF16") {
    bool le = enc == "UTF16LE";
    size_t i = 0;
    if (enc == "UTF16" && bytes.size() >= 2) {
      if (bytes.compare(0, 2, "\xFF\xFE") == 0) {
        le = true;
        i = 2;
      } else if (bytes.compare(0, 2, "\xFE\xFF") == 0) {
        i = 2;
      }
    }
    if ((bytes.size() - i) % 2 != 0) return fail("the given value is not valid " + enc_name);
    auto get = [&](size_t k) {
      const auto b0 = static_cast<unsigned char>(bytes[k]);
      const auto b1 = static_cast<unsigned char>(bytes[k + 1]);
      return le ? static_cast<uint32_t>(b0 | (b1 << 8)) : static_cast<uint32_t>((b0 << 8) | b1);
    };
    for (; i < bytes.size(); i += 2) {
      uint32_t u = get(i);
      if (u >= 0xD800 && u < 0xDC00 && i + 3 < bytes.size()) {
        const uint32_t lo = get(i + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
          i += 2;
        }
      }
      core::append_utf8(out, u);
    }
  } else if (enc == "UTF32LE" || enc == "UTF32BE") {
    if (bytes.size() % 4 != 0) return fail("the given value is not valid " + enc_name);
    for (size_t i = 0; i < bytes.size(); i += 4) {
      uint32_t cp = 0;
      for (int k = 0; k < 4; ++k) {
        const auto b = static_cast<unsigned char>(bytes[i + static_cast<size_t>(k)]);
        cp |= static_cast<uint32_t>(b) << (enc == "UTF32LE" ? 8 * k : 8 * (3 - k));
      }
      if (cp > 0x10FFFF) return fail("the given value is not valid " + enc_name);
      core::append_utf8(out, cp);
    }
  } else if (enc == "ISO88591" || enc == "LATIN1" || enc == "USASCII" || enc == "ASCII") {
    for (char c : bytes) core::append_utf8(out, static_cast<unsigned char>(c));
  } else {
    return arg_error(1, "\"" + enc_name + "\" is not a supported character encoding");
  }
  return Value::string(std::move(out));
}

}  // namespace

void add_encoding(Table& t) {
  const Type str = Type::string();
  t.push_back({"base64decode", 1, 1, f_base64decode, str});
  t.push_back({"base64encode", 1, 1, f_base64encode, str});
  t.push_back({"base64gzip", 1, 1, f_base64gzip, str});
  t.push_back({"csvdecode", 1, 1, f_csvdecode, Type()});
  t.push_back({"jsondecode", 1, 1, f_jsondecode, Type()});
  t.push_back({"jsonencode", 1, 1, f_jsonencode, str, kAllowNull | kPartial | kAllowUnknown});
  t.push_back({"textdecodebase64", 2, 2, f_textdecodebase64, str});
  t.push_back({"textencodebase64", 2, 2, f_textencodebase64, str});
  t.push_back({"urlencode", 1, 1, f_urlencode, str});
  t.push_back({"yamldecode", 1, 1, f_yamldecode, Type()});
  t.push_back({"yamlencode", 1, 1, f_yamlencode, str, kAllowNull});
}

}  // namespace sekimori::terraform::fn
