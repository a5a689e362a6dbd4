//! The zip layer: opens the package and hands out parts, enforcing
//! [`Limits`] before and while anything is inflated.
//!
//! A part is never trusted to be the size it says: its declared size is
//! checked first (refusing an honest bomb without inflating a byte), then
//! every byte actually inflated is counted by [`Metered`], which stops the
//! stream the moment the part or the running total passes its limit (a
//! lying bomb stops there, having used one buffer of memory).

use std::io::{self, BufRead, BufReader, Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use super::xml::{self, Attr, Name};
use super::{DocxError, Limits};

/// The OLE2 compound file magic: Word 97–2003 `.doc`, and also a `.docx`
/// encrypted with a password (an `EncryptedPackage` inside OLE2).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether these bytes are a Word 97–2003 (OLE2) file rather than a
/// `.docx`. A password-protected `.docx` is OLE2 too, but is not old Word:
/// [`read`](super::read) reports it as [`DocxError::Encrypted`].
pub fn is_old_word(bytes: &[u8]) -> bool {
    bytes.starts_with(&OLE_MAGIC) && !is_encrypted_package(bytes)
}

/// Whether an OLE2 file holds an `EncryptedPackage` stream, found by its
/// directory entry name (UTF-16LE). Linear in the file size.
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

/// What a non-zip file looks like, when that is cheap to tell.
fn sniff_not_zip(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if head.starts_with(b"%PDF") {
        Some("pdf")
    } else if head.starts_with(b"{\\rtf") {
        Some("rtf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if head.starts_with(b"\x89PNG") {
        Some("png")
    } else if trimmed.starts_with('<') && text.contains("<html") {
        Some("html")
    } else if trimmed.starts_with("<?xml") {
        Some("xml")
    } else {
        None
    }
}

/// The entry count the zip's end record declares, read before the zip
/// crate parses (and allocates for) the whole central directory: a 17 MB
/// zip of 200,000 empty entries costs it 60 MB and 0.1 s, this a few
/// microseconds. `None` when there is no readable end record; then the zip
/// crate decides, and the count is checked again after it.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let tail_start = bytes.len().saturating_sub(22 + 0xFFFF);
    let at = tail_start + bytes[tail_start..].windows(4).rposition(|w| w == EOCD)?;
    let u16_at = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let count = u16_at(at + 10)?;
    if count != 0xFFFF {
        return Some(u64::from(count));
    }
    // Zip64: the locator just before the end record points at the zip64
    // end record, which holds the 64-bit count.
    let locator = bytes.get(at.checked_sub(20)?..at)?;
    if &locator[..4] != b"PK\x06\x07" {
        return None;
    }
    let offset = usize::try_from(u64::from_le_bytes(locator[8..16].try_into().ok()?)).ok()?;
    let record = bytes.get(offset..offset.checked_add(40)?)?;
    if &record[..4] != b"PK\x06\x06" {
        return None;
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// An open `.docx` zip with its inflation budget.
pub(crate) struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    /// Bytes inflated so far, all parts together.
    used: u64,
}

impl<'a> Package<'a> {
    /// Opens the zip after the cheap checks: OLE2 magic, zip magic, entry
    /// count, and the declared total size.
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, DocxError> {
        if bytes.starts_with(&OLE_MAGIC) {
            return Err(if is_encrypted_package(bytes) {
                DocxError::Encrypted
            } else {
                DocxError::OldWordFormat
            });
        }
        if !bytes.starts_with(b"PK") {
            return Err(DocxError::NotZip {
                found: sniff_not_zip(bytes),
            });
        }
        if let Some(count) = declared_entries(bytes)
            && count > limits.max_entries as u64
        {
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            return Err(DocxError::TooManyEntries {
                count,
                limit: limits.max_entries,
            });
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
        if zip.len() > limits.max_entries {
            return Err(DocxError::TooManyEntries {
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        if zip
            .decompressed_size()
            .is_some_and(|t| t > u128::from(limits.max_total_bytes))
        {
            return Err(DocxError::TotalTooLarge {
                limit: limits.max_total_bytes,
            });
        }
        Ok(Package {
            zip,
            limits: *limits,
            used: 0,
        })
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The names of every part.
    pub(crate) fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
    }

    /// The package written again: the parts named in `replaced` with the
    /// bytes given (compressed as they were), every other part copied as it
    /// is, in the same order.
    pub(crate) fn rewritten(
        &mut self,
        replaced: &std::collections::HashMap<String, Vec<u8>>,
    ) -> Result<Vec<u8>, DocxError> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..self.zip.len() {
            let file = self.zip.by_index_raw(i).map_err(|e| corrupt(&e))?;
            let name = file.name().map_err(|e| corrupt(&e))?.into_owned();
            match replaced.get(&name) {
                Some(bytes) => {
                    let options = zip::write::SimpleFileOptions::default()
                        .compression_method(file.compression())
                        .last_modified_time(file.last_modified().unwrap_or_default());
                    drop(file);
                    out.start_file(name, options).map_err(|e| corrupt(&e))?;
                    out.write_all(bytes).map_err(|e| io_corrupt("zip", &e))?;
                }
                None => out.raw_copy_file(file).map_err(|e| corrupt(&e))?,
            }
        }
        let written = out.finish().map_err(|e| corrupt(&e))?;
        Ok(written.into_inner())
    }

    /// Whether a part exists, by exact name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The part's exact name in the zip: `name` itself, or `name`
    /// percent-decoded (relationship targets are URIs, zip names are not).
    pub(crate) fn find(&self, name: &str) -> Option<String> {
        if self.has(name) {
            return Some(name.to_string());
        }
        let decoded = percent_decode(name)?;
        self.has(&decoded).then_some(decoded)
    }

    /// Streams one part through `f`, counted against the limits. `None`
    /// when the part does not exist.
    pub(crate) fn with_part<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut dyn BufRead) -> Result<T, DocxError>,
    ) -> Result<Option<T>, DocxError> {
        let part_limit = self.limits.max_part_bytes;
        let total_limit = self.limits.max_total_bytes;
        let total_left = total_limit.saturating_sub(self.used);
        let file = match self.zip.by_name(name) {
            Ok(file) => file,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(corrupt(&e)),
        };
        if file.size() > part_limit {
            return Err(DocxError::PartTooLarge {
                part: name.to_string(),
                limit: part_limit,
            });
        }
        if file.size() > total_left {
            return Err(DocxError::TotalTooLarge { limit: total_limit });
        }
        let meter = Metered {
            inner: file,
            part_left: part_limit,
            total_left,
            read: 0,
            over: None,
        };
        let mut reader = BufReader::with_capacity(64 * 1024, meter);
        let result = f(&mut reader);
        let meter = reader.into_inner();
        self.used = self.used.saturating_add(meter.read);
        match meter.over {
            Some(Over::Part) => Err(DocxError::PartTooLarge {
                part: name.to_string(),
                limit: part_limit,
            }),
            Some(Over::Total) => Err(DocxError::TotalTooLarge { limit: total_limit }),
            None => result.map(Some),
        }
    }

    /// One whole part in memory (for pictures and small XML parts).
    pub(crate) fn read_part(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocxError> {
        self.with_part(name, |r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out).map_err(|e| io_corrupt(name, &e))?;
            Ok(out)
        })
    }

    /// The relationships of a part (`word/document.xml` →
    /// `word/_rels/document.xml.rels`); empty when it has none.
    pub(crate) fn rels_of(&mut self, part: &str) -> Result<Rels, DocxError> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let rels_name = if dir.is_empty() {
            format!("_rels/{file}.rels")
        } else {
            format!("{dir}/_rels/{file}.rels")
        };
        let limits = self.limits;
        let tree = self.with_part(&rels_name, |r| xml::parse_tree(r, &rels_name, &limits))?;
        Ok(tree.map(|t| Rels::from_tree(&t, part)).unwrap_or_default())
    }

    /// The main document part, found through `_rels/.rels` as Word does,
    /// else `word/document.xml`; or why this is not a Word document.
    pub(crate) fn main_part(&mut self) -> Result<String, DocxError> {
        let root = self.rels_of("")?;
        let target = root.by_type("/officeDocument").map(|r| r.target.clone());
        if let Some(t) = &target {
            if t.starts_with("xl/") {
                return Err(DocxError::NotWord { found: "xlsx" });
            }
            if t.starts_with("ppt/") {
                return Err(DocxError::NotWord { found: "pptx" });
            }
        }
        for name in target
            .iter()
            .map(String::as_str)
            .chain(["word/document.xml"])
        {
            if let Some(found) = self.find(name) {
                return Ok(found);
            }
        }
        Err(self.what_else())
    }

    /// Names the kind of a zip that has no Word main part.
    fn what_else(&mut self) -> DocxError {
        if self.has("xl/workbook.xml") {
            return DocxError::NotWord { found: "xlsx" };
        }
        if self.has("ppt/presentation.xml") {
            return DocxError::NotWord { found: "pptx" };
        }
        if let Ok(Some(m)) = self.read_part("mimetype") {
            let m = String::from_utf8_lossy(&m[..m.len().min(200)]).to_string();
            for (suffix, found) in [
                ("opendocument.text", "odt"),
                ("opendocument.spreadsheet", "ods"),
                ("opendocument.presentation", "odp"),
                ("epub+zip", "epub"),
            ] {
                if m.contains(suffix) {
                    return DocxError::NotWord { found };
                }
            }
        }
        let wordish = self
            .zip
            .file_names()
            .any(|n| n.is_ok_and(|n| n.starts_with("word/")));
        if wordish {
            DocxError::MissingDocumentXml
        } else {
            DocxError::NotWord { found: "zip" }
        }
    }
}

/// Which limit a [`Metered`] stream passed.
#[derive(Debug, Clone, Copy)]
enum Over {
    Part,
    Total,
}

/// Counts inflated bytes and fails the stream once a limit is passed, so
/// an XML parser reading from it stops at once.
struct Metered<R> {
    inner: R,
    part_left: u64,
    total_left: u64,
    read: u64,
    over: Option<Over>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.over.is_some() {
            return Err(io::Error::other("size limit passed"));
        }
        let n = self.inner.read(buf)? as u64;
        self.read += n;
        if n > self.part_left {
            self.over = Some(Over::Part);
        } else if n > self.total_left {
            self.over = Some(Over::Total);
        }
        if self.over.is_some() {
            return Err(io::Error::other("size limit passed"));
        }
        self.part_left -= n;
        self.total_left -= n;
        Ok(n as usize)
    }
}

fn corrupt(e: &ZipError) -> DocxError {
    DocxError::Corrupt {
        detail: e.to_string(),
    }
}

pub(crate) fn io_corrupt(part: &str, e: &io::Error) -> DocxError {
    DocxError::Corrupt {
        detail: format!("{part}: {e}"),
    }
}

/// One relationship: where an `r:id` points.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rel {
    pub kind: String,
    /// For an internal target, the resolved part name; for an external
    /// one (a hyperlink, a linked picture), the URL as written.
    pub target: String,
    pub external: bool,
}

/// The relationships of one part, by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rels {
    by_id: std::collections::HashMap<String, Rel>,
}

impl Rels {
    fn from_tree(tree: &xml::Element, source_part: &str) -> Rels {
        let mut by_id = std::collections::HashMap::new();
        for el in tree.descendants(Name::Relationship) {
            let (Some(id), Some(target)) = (el.attr(Attr::Id), el.attr(Attr::Target)) else {
                continue;
            };
            let external = el
                .attr(Attr::TargetMode)
                .is_some_and(|m| m.eq_ignore_ascii_case("external"));
            let target = if external {
                target.to_string()
            } else {
                match resolve_part(source_part, target) {
                    Some(t) => t,
                    None => continue,
                }
            };
            let kind = el.attr(Attr::Type).unwrap_or_default().to_string();
            by_id.entry(id.to_string()).or_insert(Rel {
                kind,
                target,
                external,
            });
        }
        Rels { by_id }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Rel> {
        self.by_id.get(id)
    }

    /// The first relationship whose type URI ends with `suffix` (so both
    /// transitional and strict OOXML type URIs match).
    pub(crate) fn by_type(&self, suffix: &str) -> Option<&Rel> {
        let mut matching: Vec<(&String, &Rel)> = self
            .by_id
            .iter()
            .filter(|(_, r)| !r.external && r.kind.ends_with(suffix))
            .collect();
        matching.sort_by(|a, b| a.0.cmp(b.0));
        matching.first().map(|(_, r)| *r)
    }
}

/// The part name a relationship target means, relative to the part that
/// holds the relationship. `None` when it climbs above the package root.
pub(crate) fn resolve_part(source_part: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or_default();
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        let dir = source_part.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        parts.extend(dir.split('/').filter(|s| !s.is_empty()));
    }
    for seg in target.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `%XX` decoding for part names; `None` when nothing changes or the
/// result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_targets() {
        assert_eq!(
            resolve_part("word/document.xml", "media/a.png").as_deref(),
            Some("word/media/a.png")
        );
        assert_eq!(
            resolve_part("word/document.xml", "/word/media/a.png").as_deref(),
            Some("word/media/a.png")
        );
        assert_eq!(
            resolve_part("word/document.xml", "../media/a.png").as_deref(),
            Some("media/a.png")
        );
        assert_eq!(resolve_part("word/document.xml", "../../a.png"), None);
        assert_eq!(
            resolve_part("", "word/document.xml").as_deref(),
            Some("word/document.xml")
        );
    }

    #[test]
    fn decodes_percent() {
        assert_eq!(percent_decode("a%20b.png").as_deref(), Some("a b.png"));
        assert_eq!(percent_decode("a%2").as_deref(), Some("a%2"));
        assert_eq!(percent_decode("ab"), None);
    }

    #[test]
    fn magic() {
        let mut doc = OLE_MAGIC.to_vec();
        doc.extend([0; 100]);
        assert!(is_old_word(&doc));
        doc.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(!is_old_word(&doc));
        assert!(!is_old_word(b"PK\x03\x04"));
        assert_eq!(sniff_not_zip(b"%PDF-1.7"), Some("pdf"));
        let mut eocd = b"PK\x05\x06\0\0\0\0\x10\x27\x10\x27".to_vec();
        eocd.resize(22, 0);
        assert_eq!(declared_entries(&eocd), Some(10_000));
        assert_eq!(declared_entries(&eocd[..11]), None);
    }
}
