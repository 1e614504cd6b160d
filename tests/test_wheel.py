"""A wheel built from this repository works anywhere (issue 23): installed into a fresh virtual
environment it checks a sample from a folder outside the repository, with the rules it carries.

The wheel is built the way a user builds it, `pip wheel . --no-deps` (an isolated build
environment with the setuptools pyproject.toml declares), from a copy of the source tree, so
no build/ or *.egg-info is left in the checkout and no stale build/lib of an earlier build slips
into it. The environment is `python -m venv --without-pip` (no --system-site-packages), the
wheel installed into it by this venv's pip (`pip --python`). Its third-party dependencies come
from this project's venv through a .pth file written after the install: installing them all
from PyPI takes about two minutes even with pip's cache warm (COMPLIANCE_TEST_WHEEL_DEPS=pypi
does exactly that instead). A folder named by a .pth line joins sys.path without its own .pth
files being run, so this venv's editable install of the project is not active there — the test
checks that the project's code (`compliance.__file__`), metadata and data come from the wheel
alone, and that the repository is nowhere on sys.path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

# a clean checkout's source tree: what a copy of the repository leaves out, anywhere and at its top
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis",
                                    ".ruff_cache", ".mypy_cache", "*.egg-info", "*.sqlite*", "*.pyc")
NOT_SOURCE_AT_TOP = {"build", "dist", "out", "verdicts"}       # (compliance/web/static/build is source)


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = Path(folder).resolve() == ROOT.resolve()
    return set(NOT_SOURCE(folder, names)) | (NOT_SOURCE_AT_TOP & set(names) if top else set())


def _copy(source: str, target: str) -> None:
    """A file of the checkout, unless another test removed it while the tree was being copied."""
    try:
        shutil.copy2(source, target)
    except FileNotFoundError:
        pass


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source, dist = tmp / "source", tmp / "dist"
    shutil.copytree(ROOT, source, ignore=_not_source, copy_function=_copy)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-q"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"pip wheel failed (it needs PyPI for setuptools, or pip's cache):\n{proc.stderr}"
    [built] = dist.glob("yangpu_compliance-*.whl")
    return built


FROM_PYPI = os.environ.get("COMPLIANCE_TEST_WHEEL_DEPS") == "pypi"


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("venv") / "env"
    if FROM_PYPI:                       # a user's install: pip in the venv, every dependency from PyPI
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
        proc = subprocess.run([env / "bin" / "pip", "install", "-q", str(wheel)], capture_output=True, text=True,
                              timeout=1800)
        assert proc.returncode == 0, proc.stderr
        return env
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    python = env / "bin" / "python"
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           "-q", str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))       # third-party packages
    (site / "zz_project_dependencies.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")
    return env


def _clean_env() -> dict:
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "COMPLIANCE_RULES", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(*command, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def test_the_wheel_carries_the_rules_and_no_top_level_cli(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/", 1)[0] for n in names}
    assert {t for t in tops if not t.endswith((".dist-info", ".data"))} == {"compliance"}, tops
    rules = [p for p in (ROOT / "rules").rglob("*") if p.is_file()]
    assert rules and {f"compliance/_data/{p.relative_to(ROOT).as_posix()}" for p in rules} <= names
    for wanted in ("compliance/_data/features/pv.feature", "compliance/_data/ifc_samples/pass-school/submission.yaml",
                   "compliance/commands/__init__.py", "compliance/commands/rules.py", "compliance/cli.py",
                   "compliance/__main__.py", "compliance/report/templates/verdict.html.j2",
                   "compliance/registry/migrations/env.py", "compliance/web/templates/base.html"):
        assert wanted in names, wanted
    if (ROOT / "compliance/web/static/build/viewer.js").is_file():
        assert "compliance/web/static/build/viewer.js" in names
    assert not [n for n in names if n.startswith("compliance/_data/") and n.endswith(".py")], "generator scripts stay"
    assert not [n for n in names if "node_modules" in n or "__pycache__" in n]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "compliance = compliance.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_checks_a_sample_outside_the_repository(venv, tmp_path):
    from compliance import __version__
    from compliance.build import build_identity

    python, command = venv / "bin" / "python", venv / "bin" / "compliance"
    work = tmp_path / "elsewhere"
    shutil.copytree(SAMPLES / "pass-school", work / "pass-school")
    where = _run(python, "-c", "import compliance, importlib.metadata as m, importlib.util as u, json, sys; "
                               "print(json.dumps([compliance.__file__, str(m.distribution('yangpu-compliance')"
                               ".locate_file('')), u.find_spec('cli') is None, sys.path]))", cwd=work)
    assert where.returncode == 0, where.stderr
    package, dist, no_cli, path = json.loads(where.stdout)
    assert Path(package).is_relative_to(venv) and Path(dist).is_relative_to(venv), (package, dist)
    assert no_cli and not list(Path(dist).glob("cli.py")), "no top-level module `cli` is installed"
    assert not [p for p in path if p and Path(p).resolve() == ROOT.resolve()], path

    proc = _run(command, "check", "pass-school", "--format", "json", "-o", "out.json", cwd=work)
    assert proc.returncode == 0, proc.stderr            # pass-school: compliant, exit 0
    verdict = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert verdict["verdict"] == "compliant" and verdict["submission"]["id"]
    assert len(verdict["results"]) == len([p for p in (ROOT / "rules").glob("*.yaml") if not p.name.startswith("_")])

    version = _run(python, "-m", "compliance", "--version", cwd=work)
    assert version.returncode == 0, version.stderr
    if FROM_PYPI:                       # another geometry kernel may be another build
        assert re.fullmatch(rf"compliance {re.escape(__version__)} \(build {re.escape(__version__)}\+[0-9a-f]{{12}}\)",
                            version.stdout.strip()), version.stdout
    else:
        assert version.stdout.strip() == f"compliance {__version__} (build {build_identity()})", \
            "the wheel computes the build of the checkout it was built from"

    lint = _run(command, "rules", "lint", cwd=work)
    assert lint.returncode == 0 and "clean: " in lint.stdout, lint.stdout + lint.stderr
    assert "compliance/_data/rules" in lint.stdout, "the installed checker lints the rules it carries"
