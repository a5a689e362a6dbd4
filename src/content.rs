//! Step 4's input: the site's pages and news, read from `content/`.
//!
//! `content/news/<yyyy>/<slug>/index.md` is a news item (front matter in the
//! normalised form `khao intake` writes, [`NewsFrontMatter`]) beside its
//! photos and attachments; any other `content/a/b.md` is a page at `/a/b/`
//! (`content/index.md` is the home page's own text, `_index.md` a section's).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;

/// Everything the renderer needs, read once.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site folder (the one holding `site.yaml`).
    pub root: PathBuf,
    pub config: SiteConfig,
    pub pages: Vec<Page>,
    /// Newest first; ties by slug, so the order is deterministic.
    pub news: Vec<NewsItem>,
}

/// A plain page: `content/a/b.md` at `/a/b/`.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Path of the source file, relative to `content/`.
    pub source: PathBuf,
    /// The site path it is published at, e.g. `/about/history/`.
    pub url: String,
    pub title: String,
    pub description: String,
    /// Order within its section's listing and the menu (lower first).
    pub weight: i64,
    /// A template other than `page.html`.
    pub template: Option<String>,
    /// Markdown.
    pub body: String,
}

/// A news item: `content/news/<yyyy>/<slug>/index.md`.
#[derive(Debug, Clone, Serialize)]
pub struct NewsItem {
    /// The folder holding `index.md`, its photos and attachments.
    pub dir: PathBuf,
    pub slug: String,
    pub date: NaiveDate,
    /// `/news/<yyyy>/<slug>/`
    pub url: String,
    pub front: NewsFrontMatter,
    /// Markdown.
    pub body: String,
}

/// The normalised front matter of a published news item. `khao intake`
/// writes it; the content loader reads it. The requester's phone and e-mail
/// are not here: they are for the officer only and never published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsFrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// ISO date.
    pub date: String,
    /// A category slug from site.yaml.
    pub category: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Requester>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<PhotoRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// When the request was received (RFC 3339), set by intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// When it was accepted for publication (RFC 3339), set by intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoRef {
    pub file: String,
    #[serde(default)]
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    pub file: String,
    #[serde(default)]
    pub title: String,
}

/// Reads `content/` of a site folder. Problems that make an item unusable
/// (bad front matter, a missing date) come back as diagnostics naming the
/// file; the rest of the site still loads.
pub fn load_site(root: &Path, config: SiteConfig) -> (Site, Vec<Diagnostic>) {
    let _ = root;
    let _ = config;
    todo!("content loader")
}
