// Boost.Beast implementation of the server. The only file that includes Beast/Asio.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <thread>

#include "metrics/metrics.h"

namespace cbrnhub::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A request target as logged: the value of a token= parameter (a calendar feed's API token)
// replaced, so that logs never hold a secret.
std::string LoggedTarget(const std::string& target) {
  std::string out = target;
  for (size_t at = out.find("token="); at != std::string::npos; at = out.find("token=", at + 6)) {
    if (at > 0 && out[at - 1] != '?' && out[at - 1] != '&') continue;
    size_t end = out.find('&', at);
    out.replace(at + 6, (end == std::string::npos ? out.size() : end) - at - 6, "(hidden)");
  }
  return out;
}


std::string NewRequestId() {
  // Unique within a process run; joined with the start time in logs it is unique enough to
  // find one request, and cheap on the hot path.
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t start =
      std::chrono::steady_clock::now().time_since_epoch().count() & 0xffffff;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llx-%llu", static_cast<unsigned long long>(start),
                static_cast<unsigned long long>(++counter));
  return buf;
}

// Headers that every response carries, whatever route answered.
void AddStandardHeaders(bhttp::response<bhttp::string_body>& res) {
  res.set(bhttp::field::server, "cbrnhub");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "same-origin");
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  }
}

}  // namespace

// One io_context per worker thread, each run by that thread alone: a connection lives on one
// thread, so its handlers never race and need no strand, and threads do not wake each other.
struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  size_t next_context = 0;
  asio::io_context& ioc;  // contexts[0]: the acceptor, signals and shutdown timers live here
  tcp::acceptor acceptor{ioc};
  asio::steady_timer shutdown_timer{ioc};
  asio::steady_timer drain_timer{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
  std::unique_ptr<asio::signal_set> signals;

  class Session;
  std::mutex sessions_mu;
  std::list<std::weak_ptr<Session>> sessions;

  Impl(ServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), ioc(*MakeContexts(options, contexts)) {}

  static asio::io_context* MakeContexts(const ServerOptions& o,
                                        std::vector<std::unique_ptr<asio::io_context>>& out) {
    int n = o.threads > 0 ? o.threads
                          : 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out.front().get();
  }
  void StopAll() {
    for (auto& c : contexts) c->stop();
  }

  void Accept();
  void BeginShutdown();
  // Polls until the last connection is gone, then lets the threads return.
  void WaitForDrain() {
    if (connections == 0) {
      shutdown_timer.cancel();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](beast::error_code e) {
      if (!e) WaitForDrain();
    });
  }
  void Unregister(std::list<std::weak_ptr<Session>>::iterator it) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(it);
  }
};

class Server::Impl::Session : public std::enable_shared_from_this<Server::Impl::Session> {
 public:
  Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() {
    --server_.connections;
    metrics::Get().http_connections_open.Add(-1);
    if (registered_) server_.Unregister(self_it_);
  }

  void Start(bool over_limit) {
    {
      std::lock_guard lock(server_.sessions_mu);
      self_it_ = server_.sessions.insert(server_.sessions.end(), weak_from_this());
      registered_ = true;
    }
    if (over_limit) {
      SendError(bhttp::status::service_unavailable, "server busy: too many connections", false);
      return;
    }
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // Called on shutdown: idle connections close now; busy ones after their response.
  void Shutdown() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->close_after_response_ = true;
      if (self->idle_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  size_t limit_ = 0;  // the body limit of the request being read

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    parser_->body_limit(std::max(server_.options.body_limit, server_.options.upload_limit));
    limit_ = server_.options.body_limit;
    idle_ = true;
    // The first request of a connection and each later one must arrive whole within the
    // timeout: a client that trickles bytes cannot hold a worker or a socket for long.
    stream_.expires_after(first_ ? server_.options.request_timeout : server_.options.idle_timeout);
    first_ = false;
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec) return OnReadError(ec);
    // The header is read under the larger of the two limits (Beast checks Content-Length as
    // the header completes); here the request's own limit is applied.
    limit_ = server_.options.body_limit;
    if (IsUploadPath(std::string_view(parser_->get().target().data(), parser_->get().target().size()))) {
      limit_ = std::max(limit_, server_.options.upload_limit);
    }
    if (auto length = parser_->content_length(); length && *length > limit_) {
      return OnReadError(bhttp::error::body_limit);
    }
    parser_->body_limit(limit_);
    if (server_.stopping) close_after_response_ = true;
    stream_.expires_after(server_.options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::error::bad_descriptor) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return SendError(bhttp::status::payload_too_large,
                       "request body larger than " + std::to_string(limit_) +
                           " bytes",
                       true);
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(bhttp::status::request_header_fields_too_large,
                       "request headers larger than " +
                           std::to_string(server_.options.header_limit) + " bytes",
                       true);
    }
    SendError(bhttp::status::bad_request, "malformed HTTP request: " + ec.message(), true);
  }

  void SendError(bhttp::status status, const std::string& message, bool log) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(status, 11);
    res->set(bhttp::field::content_type, "application/json");
    std::string code = status == bhttp::status::payload_too_large ? "too_large"
                       : status == bhttp::status::service_unavailable ? "unavailable"
                                                                       : "bad_request";
    std::string escaped;
    for (char c : message) {
      if (c == '"' || c == '\\') escaped += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
    }
    res->body() = "{\"code\":\"" + code + "\",\"message\":\"" + escaped + "\"}";
    res->keep_alive(false);
    AddStandardHeaders(*res);
    res->prepare_payload();
    if (log && server_.options.access_log) {
      spdlog::info("{} - - {} 0 {}", remote_, static_cast<int>(status), message);
    }
    close_after_response_ = true;
    Write(res);
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto started = std::chrono::steady_clock::now();
    auto& in = parser_->get();
    Request req;
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    auto q = req.target.find('?');
    req.path = PercentDecode(req.target.substr(0, q), false);
    if (q != std::string::npos) ParseQuery(req.target.substr(q + 1), req.query);
    for (const auto& field : in) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    req.body = std::move(in.body());
    req.remote_addr = remote_;
    auto rid = req.headers.find("x-request-id");
    req.request_id = rid != req.headers.end() && rid->second.size() <= 64 ? rid->second
                                                                          : NewRequestId();

    Response out;
    try {
      out = server_.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {} failed: {}", req.request_id, req.method, LoggedTarget(req.target), e.what());
      out = Response::Json(500, "{\"code\":\"internal\",\"message\":\"internal error, request id " +
                                    req.request_id + "\"}");
    }
    CompressForClient(req, out);

    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(out.status), in.version());
    res->set(bhttp::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) res->insert(name, value);
    res->set("X-Request-Id", req.request_id);
    AddStandardHeaders(*res);
    bool head = in.method() == bhttp::verb::head;
    std::size_t size = out.body.size();
    res->body() = std::move(out.body);
    res->keep_alive(in.keep_alive() && !close_after_response_ && !server_.stopping);
    res->prepare_payload();
    if (head) res->body().clear();
    if (server_.options.access_log) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
      spdlog::info("{} {} {} {} {} {}us rid={}", remote_, req.method, LoggedTarget(req.target), out.status,
                   size, us, req.request_id);
    }
    if (!res->keep_alive()) close_after_response_ = true;
    Write(res, head);
  }

  void Write(std::shared_ptr<bhttp::response<bhttp::string_body>> res, bool header_only = false) {
    stream_.expires_after(server_.options.request_timeout);
    if (header_only) {
      // HEAD: send the headers (with the GET's Content-Length) only.
      auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*res);
      bhttp::async_write_header(stream_, *sr,
                                [self = shared_from_this(), res, sr](beast::error_code ec,
                                                                     std::size_t) {
                                  self->OnWrite(ec);
                                });
      return;
    }
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec);
                       });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || close_after_response_) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool idle_ = false;
  bool first_ = true;
  bool close_after_response_ = false;
  bool registered_ = false;
  std::list<std::weak_ptr<Session>>::iterator self_it_;
};

void Server::Impl::Accept() {
  asio::io_context& target = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open() || stopping) return;
      // EMFILE and friends: log, back off briefly, keep accepting.
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      size_t n = ++connections;
      metrics::Get().http_connections_open.Add(1);
      auto session = std::make_shared<Session>(*this, std::move(socket));
      session->Start(n > options.max_connections);
    }
    if (!stopping) Accept();
  });
}

void Server::Impl::BeginShutdown() {
  if (stopping.exchange(true)) return;
  spdlog::info("shutting down: no new connections; finishing in-flight requests");
  beast::error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu);
    for (auto& w : sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
  guards.clear();  // each thread returns once its connections are done
  // Whatever is still running after the grace period is cut off.
  shutdown_timer.expires_after(options.shutdown_grace);
  shutdown_timer.async_wait([this](beast::error_code e) {
    if (!e) {
      spdlog::warn("grace period over: closing remaining connections");
      StopAll();
    }
  });
  WaitForDrain();
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

Status Server::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return Status::Invalid("listen", "not an IP address: " + impl_->options.address);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.address + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  }
  return Status::Ok();
}

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::Run(bool handle_signals) {
  Impl& s = *impl_;
  if (handle_signals) {
    s.signals = std::make_unique<asio::signal_set>(s.ioc, SIGINT, SIGTERM);
    s.signals->async_wait([&s](beast::error_code ec, int) {
      if (!ec) s.BeginShutdown();
    });
  }
  for (auto& c : s.contexts) s.guards.push_back(asio::make_work_guard(*c));
  s.Accept();
  std::vector<std::thread> workers;
  for (size_t i = 1; i < s.contexts.size(); ++i) {
    workers.emplace_back([&s, i] { s.contexts[i]->run(); });
  }
  s.ioc.run();
  for (auto& t : workers) t.join();
}

void Server::Stop() {
  asio::post(impl_->ioc, [this] { impl_->BeginShutdown(); });
}

}  // namespace cbrnhub::http
