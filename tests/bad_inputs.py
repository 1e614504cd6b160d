"""Build a case of the bad-input corpus (tests/bad_inputs/<case>/) into a folder to check.

A case is a `case.yaml` plus, optionally, files. It starts from a bundled sample (`base`,
default pass-school) or, with `target: rules`, from a copy of rules/ (the sample is then checked
against it), and changes it:

- files beside case.yaml replace the same-named files (binary-exact: random bytes, encodings);
- `edits`: exact text replacements in a file (the old text must be there once, so a case cannot
  silently stop testing anything when a sample changes); `{year+N}` is this year plus N;
- `encode`: {file, as}: re-save a file as gb18030, latin-1, utf-8-sig (a BOM), utf-16, or crlf;
- `truncate`: {file, keep}: keep that fraction of the file's bytes;
- `pad`: {file, bytes, random}: append that many bytes (a YAML comment, or random bytes);
- `links`: {name: target}: make `name` a symbolic link to target (`../outside/...` is a copy of
  the sample placed beside the submission folder, outside it);
- `folders`: [name]: make `name` a folder;
- `copies`: {name: source}: a copy of the sample's file `source` under another name;
- `args`: extra command-line arguments.
`expect` is what the real CLI must answer (see test_bad_inputs.py).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_inputs"


@dataclass
class Built:
    folder: Path            # the submission folder to check
    args: list[str]         # extra CLI arguments
    expect: dict
    about: str


def cases() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "case.yaml").is_file())


def build(case: Path, tmp: Path) -> Built:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    base = ROOT / "ifc_samples" / spec.get("base", "pass-school")
    sub = tmp / "submission"
    shutil.copytree(base, sub)
    shutil.copytree(base, tmp / "outside")
    args = [str(a) for a in spec.get("args", [])]
    root = sub
    if spec.get("target") == "rules":
        root = tmp / "rules"
        shutil.copytree(ROOT / "rules", root)
        args += ["--rules", str(root)]
    for f in case.iterdir():
        if f.name != "case.yaml":
            shutil.copyfile(f, root / f.name)
    for edit in spec.get("edits", []):
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        old, new = _years(edit["old"]), _years(edit["new"])
        assert text.count(old) == 1, f"{case.name}: {edit['file']} must hold {old!r} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8", newline="")
    if enc := spec.get("encode"):
        path = root / enc["file"]
        text = path.read_text(encoding="utf-8")
        data = text.replace("\n", "\r\n").encode() if enc["as"] == "crlf" else text.encode(enc["as"])
        path.write_bytes(data)
    if cut := spec.get("truncate"):
        path = root / cut["file"]
        data = path.read_bytes()
        path.write_bytes(data[:int(len(data) * cut["keep"])])
    if pad := spec.get("pad"):
        with open(root / pad["file"], "ab") as fh:
            fh.write(random.Random(8).randbytes(pad["bytes"]) if pad.get("random")
                     else b"\n#" + b"x" * pad["bytes"] + b"\n")
    for name, target in (spec.get("links") or {}).items():
        (root / name).unlink(missing_ok=True)
        (root / name).symlink_to(target)
    for name in spec.get("folders", []):
        (root / name).mkdir()
    for name, source in (spec.get("copies") or {}).items():
        shutil.copyfile(root / source, root / name)
    return Built(sub, args, spec.get("expect") or {}, spec["about"])


def _years(text: str) -> str:
    year = date.today().year
    for n in range(0, 101):
        text = text.replace(f"{{year+{n}}}", str(year + n))
    return text
