//! `khao build`: content → images → render → check pages (steps 3–5).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::checkpages::PageProblem;
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::images::ImageStats;

/// What a build did; `--format json` prints it as SPEC.md's build object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub news: usize,
    pub images: ImageStats,
    /// Content problems (bad front matter, photos that would not process)
    /// and page-check problems; any error means exit 1.
    pub problems: Vec<PageProblem>,
    /// Every file written, relative to `out`, sorted.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    #[serde(skip)]
    pub content_diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write; default `public/` in the site folder.
    pub out: Option<PathBuf>,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
}

/// Builds the site in `site_dir` into `public/` (or `options.out`).
pub fn build_site(
    site_dir: &Path,
    config: &SiteConfig,
    options: &BuildOptions,
) -> anyhow::Result<BuildReport> {
    let _ = (site_dir, config, options);
    todo!("build")
}
