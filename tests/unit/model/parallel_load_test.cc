// Loading a directory on several threads gives exactly what one thread gives.
#include <gtest/gtest.h>

#include <algorithm>
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
  std::vector<size_t> parts;  // streamed: the resources of each part, in order
};

// `streamed`: resources handed to a consumer batch by batch instead of kept.
Snapshot load_dir(const std::string& dir, size_t threads, bool streamed = false) {
  Estate e;
  core::Diagnostics d;
  LoadOptions o;
  o.threads = threads;
  Snapshot s;
  auto text = [](const Resource& r) {
    return r.id + " " + r.type + " " + r.location.to_string() + " " + std::to_string(r.suppressions.size());
  };
  // Streamed batches arrive on the loading threads, not in input order: kept by number
  // and part.
  std::mutex mu;
  struct Part {
    std::vector<std::string> described;
    bool last = false;
  };
  std::map<std::pair<uint64_t, uint32_t>, Part> batches;
  if (streamed) {
    e.set_consumer([&](std::span<const Resource> rs, const Estate::Batch& b) {
      Part p;
      p.last = b.last;
      for (const Resource& r : rs) {
        EXPECT_NE(r.attributes, nullptr);  // alive during the call
        p.described.push_back(text(r));
      }
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_TRUE(batches.emplace(std::make_pair(b.input, b.part), std::move(p)).second)
          << "batch " << b.input << " part " << b.part << " twice";
    });
  }
  e.add_path(dir, o, d);
  if (streamed) {
    EXPECT_TRUE(e.resources().empty());
    // Every input is numbered, in order, also those without resources; its parts too,
    // the last one marked.
    uint64_t input = 0;
    uint32_t part = 0;
    for (auto& [key, p] : batches) {
      EXPECT_EQ(key, std::make_pair(input, part));
      s.resources.insert(s.resources.end(), p.described.begin(), p.described.end());
      s.parts.push_back(p.described.size());
      if (p.last) {
        ++input;
        part = 0;
      } else {
        ++part;
      }
    }
    EXPECT_EQ(input, e.inputs().size());
    EXPECT_EQ(part, 0u);  // the last part of the last input was marked
  }
  for (const Resource& r : e.resources()) s.resources.push_back(text(r));
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
  // Large inputs are handed over in parts of 256 canonical resources: 600 buckets in
  // JSON (folded bucket policies are not resources of their own, and do not count)...
  {
    std::ofstream f(dir / "t200.json");
    f << "{\"Resources\": {";
    for (int j = 0; j < 600; ++j) {
      f << (j > 0 ? "," : "") << "\"B" << j << "\": {\"Type\": \"AWS::S3::Bucket\"}";
      if (j % 100 == 0) {
        f << ",\"P" << j << "\": {\"Type\": \"AWS::S3::BucketPolicy\", "
          << "\"Properties\": {\"Bucket\": {\"Ref\": \"B" << j << "\"}, \"PolicyDocument\": {}}}";
      }
    }
    f << "}}\n";
  }
  // ... except YAML with inline suppressions, matched against the whole file's resources.
  {
    std::ofstream f(dir / "t201.yaml");
    f << "Resources:\n";
    for (int j = 0; j < 300; ++j) {
      if (j == 299) f << "  # sekimori:ignore SKM-AWS-S3-001 reason=\"a public website\"\n";
      f << "  W" << j << ":\n    Type: AWS::S3::Bucket\n";
    }
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
  EXPECT_EQ(one.resources.size(), 24u * 5 - 3 * 5 + 600 + 300);  // the 3 malformed files load nothing
  // The comment's suppression went to the resource under it.
  auto w299 = std::find_if(one.resources.begin(), one.resources.end(),
                           [](const std::string& r) { return r.rfind("W299 ", 0) == 0; });
  ASSERT_NE(w299, one.resources.end());
  EXPECT_EQ(w299->substr(w299->size() - 2), " 1") << *w299;
  // 21 small files and 3 malformed ones in one part each, t200.json in three, t201.yaml in one.
  const std::vector<size_t> parts_expected = [] {
    std::vector<size_t> v;
    for (int i = 0; i < 24; ++i) v.push_back(i % 7 == 3 ? 0 : 5);
    for (size_t n : {256, 256, 88, 300}) v.push_back(n);
    return v;
  }();
  EXPECT_EQ(streamed_one.parts, parts_expected);
  EXPECT_EQ(streamed_three.parts, parts_expected);
  EXPECT_EQ(one.resources, four.resources);
  EXPECT_EQ(one.inputs, four.inputs);
  EXPECT_EQ(one.diagnostics, four.diagnostics);
  EXPECT_NE(one.diagnostics.find("t103.yaml"), std::string::npos);
}

}  // namespace
}  // namespace sekimori::model
