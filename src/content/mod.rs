//! Step 4's input: the site's pages and news, read from `content/`.
//!
//! `content/news/<yyyy>/<slug>/index.md` is a news item ([`item`], read
//! through the one news schema) beside its photos and attachments; any
//! other `content/a/b.md` is a page at `/a/b/` ([`page`]);
//! `content/a/_index.md` (or `content/a/index.md`) is the page at `/a/`,
//! and `content/index.md` is the home page's own text.
//! `content/news/_index.md`, if there is one, is the text above the news
//! list, and `content/category/<slug>.md` the text above a category's list.
//!
//! A byte-order mark is accepted, and a file in a legacy Thai encoding
//! (TIS-620 / Windows-874) is read as such with a warning. A problem in one
//! file becomes a [`Diagnostic`] naming the file (relative to the site
//! folder) and, where there is one, the line; that file is left out and the
//! rest of the site still loads.

mod item;
mod memo;
pub mod page;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::news::News;
use crate::plumbing::paths::{self, CONTENT_DIR, PathKey, ext_lower};
use crate::plumbing::stat::Stater;

pub use memo::Memo;

/// Everything the renderer needs, read once.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site folder (the one holding `site.yaml`).
    pub root: PathBuf,
    pub config: SiteConfig,
    /// Sorted by URL. `/` (from `content/index.md`) is the home page's text
    /// and `/news/` (from `content/news/_index.md`) the news list's; the
    /// renderer uses those two inside its own pages.
    pub pages: Vec<Page>,
    /// Newest first; ties by slug, so the order is deterministic.
    pub news: Vec<NewsItem>,
    /// `ita.yaml`, the OIT page, when the site has one (and it is valid).
    pub ita: Option<crate::ita::ItaFile>,
    /// Every file under `content/` (relative to it) as the walk found it:
    /// the steps after look a photo or document up here instead of asking
    /// the disk once more per file.
    pub files: FxHashSet<PathKey>,
}

impl Site {
    /// `root/content`.
    pub fn content_dir(&self) -> PathBuf {
        self.root.join(CONTENT_DIR)
    }

    /// Whether `rel` (relative to `content/`) is a file of the site.
    pub fn has_file(&self, rel: &Path) -> bool {
        self.files.contains(paths::key(rel))
    }

    /// The page published at `url`, if any.
    pub fn page(&self, url: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.url == url)
    }
}

/// A plain page: `content/a/b.md` at `/a/b/`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Page {
    /// Path of the source file, relative to `content/`.
    pub source: PathBuf,
    /// The site path it is published at, e.g. `/about/history/`.
    pub url: String,
    pub title: String,
    pub description: String,
    /// Order within its section's listing and the menu (lower first).
    pub weight: i64,
    /// A template other than `page.html`.
    pub template: Option<String>,
    /// Listed among the footer's links (the three policy pages).
    pub footer: bool,
    /// Markdown.
    pub body: String,
}

impl Page {
    /// The folder holding the source file, relative to `content/`; relative
    /// links in the body are resolved against it.
    pub fn source_dir(&self) -> &Path {
        self.source.parent().unwrap_or(Path::new(""))
    }
}

/// A news item: `content/news/<yyyy>/<slug>/index.md`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewsItem {
    /// The folder holding `index.md`, its photos and attachments.
    pub dir: PathBuf,
    pub slug: String,
    pub date: NaiveDate,
    /// `/news/<yyyy>/<slug>/`
    pub url: String,
    /// The item, normalised: `category` is the category's slug, `cover` is
    /// set when there is a photo (default: the first), and every photo,
    /// cover and attachment named is a file present in `dir`.
    pub news: News,
    /// Changes whenever the text file or its folder does (size and time):
    /// what later steps remember the item's work by between builds.
    pub stamp: u64,
    /// The files of `content/` its text links or shows (photos, documents),
    /// content-relative: what the build publishes for it besides its
    /// listed photos and attachments.
    pub linked: Vec<PathBuf>,
    /// Its text file, relative to `content/`.
    pub rel: PathBuf,
    /// The build memo keeps items without their text (`news.body` is then
    /// empty): [`body_of`] reads it again when a step needs it.
    #[serde(default)]
    pub body_elided: bool,
}

/// The text of `item`, read again from its file when the memo left it out.
pub fn body_of<'i>(
    root: &Path,
    config: &SiteConfig,
    item: &'i NewsItem,
) -> std::borrow::Cow<'i, str> {
    if !item.body_elided {
        return std::borrow::Cow::Borrowed(&item.news.body);
    }
    let year = item.date.format("%Y").to_string();
    let mut ignored = Vec::new();
    let again = item::load(
        root,
        &item.rel,
        item.url_year().unwrap_or(&year),
        &item.slug,
        config,
        &mut ignored,
    );
    std::borrow::Cow::Owned(again.map(|i| i.news.body).unwrap_or_default())
}

impl NewsItem {
    /// The year folder of its address (`/news/<yyyy>/<slug>/`).
    fn url_year(&self) -> Option<&str> {
        self.url.trim_matches('/').split('/').nth(1)
    }

    /// `news/<yyyy>/<slug>`: where the item's page, photos and attachments
    /// are published, relative to `public/` (and to `content/`).
    pub fn out_dir(&self) -> PathBuf {
        PathBuf::from(self.url.trim_matches('/'))
    }
}

/// Reads `content/` of a site folder. Problems that make an item unusable
/// (bad front matter, a missing date) come back as diagnostics naming the
/// file; the rest of the site still loads.
pub fn load_site(root: &Path, config: SiteConfig) -> (Site, Vec<Diagnostic>) {
    load_site_memo(root, config, None)
}

/// What one Markdown file under `content/` turned out to be (kept in the
/// build memo).
#[derive(Clone, Serialize, serde::Deserialize)]
pub enum Loaded {
    News(Box<NewsItem>),
    Page(Page),
    Nothing,
}

enum Kind {
    News {
        year: String,
        slug: String,
    },
    Page {
        url: String,
    },
    /// A Markdown file where nothing is read (reported).
    Stray,
    /// A YAML file that is not a news item's text (not reported).
    Skip,
}

/// [`load_site`], asking `memo` first for files that did not change.
pub fn load_site_memo(
    root: &Path,
    config: SiteConfig,
    memo: Option<&Memo>,
) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let settled_ns = crate::plumbing::fs::settled_ns();
    let stater = Stater::new();
    let listings = memo.map(|m| tree::Remember {
        listings: &m.listings,
        settled_ns,
        stater: &stater,
    });
    let (sources, files, folders) = walk(root, listings.as_ref(), &mut diags);
    // Read and parse on all cores: with a thousand news items this is most
    // of the step.
    let digest = memo.map(|_| memo::config_digest(&config));
    let loaded: Vec<(Loaded, Vec<Diagnostic>)> = sources
        .par_iter()
        .map(|(rel, kind)| {
            let file = root.join(CONTENT_DIR).join(rel);
            let folder = paths::parent(rel)
                .and_then(|d| folders.get(paths::key(d)))
                .copied();
            let key = digest.and_then(|d| memo::key(&stater, &file, folder, d));
            let remembered = memo.zip(key.as_ref()).and_then(|(m, k)| m.recall(rel, k));
            if let Some(known) = remembered {
                return known;
            }
            let mut mine = Vec::new();
            let loaded = match kind {
                Kind::News { year, slug } => item::load(root, rel, year, slug, &config, &mut mine)
                    .map_or(Loaded::Nothing, |item| Loaded::News(Box::new(item))),
                Kind::Page { url } => page::load(root, rel, url.clone(), &mut mine)
                    .map_or(Loaded::Nothing, Loaded::Page),
                Kind::Stray | Kind::Skip => Loaded::Nothing,
            };
            if let (Some(m), Some(k)) = (memo, key) {
                m.remember(rel.clone(), k, (loaded.clone(), mine.clone()), settled_ns);
            }
            (loaded, mine)
        })
        .collect();
    if let Some(m) = memo {
        m.forget_others(sources.iter().map(|(rel, _)| rel.as_path()));
    }
    let mut pages = Vec::new();
    let mut news = Vec::with_capacity(loaded.len());
    for (loaded, mine) in loaded {
        diags.extend(mine);
        match loaded {
            Loaded::News(item) => news.push(item),
            Loaded::Page(page) => pages.push(page),
            Loaded::Nothing => {}
        }
    }
    let pages = unique_pages(pages, &mut diags);
    let news = sort_news(news, &mut diags, root);
    let ita = crate::ita::load(root).unwrap_or_else(|e| {
        diags.push(e.diagnostic());
        None
    });
    let site = Site {
        root: root.to_path_buf(),
        config,
        pages,
        news,
        ita,
        files,
    };
    (site, diags)
}

/// Every Markdown file under `content/`, in name order, with what it is,
/// every file (see [`Site::files`]) and, with a memo, each folder's stamp.
/// A news folder's text is its `index.md`; a request folder copied here by
/// hand has its own text file (`ข่าว.md`, `request.yaml`) instead.
fn walk(root: &Path, memo: Option<&tree::Remember<'_>>, diags: &mut Vec<Diagnostic>) -> Found {
    let content = root.join(CONTENT_DIR);
    let mut texts: Vec<PathBuf> = Vec::new();
    let mut files = FxHashSet::default();
    if !content.is_dir() {
        return (Vec::new(), files, FxHashMap::default());
    }
    let tree::Walked {
        entries,
        errors,
        stamps,
    } = tree::walk_with(&content, memo);
    for (path, e) in errors {
        diags.push(unreadable(paths::relative_to(root, &path), &e));
    }
    files.reserve(entries.len());
    for entry in entries {
        if !entry.is_file {
            continue;
        }
        let rel = entry.rel;
        let is_text = crate::request::is_text_name(&rel);
        if is_text && entry.is_plain_file {
            texts.push(rel.clone());
        }
        files.insert(rel.into());
    }
    let mut sources = Vec::new();
    for rel in &texts {
        match classify(rel, &texts) {
            Kind::Stray => {
                let file = Path::new(CONTENT_DIR).join(rel);
                let m = Message::new("content.ignored_file").arg("file", file.display());
                diags.push(Diagnostic::warning(Code::IgnoredFile, m).in_file(file));
            }
            Kind::Skip => {}
            kind => sources.push((rel.clone(), kind)),
        }
    }
    let stamps = stamps.into_iter().map(|(rel, s)| (rel.into(), s)).collect();
    (sources, files, stamps)
}

/// What [`walk`] finds: the text files to read, every file, each folder's
/// stamp.
type Found = (
    Vec<(PathBuf, Kind)>,
    FxHashSet<PathKey>,
    FxHashMap<PathKey, crate::plumbing::fs::Stamp>,
);

/// Two files for one address (`a.md` and `a/index.md`): the first wins.
fn unique_pages(mut pages: Vec<Page>, diags: &mut Vec<Diagnostic>) -> Vec<Page> {
    pages.sort_by(|a, b| a.url.cmp(&b.url).then_with(|| a.source.cmp(&b.source)));
    let mut unique: Vec<Page> = Vec::with_capacity(pages.len());
    for page in pages {
        match unique.last() {
            Some(prev) if prev.url == page.url => {
                let m = Message::new("content.duplicate_url")
                    .arg("url", &page.url)
                    .arg("other", Path::new(CONTENT_DIR).join(&prev.source).display());
                let file = Path::new(CONTENT_DIR).join(&page.source);
                diags.push(Diagnostic::error(Code::Duplicate, m).in_file(file));
            }
            _ => unique.push(page),
        }
    }
    unique
}

/// Newest first, ties by slug; the same slug in two year folders would
/// give two addresses staff think of as one item: kept, but said.
///
/// The items come boxed and are sorted as boxes, then each is moved once
/// into a list of exactly their number: an item is large, and sorting or
/// growing a list of the items themselves moved each several times.
#[allow(clippy::vec_box)] // deliberate: see above
fn sort_news(
    mut news: Vec<Box<NewsItem>>,
    diags: &mut Vec<Diagnostic>,
    root: &Path,
) -> Vec<NewsItem> {
    news.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.slug.cmp(&b.slug))
            .then_with(|| a.url.cmp(&b.url))
    });
    let news: Vec<NewsItem> = news.into_iter().map(|item| *item).collect();
    let mut by_slug: BTreeMap<&str, &NewsItem> = BTreeMap::new();
    for item in news.iter() {
        if let Some(other) = by_slug.insert(&item.slug, item) {
            let m = Message::new("content.duplicate_slug")
                .arg("slug", &item.slug)
                .arg("other", &other.url);
            let file = paths::relative_to(root, &item.dir.join("index.md"));
            diags.push(Diagnostic::warning(Code::Duplicate, m).in_file(file));
        }
    }
    news
}

/// Where a text file under `content/` belongs, knowing every other one.
fn classify(rel: &Path, all: &[PathBuf]) -> Kind {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let markdown = matches!(ext_lower(rel).as_str(), "md" | "markdown");
    if parts.first().map(String::as_str) != Some("news") || parts.len() <= 2 {
        return if markdown {
            Kind::Page {
                url: paths::source_url(rel),
            }
        } else {
            Kind::Skip
        };
    }
    let is_year = parts[1].len() == 4 && parts[1].bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 4 || !is_year {
        return if markdown { Kind::Stray } else { Kind::Skip };
    }
    let news = Kind::News {
        year: parts[1].clone(),
        slug: parts[2].clone(),
    };
    if parts[3] == "index.md" {
        return news;
    }
    // A request copied by hand: its one text file, when there is no index.md.
    let folder = rel.parent();
    let siblings: Vec<&PathBuf> = all.iter().filter(|p| p.parent() == folder).collect();
    let has_index = siblings.iter().any(|p| p.ends_with("index.md"));
    if !has_index && siblings.len() == 1 {
        news
    } else if markdown {
        Kind::Stray
    } else {
        Kind::Skip
    }
}

/// A content file or folder that could not be read.
fn unreadable(file: PathBuf, error: &dyn std::fmt::Display) -> Diagnostic {
    let m = Message::new("content.unreadable")
        .arg("file", file.display())
        .arg_msg("error", crate::i18n::os_error(error));
    Diagnostic::error(Code::Unreadable, m).in_file(file)
}

/// The text of a content file: UTF-8 (a BOM is dropped), or a legacy Thai
/// encoding read as Windows-874 with a warning; Windows line ends made Unix.
fn read_text(path: &Path, file: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = match crate::plumbing::fs::read_regular(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(unreadable(file.to_path_buf(), &e));
            return None;
        }
    };
    let (text, legacy) = crate::plumbing::text::decode(&bytes);
    if legacy {
        let m = Message::new("content.not_utf8");
        diags.push(Diagnostic::warning(Code::NotUtf8, m).in_file(file));
    }
    Some(text.replace("\r\n", "\n"))
}

/// Document formats a page or news item may link to, published as they are
/// (besides `attachments.types` in site.yaml).
pub const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv", "txt", "zip",
];

/// Photo formats the image step resizes; an original in one of them is
/// never published as it is.
pub const PHOTO_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp"];

/// A photo the image step handles (by its extension).
pub fn is_photo(p: &Path) -> bool {
    paths::has_extension(p, PHOTO_EXTENSIONS)
}

/// A document published as it is: a known office format or one site.yaml
/// allows as an attachment; never a photo, a page or anything a browser
/// would run (`.html`, `.js`, `.svg`).
pub fn is_document(p: &Path, config: &SiteConfig) -> bool {
    let ext = ext_lower(p);
    !ext.is_empty()
        && !is_photo(p)
        && !matches!(
            ext.as_str(),
            "html" | "htm" | "js" | "mjs" | "svg" | "xhtml" | "md"
        )
        && (DOCUMENT_EXTENSIONS.contains(&ext.as_str())
            || config
                .attachments
                .types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&ext)))
}

#[cfg(test)]
mod tests;
