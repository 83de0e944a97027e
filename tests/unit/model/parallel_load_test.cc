// Loading a directory on several threads gives exactly what one thread gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

Snapshot load_dir(const std::string& dir, size_t threads) {
  Estate e;
  core::Diagnostics d;
  LoadOptions o;
  o.threads = threads;
  e.add_path(dir, o, d);
  Snapshot s;
  for (const Resource& r : e.resources()) s.resources.push_back(r.id + " " + r.type + " " + r.location.to_string());
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
  fs::remove_all(dir);
  EXPECT_EQ(one.resources.size(), 24u * 5 - 3 * 5);  // the 3 malformed files load nothing
  EXPECT_EQ(one.resources, four.resources);
  EXPECT_EQ(one.inputs, four.inputs);
  EXPECT_EQ(one.diagnostics, four.diagnostics);
  EXPECT_NE(one.diagnostics.find("t103.yaml"), std::string::npos);
}

}  // namespace
}  // namespace sekimori::model
