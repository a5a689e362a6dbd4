//! The renderer: everything shared while rendering — the site, the theme
//! in a Tera, the values every page has — and each news item prepared once
//! for its page, the lists and the feed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::context::*;
use super::error::RenderError;
use super::setup::{asset_url, build_salt, template_keys, tera_error};
use super::{SUMMARY_CHARS, Theme, absolute, human_size, news_rel_dir};
use crate::config::SiteConfig;
use crate::content::{NewsItem, Page, Site, is_document};
use crate::images::{ImageMap, ProcessedImage};
use crate::markdown::{self, Resolver};
use crate::plumbing::fs::Stamp;
use crate::plumbing::paths::{CONTENT_DIR, ext_lower, normalize};
use crate::plumbing::stat::Stater;
use crate::plumbing::url::encode_path;

/// Everything shared while rendering.
pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) config: &'a SiteConfig,
    pub(super) images: &'a ImageMap,
    pub(super) tera: tera::Tera,
    pub(super) theme: Theme,
    pub(super) base: String,
    pub(super) content_dir: PathBuf,
    /// Takes the stamps of attachments (their size is shown; a copy is
    /// made again when the stamp changes).
    pub(super) stater: Stater,
    /// The stamps of the news items' attachments, by path, as taken for
    /// their items' keys: the copy of each uses the same, one `statx` per
    /// attachment per build instead of two.
    pub(super) attachment_stamps: FxHashMap<PathBuf, Stamp>,
    /// The values every page has, the same on each (never set per page).
    pub(super) common: tera::Context,
    pub(super) categories: Vec<CategoryCtx>,
    /// The news, in `site.news` order, each prepared when first needed
    /// (see [`NewsSlot`]).
    pub(super) news: Vec<NewsSlot>,
    /// The build's "now" (an item pinned or ended shows it).
    pub(super) now: super::Now,
    /// The pages rendered on their own (not the home page's or a list's
    /// text), in `site.pages` order of their indexes.
    pub(super) pages: Vec<usize>,
    /// Hash of what every output depends on: khao itself and site.yaml.
    pub(super) salt: String,
    /// Template name → hash of its source and of every template it
    /// extends, includes or imports, so a template edit remakes exactly
    /// the pages that use it.
    pub(super) template_keys: BTreeMap<String, String>,
    /// What a shared link shows of a page without a photo of its own.
    pub(super) default_og: OgImage,
    pub(super) share: super::share::Share,
    /// What earlier builds made of each item (see [`super::memo`]).
    pub(super) memo: Option<&'a super::memo::Memo>,
    /// The fiscal-year archives (see [`super::archive`]).
    pub(super) archives: Vec<super::archive::Archive>,
    /// The news of each category and of the whole site (indexes into
    /// `site.news`, newest first), found once: every list page's key is
    /// made from them, and finding them per page made a one-edit build
    /// grow with the square of the site.
    pub(super) members: Members,
}

#[derive(Default)]
pub(super) struct Members {
    pub(super) all: Vec<usize>,
    pub(super) by_category: Vec<Vec<usize>>,
}

impl Members {
    fn of(site: &Site, categories: &[CategoryCtx]) -> Members {
        let mut slots: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (ci, c) in categories.iter().enumerate() {
            slots.entry(c.slug.as_str()).or_default().push(ci);
        }
        let mut by_category = vec![Vec::new(); categories.len()];
        for (i, item) in site.news.iter().enumerate() {
            for &ci in slots.get(item.news.category.as_str()).into_iter().flatten() {
                by_category[ci].push(i);
            }
        }
        Members {
            all: (0..site.news.len()).collect(),
            by_category,
        }
    }
}

/// A news item while rendering: the hash of its prepared form, which is
/// all the keys of its page and of the lists showing it need, and that
/// form, made only when a page showing it is made. A build after one edit
/// prepares one item and its lists' cards, not every item.
pub(super) struct NewsSlot {
    pub(super) digest: u64,
    /// Boxed: most slots stay empty, and a list of thousands of empty
    /// slots should not be thousands of prepared items' size.
    ctx: std::sync::OnceLock<Box<NewsCtx>>,
}

/// The size of an attachment of `item` (0 when it is missing).
fn attachment_size(stater: &Stater, item: &NewsItem, file: &str) -> u64 {
    stater.stamp(&item.dir.join(file)).map_or(0, |s| s.size)
}

/// What every page knows of the site.
fn site_ctx<'c>(config: &'c SiteConfig, base: &str) -> SiteCtx<'c> {
    let lang = config.language;
    SiteCtx {
        title: &config.title,
        description: &config.description,
        base_url: base.to_string(),
        lang: lang.code(),
        og_locale: match lang {
            crate::i18n::Lang::Th => "th_TH",
            crate::i18n::Lang::En => "en_US",
        },
        office: &config.office,
        // The office's name, or the site's title when site.yaml gives none.
        office_name: if config.office.name.is_empty() {
            &config.title
        } else {
            &config.office.name
        },
        office_tel: config
            .office
            .phone
            .chars()
            .take_while(|c| *c != ',' && *c != '/')
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
    }
}

/// site.yaml's categories, each with its number of news items.
fn categories(site: &Site) -> Vec<CategoryCtx> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in &site.news {
        *counts.entry(item.news.category.as_str()).or_default() += 1;
    }
    site.config
        .news
        .categories
        .iter()
        .map(|c| CategoryCtx {
            slug: c.slug.clone(),
            name: c.name.clone(),
            url: format!("/category/{}/", c.slug),
            count: counts.get(c.slug.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// Footer links: the pages marked `footer: true`, or else the pages of the
/// /policy/ section.
fn footer_links(site: &Site) -> Vec<Link> {
    let mut footer: Vec<&Page> = site.pages.iter().filter(|p| p.footer).collect();
    if footer.is_empty() {
        footer = site
            .pages
            .iter()
            .filter(|p| parent_url(&p.url).as_deref() == Some("/policy/"))
            .collect();
    }
    footer.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.url.cmp(&b.url)));
    footer
        .iter()
        .map(|p| Link {
            title: p.title.clone(),
            url: p.url.clone(),
        })
        .collect()
}

impl<'a> Renderer<'a> {
    pub(super) fn new(
        site: &'a Site,
        images: &'a ImageMap,
        now: &super::Now,
        memo: Option<&'a super::memo::Memo>,
        templates: super::Templates,
    ) -> Result<Renderer<'a>, RenderError> {
        let config = &site.config;
        let super::Templates { theme, tera } = templates;
        let base = config.base_url();
        let categories = categories(site);
        let mut common = tera::Context::new();
        common.insert("site", &site_ctx(config, &base));
        common.insert("t", &theme.words);
        let css = asset_url(&theme, "css/site.css");
        let js = asset_url(&theme, "js/site.js");
        common.insert("assets", &Assets { css, js });
        common.insert("footer_links", &footer_links(site));
        // Without their counts: every page has this list, and a new news
        // item must not change every page.
        let nav: Vec<CategoryRef> = categories
            .iter()
            .map(|c| CategoryRef {
                slug: c.slug.clone(),
                name: c.name.clone(),
                url: c.url.clone(),
            })
            .collect();
        common.insert("categories", &nav);
        let salt = build_salt(config, &common);
        let template_keys = template_keys(&theme.templates);
        let (default_og, share) = super::share::default(&site.root, config, &theme, &base)?;
        let mut r = Renderer {
            site,
            config,
            images,
            tera,
            theme,
            base,
            content_dir: site.content_dir(),
            stater: Stater::new(),
            attachment_stamps: FxHashMap::default(),
            common,
            categories,
            news: Vec::new(),
            now: *now,
            pages: Vec::new(),
            salt,
            template_keys,
            default_og,
            share,
            memo,
            archives: Vec::new(),
            members: Members::default(),
        };
        r.members = Members::of(site, &r.categories);
        let current = crate::fiscal::FiscalYear::of_instant(now, &config.tz());
        r.archives = super::archive::archives(site, &r.categories, current);
        let (news, stamps): (Vec<NewsSlot>, Vec<_>) =
            site.news.par_iter().map(|item| r.slot(item)).unzip();
        r.news = news;
        r.attachment_stamps = stamps.into_iter().flatten().collect();
        if let Some(m) = memo {
            m.forget_others(site.news.iter().map(|n| n.url.as_str()));
        }
        r.pages = r.own_pages()?;
        Ok(r)
    }

    /// The pages rendered on their own: not the home page's or a list's
    /// text. Each must name a template the theme has.
    fn own_pages(&self) -> Result<Vec<usize>, RenderError> {
        let ita = self
            .site
            .ita
            .as_ref()
            .map(|_| super::ita::ITA_URL.to_string());
        let generated: BTreeSet<String> = ["/".to_string(), "/news/".to_string()]
            .into_iter()
            .chain(ita)
            .chain(self.categories.iter().map(|c| c.url.clone()))
            .chain(self.archives.iter().map(|a| a.url.clone()))
            .chain(self.site.news.iter().map(|n| n.url.clone()))
            .collect();
        let mut own = Vec::new();
        for (i, page) in self.site.pages.iter().enumerate() {
            if generated.contains(&page.url) || page.url.contains("/page/") {
                continue;
            }
            let template = page.template.as_deref().unwrap_or("page.html");
            if !self.tera.get_template_names().any(|n| n == template) {
                return Err(RenderError::UnknownTemplate {
                    page: Path::new(CONTENT_DIR).join(&page.source),
                    template: template.to_string(),
                });
            }
            own.push(i);
        }
        Ok(own)
    }

    pub(super) fn resolver<'r>(&'r self, source_dir: &'r Path) -> Resolver<'r> {
        Resolver {
            content_dir: &self.content_dir,
            source_dir,
            images: self.images,
        }
    }

    pub(super) fn image(&self, rel: &Path) -> Option<&'a ProcessedImage> {
        self.images
            .get(crate::plumbing::paths::key(&Resolver::image_key(
                &self.content_dir,
                rel,
            )))
    }

    pub(super) fn word<'s>(&'s self, key: &'s str) -> &'s str {
        self.theme.words.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The title of page `n` of a list called `heading`: "heading — หน้า n"
    /// after the first.
    pub(super) fn list_title(&self, heading: &str, n: usize) -> String {
        if n > 1 {
            let page = self.word("page_n").replace("{n}", &n.to_string());
            format!("{heading} — {page}")
        } else {
            heading.to_string()
        }
    }

    pub(super) fn category_ref(&self, slug: &str) -> CategoryRef {
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

    /// Item `i`, prepared now if it was not yet.
    pub(super) fn item(&self, i: usize) -> &NewsCtx {
        let slot = &self.news[i];
        slot.ctx
            .get_or_init(|| Box::new(self.prepare_news(&self.site.news[i])))
    }

    /// An item's slot: its digest from the memo when the item, its photos
    /// and what it shows of the clock and its attachments are as they were
    /// (it is prepared only if a page that shows it is made); otherwise
    /// prepared now, and its digest remembered. With it, the stamps of
    /// its attachments.
    fn slot(&self, item: &NewsItem) -> (NewsSlot, Vec<(PathBuf, Stamp)>) {
        let key = self.text_key(item);
        let (shown, stamps) = self.shown_state(item);
        let remembered = self
            .memo
            .and_then(|m| m.digest(&item.url, key, shown, self.images));
        if let Some(digest) = remembered {
            let slot = NewsSlot {
                digest,
                ctx: std::sync::OnceLock::new(),
            };
            return (slot, stamps);
        }
        let ctx = self.prepare_news(item);
        if let Some(m) = self.memo {
            m.remember_digest(&item.url, key, shown, ctx.digest);
        }
        let slot = NewsSlot {
            digest: ctx.digest,
            ctx: std::sync::OnceLock::from(Box::new(ctx)),
        };
        (slot, stamps)
    }

    /// A hash of what an item's prepared form takes from outside its text
    /// and photos: whether it is pinned or ended now, and the sizes of its
    /// attachments; and the stamps it took of them.
    fn shown_state(&self, item: &NewsItem) -> (u64, Vec<(PathBuf, Stamp)>) {
        let front = &item.news;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&[
            u8::from(front.is_pinned(&self.now)),
            u8::from(front.is_ended(&self.now)),
        ]);
        let mut stamps = Vec::new();
        for a in &front.attachments {
            let path = item.dir.join(&a.file);
            let stamp = self.stater.stamp(&path);
            h.update(a.file.as_bytes());
            h.update(&stamp.map_or(0, |s| s.size).to_le_bytes());
            stamps.extend(stamp.map(|s| (path, s)));
        }
        (h.digest(), stamps)
    }

    /// The key of an item's text in the memo: the render salt and the
    /// item's stamp.
    fn text_key(&self, item: &NewsItem) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(self.salt.as_bytes());
        h.update(&item.stamp.to_le_bytes());
        h.digest()
    }

    fn prepare_news(&self, item: &NewsItem) -> NewsCtx {
        let now = &self.now;
        let dir = news_rel_dir(item);
        let front = &item.news;
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
        // The cover photo and its alt, shown large on the page and small
        // on cards.
        let cover_photo = front.cover.as_ref().and_then(|c| {
            let n = front
                .images
                .iter()
                .position(|p| &p.file == c)
                .map(|i| i + 1)
                .unwrap_or(1);
            let img = normalize(&dir.join(c)).and_then(|p| self.image(&p))?;
            Some((img, alt_of(c, n)))
        });
        let cover = cover_photo
            .as_ref()
            .and_then(|(img, alt)| ImgCtx::new(img, alt, 640));
        let thumb = cover_photo
            .as_ref()
            .and_then(|(img, alt)| ImgCtx::new(img, alt, 320));
        let photos: Vec<ImgCtx> = front
            .images
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                normalize(&dir.join(&p.file))
                    .and_then(|p| self.image(&p))
                    .and_then(|img| ImgCtx::new(img, &alt_of(&p.file, i + 1), 320))
            })
            .collect();
        let attachments: Vec<AttachmentCtx> = front
            .attachments
            .iter()
            .filter(|a| is_document(Path::new(&a.file), self.config))
            .map(|a| {
                let size = attachment_size(&self.stater, item, &a.file);
                let title = if a.title.trim().is_empty() {
                    a.file.clone()
                } else {
                    a.title.trim().to_string()
                };
                AttachmentCtx {
                    url: format!("{}{}", item.url, encode_path(&a.file)),
                    title,
                    file: a.file.clone(),
                    kind: ext_lower(Path::new(&a.file)).to_ascii_uppercase(),
                    size,
                    size_text: human_size(size),
                }
            })
            .collect();
        let (body_html, body_digest, summary) = self.text_of(item, &dir);
        let mut ctx = NewsCtx {
            card: Card {
                title: front.title.clone(),
                url: item.url.clone(),
                date: super::news_date(item),
                category: self.category_ref(&front.category),
                summary,
                pinned: front.is_pinned(now),
                ended: front.is_ended(now),
                thumb,
            },
            body_html,
            tags: front.tags.iter().map(|t| t.trim().to_string()).collect(),
            group: front.requester.group.trim().to_string(),
            cover,
            photos,
            attachments,
            body_digest,
            digest: 0,
        };
        ctx.digest = ctx.digest_of();
        ctx
    }

    /// An item's text as HTML, a hash of it, and its summary. While nothing
    /// they are made from changed, an earlier build's memo gives the hash
    /// and the summary, and the HTML is left empty (made only if the page
    /// is: [`Renderer::with_body`]); otherwise they are made (and
    /// remembered).
    fn text_of(&self, item: &NewsItem, dir: &Path) -> (String, u64, String) {
        let key = self.text_key(item);
        if let Some((digest, summary)) = self
            .memo
            .and_then(|m| m.recall(&item.url, key, self.images))
        {
            return (String::new(), digest, summary);
        }
        let front = &item.news;
        let body = crate::content::body_of(&self.site.root, self.config, item);
        let summary = match front.summary.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => markdown::truncate(s, SUMMARY_CHARS),
            _ => markdown::summary(&body, SUMMARY_CHARS),
        };
        let body_html = markdown::to_html(&body, &self.resolver(dir));
        let body_digest = xxhash_rust::xxh3::xxh3_64(body_html.as_bytes());
        if let Some(memo) = self.memo {
            // The photos the HTML shows. A text linking files of other
            // folders is made again every build rather than tracked.
            let linked = item.linked.clone();
            if linked.iter().all(|p| p.starts_with(dir)) {
                let own = front
                    .images
                    .iter()
                    .map(|p| p.file.as_str())
                    .chain(front.cover.as_deref());
                let mut images: Vec<PathBuf> = linked
                    .into_iter()
                    .chain(own.filter_map(|f| normalize(&dir.join(f))))
                    .map(|rel| Resolver::image_key(&self.content_dir, &rel))
                    .collect();
                images.sort();
                images.dedup();
                memo.remember(
                    &item.url,
                    super::memo::Entry {
                        key,
                        images_digest: super::memo::images_digest(&images, self.images),
                        images,
                        body_digest,
                        shown: 0,
                        digest: None,
                    },
                    summary.clone(),
                );
            }
        }
        (body_html, body_digest, summary)
    }

    /// Item `i` with its text as HTML, made now if the memo left it out.
    pub(super) fn with_body(&self, i: usize) -> std::borrow::Cow<'_, NewsCtx> {
        let ctx = self.item(i);
        let item = &self.site.news[i];
        let body = crate::content::body_of(&self.site.root, self.config, item);
        if !ctx.body_html.is_empty() || body.trim().is_empty() {
            return std::borrow::Cow::Borrowed(ctx);
        }
        let mut full = ctx.clone();
        full.body_html = markdown::to_html(&body, &self.resolver(&news_rel_dir(item)));
        std::borrow::Cow::Owned(full)
    }
}

impl Renderer<'_> {
    pub(super) fn context(
        &self,
        url: &str,
        title: &str,
        description: &str,
        og: Og,
    ) -> tera::Context {
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
            // Every page has a picture to show when shared.
            image: og.image.or_else(|| Some(self.default_og.clone())),
            ..og
        };
        ctx.insert("og", &og);
        ctx.insert("noindex", &false);
        ctx.insert("pagination", &Option::<Pagination>::None);
        ctx
    }

    pub(super) fn render(
        &self,
        template: &str,
        ctx: &tera::Context,
        what: &str,
    ) -> Result<String, RenderError> {
        self.tera
            .render(template, ctx)
            .map_err(|e| tera_error(&e, template, what))
    }

    pub(super) fn site_description(&self) -> &str {
        if self.config.description.is_empty() {
            &self.config.title
        } else {
            &self.config.description
        }
    }

    pub(super) fn crumb(&self, title: &str, url: &str) -> Link {
        Link {
            title: title.to_string(),
            url: url.to_string(),
        }
    }

    pub(super) fn page_html(&self, page: &Page) -> String {
        markdown::to_html(&page.body, &self.resolver(page.source_dir()))
    }
}
