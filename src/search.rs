//! Thai search: after rendering, the site's pages go through the `pagefind`
//! library (its `extended` feature segments Thai with ICU, so a word inside
//! an unspaced Thai run is found) and the index bundle is written to
//! `public/pagefind/`. The search page (`search.html`) queries it in the
//! browser with pagefind's own JS: no server code, no third-party request.
//!
//! Only elements marked `data-pagefind-body` (the news and page articles)
//! are indexed, so menus, footers and news lists never match a query; pages
//! without one are not even handed to pagefind.
//!
//! pagefind cannot update an index in place, and indexing costs a few
//! milliseconds per page. So the pages are split into up to [`MAX_SHARDS`]
//! shards of about [`SHARD_PAGES`] by a hash of their address, and each shard is its own
//! pagefind index: a changed page re-indexes only its shard. The first
//! shard is the primary bundle in `pagefind/` (with pagefind's JS and
//! WebAssembly); the others are in `pagefind/s<n>/`, listed in
//! `pagefind/khao-shards.json`, and the search page merges them with
//! pagefind's `mergeIndex` (merged indexes share the primary's WebAssembly,
//! so a shard costs a visitor only its small metadata file). The shards
//! are a pure function of the pages: an incremental build writes exactly
//! the bytes a clean build does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::plumbing::fs::{file_stamp, write_if_changed};
use crate::plumbing::paths::output_url;

/// Why the search index could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    Io {
        path: PathBuf,
        error: String,
    },
    /// The indexer itself failed.
    Indexer(String),
}

crate::display_failure!(SearchError);

impl Failure for SearchError {
    fn code(&self) -> Code {
        Code::Build
    }

    fn message(&self) -> Message {
        let detail = match self {
            SearchError::Io { path, error } => format!("{}: {error}", path.display()),
            SearchError::Indexer(e) => e.clone(),
        };
        Message::new("build.search_failed").arg("error", detail)
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SearchError + '_ {
    move |e| SearchError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// The folder of the index bundle, relative to the output folder.
pub const BUNDLE_DIR: &str = "pagefind";

/// The list of the secondary shards' folders, inside [`BUNDLE_DIR`].
pub const SHARDS_FILE: &str = "khao-shards.json";

/// Pages per shard, on average, up to [`MAX_SHARDS`] shards. Smaller shards
/// re-index faster after an edit (pagefind takes about 3 ms per page); but
/// a visitor's first search loads each shard's metadata and one index chunk
/// per shard, so their number is capped (BENCHMARKS.md has the figures).
pub const SHARD_PAGES: usize = 32;

/// At most this many shards: a visitor's first search stays a few hundred
/// KiB even on a large site, whose shards then grow past [`SHARD_PAGES`].
pub const MAX_SHARDS: usize = 8;

/// The file (inside khao's cache folder) remembering what each shard was
/// last built from, so an unchanged shard is not indexed again.
const STAMP: &str = "search-index.json";

/// What the last build indexed, per shard folder.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stamp {
    shards: BTreeMap<String, ShardStamp>,
    /// Every HTML page seen, so an unchanged one is known by its size and
    /// modification time and not read again.
    #[serde(default)]
    pages: BTreeMap<PathBuf, PageStamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageStamp {
    len: u64,
    mtime_ns: u64,
    /// BLAKE3 of the page's bytes.
    digest: String,
    /// Whether it has a `data-pagefind-body` element (is indexed at all).
    body: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct ShardStamp {
    digest: String,
    files: Vec<PathBuf>,
}

/// One shard to index: its folder (relative to `out`) and its pages (read
/// only when the shard is indexed again).
struct Shard {
    dir: PathBuf,
    primary: bool,
    pages: Vec<PathBuf>,
    digest: String,
}

/// Indexes the rendered `pages` (paths relative to `out`; only `.html`
/// files are read) and writes the bundle to `out/pagefind/`. Returns the
/// bundle's files relative to `out`, sorted, to join the build's file list.
///
/// `cache` is khao's cache folder: it remembers what each shard was built
/// from, so only shards with a changed page are indexed again.
pub fn index_site(
    out: &Path,
    pages: &[PathBuf],
    cache: &Path,
) -> Result<Vec<PathBuf>, SearchError> {
    let stamp_path = cache.join(STAMP);
    let old: Stamp = std::fs::read(&stamp_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let (shards, page_stamps) = plan_shards(out, pages, &old.pages)?;

    let built: Vec<Result<(String, ShardStamp), SearchError>> = shards
        .into_par_iter()
        .map(|shard| {
            let key = shard.dir.to_string_lossy().into_owned();
            if let Some(kept) = old.shards.get(&key)
                && kept.digest == shard.digest
                && kept.files.iter().all(|f| out.join(f).is_file())
            {
                return Ok((
                    key,
                    ShardStamp {
                        digest: shard.digest,
                        files: kept.files.clone(),
                    },
                ));
            }
            let mut texts = Vec::with_capacity(shard.pages.len());
            for rel in shard.pages {
                let path = out.join(&rel);
                let text = std::fs::read_to_string(&path).map_err(io(&path))?;
                let text = indexed_part(&text).unwrap_or(text);
                texts.push((rel, text));
            }
            let mut files = Vec::new();
            for (rel, bytes) in build_bundle(texts)? {
                if !keep_file(&rel, shard.primary) {
                    continue;
                }
                let rel = shard.dir.join(rel);
                let dest = out.join(&rel);
                write_if_changed(&dest, &bytes).map_err(io(&dest))?;
                files.push(rel);
            }
            files.sort();
            Ok((
                key,
                ShardStamp {
                    digest: shard.digest,
                    files,
                },
            ))
        })
        .collect();

    let mut stamp = Stamp {
        pages: page_stamps,
        ..Stamp::default()
    };
    for result in built {
        let (key, shard) = result?;
        stamp.shards.insert(key, shard);
    }

    // The secondary shards, for the search page to merge.
    let secondary: Vec<String> = stamp
        .shards
        .keys()
        .filter(|k| k.as_str() != BUNDLE_DIR)
        .map(|k| {
            format!(
                "{}/",
                k.trim_start_matches(BUNDLE_DIR).trim_start_matches('/')
            )
        })
        .collect();
    let list = Path::new(BUNDLE_DIR).join(SHARDS_FILE);
    let mut json = serde_json::to_vec(&secondary).unwrap_or_default();
    json.push(b'\n');
    let list_path = out.join(&list);
    write_if_changed(&list_path, &json).map_err(io(&list_path))?;

    let mut files: Vec<PathBuf> = stamp
        .shards
        .values()
        .flat_map(|s| s.files.iter().cloned())
        .collect();
    files.push(list);
    files.sort();

    // The stamp is only a shortcut: failing to write it costs a re-index
    // next time, never the build.
    let _ = std::fs::create_dir_all(cache);
    if let Ok(bytes) = serde_json::to_vec(&stamp) {
        let _ = std::fs::write(&stamp_path, bytes);
    }
    Ok(files)
}

/// Finds the pages worth indexing and splits them into shards by a hash of
/// their path. The number of shards follows the number of pages, so the
/// cost of re-indexing one shard stays flat as the site grows; when it
/// changes (every [`SHARD_PAGES`] pages or so) every shard is rebuilt once.
/// A page whose size and modification time are those of `known` is not
/// read: its digest is the one remembered. Returns the shards and the
/// stamps of all pages, for next time.
fn plan_shards(
    out: &Path,
    pages: &[PathBuf],
    known: &BTreeMap<PathBuf, PageStamp>,
) -> Result<(Vec<Shard>, BTreeMap<PathBuf, PageStamp>), SearchError> {
    let mut sorted: Vec<&PathBuf> = pages.iter().filter(|p| is_indexed(p)).collect();
    sorted.sort();
    let stamped: Vec<Result<(PathBuf, PageStamp), SearchError>> = sorted
        .par_iter()
        .map(|rel| {
            let path = out.join(rel);
            let (len, mtime_ns) = file_stamp(&path).ok_or_else(|| SearchError::Io {
                path: path.clone(),
                error: "missing".into(),
            })?;
            if let Some(k) = known.get(*rel)
                && k.len == len
                && k.mtime_ns == mtime_ns
                && mtime_ns != 0
            {
                return Ok(((*rel).clone(), k.clone()));
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            Ok((
                (*rel).clone(),
                PageStamp {
                    len,
                    mtime_ns,
                    digest: blake3::hash(text.as_bytes()).to_hex().to_string(),
                    body: text.contains("data-pagefind-body"),
                },
            ))
        })
        .collect();
    let mut stamps = BTreeMap::new();
    for s in stamped {
        let (rel, stamp) = s?;
        stamps.insert(rel, stamp);
    }
    let indexed: Vec<(&PathBuf, &PageStamp)> = stamps.iter().filter(|(_, s)| s.body).collect();

    let count = indexed.len().div_ceil(SHARD_PAGES).clamp(1, MAX_SHARDS);
    let mut buckets: Vec<Vec<(&PathBuf, &PageStamp)>> = (0..count).map(|_| Vec::new()).collect();
    for (rel, stamp) in indexed {
        let hash = blake3::hash(rel.to_string_lossy().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        let bucket = (u64::from_le_bytes(first) % count as u64) as usize;
        buckets[bucket].push((rel, stamp));
    }

    // The first non-empty bucket is the primary bundle; an empty site still
    // gets one (empty) index so the search page loads.
    let primary = buckets.iter().position(|b| !b.is_empty()).unwrap_or(0);
    // `khao serve` and `khao build` may write to different folders: a
    // stamp is only good for the folder it was made in.
    let out_id = out
        .canonicalize()
        .unwrap_or_else(|_| out.to_path_buf())
        .to_string_lossy()
        .into_owned();
    let shards = buckets
        .into_iter()
        .enumerate()
        .filter(|(n, pages)| *n == primary || !pages.is_empty())
        .map(|(n, pages)| {
            let dir = if n == primary {
                PathBuf::from(BUNDLE_DIR)
            } else {
                Path::new(BUNDLE_DIR).join(format!("s{n}"))
            };
            let mut hasher = blake3::Hasher::new();
            hasher.update(pagefind_version().as_bytes());
            hasher.update(&[0]);
            hasher.update(out_id.as_bytes());
            hasher.update(&[0]);
            hasher.update(dir.to_string_lossy().as_bytes());
            for (rel, stamp) in &pages {
                hasher.update(&[0]);
                hasher.update(rel.to_string_lossy().as_bytes());
                hasher.update(&[0]);
                hasher.update(stamp.digest.as_bytes());
            }
            Shard {
                digest: hasher.finalize().to_hex().to_string(),
                primary: n == primary,
                dir,
                pages: pages.into_iter().map(|(rel, _)| rel.clone()).collect(),
            }
        })
        .collect();
    Ok((shards, stamps))
}

/// The part of a page pagefind reads: its `<html>` tag (the language), and
/// the element marked `data-pagefind-body`. Handing pagefind only that
/// halves what it parses; `None` (then the whole page is used) when the
/// element cannot be delimited, e.g. a theme nesting it in a same-named tag.
fn indexed_part(html: &str) -> Option<String> {
    let html_start = html.find("<html")?;
    let html_tag = &html[html_start..html_start + html[html_start..].find('>')? + 1];
    let marker = html.find("data-pagefind-body")?;
    let open = html[..marker].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.is_empty() {
        return None;
    }
    let (open_tag, close_tag) = (format!("<{name}"), format!("</{name}>"));
    // Find the matching end tag, counting nested elements of the same name.
    let mut depth = 0usize;
    let mut at = open;
    loop {
        let next_open = html[at + 1..].find(&open_tag).map(|i| i + at + 1);
        let next_close = html[at + 1..].find(&close_tag).map(|i| i + at + 1)?;
        match next_open {
            Some(o) if o < next_close => {
                let after = html[o + open_tag.len()..].chars().next();
                if matches!(after, Some(c) if c == '>' || c.is_whitespace()) {
                    depth += 1;
                }
                at = o;
            }
            _ => {
                if depth == 0 {
                    let end = next_close + close_tag.len();
                    return Some(format!(
                        "<!DOCTYPE html>{html_tag}<body>{}</body></html>",
                        &html[open..end]
                    ));
                }
                depth -= 1;
                at = next_close;
            }
        }
    }
}

/// Which of pagefind's files a shard publishes. The primary keeps the JS
/// and WebAssembly the search page loads; merged shards need only their
/// index. pagefind's ready-made UI is never used (khao's own search page
/// is in the theme), so its scripts and styles are left out.
fn keep_file(rel: &Path, primary: bool) -> bool {
    let name = rel.to_string_lossy();
    if name.starts_with("pagefind-ui")
        || name.starts_with("pagefind-modular-ui")
        || name.starts_with("pagefind-component-ui")
        || name.starts_with("pagefind-highlight")
    {
        return false;
    }
    let shared = name == "pagefind.js" || name == "pagefind-worker.js" || name.starts_with("wasm.");
    primary || !shared
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
    concat!("khao-", env!("CARGO_PKG_VERSION"), "/pagefind-1.6/shards-5")
}

/// Runs pagefind over the pages on a small single-threaded runtime (its API
/// is async) and returns the bundle as (path inside the bundle, bytes).
fn build_bundle(pages: Vec<(PathBuf, String)>) -> Result<Vec<(PathBuf, Vec<u8>)>, SearchError> {
    let indexer = |e: &dyn std::fmt::Display| SearchError::Indexer(e.to_string());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| indexer(&e))?;
    runtime.block_on(async move {
        let options = PagefindServiceConfig::builder()
            .keep_index_url(false)
            .write_playground(false)
            .verbose(false)
            .build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| indexer(&e))?;
        for (rel, text) in pages {
            let url = output_url(&rel);
            index
                .add_html_file(Some(rel.to_string_lossy().into_owned()), Some(url), text)
                .await
                .map_err(|e| indexer(&format!("{}: {e}", rel.display())))?;
        }
        let files = index.get_files().await.map_err(|e| indexer(&e))?;
        Ok(files
            .into_iter()
            .map(|f| (f.filename, f.contents))
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_drop_index_html() {
        assert_eq!(output_url(Path::new("index.html")), "/");
        assert_eq!(output_url(Path::new("news/a/index.html")), "/news/a/");
        assert_eq!(output_url(Path::new("about.html")), "/about.html");
    }

    #[test]
    fn the_indexed_part_is_the_marked_element() {
        let page = "<!DOCTYPE html><html lang=\"th\"><head><title>t</title></head><body><nav>เมนู</nav>\
            <article data-pagefind-body><h1>หัวข้อ</h1><article>ย่อย</article><p>ข้อความ</p></article>\
            <footer>ท้าย</footer></body></html>";
        assert_eq!(
            indexed_part(page).unwrap(),
            "<!DOCTYPE html><html lang=\"th\"><body><article data-pagefind-body><h1>หัวข้อ</h1>\
             <article>ย่อย</article><p>ข้อความ</p></article></body></html>"
        );
        // Unbalanced: the whole page is indexed instead.
        assert_eq!(indexed_part("<html><div data-pagefind-body><div>"), None);
        assert_eq!(indexed_part("<html><p>no marker</p></html>"), None);
    }

    #[test]
    fn merged_shards_publish_only_their_index() {
        assert!(keep_file(Path::new("pagefind.js"), true));
        assert!(keep_file(Path::new("wasm.unknown.pagefind"), true));
        assert!(!keep_file(Path::new("pagefind.js"), false));
        assert!(!keep_file(Path::new("wasm.th.pagefind"), false));
        assert!(keep_file(Path::new("pagefind-entry.json"), false));
        assert!(keep_file(Path::new("index/th_1.pf_index"), false));
        assert!(!keep_file(Path::new("pagefind-ui.js"), true));
    }

    #[test]
    fn only_content_pages_are_read() {
        assert!(is_indexed(Path::new("news/a/index.html")));
        assert!(!is_indexed(Path::new("404.html")));
        assert!(!is_indexed(Path::new("search/index.html")));
        assert!(!is_indexed(Path::new("css/site.css")));
    }
}
