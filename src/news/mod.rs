//! The one news schema. A publicity request (Markdown front matter,
//! `request.yaml` or the fields table of a Word document) and a published
//! item's `content/news/<yyyy>/<slug>/index.md` are read by the same
//! parser into the same [`News`]; `khao intake` writes [`News`] back as
//! `index.md`, so a request folder copied by hand into `content/news/`
//! builds, and nothing a requester gave is dropped on the way.
//!
//! A request is a news item plus submission data (its folder, its files,
//! when khao first saw it): see [`crate::request`].
//!
//! What a news item must not publish is found here too, for the check of
//! requests and the build of `content/`: national ID numbers
//! ([`personal_id`]) and mobile phone numbers ([`phone`]) in its text,
//! ID numbers and photos' positions in its attachments ([`documents`]).

pub mod clock;
pub mod documents;
mod parse;
pub mod personal_id;
pub mod phone;
pub mod yaml;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

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
/// are made from. Serialised without `body`, it is the front matter of
/// `index.md` ([`News::to_index_md`]); whole, it is what the build memo
/// keeps between builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct News {
    pub title: String,
    pub slug: String,
    pub date: NaiveDate,
    /// A category slug of site.yaml.
    pub category: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Requester::is_empty", default)]
    pub requester: Requester,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cover: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub images: Vec<Photo>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub pinned: bool,
    /// Pinned only until this instant.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant", default)]
    pub pinned_until: Option<DateTime<FixedOffset>>,
    /// The embargo: before it the item is built nowhere.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant", default)]
    pub publish_at: Option<DateTime<FixedOffset>>,
    /// From then on the item is ended.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant", default)]
    pub expires: Option<DateTime<FixedOffset>>,
    /// When khao first saw the request.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant", default)]
    pub received: Option<DateTime<FixedOffset>>,
    /// When intake took it in.
    #[serde(skip_serializing_if = "Option::is_none", with = "instant", default)]
    pub accepted: Option<DateTime<FixedOffset>>,
    /// Markdown (not part of the front matter).
    #[serde(default)]
    pub body: String,
}

/// Who asked for the news. Only the group is ever published; the name,
/// phone and e-mail are for the officer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub group: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub phone: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub file: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub title: String,
}

impl News {
    /// The text of `index.md`: the front matter, then the body.
    pub fn to_index_md(&self) -> String {
        let mut front = serde_yaml::to_value(self).unwrap_or_default();
        if let Some(map) = front.as_mapping_mut() {
            map.remove("body");
        }
        let yaml = serde_yaml::to_string(&front).unwrap_or_default();
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
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, false)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}
