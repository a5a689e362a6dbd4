//! khao — the news-publishing tool of a Thai Secondary Educational Service
//! Area Office's ICT Service Center.
//!
//! The code is in three layers, each using only the ones below it:
//!
//! ```text
//! main → commands → steps → plumbing
//! ```
//!
//! - [`commands`]: the command line. The only layer that prints, writes
//!   JSON, picks exit codes and renders messages in Thai or English.
//! - The steps, in the order of the work manual (sections 6.3 and 6.5):
//!   `request → check → intake → content → render (+ images, search) →
//!   checkpages → deploy → verify`, plus the office's [`records`] and the
//!   requester's [`receipt`], the engines of `watch` and
//!   `serve`, the display check in a [`browser`], and [`newrequest`]. Each
//!   takes plain data and returns plain data ([`diagnostic::Diagnostic`]s
//!   for what a person can fix) or its own typed error.
//! - Below them: the one news schema ([`news`]), the site's configuration
//!   ([`config`]), messages ([`i18n`]), problems ([`diagnostic`]), and
//!   [`plumbing`] (files, paths, URLs, text).
//!
//! The contract (request format, diagnostic codes, commands, exit codes,
//! JSON) is in `docs/`.

// These docs are for khao's developers (`cargo doc --document-private-items`):
// a module's text may name the private parts it is made of.
#![allow(rustdoc::private_intra_doc_links)]

// Below the steps.
pub mod config;
pub mod diagnostic;
pub mod docx;
pub mod fiscal;
pub mod i18n;
pub mod markdown;
pub mod news;
pub mod plumbing;
pub mod static_server;
pub mod thaidate;

// Steps 1–2: publicity requests.
pub mod check;
pub mod intake;
pub mod newrequest;
pub mod receipt;
pub mod records;
pub mod request;
pub mod watch;

// Steps 3–5: the site.
pub mod browser;
pub mod build;
pub mod checkpages;
pub mod content;
pub mod images;
pub mod preview;
pub mod render;
pub mod search;
pub mod serve;

// Steps 6–7: the server.
pub mod deploy;
pub mod verify;

// The office's report, and the OIT page's links.
pub mod ita;
pub mod report;

// The command line.
pub mod commands;
