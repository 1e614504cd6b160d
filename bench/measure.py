"""Measuring one command: wall time and the child's peak memory, repeated; and the small helpers
the benchmark's tables need (medians, growth slopes, the machine's description).

Every measurement is a separate child process. Wall time is time.perf_counter() around the child's
whole life (start-up, import, work and exit); peak memory is ru_maxrss of the rusage that
os.wait4() returns for that child (KiB on Linux; the kernel reports the larger of the child's own
peak and that of the largest of the children it reaped itself; run_once(adopt=True) also counts
the descendants it leaves unreaped, such as a batch's workers). Nothing runs at import time.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import shlex
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

VERDICT_CODES = frozenset({0, 1, 3})     # the checker's verdicts: compliant, non-compliant, incomplete
STDERR_TAIL = 15                         # lines of a failed child's stderr printed


@dataclass
class Run:
    seconds: float
    peak_kib: int
    code: int
    stdout: str
    stderr: str


@dataclass
class Result:
    """All repeats of one measurement. `error` is set when a repeat failed (the rest are not run)."""
    name: str
    times: list[float] = field(default_factory=list)
    peaks_kib: list[int] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)      # each repeat's stdout
    error: str | None = None
    entities: int = 0                                      # size of the model measured (0: none)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.ok else None

    @property
    def best(self) -> float | None:
        return min(self.times) if self.ok else None

    @property
    def peak_mib(self) -> float | None:
        return max(self.peaks_kib) / 1024 if self.ok and self.peaks_kib else None


def run_once(cmd: list[str], cwd: Path | None = None, timeout: float | None = None, adopt: bool = False,
             env: dict[str, str] | None = None) -> Run:
    """Start `cmd`, wait for it with os.wait4 and return its wall time, peak RSS and output.

    adopt: also count the processes `cmd` leaves behind (multiprocessing's forkserver, which `cmd`
    never reaps, and through it the workers): this process becomes their subreaper while `cmd`
    runs and reaps them afterwards; the peak is the largest of them all.
    """
    # fork, not vfork: a vforked child's ru_maxrss starts at this process's own peak RSS (exec keeps
    # the larger of the two), whereas a forked one starts at this process's current RSS, kept small.
    subprocess._USE_VFORK = False                     # documented switch (Python 3.11+)
    subprocess._USE_POSIX_SPAWN = False
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        adopt = adopt and _subreaper(True)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)     # reaped here: Popen must not wait again
        peak = max(usage.ru_maxrss, _reap_adopted() if adopt else 0)
        if adopt:
            _subreaper(False)
        out.seek(0)
        err.seek(0)
        return Run(seconds, peak, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _subreaper(on: bool) -> bool:
    """prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants become our children (Linux only)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_adopted(wait_s: float = 30.0) -> int:
    """Reap the adopted orphans as they exit (for at most `wait_s`); their largest ru_maxrss."""
    peak, deadline = 0, time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:          # none left
            break
        if pid:
            peak = max(peak, usage.ru_maxrss)
        else:
            time.sleep(0.02)
    return peak


def measure(name: str, cmd, repeat: int, ok_codes=frozenset({0}), cwd: Path | None = None,
            timeout: float | None = None, validate=None, adopt: bool = False, env: dict[str, str] | None = None,
            log=print) -> Result:
    """Run `cmd` (a list, or a function of the repeat's index returning one) `repeat` times.

    An exit code outside `ok_codes`, or a message from `validate(run)`, marks the measurement
    failed, prints the tail of the child's stderr and stops repeating it; it never raises for that.
    """
    result = Result(name)
    for i in range(repeat):
        args = cmd(i) if callable(cmd) else cmd
        run = run_once(args, cwd=cwd, timeout=timeout, adopt=adopt, env=env)
        why = None
        if run.code not in ok_codes:
            why = f"killed by signal {-run.code}" if run.code < 0 else f"exit {run.code}"
        elif validate:
            why = validate(run)
        if why:
            result.error = why
            tail = "\n".join(run.stderr.rstrip().splitlines()[-STDERR_TAIL:])
            log(f"  ! {name}: FAILED ({why}) after {run.seconds:.1f} s\n    $ {shlex.join(args)}\n"
                + "\n".join("    | " + line for line in tail.splitlines()))
            return result
        result.times.append(run.seconds)
        result.peaks_kib.append(run.peak_kib)
        result.outputs.append(run.stdout)
    log(f"  {name:<28} median {result.median:8.3f} s   min {result.best:8.3f} s   peak {result.peak_mib:7.1f} MiB")
    return result


# -- small statistics ---------------------------------------------------------------------------------

def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def slope(n1: int, t1: float | None, n2: int, t2: float | None) -> float | None:
    """The log-log slope of time against size between two points: 1.0 is linear growth."""
    if not t1 or not t2 or n1 <= 0 or n2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def fmt(value: float | None, digits: int = 3, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A Markdown table: the first `left` columns left-aligned, the rest (figures) right-aligned."""
    align = [":--"] * left + ["--:"] * (len(header) - left)
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(str(c) for c in line) + " |" for line in lines)


def row(name: str, r: Result) -> list[str]:
    """A table row: name, median s, min s, peak MiB (or the failure)."""
    if not r.ok:
        return [name, f"FAILED ({r.error})", "", ""]
    return [name, fmt(r.median), fmt(r.best), fmt(r.peak_mib, 1)]


def get(results: dict[str, Result], name: str, what: str = "median") -> float | None:
    """`what` (median, best, peak_mib) of results[name], None when it is missing or failed."""
    r = results.get(name)
    return getattr(r, what) if r is not None and r.ok else None


def verdict(values: list[float | None], limit: float, below: bool = True) -> tuple[str, str]:
    """The worst value and pass/miss: every value ≤ limit (or < limit when not `below`)."""
    known = [v for v in values if v is not None]
    if not known:
        return "–", "n/a"
    worst = max(known)
    good = worst <= limit if below else worst < limit
    return f"{worst:.2f}", "pass" if good else "**MISS**"


def section(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown section holding one table; nothing when there are no rows."""
    return [f"## {title}", "", table(header, rows), ""] if rows else []


def growth(sizes: list[int], results: dict[int, dict[str, Result]]) -> list[str]:
    """Per measurement: time per 1,000 entities at each size, and the log-log slope between sizes."""
    rows = []
    for name in dict.fromkeys(name for size in sizes for name in results[size]):
        pts = [(results[s][name].entities, get(results[s], name)) if name in results[s] else (0, None) for s in sizes]
        per_k = [fmt(t / n * 1e6, 2) if t is not None and n else "–" for n, t in pts]
        rows.append([name, *per_k, *(fmt(slope(*pts[i], *pts[i + 1]), 2) for i in range(len(pts) - 1))])
    header = ["measurement", *(f"ms/1k @ {s:,}" for s in sizes),
              *(f"slope {sizes[i]:,}→{sizes[i + 1]:,}" for i in range(len(sizes) - 1))]
    return section("Growth (time per 1,000 entities; log-log slope, 1.0 = linear)", header,
                   rows if len(sizes) > 1 else [])


# -- the machine -------------------------------------------------------------------------------------

def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return None


def machine(versions: dict[str, str], load_at_start: float) -> list[tuple[str, str]]:
    """(label, value) pairs describing this machine, how busy it was and the tools measured."""
    import resource

    own_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mem_kb = _first("/proc/meminfo", "MemTotal")
    mem = f"{int(mem_kb.split()[0]) / 1024 ** 2:.1f} GiB" if mem_kb else "unknown"
    os_name = _first("/etc/os-release", "PRETTY_NAME=") or platform.system()
    return [
        ("CPU", _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"),
        ("cores", str(os.cpu_count())),
        ("RAM", mem),
        ("OS / kernel", f"{os_name} / {platform.system()} {platform.release()}"),
        ("Python", versions.get("python", platform.python_version())),
        ("ifcopenshell", versions.get("ifcopenshell", "?")),
        ("ifctester", versions.get("ifctester", "?")),
        ("load average (1 min)", f"{load_at_start:.2f} at start, {os.getloadavg()[0]:.2f} at end "
                                 "(other work on the machine slows the measurements)"),
        ("harness's own peak RSS", f"{own_peak_kib / 1024:.1f} MiB (a floor under every child's peak)"),
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
    ]
