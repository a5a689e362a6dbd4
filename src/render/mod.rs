//! Step 4: the site rendered through the theme's Tera templates into
//! `public/`.
//!
//! Output (SPEC.md): `/` home (pinned, then the latest news) · `/news/` and
//! `/news/page/N/` · `/news/<yyyy>/<slug>/` with its resized photos and
//! attachments beside it · `/category/<slug>/` (and `/page/N/`) · pages at
//! their paths · `/404.html` · `/feed.xml` · `/sitemap.xml` · `/robots.txt`,
//! plus the theme's static files.
//!
//! Links in pages are site-absolute paths; absolute URLs (from `base_url`)
//! appear only where a page leaves the site: feed, sitemap, canonical and
//! Open Graph tags. The same input gives byte-identical output: nothing
//! depends on the clock or on hash-map order.

mod feed;
mod filters;
mod sitemap;
pub mod theme;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{MenuItem, Office, SiteConfig};
pub use crate::content::{DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS};
use crate::content::{NewsItem, Page, Site, extension, is_document, is_photo, normalize};
use crate::images::{ImageJob, ProcessedImage};
use crate::markdown::{self, Resolver, Target};

pub use filters::{absolute, human_size};
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
}

/// How many characters a summary (meta description, list text) keeps.
pub const SUMMARY_CHARS: usize = 160;

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The content-relative paths a document's relative links lead to (inside
/// `content/`).
fn linked_files(source_dir: &Path, body: &str) -> Vec<PathBuf> {
    markdown::local_refs(body)
        .into_iter()
        .filter_map(|u| match markdown::classify(&u) {
            Target::Local { rel, .. } => {
                let p = normalize(&source_dir.join(rel));
                (!p.starts_with("..") && !p.as_os_str().is_empty()).then_some(p)
            }
            _ => None,
        })
        .collect()
}

/// The folder of a news item relative to `content/`.
fn news_rel_dir(item: &NewsItem) -> PathBuf {
    PathBuf::from(item.out_dir())
}

/// Every photo the site publishes (news photos, covers, images in page and
/// news bodies), with where its variants go. Sorted and deduplicated.
pub fn image_jobs(site: &Site) -> Vec<ImageJob> {
    let content = site.content_dir();
    let mut jobs: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let mut add = |rel: PathBuf| {
        if rel.starts_with("..") || !is_photo(&rel) {
            return;
        }
        let source = Resolver::image_key(&content, &rel);
        if !source.is_file() {
            return;
        }
        let out_dir = slash(rel.parent().unwrap_or(Path::new("")));
        jobs.insert((source, out_dir));
    };
    for item in &site.news {
        let dir = news_rel_dir(item);
        for p in &item.front.images {
            add(normalize(&dir.join(&p.file)));
        }
        if let Some(cover) = &item.front.cover {
            add(normalize(&dir.join(cover)));
        }
        for rel in linked_files(&dir, &item.body) {
            add(rel);
        }
    }
    for page in &site.pages {
        for rel in linked_files(page.source_dir(), &page.body) {
            add(rel);
        }
    }
    jobs.into_iter()
        .map(|(source, out_dir)| ImageJob { source, out_dir })
        .collect()
}

// ---------------------------------------------------------------------------
// What the templates see.

#[derive(Serialize, Clone)]
struct SiteCtx<'a> {
    title: &'a str,
    description: &'a str,
    base_url: String,
    lang: &'static str,
    og_locale: &'static str,
    office: &'a Office,
    /// The office's name, or the site's title when site.yaml gives none.
    office_name: &'a str,
    /// The phone number for a `tel:` link (digits only).
    office_tel: String,
}

#[derive(Serialize, Clone)]
struct Assets {
    css: String,
    js: String,
}

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    url: String,
}

#[derive(Serialize, Clone)]
struct MenuCtx {
    name: String,
    url: String,
    /// This is the page being shown.
    current: bool,
    /// The page being shown is this entry or lies under it.
    active: bool,
    children: Vec<MenuCtx>,
}

#[derive(Serialize, Clone)]
struct CategoryCtx {
    slug: String,
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize, Clone)]
struct CategoryRef {
    slug: String,
    name: String,
    url: String,
}

/// A photo as a template shows it.
#[derive(Serialize, Clone)]
struct ImgCtx {
    src: String,
    srcset: String,
    width: u32,
    height: u32,
    alt: String,
    /// The largest variant, which thumbnails link to.
    large: String,
    large_width: u32,
    large_height: u32,
}

impl ImgCtx {
    fn new(image: &ProcessedImage, alt: &str, want: u32) -> Option<ImgCtx> {
        let v = markdown::default_variant(image, want)?;
        let large = image.variants.last()?;
        Some(ImgCtx {
            src: v.url.clone(),
            srcset: markdown::srcset(image),
            width: v.width,
            height: v.height,
            alt: alt.to_string(),
            large: large.url.clone(),
            large_width: large.width,
            large_height: large.height,
        })
    }
}

/// A news item in a list.
#[derive(Serialize, Clone)]
struct Card {
    title: String,
    url: String,
    /// ISO date; templates format it with `thai_date`.
    date: String,
    category: CategoryRef,
    summary: String,
    pinned: bool,
    thumb: Option<ImgCtx>,
}

#[derive(Serialize, Clone)]
struct AttachmentCtx {
    url: String,
    title: String,
    file: String,
    /// `PDF`, `DOCX`...
    kind: String,
    size: u64,
    /// `1.2 MB`
    size_text: String,
}

/// A news item on its own page.
#[derive(Serialize, Clone)]
struct NewsCtx {
    #[serde(flatten)]
    card: Card,
    body_html: String,
    tags: Vec<String>,
    /// The requester's group (never their name, phone or e-mail).
    group: String,
    cover: Option<ImgCtx>,
    /// The gallery: every photo of the item, the cover too (shown large
    /// above the text, without lazy loading, as the first thing seen).
    photos: Vec<ImgCtx>,
    attachments: Vec<AttachmentCtx>,
}

#[derive(Serialize, Clone)]
struct PageCtx {
    title: String,
    description: String,
    url: String,
    body_html: String,
    children: Vec<ChildCtx>,
}

#[derive(Serialize, Clone)]
struct ChildCtx {
    title: String,
    url: String,
    description: String,
}

#[derive(Serialize, Clone, Default)]
struct OgImage {
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

#[derive(Serialize, Clone, Default)]
struct Og {
    title: String,
    #[serde(rename = "type")]
    kind: &'static str,
    image: Option<OgImage>,
    published: Option<String>,
}

#[derive(Serialize, Clone)]
struct PageNumber {
    number: usize,
    url: String,
    current: bool,
    gap: bool,
}

#[derive(Serialize, Clone)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageNumber>,
}

/// The URL of page `n` of a list at `base` (`/news/`, `/category/pr/`).
fn list_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

fn pagination(base: &str, current: usize, total: usize) -> Pagination {
    let mut pages = Vec::new();
    let mut last = 0;
    for n in 1..=total {
        let show = n == 1 || n == total || n.abs_diff(current) <= 2;
        if !show {
            continue;
        }
        if last != 0 && n > last + 1 {
            pages.push(PageNumber {
                number: 0,
                url: String::new(),
                current: false,
                gap: true,
            });
        }
        pages.push(PageNumber {
            number: n,
            url: list_url(base, n),
            current: n == current,
            gap: false,
        });
        last = n;
    }
    Pagination {
        current,
        total,
        prev: (current > 1).then(|| list_url(base, current - 1)),
        next: (current < total).then(|| list_url(base, current + 1)),
        pages,
    }
}

fn menu_ctx(items: &[MenuItem], current: &str) -> Vec<MenuCtx> {
    items
        .iter()
        .map(|m| {
            let children = menu_ctx(&m.children, current);
            let here = !m.url.is_empty() && m.url == current;
            let under = m.url.starts_with('/') && m.url != "/" && current.starts_with(&m.url);
            MenuCtx {
                name: m.name.clone(),
                url: m.url.clone(),
                current: here,
                active: here || under || children.iter().any(|c| c.active),
                children,
            }
        })
        .collect()
}

/// The parent site path of a page path: `/a/b/` → `/a/`.
fn parent_url(url: &str) -> Option<String> {
    if url == "/" {
        return None;
    }
    let trimmed = url.trim_end_matches('/');
    trimmed.rfind('/').map(|i| trimmed[..=i].to_string())
}

/// `news/index.html` for `/news/`.
fn html_path(url: &str) -> PathBuf {
    let rel = url.trim_start_matches('/');
    PathBuf::from(format!("{rel}index.html"))
}

// ---------------------------------------------------------------------------

/// Everything shared while rendering.
struct Renderer<'a> {
    site: &'a Site,
    config: &'a SiteConfig,
    images: &'a BTreeMap<PathBuf, ProcessedImage>,
    tera: tera::Tera,
    theme: Theme,
    base: String,
    content_dir: PathBuf,
    /// The values every page has, the same on each (never set per page).
    common: tera::Context,
    categories: Vec<CategoryCtx>,
    /// Prepared news, in `site.news` order.
    news: Vec<NewsCtx>,
    /// The pages rendered on their own (not the home page's or a list's
    /// text), in `site.pages` order of their indexes.
    pages: Vec<usize>,
    /// Hash of what every output depends on: khao itself and site.yaml.
    salt: String,
    /// Template name → hash of its source and of every template it
    /// extends, includes or imports, so a template edit remakes exactly
    /// the pages that use it.
    template_keys: BTreeMap<String, String>,
}

/// One file of the output.
enum Job {
    Home,
    NewsList(usize),
    Category(usize, usize),
    News(usize),
    Page(usize),
    NotFound,
    Feed,
    Sitemap(Vec<sitemap::Entry>),
    Robots,
    Static(PathBuf),
    Copy(PathBuf),
}

/// Renders `site` into `public_dir`. `images` maps each photo's source path
/// (as [`image_jobs`] gives it) to its processed variants.
pub fn render_site(
    site: &Site,
    images: &BTreeMap<PathBuf, ProcessedImage>,
    public_dir: &Path,
) -> anyhow::Result<RenderOutput> {
    Ok(render_incremental(site, images, public_dir, &RenderCache::new())?.output)
}

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
    /// removed behind khao's back is made again.
    pub len: u64,
    pub mtime_ns: u64,
}

/// Output path (relative to `public/`) → what it was made from.
pub type RenderCache = BTreeMap<PathBuf, OutputRecord>;

/// What an incremental render did.
#[derive(Debug, Clone, Default)]
pub struct Incremental {
    pub output: RenderOutput,
    /// The records to keep for the next build (copies have none).
    pub records: RenderCache,
    /// Files rendered in this build because their inputs changed (the
    /// pages step 5 must check again).
    pub rendered: BTreeSet<PathBuf>,
    /// Files whose bytes on disk changed.
    pub written: usize,
}

/// Like [`render_site`], but skips every file whose inputs hash to the key
/// `previous` holds for it and which is still on disk as written.
pub fn render_incremental(
    site: &Site,
    images: &BTreeMap<PathBuf, ProcessedImage>,
    public_dir: &Path,
    previous: &RenderCache,
) -> anyhow::Result<Incremental> {
    let t0 = std::time::Instant::now();
    let renderer = Renderer::new(site, images)?;
    let plan = renderer.plan();
    if std::env::var_os("KHAO_TIMINGS").is_some() {
        eprintln!("     prepare: {:7.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    }
    let pages = plan
        .values()
        .filter(|j| {
            matches!(
                j,
                Job::Home
                    | Job::NewsList(_)
                    | Job::Category(..)
                    | Job::News(_)
                    | Job::Page(_)
                    | Job::NotFound
            )
        })
        .count();

    std::fs::create_dir_all(public_dir)
        .with_context(|| format!("cannot create {}", public_dir.display()))?;
    let done: Vec<anyhow::Result<(PathBuf, Option<Done>)>> = plan
        .par_iter()
        .map(|(rel, job)| {
            let dest = public_dir.join(rel);
            if let Job::Copy(src) = job {
                copy_if_changed(src, &dest).with_context(|| {
                    format!("cannot copy {} to {}", src.display(), dest.display())
                })?;
                return Ok((rel.clone(), None));
            }
            let mut made = renderer.make(rel, job)?;
            let key = made.key(&renderer);
            if let Some(old) = previous.get(rel)
                && old.key == key
                && file_stamp(&dest) == Some((old.len, old.mtime_ns))
            {
                return Ok((rel.clone(), Some((old.clone(), false, false))));
            }
            let bytes = renderer.bytes(made)?;
            let wrote = crate::build::write_if_changed(&dest, &bytes)
                .with_context(|| format!("cannot write {}", dest.display()))?;
            let (len, mtime_ns) = file_stamp(&dest).unwrap_or((bytes.len() as u64, 0));
            let record = OutputRecord { key, len, mtime_ns };
            Ok((rel.clone(), Some((record, true, wrote))))
        })
        .collect();
    let mut result = Incremental::default();
    let mut files = Vec::with_capacity(done.len());
    let mut errors = Vec::new();
    for r in done {
        match r {
            Ok((p, record)) => {
                if let Some((record, rendered, wrote)) = record {
                    if rendered {
                        result.rendered.insert(p.clone());
                    }
                    result.written += usize::from(wrote);
                    result.records.insert(p.clone(), record);
                }
                files.push(p);
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(anyhow!(errors.join("\n")));
    }
    files.sort();
    result.output = RenderOutput {
        files,
        pages,
        news: site.news.len(),
    };
    Ok(result)
}

/// A made file's record, whether it was made again, whether its bytes
/// changed.
type Done = (OutputRecord, bool, bool);

/// Size and modification time (ns since 1970) of a file, `None` when it
/// is not there.
pub fn file_stamp(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as u64;
    Some((meta.len(), mtime))
}

/// A page ready for Tera: the template and the values it is given.
struct Prepared {
    template: String,
    ctx: tera::Context,
    what: String,
}

impl Prepared {
    fn new(template: &str, ctx: tera::Context, what: &str) -> Prepared {
        Prepared {
            template: template.to_string(),
            ctx,
            what: what.to_string(),
        }
    }
}

/// One output file before its bytes exist (pages) or with them (the rest).
enum Made<'r> {
    Page(Prepared),
    Bytes(Cow<'r, [u8]>),
}

impl Made<'_> {
    /// The hash that decides whether the file must be made again. (A
    /// page's values are hashed as JSON, moved out of and back into their
    /// Context rather than copied.)
    fn key(&mut self, r: &Renderer<'_>) -> String {
        let mut h = blake3::Hasher::new();
        h.update(r.salt.as_bytes());
        match self {
            Made::Page(p) => {
                h.update(b"page\0");
                let deps = r
                    .template_keys
                    .get(&p.template)
                    .map(|k| k.as_bytes())
                    .unwrap_or(b"?");
                h.update(deps);
                h.update(p.template.as_bytes());
                h.update(b"\0");
                // A Context serialises as a map sorted by key: the same
                // values always give the same bytes.
                let json = std::mem::take(&mut p.ctx).into_json();
                let _ = serde_json::to_writer(&mut h, &json);
                p.ctx = tera::Context::from_value(json).unwrap_or_default();
            }
            Made::Bytes(b) => {
                h.update(b"bytes\0");
                h.update(b);
            }
        }
        h.finalize().to_hex().to_string()
    }
}

impl<'a> Renderer<'a> {
    fn new(
        site: &'a Site,
        images: &'a BTreeMap<PathBuf, ProcessedImage>,
    ) -> anyhow::Result<Renderer<'a>> {
        let config = &site.config;
        let lang = config.language;
        let theme = Theme::load(&site.root, &config.theme, lang)?;
        let base = config.base_url();
        let tera = build_tera(&theme, config, &base)?;
        let content_dir = site.content_dir();

        let css = asset_url(&theme, "css/site.css");
        let js = asset_url(&theme, "js/site.js");
        let office_name = if config.office.name.is_empty() {
            config.title.as_str()
        } else {
            config.office.name.as_str()
        };
        let site_ctx = SiteCtx {
            title: &config.title,
            description: &config.description,
            base_url: base.clone(),
            lang: lang.code(),
            og_locale: match lang {
                crate::i18n::Lang::Th => "th_TH",
                crate::i18n::Lang::En => "en_US",
            },
            office: &config.office,
            office_name,
            office_tel: config
                .office
                .phone
                .chars()
                .take_while(|c| *c != ',' && *c != '/')
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
        };

        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for item in &site.news {
            *counts.entry(item.front.category.as_str()).or_default() += 1;
        }
        let categories: Vec<CategoryCtx> = config
            .news
            .categories
            .iter()
            .map(|c| CategoryCtx {
                slug: c.slug.clone(),
                name: c.name.clone(),
                url: format!("/category/{}/", c.slug),
                count: counts.get(c.slug.as_str()).copied().unwrap_or(0),
            })
            .collect();

        // Footer links: the pages marked `footer: true`, or else the pages
        // of the /policy/ section.
        let mut footer: Vec<&Page> = site.pages.iter().filter(|p| p.footer).collect();
        if footer.is_empty() {
            footer = site
                .pages
                .iter()
                .filter(|p| parent_url(&p.url).as_deref() == Some("/policy/"))
                .collect();
        }
        footer.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.url.cmp(&b.url)));
        let footer_links: Vec<Link> = footer
            .iter()
            .map(|p| Link {
                title: p.title.clone(),
                url: p.url.clone(),
            })
            .collect();

        let mut common = tera::Context::new();
        common.insert("site", &site_ctx);
        common.insert("t", &theme.words);
        common.insert("assets", &Assets { css, js });
        common.insert("footer_links", &footer_links);
        common.insert("categories", &categories);
        let salt = build_salt(config, &common);

        let mut r = Renderer {
            site,
            config,
            images,
            tera,
            theme,
            base,
            content_dir,
            common,
            categories,
            news: Vec::new(),
            pages: Vec::new(),
            salt,
            template_keys: BTreeMap::new(),
        };
        r.template_keys = template_keys(&r.theme.templates);
        let news: Vec<NewsCtx> = site
            .news
            .par_iter()
            .map(|item| r.prepare_news(item))
            .collect();
        r.news = news;

        let generated: BTreeSet<String> = std::iter::once("/".to_string())
            .chain(std::iter::once("/news/".to_string()))
            .chain(r.categories.iter().map(|c| c.url.clone()))
            .chain(site.news.iter().map(|n| n.url.clone()))
            .collect();
        r.pages = site
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| !generated.contains(&p.url) && !p.url.contains("/page/"))
            .map(|(i, _)| i)
            .collect();
        for &i in &r.pages {
            let page = &site.pages[i];
            let template = page.template.as_deref().unwrap_or("page.html");
            if !r.tera.get_template_names().any(|n| n == template) {
                return Err(anyhow!(
                    "{}: the template `{}` is not in the theme",
                    Path::new(crate::content::CONTENT_DIR)
                        .join(&page.source)
                        .display(),
                    template
                ));
            }
        }
        Ok(r)
    }

    fn resolver<'r>(&'r self, source_dir: &'r Path) -> Resolver<'r> {
        Resolver {
            content_dir: &self.content_dir,
            source_dir,
            images: self.images,
        }
    }

    fn image(&self, rel: &Path) -> Option<&'a ProcessedImage> {
        self.images
            .get(&Resolver::image_key(&self.content_dir, rel))
    }

    fn word<'s>(&'s self, key: &'s str) -> &'s str {
        self.theme.words.get(key).map(String::as_str).unwrap_or(key)
    }

    fn category_ref(&self, slug: &str) -> CategoryRef {
        let name = self
            .config
            .news
            .categories
            .iter()
            .find(|c| c.slug == slug)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| slug.to_string());
        CategoryRef {
            slug: slug.to_string(),
            name,
            url: format!("/category/{slug}/"),
        }
    }

    fn prepare_news(&self, item: &NewsItem) -> NewsCtx {
        let dir = news_rel_dir(item);
        let front = &item.front;
        let alt_of = |file: &str, n: usize| -> String {
            front
                .images
                .iter()
                .find(|p| p.file == file)
                .map(|p| p.alt.trim().to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| {
                    format!(
                        "{} — {}",
                        front.title,
                        self.word("photo_n").replace("{n}", &n.to_string())
                    )
                })
        };
        let cover = front.cover.as_ref().and_then(|c| {
            let n = front
                .images
                .iter()
                .position(|p| &p.file == c)
                .map(|i| i + 1)
                .unwrap_or(1);
            self.image(&normalize(&dir.join(c)))
                .and_then(|img| ImgCtx::new(img, &alt_of(c, n), 640))
        });
        let thumb = front.cover.as_ref().and_then(|c| {
            let n = front
                .images
                .iter()
                .position(|p| &p.file == c)
                .map(|i| i + 1)
                .unwrap_or(1);
            self.image(&normalize(&dir.join(c)))
                .and_then(|img| ImgCtx::new(img, &alt_of(c, n), 320))
        });
        let photos: Vec<ImgCtx> = front
            .images
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                self.image(&normalize(&dir.join(&p.file)))
                    .and_then(|img| ImgCtx::new(img, &alt_of(&p.file, i + 1), 320))
            })
            .collect();
        let attachments: Vec<AttachmentCtx> = front
            .attachments
            .iter()
            .filter(|a| is_document(Path::new(&a.file), self.config))
            .map(|a| {
                let size = std::fs::metadata(item.dir.join(&a.file))
                    .map(|m| m.len())
                    .unwrap_or(0);
                let title = if a.title.trim().is_empty() {
                    a.file.clone()
                } else {
                    a.title.trim().to_string()
                };
                AttachmentCtx {
                    url: format!("{}{}", item.url, markdown::encode_path(&a.file)),
                    title,
                    file: a.file.clone(),
                    kind: extension(Path::new(&a.file)).to_ascii_uppercase(),
                    size,
                    size_text: human_size(size),
                }
            })
            .collect();
        let summary = match front.summary.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => markdown::truncate(s, SUMMARY_CHARS),
            _ => markdown::summary(&item.body, SUMMARY_CHARS),
        };
        let body_html = markdown::to_html(&item.body, &self.resolver(&dir));
        NewsCtx {
            card: Card {
                title: front.title.clone(),
                url: item.url.clone(),
                date: item.date.format("%Y-%m-%d").to_string(),
                category: self.category_ref(&front.category),
                summary,
                pinned: front.pinned,
                thumb,
            },
            body_html,
            tags: front.tags.iter().map(|t| t.trim().to_string()).collect(),
            group: front
                .requester
                .as_ref()
                .map(|r| r.group.trim().to_string())
                .unwrap_or_default(),
            cover,
            photos,
            attachments,
        }
    }

    /// Every output file and how to make it. Generated pages come first, so
    /// a content page or theme file can never replace one.
    fn plan(&self) -> BTreeMap<PathBuf, Job> {
        let mut plan: BTreeMap<PathBuf, Job> = BTreeMap::new();
        let add = |plan: &mut BTreeMap<PathBuf, Job>, rel: PathBuf, job: Job| {
            plan.entry(rel).or_insert(job);
        };
        let per_page = self.config.news.per_page.max(1);

        add(&mut plan, PathBuf::from("index.html"), Job::Home);
        let total = self.site.news.len().div_ceil(per_page).max(1);
        for n in 1..=total {
            add(
                &mut plan,
                html_path(&list_url("/news/", n)),
                Job::NewsList(n),
            );
        }
        for (ci, c) in self.categories.iter().enumerate() {
            let total = c.count.div_ceil(per_page).max(1);
            for n in 1..=total {
                add(
                    &mut plan,
                    html_path(&list_url(&c.url, n)),
                    Job::Category(ci, n),
                );
            }
        }
        for (i, item) in self.site.news.iter().enumerate() {
            add(&mut plan, html_path(&item.url), Job::News(i));
        }
        for &i in &self.pages {
            add(&mut plan, html_path(&self.site.pages[i].url), Job::Page(i));
        }
        add(&mut plan, PathBuf::from("404.html"), Job::NotFound);

        // The sitemap lists every HTML page but 404.html.
        let mut entries: Vec<sitemap::Entry> = plan
            .iter()
            .filter(|(rel, _)| rel.as_path() != Path::new("404.html"))
            .map(|(rel, job)| {
                let url = format!("/{}", slash(rel).trim_end_matches("index.html"));
                let lastmod = match job {
                    Job::News(i) => Some(self.news[*i].card.date.clone()),
                    _ => None,
                };
                sitemap::Entry { url, lastmod }
            })
            .collect();
        entries.sort_by(|a, b| a.url.cmp(&b.url));
        add(&mut plan, PathBuf::from("feed.xml"), Job::Feed);
        add(
            &mut plan,
            PathBuf::from("sitemap.xml"),
            Job::Sitemap(entries),
        );
        add(&mut plan, PathBuf::from("robots.txt"), Job::Robots);

        // Attachments and documents the text links to, published as they are.
        for item in &self.site.news {
            let dir = news_rel_dir(item);
            for a in &item.front.attachments {
                let rel = normalize(&dir.join(&a.file));
                if is_document(&rel, self.config) {
                    add(
                        &mut plan,
                        rel.clone(),
                        Job::Copy(self.content_dir.join(&rel)),
                    );
                }
            }
            for rel in linked_files(&dir, &item.body) {
                self.add_linked(&mut plan, rel);
            }
        }
        for page in &self.site.pages {
            for rel in linked_files(page.source_dir(), &page.body) {
                self.add_linked(&mut plan, rel);
            }
        }

        for rel in self.theme.statics.keys() {
            add(&mut plan, rel.clone(), Job::Static(rel.clone()));
        }
        plan
    }

    fn add_linked(&self, plan: &mut BTreeMap<PathBuf, Job>, rel: PathBuf) {
        if !is_document(&rel, self.config) {
            return;
        }
        let src = self.content_dir.join(&rel);
        if src.is_file() {
            plan.entry(rel).or_insert(Job::Copy(src));
        }
    }

    /// One output file: a page's template and values, or the bytes of
    /// the other files.
    fn make(&self, rel: &Path, job: &Job) -> anyhow::Result<Made<'_>> {
        let page = match job {
            Job::Home => self.home()?,
            Job::NewsList(n) => self.news_list(*n)?,
            Job::Category(c, n) => self.category(*c, *n)?,
            Job::News(i) => self.news_page(*i)?,
            Job::Page(i) => self.page(*i)?,
            Job::NotFound => self.not_found()?,
            Job::Feed => return Ok(Made::Bytes(Cow::Owned(self.feed().into_bytes()))),
            Job::Sitemap(entries) => {
                let text = sitemap::sitemap(&self.base, entries);
                return Ok(Made::Bytes(Cow::Owned(text.into_bytes())));
            }
            Job::Robots => {
                return Ok(Made::Bytes(Cow::Owned(
                    sitemap::robots(&self.base).into_bytes(),
                )));
            }
            Job::Static(key) => {
                return self
                    .theme
                    .statics
                    .get(key)
                    .map(|b| Made::Bytes(Cow::Borrowed(b.as_ref())))
                    .ok_or_else(|| anyhow!("{} vanished from the theme", rel.display()));
            }
            Job::Copy(src) => return Err(anyhow!("{} is copied, not made", src.display())),
        };
        Ok(Made::Page(page))
    }

    /// The bytes of a made file (pages go through Tera here).
    fn bytes<'m>(&self, made: Made<'m>) -> anyhow::Result<Cow<'m, [u8]>> {
        match made {
            Made::Bytes(b) => Ok(b),
            Made::Page(p) => Ok(Cow::Owned({
                let mut ctx = self.common.clone();
                ctx.extend(p.ctx);
                self.render(&p.template, &ctx, &p.what)?.into_bytes()
            })),
        }
    }

    /// A context with what every page has, but for the values that are the
    /// same on every page ([`Renderer::common`]): those join it only when
    /// the page is rendered, and are in the salt of every key instead of
    /// being copied and hashed once per page.
    fn context(&self, url: &str, title: &str, description: &str, og: Og) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("current_url", url);
        ctx.insert("canonical", &absolute(&self.base, url));
        ctx.insert("page_title", title);
        ctx.insert("description", description);
        ctx.insert("menu", &menu_ctx(&self.config.menu, url));
        let og = Og {
            title: if og.title.is_empty() {
                self.config.title.clone()
            } else {
                og.title
            },
            kind: if og.kind.is_empty() {
                "website"
            } else {
                og.kind
            },
            ..og
        };
        ctx.insert("og", &og);
        ctx.insert("noindex", &false);
        ctx.insert("pagination", &Option::<Pagination>::None);
        ctx
    }

    fn render(&self, template: &str, ctx: &tera::Context, what: &str) -> anyhow::Result<String> {
        self.tera
            .render(template, ctx)
            .map_err(|e| tera_error(&e, template, what))
    }

    fn site_description(&self) -> &str {
        if self.config.description.is_empty() {
            &self.config.title
        } else {
            &self.config.description
        }
    }

    fn crumb(&self, title: &str, url: &str) -> Link {
        Link {
            title: title.to_string(),
            url: url.to_string(),
        }
    }

    fn page_html(&self, page: &Page) -> String {
        markdown::to_html(&page.body, &self.resolver(page.source_dir()))
    }

    fn home(&self) -> anyhow::Result<Prepared> {
        let home = self.site.page("/");
        let description = home
            .map(|p| p.description.as_str())
            .filter(|d| !d.is_empty())
            .unwrap_or(self.site_description());
        let pinned: Vec<&Card> = self
            .news
            .iter()
            .filter(|n| n.card.pinned)
            .map(|n| &n.card)
            .collect();
        let latest: Vec<&Card> = self
            .news
            .iter()
            .filter(|n| !n.card.pinned)
            .take(self.config.news.home_count)
            .map(|n| &n.card)
            .collect();
        // A shared link to the home page shows the first photo it lists.
        let og = Og {
            image: pinned
                .iter()
                .chain(&latest)
                .find_map(|c| c.thumb.as_ref())
                .map(|img| self.og_image(img)),
            ..Og::default()
        };
        let mut ctx = self.context("/", "", description, og);
        #[derive(Serialize)]
        struct Home {
            title: String,
            body_html: String,
        }
        ctx.insert(
            "home",
            &Home {
                title: home.map(|p| p.title.clone()).unwrap_or_default(),
                body_html: home.map(|p| self.page_html(p)).unwrap_or_default(),
            },
        );
        ctx.insert("pinned", &pinned);
        ctx.insert("latest", &latest);
        Ok(Prepared::new("index.html", ctx, "/"))
    }

    fn og_image(&self, img: &ImgCtx) -> OgImage {
        OgImage {
            url: absolute(&self.base, &img.large),
            width: img.large_width,
            height: img.large_height,
            alt: img.alt.clone(),
        }
    }

    fn cards(&self, indexes: &[usize]) -> Vec<&Card> {
        indexes.iter().map(|&i| &self.news[i].card).collect()
    }

    fn news_list(&self, n: usize) -> anyhow::Result<Prepared> {
        let per_page = self.config.news.per_page.max(1);
        let total = self.news.len().div_ceil(per_page).max(1);
        let url = list_url("/news/", n);
        let intro = self.site.page("/news/");
        let heading = intro
            .map(|p| p.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.word("all_news").to_string());
        let title = if n > 1 {
            format!(
                "{heading} — {}",
                self.word("page_n").replace("{n}", &n.to_string())
            )
        } else {
            heading.clone()
        };
        let description = intro
            .map(|p| p.description.as_str())
            .filter(|d| !d.is_empty())
            .unwrap_or(self.site_description());
        let mut ctx = self.context(
            &url,
            &title,
            description,
            Og {
                title: title.clone(),
                ..Og::default()
            },
        );
        let idx: Vec<usize> = (0..self.news.len())
            .skip((n - 1) * per_page)
            .take(per_page)
            .collect();
        ctx.insert("news", &self.cards(&idx));
        ctx.insert("heading", &heading);
        ctx.insert(
            "intro_html",
            &intro.map(|p| self.page_html(p)).unwrap_or_default(),
        );
        ctx.insert("pagination", &pagination("/news/", n, total));
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(&heading, "/news/"),
            ],
        );
        Ok(Prepared::new("news_list.html", ctx, &url))
    }

    fn category(&self, ci: usize, n: usize) -> anyhow::Result<Prepared> {
        let c = &self.categories[ci];
        let per_page = self.config.news.per_page.max(1);
        let total = c.count.div_ceil(per_page).max(1);
        let url = list_url(&c.url, n);
        let intro = self.site.page(&c.url);
        let title = if n > 1 {
            format!(
                "{} — {}",
                c.name,
                self.word("page_n").replace("{n}", &n.to_string())
            )
        } else {
            c.name.clone()
        };
        let description = intro
            .map(|p| p.description.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("{} — {}", c.name, self.config.title));
        let mut ctx = self.context(
            &url,
            &title,
            &description,
            Og {
                title: title.clone(),
                ..Og::default()
            },
        );
        let idx: Vec<usize> = self
            .site
            .news
            .iter()
            .enumerate()
            .filter(|(_, item)| item.front.category == c.slug)
            .map(|(i, _)| i)
            .skip((n - 1) * per_page)
            .take(per_page)
            .collect();
        ctx.insert("news", &self.cards(&idx));
        ctx.insert("category", c);
        ctx.insert(
            "intro_html",
            &intro.map(|p| self.page_html(p)).unwrap_or_default(),
        );
        ctx.insert("pagination", &pagination(&c.url, n, total));
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(self.word("news"), "/news/"),
                self.crumb(&c.name, &c.url),
            ],
        );
        Ok(Prepared::new("category.html", ctx, &url))
    }

    fn news_page(&self, i: usize) -> anyhow::Result<Prepared> {
        let item = &self.news[i];
        let card = &item.card;
        let og = Og {
            title: card.title.clone(),
            kind: "article",
            image: item
                .cover
                .as_ref()
                .or(item.photos.first())
                .map(|img| self.og_image(img)),
            published: Some(card.date.clone()),
        };
        let mut ctx = self.context(&card.url, &card.title, &card.summary, og);
        ctx.insert("item", item);
        let link = |j: usize| Link {
            title: self.news[j].card.title.clone(),
            url: self.news[j].card.url.clone(),
        };
        ctx.insert("newer", &i.checked_sub(1).map(link));
        ctx.insert("older", &(i + 1 < self.news.len()).then(|| link(i + 1)));
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(self.word("news"), "/news/"),
                self.crumb(&card.category.name, &card.category.url),
                self.crumb(&card.title, &card.url),
            ],
        );
        Ok(Prepared::new("news.html", ctx, &card.url))
    }

    fn page(&self, i: usize) -> anyhow::Result<Prepared> {
        let page = &self.site.pages[i];
        let body_html = self.page_html(page);
        let description = if page.description.is_empty() {
            markdown::summary(&page.body, SUMMARY_CHARS)
        } else {
            page.description.clone()
        };
        let mut children: Vec<&Page> = self
            .pages
            .iter()
            .map(|&j| &self.site.pages[j])
            .filter(|p| parent_url(&p.url).as_deref() == Some(page.url.as_str()))
            .collect();
        children.sort_by(|a, b| {
            a.weight
                .cmp(&b.weight)
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.url.cmp(&b.url))
        });
        let mut ctx = self.context(
            &page.url,
            &page.title,
            &description,
            Og {
                title: page.title.clone(),
                ..Og::default()
            },
        );
        ctx.insert(
            "page",
            &PageCtx {
                title: page.title.clone(),
                description: description.clone(),
                url: page.url.clone(),
                body_html,
                children: children
                    .iter()
                    .map(|p| ChildCtx {
                        title: p.title.clone(),
                        url: p.url.clone(),
                        description: p.description.clone(),
                    })
                    .collect(),
            },
        );
        let mut crumbs = vec![self.crumb(page.title.as_str(), &page.url)];
        let mut up = parent_url(&page.url);
        while let Some(u) = up {
            if u == "/" {
                crumbs.push(self.crumb(self.word("home"), "/"));
                break;
            }
            if let Some(p) = self.site.page(&u) {
                crumbs.push(self.crumb(&p.title, &p.url));
            }
            up = parent_url(&u);
        }
        crumbs.reverse();
        ctx.insert("breadcrumbs", &crumbs);
        let template = page.template.as_deref().unwrap_or("page.html");
        Ok(Prepared::new(template, ctx, &page.url))
    }

    fn not_found(&self) -> anyhow::Result<Prepared> {
        let title = self.word("not_found_title").to_string();
        let mut ctx = self.context(
            "/404.html",
            &title,
            "",
            Og {
                title: title.clone(),
                ..Og::default()
            },
        );
        ctx.insert("noindex", &true);
        Ok(Prepared::new("404.html", ctx, "/404.html"))
    }

    fn feed(&self) -> String {
        let items: Vec<feed::FeedItem<'_>> = self
            .news
            .iter()
            .zip(&self.site.news)
            .take(self.config.news.feed_count)
            .map(|(n, item)| feed::FeedItem {
                title: &n.card.title,
                url: &n.card.url,
                date: item.date,
                category: &n.card.category.name,
                summary: &n.card.summary,
                image: n.card.thumb.as_ref().map(|t| absolute(&self.base, &t.src)),
            })
            .collect();
        feed::rss(self.config, &items)
    }
}

/// Hash of khao itself (version and binary) and of the site's settings:
/// a new khao or a changed site.yaml remakes every file.
fn build_salt(config: &SiteConfig, common: &tera::Context) -> String {
    let mut h = blake3::Hasher::new();
    let _ = serde_json::to_writer(&mut h, &common.clone().into_json());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some((len, mtime)) = std::env::current_exe()
        .ok()
        .and_then(|exe| file_stamp(&exe))
    {
        h.update(&len.to_le_bytes());
        h.update(&mtime.to_le_bytes());
    }
    let _ = serde_json::to_writer(&mut h, config);
    h.finalize().to_hex().to_string()
}

/// The templates a template names in `{% extends %}`, `{% include %}` and
/// `{% import %}` tags.
fn template_refs(source: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find("{%") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("%}") else { break };
        let tag = after[..close].trim_start_matches('-').trim_start();
        rest = &after[close + 2..];
        let word = tag.split_whitespace().next().unwrap_or("");
        if !matches!(word, "extends" | "include" | "import") {
            continue;
        }
        // Every quoted string in the tag: `include ["a.html", "b.html"]`.
        let mut chars = tag.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '"' || c == '\'' || c == '`' {
                let body = &tag[i + 1..];
                if let Some(end) = body.find(c) {
                    refs.push(body[..end].to_string());
                    for _ in 0..=body[..end].chars().count() {
                        chars.next();
                    }
                }
            }
        }
    }
    refs
}

/// Template name → hash of its own source and of every template it
/// reaches through extends/include/import.
fn template_keys(templates: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let refs: BTreeMap<&str, Vec<String>> = templates
        .iter()
        .map(|(n, s)| (n.as_str(), template_refs(s)))
        .collect();
    templates
        .keys()
        .map(|name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name.as_str()];
            while let Some(n) = todo.pop() {
                if !seen.insert(n) {
                    continue;
                }
                for r in refs.get(n).into_iter().flatten() {
                    todo.push(r.as_str());
                }
            }
            let mut h = blake3::Hasher::new();
            for n in seen {
                h.update(n.as_bytes());
                h.update(b"\0");
                // A name no template has (an optional include) counts too.
                h.update(
                    templates
                        .get(n)
                        .map(String::as_bytes)
                        .unwrap_or(b"\x01missing"),
                );
                h.update(b"\0");
            }
            (name.clone(), h.finalize().to_hex().to_string())
        })
        .collect()
}

/// The theme's templates in one Tera, with khao's filters.
fn build_tera(theme: &Theme, config: &SiteConfig, base: &str) -> anyhow::Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    // Tera's own escaping also turns `/` into `&#x2F;`, which makes every
    // URL unreadable; `&<>"'` is what HTML needs.
    tera.set_escape_fn(markdown::escape);
    tera.register_filter(
        "thai_date",
        filters::ThaiDate {
            lang: config.language,
        },
    );
    tera.register_filter("filesize", filters::FileSize);
    tera.register_filter(
        "abs_url",
        filters::AbsUrl {
            base: base.to_string(),
        },
    );
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .map_err(|e| tera_error(&e, "", "the theme's templates"))?;
    for name in theme::REQUIRED_TEMPLATES {
        if !theme.templates.contains_key(*name) {
            return Err(anyhow!("the theme has no template {name}"));
        }
    }
    Ok(tera)
}

/// A Tera error with its whole chain of causes, which is where Tera says
/// what went wrong and on which line.
fn tera_error(e: &tera::Error, template: &str, what: &str) -> anyhow::Error {
    let mut message = if template.is_empty() {
        format!("{what}: {e}")
    } else {
        format!("{what}: template {template}: {e}")
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!("\n  {s}"));
        source = s.source();
    }
    anyhow!(message)
}

/// The site path of a theme file with a version from its content, so a
/// browser's cached copy is replaced as soon as the file changes.
fn asset_url(theme: &Theme, rel: &str) -> String {
    match theme.statics.get(Path::new(rel)) {
        Some(bytes) => {
            let hash = blake3::hash(bytes);
            format!("/{rel}?v={}", &hash.to_hex()[..10])
        }
        None => format!("/{rel}"),
    }
}

/// Copies a file unless the destination already has its size and is not
/// older than it.
fn copy_if_changed(src: &Path, dest: &Path) -> std::io::Result<()> {
    let src_meta = std::fs::metadata(src)?;
    if let Ok(dest_meta) = std::fs::metadata(dest) {
        let fresh = match (src_meta.modified(), dest_meta.modified()) {
            (Ok(s), Ok(d)) => d >= s,
            _ => false,
        };
        if dest_meta.len() == src_meta.len() && fresh {
            return Ok(());
        }
    }
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(src, dest)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_urls_and_pagination() {
        assert_eq!(list_url("/news/", 1), "/news/");
        assert_eq!(list_url("/news/", 3), "/news/page/3/");
        let p = pagination("/news/", 5, 10);
        let shown: Vec<usize> = p.pages.iter().map(|n| n.number).collect();
        assert_eq!(shown, [1, 0, 3, 4, 5, 6, 7, 0, 10]);
        assert_eq!(p.prev.as_deref(), Some("/news/page/4/"));
        assert_eq!(p.next.as_deref(), Some("/news/page/6/"));
        let one = pagination("/news/", 1, 1);
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
        let mut t = BTreeMap::new();
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
