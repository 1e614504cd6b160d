"""Run a sample's check in a fresh interpreter and say what it printed and which heavy modules it
imported: the tests that hold the reports to their import budget (no matplotlib in a PDF, ...)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def after_checking(sample: Path, then: str, watch: tuple[str, ...] = ("matplotlib",)) -> tuple[list[str], set[str]]:
    """Check `sample` with the bundled rules in a new interpreter (the verdict is `v`), run `then`
    (which prints), and return (the words it printed, the modules of `watch` imported by the end)."""
    code = ("import json, sys\n"
            "from pathlib import Path\n"
            "from compliance.context import RunContext\n"
            "from compliance.pipeline import check_submission\n"
            f"v = check_submission(Path({str(sample)!r}), RunContext(rules_dir=Path({str(ROOT / 'rules')!r})))\n"
            f"{then}\n"
            f"print(json.dumps([m for m in {list(watch)!r} if m in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    *printed, imported = out.stdout.strip().splitlines()
    return " ".join(printed).split(), set(json.loads(imported))
