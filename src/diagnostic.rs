//! The one problem type: a [`Diagnostic`] is something a person can fix —
//! in a request, in `content/`, on a built page, on the live site — with a
//! stable [`Code`], where it is, and a [`Message`] that the command layer
//! renders in the site's language.
//!
//! The codes are the stable vocabulary of `docs/diagnostics.md`: scripts
//! and tests match on them, so a code's text never changes.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks publication.
    Error,
    /// Worth fixing; does not block.
    Warning,
}

/// Declares [`Code`] with the text of each code, in one list.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// Every code khao reports, for problems and for errors alike.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $name,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The stable text of the code (`missing-field`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)*
                }
            }
        }
    };
}

codes! {
    // Requests and content (docs/diagnostics.md).
    YamlSyntax = "yaml-syntax",
    MissingField = "missing-field",
    UnknownField = "unknown-field",
    BadValue = "bad-value",
    BadDate = "bad-date",
    /// `expires` before `date`, or `publish_at` after `expires`.
    DateOrder = "date-order",
    BadSlug = "bad-slug",
    UnknownCategory = "unknown-category",
    UnknownGroup = "unknown-group",
    AmbiguousRequest = "ambiguous-request",
    MissingFile = "missing-file",
    UnsafePath = "unsafe-path",
    DisallowedFileType = "disallowed-file-type",
    FileTypeMismatch = "file-type-mismatch",
    FileTooLarge = "file-too-large",
    BadImage = "bad-image",
    ImageTooLarge = "image-too-large",
    ImageTooSmall = "image-too-small",
    MissingAlt = "missing-alt",
    UnsafeHtml = "unsafe-html",
    NotUtf8 = "not-utf8",
    PersonalId = "personal-id",
    /// A mobile phone number in what a news item publishes (a warning:
    /// it may be a contact number its owner agreed to publish).
    PersonalPhone = "personal-phone",
    Duplicate = "duplicate",
    OldWordFormat = "old-word-format",
    BadDocument = "bad-document",
    UnusedFile = "unused-file",
    /// A staff file is already named like the receipt; the receipt took another name.
    ReceiptRenamed = "receipt-renamed",
    DateFolderMismatch = "date-folder-mismatch",
    IgnoredFile = "ignored-file",
    Unreadable = "unreadable",
    // Step 5: the pages written.
    UnreadablePage = "unreadable-page",
    HtmlParse = "html-parse",
    EmptyAlt = "empty-alt",
    BrokenLink = "broken-link",
    MissingFragment = "missing-fragment",
    ItaBrokenLink = "ita-broken-link",
    ItaEmpty = "ita-empty",
    ItaYaml = "ita-yaml",
    // Step 7: the live site.
    VerifyMissing = "verify-missing",
    VerifyFetch = "verify-fetch",
    VerifyStatus = "verify-status",
    VerifyMismatch = "verify-mismatch",
    VerifyType = "verify-type",
    // The display check in a browser.
    PageLoad = "page-load",
    BrokenImage = "broken-image",
    ConsoleError = "console-error",
    FailedRequest = "failed-request",
    HorizontalScroll = "horizontal-scroll",
    FallbackFont = "fallback-font",
    Accessibility = "accessibility",
    // What stops a command (the `error.code` of its JSON).
    Usage = "usage",
    Config = "config",
    New = "new",
    Intake = "intake",
    Build = "build",
    Theme = "theme",
    Template = "template",
    Write = "write",
    Browser = "browser",
    Lock = "lock",
    Records = "records",
    Report = "report",
    Ita = "ita",
    Connect = "connect",
    UnknownHost = "unknown-host",
    ChangedHostKey = "changed-host-key",
    Auth = "auth",
    Ssh = "ssh",
    Remote = "remote",
    Local = "local",
    NoPreviousRelease = "no-previous-release",
    Rollback = "rollback",
    Serve = "serve",
    Watch = "watch",
}

impl Code {
    /// The code with this text.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        Code::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown code `{text}`")))
    }
}

/// Where in a file a problem is, when a line number does not say it: a
/// Word document has table rows and paragraphs, not lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// 1-based row of the fields table.
    TableRow(usize),
    /// 1-based paragraph of the document.
    Paragraph(usize),
}

impl Location {
    /// "ตาราง แถวที่ 3", "table row 3".
    pub fn describe(self) -> Message {
        match self {
            Location::TableRow(n) => Message::new("location.table_row").arg("n", n),
            Location::Paragraph(n) => Message::new("location.paragraph").arg("n", n),
        }
    }
}

/// One problem a person can fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// What is wrong and what to do, rendered where it is shown.
    pub message: Message,
    /// The file the problem is in: relative to the request for a request,
    /// to the site folder for content, to `public/` for a page.
    pub file: Option<PathBuf>,
    /// 1-based line, where there is one.
    pub line: Option<usize>,
    /// 1-based column, where there is one.
    pub column: Option<usize>,
    /// Where in the file, when it has no lines (a Word document).
    pub location: Option<Location>,
    /// The link, URL or file the problem is about (a page's broken link).
    pub target: Option<String>,
    /// For a problem of a page the build wrote: the file it was made from,
    /// relative to the site folder, with the line where the target is
    /// written when it can be found (`content/news/2026/a/index.md:9`):
    /// the page is fixed there, not in its HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The offending text as a byte range of the file, for underlining.
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
    /// The first words of the Word paragraph it is in: Word shows no
    /// paragraph numbers, so the words are what staff look for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: Message) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message,
            file: None,
            line: None,
            column: None,
            location: None,
            target: None,
            source: None,
            span: None,
            quote: None,
        }
    }

    pub fn warning(code: Code, message: Message) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    pub fn at_line(mut self, line: usize) -> Diagnostic {
        self.line = Some(line);
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Diagnostic {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Where in a Word document, as shown: `ย่อหน้าที่ 6 “นักเรียนร่วม…”`.
    pub fn describe_location(&self, lang: crate::i18n::Lang) -> Option<String> {
        let place = self.location?.describe().render(lang);
        Some(match &self.quote {
            Some(words) => format!("{place} “{words}”"),
            None => place,
        })
    }

    pub fn at_location(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn about(mut self, target: impl Into<String>) -> Diagnostic {
        self.target = Some(target.into());
        self
    }

    pub fn with_span(mut self, span: std::ops::Range<usize>) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.message.render(lang)
    }

    /// `file:line`, `file`, or nothing: where a terminal or an overlay
    /// says the problem is.
    pub fn file_and_line(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{}:{l}", f.display()),
            (Some(f), None) => f.display().to_string(),
            (None, _) => String::new(),
        }
    }
}

/// Counts of errors and warnings in a list of diagnostics.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// What stops a step, for the command layer: a stable code and a message
/// to render. Every step's error enum implements it, so the command layer
/// reports them all the same way.
pub trait Failure: std::error::Error {
    fn code(&self) -> Code;
    fn message(&self) -> Message;
}

/// Implements `Display` (in English) for a [`Failure`].
#[macro_export]
macro_rules! display_failure {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use $crate::diagnostic::Failure as _;
                f.write_str(&self.message().render($crate::i18n::Lang::En))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_text() {
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(*c));
        }
        let mut texts: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), Code::ALL.len(), "two codes share a text");
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/diagnostics.md");
        for c in Code::ALL {
            assert!(
                doc.contains(&format!("`{c}`")),
                "{c} is not in docs/diagnostics.md"
            );
        }
    }

    #[test]
    fn the_same_diagnostic_in_thai_and_english() {
        let d = Diagnostic::error(
            Code::MissingFile,
            Message::new("check.missing_file").arg("file", "photo1.jpg"),
        );
        let th = d.render(Lang::Th);
        let en = d.render(Lang::En);
        assert!(th.contains("photo1.jpg") && th.contains("ไม่พบ"), "{th}");
        assert!(en.contains("photo1.jpg") && en.contains("not in"), "{en}");
        assert_eq!(serde_json::to_value(d.code).unwrap(), "missing-file");
    }
}
