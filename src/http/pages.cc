// Server-rendered HTML pages. They work without JavaScript and stay small for slow links.
#include <cctype>

#include "assets/assets.h"
#include "http/handlers.h"
#include "network/network.h"

namespace cbrnhub::http {
namespace {

// Names stored in the database are English; other languages take region names from the message
// catalogue and country names from ICU, falling back to the stored name.
std::string RegionName(const Ctx& ctx, const Request& req, const Json& region) {
  std::string stored = region["name"].get<std::string>();
  if (req.lang == i18n::kDefaultLanguage) return stored;
  std::string key = "region." + region["code"].get<std::string>() + ".name";
  const std::string& t = ctx.catalogs.Translate(req.lang, key);
  return t == key ? stored : t;
}

std::string CountryName(const Request& req, const std::string& iso2, const std::string& stored) {
  if (req.lang == i18n::kDefaultLanguage) return stored;
  return i18n::CountryName(iso2, req.lang, stored);
}

std::string ChoiceLabel(const Ctx& ctx, const Request& req, const Json& value) {
  if (!value.is_string()) return "";
  return Translate(ctx, req, "choice." + value.get<std::string>());
}

void LabelPeople(const Ctx& ctx, const Request& req, Json& people) {
  for (auto& p : people) p["network_role_label"] = ChoiceLabel(ctx, req, p["network_role"]);
}

Json Crumb(const std::string& label, const std::string& href) {
  return {{"label", label}, {"href", href}};
}

}  // namespace

Response HomePage(Ctx& ctx, Request& req) {
  auto view = network::NetworkOverview(ctx.store, CallerOf(req));
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  for (auto& r : data["regions"]) {
    r["display_name"] = RegionName(ctx, req, r);
    std::string iso2 = r["secretariat_country"].get<std::string>();
    r["secretariat_country_name"] = i18n::CountryName(iso2, req.lang, iso2);
  }
  data["regions_count"] = data["regions"].size();
  std::vector<std::string> codes;
  for (const auto& r : data["regions"]) codes.push_back(r["code"].get<std::string>());
  data["map"] = ScoreMap(ctx, req, codes, "", Translate(ctx, req, "assessment.network_map"));
  data["legend"] = ScoreLegend(ctx, req);
  return RenderPage(ctx, req, 200, "home", data, Translate(ctx, req, "home.title"));
}

Response RegionPage(Ctx& ctx, Request& req) {
  auto view = network::RegionOverview(ctx.store, CallerOf(req), req.Param("code"));
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  Json& region = data["region"];
  region["display_name"] = RegionName(ctx, req, region);
  std::string iso2 = region["secretariat_country"].get<std::string>();
  region["secretariat_country_name"] = i18n::CountryName(iso2, req.lang, iso2);
  for (auto& c : data["countries"]) {
    c["display_name"] = CountryName(req, c["iso2"].get<std::string>(), c["name"].get<std::string>());
    c["membership_status_label"] = ChoiceLabel(ctx, req, c["membership_status"]);
  }
  std::sort(data["countries"].begin(), data["countries"].end(),
            [](const Json& a, const Json& b) { return a["display_name"] < b["display_name"]; });
  LabelPeople(ctx, req, data["secretariat_staff"]);
  data["map"] = ScoreMap(ctx, req, {region["code"].get<std::string>()}, "",
                         region["display_name"].get<std::string>() + ": " +
                             Translate(ctx, req, "assessment.overall_score"));
  data["legend"] = ScoreLegend(ctx, req);
  data["page"]["breadcrumbs"] = Json::array({Crumb(Translate(ctx, req, "nav.network"), "/")});
  return RenderPage(ctx, req, 200, "region", data, region["display_name"]);
}

Response CountriesPage(Ctx& ctx, Request& req) {
  records::ListQuery all;
  all.limit = 500;
  auto countries = ctx.store.List(CallerOf(req), network::kCountries, all);
  if (!countries.ok()) return ErrorFor(ctx, req, countries.status());
  auto memberships = ctx.store.List(CallerOf(req), network::kMemberships, all);
  if (!memberships.ok()) return ErrorFor(ctx, req, memberships.status());
  auto regions = ctx.store.List(CallerOf(req), network::kRegions, all);
  if (!regions.ok()) return ErrorFor(ctx, req, regions.status());
  std::map<std::string, std::string> region_code;
  for (const auto& r : regions->items) region_code[r["id"].get<std::string>()] = r["code"].get<std::string>();
  std::string q = req.Query("q");
  std::string q_lower = q;
  for (auto& c : q_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Json list = Json::array();
  for (auto c : countries->items) {
    c["display_name"] = CountryName(req, c["iso2"].get<std::string>(), c["name"].get<std::string>());
    if (!q.empty()) {
      // Match the code, the stored name or the name shown in the user's language.
      std::string hay = c["iso2"].get<std::string>() + " " + c["name"].get<std::string>() + " " +
                        c["display_name"].get<std::string>();
      for (auto& ch : hay) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (hay.find(q_lower) == std::string::npos) continue;
    }
    Json member_of = Json::array();
    for (const auto& m : memberships->items) {
      if (m["country_id"] != c["id"]) continue;
      member_of.push_back({{"code", region_code[m["region_id"].get<std::string>()]},
                           {"partner", m["status"] == "partner"},
                           {"status_label", ChoiceLabel(ctx, req, m["status"])}});
    }
    c["regions"] = member_of;
    list.push_back(std::move(c));
  }
  std::sort(list.begin(), list.end(),
            [](const Json& a, const Json& b) { return a["display_name"] < b["display_name"]; });
  Json data = {{"countries", list}, {"q", q}};
  return RenderPage(ctx, req, 200, "countries", data, Translate(ctx, req, "countries.title"));
}

namespace {
// An agency's areas are typed as a list ("first response, chemical"): each known area in the
// page's language, anything else as typed.
std::string AreasLabel(const i18n::Presenter& words, const std::string& areas) {
  std::string out;
  size_t pos = 0;
  while (pos <= areas.size()) {
    size_t comma = areas.find(',', pos);
    if (comma == std::string::npos) comma = areas.size();
    std::string area = areas.substr(pos, comma - pos);
    area.erase(0, area.find_first_not_of(" \t"));
    area.erase(area.find_last_not_of(" \t") + 1);
    pos = comma + 1;
    if (area.empty()) continue;
    std::string code;
    for (char c : area)
      code += c == ' ' || c == '-' ? '_'
                                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : ", ") + words.Label("area.", code);
  }
  return out;
}
}  // namespace

Response CountryPage(Ctx& ctx, Request& req) {
  auto view = network::CountryOverview(ctx.store, CallerOf(req), req.Param("iso2"));
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  Json& country = data["country"];
  country["display_name"] =
      CountryName(req, country["iso2"].get<std::string>(), country["name"].get<std::string>());
  Json crumbs = Json::array({Crumb(Translate(ctx, req, "nav.network"), "/")});
  for (auto& r : data["regions"]) {
    r["display_name"] = RegionName(ctx, req, r);
    r["membership_status_label"] = ChoiceLabel(ctx, req, r["membership_status"]);
    crumbs.push_back(Crumb(r["display_name"], "/regions/" + r["code"].get<std::string>()));
  }
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& a : data["agencies"]) {
    a["kind_label"] = ChoiceLabel(ctx, req, a["kind"]);
    a["areas_label"] = AreasLabel(words, a.value("areas", ""));
  }
  LabelPeople(ctx, req, data["focal_points"]);
  LabelPeople(ctx, req, data["team"]);
  data["page"]["breadcrumbs"] = crumbs;
  return RenderPage(ctx, req, 200, "country", data, country["display_name"]);
}

Response OrganisationsPage(Ctx& ctx, Request& req) {
  records::ListQuery all;
  all.limit = 500;
  auto orgs = ctx.store.List(CallerOf(req), network::kOrganisations, all);
  if (!orgs.ok()) return ErrorFor(ctx, req, orgs.status());
  Json list = Json::array();
  for (auto o : orgs->items) {
    o["kind_label"] = ChoiceLabel(ctx, req, o["kind"]);
    list.push_back(std::move(o));
  }
  return RenderPage(ctx, req, 200, "organisations", Json{{"organisations", list}},
                    Translate(ctx, req, "organisations.title"));
}

Response OrganisationPage(Ctx& ctx, Request& req) {
  auto view = network::OrganisationOverview(ctx.store, CallerOf(req), req.Param("id"));
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  Json& org = data["organisation"];
  org["kind_label"] = ChoiceLabel(ctx, req, org["kind"]);
  std::string iso2 = org["country_iso2"].is_string() ? org["country_iso2"].get<std::string>() : "";
  if (!iso2.empty()) org["country_name"] = i18n::CountryName(iso2, req.lang, iso2);
  LabelPeople(ctx, req, data["people"]);
  data["page"]["breadcrumbs"] =
      Json::array({Crumb(Translate(ctx, req, "nav.organisations"), "/organisations")});
  return RenderPage(ctx, req, 200, "organisation", data, org["name"]);
}

Response StaticFile(Ctx& ctx, Request& req) {
  std::string name = req.Param("file");
  auto content = assets::Find("web/static/" + name);
  if (!content || name.find("..") != std::string::npos) {
    return ErrorFor(ctx, req, Status::NotFound("no static file " + name));
  }
  Response r;
  r.body = std::string(*content);
  auto ends_with = [&](const char* ext) {
    std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  r.content_type = ends_with(".css")  ? "text/css; charset=utf-8"
                   : ends_with(".js") ? "text/javascript; charset=utf-8"
                   : ends_with(".svg") ? "image/svg+xml"
                                       : "application/octet-stream";
  // Assets change only with a new binary; the version in the ETag makes that safe to cache.
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  std::string etag = "\"" + ctx.version + "-" + std::to_string(r.body.size()) + "\"";
  r.headers.emplace_back("ETag", etag);
  if (EtagMatches(req.Header("if-none-match"), etag)) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

}  // namespace cbrnhub::http
