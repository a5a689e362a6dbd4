//! The plain data the reader returns: no I/O, no printing, no khao types.
//!
//! Places are numbered as the crate documentation says ("How places are
//! numbered").

/// Bounds against hostile files. Every limit is checked before or while
/// inflating, never after, so memory and time stay bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most zip entries accepted (real documents have 10–100).
    pub max_entries: usize,
    /// Most bytes one part may expand to (the main XML or one picture).
    pub max_part_bytes: u64,
    /// Most bytes all parts together may expand to, as declared by the zip
    /// directory and as actually read.
    pub max_total_bytes: u64,
    /// Deepest XML element nesting accepted in any part.
    pub max_xml_depth: usize,
}

impl Default for Limits {
    /// 2000 entries, 64 MiB per part, 256 MiB in total, depth 256: far above
    /// any real request, far below what would hurt the machine.
    fn default() -> Self {
        Limits {
            max_entries: 2000,
            max_part_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_xml_depth: 256,
        }
    }
}

/// A request read from a `.docx`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The paragraph number (see the crate docs) of the fields table: the
    /// first table of the document. `None` when the document has no table;
    /// then `fields` is empty and `body` is the whole document.
    pub fields_table: Option<usize>,
    /// The rows of the fields table whose label is known, in table order.
    /// Duplicated labels give several rows; khao decides.
    pub fields: Vec<FieldRow>,
    /// Rows whose label is not known, with the nearest known label.
    pub unknown_labels: Vec<UnknownLabel>,
    /// Everything after the fields table, as Markdown (CommonMark with pipe
    /// tables), ending with a newline unless empty. Pictures are not in it:
    /// they are in `pictures`, with their paragraph numbers.
    pub body: String,
    /// For each line of `body` (index 0 is line 1), the paragraph number it
    /// came from. A blank separator line has the number of the line above.
    pub body_lines: Vec<usize>,
    /// Pictures from the fields table on, in document order, each once.
    pub pictures: Vec<Picture>,
    /// Problems inside the document, in document order.
    pub findings: Vec<Finding>,
}

/// One row of the fields table with a known label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// 1-based row within the fields table.
    pub row: usize,
    /// The field key: `"title"`, `"requester.group"`... (see [`super::FIELDS`]).
    pub key: &'static str,
    /// The label as typed, trimmed.
    pub label: String,
    /// The value cell's text, as typed: trimmed, paragraphs and line breaks
    /// joined with `\n`, no Markdown. Empty when the cell is empty.
    pub value: String,
}

/// A row of the fields table whose label is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLabel {
    /// 1-based row within the fields table.
    pub row: usize,
    /// The label as typed, trimmed.
    pub label: String,
    /// The value cell's text, as in [`FieldRow::value`].
    pub value: String,
    /// The nearest known label, in the same script as what was typed (a
    /// Thai label for Thai text, the English key for ASCII), when one is
    /// reasonably close.
    pub nearest: Option<&'static str>,
}

/// One embedded picture, to become a news photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// A stable, safe ASCII name: `word-photo-N.EXT`, N counting pictures
    /// from 1 in document order, EXT from the bytes' magic number (`jpg`,
    /// `png`, `gif`, `webp`, `bmp`, `tif`, `emf`, `wmf`, `svg`, `heic`...)
    /// or else the media name's extension, or `bin`.
    pub file_name: String,
    /// The zip part it came from, e.g. `word/media/image1.jpeg`.
    pub media_path: String,
    /// The original bytes, untouched (khao sniffs and checks them).
    pub bytes: Vec<u8>,
    /// Word's alt text ("Edit Alt Text", `wp:docPr/@descr`, or the VML
    /// shape's `alt`), trimmed; `None` when empty. Never the automatic
    /// "Picture 1" name.
    pub alt: Option<String>,
    /// Word 365's "Mark as decorative": no alt text is intended.
    pub decorative: bool,
    /// The paragraph number (see the crate docs) where it first appears.
    pub paragraph: usize,
    /// An EMF or WMF vector picture, which browsers cannot show. A
    /// [`Finding::VectorPicture`] is reported too.
    pub vector: bool,
}

/// A problem inside a readable document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A `javascript:`, `vbscript:` or `data:` link. Its text is kept in
    /// the body as plain text, without the link. khao: `unsafe-html`.
    UnsafeLink {
        url: String,
        text: String,
        paragraph: usize,
    },
    /// A link to a file on the writer's computer (`file:` or a drive path
    /// such as `C:\...`), which no reader can open. Kept as plain text.
    LocalLink {
        url: String,
        text: String,
        paragraph: usize,
    },
    /// An EMF/WMF picture (Word's drawing format, often a pasted chart or
    /// a picture copied from another program). It is still in `pictures`.
    VectorPicture { file_name: String, paragraph: usize },
    /// A picture whose data is not in the file: linked to an outside file
    /// ("Link to File"), or pointing at a missing part.
    MissingPicture { paragraph: usize },
    /// A picture above the fields table (a letterhead logo, say): not taken
    /// as a news photo.
    PictureBeforeFields { paragraph: usize },
    /// Content the body cannot carry: `"chart"`, `"smartart"`,
    /// `"equation"`, `"embedded-object"` or `"footnote"` (a footnote's or
    /// endnote's mark; its text is not read). Reported once per paragraph.
    Unsupported {
        what: &'static str,
        paragraph: usize,
    },
    /// Text or a picture hidden in Word (Font → Hidden): left out.
    HiddenText { paragraph: usize },
}

impl Finding {
    /// The paragraph number (see the crate docs) the finding is about.
    pub fn paragraph(&self) -> usize {
        match self {
            Finding::UnsafeLink { paragraph, .. }
            | Finding::LocalLink { paragraph, .. }
            | Finding::VectorPicture { paragraph, .. }
            | Finding::MissingPicture { paragraph }
            | Finding::PictureBeforeFields { paragraph }
            | Finding::Unsupported { paragraph, .. }
            | Finding::HiddenText { paragraph } => *paragraph,
        }
    }
}
