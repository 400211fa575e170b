// Compression of responses for slow links: a Russian assessment page of ~100 KB travels as a
// tenth of that. zlib's gzip, as every browser and HTTP client reads it.
#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "http/http.h"

namespace cbrnhub::http {
namespace {

constexpr const char* kGzipSuffix = "-gzip";

bool Compressible(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  return type.rfind("text/", 0) == 0 || type == "application/json" ||
         type == "application/javascript" || type == "image/svg+xml" || type == "application/xml";
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Accept-Encoding: "gzip, deflate, br" or "gzip;q=0" (refused) or "*".
bool AcceptsGzip(const std::string& accept_encoding) {
  std::string header = Lower(accept_encoding);
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    pos = end + 1;
    std::string coding = part.substr(0, part.find(';'));
    coding.erase(0, coding.find_first_not_of(" \t"));
    coding.erase(coding.find_last_not_of(" \t") + 1);
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    auto q = part.find("q=");
    if (q == std::string::npos || std::atof(part.c_str() + q + 2) > 0) return true;
  }
  return false;
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return "";
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

bool EtagMatches(const std::string& if_none_match, const std::string& etag) {
  if (etag.size() < 2) return false;
  std::string gzip_variant = etag.substr(0, etag.size() - 1) + kGzipSuffix + "\"";
  for (const std::string& tag : {etag, gzip_variant}) {
    // The tag's quotes keep "v1-12" from matching inside "v1-123".
    if (if_none_match.find(tag) != std::string::npos) return true;
  }
  return if_none_match == "*";
}

namespace {
void MarkEtagGzip(Response& res) {
  for (auto& [name, value] : res.headers) {
    if (Lower(name) == "etag" && value.size() >= 2 && value.back() == '"') {
      value.insert(value.size() - 1, kGzipSuffix);
    }
  }
}
}  // namespace

void CompressForClient(const Request& req, Response& res) {
  // A 304 carries no body, but the tag of the variant the client holds.
  if (res.status == 304 && AcceptsGzip(req.Header("accept-encoding")) &&
      req.Header("if-none-match").find(kGzipSuffix) != std::string::npos) {
    MarkEtagGzip(res);
    return;
  }
  if (!Compressible(res.content_type)) return;
  for (const auto& [name, value] : res.headers) {
    if (Lower(name) == "content-encoding") return;
  }
  bool varied = false;
  for (auto& [name, value] : res.headers) {
    if (Lower(name) == "vary") {
      value += ", Accept-Encoding";
      varied = true;
      break;
    }
  }
  if (!varied) res.headers.emplace_back("Vary", "Accept-Encoding");
  if (res.body.size() < kGzipMinBytes || !AcceptsGzip(req.Header("accept-encoding"))) return;
  std::string packed = Gzip(res.body);
  if (packed.empty()) return;
  res.body = std::move(packed);
  res.headers.emplace_back("Content-Encoding", "gzip");
  MarkEtagGzip(res);
}

}  // namespace cbrnhub::http
