"""What changed between two checks of a submission: findings fixed, new, changed and still open.

A finding is a rule whose status needs someone's attention (fail, missing_data, manual_review)
or a reader note / cross-check finding (warning or uncertain) — the same things the verdict
report lists under "what needs attention".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

OPEN = ("fail", "missing_data", "manual_review")


def is_open(r: dict) -> bool:
    """A stored result that needs someone's attention: a status in OPEN, unless the verdict recorded it
    as nothing to do (non-blocking and not falling short: a tally's 不计入, RuleResult.falls_short)."""
    return r.get("status") in OPEN and not (r.get("falls_short") is False and r.get("blocks") is False)
NOTE_SEVERITIES = ("warning", "uncertain")
Change = Literal["fixed", "new", "changed", "open"]


@dataclass(frozen=True)
class FindingChange:
    change: Change
    what: str                        # rule id, or the note code
    before: Optional[str]            # status (rules) or severity (notes); None: absent from that check
    after: Optional[str]
    message: str                     # the latest message (English)
    message_zh: str
    measured_before: Optional[float] = None
    measured_after: Optional[float] = None
    unit: Optional[str] = None
    global_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckDiff:
    before_id: int
    after_id: int
    changes: tuple[FindingChange, ...]

    def of(self, change: Change) -> list[FindingChange]:
        return [c for c in self.changes if c.change == change]


def diff_checks(before_id: int, before: dict, after_id: int, after: dict) -> CheckDiff:
    """`before` / `after`: stored JSON verdicts (`{"results": [...], "notes": [...]}`); a failed check is {}."""
    changes = _rule_changes(before.get("results", []), after.get("results", []))
    changes += _note_changes(before.get("notes", []), after.get("notes", []))
    order = {"new": 0, "changed": 1, "open": 2, "fixed": 3}
    return CheckDiff(before_id, after_id, tuple(sorted(changes, key=lambda c: (order[c.change], c.what))))


def _rule_changes(before: list[dict], after: list[dict]) -> list[FindingChange]:
    old = {r["rule"]: r for r in before}
    new = {r["rule"]: r for r in after}
    out = []
    for rule in sorted(set(old) | set(new)):
        a, b = old.get(rule), new.get(rule)
        was = a["status"] if a and is_open(a) else None
        now = b["status"] if b and is_open(b) else None
        if was is None and now is None:
            continue
        change: Change
        if was and not now:
            change = "fixed"
        elif now and not was:
            change = "new"
        elif was != now or (a or {}).get("measured") != (b or {}).get("measured"):
            change = "changed"
        else:
            change = "open"
        latest = b or a
        assert latest is not None          # open in one check at least, so stored in it
        out.append(FindingChange(change, rule, a["status"] if a else None, b["status"] if b else None,
                                 latest["message"], latest.get("message_zh") or latest["message"],
                                 (a or {}).get("measured"), (b or {}).get("measured"), latest.get("unit"),
                                 tuple(g for e in latest.get("evidence", ()) for g in e.get("global_ids", ()))))
    return out


def _note_key(n: dict) -> tuple:
    return (n["code"], n.get("file"), tuple(n.get("global_ids", ())))


def _note_changes(before: list[dict], after: list[dict]) -> list[FindingChange]:
    old = {_note_key(n): n for n in before if n.get("severity") in NOTE_SEVERITIES}
    new = {_note_key(n): n for n in after if n.get("severity") in NOTE_SEVERITIES}
    out = []
    for key in sorted(set(old) | set(new), key=repr):
        a, b = old.get(key), new.get(key)
        change: Change = "open" if a and b else ("new" if b else "fixed")
        n = b or a
        assert n is not None               # the key is one of a check's notes
        out.append(FindingChange(change, n["code"], a["severity"] if a else None, b["severity"] if b else None,
                                 n["message"],
                                 n.get("message_zh") or n["message"], global_ids=tuple(n.get("global_ids", ()))))
    return out
