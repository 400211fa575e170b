#include "http/templates.h"

#include <nlohmann/json.hpp>

#include <vector>

#include "http/http.h"

namespace cbrnhub::http {

using nlohmann::json;

struct Templates::Node {
  enum class Type { kRoot, kText, kVar, kRaw, kSection, kInverted, kPartial, kMessage };
  Type type = Type::kRoot;
  std::string text;  // literal text, variable path, partial or message key
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
      n->text = Trim(tag.substr(2));
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
                             const std::function<std::string(const std::string&)>& translate,
                             std::string& out, int depth) const {
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
      case Node::Type::kMessage:
        out += HtmlEscape(translate(child->text));
        break;
      case Node::Type::kInverted:
        if (!Truthy(Lookup(stack, child->text))) {
          CBRN_RETURN_IF_ERROR(RenderNode(*child, stack, translate, out, depth));
        }
        break;
      case Node::Type::kSection: {
        const json* v = Lookup(stack, child->text);
        if (!Truthy(v)) break;
        if (v->is_array()) {
          for (const auto& item : *v) {
            stack.push_back(&item);
            Status st = RenderNode(*child, stack, translate, out, depth);
            stack.pop_back();
            CBRN_RETURN_IF_ERROR(st);
          }
        } else {
          stack.push_back(v);
          Status st = RenderNode(*child, stack, translate, out, depth);
          stack.pop_back();
          CBRN_RETURN_IF_ERROR(st);
        }
        break;
      }
      case Node::Type::kPartial: {
        auto it = templates_.find(child->text);
        if (it == templates_.end()) return Status::NotFound("no template named " + child->text);
        if (depth >= kMaxDepth) return Status::Internal("templates nested too deeply");
        CBRN_RETURN_IF_ERROR(RenderNode(*it->second, stack, translate, out, depth + 1));
        break;
      }
      case Node::Type::kRoot:
        break;
    }
  }
  return Status::Ok();
}

Result<std::string> Templates::Render(
    const std::string& name, const json& data,
    const std::function<std::string(const std::string&)>& translate) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return Status::NotFound("no template named " + name);
  std::vector<const json*> stack = {&data};
  std::string out;
  out.reserve(8192);
  CBRN_RETURN_IF_ERROR(RenderNode(*it->second, stack, translate, out, 0));
  return out;
}

}  // namespace cbrnhub::http
