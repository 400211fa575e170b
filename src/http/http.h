// HTTP types shared by the server, the route table and the handlers. No Beast in here: the
// server's implementation is the only place that includes it (it is heavy to compile).
#pragma once

#include <chrono>
#include <string_view>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "access/access.h"
#include "core/status.h"

namespace cbrnhub::hazard {
struct PopulationGrid;
}

namespace cbrnhub::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query
  std::string path;    // decoded path without the query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // names in lower case
  std::string body;
  std::string remote_addr;
  std::string request_id;
  std::string lang = "en";  // negotiated user-interface language
  // Filled by the web application before the handler runs:
  access::Principal who;      // the caller (anonymous when nobody is signed in)
  std::string session_token;  // the session cookie's value, when signed in by cookie
  std::string csrf_token;     // the session's CSRF token (forms and cookie-authenticated API)
  std::map<std::string, std::string> path_params;  // filled by the router: {id} -> value

  // The first value of query parameter `name`, or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  std::string Header(const std::string& lower_name) const;
  std::string Cookie(const std::string& name) const;
  std::string Param(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response Json(int status, std::string body);
  static Response Html(int status, std::string body);
  // Only ever to a safe local path (IsSafeLocalPath); anything else redirects to "/".
  static Response Redirect(const std::string& location, int status = 303);
};

// The one rule for where we send a browser back to (sign-in's `next`, forms' `return_to`, every
// redirect): a path that starts with a single '/', whose next character is neither '/' nor
// '\', with no backslash, control character or whitespace (ASCII or Unicode) anywhere, as sent
// and after percent-decoding. Browsers drop tabs and newlines and read '\' as '/', so
// "/%09/evil.example" would otherwise leave the site.
bool IsSafeLocalPath(const std::string& path);
// `wanted` when it is a safe local path, else `fallback`.
std::string LocalPathOr(const std::string& wanted, const std::string& fallback = "/");

using Handler = std::function<Response(Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 picks a free port (see Server::port())
  // Worker threads; 0 = four per core. More threads than cores, because a request waiting for
  // the database (a commit's fsync, a PostgreSQL round trip) holds its thread.
  int threads = 0;
  size_t body_limit = 1 << 20;     // bytes; larger bodies get 413
  // Bodies of the file-upload paths (IsUploadPath: sanctions lists, party files, control list).
  size_t upload_limit = 64 << 20;
  size_t header_limit = 16 << 10;  // bytes; larger headers get 431
  std::chrono::seconds request_timeout{30};  // to receive a whole request (slow clients)
  std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{20};   // in-flight requests get this long on SIGTERM
  size_t max_connections = 4096;             // beyond this, new connections get 503
  bool access_log = true;
};

// Addresses and networks a request may come from ("127.0.0.1", "10.0.0.0/8", "::1",
// "fd00::/8"). An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) matches its IPv4 form.
class AddressList {
 public:
  // From a comma-separated list; "" is the empty list. InvalidArgument naming the entry that is
  // not an address or network.
  static Result<AddressList> Parse(const std::string& comma_separated);
  bool Contains(const std::string& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    int family = 0;  // AF_INET or AF_INET6
    unsigned char bytes[16] = {};
    int prefix_bits = 0;
  };
  std::vector<Network> networks_;
};

// Settings of the web application (http::WebApp) beyond the server's.
struct WebOptions {
  // Callers that may read /metrics without signing in (a Prometheus server). Administrators may
  // always. Behind a reverse proxy that is not in trusted_proxies every request comes from the
  // proxy's address: do not list it then (docs/operations.md).
  AddressList metrics_allow;
  // Reverse proxies whose X-Forwarded-For names the client: a request from one of them takes the
  // last address of that header as its remote address (audit log, sign-in rate limit,
  // metrics_allow). Empty: the connection's address, whatever the headers say.
  AddressList trusted_proxies;
  // The population grid hazard footprints count people with (config hazard_population_grid,
  // loaded at start-up); null: pages and the API give no population.
  std::shared_ptr<const hazard::PopulationGrid> population;
};

// Parses "a=1&b=x%20y" into `out` (percent and '+' decoding).
void ParseQuery(const std::string& query, std::multimap<std::string, std::string>& out);
std::string PercentDecode(const std::string& s, bool plus_is_space);
std::string PercentEncode(const std::string& s);
std::string HtmlEscape(const std::string& s);
// Markdown (CommonMark, libcmark) as HTML, safely: raw HTML is dropped and links to
// javascript:, vbscript:, file: and data: lose their target.
std::string MarkdownHtml(const std::string& markdown);

// Responses at least this large are worth compressing: below it gzip's header and the CPU time
// outweigh the bytes saved.
inline constexpr size_t kGzipMinBytes = 1024;
// Sends `res` gzip-compressed (Content-Encoding: gzip) when the request's Accept-Encoding takes
// gzip, the body is at least kGzipMinBytes and its type is text, JSON, JavaScript or SVG (XLSX,
// PDF, ZIP and images are compressed already). Every response of a compressible type gets
// `Vary: Accept-Encoding`; a compressed one's ETag becomes the gzip variant's own ("<tag>-gzip"),
// as the bytes differ. Leaves `res` as it was should zlib fail.
void CompressForClient(const Request& req, Response& res);
// Whether an If-None-Match header value names `etag` (a quoted tag), in either encoding.
bool EtagMatches(const std::string& if_none_match, const std::string& etag);
// Gzip (RFC 1952) of `data`; "" should zlib fail.
std::string Gzip(std::string_view data);
// Paths that accept file uploads (and so the larger upload_limit).
bool IsUploadPath(std::string_view target);

// One part of a multipart/form-data body.
struct FormPart {
  std::string name;
  std::string filename;  // "" for a plain field
  std::string content_type;
  std::string data;
};
// Parses a multipart/form-data body with the boundary from `content_type`.
// InvalidArgument when the body is not well-formed multipart.
Result<std::vector<FormPart>> ParseMultipart(const std::string& content_type, const std::string& body);

}  // namespace cbrnhub::http
