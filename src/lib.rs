//! khao — the news-publishing tool of a Thai Secondary Educational Service
//! Area Office's ICT Service Center.
//!
//! The modules follow the work manual's process (sections 6.3 and 6.5), and
//! data flows one way through them:
//!
//! ```text
//! requests → check → intake → content → render (+ images) → checkpages → deploy → verify
//! ```
//!
//! `main.rs` only parses the command line; every command lives in
//! [`commands`], so tests drive exactly the code the CLI runs.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod i18n;
pub mod thaidate;

// Steps 1–2: publicity requests.
pub mod check;
pub mod intake;
pub mod newrequest;
pub mod request;
pub mod watch;

// Steps 3–5: the site.
pub mod browser;
pub mod build;
pub mod checkpages;
pub mod content;
pub mod images;
pub mod markdown;
pub mod preview;
pub mod render;
pub mod search;
pub mod serve;
pub mod static_server;

// Steps 6–7: the server.
pub mod deploy;
pub mod verify;

/// Exit statuses of SPEC.md: 0 done, 1 content errors, 2 bad command line
/// or site.yaml, 3 the deploy could not be done.
pub mod exit {
    pub const OK: u8 = 0;
    pub const CONTENT: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DEPLOY: u8 = 3;
}
