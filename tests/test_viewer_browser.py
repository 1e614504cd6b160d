"""The 3D viewer bundle (compliance/web/static/build/viewer.js) in Debian's headless Chromium:
real glb files converted from a sample, served over HTTP from a temporary folder, driven through
the page's API and checked on the screen's pixels."""

from __future__ import annotations

import functools
import io
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from browser import launch_chromium
from PIL import Image
from playwright.sync_api import sync_playwright

from compliance.web.model3d import convert_model

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "compliance" / "web" / "static" / "build" / "viewer.js"
SUBMISSION = ROOT / "ifc_samples" / "fail-office"
ROOF = "1NscpavsLNWxWRHIw6bBOD"                  # architecture.ifc: the roof slab PV-2 cites
PANEL = "0jp8KzNajMkRtA_EWKSt$$"                 # mep.ifc: a PV panel ('$' and '_' in its GlobalId)
UNKNOWN = "3xNoSuchElement000000$"

PAGE = """<!doctype html><meta charset="utf-8"><title>viewer</title>
<style>body{margin:0} #view{width:800px;height:600px}</style>
<div id="view"></div>
<script src="viewer.js"></script>
<script>
  window.errors = [];
  window.addEventListener("error", (e) => window.errors.push(String(e.message)));
  window.picks = [];
  const view = document.getElementById("view");
  view.addEventListener("element-picked", (e) => window.picks.push(e.detail.globalId));
  const urls = (new URLSearchParams(location.search).get("models") || "architecture.glb,mep.glb").split(",");
  window.mounted = ComplianceViewer.mount(view, urls).then((v) => { window.viewer = v; return "ready"; },
                                                         (e) => String(e.message || e));
</script>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """http://127.0.0.1:PORT/ serving the page, the bundle and the two models' glb files."""
    if not BUNDLE.is_file():
        pytest.fail(f"{BUNDLE} is missing: build it with scripts/build_viewer.sh (make test runs it)")
    folder = tmp_path_factory.mktemp("site")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    shutil.copyfile(BUNDLE, folder / "viewer.js")
    for name in ("architecture", "mep"):
        view = convert_model(SUBMISSION / f"{name}.ifc", folder / f"{name}.glb")
        assert view.ok, view.message
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, site):
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.goto(site + "index.html")
    assert page.evaluate("window.mounted") == "ready", page.evaluate("document.getElementById('view').dataset.error")
    yield page
    assert page.evaluate("window.errors") == []
    page.close()


def data(page) -> dict:
    return page.evaluate("({...document.getElementById('view').dataset})")


def pixels(page, name: str) -> Image.Image:
    """A screenshot of the view (also kept as /tmp/viewer-NAME.png to look at)."""
    png = page.locator("#view").screenshot()
    Path(f"/tmp/viewer-{name}.png").write_bytes(png)
    return Image.open(io.BytesIO(png)).convert("RGB")


def orange(image: Image.Image) -> int:
    """Pixels of the highlight colour: strong red, middling green, little blue."""
    r, g, b = np.asarray(image, dtype=int).transpose(2, 0, 1)
    return int(((r > 200) & (g > 60) & (g < 200) & (b < 90) & (r - b > 150)).sum())


def not_background(image: Image.Image) -> int:
    """Pixels that differ from the viewer's background colour (#f3f4f6)."""
    return int((np.abs(np.asarray(image, dtype=int) - [0xf3, 0xf4, 0xf6]).max(axis=2) > 12).sum())


def test_webgl_renders_in_headless_chromium(browser):
    page = browser.new_page()
    colour = page.evaluate("""() => {
        const gl = document.createElement("canvas").getContext("webgl2");
        if (!gl) return null;
        gl.clearColor(1, 0.5, 0, 1); gl.clear(gl.COLOR_BUFFER_BIT);
        const px = new Uint8Array(4); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
        return Array.from(px); }""")
    page.close()
    assert colour is not None, "no WebGL: see the arguments in tests/browser.py"
    assert colour[0] == 255 and 126 <= colour[1] <= 129 and colour[2] == 0


def test_the_models_load_and_are_drawn(page):
    state = data(page)
    assert state["state"] == "ready" and "error" not in state
    assert "highlighted" not in state and "missing" not in state      # until the first highlight()
    assert page.evaluate("ComplianceViewer.version") == "1.0.0"
    image = pixels(page, "loaded")
    assert not_background(image) > 0.05 * image.width * image.height, "the model is visible"
    assert orange(image) == 0


def test_highlight_shows_the_cited_elements_and_names_the_missing(page):
    result = page.evaluate(f"viewer.highlight({[PANEL, ROOF, UNKNOWN, ROOF]!r})")
    assert result == {"found": sorted([PANEL, ROOF]), "missing": [UNKNOWN]}
    state = data(page)
    assert state["highlighted"] == " ".join(sorted([PANEL, ROOF]))
    assert state["missing"] == UNKNOWN
    assert page.evaluate("viewer.highlighted()") == sorted([PANEL, ROOF])
    # everything else translucent grey, the found ones opaque
    others = page.evaluate("""viewer.meshes.filter((m) => !viewer.highlighted().includes(m.userData.globalId))
                              .map((m) => [m.material.transparent, m.material.opacity])""")
    assert len(others) > 40 and all(t and o < 0.5 for t, o in others)
    image = pixels(page, "highlighted")
    assert orange(image) > 2000, "the highlighted roof and panel are orange on the screen"

    page.evaluate("viewer.clear()")
    state = data(page)
    assert state["highlighted"] == "" and state["missing"] == ""
    assert page.evaluate("viewer.highlighted()") == []
    assert orange(pixels(page, "cleared")) == 0


def test_only_real_globalids_match(page):
    """Not a prefix, not the sanitised name three.js gives a node: the GlobalId as written."""
    result = page.evaluate(f"viewer.highlight({[PANEL[:-1], PANEL.replace('$', '')]!r})")
    assert result["found"] == [] and data(page)["highlighted"] == ""
    assert page.evaluate("viewer.highlighted()") == []


def test_a_click_picks_the_element_under_the_pointer(page):
    page.evaluate(f"viewer.highlight([{ROOF!r}])")
    # the screen point of the roof's centre, seen from above: nothing opaque is in front of it
    x, y = page.evaluate(f"""() => {{
        const mesh = viewer.meshes.find((m) => m.userData.globalId === {ROOF!r});
        mesh.geometry.computeBoundingBox();
        const p = mesh.geometry.boundingBox.getCenter(mesh.position.clone()).applyMatrix4(mesh.matrixWorld).project(viewer.camera);
        const r = viewer.renderer.domElement.getBoundingClientRect();
        return [r.left + (p.x + 1) / 2 * r.width, r.top + (1 - p.y) / 2 * r.height]; }}""")
    page.mouse.click(x, y)
    assert data(page)["picked"] == ROOF
    assert page.evaluate("window.picks") == [ROOF]
    page.mouse.click(3, 3)                            # the background: nothing picked
    assert page.evaluate("window.picks") == [ROOF]


def test_a_model_that_does_not_load_is_an_error_state(browser, site):
    page = browser.new_page()
    page.goto(site + "index.html?models=architecture.glb,gone.glb")
    message = page.evaluate("window.mounted")
    state = data(page)
    page.close()
    assert state["state"] == "error"
    assert "gone.glb could not be loaded" in state["error"] and message == state["error"]


def test_without_webgl_the_page_is_told(playwright, site):
    chromium = launch_chromium(playwright, args=["--disable-software-rasterizer"])   # no software GL
    try:
        page = chromium.new_page()
        page.goto(site + "index.html")
        page.evaluate("window.mounted")
        state = data(page)
    finally:
        chromium.close()
    assert state["state"] == "error" and "WebGL is not available" in state["error"]
