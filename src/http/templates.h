// A small Mustache-style template engine over JSON values, with HTML escaping by default.
//
//   {{name}} {{a.b}} {{.}}   value, HTML-escaped          {{{name}}}  value, unescaped
//   {{#name}}..{{/name}}     list: once per item; object or truthy value: once; else skipped
//   {{^name}}..{{/name}}     only when name is missing, false, null, "", 0 or an empty list
//   {{> partial}}            another template           {{_ message.key}}  translated text
//   {{! comment }}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"

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
  // Renders `name` with `data`; `translate` resolves {{_ key}}. NotFound for unknown templates
  // or partials.
  Result<std::string> Render(const std::string& name, const nlohmann::json& data,
                             const std::function<std::string(const std::string&)>& translate) const;

 private:
  struct Node;
  std::map<std::string, std::unique_ptr<Node>> templates_;
  Status RenderNode(const Node& node, std::vector<const nlohmann::json*>& stack,
                    const std::function<std::string(const std::string&)>& translate,
                    std::string& out, int depth) const;
};

}  // namespace cbrnhub::http
