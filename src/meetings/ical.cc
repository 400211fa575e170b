// iCalendar (RFC 5545) export of the calendar: written here rather than with libical, since we
// only write all-day events and the three rules that matter (CRLF, folding at 75 octets,
// TEXT escaping) fit in a page; see docs/decisions.md.
#include <ctime>

#include "meetings/meetings.h"

namespace cbrnhub::meetings {
namespace {

// YYYY-MM-DD -> YYYYMMDD, and the day after (DTEND of an all-day event is exclusive).
std::string Basic(const std::string& date) {
  return date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
}

std::string DayAfter(const std::string& date) {
  std::tm tm{};
  tm.tm_year = std::stoi(date.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(date.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(date.substr(8, 2)) + 1;
  tm.tm_hour = 12;
  timegm(&tm);  // normalises the day past the month's end
  char buf[9];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

// 2026-11-30T06:44:41.123Z -> 20261130T064441Z
std::string Stamp(const std::string& iso) {
  bool ok = iso.size() >= 19 && iso[10] == 'T';
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u})
    ok = ok && iso[i] >= '0' && iso[i] <= '9';
  if (!ok) return "19700101T000000Z";
  return Basic(iso.substr(0, 10)) + "T" + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2) + "Z";
}

bool IsDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::string ICalEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) break;  // CONTROL is not TEXT
        out += c;
    }
  }
  return out;
}

std::string ICalFold(const std::string& line) {
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < line.size();) {
    // A UTF-8 sequence stays whole: its length from the lead byte.
    auto c = static_cast<unsigned char>(line[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > line.size()) len = line.size() - i;
    if (width + len > 75) {
      out += "\r\n ";
      width = 1;  // the space counts
    }
    out.append(line, i, len);
    width += len;
    i += len;
  }
  return out;
}

std::string ICalendar(const std::vector<Event>& events, const std::string& name,
                      const std::string& stamp) {
  std::string out;
  auto line = [&](const std::string& l) { out += ICalFold(l) + "\r\n"; };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//cbrnhub//meetings//EN");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  line("X-WR-CALNAME:" + ICalEscape(name));
  for (const auto& e : events) {
    if (!IsDate(e.start) || !IsDate(e.end))
      continue;  // stored dates are checked; a guard for fuzzing
    line("BEGIN:VEVENT");
    line("UID:" + ICalEscape(e.uid) + "@cbrnhub");
    line("DTSTAMP:" + Stamp(stamp));
    line("LAST-MODIFIED:" + Stamp(e.updated));
    line("DTSTART;VALUE=DATE:" + Basic(e.start));
    line("DTEND;VALUE=DATE:" + DayAfter(e.end));
    line("SUMMARY:" + ICalEscape(e.title));
    if (!e.place.empty()) line("LOCATION:" + ICalEscape(e.place));
    line("CATEGORIES:" + ICalEscape(e.type));
    const char* status = e.status == "cancelled" ? "CANCELLED"
                         : e.status == "held"    ? "CONFIRMED"
                                                 : "TENTATIVE";
    std::string status_line = "STATUS:";
    status_line += status;
    line(status_line);
    line("TRANSP:TRANSPARENT");
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace cbrnhub::meetings
