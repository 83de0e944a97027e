// The rule-file schema check and compiler (schema: docs/formats/rules.md).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "cel/parser.h"
#include "cel/program.h"
#include "formats/document.h"
#include "formats/snapshot.h"
#include "policy/exceptions.h"
#include "policy/internal/compiled_rule.h"
#include "policy/rule.h"

namespace sekimori::policy {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kHigh:
      return "high";
    case Severity::kMedium:
      return "medium";
    case Severity::kLow:
      return "low";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

std::optional<Severity> severity_by_name(std::string_view name) {
  for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    if (name == severity_name(s)) return s;
  }
  return std::nullopt;
}

const char* expect_name(Expect e) {
  switch (e) {
    case Expect::kPass:
      return "pass";
    case Expect::kFail:
      return "fail";
    case Expect::kUnknown:
      return "unknown";
  }
  return "pass";
}

namespace {

using formats::Node;
using formats::NodeKind;

constexpr std::string_view kKeys[] = {
    "format",  "id",      "title",      "description", "severity", "resource_types", "formats",
    "tags",    "when",    "assert",     "message",     "threats",  "ccm",            "cis_aws",
    "guidance", "stages", "frameworks", "remediation", "fix",      "examples"};
constexpr std::string_view kRequired[] = {"format",  "id",      "title",   "description",
                                          "severity", "resource_types", "assert", "message",
                                          "threats", "remediation", "examples"};
constexpr std::string_view kExampleKeys[] = {"name", "format", "expect", "input", "resource"};
constexpr std::string_view kFixKeys[] = {"terraform", "cloudformation", "kubernetes"};

bool one_of(std::string_view s, std::span<const std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool is_upper_alnum(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// PREFIX-PROVIDER-SERVICE-NNN, e.g. SKM-AWS-S3-001, SKM-K8S-POD-002.
bool valid_rule_id(std::string_view id) {
  std::vector<std::string_view> parts;
  size_t s = 0;
  while (true) {
    size_t d = id.find('-', s);
    parts.push_back(id.substr(s, d == std::string_view::npos ? std::string_view::npos : d - s));
    if (d == std::string_view::npos) break;
    s = d + 1;
  }
  if (parts.size() != 4 || id.size() > 64) return false;
  if (!is_upper_alnum(parts[0]) || !is_upper_alnum(parts[1]) || !is_upper_alnum(parts[2])) return false;
  if (!(parts[0][0] >= 'A' && parts[0][0] <= 'Z')) return false;
  return parts[3].size() == 3 && is_digits(parts[3]);
}

bool valid_threat(std::string_view t) {
  if (t.size() != 3 || t[0] != 'T' || !is_digits(t.substr(1))) return false;
  int n = (t[1] - '0') * 10 + (t[2] - '0');
  return n >= 1 && n <= 11;
}

// CCM v4 control ID: domain code (A&A, AIS, ..., or v4.1's I&S) dash two digits.
bool valid_ccm(std::string_view c) {
  size_t d = c.find('-');
  if (d == std::string_view::npos || d < 2 || d > 4) return false;
  std::string_view dom = c.substr(0, d), num = c.substr(d + 1);
  bool dom_ok = std::all_of(dom.begin(), dom.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || ch == '&'; });
  return dom_ok && num.size() == 2 && is_digits(num);
}

// CIS AWS Foundations recommendation number: 1 to 4 dotted numbers ("2.14", "3.1.4").
bool valid_cis(std::string_view c) {
  size_t n = 0, s = 0;
  while (true) {
    size_t d = c.find('.', s);
    std::string_view p = c.substr(s, d == std::string_view::npos ? std::string_view::npos : d - s);
    if (!is_digits(p) || p.size() > 3) return false;
    ++n;
    if (d == std::string_view::npos) break;
    s = d + 1;
  }
  return n >= 1 && n <= 4;
}

bool valid_tag(std::string_view t) {
  return !t.empty() && t.size() <= 64 && std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

class Loader {
 public:
  // Without `examples` the file's text was cut before its `examples:` key (a bundled
  // rule loaded for a scan): the key is not required.
  Loader(const formats::Document& doc, core::Diagnostics& diags, const RuleLimits& limits, bool examples = true)
      : doc_(doc), diags_(diags), limits_(limits), examples_(examples) {}

  bool failed() const { return errors_ > 0; }

  void error(std::string code, std::string message, const core::Location& loc) {
    ++errors_;
    diags_.add(core::Severity::kError, std::move(code), std::move(message), loc, snippet(loc));
  }
  void error(std::string code, std::string message, const Node& node) {
    error(std::move(code), std::move(message), doc_.location(node));
  }
  void warning(std::string code, std::string message, const Node& node) {
    core::Location loc = doc_.location(node);
    diags_.add(core::Severity::kWarning, std::move(code), std::move(message), loc, snippet(loc));
  }

  std::string snippet(const core::Location& loc) const {
    return loc.has_position() ? core::make_snippet(doc_.text(), loc.line, loc.column) : std::string();
  }

  // A string scalar or an error.
  std::optional<std::string> string(const Node& n, std::string_view key, size_t max) {
    if (n.kind() != NodeKind::kString) {
      error("rule.type", "'" + std::string(key) + "' must be a string, not " + formats::kind_name(n.kind()), n);
      return std::nullopt;
    }
    if (n.size() > max) {
      error("rule.limit", "'" + std::string(key) + "' is longer than " + std::to_string(max) + " bytes", n);
      return std::nullopt;
    }
    return std::string(n.as_string());
  }

  std::optional<std::vector<std::string>> string_list(const Node& n, std::string_view key) {
    if (n.kind() != NodeKind::kList) {
      error("rule.type", "'" + std::string(key) + "' must be a list, not " + formats::kind_name(n.kind()), n);
      return std::nullopt;
    }
    if (n.size() > limits_.max_list_items) {
      error("rule.limit", "'" + std::string(key) + "' has more than " + std::to_string(limits_.max_list_items) + " items", n);
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const Node& item : n.items()) {
      // CIS numbers like 2.14 may be written unquoted; keep the text as written.
      if (item.kind() == NodeKind::kString) {
        out.emplace_back(item.as_string());
      } else if (key == "cis_aws" && (item.kind() == NodeKind::kDouble || item.kind() == NodeKind::kInt)) {
        std::string_view raw = doc_.text().substr(item.pos().offset);
        size_t end = raw.find_first_of(" ,]\n\r#");
        out.emplace_back(raw.substr(0, end));
      } else {
        error("rule.type", "items of '" + std::string(key) + "' must be strings, not " + formats::kind_name(item.kind()), item);
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  std::optional<std::vector<int>> int_list(const Node& n, std::string_view key, int lo, int hi,
                                           const char* code) {
    if (n.kind() != NodeKind::kList) {
      error("rule.type", "'" + std::string(key) + "' must be a list of numbers", n);
      return std::nullopt;
    }
    std::vector<int> out;
    bool ok = true;
    for (const Node& item : n.items()) {
      if (item.kind() != NodeKind::kInt || item.as_int() < lo || item.as_int() > hi) {
        error(code, "'" + std::string(key) + "' items must be whole numbers from " + std::to_string(lo) + " to " + std::to_string(hi), item);
        ok = false;
        continue;
      }
      out.push_back(static_cast<int>(item.as_int()));
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // The file position of (line, column) inside a string scalar's content.
  core::Location content_location(const Node& node, uint32_t line, uint32_t column) const {
    core::Location base = doc_.location(node);
    std::string_view text = doc_.text();
    uint64_t off = node.pos().offset;
    if (line == 0) line = 1;
    if (column == 0) column = 1;
    if (off >= text.size()) return base;
    char c = text[off];
    core::Location loc = base;
    if (c == '|' || c == '>') {
      // Block scalar: content starts on the next line, indented.
      size_t nl = text.find('\n', off);
      if (nl == std::string_view::npos) return base;
      size_t p = nl + 1;
      // Indentation of the first non-blank content line.
      uint32_t indent = 0;
      size_t q = p;
      while (q < text.size()) {
        size_t ind = 0;
        while (q + ind < text.size() && text[q + ind] == ' ') ++ind;
        if (q + ind < text.size() && text[q + ind] != '\n' && text[q + ind] != '\r') {
          indent = static_cast<uint32_t>(ind);
          break;
        }
        size_t next = text.find('\n', q);
        if (next == std::string_view::npos) break;
        q = next + 1;
      }
      loc.line = base.line + line;
      loc.column = indent + column;
    } else if (c == '"' || c == '\'') {
      loc.line = base.line + line - 1;
      loc.column = line == 1 ? base.column + column : column;
    } else {
      loc.line = base.line + line - 1;
      loc.column = line == 1 ? base.column + column - 1 : column;
    }
    loc.offset = 0;
    return loc;
  }

  // Parses and compiles a CEL field; errors are mapped to the file position.
  std::unique_ptr<cel::Program> compile(const Node& node, const std::string& expr, std::string_view key,
                                        std::vector<Conjunct>* conjuncts) {
    cel::ParseOptions po;
    po.max_expression_bytes = limits_.max_expression_bytes;
    auto cel_error = [&](const core::Error& e) {
      uint32_t line = e.location ? e.location->line : 1;
      uint32_t col = e.location ? e.location->column : 1;
      error("rule.cel", "'" + std::string(key) + "': " + e.message + " [" + e.code + "]",
            content_location(node, line, col));
    };
    if (expr.size() > limits_.max_expression_bytes) {
      error("rule.limit", "'" + std::string(key) + "' is longer than " +
                              std::to_string(limits_.max_expression_bytes) + " bytes", node);
      return nullptr;
    }
    auto ast = cel::parse(expr, po);
    if (!ast.ok()) {
      cel_error(ast.error());
      return nullptr;
    }
    const std::vector<std::string> declared = {"resource", "now"};
    auto undeclared = undeclared_identifiers(ast->root(), declared);
    if (!undeclared.empty()) {
      uint32_t off = undeclared[0].first;
      core::Location l = core::locate("", expr, off);
      error("rule.cel", "'" + std::string(key) + "': unknown name '" + undeclared[0].second +
                            "' (rules see 'resource' and 'now')",
            content_location(node, l.line, l.column));
      return nullptr;
    }
    cel::CompileOptions co;
    co.variables = declared;
    co.parse = po;
    auto program = cel::Program::compile(*ast, co);
    if (!program.ok()) {
      cel_error(program.error());
      return nullptr;
    }
    if (conjuncts != nullptr) {
      std::vector<const cel::Expr*> leaves;
      flatten_and(ast->root(), leaves);
      if (leaves.size() > 1) {
        for (const cel::Expr* leaf : leaves) {
          cel::Ast sub(expr, clone_expr(*leaf));
          auto p = cel::Program::compile(sub, co);
          if (!p.ok()) {
            cel_error(p.error());
            return nullptr;
          }
          conjuncts->push_back(Conjunct{std::make_unique<cel::Program>(std::move(p).value()),
                                        attribute_paths(*leaf)});
        }
      } else {
        conjuncts->push_back(Conjunct{nullptr, attribute_paths(ast->root())});
      }
    }
    return std::make_unique<cel::Program>(std::move(program).value());
  }

  static void flatten_and(const cel::Expr& e, std::vector<const cel::Expr*>& out) {
    if (e.kind == cel::ExprKind::kCall && e.name == "_&&_" && !e.target && e.args.size() == 2) {
      flatten_and(*e.args[0], out);
      flatten_and(*e.args[1], out);
      return;
    }
    out.push_back(&e);
  }

  std::optional<Rule> load(const std::string& path) {
    const Node& root = doc_.root();
    if (doc_.roots().size() != 1) {
      error("rule.schema", "a rule file holds exactly one YAML document (found " +
                               std::to_string(doc_.roots().size()) + ")",
            core::Location{path, 1, 1, 0});
      return std::nullopt;
    }
    if (root.kind() != NodeKind::kMap) {
      error("rule.schema", "a rule file is a YAML map of rule fields", root);
      return std::nullopt;
    }
    Rule rule;
    rule.file = path;
    rule.location = doc_.location(root);
    for (const formats::Member& m : root.members()) {
      if (m.key.kind() != NodeKind::kString || !one_of(m.key.as_string(), kKeys)) {
        std::string k = m.key.kind() == NodeKind::kString ? std::string(m.key.as_string()) : "(non-string key)";
        error("rule.unknown_key", "unknown key '" + k + "' (see docs/formats/rules.md)", m.key);
      }
    }
    for (std::string_view k : kRequired) {
      if (!examples_ && k == "examples") continue;
      if (root.find(k) == nullptr) {
        error("rule.missing_key", "missing required key '" + std::string(k) + "'", root);
      }
    }
    if (const Node* f = root.find("format")) {
      if (f->kind() != NodeKind::kInt || f->as_int() != kRuleFormatVersion) {
        error("rule.format_version", "unsupported rule format; this sekimori reads 'format: " +
                                         std::to_string(kRuleFormatVersion) + "'", *f);
      }
    }
    if (const Node* n = root.find("id")) {
      if (auto s = string(*n, "id", 64)) {
        rule.id = *s;
        rule.location = doc_.location(*n);
        if (!valid_rule_id(rule.id)) {
          error("rule.id", "malformed rule ID '" + rule.id +
                               "'; expected PREFIX-PROVIDER-SERVICE-NNN, e.g. SKM-AWS-S3-001 or SKM-K8S-POD-001", *n);
        }
      }
    }
    if (const Node* n = root.find("title")) {
      if (auto s = string(*n, "title", 200)) {
        rule.title = *s;
        if (rule.title.empty()) error("rule.empty", "'title' is empty", *n);
      }
    }
    if (const Node* n = root.find("description")) {
      if (auto s = string(*n, "description", limits_.max_text_bytes)) rule.description = *s;
    }
    if (const Node* n = root.find("severity")) {
      if (auto s = string(*n, "severity", 16)) {
        if (auto sev = severity_by_name(*s)) {
          rule.severity = *sev;
        } else {
          error("rule.severity", "severity '" + *s + "' is not one of critical, high, medium, low, info", *n);
        }
      }
    }
    if (const Node* n = root.find("resource_types")) {
      if (auto list = string_list(*n, "resource_types")) {
        if (list->empty()) error("rule.resource_type", "'resource_types' is empty", *n);
        for (size_t i = 0; i < list->size(); ++i) {
          const std::string& t = (*list)[i];
          std::vector<std::string> concrete = model::expand_type(t);
          if (concrete.empty() && !model::is_known_type(t)) {
            error("rule.resource_type", "unknown resource type or group '" + t + "'", n->items()[i]);
            continue;
          }
          if (concrete.empty()) concrete.push_back(t);
          rule.resource_types.push_back(t);
          for (std::string& c : concrete) {
            if (std::find(rule.types.begin(), rule.types.end(), c) == rule.types.end()) rule.types.push_back(std::move(c));
          }
        }
      }
    }
    if (const Node* n = root.find("formats")) {
      if (auto list = string_list(*n, "formats")) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (auto f = model::format_by_name((*list)[i])) {
            rule.formats.push_back(*f);
          } else {
            error("rule.format", "unknown input format '" + (*list)[i] +
                                     "' (cloudformation, terraform-plan, terraform, aws-config, kubernetes)",
                  n->items()[i]);
          }
        }
      }
    } else {
      bool aws = std::any_of(rule.types.begin(), rule.types.end(), [](const std::string& t) { return t.rfind("aws_", 0) == 0; });
      bool k8s = std::any_of(rule.types.begin(), rule.types.end(), [](const std::string& t) { return t.rfind("kubernetes_", 0) == 0; });
      if (aws) {
        rule.formats = {model::SourceFormat::kCloudFormation, model::SourceFormat::kTerraformPlan,
                        model::SourceFormat::kAwsConfig};
      }
      if (k8s) rule.formats.push_back(model::SourceFormat::kKubernetes);
    }
    if (const Node* n = root.find("tags")) {
      if (auto list = string_list(*n, "tags")) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (!valid_tag((*list)[i])) {
            error("rule.tag", "tag '" + (*list)[i] + "' must be lowercase letters, digits, '-', '_' or '.'", n->items()[i]);
          }
        }
        rule.tags = *list;
      }
    }
    auto compiled = std::make_shared<CompiledRule>();
    if (const Node* n = root.find("when")) {
      if (auto s = string(*n, "when", limits_.max_expression_bytes + 1)) {
        rule.when = *s;
        compiled->when = compile(*n, rule.when, "when", nullptr);
      }
    }
    if (const Node* n = root.find("assert")) {
      if (auto s = string(*n, "assert", limits_.max_expression_bytes + 1)) {
        rule.assertion = *s;
        compiled->assertion = compile(*n, rule.assertion, "assert", &compiled->conjuncts);
      }
    }
    if (const Node* n = root.find("message")) {
      if (auto s = string(*n, "message", limits_.max_message_bytes)) {
        rule.message = *s;
        auto parts = parse_template(rule.message);
        if (!parts.ok()) {
          const core::Error& e = parts.error();
          error("rule.message", e.message, content_location(*n, 1, e.location ? e.location->column : 1));
        } else {
          compiled->message = std::move(parts).value();
          compiled->message_reads_attributes = template_reads_attributes(compiled->message);
        }
      }
    }
    if (const Node* n = root.find("threats")) {
      if (auto list = string_list(*n, "threats")) {
        if (list->empty()) error("rule.threat", "a rule maps to at least one threat (T01..T11)", *n);
        for (size_t i = 0; i < list->size(); ++i) {
          if (!valid_threat((*list)[i])) {
            error("rule.threat", "threat '" + (*list)[i] + "' is not one of T01..T11", n->items()[i]);
          }
        }
        rule.threats = *list;
      }
    }
    if (const Node* n = root.find("ccm")) {
      if (auto list = string_list(*n, "ccm")) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (!valid_ccm((*list)[i])) error("rule.ccm", "'" + (*list)[i] + "' is not a CCM v4 control ID (e.g. DSP-17)", n->items()[i]);
        }
        rule.ccm = *list;
      }
    }
    if (const Node* n = root.find("cis_aws")) {
      if (auto list = string_list(*n, "cis_aws")) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (!valid_cis((*list)[i])) error("rule.cis", "'" + (*list)[i] + "' is not a CIS recommendation number (e.g. \"3.1.4\")", n->items()[i]);
        }
        rule.cis_aws = *list;
      }
    }
    if (const Node* n = root.find("guidance")) {
      if (auto list = int_list(*n, "guidance", 1, 12, "rule.guidance")) rule.guidance = *list;
    }
    if (const Node* n = root.find("stages")) {
      if (auto list = int_list(*n, "stages", 1, 6, "rule.stage")) rule.stages = *list;
    }
    if (const Node* n = root.find("frameworks")) {
      if (auto list = string_list(*n, "frameworks")) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (!valid_tag((*list)[i])) error("rule.tag", "framework tag '" + (*list)[i] + "' must be lowercase letters, digits, '-', '_' or '.'", n->items()[i]);
        }
        rule.frameworks = *list;
      }
    }
    if (const Node* n = root.find("remediation")) {
      if (auto s = string(*n, "remediation", limits_.max_text_bytes)) rule.remediation = *s;
    }
    if (const Node* n = root.find("fix")) {
      if (n->kind() != NodeKind::kMap) {
        error("rule.type", "'fix' must be a map of format to snippet", *n);
      } else {
        for (const formats::Member& m : n->members()) {
          std::string k = m.key.kind() == NodeKind::kString ? std::string(m.key.as_string()) : "";
          if (!one_of(k, kFixKeys)) {
            error("rule.unknown_key", "unknown fix format '" + k + "' (terraform, cloudformation, kubernetes)", m.key);
            continue;
          }
          if (auto s = string(m.value, "fix." + k, limits_.max_text_bytes)) rule.fix[k] = *s;
        }
      }
    }
    if (const Node* n = root.find("examples")) load_examples(*n, rule);
    if (failed()) return std::nullopt;
    compiled->fingerprint_seed = fingerprint_seed(rule.id);
    rule.compiled = std::move(compiled);
    return rule;
  }

  void load_examples(const Node& n, Rule& rule) {
    if (n.kind() != NodeKind::kList) {
      error("rule.type", "'examples' must be a list", n);
      return;
    }
    if (n.size() > limits_.max_examples) {
      error("rule.limit", "more than " + std::to_string(limits_.max_examples) + " examples", n);
      return;
    }
    size_t index = 0;
    for (const Node& e : n.items()) {
      ++index;
      if (e.kind() != NodeKind::kMap) {
        error("rule.example", "an example is a map with format, expect and input", e);
        continue;
      }
      RuleExample ex;
      ex.location = doc_.location(e);
      ex.name = "example " + std::to_string(index);
      bool ok = true;
      for (const formats::Member& m : e.members()) {
        if (m.key.kind() != NodeKind::kString || !one_of(m.key.as_string(), kExampleKeys)) {
          std::string k = m.key.kind() == NodeKind::kString ? std::string(m.key.as_string()) : "(non-string key)";
          error("rule.unknown_key", "unknown example key '" + k + "' (name, format, expect, input, resource)", m.key);
          ok = false;
        }
      }
      for (std::string_view k : {"format", "expect", "input"}) {
        if (e.find(k) == nullptr) {
          error("rule.example", "example is missing '" + std::string(k) + "'", e);
          ok = false;
        }
      }
      if (const Node* v = e.find("name")) {
        if (auto s = string(*v, "name", 200)) ex.name = *s;
      }
      if (const Node* v = e.find("format")) {
        if (auto s = string(*v, "format", 32)) {
          if (auto f = model::format_by_name(*s)) {
            ex.format = *f;
          } else {
            error("rule.format", "unknown example format '" + *s + "'", *v);
            ok = false;
          }
        }
      }
      if (const Node* v = e.find("expect")) {
        if (auto s = string(*v, "expect", 16)) {
          if (*s == "pass") ex.expect = Expect::kPass;
          else if (*s == "fail") ex.expect = Expect::kFail;
          else if (*s == "unknown") ex.expect = Expect::kUnknown;
          else {
            error("rule.example", "'expect' must be pass, fail or unknown", *v);
            ok = false;
          }
        }
      }
      if (const Node* v = e.find("input")) {
        if (auto s = string(*v, "input", limits_.max_example_bytes)) {
          ex.input = *s;
          ex.input_location = content_location(*v, 1, 1);
        } else {
          ok = false;
        }
      }
      if (const Node* v = e.find("resource")) {
        if (auto s = string(*v, "resource", 512)) ex.resource = *s;
      }
      if (ok) rule.examples.push_back(std::move(ex));
    }
    // Every supported format needs a passing and a failing example.
    for (model::SourceFormat f : rule.formats) {
      bool pass = false, fail = false;
      for (const RuleExample& ex : rule.examples) {
        if (ex.format != f) continue;
        pass = pass || ex.expect == Expect::kPass;
        fail = fail || ex.expect == Expect::kFail;
      }
      if (!pass || !fail) {
        error("rule.examples_missing",
              std::string("the rule supports ") + model::format_name(f) + " but has no " +
                  (!pass && !fail ? "passing or failing" : !pass ? "passing" : "failing") +
                  " example for it",
              n);
      }
    }
    if (rule.formats.empty()) {
      error("rule.examples_missing", "the rule supports no input format ('formats' is empty)", n);
    }
  }

 private:
  const formats::Document& doc_;
  core::Diagnostics& diags_;
  const RuleLimits& limits_;
  bool examples_ = true;
  size_t errors_ = 0;
};

bool ci_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool selector_matches(const Rule& r, const std::string& sel) {
  if (glob_match(upper(sel), upper(r.id))) return true;
  return std::any_of(r.tags.begin(), r.tags.end(), [&](const std::string& t) { return ci_equal(t, sel); }) ||
         std::any_of(r.frameworks.begin(), r.frameworks.end(), [&](const std::string& t) { return ci_equal(t, sel); });
}

}  // namespace

namespace {

// `snapshot`: the build-time snapshot of the file's whole text (formats/snapshot.h), or
// empty to parse `text`; without examples, `text` is the file cut before `examples:` and
// the snapshot's `examples` member is left out, so the trees are the same either way.
core::Result<Rule> parse_rule_text(const std::string& path, std::string text, core::Diagnostics& diags,
                                   const RuleLimits& limits, bool examples, std::string_view snapshot = {}) {
  if (text.size() > limits.max_file_bytes) {
    auto e = core::make_error("rule.limit", "rule file is larger than " + std::to_string(limits.max_file_bytes) + " bytes",
                              core::Location{path, 0, 0, 0});
    diags.add_error(e);
    return e;
  }
  formats::Limits fl;
  fl.max_bytes = limits.max_file_bytes;
  fl.max_depth = 32;
  fl.max_nodes = 100'000;
  fl.max_documents = 4;
  auto doc =
      formats::load_yaml_or_snapshot(path, std::move(text), snapshot, fl, diags, examples ? "" : "examples");
  if (!doc.ok()) {
    diags.add_error(doc.error());
    return doc.error();
  }
  Loader loader(*doc, diags, limits, examples);
  std::optional<Rule> rule = loader.load(path);
  if (!rule) return core::make_error("rule.invalid", "rule file has errors", core::Location{path, 0, 0, 0});
  return std::move(*rule);
}

// `text` up to its top-level `examples:` key, when every line after that key belongs to it
// (indented, a list item, a comment or blank); otherwise all of `text`.
std::string_view without_examples(std::string_view text) {
  size_t at = text.rfind("\nexamples:");
  if (at == std::string_view::npos) return text;
  for (size_t i = text.find('\n', at + 1); i != std::string_view::npos && i + 1 < text.size();
       i = text.find('\n', i + 1)) {
    std::string_view line = text.substr(i + 1, 3);
    char c = line[0];
    if ((c != ' ' && c != '-' && c != '#' && c != '\n' && c != '\r') || line == "---") return text;
  }
  return text.substr(0, at + 1);
}

}  // namespace

core::Result<Rule> parse_rule(const std::string& path, std::string text, core::Diagnostics& diags,
                              const RuleLimits& limits) {
  return parse_rule_text(path, std::move(text), diags, limits, true);
}

RuleSet::RuleSet(RuleLimits limits) : limits_(limits) {}

bool RuleSet::has_room(const std::string& path, core::Diagnostics& diags) const {
  if (rules_.size() < limits_.max_rules) return true;
  diags.add(core::Severity::kError, "rule.limit",
            "more than " + std::to_string(limits_.max_rules) + " rules; the rest are not loaded",
            core::Location{path, 0, 0, 0});
  return false;
}

bool RuleSet::append(Rule rule, core::Diagnostics& diags, bool builtin) {
  if (!has_room(rule.location.file, diags)) return false;
  auto other = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == rule.id; });
  if (other != rules_.end()) {
    std::string message = "rule ID '" + rule.id + "' is already defined at " + other->location.to_string();
    if (other->builtin && !builtin) {
      message = "rule ID '" + rule.id + "' is a bundled rule (" + other->location.to_string() +
                ") and this file differs from it; to run this version instead, leave the bundled pack out "
                "(--no-builtin-rules) or give the rule an ID of its own";
    }
    diags.add(core::Severity::kError, "rule.duplicate_id", message, rule.location);
    return false;
  }
  rule.builtin = builtin;
  rules_.push_back(std::move(rule));
  return true;
}

const std::string* RuleSet::loaded_before(std::string_view text, const std::string& path) {
  if (builtin_texts_pending_) {
    builtin_texts_pending_ = false;
    for (const BuiltinRuleFile& f : builtin_rule_files()) {
      (void)texts_.first_path(f.text, "the bundled " + std::string(f.path));
    }
  }
  return texts_.first_path(text, path);
}

bool RuleSet::add_text(const std::string& path, std::string text, core::Diagnostics& diags, bool builtin) {
  if (const std::string* first = loaded_before(text, path)) {
    diags.add(core::Severity::kNote, "rule.same_text",
              "the same text as " + *first + ", which is already loaded; not loaded again", core::Location{path});
    return false;
  }
  return add_new_text(path, std::move(text), diags, builtin);
}

bool RuleSet::add_new_text(const std::string& path, std::string text, core::Diagnostics& diags, bool builtin) {
  if (!has_room(path, diags)) return false;
  auto rule = parse_rule(path, std::move(text), diags, limits_);
  if (!rule.ok() || !append(std::move(rule).value(), diags, builtin)) return false;
  reindex();
  return true;
}

void RuleSet::add_directory(const std::string& dir, core::Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diags.add(core::Severity::kError, "rule.io", "rule directory '" + dir + "' does not exist or is not a directory",
              core::Location{dir, 0, 0, 0});
    return;
  }
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(it->path().generic_string());
  }
  if (ec) {
    diags.add(core::Severity::kError, "rule.io", "cannot read rule directory '" + dir + "': " + ec.message(),
              core::Location{dir, 0, 0, 0});
  }
  std::sort(files.begin(), files.end());
  size_t same = 0;      // files with a text already loaded
  std::string example;  // the first of them
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      diags.add(core::Severity::kError, "rule.io", "cannot read rule file", core::Location{f, 0, 0, 0});
      continue;
    }
    in.seekg(0, std::ios::end);
    auto size = static_cast<uint64_t>(in.tellg());
    if (size > limits_.max_file_bytes) {
      diags.add(core::Severity::kError, "rule.limit",
                "rule file is larger than " + std::to_string(limits_.max_file_bytes) + " bytes",
                core::Location{f, 0, 0, 0});
      continue;
    }
    in.seekg(0);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (const std::string* first = loaded_before(text, f)) {
      if (same++ == 0) example = f + " is " + *first;
      continue;
    }
    add_new_text(f, std::move(text), diags, false);
  }
  if (same > 0) {
    diags.add(core::Severity::kNote, "rule.same_text",
              std::to_string(same) + " rule file(s) under '" + dir +
                  "' have the same text as rules already loaded and were not loaded again (" + example + ")",
              core::Location{dir, 0, 0, 0});
  }
}

void RuleSet::add_builtin(core::Diagnostics& diags, bool examples) {
  // Parsing the pack (YAML, then CEL) is most of a small scan's start-up: the files are
  // parsed on several threads, then added in their order, so the rules and diagnostics
  // are the same as one by one.
  const auto& files = builtin_rule_files();
  const auto snapshots = builtin_rule_snapshots();
  struct Parsed {
    core::Diagnostics diags;
    std::optional<Rule> rule;
  };
  std::vector<Parsed> parsed(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      std::string_view text = examples ? files[i].text : without_examples(files[i].text);
      bool cut = text.size() != files[i].text.size();
      std::string_view snap = formats::find_snapshot(snapshots, files[i].path, files[i].text);
      auto rule = parse_rule_text(std::string(files[i].path), std::string(text), parsed[i].diags, limits_,
                                  !cut, snap);
      if (rule.ok()) parsed[i].rule = std::move(rule).value();
    }
  };
  size_t threads = std::min<size_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u), files.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (Parsed& p : parsed) {
    for (const core::Diagnostic& d : p.diags.items()) diags.add(d);
    if (p.rule) append(std::move(*p.rule), diags, true);
  }
  builtin_texts_pending_ = true;
  reindex();
}

void RuleSet::select(const std::vector<std::string>& include, const std::vector<std::string>& exclude) {
  std::vector<Rule> kept;
  for (Rule& r : rules_) {
    bool in = include.empty() ||
              std::any_of(include.begin(), include.end(), [&](const std::string& s) { return selector_matches(r, s); });
    bool out = std::any_of(exclude.begin(), exclude.end(), [&](const std::string& s) { return selector_matches(r, s); });
    if (in && !out) kept.push_back(std::move(r));
  }
  rules_ = std::move(kept);
  reindex();
}

const Rule* RuleSet::find(std::string_view id) const {
  auto it = std::lower_bound(rules_.begin(), rules_.end(), id,
                             [](const Rule& r, std::string_view v) { return r.id < v; });
  return it != rules_.end() && it->id == id ? &*it : nullptr;
}

std::span<const uint32_t> RuleSet::rules_for_type(std::string_view type) const {
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return {};
  return it->second;
}

void RuleSet::reindex() {
  std::stable_sort(rules_.begin(), rules_.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
  by_type_.clear();
  for (uint32_t i = 0; i < rules_.size(); ++i) {
    for (const std::string& t : rules_[i].types) by_type_[t].push_back(i);
  }
}

}  // namespace sekimori::policy
