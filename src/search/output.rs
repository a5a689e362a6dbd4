//! The files besides the buckets, all under `search/`:
//!
//! - `manifest.json`: the segments (name, documents, buckets, a version
//!   token that changes with any document of the segment, appended to the
//!   segment's file URLs so a browser never mixes old and new files);
//! - `<segment>/d<k>.bin`: document tables, [`TABLE_CHUNK`] documents
//!   each: per document (in the segment's order) its fragment's name (URL
//!   hash) and version; only the chunks of shown results are fetched;
//! - `f/<url hash>.json?v=<version>`: one fragment per document: URL,
//!   title, date and text, for showing a result and its excerpt.

use serde::{Deserialize, Serialize};

use super::Doc;
use super::plan::Key;
use super::state::SegState;

/// The folder of every search file, relative to the output folder.
pub const DIR: &str = "khao-search";

/// Documents per document-table chunk.
pub const TABLE_CHUNK: usize = 256;

/// Bumped when a file format changes (the client checks it).
pub const FORMAT: u32 = 2;

/// The path of a page's fragment: named by its URL hash, so an edited
/// page's fragment is overwritten in place (the document table gives its
/// version, which the client puts in the fragment's URL).
pub fn fragment_path(url_hash: u64) -> String {
    format!("{DIR}/f/{:012x}.json", url_hash >> 16)
}

/// The document a fragment was made of.
pub fn parse_fragment(bytes: &[u8]) -> Option<Doc> {
    #[derive(Deserialize)]
    struct Fragment {
        url: String,
        title: String,
        date: Option<String>,
        text: String,
    }
    let f: Fragment = serde_json::from_slice(bytes).ok()?;
    Some(Doc {
        url: f.url,
        title: f.title,
        text: f.text,
        date: f.date,
    })
}

/// The fragment of a document.
pub fn fragment(doc: &Doc) -> Vec<u8> {
    #[derive(Serialize)]
    struct Fragment<'a> {
        url: &'a str,
        title: &'a str,
        date: Option<&'a str>,
        text: &'a str,
    }
    let mut out = serde_json::to_vec(&Fragment {
        url: &doc.url,
        title: &doc.title,
        date: doc.date.as_deref(),
        text: &doc.text,
    })
    .unwrap_or_default();
    out.push(b'\n');
    out
}

/// The path of a segment's bucket.
pub fn bucket_path(segment: &str, bucket: usize) -> String {
    format!("{DIR}/{segment}/{bucket}.bin")
}

/// The path of a segment's document-table chunk.
pub fn table_path(segment: &str, chunk: usize) -> String {
    format!("{DIR}/{segment}/d{chunk}.bin")
}

/// Chunk `chunk` of the document table of `docs`: per page, the top 48
/// bits of its URL hash (the fragment's name) and the low 24 bits of its
/// fingerprint (the fragment's version, for the browser's cache),
/// big-endian.
pub fn table(docs: &[Key], chunk: usize) -> Vec<u8> {
    let end = docs.len().min((chunk + 1) * TABLE_CHUNK);
    let mut out = Vec::with_capacity(TABLE_ENTRY * TABLE_CHUNK);
    for d in &docs[chunk * TABLE_CHUNK..end] {
        out.extend_from_slice(&d.url.to_be_bytes()[..6]);
        out.extend_from_slice(&d.fp.to_be_bytes()[5..]);
    }
    out
}

/// Bytes per page in a document table.
pub const TABLE_ENTRY: usize = 9;

/// The number of table chunks of a segment of `n` documents.
pub fn table_chunks(n: usize) -> usize {
    n.div_ceil(TABLE_CHUNK)
}

/// The version token of a segment: a hash of its documents' fingerprints.
pub fn token(seg: &SegState) -> String {
    let mut bytes = Vec::with_capacity(seg.keys.len() * 8);
    for d in &seg.keys {
        bytes.extend_from_slice(&d.fp.to_le_bytes());
    }
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(&bytes) as u32)
}

/// `search/manifest.json` for `segments` (empty ones are left out).
pub fn manifest(segments: &[SegState]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Seg<'a> {
        name: &'a str,
        docs: usize,
        buckets: usize,
        token: String,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        format: u32,
        segments: Vec<Seg<'a>>,
    }
    let segs = segments
        .iter()
        .filter(|s| !s.keys.is_empty())
        .map(|s| Seg {
            name: &s.name,
            docs: s.keys.len(),
            buckets: s.sums.len(),
            token: token(s),
        })
        .collect();
    let mut out = serde_json::to_vec(&Manifest {
        format: FORMAT,
        segments: segs,
    })
    .unwrap_or_default();
    out.push(b'\n');
    out
}

/// Every file of an index of `segments`, sorted.
pub fn all_paths(segments: &[SegState]) -> Vec<String> {
    let mut out = vec![format!("{DIR}/manifest.json")];
    for s in segments.iter().filter(|s| !s.keys.is_empty()) {
        out.extend((0..s.sums.len()).map(|b| bucket_path(&s.name, b)));
        out.extend((0..table_chunks(s.keys.len())).map(|c| table_path(&s.name, c)));
        out.extend(s.keys.iter().map(|d| fragment_path(d.url)));
    }
    out.sort();
    out.dedup();
    out
}
