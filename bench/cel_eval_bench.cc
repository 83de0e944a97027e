// How long does one CEL rule evaluation take over a loaded resource document?
// Targets (issue: foundation): < 100 ns for a nested field comparison, < 1 us for an
// `exists` over a 20-element list. Run with `make bench`.
#include <benchmark/benchmark.h>

#include <string>

#include "cel/program.h"
#include "formats/document.h"

namespace {

using namespace sekimori;

std::string resource_json() {
  std::string rules;
  for (int i = 0; i < 20; ++i) {
    if (i) rules += ",";
    int port = i == 19 ? 22 : 1000 + i;
    rules += "{\"from_port\":" + std::to_string(port) + ",\"to_port\":" + std::to_string(port) +
             ",\"protocol\":\"tcp\",\"cidr\":\"" + (i == 19 ? "0.0.0.0/0" : "10.0.0.0/8") + "\"}";
  }
  return R"({"type":"aws_security_group","name":"prod-web-01","address":"aws_security_group.web",)"
         R"("tags":{"env":"prod","owner":"platform"},)"
         R"("versioning":{"enabled":false,"mfa_delete":false},)"
         R"("server_side_encryption":{"rule":{"apply_server_side_encryption_by_default":{"sse_algorithm":"aws:kms"}}},)"
         R"("ingress":[)" + rules + "]}";
}

struct Fixture {
  Fixture() {
    core::Diagnostics diags;
    doc = std::make_unique<formats::Document>(
        std::move(formats::load_json("resource.json", resource_json(), {}, diags)).value());
    act.bind("resource", cel::Value::from_node(doc->root()));
  }
  std::unique_ptr<formats::Document> doc;
  cel::Activation act;
};

void run(benchmark::State& state, const char* expr, bool expected) {
  static Fixture fx;
  cel::CompileOptions options;
  options.variables = {"resource"};
  auto program = cel::Program::compile(expr, options);
  if (!program.ok()) {
    state.SkipWithError(program.error().to_string().c_str());
    return;
  }
  cel::Value check = program->evaluate(fx.act);
  if (check.kind() != cel::Kind::kBool || check.as_bool() != expected) {
    state.SkipWithError(("unexpected result " + check.debug_string()).c_str());
    return;
  }
  for (auto _ : state) {
    cel::Value v = program->evaluate(fx.act);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NestedFieldComparison(benchmark::State& s) {
  run(s, "resource.server_side_encryption.rule.apply_server_side_encryption_by_default.sse_algorithm == 'aws:kms'",
      true);
}
void BM_BoolField(benchmark::State& s) { run(s, "resource.versioning.enabled == true", false); }
void BM_ExistsOver20(benchmark::State& s) {
  run(s, "resource.ingress.exists(r, r.from_port <= 22 && r.to_port >= 22 && r.cidr == '0.0.0.0/0')", true);
}
void BM_AllOver20(benchmark::State& s) { run(s, "resource.ingress.all(r, r.protocol == 'tcp')", true); }
void BM_RegexMatch(benchmark::State& s) { run(s, "resource.name.matches('^prod-[a-z]+-[0-9]+$')", true); }
void BM_CidrIsPublicExists(benchmark::State& s) {
  run(s, "resource.ingress.exists(r, cidr(r.cidr).isPublic())", true);
}
void BM_HasAndTags(benchmark::State& s) {
  run(s, "has(resource.tags.owner) && resource.tags.env in ['prod', 'staging']", true);
}

BENCHMARK(BM_NestedFieldComparison);
BENCHMARK(BM_BoolField);
BENCHMARK(BM_ExistsOver20);
BENCHMARK(BM_AllOver20);
BENCHMARK(BM_RegexMatch);
BENCHMARK(BM_CidrIsPublicExists);
BENCHMARK(BM_HasAndTags);

}  // namespace

BENCHMARK_MAIN();
