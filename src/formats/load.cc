// load_document (format detection) and load_file (reading a file or stdin).
//
// Detection: text whose first non-space character is '{' or '[' is tried as JSON (much
// faster). When that fails with json.syntax, YAML gets a chance (a flow mapping such as
// `{a: 1}` is YAML, not JSON); if YAML fails too, the JSON error is returned, since it is
// the one the author most likely needs. Limit and UTF-8 errors are returned as they are.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>

#include "formats/document.h"

namespace sekimori::formats {

namespace {

bool looks_like_json(std::string_view t) {
  if (t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  size_t i = t.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (t[i] == '{' || t[i] == '[');
}

}  // namespace

core::Result<Document> load_document(std::string path, std::string text, const Limits& limits,
                                     core::Diagnostics& diags) {
  if (!looks_like_json(text)) return load_yaml(std::move(path), std::move(text), limits, diags);
  // The JSON loader gives the text back when it fails, for the YAML retry: no copy (a
  // copy of every file cost about 8 % of a Terraform plan scan, most of it faulting fresh
  // pages in).
  core::Diagnostics json_diags;
  auto json = load_json_or_keep(path, text, limits, json_diags);
  if (json.ok()) {
    diags.merge(std::move(json_diags));
    return json;
  }
  if (json.error().code != "json.syntax") return json;
  core::Diagnostics yaml_diags;
  auto yaml = load_yaml(std::move(path), std::move(text), limits, yaml_diags);
  if (yaml.ok()) {
    diags.merge(std::move(yaml_diags));
    return yaml;
  }
  return json;
}

core::Result<Document> load_file(const std::string& path, const Limits& limits,
                                 core::Diagnostics& diags) {
  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (std::cin.bad()) return core::make_error("io.read", "cannot read standard input", core::Location{path});
    text = std::move(ss).str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return core::make_error("io.read", "cannot open '" + path + "': " + std::strerror(errno),
                              core::Location{path});
    }
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size > 0) {
      if (static_cast<uint64_t>(size) > limits.max_bytes) {
        return core::make_error("doc.limit.size",
                                "file of " + std::to_string(size) + " bytes is larger than " +
                                    std::to_string(limits.max_bytes),
                                core::Location{path});
      }
      // Room for the JSON parser's padding (64 bytes), so it need not copy the text.
      text.reserve(static_cast<size_t>(size) + 64);
      text.resize(static_cast<size_t>(size));
      in.seekg(0, std::ios::beg);
      in.read(text.data(), size);
      if (in.gcount() != size) {
        return core::make_error("io.read", "cannot read '" + path + "'", core::Location{path});
      }
    } else {
      // Not seekable (a pipe, /proc): read to the end.
      in.clear();
      in.seekg(0, std::ios::beg);
      in.clear();
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (in.bad()) return core::make_error("io.read", "cannot read '" + path + "'", core::Location{path});
    }
  }
  return load_document(path, std::move(text), limits, diags);
}

}  // namespace sekimori::formats
