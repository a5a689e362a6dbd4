//! Step 1: reading a publicity request from `requests/`.
//!
//! A request is an entry directly under `requests/`: a folder holding one
//! Markdown file (YAML front matter) or one `request.yaml`, plus its photos
//! and attachments; or a single `.md` / `.yaml` file. Reading never judges
//! the content (that is [`crate::check`]); it only finds the text, decodes
//! it (UTF-8, else Windows-874/TIS-620) and splits front matter from body,
//! keeping byte offsets so every problem can point at its line.
//!
//! What staff write is a news item ([`crate::news`]); what reading adds is
//! the submission: the folder, its files and when they last changed.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::news::yaml::{self, Split, SplitError};
use crate::plumbing::paths::ext_lower;
use crate::plumbing::text;

/// The report file khao writes inside a request folder.
pub const REPORT_FILE: &str = "khao-report.txt";
/// The suffix of the report file beside a single-file request.
pub const REPORT_SUFFIX: &str = ".report.txt";
/// The suffix of a requester's receipt beside the request (`<name>.receipt.txt`).
pub const RECEIPT_SUFFIX: &str = ".receipt.txt";

/// Files staff tools leave behind, and khao's own files: never part of a request.
pub fn is_ignored(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || lower == "thumbs.db"
        || lower == "desktop.ini"
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower == REPORT_FILE
        || lower.ends_with(REPORT_SUFFIX)
        || lower.ends_with(RECEIPT_SUFFIX)
}

/// The report file of the request at `path` (a folder or a single file).
pub fn report_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(REPORT_FILE)
    } else {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "request".into());
        path.with_file_name(format!("{stem}{REPORT_SUFFIX}"))
    }
}

/// Every request under `requests_dir`, sorted by name. A missing folder has
/// no requests.
pub fn list_requests(requests_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(requests_dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !is_ignored(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .filter(|p| p.is_dir() || is_text_name(p))
        .collect();
    out.sort();
    out
}

/// `.md`, `.markdown`, `.yaml` or `.yml`.
pub fn is_text_name(path: &Path) -> bool {
    matches!(ext_lower(path).as_str(), "md" | "markdown" | "yaml" | "yml")
}

/// The request as read from disk.
#[derive(Debug, Clone)]
pub struct Request {
    /// The entry under `requests/`.
    pub path: PathBuf,
    /// Its file or folder name.
    pub name: String,
    /// A folder (with media) or a single text file.
    pub is_dir: bool,
    /// The text file, relative to the request folder (its own name for a
    /// single file).
    pub text_file: PathBuf,
    /// The whole text, decoded.
    pub text: String,
    /// True when the text was not UTF-8 and was read as Windows-874.
    pub legacy_encoding: bool,
    /// Where the YAML and the body are in `text`.
    pub split: Split,
    /// Every other file of the folder (recursively), relative to it, sorted;
    /// ignored files left out.
    pub files: Vec<PathBuf>,
    /// The newest modification time of the request's files.
    pub modified: SystemTime,
}

/// Why a request could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    /// No text file in the folder.
    NoText,
    /// More than one text file: their names.
    ManyTexts(Vec<PathBuf>),
    /// The `.md` file does not start with a `---` front matter block.
    NoFrontMatter { file: PathBuf },
    /// The front matter has no closing `---`.
    UnclosedFrontMatter { file: PathBuf },
    /// An I/O error (the message).
    Io { file: PathBuf, error: String },
}

impl Request {
    /// The 1-based line of byte `offset` of the text.
    pub fn line_of(&self, offset: usize) -> usize {
        text::line_of(&self.text, offset)
    }

    /// True for `request.yaml`-style requests (the body is the `body:` key).
    pub fn yaml_only(&self) -> bool {
        self.split.body.is_none()
    }

    /// The folder holding the request's media (the request itself for a
    /// folder, its parent for a single file).
    pub fn dir(&self) -> PathBuf {
        if self.is_dir {
            self.path.clone()
        } else {
            self.path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        }
    }

    /// The name the default slug is made from: the folder's, or the single
    /// file's without its extension.
    pub fn slug_base(&self) -> String {
        if self.is_dir {
            self.name.clone()
        } else {
            Path::new(&self.name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        }
    }
}

/// Reads the request at `path` (a folder or a single file).
pub fn read(path: &Path) -> Result<Request, ReadProblem> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let io = |file: &Path, e: std::io::Error| ReadProblem::Io {
        file: file.to_path_buf(),
        error: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| io(Path::new(&name), e))?;
    let is_dir = meta.is_dir();
    let (text_file, files, modified) = if is_dir {
        let (all, modified) = list_files(path);
        let texts: Vec<PathBuf> = all
            .iter()
            .filter(|f| f.components().count() == 1 && is_text_name(f))
            .cloned()
            .collect();
        let text_file = match texts.len() {
            0 => return Err(ReadProblem::NoText),
            1 => texts[0].clone(),
            _ => return Err(ReadProblem::ManyTexts(texts)),
        };
        let files = all.into_iter().filter(|f| *f != text_file).collect();
        (text_file, files, modified)
    } else {
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        (PathBuf::from(&name), Vec::new(), modified)
    };
    let full = if is_dir {
        path.join(&text_file)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&full).map_err(|e| io(&text_file, e))?;
    let (text, legacy_encoding) = text::decode(&bytes);
    let split = if matches!(ext_lower(&text_file).as_str(), "yaml" | "yml") {
        yaml::whole(&text)
    } else {
        yaml::split(&text).map_err(|e| match e {
            SplitError::Unclosed => ReadProblem::UnclosedFrontMatter {
                file: text_file.clone(),
            },
            SplitError::Missing => ReadProblem::NoFrontMatter {
                file: text_file.clone(),
            },
        })?
    };
    Ok(Request {
        path: path.to_path_buf(),
        name,
        is_dir,
        text_file,
        text,
        legacy_encoding,
        split,
        files,
        modified,
    })
}

/// Every non-ignored file under `dir`, relative to it, sorted; and the newest
/// modification time. Symbolic links are listed, not followed.
pub fn list_files(dir: &Path) -> (Vec<PathBuf>, SystemTime) {
    let mut out = Vec::new();
    let mut newest = SystemTime::UNIX_EPOCH;
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker.filter_map(Result::ok) {
        if let Ok(meta) = entry.path().symlink_metadata()
            && let Ok(m) = meta.modified()
        {
            newest = newest.max(m);
        }
        if entry.file_type().is_dir() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            out.push(rel.to_path_buf());
        }
    }
    out.sort();
    (out, newest)
}

/// When the request at `path` last changed: the newest modification or
/// status-change time of its files (khao's own report left out). The
/// status-change time matters: Windows sets a copied file's modification
/// time back to the original's, but cannot set its ctime.
pub fn last_change(path: &Path) -> Option<SystemTime> {
    if !path.is_dir() {
        return changed(&std::fs::symlink_metadata(path).ok()?);
    }
    walkdir::WalkDir::new(path)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()))
        .filter_map(Result::ok)
        .filter_map(|e| e.path().symlink_metadata().ok())
        .filter_map(|m| changed(&m))
        .max()
}

/// The later of a file's modification and status-change times.
pub fn changed(meta: &std::fs::Metadata) -> Option<SystemTime> {
    let modified = meta.modified().ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ctime = std::time::UNIX_EPOCH
            + std::time::Duration::new(
                meta.ctime().max(0) as u64,
                meta.ctime_nsec().clamp(0, 999_999_999) as u32,
            );
        return Some(modified.max(ctime));
    }
    #[cfg(not(unix))]
    Some(modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_what_staff_tools_leave() {
        for n in [
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            "~$ข่าว.docx",
            "a.tmp",
            "photo.jpg.part",
            "khao-report.txt",
            "ข่าว.report.txt",
            "ข่าว.receipt.txt",
        ] {
            assert!(is_ignored(n), "{n}");
        }
        assert!(!is_ignored("photo.jpg"));
    }
}
