// Expected failures as values: every fallible call returns Status or Result<T>.
// Exceptions are reserved for programmer errors and are caught once, at the HTTP boundary.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cbrnhub {

enum class StatusCode {
  kOk,
  kNotFound,
  kInvalidArgument,
  kPermissionDenied,
  kUnauthenticated,
  kConflict,
  kTooLarge,
  kTooManyRequests,
  kUnavailable,
  kInternal,
};

// Stable lowercase name used on the wire ("not_found", ...); see docs/api.md.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Invalid(std::string field, std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m), std::move(field)};
  }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  // The same failure as a catalogue message for pages in the reader's language: the key
  // ("invalid.required") and its named arguments. message() stays the English wording for the
  // API, the CLI and the logs. An argument's name says how a page shows its value: "field..." a
  // field name, "choice_..." a stored choice, "choices" a comma list of them (each by its label),
  // "date..." an ISO date, "country" an ISO code, "region" a region code (by name), "#..." a
  // number (plural rules, grouping), "name@prefix" a stored value shown by the catalogue's
  // label `prefix + value` ({"status@plans.state.", "adopted"} fills {status}); any other is
  // shown as it is.
  using MessageArgs = std::vector<std::pair<std::string, std::string>>;
  Status Says(std::string key, MessageArgs args = {}) && {
    message_key_ = std::move(key);
    message_args_ = std::move(args);
    return std::move(*this);
  }
  const std::string& message_key() const { return message_key_; }
  const MessageArgs& message_args() const { return message_args_; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The request field the failure is about ("" when it is not about one field).
  const std::string& field() const { return field_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string message_key_;
  MessageArgs message_args_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cbrnhub

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define CBRN_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::cbrnhub::Status _st = (expr);           \
    if (!_st.ok()) return _st;                \
  } while (0)

#define CBRN_CONCAT_INNER(a, b) a##b
#define CBRN_CONCAT(a, b) CBRN_CONCAT_INNER(a, b)
// Declares `lhs` from a Result expression, or returns its Status from the enclosing function.
#define CBRN_ASSIGN_OR_RETURN(lhs, expr) \
  CBRN_ASSIGN_OR_RETURN_IMPL(CBRN_CONCAT(_res_, __LINE__), lhs, expr)
#define CBRN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
