//! The command layer: the only code that knows the command line, prints,
//! writes JSON, renders messages in Thai or English and picks exit codes.
//! One file per command; each loads site.yaml, runs the steps with plain
//! data, and shows what they returned.

/// `println!` that never panics: a reader gone (`khao publish | head`, a
/// log pipe restarted) must not turn a finished run into a crash, exit
/// 101, after the work is done.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see [`outln!`]).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
mod output;
mod progress;

mod build;
mod check;
mod deploy;
mod intake;
mod ita;
mod new;
mod report;
mod serve;
mod usage;
mod watch;

use std::path::PathBuf;

use crate::config::{ConfigError, SiteConfig};
use crate::diagnostic::Failure;
use crate::i18n::Lang;
use cli::{Cli, Command, Format, GlobalArgs};

pub use deploy::run_prebuilt;
pub use usage::report as usage;

/// Exit statuses (docs/commands.md): 0 done, 1 content errors, 2 bad
/// command line or site.yaml, 3 the deploy could not be done.
pub mod exit {
    pub const OK: u8 = 0;
    pub const CONTENT: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DEPLOY: u8 = 3;
}

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
            // Absolute: the steps join it with paths that are relative to
            // it (a deploy target, the browser check's server root) and
            // would take a relative one twice.
            site_dir: std::path::absolute(&args.site).unwrap_or_else(|_| args.site.clone()),
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

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Waits until no other run works on the site, then holds it: publish,
    /// intake, build and deploy never interleave.
    fn lock(&self, lang: Lang) -> Result<crate::plumbing::lock::SiteLock, u8> {
        crate::plumbing::lock::SiteLock::acquire(&self.site_dir).map_err(|e| {
            let e = LockError(e.to_string());
            fail(self, lang, &e, exit::CONTENT)
        })
    }

    /// site.yaml, and the site held for this run ([`Context::lock`]): what
    /// every command that writes the site starts with.
    fn config_locked(&self) -> Result<(SiteConfig, crate::plumbing::lock::SiteLock), u8> {
        let config = self.config_or_exit()?;
        let lock = self.lock(config.language)?;
        Ok((config, lock))
    }

    /// Loads site.yaml, or reports why it cannot be read (exit 2).
    fn config_or_exit(&self) -> Result<SiteConfig, u8> {
        self.config().map_err(|e| {
            let lang = self.lang_override.unwrap_or(e.lang);
            fail(self, lang, &e, exit::USAGE)
        })
    }
}

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> u8 {
    let ctx = Context::from_args(&cli.global);
    match cli.command {
        Command::Build(args) => build::run(&ctx, &args),
        Command::Serve { port } => serve::run(&ctx, port),
        Command::New { name, word } => new::run(&ctx, &name, word),
        Command::Check { paths } => check::run(&ctx, &paths),
        Command::Watch { settle } => watch::run(&ctx, settle),
        Command::Intake => intake::run(&ctx),
        Command::Deploy(args) => deploy::run(&ctx, &args, false),
        Command::Publish(args) => deploy::run(&ctx, &args, true),
        Command::Report { fy } => report::run(&ctx, fy),
        Command::Ita => ita::run(&ctx),
    }
}

/// Reports what stopped a command — `{"error": {"code", "message"}}` on
/// stdout with `--format json`, the message on stderr otherwise — and
/// returns `status`.
pub(crate) fn fail(ctx: &Context, lang: Lang, e: &dyn Failure, status: u8) -> u8 {
    let message = e.message().render(lang);
    if ctx.json() {
        let v = serde_json::json!({ "error": { "code": e.code(), "message": message } });
        outln!("{v}");
    } else {
        errln!("{message}");
    }
    status
}

/// The site's lock could not be taken.
#[derive(Debug, thiserror::Error)]
struct LockError(String);

crate::display_failure!(LockError);

impl Failure for LockError {
    fn code(&self) -> crate::diagnostic::Code {
        crate::diagnostic::Code::Lock
    }

    fn message(&self) -> crate::i18n::Message {
        crate::i18n::Message::new("lock.failed").arg_msg("error", crate::i18n::os_error(&self.0))
    }
}
