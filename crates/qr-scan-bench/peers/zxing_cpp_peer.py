"""Bench-only peer for `qr-scan-bench`: decodes images with zxing-cpp.

Usage: zxing_cpp_peer.py REPEATS MODE, MODE one of
  defaults  zxing-cpp's defaults (try_invert, try_downscale, try_rotate on; local-average
            binariser; up to 255 symbols, so every pass runs even after a code is read),
  single    try_invert and try_downscale off: one binarisation and one search at full size,
            the same work as qr-scan's first pass.
Both read the QR family (`BarcodeFormat.QRCode` in zxing-cpp 3 is QR Model 1 and 2, Micro QR
and rMQR, as qr-scan reads), with plain text output so GS1 separators stay as 0x1D.

Reads one image path per line on stdin and writes one JSON object per line on stdout:
{"path": ..., "texts": [...], "ms": ...}. `ms` is the median of REPEATS timed calls of
`read_barcodes` on an already-loaded greyscale array, so file decoding is not counted,
the same as for our decoder.
"""

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


def main() -> None:
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        grey = numpy.asarray(Image.open(path).convert("L"))
        times = []
        found = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            found = zxingcpp.read_barcodes(
                grey,
                formats=zxingcpp.BarcodeFormat.QRCode,
                text_mode=zxingcpp.TextMode.Plain,
                **OPTIONS,
            )
            times.append((time.perf_counter() - start) * 1000.0)
        texts = [b.text for b in found]
        print(json.dumps({"path": path, "texts": texts, "ms": statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main()
