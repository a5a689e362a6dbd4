//! The report as a CSV file for Excel or LibreOffice: UTF-8 with a BOM (so
//! Excel on Windows reads the Thai), CRLF line ends, and one table with
//! one header row, so a filter or a pivot table works on it at once.
//!
//! Columns (header in Thai):
//!
//! | # | header | holds |
//! |---|---|---|
//! | 1 | ส่วน | the part of the report: ภาพรวม, ไตรมาส, กลุ่มงาน, หมวดข่าว, ปัญหาที่พบบ่อย |
//! | 2 | รหัส | a stable key for formulas: `total`, `pending`, `Q1`…`Q4`, the group name, the category slug, the diagnostic code |
//! | 3 | รายการ | what a person reads: the Thai label |
//! | 4–6 | รับคำขอ, รับเข้าดำเนินการ, เผยแพร่ | the flow counts, where the row has them |
//! | 7–8 | ค่า, หน่วย | any other single figure and its unit (ชั่วโมง, รอบ, เรื่อง, คำขอ) |
//!
//! A cell with nothing to say is empty (a figure that cannot be measured,
//! such as a turnaround with no news, is empty too, never 0). Numbers are
//! plain (`26.5`, no thousands separator) so the spreadsheet sees numbers.

use super::Report;
use super::thai::{problem_label, quarter_months, quarter_name, thai_date};
use crate::fiscal::Quarter;

const HEADER: [&str; 8] = [
    "ส่วน",
    "รหัส",
    "รายการ",
    "รับคำขอ",
    "รับเข้าดำเนินการ",
    "เผยแพร่",
    "ค่า",
    "หน่วย",
];

/// One row: section, key, label, received, accepted, published, value, unit.
type Row = [String; 8];

fn row(section: &str, key: &str, label: &str) -> Row {
    let mut r: Row = Default::default();
    r[0] = section.to_string();
    r[1] = key.to_string();
    r[2] = label.to_string();
    r
}

fn flow(mut r: Row, received: Option<u32>, accepted: Option<u32>, published: Option<u32>) -> Row {
    let cell = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    r[3] = cell(received);
    r[4] = cell(accepted);
    r[5] = cell(published);
    r
}

fn value(mut r: Row, value: Option<String>, unit: &str) -> Row {
    r[6] = value.unwrap_or_default();
    r[7] = unit.to_string();
    r
}

/// The CSV bytes of the report (see the file's documentation for the layout).
pub fn csv(report: &Report) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(&mut out);
    let rows = std::iter::once(HEADER.map(String::from))
        .chain(overview(report))
        .chain(quarters(report))
        .chain(groups(report))
        .chain(categories(report))
        .chain(problems(report));
    for r in rows {
        // Writing to a Vec cannot fail, and every row has the same width.
        writer.write_record(&r).expect("CSV into memory");
    }
    writer.flush().expect("CSV into memory");
    drop(writer);
    out
}

fn overview(r: &Report) -> Vec<Row> {
    const S: &str = "ภาพรวม";
    let t = &r.turnaround_hours;
    let n = |v: u32| Some(v.to_string());
    let f = |v: Option<f64>| v.map(|x| x.to_string());
    let period = format!(
        "ปีงบประมาณ พ.ศ. {} ({} – {})",
        r.fiscal_year,
        thai_date(r.from),
        thai_date(r.to)
    );
    vec![
        value(row(S, "fiscal_year", &period), n(r.fiscal_year as u32), ""),
        flow(
            row(S, "total", "รวมทั้งปี"),
            Some(r.received),
            Some(r.accepted),
            Some(r.published),
        ),
        value(row(S, "pending", "ค้างดำเนินการ"), n(r.pending), "เรื่อง"),
        value(
            row(S, "rejected", "ค้างดำเนินการ: รอผู้ขอแก้ไขข้อมูล"),
            n(r.rejected),
            "เรื่อง",
        ),
        value(
            row(S, "carried_over", "ค้างจากปีงบประมาณก่อน"),
            n(r.carried_over),
            "เรื่อง",
        ),
        value(
            row(S, "withdrawn", "ผู้ขอถอนคำขอก่อนรับเข้า"),
            n(r.withdrawn),
            "เรื่อง",
        ),
        value(
            row(S, "turnaround_median", "ระยะเวลารับคำขอถึงเผยแพร่ (มัธยฐาน)"),
            f(t.median),
            "ชั่วโมง",
        ),
        value(
            row(S, "turnaround_p90", "ข่าวร้อยละ 90 เผยแพร่ภายใน"),
            f(t.p90),
            "ชั่วโมง",
        ),
        value(
            row(S, "turnaround_count", "จำนวนข่าวที่วัดระยะเวลา"),
            n(t.count),
            "เรื่อง",
        ),
        value(
            row(S, "correction_rounds_mean", "รอบการแก้ไขเฉลี่ยต่อคำขอ"),
            f(r.correction_rounds.mean),
            "รอบ",
        ),
        value(
            row(S, "log_lines_skipped", "บรรทัดบันทึกที่อ่านไม่ได้"),
            n(r.log_lines_skipped),
            "บรรทัด",
        ),
        value(
            row(S, "unlogged", "ข่าวที่รับเข้าแต่ไม่มีในบันทึก"),
            n(r.unlogged),
            "เรื่อง",
        ),
    ]
}

fn quarters(r: &Report) -> Vec<Row> {
    r.quarters
        .iter()
        .filter_map(|q| {
            let quarter = Quarter::from_number(q.quarter)?;
            let label = format!("{} ({})", quarter_name(quarter), quarter_months(quarter));
            let key = format!("Q{}", q.quarter);
            Some(flow(
                row("ไตรมาส", &key, &label),
                Some(q.received),
                Some(q.accepted),
                Some(q.published),
            ))
        })
        .collect()
}

fn groups(r: &Report) -> Vec<Row> {
    r.groups
        .iter()
        .map(|g| {
            let label = if g.group.is_empty() {
                "ไม่ระบุกลุ่มงาน"
            } else {
                &g.group
            };
            flow(
                row("กลุ่มงาน", &g.group, label),
                Some(g.received),
                Some(g.accepted),
                Some(g.published),
            )
        })
        .collect()
}

fn categories(r: &Report) -> Vec<Row> {
    r.categories
        .iter()
        .map(|c| {
            let label = match (c.name.as_str(), c.slug.as_str()) {
                ("", "") => "ไม่ระบุหมวด",
                ("", slug) => slug,
                (name, _) => name,
            };
            flow(
                row("หมวดข่าว", &c.slug, label),
                None,
                None,
                Some(c.published),
            )
        })
        .collect()
}

fn problems(r: &Report) -> Vec<Row> {
    r.top_problems
        .iter()
        .map(|p| {
            let severity = if p.severity == "error" {
                "ต้องแก้ไข"
            } else {
                "ข้อแนะนำ"
            };
            let label = format!("{} ({severity})", problem_label(&p.code).unwrap_or(&p.code));
            value(
                row("ปัญหาที่พบบ่อย", &p.code, &label),
                Some(p.count.to_string()),
                "คำขอ",
            )
        })
        .collect()
}
