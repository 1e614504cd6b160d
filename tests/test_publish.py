"""Rules are published, not edited live (issue 21): publishing refuses what it must, the web app
publishes its --rules folder once, editors draft in the browser (lint on save), compare the draft
with the published set (which filed verdicts flip) and publish it; checks use the published set
only and every verdict cites it."""

from __future__ import annotations

import io
import re
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from office_accounts import client_as, seed, token

from compliance.office.audit import rows as audit_rows
from compliance.registry.store import Registry
from compliance.ruleset.publish import PublishError, current, publications, publish
from compliance.web.app import create_app
from compliance.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
PV2_VALUE = "  value: 30\n"


def copy_rules(folder: Path) -> tuple[Path, Path]:
    rules, features = folder / "rules", folder / "features"
    shutil.copytree(ROOT / "rules", rules)
    shutil.copytree(ROOT / "features", features, ignore=shutil.ignore_patterns("examples"))
    return rules, features


def pv2_at(text: str, value: int) -> str:
    assert text.count(PV2_VALUE) == 1, "PV-2.yaml no longer writes its threshold this way: update the test"
    return text.replace(PV2_VALUE, f"  value: {value}\n").replace("version: 1\n", "version: 2\n", 1)


# -- the library: what publishing refuses ------------------------------------------------------

def test_publishing_refuses_lint_errors_naming_file_and_line(tmp_path):
    rules, features = copy_rules(tmp_path)
    registry = Registry(str(tmp_path / "r.sqlite"))
    pv2 = rules / "PV-2.yaml"
    pv2.write_text(pv2.read_text(encoding="utf-8").replace("metric: pv_roof_ratio", "metric: pv_roof_ration"),
                   encoding="utf-8")
    with pytest.raises(PublishError) as caught:
        publish(registry, tmp_path / "store", rules, features, "2026.1", date(2026, 3, 1), "chen")
    line = 1 + pv2.read_text(encoding="utf-8").splitlines().index("  metric: pv_roof_ration")
    assert caught.value.file.endswith("PV-2.yaml") and caught.value.line == line, caught.value
    assert "pv_roof_ration" in caught.value.message
    assert publications(registry) == [] and not (tmp_path / "store" / "published" / "2026.1").exists()


def test_publishing_refuses_a_version_twice_an_earlier_date_and_the_same_content(tmp_path):
    rules, features = copy_rules(tmp_path)
    registry = Registry(str(tmp_path / "r.sqlite"))
    first = publish(registry, tmp_path / "store", rules, features, "2026.1", date(2026, 3, 1), "chen", "first")
    assert (first.rules_dir / "_publication.yaml").is_file() and (first.features_dir / "pv.feature").is_file()
    with pytest.raises(PublishError, match="the very same"):
        publish(registry, tmp_path / "store", rules, features, "2026.2", date(2026, 4, 1), "chen")
    pv2 = rules / "PV-2.yaml"
    pv2.write_text(pv2_at(pv2.read_text(encoding="utf-8"), 60), encoding="utf-8")
    with pytest.raises(PublishError, match="published already"):
        publish(registry, tmp_path / "store", rules, features, "2026.1", date(2026, 4, 1), "chen")
    with pytest.raises(PublishError, match="before that of the latest"):
        publish(registry, tmp_path / "store", rules, features, "2026.2", date(2026, 2, 1), "chen")
    with pytest.raises(PublishError, match="not a version name"):
        publish(registry, tmp_path / "store", rules, features, "../x", date(2026, 4, 1), "chen")
    second = publish(registry, tmp_path / "store", rules, features, "2026.2", date(2026, 4, 1), "chen")
    assert [p.version for p in publications(registry)] == ["2026.1", "2026.2"]
    assert current(registry, date(2026, 3, 31)).version == "2026.1" and current(registry, date(2026, 4, 1)) == second
    assert current(registry, date(2026, 2, 28)) is None


def test_a_published_set_cites_itself_in_every_verdict(tmp_path):
    from compliance.context import RunContext
    from compliance.pipeline import check_submission
    from compliance.report.text import render

    rules, features = copy_rules(tmp_path)
    registry = Registry(str(tmp_path / "r.sqlite"))
    done = publish(registry, tmp_path / "store", rules, features, "2026.1", date(2026, 3, 1), "chen")
    verdict = check_submission(SAMPLES / "pass-xinjiangwan-mall", RunContext(rules_dir=done.rules_dir))
    assert verdict.rules_publication == "2026.1" and verdict.rules_effective_from == date(2026, 3, 1)
    assert f"2026.1 (effective 2026-03-01) {verdict.rules_version}" in render(verdict, "en").decode()
    assert "2026.1（2026-03-01 起施行）" in render(verdict, "zh").decode()
    unpublished = check_submission(SAMPLES / "pass-xinjiangwan-mall", RunContext(rules_dir=rules))
    assert unpublished.rules_publication is None


def test_cli_publish_and_list_are_audited(tmp_path):
    from click.testing import CliRunner

    from compliance.commands.rules import rules as rules_group

    rules, features = copy_rules(tmp_path)
    db = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    args = ["publish", str(rules), "--features", str(features), "--version", "2026.1", "--effective", "2026-03-01",
            "--store", str(tmp_path / "store"), "--db", db, "--note", "三月版 March"]
    result = runner.invoke(rules_group, args)
    assert result.exit_code == 0, result.output
    again = runner.invoke(rules_group, args)
    assert again.exit_code == 2 and "published already" in again.output and "Traceback" not in again.output
    listed = runner.invoke(rules_group, ["published", "--db", db])
    assert listed.exit_code == 0 and "2026.1" in listed.output and "2026-03-01" in listed.output
    [row] = audit_rows(Registry(db), action="publish")
    assert row.subject == "rules:2026.1" and row.actor.startswith("cli:")


# -- the web app --------------------------------------------------------------------------------

def make_app(folder: Path):
    rules, features = (folder / "rules", folder / "features")
    if not rules.is_dir():
        copy_rules(folder)
    app = create_app(WebSettings(data_dir=folder / "data", rules_dir=rules, db=str(folder / "r.sqlite")),
                     features_dir=features)
    return app, app.extensions["compliance"]


def test_the_initial_publication_is_made_once_and_audited(tmp_path):
    app, st = make_app(tmp_path)
    [first] = publications(st.registry)
    assert first.version.startswith("initial-") and first.effective_from == date(2022, 12, 31)
    assert first.published_by == "system" and st.current_rules() == first.rules_dir
    app.extensions["compliance"].jobs.close()
    again, st2 = make_app(tmp_path)                     # started again: nothing more is published
    again.extensions["compliance"].jobs.close()
    assert publications(st2.registry) == [first]
    [row] = audit_rows(st2.registry, action="publish")
    assert row.actor == "system" and row.subject == f"rules:{first.version}"


def test_a_designer_is_refused_the_draft_pages(tmp_path):
    app, st = make_app(tmp_path)
    seed(st.registry)
    try:
        designer = client_as(app, "li")
        for path in ("/rules/draft", "/rules/draft/file?name=rules/PV-2.yaml", "/rules/draft/compare",
                     "/rules/draft/publish"):
            assert designer.get(path).status_code == 403, path
        r = designer.post("/rules/draft/publish", data={"csrf": token(designer), "version": "x",
                                                        "effective": "2026-01-01"})
        assert r.status_code == 403 and len(publications(st.registry)) == 1
        assert designer.get("/rules").status_code == 200           # everyone signed in browses the rules
    finally:
        st.jobs.close()


def test_a_broken_draft_is_saved_flagged_and_not_published(tmp_path):
    app, st = make_app(tmp_path)
    seed(st.registry)
    try:
        editor = client_as(app, "chen")
        assert "rules/PV-2.yaml" in editor.get("/rules/draft").data.decode()
        broken = "id: PV-2\nversion: [1\n"
        r = editor.post("/rules/draft/file", data={"csrf": token(editor), "name": "rules/PV-2.yaml", "text": broken})
        page = r.data.decode()
        assert r.status_code == 200 and 'id="broken"' in page and "rules/PV-2.yaml:" in page
        assert (st.settings.data_dir / "draft" / "rules" / "PV-2.yaml").read_text(encoding="utf-8") == broken
        assert "value: 30" in (st.current_rules() / "PV-2.yaml").read_text(encoding="utf-8")   # published: untouched
        r = editor.post("/rules/draft/publish", data={"csrf": token(editor), "version": "2026.1",
                                                      "effective": date.today().isoformat()})
        assert r.status_code == 400 and re.search(r"rules/PV-2\.yaml:\d+", r.data.decode()), r.data.decode()[-1500:]
        assert len(publications(st.registry)) == 1
        for name in ("../secret_key", "rules/../../secret_key", "rules/_publication.yaml", "features/x.yaml"):
            assert editor.get(f"/rules/draft/file?name={name}").status_code == 400, name
    finally:
        st.jobs.close()
    saves = audit_rows(st.registry, action="draft_save")
    assert [(s.actor, s.subject, s.detail["parses"]) for s in saves] == [("chen", "rules-draft:rules/PV-2.yaml", False)]


def upload(client, sample: str) -> int:
    folder = SAMPLES / sample
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(folder.iterdir()) if p.is_file()]
    r = client.post("/check", data={"csrf": token(client, "/"), "files": files}, content_type="multipart/form-data")
    assert r.status_code == 303, r.data[:500]
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    deadline = time.time() + 300
    while time.time() < deadline:
        state = client.get(f"/jobs/{job_id}/state").json
        if state["state"] in ("done", "failed"):
            assert state["state"] == "done", state
            return state["check_id"]
        time.sleep(0.3)
    raise AssertionError("the check did not finish")


def wait_for_run(client, location: str) -> str:
    deadline = time.time() + 300
    while time.time() < deadline:
        page = client.get(location).data.decode()
        if 'data-state="running"' not in page:
            return page
        time.sleep(0.5)
    raise AssertionError("the re-check did not finish")


def test_draft_compare_publish(tmp_path):
    """A draft raises PV-2 from 30 % to 60 %: checks made before publishing keep the published 30 %;
    the comparison lists the filed submission whose verdict flips and not a designer's unfiled
    self-check; once published (effective today) a new check uses it and cites it."""
    from compliance.office.accounts import user_named
    from compliance.office.filings import file_check

    app, st = make_app(tmp_path)
    seed(st.registry)
    registry = st.registry
    try:
        designer, editor = client_as(app, "li"), client_as(app, "chen")
        mall = upload(designer, "pass-xinjiangwan-mall")
        file_check(registry, mall, user_named(registry, "li"))
        text = editor.get("/rules/draft/file?name=rules/PV-2.yaml").data.decode()
        body = (st.settings.data_dir / "draft" / "rules" / "PV-2.yaml").read_text(encoding="utf-8")
        assert "value: 30" in text
        r = editor.post("/rules/draft/file", data={"csrf": token(editor), "name": "rules/PV-2.yaml",
                                                   "text": pv2_at(body, 60)})
        assert r.status_code == 200 and 'id="saved"' in r.data.decode() and 'id="broken"' not in r.data.decode()

        office = upload(designer, "pass-office-2030")           # after the draft edit, never filed
        before = registry.verdict(office)
        assert before.verdict == "compliant" and before.rules_publication.startswith("initial-")
        assert next(r for r in before.results if r.rule == "PV-2").threshold == 30

        diff = editor.get("/rules/draft/compare").data.decode()
        assert "PV-2" in diff and "requires.value: 30 → 60" in diff
        r = editor.post("/rules/draft/compare", data={"csrf": token(editor, "/rules/draft/compare")})
        assert r.status_code == 303
        page = wait_for_run(editor, r.headers["Location"])
        flips = page[page.index('id="flips"'):page.index("</table>", page.index('id="flips"'))]
        mall_id = registry.get(mall).submission_id
        assert mall_id in flips and "non_compliant" in flips and f">{mall}<" in flips
        assert registry.get(office).submission_id not in page

        r = editor.post("/rules/draft/publish", data={"csrf": token(editor), "version": "2026.1",
                                                      "effective": date.today().isoformat(), "note": "PV-2 60%"})
        assert r.status_code == 303, r.data.decode()[-2000:]
        assert current(registry).version == "2026.1" and st.current_rules() == current(registry).rules_dir
        assert "2026.1" in editor.get("/rules").data.decode()

        again = upload(designer, "pass-office-2030")
        after = registry.verdict(again)
        assert again != office and after.verdict == "non_compliant"
        assert after.rules_publication == "2026.1" and after.rules_effective_from == date.today()
        assert next(r for r in after.results if r.rule == "PV-2").threshold == 60
        assert "2026.1 (" in designer.get(f"/checks/{again}").data.decode()
        assert registry.verdict(office).verdict == "compliant"   # a check made before publishing is as it was
    finally:
        st.jobs.close()
    [published] = [row for row in audit_rows(registry, action="publish") if row.actor == "chen"]
    assert published.subject == "rules:2026.1" and published.detail["effective_from"] == date.today().isoformat()
    assert [s.subject for s in audit_rows(registry, action="draft_save")] == ["rules-draft:rules/PV-2.yaml"]


def test_a_publication_effective_tomorrow_is_not_used_today(tmp_path):
    rules, features = copy_rules(tmp_path)
    app, st = make_app(tmp_path)
    try:
        pv2 = rules / "PV-2.yaml"
        pv2.write_text(pv2_at(pv2.read_text(encoding="utf-8"), 60), encoding="utf-8")
        later = publish(st.registry, st.settings.data_dir, rules, features, "2026.9", date.today() + timedelta(days=1),
                        "chen")
        assert st.current_rules() != later.rules_dir
        assert "value: 30" in (st.current_rules() / "PV-2.yaml").read_text(encoding="utf-8")
    finally:
        st.jobs.close()


def test_editing_the_rules_folder_changes_nothing_live(tmp_path):
    """The --rules folder is what the first start published, no more: editing it while the app runs
    changes neither the rule pages nor the rules a check is made with."""
    app, st = make_app(tmp_path)
    seed(st.registry)
    try:
        client = client_as(app, "wang")
        assert "pv_roof_ratio ≥ 50 %" in client.get("/rules/PV-1").data.decode()
        pv1 = tmp_path / "rules" / "PV-1.yaml"
        body = pv1.read_text(encoding="utf-8")
        assert body.count("  value: 50\n") == 1, "PV-1.yaml no longer writes its threshold this way: update the test"
        pv1.write_text(body.replace("  value: 50\n", "  value: 55\n"), encoding="utf-8")
        page = client.get("/rules/PV-1").data.decode()
        assert "pv_roof_ratio ≥ 50 %" in page and "≥ 55 %" not in page
        assert "value: 50" in (st.current_rules() / "PV-1.yaml").read_text(encoding="utf-8")
    finally:
        st.jobs.close()


def test_a_published_copy_changed_on_disk_is_refused_and_the_queue_goes_on(tmp_path):
    app, st = make_app(tmp_path)
    seed(st.registry)
    try:
        pv1 = st.current_rules() / "PV-1.yaml"
        pv1.chmod(0o644)
        pv1.write_text(pv1.read_text(encoding="utf-8").replace("  value: 50\n", "  value: 5\n"), encoding="utf-8")
        client = client_as(app, "wang")
        page = client.get("/rules/PV-1")
        queue = client.get("/queue")
    finally:
        st.jobs.close()
    assert page.status_code == 400 and "was changed after it was published" in page.data.decode()
    assert queue.status_code == 200 and "the rule set cannot be read" in queue.data.decode()
