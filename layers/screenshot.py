"""Screenshot a built map in headless Chromium (for the README).

Needs Playwright and a Chromium binary (test dependencies, not runtime
ones).  The page is opened offline: any request other than ``file:`` or
``data:`` is aborted, so the picture shows what a reader without network
sees.

Usage::

    python -m layers.screenshot maps/index.html docs/overview.png
    python -m layers.screenshot maps/ly-west-2019-03-01.html docs/zone.png
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "screenshot"]

#: Debian's Chromium (what CI installs).
CHROMIUM = "/usr/bin/chromium"
_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)


def screenshot(
    html: str | Path,
    png: str | Path,
    *,
    width: int = 1400,
    height: int = 900,
    executable: str = CHROMIUM,
) -> Path:
    """Open ``html`` offline, wait until the map is ready, save ``png``.

    Raises
    ------
    RuntimeError
        If the page logs an error or tries to reach the network.

    """
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    out = Path(png)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=list(_ARGS))
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                problems.append(f"network request: {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.goto(Path(html).resolve().as_uri())
        page.wait_for_function("window.movemap && window.movemap.ready", timeout=120_000)
        page.wait_for_timeout(300)  # let the canvas settle after fitBounds
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    if problems:
        raise RuntimeError("; ".join(problems))
    return out


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Screenshot a movemap HTML map.")
    parser.add_argument("html")
    parser.add_argument("png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    print(screenshot(args.html, args.png, width=args.width, height=args.height))


if __name__ == "__main__":  # pragma: no cover
    main()
