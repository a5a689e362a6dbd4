//! Looking at a photo's bytes before trusting them: the format from the magic
//! bytes, the size from the header alone, and a full decode that catches
//! corrupt or cut-off files. `khao check` uses these on requests, and the
//! image step uses the same rules, so a photo that passes the check builds.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::Serialize;

use super::ImageError;

/// A file format recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SniffedFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
    /// HEIC/HEIF (iPhone photos): khao cannot decode it.
    Heif,
    /// AVIF: khao cannot decode it.
    Avif,
    Bmp,
    Tiff,
}

impl SniffedFormat {
    /// The format's everyday name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            SniffedFormat::Jpeg => "JPEG",
            SniffedFormat::Png => "PNG",
            SniffedFormat::Gif => "GIF",
            SniffedFormat::WebP => "WebP",
            SniffedFormat::Heif => "HEIC",
            SniffedFormat::Avif => "AVIF",
            SniffedFormat::Bmp => "BMP",
            SniffedFormat::Tiff => "TIFF",
        }
    }

    /// File extensions (lower case, no dot) that honestly carry this format.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            SniffedFormat::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            SniffedFormat::Png => &["png"],
            SniffedFormat::Gif => &["gif"],
            SniffedFormat::WebP => &["webp"],
            SniffedFormat::Heif => &["heic", "heif", "hif"],
            SniffedFormat::Avif => &["avif"],
            SniffedFormat::Bmp => &["bmp"],
            SniffedFormat::Tiff => &["tif", "tiff"],
        }
    }

    /// Whether khao can decode and publish it (JPEG, PNG, GIF, WebP).
    pub fn is_supported(self) -> bool {
        self.image_format().is_some()
    }

    /// The `image` crate's format, for the formats khao decodes.
    pub(crate) fn image_format(self) -> Option<ImageFormat> {
        match self {
            SniffedFormat::Jpeg => Some(ImageFormat::Jpeg),
            SniffedFormat::Png => Some(ImageFormat::Png),
            SniffedFormat::Gif => Some(ImageFormat::Gif),
            SniffedFormat::WebP => Some(ImageFormat::WebP),
            _ => None,
        }
    }
}

/// The format of `bytes`, from the magic bytes only (never the file name).
pub fn sniff(bytes: &[u8]) -> Option<SniffedFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(SniffedFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(SniffedFormat::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(SniffedFormat::Gif);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(SniffedFormat::WebP);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some(SniffedFormat::Tiff);
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 14 {
        return Some(SniffedFormat::Bmp);
    }
    sniff_isobmff(bytes)
}

/// HEIF and AVIF are ISO media files: a `ftyp` box whose brands say what is
/// inside. `mif1`/`msf1` are generic, so the compatible brands decide.
fn sniff_isobmff(bytes: &[u8]) -> Option<SniffedFormat> {
    if bytes.len() < 12 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(12, 256).min(bytes.len());
    let major = &bytes[8..12];
    // Compatible brands follow the 4-byte minor version.
    let compatible: Vec<&[u8]> = bytes.get(16..end).unwrap_or(&[]).chunks_exact(4).collect();
    let brands = || std::iter::once(major).chain(compatible.iter().copied());
    if brands().any(|b| b == b"avif" || b == b"avis") {
        return Some(SniffedFormat::Avif);
    }
    let heif = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
    ];
    if brands().any(|b| heif.iter().any(|h| b == *h)) {
        return Some(SniffedFormat::Heif);
    }
    None
}

/// The width and height from the header alone, without decoding the pixels.
pub fn header_dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    dimensions(bytes)
}

/// The width and height as the photo is shown: the header's size turned by
/// the EXIF orientation (a phone's portrait photo is usually stored
/// landscape). Still header only. This is the width to compare with
/// `images.widths`.
pub fn upright_dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    use image::metadata::Orientation;
    let format = supported_format(bytes)?;
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .map_err(|e| decode_problem(bytes, &e, u64::MAX))?;
    let (w, h) = decoder.dimensions();
    let turned = matches!(
        decoder.orientation().unwrap_or(Orientation::NoTransforms),
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    Ok(if turned { (h, w) } else { (w, h) })
}

pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let format = supported_format(bytes)?;
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| decode_problem(bytes, &e, u64::MAX))
}

/// Decodes the whole photo (after checking the pixel count in the header
/// against `max_pixels`) to catch corrupt and cut-off files, and says
/// whether it shows a printed page ([`super::paper`]), which the check
/// then reads.
pub fn verify_decodes(bytes: &[u8], max_pixels: u64) -> Result<Shows, ImageError> {
    let image = decode(bytes, max_pixels)?;
    Ok(if super::paper::shows_paper(&image) {
        Shows::Paper
    } else {
        Shows::Scene
    })
}

/// What a photo that decodes shows, as far as the check cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// A printed page: a list, an order, a certificate.
    Paper,
    /// Anything else.
    Scene,
}

/// The one decode of a photo: format from the bytes, pixel count checked from
/// the header before anything is allocated, EXIF orientation applied.
pub(crate) fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, ImageError> {
    decode_with_profile(bytes, max_pixels).map(|(image, _)| image)
}

/// [`decode`], and the photo's embedded ICC colour profile if it has one
/// (phones write Display P3, cameras Adobe RGB), so the colours can be
/// converted to sRGB before the profile is dropped with the other metadata.
pub(crate) fn decode_with_profile(
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(DynamicImage, Option<Vec<u8>>), ImageError> {
    let format = supported_format(bytes)?;
    let sniffed = sniff(bytes).ok_or(ImageError::UnknownFormat)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits(max_pixels));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_problem(bytes, &e, max_pixels))?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, max_pixels)?;
    // A broken EXIF block must not stop an otherwise good photo.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| decode_problem(bytes, &e, max_pixels))?;
    if sniffed == SniffedFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Truncated);
    }
    image.apply_orientation(orientation);
    Ok((image, icc))
}

/// The decode for the image step: like [`decode_with_profile`], but a JPEG
/// whose largest output is at most half its size is decoded already scaled
/// down by ½, ¼ or ⅛ in the DCT domain (as libjpeg's scaled decoding does):
/// a third less work for a 12-megapixel phone photo published at 1280 px,
/// and a quarter of the memory. Also returns the photo's full upright size,
/// which the output sizes are computed from.
pub(crate) fn decode_for_widths(
    bytes: &[u8],
    max_pixels: u64,
    widths: &[u32],
) -> Result<Decoded, ImageError> {
    if sniff(bytes) == Some(SniffedFormat::Jpeg)
        && let Some(result) = decode_jpeg_scaled(bytes, max_pixels, widths)
    {
        return result;
    }
    let (image, icc) = decode_with_profile(bytes, max_pixels)?;
    let full = (image.width(), image.height());
    Ok(Decoded { image, full, icc })
}

/// A photo decoded for the image step.
pub(crate) struct Decoded {
    /// Upright, possibly already scaled down.
    pub image: DynamicImage,
    /// The photo's full upright size.
    pub full: (u32, u32),
    /// Its embedded ICC colour profile.
    pub icc: Option<Vec<u8>>,
}

/// `None` when scaled decoding does not apply (or `jpeg-decoder` cannot read
/// the file): then the ordinary decoder runs and gives its own error.
fn decode_jpeg_scaled(
    bytes: &[u8],
    max_pixels: u64,
    widths: &[u32],
) -> Option<Result<Decoded, ImageError>> {
    use image::metadata::Orientation;
    use jpeg_decoder::PixelFormat;

    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if let Err(p) = check_pixels(width, height, max_pixels) {
        return Some(Err(p));
    }
    if !matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8) {
        return None; // CMYK and 16-bit: the ordinary decoder converts them
    }
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (up_w, up_h) = if turned {
        (height, width)
    } else {
        (width, height)
    };
    let largest = widths.iter().copied().max()?.min(up_w);
    if largest.saturating_mul(2) > up_w {
        return None;
    }
    // The stored size the largest output needs, rounded up.
    let need_h = (u64::from(up_h) * u64::from(largest)).div_ceil(u64::from(up_w)) as u32;
    let (need_w, need_h) = if turned {
        (need_h, largest)
    } else {
        (largest, need_h)
    };
    let (scaled_w, scaled_h) = decoder
        .scale(u16::try_from(need_w).ok()?, u16::try_from(need_h).ok()?)
        .ok()?;
    let (scaled_w, scaled_h) = (u32::from(scaled_w), u32::from(scaled_h));
    if scaled_w >= width {
        return None;
    }
    if !jpeg_is_complete(bytes) {
        return Some(Err(ImageError::Truncated));
    }
    let pixels = decoder.decode().ok()?;
    let icc = decoder.icc_profile();
    let mut image = match info.pixel_format {
        PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(scaled_w, scaled_h, pixels)?)
        }
        PixelFormat::L8 => {
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(scaled_w, scaled_h, pixels)?)
        }
        _ => return None,
    };
    image.apply_orientation(orientation);
    Some(Ok(Decoded {
        image,
        full: (up_w, up_h),
        icc,
    }))
}

pub(crate) fn check_pixels(width: u32, height: u32, max: u64) -> Result<(), ImageError> {
    if u64::from(width) * u64::from(height) > max || width == 0 || height == 0 {
        if width == 0 || height == 0 {
            return Err(ImageError::Corrupt(format!("{width}×{height}")));
        }
        return Err(ImageError::TooManyPixels { width, height, max });
    }
    Ok(())
}

/// Decoder limits that follow `max_pixels`: room for the largest allowed
/// photo at 16 bits × 4 channels, so a lying header cannot allocate more.
fn limits(max_pixels: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 << 20));
    limits
}

fn supported_format(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    match sniff(bytes) {
        None => Err(ImageError::UnknownFormat),
        Some(f) => f.image_format().ok_or(ImageError::Unsupported(f)),
    }
}

fn decode_problem(bytes: &[u8], e: &image::ImageError, max_pixels: u64) -> ImageError {
    match e {
        image::ImageError::Limits(_) => match dimensions_unchecked(bytes) {
            Some((width, height)) => ImageError::TooManyPixels {
                width,
                height,
                max: max_pixels,
            },
            None => ImageError::Corrupt(e.to_string()),
        },
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated
        }
        _ => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("eof") || lower.contains("end of file") || lower.contains("premature")
            {
                ImageError::Truncated
            } else {
                ImageError::Corrupt(text)
            }
        }
    }
}

fn dimensions_unchecked(bytes: &[u8]) -> Option<(u32, u32)> {
    let format = supported_format(bytes).ok()?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    reader.into_dimensions().ok()
}

/// Whether a JPEG's data runs to its end-of-image marker. The decoder is
/// lenient (it fills a cut-off photo with grey, as browsers do), so a photo
/// copied only halfway would otherwise be published half grey.
///
/// Walks the marker segments from the start; after each start-of-scan it
/// skips the entropy-coded data (where `FF 00` and restart markers belong to
/// the data) until the next marker. Data after the end-of-image marker (phone
/// makers append extra pictures there) is not looked at.
pub(crate) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    let n = bytes.len();
    loop {
        // Find the next marker: FF followed by a non-FF, non-zero byte.
        while i < n && bytes[i] != 0xFF {
            i += 1;
        }
        while i < n && bytes[i] == 0xFF {
            i += 1;
        }
        if i >= n {
            return false;
        }
        let marker = bytes[i];
        i += 1;
        match marker {
            0xD9 => return true,                   // EOI
            0x01 | 0xD0..=0xD7 | 0x00 => continue, // no length
            _ => {
                if i + 2 > n {
                    return false;
                }
                let len = usize::from(u16::from_be_bytes([bytes[i], bytes[i + 1]]));
                if len < 2 {
                    return false;
                }
                i += len;
                if i > n {
                    return false;
                }
                if marker == 0xDA {
                    // Entropy-coded data: stop at a marker that is neither a
                    // stuffed zero nor a restart marker.
                    loop {
                        while i < n && bytes[i] != 0xFF {
                            i += 1;
                        }
                        if i + 1 >= n {
                            return false;
                        }
                        let next = bytes[i + 1];
                        if next == 0x00 || (0xD0..=0xD7).contains(&next) || next == 0xFF {
                            i += if next == 0xFF { 1 } else { 2 };
                            continue;
                        }
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut v = (size as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            v.extend_from_slice(*c);
        }
        v
    }

    #[test]
    fn sniffs_each_format_from_magic_bytes() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]),
            Some(SniffedFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(SniffedFormat::Png)
        );
        assert_eq!(sniff(b"GIF89a\x01\x00"), Some(SniffedFormat::Gif));
        assert_eq!(sniff(b"GIF87a\x01\x00"), Some(SniffedFormat::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(SniffedFormat::WebP));
        assert_eq!(
            sniff(b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0"),
            Some(SniffedFormat::Bmp)
        );
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(SniffedFormat::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Some(SniffedFormat::Tiff));
        assert_eq!(
            sniff(&ftyp(b"heic", &[b"mif1", b"heic"])),
            Some(SniffedFormat::Heif)
        );
        assert_eq!(sniff(&ftyp(b"heix", &[])), Some(SniffedFormat::Heif));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])), Some(SniffedFormat::Heif));
        assert_eq!(sniff(&ftyp(b"msf1", &[])), Some(SniffedFormat::Heif));
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1"])), Some(SniffedFormat::Avif));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"avif"])), Some(SniffedFormat::Avif));
    }

    #[test]
    fn sniff_rejects_other_bytes() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(&ftyp(b"isom", &[b"mp41"])), None); // an MP4 video
        assert_eq!(sniff(b"BM"), None);
    }

    #[test]
    fn unsupported_formats_are_named() {
        let e = header_dimensions(&ftyp(b"heic", &[])).unwrap_err();
        assert!(e.to_string().contains("HEIC"), "{e}");
        assert!(!SniffedFormat::Heif.is_supported());
        assert!(SniffedFormat::WebP.is_supported());
    }

    fn small_jpeg() -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn jpeg_completeness() {
        let jpeg = small_jpeg();
        assert!(jpeg_is_complete(&jpeg));
        assert_eq!(header_dimensions(&jpeg), Ok((64, 48)));
        assert!(verify_decodes(&jpeg, 10_000).is_ok());
        let cut = &jpeg[..jpeg.len() * 2 / 3];
        assert!(!jpeg_is_complete(cut));
        assert!(verify_decodes(cut, 10_000).is_err());
        // Extra bytes after the end are fine (phones append pictures there).
        let mut longer = jpeg.clone();
        longer.extend_from_slice(b"\xFF\xD8\xFF\xE1 trailing");
        assert!(jpeg_is_complete(&longer));
    }

    #[test]
    fn progressive_jpeg_completeness() {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 80);
        encoder.set_progressive(true);
        encoder
            .encode(img.as_raw(), 64, 48, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        assert!(jpeg_is_complete(&jpeg));
        assert!(verify_decodes(&jpeg, 10_000).is_ok());
        // Scaled decoding reads progressive files too.
        let d = decode_for_widths(&jpeg, 10_000, &[16]).unwrap();
        assert_eq!(d.full, (64, 48));
        assert!(d.image.width() < 64, "{}", d.image.width());
        for cut in [jpeg.len() / 3, jpeg.len() / 2, jpeg.len() - 2] {
            assert!(!jpeg_is_complete(&jpeg[..cut]), "cut at {cut}");
            assert!(verify_decodes(&jpeg[..cut], 10_000).is_err());
        }
    }

    #[test]
    fn pixel_limit_is_checked_from_the_header() {
        let jpeg = small_jpeg();
        let e = decode(&jpeg, 1000).err().unwrap();
        assert_eq!(
            e,
            ImageError::TooManyPixels {
                width: 64,
                height: 48,
                max: 1000
            }
        );
    }

    #[test]
    fn jpeg_is_decoded_scaled_when_the_outputs_are_small() {
        let photo = include_bytes!("../../tests/fixtures/images/ladybird-orientation6-gps.jpg");
        // Upright the photo is 900×1200; 320 px wide needs only ½.
        assert_eq!(header_dimensions(photo), Ok((1200, 900)));
        assert_eq!(upright_dimensions(photo), Ok((900, 1200)));
        let d = decode_for_widths(photo, 50_000_000, &[320]).unwrap();
        assert_eq!(d.full, (900, 1200));
        assert_eq!((d.image.width(), d.image.height()), (450, 600));
        // 640 px needs more than ½: decoded at full size.
        let d = decode_for_widths(photo, 50_000_000, &[320, 640]).unwrap();
        assert_eq!(d.full, (900, 1200));
        assert_eq!((d.image.width(), d.image.height()), (900, 1200));
        // The pixel limit is checked on this path too.
        assert!(matches!(
            decode_for_widths(photo, 1000, &[100]),
            Err(ImageError::TooManyPixels { .. })
        ));
    }
}
