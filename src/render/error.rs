//! What stops rendering: a theme that cannot be read, a template Tera
//! refuses, a page naming a template the theme lacks, a file that cannot
//! be written. Content problems are not here: they are diagnostics.

use std::path::PathBuf;

use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// site.yaml names a theme that is not in `themes/`.
    NoTheme { name: String, dir: PathBuf },
    /// A file of the theme could not be read.
    ThemeFile { path: PathBuf, error: String },
    /// A template every site needs is missing from the theme.
    MissingTemplate { template: String },
    /// A page asks for a template the theme does not have.
    UnknownTemplate { page: PathBuf, template: String },
    /// Tera refused a template, or failed rendering it: what, and Tera's
    /// whole chain of causes (where it says which line).
    Template { what: String, detail: String },
    /// An output file could not be written (or copied).
    Write { path: PathBuf, error: String },
    /// The share picture (site.yaml's `share_image`, or the theme's card)
    /// cannot be made.
    ShareImage { path: String, error: String },
}

crate::display_failure!(RenderError);

impl Failure for RenderError {
    fn code(&self) -> Code {
        match self {
            RenderError::NoTheme { .. }
            | RenderError::ThemeFile { .. }
            | RenderError::MissingTemplate { .. } => Code::Theme,
            RenderError::UnknownTemplate { .. } | RenderError::Template { .. } => Code::Template,
            RenderError::Write { .. } => Code::Write,
            RenderError::ShareImage { .. } => Code::Theme,
        }
    }

    fn message(&self) -> Message {
        match self {
            RenderError::NoTheme { name, dir } => Message::new("render.no_theme")
                .arg("name", name)
                .arg("dir", dir.display()),
            RenderError::ThemeFile { path, error } => Message::new("render.theme_file")
                .arg("file", path.display())
                .arg_msg("error", crate::i18n::os_error(error)),
            RenderError::MissingTemplate { template } => {
                Message::new("render.missing_template").arg("template", template)
            }
            RenderError::UnknownTemplate { page, template } => {
                Message::new("render.unknown_template")
                    .arg("page", page.display())
                    .arg("template", template)
            }
            RenderError::Template { what, detail } => Message::new("render.template")
                .arg("what", what)
                .arg("detail", detail),
            RenderError::ShareImage { path, error } => Message::new("render.share_image")
                .arg("file", path)
                .arg("error", error),
            RenderError::Write { path, error } => Message::new("render.write")
                .arg("file", path.display())
                .arg_msg("error", crate::i18n::os_error(error)),
        }
    }
}

/// A write error of `path`.
pub(super) fn write_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> RenderError + '_ {
    move |e| RenderError::Write {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}
