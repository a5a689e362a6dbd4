//! The clock (docs/news.md): `publish_at`, `expires` and `pinned_until`,
//! built at fixed `SOURCE_DATE_EPOCH` values on either side of each
//! instant — midnight in Asia/Bangkok included — `next_change`, and two
//! builds at the same now giving the same bytes.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SITE: &str = "title: ทดสอบ
base_url: https://www.example.go.th/
news:
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
    - { slug: job, name: รับสมัครงาน }
";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Three items: one under embargo until 1/12/2569 08:00, a pinned job
/// notice that ends on 15/12/2569, and one pinned until 10/12/2569.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.yaml", SITE);
    write(
        root,
        "content/news/2026/embargoed/index.md",
        "---\ntitle: ข่าวรอเผยแพร่\ndate: 2026-11-25\ncategory: pr\npublish_at: 1/12/2569 08:00\n---\nข้อความลับก่อนเวลา\n",
    );
    write(
        root,
        "content/news/2026/job/index.md",
        "---\ntitle: รับสมัครครูอัตราจ้าง\ndate: 2026-11-20\ncategory: job\npinned: true\nexpires: 15/12/2569\n---\nรับสมัครถึงวันที่ 14 ธันวาคม\n",
    );
    write(
        root,
        "content/news/2026/meeting/index.md",
        "---\ntitle: ประชุมผู้บริหาร\ndate: 2026-11-10\ncategory: pr\npinned: true\npinned_until: 10/12/2569\n---\nประชุมประจำเดือน\n",
    );
    dir
}

/// Seconds since 1970 of an RFC 3339 instant.
fn epoch(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .unwrap()
        .timestamp()
        .to_string()
}

/// `khao build --format json` at `now` into `out`.
fn build(root: &Path, now: &str, out: &Path) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(root)
        .args(["build", "--format", "json", "--out"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", epoch(now))
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    v
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_default()
}

/// The home page's pinned section (before the latest news).
fn pinned_part(home: &str) -> &str {
    home.split("latest").next().unwrap_or("")
}

#[test]
fn an_embargo_builds_nothing_before_its_instant_and_everything_from_it() {
    let site = site();
    let out = site.path().join("out");
    let v = build(site.path(), "2026-12-01T07:59:59+07:00", &out);
    assert!(
        !out.join("news/2026/embargoed").exists(),
        "no page, no photo"
    );
    for rel in [
        "index.html",
        "news/index.html",
        "category/pr/index.html",
        "feed.xml",
        "sitemap.xml",
    ] {
        assert!(!read(&out, rel).contains("embargoed"), "{rel} names it");
        assert!(!read(&out, rel).contains("ข่าวรอเผยแพร่"), "{rel} names it");
    }
    // Not in the search index either: no file of it names the page.
    let search = walkdir::WalkDir::new(out.join("khao-search"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .any(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            String::from_utf8_lossy(&bytes).contains("embargoed")
        });
    assert!(!search, "no search entry");
    assert_eq!(v["next_change"], "2026-12-01T08:00:00+07:00");

    // Exactly at the instant, it is out.
    let v = build(site.path(), "2026-12-01T08:00:00+07:00", &out);
    assert!(out.join("news/2026/embargoed/index.html").is_file());
    assert!(read(&out, "news/index.html").contains("ข่าวรอเผยแพร่"));
    assert!(read(&out, "sitemap.xml").contains("/news/2026/embargoed/"));
    assert!(read(&out, "feed.xml").contains("ข่าวรอเผยแพร่"));
    // Next: the meeting leaves the pinned spot at midnight, 10 December.
    assert_eq!(v["next_change"], "2026-12-10T00:00:00+07:00");
}

#[test]
fn an_item_ends_at_midnight_in_bangkok_and_stays_everywhere_but_home() {
    let site = site();
    let out = site.path().join("out");
    // 23:59:59 on 14 December in Bangkok is 16:59:59 UTC.
    let v = build(site.path(), "2026-12-14T16:59:59Z", &out);
    let home = read(&out, "index.html");
    assert!(home.contains("รับสมัครครูอัตราจ้าง"), "still on the home page");
    assert!(!read(&out, "news/2026/job/index.html").contains("สิ้นสุดแล้ว"));
    assert_eq!(v["next_change"], "2026-12-15T00:00:00+07:00");

    let v = build(site.path(), "2026-12-14T17:00:00Z", &out);
    let home = read(&out, "index.html");
    assert!(
        !home.contains("รับสมัครครูอัตราจ้าง"),
        "off the home page and the pinned spot"
    );
    let page = read(&out, "news/2026/job/index.html");
    assert!(page.contains("สิ้นสุดแล้ว"), "its page says it has ended");
    let category = read(&out, "category/job/index.html");
    assert!(category.contains("รับสมัครครูอัตราจ้าง") && category.contains("สิ้นสุดแล้ว"));
    assert!(read(&out, "sitemap.xml").contains("/news/2026/job/"));
    assert!(read(&out, "news/index.html").contains("สิ้นสุดแล้ว"));
    assert_eq!(v["next_change"], Value::Null, "nothing is due any more");
}

#[test]
fn pinned_until_unpins_at_its_instant() {
    let site = site();
    let out = site.path().join("out");
    build(site.path(), "2026-12-09T23:59:59+07:00", &out);
    let home = read(&out, "index.html");
    assert!(pinned_part(&home).contains("ประชุมผู้บริหาร"), "pinned before");
    build(site.path(), "2026-12-10T00:00:00+07:00", &out);
    let home = read(&out, "index.html");
    assert!(
        !pinned_part(&home).contains("ประชุมผู้บริหาร"),
        "an ordinary item after"
    );
    assert!(home.contains("ประชุมผู้บริหาร"), "still among the latest news");
}

#[test]
fn the_same_input_at_the_same_now_gives_the_same_bytes() {
    let site = site();
    let (a, b) = (site.path().join("a"), site.path().join("b"));
    build(site.path(), "2026-12-05T12:00:00+07:00", &a);
    build(site.path(), "2026-12-05T12:00:00+07:00", &b);
    let files = |root: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.len(), fb.len());
    for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between two builds at the same now");
    }
}

#[test]
fn dates_that_do_not_parse_or_contradict_are_reported() {
    let site = site();
    write(
        site.path(),
        "content/news/2026/bad/index.md",
        "---\ntitle: ข่าวผิด\ndate: 2026-11-20\ncategory: pr\npublish_at: พรุ่งนี้\nexpires: 1/11/2569\n---\nx\n",
    );
    write(
        site.path(),
        "content/news/2026/order/index.md",
        "---\ntitle: ข่าวลำดับผิด\ndate: 2026-11-20\ncategory: pr\npublish_at: 20/12/2569\nexpires: 10/12/2569\n---\nx\n",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(site.path())
        .args(["--lang", "en", "build", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", epoch("2026-12-05T12:00:00+07:00"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    let problems = v["problems"].as_array().unwrap();
    let find = |code: &str, file: &str| {
        problems
            .iter()
            .filter(|p| p["code"] == code && p["file"].as_str().unwrap_or("").contains(file))
            .map(|p| p["message"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert!(!find("bad-date", "bad/").is_empty(), "{problems:#?}");
    let expires = find("date-order", "bad/");
    assert!(
        expires.iter().any(|m| m.contains("expires")),
        "says which: {expires:?}"
    );
    let order = find("date-order", "order/");
    assert!(
        order.iter().any(|m| m.contains("publish_at")),
        "says which: {order:?}"
    );
}
