"""Build hook (everything else is declared in pyproject.toml): the wheel carries the checker's own data.

The repository keeps rules/, features/ and ifc_samples/ at its top, where policy staff edit them.
build_py copies them into the package it builds, as compliance/_data/<name>, so that an installed
`compliance` has its rule set, its Gherkin scenarios and the sample submissions `rules diff` checks.
Which folders and where they go is compliance/bundled.py's (NAMES, PACKAGED), the module that
finds them at run time; it is read here from its file (the package itself is not imported).
Python files (ifc_samples' generator scripts) stay behind. An editable install copies nothing:
it runs from the checkout and reads the folders in place.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SKIP = shutil.ignore_patterns("__pycache__", "*.py", "*.pyc", ".*")


def _bundled():
    spec = importlib.util.spec_from_file_location("_compliance_bundled", HERE / "compliance" / "bundled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithData(build_py):
    """build_py, then the bundled folders copied into the build (a stale copy replaced whole)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        bundled = _bundled()
        target = Path(self.build_lib) / bundled.PACKAGED.relative_to(bundled.PACKAGE.parent)
        if target.exists():
            shutil.rmtree(target)
        for name in bundled.NAMES:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; the wheel would have no {name}/")
            shutil.copytree(source, target / name, ignore=SKIP)
        viewer = HERE / "compliance" / "web" / "static" / "build" / "viewer.js"
        if not viewer.is_file():
            self.warn(f"{viewer} is not built (scripts/build_viewer.sh): this wheel's web app has no 3D viewer")


setup(cmdclass={"build_py": BuildPyWithData})
