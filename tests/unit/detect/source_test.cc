// Event sources: Records files, arrays, JSON lines, gzip, malformed records, limits.
#include "detect/source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "detect/hunt.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

struct Recorder : RecordSink {
  std::vector<std::string> names;
  std::vector<uint64_t> offsets;
  std::vector<std::pair<uint64_t, std::string>> bad;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t) override {
    names.push_back(scalar_text(lookup(r, "eventName")));
    offsets.push_back(offset);
  }
  void malformed(uint64_t offset, std::string_view message) override { bad.emplace_back(offset, std::string(message)); }
};

using testing::gzip;

Recorder read(const std::string& data, ReaderLimits limits = {}, core::Status* status = nullptr) {
  RecordReader reader(limits);
  Recorder r;
  ReadStats st;
  core::Status s = reader.read_bytes(data, r, st);
  if (status) *status = s;
  else EXPECT_TRUE(s.ok()) << s.error().message;
  return r;
}

std::string write_file(const std::string& name, const std::string& data) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

const std::string kRecords = R"({"Records":[{"eventName":"A"},{"eventName":"B"}]})";

TEST(Source, CloudTrailRecordsArraysAndSingleObjects) {
  EXPECT_EQ(read(kRecords).names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(read("{\n  \"Records\": [\n {\"eventName\":\"A\"}\n ]\n}\n").names, (std::vector<std::string>{"A"}));
  EXPECT_EQ(read(R"([{"eventName":"X"},{"eventName":"Y"}])").names, (std::vector<std::string>{"X", "Y"}));
  EXPECT_EQ(read(R"({"eventName":"Z"})").names, (std::vector<std::string>{"Z"}));
  EXPECT_TRUE(read("").names.empty());
}

TEST(Source, JsonLinesWithOffsetsAndMalformedLines) {
  std::string data = "{\"eventName\":\"A\"}\n\n{\"eventName\": broken}\n{\"eventName\":\"C\"}\n[1]\n" + kRecords;
  Recorder r = read(data);
  EXPECT_EQ(r.names, (std::vector<std::string>{"A", "C", "A", "B"}));
  EXPECT_EQ(r.offsets[1], data.find("{\"eventName\":\"C\"}"));
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_EQ(r.bad[0].first, data.find("{\"eventName\": broken}"));
  EXPECT_NE(r.bad[1].second.find("not a JSON object"), std::string::npos);
}

// An element that is not an object is reported at its own offset, in a document read
// whole as in one streamed (StreamedDocumentProblems), and in a JSON line after the first.
TEST(Source, ElementsThatAreNotObjectsAreReportedWhereTheyAre) {
  std::string doc = R"({"Records":[{"eventName":"A"}, "text",{"eventName":"B"},[1],{"eventName":"C"}]})";
  Recorder r = read(doc);
  EXPECT_EQ(r.names, (std::vector<std::string>{"A", "B", "C"}));
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_EQ(r.bad[0],
            std::make_pair(uint64_t{doc.find("\"text\"")}, std::string("record is not a JSON object")));
  EXPECT_EQ(r.bad[1].first, doc.find("[1]"));
  std::string lines = "{\"eventName\":\"X\"}\n[{\"eventName\":\"Y\"},  7]\n";
  Recorder l = read(lines);
  EXPECT_EQ(l.names, (std::vector<std::string>{"X", "Y"}));
  ASSERT_EQ(l.bad.size(), 1u);
  EXPECT_EQ(l.bad[0].first, lines.find('7'));
}

TEST(Source, BrokenRecordsFileIsSalvagedRecordByRecord) {
  std::string data = "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":tru},{\"eventName\":\"C\"}]}";
  Recorder r = read(data);
  EXPECT_EQ(r.names, (std::vector<std::string>{"A", "C"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].first, data.find("{\"eventName\":tru}"));
  Recorder t = read("{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"");
  EXPECT_EQ(t.names, (std::vector<std::string>{"A"}));
  ASSERT_EQ(t.bad.size(), 1u);
  Recorder junk = read("this is not json at all");
  EXPECT_EQ(junk.bad.size(), 1u);
}

// JSON lines whose first line is broken are still read line by line: only the bad line
// is lost (the first line decides the form, and it did not look like a JSON value).
TEST(Source, JsonLinesWithABrokenFirstLine) {
  for (std::string first : {"garbage", "{\"eventName\":\"cut off", "]"}) {
    std::string data = first + "\n{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\nnot json\n";
    Recorder r = read(data);
    EXPECT_EQ(r.names, (std::vector<std::string>{"A", "B"})) << first;
    ASSERT_EQ(r.bad.size(), 2u) << first;
    EXPECT_EQ(r.bad[0].first, 0u);
    EXPECT_EQ(r.bad[1].first, data.find("not json"));
    EXPECT_EQ(r.offsets[1], data.find("{\"eventName\":\"B\"}"));
  }
  // a broken pretty-printed document is still one problem, not one per line
  Recorder doc =
      read("{\n  \"eventName\": \"A\",\n  \"resources\": [\n    {\"ARN\": \"x\"}\n  ],\n  \"x\": tru\n}\n");
  EXPECT_TRUE(doc.names.empty());
  EXPECT_EQ(doc.bad.size(), 1u);
}

TEST(Source, Gzip) {
  EXPECT_EQ(read(gzip(kRecords)).names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(read(gzip("{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n")).names, (std::vector<std::string>{"A", "B"}));
  // concatenated members
  EXPECT_EQ(read(gzip("{\"eventName\":\"A\"}\n") + gzip("{\"eventName\":\"B\"}\n")).names,
            (std::vector<std::string>{"A", "B"}));
  core::Status s;
  read(std::string("\x1f\x8b\x08\x00garbage", 11), {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
}

// A damaged gzip file read whole (libdeflate gives all or nothing): what zlib can
// decompress before the damage is read, the record cut in two is reported, then the error
// at the offset where decompression stopped.
TEST(Source, DamagedGzipKeepsTheRecordsBeforeTheDamage) {
  std::string doc = "{\"Records\":[";
  for (int i = 0; i < 400; ++i) {
    doc += std::string(i ? "," : "") + "{\"eventName\":\"E" + std::to_string(i) + "\",\"n\":\"" +
           std::to_string(i * 7919 % 10007) + std::string(static_cast<size_t>(i % 13), 'x') + "\"}";
  }
  doc += "]}";
  std::string gz = gzip(doc);
  core::Status s;
  Recorder cut = read(gz.substr(0, gz.size() * 6 / 10), {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  ASSERT_GT(cut.names.size(), 50u);
  ASSERT_LT(cut.names.size(), 400u);
  for (size_t i = 0; i < cut.names.size(); ++i) ASSERT_EQ(cut.names[i], "E" + std::to_string(i));
  std::string first_lost = "{\"eventName\":\"E" + std::to_string(cut.names.size()) + "\"";
  ASSERT_EQ(cut.bad.size(), 1u);
  EXPECT_EQ(cut.bad[0].first, doc.find(first_lost));
  ASSERT_TRUE(s.error().location);
  EXPECT_GT(s.error().location->offset, cut.bad[0].first);
  EXPECT_LT(s.error().location->offset, doc.size());

  // corrupt in the middle: the records before the damage, then the error
  std::string corrupt = gz;
  for (size_t i = gz.size() / 2; i < gz.size() / 2 + 32; ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  Recorder damaged = read(corrupt, {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  EXPECT_GT(damaged.names.size(), 20u);
  EXPECT_LT(damaged.names.size(), 400u);

  // far more text than the file's size suggests (its last four bytes, gzip's size field,
  // are zero here): the room for the text grows as decompression needs it
  std::string big = "{\"Records\":[";
  for (int i = 0; i < 20000; ++i) big += std::string(i ? "," : "") + "{\"eventName\":\"Same\"}";
  big += "]}";
  std::string big_gz = gzip(big);
  ASSERT_LT(big_gz.size() * 16, big.size());
  Recorder grown = read(big_gz.substr(0, big_gz.size() / 2) + std::string(4, '\0'), {}, &s);
  ASSERT_FALSE(s.ok());
  ASSERT_TRUE(s.error().location);
  // beyond the first guess of room (64 KiB, four times the input at least)
  EXPECT_GT(s.error().location->offset, uint64_t{1} << 17) << big_gz.size();
  EXPECT_GT(grown.names.size() * 22, size_t{1} << 17);

  // a damaged second member: the first member's records, what can be read of the second,
  // then the error (it used to end the data without one)
  std::string first = R"({"eventName":"M1"})"
                      "\n";
  std::string second;
  for (int i = 0; i < 300; ++i) second += "{\"eventName\":\"M2-" + std::to_string(i) + "\"}\n";
  std::string second_gz = gzip(second);
  Recorder members = read(gzip(first) + second_gz.substr(0, second_gz.size() / 2), {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  ASSERT_GT(members.names.size(), 2u);
  EXPECT_EQ(members.names[0], "M1");
  EXPECT_EQ(members.names[1], "M2-0");
  EXPECT_LT(members.names.size(), 301u);
  // bytes after a member that do not start like one end the data, and say so after its
  // records, at the end of the data read (they used to be dropped without a word)
  Recorder trailing = read(gzip(first) + std::string(3, '\0') + "trailing", {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  EXPECT_NE(s.error().message.find("not gzip"), std::string::npos) << s.error().message;
  ASSERT_TRUE(s.error().location);
  EXPECT_EQ(s.error().location->offset, first.size());
  EXPECT_EQ(trailing.names, (std::vector<std::string>{"M1"}));
  read(gzip(first) + std::string(3, '\0'), {}, &s);  // zero padding alone is no error
  EXPECT_TRUE(s.ok());

  // nothing to recover: the error alone, at offset 0
  Recorder none = read(std::string("\x1f\x8b\x08\x00garbage", 11), {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(none.names.empty());
  EXPECT_TRUE(none.bad.empty());
}

TEST(Source, LimitsOnDocumentAndLineSize) {
  ReaderLimits small;
  small.max_document_bytes = 16;
  core::Status s;
  read(gzip(kRecords), small, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.too_large");
  read(kRecords, small, &s);
  EXPECT_EQ(s.error().code, "detect.input.too_large");

  ReaderLimits lines;
  lines.max_line_bytes = 30;
  Recorder r = read("{\"eventName\":\"A\"}\n{\"eventName\":\"" + std::string(100, 'x') + "\"}\n{\"eventName\":\"C\"}\n",
                    lines);
  EXPECT_EQ(r.names, (std::vector<std::string>{"A", "C"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_NE(r.bad[0].second.find("longer than"), std::string::npos);
}

TEST(Source, StreamsJsonLinesFilesInChunks) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "{\"eventName\":\"E" + std::to_string(i) + "\",\"pad\":\"" + std::string(50, 'p') + "\"}\n";
  std::string path = write_file("chunks.jsonl", data);
  ReaderLimits limits;
  limits.chunk_bytes = 4096;  // many chunks, lines straddle chunk boundaries
  limits.max_line_bytes = 1024;
  RecordReader reader(limits);
  Recorder r;
  ReadStats st;
  ASSERT_TRUE(reader.read_file(path, r, st).ok());
  ASSERT_EQ(r.names.size(), 1000u);
  EXPECT_EQ(r.names[999], "E999");
  EXPECT_TRUE(r.bad.empty());
  EXPECT_EQ(st.bytes_read, data.size());
  EXPECT_EQ(r.offsets[500], data.find("{\"eventName\":\"E500\""));
  // an over-long line in the middle of a stream is skipped, the rest is read
  std::string with_long = data.substr(0, 200) + std::string(5000, 'z') + "\n" + data.substr(200);
  Recorder r2;
  ReadStats st2;
  ASSERT_TRUE(reader.read_file(write_file("long.jsonl", with_long), r2, st2).ok());
  EXPECT_GE(r2.bad.size(), 1u);
  EXPECT_GE(r2.names.size(), 998u);
}

// Large gzip JSON-lines files are decompressed as they are read (zlib), not whole: the same
// records, offsets and problems as the plain file, across members and zero padding, and a
// truncated or corrupt file is reported after the records before the damage.
TEST(Source, StreamsLargeGzipJsonLines) {
  std::string data;
  for (int i = 0; i < 2000; ++i) {
    data += "{\"eventName\":\"E" + std::to_string(i) + "\",\"pad\":\"" +
            std::string(static_cast<size_t>(i % 50), 'p') + "\"}\n";
    if (i == 700) data += "not json\n\n";
  }
  ReaderLimits limits;
  limits.chunk_bytes = 1024;         // the compressed file is many chunks, so it is streamed
  limits.max_document_bytes = 8192;  // the whole-file path could not take it
  auto read_path = [&](const std::string& path, core::Status* status, ReadStats* stats = nullptr) {
    RecordReader reader(limits);
    Recorder r;
    ReadStats st;
    *status = reader.read_file(path, r, st);
    if (stats) *stats = st;
    return r;
  };
  core::Status s;
  Recorder plain = read_path(write_file("stream.jsonl", data), &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(plain.names.size(), 2000u);
  ASSERT_EQ(plain.bad.size(), 1u);

  size_t cut = data.find("{\"eventName\":\"E1200\"");
  std::string two_members = gzip(data.substr(0, cut)) + std::string(10, '\0') + gzip(data.substr(cut));
  for (const std::string& gz : {gzip(data), two_members}) {
    ASSERT_GT(gz.size(), 2 * limits.chunk_bytes);
    ReadStats st;
    Recorder got = read_path(write_file("stream.jsonl.gz", gz), &s, &st);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(got.names, plain.names);
    EXPECT_EQ(got.offsets, plain.offsets);
    EXPECT_EQ(got.bad, plain.bad);
    EXPECT_TRUE(st.gzip);
    EXPECT_EQ(st.bytes_read, gz.size());
    EXPECT_EQ(st.bytes_decoded, data.size());
    EXPECT_EQ(st.records, 2000u);
  }
  // bytes that are not gzip after the last member: every record, then the error at the
  // end of the data
  Recorder trailing = read_path(write_file("trailing.jsonl.gz", gzip(data) + "not gzip at all"), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  ASSERT_TRUE(s.error().location);
  EXPECT_EQ(s.error().location->offset, data.size());
  EXPECT_EQ(trailing.names, plain.names);
  EXPECT_EQ(trailing.bad, plain.bad);
  // cut short: the records before the cut are read, then the error
  std::string whole = gzip(data);
  Recorder truncated = read_path(write_file("truncated.jsonl.gz", whole.substr(0, whole.size() / 2)), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  EXPECT_GT(truncated.names.size(), 100u);
  EXPECT_LT(truncated.names.size(), 2000u);
  // reported where reading stopped: at the first line not delivered
  ASSERT_TRUE(s.error().location);
  EXPECT_EQ(s.error().location->offset, plain.offsets[truncated.names.size()]);
  std::string corrupt = whole;
  for (size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 64; ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  read_path(write_file("corrupt.jsonl.gz", corrupt), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.gzip");
  // a large gzip document of records is streamed too (StreamsLargeDocuments)
  std::string doc = "{\"Records\":[";
  for (int i = 0; i < 300; ++i)
    doc += std::string(i ? "," : "") + "{\"eventName\":\"D" + std::to_string(i) + "\"}";
  doc += "]}";
  std::string noise;  // incompressible, so that the compressed document spans several chunks
  uint32_t x = 1;
  for (int i = 0; i < 12000; ++i) {
    x = x * 1103515245u + 12345u;
    noise += static_cast<char>('a' + (x >> 16) % 26);
  }
  doc.insert(doc.size() - 2, ",{\"eventName\":\"N\",\"n\":\"" + noise + "\"}");
  limits.max_document_bytes = 1 << 20;
  Recorder whole_doc = read_path(write_file("doc.json.gz", gzip(doc)), &s);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(whole_doc.names.size(), 301u);
}

// What a reader hands out, in order: records as "offset index minified-record", problems
// as "offset ! message".
struct Collect : RecordSink {
  std::vector<std::string> seen;
  uint64_t problems = 0;
  void record(simdjson::dom::element r, uint64_t offset, uint64_t index) override {
    seen.push_back(std::to_string(offset) + " " + std::to_string(index) + " " + simdjson::minify(r));
  }
  void malformed(uint64_t offset, std::string_view message) override {
    ++problems;
    seen.push_back(std::to_string(offset) + " ! " + std::string(message));
  }
};

// A document of records larger than one read chunk is read window by window (memory does
// not grow with it, and max_document_bytes does not apply): the same records, text and
// indices as reading it whole, wherever the windows fall (inside strings, after a
// backslash, inside a UTF-8 sequence, between tokens), from a file, gzip or a LineSplitter.
TEST(Source, StreamsLargeDocuments) {
  std::string records;
  for (int i = 0; i < 40; ++i) {
    records += std::string(i ? ",\n  " : "") + R"({"eventName":"E)" + std::to_string(i) +
               R"(","s":"a \"quoted\" \\ back\\slash","u":"h\u00e9 h)" +
               "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80" + R"(","n":[1,2.5,-0,{"k":null}],"t":true})";
  }
  for (const std::string& doc : {"{\"Records\": [" + records + "]}\n", "  [" + records + "]",
                                 "{ \"Records\" :[" + records + "] , \"x\": {\"y\": [1]}}"}) {
    RecordReader whole_reader;
    Collect whole;
    ReadStats ws;
    ASSERT_TRUE(whole_reader.read_bytes(doc, whole, ws).ok());
    ASSERT_EQ(whole.seen.size(), 40u);
    ASSERT_EQ(whole.problems, 0u);
    std::string path = write_file("big.json", doc), gz_path = write_file("big.json.gz", gzip(doc));
    for (uint64_t chunk = 16; chunk < 200; chunk += 7) {
      ReaderLimits limits;
      limits.chunk_bytes = chunk;
      limits.max_document_bytes = 64;  // not a limit on a streamed document
      RecordReader reader(limits);
      Collect got;
      ReadStats st;
      core::Status s = reader.read_file(path, got, st);
      ASSERT_TRUE(s.ok()) << s.error().message;
      EXPECT_EQ(got.seen, whole.seen) << "chunk " << chunk;
      EXPECT_EQ(st.bytes_decoded, doc.size());
      EXPECT_EQ(st.records, 40u);
      Collect gz;
      ASSERT_TRUE(reader.read_file(gz_path, gz, st).ok());
      EXPECT_EQ(gz.seen, whole.seen) << "gzip, chunk " << chunk;
      // as hunt() reads standard input and large gzip files
      for (const std::string& p : {path, gz_path}) {
        LineSplitter split(p, limits, 64);
        Collect parts;
        size_t count = 0;
        while (auto part = split.next()) {
          ReadStats ps;
          ASSERT_TRUE(reader.read_split(*part, parts, ps).ok());
          ++count;
          split.recycle(std::move(part));
        }
        EXPECT_EQ(count, 1u);
        EXPECT_EQ(parts.seen, whole.seen) << p << ", chunk " << chunk;
      }
    }
  }
}

// Problems in a streamed document are reported where they are and the other records are
// read; a one-line document followed by more lines is the first of JSON lines.
TEST(Source, StreamedDocumentProblems) {
  ReaderLimits limits;
  limits.chunk_bytes = 32;
  auto stream = [&](const std::string& doc, core::Status* status = nullptr) {
    RecordReader reader(limits);
    Collect got;
    ReadStats st;
    core::Status s = reader.read_file(write_file("doc.json", doc), got, st);
    if (status)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error().message;
    return got.seen;
  };
  std::string a = R"({"eventName":"A"})", b = R"({"eventName":"B"})", c = R"({"eventName":"C"})";
  std::string bad = R"({"eventName":tru})";
  std::string doc = "{\"Records\":[" + a + "," + bad + "," + b + "," + "\"text\"," + c + "]}";
  EXPECT_EQ(
      stream(doc),
      (std::vector<std::string>{
          "0 0 " + a,
          std::to_string(doc.find(bad)) +
              " ! record does not parse: " + simdjson::error_message(simdjson::T_ATOM_ERROR),
          "0 1 " + b, std::to_string(doc.find("\"text\"")) + " ! record is not a JSON object", "0 2 " + c}));
  // invalid UTF-8 makes stage 1 fail for the window: its records are read one by one
  std::string latin1 = R"({"eventName":"caf)" + std::string("\xE9") + "\"}";
  doc = "[" + a + "," + latin1 + "," + b + "," + c + "]";
  std::vector<std::string> seen = stream(doc);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "0 0 " + a);
  EXPECT_EQ(seen[1].substr(0, seen[1].find(' ')), std::to_string(doc.find(latin1)));
  EXPECT_NE(seen[1].find("UTF-8"), std::string::npos);
  EXPECT_EQ(seen.back().substr(seen.back().find(' ')), " 2 " + c);
  // commas out of place, an array never closed
  doc = "[" + a + ",," + b + " " + c + ",";
  EXPECT_EQ(stream(doc),
            (std::vector<std::string>{
                "0 0 " + a,
                std::to_string(doc.find(",,") + 1) + " ! empty array element (a comma with no "
                                                     "record before it)",
                "0 1 " + b, std::to_string(doc.find(c)) + " ! records not separated by a comma", "0 2 " + c,
                std::to_string(doc.size()) + " ! the array of records is not closed"}));
  // after the array: members that do not parse, text after the document
  doc = "{\"Records\":[" + a + "," + b + "], \"x\": nope}";
  seen = stream(doc);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].substr(0, seen[2].find(" ! the members")), std::to_string(doc.find(", \"x\"")));
  doc = "{\"Records\":[" + a + "," + b + "]} junk";
  EXPECT_EQ(stream(doc).back(), std::to_string(doc.find("junk")) + " ! text after the document");
  // a record cut off at the end
  doc = "[" + a + "," + b + "," + R"({"eventName":"C)";
  EXPECT_EQ(stream(doc).back(), std::to_string(doc.find(R"({"eventName":"C)")) +
                                    " ! record is not terminated; the rest of the file is "
                                    "skipped");
  // JSON lines whose first line is a document longer than a chunk
  doc = "{\"Records\":[" + a + "," + b + "]}\n" + c + "\n";
  EXPECT_EQ(stream(doc),
            (std::vector<std::string>{"0 0 " + a, "0 1 " + b, std::to_string(doc.find(c)) + " 2 " + c}));
  // a record longer than a line may be ends the read, reported where it starts
  limits.max_line_bytes = 100;
  core::Status s;
  doc = "[" + a + ",{\"eventName\":\"" + std::string(300, 'x') + "\"}," + b + "]";
  seen = stream(doc, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.too_large");
  ASSERT_TRUE(s.error().location);
  EXPECT_EQ(s.error().location->offset, doc.find(",{\"eventName\":\"xx") + 1);
  EXPECT_EQ(seen, (std::vector<std::string>{"0 0 " + a}));
}

TEST(Source, MissingFileIsAnErrorNotACrash) {
  RecordReader reader;
  Recorder r;
  ReadStats st;
  core::Status s = reader.read_file("/nonexistent/file.json", r, st);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "detect.input.io");
  EXPECT_FALSE(expand_inputs({"/nonexistent/dir"}).ok());
}

TEST(Source, DirectoriesAreExpandedRecursivelyAndSorted) {
  std::string dir = ::testing::TempDir() + "/skm_dir";
  std::filesystem::create_directories(dir + "/b/c");
  std::ofstream(dir + "/b/c/2.json") << kRecords;
  std::ofstream(dir + "/a.json.gz", std::ios::binary) << gzip(kRecords);
  std::ofstream(dir + "/.hidden") << "x";
  auto files = expand_inputs({dir});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_NE((*files)[0].find("a.json.gz"), std::string::npos);
}

TEST(Hunt, RunsOverFilesInOrderWithAlertsAndProblems) {
  auto c = testing::compile(testing::rule_doc("  sel:\n    eventName: B\n  condition: sel\n"));
  std::string f1 = write_file("h1.json", kRecords);
  std::string f2 = write_file("h2.jsonl.gz", gzip("{\"eventName\":\"B\",\"eventTime\":\"2024-01-01T00:00:00Z\","
                                                  "\"awsRegion\":\"eu-west-1\",\"recipientAccountId\":\"123\","
                                                  "\"userIdentity\":{\"arn\":\"arn:aws:iam::123:user/x\"},"
                                                  "\"sourceIPAddress\":\"1.2.3.4\"}\nnot json\n"));
  struct Sink : AlertSink {
    std::vector<Alert> a;
    void alert(const Alert& x) override { a.push_back(x); }
  } sink;
  HuntOptions o;
  o.threads = 2;
  HuntStats st = hunt(*c->engine, {f1, f2, "/nonexistent.json"}, o, sink);
  EXPECT_EQ(st.files, 3u);
  EXPECT_EQ(st.files_failed, 1u);
  EXPECT_EQ(st.records, 3u);
  EXPECT_EQ(st.malformed, 1u);
  ASSERT_EQ(sink.a.size(), 2u);
  EXPECT_EQ(sink.a[0].file, f1);
  EXPECT_EQ(sink.a[1].region, "eu-west-1");
  EXPECT_EQ(sink.a[1].account, "123");
  EXPECT_EQ(sink.a[1].source_ip, "1.2.3.4");
  EXPECT_EQ(sink.a[1].principal, "arn:aws:iam::123:user/x");
  EXPECT_EQ(st.problems.size(), 2u);
  std::string json = alert_json(sink.a[1]);
  EXPECT_NE(json.find("\"title\":\"test rule\""), std::string::npos);
  EXPECT_NE(json.find("\"event\":{\"eventName\":\"B\""), std::string::npos);
  std::string ocsf = alert_ocsf(sink.a[1], "0.1.0");
  for (const char* k : {"\"class_uid\":2004", "\"category_uid\":2", "\"activity_id\":1", "\"type_uid\":200401",
                        "\"severity_id\":4", "\"finding_info\":{", "\"metadata\":{\"version\":\"1.1.0\"",
                        "\"vendor_name\":\"sekimori\"", "\"time\":1704067200000"}) {
    EXPECT_NE(ocsf.find(k), std::string::npos) << k << " in " << ocsf;
  }
  EXPECT_NE(ocsf.find("\"src_endpoint\":{\"ip\":\"1.2.3.4\"}"), std::string::npos) << ocsf;
  // a source that is a name goes to `domain`, even one made of hex digits and dots
  for (std::string name : {"ec2.amazonaws.com", "cafe.be", "AWS Internal", "256.1.1.1", "1.2.3.4.5", "1.2.3"}) {
    Alert a = sink.a[1];
    a.source_ip = name;
    std::string want = "\"src_endpoint\":{\"domain\":\"" + name + "\"}";
    EXPECT_NE(alert_ocsf(a, "0.1.0").find(want), std::string::npos) << name;
  }
  for (std::string addr : {"2001:db8::1", "::ffff:10.0.0.1", "08.1.250.216", "255.0.0.9"}) {
    Alert a = sink.a[1];
    a.source_ip = addr;
    std::string want = "\"src_endpoint\":{\"ip\":\"" + addr + "\"}";
    EXPECT_NE(alert_ocsf(a, "0.1.0").find(want), std::string::npos) << addr;
  }
}

// CloudTrail objects are read in delivery-time order; other files keep their places.
TEST(Hunt, FilesInDeliveryTimeOrder) {
  std::vector<std::string> files = {
      "a/111122223333_CloudTrail_us-east-1_20240131T1210Z_x.json.gz",
      "b/notes.jsonl",
      "c/111122223333_CloudTrail_us-east-1_20240131T1205Z_y.json.gz",
      "d/export.json",
      "e/111122223333_CloudTrail_eu-west-1_20240130T2355Z_z.json.gz",
  };
  sort_by_delivery_time(files);
  EXPECT_EQ(files, (std::vector<std::string>{
                       "e/111122223333_CloudTrail_eu-west-1_20240130T2355Z_z.json.gz",
                       "b/notes.jsonl",
                       "c/111122223333_CloudTrail_us-east-1_20240131T1205Z_y.json.gz",
                       "d/export.json",
                       "a/111122223333_CloudTrail_us-east-1_20240131T1210Z_x.json.gz",
                   }));
}

TEST(Time, ParsesIso8601) {
  int64_t ms;
  ASSERT_TRUE(parse_time_ms("2024-07-31T13:06:24Z", ms));
  EXPECT_EQ(ms, 1722431184000);
  ASSERT_TRUE(parse_time_ms("2024-07-31T13:06:24.5Z", ms));
  EXPECT_EQ(ms, 1722431184500);
  ASSERT_TRUE(parse_time_ms("2024-07-31T15:06:24+02:00", ms));
  EXPECT_EQ(ms, 1722431184000);
  EXPECT_FALSE(parse_time_ms("2024-13-01T00:00:00Z", ms));
  EXPECT_FALSE(parse_time_ms("2023-02-29T00:00:00Z", ms));  // no such day: not a time
  EXPECT_FALSE(parse_time_ms("2024-04-31T00:00:00Z", ms));
  EXPECT_FALSE(parse_time_ms("yesterday", ms));
  EXPECT_EQ(format_time_ms(1722431184500), "2024-07-31T13:06:24.500Z");
  EXPECT_EQ(format_time_ms(-500), "1969-12-31T23:59:59.500Z");
  ASSERT_TRUE(parse_time_ms("1969-12-31T23:59:59.500Z", ms));
  EXPECT_EQ(ms, -500);
  ASSERT_TRUE(parse_time_ms("2000-02-29T00:00:00Z", ms));
  EXPECT_EQ(format_time_ms(ms), "2000-02-29T00:00:00.000Z");
}

}  // namespace
}  // namespace sekimori::detect
