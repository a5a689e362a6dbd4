//! A page: any `content/a/b.md` outside `content/news/`, at `/a/b/`.
//!
//! ```yaml
//! ---
//! title: วิสัยทัศน์ พันธกิจ        # required (except in content/index.md)
//! description: ...               # optional: search engines and shared links
//! weight: 10                     # optional: order among its section's pages
//! template: page.html            # optional: another template of the theme
//! footer: true                   # optional: listed in the footer (policy pages)
//! ---
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Page, read_text};
use crate::config::nearest;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::news::Locate;
use crate::news::yaml::{self, YamlLines};
use crate::news::{Place, scalar};
use crate::plumbing::paths::CONTENT_DIR;

/// The front matter of a page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub footer: bool,
}

/// The keys of [`PageFrontMatter`].
pub const PAGE_KEYS: &[&str] = &["title", "description", "weight", "template", "footer"];

/// Reads `content/<rel>`, the page at `url`.
pub fn load(site_dir: &Path, rel: &Path, url: String, diags: &mut Vec<Diagnostic>) -> Option<Page> {
    let file = Path::new(CONTENT_DIR).join(rel);
    let text = read_text(&site_dir.join(&file), &file, diags)?;
    let split = match yaml::split(&text) {
        Ok(s) => s,
        Err(yaml::SplitError::Missing) => yaml::Split {
            yaml: (0, 0),
            body: Some(0),
        },
        Err(yaml::SplitError::Unclosed) => {
            let m = Message::new("content.front_matter_unclosed");
            diags.push(
                Diagnostic::error(Code::YamlSyntax, m)
                    .in_file(&file)
                    .at_line(1),
            );
            return None;
        }
    };
    // The office's own pages (a staff list, a contact page) publish what
    // they hold as news does.
    let ids = crate::news::personal_id::in_file_text(&text, split.body);
    diags.extend(ids.into_iter().map(|d| d.in_file(&file)));
    let mut map = match yaml::mapping(&text, split) {
        Ok(m) => m,
        Err(d) => {
            diags.push(d.in_file(&file));
            return None;
        }
    };
    let lines = YamlLines { text: &text, split };
    let at = |d: Diagnostic, key: &str| match lines.key(key) {
        Some(Place::Line(l)) => d.in_file(&file).at_line(l),
        _ => d.in_file(&file).at_line(lines_first(&text, split)),
    };
    // Unknown keys are ignored, with a warning naming the nearest one.
    let keys: Vec<serde_yaml::Value> = map.keys().cloned().collect();
    for key in keys {
        let name = scalar(&key).unwrap_or_default();
        if PAGE_KEYS.contains(&name.as_str()) {
            continue;
        }
        map.remove(&key);
        let m = match nearest(&name, PAGE_KEYS.iter().copied()) {
            Some(near) => Message::new("content.unknown_field_near").arg("near", near),
            None => Message::new("content.unknown_field").arg("known", PAGE_KEYS.join(", ")),
        };
        diags.push(at(
            Diagnostic::warning(Code::UnknownField, m.arg("key", &name)),
            &name,
        ));
    }
    // The home page's and the news list's text may go without a title.
    let title = map.get("title").and_then(scalar).unwrap_or_default();
    if title.is_empty() && url != "/" && url != "/news/" {
        let m = Message::new("content.missing_field").arg("key", "title");
        diags.push(at(Diagnostic::error(Code::MissingField, m), "title"));
        return None;
    }
    // Numbers where text is expected (a title "2569") are text.
    for key in ["title", "description", "template"] {
        if let Some(v) = map.get_mut(key)
            && let Some(s) = scalar(v).filter(|_| !v.is_string())
        {
            *v = serde_yaml::Value::String(s);
        }
    }
    let front: PageFrontMatter = match serde_yaml::from_value(serde_yaml::Value::Mapping(map)) {
        Ok(f) => f,
        Err(e) => {
            let raw = e.to_string();
            let detail = raw.split(" at line ").next().unwrap_or(&raw).to_string();
            let m = Message::new("content.bad_value").arg("error", detail);
            diags.push(
                Diagnostic::error(Code::YamlSyntax, m)
                    .in_file(&file)
                    .at_line(lines_first(&text, split)),
            );
            return None;
        }
    };
    Some(Page {
        source: rel.to_path_buf(),
        url,
        title: front.title.unwrap_or_default().trim().to_string(),
        description: front.description.unwrap_or_default().trim().to_string(),
        weight: front.weight.unwrap_or(0),
        template: front.template.filter(|t| !t.trim().is_empty()),
        footer: front.footer,
        body: text[split.body.unwrap_or(0)..].to_string(),
    })
}

/// The first line of the front matter.
fn lines_first(text: &str, split: yaml::Split) -> usize {
    crate::plumbing::text::line_of(text, split.yaml.0)
}
