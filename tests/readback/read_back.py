"""Answers one JSON line per JSON line on stdin, for the Micro QR / rMQR tests.

{"read": "<png path>"}  -> {"codes": [{"format", "text", "version", "ec", "mask"}]}
    every Micro QR and rMQR code zxing-cpp finds in the image;
{"segno": {"data", "version", "error", "mask"}}  -> {"matrix": ["0101…", …]}
    the symbol segno makes with exactly that version (M1…M4), level and mask.
"""

import json
import sys

import segno
import zxingcpp
from PIL import Image

FORMATS = [zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode]


def read(path):
    codes = []
    for r in zxingcpp.read_barcodes(Image.open(path), formats=FORMATS):
        extra = r.extra or {}
        codes.append({
            "format": str(r.format).rsplit(".", 1)[-1],
            "text": r.text,
            "version": extra.get("Version"),
            "ec": r.ec_level,
            "mask": extra.get("DataMask"),
        })
    return {"codes": codes}


def make(spec):
    q = segno.make_micro(spec["data"], version=spec["version"], error=spec["error"],
                         mask=spec["mask"], boost_error=False)
    return {"matrix": ["".join("1" if m else "0" for m in row) for row in q.matrix]}


for line in sys.stdin:
    request = json.loads(line)
    answer = read(request["read"]) if "read" in request else make(request["segno"])
    print(json.dumps(answer), flush=True)
