"""The recognition conventions (`rules/_conventions.yaml`): the file's format, loaded and checked.

Policy staff own the file; the reader's classifier (`recognise.py`), `compliance ids` and
docs/ifc-conventions.md follow from it. Every problem names the file and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Union, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import RuleFileError

CONVENTIONS_FILE = "_conventions.yaml"
CONCEPTS = ("roof", "pv_panel", "solar_thermal", "solar_device", "heat_pump", "heat_recovery", "ev_charger",
            "parking_space", "building")
OPEN = "open"                    # a predefined type that says nothing: unset, NOTDEFINED, USERDEFINED
OPEN_TYPES = (None, "NOTDEFINED", "USERDEFINED")
SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3_ADD2")
# the `text` keys the reader reads as one regular expression (the number in its one group); every other
# `text` key maps a meaning to its words (current: {DC: [直流, DC], ...})
TEXT_PATTERNS = ("peak_power_w", "power_kw")


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Data):
    zh: str
    en: str


class ClassRule(_Data):
    ifc_class: str = Field(alias="class")
    predefined: Union[Literal["any"], tuple[str, ...]] = "any"

    def accepts(self, kind) -> bool:
        if self.predefined == "any":
            return True
        return kind in self.predefined or (OPEN in self.predefined and kind in OPEN_TYPES)


class Types(_Data):
    exact: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()


class PropRef(_Data):
    pset: str
    property: str


class ExposedSlab(_Data):
    min_height_m: float = Field(ge=0)
    min_area_m2: float = Field(ge=0)


class StallArea(_Data):
    typical: float = Field(gt=0)
    max: float = Field(gt=0)


class Concept(_Data):
    label: Label
    classes: tuple[ClassRule, ...] = ()
    hosts: Union[Literal["any"], tuple[str, ...]] = ()
    types: Types = Types()
    names: tuple[str, ...] = ()
    name_classes: Union[Literal["any"], tuple[str, ...]] = ()
    names_recognise: tuple[str, ...] = ()
    suspect_classes: tuple[ClassRule, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_over_class: bool = False      # exclusion words also rule out what class + predefined type establish
    properties: dict[str, tuple[PropRef, ...]] = {}
    text: dict[str, Union[str, dict[str, tuple[str, ...]]]] = {}
    exposed_slab: Optional[ExposedSlab] = None
    stall_area_m2: Optional[StallArea] = None
    renewable_sources: tuple[str, ...] = ()   # keys of text.source that make it a renewable source (heat recovery)
    class_source: dict[str, str] = {}         # the source a class implies when none is stated

    def props(self, role: str) -> tuple[PropRef, ...]:
        return self.properties.get(role, ())

    def pattern(self, key: str) -> str | None:
        """text.<key> as a regular expression (a key of TEXT_PATTERNS), None where not given."""
        value = self.text.get(key)
        return value if isinstance(value, str) else None

    def marks(self, key: str) -> dict[str, tuple[str, ...]]:
        """text.<key> as words by meaning, {} where not given."""
        value = self.text.get(key)
        return value if isinstance(value, dict) else {}


class ConventionsFile(_Data):
    version: int
    concepts: dict[str, Concept]


@dataclass(frozen=True)
class Conventions:
    """The loaded file: concepts in the file's order (recognition tries them in that order)."""

    file: Path
    concepts: dict[str, Concept]
    digest: str                       # sha256 of the file's bytes: part of the model cache key

    def __getitem__(self, name: str) -> Concept:
        return self.concepts[name]

    def indexed_psets(self) -> frozenset[str]:
        """Every property set a convention reads (only these are indexed: a whole-model index is the trap)."""
        return frozenset(ref.pset for c in self.concepts.values() for refs in c.properties.values() for ref in refs)


def default_rules_dir() -> Path:
    """The checker's own rule folder (a checkout's rules/, or the one an installed wheel carries)."""
    from ..bundled import bundled

    return bundled("rules")


def load_conventions(rules_dir: Path | None = None) -> Conventions:
    """The conventions of a rule folder; any problem is a RuleFileError naming the file and line."""
    conventions, problems = inspect_conventions(rules_dir)
    if problems:
        raise problems[0]
    assert conventions is not None
    return conventions


def inspect_conventions(rules_dir: Path | None = None) -> tuple[Conventions | None, list[RuleFileError]]:
    """Load what can be loaded and collect every problem (for `rules lint`)."""
    from ..yamlio import describe_validation_error, load_yaml

    file = Path(rules_dir or default_rules_dir()) / CONVENTIONS_FILE
    if not file.is_file():
        return None, [RuleFileError("the recognition conventions file is missing", file=file,
                                    hint=f"restore {CONVENTIONS_FILE} in the rules folder (docs/ifc-conventions.md)")]
    try:
        doc = load_yaml(file, RuleFileError, what="conventions file")
        if not isinstance(doc.data, dict):
            raise RuleFileError("conventions file must be a mapping with 'version' and 'concepts'", file=file, line=1)
        parsed = ConventionsFile.model_validate(doc.data)
    except ValidationError as exc:
        # cast: describe_validation_error returns an instance of the class it is given
        return None, [cast(RuleFileError, describe_validation_error(doc, exc, RuleFileError, what="conventions file",
                                                                    model=ConventionsFile))]
    except RuleFileError as exc:
        return None, [exc]
    problems = _problems(parsed, file, doc)
    conventions = Conventions(file, dict(parsed.concepts), hashlib.sha256(file.read_bytes()).hexdigest())
    return (None if problems else conventions), problems


def _problems(parsed: ConventionsFile, file: Path, doc) -> list[RuleFileError]:
    out = []

    def bad(msg: str, path: tuple, hint: str) -> None:
        out.append(RuleFileError(f"conventions: {msg}", file=file, line=doc.line_of(("concepts",) + path), hint=hint))

    for name in CONCEPTS:
        if name not in parsed.concepts:
            bad(f"concept '{name}' is missing", (), f"the reader needs every concept: {', '.join(CONCEPTS)}")
    known = _known_classes()
    for name, concept in parsed.concepts.items():
        if name not in CONCEPTS:
            bad(f"unknown concept '{name}'", (name,), f"known concepts: {', '.join(CONCEPTS)}")
        source_text = concept.text.get("source")
        sources = set(source_text) if isinstance(source_text, dict) else set()
        for key, values in (("renewable_sources", concept.renewable_sources),
                            ("class_source", tuple(concept.class_source.values()))):
            for given in values:
                if given not in sources:
                    bad(f"{key}: '{given}' is not a source of text.source", (name, key),
                        f"sources: {', '.join(sorted(sources)) or 'none'}")
        classes: list[tuple[tuple, str]] = [(("classes", i, "class"), r.ifc_class)
                                            for i, r in enumerate(concept.classes)]
        classes += [(("suspect_classes", i, "class"), r.ifc_class) for i, r in enumerate(concept.suspect_classes)]
        for key in ("hosts", "name_classes", "names_recognise"):
            value = getattr(concept, key)
            if value != "any":
                classes += [((key, i), c) for i, c in enumerate(value)]
        for path, cls in classes:
            if known and cls.upper() not in known:
                bad(f"'{cls}' is not an IFC class (IFC2X3, IFC4 or IFC4X3)", (name,) + path,
                    "spell it as the schema does, e.g. IfcBuildingElementProxy")
        for key, words in (("types.exact", concept.types.exact), ("types.contains", concept.types.contains),
                           ("names", concept.names), ("exclude", concept.exclude)):
            for i, word in enumerate(words):
                if not str(word).strip():
                    bad(f"an empty word in {key}", (name, *key.split("."), i), "remove it")
        for key, value in concept.text.items():
            if (key in TEXT_PATTERNS) != isinstance(value, str):   # the reader takes the other shape as absent
                bad(f"text.{key}: " + ("a regular expression is expected" if key in TEXT_PATTERNS else
                                       "words by meaning are expected (e.g. DC: [直流, DC])"), (name, "text", key),
                    "write it as the shipped rules/_conventions.yaml does")
                continue
            for pattern in [value] if isinstance(value, str) else []:
                try:
                    compiled = re.compile(pattern)
                except re.error as exc:
                    bad(f"text.{key}: not a regular expression ({exc})", (name, "text", key), "fix the pattern")
                    continue
                if compiled.groups != 1:
                    bad(f"text.{key}: the pattern needs exactly one group (the number)", (name, "text", key),
                        "write the number as (\\d+(?:\\.\\d+)?)")
    return out


def _known_classes() -> frozenset[str]:
    """Upper-case names of every entity of the three schemas (empty if ifcopenshell is absent)."""
    return frozenset().union(*known_classes(per_schema=True).values())


def known_classes(per_schema: bool = True) -> dict[str, frozenset[str]]:
    """Schema -> upper-case names of its entities."""
    try:
        from ifcopenshell import ifcopenshell_wrapper as wrapper
    except ImportError:                                    # pragma: no cover - ifcopenshell is a dependency
        return {}
    out = {}
    for schema in SCHEMAS:
        try:
            out[schema] = frozenset(d.name().upper() for d in wrapper.schema_by_name(schema).declarations())
        except Exception:                                  # an ifcopenshell without that schema
            continue
    return out
