// Private to risk: what the record checks, the service and the workbook share.
#pragma once

#include <memory>
#include <string>

#include "records/text.h"
#include "risk/risk.h"
#include "storage/storage.h"

namespace cbrnhub::risk {

using records::SplitList;

// A record's text field ("" when missing); `Text` here names the multilingual text of methods.
inline std::string Str(const Json& j, const char* key) { return records::Text(j, key); }
inline bool Has(const Json& j, const char* key) { return !Str(j, key).empty(); }

struct Service::Impl {
  records::Store& store;
  assessment::Service& assessments;
};

// The parsed method `method_id` (id or "code@version") as stored, cached by its checksum.
Result<std::shared_ptr<const Method>> MethodIn(storage::Transaction& txn, const std::string& method_id);
// The questionnaire functions a scenario may depend on (detection, response, ...).
const std::vector<std::string>& Capabilities();
// Ok when `cap` is a capability or a question some published questionnaire asks.
Status CheckCapability(storage::Transaction& txn, const std::string& cap);

}  // namespace cbrnhub::risk
