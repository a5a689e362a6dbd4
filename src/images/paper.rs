//! Whether a photo shows a page of paper. Staff photograph what they have
//! on their desk as well as what happened: a list of the students who won,
//! the order naming a committee, a certificate. Such a photo can show
//! national ID numbers, which the check finds only by reading the picture
//! (OCR, a second or more); this cheap look at the pixels decides which
//! photos are worth reading, so the photos of an event are not.
//!
//! A page is bright and colourless, and printing on it makes short dark
//! runs between bright ones along a row of pixels: the strokes of letters
//! and the lines of a table. A photo is taken for a page when at least a
//! quarter of it is paper and such strokes are dense. A wrong "yes" costs
//! one OCR run; a wrong "no" lets a photographed list through, so the bar
//! is set low (a page with a short table in a photo that shows the desk
//! around it passes).

use image::{DynamicImage, GrayImage, imageops::FilterType};

/// Pixels of the longer side looked at: a letter of a page that fills a
/// phone photo is still a few pixels across.
const LOOK_SIDE: u32 = 1000;

/// Least share of the photo that is paper.
const PAPER_SHARE: f64 = 0.25;

/// Least strokes per 1,000 pixels of the rows looked at.
const STROKES_PER_1000: f64 = 1.0;

/// Longest dark run, in pixels at [`LOOK_SIDE`], taken for a stroke.
const STROKE_WIDTH: usize = 8;

/// How much darker than the paper on both sides a stroke is.
const INK_CONTRAST: i32 = 70;

/// Whether `image` (upright, any size) looks like a photo of a printed
/// page.
pub fn shows_paper(image: &DynamicImage) -> bool {
    let small = image.thumbnail(LOOK_SIDE, LOOK_SIDE).to_rgb8();
    let (w, h) = (small.width() as usize, small.height() as usize);
    if w < 3 || h < 3 {
        return false;
    }
    let mut luma = Vec::with_capacity(w);
    let mut paper = Vec::with_capacity(w);
    let (mut paper_pixels, mut strokes, mut looked) = (0usize, 0usize, 0usize);
    // Every other row: strokes are taller than two pixels.
    for y in (0..h).step_by(2) {
        luma.clear();
        paper.clear();
        for p in (0..w).map(|x| small.get_pixel(x as u32, y as u32).0) {
            let [r, g, b] = p.map(i32::from);
            let l = (r * 299 + g * 587 + b * 114) / 1000;
            let saturation = r.max(g).max(b) - r.min(g).min(b);
            luma.push(l);
            paper.push(l >= 140 && saturation <= 60);
        }
        paper_pixels += paper.iter().filter(|p| **p).count();
        strokes += strokes_in(&luma, &paper);
        looked += w;
    }
    let share = paper_pixels as f64 / looked as f64;
    let density = strokes as f64 * 1000.0 / looked as f64;
    share >= PAPER_SHARE && density >= STROKES_PER_1000
}

/// Runs of at most [`STROKE_WIDTH`] non-paper pixels, paper on both sides,
/// at least [`INK_CONTRAST`] darker than the paper around them.
fn strokes_in(luma: &[i32], paper: &[bool]) -> usize {
    let mut count = 0;
    let mut x = 1;
    while x < paper.len() {
        if paper[x] || !paper[x - 1] {
            x += 1;
            continue;
        }
        let start = x;
        while x < paper.len() && !paper[x] {
            x += 1;
        }
        if x < paper.len() && x - start <= STROKE_WIDTH {
            let darkest = luma[start..x].iter().copied().min().unwrap_or(255);
            if darkest <= luma[start - 1].min(luma[x]) - INK_CONTRAST {
                count += 1;
            }
        }
    }
    count
}

/// `image` as OCR reads it best: grey, its longer side at most
/// `long_side` pixels (a 12-megapixel photo is read no better than one of
/// a page at 200 dots per inch, and far more slowly).
pub fn for_reading(image: &DynamicImage, long_side: u32) -> GrayImage {
    let grey = if image.width().max(image.height()) > long_side {
        image.resize(long_side, long_side, FilterType::Triangle)
    } else {
        image.clone()
    };
    grey.to_luma8()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A cream page on a brown desk, with rows of letter-like strokes.
    fn page_on_desk() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(1200, 1600, |x, y| {
            let on_page = (100..1100).contains(&x) && (100..1500).contains(&y);
            let in_line = (y % 40) < 14 && (150..900).contains(&x) && y < 900;
            match (on_page, in_line && x % 9 < 2) {
                (true, true) => Rgb([20, 20, 25]),
                (true, false) => Rgb([250, 244, 228]),
                (false, _) => Rgb([120, 85, 50]),
            }
        }))
    }

    #[test]
    fn a_printed_page_is_paper() {
        assert!(shows_paper(&page_on_desk()));
    }

    #[test]
    fn a_blank_page_and_a_scene_are_not() {
        let blank = DynamicImage::ImageRgb8(RgbImage::from_pixel(800, 600, Rgb([250, 250, 250])));
        assert!(!shows_paper(&blank));
        let sky_and_field = DynamicImage::ImageRgb8(RgbImage::from_fn(800, 600, |x, y| {
            if y < 300 {
                Rgb([120, 170, 230])
            } else {
                Rgb([40, 120 + (x % 7) as u8, 30])
            }
        }));
        assert!(!shows_paper(&sky_and_field));
        assert!(!shows_paper(&DynamicImage::new_rgb8(1, 1)));
    }

    /// The test corpus's photos: a real phone photo, colour patches, and
    /// the phone photo of a printed list of names.
    #[test]
    fn real_photos_are_told_apart() {
        let fixture = |p: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(p);
            let bytes = std::fs::read(path).unwrap();
            shows_paper(&crate::images::decode(&bytes, 50_000_000).unwrap())
        };
        assert!(!fixture("images/ladybird-orientation6-gps.jpg"));
        assert!(!fixture("images/adobergb-patches.jpg"));
        assert!(fixture(
            "requests/bad/personal-id--in-photo-of-list/รายชื่อ.jpg"
        ));
    }

    #[test]
    fn read_in_grey_at_most_the_long_side() {
        let grey = for_reading(&page_on_desk(), 800);
        assert_eq!((grey.width(), grey.height()), (600, 800));
        let small = for_reading(&DynamicImage::new_rgb8(300, 200), 800);
        assert_eq!((small.width(), small.height()), (300, 200));
    }
}
