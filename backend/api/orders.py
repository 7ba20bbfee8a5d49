"""Address changes and complaints: created by the bot, read back by agents and tests.

Any order can also be looked up and cancelled by the Idempotency-Key it was sent
with: that is all the bot knows of an order whose answer was lost.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from aiohttp import web
from sqlalchemy.engine import Connection

from backend import validation
from backend.api.creating import create_once
from backend.components import BACKEND
from backend.tracking import tracking_number

routes = web.RouteTableDef()


@routes.post("/v1/address-changes")
async def create_address_change(request: web.Request) -> web.Response:
    backend = request.app[BACKEND]

    def create(connection: Connection, body: Dict[str, Any]) -> Dict[str, Any]:
        rules = backend.rules
        order = validation.address_change(body, rules.today(), rules.address_change_months_ahead)
        return backend.orders.add_address_change(connection, order)

    return await create_once(request, create)


@routes.get("/v1/address-changes")
async def address_changes(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(request.app[BACKEND].orders.address_changes, request.query.get("name"))
    return web.json_response({"address_changes": found})


@routes.get("/v1/address-changes/{receipt}")
async def address_change(request: web.Request) -> web.Response:
    orders = request.app[BACKEND].orders
    return web.json_response(await asyncio.to_thread(orders.address_change, request.match_info["receipt"]))


@routes.post("/v1/complaints")
async def create_complaint(request: web.Request) -> web.Response:
    backend = request.app[BACKEND]

    def create(connection: Connection, body: Dict[str, Any]) -> Dict[str, Any]:
        order = validation.complaint(body, list(backend.rules.complaint_handling_days))
        backend.tracking.shipment_row(connection, order["tracking_number"])  # 404 for a parcel we never had
        return backend.orders.add_complaint(connection, order)

    return await create_once(request, create)


@routes.get("/v1/complaints")
async def complaints(request: web.Request) -> web.Response:
    written = request.query.get("tracking_number")
    number = tracking_number(written) if written else None
    return web.json_response({"complaints": await asyncio.to_thread(request.app[BACKEND].orders.complaints, number)})


@routes.get("/v1/complaints/{case}")
async def complaint(request: web.Request) -> web.Response:
    orders = request.app[BACKEND].orders
    return web.json_response(await asyncio.to_thread(orders.complaint, request.match_info["case"]))


@routes.get("/v1/orders/{key}")
async def order_by_key(request: web.Request) -> web.Response:
    idempotency = request.app[BACKEND].idempotency
    return web.json_response(await asyncio.to_thread(idempotency.lookup, request.match_info["key"]))


@routes.delete("/v1/orders/{key}")
async def cancel_by_key(request: web.Request) -> web.Response:
    backend = request.app[BACKEND]
    cancelled = await asyncio.to_thread(backend.idempotency.cancel, request.match_info["key"], backend.orders.cancel)
    return web.json_response(cancelled)
