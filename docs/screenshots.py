"""Refresh the README's screenshots: start `kb app` on a free port, open the search and theme
pages in Debian's chromium (Playwright) and save docs/screenshots/{search,theme,evidence-map}.png.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = subprocess.Popen([str(Path(sys.executable).parent / "kb"), "--root", str(ROOT), "app", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(600):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
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
        os.killpg(app.pid, 15)
        app.wait(timeout=30)


if __name__ == "__main__":
    main()
