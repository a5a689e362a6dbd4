//! Which document goes where: the index order (by date, oldest first) and
//! its split into segments, a function of the number of documents only.
//!
//! Three segments, oldest to newest:
//!
//! - `s`, stable: a multiple of [`STABLE_STEP`] documents, leaving at least
//!   [`RECENT_MIN`] to the others;
//! - `r`, recent: a multiple of [`NEW_STEP`] of the rest;
//! - `n`, new: the last 0 to [`NEW_STEP`] − 1 documents, without buckets:
//!   the client reads these few pages' fragments and finds the query in
//!   them itself. So adding a page (which lands here) writes its fragment,
//!   one document table and the manifest, nothing else. Every
//!   [`NEW_STEP`]th page moves them into `r`, every [`STABLE_STEP`]th
//!   moves `r`'s oldest into `s`.

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::pages::Pages;

/// `s` grows by this many documents at a time.
pub const STABLE_STEP: usize = 64;

/// Documents left out of `s`, at least.
pub const RECENT_MIN: usize = 32;

/// `r` grows by this many documents at a time; `n` holds fewer (each is
/// a fragment a visitor's first search fetches).
pub const NEW_STEP: usize = 4;

/// The segments' names, oldest first (also their order in the manifest).
pub const NAMES: [&str; 3] = ["s", "r", "n"];

/// Average bucket file size aimed at, in bytes: smaller buckets waste less
/// of a query's transfer on other grams, but a new page in a segment
/// rewrites all of its buckets.
const BUCKET_TARGET: usize = 2048;

/// Encoded index bytes per document, as counted for [`BUCKET_TARGET`].
const BYTES_PER_DOC: usize = 3200;

/// The number of buckets of segment `name` with `docs` documents: a power
/// of two, a function of the count only; none for `n`.
pub fn bucket_count(name: &str, docs: usize) -> usize {
    if name == "n" {
        return 0;
    }
    (docs * BYTES_PER_DOC)
        .div_ceil(BUCKET_TARGET)
        .next_power_of_two()
        .clamp(4, 1 << 16)
}

/// The document ranges of [`NAMES`] for `n` documents in index order.
pub fn segments(n: usize) -> [Range<usize>; 3] {
    let s = if n < RECENT_MIN + STABLE_STEP {
        0
    } else {
        (n - RECENT_MIN) / STABLE_STEP * STABLE_STEP
    };
    let r = s + (n - s) / NEW_STEP * NEW_STEP;
    [0..s, s..r, r..n]
}

/// A document in index order: its place in the caller's list, a hash of
/// its URL and its content fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub doc: usize,
    pub key: Key,
}

/// What the state remembers of a document: URL hash and fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Key {
    pub url: u64,
    pub fp: u64,
}

/// The first 16 bytes of a date, big-endian: orders as the string does
/// (ISO dates entirely; longer ones by that prefix, then whole).
fn date_key(date: Option<&str>) -> u128 {
    let mut b = [0u8; 16];
    let date = date.unwrap_or("").as_bytes();
    let n = date.len().min(16);
    b[..n].copy_from_slice(&date[..n]);
    u128::from_be_bytes(b)
}

/// The documents in index order: by date (undated first), then by URL;
/// one per URL (the oldest).
pub fn order(docs: &dyn Pages) -> Vec<Entry> {
    let keyed = |i: usize| {
        let url = xxhash_rust::xxh3::xxh3_64(docs.url(i).as_bytes());
        let key = Key {
            url,
            fp: docs.fingerprint(i, url),
        };
        (date_key(docs.date(i)), Entry { doc: i, key })
    };
    // Hashing whole texts is worth spreading over threads; URLs and stamps
    // are not.
    let mut keyed: Vec<(u128, Entry)> = if docs.content_fingerprints() {
        (0..docs.count())
            .into_par_iter()
            .with_min_len(64)
            .map(keyed)
            .collect()
    } else {
        (0..docs.count()).map(keyed).collect()
    };
    keyed.sort_unstable_by(|(da, a), (db, b)| {
        da.cmp(db)
            .then_with(|| docs.date(a.doc).cmp(&docs.date(b.doc)))
            .then_with(|| docs.url(a.doc).cmp(docs.url(b.doc)))
            .then_with(|| a.key.fp.cmp(&b.key.fp))
    });
    let mut seen = FxHashSet::default();
    seen.reserve(keyed.len());
    keyed
        .into_iter()
        .filter(|(_, e)| seen.insert(e.key.url))
        .map(|(_, e)| e)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Doc;
    use super::*;

    #[test]
    fn segments_follow_the_count() {
        assert_eq!(segments(0), [0..0, 0..0, 0..0]);
        assert_eq!(segments(30), [0..0, 0..28, 28..30]);
        assert_eq!(segments(96), [0..64, 64..96, 96..96]);
        assert_eq!(segments(1000), [0..960, 960..1000, 1000..1000]);
        assert_eq!(segments(1007), [0..960, 960..1004, 1004..1007]);
        for n in 0..2000 {
            let [s, r, x] = segments(n);
            assert_eq!(s.len() % STABLE_STEP, 0);
            assert_eq!(r.len() % NEW_STEP, 0);
            assert!(x.len() < NEW_STEP && x.end == n);
            assert!(s.is_empty() || n - s.len() >= RECENT_MIN);
        }
    }

    #[test]
    fn order_is_by_date_then_url_one_per_url() {
        let doc = |url: &str, date: Option<&str>| Doc {
            url: url.into(),
            title: String::new(),
            text: String::new(),
            date: date.map(Into::into),
        };
        let docs = [
            doc("/b", Some("2025-01-02")),
            doc("/a", None),
            doc("/c", Some("2024-12-31")),
            doc("/b", Some("2026-01-01")),
        ];
        let o: Vec<usize> = order(&super::super::pages::Docs(&docs))
            .iter()
            .map(|e| e.doc)
            .collect();
        assert_eq!(o, vec![1, 2, 0]);
    }
}
