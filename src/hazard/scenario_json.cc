// The JSON form of a scenario (the API's request body, stored releases, the fuzz target).
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

using Json = nlohmann::json;
constexpr double kZeroCelsiusK = 273.15;

// Reads the members of one JSON object, refusing keys it was not asked for.
class Fields {
 public:
  Fields(const Json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

  Status Number(const char* key, double& out) {
    const Json* v = Take(key);
    if (!v) return Status::Ok();
    if (!v->is_number()) return Status::Invalid(prefix_ + key, "a number is required").Says("hazard.invalid.number");
    out = v->get<double>();
    return Status::Ok();
  }
  Status Number(const char* key, std::optional<double>& out) {
    double value = 0;
    bool present = object_.contains(key) && !object_[key].is_null();
    CBRN_RETURN_IF_ERROR(Number(key, value));
    if (present) out = value;
    return Status::Ok();
  }
  Status Integer(const char* key, int& out) {
    const Json* v = Take(key);
    if (!v) return Status::Ok();
    if (!v->is_number_integer() || v->get<std::int64_t>() < -1000000 ||
        v->get<std::int64_t>() > 1000000)
      return Status::Invalid(prefix_ + key, "a whole number is required").Says("hazard.invalid.whole_number");
    out = static_cast<int>(v->get<std::int64_t>());
    return Status::Ok();
  }
  Status Boolean(const char* key, bool& out) {
    const Json* v = Take(key);
    if (!v) return Status::Ok();
    if (!v->is_boolean()) return Status::Invalid(prefix_ + key, "true or false is required").Says("hazard.invalid.boolean");
    out = v->get<bool>();
    return Status::Ok();
  }
  // `out` is set to the index of the value in `choices`.
  template <typename E>
  Status Choice(const char* key, std::initializer_list<const char*> choices, E& out) {
    const Json* v = Take(key);
    if (!v) return Status::Ok();
    std::string allowed, values;
    int index = 0;
    for (const char* c : choices) {
      if (v->is_string() && v->get<std::string>() == c) {
        out = static_cast<E>(index);
        return Status::Ok();
      }
      allowed += (index++ ? ", " : "") + std::string(c);
      values += (values.empty() ? "" : "\n") + std::string(c);
    }
    return Status::Invalid(prefix_ + key, "one of " + allowed + " is required")
        .Says("hazard.invalid.choice", {{"values", values}});
  }
  Status Text(const char* key, std::string& out) {
    const Json* v = Take(key);
    if (!v) return Status::Ok();
    if (!v->is_string()) return Status::Invalid(prefix_ + key, "text is required").Says("hazard.invalid.text");
    out = v->get<std::string>();
    return Status::Ok();
  }
  // The nested object at `key` (an empty one when absent).
  Result<Json> Object(const char* key) {
    const Json* v = Take(key);
    if (!v) return Json::object();
    if (!v->is_object()) return Status::Invalid(prefix_ + key, "an object is required").Says("hazard.invalid.object");
    return *v;
  }
  // InvalidArgument for the first key nobody asked for: a misspelt field must not be ignored.
  Status NoOthers() const {
    for (const auto& [key, value] : object_.items())
      if (!taken_.count(key)) return Status::Invalid(prefix_ + key, "unknown field").Says("hazard.invalid.unknown_field");
    return Status::Ok();
  }

 private:
  const Json* Take(const char* key) {
    taken_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  const Json& object_;
  std::string prefix_;
  std::set<std::string> taken_;
};

}  // namespace

Result<Scenario> ScenarioFromJson(std::string_view json_text) {
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Invalid("", "the release is not a JSON object").Says("hazard.invalid.object");
  Scenario s;
  Fields top(doc, "");
  CBRN_RETURN_IF_ERROR(top.Text("substance", s.substance_id));
  if (s.substance_id.empty()) return Status::Invalid("substance", "a substance is required").Says("hazard.invalid.required");

  CBRN_ASSIGN_OR_RETURN(Json source, top.Object("source"));
  Fields src(source, "release.");
  Release& r = s.release;
  CBRN_RETURN_IF_ERROR(src.Choice("kind", {"continuous", "instantaneous", "puddle"}, r.kind));
  CBRN_RETURN_IF_ERROR(src.Number("rate_kg_s", r.rate_kg_s));
  CBRN_RETURN_IF_ERROR(src.Number("duration_s", r.duration_s));
  CBRN_RETURN_IF_ERROR(src.Number("mass_kg", r.mass_kg));
  CBRN_RETURN_IF_ERROR(src.Number("area_m2", r.puddle_area_m2));
  CBRN_RETURN_IF_ERROR(src.Number("height_m", r.height_m));
  CBRN_RETURN_IF_ERROR(src.NoOthers());

  CBRN_ASSIGN_OR_RETURN(Json location, top.Object("location"));
  Fields loc(location, "");
  s.latitude = s.longitude = NAN;  // required: absent stays invalid
  CBRN_RETURN_IF_ERROR(loc.Number("lat", s.latitude));
  CBRN_RETURN_IF_ERROR(loc.Number("lon", s.longitude));
  CBRN_RETURN_IF_ERROR(loc.NoOthers());
  if (std::isnan(s.latitude)) return Status::Invalid("latitude", "the latitude is required").Says("hazard.invalid.required");
  if (std::isnan(s.longitude)) return Status::Invalid("longitude", "the longitude is required").Says("hazard.invalid.required");

  CBRN_ASSIGN_OR_RETURN(Json met_json, top.Object("met"));
  Fields met(met_json, "met.");
  Meteorology& m = s.met;
  CBRN_RETURN_IF_ERROR(met.Number("wind_speed_m_s", m.wind_speed_m_s));
  CBRN_RETURN_IF_ERROR(met.Number("wind_from_deg", m.wind_from_deg));
  CBRN_RETURN_IF_ERROR(met.Number("wind_height_m", m.wind_height_m));
  std::string cls;
  CBRN_RETURN_IF_ERROR(met.Text("class", cls));
  if (!cls.empty()) {
    auto index = ParseStabilityClass(cls);
    if (!index.ok())
      return Status::Invalid("met.class", index.status().message()).Says(index.status().message_key());
    m.stability = *index;
  }
  CBRN_RETURN_IF_ERROR(met.Number("monin_obukhov_length_m", m.monin_obukhov_length_m));
  CBRN_RETURN_IF_ERROR(met.Boolean("daytime", m.daytime));
  CBRN_RETURN_IF_ERROR(met.Choice("insolation", {"strong", "moderate", "slight"}, m.insolation));
  CBRN_RETURN_IF_ERROR(met.Integer("cloud_oktas", m.cloud_oktas));
  double celsius = m.temperature_k - kZeroCelsiusK, hpa = m.pressure_pa / 100;
  CBRN_RETURN_IF_ERROR(met.Number("temperature_c", celsius));
  CBRN_RETURN_IF_ERROR(met.Number("pressure_hpa", hpa));
  m.temperature_k = celsius + kZeroCelsiusK;
  m.pressure_pa = hpa * 100;
  CBRN_RETURN_IF_ERROR(met.Number("mixing_height_m", m.mixing_height_m));
  CBRN_RETURN_IF_ERROR(met.Number("sigma_theta_deg", m.sigma_theta_deg));
  CBRN_RETURN_IF_ERROR(met.NoOthers());

  CBRN_RETURN_IF_ERROR(top.Choice("terrain", {"rural", "urban"}, s.terrain));
  CBRN_RETURN_IF_ERROR(top.Number("averaging_time_s", s.averaging_time_s));
  CBRN_RETURN_IF_ERROR(top.Integer("exposure_min", s.exposure_min));
  CBRN_RETURN_IF_ERROR(top.Number("receptor_height_m", s.receptor_height_m));
  CBRN_RETURN_IF_ERROR(top.Number("roughness_m", s.roughness_m));
  CBRN_RETURN_IF_ERROR(top.NoOthers());
  return s;
}

}  // namespace cbrnhub::hazard
