//! Every end-to-end test of khao, in one binary (so the crate links once),
//! a module per topic. Most run the real `khao` binary against temporary
//! sites exactly as the officer or a staff member would; the deploy tests
//! start real `sshd` and `nginx` ([`servers`]), the browser tests a real
//! Chromium.
//!
//! `cargo test --test tests <module>::` runs one topic.

mod docx_support;
mod requests_support;
mod servers;
mod util;

mod browser_failures;
mod browser_site;
mod build_site;
mod clock;
mod deploy_bench;
mod deploy_local;
mod deploy_sftp;
mod docx_documents;
mod docx_hostile;
mod docx_template;
mod fuzz;
mod fuzz_text;
mod html_valid;
mod images_build;
mod images_process;
mod incremental_build;
mod intake_requests;
mod ita_check;
mod publish_bench;
mod records_receipts;
mod render_site;
mod report_ita;
mod requests_corpus;
mod requests_new;
mod samba;
mod search_incremental;
mod search_site;
mod serve_reload;
mod watch_requests;
mod word_requests;
