"""The one bound on every number the checker computes with, wherever it comes from (submission.yaml,
rule files, IFC quantities and properties, geometry): finite, and nearer 0 than ±10^15.

Why: durable-rules' native parser crashes the process on a number JSON writes with an exponent
(1e+20), on Infinity and on NaN (../shared/notes/FIELD-NOTES.md; compliance/evaluate/engine.py);
10^15 is also the engine's open end of a plausible range (evaluate/compile.SENTINEL), beyond every
threshold a rule may set. No building has a figure that large (10^15 m² is larger than the
Earth's surface), and two figures inside the bound multiply to a finite number. So a figure
outside it is a typo or a hostile file: refused with the file and line (YAML), or left out with a
finding naming the element (IFC: the rule cannot pass on it), before any arithmetic or engine
sees it.
"""

from __future__ import annotations

import math

MAX_MAGNITUDE = 1e15


def usable(value) -> bool:
    """True for an int or float that is finite and nearer 0 than MAX_MAGNITUDE (bools and
    anything that is not a number are not this module's business: True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if isinstance(value, int):
        return abs(value) < MAX_MAGNITUDE
    return math.isfinite(value) and abs(value) < MAX_MAGNITUDE


def why_unusable(value) -> str:
    """Why `value` is refused, in words (for a value `usable` refuses)."""
    if isinstance(value, float) and math.isnan(value):
        return "is not a number (NaN)"
    if isinstance(value, float) and math.isinf(value):
        return "is infinite (or too large for a computer to hold)"
    return "is beyond ±10^15, larger than any figure of a building"


def shown(value) -> str:
    """The value as a person reads it: 1e+308, inf, nan, or the integer's first digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return text if len(text) <= 20 else f"{text[:6]}…({len(text)} digits)"
    return f"{value:g}" if isinstance(value, float) else str(value)
