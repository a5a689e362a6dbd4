//! Step 4's first half, `khao intake`: every valid request becomes
//! `content/news/<yyyy>/<slug>/`, copied to a temporary folder, verified,
//! renamed into place, and only then removed from `requests/`.
//!
//! Crash safety: the copy is made in a hidden folder inside `content/news/`
//! (same file system, so the final rename is atomic), every file is checked
//! against the source's size and blake3 hash and synced to disk before the
//! rename, and the request is removed only after the rename. A crash leaves
//! either the request (and at most a hidden temporary folder, cleaned up on
//! the next run) or the complete news item; when both remain, the next run
//! sees that the news matches the request and finishes by removing it.

use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde::Serialize;

use crate::check::{self, Checked};
use crate::config::SiteConfig;
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::news::News;
use crate::plumbing::fs::{copy_verified, hash_file, remove_path, sync_dir, write_atomic};
use crate::plumbing::paths::{self, CONTENT_DIR, REQUESTS_DIR};

/// Hidden name prefix of intake's temporary copies in `content/news/`.
const TEMP_PREFIX: &str = ".khao-intake-";
/// Hidden name prefix of a request being removed from `requests/`.
const TAKEN_PREFIX: &str = ".khao-taken-";

#[derive(Debug, Clone, Default, Serialize)]
pub struct IntakeReport {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejected>,
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
        };
        Message::new("intake.copy_failed").arg("error", detail)
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> IntakeError + '_ {
    move |e| IntakeError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// Takes in every valid request of the site in `site_dir`. Rejected
/// requests get their report file (in the site's language).
pub fn intake_all(site_dir: &Path, config: &SiteConfig) -> IntakeReport {
    let news_root = site_dir.join(CONTENT_DIR).join("news");
    clean_leftovers(&news_root, &site_dir.join(REQUESTS_DIR));
    let mut report = IntakeReport::default();
    for c in check::check_paths(site_dir, config, &[]) {
        let request = paths::relative_to(site_dir, &c.path);
        if let Some(news) = &c.news {
            match take_in(&news_root, &c, news) {
                Ok(dest) => {
                    remove_request(&c.path);
                    report.accepted.push(Accepted {
                        request,
                        news: paths::relative_to(site_dir, &dest),
                    });
                }
                Err(error) => report.failed.push(Failed { request, error }),
            }
            continue;
        }
        if let Some(dest) = finished_earlier(site_dir, config, &c) {
            remove_request(&c.path);
            report.accepted.push(Accepted {
                request,
                news: paths::relative_to(site_dir, &dest),
            });
            continue;
        }
        let path = check::report::write(&c, config.language)
            .unwrap_or_else(|_| crate::request::report_path(&c.path));
        report.rejected.push(Rejected {
            request,
            report: paths::relative_to(site_dir, &path),
        });
    }
    report
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

/// The item as intake writes it: the request's news, accepted now.
fn accepted_news(
    c: &Checked,
    news: &News,
    accepted: chrono::DateTime<chrono::FixedOffset>,
) -> News {
    let mut news = news.clone();
    if news.received.is_none() {
        news.received = c
            .request
            .as_ref()
            .map(|r| chrono::DateTime::<chrono::Local>::from(r.modified).fixed_offset());
    }
    news.accepted = Some(accepted);
    news
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
            copy_verified(&src_dir.join(&file), &dst).map_err(io_error(&dst))?;
        }
        let now = chrono::Local::now().fixed_offset();
        let text = accepted_news(c, news, now).to_index_md();
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

/// When a request's only problem is that its news already exists, and that
/// news is exactly this request (an earlier intake stopped before removing
/// it), the news folder.
fn finished_earlier(site_dir: &Path, config: &SiteConfig, c: &Checked) -> Option<PathBuf> {
    if c.diagnostics
        .iter()
        .any(|d| d.is_error() && d.code != Code::Duplicate)
    {
        return None;
    }
    let fresh = check::check_request(&c.path, site_dir, config);
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
    let src_dir = fresh.request.as_ref()?.dir();
    for file in news.media() {
        if hash_file(&src_dir.join(&file)).ok()? != hash_file(&dest.join(&file)).ok()? {
            return None;
        }
    }
    Some(dest)
}
