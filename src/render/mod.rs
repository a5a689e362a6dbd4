//! Step 4: the site rendered through the theme's Tera templates into
//! `public/`.
//!
//! Output (docs/site.md): `/` home (pinned, then the latest news) · `/news/` and
//! `/news/page/N/` · `/news/<yyyy>/<slug>/` with its resized photos and
//! attachments beside it · `/category/<slug>/` (and `/page/N/`) · pages at
//! their paths · `/404.html` · `/feed.xml` · `/sitemap.xml` · `/robots.txt`,
//! plus the theme's static files.
//!
//! Links in pages are site-absolute paths; absolute URLs (from `base_url`)
//! appear only where a page leaves the site: feed, sitemap, canonical and
//! Open Graph tags. The same input gives byte-identical output: nothing
//! depends on the clock or on hash-map order.
//!
//! The parts: [`context`] (what templates see), [`setup`] (Tera and the
//! template hashes), [`renderer`] (shared state, news prepared once),
//! [`plan`] (every output file and its key), [`pages`] (each kind of page).

mod archive;
pub mod card;
mod context;
mod error;
mod feed;
mod filters;
mod ita;
pub mod memo;
mod pages;
mod plan;
mod renderer;
mod setup;
mod share;
mod sitemap;
pub mod theme;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

pub use crate::content::{DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS};
use crate::content::{NewsItem, Site, is_photo};
use crate::images::{ImageJob, ImageMap, WholeFolders};
use crate::markdown::Resolver;
use crate::plumbing::fs::{Stamp, copy_atomic, file_stamp, write_if_changed};
use crate::plumbing::paths::{self, normalize, slash};

pub use error::RenderError;
pub use filters::{absolute, human_size};
use plan::{Done, Job};
use renderer::Renderer;
pub use setup::Templates;
pub use theme::Theme;

/// What rendering wrote.
#[derive(Debug, Clone, Default)]
pub struct RenderOutput {
    /// Every file written, relative to `public/`, sorted: pages, feed,
    /// sitemap, robots.txt, theme files, attachments. (The photos' variants
    /// are written by the image step.)
    pub files: Vec<PathBuf>,
    /// HTML pages written (404.html included).
    pub pages: usize,
    pub news: usize,
    /// What rendering found wrong: the OIT page's links
    /// (`ita-broken-link`, `ita-empty`).
    pub problems: Vec<crate::diagnostic::Diagnostic>,
}

/// How many characters a summary (meta description, list text) keeps.
pub const SUMMARY_CHARS: usize = 160;

use crate::markdown::linked_files;

/// The folder of a news item relative to `content/`.
fn news_rel_dir(item: &NewsItem) -> PathBuf {
    item.out_dir()
}

/// Every photo the site publishes (news photos, covers, images in page and
/// news bodies), with where its variants go. Sorted (by the bytes of the
/// source path, then the folder) and deduplicated.
pub fn image_jobs(site: &Site) -> Vec<ImageJob> {
    // The photos as paths under `content/` first: ten thousand of them are
    // sorted and deduplicated by these short paths rather than by the long
    // absolute ones (the same order: they all start with the same folder).
    let published = |rel: &PathBuf| is_photo(rel) && site.has_file(rel);
    let mut rels: Vec<PathBuf> = site
        .news
        .par_iter()
        .flat_map_iter(|item| {
            let dir = news_rel_dir(item);
            let photos = item.news.images.iter().map(|p| &p.file);
            // Usually one of its photos, already listed.
            let cover = item
                .news
                .cover
                .iter()
                .filter(|c| !item.news.images.iter().any(|p| &p.file == *c));
            let named = photos
                .chain(cover)
                .filter_map(move |file| normalize(&dir.join(file)));
            named.chain(item.linked.iter().cloned())
        })
        .filter(published)
        .collect();
    for page in &site.pages {
        rels.extend(
            linked_files(page.source_dir(), &page.body)
                .into_iter()
                .filter(published),
        );
    }
    rels.par_sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    rels.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    // A file the walk found is a plain relative path, so its key is the
    // folder made plain once with the path joined on: the same path as
    // `Resolver::image_key` gives, without going through the whole
    // absolute path again for each photo.
    let content = site.content_dir();
    let base = crate::plumbing::paths::normalize(&content);
    let job = |rel: PathBuf| ImageJob {
        source: match &base {
            Some(base) => base.join(&rel),
            None => Resolver::image_key(&content, &rel),
        },
        out_dir: slash(paths::parent(&rel).unwrap_or(Path::new(""))),
    };
    let mut jobs: Vec<ImageJob> = rels.into_par_iter().map(job).collect();
    if base.is_none() {
        jobs.sort_unstable_by(|a, b| a.source.as_os_str().cmp(b.source.as_os_str()));
    }
    jobs
}

/// An item's date as its card, page and sitemap entry show it.
pub(crate) fn news_date(item: &crate::content::NewsItem) -> String {
    item.date.format("%Y-%m-%d").to_string()
}

/// Renders `site` into `public_dir`. `images` maps each photo's source path
/// (as [`image_jobs`] gives it) to its processed variants.
pub fn render_site(
    site: &Site,
    images: &ImageMap,
    public_dir: &Path,
    now: &Now,
) -> Result<RenderOutput, RenderError> {
    let templates = Templates::load(&site.root, &site.config)?;
    let (records, whole) = (RenderCache::default(), WholeFolders::default());
    let none = Previous {
        records: &records,
        whole: &whole,
    };
    Ok(render_incremental(site, images, public_dir, none, now, None, templates)?.output)
}

/// The build's "now": which items are ended or pinned depends on it.
pub type Now = chrono::DateTime<chrono::FixedOffset>;

/// What one output file was made from, kept between builds so an
/// unchanged file is neither rendered nor written nor checked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OutputRecord {
    /// Hash of everything the bytes depend on: khao itself, site.yaml,
    /// the template and the templates it extends, includes or imports, and
    /// the values the template is given (or, for files not rendered
    /// through Tera, the bytes themselves).
    pub key: String,
    /// Size and modification time when written, so a file changed or
    /// removed behind khao's back is made again (looked at only outside
    /// the folders found whole, see [`Previous`]).
    pub len: u64,
    pub mtime_ns: u64,
}

/// Output path (relative to `public/`) → what it was made from.
pub type RenderCache = rustc_hash::FxHashMap<crate::plumbing::paths::PathKey, OutputRecord>;

/// What the last build left in `public/`: its record of each file, and
/// the folders the image step found whole (nothing added, removed or
/// renamed in them since it last looked; see [`WholeFolders`]). A file in
/// such a folder whose key is the recorded one is not looked at on disk:
/// one edit of a 5,000-item site costs a `stat` per news folder, not two.
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    pub records: &'a RenderCache,
    pub whole: &'a WholeFolders,
}

impl Previous<'_> {
    /// The record of `rel` when its key is `key` and the file is still
    /// there as written.
    fn unchanged(&self, rel: &Path, dest: &Path, key: &str) -> Option<&OutputRecord> {
        let old = (self.records.get(paths::key(rel))).filter(|old| old.key == key)?;
        let whole = || {
            (paths::parent(rel).and_then(Path::to_str)).is_some_and(|dir| self.whole.contains(dir))
        };
        (whole() || file_stamp(dest) == Some((old.len, old.mtime_ns))).then_some(old)
    }
}

/// What an incremental render did.
#[derive(Debug, Clone, Default)]
pub struct Incremental {
    pub output: RenderOutput,
    /// The records to keep for the next build.
    pub records: RenderCache,
    /// Files rendered in this build because their inputs changed (the
    /// pages step 5 must check again).
    pub rendered: BTreeSet<PathBuf>,
    /// Files whose bytes on disk changed.
    pub written: usize,
    /// Time spent preparing (the theme, the news), in seconds.
    pub prepare_seconds: f64,
    /// The pages the site search reads (news and plain pages), each with a
    /// stamp of what it was made from.
    pub searchable: Vec<crate::search::Searchable>,
}

/// Like [`render_site`], but skips every file whose inputs hash to the key
/// `previous` holds for it and which is still on disk as written.
pub fn render_incremental(
    site: &Site,
    images: &ImageMap,
    public_dir: &Path,
    previous: Previous<'_>,
    now: &Now,
    memo: Option<&memo::Memo>,
    templates: Templates,
) -> Result<Incremental, RenderError> {
    let t0 = std::time::Instant::now();
    let renderer = Renderer::new(site, images, now, memo, templates)?;
    let plan = renderer.plan();
    let problems = renderer.ita_problems(&plan);
    let prepare_seconds = t0.elapsed().as_secs_f64();
    let pages = plan.iter().filter(|(_, j)| j.is_page()).count();
    std::fs::create_dir_all(public_dir).map_err(error::write_error(public_dir))?;
    let done: Vec<Result<Outcome, RenderError>> = plan
        .par_iter()
        .map(|(rel, job)| make_one(&renderer, &previous, public_dir, rel, job))
        .collect();
    let mut result = Incremental {
        prepare_seconds,
        ..Incremental::default()
    };
    let mut files = Vec::with_capacity(done.len());
    result.records.reserve(done.len());
    let mut problems = problems;
    for r in done {
        let ((p, record), problem) = r?;
        problems.extend(problem);
        if let Some((record, rendered, wrote)) = record {
            if rendered {
                result.rendered.insert(p.clone());
            }
            result.written += usize::from(wrote);
            result.records.insert(p.as_path().into(), record);
        }
        files.push(p);
    }
    // In the plan's order: sorted by bytes, each path once.
    debug_assert!(crate::plumbing::paths::sorted_by_bytes(&files));
    result.searchable = searchable(&renderer, &plan, &result.records);
    result.output = RenderOutput {
        files,
        pages,
        news: site.news.len(),
        problems,
    };
    Ok(result)
}

/// The news and plain pages, for the search index. A page's stamp is its
/// render key: it changes whenever anything the page is made from does.
fn searchable(
    renderer: &Renderer<'_>,
    plan: &plan::Plan,
    records: &RenderCache,
) -> Vec<crate::search::Searchable> {
    plan.iter()
        .filter_map(|(rel, job)| {
            let (url, date) = match job {
                Job::News(i) => (
                    renderer.site.news[*i].url.clone(),
                    Some(renderer.site.news[*i].date.to_string()),
                ),
                Job::Page(i) => (renderer.site.pages[*i].url.clone(), None),
                _ => return None,
            };
            let key = &records.get(paths::key(rel))?.key;
            let stamp = u64::from_str_radix(key.get(..16)?, 16).ok()?;
            Some(crate::search::Searchable {
                rel: rel.clone(),
                url,
                date,
                stamp,
            })
        })
        .collect()
}

/// An output file and its record (none: looked at again next build), and
/// what kept an attachment from being published.
type Outcome = (
    (PathBuf, Option<Done>),
    Option<crate::diagnostic::Diagnostic>,
);

/// Makes one output file unless its key and stamp say it is as it was.
fn make_one(
    renderer: &Renderer<'_>,
    previous: &Previous<'_>,
    public_dir: &Path,
    rel: &Path,
    job: &Job,
) -> Result<Outcome, RenderError> {
    let dest = public_dir.join(rel);
    if let Job::Copy(src) = job {
        let known = renderer.attachment_stamps.get(src).copied();
        let source = known.or_else(|| renderer.stater.stamp(src));
        return copy_one(source, previous, src, &dest, rel).map_err(error::write_error(&dest));
    }
    let unchanged = |key: &str| previous.unchanged(rel, &dest, key);
    // A news page's key is made from its item's digest, without preparing
    // the page at all.
    let quick = renderer.quick_key(job);
    if let Some(old) = quick.as_deref().and_then(unchanged) {
        return Ok(((rel.to_path_buf(), Some((old.clone(), false, false))), None));
    }
    let mut made = renderer.make(rel, job)?;
    let key = quick.unwrap_or_else(|| made.key(renderer));
    if let Some(old) = unchanged(&key) {
        return Ok(((rel.to_path_buf(), Some((old.clone(), false, false))), None));
    }
    let bytes = renderer.bytes(made)?;
    let wrote = write_if_changed(&dest, &bytes).map_err(error::write_error(&dest))?;
    let (len, mtime_ns) = file_stamp(&dest).unwrap_or((bytes.len() as u64, 0));
    let record = OutputRecord { key, len, mtime_ns };
    Ok(((rel.to_path_buf(), Some((record, true, wrote))), None))
}

/// Publishes an attachment, keyed by its source's stamp (`source`, when
/// taken already): while that stamp has settled and is the recorded one,
/// and the folder is whole, neither file is looked at again. A changed one is read once, as intake reads a
/// request's (it may have been replaced by hand in `content/`): one holding
/// national ID numbers is not published, and is read again each build
/// until it is fixed; an Office or PDF file is published without its
/// photos' positions; anything else is copied as it is, unread.
fn copy_one(
    source: Option<Stamp>,
    previous: &Previous<'_>,
    src: &Path,
    dest: &Path,
    rel: &Path,
) -> std::io::Result<Outcome> {
    use crate::news::documents;
    // Not there: the file system's own error, asked again by full path.
    let source = match source {
        Some(stamp) => stamp,
        None => Stamp::of(&std::fs::metadata(src)?),
    };
    let key = format!(
        "publish {} {} {} {}",
        source.size, source.mtime_ns, source.ctime_ns, source.inode
    );
    if let Some(old) = previous.unchanged(rel, dest, &key) {
        return Ok(((rel.to_path_buf(), Some((old.clone(), false, false))), None));
    }
    let wrote = if documents::is_searched(rel) {
        let bytes = crate::plumbing::fs::read_regular(src)?;
        let file = Path::new(paths::CONTENT_DIR).join(rel);
        let found = documents::personal_data(&bytes, documents::Scans::Skipped);
        if let Some(problem) = found.id_error(&slash(&file)) {
            return Ok(((rel.to_path_buf(), None), Some(problem.in_file(file))));
        }
        let scrubbed = documents::without_gps(rel, &bytes);
        write_if_changed(dest, scrubbed.as_deref().unwrap_or(&bytes))?
    } else {
        copy_atomic(src, dest).map(|()| true)?
    };
    // A second change within the clock's tick would keep the stamp: such
    // a copy is looked at again next build.
    let settled = source.settled_before(crate::plumbing::fs::settled_ns());
    let record = (file_stamp(dest).filter(|_| settled)).map(|(len, mtime_ns)| {
        let record = OutputRecord { key, len, mtime_ns };
        (record, false, wrote)
    });
    Ok(((rel.to_path_buf(), record), None))
}

#[cfg(test)]
mod tests {
    use super::context::{Pager, parent_url};
    use super::setup::{template_keys, template_refs};
    use super::*;
    use crate::plumbing::paths::html_path;

    #[test]
    fn pages_cover_every_item_once_and_older_pages_stay_put() {
        // Oldest-first numbers of the news on each page (by address).
        let pages = |items: usize| -> Vec<(String, Vec<usize>)> {
            let p = Pager::new("/news/", 10, items);
            (1..=p.pages())
                .map(|n| (p.url(n), p.range(n).map(|k| items - 1 - k).collect()))
                .collect()
        };
        for items in 0..120 {
            let now = pages(items);
            let mut all: Vec<usize> = now.iter().flat_map(|(_, v)| v.clone()).collect();
            all.sort();
            assert_eq!(all, (0..items).collect::<Vec<_>>(), "{items}: each once");
            assert_eq!(now[0].0, "/news/");
            let first = now[0].1.len();
            assert!(
                items < 10 || (10..20).contains(&first),
                "{items}: page 1 has {first}"
            );
            // One more item: every other page keeps its address and news.
            let next = pages(items + 1);
            for (url, news) in now.iter().skip(1) {
                if let Some((_, again)) = next.iter().find(|(u, _)| u == url) {
                    assert_eq!(again, news, "{items}: {url}");
                }
            }
        }
        let p = Pager::new("/news/", 10, 25);
        assert_eq!(p.pages(), 2);
        assert_eq!(p.url(2), "/news/page/1/");
        assert_eq!(p.range(1), 0..15);
        let nav = p.pagination(1);
        assert_eq!(nav.next.as_deref(), Some("/news/page/1/"));
        let p = Pager::new("/news/", 10, 100);
        let nav = p.pagination(5);
        let shown: Vec<usize> = nav.pages.iter().map(|n| n.number).collect();
        assert_eq!(shown, [1, 0, 3, 4, 5, 6, 7, 0, 10]);
        assert_eq!(nav.prev.as_deref(), Some(p.url(4).as_str()));
        let one = Pager::new("/news/", 10, 0).pagination(1);
        assert!(one.prev.is_none() && one.next.is_none());
        assert_eq!(one.pages.len(), 1);
    }

    #[test]
    fn template_references_are_found() {
        let refs = template_refs(
            r#"{% extends "base.html" %}{%- include 'parts/card.html' -%}{% include ["a.html", "b.html"] ignore missing %}{% import "macros.html" as m %}{% if x %}"y"{% endif %}"#,
        );
        assert_eq!(
            refs,
            [
                "base.html",
                "parts/card.html",
                "a.html",
                "b.html",
                "macros.html"
            ]
        );
        let mut t = std::collections::BTreeMap::new();
        t.insert("base.html".to_string(), "B".to_string());
        t.insert(
            "news.html".to_string(),
            r#"{% extends "base.html" %}"#.to_string(),
        );
        t.insert("page.html".to_string(), "P".to_string());
        let before = template_keys(&t);
        t.insert("base.html".to_string(), "B2".to_string());
        let after = template_keys(&t);
        assert_ne!(before["news.html"], after["news.html"]);
        assert_eq!(before["page.html"], after["page.html"]);
    }

    #[test]
    fn paths() {
        assert_eq!(html_path("/"), PathBuf::from("index.html"));
        assert_eq!(
            html_path("/news/page/2/"),
            PathBuf::from("news/page/2/index.html")
        );
        assert_eq!(parent_url("/a/b/").as_deref(), Some("/a/"));
        assert_eq!(parent_url("/a/").as_deref(), Some("/"));
        assert_eq!(parent_url("/"), None);
    }

    #[test]
    fn builtin_theme_is_complete() {
        let theme = Theme::builtin(crate::i18n::Lang::Th).unwrap();
        for t in theme::REQUIRED_TEMPLATES {
            assert!(theme.templates.contains_key(*t), "{t}");
        }
        assert!(theme.statics.contains_key(Path::new("css/site.css")));
        assert!(
            theme
                .statics
                .contains_key(Path::new("fonts/sarabun-thai-400-normal.woff2"))
        );
        assert!(theme.statics.contains_key(Path::new("fonts/LICENSE")));
    }
}
