"""Prices, holding times and size limits: the figures behind answers about the carrier's services."""

from __future__ import annotations

from aiohttp import web

from backend.components import BACKEND

routes = web.RouteTableDef()


@routes.get("/v1/prices")
async def price(request: web.Request) -> web.Response:
    query = request.query
    return web.json_response(
        request.app[BACKEND].services.price(
            query.get("country", ""), query.get("kind", ""), query.get("weight_g", ""), query.get("destination", "")
        )
    )


@routes.get("/v1/holding-times")
async def holding_times(request: web.Request) -> web.Response:
    return web.json_response(request.app[BACKEND].services.holding_times(request.query.get("country", "")))


@routes.get("/v1/size-limits")
async def size_limits(request: web.Request) -> web.Response:
    return web.json_response(request.app[BACKEND].services.size_limits(request.query.get("country", "")))
