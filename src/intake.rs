//! `khao intake`: every valid request becomes `content/news/<yyyy>/<slug>/`,
//! copied to a temporary folder, verified, renamed into place, and only then
//! removed from `requests/`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::SiteConfig;

#[derive(Debug, Clone, Default, Serialize)]
pub struct IntakeReport {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The request as it was in `requests/`.
    pub request: PathBuf,
    /// The news folder it became.
    pub news: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub request: PathBuf,
    /// Its report file.
    pub report: PathBuf,
}

/// Takes in every valid request of the site in `site_dir`.
pub fn intake_all(site_dir: &Path, config: &SiteConfig) -> anyhow::Result<IntakeReport> {
    let _ = (site_dir, config);
    todo!("intake")
}
