"""Starting corpora for the fuzz harnesses, and crash files turned into regression seeds.

    .venv/bin/python fuzz/seeds.py build                      # fuzz/corpus/<reader>/ from the samples
    .venv/bin/python fuzz/seeds.py promote READER CRASH NAME  # -> tests/fuzz_seeds/READER/NAME

Corpora (generated, gitignored):
- fuzz/corpus/metadata/  every ifc_samples/*/submission.yaml, the regression seeds, a few hand-made
- fuzz/corpus/rules/     one input per rule file: byte 0 = index of the file in `rule_files()`,
                         the rest = that file's text (so the fuzzer starts from every real file)
- fuzz/corpus/ifc/       every ifc_samples/**/*.ifc and the IFC regression seeds
- fuzz/corpus/ifc-shared/ symbolic links to the smaller public models of ../shared/ifc (read only:
                         pass it as a second corpus folder; the models are not copied)

A rule-file regression seed is named `<TARGET>--<what>.yaml`: its text replaces rules/<TARGET>.yaml.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
RULES = ROOT / "rules"
FUZZ = ROOT / "fuzz"
CORPUS = FUZZ / "corpus"
REGRESSION = ROOT / "tests" / "fuzz_seeds"
SHARED_IFC = Path(os.environ.get("COMPLIANCE_SHARED_IFC", ROOT.parent / "shared" / "ifc"))
SHARED_MAX_BYTES = 600_000          # larger public models are slow to mutate and to read per input
READERS = ("metadata", "rules", "ifc")


def rule_files(rules: Path = RULES) -> list[str]:
    """The rule-set files a rules input can replace, in the order its first byte indexes."""
    return sorted(p.name for p in rules.glob("*.yaml"))


def metadata_seeds() -> list[Path]:
    return sorted(SAMPLES.glob("*/submission.yaml")) + sorted((REGRESSION / "metadata").glob("*"))


def ifc_seeds() -> list[Path]:
    return sorted(SAMPLES.glob("*/*.ifc")) + sorted((REGRESSION / "ifc").glob("*"))


def shared_ifc_seeds() -> list[Path]:
    if not SHARED_IFC.is_dir():
        return []
    return sorted(p for p in SHARED_IFC.glob("*.ifc") if p.stat().st_size <= SHARED_MAX_BYTES)


def split_rules_seed(name: str) -> tuple[str, str]:
    """'PV-1--huge-value.yaml' -> ('PV-1.yaml', 'huge-value')."""
    target, _, what = name.partition("--")
    return target + ".yaml", what.rsplit(".", 1)[0]


# Small hand-made inputs the samples do not cover (each one short, so it mutates quickly).
HANDMADE_METADATA = {
    "flow.yaml": b"{id: A-1, name: x, kind: new, filed_on: 2025-01-01, use: school, public_institution: false,"
                 b" models: [architecture.ifc]}\n",
    "anchors.yaml": b"id: &i A-1\nname: *i\nkind: new\nfiled_on: 2025-01-01\nuse: school\npublic_institution: false\n"
                    b"models: [architecture.ifc]\ndeclared: &d {parking_spaces: 1}\nenergy: {}\n",
    "merge.yaml": b"base: &b {reason: because}\nid: A-1\nname: x\nkind: new\nfiled_on: 2025-01-01\nuse: school\n"
                  b"public_institution: false\nmodels: [architecture.ifc]\nexemptions: {PV-1: {<<: *b}}\n",
    "operation.yaml": b"id: A-1\nname: x\nkind: retrofit\nfiled_on: 2025-01-01\nuse: government_office\n"
                      b"public_institution: true\nmodels: [architecture.ifc]\noperation:\n  baseline_2020:\n"
                      b"    {energy_per_m2: 1, energy_per_capita: 1, water_per_capita: 1, carbon_per_m2: 1}\n"
                      b"  current: {energy_per_m2: 1, energy_per_capita: 1, water_per_capita: 1, carbon_per_m2: 1}\n"
                      b"energy: {audit: {on_file: true, document: a.pdf}, pue: 1.3, energy_class: ultra_low}\n",
    "empty.yaml": b"",
    "scalar.yaml": b"just text\n",
}


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def build() -> None:
    for reader in READERS:
        (CORPUS / reader).mkdir(parents=True, exist_ok=True)
    for path in metadata_seeds():
        _write(CORPUS / "metadata", f"seed-{path.parent.name}-{path.name}", path.read_bytes())
    for name, data in HANDMADE_METADATA.items():
        _write(CORPUS / "metadata", f"seed-handmade-{name}", data)
    files = rule_files()
    for index, name in enumerate(files):
        _write(CORPUS / "rules", f"seed-{name}", bytes([index]) + (RULES / name).read_bytes())
    for path in sorted((REGRESSION / "rules").glob("*.yaml")):
        target, _ = split_rules_seed(path.name)
        if target in files:
            _write(CORPUS / "rules", f"seed-regression-{path.name}", bytes([files.index(target)]) + path.read_bytes())
    for path in ifc_seeds():
        _write(CORPUS / "ifc", f"seed-{path.parent.name}-{path.name}", path.read_bytes())
    shared = CORPUS / "ifc-shared"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir(parents=True)
    for path in shared_ifc_seeds():
        (shared / path.name).symlink_to(path)
    for reader in READERS + ("ifc-shared",):
        print(f"{CORPUS / reader}: {len(list((CORPUS / reader).iterdir()))} inputs")


def promote(reader: str, crash: Path, name: str) -> Path:
    """Copy a crash input (as libFuzzer wrote it) to tests/fuzz_seeds/<reader>/<name>."""
    data = Path(crash).read_bytes()
    if reader == "rules":
        files = rule_files()
        target = files[data[0] % len(files)] if data else files[0]
        name = f"{target[:-5]}--{name}"
        data = data[1:]
    if reader not in READERS:
        raise SystemExit(f"reader must be one of {', '.join(READERS)}")
    suffix = ".ifc" if reader == "ifc" else ".yaml"
    if not name.endswith(suffix):
        name += suffix
    out = REGRESSION / reader / name
    _write(out.parent, out.name, data)
    print(f"{out} ({len(data)} bytes, sha1 {hashlib.sha1(data).hexdigest()[:12]})")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["build"]:
        build()
    elif args[:1] == ["promote"] and len(args) == 4:
        promote(args[1], Path(args[2]), args[3])
    else:
        raise SystemExit(__doc__)
