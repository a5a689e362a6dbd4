//! `ita.yaml`, the OIT page's items and their links, read strictly: a key
//! the schema does not know is an error naming the nearest known key, so a
//! typo never silently drops a link the assessors look for.

use serde::{Deserialize, Serialize};

use crate::report::{FiscalYear, FiscalYearError};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItaPage {
    /// The Buddhist-Era fiscal year being assessed (2569).
    pub fiscal_year: i32,
    /// Optional Markdown shown above the table: who to contact, how the
    /// page is kept. Assessors read it; it is not an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    pub items: Vec<ItaItem>,
}

/// One OIT indicator: `O1 โครงสร้าง`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItaItem {
    pub code: String,
    pub title: String,
    /// May be empty: the page then shows the item with no link
    /// (`ita-empty`), which is what the assessors must see.
    #[serde(default)]
    pub links: Vec<ItaLink>,
}

/// A link of an item: a site path (`/news/fy/2569/`), a path relative to
/// the `/ita/` page, or an absolute URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItaLink {
    pub title: String,
    pub url: String,
}

/// Why `ita.yaml` cannot be used. Locations are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItaError {
    /// The file exists but cannot be read.
    #[error("ita.yaml cannot be read: {0}")]
    Unreadable(String),
    /// Not YAML, or not the schema: a missing, unknown or mistyped key.
    #[error("ita.yaml{}: {message}{}", at(*line, *column), hint(suggestion))]
    Syntax {
        message: String,
        line: Option<usize>,
        column: Option<usize>,
        /// For an unknown key, the known key it most resembles.
        suggestion: Option<String>,
    },
    #[error("ita.yaml: fiscal_year: {0}")]
    FiscalYear(#[from] FiscalYearError),
    /// Item number `item` (1-based) has an empty code.
    #[error("ita.yaml: item {item} has no code")]
    EmptyCode { item: usize },
    #[error("ita.yaml: code {code} is used by item {first} and item {second}")]
    DuplicateCode {
        code: String,
        first: usize,
        second: usize,
    },
    /// Link number `link` (1-based) of item `code` lacks a title or a url.
    #[error("ita.yaml: {code}: link {link} has no {field}")]
    EmptyLinkField {
        code: String,
        link: usize,
        field: &'static str,
    },
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" line {l} column {c}"),
        (Some(l), None) => format!(" line {l}"),
        _ => String::new(),
    }
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl ItaPage {
    /// Reads and checks the text of `ita.yaml`.
    pub fn parse(text: &str) -> Result<Self, ItaError> {
        let page: ItaPage = serde_yaml::from_str(text).map_err(syntax_error)?;
        page.validate()?;
        Ok(page)
    }

    fn validate(&self) -> Result<(), ItaError> {
        FiscalYear::new(self.fiscal_year)?;
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            let code = item.code.trim();
            if code.is_empty() {
                return Err(ItaError::EmptyCode { item: i + 1 });
            }
            if let Some((_, first)) = seen.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)) {
                return Err(ItaError::DuplicateCode {
                    code: code.to_string(),
                    first: *first,
                    second: i + 1,
                });
            }
            seen.push((code, i + 1));
            for (j, link) in item.links.iter().enumerate() {
                let empty = |field| ItaError::EmptyLinkField {
                    code: code.to_string(),
                    link: j + 1,
                    field,
                };
                if link.title.trim().is_empty() {
                    return Err(empty("title"));
                }
                if link.url.trim().is_empty() {
                    return Err(empty("url"));
                }
            }
        }
        Ok(())
    }

    /// Every link with the code of its item, in page order.
    pub fn links(&self) -> impl Iterator<Item = (&str, &ItaLink)> {
        self.items
            .iter()
            .flat_map(|item| item.links.iter().map(move |l| (item.code.as_str(), l)))
    }
}

/// serde_yaml's error with its location, and for an unknown key the
/// nearest known one (serde's message lists them: "unknown field `titel`,
/// expected one of `code`, `title`, `links`").
fn syntax_error(e: serde_yaml::Error) -> ItaError {
    let location = e.location();
    let message = e.to_string();
    // serde_yaml appends " at line L column C"; the location is kept apart.
    let message = match message.rfind(" at line ") {
        Some(i) if location.is_some() => message[..i].to_string(),
        _ => message,
    };
    ItaError::Syntax {
        suggestion: nearest_field(&message),
        line: location.as_ref().map(|l| l.line()),
        column: location.as_ref().map(|l| l.column()),
        message,
    }
}

fn nearest_field(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, expected) = rest.split_once('`')?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|known| (strsim::jaro_winkler(unknown, known), known))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "fiscal_year: 2569
intro: ติดต่อศูนย์เทคโนโลยีสารสนเทศ โทร 077-205317
items:
  - code: O1
    title: โครงสร้าง
    links:
      - { title: แผนผังโครงสร้างหน่วยงาน, url: /about/structure/ }
  - code: O2
    title: ข้อมูลผู้บริหาร
  - code: O9
    title: ข่าวประชาสัมพันธ์
    links:
      - { title: ข่าวประชาสัมพันธ์ ปีงบประมาณ 2569, url: /news/fy/2569/ }
      - { title: เพจหน่วยงาน, url: 'https://www.facebook.com/example' }
";

    #[test]
    fn reads_the_spec_example() {
        let page = ItaPage::parse(GOOD).unwrap();
        assert_eq!(page.fiscal_year, 2569);
        assert_eq!(page.items.len(), 3);
        assert!(page.items[1].links.is_empty());
        let codes: Vec<&str> = page.links().map(|(code, _)| code).collect();
        assert_eq!(codes, ["O1", "O9", "O9"]);
        assert!(page.intro.unwrap().contains("077"));
    }

    #[test]
    fn unknown_key_names_the_nearest_and_where() {
        let text = GOOD.replace("    title: โครงสร้าง", "    titel: โครงสร้าง");
        match ItaPage::parse(&text) {
            Err(ItaError::Syntax {
                line,
                suggestion,
                message,
                ..
            }) => {
                assert_eq!(line, Some(5));
                assert_eq!(suggestion.as_deref(), Some("title"));
                assert!(message.contains("titel"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let err = ItaPage::parse("fiscal_year: 2569\nitems: []\nitmes: []\n").unwrap_err();
        assert!(err.to_string().contains("did you mean `items`?"), "{err}");
    }

    #[test]
    fn schema_mistakes_are_named() {
        let e = ItaPage::parse("fiscal_year: 2026\nitems: []\n").unwrap_err();
        assert!(e.to_string().contains("2569"), "{e}");
        let e = ItaPage::parse("fiscal_year: 2569\n").unwrap_err();
        assert!(e.to_string().contains("missing field `items`"), "{e}");
        let dup = "fiscal_year: 2569\nitems:\n  - {code: O1, title: a}\n  - {code: o1, title: b}\n";
        assert_eq!(
            ItaPage::parse(dup).unwrap_err(),
            ItaError::DuplicateCode {
                code: "o1".into(),
                first: 1,
                second: 2
            }
        );
        let no_url = "fiscal_year: 2569\nitems:\n  - code: O1\n    title: a\n    links: [{title: x, url: ' '}]\n";
        assert!(matches!(
            ItaPage::parse(no_url).unwrap_err(),
            ItaError::EmptyLinkField {
                field: "url",
                link: 1,
                ..
            }
        ));
        let e = ItaPage::parse("fiscal_year: [\n").unwrap_err();
        assert!(matches!(e, ItaError::Syntax { line: Some(_), .. }), "{e:?}");
    }
}
