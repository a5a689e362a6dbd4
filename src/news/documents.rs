//! Personal data inside attachments. Lists of names with their ID numbers
//! or their parents' phones (candidates, award winners, trainees) most
//! often reach the website as an attached spreadsheet, Word table or PDF,
//! not in the news text: the text of a `.docx`, `.xlsx`, `.pptx` or
//! OpenDocument file ([`crate::docx::office_text`]) or of a PDF's pages
//! (lopdf, every stream decompressed within a limit) is searched like the
//! news text ([`crate::news::personal_id`], [`crate::news::phone`]). A
//! scanned page has no text: the check reads its picture
//! ([`crate::plumbing::ocr`], see [`Scans`]). A file that cannot be read is
//! left to the other checks.
//!
//! And the GPS positions of photos pasted into an Office or PDF
//! attachment ([`without_gps`]): attachments are published as they are.
//!
//! Both are asked of a request's files (the check; intake writes the
//! attachment without positions) and again of each attachment the build
//! publishes from `content/`, when it changed: one edited or replaced by
//! hand there was never a request's.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;

/// A document container recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Pdf,
    /// ZIP: docx, xlsx, pptx, odt...
    Zip,
    /// OLE2: doc, xls, ppt.
    Ole,
}

/// The container of a document, from its first bytes.
pub fn sniff_document(b: &[u8]) -> Option<Container> {
    if b[..b.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        Some(Container::Pdf)
    } else if b.starts_with(b"PK\x03\x04") {
        Some(Container::Zip)
    } else if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Container::Ole)
    } else {
        None
    }
}

/// Office attachments: ZIP packages whose photos may carry positions.
const OFFICE: [&str; 6] = ["docx", "xlsx", "pptx", "odt", "ods", "odp"];

/// Whether `file` is an Office attachment by its extension.
pub fn is_office(file: &std::path::Path) -> bool {
    OFFICE.contains(&crate::plumbing::paths::ext_lower(file).as_str())
}

/// Whether `file` is read, by its extension: a PDF or an Office file, with
/// text to search and photos to clear (what else is attached, a video
/// say, need not be read).
pub fn is_searched(file: &std::path::Path) -> bool {
    is_office(file) || crate::plumbing::paths::ext_lower(file) == "pdf"
}

/// The attachment `bytes` (named `file`) without its photos' GPS
/// positions; `None`: publish it as it is (no photo had a position, or it
/// is not an Office or PDF file).
pub fn without_gps(file: &std::path::Path, bytes: &[u8]) -> Option<Vec<u8>> {
    if is_office(file) {
        let limits = crate::docx::Limits::default();
        crate::docx::without_gps(bytes, &limits).ok().flatten()
    } else if crate::plumbing::paths::ext_lower(file) == "pdf" {
        pdf_without_gps(bytes)
    } else {
        None
    }
}

/// Most bytes of a JPEG's metadata looked through: its APP segments come
/// before its picture, each at most 64 KiB.
const JPEG_METADATA: usize = 1 << 20;

/// A PDF without the GPS positions of its photos. A PDF may store a photo
/// as the JPEG file it was given, EXIF included (an image-to-PDF converter
/// such as img2pdf does): each JPEG start is looked at and its position
/// cleared in place, so every offset the PDF records still holds.
fn pdf_without_gps(bytes: &[u8]) -> Option<Vec<u8>> {
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

/// Where in a document text was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum At {
    Page(u32),
    Sheet(u32),
    Slide(u32),
    /// The nth picture of an Office document.
    Picture(u32),
    Somewhere,
}

/// The personal data in an attachment's text: national ID numbers (never
/// published) and mobile phone numbers (the staff member decides).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    ids: Option<Numbers>,
    phones: Option<Numbers>,
}

/// Numbers of one kind found: how many, where the first is, the first (an
/// ID with its digits masked), and what it was read from (which says how
/// to fix it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Numbers {
    count: usize,
    at: At,
    first: String,
    from: Source,
}

/// What an attachment's text was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Source {
    Office,
    Pdf,
    /// The picture of a scanned page ([`crate::plumbing::ocr`]).
    Scan,
    /// A photo of a printed page, read the same way.
    Photo,
    /// The photo of a printed page pasted into an Office document.
    Picture,
}

/// Whether the pictures of scanned PDF pages are read: a second or more
/// a page. The check of a request reads them (and remembers the verdict);
/// the build does not (the first build of a site of thousands of scanned
/// orders would take hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scans {
    Read,
    Skipped,
}

/// The personal data in the text of attachment `bytes`, and with
/// `Scans::Read` in what OCR reads on its scanned pages and on the photos
/// of printed pages pasted into it.
pub fn personal_data(bytes: &[u8], scans: Scans) -> PersonalData {
    let texts = match sniff_document(bytes) {
        Some(Container::Zip) => {
            let mut texts = office_texts(bytes);
            if scans == Scans::Read {
                texts.extend(office_pictures(bytes));
            }
            texts
        }
        Some(Container::Pdf) => pdf_texts(bytes, scans),
        Some(Container::Ole) | None => return PersonalData::default(),
    };
    found_in(&texts)
}

/// The personal data in the photo `bytes` when it shows a printed page
/// (a list of names photographed on a desk): its picture is read
/// ([`crate::plumbing::ocr`]). Photos of anything else, and photos that do
/// not decode, are not read.
pub fn photo_personal_data(bytes: &[u8], max_pixels: u64) -> PersonalData {
    let Ok(image) = crate::images::decode(bytes, max_pixels) else {
        return PersonalData::default();
    };
    let grey = crate::images::for_reading(&image, crate::plumbing::ocr::LONG_SIDE);
    drop(image);
    let Some(text) = crate::plumbing::ocr::picture(&grey) else {
        return PersonalData::default();
    };
    found_in(&[(At::Somewhere, Source::Photo, text)])
}

/// Most pixels of a picture inside a document that is decoded.
const PICTURE_PIXELS: u64 = 50_000_000;

/// What OCR reads in the pictures of an Office document that show a
/// printed page, each at its place among the pictures.
fn office_pictures(bytes: &[u8]) -> Vec<(At, Source, String)> {
    let pictures = crate::docx::pictures(bytes, &crate::docx::Limits::default());
    pictures_read(
        pictures
            .iter()
            .zip(1..)
            .map(|(picture, n)| (At::Picture(n), picture.as_slice())),
    )
}

/// What OCR reads in the `pictures` (each where it was found) that show a
/// printed page: the first [`crate::plumbing::ocr::MOST_PAGES`] of them,
/// on every core. A picture that does not decode is passed over.
fn pictures_read<'b>(pictures: impl Iterator<Item = (At, &'b [u8])>) -> Vec<(At, Source, String)> {
    use rayon::prelude::*;
    let pages: Vec<(At, image::GrayImage)> = pictures
        .filter_map(|(at, picture)| {
            let image = crate::images::decode(picture, PICTURE_PIXELS).ok()?;
            crate::images::shows_paper(&image).then(|| {
                let grey = crate::images::for_reading(&image, crate::plumbing::ocr::LONG_SIDE);
                (at, grey)
            })
        })
        .take(crate::plumbing::ocr::MOST_PAGES)
        .collect();
    pages
        .par_iter()
        .filter_map(|(at, grey)| Some((*at, Source::Picture, crate::plumbing::ocr::picture(grey)?)))
        .collect()
}

/// The ID and mobile numbers in `texts`.
fn found_in(texts: &[(At, Source, String)]) -> PersonalData {
    PersonalData {
        ids: numbers(texts, crate::news::personal_id::find, masked),
        phones: numbers(texts, crate::news::phone::find, str::to_string),
    }
}

/// The numbers `find` finds in `texts`, the first shown as `show` makes it.
fn numbers(
    texts: &[(At, Source, String)],
    find: fn(&str) -> Vec<std::ops::Range<usize>>,
    show: fn(&str) -> String,
) -> Option<Numbers> {
    let mut found = texts
        .iter()
        .flat_map(|(at, from, text)| find(text).into_iter().map(move |r| (*at, *from, &text[r])));
    let (at, from, first) = found.next()?;
    Some(Numbers {
        count: 1 + found.count(),
        at,
        first: show(first),
        from,
    })
}

impl PersonalData {
    /// The `personal-id` error for the attachment shown as `shown`, when
    /// it holds ID numbers.
    pub fn id_error(&self, shown: &str) -> Option<Diagnostic> {
        let ids = self.ids.as_ref()?;
        let fix = match ids.from {
            Source::Office => "check.fix_office",
            Source::Pdf => "check.fix_pdf",
            Source::Scan => "check.fix_scan",
            Source::Picture => "check.fix_picture",
            Source::Photo => {
                let m = ids.message("check.personal_id_photo", shown);
                return Some(Diagnostic::error(Code::PersonalId, m));
            }
        };
        let m = ids
            .message("check.personal_id_attachment", shown)
            .arg_msg("fix", Message::new(fix));
        Some(Diagnostic::error(Code::PersonalId, m))
    }

    /// The `personal-phone` warning for the attachment shown as `shown`,
    /// when it holds mobile numbers.
    pub fn phone_warning(&self, shown: &str) -> Option<Diagnostic> {
        let phones = self.phones.as_ref()?;
        let key = match phones.from {
            Source::Photo => "check.personal_phone_photo",
            _ => "check.personal_phone_attachment",
        };
        let m = phones.message(key, shown);
        Some(Diagnostic::warning(Code::PersonalPhone, m))
    }
}

impl Numbers {
    fn message(&self, key: &str, shown: &str) -> Message {
        Message::new(key)
            .arg("file", shown)
            .arg("count", self.count)
            .arg("number", &self.first)
            .arg_msg("at", place(self.at))
    }
}

/// `number` with every digit but the last three hidden: enough for the
/// staff member to find it, not enough to publish it again in a report.
fn masked(number: &str) -> String {
    let is_digit = |c: char| crate::news::personal_id::digit(c).is_some();
    let digits = number.chars().filter(|&c| is_digit(c)).count();
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if !is_digit(c) {
                return c;
            }
            seen += 1;
            if seen + 3 <= digits { 'x' } else { c }
        })
        .collect()
}

fn place(at: At) -> Message {
    match at {
        At::Page(n) => Message::new("check.at_page").arg("n", n),
        At::Sheet(n) => Message::new("check.at_sheet").arg("n", n),
        At::Slide(n) => Message::new("check.at_slide").arg("n", n),
        At::Picture(n) => Message::new("check.at_picture").arg("n", n),
        At::Somewhere => Message::new("check.at_somewhere"),
    }
}

/// The text of each part of an Office document; none when it cannot be
/// read.
fn office_texts(bytes: &[u8]) -> Vec<(At, Source, String)> {
    let limits = crate::docx::Limits::default();
    let parts = crate::docx::office_text(bytes, &limits).unwrap_or_default();
    parts
        .into_iter()
        .map(|(part, text)| (part_at(&part), Source::Office, text))
        .collect()
}

/// `xl/worksheets/sheet3.xml` is the third sheet, `ppt/slides/slide2.xml`
/// the second slide.
fn part_at(part: &str) -> At {
    let number = |prefix: &str| {
        part.strip_prefix(prefix)?
            .strip_suffix(".xml")?
            .parse::<u32>()
            .ok()
    };
    if let Some(n) = number("xl/worksheets/sheet") {
        At::Sheet(n)
    } else if let Some(n) = number("ppt/slides/slide") {
        At::Slide(n)
    } else {
        At::Somewhere
    }
}

/// The text of each page of a PDF, and with `Scans::Read` what OCR reads
/// on the pages that have next to none (scanned) and in the photos of
/// printed pages placed on the others (a Word file with a photographed
/// list, saved as PDF), in page order; none when it cannot be read.
fn pdf_texts(bytes: &[u8], scans: Scans) -> Vec<(At, Source, String)> {
    let mut pages = pdf_pages(bytes, scans == Scans::Read);
    let is_scan = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count() < SCANNED_BELOW;
    let scanned: Vec<u32> = pages
        .iter()
        .filter(|p| is_scan(&p.text))
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
    texts
}

/// A page with fewer letters than this in its text is taken for a scan
/// (a copier may stamp a page number or a date in text).
const SCANNED_BELOW: usize = 40;

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
                if photos_left > 0
                    && text.chars().filter(|c| !c.is_whitespace()).count() >= SCANNED_BELOW
                {
                    for image in doc.get_page_images(id).unwrap_or_default() {
                        let jpeg = image.filters.as_deref() == Some(&["DCTDecode".to_string()][..]);
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
    use super::*;

    #[test]
    fn numbers_are_masked_but_their_last_three_digits() {
        assert_eq!(masked("1-1017-00203-45-5"), "x-xxxx-xxxxx-45-5");
        assert_eq!(masked("1101700203455"), "xxxxxxxxxx455");
        assert_eq!(masked("๑๑๐๑๗๐๐๒๐๓๔๕๕"), "xxxxxxxxxx๔๕๕");
    }

    #[test]
    fn parts_name_their_sheet_or_slide() {
        assert_eq!(part_at("xl/worksheets/sheet3.xml"), At::Sheet(3));
        assert_eq!(part_at("ppt/slides/slide12.xml"), At::Slide(12));
        assert_eq!(part_at("word/document.xml"), At::Somewhere);
        assert_eq!(part_at("xl/sharedStrings.xml"), At::Somewhere);
    }

    #[test]
    fn an_id_in_a_real_pdf_and_spreadsheet_is_found_and_broken_ones_are_not_read() {
        let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/requests/bad/");
        for (file, at) in [
            ("personal-id--in-attached-pdf/รายชื่อ.pdf", "check.at_page"),
            ("personal-id--in-attached-xlsx/รายชื่อ.xlsx", "check.at_sheet"),
        ] {
            let bytes = std::fs::read(format!("{bad}{file}")).unwrap();
            let found = personal_data(&bytes, Scans::Skipped);
            let d = found.id_error(file).expect(file);
            let shown = format!("{:?}", d.message);
            assert!(shown.contains(at), "{file}: {shown}");
            // Cut anywhere, it is read as far as it goes or not at all.
            for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 20] {
                let _ = personal_data(&bytes[..cut], Scans::Skipped);
            }
        }
        // Pages that are their own child.
        let cycle = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
            2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\n\
            trailer<</Root 1 0 R>>\n%%EOF\n";
        assert_eq!(personal_data(cycle, Scans::Read), PersonalData::default());
    }

    #[test]
    fn an_id_on_a_scanned_page_is_read_by_ocr_when_asked() {
        assert!(
            crate::plumbing::ocr::available(),
            "needs pdftoppm and tesseract with Thai (scripts/test installs them)"
        );
        let file = "personal-id--in-scanned-pdf/ประกาศ.pdf";
        let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/requests/bad/");
        let bytes = std::fs::read(format!("{bad}{file}")).unwrap();
        assert_eq!(personal_data(&bytes, Scans::Skipped).ids, None);
        let found = personal_data(&bytes, Scans::Read);
        let ids = found.ids.as_ref().expect("read by OCR");
        assert_eq!(ids.from, Source::Scan);
        assert_eq!(ids.first, "x-xxxx-xxxxx-45-6");
        let shown = format!("{:?}", found.id_error(file).unwrap().message);
        assert!(shown.contains("check.fix_scan"), "{shown}");
    }

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
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => size.0, "Height" => size.1,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg.to_vec(),
        ));
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let draw = b"BT /F1 14 Tf 40 800 Td (List of the students who passed the entrance examination) Tj ET \
            q 450 0 0 600 70 150 cm /Im1 Do Q"
            .to_vec();
        let contents = doc.add_object(Stream::new(dictionary! {}, draw));
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => contents,
            "Resources" => dictionary! {
                "XObject" => dictionary! { "Im1" => image },
                "Font" => dictionary! { "F1" => font },
            },
        });
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

    /// A one-page PDF showing `jpeg`, stored as it is (as Word saves a
    /// pasted photo).
    fn pdf_showing(jpeg: &[u8]) -> Vec<u8> {
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 8, "Height" => 8,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg.to_vec(),
        ));
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image } },
        });
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

    #[test]
    fn mobile_numbers_in_a_spreadsheet_are_a_warning() {
        let file = "personal-phone--in-attached-xlsx/ผู้ปกครอง.xlsx";
        let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/requests/bad/");
        let found = personal_data(&std::fs::read(format!("{bad}{file}")).unwrap(), Scans::Read);
        assert_eq!(found.ids, None);
        let phones = found.phones.as_ref().unwrap();
        // Text cells, kept in the workbook's shared strings, are found on
        // their sheet.
        assert_eq!((phones.count, phones.at), (2, At::Sheet(1)));
        assert_eq!(phones.first, "081-234-5678");
        assert!(!found.phone_warning(file).unwrap().is_error());
    }

    #[test]
    fn other_files_and_garbage_have_no_ids() {
        assert_eq!(
            personal_data(b"%PDF-1.4 garbage", Scans::Read),
            PersonalData::default()
        );
        assert_eq!(
            personal_data(b"PK\x03\x04garbage", Scans::Read),
            PersonalData::default()
        );
        assert_eq!(
            personal_data(b"plain text 1101700203455", Scans::Read),
            PersonalData::default()
        );
    }
}
