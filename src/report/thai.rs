//! The Thai words of the report: dates in the Buddhist Era, quarter names
//! as the work manual writes them, numbers, and what each diagnostic code
//! means, for readers who never see khao's check reports.

use chrono::{NaiveDate, NaiveDateTime};

use crate::fiscal::Quarter;
use crate::i18n::Lang;
use crate::thaidate::{MONTHS_SHORT, Style};

/// `20 พฤศจิกายน 2569`: day, full month name, Buddhist-Era year.
pub fn thai_date(date: NaiveDate) -> String {
    crate::thaidate::format(date, Lang::Th, Style::Full, false)
}

/// `20 พฤศจิกายน 2569 เวลา 09:15 น.`
pub(crate) fn thai_date_time(at: NaiveDateTime) -> String {
    format!("{} เวลา {} น.", thai_date(at.date()), at.format("%H:%M"))
}

/// `ไตรมาส 1`
pub(crate) fn quarter_name(q: Quarter) -> String {
    format!("ไตรมาส {}", q.number())
}

/// `ต.ค.–ธ.ค.`, the months as the work manual's plan heads its columns.
pub(crate) fn quarter_months(q: Quarter) -> String {
    let (first, last) = q.months();
    format!(
        "{}–{}",
        MONTHS_SHORT[first as usize - 1],
        MONTHS_SHORT[last as usize - 1]
    )
}

/// 1234567 → `1,234,567`.
pub(crate) fn number(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure with one decimal, or a dash when there is none.
pub(crate) fn decimal(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.places$}"))
}

/// What a stable diagnostic code (SPEC, Diagnostics) means, in Thai; `None`
/// for a code this table does not know (a newer khao's).
pub fn problem_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "yaml-syntax" => "รูปแบบข้อมูลส่วนหัวไม่ถูกต้อง",
        "missing-field" => "ข้อมูลที่จำเป็นไม่ครบ",
        "unknown-field" => "มีหัวข้อข้อมูลที่ไม่รู้จัก",
        "bad-date" => "วันที่ไม่ถูกต้อง",
        "bad-slug" => "ชื่อย่อข่าว (slug) ไม่ถูกต้อง",
        "unknown-category" => "ไม่พบหมวดข่าวที่ระบุ",
        "unknown-group" => "ไม่พบกลุ่มงานที่ระบุ",
        "ambiguous-request" => "ไม่พบไฟล์ข้อความคำขอ หรือมีมากกว่าหนึ่งไฟล์",
        "missing-file" => "ไม่พบไฟล์ภาพหรือไฟล์แนบที่อ้างถึง",
        "unsafe-path" => "อ้างถึงไฟล์นอกโฟลเดอร์คำขอ",
        "disallowed-file-type" => "ชนิดไฟล์ที่ไม่อนุญาต",
        "file-type-mismatch" => "เนื้อไฟล์ไม่ตรงกับนามสกุล",
        "file-too-large" => "ไฟล์มีขนาดใหญ่เกินกำหนด",
        "bad-image" => "ไฟล์ภาพเปิดไม่ได้",
        "image-too-large" => "ภาพมีจำนวนพิกเซลเกินกำหนด",
        "image-too-small" => "ภาพมีขนาดเล็กเกินไป",
        "missing-alt" => "ภาพไม่มีคำอธิบายภาพ",
        "unsafe-html" => "เนื้อหามีโค้ดที่ไม่ปลอดภัย",
        "not-utf8" => "ไฟล์ข้อความใช้รหัสอักขระแบบเก่า",
        "personal-id" => "มีเลขประจำตัวประชาชน",
        "personal-phone" => "มีหมายเลขโทรศัพท์มือถือ",
        "duplicate" => "ข่าวซ้ำกับที่เผยแพร่แล้ว",
        "old-word-format" => "ไฟล์ Word รุ่นเก่า (.doc)",
        "bad-document" => "ไฟล์ Word เปิดไม่ได้",
        _ => return None,
    })
}

/// Whether `c` is a Thai mark written above or below the letter before it:
/// it takes no width and must never be separated from that letter.
fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// The number of letter positions `s` takes (Thai marks take none).
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().filter(|c| !is_thai_mark(*c)).count()
}

/// `s` cut to at most `max` positions with `…`, never between a letter and
/// its marks. Chart labels are cut; tables always show the whole name.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        if !is_thai_mark(c) {
            if width + 1 >= max {
                break;
            }
            width += 1;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_in_the_buddhist_era() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(thai_date(d), "20 พฤศจิกายน 2569");
        let t = d.and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(thai_date_time(t), "20 พฤศจิกายน 2569 เวลา 09:05 น.");
        assert_eq!(quarter_months(Quarter::Q1), "ต.ค.–ธ.ค.");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1,000");
        assert_eq!(number(1234567), "1,234,567");
        assert_eq!(decimal(None, 1), "–");
        assert_eq!(decimal(Some(2.25), 1), "2.2");
    }

    #[test]
    fn shortening_keeps_thai_marks_with_their_letter() {
        assert_eq!(shorten("กลุ่มอำนวยการ", 40), "กลุ่มอำนวยการ");
        assert_eq!(shorten("กลุ่มนิเทศ ติดตามและประเมินผล", 5), "กลุ่มนิ…");
        assert_eq!(display_width("กลุ่ม"), 3);
        for max in 1..12 {
            let cut = shorten("ที่นี่มีน้ำใจ", max);
            assert!(!cut.starts_with(is_thai_mark));
            assert!(display_width(&cut) <= max.max(1));
        }
    }
}
