"""BCF verdict: the findings a designer must act on, as BCF-XML topics for a BIM tool.

`render(verdict, lang, version="2.1", previous=None)` gives a `.bcf` zip that Revit BCF managers,
BIMcollab, Bonsai/BlenderBIM, Solibri, Navisworks … open beside the submitted IFC models:

* one topic per (rule, problem): each rule result whose status is `fail`, `missing_data` or
  `manual_review` and that blocks approval or falls short, and one per code of the reader notes of
  severity `warning` or `uncertain` that cite elements — all the notes of one code (one per slab,
  say) are one topic listing every element (`topics.py`);
* type and priority from the rule's kind and status: only a blocking fail is an Error (High); a
  fail that does not block (a target, an encouraged item) is a Warning, never an Error; data
  missing is a Request, a reviewer's decision an Issue; High when the rule blocks approval, else
  Normal (target) or Low (encouraged, tally);
* the description holds the message, measured vs required, the reasons, the clause (document, ref,
  quote), the remedy, the evidence (metadata fields with file:line, model elements by GlobalId),
  what the viewpoint's camera shows, and the submission and models, in `lang`;
* one viewpoint per topic that cites elements: every GlobalId selected, with the authoring
  application as OriginatingSystem; the topic's elements coloured red (Components/Coloring), the
  rest of the model visible as it is (Visibility default visible); a perspective camera framing the
  elements' bounding boxes (`view.py`); a snapshot PNG, a plan view of those boxes (`snapshot.py`).
  Metadata-only findings get a topic, no viewpoint;
* the markup Header lists the models whose elements a topic cites (Filename, IfcProject GlobalId,
  isExternal), so a tool matches the loaded model.

Choices:
* BCF 2.1 by default, 3.0 on request (`--bcf-version 3.0`): Revit BCF managers, Solibri and
  Navisworks read 2.1, and BIMcollab and Bonsai read both; 3.0 makes the camera mandatory (see
  view.py for the fallback when the elements have no position) and adds extensions.xml, listing
  the types, statuses, priorities and labels the file uses. Written with the maintained
  `bcf-client` library (`bcf`, from IfcOpenShell), whose xsdata serializer does all XML escaping.
* Stable GUIDs: topic = uuid5(submission id + rule), or + the note's code, so a re-issued BCF
  updates the same topics in a BCF tool; the project GUID derives from the submission; a viewpoint's
  from its topic and its content (elements, camera: BCF viewpoints are immutable).
* `previous`: the BCF issued before (a path, or `previous.read_previous`'s result). Topics gone from
  this check are closed with a comment saying they were resolved in the check of <date>; returning
  ones are reopened with a comment; comments in the old file are kept (`previous.py`).
* No DocumentReference / ReferenceLink / BimSnippet: the clause is a gazette number, not a URI or a
  file, so it goes in the description and the labels. No AuthoringToolId: the verdict does not keep
  the authoring tool's element ids.
* Deterministic: creation dates are `verdict.generated_at` (or the previous file's for a topic it
  had), the zip is rewritten with every entry stamped `generated_at` (the library stamps the wall
  clock) and the snapshots are drawn without timestamps, so one verdict gives one file.
* Text from submitted files is untrusted: characters XML 1.0 cannot carry (control characters,
  lone surrogates, U+FFFE/U+FFFF) are removed, line ends become \\n, titles are cut to 160 characters
  (the description keeps the whole text).
"""

from __future__ import annotations

from ..labels import check_lang
from .topics import ELEMENTS_LISTED, Issue, issues
from .write import NAMESPACE, TITLE_MAX, VERSIONS, clean, guid_of

DEFAULT_VERSION = "2.1"

__all__ = ["DEFAULT_VERSION", "ELEMENTS_LISTED", "Issue", "NAMESPACE", "TITLE_MAX", "VERSIONS", "clean", "issues",
           "render"]


def render(verdict, lang: str = "both", version: str = DEFAULT_VERSION, previous=None) -> bytes:
    """The BCF archive of `verdict` in BCF `version` ("2.1" or "3.0"). `previous`: the BCF issued
    before for this submission (a path or a previous.PreviousBcf), whose topics this one updates."""
    from pathlib import Path

    from .previous import check_same_project, read_previous
    from .write import bcf_bytes

    check_lang(lang)
    if version not in VERSIONS:
        raise ValueError(f"BCF version {version!r}; choose {' or '.join(VERSIONS)}")
    if isinstance(previous, (str, Path)):
        previous = read_previous(previous)
    if previous is not None:
        check_same_project(previous, guid_of(f"{verdict.submission.id}|project"), verdict.submission.id)
    return bcf_bytes(verdict, issues(verdict, lang), lang, version, previous, _project_name(verdict.submission, lang))


def _project_name(submission, lang: str) -> str:
    name = submission.name
    if submission.name_en and lang != "zh":
        name = submission.name_en if lang == "en" else f"{submission.name} / {submission.name_en}"
    return f"{submission.id} {name}"
