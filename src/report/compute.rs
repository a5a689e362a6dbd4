//! Counting a fiscal year's figures from the request cycles and
//! publications of [`super::history::History`].
//!
//! Each figure counts an event in the year it happened: a request received
//! on 29 September and published on 2 October is *received* in one year and
//! *published* (and measured for turnaround) in the next. So
//! received − accepted is not pending in general; pending is its own count.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::history::{Cycle, History};
use super::{
    Category, CategoryRow, CorrectionRounds, FiscalYear, GroupRow, ProblemRow, Quarter, QuarterRow,
    Report, ReportInput, Turnaround,
};
use crate::records::log::Checked;

/// How many problem codes the report lists.
const TOP_PROBLEMS: usize = 10;

/// The report of `input.fiscal_year`.
pub fn compute(input: &ReportInput) -> Report {
    let fy = input.fiscal_year;
    let tz = &input.timezone;
    let history = History::build(input.log, input.news, tz);
    let labels = Labels::new(input.categories);
    let mut report = empty(fy, input.log.skipped_lines.len());
    let mut groups: HashMap<String, GroupRow> = HashMap::new();
    let mut categories: HashMap<String, u32> = HashMap::new();

    let mut rounds = Vec::new();
    for cycle in &history.cycles {
        if let Some(date) = in_year(fy, tz, &cycle.seen) {
            report.received += 1;
            quarter(&mut report, date).received += 1;
            group_row(&mut groups, cycle.group).received += 1;
            match pending_state(fy, tz, cycle) {
                Pending::No => {}
                Pending::Withdrawn => report.withdrawn += 1,
                Pending::Waiting => report.pending += 1,
                Pending::Rejected => {
                    report.pending += 1;
                    report.rejected += 1;
                }
            }
        } else if FiscalYear::of_instant(&cycle.seen, tz) < fy
            && matches!(
                pending_state(fy, tz, cycle),
                Pending::Waiting | Pending::Rejected
            )
        {
            report.carried_over += 1;
        }
        if let Some(date) = cycle.accepted.and_then(|(at, _)| in_year(fy, tz, &at)) {
            report.accepted += 1;
            quarter(&mut report, date).accepted += 1;
            group_row(&mut groups, cycle.group).accepted += 1;
            rounds.push(correction_rounds(&cycle.verdicts));
        }
    }

    let mut hours = Vec::new();
    for publication in &history.publications {
        if !fy.contains(publication.date) {
            continue;
        }
        report.published += 1;
        quarter(&mut report, publication.date).published += 1;
        group_row(&mut groups, publication.group).published += 1;
        *categories
            .entry(labels.category(publication.category.unwrap_or("")))
            .or_default() += 1;
        if let (Some(live), Some(i)) = (publication.live, publication.cycle) {
            // From when the service could act: received, or the time its
            // requester asked it to be published, whichever is later.
            let start = history.cycles[i]
                .seen
                .max(publication.publish_at.unwrap_or_default());
            let seconds = (live - start).num_seconds();
            // A negative span is a clock mistake, not a measurement.
            if seconds >= 0 {
                hours.push(seconds as f64 / 3600.0);
            }
        }
    }

    report.unlogged = unlogged(fy, tz, input.news, &history);
    report.groups = ordered_groups(input.groups, groups);
    report.categories = ordered_categories(input.categories, categories);
    report.turnaround_hours = turnaround(hours);
    report.correction_rounds = correction_summary(&rounds);
    report.top_problems = top_problems(fy, tz, &history.cycles);
    report
}

fn group_row<'m>(
    groups: &'m mut HashMap<String, GroupRow>,
    name: Option<&str>,
) -> &'m mut GroupRow {
    let name = normalize_group(name.unwrap_or(""));
    groups.entry(name.clone()).or_insert_with(|| GroupRow {
        group: name,
        received: 0,
        published: 0,
        accepted: 0,
    })
}

fn empty(fy: FiscalYear, skipped: usize) -> Report {
    Report {
        fiscal_year: fy.be_year(),
        from: fy.first_day(),
        to: fy.last_day(),
        received: 0,
        accepted: 0,
        published: 0,
        pending: 0,
        rejected: 0,
        withdrawn: 0,
        carried_over: 0,
        quarters: Quarter::ALL
            .iter()
            .map(|q| QuarterRow {
                quarter: q.number(),
                received: 0,
                published: 0,
                accepted: 0,
            })
            .collect(),
        groups: Vec::new(),
        categories: Vec::new(),
        turnaround_hours: turnaround(Vec::new()),
        correction_rounds: correction_summary(&[]),
        top_problems: Vec::new(),
        log_lines_skipped: u32::try_from(skipped).unwrap_or(u32::MAX),
        unlogged: 0,
    }
}

/// News taken in during `fy` by their own `accepted` time whose
/// acceptance the log does not hold.
fn unlogged(fy: FiscalYear, tz: &Tz, news: &[super::NewsItem], history: &History) -> u32 {
    let logged: std::collections::HashSet<&str> = (history.cycles.iter())
        .filter_map(|c| c.accepted.map(|(_, news)| news))
        .collect();
    let missing = news.iter().filter(|n| {
        let accepted = n.accepted.map(|t| t.to_utc());
        accepted.is_some_and(|t| in_year(fy, tz, &t).is_some()) && !logged.contains(n.news.as_str())
    });
    u32::try_from(missing.count()).unwrap_or(u32::MAX)
}

/// The local date of `at` if it falls in `fy`.
fn in_year(fy: FiscalYear, tz: &Tz, at: &DateTime<Utc>) -> Option<NaiveDate> {
    let date = at.with_timezone(tz).date_naive();
    fy.contains(date).then_some(date)
}

/// Whether `at` happened before the end of `fy` (in it or earlier).
fn by_year_end(fy: FiscalYear, tz: &Tz, at: &DateTime<Utc>) -> bool {
    FiscalYear::of_instant(at, tz) <= fy
}

fn quarter(report: &mut Report, date: NaiveDate) -> &mut QuarterRow {
    let q = Quarter::of_date(date);
    &mut report.quarters[usize::from(q.number() - 1)]
}

enum Pending {
    No,
    /// Taken back by the requester.
    Withdrawn,
    Waiting,
    Rejected,
}

/// Whether a cycle was still pending at the end of the year, and if so
/// whether its latest verdict by then had errors. Judging at the year's end
/// (not today) keeps a closed year's report the same whenever it is made.
fn pending_state(fy: FiscalYear, tz: &Tz, cycle: &Cycle) -> Pending {
    if cycle.withdrawn.is_some_and(|at| by_year_end(fy, tz, &at)) {
        return Pending::Withdrawn;
    }
    if cycle
        .accepted
        .is_some_and(|(at, _)| by_year_end(fy, tz, &at))
    {
        return Pending::No;
    }
    let latest = cycle
        .verdicts
        .iter()
        .rev()
        .find(|v| by_year_end(fy, tz, &v.at.to_utc()));
    match latest {
        Some(v) if v.has_errors() => Pending::Rejected,
        _ => Pending::Waiting,
    }
}

/// Error verdicts before acceptance, each counted once per submission: a
/// verdict that repeats the one before it (same `digest` when both have
/// one; else the same error and warning codes) is the same files checked
/// again — by `khao check`, `watch` and intake alike — not a new round.
pub(crate) fn correction_rounds(verdicts: &[&Checked]) -> u32 {
    let mut rounds = 0;
    let mut previous: Option<&Checked> = None;
    for v in verdicts {
        if v.has_errors() && !previous.is_some_and(|p| same_submission(p, v)) {
            rounds += 1;
        }
        previous = Some(v);
    }
    rounds
}

fn same_submission(a: &Checked, b: &Checked) -> bool {
    if let (Some(x), Some(y)) = (&a.digest, &b.digest) {
        return x == y;
    }
    let sorted = |codes: &[String]| {
        let mut v = codes.to_vec();
        v.sort_unstable();
        v
    };
    a.has_errors() == b.has_errors()
        && sorted(&a.errors) == sorted(&b.errors)
        && sorted(&a.warnings) == sorted(&b.warnings)
}

fn correction_summary(rounds: &[u32]) -> CorrectionRounds {
    let total: u32 = rounds.iter().sum();
    CorrectionRounds {
        mean: (!rounds.is_empty()).then(|| round_to(f64::from(total) / rounds.len() as f64, 100.0)),
        max: rounds.iter().copied().max().unwrap_or(0),
        corrected: rounds.iter().filter(|r| **r > 0).count() as u32,
    }
}

/// Median (mean of the two middle values for an even count) and the
/// nearest-rank 90th percentile: a value some request actually took.
fn turnaround(mut hours: Vec<f64>) -> Turnaround {
    hours.sort_by(f64::total_cmp);
    let n = hours.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(hours[n / 2]),
        _ => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
    };
    let p90 = (n > 0).then(|| hours[(n * 9).div_ceil(10) - 1]);
    Turnaround {
        median: median.map(|h| round_to(h, 10.0)),
        p90: p90.map(|h| round_to(h, 10.0)),
        count: n as u32,
    }
}

fn round_to(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

/// Codes met in the year's verdicts, each counted once per request cycle,
/// so one request checked ten times with the same mistake counts once: the
/// list says how many requests a problem touched, which is what training
/// or a better template can reduce. Most common first, then by code.
fn top_problems(fy: FiscalYear, tz: &Tz, cycles: &[Cycle]) -> Vec<ProblemRow> {
    let mut counts: BTreeMap<&str, (u32, bool)> = BTreeMap::new();
    for cycle in cycles {
        let mut codes: BTreeMap<&str, bool> = BTreeMap::new();
        for v in cycle
            .verdicts
            .iter()
            .filter(|v| in_year(fy, tz, &v.at.to_utc()).is_some())
        {
            for code in &v.errors {
                codes.insert(code.as_str(), true);
            }
            for code in &v.warnings {
                codes.entry(code.as_str()).or_insert(false);
            }
        }
        for (code, is_error) in codes {
            let entry = counts.entry(code).or_default();
            entry.0 += 1;
            entry.1 |= is_error;
        }
    }
    let mut rows: Vec<ProblemRow> = counts
        .into_iter()
        .map(|(code, (count, is_error))| ProblemRow {
            code: code.to_string(),
            count,
            severity: if is_error { "error" } else { "warning" }.to_string(),
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    rows.truncate(TOP_PROBLEMS);
    rows
}

/// Group names as typed by staff vary in spacing; one space between words.
fn normalize_group(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Category slugs by slug or Thai name, as a request may name either.
struct Labels<'a> {
    categories: HashMap<&'a str, &'a str>,
}

impl<'a> Labels<'a> {
    fn new(categories: &'a [Category]) -> Self {
        let mut map = HashMap::new();
        for c in categories {
            map.insert(c.name.trim(), c.slug.as_str());
            map.insert(c.slug.trim(), c.slug.as_str());
        }
        Labels { categories: map }
    }

    fn category(&self, raw: &str) -> String {
        let raw = raw.trim();
        self.categories.get(raw).copied().unwrap_or(raw).to_string()
    }
}

/// site.yaml's groups first (all of them, zeros too, so every year's table
/// has the same rows), then names it does not list, then the unnamed.
fn ordered_groups(configured: &[String], mut rows: HashMap<String, GroupRow>) -> Vec<GroupRow> {
    let mut out = Vec::new();
    for name in configured.iter().map(|g| normalize_group(g)) {
        let row = rows.remove(&name).unwrap_or(GroupRow {
            group: name,
            received: 0,
            published: 0,
            accepted: 0,
        });
        out.push(row);
    }
    let mut rest: Vec<GroupRow> = rows.into_values().collect();
    rest.sort_by(|a, b| {
        a.group
            .is_empty()
            .cmp(&b.group.is_empty())
            .then(a.group.cmp(&b.group))
    });
    out.extend(rest);
    out
}

/// site.yaml's categories first, then slugs it does not list, then none.
fn ordered_categories(
    configured: &[Category],
    mut counts: HashMap<String, u32>,
) -> Vec<CategoryRow> {
    let mut out: Vec<CategoryRow> = configured
        .iter()
        .map(|c| CategoryRow {
            slug: c.slug.clone(),
            published: counts.remove(&c.slug).unwrap_or(0),
            name: c.name.clone(),
        })
        .collect();
    let mut rest: Vec<CategoryRow> = counts
        .into_iter()
        .map(|(slug, published)| CategoryRow {
            slug,
            published,
            name: String::new(),
        })
        .collect();
    rest.sort_by(|a, b| {
        a.slug
            .is_empty()
            .cmp(&b.slug.is_empty())
            .then(a.slug.cmp(&b.slug))
    });
    out.extend(rest);
    out
}
