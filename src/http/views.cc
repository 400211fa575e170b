// Drawings of the presentation layer: SVG charts and the QR code, drawn on the server: they need
// no script, print as they look, and weigh little. Domain modules hand over values; the words
// (titles, axis labels) come translated from the handler.
#include <cmath>
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

}  // namespace cbrnhub::http
