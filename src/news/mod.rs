//! The one news schema. A publicity request (Markdown front matter,
//! `request.yaml` or the fields table of a Word document) and a published
//! item's `content/news/<yyyy>/<slug>/index.md` are read by the same
//! parser into the same [`News`]; `khao intake` writes [`News`] back as
//! `index.md`, so a request folder copied by hand into `content/news/`
//! builds, and nothing a requester gave is dropped on the way.
//!
//! A request is a news item plus submission data (its folder, its files,
//! when khao first saw it): see [`crate::request`].

pub mod clock;
mod parse;
pub mod yaml;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

pub use parse::{
    Fields, FileRef, Locate, Origin, Place, Sink, default_slug, is_blank_body, parse, scalar,
    slugify,
};

/// Every key a news item may have, in the order `index.md` writes them.
/// `body` is a key only in `request.yaml` (elsewhere the body follows the
/// front matter).
pub const KEYS: &[&str] = &[
    "title",
    "slug",
    "date",
    "category",
    "tags",
    "summary",
    "requester",
    "cover",
    "images",
    "attachments",
    "pinned",
    "pinned_until",
    "publish_at",
    "expires",
    "received",
    "accepted",
    "body",
];

/// The keys under `requester`.
pub const REQUESTER_KEYS: &[&str] = &["name", "group", "phone", "email"];
/// The keys of an entry of `images`.
pub const IMAGE_KEYS: &[&str] = &["file", "alt"];
/// The keys of an entry of `attachments`.
pub const ATTACHMENT_KEYS: &[&str] = &["file", "title"];

/// A news item: what its page, list entries, feed item and search entry
/// are made from. Serialised, it is the front matter of `index.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct News {
    pub title: String,
    pub slug: String,
    pub date: NaiveDate,
    /// A category slug of site.yaml.
    pub category: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Requester::is_empty")]
    pub requester: Requester,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Photo>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Pinned only until this instant.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant")]
    pub pinned_until: Option<DateTime<FixedOffset>>,
    /// The embargo: before it the item is built nowhere.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant")]
    pub publish_at: Option<DateTime<FixedOffset>>,
    /// From then on the item is ended.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant")]
    pub expires: Option<DateTime<FixedOffset>>,
    /// When khao first saw the request.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant")]
    pub received: Option<DateTime<FixedOffset>>,
    /// When intake took it in.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant")]
    pub accepted: Option<DateTime<FixedOffset>>,
    /// Markdown.
    #[serde(skip)]
    pub body: String,
}

/// Who asked for the news. Only the group is ever published; the name,
/// phone and e-mail are for the officer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Requester {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
}

impl Requester {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
            && self.group.is_empty()
            && self.phone.is_empty()
            && self.email.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Photo {
    pub file: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub file: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
}

impl News {
    /// The text of `index.md`: the front matter, then the body.
    pub fn to_index_md(&self) -> String {
        let yaml = serde_yaml::to_string(self).unwrap_or_default();
        let body = self.body.trim_start_matches(['\n', '\r']);
        format!("---\n{yaml}---\n{body}")
    }

    /// Every file the item publishes besides `index.md`, sorted, once.
    pub fn media(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .images
            .iter()
            .map(|i| i.file.clone())
            .chain(self.attachments.iter().map(|a| a.file.clone()))
            .chain(self.cover.clone())
            .collect();
        files.sort();
        files.dedup();
        files
    }
}

/// Instants are written as RFC 3339 with their offset.
mod instant {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, false)),
            None => s.serialize_none(),
        }
    }
}
