"""An index of the Gherkin scenarios in features/: rule id -> the scenarios tagged `@rule:ID`.

A small reader of the Gherkin the project writes (Feature, Rule, Background, Scenario,
Scenario Outline / Template, Examples, steps with tables and doc strings, tags, comments);
it needs neither pytest nor pytest-bdd, so `compliance rules ...` works without the test
extras. Tags are inherited: a `@rule:` tag on the Feature, a Rule block or an Examples block
counts for the scenarios under it. Every record carries its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

RULE_TAG = re.compile(r"@rule:(\S+)")
STEP_KEYWORDS = ("Given", "When", "Then", "And", "But", "*")
_SECTION = re.compile(r"^(Feature|Rule|Background|Scenario Outline|Scenario Template|Scenario|Example|"
                      r"Examples|Scenarios)\s*:\s*(.*)$")


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
    keyword: str                                    # Scenario, Scenario Outline, ...
    name: str
    tags: tuple[str, ...]                           # every tag, inherited ones included
    rule_tags: tuple[tuple[str, int], ...]          # (rule id, line of the tag), inherited ones included
    steps: tuple[Step, ...]
    background: tuple[Step, ...] = ()
    examples: tuple[Example, ...] = ()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        ids = [r for r, _ in self.rule_tags] + [r for e in self.examples for r, _ in e.rule_tags]
        return tuple(dict.fromkeys(ids))

    @property
    def is_outline(self) -> bool:
        return "Outline" in self.keyword or "Template" in self.keyword

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


@dataclass
class ScenarioIndex:
    folder: Path
    scenarios: list[Scenario] = field(default_factory=list)
    problems: list[GherkinProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

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


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:-1] if body.endswith("|") and len(body) > 1 else body[1:]
    cells, cur, i = [], "", 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            cur += {"|": "|", "n": "\n", "\\": "\\"}.get(nxt, "\\" + nxt)
            i += 2
            continue
        if ch == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur.strip())
    return cells


def _tags(line: str, lineno: int) -> list[tuple[str, int]]:
    text = line.split(" #", 1)[0]
    return [(t, lineno) for t in text.split() if t.startswith("@")]


def parse_feature(path: Path) -> tuple[list[Scenario], list[GherkinProblem]]:
    """The scenarios of one .feature file, and any problem found reading it."""
    from ..errors import ComplianceError, RuleFileError
    from ..yamlio import read_data_file

    try:
        lines = read_data_file(Path(path), RuleFileError, what="feature file").splitlines()
    except ComplianceError as exc:
        return [], [GherkinProblem(path, exc.line, exc.message + (f" — {exc.hint}" if exc.hint else ""))]
    problems: list[GherkinProblem] = []
    scenarios: list[Scenario] = []
    pending: list[tuple[str, int]] = []             # tags waiting for the next section
    feature_tags: list[tuple[str, int]] = []
    rule_block_tags: list[tuple[str, int]] = []
    feature_name = ""
    feature_bg: list[Step] = []
    rule_bg: list[Step] = []
    cur: dict | None = None                         # the scenario being read
    section = None                                  # "background" | "scenario" | "examples" | None
    examples_header: list[str] | None = None
    examples_tags: list[tuple[str, int]] = []
    in_doc: str | None = None
    in_rule = False
    free_text = False                               # description lines may follow a header

    def finish():
        nonlocal cur
        if cur is not None:
            if not cur["steps"]:
                problems.append(GherkinProblem(path, cur["line"], f"scenario '{cur['name']}' has no steps "
                                                                  "(a step starts with Given, When, Then, And or But)"))
            if cur["outline"] and not cur["examples"]:
                problems.append(GherkinProblem(path, cur["line"], f"scenario outline '{cur['name']}' has no Examples rows"))
            inherited = feature_tags + rule_block_tags
            tags = inherited + cur["tags"]
            scenarios.append(Scenario(
                feature=Path(path), feature_name=feature_name, line=cur["line"], keyword=cur["keyword"],
                name=cur["name"], tags=tuple(dict.fromkeys(t for t, _ in tags)),
                rule_tags=tuple((m.group(1), ln) for t, ln in tags for m in [RULE_TAG.fullmatch(t)] if m),
                steps=tuple(cur["steps"]), background=tuple(feature_bg + rule_bg), examples=tuple(cur["examples"])))
        cur = None

    for lineno, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if in_doc is not None:
            if stripped.startswith(in_doc):
                in_doc = None
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith('"""') or stripped.startswith("```"):
            in_doc = stripped[:3]
            continue
        if stripped.startswith("@"):
            pending += _tags(stripped, lineno)
            continue
        m = _SECTION.match(stripped)
        if m:
            free_text = m.group(1) not in ("Examples", "Scenarios")
            keyword, name = m.group(1), m.group(2).strip()
            if keyword == "Feature":
                feature_name, feature_tags, pending = name, pending, []
                section = None
            elif keyword == "Rule":
                finish()
                rule_block_tags, pending, rule_bg, in_rule, section = pending, [], [], True, None
            elif keyword == "Background":
                finish()
                section = "background"
                pending = []
            elif keyword in ("Examples", "Scenarios"):
                if cur is None or not cur["outline"]:
                    problems.append(GherkinProblem(path, lineno, "Examples outside a Scenario Outline"))
                    section = None
                else:
                    section, examples_header, examples_tags = "examples", None, pending
                pending = []
            else:
                finish()
                cur = dict(line=lineno, keyword=keyword, name=name, tags=pending, steps=[], examples=[],
                           outline=keyword in ("Scenario Outline", "Scenario Template"))
                pending, section = [], "scenario"
            continue
        if not free_text or stripped[:1] in "|*" or stripped.split(None, 1)[0] in STEP_KEYWORDS:
            free_text = False
        if stripped.startswith("|"):
            if section == "examples" and cur is not None:
                cells = _cells(stripped)
                if examples_header is None:
                    examples_header = cells
                elif len(cells) != len(examples_header):
                    problems.append(GherkinProblem(path, lineno, f"an Examples row has {len(cells)} cells, "
                                                                 f"the header {len(examples_header)}"))
                else:
                    cur["examples"].append(Example(lineno, dict(zip(examples_header, cells)), tuple(
                        (mm.group(1), ln) for t, ln in examples_tags for mm in [RULE_TAG.fullmatch(t)] if mm)))
            continue                                 # a step's data table
        word = stripped.split(None, 1)[0] if stripped[0] != "*" else "*"
        if word in STEP_KEYWORDS:
            step = Step(word, stripped[len(word):].strip(), lineno)
            if section == "background":
                (rule_bg if in_rule else feature_bg).append(step)
            elif section == "scenario" and cur is not None:
                cur["steps"].append(step)
            else:
                problems.append(GherkinProblem(path, lineno, f"step outside a scenario: {stripped}"))
            continue
        if free_text:
            continue                                 # a description under a Feature / Rule / Scenario header
        problems.append(GherkinProblem(path, lineno, f"not a step (Given / When / Then / And / But): {stripped}"))
    if in_doc is not None:
        problems.append(GherkinProblem(path, len(lines), "a doc string (\"\"\") is not closed"))
    finish()
    if not feature_name and not scenarios:
        problems.append(GherkinProblem(path, 1, "no 'Feature:' in the file"))
    return scenarios, problems


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
    return index
