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
    let probe = match probe_file(path, config.images.max_pixels, cache_dir) {
        Ok(p) => p,
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
    let kind = probe.kind;
    if kind == Sniffed::Heic {
        return vec![err("bad-image", tr(lang, "check.heic", &[("file", shown)]))];
    }
    if format_of(kind).is_none() {
        return vec![err(
            "file-type-mismatch",
            tr(lang, "check.not_a_photo", &[("file", shown), ("ext", &ext)]),
        )];
    }
    let mut out = Vec::new();
    if let Some(want) = expected(&ext)
        && !want.contains(&kind)
    {
        out.push(err(
            "file-type-mismatch",
            tr(lang, "check.mismatch", &[("file", shown), ("ext", &ext)]),
        ));
    }
    let Some((w, h)) = probe.dims else {
        out.push(err(
            "bad-image",
            tr(lang, "check.bad_image", &[("file", shown)]),
        ));
        return out;
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
    if probe.decodes != Some(true) {
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

/// What the bytes of a photo say: the format, the size from the header, and
/// whether it decodes (`None` when not tried: more pixels than allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub kind: Sniffed,
    pub dims: Option<(u32, u32)>,
    pub decodes: Option<bool>,
}

fn format_of(kind: Sniffed) -> Option<image::ImageFormat> {
    match kind {
        Sniffed::Jpeg => Some(image::ImageFormat::Jpeg),
        Sniffed::Png => Some(image::ImageFormat::Png),
        Sniffed::Gif => Some(image::ImageFormat::Gif),
        Sniffed::Webp => Some(image::ImageFormat::WebP),
        _ => None,
    }
}

const KINDS: [(Sniffed, &str); 9] = [
    (Sniffed::Jpeg, "jpeg"),
    (Sniffed::Png, "png"),
    (Sniffed::Gif, "gif"),
    (Sniffed::Webp, "webp"),
    (Sniffed::Heic, "heic"),
    (Sniffed::Pdf, "pdf"),
    (Sniffed::Zip, "zip"),
    (Sniffed::Ole, "ole"),
    (Sniffed::Unknown, "unknown"),
];

impl Probe {
    fn to_line(self) -> String {
        let kind = KINDS
            .iter()
            .find(|k| k.0 == self.kind)
            .map_or("unknown", |k| k.1);
        let (w, h) = self.dims.unwrap_or((0, 0));
        let d = match self.decodes {
            Some(true) => "ok",
            Some(false) => "bad",
            None => "-",
        };
        format!("{kind} {} {w} {h} {d}\n", u8::from(self.dims.is_some()))
    }

    fn from_line(line: &str) -> Option<Probe> {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [kind, has, w, h, d] = parts[..] else {
            return None;
        };
        Some(Probe {
            kind: KINDS.iter().find(|k| k.1 == kind)?.0,
            dims: (has == "1")
                .then(|| Some((w.parse().ok()?, h.parse().ok()?)))
                .flatten(),
            decodes: match d {
                "ok" => Some(true),
                "bad" => Some(false),
                _ => None,
            },
        })
    }
}

/// Probes a photo. Unchanged files (same path, size and modification time)
/// are answered from the cache without reading them; changed ones are read,
/// and a content already decoded once is not decoded again.
pub fn probe_file(
    path: &Path,
    max_pixels: u64,
    cache_dir: Option<&Path>,
) -> std::io::Result<Probe> {
    let meta = std::fs::metadata(path)?;
    let stat_file = cache_dir.map(|dir| {
        let mut h = blake3::Hasher::new();
        let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        h.update(full.to_string_lossy().as_bytes());
        h.update(&meta.len().to_le_bytes());
        if let Ok(m) = meta.modified()
            && let Ok(d) = m.duration_since(std::time::UNIX_EPOCH)
        {
            h.update(&d.as_nanos().to_le_bytes());
        }
        dir.join(format!("stat-{}", &h.finalize().to_hex()[..32]))
    });
    if let Some(file) = &stat_file
        && let Ok(line) = std::fs::read_to_string(file)
        && let Some(p) = Probe::from_line(&line)
    {
        let tried = p.decodes.is_some()
            || p.dims
                .is_none_or(|(w, h)| u64::from(w) * u64::from(h) > max_pixels)
            || format_of(p.kind).is_none();
        if tried {
            return Ok(p);
        }
    }
    let bytes = std::fs::read(path)?;
    let kind = sniff(&bytes);
    let mut probe = Probe {
        kind,
        dims: None,
        decodes: None,
    };
    if let Some(format) = format_of(kind) {
        let reader = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format);
        probe.dims = reader.into_dimensions().ok();
        if let Some((w, h)) = probe.dims {
            let pixels = u64::from(w) * u64::from(h);
            if pixels <= max_pixels {
                probe.decodes = Some(decodes(&bytes, format, pixels, cache_dir));
                // The width as shown (EXIF orientation applied) is what
                // `images.widths` means; the pixel count is the same.
                if let Ok(upright) = crate::images::upright_dimensions(&bytes) {
                    probe.dims = Some(upright);
                }
            }
        }
    }
    if let (Some(dir), Some(file)) = (cache_dir, &stat_file) {
        write_atomic(dir, file, &probe.to_line());
    }
    Ok(probe)
}

/// Writes a cache entry through a temporary file; a cache that cannot be
/// written only costs time.
fn write_atomic(dir: &Path, file: &Path, text: &str) {
    let _ = std::fs::create_dir_all(dir);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// True when the whole photo decodes; the verdict is cached by content hash.
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
        write_atomic(dir, file, if ok { "ok\n" } else { "bad\n" });
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
    fn probes_round_trip_through_the_cache_line() {
        for p in [
            Probe {
                kind: Sniffed::Jpeg,
                dims: Some((4000, 3000)),
                decodes: Some(true),
            },
            Probe {
                kind: Sniffed::Png,
                dims: Some((30000, 30000)),
                decodes: None,
            },
            Probe {
                kind: Sniffed::Heic,
                dims: None,
                decodes: None,
            },
            Probe {
                kind: Sniffed::Jpeg,
                dims: Some((10, 10)),
                decodes: Some(false),
            },
        ] {
            assert_eq!(Probe::from_line(&p.to_line()), Some(p));
        }
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
