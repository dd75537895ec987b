"""End to end in a real headless Chromium (Debian's, driven by Playwright): start `kb app`, search,
open a theme and a claim, and save screenshots under test-output/browser/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from kb.sparql.upstream import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)


@pytest.fixture(scope="module")
def app_url(real_project):
    port = free_port()
    environment = {**os.environ, "KB_BUILD_DIR": str(real_project.build)}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "kb"), "--root", str(ROOT), "app", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode())
    else:
        process.kill()
        raise AssertionError("kb app did not become healthy in 120 s")
    yield url
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield tab
        browser.close()


def test_search_theme_and_claim_in_a_real_browser(app_url, page):
    page.goto(app_url, wait_until="networkidle")
    box = page.get_by_label("Question or keywords, in English or Russian")
    box.fill("does geographical proximity still matter when communication is cheap?")
    box.press("Enter")
    page.get_by_text("results, best first").wait_for(timeout=30000)
    assert "q=" in page.url  # the search is in the URL, so it can be shared
    page.get_by_role("link", name="Open claim").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=False)
    body = page.inner_text("body")
    assert "Cairncross" in body or "distance" in body.lower()
    with page.expect_download() as download:
        page.get_by_role("button", name="BibTeX").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.count("@") >= 3 and "title = " in exported

    page.goto(f"{app_url}/themes?id=local-buzz", wait_until="networkidle")
    page.get_by_role("heading", name="Local buzz").wait_for(timeout=30000)
    page.get_by_text("Claims (").first.wait_for()
    page.get_by_role("link", name="Open claim").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "theme.png"), full_page=False)

    page.get_by_role("link", name="Open claim").first.click()
    page.get_by_text("Curated by").wait_for(timeout=30000)
    assert "/claim" in page.url and "id=" in page.url
    page.screenshot(path=str(SCREENSHOTS / "claim.png"), full_page=False)


def test_russian_query_finds_evidence(app_url, page):
    page.goto(f"{app_url}/?q=глобальные+каналы+знаний", wait_until="networkidle")
    page.get_by_text("results, best first").wait_for(timeout=30000)
    assert "Bathelt" in page.inner_text("body")


def test_graph_page_draws_the_neighbourhood(app_url, page):
    page.goto(f"{app_url}/graph?theme=local-buzz", wait_until="networkidle")
    page.locator("svg .node").first.wait_for(timeout=30000)
    svg = page.locator("svg").filter(has=page.locator(".node")).first.inner_html()
    assert "Local buzz" in svg and "Knowledge flows" in svg
    page.screenshot(path=str(SCREENSHOTS / "graph.png"), full_page=False)
