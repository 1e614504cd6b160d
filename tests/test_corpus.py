"""The corpus generator (ifc_samples/corpus.py): deterministic, its manifest tells the truth about
every folder, its broken submissions fail the way it says, and for a sample covering every
template the real checker agrees with the verdict and the district figures it expects."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import RULES, SAMPLES

from compliance.context import RunContext
from compliance.errors import ComplianceError
from compliance.pipeline import check_submission
from compliance.read.metadata import load_submission

N, SEED, EVERY = 200, 7, 10
IFC_LEVEL = {"truncated_ifc", "random_bytes_ifc"}          # the metadata loads; reading the model fails


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("corpus", SAMPLES / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module          # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, corpus.make_corpus(out, n=N, seed=SEED, broken_every=EVERY)


@pytest.fixture(scope="module")
def ctx():
    return RunContext(rules_dir=RULES)


def entries(manifest, good: bool | None = None) -> list[dict]:
    subs = manifest["submissions"]
    return subs if good is None else [e for e in subs if (e["broken"] is None) == good]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_manifest_describes_every_folder(built):
    out, manifest = built
    subs = entries(manifest)
    assert len(subs) == N and manifest["n"] == N and manifest["seed"] == SEED
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(e["folder"] for e in subs)
    assert len({e["id"] for e in subs}) == N
    assert manifest["counts"] == dict(Counter(e["expect"] for e in subs))
    assert all(re.fullmatch(r"c\d{3}-[a-z0-9-]+", e["folder"]) for e in subs)

    broken = entries(manifest, good=False)
    assert len(broken) == N // EVERY
    assert {e["broken"] for e in broken} == set(corpus.BROKEN)
    assert all(e["expect"] == "error" and e["expected_error"] for e in broken)
    good = entries(manifest, good=True)
    assert {e["template"] for e in good} == set(corpus.TEMPLATES)
    assert all(e["expect"] == corpus.TEMPLATES[e["template"]][0] and e["expected_error"] is None for e in good)
    assert sum(e["expect"] == "compliant" for e in good) > 0.7 * len(good)

    # the mix the district report needs
    assert {e["filed_on"][:4] for e in subs} == {str(y) for y in range(2021, 2030)}
    homes = [e for e in good if e["use"] == "residential"]
    assert all(e["filed_on"] >= "2026" and e["kind"] == "new" for e in homes)
    assert {"ultra_low", "none"} <= {e["energy_class"] for e in homes}
    malls = [e for e in good if e["use"] == "commercial_complex" and e["gross_floor_area_m2"] > 100000]
    assert {True, False} == {e["green_mall"] for e in malls}
    savings = [e["retrofit_saving_pct"] for e in good if e["kind"] == "retrofit"]
    assert min(savings) < 15 < max(savings) and None not in savings
    assert {"school", "government_office", "public_office", "data_centre", "industrial_plant"} <= {e["use"] for e in good}
    assert len({e["pv_peak_kw"] for e in good if e["pv_panels"]}) > 50          # figures vary
    assert len({e["charging_points"] for e in good}) > 5


def test_models_hold_the_manifest_figures(built):
    """Read as text, independently of the checker: panels, their peak power, chargers."""
    out, manifest = built
    for e in entries(manifest, good=True):
        texts = [(out / e["folder"] / f).read_text(encoding="utf-8") for f in e["models"]]
        panels = sum(1 for t in texts for line in t.splitlines()
                     if "=IFCSOLARDEVICE(" in line and "SOLARCOLLECTOR" not in line)
        peaks = {float(v) for t in texts for v in re.findall(r"'PeakPower',\$,IFCPOWERMEASURE\(([0-9.E+-]+)\)", t)}
        chargers = sum(t.count("=IFCOUTLET(") for t in texts)
        assert panels == e["pv_panels"], e["folder"]
        assert peaks == ({e["pv_peak_w_per_panel"]} if panels else set()), e["folder"]
        assert e["pv_peak_kw"] == pytest.approx(panels * (e["pv_peak_w_per_panel"] or 0) / 1000.0)
        assert chargers == e["charging_points"], e["folder"]
        assert not any(str(corpus.SENTINEL_W) in t or corpus.TEMPLATE_SAMPLE in t for t in texts)


def test_same_seed_same_bytes_and_prefix(built, tmp_path):
    """Each submission depends only on the seed and its index: a smaller corpus is a prefix."""
    out, manifest = built
    small = corpus.make_corpus(tmp_path / "small", n=20, seed=SEED, broken_every=EVERY)
    assert small["submissions"] == manifest["submissions"][:20]
    for e in small["submissions"]:
        assert digests(tmp_path / "small" / e["folder"]) == digests(out / e["folder"]), e["folder"]
    other = corpus.make_corpus(tmp_path / "other", n=3, seed=SEED + 1, broken_every=EVERY)
    assert [e["pv_peak_kw"] for e in other["submissions"]] != [e["pv_peak_kw"] for e in small["submissions"][:3]]


def test_good_folders_load(built, ruleset):
    out, manifest = built
    uses, zones = set(ruleset.settings.uses), set(ruleset.settings.zones)
    for e in entries(manifest, good=True):
        loaded = load_submission(out / e["folder"], uses=uses, zones=zones)
        meta = loaded.meta
        assert (meta.id, meta.use, meta.kind, meta.filed_on.isoformat(), meta.gross_floor_area_m2, meta.models) == \
            (e["id"], e["use"], e["kind"], e["filed_on"], e["gross_floor_area_m2"], e["models"])
        assert meta.energy.energy_class == e["energy_class"]
        assert ("green_mall" in (meta.measures or [])) == e["green_mall"]


def test_broken_folders_fail_as_the_manifest_says(built, ruleset, ctx):
    out, manifest = built
    uses, zones = set(ruleset.settings.uses), set(ruleset.settings.zones)
    for e in entries(manifest, good=False):
        folder = out / e["folder"]
        if e["broken"] not in IFC_LEVEL:
            with pytest.raises(ComplianceError) as exc:
                load_submission(folder, uses=uses, zones=zones)
            assert e["expected_error"] in str(exc.value), (e["folder"], str(exc.value))
        with pytest.raises(ComplianceError) as exc:           # the CLI prints it and exits 2
            check_submission(folder, ctx)
        assert e["expected_error"] in str(exc.value), (e["folder"], str(exc.value))


def sample(manifest) -> list[dict]:
    """The first good submission of every template, and one more of the commonest."""
    good, picked = entries(manifest, good=True), {}
    for e in good:
        picked.setdefault(e["template"], e)
    extra = [e for e in good if e not in picked.values() and e["template"] == "pass-residential"][:1]
    return list(picked.values()) + extra


def test_checker_agrees_with_the_manifest(built, ctx):
    out, manifest = built
    chosen = sample(manifest)
    assert len(chosen) >= len(corpus.TEMPLATES)
    for e in chosen:
        verdict = check_submission(out / e["folder"], ctx)
        district = verdict.district
        got = (verdict.verdict, district["pv_peak_power"].value, district["charging_points"].value,
               district["gross_floor_area"].value, bool(district["green_mall"].value))
        assert got == (e["expect"], pytest.approx(e["pv_peak_kw"], abs=1e-6), e["charging_points"],
                       e["gross_floor_area_m2"], e["green_mall"]), e["folder"]
        saving = district["retrofit_energy_saving"].value
        if e["retrofit_saving_pct"] is None:
            assert saving is None, e["folder"]
        else:
            assert saving == pytest.approx(e["retrofit_saving_pct"], abs=1e-3), e["folder"]
