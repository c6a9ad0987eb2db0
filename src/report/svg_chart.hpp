// Small, dependency-free SVG charts for the offline HTML report: time series (one or two y axes) and bar
// histograms. Output is a self-contained <svg> element.
#pragma once

#include <string>
#include <vector>

namespace voltpool {

struct ChartSeries {
  std::string label;
  std::vector<double> values;  // one per x position
  std::string color;           // CSS colour
  bool right_axis = false;     // plotted against the secondary (right) axis
  bool dashed = false;
};

struct LineChart {
  std::string title;
  std::string left_unit;
  std::string right_unit;               // empty: no right axis
  std::vector<std::string> x_labels;    // one per x position; only some are drawn
  std::vector<ChartSeries> series;
  int width = 960;
  int height = 300;
};

std::string render_svg(const LineChart& chart);

struct BarChart {
  std::string title;
  std::string x_unit;
  std::string y_unit;
  std::vector<std::string> bar_labels;
  std::vector<double> values;
  std::string color = "#3b7dd8";
  int width = 480;
  int height = 260;
};

std::string render_svg(const BarChart& chart);

// Escapes &, <, >, " for HTML and SVG text.
std::string html_escape(const std::string& s);
// A CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a line break.
std::string csv_quote(const std::string& s);

}  // namespace voltpool
