//! `khao build`: content → images → render → check pages (steps 3–5).
//!
//! The output folder ends up holding exactly this build's files: anything
//! an earlier build left (a deleted news item's pages and photos) is removed,
//! and a file whose bytes did not change is not rewritten.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::checkpages::{self, PageProblem};
use crate::config::SiteConfig;
use crate::content;
use crate::diagnostic::{Diagnostic, Severity};
use crate::i18n::tr;
use crate::images::{self, ImageStats, ProcessedImage};
use crate::render;

/// What a build did; `--format json` prints it as SPEC.md's build object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub news: usize,
    pub images: ImageStats,
    /// Content problems (bad front matter, photos that would not process)
    /// and page-check problems; any error means exit 1.
    pub problems: Vec<PageProblem>,
    /// Every file written, relative to `out`, sorted.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    #[serde(skip)]
    pub content_diagnostics: Vec<Diagnostic>,
    /// Wall time of the build, in seconds.
    pub seconds: f64,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write; default `public/` in the site folder.
    pub out: Option<PathBuf>,
    /// Show a progress bar (only shown on a terminal anyway).
    pub progress: bool,
}

/// The folder khao keeps its caches in, inside the site folder.
pub fn cache_dir(site_dir: &Path) -> PathBuf {
    site_dir.join(".khao").join("cache")
}

/// Builds the site in `site_dir` into `public/` (or `options.out`).
pub fn build_site(
    site_dir: &Path,
    config: &SiteConfig,
    options: &BuildOptions,
) -> anyhow::Result<BuildReport> {
    let started = Instant::now();
    let lang = config.language;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| site_dir.join("public"));
    std::fs::create_dir_all(&out)?;

    let (site, content_diagnostics) = content::load_site(site_dir, config.clone());
    let mut problems: Vec<PageProblem> = content_diagnostics.iter().map(content_problem).collect();

    let jobs = render::image_jobs(&site);
    let progress = options.progress && std::io::stderr().is_terminal();
    let (results, stats) = images::process_all_in(
        &jobs,
        &config.images,
        &cache_dir(site_dir).join("images"),
        &out,
        progress,
        lang,
    );
    let mut processed: BTreeMap<PathBuf, ProcessedImage> = BTreeMap::new();
    let mut image_files: Vec<PathBuf> = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok(image) => {
                image_files.extend(
                    image
                        .variants
                        .iter()
                        .map(|v| PathBuf::from(v.url.trim_start_matches('/'))),
                );
                processed.insert(job.source.clone(), image);
            }
            Err(message) => problems.push(PageProblem {
                severity: Severity::Error,
                code: "bad-image",
                page: job
                    .source
                    .strip_prefix(site_dir)
                    .unwrap_or(&job.source)
                    .to_path_buf(),
                target: None,
                message: tr(lang, "build.bad_image", &[("error", &message)]),
            }),
        }
    }

    let rendered = render::render_site(&site, &processed, &out)?;
    let mut files: BTreeSet<PathBuf> = rendered.files.iter().cloned().collect();
    files.extend(image_files);
    // The search index reads the pages just written (src/search.rs).
    files.extend(crate::search::index_site(&out, &rendered.files, &cache_dir(site_dir))?);
    let files: Vec<PathBuf> = files.into_iter().collect();
    remove_stale(&out, &files)?;

    problems.extend(checkpages::check_pages(
        &out,
        &files,
        &config.base_url(),
        lang,
    ));

    Ok(BuildReport {
        out,
        pages: rendered.pages,
        news: rendered.news,
        images: stats,
        problems,
        files,
        content_diagnostics,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn content_problem(d: &Diagnostic) -> PageProblem {
    let mut page = d.file.clone().unwrap_or_default();
    if let Some(line) = d.line {
        page = PathBuf::from(format!("{}:{}", page.display(), line));
    }
    PageProblem {
        severity: d.severity,
        code: d.code,
        page,
        target: None,
        message: d.message.clone(),
    }
}

/// Deletes every file under `out` that this build did not produce, then the
/// folders left empty.
fn remove_stale(out: &Path, keep: &[PathBuf]) -> std::io::Result<()> {
    let keep: BTreeSet<&Path> = keep.iter().map(PathBuf::as_path).collect();
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let Ok(entry) = entry else { continue };
        let rel = entry.path().strip_prefix(out).unwrap_or(entry.path());
        if entry.file_type().is_dir() {
            dirs.push(entry.path().to_path_buf());
        } else if !keep.contains(rel) {
            std::fs::remove_file(entry.path())?;
        }
    }
    // Deepest first, so a folder is emptied before its parent is tried.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(d); // fails, harmlessly, when not empty
    }
    Ok(())
}

/// Writes `bytes` to `path` unless the file already holds exactly them, so
/// an unchanged page keeps its modification time. A new version goes to a
/// temporary file renamed over the old one: `khao serve` never hands out a
/// half-written page, and a file hard-linked elsewhere (the photo cache, a
/// deployed release) is replaced, never changed in place.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(false);
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    // Temporary files are private (0600); a published page is for everyone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(true)
}
