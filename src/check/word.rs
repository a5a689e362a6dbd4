//! A request written in Word: its fields table read into the one news
//! schema (so every field gets every check a Markdown request gets), each
//! problem placed at its table row or paragraph, its body checked like
//! any body, and each picture in it a news photo checked like any photo.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use serde_yaml::{Mapping, Value};

use super::{Read, files, html, media};
use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::docx::{Document, Finding};
use crate::i18n::Message;
use crate::news::personal_id;
use crate::news::{self, Locate, Origin, Photo, Place, Sink};
use crate::plumbing::paths;
use crate::request::Request;

/// Where each key of a Word request was written.
struct Places<'d> {
    rows: HashMap<&'static str, usize>,
    doc: &'d Document,
}

impl Locate for Places<'_> {
    fn key(&self, key: &str) -> Option<Place> {
        self.rows.get(key).map(|r| Place::Row(*r))
    }

    fn nested(&self, parent: &str, key: &str) -> Option<Place> {
        self.key(&format!("{parent}.{key}"))
    }

    fn item(&self, parent: &str, _needle: &str) -> Option<Place> {
        self.key(parent)
    }

    fn body(&self) -> Option<Place> {
        self.doc
            .body_lines
            .first()
            .or(self.doc.fields_table.as_ref())
            .map(|p| Place::Paragraph(*p))
    }
}

/// Checks a Word request on `today`; `None` skips reading its photos and
/// judging its date.
pub(super) fn check(
    req: &Request,
    doc: &Document,
    config: &SiteConfig,
    site_dir: &Path,
    today: Option<NaiveDate>,
) -> Read {
    let places = Places {
        rows: doc.fields.iter().map(|f| (f.key, f.row)).collect(),
        doc,
    };
    let mut sink = Sink {
        file: req.text_file.clone(),
        locate: &places,
        diags: Vec::new(),
    };
    for u in &doc.unknown_labels {
        let m = match u.nearest {
            Some(n) => Message::new("check.unknown_label_near").arg("near", n),
            None => Message::new("check.unknown_label").arg("known", known_labels()),
        };
        let m = m.arg("label", &u.label);
        sink.warning(Code::UnknownField, m, Some(Place::Row(u.row)), None);
    }
    for f in &doc.fields {
        if !personal_id::find(&f.value).is_empty() {
            let m = Message::new("check.personal_id");
            sink.error(Code::PersonalId, m, Some(Place::Row(f.row)), None);
        }
    }
    let body = demote_headings(&doc.body);
    // A number the text shows split by bold or italic (Markdown marks
    // here) as well as one written plainly.
    let hidden = personal_id::hidden_by_markup(&body, personal_id::find).into_iter();
    for r in personal_id::find(&body)
        .into_iter()
        .chain(hidden.map(|(block, _)| block))
    {
        let m = Message::new("check.personal_id");
        sink.error(
            Code::PersonalId,
            m,
            Some(paragraph_of(doc, &body, r.start)),
            None,
        );
        quote_last(&mut sink, &body, r.start);
    }
    for r in html::find(&body) {
        let shown: String = body[r.clone()].chars().take(40).collect();
        let m = Message::new("check.unsafe_html").arg("html", shown);
        sink.error(
            Code::UnsafeHtml,
            m,
            Some(paragraph_of(doc, &body, r.start)),
            None,
        );
        quote_last(&mut sink, &body, r.start);
    }
    findings(&mut sink, doc);
    let fields = news::parse(
        &mapping(doc),
        Some(&body),
        &mut sink,
        config,
        Origin::Request,
    );
    if let Some(today) = today {
        super::dates::check(&mut sink, &fields, today);
    }
    in_the_forms_words(&mut sink.diags);
    super::phones_in_fields(&mut sink, &fields);
    for r in crate::news::phone::find(&body) {
        let number = &body[r.clone()];
        let place = paragraph_of(doc, &body, r.start);
        sink.push(super::personal_phone(number), Some(place), None);
        quote_last(&mut sink, &body, r.start);
    }
    let media = today.is_some();
    let mut resolved = media::check(&mut sink, req, &fields, config, site_dir, media);
    let pictures = pictures(&mut sink, doc, config, site_dir, media);
    if fields.cover.is_none()
        && let Some(first) = pictures.first()
    {
        resolved.cover = Some(first.file.clone());
    }
    resolved.images.splice(0..0, pictures);
    for d in &mut sink.diags {
        if let (Some(Location::Paragraph(n)), None) = (d.location, &d.quote) {
            d.quote = paragraph_words(doc, n);
        }
    }
    Read {
        fields,
        resolved,
        diagnostics: sink.diags,
    }
}

/// A missing field told as the Word form has it: the table's row by its
/// Thai label, the body below the table (the Markdown form's advice, a
/// `title:` line to add, means nothing in Word).
fn in_the_forms_words(diags: &mut [Diagnostic]) {
    for d in diags.iter_mut().filter(|d| d.code == Code::MissingField) {
        let Some(field) = d.message.key.strip_prefix("check.missing.") else {
            continue;
        };
        d.message = match field {
            "body" => Message::new("check.word_missing_body"),
            _ => {
                let key = field.replacen('_', ".", 1);
                match crate::docx::FIELDS.iter().find(|f| f.key == key) {
                    Some(f) => Message::new("check.word_missing").arg("label", f.thai),
                    None => continue,
                }
            }
        };
    }
}

/// The fields table as the YAML mapping a Markdown request would have:
/// `requester.group` under `requester`, the first row of a key winning.
fn mapping(doc: &Document) -> Mapping {
    let mut map = Mapping::new();
    let mut requester = Mapping::new();
    for f in &doc.fields {
        let value = Value::String(f.value.trim().to_string());
        match f.key.split_once('.') {
            Some((_, sub)) => {
                requester.entry(Value::String(sub.into())).or_insert(value);
            }
            None => {
                map.entry(Value::String(f.key.into())).or_insert(value);
            }
        }
    }
    if !requester.is_empty() {
        map.insert(Value::String("requester".into()), Value::Mapping(requester));
    }
    map
}

/// Word's headings as sections of the news, under the page's own title
/// (the page's h1): the highest level the document uses becomes h2 and the
/// others follow it, so a document of Heading 2s alone does not skip a
/// level (h1 to h3), which screen readers announce as a missing section.
fn demote_headings(body: &str) -> String {
    let level = |line: &str| {
        let hashes = line.bytes().take_while(|b| *b == b'#').count();
        ((1..=6).contains(&hashes) && line.as_bytes().get(hashes) == Some(&b' ')).then_some(hashes)
    };
    let Some(top) = body.lines().filter_map(level).min() else {
        return body.to_string();
    };
    let mut out = String::with_capacity(body.len() + 16);
    for line in body.split_inclusive('\n') {
        match level(line) {
            Some(n) => {
                let to = (n + 2 - top).min(6);
                out.push_str(&"#".repeat(to));
                out.push_str(&line[n..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The first words of body paragraph `n` as Word shows them, when one
/// line of the body holds it (a table's rows share their paragraph: the
/// row is quoted where the problem's offset is known, see [`quote_at`]).
fn paragraph_words(doc: &Document, n: usize) -> Option<String> {
    let mut lines = (doc.body_lines.iter().enumerate()).filter(|&(_, &p)| p == n);
    let (i, _) = lines.next()?;
    let line = doc.body.lines().nth(i)?;
    let blank =
        |(j, _): (usize, &usize)| doc.body.lines().nth(j).is_none_or(|l| l.trim().is_empty());
    lines.all(blank).then(|| words_of(line)).flatten()
}

/// The first words of the body line holding byte `offset`.
fn quote_at(body: &str, offset: usize) -> Option<String> {
    let line = crate::plumbing::text::line_of(body, offset);
    words_of(&body[crate::plumbing::text::line_range(body, line)])
}

/// A line of the body as Word shows it, its first words: Markdown marks
/// and personal numbers left out.
fn words_of(line: &str) -> Option<String> {
    let mut text = line
        .trim_start_matches(['#', '>', ' ', '-', '*', '|'])
        .replace(['*', '_', '|', '`'], " ");
    let numbers = personal_id::find(&text).into_iter();
    let mut hide: Vec<_> = numbers.chain(crate::news::phone::find(&text)).collect();
    hide.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in hide {
        if r.end <= text.len() {
            text.replace_range(r, "…");
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: String = text.chars().take(40).collect();
    match words.len() < text.len() {
        true => Some(format!("{}…", words.trim_end())),
        false if words.is_empty() => None,
        false => Some(words),
    }
}

/// Quotes the line of byte `offset` of the body in the diagnostic just
/// pushed.
fn quote_last(sink: &mut Sink, body: &str, offset: usize) {
    if let Some(d) = sink.diags.last_mut() {
        d.quote = quote_at(body, offset);
    }
}

/// The paragraph a byte of the body came from.
fn paragraph_of(doc: &Document, body: &str, offset: usize) -> Place {
    let line = crate::plumbing::text::line_of(body, offset);
    let n = doc
        .body_lines
        .get(line.saturating_sub(1))
        .or(doc.body_lines.last())
        .copied()
        .unwrap_or(1);
    Place::Paragraph(n)
}

/// What the reader found inside the document.
fn findings(sink: &mut Sink, doc: &Document) {
    for f in &doc.findings {
        let at = Some(Place::Paragraph(f.paragraph()));
        match f {
            Finding::UnsafeLink { url, .. } => {
                let shown: String = url.chars().take(40).collect();
                let m = Message::new("check.unsafe_html").arg("html", shown);
                sink.error(Code::UnsafeHtml, m, at, None);
            }
            Finding::LocalLink { url, .. } => {
                let m = Message::new("check.word_local_link").arg("url", url);
                sink.error(Code::UnsafePath, m, at, None);
            }
            Finding::VectorPicture { file_name, .. } => {
                let m = Message::new("check.word_vector_picture").arg("file", file_name);
                sink.error(Code::BadImage, m, at, None);
            }
            Finding::MissingPicture { .. } => {
                let m = Message::new("check.word_missing_picture");
                sink.error(Code::MissingFile, m, at, None);
            }
            Finding::PictureBeforeFields { .. } => {
                let m = Message::new("check.word_picture_before_fields");
                sink.warning(Code::UnusedFile, m, at, None);
            }
            Finding::HiddenText { .. } => {
                let m = Message::new("check.word_hidden_text");
                sink.warning(Code::UnusedFile, m, at, None);
            }
            Finding::Unsupported {
                what: "footnote", ..
            } => {
                let m = Message::new("check.word_footnote");
                sink.warning(Code::UnusedFile, m, at, None);
            }
            Finding::Unsupported { what, .. } => {
                let what = Message::new(&format!("check.word_what.{what}"));
                let m = Message::new("check.word_unsupported").arg_msg("what", what);
                sink.warning(Code::UnusedFile, m, at, None);
            }
        }
    }
}

/// The document's pictures as news photos, each checked like a photo.
fn pictures(
    sink: &mut Sink,
    doc: &Document,
    config: &SiteConfig,
    site_dir: &Path,
    media: bool,
) -> Vec<Photo> {
    let cache = paths::cache_dir(site_dir, "check");
    let mut photos = Vec::new();
    for p in doc.pictures.iter().filter(|p| !p.vector) {
        let at = Some(Place::Paragraph(p.paragraph));
        if media {
            let ext = paths::ext_lower(Path::new(&p.file_name));
            for d in files::check_photo_bytes(&p.bytes, &p.file_name, &ext, config, Some(&cache)) {
                sink.push(d, at, None);
            }
        }
        let alt = p.alt.clone().unwrap_or_default();
        // Named as the staff member sees it: the document's n-th picture.
        let n = photos.len() + 1;
        if alt.trim().is_empty() && !p.decorative {
            let m = Message::new("check.word_missing_alt").arg("n", n);
            sink.push(Diagnostic::warning(Code::MissingAlt, m), at, None);
        }
        // The alt text is published (the page's `alt`, the search index).
        if !personal_id::find(&alt).is_empty() {
            let m = Message::new("check.word_alt_personal_id").arg("n", n);
            sink.push(Diagnostic::error(Code::PersonalId, m), at, None);
        }
        for r in crate::news::phone::find(&alt) {
            let m = Message::new("check.word_alt_personal_phone")
                .arg("n", n)
                .arg("number", &alt[r]);
            sink.push(Diagnostic::warning(Code::PersonalPhone, m), at, None);
        }
        photos.push(Photo {
            file: p.file_name.clone(),
            alt,
        });
    }
    photos
}

/// The Thai labels of the fields table, for a typo with no near match.
fn known_labels() -> String {
    crate::docx::FIELDS
        .iter()
        .map(|f| f.thai)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_is_quoted_by_its_first_words_without_personal_numbers() {
        let doc = Document {
            body: "## กิจกรรม\n\n**นักเรียน** ร่วมกิจกรรมวันกีฬาสีอย่างพร้อมเพรียงกันทุกโรงเรียน\n\n\
                   | เลข 1509900123453 | ก |\n"
                .into(),
            body_lines: vec![12, 12, 13, 13, 20],
            ..Document::default()
        };
        assert_eq!(paragraph_words(&doc, 12).as_deref(), Some("กิจกรรม"));
        let quoted = paragraph_words(&doc, 13).unwrap();
        assert!(quoted.starts_with("นักเรียน ร่วมกิจกรรมวันกีฬาสี"), "{quoted}");
        assert!(
            quoted.ends_with('…') && quoted.chars().count() == 41,
            "{quoted}"
        );
        assert_eq!(paragraph_words(&doc, 20).as_deref(), Some("เลข … ก"));
        let at = doc.body.find("1509").unwrap();
        assert_eq!(quote_at(&doc.body, at).as_deref(), Some("เลข … ก"));
        assert_eq!(paragraph_words(&doc, 7), None);
    }

    #[test]
    fn the_top_heading_becomes_h2_and_the_rest_follow() {
        assert_eq!(demote_headings("# ก\n\nข\n## ค\n"), "## ก\n\nข\n### ค\n");
        assert_eq!(demote_headings("## ก\n### ข\n"), "## ก\n### ข\n");
        assert_eq!(demote_headings("### ก\nข\n"), "## ก\nข\n");
        assert_eq!(
            demote_headings("# ก\n###### ง\n#hashtag\n"),
            "## ก\n###### ง\n#hashtag\n"
        );
        assert_eq!(demote_headings("ไม่มีหัวข้อ\n"), "ไม่มีหัวข้อ\n");
    }
}
