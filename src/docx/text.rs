//! The text of an Office document's parts, for the national ID check of
//! attachments: a Word, Excel or PowerPoint file (OOXML zips) or
//! LibreOffice's OpenDocument. Lists of names with their ID numbers are
//! most often spreadsheets and Word tables attached to an announcement.
//! Read within [`Limits`] like a request's `.docx`; only text is kept, one
//! line per paragraph, cell or shared string, the runs of a paragraph
//! joined as Word shows them (a number typed in two runs is one number),
//! and a sheet's text cells read as the strings they show (an ID number
//! typed with dashes is text: the message then names its sheet).

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::error::DocxError;
use super::package::{Package, io_corrupt};
use super::types::Limits;
use super::xml::predefined_entity;

/// The parts holding what a reader sees: Word's body, headers, footers,
/// notes and comments; Excel's shared strings and sheets (numbers are
/// there); PowerPoint's slides and notes; an OpenDocument file's
/// (LibreOffice's `.odt`, `.ods`, `.odp`) `content.xml`.
fn holds_text(part: &str) -> bool {
    if part == "content.xml" {
        return true;
    }
    const PREFIXES: [&str; 5] = [
        "word/",
        "xl/sharedStrings",
        "xl/worksheets/",
        "ppt/slides/",
        "ppt/notesSlides/",
    ];
    part.ends_with(".xml")
        && !part.contains("/_rels/")
        && PREFIXES.iter().any(|p| part.starts_with(p))
        && !["styles", "settings", "fontTable", "numbering", "theme"]
            .iter()
            .any(|skip| part.contains(skip))
}

/// Excel's table of the text of its cells: a sheet's text cell holds the
/// number of its string there.
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// The text of each part of the Office document `bytes` that holds text,
/// by part name. A sheet's text cells are read as the strings they show,
/// so what is found in them is said to be on that sheet; shared strings
/// no sheet shows are given as their own part.
pub fn office_text(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, DocxError> {
    let mut package = Package::open(bytes, limits)?;
    let mut parts: Vec<String> = package.names().filter(|n| holds_text(n)).collect();
    parts.sort();
    let strings = package
        .with_part(SHARED_STRINGS, |r| strings_of(r, SHARED_STRINGS))?
        .unwrap_or_default();
    let mut shared = Shared {
        used: vec![false; strings.len()],
        strings,
    };
    let mut out = Vec::with_capacity(parts.len());
    for part in parts.iter().filter(|p| *p != SHARED_STRINGS) {
        if let Some(text) = package.with_part(part, |r| text_of(r, part, &mut shared))? {
            out.push((part.clone(), text));
        }
    }
    let unshown: String = (shared.strings.iter().zip(&shared.used))
        .filter(|(_, used)| !**used)
        .map(|(s, _)| format!("{s}\n"))
        .collect();
    if !unshown.is_empty() {
        out.push((SHARED_STRINGS.to_string(), unshown));
        out.sort();
    }
    Ok(out)
}

/// A workbook's shared strings, and which of them a sheet has shown.
struct Shared {
    strings: Vec<String>,
    used: Vec<bool>,
}

impl Shared {
    /// The string numbered `index` (as a cell's value gives it).
    fn take(&mut self, index: &str) -> Option<&str> {
        let i: usize = index.trim().parse().ok()?;
        *self.used.get_mut(i)? = true;
        Some(&self.strings[i])
    }
}

/// The shared strings of a workbook (`si`), each string's runs joined.
fn strings_of(reader: &mut dyn BufRead, part: &str) -> Result<Vec<String>, DocxError> {
    let mut strings = Vec::new();
    let mut current: Option<String> = None;
    each_event(reader, part, |event| match event {
        Event::Start(e) if e.local_name().as_ref() == "si" => current = Some(String::new()),
        Event::Empty(e) if e.local_name().as_ref() == "si" => strings.push(String::new()),
        Event::Text(t) => current
            .iter_mut()
            .for_each(|c| c.push_str(&t.xml10_content())),
        Event::GeneralRef(r) => current.iter_mut().for_each(|c| c.extend(referenced(&r))),
        Event::End(e) if e.local_name().as_ref() == "si" => strings.extend(current.take()),
        _ => {}
    })?;
    Ok(strings)
}

/// The text of one XML part: every text node, a line break after each
/// paragraph (`p`), table cell (`tc`), spreadsheet cell (`c`) or shared
/// string (`si`), a space for a tab; a text cell's (`<c t="s">`) value is
/// its string from `shared`, a number cell's value as its digits.
fn text_of(reader: &mut dyn BufRead, part: &str, shared: &mut Shared) -> Result<String, DocxError> {
    let mut text = String::new();
    let mut at = At {
        cell: Cell::Other,
        in_value: false,
    };
    each_event(reader, part, |event| match event {
        Event::Start(e) => at.start(&e, &mut text),
        Event::Empty(e) if e.local_name().as_ref() == "table-cell" => at.start(&e, &mut text),
        Event::Text(t) if at.in_value && at.cell == Cell::Shared => {
            let index = t.xml10_content();
            text.push_str(shared.take(&index).unwrap_or(&index));
        }
        Event::Text(t) if at.in_value => text.push_str(&digits_of_number(&t.xml10_content())),
        Event::Text(t) => text.push_str(&t.xml10_content()),
        Event::CData(t) => text.push_str(&t.into_inner()),
        Event::GeneralRef(r) => text.extend(referenced(&r)),
        Event::End(e) => {
            at.in_value = false;
            if matches!(e.local_name().as_ref(), "p" | "tc" | "c" | "si") {
                text.push('\n');
            }
        }
        Event::Empty(e) => match e.local_name().as_ref() {
            "tab" => text.push(' '),
            "br" | "cr" => text.push('\n'),
            _ => {}
        },
        _ => {}
    })?;
    Ok(text)
}

/// Where [`text_of`] is in a sheet.
struct At {
    /// The kind of the cell being read.
    cell: Cell,
    /// In the cell's value (`v`).
    in_value: bool,
}

impl At {
    fn start(&mut self, e: &quick_xml::events::BytesStart<'_>, text: &mut String) {
        match e.local_name().as_ref() {
            "c" => {
                let t = e.try_get_attribute("t").ok().flatten();
                self.cell = match t.as_ref().map(|a| &a.value[..]) {
                    Some("s") => Cell::Shared,
                    None | Some("n") => Cell::Number,
                    Some(_) => Cell::Other,
                };
            }
            "v" => self.in_value = self.cell != Cell::Other,
            // An OpenDocument sheet's number cell shows its value as
            // formatted (`1.1E+12` in a narrow column); the value itself
            // is an attribute.
            "table-cell" => {
                let value = e.try_get_attribute("office:value").ok().flatten();
                let value =
                    value.and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok());
                if let Some(value) = value {
                    text.push_str(&digits_of_number(&value));
                    text.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// What a spreadsheet cell holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// A text cell: its value is the number of a shared string.
    Shared,
    /// A number.
    Number,
    /// A formula's text, a boolean, an error, or not a cell.
    Other,
}

/// A number as a sheet stores it, written out in digits when it is a whole
/// number written otherwise: a workbook made by a program may hold an ID
/// number as `1.101700203455E+12` or `1101700203455.0`, which the ID check
/// would not see.
fn digits_of_number(value: &str) -> std::borrow::Cow<'_, str> {
    let plain = value.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    match value.trim().parse::<f64>() {
        Ok(n) if !plain && n.fract() == 0.0 && n.abs() < 1e16 => format!("{n:.0}").into(),
        _ => value.into(),
    }
}

/// Calls `on` with each event of the XML part `part` up to its end; an
/// error reading it is the part's.
fn each_event(
    reader: &mut dyn BufRead,
    part: &str,
    mut on: impl FnMut(Event<'_>),
) -> Result<(), DocxError> {
    let mut xml = Reader::from_reader(reader);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) => return Ok(()),
            Ok(event) => on(event),
            Err(quick_xml::Error::Io(e)) => return Err(io_corrupt(part, &e)),
            Err(e) => {
                return Err(DocxError::Corrupt {
                    detail: format!("{part}: {e}"),
                });
            }
        }
        buf.clear();
    }
}

/// The character a reference stands for: `&#3585;` or `&amp;`.
fn referenced(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    let c = r.resolve_char_ref().ok().flatten();
    c.or_else(|| predefined_entity(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, body) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn runs_join_and_paragraphs_cells_and_strings_break() {
        let bytes = zip(&[
            (
                "word/document.xml",
                "<w:document xmlns:w='w'><w:body><w:p><w:r><w:t>เลข 1101</w:t></w:r>\
                 <w:r><w:t>700203455</w:t></w:r></w:p><w:p><w:r><w:t>ต่อไป</w:t></w:r></w:p>\
                 </w:body></w:document>",
            ),
            ("word/styles.xml", "<styles>1101700203455</styles>"),
            (
                "xl/worksheets/sheet1.xml",
                "<worksheet><sheetData><row><c><v>1101700203455</v></c><c><v>7</v></c>\
                 </row></sheetData></worksheet>",
            ),
            (
                "xl/sharedStrings.xml",
                "<sst><si><t>ก&amp;ข</t></si><si><t>ค</t></si></sst>",
            ),
        ]);
        let parts = office_text(&bytes, &Limits::default()).unwrap();
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "word/document.xml",
                "xl/sharedStrings.xml",
                "xl/worksheets/sheet1.xml"
            ]
        );
        assert_eq!(parts[0].1, "เลข 1101700203455\nต่อไป\n");
        assert_eq!(parts[1].1, "ก&ข\nค\n");
        assert_eq!(parts[2].1, "1101700203455\n7\n");
    }

    #[test]
    fn numbers_written_with_an_exponent_are_read_as_their_digits() {
        let bytes = zip(&[
            (
                "xl/worksheets/sheet1.xml",
                "<worksheet><sheetData><row><c><v>1.101700203455E+12</v></c>\
                 <c t='n'><v>1101700203455.0</v></c><c><v>2.5</v></c>\
                 <c t='str'><v>1.0E+3</v></c></row></sheetData></worksheet>",
            ),
            (
                "content.xml",
                "<office:document-content><table:table-cell office:value-type='float' \
                 office:value='1101700203455'><text:p>1.10E+12</text:p></table:table-cell>\
                 <table:table-cell office:value='7'/></office:document-content>",
            ),
        ]);
        let parts = office_text(&bytes, &Limits::default()).unwrap();
        assert_eq!(parts[0].1, "1101700203455\n1.10E+12\n7\n");
        assert_eq!(parts[1].1, "1101700203455\n1101700203455\n2.5\n1.0E+3\n");
    }

    #[test]
    fn a_sheets_text_cells_are_read_on_that_sheet() {
        let bytes = zip(&[
            (
                "xl/worksheets/sheet2.xml",
                "<worksheet><sheetData><row><c t='s'><v>1</v></c><c><v>7</v></c>\
                 <c t='s'><v>9</v></c></row></sheetData></worksheet>",
            ),
            (
                "xl/sharedStrings.xml",
                "<sst><si><t>ไม่ได้ใช้</t></si><si><r><t>1-1017-</t></r><r><t>00203-45-5</t></r></si>\
                 <si/><si><t>บรรทัด\nสอง</t></si></sst>",
            ),
        ]);
        let parts = office_text(&bytes, &Limits::default()).unwrap();
        assert_eq!(
            parts,
            [
                (
                    "xl/sharedStrings.xml".to_string(),
                    "ไม่ได้ใช้\n\nบรรทัด\nสอง\n".to_string()
                ),
                (
                    "xl/worksheets/sheet2.xml".to_string(),
                    "1-1017-00203-45-5\n7\n9\n".to_string()
                ),
            ]
        );
    }

    #[test]
    fn not_a_zip_is_an_error_not_a_panic() {
        assert!(office_text(b"%PDF-1.4", &Limits::default()).is_err());
        assert!(office_text(b"PK\x03\x04broken", &Limits::default()).is_err());
    }
}
