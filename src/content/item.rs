//! A published news item, `content/news/<yyyy>/<slug>/index.md`, read
//! through the one news schema ([`crate::news`]) — so a request folder
//! copied here by hand builds — and its files checked: every photo, cover
//! and attachment it names must be a plain name of a file in its folder.

use std::path::Path;

use chrono::Datelike;

use super::{NewsItem, read_text};
use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::news::yaml::{self, YamlLines};
use crate::news::{self, Attachment, FileRef, Origin, Photo, Sink};
use crate::plumbing::paths::{self, CONTENT_DIR};

/// Reads `content/<rel>` (`news/<year>/<slug>/index.md`).
pub fn load(
    site_dir: &Path,
    rel: &Path,
    year: &str,
    slug: &str,
    config: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> Option<NewsItem> {
    let file = Path::new(CONTENT_DIR).join(rel);
    let path = site_dir.join(&file);
    let dir = path.parent()?.to_path_buf();
    // Taken before the text is read: a change while it is read moves it.
    let stamp = stamp(&path, &dir);
    let text = read_text(&path, &file, diags)?;
    if !crate::config::is_slug(slug) {
        let m = Message::new("content.bad_slug").arg("slug", slug);
        diags.push(Diagnostic::error(Code::BadSlug, m).in_file(&file));
        return None;
    }
    // A folder named after a person, copied in by hand: its name is the
    // item's address.
    if !news::personal_id::find(slug).is_empty() {
        let m = Message::new("content.personal_id_folder")
            .arg("folder", paths::slash(&file.with_file_name("")));
        diags.push(Diagnostic::error(Code::PersonalId, m).in_file(&file));
    }
    let yaml_only = matches!(paths::ext_lower(rel).as_str(), "yaml" | "yml");
    let split = match yaml::split(&text) {
        _ if yaml_only => yaml::whole(&text),
        Ok(s) => s,
        Err(_) => {
            let m = Message::new("content.front_matter_unclosed");
            diags.push(
                Diagnostic::error(Code::YamlSyntax, m)
                    .in_file(&file)
                    .at_line(1),
            );
            return None;
        }
    };
    // A national ID typed into published news (a correction made by hand,
    // a folder copied in without intake): an error, so the site is not
    // deployed with it.
    let ids = news::personal_id::in_file_text(&text, split.body);
    diags.extend(ids.into_iter().map(|d| d.in_file(&file)));
    let map = match yaml::mapping(&text, split) {
        Ok(m) => m,
        Err(d) => {
            diags.push(d.in_file(&file));
            return None;
        }
    };
    let lines = YamlLines { text: &text, split };
    let mut sink = Sink {
        file: file.clone(),
        locate: &lines,
        diags: Vec::new(),
    };
    let body = split.body.map(|b| &text[b..]);
    let mut fields = news::parse(&map, body, &mut sink, config, Origin::Content);
    if !rel.ends_with("index.md") {
        as_a_request(&mut fields, &dir, config);
    }
    if let Some(date) = fields.date
        && date.year().to_string() != year
    {
        let m = Message::new("content.year_mismatch")
            .arg("date", date.format("%Y-%m-%d"))
            .arg("year", year);
        sink.warning(Code::DateFolderMismatch, m, sink.locate.key("date"), None);
    }
    let mut check = Files {
        sink: &mut sink,
        dir: &dir,
        shown: paths::relative_to(site_dir, &dir),
        config,
    };
    let images: Vec<Photo> = listed(&fields.images)
        .filter(|r| check.present(r, "images"))
        .map(|r| Photo {
            file: r.file.trim().to_string(),
            alt: r.text.clone(),
        })
        .collect();
    let attachments: Vec<Attachment> = listed(&fields.attachments)
        .filter(|r| check.present(r, "attachments") && check.publishable(r))
        .map(|r| Attachment {
            file: r.file.trim().to_string(),
            title: r.text.clone(),
        })
        .collect();
    let cover = fields
        .cover
        .clone()
        .map(|(c, place)| FileRef {
            file: c.trim().to_string(),
            text: String::new(),
            place,
        })
        .filter(|r| !r.file.is_empty() && check.present(r, "cover"))
        .map(|r| r.file)
        .or_else(|| images.first().map(|p| p.file.clone()));
    let names = (images.iter().map(|p| &p.file)).chain(attachments.iter().map(|a| &a.file));
    diags.extend(ids_in_names(
        names.filter(|n| !text.contains(n.as_str())),
        &dir,
        site_dir,
    ));
    fields.tags.retain(|t| !t.trim().is_empty());
    if let Some(t) = &mut fields.title {
        *t = t.trim().to_string();
    }
    // Without a title, a date or a category there is no item; the other
    // problems leave it out of nothing but the file concerned.
    let news = fields.into_news(slug.to_string(), images, attachments, cover);
    diags.extend(sink.diags);
    let news = news?;
    let linked =
        crate::markdown::linked_files(&Path::new("news").join(year).join(slug), &news.body);
    Some(NewsItem {
        url: format!("/news/{year}/{slug}/"),
        stamp,
        linked,
        rel: rel.to_path_buf(),
        body_elided: false,
        dir,
        slug: slug.to_string(),
        date: news.date,
        news,
    })
}

/// The item's stamp: its text file's and its folder's (size, times,
/// inode). While either changed in the last two seconds, a new one each
/// build: a second change within the clock's tick would keep the times,
/// so no step may remember its work by them yet (see
/// [`crate::plumbing::fs::SETTLED_NS`]).
fn stamp(file: &Path, dir: &Path) -> u64 {
    use crate::plumbing::fs::{Stamp, settled_ns};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(file.as_os_str().as_encoded_bytes());
    let settled = settled_ns();
    for p in [file, dir] {
        match std::fs::metadata(p).map(|m| Stamp::of(&m)) {
            Ok(s) => {
                h.update(&s.to_le_bytes());
                if !s.settled_before(settled) {
                    h.update(&settled.to_le_bytes());
                }
            }
            Err(_) => h.update(&[0xff]),
        }
    }
    h.digest()
}

/// A request copied here by hand means what it meant in `requests/`: with
/// no list of photos (or attachments), every one in its folder, by name.
fn as_a_request(fields: &mut news::Fields, dir: &Path, config: &SiteConfig) {
    let files = crate::request::list_files(dir).files;
    let found = |keep: &dyn Fn(&Path) -> bool| -> Vec<FileRef> {
        files
            .iter()
            .filter(|p| p.components().count() == 1 && keep(p))
            .map(|p| FileRef {
                file: paths::slash(p),
                text: String::new(),
                place: None,
            })
            .collect()
    };
    if fields.images.is_none() {
        fields.images = Some(found(&|p| super::is_photo(p)));
    }
    if fields.attachments.is_none() {
        let allowed = |p: &Path| {
            let ext = paths::ext_lower(p);
            config
                .attachments
                .types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&ext))
        };
        fields.attachments = Some(found(&|p| !super::is_photo(p) && allowed(p)));
    }
}

/// A `personal-id` error for each of the file names (of files in `dir`
/// that the item publishes without its text naming them) that holds a
/// national ID: the name is in the file's address.
fn ids_in_names<'n>(
    names: impl Iterator<Item = &'n String>,
    dir: &Path,
    site_dir: &Path,
) -> Vec<Diagnostic> {
    names
        .filter_map(|name| {
            let file = paths::relative_to(site_dir, &dir.join(name));
            Some(news::personal_id::in_file_name(name)?.in_file(file))
        })
        .collect()
}

fn listed(refs: &Option<Vec<FileRef>>) -> impl Iterator<Item = &FileRef> {
    refs.iter().flatten()
}

/// Checks the files an item names.
struct Files<'s, 'a> {
    sink: &'s mut Sink<'a>,
    dir: &'s Path,
    /// The item's folder as shown in messages.
    shown: std::path::PathBuf,
    config: &'s SiteConfig,
}

impl Files<'_, '_> {
    /// A plain name of a file in the item's folder.
    fn present(&mut self, r: &FileRef, key: &str) -> bool {
        let place = r.place.or_else(|| self.sink.locate.key(key));
        let name = r.file.trim();
        if !paths::is_safe_relative(name) {
            let m = Message::new("content.unsafe_path").arg("file", name);
            self.sink.error(Code::UnsafePath, m, place, None);
            return false;
        }
        if !self.dir.join(name).is_file() {
            let m = Message::new("content.missing_file")
                .arg("file", name)
                .arg("dir", self.shown.display());
            self.sink.error(Code::MissingFile, m, place, None);
            return false;
        }
        true
    }

    /// A document type the site publishes.
    fn publishable(&mut self, r: &FileRef) -> bool {
        if super::is_document(Path::new(&r.file), self.config) {
            return true;
        }
        let m = Message::new("content.disallowed_attachment").arg("file", &r.file);
        let place = r.place.or_else(|| self.sink.locate.key("attachments"));
        self.sink.error(Code::DisallowedFileType, m, place, None);
        false
    }
}
