"""The supervisor's figures: KPIs over chosen days as JSON for the page and as CSV for a spreadsheet."""

from __future__ import annotations

import datetime as dt
from typing import Tuple

from aiohttp import web

from bot.desk import kpis, live
from bot.desk.app import desk, fail, json_response
from bot.desk.auth_middleware import require_role

DEFAULT_DAYS = 7
MAX_DAYS = 366
YEARS = (2000, 2999)


def _period(request: web.Request) -> Tuple[dt.date, dt.date]:
    today = dt.datetime.now(desk(request).settings.timezone).date()
    try:
        last = dt.date.fromisoformat(request.query["to"]) if request.query.get("to") else today
        first = (
            dt.date.fromisoformat(request.query["from"])
            if request.query.get("from")
            else last - dt.timedelta(DEFAULT_DAYS - 1)
        )
    except (ValueError, OverflowError):  # OverflowError: a default `from` before year 1
        raise fail(web.HTTPBadRequest, "dates are written YYYY-MM-DD") from None
    if not (YEARS[0] <= first.year and last.year <= YEARS[1]):  # the edges of `date` overflow in time-zone arithmetic
        raise fail(web.HTTPBadRequest, f"choose dates from year {YEARS[0]} to {YEARS[1]}")
    if first > last or (last - first).days >= MAX_DAYS:
        raise fail(web.HTTPBadRequest, f"choose from ≤ to, at most {MAX_DAYS} days")
    return first, last


async def _compute(request: web.Request) -> kpis.Kpis:
    shared = desk(request)
    first, last = _period(request)
    return await shared.run(
        kpis.compute, shared.tracker_engine, shared.queue, shared.surveys, first, last, shared.settings.timezone
    )


@require_role("supervisor")
async def figures(request: web.Request) -> web.Response:
    return json_response(kpis.to_json(await _compute(request)))


@require_role("supervisor")
async def figures_csv(request: web.Request) -> web.Response:
    first, last = _period(request)
    return web.Response(
        text=kpis.to_csv(await _compute(request)),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="kpis-{first}-{last}.csv"'},
    )


@require_role("supervisor")
async def live_view(request: web.Request) -> web.Response:
    shared = desk(request)
    return json_response(await shared.run(live.snapshot, shared.queue, shared.accounts, shared.settings.timezone))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/live", live_view)
    app.router.add_get("/api/kpis", figures)
    app.router.add_get("/api/kpis.csv", figures_csv)
