"""Reproduce a crash input, and shrink it line by line while it fails the same way.

    .venv/bin/python fuzz/minimize.py READER FILE                # what happens: ok / error / crash
    .venv/bin/python fuzz/minimize.py READER FILE -o OUT         # shrink FILE to OUT (same outcome)

READER is metadata, rules or ifc; FILE is an input as the harness takes it (for rules: first byte
= which file, as in fuzz/crashes/rules/crash-*), or a regression seed (tests/fuzz_seeds/...: for
rules the target file is taken from the seed's name). Every attempt runs in a forked child, so a
segfault, a hang (20 s) or a blow-up in memory (RLIMIT_AS 4 GiB) is an outcome like any other.
The outcome is compared by signature: "<ExceptionType> @ <innermost project frame>", or
"signal N", or "timeout". The shrinking is ddmin over lines (for IFC: over the DATA section's
lines, the header and the end marker are kept), then over each remaining line's characters.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("COMPLIANCE_CACHE", "off")

import harness  # noqa: E402
import seeds  # noqa: E402

TIMEOUT_S = 20
WORK = Path(tempfile.mkdtemp(prefix="fuzz-minimize-"))


def _reader(name: str):
    """(run(data), describe) for one reader; imports everything before any fork."""
    from compliance.context import RunContext
    from compliance.errors import ComplianceError
    from compliance.read.metadata import load_submission
    from compliance.read.model import read_model
    from compliance.ruleset.loader import inspect_ruleset

    if name == "metadata":
        folder = WORK / "submission"
        folder.mkdir()
        shutil.copyfile(seeds.SAMPLES / "pass-school" / "architecture.ifc", folder / "architecture.ifc")

        def run(data: bytes):
            (folder / "submission.yaml").write_bytes(data)
            return load_submission(folder)
    elif name == "rules":
        rules = WORK / "rules"
        shutil.copytree(seeds.RULES, rules)
        files = seeds.rule_files()

        def run(data: bytes):
            target = rules / files[data[0] % len(files)]
            original = target.read_bytes()
            target.write_bytes(data[1:])
            try:
                ruleset, problems = inspect_ruleset(rules)
                if problems:
                    raise problems[0]
                return ruleset
            finally:
                target.write_bytes(original)
    else:
        path = WORK / "x.ifc"

        def run(data: bytes):
            path.write_bytes(data)
            return read_model(path, RunContext(rules_dir=seeds.RULES, cores=1, cache_dir=None))
    return run, ComplianceError


def outcome(run, error_cls, data: bytes) -> str:
    """The signature of what `run(data)` does, in a forked child."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code = 0
        try:
            resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
            signal.alarm(TIMEOUT_S)
            try:
                run(data)
                result = "ok"
            except error_cls as exc:
                result = f"error: {exc}"
            except BaseException as exc:   # noqa: BLE001 - the point is to see any of them
                result = harness.signature(exc)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(result))
        except BaseException:   # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return "timeout" if sig == signal.SIGALRM else f"signal {signal.Signals(sig).name}"
    try:
        return pickle.loads(raw)
    except Exception:   # noqa: BLE001
        return f"exit {os.waitstatus_to_exitcode(status)}"


def _ddmin(items: list, test) -> list:
    """The classic ddmin: a 1-minimal sublist of `items` for which test(sublist) holds."""
    n = 2
    while len(items) >= 2:
        chunk = max(1, len(items) // n)
        parts = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        reduced = False
        for k in range(len(parts)):
            rest = [x for j, part in enumerate(parts) if j != k for x in part]
            if test(rest):
                items, n, reduced = rest, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    return items


def minimize(reader: str, data: bytes, want: str, run, error_cls) -> bytes:
    head = b""
    if reader == "rules":
        head, data = data[:1], data[1:]
    lines = data.split(b"\n")
    keep_before, keep_after = [], []
    if reader == "ifc" and b"DATA;" in lines:
        start = lines.index(b"DATA;") + 1
        end = next((i for i in range(len(lines) - 1, start - 1, -1) if lines[i].startswith(b"ENDSEC")), len(lines))
        keep_before, keep_after, lines = lines[:start], lines[end:], lines[start:end]
    tries = [0]

    def build(body: list[bytes]) -> bytes:
        return head + b"\n".join(keep_before + body + keep_after)

    def test(body: list[bytes]) -> bool:
        tries[0] += 1
        return outcome(run, error_cls, build(body)) == want

    lines = _ddmin(lines, test)
    for i in range(len(lines)):           # then the characters of each line, in halves
        chars = list(lines[i])
        if len(chars) < 8:
            continue
        chars = _ddmin([bytes([c]) for c in chars],
                       lambda cs, i=i: test(lines[:i] + [b"".join(cs)] + lines[i + 1:]))
        lines[i] = b"".join(chars)
    if reader == "ifc":                   # the header too, now that the data is small
        keep_before = _ddmin(keep_before, lambda hb: outcome(run, error_cls, head + b"\n".join(
            hb + lines + keep_after)) == want)
    print(f"{tries[0]} attempts", file=sys.stderr)
    return build(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reader", choices=seeds.READERS)
    parser.add_argument("file", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    data = args.file.read_bytes()
    if args.reader == "rules" and "fuzz_seeds" in str(args.file):
        target, _ = seeds.split_rules_seed(args.file.name)
        data = bytes([seeds.rule_files().index(target)]) + data
    run, error_cls = _reader(args.reader)
    want = outcome(run, error_cls, data)
    print(f"{args.file}: {want}")
    if args.output:
        if want == "ok" or want.startswith("error:"):
            print("nothing to shrink: the reader handles this input", file=sys.stderr)
            return 1
        small = minimize(args.reader, data, want, run, error_cls)
        if args.reader == "rules":            # a regression seed is the file's text alone, named by its file
            target = seeds.rule_files()[small[0] % len(seeds.rule_files())][:-5]
            small = small[1:]
            if "--" not in args.output.name:
                args.output = args.output.with_name(f"{target}--{args.output.name}")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(small)
        print(f"{args.output}: {len(small)} bytes (from {len(data)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
