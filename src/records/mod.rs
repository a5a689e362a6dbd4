//! The office's records of the service, `records/` (committed with the
//! site, never published):
//!
//! - every accepted request as it was received, byte for byte with its
//!   last report, under `records/requests/<yyyy>/<slug>/` ([`Records::keep`]); a
//!   record is never overwritten: a second request with the same slug gets
//!   `<slug>-2`;
//! - the service log, `records/service-log.jsonl` ([`log`]).
//!
//! `khao check`, `watch`, the preview and intake all [`Records::observe`] what they
//! checked, so the log knows when each request was first seen and every
//! verdict it had.

pub mod log;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::check::Checked;
use crate::diagnostic::{Code, Failure, Severity};
use crate::i18n::Message;
use crate::plumbing::fs::{copy_verified, remove_path, sync_dir};
use crate::plumbing::paths::{RECORDS_DIR, slash};
pub use log::{Event, History};

/// Why a record could not be kept.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordsError {
    Io { path: PathBuf, error: String },
}

crate::display_failure!(RecordsError);

impl Failure for RecordsError {
    fn code(&self) -> Code {
        Code::Records
    }

    fn message(&self) -> Message {
        let RecordsError::Io { path, error } = self;
        Message::new("records.failed")
            .arg("file", path.display())
            .arg_msg("error", crate::i18n::os_error(error))
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> RecordsError + '_ {
    move |e| RecordsError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// The records of the site in a site folder.
#[derive(Debug, Clone)]
pub struct Records {
    site_dir: PathBuf,
}

impl Records {
    pub fn of(site_dir: &Path) -> Records {
        Records {
            site_dir: site_dir.to_path_buf(),
        }
    }

    /// `records/service-log.jsonl`
    pub fn log_path(&self) -> PathBuf {
        self.site_dir.join(RECORDS_DIR).join("service-log.jsonl")
    }

    /// The log (unreadable lines skipped, and counted).
    pub fn log(&self) -> Result<log::Log, RecordsError> {
        let path = self.log_path();
        log::read(&path).map_err(io_error(&path))
    }

    pub fn history(&self) -> Result<History, RecordsError> {
        Ok(History::of(&self.log()?.events))
    }

    pub fn append(&self, events: &[Event]) -> Result<(), RecordsError> {
        let path = self.log_path();
        log::append(&path, events).map_err(io_error(&path))
    }

    /// Notes what a check found: a `seen` for a request with no open
    /// cycle, and its verdict when it differs from the last. Returns, per
    /// request in order, when it was first seen (its `received`).
    pub fn observe(
        &self,
        checked: &[Checked],
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<DateTime<FixedOffset>>, RecordsError> {
        let history = self.history()?;
        let requests_dir = self.site_dir.join(crate::plumbing::paths::REQUESTS_DIR);
        let requests_dir = std::fs::canonicalize(&requests_dir).unwrap_or(requests_dir);
        let mut events = Vec::new();
        let mut received = Vec::with_capacity(checked.len());
        for c in checked {
            let name = c.name();
            let cycle = history.open.get(&name);
            // Only the requests of requests/ are the service's (`khao check`
            // of a file elsewhere is not).
            let parent = c
                .path
                .parent()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
            if parent.as_deref() != Some(requests_dir.as_path()) {
                received.push(now);
                continue;
            }
            if cycle.is_none() {
                events.push(Event::Seen {
                    at: now,
                    request: name.clone(),
                });
            }
            received.push(cycle.map_or(now, |c| c.seen));
            let verdict = verdict(c);
            if cycle.and_then(|c| c.last.as_ref()) != Some(&verdict) {
                let (ok, digest, errors, warnings) = verdict;
                events.push(Event::Checked(log::Checked {
                    at: now,
                    request: name,
                    ok,
                    errors,
                    warnings,
                    digest: Some(digest),
                    title: c.title.clone(),
                    group: c.group.clone(),
                    category: c.category.clone(),
                }));
            }
        }
        self.append(&events)?;
        Ok(received)
    }

    /// Notes that each request seen and not taken in whose file or folder
    /// is no longer in `requests/` was withdrawn, so the report does not
    /// count it as waiting. Returns their names. Nothing is noted when
    /// `requests/` cannot be listed whole (an unreadable folder is not an
    /// empty one).
    pub fn note_withdrawn(&self, now: DateTime<FixedOffset>) -> Result<Vec<String>, RecordsError> {
        let dir = self.site_dir.join(crate::plumbing::paths::REQUESTS_DIR);
        let present: Option<std::collections::HashSet<String>> =
            std::fs::read_dir(&dir).ok().and_then(|entries| {
                let names =
                    entries.map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()));
                names.collect()
            });
        let Some(present) = present else {
            return Ok(Vec::new());
        };
        let history = self.history()?;
        let mut gone: Vec<String> = (history.open.keys())
            .filter(|name| !present.contains(*name))
            .cloned()
            .collect();
        gone.sort();
        let events: Vec<Event> = (gone.iter())
            .map(|request| Event::Withdrawn {
                at: now,
                request: request.clone(),
            })
            .collect();
        self.append(&events)?;
        Ok(gone)
    }

    /// Keeps the request as received — every file byte for byte, and its
    /// last report — under `records/requests/<yyyy>/<slug>/` (or
    /// `<slug>-2`...: never over another record). Returns the record's
    /// folder, relative to the site.
    pub fn keep(&self, request: &Path, year: i32, slug: &str) -> Result<PathBuf, RecordsError> {
        let parent = self
            .site_dir
            .join(RECORDS_DIR)
            .join("requests")
            .join(format!("{year:04}"));
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let candidates = (1..).map(|n| match n {
            1 => parent.join(slug),
            n => parent.join(format!("{slug}-{n}")),
        });
        let mut dest = parent.join(slug);
        for candidate in candidates {
            if !candidate.exists() {
                dest = candidate;
                break;
            }
            // Kept already by a run that stopped before it finished.
            if same_files(request, &candidate) {
                return Ok(crate::plumbing::paths::relative_to(
                    &self.site_dir,
                    &candidate,
                ));
            }
        }
        remove_leftovers(&parent);
        let tmp = parent.join(format!("{TEMP_PREFIX}{slug}-{}", std::process::id()));
        let result = copy_request(request, &tmp).and_then(|()| {
            sync_dir(&tmp);
            std::fs::rename(&tmp, &dest).map_err(io_error(&dest))
        });
        if result.is_err() {
            let _ = remove_path(&tmp);
        }
        result?;
        sync_dir(&parent);
        Ok(crate::plumbing::paths::relative_to(&self.site_dir, &dest))
    }
}

/// The start of the name a record has while it is copied.
const TEMP_PREFIX: &str = ".khao-record-";

/// Removes records left half copied in `dir` by runs that were stopped
/// (the machine shut down, the process killed): `records/` is committed
/// with the site. Intake holds the site's lock, so no other run is copying.
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = remove_path(&entry.path());
        }
    }
}

/// Copies a request folder (every file, the report included, khao's
/// hidden temporaries left out) or a single file with its report.
fn copy_request(request: &Path, dest: &Path) -> Result<(), RecordsError> {
    std::fs::create_dir_all(dest).map_err(io_error(dest))?;
    if request.is_dir() {
        for entry in walkdir::WalkDir::new(request)
            .min_depth(1)
            .follow_links(false)
        {
            let entry = entry.map_err(|e| RecordsError::Io {
                path: request.to_path_buf(),
                error: e.to_string(),
            })?;
            let rel = entry.path().strip_prefix(request).unwrap_or(entry.path());
            if !entry.file_type().is_file() || rel.to_string_lossy().starts_with(".khao") {
                continue;
            }
            copy_verified(entry.path(), &dest.join(rel)).map_err(io_error(entry.path()))?;
        }
        return Ok(());
    }
    for file in [request.to_path_buf(), crate::request::report_path(request)] {
        if let Some(name) = file.file_name().filter(|_| file.is_file()) {
            copy_verified(&file, &dest.join(name)).map_err(io_error(&file))?;
        }
    }
    Ok(())
}

/// Whether the record at `record` holds exactly the files of `request`.
fn same_files(request: &Path, record: &Path) -> bool {
    let files = if request.is_dir() {
        crate::request::list_files(request).files
    } else {
        request.file_name().map(PathBuf::from).into_iter().collect()
    };
    let base = if request.is_dir() {
        request.to_path_buf()
    } else {
        request.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    !files.is_empty()
        && files.iter().all(|rel| {
            let (a, b) = (base.join(rel), record.join(rel));
            crate::plumbing::fs::hash_file(&a).ok() == crate::plumbing::fs::hash_file(&b).ok()
        })
}

/// A request's verdict as the log keeps it: (ok, digest of its files, error
/// codes, warning codes).
fn verdict(c: &Checked) -> (bool, String, Vec<String>, Vec<String>) {
    let codes = |s: Severity| -> Vec<String> {
        c.diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .map(|d| d.code.as_str().to_string())
            .collect()
    };
    (
        c.ok(),
        digest(&c.path),
        codes(Severity::Error),
        codes(Severity::Warning),
    )
}

/// A hash of a request's files: names, sizes and modification times.
pub fn digest(path: &Path) -> String {
    let mut h = blake3::Hasher::new();
    let files = if path.is_dir() {
        crate::request::list_files(path).files
    } else {
        vec![PathBuf::new()]
    };
    for rel in files {
        h.update(slash(&rel).as_bytes());
        let file = if rel.as_os_str().is_empty() {
            path.to_path_buf()
        } else {
            path.join(&rel)
        };
        if let Some((len, mtime)) = crate::plumbing::fs::file_stamp(&file) {
            h.update(&len.to_le_bytes());
            h.update(&mtime.to_le_bytes());
        }
    }
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_gone_from_the_folder_before_intake_is_noted_withdrawn_once() {
        let site = tempfile::tempdir().unwrap();
        let requests = site.path().join("requests");
        std::fs::create_dir_all(requests.join("kept")).unwrap();
        let records = Records::of(site.path());
        let at = DateTime::parse_from_rfc3339("2026-11-27T10:00:00+07:00").unwrap();
        let seen = |request: &str| Event::Seen {
            at,
            request: request.into(),
        };
        records.append(&[seen("kept"), seen("gone")]).unwrap();
        assert_eq!(records.note_withdrawn(at).unwrap(), ["gone"]);
        assert_eq!(records.note_withdrawn(at).unwrap(), Vec::<String>::new());
        let history = records.history().unwrap();
        assert!(history.open.contains_key("kept") && !history.open.contains_key("gone"));

        // requests/ cannot be listed: nothing is taken for withdrawn.
        std::fs::remove_dir_all(&requests).unwrap();
        assert!(records.note_withdrawn(at).unwrap().is_empty());
    }
}
