//! The Thai government fiscal year and its quarters, as the office plans its
//! services (work manual, section 8: ไตรมาส 1 = ต.ค.–ธ.ค. … ไตรมาส 4 = ก.ค.–ก.ย.).
//!
//! A fiscal year runs 1 October – 30 September and is named by the
//! Buddhist-Era year it ends in: 2569 is 1 Oct 2025 – 30 Sep 2026. Every
//! instant is placed by its *local* date in the site's timezone, so an event
//! at 2026-09-30T18:00:00Z (1 Oct 01:00 in Bangkok) belongs to 2570.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use crate::thaidate::BE_OFFSET;

/// A fiscal year, held as its Buddhist-Era number (2569).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FiscalYear(i32);

/// Why a number is not a fiscal year khao can report on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiscalYearError {
    /// Looks like a Common-Era year; the office names years in the Buddhist Era.
    #[error(
        "fiscal year {given} looks like a Common-Era year; the Buddhist-Era year is {suggested}"
    )]
    CommonEra { given: i32, suggested: i32 },
    /// Outside any year a news site can have.
    #[error("fiscal year {0} is out of range (expected a Buddhist-Era year such as 2569)")]
    OutOfRange(i32),
}

impl crate::diagnostic::Failure for FiscalYearError {
    fn code(&self) -> crate::diagnostic::Code {
        crate::diagnostic::Code::Config
    }

    fn message(&self) -> crate::i18n::Message {
        use crate::i18n::Message;
        match self {
            FiscalYearError::CommonEra { given, suggested } => Message::new("fiscal.common_era")
                .arg("given", given)
                .arg("suggested", suggested),
            FiscalYearError::OutOfRange(year) => {
                Message::new("fiscal.out_of_range").arg("year", year)
            }
        }
    }
}

impl FiscalYear {
    /// A fiscal year from its Buddhist-Era number. A Common-Era number
    /// (1900–2399) is refused with the BE year to use instead, because
    /// `--fy 2026` is the mistake staff are most likely to make.
    pub fn new(be_year: i32) -> Result<Self, FiscalYearError> {
        match be_year {
            2400..=3000 => Ok(Self(be_year)),
            1900..=2399 => Err(FiscalYearError::CommonEra {
                given: be_year,
                suggested: be_year + BE_OFFSET,
            }),
            _ => Err(FiscalYearError::OutOfRange(be_year)),
        }
    }

    /// The fiscal year a local calendar date belongs to.
    pub fn of_date(date: NaiveDate) -> Self {
        let ce_end = if date.month() >= 10 {
            date.year() + 1
        } else {
            date.year()
        };
        Self(ce_end + BE_OFFSET)
    }

    /// The fiscal year an instant belongs to, by its local date in `tz`.
    pub fn of_instant<Tz: TimeZone, Z: TimeZone>(at: &DateTime<Z>, tz: &Tz) -> Self {
        Self::of_date(at.with_timezone(tz).date_naive())
    }

    /// The Buddhist-Era number (2569).
    pub fn be_year(self) -> i32 {
        self.0
    }

    /// 1 October of the previous Common-Era year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 - BE_OFFSET - 1, 10, 1).expect("1 October exists")
    }

    /// 30 September of the year it is named by.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 - BE_OFFSET, 9, 30).expect("30 September exists")
    }

    /// Whether a local date falls in this fiscal year.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of_date(date) == self
    }
}

impl std::fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A quarter of the fiscal year, numbered as the work manual numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quarter {
    /// October – December.
    Q1,
    /// January – March.
    Q2,
    /// April – June.
    Q3,
    /// July – September.
    Q4,
}

impl Quarter {
    /// All four, in fiscal order.
    pub const ALL: [Quarter; 4] = [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4];

    /// The quarter a local date falls in.
    pub fn of_date(date: NaiveDate) -> Self {
        match date.month() {
            10..=12 => Quarter::Q1,
            1..=3 => Quarter::Q2,
            4..=6 => Quarter::Q3,
            _ => Quarter::Q4,
        }
    }

    /// 1 to 4.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The quarter numbered 1 to 4.
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// The calendar months (1–12) the quarter spans, first and last.
    pub fn months(self) -> (u32, u32) {
        match self {
            Quarter::Q1 => (10, 12),
            Quarter::Q2 => (1, 3),
            Quarter::Q3 => (4, 6),
            Quarter::Q4 => (7, 9),
        }
    }

    /// The first and last day of this quarter within `fy`.
    pub fn span(self, fy: FiscalYear) -> (NaiveDate, NaiveDate) {
        let (first, last) = self.months();
        let year = if first >= 10 {
            fy.first_day().year()
        } else {
            fy.last_day().year()
        };
        let start = NaiveDate::from_ymd_opt(year, first, 1).expect("first of month exists");
        let next = if last == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, last + 1, 1)
        }
        .expect("first of month exists");
        (start, next.pred_opt().expect("a day before the first"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use chrono_tz::Asia::Bangkok;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn year_bounds_and_naming() {
        let fy = FiscalYear::new(2569).unwrap();
        assert_eq!(fy.first_day(), d(2025, 10, 1));
        assert_eq!(fy.last_day(), d(2026, 9, 30));
        assert_eq!(FiscalYear::of_date(d(2026, 9, 30)), fy);
        assert_eq!(FiscalYear::of_date(d(2026, 10, 1)).be_year(), 2570);
        assert_eq!(FiscalYear::of_date(d(2025, 10, 1)), fy);
        assert_eq!(FiscalYear::of_date(d(2025, 9, 30)).be_year(), 2568);
    }

    #[test]
    fn common_era_year_is_refused_with_the_be_year() {
        assert_eq!(
            FiscalYear::new(2026),
            Err(FiscalYearError::CommonEra {
                given: 2026,
                suggested: 2569
            })
        );
        assert!(FiscalYear::new(12).is_err());
    }

    #[test]
    fn instants_are_placed_by_their_bangkok_date() {
        let late_utc: DateTime<Utc> = "2026-09-30T18:00:00Z".parse().unwrap();
        assert_eq!(FiscalYear::of_instant(&late_utc, &Bangkok).be_year(), 2570);
        let last_minute: DateTime<Utc> = "2026-09-30T16:59:59Z".parse().unwrap();
        assert_eq!(
            FiscalYear::of_instant(&last_minute, &Bangkok).be_year(),
            2569
        );
    }

    #[test]
    fn quarters_follow_the_work_manual() {
        assert_eq!(Quarter::of_date(d(2025, 10, 1)), Quarter::Q1);
        assert_eq!(Quarter::of_date(d(2025, 12, 31)), Quarter::Q1);
        assert_eq!(Quarter::of_date(d(2026, 1, 1)), Quarter::Q2);
        assert_eq!(Quarter::of_date(d(2026, 9, 30)), Quarter::Q4);
        let fy = FiscalYear::new(2569).unwrap();
        assert_eq!(Quarter::Q1.span(fy), (d(2025, 10, 1), d(2025, 12, 31)));
        assert_eq!(Quarter::Q2.span(fy), (d(2026, 1, 1), d(2026, 3, 31)));
        assert_eq!(Quarter::Q4.span(fy), (d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(Quarter::from_number(3), Some(Quarter::Q3));
        assert_eq!(Quarter::from_number(0), None);
        assert_eq!(Quarter::Q4.number(), 4);
    }
}
