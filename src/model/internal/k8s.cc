// Kubernetes adapter: every object of a (multi-document) manifest, `List` kinds expanded.
// Canonical types follow the Terraform kubernetes provider (`kubernetes_deployment`);
// the mapping data gives every workload the same snake_case `pod_spec`.
#include "model/internal/adapters.h"

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;

namespace {

std::string_view str(const Node* n) {
  return n != nullptr && n->kind() == NodeKind::kString ? n->as_string() : std::string_view();
}

void add_object(const formats::Document& doc, const Node& obj, AdapterOutput& out, core::Diagnostics& diags,
                int depth) {
  if (obj.kind() != NodeKind::kMap) return;
  std::string_view kind = str(obj.find("kind"));
  std::string_view api = str(obj.find("apiVersion"));
  if (kind.empty() || api.empty()) {
    if (!obj.members().empty()) {
      diags.add(core::Severity::kWarning, "k8s.schema", "object without apiVersion and kind; skipped",
                doc.location(obj));
    }
    return;
  }
  const Node* items = obj.find("items");
  if (kind.size() >= 4 && kind.substr(kind.size() - 4) == "List" && items != nullptr &&
      items->kind() == NodeKind::kList) {
    if (depth > 8) return;
    for (const Node& i : items->items()) add_object(doc, i, out, diags, depth + 1);
    return;
  }
  const Node* meta = obj.find("metadata");
  std::string_view name = str(meta != nullptr ? meta->find("name") : nullptr);
  std::string_view ns = str(meta != nullptr ? meta->find("namespace") : nullptr);
  if (name.empty()) name = str(meta != nullptr ? meta->find("generateName") : nullptr);
  Unit u;
  u.id = std::string(kind) + "/" + std::string(ns.empty() ? "default" : ns) + "/" + std::string(name);
  u.source_type = std::string(kind);
  u.fallback_type = "kubernetes_" + snake_case(kind);
  u.pos = obj.pos();
  u.raw = &obj;
  u.root = &obj;
  u.entry = primary_entry(SourceFormat::kKubernetes, kind);
  if (const Node* ann = meta != nullptr ? meta->find_path({"annotations", "sekimori.dev/ignore"}) : nullptr;
      ann != nullptr && ann->kind() == NodeKind::kString) {
    parse_suppressions(ann->as_string(), doc.location(*ann), u.suppressions);
  }
  out.units.push_back(std::move(u));
}

}  // namespace

void k8s_adapt(const formats::Document& doc, const LoadOptions& /*options*/, core::Diagnostics& diags,
               AdapterOutput& out) {
  for (const Node& root : doc.roots()) {
    if (root.is_null()) continue;
    if (root.kind() != NodeKind::kMap) {
      diags.add(core::Severity::kWarning, "k8s.schema", "document is not an object; skipped", doc.location(root));
      continue;
    }
    add_object(doc, root, out, diags, 0);
  }
}

}  // namespace sekimori::model::internal
