// A small Mustache-style template engine over JSON values, with HTML escaping by default.
//
//   {{name}} {{a.b}} {{.}}   value, HTML-escaped          {{{name}}}  value, unescaped
//   {{#name}}..{{/name}}     list: once per item; object or truthy value: once; else skipped
//   {{^name}}..{{/name}}     only when name is missing, false, null, "", 0 or an empty list
//   {{> partial}}            another template           {{_ message.key}}  translated text
//   {{_ key n=path who=path}}  an ICU MessageFormat message with named arguments from the data
//   {{_ choice.$path}}       the message whose key ends with the value at path (a stored state
//                            or choice shown by its label); nothing when the value is empty
//   {{%date path}} {{%datetime path}} {{%number path}} {{%percent path}} {{%money amount currency}}
//                            the value written for the page's language (i18n::Presenter)
//   {{! comment }}
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/status.h"
#include "i18n/i18n.h"

namespace cbrnhub::http {

class Templates {
 public:
  Templates();
  ~Templates();
  Templates(Templates&&) noexcept;
  Templates& operator=(Templates&&) noexcept;

  // Compiles a template. InvalidArgument naming the template and line for unbalanced sections
  // or unterminated tags.
  Status Add(const std::string& name, const std::string& text);
  // Renders `name` with `data`; `words` resolves {{_ key}} and {{%...}}. NotFound for unknown
  // templates or partials.
  Result<std::string> Render(const std::string& name, const nlohmann::json& data,
                             const i18n::Presenter& words) const;

 private:
  struct Node;
  std::map<std::string, std::unique_ptr<Node>> templates_;
  Status RenderNode(const Node& node, std::vector<const nlohmann::json*>& stack,
                    const i18n::Presenter& words, std::string& out, int depth) const;
};

}  // namespace cbrnhub::http
