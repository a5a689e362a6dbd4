//! Step 2: checking a request and reporting every problem at once.
//!
//! [`check_paths`] reads each request ([`crate::request`]), checks its
//! fields ([`fields`]), its photos and attachments ([`files`]), its body
//! ([`html`]) and its text for national ID numbers ([`personal_id`]), then
//! looks for duplicates among the requests and in `content/news/`. The
//! result is plain data: [`Checked`] per request, printed by [`output`] and
//! written beside the request by [`report`].

pub mod fields;
pub mod files;
pub mod html;
pub mod output;
pub mod personal_id;
pub mod report;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::content::{AttachmentRef, PhotoRef};
use crate::diagnostic::Diagnostic;
use crate::i18n::{Lang, tr};
use crate::request::{ReadProblem, Request};

pub use fields::Draft;
use fields::{FileRef, Sink};

/// One request's verdict.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The request (folder or file).
    pub path: PathBuf,
    /// The path as shown to people and in JSON (relative to the site).
    pub shown: String,
    pub request: Option<Request>,
    /// What it would publish; `None` when it has errors.
    pub draft: Option<Draft>,
    pub diagnostics: Vec<Diagnostic>,
    /// For duplicate detection: slug, title and date as far as known.
    pub slug: Option<String>,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn counts(&self) -> (usize, usize) {
        crate::diagnostic::count(&self.diagnostics)
    }
}

/// The folder holding check's photo verdict cache.
pub fn cache_dir(site_dir: &Path) -> PathBuf {
    site_dir.join(".khao").join("cache").join("check")
}

/// The path shown for `path`: relative to the site folder when inside it.
pub fn shown_path(site_dir: &Path, path: &Path) -> String {
    path.strip_prefix(site_dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Checks one request, without looking for duplicates.
pub fn check_request(path: &Path, site_dir: &Path, config: &SiteConfig) -> Checked {
    check_request_with(path, site_dir, config, true)
}

fn check_request_with(path: &Path, site_dir: &Path, config: &SiteConfig, media: bool) -> Checked {
    let lang = config.language;
    let mut checked = Checked {
        path: path.to_path_buf(),
        shown: shown_path(site_dir, path),
        request: None,
        draft: None,
        diagnostics: Vec::new(),
        slug: None,
        title: None,
        date: None,
    };
    let req = match crate::request::read(path) {
        Ok(r) => r,
        Err(p) => {
            checked.diagnostics.push(read_problem(&p, lang));
            return checked;
        }
    };
    let mut sink = Sink {
        req: &req,
        lang,
        diags: Vec::new(),
    };
    if req.legacy_encoding {
        sink.warning(
            "not-utf8",
            "check.not_utf8",
            &[("file", &req.text_file.to_string_lossy())],
            None,
            None,
        );
    }
    let parsed = fields::parse(&mut sink, config);
    // National ID numbers anywhere in the text, even when the YAML is broken.
    for r in personal_id::find(&req.text) {
        let line = req.line_of(r.start);
        let d = Diagnostic::error("personal-id", tr(lang, "check.personal_id", &[]))
            .in_file(req.text_file.clone())
            .at_line(line)
            .with_span(r);
        sink.diags.push(d);
    }
    let Some(f) = parsed else {
        checked.diagnostics = sink.diags;
        checked.request = Some(req);
        return checked;
    };
    // Unsafe HTML in the body.
    for r in html::find(&f.body) {
        let snippet = &f.body[r.clone()];
        let span = f.body_offset.and_then(|o| {
            if !req.yaml_only {
                Some(o + r.start..o + r.end)
            } else {
                req.text[o.min(req.text.len())..]
                    .find(snippet)
                    .map(|i| o + i..o + i + snippet.len())
            }
        });
        let shown_snippet: String = snippet.chars().take(40).collect();
        let mut d = Diagnostic::error(
            "unsafe-html",
            tr(lang, "check.unsafe_html", &[("html", &shown_snippet)]),
        )
        .in_file(req.text_file.clone());
        if let Some(s) = span {
            d = d.at_line(req.line_of(s.start)).with_span(s);
        }
        sink.diags.push(d);
    }
    let (images, attachments) = check_files(&mut sink, &f, config, site_dir, media);
    let cover = match &f.cover {
        Some((c, line)) => {
            let known = images.iter().any(|i| i.file == *c)
                || req.files.iter().any(|p| p.to_string_lossy() == c.as_str());
            if !known {
                sink.error(
                    "missing-file",
                    "check.missing_cover",
                    &[("file", c)],
                    *line,
                    Some(c),
                );
            }
            Some(c.clone())
        }
        None => images.first().map(|i| i.file.clone()),
    };
    checked.diagnostics = sink.diags;
    checked
        .diagnostics
        .sort_by_key(|d| (d.file.clone(), d.line));
    checked.title = f.title.clone();
    checked.date = f.date;
    checked.slug = f
        .slug
        .clone()
        .or_else(|| f.date.map(|d| fields::default_slug(&req, d)));
    if checked.ok()
        && let (Some(title), Some(date), Some(category), Some(group), Some(slug)) = (
            f.title,
            f.date,
            f.category,
            f.requester_group,
            checked.slug.clone(),
        )
    {
        checked.draft = Some(Draft {
            title,
            slug,
            date,
            category,
            tags: f.tags,
            summary: f.summary,
            requester_name: f.requester_name,
            requester_group: group,
            cover,
            images,
            attachments,
            pinned: f.pinned,
            body: f.body.trim_start_matches(['\n', '\r']).to_string(),
        });
    }
    checked.request = Some(req);
    checked
}

fn read_problem(p: &ReadProblem, lang: Lang) -> Diagnostic {
    match p {
        ReadProblem::NoText => {
            Diagnostic::error("ambiguous-request", tr(lang, "check.no_text", &[]))
        }
        ReadProblem::ManyTexts(names) => {
            let list: Vec<String> = names
                .iter()
                .map(|n| n.to_string_lossy().into_owned())
                .collect();
            Diagnostic::error(
                "ambiguous-request",
                tr(lang, "check.many_texts", &[("files", &list.join(", "))]),
            )
        }
        ReadProblem::NoFrontMatter { file } => {
            Diagnostic::error("yaml-syntax", tr(lang, "check.no_front_matter", &[]))
                .in_file(file.clone())
                .at(1, 1)
        }
        ReadProblem::UnclosedFrontMatter { file } => {
            Diagnostic::error("yaml-syntax", tr(lang, "check.unclosed_front_matter", &[]))
                .in_file(file.clone())
                .at_line(1)
        }
        ReadProblem::Io { file, error } => Diagnostic::error(
            "missing-file",
            tr(
                lang,
                "check.unreadable_file",
                &[("file", &file.to_string_lossy()), ("error", error)],
            ),
        )
        .in_file(file.clone()),
    }
}

/// Why a named path cannot be used, if it cannot.
fn unsafe_reason(name: &str) -> bool {
    let p = Path::new(name);
    name.starts_with('/')
        || name.starts_with('\\')
        || name.as_bytes().get(1) == Some(&b':')
        || p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
}

/// Checks the photos and attachments; returns what would be published.
fn check_files(
    sink: &mut Sink,
    f: &fields::Fields,
    config: &SiteConfig,
    site_dir: &Path,
    media: bool,
) -> (Vec<PhotoRef>, Vec<AttachmentRef>) {
    let req = sink.req;
    let lang = sink.lang;
    let dir = req.dir();
    let canon_dir = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
    let cache = cache_dir(site_dir);
    let listed = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let is_attachment_ext = |ext: &str| {
        config
            .attachments
            .types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(ext))
    };

    let images: Vec<FileRef> = f.images.clone().unwrap_or_else(|| {
        req.files
            .iter()
            .filter(|p| files::is_photo_ext(&crate::request::ext_lower(p)))
            .map(|p| FileRef {
                file: listed(p),
                text: String::new(),
                has_text: false,
                line: None,
            })
            .collect()
    });
    let attachments: Vec<FileRef> = f.attachments.clone().unwrap_or_else(|| {
        req.files
            .iter()
            .filter(|p| {
                let e = crate::request::ext_lower(p);
                !files::is_photo_ext(&e) && is_attachment_ext(&e)
            })
            .map(|p| FileRef {
                file: listed(p),
                text: String::new(),
                has_text: false,
                line: None,
            })
            .collect()
    });

    let mut used: Vec<String> = Vec::new();
    let mut photos = Vec::new();
    let mut docs = Vec::new();
    for (is_photo, r) in images
        .iter()
        .map(|r| (true, r))
        .chain(attachments.iter().map(|r| (false, r)))
    {
        let name = r.file.replace('\\', "/");
        let shown = name.as_str();
        if unsafe_reason(&name) {
            sink.error(
                "unsafe-path",
                "check.unsafe_path",
                &[("file", shown)],
                r.line,
                Some(&r.file),
            );
            continue;
        }
        if !req.is_dir {
            sink.error(
                "missing-file",
                "check.single_file_media",
                &[("file", shown)],
                r.line,
                Some(&r.file),
            );
            continue;
        }
        let full = dir.join(&name);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            let near = crate::config::nearest(&name, req.files.iter().filter_map(|p| p.to_str()));
            match near {
                Some(n) => sink.error(
                    "missing-file",
                    "check.missing_file_near",
                    &[("file", shown), ("near", n)],
                    r.line,
                    Some(&r.file),
                ),
                None => sink.error(
                    "missing-file",
                    "check.missing_file",
                    &[("file", shown)],
                    r.line,
                    Some(&r.file),
                ),
            }
            continue;
        };
        if meta.file_type().is_symlink() {
            let inside = std::fs::canonicalize(&full)
                .map(|t| t.starts_with(&canon_dir))
                .unwrap_or(false);
            if !inside {
                sink.error(
                    "unsafe-path",
                    "check.symlink_out",
                    &[("file", shown)],
                    r.line,
                    Some(&r.file),
                );
                continue;
            }
        }
        used.push(name.clone());
        let problems = if !media {
            Vec::new()
        } else if is_photo {
            files::check_photo(&full, shown, config, lang, Some(&cache))
        } else {
            files::check_attachment(&full, shown, config, lang)
        };
        for p in problems {
            let d = if p.warning {
                Diagnostic::warning(p.code, p.message)
            } else {
                Diagnostic::error(p.code, p.message)
            };
            if r.line.is_some() {
                sink.push(d, r.line, Some(&r.file));
            } else {
                // Found in the folder, not named in the text: the file itself.
                sink.diags.push(d.in_file(PathBuf::from(&name)));
            }
        }
        if is_photo {
            if !r.has_text {
                let d = Diagnostic::warning(
                    "missing-alt",
                    tr(lang, "check.missing_alt", &[("file", shown)]),
                );
                if r.line.is_some() {
                    sink.push(d, r.line, Some(&r.file));
                } else {
                    sink.diags.push(d.in_file(PathBuf::from(&name)));
                }
            }
            photos.push(PhotoRef {
                file: name,
                alt: r.text.clone(),
            });
        } else {
            let title = if r.has_text {
                r.text.clone()
            } else {
                Path::new(&name)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            docs.push(AttachmentRef { file: name, title });
        }
    }
    // Files in the folder that nothing names.
    for p in &req.files {
        let name = listed(p);
        if used.contains(&name) {
            continue;
        }
        let ext = crate::request::ext_lower(p);
        if files::is_photo_ext(&ext) || is_attachment_ext(&ext) {
            sink.warning(
                "unused-file",
                "check.unused_file",
                &[("file", &name)],
                None,
                None,
            );
        } else {
            let d = Diagnostic::error(
                "disallowed-file-type",
                tr(
                    lang,
                    "check.stray_file",
                    &[
                        ("file", &name),
                        ("types", &config.attachments.types.join(", ")),
                    ],
                ),
            )
            .in_file(p.clone());
            sink.diags.push(d);
        }
    }
    (photos, docs)
}

/// A published news item, for duplicate detection.
#[derive(Debug, Clone)]
pub struct Existing {
    pub dir: PathBuf,
    pub slug: String,
    pub title: String,
    pub date: Option<NaiveDate>,
}

/// Every `content/news/<yyyy>/<slug>/index.md`, read leniently.
pub fn existing_news(site_dir: &Path) -> Vec<Existing> {
    let mut out = Vec::new();
    let news = site_dir.join("content").join("news");
    let Ok(years) = std::fs::read_dir(&news) else {
        return out;
    };
    for y in years.filter_map(Result::ok) {
        if y.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(items) = std::fs::read_dir(y.path()) else {
            continue;
        };
        for item in items.filter_map(Result::ok) {
            let index = item.path().join("index.md");
            let Ok(bytes) = std::fs::read(&index) else {
                continue;
            };
            let (text, _) = crate::request::decode_text(&bytes);
            let yaml = text
                .strip_prefix("---")
                .and_then(|t| t.split("\n---").next())
                .unwrap_or("");
            let v: serde_yaml::Value =
                serde_yaml::from_str(yaml).unwrap_or(serde_yaml::Value::Null);
            let get = |k: &str| {
                v.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            out.push(Existing {
                dir: item.path(),
                slug: item.file_name().to_string_lossy().into_owned(),
                title: get("title"),
                date: crate::thaidate::parse(&get("date")),
            });
        }
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// Checks the requests at `paths` (default: every request in `requests/`),
/// then the duplicates among all requests and against `content/news/`.
pub fn check_paths(site_dir: &Path, config: &SiteConfig, paths: &[PathBuf]) -> Vec<Checked> {
    let requests_dir = site_dir.join("requests");
    let all = crate::request::list_requests(&requests_dir);
    let targets: Vec<PathBuf> = if paths.is_empty() {
        all.clone()
    } else {
        paths.to_vec()
    };
    let mut checked: Vec<Checked> = {
        use rayon::prelude::*;
        targets
            .par_iter()
            .map(|p| check_request(p, site_dir, config))
            .collect()
    };
    // The other requests matter for duplicates: their fields only.
    let canon = |p: &PathBuf| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
    let checking: std::collections::HashSet<PathBuf> = targets.iter().map(canon).collect();
    let others: Vec<Checked> = if paths.is_empty() {
        Vec::new()
    } else {
        all.iter()
            .filter(|p| !checking.contains(&canon(p)))
            .map(|p| check_request_with(p, site_dir, config, false))
            .collect()
    };
    mark_duplicates(
        &mut checked,
        &others,
        &existing_news(site_dir),
        config.language,
    );
    checked
}

/// Who a request is, for duplicates: (shown path, slug, title, date).
type DuplicateKey = (String, Option<String>, Option<String>, Option<NaiveDate>);

/// Adds `duplicate` errors: a slug or title+date already published, or used
/// by another request.
pub fn mark_duplicates(
    checked: &mut [Checked],
    others: &[Checked],
    existing: &[Existing],
    lang: Lang,
) {
    let keys: Vec<DuplicateKey> = checked
        .iter()
        .chain(others.iter())
        .map(|c| (c.shown.clone(), c.slug.clone(), c.title.clone(), c.date))
        .collect();
    for (i, c) in checked.iter_mut().enumerate() {
        let mut found: BTreeMap<String, Diagnostic> = BTreeMap::new();
        let file = c.request.as_ref().map(|r| r.text_file.clone());
        for e in existing {
            let where_ = e.dir.to_string_lossy().replace('\\', "/");
            if c.slug.as_deref() == Some(e.slug.as_str()) {
                found.insert(
                    format!("slug {where_}"),
                    Diagnostic::error(
                        "duplicate",
                        tr(
                            lang,
                            "check.duplicate_slug_news",
                            &[("slug", &e.slug), ("news", &short_news(&where_))],
                        ),
                    ),
                );
            } else if c.title.as_deref() == Some(e.title.as_str())
                && c.date.is_some()
                && c.date == e.date
            {
                found.insert(
                    format!("title {where_}"),
                    Diagnostic::error(
                        "duplicate",
                        tr(
                            lang,
                            "check.duplicate_title_news",
                            &[("news", &short_news(&where_))],
                        ),
                    ),
                );
            }
        }
        for (j, (other, slug, title, date)) in keys.iter().enumerate() {
            if j == i {
                continue;
            }
            if slug.is_some() && *slug == c.slug {
                found.insert(
                    format!("slug {other}"),
                    Diagnostic::error(
                        "duplicate",
                        tr(
                            lang,
                            "check.duplicate_slug_request",
                            &[("slug", slug.as_deref().unwrap_or("")), ("other", other)],
                        ),
                    ),
                );
            } else if title.is_some() && *title == c.title && date.is_some() && *date == c.date {
                found.insert(
                    format!("title {other}"),
                    Diagnostic::error(
                        "duplicate",
                        tr(lang, "check.duplicate_title_request", &[("other", other)]),
                    ),
                );
            }
        }
        if !found.is_empty() {
            c.draft = None;
        }
        for (_, mut d) in found {
            if let Some(f) = &file {
                d = d.in_file(f.clone());
                if let Some(r) = &c.request {
                    let line = r.text[r.yaml_start..r.yaml_end]
                        .lines()
                        .position(|l| l.starts_with("title") || l.starts_with("slug"));
                    if let Some(l) = line {
                        d = d.at_line(r.line_of(r.yaml_start) + l);
                    }
                }
            }
            c.diagnostics.push(d);
        }
    }
}

fn short_news(path: &str) -> String {
    match path.find("content/news/") {
        Some(i) => path[i..].to_string(),
        None => path.to_string(),
    }
}

/// `khao check [PATH...]`.
pub fn run(ctx: &crate::commands::Context, paths: &[PathBuf]) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return crate::commands::config_failed(ctx, &e),
    };
    let resolved: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            if p.exists() || p.is_absolute() {
                p.clone()
            } else if ctx.site_dir.join(p).exists() {
                ctx.site_dir.join(p)
            } else {
                ctx.site_dir.join("requests").join(p)
            }
        })
        .collect();
    let checked = check_paths(&ctx.site_dir, &config, &resolved);
    for c in &checked {
        if let Err(e) = report::write(c, config.language) {
            eprintln!(
                "{}",
                tr(
                    config.language,
                    "check.report_unwritable",
                    &[("file", &c.shown), ("error", &e.to_string())]
                )
            );
        }
    }
    if ctx.json() {
        println!("{}", output::json(&checked));
    } else {
        print!(
            "{}",
            output::human(&checked, config.language, output::colour_wanted())
        );
    }
    if checked.iter().all(Checked::ok) {
        crate::exit::OK
    } else {
        crate::exit::CONTENT
    }
}
