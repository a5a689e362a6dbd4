//! Plumbing: what every step needs and no step owns. Each thing here has
//! exactly one definition, and nothing here knows about news, requests or
//! the command line.
//!
//! - [`clock`]: "now", or `SOURCE_DATE_EPOCH`;
//! - [`fs`]: writing files (only if changed, atomically), stamps, hashes;
//! - [`lock`]: one run at a time on a site;
//! - [`paths`]: the folders of a site, safe relative paths, the URL of a
//!   source or output file;
//! - [`url`]: percent-encoding and -decoding;
//! - [`progress`]: how long steps report how far they are;
//! - [`text`]: decoding staff text files (UTF-8 or TIS-620) and line numbers.

pub mod clock;
pub mod fs;
pub mod lock;
pub mod paths;
pub mod progress;
pub mod table;
pub mod text;
pub mod url;
