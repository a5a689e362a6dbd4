//! One function per command: load the configuration, run the step, print
//! the result for people or as JSON, return the exit status.

use std::path::PathBuf;

use crate::cli::{Cli, Command, Format, GlobalArgs};
use crate::config::{ConfigError, SiteConfig};
use crate::exit;
use crate::i18n::Lang;

/// What every command knows: the site folder, the output format and the
/// language of its messages.
#[derive(Debug, Clone)]
pub struct Context {
    pub site_dir: PathBuf,
    pub format: Format,
    /// `--lang`, which overrides site.yaml's `language`.
    pub lang_override: Option<Lang>,
}

impl Context {
    pub fn from_args(args: &GlobalArgs) -> Context {
        Context {
            site_dir: args.site.clone(),
            format: args.format,
            lang_override: args.lang,
        }
    }

    /// Loads site.yaml, with `--lang` applied.
    pub fn config(&self) -> Result<SiteConfig, ConfigError> {
        let mut config = SiteConfig::load(&self.site_dir)?;
        if let Some(lang) = self.lang_override {
            config.language = lang;
        }
        Ok(config)
    }

    /// The language for messages printed before site.yaml is read.
    pub fn lang(&self) -> Lang {
        self.lang_override.unwrap_or_default()
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }
}

/// Prints a site.yaml problem (exit 2).
pub fn config_failed(ctx: &Context, e: &ConfigError) -> u8 {
    if ctx.json() {
        let v = serde_json::json!({
            "error": { "code": "config", "message": e.message, "file": e.file, "line": e.line }
        });
        println!("{v}");
    } else {
        eprintln!("error: {}", e.message);
    }
    exit::USAGE
}

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> u8 {
    let ctx = Context::from_args(&cli.global);
    let _ = &ctx;
    match cli.command {
        Command::New { .. }
        | Command::Check { .. }
        | Command::Watch { .. }
        | Command::Intake
        | Command::Build(_)
        | Command::Serve { .. }
        | Command::Deploy(_)
        | Command::Publish(_) => {
            eprintln!("not implemented yet");
            exit::USAGE
        }
    }
}
