//! Fitting a text into a box: measure it with the font it will be drawn
//! with, break it into at most N lines and shrink the font until it fits.
//!
//! The text is shaped once (HarfRust, the shaper usvg itself uses), so the
//! width of any line is a difference of two prefix sums. Every font size
//! from the largest to the smallest allowed is tried; each gets the best
//! set of breaks by dynamic programming over the break opportunities, and
//! the cheapest (breaks + unevenness + shrinking) wins. When nothing fits
//! even at the smallest size the last line ends in "…".

use super::CardError;
use super::breaks::opportunities;
use harfrust::{FontRef, ShapeOptions, ShaperData, UnicodeBuffer};
use read_fonts::TableProvider;
use resvg::usvg::fontdb::{Database, Family, Query, Stretch, Style, Weight};

/// The font a text is drawn with, as the template's attributes name it.
#[derive(Debug, Clone)]
pub(crate) struct Font {
    /// CSS family names; generic names are mapped to the first font given.
    pub families: Vec<String>,
    pub weight: u16,
    pub italic: bool,
}

/// The box a text must fit, in pixels.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub max_width: f32,
    pub max_lines: usize,
    pub size: f32,
    pub min_size: f32,
    pub step: f32,
    /// A multiple of the font size.
    pub line_height: f32,
}

/// A fitted text: its lines and where their baselines go.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    pub lines: Vec<String>,
    pub size: f32,
    /// The height of one line, in pixels.
    pub line_box: f32,
    /// From the top of a line's box to its baseline, in pixels.
    pub baseline: f32,
}

impl Fitted {
    pub fn height(&self) -> f32 {
        self.line_box * self.lines.len() as f32
    }
}

/// What one pixel of shrinking costs, against the costs of breaks.
const SHRINK_COST: f32 = 6.0;
/// What a line as wide as the box left empty would cost.
const RAGGED_COST: f32 = 100.0;

/// The shaped text: advance widths in font units.
struct Measured {
    /// `prefix[i]`: the advance of the text before byte `i`.
    prefix: Vec<i64>,
    ellipsis: i64,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
}

impl Measured {
    fn width(&self, text: &str, from: usize, to: usize) -> i64 {
        let end = from + text[from..to].trim_end().len();
        self.prefix[end] - self.prefix[from]
    }
}

/// Breaks `text` into lines and picks the font size; an empty text gives
/// no lines.
pub(crate) fn fit(
    db: &Database,
    font: &Font,
    text: &str,
    frame: &Frame,
) -> Result<Fitted, CardError> {
    let words = text.split(|c: char| c.is_whitespace() || c.is_control());
    let text = words
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let m = measure(db, font, &text)?;
    let done = |lines: Vec<String>, size: f32| {
        let line_box = size * frame.line_height;
        let scale = size / m.units_per_em;
        let content = (m.ascender - m.descender) * scale;
        Fitted {
            lines,
            size,
            line_box,
            baseline: (line_box - content) / 2.0 + m.ascender * scale,
        }
    };
    if text.is_empty() {
        return Ok(done(Vec::new(), frame.size));
    }
    let breaks = opportunities(&text);
    let mut best: Option<(f32, Vec<String>, f32)> = None;
    let steps = ((frame.size - frame.min_size) / frame.step).ceil() as usize;
    let sizes = (0..steps)
        .map(|i| frame.size - i as f32 * frame.step)
        .chain([frame.min_size]);
    for size in sizes {
        let limit = (frame.max_width * m.units_per_em / size) as i64;
        if let Some((cost, lines)) = best_breaks(&m, &text, &breaks, limit, frame.max_lines) {
            let cost = cost + (frame.size - size) * SHRINK_COST;
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, lines, size));
            }
        }
    }
    if let Some((_, lines, size)) = best {
        return Ok(done(lines, size));
    }
    let size = frame.min_size;
    let limit = (frame.max_width * m.units_per_em / size) as i64;
    Ok(done(
        truncate(&m, &text, &breaks, limit, frame.max_lines),
        size,
    ))
}

/// The cheapest way to break `text` into at most `max_lines` lines no
/// wider than `limit` font units, or `None` if there is none.
fn best_breaks(
    m: &Measured,
    text: &str,
    breaks: &[(usize, f32)],
    limit: i64,
    max_lines: usize,
) -> Option<(f32, Vec<String>)> {
    let mut pos = vec![(0, 0.0)];
    pos.extend_from_slice(breaks);
    pos.push((text.len(), 0.0));
    let n = pos.len();
    // cost[k][j]: k + 1 lines ending at pos[j]; from[k][j]: where the last began.
    let mut cost = vec![vec![f32::INFINITY; n]; max_lines];
    let mut from = vec![vec![0; n]; max_lines];
    for j in 1..n {
        for i in (0..j).rev() {
            let w = m.width(text, pos[i].0, pos[j].0);
            if w > limit {
                break;
            }
            let slack = (limit - w) as f32 / limit as f32;
            let line = RAGGED_COST * slack * slack + pos[j].1;
            for k in 0..max_lines {
                let before = match (k, i) {
                    (0, 0) => 0.0,
                    (0, _) => f32::INFINITY,
                    _ => cost[k - 1][i],
                };
                if before + line < cost[k][j] {
                    cost[k][j] = before + line;
                    from[k][j] = i;
                }
            }
        }
    }
    let (k, total) = (0..max_lines)
        .map(|k| (k, cost[k][n - 1]))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    if !total.is_finite() {
        return None;
    }
    let mut lines = Vec::new();
    let (mut k, mut j) = (k as isize, n - 1);
    while k >= 0 {
        let i = from[k as usize][j];
        lines.push(text[pos[i].0..pos[j].0].trim_end().to_string());
        j = i;
        k -= 1;
    }
    lines.reverse();
    Some((total, lines))
}

/// Fills `max_lines` lines, each ending at its cheapest break that fits,
/// and ends the last in "…".
fn truncate(
    m: &Measured,
    text: &str,
    breaks: &[(usize, f32)],
    limit: i64,
    max_lines: usize,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut start = 0;
    let line = |start: usize, extra: i64| {
        breaks
            .iter()
            .filter(|b| b.0 > start)
            .map(|&(end, cost)| (end, cost, m.width(text, start, end) + extra))
            .filter(|&(_, _, w)| w <= limit)
            .map(|(end, cost, w)| {
                let slack = (limit - w) as f32 / limit as f32;
                (end, cost + RAGGED_COST * slack * slack)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(end, _)| end)
    };
    for _ in 1..max_lines.max(1) {
        let end = line(start, 0).or_else(|| breaks.iter().map(|b| b.0).find(|&e| e > start));
        let Some(end) = end else { break };
        lines.push(text[start..end].trim_end().to_string());
        start = end;
    }
    let end = line(start, m.ellipsis).unwrap_or(start);
    lines.push(format!("{}…", text[start..end].trim_end()));
    lines
}

/// Shapes `text` (and "…") with the face `font` selects.
fn measure(db: &Database, font: &Font, text: &str) -> Result<Measured, CardError> {
    let families: Vec<Family> = font
        .families
        .iter()
        .map(|f| match f.as_str() {
            "serif" => Family::Serif,
            "sans-serif" => Family::SansSerif,
            "monospace" => Family::Monospace,
            "cursive" => Family::Cursive,
            "fantasy" => Family::Fantasy,
            name => Family::Name(name),
        })
        .collect();
    let style = if font.italic {
        Style::Italic
    } else {
        Style::Normal
    };
    let query = Query {
        families: &families,
        weight: Weight(font.weight),
        stretch: Stretch::Normal,
        style,
    };
    let not_found = || CardError::FontNotFound(font.families.join(", "));
    let id = db.query(&query).ok_or_else(not_found)?;
    db.with_face_data(id, |data, index| {
        let face = FontRef::from_index(data, index).ok()?;
        let hhea = face.hhea().ok()?;
        let shaper_data = ShaperData::new(&face);
        let shaper = shaper_data.shaper(&face).build();
        let shape = |s: &str| {
            let mut buffer = UnicodeBuffer::new();
            buffer.push_str(s);
            buffer.guess_segment_properties();
            shaper.shape(buffer, ShapeOptions::new())
        };
        let glyphs = shape(text);
        let mut prefix = vec![0i64; text.len() + 1];
        for (info, pos) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
            prefix[info.cluster as usize + 1] += i64::from(pos.x_advance);
        }
        for i in 1..prefix.len() {
            prefix[i] += prefix[i - 1];
        }
        let ellipsis = shape("…")
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum();
        Some(Measured {
            prefix,
            ellipsis,
            units_per_em: shaper.units_per_em() as f32,
            ascender: f32::from(hhea.ascender().to_i16()),
            descender: f32::from(hhea.descender().to_i16()),
        })
    })
    .flatten()
    .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Database {
        let mut db = Database::new();
        db.load_font_data(include_bytes!("../../../themes/default/card/Sarabun-Bold.ttf").to_vec());
        db
    }

    fn font() -> Font {
        Font {
            families: vec!["Sarabun".into()],
            weight: 700,
            italic: false,
        }
    }

    fn frame(max_width: f32) -> Frame {
        Frame {
            max_width,
            max_lines: 3,
            size: 64.0,
            min_size: 40.0,
            step: 2.0,
            line_height: 1.4,
        }
    }

    #[test]
    fn a_short_name_stays_on_one_line_at_full_size() {
        let f = fit(&db(), &font(), "  สพม. ชุมพร ", &frame(1000.0)).unwrap();
        assert_eq!((f.lines, f.size), (vec!["สพม. ชุมพร".to_string()], 64.0));
    }

    #[test]
    fn a_long_name_breaks_between_words() {
        let name = "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาสุราษฎร์ธานี ชุมพร";
        let f = fit(&db(), &font(), name, &frame(1000.0)).unwrap();
        // Balanced lines, split at a word of the word list.
        assert_eq!(f.lines, ["สำนักงานเขตพื้นที่การศึกษา", "มัธยมศึกษาสุราษฎร์ธานี ชุมพร"]);
        assert_eq!(f.size, 64.0);
    }

    #[test]
    fn text_that_cannot_fit_is_cut_with_an_ellipsis() {
        let f = fit(&db(), &font(), &"ศึกษาธิการ ".repeat(40), &frame(600.0)).unwrap();
        assert_eq!((f.lines.len(), f.size), (3, 40.0));
        assert!(f.lines[2].ends_with('…'));
    }

    #[test]
    fn an_unknown_family_is_an_error() {
        let f = Font {
            families: vec!["Nope".into()],
            ..font()
        };
        assert!(matches!(
            fit(&db(), &f, "x", &frame(100.0)),
            Err(CardError::FontNotFound(_))
        ));
    }
}
