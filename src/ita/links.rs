//! Every link of the OIT page, checked: the site's own against what the
//! build wrote (`khao ita`) or against the live site (after `khao
//! publish`), the others fetched from the internet.

use std::path::Path;

use serde::Serialize;

use super::{CheckOptions, ItaPage, LinkErrorKind, LinkTarget, check_external, classify};
use crate::plumbing::paths::{PathKey, key};
use crate::plumbing::url::encode_path;

/// The files of a build, relative to its output folder.
pub type BuiltFiles = rustc_hash::FxHashSet<PathKey>;

/// Where the site's own links are looked for.
pub enum Own<'a> {
    /// In the files of a build, relative to its output folder.
    Built(&'a BuiltFiles),
    /// On the live site: fetched from this URL (`verify_url`) like any
    /// other link.
    Live(&'a str),
}

/// What every link of the page answered (SPEC: `khao ita --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct ItaReport {
    pub items: Vec<ItemReport>,
    /// Links that do not answer.
    pub failed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    pub code: String,
    pub title: String,
    pub links: Vec<LinkReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkReport {
    pub title: String,
    /// As written in `ita.yaml`.
    pub url: String,
    pub ok: bool,
    /// The final HTTP status; `None` for a link found (or not) in the build,
    /// or one that gave no answer.
    pub status: Option<u16>,
    /// `built`, `live` or `external`: where it was looked for.
    pub checked: &'static str,
    /// Where redirects led, when they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// Why it gave no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<LinkErrorKind>,
}

/// Whether the site path `path` (`/news/fy/2569/`, `/files/plan.pdf`) is a
/// file of `built`, as a web server would serve it: a folder by its
/// `index.html`, a path without a final slash either as a file or as a
/// folder (the server redirects).
pub fn resolves(path: &str, built: &BuiltFiles) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let rel = path.trim_start_matches('/');
    let Some(rel) = crate::plumbing::paths::normalize(Path::new(rel)) else {
        return false;
    };
    let folder = rel.join("index.html");
    if path.ends_with('/') {
        return built.contains(key(&folder));
    }
    built.contains(key(&rel)) || built.contains(key(&folder))
}

/// Checks every link of `page`. `base_url` tells the site's own links
/// from the others; `mailto:` and `tel:` links are not checked (they are
/// counted as answering).
pub fn check_page(page: &ItaPage, base_url: &str, own: Own<'_>, opts: &CheckOptions) -> ItaReport {
    // First decide each link; then fetch all that need fetching at once.
    let mut plan: Vec<Vec<(LinkReport, Option<usize>)>> = Vec::new();
    let mut fetch: Vec<String> = Vec::new();
    for item in &page.items {
        let mut links = Vec::new();
        for link in &item.links {
            let mut report = LinkReport {
                title: link.title.clone(),
                url: link.url.trim().to_string(),
                ok: true,
                status: None,
                checked: "external",
                final_url: None,
                error: None,
            };
            let fetch_as = match (classify(&link.url, base_url), &own) {
                (LinkTarget::Internal(path), Own::Built(files)) => {
                    report.checked = "built";
                    report.ok = resolves(&path, files);
                    None
                }
                (LinkTarget::Internal(path), Own::Live(live)) => {
                    report.checked = "live";
                    Some(format!(
                        "{}{}",
                        live.trim_end_matches('/'),
                        encode_path(&path)
                    ))
                }
                (LinkTarget::External(url), _) => Some(url),
                (LinkTarget::Other(_), _) => None,
            };
            let slot = fetch_as.map(|url| {
                fetch.push(url);
                fetch.len() - 1
            });
            links.push((report, slot));
        }
        plan.push(links);
    }
    let answers = check_external(&fetch, opts);
    let items: Vec<ItemReport> = page
        .items
        .iter()
        .zip(plan)
        .map(|(item, links)| ItemReport {
            code: item.code.clone(),
            title: item.title.clone(),
            links: links
                .into_iter()
                .map(|(mut report, slot)| {
                    if let Some(answer) = slot.and_then(|i| answers.get(i)) {
                        report.ok = answer.ok;
                        report.status = answer.status;
                        report.error = answer.kind;
                        report.final_url = answer.final_url.clone().filter(|f| {
                            f.trim_end_matches('/')
                                != fetch[slot.unwrap_or(0)].trim_end_matches('/')
                        });
                    }
                    report
                })
                .collect(),
        })
        .collect();
    let failed = items
        .iter()
        .flat_map(|i| &i.links)
        .filter(|l| !l.ok)
        .count();
    ItaReport { items, failed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_resolve_as_a_web_server_serves_them() {
        let built: BuiltFiles = ["index.html", "news/fy/2569/index.html", "files/plan.pdf"]
            .iter()
            .map(|p| Path::new(p).into())
            .collect();
        assert!(resolves("/", &built));
        assert!(resolves("/news/fy/2569/", &built));
        assert!(resolves("/news/fy/2569", &built));
        assert!(resolves("/files/plan.pdf", &built));
        assert!(!resolves("/files/plan.pdf/", &built));
        assert!(!resolves("/news/fy/2570/", &built));
        assert!(!resolves("/../etc/passwd", &built));
        assert!(!resolves("", &built));
    }
}
