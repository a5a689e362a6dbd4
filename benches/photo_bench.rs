//! Times khao's per-photo work (read, decode with DCT scaling, resize to
//! every width largest first, encode) on real photos, without the cache, so
//! `scripts/bench-photos` can set it beside the libjpeg-turbo reference
//! (`scripts/bench_photos_reference.py`) in the same run.
//!
//! ```text
//! "$(scripts/bench-bin photo_bench)" \
//!     --widths 320,1280 --quality 75 --threads 1 PHOTO.jpg...
//! ```
//!
//! `--threads 1`: one photo after another on one core; the per-photo wall
//! times. `--threads N`: the whole batch on N worker threads, one photo per
//! worker at a time, as `khao build` runs it. Prints one JSON line.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("photo_bench: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut widths = vec![320, 1280];
    let mut quality = 75u8;
    let mut threads = 1usize;
    let mut files: Vec<PathBuf> = Vec::new();
    // `cargo bench` adds `--bench`; scripts/bench-bin runs the binary itself.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--widths" => {
                widths = value()?
                    .split(',')
                    .map(|w| w.trim().parse::<u32>().map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?
            }
            "--quality" => quality = value()?.parse().map_err(|e| format!("{e}"))?,
            "--threads" => threads = value()?.parse().map_err(|e| format!("{e}"))?,
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        return Err(
            "usage: photo_bench [--widths 320,1280] [--quality 75] [--threads N] PHOTO...".into(),
        );
    }
    let config = khao::config::ImagesConfig {
        widths,
        quality,
        max_pixels: 50_000_000,
        max_file_mb: 25,
    };
    let one = |path: &PathBuf| -> Result<(f64, usize), String> {
        let t = Instant::now();
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let out = khao::images::render_photo(&bytes, &config)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let size = out.iter().map(|v| v.bytes.len()).sum();
        Ok((t.elapsed().as_secs_f64(), size))
    };
    // Warm-up: page cache, code and allocator.
    one(&files[0])?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let results: Vec<(f64, usize)> = pool.install(|| {
        files
            .par_iter()
            .with_max_len(1)
            .map(one)
            .collect::<Result<_, _>>()
    })?;
    let wall = start.elapsed().as_secs_f64();
    let mut times: Vec<f64> = results.iter().map(|r| r.0).collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let out_bytes: usize = results.iter().map(|r| r.1).sum();
    println!(
        "{{\"tool\": \"khao\", \"threads\": {threads}, \"photos\": {}, \"wall_s\": {wall:.4}, \
         \"median_ms\": {:.2}, \"mean_ms\": {:.2}, \"photos_per_s\": {:.3}, \"out_bytes\": {out_bytes}}}",
        files.len(),
        median * 1e3,
        mean * 1e3,
        files.len() as f64 / wall,
    );
    Ok(())
}
