//! The documents given to a build, two ways:
//!
//! - a slice of [`Doc`]s: every text is at hand, and a document's identity
//!   is a fingerprint of its URL, title, text and date (hashing all texts
//!   costs about 0.5 ms per 1,000 pages);
//! - [`Page`]s plus a function making a page's [`Doc`] on demand: the
//!   caller vouches for each page's content with a `stamp` (any 64-bit
//!   value that changes when the title, text or date does, e.g. a hash it
//!   already keeps of the source or rendered page), and only pages whose
//!   stamp changed are asked for (all of them for a clean build). Nothing
//!   then costs a read of the unchanged pages' texts.
//!
//! Either way the files are a pure function of what is given.

use std::borrow::Cow;

use super::Doc;

/// A page known by its address, date and a stamp of its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page<'a> {
    pub url: &'a str,
    /// ISO `yyyy-mm-dd`, for recency; pages without one count as oldest.
    pub date: Option<&'a str>,
    /// Changes whenever the page's title, text or date does.
    pub stamp: u64,
}

/// What the index needs of its documents.
pub trait Pages: Sync {
    fn count(&self) -> usize;
    fn url(&self, i: usize) -> &str;
    fn date(&self, i: usize) -> Option<&str>;
    /// The identity of the content (the name of its fragment file);
    /// `url_hash` is the xxh3 of its URL.
    fn fingerprint(&self, i: usize, url_hash: u64) -> u64;
    /// The document itself (asked only when its postings are needed).
    fn doc(&self, i: usize) -> Cow<'_, Doc>;
    /// Whether [`Pages::fingerprint`] is a hash of the content, so that an
    /// old fragment can be checked against it.
    fn content_fingerprints(&self) -> bool;
}

/// The content fingerprint of a document.
pub fn fingerprint(d: &Doc) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        d.url.as_str(),
        &d.title,
        &d.text,
        d.date.as_deref().unwrap_or("\0"),
    ] {
        h.update(part.as_bytes());
        h.update(&[0xFF]);
    }
    h.digest()
}

/// A slice of documents as [`Pages`].
pub struct Docs<'a>(pub &'a [Doc]);

impl Pages for Docs<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn url(&self, i: usize) -> &str {
        &self.0[i].url
    }

    fn date(&self, i: usize) -> Option<&str> {
        self.0[i].date.as_deref()
    }

    fn fingerprint(&self, i: usize, _url_hash: u64) -> u64 {
        fingerprint(&self.0[i])
    }

    fn doc(&self, i: usize) -> Cow<'_, Doc> {
        Cow::Borrowed(&self.0[i])
    }

    fn content_fingerprints(&self) -> bool {
        true
    }
}

/// [`Page`]s with the function making their documents.
pub struct Lazy<'a, F: Fn(usize) -> Doc + Sync> {
    pub pages: &'a [Page<'a>],
    pub doc: F,
}

impl<F: Fn(usize) -> Doc + Sync> Pages for Lazy<'_, F> {
    fn count(&self) -> usize {
        self.pages.len()
    }

    fn url(&self, i: usize) -> &str {
        self.pages[i].url
    }

    fn date(&self, i: usize) -> Option<&str> {
        self.pages[i].date
    }

    fn fingerprint(&self, i: usize, url_hash: u64) -> u64 {
        let p = &self.pages[i];
        let date = p.date.unwrap_or("\0").as_bytes();
        let mut buf = [0u8; 64];
        buf[..8].copy_from_slice(&p.stamp.to_le_bytes());
        let n = date.len().min(56);
        buf[8..8 + n].copy_from_slice(&date[..n]);
        let fp = xxhash_rust::xxh3::xxh3_64_with_seed(&buf[..8 + n], url_hash);
        if date.len() > 56 {
            return xxhash_rust::xxh3::xxh3_64_with_seed(date, fp);
        }
        fp
    }

    fn doc(&self, i: usize) -> Cow<'_, Doc> {
        Cow::Owned((self.doc)(i))
    }

    fn content_fingerprints(&self) -> bool {
        false
    }
}
