//! Photos and attachments: type from the extension and from the bytes,
//! size, and for photos the pixel count read from the header *before*
//! decoding (a decompression bomb never allocates), then a full decode to
//! catch truncated or corrupt files. The decode verdict is cached by the
//! blake3 hash of the file, so unchanged phone photos are decoded once.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::i18n::{Lang, tr};

/// Photo extensions khao publishes (HEIC is recognised only to explain how
/// to send JPEG instead).
pub const PHOTO_EXTS: [&str; 7] = ["jpg", "jpeg", "png", "gif", "webp", "heic", "heif"];

pub fn is_photo_ext(ext: &str) -> bool {
    PHOTO_EXTS.contains(&ext)
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heic,
    Pdf,
    /// ZIP container: docx, xlsx, pptx, odt...
    Zip,
    /// OLE2 container: doc, xls, ppt.
    Ole,
    Unknown,
}

pub fn sniff(bytes: &[u8]) -> Sniffed {
    let b = bytes;
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Jpeg
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Png
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Sniffed::Gif
    } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Sniffed::Webp
    } else if b.len() >= 12
        && &b[4..8] == b"ftyp"
        && matches!(
            &b[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        )
    {
        Sniffed::Heic
    } else if b[..b.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        Sniffed::Pdf
    } else if b.starts_with(b"PK\x03\x04") {
        Sniffed::Zip
    } else if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Sniffed::Ole
    } else {
        Sniffed::Unknown
    }
}

/// What the extension promises, for the types khao knows the bytes of.
fn expected(ext: &str) -> Option<&'static [Sniffed]> {
    Some(match ext {
        "jpg" | "jpeg" => &[Sniffed::Jpeg],
        "png" => &[Sniffed::Png],
        "gif" => &[Sniffed::Gif],
        "webp" => &[Sniffed::Webp],
        "heic" | "heif" => &[Sniffed::Heic],
        "pdf" => &[Sniffed::Pdf],
        "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" | "zip" => &[Sniffed::Zip],
        "doc" | "xls" | "ppt" => &[Sniffed::Ole],
        _ => return None,
    })
}

/// A problem with a file: the code and the message, in the site's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub code: &'static str,
    pub warning: bool,
    pub message: String,
}

fn err(code: &'static str, message: String) -> FileProblem {
    FileProblem {
        code,
        warning: false,
        message,
    }
}

const MB: u64 = 1024 * 1024;

/// Reads at most `limit` bytes of `path`.
fn read_head(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// Checks an attachment: allowed type, content matching the extension, size.
pub fn check_attachment(
    path: &Path,
    shown: &str,
    config: &SiteConfig,
    lang: Lang,
) -> Vec<FileProblem> {
    let ext = crate::request::ext_lower(path);
    let types = config.attachments.types.join(", ");
    if !config
        .attachments
        .types
        .iter()
        .any(|t| t.eq_ignore_ascii_case(&ext))
    {
        return vec![err(
            "disallowed-file-type",
            tr(
                lang,
                "check.attachment_type",
                &[("file", shown), ("types", &types)],
            ),
        )];
    }
    let mut out = Vec::new();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > config.attachments.max_file_mb * MB {
        out.push(err(
            "file-too-large",
            tr(
                lang,
                "check.too_large",
                &[
                    ("file", shown),
                    ("size", &mb(size)),
                    ("max", &config.attachments.max_file_mb.to_string()),
                ],
            ),
        ));
    }
    match read_head(path, 1024) {
        Ok(head) => {
            if let Some(want) = expected(&ext)
                && !want.contains(&sniff(&head))
            {
                out.push(err(
                    "file-type-mismatch",
                    tr(lang, "check.mismatch", &[("file", shown), ("ext", &ext)]),
                ));
            }
        }
        Err(e) => out.push(err(
            "missing-file",
            tr(
                lang,
                "check.unreadable_file",
                &[("file", shown), ("error", &e.to_string())],
            ),
        )),
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / MB as f64)
}

/// Checks a photo. `cache_dir` holds decode verdicts by content hash.
pub fn check_photo(
    path: &Path,
    shown: &str,
    config: &SiteConfig,
    lang: Lang,
    cache_dir: Option<&Path>,
) -> Vec<FileProblem> {
    let ext = crate::request::ext_lower(path);
    if !is_photo_ext(&ext) {
        return vec![err(
            "disallowed-file-type",
            tr(lang, "check.photo_type", &[("file", shown)]),
        )];
    }
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            return vec![err(
                "missing-file",
                tr(
                    lang,
                    "check.unreadable_file",
                    &[("file", shown), ("error", &e.to_string())],
                ),
            )];
        }
    };
    if size > config.images.max_file_mb * MB {
        return vec![err(
            "file-too-large",
            tr(
                lang,
                "check.too_large",
                &[
                    ("file", shown),
                    ("size", &mb(size)),
                    ("max", &config.images.max_file_mb.to_string()),
                ],
            ),
        )];
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return vec![err(
                "missing-file",
                tr(
                    lang,
                    "check.unreadable_file",
                    &[("file", shown), ("error", &e.to_string())],
                ),
            )];
        }
    };
    let kind = sniff(&bytes);
    if kind == Sniffed::Heic {
        return vec![err("bad-image", tr(lang, "check.heic", &[("file", shown)]))];
    }
    let format = match kind {
        Sniffed::Jpeg => image::ImageFormat::Jpeg,
        Sniffed::Png => image::ImageFormat::Png,
        Sniffed::Gif => image::ImageFormat::Gif,
        Sniffed::Webp => image::ImageFormat::WebP,
        _ => {
            return vec![err(
                "file-type-mismatch",
                tr(lang, "check.not_a_photo", &[("file", shown), ("ext", &ext)]),
            )];
        }
    };
    let mut out = Vec::new();
    if let Some(want) = expected(&ext)
        && !want.contains(&kind)
    {
        out.push(err(
            "file-type-mismatch",
            tr(lang, "check.mismatch", &[("file", shown), ("ext", &ext)]),
        ));
    }
    let reader = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format);
    let (w, h) = match reader.into_dimensions() {
        Ok(d) => d,
        Err(_) => {
            out.push(err(
                "bad-image",
                tr(lang, "check.bad_image", &[("file", shown)]),
            ));
            return out;
        }
    };
    let pixels = u64::from(w) * u64::from(h);
    if pixels > config.images.max_pixels {
        out.push(err(
            "image-too-large",
            tr(
                lang,
                "check.too_many_pixels",
                &[
                    ("file", shown),
                    ("w", &w.to_string()),
                    ("h", &h.to_string()),
                    (
                        "max",
                        &format!("{:.0}", config.images.max_pixels as f64 / 1e6),
                    ),
                ],
            ),
        ));
        return out;
    }
    if !decodes(&bytes, format, pixels, cache_dir) {
        out.push(err(
            "bad-image",
            tr(lang, "check.bad_image", &[("file", shown)]),
        ));
        return out;
    }
    if let Some(min) = config.images.widths.iter().min()
        && w < *min
    {
        out.push(FileProblem {
            code: "image-too-small",
            warning: true,
            message: tr(
                lang,
                "check.too_small",
                &[
                    ("file", shown),
                    ("w", &w.to_string()),
                    ("min", &min.to_string()),
                ],
            ),
        });
    }
    out
}

/// True when the whole photo decodes; the verdict is cached by hash.
fn decodes(
    bytes: &[u8],
    format: image::ImageFormat,
    pixels: u64,
    cache_dir: Option<&Path>,
) -> bool {
    let hash = blake3::hash(bytes).to_hex().to_string();
    let cached: Option<PathBuf> = cache_dir.map(|d| d.join(&hash));
    if let Some(file) = &cached
        && let Ok(v) = std::fs::read_to_string(file)
    {
        match v.trim() {
            "ok" => return true,
            "bad" => return false,
            _ => {}
        }
    }
    let ok = full_decode(bytes, format, pixels);
    if let (Some(dir), Some(file)) = (cache_dir, &cached) {
        // A cache that cannot be written only costs time.
        let _ = std::fs::create_dir_all(dir);
        let tmp = dir.join(format!(".{hash}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, if ok { "ok\n" } else { "bad\n" }).is_ok() {
            let _ = std::fs::rename(&tmp, file);
        }
    }
    ok
}

fn full_decode(bytes: &[u8], format: image::ImageFormat, pixels: u64) -> bool {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(pixels.saturating_mul(8).max(64 * MB));
    reader.limits(limits);
    if reader.decode().is_err() {
        return false;
    }
    // Decoders fill a cut-off JPEG with grey rather than failing: a JPEG
    // must contain its end-of-image marker.
    if format == image::ImageFormat::Jpeg {
        return bytes.windows(2).rev().any(|w| w == [0xFF, 0xD9]) && !ends_in_scan(bytes);
    }
    true
}

/// A JPEG whose last end-of-image marker comes before its last start-of-scan
/// was cut off in the middle of the image data.
fn ends_in_scan(bytes: &[u8]) -> bool {
    let last_eoi = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    let last_sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match (last_sos, last_eoi) {
        (Some(s), Some(e)) => e < s,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"%PDF-1.4\n"), Sniffed::Pdf);
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Sniffed::Unknown);
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Sniffed::Heic);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Sniffed::Jpeg);
    }

    #[test]
    fn truncated_jpeg_is_bad() {
        let img =
            image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 7]));
        let mut buf = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut buf, image::ImageFormat::Jpeg)
            .unwrap();
        let full = buf.into_inner();
        assert!(full_decode(&full, image::ImageFormat::Jpeg, 64 * 64));
        let cut = &full[..full.len() * 2 / 3];
        assert!(!full_decode(cut, image::ImageFormat::Jpeg, 64 * 64));
    }
}
