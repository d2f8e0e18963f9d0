"""A report as PDF: the HTML page printed by headless Chromium, the same engine the
browser tests use, so that what prints is what was checked. Chromium is Debian's (`apt
install chromium`); without it, the page can still be printed from any browser."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from polyphony.errors import InputError
from polyphony.files import write_bytes

# Chromium's own background traffic off: nothing may leave the machine (docs/privacy.md).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-default-apps", "--no-first-run",
                  "--disable-extensions", "--disable-quic", "--no-pdf-header-footer")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(page: str, target: str | Path) -> Path:
    """Print the HTML `page` to `target`, written as every output is (`write_bytes`)."""
    target = Path(target)
    browser = chromium()
    if browser is None:
        raise InputError("a PDF needs Chromium, which is not installed", path=target,
                         hint="apt install chromium, or write --format html and print it "
                              "from a browser")
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(page, encoding="utf-8")
        pdf = Path(tmp) / "report.pdf"
        try:
            done = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
                                   f"--print-to-pdf={pdf}", html.as_uri()],
                                  capture_output=True, text=True, timeout=120)
            failed = None if done.returncode == 0 and pdf.is_file() else f"exit {done.returncode}"
        except (OSError, subprocess.TimeoutExpired) as exc:
            failed = type(exc).__name__
        if failed:
            raise InputError(f"Chromium could not print the report ({failed})", path=target,
                             hint="write --format html and print it from a browser")
        return write_bytes(target, pdf.read_bytes())
