//! From log lines to the story of each request and each news item: request
//! *cycles* (first seen → verdicts → accepted) and *publications* (when each
//! news item first went live). The figures of the report are counted from
//! these, so the rules of who belongs to what live here, once.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::NewsItem;
use crate::records::log::{Checked, Event, Log as ServiceLog};

/// One pass of a request through the service. A request's name can be
/// reused: a `seen` after the cycle was accepted starts a new cycle.
#[derive(Debug)]
pub(crate) struct Cycle<'a> {
    /// When it was received: its `seen`, or, when the log lacks one (a log
    /// begun mid-way, a lost line), its first other event.
    pub seen: DateTime<Utc>,
    /// Verdicts in time order, all before acceptance.
    pub verdicts: Vec<&'a Checked>,
    /// When intake took it, and the news id it became.
    pub accepted: Option<(DateTime<Utc>, &'a str)>,
    /// When it was found gone from `requests/` before intake took it.
    pub withdrawn: Option<DateTime<Utc>>,
    /// The last group and category the log names for it.
    pub group: Option<&'a str>,
    pub category: Option<&'a str>,
}

/// A news item counted as published, with the evidence of when.
#[derive(Debug)]
pub(crate) struct Publication<'a> {
    /// The local date it was published on.
    pub date: NaiveDate,
    /// Its first verified publication, when the log has one.
    pub live: Option<DateTime<Utc>>,
    /// The cycle that produced it, when the log has its acceptance.
    pub cycle: Option<usize>,
    /// When its requester asked it to go live, if later than received.
    pub publish_at: Option<DateTime<Utc>>,
    pub group: Option<&'a str>,
    pub category: Option<&'a str>,
}

#[derive(Debug, Default)]
pub(crate) struct History<'a> {
    pub cycles: Vec<Cycle<'a>>,
    pub publications: Vec<Publication<'a>>,
}

/// A non-empty, trimmed label, or nothing.
fn label(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl<'a> History<'a> {
    /// Events are taken in time order (stable for equal instants), not file
    /// order, so a log whose parts were merged by git still tells each
    /// request's story in the order it happened.
    pub fn build(log: &'a ServiceLog, news: &'a [NewsItem], tz: &Tz) -> Self {
        let mut events: Vec<(DateTime<Utc>, &Event)> = log
            .events
            .iter()
            .filter_map(|e| Some((e.at()?.to_utc(), e)))
            .collect();
        events.sort_by_key(|(at, _)| *at);

        let mut history = History::default();
        let mut open: HashMap<&str, usize> = HashMap::new();
        let mut news_cycle: HashMap<&str, usize> = HashMap::new();
        let mut first_live: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for (at, event) in events {
            match event {
                Event::Seen { request, .. } => {
                    history.open_cycle(&mut open, request, at);
                }
                Event::Checked(c) => {
                    let i = history.open_cycle(&mut open, &c.request, at);
                    let cycle = &mut history.cycles[i];
                    cycle.verdicts.push(c);
                    cycle.group = label(&c.group).or(cycle.group);
                    cycle.category = label(&c.category).or(cycle.category);
                }
                Event::Accepted(a) => {
                    let i = history.open_cycle(&mut open, &a.request, at);
                    open.remove(a.request.as_str());
                    let cycle = &mut history.cycles[i];
                    cycle.accepted = Some((at, a.news.as_str()));
                    cycle.group = label(&a.group).or(cycle.group);
                    cycle.category = label(&a.category).or(cycle.category);
                    news_cycle.entry(a.news.as_str()).or_insert(i);
                }
                Event::Withdrawn { request, .. } => {
                    if let Some(i) = open.remove(request.as_str()) {
                        history.cycles[i].withdrawn = Some(at);
                    }
                }
                Event::Live { news, .. } => {
                    first_live.entry(news.as_str()).or_insert(at);
                }
                Event::Other => {}
            }
        }
        history.publications = publications(news, &history.cycles, &news_cycle, &first_live, tz);
        history
    }

    /// The open cycle of `request`, or a new one received at `at`.
    fn open_cycle(
        &mut self,
        open: &mut HashMap<&'a str, usize>,
        request: &'a str,
        at: DateTime<Utc>,
    ) -> usize {
        *open.entry(request).or_insert_with(|| {
            self.cycles.push(Cycle {
                seen: at,
                verdicts: Vec::new(),
                accepted: None,
                withdrawn: None,
                group: None,
                category: None,
            });
            self.cycles.len() - 1
        })
    }
}

/// Every news item that has been published, and when.
///
/// A news item's first `live` event is its publication. A news item the log
/// accepted but never saw live is not published yet (its deploy has not been
/// verified). A news item the log knows nothing of (made by hand, or from
/// before the log) is published at its `accepted` time, else at its `date`
/// (00:00 local). Group and category come from the site's news item (the
/// officer may have corrected them since), else from the log.
fn publications<'a>(
    news: &'a [NewsItem],
    cycles: &[Cycle<'a>],
    news_cycle: &HashMap<&'a str, usize>,
    first_live: &HashMap<&'a str, DateTime<Utc>>,
    tz: &Tz,
) -> Vec<Publication<'a>> {
    let site: HashMap<&str, &NewsItem> = news.iter().map(|n| (n.news.as_str(), n)).collect();
    let mut ids: Vec<&'a str> = news.iter().map(|n| n.news.as_str()).collect();
    ids.extend(news_cycle.keys().copied());
    ids.extend(first_live.keys().copied());
    ids.sort_unstable();
    ids.dedup();

    let mut out = Vec::new();
    for id in ids {
        let item = site.get(id).copied();
        let cycle = news_cycle.get(id).copied();
        let live = first_live.get(id).copied();
        let date = match (live, cycle, item) {
            (Some(live), _, _) => live.with_timezone(tz).date_naive(),
            (None, Some(_), _) | (None, None, None) => continue,
            (None, None, Some(item)) => match item.accepted {
                Some(accepted) => accepted.with_timezone(tz).date_naive(),
                None => item.date,
            },
        };
        let from_log = cycle.map(|i| &cycles[i]);
        let from_site =
            |f: fn(&NewsItem) -> &str| item.map(f).map(str::trim).filter(|s| !s.is_empty());
        out.push(Publication {
            date,
            live,
            cycle,
            publish_at: item.and_then(|n| n.publish_at).map(|t| t.to_utc()),
            group: from_site(|n| &n.group).or(from_log.and_then(|c| c.group)),
            category: from_site(|n| &n.category).or(from_log.and_then(|c| c.category)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Bangkok;

    fn history_of(lines: &str) -> (ServiceLog, Vec<NewsItem>) {
        (ServiceLog::parse(lines.as_bytes()), Vec::new())
    }

    #[test]
    fn a_cycle_without_its_seen_starts_at_its_first_event() {
        let (log, news) = history_of(
            r#"{"at":"2026-01-05T10:00:00+07:00","event":"checked","request":"a","ok":false,"errors":["bad-date"]}
{"at":"2026-01-06T10:00:00+07:00","event":"accepted","request":"a","news":"news/2026/a"}
{"at":"2026-01-07T10:00:00+07:00","event":"accepted","request":"b","news":"news/2026/b"}"#,
        );
        let h = History::build(&log, &news, &Bangkok);
        assert_eq!(h.cycles.len(), 2);
        assert_eq!(h.cycles[0].seen.to_rfc3339(), "2026-01-05T03:00:00+00:00");
        assert_eq!(h.cycles[0].verdicts.len(), 1);
        assert_eq!(h.cycles[1].seen, h.cycles[1].accepted.unwrap().0);
        // Accepted but never verified live: not published.
        assert!(h.publications.is_empty());
    }

    #[test]
    fn a_repeated_seen_does_not_open_a_second_cycle() {
        let (log, news) = history_of(
            r#"{"at":"2026-01-05T10:00:00+07:00","event":"seen","request":"a"}
{"at":"2026-01-05T11:00:00+07:00","event":"seen","request":"a"}
{"at":"2026-01-06T10:00:00+07:00","event":"accepted","request":"a","news":"news/2026/a"}
{"at":"2026-01-07T10:00:00+07:00","event":"seen","request":"a"}"#,
        );
        let h = History::build(&log, &news, &Bangkok);
        assert_eq!(
            h.cycles.len(),
            2,
            "the seen after acceptance is a new request"
        );
        assert!(h.cycles[0].accepted.is_some() && h.cycles[1].accepted.is_none());
    }
}
