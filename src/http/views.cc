// Drawings of the presentation layer: SVG charts and the QR code, drawn on the server: they need
// no script, print as they look, and weigh little. Domain modules hand over values; the words
// (titles, axis labels) come translated from the handler.
#include "http/views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "assets/assets.h"
#include "http/hazard_map.h"

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

std::string Num(double v, int decimals = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string RadarSvg(const RadarView& v) {
  // Room around the circle for labels of a dozen characters in any of the four languages.
  const double cx = 230, cy = 185, r = 120;
  const size_t n = v.axes.size();
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 460 380\" role=\"img\" "
      "class=\"chart radar\">";
  svg += "<title>" + Escape(v.title) + "</title>";
  if (n < 3) return svg + "<text x=\"230\" y=\"185\" text-anchor=\"middle\">-</text></svg>";
  auto point = [&](size_t i, double value) {
    double a = -M_PI / 2 + 2 * M_PI * static_cast<double>(i) / static_cast<double>(n);
    return std::make_pair(cx + r * value * std::cos(a), cy + r * value * std::sin(a));
  };
  auto ring = [&](double value) {
    std::string pts;
    for (size_t i = 0; i < n; ++i) {
      auto [x, y] = point(i, value);
      pts += Num(x) + "," + Num(y) + " ";
    }
    return pts;
  };
  for (int step = 1; step <= 5; ++step) {
    svg += "<polygon points=\"" + ring(step / 5.0) + "\" fill=\"none\" stroke=\"#c8ced6\"/>";
  }
  std::string shape, labels;
  for (size_t i = 0; i < n; ++i) {
    auto [x, y] = point(i, 1.0);
    svg += "<line x1=\"" + Num(cx) + "\" y1=\"" + Num(cy) + "\" x2=\"" + Num(x) + "\" y2=\"" +
           Num(y) + "\" stroke=\"#c8ced6\"/>";
    auto [lx, ly] = point(i, 1.1);
    // Labels on the sides run away from the circle instead of across it.
    const char* anchor = lx > cx + 8 ? "start" : lx < cx - 8 ? "end" : "middle";
    labels += "<text x=\"" + Num(lx) + "\" y=\"" + Num(ly + 4) +
              "\" font-size=\"12\" text-anchor=\"" + anchor + "\">" + Escape(v.axes[i].first) +
              " " + Num(std::clamp(v.axes[i].second, 0.0, 1.0) * 100, 0) + "</text>";
    auto [px, py] = point(i, std::clamp(v.axes[i].second, 0.0, 1.0));
    shape += Num(px) + "," + Num(py) + " ";
  }
  // The scale along the upward axis: 20 ... 100.
  for (int step = 1; step <= 5; ++step) {
    svg += "<text x=\"" + Num(cx + 3) + "\" y=\"" + Num(cy - r * step / 5.0 + 10) +
           "\" font-size=\"9\" fill=\"#5b6775\">" + std::to_string(step * 20) + "</text>";
  }
  if (v.target >= 0 && v.target <= 1) {
    svg += "<polygon class=\"target\" points=\"" + ring(v.target) +
           "\" fill=\"none\" stroke=\"#a4161a\" stroke-width=\"1.5\" stroke-dasharray=\"6 "
           "3\"><title>" +
           Escape(v.target_label) + "</title></polygon>";
  }
  svg += "<polygon class=\"scores\" points=\"" + shape +
         "\" fill=\"rgba(34,94,168,0.25)\" stroke=\"#225ea8\" stroke-width=\"2\"/>";
  return svg + labels + "</svg>";
}

int ScoreBand(double score) {
  return 1 +
         std::clamp(static_cast<int>(std::floor(score * kScoreBands + 1e-9)), 0, kScoreBands - 1);
}

namespace {
const char* kScorePalette[] = {"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#225ea8"};
}  // namespace

std::string ScoreBandColour(int band) {
  return kScorePalette[std::clamp(band, 1, kScoreBands) - 1];
}

std::string ScoreBandInk(int band) { return band >= kScoreBands ? "#fff" : "#1d2733"; }

std::string BarsSvg(const BarsView& view) {
  const double width = 480, row = 24, label = 150, span = 250, top = view.title_drawn ? 24 : 4;
  // Drawn left to right, mirrored for right to left: x becomes width - x, and with the drawing's
  // direction set to rtl each text's anchor keeps its meaning (its start is then its right end).
  auto x = [&](double ltr) { return Num(view.rtl ? width - ltr : ltr); };
  auto bar_x = [&](double ltr, double w) { return Num(view.rtl ? width - ltr - w : ltr); };
  double height = top + row * static_cast<double>(view.bars.size()) + 6;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(width) + " " +
                    Num(height) + "\" role=\"img\" class=\"chart bars" + (view.rtl ? " mirrored" : "") + "\" direction=\"" +
                    (view.rtl ? "rtl" : "ltr") + "\"><title>" + Escape(view.title) + "</title>";
  if (view.title_drawn) {
    svg += "<text x=\"" + x(0) + "\" y=\"14\" font-size=\"13\" font-weight=\"bold\">" +
           Escape(view.title) + "</text>";
  }
  for (size_t i = 0; i < view.bars.size(); ++i) {
    const auto& bar = view.bars[i];
    double y = top + row * static_cast<double>(i);
    double w = span * std::clamp(bar.fraction, 0.0, 1.0);
    svg += "<text x=\"" + x(label - 6) + "\" y=\"" + Num(y + 15) +
           "\" font-size=\"12\" text-anchor=\"end\"><tspan>" + Escape(bar.label) + "</tspan></text>";
    svg += "<rect x=\"" + bar_x(label, span) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(span) +
           "\" height=\"16\" fill=\"#eee\"/>";
    svg += "<rect x=\"" + bar_x(label, w) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(w) +
           "\" height=\"16\" fill=\"#1e5aa0\"/>";
    svg += "<text x=\"" + x(label + w + 6) + "\" y=\"" + Num(y + 15) + "\" font-size=\"12\">" +
           Escape(bar.shown) + "</text>";
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

// --- Maps: partner countries from Natural Earth 1:50m (public domain), stored with the binary
// as data/maps/partners.json (converted once by tools/mapdata/make-map.mjs).

namespace {

using Ring = std::vector<std::pair<double, double>>;  // lon, lat

// iso2 -> rings, parsed once (the file is part of the binary, so a parse failure is a build bug
// that shows as maps without countries, not as a crash).
const std::map<std::string, std::vector<Ring>>& Outlines() {
  static const std::map<std::string, std::vector<Ring>> outlines = [] {
    std::map<std::string, std::vector<Ring>> out;
    auto file = assets::Find("data/maps/partners.json");
    if (!file) return out;
    auto doc = nlohmann::json::parse(std::string(*file), nullptr, false);
    if (doc.is_discarded() || !doc["countries"].is_object()) return out;
    for (const auto& [iso2, rings] : doc["countries"].items()) {
      for (const auto& flat : rings) {
        Ring ring;
        for (size_t i = 0; i + 1 < flat.size(); i += 2)
          ring.emplace_back(flat[i].get<double>(), flat[i + 1].get<double>());
        out[iso2].push_back(std::move(ring));
      }
    }
    return out;
  }();
  return outlines;
}

}  // namespace

MapDrawing ProjectCountries(const std::vector<MapCountry>& countries, double width) {
  MapDrawing out;
  const auto& outlines = Outlines();
  double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
  for (const auto& c : countries) {
    auto it = outlines.find(c.iso2);
    if (it == outlines.end()) continue;
    for (const auto& ring : it->second) {
      for (const auto& [lon, lat] : ring) {
        min_lon = std::min(min_lon, lon), max_lon = std::max(max_lon, lon);
        min_lat = std::min(min_lat, lat), max_lat = std::max(max_lat, lat);
      }
    }
  }
  if (min_lon > max_lon) return out;
  // Equirectangular with the parallels shortened by the cosine of the middle latitude: true
  // enough in shape for a region, and a few lines instead of a projection library.
  const double squeeze = std::cos((min_lat + max_lat) / 2 * M_PI / 180);
  const double margin = 4;
  const double span_x = std::max(0.5, (max_lon - min_lon) * squeeze),
               span_y = std::max(0.5, max_lat - min_lat);
  const double scale = std::min((width - 2 * margin) / span_x, 560.0 / span_y);
  const double height = span_y * scale + 2 * margin;
  auto x_of = [&](double lon) { return margin + (lon - min_lon) * squeeze * scale; };
  auto y_of = [&](double lat) { return margin + (max_lat - lat) * scale; };
  out.width = width;
  out.height = height;
  for (const auto& c : countries) {
    auto it = outlines.find(c.iso2);
    if (it == outlines.end()) continue;
    MapShape shape{c, {}};
    for (const auto& ring : it->second) {
      std::vector<std::pair<double, double>> points;
      for (const auto& [lon, lat] : ring) points.emplace_back(x_of(lon), y_of(lat));
      shape.rings.push_back(std::move(points));
    }
    out.shapes.push_back(std::move(shape));
  }
  return out;
}

std::string CountryMapSvg(const std::vector<MapCountry>& countries, const std::string& title,
                          double width) {
  const MapDrawing map = ProjectCountries(countries, width);
  if (map.shapes.empty()) return "";
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 " +
                    Num(map.width) + " " + Num(map.height) +
                    "\" aria-labelledby=\"map-title\"><title id=\"map-title\">" + Escape(title) +
                    "</title>";
  svg +=
      "<defs><pattern id=\"not-shared\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
      " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f3f4f6\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9aa3ad\" "
      "stroke-width=\"2\"/></pattern></defs>";
  for (const auto& shape : map.shapes) {
    const MapCountry& c = shape.country;
    std::string d;
    for (const auto& ring : shape.rings) {
      // Points closer than a pixel to the last one drawn add bytes, not shape.
      std::string part;
      double last_x = std::numeric_limits<double>::quiet_NaN(), last_y = last_x;
      int points = 0;
      for (const auto& [x, y] : ring) {
        if (points > 0 && std::abs(x - last_x) < 0.8 && std::abs(y - last_y) < 0.8) continue;
        part += (points == 0 ? "M" : "L") + Num(x) + " " + Num(y);
        last_x = x, last_y = y;
        ++points;
      }
      if (points >= 3) d += part + "Z";
    }
    if (d.empty()) continue;
    std::string fill = c.score < 0 ? "url(#not-shared)" : ScoreBandColour(ScoreBand(c.score));
    svg += "<a href=\"" + Escape(c.href) + "\" aria-label=\"" + Escape(c.label) + "\"><path d=\"" +
           d + "\" fill=\"" + fill + "\" stroke=\"#4a5560\" stroke-width=\"0.6\"><title>" +
           Escape(c.label) + "</title></path></a>";
  }
  return svg + "</svg>";
}

}  // namespace cbrnhub::http

namespace cbrnhub::http {
namespace {

// Zone fills by level (1 yellow, 2 orange, 3 red), the colours ALOHA and most plans use.
constexpr const char* kZoneFill[] = {"#ffd700", "#ff8c00", "#d00000"};
// The ensemble's probability bands (hazard::kProbabilityBands), light to dark purple: apart from
// the zones' yellow-to-red so the two read as different things.
constexpr const char* kProbabilityFill[] = {"#dadaeb", "#9e9ac8", "#54278f"};
constexpr double kMetresPerDegree = 6371008.8 * 3.14159265358979323846 / 180.0;

// A round length for the scale bar: 1, 2 or 5 times a power of ten, at most `limit` metres.
double ScaleLength(double limit) {
  double power = std::pow(10.0, std::floor(std::log10(std::max(limit, 1.0))));
  for (double step : {5.0, 2.0, 1.0})
    if (step * power <= limit) return step * power;
  return power;
}

}  // namespace

std::string HazardMapSvg(const HazardMapView& view) {
  const hazard::Footprint& fp = view.footprint;
  const double cos_lat = std::max(std::cos(fp.source.lat * 3.14159265358979323846 / 180.0), 1e-6);
  auto local = [&](const hazard::LatLon& p) {
    return std::pair<double, double>{(p.lon - fp.source.lon) * cos_lat * kMetresPerDegree,
                                     (p.lat - fp.source.lat) * kMetresPerDegree};
  };
  double half = 100;  // metres: the smallest map shows 200 m around the source
  auto widen = [&](const hazard::LatLon& p) {
    auto [e, n] = local(p);
    if (std::isfinite(e) && std::isfinite(n)) half = std::max({half, std::fabs(e), std::fabs(n)});
  };
  for (const auto& zone : fp.zones)
    for (const auto& p : zone.polygon) widen(p);
  for (const auto& line : fp.confidence_lines)
    for (const auto& p : line) widen(p);
  half *= 1.08;
  const double left = 20, top = 40, size = 560;
  auto sx = [&](double e) { return left + (e + half) / (2 * half) * size; };
  auto sy = [&](double n) { return top + (half - n) / (2 * half) * size; };
  const double legend_top = top + size + (view.warning.empty() ? 50 : 72);
  const size_t legend_rows = fp.zones.size() + 2 + (view.places.empty() ? 0 : 1) +
                             (view.probability ? 1 + view.probability_bands.size() : 0);
  const double height = legend_top + 22 * legend_rows + 30;

  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hazard-map\" viewBox=\"0 0 600 " +
      Num(height) + "\" role=\"img\" aria-label=\"" + Escape(view.title + ". " + view.notice) +
      "\" style=\"direction: ltr\"><title>" + Escape(view.title) + "</title>";
  svg += "<rect x=\"0\" y=\"0\" width=\"600\" height=\"" + Num(height) + "\" fill=\"#ffffff\"/>";
  svg += "<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">" + Escape(view.title) +
         "</text>";
  svg += "<defs><clipPath id=\"hazard-frame\"><rect x=\"" + Num(left) + "\" y=\"" + Num(top) +
         "\" width=\"" + Num(size) + "\" height=\"" + Num(size) + "\"/></clipPath></defs>";
  svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(top) + "\" width=\"" + Num(size) +
         "\" height=\"" + Num(size) +
         "\" fill=\"#f4f6f4\" stroke=\"#555\"/><g clip-path=\"url(#hazard-frame)\">";

  if (view.probability && view.probability_level < view.probability->probability.size()) {
    const hazard::Grid& g = view.probability->layout;
    const auto& p = view.probability->probability[view.probability_level];
    auto [west, south] = local(g.south_west);
    double cell = g.cell_m / (2 * half) * size;
    // Each row's runs of cells in one band as one rectangle: fewer elements, no seams.
    for (int row = 0; row < g.rows; ++row)
      for (int column = 0; column < g.columns;) {
        int band = hazard::ProbabilityBand(p[static_cast<size_t>(row) * g.columns + column]);
        int end = column + 1;
        while (end < g.columns &&
               hazard::ProbabilityBand(p[static_cast<size_t>(row) * g.columns + end]) == band)
          ++end;
        if (band >= 0)  // under the first band: left blank so the zones stay readable
          svg += "<rect class=\"probability-" + std::to_string(band) + "\" x=\"" +
                 Num(sx(west + column * g.cell_m)) + "\" y=\"" +
                 Num(sy(south + (row + 1) * g.cell_m)) + "\" width=\"" +
                 Num(cell * (end - column) + 0.3) + "\" height=\"" + Num(cell + 0.3) +
                 "\" fill=\"" + kProbabilityFill[band] + "\"/>";
        column = end;
      }
  }
  // Largest zone first, so the red zone is drawn on top.
  for (auto it = fp.zones.rbegin(); it != fp.zones.rend(); ++it) {
    if (it->polygon.empty()) continue;
    std::string points;
    for (const auto& p : it->polygon) {
      auto [e, n] = local(p);
      if (!std::isfinite(e) || !std::isfinite(n)) continue;
      points += Num(sx(e)) + "," + Num(sy(n)) + " ";
    }
    int level = std::clamp(it->threshold.level, 1, 3);
    svg += "<polygon class=\"zone-" + std::to_string(level) + "\" points=\"" + points +
           "\" fill=\"" + kZoneFill[level - 1] +
           "\" fill-opacity=\"0.75\" stroke=\"#333\" stroke-width=\"0.8\"/>";
  }
  for (const auto& line : fp.confidence_lines) {
    if (line.size() < 2) continue;
    auto [e0, n0] = local(line.front());
    auto [e1, n1] = local(line.back());
    svg += "<line class=\"confidence\" x1=\"" + Num(sx(e0)) + "\" y1=\"" + Num(sy(n0)) +
           "\" x2=\"" + Num(sx(e1)) + "\" y2=\"" + Num(sy(n1)) +
           "\" stroke=\"#222\" stroke-dasharray=\"6 4\"/>";
  }
  for (const auto& [at, name] : view.places) {
    auto [e, n] = local(at);
    if (!std::isfinite(e) || !std::isfinite(n)) continue;
    svg += "<rect class=\"place\" x=\"" + Num(sx(e) - 3.5) + "\" y=\"" + Num(sy(n) - 3.5) +
           "\" width=\"7\" height=\"7\" fill=\"#ffffff\" stroke=\"#0b3d91\" "
           "stroke-width=\"1.5\"><title>" +
           Escape(name) + "</title></rect>";
  }
  svg += "<circle cx=\"" + Num(sx(0)) + "\" cy=\"" + Num(sy(0)) + "\" r=\"4\" fill=\"#000\"/></g>";
  // North arrow and scale bar.
  svg +=
      "<path d=\"M560 80 l8 -24 l8 24 l-8 -6 z\" fill=\"#222\"/><text x=\"568\" y=\"96\" "
      "font-size=\"12\" "
      "text-anchor=\"middle\">" +
      Escape(view.north) + "</text>";
  double bar_m = ScaleLength(half * 0.6);
  double bar_px = bar_m / (2 * half) * size;
  std::string bar_text =
      bar_m >= 1000 ? std::to_string(static_cast<int>(bar_m / 1000)) + " " + view.kilometres
                    : std::to_string(static_cast<int>(bar_m)) + " " + view.metres;
  svg += "<rect x=\"" + Num(left + 10) + "\" y=\"" + Num(top + size - 18) + "\" width=\"" +
         Num(bar_px) + "\" height=\"5\" fill=\"#222\"/><text x=\"" + Num(left + 10) + "\" y=\"" +
         Num(top + size - 24) + "\" font-size=\"11\">" + Escape(bar_text) + "</text>";
  // The warning sits right under the map, on every map.
  svg += "<text class=\"notice\" x=\"20\" y=\"" + Num(top + size + 24) +
         "\" font-size=\"14\" font-weight=\"bold\" "
         "fill=\"#a00000\">" +
         Escape(view.notice) + "</text>";
  if (!view.warning.empty())
    svg += "<text class=\"dense-gas\" x=\"20\" y=\"" + Num(top + size + 46) +
           "\" font-size=\"12\" font-weight=\"bold\" fill=\"#a00000\">" + Escape(view.warning) +
           "</text>";
  double y = legend_top;
  auto legend = [&](const std::string& swatch, const std::string& label) {
    svg += swatch + "<text x=\"48\" y=\"" + Num(y + 12) + "\" font-size=\"12\">" + Escape(label) +
           "</text>";
    y += 22;
  };
  for (size_t i = 0; i < fp.zones.size(); ++i) {
    int level = std::clamp(fp.zones[i].threshold.level, 1, 3);
    legend("<rect x=\"20\" y=\"" + Num(y) + "\" width=\"20\" height=\"14\" fill=\"" +
               kZoneFill[level - 1] + "\" stroke=\"#333\"/>",
           i < view.zone_labels.size() ? view.zone_labels[i] : "");
  }
  legend("<line x1=\"20\" y1=\"" + Num(y + 7) + "\" x2=\"40\" y2=\"" + Num(y + 7) +
             "\" stroke=\"#222\" stroke-dasharray=\"6 4\"/>",
         view.confidence_label);
  legend("<circle cx=\"30\" cy=\"" + Num(y + 7) + "\" r=\"4\" fill=\"#000\"/>", view.source_label);
  if (!view.places.empty())
    legend("<rect x=\"26.5\" y=\"" + Num(y + 3.5) +
               "\" width=\"7\" height=\"7\" fill=\"#ffffff\" stroke=\"#0b3d91\" "
               "stroke-width=\"1.5\"/>",
           view.place_label);
  if (view.probability) {
    legend("", view.probability_label);
    for (size_t band = 0; band < view.probability_bands.size() && band < 3; ++band)
      legend("<rect x=\"20\" y=\"" + Num(y) + "\" width=\"20\" height=\"14\" fill=\"" +
                 kProbabilityFill[band] + "\"/>",
             view.probability_bands[band]);
  }
  return svg + "</svg>";
}

}  // namespace cbrnhub::http
