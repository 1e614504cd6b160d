"""End to end: `compliance serve` started as a user starts it, driven in Debian's Chromium, one
test per role of the office service.

A designer signs in, self-checks a bundled sample (private to the organisation), sees the
findings' elements highlighted in 3D, fixes the submission and files it; a reviewer finds the
filing in the queue and signs it off under their own account; an administrator reads each of
those steps in the audit log. Malformed uploads get an error page and the app goes on serving.
Screenshots of every page go to out/screenshots/.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from browser import launch_chromium
from web_server import ROOT, Server, sample_zip

SHOTS = ROOT / "out" / "screenshots"
SAMPLE = "fail-office"
EXPECTED = {"pass": "compliant", "fail": "non_compliant", "incomplete": "incomplete"}


PASSPHRASE = "e2e signing passphrase"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with the office's (self-signed, made by the command) signing certificate."""
    import os
    import sys

    folder = tmp_path_factory.mktemp("web")
    keys = folder / "keys"
    done = subprocess.run([str(Path(sys.executable).parent / "compliance"), "certs", "self-signed", "--office",
                           "杨浦区建设和管理委员会", "-o", str(keys)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, COMPLIANCE_SIGNING_PASSPHRASE=PASSPHRASE))
    assert done.returncode == 0, done.stderr
    p12 = next(keys.glob("*.p12"))
    with Server(folder, "--max-upload-mb", "2", "--signing-p12", str(p12),
                env={"COMPLIANCE_SIGNING_PASSPHRASE": PASSPHRASE}) as s:
        s.keys = keys
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


@pytest.fixture()
def designer(page, server):
    server.login(page, "li")
    return page


@pytest.fixture()
def reviewer(page, server):
    server.login(page, "wang")
    return page


def upload(page, server, files: list[Path]) -> None:
    page.goto(server.url)
    page.set_input_files("#files", [str(f) for f in files])
    page.click("#upload button[type=submit]")


def self_check(page, server, tmp_path, sample: str = SAMPLE) -> int:
    upload(page, server, [sample_zip(sample, tmp_path)])
    page.wait_for_url(re.compile(r".*/checks/\d+$"), timeout=180_000)
    return int(page.url.rsplit("/", 1)[1])


def test_designer_self_checks_and_sees_the_findings_elements_in_3d(designer, server, tmp_path):
    page = designer
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


FIX = [("gross_floor_area_m2: 12000.0", "gross_floor_area_m2: 10000.0"), ("roof_area_m2: 1170.0", "roof_area_m2: 900.0")]


def file_from_page(page) -> None:
    page.click("#file-button")
    page.wait_for_selector("#filing-state[data-filed='yes']")


def test_designer_self_checks_fixes_and_files(designer, server, tmp_path):
    """The first check is incomplete (declared figures disagree with the model) and no reviewer
    sees it; the corrected one is compliant, shows what was fixed, and is filed."""
    page = designer
    first = self_check(page, server, tmp_path, "incomplete-metadata-mismatch")
    assert page.get_attribute("#verdict", "data-verdict") == "incomplete"
    assert page.get_attribute("#filing-state", "data-filed") == "no"
    wang = server.session("wang")
    assert server.get(f"/checks/{first}", opener=wang)[0] == 404            # private to the organisation
    assert f"data-check=\"{first}\"" not in server.get("/queue", opener=wang)[1].decode()
    shot(page, "3-self-check-private")

    upload(page, server, [sample_zip("incomplete-metadata-mismatch", tmp_path / "fix", yaml_edit=FIX)])
    page.wait_for_url(re.compile(r".*/checks/\d+$"), timeout=180_000)
    fixed = int(page.url.rsplit("/", 1)[1])
    assert fixed != first and page.get_attribute("#verdict", "data-verdict") == "compliant"
    assert "fixed" in page.inner_text("#since-last")
    file_from_page(page)
    shot(page, "4-filed")
    assert f"data-check=\"{fixed}\"" in server.get("/queue", opener=wang)[1].decode()
    page.goto(server.url)
    assert "已提交 filed" in page.inner_text(f"#my-checks tr[data-check='{fixed}'] .state")


def filed_check(server, tmp_path, sample: str = SAMPLE) -> int:
    """A designer's check of `sample`, filed (through the same pages, without a browser)."""
    from urllib.parse import urlencode

    from office_accounts import csrf_of

    li = server.session("li")
    boundary = "----e2e"
    data = sample_zip(sample, tmp_path).read_bytes()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
            f"{csrf_of(server.get('/', opener=li)[1].decode())}\r\n--{boundary}\r\n"
            f"Content-Disposition: form-data; name=\"files\"; filename=\"{sample}.zip\"\r\n"
            "Content-Type: application/zip\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    status, _, headers = server.request("/check", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, li)
    assert status == 303
    job = headers["Location"].rsplit("/", 1)[1]
    import time

    deadline = time.time() + 180
    while time.time() < deadline:
        state = json.loads(server.get(f"/jobs/{job}/state", opener=li)[1])
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    check_id = state["check_id"]
    csrf = csrf_of(server.get(f"/checks/{check_id}", opener=li)[1].decode())
    status, _, _ = server.request(f"/checks/{check_id}/file", urlencode({"csrf": csrf}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"}, li)
    assert status == 303
    return check_id


def test_reviewer_signs_off_a_filing_under_their_own_account(reviewer, server, tmp_path):
    from compliance.registry.store import Registry

    page = reviewer
    check_id = filed_check(server, tmp_path)
    page.goto(f"{server.url}queue?signed=no")
    row = page.locator(f"#queue tr[data-check='{check_id}']")
    assert row.count() == 1
    shot(page, "5-queue")
    row.locator("a", has_text="open").click()
    assert page.locator("input[name=reviewer]").count() == 0           # the name is never typed
    assert "王审查 · 审查员" in page.inner_text("#signer")
    page.select_option("select[name=decision]", "revise")
    page.fill("textarea[name=comment]", "屋面光伏面积请补充计算书 — add the PV area calculation <b>")
    page.click(".signoff-form button[type=submit]")
    page.wait_for_selector("table.signoffs tr.latest")
    latest = page.inner_text("table.signoffs tr.latest")
    assert "王审查" in latest and "退回修改" in latest and "<b>" in latest     # shown as text, not markup
    shot(page, "6-signed")

    registry = Registry(server.db, create=False)
    stored = registry.signoffs(check_id=check_id)
    registry.close()
    assert [(s.reviewer, s.reviewer_account, s.decision) for s in stored] == [("王审查", "wang", "revise")]
    page.goto(f"{server.url}queue?signed=yes")
    assert "王审查" in page.inner_text(f"#queue tr[data-check='{check_id}'] .signed")
    pdf = page.request.get(f"{server.url}checks/{check_id}/report.pdf")
    for _ in range(240):                                  # 202: the PDF is being rendered (pdfcache)
        if pdf.status != 202:
            break
        page.wait_for_timeout(500)
        pdf = page.request.get(f"{server.url}checks/{check_id}/report.pdf")
    pdf = pdf.body()
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())           # table cells wrap
    assert "王审查" in text and "add the PV area calculation" in text and "退回修改" in text
    signed = tmp_path / "signed.pdf"                      # the office's PAdES signature, checked by the command
    signed.write_bytes(pdf)
    cert = next(server.keys.glob("*.pem"))
    done = subprocess.run([str(Path(sys.executable).parent / "compliance"), "verify", str(signed), "--trust", str(cert)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf.replace("王审查".encode("utf-16-be"), "李四五".encode("utf-16-be"), 1)
                         if "王审查".encode("utf-16-be") in pdf else pdf[:2000] + b"X" + pdf[2001:])
    done = subprocess.run([str(Path(sys.executable).parent / "compliance"), "verify", str(tampered), "--trust",
                           str(cert)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr


def test_admin_reads_each_step_in_the_audit_log(page, server, tmp_path):
    from urllib.parse import urlencode

    from office_accounts import csrf_of

    check_id = filed_check(server, tmp_path)
    wang = server.session("wang")
    csrf = csrf_of(server.get(f"/checks/{check_id}", opener=wang)[1].decode())
    status, _, _ = server.request(f"/checks/{check_id}/signoff",
                                  urlencode({"csrf": csrf, "decision": "rejected", "comment": "e2e"}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"}, wang)
    assert status == 303
    assert server.get(f"/checks/{check_id}/report.json", opener=server.session("li"))[0] == 200
    server.login(page, "admin")
    page.goto(f"{server.url}audit?subject=check:{check_id}")
    actions = {tr.get_attribute("data-action") for tr in page.locator("#audit tbody tr").all()}
    assert {"check", "file", "signoff", "download"} <= actions
    page.goto(f"{server.url}audit")
    assert page.get_attribute("#chain", "data-intact") == "yes"
    seen = {tr.get_attribute("data-action") for tr in page.locator("#audit tbody tr").all()}
    assert {"login", "upload", "check", "file"} <= seen
    shot(page, "7-audit")


def test_history_diff_rules_and_district_pages(page, server, tmp_path):
    server.login(page, "li")
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
    server.login(page, "wang")          # the rules and the district are the office's pages
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


def test_malformed_uploads_get_an_error_page_and_the_app_goes_on(designer, server, tmp_path):
    page = designer
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


def test_a_reviewer_opens_a_batch_checked_submission_and_prepares_its_3d_view(reviewer, server, tmp_path):
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
    page = reviewer
    page.goto(f"{server.url}queue?verdict=compliant")
    page.locator("#queue tr", has_text="YP-2025-0012").locator("a", has_text="open").click()
    assert "not ready" in page.inner_text("#viewer-card")
    page.click("#viewer-card button")
    page.wait_for_selector("#viewer[data-state='ready']", timeout=120_000)
    shot(page, "13-batch-check-3d")


def test_policy_editor_publishes_a_rule_change_and_sees_which_filings_flip(browser, tmp_path):
    """On a server of its own (publishing changes every later check): a filed fail-office (PV-2
    20 % of 30 %) flips when the editor's draft lowers PV-2 to 15 %; the draft changes nothing live
    until it is published; a check made after publishing cites the new rule set."""
    from datetime import date

    with Server(tmp_path / "policy") as server:
        filed = filed_check(server, tmp_path / "zips")
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        server.login(page, "chen")
        page.goto(f"{server.url}rules/draft/file?name=rules/PV-2.yaml")
        text = page.input_value("textarea[name=text]")
        assert text.count("  value: 30\n") == 1, "PV-2.yaml no longer writes its threshold this way: update the test"
        page.fill("textarea[name=text]", text.replace("  value: 30\n", "  value: 15\n"))
        page.click("#draft-file form button[type=submit]")
        page.wait_for_selector("#saved")
        assert page.locator("#lint-clean").count() == 1
        shot(page, "14-draft-saved")
        li = server.session("li")
        again = filed_check(server, tmp_path / "zips2", "fail-office:edited")      # before publishing: still 30 %
        assert json.loads(server.get(f"/checks/{again}/report.json", opener=li)[1])["verdict"] == "non_compliant"

        page.goto(f"{server.url}rules/draft/compare")
        assert "PV-2" in page.inner_text("#diff")
        page.click("#compare form button[type=submit]")
        page.wait_for_selector("#compare-run[data-state='done']", timeout=300_000)
        flips = page.inner_text("#flips")
        assert "YP-2024-0457" in flips and "non_compliant" in flips and "compliant" in flips
        shot(page, "15-flips")

        page.goto(f"{server.url}rules/draft/publish")
        page.fill("input[name=version]", "2026.e2e")
        page.fill("input[name=effective]", date.today().isoformat())
        page.fill("input[name=note]", "PV-2 15% (e2e)")
        page.click("#publish form button[type=submit]")
        page.wait_for_load_state()
        shot(page, "16-published")
        context.close()

        latest = filed_check(server, tmp_path / "zips3", "fail-office")
        verdict = json.loads(server.get(f"/checks/{latest}/report.json", opener=li)[1])
        assert verdict["rules_publication"] == "2026.e2e"
        assert {r["rule"]: r["status"] for r in verdict["results"]}["PV-2"] == "pass"
        assert filed != latest
        admin = server.session("admin")
        log = server.get("/audit?action=publish", opener=admin)[1].decode()
        assert "rules:2026.e2e" in log
