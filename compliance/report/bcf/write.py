"""The topics as BCF-XML 2.1 or 3.0, through `bcf-client`'s generated models, zipped.

Each version's element names and nesting differ (2.1: Markup/Comment, Header/File, repeated Labels;
3.0: Topic/Comments, Header/Files, Labels/Label, a mandatory camera and extensions.xml); what a
topic says is the same in both.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Optional

from ..labels import visible_controls
from .previous import CLOSED, OPEN, REOPENED, Event, PreviousBcf, PriorComment, PriorTopic, events, status_of
from .snapshot import plan_png
from .topics import Issue, footer
from .view import Camera, camera_for, view_note

VERSIONS = ("2.1", "3.0")
CULPRIT_COLOUR = "FF0000"       # RGB: the topic's elements in red; the rest of the model as it is
COLOURED_MAX = 1000             # BCF 3.0: tools warn above 1000 coloured components; all stay selected
SNAPSHOT = "snapshot.png"
TITLE_MAX = 160
# Fixed: every GUID in a BCF this module writes derives from it (uuid5), never from the clock.
NAMESPACE = uuid.UUID("6f1c0a52-3c1e-5b0e-9d4e-7a1b2c3d4e5f")
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_IFC_GUID = re.compile(r"[0-9A-Za-z_$]{22}")


@dataclass(frozen=True)
class Entry:
    """One topic of the new file: an issue found now (with its topic in the previous file, if any),
    or a topic of the previous file not found now."""

    guid: str
    issue: Optional[Issue]
    prior: Optional[PriorTopic]
    status: str
    events: tuple[Event, ...] = ()


def guid_of(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def plan(verdict, found: list[Issue], previous: Optional[PreviousBcf], lang: str) -> list[Entry]:
    """The new file's topics: this check's, then the previous file's that are gone (closed)."""
    out, seen = [], set()
    for issue in found:
        guid = guid_of(issue.key)
        seen.add(guid)
        prior = previous.topics.get(guid) if previous is not None else None
        out.append(Entry(guid, issue, prior, status_of(guid, previous), events(guid, True, previous, verdict, lang)))
    for guid, prior in (previous.topics.items() if previous is not None else ()):
        if guid not in seen:
            out.append(Entry(guid, None, prior, prior.status if prior.closed else CLOSED,
                             events(guid, False, previous, verdict, lang)))
    return out


def bcf_bytes(verdict, found: list[Issue], lang: str, version: str, previous: Optional[PreviousBcf],
              project_name: str) -> bytes:
    from .. import archive

    writer = _Writer(verdict, lang, version)
    entries = plan(verdict, found, previous, lang)
    bcfxml = writer.document(project_name)
    for index, entry in enumerate(entries, start=1):
        handler = writer.topic(entry, index)
        bcfxml.topics[handler.guid] = handler
    if writer.v3:
        bcfxml.extensions = writer.extensions()          # the values the topics use, known once they are made
    return archive.restamp_zip(_saved(bcfxml), verdict.generated_at)


class _Writer:
    """Builds one version's objects for one verdict."""

    def __init__(self, verdict, lang: str, version: str) -> None:
        import importlib

        if version not in VERSIONS:
            raise ValueError(f"BCF version {version!r}; this writes {', '.join(VERSIONS)}")
        self.verdict, self.lang, self.v3 = verdict, lang, version == "3.0"
        package = "bcf.v3" if self.v3 else "bcf.v2"
        self.mdl = importlib.import_module(f"{package}.model")
        self.topic_module = importlib.import_module(f"{package}.topic")
        self.visinfo_module = importlib.import_module(f"{package}.visinfo")
        self.bcfxml_module = importlib.import_module(f"{package}.bcfxml")
        self.index = verdict.element_index()
        self.cited_boxes = [e.bbox for e in verdict.elements if e.bbox is not None]
        self.author = f"compliance {verdict.tool_version}"
        self.used: dict[str, dict[str, None]] = {"types": {}, "statuses": dict.fromkeys((OPEN, REOPENED, CLOSED)),
                                                  "priorities": dict.fromkeys(("High", "Normal", "Low")), "labels": {}}

    def _when(self, dt):
        from xsdata.models.datatype import XmlDateTime

        return XmlDateTime.from_datetime(dt)

    # --- the archive --------------------------------------------------------------------------------

    def document(self, project_name: str):
        mdl = self.mdl
        bcfxml = self.bcfxml_module.BcfXml.create_new()
        project = mdl.Project(name=project_name, project_id=guid_of(f"{self.verdict.submission.id}|project"))
        if self.v3:
            bcfxml.version = mdl.Version(version_id="3.0")
            bcfxml.project_info = _scrub(mdl.ProjectInfo(project=project))
        else:
            bcfxml.version = mdl.Version(version_id="2.1", detailed_version="2.1")
            bcfxml.project_info = _scrub(mdl.ProjectExtension(project=project, extension_schema=""))
        return bcfxml

    def extensions(self):
        """BCF 3.0's extensions.xml: the values this file uses (and the usual statuses and priorities)."""
        mdl = self.mdl

        def values(kind: str) -> list[str]:
            return [v for v in self.used[kind] if v.strip()]
        return _scrub(mdl.Extensions(
            topic_types=mdl.ExtensionsTopicTypes(topic_type=values("types")),
            topic_statuses=mdl.ExtensionsTopicStatuses(topic_status=values("statuses")),
            priorities=mdl.ExtensionsPriorities(priority=values("priorities")),
            topic_labels=mdl.ExtensionsTopicLabels(topic_label=values("labels"))))

    # --- one topic ----------------------------------------------------------------------------------

    def topic(self, entry: Entry, index: int):
        from pathlib import Path

        issue, prior, verdict = entry.issue, entry.prior, self.verdict
        viewpoint = self._viewpoint(entry.guid, issue) if issue is not None else None
        description: Optional[str]
        priority: Optional[str]
        if issue is not None:
            description = issue.description
            tail = "\n".join(footer(verdict, self.lang))
            if viewpoint is not None and description.endswith(tail):      # what the camera shows, before the footer
                note = view_note(viewpoint[1], viewpoint[2], viewpoint[3], self.lang)
                description = description[:len(description) - len(tail)] + "\n".join(note) + "\n" + tail
            title, topic_type, priority, labels = issue.title, issue.topic_type, issue.priority, issue.labels
        else:
            assert prior is not None
            description, title = prior.description, prior.title
            topic_type, priority, labels = prior.topic_type or "Issue", prior.priority, prior.labels
        created = prior.created if prior is not None and prior.created else verdict.generated_at
        changed = prior is not None and (issue is not None or entry.events)
        fields = dict(guid=entry.guid, title=_cut(title) or "—", description=_nonblank(description),
                      topic_type=_nonblank(topic_type) or "Issue", topic_status=entry.status,
                      priority=_nonblank(priority), index=index, creation_date=self._when(created),
                      creation_author=_nonblank(prior.author if prior is not None else None) or self.author,
                      modified_date=self._when(verdict.generated_at) if changed else None,
                      modified_author=self.author if changed else None)
        labels = tuple(x for x in (clean(str(v)).strip() for v in labels) if x)
        for kind, value in (("types", fields["topic_type"]), ("statuses", entry.status),
                            ("priorities", fields["priority"]), *(("labels", x) for x in labels)):
            if value:
                self.used[kind][value] = None
        vp_guid = viewpoint[0].guid if viewpoint is not None else None
        comments = [self._comment(c, vp_guid) for c in (prior.comments if prior is not None else ())]
        comments += [self._comment(PriorComment(guid=e.guid, date=verdict.generated_at, author=self.author,
                                                text=e.text, viewpoint=vp_guid)) for e in entry.events]
        mdl = self.mdl
        header = self._header(issue) if issue is not None else None
        if self.v3:
            topic = mdl.Topic(**fields, labels=mdl.TopicLabels(label=list(labels)) if labels else None,
                              comments=mdl.TopicComments(comment=comments) if comments else None)
            markup = mdl.Markup(header=header, topic=topic)
        else:
            markup = mdl.Markup(header=header, topic=mdl.Topic(**fields, labels=list(labels)), comment=comments)
        handler = self.topic_module.TopicHandler(topic_dir=Path(entry.guid))
        handler.markup = _scrub(markup)
        if viewpoint is not None:
            handler.add_visinfo_handler(viewpoint[0], snapshot_filename=SNAPSHOT if viewpoint[0].snapshot else None)
        return handler

    def _comment(self, c: PriorComment, viewpoint: Optional[str] = None):
        mdl = self.mdl
        ref = c.viewpoint if c.viewpoint is not None and c.viewpoint == viewpoint else None
        text = clean(c.text)
        return mdl.Comment(guid=c.guid, date=self._when(c.date or self.verdict.generated_at),
                           author=_nonblank(c.author) or "?",
                           comment=text if (text.strip() or not self.v3) else None,
                           viewpoint=mdl.CommentViewpoint(guid=ref) if ref else None,
                           modified_date=self._when(c.modified_date) if c.modified_date else None,
                           modified_author=_nonblank(c.modified_author))

    def _header(self, issue: Issue):
        """The models a topic's elements are in, with their IfcProject GlobalId (tools match models by it)."""
        mdl, verdict = self.mdl, self.verdict
        gids = _ifc_guids(issue.global_ids)
        files = _model_files(verdict, gids, dict(issue.origins))
        projects = {m.file: m.ifc_project for m in verdict.models}
        models = list(dict.fromkeys(f for f in files.values() if f))
        if not models:
            return None
        if self.v3:
            return mdl.Header(files=mdl.HeaderFiles(file=[mdl.File(filename=f, ifc_project=projects.get(f),
                                                                   is_external=True) for f in models]))
        return mdl.Header(file=[mdl.HeaderFile(filename=f, ifc_project=projects.get(f), is_external=True)
                                for f in models])

    def _viewpoint(self, topic_guid: str, issue: Issue) -> Optional[tuple]:
        """(visinfo handler, camera, the boxes it frames, elements) for an issue citing elements; None
        without any."""
        mdl, verdict = self.mdl, self.verdict
        gids = _ifc_guids(issue.global_ids)
        if not gids:
            return None
        files = _model_files(verdict, gids, dict(issue.origins))
        systems = {m.file: m.application for m in verdict.models}
        boxes = [b for b in (self.index[g].bbox if g in self.index else None for g in gids) if b is not None]
        camera = camera_for(boxes, self.cited_boxes, required=self.v3)
        mine = set(gids)
        context = [e.bbox for e in verdict.elements if e.bbox is not None and e.global_id not in mine]

        def components(ids):
            return [mdl.Component(ifc_guid=g, originating_system=systems.get(files[g])) for g in ids]
        coloured = components(gids[:COLOURED_MAX])
        if self.v3:
            coloring = mdl.ComponentColoring(color=[mdl.ComponentColoringColor(
                color=CULPRIT_COLOUR, components=mdl.ComponentColoringColorComponents(component=coloured))])
        else:
            coloring = mdl.ComponentColoring(color=[mdl.ComponentColoringColor(color=CULPRIT_COLOUR,
                                                                                component=coloured)])
        content = "|".join(gids) + "|" + (camera.key() if camera else "") + f"|{CULPRIT_COLOUR}"
        vp_guid = str(uuid.uuid5(uuid.UUID(topic_guid), "viewpoint|" + hashlib.sha256(content.encode()).hexdigest()))
        info = mdl.VisualizationInfo(
            guid=vp_guid,
            components=mdl.Components(selection=mdl.ComponentSelection(component=components(gids)),
                                      visibility=mdl.ComponentVisibility(default_visibility=True), coloring=coloring),
            perspective_camera=self._camera(camera) if camera is not None else None)
        snapshot = plan_png(boxes, context) if boxes else None
        handler = self.visinfo_module.VisualizationInfoHandler(_scrub(info), snapshot=snapshot)
        return handler, camera, boxes, len(gids)

    def _camera(self, camera: Camera):
        mdl = self.mdl
        fields = dict(camera_view_point=mdl.Point(x=camera.position[0], y=camera.position[1], z=camera.position[2]),
                      camera_direction=mdl.Direction(x=camera.direction[0], y=camera.direction[1],
                                                     z=camera.direction[2]),
                      camera_up_vector=mdl.Direction(x=camera.up[0], y=camera.up[1], z=camera.up[2]),
                      field_of_view=camera.field_of_view)
        if self.v3:
            fields["aspect_ratio"] = round(camera.aspect_ratio, 6)
        return mdl.PerspectiveCamera(**fields)


def _ifc_guids(gids) -> tuple[str, ...]:
    return tuple(g for g in gids if _IFC_GUID.fullmatch(g))


def _model_files(verdict, gids: tuple[str, ...], origins: dict[str, str]) -> dict[str, Optional[str]]:
    """The model each element is in: as the reader recorded it, else the file the finding cites."""
    known, index = {m.file for m in verdict.models}, verdict.element_index()
    out = {}
    for g in gids:
        f = verdict.element(g, index).file or origins.get(g)
        out[g] = f if f in known else None
    return out


def _saved(bcfxml) -> bytes:
    """The library's zip (it can only save to a path)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="bcf-") as tmp:
        path = Path(tmp) / "verdict.bcf"
        bcfxml.save(path)
        bcfxml.close()
        return path.read_bytes()


# --- text hygiene -------------------------------------------------------------------------------

def clean(text: str) -> str:
    """Text XML 1.0 can carry and a parser gives back unchanged."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return visible_controls(_XML_ILLEGAL.sub("", text))


def _nonblank(text: Optional[str]) -> Optional[str]:
    """BCF 3.0's NonEmptyOrBlankString: None for an absent or blank value."""
    return text if text is not None and clean(text).strip() else None


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
