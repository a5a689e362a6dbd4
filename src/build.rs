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
    /// Files made again because something they depend on changed (the
    /// rest were skipped: their inputs hash as in the previous build).
    pub rendered: usize,
    /// Files whose bytes on disk changed.
    pub written: usize,
    /// Pages read and checked again in step 5.
    pub checked: usize,
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
    /// Keep the search index of the last build instead of rebuilding it:
    /// `khao serve` reloads the page first and re-indexes afterwards
    /// ([`crate::search::index_site`]), because indexing every page takes
    /// seconds on a large site and the officer is waiting for the page.
    pub defer_search: bool,
    /// What this process's previous builds learnt (`khao serve` keeps one
    /// between rebuilds); `None` for a one-off build.
    pub memo: Option<std::sync::Arc<Memo>>,
}

/// In-memory knowledge a long-running process keeps between builds, so a
/// rebuild does not read again what cannot have changed.
#[derive(Debug, Default)]
pub struct Memo {
    pub content: content::Memo,
    pub images: images::Memo,
}

/// The files of the last search index in `out`, kept as they are.
fn existing_search_files(out: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(out.join("pagefind"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(out).ok().map(Path::to_path_buf))
        .collect()
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
    build_site_with(site_dir, config, options, &|_| {})
}

/// [`build_site`], calling `pages_ready` with the problems found so far as
/// soon as every page is written, before the search index, the removal of
/// stale files and step 5:
/// `khao serve` reloads the browser then, and reports what the page checks
/// find a moment later.
pub fn build_site_with(
    site_dir: &Path,
    config: &SiteConfig,
    options: &BuildOptions,
    pages_ready: &dyn Fn(&[PageProblem]),
) -> anyhow::Result<BuildReport> {
    let started = Instant::now();
    let mut timings = Timings::new();
    let lang = config.language;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| site_dir.join("public"));
    std::fs::create_dir_all(&out)?;

    let (site, content_diagnostics) = content::load_site_memo(
        site_dir,
        config.clone(),
        options.memo.as_deref().map(|m| &m.content),
    );
    let mut problems: Vec<PageProblem> = content_diagnostics.iter().map(content_problem).collect();
    timings.lap("content");

    let jobs = render::image_jobs(&site);
    let progress = options.progress && std::io::stderr().is_terminal();
    let (results, stats) = images::process_all_in(
        &jobs,
        &config.images,
        &cache_dir(site_dir).join("images"),
        &out,
        progress,
        lang,
        options.memo.as_deref().map(|m| &m.images),
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

    timings.lap("images");

    let cache_file = build_cache_file(site_dir);
    let previous = BuildCache::load(&cache_file, &out);
    let trusted = previous.is_some();
    let previous = previous.unwrap_or_default();
    timings.lap("cache read");

    let inc = render::render_incremental(&site, &processed, &out, &previous.outputs)?;
    timings.lap("render");
    // Every page is written: a watching browser may reload now (stale
    // files of deleted items go next, the search index and checks after).
    pages_ready(&problems);
    let rendered = &inc.output;
    let mut files: BTreeSet<PathBuf> = rendered.files.iter().cloned().collect();
    files.extend(image_files);
    // The search index reads the pages just written (src/search.rs).
    if options.defer_search {
        files.extend(existing_search_files(&out));
    } else {
        files.extend(crate::search::index_site(
            &out,
            &rendered.files,
            &cache_dir(site_dir),
        )?);
    }
    timings.lap("search index");
    let files: Vec<PathBuf> = files.into_iter().collect();
    let removed: BTreeSet<PathBuf> = if trusted {
        remove_listed(&out, &previous.files, &files)?
    } else {
        remove_stale(&out, &files)?;
        BTreeSet::new()
    };
    timings.lap("stale files");

    let no_check = checkpages::CheckCache::default();
    let checked = checkpages::check_pages_incremental(
        &out,
        &files,
        &inc.rendered,
        &removed,
        if trusted { &previous.checks } else { &no_check },
        &config.base_url(),
        lang,
    );
    problems.extend(checked.problems);
    timings.lap("check pages");

    let cache = BuildCache {
        version: BuildCache::VERSION,
        out: out.clone(),
        files: files.clone(),
        outputs: inc.records,
        checks: checked.cache,
    };
    if let Err(e) = cache.save(&cache_file) {
        // The build itself is fine; the next one is just slower.
        eprintln!("{}: {e}", cache_file.display());
    }
    timings.lap("cache write");

    Ok(BuildReport {
        out,
        pages: rendered.pages,
        news: rendered.news,
        images: stats,
        problems,
        rendered: inc.rendered.len(),
        written: inc.written,
        checked: checked.scanned,
        files,
        content_diagnostics,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Where the build graph is kept between builds.
fn build_cache_file(site_dir: &Path) -> PathBuf {
    cache_dir(site_dir).join("build.json")
}

/// What a build leaves for the next one: every output file with the hash
/// of what it was made from, and what step 5 learned about each page. With
/// it, a rebuild renders, writes and checks only what changed, and removes
/// a deleted item's files without walking `public/`.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
struct BuildCache {
    version: u32,
    /// The output folder it describes (another `--out` starts afresh).
    out: PathBuf,
    /// Every file of the build, relative to `out`.
    files: Vec<PathBuf>,
    outputs: render::RenderCache,
    checks: checkpages::CheckCache,
}

impl BuildCache {
    const VERSION: u32 = 1;

    /// The cache, when there is one for `out` from this version of the
    /// format; anything unreadable means a full build.
    fn load(path: &Path, out: &Path) -> Option<BuildCache> {
        let bytes = std::fs::read(path).ok()?;
        let cache: BuildCache = serde_json::from_slice(&bytes).ok()?;
        (cache.version == Self::VERSION && cache.out == out).then_some(cache)
    }

    fn save(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(self)?;
        write_if_changed(path, &bytes)?;
        Ok(())
    }
}

/// Phase times on stderr when `KHAO_TIMINGS` is set (for profiling).
struct Timings {
    on: bool,
    last: Instant,
}

impl Timings {
    fn new() -> Timings {
        Timings {
            on: std::env::var_os("KHAO_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    fn lap(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            eprintln!(
                "{what:>12}: {:7.1} ms",
                (now - self.last).as_secs_f64() * 1e3
            );
            self.last = now;
        }
    }
}

/// Removes the files the previous build listed and this one does not make
/// (a deleted news item's pages and photos), then their folders if empty.
/// Returns what was removed.
fn remove_listed(
    out: &Path,
    before: &[PathBuf],
    now: &[PathBuf],
) -> std::io::Result<BTreeSet<PathBuf>> {
    let keep: BTreeSet<&Path> = now.iter().map(PathBuf::as_path).collect();
    let mut removed = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    for rel in before {
        if keep.contains(rel.as_path()) {
            continue;
        }
        match std::fs::remove_file(out.join(rel)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut d = rel.parent();
        while let Some(dir) = d {
            if dir.as_os_str().is_empty() {
                break;
            }
            dirs.insert(dir.to_path_buf());
            d = dir.parent();
        }
        removed.insert(rel.clone());
    }
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(out.join(d)); // fails, harmlessly, when not empty
    }
    Ok(removed)
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
