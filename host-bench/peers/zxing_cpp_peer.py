"""Bench-only peer for `host-bench decode-corpus`: decodes images with zxing-cpp.

Reads one image path per line on stdin and writes one JSON object per line on stdout:
{"path": ..., "texts": [...], "ms": ...}. `ms` is the median of REPEATS timed calls of
`read_barcodes` on an already-loaded greyscale array, so file decoding is not counted,
the same as for our decoder. zxing-cpp runs with its defaults (try rotate, downscale and
invert; local-average binariser) restricted to QR codes, with plain text output so GS1
separators stay as 0x1D instead of being rewritten to "(01)..." form.
"""

import json
import statistics
import sys
import time

import numpy
import zxingcpp
from PIL import Image

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


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
                grey, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain
            )
            times.append((time.perf_counter() - start) * 1000.0)
        texts = [b.text for b in found]
        print(json.dumps({"path": path, "texts": texts, "ms": statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main()
