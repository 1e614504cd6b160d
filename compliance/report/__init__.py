"""Report stage: one module per format, registered in FORMATS (which also feeds the CLI).

Every reporter module exposes `render(verdict, lang) -> bytes` and reads only the Verdict record;
`lang` is "both" (Chinese first, English beside), "zh" or "en".
Modules are imported when used, so the CLI starts without loading WeasyPrint.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    extension: str
    description: str
    binary: bool = False
    media_type: str = "text/plain; charset=utf-8"     # what a web download says it is
    aliases: tuple[str, ...] = ()                     # other extensions -o may end with

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.aliases)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", "compliance.report.text", ".txt", "human summary (the default on a terminal)"),
    Format("json", "compliance.report.json_report", ".json", "machine-readable verdict",
           media_type="application/json"),
    Format("pdf", "compliance.report.pdf", ".pdf", "signed-off verdict document (WeasyPrint)", binary=True,
           media_type="application/pdf"),
    Format("html", "compliance.report.html", ".html", "the PDF's report as one self-contained web page",
           media_type="text/html; charset=utf-8", aliases=(".htm",)),
    Format("xlsx", "compliance.report.xlsx", ".xlsx", "one row per finding and element, for spreadsheets", binary=True,
           media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    Format("bcf", "compliance.report.bcf", ".bcf", "BCF 2.1/3.0 topics framing the elements to fix", binary=True,
           media_type="application/octet-stream"),
    Format("junit", "compliance.report.junit", ".xml", "JUnit XML for CI: a test case per rule, red unless compliant",
           media_type="application/xml", aliases=(".junit.xml",)),
    Format("sarif", "compliance.report.sarif", ".sarif", "SARIF 2.1.0 for code-scanning tools: a result per rule",
           media_type="application/sarif+json", aliases=(".sarif.json",)),
)}


# `compliance extract`: what the reader sees in a model. Modules expose render_facts(list[ModelFacts]).
EXTRACT_FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", "compliance.report.facts_table", ".txt", "tables for a person, with provenance"),
    Format("json", "compliance.report.facts_json", ".json", "the reader's records, for tools"),
)}


def render_facts(format_name: str, all_facts) -> bytes:
    return importlib.import_module(EXTRACT_FORMATS[format_name].module).render_facts(all_facts)


def render(format_name: str, verdict, lang: str = "both", options=None) -> bytes:
    """`options`: per format name, the keyword arguments of that format's render beyond the verdict
    and the language, e.g. {"bcf": {"version": "3.0", "previous": ...}}; formats not named get none."""
    fmt = FORMATS[format_name]
    return importlib.import_module(fmt.module).render(verdict, lang, **dict((options or {}).get(format_name) or {}))


def parse_formats(text: str) -> list[str]:
    """'pdf,json,bcf' -> ['pdf', 'json', 'bcf'] (order kept, repeats dropped); ValueError names an unknown one."""
    names = list(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    return names


class OutputError(ValueError):
    """A --format / -o combination that cannot be honoured; `hint` says what to write instead."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def plan_outputs(formats: list[str] | None, output, stdout_is_terminal: bool = False):
    """(formats, output, into_folder) for a check: several formats, or an output naming a folder
    (an existing one, or a path ending in /), write one file per format into it."""
    import os
    from pathlib import Path

    typed = str(output) if output is not None else ""       # before Path(), which drops a trailing /
    output = Path(output) if output is not None and typed != "-" else None      # -o -: standard output
    folder = output is not None and (output.is_dir() or typed.endswith(("/", os.sep)))
    if not formats:
        from_name = format_for_path(str(output)) if output is not None and not folder else None
        if from_name is None and output is not None and not folder and output.suffix:
            raise OutputError(f"{typed}: no report format is written as '{output.suffix}'",
                              f"name a file ending in {', '.join(known_extensions())} (the format follows), "
                              f"or pass --format {'|'.join(FORMATS)}")
        formats = [from_name] if from_name else ["pdf", "json"] if folder else ["text"]
    if len(formats) > 1 and output is None:
        raise OutputError("several formats need an output folder" + (", not standard output" if typed else ""),
                          "add -o out/ (each format is written there)")
    if len(formats) > 1 and not folder:
        if output.suffix:
            raise OutputError(f"several formats ({','.join(formats)}) cannot go into one file {output}",
                              f"name a folder instead: -o {output.parent / output.stem}/")
        folder = True
    if output is None and FORMATS[formats[0]].binary and stdout_is_terminal:
        raise OutputError(f"{formats[0]} output is binary and standard output is a terminal",
                          f"write it to a file: -o verdict{FORMATS[formats[0]].extension}, or pipe it: "
                          f"-o - | ...")
    return formats, output, folder


# Stems a report file may not take: the batch's own summary (batch-summary.json would overwrite
# that submission's JSON report, or the other way round) and names Windows reserves for devices.
RESERVED_STEMS = frozenset({"batch-summary", "con", "prn", "aux", "nul",
                            *(f"{dev}{n}" for dev in ("com", "lpt") for n in range(1, 10))})


def report_stem(submission_id: str) -> str:
    """A file name from a submission id (which comes from a submitted file): no path, no surprises.
    Only letters, digits, '.', '_' and '-' (no separator, no '..', no leading dot), at most 100
    characters, never a reserved stem."""
    import re

    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", submission_id).strip("._-")[:100].rstrip("._-")
    first = stem.split(".")[0]
    if first.lower() in RESERVED_STEMS:                  # Windows also reserves 'CON.anything'
        stem = f"{first}_{stem[len(first):]}"
    return stem or "verdict"


def format_for_path(path: str) -> str | None:
    """The format a file name's extension says (the longest that matches: x.sarif.json is sarif), or None."""
    found = [(len(ext), fmt.name) for fmt in FORMATS.values() for ext in fmt.extensions if path.lower().endswith(ext)]
    return max(found)[1] if found else None


def known_extensions() -> list[str]:
    return [ext for fmt in FORMATS.values() for ext in fmt.extensions]


def write_atomic(path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`: readers
    see the old file or the whole new one, never a truncated verdict, even if the process is killed
    or the machine loses power; on any failure the temporary file is removed."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())            # the bytes are on disk before the name points at them
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)        # mkstemp makes the file private; a verdict is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    _remove_stale_parts(path)


STALE_PART_S = 600     # a temporary file is written from memory in seconds; one this old was orphaned


def _remove_stale_parts(path) -> None:
    """Temporary files of `path` left by a writer that was killed (SIGKILL, power loss) before its
    rename; younger ones may belong to a writer still at work and are left alone."""
    import glob
    import time

    for part in path.parent.glob(f".{glob.escape(path.name)}.????????.part"):      # mkstemp: 8 random characters
        try:
            if time.time() - part.lstat().st_mtime > STALE_PART_S:
                part.unlink()
        except OSError:
            pass


def _sync_folder(folder) -> None:
    """Make a rename durable (POSIX: fsync the directory); a no-op where folders cannot be opened."""
    import os

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
