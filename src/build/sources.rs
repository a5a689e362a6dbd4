//! Which file a page problem is fixed in. The page checks read the HTML
//! the build wrote, so they name `news/2026/a/index.html`; the officer
//! edits `content/news/2026/a/index.md`, and wants the line.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::content::Site;
use crate::diagnostic::Diagnostic;
use crate::plumbing::paths::{CONTENT_DIR, slash};
use crate::plumbing::url::decode_lossless;

/// Sets [`Diagnostic::source`] on each problem of a page made from a news
/// item's or a page's Markdown file.
pub(super) fn name(site: &Site, site_dir: &Path, problems: &mut [Diagnostic]) {
    // Most builds have none: then no map of every page is made.
    if problems.is_empty() {
        return;
    }
    let mut by_url: FxHashMap<&str, &Path> = FxHashMap::default();
    for item in &site.news {
        by_url.insert(&item.url, &item.rel);
    }
    for page in &site.pages {
        by_url.insert(&page.url, &page.source);
    }
    for d in problems.iter_mut().filter(|d| d.source.is_none()) {
        let Some(url) = d.file.as_deref().and_then(page_url) else {
            continue;
        };
        let Some(rel) = by_url.get(url.as_str()) else {
            continue;
        };
        let source = Path::new(CONTENT_DIR).join(rel);
        // A link the file does not hold is the theme's or the menu's
        // (site.yaml): the file is not where it is fixed.
        let line = match d.target.as_deref() {
            Some(t) => match line_of(&site_dir.join(&source), t) {
                Some(n) => Some(n),
                None => continue,
            },
            None => None,
        };
        d.source = Some(match line {
            Some(n) => format!("{}:{n}", slash(&source)),
            None => slash(&source),
        });
    }
}

/// `/news/2026/a/` for `news/2026/a/index.html`.
fn page_url(file: &Path) -> Option<String> {
    if file.file_name()? != "index.html" {
        return None;
    }
    let parent = slash(file.parent().unwrap_or(Path::new("")));
    Some(match parent.is_empty() {
        true => "/".to_string(),
        false => format!("/{parent}/"),
    })
}

/// The first line of `file` holding what `target` was written as: its
/// `#fragment`, else the last part of its path.
fn line_of(file: &Path, target: &str) -> Option<usize> {
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let needle = match fragment {
        Some(f) if !f.is_empty() => format!("#{}", decode_lossless(f)),
        _ => decode_lossless(path.trim_end_matches('/').rsplit('/').next()?),
    };
    if needle.is_empty() || needle == "#" {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let at = text.find(&needle)?;
    Some(crate::plumbing::text::line_of(&text, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_known_by_their_folder() {
        assert_eq!(
            page_url(Path::new("news/2026/a/index.html")).as_deref(),
            Some("/news/2026/a/")
        );
        assert_eq!(page_url(Path::new("index.html")).as_deref(), Some("/"));
        assert_eq!(page_url(Path::new("feed.xml")), None);
    }

    #[test]
    fn the_line_is_where_the_target_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("index.md");
        std::fs::write(&f, "---\ntitle: ก\n---\nดู [คำสั่ง](คำสั่ง.pdf)\n\n[ข](#ผล)\n").unwrap();
        let pdf = "/news/2026/a/%E0%B8%84%E0%B8%B3%E0%B8%AA%E0%B8%B1%E0%B9%88%E0%B8%87.pdf";
        assert_eq!(line_of(&f, pdf), Some(4));
        assert_eq!(line_of(&f, "#ผล"), Some(6));
        assert_eq!(line_of(&f, "/nowhere/"), None);
    }
}
