"""Run one harness for a total time, restarting it after every crash, and log what it found.

    .venv/bin/python fuzz/run.py ifc --seconds 600 [--jobs-nice 10] [-- extra libFuzzer flags]

libFuzzer stops at the first crash, and its `-fork=1 -ignore_crashes=1` mode cannot re-run an
atheris harness (it re-executes argv[0], the .py file). This loop does it instead:

- runs `fuzz/fuzz_<reader>.py` with `-max_total_time=<what is left>`, `-timeout=20`,
  `-rss_limit_mb=4096`, `-artifact_prefix=fuzz/crashes/<reader>/` on `fuzz/corpus/<reader>/`
  (and, for ifc, `fuzz/corpus/ifc-shared/` read-only); the corpus grows across restarts;
- after a Python exception, adds its signature (harness.signature) to
  `fuzz/crashes/<reader>/known.txt`, which the next run swallows (FUZZ_KNOWN), so the run goes
  on to the next bug; a segfault, timeout or out-of-memory cannot be swallowed, so the same one
  may be found again (each is listed);
- appends one line per finding to `fuzz/crashes/<reader>/findings.tsv`
  (time, kind, signature, artifact, log) and one line per session to `fuzz/crashes/runs.tsv`
  (start, reader, seconds, execs, restarts, findings, final cov/ft).
Logs: fuzz/crashes/<reader>/log-<start>-<n>.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent


def _signature(log: str) -> tuple[str, str]:
    """(kind, signature) of the crash a log ends with."""
    m = re.search(r"FUZZ-SIGNATURE: (.+)", log)
    if m:
        return "exception", m.group(1).strip()
    if "ERROR: libFuzzer: timeout" in log:
        kind = "timeout"
    elif "out-of-memory" in log:
        kind = "oom"
    elif "deadly signal" in log or "Fatal Python error" in log:
        kind = "signal"
    else:
        kind = "exit"
    fatal = re.search(r"Fatal Python error: ([^\n]+)", log)
    # the innermost project frame of the Python stack faulthandler printed (most recent call first)
    block = log[log.rfind("most recent call first"):] if "most recent call first" in log else ""
    frame = re.search(r'File "[^"]*/(compliance/[^"]+)", line (\d+) in (\S+)', block)
    where = f"{frame.group(1)}:{frame.group(2)} {frame.group(3)}" if frame else "?"
    return kind, f"{kind}{' (' + fatal.group(1) + ')' if fatal else ''} @ {where}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("reader", choices=("metadata", "rules", "ifc"))
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("extra", nargs="*", help="more libFuzzer flags (after --)")
    args = parser.parse_args()

    crashes = FUZZ / "crashes" / args.reader
    crashes.mkdir(parents=True, exist_ok=True)
    corpus = [FUZZ / "corpus" / args.reader] + ([FUZZ / "corpus" / "ifc-shared"] if args.reader == "ifc" else [])
    if not corpus[0].is_dir():
        print("no corpus: run `.venv/bin/python fuzz/seeds.py build` first", file=sys.stderr)
        return 2
    known, stats = crashes / "known.txt", crashes / "stats.txt"
    known.touch()
    env = dict(os.environ, FUZZ_KNOWN=str(known), FUZZ_STATS=str(stats), FUZZ_ARTIFACTS=str(crashes), PYTHONUNBUFFERED="1")
    if args.reader == "ifc":
        env["COMPLIANCE_CACHE"] = "off"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    start = time.monotonic()
    execs, restarts, findings, last_cov = 0, 0, 0, ""
    while (left := int(args.seconds - (time.monotonic() - start))) > 5:
        stats.write_text("0")
        log_path = crashes / f"log-{stamp}-{restarts}.txt"
        cmd = ["nice", "-n", str(args.nice), sys.executable, str(FUZZ / f"fuzz_{args.reader}.py"),
               f"-max_total_time={left}", "-timeout=20", "-rss_limit_mb=4096", "-print_final_stats=1",
               f"-artifact_prefix={crashes}/", *args.extra, *map(str, corpus)]
        with open(log_path, "w") as log_file:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        log = log_path.read_text(errors="replace")
        final = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
        counted = int(stats.read_text() or 0) if stats.exists() else 0
        execs += int(final.group(1)) if final else counted
        covs = re.findall(r"cov: (\d+) ft: (\d+)", log)
        if covs:
            last_cov = f"cov {covs[-1][0]} ft {covs[-1][1]}"
        written = re.findall(r"Test unit written to (\S+)", log) or re.findall(r"FUZZ-INPUT: (\S+)", log)
        artifact = written[-1] if written else None       # the last: a forked child may have written one before
        contained = log.count("deadly signal") if proc.returncode == 0 else 0
        if contained:   # the reader forks the geometry kernel: a crash there is the child's, and handled
            with open(crashes / "findings.tsv", "a") as out:
                out.write(f"{datetime.now():%Y-%m-%d %H:%M:%S}\tcontained\t{contained} crash(es) in forked "
                          f"children, handled by the reader\t-\t{log_path.name}\trc=0\n")
        if proc.returncode != 0:
            kind, sig = _signature(log)
            findings += 1
            with open(crashes / "findings.tsv", "a") as out:
                out.write(f"{datetime.now():%Y-%m-%d %H:%M:%S}\t{kind}\t{sig}\t"
                          f"{artifact or '-'}\t{log_path.name}\trc={proc.returncode}\n")
            print(f"[{args.reader}] {kind}: {sig} -> {artifact or 'no artifact'}", flush=True)
            if kind == "exception":
                with open(known, "a") as out:
                    out.write(sig + "\n")
            restarts += 1
            if not artifact and kind == "exit":      # the harness itself is broken: do not spin
                print(log[-3000:], file=sys.stderr)
                break
        else:
            break
    seconds = int(time.monotonic() - start)
    line = (f"{datetime.now():%Y-%m-%d %H:%M}\t{args.reader}\t{seconds}\t{execs}\t{restarts}\t{findings}\t{last_cov}\n")
    with open(FUZZ / "crashes" / "runs.tsv", "a") as out:
        out.write(line)
    print(f"[{args.reader}] {seconds} s, {execs} execs, {restarts} restarts, {findings} findings, {last_cov}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
