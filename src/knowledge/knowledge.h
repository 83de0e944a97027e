// sekimori::knowledge — the facts the product reasons with: the CSA Top Threats (2019
// Egregious Eleven with their DevSecOps countermeasures, and the 2024 list with its
// crosswalk), CCM v4 controls, CIS AWS Foundations v7.0.0 recommendations, Security
// Guidance v5 domains, service models with the layer-by-layer owner, the service model of
// each canonical resource type, and the SaaS-provider checklist.
//
// The data lives in knowledge/*.yaml (format: docs/formats/knowledge.md), is compiled into
// the binary, and is validated when loaded: problems are located diagnostics with stable
// codes ("knowledge.duplicate_id", ...), never aborts.
//
//   const auto& kb = knowledge::KnowledgeBase::builtin();
//   if (!kb.is_valid_ccm("IAM-16")) ...
//   for (const auto& c : kb.countermeasures("T02", 6)) use(c.item, c.mode);
//   const knowledge::ServiceModel* m = kb.service_model_of("aws_lambda_function");  // FaaS
//   std::optional<knowledge::Owner> o = kb.owner("network", "iaas");             // shared
//   auto missing = kb.unclassified(rule_pack_types);  // types with no service model
//
// Ownership: a KnowledgeBase owns all of its data; pointers and spans it returns stay valid
// while it lives (builtin() lives for the whole program). Thread-safety: builtin() parses
// once on first use (thread-safe static initialisation); a loaded KnowledgeBase is
// immutable and may be read from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/location.h"
#include "formats/snapshot.h"

namespace sekimori::knowledge {

// One knowledge file: a path (for diagnostics) and its YAML text.
struct SourceFile {
  std::string_view path;
  std::string_view text;
};

// The knowledge files compiled into the binary, sorted by path ("knowledge/ccm-v4.yaml").
[[nodiscard]] std::span<const SourceFile> builtin_files();
// Snapshots of those files' YAML trees, made at build time (formats/snapshot.h).
[[nodiscard]] std::span<const formats::EmbeddedSnapshot> builtin_snapshots();

enum class Owner : uint8_t { kCustomer, kProvider, kShared };
[[nodiscard]] const char* owner_name(Owner o);  // "customer", "provider", "shared"
[[nodiscard]] std::optional<Owner> parse_owner(std::string_view s);

enum class Mode : uint8_t { kAutomated, kOrganisational };
[[nodiscard]] const char* mode_name(Mode m);  // "automated", "organisational"

// How an automated countermeasure is checked; a bit set.
enum CheckKind : uint8_t { kCheckCfg = 1, kCheckLog = 2, kCheckScan = 4 };

// The canonical DevSecOps stages 1..6.
inline constexpr int kFirstStage = 1;
inline constexpr int kLastStage = 6;

struct Stage {
  int number = 0;
  std::string name;
  std::string summary;
};

// An entry of the countermeasure catalogue; threats refer to it by id.
struct CountermeasureItem {
  std::string id;
  std::string title;
  core::Location location;
};

// One countermeasure of one threat at one stage.
struct Countermeasure {
  std::string item;     // CountermeasureItem id
  int stage = 0;        // canonical stage 1..6
  int paper_stage = 0;  // the source paper's own number (== stage unless it numbers differently)
  Mode mode = Mode::kOrganisational;
  uint8_t checks = 0;   // CheckKind bits; 0 when organisational
  std::vector<std::string> rules;       // posture rule IDs that implement it
  std::vector<std::string> detections;  // detection IDs that implement it
  core::Location location;
};

struct Threat {
  std::string key;  // T01..T11
  std::string slug;
  std::string name;
  int rank = 0;
  std::string summary;
  std::vector<std::string> impact;
  std::vector<Countermeasure> countermeasures;  // sorted by stage, file order within a stage
  core::Location location;
};

struct Threat2024 {
  std::string key;  // TT-MISCONFIG, ...
  int rank = 0;
  std::optional<int> rank_2022;
  std::string name;
  std::string confidence;  // high, medium, low
  std::string summary;
  core::Location location;
};

enum class Relation : uint8_t { kDirect, kFolded, kAnalog, kClosest };
[[nodiscard]] const char* relation_name(Relation r);

// 2019 key -> 2024 key.
struct CrosswalkLink {
  std::string from;  // T01..T11
  std::string to;    // TT-...
  Relation relation = Relation::kDirect;
  core::Location location;
};

// Typical IaaS/PaaS/SaaS ownership of a CCM control; unset where not known.
struct CcmOwnership {
  std::optional<Owner> iaas, paas, saas;
};

struct CcmControl {
  std::string id;  // IAM-16
  std::string domain;
  std::string title;
  bool lite = false;
  CcmOwnership ownership;
  core::Location location;
};

struct CcmDomain {
  std::string code;  // IAM
  std::string name;
  std::vector<std::string> controls;  // IDs in file order
};

struct CisSection {
  std::string id;  // "2" or "2.1"
  std::string title;
};

struct CisRecommendation {
  std::string id;       // "3.1.4"
  std::string section;  // the most specific section it belongs to
  std::string title;
  int level = 1;
  bool automated = false;  // CIS's own assessment status
  core::Location location;
};

struct GuidanceDomain {
  int number = 0;  // 1..12
  std::string name;
  std::string summary;
};

struct ServiceModel {
  std::string id;  // on-prem, iaas, paas, saas, k8s-aas, caas, faas, ncaas
  std::string name;
  std::string summary;
  bool synthesis = false;  // our own synthesis rather than the CSA chart
};

struct Layer {
  std::string id;
  std::string name;
  bool synthesis = false;
  std::vector<Owner> owners;                // indexed like models()
  std::map<std::string, std::string> notes;  // model id -> note
  // What checks this layer: CCM v4 domain codes ("IAM") or control IDs ("IVS-04") whose
  // rules check it, and the names (or ids) of the detections that watch it.
  std::vector<std::string> ccm;
  std::vector<std::string> detections;
};

// A canonical resource type (or a `prefix*` glob) and its service model.
struct TypeClass {
  std::string pattern;
  bool glob = false;
  std::string model;
  std::string category;
  bool control_plane = false;
  core::Location location;
};

struct ChecklistArea {
  std::string id;
  std::string title;
};

struct ChecklistItem {
  std::string id;
  std::string area;
  std::string title;
  uint8_t checks = 0;  // CheckKind bits a tool can contribute; 0: attested by a person
  core::Location location;
};

class KnowledgeBase {
 public:
  // The data compiled into the binary, parsed once. Its diagnostics (empty when the
  // bundled data is valid, which the tests guarantee) are in builtin_diagnostics().
  static const KnowledgeBase& builtin();
  static const core::Diagnostics& builtin_diagnostics();

  // Parses and validates a set of knowledge files (each names its `kind`). Every problem
  // goes to `diags`; what is valid is kept, so a caller can still look things up.
  static KnowledgeBase load(std::span<const SourceFile> files, core::Diagnostics& diags);

  // --- Threats (2019) and countermeasures.
  [[nodiscard]] std::span<const Threat> threats() const { return threats_; }
  [[nodiscard]] const Threat* threat(std::string_view key) const;
  [[nodiscard]] bool is_valid_threat(std::string_view key) const { return threat(key) != nullptr; }
  [[nodiscard]] std::span<const Stage> stages() const { return stages_; }
  [[nodiscard]] static bool is_valid_stage(int stage) { return stage >= kFirstStage && stage <= kLastStage; }
  [[nodiscard]] std::span<const CountermeasureItem> items() const { return items_; }
  [[nodiscard]] const CountermeasureItem* item(std::string_view id) const;
  // The threat x stage table: one cell. Empty for an unknown threat or stage.
  [[nodiscard]] std::span<const Countermeasure> countermeasures(std::string_view threat, int stage) const;

  // --- Threats (2024) and the crosswalk.
  [[nodiscard]] std::span<const Threat2024> threats_2024() const { return threats_2024_; }
  [[nodiscard]] const Threat2024* threat_2024(std::string_view key) const;
  [[nodiscard]] std::span<const CrosswalkLink> crosswalk() const { return crosswalk_; }
  [[nodiscard]] std::vector<const CrosswalkLink*> successors(std::string_view key_2019) const;
  [[nodiscard]] std::vector<const CrosswalkLink*> predecessors(std::string_view key_2024) const;

  // --- Frameworks.
  [[nodiscard]] std::span<const CcmDomain> ccm_domains() const { return ccm_domains_; }
  [[nodiscard]] std::span<const CcmControl> ccm_controls() const { return ccm_controls_; }
  [[nodiscard]] const CcmControl* ccm_control(std::string_view id) const;
  [[nodiscard]] bool is_valid_ccm(std::string_view id) const { return ccm_control(id) != nullptr; }
  [[nodiscard]] std::span<const CisSection> cis_aws_sections() const { return cis_sections_; }
  [[nodiscard]] std::span<const CisRecommendation> cis_aws_recommendations() const { return cis_; }
  [[nodiscard]] const CisRecommendation* cis_aws(std::string_view id) const;
  [[nodiscard]] bool is_valid_cis(std::string_view id) const { return cis_aws(id) != nullptr; }
  [[nodiscard]] std::span<const GuidanceDomain> guidance_domains() const { return guidance_; }
  [[nodiscard]] const GuidanceDomain* guidance(int number) const;
  [[nodiscard]] bool is_valid_guidance(int number) const { return guidance(number) != nullptr; }

  // --- Service models and responsibility.
  [[nodiscard]] std::span<const ServiceModel> models() const { return models_; }
  [[nodiscard]] const ServiceModel* model(std::string_view id) const;
  [[nodiscard]] std::span<const Layer> layers() const { return layers_; }
  [[nodiscard]] const Layer* layer(std::string_view id) const;
  // Who owns `layer` under `model`; nullopt when either is unknown.
  [[nodiscard]] std::optional<Owner> owner(std::string_view layer, std::string_view model) const;
  // The layers a CCM control belongs to: the layers that list the control's own ID, else
  // those that list its domain code. Empty when no layer names either.
  [[nodiscard]] std::vector<const Layer*> layers_for_ccm(std::string_view control) const;
  [[nodiscard]] std::span<const TypeClass> resource_types() const { return types_; }
  // The classification entry for a canonical type: an exact entry, else the matching glob
  // with the longest prefix; nullptr when none matches.
  [[nodiscard]] const TypeClass* classify(std::string_view type) const;
  [[nodiscard]] const ServiceModel* service_model_of(std::string_view type) const;
  // The types (in the order given, without repeats) that have no classification. A rule
  // pack test calls this with every type its rules name and expects an empty result.
  [[nodiscard]] std::vector<std::string> unclassified(std::span<const std::string> types) const;
  [[nodiscard]] std::vector<std::string> unclassified(std::span<const std::string_view> types) const;

  // --- SaaS-provider checklist.
  [[nodiscard]] std::span<const ChecklistArea> checklist_areas() const { return areas_; }
  [[nodiscard]] std::span<const ChecklistItem> checklist() const { return checklist_; }

 private:
  friend class Loader;
  std::vector<Stage> stages_;
  std::vector<CountermeasureItem> items_;
  std::vector<Threat> threats_;
  std::vector<Threat2024> threats_2024_;
  std::vector<CrosswalkLink> crosswalk_;
  std::vector<CcmDomain> ccm_domains_;
  std::vector<CcmControl> ccm_controls_;
  std::vector<CisSection> cis_sections_;
  std::vector<CisRecommendation> cis_;
  std::vector<GuidanceDomain> guidance_;
  std::vector<ServiceModel> models_;
  std::vector<Layer> layers_;
  std::vector<TypeClass> types_;
  std::vector<ChecklistArea> areas_;
  std::vector<ChecklistItem> checklist_;
  // Indexes into the vectors above.
  std::map<std::string, size_t, std::less<>> threat_index_, item_index_, threat_2024_index_,
      ccm_index_, cis_index_, model_index_, layer_index_, exact_type_index_;
  std::vector<size_t> glob_order_;  // indices of glob entries, longest prefix first
};

}  // namespace sekimori::knowledge
