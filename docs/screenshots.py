"""Refresh the screenshots of the README and docs/web-ui.md: start `kb app` on a free port, open the search and theme
pages in Debian's chromium (Playwright) and save docs/screenshots/{search,theme,evidence-map}.png.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ui_speed import ARGS, CHROMIUM, start_app, stop_app, wait_healthy  # noqa: E402

from kb.sparql.upstream import free_port  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = start_app(ROOT, port)
    try:
        wait_healthy(url)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1050})
            shots = [
                ("search", f"{url}/?q=does+geographical+proximity+still+matter+for+innovation", "Results for"),
                ("theme", f"{url}/themes?id=local-buzz", "Claims ("),
                ("evidence-map", f"{url}/evidence_map?row=death-of-distance&col=conceptual", "gaps"),
            ]
            for name, address, marker in shots:
                page.goto(address, wait_until="networkidle")
                page.get_by_text(marker).first.wait_for(timeout=60000)
                page.wait_for_timeout(1500)
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(OUT / f"{name}.png")
            browser.close()
    finally:
        stop_app(app)


if __name__ == "__main__":
    main()
