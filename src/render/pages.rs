//! The pages: the home page, the news list and category lists, a news
//! item's page, a plain page, 404, and the feed — each the template to use
//! and the values to give it.

use serde::Serialize;

use super::SUMMARY_CHARS;
use super::context::*;
use super::plan::Prepared;
use super::renderer::Renderer;
use super::{absolute, feed};
use crate::content::Page;
use crate::markdown;

impl Renderer<'_> {
    pub(super) fn home(&self) -> Prepared {
        let home = self.site.page("/");
        let description = home
            .map(|p| p.description.as_str())
            .filter(|d| !d.is_empty())
            .unwrap_or(self.site_description());
        let (pinned, latest) = self.home_items();
        let (pinned, latest) = (self.cards(&pinned), self.cards(&latest));
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
        // The home page lists the categories with their counts (every
        // other page has them without: see `Renderer::new`).
        ctx.insert("categories", &self.categories);
        Prepared::new("index.html", ctx, "/")
    }

    pub(super) fn og_image(&self, img: &ImgCtx) -> OgImage {
        OgImage {
            url: absolute(&self.base, &img.large),
            width: img.large_width,
            height: img.large_height,
            alt: img.alt.clone(),
        }
    }

    /// The home page's news: the pinned items, and the latest of the
    /// others not ended.
    fn home_items(&self) -> (Vec<usize>, Vec<usize>) {
        let news = &self.site.news;
        let pinned = |i: &usize| news[*i].news.is_pinned(&self.now);
        let ended = |i: &usize| news[*i].news.is_ended(&self.now);
        let all = 0..news.len();
        let latest = all.clone().filter(|i| !pinned(i) && !ended(i));
        let latest = latest.take(self.config.news.home_count).collect();
        (all.filter(pinned).collect(), latest)
    }

    pub(super) fn cards(&self, indexes: &[usize]) -> Vec<&Card> {
        indexes.iter().map(|&i| &self.item(i).card).collect()
    }

    /// The pages of the list at `base` of `items` news.
    pub(super) fn pager<'b>(&self, base: &'b str, items: usize) -> Pager<'b> {
        Pager::new(base, self.config.news.per_page, items)
    }

    /// The news of category `ci`, newest first.
    pub(super) fn category_items(&self, ci: usize) -> &[usize] {
        &self.members.by_category[ci]
    }

    pub(super) fn news_list(&self, n: usize) -> Prepared {
        let pager = self.pager("/news/", self.news.len());
        let url = pager.url(n);
        let intro = self.site.page("/news/");
        let heading = intro
            .map(|p| p.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.word("all_news").to_string());
        let title = self.list_title(&heading, n);
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
        let idx: Vec<usize> = pager.range(n).collect();
        ctx.insert("news", &self.cards(&idx));
        ctx.insert("heading", &heading);
        ctx.insert(
            "intro_html",
            &intro.map(|p| self.page_html(p)).unwrap_or_default(),
        );
        ctx.insert("pagination", &pager.pagination(n));
        ctx.insert("fiscal_years", &self.year_links(None, ""));
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(&heading, "/news/"),
            ],
        );
        Prepared::new("news_list.html", ctx, &url)
    }

    pub(super) fn category(&self, ci: usize, n: usize) -> Prepared {
        let c = &self.categories[ci];
        let all = self.category_items(ci);
        let pager = self.pager(&c.url, all.len());
        let url = pager.url(n);
        let intro = self.site.page(&c.url);
        let title = self.list_title(&c.name, n);
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
        let idx: Vec<usize> = pager.range(n).map(|k| all[k]).collect();
        ctx.insert("news", &self.cards(&idx));
        ctx.insert(
            "category",
            &CategoryRef {
                slug: c.slug.clone(),
                name: c.name.clone(),
                url: c.url.clone(),
            },
        );
        // How many: said on the first page only, which changes anyway
        // when a news item arrives (the others keep their bytes).
        ctx.insert("news_count", &(n == 1).then_some(all.len()));
        ctx.insert(
            "intro_html",
            &intro.map(|p| self.page_html(p)).unwrap_or_default(),
        );
        ctx.insert("pagination", &pager.pagination(n));
        ctx.insert("fiscal_years", &self.year_links(Some(ci), ""));
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(self.word("news"), "/news/"),
                self.crumb(&c.name, &c.url),
            ],
        );
        Prepared::new("category.html", ctx, &url)
    }

    pub(super) fn news_page(&self, i: usize) -> Prepared {
        let item = self.item(i);
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
        ctx.insert("item", &*self.with_body(i));
        let link = |j: usize| Link {
            title: self.site.news[j].news.title.clone(),
            url: self.site.news[j].url.clone(),
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
        Prepared::new("news.html", ctx, &card.url)
    }

    pub(super) fn page(&self, i: usize) -> Prepared {
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
        Prepared::new(template, ctx, &page.url)
    }

    pub(super) fn not_found(&self) -> Prepared {
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
        Prepared::new("404.html", ctx, "/404.html")
    }

    pub(super) fn feed(&self) -> String {
        let items: Vec<feed::FeedItem<'_>> = (self.site.news.iter().enumerate())
            .take(self.config.news.feed_count)
            .map(|(i, item)| (self.item(i), item))
            .map(|(n, item)| feed::FeedItem {
                title: &n.card.title,
                url: &n.card.url,
                date: item.date,
                category: &n.card.category.name,
                summary: &n.card.summary,
                image: (n.card.thumb.as_ref())
                    .map(|t| (absolute(&self.base, &t.src), t.alt.as_str())),
            })
            .collect();
        feed::rss(self.config, &items)
    }
}
