//! Duplicates: a request whose slug, or whose title on the same date, is
//! already published or used by another request would give two pages for
//! one news item (or one page for two).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::Checked;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::news::yaml;
use crate::plumbing::{paths, text};
use crate::search::normalize::normalize;

/// A published news item, for duplicate detection.
#[derive(Debug, Clone)]
pub struct Existing {
    /// `content/news/<yyyy>/<slug>`, relative to the site.
    pub dir: PathBuf,
    pub slug: String,
    pub title: String,
    pub date: Option<NaiveDate>,
}

/// Every `content/news/<yyyy>/<slug>/index.md`, read leniently (only the
/// title and the date).
pub fn existing_news(site_dir: &Path) -> Vec<Existing> {
    let news = site_dir.join(paths::CONTENT_DIR).join("news");
    let mut out = Vec::new();
    for year in read_dir(&news) {
        for item in read_dir(&year) {
            let Ok(bytes) = crate::plumbing::fs::read_regular(&item.join("index.md")) else {
                continue;
            };
            let (t, _) = text::decode(&bytes);
            let map = yaml::split(&t)
                .ok()
                .and_then(|s| yaml::mapping(&t, s).ok())
                .unwrap_or_default();
            let get = |k: &str| map.get(k).and_then(crate::news::scalar).unwrap_or_default();
            out.push(Existing {
                dir: paths::relative_to(site_dir, &item),
                slug: item
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                title: get("title"),
                date: crate::thaidate::parse(&get("date")),
            });
        }
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// The visible sub-folders of `dir`.
fn read_dir(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}

/// Who a request is, for duplicates: (shown path, slug, title as it reads
/// (see [`normalize`]), date).
type Key = (String, Option<String>, Option<Vec<char>>, Option<NaiveDate>);

/// Adds `duplicate` errors: a slug or title+date already published, or
/// used by another request. A duplicate publishes nothing.
pub fn mark(checked: &mut [Checked], others: &[Checked], existing: &[Existing]) {
    let keys: Vec<Key> = checked
        .iter()
        .chain(others.iter())
        .map(|c| {
            let title = c.title.as_deref().map(normalize);
            (c.shown.clone(), c.slug.clone(), title, c.date)
        })
        .collect();
    // Titles are compared as they read (hidden characters, spaces, the two
    // sara am), each normalised once.
    let titles: Vec<Vec<char>> = existing.iter().map(|e| normalize(&e.title)).collect();
    for (i, c) in checked.iter_mut().enumerate() {
        let mut found: BTreeMap<String, Message> = BTreeMap::new();
        let own_title = &keys[i].2;
        for (e, existing_title) in existing.iter().zip(&titles) {
            let news = paths::slash(&e.dir);
            if c.slug.as_deref() == Some(e.slug.as_str()) {
                let m = Message::new("check.duplicate_slug_news")
                    .arg("slug", &e.slug)
                    .arg("news", &news);
                found.insert(format!("slug {news}"), m);
            } else if own_title.as_ref() == Some(existing_title)
                && c.date.is_some()
                && c.date == e.date
            {
                let m = Message::new("check.duplicate_title_news").arg("news", &news);
                found.insert(format!("title {news}"), m);
            }
        }
        for (j, (other, slug, title, date)) in keys.iter().enumerate() {
            if j == i {
                continue;
            }
            if slug.is_some() && *slug == c.slug {
                let m = Message::new("check.duplicate_slug_request")
                    .arg("slug", slug.as_deref().unwrap_or(""))
                    .arg("other", other);
                found.insert(format!("slug {other}"), m);
            } else if title.is_some() && title == own_title && date.is_some() && *date == c.date {
                let m = Message::new("check.duplicate_title_request").arg("other", other);
                found.insert(format!("title {other}"), m);
            }
        }
        if !found.is_empty() {
            c.news = None;
        }
        let place = place_of_title(c);
        for (_, m) in found {
            let mut d = Diagnostic::error(Code::Duplicate, m);
            if let Some((file, line, row)) = &place {
                d = d.in_file(file.clone());
                if let Some(l) = line {
                    d = d.at_line(*l);
                }
                if let Some(r) = row {
                    d = d.at_location(crate::diagnostic::Location::TableRow(*r));
                }
            }
            c.diagnostics.push(d);
        }
    }
}

/// The request's text file and the line (or, in a Word document, the
/// table row) of its title or slug.
fn place_of_title(c: &Checked) -> Option<(PathBuf, Option<usize>, Option<usize>)> {
    let r = c.request.as_ref()?;
    if let Some(doc) = &r.word {
        let row = doc
            .fields
            .iter()
            .find(|f| f.key == "title" || f.key == "slug")
            .map(|f| f.row);
        return Some((r.text_file.clone(), None, row));
    }
    let (start, end) = r.split.yaml;
    let line = r.text[start..end]
        .lines()
        .position(|l| l.starts_with("title") || l.starts_with("slug"))
        .map(|l| r.line_of(start) + l);
    Some((r.text_file.clone(), line, None))
}
