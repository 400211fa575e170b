// Private to http: the round table's brief laid out once as a document (sections of
// paragraphs, tables and charts, every word translated), then drawn as printable HTML or as a
// PDF (cairo + pango). Both renderers draw the same document, so they cannot disagree.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/views.h"

namespace cbrnhub::http::brief {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> widths;  // relative column widths (sum 1)
  // Heat-map cells: a score in 0..1 per cell (-1: none); empty for an ordinary table.
  std::vector<std::vector<double>> heat;
};

struct Bar {
  std::string label;
  double value = 0;
  std::string shown;  // the value as printed
};

struct Block {
  enum class Kind { kParagraph, kNote, kTable, kBars, kMap } kind = Kind::kParagraph;
  std::string text;  // kMap: its title
  // kMap: the region's map drawn as SVG (HTML), and projected for the PDF with each shape's
  // fill ("#rrggbb", "" for hatched: nothing shared) and the legend (fill, words).
  std::string svg;
  MapDrawing map;
  std::vector<std::string> fills;
  std::vector<std::pair<std::string, std::string>> legend;
  Table table;
  std::vector<Bar> bars;
};

struct Section {
  std::string id, title;
  std::vector<Block> blocks;
};

struct Document {
  std::string lang, title, running;  // running: the header on every page (region and date)
  std::string toc_title, page_word, generated;
  std::vector<Section> sections;
};

using Words = std::function<std::string(const std::string& key)>;

// Lays out a brief (meetings::Service::Brief's value) in the words of `tr`.
Document Build(const nlohmann::json& brief, const Words& tr);
// A complete HTML page with print CSS (A4, page breaks before sections, running header).
std::string Html(const Document& doc);
// A PDF: title page with the table of contents (page numbers), running header and page
// numbers on every page, charts drawn as vectors. Internal when cairo fails.
Result<std::string> Pdf(const Document& doc);

}  // namespace cbrnhub::http::brief
