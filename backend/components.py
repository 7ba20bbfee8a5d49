"""The service's parts, wired once per process; request handlers reach them through `BACKEND`."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.engine import Engine

from backend.delivery import Delivery
from backend.holidays import HolidayCalendar
from backend.idempotency import Idempotency
from backend.orders import Orders
from backend.rules import Rules
from backend.services import Services
from backend.tracking import Tracking


@dataclass(frozen=True)
class Backend:
    engine: Engine
    rules: Rules
    calendar: HolidayCalendar
    tracking: Tracking
    orders: Orders
    delivery: Delivery
    idempotency: Idempotency
    services: Services


BACKEND = web.AppKey("backend", Backend)


def build(engine: Engine, rules: Rules, calendar: HolidayCalendar) -> Backend:
    tracking = Tracking(engine, rules, calendar)
    orders = Orders(engine, rules)
    return Backend(
        engine=engine,
        rules=rules,
        calendar=calendar,
        tracking=tracking,
        orders=orders,
        delivery=Delivery(engine, tracking, orders, rules, calendar),
        idempotency=Idempotency(engine, rules.now),
        services=Services.load(),
    )
