//! Personal data inside attachments. Lists of names with their ID numbers
//! or their parents' phones (candidates, award winners, trainees) most
//! often reach the website as an attached spreadsheet, Word table or PDF,
//! not in the news text: the text of a `.docx`, `.xlsx`, `.pptx` or
//! OpenDocument file ([`crate::docx::office_text`]) or of a PDF's pages
//! (lopdf, every stream decompressed within a limit) is searched like the
//! news text ([`crate::news::personal_id`], [`crate::news::phone`]). A
//! scanned page has no text: the check reads its picture
//! ([`crate::plumbing::ocr`], see [`Scans`]), and so it reads a photo of a
//! printed page, sent as a photo ([`photo_personal_data`]), pasted into an
//! Office file or placed on a PDF page ([`pictures_read`]). A file that
//! cannot be read is left to the other checks. PDFs are read in [`pdf`].
//!
//! And the GPS positions of photos pasted into an Office or PDF
//! attachment ([`without_gps`]): attachments are published as they are.
//!
//! Both are asked of a request's files (the check; intake writes the
//! attachment without positions) and again of each attachment the build
//! publishes from `content/`, when it changed: one edited or replaced by
//! hand there was never a request's.

use serde::{Deserialize, Serialize};

mod pdf;
use pdf::{pdf_texts, pdf_without_gps};

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
    /// The bytes of a PDF whose pages gave no ID (see [`pdf`]): searched
    /// for IDs only.
    Raw,
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

/// The personal data OCR reads ([`crate::plumbing::ocr`]) in the photo
/// `bytes`, which the caller found to show a printed page (a list of
/// names photographed on a desk: [`crate::images::Shows::Paper`]); `None`
/// when it could not be read (it does not decode, or OCR failed or ran
/// out of time), which is not the same as read and clean.
pub fn photo_personal_data(bytes: &[u8], max_pixels: u64) -> Option<PersonalData> {
    let image = crate::images::decode(bytes, max_pixels).ok()?;
    let grey = crate::images::for_reading(&image, crate::plumbing::ocr::LONG_SIDE);
    drop(image);
    let text = crate::plumbing::ocr::picture(&grey)?;
    Some(found_in(&[(At::Somewhere, Source::Photo, text)]))
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

/// Most pixels of one document's pictures decoded in all: a crafted file
/// of fifty 50-megapixel pictures must not keep the check busy for a
/// minute (a real one holds a few phone photos).
const PICTURES_PIXELS: u64 = 400_000_000;

/// What OCR reads in the `pictures` (each where it was found) that show a
/// printed page: the first [`crate::plumbing::ocr::MOST_PAGES`] of them,
/// on every core. A picture that does not decode is passed over, and
/// pictures past [`PICTURES_PIXELS`] are not looked at.
fn pictures_read<'b>(pictures: impl Iterator<Item = (At, &'b [u8])>) -> Vec<(At, Source, String)> {
    use rayon::prelude::*;
    let mut budget = PICTURES_PIXELS;
    let pages: Vec<(At, image::GrayImage)> = pictures
        .take_while(|(_, picture)| {
            let (w, h) = crate::images::header_dimensions(picture).unwrap_or((0, 0));
            let pixels = u64::from(w) * u64::from(h);
            budget = budget.saturating_sub(pixels);
            budget > 0 || pixels == 0
        })
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

/// The ID and mobile numbers in `texts` (mobiles not in a file's raw
/// bytes, where a cross-reference offset can look like one).
fn found_in(texts: &[(At, Source, String)]) -> PersonalData {
    let read: Vec<(At, Source, String)> = (texts.iter())
        .filter(|(_, from, _)| *from != Source::Raw)
        .cloned()
        .collect();
    PersonalData {
        ids: numbers(texts, crate::news::personal_id::find, masked),
        phones: numbers(&read, crate::news::phone::find, str::to_string),
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
    /// What the check says of the file shown as `shown`: the
    /// [`Self::id_error`] and the [`Self::phone_warning`] it has.
    pub fn diagnostics(&self, shown: &str) -> Vec<Diagnostic> {
        [self.id_error(shown), self.phone_warning(shown)]
            .into_iter()
            .flatten()
            .collect()
    }

    /// The `personal-id` error for the attachment shown as `shown`, when
    /// it holds ID numbers.
    pub fn id_error(&self, shown: &str) -> Option<Diagnostic> {
        let ids = self.ids.as_ref()?;
        let fix = match ids.from {
            Source::Office => "check.fix_office",
            Source::Pdf | Source::Raw => "check.fix_pdf",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_that_cannot_be_read_is_not_called_clean() {
        assert_eq!(
            photo_personal_data(b"\xff\xd8\xff\xe0 not a photo", 1000),
            None
        );
    }

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

    /// A one-page PDF whose page says `text`, its contents compressed or
    /// not, with a cross-reference table pointing nowhere.
    fn pdf_with_broken_xref(text: &str, compressed: bool) -> Vec<u8> {
        use std::io::Write;
        let content = format!("BT /F1 12 Tf 20 100 Td ({text}) Tj ET");
        let stream = if compressed {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(content.as_bytes()).unwrap();
            let z = z.finish().unwrap();
            let mut s = format!("<</Length {}/Filter/FlateDecode>>stream\n", z.len()).into_bytes();
            s.extend(z);
            s
        } else {
            format!("<</Length {}>>stream\n{content}", content.len()).into_bytes()
        };
        let mut out = b"%PDF-1.4\n".to_vec();
        let objects: [&[u8]; 5] = [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            &stream,
            b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        ];
        for (i, o) in objects.iter().enumerate() {
            out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend(*o);
            out.extend(if i == 3 {
                &b"\nendstream\nendobj\n"[..]
            } else {
                &b"\nendobj\n"[..]
            });
        }
        out.extend(b"xref\n0 6\n0000000000 65535 f \n");
        for _ in objects {
            out.extend(b"0000000007 00000 n \n");
        }
        out.extend(b"trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n99999\n%%EOF\n");
        out
    }

    #[test]
    fn an_id_in_a_pdf_lopdf_cannot_open_is_still_found() {
        let id = "1101700230708";
        // A broken cross-reference table: lopdf rebuilds it, as viewers do.
        let broken = pdf_with_broken_xref(&format!("ID {id}"), true);
        let found = personal_data(&broken, Scans::Skipped);
        assert_eq!(found.ids.map(|n| n.count), Some(1));
        // Cut before its cross-references and trailer (an incomplete copy):
        // no reader opens it, but the number is there in plain text.
        let whole = pdf_with_broken_xref(&format!("ID {id}"), false);
        let font = whole.windows(5).rposition(|w| w == b"5 0 o").unwrap();
        let xref = whole.windows(4).rposition(|w| w == b"xref").unwrap();
        let found = personal_data(&whole[..font], Scans::Skipped);
        assert_eq!(
            found.ids.as_ref().map(|n| n.count),
            Some(1),
            "cut before its font"
        );
        let found = personal_data(&whole[..xref], Scans::Skipped);
        assert_eq!(found.ids.map(|n| n.count), Some(1));
        // And a clean one of either kind has none.
        let clean = pdf_with_broken_xref("ID none", true);
        assert_eq!(
            personal_data(&clean, Scans::Skipped),
            PersonalData::default()
        );
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
