"""The only way WeasyPrint may read anything while it lays out a report.

WeasyPrint's own fetcher reads `file://` and `http(s)://` addresses: text that reached the HTML unescaped could
embed a server file in the PDF or make the server call out. This one serves exactly two things:

- the application's own static files under STATIC_URL, read from disk through the staticfiles finders (never
  over HTTP: fetching them from our own web server cost about two seconds an image), with a short list of
  file types;
- `data:` addresses (the charts are embedded that way).

Everything else is refused without being opened, counted, and logged.
"""

from __future__ import annotations

import base64
import logging
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("reports.fetcher")

# The page's base address: relative and root-relative addresses in the report resolve under it, and only
# STATIC_URL below it is ever served. `.invalid` is reserved (RFC 2606): it can never reach a real host.
BASE_URL = "https://report.invalid/"
ALLOWED_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
DATA_TYPES = {"image/svg+xml", "image/png", "image/jpeg", "text/css"}
MAX_DATA_BYTES = 5 * 1024 * 1024


class RefusedURL(ValueError):
    pass


class ReportURLFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=set(), allow_redirects=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    @property
    def static_prefix(self) -> str:
        return BASE_URL.rstrip("/") + settings.STATIC_URL

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            if url.startswith("data:"):
                response = self._data(url)
            elif url.startswith(self.static_prefix):
                response = self._static(url)
            else:
                raise RefusedURL("not one of the application's static files")
        except RefusedURL as reason:
            self.refused.append(url)
            logger.warning("Report renderer refused %s: %s", url[:200], reason)
            raise
        self.served.append(url if not url.startswith("data:") else "data:")
        return response

    def _static(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            raise RefusedURL("static addresses take no query or fragment")
        relative = unquote(parts.path[len(settings.STATIC_URL) :])
        normalised = posixpath.normpath(relative)
        if normalised.startswith(("/", "..")) or normalised != relative or "\\" in relative or "\x00" in relative:
            raise RefusedURL("not a plain path inside the static files")
        content_type = ALLOWED_TYPES.get(Path(normalised).suffix.lower())
        if content_type is None:
            raise RefusedURL("file type not allowed in reports")
        found = finders.find(normalised)
        if not found:
            raise RefusedURL("no such static file")
        body = Path(found).read_bytes()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _data(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url.partition(",")
        if not comma:
            raise RefusedURL("malformed data address")
        meta = header[len("data:") :].split(";")
        content_type = (meta[0] or "text/plain").lower()
        if content_type not in DATA_TYPES:
            raise RefusedURL(f"data of type {content_type} not allowed")
        if len(payload) > MAX_DATA_BYTES * 4 // 3 + 4:
            raise RefusedURL("data address too large")
        try:
            body = base64.b64decode(payload, validate=True) if "base64" in meta[1:] else unquote(payload).encode()
        except ValueError as error:
            raise RefusedURL("malformed base64 data") from error
        return URLFetcherResponse(url, body, {"Content-Type": content_type})
