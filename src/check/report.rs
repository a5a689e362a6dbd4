//! The report file beside each request, for the staff member who sent it:
//! Thai plain text that Windows Notepad shows correctly (UTF-8 with a BOM,
//! CRLF line ends), saying "ผ่าน" or listing what to fix. Written through a
//! hidden temporary file and a rename, and only when its text changed.

use std::path::PathBuf;

use crate::check::Checked;
use crate::diagnostic::Severity;
use crate::i18n::{Lang, tr};

/// The report's text (LF line ends; [`write`] converts them).
pub fn text(c: &Checked, lang: Lang) -> String {
    let (e, w) = c.counts();
    let name = c
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s = tr(lang, "check.report_title", &[("name", &name)]);
    s.push_str("\n\n");
    if c.ok() {
        s.push_str(&tr(lang, "check.report_ok", &[]));
        s.push('\n');
        if w > 0 {
            s.push_str(&tr(
                lang,
                "check.report_ok_warnings",
                &[("warnings", &w.to_string())],
            ));
            s.push('\n');
        }
    } else {
        s.push_str(&tr(
            lang,
            "check.report_bad",
            &[("errors", &e.to_string()), ("warnings", &w.to_string())],
        ));
        s.push('\n');
    }
    if !c.diagnostics.is_empty() {
        s.push('\n');
    }
    let mut n = 0;
    for sev in [Severity::Error, Severity::Warning] {
        for d in c.diagnostics.iter().filter(|d| d.severity == sev) {
            n += 1;
            let word = match sev {
                Severity::Error => tr(lang, "check.word_error", &[]),
                Severity::Warning => tr(lang, "check.word_warning", &[]),
            };
            let place = match (&d.file, d.line) {
                (Some(f), Some(l)) => tr(
                    lang,
                    "check.report_place_line",
                    &[("file", &f.to_string_lossy()), ("line", &l.to_string())],
                ),
                (Some(f), None) => format!("{}: ", f.to_string_lossy()),
                _ => String::new(),
            };
            s.push_str(&format!(
                "{n}. [{word}] {place}{} ({})\n",
                d.message, d.code
            ));
        }
    }
    s
}

/// (Re)writes the report of `c`; returns its path.
pub fn write(c: &Checked, lang: Lang) -> std::io::Result<PathBuf> {
    let path = crate::request::report_path(&c.path);
    let body = text(c, lang).replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(body.as_bytes());
    if std::fs::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(path);
    }
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let tmp = dir.join(format!(".khao-report.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &bytes)?;
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(path)
}
