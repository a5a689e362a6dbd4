//! Writes the Word template for `khao new --word`: Thai instructions, the
//! site's categories and groups, and the fields table ready to fill in,
//! all in TH Sarabun New 16 pt (the Thai government document font), with
//! Sarabun named as its fallback.
//!
//! Written with zip + quick-xml rather than a docx crate so that every
//! property Thai text needs (complex-script font and size, `th-TH`
//! language) is set exactly, in the element order Word's schema demands.
//! The output is deterministic: same arguments, same bytes.

use std::io::{Cursor, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::labels::FIELDS;

const FONT: &str = "TH Sarabun New";
const FALLBACK_FONT: &str = "Sarabun";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// Column widths of the fields table, in twentieths of a point; together
/// the text width of A4 with the margins below.
const LABEL_WIDTH: &str = "3700";
const VALUE_WIDTH: &str = "5300";
/// `numbering.xml` instances: bullets and decimal numbers.
const BULLETS: &str = "1";
const NUMBERS: &str = "2";

mod parts;

/// The template `.docx` bytes. `categories` are (slug, Thai name) pairs
/// from `site.yaml`, `groups` the requester groups, `today` the date to
/// prefill, as khao writes it (e.g. `27/11/2569`).
pub fn template(categories: &[(String, String)], groups: &[String], today: &str) -> Vec<u8> {
    // Writing to memory cannot fail; an empty result would only mean a bug.
    build(categories, groups, today).unwrap_or_default()
}

fn build(
    categories: &[(String, String)],
    groups: &[String],
    today: &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let document = document_xml(categories, groups, today)?;
    let files: [(&str, Vec<u8>); 10] = [
        (
            "[Content_Types].xml",
            parts::CONTENT_TYPES.as_bytes().to_vec(),
        ),
        ("_rels/.rels", parts::ROOT_RELS.as_bytes().to_vec()),
        ("docProps/core.xml", parts::CORE.as_bytes().to_vec()),
        ("docProps/app.xml", parts::APP.as_bytes().to_vec()),
        (
            "word/_rels/document.xml.rels",
            parts::DOCUMENT_RELS.as_bytes().to_vec(),
        ),
        ("word/document.xml", document),
        ("word/styles.xml", parts::styles_xml().into_bytes()),
        ("word/numbering.xml", parts::NUMBERING.as_bytes().to_vec()),
        ("word/settings.xml", parts::SETTINGS.as_bytes().to_vec()),
        ("word/fontTable.xml", parts::font_table_xml().into_bytes()),
    ];
    for (name, bytes) in files {
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

type Xml = Writer<Vec<u8>>;
type Res = std::io::Result<()>;

/// Paragraph kinds the template uses.
#[derive(Clone, Copy)]
enum Para<'a> {
    Style(&'a str),
    List(&'a str),
    Plain,
    /// Kept on the same page as the next paragraph (table rows).
    KeepNext,
}

/// How a run looks: instructions are 14 pt, hints 14 pt grey.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    Plain,
    Bold,
    Small,
    Hint,
}

fn document_xml(
    categories: &[(String, String)],
    groups: &[String],
    today: &str,
) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        Some("yes"),
    )))?;
    w.create_element("w:document")
        .with_attributes([("xmlns:w", W_NS), ("xmlns:r", R_NS)])
        .write_inner_content(|w| {
            w.create_element("w:body").write_inner_content(|w| {
                instructions(w, today)?;
                choices(
                    w,
                    "หมวดข่าวที่เลือกได้",
                    categories.iter().map(|(slug, name)| {
                        if name.trim().is_empty() {
                            slug.as_str()
                        } else {
                            name.as_str()
                        }
                    }),
                )?;
                choices(w, "กลุ่มงาน", groups.iter().map(String::as_str))?;
                paragraph(w, Para::KeepNext, &[("ข้อมูลข่าว", Look::Bold)])?;
                fields_table(w, today)?;
                paragraph(w, Para::Plain, &[])?;
                section(w)
            })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

fn instructions(w: &mut Xml, today: &str) -> Res {
    paragraph(w, Para::Style("Title"), &[("แบบขอเผยแพร่ข่าว", Look::Plain)])?;
    paragraph(w, Para::Plain, &[("วิธีกรอก", Look::Bold)])?;
    let steps = [
        "กรอกข้อมูลในช่องขวาของตาราง ไม่ต้องแก้ไขข้อความในช่องซ้าย".to_string(),
        "หัวข้อข่าว วันที่ หมวดข่าว ชื่อผู้ขอ และกลุ่มงาน ต้องกรอก ช่องที่เขียนว่า (ถ้ามี) เว้นว่างได้".to_string(),
        format!("วันที่เขียนแบบ วัน/เดือน/ปี พ.ศ. เช่น {today} ถ้ามีเวลาให้เขียนต่อท้าย เช่น {today} 08:00"),
        "พิมพ์เนื้อหาข่าวใต้ตาราง ใช้หัวเรื่อง ตัวหนา ตัวเอียง รายการ ลิงก์ และตารางได้ตามปกติ".to_string(),
        "ใส่ภาพด้วยเมนู แทรก > รูปภาพ แล้วคลิกขวาที่ภาพ เลือก แก้ไขข้อความแสดงแทน (Edit Alt Text) และพิมพ์คำบรรยายภาพ".to_string(),
        "ไฟล์แนบ เช่น PDF และภาพเพิ่มเติม ให้วางไว้ในโฟลเดอร์เดียวกับไฟล์นี้".to_string(),
        "ห้ามมีเลขประจำตัวประชาชนในข่าว ในไฟล์แนบ และในรูปถ่ายเอกสาร (เช่น ประกาศรายชื่อ) ระบบจะอ่านและไม่ยอมเผยแพร่".to_string(),
        "บันทึกเป็นไฟล์ Word (.docx) เท่านั้น".to_string(),
    ];
    for step in &steps {
        paragraph(w, Para::List(NUMBERS), &[(step, Look::Small)])?;
    }
    Ok(())
}

/// A heading line and one bullet per choice (none: nothing at all).
fn choices<'a>(w: &mut Xml, title: &str, items: impl Iterator<Item = &'a str>) -> Res {
    let items: Vec<&str> = items.filter(|s| !s.trim().is_empty()).collect();
    if items.is_empty() {
        return Ok(());
    }
    paragraph(w, Para::Plain, &[(title, Look::Bold)])?;
    for item in items {
        paragraph(w, Para::List(BULLETS), &[(item, Look::Small)])?;
    }
    Ok(())
}

/// The fields table: label (bold, with its hint in brackets) and an empty
/// value cell; the date is prefilled with today and "ข่าวเด่น" with "ไม่ใช่".
/// Rows do not split and keep with the next, so the table stays on one page.
fn fields_table(w: &mut Xml, today: &str) -> Res {
    w.create_element("w:tbl").write_inner_content(|w| {
        w.create_element("w:tblPr").write_inner_content(|w| {
            empty(w, "w:tblStyle", &[("w:val", "TableGrid")])?;
            empty(w, "w:tblW", &[("w:w", "5000"), ("w:type", "pct")])?;
            w.create_element("w:tblBorders").write_inner_content(|w| {
                for side in [
                    "w:top",
                    "w:left",
                    "w:bottom",
                    "w:right",
                    "w:insideH",
                    "w:insideV",
                ] {
                    empty(
                        w,
                        side,
                        &[
                            ("w:val", "single"),
                            ("w:sz", "4"),
                            ("w:space", "0"),
                            ("w:color", "000000"),
                        ],
                    )?;
                }
                Ok(())
            })?;
            empty(
                w,
                "w:tblLook",
                &[
                    ("w:val", "04A0"),
                    ("w:firstRow", "0"),
                    ("w:firstColumn", "1"),
                ],
            )?;
            Ok(())
        })?;
        w.create_element("w:tblGrid").write_inner_content(|w| {
            empty(w, "w:gridCol", &[("w:w", LABEL_WIDTH)])?;
            empty(w, "w:gridCol", &[("w:w", VALUE_WIDTH)])?;
            Ok(())
        })?;
        let rows: Vec<_> = FIELDS.iter().filter(|f| f.in_template).collect();
        for (i, f) in rows.iter().enumerate() {
            let value = match f.key {
                "date" => today,
                "pinned" => "ไม่ใช่",
                _ => "",
            };
            let hint = if f.hint.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.hint)
            };
            let keep = if i + 1 < rows.len() {
                Para::KeepNext
            } else {
                Para::Plain
            };
            w.create_element("w:tr").write_inner_content(|w| {
                w.create_element("w:trPr")
                    .write_inner_content(|w| empty(w, "w:cantSplit", &[]))?;
                cell(
                    w,
                    LABEL_WIDTH,
                    keep,
                    &[(f.thai, Look::Bold), (&hint, Look::Hint)],
                )?;
                cell(w, VALUE_WIDTH, keep, &[(value, Look::Plain)])
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn cell(w: &mut Xml, width: &str, kind: Para<'_>, runs: &[(&str, Look)]) -> Res {
    w.create_element("w:tc").write_inner_content(|w| {
        w.create_element("w:tcPr")
            .write_inner_content(|w| empty(w, "w:tcW", &[("w:w", width), ("w:type", "dxa")]))?;
        paragraph(w, kind, runs)
    })?;
    Ok(())
}

/// One paragraph of runs.
fn paragraph(w: &mut Xml, kind: Para<'_>, runs: &[(&str, Look)]) -> Res {
    w.create_element("w:p").write_inner_content(|w| {
        match kind {
            Para::Style(id) => {
                w.create_element("w:pPr")
                    .write_inner_content(|w| empty(w, "w:pStyle", &[("w:val", id)]))?;
            }
            Para::List(num) => {
                w.create_element("w:pPr").write_inner_content(|w| {
                    empty(w, "w:pStyle", &[("w:val", "ListParagraph")])?;
                    w.create_element("w:numPr").write_inner_content(|w| {
                        empty(w, "w:ilvl", &[("w:val", "0")])?;
                        empty(w, "w:numId", &[("w:val", num)])
                    })?;
                    Ok(())
                })?;
            }
            Para::KeepNext => {
                w.create_element("w:pPr")
                    .write_inner_content(|w| empty(w, "w:keepNext", &[]))?;
            }
            Para::Plain => {}
        }
        for (text, look) in runs.iter().filter(|(t, _)| !t.is_empty()) {
            w.create_element("w:r").write_inner_content(|w| {
                run_properties(w, *look)?;
                w.create_element("w:t")
                    .with_attribute(("xml:space", "preserve"))
                    .write_text_content(BytesText::new(text))?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `w:rPr` for a look, children in schema order.
fn run_properties(w: &mut Xml, look: Look) -> Res {
    if look == Look::Plain {
        return Ok(());
    }
    w.create_element("w:rPr").write_inner_content(|w| {
        if look == Look::Bold {
            empty(w, "w:b", &[])?;
            empty(w, "w:bCs", &[])?;
        }
        if look == Look::Hint {
            empty(w, "w:color", &[("w:val", "595959")])?;
        }
        if matches!(look, Look::Small | Look::Hint) {
            empty(w, "w:sz", &[("w:val", "28")])?;
            empty(w, "w:szCs", &[("w:val", "28")])?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A4 portrait with the margins of Thai official documents.
fn section(w: &mut Xml) -> Res {
    w.create_element("w:sectPr").write_inner_content(|w| {
        empty(w, "w:pgSz", &[("w:w", "11906"), ("w:h", "16838")])?;
        let margins = [
            ("w:top", "1418"),
            ("w:right", "1134"),
            ("w:bottom", "1134"),
            ("w:left", "1701"),
            ("w:header", "709"),
            ("w:footer", "709"),
            ("w:gutter", "0"),
        ];
        empty(w, "w:pgMar", &margins)
    })?;
    Ok(())
}

fn empty(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> Res {
    w.create_element(name)
        .with_attributes(attrs.iter().copied())
        .write_empty()?;
    Ok(())
}
