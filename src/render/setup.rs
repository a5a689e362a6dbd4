//! Tera setup: the theme's templates in one Tera with khao's filters, the
//! hash of each template with everything it extends, includes or imports,
//! and the salt every output's key starts with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::error::RenderError;
use super::{Theme, filters, theme};
use crate::config::SiteConfig;
use crate::markdown;
use crate::plumbing::fs::file_stamp;

pub(super) fn build_salt(config: &SiteConfig, common: &tera::Context) -> String {
    let mut h = blake3::Hasher::new();
    let _ = serde_json::to_writer(&mut h, &common.clone().into_json());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some((len, mtime)) = std::env::current_exe()
        .ok()
        .and_then(|exe| file_stamp(&exe))
    {
        h.update(&len.to_le_bytes());
        h.update(&mtime.to_le_bytes());
    }
    let _ = serde_json::to_writer(&mut h, config);
    h.finalize().to_hex().to_string()
}

/// The templates a template names in `{% extends %}`, `{% include %}` and
/// `{% import %}` tags.
pub(super) fn template_refs(source: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find("{%") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("%}") else { break };
        let tag = after[..close].trim_start_matches('-').trim_start();
        rest = &after[close + 2..];
        let word = tag.split_whitespace().next().unwrap_or("");
        if !matches!(word, "extends" | "include" | "import") {
            continue;
        }
        // Every quoted string in the tag: `include ["a.html", "b.html"]`.
        let mut chars = tag.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '"' || c == '\'' || c == '`' {
                let body = &tag[i + 1..];
                if let Some(end) = body.find(c) {
                    refs.push(body[..end].to_string());
                    for _ in 0..=body[..end].chars().count() {
                        chars.next();
                    }
                }
            }
        }
    }
    refs
}

/// Template name → hash of its own source and of every template it
/// reaches through extends/include/import.
pub(super) fn template_keys(templates: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let refs: BTreeMap<&str, Vec<String>> = templates
        .iter()
        .map(|(n, s)| (n.as_str(), template_refs(s)))
        .collect();
    templates
        .keys()
        .map(|name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name.as_str()];
            while let Some(n) = todo.pop() {
                if !seen.insert(n) {
                    continue;
                }
                for r in refs.get(n).into_iter().flatten() {
                    todo.push(r.as_str());
                }
            }
            let mut h = blake3::Hasher::new();
            for n in seen {
                h.update(n.as_bytes());
                h.update(b"\0");
                // A name no template has (an optional include) counts too.
                h.update(
                    templates
                        .get(n)
                        .map(String::as_bytes)
                        .unwrap_or(b"\x01missing"),
                );
                h.update(b"\0");
            }
            (name.clone(), h.finalize().to_hex().to_string())
        })
        .collect()
}

/// The site's theme, loaded, and its templates parsed: made on their own
/// (by [`crate::build`], while the content is read), as parsing the
/// templates is most of what a build after one edit spends on a small site.
pub struct Templates {
    pub(super) theme: super::Theme,
    pub(super) tera: tera::Tera,
}

impl Templates {
    /// The theme `config` names, for the site in `root`.
    pub fn load(root: &std::path::Path, config: &SiteConfig) -> Result<Templates, RenderError> {
        let theme = super::Theme::load(root, &config.theme, config.language)?;
        let tera = build_tera(&theme, config, &config.base_url())?;
        Ok(Templates { theme, tera })
    }
}

/// The theme's templates in one Tera, with khao's filters.
pub(super) fn build_tera(
    theme: &Theme,
    config: &SiteConfig,
    base: &str,
) -> Result<tera::Tera, RenderError> {
    let mut tera = tera::Tera::default();
    // Tera's own escaping also turns `/` into `&#x2F;`, which makes every
    // URL unreadable; `&<>"'` is what HTML needs.
    tera.set_escape_fn(markdown::escape);
    tera.register_filter(
        "thai_date",
        filters::ThaiDate {
            lang: config.language,
        },
    );
    tera.register_filter("filesize", filters::FileSize);
    tera.register_filter(
        "abs_url",
        filters::AbsUrl {
            base: base.to_string(),
        },
    );
    add_templates(&mut tera, &theme.templates)
        .map_err(|e| tera_error(&e, "", "the theme's templates"))?;
    for name in theme::REQUIRED_TEMPLATES {
        if !theme.templates.contains_key(*name) {
            return Err(RenderError::MissingTemplate {
                template: name.to_string(),
            });
        }
    }
    Ok(tera)
}

/// Tera's `add_raw_templates`, with the templates parsed on every core:
/// parsing is most of a one-edit build on a small site, and one core sat
/// idle while the other parsed them one after the other. The largest are
/// taken first so neither core is left with a long one at the end.
fn add_templates(tera: &mut tera::Tera, sources: &BTreeMap<String, String>) -> tera::Result<()> {
    use rayon::prelude::*;
    let mut by_size: Vec<(&String, &String)> = sources.iter().collect();
    by_size.sort_by_key(|(_, source)| std::cmp::Reverse(source.len()));
    let mut parsed: Vec<(&String, tera::Result<tera::Template>)> = by_size
        .into_par_iter()
        .with_max_len(1)
        .map(|(name, source)| (name, tera::Template::new(name, None, source)))
        .collect();
    // The first broken template by name is the one reported, every time.
    parsed.sort_by_key(|(name, _)| *name);
    for (name, template) in parsed {
        let template =
            template.map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))?;
        tera.templates.insert(name.clone(), template);
    }
    // The two steps `add_raw_templates` ends with.
    tera.build_inheritance_chains()?;
    tera.check_macro_files()
}

/// A Tera error with its whole chain of causes, which is where Tera says
/// what went wrong and on which line.
pub(super) fn tera_error(e: &tera::Error, template: &str, what: &str) -> RenderError {
    let mut message = if template.is_empty() {
        e.to_string()
    } else {
        format!("{template}: {e}")
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!("\n  {s}"));
        source = s.source();
    }
    RenderError::Template {
        what: what.to_string(),
        detail: message,
    }
}

/// The site path of a theme file with a version from its content, so a
/// browser's cached copy is replaced as soon as the file changes.
pub(super) fn asset_url(theme: &Theme, rel: &str) -> String {
    match theme.statics.get(Path::new(rel)) {
        Some(bytes) => {
            let hash = blake3::hash(bytes);
            format!("/{rel}?v={}", &hash.to_hex()[..10])
        }
        None => format!("/{rel}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn templates_parsed_on_every_core_render_as_added_one_by_one() {
        let set = sources(&[
            ("base.html", "<h1>{% block title %}{% endblock %}</h1>"),
            ("macros.html", "{% macro hi(n) %}hi {{ n }}{% endmacro %}"),
            (
                "page.html",
                "{% extends \"base.html\" %}{% import \"macros.html\" as m %}\
                 {% block title %}{{ m::hi(n=who) }}{% endblock %}",
            ),
        ]);
        let mut parallel = tera::Tera::default();
        add_templates(&mut parallel, &set).unwrap();
        let mut serial = tera::Tera::default();
        serial.add_raw_templates(set.iter()).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("who", "ครู");
        let page = parallel.render("page.html", &ctx).unwrap();
        assert_eq!(page, serial.render("page.html", &ctx).unwrap());
        assert_eq!(page, "<h1>hi ครู</h1>");
    }

    #[test]
    fn of_two_broken_templates_the_first_by_name_is_reported() {
        let set = sources(&[
            ("b.html", "{% if %}"),
            ("a.html", "{{ oops"),
            ("c.html", "fine"),
        ]);
        for _ in 0..5 {
            let e = add_templates(&mut tera::Tera::default(), &set).unwrap_err();
            assert_eq!(e.to_string(), "Failed to parse 'a.html'");
        }
        let mut missing_parent = tera::Tera::default();
        let set = sources(&[("x.html", "{% extends \"gone.html\" %}")]);
        assert!(add_templates(&mut missing_parent, &set).is_err());
    }
}
