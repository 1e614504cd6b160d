"""Where the checker's own data is: its rule set, the rules' Gherkin scenarios, the sample submissions.

The one lookup every command and module uses (`bundled("rules")`, `default_rules()`):

- installed from a wheel: the copies the build put inside the package, `compliance/_data/NAME`
  (setup.py's build_py copies the repository's folders there; they ship like the templates);
- run from a source checkout (an editable install, `python cli.py`): the repository's own
  top-level folders `rules/`, `features/` and `ifc_samples/`, the ones policy staff edit.

A wheel carries `compliance/_data` and a checkout never does (the folder exists only in a build's
output), so that folder alone tells the two apart: no guessing from folder names that any other
package in site-packages could also have. Only paths are computed here (one stat), nothing is read.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PACKAGED = PACKAGE / "_data"
#: the folders the checker ships, by their name in the repository and under compliance/_data
NAMES = ("rules", "features", "ifc_samples")
#: another default rule folder for every command (`--rules` still wins)
RULES_ENV = "COMPLIANCE_RULES"


def repository() -> Path | None:
    """The source checkout this package runs from, or None when it is installed from a wheel."""
    return None if PACKAGED.is_dir() else PACKAGE.parent


def bundled(name: str) -> Path:
    """The checker's own folder `name` (one of NAMES), from a wheel or from a checkout."""
    if name not in NAMES:
        raise ValueError(f"no bundled folder {name!r}; the checker ships {', '.join(NAMES)}")
    root = repository()
    return (root if root is not None else PACKAGED) / name


def default_rules() -> Path:
    """The rule folder a command uses without --rules: $COMPLIANCE_RULES, else the bundled rules/."""
    override = os.environ.get(RULES_ENV)
    return Path(override) if override else bundled("rules")
