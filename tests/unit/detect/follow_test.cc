// Follower: tail -F semantics for `sekimori watch`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "detect/follow.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

struct Names : FollowSink {
  std::vector<std::string> names;
  std::vector<std::string> files;
  int errors = 0;
  void begin_file(const std::string& p) override { files.push_back(p); }
  void file_error(const std::string&, const core::Error&) override { ++errors; }
  std::vector<uint64_t> offsets, indexes;
  std::vector<std::string> problem_files;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t index) override {
    names.push_back(scalar_text(lookup(r, "eventName")));
    offsets.push_back(offset);
    indexes.push_back(index);
  }
  void malformed(uint64_t, std::string_view) override {
    problem_files.push_back(files.empty() ? "" : files.back());
  }
};

TEST(Follower, FollowsGrowingJsonLinesAndNewFiles) {
  std::string dir = ::testing::TempDir() + "/skm_follow";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string lines = dir + "/a.jsonl";
  std::ofstream(lines) << "{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n";
  Follower f({dir}, {});
  Names s;
  f.poll(s);
  EXPECT_EQ(s.names, (std::vector<std::string>{"A", "B"}));
  {
    std::ofstream out(lines, std::ios::app);
    out << "{\"eventName\":\"C\"}\n{\"eventName\":";  // a line still being written
  }
  f.poll(s);
  EXPECT_EQ(s.names, (std::vector<std::string>{"A", "B", "C"}));
  { std::ofstream(lines, std::ios::app) << "\"D\"}\n"; }
  std::ofstream(dir + "/b.json") << "{\"Records\":[{\"eventName\":\"R\"}]}";
  f.poll(s);  // D; the new Records file waits until its size is stable
  EXPECT_EQ(s.names, (std::vector<std::string>{"A", "B", "C", "D"}));
  f.poll(s);
  EXPECT_EQ(s.names, (std::vector<std::string>{"A", "B", "C", "D", "R"}));
  f.poll(s);  // nothing new, nothing read twice
  EXPECT_EQ(s.names.size(), 5u);
  // a growing file's records are numbered and located in the file, poll after poll
  EXPECT_EQ(s.indexes, (std::vector<uint64_t>{0, 1, 2, 3, 0}));
  EXPECT_EQ(s.offsets[2], 36u);
  EXPECT_EQ(s.offsets[3], 54u);
  std::ofstream(lines, std::ios::trunc) << "{\"eventName\":\"E\"}\n";  // truncated: start over
  f.poll(s);
  EXPECT_EQ(s.names.back(), "E");
  EXPECT_EQ(s.indexes.back(), 0u);
  EXPECT_EQ(s.errors, 0);
}

// A line over the limit with no line break yet is reported as the growing file's problem.
TEST(Follower, OverlongLineIsTheFilesProblem) {
  std::string dir = ::testing::TempDir() + "/skm_follow_long";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/a.json") << "{\"Records\":[{\"eventName\":\"R\"}]}";
  std::ofstream(dir + "/b.jsonl") << "{\"eventName\":\"A\"}\n";
  ReaderLimits limits;
  limits.max_line_bytes = 64;
  Follower f({dir}, limits);
  Names s;
  f.poll(s);
  f.poll(s);  // a.json is read once its size is stable
  { std::ofstream(dir + "/b.jsonl", std::ios::app) << "{\"eventName\":\"" << std::string(200, 'x'); }
  f.poll(s);
  ASSERT_EQ(s.problem_files.size(), 1u);
  EXPECT_EQ(s.problem_files[0], dir + "/b.jsonl");
}

TEST(Follower, StartAtEndSkipsExistingData) {
  std::string dir = ::testing::TempDir() + "/skm_follow_end";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/a.jsonl") << "{\"eventName\":\"OLD\"}\n";
  Follower f({dir}, {}, /*start_at_end=*/true);
  Names s;
  f.poll(s);
  EXPECT_TRUE(s.names.empty());
  { std::ofstream(dir + "/a.jsonl", std::ios::app) << "{\"eventName\":\"NEW\"}\n"; }
  f.poll(s);
  EXPECT_EQ(s.names, (std::vector<std::string>{"NEW"}));
}

}  // namespace
}  // namespace sekimori::detect
