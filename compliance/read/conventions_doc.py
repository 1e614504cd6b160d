"""docs/ifc-conventions.md's recognition tables, rendered from the conventions file.

The doc holds the rendering between two markers; `compliance rules conventions --write-docs`
rewrites it and a test fails when the two differ, so the doc cannot drift from the data.
"""

from __future__ import annotations

from pathlib import Path

from ..bundled import PACKAGE, repository
from .conventions import Concept, Conventions

BEGIN = "<!-- BEGIN generated from rules/_conventions.yaml: `compliance rules conventions --write-docs` -->"
END = "<!-- END generated -->"
# the repository's documentation; an installed wheel has none (the path then names no file)
DOC = (repository() or PACKAGE) / "docs" / "ifc-conventions.md"


def _classes(rules) -> str:
    out = []
    for r in rules:
        kinds = "any predefined type" if r.predefined == "any" else " / ".join(
            "an open predefined type (unset, NOTDEFINED, USERDEFINED)" if k == "open" else k for k in r.predefined)
        out.append(f"`{r.ifc_class}` ({kinds})")
    return "; ".join(out)


def _list(values) -> str:
    if values == "any":
        return "any element"
    return ", ".join(f"`{v}`" for v in values) if values else "—"


def concept_markdown(name: str, c: Concept) -> list[str]:
    rows = [("recognised by class", _classes(c.classes) or "—")]
    if c.types.exact or c.types.contains:
        rows.append(("hosts (by type words, when the predefined type is open)", _list(c.hosts)))
        rows.append(("type words: the whole text or a Family:Type part is", _list(c.types.exact)))
        rows.append(("type words: the text contains", _list(c.types.contains)))
    if c.names:
        recognise = f"; recognised by name on {_list(c.names_recognise)}" if c.names_recognise else ""
        rows.append(("name words (suspect" + recognise + ")", f"{_list(c.names)} on {_list(c.name_classes)}"))
    if c.suspect_classes:
        rows.append(("suspect by class", _classes(c.suspect_classes)))
    if c.exclude:
        rows.append(("excluded by the words" + (", even where the class says otherwise" if c.exclude_over_class
                                                 else " (not where the class and predefined type establish it)"),
                     _list(c.exclude)))
    for role, refs in c.properties.items():
        rows.append((f"property `{role}` (first found)", ", ".join(f"`{r.pset}.{r.property}`" for r in refs)))
    for key, value in c.text.items():
        shown = f"`{value}`" if isinstance(value, str) else "; ".join(f"{k}: {_list(v)}" for k, v in value.items())
        rows.append((f"from the type text: `{key}`", shown))
    if c.exposed_slab is not None:
        rows.append(("exposed top slab not marked as roof → suspect",
                     f"at least {c.exposed_slab.min_height_m:g} m above the ground (z = 0, or the lowest slab if lower) and "
                     f"{c.exposed_slab.min_area_m2:g} m²"))
    if c.stall_area_m2 is not None:
        rows.append(("stall area", f"typical {c.stall_area_m2.typical:g} m²; a space over "
                                   f"{c.stall_area_m2.max:g} m² without ParkingUnits is a zone of stalls (finding)"))
    lines = [f"### {c.label.en} — {c.label.zh} (`{name}`)", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in rows]
    return lines + [""]


def render(conventions: Conventions) -> str:
    lines = [BEGIN, ""]
    for name, concept in conventions.concepts.items():
        lines += concept_markdown(name, concept)
    return "\n".join(lines + [END])


def current_block(text: str) -> str | None:
    if BEGIN not in text or END not in text:
        return None
    return text[text.index(BEGIN):text.index(END) + len(END)]


def write_docs(conventions: Conventions, doc: Path = DOC) -> bool:
    """Rewrite the generated block of `doc`; True when it changed."""
    text = doc.read_text(encoding="utf-8")
    block = current_block(text)
    new = render(conventions)
    if block is None:
        raise ValueError(f"{doc} has no generated block ({BEGIN} ... {END})")
    if block == new:
        return False
    doc.write_text(text.replace(block, new), encoding="utf-8")
    return True
