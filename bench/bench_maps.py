"""Benchmark the overview map for ledgers of 1k, 10k and 100k legs.

For each size: a synthetic input folder (layers.synthetic) is loaded with
the real pipeline, the overview map is rendered and written, then opened
offline in headless Chromium.  Reported per size:

- legs, HTML size (MB), seconds to load the data and to render the HTML;
- ready: seconds from navigation start until the page says it is ready
  (``window.movemap.ready``: every leg built, filters applied, view fit),
  median of ``--runs`` fresh page loads; painted: until two animation
  frames later (``movemap.paintedAt``; the canvas draws on a frame);
- pan: seconds for ten 300-px pans (each waits for the canvas redraw);
- filter: seconds to untick and re-tick every status (two full refreshes).

Run:  python bench/bench_maps.py [--sizes 1000 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from layers.maps import render_map
from layers.synthetic import synthetic_dataset

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

PAN_JS = """
async () => {
  const m = movemap.state.map;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t0 = performance.now();
  for (let k = 0; k < 10; k++) {
    m.panBy([k % 2 ? -300 : 300, 150], {animate: false});
    await frame();
  }
  return (performance.now() - t0) / 1000;
}
"""

FILTER_JS = """
async () => {
  const boxes = Array.from(document.querySelectorAll('input[data-group=status]'));
  const t0 = performance.now();
  boxes.forEach(b => { if (b.checked) b.click(); });
  boxes.forEach(b => { if (!b.checked) b.click(); });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return (performance.now() - t0) / 1000;
}
"""


def _open(browser, path: Path) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), timeout=600_000)
    page.wait_for_function("window.movemap && window.movemap.ready", timeout=600_000)
    ready = page.evaluate("movemap.readyAt") / 1000
    # First frame painted after ready (the page notes it after two frames).
    page.wait_for_function("movemap.paintedAt !== undefined", timeout=600_000)
    painted = page.evaluate("movemap.paintedAt") / 1000
    drawn = page.evaluate("movemap.drawnLegCount()")
    pan = page.evaluate(PAN_JS)
    filt = page.evaluate(FILTER_JS)
    context.close()
    if outside:
        raise RuntimeError(f"page made network requests: {outside[:3]}")
    return {"ready": ready, "painted": painted, "pan": pan, "filter": filt, "drawn": drawn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.sizes:
            t0 = time.perf_counter()
            dataset = synthetic_dataset(Path(tmp) / f"data{n}", n_legs=n, seed=0)
            t_load = time.perf_counter() - t0
            t0 = time.perf_counter()
            html = render_map(dataset)
            t_render = time.perf_counter() - t0
            path = Path(tmp) / f"map{n}.html"
            path.write_text(html, encoding="utf-8")
            runs = [_open(browser, path) for _ in range(args.runs)]
            assert all(r["drawn"] == runs[0]["drawn"] for r in runs)
            rows.append(
                (
                    n,
                    runs[0]["drawn"],
                    path.stat().st_size / 1e6,
                    t_load,
                    t_render,
                    statistics.median(r["ready"] for r in runs),
                    statistics.median(r["painted"] for r in runs),
                    statistics.median(r["pan"] for r in runs),
                    statistics.median(r["filter"] for r in runs),
                )
            )
            each = ", ".join(f"{r['ready']:.2f}" for r in runs)
            print(
                f"{n} legs: {rows[-1][2]:.1f} MB, ready {rows[-1][5]:.2f} s (runs: {each})",
                flush=True,
            )
        browser.close()
    print()
    print(
        "| legs | drawn | HTML MB | load data s | render HTML s | ready s | painted s "
        "| 10 pans s | filter s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r[0]:,} | {r[1]:,} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.2f} "
            f"| {r[6]:.2f} | {r[7]:.2f} | {r[8]:.2f} |"
        )


if __name__ == "__main__":
    main()
