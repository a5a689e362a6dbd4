//! Thai search: after rendering, the site's pages go through the `pagefind`
//! library (its `extended` feature segments Thai with ICU, so a word inside
//! an unspaced Thai run is found) and the index bundle is written to
//! `public/pagefind/`. The search page (`search.html`) queries it in the
//! browser with pagefind's own JS: no server code, no third-party request.
//!
//! Only elements marked `data-pagefind-body` (the news and page articles)
//! are indexed, so menus, footers and news lists never match a query.
//!
//! pagefind cannot update an index in place, so the whole index is rebuilt
//! when any indexed page changed; when none did (same bytes as the last
//! build), the bundle already in `public/pagefind/` is kept untouched.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

/// The folder of the index bundle, relative to the output folder.
pub const BUNDLE_DIR: &str = "pagefind";

/// The file (inside khao's cache folder) remembering what the last index
/// was built from: a digest of the indexed pages, then the bundle's files.
const STAMP: &str = "search-index.txt";

/// Indexes the rendered `pages` (paths relative to `out`; only `.html`
/// files are read) and writes the bundle to `out/pagefind/`. Returns the
/// bundle's files relative to `out`, sorted, to join the build's file list.
///
/// `cache` is khao's cache folder: it remembers what the last index was
/// built from, so an unchanged site is not indexed again.
pub fn index_site(out: &Path, pages: &[PathBuf], cache: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut html: Vec<(PathBuf, String)> = Vec::new();
    let mut hasher = blake3::Hasher::new();
    let mut sorted: Vec<&PathBuf> = pages.iter().filter(|p| is_indexed(p)).collect();
    sorted.sort();
    for rel in sorted {
        let path = out.join(rel);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.update(&[0]);
        html.push((rel.clone(), text));
    }
    hasher.update(pagefind_version().as_bytes());
    // `khao serve` and `khao build` may write to different folders: the
    // stamp is only good for the folder it was made in.
    hasher.update(
        out.canonicalize()
            .unwrap_or_else(|_| out.to_path_buf())
            .to_string_lossy()
            .as_bytes(),
    );
    let digest = hasher.finalize().to_hex().to_string();

    let stamp = cache.join(STAMP);
    if let Some(files) = unchanged(&stamp, &digest, out) {
        return Ok(files);
    }

    let bundle = build_bundle(html)?;
    let mut files = Vec::with_capacity(bundle.len());
    for (rel, bytes) in bundle {
        let dest = out.join(&rel);
        crate::build::write_if_changed(&dest, &bytes)
            .with_context(|| format!("cannot write {}", dest.display()))?;
        files.push(rel);
    }
    files.sort();

    // The stamp is only a shortcut: failing to write it costs a re-index
    // next time, never the build.
    let mut text = format!("{digest}\n");
    for f in &files {
        text.push_str(&f.to_string_lossy());
        text.push('\n');
    }
    let _ = std::fs::create_dir_all(cache);
    let _ = std::fs::write(&stamp, text);
    Ok(files)
}

/// Pages worth reading: HTML, but not the 404 page nor the search page.
fn is_indexed(rel: &Path) -> bool {
    rel.extension().is_some_and(|e| e == "html")
        && rel != Path::new("404.html")
        && !rel.starts_with("search")
        && !rel.starts_with(BUNDLE_DIR)
}

/// Part of the stamp, so a new khao (or a pagefind upgrade, noted here when
/// Cargo.toml's pagefind changes) re-indexes.
fn pagefind_version() -> &'static str {
    concat!("khao-", env!("CARGO_PKG_VERSION"), "/pagefind-1.6")
}

/// The bundle's files when the last index was built from the same pages and
/// every one of its files is still in `out`.
fn unchanged(stamp: &Path, digest: &str, out: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(stamp).ok()?;
    let mut lines = text.lines();
    if lines.next()? != digest {
        return None;
    }
    let files: Vec<PathBuf> = lines.filter(|l| !l.is_empty()).map(PathBuf::from).collect();
    if files.is_empty() || !files.iter().all(|f| out.join(f).is_file()) {
        return None;
    }
    Some(files)
}

/// Runs pagefind over the pages on a small single-threaded runtime (its API
/// is async) and returns the bundle as (path relative to `out`, bytes).
fn build_bundle(pages: Vec<(PathBuf, String)>) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("cannot start the search indexer")?;
    runtime.block_on(async move {
        let options = PagefindServiceConfig::builder()
            .keep_index_url(false)
            .write_playground(false)
            .verbose(false)
            .build();
        let mut index = PagefindIndex::new(Some(options))?;
        for (rel, text) in pages {
            let url = page_url(&rel);
            index
                .add_html_file(Some(rel.to_string_lossy().into_owned()), Some(url), text)
                .await
                .with_context(|| format!("cannot index {}", rel.display()))?;
        }
        let files = index.get_files().await?;
        Ok(files
            .into_iter()
            .map(|f| (Path::new(BUNDLE_DIR).join(f.filename), f.contents))
            .collect())
    })
}

/// The address a visitor opens for a rendered file: `news/a/index.html` →
/// `/news/a/`.
fn page_url(rel: &Path) -> String {
    let s = rel.to_string_lossy().replace('\\', "/");
    match s.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_drop_index_html() {
        assert_eq!(page_url(Path::new("index.html")), "/");
        assert_eq!(page_url(Path::new("news/a/index.html")), "/news/a/");
        assert_eq!(page_url(Path::new("about.html")), "/about.html");
    }

    #[test]
    fn only_content_pages_are_read() {
        assert!(is_indexed(Path::new("news/a/index.html")));
        assert!(!is_indexed(Path::new("404.html")));
        assert!(!is_indexed(Path::new("search/index.html")));
        assert!(!is_indexed(Path::new("css/site.css")));
    }
}
