// Estate: reading inputs (files, directories, stdin), detecting their format by content,
// running the adapter and the canonical builder, and keeping every document alive.
#include "model/estate.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include "model/internal/adapters.h"
#include "model/internal/canonical.h"
#include "model/internal/schema.h"
#include "core/digest.h"
#include "terraform/config.h"

namespace sekimori::model {

using formats::Node;
using formats::NodeKind;
namespace fs = std::filesystem;

const char* format_name(SourceFormat f) {
  switch (f) {
    case SourceFormat::kCloudFormation: return "cloudformation";
    case SourceFormat::kTerraformPlan: return "terraform-plan";
    case SourceFormat::kTerraformHcl: return "terraform";
    case SourceFormat::kAwsConfig: return "aws-config";
    case SourceFormat::kKubernetes: return "kubernetes";
  }
  return "unknown";
}

std::optional<SourceFormat> format_by_name(std::string_view name) {
  for (SourceFormat f : {SourceFormat::kCloudFormation, SourceFormat::kTerraformPlan, SourceFormat::kTerraformHcl,
                         SourceFormat::kAwsConfig, SourceFormat::kKubernetes}) {
    if (name == format_name(f)) return f;
  }
  return std::nullopt;
}

namespace internal {

const SourceEntry* primary_entry(SourceFormat f, std::string_view source_type) {
  for (const SourceEntry* e : schema().entries(f, source_type)) {
    if (!e->is_fold()) return e;
  }
  return nullptr;
}

void parse_suppressions(std::string_view text, const core::Location& where, std::vector<InlineSuppression>& out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(";\n", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(i, end - i);
    i = end + 1;
    InlineSuppression s;
    s.location = where;
    size_t k = 0;
    auto skip_space = [&] {
      while (k < part.size() && (part[k] == ' ' || part[k] == '\t' || part[k] == ',')) ++k;
    };
    skip_space();
    size_t start = k;
    while (k < part.size() && part[k] != ' ' && part[k] != '\t') ++k;
    s.rule_id = std::string(part.substr(start, k - start));
    if (s.rule_id.empty()) continue;
    while (k < part.size()) {
      skip_space();
      size_t eq = part.find('=', k);
      if (eq == std::string_view::npos) break;
      std::string_view name = part.substr(k, eq - k);
      k = eq + 1;
      std::string value;
      if (k < part.size() && part[k] == '"') {
        size_t close = part.find('"', k + 1);
        if (close == std::string_view::npos) close = part.size();
        value = std::string(part.substr(k + 1, close - k - 1));
        k = close + 1;
      } else {
        size_t sp = part.find_first_of(" \t", k);
        if (sp == std::string_view::npos) sp = part.size();
        value = std::string(part.substr(k, sp - k));
        k = sp;
      }
      if (name == "reason") s.reason = std::move(value);
      if (name == "until") s.until = std::move(value);
    }
    out.push_back(std::move(s));
  }
}

// `# sekimori:ignore ...` comments in a YAML file (the YAML loader drops comments, so
// they are found in the text). A comment applies to the resource that starts on the
// next line holding anything but comments, or else to the resource whose block it is
// in (the last one starting above it).
void attach_comment_suppressions(std::string_view text, const std::string& path, std::vector<Resource>& rs) {
  constexpr std::string_view kMarker = "sekimori:ignore";
  if (rs.empty() || text.find(kMarker) == std::string_view::npos) return;
  std::vector<size_t> order(rs.size());
  for (size_t i = 0; i < rs.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rs[a].location.line < rs[b].location.line; });
  uint32_t line = 0;
  std::optional<std::pair<uint32_t, std::vector<InlineSuppression>>> pending;  // waiting for the next line
  auto flush_to = [&](uint32_t at_line, uint32_t slack) {
    if (!pending) return;
    // The resource starting at `at_line` (with slack 1 also on the next line: a manifest
    // starts under its `---`), else the one enclosing the comment.
    Resource* starting = nullptr;
    Resource* enclosing = nullptr;
    for (size_t i : order) {
      uint32_t l = rs[i].location.line;
      if (at_line > 0 && l >= at_line && l <= at_line + slack) {
        starting = &rs[i];
        break;
      }
      if (l <= pending->first) enclosing = &rs[i];
    }
    Resource* target = starting != nullptr ? starting : enclosing;
    if (target != nullptr) {
      for (InlineSuppression& x : pending->second) target->suppressions.push_back(std::move(x));
    }
    pending.reset();
  };
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(i, end - i);
    ++line;
    size_t first = l.find_first_not_of(" \t\r");
    bool comment_only = first == std::string_view::npos || l[first] == '#';
    if (!comment_only && pending) flush_to(line, 1);
    size_t hash = l.find('#');
    if (hash != std::string_view::npos) {
      size_t k = l.find_first_not_of(" \t", hash + 1);
      if (k != std::string_view::npos && l.substr(k, kMarker.size()) == kMarker) {
        core::Location where{path, line, static_cast<uint32_t>(hash + 1), i + hash};
        std::vector<InlineSuppression> found;
        std::string_view body = l.substr(k + kMarker.size());
        while (!body.empty() && (body.back() == '\r' || body.back() == ' ')) body.remove_suffix(1);
        parse_suppressions(body, where, found);
        if (!comment_only) {  // at the end of a line: the resource that line belongs to
          pending.emplace(line, std::move(found));
          flush_to(line, 0);
        } else {
          if (!pending) pending.emplace(line, std::vector<InlineSuppression>{});
          for (InlineSuppression& x : found) pending->second.push_back(std::move(x));
        }
      }
    }
    if (end == text.size()) break;
    i = end + 1;
  }
  flush_to(0, 0);
}

namespace {

std::string_view str(const Node* n) {
  return n != nullptr && n->kind() == NodeKind::kString ? n->as_string() : std::string_view();
}

bool is_cfn(const Node& root) {
  if (root.find("AWSTemplateFormatVersion") != nullptr) return true;
  const Node* res = root.find("Resources");
  if (res == nullptr || res->kind() != NodeKind::kMap) return false;
  for (const formats::Member& m : res->members()) {
    std::string_view t = str(m.value.find("Type"));
    if (t.rfind("AWS::", 0) == 0 || t.rfind("Custom::", 0) == 0) return true;
  }
  return false;
}

bool is_config_item(const Node& n) {
  return n.kind() == NodeKind::kMap && n.find("resourceType") != nullptr &&
         (n.find("configuration") != nullptr || n.find("resourceId") != nullptr);
}

}  // namespace

std::optional<SourceFormat> detect_format(const formats::Document& doc) {
  for (const Node& root : doc.roots()) {
    if (root.is_null()) continue;
    if (root.kind() == NodeKind::kList) {
      if (root.size() > 0 && is_config_item(root.items()[0])) return SourceFormat::kAwsConfig;
      return std::nullopt;
    }
    if (root.kind() != NodeKind::kMap) return std::nullopt;
    if (root.find("format_version") != nullptr &&
        (root.find("planned_values") != nullptr || root.find("resource_changes") != nullptr)) {
      return SourceFormat::kTerraformPlan;
    }
    if (is_cfn(root)) return SourceFormat::kCloudFormation;
    if (root.find("configurationItems") != nullptr || root.find("baseConfigurationItems") != nullptr ||
        is_config_item(root)) {
      return SourceFormat::kAwsConfig;
    }
    if (const Node* r = root.find("Results"); r != nullptr && r->kind() == NodeKind::kList && r->size() > 0) {
      const Node& first = r->items()[0];
      if ((first.kind() == NodeKind::kString && first.as_string().find("resourceType") != std::string_view::npos) ||
          is_config_item(first)) {
        return SourceFormat::kAwsConfig;
      }
    }
    if (!str(root.find("apiVersion")).empty() && !str(root.find("kind")).empty()) return SourceFormat::kKubernetes;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace internal

namespace {

constexpr std::string_view kSkipDirs[] = {".git", ".terraform", "node_modules"};
constexpr std::string_view kExtensions[] = {".json", ".yaml", ".yml", ".template", ".jsn", ".cfn"};
// Cheap content hints: a file found in a directory is parsed only when one appears.
constexpr std::string_view kMarkers[] = {"Resources", "AWSTemplateFormatVersion", "format_version",
                                         "configurationItems", "resourceType", "apiVersion"};

// Reads a whole file in one go, with spare capacity for the JSON parser's padding so
// the text is never copied again.
bool read_file(const std::string& path, std::string& out) {
  constexpr size_t kParserPadding = 64;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  std::streamoff size = in.tellg();
  if (size < 0) return false;
  in.seekg(0);
  out.clear();
  out.reserve(static_cast<size_t>(size) + kParserPadding);
  out.resize(static_cast<size_t>(size));
  if (size > 0 && !in.read(out.data(), size)) return false;
  // A file that grew while being read: take the rest too.
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) out.append(buf, static_cast<size_t>(in.gcount()));
  return !in.bad();
}

bool skipped(const std::string& rel, const std::string& name, const std::vector<std::string>& globs) {
  for (const std::string& g : globs) {
    if (fnmatch(g.c_str(), rel.c_str(), 0) == 0 || fnmatch(g.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace

namespace {

// A Terraform plan with planned_values: the adapter reads the resources' values there,
// only the address and after_unknown of each of resource_changes, and only `references`
// from configuration's expressions. The prior state, drift, every change's before/after
// copies and the constant values of the configuration are most of a plan and are not
// needed. A false positive only drops members no other format has; a plan that turns out
// to have no planned_values.root_module is loaded again in full (load() below).
bool looks_like_plan(std::string_view text) {
  return text.substr(0, 256).find("\"format_version\"") != std::string_view::npos &&
         text.find("\"planned_values\"") != std::string_view::npos;
}

formats::Limits plan_limits(const formats::Limits& base) {
  formats::Limits l = base;
  for (const char* k :
       {"prior_state", "resource_drift", "relevant_attributes", "output_changes", "checks", "variables"}) {
    l.json_prune.push_back({k});
  }
  // `deposed` stays: a deposed object's change must not lend its after_unknown to the
  // current object of the same address.
  for (const char* k : {"mode", "type", "name", "index", "provider_name", "module_address",
                        "previous_address", "action_reason"}) {
    l.json_prune.push_back({"resource_changes", k});
  }
  for (const char* k : {"actions", "before", "after", "before_sensitive", "after_sensitive", "replace_paths",
                        "importing", "generated_config"}) {
    l.json_prune.push_back({"resource_changes", "change", k});
  }
  // The resources of the root module and of child modules three levels down (list levels
  // do not count, so these paths name a resource's own members, never its values).
  std::vector<std::string> module = {"planned_values", "root_module"};
  for (int depth = 0; depth <= 3; ++depth) {
    for (const char* k : {"name", "provider_name", "schema_version", "sensitive_values"}) {
      std::vector<std::string> path = module;
      path.insert(path.end(), {"resources", k});
      l.json_prune.push_back(std::move(path));
    }
    module.emplace_back("child_modules");
  }
  // configuration: the adapter reads each resource's address and its expressions' references.
  for (const char* k : {"mode", "type", "name", "provider_config_key", "schema_version"}) {
    l.json_prune.push_back({"configuration", "root_module", "resources", k});
  }
  l.json_prune.push_back({"configuration", "provider_config"});
  l.json_prune.push_back({"configuration", "**", "constant_value"});
  return l;
}

}  // namespace

struct Estate::Impl {
  Estate::Consumer consumer;
  uint64_t next_input = 0;  // Batch::input of the next input handed to the consumer
  std::vector<Resource> resources;
  std::vector<Input> inputs;
  std::vector<std::unique_ptr<formats::Document>> docs;
  // Terraform HCL: parsed modules (model nodes point at their file names) and the trees
  // they were read from.
  std::vector<std::unique_ptr<terraform::SourceTree>> tf_trees;
  std::vector<std::unique_ptr<terraform::ModuleCache>> tf_caches;

  // Evaluates Terraform root modules among `dirs` (directories holding .tf files).
  void add_terraform(std::unique_ptr<terraform::SourceTree> tree, const std::vector<std::string>& dirs,
                     bool all_roots, const LoadOptions& options, core::Diagnostics& diags) {
    hcl::Limits hl;
    hl.max_bytes = std::min<uint64_t>(hl.max_bytes, options.limits.max_bytes);
    auto cache = std::make_unique<terraform::ModuleCache>(*tree, hl);
    std::vector<std::string> roots = all_roots ? dirs : internal::tfhcl_roots(dirs, *cache, diags);
    internal::TfHclOutput out;
    internal::tfhcl_load(roots, *cache, options, diags, out);
    for (Input& in : out.inputs) inputs.push_back(std::move(in));
    if (consumer) {
      consumer(out.resources, Batch{next_input++, std::max<size_t>(options.threads, 1)});
      return;  // the documents, module cache and tree go with `out`, `cache` and `tree`
    }
    for (Resource& r : out.resources) resources.push_back(std::move(r));
    for (auto& d : out.docs) docs.push_back(std::move(d));
    tf_trees.push_back(std::move(tree));
    tf_caches.push_back(std::move(cache));
  }

  // One input loaded on its own (any thread): appended to the Estate in input order.
  struct Loaded {
    Input input;
    std::vector<Resource> resources;
    std::vector<std::unique_ptr<formats::Document>> docs;
    core::Diagnostics diags;
    bool consumed = false;  // already handed to the consumer (and dropped) where it loaded
  };

  // Takes an input's resources part by part as they are built (see Estate::Batch).
  using PartSink = std::function<void(std::span<const Resource>, uint32_t part, bool last)>;
  // Canonical units built and consumed per part: few enough that a part's model and the
  // source it reads stay in the processor's caches while its rules run. A consumer that
  // spreads a part over several threads gets larger parts (each part is a start and a
  // join of its threads).
  static constexpr size_t kPartUnits = 256;
  static constexpr size_t kPartUnitsThreaded = 4096;

  // `explicit_input`: named by the user (reported when not ours) rather than found.
  // With `parts`, the resources go there as they are built (then `consumed` is set and
  // `resources` stays empty); an input that fails or is not ours gives no part.
  static Loaded load(std::string name, std::string text, std::optional<SourceFormat> format,
                     const LoadOptions& options, bool explicit_input, const PartSink* parts = nullptr,
                     size_t part_units = kPartUnits) {
    Loaded l;
    Input& input = l.input;
    core::Diagnostics& diags = l.diags;
    input.path = name;
    input.sha256 = core::sha256_hex(text);
    if (!explicit_input && !format) {
      bool hint = false;
      for (std::string_view m : kMarkers) hint = hint || text.find(m) != std::string::npos;
      if (!hint) return l;
    }
    core::Diagnostics load_diags;
    const bool pruned = looks_like_plan(text);
    auto loaded = pruned
                      ? formats::load_document(name, std::move(text), plan_limits(options.limits), load_diags)
                      : formats::load_document(name, std::move(text), options.limits, load_diags);
    if (!loaded.ok()) {
      input.failed = true;
      diags.merge(std::move(load_diags));
      diags.add_error(loaded.error());
      return l;
    }
    auto doc = std::make_unique<formats::Document>(std::move(loaded).value());
    if (pruned && doc->root().find_path({"planned_values", "root_module"}) == nullptr) {
      // Not the plan the pruning assumed: the adapter falls back on resource_changes in full.
      load_diags = core::Diagnostics();
      loaded = formats::load_document(name, std::string(doc->text()), options.limits, load_diags);
      if (!loaded.ok()) {
        input.failed = true;
        diags.merge(std::move(load_diags));
        diags.add_error(loaded.error());
        return l;
      }
      doc = std::make_unique<formats::Document>(std::move(loaded).value());
    }
    std::optional<SourceFormat> f = format ? format : internal::detect_format(*doc);
    if (!f || *f == SourceFormat::kTerraformHcl) {
      if (explicit_input) {
        diags.add(core::Severity::kWarning, "model.unknown_format",
                  "not a CloudFormation template, Terraform plan, AWS Config snapshot or Kubernetes manifest",
                  core::Location{name});
      }
      return l;
    }
    diags.merge(std::move(load_diags));
    input.format = f;
    internal::AdapterOutput out;
    switch (*f) {
      case SourceFormat::kCloudFormation: internal::cfn_adapt(*doc, options, diags, out); break;
      case SourceFormat::kTerraformPlan: internal::tfplan_adapt(*doc, options, diags, out); break;
      case SourceFormat::kAwsConfig: internal::awsconfig_adapt(*doc, options, diags, out); break;
      case SourceFormat::kKubernetes: internal::k8s_adapt(*doc, options, diags, out); break;
      case SourceFormat::kTerraformHcl: break;
    }
    internal::CanonicalBuilder cb(*doc, *f, diags);
    // Inline suppressions in YAML comments are matched against all of a file's resources.
    const bool yaml_suppressions =
        doc->format() == formats::Format::kYaml && doc->text().find("sekimori:ignore") != std::string::npos;
    if (parts != nullptr && !yaml_suppressions) {
      size_t total = 0;
      uint32_t part = 0;
      for (size_t begin = 0;;) {
        size_t end = begin;
        for (size_t n = 0; end < out.units.size() && n < part_units; ++end) {
          n += out.units[end].folded ? 0 : 1;
        }
        std::vector<Resource> rs;
        std::unique_ptr<formats::Document> model;
        core::Status st = cb.build(out.units, begin, end, rs, model);
        if (!st.ok()) {
          rs.clear();
          diags.add_error(st.error(), doc->text());
          input.failed = true;
        }
        bool last = !st.ok() || end == out.units.size();
        total += rs.size();
        (*parts)(rs, part++, last);
        if (last) break;
        begin = end;
      }
      input.resources = total;
      l.consumed = true;
      if (diags.has_errors()) input.failed = true;
      return l;
    }
    std::unique_ptr<formats::Document> model;
    core::Status st = cb.build(out.units, l.resources, model);
    if (!st.ok()) {
      l.resources.clear();
      diags.add_error(st.error(), doc->text());
      input.failed = true;
    } else {
      input.resources = l.resources.size();
      if (doc->format() == formats::Format::kYaml) internal::attach_comment_suppressions(doc->text(), name, l.resources);
      l.docs.push_back(std::move(model));
    }
    if (diags.has_errors()) input.failed = true;
    l.docs.push_back(std::move(doc));
    for (auto& a : out.aux) l.docs.push_back(std::move(a));
    return l;
  }

  void append(Loaded&& l, core::Diagnostics& diags) {
    diags.merge(std::move(l.diags));
    inputs.push_back(std::move(l.input));
    if (l.consumed) return;  // already handed to the consumer (load_for_consumer)
    for (Resource& r : l.resources) resources.push_back(std::move(r));
    for (auto& d : l.docs) docs.push_back(std::move(d));
  }

  void add(std::string name, std::string text, std::optional<SourceFormat> format, const LoadOptions& options,
           core::Diagnostics& diags, bool explicit_input) {
    append(load_for_consumer(
               [&](const PartSink* parts, size_t part_units) {
                 return load(std::move(name), std::move(text), format, options, explicit_input, parts,
                             part_units);
               },
               std::max<size_t>(options.threads, 1)),
           diags);
  }

  // Runs `do_load(parts, part_units)`, with the consumer (when there is one) fed each
  // part under the next input number, and an input that gave no part consumed with its
  // resources (none, or all of them at once).
  template <typename LoadFn>
  Loaded load_for_consumer(LoadFn&& do_load, size_t threads) {
    if (!consumer) return do_load(nullptr, kPartUnits);
    return consume_parts(std::forward<LoadFn>(do_load), next_input++, threads);
  }

  template <typename LoadFn>
  Loaded consume_parts(LoadFn&& do_load, uint64_t input, size_t threads) {
    PartSink sink = [&](std::span<const Resource> rs, uint32_t part, bool last) {
      consumer(rs, Batch{input, threads, part, last});
    };
    Loaded l = do_load(&sink, threads > 1 ? kPartUnitsThreaded : kPartUnits);
    if (!l.consumed) consumer(l.resources, Batch{input, threads});
    l.resources.clear();
    l.docs.clear();
    l.consumed = true;
    return l;
  }

  // Reads and loads `files` on up to options.threads threads; appended in order.
  void add_files(const std::vector<std::string>& files, const LoadOptions& options, core::Diagnostics& diags) {
    auto load_file = [&options](const std::string& f, const PartSink* parts, size_t part_units) {
      std::string text;
      if (!read_file(f, text)) {
        Loaded l;
        l.input.path = f;
        l.input.failed = true;
        l.diags.add(core::Severity::kError, "model.io", "cannot read the file", core::Location{f});
        return l;
      }
      return load(f, std::move(text), std::nullopt, options, false, parts, part_units);
    };
    size_t threads = std::min<size_t>(std::max<size_t>(options.threads, 1), files.size());
    if (threads <= 1) {
      for (const std::string& f : files) {
        auto do_load = [&](const PartSink* parts, size_t part_units) {
          return load_file(f, parts, part_units);
        };
        append(load_for_consumer(do_load, std::max<size_t>(options.threads, 1)), diags);
      }
      return;
    }
    // Workers take files in order, at most `window` ahead of the main thread, which
    // appends each as soon as it and all before it are done: memory holds a window of
    // loaded-but-unappended files, not the directory. With a consumer, a worker hands
    // the file's resources to it at once (with its share of the threads: the workers
    // are the parallelism) and keeps only the input's record and diagnostics.
    std::vector<std::optional<Loaded>> slots(files.size());
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<size_t> next{0};
    size_t appended = 0;  // guarded by mu
    const size_t window = threads;
    const uint64_t first_input = next_input;
    if (consumer) next_input += files.size();
    auto worker = [&] {
      while (true) {
        size_t i = next.fetch_add(1);
        if (i >= files.size()) break;
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return i < appended + window; });
        }
        Loaded l = consumer ? consume_parts(
                                  [&](const PartSink* parts, size_t part_units) {
                                    return load_file(files[i], parts, part_units);
                                  },
                                  first_input + i, std::max<size_t>(options.threads / threads, 1))
                            : load_file(files[i], nullptr, kPartUnits);
        std::lock_guard<std::mutex> lock(mu);
        slots[i] = std::move(l);
        cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (size_t i = 0; i < files.size(); ++i) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return slots[i].has_value(); });
      Loaded l = std::move(*slots[i]);
      slots[i].reset();
      appended = i + 1;
      cv.notify_all();
      lock.unlock();
      append(std::move(l), diags);
    }
    for (std::thread& t : pool) t.join();
  }
};

Estate::Estate() : impl_(std::make_unique<Impl>()) {}
Estate::Estate(Estate&&) noexcept = default;
Estate& Estate::operator=(Estate&&) noexcept = default;
Estate::~Estate() = default;

void Estate::set_consumer(Consumer consume) { impl_->consumer = std::move(consume); }

const std::vector<Resource>& Estate::resources() const { return impl_->resources; }
const std::vector<Input>& Estate::inputs() const { return impl_->inputs; }

void Estate::add_text(std::string name, std::string text, std::optional<SourceFormat> format,
                      const LoadOptions& options, core::Diagnostics& diags) {
  if (format == SourceFormat::kTerraformHcl || (!format && terraform::is_config_file(name))) {
    // One module of one file, evaluated in memory.
    if (!terraform::is_config_file(name)) name += ".tf";
    auto tree = std::make_unique<terraform::MemoryTree>();
    std::string dir = fs::path(name).parent_path().generic_string();
    tree->add(name, std::move(text));
    impl_->add_terraform(std::move(tree), {dir.empty() ? std::string(".") : dir}, true, options, diags);
    return;
  }
  impl_->add(std::move(name), std::move(text), format, options, diags, true);
}

void Estate::add_path(const std::string& path, const LoadOptions& options, core::Diagnostics& diags) {
  if (path == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    impl_->add("<stdin>", std::move(text), std::nullopt, options, diags, true);
    return;
  }
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    diags.add(core::Severity::kError, "model.io", "cannot read: no such file or directory", core::Location{path});
    return;
  }
  if (!fs::is_directory(st) && terraform::is_config_file(fs::path(path).filename().string())) {
    // A .tf file named on its own: its directory is the module.
    std::string dir = fs::path(path).parent_path().generic_string();
    impl_->add_terraform(std::make_unique<terraform::DiskTree>(), {dir.empty() ? std::string(".") : dir}, true,
                         options, diags);
    return;
  }
  if (!fs::is_directory(st)) {
    std::string text;
    if (!read_file(path, text)) {
      diags.add(core::Severity::kError, "model.io", "cannot read the file", core::Location{path});
      Input in;
      in.path = path;
      in.failed = true;
      impl_->inputs.push_back(std::move(in));
      return;
    }
    impl_->add(path, std::move(text), std::nullopt, options, diags, true);
    return;
  }
  std::vector<std::string> files;
  std::vector<std::string> tf_dirs;  // directories holding Terraform configuration files
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  // Entries are `path/...`: the relative path is a suffix (fs::relative resolves every
  // component with system calls, which dominated walks of large Terraform trees).
  std::string base = fs::path(path).generic_string();
  if (!base.empty() && base.back() != '/') base += '/';
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& e = *it;
    std::string name = e.path().filename().string();
    std::string full = e.path().generic_string();
    std::string rel = full.compare(0, base.size(), base) == 0 ? full.substr(base.size())
                                                              : fs::relative(e.path(), path, ec).generic_string();
    ec.clear();
    if (e.is_directory(ec)) {
      if (std::find(std::begin(kSkipDirs), std::end(kSkipDirs), name) != std::end(kSkipDirs) ||
          skipped(rel, name, options.skip_globs)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!e.is_regular_file(ec)) continue;
    if (terraform::is_config_file(name)) {
      if (!skipped(rel, name, options.skip_globs)) tf_dirs.push_back(e.path().parent_path().generic_string());
      continue;
    }
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(std::begin(kExtensions), std::end(kExtensions), ext) == std::end(kExtensions)) continue;
    if (skipped(rel, name, options.skip_globs)) continue;
    files.push_back(e.path().string());
  }
  if (ec) diags.add(core::Severity::kError, "model.io", "cannot list the directory: " + ec.message(), core::Location{path});
  std::sort(files.begin(), files.end());
  impl_->add_files(files, options, diags);
  if (!tf_dirs.empty()) {
    std::sort(tf_dirs.begin(), tf_dirs.end());
    tf_dirs.erase(std::unique(tf_dirs.begin(), tf_dirs.end()), tf_dirs.end());
    impl_->add_terraform(std::make_unique<terraform::DiskTree>(), tf_dirs, false, options, diags);
  }
}

std::vector<std::string> known_types() {
  std::vector<std::string> out;
  for (const auto& t : internal::schema().types()) out.push_back(t->name);
  for (const auto& [g, members] : internal::schema().groups()) out.push_back(g);
  std::sort(out.begin(), out.end());
  return out;
}

bool is_known_type(std::string_view type) { return !expand_type(type).empty(); }

std::vector<std::string> expand_type(std::string_view type_or_group) {
  const internal::Schema& s = internal::schema();
  if (s.type(type_or_group) != nullptr) return {std::string(type_or_group)};
  auto it = s.groups().find(std::string(type_or_group));
  if (it != s.groups().end()) return it->second;
  return {};
}

}  // namespace sekimori::model
