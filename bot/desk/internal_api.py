"""The bot's side: the action server queues a hand-off or leaves a call-back request here.

Only the action server knows the service token (bot/secrets.py); customers
never reach these routes directly, they ask the bot.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.desk.app import desk, fail, json_body, json_response
from bot.handoff import HandoffError

FIELDS = ("sender_id", "channel", "language", "topic", "reason")
TRANSFER_FAILED = "the call could not be transferred: call-back requested"


async def queue_handoff(request: web.Request) -> web.Response:
    shared = desk(request)
    _check_token(request)
    body = await json_body(request)
    missing = [name for name in FIELDS if not isinstance(body.get(name), str) or not body[name]]
    if missing:
        raise fail(web.HTTPBadRequest, f"missing: {', '.join(missing)}")
    summary = body.get("summary") if isinstance(body.get("summary"), dict) else {}
    try:
        handoff = await shared.run(shared.queue.enqueue, *(body[name] for name in FIELDS), summary)
    except ValueError as invalid:
        raise fail(web.HTTPBadRequest, str(invalid)) from None
    waiting = await shared.run(shared.queue.waiting)
    same_queue = [
        item.handoff.id
        for item in waiting
        if (item.handoff.language, item.handoff.topic) == (handoff.language, handoff.topic)
    ]
    wait = await shared.run(shared.queue.estimated_wait, handoff.language, handoff.topic)
    return json_response(
        {
            "handoff_id": handoff.id,
            "status": handoff.status,
            "position": same_queue.index(handoff.id) + 1 if handoff.id in same_queue else 0,
            "estimated_wait_minutes": max(1, round(wait.total_seconds() / 60)),
        }
    )


async def leave_callback(request: web.Request) -> web.Response:
    shared = desk(request)
    _check_token(request)
    body = await json_body(request)
    fields = ("sender_id", "language", "topic", "contact", "preferred_time")
    if any(not isinstance(body.get(name), str) for name in fields):
        raise fail(web.HTTPBadRequest, f"send {', '.join(fields)} as text")
    try:
        callback = await shared.run(shared.queue.add_callback, *(body[name] for name in fields))
    except ValueError as invalid:
        raise fail(web.HTTPBadRequest, str(invalid)) from None
    return json_response({"callback_id": callback.id, "contact": callback.contact}, status=201)


async def callback_instead(request: web.Request) -> web.Response:
    """A phone call could not be transferred: its waiting hand-off becomes a call-back to the caller's number.

    The agent would otherwise claim a hand-off whose caller is no longer on the line.
    """
    shared = desk(request)
    _check_token(request)
    body = await json_body(request)
    if any(not isinstance(body.get(name), str) or not body[name] for name in ("sender_id", "contact")):
        raise fail(web.HTTPBadRequest, "send sender_id and contact as text")
    handoff = await shared.run(shared.queue.open_handoff_for, body["sender_id"])
    if handoff is None or handoff.status != "waiting":
        raise fail(web.HTTPConflict, "no waiting hand-off for this conversation")
    try:
        callback = await shared.run(
            shared.queue.add_callback, handoff.sender_id, handoff.language, handoff.topic, body["contact"], ""
        )
    except ValueError as invalid:
        raise fail(web.HTTPBadRequest, str(invalid)) from None
    try:
        await shared.run(shared.queue.close, handoff.id, TRANSFER_FAILED)
    except HandoffError:  # an agent claimed it meanwhile: the call-back still reaches the caller
        pass
    return json_response({"callback_id": callback.id, "contact": callback.contact}, status=201)


def _check_token(request: web.Request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = desk(request).config.service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise fail(web.HTTPUnauthorized, "the bot's service token is required")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/internal/handoffs", queue_handoff)
    app.router.add_post("/internal/callbacks", leave_callback)
    app.router.add_post("/internal/handoffs/callback-instead", callback_instead)
