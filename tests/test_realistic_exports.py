"""Realistic exports: real models from ../shared/ifc with PV panels, roofs, chargers and parking
added the way Revit, ArchiCAD and Chinese design institutes export them (tests/realistic/), each
checked through the real pipeline against the outcome worked out by hand
(tests/realistic/README.md).

These tests are the specification of how the checker recognises real exports: recognised
elements count; suspects (a name or type that hints, a class that does not establish) are named
and send the rules they could change to manual review unless every plausible value gives the
same outcome. Nothing here is skipped or expected to fail: a failure is a gap to close.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import RULES
from realistic import VARIANTS, Variant


class Corpus:
    """The variants built on demand into one folder per session, and their verdicts."""

    def __init__(self, shared: Path, out: Path) -> None:
        self.shared, self.out = shared, out
        self.built: dict[str, Variant] = {}
        self.verdicts: dict = {}

    def variant(self, name: str) -> Variant:
        if name not in self.built:
            self.built[name] = VARIANTS[name](self.shared, self.out)
        return self.built[name]

    def verdict(self, name: str):
        if name not in self.verdicts:
            from compliance.context import RunContext
            from compliance.pipeline import check_submission

            self.verdicts[name] = check_submission(self.variant(name).folder, RunContext(rules_dir=RULES, cores=1))
        return self.verdicts[name]


@pytest.fixture(scope="session")
def realistic_corpus(shared_ifc_dir, tmp_path_factory) -> Corpus:
    return Corpus(shared_ifc_dir, tmp_path_factory.mktemp("realistic"))


def _said_by(result) -> str:
    """Everything a rule result says about elements: evidence GlobalIds, reasons, computation."""
    parts = [g for e in result.evidence for g in e.global_ids]
    parts += [t for r in result.reasons for t in (r.zh, r.en)]
    if result.computation is not None:
        parts += [result.computation.zh, result.computation.en]
    return "\n".join(parts)


def _said_by_notes(verdict) -> str:
    return "\n".join(g for n in verdict.notes for g in (*n.global_ids, n.message))


def _describe(result) -> str:
    if result is None:
        return "no result"
    reasons = "; ".join(r.en for r in result.reasons)[:300]
    return f"{result.status} (measured {result.measured}) — {result.message}" + (f" [reasons: {reasons}]" if reasons else "")


@pytest.mark.parametrize("name", list(VARIANTS))
def test_realistic_export(realistic_corpus, name):
    variant = realistic_corpus.variant(name)
    verdict = realistic_corpus.verdict(name)
    results = {r.rule: r for r in verdict.results}
    problems = []

    for rule, want in variant.expect.items():
        wanted = (want,) if isinstance(want, str) else tuple(want)
        got = results.get(rule)
        if got is None or got.status not in wanted:
            problems.append(f"{rule}: expected {' or '.join(wanted)}, observed {_describe(got)}")

    for rule, value in variant.measured.items():
        got = results.get(rule)
        if got is None or got.measured is None or not math.isclose(got.measured, value, abs_tol=variant.tolerance):
            problems.append(f"{rule}: expected the measured figure {value:.2f} (± {variant.tolerance}), "
                            f"observed {None if got is None else got.measured}")

    for rule, texts in variant.mentions.items():
        got = results.get(rule)
        computation = got.computation.en if got is not None and got.computation is not None else ""
        for text in texts:
            if text not in computation:
                problems.append(f"{rule}: the computation should show {text.strip()!r}: {computation or 'none'}")

    notes_say = _said_by_notes(verdict)
    for rule, gids in variant.suspects.items():
        got = results.get(rule)
        said = _said_by(got) if got is not None else ""
        if not any(g in said for g in gids):
            problems.append(f"{rule}: names none of its {len(gids)} suspect(s) ({', '.join(gids[:3])}…) "
                            "in its evidence or reasons")
        unnamed = [g for g in gids if g not in said and g not in notes_say]
        if unnamed:
            problems.append(f"{rule}: {len(unnamed)} of {len(gids)} suspects named nowhere (result or notes): "
                            f"{', '.join(unnamed[:3])}…")

    for group in variant.noted:
        if not any(g in notes_say for g in group):
            problems.append(f"no note names any of {', '.join(group[:3])}… (notes: "
                            f"{sorted({n.code for n in verdict.notes}) or 'none'})")
    for text in variant.note_text:
        if not any(text in n.message for n in verdict.notes):
            problems.append(f"no note mentions {text!r} (notes: {sorted({n.code for n in verdict.notes}) or 'none'})")

    if variant.nothing_counted:
        from compliance.read.model import read_model

        for model in sorted(variant.folder.glob("*.ifc")):
            facts = read_model(model)
            counted = {"PV panels": len(facts.pv_panels), "charging points": len(facts.chargers),
                       "parking spaces": len(facts.parking)}
            problems += [f"{model.name} ({variant.host}, untouched): {n} element(s) counted as {what}"
                         for what, n in counted.items() if n]

    assert not problems, f"{name} (host {variant.host}):\n  " + "\n  ".join(problems)


WITH_PANELS = [name for name, builder in VARIANTS.items() if builder.has_panels]


@pytest.mark.parametrize("name", WITH_PANELS)
def test_the_corpus_geometry_is_what_the_hand_computation_says(realistic_corpus, name):
    """The corpus checked against itself, not through the checker: the panels' bodies, triangulated
    in world coordinates, project onto the plan with the area the hand computation uses (the thin
    edges of tilted panels add up to 3 %), and every panel's plan centre lies over a roof element
    of the host (an IfcRoof, or a slab whose predefined type or ObjectType is a roof's)."""
    import ifcopenshell
    import ifcopenshell.geom
    import ifcopenshell.util.element
    import numpy as np

    variant = realistic_corpus.variant(name)
    assert variant.pv and variant.pv_projected_m2
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)

    def triangles(element):
        shape = ifcopenshell.geom.create_shape(settings, element)
        verts = np.array(shape.geometry.verts).reshape(-1, 3)
        return verts[np.array(shape.geometry.faces).reshape(-1, 3)]

    def plan_area_up(tris):
        cross = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        return float(np.sum(np.clip(cross[:, 2], 0, None)) / 2)

    def roofish(element) -> bool:
        """A roof, or a slab built as one here (the suspect roofs included): predefined type,
        ObjectType or type name; the checker's own judgement is what the other test checks."""
        type_ = ifcopenshell.util.element.get_type(element)
        texts = (element.Name, element.ObjectType, type_.Name if type_ else None)
        return (element.is_a("IfcRoof") or element.PredefinedType == "ROOF"
                or any(t and ("屋面" in t or t.startswith(("Basic Roof", "Floor:Generic"))) for t in texts))

    roof_footprints = []
    arch = ifcopenshell.open(str(variant.folder / "architecture.ifc"))
    for element in arch.by_type("IfcSlab") + arch.by_type("IfcRoof"):
        if roofish(element):
            if element.Representation is not None:
                tris = triangles(element)
                roof_footprints.append((tris[..., 0].min(), tris[..., 1].min(), tris[..., 0].max(), tris[..., 1].max()))
    total = 0.0
    for filename, gids in variant.pv.items():
        model = arch if filename == "architecture.ifc" else ifcopenshell.open(str(variant.folder / filename))
        for gid in gids:
            tris = triangles(model.by_guid(gid))
            total += plan_area_up(tris)
            cx, cy = tris[..., 0].mean(), tris[..., 1].mean()
            assert any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in roof_footprints), \
                f"{filename} {gid}: plan centre ({cx:.2f}, {cy:.2f}) over no roof"
    assert variant.pv_projected_m2 * (1 - 1e-6) <= total <= variant.pv_projected_m2 * 1.03
