#include "core/location.h"

#include <algorithm>
#include <string>

namespace sekimori::core {

std::string Location::to_string() const {
  if (!has_position()) return file;
  std::string pos = std::to_string(line) + ":" + std::to_string(column);
  return file.empty() ? pos : file + ":" + pos;
}

Location locate(std::string_view file, std::string_view text, uint64_t offset) {
  offset = std::min<uint64_t>(offset, text.size());
  uint32_t line = 1;
  uint64_t line_start = 0;
  for (uint64_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return Location{std::string(file), line, static_cast<uint32_t>(offset - line_start + 1), offset};
}

std::string make_snippet(std::string_view text, uint32_t line, uint32_t column) {
  if (line == 0) return {};
  size_t start = 0;
  for (uint32_t l = 1; l < line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view src = text.substr(start, end - start);
  if (!src.empty() && src.back() == '\r') src.remove_suffix(1);
  // Long lines (minified JSON) are cut around the column so the caret stays readable.
  constexpr size_t kMaxWidth = 120;
  size_t col = column > 0 ? column - 1 : 0;
  size_t from = 0;
  if (src.size() > kMaxWidth && col > kMaxWidth / 2) {
    from = std::min(col - kMaxWidth / 2, src.size() - std::min(src.size(), kMaxWidth));
  }
  std::string_view shown = src.substr(from, kMaxWidth);
  std::string out(shown);
  out += '\n';
  // Tabs in the source line are kept under the caret so it lines up in terminals.
  for (size_t i = from; i < col && i < src.size(); ++i) out += (src[i] == '\t') ? '\t' : ' ';
  if (col > src.size()) out.append(col - std::max(src.size(), from), ' ');
  out += '^';
  return out;
}

}  // namespace sekimori::core
