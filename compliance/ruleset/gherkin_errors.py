"""gherkin-official's parse errors as `rules lint` says them: the line, what is wrong there, and
what to write instead — in the keywords of the file's own language (`# language: zh-CN`: 假如 / 当 /
那么 ...), never the parser's token names (#StepLine, #TagLine, ...).

The parser's exceptions keep only a formatted message ("(12:5): expected: #EOF, #StepLine, ...,
got 'text'") and a location; the expected tokens and the text found are read back from it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .scenarios import GherkinProblem

_UNEXPECTED = re.compile(r"expected: (?P<expected>.*), got '(?P<got>.*)'$", re.S)
_EOF = re.compile(r"unexpected end of file, expected: (?P<expected>.*)$", re.S)
_LANGUAGE_LINE = re.compile(r"^\s*#\s*language\s*:\s*([a-zA-Z\-_]+)\s*$")
_LOCATED = re.compile(r"^\(\d+:\d+\): ")


class Words:
    """The keywords of one Gherkin language, as a person types them."""

    def __init__(self, language: str) -> None:
        from gherkin.dialect import Dialect

        self.language = language
        dialect = Dialect.for_name(language) or Dialect.for_name("en")
        assert dialect is not None
        self.spec: dict[str, list[str]] = {k: list(v) for k, v in dialect.spec.items() if isinstance(v, list)}

    def of(self, kind: str, most: int = 2) -> list[str]:
        """The first keywords of a kind (given, when, scenario, ...), without '*' (English: Scenario
        before its synonym Example, the word the project writes)."""
        keywords = [k.strip() for k in self.spec[kind] if k.strip() != "*"]
        return sorted(keywords, key=lambda k: k != "Scenario")[:most]

    def step_starts(self) -> tuple[str, ...]:
        kinds = ("given", "when", "then", "and", "but")
        return tuple(k for kind in kinds for k in self.spec[kind])

    def steps(self) -> str:
        return " / ".join(self.of(kind, 1)[0] for kind in ("given", "when", "then", "and", "but"))

    def first_steps(self) -> str:
        return " / ".join(self.of(kind, 1)[0] for kind in ("given", "when", "then"))

    def headers(self) -> list[str]:
        """Every section keyword (Feature, Background, Scenario Outline, ...), longest first."""
        kinds = ("feature", "rule", "background", "scenario", "scenarioOutline", "examples")
        return sorted({k.strip() for kind in kinds for k in self.spec[kind]}, key=len, reverse=True)

    def header(self, kind: str) -> str:
        return " / ".join(f"{k}:" for k in self.of(kind))

    def expected(self, tokens: list[str]) -> str:
        """The parser's expected token types, in words (comments, blank lines and free text left out)."""
        said = {
            "#EOF": "the end of the file",
            "#TagLine": "a tag (@...)",
            "#FeatureLine": f"a feature ({self.header('feature')})",
            "#RuleLine": f"a rule block ({self.header('rule')})",
            "#BackgroundLine": f"a background ({self.header('background')})",
            "#ScenarioLine": f"a scenario ({self.header('scenario')} / {self.header('scenarioOutline')})",
            "#ExamplesLine": f"examples ({self.header('examples')})",
            "#StepLine": f"a step ({self.steps()})",
            "#DocStringSeparator": 'a doc string (""")',
            "#TableRow": "a table row (| ... |)",
        }
        words = [said[t] for t in tokens if t in said]
        return ", ".join(words) if words else "something else"


def language_of(text: str) -> str:
    """The `# language:` of a feature file's header, else English (Gherkin's default)."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        found = _LANGUAGE_LINE.match(stripped)
        if found:
            return found.group(1)
    return "en"


def parse_problems(path: Path, text: str, errors: list) -> list[GherkinProblem]:
    """One problem per parser error (the parser recovers and reports up to about ten per file)."""
    words = Words(language_of(text))
    return [_problem(path, text, words, error) for error in errors]


def _open_doc_string(text: str) -> int | None:
    """The line of the last doc string separator that opens one and is never closed."""
    opened: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(('"""', "```")):
            opened = None if opened else number
    return opened


def _problem(path: Path, text: str, words: Words, error) -> GherkinProblem:
    from gherkin.errors import AstBuilderException, NoSuchLanguageException

    location = getattr(error, "location", None) or {}
    line = location.get("line")
    message = _LOCATED.sub("", str(error))
    fix = "fix the feature file"
    if isinstance(error, NoSuchLanguageException):
        return GherkinProblem(path, line, f"unknown Gherkin language in '# language:': {message.split(': ', 1)[-1]}",
                              "write a language Gherkin knows on the first line, e.g. '# language: zh-CN' or "
                              "'# language: en' (or no such line: English)")
    if isinstance(error, AstBuilderException) and "inconsistent cell count" in message:
        return GherkinProblem(path, line, "this table row has a different number of cells from the table's "
                                          "first row", "give every row of the table the same columns (| a | b |)")
    eof = _EOF.match(message)
    if eof:
        expected = _tokens(eof.group("expected"))
        if "#DocStringSeparator" in expected and "#Other" in expected:
            return GherkinProblem(path, _open_doc_string(text) or line, 'a doc string (""") is not closed',
                                  'close it with """ on a line of its own')
        return GherkinProblem(path, line, f"the file ends too early: expected {words.expected(expected)}", fix)
    unexpected = _UNEXPECTED.match(message)
    if unexpected is None:
        return GherkinProblem(path, line, message, fix)
    expected, got = _tokens(unexpected.group("expected")), unexpected.group("got").strip()
    if got.startswith(words.step_starts()) and "#StepLine" not in expected:
        return GherkinProblem(path, line, f"a step where no step may stand: {got}",
                              f"steps belong under a scenario ({words.header('scenario')}) or a background "
                              f"({words.header('background')}), before its examples")
    if got.startswith("|") and "#TableRow" not in expected:
        return GherkinProblem(path, line, f"a table row where no table may stand: {got}",
                              "a table follows a step (its data) or an examples line "
                              f"({words.header('examples')})")
    header = next((k for k in words.headers() if got.startswith(f"{k}:")), None)
    if header is not None:
        return GherkinProblem(path, line, f"'{header}:' cannot stand here (expected {words.expected(expected)})",
                              f"Gherkin's order: {words.of('feature', 1)[0]}:, one {words.of('background', 1)[0]}:, "
                              "scenarios with their steps and examples, then rule blocks (each with its own "
                              "background and scenarios)")
    if "#StepLine" in expected:
        return GherkinProblem(path, line, f"not a step ({words.steps()}): {got}",
                              f"start the line with a step keyword of the file's language ({words.language}: "
                              f"{words.steps()}), or make it a comment with #")
    return GherkinProblem(path, line, f"unexpected here: {got} (expected {words.expected(expected)})", fix)


def _tokens(listed: str) -> list[str]:
    return [t.strip() for t in listed.split(",") if t.strip()]
