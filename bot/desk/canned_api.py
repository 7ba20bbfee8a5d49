"""Canned replies over HTTP: every agent reads them, supervisors change a language's list.

The file may be changed by hand while the desk runs, so it is read (in a worker thread, off the
event loop) on each request; CannedReplies caches it until it changes.
"""

from __future__ import annotations

from aiohttp import web

from bot.desk.app import desk, fail, json_body, json_response
from bot.desk.auth_middleware import require_role
from bot.desk.canned_replies import CannedReplies, InvalidReplies

CANNED = web.AppKey("canned_replies", CannedReplies)


async def canned_replies(request: web.Request) -> web.Response:
    return json_response(await desk(request).run(request.app[CANNED].all))


@require_role("supervisor")
async def replace_canned_replies(request: web.Request) -> web.Response:
    replies = (await json_body(request)).get("replies")
    try:
        stored = await desk(request).run(request.app[CANNED].replace, request.match_info["language"], replies)
    except InvalidReplies as invalid:
        raise fail(web.HTTPBadRequest, str(invalid)) from None
    return json_response({"replies": stored})


def add_routes(app: web.Application) -> None:
    app[CANNED] = CannedReplies(app["desk"].settings.canned_replies)
    app.router.add_get("/api/canned-replies", canned_replies)
    app.router.add_put("/api/canned-replies/{language}", replace_canned_replies)
