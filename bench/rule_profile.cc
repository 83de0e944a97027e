// rule_profile: where a scan's rule evaluation time goes, rule by rule.
//
//   rule_profile [--top N] [--rounds R] [--rule ID]... PATH...
//
// Loads PATH (files or directories, like `sekimori scan`) with the bundled rule pack,
// then evaluates each rule on every resource it applies to, R times (default 3; the
// fastest round counts), and prints the rules by total time: evaluations, results
// (pass/fail/other), microseconds in all and per evaluation. Finding construction for
// fails (attribute location, message) is included, as in a scan. Use it to find the
// rules worth optimising and to check a rule rewrite.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "model/estate.h"
#include "policy/rule.h"
#include "policy/scan.h"

namespace {

struct Cost {
  size_t rule = 0;
  double best_us = 0;
  size_t evaluations = 0, pass = 0, fail = 0, other = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace sekimori;
  size_t top = 25, rounds = 3;
  std::vector<std::string> paths, only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--top" && i + 1 < argc) {
      top = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max<size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--rule" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: rule_profile [--top N] [--rounds R] [--rule ID]... PATH...\n");
      return 0;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: rule_profile [--top N] [--rounds R] [--rule ID]... PATH...\n");
    return 2;
  }
  core::Diagnostics diags;
  policy::RuleSet rules;
  rules.add_builtin(diags);
  model::Estate estate;
  for (const std::string& p : paths) estate.add_path(p, model::LoadOptions{}, diags);
  if (diags.has_errors()) std::fprintf(stderr, "%s", diags.to_text().c_str());
  const auto& resources = estate.resources();
  const cel::Timestamp now{1'767'225'600, 0};  // 2026-01-01

  std::vector<Cost> costs(rules.rules().size());
  for (size_t ri = 0; ri < costs.size(); ++ri) costs[ri].rule = ri;
  double total_us = 0;
  for (size_t ri = 0; ri < costs.size(); ++ri) {
    const policy::Rule& rule = rules.rules()[ri];
    Cost& c = costs[ri];
    if (!only.empty() && std::find(only.begin(), only.end(), rule.id) == only.end()) continue;
    for (size_t round = 0; round < rounds; ++round) {
      Cost r;
      auto start = std::chrono::steady_clock::now();
      for (const model::Resource& res : resources) {
        if (std::find(rule.types.begin(), rule.types.end(), res.type) == rule.types.end()) continue;
        if (!policy::supports_format(rule, res.format)) continue;
        std::optional<policy::Finding> f = policy::evaluate_rule(rule, res, now);
        if (!f) continue;
        ++r.evaluations;
        if (f->status == policy::Status::kPass) ++r.pass;
        else if (f->status == policy::Status::kFail) ++r.fail;
        else ++r.other;
      }
      double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (round == 0 || us < c.best_us) {
        r.rule = ri;
        r.best_us = us;
        c = r;
      }
    }
    total_us += c.best_us;
  }
  std::sort(costs.begin(), costs.end(), [](const Cost& a, const Cost& b) { return a.best_us > b.best_us; });
  std::printf("%zu resources, %zu rules; rule evaluation %.1f ms in all (fastest of %zu rounds)\n",
              resources.size(), costs.size(), total_us / 1000, rounds);
  std::printf("%-24s %10s %8s %8s %6s %10s %8s %6s\n", "rule", "evals", "pass", "fail", "other", "ms", "us/eval",
              "share");
  for (size_t i = 0; i < std::min(top, costs.size()); ++i) {
    const Cost& c = costs[i];
    if (c.evaluations == 0) break;
    std::printf("%-24s %10zu %8zu %8zu %6zu %10.2f %8.3f %5.1f%%\n", rules.rules()[c.rule].id.c_str(), c.evaluations,
                c.pass, c.fail, c.other, c.best_us / 1000, c.best_us / static_cast<double>(c.evaluations),
                100.0 * c.best_us / total_us);
  }
  return 0;
}
