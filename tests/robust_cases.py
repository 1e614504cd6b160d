"""Builders for tests/test_batch_robust.py: broken submissions made from the bundled samples (a
folder named in GBK bytes, a NUL in a name, numbers no figure can be), the discovery tree, the
acceptance batch's folder, and the test-only hook that kills a batch worker mid-check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES
from test_samples_cli import CLI, ROOT

GBK_NAME = b"\xd1\xee\xc6\xd6-school"          # 杨浦-school, as unzip leaves a Chinese Windows name
GBK_SHOWN = "杨浦-school"
NUL_NAME = '"R&D\\0office"'                    # YAML's escape: the value holds a NUL character
NUL_SHOWN = "R&D[U+0000]office"
BAD_NUMBERS = ["1e308", "-1e308", ".inf", ".nan", "1e400"]
GFA_LINE = 13                                  # pass-school's gross_floor_area_m2


def copy_sample(sample: str, dest: Path | bytes) -> Path:
    """A copy of a bundled sample at `dest` (bytes: a name that is not UTF-8); its Path."""
    dest = Path(os.fsdecode(dest))
    shutil.copytree(SAMPLES / sample, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def with_gfa(dest: Path, value: str) -> Path:
    folder = copy_sample("pass-school", dest)
    edit(folder / "submission.yaml", "gross_floor_area_m2: 12800", f"gross_floor_area_m2: {value}")
    return folder


def with_nul_name(dest: Path) -> Path:
    folder = copy_sample("fail-office", dest)
    edit(folder / "submission.yaml", "name: 杨浦区某科技园研发办公楼", f"name: {NUL_NAME}")
    return folder


def with_ifc_area(dest: Path, value: str = "1.E308") -> Path:
    """pass-school whose roof's ProjectedArea quantity (IfcRoof 02uWKvHdfGlObaC_ulD$7r) is `value`."""
    folder = copy_sample("pass-school", dest)
    edit(folder / "architecture.ifc", "#192=IFCQUANTITYAREA('ProjectedArea',$,$,900.,$);",
         f"#192=IFCQUANTITYAREA('ProjectedArea',$,$,{value},$);")
    return folder


def registry_rows(url: str) -> list[dict]:
    from compliance.registry.store import Registry

    registry = Registry(url, create=False)
    try:
        return [r.__dict__ for r in registry.all()]
    finally:
        registry.close()



def unprivileged() -> list[str] | None:
    """A command prefix under which permissions bind (None: none needed or none available). Root
    reads a chmod 000 folder anyway; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it cannot."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    probe = subprocess.run(prefix + [sys.executable, "-c", "import os; os.listdir('/proc/1/root')"],
                           capture_output=True)
    return prefix if probe.returncode != 0 else None


def discovery_tree(base: Path) -> Path:
    """Two submissions, one nested in another, a symlinked folder, a symlink loop, an unreadable
    folder holding a submission, and a folder named in GBK bytes."""
    root = base / "intake"
    copy_sample("pass-school", root / "school")
    copy_sample("na-residential", root / "school" / "annex")                   # nested: not checked
    copy_sample("fail-office", os.fsencode(root) + b"/" + GBK_NAME)
    (base / "elsewhere").mkdir()
    copy_sample("pass-school", base / "elsewhere" / "linked")
    (root / "link").symlink_to(base / "elsewhere", target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    copy_sample("na-residential", root / "locked" / "inside")
    (root / "locked").chmod(0)
    return root


KILL_HOOK = '''"""Test-only (tests/test_batch_robust.py): a process other than the batch's own that opens a file of
the folder named by $TEST_KILL_WORKER_IN kills itself with SIGKILL, mid-check, as the OOM killer would."""
import os
import signal
import sys

_target = os.environ.get("TEST_KILL_WORKER_IN")
if _target:
    _main = os.environ.setdefault("TEST_KILL_SPARES_PID", str(os.getpid()))

    def _kill_on_open(event, args):
        if event == "open" and args and isinstance(args[0], (str, bytes)) and str(os.getpid()) != _main:
            if f"/{_target}/" in os.fsdecode(args[0]):
                os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(_kill_on_open)
'''

GOOD = {"pass-school": ("YP-2025-0012", "compliant"), "fail-office": ("YP-2024-0457", "non_compliant"),
        "na-residential": ("YP-2025-0208", "compliant"), "incomplete-zero-roof": (None, "incomplete")}


def acceptance_folder(base: Path) -> Path:
    root = base / "intake"
    for sample in GOOD:
        copy_sample(sample, root / sample)
    copy_sample("pass-school", os.fsencode(root) + b"/" + GBK_NAME)     # the same id as pass-school
    with_nul_name(root / "nul-name")
    with_gfa(root / "area-1e308", "1e308")
    with_gfa(root / "area-inf", ".inf")
    with_ifc_area(root / "ifc-area-1e308")
    copy_sample("fail-binjiang-office", root / "killed-worker")
    copy_sample("na-residential", root / "pass-school" / "nested")               # not checked, said
    return root


def run_batch(root: Path, out: Path, db: str, hooks: Path, prefix: list[str],
              formats: str) -> subprocess.CompletedProcess:
    """`compliance batch` as a user runs it, with the kill hook (`hooks`/sitecustomize.py) armed."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hooks), str(ROOT)]), TEST_KILL_WORKER_IN="killed-worker")
    env.pop("TEST_KILL_SPARES_PID", None)
    return subprocess.run(prefix + CLI + ["batch", str(root), "-o", str(out), "--db", db, "--format", formats,
                                          "--jobs", "2"], cwd=ROOT, env=env, capture_output=True, timeout=900)
