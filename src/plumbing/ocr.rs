//! The text of scanned PDF pages and of photographed ones. An order or a
//! list signed and put through the office copier reaches the website as a
//! PDF of pictures, with no text for a PDF reader to find: Poppler's
//! `pdftoppm` draws each such page and Tesseract reads it, in Thai and
//! English. A page photographed with a phone is read the same way. Both
//! are programs the machine may lack (`apt-get install poppler-utils
//! tesseract-ocr tesseract-ocr-tha`); without them, nothing is read.
//!
//! Reading a page takes a second or more, so callers keep what was read
//! (the check remembers its verdict by the file's stamp).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use rayon::prelude::*;
use wait_timeout::ChildExt;

/// Most pages of one document read: a list of names is a few pages; a
/// scanned book must not keep `khao watch` busy for an hour.
pub const MOST_PAGES: usize = 20;

/// Longest one program may take on one page.
const PAGE_TIME: Duration = Duration::from_secs(60);

/// Pixels of a drawn page's longer side: an A4 page at 200 dots per inch,
/// what Tesseract reads office print best at. A page of any size is drawn
/// this large, so a crafted page a metre wide takes no more memory; a
/// photographed page is made this small.
pub const LONG_SIDE: u32 = 2400;

/// Whether both programs are there, with Tesseract's Thai.
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let langs = Command::new("tesseract").arg("--list-langs").output();
        let thai = langs.is_ok_and(|o| {
            let out = String::from_utf8_lossy(&o.stdout);
            out.lines().any(|l| l.trim() == "tha")
        });
        let poppler = Command::new("pdftoppm")
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        thai && poppler
    })
}

/// The text read on pages `pages` (1-based, at most [`MOST_PAGES`] of
/// them) of the PDF `pdf`, on every core; a page that cannot be drawn or
/// read in time is left out.
pub fn pdf_pages(pdf: &[u8], pages: &[u32]) -> Vec<(u32, String)> {
    if pages.is_empty() || !available() {
        return Vec::new();
    }
    let Ok(dir) = tempfile::tempdir() else {
        return Vec::new();
    };
    let input = dir.path().join("in.pdf");
    if std::fs::write(&input, pdf).is_err() {
        return Vec::new();
    }
    pages
        .par_iter()
        .take(MOST_PAGES)
        .filter_map(|&n| Some((n, read_page(&input, dir.path(), n)?)))
        .collect()
}

/// Page `n` of `input`, drawn in grey into `dir` and read.
fn read_page(input: &Path, dir: &Path, n: u32) -> Option<String> {
    let picture = dir.join(format!("p{n}"));
    let page = n.to_string();
    let side = LONG_SIDE.to_string();
    let mut draw = Command::new("pdftoppm");
    draw.args(["-scale-to", &side, "-gray", "-png", "-singlefile"])
        .args(["-f", &page, "-l", &page])
        .arg(input)
        .arg(&picture);
    run(draw)?;
    read(&picture.with_extension("png"), &dir.join(format!("t{n}")))
}

/// The text in the picture `grey` (a photographed page, made ready by
/// [`crate::images::for_reading`]); `None` when it cannot be read in time
/// or the programs are missing.
pub fn picture(grey: &image::GrayImage) -> Option<String> {
    if !available() {
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let png = dir.path().join("photo.png");
    grey.save_with_format(&png, image::ImageFormat::Png).ok()?;
    read(&png, &dir.path().join("photo"))
}

/// Tesseract's reading of the picture file `png`, its text written beside
/// `text` (`.txt` added).
fn read(png: &Path, text: &Path) -> Option<String> {
    let mut read = Command::new("tesseract");
    read.arg(png)
        .arg(text)
        .args(["-l", "tha+eng"])
        // One picture per core already: Tesseract's own threads only contend.
        .env("OMP_THREAD_LIMIT", "1");
    run(read)?;
    std::fs::read_to_string(text.with_extension("txt")).ok()
}

/// Runs `command` to its end within [`PAGE_TIME`]: `Some` when it
/// succeeded, else `None` (killed when it ran out of time).
fn run(mut command: Command) -> Option<()> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    match child.wait_timeout(PAGE_TIME) {
        Ok(Some(status)) if status.success() => Some(()),
        Ok(Some(_)) => None,
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}
