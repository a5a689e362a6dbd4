//! `khao intake`: every valid request becomes `content/news/<yyyy>/<slug>/`,
//! copied to a temporary folder, verified, renamed into place, and only then
//! removed from `requests/`.
//!
//! Crash safety: the copy is made in a hidden folder inside `content/news/`
//! (same file system, so the final rename is atomic), every file is checked
//! against the source's size and blake3 hash and synced to disk before the
//! rename, and the request is removed only after the rename. A crash leaves
//! either the request (and at most a hidden temporary folder, cleaned up on
//! the next run) or the complete news item; when both remain, the next run
//! sees that the news matches the request and finishes by removing it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde::Serialize;

use crate::check::{self, Checked, Draft};
use crate::config::SiteConfig;
use crate::content::{NewsFrontMatter, Requester};
use crate::i18n::tr;

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
    pub error: String,
}

fn rel(site_dir: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(site_dir)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Takes in every valid request of the site in `site_dir`.
pub fn intake_all(site_dir: &Path, config: &SiteConfig) -> anyhow::Result<IntakeReport> {
    let news_root = site_dir.join("content").join("news");
    clean_leftovers(&news_root, &site_dir.join("requests"));
    let lang = config.language;
    let mut report = IntakeReport::default();
    for c in check::check_paths(site_dir, config, &[]) {
        let request = rel(site_dir, &c.path);
        if let Some(draft) = &c.draft {
            match take_in(&news_root, &c, draft) {
                Ok(news) => {
                    remove_request(&c.path);
                    report.accepted.push(Accepted {
                        request,
                        news: rel(site_dir, &news),
                    });
                }
                Err(e) => report.failed.push(Failed {
                    request,
                    error: tr(lang, "intake.copy_failed", &[("error", &format!("{e:#}"))]),
                }),
            }
            continue;
        }
        if let Some(news) = finished_earlier(site_dir, config, &c) {
            remove_request(&c.path);
            report.accepted.push(Accepted {
                request,
                news: rel(site_dir, &news),
            });
            continue;
        }
        let path = match check::report::write(&c, lang) {
            Ok(p) => p,
            Err(_) => crate::request::report_path(&c.path),
        };
        report.rejected.push(Rejected {
            request,
            report: rel(site_dir, &path),
        });
    }
    Ok(report)
}

/// The news folder of a draft.
pub fn news_dir(news_root: &Path, draft: &Draft) -> PathBuf {
    news_root
        .join(format!("{:04}", draft.date.year()))
        .join(&draft.slug)
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
                remove_path(&e.path());
            }
        }
    }
}

fn remove_path(p: &Path) {
    let _ = if p.is_dir() && !p.is_symlink() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    };
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
    if std::fs::rename(path, &hidden).is_ok() {
        remove_path(&hidden);
    } else {
        remove_path(path);
    }
    if !report.starts_with(path) {
        let _ = std::fs::remove_file(report);
    }
}

/// The files a draft publishes besides `index.md`.
fn media(draft: &Draft) -> Vec<String> {
    let mut files: Vec<String> = draft
        .images
        .iter()
        .map(|i| i.file.clone())
        .chain(draft.attachments.iter().map(|a| a.file.clone()))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The front matter intake writes.
fn front_matter(c: &Checked, draft: &Draft, published: String) -> NewsFrontMatter {
    let received = c
        .request
        .as_ref()
        .map(|r| chrono::DateTime::<chrono::Local>::from(r.modified).to_rfc3339());
    NewsFrontMatter {
        title: draft.title.clone(),
        slug: Some(draft.slug.clone()),
        date: draft.date.format("%Y-%m-%d").to_string(),
        category: draft.category.clone(),
        tags: draft.tags.clone(),
        summary: draft.summary.clone(),
        requester: Some(Requester {
            name: draft.requester_name.clone(),
            group: draft.requester_group.clone(),
        }),
        cover: draft.cover.clone(),
        images: draft.images.clone(),
        attachments: draft.attachments.clone(),
        pinned: draft.pinned,
        received,
        published: Some(published),
    }
}

fn index_text(front: &NewsFrontMatter, body: &str) -> anyhow::Result<String> {
    let yaml = serde_yaml::to_string(front)?;
    Ok(format!("---\n{yaml}---\n{body}"))
}

/// Copies, verifies, syncs and renames one request into place.
fn take_in(news_root: &Path, c: &Checked, draft: &Draft) -> anyhow::Result<PathBuf> {
    let src_dir = c.request.as_ref().map(|r| r.dir()).unwrap_or_default();
    let dest = news_dir(news_root, draft);
    if dest.exists() {
        anyhow::bail!("{} exists", dest.display());
    }
    std::fs::create_dir_all(news_root)?;
    let tmp = news_root.join(format!(
        "{TEMP_PREFIX}{}-{}",
        draft.slug,
        std::process::id()
    ));
    remove_path(&tmp);
    let result = (|| -> anyhow::Result<()> {
        std::fs::create_dir(&tmp)?;
        for file in media(draft) {
            let src = src_dir.join(&file);
            let dst = tmp.join(&file);
            if let Some(parent) = dst.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let (size, hash) = copy_hashed(&src, &dst)?;
            let (size2, hash2) = hash_file(&dst)?;
            if size != size2 || hash != hash2 {
                anyhow::bail!("{file}: the copy differs from the original");
            }
        }
        let front = front_matter(c, draft, chrono::Local::now().to_rfc3339());
        let text = index_text(&front, &draft.body)?;
        write_synced(&tmp.join("index.md"), text.as_bytes())?;
        sync_dir(&tmp);
        let year_dir = dest.parent().unwrap_or(news_root);
        std::fs::create_dir_all(year_dir)?;
        std::fs::rename(&tmp, &dest)?;
        sync_dir(year_dir);
        Ok(())
    })();
    if result.is_err() {
        remove_path(&tmp);
    }
    result.map(|_| dest)
}

/// Copies `src` to `dst`, syncs it, returns the size and hash of what was read.
fn copy_hashed(src: &Path, dst: &Path) -> anyhow::Result<(u64, blake3::Hash)> {
    let mut input = std::fs::File::open(src)?;
    let mut output = std::fs::File::create(dst)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        size += n as u64;
    }
    output.sync_all()?;
    Ok((size, hasher.finalize()))
}

fn hash_file(path: &Path) -> anyhow::Result<(u64, blake3::Hash)> {
    let mut input = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let size = std::io::copy(&mut input, &mut hasher)?;
    Ok((size, hasher.finalize()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Syncs a directory's entries (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// When a request's only problem is that its news already exists, and that
/// news is exactly this request (an earlier intake stopped before removing
/// it), the news folder.
fn finished_earlier(site_dir: &Path, config: &SiteConfig, c: &Checked) -> Option<PathBuf> {
    if c.diagnostics
        .iter()
        .any(|d| d.is_error() && d.code != "duplicate")
    {
        return None;
    }
    let fresh = check::check_request(&c.path, site_dir, config);
    let draft = fresh.draft.as_ref()?;
    let dest = news_dir(&site_dir.join("content").join("news"), draft);
    let text = std::fs::read_to_string(dest.join("index.md")).ok()?;
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let existing: NewsFrontMatter = serde_yaml::from_str(&rest[..end + 1]).ok()?;
    let body = &rest[end + 5..];
    let mut expected = front_matter(
        &fresh,
        draft,
        existing.published.clone().unwrap_or_default(),
    );
    expected.received = existing.received.clone();
    if expected != existing || body != draft.body {
        return None;
    }
    let src_dir = fresh.request.as_ref()?.dir();
    for file in media(draft) {
        if hash_file(&src_dir.join(&file)).ok()? != hash_file(&dest.join(&file)).ok()? {
            return None;
        }
    }
    Some(dest)
}

/// `khao intake`.
pub fn run(ctx: &crate::commands::Context) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return crate::commands::config_failed(ctx, &e),
    };
    let lang = config.language;
    let report = match intake_all(&ctx.site_dir, &config) {
        Ok(r) => r,
        Err(e) => {
            let message = tr(lang, "intake.failed", &[("error", &format!("{e:#}"))]);
            if ctx.json() {
                println!(
                    "{}",
                    serde_json::json!({ "error": { "code": "intake", "message": message } })
                );
            } else {
                eprintln!("{message}");
            }
            return crate::exit::CONTENT;
        }
    };
    if ctx.json() {
        println!(
            "{}",
            serde_json::to_string(&report).unwrap_or_else(|_| "{}".into())
        );
    } else {
        for a in &report.accepted {
            println!(
                "{}",
                tr(
                    lang,
                    "intake.accepted",
                    &[
                        ("request", &a.request.display().to_string()),
                        ("news", &a.news.display().to_string())
                    ]
                )
            );
        }
        for r in &report.rejected {
            println!(
                "{}",
                tr(
                    lang,
                    "intake.rejected",
                    &[
                        ("request", &r.request.display().to_string()),
                        ("report", &r.report.display().to_string())
                    ]
                )
            );
        }
        for f in &report.failed {
            eprintln!(
                "{}",
                tr(
                    lang,
                    "intake.failed_one",
                    &[
                        ("request", &f.request.display().to_string()),
                        ("error", &f.error)
                    ]
                )
            );
        }
        println!(
            "{}",
            tr(
                lang,
                "intake.summary",
                &[
                    ("accepted", &report.accepted.len().to_string()),
                    ("rejected", &report.rejected.len().to_string()),
                    ("failed", &report.failed.len().to_string()),
                ],
            )
        );
    }
    if report.rejected.is_empty() && report.failed.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::CONTENT
    }
}
