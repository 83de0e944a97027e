// Message templates: literal text with `{{ placeholder }}`s (grammar in
// docs/formats/rules.md, "Message templates").
#include <algorithm>

#include "cel/value.h"
#include "core/json_writer.h"
#include "policy/internal/compiled_rule.h"

namespace sekimori::policy {

namespace {

constexpr std::string_view kResourceMeta[] = {"id", "type", "source_type", "format"};
constexpr std::string_view kRuleFields[] = {"id", "title", "severity"};

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

core::Error template_error(std::string message, size_t offset) {
  core::Location loc;
  loc.line = 1;
  loc.column = static_cast<uint32_t>(offset + 1);
  loc.offset = offset;
  return core::make_error("rule.message", std::move(message), loc);
}

std::string render_node(const formats::Node& n) {
  switch (n.kind()) {
    case formats::NodeKind::kNull:
      return "null";
    case formats::NodeKind::kBool:
      return n.as_bool() ? "true" : "false";
    case formats::NodeKind::kInt:
      return std::to_string(n.as_int());
    case formats::NodeKind::kUint:
      return std::to_string(n.as_uint());
    case formats::NodeKind::kDouble:
      return core::format_double(n.as_double());
    case formats::NodeKind::kString:
      return std::string(n.as_string());
    case formats::NodeKind::kList:
      return "[" + std::to_string(n.size()) + " items]";
    case formats::NodeKind::kMap:
      return "{...}";
    case formats::NodeKind::kUnknown:
      return "(unknown)";
  }
  return {};
}

}  // namespace

core::Result<std::vector<TemplatePart>> parse_template(std::string_view text) {
  std::vector<TemplatePart> parts;
  size_t pos = 0;
  std::string literal;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    literal.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return template_error("'{{' without a closing '}}'", open);
    std::string_view inner = text.substr(open + 2, close - open - 2);
    size_t b = inner.find_first_not_of(" \t");
    size_t e = inner.find_last_not_of(" \t");
    if (b == std::string_view::npos) return template_error("empty placeholder '{{}}'", open);
    inner = inner.substr(b, e - b + 1);
    // Split on dots; each segment an identifier-like key.
    AttributePath segs;
    size_t s = 0;
    while (true) {
      size_t dot = inner.find('.', s);
      std::string_view seg = inner.substr(s, dot == std::string_view::npos ? std::string_view::npos : dot - s);
      if (seg.empty() || !std::all_of(seg.begin(), seg.end(), is_ident_char)) {
        return template_error("placeholder '" + std::string(inner) +
                                  "' is not a dotted path of names (e.g. {{resource.id}})",
                              open);
      }
      segs.emplace_back(seg);
      if (dot == std::string_view::npos) break;
      s = dot + 1;
    }
    TemplatePart part;
    if (segs[0] == "resource" && segs.size() == 2 &&
        std::find(std::begin(kResourceMeta), std::end(kResourceMeta), segs[1]) != std::end(kResourceMeta)) {
      part.kind = TemplatePart::Kind::kResourceMeta;
      part.text = segs[1];
    } else if (segs[0] == "resource" && segs.size() >= 2) {
      part.kind = TemplatePart::Kind::kAttribute;
      part.path.assign(segs.begin() + 1, segs.end());
    } else if (segs[0] == "rule" && segs.size() == 2 &&
               std::find(std::begin(kRuleFields), std::end(kRuleFields), segs[1]) != std::end(kRuleFields)) {
      part.kind = TemplatePart::Kind::kRule;
      part.text = segs[1];
    } else {
      return template_error("unknown placeholder '" + std::string(inner) +
                                "' (use resource.id, resource.type, resource.source_type, "
                                "resource.format, resource.<attribute path>, rule.id, rule.title "
                                "or rule.severity)",
                            open);
    }
    if (!literal.empty()) {
      parts.push_back(TemplatePart{TemplatePart::Kind::kText, std::move(literal), {}});
      literal.clear();
    }
    parts.push_back(std::move(part));
    pos = close + 2;
  }
  if (!literal.empty()) parts.push_back(TemplatePart{TemplatePart::Kind::kText, std::move(literal), {}});
  return parts;
}

namespace {

// Appends one identity or rule placeholder (kResourceMeta or kRule).
void append_identity_part(const TemplatePart& p, const Rule& rule, std::string_view id, std::string_view type,
                          std::string_view source_type, model::SourceFormat format, std::string& out) {
  if (p.kind == TemplatePart::Kind::kResourceMeta) {
    if (p.text == "id") out += id;
    else if (p.text == "type") out += type;
    else if (p.text == "source_type") out += source_type;
    else out += model::format_name(format);
  } else {
    if (p.text == "id") out += rule.id;
    else if (p.text == "title") out += rule.title;
    else out += severity_name(rule.severity);
  }
}

}  // namespace

std::string render_template(const std::vector<TemplatePart>& parts, const Rule& rule,
                            const model::Resource& resource) {
  std::string out;
  for (const TemplatePart& p : parts) {
    switch (p.kind) {
      case TemplatePart::Kind::kText:
        out += p.text;
        break;
      case TemplatePart::Kind::kResourceMeta:
      case TemplatePart::Kind::kRule:
        append_identity_part(p, rule, resource.id, resource.type, resource.source_type, resource.format, out);
        break;
      case TemplatePart::Kind::kAttribute: {
        const formats::Node* n = resource.attributes;
        for (const std::string& k : p.path) {
          if (n == nullptr) break;
          if (n->kind() == formats::NodeKind::kMap) {
            n = n->find(k);
          } else if (n->kind() == formats::NodeKind::kList && !k.empty() &&
                     std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                     k.size() < 9) {
            size_t i = std::stoul(k);
            n = i < n->size() ? &n->items()[i] : nullptr;
          } else {
            n = nullptr;
          }
        }
        out += n ? render_node(*n) : "(absent)";
        break;
      }
    }
  }
  return out;
}

bool template_reads_attributes(const std::vector<TemplatePart>& parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [](const TemplatePart& p) { return p.kind == TemplatePart::Kind::kAttribute; });
}

void render_identity_template(const std::vector<TemplatePart>& parts, const Rule& rule, std::string_view id,
                              std::string_view type, std::string_view source_type, model::SourceFormat format,
                              std::string& out) {
  out.clear();
  for (const TemplatePart& p : parts) {
    if (p.kind == TemplatePart::Kind::kText) {
      out += p.text;
    } else if (p.kind != TemplatePart::Kind::kAttribute) {
      append_identity_part(p, rule, id, type, source_type, format, out);
    }
  }
}

}  // namespace sekimori::policy
