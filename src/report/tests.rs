//! The report counted from a fixture log whose every timestamp was chosen:
//! year and quarter boundaries in Bangkok written both in +07:00 and in UTC,
//! a request received in one fiscal year and published in the next, one
//! needing two corrections (and re-checked unchanged in between), a reused
//! request name, news made by hand with only a date, and damaged lines.

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Asia::Bangkok;

use super::*;

const LOG: &str = include_str!("../../tests/fixtures/service-log.jsonl");

const ADMIN: &str = "กลุ่มอำนวยการ";
const SUPERVISION: &str = "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา";
const ICT: &str = "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร";

fn groups() -> Vec<String> {
    [ADMIN, SUPERVISION, ICT].map(String::from).to_vec()
}

fn categories() -> Vec<Category> {
    [
        ("pr", "ข่าวประชาสัมพันธ์"),
        ("announcement", "ประกาศ"),
        ("procurement", "จัดซื้อจัดจ้าง"),
    ]
    .map(|(slug, name)| Category {
        slug: slug.into(),
        name: name.into(),
    })
    .to_vec()
}

fn item(
    news: &str,
    group: &str,
    category: &str,
    date: (i32, u32, u32),
    accepted: Option<&str>,
) -> NewsItem {
    NewsItem {
        news: news.into(),
        group: group.into(),
        category: category.into(),
        date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
        accepted: accepted.map(|a| DateTime::<FixedOffset>::parse_from_rfc3339(a).unwrap()),
        publish_at: None,
    }
}

/// The site's news. `news/2025/sports-day` is missing on purpose (its
/// group and category then come from the log).
fn news() -> Vec<NewsItem> {
    vec![
        item(
            "news/2025/boundary-old",
            ADMIN,
            "pr",
            (2025, 9, 30),
            Some("2025-10-01T00:00:00+07:00"),
        ),
        item(
            "news/2026/new-year",
            SUPERVISION,
            "announcement",
            (2026, 1, 1),
            Some("2026-01-03T10:05:00+07:00"),
        ),
        item("news/2026/sports-day", ICT, "pr", (2026, 5, 1), None),
        item(
            "news/2026/audit",
            "หน่วยตรวจสอบภายใน",
            "pr",
            (2026, 8, 1),
            Some("2026-08-01T10:00:00+07:00"),
        ),
        // Made by hand, with only a date: published on that date.
        item("news/2026/handmade", "", "procurement", (2026, 2, 14), None),
        // From before the log: published when accepted, not on its date.
        item(
            "news/2025/old-accepted",
            ADMIN,
            "ข่าวประชาสัมพันธ์",
            (2025, 9, 20),
            Some("2025-10-02T08:00:00+07:00"),
        ),
    ]
}

pub(crate) fn fixture_report(fy: i32) -> Report {
    report_of(LOG, &news(), fy)
}

/// The report of `fy` counted from the log `lines` and the site's `news`.
fn report_of(lines: &str, news: &[NewsItem], fy: i32) -> Report {
    let log = ServiceLog::parse(lines.as_bytes());
    let (groups, categories) = (groups(), categories());
    compute(&ReportInput {
        fiscal_year: FiscalYear::new(fy).unwrap(),
        timezone: Bangkok,
        groups: &groups,
        categories: &categories,
        log: &log,
        news,
    })
}

fn flows(rows: &[QuarterRow]) -> Vec<(u32, u32, u32)> {
    rows.iter()
        .map(|q| (q.received, q.accepted, q.published))
        .collect()
}

#[test]
fn totals_of_2569() {
    let r = fixture_report(2569);
    assert_eq!(
        (r.fiscal_year, r.from.to_string(), r.to.to_string()),
        (2569, "2025-10-01".into(), "2026-09-30".into())
    );
    // first-minute (00:00 1 Oct, written in UTC), sports-day, new-year,
    // draft, sports-day again, audit, late. Not boundary-old (23:59 30 Sep)
    // nor next-year (18:00Z 30 Sep = 01:00 1 Oct → 2570).
    assert_eq!(r.received, 7);
    // boundary-old (received the year before), sports-day ×2, new-year, audit.
    assert_eq!(r.accepted, 5);
    // boundary-old, sports-day ×2, new-year, handmade, old-accepted; not
    // audit (never verified live) nor late (live on 1 Oct 2026).
    assert_eq!(r.published, 6);
    // first-minute, draft, late (accepted at 01:00 on 1 Oct: after the year).
    assert_eq!(r.pending, 3);
    // late: its latest verdict within the year found a personal ID.
    assert_eq!(r.rejected, 1);
    assert_eq!(r.log_lines_skipped, 2);
}

#[test]
fn quarters_split_at_midnight_bangkok() {
    let r = fixture_report(2569);
    let numbers: Vec<u8> = r.quarters.iter().map(|q| q.quarter).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    // new-year: seen 23:59:59 31 Dec (Q1), accepted and live in January
    // (Q2); draft: seen at 17:00Z 31 Dec, which is 00:00 1 Jan (Q2).
    assert_eq!(
        flows(&r.quarters),
        [(3, 2, 3), (1, 1, 2), (1, 1, 1), (2, 1, 0)]
    );
}

#[test]
fn received_in_one_year_published_in_the_next() {
    let before = fixture_report(2568);
    assert_eq!(
        (before.received, before.accepted, before.published),
        (1, 0, 0)
    );
    // Its latest verdict by 30 Sep was clean: waiting, not rejected.
    assert_eq!((before.pending, before.rejected), (1, 0));
    assert_eq!(flows(&before.quarters)[3], (1, 0, 0));

    let after = fixture_report(2570);
    assert_eq!((after.received, after.accepted, after.published), (1, 1, 1));
    assert_eq!(after.pending, 1);
    // late: seen 23:00 30 Sep, live 09:00 1 Oct.
    assert_eq!(after.turnaround_hours.median, Some(10.0));
    assert_eq!(after.correction_rounds.mean, Some(1.0));
}

#[test]
fn turnaround_and_correction_rounds() {
    let r = fixture_report(2569);
    // 2 h (sports-day), 8.02 h (boundary-old), 24 h, 60 h (new-year).
    assert_eq!(r.turnaround_hours.count, 4);
    assert_eq!(r.turnaround_hours.median, Some(16.0));
    assert_eq!(r.turnaround_hours.p90, Some(60.0));
    // new-year: bad-date, the same files re-checked (not a round), then
    // missing-field, then clean: 2 rounds; the other four needed none.
    assert_eq!(r.correction_rounds.mean, Some(0.4));
    assert_eq!(r.correction_rounds.max, 2);
    assert_eq!(r.correction_rounds.corrected, 1);
}

#[test]
fn problems_count_once_per_request() {
    let r = fixture_report(2569);
    let rows: Vec<(&str, u32, &str)> = r
        .top_problems
        .iter()
        .map(|p| (p.code.as_str(), p.count, p.severity.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("missing-alt", 2, "warning"),
            ("bad-date", 1, "error"),
            ("missing-field", 1, "error"),
            ("personal-id", 1, "error"),
        ]
    );
}

#[test]
fn groups_in_site_order_then_others_then_unnamed() {
    let r = fixture_report(2569);
    let rows: Vec<(&str, u32, u32, u32)> = r
        .groups
        .iter()
        .map(|g| (g.group.as_str(), g.received, g.accepted, g.published))
        .collect();
    assert_eq!(
        rows,
        [
            (ADMIN, 1, 1, 2),
            (SUPERVISION, 1, 1, 1),
            (ICT, 2, 2, 2),
            ("หน่วยตรวจสอบภายใน", 1, 1, 0),
            ("", 2, 0, 1),
        ]
    );
}

#[test]
fn categories_by_slug_or_thai_name() {
    let r = fixture_report(2569);
    let rows: Vec<(&str, u32, &str)> = r
        .categories
        .iter()
        .map(|c| (c.slug.as_str(), c.published, c.name.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("pr", 4, "ข่าวประชาสัมพันธ์"),
            ("announcement", 1, "ประกาศ"),
            ("procurement", 1, "จัดซื้อจัดจ้าง")
        ]
    );
}

#[test]
fn json_has_specs_keys_in_order() {
    let text = serde_json::to_string(&fixture_report(2569)).unwrap();
    let spec = [
        "fiscal_year",
        "from",
        "to",
        "received",
        "accepted",
        "published",
        "pending",
        "rejected",
        "quarters",
        "groups",
        "categories",
        "turnaround_hours",
        "correction_rounds",
        "top_problems",
    ];
    // Each key's first appearance is the top-level one, in SPEC's order.
    let positions: Vec<usize> = spec
        .iter()
        .map(|k| {
            text.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} missing"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["from"], "2025-10-01");
    assert_eq!(json["quarters"][0]["quarter"], 1);
    for key in ["median", "p90"] {
        assert!(json["turnaround_hours"][key].is_number());
    }
    assert_eq!(json["correction_rounds"]["mean"], 0.4);
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, fixture_report(2569));
}

#[test]
fn an_empty_year_has_rows_but_no_measures() {
    let r = fixture_report(2580);
    assert_eq!((r.received, r.published), (0, 0));
    assert_eq!(r.quarters.len(), 4);
    assert_eq!(r.groups.len(), 3);
    assert_eq!(r.turnaround_hours.median, None);
    assert_eq!(r.correction_rounds.mean, None);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["turnaround_hours"]["median"].is_null());
}

#[test]
fn log_order_does_not_matter() {
    let reversed: String = LOG.lines().rev().map(|l| format!("{l}\n")).collect();
    let log = ServiceLog::parse(reversed.as_bytes());
    let (groups, categories, news) = (groups(), categories(), news());
    let r = compute(&ReportInput {
        fiscal_year: FiscalYear::new(2569).unwrap(),
        timezone: Bangkok,
        groups: &groups,
        categories: &categories,
        log: &log,
        news: &news,
    });
    assert_eq!(r, fixture_report(2569));
}

#[test]
fn html_is_thai_and_self_contained() {
    let r = fixture_report(2569);
    let now = "2026-11-20T09:15:00+07:00"
        .parse::<DateTime<FixedOffset>>()
        .unwrap()
        .with_timezone(&Bangkok);
    let page = html(
        &r,
        "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา <ทดสอบ>",
        &categories(),
        now,
    );
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"th\">"));
    assert!(page.contains("1 ตุลาคม 2568 – 30 กันยายน 2569"));
    assert!(page.contains("ข้อมูล ณ วันที่ 20 พฤศจิกายน 2569 เวลา 09:15 น."));
    assert!(page.contains("นับตามเวลาประเทศไทย"));
    assert!(page.contains("@page { size: A4;"));
    assert!(page.contains(r#"font-family: "Sarabun", "TH Sarabun New", sans-serif"#));
    assert!(page.contains("&lt;ทดสอบ&gt;") && !page.contains("<ทดสอบ>"));
    assert_eq!(page.matches("<svg").count(), 2);
    assert_eq!(page.matches("role=\"img\"").count(), 2);
    assert!(page.contains("ณ สิ้นปีงบประมาณ"));
    // Self-contained: its only url() are the fonts it carries.
    let without_fonts = page.replace("url(data:font/woff2;base64,", "");
    for outside in ["src=", "href=", "@import", "url("] {
        assert!(
            !without_fonts.contains(outside),
            "the page must not load {outside}"
        );
    }
}

fn sample_page() -> String {
    let now = "2026-11-20T09:15:00+07:00"
        .parse::<DateTime<FixedOffset>>()
        .unwrap()
        .with_timezone(&Bangkok);
    html(
        &fixture_report(2569),
        "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา & ทดสอบ",
        &categories(),
        now,
    )
}

/// The Nu HTML Checker's jar, where `scripts/test` installs it.
fn vnu_jar() -> std::path::PathBuf {
    let jar = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vendor/node/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "{} is missing: run scripts/test",
        jar.display()
    );
    jar
}

#[test]
fn html_passes_the_nu_checker() {
    let dir = std::env::temp_dir().join(format!("khao-report-vnu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fy2569.html");
    std::fs::write(&file, sample_page()).unwrap();
    // An empty year too: no problems table, no measures.
    let empty = dir.join("fy2580.html");
    let now = chrono::Utc::now().with_timezone(&Bangkok);
    std::fs::write(&empty, html(&fixture_report(2580), "สพม.", &[], now)).unwrap();
    let out = std::process::Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .arg("--errors-only")
        .arg(&file)
        .arg(&empty)
        .output()
        .expect("java runs (apt-get install default-jre-headless)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "vnu:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn csv_has_a_bom_and_parses_back() {
    let report = fixture_report(2569);
    let bytes = csv(&report);
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "ส่วน", "the BOM is not part of the first header");
    assert_eq!(header.len(), 8);
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |section: &str, key: &str| {
        rows.iter()
            .find(|r| &r[0] == section && &r[1] == key)
            .unwrap_or_else(|| panic!("no row {section}/{key}"))
    };
    let total = find("ภาพรวม", "total");
    assert_eq!((&total[3], &total[4], &total[5]), ("7", "5", "6"));
    assert_eq!(&find("ภาพรวม", "pending")[6], "3");
    assert_eq!(&find("ภาพรวม", "turnaround_median")[6], "16");
    assert_eq!(&find("ภาพรวม", "correction_rounds_mean")[6], "0.4");
    let q2 = find("ไตรมาส", "Q2");
    assert_eq!((&q2[2], &q2[3], &q2[5]), ("ไตรมาส 2 (ม.ค.–มี.ค.)", "1", "2"));
    let unnamed = find("กลุ่มงาน", "");
    assert_eq!((&unnamed[2], &unnamed[3]), ("ไม่ระบุกลุ่มงาน", "2"));
    let pr = find("หมวดข่าว", "pr");
    assert_eq!((&pr[2], &pr[3], &pr[5]), ("ข่าวประชาสัมพันธ์", "", "4"));
    assert_eq!(&find("ปัญหาที่พบบ่อย", "missing-alt")[6], "2");
    let sections: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(sections.iter().filter(|s| **s == "ไตรมาส").count(), 4);
    // A measure that cannot be taken is an empty cell, not 0.
    let empty = csv(&fixture_report(2580));
    let mut reader = ::csv::Reader::from_reader(empty.as_slice());
    let median = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "turnaround_median")
        .unwrap();
    assert_eq!(&median[6], "");
}

#[test]
fn a_withdrawn_request_is_not_pending_and_an_old_one_is_carried_over() {
    let lines = r#"{"at":"2025-09-01T09:00:00+07:00","event":"seen","request":"old"}
{"at":"2026-02-01T09:00:00+07:00","event":"seen","request":"gone"}
{"at":"2026-02-01T09:01:00+07:00","event":"checked","request":"gone","ok":false,"errors":["unknown-group"]}
{"at":"2026-02-05T09:00:00+07:00","event":"withdrawn","request":"gone"}
{"at":"2026-03-01T09:00:00+07:00","event":"seen","request":"gone"}
{"at":"2026-09-01T09:00:00+07:00","event":"seen","request":"gone-late"}
{"at":"2026-10-05T09:00:00+07:00","event":"withdrawn","request":"gone-late"}"#;
    let r = report_of(lines, &[], 2568);
    assert_eq!(
        (r.received, r.pending, r.withdrawn, r.carried_over),
        (1, 1, 0, 0)
    );
    // gone (withdrawn), gone again (a new request, waiting), gone-late
    // (withdrawn only after the year's end: pending at it); old came from
    // the year before.
    let r = report_of(lines, &[], 2569);
    assert_eq!((r.received, r.pending, r.rejected), (3, 2, 0));
    assert_eq!((r.withdrawn, r.carried_over), (1, 1));
    // gone-late is withdrawn by this year's end: no longer carried.
    let r = report_of(lines, &[], 2570);
    assert_eq!((r.received, r.withdrawn, r.carried_over), (0, 0, 2));
}

#[test]
fn news_taken_in_that_the_log_lacks_are_counted_apart() {
    let lost = item(
        "news/2026/lost",
        ADMIN,
        "pr",
        (2026, 2, 1),
        Some("2026-02-01T10:00:00+07:00"),
    );
    let r = report_of("", &[lost], 2569);
    assert_eq!((r.accepted, r.unlogged), (0, 1));
}

#[test]
fn the_wait_a_requester_asked_for_is_not_the_services() {
    let lines = r#"{"at":"2026-01-05T10:00:00+07:00","event":"seen","request":"e"}
{"at":"2026-01-05T11:00:00+07:00","event":"accepted","request":"e","news":"news/2026/e"}
{"at":"2026-01-15T08:30:00+07:00","event":"live","news":"news/2026/e"}"#;
    let mut e = item("news/2026/e", ADMIN, "pr", (2026, 1, 15), None);
    e.publish_at = Some(DateTime::parse_from_rfc3339("2026-01-15T08:00:00+07:00").unwrap());
    let r = report_of(lines, &[e], 2569);
    assert_eq!(r.turnaround_hours.median, Some(0.5));
}
