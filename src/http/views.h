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
// The QR code's modules as an SVG image with its accessible label; "" for an empty code.
std::string QrSvg(const identity::QrModules& qr, const std::string& label);

}  // namespace cbrnhub::http
