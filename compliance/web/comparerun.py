"""One re-check of the filed submissions with a draft rule set, in its own process:
`python -m compliance.web.comparerun RUN_DIR` (started by comparing.py).

Reads RUN_DIR/run.json (the registry, the copied draft rules, the limits), writes progress.json
after each submission and result.json at the end: one row per filed submission (its latest filed
check, the stored verdict, the verdict with the draft, or why it could not be checked)."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def run(folder: Path) -> int:
    from ..batch.recheck import RecheckRun
    from ..limits import Limits
    from ..registry.store import Registry
    from .jobrun import read_json, write_json

    job = read_json(folder / "run.json") or {}
    registry = Registry(job.get("db"))
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        write_json(folder / "progress.json", {"step": step, "done": done, "total": total,
                                              "elapsed_s": round(time.perf_counter() - started, 1)})

    try:
        # from the facts stored with each filing: a draft is compared without opening one model
        rows = RecheckRun(registry, Path(job["rules_dir"]), jobs=1, limits=Limits(**job.get("limits", {}))).run(progress)
    finally:
        registry.close()
    write_json(folder / "result.json", {"rows": [r.as_json() for r in rows],
                                        "elapsed_s": round(time.perf_counter() - started, 1)})
    return 0


def main(argv: list[str]) -> int:
    from .jobrun import write_json

    folder = Path(argv[0])
    try:
        return run(folder)
    except Exception as exc:          # the registry or the draft failed: say so on the page
        from ..errors import ComplianceError

        text = str(exc) if isinstance(exc, ComplianceError) else f"internal error ({type(exc).__name__}: {exc})"
        write_json(folder / "result.json", {"failure": text})
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
