// The substance table: parsing the shipped JSON, choosing thresholds in ALOHA's order, units.
#include <cmath>
#include <nlohmann/json.hpp>

#include "assets/assets.h"
#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

using Json = nlohmann::json;

constexpr double kGasConstant = 8.314462618;  // J/(mol K)
constexpr double kZeroCelsiusK = 273.15;

// The index of the 60-minute value, used for ERPG and TEEL (60-minute values only) and for
// durations that are not in the AEGL table.
constexpr int kSixtyMinuteSlot = 2;

Status EntryError(size_t index, const std::string& field, const std::string& message) {
  return Status::Invalid("substances[" + std::to_string(index) + "]." + field, message);
}

Result<double> PositiveNumber(const Json& entry, size_t index, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_number()) return EntryError(index, key, "a number is required");
  double value = it->get<double>();
  if (!std::isfinite(value) || value <= 0) return EntryError(index, key, "must be positive");
  return value;
}

// {"1": [five values or null], "2": ..., "3": ...}; ERPG/TEEL may give one value per level.
Result<ThresholdSet> ParseThresholds(const Json& set, ThresholdFamily family, size_t index,
                                     const std::string& field) {
  if (!set.is_object()) return EntryError(index, field, "an object of levels is required");
  ThresholdSet out;
  out.family = family;
  for (int level = 1; level <= 3; ++level) {
    auto it = set.find(std::to_string(level));
    if (it == set.end() || it->is_null()) continue;
    std::string level_field = field + "." + std::to_string(level);
    auto store = [&](int slot, const Json& v) -> Status {
      if (v.is_null()) return Status::Ok();
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0)
        return EntryError(index, level_field, "each value must be a positive number or null");
      out.ppm[level - 1][slot] = v.get<double>();
      return Status::Ok();
    };
    if (it->is_number()) {
      for (size_t slot = 0; slot < kAeglDurationsMin.size(); ++slot)
        CBRN_RETURN_IF_ERROR(store(static_cast<int>(slot), *it));
    } else if (it->is_array() && it->size() == kAeglDurationsMin.size()) {
      for (size_t slot = 0; slot < kAeglDurationsMin.size(); ++slot)
        CBRN_RETURN_IF_ERROR(store(static_cast<int>(slot), (*it)[slot]));
    } else {
      return EntryError(index, level_field,
                        "one value or one per duration (10, 30, 60, 240, 480 min)");
    }
  }
  return out;
}

}  // namespace

const Substance* SubstanceTable::Find(std::string_view id) const {
  for (const auto& s : substances)
    if (s.id == id) return &s;
  return nullptr;
}

Result<SubstanceTable> ParseSubstanceTable(std::string_view json_text) {
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Invalid("", "the substance table is not a JSON object");
  SubstanceTable table;
  if (!doc.contains("source") || !doc["source"].is_string() || !doc.contains("revision") ||
      !doc["revision"].is_string())
    return Status::Invalid("source", "the table must name its source and revision");
  table.source = doc["source"].get<std::string>();
  table.revision = doc["revision"].get<std::string>();
  if (!doc.contains("substances") || !doc["substances"].is_array())
    return Status::Invalid("substances", "a list of substances is required");
  const Json& list = doc["substances"];
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    if (!entry.is_object()) return EntryError(i, "", "each substance is an object");
    Substance s;
    for (auto [key, target] : {std::pair{"id", &s.id}, {"name", &s.name}, {"cas", &s.cas}}) {
      if (!entry.contains(key) || !entry[key].is_string() || entry[key].get<std::string>().empty())
        return EntryError(i, key, "text is required");
      *target = entry[key].get<std::string>();
    }
    if (table.Find(s.id)) return EntryError(i, "id", "appears twice");
    CBRN_ASSIGN_OR_RETURN(s.molecular_weight_g_mol,
                          PositiveNumber(entry, i, "molecular_weight_g_mol"));
    CBRN_ASSIGN_OR_RETURN(s.vapour_pressure_pa_20c,
                          PositiveNumber(entry, i, "vapour_pressure_pa_20c"));
    auto bp = entry.find("boiling_point_c");
    if (bp == entry.end() || !bp->is_number() || !std::isfinite(bp->get<double>()) ||
        bp->get<double>() <= -kZeroCelsiusK)
      return EntryError(i, "boiling_point_c", "a temperature above absolute zero is required");
    s.boiling_point_k = bp->get<double>() + kZeroCelsiusK;
    const std::pair<const char*, ThresholdFamily> families[] = {{"aegl", ThresholdFamily::kAegl},
                                                                {"erpg", ThresholdFamily::kErpg},
                                                                {"teel", ThresholdFamily::kTeel}};
    for (const auto& [key, family] : families) {
      if (!entry.contains(key)) continue;
      CBRN_ASSIGN_OR_RETURN(ThresholdSet set, ParseThresholds(entry[key], family, i, key));
      if (family == ThresholdFamily::kAegl) s.aegl = set;
      if (family == ThresholdFamily::kErpg) s.erpg = set;
      if (family == ThresholdFamily::kTeel) s.teel = set;
    }
    if (!s.aegl && !s.erpg && !s.teel)
      return EntryError(i, "aegl", "at least one of aegl, erpg, teel is required");
    table.substances.push_back(std::move(s));
  }
  return table;
}

const SubstanceTable& ShippedSubstances() {
  // Parsed once; the shipped file is checked by the tests, so a failure here is a build error.
  static const SubstanceTable table = [] {
    auto text = assets::Find("data/hazard/substances.json");
    auto parsed = ParseSubstanceTable(text ? *text : std::string_view());
    return parsed.ok() ? std::move(parsed).value() : SubstanceTable{};
  }();
  return table;
}

double PpmToMgM3(double ppm, double mw_g_mol, double temperature_k, double pressure_pa) {
  // ppm is a volume fraction x 1e6; n/V = P/(RT) mol/m3, so mg/m3 = ppm 1e-6 P/(RT) mw 1e3.
  return ppm * 1e-3 * mw_g_mol * pressure_pa / (kGasConstant * temperature_k);
}

double MgM3ToPpm(double mg_m3, double mw_g_mol, double temperature_k, double pressure_pa) {
  return mg_m3 / (1e-3 * mw_g_mol * pressure_pa / (kGasConstant * temperature_k));
}

std::vector<ZoneThreshold> ChooseThresholds(const Substance& substance, int exposure_min,
                                            double temperature_k, double pressure_pa) {
  int slot = kSixtyMinuteSlot;
  for (size_t i = 0; i < kAeglDurationsMin.size(); ++i)
    if (kAeglDurationsMin[i] == exposure_min) slot = static_cast<int>(i);
  std::vector<ZoneThreshold> out;
  for (int level = 3; level >= 1; --level) {
    // ALOHA's order: AEGL, else ERPG, else TEEL; per level, so a missing AEGL-1 falls back.
    for (const auto* set : {&substance.aegl, &substance.erpg, &substance.teel}) {
      if (!*set) continue;
      bool aegl = (*set)->family == ThresholdFamily::kAegl;
      int used_slot = aegl ? slot : kSixtyMinuteSlot;
      const auto& value = (*set)->ppm[level - 1][used_slot];
      if (!value) continue;
      ZoneThreshold t;
      t.level = level;
      t.family = (*set)->family;
      t.duration_min = kAeglDurationsMin[used_slot];
      t.ppm = *value;
      t.mg_m3 = PpmToMgM3(*value, substance.molecular_weight_g_mol, temperature_k, pressure_pa);
      out.push_back(t);
      break;
    }
  }
  return out;
}

}  // namespace cbrnhub::hazard
