// sekimori::terraform configuration loading — the .tf / .tf.json files of one directory
// parsed into a Module: its input variables, locals, outputs, module calls, managed
// resources and data sources, each pointing at the HCL block that declares it.
//
//   terraform::DiskTree tree;                       // or MemoryTree in tests
//   terraform::ModuleCache cache(tree, hcl::Limits{});
//   core::Diagnostics diags;
//   const terraform::Module* m = cache.load("infra/", diags);   // parsed once, then cached
//   for (const terraform::ResourceConfig& r : m->resources) use(r.type, r.name, *r.block);
//
// Files are read through a SourceTree (the file system, or an in-memory tree for tests
// and fuzzing) and taken in sorted name order, so nothing depends on the order in which
// a directory lists them. A name declared twice (a resource, a variable, a local, ...) is
// reported ("tf.duplicate") and the first declaration in sorted file order is kept.
//
// Ownership: the cache owns every Module and every parsed hcl::File; pointers into them
// (Modules, blocks, ranges, file paths) stay valid while the cache lives.
// Thread-safety: a cache is used by one thread at a time; loaded Modules are immutable.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "hcl/ast.h"

namespace sekimori::terraform {

// Where module files come from.
class SourceTree {
 public:
  virtual ~SourceTree() = default;
  // Names of the regular files directly inside `dir` (any order); empty when none.
  [[nodiscard]] virtual std::vector<std::string> list(const std::string& dir) const = 0;
  [[nodiscard]] virtual bool read(const std::string& path, std::string& out) const = 0;
  [[nodiscard]] virtual bool is_dir(const std::string& path) const = 0;
};

// The real file system.
class DiskTree final : public SourceTree {
 public:
  [[nodiscard]] std::vector<std::string> list(const std::string& dir) const override;
  [[nodiscard]] bool read(const std::string& path, std::string& out) const override;
  [[nodiscard]] bool is_dir(const std::string& path) const override;
};

// Files held in memory ("dir/main.tf" -> text); directories exist when a file is inside.
class MemoryTree final : public SourceTree {
 public:
  void add(std::string path, std::string text);
  [[nodiscard]] std::vector<std::string> list(const std::string& dir) const override;
  [[nodiscard]] bool read(const std::string& path, std::string& out) const override;
  [[nodiscard]] bool is_dir(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

// "a/./b/../c/" -> "a/c"; "" -> "."; keeps a leading "/" and leading "..".
[[nodiscard]] std::string normalize_path(std::string_view path);
// Joins and normalises.
[[nodiscard]] std::string join_path(std::string_view dir, std::string_view rel);
// True for Terraform configuration file names: *.tf and *.tf.json.
[[nodiscard]] bool is_config_file(std::string_view name);

struct ResourceConfig {
  bool managed = true;  // resource (true) or data (false)
  std::string type;
  std::string name;
  const hcl::Block* block = nullptr;
  const hcl::File* file = nullptr;
  // "aws_s3_bucket.b" or "data.aws_iam_policy_document.p".
  [[nodiscard]] std::string key() const { return managed ? type + "." + name : "data." + type + "." + name; }
};

struct Module {
  std::string dir;  // normalised
  std::vector<std::unique_ptr<hcl::File>> files;  // sorted by path
  std::vector<bool> file_failed;                  // parallel to files: syntax errors
  std::map<std::string, const hcl::Block*, std::less<>> variables;
  std::map<std::string, const hcl::Attribute*, std::less<>> locals;
  std::map<std::string, const hcl::Block*, std::less<>> outputs;
  std::map<std::string, const hcl::Block*, std::less<>> module_calls;
  std::vector<ResourceConfig> resources;                      // sorted by key()
  std::map<std::string, size_t, std::less<>> resource_index;  // key() -> index
  std::vector<std::string> unreadable;  // files that could not be read or hit a limit
};

class ModuleCache {
 public:
  ModuleCache(const SourceTree& tree, hcl::Limits limits);
  ~ModuleCache();
  ModuleCache(const ModuleCache&) = delete;
  ModuleCache& operator=(const ModuleCache&) = delete;

  // Parses the configuration files of `dir` (once; later calls return the same Module).
  // Syntax errors go to `diags` the first time only. Never nullptr: a directory with no
  // configuration files gives an empty Module.
  const Module* load(const std::string& dir, core::Diagnostics& diags);
  [[nodiscard]] const SourceTree& tree() const { return tree_; }
  [[nodiscard]] const hcl::Limits& limits() const { return limits_; }

 private:
  const SourceTree& tree_;
  hcl::Limits limits_;
  std::map<std::string, std::unique_ptr<Module>> modules_;
};

}  // namespace sekimori::terraform
