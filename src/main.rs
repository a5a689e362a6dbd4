use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = khao::cli::Cli::parse();
    ExitCode::from(khao::commands::run(cli))
}
