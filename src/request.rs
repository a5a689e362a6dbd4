//! Step 1: reading a publicity request from `requests/`.
//!
//! A request is an entry directly under `requests/`: a folder holding one
//! Markdown file (YAML front matter) or one `request.yaml`, plus its photos
//! and attachments; or a single `.md` / `.yaml` file. Reading never judges
//! the content (that is [`crate::check`]); it only finds the text, decodes
//! it (UTF-8, else Windows-874/TIS-620), splits front matter from body and
//! keeps byte offsets so every problem can point at its line.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The report file khao writes inside a request folder.
pub const REPORT_FILE: &str = "khao-report.txt";
/// The suffix of the report file beside a single-file request.
pub const REPORT_SUFFIX: &str = ".report.txt";

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
        .filter(|e| {
            let p = e.path();
            p.is_dir() || is_text_name(&p)
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// `.md`, `.markdown`, `.yaml` or `.yml`.
pub fn is_text_name(path: &Path) -> bool {
    matches!(ext_lower(path).as_str(), "md" | "markdown" | "yaml" | "yml")
}

/// The extension in lower case, without the dot ("" when there is none).
pub fn ext_lower(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
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
    /// True for `request.yaml`-style requests (the body is the `body:` key).
    pub yaml_only: bool,
    /// The YAML part: `text[yaml_start..yaml_end]`.
    pub yaml_start: usize,
    pub yaml_end: usize,
    /// The Markdown body of a `.md` request: `text[body_start..]`.
    pub body_start: Option<usize>,
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
    /// The YAML text.
    pub fn yaml(&self) -> &str {
        &self.text[self.yaml_start..self.yaml_end]
    }

    /// The 1-based line of byte `offset` of the text.
    pub fn line_of(&self, offset: usize) -> usize {
        line_of(&self.text, offset)
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
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Byte offset where 1-based `line` starts.
pub fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
        .unwrap_or(text.len())
}

/// Decodes bytes as UTF-8 (a BOM is dropped), else as Windows-874/TIS-620.
/// Returns the text and whether the legacy encoding was used.
pub fn decode_text(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let (cow, _, _) = encoding_rs::WINDOWS_874.decode(bytes);
            (cow.into_owned(), true)
        }
    }
}

/// Reads the request at `path` (a folder or a single file).
pub fn read(path: &Path) -> Result<Request, ReadProblem> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = std::fs::metadata(path).map_err(|e| ReadProblem::Io {
        file: PathBuf::from(&name),
        error: e.to_string(),
    })?;
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
    let bytes = std::fs::read(&full).map_err(|e| ReadProblem::Io {
        file: text_file.clone(),
        error: e.to_string(),
    })?;
    let (text, legacy_encoding) = decode_text(&bytes);
    let yaml_only = matches!(ext_lower(&text_file).as_str(), "yaml" | "yml");
    let (yaml_start, yaml_end, body_start) = if yaml_only {
        (0, text.len(), None)
    } else {
        split_front_matter(&text).map_err(|unclosed| {
            if unclosed {
                ReadProblem::UnclosedFrontMatter {
                    file: text_file.clone(),
                }
            } else {
                ReadProblem::NoFrontMatter {
                    file: text_file.clone(),
                }
            }
        })?
    };
    Ok(Request {
        path: path.to_path_buf(),
        name,
        is_dir,
        text_file,
        text,
        legacy_encoding,
        yaml_only,
        yaml_start,
        yaml_end,
        body_start,
        files,
        modified,
    })
}

/// Splits `---\nYAML\n---\nbody`: (yaml start, yaml end, body start).
/// `Err(true)` when the block is not closed, `Err(false)` when there is none.
fn split_front_matter(text: &str) -> Result<(usize, usize, Option<usize>), bool> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(false);
    }
    let yaml_start = first.len();
    let mut pos = yaml_start;
    for line in lines {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok((yaml_start, pos, Some(pos + line.len())));
        }
        pos += line.len();
    }
    Err(true)
}

/// Every non-ignored file under `dir`, relative to it, sorted; and the newest
/// modification time. Symbolic links are listed, not followed.
fn list_files(dir: &Path) -> (Vec<PathBuf>, SystemTime) {
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
        ] {
            assert!(is_ignored(n), "{n}");
        }
        assert!(!is_ignored("photo.jpg"));
    }

    #[test]
    fn splits_front_matter() {
        let t = "---\ntitle: x\n---\nbody\n";
        let (a, b, c) = split_front_matter(t).unwrap();
        assert_eq!(&t[a..b], "title: x\n");
        assert_eq!(&t[c.unwrap()..], "body\n");
        assert_eq!(split_front_matter("title: x\n"), Err(false));
        assert_eq!(split_front_matter("---\ntitle: x\n"), Err(true));
    }

    #[test]
    fn decodes_bom_and_tis620() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), ("abc".to_string(), false));
        // "ข่าว" in TIS-620
        let (s, legacy) = decode_text(&[0xA2, 0xE8, 0xD2, 0xC7]);
        assert!(legacy);
        assert_eq!(s, "ข่าว");
    }

    #[test]
    fn lines() {
        let t = "a\nb\nc";
        assert_eq!(line_of(t, 0), 1);
        assert_eq!(line_of(t, 2), 2);
        assert_eq!(line_start(t, 3), 4);
    }
}
