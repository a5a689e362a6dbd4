//! The text of an Office document's parts, for the national ID check of
//! attachments: a Word, Excel or PowerPoint file (OOXML zips) or
//! LibreOffice's OpenDocument. Lists of names with their ID numbers are
//! most often spreadsheets and Word tables attached to an announcement.
//! Read within [`Limits`] like a request's `.docx`; only text is kept, one
//! line per paragraph, cell or shared string, the runs of a paragraph
//! joined as Word shows them (a number typed in two runs is one number).

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

/// The text of each part of the Office document `bytes` that holds text,
/// by part name.
pub fn office_text(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, DocxError> {
    let mut package = Package::open(bytes, limits)?;
    let mut parts: Vec<String> = package.names().filter(|n| holds_text(n)).collect();
    parts.sort();
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        if let Some(text) = package.with_part(&part, |r| text_of(r, &part))? {
            out.push((part, text));
        }
    }
    Ok(out)
}

/// The text of one XML part: every text node, a line break after each
/// paragraph (`p`), table cell (`tc`), spreadsheet cell (`c`) or shared
/// string (`si`), a space for a tab.
fn text_of(reader: &mut dyn BufRead, part: &str) -> Result<String, DocxError> {
    let mut xml = Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut text = String::new();
    loop {
        let event = xml.read_event_into(&mut buf);
        match event {
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) => {
                let c = r.resolve_char_ref().ok().flatten();
                text.extend(c.or_else(|| predefined_entity(&r)));
            }
            Ok(Event::End(e)) => {
                if matches!(e.local_name().as_ref(), "p" | "tc" | "c" | "si") {
                    text.push('\n');
                }
            }
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "tab" => text.push(' '),
                "br" | "cr" => text.push('\n'),
                _ => {}
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(quick_xml::Error::Io(e)) => return Err(io_corrupt(part, &e)),
            Err(e) => {
                return Err(DocxError::Corrupt {
                    detail: format!("{part}: {e}"),
                });
            }
        }
        buf.clear();
    }
    Ok(text)
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
    fn not_a_zip_is_an_error_not_a_panic() {
        assert!(office_text(b"%PDF-1.4", &Limits::default()).is_err());
        assert!(office_text(b"PK\x03\x04broken", &Limits::default()).is_err());
    }
}
