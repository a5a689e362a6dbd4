//! The site search end to end, as a visitor meets it: `khao build`, then
//! the index in `public/khao-search/` queried with the theme's own client
//! (`themes/default/static/js/khao-search.js`) in Node, and the search page
//! in a real Chromium. The goals of the search (issue 13) are checked on
//! the example site and on a generated district corpus of 203 news items:
//! precision and recall ≥ 0.95 over a query set of present and absent Thai
//! words (compounds, words sharing a prefix with present ones, spaced,
//! English and mixed), no hit at all for a word the site lacks, and a page
//! whose title holds the query first. The ground truth is what
//! `khao::search::document` reads of each page: a page is relevant when
//! that text contains the query.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::util::{REPO, example_site, names_in, run};

/// Every page of `public` the search reads, as the documents the ground
/// truth is computed on.
fn documents(public: &Path) -> Vec<khao::search::Doc> {
    let mut docs = Vec::new();
    for entry in walkdir::WalkDir::new(public).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(public).unwrap();
        if entry.path().extension().is_none_or(|e| e != "html")
            || rel.starts_with(khao::search::output::DIR)
        {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        if !html.contains(khao::search::BODY_MARK) {
            continue;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        let url = format!("/{}", rel.trim_end_matches("index.html"));
        docs.push(khao::search::document(&url, None, &html));
    }
    docs
}

fn node(args: &[&str]) -> std::process::Output {
    Command::new("node")
        .args(args)
        .current_dir(REPO)
        .output()
        .expect("node is needed (scripts/test installs nodejs)")
}

fn ok(out: &std::process::Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// Writes the documents for the Node scripts; returns the file.
fn write_docs(dir: &Path, docs: &[khao::search::Doc]) -> PathBuf {
    let path = dir.join("docs.json");
    std::fs::write(&path, serde_json::to_vec(docs).unwrap()).unwrap();
    path
}

/// The query set `queries` against the index of `public`, with `--check`:
/// the goals or a failure naming the figures.
fn quality(public: &Path, docs: &Path, queries: &str) -> Value {
    let queries = Path::new(REPO).join("tests/search/queries").join(queries);
    let out = node(&[
        "tests/search/quality.mjs",
        "--docs",
        docs.to_str().unwrap(),
        "--index",
        public.to_str().unwrap(),
        "--queries",
        queries.to_str().unwrap(),
        "--check",
    ]);
    let text = ok(&out);
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

#[test]
fn the_example_site_finds_exactly_what_was_typed() {
    let site = example_site();
    let out = run(site.path(), &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = site.path().join("public");
    let docs = documents(&public);
    assert!(docs.len() > 30, "{} pages", docs.len());
    let file = write_docs(site.path(), &docs);
    let score = quality(&public, &file, "example.json");
    assert_eq!(score["precision"], 1.0, "{score}");
    assert_eq!(score["recall"], 1.0, "{score}");
    assert_eq!(score["absent_with_hits"], 0, "{score}");

    // The browser normalises as khao does, on every page and on strings
    // that are hard on purpose.
    let tricky = [
        "ตรวจสอบ ภายใน",
        "ศูนย์บริการICT",
        "the  ICT\tcentre",
        "e-bidding",
        "พ.ศ. ๒๕๖๙",
        "น\u{E4D}\u{E49}\u{E32}",
        "ท\u{E4D}\u{E32}",
        "เเปลง",
        "ก\u{E48}\u{E34}",
        "สิ่ง\u{200B}แวด\u{AD}ล้อม",
        "ÉCOLE",
        "e\u{301}cole",
        "İstanbul ΣΟΦΟΣ",
        "ﬁle Ａ１",
        "a\u{A0}b\u{3000}c",
        "😀 x",
        "中文 日本語かな",
        "x\u{B}y",
    ];
    let mut all = docs.clone();
    all.extend(tricky.iter().enumerate().map(|(i, t)| khao::search::Doc {
        url: format!("/t{i}/"),
        title: t.to_string(),
        text: t.to_string(),
        date: None,
    }));
    let docs_file = write_docs(site.path(), &all);
    let rust: String = all
        .iter()
        .map(|d| {
            let pair = json!([
                khao::search::normalize::normalize_str(&d.title),
                khao::search::normalize::normalize_str(&d.text)
            ]);
            format!("{pair}\n")
        })
        .collect();
    let rust_file = site.path().join("rust.jsonl");
    std::fs::write(&rust_file, rust).unwrap();
    ok(&node(&[
        "tests/search/normalize_same.mjs",
        docs_file.to_str().unwrap(),
        rust_file.to_str().unwrap(),
    ]));
}

/// The fixture's documents (made by the shared district-news generator,
/// `gen_corpus.py`, seed 42): url, title, text, date.
fn generated_docs() -> Vec<Value> {
    let gz =
        std::fs::File::open(Path::new(REPO).join("tests/fixtures/search/gen203.json.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

const GEN_SITE: &str = "title: สพม. ทดสอบการค้นหา
base_url: https://www.example.go.th/
news:
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
groups: [กลุ่มอำนวยการ]
";

/// A site of the generated news (their texts as paragraphs) with a search
/// page.
fn generated_site(root: &Path) {
    std::fs::write(root.join("site.yaml"), GEN_SITE).unwrap();
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(
        content.join("search.md"),
        "---\ntitle: ค้นหา\ntemplate: search.html\n---\n",
    )
    .unwrap();
    for d in generated_docs() {
        let url = d["url"].as_str().unwrap();
        let dir = content.join(url.trim_matches('/'));
        std::fs::create_dir_all(&dir).unwrap();
        let body = d["text"].as_str().unwrap().replace('\n', "\n\n");
        let front = format!(
            "---\ntitle: {}\ndate: {}\ncategory: pr\n---\n",
            d["title"],
            d["date"].as_str().unwrap()
        );
        std::fs::write(dir.join("index.md"), front + &body + "\n").unwrap();
    }
}

#[test]
fn a_generated_district_corpus_finds_exactly_what_was_typed_in_node_and_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    generated_site(site);
    let out = run(site, &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = site.join("public");
    let docs = documents(&public);
    assert_eq!(docs.len(), 203, "every news item is indexed");
    let file = write_docs(site, &docs);
    let score = quality(&public, &file, "generated.json");
    assert_eq!(score["absent_with_hits"], 0, "{score}");

    // The search page itself, in Chromium, served as a web server would.
    let chromium = khao::browser::chromium()
        .expect("Chromium is needed for this test (scripts/test installs `chromium`)");
    let server = khao::static_server::StaticServer::start(public.clone(), 0).unwrap();
    let doms = site.join("doms");
    search_pages(&chromium, server.url().trim_end_matches('/'), &doms);
    ok(&node(&[
        "tests/search/browser_check.mjs",
        "--docs",
        file.to_str().unwrap(),
        "--site",
        public.to_str().unwrap(),
        "--doms",
        doms.to_str().unwrap(),
    ]));
}

/// The search page for each query of `queries/browser.json` (present, then
/// absent), as one headless Chromium shows it once the search has answered:
/// `dir/<n>.html`. Driven over the DevTools protocol like khao's own browser
/// step (not `--dump-dom`, whose virtual time can hang on a busy machine).
fn search_pages(chromium: &Path, base: &str, dir: &Path) {
    let file = Path::new(REPO).join("tests/search/queries/browser.json");
    let queries: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let all: Vec<&str> = ["present", "absent"]
        .iter()
        .flat_map(|k| queries[k].as_array().unwrap())
        .map(|q| q.as_str().unwrap())
        .collect();
    let profile = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let args = [
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
    ];
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .port(Some(port))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .idle_browser_timeout(std::time::Duration::from_secs(300))
        .args(args.iter().map(std::ffi::OsStr::new).collect())
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(std::time::Duration::from_secs(120));
    std::fs::create_dir_all(dir).unwrap();
    // Answered: a new document (the last one was marked as left) whose
    // status is neither empty nor the form's "loading" word. Polled, as
    // khao's browser step does: the navigation event can be missed.
    let answered = "(() => { if (window.__left) return false; \
        const s = document.getElementById('k-search-status'); \
        const f = document.getElementById('k-search'); \
        return !!s && !!f && s.textContent !== '' \
        && s.textContent !== f.dataset.loading; })()";
    for (n, q) in all.iter().enumerate() {
        let url = format!("{base}/search/?q={}", percent(q));
        let _ = tab.evaluate("window.__left = true", false);
        tab.navigate_to(&url).unwrap();
        let started = std::time::Instant::now();
        while tab.evaluate(answered, false).ok().and_then(|r| r.value) != Some(json!(true)) {
            assert!(
                started.elapsed().as_secs() < 120,
                "the search page never answered {q}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::fs::write(dir.join(format!("{n}.html")), tab.get_content().unwrap()).unwrap();
    }
}

/// `q` for a URL's query string.
fn percent(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every file of the index, by path.
fn index_files(public: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = public.join(khao::search::output::DIR);
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The index a clean build of `site` writes (its own output and cache).
fn clean_index(site: &Path) -> Vec<(String, Vec<u8>)> {
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(site.join("site.yaml"), copy.path().join("site.yaml")).unwrap();
    crate::util::copy_dir(&site.join("content"), &copy.path().join("content"));
    let out = run(copy.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0));
    index_files(&copy.path().join("public"))
}

#[test]
fn an_incremental_index_is_byte_for_byte_a_clean_one() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    generated_site(site);
    assert_eq!(run(site, &["build"]).status.code(), Some(0));
    let news = |slug: &str| site.join("content/news/2025").join(slug).join("index.md");
    let first = names_in(&site.join("content/news/2025"))
        .into_iter()
        .min()
        .unwrap();
    type Step<'a> = (&'static str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        (
            "an old item's body edited",
            Box::new(|| {
                let path = news(&first);
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text + "\nเพิ่มเติม ภูเขาไฟระเบิด\n").unwrap();
            }),
        ),
        (
            "a new item",
            Box::new(|| {
                let dir = site.join("content/news/2026/brand-new");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(
                    dir.join("index.md"),
                    "---\ntitle: ข่าวใหม่ล่าสุด\ndate: 2026-11-20\ncategory: pr\n---\nประชุมคณะกรรมการสถานศึกษา\n",
                )
                .unwrap();
            }),
        ),
        (
            "an item deleted",
            Box::new(|| std::fs::remove_dir_all(news(&first).parent().unwrap()).unwrap()),
        ),
    ];
    for (what, change) in steps {
        change();
        let out = run(site, &["build"]);
        assert_eq!(out.status.code(), Some(0), "{what}");
        let incremental = index_files(&site.join("public"));
        assert!(
            incremental == clean_index(site),
            "{what}: the index differs from a clean build's"
        );
    }
}

#[test]
fn the_search_page_is_accessible_and_self_hosted() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    std::fs::write(site.join("site.yaml"), GEN_SITE).unwrap();
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::fs::write(
        site.join("content/search.md"),
        "---\ntitle: ค้นหา\ntemplate: search.html\n---\n",
    )
    .unwrap();
    assert_eq!(run(site, &["build"]).status.code(), Some(0));
    let public = site.join("public");
    let page = std::fs::read_to_string(public.join("search/index.html")).unwrap();
    for part in [
        r#"<html lang="th""#,
        r#"role="search""#,
        r#"<label for="k-search-input">"#,
        r#"aria-live="polite""#,
        r#"<ol id="k-search-results""#,
        r#"src="/js/search.js""#,
        r#"data-suggest="หรือหมายถึง""#,
    ] {
        assert!(page.contains(part), "{part}");
    }
    // One search landmark: the header's form is not repeated here.
    assert_eq!(page.matches(r#"role="search""#).count(), 1);
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert_eq!(home.matches(r#"role="search""#).count(), 1);
    // No request leaves the site: no absolute URL in the scripts.
    for js in ["js/search.js", "js/khao-search.js"] {
        let text = std::fs::read_to_string(public.join(js)).unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{js}"
        );
    }
    // An empty site still has an index the page can load.
    assert!(public.join("khao-search/manifest.json").is_file());
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains(r#"role="search" action="/search/""#));
}
