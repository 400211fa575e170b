// Private to http: server-side drawings (SVG) of what domain modules return as values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "identity/identity.h"

namespace cbrnhub::http {

// A radar of scores in 0..1 per axis (label, value) on a 0-100 scale with rings every 20, the
// target drawn as a dashed ring when `target` is in 0..1. Fewer than three axes draw a dash.
struct RadarView {
  std::string title, target_label;
  std::vector<std::pair<std::string, double>> axes;
  double target = -1;
};
std::string RadarSvg(const RadarView& view);
// Horizontal bars: each bar's length is its `fraction` (0..1) of the full length, and `shown` its
// value as printed beside it. Right to left (`rtl`) mirrors the drawing, as an Arabic reader
// reads the page: labels on the right, bars growing leftwards, values at their left ends.
struct BarsView {
  struct Bar {
    std::string label;
    double fraction = 0;
    std::string shown;
  };
  std::string title;
  bool title_drawn = false;  // the title above the bars too (a printed brief), not only as <title>
  bool rtl = false;
  std::vector<Bar> bars;
};
std::string BarsSvg(const BarsView& view);
// A risk matrix: likelihood up the side (level 1 at the bottom), impact along the bottom, each
// cell coloured by its band (a sequential palette that stays readable without colour vision, and
// the band's initial written in the cell). Markers are numbered scenarios, with an arrow from
// where they stood in the previous round; `counts` (the region's view) writes a number per cell.
struct MatrixView {
  std::string title, likelihood_title, impact_title;
  std::vector<std::string> likelihood_labels, impact_labels;  // level 1 first
  std::vector<std::vector<int>> band;                          // [likelihood - 1][impact - 1]: band rank
  std::vector<std::string> band_labels;                        // by rank, lowest first
  struct Marker {
    int likelihood = 0, impact = 0;
    std::string label, title;
    int from_likelihood = 0, from_impact = 0;  // 0: no previous position
  };
  std::vector<Marker> markers;
  std::vector<std::vector<int>> counts;  // optional, [likelihood - 1][impact - 1]
};
std::string RiskMatrixSvg(const MatrixView& view);
// The fill colour of band `rank` of `bands`, and the stylesheet's class for it ("band-3").
std::string BandColour(int rank, int bands);
std::string BandClass(int rank, int bands);

// Scores in five bands of 20 points (1: below 20 %, 5: 80 % and more), drawn in a sequential
// palette (ColorBrewer YlGnBu) told apart by lightness alone, so the bands read with any colour
// vision and in grey; app.css has the same colours as .h1 ... .h5, and .hx for "not shared".
inline constexpr int kScoreBands = 5;
int ScoreBand(double score);
std::string ScoreBandColour(int band);
// Text on a band's colour: dark on the light bands, white on the dark ones (contrast >= 4.5).
std::string ScoreBandInk(int band);

// A map of countries drawn on the server (no script): each partner country's outline from the
// Natural Earth data stored in data/maps/partners.json, filled by its score band, hatched when
// it has shared nothing, and linked to `href` with `label` as its accessible name. The view
// fits the countries given; outlines are thinned to what a pixel shows. "" when none is known.
struct MapCountry {
  std::string iso2, label, href;
  double score = -1;  // 0..1; below 0: nothing shared
};
std::string CountryMapSvg(const std::vector<MapCountry>& countries, const std::string& title, double width = 640);

// The same map projected, for drawing by other means (the brief's PDF): each known country's
// rings in drawing units (x to the right, y down) within width x height. Empty shapes when
// none of the countries is known.
struct MapShape {
  MapCountry country;
  std::vector<std::vector<std::pair<double, double>>> rings;
};
struct MapDrawing {
  double width = 0, height = 0;
  std::vector<MapShape> shapes;
};
MapDrawing ProjectCountries(const std::vector<MapCountry>& countries, double width = 640);

// The QR code's modules as an SVG image with its accessible label; "" for an empty code.
std::string QrSvg(const identity::QrModules& qr, const std::string& label);

}  // namespace cbrnhub::http
