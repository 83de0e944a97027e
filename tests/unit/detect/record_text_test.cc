// RecordText: the reader hands each record's own bytes (from simdjson's structural index)
// to the sink, for every input shape, and says when they are safe to copy as the event.
#include <gtest/gtest.h>
#include <libdeflate.h>

#include <filesystem>

#include "detect/alert.h"
#include "detect/source.h"

namespace sekimori::detect {
namespace {

struct Texts : RecordSink {
  std::vector<std::string> json;
  std::vector<bool> plain;
  std::vector<std::string> minified;  // simdjson's re-serialisation of the DOM record
  void record(simdjson::dom::element, uint64_t, uint64_t) override { ADD_FAILURE() << "record() called"; }
  void record_with_text(simdjson::dom::element r, RecordText t, uint64_t, uint64_t) override {
    json.emplace_back(t.json);
    plain.push_back(t.plain_numbers);
    minified.push_back(simdjson::minify(r));
  }
  void malformed(uint64_t, std::string_view) override {}
};

Texts read(const std::string& data) {
  RecordReader reader;
  Texts t;
  ReadStats st;
  EXPECT_TRUE(reader.read_bytes(data, t, st).ok());
  return t;
}

using Strings = std::vector<std::string>;

TEST(RecordText, RecordsArrayFileGivesEachRecordsBytes) {
  Texts t = read(
      "{ \"Other\": {\"a\":[1,{\"b\":2}]}, \"Records\" : [ {\"eventName\":\"A\", \"n\": 1} ,\n"
      "{\"eventName\":\"B}\\\"]\",\"x\":[{},[]]} ] , \"Tail\":1}");
  EXPECT_EQ(t.json, (Strings{R"({"eventName":"A", "n": 1})", R"({"eventName":"B}\"]","x":[{},[]]})"}));
}

TEST(RecordText, ArraysSingleObjectsAndJsonLines) {
  EXPECT_EQ(read(R"([{"a":1}, 7, {"b":"]"}])").json, (Strings{R"({"a":1})", R"({"b":"]"})"}));
  EXPECT_EQ(read("  {\"a\" : 1}\n").json, (Strings{"{\"a\" : 1}"}));
  EXPECT_EQ(read("{\"a\":1}\n{\"Records\":[{\"b\":2},{\"c\":3}]}\n{\"d\":4}\n").json,
            (Strings{R"({"a":1})", R"({"b":2})", R"({"c":3})", R"({"d":4})"}));
}

TEST(RecordText, SalvagedRecordsKeepTheirBytes) {
  Texts t = read(R"({"Records":[{"eventName":"A"},{"eventName":},{"eventName":"C"}]})");
  EXPECT_EQ(t.json, (Strings{R"({"eventName":"A"})", R"({"eventName":"C"})"}));
}

TEST(RecordText, EscapedRecordsKeyGivesNoText) {
  // "Rec\u006frds" is the key simdjson finds; the raw walk cannot tell, so no text
  Texts t = read(R"({"Rec\u006frds":[{"a":1}],"Records":[{"b":2}]})");
  ASSERT_EQ(t.minified.size(), 1u);
  EXPECT_EQ(t.minified[0], R"({"a":1})");
  EXPECT_EQ(t.json, (Strings{""}));
}

TEST(RecordText, PlainNumbers) {
  Texts t = read(
      R"([{"a":1,"b":-20,"c":"1.5"},{"a":1.5},{"a":1e2},{"a":-0},{"a":1234567890123456789},{"a":[true,null]}])");
  EXPECT_EQ(t.plain, (std::vector<bool>{true, false, false, false, false, true}));
}

TEST(RecordText, MinifiedTextEqualsTheReserialisationWhenPlainAndUnescaped) {
  Texts t = read(
      "{\"Records\": [\n  {\"a\": \"x y\", \"b\": [1, 2, {\"c\": null}], \"d\": \"q\\\"\\\\\\n\\t\"},\n"
      "  {\"e\": \"caf\xc3\xa9\", \"f\": false}\n]}");
  ASSERT_EQ(t.json.size(), 2u);
  for (size_t i = 0; i < t.json.size(); ++i) {
    ASSERT_TRUE(t.plain[i]);
    std::string out(t.json[i].size(), '\0');
    size_t len = 0;
    ASSERT_EQ(simdjson::minify(t.json[i].data(), t.json[i].size(), out.data(), len), simdjson::SUCCESS);
    out.resize(len);
    EXPECT_EQ(out, t.minified[i]);
  }
}

// On real CloudTrail (Stratus Red Team detonation logs and the bundled detections' example
// events): every record's text parses to the record itself, and the alert event built from
// the text is byte-identical to the DOM re-serialisation it replaces.
TEST(RecordText, RealCloudTrailEventsKeepTheirAlertText) {
  std::vector<std::filesystem::path> files;
  for (const std::string& dir : {std::string(SKM_SHARED_DIR) + "/corpora/stratus/docs/detonation-logs",
                                 std::string(SKM_SOURCE_DIR) + "/detections/aws"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".json" || e.path().extension() == ".jsonl") files.push_back(e.path());
    }
  }
  if (files.size() < 10) GTEST_SKIP() << "shared corpora not found under " << SKM_SHARED_DIR;
  struct Check : RecordSink {
    simdjson::dom::parser p;
    size_t records = 0, with_text = 0, reused = 0;
    void record(simdjson::dom::element, uint64_t, uint64_t) override { ADD_FAILURE() << "record() called"; }
    void record_with_text(simdjson::dom::element r, RecordText t, uint64_t, uint64_t) override {
      ++records;
      std::string dom = simdjson::minify(r);
      if (t.json.empty()) return;
      ++with_text;
      simdjson::padded_string copy(t.json);
      auto again = p.parse(copy);
      ASSERT_EQ(again.error(), simdjson::SUCCESS);
      EXPECT_EQ(simdjson::minify(again.value_unsafe()), dom);
      std::string text = event_text(r, t);
      EXPECT_EQ(text, dom);
      reused += t.plain_numbers;
    }
    void malformed(uint64_t, std::string_view) override {}
  } check;
  RecordReader reader;
  for (const auto& f : files) {
    ReadStats st;
    EXPECT_TRUE(reader.read_file(f.string(), check, st).ok()) << f;
  }
  EXPECT_GT(check.records, 100u);
  EXPECT_EQ(check.with_text, check.records);
  EXPECT_GT(check.reused, check.records / 2);
}

}  // namespace
}  // namespace sekimori::detect
