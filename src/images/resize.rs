//! From one decoded, upright photo to every configured width: resized with
//! `fast_image_resize` (SIMD, Lanczos3), the largest first and each smaller
//! one from the one before (much less work than from the original), then
//! encoded with no metadata at all.
//!
//! A JPEG whose largest output is at most half its size arrives here
//! already scaled down in the DCT domain (see `probe::decode_for_widths`).
//! Measured on this machine, one core, release build, a 4000×3000 photo to
//! 1280 + 320 px: 108 ms with a full zune-jpeg decode, 76 ms with
//! `jpeg-decoder` decoding at ½ (Pillow/libjpeg-turbo with `draft()`:
//! about 150 ms for the same work). `scripts/bench-photos` measures both in
//! one run; about half of the time is `jpeg-decoder`'s Huffman decoding and
//! IDCT, a tenth each resizing and encoding.

use super::ImageError;
use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::{CompressionType, PngEncoder};
use image::{DynamicImage, ExtendedColorType, ImageEncoder};

/// Bumped whenever the pixels or bytes this module writes change, so old
/// cache entries are not reused.
pub(crate) const ALGORITHM_VERSION: u32 = 4;

/// The output file type: JPEG for photos, PNG only for pictures that really
/// use transparency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutKind {
    Jpeg,
    Png,
}

impl OutKind {
    pub fn ext(self) -> &'static str {
        match self {
            OutKind::Jpeg => "jpg",
            OutKind::Png => "png",
        }
    }

    pub fn from_ext(ext: &str) -> Option<OutKind> {
        match ext {
            "jpg" => Some(OutKind::Jpeg),
            "png" => Some(OutKind::Png),
            _ => None,
        }
    }
}

/// One encoded output size.
pub(crate) struct Rendered {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// The sizes to make for a `width`×`height` photo, smallest first. Widths
/// wider than the photo are not upscaled: they all become one variant at the
/// photo's own width.
pub(crate) fn targets(width: u32, height: u32, widths: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<u32> = widths
        .iter()
        .map(|&w| w.min(width))
        .filter(|&w| w > 0)
        .collect();
    if out.is_empty() {
        out.push(width);
    }
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|w| {
            let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width);
            (w, u32::try_from(h).unwrap_or(u32::MAX).max(1))
        })
        .collect()
}

/// Pixels ready for resizing: 8 bits, gray, RGB or RGBA.
struct Pixels {
    width: u32,
    height: u32,
    kind: PixelType,
    data: Vec<u8>,
}

impl Pixels {
    fn from_image(image: DynamicImage) -> (Pixels, OutKind) {
        let (width, height) = (image.width(), image.height());
        let px = |kind, data| Pixels {
            width,
            height,
            kind,
            data,
        };
        match image {
            DynamicImage::ImageLuma8(b) => (px(PixelType::U8, b.into_raw()), OutKind::Jpeg),
            DynamicImage::ImageRgb8(b) => (px(PixelType::U8x3, b.into_raw()), OutKind::Jpeg),
            other if other.color().has_alpha() => {
                let rgba = other.to_rgba8();
                if rgba.pixels().all(|p| p.0[3] == 255) {
                    // Opaque in fact: a photo, so JPEG.
                    if other.color().has_color() {
                        (
                            px(PixelType::U8x3, other.to_rgb8().into_raw()),
                            OutKind::Jpeg,
                        )
                    } else {
                        (
                            px(PixelType::U8, other.to_luma8().into_raw()),
                            OutKind::Jpeg,
                        )
                    }
                } else {
                    (px(PixelType::U8x4, rgba.into_raw()), OutKind::Png)
                }
            }
            other if !other.color().has_color() => (
                px(PixelType::U8, other.to_luma8().into_raw()),
                OutKind::Jpeg,
            ),
            other => (
                px(PixelType::U8x3, other.to_rgb8().into_raw()),
                OutKind::Jpeg,
            ),
        }
    }

    fn color(&self) -> ExtendedColorType {
        match self.kind {
            PixelType::U8 => ExtendedColorType::L8,
            PixelType::U8x4 => ExtendedColorType::Rgba8,
            _ => ExtendedColorType::Rgb8,
        }
    }
}

/// Resizes `image` (already upright) to every target and encodes each one.
/// The targets follow the photo's full upright size `full`, which is larger
/// than `image` when the decoder already scaled it down.
/// Colours are converted from the photo's ICC profile `icc` to sRGB (what a
/// file without a profile means to a browser) once, on the largest size.
/// Returns the variants smallest first.
pub(crate) fn render(
    image: DynamicImage,
    full: (u32, u32),
    icc: Option<&[u8]>,
    widths: &[u32],
    quality: u8,
) -> Result<(OutKind, Vec<Rendered>), ImageError> {
    let (mut current, kind) = Pixels::from_image(image);
    let mut to_srgb = icc.and_then(|icc| srgb_transform(icc, current.kind));
    let sizes = targets(full.0, full.1, widths);
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut out = Vec::with_capacity(sizes.len());
    for &(w, h) in sizes.iter().rev() {
        if (w, h) != (current.width, current.height) {
            let src = Image::from_vec_u8(current.width, current.height, current.data, current.kind)
                .map_err(corrupt)?;
            let mut dst = Image::new(w, h, current.kind);
            resizer.resize(&src, &mut dst, &options).map_err(corrupt)?;
            current = Pixels {
                width: w,
                height: h,
                kind: current.kind,
                data: dst.into_vec(),
            };
        }
        if let Some(transform) = to_srgb.take() {
            transform.apply(&mut current.data);
        }
        let bytes = encode(&current, kind, quality)?;
        out.push(Rendered {
            width: w,
            height: h,
            bytes,
        });
    }
    out.reverse();
    Ok((kind, out))
}

/// The conversion from the profile `icc` to sRGB, or `None` when there is
/// nothing to convert (already sRGB, gray, or a profile that cannot be read:
/// then the pixels are used as they are, as a browser would).
fn srgb_transform(icc: &[u8], kind: PixelType) -> Option<qcms::Transform> {
    let data_type = match kind {
        PixelType::U8x3 => qcms::DataType::RGB8,
        PixelType::U8x4 => qcms::DataType::RGBA8,
        _ => return None,
    };
    // The profile comes from the user's file: a parser bug must cost the
    // colours, never the build.
    std::panic::catch_unwind(|| {
        let input = qcms::Profile::new_from_slice(icc, false)?;
        if input.is_sRGB() {
            return None;
        }
        let mut output = qcms::Profile::new_sRGB();
        output.precache_output_transform();
        qcms::Transform::new(&input, &output, data_type, qcms::Intent::Perceptual)
    })
    .ok()
    .flatten()
}

/// A resizer or encoder failure, in its own words.
fn corrupt(e: impl std::fmt::Display) -> ImageError {
    ImageError::Corrupt(e.to_string())
}

/// Encodes without any metadata: no EXIF, XMP or ICC profile is written.
///
/// JPEG: `jpeg-encoder` (AVX2 where the CPU has it), 4:2:0 chroma averaged
/// as libjpeg does below quality 90: about a quarter smaller than `image`'s
/// 4:4:4 encoder at the same quality, which matters to visitors on slow
/// phone connections. Not its optimised Huffman tables: zune-jpeg (what
/// `image` decodes with) misreads those files, and every decoder must read
/// what khao publishes.
fn encode(px: &Pixels, kind: OutKind, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::new();
    match kind {
        OutKind::Jpeg => {
            let (w, h) = (
                u16::try_from(px.width).map_err(corrupt)?,
                u16::try_from(px.height).map_err(corrupt)?,
            );
            let color = match px.kind {
                PixelType::U8 => jpeg_encoder::ColorType::Luma,
                PixelType::U8x4 => jpeg_encoder::ColorType::Rgba,
                _ => jpeg_encoder::ColorType::Rgb,
            };
            let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality.clamp(1, 100));
            encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
            encoder.encode(&px.data, w, h, color).map_err(corrupt)?;
        }
        OutKind::Png => PngEncoder::new_with_quality(
            &mut bytes,
            CompressionType::Default,
            image::codecs::png::FilterType::Adaptive,
        )
        .write_image(&px.data, px.width, px.height, px.color())
        .map_err(corrupt)?,
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_never_upscale() {
        assert_eq!(
            targets(4000, 3000, &[1280, 320, 640]),
            vec![(320, 240), (640, 480), (1280, 960)]
        );
        assert_eq!(
            targets(800, 600, &[320, 640, 1280, 2000]),
            vec![(320, 240), (640, 480), (800, 600)]
        );
        assert_eq!(targets(100, 50, &[320, 640]), vec![(100, 50)]);
        assert_eq!(targets(3000, 1, &[320]), vec![(320, 1)]);
    }

    #[test]
    fn renders_each_size_as_plain_jpeg() {
        let img = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let (kind, out) = render(
            DynamicImage::ImageRgb8(img),
            (300, 200),
            None,
            &[100, 200, 640],
            80,
        )
        .unwrap();
        assert_eq!(kind, OutKind::Jpeg);
        let sizes: Vec<_> = out.iter().map(|r| (r.width, r.height)).collect();
        assert_eq!(sizes, vec![(100, 67), (200, 133), (300, 200)]);
        for r in &out {
            let back = image::load_from_memory(&r.bytes).unwrap();
            assert_eq!((back.width(), back.height()), (r.width, r.height));
        }
    }

    #[test]
    fn encoded_jpeg_reads_back_as_the_same_picture() {
        let img = image::RgbImage::from_fn(320, 427, |x, y| {
            image::Rgb([(x / 2) as u8, (y / 2) as u8, ((x + y) / 4) as u8])
        });
        let (_, out) = render(
            DynamicImage::ImageRgb8(img.clone()),
            (320, 427),
            None,
            &[320],
            82,
        )
        .unwrap();
        let back = image::load_from_memory(&out[0].bytes).unwrap().to_rgb8();
        let diff = back
            .as_raw()
            .iter()
            .zip(img.as_raw())
            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).abs())
            .sum::<f64>()
            / img.as_raw().len() as f64;
        assert!(diff < 3.0, "mean difference {diff}");
    }

    #[test]
    fn broken_or_srgb_profiles_are_left_alone() {
        assert!(srgb_transform(b"not a profile", PixelType::U8x3).is_none());
        assert!(srgb_transform(&[0; 200], PixelType::U8x3).is_none());
        assert!(srgb_transform(b"whatever", PixelType::U8).is_none());
    }

    #[test]
    fn transparency_stays_png_and_opaque_alpha_becomes_jpeg() {
        let clear = image::RgbaImage::from_fn(40, 40, |x, _| image::Rgba([9, 9, 9, x as u8]));
        let (kind, _) = render(DynamicImage::ImageRgba8(clear), (40, 40), None, &[20], 80).unwrap();
        assert_eq!(kind, OutKind::Png);
        let opaque = image::RgbaImage::from_fn(40, 40, |x, _| image::Rgba([x as u8, 9, 9, 255]));
        let (kind, _) =
            render(DynamicImage::ImageRgba8(opaque), (40, 40), None, &[20], 80).unwrap();
        assert_eq!(kind, OutKind::Jpeg);
    }
}
