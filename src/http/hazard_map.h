// Hazard maps and handlers (http/hazard.cc, http/views.cc). Its own header so that the other
// handlers do not recompile when it changes; app includes it for `cbrnhub hazard --format svg`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hazard/hazard.h"
#include "http/http.h"
#include "http/web.h"
#include "i18n/i18n.h"

namespace cbrnhub::http {

// The record kind of an exercise's hazard scenario (registered by meetings/kinds.cc).
inline constexpr const char* kHazardScenarioKind = "hazard_scenarios";

// The ensemble a page or the API may ask for (?members=): a 1,000-member run on the map's grid
// takes about a second on two cores (bench/hazard), more would hold a server thread too long.
inline constexpr int kMaxWebEnsembleMembers = 1000;
// The ensemble's grid has this many cells a side over the longest zone plus a fifth, and at
// least this reach (m) each way.
inline constexpr int kEnsembleCells = 120;
inline constexpr double kMinEnsembleReachM = 1000;

// A hazard scenario's map, north up, in metres around the release point: the threat zones
// (yellow under orange under red), the wind-direction confidence lines, a scale bar, optionally
// one level's ensemble probability in bands under the zones, the exercise's places as marks, and
// `notice` (the planning-estimate warning) on every map, with `warning` (dense gas) under it.
// Every word comes translated from the caller.
struct HazardMapView {
  std::string title, notice, source_label, confidence_label, north, metres, kilometres;
  std::string warning;  // "" when none
  hazard::Footprint footprint;
  std::vector<std::string> zone_labels;  // one per footprint zone
  const hazard::ProbabilityGrid* probability = nullptr;
  size_t probability_level = 0;  // index into probability->probability
  std::string probability_label;
  std::vector<std::string> probability_bands;                  // one per hazard::kProbabilityBands
  std::vector<std::pair<hazard::LatLon, std::string>> places;  // where and name
  std::string place_label;
};
std::string HazardMapSvg(const HazardMapView& view);

// The map of a hazard footprint as SVG in `lang`: zones with their thresholds, the confidence
// lines, "planning estimate, not response advice", the dense-gas warning when the release is
// heavier than air, and from `extras` the places and one level's ensemble probability in bands
// (for `cbrnhub hazard` and pages).
std::string RenderHazardMap(const hazard::Model& model, const hazard::Footprint& footprint,
                            const i18n::Catalogs& catalogs, const std::string& lang,
                            const hazard::FootprintExtras& extras = {});

// The ensemble drawn on a map of `footprint`: `members` perturbed runs on a kEnsembleCells grid
// reaching past the longest zone. InvalidArgument as hazard::ComputeEnsemble.
Result<hazard::ProbabilityGrid> EnsembleForMap(const hazard::Model& model,
                                               const hazard::Footprint& footprint, int members);

// The model of a release JSON (docs/hazard.md); InvalidArgument naming the field.
Result<hazard::Model> ModelFromBody(const std::string& release_json);

// Handlers (the route table names them; Ctx is WebApp::Context).
// A release JSON in, GeoJSON/SVG/CSV out; the planning page and its GeoJSON.
Response ApiHazardFootprint(WebApp::Context& ctx, Request& req);
Response HazardFootprintGeoJson(WebApp::Context& ctx, Request& req);
Response HazardPage(WebApp::Context& ctx, Request& req);
// A stored exercise scenario's footprint ("geojson" or "svg") with the exercise's places, read
// as the caller may read it.
Response HazardScenarioFootprint(WebApp::Context& ctx, Request& req, const std::string& format);
// An exercise's places from a CSV file (the body, or the "file" part of a form): the API
// answers {"created", "places"}, the page goes back to the exercise (with the error, if any).
Response ApiPlacesImport(WebApp::Context& ctx, Request& req);
Response PlacesImportSubmit(WebApp::Context& ctx, Request& req);

// The brief's hazard scenarios (meetings::Service::Brief's "hazard_scenarios") each get a
// "footprint": the words of their zones (with people when `population` is given) and places
// per zone in `lang`, and the map (SVG).
void AddHazardFootprints(nlohmann::json& brief, const i18n::Catalogs& catalogs,
                         const std::string& lang,
                         const hazard::PopulationGrid* population = nullptr);

// The places of an exercise as the request's caller may read them.
Result<std::vector<hazard::NamedPlace>> ExercisePlaces(WebApp::Context& ctx, const Request& req,
                                                       const std::string& activity_id);
// A scenario's section on its exercise's page: map, zones (with people when a population grid
// is loaded), places per zone with distance and arrival, the dense-gas warning.
nlohmann::json HazardScenarioSection(WebApp::Context& ctx, const Request& req,
                                     const hazard::Model& model,
                                     const std::vector<hazard::NamedPlace>& places);

}  // namespace cbrnhub::http
