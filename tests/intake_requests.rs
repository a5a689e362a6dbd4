//! `khao intake`: good requests become news, bad ones stay with a report,
//! a blocked destination loses nothing, and running it again is harmless.

use crate::requests_support;

use crate::util::{age_all, names_in};
use requests_support::*;

fn good_site() -> tempfile::TempDir {
    let site = site();
    for e in std::fs::read_dir(fixtures().join("good")).unwrap() {
        let e = e.unwrap();
        copy(&e.path(), &site.path().join("requests").join(e.file_name()));
    }
    settle();
    site
}

#[test]
fn good_requests_pass_and_are_taken_in() {
    let site = good_site();
    copy(
        &fixtures().join("bad/unknown-group--typo"),
        &site.path().join("requests/bad-group"),
    );
    let md = site.path().join("requests/bad-group/ข่าว.md");
    let text = std::fs::read_to_string(&md)
        .unwrap()
        .replace("title: กิจกรรมวันกีฬาสี", "title: ข่าวกลุ่มผิด");
    std::fs::write(&md, text).unwrap();
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    for r in v["requests"].as_array().unwrap() {
        let expect_ok = r["path"] != "requests/bad-group";
        assert_eq!(r["ok"], expect_ok, "{r:#}");
    }

    settle();
    let (code, out, err) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 1, "a rejected request means exit 1: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["accepted"].as_array().unwrap().len(), 3, "{v:#}");
    assert_eq!(v["rejected"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["rejected"][0]["request"], "requests/bad-group");
    assert_eq!(
        v["rejected"][0]["report"],
        "requests/bad-group/khao-report.txt"
    );

    // The folder request: photo and PDF beside a normalised index.md.
    let news = site.path().join("content/news/2026/sports-day-2569");
    assert!(news.join("photo1.jpg").is_file());
    assert!(news.join("คำสั่ง.pdf").is_file());
    assert!(
        !news.join("Thumbs.db").exists(),
        "ignored files are not published"
    );
    let index = std::fs::read_to_string(news.join("index.md")).unwrap();
    let yaml = index
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    let front: serde_yaml::Value = serde_yaml::from_str(yaml).expect("YAML front matter");
    assert_eq!(front["date"].as_str(), Some("2026-11-20"));
    assert_eq!(front["category"].as_str(), Some("pr"));
    assert_eq!(front["slug"].as_str(), Some("sports-day-2569"));
    assert_eq!(front["requester"]["group"].as_str(), Some("กลุ่มอำนวยการ"));
    assert_eq!(front["cover"].as_str(), Some("photo1.jpg"));
    assert!(front["received"].is_string() && front["accepted"].is_string());
    // The one news schema keeps everything the requester gave, for the
    // officer; the site never shows the phone or the e-mail.
    assert_eq!(front["requester"]["phone"].as_str(), Some("077-000000"));
    assert!(index.contains("วันกีฬาสี"), "the body");

    // The request.yaml request (Thai folder name: date + short id slug).
    let ids = names_in(&site.path().join("content/news/2026"));
    assert!(ids.iter().any(|n| n.starts_with("2026-11-21-")), "{ids:?}");
    assert!(ids.iter().any(|n| n == "announcement-exam"), "{ids:?}");
    let yaml_news = std::fs::read_to_string(
        site.path()
            .join("content/news/2026")
            .join(ids.iter().find(|n| n.starts_with("2026-11-21-")).unwrap())
            .join("index.md"),
    )
    .unwrap();
    assert!(
        yaml_news.contains("somchai@"),
        "the e-mail is kept for the officer (and never published)"
    );

    // Taken-in requests are gone (a receipt in their place); the bad one
    // stays with its report.
    let left = names_in(&site.path().join("requests"));
    assert_eq!(
        left,
        [
            "announcement-exam.receipt.txt",
            "bad-group",
            "sports-day-2569.receipt.txt",
            "ประชุมผู้บริหาร.receipt.txt"
        ],
        "{left:?}"
    );
    assert!(
        site.path()
            .join("requests/bad-group/khao-report.txt")
            .is_file()
    );
    let hidden: Vec<_> = names_in(&site.path().join("content/news"))
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "no temporary folder left: {hidden:?}");

    // Again: harmless.
    let (_, out, _) = khao(site.path(), &["intake", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["accepted"].as_array().unwrap().len(), 0);
    assert!(news.join("index.md").is_file());
}

#[test]
fn a_blocked_destination_leaves_the_request_intact() {
    let site = site();
    copy(
        &fixtures().join("good/sports-day-2569"),
        &site.path().join("requests/sports-day-2569"),
    );
    // Running as root ignores permissions: a regular file where the year's
    // folder must go makes the copy fail for anyone.
    std::fs::write(site.path().join("content/news/2027"), "not a folder").unwrap();
    let md = site.path().join("requests/sports-day-2569/ข่าว.md");
    let text = std::fs::read_to_string(&md)
        .unwrap()
        .replace("date: 20/11/2569", "date: 20/11/2570");
    std::fs::write(&md, &text).unwrap();
    let before = std::fs::read(site.path().join("requests/sports-day-2569/photo1.jpg")).unwrap();

    settle();
    let (code, out, _) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["accepted"].as_array().unwrap().len(), 0, "{v:#}");
    assert_eq!(v["failed"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(
        std::fs::read_to_string(&md).unwrap(),
        text,
        "the request is intact"
    );
    assert_eq!(
        std::fs::read(site.path().join("requests/sports-day-2569/photo1.jpg")).unwrap(),
        before
    );
    assert!(
        site.path()
            .join("requests/sports-day-2569/คำสั่ง.pdf")
            .is_file()
    );
    let hidden: Vec<_> = names_in(&site.path().join("content/news"))
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");

    // Clear the way: the next run finishes the job.
    std::fs::remove_file(site.path().join("content/news/2027")).unwrap();
    settle();
    let (code, _, _) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0);
    assert!(
        site.path()
            .join("content/news/2027/sports-day-2569/photo1.jpg")
            .is_file()
    );
    assert!(!site.path().join("requests/sports-day-2569").exists());
}

#[test]
fn an_intake_interrupted_before_removing_the_request_finishes_next_time() {
    let site = site();
    let src = fixtures().join("good/sports-day-2569");
    copy(&src, &site.path().join("requests/sports-day-2569"));
    settle();
    let (code, _, _) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0);
    // As if the process died after the rename, before removing the request.
    copy(&src, &site.path().join("requests/sports-day-2569"));
    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "check calls it a duplicate");
    assert!(codes(&v).contains(&"duplicate".to_string()));
    settle();
    let (code, out, _) = khao(site.path(), &["intake", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["accepted"][0]["news"],
        "content/news/2026/sports-day-2569"
    );
    assert!(!site.path().join("requests/sports-day-2569").exists());
    // A different request under the same slug stays: that is a real duplicate.
    copy(&src, &site.path().join("requests/sports-day-2569"));
    let photo = site.path().join("requests/sports-day-2569/photo1.jpg");
    std::fs::write(&photo, jpeg(800, 600)).unwrap();
    settle();
    let (code, _, _) = khao(site.path(), &["intake"]);
    assert_eq!(code, 1);
    assert!(
        site.path()
            .join("requests/sports-day-2569/khao-report.txt")
            .is_file()
    );
}

#[test]
fn the_requesters_phone_and_email_are_kept_but_never_published() {
    let site = good_site();
    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0, "{out}{err}");
    let index = |slug_start: &str| {
        let year = site.path().join("content/news/2026");
        let dir = std::fs::read_dir(&year)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(slug_start)
            })
            .unwrap();
        std::fs::read_to_string(dir.join("index.md")).unwrap()
    };
    assert!(index("sports-day-2569").contains("077-000000"));
    assert!(index("2026-11-21-").contains("somchai@example.go.th"));
    let (code, out, err) = khao(site.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    for entry in walkdir::WalkDir::new(site.path().join("public")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["077-000000", "somchai@example.go.th"] {
            assert!(
                !text.contains(secret),
                "{secret} in {}",
                entry.path().display()
            );
        }
    }
}

/// The GPS latitude 13° 45′ 30″ of the photo in good.docx, as EXIF
/// rationals in either byte order.
pub(crate) fn has_latitude(bytes: &[u8]) -> bool {
    let rationals = |f: fn(u32) -> [u8; 4]| -> Vec<u8> {
        [13u32, 1, 45, 1, 30, 1].into_iter().flat_map(f).collect()
    };
    let (le, be) = (rationals(u32::to_le_bytes), rationals(u32::to_be_bytes));
    bytes.windows(le.len()).any(|w| w == le || w == be)
}

/// The photos inside a Word, Excel or PowerPoint file, one after another.
pub(crate) fn photos_in(office: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(office)).expect("zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        if part
            .name()
            .is_ok_and(|n| n.ends_with(".jpeg") || n.ends_with(".jpg"))
        {
            part.read_to_end(&mut out).expect("read");
        }
    }
    out
}

#[test]
fn an_attached_documents_photos_are_published_without_their_position() {
    let site = site();
    let dir = site.path().join("requests/แข่งขันกีฬา");
    std::fs::create_dir_all(&dir).unwrap();
    let extra = "attachments:\n  - { file: ภาพกิจกรรม.docx, title: ภาพกิจกรรม }\n";
    std::fs::write(dir.join("ข่าว.md"), request_md("แข่งขันกีฬา", extra, "เนื้อหา")).unwrap();
    let original = std::fs::read(crate::docx_support::fixture_path("good.docx")).unwrap();
    assert!(
        has_latitude(&photos_in(&original)),
        "the fixture has a position"
    );
    std::fs::write(dir.join("ภาพกิจกรรม.docx"), &original).unwrap();
    settle();
    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = khao(site.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");

    let named = |folder: &str| -> Vec<std::path::PathBuf> {
        walkdir::WalkDir::new(site.path().join(folder))
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.file_name().is_some_and(|n| n == "ภาพกิจกรรม.docx"))
            .collect()
    };
    let published = named("public");
    assert_eq!(published.len(), 1, "{published:?}");
    let photos = photos_in(&std::fs::read(&published[0]).unwrap());
    assert!(!photos.is_empty());
    assert!(!has_latitude(&photos), "the position was published");
    // The rest of the photo's EXIF (the camera) stays; the request is kept
    // as received in records/.
    assert!(photos.windows(11).any(|w| w == b"KhaoTestCam"));
    let kept = named("records");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), original);
}

#[test]
fn the_checks_verdicts_are_forgotten_after_two_months() {
    let site = good_site();
    let (code, _) = check_json(site.path(), &[]);
    assert_eq!(code, 0);
    let cache = site.path().join(".khao/cache/check");
    assert!(
        !names_in(&cache).is_empty(),
        "the check remembers its verdicts"
    );
    // Verdicts on files long gone: one of 61 days goes, one of 59 stays.
    age_all(&cache, 61);
    std::fs::write(cache.join("stat-recent"), b"{}").unwrap();
    let f = std::fs::File::options()
        .write(true)
        .open(cache.join("stat-recent"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(59 * 86_400))
        .unwrap();
    let old = names_in(&cache);

    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 0, "{out}{err}");
    let now = names_in(&cache);
    assert!(now.contains(&"stat-recent".to_string()), "{now:?}");
    let month = std::time::Duration::from_secs(30 * 86_400);
    for name in now.iter().filter(|n| *n != "stat-recent") {
        let age = std::fs::metadata(cache.join(name))
            .unwrap()
            .modified()
            .unwrap()
            .elapsed()
            .unwrap();
        assert!(age < month, "{name} of {old:?} is still there");
    }
}

/// Links a request's body may hold: each passes the check, comes through
/// intake and builds with no broken link (the build holds up every news
/// item while one page has one). One to a page the site does not have is
/// stopped at the check.
#[test]
fn links_the_check_passes_build_and_a_link_to_no_page_is_stopped() {
    let site = site();
    let (code, out, err) = khao(site.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    let good = site.path().join("requests/links");
    copy(&fixtures().join("good/sports-day-2569"), &good);
    let md = good.join("ข่าว.md");
    let text = std::fs::read_to_string(&md).unwrap();
    let body = "\n## กำหนดการ\n\nดาวน์โหลด [คำสั่ง](คำสั่ง.pdf) ดู ![ขบวนพาเหรด](photo1.jpg) \
                [กำหนดการ](#กำหนดการ) [หน้าแรก](/) [ข่าวเดิม](/news/2026/existing-news/) \
                [สพฐ.](https://www.obec.go.th/) [อีเมล](mailto:pr@example.go.th)\n";
    std::fs::write(&md, format!("{}{body}", text.trim_end())).unwrap();
    let bad = site.path().join("requests/no-page");
    copy(&fixtures().join("good/sports-day-2569"), &bad);
    let text = std::fs::read_to_string(bad.join("ข่าว.md")).unwrap();
    let text = text.replace("title: กิจกรรมวันกีฬาสี", "title: ผลการแข่งขันกีฬาสี")
        + "\nดู [ผลการแข่งขัน](/news/2026/no-such-news/)\n";
    std::fs::write(bad.join("ข่าว.md"), text).unwrap();

    let (code, v) = check_json(site.path(), &[]);
    assert_eq!(code, 1);
    for r in v["requests"].as_array().unwrap() {
        let path = r["path"].as_str().unwrap();
        match path {
            "requests/links" => assert_eq!(r["ok"], true, "{r:#}"),
            _ => {
                let one = serde_json::json!({ "requests": [r] });
                assert_eq!(codes(&one), ["broken-link"], "{r:#}");
            }
        }
    }
    settle();
    let (code, out, err) = khao(site.path(), &["intake"]);
    assert_eq!(code, 1, "the page-less link stays: {out}{err}");
    let (code, out, err) = khao(site.path(), &["build"]);
    assert_eq!(
        code, 0,
        "the accepted news builds with every link whole: {out}{err}"
    );
}
