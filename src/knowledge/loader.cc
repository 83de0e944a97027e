// Parses and validates knowledge files into a KnowledgeBase.
//
// Every file is a YAML map with `kind` and `format: 1`; the kinds are processed in a fixed
// order (2019 threats before the 2024 crosswalk that refers to them), whatever the order of
// the files. Each problem is reported once with its location and a stable code; the entry
// it concerns is dropped and loading goes on.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>

#include "formats/document.h"
#include "formats/snapshot.h"
#include "knowledge/knowledge.h"

namespace sekimori::knowledge {

namespace {

using formats::Node;
using formats::NodeKind;

// Knowledge files are small and trusted-ish (they may come from a user's override
// directory later), so the limits are tight.
formats::Limits knowledge_limits() {
  formats::Limits l;
  l.max_bytes = uint64_t{8} << 20;
  l.max_depth = 32;
  l.max_string = uint64_t{64} << 10;
  l.max_nodes = 1'000'000;
  l.max_documents = 1;
  return l;
}

constexpr std::array<std::string_view, 7> kKinds = {
    "threats-2019", "threats-2024", "ccm-v4", "cis-aws-v7",
    "guidance-v5",  "service-models", "saas-provider-checklist"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// Lower-case words joined by '-': "data-breach", "k8s-aas".
bool is_slug(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
}

// T01..T99
bool is_threat_key(std::string_view s) {
  return s.size() == 3 && s[0] == 'T' && is_digit(s[1]) && is_digit(s[2]) && s != "T00";
}

// TT-MISCONFIG, TT-3P
bool is_threat_2024_key(std::string_view s) {
  if (s.size() < 4 || s.substr(0, 3) != "TT-" || s.back() == '-') return false;
  return std::all_of(s.begin() + 3, s.end(), [](char c) { return is_upper(c) || is_digit(c) || c == '-'; });
}

// A&A, AIS: two to four upper-case letters or '&', starting with a letter.
bool is_ccm_domain(std::string_view s) {
  if (s.size() < 2 || s.size() > 4 || !is_upper(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_upper(c) || c == '&'; });
}

// "2", "2.1", "3.1.4": dot-separated numbers without leading zeros.
bool is_cis_id(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) return false;
    if (part.size() > 1 && part[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Canonical type names: aws_s3_bucket, kubernetes_pod; a glob ends in one '*'.
bool is_type_name(std::string_view s) {
  if (s.empty() || !is_lower(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
}

}  // namespace

class Loader {
 public:
  Loader(KnowledgeBase& kb, core::Diagnostics& diags) : kb_(kb), diags_(diags) {}

  void load(std::span<const SourceFile> files) {
    std::vector<std::pair<size_t, formats::Document>> docs;  // (kind index, doc)
    std::array<const formats::Document*, kKinds.size()> by_kind{};
    docs.reserve(files.size());
    for (const SourceFile& f : files) {
      std::string_view snap = formats::find_snapshot(builtin_snapshots(), f.path, f.text);
      auto doc = formats::load_yaml_or_snapshot(std::string(f.path), std::string(f.text), snap,
                                                knowledge_limits(), diags_);
      if (!doc.ok()) {
        diags_.add_error(doc.error(), f.text);
        continue;
      }
      doc_ = &*doc;
      std::optional<size_t> kind = file_kind(doc->root());
      if (kind) docs.emplace_back(*kind, std::move(doc).value());
    }
    for (const auto& [kind, doc] : docs) {
      if (by_kind[kind] != nullptr) {
        doc_ = &doc;
        error("knowledge.duplicate_kind",
              "a second '" + std::string(kKinds[kind]) + "' file; the first one, " +
                  by_kind[kind]->path() + ", is used",
              *doc.root().find("kind"));
        continue;
      }
      by_kind[kind] = &doc;
    }
    for (size_t k = 0; k < kKinds.size(); ++k) {
      if (by_kind[k] == nullptr) {
        diags_.add(core::Severity::kError, "knowledge.missing_file",
                   "no knowledge file of kind '" + std::string(kKinds[k]) + "' was loaded");
        continue;
      }
      doc_ = by_kind[k];
      const Node& root = doc_->root();
      switch (k) {
        case 0: threats_2019(root); break;
        case 1: threats_2024(root); break;
        case 2: ccm(root); break;
        case 3: cis(root); break;
        case 4: guidance(root); break;
        case 5: service_models(root); break;
        case 6: checklist(root); break;
        default: break;
      }
    }
    finish();
  }

 private:
  KnowledgeBase& kb_;
  core::Diagnostics& diags_;
  const formats::Document* doc_ = nullptr;

  // ---- Diagnostics and typed access.

  void error(std::string code, std::string message, const Node& at) {
    core::Location loc = doc_->location(at);
    std::string snippet = core::make_snippet(doc_->text(), loc.line, loc.column);
    diags_.add(core::Severity::kError, std::move(code), std::move(message), std::move(loc),
               std::move(snippet));
  }

  bool expect(const Node& n, NodeKind kind, std::string_view what) {
    if (n.kind() == kind) return true;
    error("knowledge.bad_type",
          std::string(what) + " must be a " + formats::kind_name(kind) + ", not a " + formats::kind_name(n.kind()),
          n);
    return false;
  }

  // Reports keys of `map` that are not in `allowed`. Returns false if `map` is no map.
  bool check_keys(const Node& map, std::string_view what, std::initializer_list<std::string_view> allowed) {
    if (!expect(map, NodeKind::kMap, what)) return false;
    for (const formats::Member& m : map.members()) {
      if (m.key.kind() != NodeKind::kString) {
        error("knowledge.unknown_key", "keys of " + std::string(what) + " must be strings", m.key);
        continue;
      }
      std::string_view key = m.key.as_string();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error("knowledge.unknown_key",
              "unknown key '" + std::string(key) + "' in " + std::string(what) + " (expected one of: " + list + ")",
              m.key);
      }
    }
    return true;
  }

  const Node* field(const Node& map, std::string_view key, std::string_view what, bool required) {
    const Node* n = map.find(key);
    if (n == nullptr && required)
      error("knowledge.missing_key", std::string(what) + " needs '" + std::string(key) + "'", map);
    return n;
  }

  std::optional<std::string> string(const Node& map, std::string_view key, std::string_view what,
                                    bool required = true) {
    const Node* n = field(map, key, what, required);
    if (n == nullptr || !expect(*n, NodeKind::kString, std::string(what) + " '" + std::string(key) + "'"))
      return std::nullopt;
    if (n->as_string().empty()) {
      error("knowledge.bad_value", std::string(what) + " '" + std::string(key) + "' must not be empty", *n);
      return std::nullopt;
    }
    return std::string(n->as_string());
  }

  std::optional<int64_t> integer(const Node& map, std::string_view key, std::string_view what,
                                 bool required = true) {
    const Node* n = field(map, key, what, required);
    if (n == nullptr || !expect(*n, NodeKind::kInt, std::string(what) + " '" + std::string(key) + "'"))
      return std::nullopt;
    return n->as_int();
  }

  std::optional<bool> boolean(const Node& map, std::string_view key, std::string_view what) {
    const Node* n = map.find(key);
    if (n == nullptr || !expect(*n, NodeKind::kBool, std::string(what) + " '" + std::string(key) + "'"))
      return std::nullopt;
    return n->as_bool();
  }

  // A list of non-empty strings (absent: empty).
  std::vector<std::string> strings(const Node& map, std::string_view key, std::string_view what) {
    std::vector<std::string> out;
    const Node* n = map.find(key);
    if (n == nullptr || !expect(*n, NodeKind::kList, std::string(what) + " '" + std::string(key) + "'"))
      return out;
    for (const Node& item : n->items()) {
      if (!expect(item, NodeKind::kString, "an entry of '" + std::string(key) + "'")) continue;
      if (item.as_string().empty()) {
        error("knowledge.bad_value", "an entry of '" + std::string(key) + "' is empty", item);
        continue;
      }
      out.emplace_back(item.as_string());
    }
    return out;
  }

  // The items of a required list (empty span when absent or not a list).
  std::span<const Node> list(const Node& map, std::string_view key, std::string_view what) {
    const Node* n = field(map, key, what, true);
    if (n == nullptr || !expect(*n, NodeKind::kList, std::string(what) + " '" + std::string(key) + "'"))
      return {};
    return n->items();
  }

  // Claims an id in `seen`; reports a duplicate at `at`.
  bool unique(std::set<std::string, std::less<>>& seen, const std::string& id, std::string_view what,
              const Node& at) {
    if (seen.insert(id).second) return true;
    error("knowledge.duplicate_id", "duplicate " + std::string(what) + " '" + id + "'", at);
    return false;
  }

  // `check:` is CFG, LOG or SCAN, or a list of them. Returns nullopt after an error.
  std::optional<uint8_t> checks(const Node& map) {
    const Node* n = map.find("check");
    if (n == nullptr) return uint8_t{0};
    std::vector<const Node*> values;
    if (n->kind() == NodeKind::kList) {
      for (const Node& v : n->items()) values.push_back(&v);
      if (values.empty()) {
        error("knowledge.bad_value", "'check' must name at least one of CFG, LOG, SCAN", *n);
        return std::nullopt;
      }
    } else {
      values.push_back(n);
    }
    uint8_t bits = 0;
    for (const Node* v : values) {
      if (!expect(*v, NodeKind::kString, "'check'")) return std::nullopt;
      std::string_view s = v->as_string();
      if (s == "CFG") {
        bits |= kCheckCfg;
      } else if (s == "LOG") {
        bits |= kCheckLog;
      } else if (s == "SCAN") {
        bits |= kCheckScan;
      } else {
        error("knowledge.bad_value", "'check' is CFG, LOG or SCAN, not '" + std::string(s) + "'", *v);
        return std::nullopt;
      }
    }
    return bits;
  }

  std::optional<Owner> owner_value(const Node& n, std::string_view what) {
    if (!expect(n, NodeKind::kString, what)) return std::nullopt;
    std::optional<Owner> o = parse_owner(n.as_string());
    if (!o)
      error("knowledge.bad_owner",
            std::string(what) + " is customer, provider or shared, not '" + std::string(n.as_string()) + "'", n);
    return o;
  }

  // ---- File header.

  std::optional<size_t> file_kind(const Node& root) {
    if (doc_->roots().size() != 1) {
      error("knowledge.bad_type", "a knowledge file holds exactly one YAML document", root);
      return std::nullopt;
    }
    if (!expect(root, NodeKind::kMap, "a knowledge file")) return std::nullopt;
    std::optional<std::string> kind = string(root, "kind", "a knowledge file");
    if (!kind) return std::nullopt;
    auto it = std::find(kKinds.begin(), kKinds.end(), *kind);
    if (it == kKinds.end()) {
      std::string list;
      for (std::string_view k : kKinds) list += (list.empty() ? "" : ", ") + std::string(k);
      error("knowledge.bad_kind", "unknown kind '" + *kind + "' (expected one of: " + list + ")",
            *root.find("kind"));
      return std::nullopt;
    }
    std::optional<int64_t> format = integer(root, "format", "a knowledge file");
    if (!format) return std::nullopt;
    if (*format != 1) {
      error("knowledge.bad_format", "unsupported knowledge format " + std::to_string(*format) + " (this build reads 1)",
            *root.find("format"));
      return std::nullopt;
    }
    return static_cast<size_t>(it - kKinds.begin());
  }

  // ---- threats-2019

  void threats_2019(const Node& root) {
    check_keys(root, "the threats-2019 file",
               {"kind", "format", "edition", "released", "stages", "items", "threats"});
    std::set<int> stage_numbers;
    for (const Node& s : list(root, "stages", "the threats-2019 file")) {
      if (!check_keys(s, "a stage", {"stage", "name", "summary"})) continue;
      auto number = integer(s, "stage", "a stage");
      auto name = string(s, "name", "a stage");
      auto summary = string(s, "summary", "a stage");
      if (!number || !name || !summary) continue;
      if (!KnowledgeBase::is_valid_stage(static_cast<int>(*number))) {
        error("knowledge.bad_value", "stages are numbered 1 to 6", *s.find("stage"));
        continue;
      }
      if (!stage_numbers.insert(static_cast<int>(*number)).second) {
        error("knowledge.duplicate_id", "duplicate stage " + std::to_string(*number), *s.find("stage"));
        continue;
      }
      kb_.stages_.push_back(Stage{static_cast<int>(*number), *name, *summary});
    }
    std::sort(kb_.stages_.begin(), kb_.stages_.end(), [](const Stage& a, const Stage& b) { return a.number < b.number; });

    std::set<std::string, std::less<>> seen;
    for (const Node& it : list(root, "items", "the threats-2019 file")) {
      if (!check_keys(it, "a countermeasure item", {"id", "title"})) continue;
      auto id = string(it, "id", "a countermeasure item");
      auto title = string(it, "title", "a countermeasure item");
      if (!id || !title) continue;
      if (!is_slug(*id)) {
        error("knowledge.bad_id", "item id '" + *id + "' must be lower-case words joined by '-'", *it.find("id"));
        continue;
      }
      if (!unique(seen, *id, "item id", *it.find("id"))) continue;
      kb_.item_index_.emplace(*id, kb_.items_.size());
      kb_.items_.push_back(CountermeasureItem{*id, *title, doc_->location(it)});
    }

    seen.clear();
    for (const Node& t : list(root, "threats", "the threats-2019 file")) {
      if (!check_keys(t, "a threat", {"key", "slug", "name", "rank", "summary", "impact", "countermeasures"}))
        continue;
      Threat threat;
      auto key = string(t, "key", "a threat");
      auto slug = string(t, "slug", "a threat");
      auto name = string(t, "name", "a threat");
      auto rank = integer(t, "rank", "a threat");
      auto summary = string(t, "summary", "a threat");
      if (!key || !slug || !name || !rank || !summary) continue;
      if (!is_threat_key(*key)) {
        error("knowledge.bad_id", "threat key '" + *key + "' must look like T01", *t.find("key"));
        continue;
      }
      if (!is_slug(*slug)) {
        error("knowledge.bad_id", "threat slug '" + *slug + "' must be lower-case words joined by '-'",
              *t.find("slug"));
        continue;
      }
      if (!unique(seen, *key, "threat key", *t.find("key"))) continue;
      threat.key = *key;
      threat.slug = *slug;
      threat.name = *name;
      threat.rank = static_cast<int>(*rank);
      threat.summary = *summary;
      threat.impact = strings(t, "impact", "a threat");
      threat.location = doc_->location(t);
      std::set<std::string, std::less<>> cells;  // "stage/item"
      for (const Node& c : list(t, "countermeasures", "a threat")) {
        if (auto cm = countermeasure(c, cells)) threat.countermeasures.push_back(std::move(*cm));
      }
      std::stable_sort(threat.countermeasures.begin(), threat.countermeasures.end(),
                       [](const Countermeasure& a, const Countermeasure& b) { return a.stage < b.stage; });
      kb_.threat_index_.emplace(threat.key, kb_.threats_.size());
      kb_.threats_.push_back(std::move(threat));
    }
  }

  std::optional<Countermeasure> countermeasure(const Node& c, std::set<std::string, std::less<>>& cells) {
    if (!check_keys(c, "a countermeasure",
                    {"stage", "paper_stage", "item", "mode", "check", "rules", "detections"}))
      return std::nullopt;
    auto stage = integer(c, "stage", "a countermeasure");
    auto paper_stage = integer(c, "paper_stage", "a countermeasure", false);
    auto item = string(c, "item", "a countermeasure");
    auto mode = string(c, "mode", "a countermeasure");
    auto bits = checks(c);
    if (!stage || !item || !mode || !bits) return std::nullopt;
    if (!KnowledgeBase::is_valid_stage(static_cast<int>(*stage))) {
      error("knowledge.bad_value", "stage " + std::to_string(*stage) + " is not one of 1 to 6", *c.find("stage"));
      return std::nullopt;
    }
    if (paper_stage && (*paper_stage < 1 || *paper_stage > 99)) {
      error("knowledge.bad_value", "paper_stage must be a positive stage number", *c.find("paper_stage"));
      return std::nullopt;
    }
    if (kb_.item_index_.find(*item) == kb_.item_index_.end()) {
      error("knowledge.unknown_ref", "'" + *item + "' is not in the countermeasure items", *c.find("item"));
      return std::nullopt;
    }
    Countermeasure cm;
    if (*mode == "automated") {
      cm.mode = Mode::kAutomated;
    } else if (*mode == "organisational") {
      cm.mode = Mode::kOrganisational;
    } else {
      error("knowledge.bad_value", "mode is automated or organisational, not '" + *mode + "'", *c.find("mode"));
      return std::nullopt;
    }
    cm.rules = strings(c, "rules", "a countermeasure");
    cm.detections = strings(c, "detections", "a countermeasure");
    if (cm.mode == Mode::kAutomated && *bits == 0) {
      error("knowledge.mode_mismatch", "an automated countermeasure needs 'check' (CFG, LOG or SCAN)", c);
      return std::nullopt;
    }
    if (cm.mode == Mode::kOrganisational && (*bits != 0 || c.find("rules") || c.find("detections"))) {
      error("knowledge.mode_mismatch",
            "an organisational countermeasure is attested by a person; it takes no check, rules or detections", c);
      return std::nullopt;
    }
    cm.item = *item;
    cm.stage = static_cast<int>(*stage);
    cm.paper_stage = paper_stage ? static_cast<int>(*paper_stage) : cm.stage;
    cm.checks = *bits;
    cm.location = doc_->location(c);
    if (!unique(cells, std::to_string(cm.stage) + "/" + cm.item, "countermeasure (stage, item)", *c.find("item")))
      return std::nullopt;
    return cm;
  }

  // ---- threats-2024

  void threats_2024(const Node& root) {
    check_keys(root, "the threats-2024 file", {"kind", "format", "edition", "released", "threats", "crosswalk"});
    std::set<std::string, std::less<>> seen;
    for (const Node& t : list(root, "threats", "the threats-2024 file")) {
      if (!check_keys(t, "a 2024 threat", {"key", "rank", "rank_2022", "name", "confidence", "summary"})) continue;
      auto key = string(t, "key", "a 2024 threat");
      auto rank = integer(t, "rank", "a 2024 threat");
      auto rank_2022 = integer(t, "rank_2022", "a 2024 threat", false);
      auto name = string(t, "name", "a 2024 threat");
      auto confidence = string(t, "confidence", "a 2024 threat");
      auto summary = string(t, "summary", "a 2024 threat");
      if (!key || !rank || !name || !confidence || !summary) continue;
      if (!is_threat_2024_key(*key)) {
        error("knowledge.bad_id", "2024 threat key '" + *key + "' must look like TT-MISCONFIG", *t.find("key"));
        continue;
      }
      if (*confidence != "high" && *confidence != "medium" && *confidence != "low") {
        error("knowledge.bad_value", "confidence is high, medium or low, not '" + *confidence + "'",
              *t.find("confidence"));
        continue;
      }
      if (!unique(seen, *key, "2024 threat key", *t.find("key"))) continue;
      Threat2024 out{*key, static_cast<int>(*rank), std::nullopt, *name, *confidence, *summary, doc_->location(t)};
      if (rank_2022) out.rank_2022 = static_cast<int>(*rank_2022);
      kb_.threat_2024_index_.emplace(out.key, kb_.threats_2024_.size());
      kb_.threats_2024_.push_back(std::move(out));
    }
    std::set<std::string, std::less<>> links;
    for (const Node& l : list(root, "crosswalk", "the threats-2024 file")) {
      if (!check_keys(l, "a crosswalk link", {"from", "to", "relation"})) continue;
      auto from = string(l, "from", "a crosswalk link");
      auto to = string(l, "to", "a crosswalk link");
      auto relation = string(l, "relation", "a crosswalk link");
      if (!from || !to || !relation) continue;
      if (kb_.threat_index_.find(*from) == kb_.threat_index_.end()) {
        error("knowledge.unknown_ref", "'" + *from + "' is not a 2019 threat key", *l.find("from"));
        continue;
      }
      if (kb_.threat_2024_index_.find(*to) == kb_.threat_2024_index_.end()) {
        error("knowledge.unknown_ref", "'" + *to + "' is not a 2024 threat key", *l.find("to"));
        continue;
      }
      CrosswalkLink link{*from, *to, Relation::kDirect, doc_->location(l)};
      if (*relation == "direct") {
        link.relation = Relation::kDirect;
      } else if (*relation == "folded") {
        link.relation = Relation::kFolded;
      } else if (*relation == "analog") {
        link.relation = Relation::kAnalog;
      } else if (*relation == "closest") {
        link.relation = Relation::kClosest;
      } else {
        error("knowledge.bad_value", "relation is direct, folded, analog or closest, not '" + *relation + "'",
              *l.find("relation"));
        continue;
      }
      if (!unique(links, *from + ">" + *to, "crosswalk link", l)) continue;
      kb_.crosswalk_.push_back(std::move(link));
    }
  }

  // ---- ccm-v4

  void ccm(const Node& root) {
    check_keys(root, "the ccm-v4 file", {"kind", "format", "version", "domains"});
    std::set<std::string, std::less<>> codes, ids;
    for (const Node& d : list(root, "domains", "the ccm-v4 file")) {
      if (!check_keys(d, "a CCM domain", {"code", "name", "controls"})) continue;
      auto code = string(d, "code", "a CCM domain");
      auto name = string(d, "name", "a CCM domain");
      if (!code || !name) continue;
      if (!is_ccm_domain(*code)) {
        error("knowledge.bad_id", "CCM domain code '" + *code + "' must be 2-4 capitals such as IAM or A&A",
              *d.find("code"));
        continue;
      }
      if (!unique(codes, *code, "CCM domain", *d.find("code"))) continue;
      CcmDomain domain{*code, *name, {}};
      for (const Node& c : list(d, "controls", "a CCM domain")) {
        if (!check_keys(c, "a CCM control", {"id", "title", "lite", "ownership"})) continue;
        auto id = string(c, "id", "a CCM control");
        auto title = string(c, "title", "a CCM control");
        if (!id || !title) continue;
        std::string_view suffix = std::string_view(*id).substr(std::min(id->size(), code->size() + 1));
        if (id->size() != code->size() + 3 || id->compare(0, code->size(), *code) != 0 ||
            (*id)[code->size()] != '-' || !is_digit(suffix[0]) || !is_digit(suffix[1]) || suffix == "00") {
          error("knowledge.bad_id", "CCM control id '" + *id + "' must be " + *code + "-NN", *c.find("id"));
          continue;
        }
        if (!unique(ids, *id, "CCM control", *c.find("id"))) continue;
        CcmControl control{*id, *code, *title, false, {}, doc_->location(c)};
        if (auto lite = boolean(c, "lite", "a CCM control")) control.lite = *lite;
        if (const Node* own = c.find("ownership")) {
          if (!check_keys(*own, "'ownership'", {"iaas", "paas", "saas"})) continue;
          bool ok = true;
          auto read = [&](std::string_view model, std::optional<Owner>& out) {
            if (const Node* v = own->find(model)) {
              out = owner_value(*v, "ownership '" + std::string(model) + "'");
              ok = ok && out.has_value();
            }
          };
          read("iaas", control.ownership.iaas);
          read("paas", control.ownership.paas);
          read("saas", control.ownership.saas);
          if (!ok) continue;
        }
        domain.controls.push_back(control.id);
        kb_.ccm_index_.emplace(control.id, kb_.ccm_controls_.size());
        kb_.ccm_controls_.push_back(std::move(control));
      }
      kb_.ccm_domains_.push_back(std::move(domain));
    }
  }

  // ---- cis-aws-v7

  void cis(const Node& root) {
    check_keys(root, "the cis-aws-v7 file", {"kind", "format", "version", "sections", "recommendations"});
    std::set<std::string, std::less<>> seen;
    for (const Node& s : list(root, "sections", "the cis-aws-v7 file")) {
      if (!check_keys(s, "a CIS section", {"id", "title"})) continue;
      auto id = string(s, "id", "a CIS section");
      auto title = string(s, "title", "a CIS section");
      if (!id || !title) continue;
      if (!is_cis_id(*id)) {
        error("knowledge.bad_id", "CIS section id '" + *id + "' must be dotted numbers such as 2.1", *s.find("id"));
        continue;
      }
      if (!unique(seen, *id, "CIS section", *s.find("id"))) continue;
      kb_.cis_sections_.push_back(CisSection{*id, *title});
    }
    seen.clear();
    for (const Node& r : list(root, "recommendations", "the cis-aws-v7 file")) {
      if (!check_keys(r, "a CIS recommendation", {"id", "title", "level", "assessment"})) continue;
      auto id = string(r, "id", "a CIS recommendation");
      auto title = string(r, "title", "a CIS recommendation");
      auto level = integer(r, "level", "a CIS recommendation");
      auto assessment = string(r, "assessment", "a CIS recommendation");
      if (!id || !title || !level || !assessment) continue;
      if (!is_cis_id(*id) || id->find('.') == std::string::npos) {
        error("knowledge.bad_id", "CIS recommendation id '" + *id + "' must be dotted numbers such as 3.1.4",
              *r.find("id"));
        continue;
      }
      if (*level != 1 && *level != 2) {
        error("knowledge.bad_value", "level is 1 or 2", *r.find("level"));
        continue;
      }
      if (*assessment != "automated" && *assessment != "manual") {
        error("knowledge.bad_value", "assessment is automated or manual, not '" + *assessment + "'",
              *r.find("assessment"));
        continue;
      }
      // The most specific section whose id is a dotted prefix of the recommendation's.
      std::string section;
      for (const CisSection& s : kb_.cis_sections_) {
        if (id->size() > s.id.size() && id->compare(0, s.id.size(), s.id) == 0 && (*id)[s.id.size()] == '.' &&
            s.id.size() > section.size())
          section = s.id;
      }
      if (section.empty()) {
        error("knowledge.unknown_ref", "no section holds CIS recommendation '" + *id + "'", *r.find("id"));
        continue;
      }
      if (!unique(seen, *id, "CIS recommendation", *r.find("id"))) continue;
      kb_.cis_index_.emplace(*id, kb_.cis_.size());
      kb_.cis_.push_back(CisRecommendation{*id, section, *title, static_cast<int>(*level),
                                           *assessment == "automated", doc_->location(r)});
    }
  }

  // ---- guidance-v5

  void guidance(const Node& root) {
    check_keys(root, "the guidance-v5 file", {"kind", "format", "version", "domains"});
    std::set<std::string, std::less<>> seen;
    for (const Node& d : list(root, "domains", "the guidance-v5 file")) {
      if (!check_keys(d, "a guidance domain", {"number", "name", "summary"})) continue;
      auto number = integer(d, "number", "a guidance domain");
      auto name = string(d, "name", "a guidance domain");
      auto summary = string(d, "summary", "a guidance domain");
      if (!number || !name || !summary) continue;
      if (*number < 1 || *number > 99) {
        error("knowledge.bad_id", "guidance domains are numbered from 1", *d.find("number"));
        continue;
      }
      if (!unique(seen, std::to_string(*number), "guidance domain", *d.find("number"))) continue;
      kb_.guidance_.push_back(GuidanceDomain{static_cast<int>(*number), *name, *summary});
    }
    std::sort(kb_.guidance_.begin(), kb_.guidance_.end(),
              [](const GuidanceDomain& a, const GuidanceDomain& b) { return a.number < b.number; });
  }

  // ---- service-models

  std::optional<bool> basis(const Node& map, std::string_view what) {
    auto b = string(map, "basis", what);
    if (!b) return std::nullopt;
    if (*b != "csa" && *b != "synthesis") {
      error("knowledge.bad_value", "basis is csa or synthesis, not '" + *b + "'", *map.find("basis"));
      return std::nullopt;
    }
    return *b == "synthesis";
  }

  void service_models(const Node& root) {
    check_keys(root, "the service-models file", {"kind", "format", "models", "layers", "resource_types"});
    std::set<std::string, std::less<>> seen;
    for (const Node& m : list(root, "models", "the service-models file")) {
      if (!check_keys(m, "a service model", {"id", "name", "basis", "summary"})) continue;
      auto id = string(m, "id", "a service model");
      auto name = string(m, "name", "a service model");
      auto synthesis = basis(m, "a service model");
      auto summary = string(m, "summary", "a service model");
      if (!id || !name || !synthesis || !summary) continue;
      if (!is_slug(*id)) {
        error("knowledge.bad_id", "service model id '" + *id + "' must be lower-case words joined by '-'",
              *m.find("id"));
        continue;
      }
      if (!unique(seen, *id, "service model", *m.find("id"))) continue;
      kb_.model_index_.emplace(*id, kb_.models_.size());
      kb_.models_.push_back(ServiceModel{*id, *name, *summary, *synthesis});
    }

    seen.clear();
    for (const Node& l : list(root, "layers", "the service-models file")) {
      if (!check_keys(l, "a layer", {"id", "name", "basis", "owners", "notes", "ccm", "detections"})) continue;
      auto id = string(l, "id", "a layer");
      auto name = string(l, "name", "a layer");
      auto synthesis = basis(l, "a layer");
      const Node* owners = field(l, "owners", "a layer", true);
      if (!id || !name || !synthesis || owners == nullptr || !expect(*owners, NodeKind::kMap, "'owners'")) continue;
      if (!is_slug(*id)) {
        error("knowledge.bad_id", "layer id '" + *id + "' must be lower-case words joined by '-'", *l.find("id"));
        continue;
      }
      if (!unique(seen, *id, "layer", *l.find("id"))) continue;
      Layer layer{*id, *name, *synthesis, {}, {}, {}, {}};
      std::vector<std::optional<Owner>> by_model(kb_.models_.size());
      bool ok = true;
      for (const formats::Member& m : owners->members()) {
        if (!expect(m.key, NodeKind::kString, "a model in 'owners'")) {
          ok = false;
          continue;
        }
        auto it = kb_.model_index_.find(m.key.as_string());
        if (it == kb_.model_index_.end()) {
          error("knowledge.unknown_ref", "'" + std::string(m.key.as_string()) + "' is not a service model", m.key);
          ok = false;
          continue;
        }
        by_model[it->second] = owner_value(m.value, "the owner");
        ok = ok && by_model[it->second].has_value();
      }
      if (!ok) continue;
      for (size_t i = 0; i < by_model.size(); ++i) {
        if (!by_model[i]) {
          error("knowledge.missing_owner",
                "layer '" + *id + "' names no owner for service model '" + kb_.models_[i].id + "'", *owners);
          ok = false;
          continue;
        }
        layer.owners.push_back(*by_model[i]);
      }
      if (!ok) continue;
      if (const Node* notes = l.find("notes"); notes && expect(*notes, NodeKind::kMap, "'notes'")) {
        for (const formats::Member& m : notes->members()) {
          if (!expect(m.key, NodeKind::kString, "a model in 'notes'") ||
              !expect(m.value, NodeKind::kString, "a note"))
            continue;
          if (kb_.model_index_.find(m.key.as_string()) == kb_.model_index_.end()) {
            error("knowledge.unknown_ref", "'" + std::string(m.key.as_string()) + "' is not a service model", m.key);
            continue;
          }
          layer.notes.emplace(std::string(m.key.as_string()), std::string(m.value.as_string()));
        }
      }
      // CCM domain codes or control IDs; checked only when the CCM file loaded (a missing
      // file is reported once, as knowledge.missing_file).
      std::vector<std::string> ccm = strings(l, "ccm", "a layer");
      for (size_t i = 0; i < ccm.size(); ++i) {
        const std::string& c = ccm[i];
        bool is_domain = std::any_of(kb_.ccm_domains_.begin(), kb_.ccm_domains_.end(),
                                     [&](const CcmDomain& d) { return d.code == c; });
        if (!kb_.ccm_domains_.empty() && !is_domain && kb_.ccm_index_.find(c) == kb_.ccm_index_.end()) {
          const Node* list_node = l.find("ccm");
          const Node& at = i < list_node->items().size() ? list_node->items()[i] : *list_node;
          error("knowledge.unknown_ref", "'" + c + "' is neither a CCM v4 domain code nor a control ID", at);
          continue;
        }
        layer.ccm.push_back(c);
      }
      layer.detections = strings(l, "detections", "a layer");
      kb_.layer_index_.emplace(layer.id, kb_.layers_.size());
      kb_.layers_.push_back(std::move(layer));
    }

    seen.clear();
    for (const Node& t : list(root, "resource_types", "the service-models file")) {
      if (!check_keys(t, "a resource type", {"type", "model", "category", "plane"})) continue;
      auto type = string(t, "type", "a resource type");
      auto model = string(t, "model", "a resource type");
      auto category = string(t, "category", "a resource type");
      auto plane = string(t, "plane", "a resource type", false);
      if (!type || !model || !category) continue;
      TypeClass tc;
      std::string_view name = *type;
      if (size_t star = name.find('*'); star != std::string_view::npos) {
        if (star + 1 != name.size() || star == 0 || !is_type_name(name.substr(0, star))) {
          error("knowledge.bad_glob", "a type glob is a type-name prefix followed by one '*' at the end, not '" +
                                          *type + "'",
                *t.find("type"));
          continue;
        }
        tc.glob = true;
        name = name.substr(0, star);
      } else if (!is_type_name(name)) {
        error("knowledge.bad_id", "resource type '" + *type + "' must be a lower-case snake_case type name",
              *t.find("type"));
        continue;
      }
      if (kb_.model_index_.find(*model) == kb_.model_index_.end()) {
        error("knowledge.unknown_ref", "'" + *model + "' is not a service model", *t.find("model"));
        continue;
      }
      if (!is_slug(*category)) {
        error("knowledge.bad_value", "category '" + *category + "' must be lower-case words joined by '-'",
              *t.find("category"));
        continue;
      }
      if (plane && *plane != "data" && *plane != "control") {
        error("knowledge.bad_value", "plane is data or control, not '" + *plane + "'", *t.find("plane"));
        continue;
      }
      if (!unique(seen, *type, "resource type", *t.find("type"))) continue;
      tc.pattern = std::string(name);
      tc.model = *model;
      tc.category = *category;
      tc.control_plane = plane && *plane == "control";
      tc.location = doc_->location(t);
      kb_.types_.push_back(std::move(tc));
    }
  }

  // ---- saas-provider-checklist

  void checklist(const Node& root) {
    check_keys(root, "the saas-provider-checklist file", {"kind", "format", "areas"});
    std::set<std::string, std::less<>> areas, items;
    for (const Node& a : list(root, "areas", "the saas-provider-checklist file")) {
      if (!check_keys(a, "a checklist area", {"id", "title", "items"})) continue;
      auto id = string(a, "id", "a checklist area");
      auto title = string(a, "title", "a checklist area");
      if (!id || !title) continue;
      if (!is_slug(*id)) {
        error("knowledge.bad_id", "area id '" + *id + "' must be lower-case words joined by '-'", *a.find("id"));
        continue;
      }
      if (!unique(areas, *id, "checklist area", *a.find("id"))) continue;
      kb_.areas_.push_back(ChecklistArea{*id, *title});
      for (const Node& i : list(a, "items", "a checklist area")) {
        if (!check_keys(i, "a checklist item", {"id", "title", "check"})) continue;
        auto item_id = string(i, "id", "a checklist item");
        auto item_title = string(i, "title", "a checklist item");
        auto bits = checks(i);
        if (!item_id || !item_title || !bits) continue;
        if (!is_slug(*item_id)) {
          error("knowledge.bad_id", "item id '" + *item_id + "' must be lower-case words joined by '-'",
                *i.find("id"));
          continue;
        }
        if (!unique(items, *item_id, "checklist item", *i.find("id"))) continue;
        kb_.checklist_.push_back(ChecklistItem{*item_id, *id, *item_title, *bits, doc_->location(i)});
      }
    }
  }

  // ---- Indexes that need everything loaded.

  void finish() {
    for (size_t i = 0; i < kb_.types_.size(); ++i) {
      if (kb_.types_[i].glob) {
        kb_.glob_order_.push_back(i);
      } else {
        kb_.exact_type_index_.emplace(kb_.types_[i].pattern, i);
      }
    }
    std::stable_sort(kb_.glob_order_.begin(), kb_.glob_order_.end(), [this](size_t a, size_t b) {
      return kb_.types_[a].pattern.size() > kb_.types_[b].pattern.size();
    });
  }
};

KnowledgeBase KnowledgeBase::load(std::span<const SourceFile> files, core::Diagnostics& diags) {
  KnowledgeBase kb;
  Loader(kb, diags).load(files);
  return kb;
}

}  // namespace sekimori::knowledge
