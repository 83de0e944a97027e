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
  std::vector<bool> plain, mini;
  std::vector<std::string> minified;  // simdjson's re-serialisation of the DOM record
  std::vector<uint64_t> offsets, indices;
  std::vector<std::pair<uint64_t, std::string>> bad;
  void record(simdjson::dom::element, uint64_t, uint64_t) override { ADD_FAILURE() << "record() called"; }
  void record_with_text(simdjson::dom::element r, RecordText t, uint64_t offset, uint64_t index) override {
    t = with_flags(t);
    json.emplace_back(t.json);
    plain.push_back(t.plain_numbers);
    mini.push_back(t.minified);
    minified.push_back(simdjson::minify(r));
    offsets.push_back(offset);
    indices.push_back(index);
  }
  void malformed(uint64_t offset, std::string_view message) override { bad.emplace_back(offset, message); }
};

Texts read(const std::string& data, ReaderLimits limits = {}) {
  RecordReader reader(limits);
  Texts t;
  ReadStats st;
  EXPECT_TRUE(reader.read_bytes(data, t, st).ok());
  return t;
}

std::string minify_text(std::string_view s) {
  std::string out(s.size(), '\0');
  size_t len = 0;
  EXPECT_EQ(simdjson::minify(s.data(), s.size(), out.data(), len), simdjson::SUCCESS);
  out.resize(len);
  return out;
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

TEST(RecordText, MinifiedWhenNoWhitespaceOutsideStrings) {
  Texts t = read(R"([{"a":"x y","b":[1,2]},{"a": 1},{"a":[1 ,2]},{"a":{"b":"\" \t"}},{ "a":1},{"a":1 },)"
                 "{\"a\":\n1}]");
  EXPECT_EQ(t.mini, (std::vector<bool>{true, false, false, true, false, false, false}));
  for (size_t i = 0; i < t.json.size(); ++i) {
    EXPECT_EQ(minify_text(t.json[i]) == t.json[i], t.mini[i]) << t.json[i];
  }
}

TEST(RecordText, FlagsOfLongRecordsAtEveryTokenPlace) {
  // records of about a hundred tokens with one space, or one number, at each member in
  // turn: whatever the place, the flags are those of the record
  constexpr int kMembers = 23;
  for (int at = 0; at < kMembers; ++at) {
    for (int kind = 0; kind < 5; ++kind) {
      std::string rec = "{";
      for (int m = 0; m < kMembers; ++m) {
        if (m > 0) rec += ',';
        std::string key = "\"k" + std::to_string(m) + "\"";
        if (m != at)
          rec += key + ":\"v w\"";
        else if (kind == 0)
          rec += key + ": \"v\"";  // whitespace before a value
        else if (kind == 1)
          rec += " " + key + ":\"v\"";  // before a key
        else if (kind == 2)
          rec += key + ":-7";  // a plain number
        else if (kind == 3)
          rec += key + ":2.5";  // one simdjson would write otherwise
        else
          rec += key + ":-0.5";  // the same, found by its sign
      }
      rec += "}";
      Texts t = read("[" + rec + "]");
      ASSERT_EQ(t.json.size(), 1u) << rec;
      EXPECT_EQ(t.mini[0], kind >= 2) << rec;
      EXPECT_EQ(t.mini[0], minify_text(t.json[0]) == t.json[0]) << rec;
      EXPECT_EQ(t.plain[0], kind < 3) << rec;
    }
  }
}

// Documents of at least ReaderLimits::by_record_bytes are parsed record by record (stage 1
// over the whole document, then each record alone): the sink sees exactly what a parse of
// the whole document gives, and shapes that cannot be split are parsed whole.
void expect_same(const Texts& a, const Texts& b, const std::string& doc) {
  EXPECT_EQ(a.json, b.json) << doc;
  EXPECT_EQ(a.minified, b.minified) << doc;
  EXPECT_EQ(a.plain, b.plain) << doc;
  EXPECT_EQ(a.mini, b.mini) << doc;
  EXPECT_EQ(a.offsets, b.offsets) << doc;
  EXPECT_EQ(a.indices, b.indices) << doc;
  EXPECT_EQ(a.bad, b.bad) << doc;
}

TEST(RecordText, DocumentsParsedRecordByRecordGiveTheSameRecords) {
  ReaderLimits whole, split;
  whole.by_record_bytes = UINT64_MAX;
  split.by_record_bytes = 0;
  const std::vector<std::string> docs = {
      R"({"Records":[{"eventName":"A","n":1.5},{"eventName":"B}\"]","x":[{},[]]}]})",
      "{ \"Records\" : [ {\"eventName\":\"A\", \"n\": 1} ,\n{\"b\":[1 , 2]} ] }\n",
      R"([{"a":1},{"b":{"c":[true,null,"\u00e9"]}}])",
      R"({"Other":1,"Records":[{"a":1}]})",   // another member: parsed whole
      R"({"Records":[{"a":1}],"Tail":[1]})",  // another member after: parsed whole
      R"([{"a":1}, 7, {"b":"]"}])",           // an element that is not an object: parsed whole
      R"({"Rec\u006frds":[{"a":1}],"Records":[{"b":2}]})",
      R"({"eventName":"single"})",
      R"({"Records":[]})",
      R"([])",
  };
  for (const std::string& doc : docs) expect_same(read(doc, whole), read(doc, split), doc);

  // a delivery-sized file takes this path with the default limits
  std::string big = "{\"Records\":[";
  for (int i = 0; big.size() < (400u << 10); ++i) {
    if (i) big += ',';
    big += R"({"eventVersion":"1.09","eventName":"Get)" + std::to_string(i) +
           R"(","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"},"n":)" + std::to_string(i) +
           "}";
  }
  big += "]}";
  Texts by_default = read(big);
  expect_same(read(big, whole), by_default, "big");
  EXPECT_GT(by_default.json.size(), 3000u);
}

TEST(RecordText, BrokenRecordOfASplitDocumentIsReportedAtItsOffset) {
  ReaderLimits split;
  split.by_record_bytes = 0;
  std::string doc = R"({"Records":[{"eventName":"A"},{"eventName":tru},{"eventName":"C"}]})";
  Texts t = read(doc, split);
  EXPECT_EQ(t.json, (Strings{R"({"eventName":"A"})", R"({"eventName":"C"})"}));
  EXPECT_EQ(t.indices, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(t.offsets, (std::vector<uint64_t>{0, 0}));
  ASSERT_EQ(t.bad.size(), 1u);
  EXPECT_EQ(t.bad[0].first, doc.find(R"({"eventName":tru})"));
  EXPECT_EQ(t.bad[0].second.rfind("record does not parse", 0), 0u) << t.bad[0].second;

  // brackets that do not match: the depth walk cuts the span `{"a":[1}]`, stage 2 of the
  // record (from the document's index) rejects it, the next record still parses
  std::string mismatched = R"({"Records":[{"a":[1}],{"b":[2,{"c":3}]}]})";
  Texts m = read(mismatched, split);
  EXPECT_EQ(m.json, (Strings{R"({"b":[2,{"c":3}]})"}));
  EXPECT_EQ(m.minified, (Strings{R"({"b":[2,{"c":3}]})"}));
  EXPECT_EQ(m.indices, (std::vector<uint64_t>{0}));
  ASSERT_EQ(m.bad.size(), 1u);
  EXPECT_EQ(m.bad[0].first, mismatched.find(R"({"a")"));
  EXPECT_EQ(m.bad[0].second.rfind("record does not parse", 0), 0u) << m.bad[0].second;
}

// A comma out of place loses no record and is never skipped silently: the document goes to
// the record-by-record salvage, which reports each misplaced comma where it is; a document
// that fails as a whole with no such problem inside its array is reported once.
TEST(RecordText, CommasOutOfPlaceAreReportedWhereTheyAre) {
  ReaderLimits whole, split;
  whole.by_record_bytes = UINT64_MAX;
  split.by_record_bytes = 0;
  struct Case {
    std::string doc;
    Strings json;
    std::string at;      // where the problem is reported (text searched in doc; "" = offset 0)
    std::string prefix;  // the message starts with
  };
  const std::vector<Case> cases = {
      {R"({"Records":[{"a":1},,{"b":2}]})", {R"({"a":1})", R"({"b":2})"}, R"(,{"b")", "empty array element"},
      {R"([,{"a":1}])", {R"({"a":1})"}, ",{", "empty array element"},
      {R"({"Records":[{"a":1},]})", {R"({"a":1})"}, ",]", "comma before ']'"},
      {R"([{"a":1} {"b":2}])", {R"({"a":1})", R"({"b":2})"}, R"({"b")", "records not separated"},
      {R"({"Records":[{"a":1}]} trailing)", {R"({"a":1})"}, "", "document does not parse"},
  };
  for (const Case& c : cases) {
    for (const ReaderLimits& limits : {whole, split}) {
      Texts t = read(c.doc, limits);
      EXPECT_EQ(t.json, c.json) << c.doc;
      ASSERT_EQ(t.bad.size(), 1u) << c.doc;
      EXPECT_EQ(t.bad[0].first, c.at.empty() ? 0u : c.doc.find(c.at)) << c.doc;
      EXPECT_EQ(t.bad[0].second.rfind(c.prefix, 0), 0u) << c.doc << ": " << t.bad[0].second;
    }
  }
  // an array that never closes: its records are read, the end is reported
  std::string open = R"({"Records":[{"a":1},{"b":2})";
  Texts t = read(open, split);
  EXPECT_EQ(t.json, (Strings{R"({"a":1})", R"({"b":2})"}));
  ASSERT_EQ(t.bad.size(), 1u);
  EXPECT_EQ(t.bad[0].first, open.size());
  EXPECT_EQ(t.bad[0].second, "the array of records is not closed");
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
      t = with_flags(t);
      simdjson::padded_string copy(t.json);
      auto again = p.parse(copy);
      ASSERT_EQ(again.error(), simdjson::SUCCESS);
      EXPECT_EQ(simdjson::minify(again.value_unsafe()), dom);
      std::string text = event_text(r, t);
      EXPECT_EQ(text, dom);
      reused += t.plain_numbers;
      if (t.minified) {
        std::string out(t.json.size(), '\0');
        size_t len = 0;
        ASSERT_EQ(simdjson::minify(t.json.data(), t.json.size(), out.data(), len), simdjson::SUCCESS);
        EXPECT_EQ(std::string_view(out.data(), len), t.json);
      }
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
