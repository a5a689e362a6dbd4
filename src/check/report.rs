//! The report file beside each request, for the staff member who sent it:
//! plain text in the site's language that Windows Notepad shows correctly
//! (UTF-8 with a BOM, CRLF line ends), saying "ผ่าน" or listing what to fix.
//! Written atomically, and only when its text changed.

use std::path::PathBuf;

use crate::check::Checked;
use crate::diagnostic::{Diagnostic, Severity};
use crate::i18n::{Lang, Message};
use crate::plumbing::fs;

/// The report's text (LF line ends; [`write()`] converts them).
pub fn text(c: &Checked, lang: Lang) -> String {
    let (e, w) = c.counts();
    let mut s = Message::new("check.report_title")
        .arg("name", c.name())
        .render(lang);
    s.push_str("\n\n");
    let verdict = if c.ok() {
        Message::new("check.report_ok")
    } else {
        Message::new("check.report_bad")
            .arg("errors", e)
            .arg("warnings", w)
    };
    s.push_str(&verdict.render(lang));
    s.push('\n');
    if c.ok() && w > 0 {
        let m = Message::new("check.report_ok_warnings").arg("warnings", w);
        s.push_str(&m.render(lang));
        s.push('\n');
    }
    if !c.diagnostics.is_empty() {
        s.push('\n');
    }
    let mut n = 0;
    for sev in [Severity::Error, Severity::Warning] {
        for d in c.diagnostics.iter().filter(|d| d.severity == sev) {
            n += 1;
            s.push_str(&format!("{n}. {}\n", line(d, lang)));
        }
    }
    s
}

/// One problem as a line of the report: "[ข้อผิดพลาด] ข่าว.md บรรทัด 3: ... (bad-date)".
pub fn line(d: &Diagnostic, lang: Lang) -> String {
    let word = match d.severity {
        Severity::Error => Message::new("check.word_error"),
        Severity::Warning => Message::new("check.word_warning"),
    };
    format!(
        "[{}] {}{} ({})",
        word.render(lang),
        place(d, lang),
        d.render(lang),
        d.code
    )
}

/// "ข่าว.md บรรทัด 3: ", "ข่าว.docx ตาราง แถวที่ 2: ", "photo.jpg: ", or nothing.
pub fn place(d: &Diagnostic, lang: Lang) -> String {
    let Some(f) = &d.file else {
        return String::new();
    };
    let file = f.display().to_string();
    match (d.line, d.location) {
        (Some(l), _) => Message::new("check.report_place_line")
            .arg("file", file)
            .arg("line", l)
            .render(lang),
        (None, Some(_)) => format!("{file} {}: ", d.describe_location(lang).unwrap_or_default()),
        (None, None) => format!("{file}: "),
    }
}

/// (Re)writes the report of `c`; returns its path.
pub fn write(c: &Checked, lang: Lang) -> std::io::Result<PathBuf> {
    let path = crate::request::report_path(&c.path);
    fs::write_if_changed(&path, &notepad_text(&text(c, lang)))?;
    Ok(path)
}

/// Text as Windows Notepad reads it without asking: UTF-8 with a BOM and
/// CRLF line ends.
pub fn notepad_text(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
    bytes
}
