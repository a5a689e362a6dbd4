//! Step 4: the site rendered through the theme's Tera templates into
//! `public/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::content::Site;
use crate::images::ProcessedImage;

/// What rendering wrote.
#[derive(Debug, Clone, Default)]
pub struct RenderOutput {
    /// Every file written, relative to `public/`, sorted.
    pub files: Vec<PathBuf>,
    pub pages: usize,
    pub news: usize,
}

/// Renders `site` into `public_dir`. `images` maps each photo's source path
/// to its processed variants.
pub fn render_site(
    site: &Site,
    images: &BTreeMap<PathBuf, ProcessedImage>,
    public_dir: &Path,
) -> anyhow::Result<RenderOutput> {
    let _ = (site, images, public_dir);
    todo!("render")
}

/// Every photo the site publishes (news photos, covers, images in page and
/// news bodies), with where its variants go. Sorted and deduplicated.
pub fn image_jobs(site: &Site) -> Vec<crate::images::ImageJob> {
    let _ = site;
    todo!("image jobs")
}
