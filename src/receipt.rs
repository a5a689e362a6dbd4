//! The requester's receipt, `requests/<name>.receipt.txt`: once intake
//! takes a request, it says the news was received and waits to be
//! published; once a deploy has verified the news live, it is rewritten:
//! "เผยแพร่แล้ว", the title, the live URL, the date and time, and two lines
//! ready to paste into LINE or Facebook. Text files Windows Notepad shows
//! correctly (UTF-8 with a BOM, CRLF), in the site's language.
//!
//! A receipt's first line ends with "(khao)": that is how khao knows its
//! own receipts. A staff member's file that happens to have the receipt's
//! name is never overwritten: the receipt takes another name
//! (`<name>.receipt-2.txt`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::check::report::notepad_text;
use crate::config::SiteConfig;
use crate::i18n::Message;
use crate::plumbing::fs::write_atomic;
use crate::records::{Event, Records, RecordsError};
use crate::thaidate::format_instant;

/// What a receipt says.
pub enum State<'a> {
    /// Taken in; `scheduled` when `publish_at` holds it back.
    Received {
        accepted: DateTime<FixedOffset>,
        scheduled: Option<DateTime<FixedOffset>>,
    },
    /// Verified on the live site.
    Live {
        url: &'a str,
        at: DateTime<FixedOffset>,
    },
}

/// The mark khao's receipts end their first line with.
const MARK: &str = "(khao)";

/// The receipt's text (LF line ends).
pub fn text(title: &str, request: &str, state: &State, config: &SiteConfig) -> String {
    let lang = config.language;
    let tz = config.tz();
    let m = |key: &str| Message::new(key);
    let mut lines: Vec<String> = Vec::new();
    match state {
        State::Received {
            accepted,
            scheduled,
        } => {
            lines.push(format!(
                "{} {MARK}",
                m("receipt.title_received").render(lang)
            ));
            lines.push(String::new());
            lines.push(m("receipt.news").arg("title", title).render(lang));
            lines.push(m("receipt.request").arg("request", request).render(lang));
            lines.push(m("receipt.state_received").render(lang));
            let when = format_instant(accepted, tz, lang);
            lines.push(m("receipt.accepted_at").arg("when", when).render(lang));
            if let Some(t) = scheduled {
                let when = format_instant(t, tz, lang);
                lines.push(m("receipt.scheduled").arg("when", when).render(lang));
            }
            lines.push(String::new());
            lines.push(m("receipt.wait").render(lang));
        }
        State::Live { url, at } => {
            lines.push(format!("{} {MARK}", m("receipt.title_live").render(lang)));
            lines.push(String::new());
            lines.push(m("receipt.news").arg("title", title).render(lang));
            lines.push(m("receipt.request").arg("request", request).render(lang));
            lines.push(m("receipt.state_live").render(lang));
            lines.push(m("receipt.url").arg("url", url).render(lang));
            let when = format_instant(at, tz, lang);
            lines.push(m("receipt.live_at").arg("when", when).render(lang));
            lines.push(String::new());
            lines.push(m("receipt.share").render(lang));
            lines.push(title.to_string());
            lines.push(url.to_string());
        }
    }
    if !config.office.phone.is_empty() {
        lines.push(String::new());
        lines.push(
            m("receipt.contact")
                .arg("phone", &config.office.phone)
                .render(lang),
        );
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The receipt's usual path for the request named `request`.
pub fn usual_path(requests_dir: &Path, request: &str) -> PathBuf {
    let stem = Path::new(request)
        .file_stem()
        .filter(|_| !requests_dir.join(request).is_dir())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| request.to_string());
    requests_dir.join(format!("{stem}{}", crate::request::RECEIPT_SUFFIX))
}

/// Whether the file at `path` is one of khao's receipts.
pub fn is_ours(path: &Path) -> bool {
    let Ok(bytes) = crate::plumbing::fs::read_regular(path) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    text.lines()
        .next()
        .is_some_and(|l| l.trim_end().ends_with(MARK))
}

/// Writes a receipt at `known` (the one written before, if still ours) or
/// at the usual path, or — when a staff file has that name — at the first
/// free `<name>.receipt-N.txt`. Returns the path and whether it had to take
/// another name.
pub fn write(
    requests_dir: &Path,
    request: &str,
    known: Option<&Path>,
    text: &str,
) -> std::io::Result<(PathBuf, bool)> {
    let usual = usual_path(requests_dir, request);
    let path = match known.filter(|p| !p.exists() || is_ours(p)) {
        Some(p) => p.to_path_buf(),
        None => free_name(&usual),
    };
    write_atomic(&path, &notepad_text(text))?;
    let renamed = path != usual;
    Ok((path, renamed))
}

/// `usual` unless a file that is not a receipt has its name.
fn free_name(usual: &Path) -> PathBuf {
    if !usual.exists() || is_ours(usual) {
        return usual.to_path_buf();
    }
    let name = usual
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".txt");
    (2..)
        .map(|n| usual.with_file_name(format!("{stem}-{n}.txt")))
        .find(|p| !p.exists() || is_ours(p))
        .unwrap_or_else(|| usual.to_path_buf())
}

/// Removes khao's receipts last written more than `days` days before `now`.
pub fn remove_old(requests_dir: &Path, days: u32, now: DateTime<FixedOffset>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(requests_dir) else {
        return Vec::new();
    };
    let limit = std::time::Duration::from_secs(u64::from(days) * 86_400);
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.timestamp().max(0) as u64);
    let mut removed = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let receipt_like = name.contains(".receipt") && name.ends_with(".txt");
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|m| now.duration_since(m).is_ok_and(|age| age > limit));
        if receipt_like && old && is_ours(&path) && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// A news item verified live by this deploy, for the first time.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Announced {
    /// `news/<yyyy>/<slug>`
    pub news: String,
    pub url: String,
    /// Its receipt, relative to the site, when there is one.
    pub receipt: Option<PathBuf>,
}

/// The pages (relative to `public/`) of news accepted but not yet verified
/// live, which exist in this build: the live check must fetch them.
pub fn pending_pages(records: &Records, public: &Path) -> Result<Vec<String>, RecordsError> {
    let history = records.history()?;
    let mut pages: Vec<String> = history
        .news
        .iter()
        .filter(|(_, n)| n.live.is_none())
        .map(|(id, _)| format!("{id}/index.html"))
        .filter(|page| public.join(page).is_file())
        .collect();
    pages.sort();
    Ok(pages)
}

/// After a deploy whose live check passed for `verified` (pages relative
/// to `public/`): logs `live` for each news item seen live for the first
/// time and rewrites its receipt ("เผยแพร่แล้ว", the URL).
pub fn announce_live(
    site_dir: &Path,
    config: &SiteConfig,
    verified: &[String],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Announced>, RecordsError> {
    let records = Records::of(site_dir);
    let history = records.history()?;
    let requests_dir = site_dir.join(crate::plumbing::paths::REQUESTS_DIR);
    let mut announced = Vec::new();
    let mut events = Vec::new();
    let mut ids: Vec<&String> = history.news.keys().collect();
    ids.sort();
    for id in ids {
        let n = &history.news[id];
        if n.live.is_some() || !verified.iter().any(|p| *p == format!("{id}/index.html")) {
            continue;
        }
        let url = format!(
            "{}{}",
            config.base_url(),
            crate::verify::url_path(&format!("{id}/index.html"))
        );
        let known = n.receipt.as_ref().map(|r| site_dir.join(r));
        let text = text(
            &n.title,
            &n.request,
            &State::Live { url: &url, at: now },
            config,
        );
        let receipt = write(&requests_dir, &n.request, known.as_deref(), &text)
            .ok()
            .map(|(p, _)| crate::plumbing::paths::relative_to(site_dir, &p));
        events.push(Event::Live {
            at: now,
            news: id.clone(),
            url: Some(url.clone()),
        });
        announced.push(Announced {
            news: id.clone(),
            url,
            receipt,
        });
    }
    records.append(&events)?;
    Ok(announced)
}
