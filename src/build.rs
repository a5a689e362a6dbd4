//! `khao build`: content → images → render (+ search) → check pages
//! (steps 3–5), with the build graph that lets a rebuild redo only what
//! changed.
//!
//! The output folder ends up holding exactly this build's files: anything
//! an earlier build left (a deleted news item's pages and photos) is removed,
//! and a file whose bytes did not change is not rewritten.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};

use serde::Serialize;

use crate::checkpages;
use crate::config::SiteConfig;
use crate::content;
use crate::diagnostic::{Code, Diagnostic, Failure, Severity};
use crate::i18n::{Message, os_error};
use crate::images::{self, ImageStats};
use crate::plumbing::paths::{PUBLIC_DIR, cache_dir};
use crate::plumbing::progress::{Progress, Silent};
use crate::render::{self, RenderError};
use crate::search::SearchError;

mod cache;
mod sources;
mod stale;
use cache::BuildCache;

/// What stops a build (problems with the content are diagnostics instead).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    Render(#[from] RenderError),
    Search(#[from] SearchError),
    Io { path: PathBuf, error: String },
}

crate::display_failure!(BuildError);

impl Failure for BuildError {
    fn code(&self) -> Code {
        match self {
            BuildError::Render(e) => e.code(),
            BuildError::Search(e) => e.code(),
            BuildError::Io { .. } => Code::Write,
        }
    }

    fn message(&self) -> Message {
        match self {
            BuildError::Render(e) => e.message(),
            BuildError::Search(e) => e.message(),
            BuildError::Io { path, error } => Message::new("build.io")
                .arg("file", path.display())
                .arg_msg("error", os_error(error)),
        }
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> BuildError + '_ {
    move |e| BuildError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// What a build did; `--format json` prints it as the build object of
/// docs/commands.md.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub news: usize,
    pub images: ImageStats,
    /// Content problems (bad front matter, photos that would not process)
    /// and page-check problems; any error means exit 1. (The command layer
    /// writes them into the JSON, rendered in the site's language.)
    #[serde(skip)]
    pub problems: Vec<Diagnostic>,
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
    /// Wall time of the build, in seconds.
    pub seconds: f64,
    /// The next instant at which a build would differ (an embargo lifting,
    /// an item ending or leaving the pinned spot), RFC 3339; `None` when
    /// nothing is due.
    pub next_change: Option<String>,
    /// Each phase, for `KHAO_TIMINGS`.
    #[serde(skip)]
    pub timings: Vec<PhaseTime>,
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

#[derive(Clone, Default)]
pub struct BuildOptions {
    /// Where to write; default `public/` in the site folder.
    pub out: Option<PathBuf>,
    /// The build's "now" (docs/news.md, "The clock"); `None`: the clock's.
    pub now: Option<DateTime<FixedOffset>>,
    /// Told how far the photos are (the command layer draws a bar).
    pub progress: Option<Arc<dyn Progress + Send + Sync>>,
    /// What this process's previous builds learnt (`khao serve` keeps one
    /// between rebuilds); `None` for a one-off build, which reads the last
    /// build's from `.khao/cache/` and saves its own there.
    pub memo: Option<std::sync::Arc<Memo>>,
}

/// What a build learnt that the next one can trust while the files are as
/// they were, so a rebuild does not read again what cannot have changed:
/// each Markdown file as parsed, each photo as published, each item's text
/// as HTML. Only a shortcut: lost or unreadable, the build reads
/// everything again.
#[derive(Debug, Default)]
pub struct Memo {
    pub content: content::Memo,
    pub images: images::Memo,
    pub render: render::memo::Memo,
}

/// The memo's folder in the cache folder.
const MEMO_DIR: &str = "memo";

/// Which khao wrote a memo file, for which site folder: a memo made by
/// another khao or for a copied site is not read.
#[derive(Serialize, serde::Deserialize, PartialEq, Eq)]
struct MemoHeader {
    made_by: String,
    site: PathBuf,
}

impl Memo {
    /// The memo saved by the last one-off build, or an empty one.
    pub fn load(site_dir: &Path) -> Memo {
        let (dir, header) = (cache_dir(site_dir, MEMO_DIR), MemoHeader::now(site_dir));
        let ((content, images), render) = rayon::join(
            || {
                rayon::join(
                    || content::Memo::load(&dir, &header),
                    || images::Memo::load(&dir, &header),
                )
            },
            || render::memo::Memo::load(&dir, &header),
        );
        Memo {
            content,
            images,
            render,
        }
    }

    /// Saves what changed, for the next one-off build.
    pub fn save(&self, site_dir: &Path) {
        let (dir, header) = (cache_dir(site_dir, MEMO_DIR), MemoHeader::now(site_dir));
        self.content.save(&dir, &header);
        self.images.save(&dir, &header);
        self.render.save(&dir, &header);
    }
}

impl MemoHeader {
    fn now(site_dir: &Path) -> MemoHeader {
        MemoHeader {
            made_by: made_by(),
            site: site_id(site_dir),
        }
    }
}

/// The site folder, as absolute as it can be made.
fn site_id(site_dir: &Path) -> PathBuf {
    site_dir
        .canonicalize()
        .unwrap_or_else(|_| site_dir.to_path_buf())
}

/// This khao: its version and its binary's size and time.
fn made_by() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| crate::plumbing::fs::file_stamp(&e));
    format!("{} {exe:?}", env!("CARGO_PKG_VERSION"))
}

/// Builds the site in `site_dir` into `public/` (or `options.out`).
pub fn build_site(
    site_dir: &Path,
    config: &SiteConfig,
    options: &BuildOptions,
) -> Result<BuildReport, BuildError> {
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
    pages_ready: &dyn Fn(&[Diagnostic]),
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let mut timings = Timings {
        phases: Vec::new(),
        last: Some((started, crate::plumbing::clock::cpu_seconds())),
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| site_dir.join(PUBLIC_DIR));
    std::fs::create_dir_all(&out).map_err(io_error(&out))?;
    // The theme's templates are parsed, and what the last build left is
    // read, while the content is read.
    let templates = {
        let (root, config) = (site_dir.to_path_buf(), config.clone());
        std::thread::spawn(move || render::Templates::load(&root, &config))
    };
    let cache_folder = cache_dir(site_dir, "");
    let interrupted = Unfinished::mark(&cache_folder);
    let previous = {
        let (dir, out) = (cache_folder.clone(), out.clone());
        std::thread::spawn(move || BuildCache::load(&dir, &out))
    };

    // A one-off build reads the last one's memo and saves its own.
    let memo: Arc<Memo> = match &options.memo {
        Some(m) => Arc::clone(m),
        None => Arc::new(Memo::load(site_dir)),
    };
    timings.lap("memo read");
    let (mut site, mut problems) =
        content::load_site_memo(site_dir, config.clone(), Some(&memo.content));
    let now = options
        .now
        .unwrap_or_else(|| crate::plumbing::clock::now(config.tz()));
    let next_change = site
        .news
        .iter()
        .filter_map(|n| n.news.next_change(&now))
        .min();
    // Under embargo: no page, photo, list entry, feed item, sitemap entry
    // or search entry.
    site.news.retain(|n| !n.news.is_embargoed(&now));
    timings.lap("content");
    let photos = photos(site_dir, &site, &out, options, &memo.images);
    problems.extend(photos.problems);
    timings.lap("images");

    let previous = previous
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    timings.lap("build cache read");
    let trusted = previous.is_some();
    let previous = previous.unwrap_or_default();
    let templates = templates
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let inc = render::render_incremental(
        &site,
        &photos.processed,
        &out,
        render::Previous {
            records: &previous.outputs,
            whole: &photos.whole,
        },
        &now,
        Some(&memo.render),
        templates,
    )?;
    timings.add("render: prepare", inc.prepare_seconds);
    timings.lap("render");
    // Every page is written: a watching browser may reload now (stale
    // files of deleted items go next, the search index and checks after).
    pages_ready(&problems);
    let rendered = &inc.output;
    problems.extend(rendered.problems.iter().cloned());
    let mut files: Vec<PathBuf> = rendered.files.clone();
    files.extend(photos.files);
    // The search index reads the pages just written ([`crate::search`]).
    files.extend(crate::search::index_site(
        &out,
        &inc.searchable,
        &cache_dir(site_dir, ""),
    )?);
    timings.lap("search index");
    crate::plumbing::paths::sort_by_bytes(&mut files);
    // After a build that was killed, the output may hold what it left
    // half done (temporary files, hidden but published): swept.
    let last = (trusted && !interrupted.was_there).then_some(&previous.files);
    let stale = stale::clear(&out, &files, last).map_err(io_error(&out))?;
    timings.lap("stale files");

    let checks = if stale.trusted {
        previous.checks
    } else {
        checkpages::CheckCache::default()
    };
    let checked = checkpages::check_pages_incremental(
        &out,
        &files,
        &inc.rendered,
        &stale.removed,
        checks,
        &config.base_url(),
    );
    let mut page_problems = checked.problems;
    sources::name(&site, site_dir, &mut page_problems);
    problems.extend(page_problems);
    timings.lap("check pages");

    // The build itself is fine without them; the next one is just slower.
    // The build cache and the memo are written side by side.
    let listed = (&files[..], stale.digest, stale.same_files);
    // The checks part is the last build's while the page checks found
    // what it holds (most edits): not written again.
    let kept = (stale.same_files && !checked.changed).then_some(previous.build);
    let _ = rayon::join(
        || {
            let checks = (&checked.cache, kept);
            cache::save(&cache_folder, &out, listed, &inc.records, checks)
        },
        || {
            if options.memo.is_none() {
                memo.save(site_dir);
            }
        },
    );
    interrupted.done();
    timings.lap("caches write");

    let report = BuildReport {
        out,
        pages: rendered.pages,
        news: rendered.news,
        images: photos.stats,
        problems,
        rendered: inc.rendered.len(),
        written: inc.written,
        checked: checked.scanned,
        files,
        seconds: started.elapsed().as_secs_f64(),
        next_change: next_change.map(|t| crate::records::log::stamp(&t)),
        timings: timings.phases,
    };
    let everything = (memo, site, photos.processed, inc.output, inc.rendered);
    let last = (previous.outputs, previous.files, stale.before);
    let cache = (inc.records, checked.cache);
    crate::plumbing::drop_in_background((everything, inc.searchable, cache, last));
    Ok(report)
}

/// A file in the cache folder for as long as a build runs: found at the
/// start of the next one, it says this one did not finish.
struct Unfinished {
    path: PathBuf,
    was_there: bool,
}

impl Unfinished {
    fn mark(cache_folder: &Path) -> Unfinished {
        let path = cache_folder.join("building");
        let was_there = path.exists();
        let _ = std::fs::create_dir_all(cache_folder);
        let _ = std::fs::write(&path, b"");
        Unfinished { path, was_there }
    }

    fn done(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The site's photos, processed.
struct Photos {
    /// Source path → its variants.
    processed: images::ImageMap,
    /// Every variant file, relative to `out`.
    files: Vec<PathBuf>,
    /// A photo that would not process.
    problems: Vec<Diagnostic>,
    stats: ImageStats,
    /// The output folders found whole (see [`images::WholeFolders`]).
    whole: images::WholeFolders,
}

fn photos(
    site_dir: &Path,
    site: &content::Site,
    out: &Path,
    options: &BuildOptions,
    memo: &images::Memo,
) -> Photos {
    let jobs = render::image_jobs(site);
    let silent = Silent;
    let progress: &dyn Progress = match &options.progress {
        Some(p) => p.as_ref(),
        None => &silent,
    };
    let cache = cache_dir(site_dir, "images");
    let (results, stats, whole) = images::process_all_in(
        &jobs,
        &site.config.images,
        &cache,
        out,
        progress,
        Some(memo),
    );
    let mut photos = Photos {
        processed: images::ImageMap::with_capacity_and_hasher(jobs.len(), Default::default()),
        files: Vec::new(),
        problems: Vec::new(),
        stats,
        whole,
    };
    if results.iter().all(Result::is_ok) {
        images::prune_cache(&jobs, &site.config.images, &cache);
    }
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok(image) => {
                let urls = image.variants.iter().map(|v| v.url.trim_start_matches('/'));
                photos.files.extend(urls.map(PathBuf::from));
                photos.processed.insert(job.source.as_path().into(), image);
            }
            Err(e) => {
                let file = crate::plumbing::paths::relative_to(site_dir, &job.source);
                // A file khao could not write is the machine's problem, not
                // the photo's: its message says what to check.
                let problem = match e.code() {
                    Code::Write => Diagnostic::error(Code::Write, e.message()),
                    _ => {
                        let m = Message::new("build.bad_image").arg_msg("error", e.message());
                        Diagnostic::error(Code::BadImage, m)
                    }
                };
                photos.problems.push(problem.in_file(file));
            }
        }
    }
    photos
}

/// How long a phase of the build took, for `KHAO_TIMINGS` (the command
/// layer prints them).
#[derive(Debug, Clone, Copy)]
pub struct PhaseTime {
    pub what: &'static str,
    pub seconds: f64,
    /// The CPU time the whole process used meanwhile (every thread), when
    /// it was measured: twice `seconds` is both cores busy.
    pub cpu_seconds: Option<f64>,
}

#[derive(Default)]
struct Timings {
    phases: Vec<PhaseTime>,
    /// When the last phase ended: wall clock and process CPU time.
    last: Option<(Instant, f64)>,
}

impl Timings {
    fn lap(&mut self, what: &'static str) {
        let (now, cpu) = (Instant::now(), crate::plumbing::clock::cpu_seconds());
        let (seconds, cpu_seconds) = match self.last {
            Some((t, c)) => ((now - t).as_secs_f64(), Some(cpu - c)),
            None => (0.0, None),
        };
        self.phases.push(PhaseTime {
            what,
            seconds,
            cpu_seconds,
        });
        self.last = Some((now, cpu));
    }

    /// A part of the phase ending next, timed by the step itself.
    fn add(&mut self, what: &'static str, seconds: f64) {
        self.phases.push(PhaseTime {
            what,
            seconds,
            cpu_seconds: None,
        });
    }
}
