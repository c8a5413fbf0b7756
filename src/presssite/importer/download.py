"""Downloading a photo of an article: http and https only, a size limit, a time limit.

Only the bytes come from here; whether they are a photo a build accepts is the image
stage's check (``images.reading.check``), run on them once written.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import IO
from urllib.parse import urlsplit

from presssite import __version__

MAX_BYTES = 25 * 1024 * 1024  # a press photo is a few megabytes; more is a mistake
TIMEOUT = 30.0  # seconds for the whole download, and for each wait on the server
_SCHEMES = ("http", "https")
_CHUNK = 64 * 1024


class DownloadProblem(Exception):
    """A photo could not be downloaded; the message says why in a user's words."""


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https URLs only (never ftp: or file:)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise DownloadProblem(f"redirected to {newurl}, which is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def is_web_url(url: str) -> bool:
    """True for an http or https URL with a host: the only URLs presssite downloads."""
    parts = urlsplit(url)
    return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)


def download(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> bytes:
    """The bytes at ``url``; ``DownloadProblem`` when refused, too large, too slow or failed."""
    if not is_web_url(url):
        raise DownloadProblem("only http and https URLs are downloaded")
    request = urllib.request.Request(url, headers={"User-Agent": f"presssite/{__version__}"})
    opener = urllib.request.build_opener(_WebOnlyRedirects)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise DownloadProblem(_too_large(int(length), max_bytes))
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise DownloadProblem(_too_large(total, max_bytes, more=True))
                if time.monotonic() > deadline:
                    raise DownloadProblem(f"not downloaded within {timeout:g} s")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise DownloadProblem(f"the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DownloadProblem(f"no answer within {timeout:g} s") from None
        raise DownloadProblem(f"cannot download: {reason}") from None
    except TimeoutError:
        raise DownloadProblem(f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadProblem(f"cannot download: {exc or type(exc).__name__}") from None
    return b"".join(chunks)


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    """``more``: the server sent no length and ``size`` is only what was read so far."""
    said = f"more than {limit:,}" if more else f"{size:,}"
    return f"{said} bytes, over the limit of {limit:,} bytes"
