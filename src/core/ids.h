// Identifiers and timestamps shared by every record.
#pragma once

#include <string>
#include <string_view>

namespace cbrnhub {

// A random (version 4) UUID in canonical lowercase form; unique across installations so that
// national and regional installations can exchange records without clashes.
std::string NewUuid();

// True when `s` is a canonical UUID (36 chars, lowercase or uppercase hex).
bool IsUuid(std::string_view s);

// Current UTC time as ISO 8601 with milliseconds, e.g. 2026-11-25T16:01:02.345Z.
// Lexical order equals time order, so it sorts correctly in both databases.
std::string NowUtc();

// UTC time `seconds` from now (negative: in the past), in the same format as NowUtc().
std::string UtcAfter(long long seconds);

// Seconds since the Unix epoch.
long long UnixNow();

// Seconds since the Unix epoch of a timestamp in NowUtc()'s format; 0 when it is not one.
long long UnixFromUtc(const std::string& iso);

// SHA-256 of `data` as 64 lowercase hex digits (checksums, fingerprints, token hashes).
std::string Sha256Hex(std::string_view data);

// Standard base64 (with padding), for files kept in text columns; decoding is false for text
// that is not base64.
std::string Base64Encode(std::string_view data);
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace cbrnhub
