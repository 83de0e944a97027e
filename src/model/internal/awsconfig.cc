// AWS Config adapter: configuration items from a snapshot file (`configurationItems`),
// `batch-get-resource-config` (`baseConfigurationItems`), `select-resource-config`
// (`Results`, each a JSON string) or a bare item / list of items. JSON held in strings
// (configuration, supplementaryConfiguration, double-encoded ACLs) is decoded lazily by
// the mapping engine; locations point at the item.
#include "model/internal/adapters.h"

namespace sekimori::model::internal {

using formats::Node;
using formats::NodeKind;
using formats::Pos;

namespace {

// Deep copy with every node placed at `pos` (for items decoded from a JSON string).
core::Status relocate(formats::Builder& b, const Node& n, Pos pos) {
  if (b.depth() + 2 >= b.limits().max_depth && (n.kind() == NodeKind::kList || n.kind() == NodeKind::kMap)) {
    return b.add_unknown(pos);
  }
  switch (n.kind()) {
    case NodeKind::kNull: return b.add_null(pos);
    case NodeKind::kBool: return b.add_bool(pos, n.as_bool());
    case NodeKind::kInt: return b.add_int(pos, n.as_int());
    case NodeKind::kUint: return b.add_uint(pos, n.as_uint());
    case NodeKind::kDouble: return b.add_double(pos, n.as_double());
    case NodeKind::kString: return b.add_string(pos, n.as_string());
    case NodeKind::kUnknown: return b.add_unknown(pos);
    case NodeKind::kList:
      SKM_TRY(b.begin_list(pos));
      for (const Node& c : n.items()) SKM_TRY(relocate(b, c, pos));
      return b.end_list();
    case NodeKind::kMap:
      SKM_TRY(b.begin_map(pos));
      for (const formats::Member& m : n.members()) {
        SKM_TRY(relocate(b, m.key, pos));
        SKM_TRY(relocate(b, m.value, pos));
      }
      return b.end_map();
  }
  return {};
}

std::string_view str(const Node& item, std::string_view key) {
  const Node* n = item.find(key);
  return n != nullptr && n->kind() == NodeKind::kString ? n->as_string() : std::string_view();
}

}  // namespace

void awsconfig_adapt(const formats::Document& doc, const LoadOptions& /*options*/, core::Diagnostics& diags,
                     AdapterOutput& out) {
  const Node& root = doc.root();
  std::vector<const Node*> items;
  auto take_list = [&](const Node* list) {
    if (list == nullptr || list->kind() != NodeKind::kList) return false;
    for (const Node& i : list->items()) items.push_back(&i);
    return true;
  };
  std::unique_ptr<formats::Document> aux;
  if (take_list(root.find("configurationItems")) || take_list(root.find("baseConfigurationItems"))) {
  } else if (const Node* results = root.find("Results"); results != nullptr && results->kind() == NodeKind::kList) {
    formats::Limits limits;
    limits.max_nodes = UINT64_MAX / 2;
    formats::Builder b(doc.path(), doc.format(), std::string(), limits);
    b.set_file(&doc.path());
    size_t n = 0;
    for (const Node& r : results->items()) {
      if (r.kind() == NodeKind::kMap) {
        if (core::Status st = b.add_shared(r.pos(), r, 1); !st.ok()) return;
        ++n;
        continue;
      }
      if (r.kind() != NodeKind::kString) continue;
      core::Diagnostics ignored;
      formats::Limits dl;
      dl.max_bytes = kMaxDecodeBytes;
      auto d = formats::load_json(doc.path(), std::string(r.as_string()), dl, ignored);
      if (!d.ok()) {
        diags.add(core::Severity::kError, "awsconfig.json", "a Results entry is not valid JSON: " + d.error().message,
                  doc.location(r), core::make_snippet(doc.text(), r.pos().line, r.pos().column));
        continue;
      }
      if (core::Status st = relocate(b, d->root(), r.pos()); !st.ok()) {
        diags.add_error(st.error());
        return;
      }
      ++n;
    }
    aux = std::make_unique<formats::Document>(std::move(b).finish());
    for (const Node& i : aux->roots()) items.push_back(&i);
    (void)n;
  } else if (root.kind() == NodeKind::kList) {
    take_list(&root);
  } else if (root.find("resourceType") != nullptr) {
    items.push_back(&root);
  } else if (const Node* one = root.find("configurationItem")) {
    items.push_back(one);
  } else {
    diags.add(core::Severity::kError, "awsconfig.schema", "no configuration items found", doc.location(root));
    return;
  }
  for (const Node* item : items) {
    if (item->kind() != NodeKind::kMap) continue;
    std::string_view type = str(*item, "resourceType");
    if (type.empty()) {
      diags.add(core::Severity::kWarning, "awsconfig.schema", "configuration item without resourceType; skipped",
                doc.location(*item));
      continue;
    }
    std::string_view status = str(*item, "configurationItemStatus");
    if (status == "ResourceDeleted" || status == "ResourceNotRecorded" || status == "ResourceDeletedNotRecorded") {
      continue;
    }
    Unit u;
    std::string_view arn = str(*item, "ARN");
    if (arn.empty()) arn = str(*item, "arn");
    u.id = std::string(arn.empty() ? str(*item, "resourceId") : arn);
    u.source_type = std::string(type);
    u.fallback_type = u.source_type;
    u.pos = item->pos();
    u.raw = item;
    u.root = item;
    u.entry = primary_entry(SourceFormat::kAwsConfig, u.source_type);
    out.units.push_back(std::move(u));
  }
  if (aux) out.aux.push_back(std::move(aux));
}

}  // namespace sekimori::model::internal
