//! The Word template: it reads back as an empty request, lists the site's
//! choices, is deterministic, converts in LibreOffice, and once filled in
//! by python-docx reads back with the values typed.

use crate::docx_support as common;

use std::path::Path;
use std::process::Command;

use khao::docx::Limits;

fn categories() -> Vec<(String, String)> {
    vec![
        ("pr-news".into(), "ข่าวประชาสัมพันธ์".into()),
        ("activities".into(), "ข่าวกิจกรรม".into()),
        ("odd".into(), "ข่าว <พิเศษ> & \"อื่น ๆ\"".into()),
    ]
}

fn groups() -> Vec<String> {
    vec![
        "กลุ่มอำนวยการ".into(),
        "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา".into(),
    ]
}

fn template() -> Vec<u8> {
    khao::docx::template(&categories(), &groups(), "27/11/2569")
}

#[test]
fn reads_back_as_an_empty_request() {
    let bytes = template();
    let doc = khao::docx::read(&bytes, &Limits::default()).expect("template reads");
    let keys: Vec<&str> = doc.fields.iter().map(|f| f.key).collect();
    let expected: Vec<&str> = khao::docx::FIELDS
        .iter()
        .filter(|f| f.in_template)
        .map(|f| f.key)
        .collect();
    assert_eq!(keys, expected);
    assert!(doc.unknown_labels.is_empty(), "{:?}", doc.unknown_labels);
    for f in &doc.fields {
        let want = match f.key {
            "date" => "27/11/2569",
            "pinned" => "ไม่ใช่",
            _ => "",
        };
        assert_eq!(f.value, want, "{}", f.key);
        assert_eq!(
            f.row,
            keys.iter().position(|k| *k == f.key).map_or(0, |i| i + 1)
        );
    }
    assert_eq!(
        doc.body, "",
        "instructions are above the table, not in the body"
    );
    assert!(doc.pictures.is_empty() && doc.findings.is_empty());
    assert_eq!(
        khao::docx::has_fields_table(&bytes, &Limits::default()),
        Ok(true)
    );
}

#[test]
fn lists_choices_and_is_deterministic() {
    let bytes = template();
    assert_eq!(bytes, template());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document"),
        &mut xml,
    )
    .expect("utf-8");
    for name in ["ข่าวประชาสัมพันธ์", "ข่าวกิจกรรม", "ข่าว &lt;พิเศษ&gt; &amp;"]
    {
        assert!(xml.contains(name), "{name}");
    }
    for g in groups() {
        assert!(xml.contains(&g), "{g}");
    }
    let mut styles = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/styles.xml").expect("styles"),
        &mut styles,
    )
    .expect("utf-8");
    assert!(styles.contains(r#"w:cs="TH Sarabun New""#));
    let mut fonts = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/fontTable.xml").expect("fonts"),
        &mut fonts,
    )
    .expect("utf-8");
    assert!(fonts.contains(r#"<w:altName w:val="Sarabun"/>"#));
}

/// Runs a program if it is installed; `None` when it is not.
fn run(program: &str, args: &[&str], dir: &Path) -> Option<std::process::Output> {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
}

#[test]
fn converts_in_libreoffice_and_reads_back_when_filled() {
    let dir = tempdir();
    let template_path = dir.join("template.docx");
    std::fs::write(&template_path, template()).expect("write template");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    match run(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "template.docx",
        ],
        &dir,
    ) {
        Some(out) => {
            assert!(
                out.status.success(),
                "soffice: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let pdf = std::fs::read(dir.join("template.pdf")).expect("soffice wrote a PDF");
            assert!(pdf.starts_with(b"%PDF") && pdf.len() > 5000);
        }
        None => eprintln!("soffice not installed: PDF conversion not checked"),
    }
    let script = common::fixture_path("fill_template.py");
    let filled = dir.join("filled.docx");
    let args = [
        script.to_str().unwrap_or_default(),
        "template.docx",
        "filled.docx",
    ];
    match run("python3", &args, &dir) {
        Some(out) if out.status.success() => {
            let doc =
                khao::docx::read(&std::fs::read(&filled).expect("filled"), &Limits::default())
                    .expect("reads");
            assert_eq!(common::field(&doc, "title"), Some("ประชุมผู้บริหารสถานศึกษา"));
            assert_eq!(common::field(&doc, "date"), Some("1/12/2569"));
            assert_eq!(common::field(&doc, "category"), Some("ข่าวกิจกรรม"));
            assert_eq!(common::field(&doc, "requester.group"), Some("กลุ่มอำนวยการ"));
            assert_eq!(common::field(&doc, "pinned"), Some("ไม่ใช่"));
            assert_eq!(common::field(&doc, "publish_at"), Some(""));
            assert!(doc.unknown_labels.is_empty());
            assert_eq!(
                doc.body,
                "## วาระการประชุม\n\nผู้บริหารร่วม**ประชุมประจำเดือน**\n\n- ติดตามผลการดำเนินงาน\n"
            );
            assert_eq!(doc.pictures.len(), 1);
            assert_eq!(doc.pictures[0].alt.as_deref(), Some("บรรยากาศการประชุม"));
        }
        Some(out) => panic!(
            "fill_template.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        None => eprintln!("python3 not installed: filling not checked"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("docx-template-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
