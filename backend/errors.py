"""Every failure leaves the service as `{"error": code, "message": text}`, never as a stack trace."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Mapping, Optional

from aiohttp import web

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# aiohttp's own refusals (no such route, wrong method, body too large) in the same shape as ours.
_HTTP_REFUSALS = {
    400: ("bad_request", "The request is malformed."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The body is larger than the service accepts (64 KB)."),
}


class ApiError(Exception):
    """A refusal the client should understand; `fields` names each invalid field of an order."""

    def __init__(self, status: int, code: str, message: str, fields: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})

    def response(self) -> web.Response:
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return web.json_response(body, status=self.status)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No {what}.")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as refusal:
        return refusal.response()
    except web.HTTPException as http:
        if http.status < 400:
            raise
        code, message = _HTTP_REFUSALS.get(http.status, (f"http_{http.status}", http.reason))
        return ApiError(http.status, code, message).response()
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        return ApiError(500, "internal_error", "The service failed to answer.").response()
