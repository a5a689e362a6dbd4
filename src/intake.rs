//! Step 4's first half, `khao intake`: every valid request becomes
//! `content/news/<yyyy>/<slug>/`, copied to a temporary folder, verified,
//! renamed into place, and only then removed from `requests/` — after it
//! was kept as received in `records/` ([`crate::records`]). The requester
//! gets a receipt ([`crate::receipt`]) and the service log an `accepted`.
//! A request whose files changed within `requests.settle_seconds` (still
//! being copied over the share) waits for the next run. Files are copied
//! as sent, but for a Word request's pictures (written from the document)
//! and the GPS positions of the photos inside Office and PDF attachments,
//! which are removed on the way ([`made`]).
//!
//! Crash safety: the copy is made in a hidden folder inside `content/news/`
//! (same file system, so the final rename is atomic), every file is checked
//! against the source's size and blake3 hash and synced to disk before the
//! rename, and the request is removed only after the rename. A crash leaves
//! either the request (and at most a hidden temporary folder, cleaned up on
//! the next run) or the complete news item; when both remain, the next run
//! sees that the news matches the request and finishes by removing it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

use crate::check::{self, Checked};
use crate::config::SiteConfig;
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::news::News;
use crate::plumbing::fs::{copy_verified, hash_file, remove_path, sync_dir, write_atomic};
use crate::plumbing::paths::{self, CONTENT_DIR, REQUESTS_DIR};
use crate::receipt;
use crate::records::log::Accepted as AcceptedEvent;
use crate::records::{Event, Records, RecordsError};
use crate::request::Request;

/// Hidden name prefix of intake's temporary copies in `content/news/`.
const TEMP_PREFIX: &str = ".khao-intake-";
/// Hidden name prefix of a request being removed from `requests/`.
const TAKEN_PREFIX: &str = ".khao-taken-";

#[derive(Debug, Clone, Default, Serialize)]
pub struct IntakeReport {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejected>,
    /// Requests whose files changed too recently: they wait.
    pub waiting: Vec<Waiting>,
    /// Valid requests that could not be copied (disk full, a folder in the
    /// way...): they stay in `requests/` untouched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<Failed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The request as it was in `requests/`.
    pub request: PathBuf,
    /// The news folder it became.
    pub news: PathBuf,
    /// Where it is kept as received.
    pub record: PathBuf,
    /// The requester's receipt.
    pub receipt: Option<PathBuf>,
    /// A staff file had the receipt's usual name: the receipt took another.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub receipt_renamed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub request: PathBuf,
    /// Seconds until it has been still for `requests.settle_seconds`.
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub request: PathBuf,
    /// Its report file.
    pub report: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub request: PathBuf,
    #[serde(skip)]
    pub error: IntakeError,
}

/// Why a valid request could not be taken in; it stays as it is.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IntakeError {
    /// The news folder is already there (and is not this request).
    Exists(PathBuf),
    /// Copying or writing failed.
    Io { path: PathBuf, error: String },
    /// It could not be kept in `records/`.
    Record(crate::records::RecordsError),
}

crate::display_failure!(IntakeError);

impl Failure for IntakeError {
    fn code(&self) -> Code {
        Code::Intake
    }

    fn message(&self) -> Message {
        let detail = match self {
            IntakeError::Exists(p) => format!("{} exists", p.display()),
            IntakeError::Io { path, error } => format!("{}: {error}", path.display()),
            // Its own words: the file of records/ it could not write.
            IntakeError::Record(e) => return e.message(),
        };
        Message::new("intake.copy_failed").arg_msg("error", crate::i18n::os_error(detail))
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> IntakeError + '_ {
    move |e| IntakeError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// Takes in every valid request of the site in `site_dir`, at `now`.
/// Rejected requests get their report file (in the site's language); a
/// log that cannot be read or written stops intake before it moves
/// anything.
pub fn intake_all(
    site_dir: &Path,
    config: &SiteConfig,
    now: DateTime<FixedOffset>,
) -> Result<IntakeReport, RecordsError> {
    let news_root = site_dir.join(CONTENT_DIR).join("news");
    let requests_dir = site_dir.join(REQUESTS_DIR);
    clean_leftovers(&news_root, &requests_dir);
    receipt::remove_old(&requests_dir, config.requests.receipt_days, now);
    check::prune_cache(site_dir);
    let records = Records::of(site_dir);
    records.note_withdrawn(now)?;
    let mut report = IntakeReport::default();
    let (settled, waiting) = settled(&requests_dir, config.requests.settle_seconds);
    report.waiting = waiting
        .into_iter()
        .map(|(p, seconds)| Waiting {
            request: paths::relative_to(site_dir, &p),
            seconds,
        })
        .collect();
    if settled.is_empty() {
        return Ok(report);
    }
    let checked = check::check_paths(site_dir, config, &settled, now.date_naive());
    let received = records.observe(&checked, now)?;
    for (c, received) in checked.into_iter().zip(received) {
        let request = paths::relative_to(site_dir, &c.path);
        match take(site_dir, config, &records, &c, received, now) {
            Some(Ok(accepted)) => report.accepted.push(accepted),
            Some(Err(error)) => report.failed.push(Failed { request, error }),
            None => {
                let path = check::report::write(&c, config.language)
                    .unwrap_or_else(|_| crate::request::report_path(&c.path));
                report.rejected.push(Rejected {
                    request,
                    report: paths::relative_to(site_dir, &path),
                });
            }
        }
    }
    Ok(report)
}

/// The requests still for `settle_seconds` (by their files' modification
/// times), and the others with how long until they are.
fn settled(requests_dir: &Path, settle_seconds: f64) -> (Vec<PathBuf>, Vec<(PathBuf, f64)>) {
    let settle = Duration::try_from_secs_f64(settle_seconds.max(0.0)).unwrap_or_default();
    let now = SystemTime::now();
    let mut settled = Vec::new();
    let mut waiting = Vec::new();
    for path in crate::request::list_requests(requests_dir) {
        let age = crate::request::last_change(&path)
            .and_then(|t| now.duration_since(t).ok())
            .unwrap_or(settle);
        if age >= settle {
            settled.push(path);
        } else {
            let left = (settle - age).as_secs_f64();
            waiting.push((path, (left * 10.0).ceil() / 10.0));
        }
    }
    (settled, waiting)
}

/// Takes one checked request in: `None` when it is not valid (and is not
/// the leftover of a run that stopped half way).
fn take(
    site_dir: &Path,
    config: &SiteConfig,
    records: &Records,
    c: &Checked,
    received: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> Option<Result<Accepted, IntakeError>> {
    let (news, dest) = match &c.news {
        Some(news) => {
            let mut news = news.clone();
            news.received.get_or_insert(received);
            news.accepted = Some(now);
            (news, None)
        }
        None => {
            let (news, dest) = finished_earlier(site_dir, config, c, now)?;
            (news, Some(dest))
        }
    };
    Some(accept(site_dir, config, records, c, &news, dest, now))
}

/// Keeps the request, puts the item in place (unless an earlier run did),
/// removes the request, writes the receipt and logs the acceptance.
fn accept(
    site_dir: &Path,
    config: &SiteConfig,
    records: &Records,
    c: &Checked,
    news: &News,
    done: Option<PathBuf>,
    now: DateTime<FixedOffset>,
) -> Result<Accepted, IntakeError> {
    let news_root = site_dir.join(CONTENT_DIR).join("news");
    let name = c.name();
    // The report as the staff member last saw it goes into the record too.
    let _ = check::report::write(c, config.language);
    let record = records
        .keep(&c.path, news.date.year(), &news.slug)
        .map_err(IntakeError::Record)?;
    let dest = match done {
        Some(dest) => dest,
        None => take_in(&news_root, c, news)?,
    };
    remove_request(&c.path);
    let news_id = paths::slash(&paths::relative_to(&site_dir.join(CONTENT_DIR), &dest));
    let requests_dir = site_dir.join(REQUESTS_DIR);
    let state = receipt::State::Received {
        accepted: now,
        scheduled: news.publish_at.filter(|t| *t > now),
    };
    let text = receipt::text(&news.title, &name, &state, config);
    let written = receipt::write(&requests_dir, &name, None, &text).ok();
    let receipt_rel = written
        .as_ref()
        .map(|(p, _)| paths::relative_to(site_dir, p));
    records
        .append(&[Event::Accepted(AcceptedEvent {
            at: now,
            request: name,
            news: news_id,
            record: Some(paths::slash(&record)),
            receipt: receipt_rel.as_ref().map(|p| paths::slash(p)),
            title: Some(news.title.clone()),
            group: Some(news.requester.group.clone()),
            category: Some(news.category.clone()),
        })])
        .map_err(IntakeError::Record)?;
    Ok(Accepted {
        request: paths::relative_to(site_dir, &c.path),
        news: paths::relative_to(site_dir, &dest),
        record,
        receipt: receipt_rel,
        receipt_renamed: written.is_some_and(|(_, renamed)| renamed),
    })
}

/// The news folder of an item.
pub fn news_dir(news_root: &Path, news: &News) -> PathBuf {
    news_root
        .join(format!("{:04}", news.date.year()))
        .join(&news.slug)
}

/// Removes temporary copies of an interrupted run, and requests whose
/// removal was interrupted (their news is complete: they were renamed only
/// after it was in place).
fn clean_leftovers(news_root: &Path, requests_dir: &Path) {
    for (dir, prefix) in [(news_root, TEMP_PREFIX), (requests_dir, TAKEN_PREFIX)] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                let _ = remove_path(&e.path());
            }
        }
    }
}

/// Removes a request that is now news: renamed to a hidden name first, so
/// a half-deleted request is never read again.
fn remove_request(path: &Path) {
    let report = crate::request::report_path(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hidden = path.with_file_name(format!("{TAKEN_PREFIX}{name}"));
    let _ = if std::fs::rename(path, &hidden).is_ok() {
        remove_path(&hidden)
    } else {
        remove_path(path)
    };
    if !report.starts_with(path) {
        let _ = std::fs::remove_file(report);
    }
}

/// Copies, verifies, syncs and renames one request into place.
fn take_in(news_root: &Path, c: &Checked, news: &News) -> Result<PathBuf, IntakeError> {
    let src_dir = c.request.as_ref().map(|r| r.dir()).unwrap_or_default();
    let dest = news_dir(news_root, news);
    if dest.exists() {
        return Err(IntakeError::Exists(dest));
    }
    std::fs::create_dir_all(news_root).map_err(io_error(news_root))?;
    let tmp = news_root.join(format!("{TEMP_PREFIX}{}-{}", news.slug, std::process::id()));
    let _ = remove_path(&tmp);
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(io_error(&tmp))?;
        for file in news.media() {
            let dst = tmp.join(&file);
            match c.request.as_ref().and_then(|r| made(r, &file)) {
                Some(bytes) => {
                    let bytes = bytes.map_err(io_error(&c.path))?;
                    write_atomic(&dst, &bytes).map_err(io_error(&dst))?
                }
                None => copy_verified(&src_dir.join(&file), &dst).map_err(io_error(&dst))?,
            }
        }
        let text = news.to_index_md();
        let index = tmp.join("index.md");
        write_atomic(&index, text.as_bytes()).map_err(io_error(&index))?;
        sync_dir(&tmp);
        let year_dir = dest.parent().unwrap_or(news_root);
        std::fs::create_dir_all(year_dir).map_err(io_error(year_dir))?;
        std::fs::rename(&tmp, &dest).map_err(io_error(&dest))?;
        sync_dir(year_dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = remove_path(&tmp);
    }
    result.map(|()| dest)
}

/// The bytes intake writes for `file` of `request` when they are not the
/// file's own: a Word request's picture (written from the document), or
/// an Office or PDF attachment whose photos' GPS positions are removed
/// (attachments are published as they are; see [`crate::news::documents`]).
/// `None`: the file is copied as it is.
fn made(request: &Request, file: &str) -> Option<std::io::Result<Vec<u8>>> {
    use crate::news::documents;
    if let Some(picture) = request.picture(file) {
        return Some(picture);
    }
    if !documents::is_searched(Path::new(file)) {
        return None;
    }
    match crate::plumbing::fs::read_regular(&request.dir().join(file)) {
        Ok(bytes) => documents::without_gps(Path::new(file), &bytes).map(Ok),
        Err(e) => Some(Err(e)),
    }
}

/// When a request's only problem is that its news already exists, and that
/// news is exactly this request (an earlier intake stopped before removing
/// it): the item as it is in `content/news/`, and its folder.
fn finished_earlier(
    site_dir: &Path,
    config: &SiteConfig,
    c: &Checked,
    now: DateTime<FixedOffset>,
) -> Option<(News, PathBuf)> {
    if c.diagnostics
        .iter()
        .any(|d| d.is_error() && d.code != Code::Duplicate)
    {
        return None;
    }
    let fresh = check::check_request(&c.path, site_dir, config, now.date_naive());
    let news = fresh.news.as_ref()?;
    let dest = news_dir(&site_dir.join(CONTENT_DIR).join("news"), news);
    let (site, _) = crate::content::load_site(site_dir, config.clone());
    let existing = site.news.iter().find(|n| n.dir == dest)?;
    let mut expected = news.clone();
    expected.received = existing.news.received;
    expected.accepted = existing.news.accepted;
    if expected != existing.news {
        return None;
    }
    let request = fresh.request.as_ref()?;
    for file in news.media() {
        let source = match made(request, &file) {
            Some(bytes) => {
                let bytes = bytes.ok()?;
                (bytes.len() as u64, blake3::hash(&bytes))
            }
            None => hash_file(&request.dir().join(&file)).ok()?,
        };
        if source != hash_file(&dest.join(&file)).ok()? {
            return None;
        }
    }
    Some((existing.news.clone(), dest))
}
