"""Independent readers of the BCF files the checker writes, for tests/test_report_bcf.py:

* `read_bcf(data, tmp_path, name, version)`: what a BCF tool shows, read with bcf-client (IfcOpenShell's);
* `validate_xsd(data, version)`: every XML file of the archive against the BCF-XML schemas as
  bcf-client ships them in its source distribution on PyPI (`bcf_xsd`: downloaded by the tests into
  the cache folder, its SHA-256 pinned). Its 2.1 visinfo.xsd is looser than buildingSMART's v2.1
  tag (field of view 1–170° where the tag says 45–60°, lower-case colour hex allowed): the tag's
  two limits are checked here as well;
* `js_reader()`: a JavaScript BCF reader from the npm registry, @parametricos/bcf-js (2.1 and 3.0),
  installed by the tests themselves — `npm ci` of the exact versions pinned in tests/bcf_js/
  package-lock.json — into a cache folder kept between runs ($COMPLIANCE_TEST_NPM_CACHE, else
  $XDG_CACHE_HOME or ~/.cache, /compliance-tests/bcf-js-<lock hash>). Where node/npm or the registry
  are missing the tests that need it are skipped, saying why; under CI (`CI=true`) they fail (see
  JsReader for the one thing of 3.0 it cannot read, and the XML path that reads it instead);
* `kernel_boxes(folder, gids)`: the elements' world bounding boxes computed by IfcOpenShell's
  geometry kernel from the sample's IFC files, independently of the checker's reader.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# the schemas: bcf-client's source distribution (PyPI), which carries src/bcf/v2/xsd and src/bcf/v3/xsd
XSD_SDIST = ("bcf-client", "0.7.10", "02400bc352b6c914cd1073d545a95420e209d417e4763b9f1534b3e1a2e30f7e")
JS_PROJECT = HERE / "bcf_js"


# --- bcf-client, the Python reader --------------------------------------------------------------------

def read_bcf(data: bytes, tmp_path: Path, name: str = "verdict.bcf", version: str = "2.1") -> dict:
    """Everything a BCF tool would show, read with bcf-client (version detection included)."""
    import bcf.bcfxml
    import bcf.v2.bcfxml
    import bcf.v3.bcfxml

    path = tmp_path / name
    path.write_bytes(data)
    bx = bcf.bcfxml.load(path)
    try:
        kind = bcf.v3.bcfxml.BcfXml if version == "3.0" else bcf.v2.bcfxml.BcfXml
        assert isinstance(bx, kind) and bx.version.version_id == version
        topics = {guid: _topic(handler, version) for guid, handler in bx.topics.items()}
        return {"project": bx.project.name, "project_id": bx.project.project_id, "topics": topics}
    finally:
        bx.close()


def _topic(handler, version: str = "2.1") -> dict:
    t = handler.topic
    v3 = version == "3.0"
    labels = (list(t.labels.label) if t.labels else []) if v3 else list(t.labels)
    files = (handler.header.files.file if handler.header and handler.header.files else []) if v3 else \
        (handler.header.file if handler.header else [])
    comments = (t.comments.comment if t.comments else []) if v3 else handler.comments
    out = dict(guid=t.guid, title=t.title, description=t.description, type=t.topic_type, status=t.topic_status,
               priority=t.priority, labels=labels, author=t.creation_author,
               created=t.creation_date.to_datetime(), selection=None, systems=None, viewpoint=None,
               header_files=[f.filename for f in files], header_projects=[f.ifc_project for f in files],
               comments=[(c.guid, c.author, c.comment) for c in comments], camera=None, coloured=None,
               colour=None, snapshot=None)
    viewpoints = handler.viewpoints
    assert len(viewpoints) <= 1
    for vp in viewpoints.values():
        info = vp.visualization_info
        components = info.components
        assert components.visibility.default_visibility is True
        out.update(selection=vp.get_selected_guids(), viewpoint=vp.guid, snapshot=vp.snapshot,
                   systems=[c.originating_system for c in components.selection.component])
        if components.coloring is not None:
            (color,) = components.coloring.color
            parts = color.components.component if v3 else color.component
            out.update(colour=color.color, coloured=[c.ifc_guid for c in parts])
        cam = info.perspective_camera
        if cam is not None:
            out["camera"] = dict(point=(cam.camera_view_point.x, cam.camera_view_point.y, cam.camera_view_point.z),
                                 direction=(cam.camera_direction.x, cam.camera_direction.y, cam.camera_direction.z),
                                 up=(cam.camera_up_vector.x, cam.camera_up_vector.y, cam.camera_up_vector.z),
                                 fov=cam.field_of_view)
    return out


# --- the official schemas -----------------------------------------------------------------------------------

def _schema_for(name: str, version: str):
    if name == "bcf.version":
        return "version.xsd"
    if name == "project.bcfp":
        return "project.xsd"
    if name == "extensions.xml":
        return "extensions.xsd"
    if name == "documents.xml":
        return "documents.xsd"
    if name.endswith("/markup.bcf"):
        return "markup.xsd"
    if name.endswith(".bcfv"):
        return "visinfo.xsd"
    return None


def validate_xsd(data: bytes, version: str) -> dict[str, int]:
    """Every XML entry of the BCF archive validated against buildingSMART's XSD of `version`;
    AssertionError naming the entry and the schema's complaint. Returns {schema file: entries}."""
    from lxml import etree

    schemas: dict[str, object] = {}
    counts: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert "bcf.version" in names
        if version == "3.0":
            assert "extensions.xml" in names, "BCF 3.0 archives carry extensions.xml"
        for name in names:
            if name.endswith("/"):
                continue
            xsd = _schema_for(name, version)
            if xsd is None:
                assert name.endswith(".png"), f"{name}: an entry BCF-XML {version} does not define"
                continue
            if xsd not in schemas:
                schemas[xsd] = etree.XMLSchema(etree.parse(str(bcf_xsd(version) / xsd)))
            doc = etree.fromstring(z.read(name))
            schema = schemas[xsd]
            assert schema.validate(doc), f"{name} is not valid BCF {version} ({xsd}): {schema.error_log}"
            if xsd == "visinfo.xsd":
                _tag_limits(name, doc)
            counts[xsd] = counts.get(xsd, 0) + 1
    return counts


def _tag_limits(name: str, doc) -> None:
    """What buildingSMART's own visinfo.xsd (tags v2.1 and v3.0) says beyond bcf-client's copy."""
    import re

    for fov in doc.iter("FieldOfView"):
        assert 45 <= float(fov.text) <= 60, f"{name}: FieldOfView {fov.text} outside 45–60° (BCF-XML visinfo.xsd)"
    for color in doc.iter("Color"):
        value = color.get("Color")
        assert value is None or re.fullmatch(r"[0-9A-F]{6}([0-9A-F]{2})?", value), f"{name}: colour {value}"


def bcf_xsd(version: str) -> Path:
    """The folder of the BCF-XML `version` schemas, taken from bcf-client's source distribution on
    PyPI (downloaded once into the cache folder, checked against its pinned SHA-256). Where pip or
    PyPI cannot be reached the test is skipped saying why; under CI (`CI=true`) it fails."""
    import sys
    import tarfile

    name, release, sha256 = XSD_SDIST
    folder = _cache_root() / f"bcf-xsd-{release}"
    wanted = folder / ("v3" if version == "3.0" else "v2")
    if not (wanted / "visinfo.xsd").is_file():
        download = folder / "download"
        download.mkdir(parents=True, exist_ok=True)
        run = subprocess.run([sys.executable, "-m", "pip", "download", f"{name}=={release}", "--no-deps",
                              "--no-binary", ":all:", "-d", str(download), "-q"], capture_output=True, text=True,
                             timeout=300)
        archives = list(download.glob("*.tar.gz"))
        if run.returncode != 0 or not archives:
            _unavailable(f"the BCF-XML schemas come from {name} {release}'s source distribution on PyPI, which "
                         f"could not be downloaded: {run.stderr.strip()[-500:]}")
        data = archives[0].read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256, f"{archives[0].name} is not the pinned {name} {release}"
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if member.isfile() and member.name.endswith(".xsd") and parts[-3:-1] in (("v2", "xsd"), ("v3", "xsd")):
                    target = folder / parts[-3] / parts[-1]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
    return wanted


# --- the JavaScript reader ----------------------------------------------------------------------------------

def _cache_root() -> Path:
    given = os.environ.get("COMPLIANCE_TEST_NPM_CACHE")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "compliance-tests"


class JsReader:
    """node read.mjs VERSION FILE in the installed folder: the archive as the JS library parsed it.

    bcf-js 0.2.6 reads a viewpoint's Coloring the BCF 2.1 way (Color/Component) for 3.0 too, and
    throws on 3.0's Color/Components/Component (buildingSMART's visinfo.xsd 3.0): a 3.0 archive is
    given to it without its Coloring elements (`without_coloring`), whose colours the tests read
    with the XML path (`xml_coloring`, lxml) instead; everything else it reads as written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, path: Path, version: str) -> dict:
        if version == "3.0":
            stripped = path.with_name(path.stem + "-for-bcf-js" + path.suffix)
            stripped.write_bytes(without_coloring(path.read_bytes()))
            path = stripped
        run = subprocess.run(["node", "read.mjs", version, str(path)], cwd=self.folder, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, f"bcf-js could not read {path.name}: {run.stderr[-2000:]}"
        return json.loads(run.stdout)


def without_coloring(data: bytes) -> bytes:
    """The archive with every viewpoint's Coloring element removed (and nothing else changed)."""
    from lxml import etree

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith(".bcfv"):
                root = etree.fromstring(body)
                for el in root.findall("Components/Coloring"):
                    el.getparent().remove(el)
                body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def xml_coloring(data: bytes) -> dict[str, dict[str, list[str]]]:
    """topic GUID -> {colour: [IfcGuid...]} read straight from the XML (lxml), either version."""
    from lxml import etree

    out: dict[str, dict[str, list[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".bcfv"):
                root = etree.fromstring(z.read(name))
                colours = out.setdefault(name.split("/")[0], {})
                for color in root.iterfind("Components/Coloring/Color"):
                    colours[color.get("Color")] = [c.get("IfcGuid") for c in color.iter("Component")]
    return out


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def js_reader() -> JsReader:
    """The JavaScript reader, installed into the cache folder on first use (skips/fails as the module says)."""
    if not shutil.which("node") or not shutil.which("npm"):
        _unavailable("node and npm are needed for the JavaScript BCF reader test (Debian: apt-get install nodejs "
                     "npm; scripts/bootstrap.sh does)")
    files = ("package.json", "package-lock.json", "read.mjs")
    digest = hashlib.sha256(b"".join((JS_PROJECT / f).read_bytes() for f in files)).hexdigest()[:16]
    folder = _cache_root() / f"bcf-js-{digest}"
    stamp = folder / "node_modules" / ".installed"
    if not stamp.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(JS_PROJECT / f, folder / f)
        run = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"],
                             cwd=folder, capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            _unavailable(f"npm ci of the JavaScript BCF reader failed in {folder} (is the npm registry "
                         f"reachable?): {run.stderr[-1500:]}")
        stamp.write_text(digest)
    return JsReader(folder)


# --- the geometry kernel's boxes ----------------------------------------------------------------------------

def kernel_boxes(folder: Path, gids) -> dict[str, tuple[float, ...]]:
    """GlobalId -> (min x, y, z, max x, y, z) in metres, world coordinates, from the body geometry
    IfcOpenShell's kernel makes of each element of the IFC files in `folder` (those it can)."""
    import ifcopenshell
    import ifcopenshell.geom
    import numpy as np

    wanted, out = set(gids), {}
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    for path in sorted(folder.glob("*.ifc")):
        model = ifcopenshell.open(str(path))
        for gid in wanted - set(out):
            try:
                element = model.by_guid(gid)
            except RuntimeError:
                continue
            if not getattr(element, "Representation", None):
                continue
            try:
                shape = ifcopenshell.geom.create_shape(settings, element)
            except Exception:  # noqa: BLE001 — an element the kernel cannot make has no box here
                continue
            verts = np.array(shape.geometry.verts, dtype=float).reshape(-1, 3)
            if len(verts):
                out[gid] = (*verts.min(axis=0).tolist(), *verts.max(axis=0).tolist())
    return out
