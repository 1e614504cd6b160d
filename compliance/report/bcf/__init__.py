"""BCF verdict: the findings a designer must act on, as BCF-XML issues for a BIM tool.

`render(verdict, lang)` gives a `.bcf` zip that Bonsai/BlenderBIM, Solibri, BIMcollab, Navisworks,
Revit BCF managers … open beside the submitted IFC models:

* one topic per rule result whose status is `fail`, `missing_data` or `manual_review`, and one
  per reader note of severity `warning` or `uncertain` that cites elements (a note without
  elements is already said in the results and the other reports);
* the topic's description holds the message, measured vs required, the reasons, the clause
  (document, ref, quote), the remedy and the evidence (metadata fields with file:line, model
  elements by GlobalId), in `lang`;
* one viewpoint per topic that cites elements: its components Selection lists every GlobalId the
  finding cites (all evidence, de-duplicated, in order) with the authoring application as
  OriginatingSystem, Visibility default visible. Metadata-only findings get a topic, no viewpoint.

Choices:
* BCF 2.1, not 3.0: Solibri, Bonsai and most BCF managers read 2.1, and 3.0 readers also take it;
  3.0 would add nothing this report uses. Written with the maintained `bcf-client` library (`bcf`,
  from IfcOpenShell); its xsdata serializer does all XML escaping.
* No camera: the report stage reads only the Verdict, which has no geometry, and BCF 2.1 makes
  both cameras optional (visinfo.xsd minOccurs=0), so a viewpoint here is a selection only; a BCF
  tool selects and shows the cited elements without flying to them. No AuthoringToolId either:
  the verdict does not keep the authoring tool's element ids.
* Topics get no DocumentReference / ReferenceLink / BimSnippet: the clause is a gazette number,
  not a URI or a file, so it goes in the description and the labels. No extensions.xsd: the
  library writes none for 2.1 and tools accept free TopicType / Priority / Labels strings.
* The markup Header lists the models whose elements a topic cites (Filename, isExternal), so a tool
  can tell which loaded model the GlobalIds belong to.
* Stable GUIDs: topic = uuid5(submission id + rule id), or + note code, file and elements, so a
  re-issued BCF updates the same topics in a BCF tool; viewpoint and project GUIDs derive from them.
* Deterministic: creation dates are `verdict.generated_at`, and the zip is rewritten with every
  entry stamped `generated_at` (the library stamps the wall clock), so one verdict gives one file.
* Text from submitted files is untrusted: characters XML 1.0 cannot carry (control characters,
  lone surrogates, U+FFFE/U+FFFF) are removed, line ends become \\n, titles are cut to 160 characters
  (the description keeps the whole text).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from .archive import restamp_zip
from .labels import (check_lang, falls_short, status_label, measured_vs_required, model_summary, note_text, pick, say, utc,
                     visible_controls)

ACTIONABLE = ("fail", "missing_data", "manual_review")
NOTE_SEVERITIES = ("warning", "uncertain")
TOPIC_TYPE = {"fail": "Error", "missing_data": "Request", "manual_review": "Issue"}
NOTE_TOPIC_TYPE = "Issue"
PRIORITY = {"mandatory": "High", "target": "Normal", "encouraged": "Low"}
NOTE_PRIORITY = "Normal"
SEVERITY = {"warning": ("警告", "warning"), "uncertain": ("存疑", "uncertain"), "info": ("提示", "info")}
TOPIC_STATUS = "Open"
TITLE_MAX = 160
ELEMENTS_LISTED = 30            # per evidence item in the description; the viewpoint selects them all

# Fixed: every GUID in a BCF this module writes derives from it (uuid5), never from the clock.
NAMESPACE = uuid.UUID("6f1c0a52-3c1e-5b0e-9d4e-7a1b2c3d4e5f")
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_IFC_GUID = re.compile(r"[0-9A-Za-z_$]{22}")


@dataclass(frozen=True)
class Issue:
    """What one topic says, before it becomes BCF."""

    key: str                    # stable identity -> topic GUID
    title: str
    description: str
    topic_type: str
    priority: str
    labels: tuple[str, ...]
    global_ids: tuple[str, ...]
    origins: tuple[tuple[str, str], ...] = ()   # GlobalId -> the file the finding cites it from


def render(verdict, lang: str = "both") -> bytes:
    check_lang(lang)
    bcfxml = _bcf(verdict, issues(verdict, lang), lang)
    return _zip_bytes(bcfxml, verdict.generated_at)


# --- what the topics say ------------------------------------------------------------------------

def issues(verdict, lang: str) -> list[Issue]:
    """The topics, in the verdict's order: rule results first, then notes."""
    rules = [_rule_issue(verdict, r, lang) for r in verdict.results
             if r.status in ACTIONABLE and (r.blocks or falls_short(r))]     # never a tally's 不计入
    return rules + _note_issues(verdict, lang)


def _label(pair: tuple[str, str], lang: str) -> str:
    return pick(pair[0], pair[1], lang)


def _rule_issue(verdict, r, lang: str) -> Issue:
    title = f"{r.rule} {_label(status_label(r), lang)}: {say(r.title, lang)}"
    gids = _unique(g for e in r.evidence for g in e.global_ids)
    origins = {g: e.file for e in reversed(r.evidence) if e.source == "ifc" for g in e.global_ids}
    return Issue(key=f"{verdict.submission.id}|rule|{r.rule}", title=title,
                 description=_rule_description(verdict, r, lang), topic_type=TOPIC_TYPE[r.status],
                 priority=PRIORITY.get(r.kind, "Normal"),
                 labels=(r.rule, r.status, r.kind, r.clause.ref), global_ids=gids,
                 origins=tuple(origins.items()))


def _note_issues(verdict, lang: str) -> list[Issue]:
    out, seen = [], {}
    for n in verdict.notes:
        if n.severity not in NOTE_SEVERITIES or not n.global_ids:
            continue
        key = f"{verdict.submission.id}|note|{n.code}|{n.file}|{','.join(n.global_ids)}"
        seen[key] = seen.get(key, 0) + 1          # the same note twice on one element: #2, #3 …
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        first_line = (note_text(n, lang, sep=" / ").splitlines() or [""])[0]
        out.append(Issue(key=key, title=f"{n.code} {_label(SEVERITY[n.severity], lang)}: {first_line}",
                         description=_note_description(verdict, n, lang), topic_type=NOTE_TOPIC_TYPE,
                         priority=NOTE_PRIORITY, labels=(n.code, n.severity),
                         global_ids=_unique(n.global_ids), origins=tuple((g, n.file) for g in n.global_ids)))
    return out


def _rule_description(verdict, r, lang: str) -> str:
    lines = [f"{_label(status_label(r), lang)} — {say(r.kind_label, lang, ' ')} ({r.rule_version})",
             f"{_label(('结论说明', 'Finding'), lang)}:", pick(r.message_zh, r.message, lang, "\n")]
    mvr = pick(measured_vs_required(r, "zh"), measured_vs_required(r, "en"), lang, "\n")
    lines += [f"{_label(('核查值 / 要求', 'Measured / required'), lang)}:", mvr]
    if r.computation:
        lines += [f"{_label(('计算', 'Computation'), lang)}: {say(r.computation, lang)}"]
    if r.reasons:
        lines += [f"{_label(('原因', 'Reasons'), lang)}:"] + [f"- {say(x, lang)}" for x in r.reasons]
    lines += [f"{_label(('条文', 'Clause'), lang)}: {r.clause.document} {r.clause.ref}", f"「{r.clause.quote}」"]
    if r.remedy is not None:
        lines += [f"{_label(('整改建议', 'Remedy'), lang)}:", say(r.remedy, lang, "\n")]
    if r.evidence:
        lines += [f"{_label(('证据', 'Evidence'), lang)}:"]
        for e in r.evidence:
            lines += _evidence_lines(verdict, e, lang)
    return "\n".join(lines + _footer(verdict, lang))


def _note_description(verdict, n, lang: str) -> str:
    where = f"{n.file}:{n.line}" if n.line else n.file
    lines = [f"{_label(SEVERITY[n.severity], lang)} — {n.code}", note_text(n, lang, sep="\n"),
             f"{_label(('来源', 'Source'), lang)}: {where}",
             f"{_label(('构件', 'Elements'), lang)}:"]
    lines += _element_lines(verdict, _unique(n.global_ids), lang)
    return "\n".join(lines + _footer(verdict, lang))


def _evidence_lines(verdict, e, lang: str) -> list[str]:
    if e.source == "metadata":
        where = f"{e.file}:{e.line}" if e.line else e.file
        head = f"- {where} {', '.join(e.fields)}".rstrip()
    else:
        n = len(_unique(e.global_ids))
        count = pick(f"{n} 个构件", f"{n} element(s)", lang, " / ")
        head = f"- {e.file} (IFC): {count}"
    lines = [head + (f" — {e.detail}" if e.detail else "")]
    return lines + _element_lines(verdict, _unique(e.global_ids), lang)


def _element_lines(verdict, gids: tuple[str, ...], lang: str) -> list[str]:
    lines, index = [], verdict.element_index()
    for gid in gids[:ELEMENTS_LISTED]:
        el = verdict.element(gid, index)
        parts = [gid, el.ifc_class or "", f"“{el.name}”" if el.name else "",
                 f"@ {el.storey}" if el.storey else "", f"({el.file})" if el.file else ""]
        lines.append("    " + " ".join(p for p in parts if p))
    if len(gids) > ELEMENTS_LISTED:
        more = len(gids) - ELEMENTS_LISTED
        lines.append("    " + pick(f"… 另 {more} 个（视点中均已选中）", f"… {more} more (all selected in the viewpoint)",
                                      lang, " / "))
    return lines


def _footer(verdict, lang: str) -> list[str]:
    """The submission, the rule set, and the model header reviewers expect in every report."""
    models = [f"- {m.file}: {model_summary(m, lang)} · SHA-256 {m.sha256}" for m in verdict.models]
    return ["", f"{_label(('报审项目', 'Submission'), lang)}: {verdict.submission.id} — "
                f"{_label(('规则集', 'rule set'), lang)} {verdict.rules_version} — "
                f"compliance {verdict.tool_version}, {utc(verdict.generated_at)}",
            f"{_label(('模型文件', 'Models'), lang)}:"] + models


def _unique(gids) -> tuple[str, ...]:
    return tuple(dict.fromkeys(gids))


# --- BCF objects --------------------------------------------------------------------------------

def _guid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def _project_name(submission, lang: str) -> str:
    name = submission.name
    if submission.name_en and lang != "zh":
        name = submission.name_en if lang == "en" else f"{submission.name} / {submission.name_en}"
    return f"{submission.id} {name}"


def _bcf(verdict, found: list[Issue], lang: str):
    import bcf.v2.model as mdl
    from bcf.v2.bcfxml import BcfXml

    bcfxml = BcfXml.create_new()
    bcfxml.version = mdl.Version(version_id="2.1", detailed_version="2.1")
    project = mdl.Project(name=_project_name(verdict.submission, lang),
                          project_id=_guid(f"{verdict.submission.id}|project"))
    bcfxml.project_info = _scrub(mdl.ProjectExtension(project=project, extension_schema=""))
    for index, issue in enumerate(found, start=1):
        handler = _topic(verdict, issue, index)
        bcfxml.topics[handler.guid] = handler
    return bcfxml


def _topic(verdict, issue: Issue, index: int):
    from pathlib import Path

    import bcf.v2.model as mdl
    from bcf.v2.topic import TopicHandler
    from xsdata.models.datatype import XmlDateTime

    guid = _guid(issue.key)
    topic = mdl.Topic(guid=guid, title=_cut(issue.title), description=issue.description,
                      topic_type=issue.topic_type, topic_status=TOPIC_STATUS, priority=issue.priority,
                      labels=list(issue.labels), index=index,
                      creation_date=XmlDateTime.from_datetime(verdict.generated_at),
                      creation_author=f"compliance {verdict.tool_version}")
    gids = tuple(g for g in issue.global_ids if _IFC_GUID.fullmatch(g))
    files = _model_files(verdict, gids, dict(issue.origins))
    models = list(dict.fromkeys(f for f in files.values() if f))
    header = mdl.Header(file=[mdl.HeaderFile(filename=f, is_external=True) for f in models]) if models else None
    handler = TopicHandler(topic_dir=Path(guid))
    handler.markup = _scrub(mdl.Markup(header=header, topic=topic))
    if gids:
        handler.add_visinfo_handler(_viewpoint(verdict, guid, gids, files))
    return handler


def _viewpoint(verdict, topic_guid: str, gids: tuple[str, ...], files: dict[str, str | None]):
    import bcf.v2.model as mdl
    from bcf.v2.visinfo import VisualizationInfoHandler

    systems = {m.file: m.application for m in verdict.models}
    components = [mdl.Component(ifc_guid=g, originating_system=systems.get(files[g])) for g in gids]
    info = mdl.VisualizationInfo(
        guid=str(uuid.uuid5(uuid.UUID(topic_guid), "viewpoint")),
        components=mdl.Components(selection=mdl.ComponentSelection(component=components),
                                  visibility=mdl.ComponentVisibility(default_visibility=True)))
    return VisualizationInfoHandler(_scrub(info))


def _model_files(verdict, gids: tuple[str, ...], origins: dict[str, str]) -> dict[str, str | None]:
    """The model each element is in: as the reader recorded it, else the file the finding cites."""
    known, index = {m.file for m in verdict.models}, verdict.element_index()
    out = {}
    for g in gids:
        f = verdict.element(g, index).file or origins.get(g)
        out[g] = f if f in known else None
    return out


# --- text hygiene -------------------------------------------------------------------------------

def clean(text: str) -> str:
    """Text XML 1.0 can carry and a parser gives back unchanged."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return visible_controls(_XML_ILLEGAL.sub("", text))


def _cut(title: str) -> str:
    title = " ".join(clean(title).split())
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def _scrub(obj):
    """Clean every string of a bcf model object (dataclasses, lists of them), in place."""
    import dataclasses

    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            setattr(obj, f.name, clean(value))
        elif isinstance(value, list):
            setattr(obj, f.name, [clean(v) if isinstance(v, str) else _scrub_maybe(v) for v in value])
        else:
            _scrub_maybe(value)
    return obj


def _scrub_maybe(value):
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _scrub(value)
    return value


# --- zip ----------------------------------------------------------------------------------------

def _zip_bytes(bcfxml, when) -> bytes:
    """The library's zip (it can only save to a path), every entry re-stamped with `when`."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="bcf-") as tmp:
        path = Path(tmp) / "verdict.bcf"
        bcfxml.save(path)
        bcfxml.close()
        return restamp_zip(path.read_bytes(), when)
