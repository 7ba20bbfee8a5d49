"""The desk's access log: one line per request, with the path but never the query string.

aiohttp's default line holds the whole request line (`%r`), query string included. The desk's
own pages put no secret in a URL, but a client that does (an old widget, a hand-written call)
must not get its token written to disk, where anyone who reads the log could take the chat over.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class PathOnlyAccessLogger(AbstractAccessLogger):
    """`<client> "<METHOD> <path>" <status> <bytes> <seconds>s`; the query string is left out."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote, request.method, request.path, response.status, response.body_length, time,
        )  # fmt: skip
