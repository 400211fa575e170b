#include "targets.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/config.h"
#include "assessment/assessment.h"
#include "assessment/workbook.h"
#include "backup/backup.h"
#include "core/csv.h"
#include "core/ids.h"
#include "exportctl/exportctl.h"
#include "hazard/hazard.h"
#include "http/http.h"
#include "i18n/i18n.h"
#include "meetings/meetings.h"
#include "network/network.h"
#include "plans/plans.h"
#include "records/records.h"
#include "risk/risk.h"
#include "sanctions/sanctions.h"
#include "storage/storage.h"

namespace cbrnhub::fuzz {
namespace {

// A seeded SQLite database in a private temporary folder, made once per process.
struct Fixture {
  std::string dir;
  std::unique_ptr<storage::Database> db;
  records::Catalog catalog;
  std::unique_ptr<records::Store> store;

  explicit Fixture(const char* name) {
    dir = (std::filesystem::temp_directory_path() /
           ("cbrnhub-fuzz-" + std::string(name) + "-" + std::to_string(getpid())))
              .string();
    std::filesystem::create_directories(dir);
    db = std::move(storage::Open("sqlite:" + dir + "/fuzz.db", 2)).value();
    (void)storage::Migrate(*db);
    network::RegisterKinds(catalog);
    exportctl::RegisterKinds(catalog);
    assessment::RegisterKinds(catalog);
    plans::RegisterKinds(catalog);
    risk::RegisterKinds(catalog);
    meetings::RegisterKinds(catalog);
    store = std::make_unique<records::Store>(*db, catalog);
    (void)network::SeedReference(*store, {access::Principal::System("fuzz"), ""});
  }
  ~Fixture() {
    store.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

std::string Text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace

int JsonBody(const std::uint8_t* data, std::size_t size) {
  static Fixture f("json");
  if (size == 0) return 0;
  const auto& kinds = f.catalog.kinds();
  const auto& kind = kinds[data[0] % kinds.size()];
  bool update = (data[0] / kinds.size()) % 2 == 1;
  auto body = records::ParseJson(Text(data + 1, size - 1));
  if (!body.ok()) return 0;
  auto txn = f.db->Begin(storage::Access::kWrite);
  if (!txn.ok()) return 0;
  records::Caller caller{access::Principal::System("fuzz"), ""};
  if (update) {
    // Any existing record of the kind (reference data covers regions, countries, memberships).
    auto page = f.store->ListIn(**txn, caller, kind, records::ListQuery{});
    if (page.ok() && !page->items.empty()) {
      (void)f.store->UpdateIn(**txn, caller, kind, page->items[0]["id"], *body, data[0] % 3 == 0);
    }
  } else {
    (void)f.store->CreateIn(**txn, caller, kind, *body);
  }
  return 0;  // the transaction is rolled back here: the database stays as seeded
}

int Csv(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  (void)ParseCsv(text, "fuzz.csv");
  auto table = CsvTable::Parse(text, "fuzz.csv", {"id", "name"});
  if (table.ok()) {
    for (size_t i = 0; i < table->size(); ++i) (void)table->Get(i, "name");
  }
  return 0;
}

int Config(const std::uint8_t* data, std::size_t size) {
  app::Config config;
  (void)app::LoadConfigText(config, Text(data, size), "fuzz.conf");
  return 0;
}

int Backup(const std::uint8_t* data, std::size_t size) {
  static Fixture f("backup");
  std::string path = f.dir + "/input.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)backup::Restore(*f.db, path);
  return 0;
}

int Query(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  std::multimap<std::string, std::string> out;
  http::ParseQuery(text, out);
  (void)http::PercentDecode(text, true);
  http::Request req;
  req.headers["cookie"] = text;
  (void)req.Cookie("cbrnhub_session");
  static i18n::Catalogs catalogs = [] {
    i18n::Catalogs c;
    (void)c.Load();
    return c;
  }();
  (void)catalogs.Negotiate("", "", text);
  return 0;
}

int UnXml(const std::uint8_t* data, std::size_t size) {
  auto list = sanctions::ParseUnXml(Text(data, size), "fuzz.xml");
  if (list.ok()) {
    // Every entity must survive the way it is stored (JSON text) and read back.
    for (const auto& e : list->entities) (void)sanctions::Entity::FromJson(nlohmann::json::parse(e.ToJson().dump()));
  }
  return 0;
}

int EuXml(const std::uint8_t* data, std::size_t size) {
  auto list = sanctions::ParseEuXml(Text(data, size), "fuzz.xml");
  if (list.ok()) {
    for (const auto& e : list->entities) (void)sanctions::Entity::FromJson(nlohmann::json::parse(e.ToJson().dump()));
  }
  return 0;
}

int OfacCsv(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  std::string parts[3];
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    size_t end = i < 2 ? text.find('\x1e', at) : std::string::npos;
    parts[i] = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  (void)sanctions::ParseOfacCsv(parts[0], parts[1], parts[2], "fuzz");
  return 0;
}

int ListCsv(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  auto list = sanctions::ParseListCsv(text, "fuzz.csv");
  auto parties = exportctl::ParsePartiesCsv(text, "fuzz.csv");
  if (list.ok() && parties.ok()) {
    sanctions::Index index({{"fuzz", std::make_shared<sanctions::ListFile>(std::move(*list))}});
    for (const auto& p : *parties) (void)index.Screen(p);
  } else if (parties.ok() && !parties->empty()) {
    // Party names against a fixed small list: exercises normalisation on arbitrary names.
    static const auto fixed = std::make_shared<sanctions::ListFile>(
        sanctions::ParseListCsv("id,name,aliases\n1,Ivan Petrov,Иван Петров\n2,Abd al-Rahman al-Anizi,\n", "f").value());
    static const sanctions::Index index({{"fixed", fixed}});
    for (const auto& p : *parties) (void)index.Screen(p);
  }
  return 0;
}

int Multipart(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  // The first line is the Content-Type header's value, the rest the body.
  size_t nl = text.find('\n');
  if (nl == std::string::npos) return 0;
  (void)http::ParseMultipart(text.substr(0, nl), text.substr(nl + 1));
  return 0;
}

namespace {
const char* kFuzzDefinition = R"(code: f
version: "1"
title: F
level_sets: {l: [a, b, c, d, e]}
sections:
  - id: A
    title: A
    domain: chemical
    function: prevention
    questions:
      - {id: M1, type: maturity, text: m, levels: l}
      - {id: Y1, type: yes_partial_no, text: y}
      - {id: N1, type: number, text: n, min: 0, max: 10, target: 5, show_if: {question: Y1, equals: yes}}
      - {id: P1, type: presence, text: p}
      - {id: C1, type: multiple_choice, text: c, options: [{value: a, label: A, score: 0.5}, {value: b, label: B, score: 0.5}]}
)";
}  // namespace

int Definition(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  // Strict (UTF-8, keys, duplicates, finite numbers, conditions) and as a stored version.
  auto def = assessment::ParseDefinition(text, "fuzz.yaml");
  auto stored =
      assessment::ParseDefinition(text, "fuzz.yaml", nullptr, assessment::Strictness::kStored);
  // Whatever the strict reading accepts, the stored one does too.
  if (def.ok() && !stored.ok()) std::abort();
  static const auto fixed = assessment::ParseDefinition(kFuzzDefinition, "fixed").value();
  (void)assessment::ParseMapping(text, "fuzz.yaml", fixed, fixed);
  for (const auto* d : {def.ok() ? &*def : nullptr, stored.ok() ? &*stored : nullptr}) {
    if (!d) continue;
    (void)assessment::MissingTranslations(*d, "fuzz.yaml");
    // Score an empty and a partial answer set: conditions and weights of any shape.
    (void)assessment::Score(*d, {}, "en");
    std::map<std::string, nlohmann::json> answers;
    const nlohmann::json tries[] = {
        {{"value", "yes"}, {"levels", {1, 2}}},      {{"levels", {1, 2, 4}}},
        {{"status", "in_place"}, {"reference", ""}}, {{"value", 1e300}},
        {{"values", nlohmann::json::array()}},       {{"value", " a\r\n"}}};
    for (const auto& q : d->questions) {
      for (const auto& v : tries) {
        // A valid answer's canonical form is valid and canonical.
        if (!assessment::ValidateAnswer(q, v).ok()) continue;
        nlohmann::json canonical = assessment::CanonicalAnswer(q, v);
        if (!assessment::ValidateAnswer(q, canonical).ok() ||
            assessment::CanonicalAnswer(q, canonical) != canonical) {
          std::abort();
        }
        answers[q.id] = canonical;
      }
    }
    (void)assessment::Score(*d, answers, "ru");
  }
  return 0;
}

int Workbook(const std::uint8_t* data, std::size_t size) {
  static const auto def = assessment::ParseDefinition(kFuzzDefinition, "fixed").value();
  // Labels that differ from the stored values, as the catalogue gives them.
  static const assessment::Words words = [](const std::string& lang, const std::string& key) { return lang + ":" + key; };
  (void)assessment::ReadWorkbook(def, Text(data, size), words);
  return 0;
}

// The plan every fuzzed workbook is read against (seeds in fuzz/corpus/plan_workbook name it).
constexpr const char* kFuzzPlanId = "00000000-0000-4000-8000-00000000f022";

int PlanWorkbook(const std::uint8_t* data, std::size_t size) {
  static Fixture f("plan_workbook");
  static assessment::Service assessments(*f.store);
  static plans::Service service(*f.store, assessments);
  static bool ready = [] {
    auto txn = f.db->Begin(storage::Access::kWrite);
    if (!txn.ok()) return false;
    const std::string now = NowUtc();
    (void)(*txn)->Exec("INSERT INTO action_plans (id, owner_scope, created_at, created_by, updated_at, updated_by, country,"
                       " title) VALUES (?, 'country:UZ', ?, 'fuzz', ?, 'fuzz', 'UZ', 'Fuzz plan')",
                       {std::string(kFuzzPlanId), now, now});
    records::Caller system{access::Principal::System("fuzz"), ""};
    for (const char* title : {"First action", "Second action"}) {
      (void)f.store->CreateIn(**txn, system, *f.catalog.Find(plans::kActions),
                              records::Json{{"plan_id", kFuzzPlanId}, {"title", title}, {"start_date", "2026-01-01"},
                                            {"end_date", "2027-01-01"}, {"budget", 10}, {"currency", "EUR"}});
    }
    return (*txn)->Commit().ok();
  }();
  if (!ready) return 0;
  static int runs = 0;
  records::Caller system{access::Principal::System("fuzz"), ""};
  auto words = [](const std::string&, const std::string& key) { return key; };
  (void)service.PreviewPlanImport(system, kFuzzPlanId, Text(data, size), words);
  if (++runs % 500 == 0) {
    // Previews are kept for Apply: keep the fuzzing database small.
    if (auto txn = f.db->Begin(storage::Access::kWrite); txn.ok()) {
      (void)(*txn)->Exec("DELETE FROM plan_imports");
      (void)(*txn)->Commit();
    }
  }
  return 0;
}

int RiskMethod(const std::uint8_t* data, std::size_t size) {
  auto method = risk::ParseMethod(Text(data, size), "fuzz.yaml");
  if (!method.ok()) return 0;
  // Whatever a method accepts, its matrix covers every cell and every rating maps into it.
  for (size_t l = 1; l <= method->likelihood.size(); ++l) {
    for (size_t i = 1; i <= method->impact_levels.size(); ++i) (void)method->BandAt(static_cast<int>(l), static_cast<int>(i));
  }
  const nlohmann::json tries[] = {{{"level", 1}}, {{"probability", 0.5}}, {{"level", 99}}, {{"value", 1e300}}, {{"value", 3}, {"level", 2}}};
  for (const auto& t : tries) {
    nlohmann::json impacts = nlohmann::json::object();
    for (const auto& c : method->criteria) impacts[c.id] = t;
    auto checked = risk::CheckRatings(*method, t, impacts);
    if (!checked.ok()) continue;
    // A checked rating is stored as it is: checking it again changes nothing.
    auto again = risk::CheckRatings(*method, (*checked)["likelihood"], (*checked)["impacts"]);
    if (!again.ok() || *again != *checked) std::abort();
    risk::Rating r = risk::Rate(*method, (*checked)["likelihood"], (*checked)["impacts"]);
    if (r.band >= static_cast<int>(method->bands.size())) std::abort();
  }
  return 0;
}

// The register every fuzzed register workbook is read against (seeds in
// fuzz/corpus/risk_workbook name it).
constexpr const char* kFuzzRegisterId = "00000000-0000-4000-8000-00000000f018";

int RiskWorkbook(const std::uint8_t* data, std::size_t size) {
  static Fixture f("risk_workbook");
  static assessment::Service assessments(*f.store);
  static risk::Service service(*f.store, assessments);
  static bool ready = [] {
    records::Caller system{access::Principal::System("fuzz"), ""};
    if (!service.SeedSamples(system).ok()) return false;
    auto method = service.MethodOf("eu-rmg@2010");
    auto txn = f.db->Begin(storage::Access::kWrite);
    if (!txn.ok() || !method.ok()) return false;
    auto id = (*txn)->Query("SELECT id FROM risk_methods");
    if (!id.ok() || id->empty()) return false;
    const std::string now = NowUtc();
    (void)(*txn)->Exec("INSERT INTO risk_registers (id, owner_scope, created_at, created_by, updated_at, updated_by, country,"
                       " title, method_id) VALUES (?, 'country:UZ', ?, 'fuzz', ?, 'fuzz', 'UZ', 'Fuzz register', ?)",
                       {std::string(kFuzzRegisterId), now, now, (*id)[0].Text(0)});
    (void)f.store->CreateIn(**txn, system, *f.catalog.Find(risk::kScenarios),
                            records::Json{{"register_id", kFuzzRegisterId}, {"title", "Chlorine"}, {"hazard", "chemical"},
                                          {"origin", "accidental"}});
    return (*txn)->Commit().ok();
  }();
  if (!ready) return 0;
  static int runs = 0;
  records::Caller system{access::Principal::System("fuzz"), ""};
  auto words = [](const std::string&, const std::string& key) { return key; };
  (void)service.PreviewImport(system, kFuzzRegisterId, Text(data, size), words);
  if (++runs % 500 == 0) {
    if (auto txn = f.db->Begin(storage::Access::kWrite); txn.ok()) {
      (void)(*txn)->Exec("DELETE FROM risk_imports");
      (void)(*txn)->Commit();
    }
  }
  return 0;
}

int Markdown(const std::uint8_t* data, std::size_t size) {
  std::string html = http::MarkdownHtml(Text(data, size));
  // Safe rendering: raw HTML is dropped, so no tag the input wrote survives.
  for (const char* tag : {"<script", "<SCRIPT", "<iframe", "<img src=x"}) {
    if (html.find(tag) != std::string::npos) std::abort();
  }
  return 0;
}

int ICal(const std::uint8_t* data, std::size_t size) {
  std::string text = Text(data, size);
  size_t third = text.size() / 3;
  meetings::Event e{text.substr(0, third), "activity", "training", text.substr(third, third), "2026-01-01", "2026-01-02",
                    text.substr(2 * third), "held", text.substr(0, 24)};
  std::string ics = meetings::ICalendar({e, e}, text.substr(third), text.substr(0, 24));
  for (size_t pos = 0; pos < ics.size();) {
    size_t end = ics.find("\r\n", pos);
    if (end == std::string::npos || end - pos > 75) std::abort();
    if (ics.find('\n', pos) < end || ics.find('\r', pos) < end) std::abort();  // a bare CR or LF inside a line
    pos = end + 2;
  }
  return 0;
}

int HazardRelease(const std::uint8_t* data, std::size_t size) {
  auto scenario = hazard::ScenarioFromJson(Text(data, size));
  if (!scenario.ok()) return 0;
  auto model = hazard::Model::Make(*scenario);
  if (!model.ok()) return 0;
  hazard::Footprint footprint = hazard::ComputeFootprint(*model, 12);
  std::string geojson = hazard::FootprintGeoJson(*model, footprint);
  // nlohmann writes a NaN or infinity as null: none may reach a map.
  if (geojson.find("null") != std::string::npos) std::abort();
  auto grid = hazard::ComputeGrid(*model, 2000, 8);
  if (!grid.ok()) std::abort();
  for (float v : grid->values)
    if (!std::isfinite(v) || v < 0) std::abort();
  return 0;
}

int PopulationGrid(const std::uint8_t* data, std::size_t size) {
  auto grid = hazard::ParsePopulationGrid(Text(data, size));
  if (!grid.ok()) {
    if (grid.status().message().rfind("line ", 0) != 0) std::abort();  // every error has its line
    return 0;
  }
  if (grid->people.size() != static_cast<size_t>(grid->columns) * grid->rows) std::abort();
  hazard::Scenario s;
  s.substance_id = "chlorine";
  s.release.rate_kg_s = 10;
  s.release.duration_s = 600;
  s.met.wind_speed_m_s = 3;
  s.met.stability = hazard::kClassD;
  s.latitude = std::clamp(grid->south + grid->rows * grid->cell_deg / 2, -89.0, 89.0);
  s.longitude = std::clamp(grid->west + grid->columns * grid->cell_deg / 2, -179.0, 179.0);
  auto model = hazard::Model::Make(s);
  if (!model.ok()) std::abort();
  hazard::PopulationByZone counted =
      hazard::CountPopulation(*model, hazard::ComputeFootprint(*model, 12), *grid);
  double sum = 0;
  for (double people : counted.people) {
    if (!std::isfinite(people) || people < 0) std::abort();
    sum += people;
  }
  if (sum > grid->total * (1 + 1e-6) + 1) std::abort();
  return 0;
}

const std::vector<NamedTarget>& AllTargets() {
  static const std::vector<NamedTarget> kTargets = {{"json_body", JsonBody},
                                                    {"csv", Csv},
                                                    {"config", Config},
                                                    {"backup", Backup},
                                                    {"query", Query},
                                                    {"un_xml", UnXml},
                                                    {"eu_xml", EuXml},
                                                    {"ofac_csv", OfacCsv},
                                                    {"list_csv", ListCsv},
                                                    {"multipart", Multipart},
                                                    {"definition", Definition},
                                                    {"workbook", Workbook},
                                                    {"plan_workbook", PlanWorkbook},
                                                    {"risk_method", RiskMethod},
                                                    {"risk_workbook", RiskWorkbook},
                                                    {"markdown", Markdown},
                                                    {"ical", ICal},
                                                    {"hazard_release", HazardRelease},
                                                    {"population_grid", PopulationGrid}};
  return kTargets;
}

}  // namespace cbrnhub::fuzz
