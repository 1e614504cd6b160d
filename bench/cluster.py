"""The `cluster` group of the benchmark: `compliance batch` on Dask (issue 22).

(a) memory over a long batch: `--batch-count` (default 100) copies of the largest model (the
    1M-entity one is ~63 MB), each a distinct file, checked by `compliance batch --jobs 2` (a
    LocalCluster of 2 workers). While it runs, a sampler reads every process of the batch's tree
    from /proc every 0.2 s: the peak RSS of each kind of process — the batch's own, the Dask
    workers, the runs' zygotes, the per-submission processes — and of the whole tree at once, and
    each Dask worker's RSS at its first and last sample (bounded: it must not grow with the count).
(b) the same small batch (8 copies of the middle size) on a LocalCluster (`--jobs 2`) and on a
    cluster of separate processes (`dask scheduler` + 2 × `dask worker --nthreads 1`, started
    here and stopped after), `--repeat` times each: wall time, submissions per second, and whether
    the verdicts (the JSON reports without their times) are identical.

Nothing runs at import time. `run(bench)` measures, `report(results)` makes the Markdown.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path

SAMPLE_S = 0.2
SMALL_K = 8
VARYING = re.compile(r"(_at|duration_s|duration)$")


def log(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def copies(src: Path, root: Path, count: int, prefix: str) -> Path:
    """`count` copies of the submission `src` under `root`, each IFC made distinct by a trailing STEP
    comment (the checker reads a file content once per run) and each with its own id."""
    shutil.rmtree(root, ignore_errors=True)
    meta = (src / "submission.yaml").read_text(encoding="utf-8")
    for i in range(1, count + 1):
        copy = root / f"{prefix}{i:03d}"
        copy.mkdir(parents=True)
        shutil.copyfile(src / "architecture.ifc", copy / "architecture.ifc")
        with open(copy / "architecture.ifc", "a", encoding="ascii") as ifc:
            ifc.write(f"/* bench copy {prefix}{i:03d} */\n")
        (copy / "submission.yaml").write_text(re.sub(r"(?m)^id: .*$", f"id: BENCH-{prefix}{i:03d}", meta),
                                              encoding="utf-8")
    return root


# -- the process tree's memory ----------------------------------------------------------------------

class TreeSampler:
    """Samples the RSS of every process under `roots` until stopped: the peak per kind of process,
    the peak of their sum, and each Dask worker's RSS when the first submission's process is seen
    (its modules imported, its run's zygote forked) and at its last sample."""

    def __init__(self, *roots: int) -> None:
        self.roots = roots
        self.peak = {"batch": 0, "nanny": 0, "worker": 0, "zygote": 0, "check": 0, "tree": 0}
        self.workers: dict[int, list[int]] = {}          # pid -> [RSS once checking, last, max]
        self.checking = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "TreeSampler":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _loop(self) -> None:
        import psutil

        while not self.stop.is_set():
            seen = []
            for pid in self.roots:
                try:
                    root = psutil.Process(pid)
                    seen += [(root, proc) for proc in (root, *root.children(recursive=True))]
                except psutil.Error:
                    continue
            if not seen:
                self.stop.wait(SAMPLE_S)
                continue
            total, workers = 0, {}
            for root, proc in seen:
                try:
                    rss = proc.memory_info().rss
                    kind = self._kind(proc, root)
                except psutil.Error:
                    continue
                total += rss
                self.peak[kind] = max(self.peak.get(kind, 0), rss)
                self.checking |= kind == "check"
                if kind == "worker":
                    workers[proc.pid] = rss
            for pid, rss in workers.items():
                if self.checking:
                    first = self.workers.setdefault(pid, [rss, rss, rss])
                    first[1], first[2] = rss, max(first[2], rss)
            self.peak["tree"] = max(self.peak["tree"], total)
            self.stop.wait(SAMPLE_S)

    def _kind(self, proc, root) -> str:
        if proc.pid == root.pid:
            return "batch" if root.pid == self.roots[0] else "nanny"
        if proc.ppid() == root.pid:
            return "worker" if "spawn_main" in " ".join(proc.cmdline()) else "other"
        parent = proc.parent()
        return "zygote" if parent is not None and parent.ppid() == root.pid else "check"


def run_batch(cmd: list[str], env: dict, cwd: Path, timeout: float, also: tuple[int, ...] = ()) -> dict:
    """Run one batch command, sampling its tree (and the trees of the pids `also`: a separate
    cluster's `dask worker`s); wall time, exit code, peaks (bytes), stderr tail."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as null, open(cwd / "bench-cluster-stderr.txt", "w+b") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=null, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        with TreeSampler(proc.pid, *also) as sampler:
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                code = proc.wait()
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-10:]
    return {"seconds": time.perf_counter() - started, "code": code, "peak": sampler.peak,
            "workers": sampler.workers, "stderr": tail}


# -- a cluster of separate processes -----------------------------------------------------------------

class DaskProcesses:
    """`dask scheduler` + `workers` × `dask worker --nthreads 1` on 127.0.0.1, stopped on leaving."""

    def __init__(self, python: str, folder: Path, env: dict, workers: int = 2) -> None:
        self.dask = str(Path(python).parent / "dask")
        self.folder, self.workers = folder, workers
        self.env = dict(env, DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")     # as README advises
        self.procs: list[subprocess.Popen] = []
        self.address = ""

    def _start(self, *args: str, log: str) -> None:
        with open(self.folder / log, "wb") as out:
            self.procs.append(subprocess.Popen([self.dask, *args], stdout=out, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, env=self.env, start_new_session=True))

    def __enter__(self) -> "DaskProcesses":
        self.folder.mkdir(parents=True, exist_ok=True)
        info = self.folder / "scheduler.json"
        info.unlink(missing_ok=True)
        try:
            self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                        str(info), log="scheduler.log")
            self._wait(lambda: info.exists() and json.loads(info.read_text())["address"])
            self.address = json.loads(info.read_text())["address"]
            for i in range(self.workers):
                self._start("worker", self.address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                            "--name", f"bench-{i}", log=f"worker-{i}.log")
            self._wait(self._ready)
        except BaseException:
            self.__exit__()
            raise
        return self

    def worker_pids(self) -> tuple[int, ...]:
        """The `dask worker` processes (each a nanny over its worker process)."""
        return tuple(proc.pid for proc in self.procs[1:])

    def _ready(self) -> bool:
        from distributed import Client

        with Client(self.address, timeout=10) as client:
            return len(client.scheduler_info()["workers"]) >= self.workers

    def _wait(self, probe, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if probe():
                    return
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the dask processes did not start in {timeout:g} s; see {self.folder}")

    def __exit__(self, *exc) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for proc in self.procs:
                try:
                    os.killpg(proc.pid, sig)
                except OSError:
                    pass
            for proc in self.procs:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass


# -- the group ---------------------------------------------------------------------------------------

def run(b) -> dict:
    """The `cluster` group on a run.Bench `b` (its models, CLI, environment and --batch-count)."""
    out: dict = {}
    big = max((size for size, q in b.models if q), default=None)
    small = b.args.sizes[(len(b.args.sizes) - 1) // 2]
    work = b.work / "cluster"
    if big is not None:
        count = min(b.args.batch_count, 4) if b.args.quick else b.args.batch_count
        log(f"\n== cluster (a): {count} × {big:,} entities, --jobs 2 ==")
        root = copies(b.folder(big), work / "big-input", count, "L")
        run_dir = work / "big-run"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        got = run_batch([b.cli, "batch", str(root), "--jobs", "2", "--db", str(run_dir / "registry.sqlite"),
                         "-o", str(run_dir / "out"), "--format", "json"], b.env, run_dir, b.args.timeout * 10)
        got.update(count=count, size=big, mb=b.models[big, True]["bytes"] / 1e6,
                   checked=_checked(run_dir / "out"))
        out["memory"] = got
        _say(b, "batch (a)", got, count)
        shutil.rmtree(root, ignore_errors=True)          # ~6 GB at 100 copies of the 1M model
    if (small, True) in b.models:
        log(f"\n== cluster (b): {SMALL_K} × {small:,} entities, LocalCluster vs dask scheduler + 2 workers ==")
        root = copies(b.folder(small), work / "small-input", SMALL_K, "S")
        runs: dict[str, list] = {"LocalCluster (--jobs 2)": [], "dask scheduler + 2 × dask worker": []}
        with DaskProcesses(b.python, work / "dask", b.env) as cluster:
            for _ in range(b.args.repeat):
                for name, extra in (("LocalCluster (--jobs 2)", ["--jobs", "2"]),
                                    ("dask scheduler + 2 × dask worker", ["--scheduler", cluster.address])):
                    run_dir = work / f"small-{len(runs[name])}-{'local' if 'Local' in name else 'remote'}"
                    shutil.rmtree(run_dir, ignore_errors=True)
                    run_dir.mkdir(parents=True)
                    got = run_batch([b.cli, "batch", str(root), *extra, "--db", str(run_dir / "registry.sqlite"),
                                     "-o", str(run_dir / "out"), "--format", "json"], b.env, run_dir, b.args.timeout,
                                    also=() if "Local" in name else cluster.worker_pids())
                    got["checked"], got["reports"] = _checked(run_dir / "out"), _reports(run_dir / "out")
                    runs[name].append(got)
                    _say(b, name, got, SMALL_K)
        out["throughput"] = {"size": small, "runs": runs}
    return out


def _say(b, name: str, got: dict, count: int) -> None:
    ok = got["code"] in (0, 1, 3) and got["checked"] == count
    b.failed |= not ok
    log(f"  {name:<34} {got['seconds']:8.1f} s   {got['checked']}/{count} checked   worker peak "
          f"{got['peak']['worker'] / 2**20:7.1f} MiB   tree peak {got['peak']['tree'] / 2**20:7.1f} MiB"
          + ("" if ok else f"   FAILED (exit {got['code']}): " + " | ".join(got["stderr"])))


def _checked(out: Path) -> int:
    try:
        rows = json.loads((out / "batch-summary.json").read_text(encoding="utf-8")).get("rows", [])
    except (OSError, ValueError):
        return 0
    return sum(row.get("status") == "checked" for row in rows)


def _reports(out: Path) -> dict:
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not VARYING.search(k)}
        return [clean(v) for v in value] if isinstance(value, list) else value

    return {p.name: clean(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(out.glob("*.json"))
            if p.name != "batch-summary.json"}


# -- the report ---------------------------------------------------------------------------------------

def report(results: dict, table) -> list[str]:
    """Markdown sections for the group's results; `table` is measure.table."""
    lines: list[str] = []
    mib = lambda n: f"{n / 2**20:,.1f}"        # noqa: E731
    if got := results.get("memory"):
        grew = max((last - first for first, last, _ in got["workers"].values()), default=0)
        starts = max((first for first, _, _ in got["workers"].values()), default=0)
        rows = [["submissions checked", f"{got['checked']} of {got['count']}"],
                ["wall time s", f"{got['seconds']:.1f}"],
                ["submissions/s", f"{got['count'] / got['seconds']:.3f}"],
                ["peak RSS, largest Dask worker MiB", mib(got["peak"]["worker"])],
                ["Dask worker RSS once checking → growth by its last sample MiB", f"{mib(starts)} → {grew / 2**20:+,.1f}"],
                ["peak RSS, largest run zygote MiB", mib(got["peak"]["zygote"])],
                ["peak RSS, largest per-submission process MiB", mib(got["peak"]["check"])],
                ["peak RSS, the batch's own process MiB", mib(got["peak"]["batch"])],
                ["peak RSS, whole process tree at once MiB", mib(got["peak"]["tree"])]]
        lines += [f"## Cluster (a): memory over {got['count']} submissions of {got['size']:,} entities "
                  f"({got['mb']:.0f} MB each), LocalCluster of 2 workers", "",
                  table(["measurement", "value"], rows), ""]
    if got := results.get("throughput"):
        rows, verdicts = [], []
        for name, runs in got["runs"].items():
            done = [r for r in runs if r["code"] in (0, 1, 3) and r["checked"] == SMALL_K]
            if not done:
                rows.append([name, "FAILED", "", "", ""])
                continue
            median = statistics.median(r["seconds"] for r in done)
            rows.append([name, f"{median:.2f}", f"{SMALL_K / median:.2f}", mib(max(r["peak"]["worker"] for r in done)),
                         mib(max(r["peak"]["tree"] for r in done))])
            verdicts += [r["reports"] for r in done]
        same = "yes" if verdicts and all(v == verdicts[0] for v in verdicts) else "**NO**"
        lines += [f"## Cluster (b): {SMALL_K} copies of the {got['size']:,}-entity submission on two kinds of cluster",
                  "", table(["cluster", "median s", "submissions/s", "worker peak MiB", "tree peak MiB"], rows), "",
                  f"Verdicts identical on both (JSON reports without their times): {same}", ""]
    return lines
