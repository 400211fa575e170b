// Hazard footprints on the web: the map's words in the reader's language, the JSON API's
// stateless footprint and the planning page.
#include <cmath>
#include <cstdio>

#include "http/views.h"
#include "http/web.h"

namespace cbrnhub::http {
namespace {

std::string Figure(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string Distance(double metres, const i18n::Catalogs& c, const std::string& lang) {
  if (metres >= 1000) return Figure(metres / 1000) + " " + c.Translate(lang, "hazard.unit.km");
  return std::to_string(static_cast<int>(std::lround(metres))) + " " +
         c.Translate(lang, "hazard.unit.m");
}

const char* FamilyName(hazard::ThresholdFamily family) {
  switch (family) {
    case hazard::ThresholdFamily::kAegl:
      return "AEGL";
    case hazard::ThresholdFamily::kErpg:
      return "ERPG";
    case hazard::ThresholdFamily::kTeel:
      return "TEEL";
  }
  return "";
}

}  // namespace

std::string RenderHazardMap(const hazard::Model& model, const hazard::Footprint& footprint,
                            const i18n::Catalogs& c, const std::string& lang,
                            const hazard::ProbabilityGrid* probability) {
  auto t = [&](const char* key) { return c.Translate(lang, key); };
  HazardMapView view;
  view.title =
      t("hazard.map.title") + ": " + t(("hazard.substance." + model.substance().id).c_str());
  view.notice = t("hazard.map.notice");
  view.source_label = t("hazard.map.source");
  view.confidence_label = t("hazard.map.confidence");
  view.north = t("hazard.map.north");
  view.metres = t("hazard.unit.m");
  view.kilometres = t("hazard.unit.km");
  view.footprint = footprint;
  for (const hazard::Zone& zone : footprint.zones) {
    const hazard::ZoneThreshold& th = zone.threshold;
    std::string label = t(("hazard.zone." + std::to_string(th.level)).c_str()) + ": " +
                        FamilyName(th.family) + "-" + std::to_string(th.level) + " (" +
                        std::to_string(th.duration_min) + " " + t("hazard.unit.min") + ") " +
                        Figure(th.ppm) + " ppm, ";
    label += zone.length_m > 0 ? Distance(zone.length_m, c, lang) : t("hazard.map.not_reached");
    view.zone_labels.push_back(label);
  }
  if (probability && !probability->thresholds.empty()) {
    view.probability = probability;
    view.probability_level = probability->thresholds.size() - 1;  // the lowest zone: widest
    view.probability_label = t("hazard.map.probability");
  }
  return HazardMapSvg(view);
}

}  // namespace cbrnhub::http
