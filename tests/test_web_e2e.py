"""End to end: `compliance serve` started as a user starts it, driven in Debian's Chromium.

A designer uploads a bundled sample, waits for the verdict, clicks a finding and sees exactly its
elements highlighted in the 3D view, and downloads the PDF; a reviewer signs off and the
registry has it; malformed uploads get an error page and the app goes on serving. Screenshots
of every page go to out/screenshots/.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from browser import launch_chromium
from web_server import ROOT, Server, sample_zip

SHOTS = ROOT / "out" / "screenshots"
SAMPLE = "fail-office"
EXPECTED = {"pass": "compliant", "fail": "non_compliant", "incomplete": "incomplete"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("web"), "--max-upload-mb", "2") as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def upload(page, server, files: list[Path]) -> None:
    page.goto(server.url)
    page.set_input_files("#files", [str(f) for f in files])
    page.click("button[type=submit]")


def self_check(page, server, tmp_path, sample: str = SAMPLE) -> int:
    upload(page, server, [sample_zip(sample, tmp_path)])
    page.wait_for_url(re.compile(r".*/checks/\d+$"), timeout=180_000)
    return int(page.url.rsplit("/", 1)[1])


def test_designer_self_checks_and_sees_the_findings_elements_in_3d(page, server, tmp_path):
    upload(page, server, [sample_zip(SAMPLE, tmp_path)])
    page.wait_for_selector("#job progress")
    shot(page, "1-progress")
    page.wait_for_url(re.compile(r".*/checks/\d+$"), timeout=180_000)
    check_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_attribute("#verdict", "data-verdict") == EXPECTED[SAMPLE.split("-")[0]]

    verdict = json.loads(page.request.get(f"{server.url}checks/{check_id}/report.json").body())
    open_rules = [r for r in verdict["results"] if r["status"] == "fail"
                  and any(e["global_ids"] for e in r["evidence"])]
    assert open_rules, "the sample must have a failing rule that cites elements"
    rule = open_rules[0]
    cited = {g for e in rule["evidence"] for g in e["global_ids"]}

    # attribute selectors, not wait_for_function: the app's CSP forbids the eval() Playwright polls with
    page.wait_for_selector("#viewer[data-state='ready']", timeout=90_000)
    page.click(f"#finding-{rule['rule']} .finding-head")
    page.wait_for_selector("#viewer[data-highlighted]")
    highlighted = set(page.get_attribute("#viewer", "data-highlighted").split())
    missing = set((page.get_attribute("#viewer", "data-missing") or "").split())
    shown = set(page.evaluate("window.__viewer ? window.__viewer.highlighted() : []"))
    in_view = set()
    for m in verdict["models"]:
        in_view |= set(json.loads(server.view_sidecar(m["sha256"]).read_text())["global_ids"])
    assert highlighted, "no element of the finding was highlighted"
    assert highlighted == cited & in_view
    assert missing == cited - in_view
    assert shown == highlighted                   # what the scene shows, not only what was asked
    assert "highlighted" in page.inner_text("#viewer-status")
    shot(page, "2-result-highlighted")

    one = sorted(highlighted)[0]                  # one element of the finding, from its element table
    page.click(f"#finding-{rule['rule']} details.elements summary")
    page.click(f"#finding-{rule['rule']} tr.element[data-guid='{one}']")
    page.wait_for_selector(f"#viewer[data-highlighted='{one}']")
    assert page.evaluate("window.__viewer.highlighted()") == [one]

    with page.expect_download() as info:
        page.click("#download-pdf")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert verdict["submission"]["id"] in text


def test_reviewer_signs_off_from_the_queue(page, server, tmp_path):
    from compliance.registry.store import Registry

    check_id = self_check(page, server, tmp_path)
    page.goto(f"{server.url}queue?signed=no")
    row = page.locator(f"#queue tr[data-check='{check_id}']")
    assert row.count() == 1
    shot(page, "3-queue")
    row.locator("a", has_text="open").click()
    page.fill("input[name=reviewer]", "王审查 Wang <b>")
    page.select_option("select[name=decision]", "approved")
    page.fill("textarea[name=comment]", "屋面光伏面积请补充计算书 — add the PV area calculation")
    page.click(".signoff-form button[type=submit]")
    page.wait_for_selector("table.signoffs tr.latest")
    assert "王审查 Wang <b>" in page.inner_text("table.signoffs tr.latest")    # shown as text, not markup
    shot(page, "4-signed")

    registry = Registry(server.db, create=False)
    stored = registry.signoffs(check_id=check_id)
    registry.close()
    assert [(s.reviewer, s.decision) for s in stored] == [("王审查 Wang <b>", "approved")]
    page.goto(f"{server.url}queue?signed=yes")
    assert "王审查" in page.inner_text(f"#queue tr[data-check='{check_id}'] .signed")
    pdf = page.request.get(f"{server.url}checks/{check_id}/report.pdf").body()
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())           # table cells wrap
    assert "王审查 Wang <b>" in text and "add the PV area calculation" in text


def test_history_diff_rules_and_district_pages(page, server, tmp_path):
    first = self_check(page, server, tmp_path)
    second = self_check(page, server, tmp_path / "b", sample=SAMPLE + ":edited")
    assert second != first
    assert "Since check" in page.inner_text("#since-last")     # the designer sees what the re-check changed
    link = page.get_attribute("#since-last a", "href")
    assert f"from={first}" in link and f"to={second}" in link
    verdict = json.loads(page.request.get(f"{server.url}checks/{second}/report.json").body())
    sid = verdict["submission"]["id"]
    page.goto(f"{server.url}submissions/{sid}")
    assert page.locator(f"#history tr[data-check='{second}']").count() == 1
    shot(page, "5-history")
    page.locator(f"#history tr[data-check='{second}'] a", has_text="diff").click()
    assert f"→ {second}" in page.inner_text("h1")
    shot(page, "6-diff")
    page.goto(f"{server.url}rules")
    assert page.locator("#rules tbody tr").count() >= 20
    shot(page, "7-rules")
    page.goto(f"{server.url}rules/PV-1")
    assert "Scenario" in page.inner_text(".gherkin >> nth=0")
    shot(page, "8-rule")
    page.goto(f"{server.url}district")
    frame = page.frame_locator("iframe.dashboard")
    frame.locator("body").wait_for()
    assert page.locator("#targets tbody tr").count() >= 1
    shot(page, "9-district")


def test_malformed_uploads_get_an_error_page_and_the_app_goes_on(page, server, tmp_path):
    not_zip = tmp_path / "model.zip"
    not_zip.write_text("this is not a zip")
    upload(page, server, [not_zip])
    assert "not a zip archive" in page.inner_text(".error-page")
    shot(page, "10-not-a-zip")

    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(sample_zip(SAMPLE, tmp_path)) as src, zipfile.ZipFile(slip, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("../../outside.ifc", b"ISO-10303-21;")
    upload(page, server, [slip])
    assert "points outside the submission folder" in page.inner_text(".error-page")
    assert not list(server.data.parent.rglob("outside.ifc"))

    evil = tmp_path / "<img src=x onerror=alert(1)>.ifc"
    evil.write_bytes(b"ISO-10303-21;")
    upload(page, server, [evil, ROOT / "ifc_samples" / SAMPLE / "submission.yaml"])
    assert "<img src=x onerror=alert(1)>" in page.inner_text(".error-page")
    assert page.locator(".error-page img").count() == 0

    broken = sample_zip(SAMPLE, tmp_path / "y", yaml_edit=("\nname:", "\nname: [unclosed\nx:"))
    upload(page, server, [broken])
    page.wait_for_selector(".failure .message", timeout=120_000)
    message = page.inner_text(".failure")
    assert "fail-office/submission.yaml:" in message and "What to do" in message
    assert "jobs/" not in message                       # named as uploaded, not by the server's folder
    shot(page, "11-broken-yaml")

    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as out:
        out.writestr("submission.yaml", io.BytesIO(bytes(range(256)) * 12_000).getvalue())
    upload(page, server, [big])
    assert "larger than 2 MB" in page.inner_text("body")
    shot(page, "12-too-large")

    page.goto(server.url)
    assert page.locator("#files").count() == 1           # still serving


def test_a_reviewer_opens_a_batch_checked_submission_and_prepares_its_3d_view(page, server, tmp_path):
    """Checks stored by `compliance batch` have no 3D view yet: the page offers to make one from
    the models where they were checked."""
    import shutil
    import sys

    folder = tmp_path / "filed" / "pass-school"
    shutil.copytree(ROOT / "ifc_samples" / "pass-school", folder)
    done = subprocess.run([str(Path(sys.executable).parent / "compliance"), "batch", str(folder.parent),
                           "--db", server.db, "-o", str(tmp_path / "verdicts"), "--format", "json", "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page.goto(f"{server.url}queue?verdict=compliant")
    page.locator("#queue tr", has_text="YP-2025-0012").locator("a", has_text="open").click()
    assert "not ready" in page.inner_text("#viewer-card")
    page.click("#viewer-card button")
    page.wait_for_selector("#viewer[data-state='ready']", timeout=120_000)
    shot(page, "13-batch-check-3d")
