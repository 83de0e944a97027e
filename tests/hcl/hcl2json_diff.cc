// differential.hcl2json — our HCL parse, rendered by hcl::to_hcl2json, against what
// HashiCorp's own parser gives through the npm package @cdktf/hcl2json, for every .tf
// file under the given directories. Values are compared semantically (objects by key,
// numbers by value). Prints "SKIPPED: ..." and exits 0 when node, the package or every
// corpus directory is missing.
//
//   hcl2json_diff NODE SCRIPT NODE_MODULES DIR...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "formats/document.h"
#include "hcl/ast.h"
#include "hcl/hcl2json.h"

namespace fs = std::filesystem;
using sekimori::formats::Node;
using sekimori::formats::NodeKind;

namespace {

// Genuine hcl2json behaviours we do not replicate, by file name suffix, with the reason.
// (Empty: every difference found so far was ours to fix.)
const std::map<std::string, std::string> kKnownDifferences = {};

bool is_number(const Node& n) {
  return n.kind() == NodeKind::kInt || n.kind() == NodeKind::kUint || n.kind() == NodeKind::kDouble;
}
long double number(const Node& n) {
  switch (n.kind()) {
    case NodeKind::kInt: return static_cast<long double>(n.as_int());
    case NodeKind::kUint: return static_cast<long double>(n.as_uint());
    default: return n.as_double();
  }
}

std::string show(const Node& n) {
  switch (n.kind()) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return n.as_bool() ? "true" : "false";
    case NodeKind::kString: return "\"" + std::string(n.as_string()) + "\"";
    case NodeKind::kList: return "[" + std::to_string(n.size()) + " items]";
    case NodeKind::kMap: return "{" + std::to_string(n.size()) + " keys}";
    default: {
      std::ostringstream o;
      o << static_cast<double>(number(n));
      return o.str();
    }
  }
}

void compare(const Node& ours, const Node& theirs, const std::string& path, std::vector<std::string>& out) {
  if (out.size() > 20) return;
  if (is_number(ours) && is_number(theirs)) {
    if (number(ours) != number(theirs)) out.push_back(path + ": ours " + show(ours) + ", hcl2json " + show(theirs));
    return;
  }
  if (ours.kind() != theirs.kind()) {
    out.push_back(path + ": ours " + show(ours) + ", hcl2json " + show(theirs));
    return;
  }
  switch (ours.kind()) {
    case NodeKind::kList: {
      if (ours.size() != theirs.size()) {
        out.push_back(path + ": ours has " + std::to_string(ours.size()) + " items, hcl2json " +
                      std::to_string(theirs.size()));
        return;
      }
      for (size_t i = 0; i < ours.size(); ++i)
        compare(ours.items()[i], theirs.items()[i], path + "[" + std::to_string(i) + "]", out);
      return;
    }
    case NodeKind::kMap: {
      for (const auto& m : theirs.members()) {
        std::string k(m.key.as_string());
        const Node* o = ours.find(k);
        if (!o) {
          out.push_back(path + "." + k + ": missing in ours (hcl2json " + show(m.value) + ")");
          continue;
        }
        compare(*o, m.value, path + "." + k, out);
      }
      for (const auto& m : ours.members()) {
        std::string k(m.key.as_string());
        if (!theirs.find(k)) out.push_back(path + "." + k + ": only in ours (" + show(m.value) + ")");
      }
      return;
    }
    default:
      if (ours.kind() == NodeKind::kString ? ours.as_string() != theirs.as_string()
                                            : ours.kind() == NodeKind::kBool && ours.as_bool() != theirs.as_bool())
        out.push_back(path + ": ours " + show(ours) + ", hcl2json " + show(theirs));
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: hcl2json_diff NODE SCRIPT NODE_MODULES DIR...\n";
    return 2;
  }
  std::string node = argv[1], script = argv[2], modules = argv[3];
  if (node.empty() || node.find("NOTFOUND") != std::string::npos || !fs::exists(node)) {
    std::cout << "SKIPPED: node is not installed\n";
    return 0;
  }
  if (!fs::exists(fs::path(modules) / "@cdktf" / "hcl2json" / "package.json")) {
    std::cout << "SKIPPED: @cdktf/hcl2json is not installed in " << modules
              << " (run scripts/install-test-tools BUILD_DIR; needs npm and the registry)\n";
    return 0;
  }
  std::vector<fs::path> files;
  int dirs = 0;
  for (int i = 4; i < argc; ++i) {
    fs::path dir = argv[i];
    if (!fs::is_directory(dir)) {
      std::cout << "note: corpus " << dir.string() << " is absent, skipped\n";
      continue;
    }
    ++dirs;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".tf") files.push_back(e.path());
  }
  if (dirs == 0 || files.empty()) {
    std::cout << "SKIPPED: no corpus directory with .tf files\n";
    return 0;
  }
  std::sort(files.begin(), files.end());

  // One node process for all files; if it dies on a file (a panic inside the Go code),
  // that file counts as rejected by hcl2json and a new process takes the rest.
  std::map<std::string, std::string> theirs;  // file -> JSON line
  size_t next = 0;
  while (next < files.size()) {
    std::string cmd = shell_quote(node) + " " + shell_quote(script) + " " + shell_quote(modules);
    for (size_t i = next; i < files.size(); ++i) cmd += " " + shell_quote(files[i].string());
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) {
      std::cout << "SKIPPED: cannot run node\n";
      return 0;
    }
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int rc = pclose(pipe);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
      std::cout << "SKIPPED: @cdktf/hcl2json could not be loaded by node\n";
      return 0;
    }
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      sekimori::core::Diagnostics d;
      auto doc = sekimori::formats::load_json("line", line, {}, d);
      if (doc.ok() && doc->root().find("file")) theirs[std::string(doc->root().find("file")->as_string())] = line;
    }
    while (next < files.size() && theirs.count(files[next].string())) ++next;
    if (next < files.size()) {
      std::string crashed = files[next].string();
      theirs[crashed] = "{\"file\":\"\",\"error\":\"hcl2json crashed on this file\"}";
      ++next;
    }
  }

  int mismatched = 0, compared = 0, known = 0;
  for (const auto& f : files) {
    std::string name = f.string();
    auto it = theirs.find(name);
    if (it == theirs.end()) {
      std::cout << "MISMATCH " << name << ": no output from hcl2json\n";
      ++mismatched;
      continue;
    }
    sekimori::core::Diagnostics d;
    auto line_doc = sekimori::formats::load_json("hcl2json", it->second, {}, d);
    const Node* their_json = line_doc->root().find("json");
    const Node* their_error = line_doc->root().find("error");

    sekimori::core::Diagnostics diags;
    auto parsed = sekimori::hcl::parse_native(name, read_file(f), {}, diags);
    bool our_error = !parsed.ok() || parsed->has_errors();
    std::vector<std::string> problems;
    if (their_error || !their_json) {
      std::string message(their_error ? their_error->as_string() : "?");
      if (!our_error && message.rfind("convert to HCL:", 0) == 0) {
        // hclsyntax parsed the file; hcl2json's converter then gave up (blocks of one type
        // with and without labels, `-` or `!` on a literal of the wrong type). Not a
        // difference between the parsers.
        std::cout << "note " << name << ": hcl2json could not convert it after parsing\n";
        ++compared;
        continue;
      }
      if (!our_error) problems.push_back("hcl2json failed (" + message + ") but we parsed it");
    } else if (our_error) {
      problems.push_back("we reported errors but hcl2json parsed it:\n" +
                         (parsed.ok() ? diags.to_text() : parsed.error().to_string()));
    } else {
      std::string ours = sekimori::hcl::to_hcl2json(*parsed);
      sekimori::core::Diagnostics d2;
      auto our_doc = sekimori::formats::load_json("ours", ours, {}, d2);
      if (!our_doc.ok()) {
        problems.push_back("our JSON does not load: " + our_doc.error().to_string());
      } else {
        compare(our_doc->root(), *their_json, "$", problems);
      }
    }
    ++compared;
    if (problems.empty()) continue;
    bool is_known = false;
    for (const auto& [suffix, reason] : kKnownDifferences) {
      if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::cout << "known difference " << name << ": " << reason << "\n";
        is_known = true;
      }
    }
    if (is_known) {
      ++known;
      continue;
    }
    ++mismatched;
    std::cout << "MISMATCH " << name << "\n";
    for (const auto& p : problems) std::cout << "  " << (p.size() > 400 ? p.substr(0, 400) + "..." : p) << "\n";
  }
  std::cout << compared << " files compared, " << mismatched << " mismatched, " << known << " known differences\n";
  return mismatched == 0 ? 0 : 1;
}
