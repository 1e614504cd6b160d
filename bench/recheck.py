"""The `recheck` group of the benchmark: re-checking N stored filings after a rule change, from the
facts the registry keeps (`compliance recheck`) against re-reading every model (`compliance batch`
with the new rules), side by side in one run.

N filings are N copies of the largest size's submission, each with its own id and a distinct
trailing STEP comment (so each is a different file, read afresh), filed by one `compliance
batch` (not timed: it is the intake that stores the facts). The rule change is PV-1's threshold
(50 % -> 40 %) in a copy of rules/. Every timed run starts from a copy of the filed registry, so
each repeat does the same work: the batch checks all N again (other rules: other checks), the
recheck evaluates all N from facts. The recheck run fails unless all N were re-checked from facts.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

try:
    from cluster import copies
    from measure import VERDICT_CODES, fmt, ratio, section
except ImportError:                                  # imported as bench.recheck
    from bench.cluster import copies
    from bench.measure import VERDICT_CODES, fmt, ratio, section

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10.0          # recheck from facts at least this many times faster than re-reading


def _changed_rules(root: Path, work: Path) -> Path:
    rules = work / "rules-pv1-40"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(root / "rules", rules)
    pv1 = rules / "PV-1.yaml"
    text = pv1.read_text(encoding="utf-8")
    if text.count("  value: 50\n") != 1:
        raise SystemExit("bench/recheck.py: PV-1.yaml no longer writes its threshold as '  value: 50': update it")
    pv1.write_text(text.replace("  value: 50\n", "  value: 40\n"), encoding="utf-8")
    return rules


def _copy_db(src: Path, dst: Path) -> None:
    dst.unlink(missing_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def recheck_group(b) -> dict:
    """Run the group on Bench `b`; returns what the report needs (or {} when the model is missing)."""
    size = max(b.args.sizes)
    if (size, True) not in b.models:
        return {}
    count = b.args.recheck_count or (3 if b.args.quick else 16)
    print(f"\n== recheck: {count} filings of the {size:,}-entity submission ==", file=sys.stderr, flush=True)
    work = b.work / "recheck"
    shutil.rmtree(work, ignore_errors=True)
    inbox = copies(b.folder(size), work / "inbox", count, "R")
    filed, rules = work / "filed.sqlite", _changed_rules(ROOT, work)
    jobs = str(b.cores)
    intake = b.measure("recheck: file the submissions", [b.cli, "batch", str(inbox), "--db", str(filed), "-o",
                                                         str(work / "intake"), "--format", "json", "--jobs", jobs],
                       repeat=1, ok=VERDICT_CODES)
    if not intake.ok:
        return {}
    run_db, report = work / "run.sqlite", work / "recheck.json"

    def reread(_i: int) -> list[str]:
        _copy_db(filed, run_db)
        shutil.rmtree(work / "out", ignore_errors=True)
        return [b.cli, "batch", str(inbox), "--db", str(run_db), "--rules", str(rules), "-o", str(work / "out"),
                "--format", "json", "--jobs", jobs]

    def from_facts(_i: int) -> list[str]:
        _copy_db(filed, run_db)
        report.unlink(missing_ok=True)
        return [b.cli, "recheck", "--db", str(run_db), "--rules", str(rules), "--jobs", jobs, "--json", str(report)]

    def all_from_facts(_run) -> str | None:
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        n = data.get("from_facts", 0)
        return None if n == count else f"{n} of {count} filings re-checked from facts"

    out = {"count": count, "size": size}
    out["reread"] = b.measure("re-read: batch --rules NEW", reread, ok=VERDICT_CODES)
    out["facts"] = b.measure("recheck --rules NEW (facts)", from_facts, ok=frozenset({0, 1}), validate=all_from_facts)
    return out


def recheck_section(data: dict) -> list[str]:
    if not data:
        return []
    reread, facts = data["reread"], data["facts"]
    rows = [[name, fmt(r.median), fmt(ratio(data["count"], r.median), 2), fmt(r.peak_mib, 1)] if r.ok
            else [name, f"FAILED ({r.error})", "", ""] for name, r in (("re-read every model (batch)", reread),
                                                                     ("from stored facts (recheck)", facts))]
    rows.append(["speed-up", fmt(ratio(reread.median, facts.median), 1, "×"), "", ""])
    return section(f"Re-check after a rule change: {data['count']} filings of the {data['size']:,}-entity model",
                     ["how", "median s", "filings/s", "peak MiB"], rows)


def recheck_target(data: dict) -> list[list[str]]:
    if not data or not data["reread"].ok or not data["facts"].ok:
        return [[f"recheck from facts ≥ {TARGET:g}× faster than re-reading", "–", "n/a"]]
    speed = data["reread"].median / data["facts"].median
    return [[f"recheck from facts ≥ {TARGET:g}× faster than re-reading", f"{speed:.1f}× ({data['count']} filings)",
             "pass" if speed >= TARGET else "**MISS**"]]
