//! The service report, the fiscal-year archives and the OIT page, as the
//! officer meets them: `khao report` on a site whose service log has
//! chosen timestamps, archives across the 30 September / 1 October
//! boundary, `ita-broken-link` and `ita-empty` in a build, and `khao ita`
//! against a local web server that answers 200, 404, 301 → 200 and never.

use std::path::Path;

use serde_json::Value;

use crate::util::{REPO, run};

const SITE_YAML: &str = "title: สพม. ทดสอบรายงาน
base_url: https://www.example.go.th/
news:
  per_page: 2
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
    - { slug: announcement, name: ประกาศ }
    - { slug: procurement, name: จัดซื้อจัดจ้าง }
groups:
  - กลุ่มอำนวยการ
  - กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา
  - กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร
";

fn news(site: &Path, dir: &str, front: &str) {
    let d = site.join("content").join(dir);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("index.md"), format!("---\n{front}---\nเนื้อข่าว\n")).unwrap();
}

/// The report module's fixture site: its log and its news, as files.
fn report_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::write(site.join("site.yaml"), SITE_YAML).unwrap();
    std::fs::create_dir_all(site.join("records")).unwrap();
    std::fs::copy(
        Path::new(REPO).join("tests/fixtures/service-log.jsonl"),
        site.join("records/service-log.jsonl"),
    )
    .unwrap();
    let admin = "กลุ่มอำนวยการ";
    let sup = "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา";
    let ict = "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร";
    let item = |dir: &str, title: &str, group: &str, cat: &str, date: &str, acc: Option<&str>| {
        let mut front = format!("title: {title}\ndate: {date}\ncategory: {cat}\n");
        if !group.is_empty() {
            front.push_str(&format!("requester:\n  group: {group}\n"));
        }
        if let Some(a) = acc {
            front.push_str(&format!("accepted: {a}\n"));
        }
        news(site, dir, &front);
    };
    item(
        "news/2025/boundary-old",
        "ประชุมผู้บริหาร",
        admin,
        "pr",
        "2025-09-30",
        Some("2025-10-01T00:00:00+07:00"),
    );
    item(
        "news/2026/new-year",
        "ประกาศปีใหม่",
        sup,
        "announcement",
        "2026-01-01",
        Some("2026-01-03T10:05:00+07:00"),
    );
    item(
        "news/2026/sports-day",
        "กีฬาสี",
        ict,
        "pr",
        "2026-05-01",
        None,
    );
    item(
        "news/2026/audit",
        "ตรวจสอบภายใน",
        "",
        "pr",
        "2026-08-01",
        Some("2026-08-01T10:00:00+07:00"),
    );
    item(
        "news/2026/handmade",
        "ประกาศจัดซื้อ",
        "",
        "procurement",
        "2026-02-14",
        None,
    );
    item(
        "news/2025/old-accepted",
        "ข่าวเก่า",
        admin,
        "pr",
        "2025-09-20",
        Some("2025-10-02T08:00:00+07:00"),
    );
    dir
}

fn json(out: &std::process::Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "not one JSON object ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn report_counts_the_fiscal_year_and_writes_html_and_csv() {
    let dir = report_site();
    let site = dir.path();
    let out = run(site, &["report", "--fy", "2569", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["fiscal_year"], 2569);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2025-10-01"), Some("2026-09-30"))
    );
    let figures: Vec<i64> = ["received", "accepted", "published", "pending", "rejected"]
        .iter()
        .map(|k| r[k].as_i64().unwrap())
        .collect();
    assert_eq!(figures, [7, 5, 6, 3, 1]);
    // Midnight in Bangkok splits the quarters.
    let quarters: Vec<(i64, i64)> = r["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["received"].as_i64().unwrap(),
                q["published"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(quarters, [(3, 3), (1, 2), (1, 1), (2, 0)]);
    assert_eq!(r["turnaround_hours"]["median"], 16.0);
    assert_eq!(r["turnaround_hours"]["p90"], 60.0);
    assert_eq!(r["correction_rounds"]["mean"], 0.4);
    assert_eq!(r["top_problems"][0]["code"], "missing-alt");

    // Received in 2569 and published in 2570 counts in each year once.
    let next = json(&run(site, &["report", "--fy", "2570", "--format", "json"]));
    assert_eq!(
        (next["received"].as_i64(), next["published"].as_i64()),
        (Some(1), Some(1))
    );

    let html = std::fs::read_to_string(site.join("records/reports/fy2569.html")).unwrap();
    // Its Thai font travels with it: printed where none is installed.
    assert!(
        html.contains("src: url(data:font/woff2;base64,"),
        "Sarabun embedded"
    );
    assert!(
        html.contains("ปีงบประมาณ") && html.contains("<svg"),
        "Thai, with charts"
    );
    let csv_bytes = std::fs::read(site.join("records/reports/fy2569.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&csv_bytes[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.len() > 10, "{} rows", rows.len());

    // A Common-Era year is refused with the Buddhist-Era one to use.
    let out = run(site, &["report", "--fy", "2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2569"));
    let out = run(site, &["report", "--fy", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "usage", "a bad command-line value");
    // People get the figures and where the files are.
    let out = run(site, &["report", "--fy", "2569"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("รับคำขอ 7") && text.contains("fy2569.html"),
        "{text}"
    );
}

/// News dated on each side of both boundaries a fiscal year has.
/// The HTML and the CSV are both written or neither: a CSV that cannot
/// be replaced leaves the HTML as it was.
#[test]
fn a_report_file_that_cannot_be_replaced_leaves_both_as_they_were() {
    let dir = report_site();
    let site = dir.path();
    let csv = site.join("records/reports/fy2569.csv");
    std::fs::create_dir_all(&csv).unwrap();
    let out = run(site, &["report", "--fy", "2569"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fy2569.csv"));
    assert!(!site.join("records/reports/fy2569.html").exists());
}

fn archive_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::write(site.join("site.yaml"), SITE_YAML).unwrap();
    for (slug, date, cat) in [
        ("last-of-2568", "2025-09-30", "pr"),
        ("first-of-2569", "2025-10-01", "pr"),
        ("new-year-eve", "2025-12-31", "announcement"),
        ("new-year", "2026-01-01", "pr"),
        ("last-of-2569", "2026-09-30", "procurement"),
        ("first-of-2570", "2026-10-01", "pr"),
    ] {
        let year = &date[..4];
        news(
            site,
            &format!("news/{year}/{slug}"),
            &format!("title: ข่าว {slug}\ndate: {date}\ncategory: {cat}\n"),
        );
    }
    dir
}

/// The news pages an archive page links, in order.
fn listed(site: &Path, page: &str) -> Vec<String> {
    let html = std::fs::read_to_string(site.join("public").join(page).join("index.html"))
        .unwrap_or_else(|e| panic!("{page}: {e}"));
    let mut found = Vec::new();
    for part in html.split("href=\"/news/20").skip(1) {
        let url = format!("/news/20{}", &part[..part.find('"').unwrap()]);
        if !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

#[test]
fn archives_list_exactly_the_news_of_their_fiscal_year() {
    let dir = archive_site();
    let site = dir.path();
    let out = run(site, &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listed(site, "news/fy/2568"), ["/news/2025/last-of-2568/"]);
    // Four news, two a page, newest first; the older page is cut from the
    // oldest (page/1/), so it stays put as news arrive.
    assert_eq!(
        listed(site, "news/fy/2569"),
        ["/news/2026/last-of-2569/", "/news/2026/new-year/"]
    );
    assert_eq!(
        listed(site, "news/fy/2569/page/1"),
        ["/news/2025/new-year-eve/", "/news/2025/first-of-2569/"]
    );
    assert_eq!(listed(site, "news/fy/2570"), ["/news/2026/first-of-2570/"]);
    assert_eq!(
        listed(site, "category/pr/fy/2569"),
        ["/news/2026/new-year/", "/news/2025/first-of-2569/"]
    );
    assert_eq!(
        listed(site, "category/procurement/fy/2569"),
        ["/news/2026/last-of-2569/"]
    );
    assert!(!site.join("public/category/procurement/fy/2568").exists());
    // The list pages link the archives.
    let list = std::fs::read_to_string(site.join("public/news/index.html")).unwrap();
    for year in ["2568", "2569", "2570"] {
        assert!(
            list.contains(&format!("href=\"/news/fy/{year}/\"")),
            "{year}"
        );
    }
    let pr = std::fs::read_to_string(site.join("public/category/pr/index.html")).unwrap();
    assert!(pr.contains("href=\"/category/pr/fy/2569/\""));
    let archive = std::fs::read_to_string(site.join("public/news/fy/2569/index.html")).unwrap();
    assert!(archive.contains("1 ตุลาคม 2568 – 30 กันยายน 2569"));
    let sitemap = std::fs::read_to_string(site.join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("/news/fy/2569/"));
}

const ITA_YAML: &str = "fiscal_year: 2569
items:
  - code: O1
    title: โครงสร้าง
    links:
      - { title: ข่าวทั้งหมด, url: /news/ }
  - code: O2
    title: ข้อมูลผู้บริหาร
  - code: O7
    title: ข่าวประชาสัมพันธ์
    links:
      - { title: ข่าวปีงบประมาณ 2569, url: /news/fy/2569/ }
      - { title: ประกาศจัดซื้อจัดจ้าง 2568, url: /category/procurement/fy/2568/ }
      - { title: แผนจัดซื้อ, url: /files/plan.pdf }
";

#[test]
fn the_oit_page_and_its_build_checks() {
    let dir = archive_site();
    let site = dir.path();
    std::fs::create_dir_all(site.join("content/files")).unwrap();
    std::fs::write(site.join("content/files/plan.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    std::fs::write(site.join("ita.yaml"), ITA_YAML).unwrap();
    let (code, v) = crate::util::build_json(site);
    assert_eq!(code, 0, "{v}");
    let problems: Vec<(String, String)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["page"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // O2 has no link; the procurement archive of 2568 exists, empty.
    assert_eq!(
        problems,
        [
            ("ita-empty".to_string(), "ita.yaml:7".to_string()),
            ("ita-empty".to_string(), "ita.yaml:13".to_string()),
        ]
    );
    let page = std::fs::read_to_string(site.join("public/ita/index.html")).unwrap();
    assert!(
        page.contains("<table") && page.contains("O7") && page.contains("href=\"/news/fy/2569/\"")
    );
    // A document only ita.yaml links is published.
    assert!(site.join("public/files/plan.pdf").is_file());
    let empty =
        std::fs::read_to_string(site.join("public/category/procurement/fy/2568/index.html"))
            .unwrap();
    assert!(empty.contains("noindex") && empty.contains("ยังไม่มีข่าวในปีงบประมาณนี้"));

    // A link to nothing the build wrote fails the build, at its line.
    std::fs::write(
        site.join("ita.yaml"),
        ITA_YAML.replace("/news/fy/2569/", "/news/fy2569/"),
    )
    .unwrap();
    let (code, v) = crate::util::build_json(site);
    assert_eq!(code, 1, "{v}");
    let broken: Vec<&Value> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "ita-broken-link")
        .collect();
    assert_eq!(broken.len(), 1, "{v}");
    assert_eq!(broken[0]["page"], "ita.yaml:12");
    assert!(
        broken[0]["message"]
            .as_str()
            .unwrap()
            .contains("/news/fy2569/")
    );

    // A misspelt key is named with the key meant.
    std::fs::write(
        site.join("ita.yaml"),
        ITA_YAML.replace("    title: โครงสร้าง", "    titel: โครงสร้าง"),
    )
    .unwrap();
    let (code, v) = crate::util::build_json(site);
    assert_eq!(code, 1, "{v}");
    let p = &v["problems"][0];
    assert_eq!(
        (p["code"].as_str(), p["line"].as_i64()),
        (Some("ita-yaml"), Some(4))
    );
    assert!(p["message"].as_str().unwrap().contains("\"title\""), "{p}");
}

/// A web server on loopback: `/ok` 200, `/missing` 404, `/moved` 301 to
/// `/ok`, `/slow` never answers.
fn web_server() -> (
    String,
    std::thread::JoinHandle<()>,
    std::sync::Arc<tiny_http::Server>,
) {
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let addr = server.server_addr().to_ip().unwrap();
    let s = std::sync::Arc::clone(&server);
    let thread = std::thread::spawn(move || {
        let mut held = Vec::new();
        for request in s.incoming_requests() {
            let (status, location) = match request.url() {
                "/ok" => (200, None),
                "/moved" => (301, Some("/ok")),
                "/slow" => {
                    held.push(request);
                    continue;
                }
                _ => (404, None),
            };
            let mut response = tiny_http::Response::from_string("x").with_status_code(status);
            if let Some(to) = location {
                response.add_header(tiny_http::Header::from_bytes("Location", to).unwrap());
            }
            let _ = request.respond(response);
        }
    });
    (format!("http://{addr}"), thread, server)
}

#[test]
fn khao_ita_fetches_every_link_and_fails_on_any() {
    let dir = archive_site();
    let site = dir.path();
    let (base, thread, server) = web_server();
    let yaml = format!(
        "fiscal_year: 2569
items:
  - code: O1
    title: โครงสร้าง
    links:
      - {{ title: ในเว็บไซต์, url: /news/fy/2569/ }}
      - {{ title: ที่อยู่เต็มของเว็บไซต์นี้, url: 'https://www.example.go.th/news/' }}
  - code: O9
    title: Social Network
    links:
      - {{ title: ตอบ, url: '{base}/ok' }}
      - {{ title: ย้ายแล้ว, url: '{base}/moved' }}
      - {{ title: ไม่มี, url: '{base}/missing' }}
      - {{ title: ช้า, url: '{base}/slow' }}
  - code: O10
    title: ยังไม่มี
"
    );
    std::fs::write(site.join("ita.yaml"), yaml).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--site", site.to_str().unwrap(), "ita", "--format", "json"])
        .env("KHAO_ITA_TIMEOUT", "2")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["failed"], 2, "{v}");
    let links: Vec<(String, bool, Value, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["links"].as_array().unwrap().clone())
        .map(|l| {
            (
                l["title"].as_str().unwrap().to_string(),
                l["ok"].as_bool().unwrap(),
                l["status"].clone(),
                l["checked"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |t: &str, ok: bool, status: Value, checked: &str| {
        (t.to_string(), ok, status, checked.to_string())
    };
    assert_eq!(
        links,
        [
            expect("ในเว็บไซต์", true, Value::Null, "built"),
            expect("ที่อยู่เต็มของเว็บไซต์นี้", true, Value::Null, "built"),
            expect("ตอบ", true, 200.into(), "external"),
            expect("ย้ายแล้ว", true, 200.into(), "external"),
            expect("ไม่มี", false, 404.into(), "external"),
            expect("ช้า", false, Value::Null, "external"),
        ]
    );
    let slow = &v["items"][1]["links"][3];
    assert_eq!(slow["error"], "timeout");
    assert_eq!(v["items"][2]["links"].as_array().unwrap().len(), 0);

    // People get a Thai table.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--site", site.to_str().unwrap(), "ita"])
        .env("KHAO_ITA_TIMEOUT", "1")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    for words in [
        "ข้อ",
        "ผล",
        "✓ ตอบ 200",
        "✗ ตอบ 404",
        "ไม่ตอบภายในเวลาที่กำหนด",
        "ยังไม่มีลิงก์",
        "มีในเว็บไซต์",
    ] {
        assert!(table.contains(words), "{words}:\n{table}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("ใช้ไม่ได้ 2 จาก 6"));
    server.unblock();
    let _ = thread.join();
}

#[test]
fn the_example_site_ships_an_oit_page() {
    let text = std::fs::read_to_string(Path::new(REPO).join("ita.yaml")).unwrap();
    let ita = khao::ita::ItaPage::parse(&text).unwrap();
    assert_eq!(ita.fiscal_year, 2569);
    assert!(ita.items.len() >= 30);
    assert!(
        ita.items.iter().any(|i| i.links.is_empty()),
        "items the office has yet to publish"
    );
}

#[test]
fn publish_checks_the_oit_page_live_and_keeps_the_release() {
    let dir = archive_site();
    let site = dir.path();
    let yaml = format!("{SITE_YAML}deploy:\n  target: live\n");
    std::fs::write(site.join("site.yaml"), yaml).unwrap();
    let (base, thread, server) = web_server();
    let ita = format!(
        "fiscal_year: 2569
items:
  - code: O7
    title: ข่าวประชาสัมพันธ์
    links:
      - {{ title: ข่าวปีงบประมาณ 2569, url: /news/fy/2569/ }}
      - {{ title: เว็บไซต์ภายนอกที่หายไป, url: '{base}/missing' }}
"
    );
    std::fs::write(site.join("ita.yaml"), ita).unwrap();
    std::fs::create_dir_all(site.join("requests")).unwrap();
    let out = run(site, &["publish", "--format", "json"]);
    // The external link is reported; the release stays.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["rolled_back"], false, "{v}");
    assert_eq!(v["ita"]["failed"], 1, "{v}");
    let links = &v["ita"]["items"][0]["links"];
    assert_eq!(
        (links[0]["checked"].as_str(), links[0]["status"].as_i64()),
        (Some("live"), Some(200))
    );
    assert_eq!(links[1]["status"], 404);
    assert!(site.join("live/current/news/fy/2569/index.html").is_file());
    server.unblock();
    let _ = thread.join();
}
