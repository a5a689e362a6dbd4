//! Front matter: the YAML between two `---` lines at the top of a Markdown
//! file (or a whole `request.yaml`), parsed into a mapping, with the line
//! of every key so each problem points where the staff member must look.

use serde_yaml::{Mapping, Value};
use std::ops::Range;

use super::parse::{Locate, Place};
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::plumbing::text::{line_of, line_range, line_start};

/// A text split into its YAML part and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// The YAML: `text[yaml.0..yaml.1]`.
    pub yaml: (usize, usize),
    /// Where the Markdown body starts (`None` for a `request.yaml`).
    pub body: Option<usize>,
}

/// Why a Markdown file's front matter cannot be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with `---`.
    Missing,
    /// The opening `---` is never closed.
    Unclosed,
}

/// Splits `---\nyaml\n---\nbody`.
pub fn split(text: &str) -> Result<Split, SplitError> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Ok(Split {
                yaml: (first_end, pos),
                body: Some(end),
            });
        }
        pos = end;
    }
    Err(SplitError::Unclosed)
}

/// A whole file of YAML (`request.yaml`).
pub fn whole(text: &str) -> Split {
    Split {
        yaml: (0, text.len()),
        body: None,
    }
}

/// Parses the YAML part into a mapping; a syntax error (with its line and
/// column in the whole file) or a non-mapping is a `yaml-syntax` error.
pub fn mapping(text: &str, split: Split) -> Result<Mapping, Box<Diagnostic>> {
    let yaml = &text[split.yaml.0..split.yaml.1];
    let first_line = line_of(text, split.yaml.0);
    if yaml.trim().is_empty() {
        return Ok(Mapping::new());
    }
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err(Box::new(
            Diagnostic::error(Code::YamlSyntax, Message::new("check.yaml_not_mapping"))
                .at_line(first_line),
        )),
        Err(e) => {
            let (line, col) = e
                .location()
                .map(|l| (first_line + l.line() - 1, l.column()))
                .unwrap_or((first_line, 1));
            let range = line_range(text, line);
            // A Tab before the text of the line (or the one before it, where
            // the parser may stop) is the mistake, whatever the parser says.
            let tabbed = |r: Range<usize>| text[r].trim_start_matches(' ').starts_with('\t');
            let tab =
                tabbed(range.clone()) || (line > first_line && tabbed(line_range(text, line - 1)));
            let why = match tab {
                true => Message::new("yaml.tab"),
                false => problem(&e.to_string()),
            };
            let mut d = Diagnostic::error(
                Code::YamlSyntax,
                Message::new("check.yaml_syntax").arg_msg("error", why),
            )
            .at(line, col);
            if !range.is_empty() {
                d = d.with_span(range);
            }
            Err(Box::new(d))
        }
    }
}

/// Where text after a ` #` in `yaml` is a comment that the parser drops:
/// `title: ข่าว #1 ของปี` is read as `title: ข่าว`. Each range runs from
/// the `#` to the end of its line. Whole-line comments (the form's own
/// notes), quoted text and the lines of a `|` or `>` block are not.
pub fn cut_comments(yaml: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut block: Option<usize> = None;
    let mut at = 0;
    for line in yaml.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let text = body.trim_start();
        if let Some(key_indent) = block {
            if text.is_empty() || indent > key_indent {
                continue;
            }
            block = None;
        }
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let value = text.split_once(": ").map_or("", |(_, v)| v.trim_start());
        if value.starts_with(['|', '>']) {
            block = Some(indent);
        }
        if let Some(i) = comment_start(body) {
            found.push(start + i..start + body.len());
        }
    }
    found
}

/// The byte offset of a `#` that starts a comment in one line of YAML: a
/// `#` after a space or Tab and outside quotes (a quote opens only where a
/// value may start: `Don't` opens nothing).
fn comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double, mut prev) = (false, false, ' ');
    let opens = |prev: char| matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':');
    for (i, c) in line.char_indices() {
        match c {
            '\'' if single => single = false,
            '\'' if !double && opens(prev) => single = true,
            '"' if double && prev != '\\' => double = false,
            '"' if !single && opens(prev) => double = true,
            '#' if !single && !double && (prev == ' ' || prev == '\t') && i > 0 => return Some(i),
            _ => {}
        }
        prev = c;
    }
    None
}

/// What a YAML parser's error means to someone who typed the form in
/// Notepad, in their language: the mistakes staff make (a colon or a quote
/// in a title, a Tab, a bracket left open, a line typed twice) each have
/// their own words. Anything else keeps the parser's own English.
fn problem(raw: &str) -> Message {
    known_problem(raw)
        .unwrap_or_else(|| Message::new("yaml.other").arg("error", without_place(raw)))
}

/// serde_yaml's text without "at line 2 column 1, while scanning …": the
/// position is given apart.
fn without_place(raw: &str) -> &str {
    raw.split(" at line ").next().unwrap_or(raw)
}

/// The words for one of the mistakes [`problem`] knows, from the error
/// text of serde_yaml (also for site.yaml's).
pub fn known_problem(raw: &str) -> Option<Message> {
    let what = without_place(raw);
    let key = match what {
        "mapping values are not allowed in this context" => "yaml.colon",
        "could not find expected ':'" => "yaml.no_colon",
        "did not find expected key" => "yaml.indent",
        "found unexpected end of stream" if raw.contains("quoted scalar") => "yaml.open_quote",
        "did not find expected ',' or ']'" => "yaml.open_bracket",
        "did not find expected ',' or '}'" => "yaml.open_brace",
        "found unknown escape character" => "yaml.escape",
        "found character that cannot start any token"
        | "unknown anchor"
        | "did not find expected alphabetic or numeric character" => "yaml.bad_start",
        "deserializing from YAML containing more than one document is not supported" => {
            "yaml.second_document"
        }
        _ if what.contains("tab character") => "yaml.tab",
        _ => {
            let name = what.strip_prefix("duplicate entry with key ")?;
            return Some(Message::new("yaml.duplicate").arg("key", name.trim_matches('"')));
        }
    };
    Some(Message::new(key))
}

/// Finds keys in the YAML text, for diagnostics: serde_yaml's values carry
/// no positions.
pub struct YamlLines<'a> {
    pub text: &'a str,
    pub split: Split,
}

impl YamlLines<'_> {
    fn first_line(&self) -> usize {
        line_of(self.text, self.split.yaml.0)
    }

    fn last_line(&self) -> usize {
        line_of(self.text, self.split.yaml.1)
    }
}

impl Locate for YamlLines<'_> {
    fn key(&self, key: &str) -> Option<Place> {
        let yaml = &self.text[self.split.yaml.0..self.split.yaml.1];
        yaml.lines()
            .position(|l| is_key_line(l, key, false))
            .map(|i| Place::Line(self.first_line() + i))
    }

    fn nested(&self, parent: &str, key: &str) -> Option<Place> {
        let Place::Line(p) = self.key(parent)? else {
            return None;
        };
        let lines: Vec<&str> = self.text[line_start(self.text, p)..].lines().collect();
        if lines
            .first()
            .is_some_and(|l| l.contains(&format!("{key}:")))
        {
            return Some(Place::Line(p));
        }
        for (i, l) in lines.iter().enumerate().skip(1) {
            let indented = l.starts_with(' ') || l.starts_with('\t') || l.starts_with('-');
            if !(indented || l.trim().is_empty()) {
                break;
            }
            if is_key_line(l, key, true) || l.contains(&format!("{key}:")) {
                return Some(Place::Line(p + i));
            }
        }
        Some(Place::Line(p))
    }

    fn item(&self, parent: &str, needle: &str) -> Option<Place> {
        let Place::Line(p) = self.key(parent)? else {
            return None;
        };
        let found = self.text[line_start(self.text, p)..]
            .lines()
            .take(self.last_line().saturating_sub(p) + 1)
            .position(|l| l.contains(needle))
            .map_or(p, |i| p + i);
        Some(Place::Line(found))
    }

    fn body(&self) -> Option<Place> {
        match self.split.body {
            Some(b) => Some(Place::Line(line_of(self.text, b))),
            None => self.key("body"),
        }
    }

    fn span(&self, place: Place, needle: &str) -> Option<std::ops::Range<usize>> {
        let Place::Line(line) = place else {
            return None;
        };
        let range = line_range(self.text, line);
        let i = self.text[range.clone()].find(needle)?;
        Some(range.start + i..range.start + i + needle.len())
    }
}

fn is_key_line(line: &str, key: &str, nested: bool) -> bool {
    let l = if nested {
        line.trim_start().trim_start_matches('-').trim_start()
    } else {
        line
    };
    let l = l.trim_start_matches(['"', '\'']);
    l.strip_prefix(key).is_some_and(|rest| {
        rest.trim_start_matches(['"', '\''])
            .trim_start()
            .starts_with(':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_that_cut_a_value_are_found() {
        let yaml = "# หมายเหตุของแบบฟอร์ม\ntitle: ข่าว #1 ของปี\nsummary: \"ครั้งที่ #2\"\n\
                    tags: [ก, 'ข #3']\nname: Don't #4\nbody: |\n  ลำดับ #5\n  ต่อ\nurl: a#b\n";
        let cut: Vec<&str> = cut_comments(yaml).into_iter().map(|r| &yaml[r]).collect();
        assert_eq!(cut, ["#1 ของปี", "#4"]);
    }

    #[test]
    fn splits_front_matter() {
        let t = "---\ntitle: x\n---\nbody\n";
        let s = split(t).unwrap();
        assert_eq!(&t[s.yaml.0..s.yaml.1], "title: x\n");
        assert_eq!(&t[s.body.unwrap()..], "body\n");
        assert_eq!(split("title: x\n"), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
        let s = split("---\n---\n").unwrap();
        assert_eq!(s.yaml, (4, 4));
    }

    /// The mistakes staff make in the form's header, each told in its own
    /// words; the parser's English only for the rest.
    #[test]
    fn syntax_errors_are_told_in_the_users_words() {
        let cases = [
            ("title: ประกาศ: รับสมัคร\n", "yaml.colon"),
            ("title ก\ndate: x\n", "yaml.colon"),
            ("title: ก\nข\n", "yaml.no_colon"),
            ("requester:\n  name: ก\n group: ข\n", "yaml.indent"),
            ("title: \"ก\" ข\n", "yaml.indent"),
            ("title: \"ก\n", "yaml.open_quote"),
            ("title: 'ก\n", "yaml.open_quote"),
            ("tags: [ก, ข\n", "yaml.open_bracket"),
            ("images:\n  - { file: a.jpg, alt: ก\n", "yaml.open_brace"),
            ("title: \"C:\\ก\"\n", "yaml.escape"),
            ("title: @ก\n", "yaml.bad_start"),
            ("title: *ก\n", "yaml.bad_start"),
            ("title: ก\n\tdate: x\n", "yaml.tab"),
            ("requester:\n\tname: ก\n  group: ข\n", "yaml.tab"),
            ("title: ก\ntitle: ข\n", "yaml.duplicate"),
            ("title: |x\n", "yaml.other"),
        ];
        for (yaml, key) in cases {
            let text = format!("---\n{yaml}---\nเนื้อหา\n");
            let d = mapping(&text, split(&text).unwrap()).unwrap_err();
            assert_eq!(d.code, Code::YamlSyntax, "{yaml:?}");
            let th = d.message.render(crate::i18n::Lang::Th);
            let detail = th.split_once(": ").map(|(_, rest)| rest).unwrap_or(&th);
            let want = crate::i18n::tr(crate::i18n::Lang::Th, key, &[("key", "title")]);
            // The mistake's own words (the rest's: the advice after the dash).
            let want = match key {
                "yaml.other" => want.rsplit(" — ").next().unwrap(),
                _ => want.split(" — ").next().unwrap(),
            };
            assert!(detail.contains(want), "{yaml:?}: {th}");
            // Known mistakes carry no parser English.
            if key != "yaml.other" {
                assert!(!th.contains("found") && !th.contains("expected"), "{th}");
            }
        }
    }

    #[test]
    fn key_lines() {
        assert!(is_key_line("title: x", "title", false));
        assert!(!is_key_line("  title: x", "title", false));
        assert!(is_key_line("  - group: x", "group", true));
        assert!(!is_key_line("titles: x", "title", false));
        let t = "---\ntitle: x\nrequester:\n  name: a\n  group: b\n---\n";
        let l = YamlLines {
            text: t,
            split: split(t).unwrap(),
        };
        assert_eq!(l.key("title"), Some(Place::Line(2)));
        assert_eq!(l.nested("requester", "group"), Some(Place::Line(5)));
        assert_eq!(l.body(), Some(Place::Line(7)));
    }

    #[test]
    fn syntax_errors_have_the_line_of_the_file() {
        let t = "---\ntitle: a: b\n---\n";
        let d = mapping(t, split(t).unwrap()).unwrap_err();
        assert_eq!(d.code, Code::YamlSyntax);
        assert_eq!(d.line, Some(2));
    }
}
