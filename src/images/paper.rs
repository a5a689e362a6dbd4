//! Whether a photo shows a page of paper. Staff photograph what they have
//! on their desk as well as what happened: a list of the students who won,
//! the order naming a committee, a certificate. Such a photo can show
//! national ID numbers, which the check finds only by reading the picture
//! (OCR, a second or more); this cheap look at the pixels decides which
//! photos are worth reading, so the photos of an event are not.
//!
//! A page is the brightest thing in the photo and has one colour, the
//! colour of the light it is photographed under (warm under a lamp, dim
//! in a hall, shaded towards one side), and printing on it makes short
//! dark runs between bright ones along a row of pixels: the strokes of
//! letters and the lines of a table. So the paper's colour is taken from
//! the photo's brightest pixels, every pixel is judged against it, and a
//! photo is taken for a page when at least a quarter of it is paper and
//! such strokes are dense. A wrong "yes" costs one OCR run (a quarter of a
//! second for a photo without text); a wrong "no" lets a photographed list
//! through, so the bar is set low.

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

/// Dimmest paper (the luma of the photo's brightest tenth): darker photos
/// are of something else, or unreadable.
const DIMMEST_PAPER: f32 = 90.0;

/// How much darker than the paper a pixel may be and still be paper (in
/// a shadow across the page).
const SHADE: f32 = 0.6;

/// Most colour a pixel may have, once the light's colour is taken out.
const MOST_COLOUR: f32 = 60.0;

/// Whether `image` (upright, any size) looks like a photo of a printed
/// page.
pub fn shows_paper(image: &DynamicImage) -> bool {
    let (w, pixels) = looked_at(image);
    let h = pixels.len() / w.max(1);
    if w < 3 || h < 3 {
        return false;
    }
    let luma = |p: &[f32; 3]| p[0] * 0.299 + p[1] * 0.587 + p[2] * 0.114;
    let Some(paper) = Light::of(&pixels, luma) else {
        return false;
    };
    let (mut paper_pixels, mut strokes, mut looked) = (0usize, 0usize, 0usize);
    let (mut lumas, mut is_paper) = (Vec::with_capacity(w), Vec::with_capacity(w));
    // Every other row: strokes are taller than two pixels.
    for row in pixels.chunks_exact(w).step_by(2) {
        lumas.clear();
        is_paper.clear();
        for p in row {
            let l = luma(p);
            lumas.push(l);
            is_paper.push(paper.is_paper(p, l));
        }
        paper_pixels += is_paper.iter().filter(|p| **p).count();
        strokes += strokes_in(&lumas, &is_paper);
        looked += w;
    }
    let share = paper_pixels as f64 / looked as f64;
    let density = strokes as f64 * 1000.0 / looked as f64;
    share >= PAPER_SHARE && density >= STROKES_PER_1000
}

/// `image` made at most [`LOOK_SIDE`] pixels long: each pixel the mean of
/// the 2×2 pixels at the corner of its block of the photo. Four pixels of
/// a block read, not all sixteen of a 12-megapixel photo's: a tenth of
/// the time of a full box filter, and a thin stroke keeps more of its
/// darkness. Returns the width and the pixels, row by row.
fn looked_at(image: &DynamicImage) -> (usize, Vec<[f32; 3]>) {
    let converted;
    let rgb = match image.as_rgb8() {
        Some(rgb) => rgb,
        None => {
            converted = image.to_rgb8();
            &converted
        }
    };
    let (width, height) = rgb.dimensions();
    let step = width.max(height).div_ceil(LOOK_SIDE).max(1);
    let (w, h) = (width / step, height / step);
    let mut pixels = Vec::with_capacity(w as usize * h as usize);
    let span = step.min(2);
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = rgb.get_pixel(x * step + dx % span, y * step + dy % span).0;
                (0..3).for_each(|c| sum[c] += f32::from(p[c]));
            }
            pixels.push(sum.map(|v| v / 4.0));
        }
    }
    (w as usize, pixels)
}

/// The paper as the photo shows it: its brightness and the colour of the
/// light on it.
struct Light {
    level: f32,
    colour: [f32; 3],
}

impl Light {
    /// The brightest tenth of `pixels` (by `luma`), if bright enough.
    fn of(pixels: &[[f32; 3]], luma: impl Fn(&[f32; 3]) -> f32) -> Option<Light> {
        let mut histogram = [0usize; 256];
        for p in pixels {
            histogram[luma(p).clamp(0.0, 255.0) as usize] += 1;
        }
        let mut above = 0;
        let level = (0..256usize).rev().find(|&l| {
            above += histogram[l];
            above * 10 >= pixels.len()
        })? as f32;
        if level < DIMMEST_PAPER {
            return None;
        }
        let brightest = pixels.iter().filter(|p| luma(p) >= level - 10.0);
        let (mut sum, mut n) = ([0f32; 3], 0f32);
        for p in brightest {
            (0..3).for_each(|c| sum[c] += p[c]);
            n += 1.0;
        }
        Some(Light {
            level,
            colour: sum.map(|s| (s / n.max(1.0)).max(1.0)),
        })
    }

    /// Whether the pixel `p` of luma `l` is paper: bright enough, and
    /// grey once the light's colour is taken out.
    fn is_paper(&self, p: &[f32; 3], l: f32) -> bool {
        if l < self.level * SHADE {
            return false;
        }
        let seen: [f32; 3] = std::array::from_fn(|c| p[c] / self.colour[c] * self.level);
        let (most, least) = seen
            .iter()
            .fold((f32::MIN, f32::MAX), |(a, b), &v| (a.max(v), b.min(v)));
        most - least <= MOST_COLOUR
    }
}

/// Runs of at most [`STROKE_WIDTH`] non-paper pixels, paper on both sides,
/// clearly darker than the paper around them (by a third, and by 25 levels
/// at least).
fn strokes_in(luma: &[f32], paper: &[bool]) -> usize {
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
            let edge = luma[start - 1].min(luma[x]);
            let darkest = luma[start..x].iter().copied().fold(f32::MAX, f32::min);
            if darkest <= edge - (edge * 0.3).max(25.0) {
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
    if image.width().max(image.height()) > long_side {
        image
            .resize(long_side, long_side, FilterType::Triangle)
            .to_luma8()
    } else {
        image.to_luma8()
    }
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

    /// The same page in a dim hall, under a warm lamp, and shaded from
    /// one side to less than half its light.
    #[test]
    fn a_page_is_paper_in_any_light() {
        let lit = |light: &dyn Fn(u32, [f32; 3]) -> [f32; 3]| {
            let page = page_on_desk().to_rgb8();
            DynamicImage::ImageRgb8(RgbImage::from_fn(page.width(), page.height(), |x, y| {
                let p = light(x, page.get_pixel(x, y).0.map(f32::from));
                Rgb(p.map(|v| v.clamp(0.0, 255.0) as u8))
            }))
        };
        assert!(shows_paper(&lit(&|_, p| p.map(|v| v * 0.45))));
        assert!(shows_paper(&lit(&|_, [r, g, b]| [r, g * 0.85, b * 0.6])));
        assert!(shows_paper(&lit(&|x, p| {
            p.map(|v| v * (1.0 - 0.55 * x as f32 / 1200.0))
        })));
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
