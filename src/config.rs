//! `site.yaml`: the site's configuration.
//!
//! Every section rejects keys it does not know (`deny_unknown_fields`), and a
//! problem is turned into a [`ConfigError`] that names the key, the line and —
//! for a typo — the nearest known key; it remembers the language the file
//! asks for, so even a broken `site.yaml` is explained in its own language.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Failure};
use crate::i18n::{Lang, Message};

/// The file name of the configuration inside a site folder.
pub const FILE_NAME: &str = "site.yaml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub language: Lang,
    /// The IANA time zone of dates without one and of "now" (default
    /// Asia/Bangkok).
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// The `og:image` of pages without a photo of their own: a site path
    /// (`/images/share.jpg`) of an image in `content/` or the theme's
    /// static files. Default: the theme's own, with the office's name.
    #[serde(default)]
    pub share_image: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// One sentence about the site, for search engines and shared links.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub office: Office,
    /// The navigation menu, in order.
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    #[serde(default)]
    pub news: NewsConfig,
    /// The office's groups: a request's `requester.group` must be one of them.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub images: ImagesConfig,
    #[serde(default)]
    pub attachments: AttachmentsConfig,
    #[serde(default)]
    pub requests: RequestsConfig,
    #[serde(default)]
    pub deploy: Option<DeployConfig>,
}

fn default_timezone() -> String {
    "Asia/Bangkok".into()
}

fn default_theme() -> String {
    "default".into()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub fax: String,
    #[serde(default)]
    pub email: String,
    /// Where the office is, for the contact page's map link (no embedded map:
    /// no third-party request on any page).
    #[serde(default)]
    pub map_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    /// A site path (`/news/`) or a full URL.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub children: Vec<MenuItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsConfig {
    #[serde(default = "default_per_page")]
    pub per_page: usize,
    /// How many of the latest news the home page shows (after the pinned ones).
    #[serde(default = "default_home_count")]
    pub home_count: usize,
    /// How many items `feed.xml` carries.
    #[serde(default = "default_feed_count")]
    pub feed_count: usize,
    #[serde(default)]
    pub categories: Vec<Category>,
}

fn default_per_page() -> usize {
    10
}
fn default_home_count() -> usize {
    6
}
fn default_feed_count() -> usize {
    20
}

impl Default for NewsConfig {
    fn default() -> Self {
        NewsConfig {
            per_page: default_per_page(),
            home_count: default_home_count(),
            feed_count: default_feed_count(),
            categories: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesConfig {
    /// The widths every published photo is resized to, in pixels.
    #[serde(default = "default_widths")]
    pub widths: Vec<u32>,
    /// JPEG quality of the resized photos (1–100).
    #[serde(default = "default_quality")]
    pub quality: u8,
    /// Photos with more pixels are refused before they are decoded.
    #[serde(default = "default_max_pixels")]
    pub max_pixels: u64,
    #[serde(default = "default_image_mb")]
    pub max_file_mb: u64,
}

fn default_widths() -> Vec<u32> {
    vec![320, 640, 1280]
}
fn default_quality() -> u8 {
    82
}
fn default_max_pixels() -> u64 {
    50_000_000
}
fn default_image_mb() -> u64 {
    25
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            widths: default_widths(),
            quality: default_quality(),
            max_pixels: default_max_pixels(),
            max_file_mb: default_image_mb(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentsConfig {
    /// Allowed attachment extensions, lower case, without the dot.
    #[serde(default = "default_attachment_types")]
    pub types: Vec<String>,
    #[serde(default = "default_attachment_mb")]
    pub max_file_mb: u64,
}

fn default_attachment_types() -> Vec<String> {
    ["pdf", "docx", "xlsx", "pptx"].map(String::from).to_vec()
}
fn default_attachment_mb() -> u64 {
    30
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        AttachmentsConfig {
            types: default_attachment_types(),
            max_file_mb: default_attachment_mb(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsConfig {
    /// `khao watch` checks a request only after its files have been still
    /// this long: staff copy folders slowly over a network share.
    #[serde(default = "default_settle_seconds")]
    pub settle_seconds: f64,
    /// Receipts beside the requests are removed after this many days.
    #[serde(default = "default_receipt_days")]
    pub receipt_days: u32,
}

fn default_receipt_days() -> u32 {
    14
}

fn default_settle_seconds() -> f64 {
    3.0
}

impl Default for RequestsConfig {
    fn default() -> Self {
        RequestsConfig {
            settle_seconds: default_settle_seconds(),
            receipt_days: default_receipt_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// `sftp://user@host:port/path` or a local folder path.
    pub target: String,
    #[serde(default)]
    pub identity: Option<String>,
    #[serde(default)]
    pub known_hosts: Option<String>,
    #[serde(default = "default_keep_releases")]
    pub keep_releases: usize,
    /// Where the live site is checked; defaults to `base_url`.
    #[serde(default)]
    pub verify_url: Option<String>,
}

fn default_keep_releases() -> usize {
    5
}

/// A problem with `site.yaml`; the command layer prints it and exits 2.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigError {
    pub message: Message,
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The language the file asks for, as far as it could be read.
    pub lang: Lang,
}

crate::display_failure!(ConfigError);

impl Failure for ConfigError {
    fn code(&self) -> Code {
        Code::Config
    }

    /// "site.yaml:3: unknown key ..."
    fn message(&self) -> Message {
        let place = match self.line {
            Some(l) => format!("{}:{l}: ", self.file.display()),
            None => format!("{}: ", self.file.display()),
        };
        Message::new("config.at")
            .arg("place", place)
            .arg_msg("problem", self.message.clone())
    }
}

/// The largest `site.yaml` read: a real one is a few kilobytes.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

impl SiteConfig {
    /// Reads `site.yaml` from a site folder.
    pub fn load(site_dir: &Path) -> Result<SiteConfig, ConfigError> {
        let file = site_dir.join(FILE_NAME);
        let fail = |message: Message| ConfigError {
            message,
            file: file.clone(),
            line: None,
            column: None,
            lang: Lang::Th,
        };
        let unreadable = |e: std::io::Error| {
            fail(
                Message::new("config.unreadable")
                    .arg("file", file.display())
                    .arg_msg("error", crate::i18n::os_error(e)),
            )
        };
        // Not a pipe (read for ever) nor a device, nor megabytes.
        let meta = std::fs::metadata(&file).map_err(unreadable)?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return Err(fail(
                Message::new("config.not_a_file").arg("max_kb", MAX_FILE_BYTES / 1024),
            ));
        }
        let bytes = std::fs::read(&file).map_err(unreadable)?;
        // Saved by Notepad: UTF-8 with a BOM, UTF-16 or Windows-874 too.
        let (text, _) = crate::plumbing::text::decode(&bytes);
        Self::parse(&text, &file)
    }

    /// Parses the text of a `site.yaml`; `file` is only used in messages.
    pub fn parse(text: &str, file: &Path) -> Result<SiteConfig, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lang = sniff_language(text);
        let config: SiteConfig =
            serde_yaml::from_str(text).map_err(|e| explain_yaml_error(&e, lang, file))?;
        config.validate(file)?;
        Ok(config)
    }

    fn validate(&self, file: &Path) -> Result<(), ConfigError> {
        let fail = |key: &str, rule: &str| ConfigError {
            message: Message::new("config.invalid_value")
                .arg("key", key)
                .arg_msg("rule", Message::new(rule)),
            file: file.to_path_buf(),
            line: None,
            column: None,
            lang: self.language,
        };
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(fail("base_url", "config.rule.url"));
        }
        if self.news.per_page == 0 {
            return Err(fail("news.per_page", "config.rule.positive"));
        }
        if self.images.widths.is_empty() || self.images.widths.contains(&0) {
            return Err(fail("images.widths", "config.rule.widths"));
        }
        if !(1..=100).contains(&self.images.quality) {
            return Err(fail("images.quality", "config.rule.quality"));
        }
        if self.images.max_pixels == 0 {
            return Err(fail("images.max_pixels", "config.rule.positive"));
        }
        if self.images.max_file_mb == 0 {
            return Err(fail("images.max_file_mb", "config.rule.positive"));
        }
        if self.news.categories.iter().any(|c| !is_slug(&c.slug)) {
            return Err(fail("news.categories.slug", "config.rule.slug"));
        }
        // Two categories with one slug would write one page for both; with
        // one name, a request naming it could not say which it means.
        let categories = &self.news.categories;
        let twice = |same: fn(&Category, &Category) -> bool| {
            (categories.iter().enumerate()).any(|(i, a)| categories[..i].iter().any(|b| same(a, b)))
        };
        if twice(|a, b| a.slug == b.slug) {
            return Err(fail("news.categories.slug", "config.rule.unique"));
        }
        if twice(|a, b| a.name.trim() == b.name.trim()) {
            return Err(fail("news.categories.name", "config.rule.unique"));
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(fail("timezone", "config.rule.timezone"));
        }
        Ok(())
    }

    /// The site's time zone (validated when the file was read).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Bangkok)
    }

    /// The base URL with exactly one trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// Finds a category by its slug or its (Thai) name, as it reads (see
    /// [`same_text`](crate::search::normalize::same_text)).
    pub fn category(&self, slug_or_name: &str) -> Option<&Category> {
        let wanted = slug_or_name.trim();
        let same = crate::search::normalize::same_text;
        let categories = self.news.categories.iter();
        let exact = categories
            .clone()
            .find(|c| c.slug == wanted || c.name == wanted);
        exact.or_else(|| {
            categories
                .into_iter()
                .find(|c| same(&c.slug, wanted) || same(&c.name, wanted))
        })
    }

    /// The office's group named `name`, as it reads (see
    /// [`same_text`](crate::search::normalize::same_text)).
    pub fn group(&self, name: &str) -> Option<&str> {
        let same = crate::search::normalize::same_text;
        (self.groups.iter())
            .find(|g| g.trim() == name)
            .or_else(|| self.groups.iter().find(|g| same(g, name)))
            .map(|g| g.trim())
    }

    /// The URL where the live site is checked after a deploy.
    pub fn verify_url(&self) -> String {
        self.deploy
            .as_ref()
            .and_then(|d| d.verify_url.clone())
            .unwrap_or_else(|| self.base_url())
    }
}

/// `[a-z0-9-]+`, not starting or ending with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The nearest of `candidates` to `word`, if one is close enough to be the
/// likely meaning of a typo, or the only one that begins with it (a group's
/// name written short: `กลุ่มพัฒนาครู` for
/// `กลุ่มพัฒนาครูและบุคลากรทางการศึกษา`).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // A long name cut short with ฯ (ไปยาลน้อย) or ฯลฯ is its beginning.
    let word_l = word
        .trim()
        .trim_end_matches("ฯลฯ")
        .trim_end_matches('ฯ')
        .trim()
        .to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let mut beginning = (candidates.iter()).filter(|c| c.to_lowercase().starts_with(&word_l));
    if let (Some(only), None) = (beginning.next(), beginning.next())
        && word_l.chars().count() >= 3
    {
        return Some(only);
    }
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&word_l, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The language the file asks for, so that even a broken `site.yaml` is
/// explained in its own language.
fn sniff_language(text: &str) -> Lang {
    text.lines()
        .filter_map(|l| l.strip_prefix("language:"))
        .map(|v| {
            v.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
        })
        .find_map(|v| match v {
            "en" => Some(Lang::En),
            "th" => Some(Lang::Th),
            _ => None,
        })
        .unwrap_or(Lang::Th)
}

/// Turns serde_yaml's English error into a message that names the key and,
/// for a typo, the nearest known key.
fn explain_yaml_error(e: &serde_yaml::Error, lang: Lang, file: &Path) -> ConfigError {
    let (line, column) = e
        .location()
        .map(|l| (Some(l.line()), Some(l.column())))
        .unwrap_or((None, None));
    let raw = e.to_string();
    // serde_yaml prefixes the path of the value: "news.per_page: invalid type: ..."
    let (path, detail) = match raw.split_once(": ") {
        Some((p, d)) if !p.contains(' ') => (p.to_string(), d.to_string()),
        _ => (String::new(), raw.clone()),
    };
    let detail = detail
        .split(" at line ")
        .next()
        .unwrap_or(&detail)
        .to_string();
    let message = if let Some(caps) = UNKNOWN_FIELD.captures(&detail) {
        let key = caps[1].to_string();
        let expected: Vec<&str> = caps
            .get(2)
            .map(|m| m.as_str())
            .unwrap_or("")
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .filter(|s| !s.is_empty())
            .collect();
        let full_key = if path.is_empty() || path == "." {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match nearest(&key, expected.iter().copied()) {
            Some(near) => Message::new("config.unknown_key_near").arg("near", near),
            None => Message::new("config.unknown_key").arg("known", expected.join(", ")),
        }
        .arg("key", full_key)
    } else if let Some(caps) = UNKNOWN_VARIANT.captures(&detail) {
        let choices = caps[2].replace(" or ", ", ").replace("one of ", "");
        Message::new("config.unknown_value")
            .arg("key", if path.is_empty() { "?" } else { &path })
            .arg("value", &caps[1])
            .arg("choices", choices)
    } else if let Some(caps) = INVALID_TYPE.captures(&detail) {
        let found = caps[1].strip_prefix("string ").unwrap_or(&caps[1]);
        let m =
            Message::new("config.wrong_type").arg("key", if path.is_empty() { "?" } else { &path });
        // A list or keys where a value was wanted: said in words too.
        let m = match found {
            "sequence" | "map" => m.arg_msg("found", kind_words(found)),
            _ => m.arg("found", found),
        };
        m.arg_msg("expected", kind_words(&caps[2]))
    } else if let Some(caps) = MISSING_FIELD.captures(&detail) {
        let key = if path.is_empty() || path == "." {
            caps[1].to_string()
        } else {
            format!("{path}.{}", &caps[1])
        };
        Message::new("config.missing_key").arg("key", key)
    } else if let Some(problem) = crate::news::yaml::known_problem(&raw) {
        Message::new("config.syntax").arg_msg("error", problem)
    } else {
        Message::new("config.syntax").arg("error", &raw)
    };
    ConfigError {
        message,
        file: file.to_path_buf(),
        line,
        column,
        lang,
    }
}

static UNKNOWN_FIELD: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r"unknown field `([^`]*)`(?:, expected (?:one of )?(.*))?").expect("regex")
});
static INVALID_TYPE: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r"invalid (?:type|value): (.*), expected (.*)").expect("regex")
});
static UNKNOWN_VARIANT: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r"unknown variant `([^`]*)`, expected (.*)").expect("regex")
});

/// What serde calls the kind of value a key wants (`usize`, `a boolean`),
/// in the officer's words; anything else as serde says it.
fn kind_words(expected: &str) -> Message {
    let has = |words: &[&str]| words.iter().any(|w| expected.contains(w));
    let key = if has(&["usize", "u8", "u16", "u32", "u64", "i32", "i64", "integer"]) {
        "config.kind_whole"
    } else if has(&["f32", "f64", "float"]) {
        "config.kind_number"
    } else if has(&["bool"]) {
        "config.kind_yes_no"
    } else if has(&["string"]) {
        "config.kind_text"
    } else if has(&["sequence"]) {
        "config.kind_list"
    } else if has(&["map", "struct"]) {
        "config.kind_mapping"
    } else {
        return Message::new("os.other").arg("raw", expected);
    };
    Message::new(key)
}

static MISSING_FIELD: once_cell::sync::Lazy<regex::Regex> =
    once_cell::sync::Lazy::new(|| regex::Regex::new(r"missing field `([^`]*)`").expect("regex"));

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig, ConfigError> {
        SiteConfig::parse(text, Path::new("site.yaml"))
    }

    #[test]
    fn a_name_cut_short_with_paiyannoi_suggests_the_group_it_begins() {
        let groups = [
            "กลุ่มส่งเสริมการจัดการศึกษา",
            "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร",
        ];
        assert_eq!(nearest("กลุ่มส่งเสริมการศึกษาทางไกลฯ", groups), Some(groups[1]));
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse("title: t\nbase_url: https://example.go.th\n").unwrap();
        assert_eq!(c.language, Lang::Th);
        assert_eq!(c.images.widths, vec![320, 640, 1280]);
        assert_eq!(c.base_url(), "https://example.go.th/");
    }

    #[test]
    fn unknown_key_names_the_nearest() {
        let e = parse("titel: t\nbase_url: https://x.go.th/\nlanguage: en\n").unwrap_err();
        let text = e.message.render(Lang::En);
        assert!(text.contains("titel"), "{text}");
        assert!(text.contains("`title`"), "{text}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn nested_unknown_key_has_its_path() {
        let e = parse("title: t\nbase_url: https://x.go.th/\nnews:\n  per_pgae: 3\n").unwrap_err();
        let text = e.message.render(Lang::En);
        assert!(text.contains("news.per_pgae"), "{text}");
        assert!(text.contains("per_page"), "{text}");
    }

    #[test]
    fn wrong_type_names_key_and_type() {
        let e =
            parse("title: t\nbase_url: https://x.go.th/\nlanguage: en\nnews:\n  per_page: many\n")
                .unwrap_err();
        assert!(e.message.render(Lang::En).contains("news.per_page"));
        assert_eq!(e.line, Some(5));
        let th = e.message.render(Lang::Th);
        assert!(th.contains("\"many\"") && th.contains("จำนวนเต็ม"), "{th}");
        assert!(!th.contains("usize") && !th.contains("string"), "{th}");
    }

    #[test]
    fn a_list_where_text_was_wanted_is_said_in_words() {
        let e = parse("title: [unclosed\nbase_url: https://x.go.th/\n");
        let th = e
            .map(|_| String::new())
            .unwrap_or_else(|e| e.message.render(Lang::Th));
        assert!(!th.contains("sequence"), "{th}");
        let e = parse("title: [a, b]\nbase_url: https://x.go.th/\n").unwrap_err();
        let th = e.message.render(Lang::Th);
        assert!(th.contains("รายการ") && !th.contains("sequence"), "{th}");
    }

    #[test]
    fn a_value_not_among_the_choices_lists_them() {
        let e = parse("title: t\nbase_url: https://x.go.th/\nlanguage: fr\n").unwrap_err();
        let th = e.message.render(Lang::Th);
        assert!(th.contains("`fr`") && th.contains("`th`, `en`"), "{th}");
        assert!(!th.contains("unknown variant"), "{th}");
    }

    #[test]
    fn a_syntax_mistake_is_told_in_thai() {
        let e = parse("title: สพม.: เว็บไซต์\nbase_url: https://x.go.th/\n").unwrap_err();
        let th = e.message.render(Lang::Th);
        let colon = crate::i18n::tr(Lang::Th, "yaml.colon", &[]);
        assert!(th.contains(&colon), "{th}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn nearest_finds_typos_and_names_written_short() {
        assert_eq!(nearest("titel", ["title", "slug"]), Some("title"));
        assert_eq!(nearest("zzzzzz", ["title", "slug"]), None);
        let groups = [
            "กลุ่มอำนวยการ",
            "กลุ่มพัฒนาครูและบุคลากรทางการศึกษา",
            "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา",
        ];
        assert_eq!(nearest("กลุ่มพัฒนาครู", groups), Some(groups[1]));
        assert_eq!(nearest("กลุ่ม", groups), None, "the beginning of several");
    }

    #[test]
    fn two_categories_cannot_share_a_slug_or_a_name() {
        let base = "title: t\nbase_url: https://x.go.th/\nnews:\n  categories:\n";
        let one = "    - { slug: a, name: ข่าว }\n";
        let ok = format!("{base}{one}    - {{ slug: b, name: กิจกรรม }}\n");
        assert!(parse(&ok).is_ok());
        for (second, key) in [
            ("    - { slug: a, name: กิจกรรม }\n", "news.categories.slug"),
            ("    - { slug: b, name: ข่าว }\n", "news.categories.name"),
        ] {
            let e = parse(&format!("{base}{one}{second}")).unwrap_err();
            let th = e.message.render(Lang::Th);
            assert!(th.contains(key) && th.contains("ไม่ซ้ำ"), "{th}");
        }
    }

    #[test]
    fn photo_limits_must_be_positive() {
        for limit in ["max_pixels", "max_file_mb"] {
            let text = format!("title: t\nbase_url: https://x.go.th/\nimages:\n  {limit}: 0\n");
            let th = parse(&text).unwrap_err().message.render(Lang::Th);
            assert!(th.contains(limit) && th.contains("มากกว่า 0"), "{th}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("sports-day-2569"));
        assert!(!is_slug("Sports"));
        assert!(!is_slug("-a"));
        assert!(!is_slug("ข่าว"));
    }
}
