// yaml_snapshot: the build step that snapshots embedded YAML (src/formats/snapshot.h).
//
//   yaml_snapshot --out FILE.cc --header H --namespace NS --function FN --dir DIR
//                 --label PREFIX [--raw-string] FILE...
//
// Loads each FILE (relative to DIR) with load_yaml, exactly as the binary would, and
// writes a C++ source defining `std::span<const formats::EmbeddedSnapshot> NS::FN()` with
// one entry per file, labelled PREFIX + FILE (the path the binary loads the text under).
// --raw-string: each file is a C++ raw string literal R"yaml(...)yaml" (the canonical
// schema's .yaml.inc files) and the text is its contents. Any diagnostic, warnings
// included, fails the build: bundled YAML must load cleanly; so does a snapshot that does
// not rebuild the very tree it was made from. The output is rewritten only when it changes.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/document.h"
#include "formats/snapshot.h"

namespace {

using sekimori::formats::snapshot;
using sekimori::formats::snapshot_text_hash;

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

// `text` inside R"yaml( ... )yaml", as the compiler sees the literal.
bool raw_string_contents(std::string& text) {
  constexpr std::string_view kOpen = "R\"yaml(", kClose = ")yaml\"";
  size_t open = text.find(kOpen);
  size_t close = text.rfind(kClose);
  if (open == std::string::npos || close == std::string::npos || close < open + kOpen.size()) return false;
  text = text.substr(open + kOpen.size(), close - open - kOpen.size());
  return true;
}

// A string literal of `bytes`, in pieces of about 100 columns; bytes other than printable
// ASCII are three-digit octal escapes (a hex escape would swallow following hex digits).
std::string literal(std::string_view bytes) {
  std::string out = "    \"";
  size_t width = 0;
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (width >= 100) {
      out += "\"\n    \"";
      width = 0;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      width += 2;
    } else if (c >= 0x20 && c < 0x7f && c != '?') {
      out += static_cast<char>(c);
      ++width;
    } else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\%03o", static_cast<unsigned>(c));
      out += esc;
      width += 4;
    }
  }
  out += "\"";
  return out;
}

int usage() {
  std::cerr << "usage: yaml_snapshot --out FILE.cc --header H --namespace NS --function FN --dir DIR "
               "--label PREFIX [--raw-string] FILE...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, header, ns, function, dir, label;
  bool raw_string = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= argc) return false;
      v = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--out") ok = value(out_path);
    else if (a == "--header") ok = value(header);
    else if (a == "--namespace") ok = value(ns);
    else if (a == "--function") ok = value(function);
    else if (a == "--dir") ok = value(dir);
    else if (a == "--label") ok = value(label);
    else if (a == "--raw-string") raw_string = true;
    else if (!a.empty() && a[0] == '-') ok = false;
    else files.push_back(a);
    if (!ok) return usage();
  }
  if (out_path.empty() || header.empty() || ns.empty() || function.empty() || dir.empty()) return usage();

  std::string arrays, entries;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = dir + "/" + files[i];
    std::string text;
    if (!read_text(path, text)) {
      std::cerr << path << ": cannot read the file\n";
      return 1;
    }
    if (raw_string && !raw_string_contents(text)) {
      std::cerr << path << ": not a R\"yaml(...)yaml\" raw string literal\n";
      return 1;
    }
    std::string name = label + files[i];
    sekimori::core::Diagnostics diags;
    auto doc = sekimori::formats::load_yaml(name, text, sekimori::formats::Limits{}, diags);
    if (!doc.ok()) diags.add_error(doc.error());
    if (!diags.items().empty()) {
      for (const auto& d : diags.items()) {
        std::cerr << d.location.to_string() << ": " << d.message << " [" << d.code << "]\n";
      }
      std::cerr << path << ": bundled YAML must load without diagnostics\n";
      return 1;
    }
    std::string bytes = snapshot(*doc);
    auto again = sekimori::formats::load_snapshot(name, text, bytes, sekimori::formats::Limits{});
    bool same = again.ok() && again->roots().size() == doc->roots().size();
    for (size_t r = 0; same && r < doc->roots().size(); ++r) {
      same = sekimori::formats::identical(doc->roots()[r], again->roots()[r]);
    }
    if (!same) {
      std::cerr << path << ": the snapshot does not rebuild the same tree"
                << " (a bug in src/formats/snapshot.cc)\n";
      return 1;
    }
    arrays += "constexpr char kSnapshot" + std::to_string(i) + "[] =\n" + literal(bytes) + ";\n";
    entries += "    {\"" + name + "\", " + std::to_string(text.size()) + "u, " +
               std::to_string(snapshot_text_hash(text)) + "u, {kSnapshot" + std::to_string(i) +
               ", sizeof kSnapshot" + std::to_string(i) + " - 1}},\n";
  }
  std::string out = "// Generated by tools/yaml_snapshot.cc. Do not edit.\n#include \"" + header +
                    "\"\n\nnamespace " + ns + " {\n\nnamespace {\n\n" + arrays;
  if (files.empty()) {
    out += "\n}  // namespace\n\nstd::span<const formats::EmbeddedSnapshot> " + function +
           "() { return {}; }\n";
  } else {
    out += "\nconstexpr formats::EmbeddedSnapshot kSnapshots[] = {\n" + entries +
           "};\n\n}  // namespace\n\nstd::span<const formats::EmbeddedSnapshot> " + function +
           "() { return kSnapshots; }\n";
  }
  out += "\n}  // namespace " + ns + "\n";
  std::string old;
  if (read_text(out_path, old) && old == out) return 0;
  std::ofstream o(out_path, std::ios::binary | std::ios::trunc);
  o << out;
  if (!o) {
    std::cerr << out_path << ": cannot write\n";
    return 1;
  }
  return 0;
}
