#!/usr/bin/env python3
"""Fuzz the submission metadata reader: `compliance.read.metadata.load_submission(folder)`.

Each input is the bytes of `submission.yaml`, written into a temporary folder that also holds a
copy of ifc_samples/pass-school/architecture.ifc (so `models: [architecture.ifc]` resolves). The
reader must return a submission or raise a ComplianceError whose message names the file; any other
exception propagates and atheris reports it (with the input saved as crash-<sha1>).

    .venv/bin/python fuzz/seeds.py build
    nice -n 10 .venv/bin/python fuzz/fuzz_metadata.py -max_total_time=600 -timeout=20 \
        -rss_limit_mb=4096 -artifact_prefix=fuzz/crashes/metadata/ fuzz/corpus/metadata
"""

from __future__ import annotations

import os
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

with atheris.instrument_imports(include=["compliance", "yaml", "pydantic"]):
    import yaml  # noqa: F401

    from compliance.errors import ComplianceError
    from compliance.read.metadata import load_submission
    from compliance.ruleset.loader import load_ruleset

FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-metadata-"))
shutil.copyfile(seeds.SAMPLES / "pass-school" / "architecture.ifc", FOLDER / "architecture.ifc")
META = FOLDER / "submission.yaml"
_settings = load_ruleset(seeds.RULES).settings
USES, ZONES = set(_settings.uses), set(_settings.zones)
VOCAB = mutators.YamlVocabulary(mutators.read_seeds(seeds.metadata_seeds()))


def check(folder: Path, **vocabulary) -> None:
    try:
        load_submission(folder, **vocabulary)
    except ComplianceError as exc:
        if str(folder) not in str(exc):
            raise AssertionError(f"the error does not name the file: {exc}") from exc


def TestOneInput(data: bytes) -> None:
    META.write_bytes(data)
    check(FOLDER)                                   # as `compliance extract` / the batch reads it
    check(FOLDER, uses=USES, zones=ZONES)           # as `compliance check` reads it


def CustomMutator(data: bytes, max_size: int, seed: int) -> bytes:
    return mutators.mutate_yaml(data, max_size, seed, VOCAB, atheris.Mutate)


def main() -> None:
    harness.fuzz(TestOneInput, CustomMutator, max_len=65536)


if __name__ == "__main__":
    main()
