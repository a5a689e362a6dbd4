//! What the templates see: the values each page is rendered with, and the
//! small computations they need (pagination, the menu's current entry).

use serde::Serialize;

use crate::config::{MenuItem, Office};
use crate::images::ProcessedImage;
use crate::markdown;

#[derive(Serialize, Clone)]
pub(super) struct SiteCtx<'a> {
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) base_url: String,
    pub(super) lang: &'static str,
    pub(super) og_locale: &'static str,
    pub(super) office: &'a Office,
    /// The office's name, or the site's title when site.yaml gives none.
    pub(super) office_name: &'a str,
    /// The phone number for a `tel:` link (digits only).
    pub(super) office_tel: String,
}

#[derive(Serialize, Clone)]
pub(super) struct Assets {
    pub(super) css: String,
    pub(super) js: String,
}

#[derive(Serialize, Clone)]
pub(super) struct Link {
    pub(super) title: String,
    pub(super) url: String,
}

#[derive(Serialize, Clone)]
pub(super) struct MenuCtx {
    pub(super) name: String,
    pub(super) url: String,
    /// This is the page being shown.
    pub(super) current: bool,
    /// The page being shown is this entry or lies under it.
    pub(super) active: bool,
    pub(super) children: Vec<MenuCtx>,
}

#[derive(Serialize, Clone)]
pub(super) struct CategoryCtx {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) url: String,
    pub(super) count: usize,
}

#[derive(Serialize, Clone)]
pub(super) struct CategoryRef {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) url: String,
}

/// A photo as a template shows it.
#[derive(Serialize, Clone)]
pub(super) struct ImgCtx {
    pub(super) src: String,
    pub(super) srcset: String,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) alt: String,
    /// The largest variant, which thumbnails link to.
    pub(super) large: String,
    pub(super) large_width: u32,
    pub(super) large_height: u32,
}

impl ImgCtx {
    pub(super) fn new(image: &ProcessedImage, alt: &str, want: u32) -> Option<ImgCtx> {
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
pub(super) struct Card {
    pub(super) title: String,
    pub(super) url: String,
    /// ISO date; templates format it with `thai_date`.
    pub(super) date: String,
    pub(super) category: CategoryRef,
    pub(super) summary: String,
    pub(super) pinned: bool,
    /// Past its `expires`: "สิ้นสุดแล้ว", off the home page.
    pub(super) ended: bool,
    pub(super) thumb: Option<ImgCtx>,
}

#[derive(Serialize, Clone)]
pub(super) struct AttachmentCtx {
    pub(super) url: String,
    pub(super) title: String,
    pub(super) file: String,
    /// `PDF`, `DOCX`...
    pub(super) kind: String,
    pub(super) size: u64,
    /// `1.2 MB`
    pub(super) size_text: String,
}

/// A news item on its own page.
#[derive(Serialize, Clone)]
pub(super) struct NewsCtx {
    #[serde(flatten)]
    pub(super) card: Card,
    pub(super) body_html: String,
    pub(super) tags: Vec<String>,
    /// The requester's group (never their name, phone or e-mail).
    pub(super) group: String,
    pub(super) cover: Option<ImgCtx>,
    /// The gallery: every photo of the item, the cover too (shown large
    /// above the text, without lazy loading, as the first thing seen).
    pub(super) photos: Vec<ImgCtx>,
    pub(super) attachments: Vec<AttachmentCtx>,
    /// A hash of `body_html`, which is left empty when an earlier build's
    /// memo knew it: it is made only when the page itself is made
    /// ([`super::renderer::Renderer::news_page`]).
    #[serde(skip)]
    pub(super) body_digest: u64,
    /// A hash of everything above ([`NewsCtx::digest_of`]): the item's part
    /// of its page's key, so that key is made without serialising the item.
    #[serde(skip)]
    pub(super) digest: u64,
}

impl NewsCtx {
    /// A hash of every field but `digest`. (The pattern names every field:
    /// a new one does not compile until it is hashed too.)
    pub(super) fn digest_of(&self) -> u64 {
        let NewsCtx {
            card,
            body_html,
            tags,
            group,
            cover,
            photos,
            attachments,
            body_digest,
            digest: _,
        } = self;
        let _ = body_html; // stands for itself in `body_digest`
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let small = (card, tags, group, cover, photos, attachments);
        let _ = serde_json::to_writer(&mut XxhWriter(&mut h), &small);
        h.update(&body_digest.to_le_bytes());
        h.digest()
    }
}

/// Lets serde_json write straight into a hash.
pub(super) struct XxhWriter<'h>(pub(super) &'h mut xxhash_rust::xxh3::Xxh3);

impl std::io::Write for XxhWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Serialize, Clone)]
pub(super) struct PageCtx {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) url: String,
    pub(super) body_html: String,
    pub(super) children: Vec<ChildCtx>,
}

#[derive(Serialize, Clone)]
pub(super) struct ChildCtx {
    pub(super) title: String,
    pub(super) url: String,
    pub(super) description: String,
}

#[derive(Serialize, Clone, Default, PartialEq, Eq)]
pub(super) struct OgImage {
    pub(super) url: String,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) alt: String,
}

#[derive(Serialize, Clone, Default)]
pub(super) struct Og {
    pub(super) title: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) image: Option<OgImage>,
    pub(super) published: Option<String>,
}

#[derive(Serialize, Clone)]
pub(super) struct PageNumber {
    pub(super) number: usize,
    pub(super) url: String,
    pub(super) current: bool,
    pub(super) gap: bool,
}

#[derive(Serialize, Clone)]
pub(super) struct Pagination {
    pub(super) current: usize,
    pub(super) total: usize,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) pages: Vec<PageNumber>,
}

/// The pages of a list of news (newest first), numbered 1, 2, … from the
/// newest as a visitor meets them, but cut from the oldest into groups of
/// `per_page`: page 1 (the list's own address) shows the newest group and,
/// while that one is not full, the full group before it too (between
/// `per_page` and twice as many news); every other page is one full group,
/// at `<base>page/<group number>/` (`page/1/` the oldest). A news item
/// arriving changes page 1 and nothing else, until its group fills (one
/// item in `per_page`): the other pages keep their news and their bytes, so
/// a build makes, checks and uploads one list page, not all of them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pager<'a> {
    base: &'a str,
    per_page: usize,
    items: usize,
}

impl<'a> Pager<'a> {
    pub(super) fn new(base: &'a str, per_page: usize, items: usize) -> Pager<'a> {
        Pager {
            base,
            per_page: per_page.max(1),
            items,
        }
    }

    /// Groups of `per_page`, the newest possibly partial.
    fn groups(&self) -> usize {
        self.items.div_ceil(self.per_page)
    }

    /// Groups page 1 shows: the newest, and the one before while the
    /// newest is not full.
    fn first_page_groups(&self) -> usize {
        let groups = self.groups();
        let newest = self.items - groups.saturating_sub(1) * self.per_page;
        if groups >= 2 && newest < self.per_page {
            2
        } else {
            1
        }
    }

    /// How many pages (at least one, for an empty list).
    pub(super) fn pages(&self) -> usize {
        (self.groups() + 1)
            .saturating_sub(self.first_page_groups())
            .max(1)
    }

    /// The group (0 = the oldest) shown on page `n` ≥ 2.
    fn group(&self, n: usize) -> usize {
        (self.groups() + 1).saturating_sub(self.first_page_groups() + n)
    }

    /// The address of page `n` (1-based).
    pub(super) fn url(&self, n: usize) -> String {
        if n <= 1 {
            self.base.to_string()
        } else {
            format!("{}page/{}/", self.base, self.group(n) + 1)
        }
    }

    /// The news of page `n`: positions in the newest-first list.
    pub(super) fn range(&self, n: usize) -> std::ops::Range<usize> {
        let older = self.group(2) + 1;
        let first_end = self.items - (older * self.per_page).min(self.items);
        if n <= 1 {
            return 0..if self.pages() == 1 {
                self.items
            } else {
                first_end
            };
        }
        let end = self.items.saturating_sub(self.group(n) * self.per_page);
        end.saturating_sub(self.per_page)..end
    }

    /// The numbered links of page `current`: the first and last pages and
    /// two on each side, gaps between.
    pub(super) fn pagination(&self, current: usize) -> Pagination {
        let total = self.pages();
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
                url: self.url(n),
                current: n == current,
                gap: false,
            });
            last = n;
        }
        Pagination {
            current,
            total,
            prev: (current > 1).then(|| self.url(current - 1)),
            next: (current < total).then(|| self.url(current + 1)),
            pages,
        }
    }
}

pub(super) fn menu_ctx(items: &[MenuItem], current: &str) -> Vec<MenuCtx> {
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
pub(super) fn parent_url(url: &str) -> Option<String> {
    if url == "/" {
        return None;
    }
    let trimmed = url.trim_end_matches('/');
    trimmed.rfind('/').map(|i| trimmed[..=i].to_string())
}
