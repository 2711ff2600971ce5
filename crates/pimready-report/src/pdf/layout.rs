//! A small layout engine over printpdf's `Op`s: text measured from the font's advance
//! widths, word wrapping (long unbreakable strings such as UPNs are broken by
//! character), a cursor that starts a new page when a block does not fit, and tables
//! with column widths and headers repeated on every page they span.
//!
//! Coordinates: the engine thinks top-down (`y` = distance from the page's top edge);
//! PDF is bottom-up, so every op converts with `page_h - y`.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfFontHandle, Point, Polygon,
    PolygonRing, Pt, Rect, Rgb, TextItem, WindingOrder,
};

use super::super::ReportError;

/// A colour as 0–255 RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb8(pub u8, pub u8, pub u8);

impl Rgb8 {
    pub fn color(self) -> Color {
        Color::Rgb(Rgb::new(
            f32::from(self.0) / 255.0,
            f32::from(self.1) / 255.0,
            f32::from(self.2) / 255.0,
            None,
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    Mono,
}

/// One embedded face: its resource id and advance widths.
pub struct FontFace {
    pub id: FontId,
    parsed: ParsedFont,
    units_per_em: f32,
    ascii: [f32; 128],
}

impl FontFace {
    fn load(bytes: &[u8], id: &str) -> Result<Self, ReportError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| ReportError::Font(format!("{id}: {warnings:?}")))?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em.max(1));
        let mut face = FontFace {
            id: FontId(id.to_owned()),
            parsed,
            units_per_em,
            ascii: [0.0; 128],
        };
        for (i, slot) in face.ascii.clone().iter().enumerate() {
            let _ = slot;
            face.ascii[i] = face.advance_slow(char::from(i as u8));
        }
        Ok(face)
    }

    fn advance_slow(&self, c: char) -> f32 {
        let gid = self.parsed.lookup_glyph_index(c as u32).unwrap_or(0);
        f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
    }

    /// Advance of `c` in ems.
    fn advance(&self, c: char) -> f32 {
        if (c as u32) < 128 {
            self.ascii[c as usize]
        } else {
            self.advance_slow(c)
        }
    }

    pub fn parsed(&self) -> &ParsedFont {
        &self.parsed
    }
}

/// The three faces of the report: DejaVu Sans, Sans Bold and Sans Mono.
pub struct Fonts {
    pub regular: FontFace,
    pub bold: FontFace,
    pub mono: FontFace,
}

impl Fonts {
    pub fn load() -> Result<Self, ReportError> {
        Ok(Fonts {
            regular: FontFace::load(dejavu::sans::regular(), "FSans")?,
            bold: FontFace::load(dejavu::sans::bold(), "FSansBold")?,
            mono: FontFace::load(dejavu::sans_mono::regular(), "FSansMono")?,
        })
    }

    pub fn face(&self, face: Face) -> &FontFace {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Mono => &self.mono,
        }
    }

    /// Width of `text` in points.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let f = self.face(face);
        text.chars().map(|c| f.advance(c)).sum::<f32>() * size
    }

    /// Splits `text` into lines no wider than `width`: at spaces, at explicit line
    /// breaks, and inside words too long for a line (by character).
    pub fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let space = self.width(face, size, " ");
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let word_w = self.width(face, size, word);
                let gap = if line.is_empty() { 0.0 } else { space };
                if line_w + gap + word_w <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w += gap + word_w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if word_w <= width {
                    line.push_str(word);
                    line_w = word_w;
                    continue;
                }
                // An unbreakable string wider than the line: break it by character.
                for c in word.chars() {
                    let w = self.width(face, size, c.encode_utf8(&mut [0; 4]));
                    if line_w + w > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Wraps source code: keeps each line's indentation, breaks over-long lines by
    /// character and indents the continuation.
    pub fn wrap_code(&self, face: Face, size: f32, code: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for source in code.lines() {
            let mut line = String::new();
            let mut w = 0.0;
            for c in source.chars() {
                let cw = self.width(face, size, c.encode_utf8(&mut [0; 4]));
                if w + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line.push_str("    ");
                    w = self.width(face, size, &line);
                }
                line.push(c);
                w += cw;
            }
            lines.push(line);
        }
        lines
    }

    /// Shortens `text` with an ellipsis to fit `width`.
    pub fn ellipsize(&self, face: Face, size: f32, text: &str, width: f32) -> String {
        if self.width(face, size, text) <= width {
            return text.to_owned();
        }
        let mut out = String::new();
        let budget = width - self.width(face, size, "…");
        let mut w = 0.0;
        for c in text.chars() {
            let cw = self.width(face, size, c.encode_utf8(&mut [0; 4]));
            if w + cw > budget {
                break;
            }
            out.push(c);
            w += cw;
        }
        out.push('…');
        out
    }
}

/// A run of text as placed on a page, in PDF coordinates (for tests and debugging).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    /// 0-based page index.
    pub page: usize,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub text: String,
}

/// A rectangle, line or polygon as drawn, in PDF coordinates (for tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedShape {
    pub page: usize,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb8,
}

impl Style {
    pub const fn new(face: Face, size: f32, color: Rgb8) -> Self {
        Style { face, size, color }
    }

    /// Baseline-to-baseline distance.
    pub fn leading(self) -> f32 {
        self.size * 1.38
    }
}

pub struct Page {
    pub ops: Vec<Op>,
    /// The running-header title of the section that started on or continues on this page.
    pub section: String,
}

/// Column of a table.
pub struct Column {
    pub title: String,
    /// Share of the table width; shares are normalised.
    pub share: f32,
}

/// One table cell: text, optionally styled, optionally drawn as a status chip.
#[derive(Clone)]
pub struct Cell {
    pub text: String,
    pub style: Option<Style>,
    pub chip: Option<(Rgb8, Rgb8)>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            style: None,
            chip: None,
        }
    }
    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        Cell {
            text: text.into(),
            style: Some(style),
            chip: None,
        }
    }
    /// A coloured chip (border and text colour, fill colour) that keeps its text, so it
    /// reads in black and white.
    pub fn chip(text: impl Into<String>, ink: Rgb8, fill: Rgb8) -> Self {
        Cell {
            text: text.into(),
            style: None,
            chip: Some((ink, fill)),
        }
    }
}

pub struct TableStyle {
    pub body: Style,
    pub header: Style,
    pub header_fill: Rgb8,
    pub rule: Rgb8,
    pub zebra: Option<Rgb8>,
    pub pad: f32,
}

/// The page composer: a list of pages and a cursor.
pub struct Composer<'f> {
    pub fonts: &'f Fonts,
    pub page_w: f32,
    pub page_h: f32,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
    pub pages: Vec<Page>,
    pub placed: Vec<PlacedText>,
    /// Cursor: distance from the top of the current page.
    pub y: f32,
    pub section: String,
    /// The page ops go to (the last one, except while drawing headers and footers).
    pub current: usize,
    /// Bounding boxes of every shape drawn, in PDF coordinates (for tests).
    pub shapes: Vec<PlacedShape>,
    /// Where each section starts: (title, 0-based page), for the document outline.
    pub outline: Vec<(String, usize)>,
    /// Images to register with the document: (resource name, pixels).
    pub images: Vec<(printpdf::XObjectId, printpdf::RawImage)>,
}

impl<'f> Composer<'f> {
    pub fn new(fonts: &'f Fonts, page_w: f32, page_h: f32) -> Self {
        Composer {
            fonts,
            page_w,
            page_h,
            left: 56.0,
            right: 56.0,
            top: 78.0,
            bottom: 66.0,
            pages: Vec::new(),
            placed: Vec::new(),
            y: 0.0,
            section: String::new(),
            current: 0,
            shapes: Vec::new(),
            outline: Vec::new(),
            images: Vec::new(),
        }
    }

    pub fn content_w(&self) -> f32 {
        self.page_w - self.left - self.right
    }

    pub fn limit(&self) -> f32 {
        self.page_h - self.bottom
    }

    pub fn remaining(&self) -> f32 {
        self.limit() - self.y
    }

    pub fn new_page(&mut self) {
        self.pages.push(Page {
            ops: Vec::new(),
            section: self.section.clone(),
        });
        self.current = self.pages.len() - 1;
        self.y = self.top;
    }

    /// Starts a new page unless `height` still fits below the cursor.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.pages.is_empty() || self.y + height > self.limit() {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn page_index(&self) -> usize {
        self.current
    }

    pub fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.current].ops
    }

    /// Places an image with its top-left corner at (`x`, `top`), `w` × `h` points.
    pub fn image(&mut self, image: printpdf::RawImage, x: f32, top: f32, w: f32, h: f32) {
        let id = printpdf::XObjectId(format!("Img{}", self.images.len() + 1));
        let transform = printpdf::XObjectTransform {
            translate_x: Some(Pt(x)),
            translate_y: Some(Pt(self.page_h - top - h)),
            rotate: None,
            scale_x: Some(w / image.width.max(1) as f32),
            scale_y: Some(h / image.height.max(1) as f32),
            dpi: Some(72.0),
            no_auto_scale: false,
        };
        self.record(x, self.page_h - top - h, x + w, self.page_h - top);
        self.images.push((id.clone(), image));
        self.ops().push(Op::UseXobject { id, transform });
    }

    /// Draws one line of text with its baseline `baseline` below the page's top.
    pub fn text_at(&mut self, x: f32, baseline: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        let width = self.fonts.width(style.face, style.size, text);
        let y = self.page_h - baseline;
        let id = self.fonts.face(style.face).id.clone();
        let page = self.page_index();
        self.placed.push(PlacedText {
            page,
            x0: x,
            y0: y - style.size * 0.24,
            x1: x + width,
            y1: y + style.size * 0.93,
            text: text.to_owned(),
        });
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(id),
                size: Pt(style.size),
            },
            Op::SetFillColor {
                col: style.color.color(),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Right-aligned text ending at `x_right`.
    pub fn text_right(&mut self, x_right: f32, baseline: f32, style: Style, text: &str) {
        let w = self.fonts.width(style.face, style.size, text);
        self.text_at(x_right - w, baseline, style, text);
    }

    pub fn text_center(&mut self, x_mid: f32, baseline: f32, style: Style, text: &str) {
        let w = self.fonts.width(style.face, style.size, text);
        self.text_at(x_mid - w / 2.0, baseline, style, text);
    }

    /// A filled rectangle; `top` is measured from the page's top.
    fn record(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let page = self.current;
        self.shapes.push(PlacedShape {
            page,
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        });
    }

    pub fn fill_rect(&mut self, x: f32, top: f32, w: f32, h: f32, fill: Rgb8) {
        let y = self.page_h - top - h;
        self.record(x, y, x + w, y + h);
        self.ops().extend([
            Op::SetFillColor { col: fill.color() },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(PaintMode::Fill),
                    winding_order: Some(WindingOrder::NonZero),
                },
            },
        ]);
    }

    pub fn stroke_rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: Rgb8, thickness: f32) {
        let y = self.page_h - top - h;
        self.record(
            x - thickness / 2.0,
            y - thickness / 2.0,
            x + w + thickness / 2.0,
            y + h + thickness / 2.0,
        );
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(PaintMode::Stroke),
                    winding_order: Some(WindingOrder::NonZero),
                },
            },
        ]);
    }

    pub fn hline(&mut self, x0: f32, x1: f32, at: f32, color: Rgb8, thickness: f32) {
        let y = self.page_h - at;
        self.record(x0, y - thickness / 2.0, x1, y + thickness / 2.0);
        let p = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(x0), p(x1)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// An open stroked path through points given top-down (a sparkline).
    pub fn polyline(&mut self, points: &[(f32, f32)], color: Rgb8, thickness: f32) {
        if points.len() < 2 {
            return;
        }
        let page_h = self.page_h;
        let half = thickness / 2.0;
        let (x0, x1) = points.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
        let (y0, y1) = points.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            (lo.min(page_h - p.1), hi.max(page_h - p.1))
        });
        self.record(x0 - half, y0 - half, x1 + half, y1 + half);
        let line = Line {
            points: points
                .iter()
                .map(|&(x, y)| LinePoint {
                    p: Point {
                        x: Pt(x),
                        y: Pt(page_h - y),
                    },
                    bezier: false,
                })
                .collect(),
            is_closed: false,
        };
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line },
        ]);
    }

    /// A filled polygon from points given top-down.
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], fill: Rgb8) {
        let page_h = self.page_h;
        let xs = points.iter().map(|p| p.0);
        let ys = points.iter().map(|p| page_h - p.1);
        let (x0, x1) = xs.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (y0, y1) = ys.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        self.record(x0, y0, x1, y1);
        let ring = PolygonRing {
            points: points
                .iter()
                .map(|&(x, y)| LinePoint {
                    p: Point {
                        x: Pt(x),
                        y: Pt(page_h - y),
                    },
                    bezier: false,
                })
                .collect(),
        };
        self.ops().extend([
            Op::SetFillColor { col: fill.color() },
            Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![ring],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            },
        ]);
    }

    /// A wrapped paragraph at the left margin, breaking across pages between lines.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        let x = self.left;
        let w = self.content_w();
        self.paragraph_at(text, style, x, w);
    }

    pub fn paragraph_at(&mut self, text: &str, style: Style, x: f32, width: f32) {
        for line in self.fonts.wrap(style.face, style.size, text, width) {
            self.ensure(style.leading());
            self.text_at(x, self.y + style.size, style, &line);
            self.y += style.leading();
        }
    }

    /// Height a wrapped paragraph will take.
    pub fn paragraph_height(&self, text: &str, style: Style, width: f32) -> f32 {
        self.fonts.wrap(style.face, style.size, text, width).len() as f32 * style.leading()
    }

    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// A table whose rows break across pages; the header is repeated on each page.
    /// A single row taller than a page is cut to what fits, with an ellipsis.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>], ts: &TableStyle) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.share / total * self.content_w())
            .collect();
        let header_lines: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                self.fonts
                    .wrap(ts.header.face, ts.header.size, &c.title, w - 2.0 * ts.pad)
            })
            .collect();
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32
            * ts.header.leading()
            + 2.0 * ts.pad;

        let draw_header = |me: &mut Self| {
            let top = me.y;
            me.fill_rect(me.left, top, me.content_w(), header_h, ts.header_fill);
            let mut x = me.left;
            for (lines, w) in header_lines.iter().zip(&widths) {
                for (i, line) in lines.iter().enumerate() {
                    me.text_at(
                        x + ts.pad,
                        top + ts.pad + ts.header.size + i as f32 * ts.header.leading(),
                        ts.header,
                        line,
                    );
                }
                x += w;
            }
            me.y += header_h;
        };

        // Keep the header with at least one row.
        let first_h = rows
            .first()
            .map_or(0.0, |r| self.row_layout(r, &widths, ts).0);
        self.ensure(header_h + first_h.min(self.limit() - self.top - header_h));
        draw_header(self);
        for (index, row) in rows.iter().enumerate() {
            let (mut row_h, mut lines) = self.row_layout(row, &widths, ts);
            let max_h = self.limit() - self.top - header_h;
            if row_h > max_h {
                let style_of = |cell: &Cell| cell.style.unwrap_or(ts.body);
                for (cell_lines, cell) in lines.iter_mut().zip(row) {
                    let keep = ((max_h - 2.0 * ts.pad) / style_of(cell).leading()).floor() as usize;
                    if cell_lines.len() > keep {
                        cell_lines.truncate(keep.max(1));
                        if let Some(last) = cell_lines.last_mut() {
                            last.push('…');
                        }
                    }
                }
                row_h = max_h;
            }
            if self.y + row_h > self.limit() {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            if let Some(z) = ts.zebra.filter(|_| index % 2 == 1) {
                self.fill_rect(self.left, top, self.content_w(), row_h, z);
            }
            let mut x = self.left;
            for ((cell, cell_lines), w) in row.iter().zip(&lines).zip(&widths) {
                let style = cell.style.unwrap_or(ts.body);
                if let Some((ink, fill)) = cell.chip {
                    let text = cell_lines.first().cloned().unwrap_or_default();
                    let chip_w = self.fonts.width(Face::Bold, style.size - 0.5, &text) + 10.0;
                    let chip_h = style.size + 5.0;
                    self.fill_rect(x + ts.pad - 1.0, top + ts.pad - 2.0, chip_w, chip_h, fill);
                    self.stroke_rect(
                        x + ts.pad - 1.0,
                        top + ts.pad - 2.0,
                        chip_w,
                        chip_h,
                        ink,
                        0.6,
                    );
                    let chip_style = Style::new(Face::Bold, style.size - 0.5, ink);
                    self.text_at(
                        x + ts.pad + 4.0,
                        top + ts.pad + style.size - 0.5,
                        chip_style,
                        &text,
                    );
                } else {
                    for (i, line) in cell_lines.iter().enumerate() {
                        self.text_at(
                            x + ts.pad,
                            top + ts.pad + style.size + i as f32 * style.leading(),
                            style,
                            line,
                        );
                    }
                }
                x += w;
            }
            self.y += row_h;
            self.hline(
                self.left,
                self.left + self.content_w(),
                self.y,
                ts.rule,
                0.4,
            );
        }
    }

    /// Height [`Composer::table`] would take if it did not break across pages.
    pub fn table_height(&self, columns: &[Column], rows: &[Vec<Cell>], ts: &TableStyle) -> f32 {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.share / total * self.content_w())
            .collect();
        let header = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                self.fonts
                    .wrap(ts.header.face, ts.header.size, &c.title, w - 2.0 * ts.pad)
                    .len()
            })
            .max()
            .unwrap_or(1) as f32
            * ts.header.leading()
            + 2.0 * ts.pad;
        header
            + rows
                .iter()
                .map(|r| self.row_layout(r, &widths, ts).0)
                .sum::<f32>()
    }

    fn row_layout(&self, row: &[Cell], widths: &[f32], ts: &TableStyle) -> (f32, Vec<Vec<String>>) {
        let mut height: f32 = 0.0;
        let mut all = Vec::with_capacity(row.len());
        for (cell, w) in row.iter().zip(widths) {
            let style = cell.style.unwrap_or(ts.body);
            let inner = w - 2.0 * ts.pad;
            let lines = if cell.chip.is_some() {
                vec![
                    self.fonts
                        .ellipsize(Face::Bold, style.size - 0.5, &cell.text, inner - 10.0),
                ]
            } else {
                self.fonts.wrap(style.face, style.size, &cell.text, inner)
            };
            let extra = if cell.chip.is_some() { 2.0 } else { 0.0 };
            height = height.max(lines.len() as f32 * style.leading() + extra);
            all.push(lines);
        }
        (height + 2.0 * ts.pad, all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_breaks_unbreakable_strings() {
        let fonts = Fonts::load().unwrap();
        let upn = "a.very.long.user.principal.name.number.1@contoso-pharmaceuticals-research.onmicrosoft.com";
        let lines = fonts.wrap(
            Face::Regular,
            9.0,
            &format!("Owner {upn} since 2024"),
            120.0,
        );
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(
                fonts.width(Face::Regular, 9.0, line) <= 120.0 + 0.01,
                "{line}"
            );
        }
        assert_eq!(
            lines.concat().replace(' ', ""),
            format!("Owner{upn}since2024")
        );
        assert_eq!(
            fonts.wrap(Face::Regular, 9.0, "two\nlines", 500.0),
            ["two", "lines"]
        );
    }

    #[test]
    fn measures_from_advance_widths() {
        let fonts = Fonts::load().unwrap();
        // DejaVu Sans: 'i' is narrower than 'W'; width scales with size.
        assert!(fonts.width(Face::Regular, 10.0, "i") < fonts.width(Face::Regular, 10.0, "W"));
        let w10 = fonts.width(Face::Regular, 10.0, "Ζωή Παπαδοπούλου");
        assert!((fonts.width(Face::Regular, 20.0, "Ζωή Παπαδοπούλου") - 2.0 * w10).abs() < 0.01);
        assert!(w10 > 50.0);
    }
}
