//! PDF attachments: the text of each page (lopdf, every stream
//! decompressed within a limit), what OCR reads on scanned pages and in
//! photographed pages placed on the others, and the file without its
//! photos' GPS positions.

use super::{At, Scans, Source, pictures_read};

/// Most bytes of a JPEG's metadata looked through: its APP segments come
/// before its picture, each at most 64 KiB.
const JPEG_METADATA: usize = 1 << 20;

/// A PDF without the GPS positions of its photos. A PDF may store a photo
/// as the JPEG file it was given, EXIF included (an image-to-PDF converter
/// such as img2pdf does): each JPEG start is looked at and its position
/// cleared in place, so every offset the PDF records still holds.
pub(super) fn pdf_without_gps(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes.to_vec();
    let mut cleared = false;
    for at in memchr::memmem::find_iter(bytes, b"\xFF\xD8\xFF") {
        let end = at.saturating_add(JPEG_METADATA).min(out.len());
        cleared |= crate::images::clear_gps_in_place(&mut out[at..end]);
    }
    cleared.then_some(out)
}

/// Most bytes one PDF stream may decompress to: a page's text is
/// kilobytes; a crafted stream must not take the machine's memory.
const PDF_STREAM_LIMIT: usize = 4 << 20;

/// Most PDF pages read: a list of 3,000 names is 70 pages; a crafted file
/// of many pages sharing one large stream must not keep `khao watch`
/// busy for minutes.
const PDF_PAGES: usize = 2000;

/// The text of each page of a PDF, and with `Scans::Read` what OCR reads
/// on the pages that have next to none (scanned) and in the photos of
/// printed pages placed on the others (a Word file with a photographed
/// list, saved as PDF), in page order; none when it cannot be read.
pub(super) fn pdf_texts(bytes: &[u8], scans: Scans) -> Vec<(At, Source, String)> {
    let mut pages = pdf_pages(bytes, scans == Scans::Read);
    let scanned: Vec<u32> = pages
        .iter()
        .filter(|p| is_scanned(&p.text))
        .map(|p| p.n)
        .collect();
    let photos: Vec<(u32, Vec<u8>)> = pages
        .iter_mut()
        .flat_map(|p| {
            std::mem::take(&mut p.photos)
                .into_iter()
                .map(|photo| (p.n, photo))
        })
        .collect();
    // A page's own text first: the first number found says how to fix it.
    let mut texts: Vec<(At, Source, String)> = pages
        .into_iter()
        .map(|p| (At::Page(p.n), Source::Pdf, p.text))
        .collect();
    if scans == Scans::Read {
        let read = crate::plumbing::ocr::pdf_pages(bytes, &scanned);
        texts.extend(
            read.into_iter()
                .map(|(n, text)| (At::Page(n), Source::Scan, text)),
        );
        texts.extend(pictures_read(
            photos
                .iter()
                .map(|(n, photo)| (At::Page(*n), photo.as_slice())),
        ));
    }
    texts.sort_by_key(|(at, _, _)| match at {
        At::Page(n) => *n,
        _ => 0,
    });
    // A PDF cut short (an incomplete copy) or without its fonts gives no
    // page text, while an ID written in plain text in it is published all
    // the same: then its bytes are searched too.
    let ids_read = (texts.iter()).any(|(_, _, t)| !crate::news::personal_id::find(t).is_empty());
    if !ids_read {
        texts.push((At::Somewhere, Source::Raw, long_numbers(bytes)));
    }
    texts
}

/// The runs of digits, spaces, dashes and dots in `bytes` that hold at
/// least thirteen digits, a line each: what of a file's bytes could be an
/// ID, without holding the whole file as text.
fn long_numbers(bytes: &[u8]) -> String {
    let mut out = String::new();
    let number_byte = |b: &u8| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b')');
    for run in bytes.split(|b| !number_byte(b)) {
        if run.iter().filter(|b| b.is_ascii_digit()).count() >= 13 {
            out.extend(run.iter().map(|&b| char::from(b)));
            out.push('\n');
        }
    }
    out
}

/// A page with fewer letters than this in its text is taken for a scan
/// (a copier may stamp a page number or a date in text).
const SCANNED_BELOW: usize = 40;

/// Whether a page with this text is a scan ([`SCANNED_BELOW`]).
fn is_scanned(text: &str) -> bool {
    text.chars().filter(|c| !c.is_whitespace()).count() < SCANNED_BELOW
}

/// Least pixels of a photo on a PDF page worth reading: a page's worth of
/// names, photographed, is megapixels.
const PDF_PHOTO_PIXELS: i64 = 1_000_000;

/// Most photos of one PDF handed out to be looked at.
const PDF_PHOTOS: usize = 50;

/// One page of a PDF: its number, its text, and (when asked, on pages
/// with text) its JPEG photos of a megapixel or more.
struct PdfPage {
    n: u32,
    text: String,
    photos: Vec<Vec<u8>>,
}

/// The pages of a PDF; none when it cannot be read. lopdf is a parser of
/// untrusted input: a panic in it is this file unread, not the check
/// stopped.
fn pdf_pages(bytes: &[u8], with_photos: bool) -> Vec<PdfPage> {
    std::panic::catch_unwind(|| {
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(PDF_STREAM_LIMIT),
            ..Default::default()
        };
        let Ok(doc) = lopdf::Document::load_mem_with_options(bytes, options) else {
            return Vec::new();
        };
        let mut photos_left = if with_photos { PDF_PHOTOS } else { 0 };
        let pages: Vec<(u32, lopdf::ObjectId)> = doc.get_pages().into_iter().collect();
        pages
            .into_iter()
            .take(PDF_PAGES)
            .filter_map(|(n, id)| {
                let text = doc.extract_text_with_limit(&[n], PDF_STREAM_LIMIT).ok()?;
                let mut photos = Vec::new();
                if photos_left > 0 && !is_scanned(&text) {
                    for image in doc.get_page_images(id).unwrap_or_default() {
                        let jpeg = image.filters.as_deref().is_some_and(|f| f == ["DCTDecode"]);
                        if jpeg && image.width * image.height >= PDF_PHOTO_PIXELS && photos_left > 0
                        {
                            photos.push(image.content.to_vec());
                            photos_left -= 1;
                        }
                    }
                }
                Some(PdfPage { n, text, photos })
            })
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::{PersonalData, personal_data, without_gps};
    use super::*;

    /// A photographed list pasted below a heading, saved as PDF: the page
    /// has text, so it is no scan, and the photo is read on its own.
    #[test]
    fn a_photographed_list_on_a_page_of_text_is_read() {
        assert!(
            crate::plumbing::ocr::available(),
            "scripts/test installs OCR"
        );
        let photo = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/requests/bad/personal-id--in-photo-of-list/รายชื่อ.jpg"
        );
        let jpeg = std::fs::read(photo).unwrap();
        let pdf = pdf_with_heading_and(&jpeg, (1500, 2000));
        let heading = personal_data(&pdf, Scans::Skipped);
        assert_eq!(heading, PersonalData::default(), "the heading holds none");
        let found = personal_data(&pdf, Scans::Read);
        let ids = found.ids.as_ref().expect("read in the photo");
        assert_eq!((ids.at, ids.from), (At::Page(1), Source::Picture));
        let shown = format!("{:?}", found.id_error("รายชื่อ.pdf").unwrap().message);
        assert!(shown.contains("check.fix_picture"), "{shown}");
    }

    /// A one-page PDF: a line of text, and under it `jpeg` (of `size`).
    fn pdf_with_heading_and(jpeg: &[u8], size: (i64, i64)) -> Vec<u8> {
        let heading = "List of the students who passed the entrance examination";
        one_page_pdf(jpeg, size, Some(heading))
    }

    /// A one-page PDF showing `jpeg`, stored as it is (as Word saves a
    /// pasted photo).
    fn pdf_showing(jpeg: &[u8]) -> Vec<u8> {
        one_page_pdf(jpeg, (8, 8), None)
    }

    /// A one-page PDF holding `jpeg` (of `size`) as it is, drawn under the
    /// line `heading` when there is one.
    fn one_page_pdf(jpeg: &[u8], size: (i64, i64), heading: Option<&str>) -> Vec<u8> {
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => size.0, "Height" => size.1,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg.to_vec(),
        ));
        let pages = doc.new_object_id();
        let mut resources = dictionary! { "XObject" => dictionary! { "Im1" => image } };
        let mut page = dictionary! {
            "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        if let Some(heading) = heading {
            let font = doc.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            });
            resources.set("Font", dictionary! { "F1" => font });
            let draw = format!(
                "BT /F1 14 Tf 40 800 Td ({heading}) Tj ET q 450 0 0 600 70 150 cm /Im1 Do Q"
            );
            let contents = doc.add_object(Stream::new(dictionary! {}, draw.into_bytes()));
            page.set("Contents", contents);
        }
        page.set("Resources", resources);
        let page = doc.add_object(page);
        let kids = vec![Object::Reference(page)];
        doc.objects.insert(
            pages,
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 1 }.into(),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn a_pdfs_photos_lose_their_position_and_nothing_else() {
        let photo = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/images/ladybird-orientation6-gps.jpg"
        );
        let jpeg = std::fs::read(photo).unwrap();
        let pdf = pdf_showing(&jpeg);
        let file = std::path::Path::new("ภาพ.pdf");
        let clean = without_gps(file, &pdf).expect("it had a position");
        assert_eq!(clean.len(), pdf.len(), "every offset holds");
        let at = memchr::memmem::find(&pdf, &jpeg[..64]).unwrap();
        let stored = &clean[at..at + jpeg.len()];
        assert_eq!(stored, crate::images::without_gps(&jpeg).unwrap());
        // Only bytes of the photo changed.
        let changed = |(i, (a, b)): (usize, (&u8, &u8))| (a != b).then_some(i);
        let mut outside = pdf.iter().zip(&clean).enumerate().filter_map(changed);
        assert!(outside.all(|i| (at..at + jpeg.len()).contains(&i)));
        assert!(lopdf::Document::load_mem(&clean).is_ok());
        // Once cleared, nothing more to do; other files are not touched.
        assert!(without_gps(file, &clean).is_none());
        assert!(without_gps(std::path::Path::new("ภาพ.zip"), &pdf).is_none());
    }
}
