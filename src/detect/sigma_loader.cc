// Loads Sigma YAML documents into the Rule model (structure only; compile.cc checks
// modifiers and values).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "detect/sigma.h"
#include "formats/document.h"
#include "formats/snapshot.h"

namespace sekimori::detect {

const char* correlation_type_name(CorrelationType t) {
  switch (t) {
    case CorrelationType::kEventCount: return "event_count";
    case CorrelationType::kValueCount: return "value_count";
    case CorrelationType::kTemporal: return "temporal";
    case CorrelationType::kTemporalOrdered: return "temporal_ordered";
    case CorrelationType::kValueSum: return "value_sum";
    case CorrelationType::kValueAvg: return "value_avg";
    case CorrelationType::kValuePercentile: return "value_percentile";
  }
  return "?";
}

namespace {

using formats::Node;
using formats::NodeKind;

class DocLoader {
 public:
  DocLoader(const formats::Document& doc, const RuleLimits& limits, core::Diagnostics& diags)
      : doc_(doc), limits_(limits), diags_(diags) {}

  void error(const Node& at, std::string code, std::string message) {
    core::Location loc = doc_.location(at);
    diags_.add(core::Severity::kError, std::move(code), std::move(message), loc,
               core::make_snippet(doc_.text(), loc.line, loc.column));
    failed_ = true;
  }
  void warn(const Node& at, std::string code, std::string message) {
    core::Location loc = doc_.location(at);
    diags_.add(core::Severity::kWarning, std::move(code), std::move(message), loc,
               core::make_snippet(doc_.text(), loc.line, loc.column));
  }

  // Reads a document with `global` (may be null) providing defaults.
  std::optional<Rule> load(const Node& root, const Node* global) {
    failed_ = false;
    values_ = 0;
    Rule r;
    r.location = doc_.location(root);
    auto get = [&](std::string_view key) -> const Node* {
      if (const Node* n = root.find(key)) return n;
      return global ? global->find(key) : nullptr;
    };
    const Node* correlation = get("correlation");
    const Node* filter = get("filter");
    const Node* detection = get("detection");
    int kinds = (correlation != nullptr) + (filter != nullptr) + (detection != nullptr);
    if (kinds == 0) {
      error(root, "sigma.missing_detection", "document has none of 'detection', 'correlation' or 'filter'");
      return std::nullopt;
    }
    if (kinds > 1) {
      error(root, "sigma.ambiguous_kind", "a document must have exactly one of 'detection', 'correlation', 'filter'");
      return std::nullopt;
    }
    r.kind = correlation ? RuleKind::kCorrelation : filter ? RuleKind::kFilter : RuleKind::kDetection;

    read_string(get("title"), r.title, "title");
    if (r.title.empty()) error(root, "sigma.missing_title", "'title' is required");
    else if (r.title.size() > 256) warn(*get("title"), "sigma.title_length", "title longer than 256 characters");
    read_string(get("id"), r.id, "id");
    if (!r.id.empty() && !looks_like_uuid(r.id)) warn(*get("id"), "sigma.id_format", "id is not a UUID");
    read_string(get("name"), r.name, "name");
    read_string(get("description"), r.description, "description");
    read_string(get("status"), r.status, "status");
    static constexpr std::string_view kStatuses[] = {"stable", "test", "experimental", "deprecated", "unsupported"};
    if (!r.status.empty() && std::find(std::begin(kStatuses), std::end(kStatuses), r.status) == std::end(kStatuses)) {
      warn(*get("status"), "sigma.status", "unknown status '" + r.status + "'");
    }
    read_string(get("level"), r.level, "level");
    static constexpr std::string_view kLevels[] = {"informational", "low", "medium", "high", "critical"};
    if (!r.level.empty() && std::find(std::begin(kLevels), std::end(kLevels), r.level) == std::end(kLevels)) {
      error(*get("level"), "sigma.level", "level must be informational, low, medium, high or critical");
    }
    read_string(get("author"), r.author, "author");
    read_string(get("date"), r.date, "date");
    read_string(get("modified"), r.modified, "modified");
    read_string_list(get("tags"), r.tags, "tags");
    read_string_list(get("references"), r.references, "references");
    read_string_list(get("falsepositives"), r.falsepositives, "falsepositives");
    if (const Node* ls = get("logsource")) {
      if (ls->kind() != NodeKind::kMap) {
        error(*ls, "sigma.type", "'logsource' must be a map");
      } else {
        read_string(ls->find("product"), r.product, "logsource.product");
        read_string(ls->find("service"), r.service, "logsource.service");
        read_string(ls->find("category"), r.category, "logsource.category");
      }
    } else if (r.kind == RuleKind::kDetection) {
      error(root, "sigma.missing_logsource", "'logsource' is required");
    }

    if (r.kind == RuleKind::kDetection) {
      load_detection(*detection, global && root.find("detection") && global->find("detection")
                                     ? global->find("detection") : nullptr, r);
    } else if (r.kind == RuleKind::kFilter) {
      load_filter(*filter, r);
    } else {
      load_correlation(*correlation, r);
      if (const Node* g = get("generate")) {
        if (g->kind() != NodeKind::kBool) error(*g, "sigma.type", "'generate' must be true or false");
        else r.correlation.generate = g->as_bool();
      }
    }
    if (failed_) return std::nullopt;
    return r;
  }

 private:
  static bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
  }

  bool scalar_text(const Node& n, std::string& out) {
    switch (n.kind()) {
      case NodeKind::kString: out = std::string(n.as_string()); return true;
      case NodeKind::kInt: out = std::to_string(n.as_int()); return true;
      case NodeKind::kUint: out = std::to_string(n.as_uint()); return true;
      case NodeKind::kDouble: out = raw_number(n); return true;
      case NodeKind::kBool: out = n.as_bool() ? "true" : "false"; return true;
      default: return false;
    }
  }

  // The number as written in the source (YAML "1.10" must not become "1.1").
  std::string raw_number(const Node& n) {
    std::string_view text = doc_.text();
    uint64_t off = n.pos().offset;
    size_t end = off;
    while (end < text.size() && std::string_view("0123456789+-.eE_xXoabcdefABCDEFinINfaAn").find(text[end]) != std::string_view::npos) ++end;
    if (off < text.size() && end > off) return std::string(text.substr(off, end - off));
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, n.as_double());
    return std::string(buf, res.ptr);
  }

  void read_string(const Node* n, std::string& out, std::string_view what) {
    if (!n || n->is_null()) return;
    if (!n->is_scalar() || !scalar_text(*n, out)) error(*n, "sigma.type", "'" + std::string(what) + "' must be a string");
  }

  void read_string_list(const Node* n, std::vector<std::string>& out, std::string_view what) {
    if (!n || n->is_null()) return;
    if (n->kind() != NodeKind::kList) {
      std::string s;
      if (n->is_scalar() && scalar_text(*n, s)) {
        out.push_back(std::move(s));
        return;
      }
      error(*n, "sigma.type", "'" + std::string(what) + "' must be a list of strings");
      return;
    }
    for (const Node& item : n->items()) {
      std::string s;
      if (!item.is_scalar() || !scalar_text(item, s)) {
        error(item, "sigma.type", "'" + std::string(what) + "' must be a list of strings");
        continue;
      }
      out.push_back(std::move(s));
    }
  }

  bool read_value(const Node& n, SigmaValue& v) {
    v.location = doc_.location(n);
    if (++values_ > limits_.max_values) {
      if (values_ == limits_.max_values + 1) {
        error(n, "sigma.limit.values", "rule has more than " + std::to_string(limits_.max_values) + " values");
      }
      return false;
    }
    switch (n.kind()) {
      case NodeKind::kString: v.type = SigmaValue::Type::kString; v.text = std::string(n.as_string()); return true;
      case NodeKind::kInt: v.type = SigmaValue::Type::kInt; v.number = static_cast<double>(n.as_int()); v.text = std::to_string(n.as_int()); return true;
      case NodeKind::kUint: v.type = SigmaValue::Type::kInt; v.number = static_cast<double>(n.as_uint()); v.text = std::to_string(n.as_uint()); return true;
      case NodeKind::kDouble: v.type = SigmaValue::Type::kDouble; v.number = n.as_double(); v.text = raw_number(n); return true;
      case NodeKind::kBool: v.type = SigmaValue::Type::kBool; v.boolean = n.as_bool(); v.text = v.boolean ? "true" : "false"; return true;
      case NodeKind::kNull: v.type = SigmaValue::Type::kNull; return true;
      default:
        error(n, "sigma.value_type", std::string("a detection value must be a scalar, not a ") + formats::kind_name(n.kind()));
        return false;
    }
  }

  bool load_map_items(const Node& map, std::vector<DetectionItem>& out) {
    for (const formats::Member& m : map.members()) {
      DetectionItem item;
      item.location = doc_.location(m.key);
      std::string key;
      if (!m.key.is_scalar() || !scalar_text(m.key, key)) {
        error(m.key, "sigma.type", "a field name must be a string");
        return false;
      }
      size_t bar = key.find('|');
      item.field = key.substr(0, bar);
      while (bar != std::string::npos) {
        size_t next = key.find('|', bar + 1);
        item.modifiers.push_back(key.substr(bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1));
        bar = next;
      }
      item.keyword = item.field.empty();
      if (m.value.kind() == NodeKind::kList) {
        if (m.value.size() == 0) {
          error(m.value, "sigma.empty_values", "'" + key + "' has an empty list of values");
          return false;
        }
        for (const Node& v : m.value.items()) {
          SigmaValue sv;
          if (!read_value(v, sv)) return false;
          item.values.push_back(std::move(sv));
        }
      } else {
        SigmaValue sv;
        if (!read_value(m.value, sv)) return false;
        item.values.push_back(std::move(sv));
      }
      out.push_back(std::move(item));
    }
    return true;
  }

  void load_selection(const Node& name_node, const Node& value, Rule& r) {
    Selection sel;
    if (!scalar_text(name_node, sel.name)) {
      error(name_node, "sigma.type", "a selection name must be a string");
      return;
    }
    sel.location = doc_.location(name_node);
    if (value.kind() == NodeKind::kMap) {
      if (value.size() == 0) {
        error(value, "sigma.empty_selection", "selection '" + sel.name + "' is empty");
        return;
      }
      sel.alternatives.emplace_back();
      if (!load_map_items(value, sel.alternatives.back())) return;
    } else if (value.kind() == NodeKind::kList) {
      if (value.size() == 0) {
        error(value, "sigma.empty_selection", "selection '" + sel.name + "' is empty");
        return;
      }
      bool maps = value.items()[0].kind() == NodeKind::kMap;
      DetectionItem keywords;
      keywords.keyword = true;
      keywords.location = doc_.location(value);
      for (const Node& item : value.items()) {
        if ((item.kind() == NodeKind::kMap) != maps) {
          error(item, "sigma.mixed_selection", "a selection list must hold only maps or only plain values");
          return;
        }
        if (maps) {
          sel.alternatives.emplace_back();
          if (!load_map_items(item, sel.alternatives.back())) return;
        } else {
          SigmaValue sv;
          if (!read_value(item, sv)) return;
          keywords.values.push_back(std::move(sv));
        }
      }
      if (!maps) sel.alternatives.push_back({std::move(keywords)});
    } else if (value.is_scalar() && !value.is_null()) {
      DetectionItem kw;
      kw.keyword = true;
      kw.location = doc_.location(value);
      SigmaValue sv;
      if (!read_value(value, sv)) return;
      kw.values.push_back(std::move(sv));
      sel.alternatives.push_back({std::move(kw)});
    } else {
      error(value, "sigma.type", "selection '" + sel.name + "' must be a map, a list or a keyword");
      return;
    }
    r.selections.push_back(std::move(sel));
  }

  void load_detection(const Node& det, const Node* global_det, Rule& r) {
    if (det.kind() != NodeKind::kMap) {
      error(det, "sigma.type", "'detection' must be a map");
      return;
    }
    const Node* cond = det.find("condition");
    if (!cond && global_det) cond = global_det->find("condition");
    auto add_selections = [&](const Node& d) {
      for (const formats::Member& m : d.members()) {
        if (m.key.kind() == NodeKind::kString && (m.key.as_string() == "condition")) continue;
        if (m.key.kind() == NodeKind::kString && m.key.as_string() == "timeframe") {
          warn(m.key, "sigma.timeframe", "'timeframe' only applies to obsolete pipe aggregations and is ignored; use a correlation rule");
          continue;
        }
        load_selection(m.key, m.value, r);
      }
    };
    if (global_det && global_det->kind() == NodeKind::kMap) add_selections(*global_det);
    add_selections(det);
    if (!cond) {
      error(det, "sigma.missing_condition", "'detection' has no 'condition'");
      return;
    }
    auto add_cond = [&](const Node& c) {
      if (c.kind() != NodeKind::kString) {
        error(c, "sigma.type", "a condition must be a string");
        return;
      }
      r.conditions.push_back({std::string(c.as_string()), doc_.location(c)});
    };
    if (cond->kind() == NodeKind::kList) {
      if (cond->size() == 0) error(*cond, "sigma.missing_condition", "'condition' is an empty list");
      for (const Node& c : cond->items()) add_cond(c);
    } else {
      add_cond(*cond);
    }
  }

  void load_filter(const Node& f, Rule& r) {
    if (f.kind() != NodeKind::kMap) {
      error(f, "sigma.type", "'filter' must be a map");
      return;
    }
    const Node* rules = f.find("rules");
    if (!rules) error(f, "sigma.filter.rules", "a filter needs 'rules' (the rule ids or names it applies to)");
    else read_string_list(rules, r.filter_rules, "filter.rules");
    const Node* cond = f.find("condition");
    for (const formats::Member& m : f.members()) {
      if (m.key.kind() == NodeKind::kString && (m.key.as_string() == "rules" || m.key.as_string() == "condition")) continue;
      load_selection(m.key, m.value, r);
    }
    if (!cond || cond->kind() != NodeKind::kString) {
      error(cond ? *cond : f, "sigma.missing_condition", "a filter needs a 'condition' string");
      return;
    }
    r.conditions.push_back({std::string(cond->as_string()), doc_.location(*cond)});
  }

  void load_correlation(const Node& c, Rule& r) {
    Correlation& corr = r.correlation;
    if (c.kind() != NodeKind::kMap) {
      error(c, "sigma.type", "'correlation' must be a map");
      return;
    }
    std::string type;
    read_string(c.find("type"), type, "correlation.type");
    static const std::pair<std::string_view, CorrelationType> kTypes[] = {
        {"event_count", CorrelationType::kEventCount}, {"value_count", CorrelationType::kValueCount},
        {"temporal", CorrelationType::kTemporal}, {"temporal_ordered", CorrelationType::kTemporalOrdered},
        {"value_sum", CorrelationType::kValueSum}, {"value_avg", CorrelationType::kValueAvg},
        {"value_percentile", CorrelationType::kValuePercentile}};
    bool known = false;
    for (const auto& [n, t] : kTypes) {
      if (n == type) {
        corr.type = t;
        known = true;
      }
    }
    if (!known) {
      error(c.find("type") ? *c.find("type") : c, "sigma.correlation.type",
            type.empty() ? "correlation needs a 'type'" : "unknown correlation type '" + type + "'");
      return;
    }
    read_string_list(c.find("rules"), corr.rules, "correlation.rules");
    if (corr.rules.empty()) error(c, "sigma.correlation.rules", "correlation needs 'rules'");
    read_string_list(c.find("group-by"), corr.group_by, "correlation.group-by");
    std::string span;
    read_string(c.find("timespan"), span, "correlation.timespan");
    if (span.empty()) {
      error(c, "sigma.correlation.timespan", "correlation needs a 'timespan' (e.g. 5m)");
    } else if (auto ms = parse_timespan_ms(span)) {
      corr.timespan_ms = *ms;
    } else {
      error(*c.find("timespan"), "sigma.correlation.timespan", "timespan must be a number and one of s, m, h, d, w, M, y (e.g. 90m)");
    }
    bool temporal = corr.type == CorrelationType::kTemporal || corr.type == CorrelationType::kTemporalOrdered;
    bool needs_field = corr.type != CorrelationType::kEventCount && !temporal;
    if (const Node* cond = c.find("condition")) {
      if (cond->kind() == NodeKind::kString && temporal) {
        corr.condition.expression = std::string(cond->as_string());
      } else if (cond->kind() == NodeKind::kMap) {
        for (const formats::Member& m : cond->members()) {
          std::string key;
          scalar_text(m.key, key);
          if (key == "field") {
            read_string(&m.value, corr.condition.field, "condition.field");
            continue;
          }
          if (m.value.kind() != NodeKind::kInt && m.value.kind() != NodeKind::kDouble && m.value.kind() != NodeKind::kUint) {
            error(m.value, "sigma.correlation.condition", "'" + key + "' needs a number");
            continue;
          }
          double v = m.value.kind() == NodeKind::kInt ? static_cast<double>(m.value.as_int())
                     : m.value.kind() == NodeKind::kUint ? static_cast<double>(m.value.as_uint()) : m.value.as_double();
          if (key == "gt") corr.condition.gt = v;
          else if (key == "gte") corr.condition.gte = v;
          else if (key == "lt") corr.condition.lt = v;
          else if (key == "lte") corr.condition.lte = v;
          else if (key == "eq") corr.condition.eq = v;
          else error(m.key, "sigma.correlation.condition", "unknown condition operator '" + key + "' (gt, gte, lt, lte, eq, field)");
        }
        if (!corr.condition.has_bounds()) error(*cond, "sigma.correlation.condition", "condition needs one of gt, gte, lt, lte, eq");
      } else {
        error(*cond, "sigma.correlation.condition", temporal ? "condition must be a map or a boolean expression"
                                                             : "condition must be a map such as {gte: 10}");
      }
    } else if (!temporal) {
      error(c, "sigma.correlation.condition", "this correlation type needs a 'condition'");
    }
    if (needs_field && corr.condition.field.empty()) {
      error(c.find("condition") ? *c.find("condition") : c, "sigma.correlation.field",
            std::string(correlation_type_name(corr.type)) + " needs 'field' in its condition");
    }
    if (const Node* al = c.find("aliases")) {
      if (al->kind() != NodeKind::kMap) {
        error(*al, "sigma.type", "'aliases' must be a map");
      } else {
        for (const formats::Member& m : al->members()) {
          std::string alias;
          scalar_text(m.key, alias);
          if (m.value.kind() != NodeKind::kMap) {
            error(m.value, "sigma.type", "alias '" + alias + "' must map rule names to fields");
            continue;
          }
          for (const formats::Member& rm : m.value.members()) {
            std::string rule, field;
            scalar_text(rm.key, rule);
            read_string(&rm.value, field, "alias field");
            corr.aliases[alias][rule] = field;
          }
        }
      }
    }
    if (const Node* g = c.find("generate")) {
      if (g->kind() != NodeKind::kBool) error(*g, "sigma.type", "'generate' must be true or false");
      else corr.generate = g->as_bool();
    }
  }

  const formats::Document& doc_;
  const RuleLimits& limits_;
  core::Diagnostics& diags_;
  bool failed_ = false;
  uint32_t values_ = 0;
};

}  // namespace

void RuleSet::add_text(const std::string& path, std::string text, core::Diagnostics& diags,
                       std::string_view origin, std::string_view snapshot) {
  if (const std::string* first = texts_.first_path(text, origin.empty() ? std::string_view(path) : origin)) {
    diags.add(core::Severity::kNote, "sigma.same_text",
              "the same text as " + *first + ", which is already loaded; not loaded again", core::Location{path});
    return;
  }
  load_text(path, std::move(text), diags, snapshot);
}

void RuleSet::load_text(const std::string& path, std::string text, core::Diagnostics& diags,
                        std::string_view snapshot) {
  if (text.size() > limits_.max_file_bytes) {
    diags.add(core::Severity::kError, "sigma.limit.file_size",
              "rule file larger than " + std::to_string(limits_.max_file_bytes) + " bytes", core::Location{path});
    return;
  }
  formats::Limits fl;
  fl.max_bytes = limits_.max_file_bytes;
  fl.max_depth = limits_.max_yaml_depth;
  fl.max_documents = limits_.max_documents;
  fl.max_nodes = 1'000'000;
  auto doc = formats::load_yaml_or_snapshot(path, std::move(text), snapshot, fl, diags);
  if (!doc.ok()) {
    diags.add_error(doc.error());
    return;
  }
  DocLoader loader(*doc, limits_, diags);
  const formats::Node* global = nullptr;
  for (const formats::Node& root : doc->roots()) {
    if (root.is_null()) continue;
    if (root.kind() != formats::NodeKind::kMap) {
      loader.error(root, "sigma.type", "a Sigma document must be a map");
      continue;
    }
    if (const formats::Node* action = root.find("action")) {
      std::string_view a = action->kind() == formats::NodeKind::kString ? action->as_string() : "";
      if (a == "global") {
        global = &root;
        continue;
      }
      if (a == "reset") {
        global = nullptr;
        continue;
      }
      loader.error(*action, "sigma.action", "unsupported action '" + std::string(a) +
                                                "' (global and reset are supported; write repeat documents out)");
      continue;
    }
    if (auto rule = loader.load(root, global)) rules_.push_back(std::move(*rule));
  }
}

void RuleSet::add_path(const std::string& path, core::Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      if (ext == ".yml" || ext == ".yaml") files.push_back(it->path().string());
    }
    if (ec) diags.add(core::Severity::kError, "sigma.io", "cannot list directory: " + ec.message(), core::Location{path});
    std::sort(files.begin(), files.end());
    size_t same = 0;      // files with a text already loaded
    std::string example;  // the first of them
    for (const std::string& f : files) {
      std::string text;
      if (!read_file(f, text, diags)) continue;
      if (const std::string* first = texts_.first_path(text, f)) {
        if (same++ == 0) example = f + " is " + *first;
        continue;
      }
      load_text(f, std::move(text), diags, {});
    }
    if (same > 0) {
      diags.add(core::Severity::kNote, "sigma.same_text",
                std::to_string(same) + " rule file(s) under '" + path +
                    "' have the same text as rules already loaded and were not loaded again (" + example + ")",
                core::Location{path});
    }
    return;
  }
  std::string text;
  if (read_file(path, text, diags)) add_text(path, std::move(text), diags);
}

bool RuleSet::read_file(const std::string& path, std::string& text, core::Diagnostics& diags) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.add(core::Severity::kError, "sigma.io", "cannot read rule file", core::Location{path});
    return false;
  }
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > limits_.max_file_bytes) break;
  }
  return true;
}

std::optional<int64_t> parse_timespan_ms(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size() - 1 || n <= 0 || n > 100'000'000)
    return std::nullopt;
  switch (s.back()) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60'000;
    case 'h':
      return n * 3'600'000;
    case 'd':
      return n * 86'400'000;
    case 'w':
      return n * 7 * 86'400'000;
    case 'M':
      return n * 30 * 86'400'000;
    case 'y':
      return n * 365 * 86'400'000;
    default:
      return std::nullopt;
  }
}

}  // namespace sekimori::detect
