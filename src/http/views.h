// Private to http: server-side drawings (SVG) of what domain modules return as values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "identity/identity.h"

namespace cbrnhub::http {

// A radar of values in 0..1 per axis (label, value), titled; "" when there are no axes.
std::string RadarSvg(const std::vector<std::pair<std::string, double>>& axes, const std::string& title);
// Horizontal bars of values in 0..1 (label, value), titled.
std::string BarsSvg(const std::vector<std::pair<std::string, double>>& bars, const std::string& title);
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

// The QR code's modules as an SVG image with its accessible label; "" for an empty code.
std::string QrSvg(const identity::QrModules& qr, const std::string& label);

}  // namespace cbrnhub::http
