"""The reports in a real browser: headless Chromium (Debian's), driven by Playwright.

Each page (the example's report, its de-identified twin, a comparison of three meetings)
must load with no console error and no request beyond the file itself, show every
section, and print to PDF with no figure taller than a page (so that `break-inside:
avoid` keeps each whole). A full-page screenshot of each is kept in
out/test-artifacts/ for a person to look at.

Without Chromium (`apt-get install chromium`, which `make test` does) these tests are
skipped, loudly; under `.ci/run` (POLYPHONY_REQUIRE_BROWSER=1) they fail instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

from polyphony.report.pdf import CHROMIUM_FLAGS, chromium
from tests.conftest import ROOT

pytestmark = pytest.mark.models  # the example's report comes from a real analysis

ARTIFACTS = ROOT / "out" / "test-artifacts"
REPORT_SECTIONS = ("voices", "roles", "timeline", "turns", "responsiveness", "reflecting",
                   "timecourse", "cards", "transcript", "flags", "methods")
A4_HEIGHT_PX = 1123  # 297 mm at 96 px per inch


@pytest.fixture(scope="module")
def browser():
    if chromium() is None:
        message = ("Chromium is not installed: the browser tests cannot run "
                   "(apt-get install chromium)")
        if os.environ.get("POLYPHONY_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    flags = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=flags)
        yield b
        b.close()


def check(browser, path, sections, name):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [path.as_uri()]
    for section in sections:
        assert page.locator(f"section#{section}").count() == 1, section
        assert page.locator(f"section#{section}").is_visible(), section
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.emulate_media(media="print")
    heights = page.eval_on_selector_all("svg, .card, table",
                                        "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and max(heights) < A4_HEIGHT_PX
    pdf = page.pdf(format="A4", path=str(ARTIFACTS / f"{name}.pdf"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    page.close()
    return page


def test_the_example_report_in_a_browser(browser, example_result):
    check(browser, example_result.files["report.html"], REPORT_SECTIONS, "report")


def test_the_shared_report_in_a_browser(browser, example_result, tmp_path):
    from polyphony.report.rebuild import report_results

    folder = tmp_path / "network-meeting"
    shutil.copytree(example_result.folder, folder)
    page = report_results(folder, redact=True)  # the example's manifest grants sharing
    check(browser, page, REPORT_SECTIONS, "report-deidentified")
    # The automatic run named no voice, yet the manifest's people are redacted: no one in
    # the roster is named anywhere on the shared page.
    from polyphony.report.redact import names_in, roster_names
    from polyphony.roster import load
    from tests.conftest import EXAMPLE

    people = load(EXAMPLE / "roster.toml").participants
    assert names_in([page.read_text()], roster_names(people)) == set()


def test_the_comparison_in_a_browser(browser, tmp_path):
    from polyphony.report.compare import compare
    from tests.helpers import results_folder

    folders = [results_folder(tmp_path / "runs", f"meeting-{i}") for i in range(3)]
    page = compare(folders, tmp_path / "compare.html")
    check(browser, page, ("share", "responded", "voices"), "compare")
