// Hazard footprints on the web: the map's words in the reader's language, the JSON API's
// stateless footprint and the planning page.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "http/handlers.h"
#include "http/hazard_map.h"

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

// The ensemble a request asks for: ?members=N (0 = none) and ?level=3|2|1 (the zone whose
// threshold's probability is drawn; the yellow zone by default).
struct EnsembleAsked {
  int members = 0;
  int level = 1;
};

Result<EnsembleAsked> EnsembleOf(const Request& req) {
  EnsembleAsked asked;
  std::string members = req.Query("members"), level = req.Query("level", "1");
  if (!members.empty()) {
    if (members.size() > 5 || members.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(members) > kMaxWebEnsembleMembers)
      return Status::Invalid("members", "members: the ensemble has 0 to " +
                                            std::to_string(kMaxWebEnsembleMembers) + " members")
          .Says("hazard.invalid.members", {{"#max", std::to_string(kMaxWebEnsembleMembers)}});
    asked.members = std::stoi(members);
  }
  if (level != "1" && level != "2" && level != "3")
    return Status::Invalid("level", "level: 3 (red), 2 (orange) or 1 (yellow)").Says("hazard.invalid.level");
  asked.level = level[0] - '0';
  return asked;
}

// Everything drawn or listed about one footprint.
struct FootprintView {
  hazard::Footprint footprint;
  std::vector<hazard::NamedPlace> places;
  std::optional<hazard::PopulationByZone> population;
  std::shared_ptr<const hazard::ProbabilityGrid> probability;
  size_t probability_index = 0;
  int members = 0;

  hazard::FootprintExtras Extras() const {
    return {places, population, probability.get(), probability_index, members};
  }
};

Result<FootprintView> ComputeView(const hazard::PopulationGrid* population,
                                  const hazard::Model& model,
                                  std::vector<hazard::NamedPlace> places,
                                  const EnsembleAsked& ensemble) {
  FootprintView view;
  view.footprint = hazard::ComputeFootprint(model);
  for (auto& place : places) place.exposure = hazard::Expose(model, place.at);
  // Nearest first within each zone: the order people are warned in.
  std::stable_sort(places.begin(), places.end(), [](const auto& a, const auto& b) {
    return a.exposure.level != b.exposure.level ? a.exposure.level > b.exposure.level
                                                : a.exposure.distance_m < b.exposure.distance_m;
  });
  view.places = std::move(places);
  if (population) view.population = hazard::CountPopulation(model, view.footprint, *population);
  if (ensemble.members > 0) {
    CBRN_ASSIGN_OR_RETURN(hazard::ProbabilityGrid grid,
                          EnsembleForMap(model, view.footprint, ensemble.members));
    for (size_t i = 0; i < grid.thresholds.size(); ++i)
      if (grid.thresholds[i].level == ensemble.level) view.probability_index = i;
    view.members = ensemble.members;
    view.probability = std::make_shared<const hazard::ProbabilityGrid>(std::move(grid));
  }
  return view;
}

// GeoJSON, SVG or CSV of a model's footprint, by `format`, with places and the ensemble asked.
Response FootprintResponse(const Ctx& ctx, const Request& req, const hazard::Model& model,
                           const std::string& format, std::vector<hazard::NamedPlace> places = {}) {
  auto ensemble = EnsembleOf(req);
  if (!ensemble.ok()) return ErrorFor(ctx, req, ensemble.status());
  auto view = ComputeView(ctx.options.population.get(), model, std::move(places), *ensemble);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Response r;
  if (format == "svg") {
    r.content_type = "image/svg+xml; charset=utf-8";
    r.body = RenderHazardMap(model, view->footprint, ctx.catalogs, req.lang, view->Extras());
  } else if (format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = hazard::FootprintCsv(view->footprint);
  } else {
    r.content_type = "application/geo+json";
    r.body = hazard::FootprintGeoJson(model, view->footprint, view->Extras());
  }
  return r;
}

// "12 min" or "< 1 min", in the reader's digits.
std::string Minutes(double seconds, const i18n::Catalogs& c, const std::string& lang) {
  double minutes = std::round(seconds / 60);
  if (minutes < 1) return "< 1 " + c.Translate(lang, "hazard.unit.min");
  return i18n::FormatNumber(lang, minutes, 0) + " " + c.Translate(lang, "hazard.unit.min");
}

std::string ZoneName(int level, const i18n::Catalogs& c, const std::string& lang) {
  return c.Translate(lang, level > 0 ? "hazard.zone." + std::to_string(level)
                                     : std::string("hazard.zone.outside"));
}

// The page's words about a footprint: zones (with people when a grid is loaded), places per
// zone, the dense-gas warning. The same on the planning page and a scenario's section.
Json FootprintDetails(const i18n::Catalogs& catalogs, const std::string& lang,
                      const hazard::Model& model, const FootprintView& view) {
  auto t = [&](const std::string& key) { return catalogs.Translate(lang, key); };
  Json zones = Json::array();
  for (size_t i = 0; i < view.footprint.zones.size(); ++i) {
    const hazard::Zone& zone = view.footprint.zones[i];
    Json row = {{"zone", t("hazard.zone." + std::to_string(zone.threshold.level))},
                {"level", zone.threshold.level},
                {"threshold", std::string(FamilyName(zone.threshold.family)) + "-" +
                                  std::to_string(zone.threshold.level) + " " +
                                  Figure(zone.threshold.ppm) + " ppm"},
                {"length", zone.length_m > 0 ? Distance(zone.length_m, catalogs, lang)
                                             : t("hazard.map.not_reached")},
                {"width", Distance(2 * zone.max_half_width_m, catalogs, lang)}};
    if (view.population && i < view.population->people.size())
      row["people"] = i18n::FormatNumber(lang, std::round(view.population->people[i]), 0);
    zones.push_back(row);
  }
  Json details = {{"zones", zones}, {"with_population", view.population.has_value()}};
  if (view.population && !view.population->complete)
    details["population_partial"] = t("hazard.population.partial");
  Json groups = Json::array();
  for (int level : {3, 2, 1, 0}) {
    Json rows = Json::array();
    for (const auto& place : view.places) {
      if (place.exposure.level != level) continue;
      const auto& e = place.exposure;
      rows.push_back({{"name", place.name},
                      {"kind", t("choice." + place.kind)},
                      {"distance", Distance(e.distance_m, catalogs, lang)},
                      // Outside every zone the cloud's arrival says nothing a planner acts on.
                      {"arrival", e.arrival_s && level > 0 ? Minutes(*e.arrival_s, catalogs, lang)
                                                           : "\u2014"}});
    }
    if (!rows.empty())
      groups.push_back(
          {{"zone", ZoneName(level, catalogs, lang)}, {"level", level}, {"places", rows}});
  }
  details["place_groups"] = groups;
  details["has_places"] = !view.places.empty();
  hazard::DenseGasScreen dense = hazard::ScreenDenseGas(model);
  if (dense.dense)
    details["dense_warning"] =
        catalogs.Format(lang, "hazard.dense.warning",
                        {{"criterion", i18n::FormatNumber(lang, dense.criterion, 2)},
                         {"limit", i18n::FormatNumber(lang, dense.limit, 2)}});
  return details;
}

// The places of an exercise as the caller may read them.
Result<std::vector<hazard::NamedPlace>> PlacesOf(Ctx& ctx, const Request& req,
                                                 const std::string& activity_id) {
  records::ListQuery q;
  q.filters["activity_id"] = activity_id;
  q.limit = 500;  // the records' largest page
  std::vector<hazard::NamedPlace> out;
  for (q.offset = 0;; q.offset += q.limit) {
    CBRN_ASSIGN_OR_RETURN(records::Page page, ctx.store.List(CallerOf(req), meetings::kPlaces, q));
    for (const auto& p : page.items) {
      auto lat = meetings::ParseCoordinate(p.value("latitude", ""), 90);
      auto lon = meetings::ParseCoordinate(p.value("longitude", ""), 180);
      if (!lat || !lon) continue;  // checked on every write; never expected
      out.push_back(
          {p.value("id", ""), p.value("name", ""), p.value("place_kind", ""), {*lat, *lon}, {}});
    }
    if (page.items.size() < static_cast<size_t>(q.limit)) break;
  }
  return out;
}

}  // namespace

Result<hazard::Model> ModelFromBody(const std::string& release_json) {
  CBRN_ASSIGN_OR_RETURN(hazard::Scenario scenario, hazard::ScenarioFromJson(release_json));
  return hazard::Model::Make(scenario);
}

Result<hazard::ProbabilityGrid> EnsembleForMap(const hazard::Model& model,
                                               const hazard::Footprint& footprint, int members) {
  double reach = kMinEnsembleReachM;
  for (const auto& zone : footprint.zones) reach = std::max(reach, zone.length_m * 1.2);
  hazard::EnsembleOptions options;
  options.members = members;
  return hazard::ComputeEnsemble(model, reach, kEnsembleCells, options);
}

Response HazardScenarioFootprint(Ctx& ctx, Request& req, const std::string& format) {
  auto scenario = ctx.store.Get(CallerOf(req), kHazardScenarioKind, req.Param("id"));
  if (!scenario.ok()) return ErrorFor(ctx, req, scenario.status());
  auto model = ModelFromBody(scenario->value("release_json", ""));
  if (!model.ok()) return ErrorFor(ctx, req, model.status());
  auto places = PlacesOf(ctx, req, scenario->value("activity_id", ""));
  if (!places.ok()) return ErrorFor(ctx, req, places.status());
  return FootprintResponse(ctx, req, *model, format, std::move(places).value());
}

void AddHazardFootprints(Json& brief, const i18n::Catalogs& catalogs, const std::string& lang,
                         const hazard::PopulationGrid* population) {
  if (!brief.contains("hazard_scenarios")) return;
  for (Json& scenario : brief["hazard_scenarios"]) {
    auto model = ModelFromBody(scenario.value("release_json", ""));
    if (!model.ok()) continue;  // checked on every write; a scenario that fails is left out
    std::vector<hazard::NamedPlace> places;
    for (const Json& p : scenario.value("places", Json::array())) {
      auto lat = meetings::ParseCoordinate(p.value("latitude", ""), 90);
      auto lon = meetings::ParseCoordinate(p.value("longitude", ""), 180);
      if (lat && lon)
        places.push_back(
            {p.value("id", ""), p.value("name", ""), p.value("place_kind", ""), {*lat, *lon}, {}});
    }
    auto view = ComputeView(population, *model, std::move(places), {});
    if (!view.ok()) continue;
    Json details = FootprintDetails(catalogs, lang, *model, *view);
    details["substance"] = catalogs.Translate(lang, "hazard.substance." + model->substance().id);
    details["map"] = RenderHazardMap(*model, view->footprint, catalogs, lang, view->Extras());
    scenario["footprint"] = details;
  }
}

Response ApiPlacesImport(Ctx& ctx, Request& req) {
  return JsonResult(
      ctx, req,
      ctx.meetings->ImportPlaces(CallerOf(req), req.Param("id"), UploadedFile(req), "places.csv"),
      201);
}

Response PlacesImportSubmit(Ctx& ctx, Request& req) {
  std::string back = "/activities/" + PercentEncode(req.Param("id"));
  auto r =
      ctx.meetings->ImportPlaces(CallerOf(req), req.Param("id"), UploadedFile(req), "places.csv");
  if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument)
    return BackWithError(
        ctx, req,
        Status::Invalid(r.status().field(),
                        Translate(ctx, req, "places.import_failed") + " " + MessageOf(ctx, req, r.status())),
        back, StatusCode::kInvalidArgument);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Response::Redirect(back + "#places");
}

Json HazardScenarioSection(Ctx& ctx, const Request& req, const hazard::Model& model,
                           const std::vector<hazard::NamedPlace>& places) {
  auto view = ComputeView(ctx.options.population.get(), model, places, {});
  if (!view.ok()) return Json::object();
  Json section = FootprintDetails(ctx.catalogs, req.lang, model, *view);
  section["map"] = RenderHazardMap(model, view->footprint, ctx.catalogs, req.lang, view->Extras());
  return section;
}

Result<std::vector<hazard::NamedPlace>> ExercisePlaces(Ctx& ctx, const Request& req,
                                                       const std::string& activity_id) {
  return PlacesOf(ctx, req, activity_id);
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
  data["members"] = req.Query("members");
  data["levels"] = options({"1", "2", "3"}, req.Query("level", "1"), "hazard.zone.");
  if (!req.Query("substance").empty()) {
    auto model = ModelFromBody(ReleaseFromQuery(req));
    auto ensemble = EnsembleOf(req);
    Result<FootprintView> view =
        !model.ok()      ? Result<FootprintView>(model.status())
        : !ensemble.ok() ? Result<FootprintView>(ensemble.status())
                         : ComputeView(ctx.options.population.get(), *model, {}, *ensemble);
    if (!view.ok()) {
      data["error_field"] = t("hazard.field." + FormFieldOf(view.status().field()));
      data["error"] = MessageOf(ctx, req, view.status());
    } else {
      data.update(FootprintDetails(ctx.catalogs, req.lang, *model, *view));
      data["map"] =
          RenderHazardMap(*model, view->footprint, ctx.catalogs, req.lang, view->Extras());
      data["geojson_query"] = req.target.substr(
          req.target.find('?') == std::string::npos ? req.target.size() : req.target.find('?'));
    }
  }
  return RenderPage(ctx, req, 200, "hazard", data, t("hazard.page.title"));
}

std::string RenderHazardMap(const hazard::Model& model, const hazard::Footprint& footprint,
                            const i18n::Catalogs& c, const std::string& lang,
                            const hazard::FootprintExtras& extras) {
  auto t = [&](const std::string& key) { return c.Translate(lang, key); };
  HazardMapView view;
  view.title = t("hazard.map.title") + ": " + t("hazard.substance." + model.substance().id);
  view.notice = t("hazard.map.notice");
  view.source_label = t("hazard.map.source");
  view.confidence_label = t("hazard.map.confidence");
  view.north = t("hazard.map.north");
  view.metres = t("hazard.unit.m");
  view.kilometres = t("hazard.unit.km");
  view.footprint = footprint;
  for (const hazard::Zone& zone : footprint.zones) {
    const hazard::ZoneThreshold& th = zone.threshold;
    std::string label = t("hazard.zone." + std::to_string(th.level)) + ": " +
                        FamilyName(th.family) + "-" + std::to_string(th.level) + " (" +
                        std::to_string(th.duration_min) + " " + t("hazard.unit.min") + ") " +
                        Figure(th.ppm) + " ppm, ";
    label += zone.length_m > 0 ? Distance(zone.length_m, c, lang) : t("hazard.map.not_reached");
    view.zone_labels.push_back(label);
  }
  const hazard::ProbabilityGrid* probability = extras.probability;
  if (probability && extras.probability_index < probability->thresholds.size()) {
    view.probability = probability;
    view.probability_level = extras.probability_index;
    int level = probability->thresholds[extras.probability_index].level;
    view.probability_label = c.Format(
        lang, "hazard.map.probability",
        {{"zone", t("hazard.zone." + std::to_string(level))}, {"members", extras.members}});
    for (size_t band = 0; band < hazard::kProbabilityBands.size(); ++band) {
      double high =
          band + 1 < hazard::kProbabilityBands.size() ? hazard::kProbabilityBands[band + 1] : 1.0;
      view.probability_bands.push_back(
          c.Format(lang, "hazard.map.probability_band",
                   {{"low", i18n::FormatPercent(lang, hazard::kProbabilityBands[band] * 100)},
                    {"high", i18n::FormatPercent(lang, high * 100)}}));
    }
  }
  for (const auto& place : extras.places) view.places.push_back({place.at, place.name});
  if (!extras.places.empty()) view.place_label = t("hazard.map.place");
  if (hazard::ScreenDenseGas(model).dense) view.warning = t("hazard.dense.map");
  return HazardMapSvg(view);
}

}  // namespace cbrnhub::http
