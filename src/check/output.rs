//! `khao check`'s output: for people (grouped by request, coloured on a
//! terminal, the offending text underlined) or one JSON object.

use std::io::IsTerminal;

use crate::check::Checked;
use crate::diagnostic::{Diagnostic, Severity};
use crate::i18n::{Lang, tr};

/// Colours only when stdout is a terminal and NO_COLOR is not set.
pub fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// SPEC.md's check object.
pub fn json(checked: &[Checked]) -> serde_json::Value {
    let (mut errors, mut warnings) = (0, 0);
    let requests: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            let (e, w) = c.counts();
            errors += e;
            warnings += w;
            serde_json::json!({
                "path": c.shown,
                "ok": c.ok(),
                "diagnostics": c.diagnostics.iter().map(|d| serde_json::json!({
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "file": d.file.as_ref().map(|f| f.to_string_lossy().replace('\\', "/")),
                    "line": d.line,
                    "column": d.column,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "requests": requests, "errors": errors, "warnings": warnings })
}

/// The summary line: "ตรวจ 3 คำขอ: ผ่าน 1, มีข้อผิดพลาด 2 (ข้อผิดพลาด 5, คำเตือน 2)".
pub fn summary(checked: &[Checked], lang: Lang) -> String {
    let ok = checked.iter().filter(|c| c.ok()).count();
    let (e, w) = checked
        .iter()
        .map(Checked::counts)
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    tr(
        lang,
        "check.summary",
        &[
            ("total", &checked.len().to_string()),
            ("ok", &ok.to_string()),
            ("bad", &(checked.len() - ok).to_string()),
            ("errors", &e.to_string()),
            ("warnings", &w.to_string()),
        ],
    )
}

/// The human report of every request.
pub fn human(checked: &[Checked], lang: Lang, colour: bool) -> String {
    let mut out = String::new();
    let (bold, green, red, yellow, reset) = if colour {
        ("\x1b[1m", "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    if checked.is_empty() {
        out.push_str(&tr(lang, "check.no_requests", &[]));
        out.push('\n');
        return out;
    }
    for c in checked {
        let (e, w) = c.counts();
        let verdict = if c.ok() {
            format!(
                "{green}{}{reset}",
                tr(lang, "check.verdict_ok", &[("warnings", &w.to_string())])
            )
        } else {
            format!(
                "{red}{}{reset}",
                tr(
                    lang,
                    "check.verdict_bad",
                    &[("errors", &e.to_string()), ("warnings", &w.to_string())]
                )
            )
        };
        out.push_str(&format!("{bold}{}{reset} — {verdict}\n", c.shown));
        for d in &c.diagnostics {
            out.push_str(&render(c, d, lang, colour, (red, yellow, reset)));
        }
        out.push('\n');
    }
    out.push_str(&format!("{bold}{}{reset}\n", summary(checked, lang)));
    out
}

fn render(
    c: &Checked,
    d: &Diagnostic,
    lang: Lang,
    colour: bool,
    (red, yellow, reset): (&str, &str, &str),
) -> String {
    let (word, col) = match d.severity {
        Severity::Error => (tr(lang, "check.word_error", &[]), red),
        Severity::Warning => (tr(lang, "check.word_warning", &[]), yellow),
    };
    // A folder request's files are inside it; a single file is the request.
    let file = match (&d.file, c.request.as_ref().map(|r| r.is_dir)) {
        (Some(f), Some(true)) | (Some(f), None) => format!("{}/{}", c.shown, f.to_string_lossy()),
        _ => c.shown.clone(),
    };
    let place = match d.line {
        Some(l) => format!("{file}:{l}: "),
        None => format!("{file}: "),
    };
    let mut s = format!("  {place}{col}{word}[{}]{reset}: {}\n", d.code, d.message);
    if let (Some(span), Some(req)) = (&d.span, &c.request)
        && span.end <= req.text.len()
        && req.text.is_char_boundary(span.start)
        && req.text.is_char_boundary(span.end)
    {
        s.push_str(&underline(&req.text, span.clone(), colour, d.severity));
    }
    s
}

/// The source lines around `span`, the offending text underlined (miette).
fn underline(text: &str, span: std::ops::Range<usize>, colour: bool, severity: Severity) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let diag = MietteDiagnostic::new(String::new())
        .with_severity(match severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_label(LabeledSpan::underline(span));
    let report = miette::Report::new(diag).with_source_code(text.to_string());
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        return String::new();
    }
    // Drop miette's empty headline; indent the snippet under the message.
    out.lines()
        .filter(|l| !l.trim().is_empty() && l.trim() != "×" && l.trim() != "⚠")
        .map(|l| format!("    {l}\n"))
        .collect()
}
