"""JUnit XML for a pipeline (Jenkins, GitLab, Azure DevOps, GitHub test reporters): a <testsuites>
holding one <testsuite> for the submission, its first test case the overall verdict, then one test
case per rule result. How a result maps to passed / <failure> / <error> / <skipped>: ci.py (a
blocking missing_data or manual_review is an <error>, so an incomplete submission is never green).
The layout is the common JUnit one (Ant's junitreport, as Jenkins' junit-10 model and Surefire
read it): testsuite attributes name, tests, failures, errors, skipped, time, timestamp (UTC, no
offset), hostname, id, package; test case classname SUBMISSION.kind, name RULE@VERSION title.
The same verdict gives the same bytes.
"""

from __future__ import annotations

from . import ci


def _case(parent, name: str, classname: str, result: str, message: str, body: str, kind: str, out: str = ""):
    from xml.etree.ElementTree import SubElement

    case = SubElement(parent, "testcase", name=name, classname=classname, time="0")
    if result != ci.PASSED:
        tag = {ci.FAILURE: "failure", ci.ERROR: "error", ci.SKIPPED: "skipped"}[result]
        attrs = {"message": message} if result == ci.SKIPPED else {"message": message, "type": kind}
        element = SubElement(case, tag, attrs)
        element.text = body
    if out:
        SubElement(case, "system-out").text = out
    return case


def render(verdict, lang: str = "both") -> bytes:
    from xml.etree.ElementTree import Element, SubElement, indent, tostring

    s = verdict.submission
    sid = ci.clean(s.id)
    cases: list[tuple] = [("verdict", sid, ci.verdict_outcome(verdict), ci.verdict_words(verdict, lang),
                           _verdict_body(verdict, lang), verdict.verdict, "")]
    for r in verdict.results:
        result = ci.outcome(r)
        body = ci.details(r, lang)
        cases.append((ci.clean(f"{r.rule_version} {ci.title(r, lang)}"), f"{sid}.{r.kind}", result,
                      f"{ci.status_words(r, lang)}: {ci.short_message(r, lang)}", body, r.status,
                      body if result == ci.PASSED else ""))
    counts = {k: sum(1 for c in cases if c[2] == k) for k in (ci.FAILURE, ci.ERROR, ci.SKIPPED)}
    totals = {"tests": str(len(cases)), "failures": str(counts[ci.FAILURE]), "errors": str(counts[ci.ERROR]),
              "skipped": str(counts[ci.SKIPPED]), "time": "0"}
    root = Element("testsuites", {"name": ci.clean(f"compliance check {s.id}"),
                                  **{k: v for k, v in totals.items() if k != "skipped"}})   # <testsuites>: no skipped
    stamp = _utc_naive(verdict.generated_at).isoformat(timespec="seconds")
    suite = SubElement(root, "testsuite", {"name": ci.clean(f"{s.id} {s.name}"), **totals, "timestamp": stamp,
                                           "hostname": "compliance", "id": "0", "package": sid})
    props = SubElement(suite, "properties")
    for name, value in (("verdict", verdict.verdict), ("exit_code", str(verdict.exit_code)),
                        ("submission", s.id), ("filed_on", str(s.filed_on)), ("as_of", str(verdict.as_of)),
                        ("rules_version", verdict.rules_label()), ("tool_version", verdict.tool_version)):
        SubElement(props, "property", name=name, value=ci.clean(value))
    for case in cases:
        _case(suite, *case)
    indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _verdict_body(verdict, lang: str) -> str:
    open_items = [r for r in verdict.results if ci.outcome(r) in (ci.FAILURE, ci.ERROR)]
    lines = [ci.verdict_words(verdict, lang)]
    lines += [f"{r.rule_version}: {ci.status_words(r, lang)} — {ci.short_message(r, lang)}" for r in open_items]
    return "\n".join(lines)


def _utc_naive(dt):
    """A UTC time without its offset, as JUnit's timestamp is written."""
    from datetime import timezone

    return dt if dt.tzinfo is None else dt.astimezone(timezone.utc).replace(tzinfo=None)
