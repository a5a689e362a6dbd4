//! The service log, `records/service-log.jsonl`: one JSON object per line,
//! appended, never rewritten. It is what the office's report
//! (`khao report`) counts: when each request was first seen, every verdict
//! of a check, when it was accepted, when its news was verified live.
//!
//! A request is known by its name under `requests/`; a name can come back
//! later for another request, so a request's *cycle* runs from a `seen` to
//! its `accepted`, and the next `seen` of the name starts a new one.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::{Deserialize, Serialize};

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// khao saw the request for the first time (in watch, check, the
    /// preview or intake).
    Seen {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        request: String,
    },
    /// A check's verdict, written when it differs from the last one of
    /// the cycle (same files, same codes: not a new verdict).
    Checked {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        request: String,
        ok: bool,
        errors: Vec<String>,
        warnings: Vec<String>,
        /// A hash of the request's files as checked.
        digest: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    /// Intake took the request in.
    Accepted {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        request: String,
        /// `news/<yyyy>/<slug>`
        news: String,
        /// Where the request is kept as received (`records/requests/...`).
        record: String,
        /// The requester's receipt, relative to the site.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt: Option<String>,
        title: String,
        group: String,
        category: String,
    },
    /// A deploy verified the news page on the live site.
    Live {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        news: String,
        url: String,
    },
}

/// Instants as RFC 3339 with their offset, to the second.
mod rfc3339 {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, false))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

/// Reads the log; a line that does not parse (a hand edit, a merge) is
/// skipped, never fatal.
pub fn read(path: &Path) -> std::io::Result<Vec<Event>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// Appends events, each one line written in one call, so that processes
/// appending at the same time (watch and publish) never mix their lines.
pub fn append(path: &Path, events: &[Event]) -> std::io::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for e in events {
        let mut line = serde_json::to_vec(e).map_err(std::io::Error::other)?;
        line.push(b'\n');
        f.write_all(&line)?;
    }
    f.sync_data()
}

/// What the log says, by request and by news item.
#[derive(Debug, Default)]
pub struct History {
    /// Each request name's open cycle (seen, not yet accepted).
    pub open: HashMap<String, Cycle>,
    /// Each news item (`news/<yyyy>/<slug>`) accepted: its acceptance and
    /// its first verification live.
    pub news: HashMap<String, NewsRecord>,
}

/// A request between its first sighting and its acceptance.
#[derive(Debug, Clone)]
pub struct Cycle {
    pub seen: DateTime<FixedOffset>,
    /// The last verdict: (ok, digest, errors, warnings).
    pub last: Option<(bool, String, Vec<String>, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct NewsRecord {
    pub request: String,
    pub accepted: DateTime<FixedOffset>,
    pub receipt: Option<String>,
    pub title: String,
    pub live: Option<(DateTime<FixedOffset>, String)>,
}

impl History {
    pub fn of(events: &[Event]) -> History {
        let mut h = History::default();
        for e in events {
            h.add(e);
        }
        h
    }

    fn add(&mut self, e: &Event) {
        match e {
            Event::Seen { at, request } => {
                self.open.entry(request.clone()).or_insert(Cycle {
                    seen: *at,
                    last: None,
                });
            }
            Event::Checked {
                at,
                request,
                ok,
                errors,
                warnings,
                digest,
                ..
            } => {
                let cycle = self.open.entry(request.clone()).or_insert(Cycle {
                    seen: *at,
                    last: None,
                });
                cycle.last = Some((*ok, digest.clone(), errors.clone(), warnings.clone()));
            }
            Event::Accepted {
                at,
                request,
                news,
                receipt,
                title,
                ..
            } => {
                self.open.remove(request);
                self.news.insert(
                    news.clone(),
                    NewsRecord {
                        request: request.clone(),
                        accepted: *at,
                        receipt: receipt.clone(),
                        title: title.clone(),
                        live: None,
                    },
                );
            }
            Event::Live { at, news, url } => {
                if let Some(n) = self.news.get_mut(news)
                    && n.live.is_none()
                {
                    n.live = Some((*at, url.clone()));
                }
            }
        }
    }
}

/// An instant as the log writes it.
pub fn stamp(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_bad_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let at = DateTime::parse_from_rfc3339("2026-11-27T22:58:21+07:00").unwrap();
        let events = vec![
            Event::Seen {
                at,
                request: "a".into(),
            },
            Event::Accepted {
                at,
                request: "a".into(),
                news: "news/2026/a".into(),
                record: "records/requests/2026/a".into(),
                receipt: Some("requests/a.receipt.txt".into()),
                title: "t".into(),
                group: "g".into(),
                category: "pr".into(),
            },
            Event::Live {
                at,
                news: "news/2026/a".into(),
                url: "https://x/".into(),
            },
        ];
        append(&path, &events[..2]).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("not json\n");
        std::fs::write(&path, text).unwrap();
        append(&path, &events[2..]).unwrap();
        assert_eq!(read(&path).unwrap(), events);
        let h = History::of(&events);
        assert!(h.open.is_empty());
        assert!(h.news["news/2026/a"].live.is_some());
    }
}
