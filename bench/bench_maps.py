"""Benchmark the overview map for ledgers of 1k, 10k and 100k legs: canvas and WebGL.

For each size: a synthetic input folder (layers.synthetic) is loaded with
the real pipeline, the overview map is rendered twice -- legs on Leaflet's
canvas (``webgl="off"``) and with WebGL (``webgl="on"``, layers/webgl.py)
-- written, then opened offline in headless Chromium (the canvas path with
``--disable-gpu``, the WebGL path with SwiftShader: :data:`GL_ARGS`).
Reported per size and path:

- legs, HTML size (MB), seconds to render the HTML (the build of one map);
- ready: seconds from navigation start until the page says it is ready
  (``window.movemap.ready``: every leg built, filters applied, view fit),
  median of ``--runs`` fresh page loads; painted: until two animation
  frames later (``movemap.paintedAt``);
- pan: per pan, milliseconds from a programmatic 300-px pan
  (``panBy``, which ends with ``moveend``) to the second animation frame
  after it (the redrawn frame is on screen; two frames are ~33 ms even
  when nothing is drawn): median and worst of ten pans back and forth
  over drawn ground, then of ten pans that keep going the same way
  (every one onto new ground);
- filter: seconds to untick and re-tick every status (two full refreshes).

The load average is printed with the table: the machine is shared, so
compare the two paths within one run.

The window is 1366 x 768 (a common laptop screen).

Run:  python bench/bench_maps.py [--sizes 1000 10000 100000] [--runs 3] [--paths canvas webgl]
"""

from __future__ import annotations

import argparse
import os
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

#: WebGL in headless Chromium without a GPU: the same flags as the canvas
#: path (software compositing) with WebGL in SwiftShader.
GL_ARGS = [*ARGS, "--enable-unsafe-swiftshader"]

#: Browser window (CSS pixels).
VIEWPORT = {"width": 1366, "height": 768}

PAN_JS = """
async (oneWay) => {
  const m = movemap.state.map;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (oneWay) {
    // Two zoom levels in from the first view, at its west edge: ten pans east
    // cross the legs, each onto ground not drawn before.
    const b = m.getBounds();
    m.setView([b.getCenter().lat, b.getWest()], m.getZoom() + 2, {animate: false});
  }
  await frame();
  const each = [];
  for (let k = 0; k < 10; k++) {
    const t0 = performance.now();
    // Back and forth: right-down, left-down, ...; one way: always 300 px east.
    m.panBy(oneWay ? [300, 0] : [k % 2 ? -300 : 300, k % 2 ? -150 : 150], {animate: false});
    await frame();
    each.push(performance.now() - t0);
  }
  return each;
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
    context = browser.new_context(viewport=VIEWPORT)
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
    pans = page.evaluate(PAN_JS, False)
    onward = page.evaluate(PAN_JS, True)
    filt = page.evaluate(FILTER_JS)
    webgl = page.evaluate("movemap.webgl()")
    context.close()
    if outside:
        raise RuntimeError(f"page made network requests: {outside[:3]}")
    return {
        "ready": ready,
        "painted": painted,
        "pan": statistics.median(pans),
        "pan_max": max(pans),
        "onward": statistics.median(onward),
        "onward_max": max(onward),
        "filter": filt,
        "drawn": drawn,
        "webgl": webgl,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--paths", nargs="+", choices=("canvas", "webgl"), default=["canvas", "webgl"]
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browsers = {
            name: pw.chromium.launch(
                executable_path=CHROMIUM, args=ARGS if name == "canvas" else GL_ARGS
            )
            for name in args.paths
        }
        for n in args.sizes:
            t0 = time.perf_counter()
            dataset = synthetic_dataset(Path(tmp) / f"data{n}", n_legs=n, seed=0)
            t_load = time.perf_counter() - t0
            for path_name, mode in (("canvas", "off"), ("webgl", "on")):
                if path_name not in browsers:
                    continue
                t0, c0 = time.perf_counter(), time.process_time()
                html = render_map(dataset, webgl=mode)
                t_render, c_render = time.perf_counter() - t0, time.process_time() - c0
                path = Path(tmp) / f"map{n}-{path_name}.html"
                path.write_text(html, encoding="utf-8")
                runs = [_open(browsers[path_name], path) for _ in range(args.runs)]
                assert all(r["drawn"] == runs[0]["drawn"] for r in runs)
                assert all(r["webgl"] == (mode == "on") for r in runs)
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "webgl"}
                rows.append(
                    (n, path_name, path.stat().st_size / 1e6, t_load, t_render, c_render, med)
                )
                each = ", ".join(f"{r['ready']:.2f}" for r in runs)
                print(
                    f"{n} legs, {path_name}: {rows[-1][2]:.1f} MB, render {t_render:.1f} s, "
                    f"ready {med['ready']:.2f} s (runs: {each}), pan {med['pan']:.0f} ms, "
                    f"onward {med['onward']:.0f} ms",
                    flush=True,
                )
        for b in browsers.values():
            b.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(f"load average (1, 5, 15 min) at the end: {load}")
    print()
    print(
        "| legs | path | drawn | HTML MB | load data s | render HTML s (CPU s) | ready s "
        "| painted s | pan ms median / worst | onward pan ms median / worst | filter s |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, name, mb, t_load, t_render, c_render, m in rows:
        print(
            f"| {n:,} | {name} | {int(m['drawn']):,} | {mb:.1f} | {t_load:.1f} "
            f"| {t_render:.1f} ({c_render:.1f}) | {m['ready']:.2f} | {m['painted']:.2f} "
            f"| {m['pan']:.0f} / {m['pan_max']:.0f} | {m['onward']:.0f} / {m['onward_max']:.0f} "
            f"| {m['filter']:.2f} |"
        )


if __name__ == "__main__":
    main()
