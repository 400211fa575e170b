#include "core/upload.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace cbrnhub {

std::string UploadProblem(const std::string& filename, const std::string& data, std::string* type) {
  if (filename.empty() || filename.size() > 200 || filename.find_first_of("/\\\r\n\"") != std::string::npos) {
    return "give a file with a plain name (up to 200 characters)";
  }
  if (data.empty()) return filename + " is empty";
  if (data.size() > kMaxUploadBytes) return filename + " is larger than 10 MiB";
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
      {".txt", "text/plain"}, {".csv", "text/csv"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".odt", "application/vnd.oasis.opendocument.text"}, {".ods", "application/vnd.oasis.opendocument.spreadsheet"}};
  std::string lower = filename;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  std::string ext = lower.substr(lower.find_last_of('.') == std::string::npos ? lower.size() : lower.find_last_of('.'));
  for (const auto& [e, t] : kTypes) {
    if (ext != e) continue;
    *type = t;
    // The content must be what the name says.
    auto starts = [&](std::string_view magic) { return data.compare(0, magic.size(), magic) == 0; };
    if (ext == ".pdf" && !starts("%PDF")) return filename + " is not a PDF file";
    if (ext == ".png" && !starts("\x89PNG")) return filename + " is not a PNG image";
    if ((ext == ".jpg" || ext == ".jpeg") && !starts("\xff\xd8")) return filename + " is not a JPEG image";
    if ((ext == ".docx" || ext == ".xlsx" || ext == ".odt" || ext == ".ods") && !starts("PK\x03\x04")) {
      return filename + " is not an office document";
    }
    return "";
  }
  return filename + " has a type that is not accepted (PDF, PNG, JPEG, TXT, CSV, DOCX, XLSX, ODT, ODS)";
}

}  // namespace cbrnhub
