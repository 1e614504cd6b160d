"""Debian's Chromium for the end-to-end tests, through Playwright (no `playwright install`: no
browser download; scripts/bootstrap.sh installs the `chromium` package).

    from playwright.sync_api import sync_playwright
    from browser import launch_chromium

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
        ...
        browser.close()

Headless, with no GPU: WebGL runs on SwiftShader, Chromium's software renderer (ANGLE on its
Vulkan device). `--use-angle=swiftshader --enable-unsafe-swiftshader` ask for it explicitly:
Chromium refuses SwiftShader as an automatic WebGL fallback unless told it may use it, and
Playwright's own default arguments (which add the second flag today) are not relied on. Measured
with Chromium 156 and Playwright 1.65: WebGL 1 and 2 contexts render (a cleared canvas reads back
its colour); `--use-angle=gl` or `--disable-software-rasterizer` leave no WebGL at all, so neither
is used. tests/test_viewer_browser.py checks that WebGL works with these arguments.

Each launch gets a new empty user-data dir: Playwright's `launch` creates a fresh temporary
profile (`--user-data-dir=/tmp/playwright_chromiumdev_profile-*`) and deletes it on close (it
refuses a `--user-data-dir` argument; a profile of our own would need a persistent context,
which is not a Browser).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

ARGS = [
    "--no-sandbox",                 # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",                # no hardware GPU process: rendering in software
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",      # WebGL through ANGLE on SwiftShader (CPU)
    "--enable-unsafe-swiftshader",  # ... which Chromium otherwise refuses as a WebGL fallback
]


def launch_chromium(playwright, *, headless: bool = True, args: list[str] | None = None):
    """A Playwright Browser running /usr/bin/chromium, headless, with WebGL, in a new empty
    profile. `args` are added to ARGS. RuntimeError when Chromium is not installed."""
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: the end-to-end tests use Debian's Chromium; run "
                           "`make test` (scripts/bootstrap.sh installs the `chromium` package)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=headless,
                                      args=ARGS + list(args or []))
