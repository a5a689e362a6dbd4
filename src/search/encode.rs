//! The byte format of a bucket file (`search/<segment>/<n>.bin`), read by
//! `parseBucket` in `js/khao-search.js`.
//!
//! A bucket is a sequence of records, one per gram, in key order:
//!
//! ```text
//! record   := gram body_len:varint body
//! gram     := len:u8 (1..=4) char{len}
//! char     := u8 < 0x80 (ASCII) | 0x80 + (cp − 0x0E00) (Thai) | 0xFF cp:u24
//! body     := entry*                         (body_len bytes)
//! entry    := doc_gap:varint positions       (4-grams)
//!           | (doc_gap << 1 | in_title):varint   (shorter grams)
//! positions:= ((pos_gap << 1) | last):varint ...
//! ```
//!
//! `doc_gap` is the local document number for the first entry and
//! `doc − previous − 1` after it; `pos_gap` likewise within an entry.
//! Varints are LEB128. The encoding is canonical: the same postings always
//! give the same bytes, which keeps incremental output identical to a
//! clean build's.

use super::grams::{GramKey, LONG, key_chars, key_len};

/// Appends `v` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a LEB128 varint at `*at`, advancing it.
pub fn get_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        v |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

fn put_gram(out: &mut Vec<u8>, k: GramKey) {
    out.push(key_len(k) as u8);
    for cp in key_chars(k) {
        match cp {
            0..=0x7F => out.push(cp as u8),
            0x0E00..=0x0E7E => out.push(0x80 + (cp - 0x0E00) as u8),
            _ => out.extend_from_slice(&[0xFF, (cp >> 16) as u8, (cp >> 8) as u8, cp as u8]),
        }
    }
}

fn get_gram(bytes: &[u8], at: &mut usize) -> GramKey {
    let len = bytes[*at] as usize;
    *at += 1;
    let mut chars = ['\0'; LONG];
    for c in chars.iter_mut().take(len) {
        let b = bytes[*at];
        *at += 1;
        let cp = match b {
            0..=0x7F => u32::from(b),
            0xFF => {
                let cp = u32::from_be_bytes([0, bytes[*at], bytes[*at + 1], bytes[*at + 2]]);
                *at += 3;
                cp
            }
            _ => 0x0E00 + u32::from(b - 0x80),
        };
        *c = char::from_u32(cp).unwrap_or('\u{FFFD}');
    }
    super::grams::key(&chars[..len])
}

/// One document's postings for one gram, independent of its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posting {
    /// A short gram: whether it is in the title.
    Short(bool),
    /// A 4-gram: its positions, encoded as in the file (first absolute).
    Long(Vec<u8>),
}

impl Posting {
    /// The posting of a document's gram.
    pub fn of(g: &super::grams::DocGram) -> Posting {
        if key_len(g.key) < LONG {
            return Posting::Short(g.in_title);
        }
        let mut out = Vec::with_capacity(g.positions.len() * 2);
        let mut prev: Option<u32> = None;
        for (i, &p) in g.positions.iter().enumerate() {
            let gap = match prev {
                None => p,
                Some(q) => p - q - 1,
            };
            let last = u64::from(i + 1 == g.positions.len());
            put_varint(&mut out, (u64::from(gap) << 1) | last);
            prev = Some(p);
        }
        Posting::Long(out)
    }
}

/// Builds a record's body one entry at a time, documents ascending.
#[derive(Debug, Default)]
pub struct Body {
    prev: Option<u32>,
    pub bytes: Vec<u8>,
}

impl Body {
    /// Appends `doc`'s posting; `doc` must be above the previous one.
    pub fn push(&mut self, doc: u32, posting: &Posting) {
        match posting {
            Posting::Short(t) => self.push_short(doc, *t),
            Posting::Long(bytes) => self.push_long(doc, bytes),
        }
    }

    fn gap(&mut self, doc: u32) -> u64 {
        let gap = match self.prev {
            None => doc,
            Some(q) => doc - q - 1,
        };
        self.prev = Some(doc);
        u64::from(gap)
    }

    /// Appends a short gram's entry.
    pub fn push_short(&mut self, doc: u32, in_title: bool) {
        let gap = self.gap(doc);
        put_varint(&mut self.bytes, (gap << 1) | u64::from(in_title));
    }

    /// Appends a 4-gram's entry: `positions` as encoded in the file.
    pub fn push_long(&mut self, doc: u32, positions: &[u8]) {
        let gap = self.gap(doc);
        put_varint(&mut self.bytes, gap);
        self.bytes.extend_from_slice(positions);
    }

    /// Appends a borrowed posting.
    pub fn push_ref(&mut self, doc: u32, posting: PostingRef) {
        match posting {
            PostingRef::Short(t) => self.push_short(doc, t),
            PostingRef::Long(bytes) => self.push_long(doc, bytes),
        }
    }

    /// Appends `next`, a body of later documents built on its own (its
    /// first entry's number is absolute): only that number is re-encoded.
    pub fn append(&mut self, next: Body, long: bool) {
        let Some(prev) = self.prev else {
            *self = next;
            return;
        };
        let mut at = 0;
        let v = get_varint(&next.bytes, &mut at);
        let (first, flag) = if long { (v, 0) } else { (v >> 1, v & 1) };
        let gap = first - u64::from(prev) - 1;
        put_varint(&mut self.bytes, if long { gap } else { (gap << 1) | flag });
        self.bytes.extend_from_slice(&next.bytes[at..]);
        self.prev = next.prev;
    }

    fn clear(&mut self) {
        self.prev = None;
        self.bytes.clear();
    }
}

/// A posting borrowed from a file's bytes or from a [`Posting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingRef<'a> {
    Short(bool),
    Long(&'a [u8]),
}

impl Posting {
    /// The posting, borrowed.
    pub fn as_ref(&self) -> PostingRef<'_> {
        match self {
            Posting::Short(t) => PostingRef::Short(*t),
            Posting::Long(b) => PostingRef::Long(b),
        }
    }
}

/// The records of a bucket: (gram, body bytes), in file order.
pub fn records(bytes: &[u8]) -> impl Iterator<Item = (GramKey, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let gram = get_gram(bytes, &mut at);
        let len = get_varint(bytes, &mut at) as usize;
        let body = &bytes[at..at + len];
        at += len;
        Some((gram, body))
    })
}

/// The entries of a record body: (document, posting), documents ascending.
pub fn entries(body: &[u8], long: bool) -> impl Iterator<Item = (u32, PostingRef<'_>)> {
    let (mut at, mut prev) = (0, None::<u32>);
    std::iter::from_fn(move || {
        if at >= body.len() {
            return None;
        }
        let v = get_varint(body, &mut at);
        let gap = if long { v } else { v >> 1 } as u32;
        let doc = prev.map_or(gap, |q| q + gap + 1);
        prev = Some(doc);
        if long {
            let from = at;
            skip_positions(body, &mut at);
            Some((doc, PostingRef::Long(&body[from..at])))
        } else {
            Some((doc, PostingRef::Short(v & 1 == 1)))
        }
    })
}

/// Encodes items sorted by (gram, document) as a bucket.
pub fn write_items(items: &[(GramKey, u32, PostingRef)], out: &mut Vec<u8>) {
    let mut body = Body::default();
    let mut i = 0;
    while i < items.len() {
        let gram = items[i].0;
        body.clear();
        while i < items.len() && items[i].0 == gram {
            body.push_ref(items[i].1, items[i].2);
            i += 1;
        }
        put_record(out, gram, &body.bytes);
    }
}

/// Appends one record: `gram` and its finished body.
pub fn put_record(out: &mut Vec<u8>, gram: GramKey, body: &[u8]) {
    put_gram(out, gram);
    put_varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// A decoded record.
pub type Record = (GramKey, Vec<(u32, Posting)>);

/// Decodes a whole bucket.
pub fn read_bucket(bytes: &[u8]) -> Vec<Record> {
    records(bytes)
        .map(|(gram, body)| {
            let long = key_len(gram) == LONG;
            let list = entries(body, long)
                .map(|(doc, p)| {
                    let posting = match p {
                        PostingRef::Short(t) => Posting::Short(t),
                        PostingRef::Long(b) => Posting::Long(b.to_vec()),
                    };
                    (doc, posting)
                })
                .collect();
            (gram, list)
        })
        .collect()
}

/// Encodes decoded records (already in key order, entries by document).
pub fn write_bucket(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    for (gram, entries) in records {
        let mut body = Body::default();
        for (doc, posting) in entries {
            body.push(*doc, posting);
        }
        put_record(&mut out, *gram, &body.bytes);
    }
    out
}

/// New postings for a bucket: (gram, document, posting), sorted by gram
/// then document.
pub type Added<'a> = [(GramKey, u32, PostingRef<'a>)];

/// Skips one entry's positions (up to the one flagged last).
fn skip_positions(bytes: &[u8], at: &mut usize) {
    loop {
        // A position ends at a byte below 0x80; its first byte's low bit is
        // the "last" flag.
        let first = bytes[*at];
        while bytes[*at] >= 0x80 {
            *at += 1;
        }
        *at += 1;
        if first & 1 == 1 {
            return;
        }
    }
}

fn put_added(out: &mut Vec<u8>, added: &Added, ai: &mut usize, body: &mut Body) {
    let gram = added[*ai].0;
    body.clear();
    while *ai < added.len() && added[*ai].0 == gram {
        body.push_ref(added[*ai].1, added[*ai].2);
        *ai += 1;
    }
    put_record(out, gram, &body.bytes);
}

/// Rewrites bucket `old` into `out`: drops the entries of documents for
/// which `changed(doc)`, merges in `added`. Records without a change are
/// copied as they are; nothing is decoded into separate allocations. A
/// record whose gram `may_differ` says no to, and that nothing is added
/// to, is copied without looking at its entries: the caller knows the
/// changed documents' entries there are already right.
pub fn patch_bucket(
    old: &[u8],
    added: &Added,
    changed: impl Fn(u32) -> bool,
    may_differ: impl Fn(GramKey) -> bool,
    out: &mut Vec<u8>,
) {
    rewrite_bucket(old, added, |d| (!changed(d)).then_some(d), may_differ, out);
}

/// Rewrites bucket `old` into `out` with its documents renumbered by `map`
/// (`None`: dropped; must keep their order) and `added` merged in. Records
/// whose documents keep their numbers are copied as they are.
pub fn remap_bucket(
    old: &[u8],
    added: &Added,
    map: impl Fn(u32) -> Option<u32>,
    out: &mut Vec<u8>,
) {
    rewrite_bucket(old, added, map, |_| true, out);
}

/// [`remap_bucket`], looking at the entries only of the records whose
/// gram `may_differ` (or that something is added to).
fn rewrite_bucket(
    old: &[u8],
    added: &Added,
    map: impl Fn(u32) -> Option<u32>,
    may_differ: impl Fn(GramKey) -> bool,
    out: &mut Vec<u8>,
) {
    out.clear();
    let (mut at, mut ai) = (0, 0);
    let mut body = Body::default();
    while at < old.len() {
        let start = at;
        let gram = get_gram(old, &mut at);
        let end = get_varint(old, &mut at) as usize + at;
        while ai < added.len() && added[ai].0 < gram {
            put_added(out, added, &mut ai, &mut body);
        }
        let long = key_len(gram) == LONG;
        let has_added = ai < added.len() && added[ai].0 == gram;
        if !has_added
            && (!may_differ(gram) || entries(&old[at..end], long).all(|(d, _)| map(d) == Some(d)))
        {
            out.extend_from_slice(&old[start..end]);
            at = end;
            continue;
        }
        body.clear();
        for (doc, posting) in entries(&old[at..end], long) {
            let Some(doc) = map(doc) else {
                continue;
            };
            while ai < added.len() && added[ai].0 == gram && added[ai].1 < doc {
                body.push_ref(added[ai].1, added[ai].2);
                ai += 1;
            }
            body.push_ref(doc, posting);
        }
        while ai < added.len() && added[ai].0 == gram {
            body.push_ref(added[ai].1, added[ai].2);
            ai += 1;
        }
        if !body.bytes.is_empty() {
            put_record(out, gram, &body.bytes);
        }
        at = end;
    }
    while ai < added.len() {
        put_added(out, added, &mut ai, &mut body);
    }
}

#[cfg(test)]
mod tests {
    use super::super::grams::{DocGram, key};
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, 300, 1 << 40] {
            put_varint(&mut b, v);
        }
        let mut at = 0;
        for v in [0u64, 1, 127, 128, 300, 1 << 40] {
            assert_eq!(get_varint(&b, &mut at), v);
        }
    }

    #[test]
    fn buckets_round_trip() {
        let long = key(&['ก', 'a', '€', 'ข']);
        let short = key(&['ค']);
        let p = Posting::of(&DocGram {
            key: long,
            in_title: false,
            positions: vec![3, 4, 600],
        });
        let records: Vec<Record> = vec![
            (
                short,
                vec![(0, Posting::Short(true)), (5, Posting::Short(false))],
            ),
            (long, vec![(2, p.clone()), (3, p)]),
        ];
        let bytes = write_bucket(&records);
        assert_eq!(read_bucket(&bytes), records);
    }
}
