//! An Office attachment (Word, Excel, PowerPoint, or LibreOffice's
//! OpenDocument) published without the GPS positions of its photos. A
//! phone photo pasted into a document or a slide keeps its EXIF, where it
//! was taken included; khao publishes attachments as they are, so intake
//! removes the positions from the copy it puts in `content/` (the request
//! is kept as received in `records/`). Only the photos' GPS values change
//! ([`crate::images::without_gps`]); every other part is copied byte for
//! byte.

use std::collections::HashMap;

use super::error::DocxError;
use super::package::Package;
use super::types::Limits;

/// The document `bytes` without its photos' GPS positions; `None` when no
/// photo had one (or it is not an Office document): publish it as it is.
pub fn without_gps(bytes: &[u8], limits: &Limits) -> Result<Option<Vec<u8>>, DocxError> {
    let mut package = Package::open(bytes, limits)?;
    let photos: Vec<String> = package.names().filter(|n| is_jpeg(n)).collect();
    let mut replaced = HashMap::new();
    for name in photos {
        if let Some(jpeg) = package.read_part(&name)?
            && let Some(clean) = crate::images::without_gps(&jpeg)
        {
            replaced.insert(name, clean);
        }
    }
    if replaced.is_empty() {
        return Ok(None);
    }
    package.rewritten(&replaced).map(Some)
}

/// Most pictures of one document handed out by [`pictures`].
const MOST_PICTURES: usize = 50;

/// The photos (JPEG and PNG parts) of the Office document `bytes`, in the
/// package's order, at most [`MOST_PICTURES`] of them: a list of names
/// photographed and pasted into a document is read like a photo sent on
/// its own ([`crate::news::documents`]). Empty when it cannot be read.
pub fn pictures(bytes: &[u8], limits: &Limits) -> Vec<Vec<u8>> {
    let Ok(mut package) = Package::open(bytes, limits) else {
        return Vec::new();
    };
    let names: Vec<String> = package
        .names()
        .filter(|n| is_jpeg(n) || n.to_ascii_lowercase().ends_with(".png"))
        .take(MOST_PICTURES)
        .collect();
    names
        .iter()
        .filter_map(|n| package.read_part(n).ok().flatten())
        .collect()
}

fn is_jpeg(part: &str) -> bool {
    let lower = part.to_ascii_lowercase();
    lower.ends_with(".jpg") || lower.ends_with(".jpeg")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docx/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn a_photo_taken_with_gps_loses_its_position_and_nothing_else() {
        let limits = Limits::default();
        // good.docx holds a phone photo with a GPS position.
        let original = fixture("good.docx");
        let clean = without_gps(&original, &limits).unwrap().expect("had GPS");
        let mut before = Package::open(&original, &limits).unwrap();
        let mut after = Package::open(&clean, &limits).unwrap();
        let names: Vec<String> = before.names().collect();
        assert_eq!(names, after.names().collect::<Vec<_>>());
        let mut photos = 0;
        for name in names {
            let (a, b) = (
                before.read_part(&name).unwrap(),
                after.read_part(&name).unwrap(),
            );
            if is_jpeg(&name) && a != b {
                photos += 1;
                let (a, b) = (a.unwrap(), b.unwrap());
                assert_eq!(a.len(), b.len(), "{name}");
                assert!(crate::images::without_gps(&b).is_none(), "{name}");
            } else {
                assert_eq!(a, b, "{name}");
            }
        }
        assert_eq!(photos, 1);
        // Still a Word document, read as before.
        assert!(crate::docx::read(&clean, &limits).is_ok());
        // Nothing more to remove the second time.
        assert!(without_gps(&clean, &limits).unwrap().is_none());
    }

    #[test]
    fn documents_without_positions_are_left_as_they_are() {
        let limits = Limits::default();
        assert!(
            without_gps(&fixture("attachment.docx"), &limits)
                .unwrap()
                .is_none()
        );
        assert!(without_gps(b"%PDF-1.4", &limits).is_err());
    }
}
