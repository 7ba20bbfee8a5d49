"""Where a parcel is, where it can be picked up, and when customer service answers."""

from __future__ import annotations

import asyncio

from aiohttp import web

from backend.components import BACKEND
from backend.tracking import tracking_number

routes = web.RouteTableDef()


@routes.get("/v1/shipments/{number}")
async def shipment(request: web.Request) -> web.Response:
    number = tracking_number(request.match_info["number"])
    return web.json_response(await asyncio.to_thread(request.app[BACKEND].tracking.shipment, number))


@routes.get("/v1/pickup-points/{id}")
async def pickup_point(request: web.Request) -> web.Response:
    tracking = request.app[BACKEND].tracking
    return web.json_response(await asyncio.to_thread(tracking.pickup_point, request.match_info["id"]))


@routes.get("/v1/opening-hours/customer-service")
async def customer_service(request: web.Request) -> web.Response:
    country = request.query.get("country", "").upper()
    return web.json_response(await asyncio.to_thread(request.app[BACKEND].tracking.customer_service, country))
