// `sekimori rules list|show|test|validate` — inspect and check posture rules.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "cel/time.h"
#include "cli/commands.h"
#include "core/json_writer.h"
#include "detect/builtin.h"
#include "detect/engine.h"
#include "detect/sigma.h"
#include "policy/rule.h"
#include "policy/scan.h"

namespace sekimori::cli {

namespace {

struct RulesArgs {
  std::vector<std::string> dirs;   // --rules (list, show) or positional (test, validate)
  bool no_builtin = false;
  std::string id;
  bool json = false;
  bool verbose = false;
};

// Positional DIRs replace the bundled pack; --rules adds to it.
void load(const RulesArgs& a, bool dirs_replace_builtin, policy::RuleSet& rules, core::Diagnostics& diags) {
  if (!a.no_builtin && !(dirs_replace_builtin && !a.dirs.empty())) rules.add_builtin(diags);
  for (const std::string& d : a.dirs) rules.add_directory(d, diags);
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (int i : v) {
    if (!out.empty()) out += ", ";
    out += std::to_string(i);
  }
  return out;
}

int run_list(const RulesArgs& a) {
  policy::RuleSet rules;
  core::Diagnostics diags;
  load(a, false, rules, diags);
  if (!diags.empty()) std::cerr << diags.to_text();
  if (a.json) {
    core::JsonWriter w(2);
    w.begin_array();
    for (const policy::Rule& r : rules.rules()) {
      w.begin_object();
      w.key("id");
      w.value(r.id);
      w.key("severity");
      w.value(policy::severity_name(r.severity));
      w.key("title");
      w.value(r.title);
      w.key("resource_types");
      w.begin_array();
      for (const std::string& t : r.resource_types) w.value(t);
      w.end_array();
      w.key("file");
      w.value(r.file);
      w.end_object();
    }
    w.end_array();
    std::cout << w.take() << '\n';
  } else {
    for (const policy::Rule& r : rules.rules()) {
      std::string sev = policy::severity_name(r.severity);
      sev.resize(9, ' ');
      std::cout << r.id << "  " << sev << r.title << "  [" << join(r.resource_types) << "]\n";
    }
    std::cout << rules.rules().size() << " rules (pack " << policy::builtin_rule_pack_version() << ")\n";
  }
  return diags.has_errors() ? kExitUsage : kExitOk;
}

int run_show(const RulesArgs& a) {
  policy::RuleSet rules;
  core::Diagnostics diags;
  load(a, false, rules, diags);
  const policy::Rule* r = rules.find(a.id);
  if (r == nullptr) {
    if (!diags.empty()) std::cerr << diags.to_text();
    std::cerr << "error: no rule '" << a.id << "'\n";
    return kExitFailed;
  }
  std::cout << r->id << " — " << r->title << "\n\n";
  std::cout << "severity:       " << policy::severity_name(r->severity) << '\n';
  std::cout << "resource types: " << join(r->resource_types) << '\n';
  std::vector<std::string> fmts;
  for (model::SourceFormat f : r->formats) fmts.emplace_back(model::format_name(f));
  std::cout << "formats:        " << join(fmts) << '\n';
  if (!r->tags.empty()) std::cout << "tags:           " << join(r->tags) << '\n';
  std::cout << "threats:        " << join(r->threats) << '\n';
  if (!r->ccm.empty()) std::cout << "CCM v4:         " << join(r->ccm) << '\n';
  if (!r->cis_aws.empty()) std::cout << "CIS AWS:        " << join(r->cis_aws) << '\n';
  if (!r->guidance.empty()) std::cout << "guidance:       " << join_ints(r->guidance) << '\n';
  if (!r->stages.empty()) std::cout << "stages:         " << join_ints(r->stages) << '\n';
  if (!r->frameworks.empty()) std::cout << "frameworks:     " << join(r->frameworks) << '\n';
  std::cout << "file:           " << r->file << "\n\n" << r->description << "\n\n";
  if (!r->when.empty()) std::cout << "when:   " << r->when << '\n';
  std::cout << "assert: " << r->assertion << "\n\nRemediation:\n" << r->remediation << '\n';
  for (const auto& [fmt, snippet] : r->fix) std::cout << "\nFix (" << fmt << "):\n" << snippet << '\n';
  std::cout << "\n" << r->examples.size() << " examples\n";
  return kExitOk;
}

// A Sigma document has a top-level detection/logsource (a rule), correlation or filter
// key, or is an `action:` document of a rule collection; posture rules have none of them.
bool looks_like_sigma(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    for (const char* key : {"detection:", "logsource:", "correlation:", "filter:", "action:"}) {
      if (line.rfind(key, 0) == 0) return true;
    }
  }
  return false;
}

// Validates the given files and directories (YAML, recursively, sorted), each as a
// posture rule or as Sigma by its content; with none, the bundled pack and detections.
int run_validate(const RulesArgs& a) {
  namespace fs = std::filesystem;
  policy::RuleSet rules;
  detect::RuleSet sigma;
  core::Diagnostics diags;
  std::vector<std::string> files;
  if (a.dirs.empty()) {
    rules.add_builtin(diags);
    detect::add_builtin_detections(sigma, diags);  // embedded, or $SEKIMORI_DETECTIONS
  }
  for (const std::string& p : a.dirs) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
           it != end && !ec; it.increment(ec)) {
        std::string ext = it->path().extension().string();
        if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) found.push_back(it->path().generic_string());
      }
      if (ec) diags.add(core::Severity::kError, "rule.io", "cannot read '" + p + "': " + ec.message(), core::Location{p, 0, 0, 0});
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      diags.add(core::Severity::kError, "rule.io", "'" + p + "' does not exist", core::Location{p, 0, 0, 0});
    }
  }
  constexpr uint64_t kMaxFile = 4u << 20;  // both loaders apply their own, smaller limits too
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::error_code ec;
    uint64_t size = fs::file_size(f, ec);
    if (!in || ec) {
      diags.add(core::Severity::kError, "rule.io", "cannot read rule file", core::Location{f, 0, 0, 0});
      continue;
    }
    if (size > kMaxFile) {
      diags.add(core::Severity::kError, "rule.limit", "rule file is larger than " + std::to_string(kMaxFile) + " bytes",
                core::Location{f, 0, 0, 0});
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (looks_like_sigma(text)) sigma.add_text(f, std::move(text), diags);
    else rules.add_text(f, std::move(text), diags, false);
  }
  size_t sigma_rules = sigma.rules().size();
  if (sigma_rules > 0) {
    // compiling finds what loading cannot: unknown modifiers, bad regexes, conditions
    // naming missing selections, correlations over unknown rules
    auto engine = detect::Engine::build(sigma, {}, diags);
    if (!engine.ok()) diags.add(core::Severity::kError, engine.error().code, engine.error().message, core::Location{});
  }
  if (!diags.empty()) std::cerr << diags.to_text();
  size_t errors = diags.count(core::Severity::kError);
  std::cout << rules.rules().size() << " rules";
  if (sigma_rules > 0) std::cout << " and " << sigma_rules << " Sigma rules (compiled)";
  std::cout << " valid, " << errors << " error" << (errors == 1 ? "" : "s") << ", "
            << diags.count(core::Severity::kWarning) << " warnings\n";
  return errors > 0 ? kExitFailed : kExitOk;
}

int run_test(const RulesArgs& a) {
  policy::RuleSet rules;
  core::Diagnostics diags;
  load(a, true, rules, diags);
  if (!diags.empty()) std::cerr << diags.to_text();
  auto wall = std::chrono::system_clock::now().time_since_epoch();
  cel::Timestamp now{std::chrono::duration_cast<std::chrono::seconds>(wall).count(), 0};
  size_t passed = 0, failed = 0;
  for (const policy::Rule& r : rules.rules()) {
    for (const policy::ExampleResult& er : policy::run_examples(r, now)) {
      const policy::RuleExample& ex = *er.example;
      if (er.ok) {
        ++passed;
        if (a.verbose) {
          std::cout << "ok    " << r.id << "  " << model::format_name(ex.format) << "  " << policy::expect_name(ex.expect)
                    << "  " << ex.name << '\n';
        }
      } else {
        ++failed;
        std::cout << "FAIL  " << r.id << "  " << model::format_name(ex.format) << "  " << policy::expect_name(ex.expect)
                  << "  " << ex.name << "\n      " << ex.location.to_string() << ": " << er.problem << '\n';
      }
    }
  }
  size_t errors = diags.count(core::Severity::kError);
  std::cout << rules.rules().size() << " rules, " << passed + failed << " examples: " << passed << " passed, " << failed
            << " failed";
  if (errors > 0) std::cout << ", " << errors << " rule file errors";
  std::cout << '\n';
  return failed > 0 || errors > 0 ? kExitFailed : kExitOk;
}

}  // namespace

void add_rules_command(CLI::App& app, std::function<int()>& run) {
  CLI::App* cmd = app.add_subcommand("rules", "List, show, test and validate posture rules");
  cmd->require_subcommand(1);
  cmd->footer(
      "Rule files are YAML (docs/formats/rules.md). 'test' and 'validate' check the bundled pack,\n"
      "or only the given directories; 'validate' also checks Sigma files (docs/formats/sigma.md)\n"
      "and, with no path, the bundled detections. Exit codes: 0 ok; 1 a rule is invalid or an example fails;\n"
      "2 bad usage.");

  auto list = std::make_shared<RulesArgs>();
  CLI::App* l = cmd->add_subcommand("list", "List the rules");
  l->add_option("--rules", list->dirs, "Also load rules from DIR (repeatable)");
  l->add_flag("--no-builtin-rules", list->no_builtin, "Leave out the bundled pack");
  l->add_flag("--json", list->json, "Print JSON");
  l->callback([list, &run] { run = [list] { return run_list(*list); }; });

  auto show = std::make_shared<RulesArgs>();
  CLI::App* s = cmd->add_subcommand("show", "Show one rule");
  s->add_option("id", show->id, "Rule ID, e.g. SKM-AWS-S3-001")->required();
  s->add_option("--rules", show->dirs, "Also load rules from DIR (repeatable)");
  s->callback([show, &run] { run = [show] { return run_show(*show); }; });

  auto test = std::make_shared<RulesArgs>();
  CLI::App* t = cmd->add_subcommand("test", "Run every rule's examples");
  t->add_option("dirs", test->dirs, "Rule directories (default: the bundled pack)");
  t->add_flag("-v,--verbose", test->verbose, "Also list the examples that pass");
  t->callback([test, &run] { run = [test] { return run_test(*test); }; });

  auto validate = std::make_shared<RulesArgs>();
  CLI::App* v = cmd->add_subcommand("validate", "Check posture rules and Sigma rules (loaded and compiled)");
  v->add_option("paths", validate->dirs,
                "Rule files or directories, posture or Sigma by content (default: the bundled pack and detections)");
  v->callback([validate, &run] { run = [validate] { return run_validate(*validate); }; });
}

}  // namespace sekimori::cli
