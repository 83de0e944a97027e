// Large JSON-lines files read in parts (RecordReader::read_part, HuntOptions::part_bytes),
// streams (standard input, large gzip files) cut into parts as they are read (LineSplitter),
// and results handed over in segments (HuntOptions::segment_bytes): parts cut at any
// offsets read every line once, and hunt() gives the same alerts, record indices,
// correlation alerts, statistics and problems as when it reads each file whole in one
// piece, whatever the part and segment sizes and the number of threads.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "detect/hunt.h"
#include "detect/source.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::gzip;

std::string temp_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

std::string event(int i, const std::string& name, const std::string& ip) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "2024-01-01T10:%02d:%02dZ", (i / 60) % 60, i % 60);
  return R"({"eventTime":")" + std::string(ts) + R"(","eventName":")" + name +
         R"(","eventSource":"s3.amazonaws.com","sourceIPAddress":")" + ip +
         R"(","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/u)" +
         std::to_string(i) + R"("},"requestParameters":{"n":)" + std::to_string(i) +
         std::string(static_cast<size_t>(i % 7) * 9, ' ') + "}}";
}

// Records and problems as the reader reports them, each record with its index in the file.
struct Collect : RecordSink {
  uint64_t before = 0;  // records of the parts read before (read_part counts from 0)
  std::vector<std::string> seen;
  void record(simdjson::dom::element rec, uint64_t offset, uint64_t index) override {
    seen.push_back(std::to_string(offset) + " #" + std::to_string(before + index) + " " +
                   simdjson::minify(rec));
  }
  void malformed(uint64_t offset, std::string_view message) override {
    seen.push_back(std::to_string(offset) + " ! " + std::string(message));
  }
};

// JSON lines with every kind of line a reader meets.
std::string mixed_lines() {
  std::string text;
  for (int i = 0; i < 12; ++i) text += event(i, "GetObject", "10.0.0.1") + "\n";
  text += "\n   \n";     // blank lines
  text += "not json\n";  // a line that does not parse
  text += R"({"Records":[{"a":1},{"b":"x"}]})"
          "\r\n";  // two records on one line, CRLF
  text += R"([{"c":2},3])"
          "\n";                                               // an array with a non-record
  text += "{\"long\":\"" + std::string(1000, 'x') + "\"}\n";  // over max_line_bytes below
  for (int i = 12; i < 20; ++i) text += event(i, "PutObject", "10.0.0.2") + "\n";
  text += R"({"last":true})";  // no newline at the end
  return text;
}

TEST(Parts, ReadPartsCoverEveryLineOnce) {
  std::string path = temp_dir("parts_read") + "/lines.jsonl";
  std::string text = mixed_lines();
  std::ofstream(path, std::ios::binary) << text;

  ReaderLimits limits;
  limits.chunk_bytes = 64;
  limits.max_line_bytes = 600;
  Collect whole;
  ReadStats whole_stats;
  RecordReader reader(limits);
  ASSERT_TRUE(reader.read_file(path, whole, whole_stats).ok());
  ASSERT_GT(whole.seen.size(), 25u);
  ASSERT_EQ(whole_stats.malformed, 3u);  // "not json", the array's 3, the long line

  for (uint64_t part : {1, 2, 7, 50, 64, 100, 333, 1000, 100000}) {
    Collect parts;
    ReadStats total;
    for (uint64_t begin = 0; begin < text.size(); begin += part) {
      ReadStats st;
      ASSERT_TRUE(reader.read_part(path, begin, begin + part, parts, st).ok());
      parts.before += st.records;
      total.bytes_read += st.bytes_read;
      total.bytes_decoded += st.bytes_decoded;
      total.records += st.records;
      total.malformed += st.malformed;
    }
    EXPECT_EQ(parts.seen, whole.seen) << "parts of " << part << " bytes";
    EXPECT_EQ(total.bytes_read, text.size()) << part;
    EXPECT_EQ(total.bytes_decoded, whole_stats.bytes_decoded) << part;
    EXPECT_EQ(total.records, whole_stats.records) << part;
    EXPECT_EQ(total.malformed, whole_stats.malformed) << part;
  }
  // a part past the end, or inside the last line, holds nothing
  Collect none;
  ReadStats st;
  ASSERT_TRUE(reader.read_part(path, text.size() - 3, text.size() + 10, none, st).ok());
  EXPECT_TRUE(none.seen.empty());
  EXPECT_EQ(st.bytes_read, 0u);
  EXPECT_FALSE(reader.read_part(path + ".missing", 0, 10, none, st).ok());
}

// Reads `path` through a LineSplitter: the records and problems, the summed statistics,
// the number of parts and the error that ended it (if any).
struct Split {
  Collect seen;
  ReadStats total;
  size_t parts = 0;
  std::optional<core::Error> error;
};
Split read_split(const std::string& path, const ReaderLimits& limits, uint64_t part_bytes) {
  Split out;
  RecordReader reader(limits);
  LineSplitter splitter(path, limits, part_bytes);
  uint64_t expected_base = 0;
  while (auto part = splitter.next()) {
    EXPECT_GE(LineSplitter::base(*part), expected_base);
    expected_base = LineSplitter::base(*part);
    bool last = LineSplitter::last(*part);
    ReadStats st;
    core::Status s = reader.read_split(*part, out.seen, st);
    splitter.recycle(std::move(part));
    ++out.parts;
    out.seen.before += st.records;
    out.total.bytes_read += st.bytes_read;
    out.total.bytes_decoded += st.bytes_decoded;
    out.total.records += st.records;
    out.total.malformed += st.malformed;
    out.total.gzip = out.total.gzip || st.gzip;
    if (!s.ok()) {
      out.error = s.error();
      EXPECT_TRUE(last);  // an error ends the input
    }
    if (last) {
      EXPECT_EQ(splitter.next(), nullptr);
    }
  }
  return out;
}

TEST(Parts, SplitStreamsCoverEveryLineOnce) {
  std::string dir = temp_dir("parts_split");
  std::string text = mixed_lines();
  std::ofstream(dir + "/lines.jsonl", std::ios::binary) << text;
  size_t cut = text.size() / 3;
  std::string gz = gzip(text.substr(0, cut)) + std::string(7, '\0') + gzip(text.substr(cut));  // two members
  std::ofstream(dir + "/lines.jsonl.gz", std::ios::binary) << gz;

  ReaderLimits limits;
  limits.chunk_bytes = 512;  // the first line fits: JSON lines (as read_file() tells them)
  limits.max_line_bytes = 600;
  RecordReader reader(limits);
  Collect whole;
  ReadStats whole_stats;
  ASSERT_TRUE(reader.read_file(dir + "/lines.jsonl", whole, whole_stats).ok());
  ASSERT_EQ(whole_stats.malformed, 3u);

  for (uint64_t part : {1, 50, 333, 1000, 100000}) {
    for (const char* name : {"/lines.jsonl", "/lines.jsonl.gz"}) {
      Split got = read_split(dir + name, limits, part);
      std::string what = std::string(name) + " in parts of " + std::to_string(part);
      EXPECT_FALSE(got.error) << what << ": " << got.error->message;
      EXPECT_EQ(got.seen.seen, whole.seen) << what;
      EXPECT_EQ(got.total.bytes_read, std::string(name).ends_with(".gz") ? gz.size() : text.size()) << what;
      EXPECT_EQ(got.total.bytes_decoded, whole_stats.bytes_decoded) << what;
      EXPECT_EQ(got.total.records, whole_stats.records) << what;
      EXPECT_EQ(got.total.malformed, whole_stats.malformed) << what;
      EXPECT_EQ(got.total.gzip, std::string(name).ends_with(".gz")) << what;
      if (part < 100) {
        EXPECT_GT(got.parts, 5u) << what;
      }
    }
  }

  // Not JSON lines: one part, the whole input, read as read_file() reads it.
  std::string doc = R"({"Records":[)" + event(1, "GetObject", "10.0.0.1") + "," + event(2, "x", "y") + "]}";
  doc += std::string(600, ' ');  // beyond one chunk
  std::ofstream(dir + "/doc.json", std::ios::binary) << doc;
  std::ofstream(dir + "/doc.json.gz", std::ios::binary) << gzip(doc);
  for (const char* name : {"/doc.json", "/doc.json.gz"}) {
    Collect expected;
    ReadStats st;
    ASSERT_TRUE(reader.read_file(dir + name, expected, st).ok());
    Split got = read_split(dir + name, limits, 50);
    EXPECT_FALSE(got.error) << name;
    EXPECT_EQ(got.parts, 1u) << name;
    EXPECT_EQ(got.seen.seen, expected.seen) << name;
    EXPECT_EQ(got.total.records, 2u) << name;
  }

  // Cut short: the lines before the damage, then the error; an empty input; a missing one.
  std::ofstream(dir + "/short.jsonl.gz", std::ios::binary) << gz.substr(0, gz.size() * 3 / 4);
  Split truncated = read_split(dir + "/short.jsonl.gz", limits, 200);
  ASSERT_TRUE(truncated.error);
  EXPECT_EQ(truncated.error->code, "detect.input.gzip");
  EXPECT_GE(truncated.total.records, 5u);
  EXPECT_LT(truncated.total.records, whole_stats.records);
  // the error names where reading stopped, the start of the first line lost, as a whole
  // read of the same file does
  Collect short_whole;
  ReadStats short_stats;
  core::Status short_status = reader.read_file(dir + "/short.jsonl.gz", short_whole, short_stats);
  ASSERT_FALSE(short_status.ok());
  ASSERT_TRUE(short_status.error().location && truncated.error->location);
  uint64_t stopped = short_status.error().location->offset;
  EXPECT_EQ(truncated.error->location->offset, stopped);
  EXPECT_EQ(truncated.seen.seen, short_whole.seen);
  ASSERT_GT(stopped, 0u);
  ASSERT_LT(stopped, text.size());
  EXPECT_EQ(text[stopped - 1], '\n');
  EXPECT_EQ(short_stats.bytes_decoded, stopped);
  std::ofstream(dir + "/empty.jsonl", std::ios::binary) << "";
  Split empty = read_split(dir + "/empty.jsonl", limits, 200);
  EXPECT_EQ(empty.parts, 1u);
  EXPECT_EQ(empty.total.records, 0u);
  Split missing = read_split(dir + "/missing.jsonl", limits, 200);
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->code, "detect.input.io");

  // Which inputs hunt() cuts this way: standard input, and gzip files beyond one chunk.
  EXPECT_TRUE(LineSplitter::wants("-", limits));
  EXPECT_TRUE(LineSplitter::wants(dir + "/lines.jsonl.gz", limits));
  EXPECT_FALSE(LineSplitter::wants(dir + "/lines.jsonl", limits));
  EXPECT_FALSE(LineSplitter::wants(dir + "/missing.jsonl", limits));
  ReaderLimits big;
  EXPECT_FALSE(LineSplitter::wants(dir + "/lines.jsonl.gz", big));
}

TEST(Parts, OnlyLargePlainJsonLinesFilesAreSplittable) {
  std::string dir = temp_dir("parts_kind");
  ReaderLimits limits;
  limits.chunk_bytes = 256;
  std::string lines, doc = R"({"Records":[)";
  for (int i = 0; i < 10; ++i) {
    lines += event(i, "GetObject", "10.0.0.1") + "\n";
    doc += (i ? "," : "") + event(i, "GetObject", "10.0.0.1");
  }
  doc += "]}\n";
  std::ofstream(dir + "/lines.jsonl") << lines;
  std::ofstream(dir + "/doc.json") << doc;
  std::ofstream(dir + "/small.jsonl") << lines.substr(0, lines.find('\n') + 1) << R"({"a":1})"
                                      << "\n";
  std::ofstream(dir + "/pretty.json") << "{\n  \"Records\": [\n"
                                      << event(1, "x", "y") << "\n  ]\n}\n"
                                      << std::string(300, ' ') << "\n";
  std::ofstream(dir + "/lines.jsonl.gz", std::ios::binary) << std::string("\x1f\x8b", 2) << lines;
  EXPECT_TRUE(RecordReader::is_json_lines_file(dir + "/lines.jsonl", limits));
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/doc.json", limits));
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/small.jsonl", limits));  // within one chunk
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/pretty.json", limits));
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/lines.jsonl.gz", limits));
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/missing.jsonl", limits));
  // the first line and what follows it are looked for past the first block read (64 KiB)
  ReaderLimits big;
  big.chunk_bytes = 1 << 20;
  std::string long_first =
      "{\"pad\":\"" + std::string(100000, 'x') + "\"}\n" + std::string(100000, '\n') + lines;
  long_first += std::string(big.chunk_bytes, '\n');
  std::ofstream(dir + "/long_first.jsonl") << long_first;
  EXPECT_TRUE(RecordReader::is_json_lines_file(dir + "/long_first.jsonl", big));
  std::ofstream(dir + "/one_long_line.json")
      << "{\"pad\":\"" << std::string(big.chunk_bytes + 10, 'x') << "\"}\n";
  EXPECT_FALSE(RecordReader::is_json_lines_file(dir + "/one_long_line.json", big));
}

const char* kRules =
    "title: role session\nname: role\nid: cccccccc-0000-4000-8000-000000000001\nlogsource: {product: aws}\n"
    "level: low\ndetection:\n  s: {userIdentity.type: AssumedRole}\n  condition: s\n---\n"
    "title: any get\nname: get\nid: cccccccc-0000-4000-8000-000000000002\nlogsource: {product: aws}\n"
    "detection:\n  s: {eventName|startswith: Get}\n  condition: s\n---\n"
    "title: many gets\nid: cccccccc-0000-4000-8000-000000000003\nlevel: high\ncorrelation:\n  type: "
    "event_count\n  rules: [get]\n  group-by: [sourceIPAddress]\n  timespan: 2m\n  condition: {gte: 3}\n";

using testing::engine_of;

// A hunt's statistics and its one problem, against those of reading each file whole.
void expect_same_stats(const HuntStats& st, const HuntStats& base, const std::string& what) {
  EXPECT_EQ(st.files, base.files) << what;
  EXPECT_EQ(st.bytes_read, base.bytes_read) << what;
  EXPECT_EQ(st.bytes_decoded, base.bytes_decoded) << what;
  EXPECT_EQ(st.records, base.records) << what;
  EXPECT_EQ(st.malformed, base.malformed) << what;
  EXPECT_EQ(st.alerts, base.alerts) << what;
  EXPECT_EQ(st.correlation_inputs, base.correlation_inputs) << what;
  EXPECT_EQ(st.late, 0u) << what;
  ASSERT_EQ(st.problems.size(), 1u) << what;
  EXPECT_EQ(st.problems[0].offset, base.problems[0].offset) << what;
  EXPECT_EQ(st.problems[0].message, base.problems[0].message) << what;
}

// Renders each alert as JSON and as OCSF (two record indices per alert to shift), on the
// workers or in alert(); correlation alerts apart (they come as their inputs are released,
// which is after each part rather than after the whole file).
struct TwoFormats : AlertSink {
  TwoFormats(const Engine& e, bool workers) : json(e), on_workers(workers) {}
  [[nodiscard]] bool render_on_workers() const override { return on_workers; }
  void render(const AlertView& a, std::string& out, std::vector<size_t>* record_at) const override {
    json.append(a, out, record_at);
    out += '\n';
    size_t at = 0;
    std::string ocsf = alert_ocsf(a, "test", &at);
    if (record_at != nullptr) record_at->push_back(out.size() + at);
    out += ocsf;
    out += '\n';
  }
  void rendered(std::string_view t, const std::vector<uint32_t>& rules) override {
    text += t;
    for (uint32_t r : rules) ++per_rule[r];
  }
  void alert(const Alert& a) override {
    render(a, a.correlation ? correlations : text, nullptr);
    ++per_rule[a.rule];
  }
  AlertJsonRenderer json;
  bool on_workers;
  std::string text, correlations;
  std::map<uint32_t, uint64_t> per_rule;
};

TEST(Parts, HuntGivesTheSameAlertsWhateverThePartsAndThreads) {
  auto e = engine_of(kRules);
  std::string dir = temp_dir("parts_hunt");
  std::string big = dir + "/big.jsonl", small = dir + "/small.jsonl", doc = dir + "/doc.json";
  {
    std::ofstream out(big, std::ios::binary);
    const char* names[] = {"GetObject", "PutObject", "ListBucket", "GetBucketAcl"};
    for (int i = 0; i < 400; ++i) {
      out << event(i, names[i % 4], "10.0.0." + std::to_string(i % 3)) << "\n";
      if (i == 150) out << "broken {\n\n";
      if (i == 250)
        out << R"({"Records":[{"eventTime":"2024-01-01T10:04:11Z","eventName":"GetX",)"
            << R"("sourceIPAddress":"10.0.0.1"},{"eventName":"GetY"}]})"
            << "\n";
    }
  }
  std::ofstream(small) << event(1000, "GetObject", "10.0.0.1") << "\n";
  {
    std::ofstream out(doc);
    out << R"({"Records":[)";
    for (int i = 0; i < 200; ++i)
      out << (i ? "," : "") << event(2000 + i, i % 2 ? "GetObject" : "PutObject", "10.0.0.9");
    out << "]}";
  }
  std::vector<std::string> files = {small, big, small, doc};
  uint64_t size = std::filesystem::file_size(big);

  auto run = [&](uint64_t part_bytes, uint64_t segment_bytes, unsigned threads, bool workers, HuntStats& st) {
    HuntOptions o;
    o.threads = threads;
    o.part_bytes = part_bytes;
    o.segment_bytes = segment_bytes;
    o.limits.chunk_bytes = 512;    // so that the small file is read whole and big.jsonl as lines
    o.reorder_window_ms = 10'000;  // correlation inputs are released part by part
    TwoFormats sink(*e, workers);
    st = hunt(*e, files, o, sink);
    return std::make_tuple(sink.text, sink.correlations, sink.per_rule);
  };
  HuntStats base_st;
  auto base = run(0, uint64_t{1} << 40, 1, true, base_st);
  EXPECT_EQ(base_st.files, 4u);
  EXPECT_EQ(base_st.records, 604u);
  EXPECT_EQ(base_st.malformed, 1u);
  EXPECT_GT(base_st.alerts, 450u);
  ASSERT_EQ(base_st.problems.size(), 1u);
  // the record indices of the second half are there (the shift matters), in correlation
  // alerts' contributing events too
  const auto& [base_text, base_corr, base_counts] = base;
  EXPECT_NE(base_text.find(R"("record":390)"), std::string::npos);
  EXPECT_NE(base_text.find(R"(:390")"), std::string::npos);  // OCSF finding uid
  EXPECT_NE(base_corr.find(R"("many gets")"), std::string::npos);
  EXPECT_NE(base_corr.find(R"("record":390,)"), std::string::npos);
  for (auto [part, segment] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 4096},
                                                                         {0, 1},
                                                                         {512, uint64_t{1} << 40},
                                                                         {4096, 600},
                                                                         {7777, uint64_t{1} << 40},
                                                                         {size / 2, 4096}}) {
    for (unsigned threads : {1u, 2u, 3u}) {
      for (bool workers : {true, false}) {
        HuntStats st;
        auto got = run(part, segment, threads, workers, st);
        std::string what = std::to_string(part) + "-byte parts, " + std::to_string(segment) +
                           "-byte segments, " + std::to_string(threads) + " threads, workers " +
                           std::to_string(workers);
        EXPECT_EQ(std::get<0>(got), base_text) << what;
        EXPECT_EQ(std::get<1>(got), base_corr) << what;
        EXPECT_EQ(std::get<2>(got), base_counts);
        expect_same_stats(st, base_st, what);
      }
    }
  }
}

// A large gzip JSON-lines file among others: cut by a LineSplitter, it gives what reading it
// whole gives.
TEST(Parts, HuntCutsGzipStreamsIntoParts) {
  auto e = engine_of(kRules);
  std::string dir = temp_dir("parts_stream");
  std::string lines;
  const char* names[] = {"GetObject", "PutObject", "ListBucket", "GetBucketAcl"};
  for (int i = 0; i < 400; ++i) {
    lines += event(i, names[i % 4], "10.0.0." + std::to_string(i % 3)) + "\n";
    if (i == 150) lines += "broken {\n\n";
  }
  std::string gz = dir + "/big.jsonl.gz", small = dir + "/small.jsonl";
  std::ofstream(gz, std::ios::binary) << gzip(lines);
  std::ofstream(small) << event(1000, "GetObject", "10.0.0.1") << "\n";
  std::vector<std::string> files = {small, gz, small};
  ASSERT_GT(std::filesystem::file_size(gz), 2048u);

  auto run = [&](uint64_t part_bytes, unsigned threads, HuntStats& st) {
    HuntOptions o;
    o.threads = threads;
    o.part_bytes = part_bytes;
    o.limits.chunk_bytes = 512;
    o.reorder_window_ms = 10'000;
    TwoFormats sink(*e, true);
    st = hunt(*e, files, o, sink);
    return std::make_tuple(sink.text, sink.correlations, sink.per_rule);
  };
  HuntStats base_st;
  auto base = run(0, 1, base_st);  // streamed whole by read_file()
  EXPECT_EQ(base_st.files, 3u);
  EXPECT_EQ(base_st.records, 402u);
  EXPECT_EQ(base_st.malformed, 1u);
  ASSERT_EQ(base_st.problems.size(), 1u);
  EXPECT_NE(std::get<0>(base).find(R"("record":390)"), std::string::npos);
  for (uint64_t part : {512, 4096, 7777}) {
    for (unsigned threads : {1u, 2u, 3u}) {
      HuntStats st;
      auto got = run(part, threads, st);
      std::string what = std::to_string(part) + "-byte parts, " + std::to_string(threads) + " threads";
      EXPECT_EQ(std::get<0>(got), std::get<0>(base)) << what;
      EXPECT_EQ(std::get<1>(got), std::get<1>(base)) << what;
      EXPECT_EQ(std::get<2>(got), std::get<2>(base)) << what;
      expect_same_stats(st, base_st, what);
    }
  }

  // bytes that are not gzip after the data: every record, then the file's error at the end
  // of its data, however it is cut
  std::ofstream(gz, std::ios::binary | std::ios::trunc) << gzip(lines) << "not gzip";
  HuntStats tail_st;
  auto tail = run(0, 1, tail_st);
  EXPECT_EQ(tail, base);
  EXPECT_EQ(tail_st.records, base_st.records);
  EXPECT_EQ(tail_st.files_failed, 1u);
  ASSERT_EQ(tail_st.problems.size(), 2u);
  EXPECT_EQ(tail_st.problems[1].code, "detect.input.gzip");
  EXPECT_EQ(tail_st.problems[1].offset, lines.size());
  for (uint64_t part : {512, 4096}) {
    for (unsigned threads : {1u, 2u}) {
      HuntStats st;
      auto got = run(part, threads, st);
      std::string what = std::to_string(part) + "-byte parts, " + std::to_string(threads) + " threads";
      EXPECT_EQ(got, tail) << what;
      EXPECT_EQ(st.records, tail_st.records) << what;
      EXPECT_EQ(st.files_failed, 1u) << what;
      ASSERT_EQ(st.problems.size(), 2u) << what;
      EXPECT_EQ(st.problems[1].code, tail_st.problems[1].code) << what;
      EXPECT_EQ(st.problems[1].offset, tail_st.problems[1].offset) << what;
      EXPECT_EQ(st.problems[1].message, tail_st.problems[1].message) << what;
    }
  }
}

TEST(Parts, RenderersReportWhereTheRecordIndexIs) {
  auto e = engine_of(kRules);
  Alert a;
  simdjson::dom::parser p;
  fill_alert(a, *e, 0, p.parse(event(3, "GetObject", "10.0.0.1")).value(), {}, "dir/f:1.jsonl", 77, 123456);
  std::vector<size_t> at;
  std::string out = "prefix";
  AlertJsonRenderer(*e).append(a, out, &at);
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(out.substr(at[0], 7), "123456}");
  // an alert of another engine goes through alert_json(): the same place is found
  auto other = engine_of(kRules);
  out = "x";
  at.clear();
  AlertJsonRenderer(*other).append(a, out, &at);
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(out.substr(at[0], 7), "123456}");
  size_t ocsf_at = 0;
  std::string ocsf = alert_ocsf(a, "1.0", &ocsf_at);
  EXPECT_EQ(ocsf.substr(ocsf_at, 7), "123456\"");
  EXPECT_EQ(ocsf.substr(ocsf_at - 4, 4), ":77:");
}

}  // namespace
}  // namespace sekimori::detect
