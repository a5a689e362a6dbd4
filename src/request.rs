//! Step 1: reading a publicity request from `requests/`.
//!
//! A request is an entry directly under `requests/`: a folder holding one
//! Markdown file (YAML front matter), one `request.yaml` or one Word
//! document with a fields table (`.docx`), plus its photos and attachments;
//! or a single `.md` / `.yaml` / `.docx` file. Reading never judges the
//! content (that is [`crate::check`]); it only finds the text, decodes it
//! (UTF-8, else Windows-874/TIS-620) and splits front matter from body,
//! keeping byte offsets so every problem can point at its line — or, for a
//! Word document, reads it ([`crate::docx`]) within safe limits.
//!
//! What staff write is a news item ([`crate::news`]); what reading adds is
//! the submission: the folder, its files and when they last changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::news::yaml::{self, Split, SplitError};
use crate::plumbing::paths::{self, ext_lower};
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

/// Every request under `requests_dir`, sorted by name: each entry but the
/// ignored ones, so a photo or a `.txt` dropped beside the folders is told
/// about rather than passed over in silence. A missing folder has no
/// requests.
pub fn list_requests(requests_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(requests_dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !is_ignored(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// `.md`, `.markdown`, `.yaml` or `.yml`.
pub fn is_text_name(path: &Path) -> bool {
    paths::has_extension(path, &["md", "markdown", "yaml", "yml"])
}

/// A Word document: `.docx`, or an old `.doc` (reported as such).
pub fn is_word_name(path: &Path) -> bool {
    matches!(ext_lower(path).as_str(), "docx" | "doc")
}

/// How much a request's Word document may expand: a phone photo or two
/// per part is plenty, and a bomb is refused before it is inflated.
pub fn word_limits() -> crate::docx::Limits {
    crate::docx::Limits {
        max_part_bytes: 40 * 1024 * 1024,
        max_total_bytes: 160 * 1024 * 1024,
        ..crate::docx::Limits::default()
    }
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
    /// The Word document the request is written in, read.
    pub word: Option<Box<crate::docx::Document>>,
    /// The text is a `.txt` file (`ข่าว.md.txt`: Windows hides the
    /// extension it added): read as Markdown, and refused until renamed.
    pub misnamed: bool,
    /// The Word pictures whose bytes were let go once checked
    /// ([`Request::release_pictures`]), with the digest of what was checked.
    pub released: HashMap<String, blake3::Hash>,
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
    /// A folder of the request khao may not list (its permissions, the
    /// share's): not a request without a text.
    UnreadableFolder { folder: PathBuf, error: String },
    /// A Word document that cannot be read (or a Word 97–2003 `.doc`).
    Word {
        file: PathBuf,
        error: crate::docx::DocxError,
    },
    /// Word documents, none of them with a fields table.
    NoFieldsTable { files: Vec<PathBuf> },
    /// The news text saved as `.txt` (Notepad's default, the extension
    /// hidden by Windows: `ข่าว.md.txt` shows as `ข่าว.md`).
    SavedAsTxt { file: PathBuf },
    /// No news text, but a document of another word processor (`.odt`,
    /// `.rtf`, `.pages`): the news was written, in a kind khao cannot read.
    OtherDocument { file: PathBuf },
    /// A file that is not a news text, put directly in `requests/`.
    Loose { file: PathBuf },
    /// The text is a named pipe, a device or a folder, not a file.
    NotAFile { file: PathBuf },
    /// The text is larger than [`MOST_TEXT_BYTES`]: not news (a video or
    /// a database saved under a text's name).
    TooLarge { file: PathBuf, bytes: u64 },
}

impl ReadProblem {
    /// The text file this problem is in, once it was chosen as the
    /// request's text.
    pub fn file(&self) -> Option<&Path> {
        match self {
            ReadProblem::NoFrontMatter { file }
            | ReadProblem::UnclosedFrontMatter { file }
            | ReadProblem::Io { file, .. }
            | ReadProblem::NotAFile { file }
            | ReadProblem::TooLarge { file, .. } => Some(file),
            _ => None,
        }
    }
}

/// Most bytes of a request's Markdown or YAML text. The longest news of
/// an office runs to some tens of kilobytes; a file of hundreds of
/// megabytes read as text would take `khao watch` gigabytes of memory.
pub const MOST_TEXT_BYTES: u64 = 4 << 20;

/// A document of a word processor other than Word: LibreOffice's
/// `.odt`, `.rtf`, Apple's `.pages`, WPS's `.wps`.
fn is_other_document(path: &Path) -> bool {
    matches!(ext_lower(path).as_str(), "odt" | "rtf" | "pages" | "wps")
}

/// A `.txt` file: a news text saved with Notepad's default type.
fn is_txt_name(path: &Path) -> bool {
    ext_lower(path) == "txt"
}

impl Request {
    /// Lets go of the bytes of the Word document's pictures once checked,
    /// keeping each one's digest: a check of a folder of requests would
    /// otherwise hold every photo of every document at once (1.4 GB for
    /// 100 documents of three phone photos). [`Request::picture`] reads
    /// one again when it is taken in or previewed.
    pub fn release_pictures(&mut self) {
        let Some(doc) = self.word.as_mut() else {
            return;
        };
        for p in &mut doc.pictures {
            if !p.bytes.is_empty() {
                let bytes = std::mem::take(&mut p.bytes);
                self.released
                    .insert(p.file_name.clone(), blake3::hash(&bytes));
            }
        }
    }

    /// The bytes of the Word document's picture `file_name`; `None` when the
    /// request has no such picture. A picture let go of is read again from
    /// the document and must be the one checked: a document changed since
    /// is an error (and the request stays, for the next run).
    pub fn picture(&self, file_name: &str) -> Option<std::io::Result<Vec<u8>>> {
        let doc = self.word.as_ref()?;
        let p = doc.pictures.iter().find(|p| p.file_name == file_name)?;
        Some(match self.released.get(file_name) {
            None => Ok(p.bytes.clone()),
            Some(digest) => self.read_picture_again(&p.media_path, digest),
        })
    }

    fn read_picture_again(
        &self,
        media_path: &str,
        digest: &blake3::Hash,
    ) -> std::io::Result<Vec<u8>> {
        let file = if self.is_dir {
            self.path.join(&self.text_file)
        } else {
            self.path.clone()
        };
        let doc = crate::plumbing::fs::read_regular(&file)?;
        let bytes = crate::docx::read_picture(&doc, media_path, &word_limits())
            .map_err(std::io::Error::other)?;
        match bytes {
            Some(b) if blake3::hash(&b) == *digest => Ok(b),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{media_path} changed after the document was checked"),
            )),
        }
    }

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
    let meta = std::fs::metadata(path).map_err(|e| io(Path::new(&name), e))?;
    let (text_file, files, modified) = if meta.is_dir() {
        let Listing {
            files: all,
            newest: modified,
            unreadable,
        } = list_files(path);
        // A folder khao may not read (its permissions, a share's) is not
        // a folder without a text.
        if let Some((at, e)) = unreadable {
            let file = match at.as_os_str().is_empty() {
                true => PathBuf::from(&name),
                false => Path::new(&name).join(at),
            };
            return Err(ReadProblem::UnreadableFolder {
                folder: file,
                error: e.to_string(),
            });
        }
        let text_file = text_file_of(path, &all)?;
        let files = all.into_iter().filter(|f| *f != text_file).collect();
        (text_file, files, modified)
    } else {
        let file = PathBuf::from(&name);
        if is_txt_name(&file) {
            return Err(ReadProblem::SavedAsTxt { file });
        }
        if !(is_text_name(&file) || is_word_name(&file)) {
            return Err(ReadProblem::Loose { file });
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        (file, Vec::new(), modified)
    };
    let full = if meta.is_dir() {
        path.join(&text_file)
    } else {
        path.to_path_buf()
    };
    if !is_word_name(&text_file)
        && let Ok(m) = std::fs::metadata(&full)
        && m.len() > MOST_TEXT_BYTES
    {
        return Err(ReadProblem::TooLarge {
            file: text_file,
            bytes: m.len(),
        });
    }
    let bytes = crate::plumbing::fs::read_regular(&full).map_err(|e| io(&text_file, e))?;
    let mut request = Request {
        path: path.to_path_buf(),
        name,
        is_dir: meta.is_dir(),
        text_file: text_file.clone(),
        text: String::new(),
        legacy_encoding: false,
        split: yaml::whole(""),
        files,
        modified,
        word: None,
        misnamed: is_txt_name(&text_file),
        released: HashMap::new(),
    };
    if is_word_name(&text_file) {
        let word_problem = |error| ReadProblem::Word {
            file: text_file.clone(),
            error,
        };
        if crate::docx::is_old_word(&bytes) {
            return Err(word_problem(crate::docx::DocxError::OldWordFormat));
        }
        let doc = crate::docx::read(&bytes, &word_limits()).map_err(word_problem)?;
        request.word = Some(Box::new(doc));
        return Ok(request);
    }
    let (text, legacy_encoding) = text::decode(&bytes);
    request.split = if matches!(ext_lower(&text_file).as_str(), "yaml" | "yml") {
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
    request.text = text;
    request.legacy_encoding = legacy_encoding;
    Ok(request)
}

fn io(file: &Path, e: std::io::Error) -> ReadProblem {
    if crate::plumbing::fs::is_not_a_file(&e) {
        return ReadProblem::NotAFile {
            file: file.to_path_buf(),
        };
    }
    ReadProblem::Io {
        file: file.to_path_buf(),
        error: e.to_string(),
    }
}

/// The text a request folder is written in: its one `.md` or
/// `request.yaml`, else its one Word document with a fields table (other
/// Word documents are attachments).
fn text_file_of(dir: &Path, all: &[PathBuf]) -> Result<PathBuf, ReadProblem> {
    let top = |keep: fn(&Path) -> bool| -> Vec<PathBuf> {
        all.iter()
            .filter(|f| f.components().count() == 1 && keep(f))
            .cloned()
            .collect()
    };
    let texts = top(is_text_name);
    match texts.len() {
        1 => return Ok(texts[0].clone()),
        0 => {}
        _ => return Err(ReadProblem::ManyTexts(texts)),
    }
    let words = top(is_word_name);
    if words.is_empty() {
        // Read all the same (the check reports it as misnamed): its other
        // problems are told at once, not after it is renamed.
        let other = || top(is_other_document).into_iter().next();
        return (top(is_txt_name).into_iter().next()).ok_or_else(|| match other() {
            Some(file) => ReadProblem::OtherDocument { file },
            None => ReadProblem::NoText,
        });
    }
    let mut requests = Vec::new();
    let mut unreadable = None;
    for w in &words {
        let bytes = crate::plumbing::fs::read_regular(&dir.join(w)).map_err(|e| io(w, e))?;
        if crate::docx::is_old_word(&bytes) {
            unreadable.get_or_insert((w.clone(), crate::docx::DocxError::OldWordFormat));
            continue;
        }
        match crate::docx::has_fields_table(&bytes, &word_limits()) {
            Ok(true) => requests.push(w.clone()),
            Ok(false) => {}
            Err(error) => {
                unreadable.get_or_insert((w.clone(), error));
            }
        }
    }
    match (requests.len(), unreadable) {
        (1, _) => Ok(requests.remove(0)),
        (0, Some((file, error))) => Err(ReadProblem::Word { file, error }),
        (0, None) => Err(ReadProblem::NoFieldsTable { files: words }),
        _ => Err(ReadProblem::ManyTexts(requests)),
    }
}

/// What [`list_files`] found in a folder.
pub struct Listing {
    /// Every non-ignored file, relative to the folder, sorted.
    pub files: Vec<PathBuf>,
    /// The newest modification time.
    pub newest: SystemTime,
    /// The first folder (relative, empty for the folder itself) that could
    /// not be listed, and why: its files are not in `files`.
    pub unreadable: Option<(PathBuf, std::io::Error)>,
}

/// What is under `dir`. Symbolic links are listed, not followed.
pub fn list_files(dir: &Path) -> Listing {
    let mut listing = Listing {
        files: Vec::new(),
        newest: SystemTime::UNIX_EPOCH,
        unreadable: None,
    };
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let at = e.path().and_then(|p| p.strip_prefix(dir).ok());
                let at = at.map_or_else(PathBuf::new, Path::to_path_buf);
                let error = e.into_io_error();
                let error = error.unwrap_or_else(|| std::io::Error::other("loop"));
                listing.unreadable.get_or_insert((at, error));
                continue;
            }
        };
        if let Ok(meta) = entry.path().symlink_metadata()
            && let Ok(m) = meta.modified()
        {
            listing.newest = listing.newest.max(m);
        }
        if entry.file_type().is_dir() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            listing.files.push(rel.to_path_buf());
        }
    }
    listing.files.sort();
    listing
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
        // An empty folder changed when it was made (or last emptied).
        .or_else(|| changed(&std::fs::symlink_metadata(path).ok()?))
}

/// The later of a file's modification and status-change times.
pub fn changed(meta: &std::fs::Metadata) -> Option<SystemTime> {
    let modified = meta.modified().ok()?;
    #[cfg(unix)]
    let modified = {
        use std::os::unix::fs::MetadataExt;
        let nanos = meta.ctime_nsec().clamp(0, 999_999_999) as u32;
        let ctime =
            std::time::UNIX_EPOCH + std::time::Duration::new(meta.ctime().max(0) as u64, nanos);
        modified.max(ctime)
    };
    Some(modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_changed_when_it_was_made() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ว่าง");
        std::fs::create_dir(&empty).unwrap();
        let made = last_change(&empty).expect("a time");
        assert!(SystemTime::now().duration_since(made).unwrap().as_secs() < 60);
    }

    #[test]
    fn word_pictures_let_go_are_read_again_only_as_checked() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ข่าว");
        std::fs::create_dir(&folder).unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx/good.docx");
        std::fs::copy(&fixture, folder.join("ข่าว.docx")).unwrap();
        let mut req = read(&folder).unwrap();
        let name = req.word.as_ref().unwrap().pictures[0].file_name.clone();
        let before = req.picture(&name).unwrap().unwrap();
        req.release_pictures();
        assert!(req.word.as_ref().unwrap().pictures[0].bytes.is_empty());
        assert_eq!(req.picture(&name).unwrap().unwrap(), before);
        assert!(req.picture("no-such.jpg").is_none());
        // Another document in its place: the checked picture is not there.
        let other =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx/three-photos.docx");
        std::fs::copy(other, folder.join("ข่าว.docx")).unwrap();
        assert!(req.picture(&name).unwrap().is_err());
    }

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
