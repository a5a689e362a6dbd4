//! The two entry points that read a `.docx`: [`read`] for everything, and
//! [`has_fields_table`] for the cheap "is this the request or an
//! attachment?" question khao asks of every `.docx` in a folder.

use std::ops::ControlFlow;

use super::body::{self, BodyBuilder};
use super::inline::Env;
use super::package::{Package, Rels};
use super::styles::Styles;
use super::xml::{self, Element, Name};
use super::{Document, DocxError, Limits, pictures};

/// Reads a request from `.docx` bytes: the fields table, the body as
/// Markdown, the pictures with their bytes, and findings. Never panics;
/// time and memory are bounded by `limits` and the input size.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocxError> {
    let mut pkg = Package::open(bytes, limits)?;
    let main = pkg.main_part()?;
    let rels = pkg.rels_of(&main)?;
    let styles = Styles::new(
        related_tree(&mut pkg, &rels, "/styles")?.as_ref(),
        related_tree(&mut pkg, &rels, "/numbering")?.as_ref(),
    );
    let env = Env {
        styles: &styles,
        rels: &rels,
    };
    let mut builder = BodyBuilder::new(env, limits.max_part_bytes);
    pkg.with_part(&main, |r| {
        xml::parse_blocks(r, &main, limits, &mut |b| builder.block(b))
    })?
    .ok_or(DocxError::MissingDocumentXml)?;
    let mut out = builder.finish()?;
    let pictures = pictures::load(&mut pkg, out.pictures, &mut out.findings)?;
    // Document order; stable, so findings of one paragraph keep theirs.
    out.findings.sort_by_key(super::Finding::paragraph);
    Ok(Document {
        fields_table: out.fields.table,
        fields: out.fields.rows,
        unknown_labels: out.fields.unknown,
        body: out.body,
        body_lines: out.body_lines,
        pictures,
        findings: out.findings,
    })
}

/// Whether the document's first table is a fields table: at least two of
/// its first-column labels are known. Reads only the main XML, and only up
/// to the end of that first table.
pub fn has_fields_table(bytes: &[u8], limits: &Limits) -> Result<bool, DocxError> {
    let mut pkg = Package::open(bytes, limits)?;
    let main = pkg.main_part()?;
    let mut found = false;
    pkg.with_part(&main, |r| {
        xml::parse_blocks(r, &main, limits, &mut |b| {
            if b.name == Name::Tbl {
                found = body::known_labels(&b) >= 2;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })
    })?
    .ok_or(DocxError::MissingDocumentXml)?;
    Ok(found)
}

/// The bytes of one picture part (a [`super::Picture`]'s `media_path`),
/// read again from the document after its [`read`] bytes were let go;
/// `None` when the part is not there.
pub fn read_picture(
    bytes: &[u8],
    media_path: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, DocxError> {
    Package::open(bytes, limits)?.read_part(media_path)
}

/// The parsed part related to the main document by a relationship type
/// (`/styles`, `/numbering`), when there is one.
fn related_tree(
    pkg: &mut Package<'_>,
    rels: &Rels,
    kind: &str,
) -> Result<Option<Element>, DocxError> {
    let Some(name) = rels.by_type(kind).and_then(|r| pkg.find(&r.target)) else {
        return Ok(None);
    };
    let limits = *pkg.limits();
    pkg.with_part(&name, |r| xml::parse_tree(r, &name, &limits))
}
