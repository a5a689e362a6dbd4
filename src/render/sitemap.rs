//! `sitemap.xml` (every HTML page, absolute URLs) and `robots.txt`.

use super::feed::xml;
use super::filters::absolute;

/// One page of the sitemap.
pub struct Entry {
    /// Site path.
    pub url: String,
    /// `YYYY-MM-DD`, where the page has a date (news).
    pub lastmod: Option<String>,
}

pub fn sitemap(base: &str, entries: &[Entry]) -> String {
    let mut out = String::with_capacity(200 + entries.len() * 120);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for e in entries {
        out.push_str("<url><loc>");
        out.push_str(&xml(&absolute(base, &e.url)));
        out.push_str("</loc>");
        if let Some(d) = &e.lastmod {
            out.push_str("<lastmod>");
            out.push_str(&xml(d));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(base: &str) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        absolute(base, "/sitemap.xml")
    )
}
