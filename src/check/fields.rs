//! The request's YAML fields: parsed leniently into a [`Draft`], every
//! problem reported at the line of its key.

use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};

use crate::config::{SiteConfig, is_slug, nearest};
use crate::content::{AttachmentRef, PhotoRef};
use crate::diagnostic::Diagnostic;
use crate::i18n::{Lang, tr};
use crate::request::{Request, line_of, line_start};

/// The keys a request may have.
pub const KNOWN_KEYS: [&str; 12] = [
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
    "body",
];
const REQUESTER_KEYS: [&str; 4] = ["name", "group", "phone", "email"];
const IMAGE_KEYS: [&str; 2] = ["file", "alt"];
const ATTACHMENT_KEYS: [&str; 2] = ["file", "title"];

/// A file a request names, with the line that names it.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub file: String,
    /// alt for a photo, title for an attachment.
    pub text: String,
    /// Whether `text` was given.
    pub has_text: bool,
    pub line: Option<usize>,
}

/// What the fields say, as far as they could be read.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub date: Option<NaiveDate>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub requester_name: String,
    pub requester_group: Option<String>,
    pub cover: Option<(String, Option<usize>)>,
    /// `None` when the request lists no photos (then every photo of the
    /// folder is used).
    pub images: Option<Vec<FileRef>>,
    pub attachments: Option<Vec<FileRef>>,
    pub pinned: bool,
    pub body: String,
    /// Byte offset of the body in the text, and whether that offset is exact.
    pub body_offset: Option<usize>,
}

/// A request ready to become a news item.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub slug: String,
    pub date: NaiveDate,
    /// Category slug.
    pub category: String,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub requester_name: String,
    pub requester_group: String,
    pub cover: Option<String>,
    pub images: Vec<PhotoRef>,
    pub attachments: Vec<AttachmentRef>,
    pub pinned: bool,
    pub body: String,
}

/// Collects diagnostics with the request's file and lines.
pub struct Sink<'a> {
    pub req: &'a Request,
    pub lang: Lang,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn push(&mut self, d: Diagnostic, line: Option<usize>, needle: Option<&str>) {
        let mut d = d.in_file(self.req.text_file.clone());
        if let Some(l) = line {
            d = d.at_line(l);
            if let Some(n) = needle.filter(|n| !n.is_empty()) {
                let start = line_start(&self.req.text, l);
                let end = self.req.text[start..]
                    .find('\n')
                    .map(|e| start + e)
                    .unwrap_or(self.req.text.len());
                if let Some(i) = self.req.text[start..end].find(n) {
                    d = d.with_span(start + i..start + i + n.len());
                }
            }
        }
        self.diags.push(d);
    }

    pub fn error(
        &mut self,
        code: &'static str,
        key: &str,
        args: &[(&str, &str)],
        line: Option<usize>,
        needle: Option<&str>,
    ) {
        let d = Diagnostic::error(code, tr(self.lang, key, args));
        self.push(d, line, needle);
    }

    pub fn warning(
        &mut self,
        code: &'static str,
        key: &str,
        args: &[(&str, &str)],
        line: Option<usize>,
        needle: Option<&str>,
    ) {
        let d = Diagnostic::warning(code, tr(self.lang, key, args));
        self.push(d, line, needle);
    }

    /// Line (in the whole text) of a top-level key.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        let yaml = self.req.yaml();
        let first = line_of(&self.req.text, self.req.yaml_start);
        yaml.lines()
            .position(|l| is_key_line(l, key, false))
            .map(|i| first + i)
    }

    /// Line of `key` nested under the top-level `parent` (inline or indented).
    pub fn nested_line(&self, parent: &str, key: &str) -> Option<usize> {
        let p = self.key_line(parent)?;
        let text = &self.req.text;
        let lines: Vec<&str> = text[line_start(text, p)..].lines().collect();
        if lines
            .first()
            .is_some_and(|l| l.contains(&format!("{key}:")))
        {
            return Some(p);
        }
        for (i, l) in lines.iter().enumerate().skip(1) {
            if !(l.starts_with(' ')
                || l.starts_with('\t')
                || l.starts_with('-')
                || l.trim().is_empty())
            {
                break;
            }
            if is_key_line(l, key, true) || l.contains(&format!("{key}:")) {
                return Some(p + i);
            }
        }
        Some(p)
    }

    /// The first line at or after the top-level `parent` key that contains `needle`.
    pub fn line_with(&self, parent: &str, needle: &str) -> Option<usize> {
        let p = self.key_line(parent)?;
        let text = &self.req.text;
        let end = line_of(text, self.req.yaml_end);
        text[line_start(text, p)..]
            .lines()
            .take(end.saturating_sub(p) + 1)
            .position(|l| l.contains(needle))
            .map(|i| p + i)
            .or(Some(p))
    }
}

fn is_key_line(line: &str, key: &str, nested: bool) -> bool {
    let l = if nested {
        line.trim_start().trim_start_matches('-').trim_start()
    } else {
        line
    };
    let l = l.trim_start_matches(['"', '\'']);
    l.strip_prefix(key)
        .map(|rest| {
            rest.trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with(':')
        })
        .unwrap_or(false)
}

/// A scalar as text; `None` for a list or mapping.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.trim().to_string()),
        Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// Parses the YAML and checks every field. `None` when the YAML itself does
/// not parse (a `yaml-syntax` diagnostic is then in the sink).
pub fn parse(sink: &mut Sink, config: &SiteConfig) -> Option<Fields> {
    let req = sink.req;
    let lang = sink.lang;
    let yaml = req.yaml();
    let first_line = line_of(&req.text, req.yaml_start);
    let value: Value = match serde_yaml::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let (line, col) = e
                .location()
                .map(|l| (first_line + l.line() - 1, l.column()))
                .unwrap_or((first_line, 1));
            let raw = e.to_string();
            let detail = raw.split(" at line ").next().unwrap_or(&raw).to_string();
            let d = Diagnostic::error(
                "yaml-syntax",
                tr(lang, "check.yaml_syntax", &[("error", &detail)]),
            )
            .in_file(req.text_file.clone())
            .at(line, col);
            let start = line_start(&req.text, line);
            let end = req.text[start..]
                .find('\n')
                .map(|e| start + e)
                .unwrap_or(req.text.len());
            let d = if end > start {
                d.with_span(start..end)
            } else {
                d
            };
            sink.diags.push(d);
            return None;
        }
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => Mapping::new(),
        _ => {
            sink.error(
                "yaml-syntax",
                "check.yaml_not_mapping",
                &[],
                Some(first_line),
                None,
            );
            return None;
        }
    };
    let mut f = Fields::default();
    let allowed: &[&str] = if req.yaml_only {
        &KNOWN_KEYS
    } else {
        &KNOWN_KEYS[..11]
    };
    for (k, _) in &map {
        let key = scalar(k).unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            unknown_key(sink, &key, allowed, sink.key_line(&key));
        }
    }
    let get = |k: &str| map.get(Value::String(k.to_string()));
    let text_field = |sink: &mut Sink, k: &str| -> Option<String> {
        let v = get(k)?;
        match scalar(v) {
            Some(s) => Some(s),
            None => {
                sink.error(
                    "bad-value",
                    "check.not_text",
                    &[("key", k)],
                    sink.key_line(k),
                    None,
                );
                None
            }
        }
    };

    // title
    f.title = text_field(sink, "title").filter(|s| !s.is_empty());
    if f.title.is_none() {
        missing(sink, "title", sink.key_line("title"));
    }
    // date
    match text_field(sink, "date").filter(|s| !s.is_empty()) {
        None => missing(sink, "date", sink.key_line("date")),
        Some(s) => match crate::thaidate::parse(&s) {
            Some(d) => f.date = Some(d),
            None => sink.error(
                "bad-date",
                "check.bad_date",
                &[("value", &s)],
                sink.key_line("date"),
                Some(&s),
            ),
        },
    }
    // slug
    if let Some(s) = text_field(sink, "slug").filter(|s| !s.is_empty()) {
        if is_slug(&s) {
            f.slug = Some(s);
        } else {
            let suggestion = slugify(&s).unwrap_or_else(|| "sports-day-2569".into());
            sink.error(
                "bad-slug",
                "check.bad_slug",
                &[("value", &s), ("suggest", &suggestion)],
                sink.key_line("slug"),
                Some(&s),
            );
        }
    }
    // category
    match text_field(sink, "category").filter(|s| !s.is_empty()) {
        None => missing(sink, "category", sink.key_line("category")),
        Some(s) => match config.category(&s) {
            Some(c) => f.category = Some(c.slug.clone()),
            None => {
                let names: Vec<&str> = config
                    .news
                    .categories
                    .iter()
                    .flat_map(|c| [c.slug.as_str(), c.name.as_str()])
                    .collect();
                let list: Vec<String> = config
                    .news
                    .categories
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.slug))
                    .collect();
                let line = sink.key_line("category");
                match nearest(&s, names.iter().copied()) {
                    Some(n) => sink.error(
                        "unknown-category",
                        "check.unknown_category_near",
                        &[("value", &s), ("near", n)],
                        line,
                        Some(&s),
                    ),
                    None => sink.error(
                        "unknown-category",
                        "check.unknown_category",
                        &[("value", &s), ("list", &list.join(", "))],
                        line,
                        Some(&s),
                    ),
                }
            }
        },
    }
    // tags
    match get("tags") {
        Some(Value::Sequence(seq)) => {
            f.tags = seq
                .iter()
                .filter_map(scalar)
                .filter(|s| !s.is_empty())
                .collect()
        }
        Some(v) => {
            if let Some(s) = scalar(v) {
                f.tags = s
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
            }
        }
        None => {}
    }
    f.summary = text_field(sink, "summary").filter(|s| !s.is_empty());
    // requester
    match get("requester") {
        Some(Value::Mapping(m)) => {
            for (k, _) in m {
                let key = scalar(k).unwrap_or_default();
                if !REQUESTER_KEYS.contains(&key.as_str()) {
                    let line = sink.nested_line("requester", &key);
                    unknown_key(sink, &format!("requester.{key}"), &REQUESTER_KEYS, line);
                }
            }
            let g = |k: &str| {
                m.get(Value::String(k.into()))
                    .and_then(scalar)
                    .unwrap_or_default()
            };
            f.requester_name = g("name");
            let group = g("group");
            if group.is_empty() {
                missing(
                    sink,
                    "requester.group",
                    sink.nested_line("requester", "group"),
                );
            } else if config.groups.is_empty() || config.groups.iter().any(|x| x.trim() == group) {
                f.requester_group = Some(group);
            } else {
                let line = sink.nested_line("requester", "group");
                match nearest(&group, config.groups.iter().map(String::as_str)) {
                    Some(n) => sink.error(
                        "unknown-group",
                        "check.unknown_group_near",
                        &[("value", &group), ("near", n)],
                        line,
                        Some(&group),
                    ),
                    None => sink.error(
                        "unknown-group",
                        "check.unknown_group",
                        &[("value", &group), ("list", &config.groups.join(", "))],
                        line,
                        Some(&group),
                    ),
                }
            }
        }
        _ => missing(sink, "requester.group", sink.key_line("requester")),
    }
    // photos and attachments
    f.images = file_list(sink, get("images"), "images", "alt", &IMAGE_KEYS);
    f.attachments = file_list(
        sink,
        get("attachments"),
        "attachments",
        "title",
        &ATTACHMENT_KEYS,
    );
    if let Some(c) = text_field(sink, "cover").filter(|s| !s.is_empty()) {
        f.cover = Some((c, sink.key_line("cover")));
    }
    f.pinned = matches!(get("pinned"), Some(Value::Bool(true)));
    // body
    if req.yaml_only {
        f.body = get("body").and_then(scalar).unwrap_or_default();
        f.body_offset = sink.key_line("body").map(|l| line_start(&req.text, l + 1));
    } else if let Some(b) = req.body_start {
        f.body = req.text[b..].to_string();
        f.body_offset = Some(b);
    }
    if is_blank_body(&f.body) {
        let line = if req.yaml_only {
            sink.key_line("body")
        } else {
            req.body_start.map(|b| line_of(&req.text, b))
        };
        missing(sink, "body", line);
    }
    Some(f)
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

fn missing(sink: &mut Sink, field: &str, line: Option<usize>) {
    let key = format!("check.missing.{}", field.replace('.', "_"));
    sink.error("missing-field", &key, &[("field", field)], line, None);
}

fn unknown_key(sink: &mut Sink, key: &str, known: &[&str], line: Option<usize>) {
    let last = key.rsplit('.').next().unwrap_or(key);
    match nearest(last, known.iter().copied()) {
        Some(n) => sink.warning(
            "unknown-field",
            "check.unknown_field_near",
            &[("key", key), ("near", n)],
            line,
            Some(last),
        ),
        None => sink.warning(
            "unknown-field",
            "check.unknown_field",
            &[("key", key), ("known", &known.join(", "))],
            line,
            Some(last),
        ),
    }
}

fn file_list(
    sink: &mut Sink,
    v: Option<&Value>,
    key: &str,
    text_key: &str,
    keys: &[&str],
) -> Option<Vec<FileRef>> {
    let items: Vec<Value> = match v {
        None | Some(Value::Null) => return None,
        Some(Value::Sequence(s)) if s.is_empty() => return None,
        Some(Value::Sequence(s)) => s.clone(),
        Some(other) => vec![other.clone()],
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Mapping(m) => {
                let file = m
                    .get(Value::String("file".into()))
                    .and_then(scalar)
                    .unwrap_or_default();
                let line = if file.is_empty() {
                    sink.key_line(key)
                } else {
                    sink.line_with(key, &file)
                };
                for (k, _) in &m {
                    let name = scalar(k).unwrap_or_default();
                    if !keys.contains(&name.as_str()) {
                        unknown_key(sink, &format!("{key}.{name}"), keys, line);
                    }
                }
                if file.is_empty() {
                    sink.error(
                        "missing-field",
                        "check.missing.file",
                        &[("list", key)],
                        line,
                        None,
                    );
                    continue;
                }
                let text = m
                    .get(Value::String(text_key.into()))
                    .and_then(scalar)
                    .unwrap_or_default();
                out.push(FileRef {
                    has_text: !text.is_empty(),
                    file,
                    text,
                    line,
                });
            }
            other => match scalar(&other).filter(|s| !s.is_empty()) {
                Some(file) => {
                    let line = sink.line_with(key, &file);
                    out.push(FileRef {
                        file,
                        text: String::new(),
                        has_text: false,
                        line,
                    });
                }
                None => sink.error(
                    "bad-value",
                    "check.not_text",
                    &[("key", key)],
                    sink.key_line(key),
                    None,
                ),
            },
        }
    }
    Some(out)
}

/// A slug from a name, when the name is ASCII: lower case, spaces and
/// underscores as `-`.
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
    is_slug(&s).then_some(s)
}

/// The default slug: the folder (or file) name when it is ASCII, else the
/// date and a short id that stays the same for the same name.
pub fn default_slug(req: &Request, date: NaiveDate) -> String {
    let base = if req.is_dir {
        req.name.clone()
    } else {
        std::path::Path::new(&req.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    slugify(&base).unwrap_or_else(|| {
        let h = blake3::hash(base.as_bytes()).to_hex();
        format!("{}-{}", date.format("%Y-%m-%d"), &h[..6])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(
            slugify("Sports Day 2569").as_deref(),
            Some("sports-day-2569")
        );
        assert_eq!(slugify("กีฬาสี"), None);
        assert_eq!(slugify("a/b"), None);
    }

    #[test]
    fn blank_bodies() {
        assert!(is_blank_body("\n<!-- เขียนเนื้อหา -->\n  \n"));
        assert!(!is_blank_body("<!-- x -->\nข่าว"));
    }

    #[test]
    fn key_lines() {
        assert!(is_key_line("title: x", "title", false));
        assert!(!is_key_line("  title: x", "title", false));
        assert!(is_key_line("  - group: x", "group", true));
        assert!(!is_key_line("titles: x", "title", false));
    }
}
