//! The OIT page (`ita.yaml`): its schema, which of its links are the site's
//! own, and the check of the others on the internet. Rendering `/ita/` and
//! resolving internal links (`ita-broken-link`, `ita-empty`) are khao's
//! render step, which knows what it built.

mod check;
mod classify;
mod links;
mod schema;

use std::path::Path;

pub use check::{CheckOptions, LinkErrorKind, LinkResult, check_external};
pub use classify::{LinkTarget, classify};
pub use links::{BuiltFiles, ItaReport, ItemReport, LinkReport, Own, check_page, resolves};
pub use schema::{ItaError, ItaItem, ItaLink, ItaPage};

use crate::diagnostic::{Code, Diagnostic, Failure};
use crate::i18n::Message;

/// The file's name, in the site folder.
pub const ITA_FILE: &str = "ita.yaml";

/// `ita.yaml` as read: the page, and its text to point at a link's line.
#[derive(Debug, Clone)]
pub struct ItaFile {
    pub page: ItaPage,
    pub source: String,
}

impl ItaFile {
    /// The line of `ita.yaml` where item `code` is written, or with `url`,
    /// that link of the item, if they can be found.
    pub fn line_of(&self, code: &str, url: Option<&str>) -> Option<usize> {
        let text = &self.source;
        let item = text.match_indices(code).map(|(i, _)| i).find(|&i| {
            let before = text[..i].trim_end_matches([' ', '"', '\'']);
            let after = text[i + code.len()..].chars().next();
            before.ends_with("code:") && !after.is_some_and(char::is_alphanumeric)
        })?;
        let at = match url {
            Some(url) => item + text[item..].find(url.trim())?,
            None => item,
        };
        Some(crate::plumbing::text::line_of(text, at))
    }
}

/// Reads `<site>/ita.yaml`: `Ok(None)` when the site has none.
pub fn load(site_dir: &Path) -> Result<Option<ItaFile>, ItaError> {
    let path = site_dir.join(ITA_FILE);
    let bytes = match crate::plumbing::fs::read_regular(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ItaError::Unreadable(e.to_string())),
    };
    let (source, _) = crate::plumbing::text::decode(&bytes);
    let page = ItaPage::parse(&source)?;
    Ok(Some(ItaFile { page, source }))
}

impl Failure for ItaError {
    fn code(&self) -> Code {
        Code::ItaYaml
    }

    fn message(&self) -> Message {
        match self {
            ItaError::Unreadable(error) => {
                Message::new("ita.unreadable").arg_msg("error", crate::i18n::os_error(error))
            }
            ItaError::Syntax {
                message,
                suggestion,
                ..
            } => match suggestion {
                Some(near) => Message::new("ita.syntax_near")
                    .arg("detail", message)
                    .arg("suggestion", near),
                None => Message::new("ita.syntax").arg("detail", message),
            },
            ItaError::FiscalYear(e) => Message::new("ita.fiscal_year").arg("error", e.message()),
            ItaError::EmptyCode { item } => Message::new("ita.empty_code").arg("item", item),
            ItaError::DuplicateCode {
                code,
                first,
                second,
            } => Message::new("ita.duplicate_code")
                .arg("code", code)
                .arg("first", first)
                .arg("second", second),
            ItaError::EmptyLinkField { code, link, field } => Message::new("ita.empty_link_field")
                .arg("code", code)
                .arg("link", link)
                .arg("field", field),
        }
    }
}

impl ItaError {
    /// The error as a build problem, at its line of `ita.yaml`.
    pub fn diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::error(self.code(), self.message()).in_file(ITA_FILE);
        match self {
            ItaError::Syntax {
                line: Some(l),
                column: Some(c),
                ..
            } => d.at(*l, *c),
            ItaError::Syntax { line: Some(l), .. } => d.at_line(*l),
            _ => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_within_the_item() {
        let source = "fiscal_year: 2569\nintro: see /contact/\nitems:\n  - code: O1\n    title: a\n    links:\n      - { title: x, url: /contact/ }\n  - code: O10\n    title: b\n  - {code: \"O11\", title: c}\n";
        let ita = ItaFile {
            page: ItaPage::parse(source).unwrap(),
            source: source.to_string(),
        };
        assert_eq!(ita.line_of("O1", None), Some(4));
        assert_eq!(ita.line_of("O1", Some("/contact/")), Some(7));
        assert_eq!(ita.line_of("O10", None), Some(8));
        assert_eq!(ita.line_of("O11", None), Some(10));
        assert_eq!(ita.line_of("O2", None), None);
    }
}
