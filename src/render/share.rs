//! The picture a shared link shows (`og:image`) when a page has no photo of
//! its own: site.yaml's `share_image` (a photo of `content/` or a file of
//! the theme's `static/`, published with its metadata stripped, at most
//! 1200 px wide), or else the theme's share card — the office's name drawn
//! on `card/share.svg` with the theme's fonts ([`super::card`]).

use std::path::{Path, PathBuf};

use super::card::{self, Card};
use super::context::OgImage;
use super::error::RenderError;
use super::{Theme, absolute};
use crate::config::SiteConfig;
use crate::plumbing::paths::CONTENT_DIR;

/// Where the share card is published.
pub(super) const CARD_PATH: &str = "images/share-card.png";

/// How the default share picture is made.
pub(super) enum Share {
    /// The theme's card, drawn from these values.
    Card {
        name: String,
        name_en: String,
        domain: String,
    },
    /// site.yaml's picture: its source and where it is published.
    Image { source: Vec<u8>, published: PathBuf },
}

/// The default share picture: what pages say of it, and how to make it.
pub(super) fn default(
    site_root: &Path,
    config: &SiteConfig,
    theme: &Theme,
    base: &str,
) -> Result<(OgImage, Share), RenderError> {
    let office = if config.office.name.is_empty() {
        &config.title
    } else {
        &config.office.name
    };
    let Some(path) = config
        .share_image
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    else {
        let domain = base
            .split("://")
            .nth(1)
            .unwrap_or(base)
            .trim_end_matches('/')
            .to_string();
        let og = OgImage {
            url: absolute(base, &format!("/{CARD_PATH}")),
            width: card::WIDTH,
            height: card::HEIGHT,
            alt: office.clone(),
        };
        let share = Share::Card {
            name: office.clone(),
            name_en: config.office.name_en.clone(),
            domain,
        };
        return Ok((og, share));
    };
    let rel = path.trim().trim_start_matches('/');
    let missing = |error: &str| RenderError::ShareImage {
        path: path.to_string(),
        error: error.to_string(),
    };
    let source = crate::plumbing::fs::read_regular(&site_root.join(CONTENT_DIR).join(rel))
        .ok()
        .or_else(|| theme.statics.get(Path::new(rel)).map(|b| b.to_vec()))
        .ok_or_else(|| missing("not in content/ or the theme's static/"))?;
    let (w, h) = crate::images::upright_dimensions(&source).map_err(|e| missing(&e.to_string()))?;
    let (width, height) = if w > WIDE {
        (
            WIDE,
            (u64::from(h) * u64::from(WIDE) / u64::from(w).max(1)) as u32,
        )
    } else {
        (w, h)
    };
    let ext = match crate::images::sniff(&source) {
        Some(crate::images::SniffedFormat::Png) => "png",
        _ => "jpg",
    };
    let published = Path::new(rel).with_extension(ext);
    let og = OgImage {
        url: absolute(
            base,
            &format!("/{}", crate::plumbing::paths::slash(&published)),
        ),
        width,
        height,
        alt: office.clone(),
    };
    Ok((og, Share::Image { source, published }))
}

/// The widest a share picture is published.
const WIDE: u32 = 1200;

impl Share {
    /// The bytes that decide whether the file must be made again.
    pub(super) fn key(&self, theme: &Theme) -> Vec<u8> {
        match self {
            Share::Card {
                name,
                name_en,
                domain,
            } => {
                let mut k = format!("card\0{name}\0{name_en}\0{domain}\0").into_bytes();
                k.extend_from_slice(theme.card.as_deref().unwrap_or("").as_bytes());
                for (n, f) in &theme.card_fonts {
                    k.extend_from_slice(n.as_bytes());
                    k.extend_from_slice(blake3::hash(f).as_bytes());
                }
                k
            }
            Share::Image { source, published } => {
                let mut k = b"image\0".to_vec();
                k.extend_from_slice(published.to_string_lossy().as_bytes());
                k.extend_from_slice(blake3::hash(source).as_bytes());
                k
            }
        }
    }

    /// The picture's bytes: the card drawn, or the photo re-encoded
    /// without its metadata (GPS, camera).
    pub(super) fn bytes(&self, theme: &Theme, quality: u8) -> Result<Vec<u8>, RenderError> {
        let failed = |e: &dyn std::fmt::Display| RenderError::ShareImage {
            path: self.path().display().to_string(),
            error: e.to_string(),
        };
        match self {
            Share::Card {
                name,
                name_en,
                domain,
            } => {
                let template = theme
                    .card
                    .as_deref()
                    .ok_or_else(|| failed(&"the theme has no card/share.svg"))?;
                let fonts: Vec<&[u8]> = theme.card_fonts.values().map(|f| f.as_ref()).collect();
                let card = Card {
                    name,
                    name_en,
                    domain,
                };
                card::render(template, &card, &fonts).map_err(|e| failed(&e))
            }
            Share::Image { source, .. } => {
                let config = crate::config::ImagesConfig {
                    widths: vec![WIDE],
                    quality,
                    ..crate::config::ImagesConfig::default()
                };
                let variants =
                    crate::images::render_photo(source, &config).map_err(|e| failed(&e))?;
                variants
                    .into_iter()
                    .last()
                    .map(|v| v.bytes)
                    .ok_or_else(|| failed(&"no picture"))
            }
        }
    }

    /// Where it is published, relative to `public/`.
    pub(super) fn path(&self) -> PathBuf {
        match self {
            Share::Card { .. } => PathBuf::from(CARD_PATH),
            Share::Image { published, .. } => published.clone(),
        }
    }
}
