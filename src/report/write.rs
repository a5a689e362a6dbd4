//! `khao report`'s work on a site folder: read the service log and the
//! news, count the fiscal year, and write `records/reports/fy<YEAR>.html`
//! and `.csv`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::{Category, FiscalYear, FiscalYearError, NewsItem, Report, ReportInput};
use crate::config::SiteConfig;
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::plumbing::fs::write_if_changed;
use crate::plumbing::paths::{RECORDS_DIR, slash};
use crate::records::{Records, RecordsError};

/// A report made, and where its files are.
pub struct Written {
    pub report: Report,
    /// `records/reports/fy<YEAR>.html`, relative to the site.
    pub html: PathBuf,
    pub csv: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    FiscalYear(#[from] FiscalYearError),
    Records(#[from] RecordsError),
    Io { path: PathBuf, error: String },
}

crate::display_failure!(ReportError);

impl Failure for ReportError {
    fn code(&self) -> Code {
        match self {
            ReportError::FiscalYear(_) => Code::Usage,
            ReportError::Records(_) | ReportError::Io { .. } => Code::Report,
        }
    }

    fn message(&self) -> Message {
        match self {
            ReportError::FiscalYear(e) => e.message(),
            ReportError::Records(e) => e.message(),
            ReportError::Io { path, error } => Message::new("records.failed")
                .arg("file", path.display())
                .arg_msg("error", crate::i18n::os_error(error)),
        }
    }
}

/// Makes the report of fiscal year `fy` (Buddhist Era; default: the one
/// `now` falls in) and writes its HTML and CSV.
pub fn write(
    site_dir: &Path,
    config: &SiteConfig,
    fy: Option<i32>,
    now: DateTime<FixedOffset>,
) -> Result<Written, ReportError> {
    let tz = config.tz();
    let fiscal_year = match fy {
        Some(y) => FiscalYear::new(y)?,
        None => FiscalYear::of_instant(&now, &tz),
    };
    let log = Records::of(site_dir).log()?;
    let (site, _) = crate::content::load_site(site_dir, config.clone());
    let news: Vec<NewsItem> = site
        .news
        .iter()
        .map(|n| NewsItem {
            news: slash(&n.out_dir()),
            group: n.news.requester.group.clone(),
            category: n.news.category.clone(),
            date: n.date,
            accepted: n.news.accepted,
            publish_at: n.news.publish_at,
        })
        .collect();
    let categories: Vec<Category> = config
        .news
        .categories
        .iter()
        .map(|c| Category {
            slug: c.slug.clone(),
            name: c.name.clone(),
        })
        .collect();
    let report = super::compute(&ReportInput {
        fiscal_year,
        timezone: tz,
        groups: &config.groups,
        categories: &categories,
        log: &log,
        news: &news,
    });
    let office = if config.office.name.is_empty() {
        &config.title
    } else {
        &config.office.name
    };
    let html = super::html(&report, office, &categories, now.with_timezone(&tz));
    let csv = super::csv(&report);
    let dir = Path::new(RECORDS_DIR).join("reports");
    let name = format!("fy{}", fiscal_year.be_year());
    let (html_rel, csv_rel) = (
        dir.join(format!("{name}.html")),
        dir.join(format!("{name}.csv")),
    );
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| ReportError::Io {
            path,
            error: e.to_string(),
        }
    };
    // Both files or neither: one that cannot be replaced (read-only,
    // locked) is found before the other is written, so the HTML and the
    // CSV never tell two different years' figures.
    for rel in [&html_rel, &csv_rel] {
        let path = site_dir.join(rel);
        if std::fs::symlink_metadata(&path).is_ok() {
            let open = std::fs::OpenOptions::new().append(true).open(&path);
            open.map_err(io(&path))?;
        }
    }
    for (rel, bytes) in [(&html_rel, html.as_bytes()), (&csv_rel, &csv[..])] {
        let path = site_dir.join(rel);
        write_if_changed(&path, bytes).map_err(io(&path))?;
    }
    Ok(Written {
        report,
        html: html_rel,
        csv: csv_rel,
    })
}
