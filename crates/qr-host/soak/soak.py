#!/usr/bin/env python3
"""Soak qr-host: steady load for a long time, sampling what must not grow.

Starts the release qr-host on loopback port 0 with the app's spin.toml, sends a steady mix of
requests (GET /generate, POST /generate JSON, POST /decode of a generated PNG) at --rate
requests/s from --workers threads, and every --interval seconds records the host's resident
memory (VmRSS), open file descriptors, threads, and the interval's request count, failures and
latency percentiles. At the end it stops the host with SIGTERM (it must exit 0) and writes a
Markdown report with the samples and the verdict: growth of RSS and descriptors between the
first and the last fifth of the run.

Not part of CI (it runs for --minutes, default 30). Standard library only.

    cargo build --release -p qr-host
    cargo build --release --target wasm32-wasip2 -p qr-generate -p qr-decode
    crates/qr-host/soak/soak.py --minutes 30 --out crates/qr-host/soak/results/$(date +%F).md
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=30.0, help="length of the run")
    p.add_argument("--rate", type=float, default=100.0, help="requests per second, all workers")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    p.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")))
    p.add_argument("--out", help="Markdown report path (default: stdout only)")
    p.add_argument("host_args", nargs="*", help="extra qr-host flags (after --)")
    return p.parse_args()


def start_host(args):
    binary = os.path.join(args.target_dir, "release", "qr-host")
    cmd = [binary, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", *args.host_args,
           os.path.join(ROOT, "spin.toml")]
    log = open(os.path.join(args.target_dir, "soak-qr-host.log"), "w")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    if "qr-host listening on http://" not in line:
        proc.kill()
        sys.exit(f"qr-host did not start: {line!r} (log: {log.name})")
    words = line.split()
    addr = words[3].removeprefix("http://")
    admin = words[5].removeprefix("http://")
    # Keep draining stdout so the host never blocks on it.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, addr, admin


def proc_sample(pid):
    status = open(f"/proc/{pid}/status").read()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kib = int(fields["VmRSS"].split()[0])
    threads = int(fields["Threads"])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kib * 1024, fds, threads


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.ok = 0
        self.failed = 0
        self.failures = []

    def record(self, seconds, ok, what=None):
        with self.lock:
            self.latencies.append(seconds)
            if ok:
                self.ok += 1
            else:
                self.failed += 1
                if len(self.failures) < 10:
                    self.failures.append(what)

    def take(self):
        with self.lock:
            out = (self.latencies, self.ok, self.failed)
            self.latencies, self.ok, self.failed = [], 0, 0
            return out


def worker(addr, png, pace, stop, stats, index):
    host, port = addr.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    requests = [
        ("GET", "/generate?" + urllib.parse.urlencode({"data": f"soak {index}"}), None, {}),
        ("POST", "/generate", json.dumps({"data": "https://example.com/soak"}),
         {"content-type": "application/json"}),
        ("POST", "/decode", png, {"content-type": "image/png"}),
    ]
    n = index
    next_start = time.monotonic()
    while not stop.is_set():
        delay = next_start - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_start += pace
        method, path, body, headers = requests[n % len(requests)]
        n += 1
        start = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            stats.record(time.monotonic() - start, response.status == 200,
                         f"{method} {path[:40]}: {response.status}")
        except (OSError, http.client.HTTPException) as e:
            stats.record(time.monotonic() - start, False, f"{method} {path[:40]}: {e!r}")
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=30)


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    args = parse_args()
    proc, addr, admin = start_host(args)
    host, port = addr.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/generate?data=soak")
    png = conn.getresponse().read()
    conn.close()

    stats = Stats()
    stop = threading.Event()
    pace = args.workers / args.rate
    threads = [threading.Thread(target=worker, args=(addr, png, pace, stop, stats, i), daemon=True)
               for i in range(args.workers)]
    for t in threads:
        t.start()

    samples = []
    started = time.monotonic()
    end = started + args.minutes * 60
    print("minute  rss_mib  fds  threads  requests  failed  p50_ms  p99_ms  max_ms", flush=True)
    while time.monotonic() < end:
        time.sleep(min(args.interval, max(0.0, end - time.monotonic())))
        latencies, ok, failed = stats.take()
        rss, fds, nthreads = proc_sample(proc.pid)
        row = {
            "minute": (time.monotonic() - started) / 60,
            "rss": rss, "fds": fds, "threads": nthreads,
            "requests": ok + failed, "failed": failed,
            "p50": percentile(latencies, 0.50) * 1000,
            "p99": percentile(latencies, 0.99) * 1000,
            "max": (max(latencies) if latencies else float("nan")) * 1000,
        }
        samples.append(row)
        print(f"{row['minute']:6.1f}  {rss / 2**20:7.1f}  {fds:3d}  {nthreads:7d}  {row['requests']:8d}"
              f"  {failed:6d}  {row['p50']:6.2f}  {row['p99']:6.2f}  {row['max']:6.1f}", flush=True)

    stop.set()
    for t in threads:
        t.join()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)

    fifth = max(1, len(samples) // 5)
    first, last = samples[:fifth], samples[-fifth:]
    med = lambda rows, key: statistics.median(r[key] for r in rows)
    total = sum(r["requests"] for r in samples)
    failed = sum(r["failed"] for r in samples)
    verdict = {
        "rss_first_mib": med(first, "rss") / 2**20,
        "rss_last_mib": med(last, "rss") / 2**20,
        "fds_first": med(first, "fds"),
        "fds_last": med(last, "fds"),
        "p99_first_ms": med(first, "p99"),
        "p99_last_ms": med(last, "p99"),
    }
    report = [
        f"# qr-host soak: {args.minutes:g} min at {args.rate:g} req/s ({args.workers} workers)",
        "",
        f"Mix: GET /generate, POST /generate (JSON), POST /decode (a {len(png)}-byte PNG), in turn. "
        f"Host flags: `{' '.join(args.host_args) or '(defaults)'}`. Machine: {os.cpu_count()} CPUs.",
        f"Requests {total}, failed {failed}; host exit code after SIGTERM: {code}.",
        "",
        "| | first fifth (median) | last fifth (median) |",
        "|---|---|---|",
        f"| RSS (MiB) | {verdict['rss_first_mib']:.1f} | {verdict['rss_last_mib']:.1f} |",
        f"| open fds | {verdict['fds_first']:.0f} | {verdict['fds_last']:.0f} |",
        f"| p99 latency (ms) | {verdict['p99_first_ms']:.2f} | {verdict['p99_last_ms']:.2f} |",
        "",
        "| minute | RSS MiB | fds | threads | requests | failed | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in samples:
        report.append(f"| {r['minute']:.1f} | {r['rss'] / 2**20:.1f} | {r['fds']} | {r['threads']} | "
                      f"{r['requests']} | {r['failed']} | {r['p50']:.2f} | {r['p99']:.2f} | {r['max']:.1f} |")
    if stats.failures:
        report += ["", "First failures: " + "; ".join(stats.failures)]
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    sys.exit(0 if code == 0 and failed == 0 else 1)


if __name__ == "__main__":
    main()
