// Licence applications as records: validated CRUD, history and access come from records::.
// Their status changes only through Service::Transition (the workflow).
#include <nlohmann/json.hpp>

#include "exportctl/exportctl.h"

namespace cbrnhub::exportctl {
namespace {

using records::FieldSpec;
using records::FieldType;
using records::KindSpec;

FieldSpec Field(std::string name, FieldType type = FieldType::kText, bool required = false,
                size_t max = 200) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.required = required;
  f.max_length = max;
  return f;
}

FieldSpec ReadOnly(std::string name, std::string default_value, bool filterable = false) {
  FieldSpec f = Field(std::move(name));
  f.read_only = true;
  f.default_value = std::move(default_value);
  f.filterable = filterable;
  return f;
}

// Items and opinions belong to their licence's country.
Result<std::string> LicenceScope(storage::Transaction& txn, const Json& fields) {
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query("SELECT owner_scope FROM licences WHERE id = ?",
                                  {fields["licence_id"].get<std::string>()}));
  if (rows.empty()) return Status::Invalid("licence_id", "no such licence");
  return rows[0].Text(0);
}

}  // namespace

void RegisterKinds(records::Catalog& catalog) {
  {
    KindSpec k;
    k.name = kLicences;
    k.policy = access::Policy::kExportControl;
    k.table = "licences";
    k.natural_key = "reference";
    k.order_by = "created_at DESC";
    k.deletable = false;  // a licence is withdrawn, never deleted
    FieldSpec reference = Field("reference", FieldType::kText, true, 40);
    reference.unique_per_owner = true;  // each country numbers its own licences
    reference.filterable = true;
    reference.searchable = true;
    FieldSpec country = Field("country", FieldType::kCountryCode, true);
    country.filterable = true;
    FieldSpec exporter = Field("exporter", FieldType::kText, true, 300);
    exporter.searchable = true;
    FieldSpec end_user = Field("end_user", FieldType::kText, true, 300);
    end_user.searchable = true;
    FieldSpec consignee = Field("consignee", FieldType::kText, false, 300);
    consignee.searchable = true;
    k.fields = {reference,
                country,
                exporter,
                Field("exporter_country", FieldType::kCountryCode),
                consignee,
                Field("consignee_country", FieldType::kCountryCode),
                end_user,
                Field("end_user_country", FieldType::kCountryCode),
                Field("end_use", FieldType::kLongText, false, 4000),
                ReadOnly("status", "draft", true),
                ReadOnly("screening_status", "not_screened"),
                ReadOnly("decision_note", "")};
    k.owner = [](storage::Transaction&, const Json& f) -> Result<std::string> {
      return "exportctl:" + f["country"].get<std::string>();
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kLicenceItems;
    k.policy = access::Policy::kExportControl;
    k.table = "licence_items";
    k.order_by = "created_at";
    FieldSpec licence = Field("licence_id", FieldType::kReference, true);
    licence.references = kLicences;
    licence.filterable = true;
    FieldSpec currency = Field("currency", FieldType::kCode, false, 3);
    k.fields = {licence,
                Field("control_code", FieldType::kText, false, 20),
                Field("description", FieldType::kText, true, 500),
                Field("quantity", FieldType::kInteger, true),
                Field("unit", FieldType::kText, false, 20),
                Field("value", FieldType::kInteger),
                currency};
    k.owner = LicenceScope;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kLicenceOpinions;
    k.policy = access::Policy::kExportControl;
    k.table = "licence_opinions";
    k.order_by = "created_at";
    FieldSpec licence = Field("licence_id", FieldType::kReference, true);
    licence.references = kLicences;
    licence.filterable = true;
    FieldSpec opinion = Field("opinion", FieldType::kChoice, true);
    opinion.choices = {"no_objection", "approve_with_conditions", "object"};
    k.fields = {licence, Field("agency", FieldType::kText, true, 200), opinion,
                Field("text", FieldType::kLongText, false, 4000)};
    k.owner = LicenceScope;
    catalog.Add(std::move(k));
  }
}

}  // namespace cbrnhub::exportctl
