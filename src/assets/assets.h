// Files compiled into the binary at build time: data/ (reference and demo data) and web/
// (templates, message catalogues, static files), so one binary runs anywhere.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace cbrnhub::assets {

// The contents of the file at `path` relative to its root ("data/reference/regions.csv",
// "web/templates/base.html"), or nullopt.
std::optional<std::string_view> Find(std::string_view path);

// Every asset path that starts with `prefix`, sorted.
std::vector<std::string_view> List(std::string_view prefix);

}  // namespace cbrnhub::assets
