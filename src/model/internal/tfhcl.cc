// Terraform HCL adapter: evaluates root modules with sekimori::terraform and turns every
// managed resource instance into a Unit mapped with the Terraform plan schema entries
// (the evaluated bodies have the shape of plan JSON values), folds split resources with
// the plan's fold logic, and builds one model Document per .tf file.
#include <algorithm>
#include <map>
#include <set>

#include "model/internal/adapters.h"
#include "core/digest.h"
#include "terraform/evaluator.h"

namespace sekimori::model::internal {

using formats::Node;

namespace {

formats::Pos to_pos(const core::Location& l) {
  return formats::Pos{l.line, l.column, l.offset};
}

}  // namespace

std::vector<std::string> tfhcl_roots(const std::vector<std::string>& dirs_in, terraform::ModuleCache& cache,
                                     core::Diagnostics& diags) {
  std::vector<std::string> dirs;
  for (const std::string& d : dirs_in) dirs.push_back(terraform::normalize_path(d));
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  std::set<std::string> in_scan(dirs.begin(), dirs.end());
  std::map<std::string, std::vector<std::string>> calls;
  std::set<std::string> called;
  for (const std::string& d : dirs) {
    const terraform::Module* m = cache.load(d, diags);
    for (const std::string& target : terraform::local_module_sources(*m)) {
      calls[d].push_back(target);
      if (target != d && in_scan.count(target) != 0) called.insert(target);
    }
  }
  std::vector<std::string> roots;
  for (const std::string& d : dirs) {
    if (called.count(d) == 0) roots.push_back(d);
  }
  // Directories that only a cycle of calls reaches are evaluated as roots too (the cycle
  // is then reported), so nothing is silently left out.
  std::set<std::string> reached;
  std::vector<std::string> todo = roots;
  while (!todo.empty()) {
    std::string d = todo.back();
    todo.pop_back();
    if (!reached.insert(d).second) continue;
    for (const std::string& t : calls[d]) todo.push_back(t);
  }
  for (const std::string& d : dirs) {
    if (reached.count(d) == 0) {
      roots.push_back(d);
      reached.insert(d);
      std::vector<std::string> more = calls[d];
      while (!more.empty()) {
        std::string t = more.back();
        more.pop_back();
        if (!reached.insert(t).second) continue;
        for (const std::string& x : calls[t]) more.push_back(x);
      }
    }
  }
  std::sort(roots.begin(), roots.end());
  return roots;
}

void tfhcl_load(const std::vector<std::string>& roots, terraform::ModuleCache& cache, const LoadOptions& options,
                core::Diagnostics& diags, TfHclOutput& out) {
  terraform::EvalOptions eo;
  for (const LoadOptions::TfVariable& v : options.tf_vars) eo.cli_vars.push_back({v.file, v.name, v.value});
  eo.env_vars = options.tf_env_vars;
  std::set<std::string> seen_inputs;
  for (const Input& in : out.inputs) seen_inputs.insert(in.path);
  for (const std::string& root : roots) {
    auto result = terraform::evaluate(root, cache, eo, diags);
    if (!result.ok()) {
      diags.add_error(result.error());
      continue;
    }
    terraform::EvalResult& er = *result;
    // Units, in address order.
    std::vector<Unit> units;
    std::vector<const terraform::ResourceInstance*> insts;
    for (const terraform::ResourceInstance& ri : er.resources) {
      Unit u;
      u.id = ri.address;
      u.source_type = ri.type;
      u.fallback_type = ri.type;
      u.pos = to_pos(ri.location);
      u.root = ri.body;
      u.raw = ri.body;
      u.entry = primary_entry(SourceFormat::kTerraformPlan, ri.type);
      u.passthrough = true;
      for (const terraform::IgnoreComment& ig : ri.ignores) parse_suppressions(ig.text, ig.location, u.suppressions);
      units.push_back(std::move(u));
      insts.push_back(&ri);
    }
    terraform_fold(units, SourceFormat::kTerraformPlan, [&](size_t ci, std::string_view prop) {
      auto it = insts[ci]->references.find(std::string(prop));
      return it != insts[ci]->references.end() ? it->second : std::vector<std::string>();
    });
    for (size_t i = 0; i < units.size(); ++i) {
      const Unit& u = units[i];
      if (u.entry == nullptr && !u.folded && !schema().entries(SourceFormat::kTerraformPlan, u.source_type).empty()) {
        diags.add(core::Severity::kNote, "tf.fold_orphan",
                  u.id + ": the resource it configures is not in this configuration; kept on its own",
                  insts[i]->location);
      }
    }
    // One canonical build per file: the resources declared in it, with their folded
    // children (which may come from other files of the module).
    std::map<std::string, std::vector<size_t>> by_file;
    for (size_t i = 0; i < units.size(); ++i) {
      if (!units[i].folded) by_file[insts[i]->location.file].push_back(i);
    }
    std::map<std::string, size_t> per_file_count;
    for (auto& [file, idx] : by_file) {
      std::vector<Unit> group;
      std::map<size_t, size_t> remap;
      for (size_t i : idx) {
        remap[i] = group.size();
        group.push_back(std::move(units[i]));
      }
      for (size_t g = 0, n = group.size(); g < n; ++g) {
        for (auto& [ci, fe] : group[g].children) {
          auto r = remap.find(ci);
          if (r == remap.end()) {
            r = remap.emplace(ci, group.size()).first;
            Unit child = units[ci];  // a copy: a child may fold into parents in several files
            child.children.clear();
            child.folded = true;
            group.push_back(std::move(child));
          }
          ci = r->second;
        }
      }
      formats::Builder db(file, formats::Format::kJson, std::string());
      auto source = std::make_unique<formats::Document>(std::move(db).finish());
      CanonicalBuilder cb(*source, SourceFormat::kTerraformHcl, diags);
      std::unique_ptr<formats::Document> model;
      size_t before = out.resources.size();
      core::Status st = cb.build(group, out.resources, model);
      if (!st.ok()) {
        out.resources.resize(before);
        diags.add_error(st.error());
      } else {
        per_file_count[file] += out.resources.size() - before;
        out.docs.push_back(std::move(model));
      }
      out.docs.push_back(std::move(source));
    }
    for (const std::string& dir : er.module_dirs) {
      const terraform::Module* m = cache.load(dir, diags);
      for (size_t i = 0; i < m->files.size(); ++i) {
        const hcl::File& f = *m->files[i];
        if (!seen_inputs.insert(f.path()).second) continue;
        Input in;
        in.path = f.path();
        in.sha256 = core::sha256_hex(f.text());
        in.format = SourceFormat::kTerraformHcl;
        in.resources = per_file_count[f.path()];
        in.failed = m->file_failed[i];
        out.inputs.push_back(std::move(in));
      }
      for (const std::string& p : m->unreadable) {
        if (!seen_inputs.insert(p).second) continue;
        Input in;
        in.path = p;
        in.format = SourceFormat::kTerraformHcl;
        in.failed = true;
        out.inputs.push_back(std::move(in));
      }
    }
    out.docs.push_back(std::move(er.document));
  }
}

}  // namespace sekimori::model::internal
