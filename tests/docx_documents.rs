//! Reading real documents: made by python-docx, saved by LibreOffice, and
//! written with Word-only markup (tests/fixtures/docx/make_docx.py makes them all).

use crate::docx_support as common;

use common::{field, fixture, read};
use khao::docx::{Finding, Limits};

const GOOD_BODY: &str = "\
# กิจกรรมวันกีฬาสี

นักเรียนร่วมกิจกรรม**อย่างพร้อมเพรียง**และ*สนุกสนาน* ณ สนามกีฬาจังหวัด

บรรทัดแรก\\
บรรทัดที่สอง\\
บรรทัดที่สาม

ราคา 1,000 บาท \\* 2 \\[หมายเหตุ\\] \\_ขีด\\_ #แท็ก \\<b\\>ไม่ใช่แท็ก\\</b\\> a\\|b

1\\. ไม่ใช่รายการ

\\- ไม่ใช่รายการเช่นกัน

## กำหนดการ

- พิธีเปิด
- ขบวนพาเหรด
  - ขบวนของโรงเรียนบ้านนา
- การแข่งขัน

1. ลงทะเบียน
2. รับเอกสาร

ดูรายละเอียดที่ [เว็บไซต์สำนักงาน](https://www.example.go.th/ข่าว?id=1) หรือ [อีเมล](mailto:somsri@example.go.th)

| ลำดับ | โรงเรียน | คะแนน |
| --- | --- | --- |
| 1 | บ้านนา | 95 |
| 2 | บ้านดอน \\| สาขา | 90 |

ระหว่างภาพ
";

#[test]
fn good_request_fields() {
    let doc = read("good.docx");
    assert_eq!(doc.fields_table, Some(2), "one paragraph above the table");
    let keys: Vec<(usize, &str)> = doc.fields.iter().map(|f| (f.row, f.key)).collect();
    assert_eq!(
        keys,
        [
            (1, "title"),
            (2, "date"),
            (3, "category"),
            (4, "tags"),
            (5, "requester.name"),
            (6, "requester.group"),
            (7, "requester.phone"),
            (8, "requester.email"),
            (9, "pinned")
        ]
    );
    assert_eq!(field(&doc, "title"), Some("โรงเรียนในสังกัดร่วมกิจกรรมวันกีฬาสี"));
    assert_eq!(field(&doc, "date"), Some("20/11/2569"));
    assert_eq!(doc.fields[1].label, "วันที่", "trailing colon dropped");
    assert_eq!(field(&doc, "tags"), Some("กีฬา, นักเรียน"));
    assert_eq!(field(&doc, "pinned"), Some("ใช่"));
    assert_eq!(doc.unknown_labels.len(), 1);
    let u = &doc.unknown_labels[0];
    assert_eq!(
        (u.row, u.label.as_str(), u.nearest),
        (10, "หมวดหมู", Some("หมวดข่าว"))
    );
}

#[test]
fn good_request_body_and_lines() {
    let doc = read("good.docx");
    assert_eq!(doc.body, GOOD_BODY);
    assert_eq!(doc.body_lines.len(), doc.body.lines().count());
    let line_of = |text: &str| {
        doc.body
            .lines()
            .position(|l| l.contains(text))
            .map(|i| doc.body_lines[i])
    };
    assert_eq!(line_of("# กิจกรรมวันกีฬาสี"), Some(3));
    assert_eq!(line_of("บรรทัดที่สาม"), Some(5));
    // Paragraphs 6 and 7 are empty; they count but leave no line.
    assert_eq!(line_of("ราคา"), Some(8));
    assert_eq!(line_of("| 2 | บ้านดอน"), Some(19));
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
}

#[test]
fn good_request_pictures() {
    let doc = read("good.docx");
    assert_eq!(doc.pictures.len(), 2);
    let p = &doc.pictures[0];
    assert_eq!(p.file_name, "word-photo-1.jpg");
    assert_eq!(p.alt.as_deref(), Some("นักเรียนเดินขบวนพาเหรด"));
    assert_eq!(p.paragraph, 20);
    assert!(p.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(
        p.bytes.windows(4).any(|w| w == b"Exif"),
        "original bytes, EXIF kept for khao to strip"
    );
    assert!(!p.vector && !p.decorative);
    let q = &doc.pictures[1];
    assert_eq!(
        (q.file_name.as_str(), q.alt.as_deref(), q.paragraph),
        ("word-photo-2.jpg", Some("ผู้อำนวยการกล่าวเปิดงาน"), 22)
    );
}

#[test]
fn libreoffice_round_trip_reads_the_same() {
    let good = read("good.docx");
    let lo = read("lo-roundtrip.docx");
    assert_eq!(lo.fields, good.fields);
    assert_eq!(lo.unknown_labels, good.unknown_labels);
    assert_eq!(lo.body, good.body);
    assert_eq!(lo.body_lines, good.body_lines);
    let alts = |d: &khao::docx::Document| {
        d.pictures
            .iter()
            .map(|p| (p.alt.clone(), p.paragraph))
            .collect::<Vec<_>>()
    };
    assert_eq!(alts(&lo), alts(&good));
}

#[test]
fn libreoffice_from_html() {
    let doc = read("lo-html.docx");
    assert_eq!(field(&doc, "title"), Some("ข่าวจาก LibreOffice"));
    assert_eq!(field(&doc, "requester.group"), Some("กลุ่มอำนวยการ"));
    let expected = "\
# หัวเรื่องหนึ่ง

## หัวเรื่องสอง

ข้อความ**ตัวหนา**และ*ตัวเอียง* [ลิงก์](https://www.example.go.th/lo)

- ข้อหนึ่ง
- ข้อสอง
  - ข้อย่อย

1. ลำดับหนึ่ง
2. ลำดับสอง

| หัว | ตาราง |
| --- | --- |
| ก | ข |
";
    assert_eq!(doc.body, expected);
}

#[test]
fn word_only_markup() {
    let doc = read("word-features.docx");
    let expected = "\
# หัวเรื่องแบบ Word ภาษาไทย

ลิงก์แบบฟิลด์ [สำนักงาน](https://www.example.go.th/field) และ ลิงก์อันตราย

ข้อความที่แทรก**หนาแบบไทย** แสดง

ข้อความในตัวควบคุมเนื้อหา

กล่องข้อความ:

ข้อความในกล่อง
";
    assert_eq!(
        doc.body, expected,
        "no deleted or hidden text, no placeholder, text box once"
    );
    assert_eq!(
        doc.findings,
        [
            Finding::UnsafeLink {
                url: "javascript:evil()".into(),
                text: "ลิงก์อันตราย".into(),
                paragraph: 3
            },
            Finding::HiddenText { paragraph: 4 }
        ]
    );
    // The placeholder's paragraph (5) still counts.
    let line = doc
        .body
        .lines()
        .position(|l| l.contains("ตัวควบคุม"))
        .map(|i| doc.body_lines[i]);
    assert_eq!(line, Some(6));
    assert_eq!(doc.pictures.len(), 1);
    assert!(doc.pictures[0].decorative);
    assert_eq!(doc.pictures[0].alt, None);
}

#[test]
fn unsafe_and_local_links_are_findings_not_links() {
    let doc = read("unsafe-link.docx");
    assert!(!doc.body.to_lowercase().contains("script"), "{}", doc.body);
    assert!(!doc.body.contains("data:") && !doc.body.contains("file:"));
    assert!(doc.body.contains("คลิก ที่นี่") && doc.body.contains("[เว็บ](https://www.example.go.th/)"));
    let kinds: Vec<(&str, usize)> = doc
        .findings
        .iter()
        .map(|f| match f {
            Finding::UnsafeLink { paragraph, .. } => ("unsafe", *paragraph),
            Finding::LocalLink { paragraph, .. } => ("local", *paragraph),
            _ => ("other", 0),
        })
        .collect();
    assert_eq!(
        kinds,
        [("unsafe", 2), ("unsafe", 3), ("unsafe", 4), ("local", 5)]
    );
}

#[test]
fn picture_without_alt() {
    let doc = read("no-alt.docx");
    assert_eq!(doc.pictures.len(), 1);
    assert_eq!(
        doc.pictures[0].alt, None,
        "never the automatic 'Picture 1' name"
    );
    assert_eq!(doc.pictures[0].paragraph, 3);
}

#[test]
fn emf_picture_is_a_finding() {
    let doc = read("emf.docx");
    assert_eq!(doc.pictures.len(), 1);
    let p = &doc.pictures[0];
    assert!(p.vector);
    assert_eq!(p.file_name, "word-photo-1.emf");
    assert_eq!(
        doc.findings,
        [Finding::VectorPicture {
            file_name: "word-photo-1.emf".into(),
            paragraph: 3
        }]
    );
}

#[test]
fn body_table_text_is_in_the_body() {
    let doc = read("national-id.docx");
    assert!(
        doc.body.contains("| เด็กชายสมชาย ใจดี | 1-1037-02071-81-1 |"),
        "{}",
        doc.body
    );
}

#[test]
fn fields_table_detection() {
    let limits = Limits::default();
    for (name, expected) in [
        ("good.docx", true),
        ("two-a.docx", true),
        ("two-b.docx", true),
        ("lo-html.docx", true),
        ("attachment.docx", false),
    ] {
        assert_eq!(
            khao::docx::has_fields_table(&fixture(name), &limits),
            Ok(expected),
            "{name}"
        );
    }
    assert_eq!(field(&read("two-b.docx"), "title"), Some("ข่าวที่สอง"));
}

#[test]
fn three_photos_in_order() {
    let doc = read("three-photos.docx");
    let names: Vec<&str> = doc.pictures.iter().map(|p| p.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["word-photo-1.jpg", "word-photo-2.jpg", "word-photo-3.jpg"]
    );
    let alts: Vec<_> = doc
        .pictures
        .iter()
        .map(|p| p.alt.clone().unwrap_or_default())
        .collect();
    assert_eq!(alts, ["ภาพที่ 1", "ภาพที่ 2", "ภาพที่ 3"]);
}

#[test]
fn logo_above_the_table_is_not_a_photo() {
    let doc = read("logo-before-table.docx");
    assert_eq!(doc.fields_table, Some(3));
    assert_eq!(doc.body, "เนื้อหาข่าว\n", "the letterhead text is not body");
    assert_eq!(doc.pictures.len(), 1);
    assert_eq!(
        (doc.pictures[0].alt.as_deref(), doc.pictures[0].paragraph),
        (Some("ภาพข่าว"), 5)
    );
    assert_eq!(doc.pictures[0].file_name, "word-photo-1.jpg");
    assert_eq!(
        doc.findings,
        [Finding::PictureBeforeFields { paragraph: 1 }]
    );
}

#[test]
fn without_a_table_everything_is_body() {
    let doc = read("no-table.docx");
    assert_eq!(doc.fields_table, None);
    assert!(doc.fields.is_empty());
    assert_eq!(doc.body, "# ข่าวไม่มีตาราง\n\nเนื้อหาทั้งหมดเป็นเนื้อข่าว\n");
    assert_eq!(doc.pictures.len(), 1);
    assert_eq!(
        khao::docx::has_fields_table(&fixture("no-table.docx"), &Limits::default()),
        Ok(false)
    );
}
