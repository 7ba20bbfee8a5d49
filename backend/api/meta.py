"""Liveness and the service's own description."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
OPENAPI = web.AppKey("openapi", dict)


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])
