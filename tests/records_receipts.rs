//! Issue 10, a news item's whole life: what intake keeps in `records/`,
//! the service log, the requester's receipt in both its states, a request
//! still being copied, and two `khao publish` runs at once.

use std::path::Path;
use std::process::Command;

use crate::requests_support::*;
use crate::util::names_in;

/// A site with the good fixture requests and a local deploy target.
fn site_to_publish() -> tempfile::TempDir {
    let site = site();
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    let yaml = format!(
        "{yaml}deploy: {{ target: .khao/live }}\noffice: {{ name: สพม. ทดสอบ, phone: 077-205317 }}\n"
    );
    std::fs::write(site.path().join("site.yaml"), yaml).unwrap();
    for e in std::fs::read_dir(fixtures().join("good")).unwrap() {
        let e = e.unwrap();
        copy(&e.path(), &site.path().join("requests").join(e.file_name()));
    }
    settle();
    site
}

fn log(site: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(site.join("records/service-log.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).contains(needle))
        .map(|e| e.path().display().to_string())
        .collect()
}

/// The text of a receipt (without its byte-order mark, with LF).
fn receipt(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    String::from_utf8_lossy(&bytes[3..]).replace("\r\n", "\n")
}

#[test]
fn intake_keeps_every_request_as_received_and_logs_it() {
    let site = site_to_publish();
    let (code, out, err) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["accepted"].as_array().unwrap().len(), 3, "{v:#}");

    // Byte for byte, with the report the staff member last saw.
    let src = fixtures().join("good/sports-day-2569");
    let record = site.path().join("records/requests/2026/sports-day-2569");
    for e in std::fs::read_dir(&src).unwrap() {
        let name = e.unwrap().file_name();
        assert_eq!(
            std::fs::read(src.join(&name)).unwrap(),
            std::fs::read(record.join(&name)).unwrap(),
            "{name:?} kept as received"
        );
    }
    assert!(record.join("khao-report.txt").is_file(), "its last report");
    assert!(
        site.path()
            .join("records/requests/2026/announcement-exam/announcement-exam.md")
            .is_file()
    );

    let events = log(site.path());
    for kind in ["seen", "checked", "accepted"] {
        let n = events.iter().filter(|e| e["event"] == kind).count();
        assert_eq!(n, 3, "{kind}: {events:#?}");
    }
    // `received` is when khao first saw it; `accepted` when intake took it.
    let index = std::fs::read_to_string(
        site.path()
            .join("content/news/2026/sports-day-2569/index.md"),
    )
    .unwrap();
    assert!(
        index.contains("received:") && index.contains("accepted:"),
        "{index}"
    );
    assert!(
        index.contains("077-000000"),
        "the phone is kept for the officer"
    );
}

/// A request with an error is logged with its group and category, so the
/// report counts it under its group; a record left half copied by a run
/// that was stopped is cleared by the next intake.
#[test]
fn a_failing_verdict_keeps_its_group_and_leftover_copies_are_cleared() {
    let site = site_to_publish();
    let leftover = site
        .path()
        .join("records/requests/2026/.khao-record-x-4242");
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("Thumbs.db"), b"half").unwrap();
    let bad = site.path().join("requests/bad-date");
    std::fs::create_dir_all(&bad).unwrap();
    let text = "---\ntitle: ข่าวที่วันที่ผิด\ndate: 31/4/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: { name: ก, group: กลุ่มอำนวยการ }\n---\nเนื้อหา\n";
    std::fs::write(bad.join("ข่าว.md"), text).unwrap();
    settle();
    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!leftover.exists(), "the half copy is gone");
    let events = log(site.path());
    let verdict = events
        .iter()
        .find(|e| e["event"] == "checked" && e["request"] == "bad-date")
        .unwrap_or_else(|| panic!("{events:#?}"));
    assert_eq!(verdict["ok"], false);
    assert_eq!(verdict["group"], "กลุ่มอำนวยการ", "{verdict:#}");
    assert_eq!(verdict["category"], "pr", "{verdict:#}");
}

#[test]
fn the_phone_and_email_never_reach_public_or_the_live_folder() {
    let site = site_to_publish();
    let (code, out, err) = khao(site.path(), &["publish"]);
    assert_eq!(code, 0, "{out}{err}");
    for secret in ["077-000000", "somchai@example.go.th"] {
        assert!(
            !files_containing(&site.path().join("records"), secret).is_empty(),
            "kept in records/"
        );
        for dir in ["public", ".khao/live"] {
            let found = files_containing(&site.path().join(dir), secret);
            assert!(found.is_empty(), "{secret} in {found:?}");
        }
    }
    assert!(
        !site.path().join("public/records").exists(),
        "records are never published"
    );
}

#[test]
fn a_request_still_being_copied_waits_and_a_later_run_takes_it() {
    let site = site();
    let dir = site.path().join("requests/sports-day-2569");
    copy(&fixtures().join("good/sports-day-2569"), &dir);
    // The photo is still arriving over the share.
    std::fs::write(dir.join("photo1.jpg"), jpeg(1200, 900)).unwrap();
    let (code, out, _) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 0, "waiting is not an error: {out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["waiting"][0]["request"], "requests/sports-day-2569",
        "{v:#}"
    );
    assert!(v["waiting"][0]["seconds"].as_f64().unwrap() > 0.0);
    assert!(v["accepted"].as_array().unwrap().is_empty());
    assert!(dir.join("photo1.jpg").is_file(), "untouched");
    // A publish run by hand at once says why the news is not live yet.
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    let yaml = format!("{yaml}deploy: {{ target: .khao/live }}\n");
    std::fs::write(site.path().join("site.yaml"), yaml).unwrap();
    std::fs::write(dir.join("photo1.jpg"), jpeg(1200, 900)).unwrap();
    let (_, _, err) = khao(site.path(), &["publish"]);
    assert!(err.contains("รอ: requests/sports-day-2569"), "{err}");
    // Once it has been still for settle_seconds.
    settle();
    let (code, out, _) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["accepted"].as_array().unwrap().len(), 1, "{v:#}");
}

#[test]
fn the_receipt_says_received_then_published_with_the_live_url() {
    let site = site_to_publish();
    // A staff member's own file with the receipt's name is never touched.
    let staff = site.path().join("requests/sports-day-2569.receipt.txt");
    std::fs::write(&staff, "บันทึกของฉัน").unwrap();
    settle();
    let (code, out, err) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let sports = v["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["request"] == "requests/sports-day-2569")
        .unwrap();
    assert_eq!(sports["receipt_renamed"], true, "{sports:#}");
    assert_eq!(sports["receipt"], "requests/sports-day-2569.receipt-2.txt");
    assert_eq!(std::fs::read_to_string(&staff).unwrap(), "บันทึกของฉัน");
    let path = site.path().join("requests/sports-day-2569.receipt-2.txt");
    let text = receipt(&path);
    assert!(
        text.contains("ได้รับแล้ว รอเผยแพร่") && text.contains("กิจกรรมวันกีฬาสี"),
        "{text}"
    );

    let (code, out, err) = khao(site.path(), &["publish", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let url = "https://www.example.go.th/news/2026/sports-day-2569/";
    assert!(
        v["published"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["url"] == url),
        "{v:#}"
    );
    let text = receipt(&path);
    assert!(text.contains("เผยแพร่แล้ว") && text.contains(url), "{text}");
    // Two lines ready for LINE or Facebook: the title, then the address.
    assert!(text.contains(&format!("กิจกรรมวันกีฬาสี\n{url}\n")), "{text}");
    assert_eq!(std::fs::read_to_string(&staff).unwrap(), "บันทึกของฉัน");
    let live = log(site.path())
        .into_iter()
        .filter(|e| e["event"] == "live")
        .count();
    assert_eq!(live, 3);
    // Nothing to do: nothing changes, nothing is uploaded, no new `live`.
    let (code, out, _) = khao(site.path(), &["publish", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["uploaded"], 0, "{v:#}");
    assert!(v["published"].as_array().unwrap().is_empty());
    assert_eq!(
        log(site.path())
            .iter()
            .filter(|e| e["event"] == "live")
            .count(),
        3
    );
}

#[test]
fn two_publish_runs_at_once_never_interleave() {
    let site = site_to_publish();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_khao"))
            .args(["--lang", "en", "publish", "--format", "json", "--site"])
            .arg(site.path())
            .env("KHAO_CHROMIUM", "/nonexistent")
            .spawn()
            .expect("start khao publish")
    };
    let (mut a, mut b) = (run(), run());
    assert!(a.wait().unwrap().success(), "the first run");
    assert!(b.wait().unwrap().success(), "the second run");
    let news = names_in(&site.path().join("content/news/2026"));
    assert_eq!(news.len(), 4, "3 requests + the published item: {news:?}");
    let accepted = log(site.path())
        .into_iter()
        .filter(|e| e["event"] == "accepted")
        .count();
    assert_eq!(accepted, 3);
    for dir in [
        "content/news",
        "requests",
        "records/requests/2026",
        ".khao/live",
    ] {
        let hidden: Vec<_> = names_in(&site.path().join(dir))
            .into_iter()
            .filter(|n| n.starts_with(".khao-") || n.ends_with(".tmp"))
            .collect();
        assert!(hidden.is_empty(), "{dir}: {hidden:?}");
    }
}

/// A request taken back before intake is noted as withdrawn, not left
/// waiting in the report; and a check whose arrival the log cannot keep
/// says so and fails (its request would otherwise count as received later).
#[test]
fn a_withdrawn_request_is_logged_and_an_unwritable_log_fails_the_check() {
    let site = site_to_publish();
    let (code, out, err) = khao(site.path(), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::remove_dir_all(site.path().join("requests/sports-day-2569")).unwrap();
    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0, "{out}{err}");
    let withdrawn: Vec<_> = (log(site.path()).into_iter())
        .filter(|e| e["event"] == "withdrawn")
        .map(|e| e["request"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(withdrawn, ["sports-day-2569"]);
    let (_, out, _) = khao(site.path(), &["report", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["withdrawn"].as_u64(), v["pending"].as_u64()),
        (Some(1), Some(0)),
        "{v:#}"
    );

    // The log is a folder now: nothing can be appended to it.
    let log_file = site.path().join("records/service-log.jsonl");
    std::fs::remove_file(&log_file).unwrap();
    std::fs::create_dir(&log_file).unwrap();
    copy(
        &fixtures().join("good/sports-day-2569"),
        &site.path().join("requests/again"),
    );
    let (code, out, err) = khao(site.path(), &["check", "again"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("records/"), "{err}");
    assert!(
        out.contains("again"),
        "the check itself is still shown: {out}"
    );
    let (code, out, _) = khao(site.path(), &["check", "--format", "json", "again"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["error"]["code"], "records", "{v:#}");
}
