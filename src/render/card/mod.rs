//! The share card: the 1200×630 picture that Facebook and LINE show when a
//! page without a photo of its own is shared, with the office's name on
//! it, drawn at build time from an SVG template the theme ships.
//!
//! [`render`] fills the template in, draws it with resvg using only the
//! fonts it is given (never the system's), and returns a PNG. The same
//! template, card and fonts give the same bytes.
//!
//! # The template
//!
//! An SVG exactly [`WIDTH`]×[`HEIGHT`] (`width="1200" height="630"`),
//! self-contained (no external files). In it:
//!
//! - `{{name}}`, `{{name_en}}` and `{{domain}}` anywhere in text or an
//!   attribute value are replaced by the card's values, XML-escaped.
//! - A `<text>` with `data-max-width` is a *fitted text*: it holds one
//!   placeholder and nothing else, and its value is broken into lines
//!   (between words, or between Thai syllables as a last resort) and set
//!   smaller until it fits:
//!   - `data-max-width`: the widest a line may be, in pixels;
//!   - `data-max-lines` (default 1); past it the text ends in "…";
//!   - `font-size` is the largest size, `data-min-font-size` the
//!     smallest (default: no shrinking), `data-font-step` (default 2);
//!   - `data-line-height`: a multiple of the font size (default 1.25);
//!   - `x` and `text-anchor` place every line; `y` is the first line's
//!     baseline, unless the text is in a stack.
//!
//!   Its font comes from `font-family`, `font-weight` and `font-style`
//!   attributes (on it or an ancestor), not from CSS, and it takes no
//!   letter- or word-spacing, so that it is measured as it is drawn.
//! - `data-if="name_en"` (or another field) on any element removes the
//!   element when that field is empty.
//! - `<g data-stack="middle" data-y="330" data-gap="24">` sets its
//!   children one under the other and the whole block's middle (or top,
//!   or bottom) at `data-y`: a fitted text is as tall as its lines; any
//!   other child says its height in `data-height` and is drawn with its
//!   top at y = 0 (it is moved down). `data-gap-before` on a child
//!   overrides the gap above it. Removed and empty children take no room.

mod breaks;
mod encode;
mod fit;
mod template;

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use std::sync::Arc;

/// The width of the card, in pixels.
pub const WIDTH: u32 = 1200;
/// The height of the card, in pixels.
pub const HEIGHT: u32 = 630;

/// What goes on the card.
#[derive(Debug, Clone, Copy, Default)]
pub struct Card<'a> {
    /// The office's name (in Thai).
    pub name: &'a str,
    /// Its English name; may be empty.
    pub name_en: &'a str,
    /// The site's domain, such as `www.example.go.th`; may be empty.
    pub domain: &'a str,
}

/// Why a card could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("no font was given, or none of them could be read")]
    NoFonts,
    #[error("no font given matches font-family \"{0}\"")]
    FontNotFound(String),
    #[error("the template is not well-formed XML: {0}")]
    Xml(#[from] usvg::roxmltree::Error),
    #[error("the template: {0}")]
    Template(String),
    #[error("the filled-in template is not an SVG usvg can read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the template is {width}×{height} pixels, not 1200×630")]
    Size { width: f32, height: f32 },
    #[error("the card could not be drawn: out of memory")]
    Pixmap,
    #[error("the PNG could not be written: {0}")]
    Png(#[from] png::EncodingError),
}

/// Draws `card` on `template_svg` and returns it as a PNG, [`WIDTH`] ×
/// [`HEIGHT`]. `fonts` are TrueType/OpenType files (not WOFF); the first
/// one's family also stands for the generic families (`sans-serif`, …).
///
/// ```
/// let dir = env!("CARGO_MANIFEST_DIR");
/// let template = std::fs::read_to_string(format!("{dir}/themes/default/card/share.svg")).unwrap();
/// let regular = std::fs::read(format!("{dir}/themes/default/card/Sarabun-Regular.ttf")).unwrap();
/// let bold = std::fs::read(format!("{dir}/themes/default/card/Sarabun-Bold.ttf")).unwrap();
/// let card = khao::render::card::Card {
///     name: "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาสุราษฎร์ธานี ชุมพร",
///     name_en: "Surat Thani Chumphon Secondary Educational Service Area Office",
///     domain: "www.surat-chumphon.example.go.th",
/// };
/// let png = khao::render::card::render(&template, &card, &[&regular, &bold])?;
/// assert!(png.starts_with(b"\x89PNG"));
/// # Ok::<(), khao::render::card::CardError>(())
/// ```
pub fn render(template_svg: &str, card: &Card, fonts: &[&[u8]]) -> Result<Vec<u8>, CardError> {
    let mut db = fontdb::Database::new();
    for font in fonts {
        db.load_font_data(font.to_vec());
    }
    let family = db
        .faces()
        .next()
        .and_then(|f| f.families.first())
        .map(|(name, _)| name.clone())
        .ok_or(CardError::NoFonts)?;
    db.set_serif_family(&family);
    db.set_sans_serif_family(&family);
    db.set_monospace_family(&family);
    db.set_cursive_family(&family);
    db.set_fantasy_family(&family);

    let svg = template::fill(template_svg, card, &db)?;

    let mut options = usvg::Options {
        font_family: family,
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    };
    // Nothing from the disk: a template is self-contained.
    options.image_href_resolver.resolve_string = Box::new(|_, _| None);
    let tree = usvg::Tree::from_str(&svg, &options)?;
    let size = tree.size();
    if (size.width(), size.height()) != (WIDTH as f32, HEIGHT as f32) {
        return Err(CardError::Size {
            width: size.width(),
            height: size.height(),
        });
    }
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::identity(), &mut pixmap.as_mut());
    Ok(encode::png(&pixmap)?)
}
