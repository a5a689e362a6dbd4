//! Thai search end to end: `khao build` on a small temporary site, then the
//! index in `public/pagefind/` is queried with pagefind's own JS in Node
//! (`tests/search_query.mjs`), exactly as the search page queries it in a
//! browser. Thai has no spaces between words: a word that appears only
//! inside a longer run must still find its page.

use std::path::{Path, PathBuf};
use std::process::Command;

const SITE_YAML: &str = r#"
title: สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาทดสอบ
base_url: https://www.example.go.th/
language: th
description: เว็บไซต์ทดสอบ
office:
  name: สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาทดสอบ
  address: 1 ถนนทดสอบ อำเภอเมือง จังหวัดทดสอบ 84000
  phone: 077-205317
  email: ict@example.go.th
menu:
  - { name: หน้าแรก, url: / }
  - { name: ข่าวสาร, url: /news/ }
  - { name: ค้นหา, url: /search/ }
news:
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
groups: [กลุ่มอำนวยการ]
"#;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn news(root: &Path, slug: &str, title: &str, date: &str, body: &str) {
    write(
        root,
        &format!("content/news/2026/{slug}/index.md"),
        &format!("---\ntitle: {title}\ndate: {date}\ncategory: pr\n---\n{body}\n"),
    );
}

fn make_site(root: &Path) {
    write(root, "site.yaml", SITE_YAML);
    write(
        root,
        "content/index.md",
        "---\ntitle: ยินดีต้อนรับ\n---\nยินดีต้อนรับสู่เว็บไซต์ของสำนักงาน\n",
    );
    write(
        root,
        "content/search.md",
        "---\ntitle: ค้นหา\ntemplate: search.html\n---\n",
    );
    // The words searched for below appear only inside these unspaced runs.
    news(
        root,
        "board-meeting",
        "การประชุมประจำเดือน",
        "2026-11-20",
        "วันนี้มีการประชุมคณะกรรมการสถานศึกษาขั้นพื้นฐานที่ห้องประชุมใหญ่",
    );
    news(
        root,
        "sports-day",
        "กีฬาสีสัมพันธ์",
        "2026-11-18",
        "นักเรียนร่วมกิจกรรมวันกีฬาสีอย่างสนุกสนาน",
    );
}

fn build(site: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("build")
        .current_dir(site)
        .output()
        .expect("run khao");
    assert!(
        out.status.success(),
        "khao build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The URLs pagefind returns for `query`, best first.
fn search(public: &Path, query: &str) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search_query.mjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(public)
        .arg(query)
        .output()
        .expect("Node.js is needed to query the search index (scripts/test installs nodejs)");
    assert!(
        out.status.success(),
        "query {query:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["url"].as_str().unwrap().to_string()
        })
        .collect()
}

fn bundle(public: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = public.join("pagefind");
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(&dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_thai_word_inside_a_run_finds_its_page() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    make_site(site);
    build(site);
    let public = site.join("public");

    assert!(public.join("pagefind/pagefind.js").is_file());
    assert!(public.join("pagefind/pagefind-entry.json").is_file());

    let meeting = "/news/2026/board-meeting/".to_string();
    assert_eq!(search(&public, "กรรมการ"), vec![meeting.clone()]);
    assert_eq!(search(&public, "สถานศึกษา"), vec![meeting.clone()]);
    assert_eq!(
        search(&public, "กีฬาสี"),
        vec!["/news/2026/sports-day/".to_string()]
    );
    // Only the articles are indexed: a word of the footer (the office's
    // address) matches no page.
    assert!(search(&public, "ถนนทดสอบ").is_empty());
    assert!(search(&public, "ภูเขาไฟ").is_empty());
}

#[test]
fn the_search_page_is_accessible_and_self_hosted() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    make_site(site);
    build(site);
    let public = site.join("public");

    let page = std::fs::read_to_string(public.join("search/index.html")).unwrap();
    assert!(page.contains(r#"<html lang="th""#));
    assert!(page.contains(r#"role="search""#));
    assert!(page.contains(r#"<label for="k-search-input">"#));
    assert!(page.contains(r#"aria-live="polite""#));
    assert!(page.contains(r#"<ol id="k-search-results""#));
    assert!(page.contains(r#"src="/js/search.js""#));
    let js = std::fs::read_to_string(public.join("js/search.js")).unwrap();
    assert!(js.contains(r#"import("/pagefind/pagefind.js")"#));
    // No request leaves the site: no absolute URL in the page's scripts.
    assert!(!js.contains("http://") && !js.contains("https://"));
    // Every page's header has the search form, labelled.
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains(r#"role="search" action="/search/""#));
    assert!(home.contains(r#"<label for="k-site-search""#));
}

#[test]
fn the_index_is_deterministic_and_follows_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    make_site(site);
    build(site);
    let public = site.join("public");
    let first = bundle(&public);

    // A fresh build of the same site gives byte-identical index files.
    let other = tempfile::tempdir().unwrap();
    make_site(other.path());
    build(other.path());
    assert_eq!(first, bundle(&other.path().join("public")));

    // Nothing changed: the bundle is kept as it is.
    build(site);
    assert_eq!(first, bundle(&public));

    // A news body changes: the new word is found, the old one is gone, and
    // no stale index file is left behind.
    news(
        site,
        "sports-day",
        "วันวิทยาศาสตร์",
        "2026-11-18",
        "นักเรียนร่วมกิจกรรมวันวิทยาศาสตร์แห่งชาติ",
    );
    build(site);
    assert_eq!(
        search(&public, "วิทยาศาสตร์"),
        vec!["/news/2026/sports-day/".to_string()]
    );
    assert!(search(&public, "กีฬาสี").is_empty());
    let fragments = std::fs::read_dir(public.join("pagefind/fragment"))
        .unwrap()
        .count();
    // One fragment per article: the home page and the news lists are not
    // articles (no data-pagefind-body).
    assert_eq!(fragments, 2, "one fragment per news item");
}

/// The small site plus 100 news items, enough for several index shards;
/// returns the items whose text has the word ภูเขาไฟ (5, 42 and 79).
fn make_sharded_site(site: &Path) -> Vec<usize> {
    make_site(site);
    let volcano: Vec<usize> = (0..100).filter(|i| i % 37 == 5).collect();
    for i in 0..100 {
        let extra = if volcano.contains(&i) {
            "ครูพาไปดูภูเขาไฟจำลอง"
        } else {
            "นักเรียนช่วยกันทำความสะอาดห้องเรียน"
        };
        news(
            site,
            &format!("item-{i:03}"),
            &format!("ข่าวที่ {i}"),
            "2026-11-01",
            &format!("กิจกรรมประจำสัปดาห์ {extra}"),
        );
    }
    volcano
}

/// A bigger site is split into several index shards (src/search.rs); the
/// search page merges them, so a query still finds every page, and an edit
/// re-indexes only the shard of the edited page.
#[test]
fn a_sharded_index_finds_pages_in_every_shard_and_rebuilds_one() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    let volcano = make_sharded_site(site);
    build(site);
    let public = site.join("public");
    let shards: Vec<String> =
        serde_json::from_slice(&std::fs::read(public.join("pagefind/khao-shards.json")).unwrap())
            .unwrap();
    assert!(
        shards.len() >= 2,
        "102 pages make several shards: {shards:?}"
    );
    for dir in &shards {
        // Merged shards share the primary's JS and WebAssembly.
        assert!(
            public
                .join("pagefind")
                .join(dir)
                .join("pagefind-entry.json")
                .is_file()
        );
        assert!(
            !public
                .join("pagefind")
                .join(dir)
                .join("pagefind.js")
                .exists()
        );
    }

    let mut found = search(&public, "ภูเขาไฟ");
    found.sort();
    let expected: Vec<String> = volcano
        .iter()
        .map(|i| format!("/news/2026/item-{i:03}/"))
        .collect();
    assert_eq!(found, expected, "every shard answers");

    // One edit: the index files of the other shards are not rewritten.
    let before = bundle(&public);
    news(
        site,
        "item-023",
        "ข่าวที่ 23",
        "2026-11-01",
        "กิจกรรมประจำสัปดาห์ ครูพาไปดูภูเขาไฟจำลอง",
    );
    build(site);
    let after = bundle(&public);
    let changed_dirs: std::collections::BTreeSet<String> = after
        .iter()
        .filter(|f| !before.contains(f))
        .map(|(p, _)| match p.components().next() {
            Some(c)
                if shards
                    .iter()
                    .any(|s| s.trim_end_matches('/') == c.as_os_str()) =>
            {
                c.as_os_str().to_string_lossy().into_owned()
            }
            _ => "primary".to_string(),
        })
        .collect();
    assert_eq!(
        changed_dirs.len(),
        1,
        "only one shard changed: {changed_dirs:?}"
    );
    assert!(search(&public, "ภูเขาไฟ").contains(&"/news/2026/item-023/".to_string()));

    // And the result is what a clean build of the same site writes.
    let clean = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(site.join("content")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(site).unwrap();
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(clean.path().join(rel)).unwrap();
        } else {
            std::fs::copy(entry.path(), clean.path().join(rel)).unwrap();
        }
    }
    std::fs::copy(site.join("site.yaml"), clean.path().join("site.yaml")).unwrap();
    build(clean.path());
    assert_eq!(after, bundle(&clean.path().join("public")));
}

/// The search page in a real Chromium on a sharded index: it merges every
/// shard, so the three pages with the word are found wherever they are.
#[test]
fn the_search_page_finds_pages_in_every_shard_in_chromium() {
    let chromium = khao::browser::chromium()
        .expect("Chromium is needed for this test (scripts/test installs `chromium`)");
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    make_sharded_site(site);
    build(site);
    // A plain static server, as a visitor's web server would be.
    let server = khao::static_server::StaticServer::start(site.join("public"), 0).unwrap();
    let base = server.url();
    let shards: Vec<String> = serde_json::from_slice(
        &std::fs::read(site.join("public/pagefind/khao-shards.json")).unwrap(),
    )
    .unwrap();
    assert!(shards.len() >= 2, "{shards:?}");

    let profile = tempfile::tempdir().unwrap();
    // A free port of our own (the crate's default scans 8000-9000).
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = headless_chrome::LaunchOptions::default_builder()
        .port(Some(port))
        .path(Some(chromium))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).expect("start Chromium");
    let tab = browser.new_tab().unwrap();
    // ภูเขาไฟ, percent-encoded. Not `wait_until_navigated`: its event can
    // pass before the wait starts; the loop below waits for the results.
    tab.navigate_to(&format!(
        "{base}search/?q=%E0%B8%A0%E0%B8%B9%E0%B9%80%E0%B8%82%E0%B8%B2%E0%B9%84%E0%B8%9F"
    ))
    .unwrap();
    let script = "JSON.stringify({status: document.getElementById('k-search-status').textContent, \
                  found: [...document.querySelectorAll('#k-search-results a')].map(a => a.getAttribute('href'))})";
    let started = std::time::Instant::now();
    let found = loop {
        // While the page is still loading there is no answer yet.
        let state: serde_json::Value = tab
            .evaluate(script, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| serde_json::from_str(v.as_str()?).ok())
            .unwrap_or_default();
        let found: Vec<String> = state["found"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if !found.is_empty() {
            break found;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no results after 60 s; the page says {:?}",
            state["status"]
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    drop(server);
    let mut found = found;
    found.sort();
    assert_eq!(
        found,
        vec![
            "/news/2026/item-005/".to_string(),
            "/news/2026/item-042/".to_string(),
            "/news/2026/item-079/".to_string(),
        ]
    );
}
