"""An index of the Gherkin scenarios in features/: rule id -> the scenarios tagged `@rule:ID`.

The files are read by gherkin-official (import name `gherkin`), the very parser pytest-bdd runs
them with for `compliance rules test`, so lint, show and list read a file exactly as the test
does: every Gherkin language (`# language: zh-CN`: 功能, 场景, 场景大纲, 例子, 假如, 当, 那么, 而且, 但是),
Rule and Background blocks, outlines, doc strings and tables. Its errors become `GherkinProblem`s
with file, line and what to do (gherkin_errors.py); on top of the grammar, what pytest-bdd would
refuse or silently do wrong is reported too: a first step that is And / But, a scenario without
steps, an outline without Examples rows, two scenarios of one file with the same name (pytest-bdd
keeps only the last). No pytest is needed, so `compliance rules ...` works without the test extras.
Tags are inherited: a `@rule:` tag on the Feature, a Rule block or an Examples block counts for
the scenarios under it. Every record carries its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULE_TAG = re.compile(r"@rule:(\S+)")
#: the step keyword types pytest-bdd accepts for the first step of a scenario or background
FIRST_STEP_TYPES = ("Context", "Action", "Outcome")


@dataclass(frozen=True)
class Step:
    keyword: str
    text: str
    line: int


@dataclass(frozen=True)
class Example:
    """One row of an Examples table: the outline's name and steps with its values filled in."""

    line: int
    values: dict
    rule_tags: tuple[tuple[str, int], ...] = ()     # (rule id, line) of tags on this Examples block


@dataclass(frozen=True)
class Scenario:
    feature: Path
    feature_name: str
    line: int
    keyword: str                                    # as written: Scenario, Scenario Outline, 场景, 场景大纲, ...
    name: str
    tags: tuple[str, ...]                           # every tag, inherited ones included
    rule_tags: tuple[tuple[str, int], ...]          # (rule id, line of the tag), inherited ones included
    steps: tuple[Step, ...]
    background: tuple[Step, ...] = ()
    examples: tuple[Example, ...] = ()
    outline: bool = False                           # an outline keyword, or Examples: one case per row
    end: int = 0                                    # its last line (steps, their tables and doc strings, examples)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        ids = [r for r, _ in self.rule_tags] + [r for e in self.examples for r, _ in e.rule_tags]
        return tuple(dict.fromkeys(ids))

    @property
    def is_outline(self) -> bool:
        return self.outline or bool(self.examples)

    def cases(self, rule_id: str | None = None) -> list[str]:
        """The runnable cases' names: one per example row (for `rule_id`: the rows that cover it)."""
        if not self.is_outline:
            return [self.name]
        own = rule_id is None or rule_id in {r for r, _ in self.rule_tags}
        return [fill(self.name, e.values) for e in self.examples
                if own or rule_id in {r for r, _ in e.rule_tags}]

    def where(self, root: Path | None = None) -> str:
        return f"{_rel(self.feature, root)}:{self.line}"


@dataclass(frozen=True)
class GherkinProblem:
    file: Path
    line: int | None
    message: str
    hint: str | None = None


@dataclass
class ScenarioIndex:
    folder: Path
    scenarios: list[Scenario] = field(default_factory=list)
    problems: list[GherkinProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    unparsed: dict[str, Path] = field(default_factory=dict)   # rule id -> a file tagging it that did not parse

    def for_rule(self, rule_id: str) -> list[Scenario]:
        return [s for s in self.scenarios if rule_id in s.rule_ids]

    def case_count(self, rule_id: str) -> int:
        return sum(len(s.cases(rule_id)) for s in self.for_rule(rule_id))

    def by_rule(self) -> dict[str, list[Scenario]]:
        out: dict[str, list[Scenario]] = {}
        for s in self.scenarios:
            for r in s.rule_ids:
                out.setdefault(r, []).append(s)
        return out

    def locate(self, feature: str, name: str) -> tuple[Path | None, int | None]:
        """Where a scenario (or one example row of an outline) is: `feature` may be the file's
        path or the Feature's title; `name` the scenario's name (an outline's, filled in)."""
        def same_file(s: Scenario) -> bool:
            if feature in (s.feature_name, str(s.feature), s.feature.name):
                return True
            try:
                return Path(feature).resolve() == s.feature.resolve()
            except OSError:
                return False

        for s in self.scenarios:
            if not same_file(s):
                continue
            if s.name == name:
                return s.feature, s.line
            for e in s.examples:
                if fill(s.name, e.values) == name:
                    return s.feature, e.line
        return None, None

    def rule_tags(self) -> list[tuple[str, Path, int]]:
        """Every distinct `@rule:` tag as written: (rule id, feature file, line)."""
        seen: dict[tuple, None] = {}
        for s in self.scenarios:
            for r, line in s.rule_tags + tuple(t for e in s.examples for t in e.rule_tags):
                seen[(r, s.feature, line)] = None
        return list(seen)


def fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace(f"<{key}>", str(value))
    return text


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def parse_feature(path: Path) -> tuple[list[Scenario], list[GherkinProblem]]:
    """The scenarios of one .feature file, and every problem found reading it. A file the Gherkin
    grammar refuses gives its problems and no scenario (pytest-bdd runs none of it either)."""
    from gherkin.errors import CompositeParserException, ParserError
    from gherkin.parser import Parser

    from ..errors import ComplianceError, RuleFileError
    from ..yamlio import read_data_file
    from .gherkin_errors import Words, parse_problems

    path = Path(path)
    try:
        text = read_data_file(path, RuleFileError, what="feature file")
    except ComplianceError as exc:
        return [], [GherkinProblem(path, exc.line, exc.message, exc.hint)]
    try:
        document = Parser().parse(text)
    except CompositeParserException as exc:
        return [], parse_problems(path, text, list(exc.errors))
    except ParserError as exc:
        return [], parse_problems(path, text, [exc])
    feature = document.get("feature")
    if not feature:
        return [], [GherkinProblem(path, 1, "no 'Feature:' in the file",
                                   "begin it with 'Feature: <title>' ('功能: <title>' after '# language: zh-CN')")]
    return _FeatureReader(path, feature, Words(feature["language"])).read()


def _line(node: Any) -> int:
    return int(node["location"]["line"])


def _tags(node: Any) -> list[tuple[str, int]]:
    return [(tag["name"], _line(tag)) for tag in node.get("tags") or []]


def _rule_tags(tags: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple((m.group(1), line) for tag, line in tags for m in [RULE_TAG.fullmatch(tag)] if m)


def _last_line(scenario: Any) -> int:
    """The last line a scenario's text takes in its file."""
    lines = [_line(scenario)]
    for step in scenario.get("steps") or []:
        lines.append(_line(step))
        table, doc = step.get("dataTable"), step.get("docString")
        lines += [_line(row) for row in (table or {}).get("rows") or []]
        if doc:
            lines.append(_line(doc) + doc["content"].count("\n") + (2 if doc["content"] else 1))
    for block in scenario.get("examples") or []:
        lines.append(_line(block))
        lines += [_line(row) for row in [block.get("tableHeader")] + list(block.get("tableBody") or []) if row]
    return max(lines)


class _FeatureReader:
    """gherkin-official's document of one file -> Scenario records, and the problems pytest-bdd
    would refuse the file for or run it wrongly with."""

    def __init__(self, path: Path, feature: Any, words: Any) -> None:
        self.path, self.feature, self.words = path, feature, words
        self.outline_keywords = set(words.of("scenarioOutline", most=99))
        self.scenarios: list[Scenario] = []
        self.problems: list[GherkinProblem] = []

    def read(self) -> tuple[list[Scenario], list[GherkinProblem]]:
        self._children(self.feature.get("children") or [], _tags(self.feature), [])
        named: dict[str, int] = {}
        for sc in self.scenarios:                   # pytest-bdd keeps a file's scenarios by name: the last wins
            if sc.name in named:
                self._problem(sc.line, f"a second scenario named '{sc.name}' (the first is at line {named[sc.name]}): "
                                       "only one of the two would run", "give every scenario of a file its own name")
            named.setdefault(sc.name, sc.line)
        return self.scenarios, self.problems

    def _problem(self, line: int, message: str, hint: str) -> None:
        self.problems.append(GherkinProblem(self.path, line, message, hint))

    def _children(self, children: Any, tags: list[tuple[str, int]], background: list[Step]) -> None:
        for child in children:
            if child.get("background"):
                background = background + self._steps(child["background"])
            elif child.get("scenario"):
                self.scenarios.append(self._scenario(child["scenario"], tags, background))
            elif child.get("rule"):
                rule = child["rule"]
                self._children(rule.get("children") or [], tags + _tags(rule), background)

    def _steps(self, node: Any) -> list[Step]:
        steps = node.get("steps") or []
        if steps and steps[0].get("keywordType") not in FIRST_STEP_TYPES:
            first = steps[0]
            self._problem(_line(first), f"the first step starts with '{first['keyword'].strip()}': "
                                        "a scenario's or background's first step cannot continue another",
                          f"begin it with {self.words.first_steps()}")
        return [Step(s["keyword"].strip(), s["text"], _line(s)) for s in steps]

    def _scenario(self, node: Any, inherited: list[tuple[str, int]], background: list[Step]) -> Scenario:
        name, line, keyword = node["name"], _line(node), node["keyword"].strip()
        tags = inherited + _tags(node)
        examples = []
        for block in node.get("examples") or []:
            header = block.get("tableHeader")
            columns = [cell["value"] for cell in header["cells"]] if header else []
            block_tags = _rule_tags(_tags(block))
            examples += [Example(_line(row), dict(zip(columns, (cell["value"] for cell in row["cells"]))), block_tags)
                         for row in block.get("tableBody") or []]
        steps = self._steps(node)
        outline = keyword in self.outline_keywords or bool(node.get("examples"))
        if not steps:
            self._problem(line, f"scenario '{name}' has no steps",
                          f"add its steps ({self.words.steps()}); a scenario without steps proves nothing")
        if outline and not examples:
            self._problem(line, f"scenario outline '{name}' has no Examples rows",
                          f"add an examples table ({self.words.header('examples')}) with a header row and "
                          "one row per case")
        return Scenario(feature=self.path, feature_name=self.feature["name"], line=line, keyword=keyword, name=name,
                        tags=tuple(dict.fromkeys(t for t, _ in tags)), rule_tags=_rule_tags(tags), steps=tuple(steps),
                        background=tuple(background), examples=tuple(examples), outline=outline,
                        end=_last_line(node))


def index_features(folder: Path) -> ScenarioIndex:
    """Every scenario of every .feature file under `folder` (recursively), in file order."""
    folder = Path(folder)
    index = ScenarioIndex(folder)
    if not folder.is_dir():
        index.problems.append(GherkinProblem(folder, None, "features folder not found"))
        return index
    for path in sorted(folder.rglob("*.feature")):
        index.files.append(path)
        found, problems = parse_feature(path)
        index.scenarios += found
        index.problems += problems
        if problems and not found:          # its rules' scenarios are there, unread: not "no scenario"
            text = path.read_bytes().decode("utf-8", "replace")
            index.unparsed.update((rule_id, path) for rule_id in RULE_TAG.findall(text))
    return index
