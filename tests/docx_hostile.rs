//! Hostile and wrong files: bombs, depth, entry counts, truncation, old
//! Word, other formats. Each is refused with the right error, fast.

use crate::docx_support as common;

use std::time::{Duration, Instant};

use common::fixture;
use khao::docx::{DocxError, Limits};

fn refuse(name: &str, limits: &Limits) -> (DocxError, Duration) {
    let bytes = fixture(name);
    let start = Instant::now();
    let err = khao::docx::read(&bytes, limits).expect_err(name);
    let took = start.elapsed();
    assert_eq!(
        khao::docx::has_fields_table(&bytes, limits).as_ref().err(),
        Some(&err),
        "{name}"
    );
    (err, took)
}

#[test]
fn honest_bomb_is_refused_before_inflating() {
    // document.xml says (truthfully) it expands to 1.1 GB.
    let (err, took) = refuse("bomb.docx", &Limits::default());
    assert_eq!(err, DocxError::TotalTooLarge { limit: 256 << 20 });
    assert!(took < Duration::from_millis(500), "{took:?}");
    // With a total limit above it, the part limit refuses it, still unread.
    let limits = Limits {
        max_total_bytes: 4 << 30,
        ..Limits::default()
    };
    let (err, took) = refuse("bomb.docx", &limits);
    assert_eq!(
        err,
        DocxError::PartTooLarge {
            part: "word/document.xml".into(),
            limit: 64 << 20
        }
    );
    assert!(took < Duration::from_millis(500), "{took:?}");
    assert_eq!(
        khao::diagnostic::Failure::code(&err).as_str(),
        "bad-document"
    );
}

#[test]
fn lying_bomb_stops_at_its_declared_size() {
    // document.xml claims 4 KiB and inflates to 1.1 GB: the stream is cut
    // at 4 KiB and refused, having inflated almost nothing.
    let (err, took) = refuse("bomb-lying.docx", &Limits::default());
    assert!(matches!(err, DocxError::Corrupt { .. }), "{err:?}");
    assert!(took < Duration::from_millis(500), "{took:?}");
}

#[test]
fn depth_and_entries() {
    let (err, _) = refuse("deep.docx", &Limits::default());
    assert_eq!(
        err,
        DocxError::TooDeep {
            part: "word/document.xml".into(),
            limit: 256
        }
    );
    let (err, _) = refuse("many-entries.docx", &Limits::default());
    assert_eq!(
        err,
        DocxError::TooManyEntries {
            count: 2052,
            limit: 2000
        }
    );
    let limits = Limits {
        max_entries: 3000,
        ..Limits::default()
    };
    assert!(khao::docx::read(&fixture("many-entries.docx"), &limits).is_ok());
}

#[test]
fn small_limits_refuse_real_documents_cleanly() {
    let good = fixture("good.docx");
    let tiny_part = Limits {
        max_part_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        khao::docx::read(&good, &tiny_part),
        Err(DocxError::PartTooLarge { .. })
    ));
    let tiny_total = Limits {
        max_total_bytes: 20_000,
        ..Limits::default()
    };
    assert!(matches!(
        khao::docx::read(&good, &tiny_total),
        Err(DocxError::TotalTooLarge { .. })
    ));
    let shallow = Limits {
        max_xml_depth: 4,
        ..Limits::default()
    };
    assert!(matches!(
        khao::docx::read(&good, &shallow),
        Err(DocxError::TooDeep { .. })
    ));
}

#[test]
fn truncated_and_wrong_formats() {
    let (err, _) = refuse("truncated.docx", &Limits::default());
    assert!(matches!(err, DocxError::Corrupt { .. }), "{err:?}");
    let (err, _) = refuse("old.doc", &Limits::default());
    assert_eq!(err, DocxError::OldWordFormat);
    assert_eq!(
        khao::diagnostic::Failure::code(&err).as_str(),
        "old-word-format"
    );
    assert!(khao::docx::is_old_word(&fixture("old.doc")));
    assert!(!khao::docx::is_old_word(&fixture("good.docx")));
    let (err, _) = refuse("renamed-xlsx.docx", &Limits::default());
    assert_eq!(err, DocxError::NotWord { found: "xlsx" });
    let limits = Limits::default();
    assert_eq!(
        khao::docx::read(b"%PDF-1.7 ...", &limits),
        Err(DocxError::NotZip { found: Some("pdf") })
    );
    assert_eq!(
        khao::docx::read(b"", &limits),
        Err(DocxError::NotZip { found: None })
    );
    assert!(matches!(
        khao::docx::read(b"PK\x03\x04", &limits),
        Err(DocxError::Corrupt { .. })
    ));
}

#[test]
fn every_truncation_of_a_real_document_is_an_error_not_a_panic() {
    let good = fixture("word-features.docx");
    for len in (0..good.len()).step_by(97) {
        assert!(
            khao::docx::read(&good[..len], &Limits::default()).is_err(),
            "{len}"
        );
    }
}
