"""The BCF issued before (`--previous OLD.bcf`): its topics, so a re-issue updates them.

Topic GUIDs are uuid5(submission + rule + problem), so the topics of two checks of one submission
match by GUID. `reconcile` decides each topic's status in the new file:

* found now, not before: Open;
* found now and before, open then: it keeps its status (a designer's "In Progress" stays);
* found now, closed before (Closed, Resolved, Done, Fixed): ReOpened, with a comment saying so;
* found before, not now: Closed, with a comment that it was resolved in the check of <date>
  (an already closed one is carried over as it was);

so a BCF tool importing the new file closes the fixed topics instead of losing them. Comments of the
old file (the designers' replies, earlier closing comments) are carried over with their GUIDs.

The file is untrusted input, read with the standard library's XML parser (no DTD is accepted, so no
entity expansion), within size limits; either BCF 2.0/2.1 or 3.0, whatever this run writes. Anything
it cannot read is one InputError naming the file and what to do.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn, Optional

from ...errors import InputError

CLOSED_STATUSES = frozenset({"closed", "resolved", "done", "fixed"})
OPEN, REOPENED, CLOSED = "Open", "ReOpened", "Closed"
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 100_000
MAX_XML_BYTES = 32 * 1024 * 1024           # one markup.bcf
MAX_TOTAL_XML_BYTES = 512 * 1024 * 1024
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
HINT = ("pass the .bcf file this checker issued for this submission before (BCF 2.1 or 3.0, as your BCF tool "
        "exported it), or leave out --previous")
HINT_ZH = "请传入本工具此前为该项目出具的 .bcf 文件（BCF 2.1 或 3.0，可为 BCF 工具导出的版本），或去掉 --previous"


@dataclass(frozen=True)
class PriorComment:
    guid: str
    date: Optional[datetime]
    author: str
    text: str
    viewpoint: Optional[str] = None
    modified_date: Optional[datetime] = None
    modified_author: Optional[str] = None


@dataclass(frozen=True)
class PriorTopic:
    guid: str
    title: str
    status: str
    topic_type: Optional[str] = None
    priority: Optional[str] = None
    labels: tuple[str, ...] = ()
    description: Optional[str] = None
    created: Optional[datetime] = None
    author: Optional[str] = None
    comments: tuple[PriorComment, ...] = ()

    @property
    def closed(self) -> bool:
        return self.status.strip().lower() in CLOSED_STATUSES


@dataclass(frozen=True)
class PreviousBcf:
    file: str
    version: str
    project_id: Optional[str]
    topics: dict[str, PriorTopic] = field(default_factory=dict)      # GUID (lower case) -> topic, in file order


def read_previous(path) -> PreviousBcf:
    """The topics of the BCF file at `path`; InputError when it is not a BCF file this reads."""
    import zipfile

    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            _refuse(path, "not a file", "不是文件")
        if size > MAX_FILE_BYTES:
            _refuse(path, f"larger than {MAX_FILE_BYTES // 2**20} MB", f"大于 {MAX_FILE_BYTES // 2**20} MB")
        with zipfile.ZipFile(path) as z:
            return _read(path, z)
    except InputError:
        raise
    except FileNotFoundError:
        _refuse(path, "no such file", "文件不存在")
    except OSError as exc:
        _refuse(path, f"cannot be read ({exc.strerror or exc})", f"无法读取（{exc.strerror or exc}）")
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        _refuse(path, f"not a BCF archive (not a readable zip file: {exc})",
                f"不是 BCF 文件（无法作为 zip 读取：{exc}）")


def _refuse(path: Path, en: str, zh: str) -> NoReturn:
    raise InputError(f"previous BCF: {en}", file=path, hint=HINT, message_zh=f"上一版 BCF：{zh}", hint_zh=HINT_ZH)


def _read(path: Path, z) -> PreviousBcf:
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        _refuse(path, f"more than {MAX_ENTRIES} entries", f"条目多于 {MAX_ENTRIES} 个")
    names = {i.filename: i for i in infos}
    budget = [MAX_TOTAL_XML_BYTES]
    if "bcf.version" not in names:
        _refuse(path, "no bcf.version in the archive", "压缩包中没有 bcf.version")
    version_el = _xml(path, z, names["bcf.version"], budget)
    version = (version_el.get("VersionId") or "").strip()
    if version not in ("2.0", "2.1", "3.0"):
        _refuse(path, f"BCF version {version or '(none)'} is not one this checker reads (2.0, 2.1, 3.0)",
                f"BCF 版本 {version or '（无）'} 不受支持（支持 2.0、2.1、3.0）")
    project_id = None
    if "project.bcfp" in names:
        project = _find(_xml(path, z, names["project.bcfp"], budget), "Project")
        project_id = project.get("ProjectId") if project is not None else None
    topics: dict[str, PriorTopic] = {}
    for info in infos:
        parts = info.filename.split("/")
        if len(parts) == 2 and parts[1] == "markup.bcf":
            topic = _topic(_xml(path, z, info, budget))
            if topic is not None and topic.guid not in topics:
                topics[topic.guid] = topic
    return PreviousBcf(file=str(path), version=version, project_id=project_id, topics=topics)


def _xml(path: Path, z, info, budget: list[int]):
    import xml.etree.ElementTree as ET

    if info.file_size > MAX_XML_BYTES or info.file_size > budget[0]:
        _refuse(path, f"{info.filename} is too large to be a BCF file's XML", f"{info.filename} 过大，不是 BCF 的 XML")
    budget[0] -= info.file_size
    data = z.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        _refuse(path, f"{info.filename} declares a DTD, which BCF files do not have",
                f"{info.filename} 含 DTD 声明，BCF 文件不应包含")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        _refuse(path, f"{info.filename} is not well-formed XML ({exc})", f"{info.filename} 不是格式正确的 XML（{exc}）")


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _find(el, name: str):
    if el is None:
        return None
    if _local(el) == name:
        return el
    return next((c for c in el.iter() if _local(c) == name), None)


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name] if el is not None else []


def _text(el, name: str) -> Optional[str]:
    found = _children(el, name)
    return found[0].text if found and found[0].text is not None else None


def _date(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _topic(markup) -> Optional[PriorTopic]:
    topic = _children(markup, "Topic")
    if not topic:
        return None
    t = topic[0]
    guid = (t.get("Guid") or "").strip().lower()
    if not _GUID.fullmatch(guid):
        return None
    labels = [x.text for x in _children(t, "Labels") if x.text]                    # 2.0/2.1: repeated <Labels>
    labels += [x.text for b in _children(t, "Labels") for x in _children(b, "Label") if x.text]   # 3.0
    comment_els = _children(markup, "Comment") + [c for b in _children(t, "Comments") for c in _children(b, "Comment")]
    return PriorTopic(guid=guid, title=_text(t, "Title") or "", status=(t.get("TopicStatus") or "").strip(),
                      topic_type=t.get("TopicType"), priority=_text(t, "Priority"),
                      labels=tuple(dict.fromkeys(labels)), description=_text(t, "Description"),
                      created=_date(_text(t, "CreationDate")), author=_text(t, "CreationAuthor"),
                      comments=tuple(c for c in map(_comment, comment_els) if c is not None))


def _comment(el) -> Optional[PriorComment]:
    guid = (el.get("Guid") or "").strip().lower()
    if not _GUID.fullmatch(guid):
        return None
    viewpoint = _children(el, "Viewpoint")
    vp = (viewpoint[0].get("Guid") or "").strip().lower() if viewpoint else ""
    return PriorComment(guid=guid, date=_date(_text(el, "Date")), author=_text(el, "Author") or "",
                        text=_text(el, "Comment") or "", viewpoint=vp if _GUID.fullmatch(vp) else None,
                        modified_date=_date(_text(el, "ModifiedDate")), modified_author=_text(el, "ModifiedAuthor"))


# --- what the new file says about each topic ---------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    """A comment this issue adds to a topic: it was resolved, or it is back."""

    guid: str
    text: str


def check_same_project(previous: PreviousBcf, project_id: str, submission_id: str) -> None:
    """A BCF of another submission would close every topic: refused."""
    if previous.project_id is not None and previous.project_id.strip().lower() != project_id.lower():
        raise InputError(f"previous BCF: its project ({previous.project_id}) is not submission {submission_id}'s "
                         f"({project_id})", file=previous.file,
                         hint=f"pass the .bcf issued for {submission_id}, or leave out --previous",
                         message_zh=f"上一版 BCF：其项目（{previous.project_id}）不是报审项目 {submission_id} "
                                    f"的项目（{project_id}）",
                         hint_zh=f"请传入为 {submission_id} 出具的 .bcf，或去掉 --previous")


def status_of(guid: str, previous: Optional[PreviousBcf]) -> str:
    """The status of a topic found in this check."""
    prior = previous.topics.get(guid) if previous is not None else None
    if prior is None or not prior.status:
        return OPEN
    return REOPENED if prior.closed else prior.status


def events(guid: str, found: bool, previous: Optional[PreviousBcf], verdict, lang: str) -> tuple[Event, ...]:
    """The comment this issue adds to topic `guid`: reopened (found again after being closed),
    resolved (open before, not found now), or none."""
    from ..labels import pick

    prior = previous.topics.get(guid) if previous is not None else None
    if prior is None:
        return ()
    day = verdict.generated_at.astimezone(timezone.utc).date().isoformat()
    if found and prior.closed:
        kind, text = "reopened", pick(f"重新打开：{day} 的核查（规则集 {verdict.rules_version}）再次发现此问题。",
                                      f"Reopened: found again in the check of {day} (rule set "
                                      f"{verdict.rules_version}).",
                                      lang, "\n")
    elif not found and not prior.closed:
        kind, text = "resolved", pick(f"已解决：{day} 的核查（规则集 {verdict.rules_version}）中不再发现此问题。",
                                      f"Resolved: no longer found in the check of {day} (rule set "
                                      f"{verdict.rules_version}).", lang, "\n")
    else:
        return ()
    return (Event(guid=str(uuid.uuid5(uuid.UUID(guid), f"{kind}|{verdict.generated_at.isoformat()}")), text=text),)
