//! Dates as Thai readers expect them: day, month name (CLDR full or short
//! form), and the year of the Buddhist Era (CE + 543), optionally in Thai
//! digits; and the date forms staff type in a request.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::i18n::Lang;

/// CLDR `th` month names, wide form.
pub const MONTHS_FULL: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

/// CLDR `th` month names, abbreviated form.
pub const MONTHS_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The offset between the Buddhist Era and the Common Era.
pub const BE_OFFSET: i32 = 543;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 20 พฤศจิกายน 2569
    Full,
    /// 20 พ.ย. 2569
    Short,
}

/// Formats a date for the site's language: Thai with the Buddhist Era year,
/// English with the Common Era year.
pub fn format(date: NaiveDate, lang: Lang, style: Style, thai_digits: bool) -> String {
    let m = date.month0() as usize;
    let text = match lang {
        Lang::Th => {
            let month = match style {
                Style::Full => MONTHS_FULL[m],
                Style::Short => MONTHS_SHORT[m],
            };
            format!("{} {} {}", date.day(), month, date.year() + BE_OFFSET)
        }
        Lang::En => {
            let month = match style {
                Style::Full => MONTHS_EN[m],
                Style::Short => &MONTHS_EN[m][..3],
            };
            format!("{} {} {}", date.day(), month, date.year())
        }
    };
    if thai_digits {
        to_thai_digits(&text)
    } else {
        text
    }
}

/// A date as staff write it and as [`parse`] reads it back: `20/11/2569`.
pub fn numeric(date: NaiveDate) -> String {
    format!(
        "{}/{}/{}",
        date.day(),
        date.month(),
        date.year() + BE_OFFSET
    )
}

/// An instant in `tz` as a reader expects it: "1 ธันวาคม 2569 เวลา 08:00 น."
/// or "1 December 2026 at 08:00".
pub fn format_instant(t: &DateTime<FixedOffset>, tz: Tz, lang: Lang) -> String {
    let local = t.with_timezone(&tz);
    let date = format(local.date_naive(), lang, Style::Full, false);
    let time = local.format("%H:%M");
    match lang {
        Lang::Th => format!("{date} เวลา {time} น."),
        Lang::En => format!("{date} at {time}"),
    }
}

/// Replaces ASCII digits with Thai digits (๐–๙).
pub fn to_thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x0E50 + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Replaces Thai digits (๐–๙) with ASCII digits.
pub fn from_thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0x0E50..=0x0E59 => char::from_u32('0' as u32 + (c as u32 - 0x0E50)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Parses a date as staff write it: ISO `2026-11-20`, Thai `20/11/2569`
/// (Buddhist Era; a Common Era year such as 2026 is accepted too), or
/// `20 พฤศจิกายน 2569` with a full or short month name; Thai digits anywhere.
/// `None` when it is not a real date.
pub fn parse(input: &str) -> Option<NaiveDate> {
    let s = from_thai_digits(without_day_words(input.trim()));
    if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return plausible(d);
    }
    let slash: Vec<&str> = s.split(['/', '.', '-']).map(str::trim).collect();
    if slash.len() == 3
        && slash
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let day: u32 = slash[0].parse().ok()?;
        let month: u32 = slash[1].parse().ok()?;
        let year: i32 = slash[2].parse().ok()?;
        return NaiveDate::from_ymd_opt(ce_year(year)?, month, day).and_then(plausible);
    }
    // "27 พฤศจิกายน พ.ศ. 2569": the era's name is no part of the year.
    let words: Vec<&str> = (s.split_whitespace()).filter(|w| *w != "พ.ศ.").collect();
    if words.len() == 3 {
        let day: u32 = words[0].parse().ok()?;
        let month = MONTHS_FULL
            .iter()
            .position(|m| *m == words[1])
            .or_else(|| MONTHS_SHORT.iter().position(|m| *m == words[1]))?;
        let year: i32 = words[2].trim_start_matches("พ.ศ.").parse().ok()?;
        return NaiveDate::from_ymd_opt(ce_year(year)?, month as u32 + 1, day).and_then(plausible);
    }
    None
}

/// Parses an instant as staff or khao write it, in the site's time zone:
/// any date [`parse`] takes, alone (00:00 that day) or followed by a time
/// (`08:00`, `8.30 น.`); or RFC 3339 (`2026-12-01T08:00:00+07:00`), which
/// is how khao writes instants back. `None` when it is not a real instant.
pub fn parse_instant(input: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let s = from_thai_digits(input.trim());
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return plausible(t.date_naive()).map(|_| t);
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S") {
        return local(t, tz);
    }
    let s = s.trim_end_matches("น.").trim_end();
    if let Some(date) = parse(s) {
        return local(date.and_time(NaiveTime::MIN), tz);
    }
    let (date, time) = s.rsplit_once([' ', 'T'])?;
    let date = parse(date.trim_end_matches(',').trim())?;
    let (h, m) = time.trim().split_once([':', '.'])?;
    let time = NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)?;
    local(date.and_time(time), tz)
}

/// A wall-clock time in `tz` as an instant (the earlier one when a clock
/// change makes it ambiguous; none when it does not exist).
pub fn local(t: NaiveDateTime, tz: Tz) -> Option<DateTime<FixedOffset>> {
    tz.from_local_datetime(&t)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// `text` without the words before a date as Thai letters give it:
/// "วันที่ 27/11/2569", "วันศุกร์ที่ 27 พฤศจิกายน 2569".
fn without_day_words(text: &str) -> &str {
    const DAYS: [&str; 8] = [
        "จันทร์",
        "อังคาร",
        "พุธ",
        "พฤหัสบดี",
        "พฤหัส",
        "ศุกร์",
        "เสาร์",
        "อาทิตย์",
    ];
    let Some(rest) = text.strip_prefix("วัน") else {
        return text;
    };
    let rest = DAYS
        .iter()
        .find_map(|d| rest.strip_prefix(d))
        .unwrap_or(rest);
    rest.trim_start()
        .strip_prefix("ที่")
        .map_or(text, str::trim_start)
}

/// A year as written in a Thai date: Buddhist Era from 2400 on, Common Era
/// between 1900 and 2399, or the Buddhist Era's last two digits (`69` is
/// 2569), as Thai letters and forms shorten it: from 40 to 89 only
/// (1997–2046), so that `1/1/99` is not read as a date thirty years on.
fn ce_year(year: i32) -> Option<i32> {
    match year {
        40..=89 => Some(2500 + year - BE_OFFSET),
        2400..=2800 => Some(year - BE_OFFSET),
        1900..=2399 => Some(year),
        _ => None,
    }
}

/// Rejects dates no news item can have (a Buddhist year typed into an ISO
/// date gives 2569-11-20, five centuries ahead).
fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    (1900..=2300).contains(&d.year()).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn full_thai_date_in_buddhist_era() {
        assert_eq!(
            format(d(2026, 11, 20), Lang::Th, Style::Full, false),
            "20 พฤศจิกายน 2569"
        );
    }

    #[test]
    fn dates_as_thai_letters_write_them() {
        let day = Some(d(2026, 11, 27));
        for written in [
            "27/11/69",
            "27 พ.ย. 69",
            "๒๗ พ.ย. ๖๙",
            "วันที่ 27/11/69",
            "วันที่ 27 พฤศจิกายน 2569",
            "วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569",
            "27 พฤศจิกายน พ.ศ. 2569",
        ] {
            assert_eq!(parse(written), day, "{written}");
        }
        assert_eq!(parse("วันนี้"), None);
        assert_eq!(parse("วันที่"), None);
    }

    #[test]
    fn the_numeric_form_is_read_back() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(numeric(d), "2/12/2569");
        assert_eq!(parse(&numeric(d)), Some(d));
    }

    #[test]
    fn every_month_name() {
        let full: Vec<String> = (1..=12)
            .map(|m| format(d(2026, m, 1), Lang::Th, Style::Full, false))
            .collect();
        assert_eq!(full[0], "1 มกราคม 2569");
        assert_eq!(full[1], "1 กุมภาพันธ์ 2569");
        assert_eq!(full[6], "1 กรกฎาคม 2569");
        assert_eq!(full[11], "1 ธันวาคม 2569");
        assert_eq!(
            format(d(2026, 5, 3), Lang::Th, Style::Short, false),
            "3 พ.ค. 2569"
        );
        assert_eq!(
            format(d(2026, 3, 3), Lang::Th, Style::Short, false),
            "3 มี.ค. 2569"
        );
    }

    #[test]
    fn thai_digits() {
        assert_eq!(
            format(d(2026, 11, 20), Lang::Th, Style::Short, true),
            "๒๐ พ.ย. ๒๕๖๙"
        );
        assert_eq!(from_thai_digits("๒๐/๑๑/๒๕๖๙"), "20/11/2569");
    }

    #[test]
    fn leap_day() {
        // 2024 CE = 2567 BE is a leap year; 2025 CE = 2568 BE is not.
        assert_eq!(
            format(d(2024, 2, 29), Lang::Th, Style::Full, false),
            "29 กุมภาพันธ์ 2567"
        );
        assert_eq!(parse("29/2/2567"), Some(d(2024, 2, 29)));
        assert_eq!(parse("29/2/2568"), None);
        assert_eq!(parse("2025-02-29"), None);
    }

    #[test]
    fn english_uses_the_common_era() {
        assert_eq!(
            format(d(2026, 11, 20), Lang::En, Style::Full, false),
            "20 November 2026"
        );
    }

    #[test]
    fn parses_the_forms_staff_write() {
        assert_eq!(parse("2026-11-20"), Some(d(2026, 11, 20)));
        assert_eq!(parse("20/11/2569"), Some(d(2026, 11, 20)));
        assert_eq!(parse("๒๐/๑๑/๒๕๖๙"), Some(d(2026, 11, 20)));
        assert_eq!(parse("20 พฤศจิกายน 2569"), Some(d(2026, 11, 20)));
        assert_eq!(parse("20 พ.ย. 2569"), Some(d(2026, 11, 20)));
        assert_eq!(parse("20/11/2026"), Some(d(2026, 11, 20)));
    }

    #[test]
    fn parses_instants_in_the_site_time_zone() {
        let tz = chrono_tz::Asia::Bangkok;
        let at = |s: &str| parse_instant(s, tz).map(|t| t.to_rfc3339());
        assert_eq!(
            at("1/12/2569 08:00").as_deref(),
            Some("2026-12-01T08:00:00+07:00")
        );
        assert_eq!(
            at("1/12/2569 8.30 น.").as_deref(),
            Some("2026-12-01T08:30:00+07:00")
        );
        assert_eq!(
            at("15/12/2569").as_deref(),
            Some("2026-12-15T00:00:00+07:00")
        );
        assert_eq!(
            at("2026-12-01T01:00:00Z").as_deref(),
            Some("2026-12-01T01:00:00+00:00")
        );
        assert_eq!(
            at("2026-12-01 08:00").as_deref(),
            Some("2026-12-01T08:00:00+07:00")
        );
        assert_eq!(at("1/12/2569 25:00"), None);
        assert_eq!(at("พรุ่งนี้"), None);
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "tomorrow",
            "31/4/2569",
            "2569-11-20",
            "20/13/2569",
            "1/1/99",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
