#!/usr/bin/env python3
"""Drives the web page in Debian's headless Chromium (selenium + chromium-driver) against a
running QR Workshop (qr-host, Spin or wasmtime serve).

Run by tests/tests/all/ui_browser.rs, one flow per test, with the venv that `scripts/setup --test`
makes:

    target/ui-venv/bin/python tests/browser/ui_flows.py --base http://127.0.0.1:PORT --flow make
    ... --flow screenshots --out docs/screenshots   (the README's pictures; not a test)

Every flow also checks that the browser logged no console error and sent no request beyond
loopback (blob: and data: URLs stay inside the page). Exit status 0 means the flow passed.
"""

import argparse
import base64
import io
import json
import struct
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
import zlib
from pathlib import Path

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a driver

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Upper bound for any one thing the page does (a preview, a decode, a camera scan); far above
# what it takes (well under a second on the build machine), so only a broken page hits it.
WAIT_SECONDS = 30
ROOT = Path(__file__).resolve().parents[2]
# The budget for everything the page loads on a first visit, the first preview included.
PAGE_WEIGHT_LIMIT = 100 * 1024
# A corpus photo with one code, read by qr-scan (see the README's corpus figures).
CORPUS_PHOTO = ROOT.parent / "shared" / "qr-corpus" / "zxing-java" / "qrcode-1" / "1.png"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Browser:
    """One headless Chromium with a fresh profile; camera flags point at `video` if given."""

    def __init__(self, base, video=None, width=1280, height=900):
        self.base = base
        self.profile = tempfile.TemporaryDirectory(prefix="qr-ui-chromium-")
        self.downloads = Path(self.profile.name) / "downloads"
        self.downloads.mkdir()
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
            # Anything that is not loopback fails to resolve: a leak would fail loudly, and the
            # performance log below reports it too.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={self.profile.name}/profile",
            f"--window-size={width},{height}",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        ]:
            opts.add_argument(arg)
        if video:
            opts.add_argument(f"--use-file-for-fake-video-capture={video}")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        opts.add_experimental_option("prefs", {
            "download.default_directory": str(self.downloads),
            "download.prompt_for_download": False,
        })
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_window_size(width, height)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(self.downloads)})
        self.driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        # What Chromium did before our first page (its own new-tab page) is not the page's.
        self.driver.get_log("performance")
        self.driver.get_log("browser")
        self.requests = []
        self.console = []

    def open(self, path="/"):
        self.driver.get(self.base + path)

    def wait(self, predicate, what):
        try:
            return WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(
                lambda d: predicate())
        except TimeoutException:
            self.collect_logs()
            fail(f"timed out waiting for {what}; console: {self.console}")

    def el(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def collect_logs(self):
        self.console += self.driver.get_log("browser")
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])

    def finish(self, allowed_console=()):
        """Asserts no console error (beyond `allowed_console` substrings) and no request
        that left loopback, then closes the browser."""
        self.collect_logs()
        errors = [e["message"] for e in self.console if e["level"] in ("SEVERE", "ERROR")]
        unexpected = [m for m in errors if not any(a in m for a in allowed_console)]
        check(not unexpected, f"console errors: {unexpected}")
        check(self.requests, "no request was seen in the performance log")
        for url in self.requests:
            parts = urllib.parse.urlsplit(url)
            local = parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"
            check(local or parts.scheme in ("blob", "data"), f"request left loopback: {url}")
        self.driver.quit()
        self.profile.cleanup()
        print(f"ok: {len(self.requests)} requests, all on loopback; no console errors")


def http(base, path, body=None, content_type=None):
    request = urllib.request.Request(base + path, data=body)
    if content_type:
        request.add_header("content-type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def multipart(fields, files):
    """A multipart/form-data body of text `fields` and (name, filename, bytes) `files`."""
    boundary = uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, filename, data in files:
        out += (f"--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\ncontent-type: image/png\r\n\r\n").encode()
        out += data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def logo_png(side=48):
    """A checkered red and blue RGB PNG, written by hand (no imaging library in the venv)."""
    rows = b"".join(b"\x00" + bytes(
        c for x in range(side) for c in ((200, 30, 30) if (x // 8 + y // 8) % 2 else (30, 60, 200)))
        for y in range(side))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def decode_via_api(base, image):
    status, _, body = http(base, "/decode", image, "application/octet-stream")
    check(status == 200, f"/decode answered {status}: {body[:200]!r}")
    return json.loads(body)


def wait_for_options(b):
    b.wait(lambda: b.driver.find_elements(By.ID, "opt-ecc"), "the options built from /openapi.json")


def wait_for_preview(b, text):
    b.wait(lambda: b.el("preview").is_displayed()
           and text in (b.el("preview").get_attribute("alt") or "")
           and "Version" in b.el("make-status").text, f"a preview of {text!r}")


def set_field(b, element_id, value):
    """Sets a form field the way typing would, firing the events the page listens to."""
    b.js("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
         "e.dispatchEvent(new Event('input', {bubbles: true}));"
         "e.dispatchEvent(new Event('change', {bubbles: true}));", element_id, value)


def codes_listed(b):
    return b.driver.find_elements(By.CSS_SELECTOR, "#codes li.code")


def listed_texts(b):
    return [li.find_element(By.CSS_SELECTOR, ".code-text").text for li in codes_listed(b)]


def overlay_corners(b):
    """Corners of every outline drawn over the image, in image pixels."""
    return b.js("return [...document.querySelectorAll('#overlay polygon')].map(p =>"
                " p.getAttribute('points').split(' ').map(xy => xy.split(',').map(Number)));")


def check_corners(drawn, expected, what):
    check(len(drawn) == len(expected), f"{what}: {len(drawn)} outlines, want {len(expected)}")
    for d, e in zip(drawn, expected):
        for (dx, dy), (ex, ey) in zip(d, e):
            check(abs(dx - ex) < 0.05 and abs(dy - ey) < 0.05, f"{what}: corner {d} != {e}")


def wait_download(b, name, remove=False):
    """The downloaded file's bytes; `remove` deletes it so the next download takes its name."""
    path = b.downloads / name
    b.wait(lambda: path.is_file() and path.stat().st_size > 0
           and not (b.downloads / (name + ".crdownload")).exists(), f"download {name}")
    data = path.read_bytes()
    if remove:
        path.unlink()
    return data


def labelled_controls(b):
    """Every visible control of the Make form and its label text ('' when it has none)."""
    return b.js("""return [...document.querySelectorAll('#make-form input, #make-form select,'
        + ' #make-form textarea')].filter(e => e.offsetParent !== null && e.type !== 'hidden')
        .map(e => [e.id, e.labels && e.labels.length ? e.labels[0].textContent.trim() : '']);""")


def check_labels(b):
    for element_id, label in labelled_controls(b):
        check(label, f"#{element_id} has no label")


def choose_kind(b, kind):
    Select(b.el("kind")).select_by_value(kind)
    b.wait(lambda: b.el("payload").is_displayed() and b.driver.find_elements(By.CSS_SELECTOR,
           f"#payload [id^='{kind}-']"), f"the {kind} fields")


def type_into(b, element_id, text):
    """Types `text` into a field as a person would (newlines included)."""
    el = b.el(element_id)
    el.clear()
    el.send_keys(text)


# ------------------------------------------------------------------------------------------
# Flows


def flow_make(args):
    """Type -> live preview with version and capacity -> options -> download PNG and SVG ->
    the PNG decodes to the typed text -> upload the PNG -> corners where the geometry says."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    wait_for_preview(b, "example.com")
    weight = b.js("""
        const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        return all.map(e => [e.name, e.encodedBodySize]);""")
    total = sum(size for _, size in weight)
    print(f"page weight: {total} bytes over {len(weight)} requests: {weight}")
    check(total < PAGE_WEIGHT_LIMIT, f"the page loads {total} bytes, over {PAGE_WEIGHT_LIMIT}")
    labels = [e.text for e in b.driver.find_elements(By.CSS_SELECTOR, "#options label")]
    for option in ["Format", "Scale", "Margin", "Error correction", "Foreground", "Background"]:
        check(option in labels, f"option {option!r} missing from the form: {labels}")
    data = b.el("data")
    data.clear()
    text = "Hello from headless Chromium"
    data.send_keys(text)
    wait_for_preview(b, text)
    check("level H" in b.el("make-status").text, b.el("make-status").text)
    Select(b.el("opt-ecc")).select_by_value("M")
    set_field(b, "opt-scale", "6")
    set_field(b, "opt-fg", "#1b3a8c")
    b.wait(lambda: "level M" in b.el("make-status").text, "the status to follow the level")
    status = b.el("make-status").text
    check("more fit at level M" in status, status)
    link = b.el("link").get_attribute("value")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    check(query.get("data") == [text] and query.get("ecc") == ["M"] and query.get("scale") == ["6"]
          and query.get("fg") == ["#1b3a8c"], f"link {link}")
    # The link is the GET request the preview made: same version header.
    st, headers, _ = http(args.base, link[len(args.base):])
    check(st == 200, f"GET link answered {st}")
    check(f"Version {headers['x-qr-version']}," in status, f"{status} vs {headers}")

    b.el("copy-link").click()
    b.wait(lambda: b.el("copy-status").text == "Link copied.", "the link to be copied")
    copied = b.driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERR ' + e));")
    check(copied == link, f"clipboard holds {copied!r}, want {link!r}")

    b.el("download-png").click()
    png = wait_download(b, "qr-code.png")
    check(png.startswith(b"\x89PNG"), "downloaded PNG is not a PNG")
    decoded = decode_via_api(args.base, png)
    check([c["text"] for c in decoded["codes"]] == [text], f"PNG decodes to {decoded}")
    check(decoded["codes"][0]["ecc"] == "M", decoded)
    b.el("download-svg").click()
    svg = wait_download(b, "qr-code.svg")
    check(b"<svg" in svg[:200] and b"1b3a8c" in svg.lower(), f"SVG download: {svg[:120]!r}")

    # Read it back through the page: margin 4 modules at 6 px, so the outline starts at 24 px.
    file_path = b.downloads / "qr-code.png"
    b.el("file").send_keys(str(file_path))
    b.wait(lambda: listed_texts(b) == [text], "the downloaded PNG to be read by the page")
    check_corners(overlay_corners(b), [c["corners"] for c in decoded["codes"]], "generated PNG")
    top_left = decoded["codes"][0]["corners"][0]
    check(abs(top_left[0] - 24) <= 1 and abs(top_left[1] - 24) <= 1, f"top-left {top_left}")
    meta = codes_listed(b)[0].text
    check("Level M" in meta and f"version {decoded['codes'][0]['version']}" in meta, meta)
    b.finish()


def flow_logo(args):
    """Pick a logo -> the preview is a multipart POST with it -> the downloaded PNG is what the
    API makes for those fields and decodes to the text; drop a logo on the field; a logo too
    big for the code -> the API's 422 detail naming the largest logo_size that fits."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    text = "A code with a logo"
    set_field(b, "data", text)
    wait_for_preview(b, text)
    logo = Path(b.profile.name) / "logo.png"
    logo.write_bytes(logo_png())
    b.el("logo").send_keys(str(logo))
    b.wait(lambda: "With the logo." in b.el("make-status").text, "a preview with the logo")
    check(b.el("logo-remove").is_displayed(), "no way to remove the logo")
    command = b.el("link").get_attribute("value")
    check("-F 'logo=@logo.png'" in command and f"--form-string 'data={text}'" in command, command)
    b.el("download-png").click()
    png = wait_download(b, "qr-code.png", remove=True)
    body, content_type = multipart([("data", text)], [("logo", "logo.png", logo_png())])
    st, _, api_png = http(args.base, "/generate", body, content_type)
    check(st == 200 and png == api_png, f"the download differs from the API's answer ({st})")
    st, _, plain = http(args.base, "/generate?data=" + urllib.parse.quote(text))
    check(png != plain, "the download has no logo")
    decoded = decode_via_api(args.base, png)
    check([c["text"] for c in decoded["codes"]] == [text], f"the logo PNG decodes to {decoded}")
    b.el("download-svg").click()
    svg = wait_download(b, "qr-code.svg", remove=True)
    check(b"<svg" in svg[:200] and b"<image" in svg, f"SVG download without its logo: {svg[:200]!r}")

    # Too big: the API's own words, naming the largest size that fits.
    set_field(b, "opt-logo_size", "0.4")
    b.wait(lambda: b.el("make-error").is_displayed(), "the logo error")
    body, content_type = multipart([("data", text), ("logo_size", "0.4")],
                                   [("logo", "logo.png", logo_png())])
    st, _, problem = http(args.base, "/generate", body, content_type)
    detail = json.loads(problem)["detail"]
    check(st == 422 and b.el("make-error").text == detail, f"shown {b.el('make-error').text!r}, "
          f"API {st} {detail!r}")
    check("largest logo_size that fits" in detail, detail)
    check(not b.el("preview").is_displayed(), "a stale preview stays up beside the error")
    # Over MAX_LOGO_BYTES (128 KiB): the 413 names the limit.
    big = Path(b.profile.name) / "big.png"
    big.write_bytes(b"\x89PNG" + bytes(200_000))
    b.el("logo").send_keys(str(big))
    b.wait(lambda: "MAX_LOGO_BYTES" in b.el("make-error").text, "the logo size error")
    check("the logo is 200004 bytes" in b.el("make-error").text, b.el("make-error").text)

    # Remove it: back to a plain GET link; drop it on the field: the logo is back.
    set_field(b, "opt-logo_size", "0.2")
    b.el("logo-remove").click()
    b.wait(lambda: b.el("link").get_attribute("value").startswith(args.base + "/generate?")
           and "With the logo." not in b.el("make-status").text
           and "Version" in b.el("make-status").text, "the plain preview after removing the logo")
    check(b.driver.switch_to.active_element == b.el("logo"), "focus did not return to the picker")
    b.js("""
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
        const zone = document.getElementById('logo').parentElement;
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    """, base64.b64encode(logo_png()).decode())
    b.wait(lambda: "With the logo." in b.el("make-status").text
           and "dropped.png" in b.el("link").get_attribute("value"), "a preview with the dropped logo")
    check_labels(b)
    b.finish(allowed_console=["status of 422", "status of 413"])


# What the Wi-Fi form gets, and the exact text the code must hold: `\ ; , : "` escaped.
WIFI_SSID = 'Café;Lab\\2'
WIFI_PASSWORD = 'p:w,"x"'
WIFI_TEXT = r'WIFI:T:WPA;S:Café\;Lab\\2;P:p\:w\,\"x\";H:true;;'
VCARD_TEXT = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:O'Neil\\; Jr;Ann;;;\r\nFN:Ann O'Neil\\; Jr\r\n"
              "ORG:Acme\\, Inc.\r\nTEL;TYPE=voice:+1 555 0100\r\nTEL;TYPE=voice:+44 20 7946 0000\r\n"
              "EMAIL:ann@example.com\r\nEND:VCARD")
EPC_TEXT = "BCD\n002\n1\nSCT\n\nRed Cross\nBE72000000001616\nEUR12.5\n\n\nDonation 2026"


def download_decodes(b, base, want, ecc=None):
    """Download PNG -> the file decodes through /decode to exactly `want` (at level `ecc`)."""
    b.el("download-png").click()
    png = wait_download(b, "qr-code.png", remove=True)
    decoded = decode_via_api(base, png)
    check([c["text"] for c in decoded["codes"]] == [want], f"decodes to {decoded}, want {want!r}")
    check(ecc is None or decoded["codes"][0]["ecc"] == ecc, f"level {decoded['codes'][0]['ecc']}")
    return png


def flow_builders(args):
    """The payload forms (built from the document's schemas) POST JSON: Wi-Fi with every
    special character, a vCard with two phone numbers, an EPC payment at level M; a bad IBAN
    shows the API's detail."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    kinds = [o.get_attribute("value") for o in Select(b.el("kind")).options]
    for kind in ["data", "wifi", "vcard", "mecard", "geo", "tel", "sms", "mailto", "event", "epc"]:
        check(kind in kinds, f"no {kind} form: {kinds}")

    choose_kind(b, "wifi")
    check(not b.el("data").is_displayed(), "the text box stays beside the Wi-Fi form")
    b.wait(lambda: "Fill in: Network name (SSID)." == b.el("make-error").text, "the missing SSID")
    type_into(b, "wifi-ssid", WIFI_SSID)
    type_into(b, "wifi-password", WIFI_PASSWORD)
    Select(b.el("wifi-security")).select_by_value("WPA")
    b.el("wifi-hidden").click()
    b.wait(lambda: "Wi-Fi network: " + WIFI_SSID in (b.el("preview").get_attribute("alt") or "")
           and "Version" in b.el("make-status").text, "the Wi-Fi preview")
    command = b.el("link").get_attribute("value")
    check('"wifi":{"ssid":"Café;Lab\\\\2"' in command, f"the command does not POST the JSON: {command}")
    check_labels(b)
    png = download_decodes(b, args.base, WIFI_TEXT)
    path = b.downloads / "wifi.png"
    path.write_bytes(png)
    b.el("file").send_keys(str(path))
    b.wait(lambda: listed_texts(b) == [WIFI_TEXT], "the page to read the Wi-Fi code back")

    choose_kind(b, "vcard")
    type_into(b, "vcard-first_name", "Ann")
    type_into(b, "vcard-last_name", "O'Neil; Jr")
    type_into(b, "vcard-org", "Acme, Inc.")
    type_into(b, "vcard-phone", "+1 555 0100\n+44 20 7946 0000")
    type_into(b, "vcard-email", "ann@example.com")
    b.wait(lambda: "Contact (vCard): Ann" in (b.el("preview").get_attribute("alt") or ""),
           "the vCard preview")
    download_decodes(b, args.base, VCARD_TEXT)

    choose_kind(b, "epc")
    type_into(b, "epc-name", "Red Cross")
    type_into(b, "epc-iban", "BE72 0000 0000 1617")
    b.wait(lambda: "epc.iban" in b.el("make-error").text, "the IBAN error")
    st, _, problem = http(args.base, "/generate", json.dumps(
        {"epc": {"name": "Red Cross", "iban": "BE72 0000 0000 1617"}}).encode(), "application/json")
    check(st == 400 and json.loads(problem)["detail"] == b.el("make-error").text,
          f"shown {b.el('make-error').text!r}, API {st} {problem!r}")
    type_into(b, "epc-iban", "BE72 0000 0000 1616")
    type_into(b, "epc-amount", "12.50")
    type_into(b, "epc-text", "Donation 2026")
    b.wait(lambda: "SEPA payment (EPC): Red Cross" in (b.el("preview").get_attribute("alt") or "")
           and "level M" in b.el("make-status").text, "the EPC preview at level M")
    download_decodes(b, args.base, EPC_TEXT, ecc="M")

    Select(b.el("kind")).select_by_value("data")
    b.wait(lambda: b.el("data").is_displayed() and not b.el("payload").is_displayed()
           and b.el("link").get_attribute("value").startswith(args.base + "/generate?data="),
           "back to plain text")
    b.finish(allowed_console=["status of 400"])


def flow_append(args):
    """Structured append from the form: a long text spread over symbols of at most version 10 ->
    the status says how many -> the ZIP download holds them in order, each decodes as its piece
    of the sequence, and their texts join to the text."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    text = "".join(f"line {i:03d} of a long text; " for i in range(40))
    set_field(b, "data", text)
    set_field(b, "opt-max_version", "10")
    set_field(b, "opt-append", "auto")
    b.wait(lambda: "structured-append sequence of" in b.el("make-status").text, "the sequence")
    check(not b.el("preview").is_displayed(), "an image preview of a ZIP")
    count = int(b.el("make-status").text.split("sequence of ")[1].split(" ")[0])
    check(count > 1, b.el("make-status").text)
    b.el("download-png").click()
    archive = zipfile.ZipFile(io.BytesIO(wait_download(b, "qr-codes-png.zip")))
    names = sorted(archive.namelist())
    check(len(names) == count, f"{names} vs {count} symbols")
    pieces = []
    for i, name in enumerate(names):
        code = decode_via_api(args.base, archive.read(name))["codes"][0]
        check(code["structured_append"]["index"] == i and code["structured_append"]["total"] == count
              and code["version"] <= 10, f"{name}: {code}")
        pieces.append(code["text"])
    check("".join(pieces) == text, f"the pieces join to {''.join(pieces)!r}")
    b.finish()


def flow_symbology(args):
    """Micro QR and rMQR: the symbology option (built from the document) makes one, the status
    names it and its version, the download decodes as that symbology; the page lists a Micro QR
    and an rMQR code it reads with their symbology, level and version name; styles with Micro
    QR show the API's detail."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    text = "12345"
    set_field(b, "data", text)
    wait_for_preview(b, text)
    Select(b.el("opt-symbology")).select_by_value("micro_qr")
    b.wait(lambda: b.el("make-status").text.startswith("Micro QR version M"), "a Micro QR preview")
    version = b.el("make-status").text.split("version ")[1].rstrip(".")
    png = download_decodes(b, args.base, text)
    code = decode_via_api(args.base, png)["codes"][0]
    check(code["symbology"] == "micro_qr" and code["version_name"] == version, f"{code} vs {version}")
    path = b.downloads / "micro.png"
    path.write_bytes(png)
    b.el("file").send_keys(str(path))
    b.wait(lambda: listed_texts(b) == [text], "the page to read the Micro QR code")
    meta = codes_listed(b)[0].text
    # Five digits fit M1, which only detects errors: no level.
    check(version == "M1" and code["ecc"] is None, f"{version} {code}")
    check("Micro QR · Error detection only · version M1" in meta, meta)

    st, _, rmqr = http(args.base, "/generate?symbology=rmqr&data=" + urllib.parse.quote("rMQR here"))
    check(st == 200, f"rMQR generate {st}")
    path = b.downloads / "rmqr.png"
    path.write_bytes(rmqr)
    b.el("file").send_keys(str(path))
    b.wait(lambda: listed_texts(b) == ["rMQR here"], "the page to read the rMQR code")
    code = decode_via_api(args.base, rmqr)["codes"][0]
    meta = codes_listed(b)[0].text
    check(f"rMQR · Level {code['ecc']} · version {code['version_name']}" in meta, meta)

    Select(b.el("opt-module_shape")).select_by_value("dots")
    b.wait(lambda: b.el("make-error").is_displayed(), "the styles-with-Micro-QR error")
    st, _, problem = http(args.base, "/generate?symbology=micro_qr&module_shape=dots&data=" + text)
    check(st == 422 and json.loads(problem)["detail"] == b.el("make-error").text,
          f"shown {b.el('make-error').text!r}, API {st} {problem!r}")
    b.finish(allowed_console=["status of 422"])


def corpus_expectation(base):
    photo = CORPUS_PHOTO.read_bytes()
    want_text = CORPUS_PHOTO.with_suffix(".txt").read_text(encoding="utf-8").rstrip("\n")
    api = decode_via_api(base, photo)
    check([c["text"] for c in api["codes"]] == [want_text], f"API reads the photo as {api}")
    return photo, want_text, [c["corners"] for c in api["codes"]]


def check_read(b, want_text, corners, how):
    b.wait(lambda: listed_texts(b) == [want_text], f"the photo's text after {how}")
    check_corners(overlay_corners(b), corners, how)
    viewbox = b.js("return document.getElementById('overlay').getAttribute('viewBox');")
    size = b.js("const i = document.getElementById('shot'); return [i.naturalWidth, i.naturalHeight];")
    check(viewbox == f"0 0 {size[0]} {size[1]}", f"overlay viewBox {viewbox} vs image {size}")
    check("1 code found." == b.el("read-status").text, b.el("read-status").text)


def flow_upload(args):
    """File picker and drag and drop of a corpus photo: its text and corners; a link in a code
    opens only after a confirmation."""
    photo, want_text, corners = corpus_expectation(args.base)
    b = Browser(args.base)
    b.open("/")
    b.el("file").send_keys(str(CORPUS_PHOTO))
    check_read(b, want_text, corners, "the file picker")
    # Drag and drop: the same file in a DataTransfer, dropped on the drop zone.
    b.js("document.getElementById('codes').replaceChildren();")
    b.js("""
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'photo.png', {type: 'image/png'}));
        const drop = document.getElementById('drop');
        drop.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        drop.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    """, base64.b64encode(photo).decode())
    check_read(b, want_text, corners, "drag and drop")
    # The corpus text is a MEBKM bookmark, not a URL: no link is offered for it.
    check(not codes_listed(b)[0].find_elements(By.TAG_NAME, "a"), "a non-URL got a link")

    # A code holding a URL: the link exists only after "Open link…" is pressed.
    st, _, png = http(args.base, "/generate?data=https%3A%2F%2Fexample.com%2Fqr")
    check(st == 200, f"generate {st}")
    path = b.downloads / "url.png"
    path.write_bytes(png)
    b.el("file").send_keys(str(path))
    b.wait(lambda: listed_texts(b) == ["https://example.com/qr"], "the URL code")
    item = codes_listed(b)[0]
    link = item.find_element(By.CSS_SELECTOR, ".confirm a")
    check(not link.is_displayed(), "the link shows before confirmation")
    button = [x for x in item.find_elements(By.TAG_NAME, "button") if x.text == "Open link…"][0]
    button.click()
    b.wait(lambda: link.is_displayed(), "the link after confirmation")
    check(link.get_attribute("href") == "https://example.com/qr", link.get_attribute("href"))
    check("noopener" in link.get_attribute("rel"), link.get_attribute("rel"))
    check(b.driver.switch_to.active_element == link, "focus did not move to the link")
    b.finish()


def flow_paste(args):
    """Paste a corpus photo from the system clipboard with Ctrl+V."""
    _, want_text, corners = corpus_expectation(args.base)
    b = Browser(args.base)
    b.open("/")
    # Put the photo on the clipboard as an image, as "copy image" or a screenshot tool would.
    photo = CORPUS_PHOTO.read_bytes()
    result = b.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        navigator.clipboard.write([new ClipboardItem({'image/png': new Blob([bytes], {type: 'image/png'})})])
          .then(() => done('ok'), e => done('ERR ' + e));
    """, base64.b64encode(photo).decode())
    check(result == "ok", f"clipboard write failed: {result}")
    # Ctrl+V as a key event carrying its editing command: chromedriver's own key events carry
    # none in headless mode, where no OS keymap turns Ctrl+V into "paste".
    for kind in ("keyDown", "keyUp"):
        b.driver.execute_cdp_cmd("Input.dispatchKeyEvent", {
            "type": kind, "modifiers": 2, "key": "v", "code": "KeyV", "windowsVirtualKeyCode": 86,
            **({"commands": ["paste"]} if kind == "keyDown" else {})})
    check_read(b, want_text, corners, "Ctrl+V")
    b.finish()


def flow_camera(args):
    """Chromium's fake camera plays a video of a QR code; the page scans until it reads it."""
    check(args.video and Path(args.video).is_file(), "--video FILE.y4m is required")
    b = Browser(args.base, video=args.video)
    b.open("/")
    b.el("camera-start").click()
    b.wait(lambda: b.el("camera-stop").is_displayed(), "the camera to start")
    b.wait(lambda: listed_texts(b) == [args.video_text], f"the camera to read {args.video_text!r}")
    check(b.el("camera-start").is_displayed() and not b.el("camera-stop").is_displayed(),
          "the camera did not stop after a code was found")
    check(b.js("return document.getElementById('video').srcObject") is None, "stream still attached")
    check(len(overlay_corners(b)) == 1, "no outline over the camera frame")
    b.finish()


def press(b, *keys):
    """Presses keys on whatever has the focus, as a person would (no click first)."""
    ActionChains(b.driver).send_keys(*keys).perform()


def tab_until(b, element_id, limit=40, backwards=False):
    for _ in range(limit):
        press(b, *((Keys.SHIFT, Keys.TAB) if backwards else (Keys.TAB,)))
        if b.driver.switch_to.active_element.get_attribute("id") == element_id:
            return b.driver.switch_to.active_element
    fail(f"Tab never reached #{element_id}")


def flow_keyboard(args):
    """Everything reachable and usable with the keyboard alone, with a visible focus ring."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    press(b, Keys.TAB)
    first = b.driver.switch_to.active_element
    check(first.get_attribute("class") == "skip", "the first Tab stop is not the skip link")
    check(first.is_displayed(), "the skip link stays hidden when focused")
    press(b, Keys.ENTER)
    order = []
    for _ in range(60):
        press(b, Keys.TAB)
        active = b.driver.switch_to.active_element
        key = active.get_attribute("id") or active.text
        if key in order:
            break
        order.append(key)
        outline = b.js("const s = getComputedStyle(arguments[0]);"
                       "return [s.outlineStyle, s.outlineWidth];", active)
        if active.get_attribute("id") == "file":
            outline = b.js("const s = getComputedStyle(arguments[0].nextElementSibling);"
                           "return [s.outlineStyle, s.outlineWidth];", active)
        check(outline[0] != "none" and outline[1] != "0px", f"no visible focus on {key}: {outline}")
        if key == "camera-start":
            break
    for want in ["kind", "data", "opt-format", "opt-scale", "opt-margin", "opt-ecc", "opt-fg",
                 "opt-bg", "logo", "opt-logo_size", "download-png", "download-svg", "link",
                 "copy-link", "file", "camera-start"]:
        check(want in order, f"#{want} is not reachable with Tab: {order}")
    check(order.index("kind") < order.index("data") < order.index("download-png")
          < order.index("copy-link") < order.index("opt-format") < order.index("opt-bg")
          < order.index("logo") < order.index("opt-logo_size") < order.index("file"),
          f"Tab order does not follow the page: {order}")
    check_labels(b)

    # Type, pick a level with the arrow keys, copy the link with Enter: keyboard only.
    b.el("data").click()
    press(b, Keys.CONTROL, "a")
    press(b, "keyboard only")
    tab_until(b, "opt-ecc")
    press(b, Keys.ARROW_UP)  # H -> Q
    b.wait(lambda: "level Q" in b.el("make-status").text and "keyboard only"
           in (b.el("preview").get_attribute("alt") or ""), "the preview after keyboard edits")
    tab_until(b, "copy-link")
    press(b, Keys.ENTER)
    b.wait(lambda: b.el("copy-status").text == "Link copied.", "Enter on Copy link")
    # A payload form from the keyboard: Wi-Fi picked with an arrow key, typed, "hidden" ticked
    # with Space.
    tab_until(b, "kind", backwards=True)
    press(b, Keys.ARROW_DOWN)
    b.wait(lambda: b.el("wifi-ssid").is_displayed(), "the Wi-Fi fields after an arrow key")
    press(b, Keys.TAB)
    check(b.driver.switch_to.active_element == b.el("wifi-ssid"), "Tab does not reach the SSID")
    press(b, "kb net")
    tab_until(b, "wifi-password", limit=2)
    press(b, "secret1")
    tab_until(b, "wifi-hidden", limit=3)
    press(b, Keys.SPACE)
    b.wait(lambda: "Wi-Fi network: kb net" in (b.el("preview").get_attribute("alt") or "")
           and '"hidden":true' in b.el("link").get_attribute("value"), "the Wi-Fi preview")
    check_labels(b)
    # The camera, started and stopped from the keyboard.
    tab_until(b, "camera-start", limit=60)
    press(b, Keys.ENTER)
    b.wait(lambda: b.driver.switch_to.active_element.get_attribute("id") == "camera-stop",
           "focus on Stop after starting the camera")
    press(b, Keys.ENTER)
    b.wait(lambda: b.driver.switch_to.active_element.get_attribute("id") == "camera-start",
           "focus back on the camera button")
    check(b.el("read-status").text == "Camera stopped.", b.el("read-status").text)
    b.finish()


def flow_errors(args):
    """API errors appear in words: the problem+json detail, in an alert."""
    b = Browser(args.base)
    b.open("/")
    wait_for_options(b)
    set_field(b, "data", "x" * 1300)  # over the 1273 bytes of a level H symbol
    b.wait(lambda: b.el("make-error").is_displayed(), "the capacity error")
    message = b.el("make-error").text
    st, _, body = http(args.base, "/generate?data=" + "x" * 1300)
    check(st == 413 and json.loads(body)["detail"] == message, f"shown {message!r} vs {body!r}")
    check(b.el("make-error").get_attribute("role") == "alert", "the error is not an alert")
    check(not b.el("preview").is_displayed(), "a stale preview stays up beside the error")
    set_field(b, "data", "fits")
    b.wait(lambda: not b.el("make-error").is_displayed(), "the error to clear")
    # Not an image: the decoder's 415 detail.
    path = Path(b.profile.name) / "notes.png"
    path.write_bytes(b"these are not pixels")
    b.el("file").send_keys(str(path))
    b.wait(lambda: b.el("read-error").is_displayed(), "the decode error")
    check("not an image in a supported format" in b.el("read-error").text, b.el("read-error").text)
    b.finish(allowed_console=["status of 413", "status of 415"])


def flow_docs(args):
    """/docs renders every operation and problem type of /openapi.json."""
    st, _, body = http(args.base, "/openapi.json")
    check(st == 200, f"/openapi.json {st}")
    doc = json.loads(body)
    b = Browser(args.base)
    b.open("/docs")
    b.wait(lambda: b.el("doc").get_attribute("aria-busy") == "false", "the document to render")
    headings = [h.text for h in b.driver.find_elements(By.CSS_SELECTOR, ".doc-op h3")]
    for path, item in doc["paths"].items():
        for method in item:
            check(any(h.startswith(f"{method.upper()} {path} ") for h in headings),
                  f"{method} {path} not rendered: {headings}")
    page = b.el("doc").text
    for t in doc["components"]["schemas"]["Problem"]["properties"]["type"]["anyOf"]:
        check(t["const"] in page, f"problem type {t['const']} not listed")
    b.finish()


def flow_screenshots(args):
    """The README's screenshots: the main states at phone and desktop widths."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _, want_text, _ = corpus_expectation(args.base)
    for name, (w, h) in {"desktop": (1280, 1000), "phone": (390, 844)}.items():
        b = Browser(args.base, video=args.video, width=w, height=h)
        b.open("/")
        wait_for_options(b)
        wait_for_preview(b, "example.com")
        b.driver.save_screenshot(str(out / f"make-{name}.png"))
        b.el("file").send_keys(str(CORPUS_PHOTO))
        b.wait(lambda: listed_texts(b) == [want_text], "the photo")
        b.js("document.getElementById('read').scrollIntoView()")
        time.sleep(0.3)  # let the scroll settle before the picture (screenshots only)
        b.driver.save_screenshot(str(out / f"read-{name}.png"))
        set_field(b, "data", "x" * 1300)
        b.wait(lambda: b.el("make-error").is_displayed(), "the capacity error")
        b.js("document.getElementById('make').scrollIntoView()")
        time.sleep(0.3)
        b.driver.save_screenshot(str(out / f"error-{name}.png"))
        set_field(b, "data", "fits")
        b.wait(lambda: not b.el("make-error").is_displayed(), "the error to clear")
        choose_kind(b, "wifi")
        type_into(b, "wifi-ssid", "Café guests")
        type_into(b, "wifi-password", "welcome-2026")
        logo = Path(b.profile.name) / "logo.png"
        logo.write_bytes(logo_png())
        b.el("logo").send_keys(str(logo))
        b.wait(lambda: "With the logo." in b.el("make-status").text, "the Wi-Fi code with a logo")
        # On a phone the preview sits under the form: show the code and the last fields.
        b.js("document.getElementById(arguments[0]).scrollIntoView({block: 'end'})",
             "make" if name == "desktop" else "make-status")
        time.sleep(0.3)
        b.driver.save_screenshot(str(out / f"wifi-logo-{name}.png"))
        b.open("/docs")
        b.wait(lambda: b.el("doc").get_attribute("aria-busy") == "false", "docs")
        b.driver.save_screenshot(str(out / f"docs-{name}.png"))
        b.finish(allowed_console=["status of 413"])


FLOWS = {
    "make": flow_make, "upload": flow_upload, "paste": flow_paste, "camera": flow_camera,
    "keyboard": flow_keyboard, "errors": flow_errors, "docs": flow_docs, "logo": flow_logo,
    "builders": flow_builders, "append": flow_append, "symbology": flow_symbology,
    "screenshots": flow_screenshots,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--flow", required=True, choices=sorted(FLOWS))
    parser.add_argument("--video", help="a .y4m file for the fake camera")
    parser.add_argument("--video-text", default="", help="what the code in --video says")
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    FLOWS[args.flow](args)


if __name__ == "__main__":
    main()
