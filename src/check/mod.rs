//! Step 2: checking a request and reporting every problem at once.
//!
//! [`check_paths`] reads each request ([`crate::request`]), reads its
//! fields through the one news schema ([`crate::news`]), checks its photos
//! and attachments ([`media`], [`files`]), its body ([`html`]), its text
//! for national ID numbers ([`news::personal_id`]), what it publishes
//! for mobile phone numbers ([`news::phone`]), and its attachments' text,
//! scanned pages too, for both ([`news::documents`]), then looks for
//! duplicates among the requests and in `content/news/` ([`duplicates`]).
//! The result is plain data — [`Checked`] per request — which the
//! command layer prints and [`report`] writes beside the request.

mod dates;
pub mod duplicates;
pub mod files;
pub mod html;
mod links;
mod media;
pub mod report;
mod word;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic, Failure};
use crate::i18n::Message;
use crate::news::yaml::{self, YamlLines};
use crate::news::{self, News, Origin, Place, Sink};
use crate::plumbing::paths;
use crate::request::{ReadProblem, Request};

/// One request's verdict.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The request (folder or file).
    pub path: PathBuf,
    /// The path as shown to people and in JSON (relative to the site).
    pub shown: String,
    pub request: Option<Request>,
    /// What it would publish; `None` when it has errors.
    pub news: Option<News>,
    pub diagnostics: Vec<Diagnostic>,
    /// For duplicate detection: slug, title and date as far as known.
    pub slug: Option<String>,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    /// For the service records, also of a request with errors: its group
    /// (when one of site.yaml's) and its category's slug.
    pub group: Option<String>,
    pub category: Option<String>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn counts(&self) -> (usize, usize) {
        crate::diagnostic::count(&self.diagnostics)
    }

    /// The request's file or folder name.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// The path shown for `path`: relative to the site folder when inside it.
pub fn shown_path(site_dir: &Path, path: &Path) -> String {
    paths::slash(&paths::relative_to(site_dir, path))
}

/// Checks one request, without looking for duplicates.
pub fn check_request(
    path: &Path,
    site_dir: &Path,
    config: &SiteConfig,
    today: NaiveDate,
) -> Checked {
    check_one(path, site_dir, config, Some(today))
}

/// Checks one request on `today` (its date is judged against it, see
/// [`dates`]); `None` skips reading its photos and attachments and its
/// date (for duplicate detection only the fields matter).
fn check_one(
    path: &Path,
    site_dir: &Path,
    config: &SiteConfig,
    today: Option<NaiveDate>,
) -> Checked {
    let mut checked = Checked {
        path: path.to_path_buf(),
        shown: shown_path(site_dir, path),
        request: None,
        news: None,
        diagnostics: Vec::new(),
        slug: None,
        title: None,
        date: None,
        group: None,
        category: None,
    };
    let req = match crate::request::read(path) {
        Ok(r) => r,
        Err(p) => {
            checked.diagnostics.extend(misnamed(p.file()));
            checked.diagnostics.push(read_problem(&p));
            return checked;
        }
    };
    let misnamed = misnamed(Some(req.text_file.as_path()).filter(|_| req.misnamed));
    let read = match &req.word {
        Some(doc) => Ok(word::check(&req, doc, config, site_dir, today)),
        None => check_text(&req, config, site_dir, today),
    };
    let Read {
        fields,
        resolved,
        diagnostics,
    } = match read {
        Ok(r) => r,
        Err(d) => {
            checked.diagnostics = misnamed.into_iter().chain(d).collect();
            checked.request = Some(req);
            return checked;
        }
    };
    checked.diagnostics = misnamed.into_iter().chain(diagnostics).collect();
    if req.word.is_none() {
        columns(&mut checked.diagnostics, &req.text);
    }
    checked
        .diagnostics
        .sort_by_key(|d| (d.file.clone(), d.line, d.location));
    checked.title = fields.title.clone();
    checked.date = fields.date;
    checked.group = (fields.group_ok && !fields.requester.group.is_empty())
        .then(|| fields.requester.group.clone());
    checked.category = fields.category.clone();
    checked.slug = fields
        .slug
        .clone()
        .or_else(|| fields.date.map(|d| news::default_slug(&req.slug_base(), d)));
    if checked.ok()
        && let Some(slug) = checked.slug.clone()
    {
        let mut fields = fields;
        fields.body = fields.body.trim_start_matches(['\n', '\r']).to_string();
        checked.news =
            fields.into_news(slug, resolved.images, resolved.attachments, resolved.cover);
    }
    checked.request = Some(req);
    checked
}

/// Gives each problem underlining a span of `text` its column: 1-based, in
/// characters (a Thai letter with its vowel marks is several), as editors
/// count them.
fn columns(diagnostics: &mut [Diagnostic], text: &str) {
    for d in diagnostics.iter_mut().filter(|d| d.column.is_none()) {
        let Some(span) = d.span.clone().filter(|s| text.is_char_boundary(s.start)) else {
            continue;
        };
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        d.column = Some(text[line_start..span.start].chars().count() + 1);
    }
}

/// What a request's text gave: its fields, the files it publishes, and
/// every problem found on the way.
struct Read {
    fields: news::Fields,
    resolved: media::Resolved,
    diagnostics: Vec<Diagnostic>,
}

/// A Markdown or `request.yaml` request. `Err` with the problems when its
/// YAML does not parse.
fn check_text(
    req: &Request,
    config: &SiteConfig,
    site_dir: &Path,
    today: Option<NaiveDate>,
) -> Result<Read, Vec<Diagnostic>> {
    let lines = YamlLines {
        text: &req.text,
        split: req.split,
    };
    let mut sink = Sink {
        file: req.text_file.clone(),
        locate: &lines,
        diags: Vec::new(),
    };
    if req.legacy_encoding {
        let m = Message::new("check.not_utf8").arg("file", req.text_file.display());
        sink.warning(Code::NotUtf8, m, None, None);
    }
    // Anywhere in the text, even when the YAML is broken.
    for d in news::personal_id::in_file_text(&req.text, req.split.body) {
        sink.push(d, None, None);
    }
    let map = match yaml::mapping(&req.text, req.split) {
        Ok(m) => m,
        Err(d) => {
            sink.diags.push(d.in_file(req.text_file.clone()));
            return Err(sink.diags);
        }
    };
    cut_by_hash(&mut sink, req);
    let body = req.split.body.map(|b| &req.text[b..]);
    let fields = news::parse(&map, body, &mut sink, config, Origin::Request);
    if let Some(today) = today {
        dates::check(&mut sink, &fields, today);
    }
    unsafe_html(&mut sink, req, &fields.body);
    phones_in_fields(&mut sink, &fields);
    phones_in_body(&mut sink, req, &fields.body);
    let resolved = media::check(&mut sink, req, &fields, config, site_dir, today.is_some());
    let published: Vec<&str> = (resolved.images.iter().map(|p| p.file.as_str()))
        .chain(resolved.attachments.iter().map(|a| a.file.as_str()))
        .collect();
    links::check(&mut sink, req, &fields.body, &published, site_dir);
    Ok(Read {
        fields,
        resolved,
        diagnostics: sink.diags,
    })
}

/// Text after a ` #` in the front matter, which YAML drops as a comment
/// (`title: ข่าว #1 ของปี` would publish `ข่าว`): an error, so that no
/// words are lost unseen.
fn cut_by_hash(sink: &mut Sink, req: &Request) {
    let (start, end) = req.split.yaml;
    for r in yaml::cut_comments(&req.text[start..end]) {
        let span = start + r.start..start + r.end;
        let cut: String = req.text[span.clone()].chars().take(40).collect();
        let m = Message::new("check.cut_by_hash").arg("text", cut);
        let d = Diagnostic::error(Code::YamlSyntax, m).at_line(req.line_of(span.start));
        sink.push(d.with_span(span), None, None);
    }
}

/// The warning for mobile number `number` in what a news item publishes.
fn personal_phone(number: &str) -> Diagnostic {
    let m = Message::new("check.personal_phone").arg("number", number);
    Diagnostic::warning(Code::PersonalPhone, m)
}

/// Mobile numbers in what an item publishes besides its body: its title,
/// summary, tags, photos' alt text and attachments' titles (not the
/// requester's phone, which is never published).
fn phones_in_fields(sink: &mut Sink, fields: &news::Fields) {
    let mut texts: Vec<(&str, Option<Place>)> = Vec::new();
    let keyed = [
        ("title", fields.title.as_deref()),
        ("summary", fields.summary.as_deref()),
    ];
    for (key, text) in keyed {
        texts.extend(text.map(|t| (t, sink.locate.key(key))));
    }
    texts.extend(
        fields
            .tags
            .iter()
            .map(|t| (t.as_str(), sink.locate.key("tags"))),
    );
    let files = fields.images.iter().chain(&fields.attachments).flatten();
    texts.extend(files.map(|f| (f.text.as_str(), f.place)));
    for (text, place) in texts {
        for r in news::phone::find(text) {
            sink.push(personal_phone(&text[r.clone()]), place, Some(&text[r]));
        }
    }
}

/// Mobile numbers in a Markdown or `request.yaml` request's body.
fn phones_in_body(sink: &mut Sink, req: &Request, body: &str) {
    for r in news::phone::find(body) {
        let number = &body[r.clone()];
        match req.split.body {
            Some(o) => {
                let span = o + r.start..o + r.end;
                let d = personal_phone(number).at_line(req.line_of(span.start));
                sink.push(d.with_span(span), None, None);
            }
            None => {
                let place = sink.locate.key("body");
                sink.push(personal_phone(number), place, Some(number));
            }
        }
    }
    // A number a reader sees whole but bold or a link splits in the text
    // (`**081**-234-5678`), told at its block.
    let Some(o) = req.split.body else {
        return;
    };
    for (block, number) in news::personal_id::hidden_by_markup(body, news::phone::find) {
        let span = o + block.start..o + block.end;
        let d = personal_phone(&number).at_line(req.line_of(span.start));
        sink.push(d.with_span(span), None, None);
    }
}

/// Script, frames, event handlers and `javascript:` links in the body.
fn unsafe_html(sink: &mut Sink, req: &Request, body: &str) {
    for r in html::find(body) {
        let snippet = &body[r.clone()];
        let span = match req.split.body {
            Some(o) => Some(o + r.start..o + r.end),
            None => req.text.find(snippet).map(|i| i..i + snippet.len()),
        };
        let shown: String = snippet.chars().take(40).collect();
        let mut d = Diagnostic::error(
            Code::UnsafeHtml,
            Message::new("check.unsafe_html").arg("html", shown),
        );
        if let Some(s) = span {
            d = d.at_line(req.line_of(s.start)).with_span(s);
        }
        sink.push(d, None, None);
    }
}

/// The error for a request text saved as `.txt`, when `file` is one.
fn misnamed(file: Option<&Path>) -> Option<Diagnostic> {
    let file = file.filter(|f| paths::ext_lower(f) == "txt")?;
    Some(read_problem(&ReadProblem::SavedAsTxt {
        file: file.to_path_buf(),
    }))
}

fn read_problem(p: &ReadProblem) -> Diagnostic {
    match p {
        ReadProblem::NoText => {
            Diagnostic::error(Code::AmbiguousRequest, Message::new("check.no_text"))
        }
        ReadProblem::OtherDocument { file } => {
            let m = Message::new("check.other_document").arg("file", paths::slash(file));
            Diagnostic::error(Code::AmbiguousRequest, m).in_file(file.clone())
        }
        ReadProblem::ManyTexts(names) => {
            let list: Vec<String> = names.iter().map(|n| paths::slash(n)).collect();
            Diagnostic::error(
                Code::AmbiguousRequest,
                Message::new("check.many_texts").arg("files", list.join(", ")),
            )
        }
        ReadProblem::SavedAsTxt { file } => {
            // `ข่าว.md.txt` → `ข่าว.md`, `ข่าว.txt` → `ข่าว.md`.
            let stem = file.file_stem().unwrap_or_default().to_string_lossy();
            let want = match paths::ext_lower(Path::new(&*stem)) == "md" {
                true => stem.into_owned(),
                false => format!("{stem}.md"),
            };
            let m = Message::new("check.saved_as_txt")
                .arg("file", paths::slash(file))
                .arg("want", want);
            Diagnostic::error(Code::AmbiguousRequest, m).in_file(file.clone())
        }
        ReadProblem::Loose { file } => {
            let m = Message::new("check.loose_file").arg("file", paths::slash(file));
            Diagnostic::error(Code::AmbiguousRequest, m)
        }
        ReadProblem::TooLarge { file, bytes } => {
            let mb = |b: u64| format!("{:.1}", b as f64 / f64::from(1 << 20));
            let m = Message::new("check.text_too_large")
                .arg("file", paths::slash(file))
                .arg("size", mb(*bytes))
                .arg("max", mb(crate::request::MOST_TEXT_BYTES));
            Diagnostic::error(Code::FileTooLarge, m).in_file(file.clone())
        }
        ReadProblem::NotAFile { file } => {
            let m = Message::new("check.not_a_file").arg("file", paths::slash(file));
            Diagnostic::error(Code::DisallowedFileType, m).in_file(file.clone())
        }
        ReadProblem::NoFrontMatter { file } => {
            Diagnostic::error(Code::YamlSyntax, Message::new("check.no_front_matter"))
                .in_file(file.clone())
                .at(1, 1)
        }
        ReadProblem::UnclosedFrontMatter { file } => Diagnostic::error(
            Code::YamlSyntax,
            Message::new("check.unclosed_front_matter"),
        )
        .in_file(file.clone())
        .at_line(1),
        ReadProblem::Word { file, error } => {
            Diagnostic::error(error.code(), error.message()).in_file(file.clone())
        }
        ReadProblem::NoFieldsTable { files } => {
            let list: Vec<String> = files.iter().map(|n| paths::slash(n)).collect();
            Diagnostic::error(
                Code::AmbiguousRequest,
                Message::new("check.no_fields_table").arg("files", list.join(", ")),
            )
        }
        ReadProblem::UnreadableFolder { folder, error } => Diagnostic::error(
            Code::MissingFile,
            Message::new("check.unreadable_folder")
                .arg("folder", paths::slash(folder))
                .arg_msg("error", crate::i18n::os_error(error)),
        ),
        ReadProblem::Io { file, error } => Diagnostic::error(
            Code::MissingFile,
            Message::new("check.unreadable_file")
                .arg("file", file.display())
                .arg_msg("error", crate::i18n::os_error(error)),
        )
        .in_file(file.clone()),
    }
}

/// How long the check's verdicts are kept after they were reached. Each
/// save of a request's file while staff work on it leaves a verdict, and
/// each accepted request leaves its files' for ever; one still wanted
/// after this is reached again (a scan read again: seconds).
const VERDICTS_FOR: std::time::Duration = std::time::Duration::from_secs(60 * 24 * 60 * 60);

/// Once a day, removes the check's verdicts older than [`VERDICTS_FOR`]
/// from `.khao/cache/check`. Returns how many went.
pub fn prune_cache(site_dir: &Path) -> usize {
    let cache = paths::cache_dir(site_dir, "check");
    if !cache.is_dir() || !crate::plumbing::prune::due(&paths::cache_dir(site_dir, "check-pruned"))
    {
        return 0;
    }
    crate::plumbing::prune::remove_old(&cache, VERDICTS_FOR, &|_| false)
}

/// Whether this machine reads what has no text (scanned pages, photos of
/// printed pages) for personal data: Tesseract with Thai and Poppler are
/// installed ([`crate::plumbing::ocr`]). Without them such files pass
/// unread, and the officer must be told.
pub fn reads_pictures() -> bool {
    crate::plumbing::ocr::available()
}

/// Checks the requests at `paths` (default: every request in `requests/`),
/// then the duplicates among all requests and against `content/news/`.
pub fn check_paths(
    site_dir: &Path,
    config: &SiteConfig,
    paths: &[PathBuf],
    today: NaiveDate,
) -> Vec<Checked> {
    use rayon::prelude::*;
    let requests_dir = site_dir.join(paths::REQUESTS_DIR);
    let all = crate::request::list_requests(&requests_dir);
    let targets: Vec<PathBuf> = if paths.is_empty() {
        all.clone()
    } else {
        paths.to_vec()
    };
    let mut checked: Vec<Checked> = targets
        .par_iter()
        .map(|p| {
            let mut c = check_request(p, site_dir, config, today);
            if let Some(r) = c.request.as_mut() {
                r.release_pictures();
            }
            c
        })
        .collect();
    // The other requests matter for duplicates: their fields only.
    let canon = |p: &PathBuf| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
    let checking: std::collections::HashSet<PathBuf> = targets.iter().map(canon).collect();
    let others: Vec<Checked> = if paths.is_empty() {
        Vec::new()
    } else {
        all.iter()
            .filter(|p| !checking.contains(&canon(p)))
            .map(|p| check_one(p, site_dir, config, None))
            .collect()
    };
    let existing = duplicates::existing_news(site_dir);
    duplicates::mark(&mut checked, &others, &existing);
    checked
}
