"""The html audit report in a real headless Chromium (Debian's ``chromium``; .ci/run installs it).

Chromium renders the file, takes a screenshot and dumps the DOM it built. Every
HTTP(S) request it could make is routed to a recording proxy on loopback (the
bypass list is emptied so even loopback goes through it), so "no request leaves
the file" is measured, not assumed.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import threading

import pytest
from audit_trail import make_trail

pytestmark = [pytest.mark.local_only, pytest.mark.slow]

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("needs Debian's chromium (apt-get install chromium); CI installs it")
    return path


class RecordingProxy:
    """Accepts connections on a free loopback port and records the first bytes of each."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.requests.append(conn.recv(4096))
            except OSError:
                self.requests.append(b"?")
            conn.close()

    def close(self) -> None:
        self.sock.close()


# Chromium's own service hosts (network time, variations): it calls them whatever page it shows
BROWSER_OWN = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")


def _page_requests(requests: list[bytes]) -> list[str]:
    """The requested URLs/hosts that did not come from Chromium itself."""
    out = []
    for raw in requests:
        line = raw.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        target = parts[1] if len(parts) > 1 else line
        host = target.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if not host.endswith(BROWSER_OWN):
            out.append(target)
    return out


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def test_html_report_renders_offline_in_chromium(cli, tmp_path):
    chromium = _chromium()
    trail = make_trail(cli, tmp_path)
    report = tmp_path / "model.html"
    assert cli("audit", "model", trail["m2"], "--format", "html", "-o", report).exit_code == 0
    doc = cli.json("audit", "model", trail["m2"], "--format", "json")

    proxy = RecordingProxy()
    try:
        common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                  f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>"]
        shot = tmp_path / "report.png"
        res = _run([*common, "--window-size=1280,2000", f"--screenshot={shot}", report.as_uri()])
        assert shot.is_file(), res.stderr[-2000:]
        dom = _run([*common, "--dump-dom", report.as_uri()]).stdout
        from_report = _page_requests(proxy.requests)
        # the control: a page that does load something is caught by the same proxy
        probe = tmp_path / "probe.html"
        probe.write_text('<img src="http://probe.aiprov.invalid/pixel.png">')
        _run([*common, "--dump-dom", probe.as_uri()])
        from_probe = _page_requests(proxy.requests)
    finally:
        proxy.close()

    # a real picture of a real page: a PNG of the requested size
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 2000) and len(png) > 30_000
    # the DOM Chromium built holds every root and one SVG node per lineage item
    for node in doc["lineage"]["nodes"]:
        assert node["root"] in dom
        assert f'data-key="{node["key"]}"' in dom
    assert dom.count('<g class="node') == len(doc["lineage"]["nodes"])
    assert dom.count('<g class="node revoked"') == len(doc["lineage"]["revoked"])
    assert doc["header"]["sha256"] in dom
    assert from_report == []  # nothing left the file
    assert any("probe.aiprov.invalid" in r for r in from_probe), from_probe
