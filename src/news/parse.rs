//! Reading a news item's fields — whatever it was written in — into
//! [`Fields`], with every problem reported at the place of its key.
//!
//! The input is a YAML mapping (front matter, `request.yaml`, or the
//! fields table of a Word document turned into one) and a [`Locate`] that
//! knows where each key was written: a line of a text file, or a row of a
//! table.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_yaml::{Mapping, Value};

use super::{
    ATTACHMENT_KEYS, Attachment, IMAGE_KEYS, KEYS, News, Photo, REQUESTER_KEYS, Requester,
};
use crate::config::{SiteConfig, is_slug, nearest};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::i18n::Message;

/// Where a key was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A 1-based line of a text file.
    Line(usize),
    /// A 1-based row of a Word document's fields table.
    Row(usize),
    /// A 1-based paragraph of a Word document.
    Paragraph(usize),
}

/// Finds where keys were written.
pub trait Locate {
    /// A top-level key.
    fn key(&self, key: &str) -> Option<Place>;
    /// `key` under the top-level `parent`.
    fn nested(&self, parent: &str, key: &str) -> Option<Place>;
    /// The entry of the list `parent` that mentions `needle`.
    fn item(&self, parent: &str, needle: &str) -> Option<Place>;
    /// Where the body starts.
    fn body(&self) -> Option<Place>;
    /// `needle` at `place`, as a byte range of the file, for underlining.
    fn span(&self, _place: Place, _needle: &str) -> Option<std::ops::Range<usize>> {
        None
    }
}

/// Whose item it is: a staff member's request must be complete; a page the
/// officer keeps in `content/news/` may go without a requester or a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Request,
    Content,
}

/// Collects diagnostics with the file and the place.
pub struct Sink<'a> {
    pub file: PathBuf,
    pub locate: &'a dyn Locate,
    pub diags: Vec<Diagnostic>,
}

impl Sink<'_> {
    pub fn push(&mut self, d: Diagnostic, place: Option<Place>, needle: Option<&str>) {
        let mut d = d.in_file(self.file.clone());
        match place {
            Some(Place::Line(l)) => d = d.at_line(l),
            Some(Place::Row(r)) => d = d.at_location(Location::TableRow(r)),
            Some(Place::Paragraph(n)) => d = d.at_location(Location::Paragraph(n)),
            None => {}
        }
        if let (Some(p), Some(n)) = (place, needle.filter(|n| !n.is_empty()))
            && let Some(span) = self.locate.span(p, n)
        {
            d = d.with_span(span);
        }
        self.diags.push(d);
    }

    pub fn error(&mut self, code: Code, m: Message, place: Option<Place>, needle: Option<&str>) {
        self.push(Diagnostic::error(code, m), place, needle);
    }

    pub fn warning(&mut self, code: Code, m: Message, place: Option<Place>, needle: Option<&str>) {
        self.push(Diagnostic::warning(code, m), place, needle);
    }
}

/// A file an item names, with the place that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub file: String,
    /// The alt of a photo, the title of an attachment.
    pub text: String,
    pub place: Option<Place>,
}

/// What the fields say, as far as they could be read.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub date: Option<NaiveDate>,
    /// A category slug.
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub requester: Requester,
    /// Set when the group is one of site.yaml's (or site.yaml lists none).
    pub group_ok: bool,
    pub cover: Option<(String, Option<Place>)>,
    /// `None` when the item lists no photos (a request then uses every
    /// photo of its folder).
    pub images: Option<Vec<FileRef>>,
    pub attachments: Option<Vec<FileRef>>,
    pub pinned: bool,
    pub pinned_until: Option<DateTime<FixedOffset>>,
    pub publish_at: Option<DateTime<FixedOffset>>,
    pub expires: Option<DateTime<FixedOffset>>,
    pub received: Option<DateTime<FixedOffset>>,
    pub accepted: Option<DateTime<FixedOffset>>,
    pub body: String,
}

impl Fields {
    /// The news item, when every required field is there and valid.
    /// `images`/`attachments` are the files as resolved by the caller.
    pub fn into_news(
        self,
        slug: String,
        images: Vec<Photo>,
        attachments: Vec<Attachment>,
        cover: Option<String>,
    ) -> Option<News> {
        Some(News {
            title: self.title?,
            slug,
            date: self.date?,
            category: self.category?,
            tags: self.tags,
            summary: self.summary,
            requester: self.requester,
            cover,
            images,
            attachments,
            pinned: self.pinned,
            pinned_until: self.pinned_until,
            publish_at: self.publish_at,
            expires: self.expires,
            received: self.received,
            accepted: self.accepted,
            body: self.body,
        })
    }
}

/// Reads and checks every field of `map`. `body` is the Markdown after the
/// front matter (or a Word document's text); `None` means the body is the
/// `body:` key (a `request.yaml`).
pub fn parse(
    map: &Mapping,
    body: Option<&str>,
    sink: &mut Sink,
    config: &SiteConfig,
    origin: Origin,
) -> Fields {
    let allowed: &[&str] = if body.is_some() {
        &KEYS[..KEYS.len() - 1]
    } else {
        KEYS
    };
    for (k, _) in map {
        let key = scalar(k).unwrap_or_default();
        // Written by khao before `accepted` had its name.
        if key == "published" && origin == Origin::Content {
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            let place = sink.locate.key(&key);
            unknown_key(sink, &key, allowed, place);
        }
    }
    let f = Reader {
        map,
        config,
        origin,
    };
    let mut out = Fields {
        title: f.text(sink, "title").filter(|s| !s.is_empty()),
        ..Fields::default()
    };
    if out.title.is_none() {
        missing(sink, "title", sink.locate.key("title"));
    }
    out.date = f.date(sink);
    out.slug = f.slug(sink);
    out.category = f.category(sink);
    out.tags = f.tags();
    out.summary = f.text(sink, "summary").filter(|s| !s.is_empty());
    (out.requester, out.group_ok) = f.requester(sink);
    out.images = f.files(sink, "images", "alt", IMAGE_KEYS);
    out.attachments = f.files(sink, "attachments", "title", ATTACHMENT_KEYS);
    if let Some(c) = f.text(sink, "cover").filter(|s| !s.is_empty()) {
        out.cover = Some((c, sink.locate.key("cover")));
    }
    out.pinned = match f.get("pinned") {
        Some(Value::Bool(b)) => *b,
        Some(v) => scalar(v).is_some_and(|s| matches!(s.as_str(), "ใช่" | "yes" | "true")),
        None => false,
    };
    out.pinned_until = f.instant(sink, "pinned_until");
    out.publish_at = f.instant(sink, "publish_at");
    out.expires = f.instant(sink, "expires");
    out.received = f.instant(sink, "received");
    out.accepted = f
        .instant(sink, "accepted")
        .or_else(|| f.instant(sink, "published"));
    date_order(sink, &out, config);
    out.body = match body {
        Some(b) => b.to_string(),
        None => f.get("body").and_then(scalar).unwrap_or_default(),
    };
    if origin == Origin::Request && is_blank_body(&out.body) {
        missing(sink, "body", sink.locate.body());
    }
    out
}

/// The fields of one mapping, read for [`parse`].
struct Reader<'a> {
    map: &'a Mapping,
    config: &'a SiteConfig,
    origin: Origin,
}

impl Reader<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(Value::String(k.to_string()))
    }

    /// A text field; a list or mapping where text belongs is `bad-value`.
    fn text(&self, sink: &mut Sink, k: &str) -> Option<String> {
        let v = self.get(k)?;
        let s = scalar(v);
        if s.is_none() {
            let m = Message::new("check.not_text").arg("key", k);
            sink.error(Code::BadValue, m, sink.locate.key(k), None);
        }
        s
    }

    fn date(&self, sink: &mut Sink) -> Option<NaiveDate> {
        let Some(s) = self.text(sink, "date").filter(|s| !s.is_empty()) else {
            missing(sink, "date", sink.locate.key("date"));
            return None;
        };
        let date = crate::thaidate::parse(&s).or_else(|| {
            let tz = self.config.tz();
            crate::thaidate::parse_instant(&s, tz).map(|t| t.with_timezone(&tz).date_naive())
        });
        if date.is_none() {
            let m = Message::new("check.bad_date").arg("value", &s);
            sink.error(Code::BadDate, m, sink.locate.key("date"), Some(&s));
        }
        date
    }

    fn instant(&self, sink: &mut Sink, k: &str) -> Option<DateTime<FixedOffset>> {
        let s = self.text(sink, k).filter(|s| !s.is_empty())?;
        let t = crate::thaidate::parse_instant(&s, self.config.tz());
        if t.is_none() {
            let m = Message::new("check.bad_instant")
                .arg("key", k)
                .arg("value", &s);
            sink.error(Code::BadDate, m, sink.locate.key(k), Some(&s));
        }
        t
    }

    fn slug(&self, sink: &mut Sink) -> Option<String> {
        let s = self.text(sink, "slug").filter(|s| !s.is_empty())?;
        if is_slug(&s) && s.len() > MAX_SLUG {
            let m = Message::new("check.long_slug")
                .arg("value", &s)
                .arg("max", MAX_SLUG);
            sink.error(Code::BadSlug, m, sink.locate.key("slug"), Some(&s));
            return None;
        }
        if is_slug(&s) {
            return Some(s);
        }
        let suggestion = slugify(&s).unwrap_or_else(|| "sports-day-2569".into());
        let m = Message::new("check.bad_slug")
            .arg("value", &s)
            .arg("suggest", suggestion);
        sink.error(Code::BadSlug, m, sink.locate.key("slug"), Some(&s));
        None
    }

    fn category(&self, sink: &mut Sink) -> Option<String> {
        let place = sink.locate.key("category");
        let Some(s) = self.text(sink, "category").filter(|s| !s.is_empty()) else {
            missing(sink, "category", place);
            return None;
        };
        if let Some(c) = self.config.category(&s) {
            return Some(c.slug.clone());
        }
        let categories = &self.config.news.categories;
        let names = categories
            .iter()
            .flat_map(|c| [c.slug.as_str(), c.name.as_str()]);
        let m = match nearest(&s, names) {
            Some(n) => Message::new("check.unknown_category_near").arg("near", n),
            None => {
                let list: Vec<String> = categories
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.slug))
                    .collect();
                Message::new("check.unknown_category").arg("list", list.join(", "))
            }
        };
        sink.error(Code::UnknownCategory, m.arg("value", &s), place, Some(&s));
        None
    }

    fn tags(&self) -> Vec<String> {
        match self.get("tags") {
            Some(Value::Sequence(seq)) => seq
                .iter()
                .filter_map(scalar)
                .filter(|s| !s.is_empty())
                .collect(),
            Some(v) => scalar(v)
                .map(|s| {
                    s.split([',', '，'])
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// The requester, and whether the group is one of the office's.
    fn requester(&self, sink: &mut Sink) -> (Requester, bool) {
        let required = self.origin == Origin::Request;
        let Some(Value::Mapping(m)) = self.get("requester") else {
            if required {
                missing(sink, "requester.group", sink.locate.key("requester"));
            }
            return (Requester::default(), !required);
        };
        for (k, _) in m {
            let key = scalar(k).unwrap_or_default();
            if !REQUESTER_KEYS.contains(&key.as_str()) {
                let place = sink.locate.nested("requester", &key);
                unknown_key(sink, &format!("requester.{key}"), REQUESTER_KEYS, place);
            }
        }
        let g = |k: &str| {
            m.get(Value::String(k.into()))
                .and_then(scalar)
                .unwrap_or_default()
        };
        let mut r = Requester {
            name: g("name"),
            group: g("group"),
            phone: g("phone"),
            email: g("email"),
        };
        let place = sink.locate.nested("requester", "group");
        if r.group.is_empty() {
            if required {
                missing(sink, "requester.group", place);
            }
            return (r, !required);
        }
        let groups = &self.config.groups;
        if groups.is_empty() {
            return (r, true);
        }
        // Written with a hidden character or the other sara am: the
        // office's spelling is kept (the report counts by it).
        if let Some(known) = self.config.group(&r.group) {
            r.group = known.to_string();
            return (r, true);
        }
        let m = match nearest(&r.group, groups.iter().map(String::as_str)) {
            Some(n) => Message::new("check.unknown_group_near").arg("near", n),
            None => Message::new("check.unknown_group").arg("list", groups.join(", ")),
        };
        let m = m.arg("value", &r.group);
        let needle = r.group.clone();
        if required {
            sink.error(Code::UnknownGroup, m, place, Some(&needle));
        } else {
            sink.warning(Code::UnknownGroup, m, place, Some(&needle));
        }
        (r, false)
    }

    /// A list of files (`images`, `attachments`): `- name.jpg` or
    /// `- { file: name.jpg, alt: ... }`.
    fn files(
        &self,
        sink: &mut Sink,
        key: &str,
        text_key: &str,
        keys: &[&str],
    ) -> Option<Vec<FileRef>> {
        let items: Vec<Value> = match self.get(key) {
            None | Some(Value::Null) => return None,
            Some(Value::Sequence(s)) if s.is_empty() => return None,
            Some(Value::Sequence(s)) => s.clone(),
            Some(other) => vec![other.clone()],
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(r) = file_ref(sink, item, key, text_key, keys) {
                out.push(r);
            }
        }
        Some(out)
    }
}

fn file_ref(
    sink: &mut Sink,
    item: Value,
    key: &str,
    text_key: &str,
    keys: &[&str],
) -> Option<FileRef> {
    let Value::Mapping(m) = item else {
        let Some(file) = scalar(&item).filter(|s| !s.is_empty()) else {
            let m = Message::new("check.not_text").arg("key", key);
            sink.error(Code::BadValue, m, sink.locate.key(key), None);
            return None;
        };
        let place = sink.locate.item(key, &file);
        return Some(FileRef {
            file,
            text: String::new(),
            place,
        });
    };
    let get = |k: &str| {
        m.get(Value::String(k.into()))
            .and_then(scalar)
            .unwrap_or_default()
    };
    let file = get("file");
    let place = if file.is_empty() {
        sink.locate.key(key)
    } else {
        sink.locate.item(key, &file)
    };
    for (k, _) in &m {
        let name = scalar(k).unwrap_or_default();
        if !keys.contains(&name.as_str()) {
            unknown_key(sink, &format!("{key}.{name}"), keys, place);
        }
    }
    if file.is_empty() {
        let m = Message::new("check.missing.file").arg("list", key);
        sink.error(Code::MissingField, m, place, None);
        return None;
    }
    Some(FileRef {
        file,
        text: get(text_key),
        place,
    })
}

/// `expires` before `date`, or `publish_at` after `expires`: a warning
/// that says which, since the item would never (or only briefly) show.
fn date_order(sink: &mut Sink, f: &Fields, config: &SiteConfig) {
    let tz = config.tz();
    if let (Some(date), Some(expires)) = (f.date, f.expires)
        && expires.with_timezone(&tz).date_naive() < date
    {
        let m = Message::new("check.expires_before_date");
        sink.warning(Code::DateOrder, m, sink.locate.key("expires"), None);
    }
    if let (Some(at), Some(expires)) = (f.publish_at, f.expires)
        && at >= expires
    {
        let m = Message::new("check.publish_after_expires");
        sink.warning(Code::DateOrder, m, sink.locate.key("publish_at"), None);
    }
}

/// A scalar as text; `None` for a list or mapping.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.trim().to_string()),
        Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// A body with nothing but whitespace and HTML comments (the template's
/// hints) is empty.
pub fn is_blank_body(body: &str) -> bool {
    let mut rest = body;
    while let Some(i) = rest.find("<!--") {
        if !rest[..i].trim().is_empty() {
            return false;
        }
        match rest[i..].find("-->") {
            Some(j) => rest = &rest[i + j + 3..],
            None => return true,
        }
    }
    rest.trim().is_empty()
}

fn missing(sink: &mut Sink, field: &str, place: Option<Place>) {
    let key = format!("check.missing.{}", field.replace('.', "_"));
    sink.error(
        Code::MissingField,
        Message::new(&key).arg("field", field),
        place,
        None,
    );
}

fn unknown_key(sink: &mut Sink, key: &str, known: &[&str], place: Option<Place>) {
    let last = key.rsplit('.').next().unwrap_or(key);
    // The Word form's Thai label (`หัวข้อ:`) typed into a Markdown text.
    // Inside `requester:` the key is its last part (`name`).
    let thai = match crate::docx::match_label(last) {
        crate::docx::LabelMatch::Known(k) if !last.is_ascii() => match key.contains('.') {
            true => k.rsplit('.').next(),
            false => Some(k),
        },
        _ => None,
    };
    let m = match (thai, nearest(last, known.iter().copied())) {
        (Some(k), _) => Message::new("check.thai_field_name").arg("near", k),
        (None, Some(n)) => Message::new("check.unknown_field_near").arg("near", n),
        (None, None) => Message::new("check.unknown_field").arg("known", known.join(", ")),
    };
    sink.warning(Code::UnknownField, m.arg("key", key), place, Some(last));
}

/// The longest slug: it names the news item's folders and web address, and
/// the file systems under them allow 255 bytes a name, with room left for
/// the temporary names made while copying.
pub const MAX_SLUG: usize = 80;

/// A slug from a name, when the name is ASCII and the slug no longer than
/// [`MAX_SLUG`]: lower case, spaces and underscores as `-`.
pub fn slugify(name: &str) -> Option<String> {
    if !name.is_ascii() {
        return None;
    }
    let mut s = String::new();
    for c in name.trim().chars() {
        match c {
            'a'..='z' | '0'..='9' => s.push(c),
            'A'..='Z' => s.push(c.to_ascii_lowercase()),
            ' ' | '_' | '-' | '.' => {
                if !s.ends_with('-') {
                    s.push('-');
                }
            }
            _ => return None,
        }
    }
    let s = s.trim_matches('-').to_string();
    (is_slug(&s) && s.len() <= MAX_SLUG).then_some(s)
}

/// The slug of an item that names none: its folder (or file) name when
/// that is ASCII, else the date and a short id that stays the same for the
/// same name. Not a name holding a national ID (staff name a folder after
/// the person it is about): the address would publish it.
pub fn default_slug(name: &str, date: NaiveDate) -> String {
    let named = slugify(name).filter(|s| crate::news::personal_id::find(s).is_empty());
    named.unwrap_or_else(|| {
        let h = blake3::hash(name.as_bytes()).to_hex();
        format!("{}-{}", date.format("%Y-%m-%d"), &h[..6])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::yaml::{YamlLines, mapping, split};
    use std::path::Path;

    fn config() -> SiteConfig {
        SiteConfig::parse(
            "title: t\nbase_url: https://x.go.th/\ngroups: [กลุ่มอำนวยการ]\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\n",
            Path::new("site.yaml"),
        )
        .unwrap()
    }

    fn read(text: &str, origin: Origin) -> (Fields, Vec<Diagnostic>) {
        let s = split(text).unwrap();
        let map = mapping(text, s).unwrap();
        let lines = YamlLines { text, split: s };
        let mut sink = Sink {
            file: "ข่าว.md".into(),
            locate: &lines,
            diags: Vec::new(),
        };
        let body = &text[s.body.unwrap()..];
        let f = parse(&map, Some(body), &mut sink, &config(), origin);
        (f, sink.diags)
    }

    #[test]
    fn a_complete_request_keeps_every_requester_field() {
        let (f, d) = read(
            "---\ntitle: ข่าว\ndate: 20/11/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: { name: ก, group: กลุ่มอำนวยการ, phone: 077-000000, email: a@x.go.th }\npublish_at: 1/12/2569 08:00\n---\nเนื้อหา\n",
            Origin::Request,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.requester.phone, "077-000000");
        assert_eq!(f.requester.email, "a@x.go.th");
        assert_eq!(f.category.as_deref(), Some("pr"));
        assert_eq!(
            f.publish_at.unwrap().to_rfc3339(),
            "2026-12-01T08:00:00+07:00"
        );
    }

    #[test]
    fn a_category_or_group_typed_with_hidden_characters_is_the_offices() {
        let (f, d) = read(
            "---\ntitle: ข่าว\ndate: 20/11/2569\ncategory: ข่าวประชาสัมพันธ์\u{200B}\nrequester: { name: ก, group: กลุ่มอ\u{0E4D}\u{0E32}นวยการ }\n---\nเนื้อหา\n",
            Origin::Request,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.category.as_deref(), Some("pr"));
        // Kept as the office spells it: the report counts by it.
        assert_eq!(f.requester.group, "กลุ่มอำนวยการ");
    }

    #[test]
    fn a_thai_label_is_told_its_english_key() {
        let (_, d) = read(
            "---\nหัวข้อ: ข่าว\ndate: 20/11/2569\ncategory: pr\nrequester: { name: ก, group: กลุ่มอำนวยการ }\n---\nเนื้อหา\n",
            Origin::Request,
        );
        let shown = format!("{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>());
        assert!(
            shown.contains("check.thai_field_name") && shown.contains("title"),
            "{shown}"
        );
    }

    #[test]
    fn every_problem_at_its_line() {
        let (_, d) = read(
            "---\ntitel: x\ndate: 31/4/2569\ncategory: ข่าวประชาสัมพันธ\nrequester: { group: กลุ่มอำนวยกา }\nexpires: 1/1/2569\n---\n\n",
            Origin::Request,
        );
        let got: Vec<(Code, Option<usize>)> = d.iter().map(|d| (d.code, d.line)).collect();
        for want in [
            (Code::UnknownField, Some(2)),
            (Code::MissingField, None),
            (Code::BadDate, Some(3)),
            (Code::UnknownCategory, Some(4)),
            (Code::UnknownGroup, Some(5)),
        ] {
            assert!(got.contains(&want), "{want:?} not in {got:?}");
        }
        assert!(got.iter().filter(|g| g.0 == Code::MissingField).count() >= 2);
    }

    #[test]
    fn content_may_go_without_a_requester_and_warns_of_date_order() {
        let (f, d) = read(
            "---\ntitle: ข่าว\ndate: 2026-11-20\ncategory: pr\nexpires: 2026-11-01\npublished: 2026-11-20T10:00:00+07:00\n---\n",
            Origin::Content,
        );
        let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::DateOrder]);
        assert!(f.accepted.is_some());
    }

    #[test]
    fn slugs_and_blank_bodies() {
        assert_eq!(
            slugify("Sports Day 2569").as_deref(),
            Some("sports-day-2569")
        );
        assert_eq!(slugify("กีฬาสี"), None);
        let date = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let slug = default_slug("5101400456711", date);
        assert!(
            slug.starts_with("2026-11-29-"),
            "a national ID is no address: {slug}"
        );
        assert_eq!(slugify("a/b"), None);
        assert!(is_blank_body("\n<!-- เขียนเนื้อหา -->\n  \n"));
        assert!(!is_blank_body("<!-- x -->\nข่าว"));
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert!(default_slug("กีฬาสี", d).starts_with("2026-11-20-"));
        // A folder name too long for a slug gives the date-and-id one.
        let long = "n".repeat(MAX_SLUG + 1);
        assert_eq!(slugify(&long), None);
        assert!(default_slug(&long, d).starts_with("2026-11-20-"));
        assert_eq!(slugify(&long[1..]).map(|s| s.len()), Some(MAX_SLUG));
    }

    #[test]
    fn a_slug_given_too_long_is_an_error() {
        let long = "n".repeat(MAX_SLUG + 1);
        let text =
            format!("---\ntitle: t\ndate: 2026-11-20\ncategory: pr\nslug: {long}\n---\nข่าว\n");
        let (fields, diags) = read(&text, Origin::Content);
        assert_eq!(fields.slug, None);
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::BadSlug]);
        assert_eq!(diags[0].line, Some(5));
    }
}
