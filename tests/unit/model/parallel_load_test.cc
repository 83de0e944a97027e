// Loading a directory on several threads gives exactly what one thread gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <span>
#include <string>

#include "model/estate.h"

namespace sekimori::model {
namespace {

namespace fs = std::filesystem;

struct Snapshot {
  std::vector<std::string> resources;  // id, type, file:line
  std::vector<std::string> inputs;
  std::string diagnostics;
};

// `streamed`: resources handed to a consumer batch by batch instead of kept.
Snapshot load_dir(const std::string& dir, size_t threads, bool streamed = false) {
  Estate e;
  core::Diagnostics d;
  LoadOptions o;
  o.threads = threads;
  Snapshot s;
  auto describe = [&s](const Resource& r) {
    s.resources.push_back(r.id + " " + r.type + " " + r.location.to_string());
  };
  // Streamed batches arrive on the loading threads, not in input order: kept by number.
  std::mutex mu;
  std::map<uint64_t, std::vector<std::string>> batches;
  if (streamed) {
    e.set_consumer([&](std::span<const Resource> rs, const Estate::Batch& b) {
      std::vector<std::string> described;
      for (const Resource& r : rs) {
        EXPECT_NE(r.attributes, nullptr);  // alive during the call
        described.push_back(r.id + " " + r.type + " " + r.location.to_string());
      }
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_TRUE(batches.emplace(b.input, std::move(described)).second) << "batch " << b.input << " twice";
    });
  }
  e.add_path(dir, o, d);
  if (streamed) {
    EXPECT_TRUE(e.resources().empty());
    // Every input is numbered, in order, also those without resources.
    EXPECT_EQ(batches.size(), e.inputs().size());
    uint64_t expect = 0;
    for (auto& [n, described] : batches) {
      EXPECT_EQ(n, expect++);
      s.resources.insert(s.resources.end(), described.begin(), described.end());
    }
  }
  for (const Resource& r : e.resources()) describe(r);
  for (const Input& in : e.inputs()) {
    s.inputs.push_back(in.path + " " + std::to_string(in.resources) + (in.failed ? " failed" : ""));
  }
  s.diagnostics = d.to_text();
  return s;
}

TEST(ParallelLoad, SameResultWhateverTheThreadCount) {
  fs::path dir = fs::temp_directory_path() / ("skm-parallel-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int i = 0; i < 24; ++i) {
    std::ofstream f(dir / ("t" + std::to_string(100 + i) + ".yaml"));
    f << "Resources:\n";
    for (int j = 0; j < 5; ++j) {
      f << "  B" << j << ":\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: b" << i << "-" << j << "}\n";
    }
    if (i % 7 == 3) f << "  Bad: [unclosed\n";  // a malformed file among good ones
  }
  Snapshot one = load_dir(dir.string(), 1);
  Snapshot four = load_dir(dir.string(), 4);
  Snapshot streamed_one = load_dir(dir.string(), 1, true);
  Snapshot streamed_three = load_dir(dir.string(), 3, true);
  fs::remove_all(dir);
  EXPECT_EQ(one.resources, streamed_one.resources);
  EXPECT_EQ(one.resources, streamed_three.resources);
  EXPECT_EQ(one.inputs, streamed_three.inputs);
  EXPECT_EQ(one.diagnostics, streamed_three.diagnostics);
  EXPECT_EQ(one.resources.size(), 24u * 5 - 3 * 5);  // the 3 malformed files load nothing
  EXPECT_EQ(one.resources, four.resources);
  EXPECT_EQ(one.inputs, four.inputs);
  EXPECT_EQ(one.diagnostics, four.diagnostics);
  EXPECT_NE(one.diagnostics.find("t103.yaml"), std::string::npos);
}

}  // namespace
}  // namespace sekimori::model
