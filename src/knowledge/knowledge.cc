// Lookups over a loaded KnowledgeBase, and the built-in instance.
#include "knowledge/knowledge.h"

#include <algorithm>
#include <set>

namespace sekimori::knowledge {

const char* owner_name(Owner o) {
  switch (o) {
    case Owner::kCustomer:
      return "customer";
    case Owner::kProvider:
      return "provider";
    case Owner::kShared:
      return "shared";
  }
  return "shared";
}

std::optional<Owner> parse_owner(std::string_view s) {
  if (s == "customer") return Owner::kCustomer;
  if (s == "provider") return Owner::kProvider;
  if (s == "shared") return Owner::kShared;
  return std::nullopt;
}

const char* mode_name(Mode m) { return m == Mode::kAutomated ? "automated" : "organisational"; }

const char* relation_name(Relation r) {
  switch (r) {
    case Relation::kDirect:
      return "direct";
    case Relation::kFolded:
      return "folded";
    case Relation::kAnalog:
      return "analog";
    case Relation::kClosest:
      return "closest";
  }
  return "direct";
}

namespace {

struct Builtin {
  core::Diagnostics diags;
  KnowledgeBase kb;
  Builtin() : kb(KnowledgeBase::load(builtin_files(), diags)) {}
};

const Builtin& builtin_instance() {
  static const Builtin instance;  // thread-safe initialisation (C++11 magic statics)
  return instance;
}

template <typename T>
const T* find_in(const std::map<std::string, size_t, std::less<>>& index, const std::vector<T>& items,
                 std::string_view key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

const KnowledgeBase& KnowledgeBase::builtin() { return builtin_instance().kb; }
const core::Diagnostics& KnowledgeBase::builtin_diagnostics() { return builtin_instance().diags; }

const Threat* KnowledgeBase::threat(std::string_view key) const { return find_in(threat_index_, threats_, key); }

const CountermeasureItem* KnowledgeBase::item(std::string_view id) const { return find_in(item_index_, items_, id); }

std::span<const Countermeasure> KnowledgeBase::countermeasures(std::string_view threat_key, int stage) const {
  const Threat* t = threat(threat_key);
  if (t == nullptr) return {};
  // Countermeasures are sorted by stage, so a cell is one contiguous run.
  auto lo = std::lower_bound(t->countermeasures.begin(), t->countermeasures.end(), stage,
                             [](const Countermeasure& c, int s) { return c.stage < s; });
  auto hi = std::upper_bound(lo, t->countermeasures.end(), stage,
                             [](int s, const Countermeasure& c) { return s < c.stage; });
  return {lo, hi};
}

const Threat2024* KnowledgeBase::threat_2024(std::string_view key) const {
  return find_in(threat_2024_index_, threats_2024_, key);
}

std::vector<const CrosswalkLink*> KnowledgeBase::successors(std::string_view key_2019) const {
  std::vector<const CrosswalkLink*> out;
  for (const CrosswalkLink& l : crosswalk_)
    if (l.from == key_2019) out.push_back(&l);
  return out;
}

std::vector<const CrosswalkLink*> KnowledgeBase::predecessors(std::string_view key_2024) const {
  std::vector<const CrosswalkLink*> out;
  for (const CrosswalkLink& l : crosswalk_)
    if (l.to == key_2024) out.push_back(&l);
  return out;
}

const CcmControl* KnowledgeBase::ccm_control(std::string_view id) const { return find_in(ccm_index_, ccm_controls_, id); }

const CisRecommendation* KnowledgeBase::cis_aws(std::string_view id) const { return find_in(cis_index_, cis_, id); }

const GuidanceDomain* KnowledgeBase::guidance(int number) const {
  for (const GuidanceDomain& d : guidance_)
    if (d.number == number) return &d;
  return nullptr;
}

const ServiceModel* KnowledgeBase::model(std::string_view id) const { return find_in(model_index_, models_, id); }

const Layer* KnowledgeBase::layer(std::string_view id) const { return find_in(layer_index_, layers_, id); }

std::optional<Owner> KnowledgeBase::owner(std::string_view layer_id, std::string_view model_id) const {
  const Layer* l = layer(layer_id);
  auto m = model_index_.find(model_id);
  if (l == nullptr || m == model_index_.end() || m->second >= l->owners.size()) return std::nullopt;
  return l->owners[m->second];
}

std::vector<const Layer*> KnowledgeBase::layers_for_ccm(std::string_view control) const {
  std::vector<const Layer*> exact, by_domain;
  std::string_view domain = control.substr(0, control.rfind('-'));
  for (const Layer& l : layers_) {
    for (const std::string& c : l.ccm) {
      if (c == control) {
        exact.push_back(&l);
        break;
      }
      if (c == domain) by_domain.push_back(&l);
    }
  }
  return exact.empty() ? by_domain : exact;
}

const TypeClass* KnowledgeBase::classify(std::string_view type) const {
  if (const TypeClass* exact = find_in(exact_type_index_, types_, type)) return exact;
  for (size_t i : glob_order_) {
    const std::string& prefix = types_[i].pattern;
    if (type.size() >= prefix.size() && type.compare(0, prefix.size(), prefix) == 0) return &types_[i];
  }
  return nullptr;
}

const ServiceModel* KnowledgeBase::service_model_of(std::string_view type) const {
  const TypeClass* c = classify(type);
  return c == nullptr ? nullptr : model(c->model);
}

std::vector<std::string> KnowledgeBase::unclassified(std::span<const std::string_view> types) const {
  std::vector<std::string> out;
  std::set<std::string_view> seen;
  for (std::string_view t : types) {
    if (service_model_of(t) == nullptr && seen.insert(t).second) out.emplace_back(t);
  }
  return out;
}

std::vector<std::string> KnowledgeBase::unclassified(std::span<const std::string> types) const {
  std::vector<std::string_view> views(types.begin(), types.end());
  return unclassified(std::span<const std::string_view>(views));
}

}  // namespace sekimori::knowledge
