// Drawings of the presentation layer: SVG charts and the QR code, drawn on the server: they need
// no script, print as they look, and weigh little. Domain modules hand over values; the words
// (titles, axis labels) come translated from the handler.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <cstdio>
#include <string>

#include "http/views.h"

namespace cbrnhub::http {
namespace {

std::string Escape(const std::string& s) {
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

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string RadarSvg(const std::vector<std::pair<std::string, double>>& axes, const std::string& title) {
  const double cx = 200, cy = 170, r = 120;
  const size_t n = axes.size();
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 340\" role=\"img\" class=\"chart radar\">";
  svg += "<title>" + Escape(title) + "</title>";
  if (n < 3) return svg + "<text x=\"200\" y=\"170\" text-anchor=\"middle\">-</text></svg>";
  auto point = [&](size_t i, double v) {
    double a = -M_PI / 2 + 2 * M_PI * static_cast<double>(i) / static_cast<double>(n);
    return std::make_pair(cx + r * v * std::cos(a), cy + r * v * std::sin(a));
  };
  for (int ring = 1; ring <= 5; ++ring) {  // the five maturity levels
    std::string pts;
    for (size_t i = 0; i < n; ++i) {
      auto [x, y] = point(i, ring / 5.0);
      pts += Num(x) + "," + Num(y) + " ";
    }
    svg += "<polygon points=\"" + pts + "\" fill=\"none\" stroke=\"#ccc\"/>";
  }
  std::string shape;
  for (size_t i = 0; i < n; ++i) {
    auto [x, y] = point(i, 1.0);
    svg += "<line x1=\"" + Num(cx) + "\" y1=\"" + Num(cy) + "\" x2=\"" + Num(x) + "\" y2=\"" + Num(y) + "\" stroke=\"#ccc\"/>";
    auto [lx, ly] = point(i, 1.18);
    svg += "<text x=\"" + Num(lx) + "\" y=\"" + Num(ly) + "\" font-size=\"11\" text-anchor=\"middle\">" +
           Escape(axes[i].first) + "</text>";
    auto [px, py] = point(i, std::clamp(axes[i].second, 0.0, 1.0));
    shape += Num(px) + "," + Num(py) + " ";
  }
  svg += "<polygon points=\"" + shape + "\" fill=\"rgba(30,90,160,0.3)\" stroke=\"#1e5aa0\" stroke-width=\"2\"/>";
  return svg + "</svg>";
}

std::string BarsSvg(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  const double row = 26, label = 130, width = 240;
  double height = row * static_cast<double>(bars.size()) + 10;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 420 " + Num(height) +
                    "\" role=\"img\" class=\"chart bars\"><title>" + Escape(title) + "</title>";
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = 5 + row * static_cast<double>(i);
    double v = std::clamp(bars[i].second, 0.0, 1.0);
    svg += "<text x=\"" + Num(label - 6) + "\" y=\"" + Num(y + 16) + "\" font-size=\"12\" text-anchor=\"end\">" +
           Escape(bars[i].first) + "</text>";
    svg += "<rect x=\"" + Num(label) + "\" y=\"" + Num(y + 4) + "\" width=\"" + Num(width) +
           "\" height=\"16\" fill=\"#eee\"/>";
    svg += "<rect x=\"" + Num(label) + "\" y=\"" + Num(y + 4) + "\" width=\"" + Num(width * v) +
           "\" height=\"16\" fill=\"#1e5aa0\"/>";
    svg += "<text x=\"" + Num(label + width + 6) + "\" y=\"" + Num(y + 16) + "\" font-size=\"12\">" +
           Num(v * 100) + " %</text>";
  }
  return svg + "</svg>";
}

std::string QrSvg(const identity::QrModules& qr, const std::string& label) {
  if (qr.width <= 0) return "";
  const int quiet = 4, w = qr.width, size = w + 2 * quiet;
  std::string path;
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      if (qr.dark[static_cast<size_t>(y * w + x)]) {
        path += "M" + std::to_string(x + quiet) + "," + std::to_string(y + quiet) + "h1v1h-1z";
      }
    }
  }
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" width=\"220\" height=\"220\" role=\"img\" aria-label=\"" + Escape(label) +
         "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"" + path + "\" fill=\"#000\"/></svg>";
}

namespace {
// ColorBrewer's OrRd, light to dark: told apart by lightness alone (app.css has the same as
// .band-0 ... .band-5).
const char* kPalette[] = {"#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"};
constexpr int kPaletteSize = static_cast<int>(std::size(kPalette));

int PaletteIndex(int rank, int bands) {
  if (bands <= 1) return 0;
  int i = static_cast<int>(std::lround(static_cast<double>(rank) * (kPaletteSize - 1) / (bands - 1)));
  return std::clamp(i, 0, kPaletteSize - 1);
}
}  // namespace

std::string BandColour(int rank, int bands) { return kPalette[PaletteIndex(rank, bands)]; }

std::string BandClass(int rank, int bands) { return "band-" + std::to_string(PaletteIndex(rank, bands)); }

std::string RiskMatrixSvg(const MatrixView& v) {
  const int rows = static_cast<int>(v.likelihood_labels.size()), cols = static_cast<int>(v.impact_labels.size());
  if (rows == 0 || cols == 0) return "";
  const double cell = 84, left = 150, top = 30, bottom = 70;
  const double width = left + cols * cell + 10, height = top + rows * cell + bottom;
  const int bands = static_cast<int>(v.band_labels.size());
  auto cx = [&](int impact) { return left + (impact - 0.5) * cell; };
  auto cy = [&](int likelihood) { return top + (rows - likelihood + 0.5) * cell; };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
                    "\" role=\"img\" class=\"chart matrix\"><title>" + Escape(v.title) + "</title>";
  svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\""
         " orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#222\"/></marker></defs>";
  for (int l = 1; l <= rows; ++l) {
    for (int i = 1; i <= cols; ++i) {
      int rank = l - 1 < static_cast<int>(v.band.size()) && i - 1 < static_cast<int>(v.band[l - 1].size()) ? v.band[l - 1][i - 1] : 0;
      std::string band = rank < bands ? v.band_labels[rank] : "";
      double x = left + (i - 1) * cell, y = top + (rows - l) * cell;
      svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(cell) + "\" height=\"" + Num(cell) +
             "\" fill=\"" + BandColour(rank, bands) + "\" stroke=\"#fff\" stroke-width=\"2\"><title>" + Escape(band) + "</title></rect>";
      // The band written, so the matrix reads in black and white too.
      svg += "<text x=\"" + Num(x + 4) + "\" y=\"" + Num(y + 12) + "\" font-size=\"9\" fill=\"" + (rank * 2 >= bands ? "#fff" : "#333") +
             "\">" + Escape(band) + "</text>";
      if (!v.counts.empty()) {
        int n = v.counts[l - 1][i - 1];
        if (n > 0) {
          svg += "<text x=\"" + Num(cx(i)) + "\" y=\"" + Num(cy(l) + 8) + "\" font-size=\"22\" font-weight=\"bold\" text-anchor=\"middle\""
                 " fill=\"" + std::string(rank * 2 >= bands ? "#fff" : "#222") + "\">" + std::to_string(n) + "</text>";
        }
      }
    }
  }
  for (int l = 1; l <= rows; ++l) {
    svg += "<text x=\"" + Num(left - 6) + "\" y=\"" + Num(cy(l) + 4) + "\" font-size=\"11\" text-anchor=\"end\">" +
           std::to_string(l) + " " + Escape(v.likelihood_labels[l - 1]) + "</text>";
  }
  for (int i = 1; i <= cols; ++i) {
    svg += "<text x=\"" + Num(cx(i)) + "\" y=\"" + Num(top + rows * cell + 16) + "\" font-size=\"11\" text-anchor=\"middle\">" +
           std::to_string(i) + " " + Escape(v.impact_labels[i - 1]) + "</text>";
  }
  svg += "<text x=\"" + Num(left + cols * cell / 2) + "\" y=\"" + Num(height - 14) + "\" font-size=\"13\" text-anchor=\"middle\""
         " font-weight=\"bold\">" + Escape(v.impact_title) + "</text>";
  svg += "<text x=\"14\" y=\"" + Num(top + rows * cell / 2) + "\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\""
         " transform=\"rotate(-90 14 " + Num(top + rows * cell / 2) + ")\">" + Escape(v.likelihood_title) + "</text>";
  // Markers: up to nine per cell on a 3 x 3 grid, the rest counted.
  std::map<std::pair<int, int>, int> placed;
  auto slot = [&](int l, int i, int k) {
    double dx = (k % 3 - 1) * 24.0, dy = (k / 3 % 3 - 1) * 24.0 + 6;
    return std::make_pair(cx(i) + dx, cy(l) + dy);
  };
  std::string arrows, dots;
  for (const auto& m : v.markers) {
    if (m.likelihood < 1 || m.likelihood > rows || m.impact < 1 || m.impact > cols) continue;
    int k = placed[{m.likelihood, m.impact}]++;
    auto [x, y] = slot(m.likelihood, m.impact, k);
    if (m.from_likelihood > 0 && m.from_impact > 0 && (m.from_likelihood != m.likelihood || m.from_impact != m.impact)) {
      double fx = cx(m.from_impact), fy = cy(m.from_likelihood) + 6;
      double dx = x - fx, dy = y - fy, len = std::sqrt(dx * dx + dy * dy);
      double ex = x - dx / len * 11, ey = y - dy / len * 11;
      arrows += "<line class=\"moved\" x1=\"" + Num(fx) + "\" y1=\"" + Num(fy) + "\" x2=\"" + Num(ex) + "\" y2=\"" + Num(ey) +
                "\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\" marker-end=\"url(#arrow)\"/>";
    }
    if (k >= 9) continue;
    dots += "<g class=\"scenario\"><title>" + Escape(m.title) + "</title><circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) +
            "\" r=\"10\" fill=\"#fff\" stroke=\"#222\"/><text x=\"" + Num(x) + "\" y=\"" + Num(y + 4) +
            "\" font-size=\"11\" text-anchor=\"middle\">" + Escape(m.label) + "</text></g>";
  }
  return svg + arrows + dots + "</svg>";
}

}  // namespace cbrnhub::http
