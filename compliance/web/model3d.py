"""An IFC model as glTF binary (.glb) for the result page's 3D view, made by IfcOpenShell's own
geometry serializer (`ifcopenshell.geom.serializers.glb`).

- Each element with geometry is one glTF node named by its GlobalId (`use-element-guids`), so
  the viewer maps a finding's GlobalIds to meshes; Y up (`y-up`), world coordinates, metres: the
  kernel outputs metres whatever the file's length unit as long as `convert-back-units` stays
  off (measured with ifcopenshell 0.9: the glTF serializer ignores `setUnitNameAndMagnitude`,
  which is set to METER / 1.0 anyway, as IfcConvert does).
- The kernel segfaults or loops on hostile models. The conversion runs in a fresh interpreter
  (not a fork: the web server has threads), with a time limit; a crash, a hang or an exception
  there costs the 3D view only (`ok=False` and a plain message), never the caller. Elements
  `kernelguard.Guard` finds broken (a placement that loops, a value of the wrong type) are
  excluded before the kernel sees them and listed in `skipped`.
- The glb is written to a temporary file beside `out_path` and renamed: a killed conversion
  leaves no half file. A sidecar `out_path.with_suffix(".json")` holds the `View3D`.

Only the standard library is imported at import time; ifcopenshell only in the child process.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]          # the folder holding the `compliance` package
_UNAFFECTED = "the 3D view is not available, the verdict is unaffected"
# the child: this file run as a script in an isolated interpreter (-I: no user site, no PYTHON*
# variables), with the project importable; argv: root, this file, model, output, guard (1/0)
_CHILD = "import runpy, sys; sys.path.insert(0, sys.argv[1]); runpy.run_path(sys.argv[2], run_name='__main__')"


@dataclass(frozen=True)
class View3D:
    file: str                          # the IFC model's file name
    ok: bool                           # a glb with at least one element was written
    global_ids: tuple[str, ...] = ()   # the elements with geometry in the glb (its node names), sorted
    skipped: tuple[str, ...] = ()      # elements kept from the kernel (broken placement or geometry)
    message: str | None = None         # plain-language: why there is no view, or what it lacks
    seconds: float = 0.0
    glb: str | None = None             # the glb's file name (beside the sidecar) when ok


def convert_model(ifc_path: Path, out_path: Path, *, time_limit_s: float | None = 300,
                  guard: bool = True) -> View3D:
    """Convert `ifc_path` to `out_path` (.glb) and write the sidecar JSON; never raises for a
    problem of the model (unreadable, kernel crash, too slow). `time_limit_s` None or 0: no
    limit. `guard=False` gives every element to the kernel (the tests use it to prove that a
    kernel crash costs only the view)."""
    started = time.monotonic()
    ifc_path, out_path = Path(ifc_path), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    part = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex}.part")
    try:
        view = _convert(ifc_path, out_path, part, time_limit_s, guard)
    finally:                                          # the serializer's own scratch files too
        for leftover in part.parent.glob(f"{part.name}*"):
            leftover.unlink(missing_ok=True)
    view = replace(view, seconds=round(time.monotonic() - started, 3))
    if not view.ok:
        out_path.unlink(missing_ok=True)              # no stale view of an earlier conversion
    from ..report import write_atomic

    write_atomic(out_path.with_suffix(".json"), json.dumps(asdict(view), ensure_ascii=False, indent=1).encode())
    return view


def load_view(json_path: Path) -> View3D:
    """The `View3D` a sidecar holds; ValueError when the file is not one."""
    try:
        data = json.loads(Path(json_path).read_text(encoding="utf-8"))
        return View3D(file=str(data["file"]), ok=bool(data["ok"]),
                      global_ids=tuple(map(str, data.get("global_ids", ()))),
                      skipped=tuple(map(str, data.get("skipped", ()))),
                      message=data.get("message"), seconds=float(data.get("seconds", 0.0)),
                      glb=data.get("glb"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{json_path}: not a 3D view description ({exc})") from None


def glb_node_names(path: Path) -> list[str]:
    """The node names in a glb's JSON chunk; ValueError when it is not a glTF 2 binary."""
    data = Path(path).read_bytes()
    if len(data) < 20:
        raise ValueError("too short for a glb")
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    chunk_length, chunk_type = struct.unpack_from("<I4s", data, 12)
    if magic != b"glTF" or version != 2 or length != len(data) or chunk_type != b"JSON" \
            or 20 + chunk_length > len(data):
        raise ValueError("not a complete glTF 2 binary")
    document = json.loads(data[20:20 + chunk_length])
    return [node["name"] for node in document.get("nodes", []) if isinstance(node.get("name"), str)]


def _convert(ifc_path: Path, out_path: Path, part: Path, time_limit_s: float | None, guard: bool) -> View3D:
    name = ifc_path.name

    def failed(message: str) -> View3D:
        return View3D(file=name, ok=False, message=message)

    command = [sys.executable, "-I", "-c", _CHILD, str(_ROOT), str(Path(__file__).resolve()),
               str(ifc_path.resolve()), str(part), "1" if guard else "0"]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=time_limit_s or None, cwd=str(part.parent))
    except subprocess.TimeoutExpired:               # the child is killed by subprocess.run
        return failed(f"converting the model for the 3D view took longer than the limit of "
                      f"{time_limit_s:g} s; {_UNAFFECTED}")
    except OSError as exc:
        return failed(f"the 3D conversion could not be started ({exc}); {_UNAFFECTED}")
    if done.returncode < 0:
        return failed(f"the geometry kernel crashed on this model (signal {-done.returncode}); {_UNAFFECTED}")
    report = _last_json_line(done.stdout)
    if done.returncode != 0 or report is None:
        why = (report or {}).get("error") or f"the converter stopped with status {done.returncode}"
        return failed(f"the model could not be converted for the 3D view ({why}); {_UNAFFECTED}")
    skipped = tuple(sorted(str(s[0]) for s in report.get("skipped", [])))
    try:
        ids = tuple(sorted(set(glb_node_names(part))))
    except (OSError, ValueError) as exc:
        return failed(f"the geometry kernel wrote an unreadable 3D file ({exc}); {_UNAFFECTED}")
    message = None
    if skipped:
        first = report["skipped"][0]
        message = (f"{len(skipped)} element(s) are not shown because their placement or geometry is "
                   f"broken (e.g. {first[0]}: {first[1]}); the verdict is unaffected")
    if not ids:
        return View3D(file=name, ok=False, skipped=skipped,
                      message=message or "no element of this model has 3D geometry, so there is nothing to show")
    os.replace(part, out_path)
    return View3D(file=name, ok=True, global_ids=ids, skipped=skipped, message=message, glb=out_path.name)


def _last_json_line(stdout: bytes) -> dict | None:
    for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        return value if isinstance(value, dict) else None
    return None


# ---- the child process -------------------------------------------------------------------------

def _child(ifc_path: str, out_path: str, use_guard: bool) -> dict:
    """In the fresh interpreter: the glb written to `out_path`; what was skipped, and why."""
    import ifcopenshell
    import ifcopenshell.geom

    ifc = ifcopenshell.open(ifc_path)
    skipped: list[tuple[str, str]] = []
    excluded: list = []                      # the model's instances not to show
    if use_guard:
        from compliance.read.kernelguard import Guard

        check = Guard(str(getattr(ifc, "schema_identifier", ifc.schema)))
        for product in ifc.by_type("IfcProduct"):
            try:
                problem = check.problem(product)
            except Exception as exc:          # an attribute the walk cannot even read
                problem = f"its placement or geometry cannot be read ({_one_line(exc)})"
            if problem:
                excluded.append(product)
                guid = product.GlobalId if isinstance(getattr(product, "GlobalId", None), str) else None
                skipped.append((guid or f"#{product.id()}", problem))

    # openings are voids cut from their walls, not things to show (IfcConvert leaves them out too)
    excluded += ifc.by_type("IfcFeatureElementSubtraction")
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("convert-back-units", False)
    settings.set("y-up", True)
    settings.set("use-element-guids", True)
    settings.set("apply-default-materials", True)
    serializer = ifcopenshell.geom.serializers.glb(out_path, settings)
    serializer.setFile(ifc)
    serializer.setUnitNameAndMagnitude("METER", 1.0)   # the kernel's output unit (see the docstring)
    serializer.writeHeader()
    threads = max(1, min(8, os.cpu_count() or 1))
    iterator = ifcopenshell.geom.iterator(settings, ifc, threads, exclude=excluded or None)
    written = 0
    if iterator.initialize():
        while True:
            serializer.write(iterator.get())
            written += 1
            if not iterator.next():
                break
    serializer.finalize()
    del serializer, iterator
    return {"written": written, "skipped": skipped}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _child_main(argv: list[str]) -> int:
    ifc_path, out_path, use_guard = argv
    try:
        report, code = _child(ifc_path, out_path, use_guard == "1"), 0
    except Exception as exc:                     # a model the kernel refuses: say why, in one line
        report, code = {"error": _one_line(exc)}, 2
    sys.stdout.write("\n" + json.dumps(report) + "\n")
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[3:]))
