"""Property tests of the three input readers (Hypothesis): whatever the input, a reader returns its
result or raises a ComplianceError that names the file, never another exception, a crash or a hang.

The inputs are built from the real ones: the sample submissions with fields removed, added or
given values of the wrong type, any model file names, other encodings; real rule files with such
edits or with lines deleted and duplicated; a key or value of either given an explicit YAML tag
(`!!timestamp x`); sample IFC models truncated, with lines deleted, duplicated and swapped, or
with an attribute unset or of another type; and plain arbitrary text and bytes. Every read runs in a forked child (test_fuzz_regressions.isolated), so a
segfault or a hang is a failing example, not a dead test run. The coverage-guided fuzzers under
fuzz/ go much further; these keep the basics true in CI (about a minute in all).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from conftest import RULES, SAMPLES
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_fuzz_regressions import (
    assert_handled,
    ifc_case,
    isolated,
    metadata_case,
    restore_rules,
    rules_case,
    rules_folder,
)

PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])
# IFC examples: no shrinking (each shrink step reads a model in a child; a failure's traceback and
# drawn edits say enough), so a failing property fails in seconds, not minutes
FEW = settings(PROPERTY, max_examples=20, phases=[Phase.explicit, Phase.reuse, Phase.generate])
MANY = settings(PROPERTY, max_examples=100)     # the metadata reader takes about a millisecond

SUBMISSIONS = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*/submission.yaml"))
               if not p.parent.name.startswith("error-")]
RULE_FILES = sorted(p.name for p in RULES.glob("*.yaml"))
RULE_DOCS = {name: yaml.safe_load((RULES / name).read_text(encoding="utf-8")) for name in RULE_FILES}
SMALL_IFC = sorted((p for p in SAMPLES.glob("*/*.ifc") if 1000 < p.stat().st_size < 40_000),
                   key=lambda p: p.stat().st_size)[:6]

# --- values -----------------------------------------------------------------------------------

TRICKY_TEXT = ["", " ", "\t", "~", "null", "true", "1e400", "NaN", "-1", "2024-13-01", "architecture.ifc",
               "ARCHITECTURE.IFC", "../x.ifc", "/abs.ifc", "a/../../b.ifc", "nul\x00.ifc", "a" * 300 + ".ifc",
               "d/" * 150 + "x.ifc", "中文.ifc", "$large_public_building_m2", "$nope", "\u2028", "\ufeff",
               "x" * 5000, "school", "xinjiangwan", ">=", "%", "m²", "projected", "mandatory"]
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10 ** 6), max_value=10 ** 6),
    st.sampled_from([0, -1, 2 ** 31, 2 ** 63, 10 ** 20, 10 ** 400, -(10 ** 400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(TRICKY_TEXT),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=10,
)


def _paths(doc, prefix=()) -> list[tuple]:
    """Every key path of a parsed YAML document (mappings and lists), containers included."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _paths(value, prefix + (i,))
    return out


@st.composite
def edited(draw, docs: list):
    """A deep copy of one of `docs` with 1-4 edits: a value replaced (by anything), a key
    removed, a key added (a known one, elsewhere, or an unknown one)."""
    import copy

    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    known_keys = sorted({p[-1] for d in docs for p in _paths(d) if isinstance(p[-1], str)})
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(anything)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(known_keys) | st.text(max_size=8))] = draw(anything)
        else:
            parent.append(draw(anything))
    return doc


def dump(doc) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def line_edits(draw, text: bytes, keep_first: int = 0, keep_last: int = 0) -> bytes:
    """`text` with lines deleted, duplicated or swapped (the first/last few lines kept)."""
    lines = text.split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        lo, hi = keep_first, len(lines) - keep_last - 1
        if hi <= lo:
            break
        i, j = draw(st.integers(lo, hi)), draw(st.integers(lo, hi))
        action = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


# --- submission metadata ------------------------------------------------------------------------

@MANY
@given(doc=edited(SUBMISSIONS))
def test_metadata_with_wrong_fields_is_handled(tmp_path_factory, doc) -> None:
    folder = tmp_path_factory.mktemp("meta") / "submission"
    fn, names = metadata_case(folder, dump(doc))
    assert_handled(isolated(fn), names)


@MANY
@given(text=st.text(max_size=400))
def test_metadata_any_text_is_handled(tmp_path_factory, text) -> None:
    folder = tmp_path_factory.mktemp("meta") / "submission"
    fn, names = metadata_case(folder, text.encode("utf-8"))
    assert_handled(isolated(fn), names)


model_names = st.one_of(
    st.text(max_size=40).map(lambda t: t + ".ifc"),
    st.sampled_from(TRICKY_TEXT),
    st.integers(1, 5000).map(lambda n: "a" * n + ".ifc"),                      # past NAME_MAX (255)
    st.lists(st.sampled_from(["d", "..", ".", "", "中", "a b"]), max_size=30).map(lambda p: "/".join(p) + "/x.ifc"),
)


@MANY
@given(doc=st.sampled_from(SUBMISSIONS), models=st.lists(model_names, min_size=1, max_size=3))
def test_metadata_any_model_names_are_handled(tmp_path_factory, doc, models) -> None:
    folder = tmp_path_factory.mktemp("meta") / "submission"
    fn, names = metadata_case(folder, dump(dict(doc, models=models)))
    assert_handled(isolated(fn), names)


@FEW
@given(data=st.data(), encoding=st.sampled_from(["utf-8-sig", "utf-16", "gb18030", "latin-1", "utf-32"]))
def test_metadata_real_files_in_other_encodings_are_handled(tmp_path_factory, data, encoding) -> None:
    text = dump(data.draw(st.sampled_from(SUBMISSIONS))).decode("utf-8")
    edited_text = data.draw(line_edits(text.encode("utf-8"))).decode("utf-8", errors="replace")
    folder = tmp_path_factory.mktemp("meta") / "submission"
    fn, names = metadata_case(folder, edited_text.encode(encoding, errors="replace"))
    assert_handled(isolated(fn), names)


# --- rule files ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory) -> Path:
    """One copy of rules/ for the module; each example replaces one file and puts it back."""
    return rules_folder(tmp_path_factory.mktemp("rules"))


@PROPERTY
@given(data=st.data())
def test_rule_file_with_wrong_fields_is_handled(rules_copy, data) -> None:
    target = data.draw(st.sampled_from(RULE_FILES))
    doc = data.draw(edited([RULE_DOCS[target]]))
    fn, names = rules_case(rules_copy, target, dump(doc))
    try:
        assert_handled(isolated(fn), names)
    finally:
        restore_rules(rules_copy, target)


@PROPERTY
@given(data=st.data())
def test_rule_file_with_lines_edited_is_handled(rules_copy, data) -> None:
    target = data.draw(st.sampled_from(RULE_FILES))
    text = data.draw(line_edits((RULES / target).read_bytes()))
    fn, names = rules_case(rules_copy, target, text)
    try:
        assert_handled(isolated(fn), names)
    finally:
        restore_rules(rules_copy, target)


# --- explicit YAML tags, in both YAML readers ------------------------------------------------

YAML_TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set", "!!seq", "!!map",
             "!!python/object:os.system", "!local", "!"]
tag_values = st.one_of(st.sampled_from(["2024-02-30", "2001-13-01", "2025-00-10", "9999-12-32"]),  # not dates
                       st.sampled_from(["x", "maybe", "1e400-13-01", "0x", "1_000", "",
                                        "99999999999999999999", ".nan", "~", "[1]", "{a: 1}", "aGVsbG8="]),
                       st.text(alphabet="0123456789-:.TZ +eExabn", max_size=12))


@st.composite
def tagged(draw, text: bytes) -> bytes:
    """`text` (YAML) with one `key: value` line's value, or its key, replaced by a tagged (or a
    plain, implicitly typed) scalar."""
    lines = text.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b": " in line and not line.lstrip().startswith(b"#")]
    i = draw(st.sampled_from(keyed))
    key, _, value = lines[i].partition(b": ")
    tag, new = draw(st.just("") | st.sampled_from(YAML_TAGS)).encode(), draw(tag_values).encode()
    tag = tag + b" " if tag else b""    # no tag: the value is resolved implicitly (2024-02-30 is a date)
    indent = key[: len(key) - len(key.lstrip(b" -"))]
    if draw(st.booleans()):
        lines[i] = key + b": " + tag + new
    else:                               # the tag on the key: `!!int x: value`
        lines[i] = indent + tag + new + b": " + value
    return b"\n".join(lines)


@MANY
@given(data=st.data())
def test_yaml_tags_are_handled(tmp_path_factory, rules_copy, data) -> None:
    if data.draw(st.booleans(), label="metadata"):
        sample = data.draw(st.sampled_from(sorted(SAMPLES.glob("*/submission.yaml"))))
        folder = tmp_path_factory.mktemp("meta") / "submission"
        fn, names = metadata_case(folder, data.draw(tagged(sample.read_bytes())))
        assert_handled(isolated(fn), names)
    else:
        target = data.draw(st.sampled_from(RULE_FILES))
        fn, names = rules_case(rules_copy, target, data.draw(tagged((RULES / target).read_bytes())))
        try:
            assert_handled(isolated(fn), names)
        finally:
            restore_rules(rules_copy, target)


# --- IFC models ---------------------------------------------------------------------------------

@FEW
@given(data=st.data())
def test_ifc_with_lines_edited_is_handled(tmp_path_factory, data) -> None:
    model = data.draw(st.sampled_from(SMALL_IFC))
    text = model.read_bytes()
    edited_text = data.draw(line_edits(text, keep_first=8, keep_last=3))
    path = tmp_path_factory.mktemp("ifc") / model.name
    fn, names = ifc_case(path, edited_text)
    assert_handled(isolated(fn), names)


# what the reader looks at (most of a model is geometry the kernel or the extrusion reader handles)
READ_ENTITIES = {b"IFCSLAB", b"IFCROOF", b"IFCSOLARDEVICE", b"IFCBUILDING", b"IFCBUILDINGSTOREY", b"IFCSITE",
                 b"IFCSPACE", b"IFCSIUNIT", b"IFCUNITASSIGNMENT", b"IFCRELCONTAINEDINSPATIALSTRUCTURE",
                 b"IFCRELAGGREGATES", b"IFCQUANTITYAREA", b"IFCELEMENTQUANTITY", b"IFCRELDEFINESBYPROPERTIES",
                 b"IFCPROPERTYSET", b"IFCPROPERTYSINGLEVALUE", b"IFCUNITARYEQUIPMENT", b"IFCRELDEFINESBYTYPE",
                 b"IFCELECTRICAPPLIANCE", b"IFCSHAPEREPRESENTATION", b"IFCPRODUCTDEFINITIONSHAPE"}
ATTRIBUTE_VALUES = ["$", "*", "''", "'x'", "#0", "#99999", "()", "(#1,#1)", "1.", "-1.", "1.E+308", ".T.",
                    ".NOTDEFINED.", "('a','b')", "(0.,0.)", "IFCLABEL('x')", "IFCREAL(1.)"]


def _attribute_spans(body: bytes) -> list[tuple[int, int]]:
    """Spans of the top-level arguments of a STEP entity's argument list."""
    spans, depth, start, quoted = [], 0, 0, False
    for k, c in enumerate(body):
        if c == 0x27:
            quoted = not quoted              # '' inside a string toggles twice: harmless here
        elif not quoted and c == 0x28:
            depth += 1
        elif not quoted and c == 0x29:
            depth -= 1
        elif not quoted and c == 0x2C and depth == 0:
            spans.append((start, k))
            start = k + 1
    return spans + [(start, len(body))]


@settings(FEW, max_examples=30)
@given(data=st.data())
def test_ifc_with_an_attribute_unset_or_of_another_type_is_handled(tmp_path_factory, data) -> None:
    """One attribute of one entity replaced by $ (unset), * or a value of another type: a
    lazily parsed model checks none of this until the reader touches it."""
    model = data.draw(st.sampled_from(SMALL_IFC))
    lines = model.read_bytes().split(b"\n")
    entity = [i for i, line in enumerate(lines) if line.startswith(b"#") and line.endswith(b");")]
    read = [i for i in entity if lines[i].split(b"=", 1)[1].split(b"(", 1)[0] in READ_ENTITIES]
    for _ in range(data.draw(st.integers(1, 2))):
        i = data.draw(st.sampled_from(read) if data.draw(st.integers(0, 4)) else st.sampled_from(entity))
        head, _, rest = lines[i].partition(b"(")
        body = rest[:-2]
        a, b = data.draw(st.sampled_from(_attribute_spans(body)))
        lines[i] = head + b"(" + body[:a] + data.draw(st.sampled_from(ATTRIBUTE_VALUES)).encode() + body[b:] + b");"
    path = tmp_path_factory.mktemp("ifc") / model.name
    fn, names = ifc_case(path, b"\n".join(lines))
    assert_handled(isolated(fn), names)


@FEW
@given(data=st.data(), keep_end=st.booleans())
def test_truncated_ifc_is_handled(tmp_path_factory, data, keep_end) -> None:
    model = data.draw(st.sampled_from(SMALL_IFC))
    text = model.read_bytes()
    cut = text[: data.draw(st.integers(0, len(text)))]
    if keep_end:                      # cut in the middle, yet ending as a complete file would
        cut += b"\nENDSEC;\nEND-ISO-10303-21;\n"
    path = tmp_path_factory.mktemp("ifc") / "cut.ifc"
    fn, names = ifc_case(path, cut)
    assert_handled(isolated(fn), names)


# --- any bytes, any reader: the error names the file ---------------------------------------------

@PROPERTY
@given(reader=st.sampled_from(["metadata", "rules", "ifc"]),
       prefix=st.sampled_from([b"", b"ISO-10303-21;\n", b"\xef\xbb\xbf", b"id: x\n"]),
       body=st.binary(max_size=300))
def test_any_bytes_error_names_the_file(tmp_path_factory, rules_copy, reader, prefix, body) -> None:
    data = prefix + body
    folder = tmp_path_factory.mktemp(reader)
    if reader == "metadata":
        fn, names = metadata_case(folder / "submission", data)
        assert_handled(isolated(fn), names)
    elif reader == "rules":
        target = RULE_FILES[len(body) % len(RULE_FILES)]
        fn, names = rules_case(rules_copy, target, data)
        try:
            assert_handled(isolated(fn), names)
        finally:
            restore_rules(rules_copy, target)
    else:
        fn, names = ifc_case(folder / "any.ifc", data)
        result = isolated(fn)
        assert_handled(result, names)
        if result["outcome"] == "error":          # and the file itself, not only the folder
            assert "any.ifc" in result["message"]


def test_samples_are_there() -> None:
    assert SUBMISSIONS and len(RULE_FILES) > 3 and SMALL_IFC
