//! Step 4 (with render): the site search, an exact substring index for
//! Thai and English written to `public/khao-search/` and queried in the
//! browser by the theme's `js/khao-search.js` — no server code, no
//! third-party request. [`index_site`] ([`site`]) is what the build calls:
//! it reads the article each page marks `data-search-body`.
//!
//! A page is a hit for a query when its normalised title or text contains
//! the normalised query ([`normalize`]: spaces between Thai words are
//! ignored, case and Thai digits are folded, Latin words match from their
//! start). The index is character n-grams ([`grams`]): 4-grams with
//! positions, so a query of four or more characters is checked exactly by
//! the distances of its covering 4-grams; 1–3-grams with their documents.
//!
//! Documents are ordered by date (undated ones first, as oldest) and split
//! into three segments ([`plan`]): `s` (stable) and `r` (recent), each with
//! its own hash buckets ([`segment`]), and `n` (the newest 0–3 pages, no
//! buckets: the client reads their fragments). The split depends only on
//! the number of documents, so the files are a pure function of the
//! documents. The [`State`] kept between builds (16 bytes per document, 8
//! per bucket) only saves work: an edit rewrites the buckets where the
//! page's grams changed, a new page its fragment, a document table and the
//! manifest.
//!
//! Two ways in ([`pages`]): all the [`Doc`]s, or [`Page`]s (URL, date, a
//! stamp of the content) with a function making the `Doc`s of changed
//! pages. And two ways out: [`build`] / [`build_pages`] do it all with
//! files (read the state from the cache folder, the old buckets from the
//! output folder, write what changed, remove what is stale, save the
//! state); [`update`] / [`update_pages`] do the same without touching the
//! disk, for callers with their own file handling.

pub mod dir;
pub mod encode;
pub mod grams;
pub mod normalize;
pub mod output;
pub mod pages;
pub mod plan;
pub mod segment;
mod site;
pub mod state;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

pub use dir::{Report, build, build_pages};
pub use pages::{Page, Pages};
pub use segment::Read;
pub use site::{BODY_MARK, SearchError, Searchable, document, index_site};
pub use state::State;

use plan::{Entry, Key, NAMES};
use segment::Changed;
use state::SegState;

/// A page to index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// The address a visitor opens, e.g. `/news/2026/sports-day/`.
    pub url: String,
    pub title: String,
    /// Plain text of the page's main article (no markup, no menus).
    pub text: String,
    /// ISO `yyyy-mm-dd`, for recency; pages without one count as oldest.
    pub date: Option<String>,
}

/// How a segment was brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    Empty,
    Unchanged,
    /// Only the buckets an edited or appended page touches.
    Patched,
    /// Rebuilt from the old buckets (pages removed, moved or renumbered).
    Remapped,
    /// Every page tokenised.
    Built,
    /// A segment without buckets (`n`): only its list of pages changed.
    Listed,
}

/// What [`update`] found to do.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Files to write (path relative to the output folder, bytes): new or
    /// changed ones only, `manifest.json` last.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files of the previous index that are no longer part of it.
    pub removed: Vec<String>,
    /// The state for next time.
    pub state: State,
    /// Per segment name, what was done.
    pub how: Vec<(&'static str, How)>,
}

impl Update {
    /// Every file of the index, sorted (`manifest.json` included).
    pub fn all_files(&self) -> Vec<String> {
        output::all_paths(&self.state.segments)
    }
}

/// The files of a fresh index of `docs` (everything, in memory).
pub fn clean(docs: &[Doc]) -> Vec<(String, Vec<u8>)> {
    update(docs, None, &|_| None).files
}

/// Brings the index of `previous` (the state its build returned) up to
/// `docs`, reading its files with `read` (path relative to the output
/// folder). Whatever cannot be read back or does not match is rebuilt, so
/// the files are always those of a clean build of `docs` (in any order).
pub fn update(docs: &[Doc], previous: Option<&State>, read: Read) -> Update {
    update_with(&pages::Docs(docs), previous, read)
}

/// [`update`] for [`Page`]s: `doc(i)` makes page `i`'s document, asked
/// only for pages whose stamp changed (see [`pages`]).
pub fn update_pages(
    pages: &[Page],
    doc: impl Fn(usize) -> Doc + Sync,
    previous: Option<&State>,
    read: Read,
) -> Update {
    update_with(&pages::Lazy { pages, doc }, previous, read)
}

/// [`update`] for any [`Pages`].
pub fn update_with(docs: &dyn Pages, previous: Option<&State>, read: Read) -> Update {
    let order = plan::order(docs);
    let mut up = Update::default();
    let (mut came, mut gone) = (FxHashSet::default(), FxHashSet::default());
    for (name, range) in NAMES.into_iter().zip(plan::segments(order.len())) {
        let entries = &order[range];
        let old = previous.and_then(|p| p.segment(name));
        let (seg, how, changed) = update_segment(name, entries, old, previous, docs, read);
        fragments_of(entries, &seg, old, how, &mut came, &mut gone);
        paths(name, &seg, old, changed, &mut up);
        up.how.push((name, how));
        up.state.segments.push(seg);
    }
    if !came.is_empty() {
        for e in &order {
            if came.contains(&e.key) && !gone.contains(&e.key) {
                let doc = docs.doc(e.doc);
                up.files
                    .push((output::fragment_path(e.key.url), output::fragment(&doc)));
            }
        }
    }
    up.removed
        .extend(gone.difference(&came).map(|k| output::fragment_path(k.url)));
    up.files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    up.removed.sort_unstable();
    // Never remove what is written: an edited page's fragment keeps its
    // name (its URL's).
    up.removed
        .retain(|p| up.files.binary_search_by(|f| f.0.as_str().cmp(p)).is_err());
    let manifest = output::manifest(&up.state.segments);
    up.state.manifest = xxhash_rust::xxh3::xxh3_64(&manifest);
    if previous.is_none_or(|p| p.manifest != up.state.manifest) {
        up.files
            .push((format!("{}/manifest.json", output::DIR), manifest));
    }
    up
}

/// One segment: its new state, how, and its changed buckets.
fn update_segment(
    name: &str,
    entries: &[Entry],
    old: Option<&SegState>,
    previous: Option<&State>,
    docs: &dyn Pages,
    read: Read,
) -> (SegState, How, Changed) {
    let keys: Vec<Key> = entries.iter().map(|e| e.key).collect();
    let mut seg = SegState {
        name: name.to_string(),
        keys,
        sums: Vec::new(),
    };
    if entries.is_empty() {
        return (seg, How::Empty, Vec::new());
    }
    let count = plan::bucket_count(name, entries.len());
    if count == 0 && old.is_none() {
        return (seg, How::Listed, Vec::new());
    }
    if let Some(old) = old {
        if old.keys == seg.keys && old.sums.len() == count {
            seg.sums = old.sums.clone();
            return (seg, How::Unchanged, Vec::new());
        }
        if count == 0 {
            return (seg, How::Listed, Vec::new());
        }
        if segment::can_patch(old, &seg.keys, count)
            && let Some(changed) = segment::patch(old, entries, docs, read)
        {
            seg.sums = old.sums.clone();
            for (b, bytes) in &changed {
                seg.sums[*b] = segment::sum(bytes);
            }
            return (seg, How::Patched, changed);
        }
    }
    // Unchanged buckets need no writing only where the old files were read
    // back and checked.
    let (how, buckets, checked) =
        match previous.and_then(|p| segment::remap(p, name, entries, count, docs, read)) {
            Some((buckets, checked)) => (How::Remapped, buckets, checked),
            None => (How::Built, segment::build(entries, count, docs), false),
        };
    seg.sums = buckets.iter().map(|b| segment::sum(b)).collect();
    let changed = buckets
        .into_iter()
        .enumerate()
        .filter(|(b, _)| !checked || old.is_none_or(|o| o.sums.get(*b) != Some(&seg.sums[*b])))
        .collect();
    (seg, how, changed)
}

/// Notes the pages (URL and content) a segment gains (`came`) and loses
/// (`gone`).
fn fragments_of(
    entries: &[Entry],
    seg: &SegState,
    old: Option<&SegState>,
    how: How,
    came: &mut FxHashSet<Key>,
    gone: &mut FxHashSet<Key>,
) {
    match (how, old) {
        (How::Unchanged, _) => {}
        (How::Patched, Some(old)) => {
            for (i, e) in entries.iter().enumerate() {
                if old.keys.get(i).is_none_or(|k| k.fp != e.key.fp) {
                    came.insert(e.key);
                    if let Some(k) = old.keys.get(i) {
                        gone.insert(*k);
                    }
                }
            }
        }
        _ => {
            came.extend(seg.keys.iter().copied());
            if let Some(old) = old {
                gone.extend(old.keys.iter().copied());
            }
        }
    }
}

/// The bucket and table files of a segment to write and remove.
fn paths(name: &str, seg: &SegState, old: Option<&SegState>, changed: Changed, up: &mut Update) {
    for (b, bytes) in changed {
        up.files.push((output::bucket_path(name, b), bytes));
    }
    let old_buckets = old.map_or(0, |o| o.sums.len());
    up.removed
        .extend((seg.sums.len()..old_buckets).map(|b| output::bucket_path(name, b)));
    let (n, chunk) = (seg.keys.len(), output::TABLE_CHUNK);
    for c in 0..output::table_chunks(n) {
        let range = c * chunk..n.min((c + 1) * chunk);
        let same = old.is_some_and(|o| {
            o.keys.get(range.clone()) == Some(&seg.keys[range.clone()])
                && o.keys.len().min((c + 1) * chunk) == range.end
        });
        if !same {
            up.files
                .push((output::table_path(name, c), output::table(&seg.keys, c)));
        }
    }
    let old_chunks = old.map_or(0, |o| output::table_chunks(o.keys.len()));
    up.removed
        .extend((output::table_chunks(n)..old_chunks).map(|c| output::table_path(name, c)));
}
