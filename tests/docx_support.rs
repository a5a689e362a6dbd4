//! Helpers of the Word tests: the fixtures of `tests/fixtures/docx/`
//! (made by `make_docx.py` there, with python-docx and LibreOffice).

use std::path::PathBuf;

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/docx")
        .join(name)
}

/// A fixture's bytes; fails with the way to make it when missing.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; make the fixtures with `python3 tests/fixtures/docx/make_docx.py`",
            path.display()
        )
    })
}

pub fn read(name: &str) -> khao::docx::Document {
    khao::docx::read(&fixture(name), &khao::docx::Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn field<'d>(doc: &'d khao::docx::Document, key: &str) -> Option<&'d str> {
    doc.fields
        .iter()
        .find(|f| f.key == key)
        .map(|f| f.value.as_str())
}
