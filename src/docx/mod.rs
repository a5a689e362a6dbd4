//! Reads publicity requests written in Word (`.docx`) and writes the Word
//! template staff fill in (docs/requests.md, "ส่งเป็นไฟล์ Word"). Plumbing:
//! it knows Word, not news; [`crate::check`] turns what it reads into the
//! one news schema.
//!
//! * [`read`] gives a [`Document`]: the fields table rows (raw text, khao
//!   validates values), the body as Markdown, the pictures with their
//!   original bytes and alt text, and [`Finding`]s.
//! * [`has_fields_table`] tells a request `.docx` from an attachment.
//! * [`template()`] writes the `.docx` for `khao new --word`.
//! * [`office_text`] gives the text of a Word, Excel or PowerPoint
//!   attachment, for the national ID check.
//!
//! Hostile files are bounded by [`Limits`]; nothing here panics on input,
//! prints, or touches the file system.
//!
//! # How places are numbered
//!
//! Every diagnostic names either a **row** of the fields table or a
//! **paragraph** of the document, because a `.docx` has no lines.
//!
//! * `row` is 1-based within the fields table, counting every table row
//!   (`w:tr`) from its top, empty rows included. Staff see it as
//!   "ตาราง แถวที่ N".
//! * `paragraph` is 1-based and counts the *top-level blocks* of the
//!   document body from the very start of the document, in order: every
//!   paragraph directly in the body counts one (empty paragraphs too, since
//!   Word shows them as lines), and every table directly in the body counts
//!   one as a whole. Paragraphs inside a content control (`w:sdt`) at body
//!   level count as top-level. Anything inside a table (cell text,
//!   pictures, links) has the table's number; a text box has the number of
//!   the paragraph it is anchored in. Paragraphs above the fields table and
//!   the fields table itself are counted, so the numbers match what staff
//!   count from the top of the page. Staff see it as "ย่อหน้าที่ N".
//!
//! # What khao does with the result
//!
//! The reader maps labels to keys and returns raw text; khao validates the
//! values (dates, category, group, `ใช่`/`ไม่ใช่`), turns
//! [`UnknownLabel`] into `unknown-field`, [`Finding::UnsafeLink`] into
//! `unsafe-html`, a picture without alt text into `missing-alt` (unless
//! [`Picture::decorative`]), runs its photo checks on [`Picture::bytes`],
//! and runs its text checks on [`Document::body`] (table text included).
//! Pictures are not referenced from the body: khao lists them as the news
//! photos, or places them after the body line whose number is
//! [`Picture::paragraph`], as it prefers.

mod body;
mod error;
mod inline;
mod labels;
mod markdown;
#[cfg(test)]
mod markdown_props;
mod package;
mod pictures;
mod reader;
mod scrub;
mod styles;
mod template;
mod text;
mod types;
mod xml;

pub use error::DocxError;
pub use labels::{FIELDS, FieldLabel};
pub(crate) use labels::{LabelMatch, match_label};
pub use package::is_old_word;
pub use reader::{has_fields_table, read, read_picture};
pub use scrub::{pictures, without_gps};
pub use template::template;
pub use text::office_text;
pub use types::{Document, FieldRow, Finding, Limits, Picture, UnknownLabel};
