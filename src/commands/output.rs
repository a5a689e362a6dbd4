//! How problems look where they are shown: one JSON object per diagnostic
//! (its message rendered in the chosen language), or lines for people —
//! coloured on a terminal, the offending text underlined.

use std::io::IsTerminal;

use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::i18n::{Lang, Message};

/// Tells the officer, on stderr, that scans and photos of documents were
/// not read for ID numbers, when this machine cannot read them.
pub fn note_unread_pictures(lang: Lang) {
    if !crate::check::reads_pictures() {
        eprintln!("{}", Message::new("check.no_ocr").render(lang));
    }
}

/// Colours only when stdout is a terminal and NO_COLOR is not set.
pub fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A diagnostic as JSON: `{"severity","code","message","file","line"}`, and
/// `column`, `location`, `target` where it has them.
pub fn diagnostic_json(d: &Diagnostic, lang: Lang) -> Value {
    let mut v = json!({
        "severity": d.severity,
        "code": d.code,
        "message": d.render(lang),
        "file": d.file.as_ref().map(|f| f.to_string_lossy().replace('\\', "/")),
        "line": d.line,
    });
    if let Some(c) = d.column {
        v["column"] = json!(c);
    }
    if let Some(l) = d.location {
        v["location"] = json!(l.describe().render(lang));
    }
    if let Some(t) = &d.target {
        v["target"] = json!(t);
    }
    v
}

/// A problem of a build (content, photo or page) as JSON: a diagnostic
/// with `page`, where it is (`file:line`).
pub fn build_problem_json(d: &Diagnostic, lang: Lang) -> Value {
    let mut v = diagnostic_json(d, lang);
    v["page"] = json!(d.file_and_line());
    if let Some(source) = &d.source {
        v["source"] = json!(source);
    }
    v
}

/// "ข้อผิดพลาด" or "คำเตือน".
pub fn severity_label(s: Severity, lang: Lang) -> String {
    match s {
        Severity::Error => Message::new("build.error_label").render(lang),
        Severity::Warning => Message::new("build.warning_label").render(lang),
    }
}

/// A build problem on one line: `error[broken-link] news/a/index.html: /x/ — ...`.
pub fn build_problem_line(d: &Diagnostic, lang: Lang) -> String {
    let label = severity_label(d.severity, lang);
    let line = match &d.target {
        Some(t) => format!(
            "{label}[{}] {}: {t} — {}",
            d.code,
            d.file_and_line(),
            d.render(lang)
        ),
        None => format!(
            "{label}[{}] {}: {}",
            d.code,
            d.file_and_line(),
            d.render(lang)
        ),
    };
    match &d.source {
        Some(source) => {
            let fix = Message::new("build.fix_in")
                .arg("source", source)
                .render(lang);
            format!("{line} ({fix})")
        }
        None => line,
    }
}

/// How many warnings of one code are shown before the rest are counted.
const WARNINGS_SHOWN: usize = 3;

/// A build's problems, a line each, for people: every error, and up to
/// [`WARNINGS_SHOWN`] warnings of each code, the others counted on one
/// line that says where to see them all. The example site's 24 empty OIT
/// items would otherwise fill every hourly `khao publish` log and bury
/// the line that matters (`--format json` keeps every one).
pub fn build_problem_lines(problems: &[Diagnostic], lang: Lang) -> Vec<String> {
    let mut shown: std::collections::BTreeMap<Code, usize> = Default::default();
    let mut lines = Vec::new();
    for d in problems {
        if d.severity == Severity::Warning {
            let n = shown.entry(d.code).or_default();
            *n += 1;
            if *n > WARNINGS_SHOWN {
                continue;
            }
        }
        lines.push(build_problem_line(d, lang));
    }
    for (code, n) in shown.into_iter().filter(|&(_, n)| n > WARNINGS_SHOWN) {
        let command = match code {
            Code::ItaEmpty => "khao ita",
            _ => "khao build --format json",
        };
        let m = Message::new("build.more_warnings")
            .arg("label", severity_label(Severity::Warning, lang))
            .arg("code", code)
            .arg("count", n - WARNINGS_SHOWN)
            .arg("command", command);
        lines.push(m.render(lang));
    }
    lines
}

/// The source lines around `span` of `text`, the offending text underlined
/// (with miette), indented under the message.
pub fn underline(
    text: &str,
    span: std::ops::Range<usize>,
    colour: bool,
    severity: Severity,
) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
    if span.end > text.len()
        || !text.is_char_boundary(span.start)
        || !text.is_char_boundary(span.end)
    {
        return String::new();
    }
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

/// Terminal colours, or nothing.
pub struct Palette {
    pub bold: &'static str,
    pub green: &'static str,
    pub red: &'static str,
    pub yellow: &'static str,
    pub reset: &'static str,
}

impl Palette {
    pub fn new(colour: bool) -> Palette {
        if colour {
            Palette {
                bold: "\x1b[1m",
                green: "\x1b[32m",
                red: "\x1b[31m",
                yellow: "\x1b[33m",
                reset: "\x1b[0m",
            }
        } else {
            Palette {
                bold: "",
                green: "",
                red: "",
                yellow: "",
                reset: "",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error is shown; past three warnings of one code, the rest are
    /// counted on one line naming the command that lists them all.
    #[test]
    fn many_warnings_of_one_code_are_counted_not_listed() {
        let warn = |code, n: usize| {
            Diagnostic::warning(code, Message::new("x").arg("n", n)).in_file(format!("f{n}"))
        };
        let mut problems: Vec<Diagnostic> = (0..10).map(|n| warn(Code::ItaEmpty, n)).collect();
        problems.push(warn(Code::MissingAlt, 1));
        problems.extend((0..4).map(|_| Diagnostic::error(Code::BrokenLink, Message::new("y"))));
        let lines = build_problem_lines(&problems, Lang::En);
        assert_eq!(lines.len(), 3 + 1 + 4 + 1, "{lines:#?}");
        assert!(lines[..3].iter().all(|l| l.contains("[ita-empty]")));
        let errors = lines.iter().filter(|l| l.contains("[broken-link]")).count();
        assert_eq!(errors, 4);
        let last = lines.last().unwrap();
        assert!(
            last.contains("7 more") && last.contains("khao ita"),
            "{last}"
        );
    }
}
