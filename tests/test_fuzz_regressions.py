"""Every input with which a fuzzer found a bug (fuzz/README.md), run again through its reader.

tests/fuzz_seeds/<reader>/<what-it-exercises>.<ext>:
- metadata/*.yaml  written as submission.yaml, next to a copy of a sample's architecture.ifc
- rules/<TARGET>--<what>.yaml  replaces rules/<TARGET>.yaml in a copy of the rule set
- ifc/*.ifc  read as a model (one core, no geometry cache)

A reader may return its result or raise a ComplianceError whose message names the file; anything
else is a bug: another exception, a segfault, a hang or a blow-up in memory. Each case runs in a
forked child with a time and memory limit, so a crashing seed fails its own test instead of taking
the test run down with it.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import shutil
import signal
import tempfile
import traceback
from pathlib import Path

import pytest
from conftest import RULES, SAMPLES

SEEDS = Path(__file__).resolve().parent / "fuzz_seeds"
READERS = ("metadata", "rules", "ifc")
TIMEOUT_S = 20
MEMORY_HEADROOM = 2 << 30          # the child may grow by 2 GiB over what the test process maps


# --- running one input in isolation (also used by test_properties.py) ----------------------

def isolated(fn, timeout_s: int = TIMEOUT_S) -> dict:
    """Run `fn()` in a forked child. Returns {"outcome": "ok"} or {"outcome": "error", "message",
    "file"} (a ComplianceError) or {"outcome": "exception", "type", "traceback"} or
    {"outcome": "signal" | "timeout" | "memory", "detail"}."""
    from compliance.errors import ComplianceError

    stack = tempfile.TemporaryFile()                    # where the child's Python stack goes on a crash
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:                                        # the child: run, report, leave at once
        code = 0
        try:
            os.close(reader)
            faulthandler.enable(file=stack)
            try:
                with open("/proc/self/statm") as fh:
                    mapped = int(fh.read().split()[0]) * resource.getpagesize()
                resource.setrlimit(resource.RLIMIT_AS, (mapped + MEMORY_HEADROOM, resource.RLIM_INFINITY))
            except (OSError, ValueError):
                pass
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(timeout_s)
            try:
                fn()
                result = {"outcome": "ok"}
            except ComplianceError as exc:
                result = {"outcome": "error", "message": str(exc), "file": exc.file}
            except MemoryError:
                result = {"outcome": "memory", "detail": traceback.format_exc(limit=-8)}
            except BaseException as exc:   # noqa: BLE001 - any other exception is the finding
                result = {"outcome": "exception", "type": type(exc).__name__,
                          "traceback": traceback.format_exc(limit=-12)}
            signal.alarm(0)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(result))
        except BaseException:   # noqa: BLE001
            code = 3
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGALRM:
            return {"outcome": "timeout", "detail": f"no outcome within {timeout_s} s"}
        stack.seek(0)
        frames = [line for line in stack.read().decode(errors="replace").splitlines()
                  if "/compliance/" in line or "Fatal Python error" in line]
        return {"outcome": "signal", "detail": f"killed by {signal.Signals(sig).name}\n" + "\n".join(frames)}
    try:
        return pickle.loads(raw)
    except Exception:   # noqa: BLE001
        return {"outcome": "signal", "detail": f"child exited with {os.waitstatus_to_exitcode(status)}, no result"}


def assert_handled(result: dict, names: str) -> None:
    """A result, or a ComplianceError whose message contains `names` (the file's path)."""
    outcome = result["outcome"]
    if outcome == "ok":
        return
    if outcome == "error":
        assert names in result["message"], f"the error does not name the file ({names}): {result['message']}"
        return
    if outcome == "exception":
        pytest.fail(f"unhandled {result['type']}:\n{result['traceback']}", pytrace=False)
    pytest.fail(f"{outcome}: {result['detail']}", pytrace=False)


# --- the three readers, each given one input in a folder of its own ------------------------

def metadata_case(folder: Path, data: bytes, model: Path = SAMPLES / "pass-school" / "architecture.ifc"):
    """(fn, path the error must name): `data` as folder/submission.yaml next to a model."""
    from compliance.read.metadata import load_submission

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, folder / "architecture.ifc")
    (folder / "submission.yaml").write_bytes(data)
    return (lambda: load_submission(folder)), str(folder)


def rules_folder(folder: Path) -> Path:
    rules = folder / "rules"
    shutil.copytree(RULES, rules, ignore=shutil.ignore_patterns("district"))
    return rules


def rules_case(rules: Path, target: str, data: bytes):
    """(fn, path): `data` replaces rules/<target> in the copy `rules` (put back with restore_rules)."""
    from compliance.ruleset.loader import load_ruleset

    (rules / target).write_bytes(data)
    return (lambda: load_ruleset(rules)), str(rules)


def restore_rules(rules: Path, target: str) -> None:
    shutil.copyfile(RULES / target, rules / target)


def ifc_case(path: Path, data: bytes):
    """(fn, path): `data` as an IFC file, read with one core and no geometry cache."""
    from compliance.context import RunContext
    from compliance.read.model import read_model

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return (lambda: read_model(path, RunContext(rules_dir=RULES, cores=1, cache_dir=None))), str(path)


def _seeds() -> list:
    cases = []
    for reader in READERS:
        for path in sorted((SEEDS / reader).glob("*")):
            if path.is_file() and not path.name.startswith(".") and path.suffix in (".yaml", ".ifc"):
                cases.append(pytest.param(reader, path, id=f"{reader}/{path.name}"))
    return cases


@pytest.mark.parametrize("reader, seed", _seeds())
def test_fuzz_seed_is_handled(reader: str, seed: Path, tmp_path: Path) -> None:
    data = seed.read_bytes()
    if reader == "metadata":
        fn, names = metadata_case(tmp_path / "submission", data)
    elif reader == "rules":
        target = seed.name.partition("--")[0] + ".yaml"
        assert (RULES / target).is_file(), f"{seed.name}: rules/{target} does not exist (name seeds TARGET--what.yaml)"
        fn, names = rules_case(rules_folder(tmp_path), target, data)
    else:
        fn, names = ifc_case(tmp_path / seed.name, data)
    assert_handled(isolated(fn), names)


def test_there_are_seeds() -> None:
    """The folder layout the parametrisation reads (an empty or misnamed folder runs nothing)."""
    assert {p.name for p in SEEDS.iterdir() if p.is_dir()} >= set(READERS)
    assert _seeds(), "no regression seeds under tests/fuzz_seeds/"
