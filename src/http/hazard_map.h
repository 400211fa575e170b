// Hazard maps and handlers (http/hazard.cc, http/views.cc). Its own header so that the other
// handlers do not recompile when it changes; app includes it for `cbrnhub hazard --format svg`.
#pragma once

#include <string>
#include <vector>

#include "hazard/hazard.h"
#include "http/http.h"
#include "http/web.h"
#include "i18n/i18n.h"

namespace cbrnhub::http {

// The record kind of an exercise's hazard scenario (registered by meetings/kinds.cc).
inline constexpr const char* kHazardScenarioKind = "hazard_scenarios";

// A hazard scenario's map, north up, in metres around the release point: the threat zones
// (yellow under orange under red), the wind-direction confidence lines, a scale bar, optionally
// one level's ensemble probability as shaded cells, and `notice` (the planning-estimate warning)
// on every map. Every word comes translated from the caller.
struct HazardMapView {
  std::string title, notice, source_label, confidence_label, north, metres, kilometres;
  hazard::Footprint footprint;
  std::vector<std::string> zone_labels;  // one per footprint zone
  const hazard::ProbabilityGrid* probability = nullptr;
  size_t probability_level = 0;  // index into probability->probability
  std::string probability_label;
};
std::string HazardMapSvg(const HazardMapView& view);

// The map of a hazard footprint as SVG in `lang`: zones with their thresholds, the confidence
// lines, "planning estimate, not response advice"; with `probability`, the ensemble's chance of
// exceeding the lowest zone's threshold shaded under the zones (for `cbrnhub hazard` and pages).
std::string RenderHazardMap(const hazard::Model& model, const hazard::Footprint& footprint,
                            const i18n::Catalogs& catalogs, const std::string& lang,
                            const hazard::ProbabilityGrid* probability = nullptr);

// The model of a release JSON (docs/hazard.md); InvalidArgument naming the field.
Result<hazard::Model> ModelFromBody(const std::string& release_json);

// Handlers (the route table names them; Ctx is WebApp::Context).
// A release JSON in, GeoJSON/SVG/CSV out; the planning page and its GeoJSON.
Response ApiHazardFootprint(WebApp::Context& ctx, Request& req);
Response HazardFootprintGeoJson(WebApp::Context& ctx, Request& req);
Response HazardPage(WebApp::Context& ctx, Request& req);
// A stored exercise scenario's footprint ("geojson" or "svg"), read as the caller may read it.
Response HazardScenarioFootprint(WebApp::Context& ctx, Request& req, const std::string& format);

}  // namespace cbrnhub::http
