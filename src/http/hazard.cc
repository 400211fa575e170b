// Hazard footprints on the web: the map's words in the reader's language, the JSON API's
// stateless footprint and the planning page.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "http/hazard_map.h"
#include "http/handlers.h"

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

// The page's form fields, in the order shown; numbers unless listed in kChoiceFields.
constexpr const char* kNumberFields[] = {"rate_kg_s",      "duration_s",    "mass_kg",
                                         "area_m2",        "lat",           "lon",
                                         "wind_speed_m_s", "wind_from_deg", "averaging_time_s"};

// The release JSON from the page's query: numbers that do not parse are left out, so the
// model names them as missing.
std::string ReleaseFromQuery(const Request& req) {
  auto number = [&](const char* name, Json& into, const char* key) {
    std::string text = req.Query(name);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (!text.empty() && end && *end == '\0' && std::isfinite(v)) into[key] = v;
  };
  Json source = {{"kind", req.Query("kind", "continuous")}}, location = Json::object(),
       met = Json::object();
  number("rate_kg_s", source, "rate_kg_s");
  number("duration_s", source, "duration_s");
  number("mass_kg", source, "mass_kg");
  number("area_m2", source, "area_m2");
  number("lat", location, "lat");
  number("lon", location, "lon");
  number("wind_speed_m_s", met, "wind_speed_m_s");
  number("wind_from_deg", met, "wind_from_deg");
  met["class"] = req.Query("class", "D");
  Json release = {{"substance", req.Query("substance")},
                  {"source", source},
                  {"location", location},
                  {"met", met},
                  {"terrain", req.Query("terrain", "rural")}};
  number("averaging_time_s", release, "averaging_time_s");
  std::string exposure = req.Query("exposure_min", "60");
  release["exposure_min"] = std::atoi(exposure.c_str());
  return release.dump();
}

// The form field a model error is about ("met.wind_speed_m_s" -> "wind_speed_m_s").
std::string FormFieldOf(const std::string& field) {
  static const std::map<std::string, std::string> renamed = {{"latitude", "lat"},
                                                             {"longitude", "lon"},
                                                             {"release.puddle_area_m2", "area_m2"},
                                                             {"met.stability", "class"},
                                                             {"release.kind", "kind"}};
  if (auto it = renamed.find(field); it != renamed.end()) return it->second;
  auto dot = field.rfind('.');
  return dot == std::string::npos ? field : field.substr(dot + 1);
}

// GeoJSON, SVG or CSV of a model's footprint, by `format`.
Response FootprintResponse(const Ctx& ctx, const Request& req, const hazard::Model& model,
                           const std::string& format) {
  hazard::Footprint footprint = hazard::ComputeFootprint(model);
  Response r;
  if (format == "svg") {
    r.content_type = "image/svg+xml; charset=utf-8";
    r.body = RenderHazardMap(model, footprint, ctx.catalogs, req.lang);
  } else if (format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = hazard::FootprintCsv(footprint);
  } else {
    r.content_type = "application/geo+json";
    r.body = hazard::FootprintGeoJson(model, footprint);
  }
  return r;
}

}  // namespace

Result<hazard::Model> ModelFromBody(const std::string& release_json) {
  CBRN_ASSIGN_OR_RETURN(hazard::Scenario scenario, hazard::ScenarioFromJson(release_json));
  return hazard::Model::Make(scenario);
}

Response HazardScenarioFootprint(Ctx& ctx, Request& req, const std::string& format) {
  auto scenario = ctx.store.Get(CallerOf(req), kHazardScenarioKind, req.Param("id"));
  if (!scenario.ok()) return ErrorFor(ctx, req, scenario.status());
  auto model = ModelFromBody(scenario->value("release_json", ""));
  if (!model.ok()) return ErrorFor(ctx, req, model.status());
  return FootprintResponse(ctx, req, *model, format);
}

Response ApiHazardFootprint(Ctx& ctx, Request& req) {
  std::string format = req.Query("format", "geojson");
  if (format != "geojson" && format != "svg" && format != "csv")
    return ErrorFor(ctx, req, Status::Invalid("format", "format is geojson, svg or csv"));
  auto model = ModelFromBody(req.body);
  if (!model.ok()) return ErrorFor(ctx, req, model.status());
  return FootprintResponse(ctx, req, *model, format);
}

Response HazardFootprintGeoJson(Ctx& ctx, Request& req) {
  auto model = ModelFromBody(ReleaseFromQuery(req));
  if (!model.ok()) return ErrorFor(ctx, req, model.status());
  return FootprintResponse(ctx, req, *model, "geojson");
}

Response HazardPage(Ctx& ctx, Request& req) {
  auto t = [&](const std::string& key) { return Translate(ctx, req, key); };
  auto options = [&](std::initializer_list<std::string> values, const std::string& chosen,
                     const std::string& prefix) {
    Json out = Json::array();
    for (const auto& v : values)
      out.push_back(
          {{"value", v}, {"label", prefix.empty() ? v : t(prefix + v)}, {"selected", v == chosen}});
    return out;
  };
  Json substances = Json::array();
  std::string chosen = req.Query("substance", "chlorine");
  for (const auto& s : hazard::ShippedSubstances().substances)
    substances.push_back(
        {{"value", s.id}, {"label", t("hazard.substance." + s.id)}, {"selected", s.id == chosen}});
  Json fields = Json::array();
  for (const char* name : kNumberFields)
    fields.push_back({{"name", name},
                      {"label", t(std::string("hazard.field.") + name)},
                      {"value", req.Query(name)}});
  Json data = {
      {"substances", substances},
      {"kinds", options({"continuous", "instantaneous", "puddle"}, req.Query("kind", "continuous"),
                        "hazard.kind.")},
      {"classes", options({"A", "B", "C", "D", "E", "F"}, req.Query("class", "D"), "")},
      {"terrains", options({"rural", "urban"}, req.Query("terrain", "rural"), "hazard.terrain.")},
      {"exposures", options({"10", "30", "60", "240", "480"}, req.Query("exposure_min", "60"), "")},
      {"fields", fields}};
  if (!req.Query("substance").empty()) {
    auto model = ModelFromBody(ReleaseFromQuery(req));
    if (!model.ok()) {
      data["error_field"] = t("hazard.field." + FormFieldOf(model.status().field()));
    } else {
      hazard::Footprint footprint = hazard::ComputeFootprint(*model);
      data["map"] = RenderHazardMap(*model, footprint, ctx.catalogs, req.lang);
      Json zones = Json::array();
      for (const auto& zone : footprint.zones)
        zones.push_back(
            {{"zone", t("hazard.zone." + std::to_string(zone.threshold.level))},
             {"threshold", std::string(FamilyName(zone.threshold.family)) + "-" +
                               std::to_string(zone.threshold.level) + " " +
                               Figure(zone.threshold.ppm) + " ppm"},
             {"length", zone.length_m > 0 ? Distance(zone.length_m, ctx.catalogs, req.lang)
                                          : t("hazard.map.not_reached")},
             {"width", Distance(2 * zone.max_half_width_m, ctx.catalogs, req.lang)}});
      data["zones"] = zones;
      data["geojson_query"] = req.target.substr(
          req.target.find('?') == std::string::npos ? req.target.size() : req.target.find('?'));
    }
  }
  return RenderPage(ctx, req, 200, "hazard", data, t("hazard.page.title"));
}

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
