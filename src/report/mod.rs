//! `khao report`: the fiscal-year service report of the news-publicity
//! service (work manual 6.5), counted from the service log and the site's
//! news, and written as JSON ([`Report`] serialises to SPEC's object), a
//! printable Thai HTML page ([`html()`]) and a spreadsheet ([`csv()`]).
//!
//! Plain data in, plain data out: khao reads `records/service-log.jsonl`
//! into a [`ServiceLog`], lists its news as [`NewsItem`]s, and writes what
//! these functions return.

mod chart;
mod compute;
mod history;
mod html;
mod spreadsheet;
#[cfg(test)]
mod tests;
mod thai;
mod write;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use crate::fiscal::{FiscalYear, FiscalYearError, Quarter};
pub use crate::records::log::Log as ServiceLog;
pub use compute::compute;
pub use html::html;
pub use spreadsheet::csv;
pub use thai::{problem_label, thai_date};
pub use write::{ReportError, Written, write};

/// A news category of site.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub slug: String,
    /// The Thai name (ข่าวประชาสัมพันธ์).
    pub name: String,
}

/// A news item of the site, as khao's content step knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsItem {
    /// `news/2026/sports-day`, as the log's `news` field writes it.
    pub news: String,
    /// The requester's group; may be empty.
    pub group: String,
    /// The category slug (a Thai name is accepted too).
    pub category: String,
    /// The news date (front matter `date`).
    pub date: NaiveDate,
    /// When intake took it in (front matter `accepted`), if recorded.
    pub accepted: Option<DateTime<FixedOffset>>,
    /// When its requester asked it to be published (front matter
    /// `publish_at`): the wait before it is theirs, not the service's.
    pub publish_at: Option<DateTime<FixedOffset>>,
}

/// What a report is counted from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub fiscal_year: FiscalYear,
    /// site.yaml `timezone` (default Asia/Bangkok): every instant is placed
    /// in a year and quarter by its local date there.
    pub timezone: Tz,
    /// site.yaml `groups`, in the order the tables list them.
    pub groups: &'a [String],
    /// site.yaml `news.categories`, in the order the tables list them.
    pub categories: &'a [Category],
    pub log: &'a ServiceLog,
    pub news: &'a [NewsItem],
}

/// The figures of one fiscal year. Serialises to SPEC's `khao report
/// --format json` object; fields beyond SPEC's are additions, never renames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Buddhist-Era year (2569).
    pub fiscal_year: i32,
    /// 1 October (ISO date).
    pub from: NaiveDate,
    /// 30 September (ISO date).
    pub to: NaiveDate,
    /// Request cycles first seen in the year.
    pub received: u32,
    /// Request cycles accepted by intake in the year (whenever received).
    pub accepted: u32,
    /// News first verified live in the year.
    pub published: u32,
    /// Received in the year and not accepted by its end (or by now, for the
    /// running year): what the year hands on to the next.
    pub pending: u32,
    /// Pending whose latest verdict in the year has errors.
    pub rejected: u32,
    /// Addition: received in the year and taken back by the requester
    /// before intake (not pending).
    pub withdrawn: u32,
    /// Addition: received in an earlier year and still pending at this
    /// year's end (or now): the backlog the year inherited and kept.
    pub carried_over: u32,
    pub quarters: Vec<QuarterRow>,
    pub groups: Vec<GroupRow>,
    pub categories: Vec<CategoryRow>,
    pub turnaround_hours: Turnaround,
    pub correction_rounds: CorrectionRounds,
    pub top_problems: Vec<ProblemRow>,
    /// Lines of the service log that could not be read (addition).
    pub log_lines_skipped: u32,
    /// Addition: news taken in during the year (their `accepted` date)
    /// whose acceptance the service log lacks (lines lost, a log replaced):
    /// the year's figures miss them.
    pub unlogged: u32,
}

/// One quarter's flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterRow {
    /// 1–4; 1 = October–December.
    pub quarter: u8,
    pub received: u32,
    pub published: u32,
    /// Addition: accepted by intake in the quarter.
    pub accepted: u32,
}

/// One requesting group's flow. `group` is empty for requests that never
/// named one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub group: String,
    pub received: u32,
    pub published: u32,
    /// Addition: accepted by intake in the year.
    pub accepted: u32,
}

/// One category's published news. `slug` is empty for news without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub slug: String,
    pub published: u32,
    /// Addition: the Thai name from site.yaml; empty for a slug it lacks.
    pub name: String,
}

/// Hours from receiving a request to its news going live, over the news
/// published in the year whose request the log holds. `None` without any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turnaround {
    /// Rounded to 0.1 h.
    pub median: Option<f64>,
    /// Nearest-rank 90th percentile, rounded to 0.1 h.
    pub p90: Option<f64>,
    /// Addition: how many news items were measured.
    pub count: u32,
}

/// Rounds of correction before acceptance, over the requests accepted in
/// the year. `None` without any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionRounds {
    /// Rounded to 0.01.
    pub mean: Option<f64>,
    /// Addition: the most rounds one request needed.
    pub max: u32,
    /// Addition: accepted requests that needed at least one round.
    pub corrected: u32,
}

/// A diagnostic code and how many request cycles met it in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemRow {
    pub code: String,
    pub count: u32,
    /// Addition: `error` if the code ever blocked a request, else `warning`.
    pub severity: String,
}
