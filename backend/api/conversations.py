"""Erasure of one conversation's data, for `kundesenter privacy forget`: the only route that needs a secret.

The caller proves itself with `Authorization: Bearer <backend admin token>`
(bot/secrets.py, KUNDESENTER_BACKEND_ADMIN_TOKEN), compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac

from aiohttp import web

from backend.components import BACKEND
from backend.erasure import erase_conversation
from backend.errors import ApiError

routes = web.RouteTableDef()
ADMIN_TOKEN = web.AppKey("admin_token", str)


@routes.delete("/v1/conversations/{conversation}")
async def erase(request: web.Request) -> web.Response:
    _authorise(request)
    backend = request.app[BACKEND]
    conversation = request.match_info["conversation"]
    erased = await asyncio.to_thread(erase_conversation, backend.engine, backend.orders, conversation)
    return web.json_response({"conversation": conversation, "erased": erased})


def _authorise(request: web.Request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = request.app[ADMIN_TOKEN]
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "Send the back-end's admin token as a bearer token.")
