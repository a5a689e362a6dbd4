//! A command line khao does not know. clap says what is wrong, in English;
//! this says so in the site's language first, and with `--format json`
//! prints the one JSON object every command promises, so a script reading
//! stdout is not left with nothing.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;

use super::exit;
use crate::config::SiteConfig;
use crate::diagnostic::Code;
use crate::i18n::{Lang, Message};

/// Reports `e` and returns the exit status: 0 for `--help` and
/// `--version`, 2 for anything else.
pub fn report(e: &clap::Error) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return exit::OK;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return exit::USAGE;
        }
        _ => {}
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    let said = e.render().to_string();
    let first = said.lines().next().unwrap_or_default();
    let what = first.strip_prefix("error: ").unwrap_or(first);
    let message = Message::new("cli.usage")
        .arg("error", what)
        .render(lang(&args));
    if option(&args, "--format").as_deref() == Some("json") {
        let v = serde_json::json!({ "error": { "code": Code::Usage, "message": message } });
        outln!("{v}");
    } else {
        errln!("{message}\n");
        let _ = e.print();
    }
    exit::USAGE
}

/// `--lang`, else site.yaml's language (of `--site`, else this folder),
/// else Thai.
pub(super) fn lang(args: &[OsString]) -> Lang {
    if let Some(lang) = option(args, "--lang").and_then(|l| Lang::from_code(&l)) {
        return lang;
    }
    let site = option(args, "--site").map_or_else(|| PathBuf::from("."), PathBuf::from);
    SiteConfig::load(&site).map_or(Lang::Th, |c| c.language)
}

/// The value of `--name VALUE` or `--name=VALUE` among `args`.
fn option(args: &[OsString], name: &str) -> Option<String> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let eq = format!("{name}=");
    args.iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix(&eq) {
            Some(v) => Some(v.to_string()),
            None if a == name => args.get(i + 1).cloned(),
            None => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_either_way() {
        let args: Vec<OsString> = ["khao", "--format=json", "report", "--lang", "en"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(option(&args, "--format").as_deref(), Some("json"));
        assert_eq!(option(&args, "--lang").as_deref(), Some("en"));
        assert_eq!(option(&args, "--site"), None);
    }
}
