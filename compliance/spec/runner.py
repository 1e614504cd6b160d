"""Run rule scenarios (Gherkin feature files) in-process, quietly, against a given rule set.

    outcomes = run_scenarios(Path("features"), Path("rules"), only={"PV-2"})

pytest-bdd does the work: a throw-away test module binding the feature files is written to a
temporary folder and run with `pytest.main`, isolated from the caller's project (its own empty
ini file, rootdir and conftest boundary, no cache, no PYTEST_ADDOPTS), with the step library
`compliance.spec.steps` as a plugin and the rule set folder handed to it through the config
stash. Nothing reaches standard output or error: pytest's own output is captured and dropped;
what matters comes back as one `ScenarioOutcome` per scenario (per Examples row).

Works from any current directory: every path is made absolute first.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import ComplianceError


class ScenarioFileError(ComplianceError):
    """A feature file that cannot be read, or scenarios that cannot be run at all."""

    kind = "scenario file error"


@dataclass(frozen=True)
class ScenarioOutcome:
    rule_ids: tuple[str, ...]   # from @rule: tags
    feature: str                # feature file path
    name: str                   # scenario name (with example case)
    passed: bool
    message: str | None         # first line of the failure


@dataclass(frozen=True)
class ScenarioRecord:
    """An outcome with what the scenario verified (for coverage checks)."""

    outcome: ScenarioOutcome
    tags: tuple[str, ...]       # every tag of the scenario, without '@'
    verified: tuple             # compliance.spec.world.Verified, one per `Then rule X is S` that held


def run_scenarios(features: Path, rules: Path, only: set[str] | None = None) -> list[ScenarioOutcome]:
    """Run every scenario of `features` (a .feature file, or a folder searched recursively)
    against the rule set in `rules`. `only`: rule ids; run just the scenarios tagged with one
    of them (@rule:ID). Raises ScenarioFileError (or RuleFileError for a broken rule set)
    when nothing can be run; a scenario that fails is an outcome, never an exception."""
    return [r.outcome for r in run_scenario_records(features, rules, only)]


def feature_files(features: Path | Iterable[Path]) -> list[Path]:
    """The .feature files a path (or several) names: a file, or every *.feature under a folder."""
    paths = [features] if isinstance(features, (str, os.PathLike)) else list(features)
    out: list[Path] = []
    for p in paths:
        p = Path(p).expanduser().resolve()
        if p.is_dir():
            found = sorted(p.rglob("*.feature"))
            if not found:
                raise ScenarioFileError("no feature files (*.feature) in the folder", file=p,
                                        hint="pass a folder holding .feature files, or one .feature file")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise ScenarioFileError("feature file or folder not found", file=p)
    return list(dict.fromkeys(out))


def run_scenario_records(features: Path | Iterable[Path], rules: Path,
                         only: set[str] | None = None) -> list[ScenarioRecord]:
    """`run_scenarios`, keeping each scenario's tags and what it verified."""
    try:
        import pytest
        import pytest_bdd  # noqa: F401
    except ImportError:
        raise ScenarioFileError("running scenarios needs pytest and pytest-bdd, which are not installed",
                                hint="pip install 'yangpu-compliance[test]'") from None
    from ..ruleset.loader import load_ruleset

    files = feature_files(features)
    rules = Path(rules).expanduser().resolve()
    ruleset = load_ruleset(rules)        # a broken rule set is one clear error, not N failed scenarios
    for f in files:
        _parse(f)
    order = [r.id for r in ruleset.rules]
    collector = _Collector(rules, None if only is None else {str(o) for o in only}, order, files)
    with tempfile.TemporaryDirectory(prefix="compliance-scenarios-") as tmp:
        folder = Path(tmp)
        module = folder / f"test_scenarios_{uuid.uuid4().hex}.py"
        module.write_text("from pytest_bdd import scenarios\n\n"
                          f"scenarios(*{[str(f) for f in files]!r})\n", encoding="utf-8")
        ini = folder / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        args = [str(module), "-c", str(ini), "--rootdir", str(folder), "--confcutdir", str(folder),
                "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:faulthandler",
                "-p", "compliance.spec.steps", "-p", "compliance.spec.building_steps", "-q", "--no-header", "-o", "console_output_style=classic",
                "-W", "ignore::pytest.PytestUnknownMarkWarning",
                "-W", "ignore::pytest.PytestAssertRewriteWarning"]
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            args[1:1] = ["-p", "pytest_bdd.plugin"]
        sink = io.StringIO()
        saved = os.environ.pop("PYTEST_ADDOPTS", None)
        _forget_parsed(files)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = pytest.main(args, plugins=[collector])
        finally:
            if saved is not None:
                os.environ["PYTEST_ADDOPTS"] = saved
            sys.modules.pop(module.stem, None)
            _forget_parsed(files)
    if collector.collect_errors:
        raise ScenarioFileError(f"the scenarios could not be collected: {collector.collect_errors[0]}")
    if int(code) not in (0, 1, 5):       # 5: nothing selected (e.g. `only` matched no scenario)
        tail = " | ".join(line for line in sink.getvalue().splitlines()[-5:] if line.strip())
        raise ScenarioFileError(f"the scenarios could not be run (pytest exit status {int(code)}): {tail}")
    return collector.records()


def _parse(file: Path) -> None:
    """Refuse a feature file with a Gherkin problem, naming its line: the first problem `rules lint`
    reports for it (the same reader, over gherkin-official, the parser pytest-bdd runs it with)."""
    from ..ruleset.scenarios import parse_feature

    _, problems = parse_feature(file)
    if problems:
        first = problems[0]
        raise ScenarioFileError(first.message, file=file, line=first.line,
                                hint=first.hint or "`compliance rules lint` lists every problem of the features")


def _forget_parsed(files: list[Path]) -> None:
    """pytest-bdd caches parsed features by path for the process; an edited file must be re-read."""
    try:
        from pytest_bdd import feature as bdd_feature
    except ImportError:  # pragma: no cover
        return
    cache = getattr(bdd_feature, "features", None)
    if isinstance(cache, dict):
        for f in files:
            cache.pop(str(f), None)


def _first_line(text: str) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


_PREFIX = re.compile(r"^(?:[\w.]+\.)?(ScenarioError|AssertionError): ")


def _failure_message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    line = _first_line(text)
    line = _PREFIX.sub("", line)
    return re.sub(r"^[\w.]+\.(\w+): ", r"\1: ", line)          # pytest_bdd.exceptions.X: -> X:


_MARKS = {"parametrize", "usefixtures", "filterwarnings", "skip", "skipif", "xfail"}


def _tags(item, template) -> tuple[str, ...]:
    """The Gherkin tags of a scenario (its own, its feature's, its Examples'), in file order."""
    tags = sorted(m.name for m in item.iter_markers() if m.name not in _MARKS)     # pytest-bdd keeps tags in sets
    if template is not None:
        known = set(template.tags) | set(template.feature.tags)
        if template.rule is not None:
            known |= set(template.rule.tags)
        for examples in template.examples:
            known |= set(examples.tags or ())
        tags = [t for t in tags if t in known]
    return tuple(dict.fromkeys(tags))


class _Collector:
    """The pytest plugin that selects scenarios and keeps their outcomes."""

    def __init__(self, rules: Path, only: set[str] | None, rule_order: Sequence[str] = (),
                 files: Sequence[Path] = ()) -> None:
        self.rules = rules
        self.only = only
        self.file_order = {str(f): i for i, f in enumerate(files)}
        self.rule_order = {rule_id: i for i, rule_id in enumerate(rule_order)}
        self.order: list[str] = []
        self.info: dict[str, dict] = {}
        self.collect_errors: list[str] = []

    # -- set-up and selection
    def pytest_configure(self, config) -> None:
        from .world import RULES_KEY

        config.stash[RULES_KEY] = self.rules

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.collect_errors.append(_first_line(str(report.longrepr)) or "collection failed")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        from pytest_bdd.scenario import scenario_wrapper_template_registry

        keep, drop = [], []
        for item in items:
            obj = getattr(item, "obj", None)        # an item of no Python function has no template
            template = scenario_wrapper_template_registry.get(obj) if obj is not None else None
            tags = _tags(item, template)
            rule_ids = tuple(sorted((t.split(":", 1)[1] for t in tags if t.startswith("rule:")), key=self._rule_key))
            if self.only is not None and not set(rule_ids) & self.only:
                drop.append(item)
                continue
            keep.append(item)
            example = getattr(getattr(item, "callspec", None), "params", {}).get("_pytest_bdd_example", {})
            name = template.render(example).name if template is not None else item.name
            feature = template.feature.filename if template is not None else ""
            self.order.append(item.nodeid)
            line = template.line_number if template is not None else 0
            self.info[item.nodeid] = dict(rule_ids=rule_ids, tags=tags, feature=feature, name=name,
                                          passed=True, message=None, verified=(), step=None,
                                          key=(self.file_order.get(feature, len(self.file_order)), line,
                                               len(self.order)))
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    def _rule_key(self, rule_id: str) -> tuple:
        prefix, _, number = rule_id.partition("-")
        return (self.rule_order.get(rule_id, len(self.rule_order)), prefix, int(number) if number.isdigit() else 0)

    # -- running
    def pytest_bdd_before_scenario(self, request, feature, scenario) -> None:
        info = self.info.get(request.node.nodeid)
        if info is not None:
            info["name"] = scenario.name
            info["feature"] = feature.filename

    def pytest_bdd_step_error(self, request, feature, scenario, step, step_func, step_func_args, exception) -> None:
        info = self.info.get(request.node.nodeid)
        if info is not None and info["step"] is None:
            info["step"] = f"{step.keyword} {step.name}, line {step.line_number}"

    def pytest_bdd_step_func_lookup_error(self, request, feature, scenario, step, exception) -> None:
        self.pytest_bdd_step_error(request, feature, scenario, step, None, {}, exception)

    def pytest_bdd_after_scenario(self, request, feature, scenario) -> None:
        info = self.info.get(request.node.nodeid)
        if info is not None:
            try:
                world = request.getfixturevalue("world")
            except Exception:  # the step plugin is not the one in use
                return
            info["verified"] = tuple(getattr(world, "verified", ()))

    def pytest_runtest_logreport(self, report) -> None:
        info = self.info.get(report.nodeid)
        if info is None or not info["passed"]:
            return
        if report.failed or report.skipped:
            info["passed"] = False
            message = _failure_message(report) if report.failed else f"skipped: {_first_line(str(report.longrepr))}"
            if info["step"]:
                message += f" (at {info['step']})"
            info["message"] = message

    # -- results
    def records(self) -> list[ScenarioRecord]:
        out = []
        for nodeid in sorted(self.order, key=lambda n: self.info[n]["key"]):     # file order, then line order
            i = self.info[nodeid]
            outcome = ScenarioOutcome(rule_ids=i["rule_ids"], feature=i["feature"], name=i["name"],
                                      passed=i["passed"], message=i["message"])
            out.append(ScenarioRecord(outcome=outcome, tags=i["tags"], verified=i["verified"]))
        return out
