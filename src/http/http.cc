#include "http/http.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace cbrnhub::http {

std::string Request::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::Cookie(const std::string& name) const {
  std::string all = Header("cookie");
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find(';', pos);
    if (end == std::string::npos) end = all.size();
    std::string part = all.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    auto eq = part.find('=');
    if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    pos = end + 1;
  }
  return {};
}

std::string Request::Param(const std::string& name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string() : it->second;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::Redirect(const std::string& location, int status) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Location", LocalPathOr(location));
  return r;
}

namespace {

// Length of the control or white-space character (ASCII or Unicode, UTF-8 encoded) at s[i],
// or 0. Invalid UTF-8 counts as such a character: a path never needs it.
size_t UnsafeCharAt(const std::string& s, size_t i) {
  auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  unsigned c = b(0);
  if (c <= 0x20 || c == 0x7f || c == '\\') return 1;
  if (c < 0x80) return 0;
  size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) >> 6) != 0x2) return 1;
  }
  unsigned cp = len == 2 ? ((c & 0x1f) << 6) | (b(1) & 0x3f)
              : len == 3 ? ((c & 0x0f) << 12) | ((b(1) & 0x3f) << 6) | (b(2) & 0x3f)
                         : 0x10000;
  bool unsafe = (cp >= 0x80 && cp <= 0xa0) || cp == 0x1680 || cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) ||
                (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 ||
                cp == 0xfeff;
  return unsafe ? len : 0;
}

bool SafeAsSent(const std::string& p) {
  if (p.empty() || p[0] != '/') return false;
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  for (size_t i = 0; i < p.size();) {
    if (UnsafeCharAt(p, i) != 0) return false;
    unsigned char c = p[i];
    i += c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
  }
  return true;
}

}  // namespace

bool IsSafeLocalPath(const std::string& path) {
  // The query and fragment may carry encoded text with spaces (a message, a search); the
  // path before them must hold decoded as well.
  return path.size() <= 8192 && SafeAsSent(path) &&
         SafeAsSent(PercentDecode(path.substr(0, path.find_first_of("?#")), false));
}

std::string LocalPathOr(const std::string& wanted, const std::string& fallback) {
  return IsSafeLocalPath(wanted) ? wanted : fallback;
}

std::string PercentDecode(const std::string& s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
        hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

namespace {

// Reads "a.b.c.d" or an IPv6 address; an IPv4-mapped IPv6 address becomes its IPv4 form.
bool ReadAddress(const std::string& text, int* family, unsigned char* bytes) {
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return false;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMapped, 12) == 0) {
    std::memmove(bytes, bytes + 12, 4);
    *family = AF_INET;
    return true;
  }
  *family = AF_INET6;
  return true;
}

std::string TrimSpaces(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

Result<AddressList> AddressList::Parse(const std::string& comma_separated) {
  AddressList list;
  size_t pos = 0;
  while (pos <= comma_separated.size()) {
    size_t comma = comma_separated.find(',', pos);
    if (comma == std::string::npos) comma = comma_separated.size();
    std::string entry = TrimSpaces(comma_separated.substr(pos, comma - pos));
    pos = comma + 1;
    if (entry.empty()) continue;
    Network net;
    std::string address = entry;
    int prefix = -1;
    if (auto slash = entry.find('/'); slash != std::string::npos) {
      address = entry.substr(0, slash);
      std::string bits = entry.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 ||
          bits.find_first_not_of("0123456789") != std::string::npos) {
        return Status::Invalid("", "'" + entry + "' is not an address or network (a.b.c.d/bits)");
      }
      prefix = std::stoi(bits);
    }
    if (!ReadAddress(address, &net.family, net.bytes)) {
      return Status::Invalid("", "'" + entry + "' is not an IP address or network");
    }
    int width = net.family == AF_INET ? 32 : 128;
    if (prefix > width) {
      return Status::Invalid("", "'" + entry + "': a network of " + std::to_string(width) +
                                     "-bit addresses has at most /" + std::to_string(width));
    }
    net.prefix_bits = prefix < 0 ? width : prefix;
    list.networks_.push_back(net);
  }
  return list;
}

bool AddressList::Contains(const std::string& address) const {
  int family = 0;
  unsigned char bytes[16] = {};
  if (networks_.empty() || !ReadAddress(address, &family, bytes)) return false;
  for (const auto& net : networks_) {
    if (net.family != family) continue;
    int full = net.prefix_bits / 8, rest = net.prefix_bits % 8;
    if (std::memcmp(net.bytes, bytes, full) != 0) continue;
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    if (rest == 0 || (net.bytes[full] & mask) == (bytes[full] & mask)) return true;
  }
  return false;
}

void ParseQuery(const std::string& query, std::multimap<std::string, std::string>& out) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(pos, end - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string::npos) {
        out.emplace(PercentDecode(part, true), "");
      } else {
        out.emplace(PercentDecode(part.substr(0, eq), true),
                    PercentDecode(part.substr(eq + 1), true));
      }
    }
    pos = end + 1;
  }
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool IsUploadPath(std::string_view target) {
  static constexpr std::string_view kPaths[] = {"/api/v1/sanctions/editions", "/sanctions/import",
                                                "/api/v1/screenings/batch",   "/screening/batch",
                                                "/api/v1/control-list",       "/control-list/import",
                                                "/api/v1/questionnaires",     "/questionnaires"};
  std::string_view path = target.substr(0, target.find('?'));
  for (auto p : kPaths) {
    if (path == p) return true;
  }
  // Per-assessment uploads: /assessments/{id}/workbook, /api/v1/assessments/{id}/evidence, ...
  auto ends_with = [&](std::string_view s) {
    return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
  };
  return path.find("/assessments/") != std::string_view::npos && (ends_with("/workbook") || ends_with("/evidence"));
}

Result<std::vector<FormPart>> ParseMultipart(const std::string& content_type, const std::string& body) {
  auto b = content_type.find("boundary=");
  if (content_type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) {
    return Status::Invalid("body", "expected multipart/form-data with a boundary");
  }
  std::string boundary = content_type.substr(b + 9);
  if (auto semi = boundary.find(';'); semi != std::string::npos) boundary.resize(semi);
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  if (boundary.empty() || boundary.size() > 200) return Status::Invalid("body", "bad multipart boundary");
  const std::string delimiter = "--" + boundary;
  std::vector<FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string::npos) return Status::Invalid("body", "multipart body without its boundary");
  for (;;) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;  // the closing delimiter
    if (body.compare(pos, 2, "\r\n") != 0) return Status::Invalid("body", "malformed multipart delimiter line");
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string::npos) return Status::Invalid("body", "multipart part without headers");
    FormPart part;
    std::string headers = body.substr(pos, headers_end - pos);
    for (size_t h = 0; h < headers.size();) {
      size_t e = headers.find("\r\n", h);
      if (e == std::string::npos) e = headers.size();
      std::string line = headers.substr(h, e - h);
      h = e + 2;
      std::string lower = line;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto param = [&](const std::string& key) -> std::string {
        auto k = line.find(key + "=\"");
        if (k == std::string::npos) return "";
        auto end = line.find('"', k + key.size() + 2);
        if (end == std::string::npos) return "";
        return line.substr(k + key.size() + 2, end - k - key.size() - 2);
      };
      if (lower.rfind("content-disposition:", 0) == 0) {
        part.name = param("name");
        part.filename = param("filename");
      } else if (lower.rfind("content-type:", 0) == 0) {
        part.content_type = line.substr(13);
        while (!part.content_type.empty() && part.content_type.front() == ' ') part.content_type.erase(0, 1);
      }
    }
    size_t data_start = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string::npos) return Status::Invalid("body", "multipart part is not terminated");
    part.data = body.substr(data_start, next - data_start);
    if (part.name.empty()) return Status::Invalid("body", "multipart part without a name");
    parts.push_back(std::move(part));
    if (parts.size() > 100) return Status::Invalid("body", "more than 100 multipart parts");
    pos = next + 2;
  }
  return parts;
}

}  // namespace cbrnhub::http
