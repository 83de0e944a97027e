// The Vectorscan prefilter: which rules get fragments, that records without any fragment
// skip them (counters), and that it never loses a match (escapes, Unicode, encodings,
// numbers, `not`). test_util.h's hits() also compares prefiltered and plain matching in
// every other matching test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base64.h"
#include "detect/hunt.h"
#include "detect/source.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::compile;
using testing::m;
using testing::rule_doc;

std::string sel(const std::string& item) { return "  sel:\n    " + item + "\n  condition: sel\n"; }

struct Outcome {
  std::vector<uint32_t> plain, filtered;
  MatchStats stats;
};

// Matches `json` both ways with a fresh scratch.
Outcome run(const Engine& e, const std::string& json) {
  simdjson::dom::parser p;
  auto doc = p.parse(json);
  EXPECT_EQ(doc.error(), simdjson::SUCCESS) << json;
  Outcome r;
  if (doc.error() != simdjson::SUCCESS) return r;
  e.match(doc.value_unsafe(), r.plain);
  MatchScratch scratch(e);
  e.match(doc.value_unsafe(), json, scratch, r.filtered);
  r.stats = scratch.stats();
  return r;
}

TEST(Prefilter, RecordWithoutFragmentSkipsTheRule) {
  auto c = compile(rule_doc(sel("requestParameters.policy|contains: 'AdministratorAccess'")));
  ASSERT_TRUE(c->engine) << c->diags.to_text();
  EXPECT_EQ(c->engine->prefiltered_count(), 1u);
  EXPECT_EQ(c->engine->fragment_count(), 1u);

  Outcome miss = run(*c->engine, R"({"eventName":"GetObject","requestParameters":{"key":"a"}})");
  EXPECT_TRUE(miss.filtered.empty());
  EXPECT_EQ(miss.stats.events, 1u);
  EXPECT_EQ(miss.stats.scanned, 1u);
  EXPECT_EQ(miss.stats.skipped, 1u);
  EXPECT_EQ(miss.stats.evaluated, 0u);

  // the fragment elsewhere in the record: evaluated, no match
  Outcome elsewhere = run(*c->engine, R"({"note":"administratoraccess","requestParameters":{"policy":"x"}})");
  EXPECT_EQ(elsewhere.stats.evaluated, 1u);
  EXPECT_TRUE(elsewhere.filtered.empty());

  Outcome hit =
      run(*c->engine, R"({"requestParameters":{"policy":"arn:aws:iam::aws:policy/AdministratorAccess"}})");
  EXPECT_EQ(hit.stats.evaluated, 1u);
  EXPECT_EQ(hit.filtered, (std::vector<uint32_t>{0}));
}

TEST(Prefilter, WhichRulesArePrefiltered) {
  auto count = [](const std::string& detection, EngineOptions o = {}) {
    auto c = compile(rule_doc(detection), o);
    EXPECT_TRUE(c->engine && !c->diags.has_errors()) << c->diags.to_text();
    return c->engine ? c->engine->prefiltered_count() : 99;
  };
  // a field that must equal or start with a few values gates the rule instead (modifiers_test
  // Index.*): it is not prefiltered
  EXPECT_EQ(count(sel("f|startswith: 'abc'")), 0u);
  EXPECT_EQ(count(sel("f: 'abcd'")), 0u);
  EXPECT_EQ(count(sel("f|all|startswith: ['abc', 'abcd']")), 1u);  // all: no gate
  EXPECT_EQ(count(sel("f|endswith: 'abc'")), 1u);
  EXPECT_EQ(count(sel("f: 'a*bcd*e'")), 1u);        // glob: its longest literal
  EXPECT_EQ(count(sel("f: 'ab'")), 0u);             // too short
  EXPECT_EQ(count(sel("f|contains: '1234'")), 0u);  // digits only: may be a number's spelling
  EXPECT_EQ(count(sel("f|contains: 'a\"b'")), 0u);  // always escaped in JSON
  EXPECT_EQ(count(sel("f|re: 'evil.*'")), 0u);
  EXPECT_EQ(count(sel("f|cidr: '10.0.0.0/8'")), 0u);
  EXPECT_EQ(count(sel("f|neq: 'abcdef'")), 0u);
  EXPECT_EQ(count(sel("f: ['abcd', null]")), 0u);               // one value without a fragment
  EXPECT_EQ(count(sel("f|all|contains: ['ab', 'cdef']")), 1u);  // all: the best value is enough
  EXPECT_EQ(count(sel("f|contains: 'CAFÉ'")), 0u);              // Unicode case folding: no byte literal
  EXPECT_EQ(count(sel("f|cased|contains: 'CAFÉ'")), 1u);
  EXPECT_EQ(count("  sel:\n    f: abcd\n  condition: not sel\n"), 0u);
  EXPECT_EQ(count("  a:\n    f: abcd\n  b:\n    g|re: x\n  condition: a or b\n"), 0u);
  EXPECT_EQ(count("  a:\n    f|contains: abcd\n  b:\n    g|re: x\n  condition: a and b\n"), 1u);
  EXPECT_EQ(count("  a:\n    f: abcd\n  b:\n    g|re: x\n  condition: a and b\n"), 0u);  // gated on f
  EXPECT_EQ(count("  a:\n    f: abcd\n  b:\n    g|re: x\n  condition: b and not a\n"), 0u);
  // indexed by eventName: left to the index unless asked
  EXPECT_EQ(count(sel("eventName: CreateUser")), 0u);
  EngineOptions both;
  both.prefilter_indexed = true;
  EXPECT_EQ(count(sel("eventName: CreateUser"), both), 1u);
  EngineOptions off;
  off.prefilter = false;
  EXPECT_EQ(count(sel("f|contains: abcd"), off), 0u);
}

TEST(Prefilter, EscapedRecordsAreEvaluated) {
  auto c = compile(rule_doc(sel("f|endswith: '/admin'")));
  ASSERT_TRUE(c->engine);
  ASSERT_EQ(c->engine->prefiltered_count(), 1u);
  // "\/" and "\u0061" spell the same string as "/admin": the raw text lacks the fragment
  for (const char* json : {R"({"f":"x\/admin"})", R"({"f":"x/\u0061dmin"})", R"({"f":"x\u002fadmin"})"}) {
    Outcome r = run(*c->engine, json);
    EXPECT_EQ(r.filtered, (std::vector<uint32_t>{0})) << json;
    EXPECT_EQ(r.stats.unscannable, 1u) << json;
    EXPECT_EQ(r.stats.skipped, 0u) << json;
  }
  // other escapes do not stop the scan (the fragment has no character they spell)
  Outcome r = run(*c->engine, R"({"g":"a\"b\\c\n","f":"/admin"})");
  EXPECT_EQ(r.stats.scanned, 1u);
  EXPECT_EQ(r.filtered, (std::vector<uint32_t>{0}));
  // a record without text (the plain API) evaluates every rule
  Outcome none = run(*c->engine, R"({"f":"/admin"})");
  EXPECT_EQ(none.filtered, (std::vector<uint32_t>{0}));
}

TEST(Prefilter, UnicodeValues) {
  EXPECT_TRUE(m(sel("f|cased|contains: 'café'"), R"({"f":"un café noir"})"));
  EXPECT_TRUE(m(sel("f|cased|contains: 'café'"), R"({"f":"un caf\u00e9 noir"})"));
  EXPECT_FALSE(m(sel("f|cased|contains: 'café'"), R"({"f":"un CAFÉ noir"})"));
  EXPECT_TRUE(m(sel("f|contains: 'café'"), R"({"f":"un CAFÉ noir"})"));
  EXPECT_TRUE(m(sel("f|contains: 'café'"), R"({"f":"un CAF\u00c9 noir"})"));
  EXPECT_TRUE(m(sel("f|contains: 'xyz'"), R"({"f":"\u00e9XYZ"})"));
  EXPECT_TRUE(m(sel("f: 'é*abc'"), R"({"f":"ÉxxABC"})"));
}

TEST(Prefilter, EncodingModifiers) {
  std::string wide_b64 = core::base64_encode(std::string("p\0i\0n\0g\0", 8));
  EXPECT_TRUE(m(sel("f|wide|base64: 'ping'"), R"({"f":")" + wide_b64 + R"("})"));
  EXPECT_TRUE(m(sel("f|wide|base64offset|contains: 'ping'"), R"({"f":"xx)" + wide_b64 + R"(yy"})"));
  std::string off1 = core::base64_encode(" secret-value");
  EXPECT_TRUE(m(sel("f|base64offset|contains: 'secret-value'"), R"({"f":")" + off1 + R"("})"));
  EXPECT_FALSE(m(sel("f|base64offset|contains: 'secret-value'"), R"({"f":"secret-value"})"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -exec '"), R"({"f":"run /exec now"})"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -exec '"), R"({"f":"run –exec now"})"));
  // utf16 without base64 has NUL bytes: not a fragment, still matched
  auto c = compile(rule_doc(sel("f|wide|contains: 'ping'")));
  ASSERT_TRUE(c->engine);
  EXPECT_EQ(c->engine->prefiltered_count(), 0u);
}

TEST(Prefilter, NumbersAndBooleans) {
  // a number's text is its shortest spelling, not the record's
  EXPECT_TRUE(m(sel("f|startswith: '100'"), R"({"f":1e2})"));
  EXPECT_TRUE(m(sel("f|contains: '.5'"), R"({"f":0.50})"));
  EXPECT_TRUE(m(sel("f: 100"), R"({"f":100.0})"));
  EXPECT_TRUE(m(sel("f: 'true'"), R"({"f":true})"));
  EXPECT_TRUE(m(sel("f|startswith: 'fal'"), R"({"f":false})"));
  EXPECT_TRUE(m(sel("f|contains: 'e+2'"), R"({"f":"1e+2x"})"));
}

TEST(Prefilter, NestedNotAndFilters) {
  std::string det =
      "  sel:\n    eventName: PutBucketPolicy\n  admin:\n    requestParameters.policy|contains: 'Principal'\n"
      "  condition: sel and not (admin and not sel)\n";
  EXPECT_TRUE(m(det, R"({"eventName":"PutBucketPolicy"})"));
  std::string det2 =
      "  a:\n    f|contains: 'alpha'\n  b:\n    g|contains: 'bravo'\n  condition: a and not b\n";
  EXPECT_TRUE(m(det2, R"({"f":"xalphax"})"));
  EXPECT_FALSE(m(det2, R"({"f":"xalphax","g":"bravo"})"));
  EXPECT_FALSE(m(det2, R"({"g":"bravo"})"));
  std::string det3 =
      "  a:\n    f|contains: 'alpha'\n  b:\n    g|contains: 'bravo'\n  condition: not (not a or b)\n";
  EXPECT_TRUE(m(det3, R"({"f":"alpha"})"));
  // 1 of / all of / keywords / arrays
  std::string det4 = "  s1:\n    f|contains: 'alpha'\n  s2:\n    g|endswith: 'omega'\n  condition: 1 of s*\n";
  EXPECT_TRUE(m(det4, R"({"g":["x","xOMEGA"]})"));
  EXPECT_FALSE(m(det4, R"({"g":["x"]})"));
  EXPECT_TRUE(
      m("  keywords:\n    - '*evilcorp*'\n  condition: keywords\n", R"({"a":{"b":["EvilCorp ltd"]}})"));
  EXPECT_TRUE(m("  sel:\n    - f: abcd\n    - g|exists: true\n  condition: sel\n", R"({"g":1})"));
}

TEST(Prefilter, MetaFilterDoesNotHideMatches) {
  std::string yaml =
      rule_doc(sel("f|contains: 'alpha'")) +
      "---\ntitle: f\nlogsource: {product: aws}\nfilter:\n  rules: [11111111-1111-4111-8111-111111111111]\n"
      "  selection:\n    g: 'bravo'\n  condition: selection\n";
  auto c = compile(yaml);
  ASSERT_TRUE(c->engine) << c->diags.to_text();
  for (const char* json : {R"({"f":"alpha"})", R"({"f":"alpha","g":"bravo"})", R"({"g":"bravo"})"}) {
    Outcome r = run(*c->engine, json);
    EXPECT_EQ(r.plain, r.filtered) << json;
  }
}

TEST(Prefilter, HuntCountsEvaluatedAndSkippedRules) {
  auto c = compile(rule_doc(sel("userAgent|contains: 'sqlmap'")));
  ASSERT_TRUE(c->engine);
  std::string path = ::testing::TempDir() + "/prefilter_hunt.json";
  std::ofstream(path, std::ios::binary)
      << R"({"Records":[{"eventTime":"2024-01-01T00:00:00Z","userAgent":"aws-cli"},)"
      << R"({"eventTime":"2024-01-01T00:00:01Z","userAgent":"sqlmap/1.7"},)"
      << R"({"eventTime":"2024-01-01T00:00:02Z","userAgent":"x\/y"}]})";
  struct Count : AlertSink {
    int n = 0;
    void alert(const Alert&) override { ++n; }
  } sink;
  HuntOptions o;
  o.threads = 1;
  HuntStats st = hunt(*c->engine, {path}, o, sink);
  EXPECT_EQ(sink.n, 1);
  EXPECT_EQ(st.match.events, 3u);
  EXPECT_EQ(st.match.scanned, 2u);
  EXPECT_EQ(st.match.unscannable, 1u);
  EXPECT_EQ(st.match.skipped, 1u);
  EXPECT_EQ(st.match.evaluated, 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sekimori::detect
