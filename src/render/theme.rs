//! The theme: the default one built into the binary, with the site's
//! `themes/<name>/` overriding it file by file (templates, `i18n/*.yaml` key
//! by key, `static/**`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::error::RenderError;
use crate::i18n::Lang;
use crate::plumbing::paths::slash;

/// The default theme, as it was when khao was compiled.
pub static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The templates of a theme every site needs.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "news_list.html",
    "news.html",
    "category.html",
    "page.html",
    "404.html",
    "archive.html",
    "ita.html",
];

/// A theme ready to use.
pub struct Theme {
    /// Template name (path under `templates/`, `/`-separated) → source.
    pub templates: BTreeMap<String, String>,
    /// The words of the site's language.
    pub words: BTreeMap<String, String>,
    /// Path under `static/` → bytes; published at the same path in
    /// `public/`.
    pub statics: BTreeMap<PathBuf, Cow<'static, [u8]>>,
    /// `card/share.svg`: the share card's template (see [`super::card`]).
    pub card: Option<String>,
    /// `card/*.ttf`: the fonts the card is drawn with, by file name (never
    /// published).
    pub card_fonts: BTreeMap<String, Cow<'static, [u8]>>,
}

impl Theme {
    /// The built-in default theme, overridden by `<site>/themes/<name>/`
    /// when that folder exists. A theme other than `default` must exist.
    pub fn load(site_root: &Path, name: &str, lang: Lang) -> Result<Theme, RenderError> {
        let mut theme = Theme::builtin(lang)?;
        let dir = site_root.join("themes").join(name);
        if dir.is_dir() {
            theme.overlay(&dir, lang)?;
        } else if name != "default" {
            return Err(RenderError::NoTheme {
                name: name.to_string(),
                dir,
            });
        }
        Ok(theme)
    }

    /// The theme built into the binary.
    pub fn builtin(lang: Lang) -> Result<Theme, RenderError> {
        let mut templates = BTreeMap::new();
        let mut statics = BTreeMap::new();
        let mut card = None;
        let mut card_fonts = BTreeMap::new();
        let mut files = Vec::new();
        collect(&BUILTIN, &mut files);
        for file in files {
            let path = file.path();
            if let Ok(rel) = path.strip_prefix("templates") {
                let text = file
                    .contents_utf8()
                    .ok_or_else(|| theme_file(path, "not UTF-8"))?;
                templates.insert(slash(rel), text.to_string());
            } else if let Ok(rel) = path.strip_prefix("static") {
                statics.insert(rel.to_path_buf(), Cow::Borrowed(file.contents()));
            } else if let Ok(rel) = path.strip_prefix("card") {
                card_file(
                    &mut card,
                    &mut card_fonts,
                    rel,
                    Cow::Borrowed(file.contents()),
                );
            }
        }
        let words = builtin_words(lang)?;
        Ok(Theme {
            templates,
            words,
            statics,
            card,
            card_fonts,
        })
    }

    fn overlay(&mut self, dir: &Path, lang: Lang) -> Result<(), RenderError> {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| theme_file(dir, e))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            if rel
                .components()
                .any(|c| crate::request::is_ignored(&c.as_os_str().to_string_lossy()))
            {
                continue;
            }
            if let Ok(name) = rel.strip_prefix("templates") {
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| theme_file(entry.path(), e))?;
                self.templates.insert(slash(name), text);
            } else if let Ok(name) = rel.strip_prefix("static") {
                let bytes = std::fs::read(entry.path()).map_err(|e| theme_file(entry.path(), e))?;
                self.statics.insert(name.to_path_buf(), Cow::Owned(bytes));
            } else if let Ok(name) = rel.strip_prefix("card") {
                let bytes = std::fs::read(entry.path()).map_err(|e| theme_file(entry.path(), e))?;
                card_file(
                    &mut self.card,
                    &mut self.card_fonts,
                    name,
                    Cow::Owned(bytes),
                );
            } else if rel == Path::new("i18n").join(format!("{}.yaml", lang.code())) {
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| theme_file(entry.path(), e))?;
                let words: BTreeMap<String, String> =
                    serde_yaml::from_str(&text).map_err(|e| theme_file(entry.path(), e))?;
                self.words.extend(words);
            }
        }
        Ok(())
    }
}

/// The built-in words of a language (`themes/default/i18n/<lang>.yaml`).
pub fn builtin_words(lang: Lang) -> Result<BTreeMap<String, String>, RenderError> {
    let name = format!("i18n/{}.yaml", lang.code());
    let text = BUILTIN
        .get_file(&name)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| theme_file(Path::new(&name), "missing"))?;
    serde_yaml::from_str(text).map_err(|e| theme_file(Path::new(&name), e))
}

/// A file of `card/`: the template, or a font.
fn card_file(
    card: &mut Option<String>,
    fonts: &mut BTreeMap<String, Cow<'static, [u8]>>,
    rel: &Path,
    bytes: Cow<'static, [u8]>,
) {
    let name = slash(rel);
    if name == "share.svg" {
        *card = Some(String::from_utf8_lossy(&bytes).into_owned());
    } else if name.ends_with(".ttf") || name.ends_with(".otf") {
        fonts.insert(name, bytes);
    }
}

fn theme_file(path: &Path, error: impl std::fmt::Display) -> RenderError {
    RenderError::ThemeFile {
        path: path.to_path_buf(),
        error: error.to_string(),
    }
}

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for f in dir.files() {
        out.push(f);
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}
