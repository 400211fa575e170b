// A real cbrnhub web application and server on a free loopback port, over a seeded database
// (reference data, demo records, demo accounts) of the backend under test.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "http/server.h"
#include "http/web.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "assessment/assessment.h"
#include "meetings/meetings.h"
#include "plans/plans.h"
#include "risk/risk.h"
#include "exportctl/exportctl.h"
#include "network/network.h"
#include "test_support.h"

namespace cbrnhub::testing {

using http::Request;
using http::Server;
using http::ServerOptions;
using http::WebApp;
using http::WebOptions;
using nlohmann::json;

// A real server on a free loopback port, over a seeded database of the backend under test.
class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Settings of the identity service; a test may change them before SetUp runs.
  virtual identity::Settings IdentitySettings() {
    identity::Settings settings;
    settings.fast_password_hashing = true;
    return settings;
  }

  // The web application's options (e.g. a population grid); a test may override them.
  virtual WebOptions WebSettings() { return {}; }
  // The mail relay the server sends through (none unless a test sets one).
  virtual notify::SmtpSettings MailSettings() { return {}; }

  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t_);
    network::RegisterKinds(catalog_);
    exportctl::RegisterKinds(catalog_);
    assessment::RegisterKinds(catalog_);
    plans::RegisterKinds(catalog_);
    risk::RegisterKinds(catalog_);
    meetings::RegisterKinds(catalog_);
    store_ = std::make_unique<records::Store>(t_->db(), catalog_);
    records::Caller seeder{access::Principal::System("seed"), ""};
    ASSERT_TRUE(network::SeedReference(*store_, seeder).ok());
    ASSERT_TRUE(network::SeedDemo(*store_, seeder).ok());
    ASSERT_TRUE(exportctl::Service(*store_).SeedControlList(seeder).ok());
    ASSERT_TRUE(assessment::Service(*store_).SeedSamples(seeder).ok());
    identity_ = std::make_unique<identity::Service>(t_->db(), IdentitySettings());
    ASSERT_TRUE(identity_->SeedDemoUsers(seeder).ok());
    ASSERT_TRUE(catalogs_.Load().ok());
    auto app = WebApp::Create(t_->db(), *store_, *identity_, catalogs_, "test", WebSettings(), {},
                              MailSettings());
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(app).value();
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 64 * 1024;
    options.header_limit = 8 * 1024;
    options.request_timeout = std::chrono::seconds(2);
    options.idle_timeout = std::chrono::seconds(2);
    options.shutdown_grace = std::chrono::seconds(5);
    options.access_log = false;
    server_ = std::make_unique<Server>(options, [this](Request& r) { return app_->Handle(r); });
    ASSERT_TRUE(server_->Listen().ok());
    port_ = server_->port();
    thread_ = std::thread([this] { server_->Run(false); });
    auto [cookie, csrf] = SignIn("admin");
    cookie_ = cookie;
    csrf_ = csrf;
  }
  // Signs in through the API; returns the session cookie ("cbrnhub_session=...") and CSRF token.
  std::pair<std::string, std::string> SignIn(const std::string& username) {
    auto r = HttpRequest(port_, "POST", "/api/v1/session",
                         json{{"username", username}, {"password", "cbrnhub-demo"}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    std::string cookie = r.headers["set-cookie"];
    cookie = cookie.substr(0, cookie.find(';'));
    return {cookie, json::parse(r.body, nullptr, false).value("csrf_token", "")};
  }
  // A request as the signed-in administrator (cookie and CSRF token added unless given).
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    if (!headers.count("Cookie") && !headers.count("Authorization") && !headers.count("Anonymous")) {
      headers["Cookie"] = cookie_;
      headers["X-CSRF-Token"] = csrf_;
    }
    headers.erase("Anonymous");
    return HttpRequest(port_, method, target, body, headers);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  HttpResponse Get(const std::string& target, std::map<std::string, std::string> headers = {}) {
    return Call("GET", target, "", headers);
  }
  json Json(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  std::unique_ptr<TestDatabase> t_;
  records::Catalog catalog_;
  std::unique_ptr<records::Store> store_;
  i18n::Catalogs catalogs_;
  std::unique_ptr<identity::Service> identity_;
  std::unique_ptr<WebApp> app_;
  std::string cookie_, csrf_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

}  // namespace cbrnhub::testing
