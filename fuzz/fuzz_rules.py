#!/usr/bin/env python3
"""Fuzz the rule-file reader: `load_ruleset(directory)` / `inspect_ruleset(directory)`.

`rules/` is copied once per process into a temporary folder. An input replaces ONE file of that
copy: its first byte picks the file (index into `seeds.rule_files()`, modulo their number), the
rest is the file's new content; the original is put back after the input. The reader must return
a rule set or RuleFileErrors (ComplianceError) that name a file of the folder; anything else
propagates and atheris reports it.

    .venv/bin/python fuzz/seeds.py build
    nice -n 10 .venv/bin/python fuzz/fuzz_rules.py -max_total_time=600 -timeout=20 \
        -rss_limit_mb=4096 -artifact_prefix=fuzz/crashes/rules/ fuzz/corpus/rules
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import mutators  # noqa: E402
import seeds  # noqa: E402

os.environ.setdefault("COMPLIANCE_CACHE", "off")

# Only the project is instrumented: an instrumented PyYAML resolver costs 5x per input here (31
# files parsed per input), and libyaml's C parser is not instrumented anyway.
with atheris.instrument_imports(include=["compliance"]):
    import compliance.derive.metrics  # noqa: F401  (imported lazily by the loader: instrument it here)
    from compliance.derive.metrics import metric_specs
    from compliance.errors import ComplianceError
    from compliance.ruleset.loader import inspect_ruleset
    metric_specs()                                  # imports the metric modules while instrumented
FILES = seeds.rule_files()
RULES = Path(tempfile.mkdtemp(prefix="fuzz-rules-")) / "rules"
shutil.copytree(seeds.RULES, RULES)
ORIGINAL = {name: (RULES / name).read_bytes() for name in FILES}
VOCAB = mutators.YamlVocabulary(list(ORIGINAL.values()))


def check(directory: Path) -> None:
    ruleset, problems = inspect_ruleset(directory)
    for problem in problems:
        if not isinstance(problem, ComplianceError):
            raise AssertionError(f"inspect_ruleset returned a {type(problem).__name__}: {problem!r}")
        if str(directory) not in str(problem):
            raise AssertionError(f"the error does not name the file: {problem}")
    if ruleset is None and not problems:
        raise AssertionError("inspect_ruleset returned neither a rule set nor a problem")
    # load_ruleset(directory) is inspect_ruleset + `raise problems[0]`: not run twice per input


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    name = FILES[data[0] % len(FILES)]
    target = RULES / name
    target.write_bytes(data[1:])
    try:
        check(RULES)
    finally:
        target.write_bytes(ORIGINAL[name])


def CustomMutator(data: bytes, max_size: int, seed: int) -> bytes:
    rng = random.Random(seed ^ 0x5EED)
    if not data or rng.random() < 0.04:             # start over from another real file
        index = rng.randrange(len(FILES))
        return (bytes([index]) + ORIGINAL[FILES[index]])[:max_size]
    head, body = data[:1], data[1:]
    if rng.random() < 0.02:                         # the same text in another file
        head = bytes([rng.randrange(256)])
    return head + mutators.mutate_yaml(body, max(0, max_size - 1), seed, VOCAB, atheris.Mutate)


def main() -> None:
    harness.fuzz(TestOneInput, CustomMutator, max_len=65536)


if __name__ == "__main__":
    main()
