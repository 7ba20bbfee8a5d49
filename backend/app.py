"""The aiohttp application: routes, error handling, and the database made ready on start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from aiohttp import web

from backend import database
from backend import rules as carrier_rules
from backend.api import conversations, delivery, meta, orders, services, tracking
from backend.components import BACKEND, build
from backend.errors import json_errors
from backend.holidays import HolidayCalendar
from backend.seed import DemoDates, write_demo
from bot import secrets

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


def create_app(database_url: str, seed_path: Path) -> web.Application:
    """The service, not yet started: tables and demo data are written when it starts."""
    rules = carrier_rules.load()
    calendar = HolidayCalendar.load()
    backend = build(database.connect(database_url), rules, calendar)
    # +1: aiohttp refuses a body of exactly client_max_size bytes, the limit itself is allowed.
    app = web.Application(client_max_size=rules.max_body_bytes + 1, middlewares=[json_errors])
    app[BACKEND] = backend
    app[meta.OPENAPI] = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    app[conversations.ADMIN_TOKEN] = secrets.secret(secrets.BACKEND_ADMIN_TOKEN)
    for module in (meta, tracking, delivery, orders, conversations, services):
        app.add_routes(module.routes)

    async def prepare_database(app: web.Application) -> None:
        await asyncio.to_thread(database.create_tables, backend.engine)
        dates = DemoDates(rules.today(), rules.timezone, calendar)
        await asyncio.to_thread(write_demo, backend.engine, seed_path, dates)

    async def close_database(app: web.Application) -> None:
        await asyncio.to_thread(backend.engine.dispose)

    app.on_startup.append(prepare_database)
    app.on_cleanup.append(close_database)
    return app
