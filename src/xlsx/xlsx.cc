#include "xlsx/xlsx.h"

#include <cmath>
#include <pugixml.hpp>
#include <unistd.h>
#include <zip.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

namespace cbrnhub::xlsx {
namespace {

// An XLSX file is at most this large, and unpacks to at most this much (a workbook of 1,000
// questions or 200 actions is about 1 MiB unpacked).
constexpr size_t kMaxFile = 32u << 20;
constexpr zip_uint64_t kMaxUnpacked = 64u << 20;
constexpr zip_int64_t kMaxParts = 10000;

class Zip {
 public:
  static Result<std::unique_ptr<Zip>> Open(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!src) return Status::Invalid("workbook", "cannot read the upload");
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!z) {
      zip_source_free(src);
      std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      return Status::Invalid("workbook", "not an XLSX file (a damaged or truncated zip archive: " + why + ")");
    }
    zip_error_fini(&error);
    auto out = std::unique_ptr<Zip>(new Zip);
    out->zip_ = z;
    CBRN_RETURN_IF_ERROR(out->CheckTotalSize());
    return out;
  }
  ~Zip() {
    if (zip_) zip_discard(zip_);
  }
  // A zip bomb is refused before any part is inflated: the sizes the archive declares for all
  // its parts together. Reading never inflates more than a part declares.
  Status CheckTotalSize() {
    zip_int64_t n = zip_get_num_entries(zip_, 0);
    if (n < 0 || n > kMaxParts) return Status::Invalid("workbook", "the archive has too many parts to be a workbook");
    zip_uint64_t total = 0;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(zip_, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        return Status::Invalid("workbook", "a part of the archive is damaged");
      }
      total += st.size;
      if (total > kMaxUnpacked) return Status::Invalid("workbook", "the workbook unpacks to more than 64 MiB: not a cbrnhub workbook");
    }
    return Status::Ok();
  }
  // The member `name`; NotFound when absent.
  Result<std::string> Read(const std::string& name) {
    zip_stat_t st;
    if (zip_stat(zip_, name.c_str(), 0, &st) != 0) return Status::NotFound(name);
    if (st.size > kMaxUnpacked) return Status::Invalid("workbook", name + " is too large");
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (!f) return Status::Invalid("workbook", "cannot open " + name + " in the archive");
    std::string out(st.size, '\0');
    zip_int64_t n = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) return Status::Invalid("workbook", name + " is damaged in the archive");
    return out;
  }

 private:
  Zip() = default;
  zip_t* zip_ = nullptr;
};

Result<pugi::xml_document> ParseXml(const std::string& text, const std::string& name) {
  pugi::xml_document doc;
  // Whitespace-only text is a value too (" " must come back as " ").
  if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata)) {
    return Status::Invalid("workbook", name + " is not well-formed XML");
  }
  return doc;
}

std::string AllText(const pugi::xml_node& n) {
  std::string out;
  for (auto t : n.select_nodes(".//*[local-name()='t']")) out += t.node().text().as_string();
  return out;
}

// Column letters of a cell reference ("E12" -> 4), -1 when malformed; *row gets the row (1-based).
int ColumnOf(const std::string& ref, int* row) {
  int col = 0;
  size_t i = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    col = col * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (col > 16384) return -1;
    ++i;
  }
  if (i == 0 || i == ref.size()) return -1;
  *row = std::atoi(ref.c_str() + i);
  return col - 1;
}

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF):
// every text of a workbook must be, for it is kept and shown as text.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static const unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (len > 1 && (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    i += len;
  }
  return true;
}

Result<Sheet> ReadSheet(Zip& zip, const std::string& path, const std::string& name, const std::vector<std::string>& shared) {
  CBRN_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(xml, path));
  Sheet sheet;
  for (auto c : doc.select_nodes("//*[local-name()='c']")) {
    pugi::xml_node cell = c.node();
    int row = 0;
    int col = ColumnOf(cell.attribute("r").as_string(), &row);
    if (col < 0 || row <= 0) continue;
    std::string type = cell.attribute("t").as_string();
    std::string v = cell.child("v").text().as_string();
    if (type == "s") {
      size_t i = static_cast<size_t>(std::atol(v.c_str()));
      if (v.empty() || i >= shared.size()) return Status::Invalid("workbook", path + ": a cell points at a missing shared string");
      v = shared[i];
    } else if (type == "inlineStr") {
      v = AllText(cell.child("is"));
    }
    if (!IsUtf8(v)) {
      return Status::Invalid("workbook", "sheet " + name + " cell " + ColumnName(col) + std::to_string(row) +
                                             ": the text is not valid UTF-8");
    }
    sheet[row][col] = v;
  }
  return sheet;
}

}  // namespace

Result<Book> Read(const std::string& bytes) {
  if (bytes.size() > kMaxFile) return Status::Invalid("workbook", "the file is larger than 32 MiB");
  if (bytes.compare(0, 4, "PK\x03\x04") != 0) return Status::Invalid("workbook", "not an XLSX file");
  CBRN_ASSIGN_OR_RETURN(auto zip, Zip::Open(bytes));
  // Sheets by name, through the workbook's relationships.
  auto wb_xml = zip->Read("xl/workbook.xml");
  auto rels_xml = zip->Read("xl/_rels/workbook.xml.rels");
  if (!wb_xml.ok() || !rels_xml.ok()) return Status::Invalid("workbook", "not an XLSX workbook (no xl/workbook.xml)");
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document wb, ParseXml(*wb_xml, "xl/workbook.xml"));
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document rels, ParseXml(*rels_xml, "xl/_rels/workbook.xml.rels"));
  std::map<std::string, std::string> target_of;
  for (auto r : rels.select_nodes("//*[local-name()='Relationship']")) {
    std::string target = r.node().attribute("Target").as_string();
    if (target.rfind("/xl/", 0) == 0) target = target.substr(4);
    target_of[r.node().attribute("Id").as_string()] = "xl/" + target;
  }
  std::vector<std::string> shared;
  if (auto ss = zip->Read("xl/sharedStrings.xml"); ss.ok()) {
    CBRN_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(*ss, "xl/sharedStrings.xml"));
    for (auto si : doc.select_nodes("//*[local-name()='si']")) shared.push_back(AllText(si.node()));
  }
  Book book;
  for (auto s : wb.select_nodes("//*[local-name()='sheet']")) {
    std::string rid;
    for (auto a : s.node().attributes()) {
      if (std::string(a.name()).find(":id") != std::string::npos) rid = a.value();
    }
    auto target = target_of.find(rid);
    if (target == target_of.end()) continue;
    std::string name = s.node().attribute("name").as_string();
    if (!IsUtf8(name)) return Status::Invalid("workbook", "a sheet's name is not valid UTF-8");
    CBRN_ASSIGN_OR_RETURN(Sheet sheet, ReadSheet(*zip, target->second, name, shared));
    book.sheets[name] = std::move(sheet);
  }
  return book;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string Excerpt(const std::string& s) {
  if (s.size() <= 40) return s;
  size_t cut = 40;
  // Never inside a UTF-8 sequence: a cut one would make the message (and its JSON) invalid.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

std::string Quoted(const std::string& s) { return "\"" + Excerpt(s) + "\""; }

std::string DateOf(const std::string& cell, bool* ok) {
  *ok = true;
  if (cell.size() == 10 && cell[4] == '-' && cell[7] == '-') return cell;
  char* end = nullptr;
  double serial = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || !std::isfinite(serial) || serial < 1 || serial > 80000) {
    *ok = false;
    return cell;
  }
  long days = static_cast<long>(serial) - 25569;  // to days since 1970-01-01
  // Civil date from a day number (Howard Hinnant's algorithm, in the public domain).
  days += 719468;
  long era = (days >= 0 ? days : days - 146096) / 146097;
  long doe = days - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y, m, d);
  return buf;
}

bool IntegerOf(const std::string& cell, std::int64_t* out) {
  char* end = nullptr;
  double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || !std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15) return false;
  *out = static_cast<std::int64_t>(v);
  return true;
}

std::string ColumnName(int column) {
  std::string out;
  for (int c = column + 1; c > 0; c = (c - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (c - 1) % 26));
  return out;
}

Result<std::unique_ptr<Writer>> Writer::Create() {
  auto w = std::unique_ptr<Writer>(new Writer);
  char path[] = "/tmp/cbrnhub-workbook-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Status::Internal("cannot create a temporary file for the workbook");
  close(fd);
  w->path_ = path;
  w->wb_ = workbook_new(path);
  if (!w->wb_) return Status::Internal("cannot create the workbook");
  return w;
}

Writer::~Writer() {
  if (wb_) workbook_close(wb_);
  if (!path_.empty()) std::remove(path_.c_str());
}

const char* Writer::Keep(std::string s) {
  kept_.push_back(std::make_unique<std::string>(std::move(s)));
  return kept_.back()->c_str();
}

lxw_format* Writer::bold() {
  if (!bold_) {
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
  }
  return bold_;
}

lxw_format* Writer::wrap() {
  if (!wrap_) {
    wrap_ = workbook_add_format(wb_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
  }
  return wrap_;
}

char** Writer::KeepList(const std::vector<std::string>& items) {
  auto list = std::make_unique<std::vector<char*>>();
  for (const auto& item : items) list->push_back(const_cast<char*>(Keep(item)));
  list->push_back(nullptr);
  lists_.push_back(std::move(list));
  return lists_.back()->data();
}

Result<std::string> Writer::Finish() {
  lxw_error err = workbook_close(wb_);
  wb_ = nullptr;
  if (err != LXW_NO_ERROR) return Status::Internal("writing the workbook failed");
  std::ifstream in(path_, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace cbrnhub::xlsx
