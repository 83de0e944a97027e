// Runs google/cel-spec's conformance tests (../shared/corpora/cel-spec/*.jsonl, one
// SimpleTest per line as JSON) through sekimori's CEL parser, compiler and evaluator.
//
// Tests that need protobuf messages (TestAllTypes, google.protobuf wrapper types, a
// proto container) do not apply to a JSON-typed engine and are skipped, counted by
// reason. Everything else must pass at --min-pass-rate; --report writes every failure.
//
//   cel_conformance --dir ../shared/corpora/cel-spec --min-pass-rate 0.95 --report out.txt
//
// Exit: 0 pass rate met, 1 not met, 77 corpus absent (ctest SKIP_RETURN_CODE), 2 usage.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cel/program.h"
#include "core/base64.h"
#include "formats/document.h"

namespace {

using sekimori::cel::Kind;
using sekimori::cel::Value;
using sekimori::formats::Node;
using sekimori::formats::NodeKind;

std::string str(const Node* n) { return n && n->kind() == NodeKind::kString ? std::string(n->as_string()) : ""; }

// Converts a cel.expr.Value in proto3 JSON form into a runtime value; nullopt when it
// needs protobuf messages.
std::optional<Value> to_value(const Node& v) {
  if (v.kind() != NodeKind::kMap || v.members().empty()) return std::nullopt;
  const auto& m = v.members().front();
  std::string_view kind = m.key.as_string();
  const Node& x = m.value;
  if (kind == "null_value") return Value::null();
  if (kind == "bool_value") return Value::boolean(x.as_bool());
  if (kind == "int64_value") return Value::integer(std::stoll(std::string(x.as_string())));
  if (kind == "uint64_value") return Value::uinteger(std::stoull(std::string(x.as_string())));
  if (kind == "double_value") {
    if (x.kind() == NodeKind::kString) {
      std::string s(x.as_string());
      if (s == "NaN") return Value::dbl(std::nan(""));
      if (s == "Infinity") return Value::dbl(INFINITY);
      if (s == "-Infinity") return Value::dbl(-INFINITY);
      return Value::dbl(std::stod(s));
    }
    if (x.kind() == NodeKind::kInt) return Value::dbl(static_cast<double>(x.as_int()));
    if (x.kind() == NodeKind::kUint) return Value::dbl(static_cast<double>(x.as_uint()));
    return Value::dbl(x.as_double());
  }
  if (kind == "string_value") return Value::string(std::string(x.as_string()));
  if (kind == "bytes_value") {
    auto b = sekimori::core::base64_decode(x.as_string());
    if (!b) return std::nullopt;
    return Value::bytes(*b);
  }
  if (kind == "type_value") {
    auto t = sekimori::cel::type_by_name(x.as_string());
    if (!t) return std::nullopt;
    return t;
  }
  if (kind == "list_value") {
    std::vector<Value> items;
    if (const Node* vals = x.find("values")) {
      for (const Node& item : vals->items()) {
        auto iv = to_value(item);
        if (!iv) return std::nullopt;
        items.push_back(*iv);
      }
    }
    return Value::list(std::move(items));
  }
  if (kind == "map_value") {
    std::vector<std::pair<Value, Value>> entries;
    if (const Node* es = x.find("entries")) {
      for (const Node& e : es->items()) {
        auto k = to_value(*e.find("key"));
        auto val = to_value(*e.find("value"));
        if (!k || !val) return std::nullopt;
        entries.emplace_back(*k, *val);
      }
    }
    return Value::make_map(std::move(entries));
  }
  if (kind == "object_value") {
    std::string type = str(x.find("@type"));
    std::string value = str(x.find("value"));
    if (type == "type.googleapis.com/google.protobuf.Duration") {
      auto d = sekimori::cel::parse_duration(value);
      if (d.ok()) return Value::duration(*d);
    }
    if (type == "type.googleapis.com/google.protobuf.Timestamp") {
      auto t = sekimori::cel::parse_timestamp(value);
      if (t.ok()) return Value::timestamp(*t);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// Equality that also requires the same kinds (1 and 1u and 1.0 are different results).
bool same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kDouble:
      if (std::isnan(a.as_double()) && std::isnan(b.as_double())) return true;
      return a.as_double() == b.as_double();
    case Kind::kList:
      if (a.list_size() != b.list_size()) return false;
      for (size_t i = 0; i < a.list_size(); ++i) {
        if (!same(a.list_at(i), b.list_at(i))) return false;
      }
      return true;
    case Kind::kMap:
      if (a.map_size() != b.map_size()) return false;
      for (size_t i = 0; i < a.map_size(); ++i) {
        auto other = b.map_find(a.map_key_at(i));
        if (!other || !same(a.map_value_at(i), *other)) return false;
      }
      return true;
    default:
      return sekimori::cel::equal(a, b);
  }
}

// Why a test does not apply to a JSON-typed engine, or "" when it does.
std::string skip_reason(const std::string& line, const Node& test) {
  if (!str(test.find("container")).empty()) return "proto container";
  for (const char* marker : {"TestAllTypes", "NestedTestAllTypes", "google.protobuf.", "cel.expr.conformance",
                             "\"object_value\"", "proto2", "proto3", "\"enum_value\""}) {
    if (line.find(marker) != std::string::npos) {
      // Durations and timestamps are supported values even though their type names
      // mention google.protobuf.
      std::string l = line;
      for (const char* ok : {"google.protobuf.Duration", "google.protobuf.Timestamp"}) {
        size_t p;
        while ((p = l.find(ok)) != std::string::npos) l.erase(p, std::strlen(ok));
      }
      if (l.find(marker) != std::string::npos) return std::string("uses protobuf (") + marker + ")";
    }
  }
  return "";
}

struct Tally {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string report_path;
  double min_rate = 0.95;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--report" && i + 1 < argc) {
      report_path = argv[++i];
    } else if (a == "--min-pass-rate" && i + 1 < argc) {
      min_rate = std::stod(argv[++i]);
    } else if (a == "-v") {
      verbose = true;
    } else {
      std::fprintf(stderr, "usage: cel_conformance --dir DIR [--min-pass-rate R] [--report FILE] [-v]\n");
      return 2;
    }
  }
  if (dir.empty() || !std::filesystem::is_directory(dir)) {
    std::printf("SKIP: CEL conformance corpus not found at '%s' (it lives in ../shared/corpora/cel-spec)\n",
                dir.c_str());
    return 77;
  }

  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  std::map<std::string, Tally> per_file;
  std::map<std::string, int> skip_reasons;
  std::ostringstream failures;
  Tally total;

  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    std::string file = path.stem().string();
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      sekimori::core::Diagnostics diags;
      auto doc = sekimori::formats::load_json(path.string(), line, {}, diags);
      if (!doc.ok()) {
        failures << file << ": unreadable test line: " << doc.error().to_string() << "\n";
        ++per_file[file].failed;
        continue;
      }
      const Node& test = doc->root();
      std::string name = file + "/" + str(test.find("section")) + "/" + str(test.find("name"));
      std::string reason = skip_reason(line, test);

      sekimori::cel::Activation act;
      sekimori::cel::CompileOptions options;
      if (const Node* dc = test.find("disable_check"); dc && dc->kind() == NodeKind::kBool) {
        options.strict_functions = !dc->as_bool();
      }
      if (reason.empty()) {
        if (const Node* b = test.find("bindings")) {
          for (const auto& m : b->members()) {
            const Node* v = m.value.find("value");
            auto val = v ? to_value(*v) : std::nullopt;
            if (!val) {
              reason = "binding needs protobuf";
              break;
            }
            act.bind(std::string(m.key.as_string()), *val);
            options.variables.emplace_back(m.key.as_string());
          }
        }
        if (const Node* env = test.find("type_env")) {
          for (const Node& d : env->items()) {
            std::string n = str(d.find("name"));
            if (!n.empty() && d.find("ident")) options.variables.push_back(n);
          }
        }
      }
      std::optional<Value> expected;
      bool expect_error = test.find("eval_error") || test.find("any_eval_errors");
      if (reason.empty() && !expect_error) {
        if (const Node* v = test.find("value")) {
          expected = to_value(*v);
          if (!expected) reason = "expected value needs protobuf";
        } else if (test.find("unknown")) {
          reason = "unknown-set expectation";
        } else {
          expected = Value::boolean(true);  // SimpleTest's default result
        }
      }
      if (!reason.empty()) {
        ++skip_reasons[reason];
        ++per_file[file].skipped;
        ++total.skipped;
        continue;
      }

      std::string expr = str(test.find("expr"));
      auto program = sekimori::cel::Program::compile(expr, options);
      bool ok = false;
      std::string got;
      if (!program.ok()) {
        ok = expect_error;
        got = "compile error: " + program.error().to_string();
      } else {
        Value result = program->evaluate(act);
        got = result.debug_string();
        ok = expect_error ? result.is_error() : same(result, *expected);
      }
      if (ok) {
        ++per_file[file].passed;
        ++total.passed;
      } else {
        ++per_file[file].failed;
        ++total.failed;
        failures << name << "\n    expr:     " << expr << "\n    expected: "
                 << (expect_error ? std::string("an error") : expected->debug_string())
                 << "\n    got:      " << got << "\n";
      }
    }
  }

  std::ostringstream summary;
  summary << "CEL conformance (google/cel-spec)\n";
  for (const auto& [file, t] : per_file) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %-14s %4d passed %4d failed %4d skipped\n", file.c_str(), t.passed,
                  t.failed, t.skipped);
    summary << buf;
  }
  summary << "skipped (not applicable to JSON-typed data):\n";
  for (const auto& [r, n] : skip_reasons) summary << "  " << n << "  " << r << "\n";
  int applicable = total.passed + total.failed;
  double rate = applicable ? static_cast<double>(total.passed) / applicable : 0.0;
  char buf[200];
  std::snprintf(buf, sizeof buf, "pass rate %.2f%% of %d applicable tests (required %.0f%%)\n", rate * 100,
                applicable, min_rate * 100);
  summary << buf;

  std::fputs(summary.str().c_str(), stdout);
  if (verbose) std::fputs(failures.str().c_str(), stdout);
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << summary.str() << "\nfailures:\n" << failures.str();
  }
  std::printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return rate >= min_rate ? 0 : 1;
}
