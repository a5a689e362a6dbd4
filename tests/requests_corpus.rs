//! The fixture corpus: every bad request gets its diagnostic code through
//! `khao check --format json`, every code of docs/diagnostics.md's request table is covered,
//! and each request gets its report file.

use crate::requests_support;

use std::path::Path;
use std::process::Command;

use requests_support::*;

/// The request codes of docs/diagnostics.md.
const SPEC_CODES: [&str; 21] = [
    "yaml-syntax",
    "missing-field",
    "unknown-field",
    "bad-date",
    "bad-slug",
    "unknown-category",
    "unknown-group",
    "ambiguous-request",
    "missing-file",
    "unsafe-path",
    "disallowed-file-type",
    "file-type-mismatch",
    "file-too-large",
    "bad-image",
    "image-too-large",
    "image-too-small",
    "missing-alt",
    "unsafe-html",
    "not-utf8",
    "personal-id",
    "personal-phone",
];
const WARNINGS: [&str; 6] = [
    "personal-phone",
    "unknown-field",
    "image-too-small",
    "missing-alt",
    "not-utf8",
    "unused-file",
];

/// What git cannot hold: a link out of the folder, a file over the limit.
fn prepare(name: &str, dest: &Path) {
    if name == "unsafe-path--symlink" {
        let outside = dest
            .parent()
            .and_then(Path::parent)
            .expect("site")
            .join("secret.jpg");
        std::fs::write(&outside, jpeg(400, 300)).expect("outside");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, dest.join("link.jpg")).expect("symlink");
    }
    if name == "file-too-large--photo" {
        let mut big = jpeg(400, 300);
        big.resize(1_500_000, 0);
        std::fs::write(dest.join("big.jpg"), big).expect("big.jpg");
    }
}

#[test]
fn every_bad_request_gets_its_code() {
    let mut entries: Vec<_> = std::fs::read_dir(fixtures().join("bad"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    assert!(
        entries.len() >= 30,
        "the corpus has {} bad requests",
        entries.len()
    );
    let mut covered = Vec::new();
    for entry in entries {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        let code = name.split("--").next().unwrap().to_string();
        let site = site();
        let dest = site.path().join("requests").join(&name);
        copy(&entry, &dest);
        prepare(&name, &dest);
        let (status, v) = check_json(site.path(), &[]);
        let found = codes(&v);
        assert!(
            found.contains(&code),
            "{name}: expected `{code}`, got {found:?}\n{v:#}"
        );
        let req = &v["requests"][0];
        assert_eq!(req["path"], format!("requests/{name}"), "{name}");
        let is_warning = WARNINGS.contains(&code.as_str());
        if !is_warning {
            assert_eq!(status, 1, "{name}: an error means exit 1");
            assert_eq!(req["ok"], false, "{name}");
        }
        // Every diagnostic says where and in Thai.
        for d in req["diagnostics"].as_array().unwrap() {
            let msg = d["message"].as_str().unwrap();
            assert!(
                msg.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
                "{name}: not Thai: {msg}"
            );
            assert!(!msg.contains("check."), "{name}: untranslated key: {msg}");
            if d["code"] == code
                && !matches!(code.as_str(), "ambiguous-request" | "not-utf8")
                && entry.is_dir()
            {
                assert!(d["file"].is_string(), "{name}: no file: {d}");
            }
        }
        // The report beside the request.
        let report = if entry.is_dir() {
            dest.join("khao-report.txt")
        } else {
            dest.with_file_name(format!("{}.report.txt", name.trim_end_matches(".md")))
        };
        let bytes = std::fs::read(&report)
            .unwrap_or_else(|_| panic!("{name}: no report {}", report.display()));
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{name}: report without BOM"
        );
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(
            text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
            "{name}: not CRLF"
        );
        assert!(
            text.contains(&format!("({code})")),
            "{name}: report lacks {code}:\n{text}"
        );
        if !is_warning {
            assert!(text.contains("ยังไม่ผ่าน"), "{name}: {text}");
        }
        covered.push(code);
    }
    for code in SPEC_CODES {
        assert!(covered.iter().any(|c| c == code), "no fixture for `{code}`");
    }
    assert!(
        covered.iter().any(|c| c == "duplicate"),
        "no fixture for `duplicate`"
    );
}

#[test]
fn lines_point_at_the_field() {
    let site = site();
    copy(
        &fixtures().join("bad/unknown-category--typo"),
        &site.path().join("requests/a"),
    );
    copy(
        &fixtures().join("bad/yaml-syntax--bad-indent"),
        &site.path().join("requests/b"),
    );
    copy(
        &fixtures().join("bad/unknown-field--titel"),
        &site.path().join("requests/c"),
    );
    let (_, v) = check_json(site.path(), &[]);
    let diag = |i: usize, code: &str| {
        v["requests"][i]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {v:#}"))
    };
    let cat = diag(0, "unknown-category");
    assert_eq!(cat["line"], 4);
    // In characters, after `category: `.
    assert_eq!(cat["column"], 11, "{cat}");
    assert_eq!(cat["file"], "ข่าว.md");
    assert!(
        cat["message"].as_str().unwrap().contains("ข่าวประชาสัมพันธ์"),
        "suggests the nearest: {cat}"
    );
    let yaml = diag(1, "yaml-syntax");
    assert!(
        yaml["line"].as_u64().unwrap() >= 2 && yaml["column"].is_u64(),
        "{yaml}"
    );
    let unknown = diag(2, "unknown-field");
    assert!(
        unknown["message"].as_str().unwrap().contains("`title`"),
        "{unknown}"
    );
    assert_eq!(unknown["severity"], "warning");
}

#[test]
fn json_is_one_object_of_the_spec_shape_and_english_on_request() {
    let site = site();
    copy(
        &fixtures().join("bad/bad-image--heic"),
        &site.path().join("requests/heic"),
    );
    let (code, out, _) = khao(site.path(), &["--lang", "en", "check", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one object");
    let obj = v.as_object().unwrap();
    let mut keys: Vec<_> = obj.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["errors", "requests", "warnings"]);
    assert!(v["errors"].as_u64().unwrap() >= 1);
    let d = &v["requests"][0]["diagnostics"][0];
    for k in ["severity", "code", "message", "file", "line"] {
        assert!(d.get(k).is_some(), "{k} missing: {d}");
    }
    let heic = v["requests"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "bad-image")
        .expect("bad-image");
    let msg = heic["message"].as_str().unwrap();
    assert!(
        msg.contains("Most Compatible") && msg.contains("JPEG"),
        "{msg}"
    );
}

#[test]
fn human_output_groups_requests_and_sums_up() {
    let site = site();
    copy(
        &fixtures().join("bad/unknown-category--typo"),
        &site.path().join("requests/a"),
    );
    copy(
        &fixtures().join("good/announcement-exam.md"),
        &site.path().join("requests/b.md"),
    );
    let (code, out, _) = khao(site.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(out.contains("requests/a/ข่าว.md:4"), "{out}");
    assert!(!out.contains("\x1b["), "no colour when not a terminal");
    assert!(out.contains("ตรวจ 2 คำขอ: ผ่าน 1, มีข้อผิดพลาด 1"), "{out}");
}

#[test]
fn national_ids_need_a_valid_checksum() {
    let site = site();
    let id = valid_id("110170020345");
    let last = id.as_bytes()[12] - b'0';
    let invalid = format!("{}{}", &id[..12], (last + 1) % 10);
    let dir = site.path().join("requests");
    std::fs::write(
        dir.join("bad-id.md"),
        request_md("ข่าว", "", &format!("เลข {invalid} ไม่ใช่เลขประจำตัว")),
    )
    .unwrap();
    std::fs::write(
        dir.join("good-id.md"),
        request_md("ข่าวสอง", "", &format!("เลข {id}")),
    )
    .unwrap();
    let (_, v) = check_json(site.path(), &[]);
    let codes_of = |i: usize| codes(&serde_json::json!({ "requests": [v["requests"][i].clone()] }));
    assert!(!codes_of(0).contains(&"personal-id".to_string()), "{v:#}");
    assert!(codes_of(1).contains(&"personal-id".to_string()), "{v:#}");
}

#[test]
fn the_same_news_twice_among_requests_is_a_duplicate() {
    let site = site();
    let good = fixtures().join("good/announcement-exam.md");
    copy(&good, &site.path().join("requests/one.md"));
    copy(&good, &site.path().join("requests/two.md"));
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    for r in v["requests"].as_array().unwrap() {
        assert!(
            r["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "duplicate"),
            "{r}"
        );
    }
}

#[test]
fn a_fixed_request_gets_a_passing_report() {
    let site = site();
    let dest = site.path().join("requests/fix-me");
    copy(&fixtures().join("bad/unknown-category--typo"), &dest);
    let (code, _) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    let md = dest.join("ข่าว.md");
    let text = std::fs::read_to_string(&md)
        .unwrap()
        .replace("ข่าวประชาสัมพันธ\n", "ข่าวประชาสัมพันธ์\n");
    std::fs::write(&md, text).unwrap();
    let (code, v) = check_json(site.path(), &["requests/fix-me"]);
    assert_eq!(code, 0, "{v:#}");
    let report = std::fs::read_to_string(dest.join("khao-report.txt")).unwrap();
    assert!(report.contains("ผลการตรวจ: ผ่าน"), "{report}");
}

#[test]
fn unchanged_photos_are_not_decoded_twice() {
    let site = site();
    copy(
        &fixtures().join("good/sports-day-2569"),
        &site.path().join("requests/sports-day-2569"),
    );
    let (code, _) = check_json(site.path(), &[]);
    assert_eq!(code, 0);
    let cache = site.path().join(".khao/cache/check");
    let all = || {
        let mut entries: Vec<_> = std::fs::read_dir(&cache)
            .expect("cache")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        entries
    };
    // The photo's verdicts; the attachment's (`personal-`) are looked at below.
    let listed = || -> Vec<String> {
        all()
            .into_iter()
            .filter(|e| !e.starts_with("personal-"))
            .collect()
    };
    // A photo copied a moment ago may still be changing within the clock's
    // tick: its verdict is kept by content (and by its file state only if
    // this check came more than two seconds after the copy).
    let entries = listed();
    assert!(
        entries.iter().any(|e| !e.starts_with("stat-")),
        "a content verdict: {entries:?}"
    );
    // Settled (two seconds on), it is also known by its file state.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let (code, _) = check_json(site.path(), &[]);
    assert_eq!(code, 0);
    let entries = listed();
    assert_eq!(
        entries.len(),
        2,
        "a content verdict and a file-state entry: {entries:?}"
    );
    assert!(entries[1].starts_with("stat-"), "{entries:?}");
    // The attached PDF's text was searched once, and found without an ID
    // or a mobile number.
    let ids: Vec<String> = all()
        .into_iter()
        .filter(|e| e.starts_with("personal-"))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        std::fs::read_to_string(cache.join(&ids[0])).unwrap(),
        r#"{"ids":null,"phones":null}"#
    );
    // Verdicts are trusted: poisoned ones show they are used. The same bytes
    // written again (new mtime) are answered by the content hash.
    std::fs::write(cache.join(&entries[0]), "bad\n").unwrap();
    let photo = site.path().join("requests/sports-day-2569/photo1.jpg");
    std::fs::write(&photo, std::fs::read(&photo).unwrap()).unwrap();
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(codes(&v).contains(&"bad-image".to_string()));
}

/// What staff drop beside the request folders is told about, never passed
/// over: a news text Notepad saved as `.txt` (Windows hides the extension,
/// so `ข่าว.md.txt` looks like `ข่าว.md`), and a photo outside any folder.
/// Intake leaves each where it is, with its report; khao's own files and
/// Windows' are still ignored.
#[test]
fn a_text_saved_as_txt_and_a_loose_photo_are_told_about() {
    let site = site();
    let requests = site.path().join("requests");
    let folder = requests.join("sports-day");
    std::fs::create_dir_all(&folder).expect("folder");
    let text = request_md("กีฬาสี", "", "เนื้อหา");
    // Its other problems are told at once, not after it is renamed.
    let wrong = text.replace("category: ข่าวประชาสัมพันธ์", "category: ข่าวกีฬาสี");
    std::fs::write(folder.join("ข่าว.md.txt"), &wrong).expect("txt");
    std::fs::write(folder.join("photo1.jpg"), jpeg(800, 600)).expect("photo");
    std::fs::write(requests.join("ประกาศ.txt"), &text).expect("loose txt");
    std::fs::write(requests.join("IMG_0001.jpg"), jpeg(800, 600)).expect("loose photo");
    std::fs::write(requests.join("Thumbs.db"), b"x").expect("thumbs");
    std::fs::write(requests.join("old.receipt.txt"), "ใบแจ้ง").expect("receipt");

    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "{v}");
    let paths: Vec<&str> = (v["requests"].as_array().expect("requests").iter())
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    let mut found = codes(&v);
    found.sort();
    let mut expected = vec!["ambiguous-request"; 3];
    expected.extend(["missing-alt", "unknown-category"]);
    assert_eq!(found, expected, "{v}");

    let (_, human, _) = khao(site.path(), &["check", "--lang", "th"]);
    assert!(human.contains("requests/sports-day/ข่าว.md.txt:"), "{human}");
    assert!(human.contains("ตั้งชื่อเป็น `ข่าว.md`"), "{human}");
    assert!(human.contains("requests/ประกาศ.txt:"), "{human}");
    assert!(human.contains("ตั้งชื่อเป็น `ประกาศ.md`"), "{human}");
    assert!(
        human.contains("ไฟล์ `IMG_0001.jpg` วางไว้นอกโฟลเดอร์คำขอ"),
        "{human}"
    );

    settle();
    let (code, _, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 1, "{err}");
    for kept in ["sports-day/ข่าว.md.txt", "ประกาศ.txt", "IMG_0001.jpg"] {
        assert!(requests.join(kept).is_file(), "{kept} was moved");
    }
    for report in [
        "sports-day/khao-report.txt",
        "ประกาศ.report.txt",
        "IMG_0001.report.txt",
    ] {
        assert!(requests.join(report).is_file(), "no {report}");
    }
    assert!(!site.path().join("content/news/2026/sports-day").exists());
}

/// A named pipe where a file should be (a photo, an attachment, the text,
/// a loose text) is refused as not a file. Opening a pipe waits for a
/// writer: read as a file, it stopped `khao check`, `watch` and a timer's
/// `publish` for ever, with no word to anyone.
#[cfg(unix)]
#[test]
fn a_pipe_in_a_request_is_refused_not_waited_on() {
    let site = site();
    let requests = site.path().join("requests");
    let pipe = |path: &Path| {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(status.success());
    };
    let named = requests.join("named");
    std::fs::create_dir_all(&named).unwrap();
    let text = request_md(
        "กีฬาสี",
        "images:\n  - { file: photo1.jpg, alt: ภาพ }\nattachments:\n  - { file: คำสั่ง.pdf, title: คำสั่ง }\n",
        "เนื้อหา",
    );
    std::fs::write(named.join("ข่าว.md"), &text).unwrap();
    pipe(&named.join("photo1.jpg"));
    pipe(&named.join("คำสั่ง.pdf"));
    let beside = requests.join("beside");
    std::fs::create_dir_all(&beside).unwrap();
    std::fs::write(beside.join("ข่าว.md"), request_md("ประชุม", "", "เนื้อหา")).unwrap();
    pipe(&beside.join("extra.pdf"));
    let text_pipe = requests.join("text-pipe");
    std::fs::create_dir_all(&text_pipe).unwrap();
    pipe(&text_pipe.join("ข่าว.md"));
    pipe(&requests.join("loose.md"));
    settle();

    let run = |args: &[&str]| -> (i32, String) {
        use wait_timeout::ChildExt;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_khao"))
            .arg("--site")
            .arg(site.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run khao");
        let status = child
            .wait_timeout(std::time::Duration::from_secs(60))
            .unwrap();
        let Some(status) = status else {
            let _ = child.kill();
            panic!("khao {args:?} waited on a pipe");
        };
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        (status.code().unwrap_or(-1), out)
    };
    let (code, out) = run(&["check", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for r in v["requests"].as_array().unwrap() {
        let diags = r["diagnostics"].as_array().unwrap();
        let not_files = diags
            .iter()
            .filter(|d| d["code"] == "disallowed-file-type")
            .count();
        let expected = if r["path"] == "requests/named" { 2 } else { 1 };
        assert_eq!(not_files, expected, "{r:#}");
        assert_eq!(r["ok"], false, "{r:#}");
    }
    assert_eq!(v["requests"].as_array().unwrap().len(), 4, "{v:#}");

    let content = || -> Vec<std::path::PathBuf> {
        walkdir::WalkDir::new(site.path().join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .collect()
    };
    let before = content();
    let (code, _) = run(&["intake"]);
    assert_eq!(code, 1);
    assert!(named.join("ข่าว.md").is_file(), "nothing is moved");
    assert_eq!(content(), before, "nothing is taken in");
}

/// A text far longer than any news (a video saved under a text's name) is
/// refused by its size, before it is read.
#[test]
fn a_text_of_megabytes_is_too_large_to_be_news() {
    let site = site();
    let dest = site.path().join("requests/huge");
    std::fs::create_dir_all(&dest).unwrap();
    let mut text = request_md("กีฬาสี", "", "เนื้อหา").into_bytes();
    text.resize(5 << 20, b'x');
    std::fs::write(dest.join("ข่าว.md"), text).unwrap();
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), vec!["file-too-large"], "{v:#}");
    let message = v["requests"][0]["diagnostics"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("5.0 MB"), "{message}");
}

/// On a machine without the OCR programs, scans and photos of documents
/// cannot be read for ID numbers: the officer is told so, with the
/// command that installs them, whenever requests are checked.
#[test]
fn a_machine_without_ocr_says_scans_went_unread() {
    let site = site();
    copy(
        &fixtures().join("good/announcement-exam.md"),
        &site.path().join("requests/exam.md"),
    );
    let nothing = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_khao"))
        .env("PATH", nothing.path())
        .arg("--site")
        .arg(site.path())
        .arg("check")
        .output()
        .expect("run khao");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("apt-get install tesseract-ocr tesseract-ocr-tha"),
        "{stderr}"
    );
    let (_, _, stderr) = khao(site.path(), &["check"]);
    assert!(!stderr.contains("tesseract"), "{stderr}");
}

#[test]
fn a_request_name_typed_wrong_is_a_bad_command_line_that_leaves_nothing() {
    let site = site();
    let (code, _out, err) = khao(site.path(), &["check", "requests/ไม่มีคำขอนี้"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ไม่พบคำขอ requests/ไม่มีคำขอนี้"), "{err}");
    assert!(crate::util::names_in(&site.path().join("requests")).is_empty());
    let (code, out, _) = khao(site.path(), &["--format", "json", "check", "nothing"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["error"]["code"], "usage", "{v}");
}

#[test]
fn help_is_in_the_sites_language() {
    let site = site();
    let (code, out, err) = khao(site.path(), &["--help"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("วิธีใช้: khao") && out.contains("คำสั่ง:"), "{out}");
    assert!(out.contains("ตรวจคำขอเผยแพร่ข่าว"), "{out}");
    let (code, out, _) = khao(site.path(), &["publish", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--dry-run") && out.contains("โดยไม่เปลี่ยนแปลงอะไร"),
        "{out}"
    );
    assert!(!out.contains("Print help"), "{out}");
    let (code, out, _) = khao(site.path(), &["--lang", "en", "check", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Usage: khao check") && out.contains("Request folders"),
        "{out}"
    );
}

#[test]
fn a_request_folder_khao_may_not_read_is_not_one_without_a_text() {
    use std::os::unix::fs::PermissionsExt;
    let site = site();
    let dir = site.path().join("requests/ลับ");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ข่าว.md"), "---\ntitle: x\n---\n").unwrap();
    // Root reads any folder: khao runs as nobody, on a site it may write.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let chmod = |mode: &str| {
            Command::new("chmod")
                .args(["-R", mode])
                .arg(site.path())
                .status()
        };
        assert!(chmod("a+rwX").unwrap().success());
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = match root {
        true => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
            c.arg(env!("CARGO_BIN_EXE_khao"));
            c
        }
        false => Command::new(env!("CARGO_BIN_EXE_khao")),
    };
    let out = command
        .arg("--site")
        .arg(site.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let text = v.to_string();
    assert!(
        text.contains("เปิดโฟลเดอร์ requests/ลับ ไม่ได้") || text.contains("เปิดโฟลเดอร์ ลับ ไม่ได้"),
        "{v:#}"
    );
    assert!(!text.contains("ambiguous-request"), "{v:#}");
}

/// `khao check --format json | head -c 0`: the reader is gone before the
/// answer; the run still ends with its own exit status, not a crash.
#[test]
fn a_reader_gone_early_is_not_a_crash() {
    let site = site();
    std::fs::write(site.path().join("requests/ข่าว.txt"), "x").unwrap();
    for format in ["json", "human"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_khao"))
            .arg("--site")
            .arg(site.path())
            .args(["--format", format, "check"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
