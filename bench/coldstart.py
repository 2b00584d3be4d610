"""Cold-start cost of each Lambda zip: its size and the import time of its handler + app.

For each `dist/dev_<function>.zip` (built by `make package`), a fresh `python -I -S` interpreter
that sees only the unzipped package and a boto3-only runtime folder imports Zappa's handler and
builds its LambdaHandler (which imports the function's Flask app), exactly as a cold Lambda does.
A bare one-route Flask app, placed in the same unzipped package, is measured the same way; the ratio
is ours / bare. Budgets: zip <= 10 MB, ratio <= 1.5.

Usage: .venv/bin/python bench/coldstart.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("account", "submit", "status", "pay")
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
ZIP_BUDGET = 10 * 1000 * 1000
RATIO_BUDGET = 1.5

PROBE = """
import os, sys, time
pkg, runtime = sys.argv[1], sys.argv[2]
sys.path[:0] = [pkg, runtime]
os.chdir(pkg)
start = time.perf_counter()
import handler
handler.LambdaHandler(sys.argv[3])
print((time.perf_counter() - start) * 1000)
"""

BARE_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/health")
def health():
    return {"status": "ok"}
"""


def _runtime_dir(tmp: Path) -> Path:
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    runtime = tmp / "runtime"
    runtime.mkdir()
    for name in RUNTIME_PACKAGES:
        (runtime / name).symlink_to(site / name)
    return runtime


def _import_ms(pkg: Path, runtime: Path, settings: str, runs: int) -> float:
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "ap-southeast-1"}
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, str(pkg), str(runtime), settings],
                             capture_output=True, text=True, env=env, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _add_bare_app(pkg: Path) -> str:
    """Write a bare Flask app and a settings module for it into the unzipped package."""
    (pkg / "bare_app.py").write_text(BARE_APP)
    settings = (pkg / "zappa_settings.py").read_text()
    settings = settings.replace(settings.split("APP_MODULE=")[1].split("\n")[0], "'bare_app'")
    (pkg / "bare_settings.py").write_text(settings)
    return "bare_settings"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        runtime = _runtime_dir(tmp)
        rows = []
        for fn in FUNCTIONS:
            zpath = ROOT / "dist" / f"dev_{fn}.zip"
            if not zpath.exists():
                sys.exit(f"{zpath} is missing: run `make package` first")
            pkg = tmp / fn
            zipfile.ZipFile(zpath).extractall(pkg)
            ours = _import_ms(pkg, runtime, "zappa_settings", args.runs)
            bare = _import_ms(pkg, runtime, _add_bare_app(pkg), args.runs)
            rows.append((fn, zpath.stat().st_size, ours, bare))
    print(f"{'function':<9} {'zip bytes':>10} {'zip MB':>7} {'handler ms':>11} {'bare ms':>8} {'ratio':>6}  budget")
    for fn, size, ours, bare in rows:
        ok = size <= ZIP_BUDGET and ours / bare <= RATIO_BUDGET
        print(f"{fn:<9} {size:>10} {size / 1e6:>7.2f} {ours:>11.1f} {bare:>8.1f} {ours / bare:>6.2f}  "
              f"{'met' if ok else 'MISSED'}")
    print(f"(median of {args.runs} fresh interpreters each; budgets: zip <= 10 MB, ratio <= {RATIO_BUDGET})")


if __name__ == "__main__":
    main()
