"""Bench-only peer for `qr-scan-bench` and `host-bench decode-sets`: decodes images with zxing-cpp.

Usage: zxing_cpp_peer.py REPEATS MODE [TIMING], MODE one of
  defaults  zxing-cpp's defaults (try_invert, try_downscale, try_rotate on; local-average
            binariser; up to 255 symbols, so every pass runs even after a code is read),
  single    try_invert and try_downscale off: one binarisation and one search at full size,
            the same work as qr-scan's first pass.
Both read the QR family (`BarcodeFormat.QRCode` in zxing-cpp 3 is QR Model 1 and 2, Micro QR
and rMQR, as qr-scan reads), with plain text output so GS1 separators stay as 0x1D.

and TIMING one of
  pixels      (the default) each timed call is `read_barcodes` on a greyscale array loaded
              beforehand, so file decoding is not counted, as qr-scan-bench times
              `qr_scan::scan` on decoded pixels;
  file-bytes  each timed call decodes the file's bytes (read from disk beforehand, as a
              service has the request body in memory) with Pillow, converts to greyscale,
              then calls `read_barcodes`: the job `POST /decode` does, bytes to codes.

Reads one image path per line on stdin and writes one JSON object per line on stdout:
{"path": ..., "texts": [...], "ms": ...}, `ms` the median of REPEATS timed calls.
"""

import io
import json
import statistics
import sys
import time

import numpy
import zxingcpp
from PIL import Image

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
MODE = sys.argv[2] if len(sys.argv) > 2 else "defaults"
OPTIONS = {
    "defaults": {},
    "single": {"try_invert": False, "try_downscale": False},
}[MODE]
TIMING = sys.argv[3] if len(sys.argv) > 3 else "pixels"
if TIMING not in ("pixels", "file-bytes"):
    sys.exit(f"unknown timing {TIMING!r}: pixels or file-bytes")


def grey(source):
    """The image at `source` (a path or a file object) as a greyscale array."""
    return numpy.asarray(Image.open(source).convert("L"))


def read(pixels):
    return zxingcpp.read_barcodes(
        pixels,
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
        **OPTIONS,
    )


def main() -> None:
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        if TIMING == "pixels":
            pixels = grey(path)
            decode = lambda: read(pixels)  # noqa: E731
        else:
            with open(path, "rb") as file:
                data = file.read()
            decode = lambda: read(grey(io.BytesIO(data)))  # noqa: E731
        times = []
        found = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            found = decode()
            times.append((time.perf_counter() - start) * 1000.0)
        texts = [b.text for b in found]
        print(json.dumps({"path": path, "texts": texts, "ms": statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main()
