//! Requests written in Word, end to end through the real binary: the form
//! `khao new --word` writes (converted by LibreOffice, filled in by a
//! script, passing `khao check`), a good Word request checked, taken in,
//! built and deployed, and every kind of hostile or wrong document.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::docx_support::fixture_path;
use crate::requests_support::{copy, khao, settle};

const SITE_YAML: &str = "title: สพม. ทดสอบ
base_url: https://www.test.example.go.th/
news:
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
    - { slug: activity, name: ข่าวกิจกรรม }
groups: [กลุ่มอำนวยการ, กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา]
images: { widths: [320, 640] }
requests: { settle_seconds: 1 }
deploy: { target: .khao/live }
";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), SITE_YAML).unwrap();
    std::fs::create_dir_all(dir.path().join("requests")).unwrap();
    dir
}

/// A request folder holding the fixture documents `names`.
fn request(site: &Path, folder: &str, names: &[&str]) -> PathBuf {
    let dir = site.join("requests").join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    for name in names {
        copy(&fixture_path(name), &dir.join(name));
    }
    dir
}

fn check(site: &Path) -> Value {
    let (_, out, err) = khao(site, &["check", "--format", "json"]);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

/// The diagnostics of the request at `path`.
fn diagnostics<'v>(v: &'v Value, path: &str) -> &'v Vec<Value> {
    let r = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == path);
    r.unwrap_or_else(|| panic!("{path} not in {v:#}"))["diagnostics"]
        .as_array()
        .unwrap()
}

fn has(v: &Value, path: &str, code: &str) -> bool {
    diagnostics(v, path).iter().any(|d| d["code"] == code)
}

#[test]
fn a_good_word_request_is_checked_taken_in_built_and_deployed() {
    let site = site();
    request(site.path(), "word-news", &["good.docx"]);
    settle();
    let v = check(site.path());
    let diags = diagnostics(&v, "requests/word-news");
    assert!(
        diags.iter().all(|d| d["severity"] == "warning"),
        "{diags:#?}"
    );
    // A typo in the table is named at its row, in Thai.
    let typo = diags
        .iter()
        .find(|d| d["code"] == "unknown-field")
        .expect("the typo");
    assert_eq!(typo["location"], "ตาราง แถวที่ 10");
    assert_eq!(typo["line"], Value::Null);
    let report =
        std::fs::read_to_string(site.path().join("requests/word-news/khao-report.txt")).unwrap();
    assert!(report.contains("good.docx ตาราง แถวที่ 10"), "{report}");

    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["publish", "--site"])
        .arg(site.path())
        .env("KHAO_CHROMIUM", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(
        site.path()
            .join(".khao/live/current/news/2026/word-news/index.html"),
    )
    .unwrap();
    for part in [
        "โรงเรียนในสังกัดร่วมกิจกรรมวันกีฬาสี",
        ">กิจกรรมวันกีฬาสี</h2>",
        "<strong>อย่างพร้อมเพรียง</strong>",
        "<li>พิธีเปิด</li>",
        "href=\"https://www.example.go.th/",
        "alt=\"นักเรียนเดินขบวนพาเหรด\"",
        "alt=\"ผู้อำนวยการกล่าวเปิดงาน\"",
    ] {
        assert!(page.contains(part), "{part} not on the page");
    }
    // The first picture carried EXIF with GPS: none of it is published.
    let news = site.path().join(".khao/live/current/news/2026/word-news");
    let photos: Vec<_> = std::fs::read_dir(&news)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    assert!(photos.len() >= 2, "{photos:?}");
    for p in photos {
        let bytes = std::fs::read(&p).unwrap();
        let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
        assert!(
            !has(b"Exif") && !has(b"KhaoTestCam"),
            "{} keeps EXIF",
            p.display()
        );
    }
    // The document itself is kept as received, never published.
    let kept = site
        .path()
        .join("records/requests/2026/word-news/good.docx");
    assert_eq!(
        std::fs::read(kept).unwrap(),
        std::fs::read(fixture_path("good.docx")).unwrap()
    );
    assert!(!news.join("good.docx").exists());
}

#[test]
fn the_word_form_converts_in_libreoffice_and_passes_once_filled_in() {
    let site = site();
    let (code, out, err) = khao(site.path(), &["new", "--word", "ประชุม"]);
    assert_eq!(code, 0, "{out}{err}");
    let dir = site.path().join("requests/ประชุม");
    let form = dir.join("ข่าว.docx");
    assert!(form.is_file());
    // Unfilled, it does not pass: its blanks are missing fields.
    let v = check(site.path());
    assert!(has(&v, "requests/ประชุม", "missing-field"), "{v:#}");
    // Told in the form's words: its table's rows, not lines of YAML.
    for d in diagnostics(&v, "requests/ประชุม") {
        let m = d["message"].as_str().unwrap();
        assert!(
            !m.contains("title:") && !m.contains("requester:") && !m.contains("---"),
            "{m}"
        );
    }
    let messages: Vec<&str> = diagnostics(&v, "requests/ประชุม")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("\"หัวข้อข่าว\" ของตาราง")),
        "{messages:?}"
    );

    let work = tempfile::tempdir().unwrap();
    std::fs::copy(&form, work.path().join("form.docx")).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        work.path().join("profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "form.docx",
        ])
        .current_dir(work.path())
        .output()
        .expect("soffice (scripts/test installs libreoffice-writer-nogui)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(work.path().join("form.pdf")).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF"));

    let script = fixture_path("fill_template.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&form)
        .arg(&form)
        .output()
        .expect("python3 (scripts/test installs python-docx)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    settle();
    let v = check(site.path());
    let diags = diagnostics(&v, "requests/ประชุม");
    assert!(
        diags.iter().all(|d| d["severity"] == "warning"),
        "{diags:#?}"
    );
}

#[test]
fn hostile_and_wrong_documents_are_refused_with_their_code() {
    let site = site();
    let cases: &[(&str, &[&str], &str)] = &[
        ("bomb", &["bomb.docx"], "bad-document"),
        ("lying-bomb", &["bomb-lying.docx"], "bad-document"),
        ("truncated", &["truncated.docx"], "bad-document"),
        ("old", &["old.doc"], "old-word-format"),
        ("two", &["two-a.docx", "two-b.docx"], "ambiguous-request"),
        ("javascript", &["unsafe-link.docx"], "unsafe-html"),
        ("national-id", &["national-id.docx"], "personal-id"),
        ("emf", &["emf.docx"], "bad-image"),
        ("xlsx", &["renamed-xlsx.docx"], "bad-document"),
    ];
    for (folder, names, _) in cases {
        request(site.path(), folder, names);
    }
    request(site.path(), "no-alt", &["no-alt.docx"]);
    let v = check(site.path());
    for (folder, _, code) in cases {
        let path = format!("requests/{folder}");
        assert!(
            has(&v, &path, code),
            "{path}: {code} not in {:#?}",
            diagnostics(&v, &path)
        );
        let ok = v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == path)
            .unwrap()["ok"]
            .clone();
        assert_eq!(ok, false, "{path} must not pass");
    }
    // A picture without alt text is a warning, at its paragraph.
    let no_alt = diagnostics(&v, "requests/no-alt");
    let d = no_alt
        .iter()
        .find(|d| d["code"] == "missing-alt")
        .expect("missing-alt");
    assert!(
        d["location"].as_str().unwrap().starts_with("ย่อหน้าที่ "),
        "{d}"
    );
    // The national ID is found in a table of the body, at its paragraph.
    let id = diagnostics(&v, "requests/national-id")
        .iter()
        .find(|d| d["code"] == "personal-id")
        .unwrap()
        .clone();
    assert!(
        id["location"].as_str().unwrap().starts_with("ย่อหน้าที่ "),
        "{id}"
    );
}

#[test]
fn a_mobile_number_in_the_body_is_a_warning_at_its_paragraph() {
    let site = site();
    request(site.path(), "มือถือ", &["mobile-phone.docx"]);
    let v = check(site.path());
    let phones: Vec<&Value> = diagnostics(&v, "requests/มือถือ")
        .iter()
        .filter(|d| d["code"] == "personal-phone")
        .collect();
    // The body's number only: the requester's phone is never published.
    assert_eq!(phones.len(), 1, "{phones:#?}");
    let d = phones[0];
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"].as_str().unwrap().contains("089-765-4321"),
        "{d}"
    );
    assert!(
        d["location"].as_str().unwrap().starts_with("ย่อหน้าที่ "),
        "{d}"
    );
}

/// A phone photo of a printed list of names, pasted into the Word request
/// in place of an event photo, is read like a photo sent beside it: its
/// ID numbers stop the request.
#[test]
fn a_photographed_list_pasted_into_word_stops_the_request() {
    let site = site();
    let docx = good_docx_with_list_photo();
    let dir = site.path().join("requests/list");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ข่าว.docx"), docx).unwrap();
    settle();
    let v = check(site.path());
    let id = diagnostics(&v, "requests/list")
        .iter()
        .find(|d| d["code"] == "personal-id")
        .unwrap_or_else(|| panic!("no personal-id: {v:#}"))
        .clone();
    // Named as the picture is published, at the paragraph that holds it.
    let message = id["message"].as_str().unwrap();
    assert!(message.contains("word-photo-1.jpg"), "{id}");
    assert!(message.contains("xxxxx-41-3"), "the number is masked: {id}");
    assert!(
        id["location"].as_str().unwrap().starts_with("ย่อหน้าที่ "),
        "{id}"
    );
}

/// good.docx with its first picture replaced by the phone photo of a
/// printed list of names and ID numbers.
fn good_docx_with_list_photo() -> Vec<u8> {
    let list =
        crate::requests_support::fixtures().join("bad/personal-id--in-photo-of-list/รายชื่อ.jpg");
    with_part(
        &crate::docx_support::fixture("good.docx"),
        "word/media/image1.jpg",
        &std::fs::read(list).unwrap(),
    )
}

/// The Word package `docx` with its part `name` replaced by `bytes`.
fn with_part(docx: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let part_name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        out.start_file(&part_name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(if part_name == name { bytes } else { &data })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The same photo of a list pasted into a Word file attached to a
/// Markdown request: the attachment is refused, at its picture.
#[test]
fn a_photographed_list_inside_an_attached_word_file_is_found() {
    let site = site();
    let docx = good_docx_with_list_photo();
    let dir = site.path().join("requests/attached");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("รายชื่อ.docx"), docx).unwrap();
    std::fs::write(
        dir.join("ข่าว.md"),
        crate::requests_support::request_md(
            "ประกาศรายชื่อ",
            "attachments:\n  - { file: รายชื่อ.docx, title: รายชื่อ }\n",
            "เนื้อหา",
        ),
    )
    .unwrap();
    settle();
    let v = check(site.path());
    let id = diagnostics(&v, "requests/attached")
        .iter()
        .find(|d| d["code"] == "personal-id")
        .unwrap_or_else(|| panic!("no personal-id: {v:#}"))
        .clone();
    let message = id["message"].as_str().unwrap();
    assert!(message.contains("รายชื่อ.docx"), "{id}");
    assert!(message.contains("ในรูปที่ 1"), "{id}");
}

/// A request `folder` holding good.docx with `from` replaced by `to` in
/// its text.
fn good_docx_edited(site: &Path, folder: &str, from: &str, to: &str) {
    let docx = crate::docx_support::fixture("good.docx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx[..])).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("word/document.xml").unwrap(),
        &mut text,
    )
    .unwrap();
    assert!(text.contains(from), "{from} not in the document");
    let edited = with_part(
        &docx,
        "word/document.xml",
        text.replace(from, to).as_bytes(),
    );
    let dir = site.join("requests").join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ข่าว.docx"), edited).unwrap();
}

/// A picture's alt text is published: an ID there stops the request at
/// the check (not at the build, where it would hold every news back), a
/// mobile number is a warning, each naming the picture as Word shows it.
#[test]
fn personal_data_in_a_pictures_alt_text_is_found_at_the_check() {
    let site = site();
    good_docx_edited(
        site.path(),
        "alt-id",
        "descr=\"นักเรียนเดินขบวนพาเหรด\"",
        "descr=\"ด.ญ.ทดสอบ 1509900123453 โทร 0861112233\"",
    );
    let v = check(site.path());
    let found = diagnostics(&v, "requests/alt-id");
    let id = found.iter().find(|d| d["code"] == "personal-id");
    let id = id.unwrap_or_else(|| panic!("no personal-id in {found:#?}"));
    assert!(id["message"].as_str().unwrap().contains("ภาพที่ 1"), "{id}");
    assert!(
        found.iter().any(|d| d["code"] == "personal-phone"),
        "{found:#?}"
    );
}

/// A footnote's text is not published: the staff member is told so, at
/// its paragraph, in Thai words (not Word's name for it).
#[test]
fn a_footnote_is_a_warning_that_its_text_is_left_out() {
    let site = site();
    good_docx_edited(
        site.path(),
        "footnote",
        "อย่างพร้อมเพรียง</w:t></w:r>",
        "อย่างพร้อมเพรียง</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r>",
    );
    let v = check(site.path());
    let found = diagnostics(&v, "requests/footnote");
    let note = found
        .iter()
        .find(|d| d["code"] == "unused-file")
        .unwrap_or_else(|| panic!("no warning in {found:#?}"));
    assert!(
        note["message"].as_str().unwrap().contains("เชิงอรรถ"),
        "{note}"
    );
    assert!(
        note["location"].as_str().unwrap().starts_with("ย่อหน้าที่ "),
        "{note}"
    );
}
