//! The incremental plan: every output file and how to make it, and the
//! key that says whether it must be made again — a hash of khao, site.yaml,
//! the template with everything it includes, and the values it is given.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::error::RenderError;
use super::renderer::Renderer;
use super::{news_rel_dir, sitemap};
use crate::content::is_document;
use crate::markdown::linked_files;
use crate::plumbing::paths::{html_path, normalize, slash, sort_by_path_bytes};

/// Every output file and how to make it, by the bytes of its path (the
/// order of the build's file list), each path once.
pub(super) type Plan = Vec<(PathBuf, Job)>;

/// `claims` (paths with the jobs that claim them, in the order they claim
/// them) as a [`Plan`]: of two claims of one path, the first wins.
/// Compared as bytes: comparing paths component by component was most of
/// what planning a large site cost.
fn claimed(mut claims: Vec<(PathBuf, Job)>) -> Plan {
    sort_by_path_bytes(&mut claims, |(rel, _)| rel);
    claims
}

/// A key's bytes, gathered and then hashed at once: serde_json writes a
/// value in many small pieces, and a site of a thousand items has
/// thousands of keys. The hash is xxh3-128, not a cryptographic one: a
/// key only says whether a file's inputs changed, and every key starts
/// with the build salt (khao itself, the settings), so keys of another
/// khao never match.
#[derive(Default)]
struct KeyHasher(Vec<u8>);

impl KeyHasher {
    fn update(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.extend_from_slice(bytes);
        self
    }

    /// The key, as 32 hex digits.
    fn key(&self) -> String {
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&self.0))
    }
}

impl std::io::Write for KeyHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One file of the output.
pub(super) enum Job {
    Home,
    NewsList(usize),
    Category(usize, usize),
    /// Page `n` of fiscal-year archive `a`.
    Archive(usize, usize),
    /// The OIT page.
    Ita,
    News(usize),
    Page(usize),
    NotFound,
    Feed,
    Sitemap(Vec<sitemap::Entry>),
    Robots,
    Static(PathBuf),
    Copy(PathBuf),
    /// The default share picture (`og:image`).
    Share,
}

impl Job {
    /// An HTML page (404.html included).
    pub(super) fn is_page(&self) -> bool {
        matches!(
            self,
            Job::Home
                | Job::NewsList(_)
                | Job::Category(..)
                | Job::Archive(..)
                | Job::Ita
                | Job::News(_)
                | Job::Page(_)
                | Job::NotFound
        )
    }
}

/// A made file's record, whether it was made again, whether its bytes
/// changed.
pub(super) type Done = (super::OutputRecord, bool, bool);

/// A page ready for Tera: the template and the values it is given.
pub(super) struct Prepared {
    template: String,
    ctx: tera::Context,
    what: String,
}

impl Prepared {
    pub(super) fn new(template: &str, ctx: tera::Context, what: &str) -> Prepared {
        Prepared {
            template: template.to_string(),
            ctx,
            what: what.to_string(),
        }
    }
}

/// One output file before its bytes exist (pages, the share picture) or
/// with them (the rest).
pub(super) enum Made<'r> {
    Page(Prepared),
    Bytes(Cow<'r, [u8]>),
    Share,
}

impl Made<'_> {
    /// The hash that decides whether the file must be made again. (A
    /// page's values are hashed as JSON, moved out of and back into their
    /// Context rather than copied.)
    pub(super) fn key(&mut self, r: &Renderer<'_>) -> String {
        let mut h = KeyHasher::default();
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
            Made::Share => {
                h.update(b"share\0");
                h.update(&r.share.key(&r.theme));
            }
        }
        h.key()
    }
}

impl Renderer<'_> {
    /// The key of a news page or a list of news, made from what the page
    /// is made of without preparing it (a site of a thousand items has
    /// hundreds of lists): always the salt (site.yaml, the theme's words,
    /// khao) and the template with the templates it uses, then
    ///
    /// - a news page ([`Renderer::news_page`]): the item (its digest) and
    ///   its neighbours' titles and addresses;
    /// - a list ([`Renderer::news_list`], [`Renderer::category`],
    ///   [`Renderer::archive`]): its address, page number and number of
    ///   pages, the digests of the items it shows, the count it shows, its
    ///   intro page, and its links to the fiscal-year archives.
    ///
    /// `None` for other files: their key is made from their prepared values
    /// ([`Made::key`]).
    pub(super) fn quick_key(&self, job: &Job) -> Option<String> {
        let list = |template: &str,
                    url: &str,
                    n: usize,
                    shown: &[usize],
                    count: Option<usize>,
                    years: Option<Option<usize>>| {
            let pager = self.pager(url, shown.len());
            let mut h = KeyHasher::default();
            h.update(self.salt.as_bytes());
            h.update(template.as_bytes());
            h.update(b"\0");
            h.update(
                self.template_keys
                    .get(template)
                    .map(|k| k.as_bytes())
                    .unwrap_or(b"?"),
            );
            h.update(url.as_bytes());
            h.update(b"\0");
            h.update(&(n as u64).to_le_bytes());
            h.update(&(pager.pages() as u64).to_le_bytes());
            h.update(&count.map_or(u64::MAX, |c| c as u64).to_le_bytes());
            for k in pager.range(n) {
                h.update(&self.news[shown[k]].digest.to_le_bytes());
            }
            if let Some(p) = self.site.page(url) {
                let _ = serde_json::to_writer(&mut h, p);
            }
            // The fiscal-year links of the news list and a category's list.
            if let Some(scope) = years {
                let _ = serde_json::to_writer(&mut h, &self.year_links(scope, ""));
            }
            h.key()
        };
        match job {
            Job::NewsList(n) => {
                let all = &self.members.all;
                Some(list("news_list.html", "/news/", *n, all, None, Some(None)))
            }
            Job::Category(ci, n) => {
                let all = self.category_items(*ci);
                let count = (*n == 1).then_some(all.len());
                let url = &self.categories[*ci].url;
                Some(list("category.html", url, *n, all, count, Some(Some(*ci))))
            }
            Job::Archive(ai, n) => {
                let a = &self.archives[*ai];
                let count = (*n == 1).then_some(a.news.len());
                let key = list("archive.html", &a.url, *n, &a.news, count, None);
                // Its year links mark itself.
                let mut h = KeyHasher::default();
                h.update(key.as_bytes());
                let _ = serde_json::to_writer(&mut h, &self.year_links(a.category, &a.url));
                Some(h.key())
            }
            Job::News(i) => Some(self.news_key(*i)),
            // The feed: the newest items (digests); the sitemap: its entries.
            Job::Feed => {
                let mut h = KeyHasher::default();
                h.update(self.salt.as_bytes());
                h.update(b"feed\0");
                for (n, item) in self
                    .news
                    .iter()
                    .zip(&self.site.news)
                    .take(self.config.news.feed_count)
                {
                    h.update(&n.digest.to_le_bytes());
                    h.update(item.date.to_string().as_bytes());
                }
                Some(h.key())
            }
            Job::Sitemap(entries) => {
                let mut h = KeyHasher::default();
                h.update(self.salt.as_bytes());
                h.update(b"sitemap\0");
                for e in entries {
                    h.update(e.url.as_bytes());
                    h.update(b"\0");
                    h.update(e.lastmod.as_deref().unwrap_or("").as_bytes());
                    h.update(b"\0");
                }
                Some(h.key())
            }
            _ => None,
        }
    }

    fn news_key(&self, i: usize) -> String {
        let i = &i;
        let mut h = KeyHasher::default();
        h.update(self.salt.as_bytes());
        h.update(b"news\0");
        h.update(
            self.template_keys
                .get("news.html")
                .map(|k| k.as_bytes())
                .unwrap_or(b"?"),
        );
        h.update(&self.news[*i].digest.to_le_bytes());
        let neighbours = [i.checked_sub(1), Some(*i + 1)];
        for j in neighbours {
            match j.and_then(|j| self.site.news.get(j)) {
                Some(n) => {
                    h.update(n.news.title.as_bytes());
                    h.update(b"\0");
                    h.update(n.url.as_bytes());
                }
                None => {
                    h.update(b"\xff");
                }
            }
            h.update(b"\0");
        }
        h.key()
    }

    /// Every output file and how to make it. Generated pages come first, so
    /// a content page or theme file can never replace one.
    pub(super) fn plan(&self) -> Plan {
        // The pages, in the order they claim their paths (the first
        // claim of a path wins), sorted on both cores.
        let mut pages: Vec<(PathBuf, Job)> = vec![(PathBuf::from("index.html"), Job::Home)];
        let pager = self.pager("/news/", self.news.len());
        for n in 1..=pager.pages() {
            pages.push((html_path(&pager.url(n)), Job::NewsList(n)));
        }
        for (ci, c) in self.categories.iter().enumerate() {
            let pager = self.pager(&c.url, c.count);
            for n in 1..=pager.pages() {
                pages.push((html_path(&pager.url(n)), Job::Category(ci, n)));
            }
        }
        for (ai, a) in self.archives.iter().enumerate() {
            let pager = self.pager(&a.url, a.news.len());
            for n in 1..=pager.pages() {
                pages.push((html_path(&pager.url(n)), Job::Archive(ai, n)));
            }
        }
        if self.site.ita.is_some() {
            pages.push((html_path(super::ita::ITA_URL), Job::Ita));
        }
        let news = self.site.news.par_iter().enumerate();
        pages.par_extend(news.map(|(i, item)| (html_path(&item.url), Job::News(i))));
        for &i in &self.pages {
            pages.push((html_path(&self.site.pages[i].url), Job::Page(i)));
        }
        pages.push((PathBuf::from("404.html"), Job::NotFound));
        let mut plan = claimed(pages);

        // The sitemap lists every HTML page but 404.html and the archives
        // without news (there for the OIT page's links, not for search).
        let mut entries: Vec<sitemap::Entry> = plan
            .par_iter()
            .filter(|(rel, _)| rel.as_os_str() != "404.html")
            .filter(
                |(_, job)| !matches!(job, Job::Archive(a, _) if self.archives[*a].news.is_empty()),
            )
            .map(|(rel, job)| {
                let url = format!("/{}", slash(rel).trim_end_matches("index.html"));
                let lastmod = match job {
                    Job::News(i) => Some(super::news_date(&self.site.news[*i])),
                    _ => None,
                };
                sitemap::Entry { url, lastmod }
            })
            .collect();
        entries.par_sort_by(|a, b| a.url.cmp(&b.url));
        plan.push((PathBuf::from("feed.xml"), Job::Feed));
        plan.push((PathBuf::from("sitemap.xml"), Job::Sitemap(entries)));
        plan.push((PathBuf::from("robots.txt"), Job::Robots));

        // Attachments and documents the text links to, published as they
        // are (found on both cores, claimed in the order of the news).
        let copies = self.site.news.par_iter().flat_map_iter(|item| {
            let dir = news_rel_dir(item);
            let attached = item.news.attachments.iter().filter_map(move |a| {
                let rel = normalize(&dir.join(&a.file))?;
                is_document(&rel, self.config).then_some(rel)
            });
            let linked = item.linked.iter().filter(|rel| self.is_linked_copy(rel));
            attached.chain(linked.cloned()).map(|rel| {
                let src = self.content_dir.join(&rel);
                (rel, Job::Copy(src))
            })
        });
        plan.par_extend(copies);
        let mut linked: Vec<PathBuf> = Vec::new();
        for page in &self.site.pages {
            linked.extend(linked_files(page.source_dir(), &page.body));
        }
        linked.extend(self.ita_documents());
        for rel in linked.into_iter().filter(|rel| self.is_linked_copy(rel)) {
            let src = self.content_dir.join(&rel);
            plan.push((rel, Job::Copy(src)));
        }

        for rel in self.theme.statics.keys() {
            plan.push((rel.clone(), Job::Static(rel.clone())));
        }
        plan.push((self.share.path(), Job::Share));
        claimed(plan)
    }

    /// Whether a file a text links to is published as it is: a document
    /// that is there.
    fn is_linked_copy(&self, rel: &Path) -> bool {
        is_document(rel, self.config) && self.site.has_file(rel)
    }

    /// One output file: a page's template and values, or the bytes of
    /// the other files.
    pub(super) fn make(&self, rel: &Path, job: &Job) -> Result<Made<'_>, RenderError> {
        let page = match job {
            Job::Home => self.home(),
            Job::NewsList(n) => self.news_list(*n),
            Job::Category(c, n) => self.category(*c, *n),
            Job::Archive(a, n) => self.archive(*a, *n),
            Job::Ita => match &self.site.ita {
                Some(ita) => self.ita(ita),
                None => {
                    return Err(RenderError::Template {
                        what: "/ita/".into(),
                        detail: "no ita.yaml".into(),
                    });
                }
            },
            Job::News(i) => self.news_page(*i),
            Job::Page(i) => self.page(*i),
            Job::NotFound => self.not_found(),
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
                    .ok_or_else(|| RenderError::ThemeFile {
                        path: rel.to_path_buf(),
                        error: "missing".into(),
                    });
            }
            Job::Share => return Ok(Made::Share),
            Job::Copy(src) => {
                return Ok(Made::Bytes(Cow::Owned(
                    crate::plumbing::fs::read_regular(src)
                        .map_err(super::error::write_error(src))?,
                )));
            }
        };
        Ok(Made::Page(page))
    }

    /// The bytes of a made file (pages go through Tera here).
    pub(super) fn bytes<'m>(&self, made: Made<'m>) -> Result<Cow<'m, [u8]>, RenderError> {
        match made {
            Made::Bytes(b) => Ok(b),
            Made::Share => Ok(Cow::Owned(
                self.share.bytes(&self.theme, self.config.images.quality)?,
            )),
            Made::Page(p) => Ok(Cow::Owned({
                let mut ctx = self.common.clone();
                ctx.extend(p.ctx);
                self.render(&p.template, &ctx, &p.what)?.into_bytes()
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeyHasher;

    #[test]
    fn a_key_is_its_pieces_however_they_were_written() {
        let mut gathered = KeyHasher::default();
        let mut joined = Vec::new();
        for piece in [&b"salt"[..], b"news\0", b"", &7u64.to_le_bytes()] {
            gathered.update(piece);
            joined.extend_from_slice(piece);
        }
        let value = serde_json::json!({"title": "ข่าว", "n": [1, 2]});
        serde_json::to_writer(&mut gathered, &value).unwrap();
        joined.extend(serde_json::to_vec(&value).unwrap());
        let mut whole = KeyHasher::default();
        whole.update(&joined);
        assert_eq!(gathered.key(), whole.key());
        assert_eq!(whole.key().len(), 32);
        // One byte more is another key.
        whole.update(b"!");
        assert_ne!(gathered.key(), whole.key());
    }
}
