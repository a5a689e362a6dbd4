//! Reads the pictures the body met, names them, and tells vector formats
//! (EMF/WMF, which browsers cannot show) from photos.
//!
//! The name comes from the bytes' magic number rather than the media
//! name: Word names parts after what it was given, and staff rename files.

use super::inline::PictureRef;
use super::package::Package;
use super::{DocxError, Finding, Picture};

/// Reads every referenced picture once, in document order. A reference to
/// a part that is not in the zip becomes [`Finding::MissingPicture`].
pub(crate) fn load(
    pkg: &mut Package<'_>,
    refs: Vec<PictureRef>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<Picture>, DocxError> {
    let mut out: Vec<Picture> = Vec::new();
    for r in refs {
        let Some(part) = pkg.find(&r.part) else {
            findings.push(Finding::MissingPicture {
                paragraph: r.paragraph,
            });
            continue;
        };
        if out.iter().any(|p| p.media_path == part) {
            continue;
        }
        let Some(bytes) = pkg.read_part(&part)? else {
            findings.push(Finding::MissingPicture {
                paragraph: r.paragraph,
            });
            continue;
        };
        let ext = extension(&bytes, &part);
        let vector = matches!(ext.as_str(), "emf" | "wmf" | "emz" | "wmz");
        let file_name = format!("word-photo-{}.{ext}", out.len() + 1);
        if vector {
            findings.push(Finding::VectorPicture {
                file_name: file_name.clone(),
                paragraph: r.paragraph,
            });
        }
        out.push(Picture {
            file_name,
            media_path: part,
            bytes,
            alt: r.alt,
            decorative: r.decorative,
            paragraph: r.paragraph,
            vector,
        });
    }
    Ok(out)
}

/// The file extension for picture bytes: by magic number, else the part
/// name's extension when it is short plain ASCII, else `bin`.
pub(crate) fn extension(bytes: &[u8], part: &str) -> String {
    if let Some(ext) = sniff(bytes) {
        return ext.to_string();
    }
    let name = part.rsplit('/').next().unwrap_or_default();
    match name.rsplit_once('.') {
        Some((_, ext))
            if (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            match ext.to_ascii_lowercase().as_str() {
                "jpeg" | "jpe" => "jpg".to_string(),
                "tiff" => "tif".to_string(),
                e => e.to_string(),
            }
        }
        _ => "bin".to_string(),
    }
}

fn sniff(b: &[u8]) -> Option<&'static str> {
    let at = |i: usize, magic: &[u8]| b.get(i..i + magic.len()) == Some(magic);
    Some(if at(0, &[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        "gif"
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        "webp"
    } else if at(0, b"BM") {
        "bmp"
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        "tif"
    } else if at(0, &[1, 0, 0, 0]) && at(40, b" EMF") {
        "emf"
    } else if at(0, &[0xD7, 0xCD, 0xC6, 0x9A])
        || at(0, &[1, 0, 9, 0, 0, 3])
        || at(0, &[2, 0, 9, 0, 0, 3])
    {
        "wmf"
    } else if at(4, b"ftypheic") || at(4, b"ftypheix") || at(4, b"ftypmif1") {
        "heic"
    } else if at(4, b"ftypavif") {
        "avif"
    } else if looks_like_svg(b) {
        "svg"
    } else {
        return None;
    })
}

fn looks_like_svg(b: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_ascii_lowercase();
    let t = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    (t.starts_with("<?xml") || t.starts_with("<svg")) && head.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(
            extension(&[0xFF, 0xD8, 0xFF, 0xE0], "word/media/image1.png"),
            "jpg"
        );
        let mut emf = vec![1, 0, 0, 0];
        emf.resize(40, 0);
        emf.extend(b" EMF");
        assert_eq!(extension(&emf, "word/media/image2.emf"), "emf");
        assert_eq!(extension(b"??", "word/media/image3.JPEG"), "jpg");
        assert_eq!(extension(b"??", "word/media/รูป.ภาพ"), "bin");
        assert_eq!(extension(b"??", "word/media/x"), "bin");
    }
}
