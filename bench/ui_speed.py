"""Web UI speed in a real browser (Debian's chromium via Playwright).

    python bench/ui_speed.py [--root DIR] [--cold-runs 3] [--queries 20] [--concurrent 10]

Measures, against `kb app` started fresh by this script:
- cold start: from launching `kb app` to the search page rendered in the browser (model and
  index loading included), median of --cold-runs starts;
- warm search: from pressing Enter to the results heading for that query, median and p95 over
  --queries searches in one page;
- concurrent: --concurrent browser pages searching at once against one app process, each
  running the query list; errors and p50/p95.
--root may point at a synthetic project (bench/synthetic.py output, built with `kb build`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.sparql.upstream import free_port  # noqa: E402

KB = str(Path(sys.executable).parent / "kb")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERIES = [
    "does geographical proximity still matter for innovation",
    "local buzz and global pipelines",
    "how do clusters connect to global value chains",
    "regional innovation system definition",
    "smart specialisation reference regions",
    "measuring innovation beyond R&D",
    "death of distance",
    "cross-border cooperation between regions",
    "reverse innovation in emerging markets",
    "tacit knowledge is sticky",
    "региональная инновационная система",
    "интернационализация кластеров",
    "рейтинг инновационного развития регионов",
    "глобальные производственные сети",
    "кластерная политика в России",
    "open innovation and regional knowledge capabilities",
    "agglomeration economies evidence",
    "strategic coupling of regions",
    "glocalization of innovation",
    "policy for peripheral regions",
]


def start_app(root: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [KB, "--root", str(root), "app", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ},
    )


def stop_app(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


def wait_healthy(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"kb app at {url} not healthy after {timeout:.0f} s")


async def search(page, query: str) -> float:
    box = page.get_by_label("Question or keywords, in English or Russian")
    await box.fill(query)
    started = time.perf_counter()
    await box.press("Enter")
    await page.get_by_text(f"Results for “{query}”").wait_for(timeout=60000)
    return time.perf_counter() - started


async def cold_start(browser, root: Path) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = start_app(root, port)
    try:
        wait_healthy(url)
        page = await browser.new_page()
        await page.goto(url)
        await page.get_by_text("What does the literature say?").wait_for(timeout=60000)
        elapsed = time.perf_counter() - started
        await page.close()
        return elapsed
    finally:
        stop_app(process)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=10)
    args = parser.parse_args()
    from playwright.async_api import async_playwright

    queries = (QUERIES * 10)[: args.queries]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        colds = [await cold_start(browser, args.root) for _ in range(args.cold_runs)]
        print(
            f"cold start to first render: median {statistics.median(colds):.2f} s  (runs: "
            + ", ".join(f"{c:.2f}" for c in colds)
            + ")"
        )

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_app(args.root, port)
        try:
            wait_healthy(url)
            page = await browser.new_page()
            await page.goto(url)
            await page.get_by_text("What does the literature say?").wait_for(timeout=60000)
            await search(page, "warm-up query about clusters")
            warm = [await search(page, q) for q in queries]
            print(
                f"warm search ({len(warm)} queries): median {statistics.median(warm) * 1000:.0f} ms, "
                f"p95 {sorted(warm)[int(0.95 * (len(warm) - 1))] * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms"
            )

            async def user(index: int) -> tuple[list[float], int]:
                context = await browser.new_context()
                tab = await context.new_page()
                times, errors = [], 0
                try:
                    await tab.goto(url)
                    await tab.get_by_text("What does the literature say?").wait_for(timeout=60000)
                    for query in queries[index:] + queries[:index]:
                        try:
                            times.append(await search(tab, query))
                        except Exception:
                            errors += 1
                finally:
                    await context.close()
                return times, errors

            started = time.perf_counter()
            outcomes = await asyncio.gather(*(user(i) for i in range(args.concurrent)))
            wall = time.perf_counter() - started
            all_times = sorted(t for times, _ in outcomes for t in times)
            errors = sum(e for _, e in outcomes)
            print(
                f"{args.concurrent} pages at once: {len(all_times)} searches in {wall:.1f} s, errors {errors}, "
                f"p50 {statistics.median(all_times) * 1000:.0f} ms, "
                f"p95 {all_times[int(0.95 * (len(all_times) - 1))] * 1000:.0f} ms"
            )
        finally:
            stop_app(process)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
