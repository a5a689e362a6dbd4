//! Step 4's input: the site's pages and news, read from `content/`.
//!
//! `content/news/<yyyy>/<slug>/index.md` is a news item (front matter in the
//! normalised form `khao intake` writes, [`NewsFrontMatter`]) beside its
//! photos and attachments; any other `content/a/b.md` is a page at `/a/b/`
//! ([`PageFrontMatter`]); `content/a/_index.md` (or `content/a/index.md`) is
//! the page at `/a/`, and `content/index.md` is the home page's own text.
//! `content/news/_index.md`, if there is one, is the text above the news list,
//! and `content/category/<slug>.md` the text above a category's list.
//!
//! Front matter is YAML between two `---` lines at the top of the file; a
//! byte-order mark is accepted, and a file in a legacy Thai encoding
//! (TIS-620 / Windows-874) is read as such with a warning.
//!
//! A problem in one file becomes a [`Diagnostic`] naming the file (relative
//! to the site folder) and, where there is one, the line; that file is left
//! out and the rest of the site still loads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::{SiteConfig, is_slug, nearest};
use crate::diagnostic::Diagnostic;
use crate::i18n::{Lang, tr};
use crate::request::is_ignored;

/// The folder of a site that holds its pages and news.
pub const CONTENT_DIR: &str = "content";

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
}

impl Site {
    /// `root/content`.
    pub fn content_dir(&self) -> PathBuf {
        self.root.join(CONTENT_DIR)
    }

    /// The page published at `url`, if any.
    pub fn page(&self, url: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.url == url)
    }
}

/// A plain page: `content/a/b.md` at `/a/b/`.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct NewsItem {
    /// The folder holding `index.md`, its photos and attachments.
    pub dir: PathBuf,
    pub slug: String,
    pub date: NaiveDate,
    /// `/news/<yyyy>/<slug>/`
    pub url: String,
    /// The front matter, normalised: `category` is the category's slug,
    /// `cover` is set when there is a photo (default: the first), and every
    /// photo, cover and attachment named is a file present in `dir`.
    pub front: NewsFrontMatter,
    /// Markdown.
    pub body: String,
}

impl NewsItem {
    /// `news/<yyyy>/<slug>`: where the item's page, photos and attachments
    /// are published, relative to `public/`.
    pub fn out_dir(&self) -> String {
        self.url.trim_matches('/').to_string()
    }

    /// The year folder the item lives in (`<yyyy>`).
    pub fn year(&self) -> &str {
        self.url
            .trim_matches('/')
            .split('/')
            .nth(1)
            .unwrap_or_default()
    }
}

/// The normalised front matter of a published news item. `khao intake`
/// writes it; the content loader reads it. The requester's phone and e-mail
/// are not here: they are for the officer only and never published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsFrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// ISO date.
    pub date: String,
    /// A category slug from site.yaml.
    pub category: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Requester>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<PhotoRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// When the request was received (RFC 3339), set by intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// When it was accepted for publication (RFC 3339), set by intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// The keys of [`NewsFrontMatter`], for "did you mean" suggestions.
pub const NEWS_KEYS: &[&str] = &[
    "title",
    "slug",
    "date",
    "category",
    "tags",
    "summary",
    "requester",
    "cover",
    "images",
    "attachments",
    "pinned",
    "received",
    "published",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoRef {
    pub file: String,
    #[serde(default)]
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    pub file: String,
    #[serde(default)]
    pub title: String,
}

/// The front matter of a page (`content/**/*.md` outside `content/news/`):
///
/// ```yaml
/// ---
/// title: วิสัยทัศน์ พันธกิจ        # required (except in content/index.md)
/// description: ...               # optional: search engines and shared links
/// weight: 10                     # optional: order among its section's pages
/// template: page.html            # optional: another template of the theme
/// footer: true                   # optional: listed in the footer (policy pages)
/// ---
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub footer: bool,
}

/// The keys of [`PageFrontMatter`].
pub const PAGE_KEYS: &[&str] = &["title", "description", "weight", "template", "footer"];

/// Reads `content/` of a site folder. Problems that make an item unusable
/// (bad front matter, a missing date) come back as diagnostics naming the
/// file; the rest of the site still loads.
pub fn load_site(root: &Path, config: SiteConfig) -> (Site, Vec<Diagnostic>) {
    load_site_memo(root, config, None)
}

/// What a long-running process (`khao serve`) read of each Markdown file
/// in its previous build: while the file's size and mtime, its folder's
/// mtime (a photo or document added or removed) and site.yaml are the
/// same, the file is not read and parsed again.
#[derive(Default)]
pub struct Memo {
    loaded: std::sync::Mutex<HashMap<PathBuf, Remembered>>,
}

/// A file as it was read: its key, what it gave, what was said about it.
type Remembered = (FileKey, Loaded, Vec<Diagnostic>);

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("content::Memo")
    }
}

/// Size and mtime of a file, mtime of its folder, and a digest of the
/// configuration it was read with.
type FileKey = (u64, u128, u128, [u8; 32]);

fn file_key(path: &Path, config_digest: [u8; 32]) -> Option<FileKey> {
    let mtime = |m: &std::fs::Metadata| {
        m.modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
    };
    let file = std::fs::metadata(path).ok()?;
    let dir = std::fs::metadata(path.parent()?).ok()?;
    Some((file.len(), mtime(&file)?, mtime(&dir)?, config_digest))
}

/// [`load_site`], asking `memo` first for files that did not change.
pub fn load_site_memo(
    root: &Path,
    config: SiteConfig,
    memo: Option<&Memo>,
) -> (Site, Vec<Diagnostic>) {
    let config_digest = memo.map(|_| {
        let mut h = blake3::Hasher::new();
        let _ = serde_json::to_writer(&mut h, &config);
        *h.finalize().as_bytes()
    });
    let lang = config.language;
    let content = root.join(CONTENT_DIR);
    let mut diags = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    let mut news: Vec<NewsItem> = Vec::new();

    if content.is_dir() {
        // Walk first (in name order), then read and parse the files on all
        // cores: with a thousand news items this is most of the step.
        let mut sources: Vec<(PathBuf, Kind)> = Vec::new();
        let walker = walkdir::WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let file = e.path().map(|p| site_relative(root, p)).unwrap_or_default();
                    diags.push(unreadable(file, &e, lang));
                    continue;
                }
            };
            if !entry.file_type().is_file() || !is_markdown(entry.path()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&content) else {
                continue;
            };
            let rel = rel.to_path_buf();
            match classify(&rel) {
                Kind::Stray => diags.push(
                    Diagnostic::warning(
                        "ignored-file",
                        tr(
                            lang,
                            "content.ignored_file",
                            &[(
                                "file",
                                &site_relative(root, entry.path()).display().to_string(),
                            )],
                        ),
                    )
                    .in_file(site_relative(root, entry.path())),
                ),
                kind => sources.push((rel, kind)),
            }
        }

        let loaded: Vec<(Loaded, Vec<Diagnostic>)> = sources
            .into_par_iter()
            .map(|(rel, kind)| {
                let key = config_digest.and_then(|d| file_key(&content.join(&rel), d));
                if let (Some(memo), Some(key)) = (memo, key)
                    && let Ok(known) = memo.loaded.lock()
                    && let Some((was, loaded, mine)) = known.get(&rel)
                    && *was == key
                {
                    return (loaded.clone(), mine.clone());
                }
                let mut mine = Vec::new();
                let loaded = match kind {
                    Kind::News { year, slug } => {
                        load_news(root, &content, &rel, &year, &slug, &config, &mut mine)
                            .map_or(Loaded::Nothing, |item| Loaded::News(Box::new(item)))
                    }
                    Kind::Page { url } => load_page(root, &content, &rel, url, lang, &mut mine)
                        .map_or(Loaded::Nothing, Loaded::Page),
                    Kind::Stray => Loaded::Nothing,
                };
                if let (Some(memo), Some(key)) = (memo, key)
                    && let Ok(mut known) = memo.loaded.lock()
                {
                    known.insert(rel, (key, loaded.clone(), mine.clone()));
                }
                (loaded, mine)
            })
            .collect();
        for (loaded, mine) in loaded {
            diags.extend(mine);
            match loaded {
                Loaded::News(item) => news.push(*item),
                Loaded::Page(page) => pages.push(page),
                Loaded::Nothing => {}
            }
        }
    }

    // Two files for one address (`a.md` and `a/index.md`): the first wins.
    pages.sort_by(|a, b| a.url.cmp(&b.url).then_with(|| a.source.cmp(&b.source)));
    let mut unique: Vec<Page> = Vec::with_capacity(pages.len());
    for page in pages {
        match unique.last() {
            Some(prev) if prev.url == page.url => {
                let file = Path::new(CONTENT_DIR).join(&page.source);
                diags.push(
                    Diagnostic::error(
                        "duplicate",
                        tr(
                            lang,
                            "content.duplicate_url",
                            &[
                                ("url", &page.url),
                                (
                                    "other",
                                    &Path::new(CONTENT_DIR)
                                        .join(&prev.source)
                                        .display()
                                        .to_string(),
                                ),
                            ],
                        ),
                    )
                    .in_file(file),
                );
            }
            _ => unique.push(page),
        }
    }

    news.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.slug.cmp(&b.slug))
            .then_with(|| a.url.cmp(&b.url))
    });
    // The same slug in two year folders would give two addresses that staff
    // think of as one news item; keep both, but say so.
    let mut by_slug: BTreeMap<&str, &NewsItem> = BTreeMap::new();
    for item in &news {
        if let Some(other) = by_slug.insert(&item.slug, item) {
            diags.push(
                Diagnostic::warning(
                    "duplicate",
                    tr(
                        lang,
                        "content.duplicate_slug",
                        &[("slug", &item.slug), ("other", &other.url)],
                    ),
                )
                .in_file(site_relative(root, &item.dir.join("index.md"))),
            );
        }
    }

    let site = Site {
        root: root.to_path_buf(),
        config,
        pages: unique,
        news,
    };
    (site, diags)
}

/// What one Markdown file under `content/` turned out to be.
#[derive(Clone)]
enum Loaded {
    News(Box<NewsItem>),
    Page(Page),
    Nothing,
}

enum Kind {
    News { year: String, slug: String },
    Page { url: String },
    Stray,
}

/// Where a Markdown file under `content/` belongs.
fn classify(rel: &Path) -> Kind {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.first().map(String::as_str) == Some("news") && parts.len() > 2 {
        let is_year = parts[1].len() == 4 && parts[1].bytes().all(|b| b.is_ascii_digit());
        if parts.len() == 4 && is_year && parts[3] == "index.md" {
            return Kind::News {
                year: parts[1].clone(),
                slug: parts[2].clone(),
            };
        }
        return Kind::Stray;
    }
    Kind::Page { url: page_url(rel) }
}

/// The site path of a page file: `a/b.md` → `/a/b/`, `a/_index.md` and
/// `a/index.md` → `/a/`, `index.md` → `/`.
pub fn page_url(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.pop() {
        let stem = Path::new(&last)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem != "index" && stem != "_index" {
            parts.push(stem);
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .map(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
        .unwrap_or(false)
}

/// `path` relative to the site folder, for messages.
fn site_relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// A content file or folder that could not be read.
fn unreadable(file: PathBuf, error: &dyn std::fmt::Display, lang: Lang) -> Diagnostic {
    let message = tr(
        lang,
        "content.unreadable",
        &[
            ("file", &file.display().to_string()),
            ("error", &error.to_string()),
        ],
    );
    Diagnostic::error("unreadable", message).in_file(file)
}

/// The text of a content file: UTF-8 (a BOM is dropped), or a legacy Thai
/// encoding read as Windows-874 with a warning.
fn read_text(path: &Path, file: &Path, lang: Lang, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(unreadable(file.to_path_buf(), &e, lang));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let (decoded, _, _) = encoding_rs::WINDOWS_874.decode(e.as_bytes());
            diags.push(
                Diagnostic::warning("not-utf8", tr(lang, "content.not_utf8", &[])).in_file(file),
            );
            decoded.into_owned()
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Some(text.replace("\r\n", "\n"))
}

/// The front matter of a file, split from its body.
pub struct FrontMatter<'a> {
    /// The YAML text between the `---` lines (empty when there is none).
    pub yaml: &'a str,
    /// The 1-based line of the file where the YAML starts.
    pub first_line: usize,
    pub body: &'a str,
}

/// A front matter whose opening `---` has no closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unclosed;

/// Splits `---\nyaml\n---\nbody`. A file that does not start with `---` has
/// no front matter. `Err` when the opening `---` is never closed.
pub fn split_front_matter(text: &str) -> Result<FrontMatter<'_>, Unclosed> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(FrontMatter {
            yaml: "",
            first_line: 1,
            body: text,
        });
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(FrontMatter {
                yaml: &text[yaml_start..pos],
                first_line: 2,
                body: &text[body_start..],
            });
        }
        pos = end + 1;
    }
    Err(Unclosed)
}

/// The 1-based line of the file where the top-level `key:` is written.
fn key_line(fm: &FrontMatter<'_>, key: &str) -> Option<usize> {
    fm.yaml
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .map(|rest| rest.trim_start().starts_with(':'))
                .unwrap_or(false)
        })
        .map(|i| fm.first_line + i)
}

/// Parses the front matter into `T`: YAML syntax errors (with line and
/// column), unknown keys (a warning naming the nearest known key; the key is
/// ignored) and values of the wrong type become diagnostics.
fn parse_front<T: DeserializeOwned>(
    fm: &FrontMatter<'_>,
    known: &[&str],
    required: &[&str],
    file: &Path,
    lang: Lang,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let value: serde_yaml::Value = if fm.yaml.trim().is_empty() {
        serde_yaml::Value::Null
    } else {
        match serde_yaml::from_str(fm.yaml) {
            Ok(v) => v,
            Err(e) => {
                let mut d = Diagnostic::error(
                    "yaml-syntax",
                    tr(lang, "content.yaml_syntax", &[("error", &yaml_message(&e))]),
                )
                .in_file(file);
                if let Some(loc) = e.location() {
                    d = d.at(fm.first_line + loc.line() - 1, loc.column());
                }
                diags.push(d);
                return None;
            }
        }
    };
    let mut map = match value {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => serde_yaml::Mapping::new(),
        _ => {
            diags.push(
                Diagnostic::error("yaml-syntax", tr(lang, "content.not_a_mapping", &[]))
                    .in_file(file)
                    .at_line(fm.first_line),
            );
            return None;
        }
    };
    let keys: Vec<serde_yaml::Value> = map.keys().cloned().collect();
    for key in keys {
        let name = match &key {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        if known.contains(&name.as_str()) {
            continue;
        }
        map.remove(&key);
        let message = match nearest(&name, known.iter().copied()) {
            Some(near) => tr(
                lang,
                "content.unknown_field_near",
                &[("key", &name), ("near", near)],
            ),
            None => tr(
                lang,
                "content.unknown_field",
                &[("key", &name), ("known", &known.join(", "))],
            ),
        };
        let mut d = Diagnostic::warning("unknown-field", message).in_file(file);
        if let Some(line) = key_line(fm, &name) {
            d = d.at_line(line);
        }
        diags.push(d);
    }
    let mut missing = false;
    for key in required {
        let empty = match map.get(*key) {
            None | Some(serde_yaml::Value::Null) => true,
            Some(serde_yaml::Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        if empty {
            missing = true;
            let mut d = Diagnostic::error(
                "missing-field",
                tr(lang, "content.missing_field", &[("key", key)]),
            )
            .in_file(file);
            d = d.at_line(key_line(fm, key).unwrap_or(fm.first_line));
            diags.push(d);
        }
    }
    if missing {
        return None;
    }
    // Dates written without quotes are plain strings to serde_yaml; numbers
    // where text is expected (a title "2569") are turned into text too.
    for key in [
        "title",
        "date",
        "slug",
        "category",
        "summary",
        "description",
        "cover",
    ] {
        if let Some(v) = map.get_mut(key)
            && let Some(s) = scalar_text(v)
        {
            *v = serde_yaml::Value::String(s);
        }
    }
    match serde_yaml::from_value::<T>(serde_yaml::Value::Mapping(map)) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "yaml-syntax",
                    tr(lang, "content.bad_value", &[("error", &yaml_message(&e))]),
                )
                .in_file(file)
                .at_line(fm.first_line),
            );
            None
        }
    }
}

fn scalar_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// serde_yaml's message without its own "at line N column M" (the
/// diagnostic carries the line, counted from the top of the file).
fn yaml_message(e: &serde_yaml::Error) -> String {
    let s = e.to_string();
    s.split(" at line ").next().unwrap_or(&s).to_string()
}

fn load_page(
    root: &Path,
    content: &Path,
    rel: &Path,
    url: String,
    lang: Lang,
    diags: &mut Vec<Diagnostic>,
) -> Option<Page> {
    let file = Path::new(CONTENT_DIR).join(rel);
    let text = read_text(&content.join(rel), &file, lang, diags)?;
    let _ = root;
    let Ok(fm) = split_front_matter(&text) else {
        diags.push(
            Diagnostic::error(
                "yaml-syntax",
                tr(lang, "content.front_matter_unclosed", &[]),
            )
            .in_file(&file)
            .at_line(1),
        );
        return None;
    };
    // The home page's and the news list's text may go without a title.
    let required: &[&str] = if url == "/" || url == "/news/" {
        &[]
    } else {
        &["title"]
    };
    let front: PageFrontMatter = parse_front(&fm, PAGE_KEYS, required, &file, lang, diags)?;
    Some(Page {
        source: rel.to_path_buf(),
        url,
        title: front.title.unwrap_or_default().trim().to_string(),
        description: front.description.unwrap_or_default().trim().to_string(),
        weight: front.weight.unwrap_or(0),
        template: front.template.filter(|t| !t.trim().is_empty()),
        footer: front.footer,
        body: fm.body.to_string(),
    })
}

fn load_news(
    root: &Path,
    content: &Path,
    rel: &Path,
    year: &str,
    slug: &str,
    config: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> Option<NewsItem> {
    let lang = config.language;
    let file = Path::new(CONTENT_DIR).join(rel);
    let path = content.join(rel);
    let dir = path.parent().unwrap_or(content).to_path_buf();
    let text = read_text(&path, &file, lang, diags)?;
    let _ = root;
    if !is_slug(slug) {
        diags.push(
            Diagnostic::error("bad-slug", tr(lang, "content.bad_slug", &[("slug", slug)]))
                .in_file(&file),
        );
        return None;
    }
    let Ok(fm) = split_front_matter(&text) else {
        diags.push(
            Diagnostic::error(
                "yaml-syntax",
                tr(lang, "content.front_matter_unclosed", &[]),
            )
            .in_file(&file)
            .at_line(1),
        );
        return None;
    };
    let mut front: NewsFrontMatter = parse_front(
        &fm,
        NEWS_KEYS,
        &["title", "date", "category"],
        &file,
        lang,
        diags,
    )?;
    let mut ok = true;

    front.title = front.title.trim().to_string();
    let date = parse_date(&front.date);
    match date {
        Some(d) => {
            front.date = d.format("%Y-%m-%d").to_string();
            if d.year().to_string() != year {
                diags.push(
                    Diagnostic::warning(
                        "date-folder-mismatch",
                        tr(
                            lang,
                            "content.year_mismatch",
                            &[("date", &front.date), ("year", year)],
                        ),
                    )
                    .in_file(&file)
                    .at_line(key_line(&fm, "date").unwrap_or(fm.first_line)),
                );
            }
        }
        None => {
            ok = false;
            diags.push(
                Diagnostic::error(
                    "bad-date",
                    tr(lang, "content.bad_date", &[("value", &front.date)]),
                )
                .in_file(&file)
                .at_line(key_line(&fm, "date").unwrap_or(fm.first_line)),
            );
        }
    }

    match config.category(&front.category) {
        Some(c) => front.category = c.slug.clone(),
        None => {
            ok = false;
            let known: Vec<&str> = config
                .news
                .categories
                .iter()
                .flat_map(|c| [c.slug.as_str(), c.name.as_str()])
                .collect();
            let message = match nearest(&front.category, known.iter().copied()) {
                Some(near) => tr(
                    lang,
                    "content.unknown_category_near",
                    &[("value", &front.category), ("near", near)],
                ),
                None => tr(
                    lang,
                    "content.unknown_category",
                    &[
                        ("value", &front.category),
                        (
                            "known",
                            &config
                                .news
                                .categories
                                .iter()
                                .map(|c| c.slug.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ],
                ),
            };
            diags.push(
                Diagnostic::error("unknown-category", message)
                    .in_file(&file)
                    .at_line(key_line(&fm, "category").unwrap_or(fm.first_line)),
            );
        }
    }
    if !ok {
        return None;
    }

    // Every file the item names must be a plain name inside its folder.
    let mut check_file = |name: &str, key: &str| -> bool {
        let line = key_line(&fm, key).unwrap_or(fm.first_line);
        if !is_safe_relative(name) {
            diags.push(
                Diagnostic::error(
                    "unsafe-path",
                    tr(lang, "content.unsafe_path", &[("file", name)]),
                )
                .in_file(&file)
                .at_line(line),
            );
            return false;
        }
        if !dir.join(name).is_file() {
            diags.push(
                Diagnostic::error(
                    "missing-file",
                    tr(
                        lang,
                        "content.missing_file",
                        &[
                            ("file", name),
                            ("dir", &site_relative(root, &dir).display().to_string()),
                        ],
                    ),
                )
                .in_file(&file)
                .at_line(line),
            );
            return false;
        }
        true
    };
    front.images.retain(|p| check_file(&p.file, "images"));
    front
        .attachments
        .retain(|a| check_file(&a.file, "attachments"));
    if let Some(cover) = front.cover.take() {
        let cover = cover.trim().to_string();
        if !cover.is_empty() && check_file(&cover, "cover") {
            front.cover = Some(cover);
        }
    }
    if front.cover.is_none() {
        front.cover = front.images.first().map(|p| p.file.clone());
    }
    front.attachments.retain(|a| {
        if is_document(Path::new(&a.file), config) {
            return true;
        }
        diags.push(
            Diagnostic::error(
                "disallowed-file-type",
                tr(lang, "content.disallowed_attachment", &[("file", &a.file)]),
            )
            .in_file(&file)
            .at_line(key_line(&fm, "attachments").unwrap_or(fm.first_line)),
        );
        false
    });
    front.tags.retain(|t| !t.trim().is_empty());

    let date = date?;
    Some(NewsItem {
        url: format!("/news/{year}/{slug}/"),
        dir,
        slug: slug.to_string(),
        date,
        front,
        body: fm.body.to_string(),
    })
}

/// Document formats a page or news item may link to, published as they are
/// (besides `attachments.types` in site.yaml).
pub const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv", "txt", "zip",
];

/// Photo formats the image step resizes; an original in one of them is
/// never published as it is.
pub const PHOTO_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp"];

/// The lower-case extension of a file name.
pub fn extension(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A photo the image step handles (by its extension).
pub fn is_photo(p: &Path) -> bool {
    PHOTO_EXTENSIONS.contains(&extension(p).as_str())
}

/// A document published as it is: a known office format or one site.yaml
/// allows as an attachment; never a photo, a page or anything a browser
/// would run (`.html`, `.js`, `.svg`).
pub fn is_document(p: &Path, config: &SiteConfig) -> bool {
    let ext = extension(p);
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

/// A news date: ISO `2026-11-20` (also with a time after it), or the forms
/// staff write (`20/11/2569`, `20 พฤศจิกายน 2569`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    crate::thaidate::parse(s).or_else(|| {
        let head: String = s.chars().take(10).collect();
        if s.len() > 10 && (s[10..].starts_with('T') || s[10..].starts_with(' ')) {
            NaiveDate::parse_from_str(&head, "%Y-%m-%d").ok()
        } else {
            None
        }
    })
}

/// A relative path that stays inside its folder: not absolute, no `..`, no
/// drive letter or backslash.
pub fn is_safe_relative(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && !name.contains('\\')
        && !name.contains(':')
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        SiteConfig::parse(
            "title: t\nbase_url: https://x.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\n",
            Path::new("site.yaml"),
        )
        .unwrap()
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn page_urls() {
        assert_eq!(page_url(Path::new("index.md")), "/");
        assert_eq!(page_url(Path::new("about/_index.md")), "/about/");
        assert_eq!(page_url(Path::new("about/index.md")), "/about/");
        assert_eq!(page_url(Path::new("about/history.md")), "/about/history/");
        assert_eq!(page_url(Path::new("contact.md")), "/contact/");
    }

    #[test]
    fn front_matter_split() {
        let fm = split_front_matter("---\ntitle: a\n---\nbody\n").unwrap();
        assert_eq!(fm.yaml, "title: a\n");
        assert_eq!(fm.body, "body\n");
        let fm = split_front_matter("no front matter").unwrap();
        assert_eq!(fm.yaml, "");
        assert!(split_front_matter("---\ntitle: a\n").is_err());
    }

    #[test]
    fn loads_pages_and_news_with_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "content/index.md", "\u{feff}ยินดีต้อนรับ\n");
        write(
            root,
            "content/about/_index.md",
            "---\ntitle: เกี่ยวกับ\nweight: 1\n---\ntext\n",
        );
        write(
            root,
            "content/about/history.md",
            "---\ntitle: ประวัติ\ntitel: x\n---\ntext\n",
        );
        write(root, "content/broken.md", "---\ntitle: a: b\n---\n");
        write(root, "content/notitle.md", "---\ndescription: d\n---\n");
        write(
            root,
            "content/news/2026/a/index.md",
            "---\ntitle: ข่าว ก\ndate: 2026-11-20\ncategory: ข่าวประชาสัมพันธ์\n---\nเนื้อหา\n",
        );
        write(
            root,
            "content/news/2026/b/index.md",
            "---\ntitle: ข่าว ข\ndate: 20/11/2569\ncategory: pr\nimages: [{file: nope.jpg}]\n---\nเนื้อหา\n",
        );
        write(
            root,
            "content/news/2026/c/index.md",
            "---\ntitle: ค\ndate: 2026-02-30\ncategory: pr\n---\n",
        );
        write(
            root,
            "content/news/2026/d/index.md",
            "---\ntitle: ง\ndate: 2026-01-01\ncategory: sport\n---\n",
        );
        write(
            root,
            "content/news/2026/e/index.md",
            "---\ntitle: จ\ncategory: pr\n---\n",
        );
        write(
            root,
            "content/news/2026/f/index.md",
            "---\ntitle: ฉ\ndate: 2026-01-02\ncategory: pr\nattachments: [{file: page.html}]\n---\n",
        );
        write(root, "content/news/2026/f/page.html", "<script></script>");
        let (site, diags) = load_site(root, config());
        let urls: Vec<&str> = site.pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(urls, ["/", "/about/", "/about/history/"]);
        let news: Vec<&str> = site.news.iter().map(|n| n.slug.as_str()).collect();
        assert_eq!(news, ["a", "b", "f"]);
        assert!(site.news[2].front.attachments.is_empty());
        assert_eq!(site.news[0].front.category, "pr");
        assert!(site.news[1].front.images.is_empty());
        let codes: Vec<(&str, String)> = diags
            .iter()
            .map(|d| (d.code, d.file.as_ref().unwrap().display().to_string()))
            .collect();
        for (code, file) in [
            ("unknown-field", "content/about/history.md"),
            ("yaml-syntax", "content/broken.md"),
            ("missing-field", "content/notitle.md"),
            ("missing-file", "content/news/2026/b/index.md"),
            ("bad-date", "content/news/2026/c/index.md"),
            ("unknown-category", "content/news/2026/d/index.md"),
            ("missing-field", "content/news/2026/e/index.md"),
            ("disallowed-file-type", "content/news/2026/f/index.md"),
        ] {
            assert!(
                codes.contains(&(code, file.to_string())),
                "{code} {file} not in {codes:?}"
            );
        }
        let yaml = diags.iter().find(|d| d.code == "yaml-syntax").unwrap();
        assert_eq!(yaml.line, Some(2));
    }

    #[test]
    fn safe_paths() {
        assert!(is_safe_relative("photo1.jpg"));
        assert!(is_safe_relative("คำสั่ง.pdf"));
        assert!(!is_safe_relative("../x.jpg"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative("C:\\x.jpg"));
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
    }
}
