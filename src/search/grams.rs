//! Character n-grams of a document, the unit of the index.
//!
//! A normalised title and text are cut into every gram of 1 to 4
//! characters. Grams of [`LONG`] characters keep their positions, so a
//! query of 4 or more characters is answered exactly: its covering 4-grams
//! must occur at the right distances. Shorter grams keep only the documents
//! they occur in (and whether in the title): a query of 1–3 characters is
//! exactly one such gram.
//!
//! Positions: the title's characters are numbered from 0 (only its first
//! [`TITLE_SPAN`] − 1 are indexed), the text's from [`TITLE_SPAN`], so a
//! position says by itself whether it is in the title. No gram spans the
//! title and the text.
//!
//! Which file a gram is stored in is `bucket(gram) & (buckets − 1)`; the JS
//! client computes the same hash (`gramHash` in `js/khao-search.js`).

use rustc_hash::FxHashMap;

use super::encode::{PostingRef, get_varint, put_varint};

/// The length of the positional grams.
pub const LONG: usize = 4;

/// Text positions start here; title positions are below.
pub const TITLE_SPAN: u32 = 512;

/// A gram of 1–4 characters packed so that ordering keys orders grams by
/// (length, characters): the canonical order of records in a file.
pub type GramKey = u128;

/// Packs `chars` (1–4 characters) into a [`GramKey`].
pub fn key(chars: &[char]) -> GramKey {
    let mut k = (chars.len() as u128) << 96;
    for (i, &c) in chars.iter().enumerate() {
        k |= (c as u128) << (72 - 24 * i);
    }
    k
}

/// The number of characters of a key.
pub fn key_len(k: GramKey) -> usize {
    (k >> 96) as usize
}

/// The characters of a key.
pub fn key_chars(k: GramKey) -> impl Iterator<Item = u32> {
    (0..key_len(k)).map(move |i| ((k >> (72 - 24 * i)) & 0xFF_FFFF) as u32)
}

/// The 32-bit hash choosing a gram's file (FNV-1a over code points, then a
/// finaliser). Must equal `gramHash` in the JS client.
pub fn hash(k: GramKey) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for cp in key_chars(k) {
        h = (h ^ cp).wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// One gram of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocGram {
    pub key: GramKey,
    /// For a short gram: whether it occurs in the title.
    pub in_title: bool,
    /// For a [`LONG`] gram: its positions, ascending.
    pub positions: Vec<u32>,
}

/// A document's grams with their postings, sorted by key; 4-grams'
/// positions (encoded as in a file) are ranges of one shared buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    grams: Vec<(GramKey, Span)>,
    bytes: Vec<u8>,
}

/// Where a gram's posting is: a short gram's "in title", or a 4-gram's
/// byte range in [`Tokens`]' buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Short(bool),
    Long(u32, u32),
}

impl Tokens {
    /// The number of grams.
    pub fn len(&self) -> usize {
        self.grams.len()
    }

    /// Whether there is no gram.
    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// Gram `i` and its posting.
    pub fn get(&self, i: usize) -> (GramKey, PostingRef<'_>) {
        let (k, span) = self.grams[i];
        let p = match span {
            Span::Short(t) => PostingRef::Short(t),
            Span::Long(a, b) => PostingRef::Long(&self.bytes[a as usize..b as usize]),
        };
        (k, p)
    }

    /// Every gram and its posting, by key.
    pub fn iter(&self) -> impl Iterator<Item = (GramKey, PostingRef<'_>)> + '_ {
        (0..self.grams.len()).map(|i| self.get(i))
    }
}

/// Every gram of a document (normalised `title` and `text`) with its
/// posting.
pub fn doc_postings(title: &[char], text: &[char]) -> Tokens {
    let title = &title[..title.len().min(TITLE_SPAN as usize - 1)];
    let n = title.len() + text.len();
    let mut long: Vec<(GramKey, u32)> = Vec::with_capacity(n);
    let mut short: FxHashMap<GramKey, bool> = FxHashMap::default();
    short.reserve(n);
    for (field, base, in_title) in [(title, 0u32, true), (text, TITLE_SPAN, false)] {
        for i in 0..field.len() {
            let mut k: GramKey = 0;
            for n in 1..=LONG.min(field.len() - i) {
                k |= (field[i + n - 1] as u128) << (72 - 24 * (n - 1));
                let full = k | ((n as u128) << 96);
                if n == LONG {
                    long.push((full, base + i as u32));
                } else {
                    *short.entry(full).or_default() |= in_title;
                }
            }
        }
    }
    let mut grams: Vec<(GramKey, Span)> = Vec::with_capacity(short.len() + long.len());
    grams.extend(short.into_iter().map(|(k, t)| (k, Span::Short(t))));
    grams.sort_unstable_by_key(|g| g.0);
    long.sort_unstable();
    let mut bytes = Vec::with_capacity(long.len() * 2);
    let mut i = 0;
    while i < long.len() {
        let (k, start) = (long[i].0, bytes.len() as u32);
        let mut prev: Option<u32> = None;
        while i < long.len() && long[i].0 == k {
            let p = long[i].1;
            let gap = prev.map_or(p, |q| p - q - 1);
            let last = i + 1 == long.len() || long[i + 1].0 != k;
            put_varint(&mut bytes, (u64::from(gap) << 1) | u64::from(last));
            prev = Some(p);
            i += 1;
        }
        grams.push((k, Span::Long(start, bytes.len() as u32)));
    }
    Tokens { grams, bytes }
}

/// Every gram of a document as [`DocGram`]s (for tests and tools).
pub fn doc_grams(title: &[char], text: &[char]) -> Vec<DocGram> {
    doc_postings(title, text)
        .iter()
        .map(|(key, p)| match p {
            PostingRef::Short(in_title) => DocGram {
                key,
                in_title,
                positions: Vec::new(),
            },
            PostingRef::Long(bytes) => {
                let mut positions = Vec::new();
                let mut at = 0;
                while at < bytes.len() {
                    let v = get_varint(bytes, &mut at);
                    let gap = (v >> 1) as u32;
                    positions.push(positions.last().map_or(gap, |q: &u32| q + gap + 1));
                }
                DocGram {
                    key,
                    in_title: positions[0] < TITLE_SPAN,
                    positions,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_by_length_then_characters() {
        let a = key(&['ก', 'ข']);
        let b = key(&['ก']);
        let c = key(&['a', 'b', 'c', 'd']);
        assert!(b < a && a < c);
        assert_eq!(key_chars(c).collect::<Vec<_>>(), vec![97, 98, 99, 100]);
        assert_eq!(key_len(a), 2);
    }

    #[test]
    fn grams_of_a_small_doc() {
        let title: Vec<char> = "กขค".chars().collect();
        let text: Vec<char> = "กขคง".chars().collect();
        let g = doc_grams(&title, &text);
        let kg = g.iter().find(|g| g.key == key(&['ก', 'ข'])).unwrap();
        assert!(kg.in_title);
        let ng = g.iter().find(|g| g.key == key(&['ง'])).unwrap();
        assert!(!ng.in_title);
        let long = g
            .iter()
            .find(|g| g.key == key(&['ก', 'ข', 'ค', 'ง']))
            .unwrap();
        assert_eq!(long.positions, vec![TITLE_SPAN]);
        assert!(g.windows(2).all(|w| w[0].key < w[1].key));
    }

    #[test]
    fn hash_is_stable() {
        // The JS client's test checks the same values.
        assert_eq!(hash(key(&['ก'])), hash(key(&['ก'])));
        assert_ne!(hash(key(&['ก'])), hash(key(&['ข'])));
    }
}
