// Renders the governance reports: JSON per report, and Table/Markdown/CSV/HTML of a
// generic document (docs/governance-reports.md, "Outputs").
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/json_writer.h"
#include "governance/governance.h"

namespace sekimori::governance {

namespace {

std::string percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", std::floor(v * 100.0 + 0.5));
  return buf;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// Rules that evaluated something, with their counts; the others only counted, so a
// cell stays readable when many rules apply to types the estate does not use.
std::string rules_cell(const std::vector<RuleCheck>& rules) {
  std::string out;
  size_t idle = 0;
  for (const RuleCheck& r : rules) {
    if (r.evaluated() == 0) {
      ++idle;
      continue;
    }
    out += (out.empty() ? "" : ", ") + r.id + " (" + std::to_string(r.pass) + " pass, " +
           std::to_string(r.fail) + " fail";
    if (r.unknown + r.error > 0) out += ", " + std::to_string(r.unknown + r.error) + " unknown";
    if (r.suppressed > 0) out += ", " + std::to_string(r.suppressed) + " suppressed";
    out += ")";
  }
  if (idle > 0)
    out += (out.empty() ? "" : "; ") + std::string("+") + std::to_string(idle) +
           (idle == 1 ? " rule" : " rules") + " with no resources";
  return out;
}

std::string detections_cell(const std::vector<DetectionCheck>& detections) {
  std::vector<std::string> names;
  for (const DetectionCheck& d : detections) names.push_back(d.ref);
  return join(names, ", ");
}

void write_meta(core::JsonWriter& w, const ReportMeta& m) {
  w.key("generated");
  w.begin_object();
  w.key("time");
  w.value(m.time);
  w.key("tool_version");
  w.value(m.tool_version);
  w.key("rule_pack_version");
  w.value(m.rule_pack_version);
  w.key("targets");
  w.begin_array();
  for (const std::string& t : m.targets) w.value(t);
  w.end_array();
  w.key("resources");
  w.value(static_cast<uint64_t>(m.resources));
  w.key("rules");
  w.value(static_cast<uint64_t>(m.rules));
  w.key("detections");
  w.value(static_cast<uint64_t>(m.detections));
  w.end_object();
}

void write_checks(core::JsonWriter& w, const std::vector<RuleCheck>& rules,
                  const std::vector<DetectionCheck>& dets) {
  w.key("rules");
  w.begin_array();
  for (const RuleCheck& r : rules) {
    w.begin_object();
    w.key("id");
    w.value(r.id);
    w.key("title");
    w.value(r.title);
    w.key("severity");
    w.value(r.severity);
    w.key("pass");
    w.value(static_cast<uint64_t>(r.pass));
    w.key("fail");
    w.value(static_cast<uint64_t>(r.fail));
    w.key("unknown");
    w.value(static_cast<uint64_t>(r.unknown));
    w.key("error");
    w.value(static_cast<uint64_t>(r.error));
    w.key("suppressed");
    w.value(static_cast<uint64_t>(r.suppressed));
    w.end_object();
  }
  w.end_array();
  w.key("detections");
  w.begin_array();
  for (const DetectionCheck& d : dets) {
    w.begin_object();
    w.key("name");
    w.value(d.ref);
    w.key("id");
    w.value(d.id);
    w.key("title");
    w.value(d.title);
    w.key("level");
    w.value(d.level);
    w.end_object();
  }
  w.end_array();
}

std::vector<std::string> meta_lines(const ReportMeta& m) {
  std::vector<std::string> out;
  out.push_back("Generated " + m.time + " by sekimori " + m.tool_version + " (rule pack " +
                m.rule_pack_version + ")");
  out.push_back("Scanned: " + join(m.targets, ", ") + " — " + std::to_string(m.resources) + " resources, " +
                std::to_string(m.rules) + " rules, " + std::to_string(m.detections) + " detections");
  return out;
}

// ---- Generic renderers.

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>' || c == '[' ||
        c == ']')
      out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string render_markdown(const Doc& d) {
  std::string out = "# " + md_escape(d.title) + "\n\n";
  for (const std::string& m : d.meta) out += md_escape(m) + "  \n";
  for (const Section& s : d.sections) {
    out += "\n## " + md_escape(s.title) + "\n\n";
    for (const std::string& p : s.paragraphs) out += md_escape(p) + "\n\n";
    if (!s.table) continue;
    const Table& t = *s.table;
    out += "|";
    for (const std::string& h : t.headers) out += " " + md_escape(h) + " |";
    out += "\n|";
    for (size_t i = 0; i < t.headers.size(); ++i) out += " --- |";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const std::string& c : row) out += " " + (c.empty() ? std::string() : md_escape(c)) + " |";
      out += "\n";
    }
  }
  return out;
}

// Display width of UTF-8 text (code points; our tables hold no wide characters).
size_t width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string render_table(const Doc& d) {
  constexpr size_t kMaxCell = 60;
  std::string out = d.title + "\n" + std::string(width(d.title), '=') + "\n";
  for (const std::string& m : d.meta) out += m + "\n";
  for (const Section& s : d.sections) {
    out += "\n" + s.title + "\n" + std::string(width(s.title), '-') + "\n";
    for (const std::string& p : s.paragraphs) out += p + "\n";
    if (!s.table) continue;
    const Table& t = *s.table;
    auto clip = [&](const std::string& c) {
      if (width(c) <= kMaxCell) return c;
      std::string cut;
      size_t n = 0;
      for (char ch : c) {
        bool start = (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
        if (start && ++n > kMaxCell - 3) break;
        cut += ch;
      }
      return cut + "...";
    };
    std::vector<size_t> w(t.headers.size(), 0);
    for (size_t i = 0; i < t.headers.size(); ++i) w[i] = width(t.headers[i]);
    for (const auto& row : t.rows)
      for (size_t i = 0; i < row.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(clip(row[i])));
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l;
      for (size_t i = 0; i < w.size(); ++i) {
        std::string c = i < cells.size() ? clip(cells[i]) : "";
        l += c;
        if (i + 1 < w.size()) l += std::string(w[i] - width(c) + 2, ' ');
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      return l + "\n";
    };
    out += line(t.headers);
    std::vector<std::string> rule;
    for (size_t x : w) rule.push_back(std::string(x, '-'));
    out += line(rule);
    for (const auto& row : t.rows) out += line(row);
  }
  return out;
}

std::string csv_field(std::string_view s) {
  bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!s.empty() && (s.front() == '=' || s.front() == '+' || s.front() == '-' || s.front() == '@'));
  std::string out;
  // A leading formula character is neutralised for spreadsheets (as in docs/formats/csv.md).
  if (!s.empty() && (s.front() == '=' || s.front() == '+' || s.front() == '@')) out += '\'';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return quote ? "\"" + out + "\"" : out;
}

std::string render_csv(const Doc& d) {
  std::string out;
  for (const Section& s : d.sections) {
    if (!s.primary || !s.table) continue;
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
      out += "\r\n";
    };
    line(s.table->headers);
    for (const auto& row : s.table->rows) line(row);
    break;
  }
  return out;
}

// Cells that hold a status or an owner get a class, so colours follow meaning.
const char* cell_class(std::string_view c) {
  static constexpr std::string_view kKnown[] = {"pass",        "fail",   "no-resources", "watching",
                                                "not-covered", "manual", "unknown",      "customer",
                                                "provider",    "shared", "inherited",    "organisational"};
  for (std::string_view k : kKnown)
    if (c == k) return k.data();
  return nullptr;
}

constexpr const char* kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#1d2330;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #d5dae3;padding-bottom:4px}
p.meta{color:#586174;margin:2px 0;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:8px 0}
th,td{border:1px solid #d5dae3;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f6}tr:nth-child(even) td{background:#fafbfd}
td.pass,td.inherited{background:#dff3e4!important}td.fail{background:#fadbd8!important;font-weight:600}
td.not-covered{background:#fdf2d0!important}td.manual,td.organisational{background:#e8e6f5!important}
td.no-resources,td.unknown,td.watching{background:#e4eef9!important}
td.customer{background:#fbe3cf!important}td.provider{background:#d9ecf7!important}td.shared{background:#efe3f4!important}
svg{max-width:100%;height:auto;display:block;margin:8px 0}
svg text{font-family:system-ui,sans-serif}
)css";

std::string render_html(const Doc& d) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      html_escape(d.title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<h1>" +
      html_escape(d.title) + "</h1>\n";
  for (const std::string& m : d.meta) out += "<p class=\"meta\">" + html_escape(m) + "</p>\n";
  for (const Section& s : d.sections) {
    out += "<section>\n<h2>" + html_escape(s.title) + "</h2>\n";
    for (const std::string& p : s.paragraphs) out += "<p>" + html_escape(p) + "</p>\n";
    if (!s.svg.empty()) out += s.svg + "\n";
    if (s.table) {
      out += "<table>\n<thead><tr>";
      for (const std::string& h : s.table->headers) out += "<th>" + html_escape(h) + "</th>";
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& row : s.table->rows) {
        out += "<tr>";
        for (const std::string& c : row) {
          const char* cls = cell_class(c);
          out += cls ? "<td class=\"" + std::string(cls) + "\">" : std::string("<td>");
          out += html_escape(c) + "</td>";
        }
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    }
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

// ---- SVG.

std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Red (0) through amber to green (1).
std::string heat_colour(double v) {
  v = std::clamp(v, 0.0, 1.0);
  int r = v < 0.5 ? 230 : static_cast<int>(230 - (v - 0.5) * 2 * (230 - 88));
  int g = v < 0.5 ? static_cast<int>(92 + v * 2 * (190 - 92))
                  : static_cast<int>(190 - (v - 0.5) * 2 * (190 - 166));
  int b = v < 0.5 ? 80 : static_cast<int>(80 + (v - 0.5) * 2 * (110 - 80));
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

const char* owner_colour(knowledge::Owner o) {
  switch (o) {
    case knowledge::Owner::kCustomer:
      return "#f2a65a";
    case knowledge::Owner::kProvider:
      return "#5fa8d3";
    case knowledge::Owner::kShared:
      return "#b48ccf";
  }
  return "#cccccc";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string svg_heat_map(const std::vector<std::string>& rows, const std::vector<std::string>& columns,
                         const std::vector<std::vector<HeatCell>>& cells) {
  const double label_w = 430, cell_w = 110, cell_h = 30, head_h = 34;
  double w = label_w + cell_w * static_cast<double>(columns.size()) + 10;
  double h = head_h + cell_h * static_cast<double>(rows.size()) + 30;
  std::string out =
      "<svg id=\"heatmap\" class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
      "aria-label=\"Coverage heat map\" width=\"" +
      fmt_num(w) + "\" height=\"" + fmt_num(h) + "\" viewBox=\"0 0 " + fmt_num(w) + " " + fmt_num(h) +
      "\">\n";
  for (size_t c = 0; c < columns.size(); ++c)
    out += "<text x=\"" + fmt_num(label_w + cell_w * static_cast<double>(c) + cell_w / 2) +
           "\" y=\"22\" font-size=\"13\" text-anchor=\"middle\" font-weight=\"600\">" +
           html_escape(columns[c]) + "</text>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    double y = head_h + cell_h * static_cast<double>(r);
    out +=
        "<text x=\"4\" y=\"" + fmt_num(y + 20) + "\" font-size=\"12\">" + html_escape(rows[r]) + "</text>\n";
    for (size_t c = 0; c < columns.size(); ++c) {
      HeatCell cell = r < cells.size() && c < cells[r].size() ? cells[r][c] : HeatCell{};
      double x = label_w + cell_w * static_cast<double>(c);
      std::string fill = cell.value < 0 ? "#eceff3" : heat_colour(cell.value);
      out += "<rect class=\"cell\" x=\"" + fmt_num(x + 1) + "\" y=\"" + fmt_num(y + 1) + "\" width=\"" +
             fmt_num(cell_w - 2) + "\" height=\"" + fmt_num(cell_h - 2) + "\" fill=\"" + fill + "\"><title>" +
             html_escape(rows[r] + " / " + columns[c] + ": " + cell.label) + "</title></rect>\n";
      out += "<text x=\"" + fmt_num(x + cell_w / 2) + "\" y=\"" + fmt_num(y + 20) +
             "\" font-size=\"12\" text-anchor=\"middle\">" + html_escape(cell.label) + "</text>\n";
    }
  }
  double ly = head_h + cell_h * static_cast<double>(rows.size()) + 20;
  out += "<text x=\"4\" y=\"" + fmt_num(ly) +
         "\" font-size=\"11\" fill=\"#586174\">Cell: automated countermeasures covered / automated; colour "
         "from red "
         "(none covered) to green (all); grey: organisational only or none.</text>\n";
  out += "</svg>";
  return out;
}

std::string svg_ownership_matrix(const ResponsibilityReport& r) {
  const double label_w = 300, cell_w = 92, cell_h = 28, head_h = 40;
  double w = label_w + cell_w * static_cast<double>(r.models.size()) + 10;
  double h = head_h + cell_h * static_cast<double>(r.layers.size()) + 36;
  std::string out =
      "<svg id=\"ownership-matrix\" class=\"matrix\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
      "aria-label=\"Layer by service model ownership\" width=\"" +
      fmt_num(w) + "\" height=\"" + fmt_num(h) + "\" viewBox=\"0 0 " + fmt_num(w) + " " + fmt_num(h) +
      "\">\n";
  for (size_t m = 0; m < r.models.size(); ++m) {
    bool used = m < r.in_use.size() && r.in_use[m];
    out += "<text x=\"" + fmt_num(label_w + cell_w * static_cast<double>(m) + cell_w / 2) +
           "\" y=\"24\" font-size=\"13\" text-anchor=\"middle\"" +
           (used ? " font-weight=\"700\"" : " fill=\"#8a93a3\"") + ">" + html_escape(r.models[m]) +
           (used ? " ●" : "") + "</text>\n";
  }
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerRow& row = r.layers[l];
    double y = head_h + cell_h * static_cast<double>(l);
    out += "<text x=\"4\" y=\"" + fmt_num(y + 19) + "\" font-size=\"12\">" +
           html_escape(row.name + (row.synthesis ? " †" : "")) + "</text>\n";
    for (size_t m = 0; m < row.cells.size(); ++m) {
      const OwnershipCell& c = row.cells[m];
      bool used = m < r.in_use.size() && r.in_use[m];
      double x = label_w + cell_w * static_cast<double>(m);
      out += "<rect class=\"cell owner-" + std::string(knowledge::owner_name(c.owner)) + "\" x=\"" +
             fmt_num(x + 1) + "\" y=\"" + fmt_num(y + 1) + "\" width=\"" + fmt_num(cell_w - 2) +
             "\" height=\"" + fmt_num(cell_h - 2) + "\" fill=\"" + owner_colour(c.owner) +
             "\" fill-opacity=\"" + (used ? "1" : "0.35") + "\"" +
             (c.overridden ? " stroke=\"#1d2330\" stroke-width=\"2\"" : "") + "><title>" +
             html_escape(row.name + " / " + r.models[m] + ": " + knowledge::owner_name(c.owner) +
                         (c.note.empty() ? "" : " (" + c.note + ")")) +
             "</title></rect>\n";
      out += "<text x=\"" + fmt_num(x + cell_w / 2) + "\" y=\"" + fmt_num(y + 19) +
             "\" font-size=\"11\" text-anchor=\"middle\">" + knowledge::owner_name(c.owner) + "</text>\n";
    }
  }
  double ly = head_h + cell_h * static_cast<double>(r.layers.size()) + 22;
  out +=
      "<text x=\"4\" y=\"" + fmt_num(ly) +
      "\" font-size=\"11\" fill=\"#586174\">● model in use (faded columns are not); † layer and the K8s-aaS, "
      "CaaS, "
      "FaaS and NCaaS columns are sekimori's synthesis, not the CSA chart; outlined: user override.</text>\n";
  out += "</svg>";
  return out;
}

std::string svg_coverage_bars(const std::vector<std::pair<std::string, double>>& bars) {
  const double label_w = 300, bar_w = 520, bar_h = 22, gap = 6;
  double h = (bar_h + gap) * static_cast<double>(bars.size()) + 10;
  double w = label_w + bar_w + 70;
  std::string out =
      "<svg id=\"coverage-bars\" class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
      "aria-label=\"Coverage\" width=\"" +
      fmt_num(w) + "\" height=\"" + fmt_num(h) + "\" viewBox=\"0 0 " + fmt_num(w) + " " + fmt_num(h) +
      "\">\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = 4 + (bar_h + gap) * static_cast<double>(i);
    double v = std::clamp(bars[i].second, 0.0, 1.0);
    out += "<text x=\"4\" y=\"" + fmt_num(y + 16) + "\" font-size=\"12\">" + html_escape(bars[i].first) +
           "</text>\n";
    out += "<rect x=\"" + fmt_num(label_w) + "\" y=\"" + fmt_num(y) + "\" width=\"" + fmt_num(bar_w) +
           "\" height=\"" + fmt_num(bar_h) + "\" fill=\"#eceff3\"/>\n";
    out += "<rect class=\"bar\" x=\"" + fmt_num(label_w) + "\" y=\"" + fmt_num(y) + "\" width=\"" +
           fmt_num(bar_w * v) + "\" height=\"" + fmt_num(bar_h) + "\" fill=\"" + heat_colour(v) +
           "\"><title>" + html_escape(bars[i].first + ": " + percent(v)) + "</title></rect>\n";
    out += "<text x=\"" + fmt_num(label_w + bar_w + 8) + "\" y=\"" + fmt_num(y + 16) +
           "\" font-size=\"12\">" + percent(v) + "</text>\n";
  }
  out += "</svg>";
  return out;
}

std::optional<OutputFormat> output_format_by_name(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "markdown" || name == "md") return OutputFormat::kMarkdown;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "html") return OutputFormat::kHtml;
  return std::nullopt;
}

std::string render(const Doc& doc, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return render_table(doc);
    case OutputFormat::kMarkdown:
      return render_markdown(doc);
    case OutputFormat::kCsv:
      return render_csv(doc);
    case OutputFormat::kHtml:
      return render_html(doc);
    case OutputFormat::kJson:
      break;
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// Responsibility.

Doc to_doc(const ResponsibilityReport& r) {
  Doc d;
  d.title = "Shared responsibility";
  d.meta = meta_lines(r.meta);
  std::vector<std::string> used;
  for (size_t i = 0; i < r.models.size(); ++i)
    if (r.in_use[i]) used.push_back(r.models[i]);

  Section summary{"Summary", {}, std::nullopt, {}, false};
  summary.paragraphs.push_back(
      "Service models in use: " + (used.empty() ? std::string("none") : join(used, ", ")) + ".");
  summary.paragraphs.push_back(
      std::to_string(r.items.size()) + " customer or shared responsibilities: " + std::to_string(r.covered) +
      " checked by a rule or detection (" + std::to_string(r.failing) + " failing), " +
      std::to_string(r.not_covered) + " with no automated check, to attest by hand.");
  summary.paragraphs.push_back(
      "Accountability stays with the customer whatever the owner of the work. Layers and columns marked as "
      "synthesis extend the CSA chart and are sekimori's own.");
  if (!r.unclassified_types.empty())
    summary.paragraphs.push_back("Resource types with no service model (add them to the services file): " +
                                 join(r.unclassified_types, ", ") + ".");
  d.sections.push_back(std::move(summary));

  Section services{"Services in use",
                   {},
                   Table{{"model", "service", "source", "category", "provider", "team", "resources"}, {}},
                   {},
                   false};
  for (const ServiceInUse& s : r.services)
    services.table->rows.push_back({s.model, s.name, s.source, s.category, s.provider, s.team,
                                    s.source == "estate" ? std::to_string(s.resources) : ""});
  d.sections.push_back(std::move(services));

  Section matrix{
      "Ownership by layer and service model", {}, Table{{"layer"}, {}}, svg_ownership_matrix(r), false};
  for (const std::string& m : r.models) matrix.table->headers.push_back(m);
  for (const LayerRow& l : r.layers) {
    std::vector<std::string> row{l.name + (l.synthesis ? " (synthesis)" : "")};
    for (const OwnershipCell& c : l.cells) row.emplace_back(knowledge::owner_name(c.owner));
    matrix.table->rows.push_back(std::move(row));
  }
  d.sections.push_back(std::move(matrix));

  Section items{"Customer responsibilities and their checks",
                {},
                Table{{"layer", "model", "owner", "status", "rules", "detections"}, {}},
                {},
                false};
  items.paragraphs.push_back(
      "Rules are counted on the resources of that service model; 'not-covered' means nothing "
      "checks it automatically, so a person must attest it.");
  for (const ResponsibilityItem& i : r.items)
    items.table->rows.push_back({i.layer_name, i.model, knowledge::owner_name(i.owner), i.status,
                                 rules_cell(i.rules), detections_cell(i.detections)});
  d.sections.push_back(std::move(items));

  Section attest{"To attest by hand", {}, std::nullopt, {}, false};
  for (const ResponsibilityItem& i : r.items)
    if (i.status == "not-covered")
      attest.paragraphs.push_back("[ ] " + i.layer_name + " (" + i.model + ", " +
                                  knowledge::owner_name(i.owner) + ")");
  if (attest.paragraphs.empty())
    attest.paragraphs.push_back("Every customer responsibility has an automated check.");
  d.sections.push_back(std::move(attest));

  Section raci{"RACI matrix", {}, Table{{"layer", "model", "owner"}, {}}, {}, true};
  raci.paragraphs.push_back(
      "R responsible, A accountable, C consulted, I informed. Roles and assignments come from "
      "the services file; the defaults follow the owner of each layer.");
  for (const std::string& role : r.roles) raci.table->headers.push_back(role);
  for (const RaciRow& row : r.raci) {
    std::vector<std::string> cells{row.layer_name, row.model, knowledge::owner_name(row.owner)};
    cells.insert(cells.end(), row.cells.begin(), row.cells.end());
    raci.table->rows.push_back(std::move(cells));
  }
  d.sections.push_back(std::move(raci));

  Section checklist{"SaaS-provider checklist", {}, Table{{"area", "item", "evidence"}, {}}, {}, false};
  checklist.paragraphs.push_back(
      "For a SaaS provider: its duties towards its own customers, after the CSA Japan focus points for SaaS "
      "start-ups (2024); the wording is ours. 'attest' items need a person; CFG/LOG/SCAN name the evidence a "
      "tool can add.");
  for (const ChecklistRow& c : r.checklist)
    checklist.table->rows.push_back({c.area, c.title, c.checks.empty() ? "attest" : join(c.checks, "+")});
  d.sections.push_back(std::move(checklist));

  Section inh{"Compliance inheritance (CCM v4)", {}, std::nullopt, {}, false};
  if (r.ccm_columns.empty()) {
    inh.paragraphs.push_back("No cloud service model in use, so no CCM control is inherited.");
  } else {
    size_t inherited = 0, customer = 0, shared = 0, unknown = 0;
    Table t{{"control", "title", "scope"}, {}};
    for (const std::string& c : r.ccm_columns) t.headers.push_back(c);
    for (const InheritanceRow& row : r.inheritance) {
      inherited += row.scope == "inherited";
      customer += row.scope == "customer";
      shared += row.scope == "shared";
      unknown += row.scope == "unknown";
      if (row.scope == "unknown") continue;
      std::vector<std::string> cells{row.id, row.title, row.scope};
      cells.insert(cells.end(), row.owners.begin(), row.owners.end());
      t.rows.push_back(std::move(cells));
    }
    inh.paragraphs.push_back("CCM ownership columns used: " + join(r.ccm_columns, ", ") + ". " +
                             std::to_string(inherited) + " controls inherited from the provider, " +
                             std::to_string(customer) + " in the customer's scope, " +
                             std::to_string(shared) + " shared, " + std::to_string(unknown) +
                             " with no published ownership (decide them with your CCM copy).");
    inh.table = std::move(t);
  }
  d.sections.push_back(std::move(inh));
  return d;
}

std::string to_json(const ResponsibilityReport& r) {
  core::JsonWriter w(2);
  w.begin_object();
  w.key("report");
  w.value("responsibility");
  write_meta(w, r.meta);
  w.key("models");
  w.begin_array();
  for (size_t i = 0; i < r.models.size(); ++i) {
    w.begin_object();
    w.key("id");
    w.value(r.models[i]);
    w.key("in_use");
    w.value(static_cast<bool>(r.in_use[i]));
    w.end_object();
  }
  w.end_array();
  w.key("services");
  w.begin_array();
  for (const ServiceInUse& s : r.services) {
    w.begin_object();
    w.key("name");
    w.value(s.name);
    w.key("model");
    w.value(s.model);
    w.key("source");
    w.value(s.source);
    w.key("category");
    w.value(s.category);
    w.key("provider");
    w.value(s.provider);
    w.key("team");
    w.value(s.team);
    w.key("resources");
    w.value(static_cast<uint64_t>(s.resources));
    w.end_object();
  }
  w.end_array();
  w.key("unclassified_types");
  w.begin_array();
  for (const std::string& t : r.unclassified_types) w.value(t);
  w.end_array();
  w.key("layers");
  w.begin_array();
  for (const LayerRow& l : r.layers) {
    w.begin_object();
    w.key("id");
    w.value(l.id);
    w.key("name");
    w.value(l.name);
    w.key("basis");
    w.value(l.synthesis ? "synthesis" : "csa");
    w.key("owners");
    w.begin_object();
    for (size_t i = 0; i < l.cells.size(); ++i) {
      w.key(r.models[i]);
      w.value(knowledge::owner_name(l.cells[i].owner));
    }
    w.end_object();
    w.key("overrides");
    w.begin_object();
    for (size_t i = 0; i < l.cells.size(); ++i)
      if (l.cells[i].overridden) {
        w.key(r.models[i]);
        w.value(l.cells[i].note);
      }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.key("responsibilities");
  w.begin_array();
  for (const ResponsibilityItem& i : r.items) {
    w.begin_object();
    w.key("layer");
    w.value(i.layer);
    w.key("model");
    w.value(i.model);
    w.key("owner");
    w.value(knowledge::owner_name(i.owner));
    w.key("status");
    w.value(i.status);
    write_checks(w, i.rules, i.detections);
    w.end_object();
  }
  w.end_array();
  w.key("summary");
  w.begin_object();
  w.key("responsibilities");
  w.value(static_cast<uint64_t>(r.items.size()));
  w.key("covered");
  w.value(static_cast<uint64_t>(r.covered));
  w.key("not_covered");
  w.value(static_cast<uint64_t>(r.not_covered));
  w.key("failing");
  w.value(static_cast<uint64_t>(r.failing));
  w.end_object();
  w.key("raci");
  w.begin_object();
  w.key("roles");
  w.begin_array();
  for (const std::string& role : r.roles) w.value(role);
  w.end_array();
  w.key("rows");
  w.begin_array();
  for (const RaciRow& row : r.raci) {
    w.begin_object();
    w.key("layer");
    w.value(row.layer);
    w.key("model");
    w.value(row.model);
    w.key("owner");
    w.value(knowledge::owner_name(row.owner));
    w.key("cells");
    w.begin_object();
    for (size_t i = 0; i < row.cells.size() && i < r.roles.size(); ++i) {
      w.key(r.roles[i]);
      w.value(row.cells[i]);
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("checklist");
  w.begin_array();
  for (const ChecklistRow& c : r.checklist) {
    w.begin_object();
    w.key("id");
    w.value(c.id);
    w.key("area");
    w.value(c.area);
    w.key("title");
    w.value(c.title);
    w.key("checks");
    w.begin_array();
    for (const std::string& k : c.checks) w.value(k);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("inheritance");
  w.begin_object();
  w.key("columns");
  w.begin_array();
  for (const std::string& c : r.ccm_columns) w.value(c);
  w.end_array();
  w.key("controls");
  w.begin_array();
  for (const InheritanceRow& row : r.inheritance) {
    w.begin_object();
    w.key("id");
    w.value(row.id);
    w.key("scope");
    w.value(row.scope);
    w.key("owners");
    w.begin_array();
    for (const std::string& o : row.owners) w.value(o);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

// ---------------------------------------------------------------------------------------
// Threats.

Doc to_doc(const ThreatsReport& r) {
  Doc d;
  d.title = "Top Threats (Egregious Eleven) navigator";
  d.meta = meta_lines(r.meta);
  Section summary{"Summary",
                  {},
                  Table{{"threat", "name", "automated", "covered", "coverage", "rules", "detections", "pass",
                         "fail", "organisational"},
                        {}},
                  {},
                  false};
  std::vector<std::string> weakest;
  for (const std::string& k : r.weakest)
    for (const ThreatRow& t : r.threats)
      if (t.key == k) weakest.push_back(t.key + " " + t.name + " (" + percent(t.coverage) + ")");
  summary.paragraphs.push_back("Overall coverage of automated countermeasures: " + percent(r.coverage) + ".");
  summary.paragraphs.push_back("Weakest threats: " + join(weakest, "; ") + ".");
  summary.paragraphs.push_back(
      "Countermeasures per DevSecOps stage after the CSA Japan DevSecOps use-case paper for "
      "the Egregious Eleven (v1.0, 2021); the wording is ours.");
  for (const ThreatRow& t : r.threats)
    summary.table->rows.push_back({t.key, t.name, std::to_string(t.automated), std::to_string(t.covered),
                                   percent(t.coverage), std::to_string(t.distinct_rules),
                                   std::to_string(t.distinct_detections), std::to_string(t.pass),
                                   std::to_string(t.fail), std::to_string(t.organisational)});
  d.sections.push_back(std::move(summary));

  Section heat{"Threat × stage coverage", {}, std::nullopt, {}, false};
  std::vector<std::string> rows, cols;
  std::vector<std::vector<HeatCell>> cells;
  for (const auto& [n, name] : r.stages) cols.push_back(std::to_string(n) + " " + name);
  Table ht{{"threat"}, {}};
  for (const std::string& c : cols) ht.headers.push_back(c);
  for (const ThreatRow& t : r.threats) {
    rows.push_back(t.key + " " + t.name);
    std::vector<HeatCell> line;
    std::vector<std::string> trow{t.key};
    for (const StageCell& s : t.stages) {
      HeatCell c;
      if (s.automated > 0) {
        c.value = static_cast<double>(s.covered) / static_cast<double>(s.automated);
        c.label = std::to_string(s.covered) + "/" + std::to_string(s.automated);
        if (s.failing_rules > 0) c.label += " ✗" + std::to_string(s.failing_rules);
      } else {
        c.label = s.organisational > 0 ? std::to_string(s.organisational) + " org" : "";
      }
      trow.push_back(c.label);
      line.push_back(std::move(c));
    }
    ht.rows.push_back(std::move(trow));
    cells.push_back(std::move(line));
  }
  heat.paragraphs.push_back(
      "Each cell: automated countermeasures with a rule or detection / automated "
      "countermeasures; ✗N: rules failing in the estate; org: organisational items only.");
  heat.svg = svg_heat_map(rows, cols, cells);
  heat.table = std::move(ht);
  d.sections.push_back(std::move(heat));

  Section detail{
      "Countermeasures",
      {},
      Table{{"threat", "stage", "countermeasure", "mode", "check", "status", "rules", "detections"}, {}},
      {},
      true};
  for (const ThreatRow& t : r.threats) {
    for (const CountermeasureRow& c : t.countermeasures) {
      std::string stage = std::to_string(c.stage);
      if (c.paper_stage != c.stage) stage += " (paper " + std::to_string(c.paper_stage) + ")";
      detail.table->rows.push_back({t.key, stage, c.title, knowledge::mode_name(c.mode), join(c.checks, "+"),
                                    c.status, rules_cell(c.rules), detections_cell(c.detections)});
    }
  }
  d.sections.push_back(std::move(detail));

  Section org{"Organisational items to attest", {}, std::nullopt, {}, false};
  for (const ThreatRow& t : r.threats) {
    std::vector<std::string> items;
    for (const CountermeasureRow& c : t.countermeasures)
      if (c.mode == knowledge::Mode::kOrganisational)
        items.push_back("stage " + std::to_string(c.stage) + ": " + c.title);
    if (!items.empty()) org.paragraphs.push_back(t.key + " — " + join(items, "; "));
  }
  d.sections.push_back(std::move(org));
  return d;
}

std::string to_json(const ThreatsReport& r) {
  core::JsonWriter w(2);
  w.begin_object();
  w.key("report");
  w.value("threats");
  write_meta(w, r.meta);
  w.key("coverage");
  w.value(r.coverage);
  w.key("weakest");
  w.begin_array();
  for (const std::string& k : r.weakest) w.value(k);
  w.end_array();
  w.key("threats");
  w.begin_array();
  for (const ThreatRow& t : r.threats) {
    w.begin_object();
    w.key("key");
    w.value(t.key);
    w.key("name");
    w.value(t.name);
    w.key("rank");
    w.value(t.rank);
    w.key("successors_2024");
    w.begin_array();
    for (const std::string& s : t.successors_2024) w.value(s);
    w.end_array();
    w.key("automated");
    w.value(static_cast<uint64_t>(t.automated));
    w.key("covered");
    w.value(static_cast<uint64_t>(t.covered));
    w.key("organisational");
    w.value(static_cast<uint64_t>(t.organisational));
    w.key("coverage");
    w.value(t.coverage);
    w.key("distinct_rules");
    w.value(static_cast<uint64_t>(t.distinct_rules));
    w.key("distinct_detections");
    w.value(static_cast<uint64_t>(t.distinct_detections));
    w.key("pass");
    w.value(static_cast<uint64_t>(t.pass));
    w.key("fail");
    w.value(static_cast<uint64_t>(t.fail));
    w.key("stages");
    w.begin_array();
    for (size_t s = 0; s < 6; ++s) {
      w.begin_object();
      w.key("stage");
      w.value(static_cast<int>(s + 1));
      w.key("automated");
      w.value(static_cast<uint64_t>(t.stages[s].automated));
      w.key("covered");
      w.value(static_cast<uint64_t>(t.stages[s].covered));
      w.key("organisational");
      w.value(static_cast<uint64_t>(t.stages[s].organisational));
      w.key("failing_rules");
      w.value(static_cast<uint64_t>(t.stages[s].failing_rules));
      w.key("countermeasures");
      w.begin_array();
      for (const CountermeasureRow& c : t.countermeasures) {
        if (c.stage != static_cast<int>(s + 1)) continue;
        w.begin_object();
        w.key("item");
        w.value(c.item);
        w.key("title");
        w.value(c.title);
        w.key("paper_stage");
        w.value(c.paper_stage);
        w.key("mode");
        w.value(knowledge::mode_name(c.mode));
        w.key("checks");
        w.begin_array();
        for (const std::string& k : c.checks) w.value(k);
        w.end_array();
        w.key("status");
        w.value(c.status);
        write_checks(w, c.rules, c.detections);
        if (!c.missing_rules.empty()) {
          w.key("rules_not_loaded");
          w.begin_array();
          for (const std::string& m : c.missing_rules) w.value(m);
          w.end_array();
        }
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

// ---------------------------------------------------------------------------------------
// Framework.

Doc to_doc(const FrameworkReport& r) {
  Doc d;
  d.title = std::string(framework_title(r.framework));
  d.meta = meta_lines(r.meta);
  const bool ccm = r.framework == Framework::kCcmV4;
  const char* group_word = r.framework == Framework::kCisAwsV7 ? "section" : ccm ? "domain" : "group";
  Section summary{"Coverage",
                  {},
                  Table{{group_word, "name", "controls", "covered", "coverage", "pass", "fail",
                         "no-resources", "watching", "not-covered", "manual"},
                        {}},
                  {},
                  false};
  summary.paragraphs.push_back("Overall: " + std::to_string(r.total.covered) + " of " +
                               std::to_string(r.total.total) + " controls have an automated check (" +
                               percent(r.total.coverage) + "); " + std::to_string(r.total.fail) +
                               " failing, " + std::to_string(r.total.pass) + " passing, " +
                               std::to_string(r.total.manual) + " manual.");
  std::vector<std::pair<std::string, double>> bars;
  for (const GroupRow& g : r.groups) {
    summary.table->rows.push_back({g.id, g.name, std::to_string(g.total), std::to_string(g.covered),
                                   percent(g.coverage), std::to_string(g.pass), std::to_string(g.fail),
                                   std::to_string(g.no_resources), std::to_string(g.watching),
                                   std::to_string(g.not_covered), std::to_string(g.manual)});
    bars.emplace_back(g.id + " " + g.name, g.coverage);
  }
  bars.emplace_back("All", r.total.coverage);
  summary.svg = svg_coverage_bars(bars);
  d.sections.push_back(std::move(summary));

  Section controls{
      "Controls", {}, Table{{"id", "title", "status", "rules", "detections", "pass", "fail"}, {}}, {}, true};
  if (ccm)
    controls.table->headers.push_back("ownership");
  else
    controls.table->headers.push_back("note");
  for (const ControlRow& c : r.controls) {
    controls.table->rows.push_back({c.id, c.title, c.status, rules_cell(c.rules),
                                    detections_cell(c.detections), std::to_string(c.pass),
                                    std::to_string(c.fail), ccm ? c.ownership : c.note});
  }
  d.sections.push_back(std::move(controls));
  return d;
}

std::string to_json(const FrameworkReport& r) {
  core::JsonWriter w(2);
  w.begin_object();
  w.key("report");
  w.value("framework");
  w.key("framework");
  w.value(framework_name(r.framework));
  w.key("title");
  w.value(framework_title(r.framework));
  write_meta(w, r.meta);
  auto group = [&](const GroupRow& g) {
    w.begin_object();
    w.key("id");
    w.value(g.id);
    w.key("name");
    w.value(g.name);
    w.key("controls");
    w.value(static_cast<uint64_t>(g.total));
    w.key("covered");
    w.value(static_cast<uint64_t>(g.covered));
    w.key("coverage");
    w.value(g.coverage);
    w.key("pass");
    w.value(static_cast<uint64_t>(g.pass));
    w.key("fail");
    w.value(static_cast<uint64_t>(g.fail));
    w.key("no_resources");
    w.value(static_cast<uint64_t>(g.no_resources));
    w.key("watching");
    w.value(static_cast<uint64_t>(g.watching));
    w.key("not_covered");
    w.value(static_cast<uint64_t>(g.not_covered));
    w.key("manual");
    w.value(static_cast<uint64_t>(g.manual));
    w.end_object();
  };
  w.key("total");
  group(r.total);
  w.key("groups");
  w.begin_array();
  for (const GroupRow& g : r.groups) group(g);
  w.end_array();
  w.key("controls");
  w.begin_array();
  for (const ControlRow& c : r.controls) {
    w.begin_object();
    w.key("id");
    w.value(c.id);
    w.key("title");
    w.value(c.title);
    w.key("group");
    w.value(c.group);
    w.key("status");
    w.value(c.status);
    w.key("pass");
    w.value(static_cast<uint64_t>(c.pass));
    w.key("fail");
    w.value(static_cast<uint64_t>(c.fail));
    if (!c.ownership.empty()) {
      w.key("ownership");
      w.value(c.ownership);
    }
    if (!c.note.empty()) {
      w.key("note");
      w.value(c.note);
    }
    write_checks(w, c.rules, c.detections);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

}  // namespace sekimori::governance
