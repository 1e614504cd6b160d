"""The policy editors' draft rule set: `data_dir/draft/rules` and `data_dir/draft/features`, made
from the publication in force when first opened. Saving a file never touches a published rule set;
a file that does not parse is still saved (it is the draft) and the page says where it breaks.

No Flask here: the views (drafting.py) call these with the app's data folder."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import ComplianceError
from ..ruleset.publication import STAMP_FILE

# rules/PV-2.yaml, rules/district/targets.yaml, features/pv.feature: no '..', no hidden names
NAME = re.compile(r"(rules|features)(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}){1,3}")
SUFFIXES = {"rules": (".yaml", ".yml"), "features": (".feature",)}
LISTED_APART = ("features/examples/",)       # example submissions (with their IFC files): not edited here
MAX_FILE_BYTES = 512 * 1024
BASED_ON = ".based_on"


class DraftError(ComplianceError):
    kind = "draft error"


@dataclass(frozen=True)
class Draft:
    root: Path

    @property
    def rules_dir(self) -> Path:
        return self.root / "rules"

    @property
    def features_dir(self) -> Path:
        return self.root / "features"

    def based_on(self) -> str:
        """The publication the draft was made from."""
        try:
            return (self.root / BASED_ON).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def files(self) -> list[str]:
        """The files one edits here, rules first, by name."""
        out = []
        for top in ("rules", "features"):
            folder = self.root / top
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                name = path.relative_to(self.root).as_posix()
                if path.is_file() and NAME.fullmatch(name) and path.suffix in SUFFIXES[top] \
                        and not name.startswith(LISTED_APART):
                    out.append(name)
        return out

    def path(self, name: str) -> Path:
        """The file `name` stands for; DraftError for a name that is not a draft's rule or feature file."""
        name = (name or "").strip()
        top = name.split("/", 1)[0]
        if not NAME.fullmatch(name) or top not in SUFFIXES or not name.endswith(SUFFIXES[top]) \
                or any(part.startswith(".") for part in name.split("/")) or name.endswith("/" + STAMP_FILE):
            raise DraftError(f"{name!r} is not a file of the draft",
                             hint="rules/NAME.yaml or features/NAME.feature (letters, digits, '_', '-', '.')")
        return self.root / name

    def read(self, name: str) -> str:
        path = self.path(name)
        try:
            return path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return ""
        except UnicodeDecodeError:
            raise DraftError("the file is not UTF-8 text", file=name, hint="save it as UTF-8") from None

    def save(self, name: str, text: str) -> Path:
        """Write the file (atomically: readers see the old or the new text, never half of it)."""
        path = self.path(name)
        data = (text or "").replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            raise DraftError(f"the file is {len(data) // 1024} kB (at most {MAX_FILE_BYTES // 1024} kB)", file=name,
                             hint="a rule file is a page of YAML: split what is not one rule")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def where(self, file: Optional[str]) -> str:
        """A path a lint message names, as the draft's own (rules/PV-2.yaml)."""
        if not file:
            return ""
        try:
            return Path(file).resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError):
            return str(file)


def open_draft(data_dir: Path, publication) -> Draft:
    """The draft, made from `publication` (its rules and features, without its stamp) if there is none."""
    draft = Draft(Path(data_dir) / "draft")
    if draft.rules_dir.is_dir():
        return draft
    work = Path(tempfile.mkdtemp(prefix=".draft.", dir=Path(data_dir)))
    try:
        ignore = shutil.ignore_patterns(STAMP_FILE)
        shutil.copytree(publication.rules_dir, work / "rules", ignore=ignore, copy_function=shutil.copyfile)
        if publication.features_dir.is_dir():
            shutil.copytree(publication.features_dir, work / "features", copy_function=shutil.copyfile)
        (work / BASED_ON).write_text(publication.version + "\n", encoding="utf-8")
        os.rename(work, draft.root)
    except OSError:
        if not draft.rules_dir.is_dir():        # not another request making it at the same moment
            raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return draft


@dataclass(frozen=True)
class Problem:
    severity: str
    where: str                       # rules/PV-2.yaml:12
    file: str
    line: Optional[int]
    message: str
    hint: Optional[str]


def lint_draft(draft: Draft) -> list[Problem]:
    """Every lint problem of the whole draft, each naming the draft's file and line."""
    from ..ruleset.publication import lint_folders

    out = []
    for p in lint_folders(draft.rules_dir, draft.features_dir).problems:
        file = draft.where(p.file)
        out.append(Problem(p.severity, f"{file}:{p.line}" if p.line else file, file, p.line, p.message, p.hint))
    return out


def parse_problem(draft: Draft, name: str) -> Optional[str]:
    """Why a saved YAML file does not parse ('line 4: ...'), or None."""
    from ..errors import RuleFileError
    from ..yamlio import load_yaml

    path = draft.path(name)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return None
    try:
        load_yaml(path, RuleFileError, what="YAML file")
    except RuleFileError as exc:
        return (f"line {exc.line}: " if exc.line else "") + exc.message
    return None
