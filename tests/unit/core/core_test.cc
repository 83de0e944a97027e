#include <gtest/gtest.h>

#include <limits>

#include "core/base64.h"
#include "core/diagnostics.h"
#include "core/digest.h"
#include "core/json_writer.h"
#include "core/location.h"
#include "core/result.h"

namespace sekimori::core {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error("test.negative", "not positive", Location{"f.txt", 2, 3, 10});
  return v;
}

Result<int> doubled(int v) {
  SKM_TRY_ASSIGN(int p, parse_positive(v));
  return p * 2;
}

Status check(int v) {
  SKM_TRY(parse_positive(v));
  return {};
}

TEST(DigestTest, KnownVectors) {
  using core::DigestAlgorithm;
  EXPECT_EQ(core::hex(core::digest(DigestAlgorithm::kMd5, "abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(core::hex(core::digest(DigestAlgorithm::kSha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(core::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(core::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(core::hex(core::digest(DigestAlgorithm::kSha512, "abc")).substr(0, 32),
            "ddaf35a193617abacc417349ae204131");
}

TEST(ResultTest, ValueAndError) {
  auto ok = parse_positive(3);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "test.negative");
  EXPECT_EQ(bad.error().to_string(), "f.txt:2:3: not positive [test.negative]");
}

TEST(ResultTest, TryMacrosPropagate) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_EQ(doubled(0).error().code, "test.negative");
  EXPECT_TRUE(check(1).ok());
  EXPECT_FALSE(check(-5).ok());
}

TEST(LocationTest, ToString) {
  EXPECT_EQ((Location{"a.yaml", 3, 7, 0}).to_string(), "a.yaml:3:7");
  EXPECT_EQ((Location{"a.yaml", 0, 0, 0}).to_string(), "a.yaml");
  EXPECT_EQ((Location{"", 1, 2, 0}).to_string(), "1:2");
}

TEST(LocationTest, LocateCountsLinesAndCrLf) {
  std::string_view text = "ab\ncd\r\nef";
  Location l = locate("t", text, 8);  // 'f'
  EXPECT_EQ(l.line, 3u);
  EXPECT_EQ(l.column, 2u);
  EXPECT_EQ(l.offset, 8u);
  EXPECT_EQ(locate("t", text, 0).column, 1u);
  EXPECT_EQ(locate("t", text, 100).line, 3u);  // clamped to the end
}

TEST(LocationTest, SnippetPutsCaretUnderColumn) {
  EXPECT_EQ(make_snippet("x = 1\ny = 1 +\n", 2, 7), "y = 1 +\n      ^");
  EXPECT_EQ(make_snippet("a\r\nbc", 2, 2), "bc\n ^");
  EXPECT_EQ(make_snippet("\tx", 1, 2), "\tx\n\t^");
  EXPECT_EQ(make_snippet("abc", 5, 1), "");
  EXPECT_EQ(make_snippet("ab", 1, 4), "ab\n   ^");  // caret just past the end
}

TEST(LocationTest, SnippetOfLongLineStaysNarrow) {
  std::string line(1000, 'x');
  std::string s = make_snippet(line, 1, 900);
  size_t nl = s.find('\n');
  EXPECT_LE(nl, 120u);
  EXPECT_EQ(s.back(), '^');
}

TEST(DiagnosticsTest, CountsAndRendersText) {
  Diagnostics d;
  d.add(Severity::kWarning, "doc.duplicate_key", "duplicate key 'a'", Location{"x.yaml", 2, 1, 5},
        "a: 2\n^");
  d.add_error(make_error("json.syntax", "unexpected ','", Location{"y.json", 1, 4, 3}), "[1,,2]");
  EXPECT_EQ(d.count(Severity::kWarning), 1u);
  EXPECT_EQ(d.count(Severity::kError), 1u);
  EXPECT_TRUE(d.has_errors());
  std::string text = d.to_text();
  EXPECT_NE(text.find("x.yaml:2:1: warning: duplicate key 'a' [doc.duplicate_key]"), std::string::npos);
  EXPECT_NE(text.find("y.json:1:4: error: unexpected ',' [json.syntax]\n    [1,,2]\n       ^"),
            std::string::npos);
}

TEST(DiagnosticsTest, RendersJson) {
  Diagnostics d;
  d.add(Severity::kError, "c.x", "bad \"thing\"", Location{"f", 1, 2, 1});
  EXPECT_EQ(d.to_json(),
            R"([{"severity":"error","code":"c.x","message":"bad \"thing\"","file":"f","line":1,)"
            R"("column":2,"offset":1,"snippet":""}])");
}

TEST(DiagnosticsTest, Merge) {
  Diagnostics a;
  Diagnostics b;
  a.add(Severity::kNote, "n", "one");
  b.add(Severity::kError, "e", "two");
  a.merge(std::move(b));
  EXPECT_EQ(a.items().size(), 2u);
  EXPECT_TRUE(a.has_errors());
}

TEST(JsonWriterTest, CompactAndIndented) {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.value(int64_t{1});
  w.key("b");
  w.begin_array();
  w.value(true);
  w.null();
  w.value(1.5);
  w.end_array();
  w.key("e");
  w.begin_object();
  w.end_object();
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,1.5],"e":{}})");

  JsonWriter p(2);
  p.begin_object();
  p.key("a");
  p.begin_array();
  p.value("x");
  p.end_array();
  p.end_object();
  EXPECT_EQ(p.str(), "{\n  \"a\": [\n    \"x\"\n  ]\n}");
}

// Separators and indentation at every depth, past the run of spaces the writer keeps
// ready too (deeper than 64 levels at indent 2).
TEST(JsonWriterTest, IndentationAtEveryDepth) {
  constexpr int kDepth = 80;
  JsonWriter w(2);
  std::string expect;
  for (int d = 0; d < kDepth; ++d) {
    w.begin_array();
    if (d > 0) expect += "\n" + std::string(static_cast<size_t>(2 * d), ' ');
    expect += '[';
  }
  w.value(int64_t{1});
  w.value(int64_t{2});
  const std::string inner(static_cast<size_t>(2 * kDepth), ' ');
  expect += "\n" + inner + "1,\n" + inner + "2";
  for (int d = kDepth - 1; d >= 0; --d) {
    w.end_array();
    expect += "\n" + std::string(static_cast<size_t>(2 * d), ' ') + "]";
  }
  EXPECT_EQ(w.str(), expect);
}

// With a sink, a raw() value past the threshold is handed over at once, as a closing
// bracket's text is; nothing is lost or repeated.
TEST(JsonWriterTest, RawValuesStreamToTheSink) {
  JsonWriter w(2);
  std::vector<std::string> parts;
  w.set_sink([&parts](std::string_view s) { parts.emplace_back(s); }, 16);
  w.begin_array();
  w.raw(R"("0123456789abcdef")");
  EXPECT_EQ(parts.size(), 1u);
  w.raw("7");
  EXPECT_EQ(parts.size(), 1u);  // under the threshold: kept
  w.end_array();
  w.flush();
  std::string all;
  for (const std::string& p : parts) all += p;
  EXPECT_EQ(all, "[\n  \"0123456789abcdef\",\n  7\n]");
  EXPECT_EQ(w.take(), "");
}

TEST(JsonWriterTest, EscapesAndRepairsUtf8) {
  std::string out;
  append_json_string(out, "q\"\\\n\t\x01\x7f");
  EXPECT_EQ(out, R"("q\"\\\n\t\u0001\u007f")");
  out.clear();
  append_json_string(out, "caf\xC3\xA9 \xFF \xED\xA0\x80");  // valid é, invalid byte, surrogate
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

// Plain runs are found sixteen bytes, then eight bytes at a time: a character that needs
// escaping is found at every position, in strings shorter than a word and longer than a
// block, and plain text around it is kept; the neighbours of the escaped ranges are not
// escaped.
TEST(JsonWriterTest, EscapesAtEveryPosition) {
  const std::pair<char, std::string_view> cases[] = {
      {'"', "\\\""},   {'\\', "\\\\"},   {'\n', "\\n"},   {'\x1f', "\\u001f"}, {'\x7f', "\\u007f"},
      {'\0', "\\u0000"}, {'\x01', "\\u0001"}, {' ', " "},      {'~', "~"},           {'!', "!"},
      {'#', "#"},        {'[', "["},        {']', "]"}};
  for (size_t len :
       {1u, 2u, 3u, 5u, 7u, 8u, 9u, 11u, 13u, 15u, 16u, 17u, 21u, 23u, 24u, 25u, 31u, 32u, 40u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (const auto& [c, escaped] : cases) {
        std::string in(len, 'a');
        in[pos] = c;
        std::string out;
        append_json_string(out, in);
        std::string want = "\"" + std::string(pos, 'a') + std::string(escaped) + std::string(len - pos - 1, 'a') + "\"";
        ASSERT_EQ(out, want) << "length " << len << ", position " << pos;
      }
    }
  }
  for (size_t len : {1u, 7u, 8u, 9u, 17u, 24u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      std::string in(len, 'a');
      in[pos] = '\xFF';  // an invalid byte, repaired
      std::string out;
      append_json_string(out, in);
      std::string want =
          "\"" + std::string(pos, 'a') + "\xEF\xBF\xBD" + std::string(len - pos - 1, 'a') + "\"";
      ASSERT_EQ(out, want) << "length " << len << ", position " << pos;
    }
  }
  // two to escape: the second found in a block that overlaps the one before
  for (size_t len : {9u, 12u, 15u, 17u, 20u, 31u, 33u}) {
    for (size_t pos = 0; pos + 1 < len; ++pos) {
      std::string in(len, 'a');
      in[pos] = '"';
      in[len - 1] = '\\';
      std::string out;
      append_json_string(out, in);
      ASSERT_EQ(out, "\"" + std::string(pos, 'a') + "\\\"" + std::string(len - pos - 2, 'a') + "\\\\\"")
          << "length " << len << ", position " << pos;
    }
  }
  std::string out;
  append_json_string(out, std::string(20, 'x') + "\xC3\xA9" + std::string(20, 'y') + "\xFF");
  EXPECT_EQ(out, "\"" + std::string(20, 'x') + "\xC3\xA9" + std::string(20, 'y') + "\xEF\xBF\xBD\"");
}

// json_plain: true only when no byte needs an escape, wherever that byte is.
TEST(JsonWriterTest, PlainStringsAreTold) {
  EXPECT_TRUE(json_plain(""));
  for (size_t len : {1u, 6u, 8u, 10u, 16u, 19u, 32u, 45u}) {
    std::string in(len, 'a');
    EXPECT_TRUE(json_plain(in)) << len;
    for (size_t pos = 0; pos < len; ++pos) {
      for (char c : {'"', '\\', '\n', '\x7f', '\x80'}) {
        std::string bad = in;
        bad[pos] = c;
        EXPECT_FALSE(json_plain(bad)) << "length " << len << ", position " << pos;
      }
    }
  }
}

TEST(JsonWriterTest, DoublesRoundTripAndNonFinite) {
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(1e100), "1e+100");
  EXPECT_EQ(format_double(-0.0), "-0");
  JsonWriter w;
  w.begin_array();
  w.value(std::numeric_limits<double>::infinity());
  w.value(std::numeric_limits<double>::quiet_NaN());
  w.end_array();
  EXPECT_EQ(w.str(), R"(["Infinity","NaN"])");
}

TEST(Base64Test, RoundTrip) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode(std::string("\x00\xff", 2)), "AP8=");
  EXPECT_EQ(*base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*base64_decode("Zg"), "f");
  EXPECT_FALSE(base64_decode("Z").has_value());
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());
}

}  // namespace
}  // namespace sekimori::core
