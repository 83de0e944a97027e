#include "detect/source.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace sekimori::detect {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

struct Fd {
  int fd = -1;
  bool owned = false;
  ~Fd() {
    if (owned && fd >= 0) ::close(fd);
  }
};

// Leaves new elements uninitialised on resize(n): the buffers below are filled by read(),
// memcpy or libdeflate right after growing, so zeroing them first is wasted work.
template <typename T>
struct UninitAlloc : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitAlloc<U>;
  };
  UninitAlloc() = default;
  template <typename U>
  UninitAlloc(const UninitAlloc<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor): allocator rebind
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  friend bool operator==(const UninitAlloc& /*a*/, const UninitAlloc& /*b*/) { return true; }
};
using Buffer = std::vector<char, UninitAlloc<char>>;

// Reads up to `max` bytes into buf (appending); returns bytes read, or -1 with errno.
ssize_t read_some(int fd, Buffer& buf, size_t max) {
  size_t old = buf.size();
  buf.resize(old + max);
  ssize_t n;
  do {
    n = ::read(fd, buf.data() + old, max);
  } while (n < 0 && errno == EINTR);
  buf.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
  return n;
}

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string line_too_long(uint64_t limit) {
  return "line longer than the limit of " + std::to_string(limit) + " bytes";
}

// Drops `buf` up to and including its first newline (all of it when there is none): how
// many bytes went, and in `found` whether the newline was there.
size_t drop_through_newline(Buffer& buf, bool& found) {
  auto nl = std::find(buf.begin(), buf.end(), '\n');
  found = nl != buf.end();
  size_t n = found ? static_cast<size_t>(nl - buf.begin()) + 1 : buf.size();
  buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

// `e`, a read that failed after the input's first `offset` bytes were delivered as whole
// lines: the offset of the first line lost is where hunt() reports it.
core::Error stopped_at(core::Error e, uint64_t offset) {
  e.location = core::Location{{}, 0, 0, offset};
  return e;
}

// Bytes after a complete gzip member that are neither zero padding nor another member
// (gzip(1) calls them trailing garbage): the data ends there, and this says so, at the
// end of the data read (the records before it are all delivered).
core::Error trailing_gzip(uint64_t decoded) {
  return stopped_at(
      core::make_error("detect.input.gzip",
                       "bytes after the end of the gzip data are not gzip data; they were ignored"),
      decoded);
}

// A gzip file decompressed as it is read, with zlib (libdeflate, which the reader uses for
// whole files, has no streaming interface). Members follow each other, with zero padding
// between them allowed; anything else after a complete member that does not start like
// one ends the data (trailing(): the reader reports it), and a damaged member is an error
// after the records before the damage, as in RecordReader's whole-file path.
class GzipStream {
 public:
  GzipStream(int fd, size_t chunk) : fd_(fd), chunk_(chunk) {}
  ~GzipStream() {
    if (init_) inflateEnd(&z_);
  }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  Buffer in;             // compressed bytes read; those before pos_ are inflated
  bool compact = false;  // whether inflated bytes may be dropped from `in` (not while it may be wanted back)
  [[nodiscard]] bool done() const { return done_; }
  // Whether the data ended at bytes that are not gzip (see trailing_gzip()).
  [[nodiscard]] bool trailing() const { return trailing_; }

  // Appends up to `max` decompressed bytes to `out`: how many (0 once the data has ended),
  // or the error. Compressed bytes read from the file are added to stats.bytes_read.
  core::Result<size_t> read(Buffer& out, size_t max, ReadStats& stats) {
    if (!init_) {
      if (inflateInit2(&z_, 15 + 16) != Z_OK)
        return core::make_error("detect.input.memory", "cannot start zlib");
      init_ = true;
    }
    size_t old = out.size(), produced = 0;
    out.resize(old + max);
    while (produced < max && !done_) {
      if (pos_ == in.size() && !in_eof_) SKM_TRY(refill(stats));
      z_.next_in = reinterpret_cast<Bytef*>(in.data() + pos_);
      z_.avail_in = static_cast<uInt>(std::min<size_t>(in.size() - pos_, UINT32_MAX));
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old + produced);
      z_.avail_out = static_cast<uInt>(std::min<size_t>(max - produced, UINT32_MAX));
      uInt avail_in = z_.avail_in, avail_out = z_.avail_out;
      int r = inflate(&z_, Z_NO_FLUSH);
      pos_ += avail_in - z_.avail_in;
      produced += avail_out - z_.avail_out;
      if (r == Z_STREAM_END) {
        SKM_TRY(next_member(stats));
      } else if (r == Z_BUF_ERROR || (r == Z_OK && z_.avail_in == 0)) {
        if (pos_ == in.size() && in_eof_) {
          out.resize(old + produced);
          return core::make_error("detect.input.gzip", "gzip data is truncated");
        }
      } else if (r != Z_OK) {
        out.resize(old + produced);
        return core::make_error("detect.input.gzip", "corrupt gzip data");
      }
    }
    out.resize(old + produced);
    return produced;
  }

 private:
  core::Status refill(ReadStats& stats) {
    if (compact && pos_ > 0) {
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ = 0;
    }
    ssize_t n = read_some(fd_, in, chunk_);
    if (n < 0)
      return core::make_error("detect.input.io", std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) in_eof_ = true;
    stats.bytes_read += static_cast<uint64_t>(n);
    return {};
  }

  // After a member's end: skips zero padding, then starts the next member or ends the data.
  core::Status next_member(ReadStats& stats) {
    while (true) {
      while (pos_ < in.size() && in[pos_] == '\0') ++pos_;
      if (in.size() - pos_ >= 2 || in_eof_) break;
      SKM_TRY(refill(stats));
    }
    if (in.size() - pos_ >= 2 && static_cast<unsigned char>(in[pos_]) == 0x1f &&
        static_cast<unsigned char>(in[pos_ + 1]) == 0x8b) {
      inflateReset(&z_);
    } else {
      done_ = true;
      trailing_ = pos_ < in.size();
    }
    return {};
  }

  int fd_;
  size_t chunk_;
  z_stream z_{};
  bool init_ = false, in_eof_ = false, done_ = false, trailing_ = false;
  size_t pos_ = 0;
};

// A record's tokens in a structural index (below): found by walking the index with a
// depth counter, so finding a record's bytes costs one pass over ~1/8 of the positions
// and no second parse. The range [first, stop) of indexes; stop is 0 for an element that
// is not an object (first is then its first token, where it is reported).
struct Span {
  uint32_t first = 0, stop = 0;
  // Found while the span was cut (Walk::skip_object): whether whitespace precedes one of
  // its tokens after the first, and whether any token starts a number (Walk::flags).
  bool flagged = false, ws = false, numbers = false;
};

// A walk over simdjson's structural index of a document (`ix`: the positions in `buf` of
// every structural character and scalar start, strings excluded; `n` of them).
struct Walk {
  const char* buf;
  const uint32_t* ix;
  size_t n;

  static constexpr auto kDepth = [] {
    std::array<int8_t, 256> t{};
    t['{'] = t['['] = 1;
    t['}'] = t[']'] = -1;
    return t;
  }();
  static constexpr auto kNumber = [] {
    std::array<bool, 256> t{};
    t['-'] = true;
    for (int d = '0'; d <= '9'; ++d) t[static_cast<size_t>(d)] = true;
    return t;
  }();

  // A number token at byte p: plain when it is -?[0-9]{1,18} and not -0.
  bool plain_number(uint32_t p) const {
    size_t digits = 0;
    bool neg = buf[p] == '-';
    size_t q = p + (neg ? 1 : 0);
    for (;; ++q) {
      char c = buf[q];
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        return false;
      } else {
        break;
      }
    }
    if (digits == 0 || digits > 18) return false;
    return !(neg && digits == 1 && buf[p + 1] == '0');
  }

  // RecordText's flags of the value whose tokens are [first, stop). `minified` is cleared
  // when whitespace precedes a token of the value after its first: every token
  // (structural character or scalar start) is in the index, so whitespace outside strings
  // always sits right before one, and otherwise a token follows a character of the token
  // before it (punctuation, a closing quote, a digit or letter), all above 0x20.
  // One branch-free pass finds both whitespace and whether there are numbers at all (most
  // records have none or a few); only then are the numbers looked at.
  void flags(size_t first, size_t stop, bool& plain, bool& minified) const {
    bool numbers = first < stop && kNumber[static_cast<unsigned char>(buf[ix[first]])];
    uint8_t pairs = 0;
    for (size_t i = first + 1; i < stop; ++i) {
      uint16_t pair;  // as in skip_object()
      std::memcpy(&pair, buf + ix[i] - 1, sizeof pair);
      pairs |= kPairFlags[pair];
    }
    numbers = numbers || (pairs & kPairNumber) != 0;
    minified = (pairs & kPairWs) == 0;
    plain = true;
    for (size_t i = first; numbers && i < stop; ++i) {
      uint32_t p = ix[i];
      if (kNumber[static_cast<unsigned char>(buf[p])] && !plain_number(p)) {
        plain = false;
        break;
      }
    }
  }

  // Index of the structural after the value starting at structural i; n + 1 on error.
  size_t skip(size_t i) const {
    if (i >= n || (buf[ix[i]] != '{' && buf[ix[i]] != '[')) return skip_value(i);
    // an object or array (every record): the tightest loop of the reader, one table
    // lookup per token
    int depth = 1;
    for (++i; i < n; ++i) {
      depth += kDepth[static_cast<unsigned char>(buf[ix[i]])];
      if (depth == 0) return i + 1;
    }
    return n + 1;
  }

  // skip_object()'s tables, indexed by a token's byte (high) and the byte before it (low),
  // read in one load: the depth change, and the flags (kPairWs: whitespace before the
  // token; kPairNumber: a number starts). Only a few pairs occur in JSON, so the entries
  // read stay in the cache.
  static constexpr uint8_t kPairWs = 1, kPairNumber = 2;
  static constexpr auto kPairDepth = [] {
    std::array<int8_t, 65536> t{};
    for (size_t pair = 0; pair < t.size(); ++pair) t[pair] = kDepth[pair >> 8];
    return t;
  }();
  static constexpr auto kPairFlags = [] {
    std::array<uint8_t, 65536> t{};
    for (size_t pair = 0; pair < t.size(); ++pair) {
      t[pair] = static_cast<uint8_t>(((pair & 0xFF) <= 0x20 ? kPairWs : 0) |
                                     (kNumber[pair >> 8] ? kPairNumber : 0));
    }
    return t;
  }();
  // skip() of the object whose '{' is structural i, also finding what flags() needs but
  // the numbers' own syntax: most records have no number at all, and then their flags are
  // known without a second pass over their tokens. The tightest loop of the reader.
  size_t skip_object(size_t i, Span& sp) const {
    static_assert(std::endian::native == std::endian::little);
    int depth = 1;
    uint8_t flags = 0;
    for (++i; i < n; ++i) {
      uint16_t pair;  // buf[p - 1] in the low byte, the token's buf[p] in the high one
      std::memcpy(&pair, buf + ix[i] - 1, sizeof pair);
      depth += kPairDepth[pair];
      flags |= kPairFlags[pair];
      if (depth == 0) {
        sp.flagged = true;
        sp.ws = (flags & kPairWs) != 0;
        sp.numbers = (flags & kPairNumber) != 0;
        return i + 1;
      }
    }
    return n + 1;
  }

  size_t skip_value(size_t i) const {
    int depth = 0;
    for (; i < n; ++i) {
      char c = buf[ix[i]];
      switch (c) {
        case '{':
        case '[': ++depth; break;
        case '}':
        case ']':
          if (--depth <= 0) return depth == 0 ? i + 1 : n + 1;
          break;
        default:
          if (depth == 0 && c != ',' && c != ':') return i + 1;  // a scalar
          break;
      }
    }
    return n + 1;
  }

  // Spans of the elements of the array whose '[' is structural i.
  // `close` (when given) is set to the index of the closing ']'. False, too, on commas
  // out of place (`[,{..}]`, `[{..},,{..}]`, `[{..},]`, `[{..} {..}]`): stage 1 does not
  // check them, and such a document must go to salvage(), which reports them.
  bool elements(size_t i, std::vector<Span>& out, size_t* close = nullptr) const {
    ++i;
    bool want_value = false;  // after a ','
    bool had_value = false;   // a value since the '[' or the last ','
    while (i < n) {
      char c = buf[ix[i]];
      if (c == ']') {
        if (want_value) return false;
        if (close != nullptr) *close = i;
        return true;
      }
      if (c == ',') {
        if (!had_value) return false;
        want_value = true;
        had_value = false;
        ++i;
        continue;
      }
      if (had_value) return false;
      want_value = false;
      had_value = true;
      Span sp;
      size_t j = c == '{' ? skip_object(i, sp) : skip(i);
      if (j > n) return false;
      if (c == '{') {
        sp.first = static_cast<uint32_t>(i);
        sp.stop = static_cast<uint32_t>(j);
        out.push_back(sp);
      } else {
        out.push_back({.first = static_cast<uint32_t>(i)});
      }
      i = j;
    }
    return false;
  }
};

}  // namespace

RecordText with_flags(RecordText text) {
  if (text.tokens == nullptr || text.token_count == 0) return text;
  Walk w{text.json.data() - text.tokens[0], text.tokens, text.token_count};
  w.flags(0, text.token_count, text.plain_numbers, text.minified);
  text.tokens = nullptr;
  text.token_count = 0;
  return text;
}

struct RecordReader::Impl {
  ReaderLimits limits;
  simdjson::dom::parser parser;
  simdjson::dom::parser index_parser;  // its stage 1 index of documents parsed by record
  Buffer raw;   // file bytes
  Buffer text;  // decompressed bytes (+ padding)
  libdeflate_decompressor* inflater = nullptr;

  ~Impl() {
    if (inflater) libdeflate_free_decompressor(inflater);
  }

  // Appends up to a chunk of the input to `raw`: how many bytes (0 at the input's end), or
  // the error.
  using MoreBytes = std::function<core::Result<size_t>()>;

  // `bad_at`: where an element that is not an object is reported (`offset` when unknown).
  void emit_record(element e, RecordText json, uint64_t offset, uint64_t& index, RecordSink& sink,
                   ReadStats& stats, std::optional<uint64_t> bad_at = std::nullopt) {
    if (e.type() != element_type::OBJECT) {
      ++stats.malformed;
      sink.malformed(bad_at.value_or(offset), "record is not a JSON object");
      return;
    }
    ++stats.records;
    sink.record_with_text(e, json, offset, index++);
  }

  // Record spans from the structural index of the last parse (Walk).
  std::vector<Span> spans;

  enum class Shape : uint8_t { kRecords, kArray, kSingle };

  // Fills `spans` for the document just parsed from `buf`; false when the walk does not
  // agree with the DOM (spans are then not used). The structural index is simdjson's
  // `parser.implementation` member (public, documented as internal; simdjson 3.0.1):
  // record_text_test.cc checks the spans on every input shape.
  bool find_spans(const char* buf, Shape shape) {
    spans.clear();
    const auto& impl = *parser.implementation;
    Walk w{buf, impl.structural_indexes.get(), impl.n_structural_indexes};
    if (w.n == 0) return false;
    switch (shape) {
      case Shape::kSingle: {
        size_t j = w.skip(0);
        if (j > w.n || buf[w.ix[0]] != '{') return false;
        spans.push_back({0, static_cast<uint32_t>(j)});
        return true;
      }
      case Shape::kArray:
        return buf[w.ix[0]] == '[' && w.elements(0, spans);
      case Shape::kRecords: {
        // the first member named "Records" (simdjson's at_key), keys as written; a key
        // with an escape before it could be "Records" too, so give up on those
        size_t i = 1;
        while (i + 2 < w.n) {
          char c = buf[w.ix[i]];
          if (c == '}') return false;
          if (c == ',') {
            ++i;
            continue;
          }
          if (c != '"' || buf[w.ix[i + 1]] != ':') return false;
          std::string_view key(buf + w.ix[i], w.ix[i + 1] - w.ix[i]);
          while (!key.empty() && is_ws(key.back())) key.remove_suffix(1);
          if (key.find('\\') != std::string_view::npos) return false;
          if (key == "\"Records\"") return buf[w.ix[i + 2]] == '[' && w.elements(i + 2, spans);
          i = w.skip(i + 2);
          if (i > w.n) return false;
        }
        return false;
      }
    }
    return false;
  }

  // The text of the record whose tokens are `sp` in the index `ix` of `buf`. Its flags are
  // set when cutting the span found no number in it (most records); otherwise they are
  // left to with_flags(), which looks at the numbers (and most records raise no alert).
  static RecordText record_text(const char* buf, const uint32_t* ix, Span sp) {
    if (sp.stop == 0) return {};
    RecordText t;
    t.json = std::string_view(buf + ix[sp.first], ix[sp.stop - 1] + 1 - ix[sp.first]);
    if (sp.flagged && !sp.numbers) {  // the flags are known (no number to look at)
      t.plain_numbers = true;
      t.minified = !sp.ws;
      return t;
    }
    t.tokens = ix + sp.first;
    t.token_count = sp.stop - sp.first;
    return t;
  }

  RecordText text_of(const char* buf, size_t k) const {
    if (k >= spans.size()) return {};
    return record_text(buf, parser.implementation->structural_indexes.get(), spans[k]);
  }

  // A parsed document (from `buf`): {"Records": [...]}, an array of records, or one record.
  void emit_document(element root, const char* buf, uint64_t offset, uint64_t& index, RecordSink& sink,
                     ReadStats& stats) {
    auto emit_array = [&](simdjson::dom::array records, Shape shape) {
      bool ok = find_spans(buf, shape) && spans.size() == records.size();
      size_t k = 0;
      for (element r : records) {
        // a bad element is reported at its own offset, as the streamed path does
        std::optional<uint64_t> at;
        if (ok) at = offset + parser.implementation->structural_indexes[spans[k].first];
        emit_record(r, ok ? text_of(buf, k) : RecordText{}, offset, index, sink, stats, at);
        ++k;
      }
    };
    if (root.type() == element_type::OBJECT) {
      auto recs = root.get_object().value_unsafe().at_key("Records");
      if (recs.error() == simdjson::SUCCESS && recs.value_unsafe().type() == element_type::ARRAY) {
        emit_array(recs.value_unsafe().get_array().value_unsafe(), Shape::kRecords);
        return;
      }
      bool ok = find_spans(buf, Shape::kSingle);
      emit_record(root, ok ? text_of(buf, 0) : RecordText{}, offset, index, sink, stats);
      return;
    }
    if (root.type() == element_type::ARRAY) {
      emit_array(root.get_array().value_unsafe(), Shape::kArray);
      return;
    }
    ++stats.malformed;
    sink.malformed(offset, "document is neither a record, an array of records nor {\"Records\": [...]}");
  }

  // Finds the end of the JSON value starting at `i` (string-aware bracket matching);
  // npos when it does not end inside `s`. With `depth` 1, the end of the object or array
  // whose contents start at `i` (after its closing bracket).
  static size_t value_end(std::string_view s, size_t i, int depth = 0) {
    bool in_str = false;
    for (size_t k = i; k < s.size(); ++k) {
      char c = s[k];
      if (in_str) {
        if (c == '\\') ++k;
        else if (c == '"') in_str = false;
        continue;
      }
      if (c == '"') in_str = true;
      else if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (--depth == 0) return k + 1;
        if (depth < 0) return std::string::npos;
      } else if (depth == 0 && (c == ',' || is_ws(c))) {
        return k;  // a scalar element
      }
    }
    return std::string::npos;
  }

  // True when at least half of the non-blank lines after the first each hold one complete
  // JSON object (brackets matched, not parsed): JSON lines, not a pretty-printed document
  // (whose lines are mostly members, with at most a few one-line objects among them).
  static bool mostly_object_lines(std::string_view s) {
    size_t lines = 0, objects = 0;
    for (size_t i = s.find('\n'); i != std::string_view::npos && i + 1 < s.size(); i = s.find('\n', i + 1)) {
      size_t b = i + 1;
      size_t e = s.find('\n', b);
      if (e == std::string_view::npos) e = s.size();
      while (b < e && is_ws(s[b])) ++b;
      while (e > b && is_ws(s[e - 1])) --e;
      if (b == e) continue;
      ++lines;
      if (s[b] == '{' && value_end(s.substr(0, e), b) == e) ++objects;
    }
    return objects > 0 && 2 * objects >= lines;
  }

  // The whole document did not parse: recover the records one by one so that one
  // broken record costs only itself, and report where each problem is.
  void salvage(std::string_view s, const simdjson::error_code whole_error, uint64_t& index, RecordSink& sink,
               ReadStats& stats) {
    size_t arr = std::string_view::npos;
    size_t rec = s.find("\"Records\"");
    if (rec != std::string_view::npos) {
      arr = s.find('[', rec);
    } else {
      size_t first = 0;
      while (first < s.size() && is_ws(s[first])) ++first;
      if (first < s.size() && s[first] == '[') arr = first;
    }
    if (arr == std::string_view::npos) {
      if (mostly_object_lines(s)) {
        // JSON lines whose first line is broken (so looks_like_lines() said no): read them
        // line by line, so that the bad lines are reported where they are and the good
        // ones are not lost with them
        size_t consumed = 0;
        parse_lines(s, 0, index, sink, stats, consumed, true);
        return;
      }
      ++stats.malformed;
      sink.malformed(0, std::string("document does not parse: ") + simdjson::error_message(whole_error));
      return;
    }
    // Every problem is reported where it is; a document that failed as a whole but shows
    // none here (text after the array, say) is reported once at offset 0.
    ArrayScan scan;
    ScanEnd end = scan_elements(s, arr + 1, 0, true, scan, index, sink, stats);
    if (!end.closed && !end.stop) scan.problem(s.size(), "the array of records is not closed", sink, stats);
    if (scan.problems == 0) {
      scan.problem(0,
                   std::string("document does not parse: ") + simdjson::error_message(whole_error) +
                       "; its records were read one by one",
                   sink, stats);
    }
  }

  // Where a scan of an array's elements is between windows of the input: whether a record
  // came since the '[' or the last ',', that comma's offset while no record followed it,
  // and how many problems were reported.
  struct ArrayScan {
    bool had_value = false;
    uint64_t comma = UINT64_MAX;
    uint64_t problems = 0;
    void problem(uint64_t at, std::string_view message, RecordSink& sink, ReadStats& stats) {
      ++problems;
      ++stats.malformed;
      sink.malformed(at, message);
    }
    // What a ',' at `at`, an element at `at`, and the closing ']' tell of the commas.
    void before_comma(uint64_t at, RecordSink& sink, ReadStats& stats) {
      if (!had_value) problem(at, "empty array element (a comma with no record before it)", sink, stats);
      had_value = false;
      comma = at;
    }
    void before_element(uint64_t at, RecordSink& sink, ReadStats& stats) {
      if (had_value) problem(at, "records not separated by a comma", sink, stats);
      had_value = true;
      comma = UINT64_MAX;
    }
    void before_close(RecordSink& sink, ReadStats& stats) {
      if (comma != UINT64_MAX) problem(comma, "comma before ']' with no record after it", sink, stats);
    }
  };
  // Where a scan stopped: `next`, the first byte it did not take; `closed` at the array's
  // ']' (`next` is after it); `stop` when the rest of the input cannot be read as records.
  struct ScanEnd {
    size_t next = 0;
    bool closed = false, stop = false;
  };

  // Reads the elements of an array of records from s[i] on (after its '[' or a ','; `base`
  // is the input's offset of s[0]), each one found by value_end() and parsed on its own,
  // reporting each problem at its own offset. Without `final`, stops before an element
  // that does not end inside `s` (more input may end it).
  ScanEnd scan_elements(std::string_view s, size_t i, uint64_t base, bool final, ArrayScan& scan,
                        uint64_t& index, RecordSink& sink, ReadStats& stats) {
    while (true) {
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) return {i};
      if (s[i] == ']') {
        scan.before_close(sink, stats);
        return {i + 1, true};
      }
      if (s[i] == ',') {
        scan.before_comma(base + i, sink, stats);
        ++i;
        continue;
      }
      size_t end = value_end(s, i);
      if (end == std::string_view::npos && !final) return {i};
      scan.before_element(base + i, sink, stats);
      if (end == std::string_view::npos) {
        scan.problem(base + i, "record is not terminated; the rest of the file is skipped", sink, stats);
        return {s.size(), false, true};
      }
      // the buffer has padding after `s`, so a sub-span may be parsed in place
      auto doc = parser.parse(s.data() + i, end - i, false);
      if (doc.error() != simdjson::SUCCESS) {
        scan.problem(base + i, std::string("record does not parse: ") + simdjson::error_message(doc.error()),
                     sink, stats);
      } else {
        bool ok = find_spans(s.data() + i, Shape::kSingle);
        emit_record(doc.value_unsafe(), ok ? text_of(s.data() + i, 0) : RecordText{}, base + i, index, sink,
                    stats);
      }
      i = end;
    }
  }

  // ---- Documents larger than one chunk, streamed

  // Where the array of records starts in `s`, the first chunk of a document: just after
  // the '[' of a top-level array, or of {"Records": [ when "Records" is the first member
  // (as written, no escapes); `records` tells which. Nullopt for any other form (read whole).
  static std::optional<size_t> array_start(std::string_view s, bool& records) {
    size_t i = 0;
    auto blank = [&] {
      while (i < s.size() && is_ws(s[i])) ++i;
    };
    auto take = [&](std::string_view what) {
      blank();
      if (s.substr(i, what.size()) != what) return false;
      i += what.size();
      return true;
    };
    records = false;
    if (take("[")) return i;
    if (!take("{") || !take("\"Records\"") || !take(":") || !take("[")) return std::nullopt;
    records = true;
    return i;
  }

  // Whether the input at raw[cut] is inside a string, told from the text before it back to
  // raw[from] (a place outside strings): the last quote before `cut` that is not escaped
  // closes a string when ':', ',', '}' or ']' follows it, and opens one when it follows
  // '{', '[', ',' or ':' with nothing after it. A guess (a string may hold those
  // characters): stage 1 tells when it was wrong.
  bool guess_in_string(size_t from, size_t cut) const {
    const char* b = raw.data();
    for (size_t q = cut; q > from;) {
      --q;
      if (b[q] != '"') continue;
      size_t slashes = 0;
      while (q - slashes > from && b[q - slashes - 1] == '\\') ++slashes;
      if (slashes % 2 == 1) continue;
      size_t k = q + 1;
      while (k < cut && is_ws(b[k])) ++k;
      if (k < cut) return b[k] != ':' && b[k] != ',' && b[k] != '}' && b[k] != ']';
      size_t p = q;
      while (p > from && is_ws(b[p - 1])) --p;
      return p > from && (b[p - 1] == '{' || b[p - 1] == '[' || b[p - 1] == ',' || b[p - 1] == ':');
    }
    return false;
  }

  // Stage 1 (index_parser) over raw[at, cut), where `cut` may fall inside a string: such
  // a string is closed with a quote written over raw[cut] (after an 'a' when a backslash
  // ends the text, so that the quote is not escaped), put back afterwards; the quote is no
  // token, so the index is the text's own. The string state at `cut` is guessed first, the
  // other one tried when stage 1 finds a string left open. raw has padding after `cut`.
  simdjson::error_code index_window(size_t at, size_t cut, bool final) {
    auto& impl = *index_parser.implementation;
    const auto* window = reinterpret_cast<const uint8_t*>(raw.data() + at);
    if (final) return impl.stage1(window, cut - at, simdjson::stage1_mode::regular);
    bool inside = guess_in_string(at, cut);
    simdjson::error_code error = simdjson::SUCCESS;
    for (int attempt = 0; attempt < 2; ++attempt, inside = !inside) {
      std::array<char, 2> saved{raw[cut], raw[cut + 1]};
      size_t len = cut - at;
      if (inside) {
        size_t slashes = 0;
        while (cut - slashes > at && raw[cut - slashes - 1] == '\\') ++slashes;
        if (slashes % 2 == 1) raw[at + len++] = 'a';
        raw[at + len++] = '"';
      }
      error = impl.stage1(window, len, simdjson::stage1_mode::regular);
      raw[cut] = saved[0];
      raw[cut + 1] = saved[1];
      if (error != simdjson::UNCLOSED_STRING) break;
    }
    return error;
  }

  // One window raw[at, have) of a streamed array of records, read from its structural
  // index: each record that ends inside the window and is followed by a ',' or the ']' is
  // parsed by stage 2 alone, as parse_by_record() does, and delivered with the whole
  // document's offset 0. Returns where it stopped; `stuck` when the window must be read
  // by scan_elements() from there (stage 1 failed, or the input ends in it).
  ScanEnd fast_window(size_t at, size_t have, bool final, uint64_t base, ArrayScan& scan, uint64_t& index,
                      RecordSink& sink, ReadStats& stats, bool& stuck) {
    ScanEnd r{at};
    stuck = false;
    size_t cut = have;
    if (!final) {       // not inside a UTF-8 sequence, which stage 1 would take for an invalid one
      size_t tail = 0;  // continuation bytes at the end
      while (tail < 3 && cut - tail > at && (static_cast<unsigned char>(raw[cut - tail - 1]) & 0xC0) == 0x80)
        ++tail;
      if (cut - tail > at) {
        auto lead = static_cast<unsigned char>(raw[cut - tail - 1]);
        size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (length > tail + 1) cut -= tail + 1;
      }
    }
    if (cut == at) return r;
    if (index_parser.capacity() < cut - at + 2) {
      size_t want = cut - at + 2;
      size_t cap = std::min(want + want / 4 + (size_t{64} << 10), index_parser.max_capacity());
      if (cap < want || index_parser.allocate(cap) != simdjson::SUCCESS) {
        stuck = true;
        return r;
      }
    }
    simdjson::error_code error = index_window(at, cut, final);
    if (error == simdjson::EMPTY) {  // blanks only
      r.next = cut;
      stuck = final;
      return r;
    }
    if (error != simdjson::SUCCESS) {
      stuck = true;
      return r;
    }
    auto& impl = *index_parser.implementation;
    const char* buf = raw.data() + at;
    Walk w{buf, impl.structural_indexes.get(), impl.n_structural_indexes};
    size_t i = 0;
    while (i < w.n) {
      char c = buf[w.ix[i]];
      if (c == ']') {
        scan.before_close(sink, stats);
        r.next = at + w.ix[i] + 1;
        r.closed = true;
        return r;
      }
      if (c == ',') {
        scan.before_comma(base + at + w.ix[i], sink, stats);
        r.next = at + w.ix[i] + 1;
        ++i;
        continue;
      }
      Span sp;
      size_t j = c == '{' ? w.skip_object(i, sp) : w.skip(i);
      if (j >= w.n) break;  // not ended in the window, or nothing after it yet: read it again with more
      scan.before_element(base + at + w.ix[i], sink, stats);
      if (c != '{') {
        scan.problem(base + at + w.ix[i], "record is not a JSON object", sink, stats);
      } else {
        sp.first = static_cast<uint32_t>(i);
        sp.stop = static_cast<uint32_t>(j);
        RecordText t = record_text(buf, w.ix, sp);
        error = reserve_document(t.json.size());
        if (error == simdjson::SUCCESS) {
          impl.next_structural_index = sp.first;
          error = impl.stage2_next(parser.doc);
        }
        if (error == simdjson::SUCCESS && impl.next_structural_index != sp.stop) error = simdjson::TAPE_ERROR;
        if (error != simdjson::SUCCESS) {
          scan.problem(base + at + w.ix[i],
                       std::string("record does not parse: ") + simdjson::error_message(error), sink, stats);
        } else {
          emit_record(parser.doc.root(), t, 0, index, sink, stats);
        }
      }
      i = j;
      r.next = at + w.ix[j];
    }
    stuck = final;
    return r;
  }

  // A {"Records": [...]} or [...] document larger than one chunk, read window by window so
  // that memory does not grow with it: `raw` holds its first bytes (the input's from offset
  // 0), `at` is just after the array's '[' (array_start()), `more` appends the next bytes.
  // Records come as a whole-document read gives them (same records, text, offset 0 and
  // indices) when the document is well formed; a window that stage 1 rejects is read
  // element by element instead (scan_elements(), as salvage() reads a broken document:
  // each problem at its own offset, the records there with theirs). What follows the
  // array must close the document (members after "Records" are checked, not read).
  core::Status stream_document(const MoreBytes& more, size_t at, bool records, bool eof, RecordSink& sink,
                               ReadStats& stats) {
    uint64_t base = 0, index = 0;
    ArrayScan scan;
    ScanEnd end;
    while (true) {
      size_t have = raw.size();
      raw.resize(have + simdjson::SIMDJSON_PADDING);
      std::memset(raw.data() + have, 0, simdjson::SIMDJSON_PADDING);
      bool stuck = false;
      end = fast_window(at, have, eof, base, scan, index, sink, stats, stuck);
      if (stuck && !end.closed) {
        end =
            scan_elements(std::string_view(raw.data(), have), end.next, base, eof, scan, index, sink, stats);
      }
      raw.resize(have);
      if (end.closed || end.stop) break;
      if (eof) {
        scan.problem(base + have, "the array of records is not closed", sink, stats);
        stats.bytes_decoded += have;
        return {};
      }
      // the bytes taken go; a record longer than a line may be is not waited for
      stats.bytes_decoded += end.next;
      base += end.next;
      raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(end.next));
      at = 0;
      if (raw.size() > limits.max_line_bytes) {
        stats.bytes_decoded += raw.size();
        return stopped_at(
            core::make_error("detect.input.too_large", "a record is longer than the limit of " +
                                                           std::to_string(limits.max_line_bytes) +
                                                           " bytes; the rest of the file is skipped"),
            base);
      }
      auto n = more();
      if (!n.ok()) return stopped_at(n.error(), base);
      if (*n == 0) eof = true;
    }
    if (end.stop) {
      stats.bytes_decoded += raw.size();
      return {};
    }
    return close_document(more, end.next, base, records, eof, index, sink, stats);
  }

  // What follows a streamed array of records, from raw[p] (the input's `base` + p) on:
  // blanks, then for {"Records": [...]} the object's end, after further members (checked to
  // parse, not read) if there are any. When more follows the document on a later line, the
  // input is JSON lines whose first line was this document (longer than the chunk that
  // told the form): the rest is read as lines, `index` going on. Each problem is reported
  // where it is.
  core::Status close_document(const MoreBytes& more, size_t p, uint64_t base, bool records, bool eof,
                              uint64_t index, RecordSink& sink, ReadStats& stats) {
    ArrayScan report;
    bool braced = !records;  // past the object's '}' (an array has none)
    size_t k = p;            // what has been looked at
    while (true) {
      while (k < raw.size() && is_ws(raw[k])) ++k;
      if (records && !braced && k < raw.size()) {
        size_t members_end = k;
        if (raw[k] == ',') members_end = value_end(std::string_view(raw.data(), raw.size()), k + 1, 1);
        if (members_end == std::string_view::npos && !eof) {
          // read on (below) until the members end
        } else if (raw[k] == ',' && members_end != std::string_view::npos) {
          // the document's other members: {"Records": [...], ...} parses if {...} does
          simdjson::padded_string members(std::string("{") +
                                          std::string(raw.data() + k + 1, members_end - k - 1));
          auto doc = parser.parse(members);
          if (doc.error() != simdjson::SUCCESS) {
            report.problem(base + k,
                           std::string("the members after \"Records\" do not parse: ") +
                               simdjson::error_message(doc.error()),
                           sink, stats);
          }
          k = members_end;
          braced = true;
          continue;
        } else if (raw[k] == '}') {
          ++k;
          braced = true;
          continue;
        } else {
          report.problem(base + k, "the document is not closed after its array of records", sink, stats);
          break;
        }
      } else if (braced && k < raw.size()) {
        if (records && std::memchr(raw.data() + p, '\n', k - p) != nullptr) {
          stats.bytes_decoded += k;
          raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(k));
          return stream_lines(more, base + k, eof, sink, stats, index);
        }
        report.problem(base + k, records ? "text after the document" : "text after the array of records",
                       sink, stats);
        break;
      }
      if (eof) {
        if (!braced)
          report.problem(base + k, "the document is not closed after its array of records", sink, stats);
        break;
      }
      if (raw.size() - p > limits.max_line_bytes) {
        report.problem(base + p, "the text after the array of records is too long to check; it was not read",
                       sink, stats);
        break;
      }
      auto n = more();
      if (!n.ok()) return stopped_at(n.error(), base + p);
      if (*n == 0) eof = true;
    }
    stats.bytes_decoded += raw.size();
    return {};
  }

  // Grows the parser with headroom before a parse: a delivery's objects have similar
  // sizes, and growing to exactly each new largest one reallocates the tape and index
  // (faulting in fresh pages) several times per run. A failure is left to parse(), which
  // allocates exactly what it needs or reports the error.
  void reserve_parser(size_t len) {
    if (parser.capacity() >= len && parser.doc.capacity() >= len) return;
    size_t cap = headroom(len);
    if (parser.doc.capacity() < cap && parser.doc.allocate(cap) != simdjson::SUCCESS) return;
    if (parser.capacity() < cap && parser.allocate(cap) != simdjson::SUCCESS) return;
  }
  size_t headroom(size_t len) const {
    return std::min(len + len / 4 + (size_t{64} << 10), parser.max_capacity());
  }
  // The same for the document alone (stage 2 of a record whose stage 1 ran elsewhere).
  simdjson::error_code reserve_document(size_t len) {
    if (parser.doc.capacity() >= len) return simdjson::SUCCESS;
    return parser.doc.allocate(headroom(len));
  }

  // Large documents are parsed record by record when their shape allows: stage 1 (the
  // structural index) runs over the whole document, the record spans are cut from it as
  // for RecordText, and then stage 2 alone builds each record's DOM from that index,
  // starting at the record's first token (simdjson's `stage2_next`, what its document
  // streams use: it stops where the value ends). Parsing the whole document
  // first would build its tape and strings (about twice the text) before the first record
  // is looked at, so every record's data would be read back from far away in memory; this
  // way a record's DOM is still in the CPU cache while it is matched, and the parser stays
  // small. Only `{"Records":[...]}` (no other member) and `[...]` documents whose elements
  // are all objects take this path; anything else, or a failure of stage 1, falls back to
  // parsing the whole document. Records are delivered exactly as a whole-document parse
  // delivers them (same elements, text, offset 0 and indices). A record that does not parse
  // is reported at its own offset and skipped, as salvage() would; the other records of
  // such a document keep offset 0 (salvage() gives each its own, having no whole document).
  bool parse_by_record(size_t len, RecordSink& sink, ReadStats& stats) {
    const char* buf = text.data();
    if (len < limits.by_record_bytes || len == 0) return false;
    if (index_parser.capacity() < len) {
      size_t cap = std::min(len + len / 4 + (size_t{64} << 10), index_parser.max_capacity());
      if (cap < len || index_parser.allocate(cap) != simdjson::SUCCESS) return false;
    }
    auto& impl = *index_parser.implementation;
    if (impl.stage1(reinterpret_cast<const uint8_t*>(buf), len, simdjson::stage1_mode::regular) !=
        simdjson::SUCCESS) {
      return false;
    }
    Walk w{buf, impl.structural_indexes.get(), impl.n_structural_indexes};
    spans.clear();
    size_t close = 0;
    if (w.n >= 2 && buf[w.ix[0]] == '[') {
      if (!w.elements(0, spans, &close) || close != w.n - 1) return false;
    } else if (w.n >= 6 && buf[w.ix[0]] == '{' && buf[w.ix[1]] == '"' && buf[w.ix[2]] == ':' &&
               buf[w.ix[3]] == '[') {
      std::string_view key(buf + w.ix[1], w.ix[2] - w.ix[1]);
      while (!key.empty() && is_ws(key.back())) key.remove_suffix(1);
      if (key != "\"Records\"" || !w.elements(3, spans, &close) || close + 2 != w.n ||
          buf[w.ix[w.n - 1]] != '}') {
        return false;
      }
    } else {
      return false;
    }
    for (const Span& sp : spans) {
      if (sp.stop == 0) return false;  // an element that is not an object
    }
    uint64_t index = 0;
    for (const Span& sp : spans) {
      RecordText t = record_text(buf, w.ix, sp);
      // stage 2 alone, from the record's first token: it stops where the record ends
      simdjson::error_code error = reserve_document(t.json.size());
      if (error == simdjson::SUCCESS) {
        impl.next_structural_index = sp.first;
        error = impl.stage2_next(parser.doc);
      }
      if (error == simdjson::SUCCESS && impl.next_structural_index != sp.stop) error = simdjson::TAPE_ERROR;
      if (error != simdjson::SUCCESS) {
        ++stats.malformed;
        sink.malformed(w.ix[sp.first],
                       std::string("record does not parse: ") + simdjson::error_message(error));
        continue;
      }
      emit_record(parser.doc.root(), t, 0, index, sink, stats);
    }
    return true;
  }

  void parse_whole(size_t len, RecordSink& sink, ReadStats& stats) {
    if (parse_by_record(len, sink, stats)) return;
    uint64_t index = 0;
    std::string_view s(text.data(), len);
    reserve_parser(len);
    auto doc = parser.parse(text.data(), len, false);
    if (doc.error() == simdjson::SUCCESS) {
      emit_document(doc.value_unsafe(), text.data(), 0, index, sink, stats);
      return;
    }
    if (doc.error() == simdjson::CAPACITY) {
      ++stats.malformed;
      sink.malformed(0, "document larger than the parser capacity");
      return;
    }
    salvage(s, doc.error(), index, sink, stats);
  }

  void parse_lines(std::string_view s, uint64_t base, uint64_t& index, RecordSink& sink, ReadStats& stats,
                   size_t& consumed, bool final) {
    size_t i = 0;
    while (i < s.size()) {
      size_t nl = s.find('\n', i);
      if (nl == std::string_view::npos) {
        if (!final) break;
        nl = s.size();
      }
      size_t b = i, e = nl;
      while (b < e && is_ws(s[b])) ++b;
      while (e > b && is_ws(s[e - 1])) --e;
      if (e > b) {
        if (e - b > limits.max_line_bytes) {
          ++stats.malformed;
          sink.malformed(base + b, line_too_long(limits.max_line_bytes));
        } else {
          reserve_parser(e - b);
          auto doc = parser.parse(s.data() + b, e - b, false);
          if (doc.error() != simdjson::SUCCESS) {
            ++stats.malformed;
            sink.malformed(base + b, std::string("line does not parse: ") + simdjson::error_message(doc.error()));
          } else {
            emit_document(doc.value_unsafe(), s.data() + b, base + b, index, sink, stats);
          }
        }
      }
      i = nl + 1;
    }
    consumed = std::min(i, s.size());
  }

  // Decides between JSON lines and one document: JSON lines when the first line is a
  // complete JSON value.
  static bool looks_like_lines(std::string_view s) {
    size_t b = 0;
    while (b < s.size() && is_ws(s[b])) ++b;
    if (b >= s.size() || s[b] != '{') return false;
    size_t nl = s.find('\n', b);
    if (nl == std::string_view::npos) return false;
    // something must follow the first line; checked first, because a one-line document
    // ({"Records":[...]} plus a newline, as often delivered) would otherwise be scanned
    // byte by byte to its end by value_end()
    size_t rest = nl;
    while (rest < s.size() && is_ws(s[rest])) ++rest;
    if (rest >= s.size()) return false;
    size_t e = nl;
    while (e > b && is_ws(s[e - 1])) --e;
    return value_end(s.substr(0, e), b) == e;
  }

  core::Status gunzip(std::string_view in, ReadStats& stats, size_t& out_len) {
    if (!inflater) inflater = libdeflate_alloc_decompressor();
    if (!inflater) return core::make_error("detect.input.memory", "cannot allocate a decompressor");
    // ISIZE (the last 4 bytes) is the size modulo 2^32 of the last member: a hint only, and
    // untrusted: no more than deflate can give (at most 1032 bytes out per byte in), so that
    // a tiny file cannot have a buffer of max_document_bytes reserved for it.
    uint64_t hint = 0;
    if (in.size() >= 4) {
      const auto* p = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
      hint = p[0] | (p[1] << 8) | (p[2] << 16) | (uint64_t{p[3]} << 24);
      hint = std::min<uint64_t>(hint, uint64_t{in.size()} * 1032);
    }
    uint64_t cap = std::max<uint64_t>({hint + 1, in.size() * 4, 1 << 16});
    cap = std::min<uint64_t>(cap, limits.max_document_bytes);
    size_t in_pos = 0;
    out_len = 0;
    while (in_pos < in.size()) {
      size_t used_in = 0, produced = 0;
      libdeflate_result r;
      while (true) {
        text.resize(static_cast<size_t>(cap) + simdjson::SIMDJSON_PADDING);
        r = libdeflate_gzip_decompress_ex(inflater, in.data() + in_pos, in.size() - in_pos, text.data() + out_len,
                                          static_cast<size_t>(cap) - out_len, &used_in, &produced);
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE) break;
        if (cap >= limits.max_document_bytes) {
          return core::make_error("detect.input.too_large", "decompressed file exceeds the limit of " +
                                                                std::to_string(limits.max_document_bytes) + " bytes");
        }
        cap = std::min<uint64_t>(cap * 2, limits.max_document_bytes);
      }
      if (r != LIBDEFLATE_SUCCESS) {
        // a damaged member (the first, or one after complete ones): what zlib can decompress
        // of it is kept, then the error
        out_len = recover_gzip(in.substr(in_pos), out_len, cap);
        stats.gzip = true;
        stats.bytes_decoded = out_len;
        return stopped_at(core::make_error("detect.input.gzip", "corrupt or truncated gzip data"), out_len);
      }
      out_len += produced;
      in_pos += used_in;
      // members may be followed by zero padding
      while (in_pos < in.size() && in[in_pos] == '\0') ++in_pos;
      if (in_pos < in.size() && (in.size() - in_pos < 2 || static_cast<unsigned char>(in[in_pos]) != 0x1f)) {
        stats.gzip = true;
        stats.bytes_decoded = out_len;
        return trailing_gzip(out_len);
      }
    }
    stats.gzip = true;
    stats.bytes_decoded = out_len;
    return {};
  }

  // What zlib decompresses of a damaged member before the damage, appended to the `have`
  // bytes of `text` (from `cap` bytes of room in all up to the document limit): the text's
  // length after it. libdeflate, all or nothing, gives none of it.
  size_t recover_gzip(std::string_view in, size_t have, uint64_t cap) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return have;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
    size_t produced = std::min<uint64_t>(have, cap);
    while (true) {
      text.resize(static_cast<size_t>(cap) + simdjson::SIMDJSON_PADDING);
      z.next_out = reinterpret_cast<Bytef*>(text.data() + produced);
      z.avail_out = static_cast<uInt>(std::min<uint64_t>(cap - produced, UINT32_MAX));
      uInt room = z.avail_out;
      int r = inflate(&z, Z_NO_FLUSH);
      produced += room - z.avail_out;
      if (r != Z_OK || z.avail_in == 0) break;  // the damage (or the end of what there is)
      if (produced < cap) continue;
      if (cap >= limits.max_document_bytes) break;
      cap = std::min<uint64_t>(cap * 2, limits.max_document_bytes);
    }
    inflateEnd(&z);
    return produced;
  }

  core::Status read_all_then_parse(std::string_view data, RecordSink& sink, ReadStats& stats) {
    size_t len = data.size();
    if (data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b) {
      core::Status unzipped = gunzip(data, stats, len);
      if (!unzipped.ok()) {
        // a damaged file, or one with bytes after its gzip data: the records in what could
        // be decompressed go first (parsed as a broken document or lines would be), then
        // the error, at the offset where it stopped
        const core::Error& e = unzipped.error();
        if (e.code == "detect.input.gzip" && e.location && e.location->offset > 0) {
          SKM_TRY(parse_text(static_cast<size_t>(e.location->offset), sink, stats));
        }
        return unzipped;
      }
    } else {
      if (data.size() > limits.max_document_bytes) {
        return core::make_error("detect.input.too_large", "file exceeds the limit of " +
                                                              std::to_string(limits.max_document_bytes) + " bytes");
      }
      text.resize(data.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(text.data(), data.data(), data.size());
      stats.bytes_decoded = data.size();
    }
    return parse_text(len, sink, stats);
  }

  // Parses the first `len` bytes of `text` (which has room for the padding after them).
  core::Status parse_text(size_t len, RecordSink& sink, ReadStats& stats) {
    std::memset(text.data() + len, 0, simdjson::SIMDJSON_PADDING);
    std::string_view s(text.data(), len);
    if (looks_like_lines(s)) {
      uint64_t index = 0;
      size_t consumed = 0;
      parse_lines(s, 0, index, sink, stats, consumed, true);
    } else {
      parse_whole(len, sink, stats);
    }
    return {};
  }

  core::Status read_fd(int fd, const std::string& path, RecordSink& sink, ReadStats& stats) {
    raw.clear();
    auto fail = [&](int err) {
      return core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(err));
    };
    // First chunk decides the form.
    while (raw.size() < limits.chunk_bytes) {
      ssize_t n = read_some(fd, raw, limits.chunk_bytes - raw.size());
      if (n < 0) return fail(errno);
      if (n == 0) break;
    }
    stats.bytes_read = raw.size();
    bool eof = raw.size() < limits.chunk_bytes;
    bool gz = raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f && static_cast<unsigned char>(raw[1]) == 0x8b;
    if (gz && !eof) {
      // A gzip file larger than one chunk: JSON lines and documents of records are
      // decompressed as they are read, so that memory does not grow with the file (nor is
      // it limited to max_document_bytes); anything else is decompressed whole below.
      GzipStream z(fd, limits.chunk_bytes);
      std::swap(z.in, raw);  // the compressed bytes read so far
      auto first = z.read(raw, limits.chunk_bytes, stats);
      if (first.ok() && looks_like_lines(std::string_view(raw.data(), raw.size()))) {
        stats.gzip = true;
        z.compact = true;
        core::Status st =
            stream_lines([&] { return z.read(raw, limits.chunk_bytes, stats); }, 0, z.done(), sink, stats);
        if (st.ok() && z.trailing()) return trailing_gzip(stats.bytes_decoded);
        return st;
      }
      bool records = false;
      std::optional<size_t> at;
      if (first.ok()) at = array_start(std::string_view(raw.data(), raw.size()), records);
      if (at) {  // a large document of records: streamed too
        stats.gzip = true;
        z.compact = true;
        core::Status st = stream_document([&] { return z.read(raw, limits.chunk_bytes, stats); }, *at,
                                          records, z.done(), sink, stats);
        if (st.ok() && z.trailing()) return trailing_gzip(stats.bytes_decoded);
        return st;
      }
      std::swap(z.in, raw);  // all compressed bytes read, for the whole-file path
    }
    std::string_view head(raw.data(), raw.size());
    bool records = false;
    if (!eof && !gz && !looks_like_lines(head)) {
      // a document of records larger than one chunk is streamed (memory does not grow with it)
      if (auto at = array_start(head, records)) {
        return stream_document(fd_bytes(fd, path, UINT64_MAX, stats), *at, records, false, sink, stats);
      }
    }
    if (eof || gz || !looks_like_lines(head)) {
      // whole-document (or gzip): read the rest
      uint64_t limit = gz ? limits.max_document_bytes : limits.max_document_bytes + 1;
      while (!eof) {
        if (raw.size() > limit) {
          return core::make_error("detect.input.too_large", path + " exceeds the limit of " +
                                                                std::to_string(limits.max_document_bytes) + " bytes");
        }
        ssize_t n = read_some(fd, raw, limits.chunk_bytes);
        if (n < 0) return fail(errno);
        if (n == 0) break;
      }
      stats.bytes_read = raw.size();
      if (!gz && raw.size() <= limits.max_document_bytes) {
        // parse in place: the file's bytes become the text buffer (no copy), and go back
        // to being the read buffer afterwards, so that plain files only ever touch one
        // buffer's pages (alternating would keep two of them resident)
        std::swap(raw, text);
        size_t len = text.size();
        text.resize(len + simdjson::SIMDJSON_PADDING);
        stats.bytes_decoded = len;
        core::Status st = parse_text(len, sink, stats);
        std::swap(raw, text);
        return st;
      }
      return read_all_then_parse(std::string_view(raw.data(), raw.size()), sink, stats);
    }
    return stream_lines(fd_bytes(fd, path, UINT64_MAX, stats), 0, eof, sink, stats);
  }

  // The next bytes of `fd`, `left` of them at most (UINT64_MAX: to its end), counted in
  // stats.bytes_read.
  MoreBytes fd_bytes(int fd, const std::string& path, uint64_t left, ReadStats& stats) {
    return [this, fd, &path, left, &stats]() mutable -> core::Result<size_t> {
      if (left == 0) return size_t{0};
      ssize_t n = read_some(fd, raw, static_cast<size_t>(std::min<uint64_t>(limits.chunk_bytes, left)));
      if (n < 0)
        return core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(errno));
      left -= static_cast<uint64_t>(n);
      stats.bytes_read += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    };
  }

  // JSON lines, streamed chunk by chunk from `more`: `raw` holds the bytes read so far (the
  // input's from offset `base` on), `eof` whether there are no more.
  core::Status stream_lines(const MoreBytes& more, uint64_t base, bool eof, RecordSink& sink,
                            ReadStats& stats, uint64_t index = 0) {
    while (true) {
      // parsed in place: zeroed padding after the bytes read, taken off again after the parse
      size_t have = raw.size();
      raw.resize(have + simdjson::SIMDJSON_PADDING);
      std::memset(raw.data() + have, 0, simdjson::SIMDJSON_PADDING);
      size_t consumed = 0;
      parse_lines(std::string_view(raw.data(), have), base, index, sink, stats, consumed, eof);
      raw.resize(have);
      stats.bytes_decoded += consumed;
      base += consumed;
      raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(consumed));
      if (eof) break;
      if (raw.size() > limits.max_line_bytes) {
        // one line is longer than allowed: skip to its end
        ++stats.malformed;
        sink.malformed(base, line_too_long(limits.max_line_bytes));
        size_t skipped = raw.size();
        raw.clear();
        for (bool found = false; !found;) {
          auto got = more();
          if (!got.ok()) return stopped_at(got.error(), base);
          size_t n = *got;
          if (n == 0) {
            eof = true;
            break;
          }
          skipped += drop_through_newline(raw, found);
        }
        base += skipped;
        stats.bytes_decoded += skipped;
        if (eof) break;
        continue;
      }
      auto n = more();
      if (!n.ok()) return stopped_at(n.error(), base);
      if (*n == 0) eof = true;
    }
    return {};
  }

  // The first line start at or after `at` in `fd` (of `size` bytes): `at` itself when it
  // is 0 or follows a newline, else the byte after the next newline, else `size`.
  static core::Result<uint64_t> line_start(int fd, uint64_t at, uint64_t size) {
    if (at == 0) return uint64_t{0};
    if (at >= size) return size;
    std::array<char, 64 << 10> block{};
    for (uint64_t pos = at - 1; pos < size;) {
      ssize_t n;
      do {
        n = ::pread(fd, block.data(), block.size(), static_cast<off_t>(pos));
      } while (n < 0 && errno == EINTR);
      if (n < 0)
        return core::make_error("detect.input.io", std::string("cannot read: ") + std::strerror(errno));
      if (n == 0) break;
      const char* nl = static_cast<const char*>(std::memchr(block.data(), '\n', static_cast<size_t>(n)));
      if (nl != nullptr) return pos + static_cast<uint64_t>(nl - block.data()) + 1;
      pos += static_cast<uint64_t>(n);
    }
    return size;
  }

  core::Status read_part(int fd, const std::string& path, uint64_t begin, uint64_t end, RecordSink& sink,
                         ReadStats& stats) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      return core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(errno));
    }
    auto size = static_cast<uint64_t>(st.st_size);
    auto first = line_start(fd, begin, size);
    if (!first.ok()) return core::make_error("detect.input.io", path + ": " + first.error().message);
    auto last = line_start(fd, std::min(end, size), size);
    if (!last.ok()) return core::make_error("detect.input.io", path + ": " + last.error().message);
    raw.clear();
    if (*last <= *first) return {};
    if (::lseek(fd, static_cast<off_t>(*first), SEEK_SET) < 0) {
      return core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(errno));
    }
    return stream_lines(fd_bytes(fd, path, *last - *first, stats), *first, false, sink, stats);
  }
};

RecordReader::RecordReader(ReaderLimits limits) : impl_(std::make_unique<Impl>()) { impl_->limits = limits; }
RecordReader::~RecordReader() = default;

core::Status RecordReader::read_file(const std::string& path, RecordSink& sink, ReadStats& stats) {
  Fd fd;
  if (path == "-") {
    fd.fd = STDIN_FILENO;
  } else {
    fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    fd.owned = true;
    if (fd.fd < 0) return core::make_error("detect.input.io", "cannot open " + path + ": " + std::strerror(errno));
  }
  return impl_->read_fd(fd.fd, path, sink, stats);
}

core::Status RecordReader::read_part(const std::string& path, uint64_t begin, uint64_t end, RecordSink& sink,
                                     ReadStats& stats) {
  Fd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  fd.owned = true;
  if (fd.fd < 0)
    return core::make_error("detect.input.io", "cannot open " + path + ": " + std::strerror(errno));
  return impl_->read_part(fd.fd, path, begin, end, sink, stats);
}

bool RecordReader::is_json_lines_file(const std::string& path, const ReaderLimits& limits) {
  Fd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  fd.owned = true;
  if (fd.fd < 0) return false;
  // read_file() takes a file that fits in its first chunk whole
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < limits.chunk_bytes) {
    return false;
  }
  // It decides on that chunk, where looks_like_lines() looks no further than the first line
  // and the first byte that is not blank after it: only that much is read here.
  Buffer head;
  constexpr std::string_view kBlank = " \n\r\t";
  constexpr size_t npos = std::string_view::npos;
  size_t first = npos, newline = npos, looked = 0;  // what was found in head[0, looked)
  while (head.size() < limits.chunk_bytes) {
    ssize_t n = read_some(fd.fd, head, std::min<size_t>(size_t{64} << 10, limits.chunk_bytes - head.size()));
    if (n <= 0) return false;
    std::string_view h(head.data(), head.size());
    if (first == npos) first = h.find_first_not_of(kBlank, looked);
    if (first != npos && h[first] != '{') break;
    if (first != npos && newline == npos) newline = h.find('\n', std::max(first, looked));
    if (newline != npos && h.find_first_not_of(kBlank, std::max(newline, looked)) != npos) break;
    looked = h.size();
  }
  if (head.size() < 2) return false;
  bool gz = static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b;
  return !gz && Impl::looks_like_lines(std::string_view(head.data(), head.size()));
}

core::Status RecordReader::read_bytes(std::string_view data, RecordSink& sink, ReadStats& stats) {
  stats.bytes_read = data.size();
  return impl_->read_all_then_parse(data, sink, stats);
}

bool RecordReader::looks_like_lines(std::string_view head) { return Impl::looks_like_lines(head); }

// ---------------------------------------------------------------------------------------
// LineSplitter

struct LineSplitter::Part {
  Buffer bytes;  // whole lines, the first at `base`; or the whole input as stored (`whole`)
  uint64_t base = 0;
  bool whole = false;
  bool last = false;
  // A document of records larger than one chunk: `bytes` holds its first bytes (decompressed)
  // and the reader streams the rest from the splitter (RecordReader::Impl::stream_document()
  // from `array_at`; `records` as array_start() tells).
  LineSplitter::Impl* stream = nullptr;
  size_t array_at = 0;
  bool records = false, stream_eof = false;
  ReadStats stats;  // bytes_read to cut it, gzip; a line skipped for its length (malformed, bytes_decoded)
  std::optional<std::pair<uint64_t, std::string>> skipped;  // that line: its offset, the message
  std::optional<core::Error> error;                         // reading stopped after `bytes`
};

struct LineSplitter::Impl {
  std::string path;
  ReaderLimits limits;
  uint64_t part_bytes;
  Fd fd;
  bool started = false, eof = false, finished = false;
  std::unique_ptr<GzipStream> z;  // a gzip input
  Buffer pending;                 // bytes read and not handed out yet: the input's from `base` on
  uint64_t base = 0;
  std::mutex mu;  // guards `spare`
  std::vector<Buffer> spare;

  Impl(std::string p, ReaderLimits l, uint64_t pb)
      : path(std::move(p)), limits(l), part_bytes(std::max<uint64_t>(pb, 1)) {}

  PartPtr fresh() {
    PartPtr part(new Part);
    std::lock_guard lock(mu);
    if (!spare.empty()) {
      part->bytes = std::move(spare.back());
      spare.pop_back();
      part->bytes.clear();
    }
    return part;
  }

  core::Error io_error(int err) const {
    return core::make_error("detect.input.io", "cannot read " + path + ": " + std::strerror(err));
  }

  // Appends up to a chunk of the (decompressed) input to `to` (`pending`): how many bytes, 0 at its end.
  core::Result<size_t> more(ReadStats& stats) { return more(pending, stats); }
  core::Result<size_t> more(Buffer& to, ReadStats& stats) {
    if (z) return z->read(to, limits.chunk_bytes, stats);
    ssize_t n = read_some(fd.fd, to, limits.chunk_bytes);
    if (n < 0) return io_error(errno);
    stats.bytes_read += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

  // The input is a document of records larger than one chunk, whose first bytes are in
  // `head`: one part that its reader streams from here (the splitter reads nothing more).
  PartPtr stream_part(PartPtr part, Buffer& head, size_t at, bool records) {
    part->stream = this;
    part->array_at = at;
    part->records = records;
    part->stream_eof = eof;
    part->bytes = std::move(head);
    part->last = finished = true;
    return part;
  }

  // Opens the input and tells its form from its first chunk, as RecordReader::read_fd() does.
  PartPtr start() {
    started = true;
    auto part = fresh();
    if (path == "-") {
      fd.fd = STDIN_FILENO;
    } else {
      fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      fd.owned = true;
      if (fd.fd < 0) {
        part->last = finished = true;
        part->error =
            core::make_error("detect.input.io", "cannot open " + path + ": " + std::strerror(errno));
        return part;
      }
    }
    Buffer raw;
    while (raw.size() < limits.chunk_bytes) {
      ssize_t n = read_some(fd.fd, raw, limits.chunk_bytes - raw.size());
      if (n < 0) {
        part->last = finished = true;
        part->error = io_error(errno);
        return part;
      }
      if (n == 0) break;
    }
    part->stats.bytes_read = raw.size();
    eof = raw.size() < limits.chunk_bytes;
    const bool gz = raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
                    static_cast<unsigned char>(raw[1]) == 0x8b;
    if (gz && !eof) {
      z = std::make_unique<GzipStream>(fd.fd, limits.chunk_bytes);
      std::swap(z->in, raw);
      auto first = z->read(pending, limits.chunk_bytes, part->stats);
      if (first.ok() && RecordReader::looks_like_lines(std::string_view(pending.data(), pending.size()))) {
        z->compact = true;
        part->stats.gzip = true;
        eof = z->done();
        return cut(std::move(part));
      }
      bool records = false;
      std::optional<size_t> at;
      if (first.ok())
        at = RecordReader::Impl::array_start(std::string_view(pending.data(), pending.size()), records);
      if (at) {
        z->compact = true;
        part->stats.gzip = true;
        eof = z->done();
        return stream_part(std::move(part), pending, *at, records);
      }
      std::swap(z->in, raw);  // all compressed bytes read, for the whole input below
      z.reset();
      pending.clear();
    } else if (!gz && !eof && RecordReader::looks_like_lines(std::string_view(raw.data(), raw.size()))) {
      std::swap(pending, raw);
      return cut(std::move(part));
    } else if (!gz && !eof) {
      bool records = false;
      if (auto at = RecordReader::Impl::array_start(std::string_view(raw.data(), raw.size()), records)) {
        return stream_part(std::move(part), raw, *at, records);
      }
    }
    // Anything else is read whole, as read_file() reads it.
    uint64_t limit = gz ? limits.max_document_bytes : limits.max_document_bytes + 1;
    while (!eof) {
      if (raw.size() > limit) {
        part->error = core::make_error(
            "detect.input.too_large",
            path + " exceeds the limit of " + std::to_string(limits.max_document_bytes) + " bytes");
        break;
      }
      ssize_t n = read_some(fd.fd, raw, limits.chunk_bytes);
      if (n < 0) {
        part->error = io_error(errno);
        break;
      }
      if (n == 0) eof = true;
    }
    part->stats.bytes_read = raw.size();
    part->whole = part->last = finished = true;
    if (part->error) raw.clear();
    part->bytes = std::move(raw);
    return part;
  }

  // Hands out the lines of about part_bytes from `pending` on (reading more as needed).
  PartPtr cut(PartPtr part) {
    part->base = base;
    size_t end = 0;       // after the last newline found in pending
    size_t searched = 0;  // pending[0, searched) holds no newline after `end`
    bool too_long = false;
    while (true) {
      if (searched < pending.size()) {
        const void* nl = ::memrchr(pending.data() + searched, '\n', pending.size() - searched);
        if (nl != nullptr) end = static_cast<size_t>(static_cast<const char*>(nl) - pending.data()) + 1;
        searched = pending.size();
      }
      if (pending.size() - end > limits.max_line_bytes) {
        too_long = true;  // the line from `end` on
        break;
      }
      if (eof) {
        end = pending.size();
        break;
      }
      if (pending.size() >= part_bytes && end > 0) break;  // at the last line's end read so far
      auto n = more(part->stats);
      if (!n.ok()) {
        part->error = stopped_at(n.error(), base + end);  // the lines read in full go first
        eof = true;
        pending.resize(end);
        break;
      }
      if (*n == 0) eof = true;
    }
    // pending[0, end) goes out in the part's buffer; the rest stays
    std::swap(part->bytes, pending);
    pending.assign(part->bytes.begin() + static_cast<std::ptrdiff_t>(end), part->bytes.end());
    part->bytes.resize(end);
    base += end;
    if (too_long) skip_line(*part);
    part->last = finished = eof && pending.empty();
    if (finished && !part->error && z && z->trailing()) part->error = trailing_gzip(base);
    return part;
  }

  // Drops the over-long line at the start of `pending`, up to its newline.
  void skip_line(Part& part) {
    part.skipped.emplace(base, line_too_long(limits.max_line_bytes));
    ++part.stats.malformed;
    uint64_t skipped = 0;
    bool found = false;
    while (true) {
      skipped += drop_through_newline(pending, found);
      if (found || eof) break;
      auto n = more(part.stats);
      if (!n.ok()) {
        part.error = stopped_at(n.error(), base);  // within the line being skipped
        eof = true;
        pending.clear();
        break;
      }
      if (*n == 0) eof = true;
    }
    base += skipped;
    part.stats.bytes_decoded += skipped;
  }
};

void LineSplitter::PartDeleter::operator()(Part* part) const { delete part; }

LineSplitter::LineSplitter(std::string path, ReaderLimits limits, uint64_t part_bytes)
    : impl_(std::make_unique<Impl>(std::move(path), limits, part_bytes)) {}
LineSplitter::~LineSplitter() = default;

LineSplitter::PartPtr LineSplitter::next() {
  if (impl_->finished) return nullptr;
  if (!impl_->started) return impl_->start();
  return impl_->cut(impl_->fresh());
}

void LineSplitter::recycle(PartPtr part) {
  if (!part || part->bytes.capacity() == 0) return;
  std::lock_guard lock(impl_->mu);
  if (impl_->spare.size() < 8) impl_->spare.push_back(std::move(part->bytes));
}

uint64_t LineSplitter::base(const Part& part) { return part.base; }
bool LineSplitter::last(const Part& part) { return part.last; }

bool LineSplitter::wants(const std::string& path, const ReaderLimits& limits) {
  if (path == "-") return true;
  Fd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  fd.owned = true;
  struct stat st {};
  if (fd.fd < 0 || ::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) <= limits.chunk_bytes) {
    return false;
  }
  std::array<unsigned char, 2> magic{};
  ssize_t n;
  do {
    n = ::read(fd.fd, magic.data(), magic.size());
  } while (n < 0 && errno == EINTR);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

core::Status RecordReader::read_split(LineSplitter::Part& part, RecordSink& sink, ReadStats& stats) {
  stats.bytes_read += part.stats.bytes_read;
  stats.gzip = stats.gzip || part.stats.gzip;
  stats.malformed += part.stats.malformed;
  stats.bytes_decoded += part.stats.bytes_decoded;
  if (part.whole) {
    if (part.error) return *part.error;
    return impl_->read_all_then_parse(std::string_view(part.bytes.data(), part.bytes.size()), sink, stats);
  }
  if (part.stream != nullptr) {
    auto& from = *part.stream;
    std::swap(impl_->raw, part.bytes);
    core::Status st = impl_->stream_document([&] { return from.more(impl_->raw, stats); }, part.array_at,
                                             part.records, part.stream_eof, sink, stats);
    std::swap(impl_->raw, part.bytes);
    if (st.ok() && from.z && from.z->trailing()) return trailing_gzip(stats.bytes_decoded);
    return st;
  }
  // parsed in place, in the reader's own read buffer's stead (swapped back after)
  std::swap(impl_->raw, part.bytes);
  core::Status st =
      impl_->stream_lines([] { return core::Result<size_t>(size_t{0}); }, part.base, true, sink, stats);
  std::swap(impl_->raw, part.bytes);
  if (!st.ok()) return st;
  if (part.skipped) sink.malformed(part.skipped->first, part.skipped->second);
  if (part.error) return *part.error;
  return {};
}

core::Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& in : inputs) {
    if (in == "-") {
      out.push_back(in);
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> files;
      fs::recursive_directory_iterator it(in, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec)) files.push_back(it->path().string());
      }
      if (ec) return core::make_error("detect.input.io", "cannot list " + in + ": " + ec.message());
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else if (fs::exists(in, ec)) {
      out.push_back(in);
    } else {
      return core::make_error("detect.input.io", "no such file or directory: " + in);
    }
  }
  return out;
}

}  // namespace sekimori::detect
