//! Every message khao prints, in one file per language:
//! `src/i18n/th.yaml` and `src/i18n/en.yaml`.
//!
//! A message is looked up by key and its `{name}` placeholders filled in.
//! A key missing from a language falls back to the other one, then to the
//! key itself, so a missing translation is visible but never a panic; a unit
//! test keeps both files' keys identical.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

/// The site's language: the templates' words and every message khao prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

type Catalog = HashMap<String, String>;

fn load(text: &str) -> Catalog {
    // The files are part of the binary and checked by a unit test; an
    // unreadable one degrades to showing keys rather than panicking.
    serde_yaml::from_str(text).unwrap_or_default()
}

static TH: Lazy<Catalog> = Lazy::new(|| load(include_str!("i18n/th.yaml")));
static EN: Lazy<Catalog> = Lazy::new(|| load(include_str!("i18n/en.yaml")));

fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Th => &TH,
        Lang::En => &EN,
    }
}

/// The message `key` in `lang`, with each `{name}` replaced by its value.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let other = match lang {
        Lang::Th => Lang::En,
        Lang::En => Lang::Th,
    };
    let template = catalog(lang)
        .get(key)
        .or_else(|| catalog(other).get(key))
        .map(String::as_str)
        .unwrap_or(key);
    fill(template, args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_parse_and_have_the_same_keys() {
        let th: Catalog = serde_yaml::from_str(include_str!("i18n/th.yaml")).unwrap();
        let en: Catalog = serde_yaml::from_str(include_str!("i18n/en.yaml")).unwrap();
        let mut only_th: Vec<_> = th.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !th.contains_key(*k)).collect();
        only_th.sort();
        only_en.sort();
        assert!(only_th.is_empty(), "keys missing from en.yaml: {only_th:?}");
        assert!(only_en.is_empty(), "keys missing from th.yaml: {only_en:?}");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("a {x} b {y}", &[("x", "1"), ("y", "2")]), "a 1 b 2");
        assert_eq!(tr(Lang::En, "no.such.key", &[]), "no.such.key");
    }
}
