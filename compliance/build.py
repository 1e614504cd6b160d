"""Which build of the checker made a verdict, and which build of the reader extracted a model's facts.

A check's key names the build (`build_identity`), so a fixed checker never serves a verdict an
older one stored: the registry's key is inputs + rules + as-of date + build, and a check made by
other code is another check. The build is the package version (from the installed distribution's
metadata, else `compliance.__version__`) plus a hash of the source of every stage that shapes a
verdict — read, derive, evaluate, ruleset and the pipeline — and of the geometry kernel's version.
Report formats, the web app, the office service and the commands are left out: they present a
verdict, they do not decide it. The conventions and thresholds are the rule set's files, named by
the rule set's own identity in the key.

The reader's facts (registry/facts.py) are keyed by `reader_identity`: the reader's own code
(compliance/read), the kernel's version and the recognition conventions — so facts are reused
across rule changes and fixes elsewhere, and never across a change of the reader.

The hashes are computed once per process from the files on disk (about 1 ms for the ~60 files),
never at import time. An installed wheel holds the very same .py files under the same relative
paths, so it computes the same build as the checkout it was built from (tests/test_wheel.py).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DISTRIBUTION = "yangpu-compliance"
# what decides a verdict: these sub-packages and modules of compliance/ (everything else presents it)
VERDICT_CODE = ("read", "derive", "evaluate", "ruleset", "pipeline.py", "context.py", "limits.py", "errors.py",
                "text.py", "yamlio.py", "numbers.py")
READER_CODE = ("read", "context.py", "limits.py", "errors.py", "yamlio.py", "text.py", "numbers.py")
# imported by that code without shaping what it decides (tests/test_recheck.py checks that nothing else is);
# `bundled` only names the checker's own folders (a rule set is keyed by its own identity)
NOT_SHAPING = ("build", "registry", "district", "bundled")


def code_hash(root: Path, parts: tuple[str, ...]) -> str:
    """SHA-256 over the relative path and bytes of every .py file under `root`/part (sorted)."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for part in parts:
        path = root / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    for file in sorted(set(files)):
        digest.update(f"{file.relative_to(root).as_posix()}\0".encode())
        digest.update(file.read_bytes())
        digest.update(b"\n")
    return digest.hexdigest()


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:      # run from a source tree that is not installed
        from . import __version__

        return __version__


def _kernel() -> str:
    import ifcopenshell

    return str(getattr(ifcopenshell, "version", "?"))


@lru_cache(maxsize=1)
def build_identity() -> str:
    """'0.1.0+1a2b3c4d5e6f': the package version and 12 hex digits of the verdict code's hash.
    (lru_cache: one value per process by construction — the code on disk cannot change under a
    running process without it being another build anyway.)"""
    digest = hashlib.sha256(f"{code_hash(PACKAGE, VERDICT_CODE)}\n{_kernel()}".encode()).hexdigest()
    return f"{package_version()}+{digest[:12]}"


@lru_cache(maxsize=1)
def _reader_code() -> str:
    return hashlib.sha256(f"{code_hash(PACKAGE, READER_CODE)}\n{_kernel()}".encode()).hexdigest()


def reader_identity(conventions_digest: str) -> str:
    """What a model's stored facts are keyed by, besides its content: the reader's code and the
    recognition conventions it read them with (64 hex digits)."""
    return hashlib.sha256(f"{_reader_code()}\n{conventions_digest}".encode()).hexdigest()
