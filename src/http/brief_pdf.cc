// The brief as a PDF, drawn with cairo and laid out with pango (shaping, line breaking and
// font fallback for every script; DejaVu Sans covers Latin and Cyrillic).
//
// Two passes over the same layout code: the first only measures (where each section starts,
// how many pages), the second draws, so the table of contents and "page N of M" are exact.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "http/brief.h"
#include "i18n/i18n.h"

namespace cbrnhub::http::brief {
namespace {

// A4 in points, and the margins: room for the running header and the page number.
constexpr double kWidth = 595.28, kHeight = 841.89;
constexpr double kLeft = 42, kRight = 42, kTop = 64, kBottom = 56;
constexpr double kBody = kWidth - kLeft - kRight;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Writer {
 public:
  Writer(cairo_t* cr, bool draw, const Document& doc)
      : cr_(cr), draw_(draw), doc_(doc), rtl_(i18n::RightToLeft(doc.lang)) {
    layout_ = pango_cairo_create_layout(cr_);
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    if (rtl_) {
      // Every paragraph right to left and flush right, also one that holds only digits or a
      // Latin name (a page number, a country code): the page reads from the right throughout.
      pango_context_set_base_dir(pango_layout_get_context(layout_), PANGO_DIRECTION_RTL);
      pango_layout_context_changed(layout_);
      pango_layout_set_auto_dir(layout_, FALSE);
      pango_layout_set_alignment(layout_, PANGO_ALIGN_RIGHT);
    }
  }
  ~Writer() { g_object_unref(layout_); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  int page() const { return page_; }
  std::vector<int> section_pages;

  // Lays out `text` at `size` points in `width`: its height.
  double Measure(const std::string& text, double size, double width, bool bold = false) {
    Prepare(text, size, width, bold);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  void Text(const std::string& text, double x, double y, double size, double width,
            bool bold = false, double grey = 0) {
    if (!draw_) return;
    Prepare(text, size, width, bold);
    cairo_set_source_rgb(cr_, grey, grey, grey);
    cairo_move_to(cr_, X(x, width), y);
    pango_cairo_show_layout(cr_, layout_);
  }

  void Run(int total_pages, const std::vector<int>& toc_pages) {
    total_ = total_pages;
    // Title page with the contents.
    y_ = kTop;
    double h = Measure(doc_.title, 20, kBody, true);
    Text(doc_.title, kLeft, y_, 20, kBody, true);
    y_ += h + 8;
    h = Measure(doc_.running, 11, kBody);
    Text(doc_.running, kLeft, y_, 11, kBody, false, 0.3);
    y_ += h + 24;
    Text(doc_.toc_title, kLeft, y_, 14, kBody, true);
    y_ += Measure(doc_.toc_title, 14, kBody, true) + 8;
    for (size_t i = 0; i < doc_.sections.size(); ++i) {
      std::string entry = std::to_string(i + 1) + ". " + doc_.sections[i].title;
      Text(entry, kLeft + 10, y_, 11, kBody - 80);
      if (i < toc_pages.size()) {
        std::string p = std::to_string(toc_pages[i]);
        Text(p, kLeft + kBody - 40, y_, 11, 40);
      }
      y_ += Measure(entry, 11, kBody - 80) + 4;
    }
    y_ += 16;
    double note = Measure(doc_.generated, 8.5, kBody);
    Text(doc_.generated, kLeft, y_, 8.5, kBody, false, 0.35);
    y_ += note;
    for (size_t i = 0; i < doc_.sections.size(); ++i) {
      NewPage();
      section_pages.push_back(page_);
      const Section& s = doc_.sections[i];
      std::string title = std::to_string(i + 1) + ". " + s.title;
      Text(title, kLeft, y_, 15, kBody, true);
      y_ += Measure(title, 15, kBody, true) + 10;
      for (const auto& b : s.blocks) Draw(b);
    }
    Decorate();
  }

 private:
  // Where a box laid out at `x` (from the left, as for a left-to-right page) of width `w` goes:
  // mirrored on a right-to-left page, so that it starts at the right margin.
  double X(double x, double w) const { return rtl_ ? kWidth - x - w : x; }
  void Rectangle(double x, double y, double w, double h) { cairo_rectangle(cr_, X(x, w), y, w, h); }

  void Prepare(const std::string& text, double size, double width, bool bold) {
    PangoFontDescription* font = pango_font_description_new();
    pango_font_description_set_family(font, "DejaVu Sans");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout_, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_text(layout_, text.c_str(), static_cast<int>(text.size()));
  }

  // The running header and the page number of the page being finished.
  void Decorate() {
    if (!draw_) return;
    Text(doc_.running, kLeft, 24, 8, kBody, false, 0.4);
    cairo_set_source_rgb(cr_, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kLeft, 38);
    cairo_line_to(cr_, kWidth - kRight, 38);
    cairo_stroke(cr_);
    std::string number =
        doc_.page_word + " " + std::to_string(page_) + " / " + std::to_string(total_);
    Text(number, kLeft, kHeight - 36, 8, kBody, false, 0.4);
  }

  void NewPage() {
    Decorate();
    if (draw_) cairo_show_page(cr_);
    ++page_;
    y_ = kTop;
  }
  void Need(double height) {
    if (y_ + height > kHeight - kBottom) NewPage();
  }

  void Draw(const Block& b) {
    switch (b.kind) {
      case Block::Kind::kParagraph:
      case Block::Kind::kNote: {
        bool note = b.kind == Block::Kind::kNote;
        double h = Measure(b.text, 10, kBody);
        Need(h);
        Text(b.text, kLeft, y_, 10, kBody, false, note ? 0.4 : 0);
        y_ += h + 6;
        break;
      }
      case Block::Kind::kBars:
        Bars(b);
        break;
      case Block::Kind::kTable:
        TableOf(b.table);
        break;
      case Block::Kind::kMap:
        Map(b);
        break;
    }
  }

  // "#rrggbb" as the source colour.
  void Colour(const std::string& hex) {
    unsigned rgb =
        hex.size() == 7 ? static_cast<unsigned>(std::stoul(hex.substr(1), nullptr, 16)) : 0;
    cairo_set_source_rgb(cr_, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
  }

  // The current path (within x0..x1, y0..y1) filled with the "not shared" hatching, as on the
  // pages' maps; the path stays current for its outline.
  void Hatch(double x0, double y0, double x1, double y1) {
    cairo_path_t* outline = cairo_copy_path(cr_);
    cairo_save(cr_);
    cairo_clip_preserve(cr_);
    cairo_set_source_rgb(cr_, 0.953, 0.957, 0.965);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0.6, 0.64, 0.68);
    cairo_set_line_width(cr_, 1);
    for (double d = -(y1 - y0); d < x1 - x0; d += 4) {
      cairo_move_to(cr_, x0 + d, y1);
      cairo_line_to(cr_, x0 + d + (y1 - y0), y0);
    }
    cairo_stroke(cr_);
    cairo_restore(cr_);
    cairo_new_path(cr_);
    cairo_append_path(cr_, outline);
    cairo_path_destroy(outline);
  }

  // The current path (within x0..x1, y0..y1) filled with `fill` ("#rrggbb"; "": hatched as not
  // shared), then outlined.
  void FillShape(const std::string& fill, double x0, double y0, double x1, double y1) {
    if (fill.empty()) {
      Hatch(x0, y0, x1, y1);
    } else {
      Colour(fill);
      cairo_fill_preserve(cr_);
    }
    cairo_set_source_rgb(cr_, 0.29, 0.33, 0.38);
    cairo_set_line_width(cr_, 0.4);
    cairo_stroke(cr_);
  }

  // The region's map: each country filled by its score band (hatched when it shared nothing),
  // at most about half a page tall, and the legend of the bands under it.
  void Map(const Block& b) {
    const MapDrawing& m = b.map;
    if (m.shapes.empty() || m.width <= 0 || m.height <= 0) return;
    const double scale = std::min(kBody / m.width, 340.0 / m.height);
    const double height = m.height * scale, legend = 22;
    double caption = Measure(b.text, 10, kBody, true);
    Need(caption + 4 + height + legend);
    Text(b.text, kLeft, y_, 10, kBody, true);
    y_ += caption + 4;
    // A map is never mirrored (geography); on a right-to-left page it sits at the right margin.
    const double left = X(kLeft, m.width * scale);
    if (draw_) {
      for (size_t s = 0; s < m.shapes.size(); ++s) {
        const MapShape& shape = m.shapes[s];
        const std::string fill = s < b.fills.size() ? b.fills[s] : "";
        cairo_new_path(cr_);
        double x0 = kWidth, y0 = kHeight, x1 = 0, y1 = 0;
        for (const auto& ring : shape.rings) {
          for (size_t i = 0; i < ring.size(); ++i) {
            double x = left + ring[i].first * scale, y = y_ + ring[i].second * scale;
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
            if (i == 0)
              cairo_move_to(cr_, x, y);
            else
              cairo_line_to(cr_, x, y);
          }
          cairo_close_path(cr_);
        }
        FillShape(fill, x0, y0, x1, y1);
      }
    }
    y_ += height + 6;
    double x = kLeft;
    const double step = kBody / std::max<size_t>(1, b.legend.size());
    for (const auto& [fill, words] : b.legend) {
      if (draw_) {
        cairo_new_path(cr_);
        Rectangle(x, y_ + 1, 10, 10);
        FillShape(fill, X(x, 10), y_ + 1, X(x, 10) + 10, y_ + 11);
      }
      Text(words, x + 14, y_, 8, step - 16);
      x += step;
    }
    y_ += legend;
  }

  void Bars(const Block& b) {
    double max = 1;
    for (const auto& bar : b.bars) max = std::max(max, bar.value);
    double caption = Measure(b.text, 10, kBody, true);
    Need(caption + 18.0 * static_cast<double>(b.bars.size()) + 8);
    Text(b.text, kLeft, y_, 10, kBody, true);
    y_ += caption + 4;
    const double label = 130, span = 200;
    for (const auto& bar : b.bars) {
      Text(bar.label, kLeft, y_, 9, label - 6);
      double w = span * bar.value / max;
      if (draw_) {
        cairo_set_source_rgb(cr_, 0.27, 0.6, 0.45);
        Rectangle(kLeft + label, y_ + 2, std::max(w, 1.0), 11);
        cairo_fill(cr_);
      }
      Text(bar.shown, kLeft + label + w + 6, y_, 9, kBody - label - w - 6);
      y_ += 18;
    }
    y_ += 8;
  }

  static constexpr double kCell = 8.5, kPad = 3;

  double RowHeight(const std::vector<std::string>& cells, const std::vector<double>& widths,
                   bool header) {
    double height = 0;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      height = std::max(height, Measure(cells[c], kCell, widths[c] * kBody - 2 * kPad, header));
    }
    return height + 2 * kPad;
  }

  void Row(const std::vector<std::string>& cells, const std::vector<double>& widths, bool header,
           const std::vector<double>* heat) {
    double height = RowHeight(cells, widths, header);
    double x = kLeft;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      double w = widths[c] * kBody;
      if (draw_) {
        double v = heat ? (*heat)[c] : -1;
        if (header) {
          cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
        } else if (v >= 0) {
          // Red (0) to green (1), as in the HTML heat map.
          v = std::clamp(v, 0.0, 1.0);
          cairo_set_source_rgb(cr_, 0.95 - 0.35 * v, 0.6 + 0.35 * v, 0.6);
        } else {
          cairo_set_source_rgb(cr_, 1, 1, 1);
        }
        Rectangle(x, y_, w, height);
        cairo_fill_preserve(cr_);
        cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr_, 0.5);
        cairo_stroke(cr_);
      }
      Text(cells[c], x + kPad, y_ + kPad, kCell, w - 2 * kPad, header);
      x += w;
    }
    y_ += height;
  }

  // A table; a row that does not fit starts a new page, under the header repeated.
  void TableOf(const Table& t) {
    double header = RowHeight(t.header, t.widths, true);
    Need(header + (t.rows.empty() ? 0 : RowHeight(t.rows[0], t.widths, false)));
    Row(t.header, t.widths, true, nullptr);
    for (size_t r = 0; r < t.rows.size(); ++r) {
      double h = RowHeight(t.rows[r], t.widths, false);
      if (y_ + h > kHeight - kBottom) {
        NewPage();
        Row(t.header, t.widths, true, nullptr);
      }
      Row(t.rows[r], t.widths, false, t.heat.empty() ? nullptr : &t.heat[r]);
    }
    y_ += 10;
  }

  cairo_t* cr_;
  bool draw_;
  const Document& doc_;
  const bool rtl_;
  PangoLayout* layout_;
  int page_ = 1, total_ = 0;
  double y_ = kTop;
};

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

}  // namespace

Result<std::string> Pdf(const Document& doc) {
  // Pass 1: measure on a scratch surface (nothing drawn).
  std::vector<int> toc;
  int pages = 0;
  {
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> scratch(
        cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1));
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(scratch.get()));
    Writer measure(cr.get(), false, doc);
    measure.Run(0, {});
    toc = measure.section_pages;
    pages = measure.page();
  }
  std::string out;
  {
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
        cairo_pdf_surface_create_for_stream(Append, &out, kWidth, kHeight));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("cairo: ") +
                              cairo_status_to_string(cairo_surface_status(surface.get())));
    }
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, doc.title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "cbrnhub");
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    Writer writer(cr.get(), true, doc);
    writer.Run(pages, toc);
    // The PDF's outline (bookmarks): one entry per section, to its first page.
    for (size_t i = 0; i < doc.sections.size() && i < toc.size(); ++i) {
      std::string title = std::to_string(i + 1) + ". " + doc.sections[i].title;
      cairo_pdf_surface_add_outline(surface.get(), CAIRO_PDF_OUTLINE_ROOT, title.c_str(),
                                    ("page=" + std::to_string(toc[i])).c_str(),
                                    CAIRO_PDF_OUTLINE_FLAG_OPEN);
    }
    cairo_show_page(cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("cairo: ") +
                              cairo_status_to_string(cairo_surface_status(surface.get())));
    }
  }
  return out;
}

}  // namespace cbrnhub::http::brief
