"""What WeasyPrint may load while it lays out a report: nothing a submission names.

The verdict and district templates embed everything they show (charts as data: URIs, fonts from
fontconfig, stylesheets passed as strings), so the only URLs WeasyPrint needs are `data:` ones
and `file:` ones inside the package's own template folders. Every other URL (http, https, ftp,
a file: anywhere else such as file:///etc/passwd, a file: on another host) is refused by raising;
WeasyPrint logs the failure and leaves the resource out. The templates autoescape submitted
text, so no submitted string should ever become a URL; this is the second line of defence,
should one ever slip through (a template change, a future chart format).

`url_fetcher()` gives the object to pass as `url_fetcher=` to `weasyprint.HTML` and `CSS`.
WeasyPrint is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

PACKAGE = Path(__file__).resolve().parents[1]          # compliance/
ALLOWED_FOLDERS = (PACKAGE / "report" / "templates", PACKAGE / "district" / "render" / "templates")


class RefusedURL(ValueError):
    """A URL a report may not load."""


def allowed_path(url: str) -> Path | None:
    """The local file a `file:` URL names, when it lies inside one of ALLOWED_FOLDERS; else None."""
    from urllib.request import url2pathname

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(url2pathname(parts.path)).resolve()     # '..', %2e%2e and symlinks resolved first
    except (OSError, ValueError, RuntimeError):
        return None
    for folder in ALLOWED_FOLDERS:
        if path.is_relative_to(folder.resolve()) and path.is_file():
            return path
    return None


def check_url(url: str) -> str:
    """`url` when a report may load it; RefusedURL otherwise."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return url
    if scheme == "file" and allowed_path(url) is not None:
        return url
    shown = url if len(url) <= 120 else url[:117] + "..."
    raise RefusedURL(f"a report loads nothing from outside the checker: refused {shown!r}")


def url_fetcher():
    """A WeasyPrint URL fetcher that serves only what `check_url` allows (a new one per document)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:                                  # WeasyPrint before the URLFetcher class
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            return default_url_fetcher(check_url(url), *args, **kwargs)

        return fetch
    return _fetcher_class(URLFetcher)()


_CLASSES: dict = {}


def _fetcher_class(base):
    if base not in _CLASSES:
        class LocalOnlyFetcher(base):
            """WeasyPrint's fetcher, for the URLs `check_url` allows; anything else raises."""

            def fetch(self, url, headers=None):
                return super().fetch(check_url(url), headers)

        _CLASSES[base] = LocalOnlyFetcher
    return _CLASSES[base]
