"""What an element is, by the conventions file: recognised, suspect, excluded, or nothing.

Texts are compared as the file's header says: NFKC, upper case; `types` as tokens (spaces,
'_', '-', '.', '·' removed) of the ObjectType, the type's ElementType and the type's Name, whole
and per part of Revit's `Family:Type`; `names` and `exclude` as words (Chinese anywhere, Latin
whole words). Decisions that depend only on the class, predefined type, ObjectType and type
object are taken once per such combination; names are looked at per element, and only when the
combined name pattern of every concept finds something.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from .conventions import OPEN_TYPES, Concept, Conventions

Tier = Literal["recognised", "suspect", "excluded"]
_SEPARATORS = re.compile(r"[\s_\-.·・]+")


def normal(text) -> str:
    """NFKC (full-width -> half-width), upper case."""
    return unicodedata.normalize("NFKC", str(text or "")).upper()


def token(text) -> str:
    """'Solar Panel' -> 'SOLARPANEL'; 'ＰＶ　Ｍｏｄｕｌｅ' -> 'PVMODULE'."""
    return _SEPARATORS.sub("", normal(text))


def parts(text) -> list[str]:
    """The tokens a type text is compared by: whole, and each part of 'Family:Type[:Id]'."""
    whole = normal(text)
    out = [token(whole)]
    if ":" in whole or "：" in whole:
        out += [token(p) for p in re.split(r"[:：]", whole) if token(p)]
    return out


def word_pattern(words) -> re.Pattern | None:
    """Chinese words anywhere; Latin words as whole words (separators inside a word optional)."""
    alternatives = []
    for word in words:
        w = normal(word).strip()
        if not w:
            continue
        body = r"[\s_\-.]*".join(re.escape(piece) for piece in w.split())
        if w.isascii():
            body = rf"(?<![A-Z0-9]){body}(?![A-Z])"
        alternatives.append(body)
    return re.compile("|".join(alternatives)) if alternatives else None


def predefined(element, el_type) -> tuple[str | None, str | None]:
    """(predefined type, where it was read): the occurrence's unless it is open, else its type's."""
    own = getattr(element, "PredefinedType", None)
    if own not in OPEN_TYPES:
        return own, f"{element.is_a()}.PredefinedType = {own}"
    typed = getattr(el_type, "PredefinedType", None) if el_type is not None else None
    if typed not in OPEN_TYPES:
        return typed, f"type {el_type.is_a()}.PredefinedType = {typed}"
    return own, None


def type_texts(element, el_type) -> list[tuple[str, str]]:
    """(text, where) of the occurrence's ObjectType, the type's ElementType and Name."""
    out = []
    if getattr(element, "ObjectType", None):
        out.append((element.ObjectType, f"{element.is_a()}.ObjectType = '{element.ObjectType}'"))
    if el_type is not None:
        for attr in ("ElementType", "Name"):
            value = getattr(el_type, attr, None)
            if value:
                out.append((value, f"type {el_type.is_a()}.{attr} = '{value}'"))
    return out


def name_texts(element) -> list[tuple[str, str]]:
    """(text, where) of the Name, and the LongName of a spatial element (a space)."""
    out = []
    name = element[2]                   # IfcRoot.Name by position: an attribute look-up by name costs 6×
    if name:
        out.append((name, f"{element.is_a()}.Name = '{name}'"))
    if element.is_a("IfcSpatialElement") or element.is_a("IfcSpatialStructureElement"):
        long_name = getattr(element, "LongName", None)
        if long_name:
            out.append((long_name, f"{element.is_a()}.LongName = '{long_name}'"))
    return out


@dataclass(frozen=True)
class Match:
    concept: str
    tier: Tier
    why: str                  # provenance, English (the reports' own words)
    why_zh: str
    by_class: bool = False    # recognised by class and predefined type (not by words)


class _Compiled:
    """One concept, ready to match."""

    def __init__(self, name: str, concept: Concept) -> None:
        self.name, self.concept = name, concept
        self.exact = frozenset(token(w) for w in concept.types.exact)
        self.contains = tuple(token(w) for w in concept.types.contains)
        self.names = word_pattern(concept.names)
        self.exclude = word_pattern(concept.exclude)

    def is_a(self, element, classes) -> bool:
        if classes == "any":
            return element.is_a("IfcElement")
        return any(element.is_a(c) for c in classes)

    def by_class(self, element, kind, where) -> str | None:
        for rule in self.concept.classes:
            if element.is_a(rule.ifc_class) and rule.accepts(kind):
                return where or (element.is_a() if rule.predefined == "any" else f"{element.is_a()} ({kind or 'no type'})")
        return None

    def by_types(self, texts) -> str | None:
        for text, where in texts:
            for tok in parts(text):
                if tok in self.exact or any(w in tok for w in self.contains):
                    return where
        return None

    def by_names(self, texts) -> str | None:
        return _first(self.names, texts)

    def excluded(self, texts) -> str | None:
        return _first(self.exclude, texts)

    def suspect_class(self, element, kind) -> bool:
        return any(element.is_a(r.ifc_class) and r.accepts(kind) for r in self.concept.suspect_classes)


class Recogniser:
    """Classifies elements by the conventions; memoises what depends on the type alone."""

    def __init__(self, conventions: Conventions) -> None:
        self.conventions = conventions
        self.compiled = [_Compiled(n, c) for n, c in conventions.concepts.items()]
        self.any_name = word_pattern(w for c in conventions.concepts.values() for w in c.names)
        self._by_key: dict[tuple, tuple[Match, ...]] = {}

    def matches(self, element, el_type) -> tuple[Match, ...]:
        """Every match of the element: at most one recognised (or excluded) concept, and suspects."""
        key = (element.is_a(), getattr(element, "PredefinedType", None), getattr(element, "ObjectType", None),
               el_type.id() if el_type is not None else 0)
        typed = self._by_key.get(key)
        if typed is None:
            typed = self._by_key[key] = self._typed(element, el_type)
        names = name_texts(element)
        if not names or self.any_name is None or not any(self.any_name.search(normal(t)) for t, _ in names):
            return self._vetted(typed, element, el_type, names) if typed else typed
        return self._with_names(typed, element, el_type, names)

    def _typed(self, element, el_type) -> tuple[Match, ...]:
        """What class, predefined type and type texts say (names aside)."""
        kind, where = predefined(element, el_type)
        texts = type_texts(element, el_type)
        out: list[Match] = []
        for c in self.compiled:
            recognised = c.by_class(element, kind, where)
            by_class = recognised is not None
            if recognised is None and c.is_a(element, c.concept.hosts) and kind in OPEN_TYPES:
                found = c.by_types(texts)
                recognised = f"{found} (convention)" if found else None
            if recognised is not None:
                out.insert(0, Match(c.name, "recognised", recognised, recognised, by_class))
                break
        counted = out[0].concept if out else None
        for c in self.compiled:
            if c.name == counted:
                continue
            if c.suspect_class(element, kind):
                out.append(_suspect(c, f"{element.is_a()} ({kind or 'no predefined type'})",
                                    "its class alone does not say which", "仅凭其类别无法判断"))
            elif found := c.by_types(texts):
                # its type also says something else (a roof slab typed 光伏屋面板): counted as the one,
                # a suspect of the other, so neither reading is silently dropped
                out.append(_suspect(c, found, f"its type says {c.concept.label.en}, but its class or predefined "
                                    "type says otherwise" + (f" (it is counted as {counted.replace('_', ' ')})"
                                                             if counted else ""),
                                    f"其类型名称显示为{c.concept.label.zh}，但其类别或预定义类型不符"
                                    + (f"（已按 {counted} 计入）" if counted else "")))
        return tuple(out)

    def _vetted(self, typed, element, el_type, names) -> tuple[Match, ...]:
        """Exclusion words (in names or type texts) veto a concept."""
        texts = names + type_texts(element, el_type)
        out = []
        for m in typed:
            c = self._concept(m.concept)
            # a word does not overrule what the class says (a SOLARPANEL named '光伏组件及支架'), unless
            # the concept says its exclusions do (bicycle spaces typed PARKING)
            overruled = m.by_class and not c.concept.exclude_over_class
            veto = None if overruled else c.excluded(texts)
            if veto is None:
                out.append(m)
            else:                           # listed, so a designer sees why it is not counted
                out.append(Match(m.concept, "excluded", f"{m.why}; excluded by {veto}", f"{m.why_zh}；因 {veto} 排除"))
        return tuple(out)

    def _with_names(self, typed, element, el_type, names) -> tuple[Match, ...]:
        out = list(typed)
        counted = next((m.concept for m in typed if m.tier == "recognised"), None)
        flagged = {m.concept for m in typed}
        for c in self.compiled:
            if c.name in flagged or (found := c.by_names(names)) is None:
                continue
            if counted is None and element.is_a() in c.concept.names_recognise:
                out.insert(0, Match(c.name, "recognised", f"{found} (naming convention)", f"{found}（命名约定）"))
                counted = c.name
            elif counted is None and c.is_a(element, c.concept.name_classes):
                out.append(_suspect(c, found, f"its name says {c.concept.label.en}, but its class and type do not",
                                    f"其名称显示为{c.concept.label.zh}，但其类别与类型未表明"))
        return self._vetted(tuple(out), element, el_type, names)

    def _concept(self, name: str) -> _Compiled:
        return next(c for c in self.compiled if c.name == name)


def _first(pattern: re.Pattern | None, texts) -> str | None:
    """Where the first of `texts` holds a word of `pattern`, or None."""
    if pattern is not None:
        for text, where in texts:
            if pattern.search(normal(text)):
                return where
    return None


def _suspect(c: _Compiled, where: str, en: str, zh: str) -> Match:
    return Match(c.name, "suspect", f"{where}: {en}", f"{where}：{zh}")
