// HTML forms to add, edit and delete records, built from the record kinds' field specs.
#include <charconv>

#include "http/handlers.h"

namespace cbrnhub::http {
namespace {

using records::FieldType;
using records::KindSpec;

std::string WithNotice(const std::string& path, const std::string& notice) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + "notice=" + notice;
}

// A form post must come from our own pages. Browsers send Origin (or at least Referer) on
// POST; a mismatch means another site is submitting on the user's behalf.
bool SameOrigin(const Request& req) {
  std::string host = req.Header("host");
  for (const char* header : {"origin", "referer"}) {
    std::string v = req.Header(header);
    if (v.empty() || v == "null") continue;
    auto scheme = v.find("://");
    if (scheme == std::string::npos) return false;
    std::string rest = v.substr(scheme + 3);
    return rest.substr(0, rest.find('/')) == host;
  }
  return true;
}

// How a referenced record is named in a drop-down: a country by ICU's name in the page's language,
// a reference region by its catalogue name, else its own name or code.
std::string RecordLabel(const i18n::Presenter& words, const Json& r) {
  if (r.contains("iso2") && r["iso2"].is_string()) {
    return words.Country(r["iso2"].get<std::string>(),
                         r.value("name", r["iso2"].get<std::string>()));
  }
  if (r.contains("code") && r["code"].is_string() && !r.contains("full_name")) {
    std::string name = words.Label("region.", r["code"].get<std::string>() + ".name");
    if (name != r["code"].get<std::string>() + ".name") return name;
  }
  for (const char* key : {"full_name", "name", "code"}) {
    if (r.contains(key) && r[key].is_string()) return r[key].get<std::string>();
  }
  return r["id"].get<std::string>();
}

// The form's field descriptions for the template, with values and the error, if any.
Json FormFields(Ctx& ctx, const Request& req, const KindSpec& kind, const Json& values,
                const Status& error) {
  Json fields = Json::array();
  i18n::Presenter words = PresenterOf(ctx, req);
  for (const auto& f : kind.fields) {
    if (!f.in_forms) continue;
    Json field = {{"name", f.name},
                  {"label", Translate(ctx, req, "field." + f.name)},
                  {"required", f.required},
                  {"max_length", f.max_length}};
    const Json& v = values.contains(f.name) ? values[f.name] : Json(nullptr);
    std::string value = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
    field["value"] = value;
    if (f.type == FieldType::kChoice || f.type == FieldType::kReference) {
      field["is_select"] = true;
      field["placeholder"] = !f.required;
      Json options = Json::array();
      if (f.type == FieldType::kChoice) {
        for (const auto& c : f.choices) {
          options.push_back({{"value", c},
                             {"label", Translate(ctx, req, "choice." + c)},
                             {"selected", c == value}});
        }
      } else {
        records::ListQuery all;
        all.limit = 500;
        auto page = ctx.store.List(CallerOf(req), f.references, all);
        if (page.ok()) {
          std::vector<std::string> labels;
          for (const auto& r : page->items) labels.push_back(RecordLabel(words, r));
          // In the order the reader's language sorts the labels (countries by their names in
          // that language, not by the stored English ones).
          for (size_t i : i18n::CollationOrder(req.lang, labels)) {
            const Json& r = page->items[i];
            options.push_back(
                {{"value", r["id"]}, {"label", labels[i]}, {"selected", r["id"] == value}});
          }
        }
      }
      field["options"] = options;
    } else if (f.type == FieldType::kCountryCode) {
      // A country is chosen by its name in the page's language, in that language's order; the
      // code is what is stored. A stored code ICU does not know stays choosable as it is.
      field["is_select"] = true;
      // Even when required: no country is chosen for the reader by being first in the list.
      field["placeholder"] = true;
      Json options = Json::array();
      bool known = value.empty();
      for (const auto& [code, name] : i18n::CountriesByName(req.lang)) {
        known = known || code == value;
        options.push_back({{"value", code}, {"label", name}, {"selected", code == value}});
      }
      if (!known) options.push_back({{"value", value}, {"label", value}, {"selected", true}});
      field["options"] = options;
    } else if (f.type == FieldType::kLongText) {
      field["is_textarea"] = true;
    } else {
      field["is_input"] = true;
      field["input_type"] = f.type == FieldType::kEmail  ? "email"
                            : f.type == FieldType::kUrl  ? "url"
                            : f.type == FieldType::kDate ? "date"
                            : f.type == FieldType::kInteger ? "number"
                                                            : "text";
    }
    if (!error.ok() && error.field() == f.name) field["error"] = MessageOf(ctx, req, error);
    fields.push_back(std::move(field));
  }
  // Who beyond the owner sees the record: offered to those who may decide it, with the levels
  // access:: allows. A new record is decided as one of the caller's own scope.
  access::RecordScope scope;
  if (values.contains("owner") && values["owner"].is_string()) {
    scope = kind.ScopeOf(values);
  } else {
    scope.owner_scope = access::OwnScope(req.who);
    scope.policy = kind.policy;
  }
  // A record that belongs to another is shared with it: no choice of its own.
  std::vector<access::Sharing> levels =
      kind.parent_field.empty() ? access::SharingLevels(req.who, scope) : std::vector<access::Sharing>{};
  if (!levels.empty()) {
    std::string current = values.contains("sharing") && values["sharing"].is_string()
                              ? values["sharing"].get<std::string>()
                              : access::SharingName(kind.default_sharing);
    Json options = Json::array();
    for (access::Sharing l : levels) {
      const std::string level = access::SharingName(l);
      options.push_back({{"value", level},
                         {"label", Translate(ctx, req, std::string("choice.") + level)},
                         {"selected", current == level}});
    }
    Json field = {{"name", "sharing"}, {"label", Translate(ctx, req, "field.sharing")},
                  {"required", true}, {"is_select", true}, {"options", options}};
    if (!error.ok() && error.field() == "sharing") field["error"] = MessageOf(ctx, req, error);
    fields.push_back(std::move(field));
  }
  return fields;
}

Response RenderForm(Ctx& ctx, const Request& req, const KindSpec& kind, const Json& values,
                    const std::string& id, const std::string& return_to, const Status& error) {
  bool editing = !id.empty();
  Json data = {{"heading", Translate(ctx, req, (editing ? "form.edit." : "form.new.") + kind.name)},
               {"action", "/forms/" + kind.name + (editing ? "/" + id : "")},
               {"return_to", return_to},
               {"fields", FormFields(ctx, req, kind, values, error)},
               {"deletable", editing && kind.deletable},
               {"delete_return_to", return_to}};
  if (values.contains("revision")) data["revision"] = values["revision"];
  // An error about no particular field (or a conflict) is shown above the form.
  if (!error.ok() &&
      (error.field().empty() || (!kind.Field(error.field()) && error.field() != "sharing"))) {
    data["error"] = MessageOf(ctx, req, error);
  }
  int status = error.ok() ? 200 : HttpStatus(error.code());
  return RenderPage(ctx, req, status, "record_form", data, data["heading"]);
}

const KindSpec* FormKind(Ctx& ctx, const Request& req) {
  return ctx.store.catalog().Find(req.Param("kind"));
}

// Form fields (all text) to the JSON body the record store validates.
Json FormToBody(const KindSpec& kind, const Form& form) {
  Json body = Json::object();
  for (const auto& f : kind.fields) {
    auto it = form.find(f.name);
    if (it == form.end()) continue;
    std::int64_t number = 0;
    const std::string& text = it->second;
    if ((f.type == FieldType::kReference || f.type == FieldType::kInteger) && text.empty()) {
      body[f.name] = nullptr;  // a field left empty is no value, not ""
    } else if (f.type == FieldType::kInteger &&
               std::from_chars(text.data(), text.data() + text.size(), number).ptr == text.data() + text.size() &&
               std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) {
      body[f.name] = number;
    } else {
      body[f.name] = it->second;
    }
  }
  if (auto sharing = form.find("sharing"); sharing != form.end()) body["sharing"] = sharing->second;
  auto rev = form.find("revision");
  if (rev != form.end() && !rev->second.empty() && rev->second.size() < 18 &&
      rev->second.find_first_not_of("0123456789") == std::string::npos) {
    body["revision"] = std::stoll(rev->second);
  }
  return body;
}

// What every form post starts with: the kind, a same-origin check, the fields and where to go
// afterwards. Sets `error` (a response to return) when the post cannot go on.
struct FormPost {
  const KindSpec* kind = nullptr;
  Form form;
  std::string return_to;
  std::optional<Response> error;
};

FormPost ReadFormPost(Ctx& ctx, const Request& req) {
  FormPost post;
  post.kind = FormKind(ctx, req);
  if (!post.kind) {
    post.error = ErrorFor(ctx, req, Status::NotFound("no such kind of record"));
  } else if (!SameOrigin(req)) {
    post.error = ErrorFor(ctx, req, Status(StatusCode::kPermissionDenied, "cross-site form post"));
  } else {
    post.form = FormOf(req);
    post.return_to = LocalPathOr(FormField(post.form, "return_to"), "/");
  }
  return post;
}

}  // namespace

Response FormNew(Ctx& ctx, Request& req) {
  const KindSpec* kind = FormKind(ctx, req);
  if (!kind) return ErrorFor(ctx, req, Status::NotFound("no such kind of record"));
  Json values = Json::object();
  for (const auto& f : kind->fields) {
    std::string v = req.Query(f.name);
    if (!v.empty()) values[f.name] = v;
  }
  return RenderForm(ctx, req, *kind, values, "", LocalPathOr(req.Query("return_to"), "/"),
                    Status::Ok());
}

Response FormEdit(Ctx& ctx, Request& req) {
  const KindSpec* kind = FormKind(ctx, req);
  if (!kind) return ErrorFor(ctx, req, Status::NotFound("no such kind of record"));
  auto record = ctx.store.Get(CallerOf(req), kind->name, req.Param("id"));
  if (!record.ok()) return ErrorFor(ctx, req, record.status());
  return RenderForm(ctx, req, *kind, *record, (*record)["id"],
                    LocalPathOr(req.Query("return_to"), "/"), Status::Ok());
}

Response FormCreate(Ctx& ctx, Request& req) {
  FormPost post = ReadFormPost(ctx, req);
  if (post.error) return *post.error;
  Json body = FormToBody(*post.kind, post.form);
  auto created = ctx.store.Create(CallerOf(req), post.kind->name, body);
  if (!created.ok()) {
    return RenderForm(ctx, req, *post.kind, body, "", post.return_to, created.status());
  }
  return Response::Redirect(WithNotice(post.return_to, "saved"));
}

Response FormUpdate(Ctx& ctx, Request& req) {
  FormPost post = ReadFormPost(ctx, req);
  if (post.error) return *post.error;
  Json body = FormToBody(*post.kind, post.form);
  auto updated = ctx.store.Update(CallerOf(req), post.kind->name, req.Param("id"), body, false);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kNotFound) return ErrorFor(ctx, req, updated.status());
    return RenderForm(ctx, req, *post.kind, body, req.Param("id"), post.return_to, updated.status());
  }
  return Response::Redirect(WithNotice(post.return_to, "saved"));
}

Response FormDelete(Ctx& ctx, Request& req) {
  FormPost post = ReadFormPost(ctx, req);
  if (post.error) return *post.error;
  std::optional<std::int64_t> revision;
  Json body = FormToBody(*post.kind, post.form);
  if (body.contains("revision")) revision = body["revision"].get<std::int64_t>();
  Status st = ctx.store.Delete(CallerOf(req), post.kind->name, req.Param("id"), revision);
  if (!st.ok()) return ErrorFor(ctx, req, st);
  return Response::Redirect(WithNotice(post.return_to, "deleted"));
}

}  // namespace cbrnhub::http
