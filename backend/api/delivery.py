"""A parcel's delivery options, and booking (or re-booking) one of them."""

from __future__ import annotations

import asyncio

from aiohttp import web

from backend.api.creating import create_once
from backend.components import BACKEND
from backend.tracking import tracking_number

routes = web.RouteTableDef()


@routes.get("/v1/shipments/{number}/delivery-options")
async def delivery_options(request: web.Request) -> web.Response:
    number = tracking_number(request.match_info["number"])
    options = await asyncio.to_thread(request.app[BACKEND].delivery.options, number)
    return web.json_response({"tracking_number": number, "options": options})


@routes.post("/v1/shipments/{number}/delivery-bookings")
async def book(request: web.Request) -> web.Response:
    number = tracking_number(request.match_info["number"])
    delivery = request.app[BACKEND].delivery
    return await create_once(request, lambda connection, body: delivery.book(connection, number, body))


@routes.get("/v1/shipments/{number}/delivery-bookings")
async def bookings(request: web.Request) -> web.Response:
    number = tracking_number(request.match_info["number"])
    found = await asyncio.to_thread(request.app[BACKEND].orders.bookings, number)
    return web.json_response({"tracking_number": number, "bookings": found})
