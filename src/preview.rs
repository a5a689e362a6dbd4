//! `khao serve`'s `/_requests/`: the pending publicity requests as the
//! officer would check them (steps 1–2), in the browser: each request's
//! verdict and problems, and a preview of what a valid one would publish.
//!
//! The preview reads the requests where they are and writes nothing: photos
//! are served from the request folder as they are (only on 127.0.0.1).

use std::path::{Path, PathBuf};

use crate::check::{self, Checked};
use crate::config::SiteConfig;
use crate::diagnostic::Severity;
use crate::i18n::tr;
use crate::markdown::{self, Resolver, escape};
use crate::plumbing::url::encode_path;
use crate::thaidate::{self, Style};

/// The URL prefix of the preview.
pub const PREFIX: &str = "/_requests/";

/// What the preview answers for one URL under [`PREFIX`].
pub enum Answer {
    Html(String),
    File(PathBuf),
    /// A picture of a Word request, from the document itself.
    Bytes(Vec<u8>, &'static str),
    NotFound,
}

/// Answers `path` (already without its query), which starts with [`PREFIX`].
pub fn answer(site_dir: &Path, config: &SiteConfig, path: &str) -> Answer {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let now = crate::plumbing::clock::now(config.tz());
    let checked = check::check_paths(site_dir, config, &[], now.date_naive());
    // The preview counts as seeing a request (its `received`).
    let records = crate::records::Records::of(site_dir);
    let _ = records.observe(&checked, now);
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => Answer::Html(index_page(config, &checked, &records)),
        [n] => match find(&checked, n) {
            Some(c) => Answer::Html(request_page(site_dir, config, c, n)),
            None => Answer::NotFound,
        },
        [n, "file", name] => {
            let Some(c) = find(&checked, n) else {
                return Answer::NotFound;
            };
            let name = crate::plumbing::url::decode(name).unwrap_or_default();
            // Only files the request itself names are served, never a path.
            let named = c.news.as_ref().is_some_and(|d| {
                d.images.iter().any(|i| i.file == name)
                    || d.attachments.iter().any(|a| a.file == name)
            });
            let embedded = c.request.as_ref().and_then(|r| r.picture(&name));
            if let Some(bytes) = embedded.filter(|_| named) {
                match bytes {
                    Ok(b) => Answer::Bytes(b, crate::static_server::content_type(Path::new(&name))),
                    Err(_) => Answer::NotFound,
                }
            } else if named && !name.contains('/') && !name.contains('\\') && c.path.is_dir() {
                Answer::File(c.path.join(name))
            } else {
                Answer::NotFound
            }
        }
        _ => Answer::NotFound,
    }
}

fn find<'a>(checked: &'a [Checked], n: &str) -> Option<&'a Checked> {
    n.parse::<usize>().ok().and_then(|i| checked.get(i))
}

fn page(config: &SiteConfig, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/css/site.css\"></head><body>\
         <main id=\"main\" class=\"container\" style=\"padding:1rem\">{body}</main></body></html>",
        lang = config.language.code(),
        title = escape(title),
    )
}

fn index_page(
    config: &SiteConfig,
    checked: &[Checked],
    records: &crate::records::Records,
) -> String {
    let lang = config.language;
    let mut body = format!("<h1>{}</h1>", escape(&tr(lang, "preview.title", &[])));
    if checked.is_empty() {
        body.push_str(&format!(
            "<p>{}</p>",
            escape(&tr(lang, "preview.none", &[]))
        ));
    }
    let settle = std::time::Duration::try_from_secs_f64(config.requests.settle_seconds.max(0.0))
        .unwrap_or_default();
    body.push_str("<ol>");
    for (i, c) in checked.iter().enumerate() {
        let (errors, warnings) = c.counts();
        let still = crate::request::last_change(&c.path)
            .and_then(|t| std::time::SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age >= settle);
        let state = if !still {
            tr(lang, "preview.state_waiting", &[])
        } else if c.ok() {
            tr(lang, "preview.ok", &[("warnings", &warnings.to_string())])
        } else {
            let (e, w) = (errors.to_string(), warnings.to_string());
            tr(lang, "preview.errors", &[("errors", &e), ("warnings", &w)])
        };
        let title = c.title.clone().unwrap_or_else(|| c.shown.clone());
        body.push_str(&format!(
            "<li><a href=\"{PREFIX}{i}/\">{}</a> — <code>{}</code> — {}</li>",
            escape(&title),
            escape(&c.shown),
            escape(&state)
        ));
    }
    body.push_str("</ol>");
    body.push_str(&accepted_list(config, records));
    page(config, &tr(lang, "preview.title", &[]), &body)
}

/// The requests taken in lately (within `receipt_days`), newest first:
/// accepted, or live with their address.
fn accepted_list(config: &SiteConfig, records: &crate::records::Records) -> String {
    let lang = config.language;
    let Ok(history) = records.history() else {
        return String::new();
    };
    let now = crate::plumbing::clock::now(config.tz());
    let days = chrono::Duration::days(i64::from(config.requests.receipt_days));
    let mut recent: Vec<_> = history
        .news
        .values()
        .filter(|n| now - n.accepted <= days)
        .collect();
    if recent.is_empty() {
        return String::new();
    }
    recent.sort_by_key(|n| std::cmp::Reverse(n.accepted));
    let mut out = format!(
        "<h2>{}</h2><ul>",
        escape(&tr(lang, "preview.accepted_title", &[]))
    );
    for n in recent {
        let state = match &n.live {
            Some((_, url)) => format!(
                "{} <a href=\"{}\">{}</a>",
                escape(&tr(lang, "preview.state_live", &[])),
                escape(url),
                escape(url)
            ),
            None => escape(&tr(lang, "preview.state_accepted", &[])),
        };
        out.push_str(&format!(
            "<li>{} — <code>{}</code> — {state}</li>",
            escape(&n.title),
            escape(&n.request)
        ));
    }
    out.push_str("</ul>");
    out
}

fn request_page(site_dir: &Path, config: &SiteConfig, c: &Checked, n: &str) -> String {
    let lang = config.language;
    let mut body = format!(
        "<p><a href=\"{PREFIX}\">← {}</a></p><p><code>{}</code></p>",
        escape(&tr(lang, "preview.title", &[])),
        escape(&c.shown)
    );
    if !c.diagnostics.is_empty() {
        body.push_str("<ul>");
        for d in &c.diagnostics {
            let label = match d.severity {
                Severity::Error => tr(lang, "build.error_label", &[]),
                Severity::Warning => tr(lang, "build.warning_label", &[]),
            };
            let place = crate::check::report::place(d, lang);
            body.push_str(&format!(
                "<li><strong>{}</strong> [{}] <code>{}</code> {}</li>",
                escape(&label),
                d.code,
                escape(&place),
                escape(&d.render(lang))
            ));
        }
        body.push_str("</ul>");
    }
    let Some(draft) = &c.news else {
        return page(config, &c.shown, &body);
    };
    let category = config
        .category(&draft.category)
        .map(|cat| cat.name.clone())
        .unwrap_or_else(|| draft.category.clone());
    body.push_str(&format!(
        "<article><h1>{}</h1><p>{} · {} · {}</p>",
        escape(&draft.title),
        escape(&thaidate::format(draft.date, lang, Style::Full, false)),
        escape(&category),
        escape(&draft.requester.group)
    ));
    for img in &draft.images {
        body.push_str(&format!(
            "<figure><img src=\"{PREFIX}{n}/file/{}\" alt=\"{}\" style=\"max-width:100%;height:auto\" loading=\"lazy\"><figcaption>{}</figcaption></figure>",
            encode_path(&img.file),
            escape(&img.alt),
            escape(&img.alt)
        ));
    }
    let images = crate::images::ImageMap::default();
    let content_dir = site_dir.join("content");
    let resolver = Resolver {
        content_dir: &content_dir,
        source_dir: Path::new("news"),
        images: &images,
    };
    body.push_str(&markdown::to_html(&draft.body, &resolver));
    if !draft.attachments.is_empty() {
        body.push_str("<ul>");
        for a in &draft.attachments {
            let title = if a.title.is_empty() {
                &a.file
            } else {
                &a.title
            };
            body.push_str(&format!(
                "<li><a href=\"{PREFIX}{n}/file/{}\">{}</a></li>",
                encode_path(&a.file),
                escape(title)
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str("</article>");
    page(config, &draft.title, &body)
}
