"""The benchmark: the checker against the floors under it, on the same generated models.

    python bench/run.py [--sizes 10000,100000,1000000] [--repeat 3] [--work DIR]
                        [--out bench/RESULTS.md] [--quick] [--only open,check,...]

Every measurement is its own child process (wall time and peak RSS, see measure.py). Per size:
reading the model (plain, lazy and streamed), `compliance check` to JSON and to PDF, IfcTester
validating the rule set's IDS, and the geometry fallback on a model without area quantities;
once per run: CLI start-up and batch throughput. The tables are printed and written to --out;
progress goes to stderr. Exit status 1 when any measurement failed, else 0 (a missed target
is reported, not an error). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

try:
    from measure import (
        VERDICT_CODES,
        Result,
        fmt,
        get,
        growth,
        machine,
        measure,
        ratio,
        row,
        section,
        slope,
        table,
        verdict,
    )
except ImportError:                                  # imported as bench.run
    from bench.measure import (
        VERDICT_CODES,
        Result,
        fmt,
        get,
        growth,
        machine,
        measure,
        ratio,
        row,
        section,
        slope,
        table,
        verdict,
    )

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GROUPS = ("open", "lazy", "stream", "check", "pdf", "ifctester", "geometry", "startup", "batch", "recheck",
          "cluster")
READ_CLASSES = ("IfcBuilding", "IfcSlab", "IfcSolarDevice", "IfcSpace", "IfcOutlet")   # what the checker reads

PROBE = """import importlib.metadata as m, inspect, json, sys, ifcopenshell
print(json.dumps({"python": sys.version.split()[0], "ifcopenshell": ifcopenshell.version,
                  "ifctester": m.version("ifctester"),
                  "lazy": "lazy" in inspect.signature(ifcopenshell.open).parameters}))"""
GENERATE = """import json, sys; sys.path.insert(0, sys.argv[1]); from bigmodel import write_submission
print(json.dumps(write_submission(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", tag=sys.argv[5])))"""
OPEN = "import ifcopenshell, sys; ifcopenshell.open(sys.argv[1])"
LAZY = "import ifcopenshell, sys; f = ifcopenshell.open(sys.argv[1], lazy=True); [f.by_type(t) for t in sys.argv[2:]]"
STREAM = ("import ifcopenshell, sys; f = ifcopenshell.open(sys.argv[1], should_stream=True); "
          "[f.by_type(t) for t in sys.argv[2:]]")
IFCTESTER = ("import ifcopenshell, sys, ifctester.ids; "
             "ifctester.ids.open(sys.argv[1]).validate(ifcopenshell.open(sys.argv[2]))")
GEOMETRY = """import json, os, sys, time
import ifcopenshell
from compliance.read.geometry import compute_shapes
ifc = ifcopenshell.open(sys.argv[1], lazy=True)     # as the checker opens it
elements = [s for s in ifc.by_type("IfcSlab") if s.PredefinedType == "ROOF"] + list(ifc.by_type("IfcSolarDevice"))
out = {"elements": len(elements), "cores": os.cpu_count()}
order = [("one", 1), ("all", os.cpu_count())]
for key, cores in (order if sys.argv[2] == "0" else order[::-1]):
    start = time.perf_counter()
    shapes = compute_shapes(ifc, elements, cores=cores, path=sys.argv[1])
    out[key] = time.perf_counter() - start
    out[key + "_failed"] = sum(not hasattr(s, "footprint_m2") for s in shapes.values())
from compliance.read.extrusion import Placements     # the checker's analytic path (bigmodel is in metres)
start = time.perf_counter()
compute_shapes(ifc, elements, cores=1, placements=Placements(1.0))
out["analytic"] = time.perf_counter() - start
print(json.dumps(out))"""

# The ratios table's columns: (numerator, denominator, statistic compared)
RATIOS = (("check json", "open", "median"), ("check json", "open lazy", "median"), ("check json", "open", "peak_mib"),
          ("check json", "ifctester", "median"), ("check json, no qto", "check json", "median"))

NOTES = {
    "open": "`ifcopenshell.open(path)` in a bare Python process: the floor every IFC tool pays (parse everything).",
    "open lazy": "`ifcopenshell.open(path, lazy=True)` + `by_type` of the classes the checker reads: one indexing "
                 "pass, attributes parsed on first access — the 'read only what is needed' floor.",
    "open stream": "`ifcopenshell.open(path, should_stream=True)` + the same `by_type`s: the pure-Python streaming "
                   "reader (indexes every line with regexes, parses instances with Lark on access).",
    "check json": "`compliance check FOLDER --format json -o …`: the whole check (read, derive, evaluate, report); "
                  "every check runs with `COMPLIANCE_CACHE=off`, so none reuses an earlier run's geometry.",
    "check pdf": "The same check writing the PDF verdict; PDF rendering ≈ check pdf − check json.",
    "ifctester": "A process that opens the model and validates it against the IDS from `compliance ids -o` "
                 "with IfcTester (`ifctester.ids.open(ids).validate(ifcopenshell.open(model))`).",
    "check json, no qto": "`check --format json` on the model whose roof slabs and PV panels carry no area "
                          "quantities, so their areas come from geometry (as the checker computes it).",
    "geometry": "On the no-quantity model, opened lazily as the checker opens it: only `compute_shapes(ifc, roof "
                "slabs + panels, cores=…, path=…)` — the geometry kernel — timed on 1 core and on all (the "
                "kernel's elements shared out to forked processes that each open the file; order alternates "
                "between repeats); `geometry analytic` is the same call with `placements=` (the checker's "
                "analytic path for extruded prisms).",
    "startup": "`python -c pass`, `compliance --help` and `compliance rules list`: interpreter and CLI start-up.",
    "batch": "`compliance batch DIR --jobs J --format json` over K copies of the middle size's submission (each "
             "IFC made distinct by a trailing comment, as real submissions are), a fresh "
             "registry and output folder every run; peak memory is the largest single process (batch, forkserver "
             "or worker).",
    "recheck": "After a rule change (PV-1 50 % → 40 %), N filings of the largest size (copies filed by one "
               "untimed batch) re-checked: `compliance batch --rules NEW` re-reads every model, `compliance recheck "
               "--rules NEW` evaluates the facts the registry stored at filing (bench/recheck.py); each run starts "
               "from a copy of the filed registry.",
    "cluster": "bench/cluster.py: (a) `compliance batch --jobs 2` (a LocalCluster of 2 workers) over --batch-count "
               "copies of the largest model, the RSS of every process of its tree sampled every 0.2 s: the Dask "
               "workers must not grow with the count; (b) 8 copies of the middle size on a LocalCluster and on "
               "`dask scheduler` + 2 `dask worker`s, the verdicts compared.",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000", help="entity counts, comma-separated")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median and min reported)")
    p.add_argument("--work", type=Path, help="folder for the generated models (default: a temporary one)")
    p.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="the Markdown report to write")
    p.add_argument("--quick", action="store_true", help="sizes 2000,20000, repeat 1, a small batch (smoke test)")
    p.add_argument("--only", help=f"measurement groups to run, comma-separated: {','.join(GROUPS)}")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before a child process is killed")
    p.add_argument("--batch-count", type=int, default=100,
                   help="cluster group: submissions in the memory batch (copies of the largest model)")
    p.add_argument("--recheck-count", type=int, default=0, help="filings in the recheck group (default 16; quick 3)")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "2000,20000", 1
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        p.error(f"--sizes takes entity counts separated by commas, not {args.sizes!r}")
    args.only = set(args.only.split(",")) if args.only else set(GROUPS)
    if unknown := args.only - set(GROUPS):
        p.error(f"unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
    if args.repeat < 1 or not args.sizes:
        p.error("--repeat must be ≥ 1 and --sizes must name at least one size")
    return args


def geometry_failures(run) -> str | None:
    out = json.loads(run.stdout)
    failed = out["one_failed"] + out["all_failed"]
    return f"{failed} of {2 * out['elements']} shapes failed" if failed else None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.python = sys.executable
        cli = Path(sys.executable).parent / "compliance"
        self.cli = str(cli) if cli.exists() else (shutil.which("compliance") or "compliance")
        self.cores = os.cpu_count() or 1
        self.load_at_start = os.getloadavg()[0]
        # every check runs cold: no geometry results from an earlier run's on-disk cache
        self.env = {**os.environ, "COMPLIANCE_CACHE": "off"}
        self.results: dict[int, dict[str, Result]] = {size: {} for size in args.sizes}
        self.once: dict[str, Result] = {}
        self.models: dict[tuple[int, bool], dict] = {}
        self.versions: dict = {}
        self.geo_elements: dict[int, int] = {}
        self.batch_k = self.batch_size = 0
        self.cluster: dict = {}
        self.recheck: dict = {}
        self.failed = False

    def wants(self, group: str) -> bool:
        return group in self.args.only

    def measure(self, name: str, cmd, repeat: int | None = None, ok=frozenset({0}), **kw) -> Result:
        result = measure(name, cmd, repeat or self.args.repeat, ok_codes=ok, cwd=ROOT, env=self.env,
                         timeout=self.args.timeout, log=log, **kw)
        self.failed |= result.error is not None
        return result

    # -- the run -----------------------------------------------------------------------------------

    def run(self) -> None:
        probe = self.measure("probe", [self.python, "-c", PROBE], repeat=1)
        self.versions = json.loads(probe.outputs[0]) if probe.ok else {}
        if self.wants("startup"):
            self.startup()
        if self.args.only - {"startup"}:
            self.generate()
        for size in self.args.sizes:
            self.per_size(size)
        if self.wants("batch"):
            self.batch()
        if self.wants("cluster"):
            self.cluster = _cluster().run(self)
        if self.wants("recheck"):
            self.recheck = _recheck().recheck_group(self)

    def generate(self) -> None:
        """Write the models in child processes: this process's RSS is a floor under every child's peak."""
        for size in self.args.sizes:
            for quantities in (True, False) if self.wants("geometry") else (True,):
                folder, tag = self.folder(size, quantities), f"{size}{'' if quantities else '-NOQTO'}"
                made = self.measure(f"generate {folder.name}", [self.python, "-c", GENERATE, str(BENCH), str(folder),
                                                                str(size), str(int(quantities)), tag], repeat=1)
                if made.ok:
                    self.models[size, quantities] = json.loads(made.outputs[0])

    def folder(self, size: int, quantities: bool = True) -> Path:
        return self.work / (f"m{size}" if quantities else f"m{size}-noqto")

    def per_size(self, size: int) -> None:
        if (size, True) not in self.models:        # not asked for, or its generation failed
            return
        log(f"\n== {size:,} entities ==")
        res, ifc = self.results[size], str(self.folder(size) / "architecture.ifc")
        out = self.work / "out"
        out.mkdir(exist_ok=True)
        if self.wants("open"):
            res["open"] = self.measure("open", [self.python, "-c", OPEN, ifc])
        if self.wants("lazy"):
            if self.versions.get("lazy"):
                res["open lazy"] = self.measure("open lazy", [self.python, "-c", LAZY, ifc, *READ_CLASSES])
            else:
                log("  (ifcopenshell.open has no lazy= here: the lazy floor is skipped)")
        if self.wants("stream"):
            res["open stream"] = self.measure("open stream", [self.python, "-c", STREAM, ifc, *READ_CLASSES])
        check = [self.cli, "check", str(self.folder(size))]
        if self.wants("check"):
            res["check json"] = self.measure("check json", check + ["--format", "json", "-o", str(out / "c.json")],
                                             ok=VERDICT_CODES)
        if self.wants("pdf"):
            res["check pdf"] = self.measure("check pdf", check + ["--format", "pdf", "-o", str(out / "c.pdf")],
                                            ok=VERDICT_CODES)
        if self.wants("ifctester"):
            ids = self.work / "requirements.ids"
            if not ids.exists():
                self.measure("compliance ids", [self.cli, "ids", "-o", str(ids)], repeat=1)
            res["ifctester"] = self.measure("ifctester", [self.python, "-c", IFCTESTER, str(ids), ifc])
        if self.wants("geometry") and (size, False) in self.models:
            noq = self.folder(size, False)
            res["check json, no qto"] = self.measure(
                "check json, no qto", [self.cli, "check", str(noq), "--format", "json", "-o", str(out / "n.json")],
                ok=VERDICT_CODES)
            geo = self.measure("geometry (process)", lambda i: [self.python, "-c", GEOMETRY,
                                                                str(noq / "architecture.ifc"), str(i % 2)],
                               validate=geometry_failures)
            runs = [json.loads(o) for o in geo.outputs]
            for key, name in (("one", "geometry 1 core"), ("all", f"geometry {self.cores} cores"),
                              ("analytic", "geometry analytic")):
                if geo.ok and all(key in r for r in runs):
                    res[name] = Result(name, [r[key] for r in runs], geo.peaks_kib, geo.outputs)
            if geo.ok:
                self.geo_elements[size] = json.loads(geo.outputs[0])["elements"]
        for name, result in res.items():        # the no-quantity model has slightly fewer entities
            with_qto = not (name.startswith("geometry") or name.endswith("no qto"))
            result.entities = self.models[size, with_qto]["entities"]

    def startup(self) -> None:
        log("\n== start-up ==")
        for name, cmd in (("python -c pass", [self.python, "-c", "pass"]), ("compliance --help", [self.cli, "--help"]),
                          ("compliance rules list", [self.cli, "rules", "list"])):
            self.once[name] = self.measure(name, cmd, repeat=max(5, self.args.repeat))

    def batch(self) -> None:
        size = self.args.sizes[(len(self.args.sizes) - 1) // 2]
        if (size, True) not in self.models:
            return
        self.batch_k, self.batch_size = (4 if self.args.quick else 8), size
        log(f"\n== batch: {self.batch_k} × {size:,} entities ==")
        src, root = self.folder(size), self.work / "batch-input"
        yaml = (src / "submission.yaml").read_text(encoding="utf-8")
        for i in range(1, self.batch_k + 1):
            copy = root / f"B{i:02d}"
            copy.mkdir(parents=True, exist_ok=True)
            # a different file each (a STEP comment at the end): a batch reads identical files only once
            shutil.copyfile(src / "architecture.ifc", copy / "architecture.ifc")
            with open(copy / "architecture.ifc", "a", encoding="ascii") as ifc:
                ifc.write(f"/* bench copy B{i:02d} */\n")
            text = re.sub(r"(?m)^id: .*$", f"id: BENCH-B{i:02d}", yaml)
            (copy / "submission.yaml").write_text(text, encoding="utf-8")

        run_dir = self.work / "batch-run"
        summary = run_dir / "out" / "batch-summary.json"

        def fresh(jobs: int) -> list[str]:          # a fresh registry and output folder for every run
            shutil.rmtree(run_dir, ignore_errors=True)
            return [self.cli, "batch", str(root), "--jobs", str(jobs), "--db", str(run_dir / "registry.sqlite"),
                    "-o", f"{run_dir / 'out'}/", "--format", "json"]

        def all_checked(run) -> str | None:
            rows = json.loads(summary.read_text(encoding="utf-8")).get("rows", []) if summary.exists() else []
            checked = sum(row.get("status") == "checked" for row in rows)
            return None if checked == self.batch_k else f"{checked} of {self.batch_k} submissions checked"

        for jobs in sorted({1, self.cores}):
            self.once[f"batch --jobs {jobs}"] = self.measure(f"batch --jobs {jobs}", lambda i, j=jobs: fresh(j),
                                                             ok=VERDICT_CODES, validate=all_checked, adopt=True)


# -- the report ------------------------------------------------------------------------------------------

def report(b: Bench, command: str) -> str:
    about = machine(b.versions, b.load_at_start)
    out = ["# Benchmark results", "", table(["machine", ""], [list(kv) for kv in about], left=2), "",
           "Command:", "", "```", command, "```", ""]
    if b.models:
        out += section("Models (bench/bigmodel.py)", ["size", "area quantities", "entities", "MB"], [
            [f"{n:,}", "yes" if q else "no (geometry)", f"{m['entities']:,}", f"{m['bytes'] / 1e6:.1f}"]
            for (n, q), m in sorted(b.models.items(), key=lambda kv: (kv[0][0], not kv[0][1]))])
    if "lazy" in b.args.only and not b.versions.get("lazy"):
        out += ["No 'read only what is needed' floor: this ifcopenshell's `open()` has no `lazy=` option.", ""]
    for size, res in b.results.items():
        rows = [row(name, r) for name, r in res.items()]
        if (p := get(res, "check pdf")) is not None and (j := get(res, "check json")) is not None:
            rows.append(["PDF rendering (pdf − json)", fmt(p - j), "", ""])
        out += section(f"{size:,} entities", ["measurement", "median s", "min s", "peak MiB"], rows)
    out += section("Ratios (medians; < 1 means the checker is faster / smaller)",
                   ["size", "check ÷ open", "check ÷ lazy open", "check peak ÷ open peak", "check ÷ IfcTester",
                    "no-qto check ÷ check"],
                   [[f"{size:,}", *(fmt(ratio(get(r, a, what), get(r, b_, what)), 2) for a, b_, what in RATIOS)]
                    for size, r in b.results.items() if r])
    out += growth(b.args.sizes, b.results)
    speedups = {}
    for size, res in b.results.items():
        one, many = get(res, "geometry 1 core"), get(res, f"geometry {b.cores} cores")
        if one is not None and many is not None and b.cores > 1:
            speedups[size] = (one, many)
    out += section(f"Geometry fallback: compute_shapes, 1 thread vs {b.cores}",
                   ["size", "elements", "1 core s", f"{b.cores} cores s", "speed-up", "analytic s"],
                   [[f"{size:,}", f"{b.geo_elements[size]:,}", fmt(one), fmt(many), fmt(one / many, 2, "×"),
                     fmt(get(b.results[size], "geometry analytic"))] for size, (one, many) in speedups.items()])
    out += section("Start-up", ["command", "median s", "min s", "peak MiB"],
                   [row(n, r) for n, r in b.once.items() if not n.startswith("batch")])
    batch = {n: r for n, r in b.once.items() if n.startswith("batch")}
    base = get(batch, "batch --jobs 1")
    out += section(f"Batch: {b.batch_k} copies of the {b.batch_size:,}-entity submission",
                   ["command", "median s", "submissions/s", "speed-up", "peak MiB"],
                   [[n, fmt(r.median), fmt(ratio(b.batch_k, r.median), 2), fmt(ratio(base, r.median), 2, "×"),
                     fmt(r.peak_mib, 1)] if r.ok else [n, f"FAILED ({r.error})", "", "", ""]
                    for n, r in batch.items()])
    out += _recheck().recheck_section(b.recheck)
    out += _cluster().report(b.cluster, table)
    out += section("Targets", ["target", "measured (worst)", "result"], targets(b, speedups))
    out += ["## What each measurement is", ""] + [f"- **{k}**: {v}" for k, v in NOTES.items()] + [""]
    return "\n".join(out)


def targets(b: Bench, speedups: dict[int, tuple[float, float]]) -> list[list[str]]:
    res, sizes = b.results, b.args.sizes
    per = {base: [ratio(get(res[s], "check json"), get(res[s], base)) for s in sizes] for base in ("open", "ifctester")}
    rows = [["check ÷ open ≤ 1.3 at every size", *verdict(per["open"], 1.3)],
            ["check faster than IfcTester (check ÷ IfcTester < 1)", *verdict(per["ifctester"], 1.0, below=False)],
            ["check peak memory ≤ 1.5 × open peak", *verdict(
                [ratio(get(res[s], "check json", "peak_mib"), get(res[s], "open", "peak_mib")) for s in sizes], 1.5)]]
    pts = [(res[s]["check json"].entities, get(res[s], "check json")) if "check json" in res[s] else (0, None)
           for s in sizes]
    rows.append(["check growth slope ≤ 1.15 (between consecutive sizes)",
                 *verdict([slope(*pts[i], *pts[i + 1]) for i in range(len(pts) - 1)], 1.15)])
    rows.append(["`compliance --help` < 0.3 s", *verdict([get(b.once, "compliance --help")], 0.3, below=False)])
    value, result = "–", "n/a"
    if speedups:                                    # judged on the largest model (the most elements)
        size = max(speedups)
        one, many = speedups[size]
        value, result = f"{one / many:.2f}× at {size:,}", "pass" if one / many >= 1.7 else "**MISS**"
    return rows + [[f"geometry speed-up ≥ 1.7× on {b.cores} cores", value, result]] + _recheck().recheck_target(b.recheck)


def _recheck():
    try:
        import recheck
    except ImportError:                              # imported as bench.run
        from bench import recheck
    return recheck


def _cluster():
    try:
        import cluster
    except ImportError:                              # imported as bench.run
        from bench import cluster
    return cluster


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join([sys.executable, *(sys.argv if argv is None else ["bench/run.py", *argv])])
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        bench = Bench(args, work.resolve())
        bench.run()
    text = report(bench, command)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"\nwritten to {args.out}" + ("; some measurements FAILED (see above)" if bench.failed else ""))
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
