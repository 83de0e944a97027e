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

// A value that may be JSON held in a string (Config's `configuration` in batch output,
// every `supplementaryConfiguration` value): the node itself, or its decoded form kept
// alive in `keep`. `at` says where decoded nodes must point (the string).
const Node* maybe_decoded(const formats::Document& doc, const Node* n, std::unique_ptr<formats::Document>& keep,
                          Pos& at) {
  if (n == nullptr) return nullptr;
  at = n->pos();
  if (n->kind() != NodeKind::kString) return n;
  core::Diagnostics ignored;
  formats::Limits dl;
  dl.max_bytes = kMaxDecodeBytes;
  auto d = formats::load_json(doc.path(), std::string(n->as_string()), dl, ignored);
  if (!d.ok()) return nullptr;
  keep = std::make_unique<formats::Document>(std::move(d).value());
  return &keep->root();
}

// Copies `n` into `b`: shared when it is a node of the item's own document, relocated to
// `at` when it was decoded from a string.
core::Status emit_part(formats::Builder& b, const Node& n, bool decoded, Pos at) {
  return decoded ? relocate(b, n, at) : b.add_shared(n.pos(), n, 1);
}

// The item with one derived member `name` appended (its members shared, not copied):
// Config quirks the schema's mappings cannot express (filtering a list, key/value lists
// keyed by dotted names) are turned into plain paths here. `fill` adds the member's value.
template <typename Fill>
std::unique_ptr<formats::Document> with_derived(const formats::Document& doc, const Node& item, std::string_view name,
                                                Fill fill) {
  formats::Limits limits;
  limits.max_nodes = UINT64_MAX / 2;
  formats::Builder b(doc.path(), doc.format(), std::string(), limits);
  b.set_file(&doc.path());
  auto build = [&]() -> core::Status {
    SKM_TRY(b.begin_map(item.pos()));
    for (const formats::Member& m : item.members()) {
      SKM_TRY(b.add_shared(m.key.pos(), m.key, 1));
      SKM_TRY(b.add_shared(m.value.pos(), m.value, 1));
    }
    SKM_TRY(b.add_string(item.pos(), name));
    SKM_TRY(fill(b));
    return b.end_map();
  };
  if (!build().ok()) return nullptr;
  return std::make_unique<formats::Document>(std::move(b).finish());
}

// Network ACL entries arrive as one list with an `egress` flag (EC2 DescribeNetworkAcls);
// the mapping reads `sekimoriEntries.ingress` / `.egress`.
std::unique_ptr<formats::Document> split_nacl_entries(const formats::Document& doc, const Node& item) {
  std::unique_ptr<formats::Document> keep;
  Pos at;
  const Node* conf = maybe_decoded(doc, item.find("configuration"), keep, at);
  const Node* entries = conf != nullptr ? conf->find("entries") : nullptr;
  if (entries == nullptr || entries->kind() != NodeKind::kList) return nullptr;
  return with_derived(doc, item, "sekimoriEntries", [&](formats::Builder& b) -> core::Status {
    SKM_TRY(b.begin_map(item.pos()));
    for (bool egress : {false, true}) {
      SKM_TRY(b.add_string(item.pos(), egress ? "egress" : "ingress"));
      SKM_TRY(b.begin_list(item.pos()));
      for (const Node& e : entries->items()) {
        const Node* flag = e.find("egress");
        bool is_egress = flag != nullptr && ((flag->kind() == NodeKind::kBool && flag->as_bool()) ||
                                             (flag->kind() == NodeKind::kString && flag->as_string() == "true"));
        if (is_egress == egress) SKM_TRY(emit_part(b, e, keep != nullptr, at));
      }
      SKM_TRY(b.end_list());
    }
    return b.end_map();
  });
}

// A tree of dotted attribute names ("access_logs.s3.enabled") in first-seen order.
struct KeyTree {
  std::string name;
  const Node* value = nullptr;  // a leaf
  std::vector<KeyTree> children;

  KeyTree* child(std::string_view n) {
    for (KeyTree& c : children) {
      if (c.name == n) return &c;
    }
    children.push_back(KeyTree{std::string(n), nullptr, {}});
    return &children.back();
  }
};

core::Status emit_tree(formats::Builder& b, const KeyTree& t, bool decoded, Pos at, Pos pos) {
  SKM_TRY(b.begin_map(pos));
  for (const KeyTree& c : t.children) {
    SKM_TRY(b.add_string(pos, c.name));
    if (c.value != nullptr && c.children.empty()) {
      SKM_TRY(emit_part(b, *c.value, decoded, at));
    } else {
      SKM_TRY(emit_tree(b, c, decoded, at, pos));
    }
  }
  return b.end_map();
}

// ELBv2 attributes arrive as a key/value list (DescribeLoadBalancerAttributes) under
// `supplementaryConfiguration.LoadBalancerAttributes`, keyed by dotted names; the mapping
// reads them nested: `sekimoriAttributes.access_logs.s3.enabled`.
std::unique_ptr<formats::Document> nest_lb_attributes(const formats::Document& doc, const Node& item) {
  const Node* sup = item.find("supplementaryConfiguration");
  if (sup == nullptr || sup->kind() != NodeKind::kMap) return nullptr;
  std::unique_ptr<formats::Document> keep;
  Pos at;
  const Node* attrs = maybe_decoded(doc, sup->find("LoadBalancerAttributes"), keep, at);
  if (attrs == nullptr || attrs->kind() != NodeKind::kList) return nullptr;
  // A real load balancer has a few dozen attributes; the cap keeps the name lookups
  // (linear per level) cheap on hostile input. Entries past it are ignored.
  constexpr size_t kMaxAttributes = 1024;
  KeyTree root;
  size_t seen = 0;
  for (const Node& a : attrs->items()) {
    if (++seen > kMaxAttributes) break;
    const Node* k = a.find("key");
    if (k == nullptr) k = a.find("Key");
    const Node* v = a.find("value");
    if (v == nullptr) v = a.find("Value");
    if (k == nullptr || v == nullptr || k->kind() != NodeKind::kString || k->as_string().empty()) continue;
    std::string_view key = k->as_string();
    KeyTree* cur = &root;
    bool ok = true;
    size_t i = 0;
    int depth = 0;
    while (ok) {
      size_t dot = key.find('.', i);
      std::string_view part = key.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
      if (part.empty() || ++depth > 16 || (cur->value != nullptr && cur != &root)) {
        ok = false;  // empty segment, absurd nesting, or a leaf that is also a prefix
        break;
      }
      cur = cur->child(part);
      if (dot == std::string_view::npos) break;
      i = dot + 1;
    }
    if (!ok || !cur->children.empty()) continue;
    cur->value = v;
  }
  if (root.children.empty()) return nullptr;
  return with_derived(doc, item, "sekimoriAttributes", [&](formats::Builder& b) {
    return emit_tree(b, root, keep != nullptr, at, item.pos());
  });
}

// An S3 bucket's ACL arrives JSON-encoded twice in `supplementaryConfiguration.
// AccessControlList`, with grantees in the SDK's own shapes: a group is the string
// "AllUsers" / "AuthenticatedUsers" / "LogDelivery", a user is {"id": ...} or
// {"emailAddress": ...}. The mapping reads `sekimoriGrants`, items in the canonical
// (S3 API / Terraform) shape: {type: Group, uri: http://acs.amazonaws.com/groups/global/AllUsers,
// permission: Read}; permissions keep Config's spelling ("FullControl", "ReadAcp").
std::unique_ptr<formats::Document> normalize_s3_grants(const formats::Document& doc, const Node& item) {
  const Node* sup = item.find("supplementaryConfiguration");
  if (sup == nullptr || sup->kind() != NodeKind::kMap) return nullptr;
  const Node* acl = sup->find("AccessControlList");
  if (acl == nullptr) return nullptr;
  Pos at = acl->pos();
  std::vector<std::unique_ptr<formats::Document>> keep;
  const Node* cur = acl;
  for (int i = 0; i < kMaxDecodeDepth && cur->kind() == NodeKind::kString; ++i) {
    std::unique_ptr<formats::Document> d;
    Pos ignored_at;
    cur = maybe_decoded(doc, cur, d, ignored_at);
    if (cur == nullptr) return nullptr;
    keep.push_back(std::move(d));
  }
  const Node* grants = cur->kind() == NodeKind::kMap ? cur->find("grantList") : nullptr;
  if (grants == nullptr || grants->kind() != NodeKind::kList) return nullptr;
  return with_derived(doc, item, "sekimoriGrants", [&](formats::Builder& b) -> core::Status {
    SKM_TRY(b.begin_list(at));
    for (const Node& g : grants->items()) {
      if (g.kind() != NodeKind::kMap) continue;
      const Node* grantee = g.find("grantee");
      const Node* perm = g.find("permission");
      if (grantee == nullptr) continue;
      SKM_TRY(b.begin_map(at));
      if (grantee->kind() == NodeKind::kString) {
        std::string_view group = grantee->as_string();
        SKM_TRY(b.add_string(at, "type"));
        SKM_TRY(b.add_string(at, "Group"));
        SKM_TRY(b.add_string(at, "uri"));
        SKM_TRY(b.add_string(at, std::string(group == "LogDelivery" ? "http://acs.amazonaws.com/groups/s3/"
                                                                    : "http://acs.amazonaws.com/groups/global/") +
                                     std::string(group)));
      } else if (grantee->kind() == NodeKind::kMap) {
        const Node* id = grantee->find("id");
        const Node* email = grantee->find("emailAddress");
        SKM_TRY(b.add_string(at, "type"));
        SKM_TRY(b.add_string(at, email != nullptr && id == nullptr ? "AmazonCustomerByEmail" : "CanonicalUser"));
        if (id != nullptr && id->kind() == NodeKind::kString) {
          SKM_TRY(b.add_string(at, "id"));
          SKM_TRY(b.add_string(at, id->as_string()));
        }
      }
      if (perm != nullptr && perm->kind() == NodeKind::kString) {
        SKM_TRY(b.add_string(at, "permission"));
        SKM_TRY(b.add_string(at, perm->as_string()));
      }
      SKM_TRY(b.end_map());
    }
    return b.end_list();
  });
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
    std::unique_ptr<formats::Document> derived;
    if (type == "AWS::EC2::NetworkAcl") derived = split_nacl_entries(doc, *item);
    if (type == "AWS::ElasticLoadBalancingV2::LoadBalancer") derived = nest_lb_attributes(doc, *item);
    if (type == "AWS::S3::Bucket") derived = normalize_s3_grants(doc, *item);
    if (derived) {
      u.root = &derived->root();
      out.aux.push_back(std::move(derived));
    }
    out.units.push_back(std::move(u));
  }
  if (aux) out.aux.push_back(std::move(aux));
}

}  // namespace sekimori::model::internal
