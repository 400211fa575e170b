// The HTTP/1.1 server: keep-alive, a worker pool sized to the cores, size limits, timeouts,
// graceful shutdown, access log.
#pragma once

#include <memory>

#include "core/status.h"
#include "http/http.h"

namespace cbrnhub::http {

class Server {
 public:
  // `handler` is called on a worker thread for every well-formed request and must not throw
  // (the server still answers 500 if it does).
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket. Unavailable when the address cannot be bound.
  Status Listen();
  // The bound port (useful with port 0).
  unsigned short port() const;
  // Serves until Stop() (or SIGTERM/SIGINT when `handle_signals`), then returns once in-flight
  // requests finished or the grace period ran out.
  void Run(bool handle_signals);
  // Stops accepting, lets in-flight requests finish, closes idle connections. Thread-safe.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cbrnhub::http
