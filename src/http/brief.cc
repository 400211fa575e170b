// The brief as a document, and as printable HTML.
#include "http/brief.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "assets/assets.h"
#include "http/http.h"
#include "http/views.h"
#include "i18n/i18n.h"

namespace cbrnhub::http::brief {
namespace {

using Json = nlohmann::json;

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

// Values written for the brief's reader (ICU, as on every page).
std::string Pct(const std::string& lang, double v) { return i18n::FormatPercent(lang, v * 100); }

std::string Dash() { return "\u2014"; }

std::string Day(const std::string& lang, const std::string& iso) {
  return i18n::FormatDate(lang, iso);
}

std::string Period(const std::string& lang, const std::string& a, const std::string& b) {
  return a == b ? Day(lang, a) : Day(lang, a) + " \u2013 " + Day(lang, b);
}

// Money by currency: "120 000 €; 5 000 $US".
std::string Money(const std::string& lang, const Json& list, const char* key) {
  std::string out;
  for (const auto& m : list)
    out += (out.empty() ? "" : "; ") +
           i18n::FormatMoney(lang, static_cast<double>(Int(m, key)), Str(m, "currency"));
  return out.empty() ? Dash() : out;
}

Block Para(std::string text, Block::Kind kind = Block::Kind::kParagraph) {
  Block b;
  b.kind = kind;
  b.text = std::move(text);
  return b;
}

Block TableBlock(Table t) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.table = std::move(t);
  return b;
}

}  // namespace

Document Build(const Json& brief, const Words& tr) {
  Document doc;
  doc.lang = Str(brief, "lang");
  // The region's name in the brief's language when the catalogue has it (the reference regions).
  std::string key = "region." + Str(brief, "region") + ".name", name = tr(key);
  std::string region =
      (name == key ? Str(brief, "region_name") : name) + " (" + Str(brief, "region") + ")";
  doc.title = tr("brief.title") + ": " + region;
  doc.running =
      region + " \u00b7 " + tr("brief.meeting_date") + " " + Day(doc.lang, Str(brief, "date"));
  doc.toc_title = tr("brief.contents");
  doc.page_word = tr("brief.page");
  std::map<std::string, std::string> names;
  for (const auto& c : brief["countries"]) names[Str(c, "country")] = Str(c, "name");
  auto country = [&](const std::string& code) {
    return i18n::CountryName(code, doc.lang, names.count(code) ? names[code] : code);
  };
  std::string since =
      Str(brief, "since").empty() ? Str(brief, "activities_from") : Str(brief, "since");

  {
    Section s{"meeting", tr("brief.meeting"), {}};
    const Json& rt = brief["round_table"];
    if (rt.is_object()) {
      s.blocks.push_back(Para(Str(rt, "title") + " \u00b7 " +
                              Day(doc.lang, Str(rt, "meeting_date")) +
                              (Str(rt, "city").empty() ? "" : " \u00b7 " + Str(rt, "city"))));
    } else {
      s.blocks.push_back(Para(tr("brief.no_round_table"), Block::Kind::kNote));
    }
    const Json& prev = brief["previous_round_table"];
    s.blocks.push_back(Para(prev.is_object()
                                ? tr("brief.previous") + ": " + Str(prev, "title") + " \u00b7 " +
                                      Day(doc.lang, Str(prev, "meeting_date"))
                                : tr("brief.no_previous") + " " + Day(doc.lang, since)));
    Table t{{tr("brief.country"), tr("brief.focal_points"), tr("brief.shared")},
            {},
            {0.25, 0.5, 0.25},
            {}};
    for (const auto& c : brief["countries"]) {
      std::string fps;
      for (const auto& p : c["focal_points"]) {
        fps += (fps.empty() ? "" : "; ") + Str(p, "name") + " (" + tr("choice." + Str(p, "role")) +
               ")";
      }
      std::string shared =
          c.value("shared_nothing", false)
              ? tr("brief.nothing_shared")
              : std::string(c.value("shared_assessment", false) ? tr("brief.has_assessment") : "") +
                    (c.value("shared_assessment", false) && c.value("shared_plan", false) ? ", "
                                                                                          : "") +
                    (c.value("shared_plan", false) ? tr("brief.has_plan") : "");
      t.rows.push_back({country(Str(c, "country")) + " (" + Str(c, "country") + ")",
                        fps.empty() ? Dash() : fps, shared});
    }
    s.blocks.push_back(TableBlock(std::move(t)));
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"assessments", tr("brief.assessments"), {}};
    Table t{{tr("brief.country"), tr("brief.version"), tr("field.status"), tr("brief.date"),
             tr("brief.overall"), tr("brief.change")},
            {},
            {0.22, 0.2, 0.15, 0.15, 0.13, 0.15},
            {}};
    std::map<std::string, const Json*> rows;
    for (const auto& r : brief["assessments"]) rows[Str(r, "country")] = &r;
    for (const auto& c : brief["countries"]) {
      std::string code = Str(c, "country");
      if (!rows.count(code)) {
        t.rows.push_back({country(code), tr("brief.not_shared"), Dash(), Dash(), Dash(), Dash()});
        continue;
      }
      const Json& r = *rows[code];
      std::string change = Dash();
      if (r.contains("change") && r["change"].is_number()) {
        double d = r["change"].get<double>();
        change =
            (d > 0 ? "+" : "") + std::to_string(static_cast<int>(std::lround(d * 100))) + " pp";
      }
      t.rows.push_back({country(code),
                        Str(r, "questionnaire_title").empty() ? Str(r, "version")
                                                              : Str(r, "questionnaire_title"),
                        tr("brief.state." + Str(r, "status")),
                        Str(r, "date").empty() ? Dash() : Day(doc.lang, Str(r, "date")),
                        Pct(doc.lang, r.value("overall", 0.0)), change});
    }
    s.blocks.push_back(TableBlock(std::move(t)));
    if (!brief["assessments"].empty()) {
      s.blocks.push_back(Para(tr("brief.heat_map")));
      Table heat;
      heat.header.push_back(tr("brief.country"));
      // The questionnaire's own labels of its functions, else the catalogue's.
      for (const auto& f : brief["functions"]) {
        const Json& labels = brief.contains("labels") ? brief["labels"] : Json();
        std::string label = labels.is_object() && labels.contains("functions")
                                ? Str(labels["functions"], f.get<std::string>().c_str())
                                : "";
        heat.header.push_back(label.empty() ? tr("capability." + f.get<std::string>()) : label);
      }
      double w = 0.78 / std::max<size_t>(1, brief["functions"].size());
      heat.widths.push_back(0.22);
      for (size_t i = 0; i < brief["functions"].size(); ++i) heat.widths.push_back(w);
      for (const auto& r : brief["assessments"]) {
        std::vector<std::string> cells = {country(Str(r, "country"))};
        std::vector<double> scores = {-1};
        for (const auto& f : brief["functions"]) {
          auto it = r["by_function"].find(f.get<std::string>());
          bool has = it != r["by_function"].end() && it->is_number();
          cells.push_back(has ? Pct(doc.lang, it->get<double>()) : Dash());
          scores.push_back(has ? it->get<double>() : -1);
        }
        heat.rows.push_back(cells);
        heat.heat.push_back(scores);
      }
      s.blocks.push_back(TableBlock(std::move(heat)));
      // The region's map: each member country by its overall score, hatched when it shared none.
      std::map<std::string, double> overall;
      for (const auto& r : brief["assessments"]) overall[Str(r, "country")] = r.value("overall", 0.0);
      std::vector<MapCountry> members;
      for (const auto& c : brief["countries"]) {
        std::string code = Str(c, "country");
        bool shared = overall.count(code) > 0;
        members.push_back({code, country(code) + ": " + (shared ? Pct(doc.lang, overall[code]) : tr("assessment.not_shared")),
                           "/countries/" + code, shared ? overall[code] : -1});
      }
      Block map;
      map.kind = Block::Kind::kMap;
      map.text = tr("assessment.map") + ": " + tr("assessment.overall_score");
      map.svg = CountryMapSvg(members, map.text);
      map.map = ProjectCountries(members);
      for (const auto& shape : map.map.shapes) {
        map.fills.push_back(
            shape.country.score < 0 ? "" : ScoreBandColour(ScoreBand(shape.country.score)));
      }
      for (int band = 1; band <= kScoreBands; ++band) {
        int from = (band - 1) * 100 / kScoreBands;
        int to = band == kScoreBands ? 100 : band * 100 / kScoreBands - 1;
        map.legend.emplace_back(ScoreBandColour(band),
                                std::to_string(from) + "\u2013" + Pct(doc.lang, to / 100.0));
      }
      map.legend.emplace_back("", tr("assessment.not_shared"));
      if (!map.svg.empty()) s.blocks.push_back(std::move(map));
    }
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"plans", tr("brief.plans"), {}};
    Table t{{tr("brief.country"), tr("field.status"), tr("choice.on_track"), tr("choice.delayed"),
             tr("choice.completed"), tr("brief.overdue"), tr("brief.budget_planned"),
             tr("brief.budget_secured")},
            {},
            {0.16, 0.12, 0.1, 0.1, 0.1, 0.1, 0.16, 0.16},
            {}};
    for (const auto& p : brief["plans"]) {
      if (p["plan"].is_null()) {
        t.rows.push_back({country(Str(p, "country")), tr("brief.not_shared"), Dash(), Dash(),
                          Dash(), Dash(), Dash(), Dash()});
        continue;
      }
      const Json& sum = p["summary"];
      auto by = [&](const char* k) { return std::to_string(sum["by_status"].value(k, 0)); };
      t.rows.push_back({country(Str(p, "country")), tr("plans.state." + Str(p["plan"], "status")),
                        by("on_track"), by("delayed"), by("completed"),
                        std::to_string(Int(sum, "overdue_milestones")),
                        Money(doc.lang, sum["budget"], "planned"),
                        Money(doc.lang, sum["budget"], "secured")});
    }
    s.blocks.push_back(TableBlock(std::move(t)));
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"projects", tr("brief.projects"), {}};
    const Json& pf = brief["projects"];
    Block bars;
    bars.kind = Block::Kind::kBars;
    bars.text = tr("brief.pipeline");
    for (const auto& st : pf["pipeline"]) {
      std::string state = Str(st, "status");
      if (state == "rejected" || state == "withdrawn") continue;
      std::string money = Money(doc.lang, st["budget"], "amount");
      bars.bars.push_back(
          {tr("projects.state." + state), static_cast<double>(Int(st, "count")),
           std::to_string(Int(st, "count")) + (st["budget"].empty() ? "" : " \u00b7 " + money)});
    }
    s.blocks.push_back(std::move(bars));
    Table t{{tr("field.title"), tr("field.status"), tr("brief.budget_planned"),
             tr("brief.budget_secured")},
            {},
            {0.5, 0.16, 0.17, 0.17},
            {}};
    for (const auto& p : pf["projects"]) {
      std::string cur = Str(p, "currency");
      t.rows.push_back(
          {Str(p, "title"), tr("projects.state." + Str(p, "status")),
           cur.empty() ? Dash()
                       : i18n::FormatMoney(doc.lang, static_cast<double>(Int(p, "budget")), cur),
           cur.empty() ? Dash()
                       : i18n::FormatMoney(doc.lang, static_cast<double>(Int(p, "secured")), cur)});
    }
    if (t.rows.empty())
      s.blocks.push_back(Para(tr("brief.none"), Block::Kind::kNote));
    else
      s.blocks.push_back(TableBlock(std::move(t)));
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"activities", tr("brief.activities"), {}};
    auto events = [&](const Json& list) {
      Table t{{tr("brief.dates"), tr("field.title"), tr("field.type"), tr("brief.place"),
               tr("field.status")},
              {},
              {0.2, 0.38, 0.16, 0.14, 0.12},
              {}};
      for (const auto& e : list) {
        t.rows.push_back({Period(doc.lang, Str(e, "start"), Str(e, "end")), Str(e, "title"),
                          tr("choice." + Str(e, "type")),
                          Str(e, "place").empty() ? Dash() : Str(e, "place"),
                          tr("choice." + Str(e, "status"))});
      }
      return t;
    };
    s.blocks.push_back(Para(tr("brief.activities_since") + " " + Day(doc.lang, since)));
    if (brief["activities_since"].empty())
      s.blocks.push_back(Para(tr("brief.none"), Block::Kind::kNote));
    else
      s.blocks.push_back(TableBlock(events(brief["activities_since"])));
    s.blocks.push_back(Para(tr("brief.activities_coming")));
    if (brief["activities_coming"].empty())
      s.blocks.push_back(Para(tr("brief.none"), Block::Kind::kNote));
    else
      s.blocks.push_back(TableBlock(events(brief["activities_coming"])));
    doc.sections.push_back(std::move(s));
  }
  if (brief.contains("hazard_scenarios") && !brief["hazard_scenarios"].empty()) {
    // The exercises' hazard scenarios (their words and maps made by AddHazardFootprints).
    Section s{"hazard", tr("brief.hazard"), {}};
    s.blocks.push_back(Para(tr("hazard.map.notice"), Block::Kind::kNote));
    for (const auto& sc : brief["hazard_scenarios"]) {
      if (!sc.contains("footprint")) continue;
      const Json& fp = sc["footprint"];
      const Json& exercise = sc["activity"];
      s.blocks.push_back(Para(Str(exercise, "title") + " \u00b7 " +
                              Period(doc.lang, Str(exercise, "start"), Str(exercise, "end")) +
                              ": " + Str(sc, "title") + " (" + Str(fp, "substance") + ")"));
      if (!Str(fp, "population_partial").empty())
        s.blocks.push_back(Para(Str(fp, "population_partial"), Block::Kind::kNote));
      if (!Str(fp, "dense_warning").empty())
        s.blocks.push_back(Para(Str(fp, "dense_warning"), Block::Kind::kNote));
      const bool people = fp.value("with_population", false);
      Table t{{tr("hazard.table.zone"), tr("hazard.table.threshold"), tr("hazard.table.length"),
               tr("hazard.table.width"), tr("brief.hazard_places")},
              {},
              {0.16, 0.2, 0.14, 0.14, 0.36},
              {}};
      if (people) {
        t.header.insert(t.header.begin() + 4, tr("hazard.table.people"));
        t.widths = {0.14, 0.18, 0.12, 0.12, 0.14, 0.3};
      }
      for (const auto& zone : fp["zones"]) {
        std::string inside;
        for (const auto& group : fp["place_groups"]) {
          if (group.value("level", -1) != zone.value("level", -2)) continue;
          for (const auto& p : group["places"])
            inside +=
                (inside.empty() ? "" : "; ") + Str(p, "name") + " (" + Str(p, "arrival") + ")";
        }
        t.rows.push_back({Str(zone, "zone"), Str(zone, "threshold"), Str(zone, "length"),
                          Str(zone, "width"), inside.empty() ? Dash() : inside});
        if (people) t.rows.back().insert(t.rows.back().begin() + 4, Str(zone, "people"));
      }
      s.blocks.push_back(TableBlock(std::move(t)));
      Block map;
      map.kind = Block::Kind::kMap;
      map.svg = Str(fp, "map");
      if (!map.svg.empty()) s.blocks.push_back(std::move(map));
    }
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"follow_ups", tr("brief.follow_ups"), {}};
    Table t{{tr("field.title"), tr("field.responsible"), tr("field.due"), tr("brief.meeting")},
            {},
            {0.4, 0.22, 0.13, 0.25},
            {}};
    for (const auto& f : brief["follow_ups"]) {
      std::string due = Day(doc.lang, Str(f, "due"));
      if (!due.empty() && Str(f, "due") < Str(brief, "date"))
        due += " (" + tr("brief.overdue_short") + ")";
      t.rows.push_back(
          {Str(f, "title"), Str(f, "responsible"), due.empty() ? Dash() : due,
           Str(f["meeting"], "title") + " \u00b7 " + Day(doc.lang, Str(f["meeting"], "date"))});
    }
    if (t.rows.empty())
      s.blocks.push_back(Para(tr("brief.none"), Block::Kind::kNote));
    else
      s.blocks.push_back(TableBlock(std::move(t)));
    doc.sections.push_back(std::move(s));
  }
  {
    Section s{"lessons", tr("brief.lessons"), {}};
    Table t{
        {tr("field.title"), tr("brief.owner"), tr("field.what_happened"), tr("field.to_change")},
        {},
        {0.25, 0.15, 0.35, 0.25},
        {}};
    for (const auto& l : brief["lessons"]) {
      std::string owner = Str(l, "country").empty() ? Str(l, "region") : country(Str(l, "country"));
      t.rows.push_back({Str(l, "title"), owner, Str(l, "what_happened"), Str(l, "to_change")});
    }
    if (t.rows.empty())
      s.blocks.push_back(Para(tr("brief.none"), Block::Kind::kNote));
    else
      s.blocks.push_back(TableBlock(std::move(t)));
    doc.sections.push_back(std::move(s));
  }
  doc.generated = tr("brief.sharing_rule");
  return doc;
}

namespace {

// A heat-map cell's class: h0 (red, 0 %) to h10 (green, 100 %); colours in brief.css, since
// the page's security policy allows no inline style.
int HeatClass(double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 10)); }

// Horizontal bars with their values as printed, as an SVG figure, mirrored on a right-to-left
// page.
std::string BarsSvg(const Block& b, const std::string& lang) {
  double max = 1;
  for (const auto& bar : b.bars) max = std::max(max, bar.value);
  BarsView view{b.text, true, i18n::RightToLeft(lang), {}};
  for (const auto& bar : b.bars) view.bars.push_back({bar.label, bar.value / max, bar.shown});
  return http::BarsSvg(view);
}

}  // namespace

std::string Html(const Document& doc) {
  auto css = assets::Find("web/static/brief.css");
  std::string h = "<!doctype html><html lang=\"" + HtmlEscape(doc.lang) + "\" dir=\"" +
                  i18n::Direction(doc.lang) + "\"><head><meta charset=\"utf-8\"><title>" +
                  HtmlEscape(doc.title) +
                  "</title><link rel=\"stylesheet\" href=\"/static/brief.css\"><style>" +
                  std::string(css ? *css : "") + "</style></head><body><div class=\"running\">" +
                  HtmlEscape(doc.running) + "</div><header><h1 id=\"brief-title\">" +
                  HtmlEscape(doc.title) + "</h1><p>" + HtmlEscape(doc.running) +
                  "</p></header><nav id=\"toc\"><h2>" + HtmlEscape(doc.toc_title) + "</h2><ol>";
  for (const auto& s : doc.sections)
    h += "<li><a href=\"#" + s.id + "\">" + HtmlEscape(s.title) + "</a></li>";
  h += "</ol></nav>";
  for (const auto& s : doc.sections) {
    h += "<section id=\"" + s.id + "\"><h2>" + HtmlEscape(s.title) + "</h2>";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kParagraph:
          h += "<p>" + HtmlEscape(b.text) + "</p>";
          break;
        case Block::Kind::kNote:
          h += "<p class=\"note\">" + HtmlEscape(b.text) + "</p>";
          break;
        case Block::Kind::kBars:
          h += BarsSvg(b, doc.lang);
          break;
        case Block::Kind::kMap:
          h += "<figure class=\"map\">" + b.svg + "</figure>";
          break;
        case Block::Kind::kTable: {
          const Table& t = b.table;
          h += std::string("<table") + (t.heat.empty() ? "" : " class=\"heat\"") + "><thead><tr>";
          for (const auto& c : t.header) h += "<th>" + HtmlEscape(c) + "</th>";
          h += "</tr></thead><tbody>";
          for (size_t r = 0; r < t.rows.size(); ++r) {
            h += "<tr>";
            for (size_t c = 0; c < t.rows[r].size(); ++c) {
              double v = t.heat.empty() ? -1 : t.heat[r][c];
              h += v < 0 ? "<td>" : "<td class=\"heat h" + std::to_string(HeatClass(v)) + "\">";
              h += HtmlEscape(t.rows[r][c]) + "</td>";
            }
            h += "</tr>";
          }
          h += "</tbody></table>";
          break;
        }
      }
    }
    h += "</section>";
  }
  h += "<footer><p class=\"note\">" + HtmlEscape(doc.generated) + "</p></footer></body></html>";
  return h;
}

}  // namespace cbrnhub::http::brief
