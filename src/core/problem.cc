#include "core/problem.h"

#include <nlohmann/json.hpp>

namespace cbrnhub {

namespace {

// The place as English words and as message arguments.
std::pair<std::string, Status::MessageArgs> Described(const FilePlace& where) {
  std::string place;
  Status::MessageArgs args;
  if (!where.file.empty()) {
    place = where.file + ":" + std::to_string(where.line);  // as compilers say it
    args = {{"at_file", where.file}, {"#at_line", std::to_string(where.line)}};
  } else {
    place = "row " + std::to_string(where.row);
    args = {{"#at_row", std::to_string(where.row)}};
  }
  if (!where.column.empty()) {
    place += where.file.empty() ? ", column " + where.column : ": " + where.column;
    args.push_back({"at_column", where.column});
    if (!where.header.empty()) place += " (" + where.header + ")";
    if (!where.header_key.empty()) args.push_back({"at_header", where.header_key});
  }
  return {place, args};
}

Status WithArgs(Status out, const Status& why, Status::MessageArgs args) {
  if (why.message_key().empty()) return out;
  for (const auto& arg : why.message_args()) args.push_back(arg);
  return std::move(out).Says(why.message_key(), std::move(args));
}

}  // namespace

Status At(const FilePlace& where, Status why) {
  auto [place, args] = Described(where);
  Status out(why.code(), place + ": " + why.message(), why.field());
  return WithArgs(std::move(out), why, std::move(args));
}

Status Placed(const FilePlace& where, Status why) {
  Status out(why.code(), why.message(), why.field());
  return WithArgs(std::move(out), why, Described(where).second);
}

Status InField(std::string field, const Status& why) {
  Status out(why.code(), why.message(), std::move(field));
  if (why.message_key().empty()) return out;
  return std::move(out).Says(why.message_key(), why.message_args());
}

Status FileProblems(const std::string& field, const std::vector<Status>& problems) {
  std::string message =
      std::to_string(problems.size()) + " cell(s) need correcting; nothing was changed:";
  nlohmann::json listed = nlohmann::json::array();
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i < 50) message += "\n" + problems[i].message();
    listed.push_back(ProblemJson(problems[i]));
  }
  return Status::Invalid(field, message)
      .Says("invalid.file_problems",
            {{"#count", std::to_string(problems.size())}, {"problems", listed.dump()}});
}

nlohmann::json ProblemJson(const Status& problem) {
  nlohmann::json out = {{"message", problem.message()}, {"field", problem.field()}};
  if (problem.message_key().empty()) return out;
  out["key"] = problem.message_key();
  nlohmann::json args = nlohmann::json::array();
  for (const auto& [name, value] : problem.message_args()) args.push_back({name, value});
  out["args"] = args;
  return out;
}

Status ProblemOf(const nlohmann::json& problem) {
  auto text = [&](const char* name) {
    auto it = problem.find(name);
    return it != problem.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Status out(StatusCode::kInvalidArgument, text("message"), text("field"));
  if (text("key").empty()) return out;
  Status::MessageArgs args;
  if (auto it = problem.find("args"); it != problem.end() && it->is_array()) {
    for (const auto& arg : *it) {
      if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_string())
        args.push_back({arg[0].get<std::string>(), arg[1].get<std::string>()});
    }
  }
  return std::move(out).Says(text("key"), std::move(args));
}

}  // namespace cbrnhub
