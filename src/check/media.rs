//! A request's photos and attachments: each file it names (or, when it
//! names none, each it holds) must be a plain name inside the folder, be
//! there, and pass the file checks of [`super::files`]; files nobody names
//! are reported, and the cover must be one of them.

use std::path::{Component, Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::news::{Attachment, Fields, FileRef, Photo, Sink};
use crate::plumbing::paths::{self, ext_lower};
use crate::request::Request;

use super::files;

/// What the request would publish.
#[derive(Debug, Default)]
pub struct Resolved {
    pub images: Vec<Photo>,
    pub attachments: Vec<Attachment>,
    pub cover: Option<String>,
}

/// Checks the photos and attachments of `req`. With `media: false` the
/// files are only looked up, not read.
pub fn check(
    sink: &mut Sink,
    req: &Request,
    f: &Fields,
    config: &SiteConfig,
    site_dir: &Path,
    media: bool,
) -> Resolved {
    let is_attachment_ext = |ext: &str| {
        config
            .attachments
            .types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(ext))
    };
    let found = |keep: &dyn Fn(&str) -> bool| -> Vec<FileRef> {
        req.files
            .iter()
            .filter(|p| keep(&ext_lower(p)))
            .map(|p| FileRef {
                file: paths::slash(p),
                text: String::new(),
                place: None,
            })
            .collect()
    };
    let images = f
        .images
        .clone()
        .unwrap_or_else(|| found(&|e| files::is_photo_ext(e)));
    let attachments = f
        .attachments
        .clone()
        .unwrap_or_else(|| found(&|e| !files::is_photo_ext(e) && is_attachment_ext(e)));

    let cache = paths::cache_dir(site_dir, "check");
    let mut out = Resolved::default();
    // What the text names, usable or not (what is not was reported where
    // it is named).
    let named: Vec<String> = images
        .iter()
        .chain(&attachments)
        .map(|r| r.file.replace('\\', "/"))
        .collect();
    for r in &images {
        if let Some(name) = usable(sink, req, r) {
            if media {
                let problems =
                    files::check_photo(&req.dir().join(&name), &name, config, Some(&cache));
                report(sink, r, &name, problems);
            }
            if r.text.is_empty() {
                let m = Message::new("check.missing_alt").arg("file", &name);
                report(
                    sink,
                    r,
                    &name,
                    vec![Diagnostic::warning(Code::MissingAlt, m)],
                );
            }
            out.images.push(Photo {
                file: name.clone(),
                alt: r.text.clone(),
            });
        }
    }
    for r in &attachments {
        if let Some(name) = usable(sink, req, r) {
            if media {
                let file = req.dir().join(&name);
                let problems = files::check_attachment(&file, &name, config, Some(&cache));
                report(sink, r, &name, problems);
            }
            let title = if r.text.is_empty() {
                stem(&name)
            } else {
                r.text.clone()
            };
            out.attachments.push(Attachment {
                file: name.clone(),
                title,
            });
        }
    }
    unnamed_files(sink, req, &named, config);
    out.cover = cover(sink, req, f, &out.images);
    personal_data_in_names(sink, req, &out);
    out
}

/// National ID and mobile numbers in the names of the files the news
/// publishes: the name is published too, in the file's address and as the
/// attachment's title. An ID in a name the text holds was found with the
/// text (the ID check reads all of it); mobile numbers are looked for in
/// the body and the published fields only, so in every name here.
fn personal_data_in_names(sink: &mut Sink, req: &Request, out: &Resolved) {
    let names = (out.images.iter().map(|p| &p.file)).chain(out.attachments.iter().map(|a| &a.file));
    for name in names {
        let file = PathBuf::from(name);
        if !req.text.contains(name.as_str())
            && let Some(d) = crate::news::personal_id::in_file_name(name)
        {
            sink.diags.push(d.in_file(file.clone()));
        }
        if let Some(r) = crate::news::phone::find(name).first() {
            let m = Message::new("check.personal_phone_name")
                .arg("file", name)
                .arg("number", &name[r.clone()]);
            sink.diags
                .push(Diagnostic::warning(Code::PersonalPhone, m).in_file(file));
        }
    }
}

/// The name of a referenced file when it is a plain name of a file inside
/// the request folder; otherwise the problem is reported and `None`.
fn usable(sink: &mut Sink, req: &Request, r: &FileRef) -> Option<String> {
    let name = r.file.replace('\\', "/");
    let needle = Some(r.file.as_str());
    if is_unsafe(&name) {
        let m = Message::new("check.unsafe_path").arg("file", &name);
        sink.error(Code::UnsafePath, m, r.place, needle);
        return None;
    }
    if !req.is_dir {
        let m = Message::new("check.single_file_media").arg("file", &name);
        sink.error(Code::MissingFile, m, r.place, needle);
        return None;
    }
    let dir = req.dir();
    let full = dir.join(&name);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        let names = req.files.iter().filter_map(|p| p.to_str());
        let m = match crate::config::nearest(&name, names) {
            Some(n) => Message::new("check.missing_file_near").arg("near", n),
            None => Message::new("check.missing_file"),
        };
        sink.error(Code::MissingFile, m.arg("file", &name), r.place, needle);
        return None;
    };
    if meta.file_type().is_symlink() {
        let canon_dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let inside = std::fs::canonicalize(&full).is_ok_and(|t| t.starts_with(&canon_dir));
        if !inside {
            let m = Message::new("check.symlink_out").arg("file", &name);
            sink.error(Code::UnsafePath, m, r.place, needle);
            return None;
        }
    }
    if !is_regular(&full) {
        let m = Message::new("check.not_a_file").arg("file", &name);
        sink.error(Code::DisallowedFileType, m, r.place, needle);
        return None;
    }
    Some(name)
}

/// Whether `path` is a file with bytes to read: not a folder, a named
/// pipe or a device (see [`crate::plumbing::fs::open_regular`]).
fn is_regular(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Reports problems of a file: at the line that names it, or — found in
/// the folder, named nowhere — on the file itself.
fn report(sink: &mut Sink, r: &FileRef, name: &str, problems: Vec<Diagnostic>) {
    for d in problems {
        if r.place.is_some() {
            sink.push(d, r.place, Some(&r.file));
        } else {
            sink.diags.push(d.in_file(PathBuf::from(name)));
        }
    }
}

/// Files in the folder that nothing names: photos and documents are left
/// out (a warning), anything else must not be there at all.
fn unnamed_files(sink: &mut Sink, req: &Request, named: &[String], config: &SiteConfig) {
    for p in &req.files {
        let name = paths::slash(p);
        if named.contains(&name) {
            continue;
        }
        if !is_regular(&req.dir().join(p)) {
            let m = Message::new("check.not_a_file").arg("file", &name);
            sink.diags
                .push(Diagnostic::error(Code::DisallowedFileType, m).in_file(p.clone()));
            continue;
        }
        let ext = ext_lower(p);
        let allowed = config
            .attachments
            .types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&ext));
        if files::is_photo_ext(&ext) || allowed {
            let m = Message::new("check.unused_file").arg("file", &name);
            sink.warning(Code::UnusedFile, m, None, None);
        } else {
            let m = Message::new("check.stray_file")
                .arg("file", &name)
                .arg("types", config.attachments.types.join(", "));
            sink.diags
                .push(Diagnostic::error(Code::DisallowedFileType, m).in_file(p.clone()));
        }
    }
}

/// The cover: the one named (which must be in the folder), else the first photo.
fn cover(sink: &mut Sink, req: &Request, f: &Fields, images: &[Photo]) -> Option<String> {
    let Some((c, place)) = &f.cover else {
        return images.first().map(|i| i.file.clone());
    };
    let known =
        images.iter().any(|i| i.file == *c) || req.files.iter().any(|p| paths::slash(p) == *c);
    if !known {
        let m = Message::new("check.missing_cover").arg("file", c);
        sink.error(Code::MissingFile, m, *place, Some(c));
    }
    Some(c.clone())
}

/// An absolute path, a drive letter or `..`: never inside the folder.
pub(super) fn is_unsafe(name: &str) -> bool {
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

fn stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
