//! Fiscal-year archives: `/news/fy/<BE year>/` and
//! `/category/<slug>/fy/<BE year>/`, the news dated in one fiscal year
//! (1 October – 30 September, named by the Buddhist-Era year it ends in).
//! The OIT assessment links them ("news of the current fiscal year"), so
//! the current year's archive and every archive `ita.yaml` links exist
//! even before they hold any news: the link then leads to a page that says
//! so (`ita-empty`), never to a 404 (`ita-broken-link`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::context::{CategoryCtx, CategoryRef};
use super::plan::Prepared;
use super::renderer::Renderer;
use crate::content::Site;
use crate::fiscal::FiscalYear;
use crate::ita::{LinkTarget, classify};

/// One archive: all news of a fiscal year, or one category's.
#[derive(Debug, Clone)]
pub(super) struct Archive {
    /// Index into the renderer's categories; `None` for all news.
    pub(super) category: Option<usize>,
    pub(super) year: FiscalYear,
    /// `/news/fy/2569/`
    pub(super) url: String,
    /// Indexes into `site.news`, newest first.
    pub(super) news: Vec<usize>,
}

/// A year in the list of archives a list page links. (No count of its
/// news: every list page shows these links, and a news item arriving must
/// not change them all.)
#[derive(Serialize, Clone)]
pub(super) struct YearLink {
    pub(super) year: i32,
    pub(super) url: String,
    /// The page shown is this archive.
    pub(super) current: bool,
}

/// The URL of an archive.
pub(super) fn archive_url(category: Option<&CategoryCtx>, year: FiscalYear) -> String {
    let base = category.map_or("/news/", |c| c.url.as_str());
    format!("{base}fy/{}/", year.be_year())
}

/// Every archive the site has: each year with news, for all news and for
/// each category, plus the years that must exist without news — the one
/// `now` falls in and `ita.yaml`'s, for all news and every category, and
/// any archive `ita.yaml` links. Sorted by scope, then newest year first.
pub(super) fn archives(
    site: &Site,
    categories: &[CategoryCtx],
    current: FiscalYear,
) -> Vec<Archive> {
    let mut by: BTreeMap<(Option<usize>, FiscalYear), Vec<usize>> = BTreeMap::new();
    let category_of: BTreeMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i))
        .collect();
    for (i, item) in site.news.iter().enumerate() {
        let year = FiscalYear::of_date(item.date);
        by.entry((None, year)).or_default().push(i);
        if let Some(&ci) = category_of.get(item.news.category.as_str()) {
            by.entry((Some(ci), year)).or_default().push(i);
        }
    }
    let mut always: BTreeSet<FiscalYear> = BTreeSet::from([current]);
    if let Some(ita) = &site.ita {
        if let Ok(year) = FiscalYear::new(ita.page.fiscal_year) {
            always.insert(year);
        }
        let base = site.config.base_url();
        for (_, link) in ita.page.links() {
            if let LinkTarget::Internal(path) = classify(&link.url, &base)
                && let Some(wanted) = linked_archive(&path, &category_of)
            {
                by.entry(wanted).or_default();
            }
        }
    }
    for year in always {
        by.entry((None, year)).or_default();
        for ci in 0..categories.len() {
            by.entry((Some(ci), year)).or_default();
        }
    }
    let mut list: Vec<Archive> = by
        .into_iter()
        .map(|((category, year), news)| Archive {
            category,
            year,
            url: archive_url(category.map(|ci| &categories[ci]), year),
            news,
        })
        .collect();
    list.sort_by(|a, b| a.category.cmp(&b.category).then(b.year.cmp(&a.year)));
    list
}

/// The archive a site path names (`/news/fy/2569/`,
/// `/category/pr/fy/2569/`), if it names one of a known category.
fn linked_archive(
    path: &str,
    category_of: &BTreeMap<&str, usize>,
) -> Option<(Option<usize>, FiscalYear)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (category, year) = match parts.as_slice() {
        ["news", "fy", year] => (None, year),
        ["category", slug, "fy", year] => (Some(*category_of.get(slug)?), year),
        _ => return None,
    };
    let year = FiscalYear::new(year.parse().ok()?).ok()?;
    Some((category, year))
}

impl Renderer<'_> {
    /// The archives of one scope (all news, or a category) that hold news,
    /// newest first, for a list page's links; `current` is marked.
    pub(super) fn year_links(&self, category: Option<usize>, current: &str) -> Vec<YearLink> {
        self.archives
            .iter()
            .filter(|a| a.category == category && (!a.news.is_empty() || a.url == current))
            .map(|a| YearLink {
                year: a.year.be_year(),
                url: a.url.clone(),
                current: a.url == current,
            })
            .collect()
    }

    /// Page `n` of archive `ai`.
    pub(super) fn archive(&self, ai: usize, n: usize) -> Prepared {
        let a = &self.archives[ai];
        let pager = self.pager(&a.url, a.news.len());
        let url = pager.url(n);
        let year_n = self
            .word("fiscal_year_n")
            .replace("{n}", &a.year.be_year().to_string());
        let (scope_name, scope_url) = match a.category {
            Some(ci) => (
                self.categories[ci].name.clone(),
                self.categories[ci].url.clone(),
            ),
            None => (self.word("all_news").to_string(), "/news/".to_string()),
        };
        let heading = format!("{scope_name} {year_n}");
        let title = self.list_title(&heading, n);
        let description = format!("{heading} — {}", self.config.title);
        let mut ctx = self.context(
            &url,
            &title,
            &description,
            super::context::Og {
                title: title.clone(),
                ..Default::default()
            },
        );
        let idx: Vec<usize> = pager.range(n).map(|k| a.news[k]).collect();
        ctx.insert("news", &self.cards(&idx));
        ctx.insert("heading", &heading);
        // How many: on the first page only (see `Renderer::category`).
        ctx.insert("news_count", &(n == 1).then_some(a.news.len()));
        let lang = self.config.language;
        let day = |d| crate::thaidate::format(d, lang, crate::thaidate::Style::Full, false);
        ctx.insert(
            "fiscal_year",
            &serde_json::json!({
                "year": a.year.be_year(),
                "from": day(a.year.first_day()),
                "to": day(a.year.last_day()),
            }),
        );
        let intro = self.site.page(&a.url);
        ctx.insert(
            "intro_html",
            &intro.map(|p| self.page_html(p)).unwrap_or_default(),
        );
        ctx.insert("fiscal_years", &self.year_links(a.category, &a.url));
        ctx.insert(
            "category",
            &a.category.map(|ci| {
                let c = &self.categories[ci];
                CategoryRef {
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                    url: c.url.clone(),
                }
            }),
        );
        ctx.insert("pagination", &pager.pagination(n));
        // An archive without news is there for the links that lead to it;
        // search engines need not list it.
        ctx.insert("noindex", &a.news.is_empty());
        let mut crumbs = vec![
            self.crumb(self.word("home"), "/"),
            self.crumb(self.word("news"), "/news/"),
        ];
        if a.category.is_some() {
            crumbs.push(self.crumb(&scope_name, &scope_url));
        }
        crumbs.push(self.crumb(&year_n, &a.url));
        ctx.insert("breadcrumbs", &crumbs);
        Prepared::new("archive.html", ctx, &url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_archives_are_recognised() {
        let cats = BTreeMap::from([("pr", 0usize)]);
        let y = FiscalYear::new(2569).unwrap();
        assert_eq!(linked_archive("/news/fy/2569/", &cats), Some((None, y)));
        assert_eq!(
            linked_archive("/category/pr/fy/2569/", &cats),
            Some((Some(0), y))
        );
        assert_eq!(linked_archive("/category/other/fy/2569/", &cats), None);
        assert_eq!(linked_archive("/news/fy/2026/", &cats), None);
        assert_eq!(linked_archive("/news/fy/x/", &cats), None);
        assert_eq!(linked_archive("/news/2569/", &cats), None);
    }
}
