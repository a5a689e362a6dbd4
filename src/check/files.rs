//! Photos and attachments: type from the extension and from the bytes,
//! size, and for photos the pixel count read from the header *before*
//! decoding (a decompression bomb never allocates), then a full decode to
//! catch truncated or corrupt files — the same rules as the image step
//! ([`crate::images`]), so a photo that passes the check builds. The
//! verdict is cached by the file's stamp and by the blake3 hash of its
//! bytes, so unchanged phone photos are decoded once. A photo of a
//! printed page is also read for personal data, as attachments are.

use std::io::Read;
use std::path::Path;

use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::images::{self, SniffedFormat};
use crate::plumbing::{fs, paths::ext_lower};

use crate::news::documents::{Container, sniff_document};

/// Photo extensions khao publishes (HEIC is recognised only to explain how
/// to send JPEG instead).
pub const PHOTO_EXTS: [&str; 7] = ["jpg", "jpeg", "png", "gif", "webp", "heic", "heif"];

pub fn is_photo_ext(ext: &str) -> bool {
    PHOTO_EXTS.contains(&ext)
}

/// Whether the first bytes honour the extension, for the types khao knows
/// the bytes of (`None`: not a type khao can tell).
fn honours(ext: &str, head: &[u8]) -> Option<bool> {
    let photo = images::sniff(head);
    let doc = sniff_document(head);
    Some(match ext {
        "jpg" | "jpeg" => photo == Some(SniffedFormat::Jpeg),
        "png" => photo == Some(SniffedFormat::Png),
        "gif" => photo == Some(SniffedFormat::Gif),
        "webp" => photo == Some(SniffedFormat::WebP),
        "heic" | "heif" => photo == Some(SniffedFormat::Heif),
        "pdf" => doc == Some(Container::Pdf),
        "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" | "zip" => doc == Some(Container::Zip),
        "doc" | "xls" | "ppt" => doc == Some(Container::Ole),
        _ => return None,
    })
}

const MB: u64 = 1024 * 1024;

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / MB as f64)
}

fn error(code: Code, m: Message) -> Diagnostic {
    Diagnostic::error(code, m)
}

fn unreadable(shown: &str, e: &std::io::Error) -> Diagnostic {
    error(
        Code::MissingFile,
        Message::new("check.unreadable_file")
            .arg("file", shown)
            .arg_msg("error", crate::i18n::os_error(e)),
    )
}

/// Checks an attachment: allowed type, content matching the extension,
/// size, and national ID and mobile numbers in its text. `cache_dir`
/// holds verdicts by stamp.
pub fn check_attachment(
    path: &Path,
    shown: &str,
    config: &SiteConfig,
    cache_dir: Option<&Path>,
) -> Vec<Diagnostic> {
    let ext = ext_lower(path);
    let types = &config.attachments.types;
    if !types.iter().any(|t| t.eq_ignore_ascii_case(&ext)) {
        let m = Message::new("check.attachment_type")
            .arg("file", shown)
            .arg("types", types.join(", "));
        return vec![error(Code::DisallowedFileType, m)];
    }
    let mut out = Vec::new();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    out.extend(too_large(size, config.attachments.max_file_mb, shown));
    match read_head(path, 1024) {
        Ok(head) if honours(&ext, &head) == Some(false) => {
            let m = Message::new("check.mismatch")
                .arg("file", shown)
                .arg("ext", &ext);
            out.push(error(Code::FileTypeMismatch, m));
        }
        // Within the limit, its text is searched for personal data.
        Ok(_) if out.is_empty() => match attachment_personal_data(path, shown, cache_dir) {
            Ok(found) => out.extend(found),
            Err(e) => out.push(unreadable(shown, &e)),
        },
        Ok(_) => {}
        Err(e) => out.push(unreadable(shown, &e)),
    }
    out
}

/// Reads at most `limit` bytes of `path`.
fn read_head(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    fs::open_regular(path)?.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Checks a photo. `cache_dir` holds verdicts by stamp and content hash.
pub fn check_photo(
    path: &Path,
    shown: &str,
    config: &SiteConfig,
    cache_dir: Option<&Path>,
) -> Vec<Diagnostic> {
    let ext = ext_lower(path);
    if !is_photo_ext(&ext) {
        let m = Message::new("check.photo_type").arg("file", shown);
        return vec![error(Code::DisallowedFileType, m)];
    }
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return vec![unreadable(shown, &e)],
    };
    if let Some(d) = too_large(size, config.images.max_file_mb, shown) {
        return vec![d];
    }
    let probe = match probe_file(path, config.images.max_pixels, cache_dir) {
        Ok(p) => p,
        Err(e) => return vec![unreadable(shown, &e)],
    };
    let mut out = verdict(&probe, &ext, shown, config);
    if probe.paper && !out.iter().any(Diagnostic::is_error) {
        match crate::plumbing::fs::read_regular(path) {
            Ok(bytes) => out.extend(personal_data_on_paper(&bytes, shown, config, cache_dir)),
            Err(e) => out.push(unreadable(shown, &e)),
        }
    }
    out
}

/// National ID numbers (an error) and mobile numbers (a warning) on the
/// printed page a photo shows, read by OCR: remembered in `cache_dir` by
/// the hash of the photo's bytes (reading takes a second or more, and
/// `khao watch` checks a request again whenever it changes). Without the
/// OCR programs nothing is read, and nothing remembered.
fn personal_data_on_paper(
    bytes: &[u8],
    shown: &str,
    config: &SiteConfig,
    cache_dir: Option<&Path>,
) -> Vec<Diagnostic> {
    use crate::news::documents::{PersonalData, photo_personal_data};
    if !crate::plumbing::ocr::available() {
        return Vec::new();
    }
    let file =
        cache_dir.map(|d| d.join(format!("photo-personal-{}", blake3::hash(bytes).to_hex())));
    let remembered = file
        .as_ref()
        .and_then(|f| serde_json::from_slice(&std::fs::read(f).ok()?).ok());
    let found: PersonalData = match remembered {
        Some(found) => found,
        None => {
            // Not read (Tesseract ran out of time on a loaded machine):
            // nothing to say, and nothing remembered, so the next check
            // reads it again.
            let Some(found) = photo_personal_data(bytes, config.images.max_pixels) else {
                return Vec::new();
            };
            if let Some(f) = &file
                && let Ok(json) = serde_json::to_vec(&found)
            {
                // Only a speed-up: a cache that cannot be written costs time.
                let _ = fs::write_atomic(f, &json);
            }
            found
        }
    };
    found.diagnostics(shown)
}

/// A file of `size` bytes over its limit of `max_mb`.
fn too_large(size: u64, max_mb: u64, shown: &str) -> Option<Diagnostic> {
    (size > max_mb * MB).then(|| {
        let m = Message::new("check.too_large")
            .arg("file", shown)
            .arg("size", mb(size))
            .arg("max", max_mb);
        error(Code::FileTooLarge, m)
    })
}

/// The problems a probe shows.
fn verdict(probe: &Probe, ext: &str, shown: &str, config: &SiteConfig) -> Vec<Diagnostic> {
    let file = |key: &str| Message::new(key).arg("file", shown);
    match probe.kind {
        Some(SniffedFormat::Heif) => return vec![error(Code::BadImage, file("check.heic"))],
        Some(k) if k.is_supported() => {}
        _ => {
            let m = file("check.not_a_photo").arg("ext", ext);
            return vec![error(Code::FileTypeMismatch, m)];
        }
    }
    let mut out = Vec::new();
    if !probe.kind.is_some_and(|k| k.extensions().contains(&ext)) {
        let m = file("check.mismatch").arg("ext", ext);
        out.push(error(Code::FileTypeMismatch, m));
    }
    let Some((w, h)) = probe.dims else {
        out.push(error(Code::BadImage, file("check.bad_image")));
        return out;
    };
    let max = config.images.max_pixels;
    if u64::from(w) * u64::from(h) > max {
        let m = file("check.too_many_pixels")
            .arg("w", w)
            .arg("h", h)
            .arg("max", format!("{:.0}", max as f64 / 1e6));
        out.push(error(Code::ImageTooLarge, m));
        return out;
    }
    if probe.decodes != Some(true) {
        out.push(error(Code::BadImage, file("check.bad_image")));
        return out;
    }
    if let Some(min) = config.images.widths.iter().min()
        && w < *min
    {
        let m = file("check.too_small").arg("w", w).arg("min", min);
        out.push(Diagnostic::warning(Code::ImageTooSmall, m));
    }
    out
}

/// Checks a photo held in memory (a picture of a Word request): the same
/// rules as [`check_photo`].
pub fn check_photo_bytes(
    bytes: &[u8],
    shown: &str,
    ext: &str,
    config: &SiteConfig,
    cache_dir: Option<&Path>,
) -> Vec<Diagnostic> {
    if let Some(d) = too_large(bytes.len() as u64, config.images.max_file_mb, shown) {
        return vec![d];
    }
    let probe = probe_bytes(bytes, config.images.max_pixels, cache_dir);
    let mut out = verdict(&probe, ext, shown, config);
    if probe.paper && !out.iter().any(Diagnostic::is_error) {
        out.extend(personal_data_on_paper(bytes, shown, config, cache_dir));
    }
    out
}

/// What the bytes of a photo say: the format, the upright size from the
/// header, whether it decodes (`None` when not tried: more pixels than
/// allowed), and whether it shows a printed page ([`images::Shows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Probe {
    pub kind: Option<SniffedFormat>,
    pub dims: Option<(u32, u32)>,
    pub decodes: Option<bool>,
    pub paper: bool,
}

/// Probes a photo. Unchanged files (same path and [`fs::Stamp`]) are
/// answered from the cache without reading them; changed ones are read,
/// and a content already decoded once is not decoded again. A file still
/// changing (in the last two seconds, [`fs::SETTLED_NS`]) is probed but
/// not remembered by its stamp.
pub fn probe_file(
    path: &Path,
    max_pixels: u64,
    cache_dir: Option<&Path>,
) -> std::io::Result<Probe> {
    let tried = |p: &Probe| {
        p.decodes.is_some()
            || p.dims
                .is_none_or(|(w, h)| u64::from(w) * u64::from(h) > max_pixels)
            || !p.kind.is_some_and(SniffedFormat::is_supported)
    };
    by_stamp(cache_dir, "stat", path, tried, |bytes| {
        probe_bytes(bytes, max_pixels, cache_dir)
    })
}

/// What `verdict` makes of the file at `path`, remembered in `cache_dir`
/// by the file's full path and stamp under `<kind>-<hash>`: an unchanged
/// file is answered without being read (a remembered verdict is taken when
/// `usable` says so). A file still changing (in the last two seconds,
/// [`fs::SETTLED_NS`]) is judged but not remembered by its stamp.
fn by_stamp<T: serde::Serialize + serde::de::DeserializeOwned>(
    cache_dir: Option<&Path>,
    kind: &str,
    path: &Path,
    usable: impl Fn(&T) -> bool,
    verdict: impl FnOnce(&[u8]) -> T,
) -> std::io::Result<T> {
    let entry = cache_dir.and_then(|dir| {
        let stamp = fs::Stamp::of(&std::fs::metadata(path).ok()?);
        let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mut h = blake3::Hasher::new();
        h.update(full.to_string_lossy().as_bytes());
        h.update(&stamp.to_le_bytes());
        let file = dir.join(format!("{kind}-{}", &h.finalize().to_hex()[..32]));
        Some((file, stamp.settled_before(fs::settled_ns())))
    });
    let remembered = entry.as_ref().and_then(|(file, _)| {
        let v: T = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        usable(&v).then_some(v)
    });
    if let Some(v) = remembered {
        return Ok(v);
    }
    let v = verdict(&crate::plumbing::fs::read_regular(path)?);
    if let Some((file, true)) = &entry
        && let Ok(json) = serde_json::to_vec(&v)
    {
        // Only a speed-up: a cache that cannot be written costs time.
        let _ = fs::write_atomic(file, &json);
    }
    Ok(v)
}

/// National ID numbers (an error) and mobile numbers (a warning) in the
/// attachment at `path`: answered from `cache_dir` while the file is
/// unchanged (`khao watch` and the preview check a request again whenever
/// it changes, and a PDF's text, a scan's above all, is the slowest part
/// of that).
fn attachment_personal_data(
    path: &Path,
    shown: &str,
    cache_dir: Option<&Path>,
) -> std::io::Result<Vec<Diagnostic>> {
    use crate::news::documents::{PersonalData, Scans, personal_data};
    // A verdict given without reading scans is not one given with them
    // (nor one given before the pictures of Office files were read).
    let kind = if crate::plumbing::ocr::available() {
        "personal-ocr2"
    } else {
        "personal"
    };
    let found: PersonalData = by_stamp(
        cache_dir,
        kind,
        path,
        |_| true,
        |bytes| personal_data(bytes, Scans::Read),
    )?;
    Ok(found.diagnostics(shown))
}

/// Probes a photo's bytes: the header first (a bomb is refused before
/// anything is decoded), then a full decode, cached by content hash.
fn probe_bytes(bytes: &[u8], max_pixels: u64, cache_dir: Option<&Path>) -> Probe {
    let mut probe = Probe {
        kind: images::sniff(bytes),
        dims: images::header_dimensions(bytes).ok(),
        decodes: None,
        paper: false,
    };
    if let Some((w, h)) = probe.dims
        && u64::from(w) * u64::from(h) <= max_pixels
    {
        let shows = decodes(bytes, max_pixels, cache_dir);
        probe.decodes = Some(shows.is_some());
        probe.paper = shows == Some(images::Shows::Paper);
        // The width as shown (EXIF orientation applied) is what
        // `images.widths` means; the pixel count is the same.
        if let Ok(upright) = images::upright_dimensions(bytes) {
            probe.dims = Some(upright);
        }
    }
    probe
}

/// What the whole photo shows when it decodes (`None`: it does not); the
/// verdict is cached by content hash.
fn decodes(bytes: &[u8], max_pixels: u64, cache_dir: Option<&Path>) -> Option<images::Shows> {
    use images::Shows;
    let cached = cache_dir.map(|d| d.join(format!("decode-{}", blake3::hash(bytes).to_hex())));
    if let Some(file) = &cached
        && let Ok(v) = std::fs::read_to_string(file)
    {
        match v.trim() {
            "scene" => return Some(Shows::Scene),
            "paper" => return Some(Shows::Paper),
            "bad" => return None,
            _ => {}
        }
    }
    let shows = images::verify_decodes(bytes, max_pixels).ok();
    if let Some(file) = &cached {
        let v = match shows {
            Some(Shows::Scene) => "scene\n",
            Some(Shows::Paper) => "paper\n",
            None => "bad\n",
        };
        let _ = fs::write_atomic(file, v.as_bytes());
    }
    shows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_documents() {
        assert_eq!(sniff_document(b"%PDF-1.4\n"), Some(Container::Pdf));
        assert_eq!(sniff_document(b"\x7fELF\x02\x01"), None);
        assert_eq!(sniff_document(b"PK\x03\x04rest"), Some(Container::Zip));
        assert_eq!(honours("docx", b"PK\x03\x04"), Some(true));
        assert_eq!(honours("pdf", b"PK\x03\x04"), Some(false));
        assert_eq!(honours("txt", b"x"), None);
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
        assert_eq!(decodes(&full, 64 * 64, None), Some(images::Shows::Scene));
        assert_eq!(decodes(&full[..full.len() * 2 / 3], 64 * 64, None), None);
    }
}
