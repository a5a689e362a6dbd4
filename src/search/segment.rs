//! A segment's buckets, made one of three ways, cheapest first:
//!
//! - patched ([`patch`]): the same buckets, the old documents first at the
//!   same places (some edited), maybe some appended. Only the buckets where
//!   an edited document's postings differ (its old text is its old
//!   fragment) or an appended one has grams are read back and rewritten.
//! - remapped ([`remap`]): documents removed, inserted, moved between
//!   segments or a new bucket count: every bucket is rebuilt from the old
//!   buckets holding the same documents (numbers changed, postings copied),
//!   tokenising only documents no old segment has.
//! - built ([`build`]): every document tokenised, in parallel.
//!
//! All three give the same bytes for the same documents.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::encode::{Body, PostingRef, entries, patch_bucket, records, remap_bucket, write_items};
use super::grams::{GramKey, LONG, hash, key_len};
use super::pages::Pages;
use super::plan::{Entry, Key};
use super::state::{SegState, State};
use super::{normalize, output};

/// One document's grams and postings, sorted by gram.
pub type Grams = super::grams::Tokens;

/// Reads a file of the previous index (path relative to the output folder).
pub type Read<'a> = &'a (dyn Fn(&str) -> Option<Vec<u8>> + Sync);

/// Tokenises a document.
pub fn tokens(d: &super::Doc) -> Grams {
    let title = normalize::normalize(&d.title);
    let text = normalize::normalize(&d.text);
    super::grams::doc_postings(&title, &text)
}

/// The bucket of gram `k` among `count`.
pub fn bucket_of(k: GramKey, count: usize) -> usize {
    hash(k) as usize & (count - 1)
}

/// A bucket's checksum, as the state keeps it.
pub fn sum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Bucket `b` of the old segment `old`, if the file is still what was
/// written.
fn old_bucket(old: &SegState, b: usize, read: Read) -> Option<Vec<u8>> {
    let bytes = read(&output::bucket_path(&old.name, b))?;
    (sum(&bytes) == old.sums[b]).then_some(bytes)
}

/// The grams of the document an old fragment was made of, if it is still
/// the one of `old` (checked by its fingerprint when fingerprints are
/// content hashes, else by its URL).
fn old_tokens(old: &Key, url: &str, docs: &dyn Pages, read: Read) -> Option<Grams> {
    let doc = output::parse_fragment(&read(&output::fragment_path(old.url))?)?;
    let valid = if docs.content_fingerprints() {
        super::pages::fingerprint(&doc) == old.fp
    } else {
        doc.url == url
    };
    valid.then(|| tokens(&doc))
}

/// Collects the grams where two gram lists of one document differ (gone,
/// new, or another posting), and marks their buckets.
fn mark_diff(old: &Grams, new: &Grams, touched: &mut [bool], differ: &mut FxHashSet<GramKey>) {
    let count = touched.len();
    let mut mark = |k: GramKey| {
        touched[bucket_of(k, count)] = true;
        differ.insert(k);
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let a = (i < old.len()).then(|| old.get(i).0);
        let b = (j < new.len()).then(|| new.get(j).0);
        match (a, b) {
            (Some(x), Some(y)) if x == y => {
                if old.get(i).1 != new.get(j).1 {
                    mark(x);
                }
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| x < y) => {
                mark(x);
                i += 1;
            }
            (_, Some(y)) => {
                mark(y);
                j += 1;
            }
            _ => unreachable!(),
        }
    }
}

/// Changed buckets: (bucket, new bytes).
pub type Changed = Vec<(usize, Vec<u8>)>;

/// Whether [`patch`] applies: same bucket count, old documents first at
/// the same places (by URL).
pub fn can_patch(old: &SegState, keys: &[Key], count: usize) -> bool {
    old.sums.len() == count
        && keys.len() >= old.keys.len()
        && old.keys.iter().zip(keys).all(|(a, b)| a.url == b.url)
}

/// Patches `old` into a segment of `entries` (see [`can_patch`]). `None`
/// when an old bucket cannot be read back.
pub fn patch(old: &SegState, entries: &[Entry], docs: &dyn Pages, read: Read) -> Option<Changed> {
    let count = old.sums.len();
    let changed: Vec<usize> = (0..entries.len())
        .filter(|&i| old.keys.get(i).is_none_or(|k| k.fp != entries[i].key.fp))
        .collect();
    let work: Vec<(Grams, Option<Grams>)> = changed
        .par_iter()
        .map(|&i| {
            let doc = entries[i].doc;
            let (new, old) = rayon::join(
                || tokens(&docs.doc(doc)),
                || {
                    let k = old.keys.get(i)?;
                    old_tokens(k, docs.url(doc), docs, read)
                },
            );
            (new, old)
        })
        .collect();
    let mut touched = vec![false; count];
    // The grams where an edited document's entries change, unless an
    // edited document's old grams are unknown: then every record is
    // looked at.
    let mut differ = FxHashSet::default();
    let mut old_grams_unknown = false;
    for (&i, (new, before)) in changed.iter().zip(&work) {
        match before {
            Some(before) => mark_diff(before, new, &mut touched, &mut differ),
            None if i < old.keys.len() => {
                touched.fill(true);
                old_grams_unknown = true;
            }
            None => new
                .iter()
                .for_each(|g| touched[bucket_of(g.0, count)] = true),
        }
    }
    let differ = (!old_grams_unknown).then_some(differ);
    let mut added: FxHashMap<usize, Items> = FxHashMap::default();
    for (&i, (new, _)) in changed.iter().zip(&work) {
        let appended = i >= old.keys.len();
        for (k, posting) in new.iter() {
            let b = bucket_of(k, count);
            // An edited document's unchanged entries stay where they are.
            let needed = appended || differ.as_ref().is_none_or(|d| d.contains(&k));
            if touched[b] && needed {
                added.entry(b).or_default().push((k, i as u32, posting));
            }
        }
    }
    let edited: FxHashSet<u32> = changed
        .iter()
        .filter(|&&i| i < old.keys.len())
        .map(|&i| i as u32)
        .collect();
    let jobs: Vec<(usize, Items)> = (0..count)
        .filter(|&b| touched[b])
        .map(|b| (b, added.remove(&b).unwrap_or_default()))
        .collect();
    patch_buckets(old, jobs, &edited, differ.as_ref(), read)
}

/// Postings to put in a bucket: (gram, document, posting).
type Items<'a> = Vec<(GramKey, u32, PostingRef<'a>)>;

/// Rewrites the old buckets of `jobs` without the `edited` documents'
/// entries and with the given new ones; returns those whose bytes changed.
fn patch_buckets(
    old: &SegState,
    jobs: Vec<(usize, Items)>,
    edited: &FxHashSet<u32>,
    differ: Option<&FxHashSet<GramKey>>,
    read: Read,
) -> Option<Changed> {
    let out: Option<Vec<Changed>> = jobs
        .into_par_iter()
        .map(|(b, mut new)| {
            let bytes = old_bucket(old, b, read)?;
            new.sort_unstable_by_key(|a| (a.0, a.1));
            let mut out = Vec::with_capacity(bytes.len() + 256);
            let may_differ = |k: GramKey| differ.is_none_or(|d| d.contains(&k));
            patch_bucket(&bytes, &new, |d| edited.contains(&d), may_differ, &mut out);
            Some(if out != bytes {
                vec![(b, out)]
            } else {
                Vec::new()
            })
        })
        .collect();
    Some(out?.into_iter().flatten().collect())
}

/// Where a new segment's documents are in the old segments: per old
/// segment with any, old number → new number (or `u32::MAX`), and the new
/// documents found in none.
struct Sources<'a> {
    maps: Vec<(&'a SegState, Vec<u32>)>,
    fresh: Vec<u32>,
}

fn sources<'a>(prev: &'a State, keys: &[Key]) -> Sources<'a> {
    let want: FxHashMap<Key, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    let mut found = vec![false; keys.len()];
    let mut maps = Vec::new();
    for seg in prev.segments.iter().filter(|s| !s.sums.is_empty()) {
        let map: Vec<u32> = seg
            .keys
            .iter()
            .map(|k| want.get(k).copied().unwrap_or(u32::MAX))
            .collect();
        if map.iter().any(|&j| j != u32::MAX) {
            for &j in map.iter().filter(|&&j| j != u32::MAX) {
                found[j as usize] = true;
            }
            maps.push((seg, map));
        }
    }
    let fresh = (0..keys.len() as u32)
        .filter(|&j| !found[j as usize])
        .collect();
    Sources { maps, fresh }
}

/// Rebuilds segment `name` of `entries` with `count` buckets from the old
/// segments' buckets. `None` when most documents are new (tokenising all
/// is then as cheap) or an old bucket cannot be read back. With the
/// buckets, whether the old segment `name` (same bucket count) was read
/// back, all its files checked.
pub fn remap(
    prev: &State,
    name: &str,
    entries: &[Entry],
    count: usize,
    docs: &dyn Pages,
    read: Read,
) -> Option<(Vec<Vec<u8>>, bool)> {
    let keys: Vec<Key> = entries.iter().map(|e| e.key).collect();
    let src = sources(prev, &keys);
    if src.fresh.len() * 2 > keys.len() {
        return None;
    }
    // The old segment of the same name and bucket count is streamed bucket
    // by bucket (renumbered in place); the others are read whole.
    let main = src
        .maps
        .iter()
        .position(|(seg, _)| seg.name == name && seg.sums.len() == count);
    let loaded: Option<Vec<Vec<Vec<u8>>>> = src
        .maps
        .iter()
        .enumerate()
        .map(|(i, (seg, _))| {
            if Some(i) == main {
                return Some(Vec::new());
            }
            (0..seg.sums.len())
                .into_par_iter()
                .map(|b| old_bucket(seg, b, read))
                .collect()
        })
        .collect();
    let loaded = loaded?;
    let fresh: Vec<(u32, Grams)> = src
        .fresh
        .par_iter()
        .map(|&j| (j, tokens(&docs.doc(entries[j as usize].doc))))
        .collect();
    let mut fresh_by: Vec<Items> = vec![Vec::new(); count];
    for (j, grams) in &fresh {
        for (k, p) in grams.iter() {
            fresh_by[bucket_of(k, count)].push((k, *j, p));
        }
    }
    let buckets: Option<Vec<Vec<u8>>> = fresh_by
        .into_par_iter()
        .enumerate()
        .map(|(b, mut items)| {
            for (i, ((seg, map), old)) in src.maps.iter().zip(&loaded).enumerate() {
                if Some(i) != main {
                    gather(b, count, seg.sums.len(), old, map, &mut items);
                }
            }
            items.sort_unstable_by_key(|x| (x.0, x.1));
            let mut out = Vec::new();
            match main {
                Some(i) => {
                    let (seg, map) = &src.maps[i];
                    let old = old_bucket(seg, b, read)?;
                    let to = |d: u32| map.get(d as usize).copied().filter(|&j| j != u32::MAX);
                    remap_bucket(&old, &items, to, &mut out);
                }
                None => write_items(&items, &mut out),
            }
            Some(out)
        })
        .collect();
    Some((buckets?, main.is_some()))
}

/// Adds to `items` the postings of new bucket `b` (of `count`) found in an
/// old segment's buckets `old` (of `old_count`), renumbered by `map`.
fn gather<'a>(
    b: usize,
    count: usize,
    old_count: usize,
    old: &'a [Vec<u8>],
    map: &[u32],
    items: &mut Items<'a>,
) {
    let from: Vec<usize> = if old_count >= count {
        (b..old_count).step_by(count).collect()
    } else {
        vec![b & (old_count - 1)]
    };
    for ob in from {
        for (k, body) in records(&old[ob]) {
            if old_count < count && bucket_of(k, count) != b {
                continue;
            }
            for (doc, p) in entries(body, key_len(k) == LONG) {
                let j = map.get(doc as usize).copied().unwrap_or(u32::MAX);
                if j != u32::MAX {
                    items.push((k, j, p));
                }
            }
        }
    }
}

/// Per gram, its body so far: one part of a parallel build.
type Partial = FxHashMap<GramKey, Body>;

fn merge(mut a: Partial, b: Partial) -> Partial {
    if a.is_empty() {
        return b;
    }
    for (k, body) in b {
        a.entry(k).or_default().append(body, key_len(k) == LONG);
    }
    a
}

/// Builds a segment of `entries` from scratch, tokenising every document.
pub fn build(entries: &[Entry], count: usize, docs: &dyn Pages) -> Vec<Vec<u8>> {
    let acc: Partial = entries
        .par_iter()
        .enumerate()
        .with_min_len(16)
        .fold(Partial::default, |mut acc, (i, e)| {
            for (k, posting) in tokens(&docs.doc(e.doc)).iter() {
                acc.entry(k).or_default().push_ref(i as u32, posting);
            }
            acc
        })
        .reduce(Partial::default, merge);
    let mut by_bucket: Vec<Vec<(GramKey, Body)>> = (0..count).map(|_| Vec::new()).collect();
    for (k, body) in acc {
        by_bucket[bucket_of(k, count)].push((k, body));
    }
    by_bucket
        .into_par_iter()
        .map(|mut records| {
            records.sort_unstable_by_key(|r| r.0);
            let mut out = Vec::new();
            for (k, body) in &records {
                super::encode::put_record(&mut out, *k, &body.bytes);
            }
            out
        })
        .collect()
}
