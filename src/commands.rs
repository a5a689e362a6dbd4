//! One function per command: load the configuration, run the step, print
//! the result for people or as JSON, return the exit status.

use std::path::PathBuf;

use crate::build::{BuildOptions, BuildReport};
use crate::cli::{BuildArgs, Cli, Command, Format, GlobalArgs};
use crate::config::{ConfigError, SiteConfig};
use crate::diagnostic::Severity;
use crate::exit;
use crate::i18n::{Lang, tr};

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
        Command::Build(args) => build(&ctx, &args),
        Command::Serve { port } => crate::serve::run(&ctx, port),
        Command::New { name } => crate::newrequest::run(&ctx, &name),
        Command::Check { paths } => crate::check::run(&ctx, &paths),
        Command::Watch { settle } => crate::watch::run(&ctx, settle),
        Command::Intake => crate::intake::run(&ctx),
        Command::Deploy(args) => crate::deploy::command::run(&ctx, &args, false),
        Command::Publish(args) => crate::deploy::command::run(&ctx, &args, true),
    }
}

/// `khao build`: exit 1 when the content or the pages have errors.
pub fn build(ctx: &Context, args: &BuildArgs) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return config_failed(ctx, &e),
    };
    let options = BuildOptions {
        out: args.out.clone(),
        progress: !ctx.json(),
        ..BuildOptions::default()
    };
    match crate::build::build_site(&ctx.site_dir, &config, &options) {
        Ok(report) => {
            let browser = args.browser && report.errors() == 0;
            // With --browser, JSON is one object printed after the run.
            if !(browser && ctx.json()) {
                print_build(ctx, config.language, &report);
            }
            if report.errors() > 0 {
                exit::CONTENT
            } else if browser {
                crate::browser::run_after_build(ctx, config.language, &report)
            } else {
                exit::OK
            }
        }
        Err(e) => {
            let message = tr(
                config.language,
                "build.failed",
                &[("error", &format!("{e:#}"))],
            );
            if ctx.json() {
                println!(
                    "{}",
                    serde_json::json!({ "error": { "code": "build", "message": message } })
                );
            } else {
                eprintln!("{message}");
            }
            exit::CONTENT
        }
    }
}

/// Prints a build's problems and summary for people, or its JSON object.
pub fn print_build(ctx: &Context, lang: Lang, report: &BuildReport) {
    if ctx.json() {
        println!("{}", serde_json::to_string(report).unwrap_or_default());
        return;
    }
    for p in &report.problems {
        let label = match p.severity {
            Severity::Error => tr(lang, "build.error_label", &[]),
            Severity::Warning => tr(lang, "build.warning_label", &[]),
        };
        match &p.target {
            Some(t) => eprintln!(
                "{label}[{}] {}: {} — {}",
                p.code,
                p.page.display(),
                t,
                p.message
            ),
            None => eprintln!("{label}[{}] {}: {}", p.code, p.page.display(), p.message),
        }
    }
    eprintln!(
        "{}",
        tr(
            lang,
            "build.summary",
            &[
                ("pages", &report.pages.to_string()),
                ("news", &report.news.to_string()),
                ("processed", &report.images.processed.to_string()),
                ("cached", &report.images.cached.to_string()),
                ("seconds", &format!("{:.2}", report.seconds)),
                ("out", &report.out.display().to_string()),
                ("errors", &report.errors().to_string()),
                ("warnings", &report.warnings().to_string()),
            ],
        )
    );
}
