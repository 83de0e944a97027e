// The public entry points of the native syntax: limits, the arena and error handling
// around internal::Parser.
#include <memory>

#include "hcl/ast.h"
#include "hcl/internal/file_impl.h"
#include "hcl/internal/parser.h"

namespace sekimori::hcl {

namespace {

enum class Mode { kFile, kExpression, kTemplate };

core::Result<File> run(std::string path, std::string text, const Limits& limits, core::Diagnostics& diags,
                       Mode mode) {
  auto impl = std::make_unique<File::Impl>();
  impl->path = std::move(path);
  impl->syntax = Syntax::kNative;
  uint64_t cap = std::min<uint64_t>(limits.max_bytes, 0xFFFFFFFEu);
  if (text.size() > cap) {
    return core::make_error("hcl.limit.bytes",
                            "input of " + std::to_string(text.size()) + " bytes is larger than the limit of " +
                                std::to_string(cap),
                            core::Location{impl->path, 0, 0, 0});
  }
  impl->text = std::move(text);
  std::string_view body = impl->text;
  Pos base{1, 1, 0};
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {  // UTF-8 byte order mark
    body.remove_prefix(3);
    base = Pos{1, 4, 3};
  }
  std::vector<Comment> comments;
  uint64_t nodes = 0;
  internal::Parser parser(*impl, body, base, limits, diags, &comments, &nodes);
  try {
    switch (mode) {
      case Mode::kFile: impl->body = parser.parse_file_body(); break;
      case Mode::kExpression: impl->expr = parser.parse_standalone_expression(); break;
      case Mode::kTemplate: impl->expr = parser.parse_standalone_template(); break;
    }
  } catch (const internal::SyntaxError&) {
    impl->has_errors = true;  // expression/template: nothing to keep
  } catch (internal::LimitError& e) {
    return std::move(e.error);
  }
  impl->comments = impl->copy(comments);
  return FileAccess::make(std::move(impl));
}

}  // namespace

core::Result<File> parse_native(std::string path, std::string text, const Limits& limits, core::Diagnostics& diags) {
  return run(std::move(path), std::move(text), limits, diags, Mode::kFile);
}

core::Result<File> parse_expression(std::string path, std::string text, const Limits& limits,
                                    core::Diagnostics& diags) {
  return run(std::move(path), std::move(text), limits, diags, Mode::kExpression);
}

core::Result<File> parse_template(std::string path, std::string text, const Limits& limits,
                                  core::Diagnostics& diags) {
  return run(std::move(path), std::move(text), limits, diags, Mode::kTemplate);
}

core::Result<File> parse_file(std::string path, std::string text, const Limits& limits, core::Diagnostics& diags) {
  bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (json) return parse_json(std::move(path), std::move(text), limits, diags);
  return parse_native(std::move(path), std::move(text), limits, diags);
}

}  // namespace sekimori::hcl
