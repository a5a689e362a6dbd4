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
        errln!("{}", Message::new("check.no_ocr").render(lang));
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

/// The line of `text` holding `span`, between the lines before and after
/// it, the offending text underlined, indented under the message:
///
/// ```text
///      6 │ ---
///      7 │ …ก่อนหน้า [ดูหัวข้อ](#nope) ต่อจากนั้น…
///        │           ^^^^^^^^^^^^^^^^^
/// ```
///
/// A line is cut to a window around the span: a pasted table or a minified
/// line can run for thousands of characters, and a request can hold
/// thousands of problems, so a snippet stays a few short lines whatever
/// the text. Columns are counted in what a terminal shows (Thai vowels and
/// tone marks above and below a letter take no column).
pub fn underline(
    text: &str,
    span: std::ops::Range<usize>,
    colour: bool,
    severity: Severity,
) -> String {
    if span.start > span.end
        || span.end > text.len()
        || !text.is_char_boundary(span.start)
        || !text.is_char_boundary(span.end)
    {
        return String::new();
    }
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    // A span over several lines is underlined on its first.
    let end = span.end.min(line_end);
    let number = crate::plumbing::text::line_of(text, line_start);
    let before = (line_start > 0).then(|| {
        let start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        &text[start..line_start - 1]
    });
    let after = (line_end < text.len()).then(|| {
        let rest = &text[line_end + 1..];
        &rest[..rest.find('\n').unwrap_or(rest.len())]
    });
    let lead = cut_start(&text[line_start..span.start], SNIPPET_LEAD);
    let marked = cut_end(&text[span.start..end], SNIPPET_SPAN);
    let tail = cut_end(&text[end..line_end], SNIPPET_TAIL);
    let gutter = (number + 1).to_string().len();
    let row = |n: usize, line: &str| format!("    {n:>gutter$} │ {line}\n");
    let mut out = String::new();
    if let Some(line) = before {
        out.push_str(&row(number - 1, &cut_end(line, SNIPPET_CONTEXT)));
    }
    out.push_str(&row(number, &format!("{lead}{marked}{tail}")));
    let (on, off) = match (colour, severity) {
        (false, _) => ("", ""),
        (true, Severity::Error) => ("\x1b[31m", "\x1b[0m"),
        (true, Severity::Warning) => ("\x1b[33m", "\x1b[0m"),
    };
    out.push_str(&format!(
        "    {:gutter$} │ {}{on}{}{off}\n",
        "",
        " ".repeat(width(&lead)),
        "^".repeat(width(&marked).max(1)),
    ));
    if let Some(line) = after {
        out.push_str(&row(number + 1, &cut_end(line, SNIPPET_CONTEXT)));
    }
    out
}

/// How many characters of a snippet's line are shown before the span, of
/// the span, after it, and of the lines around it.
const SNIPPET_LEAD: usize = 40;
const SNIPPET_SPAN: usize = 60;
const SNIPPET_TAIL: usize = 30;
const SNIPPET_CONTEXT: usize = 80;

/// The last `keep` characters of `s`, after "…" when some were cut.
fn cut_start(s: &str, keep: usize) -> String {
    let count = s.chars().count();
    let shown: String = s
        .chars()
        .skip(count.saturating_sub(keep))
        .map(plain)
        .collect();
    if count > keep {
        format!("…{shown}")
    } else {
        shown
    }
}

/// The first `keep` characters of `s`, before "…" when some were cut.
fn cut_end(s: &str, keep: usize) -> String {
    let shown: String = s.chars().take(keep).map(plain).collect();
    if s.chars().nth(keep).is_some() {
        format!("{shown}…")
    } else {
        shown
    }
}

/// A character as it can be shown on one terminal line: tabs, returns and
/// other control characters as a space.
fn plain(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// Columns `s` takes on a terminal.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
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

#[cfg(test)]
mod snippet_tests {
    use super::*;

    fn snippet(text: &str, needle: &str) -> String {
        let start = text.find(needle).unwrap();
        underline(text, start..start + needle.len(), false, Severity::Error)
    }

    #[test]
    fn the_span_is_underlined_under_its_line_between_its_neighbours() {
        let text = "---\ntitle: ข่าว\n---\nดูที่ [หัวข้อ](#nope) นะ\nจบ\n";
        let s = snippet(text, "[หัวข้อ](#nope)");
        // ดูที่ takes three columns: its vowels and tone mark take none.
        let expected =
            "    3 │ ---\n    4 │ ดูที่ [หัวข้อ](#nope) นะ\n      │    ^^^^^^^^^^^^^\n    5 │ จบ\n";
        assert_eq!(s, expected);
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_span() {
        // Past column 65,535, where the snippet library used to panic.
        let text = format!("{} [x](#nope) {}\n", "ก".repeat(70_000), "ข".repeat(70_000));
        let s = snippet(&text, "[x](#nope)");
        assert!(s.lines().all(|l| l.chars().count() < 120), "{s}");
        assert!(s.contains(&format!(
            "…{} [x](#nope) {}…",
            "ก".repeat(39),
            "ข".repeat(29)
        )));
        assert!(s.contains("^^^^^^^^^^"));
    }

    #[test]
    fn odd_spans_give_nothing_or_their_first_line() {
        let text = "ab\ncd\n";
        assert_eq!(underline(text, 1..99, false, Severity::Error), "");
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = 2..1;
        assert_eq!(underline(text, backwards, false, Severity::Error), "");
        let s = underline(text, 1..4, false, Severity::Warning);
        assert!(s.starts_with("    1 │ ab\n      │  ^\n"), "{s}");
        assert!(!underline("x", 0..0, false, Severity::Error).is_empty());
    }
}
