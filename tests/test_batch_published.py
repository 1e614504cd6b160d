"""`compliance batch` checks with the rule set the office published (the one the web app uses)
when the registry has one, unless --rules names another folder."""

from __future__ import annotations

import json
import shutil
from datetime import date

from conftest import RULES, SAMPLES
from test_samples_cli import run_cli


def test_batch_uses_the_published_rule_set_unless_told_otherwise(tmp_path):
    from compliance.registry.store import Registry
    from compliance.ruleset.publish import publish

    draft = tmp_path / "draft"
    shutil.copytree(RULES, draft / "rules")
    shutil.copytree(RULES.parent / "features", draft / "features")
    pv2 = draft / "rules" / "PV-2.yaml"
    text = pv2.read_text(encoding="utf-8")
    assert text.count("  value: 30\n") == 1, "PV-2.yaml no longer writes its threshold this way: update the test"
    pv2.write_text(text.replace("  value: 30\n", "  value: 15\n"), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    registry = Registry(db)
    publish(registry, tmp_path / "store", draft / "rules", draft / "features", "2026.2", date(2024, 1, 1),
            "chen", "PV-2 15 %")
    registry.close()
    folder = tmp_path / "in" / "fail-office"
    shutil.copytree(SAMPLES / "fail-office", folder)

    proc = run_cli("batch", str(folder.parent), "--db", str(db), "-o", str(tmp_path / "a"), "--format", "json")
    assert "rules: published 2026.2" in proc.stderr, proc.stderr
    verdict = json.loads(next((tmp_path / "a").glob("*.json")).read_text(encoding="utf-8"))
    assert verdict["rules_publication"] == "2026.2"
    assert {r["rule"]: r["status"] for r in verdict["results"]}["PV-2"] == "pass"

    proc = run_cli("batch", str(folder.parent), "--db", str(db), "-o", str(tmp_path / "b"), "--format", "json",
                   "--rules", str(RULES))
    assert proc.returncode == 1 and "rules: published" not in proc.stderr
    verdict = json.loads(next((tmp_path / "b").glob("YP-*.json")).read_text(encoding="utf-8"))
    assert verdict["verdict"] == "non_compliant" and not verdict.get("rules_publication")


def test_the_same_rules_published_again_are_checked_again_and_cited(tmp_path):
    """A publication that changes only scenarios keeps the rules' content hash; the verdicts must
    still cite the publication they were made under, not a stored check of the earlier one."""
    from compliance.registry.store import Registry
    from compliance.ruleset.publish import publish

    draft = tmp_path / "draft"
    shutil.copytree(RULES, draft / "rules")
    shutil.copytree(RULES.parent / "features", draft / "features")
    db = tmp_path / "r.sqlite"
    registry = Registry(db)
    publish(registry, tmp_path / "store", draft / "rules", draft / "features", "2026.1", date(2024, 1, 1), "chen")
    folder = tmp_path / "in" / "pass-school"
    shutil.copytree(SAMPLES / "pass-school", folder)
    assert run_cli("batch", str(folder.parent), "--db", str(db), "-o", str(tmp_path / "a"), "--format",
                   "json").returncode == 0
    feature = next((draft / "features").glob("*.feature"))
    feature.write_text(feature.read_text(encoding="utf-8") + "\n# wording of a scenario changed\n", encoding="utf-8")
    publish(registry, tmp_path / "store", draft / "rules", draft / "features", "2026.2", date(2024, 6, 1), "chen")
    proc = run_cli("batch", str(folder.parent), "--db", str(db), "-o", str(tmp_path / "b"), "--format", "json")
    assert proc.returncode == 0 and "already in the registry" not in proc.stdout, proc.stdout
    rows = registry.history("YP-2025-0012")
    assert len(rows) == 2 and rows[0].rules_version == rows[1].rules_version      # the same rules' content
    cited = [registry.verdict(r.id).rules_publication for r in rows]
    assert cited == ["2026.1", "2026.2"]
