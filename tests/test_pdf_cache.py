"""The web app's PDFs: rendered outside the request thread, kept per check, sign-off and language,
made again after a sign-off; a failed render is an error page and is not kept. Real checks in real
job processes, real renders in the app's render process."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from office_accounts import client_as, finished, post_files, seed, token
from web_server import ROOT, sample_zip

from compliance.web.app import create_app
from compliance.web.settings import WebSettings


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """(app, li's client, the id of li's filed check of fail-office, the data folder)."""
    folder = tmp_path_factory.mktemp("pdfcache")
    app = create_app(WebSettings(data_dir=folder / "data", rules_dir=ROOT / "rules", db=str(folder / "r.sqlite")))
    seed(app.extensions["compliance"].registry)
    li = client_as(app, "li")
    state = finished(li, post_files(li, [(sample_zip("fail-office", folder).read_bytes(), "fo.zip")]))
    assert state["state"] == "done", state
    r = li.post(f"/checks/{state['check_id']}/file", data={"csrf": token(li, f"/checks/{state['check_id']}")})
    assert r.status_code == 303
    yield app, li, state["check_id"], folder / "data"
    app.extensions["compliance"].jobs.close()
    app.extensions["compliance"].reports.close()






def pdf_when_ready(client, url: str, timeout: float = 240):
    """Ask as a browser on the "preparing" page does (it refreshes itself) until the answer is not 202."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = client.get(url)
        if r.status_code != 202:
            return r
        assert r.headers["Refresh"].startswith("2; url=/checks/")
        time.sleep(0.5)
    raise AssertionError(f"{url}: still preparing after {timeout} s")


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_rendered_in_the_background_then_served_from_the_cache(office):
    app, li, check_id, data = office
    reports = app.extensions["compliance"].reports
    started = reports.renders_started
    url = f"/checks/{check_id}/report.pdf"
    first = li.get(url)
    assert first.status_code == 202, first.status_code         # spawning the renderer alone takes longer than 2 s
    page = first.data.decode()
    assert "正在生成PDF" in page and "Preparing the PDF" in page and f'data-check="{check_id}"' in page
    assert 'http-equiv="refresh"' in page and "<script>" not in page
    assert "script-src 'self'" in first.headers["Content-Security-Policy"]
    assert li.get(url).status_code in (200, 202)               # asked again meanwhile: the same job
    assert reports.renders_started == started + 1

    ready = pdf_when_ready(li, url)
    assert ready.status_code == 200 and ready.data[:4] == b"%PDF"
    assert ready.headers["Content-Disposition"].startswith("attachment")
    kept = list((data / "reports").glob(f"check{check_id}-unsigned-both-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == ready.data
    before = stamp(kept[0])

    again = li.get(url)
    assert again.status_code == 200 and again.data == ready.data
    assert stamp(kept[0]) == before                            # not rendered (nor written) again
    assert reports.renders_started == started + 1
    assert "YP-2024-0457" in text_of(ready.data) and "王审查" not in text_of(ready.data)


def test_a_sign_off_makes_a_new_pdf_with_the_reviewer(office):
    from compliance.office.accounts import user_named
    from compliance.office.review import sign

    app, li, check_id, data = office
    url = f"/checks/{check_id}/report.pdf"
    draft = pdf_when_ready(li, url)
    assert draft.status_code == 200
    registry = app.extensions["compliance"].registry
    sign(registry, user_named(registry, "wang"), check_id, "revise", "屋面光伏面积请补充计算书")

    reviewer = client_as(app, "wang")
    signed = pdf_when_ready(reviewer, url)
    assert signed.status_code == 200 and signed.data[:4] == b"%PDF" and signed.data != draft.data
    text = text_of(signed.data)
    assert "王审查" in text and "退回修改" in text
    assert pdf_when_ready(li, url).data == signed.data          # the designer gets the signed one too, not the draft
    signed_files = list((data / "reports").glob(f"check{check_id}-signoff*-both-*.pdf"))
    assert len(signed_files) == 1 and signed_files[0].read_bytes() == signed.data
    assert len(list((data / "reports").glob(f"check{check_id}-unsigned-both-*.pdf"))) == 1   # the draft, unserved


def test_a_failed_render_is_an_error_page_and_is_not_kept(office):
    app, li, check_id, data = office
    reports = data / "reports"
    away = data / "reports.away"
    shutil.move(reports, away)
    reports.write_text("a file where the PDFs' folder should be: every render fails")
    url = f"/checks/{check_id}/report.pdf?lang=en"
    try:
        failed = pdf_when_ready(li, url)
    finally:
        reports.unlink()
        shutil.move(away, reports)
    page = failed.data.decode()
    assert failed.status_code == 500, page[:500]
    assert f"The PDF of check {check_id} could not be made" in page and "Traceback" not in page
    assert not list(reports.glob(f"check{check_id}-*-en-*.pdf"))

    ready = pdf_when_ready(li, url)                             # tried again, not the failure kept
    assert ready.status_code == 200 and ready.data[:4] == b"%PDF"
    assert len(list(reports.glob(f"check{check_id}-*-en-*.pdf"))) == 1


def test_other_formats_stay_inline(office):
    _app, li, check_id, _data = office
    r = li.get(f"/checks/{check_id}/report.json")
    assert r.status_code == 200 and r.data.lstrip()[:1] == b"{"


def test_with_the_office_certificate_the_signed_off_pdf_is_signed(tmp_path):
    """An app with a signing certificate: the draft stays unsigned, the signed-off verdict's PDF is
    signed by the office and verifies against its certificate."""
    pytest.importorskip("compliance.sign.archive", reason="the sign package (compliance.sign) is not installed")
    from compliance.office.accounts import user_named
    from compliance.office.review import sign
    from compliance.sign.selfsigned import make_self_signed
    from compliance.sign.verify import verify_pdf

    p12, pem = make_self_signed(tmp_path / "keys", "杨浦区建设和管理委员会", passphrase="trial passphrase")
    app = create_app(WebSettings(data_dir=tmp_path / "data", rules_dir=ROOT / "rules", db=str(tmp_path / "r.sqlite"),
                                 signing_p12=p12, signing_passphrase="trial passphrase"))
    st = app.extensions["compliance"]
    seed(st.registry)
    try:
        li = client_as(app, "li")
        state = finished(li, post_files(li, [(sample_zip("pass-school", tmp_path).read_bytes(), "ps.zip")]))
        check_id = state["check_id"]
        assert li.post(f"/checks/{check_id}/file", data={"csrf": token(li, f"/checks/{check_id}")}).status_code == 303
        url = f"/checks/{check_id}/report.pdf"
        draft = pdf_when_ready(li, url)
        assert draft.status_code == 200 and not verify_pdf(draft.data).signed
        sign(st.registry, user_named(st.registry, "wang"), check_id, "approved")
        signed = pdf_when_ready(li, url)
        assert signed.status_code == 200, signed.data[:300]
        checked = verify_pdf(signed.data, [pem])
        assert checked.signed and checked.intact and checked.trusted, checked.problems
        assert "王审查" in (checked.name or "") and "王审查" in text_of(signed.data)
    finally:
        st.jobs.close()
        st.reports.close()
