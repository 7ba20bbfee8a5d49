"""The bot's side: the action server queues a hand-off or leaves a call-back request here.

Only the action server knows the service token (bot/secrets.py); customers
never reach these routes directly, they ask the bot.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.desk.app import desk, fail, json_body, json_response

FIELDS = ("sender_id", "channel", "language", "topic", "reason")


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


def _check_token(request: web.Request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = desk(request).config.service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise fail(web.HTTPUnauthorized, "the bot's service token is required")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/internal/handoffs", queue_handoff)
    app.router.add_post("/internal/callbacks", leave_callback)
