//! The report as a Thai HTML page for the office's files: one A4-printable
//! document with no outside requests (fonts named, not fetched; charts as
//! inline SVG), valid HTML5 for the Nu checker.

use std::fmt::Write;

use chrono::DateTime;
use chrono_tz::Tz;

use super::thai::{
    decimal, number, problem_label, quarter_months, quarter_name, thai_date, thai_date_time,
};
use super::{Category, Report, chart};
use crate::fiscal::Quarter;
use crate::markdown::escape;

/// Sarabun, the theme's font, in the report itself: the report is handed
/// on and printed on machines without a Thai font (a server's Chromium
/// printed boxes), and Thai official documents are set in it.
fn embedded_fonts() -> String {
    use base64::Engine as _;
    const THAI: &str = "U+02D7,U+0303,U+0331,U+0E01-0E5B,U+200C-200D,U+25CC";
    const LATIN: &str = "U+0000-00FF,U+2000-206F,U+2212";
    let faces: [(&[u8], u16, &str); 4] = [
        (
            include_bytes!("../../themes/default/static/fonts/sarabun-thai-400-normal.woff2"),
            400,
            THAI,
        ),
        (
            include_bytes!("../../themes/default/static/fonts/sarabun-latin-400-normal.woff2"),
            400,
            LATIN,
        ),
        (
            include_bytes!("../../themes/default/static/fonts/sarabun-thai-700-normal.woff2"),
            700,
            THAI,
        ),
        (
            include_bytes!("../../themes/default/static/fonts/sarabun-latin-700-normal.woff2"),
            700,
            LATIN,
        ),
    ];
    let mut css = String::new();
    for (bytes, weight, range) in faces {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        let _ = writeln!(
            css,
            "@font-face {{ font-family: \"Sarabun\"; font-weight: {weight}; \
             src: url(data:font/woff2;base64,{data}) format(\"woff2\"); unicode-range: {range}; }}"
        );
    }
    css
}

/// The service this report accounts for, as the work manual names it.
const SERVICE: &str = "การบริการเผยแพร่ประชาสัมพันธ์ข่าวสารผ่านเว็บไซต์หน่วยงาน";

const STYLE: &str = r#"@page { size: A4; margin: 15mm 15mm 15mm 20mm; }
html { font-family: "Sarabun", "TH Sarabun New", sans-serif; font-size: 12pt; line-height: 1.5; color: #000; background: #fff; }
body { max-width: 180mm; margin: 0 auto; padding: 8mm 4mm; }
header { text-align: center; margin-bottom: 1em; }
header p { margin: 0.2em 0; }
h1 { font-size: 17pt; margin: 0.3em 0; line-height: 1.3; }
h2 { font-size: 14pt; margin: 1.2em 0 0.4em; border-bottom: 1px solid #888; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { border: 1px solid #888; padding: 2pt 6pt; text-align: left; vertical-align: top; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { background: #e8eef6; }
tfoot th, tfoot td { font-weight: bold; background: #f4f4f4; }
tr, figure { break-inside: avoid; }
figure { margin: 0.4em 0 1em; }
figure svg { display: block; width: 100%; height: auto; }
svg text { font-family: "Sarabun", "TH Sarabun New", sans-serif; }
figcaption { text-align: center; font-size: 11pt; }
dl { font-size: 11pt; }
dt { font-weight: bold; }
dd { margin: 0 0 0.4em 1.5em; }
.note { font-size: 11pt; }
@media print {
  body { max-width: none; padding: 0; }
  thead th, tfoot th, tfoot td { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

/// The whole page. `categories` gives the Thai names of the slugs in the
/// report; `generated_at` (site timezone) is printed under the title and
/// decides whether pending counts are "at the year's end" or "so far".
pub fn html(
    report: &Report,
    office_name: &str,
    categories: &[Category],
    generated_at: DateTime<Tz>,
) -> String {
    let title = format!(
        "รายงานผลการให้บริการ ปีงบประมาณ {} — {}",
        report.fiscal_year,
        escape(office_name)
    );
    let year_closed = generated_at.date_naive() > report.to;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{fonts}{STYLE}</style>\n</head>\n<body>\n",
        fonts = embedded_fonts()
    );
    let _ = write!(
        page,
        "<header>\n<p>{office}</p>\n<h1>รายงานผลการให้บริการ<br>{SERVICE}</h1>\n\
         <p>ปีงบประมาณ พ.ศ. {fy} ({from} – {to})</p>\n\
         <p class=\"note\">ข้อมูล ณ วันที่ {now} จากบันทึกการให้บริการของโปรแกรม khao</p>\n</header>\n<main>\n",
        office = escape(office_name),
        fy = report.fiscal_year,
        from = thai_date(report.from),
        to = thai_date(report.to),
        now = thai_date_time(generated_at.naive_local()),
    );
    summary(&mut page, report, year_closed);
    quarters(&mut page, report);
    groups(&mut page, report);
    categories_section(&mut page, report, categories);
    problems(&mut page, report);
    notes(&mut page, year_closed, generated_at.timezone());
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn summary(page: &mut String, r: &Report, year_closed: bool) {
    let when = if year_closed {
        "ณ สิ้นปีงบประมาณ"
    } else {
        "ณ วันที่จัดทำรายงาน"
    };
    let t = &r.turnaround_hours;
    let rows = [
        ("รับคำขอเผยแพร่ข่าว", number(r.received), "เรื่อง"),
        (
            "รับเข้าดำเนินการ (ข้อมูลถูกต้องครบถ้วน)",
            number(r.accepted),
            "เรื่อง",
        ),
        (
            "เผยแพร่บนเว็บไซต์ (ตรวจสอบการแสดงผลแล้ว)",
            number(r.published),
            "เรื่อง",
        ),
        (
            &format!("ค้างดำเนินการ {when}") as &str,
            number(r.pending),
            "เรื่อง",
        ),
        ("ในจำนวนนี้ รอผู้ขอแก้ไขข้อมูล", number(r.rejected), "เรื่อง"),
        (
            &format!("ค้างจากปีงบประมาณก่อน {when}") as &str,
            number(r.carried_over),
            "เรื่อง",
        ),
        ("ผู้ขอถอนคำขอก่อนรับเข้า", number(r.withdrawn), "เรื่อง"),
        (
            "ระยะเวลาตั้งแต่รับคำขอถึงเผยแพร่ (ค่ามัธยฐาน)",
            decimal(t.median, 1),
            "ชั่วโมง",
        ),
        ("ข่าวร้อยละ 90 เผยแพร่ภายใน", decimal(t.p90, 1), "ชั่วโมง"),
        (
            "จำนวนรอบการแก้ไขข้อมูลเฉลี่ยต่อคำขอ",
            decimal(r.correction_rounds.mean, 2),
            "รอบ",
        ),
    ]
    .map(|(a, b, c)| (a.to_string(), b, c));
    page.push_str("<section>\n<h2>1. สรุปผลการดำเนินงาน</h2>\n<table>\n");
    page.push_str("<thead><tr><th scope=\"col\">รายการ</th><th scope=\"col\" class=\"n\">จำนวน</th><th scope=\"col\">หน่วย</th></tr></thead>\n<tbody>\n");
    for (label, value, unit) in rows {
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{value}</td><td>{unit}</td></tr>",
            escape(&label)
        );
    }
    page.push_str("</tbody>\n</table>\n");
    if r.turnaround_hours.count > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\">ระยะเวลาวัดจากข่าว {} เรื่องที่มีบันทึกตั้งแต่รับคำขอจนเผยแพร่</p>",
            number(r.turnaround_hours.count)
        );
    }
    if r.log_lines_skipped > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\">หมายเหตุ: บันทึกการให้บริการมี {} บรรทัดที่อ่านไม่ได้ และไม่ได้นับรวมในรายงานนี้</p>",
            number(r.log_lines_skipped)
        );
    }
    if r.unlogged > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\">หมายเหตุ: มีข่าว {} เรื่องที่รับเข้าในปีงบประมาณนี้ (ตามวันที่รับเข้าในไฟล์ข่าว) แต่ไม่มีในบันทึกการให้บริการ จึงไม่ได้นับในจำนวนรับคำขอและรับเข้า — บันทึกอาจสูญหายบางส่วน</p>",
            number(r.unlogged)
        );
    }
    page.push_str("</section>\n");
}

fn quarters(page: &mut String, r: &Report) {
    page.push_str("<section>\n<h2>2. ผลการดำเนินงานรายไตรมาส</h2>\n<table>\n<thead><tr><th scope=\"col\">ไตรมาส</th><th scope=\"col\">เดือน</th><th scope=\"col\" class=\"n\">รับคำขอ</th><th scope=\"col\" class=\"n\">รับเข้าดำเนินการ</th><th scope=\"col\" class=\"n\">เผยแพร่</th></tr></thead>\n<tbody>\n");
    for row in &r.quarters {
        let Some(q) = Quarter::from_number(row.quarter) else {
            continue;
        };
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            quarter_name(q),
            quarter_months(q),
            number(row.received),
            number(row.accepted),
            number(row.published)
        );
    }
    let _ = writeln!(
        page,
        "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">รวมทั้งปี</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></tfoot>\n</table>",
        number(r.received),
        number(r.accepted),
        number(r.published)
    );
    let caption = format!(
        "จำนวนคำขอที่รับและข่าวที่เผยแพร่ รายไตรมาส ปีงบประมาณ {}",
        r.fiscal_year
    );
    figure(page, chart::quarters(r, &caption), &caption);
    page.push_str("</section>\n");
}

fn groups(page: &mut String, r: &Report) {
    page.push_str("<section>\n<h2>3. ผลการดำเนินงานจำแนกตามกลุ่มงานผู้ขอ</h2>\n<table>\n<thead><tr><th scope=\"col\">กลุ่มงาน</th><th scope=\"col\" class=\"n\">รับคำขอ</th><th scope=\"col\" class=\"n\">รับเข้าดำเนินการ</th><th scope=\"col\" class=\"n\">เผยแพร่</th></tr></thead>\n<tbody>\n");
    for row in &r.groups {
        let name = if row.group.is_empty() {
            "ไม่ระบุกลุ่มงาน".to_string()
        } else {
            escape(&row.group)
        };
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{name}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            number(row.received),
            number(row.accepted),
            number(row.published)
        );
    }
    page.push_str("</tbody>\n</table>\n");
    if !r.groups.is_empty() {
        let caption = format!(
            "จำนวนคำขอที่รับและข่าวที่เผยแพร่ จำแนกตามกลุ่มงาน ปีงบประมาณ {}",
            r.fiscal_year
        );
        figure(page, chart::groups(&r.groups, &caption), &caption);
    }
    page.push_str("</section>\n");
}

fn categories_section(page: &mut String, r: &Report, categories: &[Category]) {
    page.push_str("<section>\n<h2>4. ข่าวที่เผยแพร่จำแนกตามหมวดข่าว</h2>\n<table>\n<thead><tr><th scope=\"col\">หมวดข่าว</th><th scope=\"col\" class=\"n\">เผยแพร่</th></tr></thead>\n<tbody>\n");
    for row in &r.categories {
        let name = match categories.iter().find(|c| c.slug == row.slug) {
            Some(c) => escape(&c.name),
            None if !row.name.is_empty() => escape(&row.name),
            None if row.slug.is_empty() => "ไม่ระบุหมวด".to_string(),
            None => escape(&row.slug),
        };
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{name}</th><td class=\"n\">{}</td></tr>",
            number(row.published)
        );
    }
    let _ = writeln!(
        page,
        "</tbody>\n<tfoot><tr><th scope=\"row\">รวม</th><td class=\"n\">{}</td></tr></tfoot>\n</table>\n</section>",
        number(r.published)
    );
}

fn problems(page: &mut String, r: &Report) {
    page.push_str("<section>\n<h2>5. ปัญหาที่พบบ่อยในคำขอ</h2>\n");
    if r.top_problems.is_empty() {
        page.push_str("<p>ไม่พบปัญหาในคำขอที่ตรวจสอบในปีงบประมาณนี้</p>\n</section>\n");
        return;
    }
    page.push_str("<table>\n<thead><tr><th scope=\"col\" class=\"n\">ลำดับ</th><th scope=\"col\">ปัญหา</th><th scope=\"col\">รหัส</th><th scope=\"col\">ระดับ</th><th scope=\"col\" class=\"n\">จำนวนคำขอ</th></tr></thead>\n<tbody>\n");
    for (i, p) in r.top_problems.iter().enumerate() {
        let severity = if p.severity == "error" {
            "ต้องแก้ไข"
        } else {
            "ข้อแนะนำ"
        };
        let _ = writeln!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td><td><code>{}</code></td><td>{severity}</td><td class=\"n\">{}</td></tr>",
            i + 1,
            problem_label(&p.code).unwrap_or("อื่น ๆ"),
            escape(&p.code),
            number(p.count)
        );
    }
    page.push_str("</tbody>\n</table>\n<p class=\"note\">นับคำขอละหนึ่งครั้งต่อปัญหา แม้ตรวจพบซ้ำหลายรอบ</p>\n</section>\n");
}

fn notes(page: &mut String, year_closed: bool, tz: Tz) {
    let clock = match tz {
        Tz::Asia__Bangkok => "เวลาประเทศไทย".to_string(),
        other => format!("เวลาของเขตเวลา {}", other.name()),
    };
    let pending_when = if year_closed {
        "ณ สิ้นปีงบประมาณ"
    } else {
        "ณ วันที่จัดทำรายงาน"
    };
    let _ = write!(
        page,
        "<section>\n<h2>6. คำอธิบาย</h2>\n<dl>\n\
         <dt>รับคำขอ</dt><dd>คำขอที่โปรแกรมพบในโฟลเดอร์คำขอครั้งแรกในปีงบประมาณ (ชื่อเดิมที่ส่งใหม่หลังรับเข้าแล้วนับเป็นคำขอใหม่)</dd>\n\
         <dt>รับเข้าดำเนินการ</dt><dd>คำขอที่ผ่านการตรวจสอบและนำเข้าเป็นข่าวในปีงบประมาณ ไม่ว่าจะรับคำขอเมื่อใด</dd>\n\
         <dt>เผยแพร่</dt><dd>ข่าวที่ตรวจสอบแล้วว่าแสดงบนเว็บไซต์ครั้งแรกในปีงบประมาณ (ข่าวที่ไม่มีบันทึก นับตามเวลารับเข้า หรือวันที่ของข่าว)</dd>\n\
         <dt>ค้างดำเนินการ</dt><dd>คำขอที่รับในปีงบประมาณแต่ยังไม่ได้รับเข้า {pending_when} (คำขอที่ค้างมาจากปีงบประมาณก่อนแสดงแยกไว้)</dd>\n\
         <dt>ถอนคำขอ</dt><dd>คำขอที่ผู้ขอนำออกจากโฟลเดอร์คำขอก่อนรับเข้า ไม่นับเป็นงานค้าง</dd>\n\
         <dt>ระยะเวลา</dt><dd>ชั่วโมงตั้งแต่รับคำขอ (หรือตั้งแต่เวลาเริ่มเผยแพร่ที่ผู้ขอกำหนด ถ้าช้ากว่า) จนข่าวแสดงบนเว็บไซต์ ค่ามัธยฐานคือค่ากลาง และข่าวร้อยละ 90 เผยแพร่ภายในเวลาที่แสดง</dd>\n\
         <dt>รอบการแก้ไข</dt><dd>จำนวนครั้งที่ตรวจพบข้อผิดพลาดในคำขอก่อนรับเข้า (การตรวจไฟล์เดิมซ้ำไม่นับเพิ่ม) เฉลี่ยจากคำขอที่รับเข้าในปีงบประมาณ</dd>\n\
         <dt>ไตรมาส</dt><dd>ไตรมาส 1 ต.ค.–ธ.ค. ไตรมาส 2 ม.ค.–มี.ค. ไตรมาส 3 เม.ย.–มิ.ย. ไตรมาส 4 ก.ค.–ก.ย. นับตาม{clock}</dd>\n\
         </dl>\n</section>\n"
    );
}

fn figure(page: &mut String, svg: Result<String, chart::ChartError>, caption: &str) {
    match svg {
        Ok(svg) => {
            let _ = write!(
                page,
                "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
                escape(caption)
            );
        }
        Err(_) => page.push_str("<p class=\"note\">(ไม่สามารถวาดแผนภูมิได้ ดูตัวเลขในตาราง)</p>\n"),
    }
}
