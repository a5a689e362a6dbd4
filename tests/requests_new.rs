//! `khao new NAME`: a Thai template that check refuses until it is filled in
//! and accepts once it is.

use crate::requests_support;

use requests_support::*;

#[test]
fn the_template_passes_once_filled_in() {
    let site = site();
    let (code, out, _) = khao(site.path(), &["new", "sports-day"]);
    assert_eq!(code, 0, "{out}");
    let md = site.path().join("requests/sports-day/ข่าว.md");
    let text = std::fs::read_to_string(&md).expect("template");
    assert!(
        text.contains("ข่าวประชาสัมพันธ์") && text.contains("กลุ่มอำนวยการ"),
        "lists the site's choices"
    );
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "an empty form is not a request: {v:#}");
    assert!(codes(&v).contains(&"missing-field".to_string()));

    let filled = text
        .replace("title: \"\"", "title: \"กิจกรรมวันกีฬาสี\"")
        .replace("category: \"\"", "category: ข่าวประชาสัมพันธ์")
        .replace("  name: \"\"", "  name: นางสาวสมศรี ใจดี")
        .replace("  group: \"\"", "  group: กลุ่มอำนวยการ")
        + "นักเรียนร่วมกิจกรรมวันกีฬาสี\n";
    std::fs::write(&md, filled).unwrap();
    std::fs::write(
        site.path().join("requests/sports-day/photo1.jpg"),
        jpeg(800, 600),
    )
    .unwrap();
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 0, "{v:#}");

    let (code, _, err) = khao(site.path(), &["new", "sports-day"]);
    assert_eq!(code, 2, "refuses an existing request");
    assert!(err.contains("มีคำขอชื่อนี้อยู่แล้ว"), "{err}");
}

#[test]
fn a_folder_made_first_and_still_empty_takes_the_form() {
    let site = site();
    let dir = site.path().join("requests/ประชุมครู");
    std::fs::create_dir_all(&dir).unwrap();
    // `khao watch` (or a check) has already told the staff member the
    // folder holds no text, in a report beside nothing else.
    let (code, _) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    assert!(dir.join("khao-report.txt").is_file());
    let (code, out, err) = khao(site.path(), &["new", "ประชุมครู"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(crate::util::names_in(&dir), ["ข่าว.md"]);
    // Once something is in it, it is a request, and stays as it is.
    let (code, _, err) = khao(site.path(), &["new", "ประชุมครู"]);
    assert_eq!(code, 2, "{err}");
}
