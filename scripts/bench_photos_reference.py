#!/usr/bin/env python3
"""The libjpeg-turbo reference for scripts/bench-photos: the same per-photo
work as khao (read, decode once scaled in the DCT domain with draft(),
EXIF orientation, resize to every width largest first with Lanczos, encode
JPEG at the same quality, 4:2:0), done by Pillow, whose JPEG codec is
libjpeg-turbo. Prints one JSON line in the same form as
`benches/photo_bench.rs`.

    python3 scripts/bench_photos_reference.py --widths 320,1280 --quality 75 \
        --threads 1 PHOTO.jpg...

--threads N > 1 runs the batch on N worker processes, one photo per worker
at a time (processes, so the GIL cannot hold anything back).
Needs Pillow: `pip install pillow` (or `apt-get install python3-pil`).
"""
import argparse
import io
import json
import multiprocessing
import sys
import time

from PIL import Image, ImageOps, features

WIDTHS = [320, 1280]
QUALITY = 75


def targets(width, height, widths):
    """The output sizes, largest first, as khao computes them (no upscaling)."""
    out = sorted({min(w, width) for w in widths if w > 0} or {width}, reverse=True)
    return [(w, max(1, (height * w + width // 2) // width)) for w in out]


def one(path):
    t = time.perf_counter()
    with open(path, "rb") as f:
        data = f.read()
    im = Image.open(io.BytesIO(data))
    orientation = im.getexif().get(0x0112, 1)
    turned = orientation in (5, 6, 7, 8)
    up_w, up_h = (im.height, im.width) if turned else im.size
    sizes = targets(up_w, up_h, WIDTHS)
    w, h = sizes[0]
    # draft() picks the smallest DCT scale (1/2, 1/4, 1/8) still at least
    # this big, in stored orientation.
    im.draft("RGB", (h, w) if turned else (w, h))
    im = ImageOps.exif_transpose(im)
    if im.mode != "RGB":
        im = im.convert("RGB")
    total = 0
    for w, h in sizes:
        if im.size != (w, h):
            im = im.resize((w, h), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=QUALITY, subsampling="4:2:0")
        total += buf.tell()
    return time.perf_counter() - t, total


def init(widths, quality):
    global WIDTHS, QUALITY
    WIDTHS, QUALITY = widths, quality


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--widths", default="320,1280")
    ap.add_argument("--quality", type=int, default=75)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("photos", nargs="+")
    a = ap.parse_args()
    widths = [int(w) for w in a.widths.split(",")]
    init(widths, a.quality)
    one(a.photos[0])  # warm-up: page cache and code
    if a.threads <= 1:
        start = time.perf_counter()
        results = [one(p) for p in a.photos]
        wall = time.perf_counter() - start
    else:
        with multiprocessing.Pool(a.threads, init, (widths, a.quality)) as pool:
            pool.map(one, a.photos[: a.threads], chunksize=1)  # workers started and warm
            start = time.perf_counter()
            results = pool.map(one, a.photos, chunksize=1)
            wall = time.perf_counter() - start
    times = sorted(r[0] for r in results)
    print(json.dumps({
        "tool": "pillow %s (libjpeg-turbo %s)" % (Image.__version__, features.version("libjpeg_turbo")),
        "threads": a.threads,
        "photos": len(a.photos),
        "wall_s": round(wall, 4),
        "median_ms": round(times[len(times) // 2] * 1e3, 2),
        "mean_ms": round(sum(times) / len(times) * 1e3, 2),
        "photos_per_s": round(len(a.photos) / wall, 3),
        "out_bytes": sum(r[1] for r in results),
    }))


if __name__ == "__main__":
    sys.exit(main())
