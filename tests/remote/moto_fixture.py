"""A real S3 API server for tests: moto in server mode on a free loopback port.

Started as a subprocess (``python -m moto.server``), polled with the standard
library until it answers, and stopped by pid at teardown (SIGTERM, then
SIGKILL). The ``s3`` fixture (one server per test module) exports the standard
AWS configuration that aiprov, s3fs and boto3 read — ``AWS_ENDPOINT_URL`` and
test keys — so every command, in-process, a subprocess or a Dask worker
started afterwards, talks to it; nothing in aiprov is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chain"))
from anvil_fixture import free_port  # noqa: E402

_START_TIMEOUT = 20.0
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "aiprov-test-key-id",
    "AWS_SECRET_ACCESS_KEY": "aiprov-test-secret-never-printed",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "NO_PROXY": "127.0.0.1,localhost",
}


@dataclass
class MotoServer:
    proc: subprocess.Popen
    url: str

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url)

    def new_bucket(self) -> str:
        name = f"aiprov-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def upload_tree(self, root: Path, bucket: str, prefix: str) -> str:
        """Every file under ``root`` as ``s3://bucket/prefix/<relative path>``; returns that URL."""
        client = self.client()
        for path in sorted(root.rglob("*")):
            if path.is_file():
                key = f"{prefix}/{path.relative_to(root).as_posix()}"
                client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        return f"s3://{bucket}/{prefix}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def start_moto() -> MotoServer:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = MotoServer(proc, f"http://127.0.0.1:{port}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode} before answering")
        try:
            with opener.open(f"{server.url}/moto-api/", timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"moto server did not answer on {server.url} within {_START_TIMEOUT}s") from None
            time.sleep(0.05)


@pytest.fixture(scope="module")
def s3():
    """One moto S3 server per module, with the AWS environment pointing at it."""
    server = start_moto()
    with pytest.MonkeyPatch.context() as mp:
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            mp.delenv(var, raising=False)
        for var, value in {**TEST_ENV, "AWS_ENDPOINT_URL": server.url}.items():
            mp.setenv(var, value)
        try:
            yield server
        finally:
            server.stop()
