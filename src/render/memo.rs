//! What rendering remembers of each news item between builds: a hash of
//! its text as HTML and its summary, the two costly parts of preparing an
//! item (each a Markdown parse; the HTML is made again only when the
//! item's page is). While the item's text file is as it was (its stamp),
//! the site's settings and theme are the same (the render salt) and the
//! photos its text shows are published as they were, they are reused: a
//! build after one edit parses one item's Markdown, not a thousand.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::plumbing::table::{Positional, Table};

/// One item's remembered work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Hash of the render salt and the item's stamp.
    pub key: u64,
    /// The photos (images-map keys) its HTML was made with, and a hash of
    /// how they were published then.
    pub images: Vec<PathBuf>,
    pub images_digest: u64,
    /// A hash of the HTML (the HTML itself is made again when the page is).
    pub body_digest: u64,
    /// The item's prepared form: what it showed of the clock and its
    /// attachments then ([`super::renderer::Renderer`]'s `shown_state`),
    /// and its digest, once known.
    pub shown: u64,
    pub digest: Option<u64>,
}

impl Entry {
    /// Whether it was made with `key` and its photos are published as
    /// they were.
    fn holds(&self, key: u64, images: &crate::images::ImageMap) -> bool {
        self.key == key && images_digest(&self.images, images) == self.images_digest
    }
}

/// Each item's work, by its address.
#[derive(Default)]
pub struct Memo {
    items: Table<String, Entry, Positional>,
    /// Each item's summary with its entry's key, kept apart: every build
    /// checks every item's entry, and decoding the summary's Thai text
    /// with it only to compare two keys was most of that check.
    summaries: Table<String, (u64, String), Positional>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("render::Memo")
    }
}

/// A hash of how `keys` are published in `images` (a missing one too).
pub(super) fn images_digest(keys: &[PathBuf], images: &crate::images::ImageMap) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for k in keys {
        h.update(k.as_os_str().as_encoded_bytes());
        match images.get(crate::plumbing::paths::key(k)) {
            Some(img) => {
                for v in &img.variants {
                    h.update(v.url.as_bytes());
                    h.update(&v.width.to_le_bytes());
                    h.update(&v.height.to_le_bytes());
                }
            }
            None => h.update(b"\0missing"),
        }
    }
    h.digest()
}

impl Memo {
    /// The HTML and summary of `url`, if made with `key` and the photos
    /// are published as they were.
    pub(super) fn recall(
        &self,
        url: &str,
        key: u64,
        images: &crate::images::ImageMap,
    ) -> Option<(u64, String)> {
        let digest = self
            .items
            .with(url, |e| e.holds(key, images).then_some(e.body_digest))?;
        let summary =
            (self.summaries).with_owned(url, |(k, summary)| (k == key).then_some(summary))?;
        Some((digest, summary))
    }

    /// The digest of `url` prepared, if it was prepared from the same text,
    /// photos and `shown` state.
    pub(super) fn digest(
        &self,
        url: &str,
        key: u64,
        shown: u64,
        images: &crate::images::ImageMap,
    ) -> Option<u64> {
        self.items.with(url, |e| {
            (e.shown == shown && e.holds(key, images))
                .then_some(e.digest)
                .flatten()
        })
    }

    /// Adds the digest of `url` prepared to its entry (made with `key`).
    pub(super) fn remember_digest(&self, url: &str, key: u64, shown: u64, digest: u64) {
        let entry = self.items.with_owned(url, |e| (e.key == key).then_some(e));
        if let Some(mut e) = entry
            && (e.shown, e.digest) != (shown, Some(digest))
        {
            (e.shown, e.digest) = (shown, Some(digest));
            self.items.insert(url.to_string(), e);
        }
    }

    pub(super) fn remember(&self, url: &str, entry: Entry, summary: String) {
        self.summaries.insert(url.to_string(), (entry.key, summary));
        self.items.insert(url.to_string(), entry);
    }

    /// Forgets the items not among `live`; see
    /// [`crate::plumbing::table::Table::forget_others`].
    pub(super) fn forget_others<'u>(&self, live: impl ExactSizeIterator<Item = &'u str> + Clone) {
        self.summaries.forget_others(live.clone());
        self.items.forget_others(live);
    }

    /// The memo saved in `dir` with `header` (see
    /// [`crate::plumbing::table::Table`]).
    pub fn load<H: Serialize + serde::de::DeserializeOwned + PartialEq + Sync>(
        dir: &std::path::Path,
        header: &H,
    ) -> Memo {
        let (items, summaries) = rayon::join(
            || Table::load(dir, "render", header),
            || Table::load(dir, "summary", header),
        );
        Memo { items, summaries }
    }

    pub fn save<H: Serialize>(&self, dir: &std::path::Path, header: &H) {
        self.items.save(dir, "render", header);
        self.summaries.save(dir, "summary", header);
    }
}
