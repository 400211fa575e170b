// Files people attach (evidence for an answer or a rating, documents of an activity): what is
// accepted, checked the same way everywhere.
#pragma once

#include <string>

namespace cbrnhub {

// At most this many bytes per file.
inline constexpr size_t kMaxUploadBytes = 10u << 20;

// "" when `filename` and `data` make an acceptable file (a plain name of up to 200 characters,
// not empty, at most 10 MiB, PDF, images, office documents, text, whose content is what the
// name says), and sets `*content_type`; else the problem, naming the file ("scan.pdf is not a
// PDF file").
std::string UploadProblem(const std::string& filename, const std::string& data, std::string* content_type);

}  // namespace cbrnhub
