"""What makes a verdict PDF cheaper (issue 22, bench/README.md) changes nothing in it: the cyclic
collector paused while WeasyPrint works and back on after; streams serialised once for the PDF/A
file identifier, byte for byte the same file; `prepare` paying a process's fixed costs up front;
no matplotlib in a PDF."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from compliance.report import pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ifc_samples" / "fail-office"


@pytest.fixture(scope="module")
def verdict():
    from compliance.context import RunContext
    from compliance.pipeline import check_submission

    return check_submission(SAMPLE, RunContext(rules_dir=ROOT / "rules"))


def test_the_collector_is_paused_during_a_render_and_back_on_after(verdict, monkeypatch):
    seen = []
    original = pdf._render

    def spy(v, lang):
        seen.append(gc.isenabled())
        return original(v, lang)

    monkeypatch.setattr(pdf, "_render", spy)
    assert gc.isenabled()
    assert pdf.render(verdict, "en").startswith(b"%PDF-")
    assert seen == [False] and gc.isenabled()


def test_a_collector_that_was_off_stays_off(verdict):
    gc.disable()
    try:
        pdf.render(verdict, "en")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failed_render_turns_the_collector_back_on(verdict, monkeypatch):
    def boom(v, lang):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(pdf, "_render", boom)
    with pytest.raises(RuntimeError):
        pdf.render(verdict, "en")
    assert gc.isenabled()


def test_streams_serialised_once_give_the_same_bytes(verdict, monkeypatch):
    once = pdf.render(verdict, "both")
    monkeypatch.setattr(pdf, "_streams_serialised_once", lambda document: None)
    twice = pdf.render(verdict, "both")
    assert once == twice                          # dates come from the verdict, not the clock


def test_prepare_then_render(verdict):
    pdf.prepare()
    assert gc.isenabled()
    assert pdf.render(verdict, "zh").startswith(b"%PDF-")


def test_a_pdf_imports_no_matplotlib():
    from fresh_interpreter import after_checking

    printed, imported = after_checking(SAMPLE, "from compliance.report import pdf\n"
                                               "print(pdf.render(v, 'both')[:5].decode())")
    assert printed == ["%PDF-"] and imported == set()
