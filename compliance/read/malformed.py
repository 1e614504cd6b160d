"""A model that does not follow its IFC schema, told as one message naming the file and line.

The lazy parser hands back whatever the file holds at an attribute's position: a text where an
entity belongs, a list where a number belongs, 8-bit bytes no STEP string may hold. The readers
assume the schema; when the file breaks it, the error they raise is turned into an InputError
that names the first instance the schema validator finds wrong (for files small enough to
validate in a moment), else the error itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..errors import InputError

if TYPE_CHECKING:
    import logging

# What a reader raises when a value is not of the kind the schema promises (pydantic's
# ValidationError is a ValueError: a record refusing such a value).
MALFORMED = (AttributeError, TypeError, ValueError, UnicodeError, IndexError, KeyError)
VALIDATE_MAX_BYTES = 10e6        # the validator takes about 1 s per MB; past this, the error is named as is
HINT = ("validate the model (e.g. `python -m ifcopenshell.validate MODEL.ifc`) and fix or re-export it: "
        "a file that follows its schema has no such value")


def unreadable_value(path: Path, exc: RuntimeError) -> InputError:
    """The parser's complaint about one value (e.g. `1.E400`), at the line of the file it is on."""
    reason = _one_line(exc)
    line = None
    if (at := re.search(r"offset (\d+)", reason)) is not None:
        with open(path, "rb") as fh:
            line = fh.read(int(at.group(1))).count(b"\n") + 1
    return InputError(f"the model holds a value the IFC parser cannot read ({reason})", file=path, line=line,
                      hint="fix or re-export the model: a valid IFC file has no such value")


def malformed(path: Path, exc: Exception) -> InputError:
    """`exc` came from reading a value of an unexpected kind: name where the file breaks its
    schema. Where the validator finds nothing wrong (it does not see an entity id defined twice,
    one cause found by fuzzing), the message says so rather than blame the model outright."""
    if isinstance(exc, UnicodeError):
        what = "a text value holds bytes that are not valid STEP text (an exporter writing raw GBK or Latin-1?)"
    else:
        what = f"a value is not of the kind its schema says ({type(exc).__name__}: {_one_line(exc)})"
    validated, first = _first_invalid(path)
    if first is None and (twice := _defined_twice(path)) is not None:
        instance_id, lines = twice
        return InputError(f"the model does not follow its IFC schema: #{instance_id} is defined twice (lines "
                          f"{lines[0]} and {lines[1]}), so which one a reference means cannot be told", file=path,
                          line=lines[1], hint=HINT)
    if first is None and validated and not isinstance(exc, UnicodeError):
        return InputError(f"the model could not be read: {what}; the schema validator finds nothing wrong "
                          "with it (an entity id defined twice is one cause it does not see)", file=path,
                          hint="check the file for duplicate #ids; if it is sound, send it and the output "
                               "of --debug to the checker's maintainers")
    if first is None:
        return InputError(f"the model does not follow its IFC schema: {what}", file=path, hint=HINT)
    count, instance_id, text = first
    more = f" ({count - 1} more)" if count > 1 else ""
    return InputError(f"the model does not follow its IFC schema: {text}{more}", file=path,
                      line=_line_of_instance(path, instance_id), hint=HINT)


def _first_invalid(path: Path) -> tuple[bool, tuple[int, int, str] | None]:
    """(whether the file was validated, and if so (problems found, id of the first invalid
    instance, what is wrong with it) or None when it is valid)."""
    try:
        if path.stat().st_size > VALIDATE_MAX_BYTES:
            return False, None
        import ifcopenshell
        import ifcopenshell.validate

        from .ifcfile import native_path

        with native_path(path) as name:    # a path that is not UTF-8 too
            ifc = ifcopenshell.open(name)
        found = _Collect()
        # cast: a duck-typed logger (validate calls a Logger's error/warning/info/debug; _Collect has them)
        ifcopenshell.validate.validate(ifc, cast("logging.Logger", found), express_rules=False)
    except Exception:          # the validator cannot read it either: the reader's error is named
        return False, None
    for args in found.errors:
        instance = args[1] if len(args) > 1 else None
        if instance is not None and hasattr(instance, "id") and instance.id():
            return True, (len(found.errors), instance.id(), _describe(args, instance))
    return not found.errors, None


class _Collect:
    """A logger for ifcopenshell.validate that keeps the errors' arguments."""

    def __init__(self) -> None:
        self.errors: list[tuple] = []

    def error(self, *args, **kwargs) -> None:
        self.errors.append(args)

    def warning(self, *args, **kwargs) -> None:
        pass

    info = debug = warning


def _describe(args: tuple, instance) -> str:
    try:
        text = args[0] % args[1:]
    except (TypeError, ValueError):
        text = " ".join(map(str, args[1:]))
    attribute = re.search(r"<attribute (\w+)", text) or re.search(r"With inverse:\s*(\w+)", text)
    problem = "not optional" if "Not optional" in text else "not valid"
    name = f", attribute {attribute.group(1)}" if attribute else ""
    return f"#{instance.id()} {instance.is_a()}{name}: {problem}"


def _defined_twice(path: Path) -> tuple[int, tuple[int, int]] | None:
    """The first entity id defined twice and the lines of both (the validator does not see it:
    the parser keeps one of the two), or None. Only on this failure path, for files it validates."""
    if path.stat().st_size > VALIDATE_MAX_BYTES:
        return None
    seen: dict[bytes, int] = {}
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            found = re.match(rb"\s*#(\d+)\s*=", line)
            if found is None:
                continue
            if found.group(1) in seen:
                return int(found.group(1)), (seen[found.group(1)], number)
            seen[found.group(1)] = number
    return None


def _line_of_instance(path: Path, instance_id: int) -> int | None:
    pattern = re.compile(rb"^\s*#" + str(instance_id).encode() + rb"\s*=", re.M)
    with open(path, "rb") as fh:
        data = fh.read()
    found = pattern.search(data)
    return data[:found.start()].count(b"\n") + 1 if found else None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
