// Fuzz targets: one function per parser that reads outside input. Each takes arbitrary bytes
// and must neither crash nor trip a sanitizer, whatever they are. The same functions are run by
// libFuzzer (fuzz/run, clang) and, on every committed seed and regression input, by the normal
// test suite (tests/fuzz_regression_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cbrnhub::fuzz {

using Target = int (*)(const std::uint8_t* data, std::size_t size);

struct NamedTarget {
  const char* name;  // also the folder under fuzz/corpus and fuzz/regressions
  Target run;
};

// JSON request bodies of every record kind: parsed, validated and written (then rolled back).
// The first byte picks the kind and create/update.
int JsonBody(const std::uint8_t* data, std::size_t size);
// CSV files (data files, party lists): parsed into records and into a table with a header.
int Csv(const std::uint8_t* data, std::size_t size);
// Configuration files.
int Config(const std::uint8_t* data, std::size_t size);
// Backup files given to `cbrnhub restore`.
int Backup(const std::uint8_t* data, std::size_t size);
// UN consolidated list XML.
int UnXml(const std::uint8_t* data, std::size_t size);
// EU consolidated financial sanctions list XML.
int EuXml(const std::uint8_t* data, std::size_t size);
// OFAC SDN CSV: the input is split at the first two 0x1E bytes into sdn, add and alt.
int OfacCsv(const std::uint8_t* data, std::size_t size);
// Our list CSV and party CSV (screening input), then a screen of each party name.
int ListCsv(const std::uint8_t* data, std::size_t size);
// multipart/form-data bodies (list and party uploads through the web UI).
int Multipart(const std::uint8_t* data, std::size_t size);
// Questionnaire definitions (YAML) and version mappings.
int Definition(const std::uint8_t* data, std::size_t size);
// Uploaded assessment workbooks (XLSX: zip + XML).
int Workbook(const std::uint8_t* data, std::size_t size);
// Query strings, cookies and Accept-Language headers.
int Query(const std::uint8_t* data, std::size_t size);
// Uploaded plan workbooks (XLSX), previewed against a fixed plan with two actions: every row
// parsed and tried through the records' checks, then rolled back.
int PlanWorkbook(const std::uint8_t* data, std::size_t size);

// Risk method definitions (YAML), and the ratings every accepted method checks and rates.
int RiskMethod(const std::uint8_t* data, std::size_t size);
// Uploaded risk register workbooks (XLSX), previewed against a fixed register with one scenario.
int RiskWorkbook(const std::uint8_t* data, std::size_t size);
// Round-table minutes in Markdown, rendered to HTML (raw HTML must never come through).
int Markdown(const std::uint8_t* data, std::size_t size);
// Calendar entries with arbitrary text, written as iCalendar: every line CRLF-terminated, at
// most 75 octets, never split inside a UTF-8 sequence.
int ICal(const std::uint8_t* data, std::size_t size);

// Hazard release JSON: refused with a field, or a footprint whose GeoJSON and grid hold no NaN
// or infinity.
int HazardRelease(const std::uint8_t* data, std::size_t size);

// Population grids (ESRI ASCII): refused with a line, or counted under a chlorine plume from the
// grid's middle with finite, non-negative counts no larger than the grid's total.
int PopulationGrid(const std::uint8_t* data, std::size_t size);

const std::vector<NamedTarget>& AllTargets();

}  // namespace cbrnhub::fuzz
