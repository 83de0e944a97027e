// Filesystem functions. Every read is confined to the scan root: the path is resolved
// (symlinks and `..`) before it is opened, and anything outside is an error.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/base64.h"
#include "terraform/functions_internal.h"

namespace sekimori::terraform::fn {

namespace fs = std::filesystem;

namespace {

using Args = std::span<const Value>;

fs::path root_of(const FunctionContext& ctx) {
  std::error_code ec;
  fs::path root = ctx.scan_root.empty() ? fs::path(ctx.base_dir) : fs::path(ctx.scan_root);
  fs::path canon = fs::weakly_canonical(fs::absolute(root, ec), ec);
  return ec ? root.lexically_normal() : canon;
}

bool inside(const fs::path& p, const fs::path& root) {
  const fs::path rel = p.lexically_relative(root);
  if (rel.empty()) return false;
  const auto first = rel.begin();
  return first == rel.end() || *first != "..";
}

}  // namespace

core::Result<std::string> resolve_path(const std::string& path, const FunctionContext& ctx) {
  if (path.empty()) return fail("the path must not be empty");
  if (path.find('\0') != std::string::npos) return fail("the path contains a NUL character");
  fs::path p(path);
  if (p.is_relative()) p = fs::path(ctx.base_dir) / p;
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) return fail("cannot resolve path \"" + path + "\": " + ec.message());
  fs::path canon = fs::weakly_canonical(abs, ec);
  if (ec) return fail("cannot resolve path \"" + path + "\": " + ec.message());
  if (!inside(canon, root_of(ctx))) {
    return core::make_error("terraform.function.outside_root",
                            "path \"" + path + "\" is outside the scanned directory; it is not read");
  }
  return canon.string();
}

core::Result<std::string> read_file_bytes(const std::string& path, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string real, resolve_path(path, ctx));
  std::error_code ec;
  const auto status = fs::status(real, ec);
  if (ec || !fs::exists(status)) return fail("no file exists at \"" + path + "\"");
  if (fs::is_directory(status)) return fail("\"" + path + "\" is a directory, not a file");
  const auto size = fs::file_size(real, ec);
  if (!ec && size > ctx.limits.max_file) {
    return core::make_error("terraform.function.limit", "file \"" + path + "\" is larger than the limit of " +
                                                            std::to_string(ctx.limits.max_file) + " bytes");
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return fail("cannot read \"" + path + "\"");
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > ctx.limits.max_file) {
      return core::make_error("terraform.function.limit", "file \"" + path + "\" is larger than the limit");
    }
  }
  return data;
}

namespace {

core::Result<Value> f_file(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string path, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string data, read_file_bytes(path, ctx));
  if (!valid_utf8(data)) {
    return fail(
        "contents of \"" + path +
        "\" are not valid UTF-8; use the filebase64 function to obtain the "
        "Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file "
        "hashing results instead");
  }
  return Value::string(std::move(data));
}

core::Result<Value> f_filebase64(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string path, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string data, read_file_bytes(path, ctx));
  return Value::string(core::base64_encode(data));
}

core::Result<Value> f_fileexists(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string path, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string real, resolve_path(path, ctx));
  std::error_code ec;
  const auto status = fs::status(real, ec);
  if (ec || !fs::exists(status)) return Value::boolean(false);
  if (fs::is_directory(status)) return fail("\"" + path + "\" is a directory, not a file");
  return Value::boolean(fs::is_regular_file(status));
}

core::Result<Value> f_templatefile(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string path, str_arg(a[0], 0));
  if (!a[1].is_mapping()) return arg_error(1, "vars must be an object or map");
  for (const auto& m : a[1].members()) {
    if (m.key.empty() || !(std::isalpha(static_cast<unsigned char>(m.key[0])) || m.key[0] == '_')) {
      return arg_error(
          1, "invalid template variable name \"" + m.key + "\": must start with a letter or underscore");
    }
  }
  if (!ctx.render_template) return fail("templatefile is not available here");
  SKM_TRY_ASSIGN(std::string text, read_file_bytes(path, ctx));
  if (!valid_utf8(text)) return fail("contents of \"" + path + "\" are not valid UTF-8");
  SKM_TRY_ASSIGN(std::string real, resolve_path(path, ctx));
  return ctx.render_template(real, text, a[1]);
}

// --- path functions (no I/O) -----------------------------------------------------------------

// Go's filepath.Clean.
std::string clean(const std::string& p) {
  if (p.empty()) return ".";
  const bool rooted = p[0] == '/';
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string seg = p.substr(i, j - i);
    if (seg.empty() || seg == ".") {
      // skip
    } else if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back("..");
      }
    } else {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  return out.empty() ? "." : out;
}

core::Result<Value> f_dirname(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string p, str_arg(a[0], 0));
  const size_t slash = p.rfind('/');
  return Value::string(clean(slash == std::string::npos ? "" : p.substr(0, slash + 1)));
}

core::Result<Value> f_basename(Args a, const FunctionContext&) {
  SKM_TRY_ASSIGN(std::string p, str_arg(a[0], 0));
  if (p.empty()) return Value::string(".");
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/") return Value::string("/");
  const size_t slash = p.rfind('/');
  return Value::string(slash == std::string::npos ? p : p.substr(slash + 1));
}

core::Result<Value> f_abspath(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string p, str_arg(a[0], 0));
  fs::path path(p);
  if (path.is_relative()) {
    std::error_code ec;
    fs::path base = fs::absolute(fs::path(ctx.base_dir), ec);
    path = base / path;
  }
  return Value::string(clean(path.string()));
}

core::Result<Value> f_pathexpand(Args a, const FunctionContext&) {
  // (Read in place, not moved into a local: GCC 12 at -O3 then warns that the local's
  // short-string bytes may be uninitialised.)
  core::Result<std::string> p = str_arg(a[0], 0);
  if (!p.ok()) return std::move(p).error();
  // The home directory is the one of whoever runs Terraform: not known to a scan.
  if (p.value() == "~" || p.value().starts_with("~/")) return Value::unknown(Type::string());
  return Value::string(std::move(p).value());
}

// --- fileset: doublestar globbing ----------------------------------------------------------

// Matches one path segment against one pattern segment: * ? [class] {a,b} and \escapes.
bool match_segment(std::string_view pat, std::string_view s, uint32_t depth = 0) {
  if (depth > 64) return false;
  size_t pi = 0;
  size_t si = 0;
  while (pi < pat.size()) {
    const char c = pat[pi];
    if (c == '*') {
      // Try every split point.
      std::string_view rest = pat.substr(pi + 1);
      for (size_t k = si; k <= s.size(); ++k) {
        if (match_segment(rest, s.substr(k), depth + 1)) return true;
      }
      return false;
    }
    if (c == '{') {
      size_t close = pi;
      int level = 0;
      for (; close < pat.size(); ++close) {
        if (pat[close] == '{') ++level;
        if (pat[close] == '}' && --level == 0) break;
      }
      if (close >= pat.size()) return false;
      std::string_view body = pat.substr(pi + 1, close - pi - 1);
      std::string_view after = pat.substr(close + 1);
      size_t start = 0;
      level = 0;
      for (size_t k = 0; k <= body.size(); ++k) {
        if (k < body.size() && body[k] == '{') ++level;
        if (k < body.size() && body[k] == '}') --level;
        if (k == body.size() || (body[k] == ',' && level == 0)) {
          std::string alt(body.substr(start, k - start));
          alt += after;
          if (match_segment(alt, s.substr(si), depth + 1)) return true;
          start = k + 1;
        }
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (c == '?') {
      ++pi;
      ++si;
      while (si < s.size() && (static_cast<unsigned char>(s[si]) & 0xC0) == 0x80) ++si;
      continue;
    }
    if (c == '[') {
      size_t k = pi + 1;
      bool negate = false;
      if (k < pat.size() && (pat[k] == '!' || pat[k] == '^')) {
        negate = true;
        ++k;
      }
      bool matched = false;
      bool first = true;
      while (k < pat.size() && (pat[k] != ']' || first)) {
        first = false;
        char lo = pat[k];
        if (lo == '\\' && k + 1 < pat.size()) lo = pat[++k];
        char hi = lo;
        if (k + 2 < pat.size() && pat[k + 1] == '-' && pat[k + 2] != ']') {
          hi = pat[k + 2];
          k += 2;
        }
        if (s[si] >= lo && s[si] <= hi) matched = true;
        ++k;
      }
      if (k >= pat.size()) return false;  // unterminated class
      if (matched == negate) return false;
      pi = k + 1;
      ++si;
      continue;
    }
    char lit = c;
    if (c == '\\' && pi + 1 < pat.size()) lit = pat[++pi];
    if (s[si] != lit) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

std::vector<std::string_view> split_slash(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    const size_t j = s.find('/', i);
    out.push_back(s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

bool match_glob(std::span<const std::string_view> pat, std::span<const std::string_view> path) {
  if (pat.empty()) return path.empty();
  if (pat[0] == "**") {
    for (size_t k = 0; k <= path.size(); ++k) {
      if (match_glob(pat.subspan(1), path.subspan(k))) return true;
    }
    return false;
  }
  if (path.empty()) return false;
  if (!match_segment(pat[0], path[0])) return false;
  return match_glob(pat.subspan(1), path.subspan(1));
}

core::Result<Value> f_fileset(Args a, const FunctionContext& ctx) {
  SKM_TRY_ASSIGN(std::string dir, str_arg(a[0], 0));
  SKM_TRY_ASSIGN(std::string pattern, str_arg(a[1], 1));
  SKM_TRY_ASSIGN(std::string real, resolve_path(dir, ctx));
  std::error_code ec;
  std::set<std::string> out;
  if (!fs::is_directory(real, ec)) return Value::set({}, Type::string());
  const fs::path root = root_of(ctx);
  const auto pat = split_slash(pattern);
  uint64_t visited = 0;
  const uint64_t max_visit = std::max<uint64_t>(ctx.limits.max_fileset * 10, 1000);
  for (auto it = fs::recursive_directory_iterator(real, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++visited > max_visit) return fail("fileset: too many files under \"" + dir + "\"");
    if (!it->is_regular_file(ec)) continue;
    const fs::path canon = fs::weakly_canonical(it->path(), ec);
    if (ec || !inside(canon, root)) continue;  // a symlink out of the scan root
    const std::string rel = it->path().lexically_relative(real).generic_string();
    const auto parts = split_slash(rel);
    if (match_glob(pat, parts)) {
      out.insert(rel);
      if (out.size() > ctx.limits.max_fileset)
        return fail("fileset: more than " + std::to_string(ctx.limits.max_fileset) + " matches");
    }
  }
  std::vector<Value> items;
  for (const auto& s : out) items.push_back(Value::string(s));
  return Value::set(std::move(items), Type::string());
}

}  // namespace

void add_filesystem(Table& t) {
  const Type str = Type::string();
  t.push_back({"abspath", 1, 1, f_abspath, str});
  t.push_back({"basename", 1, 1, f_basename, str});
  t.push_back({"dirname", 1, 1, f_dirname, str});
  t.push_back({"file", 1, 1, f_file, str});
  t.push_back({"filebase64", 1, 1, f_filebase64, str});
  t.push_back({"fileexists", 1, 1, f_fileexists, Type::boolean()});
  t.push_back({"fileset", 2, 2, f_fileset, Type::set(str)});
  t.push_back({"pathexpand", 1, 1, f_pathexpand, str});
  t.push_back({"templatefile", 2, 2, f_templatefile, Type(), kPartial});
}

}  // namespace sekimori::terraform::fn
