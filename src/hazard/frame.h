// Private to hazard: the wind's frame of reference shared by the footprint and the exposure code.
#pragma once

#include <cmath>
#include <numbers>

namespace cbrnhub::hazard {

inline constexpr double kDegToRad = std::numbers::pi / 180.0;

// Unit vectors (east, north components) of the direction the wind blows toward and its left.
struct Frame {
  double down_east, down_north;
  double left_east, left_north;
  double Downwind(double east, double north) const { return east * down_east + north * down_north; }
  double Crosswind(double east, double north) const {
    return east * left_east + north * left_north;
  }
};

inline Frame WindFrame(double wind_from_deg) {
  double toward = (wind_from_deg + 180.0) * kDegToRad;
  return {std::sin(toward), std::cos(toward), -std::cos(toward), std::sin(toward)};
}

}  // namespace cbrnhub::hazard
