"""Package fixtures: the zips from `make package`, moto as a real server, a boto3-only runtime."""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
# What the Lambda python3.11 runtime itself provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


def _newest_source() -> float:
    paths = [*ROOT.joinpath("functions").rglob("*"), *ROOT.joinpath("infra", "lambda").rglob("*"),
             ROOT / "requirements.txt", ROOT / "zappa_settings.json", ROOT / "Makefile"]
    return max(p.stat().st_mtime for p in paths if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="session")
def lambda_zip() -> Callable[[str], Path]:
    """Path of a function's dev zip, rebuilt with `make package` when sources are newer."""
    stages = [DIST / f"dev_{fn}.zip" for fn in ("account", "submit", "status", "pay")]
    if not all(z.exists() for z in stages) or min(z.stat().st_mtime for z in stages) < _newest_source():
        subprocess.run(["make", "package"], cwd=ROOT, check=True)
    return lambda function: DIST / f"dev_{function}.zip"


@pytest.fixture(scope="session")
def unzipped(lambda_zip, tmp_path_factory) -> Callable[[str], Path]:
    """A function's zip extracted into its own folder (once per session)."""
    done: dict[str, Path] = {}

    def extract(function: str) -> Path:
        if function not in done:
            target = tmp_path_factory.mktemp(f"lambda-{function}")
            zipfile.ZipFile(lambda_zip(function)).extractall(target)
            done[function] = target
        return done[function]

    return extract


@pytest.fixture(scope="session")
def lambda_runtime(tmp_path_factory) -> Path:
    """A folder holding only boto3 and its dependencies, like the Lambda runtime."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    runtime = tmp_path_factory.mktemp("lambda-runtime")
    for name in RUNTIME_PACKAGES:
        (runtime / name).symlink_to(site / name)
    return runtime


@pytest.fixture(scope="session")
def package_env() -> Iterator[dict[str, str]]:
    """moto's threaded server with the template deployed as stage `dev` (the zips bake that stage)."""
    from moto.server import ThreadedMotoServer

    from functions.local import emulator, free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        outputs = emulator.deploy("motcua-dev", {"Stage": "dev"}, "ap-southeast-1", endpoint)
        yield {"MOTCUA_DOCUMENTS_BUCKET": outputs["DocumentsBucketName"],
               "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "ap-southeast-1",
               "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "LANG": "C.UTF-8",
               "MOTCUA_SESSION_SECRET": "package-test-secret-0123456789abcdefghijklmnop"}
    finally:
        server.stop()
