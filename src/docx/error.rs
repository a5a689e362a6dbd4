//! Why a `.docx` could not be read at all.
//!
//! Every variant maps to one of two diagnostic codes: `old-word-format`
//! for a Word 97–2003 file, and `bad-document` for everything else. Problems *inside* a readable document
//! (an unsafe link, a vector picture...) are not errors but
//! [`Finding`](super::Finding)s, so one bad link does not lose the request.

use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;

/// A `.docx` that cannot be read. `Display` is English and technical (the
/// detail of a report); [`Failure::message`] says what staff should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    /// A Word 97–2003 binary document (OLE2 compound file). Staff should
    /// save it again as "Word Document (.docx)".
    #[error("a Word 97-2003 document (.doc), not .docx")]
    OldWordFormat,
    /// An OLE2 compound file holding an `EncryptedPackage`: a `.docx`
    /// protected with a password to open. It cannot be read without it.
    #[error("the document is protected with a password")]
    Encrypted,
    /// Not a zip archive at all. `found` names what it looks like instead
    /// when that is cheap to tell (`"pdf"`, `"rtf"`, `"html"`, `"jpeg"`, `"png"`).
    #[error("not a .docx (not a zip archive){}", found.map(|f| format!("; looks like {f}")).unwrap_or_default())]
    NotZip { found: Option<&'static str> },
    /// A zip archive that cannot be read: truncated, damaged, encrypted
    /// entries, a compression method we do not support...
    #[error("damaged document: {detail}")]
    Corrupt { detail: String },
    /// A zip archive, but another kind of document: `"xlsx"`, `"pptx"`,
    /// `"odt"`, `"ods"`, `"odp"`, `"epub"` or plain `"zip"`.
    #[error("not a Word document: this is a {found} file")]
    NotWord { found: &'static str },
    /// More zip entries than [`Limits::max_entries`](super::Limits::max_entries).
    #[error("too many parts in the document ({count}, at most {limit})")]
    TooManyEntries { count: usize, limit: usize },
    /// One part expands (or says it expands) past
    /// [`Limits::max_part_bytes`](super::Limits::max_part_bytes).
    #[error("part {part} expands past {limit} bytes")]
    PartTooLarge { part: String, limit: u64 },
    /// The parts together expand (or say they expand) past
    /// [`Limits::max_total_bytes`](super::Limits::max_total_bytes).
    #[error("the document expands past {limit} bytes in total")]
    TotalTooLarge { limit: u64 },
    /// XML nested deeper than [`Limits::max_xml_depth`](super::Limits::max_xml_depth).
    #[error("part {part} is nested deeper than {limit} levels")]
    TooDeep { part: String, limit: usize },
    /// One block of XML (a table, a paragraph) holding more elements at
    /// once than one per 256 bytes of
    /// [`Limits::max_part_bytes`](super::Limits::max_part_bytes): millions
    /// of empty rows, say, which would cost far more memory than the XML.
    #[error("part {part} holds more than {limit} elements in one block")]
    TooComplex { part: String, limit: usize },
    /// An XML part that is not well-formed (or not UTF-8).
    #[error("part {part} is not valid XML: {detail}")]
    BadXml { part: String, detail: String },
    /// A Word-like package without its main document part.
    #[error("the document has no main part (word/document.xml)")]
    MissingDocumentXml,
}

impl Failure for DocxError {
    fn code(&self) -> Code {
        match self {
            DocxError::OldWordFormat => Code::OldWordFormat,
            _ => Code::BadDocument,
        }
    }

    fn message(&self) -> Message {
        match self {
            DocxError::OldWordFormat => Message::new("docx.old_word_format"),
            DocxError::Encrypted => Message::new("docx.encrypted"),
            DocxError::NotWord { found } => Message::new("docx.not_word").arg("found", found),
            DocxError::NotZip { .. }
            | DocxError::Corrupt { .. }
            | DocxError::BadXml { .. }
            | DocxError::MissingDocumentXml => Message::new("docx.damaged").arg("detail", self),
            DocxError::TooManyEntries { .. }
            | DocxError::PartTooLarge { .. }
            | DocxError::TotalTooLarge { .. }
            | DocxError::TooDeep { .. }
            | DocxError::TooComplex { .. } => Message::new("docx.too_large").arg("detail", self),
        }
    }
}
