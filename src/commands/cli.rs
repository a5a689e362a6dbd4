//! The command line of docs/commands.md.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::i18n::{Lang, tr};

/// The command line of this process. Its help is in the language of
/// [`super::usage::lang`] (`--lang`, else site.yaml's, else Thai): the
/// officer reads `khao --help` in Thai.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = in_language(Cli::command(), super::usage::lang(&args));
    Cli::from_arg_matches(&command.try_get_matches_from(args)?)
}

/// `command` with its help, and its subcommands', from the catalogue
/// (`help.<command>` and `help.<command>.<option>`; the English help
/// written below stays where the catalogue has none).
fn in_language(command: clap::Command, lang: Lang) -> clap::Command {
    let text = |key: String| Some(tr(lang, &key, &[])).filter(|t| *t != key);
    let name = command.get_name().to_string();
    let mut command = command
        .help_template(tr(lang, "help.template", &[]))
        .subcommand_help_heading(tr(lang, "help.commands", &[]))
        .subcommand_value_name(tr(lang, "help.command", &[]))
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help(tr(lang, "help.help", &[])),
        )
        .mut_args(|arg| {
            let id = arg.get_id().to_string();
            let help = text(format!("help.{name}.{id}")).or_else(|| text(format!("help.{id}")));
            let arg = arg.help_heading(tr(lang, "help.options", &[]));
            match help {
                Some(h) => arg.help(h),
                None => arg,
            }
        });
    if let Some(about) = text(format!("help.{name}")) {
        command = command.about(about);
    }
    if command.get_version().is_some() {
        command = command.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help(tr(lang, "help.version", &[]))
                .help_heading(tr(lang, "help.options", &[])),
        );
    }
    command.mut_subcommands(|sub| in_language(sub, lang))
}

#[derive(Debug, Parser)]
#[command(
    name = "khao",
    version,
    about = "khao (ข่าว): the office's website and news publishing — check requests, build, deploy",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The site folder (the one holding site.yaml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub site: PathBuf,
    /// `human` for people, `json` for one JSON object on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The language of messages (default: site.yaml's `language`).
    #[arg(long, global = true, value_parser = parse_lang, value_name = "th|en")]
    pub lang: Option<Lang>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// A `--lang` that is neither `th` nor `en`.
#[derive(Debug, thiserror::Error)]
#[error("`{0}`: expected th or en")]
pub struct UnknownLang(String);

fn parse_lang(s: &str) -> Result<Lang, UnknownLang> {
    Lang::from_code(s).ok_or_else(|| UnknownLang(s.to_string()))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create requests/NAME/ from a commented Thai template.
    New {
        /// The folder name of the new request (ASCII becomes its slug).
        name: String,
        /// A Word form (`ข่าว.docx`) instead of the Markdown one.
        #[arg(long)]
        word: bool,
    },
    /// Check publicity requests (default: everything in requests/).
    Check {
        /// Request folders or files to check.
        paths: Vec<PathBuf>,
    },
    /// Watch requests/ and (re)write each request's report when it settles.
    Watch {
        /// Seconds a request must be still before it is checked.
        #[arg(long, value_name = "SECONDS")]
        settle: Option<f64>,
    },
    /// Move every valid request into content/news/.
    Intake,
    /// Render public/ and check every page written.
    Build(BuildArgs),
    /// Build, serve on 127.0.0.1 and reload the browser on every change.
    Serve {
        /// The port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 8000)]
        port: u16,
    },
    /// Build, upload, verify the live site; roll back on failure.
    Deploy(DeployArgs),
    /// Intake, then deploy: the whole process in one command.
    Publish(DeployArgs),
    /// The fiscal-year service report: records/reports/fy<YEAR>.html and .csv.
    #[allow(rustdoc::invalid_html_tags)] // clap's help text, not HTML
    Report {
        /// The fiscal year, in the Buddhist Era (default: the current one).
        #[arg(long, value_name = "YEAR")]
        fy: Option<i32>,
    },
    /// Check every link of the OIT page (ita.yaml): the site's own against
    /// a build, the others on the internet.
    Ita,
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Where to write the site (default: public/ in the site folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Then open the key pages in headless Chromium: images, scripts,
    /// phone width, the Sarabun font, accessibility (WCAG 2.1 AA).
    #[arg(long)]
    pub browser: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// List what would be uploaded and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Swap the live site back to the previous release.
    #[arg(long, conflicts_with = "dry_run")]
    pub rollback: bool,
    /// Override site.yaml's deploy.target.
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// After the live check, open the home page, the news list and the
    /// changed news pages in headless Chromium (on by default in `publish`
    /// when Chromium is installed).
    #[arg(long)]
    pub browser: bool,
}
