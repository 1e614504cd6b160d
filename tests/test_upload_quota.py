"""An organisation's daily upload allowance (WebSettings.quota_mb_per_day): a real upload is
checked, the next one past the allowance is refused with a page saying so, and another
organisation's designer still uploads."""

from __future__ import annotations

from office_accounts import client_as, finished, post_files, seed
from web_server import ROOT, sample_zip

from compliance.web.app import create_app
from compliance.web.settings import WebSettings


def test_the_second_upload_past_the_allowance_is_refused_and_another_organisation_uploads(tmp_path):
    from compliance.office.audit import rows

    upload = sample_zip("fail-office", tmp_path).read_bytes()
    allowance_mb = 1.5 * len(upload) / (1024 * 1024)          # one upload fits, two do not
    app = create_app(WebSettings(data_dir=tmp_path / "data", rules_dir=ROOT / "rules", db=str(tmp_path / "r.sqlite"),
                                 quota_mb_per_day=allowance_mb))
    st = app.extensions["compliance"]
    seed(st.registry)
    try:
        li = client_as(app, "li")
        assert finished(li, post_files(li, [(upload, "fo.zip")]))["state"] == "done"
        jobs = sorted((tmp_path / "data" / "jobs").iterdir())

        refused = post_files(li, [(upload, "fo.zip")])
        page = refused.data.decode()
        assert refused.status_code == 429, page[:500]
        assert "allowance" in page and "used in the last 24 hours" in page and "Traceback" not in page
        assert sorted((tmp_path / "data" / "jobs").iterdir()) == jobs          # nothing unpacked, nothing checked
        assert [r.detail.get("why") for r in rows(st.registry, action="refused")] == ["quota"]

        zhao = client_as(app, "zhao")                                         # another organisation's allowance
        other = finished(zhao, post_files(zhao, [(upload, "fo.zip")]))
        assert other["state"] == "done" and other["check_id"]
    finally:
        st.jobs.close()
        st.reports.close()
