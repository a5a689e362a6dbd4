//! The image step on a real phone-style photo (tests/fixtures/images): EXIF
//! orientation applied, every piece of metadata gone, cached by content,
//! byte-identical across runs, and bad files refused without a panic.

use std::path::{Path, PathBuf};

use crate::util::names_in;
use image::GenericImageView;
use khao::config::ImagesConfig;
use khao::images::{
    ImageError, ImageJob, ImageStats, Memo, ProcessedImage, process_all, process_all_in,
};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/images/ladybird-orientation6-gps.jpg"
);

fn config(widths: &[u32]) -> ImagesConfig {
    ImagesConfig {
        widths: widths.to_vec(),
        ..ImagesConfig::default()
    }
}

/// A site-like folder: the photo in `content/`, a cache and a `public/`.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        Site { dir }
    }
    fn add(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join("content").join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn cache(&self) -> PathBuf {
        self.dir.path().join(".khao/cache/images")
    }
    fn public(&self) -> PathBuf {
        self.dir.path().join("public")
    }
    fn run(
        &self,
        jobs: &[ImageJob],
        config: &ImagesConfig,
    ) -> (Vec<Result<ProcessedImage, ImageError>>, ImageStats) {
        process_all(jobs, config, &self.cache(), &self.public())
    }
    fn file(&self, url: &str) -> Vec<u8> {
        std::fs::read(self.public().join(url.trim_start_matches('/'))).unwrap()
    }
}

/// An error as a Thai officer reads it.
fn thai(e: &ImageError) -> String {
    use khao::diagnostic::Failure;
    e.message().render(khao::i18n::Lang::Th)
}

fn job(source: &Path, out_dir: &str) -> ImageJob {
    ImageJob {
        source: source.to_path_buf(),
        out_dir: out_dir.into(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The JPEG marker segments before the image data, as (marker, payload).
fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "starts with SOI");
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        out.push((marker, bytes[i + 4..i + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    out
}

fn assert_no_metadata(bytes: &[u8]) {
    for (marker, payload) in jpeg_segments(bytes) {
        assert!(
            !(0xE1..=0xEF).contains(&marker) && marker != 0xFE,
            "metadata segment FF{marker:02X} left: {:?}",
            String::from_utf8_lossy(&payload[..payload.len().min(16)])
        );
    }
    for needle in [
        &b"Exif\0\0"[..],
        b"GPS",
        b"KhaoTestPhone",
        b"Created with GIMP",
        b"ICC_PROFILE",
        b"http://ns.adobe.com/xap",
    ] {
        assert!(
            !contains(bytes, needle),
            "found {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn the_fixture_really_has_orientation_6_and_gps() {
    let bytes = std::fs::read(FIXTURE).unwrap();
    assert!(bytes.len() < 200_000);
    assert!(contains(&bytes, b"Exif\0\0"));
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!(img.dimensions(), (1200, 900), "stored landscape");
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::Rotate90
    );
    let exif = decoder.exif_metadata().unwrap().unwrap();
    // GPSInfo IFD pointer, tag 0x8825, in the big- or little-endian form.
    assert!(contains(&exif, &[0x88, 0x25]) || contains(&exif, &[0x25, 0x88]));
}

#[test]
fn photo_comes_out_upright_with_no_metadata() {
    let site = Site::new();
    let src = site.add("ladybird.jpg", &std::fs::read(FIXTURE).unwrap());
    let (results, stats) = site.run(&[job(&src, "news/2026/ladybird")], &config(&[320, 640]));
    let image = results.into_iter().next().unwrap().unwrap();
    assert_eq!(
        stats,
        ImageStats {
            processed: 1,
            cached: 0
        }
    );
    let sizes: Vec<(u32, u32)> = image.variants.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(
        sizes,
        vec![(320, 427), (640, 853)],
        "portrait after rotation"
    );
    assert_eq!(
        image.variants[0].url,
        "/news/2026/ladybird/ladybird-320.jpg"
    );
    for v in &image.variants {
        let bytes = site.file(&v.url);
        assert_no_metadata(&bytes);
        let out = image::load_from_memory(&bytes).unwrap();
        assert_eq!(out.dimensions(), (v.width, v.height));
    }

    // The pixels are the stored ones turned 90° clockwise, not the other way.
    let stored = image::load_from_memory(&std::fs::read(FIXTURE).unwrap()).unwrap();
    let small = |img: &image::DynamicImage| {
        img.resize_exact(30, 40, image::imageops::FilterType::Triangle)
            .to_rgb8()
    };
    let out = image::load_from_memory(&site.file(&image.variants[1].url)).unwrap();
    let diff = |a: &image::RgbImage, b: &image::RgbImage| -> f64 {
        a.as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).abs())
            .sum::<f64>()
            / a.as_raw().len() as f64
    };
    let right = diff(&small(&out), &small(&stored.rotate90()));
    let wrong = diff(&small(&out), &small(&stored.rotate270()));
    assert!(
        right < 6.0,
        "mean difference to the rotated original {right}"
    );
    assert!(wrong > right * 2.0, "rotate90 {right} vs rotate270 {wrong}");
}

#[test]
fn second_run_uses_the_cache_and_every_run_gives_the_same_bytes() {
    let site = Site::new();
    let src = site.add("IMG_0042.JPG", &std::fs::read(FIXTURE).unwrap());
    let jobs = [job(&src, "news/2026/a")];
    let cfg = config(&[320, 640, 1280]);
    let (first, stats) = site.run(&jobs, &cfg);
    assert_eq!(
        stats,
        ImageStats {
            processed: 1,
            cached: 0
        }
    );
    let first = first.into_iter().next().unwrap().unwrap();
    let bytes: Vec<Vec<u8>> = first.variants.iter().map(|v| site.file(&v.url)).collect();

    // Rebuild: nothing is decoded again, and public/ can be rebuilt from
    // the cache even after it was deleted.
    std::fs::remove_dir_all(site.public()).unwrap();
    let (second, stats) = site.run(&jobs, &cfg);
    assert_eq!(
        stats,
        ImageStats {
            processed: 0,
            cached: 1
        }
    );
    let second = second.into_iter().next().unwrap().unwrap();
    assert_eq!(first, second);
    let again: Vec<Vec<u8>> = second.variants.iter().map(|v| site.file(&v.url)).collect();
    assert_eq!(bytes, again);

    // A fresh site with the same photo processes it to the same bytes.
    let other = Site::new();
    let src2 = other.add("IMG_0042.JPG", &std::fs::read(FIXTURE).unwrap());
    let (third, stats) = other.run(&[job(&src2, "news/2026/a")], &cfg);
    assert_eq!(stats.processed, 1);
    let third = third.into_iter().next().unwrap().unwrap();
    let fresh: Vec<Vec<u8>> = third.variants.iter().map(|v| other.file(&v.url)).collect();
    assert_eq!(bytes, fresh, "deterministic output");

    // A changed setting is not served from the old entry.
    let (_, stats) = site.run(
        &jobs,
        &ImagesConfig {
            quality: 60,
            ..cfg.clone()
        },
    );
    assert_eq!(
        stats,
        ImageStats {
            processed: 1,
            cached: 0
        }
    );

    // No temporary files are left anywhere.
    for root in [site.cache(), site.public()] {
        for e in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
        {
            let name = e.file_name().to_string_lossy();
            assert!(!name.ends_with(".tmp"), "left over: {}", e.path().display());
        }
    }
}

#[test]
fn widths_wider_than_the_photo_are_not_upscaled() {
    let site = Site::new();
    let src = site.add("wide.jpg", &std::fs::read(FIXTURE).unwrap());
    let (results, _) = site.run(&[job(&src, "p")], &config(&[320, 640, 1280, 2560]));
    let image = results.into_iter().next().unwrap().unwrap();
    let widths: Vec<u32> = image.variants.iter().map(|v| v.width).collect();
    assert_eq!(
        widths,
        vec![320, 640, 900],
        "one variant at the photo's own width"
    );
    assert_eq!(image.variants[2].height, 1200);
    let files = names_in(&site.public().join("p"));
    assert_eq!(files.len(), 3, "{files:?}");
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A valid PNG header that claims 30000×30000 RGBA pixels (3.6 GB decoded)
/// with almost no data behind it: a decompression bomb's shape.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn bad_files_give_errors_not_panics() {
    let site = Site::new();
    let photo = std::fs::read(FIXTURE).unwrap();
    let good = site.add("good.jpg", &photo);
    let truncated = site.add("cut.jpg", &photo[..photo.len() / 2]);
    let bomb = site.add("bomb.png", &png_bomb());
    let heic = site.add("iphone.jpg", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0");
    let text = site.add("notes.jpg", b"not a photo at all");
    let missing = site.dir.path().join("content/missing.jpg");
    let jobs: Vec<ImageJob> = [&good, &truncated, &bomb, &heic, &text, &missing]
        .iter()
        .map(|p| job(p, "n"))
        .collect();
    let (results, stats) = site.run(&jobs, &config(&[320]));
    assert_eq!(
        stats,
        ImageStats {
            processed: 1,
            cached: 0
        }
    );
    assert!(results[0].is_ok());
    // One result per job, in order: the build names each photo's file.
    let errors: Vec<String> = results[1..]
        .iter()
        .map(|r| thai(&r.clone().expect_err("must fail")))
        .collect();
    assert!(errors[0].contains("ไม่สมบูรณ์"), "truncated: {}", errors[0]);
    assert!(errors[1].contains("30000×30000"), "bomb: {}", errors[1]);
    assert!(errors[2].contains("HEIC"), "heic: {}", errors[2]);
    assert!(
        errors[3].contains("ไม่ใช่รูปภาพ"),
        "not a photo: {}",
        errors[3]
    );
    assert!(errors[4].contains("missing.jpg"), "{}", errors[4]);
    // Nothing was published for the bad ones.
    let files: Vec<_> = std::fs::read_dir(site.public().join("n"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
}

#[test]
fn probes_agree_with_the_image_step() {
    let photo = std::fs::read(FIXTURE).unwrap();
    assert_eq!(
        khao::images::sniff(&photo),
        Some(khao::images::SniffedFormat::Jpeg)
    );
    assert_eq!(khao::images::header_dimensions(&photo), Ok((1200, 900)));
    assert_eq!(
        khao::images::verify_decodes(&photo, 50_000_000),
        Ok(khao::images::Shows::Scene)
    );
    assert!(
        khao::images::verify_decodes(&photo, 1_000_000).is_err(),
        "over max_pixels"
    );
    let cut = &photo[..photo.len() - 2000];
    assert!(khao::images::verify_decodes(cut, 50_000_000).is_err());
    let bomb = png_bomb();
    assert_eq!(khao::images::header_dimensions(&bomb), Ok((30000, 30000)));
    let e = khao::images::verify_decodes(&bomb, 50_000_000).unwrap_err();
    assert!(e.to_string().contains("30000×30000"), "{e}");
}

#[test]
fn many_photos_in_parallel_each_get_their_own_names() {
    let site = Site::new();
    let photo = std::fs::read(FIXTURE).unwrap();
    let names = [
        "Photo 1.jpg",
        "photo_1.jpg",
        "ภาพกิจกรรม.jpg",
        "a.jpg",
        "b.jpg",
    ];
    let mut jobs: Vec<ImageJob> = names
        .iter()
        .map(|n| job(&site.add(n, &photo), "x"))
        .collect();
    // The same photo used by a second page is published there too.
    jobs.push(job(&jobs[3].source.clone(), "y"));
    let (results, stats) = site.run(&jobs, &config(&[160]));
    assert_eq!(stats.processed + stats.cached, 5);
    let urls: Vec<String> = results
        .iter()
        .map(|r| r.as_ref().unwrap().variants[0].url.clone())
        .collect();
    let unique: std::collections::BTreeSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "{urls:?}");
    assert_eq!(urls[3], "/x/a-160.jpg");
    assert_eq!(urls[5], "/y/a-160.jpg");
    for url in &urls {
        let name = url.rsplit('/').next().unwrap();
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{url}"
        );
    }
}

#[test]
fn wide_gamut_colours_are_converted_to_srgb_before_the_profile_is_dropped() {
    // Three flat patches stored in Adobe RGB (1998) with the profile
    // embedded; the sRGB values are what Little CMS (Pillow's ImageCms)
    // gives for them.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/images/adobergb-patches.jpg"
    );
    let site = Site::new();
    let src = site.add("patches.jpg", &std::fs::read(fixture).unwrap());
    let (results, _) = site.run(&[job(&src, "c")], &config(&[96]));
    let image = results.into_iter().next().unwrap().unwrap();
    let bytes = site.file(&image.variants[0].url);
    assert_no_metadata(&bytes);
    let out = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let expected = [[0u8, 161, 47], [233, 57, 46], [36, 90, 184]];
    for (i, want) in expected.iter().enumerate() {
        let got = out.get_pixel(i as u32 * 32 + 16, 16).0;
        for c in 0..3 {
            assert!(
                (i32::from(got[c]) - i32::from(want[c])).abs() <= 5,
                "patch {i}: got {got:?}, want {want:?}"
            );
        }
    }
}

#[test]
fn a_size_deleted_from_public_is_published_again_even_where_the_memo_trusts_the_folder() {
    let site = Site::new();
    let src = site.add("p.jpg", &std::fs::read(FIXTURE).unwrap());
    let jobs = [job(&src, "news/2026/a")];
    let cfg = config(&[320, 640]);
    let memo = Memo::default();
    let run = || {
        let (r, _, _) = process_all_in(
            &jobs,
            &cfg,
            &site.cache(),
            &site.public(),
            &khao::plumbing::progress::Silent,
            Some(&memo),
        );
        r.into_iter().next().unwrap().unwrap()
    };
    let image = run();
    // Once the output folder has settled, a build finds it whole and
    // remembers its stamp; the next looks at the folder, not the photo.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(run(), image);
    assert_eq!(run(), image);

    // A size other than the first removed by hand changes the folder:
    // every size of its photos is looked at, and the missing one is back.
    let second = site
        .public()
        .join(image.variants[1].url.trim_start_matches('/'));
    let bytes = std::fs::read(&second).unwrap();
    std::fs::remove_file(&second).unwrap();
    assert_eq!(run(), image);
    assert_eq!(std::fs::read(&second).unwrap(), bytes);
}

#[test]
fn a_photo_replaced_in_place_is_processed_again() {
    // Same size, same modification time (as `cp -p` or a camera app that
    // keeps dates would leave it): the content still decides.
    let site = Site::new();
    let photo = std::fs::read(FIXTURE).unwrap();
    let src = site.add("p.jpg", &photo);
    let jobs = [job(&src, "n")];
    let cfg = config(&[320]);
    let (first, stats) = site.run(&jobs, &cfg);
    assert_eq!(stats.processed, 1);
    let (_, stats) = site.run(&jobs, &cfg);
    assert_eq!(
        stats,
        ImageStats {
            processed: 0,
            cached: 1
        }
    );
    let url = first[0].as_ref().unwrap().variants[0].url.clone();
    let before = site.file(&url);

    // The same photo mirrored, smaller, padded after its end to the size.
    let mtime = std::fs::metadata(&src).unwrap().modified().unwrap();
    let mut other = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut other, 30)
        .encode_image(&image::load_from_memory(&photo).unwrap().fliph())
        .unwrap();
    assert!(other.len() < photo.len());
    other.resize(photo.len(), 0);
    std::fs::write(&src, &other).unwrap();
    let f = std::fs::File::options().write(true).open(&src).unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);

    let (second, stats) = site.run(&jobs, &cfg);
    assert_eq!(
        stats,
        ImageStats {
            processed: 1,
            cached: 0
        }
    );
    assert_eq!(second[0].as_ref().unwrap().variants[0].url, url);
    assert_ne!(site.file(&url), before, "the new photo is published");
}

#[test]
fn damaged_files_never_panic() {
    // Bytes flipped and files cut at many places: each must be decoded or
    // refused with a message, never crash (khao check runs on whatever
    // staff drop into the shared folder).
    let small = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/images/adobergb-patches.jpg"
    ))
    .unwrap();
    let mut png = Vec::new();
    image::RgbaImage::from_fn(40, 30, |x, y| {
        image::Rgba([x as u8 * 6, y as u8 * 8, 99, 200])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let mut state = 0x2545_F491_u32;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as usize % n
    };
    for original in [&small, &png] {
        for round in 0..40 {
            let mut bytes = original.clone();
            if round % 2 == 0 {
                for _ in 0..4 {
                    let at = next(bytes.len());
                    bytes[at] ^= 1 << next(8);
                }
            } else {
                bytes.truncate(next(bytes.len()));
            }
            let _ = khao::images::sniff(&bytes);
            let _ = khao::images::header_dimensions(&bytes);
            let _ = khao::images::verify_decodes(&bytes, 50_000_000);
        }
    }
    // And through the image step.
    let site = Site::new();
    let mut bytes = small.clone();
    let len = bytes.len();
    bytes[len / 2..len / 2 + 40].fill(0xFF);
    let src = site.add("damaged.jpg", &bytes);
    let (results, _) = process_all(
        &[job(&src, "d")],
        &config(&[64]),
        &site.cache(),
        &site.public(),
    );
    assert_eq!(results.len(), 1);
}

fn mean_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).abs())
        .sum::<f64>()
        / a.as_raw().len() as f64
}

#[test]
fn small_outputs_decode_scaled_in_the_dct_domain_with_the_same_result() {
    // Only 320 px wanted from a 900 px wide (upright) photo: the JPEG is
    // decoded at ½ directly. The result must match the full decode's.
    let site = Site::new();
    let photo = std::fs::read(FIXTURE).unwrap();
    let src = site.add("p.jpg", &photo);
    let (scaled, _) = site.run(&[job(&src, "a")], &config(&[320]));
    let (full, _) = site.run(&[job(&src, "b")], &config(&[320, 640]));
    let scaled = &scaled[0].as_ref().unwrap().variants[0];
    let full = &full[0].as_ref().unwrap().variants[0];
    assert_eq!((scaled.width, scaled.height), (320, 427));
    assert_eq!((full.width, full.height), (320, 427));
    let scaled_bytes = site.file(&scaled.url);
    assert_no_metadata(&scaled_bytes);
    let a = image::load_from_memory(&scaled_bytes).unwrap().to_rgb8();
    let b = image::load_from_memory(&site.file(&full.url))
        .unwrap()
        .to_rgb8();
    let d = mean_diff(&a, &b);
    assert!(d < 3.0, "scaled and full decode differ by {d}");
    let upright = image::load_from_memory(&photo)
        .unwrap()
        .rotate90()
        .resize_exact(320, 427, image::imageops::FilterType::Lanczos3)
        .to_rgb8();
    let d = mean_diff(&a, &upright);
    assert!(d < 4.0, "not the upright photo: {d}");
    let again = Site::new();
    let src2 = again.add("p.jpg", &photo);
    let (r, _) = again.run(&[job(&src2, "a")], &config(&[320]));
    assert_eq!(
        again.file(&r[0].as_ref().unwrap().variants[0].url),
        scaled_bytes,
        "deterministic"
    );

    // A cut-off file is refused on this path too.
    let cut = site.add("cut.jpg", &photo[..photo.len() * 3 / 4]);
    let (results, _) = site.run(&[job(&cut, "c")], &config(&[320]));
    assert!(thai(results[0].as_ref().unwrap_err()).contains("ไม่สมบูรณ์"));

    // And colours are converted from the embedded profile here as well.
    let patches = site.add(
        "patches.jpg",
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/images/adobergb-patches.jpg"
        ))
        .unwrap(),
    );
    let (results, _) = site.run(&[job(&patches, "d")], &config(&[40]));
    let v = &results[0].as_ref().unwrap().variants[0];
    assert_eq!((v.width, v.height), (40, 13));
    let out = image::load_from_memory(&site.file(&v.url))
        .unwrap()
        .to_rgb8();
    let red = out.get_pixel(20, 6).0;
    assert!(
        (i32::from(red[0]) - 233).abs() <= 8,
        "red patch {red:?}, want about [233, 57, 46]"
    );
}

#[test]
fn other_formats_become_jpeg_and_only_real_transparency_stays_png() {
    let site = Site::new();
    let encode = |img: image::DynamicImage, format| {
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), format)
            .unwrap();
        out
    };
    let rgb = image::RgbImage::from_fn(200, 100, |x, y| image::Rgb([x as u8, y as u8, 60]));
    let gif = site.add(
        "anim.gif",
        &encode(
            image::DynamicImage::ImageRgb8(rgb.clone())
                .into_rgba8()
                .into(),
            image::ImageFormat::Gif,
        ),
    );
    let opaque_png = site.add(
        "screenshot.png",
        &encode(
            image::DynamicImage::ImageRgba8(image::DynamicImage::ImageRgb8(rgb).into_rgba8()),
            image::ImageFormat::Png,
        ),
    );
    let logo =
        image::RgbaImage::from_fn(200, 100, |x, _| image::Rgba([200, 20, 20, (x % 256) as u8]));
    let logo_png = site.add(
        "logo.png",
        &encode(
            image::DynamicImage::ImageRgba8(logo),
            image::ImageFormat::Png,
        ),
    );
    let jobs: Vec<ImageJob> = [&gif, &opaque_png, &logo_png]
        .iter()
        .map(|p| job(p, "f"))
        .collect();
    let (results, _) = site.run(&jobs, &config(&[100]));
    let urls: Vec<String> = results
        .iter()
        .map(|r| r.as_ref().unwrap().variants[0].url.clone())
        .collect();
    assert_eq!(
        urls,
        vec![
            "/f/anim-100.jpg",
            "/f/screenshot-100.jpg",
            "/f/logo-100.png"
        ]
    );
    let png = site.file(&urls[2]);
    let img = image::load_from_memory(&png).unwrap();
    assert!(img.color().has_alpha());
    for chunk in [&b"tEXt"[..], b"iTXt", b"zTXt", b"eXIf", b"iCCP"] {
        assert!(!contains(&png, chunk));
    }
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let site = Site::new();
    let src = site.add("big.jpg", &std::fs::read(FIXTURE).unwrap());
    let cfg = ImagesConfig {
        max_file_mb: 0,
        ..config(&[320])
    };
    let (results, stats) = site.run(&[job(&src, "n")], &cfg);
    assert_eq!(stats, ImageStats::default());
    let e = thai(results[0].as_ref().unwrap_err());
    assert!(e.contains("images.max_file_mb"), "{e}");
}

/// The benchmark (`scripts/bench-photos`) times `render_photo`: it must be
/// exactly the work the build does, so its files are the published files,
/// byte for byte, and a bad file is an error there too.
#[test]
fn render_photo_is_what_the_build_publishes() {
    let site = Site::new();
    let photo = site.add("p.jpg", &std::fs::read(FIXTURE).unwrap());
    let config = config(&[320, 640]);
    let (results, _) = site.run(&[job(&photo, "news/a")], &config);
    let published = results.into_iter().next().unwrap().unwrap();
    let bytes = std::fs::read(&photo).unwrap();
    let rendered = khao::images::render_photo(&bytes, &config).unwrap();
    assert_eq!(rendered.len(), published.variants.len());
    for (r, v) in rendered.iter().zip(&published.variants) {
        assert_eq!((r.width, r.height), (v.width, v.height));
        assert!(r.bytes == site.file(&v.url), "{} differs", v.url);
    }
    assert_eq!((rendered[0].width, rendered[0].height), (320, 427));
    assert!(khao::images::render_photo(&bytes[..bytes.len() / 2], &config).is_err());
    assert!(khao::images::render_photo(b"not a photo", &config).is_err());
}
