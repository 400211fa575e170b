#include "http/templates.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "http/http.h"

namespace cbrnhub::http {

using nlohmann::json;

struct Templates::Node {
  enum class Type { kRoot, kText, kVar, kRaw, kSection, kInverted, kPartial, kMessage, kFormat };
  Type type = Type::kRoot;
  std::string text;      // literal text, variable path, partial, message key or format
  std::string key_path;  // kMessage: the path whose value ends the key ({{_ choice.$path}})
  std::vector<std::pair<std::string, std::string>> args;  // kMessage: name -> path; kFormat: paths
  std::vector<std::unique_ptr<Node>> children;
};

namespace {

// Partials may include partials; this bounds accidental recursion.
constexpr int kMaxDepth = 32;

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

const json* Lookup(const std::vector<const json*>& stack, const std::string& path) {
  if (path == ".") return stack.back();
  std::string first = path.substr(0, path.find('.'));
  const json* found = nullptr;
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    if ((*it)->is_object()) {
      auto f = (*it)->find(first);
      if (f != (*it)->end()) {
        found = &*f;
        break;
      }
    }
  }
  if (!found) return nullptr;
  size_t pos = first.size();
  while (pos < path.size()) {
    size_t next = path.find('.', pos + 1);
    std::string key = path.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (found->is_array() && !key.empty() &&
        key.find_first_not_of("0123456789") == std::string::npos) {
      size_t index = std::stoul(key);
      if (index >= found->size()) return nullptr;
      found = &(*found)[index];
    } else {
      if (!found->is_object()) return nullptr;
      auto f = found->find(key);
      if (f == found->end()) return nullptr;
      found = &*f;
    }
    pos = next == std::string::npos ? path.size() : next;
  }
  return found;
}

bool Truthy(const json* v) {
  if (!v || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) return !v->get_ref<const std::string&>().empty();
  if (v->is_array() || v->is_object()) return !v->empty();
  if (v->is_number()) return v->get<double>() != 0;
  return true;
}

std::string ToText(const json* v) {
  if (!v || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = s.find_first_not_of(" \t\r\n", pos)) != std::string::npos) {
    size_t end = s.find_first_of(" \t\r\n", pos);
    out.push_back(s.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end;
  }
  return out;
}

const char* const kFormats[] = {"date", "datetime", "number", "percent", "money"};

// A number given as JSON number or numeric text; false for anything else.
bool NumberOf(const json* v, double& out) {
  if (v && v->is_number()) {
    out = v->get<double>();
    return true;
  }
  if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) return false;
  char* end = nullptr;
  const std::string& s = v->get_ref<const std::string&>();
  out = std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

std::string FormatValue(const std::string& how, const std::vector<const json*>& values,
                        const i18n::Presenter& words) {
  const json* v = values.empty() ? nullptr : values[0];
  if (!v || v->is_null()) return "";
  if (how == "date" || how == "datetime") {
    std::string text = ToText(v);
    return how == "date" ? words.Date(text) : words.DateTime(text);
  }
  double number;
  if (!NumberOf(v, number)) return ToText(v);
  if (how == "number") return words.Number(number);
  if (how == "percent") return words.Percent(number);
  return words.Money(number, values.size() > 1 ? ToText(values[1]) : std::string());
}

}  // namespace

Templates::Templates() = default;
Templates::~Templates() = default;
Templates::Templates(Templates&&) noexcept = default;
Templates& Templates::operator=(Templates&&) noexcept = default;

Status Templates::Add(const std::string& name, const std::string& text) {
  auto root = std::make_unique<Node>();
  std::vector<Node*> open = {root.get()};
  std::vector<int> open_lines = {0};
  size_t pos = 0;
  int line = 1;
  auto where = [&](int l) { return name + ":" + std::to_string(l) + ": "; };
  while (pos < text.size()) {
    size_t start = text.find("{{", pos);
    std::string literal = text.substr(pos, start == std::string::npos ? std::string::npos : start - pos);
    if (!literal.empty()) {
      auto n = std::make_unique<Node>();
      n->type = Node::Type::kText;
      n->text = literal;
      open.back()->children.push_back(std::move(n));
      for (char c : literal) line += c == '\n';
    }
    if (start == std::string::npos) break;
    bool triple = text.compare(start, 3, "{{{") == 0;
    size_t end = text.find(triple ? "}}}" : "}}", start);
    if (end == std::string::npos) {
      return Status::Invalid("template", where(line) + "tag opened with {{ is never closed");
    }
    std::string tag = text.substr(start + (triple ? 3 : 2), end - start - (triple ? 3 : 2));
    for (char c : tag) line += c == '\n';
    pos = end + (triple ? 3 : 2);
    auto n = std::make_unique<Node>();
    if (triple) {
      n->type = Node::Type::kRaw;
      n->text = Trim(tag);
    } else if (tag.empty()) {
      return Status::Invalid("template", where(line) + "empty tag {{}}");
    } else if (tag[0] == '!') {
      continue;
    } else if (tag[0] == '#' || tag[0] == '^') {
      n->type = tag[0] == '#' ? Node::Type::kSection : Node::Type::kInverted;
      n->text = Trim(tag.substr(1));
      Node* raw = n.get();
      open.back()->children.push_back(std::move(n));
      open.push_back(raw);
      open_lines.push_back(line);
      continue;
    } else if (tag[0] == '/') {
      std::string closing = Trim(tag.substr(1));
      if (open.size() == 1 || open.back()->text != closing) {
        return Status::Invalid("template", where(line) + "{{/" + closing +
                                               "}} does not close the open section" +
                                               (open.size() > 1 ? " {{#" + open.back()->text + "}}"
                                                                : std::string()));
      }
      open.pop_back();
      open_lines.pop_back();
      continue;
    } else if (tag[0] == '>') {
      n->type = Node::Type::kPartial;
      n->text = Trim(tag.substr(1));
    } else if (tag[0] == '_' && tag.size() > 1 && tag[1] == ' ') {
      n->type = Node::Type::kMessage;
      auto words = Words(tag.substr(2));
      if (words.empty())
        return Status::Invalid("template", where(line) + "{{_ }} names no message");
      n->text = words[0];
      if (auto dollar = n->text.find('$'); dollar != std::string::npos) {
        n->key_path = n->text.substr(dollar + 1);
        n->text.resize(dollar);
      }
      for (size_t i = 1; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == words[i].size()) {
          return Status::Invalid(
              "template", where(line) + "message argument " + words[i] + " is not name=path");
        }
        n->args.emplace_back(words[i].substr(0, eq), words[i].substr(eq + 1));
      }
    } else if (tag[0] == '%') {
      n->type = Node::Type::kFormat;
      auto words = Words(tag.substr(1));
      if (words.size() < 2 ||
          std::find(std::begin(kFormats), std::end(kFormats), words[0]) == std::end(kFormats)) {
        return Status::Invalid("template",
                               where(line) + "{{%" + Trim(tag.substr(1)) +
                                   "}}: write {{%date|datetime|number|percent|money path}}");
      }
      n->text = words[0];
      for (size_t i = 1; i < words.size(); ++i) n->args.emplace_back("", words[i]);
    } else {
      n->type = Node::Type::kVar;
      n->text = Trim(tag);
    }
    open.back()->children.push_back(std::move(n));
  }
  if (open.size() > 1) {
    return Status::Invalid("template", where(open_lines.back()) + "section {{#" +
                                           open.back()->text + "}} is never closed");
  }
  templates_[name] = std::move(root);
  return Status::Ok();
}

Status Templates::RenderNode(const Node& node, std::vector<const json*>& stack,
                             const i18n::Presenter& words, std::string& out, int depth) const {
  for (const auto& child : node.children) {
    switch (child->type) {
      case Node::Type::kText:
        out += child->text;
        break;
      case Node::Type::kVar:
        out += HtmlEscape(ToText(Lookup(stack, child->text)));
        break;
      case Node::Type::kRaw:
        out += ToText(Lookup(stack, child->text));
        break;
      case Node::Type::kMessage: {
        std::string key = child->text;
        if (!child->key_path.empty()) {
          std::string value = ToText(Lookup(stack, child->key_path));
          if (value.empty()) break;
          key += value;
        }
        if (child->args.empty()) {
          out += HtmlEscape(words.Text(key));
          break;
        }
        json args = json::object();
        for (const auto& [name, path] : child->args) {
          const json* v = Lookup(stack, path);
          args[name] = v ? *v : json();
        }
        out += HtmlEscape(words.Text(key, args));
        break;
      }
      case Node::Type::kFormat: {
        std::vector<const json*> values;
        for (const auto& arg : child->args) values.push_back(Lookup(stack, arg.second));
        out += HtmlEscape(FormatValue(child->text, values, words));
        break;
      }
      case Node::Type::kInverted:
        if (!Truthy(Lookup(stack, child->text))) {
          CBRN_RETURN_IF_ERROR(RenderNode(*child, stack, words, out, depth));
        }
        break;
      case Node::Type::kSection: {
        const json* v = Lookup(stack, child->text);
        if (!Truthy(v)) break;
        if (v->is_array()) {
          for (const auto& item : *v) {
            stack.push_back(&item);
            Status st = RenderNode(*child, stack, words, out, depth);
            stack.pop_back();
            CBRN_RETURN_IF_ERROR(st);
          }
        } else {
          stack.push_back(v);
          Status st = RenderNode(*child, stack, words, out, depth);
          stack.pop_back();
          CBRN_RETURN_IF_ERROR(st);
        }
        break;
      }
      case Node::Type::kPartial: {
        auto it = templates_.find(child->text);
        if (it == templates_.end()) return Status::NotFound("no template named " + child->text);
        if (depth >= kMaxDepth) return Status::Internal("templates nested too deeply");
        CBRN_RETURN_IF_ERROR(RenderNode(*it->second, stack, words, out, depth + 1));
        break;
      }
      case Node::Type::kRoot:
        break;
    }
  }
  return Status::Ok();
}

Result<std::string> Templates::Render(const std::string& name, const json& data,
                                      const i18n::Presenter& words) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return Status::NotFound("no template named " + name);
  std::vector<const json*> stack = {&data};
  std::string out;
  out.reserve(8192);
  CBRN_RETURN_IF_ERROR(RenderNode(*it->second, stack, words, out, 0));
  return out;
}

}  // namespace cbrnhub::http
