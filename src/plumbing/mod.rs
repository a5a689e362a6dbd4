//! Plumbing: what every step needs and no step owns. Each thing here has
//! exactly one definition, and nothing here knows about news, requests or
//! the command line.
//!
//! - [`clock`]: "now", or `SOURCE_DATE_EPOCH`;
//! - [`fs`]: writing files (only if changed, atomically), stamps, hashes;
//! - [`lock`]: one run at a time on a site;
//! - [`ocr`]: the text of scanned PDF pages (Poppler and Tesseract);
//! - [`paths`]: the folders of a site, safe relative paths, the URL of a
//!   source or output file;
//! - [`url`]: percent-encoding and -decoding;
//! - [`progress`]: how long steps report how far they are;
//! - [`prune`]: caches kept from growing for ever;
//! - [`reaper`]: helper processes killed when khao is stopped;
//! - [`stat`]: stamps of many files below a few folders, cheaply;
//! - [`text`]: decoding staff text files (UTF-8 or TIS-620) and line numbers.

/// Frees `value` on a thread of its own. Freeing what a build of a large
/// site holds (every news item, photo and page, and the memo of each) takes
/// tens of milliseconds that a one-off build, about to exit, need not wait
/// for; a long-running caller gets the memory back all the same.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

pub mod clock;
pub mod fs;
pub mod lock;
pub mod ocr;
pub mod paths;
pub mod progress;
pub mod prune;
pub mod reaper;
pub mod stat;
pub mod table;
pub mod text;
pub mod url;
