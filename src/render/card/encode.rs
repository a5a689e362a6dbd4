//! PNG encoding of the rendered card: opaque, so RGB without alpha; with a
//! palette when the card has (nearly) at most 256 colours, as a flat design
//! with anti-aliased text has: a third of the size and more. No time or
//! text chunks: the same pixels give the same bytes.

use resvg::tiny_skia::Pixmap;
use std::collections::HashMap;

/// Encodes an opaque pixmap (every pixel's alpha is 255).
pub(crate) fn png(pixmap: &Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let rgb: Vec<[u8; 3]> = pixmap
        .pixels()
        .iter()
        .map(|p| [p.red(), p.green(), p.blue()])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    // Level 9: 21 ms and 27.6 KB for the sample card; level 6: 12 ms, 28.3 KB.
    encoder.set_deflate_compression(png::DeflateCompression::Level(9));
    let data = match palette(&rgb) {
        Some((colours, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(colours.concat());
            // Indices have no order worth predicting: no filter is best
            // (38 KB with the adaptive filter for the sample card).
            encoder.set_filter(png::Filter::NoFilter);
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_filter(png::Filter::Adaptive);
            rgb.concat()
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// At most this share of pixels may be drawn in a near colour instead of
/// their own to make a palette of 256 (they are rare anti-aliasing shades).
const NEAR_SHARE: usize = 200; // one in 200, 0.5 %

/// A palette of at most 256 colours and each pixel's index, or `None`
/// when the picture has too many colours for one (a photo, a gradient).
/// With more than 256 colours, the most used 256 are kept and the pixels
/// of the others, if they are few enough, get the nearest kept colour.
fn palette(rgb: &[[u8; 3]]) -> Option<(Vec<[u8; 3]>, Vec<u8>)> {
    // Runs of one colour are counted at once: most pixels are in long runs.
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    for run in rgb.chunk_by(|a, b| a == b) {
        *counts.entry(run[0]).or_default() += run.len();
        if counts.len() > 4096 {
            return None;
        }
    }
    // Most used first; equal counts by colour, so the order is fixed.
    let mut colours: Vec<([u8; 3], usize)> = counts.into_iter().collect();
    colours.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let rare: usize = colours.iter().skip(256).map(|c| c.1).sum();
    if rare * NEAR_SHARE > rgb.len() {
        return None;
    }
    let kept: Vec<[u8; 3]> = colours.iter().take(256).map(|c| c.0).collect();
    let index: HashMap<[u8; 3], u8> = colours
        .iter()
        .map(|&(c, _)| (c, nearest(&kept, c)))
        .collect();
    let mut indices = Vec::with_capacity(rgb.len());
    for run in rgb.chunk_by(|a, b| a == b) {
        indices.resize(indices.len() + run.len(), index[&run[0]]);
    }
    Some((kept, indices))
}

/// The index of the colour of `palette` nearest to `c`.
fn nearest(palette: &[[u8; 3]], c: [u8; 3]) -> u8 {
    let distance = |p: &[u8; 3]| -> i32 {
        (0..3)
            .map(|i| (i32::from(p[i]) - i32::from(c[i])).pow(2))
            .sum()
    };
    let best = (0..palette.len())
        .min_by_key(|&i| (distance(&palette[i]), i))
        .unwrap_or(0);
    best as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_colours_keep_their_exact_values() {
        let rgb: Vec<[u8; 3]> = (0..1000u32).map(|i| [(i % 200) as u8, 7, 9]).collect();
        let (colours, indices) = palette(&rgb).unwrap();
        let back: Vec<[u8; 3]> = indices.iter().map(|&i| colours[i as usize]).collect();
        assert_eq!(back, rgb);
    }

    #[test]
    fn a_few_rare_colours_take_the_nearest() {
        let mut rgb = vec![[0, 0, 0]; 100_000];
        rgb.extend((0..256u32).flat_map(|i| [[i as u8, 100, 0]; 3]));
        rgb.extend([[1, 2, 3], [250, 99, 1]]);
        let (colours, indices) = palette(&rgb).unwrap();
        assert_eq!(colours.len(), 256);
        assert_eq!(colours[indices[rgb.len() - 1] as usize], [250, 100, 0]);
    }

    #[test]
    fn a_gradient_has_no_palette() {
        let rgb: Vec<[u8; 3]> = (0..300_000u32)
            .map(|i| [(i % 256) as u8, (i / 256 % 256) as u8, 0])
            .collect();
        assert!(palette(&rgb).is_none());
    }
}
