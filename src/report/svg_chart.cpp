#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace voltpool {

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

struct Axis {
  double lo = 0, hi = 1;
};

// A range that includes 0 and has round ends.
Axis nice_axis(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi - lo < 1e-12) hi = lo + 1;
  double span = hi - lo;
  double mag = std::pow(10.0, std::floor(std::log10(span)));
  double step = mag;
  for (double m : {0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0}) {
    if (span / (m * mag) <= 6) {
      step = m * mag;
      break;
    }
  }
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step};
}

std::string number(double v) {
  if (std::abs(v) >= 1000) return fmt::format("{:.0f}", v);
  if (std::abs(v) >= 10) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2g}", v);
}

constexpr int kLeft = 64, kRight = 64, kTop = 34, kBottom = 40;

}  // namespace

std::string render_svg(const LineChart& c) {
  size_t n = 0;
  double llo = 1e300, lhi = -1e300, rlo = 1e300, rhi = -1e300;
  for (const auto& s : c.series) {
    n = std::max(n, s.values.size());
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      (s.right_axis ? rlo : llo) = std::min(s.right_axis ? rlo : llo, v);
      (s.right_axis ? rhi : lhi) = std::max(s.right_axis ? rhi : lhi, v);
    }
  }
  Axis left = llo <= lhi ? nice_axis(llo, lhi) : Axis{};
  Axis right = rlo <= rhi ? nice_axis(rlo, rhi) : Axis{};
  const double pw = c.width - kLeft - kRight, ph = c.height - kTop - kBottom;
  auto x_of = [&](size_t i) { return kLeft + (n > 1 ? pw * static_cast<double>(i) / static_cast<double>(n - 1) : 0); };
  auto y_of = [&](double v, const Axis& a) { return kTop + ph * (1 - (v - a.lo) / (a.hi - a.lo)); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"chart\" role=\"img\" "
      "aria-label=\"{}\">\n<text x=\"{}\" y=\"20\" class=\"title\">{}</text>\n",
      c.width, c.height, html_escape(c.title), kLeft, html_escape(c.title));
  for (int k = 0; k <= 5; ++k) {
    double lv = left.lo + (left.hi - left.lo) * k / 5.0;
    double y = y_of(lv, left);
    svg += fmt::format("<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>", kLeft, kLeft + pw, y, y);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>", kLeft - 6, y + 4, number(lv));
    if (!c.right_unit.empty()) {
      double rv = right.lo + (right.hi - right.lo) * k / 5.0;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>", kLeft + pw + 6, y + 4, number(rv));
    }
    svg += "\n";
  }
  if (left.lo < 0) {
    double y0 = y_of(0, left);
    svg += fmt::format("<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"zero\"/>\n", kLeft, kLeft + pw, y0, y0);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"unit\">{}</text>", 4, kTop - 10, html_escape(c.left_unit));
  if (!c.right_unit.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"unit\" text-anchor=\"end\">{}</text>", c.width - 4, kTop - 10,
                       html_escape(c.right_unit));
  }
  // x labels: at most ~8
  if (!c.x_labels.empty() && n > 0) {
    size_t every = std::max<size_t>(1, (n + 7) / 8);
    for (size_t i = 0; i < n && i < c.x_labels.size(); i += every) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>", x_of(i),
                         c.height - kBottom + 16, html_escape(c.x_labels[i]));
    }
    svg += "\n";
  }
  // series
  double legend_x = kLeft + 8;
  for (const auto& s : c.series) {
    const Axis& a = s.right_axis ? right : left;
    std::string points;
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (!std::isfinite(s.values[i])) continue;
      points += fmt::format("{:.1f},{:.1f} ", x_of(i), y_of(s.values[i], a));
    }
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{} points=\"{}\"/>\n", s.color,
                       s.dashed ? " stroke-dasharray=\"5,3\"" : "", points);
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{}\" width=\"14\" height=\"3\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{}\" "
                       "class=\"legend\">{}</text>\n",
                       legend_x, c.height - 12, s.color, legend_x + 18, c.height - 7, html_escape(s.label));
    legend_x += 30 + 7.0 * static_cast<double>(s.label.size());
  }
  svg += "</svg>\n";
  return svg;
}

std::string render_svg(const BarChart& c) {
  double hi = 0;
  for (double v : c.values) hi = std::max(hi, v);
  Axis a = nice_axis(0, hi);
  const double pw = c.width - kLeft - 16, ph = c.height - kTop - kBottom;
  size_t n = c.values.size();
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"chart small\" role=\"img\" "
      "aria-label=\"{}\">\n<text x=\"{}\" y=\"20\" class=\"title\">{}</text>\n",
      c.width, c.height, html_escape(c.title), kLeft, html_escape(c.title));
  for (int k = 0; k <= 5; ++k) {
    double v = a.lo + (a.hi - a.lo) * k / 5.0;
    double y = kTop + ph * (1 - (v - a.lo) / (a.hi - a.lo));
    svg += fmt::format("<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
                       kLeft, kLeft + pw, y, y, kLeft - 6, y + 4, number(v));
  }
  double bw = n ? pw / static_cast<double>(n) : 0;
  for (size_t i = 0; i < n; ++i) {
    double h = ph * (c.values[i] - a.lo) / (a.hi - a.lo);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {}</title></rect>",
                       kLeft + bw * static_cast<double>(i) + 1, kTop + ph - h, std::max(bw - 2, 1.0), h, c.color,
                       html_escape(i < c.bar_labels.size() ? c.bar_labels[i] : ""), number(c.values[i]));
    if (i < c.bar_labels.size()) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                         kLeft + bw * (static_cast<double>(i) + 0.5), c.height - kBottom + 16, html_escape(c.bar_labels[i]));
    }
    svg += "\n";
  }
  svg += fmt::format("<text x=\"4\" y=\"{}\" class=\"unit\">{}</text><text x=\"{:.0f}\" y=\"{}\" class=\"unit\" "
                     "text-anchor=\"middle\">{}</text>\n</svg>\n",
                     kTop - 10, html_escape(c.y_unit), kLeft + pw / 2, c.height - 6, html_escape(c.x_unit));
  return svg;
}

}  // namespace voltpool
