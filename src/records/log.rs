//! The service log, `records/service-log.jsonl`: one JSON object per line,
//! appended, never rewritten. It is what the office's report
//! (`khao report`) counts: when each request was first seen, every verdict
//! of a check, when it was accepted, when its news was verified live.
//!
//! A request is known by its name under `requests/`; a name can come back
//! later for another request, so a request's *cycle* runs from a `seen` to
//! its `accepted`, and the next `seen` of the name starts a new one.

use std::collections::HashMap;
use std::io::{Read, Seek, Write};
use std::path::Path;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::{Deserialize, Serialize};

/// One line of the log. Reading is lenient — unknown fields are ignored,
/// an unknown kind of event is [`Event::Other`] — so that a log written by
/// another version of khao still reads.
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
    Checked(Checked),
    /// Intake took the request in.
    Accepted(Accepted),
    /// The request left `requests/` before intake took it in: the
    /// requester took it back (or renamed it: a new name is a new request).
    Withdrawn {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        request: String,
    },
    /// A deploy verified the news page on the live site.
    Live {
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        news: String,
        #[serde(default)]
        url: Option<String>,
    },
    /// A kind of event this version does not know.
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    pub request: String,
    #[serde(default)]
    pub ok: bool,
    /// The codes of its errors and warnings, one per diagnostic.
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// A hash of the request's files as checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        !self.ok || !self.errors.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    pub request: String,
    /// `news/<yyyy>/<slug>`
    pub news: String,
    /// Where the request is kept as received (`records/requests/...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The requester's receipt, relative to the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Event {
    /// When it happened (`None` for an unknown kind).
    pub fn at(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Event::Seen { at, .. } | Event::Withdrawn { at, .. } | Event::Live { at, .. } => {
                Some(*at)
            }
            Event::Checked(c) => Some(c.at),
            Event::Accepted(a) => Some(a.at),
            Event::Other => None,
        }
    }
}

/// The log as read: its events, and the lines that could not be.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    pub events: Vec<Event>,
    /// 1-based numbers of lines that are not events (a hand edit, a merge).
    pub skipped_lines: Vec<usize>,
}

impl Log {
    /// The events of the log's bytes: a line that is not an event, or not
    /// UTF-8 (cut inside a Thai letter by a crash while appending), is
    /// skipped and counted, never the end of the records.
    pub fn parse(bytes: &[u8]) -> Log {
        let mut log = Log::default();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let Ok(line) = std::str::from_utf8(line) else {
                log.skipped_lines.push(i + 1);
                continue;
            };
            let line = line.trim_start_matches('\u{feff}').trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Event>(line) {
                Ok(event) => log.events.push(event),
                Err(_) => log.skipped_lines.push(i + 1),
            }
        }
        log
    }
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

/// Reads the log; a line that does not parse is skipped, never fatal.
pub fn read(path: &Path) -> std::io::Result<Log> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Log::parse(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Log::default()),
        Err(e) => Err(e),
    }
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
        .read(true)
        .append(true)
        .open(path)?;
    // A last line cut short (a crash while appending) gets its line end
    // first, so that it does not swallow the next event.
    let mut cut_short = false;
    if f.metadata()?.len() > 0 {
        let mut last = [0u8];
        f.seek(std::io::SeekFrom::End(-1))?;
        f.read_exact(&mut last)?;
        cut_short = last[0] != b'\n';
    }
    for (i, e) in events.iter().enumerate() {
        let mut line = Vec::new();
        if i == 0 && cut_short {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, e).map_err(std::io::Error::other)?;
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
            Event::Checked(c) => {
                let cycle = self.open.entry(c.request.clone()).or_insert(Cycle {
                    seen: c.at,
                    last: None,
                });
                let digest = c.digest.clone().unwrap_or_default();
                cycle.last = Some((c.ok, digest, c.errors.clone(), c.warnings.clone()));
            }
            Event::Accepted(a) => {
                self.open.remove(&a.request);
                let record = NewsRecord {
                    request: a.request.clone(),
                    accepted: a.at,
                    receipt: a.receipt.clone(),
                    title: a.title.clone().unwrap_or_default(),
                    live: None,
                };
                self.news.insert(a.news.clone(), record);
            }
            Event::Withdrawn { request, .. } => {
                self.open.remove(request);
            }
            Event::Live { at, news, url } => {
                if let Some(n) = self.news.get_mut(news)
                    && n.live.is_none()
                {
                    n.live = Some((*at, url.clone().unwrap_or_default()));
                }
            }
            Event::Other => {}
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
            Event::Accepted(Accepted {
                at,
                request: "a".into(),
                news: "news/2026/a".into(),
                record: Some("records/requests/2026/a".into()),
                receipt: Some("requests/a.receipt.txt".into()),
                title: Some("t".into()),
                group: Some("g".into()),
                category: Some("pr".into()),
            }),
            Event::Live {
                at,
                news: "news/2026/a".into(),
                url: Some("https://x/".into()),
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
        let log = read(&path).unwrap();
        assert_eq!(log.events, events);
        assert_eq!(log.skipped_lines, [3]);
        let h = History::of(&events);
        assert!(h.open.is_empty());
        assert!(h.news["news/2026/a"].live.is_some());
    }

    /// A crash while appending cuts the last line, maybe inside a Thai
    /// letter: that line is skipped, and the next event is whole.
    #[test]
    fn a_line_cut_inside_a_letter_is_skipped_and_the_next_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let at = DateTime::parse_from_rfc3339("2026-11-27T22:58:21+07:00").unwrap();
        let seen = |request: &str| Event::Seen {
            at,
            request: request.into(),
        };
        append(&path, &[seen("ข่าวแรก"), seen("ข่าวที่สอง")]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let cut = bytes.len() - "สอง\"}\n".len() + 1;
        std::fs::write(&path, &bytes[..cut]).unwrap();
        assert!(
            std::fs::read_to_string(&path).is_err(),
            "cut inside a letter"
        );
        append(&path, &[seen("ข่าวที่สาม")]).unwrap();
        let log = read(&path).unwrap();
        assert_eq!(log.events, [seen("ข่าวแรก"), seen("ข่าวที่สาม")]);
        assert_eq!(log.skipped_lines, [2]);
    }
}
