"""A supervisor deletes everything stored about one customer (GDPR erasure), and the desk enforces retention.

The erasure is audit-logged with who did it and what was deleted, but the
sender id only as a SHA-256 pseudonym: the audit log must not itself become a
record of the person (an auditor who knows the id can hash it to check).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
from typing import AsyncIterator

from aiohttp import web

from bot.desk.app import Desk, desk, json_response
from bot.desk.auth_middleware import USER, require_role
from bot.privacy import settings as privacy_settings
from bot.privacy.backend import BackendErasure
from bot.privacy.erase import Eraser

logger = logging.getLogger(__name__)
audit = logging.getLogger("kundesenter.audit")

ERASER = "privacy_eraser"  # app[ERASER]: the Eraser over the desk's own engines


def pseudonym(sender_id: str) -> str:
    return "sha256:" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


@require_role("supervisor")
async def forget_sender(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    erased = await desk(request).run(request.app[ERASER].forget, sender_id)
    audit.info("%s erased sender %s: %s", request[USER].username, pseudonym(sender_id), erased)
    body = {"sender": pseudonym(sender_id), "deleted": erased.counts, "not_erased": erased.failed}
    return json_response(body, status=502 if erased.failed else 200)  # 502: a store still holds the data


async def _purge_forever(shared: Desk, eraser: Eraser) -> None:
    """The retention purge, now and then every `purge_interval_minutes`; a failed round is logged and retried."""
    settings = privacy_settings.load()
    while True:
        before = dt.datetime.now(dt.timezone.utc) - settings.retention
        try:
            erased = await shared.run(eraser.purge, before)
            logger.info("retention purge (older than %s): %s", before.isoformat(timespec="seconds"), erased)
        except Exception:
            logger.exception("retention purge failed; trying again in %s", settings.purge_interval)
        await asyncio.sleep(settings.purge_interval.total_seconds())


async def _purging(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_purge_forever(app["desk"], app[ERASER]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def add_routes(app: web.Application) -> None:
    shared: Desk = app["desk"]
    app[ERASER] = Eraser(shared.tracker_engine, shared.queue.engine, backend=BackendErasure.configured())
    app.router.add_delete("/api/privacy/senders/{sender_id}", forget_sender)
    app.cleanup_ctx.append(_purging)
