"""Structure-aware mutators for the fuzz harnesses (YAML text and STEP/IFC text).

Byte flips rarely get past a YAML or STEP parser into the code behind it. These mutators edit
the text the way a person (or a broken exporter) would: delete, duplicate or swap lines, put a
wrong value, type or reference where a right one was, re-indent, nest deeply, splice lines of
another seed, change the encoding. Every mutator is a pure function of (data, max_size, seed),
as libFuzzer requires, and falls back to libFuzzer's own byte mutation now and then.

Nothing here imports the project: the harnesses import this module outside the instrumented
block, so it costs no coverage noise.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Callable, Sequence

Mutate = Callable[[bytes, int], bytes]      # atheris.Mutate(data, max_size)

# --- YAML ----------------------------------------------------------------------------------

YAML_VALUES: tuple[bytes, ...] = (
    b"~", b"null", b"", b"true", b"false", b"no", b"yes", b"on", b"0", b"-1", b"-0", b"1", b"3",
    b"0.5", b"1.5", b"50", b"100", b"100.00001", b"0.00001", b"0.0001", b"1e15", b"1.0e15", b"1e400",
    b"1.0e400", b"-1.0e400", b".inf", b"-.inf", b".nan", b"0x7fffffffffffffff", b"0xffffffffffffffffffffffff",
    b"9" * 40, b"-" + b"9" * 40, b"0o17", b"0b101", b"1_000", b"1:30:00", b"190:20:30",
    b"2024-13-01", b"2024-02-30", b"0000-01-01", b"9999-12-31", b"2025-03-18", b"2025-03-18T10:00:00Z",
    b"2025-03-18 25:61:61", b"[]", b"{}", b"[a, b]", b"[1, 2]", b"[[]]", b"[{}]", b"{a: 1}", b"{1: 2}",
    b"{[1]: 2}", b"{? [a] : b}", b"''", b'""', b"' '", b"'x'", b"'\\x00'", b'"\\0"', b'"\\u0000"',
    b'"\\ud800"', b'"\\U0010ffff"', b'"\\x85"', b"\xe4\xb8\xad\xe6\x96\x87", b"\xf0\x9f\x8f\xa2",
    b"\xe2\x80\xa8", b"\xc2\x85", b"!!binary aGVsbG8=", b"!!str 1", b"!!int x", b"!!int 12", b"!!float abc",
    b"!!float 1", b"!!bool maybe", b"!!null x", b"!!timestamp 2001-13-01", b"!!timestamp x",
    b"!!set {a, b}", b"!!omap [a: 1]", b"!!pairs [a: 1]", b"!!map [1]", b"!!seq {a: 1}",
    b"!!python/object:os.system x", b"!!python/name:os.system", b"!custom x", b"!<tag:yaml.org,2002:str> x",
    b"&a [1, 2]", b"&a {x: 1}", b"&a 1", b"*a", b"*nope", b"<<: {a: 1}", b"<<", b"=", b"|\n  block\n",
    b">-\n  folded\n", b"|-9\n", b"? x", b"- x", b"-", b"---", b"...", b"#", b"'unterminated",
    b'"unterminated', b"[unclosed", b"{unclosed", b"a: b: c", b"@x", b"`x", b"%x", b"\t1",
    b"architecture.ifc", b"ARCHITECTURE.IFC", b"x.IFC", b"../x.ifc", b"/abs.ifc", b"a/../b.ifc",
    b"sub/dir/x.ifc", b"a\\b.ifc", b".ifc", b"a" * 300 + b".ifc", (b"d/" * 200) + b"x.ifc",
    b"'a\\x00.ifc'", b'"a\\0.ifc"', b"nul.ifc", b"\xe6\x96\x87.ifc", b"$large_public_building_m2",
    b"$green3_zones", b"$nope", b"$", b"$A", b">=", b"<=", b"==", b"!=", b"%", b"m\xc2\xb2", b"kW",
    b"flag", b"projected", b"surface", b"mandatory", b"target", b"encouraged", b"new", b"retrofit",
    b"school", b"government_office", b"xinjiangwan", b"binjiang_south", b"pv_roof_ratio", b"x" * 5000,
)

YAML_KEYS_EXTRA: tuple[bytes, ...] = (
    b"<<", b"? ", b"1", b"true", b"~", b"'quoted'", b"\xe4\xb8\xad", b"id", b"__proto__",
)

_KEY_LINE = re.compile(rb"^(\s*(?:-\s+)*)([^\s#:\-][^:#]*?)(\s*:)(\s*)(.*)$")
_YAML_KEY = re.compile(rb"^\s*(?:-\s+)*([A-Za-z_$][\w$-]*)\s*:", re.M)
_YAML_SCALAR = re.compile(rb":\s+([^\s#{}\[\],][^#{}\[\],\n]*?)\s*$", re.M)
_FLOW_ITEM = re.compile(rb"[\[{,]\s*([^\s\[\]{},:][^\[\]{},:\n]*?)\s*(?=[,\]}:])")


class YamlVocabulary:
    """Keys and scalar values seen in the seed files, plus the fixed interesting values."""

    def __init__(self, seeds: Sequence[bytes]) -> None:
        keys: set[bytes] = set(YAML_KEYS_EXTRA)
        values: set[bytes] = set(YAML_VALUES)
        for text in seeds:
            keys.update(_YAML_KEY.findall(text))
            values.update(v for v in _YAML_SCALAR.findall(text) if len(v) < 120)
            values.update(v for v in _FLOW_ITEM.findall(text) if len(v) < 60)
        self.keys = sorted(keys)
        self.values = sorted(values)
        self.seeds = [s for s in seeds if s]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _deep(rng: random.Random) -> bytes:
    n = rng.choice((10, 50, 200, 1000, 3000, 10000))
    kind = rng.randrange(4)
    if kind == 0:
        return b"[" * n + b"1" + b"]" * n
    if kind == 1:
        return b"{a: " * n + b"1" + b"}" * n
    if kind == 2:
        return b"".join(b"\n" + b" " * (2 * i) + b"k%d:" % i for i in range(min(n, 400))) + b" 1"
    return b"- " * min(n, 2000) + b"1"


def _laughs(rng: random.Random) -> bytes:
    """An alias fan-out ("billion laughs"): `depth` levels of `width` aliases each."""
    width, depth = rng.choice((2, 3, 5, 9, 10)), rng.choice((3, 5, 8, 10, 20))
    out = [b"a0: &a0 [x]"]
    for i in range(1, depth):
        out.append(b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * width) + b"]")
    return b"\n".join(out) + b"\n"


def _encode(rng: random.Random, data: bytes) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    codec = rng.choice(("utf-8-sig", "utf-16", "utf-16-le", "utf-32", "gbk", "gb18030", "latin-1", "cp1252"))
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return text.encode(codec, errors="replace")


def mutate_yaml(data: bytes, max_size: int, seed: int, vocab: YamlVocabulary, mutate: Mutate) -> bytes:
    """One to four structure-aware edits of YAML text (or a libFuzzer byte mutation)."""
    rng = random.Random(seed)
    if not data or rng.random() < 0.12:
        if not data or rng.random() < 0.3:
            data = rng.choice(vocab.seeds) if vocab.seeds else data
        return mutate(data, max_size)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        data = _yaml_edit(rng, data, vocab)
    return data[:max_size]


def _yaml_edit(rng: random.Random, data: bytes, vocab: YamlVocabulary) -> bytes:
    lines = _lines(data)
    n = len(lines)
    i = rng.randrange(n)
    op = rng.randrange(19)
    if op <= 3:                                     # put another value after a key
        m = _KEY_LINE.match(lines[i])
        if m:
            indent, key, colon, space, _ = m.groups()
            value = rng.choice(vocab.values)
            if b"\n" in value:
                value = value.replace(b"\n", b"\n" + indent + b"  ")
            lines[i] = indent + key + colon + (space or b" ") + value
        else:
            lines[i] = lines[i] + b" " + rng.choice(vocab.values)
    elif op == 4:                                   # another key
        m = _KEY_LINE.match(lines[i])
        if m:
            indent, _, colon, space, value = m.groups()
            lines[i] = indent + rng.choice(vocab.keys) + colon + space + value
    elif op == 5:                                   # delete one line or a run of lines
        del lines[i:i + rng.choice((1, 1, 1, 2, 3, 8))]
    elif op == 6:                                   # duplicate (duplicate keys, repeated blocks)
        j = min(n, i + rng.choice((1, 1, 2, 4)))
        lines[j:j] = lines[i:j]
    elif op == 7:                                   # swap two lines (moves keys between blocks)
        j = rng.randrange(n)
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 8:                                   # re-indent
        line = lines[i]
        stripped = line.lstrip(b" \t")
        indent = len(line) - len(stripped)
        lines[i] = rng.choice((b" " * max(0, indent + rng.choice((-2, -1, 1, 2, 4))), b"\t" + line,
                               b" " * indent + b"\t", b"")) + stripped
    elif op == 9:                                   # a new `key: value` line at some line's indentation
        template = lines[rng.randrange(n)]
        indent = template[: len(template) - len(template.lstrip(b" -"))]
        lines.insert(i, indent + rng.choice(vocab.keys) + b": " + rng.choice(vocab.values))
    elif op == 10:                                  # nest a value deeply
        m = _KEY_LINE.match(lines[i])
        deep = _deep(rng)
        if m and b"\n" not in deep:
            lines[i] = m.group(1) + m.group(2) + b": " + deep
        else:
            lines.insert(i, deep)
    elif op == 11:                                  # anchors and aliases
        if rng.random() < 0.4:
            lines.insert(0 if rng.random() < 0.5 else n, _laughs(rng))
        else:
            m = _KEY_LINE.match(lines[i])
            j = rng.randrange(n)
            mj = _KEY_LINE.match(lines[j])
            if m and mj and m.group(5).strip():
                lines[i] = m.group(1) + m.group(2) + b": &x " + m.group(5)
                lines[j] = mj.group(1) + mj.group(2) + b": *x"
            elif m:
                lines.insert(i + 1, m.group(1) + b"<<: *x")
    elif op == 12:                                  # splice lines of another seed
        other = _lines(rng.choice(vocab.seeds)) if vocab.seeds else lines
        a = rng.randrange(len(other))
        lines[i:i] = other[a:a + rng.choice((1, 2, 5, 20))]
    elif op == 13:                                  # a strange character in a line
        line = lines[i]
        k = rng.randrange(len(line) + 1)
        ch = rng.choice((b"\t", b"\r", b"\x00", b"\x85", b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"\xc2\xa0", b"\xff",
                         b"\xed\xa0\x80", b"\xe4\xb8\xad", b"#", b":", b"'", b'"', b"&", b"*", b"!", b"|", b">",
                         b"%", b"@", b"{", b"[", b"]", b"}", b",", b"?", b"-", b"\\"))
        lines[i] = line[:k] + ch + line[k:]
    elif op == 14:                                  # truncate
        return data[: rng.randrange(len(data) + 1)]
    elif op == 15:                                  # another encoding, a BOM, CRLF
        choice = rng.randrange(3)
        if choice == 0:
            return _encode(rng, data)
        if choice == 1:
            return b"\xef\xbb\xbf" + data
        return data.replace(b"\n", b"\r\n")
    elif op == 16:                                  # list <-> mapping <-> scalar
        m = _KEY_LINE.match(lines[i])
        if m and m.group(5).strip():
            value = m.group(5)
            wrapped = rng.choice((b"[" + value + b"]", b"{" + value + b": 1}", b"{x: " + value + b"}",
                                  b"[[" + value + b"]]", b"'" + value + b"'", b"!!str " + value))
            lines[i] = m.group(1) + m.group(2) + b": " + wrapped
    elif op == 17:                                  # document markers, directives, several documents
        lines.insert(rng.choice((0, i, n)), rng.choice((b"---", b"...", b"--- |", b"%YAML 1.1", b"%YAML 2.0",
                                                        b"%TAG ! tag:x,2000:", b"--- !!map", b"--- !!seq")))
    else:                                           # a numeric value nudged
        m = re.search(rb"-?\d+(\.\d+)?", lines[i])
        if m:
            new = rng.choice((b"0", b"-1", b"-0.0", b"1e400", b"0.00001", b"99999999999999999999",
                              b"%d" % rng.randrange(-10, 10 ** 6), m.group(0) + b"0000", m.group(0) + b".00001"))
            lines[i] = lines[i][: m.start()] + new + lines[i][m.end():]
    return b"\n".join(lines)


# --- STEP (IFC) ----------------------------------------------------------------------------

_ENTITY = re.compile(rb"^#(\d+)\s*=\s*([A-Za-z0-9_]+)\s*\((.*)\)\s*;\s*$", re.S)
_REF = re.compile(rb"#\d+")
_NUM = re.compile(rb"(?<![#\w.])-?\d+\.?\d*(?:[Ee][+-]?\d+)?")
_ENUM = re.compile(rb"\.[A-Z_][A-Z0-9_]*\.")
_STR = re.compile(rb"'(?:[^']|'')*'")
_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'")

STEP_NUMBERS: tuple[bytes, ...] = (
    b"0.", b"-0.", b"0", b"1.", b"-1.", b"1.E-9", b"1.E-300", b"4.9E-324", b"1.E+308", b"-1.E+308",
    b"1.E+400", b"-1.E+400", b"1.E999", b"9.999999E+307", b"2147483647", b"2147483648", b"-2147483649",
    b"9223372036854775808", b"99999999999999999999", b"1000000.", b"0.001", b"3.14159265358979",
    b"6.28318530717959", b"1.5707963267949", b"1.E-5", b"360.", b"-360.", b"0.5", b"1E",
)
STEP_ATTRS: tuple[bytes, ...] = (
    b"$", b"*", b"()", b"(())", b"''", b"'x'", b".T.", b".F.", b".U.", b".UNKNOWN.", b".NOTDEFINED.",
    b".USERDEFINED.", b".ROOF.", b".FLOOR.", b".SOLARPANEL.", b"#0", b"#1", b"#99999999", b"#-1", b"#",
    b"IFCREAL(1.)", b"IFCLABEL('x')", b"IFCBOOLEAN(.T.)", b"IFCAREAMEASURE(-1.)", b"IFCPOWERMEASURE(1.E+400)",
    b"IFCLENGTHMEASURE($)", b"IFCNOSUCHTYPE(1)", b"(#1,#1)", b"(0.,0.)", b"(0.,0.,0.,0.)", b"((1.,2.),(3.))",
    b"(" * 50 + b")" * 50, b"'\\X2\\D800\\X0\\'", b"'\\X4\\0010FFFF\\X0\\'", b"'\\X2\\00\\X0\\'",
    b"'\\X\\FF'", b"'\\S\\'", b"'\\P\\'", b"'\\'", b"'" + b"A" * 70000 + b"'", b"\"0A\"", b"\"\"",
)
STEP_SCHEMAS: tuple[bytes, ...] = (b"IFC2X3", b"IFC4", b"IFC4X3", b"IFC4X3_ADD2", b"IFC4X1", b"IFC2X2",
                                   b"IFC5", b"", b"ifc4", b"IFC4X3_TC1", b"X" * 300)


class StepVocabulary:
    """Entity names, enumerations and whole entity lines seen in the seed models."""

    def __init__(self, seeds: Sequence[bytes]) -> None:
        names: set[bytes] = set()
        enums: set[bytes] = set()
        for text in seeds:
            for line in text.split(b"\n"):
                m = _ENTITY.match(line.strip())
                if m:
                    names.add(m.group(2))
                    enums.update(_ENUM.findall(m.group(3)))
        self.names = sorted(names) or [b"IFCSLAB"]
        self.enums = sorted(enums) or [b".ROOF."]
        self.seeds = [s for s in seeds if s]


def _split_args(body: bytes) -> list[tuple[int, int]]:
    """Spans of the top-level comma-separated arguments of an entity's argument list."""
    spans, depth, start, quoted, k = [], 0, 0, False, 0
    while k < len(body):
        c = body[k]
        if quoted:
            if c == 0x27:                           # '
                if k + 1 < len(body) and body[k + 1] == 0x27:
                    k += 1
                else:
                    quoted = False
        elif c == 0x27:
            quoted = True
        elif c == 0x28:                             # (
            depth += 1
        elif c == 0x29:
            depth -= 1
        elif c == 0x2C and depth == 0:              # ,
            spans.append((start, k))
            start = k + 1
        k += 1
    spans.append((start, len(body)))
    return spans


def mutate_step(data: bytes, max_size: int, seed: int, vocab: StepVocabulary, mutate: Mutate) -> bytes:
    """One to four edits of STEP text: entities, references, numbers, attributes, header."""
    rng = random.Random(seed)
    if not data or rng.random() < 0.06:
        if not data or rng.random() < 0.5:
            data = rng.choice(vocab.seeds) if vocab.seeds else data
        return mutate(data, max_size)
    lines = data.split(b"\n")
    entities = [i for i, line in enumerate(lines) if line.startswith(b"#")]
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        lines = _step_edit(rng, lines, entities, vocab, mutate)
        entities = [i for i, line in enumerate(lines) if line.startswith(b"#")]
    out = b"\n".join(lines)
    if len(out) > max_size:                        # keep the end marker: a cut file is rejected early
        out = out[: max(0, max_size - 40)] + b"\nEND-ISO-10303-21;\n"
        out = out[:max_size]
    return out


def _ids(lines: list[bytes], entities: list[int]) -> list[int]:
    out = []
    for i in entities:
        m = re.match(rb"#(\d+)", lines[i])
        if m:
            out.append(int(m.group(1)))
    return out or [1]


def _step_edit(rng: random.Random, lines: list[bytes], entities: list[int], vocab: StepVocabulary,
               mutate: Mutate) -> list[bytes]:
    if not entities:
        i = rng.randrange(len(lines))
        lines[i] = mutate(lines[i], len(lines[i]) + 16)
        return lines
    i = rng.choice(entities)
    line = lines[i]
    op = rng.randrange(20)
    if op == 0:                                     # delete an entity (dangling references)
        del lines[i]
    elif op == 1:                                   # duplicate an entity under a new or the same id
        m = re.match(rb"#(\d+)", line)
        new_id = rng.choice((max(_ids(lines, entities)) + 1, int(m.group(1)) if m else 1))
        lines.insert(i + 1, re.sub(rb"^#\d+", b"#%d" % new_id, line))
    elif op == 2:                                   # swap two entities' bodies (type confusion)
        j = rng.choice(entities)
        a, b = line.split(b"=", 1), lines[j].split(b"=", 1)
        if len(a) == 2 and len(b) == 2:
            lines[i], lines[j] = a[0] + b"=" + b[1], b[0] + b"=" + a[1]
    elif op in (3, 4, 5):                           # rewire a reference (cycles, wrong types, dangling)
        refs = list(_REF.finditer(line))[1:]        # not the entity's own id
        own_m = re.match(rb"#\d+", line)
        if refs and own_m:
            r = rng.choice(refs)
            own = own_m.group(0)
            target = rng.choice((b"#%d" % rng.choice(_ids(lines, entities)), own, b"#0", b"#99999999",
                                 b"#%d" % rng.choice(_ids(lines, entities))))
            lines[i] = line[: r.start()] + target + line[r.end():]
    elif op in (6, 7):                              # a number
        nums = list(_NUM.finditer(line))
        if nums:
            r = rng.choice(nums)
            lines[i] = line[: r.start()] + rng.choice(STEP_NUMBERS) + line[r.end():]
    elif op in (8, 9, 10):                          # an attribute replaced
        m = _ENTITY.match(line)
        if m:
            body = m.group(3)
            spans = _split_args(body)
            a, b = rng.choice(spans)
            value = rng.choice(STEP_ATTRS) if rng.random() < 0.7 else body[slice(*rng.choice(spans))]
            lines[i] = line[: m.start(3)] + body[:a] + value + body[b:] + line[m.end(3):]
    elif op == 11:                                  # an attribute added or removed
        m = _ENTITY.match(line)
        if m:
            body = m.group(3)
            spans = _split_args(body)
            if rng.random() < 0.5 and len(spans) > 1:
                k = rng.randrange(len(spans))
                parts = [body[slice(*s)] for s in spans]
                del parts[k]
            else:
                parts = [body[slice(*s)] for s in spans] + [rng.choice(STEP_ATTRS)]
            lines[i] = line[: m.start(3)] + b",".join(parts) + line[m.end(3):]
    elif op == 12:                                  # another entity type
        m = _ENTITY.match(line)
        if m:
            lines[i] = line[: m.start(2)] + rng.choice(vocab.names) + line[m.end(2):]
    elif op == 13:                                  # another enumeration value
        enums = list(_ENUM.finditer(line))
        if enums:
            r = rng.choice(enums)
            lines[i] = line[: r.start()] + rng.choice(vocab.enums + [b".X.", b".T.", b".F."]) + line[r.end():]
    elif op == 14:                                  # a string
        strs = list(_STR.finditer(line))
        if strs:
            r = rng.choice(strs)
            value = rng.choice((b"''", b"'\\X2\\D800\\X0\\'", b"'\\X2\\4E2D\\X0\\'", b"'\\X4\\0010FFFF\\X0\\'",
                                b"'\\X\\FF'", b"'\\S\\A'", b"'\\PA\\'", b"'\\X2\\0'", b"'\\'", b"'''",
                                b"'" + b"\xe4\xb8\xad" + b"'", b"'\xff\xfe'", b"'Body'", b"'Axis'", b"'body'",
                                b"'" + b"x" * 5000 + b"'"))
            lines[i] = line[: r.start()] + value + line[r.end():]
    elif op == 15:                                  # the header: schema, other records
        for k, header in enumerate(lines[:40]):
            m = _SCHEMA.search(header)
            if m:
                lines[k] = header[: m.start(1)] + rng.choice(STEP_SCHEMAS) + header[m.end(1):]
                break
        else:
            lines[i] = mutate(line, len(line) + 16)
    elif op == 16:                                  # cut an entity short
        lines[i] = line[: rng.randrange(len(line) + 1)]
    elif op == 17:                                  # splice entities from another seed (id clashes)
        other = [x for x in rng.choice(vocab.seeds).split(b"\n") if x.startswith(b"#")] if vocab.seeds else []
        if other:
            a = rng.randrange(len(other))
            lines[i:i] = other[a:a + rng.choice((1, 3, 10))]
    elif op == 18:                                  # swap the order of two entity lines
        j = rng.choice(entities)
        lines[i], lines[j] = lines[j], lines[i]
    else:                                           # bytes of one line
        lines[i] = mutate(line, len(line) + 32)
    return lines


def read_seeds(paths: Sequence[Path], limit: int = 300_000) -> list[bytes]:
    out = []
    for p in paths:
        try:
            data = p.read_bytes()
        except OSError:
            continue
        if len(data) <= limit:
            out.append(data)
    return out
