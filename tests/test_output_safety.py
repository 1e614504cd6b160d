"""No code execution from data, nothing lost: a hostile submission through every output.

The submission is pass-school with hostile text in its metadata (name, name_en, applicant), in
element names and the authoring application of its IFC model, and in its model's file name: HTML
tags that would fetch a URL, Jinja syntax, spreadsheet formulas, terminal escape sequences (OSC 8
hyperlink, clear screen), rich markup, a path, a bidi override. Every format must show that text
literally (or drop what its file format cannot carry), obey none of it, fetch nothing, and write
nothing outside the output folder. Reports are written atomically: a failure or a SIGKILL leaves
the previous file or the whole new one, never a part.

Each hostile submission is checked once per module (the real CLI in a subprocess); the tests
then look at the files it wrote.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from xml.etree import ElementTree as ET

import pytest
from output_safety_helpers import (
    ALL_FORMATS,
    CLEAR,
    CSI8,
    ESCAPE_BYTES,
    INJECTED,
    MODEL_FILE,
    OSC8,
    RULES,
    SAMPLE,
    SUBMISSION_ID,
    Hostile,
    Tags,
    complete_pdf,
    copy_sample,
    kill_after,
    kill_mid_write,
    parts,
    pdf_text,
    recording_server,
    run_cli,
    squash,
)

from compliance.report import FORMATS, report_stem, write_atomic
from compliance.report.labels import visible_controls


@pytest.fixture(scope="module")
def server():
    """(port, requests): a local HTTP server on an ephemeral port that records every request."""
    with recording_server() as port_and_hits:
        yield port_and_hits


@pytest.fixture(scope="module")
def hostile(server, tmp_path_factory) -> Hostile:
    port, _ = server
    return Hostile(port, tmp_path_factory.mktemp("hostile") / "submission").build()


@pytest.fixture(scope="module")
def reports(hostile, tmp_path_factory) -> dict:
    """Every format of the hostile submission, written by the CLI into one folder."""
    out = tmp_path_factory.mktemp("reports") / "out"
    proc = run_cli("check", hostile.folder, "--format", ",".join(ALL_FORMATS), "-o", f"{out}/")
    assert proc.returncode == 3, proc.stderr.decode()        # incomplete: PV-1 needs a reviewer
    return {"out": out, "stderr": proc.stderr,
            **{fmt: out / f"{SUBMISSION_ID}{FORMATS[fmt].extension}" for fmt in ALL_FORMATS}}


@pytest.fixture(scope="module")
def verdict(hostile):
    from compliance.context import RunContext
    from compliance.pipeline import check_submission

    return check_submission(hostile.folder, RunContext(rules_dir=RULES))


# ---------------------------------------------------------------------------------------- JSON

def test_json_gives_back_every_hostile_string_exactly(hostile, reports):
    raw = reports["json"].read_bytes()
    for byte in ESCAPE_BYTES:
        assert byte not in raw, f"{byte!r} written raw into the JSON"
    data = json.loads(raw)
    s = data["submission"]
    assert (s["name"], s["name_en"], s["applicant"]) == (hostile.name, hostile.name_en, hostile.applicant)
    (model,) = data["models"]
    assert model["file"] == MODEL_FILE and model["application"] == hostile.application
    names = {e["global_id"]: e["name"] for e in data["elements"]}
    for gid in ("13O5CqEOPOuetGYhAOpMoI", "2jprLqoADJSgTFuCwlsPHR", "2kgnqTqcrOd8cr5WlWzXOu"):
        assert names[gid] == hostile.elements[gid]


# ---------------------------------------------------------------------------------------- terminal

@pytest.fixture(scope="module")
def terminal(hostile) -> str:
    proc = run_cli("check", hostile.folder, "--format", "text")
    assert proc.returncode == 3, proc.stderr.decode()
    for byte in ESCAPE_BYTES:
        assert byte not in proc.stdout and byte not in proc.stderr, f"{byte!r} sent to the terminal"
    return proc.stdout.decode("utf-8")


def test_terminal_shows_escape_sequences_and_markup_literally(hostile, terminal, reports):
    assert "[U+001B]]8;;file:///etc/passwd[U+0007]click[U+001B]]8;;[U+0007]" in terminal   # the application
    assert "[U+001B][2J" in terminal and "[U+009B]31m" in terminal and "[U+202E]exe.fdp" in terminal
    for text in (hostile.name, hostile.name_en, hostile.application, MODEL_FILE):
        assert visible_controls(text) in terminal                 # [bold]x[/], {{ 7*7 }}: as written
    assert reports["text"].read_text(encoding="utf-8") == terminal   # the .txt file says the same


def test_error_messages_show_control_characters(capsys):
    from compliance.commands.common import fail

    with pytest.raises(SystemExit) as exit_:
        fail(f"model '{OSC8} {CLEAR}.ifc' listed in 'models' does not exist", f"fix {CSI8}")
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and not any(ch in err for ch in "\x1b\x07\x9b")
    assert visible_controls(f"error: model '{OSC8} {CLEAR}.ifc'") in err and "[U+009B]31m" in err


def test_control_characters_in_submission_yaml_are_refused_or_shown(tmp_path):
    """Escaped control characters in submission.yaml: refused by the reader (exit 2) or shown."""
    name, model = f"{OSC8} {CLEAR} \u202eexe.fdp", f"{OSC8} {CLEAR}.ifc"
    for fields in ({"name": name}, {"models": [model]}):
        proc = run_cli("check", copy_sample(tmp_path / str(len(list(tmp_path.iterdir()))), **fields),
                       "--format", "text")
        out = proc.stdout + proc.stderr
        assert not any(byte in out for byte in ESCAPE_BYTES), out.decode("utf-8", "replace")
        assert proc.returncode in (0, 2) and (proc.returncode == 0 or proc.stderr.startswith(b"error: "))
        assert proc.returncode == 2 or visible_controls(name).encode() in proc.stdout


def test_extract_table_shows_names_literally(hostile):
    proc = run_cli("extract", hostile.folder, env=dict(os.environ, COLUMNS="400"))   # a cell on one line
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode()         # '[/x]' in a name is no markup error
    assert not any(byte in proc.stdout for byte in ESCAPE_BYTES)
    flat = squash(out.replace("│", " "))
    for gid in ("13O5CqEOPOuetGYhAOpMoI", "2kgnqTqcrOd8cr5WlWzXOu"):
        assert squash(visible_controls(hostile.elements[gid])) in flat
    assert squash(visible_controls(hostile.application)) in flat
    assert "[derived]" in out or "[quantity]" in out            # its own brackets are not eaten either


# ---------------------------------------------------------------------------------------- HTML and PDF

def test_html_escapes_every_hostile_string(hostile, reports):
    page = reports["html"].read_text(encoding="utf-8")
    assert not any(ch in page for ch in "\x1b\x07\x9b\u202e")
    parser = Tags()
    parser.feed(page)
    assert [t for t, a in parser.tags if t in ("link", "script", "iframe", "object", "embed", "base")] == []
    assert all(a.get("src", "").startswith("data:") for t, a in parser.tags if t == "img")
    assert not any("href" in a and not a["href"].startswith("#") for t, a in parser.tags)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in page
    assert "{{ 7*7 }}" in page and "{% raw %}" in page and "[bold]x[/]" in page
    assert "[U+001B][2J" in page and "[U+202E]exe.fdp" in page


def test_pdf_shows_hostile_strings_literally(hostile, reports):
    assert complete_pdf(reports["pdf"])
    text = pdf_text(reports["pdf"])
    flat = squash(text)
    for s in hostile.strings():
        assert squash(visible_controls(s)) in flat, s
    assert squash(visible_controls(MODEL_FILE)) in flat
    assert "\u202e" not in text and "\x1b" not in text


def test_pdf_rendering_fetches_nothing(server, verdict, reports, monkeypatch):
    from compliance.report import fetch, pdf

    port, hits = server
    asked = []
    real = fetch.check_url
    monkeypatch.setattr(fetch, "check_url", lambda url: (asked.append(url), real(url))[1])
    data = pdf.render(verdict, "both")
    assert data.startswith(b"%PDF") and asked, "the spy saw no fetch at all: is the fetcher used?"
    assert all(url.startswith("data:") for url in asked), [u[:80] for u in asked if not u.startswith("data:")]
    fetched = [h for h in hits if h != "/control.png"]             # that one is the control test's
    assert fetched == [], f"the CLI or WeasyPrint requested {fetched} from the local server"


def _a_verdict():
    """A real verdict: the verdict PDF embeds its JSON and dates the attachment from it."""
    from conftest import SAMPLES

    from compliance.context import RunContext
    from compliance.pipeline import check_submission

    return check_submission(SAMPLES / "pass-school", RunContext(rules_dir=RULES))


@pytest.mark.parametrize("module", ["compliance.report.pdf", "compliance.district.render.pdf"])
def test_pdf_renderers_refuse_urls_even_if_markup_slipped_through(server, module, monkeypatch, tmp_path):
    """As if a template printed submitted text unescaped: WeasyPrint still loads nothing."""
    import importlib

    from compliance.report import fetch

    port, hits = server
    url = f"http://127.0.0.1:{port}"
    page = INJECTED.format(url=url, port=port)
    renderer = importlib.import_module(module)
    refused = []
    real = fetch.check_url

    def spy(u):
        try:
            return real(u)
        except fetch.RefusedURL:
            refused.append(u)
            raise

    monkeypatch.setattr(fetch, "check_url", spy)
    monkeypatch.setattr(renderer, "html", lambda *args, **kw: page)
    before = len(hits)
    out = tmp_path / "injected.pdf"
    out.write_bytes(renderer.render(_a_verdict() if module == "compliance.report.pdf" else None, "both"))
    assert complete_pdf(out) and "injected" in pdf_text(out)
    assert hits[before:] == [], f"fetched {hits[before:]}"
    assert any(u.startswith(url) for u in refused) and "file:///etc/passwd" in refused
    listing = subprocess.run(["pdfdetach", "-list", str(out)], capture_output=True, text=True)
    own = ["1 embedded files", "1: verdict.json"] if module == "compliance.report.pdf" else ["0 embedded files"]
    assert listing.stdout.strip().splitlines() == own, listing.stdout      # the verdict PDF's own JSON only
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) <= 2, images          # the header only: no image loaded


def test_the_injection_test_would_see_a_fetch(server, tmp_path):
    """Control: WeasyPrint's own fetcher does request the injected URLs from the local server."""
    from weasyprint import HTML

    port, hits = server
    before = len(hits)
    HTML(string=f'<img src="http://127.0.0.1:{port}/control.png">').write_pdf()
    assert "/control.png" in hits[before:]


def test_fetcher_allows_data_and_template_files_only(tmp_path, monkeypatch):
    from weasyprint.urls import path2url

    from compliance.report import fetch

    css = fetch.ALLOWED_FOLDERS[0] / "verdict.css"
    assert fetch.check_url("data:text/plain,hi") and fetch.check_url(path2url(css))
    response = fetch.url_fetcher()(path2url(css))
    assert response.read() == css.read_bytes()
    response.close()
    outside = [
        "http://127.0.0.1:9/x.css", "https://example.org/x.png", "ftp://example.org/x", "file:///etc/passwd",
        path2url(fetch.ALLOWED_FOLDERS[0]) + "../../../../../../etc/passwd",
        path2url(fetch.ALLOWED_FOLDERS[0]) + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "file://example.org" + path2url(css).removeprefix("file://"), "javascript:alert(1)", "about:blank",
        "//127.0.0.1:9/x", "verdict.css",
    ]
    for url in outside:
        with pytest.raises(fetch.RefusedURL):
            fetch.check_url(url)
    with pytest.raises(fetch.RefusedURL):
        fetch.url_fetcher()("file:///etc/passwd")
    inside = tmp_path / "templates"
    inside.mkdir()
    (inside / "link.css").symlink_to("/etc/passwd")                # a symlink out of an allowed folder
    monkeypatch.setattr(fetch, "ALLOWED_FOLDERS", (inside,))
    with pytest.raises(fetch.RefusedURL):
        fetch.check_url(path2url(inside / "link.css"))


# ---------------------------------------------------------------------------------------- xlsx and BCF

def test_xlsx_stores_hostile_text_as_strings(hostile, reports):
    from openpyxl import load_workbook

    from compliance.report.xlsx import clean_text

    with zipfile.ZipFile(reports["xlsx"]) as z:
        for name in z.namelist():
            assert not re.search(rb"<f[\s>]", z.read(name)), f"a formula in {name}"
    wb = load_workbook(reports["xlsx"])
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    for text in (hostile.name, hostile.applicant, hostile.elements["13O5CqEOPOuetGYhAOpMoI"],
                 hostile.elements["2jprLqoADJSgTFuCwlsPHR"], hostile.name_en):
        shown = [c for c in cells if c.value == clean_text(text)]
        assert shown, f"no cell holds {text!r}"
        assert all(c.data_type == "s" and c.quotePrefix for c in shown)
        assert "\x1b" not in clean_text(text)


def test_bcf_entries_and_text_are_safe(hostile, reports):
    with zipfile.ZipFile(reports["bcf"]) as z:
        names = z.namelist()
        for name in names:
            assert re.fullmatch(r"bcf\.version|project\.bcfp|"
                                r"[0-9a-f-]{36}/(markup\.bcf|[0-9a-f-]{36}\.bcfv|snapshot\.png)?", name), name
        markups = [z.read(n) for n in names if n.endswith("markup.bcf")]
        project = ET.fromstring(z.read("project.bcfp"))
    assert markups, "no topics: the hostile elements are cited nowhere"
    texts = []
    for raw in markups:
        assert b"\x1b" not in raw and b"\x07" not in raw and b"<img" not in raw
        texts.append("".join(ET.fromstring(raw).itertext()))
    text = "\n".join(texts)
    assert f"<img src=\"{hostile.url}/p.png\">" in text and "../../evil" in text and "{{ 7*7 }}" in text
    assert "[U+202E]exe.fdp" in text and "\u202e" not in text
    assert "<img src=\"file:///etc/passwd\">" in "".join(project.itertext())


# ---------------------------------------------------------------------------------------- paths

def test_outputs_stay_in_the_output_folder(reports, hostile):
    out = reports["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{SUBMISSION_ID}{FORMATS[f].extension}"
                                                           for f in ALL_FORMATS)
    assert not list(out.parent.rglob("*evil*")) and not list(hostile.folder.parent.rglob("*evil*"))


@pytest.mark.parametrize("submission_id", [
    "../../evil", "..", ".", "/etc/passwd", "a/../../b", "..\\..\\evil", "C:\\x", "~root", "$(rm -rf ~)",
    "\x1b[2J", "\u202eexe.fdp", "名字", "", "batch-summary", "CON", "nul.txt", "x" * 500, ".hidden", "-rf"])
def test_report_stem_never_leaves_the_folder(submission_id, tmp_path):
    stem = report_stem(submission_id)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem) and len(stem) <= 101
    assert stem.split(".")[0].lower() not in ("batch-summary", "con", "nul")
    for fmt in FORMATS.values():
        path = tmp_path / f"{stem}{fmt.extension}"
        assert path.resolve().parent == tmp_path.resolve()


# ---------------------------------------------------------------------------------------- nothing lost

@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_atomic_failure_keeps_the_old_file(tmp_path, monkeypatch, failing):
    """The data written, then the disk fills (fsync) or the rename fails: the old file stays whole."""
    target = tmp_path / "verdict.pdf"
    target.write_bytes(b"%PDF old verdict %%EOF")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        write_atomic(target, b"%PDF new verdict, longer than the old one %%EOF")
    monkeypatch.undo()
    assert target.read_bytes() == b"%PDF old verdict %%EOF"
    assert parts(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["verdict.pdf"]


def test_write_atomic_replaces_whole_and_keeps_permissions_sane(tmp_path):
    target = tmp_path / "sub" / "verdict.json"
    write_atomic(target, b"{}")
    write_atomic(target, b'{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}' and parts(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_atomic_removes_orphaned_parts_only(tmp_path):
    """A writer killed before its rename leaves its .part file; the next write of that path removes
    it once it is clearly orphaned, never a young one (another writer may be at work)."""
    target = tmp_path / "verdict.pdf"
    orphan, young, other = (tmp_path / ".verdict.pdf.ab12cd34.part", tmp_path / ".verdict.pdf.ef56gh78.part",
                            tmp_path / ".verdict.pdf.json.ij90kl12.part")
    for part in (orphan, young, other):
        part.write_bytes(b"%PDF half")
    an_hour_ago = time.time() - 3600
    for part in (orphan, other):
        os.utime(part, (an_hour_ago, an_hour_ago))
    write_atomic(target, b"%PDF whole %%EOF")
    assert target.read_bytes() == b"%PDF whole %%EOF"
    assert not orphan.exists() and young.exists() and other.exists()


def test_check_failing_half_way_leaves_old_reports_and_no_parts(tmp_path, monkeypatch):
    """In-process `check`: a renderer that raises writes nothing; a write that fails (disk full)
    after the first report was written leaves the second one's old file whole."""
    from click.testing import CliRunner

    import cli
    import compliance.report as report
    from compliance.report import xlsx

    out = tmp_path / "out"
    out.mkdir()
    old = {"json": b'{"old": true}\n', "xlsx": b"PK old workbook"}
    for fmt, data in old.items():
        (out / f"{SUBMISSION_ID}{FORMATS[fmt].extension}").write_bytes(data)
    files = {fmt: out / f"{SUBMISSION_ID}{FORMATS[fmt].extension}" for fmt in old}
    args = ["check", str(SAMPLE), "--format", "json,xlsx", "-o", f"{out}/"]

    def broken(*a, **k):
        raise RuntimeError("renderer broke half-way")

    with monkeypatch.context() as m:
        m.setattr(xlsx, "render", broken)
        result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2 and "renderer broke half-way" in result.output
    assert {f: p.read_bytes() for f, p in files.items()} == old and parts(tmp_path) == []

    calls = []
    real_write = report.write_atomic

    def disk_full(*a):
        raise OSError(28, "No space left on device")

    def second_write_fails(path, data):
        calls.append(path)
        if len(calls) == 2:
            with monkeypatch.context() as m:
                m.setattr(os, "replace", disk_full)
                return real_write(path, data)
        return real_write(path, data)

    with monkeypatch.context() as m:
        m.setattr(report, "write_atomic", second_write_fails)
        result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2 and "No space left" in result.output
    written = files["json"].read_bytes()                          # the old file, or the whole new one
    assert written == old["json"] or json.loads(written)["submission"]["id"] == SUBMISSION_ID
    assert files["xlsx"].read_bytes() == old["xlsx"] and parts(tmp_path) == []


def test_sigkill_leaves_no_pdf_the_old_pdf_or_a_whole_new_one(tmp_path, reports):
    out = tmp_path / "out.pdf"
    cmd = ["check", SAMPLE, "-o", out]
    code = kill_after(cmd, 0.5)                                  # before anything is written
    assert code == -signal.SIGKILL and not out.exists()
    shutil.copyfile(reports["pdf"], out)                          # an older verdict at that path
    kill_after(cmd, 2.0)                                          # while reading or rendering
    assert complete_pdf(out), "killed after 2 s: a broken out.pdf"
    old = out.read_bytes()
    caught = kill_mid_write(cmd, out)
    assert complete_pdf(out), f"killed as it wrote ({caught}): a broken verdict"
    if caught == "part":                                          # killed between temp file and rename
        assert out.read_bytes() == old, "killed mid-write, yet the old verdict changed"
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".part")] == ["out.pdf"]


def test_batch_keeps_every_report_through_kills(tmp_path):
    """batch: a submission whose id is the summary's stem keeps its own report; killed batches
    leave whole JSON files; a final run completes."""
    root = tmp_path / "in"
    copy_sample(root / f"a{CLEAR}[bold]b", id="batch-summary")
    out, db = tmp_path / "out", tmp_path / "registry.sqlite"
    cmd = ["batch", root, "-o", out, "--format", "json", "--db", db, "-j", "1"]

    def whole_json_files():
        for p in out.glob("*.json"):
            json.loads(p.read_bytes())                            # raises on a truncated file
        return sorted(p.name for p in out.glob("*.json"))

    for delay in (0.8, 1.6):
        kill_after(cmd, delay)
        if out.exists():
            whole_json_files()
    proc = run_cli(*cmd)
    assert proc.returncode == 0, proc.stderr.decode()
    assert not any(byte in proc.stdout + proc.stderr for byte in ESCAPE_BYTES)
    assert "a[U+001B][2J[bold]b" in proc.stdout.decode("utf-8")
    assert whole_json_files() == ["batch-summary.json", "batch-summary_.json"]
    summary = json.loads((out / "batch-summary.json").read_bytes())
    report = json.loads((out / "batch-summary_.json").read_bytes())
    assert "rows" in summary and report["submission"]["id"] == "batch-summary"


def test_batch_gives_every_submission_its_own_report(tmp_path):
    for root, name in (("r1", "first"), ("r2", "second"), ("r3", "third")):
        copy_sample(tmp_path / root / "x", name=name)
    out = tmp_path / "out"
    proc = run_cli("batch", *(tmp_path / r for r in ("r1", "r2", "r3")), "-o", out, "--format", "json",
                   "--db", tmp_path / "registry.sqlite", "-j", "1")
    assert proc.returncode == 0, proc.stderr.decode()
    names = sorted(json.loads(p.read_bytes())["submission"]["name"]
                   for p in out.glob("*.json") if p.name != "batch-summary.json")
    assert names == ["first", "second", "third"]
