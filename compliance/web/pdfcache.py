"""The PDF verdicts the web app serves: rendered outside the request threads and kept on disk.

Laying a verdict out as a PDF (WeasyPrint) takes seconds, so a request never does it itself. One
`ReportCache` per app (AppState.reports) owns a process pool of one worker, started on the first
render, and the renders in flight. A PDF is kept under DATA_DIR/reports/, named by what it shows:

    check<id>-<latest sign-off id | unsigned>-<lang>-<renderer version>.pdf

The renderer version hashes the report code, its templates, the sign package, WeasyPrint's version
and, for a signed-off verdict on an app with a signing certificate, the certificate: any of them
changing makes a new file. A sign-off changes the name, so a signed PDF is never the draft served
again. Files are written atomically (report.write_atomic); requests for a PDF being rendered share
its job; a failed render is reported once and then tried again, never kept as a PDF.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

WAIT_S = 2.0            # a request waits this long for a render before answering "preparing"
REFRESH_S = 2           # the "preparing" page asks again after this many seconds


@dataclass(frozen=True)
class PdfKey:
    check_id: int
    signoff: str          # "signoff<id>" of the latest sign-off, or "unsigned"
    lang: str
    version: str          # the renderer's (and the certificate's, when it signs)
    signs: bool           # the PDF is signed with the app's certificate

    @property
    def name(self) -> str:
        return f"check{self.check_id}-{self.signoff}-{self.lang}-{self.version}.pdf"


def sign_package() -> bool:
    """Whether the signing package (compliance.sign: PAdES over the PDF/A-3) is installed."""
    import importlib.util

    try:
        return importlib.util.find_spec("compliance.sign.archive") is not None
    except ImportError:
        return False


def renderer_version() -> str:
    """A short hash of what makes a PDF: the report code and templates, the sign package, the tool's
    and WeasyPrint's versions."""
    from importlib.metadata import PackageNotFoundError, version

    from ..build import build_identity

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"compliance {build_identity()}\n".encode())
    try:
        digest.update(f"weasyprint {version('weasyprint')}\n".encode())
    except PackageNotFoundError:
        pass
    for folder in (package / "report", package / "sign"):
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                digest.update(f"{path.relative_to(package).as_posix()}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def latest_signoff_id(registry, check_id: int) -> Optional[int]:
    from sqlalchemy import func, select

    from ..registry.tables import signoffs

    with registry.engine.connect() as conn:
        return conn.execute(select(func.max(signoffs.c.id)).where(signoffs.c.check_id == check_id)).scalar()


def render_pdf(verdict, lang: str, target: str, p12: Optional[str], passphrase: Optional[str]) -> Optional[str]:
    """In the pool's worker process: the verdict's PDF written atomically to `target`, signed with the
    certificate `p12` when given. Returns None, or what went wrong in one line (never raises: an
    exception need not survive the trip back)."""
    from ..report import render, write_atomic

    try:
        if p12:
            from ..sign.archive import signed_verdict_pdf
            from ..sign.signer import load_signer

            data = signed_verdict_pdf(verdict, lang, signer=load_signer(Path(p12), passphrase))
        else:
            data = render("pdf", verdict, lang)
        write_atomic(Path(target), data)
        return None
    except Exception as exc:          # noqa: BLE001 - reported on the page, not kept as a PDF
        message = getattr(exc, "message", None) or str(exc) or "no message"
        hint = getattr(exc, "hint", None)
        return f"{type(exc).__name__}: {message}" + (f" ({hint})" if hint else "")


class ReportCache:
    """The app's PDFs: where they are kept, and the renders in flight (shared by the app's threads)."""

    def __init__(self, settings, wait_s: float = WAIT_S):
        self.settings = settings
        self.folder = Path(settings.data_dir) / "reports"
        self.wait_s = wait_s
        self.renders_started = 0          # renders this app started (what the tests count)
        self._lock = threading.RLock()     # a done callback may run in the thread that holds it
        self._pool = None
        self._version: Optional[str] = None
        self._inflight: dict[str, Future] = {}

    def key(self, registry, check_id: int, lang: str) -> PdfKey:
        with self._lock:
            if self._version is None:
                self._version = renderer_version()
            version = self._version
        latest = latest_signoff_id(registry, check_id)
        signs = latest is not None and self.settings.signing_p12 is not None and sign_package()
        if signs:
            certificate = Path(self.settings.signing_p12).read_bytes()
            version = hashlib.sha256(version.encode() + certificate).hexdigest()[:12]
        return PdfKey(check_id, f"signoff{latest}" if latest is not None else "unsigned", lang, version, signs)

    def path(self, key: PdfKey) -> Path:
        return self.folder / key.name

    def get(self, registry, check_id: int, lang: str) -> tuple[str, object]:
        """("ready", the PDF's bytes), ("pending", None) or ("failed", what went wrong). Starts the
        render when the PDF is neither kept nor being made, and waits for it up to `wait_s`."""
        key = self.key(registry, check_id, lang)
        path = self.path(key)
        data = _read(path)
        if data is not None:
            return "ready", data
        with self._lock:
            future = self._inflight.get(key.name)
            if future is None:
                data = _read(path)          # finished between the first look and the lock
                if data is not None:
                    return "ready", data
                future = self._start(registry, key, path)
        try:
            error = future.result(timeout=self.wait_s)
        except TimeoutError:
            return "pending", None
        except Exception as exc:          # the worker process died (BrokenProcessPool) or would not start
            error = f"the PDF renderer stopped unexpectedly ({type(exc).__name__})"
            self._renew()
        if error is None:
            data = _read(path)
            return ("ready", data) if data is not None else ("failed", "the rendered PDF is no longer on disk")
        with self._lock:                    # reported once: the next request tries again
            if self._inflight.get(key.name) is future:
                del self._inflight[key.name]
        return "failed", error

    def _start(self, registry, key: PdfKey, path: Path) -> Future:
        """Submit the render (under the lock). A render that cannot even be submitted is a failed job."""
        future: Future
        try:
            verdict = registry.verdict(key.check_id)      # read after the key: never older than its sign-off
            if verdict is None:
                raise LookupError(f"check {key.check_id} has no verdict")
            p12 = str(self.settings.signing_p12) if key.signs else None
            future = self._executor().submit(render_pdf, verdict, key.lang, str(path), p12,
                                             self.settings.signing_passphrase if key.signs else None)
            self.renders_started += 1
        except Exception as exc:          # noqa: BLE001
            future = Future()
            future.set_result(f"{type(exc).__name__}: {exc}")
        self._inflight[key.name] = future
        future.add_done_callback(functools.partial(self._finished, key.name))
        return future

    def _finished(self, name: str, future: Future) -> None:
        """A render that worked leaves the table (its file answers from now on); a failed one stays
        until a request has reported it."""
        try:
            ok = future.result() is None
        except Exception:          # noqa: BLE001
            ok = False
        if ok:
            with self._lock:
                if self._inflight.get(name) is future:
                    del self._inflight[name]

    def _executor(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: never fork a server with threads; one worker, renewed now and then (WeasyPrint's caches grow)
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             max_tasks_per_child=50)
        return self._pool

    def _renew(self) -> None:
        """Drop a broken pool: the next render starts a fresh worker."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def pdf_or_page(st, check_id: int, lang: str):
    """For the download view: the PDF's bytes, or the page to answer meanwhile ("preparing", which
    asks again by itself; or the error page naming the check)."""
    from flask import make_response, render_template, request

    from .app import error_page

    status, found = st.reports.get(st.registry, check_id, lang)
    if status == "ready":
        return found
    if status == "failed":
        return error_page(f"The PDF of check {check_id} could not be made",
                          "ask for it again in a minute; if it fails again, the other formats have the same "
                          "verdict and the server's log has the details", 500, detail=str(found))
    again = request.full_path if request.query_string else request.path
    response = make_response(render_template("preparing.html", check_id=check_id, again=again,
                                             seconds=REFRESH_S), 202)
    response.headers["Refresh"] = f"{REFRESH_S}; url={again}"
    response.headers["Retry-After"] = str(REFRESH_S)
    response.headers["Cache-Control"] = "no-store"
    return response
