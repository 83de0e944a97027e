// Module loading: listing, parsing and indexing the configuration files of a directory.
#include "terraform/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace sekimori::terraform {

namespace fs = std::filesystem;

std::vector<std::string> DiskTree::list(const std::string& dir) const {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) out.push_back(it->path().filename().string());
  }
  return out;
}

bool DiskTree::read(const std::string& path, std::string& out) const {
  // One open, one fstat and one read: iostreams allocated a buffer per file, which
  // showed up in profiles of large trees.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);  // a file that shrank while reading
  ::close(fd);
  return true;
}

bool DiskTree::is_dir(const std::string& path) const {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

void MemoryTree::add(std::string path, std::string text) { files_[normalize_path(path)] = std::move(text); }

std::vector<std::string> MemoryTree::list(const std::string& dir) const {
  std::string d = normalize_path(dir);
  std::string prefix = d == "." ? std::string() : d + "/";
  std::vector<std::string> out;
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    if (rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;
}

bool MemoryTree::read(const std::string& path, std::string& out) const {
  auto it = files_.find(normalize_path(path));
  if (it == files_.end()) return false;
  out = it->second;
  return true;
}

bool MemoryTree::is_dir(const std::string& path) const {
  std::string d = normalize_path(path);
  if (d == ".") return !files_.empty();
  std::string prefix = d + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::string normalize_path(std::string_view path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view p = path.substr(i, j - i);
    i = j + 1;
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(p);
      }
      continue;
    }
    parts.push_back(p);
  }
  std::string out = absolute ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  if (out.empty()) out = ".";
  return out;
}

std::string join_path(std::string_view dir, std::string_view rel) {
  if (!rel.empty() && rel[0] == '/') return normalize_path(rel);
  std::string s(dir);
  s += '/';
  s += rel;
  return normalize_path(s);
}

bool is_config_file(std::string_view name) {
  auto ends = [&](std::string_view suf) {
    return name.size() > suf.size() && name.substr(name.size() - suf.size()) == suf;
  };
  return ends(".tf") || ends(".tf.json");
}

ModuleCache::ModuleCache(const SourceTree& tree, hcl::Limits limits) : tree_(tree), limits_(limits) {}
ModuleCache::~ModuleCache() = default;

namespace {

std::string label(const hcl::Block& b, size_t i) {
  return i < b.labels.size() ? std::string(b.labels[i].value) : std::string();
}

template <typename Map, typename V>
void declare(Map& m, const std::string& name, V v, const hcl::Range& where, std::string_view what,
             core::Diagnostics& diags) {
  if (m.find(name) != m.end()) {
    diags.add(core::Severity::kError, "tf.duplicate", std::string(what) + " \"" + name + "\" is declared twice",
              where.location());
    return;
  }
  m.emplace(name, v);
}

}  // namespace

const Module* ModuleCache::load(const std::string& dir_in, core::Diagnostics& diags) {
  std::string dir = normalize_path(dir_in);
  auto found = modules_.find(dir);
  if (found != modules_.end()) return found->second.get();
  auto mod = std::make_unique<Module>();
  mod->dir = dir;
  std::vector<std::string> names = tree_.list(dir);
  names.erase(std::remove_if(names.begin(), names.end(), [](const std::string& n) { return !is_config_file(n); }),
              names.end());
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string path = dir == "." ? n : dir + "/" + n;
    std::string text;
    if (!tree_.read(path, text)) {
      diags.add(core::Severity::kError, "tf.io", "cannot read the file", core::Location{path});
      mod->unreadable.push_back(path);
      continue;
    }
    core::Diagnostics pd;
    auto parsed = hcl::parse_file(path, std::move(text), limits_, pd);
    bool syntax_errors = pd.has_errors();
    diags.merge(std::move(pd));
    if (!parsed.ok()) {
      diags.add_error(parsed.error());
      mod->unreadable.push_back(path);
      continue;
    }
    mod->files.push_back(std::make_unique<hcl::File>(std::move(parsed).value()));
    mod->file_failed.push_back(syntax_errors || mod->files.back()->has_errors());
  }
  std::map<std::string, ResourceConfig> resources;
  for (const auto& f : mod->files) {
    for (const hcl::Block* b : f->body().blocks) {
      std::string_view t = b->type;
      if (t == "variable" && !b->labels.empty()) {
        declare(mod->variables, label(*b, 0), b, b->range, "variable", diags);
      } else if (t == "output" && !b->labels.empty()) {
        declare(mod->outputs, label(*b, 0), b, b->range, "output", diags);
      } else if (t == "module" && !b->labels.empty()) {
        declare(mod->module_calls, label(*b, 0), b, b->range, "module", diags);
      } else if (t == "locals") {
        for (const hcl::Attribute* a : b->body->attributes) {
          declare(mod->locals, std::string(a->name), a, a->range, "local value", diags);
        }
      } else if ((t == "resource" || t == "data") && b->labels.size() >= 2) {
        ResourceConfig rc;
        rc.managed = t == "resource";
        rc.type = label(*b, 0);
        rc.name = label(*b, 1);
        rc.block = b;
        rc.file = f.get();
        declare(resources, rc.key(), rc, b->range, rc.managed ? "resource" : "data source", diags);
      }
    }
  }
  for (auto& [k, rc] : resources) {
    mod->resource_index.emplace(k, mod->resources.size());
    mod->resources.push_back(std::move(rc));
  }
  const Module* out = mod.get();
  modules_.emplace(dir, std::move(mod));
  return out;
}

}  // namespace sekimori::terraform
