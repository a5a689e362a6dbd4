//! Why a photo cannot be published: found by the probe (before or while
//! decoding) or by the image step (reading, writing). The command layer
//! renders it in the site's language, saying what to do.

use std::path::PathBuf;

use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;

use super::SniffedFormat;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Not a format khao recognises at all.
    UnknownFormat,
    /// A known format khao cannot decode (HEIC, AVIF, BMP, TIFF).
    Unsupported(SniffedFormat),
    /// More pixels than `images.max_pixels`, found from the header.
    TooManyPixels { width: u32, height: u32, max: u64 },
    /// The file ends before the picture does.
    Truncated,
    /// The decoder (or encoder) refused it; the detail is its own words.
    Corrupt(String),
    /// The original could not be read.
    Unreadable { file: PathBuf, error: String },
    /// Over `images.max_file_mb`.
    FileTooLarge { mb: String, max: u64 },
    /// A variant could not be written.
    Write { file: PathBuf, error: String },
}

crate::display_failure!(ImageError);

impl Failure for ImageError {
    fn code(&self) -> Code {
        match self {
            ImageError::TooManyPixels { .. } => Code::ImageTooLarge,
            ImageError::FileTooLarge { .. } => Code::FileTooLarge,
            ImageError::Write { .. } => Code::Write,
            _ => Code::BadImage,
        }
    }

    fn message(&self) -> Message {
        match self {
            ImageError::UnknownFormat => Message::new("images.unknown_format"),
            ImageError::Unsupported(f) => {
                Message::new("images.unsupported_format").arg("format", f.name())
            }
            ImageError::TooManyPixels { width, height, max } => {
                Message::new("images.too_many_pixels")
                    .arg("width", width)
                    .arg("height", height)
                    .arg("max", max)
            }
            ImageError::Truncated => Message::new("images.truncated"),
            ImageError::Corrupt(detail) => Message::new("images.corrupt").arg("error", detail),
            ImageError::Unreadable { file, error } => Message::new("images.unreadable")
                .arg("file", file.display())
                .arg_msg("error", crate::i18n::os_error(error)),
            ImageError::FileTooLarge { mb, max } => Message::new("images.file_too_large")
                .arg("size", mb)
                .arg("max", max),
            ImageError::Write { file, error } => Message::new("images.write_failed")
                .arg("file", file.display())
                .arg_msg("error", crate::i18n::os_error(error)),
        }
    }
}
